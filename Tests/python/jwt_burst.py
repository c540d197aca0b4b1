"""N concurrent POST /v1/jwt calls, released at the same moment; prints the statuses and how many
distinct tokens came back (tokens themselves are not printed).
usage: jwt_burst.py CLIENT_SOCKET[,CLIENT_SOCKET...] N  (call i goes to socket i mod their number)"""
import json
import sys
import threading

from vault_client import call

socks, n = sys.argv[1].split(","), int(sys.argv[2])
barrier = threading.Barrier(n)
results = [None] * n


def one(i):
    barrier.wait()
    status, answer, _ = call(socks[i % len(socks)], "POST", "/v1/jwt", {})
    results[i] = (status, answer.get("access_token") if isinstance(answer, dict) else None)


threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"statuses": sorted({r[0] for r in results}), "distinct_tokens": len({r[1] for r in results if r[1]})}))
