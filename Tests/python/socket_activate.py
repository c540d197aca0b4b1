"""Starts the daemon the way systemd's socket activation does: binds the client and admin
sockets here, passes them as fds 3 and 4 with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES, then asks
the client socket for its health through the inherited fd."""
import json
import os
import socket
import subprocess
import sys
import time

from vault_client import call, stop_wait


binary, config, client_path, admin_path = sys.argv[1:5]
notify_path = os.path.join(os.path.dirname(config), "notify.sock")
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
notify.settimeout(0.2)
socks = []
for path in (client_path, admin_path):
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # As the socket units' PassCredentials=yes does: writes are tagged with their writer from the
    # first connect, before the daemon adopts the socket.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.bind(path)
    s.listen(16)
    socks.append(s)
pid = os.fork()
if pid == 0:
    os.dup2(socks[0].fileno(), 3)
    os.dup2(socks[1].fileno(), 4)
    os.set_inheritable(3, True)
    os.set_inheritable(4, True)
    env = dict(os.environ, LISTEN_FDS="2", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES="client:admin",
               NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="400000")
    log = os.open(os.path.join(os.path.dirname(config), "activated.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.execve(binary, [binary, "serve", "--config", config], env)
for s in socks:
    s.close()
answer = None
for _ in range(100):
    try:
        status, answer, _ = call(client_path, "GET", "/v1/health")
        break
    except OSError:
        time.sleep(0.1)
admin = call(admin_path, "GET", "/v1/health")[1]
# The listen backlog the daemon set on the sockets it adopted (ss's Send-Q of a listening socket).
backlog = {}
for name, path in (("client", client_path), ("admin", admin_path)):
    line = subprocess.run(["ss", "-xlnH", "src", path], capture_output=True, text=True).stdout.split()
    backlog[name] = int(line[3]) if len(line) > 3 else None
with open("/proc/%d/limits" % pid) as f:
    core = [l for l in f if l.startswith("Max core file size")][0].split()[4:6]
time.sleep(0.6)
os.kill(pid, 1)
time.sleep(0.3)
os.kill(pid, 15)
status = stop_wait(pid)
messages = []
while True:
    try:
        messages.append(notify.recv(4096).decode())
    except socket.timeout:
        break
print(json.dumps({"health": answer, "admin": admin, "exit": os.waitstatus_to_exitcode(status), "notify": messages, "core": core,
                  "backlog": backlog}))
