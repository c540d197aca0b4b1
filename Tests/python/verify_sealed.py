"""Checks a sealed signature from the daemon independently: libsodium (through ctypes) verifies
the Ed25519 signature over the canonical string of DESIGN §8, with the key from GET /v1/keys."""
import base64
import ctypes
import ctypes.util
import hashlib
import json
import sys

from vault_client import call

sock, method, url = sys.argv[1], sys.argv[2], sys.argv[3]
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
sodium = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
assert sodium.sodium_init() >= 0


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def verify(sig, msg, pk):
    return sodium.crypto_sign_verify_detached(sig, msg, ctypes.c_ulonglong(len(msg)), pk) == 0


request = {"method": method, "url": url}
body_hash = None
if body is not None:
    body_hash = hashlib.sha256(body).hexdigest()
    request["body_sha256"] = body_hash
status, answer, _ = call(sock, "POST", "/v1/headers", request)
assert status == 200, answer
assert answer["mode"] == "sealed", answer
headers = answer["headers"]
assert "X-Auth-Token" not in headers
fields = dict(part.strip().split("=", 1) for part in headers["X-Vault-Signature"].split(";")[1:])
assert headers["X-Vault-Signature"].startswith("v1; ")
_, keys, _ = call(sock, "GET", "/v1/keys")
pk = {k["kid"]: b64url(k["public_key"]) for k in keys["keys"]}[fields["kid"]]
assert len(pk) == 32
sig = b64url(fields["sig"])
assert len(sig) == 64 and len(b64url(fields["nonce"])) == 16
scheme, rest = url.split("://", 1)
host, slash, path = rest.partition("/")
canonical_url = scheme.lower() + "://" + host.lower() + slash + path


def canonical(m=method, u=canonical_url, h=body_hash, a=headers["X-Auth-ID"]):
    return "\n".join(["vobiz-vault-v1", m, u, h or "-", a, fields["ts"], fields["exp"], fields["nonce"]]).encode()


result = {
    "valid": verify(sig, canonical(), pk),
    "tampered_method": verify(sig, canonical(m="DELETE"), pk),
    "tampered_url": verify(sig, canonical(u=canonical_url + "x"), pk),
    "tampered_body": verify(sig, canonical(h="0" * 64), pk),
    "lifetime": int(fields["exp"]) - int(fields["ts"]),
    "content_type": headers.get("Content-Type"),
    "accept": headers.get("Accept"),
    "auth_id": headers["X-Auth-ID"],
}
print(json.dumps(result))
