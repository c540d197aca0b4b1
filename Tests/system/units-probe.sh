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

# The daemon's own user is no admin: not even a reload (ExecReload= runs as root).
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

# The remind timer fires, and its notifier reaches a webhook from inside the unit's sandbox.
# The webhook's address sits in a curl config file, not on any command line.
python3 - > /mnt/out/hook.log 2>&1 <<'PY' &
import http.server
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        open("/mnt/out/hook.txt", "wb").write(body)
        self.send_response(204); self.end_headers()
http.server.HTTPServer(("127.0.0.1", 18089), Hook).handle_request()
PY
# Operators reach the running daemon through the admin socket without owning its state
# directory: root imports, an admin-group member reads the status.
probe_token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
printf '{"auth_id": "MA_REMINDPROBE", "auth_token": "%s"}' "$probe_token" \
    | vobiz-vault import --state-dir /var/lib/vobiz-vault > /mnt/out/import.log 2>&1; fact import "$?"
vobiz-vault edit MA_REMINDPROBE --max-age 1d --state-dir /var/lib/vobiz-vault > /mnt/out/edit.log 2>&1; fact edit "$?"
fact carol-status "$(as carol vobiz-vault status --json --state-dir /var/lib/vobiz-vault 2>&1 | grep -c '"vault_id"')"
fact bob-status "$(as bob vobiz-vault status --json --state-dir /var/lib/vobiz-vault > /dev/null 2>&1; echo $?)"
# exec --proxy under the unit's sandbox (AF_NETLINK, pidfd_open, /proc of a caller): alice's
# program gets a stand-in and a listener of its own; the upstream is a loopback stand-in for
# Vobiz that reports which credential reached it and how long its token was, never the token.
python3 - > /mnt/out/upstream.log 2>&1 <<'PY' &
import http.server
class Upstream(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open("/mnt/out/exec-upstream.txt", "a") as f:
            f.write("%s %d\n" % (self.headers.get("X-Auth-ID"), len(self.headers.get("X-Auth-Token", ""))))
        body = b'{"objects":[]}'
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", 18090), Upstream).serve_forever()
PY
upstream=$!
sed -i 's#^base_url = .*#base_url = "http://127.0.0.1:18090"\nallow_insecure_upstream = true#' /etc/vobiz-vault/config.toml
printf '\n[[grant]]\nname = "alice-proxy"\nuser = "alice"\ncredentials = ["MA_REMINDPROBE"]\noperations = ["proxy"]\n' >> /etc/vobiz-vault/config.toml
systemctl restart vobiz-vault.service
rm -f /tmp/exec-env /tmp/exec-release
as alice vobiz-vault exec --proxy --credential MA_REMINDPROBE --state-dir /var/lib/vobiz-vault -- sh -c '
    curl -s -o /dev/null -w "%{http_code}" -H "X-Auth-Token: $VOBIZ_AUTH_TOKEN" "$VOBIZ_BASE_URL/api/v1/Account/MA_REMINDPROBE/Call/" > /tmp/exec-own
    printf "%s %s" "$VOBIZ_BASE_URL" "$VOBIZ_AUTH_TOKEN" > /tmp/exec-env.part && mv /tmp/exec-env.part /tmp/exec-env
    while [ ! -e /tmp/exec-release ]; do sleep 0.1; done' > /mnt/out/exec.log 2>&1 &
exec_pid=$!
for _ in $(seq 200); do [ -s /tmp/exec-env ] && break; sleep 0.1; done
read -r exec_base exec_token < /tmp/exec-env || true
fact exec-own "$(cat /tmp/exec-own 2>/dev/null)"
fact exec-bob "$(as bob curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "X-Auth-Token: $exec_token" "$exec_base/api/v1/Account/MA_REMINDPROBE/Call/")"
touch /tmp/exec-release
wait "$exec_pid"; fact exec-status "$?"
fact exec-after "$(as alice curl -s -o /dev/null --max-time 5 -H "X-Auth-Token: $exec_token" "$exec_base/api/v1/Account/MA_REMINDPROBE/Call/"; echo $?)"
fact exec-upstream "$(cat /mnt/out/exec-upstream.txt 2>/dev/null)"
fact exec-token-length "${#probe_token}"
kill "$upstream" 2>/dev/null

printf 'url = "http://127.0.0.1:18089/hook"\n' > /etc/vobiz-vault/webhook.curl
chgrp vobiz-vault /etc/vobiz-vault/webhook.curl && chmod 0640 /etc/vobiz-vault/webhook.curl
printf '\n[remind]\nexec = "curl -sS --fail --max-time 10 -K /etc/vobiz-vault/webhook.curl -H Content-Type:text/plain --data-binary @-"\n' \
    >> /etc/vobiz-vault/config.toml
mkdir -p /etc/systemd/system/vobiz-vault-remind.timer.d
printf '[Timer]\nOnActiveSec=1s\nRandomizedDelaySec=0\n' > /etc/systemd/system/vobiz-vault-remind.timer.d/soon.conf
systemctl daemon-reload
systemctl start vobiz-vault-remind.timer
for _ in $(seq 300); do [ -s /mnt/out/hook.txt ] && break; sleep 0.1; done
fact hook "$(cat /mnt/out/hook.txt 2>/dev/null)"
for _ in $(seq 100); do [ "$(systemctl is-active vobiz-vault-remind.service)" != activating ] && break; sleep 0.1; done
fact remind-result "$(systemctl show -p Result --value vobiz-vault-remind.service) $(systemctl show -p ExecMainStatus --value vobiz-vault-remind.service)"
journalctl --no-pager -o cat -u vobiz-vault-remind.service > /mnt/out/remind.log 2>&1

journalctl --no-pager -o short-monotonic -u vobiz-vault.service -u vobiz-vault.socket -u vobiz-vault-admin.socket -u vobiz-vault-remind.service > /mnt/out/journal.log 2>&1
exit 0
