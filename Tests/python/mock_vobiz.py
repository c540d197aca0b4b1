"""A loopback mock of the Vobiz API for the end-to-end tests.

It knows the tokens (from a JSON file {auth_id: token}), answers 401 to a wrong pair and 403 to a
pair used outside its scope, and implements GET /api/v1/partner/me, POST /api/v1/partner/accounts
(a fresh customer each time) and a few /api/v1/Account/{id}/... endpoints. Control endpoints under
/__mock/ (no auth) read what it saw and change its behaviour. It never records a token: only
whether the pair matched. Under VOBIZ_VAULT_TEST_KEEP=<dir> it lists the JWTs and tokens it
issues in <dir>/canaries, for the leak sweep after the whole suite (scripts/leak-sweep.py).

usage: mock_vobiz.py TOKENS_JSON NEW_TOKEN_PREFIX [CERT KEY]   (prints the port on stdout)
"""
import base64
import gzip
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

tokens = json.load(open(sys.argv[1]))
# {"email": ..., "password": ...} of the partner's JWT login, when the tests set one.
login = tokens.pop("__login", None)
logins = {"count": 0}
JWT_SECRET = secrets.token_bytes(32)


def record(kind, value):
    """Lists a secret the mock issued for the leak sweep after the suite (VOBIZ_VAULT_TEST_KEEP)."""
    keep = os.environ.get("VOBIZ_VAULT_TEST_KEEP")
    if keep:
        fd = os.open(os.path.join(keep, "canaries"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{kind} {value}\n".encode())
        finally:
            os.close(fd)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(subject, lifetime, exp_offset):
    now = int(time.time())
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"sub": subject, "iat": now, "exp": now + lifetime + exp_offset,
                                 "jti": secrets.token_hex(8)}).encode())
    sig = b64url(hmac.new(JWT_SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    record("jwt", f"{header}.{payload}.{sig}")
    return f"{header}.{payload}.{sig}"
new_prefix = sys.argv[2]
lock = threading.Lock()
seen = []
mode = {"delay": 0.0, "status": None, "create_id": None, "jwt_lifetime": 10, "jwt_exp_offset": 0, "login_delay": 0.0,
        "create_shape": None}


def create_answer(shape, answer, token):
    """The create-account answer in one of the shapes an upstream could give it: the token copied
    elsewhere in the body, spelt with a JSON escape, in a header, the body wrapped in an array or
    compressed unasked.
    Returns (raw body or None, obj, extra headers)."""
    if shape == "nested_copy":
        return None, dict(answer, account={"auth_token": token}), ()
    if shape == "message_copy":
        return None, dict(answer, message=f"issued token {token} for the new account"), ()
    if shape == "escaped_copy":
        escaped = "\\u%04x" % ord(token[0]) + token[1:]
        raw = json.dumps(answer)[:-1] + f', "copy": "{escaped}"}}'
        return raw.encode(), None, ()
    if shape == "headers":
        return None, answer, (("X-Debug-Token", token), ("Location", f"/api/v1/Account/{answer['auth_id']}/?token={token}"))
    if shape == "array":
        return json.dumps([answer]).encode(), None, ()
    if shape == "gzip":
        # Compressed although the vault asked for identity: unreadable to the vault.
        return gzip.compress(json.dumps(answer).encode()), None, (("Content-Encoding", "gzip"),)
    return None, answer, ()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, obj=None, raw=None, headers=()):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            # As a real API would: a caller that asks for gzip gets gzip.
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "mock_session=should-not-reach-the-client")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def control(self, path, body):
        global tokens
        if path == "/__mock/requests":
            with lock:
                return self.answer(200, seen)
        if path == "/__mock/logins":
            with lock:
                return self.answer(200, logins)
        if path == "/__mock/mode":
            mode.update(json.loads(body or b"{}"))
            return self.answer(200, mode)
        if path == "/__mock/token":
            # Simulates a token reissued in the console: {"auth_id": ..., "suffix": ...}.
            change = json.loads(body)
            with lock:
                tokens[change["auth_id"]] = tokens[change["auth_id"]] + change["suffix"]
            return self.answer(200, {"ok": True})
        return self.answer(404, {"error": "no such control"})

    def handle_any(self):
        u = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if u.path.startswith("/__mock/"):
            return self.control(u.path, body)
        auth_id = self.headers.get("X-Auth-ID")
        token = self.headers.get("X-Auth-Token")
        with lock:
            ok = auth_id in tokens and token is not None and secrets.compare_digest(tokens[auth_id], token)
            seen.append({
                "method": self.command, "path": u.path, "query": u.query, "auth_id": auth_id, "token_ok": ok,
                "token_sent": token is not None, "header_names": sorted(k.lower() for k in self.headers.keys()),
                "accept_encoding": self.headers.get("Accept-Encoding"),
                "body_sha256": hashlib.sha256(body).hexdigest(), "body_len": len(body), "at": time.monotonic(),
            })
        if mode["delay"]:
            time.sleep(mode["delay"])
        if mode["status"]:
            return self.answer(mode["status"], {"error": "mock failure"})
        if not ok:
            return self.answer(401, {"error": "unauthorized", "message": "invalid auth_id or auth_token"})
        parts = [p for p in u.path.split("/") if p]
        # /api/v1/partner/...
        if parts[:3] == ["api", "v1", "partner"]:
            if not auth_id.startswith("PA_"):
                return self.answer(403, {"error": "forbidden", "message": "partner API needs the partner pair"})
            if parts[3:] == ["login"] and self.command == "POST":
                with lock:
                    logins["count"] += 1
                if mode["login_delay"]:
                    time.sleep(mode["login_delay"])
                creds = json.loads(body or b"{}")
                if login is None or creds.get("email") != login["email"] or creds.get("password") != login["password"]:
                    return self.answer(401, {"error": "invalid_credentials", "message": "Invalid email or password"})
                lifetime = int(mode["jwt_lifetime"])
                return self.answer(200, {"tokens": {"access_token": make_jwt(auth_id, lifetime, int(mode["jwt_exp_offset"])),
                                                    "token_type": "Bearer", "expires_in": lifetime}})
            if parts[3:] == ["me"] and self.command == "GET":
                return self.answer(200, {"auth_id": auth_id, "name": "Mock Partner"})
            if parts[3:] == ["accounts"] and self.command == "POST":
                new_id = mode["create_id"] or "MA_" + secrets.token_hex(6).upper()
                new_token = new_prefix + secrets.token_hex(8)
                record("token", new_token)
                with lock:
                    tokens[new_id] = new_token
                req = json.loads(body or b"{}")
                answer = {"auth_id": new_id, "auth_token": new_token, "name": req.get("name", ""),
                          "parent": auth_id, "api_id": secrets.token_hex(4)}
                raw, obj, extra = create_answer(mode["create_shape"], answer, new_token)
                return self.answer(201, obj, raw=raw, headers=extra)
            return self.answer(404, {"error": "not_found"})
        # /api/v1/Account/{id}/... (either spelling of the segment)
        if parts[:2] == ["api", "v1"] and len(parts) >= 4 and parts[2] in ("Account", "account"):
            if parts[3] != auth_id:
                return self.answer(403, {"error": "forbidden", "message": "this pair cannot act for that account"})
            rest = parts[4:]
            if rest == []:
                return self.answer(200, {"auth_id": auth_id, "name": "Mock customer"})
            if rest == ["Call"] and self.command == "GET":
                return self.answer(200, {"api_id": "list", "meta": {"limit": 20, "offset": 0, "total_count": 1},
                                         "objects": [{"call_uuid": "c-1", "query": u.query}]})
            if rest == ["Call"] and self.command == "POST":
                return self.answer(201, {"api_id": "created", "message": "call fired", "request_uuid": "r-1",
                                         "echo": json.loads(body or b"{}")})
            if rest == ["Echo"]:
                return self.answer(200, {"headers": {k.lower(): v for k, v in self.headers.items()
                                                     if k.lower() not in ("x-auth-token",)},
                                         "body_sha256": hashlib.sha256(body).hexdigest()})
            if rest == ["Big"]:
                size = int(dict(p.split("=") for p in u.query.split("&") if "=" in p).get("size", "0"))
                return self.answer(200, raw=b"[" + b"0," * (size // 2) + b"0]")
            return self.answer(404, {"error": "not_found"})
        return self.answer(404, {"error": "not_found"})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


# A burst of upstream connects (many proxied calls at once) must not overflow the listen queue
# (the default is 5, and a dropped SYN is retried only after a second).
ThreadingHTTPServer.request_queue_size = 128
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if len(sys.argv) > 4:
    # TLS with the given certificate and key (a self-signed one the vault must not trust).
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
