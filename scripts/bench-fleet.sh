#!/usr/bin/env bash
# The fleet benchmark (Docs/fleet.md), on a private PostgreSQL cluster (scripts/pg-cluster.sh):
# - throughput: revealed and sealed headers at 16 connections against a SQLite vault and a
#   PostgreSQL vault set up alike, alternating (ROUNDS rounds of SECONDS s), and the ratio of the
#   medians (PostgreSQL / SQLite), and the CPU time per request of each daemon and of the
#   PostgreSQL server (the steadier figure: rounds of one store vary by up to a fifth);
# - propagation: a second host joins the PostgreSQL vault (fleet join, fleet admit); N
#   rotations through the first host's admin socket, each timed from its answer until the second
#   host hands out the new version: p50, p99 and max.
# Usage: scripts/bench-fleet.sh [N rotations (200)]   PHASE_SECONDS (5), ROUNDS (7), BIN=another build.
set -euo pipefail
ROTATIONS="${1:-200}"
SECONDS_PER_PHASE="${PHASE_SECONDS:-5}"
ROUNDS="${ROUNDS:-7}"
BIN="${BIN:-$(swift build -c release --show-bin-path)}"
export BIN
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/bench-vault.sh"
. "$HERE/pg-cluster.sh"
PY=(python3 "$HERE/bench-fleet.py")
DIR="$(mktemp -d /tmp/vobiz-vault-fleet.XXXXXX)"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pg_stop
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
UPSTREAM_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
pg_start "$DIR"
pg_createdb bench

# A vault in $1 on store TOML $2 with the benchmark's grants (scripts/bench-vault.sh).
vault_config() {
    mkdir -p "$1"
    bench_config "$1" "$UPSTREAM_PORT"
    printf '%s\n' "$2" >> "$1/config.toml"
    bench_grants "$1/config.toml"
}
declare -A DAEMON
serve() {
    VOBIZ_VAULT_CONFIG="$1/config.toml" "$BIN/vobiz-vault" serve 2>"$1/serve.log" &
    PIDS+=($!)
    DAEMON[$1]=$!
    for _ in $(seq 200); do [ -S "$1/run/vault.sock" ] && break; sleep 0.05; done
}
new_vault() {
    vault_config "$1" "$2"
    bench_customers "$1/config.toml" "$1/sealed.token"
    serve "$1"
}
STORE_A=$(printf '[store]\nbackend = "postgres"\nurl = "%s"\n[fleet]\nhost = "bench-a"' "$(pg_url bench)")
STORE_B=$(printf '[store]\nbackend = "postgres"\nurl = "%s"\n[fleet]\nhost = "bench-b"' "$(pg_url bench)")
new_vault "$DIR/sqlite" ""
new_vault "$DIR/a" "$STORE_A"

echo "== throughput: headers at 16 connections, $ROUNDS round(s) of $SECONDS_PER_PHASE s per store"
B="http://127.0.0.1:$UPSTREAM_PORT/api/v1/Account"
declare -A T CPU_D CPU_S
POSTMASTER="$(head -1 "$PG_DATA/postmaster.pid")"
for kind in revealed sealed; do
    [ "$kind" = revealed ] && id=MA_REVEAL || id=MA_SEALED
    for round in $(seq "$ROUNDS"); do
        if [ $((round % 2)) -eq 1 ]; then order=(sqlite a); else order=(a sqlite); fi
        for v in "${order[@]}"; do
            server=()
            [ "$v" = a ] && server=("$POSTMASTER")
            read -r r d s < <("${PY[@]}" tput "$DIR/$v/run/vault.sock" "$B/$id/Call/" "$SECONDS_PER_PHASE" "${DAEMON[$DIR/$v]}" "${server[@]}")
            T[$kind-$v]="${T[$kind-$v]:-} $r"
            CPU_D[$kind-$v]="${CPU_D[$kind-$v]:-} $d"
            CPU_S[$kind-$v]="${CPU_S[$kind-$v]:-} $s"
            echo "$kind, $([ "$v" = a ] && echo postgres || echo sqlite): $r req/s, CPU per request: daemon $d µs, server $s µs"
        done
    done
done
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for kind in revealed sealed; do
    s="$(median "${T[$kind-sqlite]}")"; p="$(median "${T[$kind-a]}")"
    echo "$kind headers: sqlite $s req/s, postgres $p req/s: $(awk -v p="$p" -v s="$s" 'BEGIN {printf "%.1f", 100 * p / s}') %"
    echo "$kind headers, CPU per request (medians): sqlite daemon $(median "${CPU_D[$kind-sqlite]}") µs;" \
         "postgres daemon $(median "${CPU_D[$kind-a]}") µs + server $(median "${CPU_S[$kind-a]}") µs"
done

echo "== propagation: $ROTATIONS rotations on one host, handed out by another"
vault_config "$DIR/b" "$STORE_B"
VOBIZ_VAULT_CONFIG="$DIR/b/config.toml" "$BIN/vobiz-vault" fleet join --wait 60s > "$DIR/b/join.out" 2>/dev/null &
JOIN=$!
for _ in $(seq 200); do grep -q 'join request' "$DIR/b/join.out" 2>/dev/null && break; sleep 0.05; done
FP="$(awk '/join request/ {print $5}' "$DIR/b/join.out")"
VOBIZ_VAULT_CONFIG="$DIR/a/config.toml" "$BIN/vobiz-vault" fleet admit bench-b --fingerprint "$FP" >/dev/null
wait "$JOIN"
serve "$DIR/b"
"${PY[@]}" propagate "$DIR/a/run/admin.sock" "$DIR/b/run/vault.sock" "$ROTATIONS" "$B"

mem_gib="$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
model="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "Machine: $(nproc) CPUs ($model), $mem_gib GiB; PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on a Unix socket; $(date -u +%Y-%m-%d)."
