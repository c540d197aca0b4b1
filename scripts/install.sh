#!/usr/bin/env bash
# Installs vobiz-vault (called by `make install`). Records every file it writes in
# $DOCDIR/installed-files so that `make uninstall` removes exactly those.
set -euo pipefail
BIN="$1" DESTDIR="$2" PREFIX="$3" BINDIR="$4" UNITDIR="$5" SYSUSERSDIR="$6" TMPFILESDIR="$7" MANDIR="$8" DOCDIR="$9"
BASHDIR="${10}" ZSHDIR="${11}" FISHDIR="${12}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
record=()
put() { # put SOURCE TARGET MODE
    install -D -m "$3" "$1" "$DESTDIR$2"
    record+=("$2")
}
render() { # render UNIT TARGET: fills in the install paths
    local tmp
    tmp="$(mktemp)"
    sed -e "s#@BINDIR@#$BINDIR#g" -e "s#@DOCDIR@#$DOCDIR#g" "$1" > "$tmp"
    put "$tmp" "$2" 0644
    rm -f "$tmp"
}
put "$BIN" "$BINDIR/vobiz-vault" 0755
for u in vobiz-vault.service vobiz-vault.socket vobiz-vault-admin.socket vobiz-vault-remind.service vobiz-vault-remind.timer; do
    render "$HERE/systemd/$u" "$UNITDIR/$u"
done
put "$HERE/systemd/vobiz-vault.sysusers.conf" "$SYSUSERSDIR/vobiz-vault.conf" 0644
put "$HERE/systemd/vobiz-vault.tmpfiles.conf" "$TMPFILESDIR/vobiz-vault.conf" 0644
put "$HERE/systemd/config.example.toml" "$DOCDIR/config.example.toml" 0644
for d in "$HERE"/Docs/*.md; do put "$d" "$DOCDIR/$(basename "$d")" 0644; done
for m in "$HERE"/.build/man/*.1; do put "$m" "$MANDIR/$(basename "$m")" 0644; done
tmp="$(mktemp -d)"
"$BIN" --generate-completion-script bash > "$tmp/vobiz-vault"
"$BIN" --generate-completion-script zsh > "$tmp/_vobiz-vault"
"$BIN" --generate-completion-script fish > "$tmp/vobiz-vault.fish"
put "$tmp/vobiz-vault" "$BASHDIR/vobiz-vault" 0644
put "$tmp/_vobiz-vault" "$ZSHDIR/_vobiz-vault" 0644
put "$tmp/vobiz-vault.fish" "$FISHDIR/vobiz-vault.fish" 0644
rm -rf "$tmp"
mkdir -p "$DESTDIR$DOCDIR"
printf '%s\n' "${record[@]}" > "$DESTDIR$DOCDIR/installed-files"
echo "installed ${#record[@]} files under ${DESTDIR:-/}$PREFIX (list: $DOCDIR/installed-files)"
if [ -z "$DESTDIR" ]; then
    echo "next: systemd-sysusers; systemd-tmpfiles --create; see $DOCDIR/operations.md"
fi
