#!/bin/sh
# Run by scripts/container.sh in a container without a Swift toolchain: installs the package
# from /mnt/in, then reports what an operator would check, one `name: value` line each, in
# /mnt/out/facts (read by PackageTests).
set -u
deb="$(ls /mnt/in/vobiz-vault_*_amd64.deb)"
f=/mnt/out/facts
# One line per fact: the lines of a value are joined with spaces.
fact() { printf '%s: %s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ' | sed 's/ *$//')" >> "$f"; }
: > "$f"
dpkg -i "$deb" > /mnt/out/dpkg-install.log 2>&1; fact install "$?"
fact version "$(env -i PATH=/usr/bin:/bin vobiz-vault --version 2>&1)"
fact swift-on-disk "$(ls -d /opt/swift /usr/lib/swift 2>/dev/null )"
fact ldd-swift "$(ldd /usr/bin/vobiz-vault | grep -c -i swift)"
fact ldd-missing "$(ldd /usr/bin/vobiz-vault | grep -c 'not found')"
fact libraries "$(ldd /usr/bin/vobiz-vault | awk '/=>/ {print $1}' | sort )"
fact user "$(getent passwd vobiz-vault | cut -d: -f1,6,7)"
fact groups "$(getent group vobiz-vault vobiz-vault-clients vobiz-vault-admins | cut -d: -f1 )"
fact etc-dir "$(stat -c '%a %U:%G' /etc/vobiz-vault)"
fact conffiles "$(dpkg-query -W -f='${Conffiles}' vobiz-vault | awk 'NF {print $1}' )"
fact units "$(ls /usr/lib/systemd/system | grep vobiz-vault )"
fact units-enabled "$(ls /etc/systemd/system/*.wants 2>/dev/null | grep -c vobiz-vault)"
fact man "$(ls /usr/share/man/man1 | grep -c '^vobiz-vault.*\.1\.gz$')"
fact completions "$(ls /usr/share/bash-completion/completions/vobiz-vault /usr/share/zsh/vendor-completions/_vobiz-vault /usr/share/fish/vendor_completions.d/vobiz-vault.fish 2>/dev/null | wc -l)"
fact docs "$(ls /usr/share/doc/vobiz-vault | grep -c '\.md$')"
fact depends "$(dpkg-query -W -f='${Depends}' vobiz-vault)"
fact running "$(pgrep -c -x vobiz-vault)"
# A vault made and read by the installed binary alone.
umask 077
head -c 32 /dev/urandom > /root/master.key
env -i PATH=/usr/bin:/bin vobiz-vault init --state-dir /root/vault --key-file /root/master.key > /mnt/out/init.log 2>&1; fact init "$?"
env -i PATH=/usr/bin:/bin vobiz-vault status --state-dir /root/vault --key-file /root/master.key --json > /mnt/out/status.json 2>&1; fact status "$?"
# The vault's directory the package made, then remove and purge: the state stays.
mkdir -p /var/lib/vobiz-vault && touch /var/lib/vobiz-vault/vault.db
echo 'edited = true' >> /etc/vobiz-vault/config.toml
dpkg -r vobiz-vault > /mnt/out/dpkg-remove.log 2>&1; fact remove "$?"
fact after-remove "$(ls /usr/bin/vobiz-vault 2>/dev/null; ls /var/lib/vobiz-vault; grep -c edited /etc/vobiz-vault/config.toml)"
dpkg -P vobiz-vault > /mnt/out/dpkg-purge.log 2>&1; fact purge "$?"
fact after-purge "$(ls /var/lib/vobiz-vault; ls /etc/vobiz-vault/config.toml 2>/dev/null | wc -l)"
fact purge-says "$(grep -c 'is kept' /mnt/out/dpkg-purge.log)"
exit 0
