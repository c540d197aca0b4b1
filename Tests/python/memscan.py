"""Counts occurrences of a byte string in a process's readable memory (a gcore-style scan via
/proc/<pid>/maps and /proc/<pid>/mem; needs root). usage: memscan.py PID NEEDLE"""
import re, sys
pid, needle = int(sys.argv[1]), sys.argv[2].encode()
hits = 0
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        start, end, perms = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
        if "r" not in perms or end - start > 1 << 30:
            continue
        try:
            mem.seek(start)
            data = mem.read(end - start)
        except (OSError, ValueError, OverflowError):
            continue
        hits += data.count(needle)
print(hits)
