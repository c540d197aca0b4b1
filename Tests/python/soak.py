"""Soak and overload: holds IDLE idle connections and SLOW slow-loris connections (reopened as the
daemon cuts them) while CLIENTS threads make requests for SECONDS; prints JSON with the counts,
the slowest good answer, and the daemon's RSS and open file descriptors before, during and after.
usage: soak.py CLIENT_SOCKET DAEMON_PID SECONDS [IDLE SLOW CLIENTS]"""
import json
import os
import resource
import socket
import sys
import threading
import time

from vault_client import UnixConnection

sock_path, pid, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
idle_n, slow_n, clients = (int(x) for x in (sys.argv[4:7] if len(sys.argv) > 6 else (1000, 100, 16)))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
GOOD = json.dumps({"method": "GET", "url": "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"})


def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        return int(next(l for l in f if l.startswith("VmRSS")).split()[1])


def fds():
    return len(os.listdir(f"/proc/{pid}/fd"))


out = {"rss_before_kib": rss_kib(), "fds_before": fds()}
stop = time.time() + seconds
idle = []
for _ in range(idle_n):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(sock_path)
    idle.append(c)

slow_opened = [0]


def slowloris():
    # One byte every 0.5 s; the daemon cuts it after its read timeout; open another.
    while time.time() < stop:
        try:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(sock_path)
            slow_opened[0] += 1
            c.sendall(b"POST /v1/headers HTTP/1.1\r\nHost: v\r\n")
            while time.time() < stop:
                time.sleep(0.5)
                c.sendall(b"X")
        except OSError:
            pass
        finally:
            c.close()


results = {"ok": 0, "failed": 0, "slowest": 0.0, "failures": {}}
lock = threading.Lock()


def client():
    conn = UnixConnection(sock_path, timeout=5)
    while time.time() < stop:
        start = time.time()
        try:
            conn.request("POST", "/v1/headers", body=GOOD, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            good = r.status == 200
            why = str(r.status)
        except (OSError, Exception) as e:
            good = False
            why = type(e).__name__
            conn.close()
            conn = UnixConnection(sock_path, timeout=5)
        took = time.time() - start
        with lock:
            results["ok" if good else "failed"] += 1
            if not good:
                results["failures"][why] = results["failures"].get(why, 0) + 1
            results["slowest"] = max(results["slowest"], took)


threads = [threading.Thread(target=slowloris) for _ in range(slow_n)] + [threading.Thread(target=client) for _ in range(clients)]
for t in threads:
    t.start()
time.sleep(min(seconds / 2, 5))
out["rss_during_kib"], out["fds_during"] = rss_kib(), fds()
for t in threads:
    t.join()
idle_alive = 0
for c in idle:
    c.setblocking(False)
    try:
        idle_alive += c.recv(1) != b""
    except BlockingIOError:
        idle_alive += 1
    except OSError:
        pass
    c.close()
time.sleep(1.5)
out.update(results)
out.update({"idle_held": idle_n, "idle_alive_at_end": idle_alive, "slowloris_opened": slow_opened[0],
            "rss_after_kib": rss_kib(), "fds_after": fds(), "seconds": seconds})
print(json.dumps(out))
