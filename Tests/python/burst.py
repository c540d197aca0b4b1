"""N headers requests as fast as one keep-alive connection allows; prints each answer's status
and problem type as JSON: {"answers": [[status, type], ...]}.

usage: burst.py SOCKET N URL
"""
import json
import sys

from vault_client import UnixConnection, call, problem_type

sock, n, url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conn = UnixConnection(sock)
answers = []
for _ in range(n):
    status, answer, _ = call(sock, "POST", "/v1/headers", {"method": "GET", "url": url}, conn=conn)
    answers.append([status, problem_type(answer)])
print(json.dumps({"answers": answers}))
