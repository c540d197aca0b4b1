#!/usr/bin/env bash
# The end of a failed `swift test` log, condensed: the tests that failed, their first recorded
# issues, and how the run ended (a crashed test process ends it without a summary line). Called
# by `make test` when the suite fails, so the last lines of a long log name what went wrong.
# usage: test-failures.sh SWIFT_TEST_OUTPUT
set -uo pipefail
log="${1:?usage: test-failures.sh SWIFT_TEST_OUTPUT}"
[ -r "$log" ] || { echo "test-failures: cannot read $log" >&2; exit 2; }
echo "---- failed tests (scripts/test-failures.sh) ----"
grep -a -E '✘ Test .* failed after' "$log" | grep -a -v '✘ Test run with' | sed -E 's/^.*✘ Test /  failed: /' | head -n 12
grep -a -E '✘ Test .* recorded an issue' "$log" | sed -E 's/^.*✘ Test /  issue: /' | cut -c1-300 | head -n 6
grep -a -E 'Exited with (unexpected )?signal|Fatal error|error: .*(crash|signal)' "$log" | cut -c1-300 | head -n 4 \
    | sed 's/^/  crash: /'
# Where a crash happened in the tests' own code: the first frames of its backtrace there.
grep -a -E ' at /.*/Tests/[^ ]*\.swift:[0-9]+' "$log" | sed -E 's/^.*0x[0-9a-f]+ (.*) \+ [0-9]+ in .* at .*\/(Tests\/[^ ]*)$/  frame: \1 \2/' | head -n 3
grep -a -E '(✔|✘) Test run with' "$log" | tail -n 1 | sed 's/^/  /' \
    || echo "  the run ended without a summary line: a test process crashed or was killed"
