"""Runs the scope table of the daemon issue against POST /v1/headers and prints the cases whose
answer differs from the expected problem type (an empty list means all agree)."""
import json
import sys

from vault_client import call, problem_type

sock = sys.argv[1]
B = "https://api.vobiz.ai"
CASES = [
    # (url, credential, expected: "ok" or a problem type)
    (B + "/api/v1/partner/accounts", None, "ok"),
    (B + "/api/v1/Account/MA_ACME/Call/", None, "ok"),
    (B + "/api/v1/account/MA_ACME/Call/?limit=5", None, "ok"),
    (B + "/api/v1/Account/MA_ACME/", "MA_ACME", "ok"),
    (B + "/api/v1/partner/accounts", "MA_ACME", "scope_mismatch"),
    (B + "/api/v1/Account/MA_ACME/Call/", "PA_MAIN", "scope_mismatch"),
    (B + "/api/v1/Account/MA_ACME/Call/", "MA_BETA", "scope_mismatch"),
    (B + "/api/v1/Account/MA_NOBODY/Call/", None, "unknown_credential"),
    (B + "/api/v1/Account/MA_GONE/Call/", None, "credential_revoked"),
    (B + "/api/v1/Pricing/", None, "bad_request"),
    (B + "/api/v1/Account/MA_ACME/../MA_BETA/", None, "bad_request"),
    (B + "/api/v1/Account/MA_ACME/./Call/", None, "bad_request"),
    (B + "/api/v1/Account/MA_ACME/%2e%2e/MA_BETA/", None, "bad_request"),
    (B + "/api/v1/Account/MA_ACME%2FMA_BETA/", None, "bad_request"),
    (B + "/api/v1/Account/MA_ACME/%25/", None, "bad_request"),
    (B + "/api/v1/Account/MA_ACME\\..\\MA_BETA/", None, "bad_request"),
    (B + "/api/v1//Account/MA_ACME/", None, "bad_request"),
    ("https://user@api.vobiz.ai/api/v1/partner/", None, "bad_request"),
    ("https://api.vobiz.ai@evil.example/api/v1/partner/", None, "bad_request"),
    ("https://api.vobiz.ai.evil.example/api/v1/partner/", None, "bad_request"),
    ("https://evilvobiz.ai/api/v1/partner/", None, "bad_request"),
    ("https://api.vobiz.ai./api/v1/partner/", None, "bad_request"),
    ("https://api.vobiz.ai:8443/api/v1/partner/", None, "bad_request"),
    ("http://api.vobiz.ai/api/v1/partner/", None, "bad_request"),
    (B + "/api/v1/partner/#x", None, "bad_request"),
    (B + "/api/v1/partner/\u0001", None, "bad_request"),
    (B + "/api/v1/partner/\u00e9", None, "bad_request"),
    (B + "/api/v1/partner/" + "a" * 2100, None, "bad_request"),
    (B + "/api/v1/partner/", "not-an-id", "bad_request"),
]
wrong = []
for url, cred, expected in CASES:
    req = {"method": "GET", "url": url}
    if cred:
        req["credential"] = cred
    status, answer, _ = call(sock, "POST", "/v1/headers", req)
    got = "ok" if status == 200 else problem_type(answer)
    if got != expected:
        wrong.append({"url": url[:120], "credential": cred, "expected": expected, "got": got, "status": status})
print(json.dumps({"cases": len(CASES), "wrong": wrong}))
