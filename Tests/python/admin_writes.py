"""Credential writes in a loop through the CLI (the admin socket while a daemon runs), until a stop
file appears. Each command is one JSON line in LOG: its start and end time, exit code and output.

usage: admin_writes.py BIN CONFIG LOG STOP_FILE rotate|import TOKEN_PREFIX
  rotate: `rotate MA_ACME` with a fresh token on stdin each time
  import: `import` of one new customer MA_W<n> each time
Tokens are TOKEN_PREFIX plus a counter (canaries); they are never written to LOG.
"""
import json
import os
import subprocess
import sys
import time

binary, config, log_path, stop_file, mode, prefix = sys.argv[1:7]
with open(log_path, "a") as log:
    i = 0
    while not os.path.exists(stop_file):
        i += 1
        token = f"{prefix}{mode}{i}"
        if mode == "rotate":
            args, stdin = ["rotate", "MA_ACME", "--reason", f"load {i}"], token
        else:
            args, stdin = ["import"], json.dumps({"auth_id": f"MA_W{i}", "auth_token": token})
        start = time.time()
        r = subprocess.run([binary] + args + ["--config", config], input=stdin.encode(), capture_output=True, timeout=60)
        end = time.time()
        log.write(json.dumps({"i": i, "start": start, "end": end, "code": r.returncode,
                              "out": r.stdout.decode(errors="replace"), "err": r.stderr.decode(errors="replace")}) + "\n")
        log.flush()
