"""The Vobiz Python SDK making real calls through the vault's proxy, holding no real token,
with the adapter of the vobiz_vault package (clients/python, installed with pip).
usage: sdk_through_proxy.py CLIENT_SOCKET AUTH_ID"""
import json
import sys

import vobiz
from vobiz_vault import mount_proxy

sock, auth_id = sys.argv[1], sys.argv[2]

client = vobiz.RestClient(auth_id, "not-a-real-token")
mount_proxy(client.session, sock)
out = {}
listed = client.calls.list()
out["list_objects"] = len(listed["objects"]) if "objects" in listed else -1
created = client.calls.create(from_="+15550001", to_="+15550002", answer_url="https://example.com/answer")
out["create_message"] = created["message"]
out["create_echo_to"] = created["echo"]["to"]
try:
    # A customer the vault does not hold: refused before anything leaves the host.
    other = vobiz.RestClient("MA_NOTHELD", "not-a-real-token")
    mount_proxy(other.session, sock)
    other.calls.list()
    out["other_customer"] = "allowed"
except Exception as e:  # the SDK raises on the 403 problem answer
    out["other_customer"] = type(e).__name__
print(json.dumps(out))
