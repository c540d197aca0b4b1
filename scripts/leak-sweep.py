#!/usr/bin/env python3
"""The leak sweep after the whole test suite.

`make test` runs `swift test` with VOBIZ_VAULT_TEST_KEEP=KEEP_DIR: the test harnesses then make
their directories in KEEP_DIR and leave them there (state directories with the database, WAL and
shm files, daemon and mock logs, the captured stdout/stderr of every command, kept disk images),
list every secret they hand out in KEEP_DIR/canaries (`kind value` lines: canary prefixes, tokens,
passwords, and the JWTs the mock issued) and the files that hold secrets on purpose (a test's own
inputs, such as the mock's token file) in KEEP_DIR/inputs; the Makefile adds the output of
`swift test` itself. This script searches the raw bytes of every regular file there for every
secret, as is and hex-, base64- (any alignment, standard and URL alphabets) and UTF-16-encoded.

It prints how many files, bytes and secrets it swept and how many hits it found, never a secret.
It fails on any hit outside the inputs, when there are no secrets or no files to sweep, when a
kind of secret is missing (a sweep that knows no JWT proves nothing about JWTs), or when the
inputs hold no secret (they are the proof that the search finds what the tests wrote); then it
removes KEEP_DIR (unless --keep).

usage: leak-sweep.py KEEP_DIR [--keep] [--partial] [--notes]
  --keep     leave KEEP_DIR in place (to look at a hit); implies --notes
  --partial  after a partial run (a --filter): do not insist on every kind of secret and on inputs
  --notes    list each file holding the start of a secret but no whole one (else one line counts them)
"""
import base64
import mmap
import os
import shutil
import stat
import sys
from collections import Counter, defaultdict

KINDS = ("prefix", "token", "password", "jwt")
ANCHOR = 6  # characters (bytes, or 12 for hex and UTF-16) every occurrence is first found by


def encodings(value):
    """(encoding name, bytes) for the forms a secret could be written in."""
    out = [("raw", value), ("hex", value.hex().encode()), ("HEX", value.hex().upper().encode()),
           ("utf-16", value.decode("latin-1").encode("utf-16-le"))]
    for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
        for shift in range(3):
            # The secret after `shift` unknown bytes: keep only the characters its bytes alone decide.
            text = encode(b"\0" * shift + value)
            first = (shift * 8 + 5) // 6
            last = (shift + len(value)) * 8 // 6
            out.append((name, text[first:last]))
    return [(n, f) for n, f in out if len(f) >= 16]


def anchor_of(name, form):
    return form[:2 * ANCHOR] if name in ("hex", "HEX", "utf-16") else form[:ANCHOR]


def load_canaries(path):
    kinds = defaultdict(set)
    if os.path.exists(path):
        with open(path, "rb") as f:
            for line in f:
                kind, _, value = line.rstrip(b"\n").partition(b" ")
                if value:
                    kinds[kind.decode()].add(value)
    return kinds


def mounts_under(root):
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].encode().decode("unicode_escape")
            if point == root or point.startswith(root + "/"):
                found.append(point)
    return found


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    keep, partial = "--keep" in argv, "--partial" in argv
    notes = keep or "--notes" in argv
    if len(args) != 1 or not os.path.isdir(args[0]):
        print("usage: leak-sweep.py KEEP_DIR [--keep] [--partial] [--notes]", file=sys.stderr)
        return 2
    root = os.path.realpath(args[0])
    secrets = load_canaries(os.path.join(root, "canaries"))
    inputs = set()
    if os.path.exists(os.path.join(root, "inputs")):
        with open(os.path.join(root, "inputs")) as f:
            # Paths inside KEEP_DIR are listed relative to it.
            inputs = {os.path.realpath(os.path.join(root, line.strip())) for line in f if line.strip()}

    # Every form of every secret, grouped by its first characters: each group is searched for
    # once per file, then each occurrence is compared with the forms that start that way.
    groups = defaultdict(lambda: defaultdict(dict))  # anchor -> length -> form -> (kind, encoding)
    values = {v for vs in secrets.values() for v in vs}
    for kind, vs in secrets.items():
        for v in vs:
            for name, form in encodings(v):
                groups[anchor_of(name, form)][len(form)].setdefault(form, (kind, name))

    # The longest form first: a token is reported as a token, not by its canary prefix.
    searches = [(anchor, sorted(by_length.items(), reverse=True)) for anchor, by_length in groups.items()]

    scanned = scanned_bytes = 0
    hits = Counter()          # (relative path, kind, encoding) -> count, outside the inputs
    expected = Counter()      # the same in the inputs
    near = Counter()          # relative path -> anchor occurrences that matched no whole secret
    skipped_special = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if rel in ("canaries", "inputs"):
                continue
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped_special += 1  # sockets, symlinks
                continue
            is_input = os.path.realpath(path) in inputs
            if not is_input:
                scanned += 1
                scanned_bytes += st.st_size
            if st.st_size == 0:
                continue
            with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                for anchor, by_length in searches:
                    at = data.find(anchor)
                    while at >= 0:
                        found = None
                        for length, forms in by_length:
                            found = forms.get(data[at:at + length])
                            if found:
                                break
                        if found:
                            (expected if is_input else hits)[(rel, found[0], found[1])] += 1
                        elif not is_input:
                            near[rel] += 1
                        at = data.find(anchor, at + 1)

    counts = ", ".join(f"{len(secrets.get(k, ()))} {k}" for k in KINDS)
    print(f"leak sweep: {scanned} files ({scanned_bytes / 1e6:.1f} MB) swept for {len(values)} secrets "
          f"({counts}) in {len(encodings(b'x' * 30))} encodings each: {sum(hits.values())} hits; "
          f"{len(inputs)} input files hold them on purpose ({sum(expected.values())} hits there); "
          f"{skipped_special} sockets or links skipped")
    failures = []
    for (rel, kind, enc), n in sorted(hits.items()):
        failures.append(f"{n} hit(s) of a {kind} ({enc}) in {rel}")
    if not values:
        failures.append("no secrets were listed (canaries file missing or empty): the sweep would prove nothing")
    if scanned == 0:
        failures.append("no files to sweep")
    if not partial:
        for k in KINDS:
            if not secrets.get(k):
                failures.append(f"no secret of kind {k} was listed")
        if not expected:
            failures.append("the inputs hold no secret: the search did not find what the tests wrote on purpose")
    # Partial matches are expected (a prefix shared with other text); counted, so that the end
    # of a long test log still shows the tests that failed.
    if notes:
        for rel, n in sorted(near.items()):
            print(f"  note: {n} occurrence(s) of the start of a secret, not a whole one, in {rel}")
    elif near:
        print(f"  note: {sum(near.values())} occurrence(s) of the start of a secret, not a whole one, "
              f"in {len(near)} files (--notes lists them)")
    left = mounts_under(root)
    if left:
        failures.append(f"filesystems still mounted under {root}: {left}")
    for f in failures:
        print("  FAILED: " + f)
    if hits:
        print("  (a file a test wrote as its own input is listed with SuiteSweep.input; an answer that hands a "
              "secret to its caller by design is taken out of the test's captured output; anything else is a leak)")
    if keep or left:
        print(f"  kept {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
