"""Hostile clients against the client socket; after each, a good request must still succeed.
Prints a JSON summary of what was observed."""
import json
import resource
import socket
import sys
import time

from vault_client import call, problem_type

sock_path, read_timeout = sys.argv[1], float(sys.argv[2])
GOOD = {"method": "GET", "url": "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"}
out = {}


def good():
    status, answer, _ = call(sock_path, "POST", "/v1/headers", GOOD)
    return status == 200


def raw(data, wait=2.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(wait)
    s.connect(sock_path)
    s.sendall(data)
    chunks = []
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            chunks.append(c)
    except socket.timeout:
        pass
    s.close()
    return b"".join(chunks)


# 1. A body over the limit.
status, answer, _ = call(sock_path, "POST", "/v1/headers", "x" * (70 * 1024))
out["oversize_body"] = [status, problem_type(answer)]
# 1a. A body far larger than the socket buffers: the client is still writing when the 413 is out,
# and must be able to finish and read it rather than be reset.
status, answer, _ = call(sock_path, "POST", "/v1/headers", "y" * (4 * 1024 * 1024))
out["oversize_streamed"] = [status, problem_type(answer)]
# 1c. A chunked body that grows past the limit is refused without waiting for its end.
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sock_path)
s.sendall(b"POST /v1/headers HTTP/1.1\r\nHost: v\r\nTransfer-Encoding: chunked\r\n\r\n")
start = time.time()
try:
    for _ in range(64):
        s.sendall(b"4000\r\n" + b"z" * 0x4000 + b"\r\n")
except (BrokenPipeError, ConnectionResetError):
    pass
first = b""
try:
    first = s.recv(65536)
except (socket.timeout, ConnectionResetError):
    pass
s.close()
out["oversize_chunked"] = first.split(b"\r\n", 1)[0].decode(errors="replace")
out["oversize_chunked_seconds"] = round(time.time() - start, 2)
# 1b. A body announced too big is refused at once, before it is sent.
start = time.time()
answer = raw(b"POST /v1/headers HTTP/1.1\r\nHost: v\r\nContent-Length: 10000000\r\n\r\n", wait=5)
out["announced_oversize"] = answer.split(b"\r\n", 1)[0].decode(errors="replace")
out["announced_oversize_seconds"] = round(time.time() - start, 2)
# 2. Headers over the limit.
answer = raw(b"POST /v1/headers HTTP/1.1\r\nHost: v\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n")
out["oversize_headers"] = answer.split(b"\r\n", 1)[0].decode(errors="replace")
out["oversize_headers_type"] = "payload_too_large" in answer.decode(errors="replace")
# 3. Garbage bytes.
answer = raw(bytes(range(256)) * 8)
out["garbage_status"] = answer.split(b"\r\n", 1)[0].decode(errors="replace")
out["good_after_abuse"] = good()
# 4. Half a request, then silence: the daemon closes the connection after the read timeout.
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock_path)
s.sendall(b"POST /v1/headers HTTP/1.1\r\nHost: v\r\nContent-Length: 100\r\n\r\n{\"method\":")
start = time.time()
s.settimeout(read_timeout + 10)
try:
    closed = s.recv(1024) == b""
except (ConnectionResetError, socket.timeout):
    closed = False
out["stall_closed"] = closed
out["stall_seconds"] = round(time.time() - start, 1)
s.close()
# 5. 1,000 concurrent connections, each sending a request at once.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
conns = []
for _ in range(1000):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(30)
    c.connect(sock_path)
    conns.append(c)
body = json.dumps(GOOD).encode()
request = b"POST /v1/headers HTTP/1.1\r\nHost: v\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
for c in conns:
    c.sendall(request)
ok = 0
for c in conns:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    ok += data.startswith(b"HTTP/1.1 200")
out["concurrent_ok"] = ok
out["good_while_1000_open"] = good()
for c in conns:
    c.close()
out["good_at_end"] = good()
print(json.dumps(out))
