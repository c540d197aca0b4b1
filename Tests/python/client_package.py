"""The vobiz_vault package (clients/python), installed with pip, against the real daemon.
usage: client_package.py CLIENT_SOCKET AUTH_ID TOKEN_FILE UPSTREAM_ORIGIN
Prints one JSON object of what each part did. The socket comes from VOBIZ_VAULT_SOCKET where
the script says so, as an application would take it."""
import asyncio
import hashlib
import json
import os
import sys

import vobiz_vault
from vobiz_vault import Vault, VaultError
from vobiz.utils.signature_v3 import construct_post_url, get_signature_v3

sock, auth_id, token_file, upstream = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
out = {"installed_from": os.path.dirname(vobiz_vault.__file__)}
path = f"/api/v1/Account/{auth_id}/Call/"
# What the program calls (the proxy maps it to the vault's upstream), and that upstream itself,
# on which sealed headers are bound.
calls, upstream_calls = "https://api.vobiz.ai" + path, upstream + path

# VOBIZ_VAULT_SOCKET, as SSH_AUTH_SOCK: no path given anywhere below but here.
os.environ["VOBIZ_VAULT_SOCKET"] = sock
vault = Vault()
out["socket"] = vault.socket_path == sock

# Sealed headers for one POST, then the call through the proxy with exactly those headers.
body = json.dumps({"from": "+15550001", "to": "+15550002", "answer_url": "https://example.com/answer"}).encode()
h = vault.headers("POST", upstream_calls, body=body)
out["headers_keys"] = sorted(h)
out["sealed"] = "X-Vault-Signature" in h and "X-Auth-Token" not in h
session = vault.requests_session()
r = session.post(calls, data=body, headers=h)
out["sealed_call"] = r.status_code

# requests and httpx through the proxy, no token anywhere in this process.
out["requests_get"] = session.get(calls, headers={"X-Auth-Token": "not-a-real-token"}).status_code
with vault.httpx_client() as c:
    out["httpx_get"] = c.get(calls).status_code
    out["httpx_post"] = c.post(calls, json={"from": "+15550001", "to": "+15550002", "answer_url": "https://example.com/a"}).status_code


async def async_get():
    async with vault.httpx_async_client() as c:
        return (await c.get(calls)).status_code

out["httpx_async_get"] = asyncio.run(async_get())

# The official SDK in one line.
sdk = vault.vobiz_client(auth_id)
listed = sdk.calls.list()
out["sdk_list_objects"] = len(listed["objects"]) if "objects" in listed else -1
out["sdk_create"] = sdk.calls.create(from_="+15550001", to_="+15550002", answer_url="https://example.com/answer")["message"]

# A refusal is a VaultError with the problem's type.
try:
    vault.headers("GET", upstream + "/api/v1/Account/MA_NOTHELD/Call/")
    out["refusal"] = "none"
except VaultError as e:
    out["refusal"] = e.type

# A callback signed with the customer's token (by the SDK's own helper), checked by the vault;
# then the same callback again (its nonce spent) and one with a wrong signature.
token = open(token_file).read().strip()
url, params, nonce = "https://hooks.example.com/vobiz/answer", {"CallUUID": "c-1", "From": "+15550001"}, hashlib.sha256(os.urandom(16)).hexdigest()[:20]
sig = get_signature_v3(token.encode(), construct_post_url(url, dict(params)).decode(), nonce).decode()
headers = {"X-Vobiz-Signature-V3": sig, "X-Vobiz-Signature-V3-Nonce": nonce}
out["callback"] = vault.verify_callback(auth_id, "POST", url, headers, params).get("valid")
try:
    vault.verify_callback(auth_id, "POST", url, headers, params)
    out["callback_replay"] = "accepted"
except VaultError as e:
    out["callback_replay"] = e.type
bad = dict(headers, **{"X-Vobiz-Signature-V3-Nonce": nonce + "x"})
out["callback_bad"] = vault.verify_callback(auth_id, "POST", url, bad, params).get("valid")

# A vault that is not there: a clear error, not a hang.
try:
    Vault("/nonexistent/vault.sock").headers("GET", calls)
    out["unreachable"] = "answered"
except VaultError as e:
    out["unreachable"] = e.type
print(json.dumps(out))
