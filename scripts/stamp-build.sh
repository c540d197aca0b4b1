#!/usr/bin/env bash
# Writes the git revision into a linked vobiz-vault binary (its .vobiz_vault_build section,
# Sources/CVaultSystem/build_stamp.c), so `vobiz-vault --version` names the source it was built
# from without another build. Usage: scripts/stamp-build.sh BINARY [REVISION]
# REVISION defaults to `git rev-parse --short=12 HEAD`, with "-dirty" when the tree has changes.
set -euo pipefail
BIN="$1"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -ge 2 ]; then
    REV="$2"
else
    REV="$(git -C "$HERE" rev-parse --short=12 HEAD)"
    git -C "$HERE" diff --quiet HEAD -- || REV="$REV-dirty"
fi
SIZE=128
[[ "$REV" =~ ^[A-Za-z0-9._+-]{1,100}$ ]] || { echo "stamp-build: revision must be 1-100 of A-Z a-z 0-9 . _ + -" >&2; exit 2; }
have="$(objdump -h "$BIN" | awk '$2 == ".vobiz_vault_build" {print $3}')"
[ -n "$have" ] || { echo "stamp-build: $BIN has no .vobiz_vault_build section" >&2; exit 2; }
[ $((16#$have)) -eq "$SIZE" ] || { echo "stamp-build: the section is $((16#$have)) bytes, expected $SIZE" >&2; exit 2; }
stamp="$(mktemp)"
trap 'rm -f "$stamp"' EXIT
printf '%s' "$REV" > "$stamp"
truncate -s "$SIZE" "$stamp"
objcopy --update-section ".vobiz_vault_build=$stamp" "$BIN"
