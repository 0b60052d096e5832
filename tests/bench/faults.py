#!/usr/bin/env python3
"""The fault campaign of tests/cluster/test_faults.py, repeated, against one
or two builds: for each fault type, the median and max of the longest
stretch without an acknowledged write on the majority's nodes, how long
after healing every client wrote again, and the count of `unavailable`,
`outcome_unknown` and 409 answers. Needs root, iproute2 and nftables.

    tests/bench/faults.py [--reps 10] [--hold 6] [BUILD_DIR ...]

Each BUILD_DIR (default: <repo>/build) holds creekd, creekctl and
tests/creek-sql; with two (before, after) the campaigns run one after the
other and both tables are printed. Figures, not pass/fail: the gap bound of
the test is lifted."""

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--hold", type=float, default=6.0)
    ap.add_argument("builds", nargs="*", default=[os.path.join(ROOT, "build")])
    a = ap.parse_args()
    for build in a.builds:
        print(f"\n== {build}: {a.reps} rounds, each fault held {a.hold} s", flush=True)
        env = {**os.environ, "CREEK_BUILD": os.path.abspath(build),
               "CREEK_TIMING_BUILD": os.path.abspath(build),
               "CREEK_FAULT_REPS": str(a.reps), "CREEK_FAULT_HOLD_S": str(a.hold),
               "CREEK_FAULT_GAP_MAX_S": "1000000", "CI": "true"}
        out = subprocess.run([sys.executable, "-m", "unittest", "test_faults"],
                             cwd=os.path.join(ROOT, "tests", "cluster"), env=env,
                             capture_output=True, text=True)
        table = [line for line in out.stderr.splitlines() if "|" in line]
        print("\n".join(table) if table else out.stderr[-3000:])
        if out.returncode != 0:
            print(out.stderr[-3000:])


if __name__ == "__main__":
    main()
