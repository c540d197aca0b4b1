#!/usr/bin/env bash
# The scale benchmark: the vault with many customers. For each N, a temporary vault of N sealed
# customers (MA_SCALE0000000001…, random 40-character tokens, one grant `MA_*` for headers and
# the proxy) and beside it a vault of 2 customers set up the same way, each with its own
# `vobiz-vault serve`; then:
# - import: `vobiz-vault import --file` of the N customers (one JSON array, mode 0600): wall
#   time, credentials/s and the CLI's peak RSS;
# - start to ready: from spawning `vobiz-vault serve` until GET /v1/health on the client socket
#   answers 200 (asked every 2 ms, raw AF_UNIX); the daemon's RSS;
# - first requests: one POST /v1/headers (raw AF_UNIX, Connection: close) for each of 3
#   customers picked at random that nothing has asked for yet, timed from connect to the whole
#   answer; the first is the first credential request since the start;
# - throughput: vault-bench, sealed headers, 16 connections, SECONDS_PER_PHASE, on one customer
#   of the big vault and on one of the small vault, alternating (ROUNDS rounds: big small,
#   small big, …); the ratio of the medians, big / small;
# - listing through the running daemon (admin socket): `list --json`, `due --json` (nothing due
#   yet), `due --json --within 3650d` (all N due) and `audit tail --json -n N`: wall time, rows,
#   bytes, the CLI's peak RSS and the daemon's RSS after. A command that fails is reported and
#   the run goes on;
# then a markdown table of every figure per N (for Docs/benchmarks.md) and the machine.
# The measuring is done by scripts/bench-scale.py; tokens are never printed nor put on a
# command line, and the temporary directory (import file included) is removed at exit.
# Usage: scripts/bench-scale.sh [N ...]   (default: 10000 100000; N >= 5)
#   BIN=dir of another build, SECONDS_PER_PHASE (5), ROUNDS (2), READY_TIMEOUT (600 s),
#   CLI_TIMEOUT (900 s): limits on a daemon's start and on one CLI command.
#   STORE=postgres: both vaults in databases of a private PostgreSQL cluster
#   (scripts/pg-cluster.sh) instead of SQLite files.
set -euo pipefail
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)
for n in "${SIZES[@]}"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 5 ]; then
        echo "bench-scale: N must be a whole number of at least 5, not '$n'" >&2
        exit 2
    fi
done
SECONDS_PER_PHASE="${SECONDS_PER_PHASE:-5}"
ROUNDS="${ROUNDS:-2}"
BIN="${BIN:-$(swift build -c release --show-bin-path)}"
export BIN READY_TIMEOUT="${READY_TIMEOUT:-600}" CLI_TIMEOUT="${CLI_TIMEOUT:-900}"
for b in vobiz-vault vault-bench; do
    [ -x "$BIN/$b" ] || { echo "bench-scale: no $BIN/$b (a release build, or BIN=…)" >&2; exit 2; }
done
. "$(dirname "$0")/bench-vault.sh"
. "$(dirname "$0")/pg-cluster.sh"
STORE="${STORE:-sqlite}"
PY=(python3 "$(cd "$(dirname "$0")" && pwd)/bench-scale.py")
DIR="$(mktemp -d /tmp/vobiz-vault-scale.XXXXXX)"
export SCALE_RESULTS="$DIR/results.jsonl"
# Headers make no upstream call: the vaults' upstream port need not answer.
UPSTREAM_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

# Starts `vobiz-vault serve` on vault directory $3 (the helper execs into it, so it is this
# shell's child; its PID in $3/daemon.pid) and times it to ready; $1 is the run's N, $2 big|small.
start_daemon() {
    "${PY[@]}" spawn "$3" &
    echo "$!" > "$3/daemon.pid"
    "${PY[@]}" ready "$1" "$2" "$3"
}
# Whether process $1 is there and not a zombie.
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
# Stops the daemon of vault directory $1: SIGTERM, SIGKILL after 10 s.
stop_daemon() {
    local pid
    pid="$(cat "$1/daemon.pid" 2>/dev/null)" || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
    rm -f "$1/daemon.pid"
}
cleanup() {
    local f
    for f in "$DIR"/*/daemon.pid; do [ -e "$f" ] && stop_daemon "$(dirname "$f")"; done
    pg_stop
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$STORE" = postgres ]; then pg_start "$DIR"; fi

# A vault in directory $1: config.toml (as scripts/bench-vault.sh, one sealed grant for every
# customer) and `vobiz-vault init`.
scale_vault() {
    mkdir -p "$1"
    bench_config "$1" "$UPSTREAM_PORT"
    if [ "$STORE" = postgres ]; then
        local db
        db="$(basename "$1" | tr -c 'a-z0-9\n' '_')"
        pg_createdb "$db"
        printf '[store]\nbackend = "postgres"\nurl = "%s"\n[fleet]\nhost = "bench"\n' "$(pg_url "$db")" >> "$1/config.toml"
    fi
    cat >> "$1/config.toml" <<TOML
[[grant]]
name = "sealed"
uid = $(id -u)
credentials = ["MA_*"]
operations = ["headers", "proxy"]
TOML
    VOBIZ_VAULT_CONFIG="$1/config.toml" "$BIN/vobiz-vault" init >/dev/null
}
# Generates $3 customers for vault $2 (big|small) in directory $4 and imports them (timed);
# $1 is the run's N.
import_customers() {
    "${PY[@]}" gen "$3" "$4/customers.json"
    "${PY[@]}" cli "$1" "$2" "$4" import --must --imported "$3" -- import --file "$4/customers.json" ||
        { echo "bench-scale: import of $3 customers failed" >&2; exit 1; }
    rm -f "$4/customers.json"
}
# Whether `vobiz-vault $*` takes --json.
has_json() { "$BIN/vobiz-vault" "$@" --help 2>&1 | grep -q -- '--json'; }

for N in "${SIZES[@]}"; do
    big="$DIR/n$N"
    small="$DIR/n$N-small"
    echo "== $N customers"
    scale_vault "$big"
    import_customers "$N" big "$N" "$big"
    start_daemon "$N" big "$big"
    "${PY[@]}" cold "$N" big "$big" "$N"

    echo "-- the 2-customer vault"
    scale_vault "$small"
    import_customers "$N" small 2 "$small"
    start_daemon "$N" small "$small"
    "${PY[@]}" cold "$N" small "$small" 2

    echo "-- throughput, $ROUNDS round(s) of $SECONDS_PER_PHASE s per vault"
    big_id="$(printf 'MA_SCALE%010d' $((N / 2)))"
    for round in $(seq "$ROUNDS"); do
        if [ $((round % 2)) -eq 1 ]; then order=(big small); else order=(small big); fi
        for v in "${order[@]}"; do
            if [ "$v" = big ]; then
                "${PY[@]}" throughput "$N" big "$big" "$big_id" "$SECONDS_PER_PHASE"
            else
                "${PY[@]}" throughput "$N" small "$small" MA_SCALE0000000001 "$SECONDS_PER_PHASE"
            fi
        done
    done
    "${PY[@]}" ratio "$N"

    echo "-- listing through the daemon"
    if has_json list; then "${PY[@]}" cli "$N" big "$big" list --rows -- list --json; fi
    if has_json due; then
        "${PY[@]}" cli "$N" big "$big" due --rows -- due --json
        # Every credential is due within ten years: the same listing with all N in the answer.
        "${PY[@]}" cli "$N" big "$big" due_all --rows -- due --json --within 3650d
    fi
    if has_json audit tail; then "${PY[@]}" cli "$N" big "$big" audit --rows -- audit tail --json -n "$N"; fi
    "${PY[@]}" rss "$N" big "$big" end
    "${PY[@]}" rss "$N" small "$small" end
    stop_daemon "$big"
    stop_daemon "$small"
    rm -rf "$big" "$small"
    echo
done

echo "== summary"
mem_gib="$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
model="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
build="$(git -C "$BIN/../.." log -1 --format='%h, %cs' 2>/dev/null || echo "?")"
echo "Machine: $(nproc) CPUs ($model), $mem_gib GiB; build $BIN ($build); store: $STORE;"
echo "$(date -u +%Y-%m-%d), sealed headers at 16 connections for $SECONDS_PER_PHASE s, $ROUNDS round(s) (medians)."
echo
"${PY[@]}" summary
