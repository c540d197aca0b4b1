"""Sealed-signed requests to the proxy's loopback TCP listener: good, replayed, altered, expired.
usage: sealed_tcp.py CLIENT_SOCKET TCP_PORT UPSTREAM_ORIGIN LIFETIME_SECONDS; prints JSON."""
import hashlib
import http.client
import json
import sys
import time

from vault_client import call, problem_type

sock, port, origin, lifetime = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
out = {}


def sealed(method, path, body=None, credential=None):
    req = {"method": method, "url": origin + path}
    if body is not None:
        req["body_sha256"] = hashlib.sha256(body).hexdigest()
    if credential:
        req["credential"] = credential
    status, answer, _ = call(sock, "POST", "/v1/headers", req)
    assert status == 200 and answer["mode"] == "sealed", answer
    return answer["headers"]


def tcp(method, path, headers, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, "/v1/proxy" + path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = data.decode(errors="replace")
    return r.status, parsed


def outcome(status, answer):
    return [status, problem_type(answer) if status >= 400 else "ok"]


calls = "/api/v1/Account/MA_ACME/Call/"
h = sealed("GET", calls)
out["good"] = outcome(*tcp("GET", calls, h))
out["replayed"] = outcome(*tcp("GET", calls, h))
body = json.dumps({"to": "+15550002"}).encode()
hp = sealed("POST", calls, body)
out["good_post"] = outcome(*tcp("POST", calls, dict(hp, **{"Content-Type": "application/json"}), body))
out["altered_body"] = outcome(*tcp("POST", calls, sealed("POST", calls, body), b'{"to":"+19990000"}'))
out["altered_method"] = outcome(*tcp("DELETE", calls, sealed("GET", calls)))
out["altered_path"] = outcome(*tcp("GET", calls + "?limit=500", sealed("GET", calls)))
out["other_customer"] = outcome(*tcp("GET", "/api/v1/Account/MA_BETA/Call/", sealed("GET", calls)))
out["unsigned"] = outcome(*tcp("GET", calls, {}))
# Refused from the head: a large body without a signature is not read.
out["unsigned_big_body"] = outcome(*tcp("POST", calls, {"Content-Type": "application/json"}, b"x" * 500_000))
bad = dict(sealed("GET", calls))
bad["X-Vault-Signature"] = bad["X-Vault-Signature"].replace("sig=", "sig=A")
out["garbled"] = outcome(*tcp("GET", calls, bad))
# A client-supplied token rides along with a good signature: it must not reach the upstream.
ht = dict(sealed("GET", "/api/v1/Account/MA_ACME/Echo/"))
ht["X-Auth-Token"] = "CLIENT-SUPPLIED-TOKEN"
status, echo = tcp("GET", "/api/v1/Account/MA_ACME/Echo/", ht)
out["echo_status"] = status
out["echo_header_names"] = sorted(echo["headers"].keys()) if isinstance(echo, dict) else []
old = sealed("GET", calls)
time.sleep(lifetime + 2)
out["expired"] = outcome(*tcp("GET", calls, old))
out["fresh_after"] = outcome(*tcp("GET", calls, sealed("GET", calls)))
print(json.dumps(out))
