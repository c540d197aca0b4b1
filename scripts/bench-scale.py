#!/usr/bin/env python3
"""The measuring half of scripts/bench-scale.sh (see there for what it measures).

Each subcommand measures one thing, prints one human line per figure and appends the figures
to the results file ($SCALE_RESULTS, one JSON object a line) that `summary` turns into a
markdown table. Python 3 standard library only. Tokens are generated here and written only to a
0600 file; nothing here prints or passes one on a command line.

  gen N FILE                      N customers MA_SCALE0000000001… as an import file (0600)
  spawn DIR                       become `vobiz-vault serve` (exec), noting the time
  ready TAG VAULT DIR             time from that exec until GET /v1/health answers 200
  cold TAG VAULT DIR N            one POST /v1/headers on 3 cold credentials, each timed
  throughput TAG VAULT DIR ID S   vault-bench, 16 connections, sealed headers for ID
  ratio TAG                       the median big/small headers throughput of TAG's phases
  cli TAG VAULT DIR FIGURE [--rows] [--must] [--imported N] -- ARGS
                                  a timed `vobiz-vault ARGS` with DIR's config (through its daemon,
                                  when one runs); --rows counts the entries of its JSON output;
                                  --must: exit 1 if it fails (otherwise reported, exit 0);
                                  --imported N: report it as an import of N credentials
  rss TAG VAULT DIR WHEN          the daemon's VmRSS and VmHWM
  summary                         the markdown table of everything in the results file

TAG is the size of the run (the N of the big vault), VAULT is `big` or `small`, DIR the vault's
directory (config.toml, run/, daemon.pid).
"""
import json
import os
import random
import secrets
import select
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("BIN", "")
RESULTS = os.environ.get("SCALE_RESULTS", "")
READY_TIMEOUT = float(os.environ.get("READY_TIMEOUT", "600"))
CLI_TIMEOUT = float(os.environ.get("CLI_TIMEOUT", "900"))
REQUEST_TIMEOUT = float(os.environ.get("REQUEST_TIMEOUT", "300"))
MIB = 1024 * 1024


def die(message):
    print(f"bench-scale: {message}", file=sys.stderr)
    sys.exit(1)


def record(tag, vault, key, value):
    with open(RESULTS, "a") as f:
        f.write(json.dumps({"tag": int(tag), "vault": vault, "key": key, "value": value}) + "\n")


def auth_id(i):
    return f"MA_SCALE{i:010d}"


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def proc_status(pid):
    """VmRSS and VmHWM of a live process, in KiB (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return None
    return {k: int(fields[k].split()[0]) for k in ("VmRSS", "VmHWM") if k in fields}


def alive(pid):
    """Whether a process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def daemon_pid(vault_dir):
    with open(os.path.join(vault_dir, "daemon.pid")) as f:
        return int(f.read())


def unix_request(path, method, target, body=b"", timeout=REQUEST_TIMEOUT):
    """One HTTP/1.1 exchange on a fresh connection (Connection: close): status and body.
    Reads the whole answer (by Content-Length, else to EOF)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        head = f"{method} {target} HTTP/1.1\r\nHost: vobiz-vault\r\nConnection: close\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        s.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed before the answer's head")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        while length is None or len(rest) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, rest
    finally:
        s.close()


def cmd_gen(n, path):
    n = int(n)
    alphabet = string.ascii_letters + string.digits
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[")
        for i in range(1, n + 1):
            token = "".join(secrets.choice(alphabet) for _ in range(40))
            f.write(("," if i > 1 else "") + json.dumps({"auth_id": auth_id(i), "auth_token": token}))
        f.write("]\n")


def cmd_spawn(vault_dir):
    """Becomes `vobiz-vault serve` (exec: the same PID, the shell's child) once `ready` is
    polling (DIR/polling), noting the moment just before in DIR/spawned (CLOCK_MONOTONIC, ns)."""
    log = os.open(os.path.join(vault_dir, "serve.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.environ["VOBIZ_VAULT_CONFIG"] = os.path.join(vault_dir, "config.toml")
    vault = os.path.join(BIN, "vobiz-vault")
    # `ready` says when it is polling (Python's start takes about as long as the daemon's).
    waited = time.monotonic()
    while not os.path.exists(os.path.join(vault_dir, "polling")):
        if time.monotonic() - waited > 30:
            sys.exit(1)
        time.sleep(0.0005)
    tmp = os.path.join(vault_dir, "spawned.tmp")
    with open(tmp, "w") as f:
        f.write(str(time.monotonic_ns()))
    os.rename(tmp, os.path.join(vault_dir, "spawned"))
    os.execv(vault, [vault, "serve"])


def cmd_ready(tag, vault, vault_dir):
    """Waits for the daemon `spawn` started (PID in DIR/daemon.pid), asking GET /v1/health every
    2 ms until it answers 200: the time from the exec to that answer."""
    sock = os.path.join(vault_dir, "run", "vault.sock")
    pid = daemon_pid(vault_dir)
    spawned = os.path.join(vault_dir, "spawned")
    open(os.path.join(vault_dir, "polling"), "w").close()
    waited = time.monotonic()
    while not os.path.exists(spawned):
        if not alive(pid) or time.monotonic() - waited > 30:
            die(f"vobiz-vault serve ({vault}, {tag}) was never spawned")
        time.sleep(0.001)
    with open(spawned) as f:
        t0 = int(f.read()) / 1e9
    polls = 0
    while True:
        polls += 1
        try:
            status, _ = unix_request(sock, "GET", "/v1/health", timeout=5)
            if status == 200:
                break
        except (OSError, ValueError, IndexError):
            pass
        if not alive(pid):
            with open(os.path.join(vault_dir, "serve.log"), errors="replace") as f:
                tail = f.read()[-2000:]
            die(f"vobiz-vault serve ({vault}, {tag}) exited before it was ready:\n{tail}")
        if time.monotonic() - t0 > READY_TIMEOUT:
            die(f"vobiz-vault serve ({vault}, {tag}) not ready after {READY_TIMEOUT:g} s (READY_TIMEOUT): "
                f"GET /v1/health on {sock} never answered 200")
        time.sleep(0.002)
    ms = (time.monotonic() - t0) * 1000
    st = proc_status(pid) or {}
    note = " (ready at the first poll: an upper bound)" if polls == 1 else ""
    print(f"start to ready: {ms:.1f} ms{note}; daemon RSS {mib(st.get('VmRSS', 0))}")
    record(tag, vault, "ready_ms", ms)
    record(tag, vault, "rss_ready_kib", st.get("VmRSS"))


def cmd_cold(tag, vault, vault_dir, n):
    """POST /v1/headers once for each of 3 credentials nobody has asked for yet, picked at random
    away from the first and the last, each timed from connect to the whole answer."""
    n = int(n)
    picks = random.sample(range(2, n), 3) if n >= 5 else list(range(1, n + 1))[:3]
    sock = os.path.join(vault_dir, "run", "vault.sock")
    base = read_base_url(vault_dir)
    times = []
    for i in picks:
        body = json.dumps({"method": "GET", "url": f"{base}/api/v1/Account/{auth_id(i)}/Call/"}).encode()
        t0 = time.perf_counter()
        try:
            status, answer = unix_request(sock, "POST", "/v1/headers", body)
        except OSError as e:
            die(f"POST /v1/headers for {auth_id(i)} ({vault}, {tag}) failed: {e}")
        ms = (time.perf_counter() - t0) * 1000
        if status != 200:
            die(f"POST /v1/headers for {auth_id(i)} ({vault}, {tag}) answered {status}: {answer[:500]!r}")
        try:
            headers = json.loads(answer)["headers"]
        except (ValueError, KeyError, TypeError):
            die(f"POST /v1/headers for {auth_id(i)} ({vault}, {tag}): answer without headers: {answer[:200]!r}")
        if headers.get("X-Auth-ID") != auth_id(i):
            die(f"POST /v1/headers for {auth_id(i)} ({vault}, {tag}): headers for {headers.get('X-Auth-ID')!r}")
        print(f"first request, cold credential {auth_id(i)}: {ms:.2f} ms")
        times.append(ms)
    st = proc_status(daemon_pid(vault_dir)) or {}
    print(f"first requests: first {times[0]:.2f} ms, max {max(times):.2f} ms; daemon RSS {mib(st.get('VmRSS', 0))}")
    record(tag, vault, "cold_ms", times)
    record(tag, vault, "rss_cold_kib", st.get("VmRSS"))


def read_base_url(vault_dir):
    with open(os.path.join(vault_dir, "config.toml")) as f:
        for line in f:
            if line.startswith("base_url"):
                return line.split("=", 1)[1].strip().strip('"')
    die(f"no base_url in {vault_dir}/config.toml")


def cmd_throughput(tag, vault, vault_dir, ident, seconds):
    sock = os.path.join(vault_dir, "run", "vault.sock")
    url = f"{read_base_url(vault_dir)}/api/v1/Account/{ident}/Call/"
    args = [os.path.join(BIN, "vault-bench"), "--socket", sock, "--connections", "16", "--duration", seconds,
            "--no-floor", "--json", "--url", url]
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        die(f"vault-bench ({vault}, {tag}) exited {done.returncode}: {done.stderr[-1000:]}")
    phase = json.loads(done.stdout)["phases"][0]
    st = proc_status(daemon_pid(vault_dir)) or {}
    label = f"{tag} customers" if vault == "big" else "2 customers"
    print(f"sealed headers, 16 connections, {label} ({ident}): {phase['throughput']:,.0f} req/s, "
          f"p50 {phase['p50_us'] / 1000:.2f} ms, p99 {phase['p99_us'] / 1000:.2f} ms "
          f"({phase['requests']} requests, {phase['errors']} errors); daemon RSS {mib(st.get('VmRSS', 0))}")
    if phase["errors"]:
        print(f"bench-scale: {phase['errors']} requests failed in this phase", file=sys.stderr)
    record(tag, vault, "throughput", phase["throughput"])
    record(tag, vault, "p50_us", phase["p50_us"])
    record(tag, vault, "errors", phase["errors"])
    record(tag, vault, "rss_throughput_kib", st.get("VmRSS"))


def cmd_ratio(tag):
    big = [v for v in load(int(tag), "big", "throughput")]
    small = [v for v in load(int(tag), "small", "throughput")]
    if not big or not small:
        die("no throughput phases to compare")
    ratio = statistics.median(big) / statistics.median(small) * 100
    print(f"headers throughput, {tag} customers / 2 customers: {ratio:.1f} % "
          f"(medians of {len(big)} and {len(small)} phases: {statistics.median(big):,.0f} / {statistics.median(small):,.0f} req/s)")
    record(tag, "big", "ratio_pct", ratio)


def gnu_time():
    """/usr/bin/time if it is GNU time (-f, -o), else None."""
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    try:
        ok = subprocess.run([path, "-f", "%M", "-o", os.devnull, "true"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return None
    return path if ok else None


def count_rows(data):
    """Entries in a JSON document (an array, or an object holding one array) or in NDJSON."""
    try:
        doc = json.loads(data)
        if isinstance(doc, list):
            return len(doc)
        if isinstance(doc, dict):
            lists = [v for v in doc.values() if isinstance(v, list)]
            return max(map(len, lists)) if lists else 1
        return 1
    except ValueError:
        pass
    rows = 0
    for line in data.splitlines():
        if line.strip():
            json.loads(line)  # a ValueError here: neither JSON nor NDJSON
            rows += 1
    return rows


def cmd_cli(tag, vault, vault_dir, figure, args, rows_wanted, imported=None):
    """Runs `vobiz-vault ARGS`, reading its output as it comes: wall time, bytes, rows, exit
    status and peak RSS. The peak is GNU time's %M when there is one: a child's ru_maxrss as seen
    by this process would include this process's own RSS (vfork+exec hands it on). Without GNU
    time, VmHWM is sampled every 2 ms (a lower bound)."""
    time_bin = gnu_time()
    tfile = None
    argv = [os.path.join(BIN, "vobiz-vault")] + args
    if time_bin:
        fd, tfile = tempfile.mkstemp(prefix="bench-scale-time.")
        os.close(fd)
        argv = [time_bin, "-f", "%M", "-o", tfile] + argv
    errf = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    env = dict(os.environ, VOBIZ_VAULT_CONFIG=os.path.join(vault_dir, "config.toml"))
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf)
    chunks, size, hwm, timed_out = [], 0, 0, False
    fd = p.stdout.fileno()
    while True:
        ready, _, _ = select.select([fd], [], [], 0.002)
        if ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if not time_bin:
            st = proc_status(p.pid)
            if st:
                hwm = max(hwm, st.get("VmHWM", 0))
        if time.perf_counter() - t0 > CLI_TIMEOUT:
            p.kill()
            timed_out = True
            break
    p.wait()
    seconds = time.perf_counter() - t0
    peak = hwm
    if tfile:
        with open(tfile) as f:
            lines = [l for l in f.read().split() if l.isdigit()]
        os.unlink(tfile)
        peak = int(lines[-1]) if lines else 0
    name = "vobiz-vault " + " ".join(args)
    result = {"seconds": seconds, "bytes": size, "peak_kib": peak, "peak_exact": bool(time_bin)}
    if timed_out or p.returncode != 0:
        errf.seek(0)
        err = errf.read().decode(errors="replace").strip().splitlines()[-5:]
        why = f"killed after {CLI_TIMEOUT:g} s (CLI_TIMEOUT)" if timed_out else f"exit status {p.returncode}"
        print(f"{name}: FAILED ({why}) after {seconds:.2f} s, {size:,} bytes out")
        for line in err:
            print(f"    {line}")
        result["failed"] = why
        record(tag, vault, figure, result)
        return False
    data = b"".join(chunks)
    if rows_wanted:
        try:
            result["rows"] = count_rows(data)
        except ValueError as e:
            result["rows"] = None
            print(f"{name}: output is neither JSON nor NDJSON ({e})")
    running = os.path.exists(os.path.join(vault_dir, "daemon.pid"))
    st = proc_status(daemon_pid(vault_dir)) if running else None
    if st:
        result["daemon_rss_kib"] = st.get("VmRSS")
    line = f"{name}: {seconds:.3f} s"
    if imported is not None:
        line = f"import: {imported:,} credentials in {seconds:.2f} s = {imported / seconds:,.0f} credentials/s"
    if rows_wanted:
        line += f", {result['rows']} rows, {size:,} bytes"
    line += f"; CLI peak RSS {'' if time_bin else '>= '}{mib(peak)}"
    if st:
        line += f"; daemon RSS after {mib(st.get('VmRSS', 0))}"
    print(line)
    record(tag, vault, figure, result)
    return True


def cmd_rss(tag, vault, vault_dir, when):
    st = proc_status(daemon_pid(vault_dir)) or {}
    print(f"daemon RSS {when}: {mib(st.get('VmRSS', 0))}, peak (VmHWM) {mib(st.get('VmHWM', 0))}")
    record(tag, vault, f"rss_{when}_kib", st.get("VmRSS"))
    record(tag, vault, f"hwm_{when}_kib", st.get("VmHWM"))


def load(tag=None, vault=None, key=None):
    out = []
    with open(RESULTS) as f:
        for line in f:
            r = json.loads(line)
            if (tag is None or r["tag"] == tag) and (vault is None or r["vault"] == vault) and (key is None or r["key"] == key):
                out.append(r["value"] if key else r)
    return out


def cmd_summary():
    rows = load()
    tags = sorted({r["tag"] for r in rows})

    def get(tag, vault, key):
        vals = [r["value"] for r in rows if r["tag"] == tag and r["vault"] == vault and r["key"] == key]
        return vals

    def one(tag, vault, key):
        vals = get(tag, vault, key)
        return vals[-1] if vals else None

    def fmt_mib(kib):
        return "—" if kib is None else f"{kib / 1024:.0f} MiB"

    def fmt_ms(ms):
        if ms is None:
            return "—"
        return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"

    def cli(tag, vault, key, what):
        r = one(tag, vault, key)
        if r is None:
            return "—"
        if r.get("failed"):
            return f"failed ({r['failed']}, after {r['seconds']:.1f} s)" if what == "time" else "—"
        if what == "time":
            s = r["seconds"]
            return f"{s:.2f} s" if s >= 1 else f"{s * 1000:.0f} ms"
        if what == "out":
            b = r["bytes"]
            size = f"{b / MIB:.1f} MiB" if b >= MIB else f"{b / 1024:.0f} KiB" if b >= 1024 else f"{b} B"
            rows_ = r.get("rows")
            return f"{'?' if rows_ is None else format(rows_, ',')} rows, {size}"
        if what == "peak":
            return ("" if r.get("peak_exact") else "≥ ") + fmt_mib(r["peak_kib"])
        if what == "daemon":
            return fmt_mib(r.get("daemon_rss_kib"))
        return "—"

    def import_rate(tag, vault):
        r = one(tag, vault, "import")
        if r is None or r.get("failed"):
            return "—" if r is None else f"failed ({r['failed']})"
        n = tag if vault == "big" else 2
        return f"{r['seconds']:.2f} s, {n / r['seconds']:,.0f}/s"

    def med(tag, vault, key):
        vals = get(tag, vault, key)
        return statistics.median(vals) if vals else None

    def cold(tag, vault):
        c = one(tag, vault, "cold_ms")
        return "—" if not c else f"{fmt_ms(c[0])} (max of {len(c)}: {fmt_ms(max(c))})"

    def cold_later(tag, vault):
        c = one(tag, vault, "cold_ms")
        return "—" if not c or len(c) < 2 else fmt_ms(max(c[1:]))

    table = [
        ("import (CLI, wall)", lambda t: import_rate(t, "big")),
        ("import, CLI peak RSS", lambda t: cli(t, "big", "import", "peak")),
        ("start to ready (GET /v1/health 200)", lambda t: fmt_ms(one(t, "big", "ready_ms"))),
        ("daemon RSS at ready", lambda t: fmt_mib(one(t, "big", "rss_ready_kib"))),
        ("first headers request after start", lambda t: cold(t, "big")),
        ("later cold credentials, max", lambda t: cold_later(t, "big")),
        ("daemon RSS after first requests", lambda t: fmt_mib(one(t, "big", "rss_cold_kib"))),
        ("sealed headers, 16 connections", lambda t: "—" if med(t, "big", "throughput") is None else
            f"{med(t, 'big', 'throughput'):,.0f} req/s, p50 {med(t, 'big', 'p50_us') / 1000:.2f} ms"),
        ("same, 2-customer vault", lambda t: "—" if med(t, "small", "throughput") is None else
            f"{med(t, 'small', 'throughput'):,.0f} req/s, p50 {med(t, 'small', 'p50_us') / 1000:.2f} ms"),
        ("throughput, N / 2 customers", lambda t: "—" if one(t, "big", "ratio_pct") is None else f"{one(t, 'big', 'ratio_pct'):.1f} %"),
        ("daemon RSS after throughput", lambda t: fmt_mib(one(t, "big", "rss_throughput_kib"))),
    ]
    for key, label in (("list", "list --json"), ("due", "due --json"), ("due_all", "due --json --within 3650d"),
                       ("audit", "audit tail --json -n N")):
        if not any(get(t, "big", key) for t in tags):
            continue
        table += [
            (f"{label}: time", lambda t, k=key: cli(t, "big", k, "time")),
            (f"{label}: output", lambda t, k=key: cli(t, "big", k, "out")),
            (f"{label}: CLI peak RSS", lambda t, k=key: cli(t, "big", k, "peak")),
            (f"{label}: daemon RSS after", lambda t, k=key: cli(t, "big", k, "daemon")),
        ]
    table += [
        ("daemon RSS at the end / peak", lambda t: f"{fmt_mib(one(t, 'big', 'rss_end_kib'))} / {fmt_mib(one(t, 'big', 'hwm_end_kib'))}"),
        ("2-customer vault: start to ready", lambda t: fmt_ms(one(t, "small", "ready_ms"))),
        ("2-customer vault: first request", lambda t: cold(t, "small")),
        ("2-customer vault: daemon RSS at the end / peak",
            lambda t: f"{fmt_mib(one(t, 'small', 'rss_end_kib'))} / {fmt_mib(one(t, 'small', 'hwm_end_kib'))}"),
    ]
    print("| figure | " + " | ".join(f"{t:,} customers" for t in tags) + " |")
    print("|---|" + "---|" * len(tags))
    for label, f in table:
        print(f"| {label} | " + " | ".join(f(t) for t in tags) + " |")


def main(argv):
    if len(argv) < 2:
        die("usage: bench-scale.py gen|spawn|ready|cold|throughput|ratio|cli|rss|summary …")
    cmd, args = argv[1], argv[2:]
    if cmd == "gen":
        cmd_gen(*args)
    elif cmd == "spawn":
        cmd_spawn(*args)
    elif cmd == "ready":
        cmd_ready(*args)
    elif cmd == "cold":
        cmd_cold(*args)
    elif cmd == "throughput":
        cmd_throughput(*args)
    elif cmd == "ratio":
        cmd_ratio(*args)
    elif cmd == "cli":
        # cli TAG VAULT DIR FIGURE [--rows] [--must] -- ARGS…
        tag, vault, vault_dir, figure, rest = args[0], args[1], args[2], args[3], args[4:]
        flags = rest[:rest.index("--")] if "--" in rest else die("cli: expected -- before the vobiz-vault arguments")
        imported = int(flags[flags.index("--imported") + 1]) if "--imported" in flags else None
        if set(flags) - {"--rows", "--must", "--imported", str(imported)}:
            die(f"cli: unknown flags {flags}")
        ok = cmd_cli(tag, vault, vault_dir, figure, rest[len(flags) + 1:], "--rows" in flags, imported)
        if not ok and "--must" in flags:
            sys.exit(1)
    elif cmd == "rss":
        cmd_rss(*args)
    elif cmd == "summary":
        cmd_summary()
    else:
        die(f"unknown subcommand {cmd}")


if __name__ == "__main__":
    main(sys.argv)
