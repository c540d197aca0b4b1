"""Starts the daemon with SIGHUP, SIGTERM and SIGINT blocked in the mask it inherits (as some
parents leave them), then checks that SIGHUP still reloads and SIGTERM (or the signal named by an
optional fifth argument, e.g. SIGINT) still stops it cleanly. Prints one JSON object."""
import json, os, signal, socket, subprocess, sys, time

binary, config, sock, log_path = sys.argv[1:5]
stop = getattr(signal, sys.argv[5]) if len(sys.argv) > 5 else signal.SIGTERM


def healthy():
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(1)
        s.connect(sock)
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: v\r\nConnection: close\r\n\r\n")
        data = s.recv(4096)
        s.close()
        return b'"ok"' in data
    except OSError:
        return False


def wait(pred, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def log():
    with open(log_path, "rb") as f:
        return f.read().decode("utf-8", "replace")


signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP, signal.SIGTERM, signal.SIGINT})
with open(log_path, "ab") as out:
    p = subprocess.Popen([binary, "serve", "--config", config], stdout=out, stderr=out, env={"PATH": "/usr/bin:/bin"})
# The child starts with the parent's mask.
result = {"inherited_mask_blocks_term": stop in signal.pthread_sigmask(signal.SIG_BLOCK, []), "up": wait(healthy, 10)}
reloads = log().count("policy reloaded")
p.send_signal(signal.SIGHUP)
result["reloaded"] = wait(lambda: log().count("policy reloaded") > reloads, 5)
result["up_after_reload"] = healthy()
p.send_signal(stop)
try:
    result["exit"] = p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    result["exit"] = None
print(json.dumps(result))
