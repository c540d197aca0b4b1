"""Floods the proxy's TCP listener with well-formed, current signatures that do not verify.

usage: forged_flood.py PORT COUNT
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


def b64(n):
    return base64.urlsafe_b64encode(os.urandom(n)).rstrip(b"=").decode()


statuses, retry_after, connections = {}, 0, 0
conn = None
for _ in range(count):
    if conn is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connections += 1
    now = int(time.time())
    sig = "v1; kid=%s; ts=%d; exp=%d; nonce=%s; sig=%s" % (b64(8), now, now + 60, b64(16), b64(64))
    try:
        conn.request("GET", "/v1/proxy/api/v1/Account/MA_ACME/Call/", headers={"X-Vault-Signature": sig})
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
    if (resp.getheader("Connection") or "").lower() == "close":
        conn.close()
        conn = None
print(json.dumps({"statuses": statuses, "retry_after": retry_after, "connections": connections}))
