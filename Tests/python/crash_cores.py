"""Starts the daemon and, for comparison, a plain `sleep`, each in its own directory with cores
allowed and every signal unblocked, sends both SIGNAL, and counts the core files each left.
usage: crash_cores.py BINARY CONFIG CLIENT_SOCKET DAEMON_DIR CONTROL_DIR SIGNAL; prints JSON."""
import json
import os
import resource
import signal
import subprocess
import sys
import time

binary, config, client, daemon_dir, control_dir, signame = sys.argv[1:7]
sig = getattr(signal, "SIG" + signame)


def prepare():
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


control = subprocess.Popen(["sleep", "30"], cwd=control_dir, preexec_fn=prepare)
daemon = subprocess.Popen([binary, "serve", "--config", config], cwd=daemon_dir, preexec_fn=prepare,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
for _ in range(200):
    if os.path.exists(client):
        break
    time.sleep(0.05)
for p in (control, daemon):
    p.send_signal(sig)
out = {}
for name, p in (("control", control), ("daemon", daemon)):
    try:
        out[name + "_status"] = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        out[name + "_status"] = "hung"
time.sleep(0.3)
out["daemon_stderr_bytes"] = len(daemon.stderr.read())
for name, d in (("control", control_dir), ("daemon", daemon_dir)):
    out[name + "_cores"] = len([f for f in os.listdir(d) if f.startswith("core")])
print(json.dumps(out))
