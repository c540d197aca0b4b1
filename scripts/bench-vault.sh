# The benchmark vault, shared by scripts/bench.sh and scripts/bench-cpu.sh: one revealed and one
# sealed customer (MA_REVEAL, MA_SEALED, whose token is in $DIR/sealed.token), grants for headers,
# the proxy and callback verification, the upstream at 127.0.0.1:$MOCK_PORT; `vobiz-vault serve`
# started on it (PID) and its client socket up.
# Needs BIN, DIR and MOCK_PORT; sets PID and exports VOBIZ_VAULT_CONFIG. Also holds the config
# sections every benchmark vault shares (scripts/bench-scale.sh's too).

# The sections every benchmark vault shares, in $1/config.toml: state, key and sockets under $1,
# the upstream at 127.0.0.1:$2. Grants are appended after.
bench_config() {
    cat > "$1/config.toml" <<TOML
[vault]
state_dir = "$1/state"
key_file = "$1/master.key"
[sockets]
client = "$1/run/vault.sock"
admin = "$1/run/admin.sock"
client_group = "$(id -gn)"
[upstream]
base_url = "http://127.0.0.1:$2"
allow_insecure_upstream = true
TOML
}
# The benchmark grants (reveal MA_REVEAL; callbacks and sealed headers and the proxy for every
# customer), appended to the vault config $1.
bench_grants() {
    cat >> "$1" <<TOML
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
}
# `init` of the vault of config $1 and its two customers; MA_SEALED's token goes in file $2.
bench_customers() {
    VOBIZ_VAULT_CONFIG="$1" "$BIN/vobiz-vault" init >/dev/null
    head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$2"
    chmod 600 "$2"
    printf '[{"auth_id":"MA_REVEAL","auth_token":"%s"},{"auth_id":"MA_SEALED","auth_token":"%s"}]' \
        "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" "$(cat "$2")" | VOBIZ_VAULT_CONFIG="$1" "$BIN/vobiz-vault" import >/dev/null
}
bench_vault_start() {
    bench_config "$DIR" "$MOCK_PORT"
    bench_grants "$DIR/config.toml"
    export VOBIZ_VAULT_CONFIG="$DIR/config.toml"
    bench_customers "$DIR/config.toml" "$DIR/sealed.token"
    "$BIN/vobiz-vault" serve 2>"$DIR/serve.log" &
    PID=$!
    for _ in $(seq 100); do [ -S "$DIR/run/vault.sock" ] && break; sleep 0.1; done
}
