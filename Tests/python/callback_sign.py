"""Signs one callback with the Vobiz Python SDK's helpers and prints the headers to send.
usage: callback_sign.py TOKEN_FILE METHOD URL PARAMS_JSON NONCE [ma]"""
import json
import sys

from vobiz.utils.signature_v3 import construct_get_url, construct_post_url, get_signature_v3

token_file, method, url, params, nonce = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
prefix = "X-Vobiz-Signature-MA-V3" if len(sys.argv) > 6 and sys.argv[6] == "ma" else "X-Vobiz-Signature-V3"
token = open(token_file).read().strip()
base = construct_get_url(url, dict(params)) if method == "GET" else construct_post_url(url, dict(params))
sig = get_signature_v3(token.encode(), base.decode("utf-8"), nonce).decode()
print(json.dumps({prefix: sig, prefix + "-Nonce": nonce}))
