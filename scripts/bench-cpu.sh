#!/usr/bin/env bash
# The daemon's CPU time per request at a fixed offered load: a steadier figure than throughput on
# a shared machine, for comparing two builds. The vault of scripts/bench.sh (scripts/bench-vault.sh),
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
# Headers make no upstream call: the vault's upstream port need not answer.
MOCK_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
. "$(dirname "$0")/bench-vault.sh"
bench_vault_start
ID=$([ "$KIND" = revealed ] && echo MA_REVEAL || echo MA_SEALED)
URL="http://127.0.0.1:$MOCK_PORT/api/v1/Account/$ID/Call/"
cpu() { cat /proc/"$PID"/task/*/schedstat | awk '{s+=$1} END {printf "%d", s}'; }
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --rate "$RATE" --duration 1 --no-floor --url "$URL" >/dev/null
before=$(cpu)
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --rate "$RATE" --duration "$DURATION" --no-floor --url "$URL" > "$DIR/out"
after=$(cpu)
answered=$(grep -o '([0-9]* requests' "$DIR/out" | tr -dc 0-9)
awk -v k="$KIND" -v r="$RATE" -v n="$answered" -v ns="$((after - before))" 'BEGIN { printf "%s headers, 16 connections, %s req/s offered: %d answered, daemon CPU %.1f µs per request\n", k, r, n, ns / n / 1000 }'
