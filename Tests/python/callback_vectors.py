"""Random callbacks signed with the Vobiz Python SDK's own helpers, checked by the SDK and by the
vault; prints how many cases there were and every disagreement (no token is printed).

usage: callback_vectors.py CLIENT_SOCKET TOKEN_FILE CREDENTIAL CASES SEED"""
import json
import random
import string
import sys
from base64 import encodebytes
from hashlib import sha256
from hmac import new as hmac_new
from urllib.parse import quote, urlparse, urlunparse

from vobiz.utils import validate_signature, validate_v3_signature
from vobiz.utils.signature_v3 import construct_get_url, construct_post_url, get_signature_v3

from vault_client import call, problem_type

sock, token_file, credential, cases, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
token = open(token_file).read().strip()
rng = random.Random(seed)


def word(n=None):
    return "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(n or rng.randint(1, 10)))


def value(ascii_only=False):
    kind = rng.random()
    if ascii_only and 0.5 <= kind < 0.55:
        kind = 0.6
    if kind < 0.15:
        return ""
    if kind < 0.3:
        return word() + " " + word()              # a space: %20 or + on the wire
    if kind < 0.4:
        return "+1" + "".join(rng.choice(string.digits) for _ in range(10))
    if kind < 0.5:
        return word() + "/" + word() + "?x=1&y"   # reserved characters
    if kind < 0.55:
        return "caf\u00e9 \u2713"                  # non-ASCII
    return word()


def random_url():
    scheme = rng.choice(["https", "http"])
    host = rng.choice(["hooks.example.com", "api.customer.test", "127.0.0.1"]) + rng.choice(["", ":8443", ":80"])
    path = "/" + "/".join(word() for _ in range(rng.randint(0, 4))) + rng.choice(["", "/"])
    query = []
    for _ in range(rng.randint(0, 4)):
        k = rng.choice(["a", "b", "CallUUID", "x", word(3)])
        # The SDK parses the query as ASCII bytes: non-ASCII values go in POST parameters only.
        v = quote(value(ascii_only=True), safe="")
        query.append(quote(k, safe="") + "=" + (v if rng.random() < 0.7 else v.replace("%20", "+")))
    return scheme + "://" + host + path + ("?" + "&".join(query) if query else "")


def random_params():
    params = {}
    for _ in range(rng.randint(1, 6)):
        k = rng.choice(["From", "To", "CallUUID", "Digits", "Event", "Direction", word(4)])
        params[k] = [value() for _ in range(rng.randint(0, 3))] if rng.random() < 0.3 else value()
    return params


def sign_v2(url, nonce, tok):
    parsed = urlparse(url.encode("utf-8"))
    base = urlunparse((parsed.scheme.decode(), parsed.netloc.decode(), parsed.path.decode(), "", "", "")).encode()
    return encodebytes(hmac_new(tok.encode(), base + nonce.encode(), sha256).digest()).strip().decode()


def sign_v3(method, url, params, nonce, tok):
    base = construct_get_url(url, dict(params)) if method == "GET" else construct_post_url(url, dict(params))
    return get_signature_v3(tok.encode(), base.decode("utf-8"), nonce).decode()


def vault(method, url, params, headers):
    body = {"credential": credential, "method": method, "url": url, "headers": headers}
    if params:
        body["params"] = params
    status, answer, _ = call(sock, "POST", "/v1/callbacks/verify", body)
    if status != 200:
        return "error:" + str(problem_type(answer))
    return answer["valid"]


disagreements, checked, valid_seen = [], 0, 0
for i in range(cases):
    method = rng.choice(["GET", "POST"])
    url = random_url()
    params = random_params() if method == "POST" else {}
    scheme = rng.choice(["v2", "v3", "v3-multi"])
    variants = ["url", "nonce", "signature"] + (["param"] if method == "POST" and scheme != "v2" else []) + ["good"]
    for variant in variants:
        nonce = "".join(rng.choice(string.digits) for _ in range(20))
        signed_url, signed_params = url, params
        sent_url, sent_params, sent_nonce = url, json.loads(json.dumps(params)), nonce
        if variant == "url":
            sent_url = url.replace("://", "://x", 1) if rng.random() < 0.5 else url + ("&" if "?" in url else "?") + "extra=1"
        if variant == "nonce":
            sent_nonce = nonce + "1"
        if variant == "param":
            k = rng.choice(list(sent_params))
            sent_params[k] = (sent_params[k] + "x") if isinstance(sent_params[k], str) else sent_params[k] + ["x"]
        if scheme == "v2":
            sig = sign_v2(signed_url, nonce, token)
        else:
            sig = sign_v3(method, signed_url, signed_params, nonce, token)
        if variant == "signature":
            sig = sig[:-3] + ("A" if sig[-3] != "A" else "B") + sig[-2:]
        if scheme == "v3-multi":
            sig = sign_v3(method, signed_url, signed_params, nonce, "not-the-token") + "," + sig
        if scheme == "v2":
            headers = {"X-Vobiz-Signature-V2": sig, "X-Vobiz-Signature-V2-Nonce": sent_nonce}
            sdk = validate_signature(sent_url, sent_nonce, sig, token)
        else:
            headers = {"X-Vobiz-Signature-V3": sig, "X-Vobiz-Signature-V3-Nonce": sent_nonce}
            sdk = validate_v3_signature(method, sent_url, sent_nonce, token, sig, dict(sent_params) if sent_params else None)
        ours = vault(method, sent_url, sent_params, headers)
        checked += 1
        valid_seen += bool(sdk)
        if ours != sdk:
            disagreements.append({"case": i, "variant": variant, "scheme": scheme, "method": method, "url": sent_url,
                                  "params": sent_params, "sdk": sdk, "vault": ours})
print(json.dumps({"checked": checked, "valid": valid_seen, "disagreements": disagreements[:10], "disagreement_count": len(disagreements)}))
