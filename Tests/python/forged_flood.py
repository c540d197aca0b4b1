"""Floods the proxy's TCP listener with well-formed, current signatures that do not verify.

usage: forged_flood.py PORT COUNT [rotate|same [PATH]]
With "rotate", every connection comes from another source address in 127.0.0.0/8.
Prints JSON: {"statuses": {status: count}, "retry_after": count of 429s with Retry-After,
"connections": connections opened}.
"""
import base64
import http.client
import json
import os
import sys
import time

port, count = int(sys.argv[1]), int(sys.argv[2])
rotate = len(sys.argv) > 3 and sys.argv[3] == "rotate"
path = sys.argv[4] if len(sys.argv) > 4 else "/v1/proxy/api/v1/Account/MA_ACME/Call/"


def b64(n):
    return base64.urlsafe_b64encode(os.urandom(n)).rstrip(b"=").decode()


statuses, retry_after, connections = {}, 0, 0
conn = None
for _ in range(count):
    if conn is None:
        source = ("127.0.%d.%d" % (connections // 250, 2 + connections % 250), 0) if rotate else None
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=source)
        connections += 1
    now = int(time.time())
    sig = "v1; kid=%s; ts=%d; exp=%d; nonce=%s; sig=%s" % (b64(8), now, now + 60, b64(16), b64(64))
    try:
        conn.request("GET", path, headers={"X-Vault-Signature": sig})
        resp = conn.getresponse()
        resp.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        conn = None
        statuses["error"] = statuses.get("error", 0) + 1
        continue
    statuses[str(resp.status)] = statuses.get(str(resp.status), 0) + 1
    if resp.status == 429 and resp.getheader("Retry-After"):
        retry_after += 1
    if rotate or (resp.getheader("Connection") or "").lower() == "close":
        conn.close()
        conn = None
print(json.dumps({"statuses": statuses, "retry_after": retry_after, "connections": connections}))
