"""Measures for scripts/bench-fleet.sh.
usage:
  bench-fleet.py tput CLIENT_SOCK URL SECONDS DAEMON_PID [POSTMASTER_PID]
                                                vault-bench at 16 connections; prints req/s and the
                                                CPU time per request (µs) of the daemon and of the
                                                PostgreSQL server (every process of the cluster)
  bench-fleet.py propagate ADMIN_A CLIENT_B N BASE   N rotations through host A, each timed until
                                                host B hands out the new version; p50/p99/max
Tokens are random, sent in request bodies only, and never printed."""
import json
import os
import secrets
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "python"))
from vault_client import UnixConnection, call  # noqa: E402


def cpu_seconds(pids):
    """User and system time of the processes `pids`, in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile: its time is lost to both readings alike
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def cluster(postmaster):
    """The postmaster and its children (backends, writers, the WAL writer)."""
    found = [int(postmaster)]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == int(postmaster):
                        found.append(int(entry))
            except OSError:
                pass
    return found


def tput(sock, url, seconds, daemon, postmaster=None):
    server = cluster(postmaster) if postmaster else []
    before = (cpu_seconds([daemon]), cpu_seconds(server))
    out = subprocess.run([os.path.join(os.environ["BIN"], "vault-bench"), "--socket", sock, "--connections", "16",
                          "--duration", seconds, "--no-floor", "--json", "--url", url], check=True, capture_output=True, text=True).stdout
    after = (cpu_seconds([daemon]), cpu_seconds(server))
    phase = json.loads(out)["phases"][-1]
    per = [1e6 * (a - b) / max(1, phase["requests"]) for a, b in zip(after, before)]
    print(f"{phase['throughput']:.0f} {per[0]:.0f} {per[1]:.0f}")


def handed_version(conn, sock, credential, base):
    status, answer, _ = call(sock, "POST", "/v1/headers",
                             {"method": "GET", "url": f"{base}/{credential}/", "credential": credential},
                             conn=conn)
    return answer.get("credential", {}).get("version") if status == 200 else None


def propagate(admin_a, client_b, n, base):
    credential = "MA_REVEAL"
    conn = UnixConnection(client_b)
    delays = []
    for _ in range(int(n)):
        status, answer, _ = call(admin_a, "POST", f"/v1/admin/credentials/{credential}/rotate",
                                 {"token": secrets.token_urlsafe(30), "grace": "0s"})
        if status != 200:
            sys.exit(f"rotate answered {status}: {answer.get('detail') if isinstance(answer, dict) else answer}")
        committed = time.perf_counter()
        want = answer["version"]
        while handed_version(conn, client_b, credential, base) != want:
            if time.perf_counter() - committed > 10:
                sys.exit(f"host B did not hand out version {want} within 10 s")
        delays.append((time.perf_counter() - committed) * 1000)
    delays.sort()
    p99 = delays[min(len(delays) - 1, int(round(0.99 * len(delays))) - 1)]
    print(f"propagation over {len(delays)} rotations: p50 {statistics.median(delays):.1f} ms, "
          f"p99 {p99:.1f} ms, max {delays[-1]:.1f} ms")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"tput": tput, "propagate": propagate}[cmd](*args)
