#!/bin/sh
# Run by scripts/container.sh as a service once the container's systemd has booted: the units
# of the installed package, driven as an operator drives them, reported one `name: value` line
# each in /mnt/out/facts (read by PackageTests).
set -u
f=/mnt/out/facts
: > "$f"
fact() { printf '%s: %s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ' | sed 's/ *$//')" >> "$f"; }
as() { user="$1"; shift; setpriv --reuid="$user" --regid="$user" --init-groups "$@"; }
health() { as "$1" curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket /run/vobiz-vault/vault.sock http://vault/v1/health; }

fact systemd "$(systemctl --version | head -1)"
systemctl start vobiz-vault.socket vobiz-vault-admin.socket
fact sockets-started "$(systemctl is-active vobiz-vault.socket vobiz-vault-admin.socket)"
fact service-before-connect "$(systemctl is-active vobiz-vault.service)"
fact run-dir-before "$(stat -c '%a' /run/vobiz-vault)"
# Socket activation: the first connect starts the daemon, and the request is answered.
fact alice-first "$(health alice)"
fact service-after-connect "$(systemctl is-active vobiz-vault.service)"
fact run-dir-after "$(stat -c '%a %U' /run/vobiz-vault)"
fact client-socket "$(stat -c '%a %U:%G' /run/vobiz-vault/vault.sock)"
fact admin-socket "$(stat -c '%a %U:%G' /run/vobiz-vault/admin.sock)"
# Outside the client group: the socket's mode keeps the connect out.
fact bob "$(health bob 2>&1)"
fact bob-curl-exit "$(as bob curl -s -o /dev/null --max-time 5 --unix-socket /run/vobiz-vault/vault.sock http://vault/v1/health; echo $?)"

# A restart while alice keeps asking: every request is answered.
as alice python3 - > /mnt/out/restart-load.log 2>&1 <<'PY' &
import socket, time, json
ok = failed = 0
errors = {}
end = time.time() + 6
while time.time() < end:
    try:
        s = socket.socket(socket.AF_UNIX); s.settimeout(15)
        s.connect("/run/vobiz-vault/vault.sock")
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
        s.close()
        if data.startswith(b"HTTP/1.1 200"): ok += 1
        else: failed += 1; errors[data[:40].decode(errors="replace")] = 1
    except Exception as e:
        failed += 1; errors[type(e).__name__ + ": " + str(e)] = 1
    time.sleep(0.01)
print(json.dumps({"ok": ok, "failed": failed, "errors": list(errors)[:5]}))
PY
load=$!
sleep 1
pid_before="$(systemctl show -p MainPID --value vobiz-vault.service)"
systemctl restart vobiz-vault.service; fact restart "$?"
pid_after="$(systemctl show -p MainPID --value vobiz-vault.service)"
fact restart-new-pid "$([ "$pid_before" != "$pid_after" ] && [ "$pid_after" != 0 ] && echo yes || echo "no ($pid_before $pid_after)")"
wait "$load"
fact restart-load "$(cat /mnt/out/restart-load.log)"
fact sockets-after-restart "$(systemctl is-active vobiz-vault.socket vobiz-vault-admin.socket)"

# The daemon's own user may ask the admin socket for a reload, and for nothing else.
fact daemon-user-status "$(as vobiz-vault curl -s -o /dev/null -w '%{http_code}' --unix-socket /run/vobiz-vault/admin.sock http://vault/v1/admin/status)"
fact daemon-user-reload "$(as vobiz-vault curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' --unix-socket /run/vobiz-vault/admin.sock http://vault/v1/admin/reload)"
fact alice-admin "$(as alice curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' --unix-socket /run/vobiz-vault/admin.sock http://vault/v1/admin/reload)"

# Reload: waits, and a broken file is a failed reload that changes nothing.
systemctl reload vobiz-vault.service; fact reload-good "$?"
cp /etc/vobiz-vault/config.toml /root/config.good
printf '\n[[grant]\n' >> /etc/vobiz-vault/config.toml
systemctl reload vobiz-vault.service > /mnt/out/reload-broken.log 2>&1; fact reload-broken "$?"
fact reload-broken-log "$(journalctl -u vobiz-vault.service --no-pager -o cat | grep -c 'not reloaded')"
fact service-after-broken "$(systemctl is-active vobiz-vault.service)"
cp /root/config.good /etc/vobiz-vault/config.toml
systemctl reload vobiz-vault.service; fact reload-fixed "$?"
fact alice-last "$(health alice)"

journalctl --no-pager -o short-monotonic -u vobiz-vault.service -u vobiz-vault.socket -u vobiz-vault-admin.socket > /mnt/out/journal.log 2>&1
exit 0
