"""The program `vobiz-vault exec --proxy` starts in the tests: the official Vobiz Python SDK,
configured from its environment alone, calling through the per-child listener.
usage: exec_proxy_child.py OUT_JSON [HOLD_UNTIL_FILE]
Writes what it saw (its environment's three variables and the SDK's answers) to OUT_JSON; with
HOLD_UNTIL_FILE it then waits until that file exists, so the tests can use the listener while
it still runs."""
import json
import os
import sys
import time

from vobiz_vault import sdk_client_from_env

out_path = sys.argv[1]
out = {
    "auth_id": os.environ.get("VOBIZ_AUTH_ID"),
    "token": os.environ.get("VOBIZ_AUTH_TOKEN"),
    "base_url": os.environ.get("VOBIZ_BASE_URL"),
    "pid": os.getpid(),
}
client = sdk_client_from_env()
listed = client.calls.list()
out["list_objects"] = len(listed["objects"]) if "objects" in listed else -1
created = client.calls.create(from_="+15550001", to_="+15550002", answer_url="https://example.com/answer")
out["create_message"] = created["message"]
try:
    # The listener serves its session's credential only.
    other = client.session.get("https://api.vobiz.ai/api/v1/Account/MA_BETA/Call/")
    out["other_customer"] = other.status_code
except Exception as e:
    out["other_customer"] = type(e).__name__
with open(out_path + ".tmp", "w") as f:
    json.dump(out, f)
os.rename(out_path + ".tmp", out_path)
if len(sys.argv) > 2:
    while not os.path.exists(sys.argv[2]):
        time.sleep(0.02)
sys.exit(int(os.environ.get("CHILD_EXIT", "0")))
