#!/usr/bin/env bash
# Runs scripts in a Debian container made from this machine's own /usr, /etc and /var, each
# behind an overlay whose upper layer is thrown away afterwards, so nothing inside reaches the
# host's files (and no systemd ever runs against the host's root: its boot-time
# `systemd-tmpfiles --remove` would empty the host's /tmp). /opt is empty inside, so no Swift
# toolchain is on any path. Needs root, overlayfs and systemd-nspawn (systemd-container).
#
# Usage: scripts/container.sh IN_DIR OUT_DIR SETUP [PROBE]
#   IN_DIR  bound read-only at /mnt/in (the .deb, the scripts);
#   OUT_DIR bound read-write at /mnt/out (what the scripts report);
#   SETUP   a script under IN_DIR run first in the container without booting it (dpkg -i …);
#   PROBE   a script under IN_DIR run as a service once the container's systemd has booted to
#           multi-user.target; the container powers off when it ends. CONTAINER_TIMEOUT (180 s)
#           bounds the whole boot.
set -euo pipefail
IN="$(cd "$1" && pwd)" OUT="$(cd "$2" && pwd)" SETUP="$3" PROBE="${4:-}"
TIMEOUT="${CONTAINER_TIMEOUT:-180}"
WORK="$(mktemp -d /tmp/vobiz-vault-ct.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
R="$WORK/root"
mkdir -p "$R"/{usr,etc,var,root,tmp,run,proc,sys,dev,home,opt,mnt/in,mnt/out}
for l in bin sbin lib lib64; do ln -s "usr/$l" "$R/$l"; done
for d in usr etc var; do mkdir -p "$WORK/upper/$d" "$WORK/work/$d"; done
NSPAWN=(systemd-nspawn -q -D "$R" --register=no --keep-unit --link-journal=no --private-network
        --bind-ro="$IN:/mnt/in" --bind="$OUT:/mnt/out" --setenv=LANG=C.UTF-8)
# The mounts live in a mount namespace of their own and go with it.
export R WORK IN OUT SETUP PROBE TIMEOUT
unshare -m --propagation private bash -euo pipefail -c '
for d in usr etc var; do
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$WORK/upper/$d,workdir=$WORK/work/$d" "$R/$d"
done
# A machine id of its own (journald and systemd refuse to share the host'"'"'s), no units of the
# host enabled but the basics.
echo 5c0ffee5c0ffee5c0ffee5c0ffee5c0f > "$R/etc/machine-id"
rm -f "$R"/etc/systemd/system/multi-user.target.wants/*
"$@" "/mnt/in/$SETUP" > "$OUT/setup.log" 2>&1 || { echo "setup failed: $OUT/setup.log" >&2; exit 1; }
[ -n "$PROBE" ] || exit 0
cat > "$R/etc/systemd/system/vv-probe.service" <<UNIT
[Unit]
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c "/mnt/in/$PROBE > /mnt/out/probe.log 2>&1; echo \$? > /mnt/out/probe.status"
ExecStartPost=/bin/systemctl poweroff --no-block
UNIT
ln -sf /etc/systemd/system/vv-probe.service "$R/etc/systemd/system/multi-user.target.wants/vv-probe.service"
timeout "$TIMEOUT" "$@" -b > "$OUT/boot.log" 2>&1 || { echo "the container did not power off cleanly: $OUT/boot.log" >&2; exit 1; }
' container "${NSPAWN[@]}"
