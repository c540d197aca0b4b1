#!/usr/bin/env bash
# Builds vobiz-vault_VERSION_amd64.deb (called by `make deb`): a release binary linked with the
# Swift runtime inside it (--static-swift-stdlib), its debug sections removed and the git
# revision stamped in (scripts/stamp-build.sh), laid out by scripts/install.sh under /usr, with
# the example configuration as the conffile /etc/vobiz-vault/config.toml, the maintainer
# scripts of packaging/debian and `Depends:` from dpkg-shlibdeps. Prints the package's path.
# DEB_CONFIGURATION=debug packages a debug build instead, the same way: `make test` does, into
# .build/deb-test, for PackageTests (it compiles in about half the time of a release build).
# Usage: scripts/make-deb.sh [OUTPUT_DIR (.build/deb)]
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
SWIFT="${SWIFT:-swift}"
CONFIGURATION="${DEB_CONFIGURATION:-release}"
case "$CONFIGURATION" in
    release) SCRATCH="$HERE/.build-deb" ;;
    debug) SCRATCH="$HERE/.build-deb-debug" ;;
    *) echo "make-deb: DEB_CONFIGURATION is release or debug, not '$CONFIGURATION'" >&2; exit 2 ;;
esac
OUT="${1:-$HERE/.build/deb}"
# Absolute: the packaging steps below change directory.
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd)"
cd "$HERE"
VERSION="$(sed -n 's/^ *public static let current = "\(.*\)"$/\1/p' Sources/VaultServer/VaultVersion.swift)"
[ -n "$VERSION" ] || { echo "make-deb: no version in Sources/VaultServer/VaultVersion.swift" >&2; exit 2; }
# The manual pages from a debug build of the usual build directory (the release one is not needed).
rm -rf .build/man && mkdir -p .build/man
"$SWIFT" package plugin --allow-writing-to-directory .build/man generate-manual --configuration debug \
    --output-directory .build/man --multi-page >/dev/null
# A build directory of its own: the static runtime changes how every module is compiled, and
# SwiftPM would not relink a binary it had linked the other way.
STATIC=(--scratch-path "$SCRATCH" -c "$CONFIGURATION" --static-swift-stdlib)
"$SWIFT" build "${STATIC[@]}" --product vobiz-vault >&2
BUILT="$("$SWIFT" build "${STATIC[@]}" --show-bin-path)/vobiz-vault"

WORK="$OUT/work"
STAGE="$WORK/root"
rm -rf "$WORK" && mkdir -p "$STAGE/DEBIAN" "$WORK/debian"
# No symbol table: crash output is switched off anyway, and it is a fifth of the file.
strip --strip-all -o "$WORK/vobiz-vault" "$BUILT"
scripts/stamp-build.sh "$WORK/vobiz-vault"
if ldd "$WORK/vobiz-vault" | grep -q swift; then
    echo "make-deb: the binary still needs the Swift runtime:" >&2
    ldd "$WORK/vobiz-vault" | grep swift >&2
    exit 1
fi

DOC=/usr/share/doc/vobiz-vault
scripts/install.sh "$WORK/vobiz-vault" "$STAGE" /usr /usr/bin /usr/lib/systemd/system /usr/lib/sysusers.d /usr/lib/tmpfiles.d \
    /usr/share/man/man1 "$DOC" /usr/share/bash-completion/completions /usr/share/zsh/vendor-completions \
    /usr/share/fish/vendor_completions.d >/dev/null
rm -f "$STAGE$DOC/installed-files"         # dpkg keeps the list
gzip -9n "$STAGE"/usr/share/man/man1/*.1
install -D -m 0644 systemd/config.example.toml "$STAGE/etc/vobiz-vault/config.toml"
printf '/etc/vobiz-vault/config.toml\n' > "$STAGE/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$STAGE/DEBIAN/"

# Depends: the Debian packages of the libraries the binary links, at the versions their symbols need.
printf 'Source: vobiz-vault\n\nPackage: vobiz-vault\nArchitecture: amd64\n' > "$WORK/debian/control"
DEPENDS="$(cd "$WORK" && dpkg-shlibdeps -O "$WORK/vobiz-vault" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[ -n "$DEPENDS" ] || { echo "make-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
SIZE="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@DEPENDS@/$DEPENDS/" -e "s/@SIZE@/$SIZE/" packaging/debian/control.in > "$STAGE/DEBIAN/control"

DEB="$OUT/vobiz-vault_${VERSION}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
rm -rf "$WORK"
echo "$DEB"
