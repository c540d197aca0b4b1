#!/usr/bin/env bash
# A walk through vobiz-vault on a demo vault under $DEMO_DIR, with made-up tokens.
# Safe to run again: an existing demo vault is reused.
set -euo pipefail
: "${DEMO_DIR:?}" "${BIN:?}"

export VOBIZ_VAULT_STATE_DIR="$DEMO_DIR/state"
export VOBIZ_VAULT_KEY_FILE="$DEMO_DIR/master.key"
export VOBIZ_VAULT_CONFIG="$DEMO_DIR/config.toml"
mkdir -p "$DEMO_DIR"
chmod 700 "$DEMO_DIR"
if [ ! -f "$VOBIZ_VAULT_CONFIG" ]; then
    cat > "$VOBIZ_VAULT_CONFIG" <<TOML
# Demo configuration: sockets under $DEMO_DIR/run, one grant for you (uid $(id -u)).
[vault]
state_dir = "$VOBIZ_VAULT_STATE_DIR"
key_file = "$VOBIZ_VAULT_KEY_FILE"

[sockets]
client = "$DEMO_DIR/run/vault.sock"
admin = "$DEMO_DIR/run/admin.sock"
client_group = "$(id -gn)"

[[grant]]
name = "demo"
uid = $(id -u)
credentials = ["partner", "MA_*"]
operations = ["headers"]
methods = ["GET", "POST"]
TOML
fi

step() { printf '\n\033[1m$ vobiz-vault %s\033[0m\n' "$*"; }
demo_token() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }

if [ ! -f "$VOBIZ_VAULT_STATE_DIR/vault.db" ]; then
    step init
    "$BIN" init
    step "import   (JSON on stdin: a partner and two customers, made-up tokens)"
    printf '[{"auth_id":"PA_DEMOPARTNER","auth_token":"%s","label":"Demo partner"},
{"auth_id":"MA_DEMO0001","auth_token":"%s","label":"Acme Telecom"},
{"auth_id":"MA_DEMO0002","auth_token":"%s","label":"Globex"}]' "$(demo_token)" "$(demo_token)" "$(demo_token)" | "$BIN" import
    step "rotate MA_DEMO0001 --reason 'demo rotation'   (new token on stdin)"
    demo_token | "$BIN" rotate MA_DEMO0001 --reason "demo rotation"
    step "edit MA_DEMO0002 --max-age 10d --warn 30d"
    "$BIN" edit MA_DEMO0002 --max-age 10d --warn 30d
fi

step list
"$BIN" list
step "show MA_DEMO0001"
"$BIN" show MA_DEMO0001
step "due --within 100d"
"$BIN" due --within 100d
step "remind   (what cron would mail; exit 0 nothing due, 1 due soon, 2 overdue or revoked)"
set +e
"$BIN" remind
code=$?
set -e
echo "(exit $code)"
step "audit tail -n 5"
"$BIN" audit tail -n 5
step "audit verify"
"$BIN" audit verify

cat <<MSG

Now the daemon, on the demo vault (Ctrl-C stops it). From another terminal:

  curl -s --unix-socket $DEMO_DIR/run/vault.sock http://vault/v1/headers \\
       -d '{"method":"GET","url":"https://api.vobiz.ai/api/v1/Account/MA_DEMO0001/Call/"}'

  export VOBIZ_VAULT_CONFIG=$VOBIZ_VAULT_CONFIG
  $BIN list                  # admin commands now go through the daemon's admin socket
  $BIN headers GET https://api.vobiz.ai/api/v1/partner/accounts --format curl

Remove the demo with: rm -rf $DEMO_DIR
MSG
step serve
exec "$BIN" serve
