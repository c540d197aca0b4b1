#!/usr/bin/env bash
# The daemon's CPU time per request at a fixed offered load: a steadier figure than throughput on
# a shared machine, for comparing two builds. A temporary vault as scripts/bench.sh makes it,
# `vobiz-vault serve` on it, a warm-up, then vault-bench at RATE req/s over 16 connections; the
# change in the run time of all the daemon's threads (/proc/PID/task/*/schedstat, nanoseconds)
# divided by the requests answered.
# Usage: scripts/bench-cpu.sh [revealed|sealed] [rate] [seconds]   (BIN=dir of another build)
set -euo pipefail
KIND="${1:-sealed}"
RATE="${2:-4000}"
DURATION="${3:-8}"
BIN="${BIN:-$(swift build -c release --show-bin-path)}"
DIR="$(mktemp -d /tmp/vobiz-vault-bench-cpu.XXXXXX)"
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
ID=$([ "$KIND" = revealed ] && echo MA_REVEAL || echo MA_SEALED)
URL="https://api.vobiz.ai/api/v1/Account/$ID/Call/"
cpu() { cat /proc/"$PID"/task/*/schedstat | awk '{s+=$1} END {printf "%d", s}'; }
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --rate "$RATE" --duration 1 --no-floor --url "$URL" >/dev/null
before=$(cpu)
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --rate "$RATE" --duration "$DURATION" --no-floor --url "$URL" > "$DIR/out"
after=$(cpu)
answered=$(grep -o '([0-9]* requests' "$DIR/out" | tr -dc 0-9)
awk -v k="$KIND" -v r="$RATE" -v n="$answered" -v ns="$((after - before))" 'BEGIN { printf "%s headers, 16 connections, %s req/s offered: %d answered, daemon CPU %.1f µs per request\n", k, r, n, ns / n / 1000 }'
