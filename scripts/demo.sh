#!/usr/bin/env bash
# A walk through vobiz-vault on a demo vault under $DEMO_DIR, with made-up tokens.
# Safe to run again: an existing demo vault is reused.
set -euo pipefail
: "${DEMO_DIR:?}" "${BIN:?}"

export VOBIZ_VAULT_STATE_DIR="$DEMO_DIR/state"
export VOBIZ_VAULT_KEY_FILE="$DEMO_DIR/master.key"
mkdir -p "$DEMO_DIR"
chmod 700 "$DEMO_DIR"

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

The demo vault lives in $DEMO_DIR (key file: $VOBIZ_VAULT_KEY_FILE).
Try more commands with the same environment:

  export VOBIZ_VAULT_STATE_DIR=$VOBIZ_VAULT_STATE_DIR VOBIZ_VAULT_KEY_FILE=$VOBIZ_VAULT_KEY_FILE
  $BIN --help

Remove it with: rm -rf $DEMO_DIR
MSG
