#!/usr/bin/env python3
"""Writes N captures (default 1,000, about 1 GB) into a directory, for
timing `tcplab analyze DIR -j N` and the dataset (bench/README.md, "Many
captures").

    python3 bench/many-captures.py [OUT_DIR] [--count N] [--seed S]

A mix, chosen capture by capture from a PRNG seeded with --seed (the same
files on every run with the same seed and count):

- bulk (40 %): one long transfer, `bench/synth-bulk.py --segments K`
  (K from 6,000 to 16,000 segments, headers only: 0.6-1.5 MB);
- short (40 %): many short connections, `bench/synth-conns.py --conns K
  --concurrent C --payload P` (K 600-1,800, C 8-64, P 100-600 bytes:
  0.6-2 MB);
- lossy (20 %): a real capture with losses and retransmissions from
  tests/data (lossy.pcap, emu-loss.pcap, congested.pcap, retrans-synth.pcap)
  shifted in time by `editcap -t` (a different shift for each, so that no
  two files have the same SHA-256: the dataset keeps one copy of a capture).

The generators are called, not copied: their packets are theirs. Files are
named `NNNN-KIND.pcap`; an existing directory is refused unless --force.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LOSSY = ["lossy.pcap", "emu-loss.pcap", "congested.pcap", "retrans-synth.pcap"]


def one(i, rng, out):
    """Writes capture number `i`; returns its path."""
    roll = rng.random()
    if roll < 0.4:
        path = os.path.join(out, "%04d-bulk.pcap" % i)
        segments = rng.randint(6_000, 16_000)
        cmd = [sys.executable, os.path.join(HERE, "synth-bulk.py"), path, "--segments", str(segments)]
    elif roll < 0.8:
        path = os.path.join(out, "%04d-short.pcap" % i)
        cmd = [sys.executable, os.path.join(HERE, "synth-conns.py"), path,
               "--conns", str(rng.randint(600, 1_800)),
               "--concurrent", str(rng.randint(8, 64)),
               "--payload", str(rng.randint(100, 600))]
    else:
        path = os.path.join(out, "%04d-lossy.pcap" % i)
        source = os.path.join(REPO, "tests", "data", rng.choice(LOSSY))
        # Whole seconds plus the capture's number in microseconds: unique.
        shift = "%d.%06d" % (rng.randint(1, 86_400), i)
        cmd = ["editcap", "-t", shift, source, path]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default="/work/bench-data/many")
    ap.add_argument("--count", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = ap.parse_args()
    if shutil.which("editcap") is None:
        sys.exit("many-captures.py: editcap (Wireshark's, package wireshark-common or tshark) is needed for the lossy captures")
    if os.path.exists(args.out):
        if not args.force:
            sys.exit("many-captures.py: %s exists; give --force to replace it" % args.out)
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    rng = random.Random(args.seed)
    total = 0
    kinds = {}
    for i in range(args.count):
        path = one(i, rng, args.out)
        total += os.path.getsize(path)
        kind = path.rsplit("-", 1)[1].split(".")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
        if (i + 1) % 100 == 0:
            print("%d/%d captures, %.1f MB" % (i + 1, args.count, total / 1e6), file=sys.stderr)
    mix = ", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items()))
    print("%s: %d captures (%s), %.1f MB" % (args.out, args.count, mix, total / 1e6))


if __name__ == "__main__":
    main()
