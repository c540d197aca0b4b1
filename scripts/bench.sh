#!/usr/bin/env bash
# Benchmarks the release build: a temporary vault with one revealed and one sealed customer,
# `vobiz-vault serve` on it, and vault-bench against POST /v1/headers (with GET /v1/health as
# the floor), at 16 connections and at 1; then the egress proxy against a minimal upstream
# (vault-bench --mock), each proxied call beside a direct call to the same upstream, answering at
# once and (UPSTREAM_DELAYS, in ms) after a delay.
# Then callback verification (vault-bench --verify: a freshly signed callback per request).
# Usage: scripts/bench.sh [seconds per phase] [all|headers|proxy|verify]
set -euo pipefail
DURATION="${1:-10}"
WHAT="${2:-all}"
BIN="$(swift build -c release --show-bin-path)"
DIR="$(mktemp -d /tmp/vobiz-vault-bench.XXXXXX)"
MOCK_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
trap 'kill "$PID" "$MOCK" 2>/dev/null || true; wait "$PID" "$MOCK" 2>/dev/null || true; rm -rf "$DIR"' EXIT
"$BIN/vault-bench" --mock "$MOCK_PORT" >/dev/null &
MOCK=$!
. "$(dirname "$0")/bench-vault.sh"
bench_vault_start
B="http://127.0.0.1:$MOCK_PORT/api/v1/Account"
proxy_phases() {
    for n in 16 1; do
        echo "proxy vs direct, $n connection(s)"
        "$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections "$n" --duration "$DURATION" --no-floor \
            --direct "127.0.0.1:$MOCK_PORT" --proxy /api/v1/Account/MA_SEALED/Call/
    done
    # The same at a fixed offered load below the proxy's capacity: the added latency per request
    # rather than the queue of 16 requests always outstanding.
    for rate in ${PROXY_RATES:-2000 4000}; do
        echo "proxy vs direct, 16 connections, $rate req/s offered"
        "$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --rate "$rate" --duration "$DURATION" --no-floor \
            --direct "127.0.0.1:$MOCK_PORT" --proxy /api/v1/Account/MA_SEALED/Call/
    done
    # And against an upstream that answers after a delay, as an API across a network does: many
    # calls in flight at once, each holding one upstream connection.
    for delay in ${UPSTREAM_DELAYS:-2 10}; do
        for n in 16 64; do
            echo "proxy vs direct, $n connections, upstream answering after $delay ms"
            "$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections "$n" --duration "$DURATION" --no-floor \
                --upstream-delay "$delay" --direct "127.0.0.1:$MOCK_PORT" --proxy /api/v1/Account/MA_SEALED/Call/
        done
    done
}
verify_phases() {
    for n in 16 1; do
        echo "callback verification, $n connection(s)"
        "$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections "$n" --duration "$DURATION" --no-floor \
            --verify MA_SEALED --token-file "$DIR/sealed.token"
    done
}
if [ "$WHAT" = "proxy" ]; then proxy_phases; exit 0; fi
if [ "$WHAT" = "verify" ]; then verify_phases; exit 0; fi
echo "revealed headers, 16 connections"
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --duration "$DURATION" --url "$B/MA_REVEAL/Call/"
echo "sealed headers, 16 connections"
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --duration "$DURATION" --no-floor --url "$B/MA_SEALED/Call/"
echo "sealed headers, 16 connections, 4000 req/s offered"
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 16 --rate 4000 --duration "$DURATION" --no-floor --url "$B/MA_SEALED/Call/"
echo "revealed headers, 1 connection"
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 1 --duration "$DURATION" --url "$B/MA_REVEAL/Call/"
echo "sealed headers, 1 connection"
"$BIN/vault-bench" --socket "$DIR/run/vault.sock" --connections 1 --duration "$DURATION" --no-floor --url "$B/MA_SEALED/Call/"
if [ "$WHAT" = "all" ]; then proxy_phases; verify_phases; fi
