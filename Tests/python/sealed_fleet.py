"""One sealed signature, presented to the loopback proxy listeners of several hosts of a fleet:
it must be accepted once in the whole fleet, one after the other and at the same moment.
usage: sealed_fleet.py CLIENT_SOCKET PORT,PORT[,...] UPSTREAM_ORIGIN ROUNDS; prints JSON:
  sequential: for each ordered pair (i, j) of hosts, [status on i, problem type on j]
  concurrent: ROUNDS signatures, each sent to every host at once, counted by their sorted outcomes
  ("200,replayed" for two hosts: accepted once, refused as replayed once)
Each host refuses a replay from one uid at most 20 times a second (its refusal budget; past it the
answer is 429), and a host may lose every round, so rounds are paced to at most ten a second.
"""
import http.client
import json
import sys
import threading
import time

from vault_client import call, problem_type

sock, ports, origin, rounds = sys.argv[1], [int(p) for p in sys.argv[2].split(",")], sys.argv[3], int(sys.argv[4])
calls = "/api/v1/Account/MA_ACME/Call/"


def sealed():
    status, answer, _ = call(sock, "POST", "/v1/headers", {"method": "GET", "url": origin + calls})
    assert status == 200 and answer["mode"] == "sealed", answer
    return answer["headers"]


def tcp(port, headers):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    c.request("GET", "/v1/proxy" + calls, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        return r.status, json.loads(data)
    except ValueError:
        return r.status, data.decode(errors="replace")


out = {"sequential": {}, "concurrent": {}}
for i, first in enumerate(ports):
    for j, second in enumerate(ports):
        if i == j:
            continue
        h = sealed()
        s1, _ = tcp(first, h)
        s2, a2 = tcp(second, h)
        out["sequential"][f"{i}->{j}"] = [s1, problem_type(a2) if s2 >= 400 else s2]

def outcome(status, answer):
    return str(status) if status < 400 else problem_type(answer) or str(status)


counts = {}
for _ in range(rounds):
    began = time.monotonic()
    h = sealed()
    statuses = [None] * len(ports)
    start = threading.Barrier(len(ports))

    def send(k):
        start.wait()
        statuses[k] = outcome(*tcp(ports[k], h))

    threads = [threading.Thread(target=send, args=(k,)) for k in range(len(ports))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    key = ",".join(sorted(statuses))
    counts[key] = counts.get(key, 0) + 1
    time.sleep(max(0.0, 0.1 - (time.monotonic() - began)))
out["concurrent"] = counts
print(json.dumps(out))
