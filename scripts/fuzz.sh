#!/usr/bin/env bash
# Fuzzes VaultCore's parsers with libFuzzer: builds Fuzz/FuzzTargets.swift together with
# VaultCore's sources (swiftc -sanitize=fuzzer,address) into .build-fuzz/vault-fuzz, then runs
# each target for SECONDS on a copy of its committed seed corpus (Fuzz/corpus/<target>).
# Any crash, timeout, sanitizer report or broken invariant fails. Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
SECONDS_EACH="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.build-fuzz"
BIN="$OUT/vault-fuzz"
mkdir -p "$OUT"
# sed reads the whole listing: `head -1` would leave ls writing to a closed pipe (SIGPIPE under pipefail).
newest_source="$(ls -t "$ROOT"/Sources/VaultCore/*.swift "$ROOT/Fuzz/FuzzTargets.swift" | sed -n 1p)"
if [ ! -x "$BIN" ] || [ "$newest_source" -nt "$BIN" ]; then
    echo "building $BIN"
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name VaultCore \
        "$ROOT"/Sources/VaultCore/*.swift "$ROOT/Fuzz/FuzzTargets.swift" -o "$BIN"
fi
status=0
for t in url json sealed callback; do
    work="$(mktemp -d)"
    echo "fuzzing $t for ${SECONDS_EACH}s"
    if ! FUZZ_TARGET="$t" "$BIN" "$work" "$ROOT/Fuzz/corpus/$t" -max_total_time="$SECONDS_EACH" -timeout=5 \
            -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 -artifact_prefix="$OUT/crash-$t-" > "$OUT/$t.log" 2>&1; then
        echo "FAILED: $t (see $OUT/$t.log and $OUT/crash-$t-*)"
        tail -30 "$OUT/$t.log"
        status=1
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$OUT/$t.log" | sed "s/^/  $t /"
    rm -rf "$work"
done
exit $status
