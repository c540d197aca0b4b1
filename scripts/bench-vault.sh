# The benchmark vault, shared by scripts/bench.sh and scripts/bench-cpu.sh: one revealed and one
# sealed customer (MA_REVEAL, MA_SEALED, whose token is in $DIR/sealed.token), grants for headers,
# the proxy and callback verification, the upstream at 127.0.0.1:$MOCK_PORT; `vobiz-vault serve`
# started on it (PID) and its client socket up.
# Needs BIN, DIR and MOCK_PORT; sets PID and exports VOBIZ_VAULT_CONFIG.
bench_vault_start() {
    cat > "$DIR/config.toml" <<TOML
[vault]
state_dir = "$DIR/state"
key_file = "$DIR/master.key"
[sockets]
client = "$DIR/run/vault.sock"
admin = "$DIR/run/admin.sock"
client_group = "$(id -gn)"
[upstream]
base_url = "http://127.0.0.1:$MOCK_PORT"
allow_insecure_upstream = true
[[grant]]
name = "reveal"
uid = $(id -u)
credentials = ["MA_REVEAL"]
operations = ["headers"]
reveal = true
[[grant]]
name = "webhooks"
uid = $(id -u)
credentials = ["MA_*"]
operations = ["verify_callback"]
[[grant]]
name = "sealed"
uid = $(id -u)
credentials = ["MA_*"]
operations = ["headers", "proxy"]
TOML
    export VOBIZ_VAULT_CONFIG="$DIR/config.toml"
    "$BIN/vobiz-vault" init >/dev/null
    head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$DIR/sealed.token"
    chmod 600 "$DIR/sealed.token"
    printf '[{"auth_id":"MA_REVEAL","auth_token":"%s"},{"auth_id":"MA_SEALED","auth_token":"%s"}]' \
        "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" "$(cat "$DIR/sealed.token")" | "$BIN/vobiz-vault" import >/dev/null
    "$BIN/vobiz-vault" serve 2>"$DIR/serve.log" &
    PID=$!
    for _ in $(seq 100); do [ -S "$DIR/run/vault.sock" ] && break; sleep 0.1; done
}
