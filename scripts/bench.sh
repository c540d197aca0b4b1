#!/usr/bin/env bash
# Benchmarks the release build: a temporary vault with one revealed and one sealed customer,
# `vobiz-vault serve` on it, and vault-bench against POST /v1/headers (with GET /v1/health as
# the floor), at 16 connections and at 1. Usage: scripts/bench.sh [seconds per phase]
set -euo pipefail
DURATION="${1:-10}"
BIN="$(swift build -c release --show-bin-path)"
DIR="$(mktemp -d /tmp/vobiz-vault-bench.XXXXXX)"
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
cat > "$DIR/config.toml" <<TOML
[vault]
state_dir = "$DIR/state"
key_file = "$DIR/master.key"
[sockets]
client = "$DIR/run/vault.sock"
admin = "$DIR/run/admin.sock"
client_group = "$(id -gn)"
[[grant]]
name = "reveal"
uid = $(id -u)
credentials = ["MA_REVEAL"]
operations = ["headers"]
reveal = true
[[grant]]
name = "sealed"
uid = $(id -u)
credentials = ["MA_*"]
operations = ["headers"]
TOML
export VOBIZ_VAULT_CONFIG="$DIR/config.toml"
"$BIN/vobiz-vault" init >/dev/null
printf '[{"auth_id":"MA_REVEAL","auth_token":"%s"},{"auth_id":"MA_SEALED","auth_token":"%s"}]' \
    "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" | "$BIN/vobiz-vault" import >/dev/null
"$BIN/vobiz-vault" serve 2>"$DIR/serve.log" &
PID=$!
for _ in $(seq 100); do [ -S "$DIR/run/vault.sock" ] && break; sleep 0.1; done
B="https://api.vobiz.ai/api/v1/Account"
echo "revealed headers, 16 connections"
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --duration "$DURATION" --url "$B/MA_REVEAL/Call/"
echo "sealed headers, 16 connections"
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --duration "$DURATION" --no-floor --url "$B/MA_SEALED/Call/"
echo "revealed headers, 1 connection"
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 1 --duration "$DURATION" --url "$B/MA_REVEAL/Call/"
echo "sealed headers, 1 connection"
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 1 --duration "$DURATION" --no-floor --url "$B/MA_SEALED/Call/"
