"""Run as the daemon's (unprivileged) user: starts the daemon and, for comparison, a plain `sleep`,
both as its own children (so ptrace rules allow reading an ordinary process), then tries to read
a page of each through /proc/<pid>/mem. A non-dumpable daemon must refuse even its parent of the
same uid. Prints JSON. usage: mem_hygiene.py BINARY CONFIG CLIENT_SOCKET"""
import json
import os
import re
import subprocess
import sys
import time

binary, config, client = sys.argv[1:4]


def read_page(pid):
    try:
        with open(f"/proc/{pid}/maps") as maps:
            first = next(l for l in maps if re.match(r"[0-9a-f]+-[0-9a-f]+ r", l))
        with open(f"/proc/{pid}/mem", "rb", 0) as mem:
            mem.seek(int(first.split("-")[0], 16))
            mem.read(16)
        return "readable"
    except Exception as e:
        return type(e).__name__


plain = subprocess.Popen(["sleep", "30"])
daemon = subprocess.Popen([binary, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(200):
    if os.path.exists(client):
        break
    time.sleep(0.05)
out = {"plain": read_page(plain.pid), "daemon": read_page(daemon.pid), "daemon_up": os.path.exists(client)}
with open(f"/proc/{daemon.pid}/limits") as f:
    out["core_limit"] = [l for l in f if l.startswith("Max core file size")][0].split()[4]
st = os.stat(f"/proc/{daemon.pid}/mem")
out["mem_owner_uid"] = st.st_uid
for p in (plain, daemon):
    p.kill()  # SIGKILL: the test runner blocks SIGTERM, and children inherit its mask
    p.wait()
print(json.dumps(out))
