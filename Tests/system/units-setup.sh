#!/bin/sh
# Run by scripts/container.sh before the container boots: the package installed, a vault made
# by the daemon's user with its master key as an encrypted systemd credential (as
# Docs/operations.md says), a client-group member, a user outside it and an admin-group member.
set -eu
dpkg -i /mnt/in/vobiz-vault_*_amd64.deb
umask 077
install -d -m 0700 -o vobiz-vault -g vobiz-vault /var/lib/vobiz-vault /var/lib/vv-key
setpriv --reuid=vobiz-vault --regid=vobiz-vault --init-groups \
    vobiz-vault init --state-dir /var/lib/vobiz-vault --key-file /var/lib/vv-key/master.key
systemd-creds encrypt --name=master.key /var/lib/vv-key/master.key /etc/vobiz-vault/master.key.cred
rm -rf /var/lib/vv-key
useradd --create-home --groups vobiz-vault-clients alice
useradd --create-home bob
useradd --create-home --groups vobiz-vault-admins carol
