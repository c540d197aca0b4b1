"""Whether each answered request's audit row is already committed when the answer arrives.

For each of N headers requests, right after the answer, reads the vault's database (read-only, as
another process would after a crash) for a row naming the answer's request_id. Prints JSON:
{"answered": N, "visible_at_answer": K, "request_ids": [...]}.

usage: audit_visibility.py SOCKET DATABASE N
"""
import json
import sqlite3
import sys

from vault_client import call

sock, database, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
request = {"method": "GET", "url": "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"}
ids, visible = [], 0
for _ in range(n):
    status, answer, _ = call(sock, "POST", "/v1/headers", request)
    assert status == 200, answer
    rid = answer["request_id"]
    ids.append(rid)
    # A fresh read transaction sees exactly what is committed now.
    row = db.execute("SELECT count(*) FROM audit_events WHERE op = 'headers' AND detail LIKE ?", (f'%"{rid}"%',)).fetchone()
    visible += row[0] == 1
print(json.dumps({"answered": n, "visible_at_answer": visible, "request_ids": ids}))
