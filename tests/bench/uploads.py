#!/usr/bin/env python3
"""tests/bench/uploads.py: a node's memory while it receives many large
uploads at once (issue 14, item 7). Prints figures; never gates CI.

Starts one creekd (release build, $CREEK_BUILD, default build/), signs in,
opens --uploads uploads of --size-mib MiB each (one account; the caps are
raised to let them all in when the build has them), sends all of each
body but its last 64 KiB, and reads the node's RSS (VmRSS):

  before   idle, signed in
  during   every upload under way with nearly all its body sent
  peak     the highest RSS sampled every 20 ms over the whole run
  after    2 s after every upload was answered

Bounded: --uploads at most 200, --size-mib at most 1024; the node and its
data dir are removed at exit. Disk: the uploads pass through
<data-dir>/files, up to uploads x size at once.

Usage: tests/bench/uploads.py [--uploads N] [--size-mib S]
"""

import argparse
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from creek import CREEKD, Node  # noqa: E402
from identity_client import Client, new_password  # noqa: E402
from uploads import BLOCK, HeldUpload, rss_kib  # noqa: E402

MIB = 1 << 20


def has_caps():
    out = subprocess.run([CREEKD, "--help"], capture_output=True, text=True, timeout=20)
    return "max-uploads-per-account" in out.stdout + out.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--uploads", type=int, default=60)
    ap.add_argument("--size-mib", type=int, default=50)
    args = ap.parse_args()
    if not (1 <= args.uploads <= 200 and 1 <= args.size_mib <= 1024):
        ap.error("--uploads is 1-200 and --size-mib 1-1024")
    size = args.size_mib * MIB
    extra = ["--max-upload", str(max(size, 50 * MIB))]
    if has_caps():
        extra += ["--max-uploads", str(args.uploads), "--max-uploads-per-account", str(args.uploads)]
    node = Node(extra_args=extra)
    node.start()
    try:
        root = Client.for_node(node, "root")
        ws = root.setup("root", "Root", new_password(), "Bench").json()["workspace"]["id"]
        pid = node.proc.pid
        peak = [0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kib(pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        before = rss_kib(pid)
        sampler.start()
        t0 = time.monotonic()
        held = [HeldUpload(root, ws, size) for _ in range(args.uploads)]
        for h in held:
            h.send(size - BLOCK)
        time.sleep(1)  # let the node read what the sockets hold
        during = rss_kib(pid)
        statuses = [h.finish()[0] for h in held]
        elapsed = time.monotonic() - t0
        time.sleep(2)
        after = rss_kib(pid)
        done.set()
        sampler.join()
    finally:
        node.close()
    ok = sum(1 for s in statuses if s == 201)
    print(f"creekd {CREEKD}")
    print(f"{args.uploads} uploads x {args.size_mib} MiB, {ok} answered 201, {elapsed:.1f} s")
    for label, kib in (("before", before), ("during", during), ("peak", peak[0]),
                       ("after", after)):
        print(f"  RSS {label:6s} {kib / 1024:8.1f} MiB")
    print(f"  growth during {(during - before) / 1024:8.1f} MiB, "
          f"per upload {(during - before) / 1024 / args.uploads:6.2f} MiB")


if __name__ == "__main__":
    main()
