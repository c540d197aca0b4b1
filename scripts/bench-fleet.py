"""Measures for scripts/bench-fleet.sh.
usage:
  bench-fleet.py tput CLIENT_SOCK URL SECONDS   vault-bench at 16 connections; prints req/s
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


def tput(sock, url, seconds):
    out = subprocess.run([os.path.join(os.environ["BIN"], "vault-bench"), "--socket", sock, "--connections", "16",
                          "--duration", seconds, "--no-floor", "--json", "--url", url], check=True, capture_output=True, text=True).stdout
    phase = json.loads(out)["phases"][-1]
    print(f"{phase['throughput']:.0f}")


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
