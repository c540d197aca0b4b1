"""Passes the daemon a systemd-style TCP socket named `proxy` (besides client and admin) bound
to HOST, and reports whether the daemon served it or refused to start.
usage: socket_activate_tcp.py BINARY CONFIG CLIENT ADMIN HOST; prints JSON."""
import http.client
import json
import os
import socket
import subprocess
import sys
import time

from vault_client import stop_wait

binary, config, client_path, admin_path, host = sys.argv[1:6]
socks = []
os.makedirs(os.path.dirname(client_path), mode=0o755, exist_ok=True)
for path in (client_path, admin_path):
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    socks.append(s)
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind((host, 0))
tcp.listen(16)
port = tcp.getsockname()[1]
socks.append(tcp)
log_path = os.path.join(os.path.dirname(config), "activated-tcp.log")
pid = os.fork()
if pid == 0:
    for i, s in enumerate(socks):
        os.dup2(s.fileno(), 3 + i)
        os.set_inheritable(3 + i, True)
    env = dict(os.environ, LISTEN_FDS="3", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES="client:admin:proxy")
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.execve(binary, [binary, "serve", "--config", config], env)
for s in socks:
    s.close()
out = {"exited": None, "health": None}
for _ in range(50):
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        out["exited"] = os.waitstatus_to_exitcode(status)
        break
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", "/v1/health")
        out["health"] = json.loads(c.getresponse().read())
        # The listen backlog the daemon set on the adopted socket (ss's Send-Q of a listener).
        line = subprocess.run(["ss", "-tlnH", "src", "127.0.0.1:%d" % port], capture_output=True, text=True).stdout.split()
        out["backlog"] = int(line[2]) if len(line) > 2 else None
        break
    except OSError:
        time.sleep(0.1)
if out["exited"] is None:
    os.kill(pid, 15)
    out["stopped"] = stop_wait(pid)
out["log"] = open(log_path).read()[-600:]
print(json.dumps(out))
