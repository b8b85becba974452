"""corrupt_bytecode.py TOOL FILE.mlirbc WORKDIR: runs TOOL on many corrupted
copies of a valid bytecode file (bytes overwritten, bytes dropped, the file
truncated at every length up to 64 and then in steps). Each run must exit
with 0 (the damage hit data that still decodes) or 1 with an 'error:' line;
never crash or hang (the tools give their child reader 5 s + 1 s per MiB; without a memory
limit, as in ASan builds, a corrupted block count runs into that alarm). Prints
a summary line."""
import os
import random
import subprocess
import sys

tool, path, workdir = sys.argv[1:4]
data = open(path, "rb").read()
rng = random.Random(1)
variants = []
for length in list(range(0, min(len(data), 64))) + list(range(64, len(data), 29)):
    variants.append(("truncated at %d" % length, data[:length]))
for i in range(100):
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        b[rng.randrange(8, len(b))] = rng.randrange(256)
    variants.append(("overwritten #%d" % i, bytes(b)))
for i in range(30):
    start = rng.randrange(8, len(data) - 1)
    variants.append(("dropped #%d" % i, data[:start] + data[start + rng.randint(1, 16):]))

rejected = 0
for name, bytes_ in variants:
    case = os.path.join(workdir, "corrupt.mlirbc")
    with open(case, "wb") as f:
        f.write(bytes_)
    try:
        p = subprocess.run([tool, case, "-o", os.devnull], capture_output=True, text=True, errors="replace", timeout=150)
    except subprocess.TimeoutExpired:
        sys.exit("%s: timed out" % name)
    if p.returncode not in (0, 1) or (p.returncode == 1 and "error:" not in p.stderr):
        sys.exit("%s: exit %d\n%s" % (name, p.returncode, p.stderr[-3000:]))
    rejected += p.returncode == 1
print("corrupted bytecode: %d variants, %d rejected with an error, none crashed" % (len(variants), rejected))
