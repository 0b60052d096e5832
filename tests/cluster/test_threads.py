"""No HTTP thread waits on a peer (issues 15 and 16).

A follower cut off from its peers (nftables; its clients still reach it)
is sent 40 write requests at a time, more than its 16 HTTP threads, for
a few seconds: each waits for a leader it cannot reach. Meanwhile a file
of the UI is asked for every 50 ms. The API's handlers run on workers
(web/workers.h), so the HTTP threads stay free: the file is answered at
once, every time. Before, the file waited behind the writes for an HTTP
thread. Then the writes are answered as they must be (no 2xx from a node
that cannot reach the majority, no `unavailable` for a write that may
still commit) and, after the heal, the node writes again.

With one HTTP thread (four workers, 32 requests in hand at most), 60 such
writes at a time: those past the bound are answered at once, 503 with
Retry-After: 1 (nothing ran), and the file is still served at once."""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import wait_for  # noqa: E402
from netcluster import NetCluster, tools_present  # noqa: E402

PRESSURE = os.path.join(os.path.dirname(__file__), "..", "lib", "http_pressure.py")


class CutOffFollower:
    """A 3-node cluster with THREADS HTTP threads on each node."""
    THREADS = "16"

    def setUp(self):
        self.c = NetCluster(3, ["--http-threads", self.THREADS],
                            build=os.environ.get("CREEK_TIMING_BUILD"))
        self.addCleanup(self.c.close)
        self.c.form()

    def pressure(self, i, writers, seconds):
        out = subprocess.run(
            ["ip", "netns", "exec", self.c.ns[i], sys.executable, PRESSURE, "--data-dir",
             self.c.data_dir(i), "--writers", str(writers), "--seconds", str(seconds),
             "--tag", f"threads-{os.getpid()}"],
            capture_output=True, text=True, timeout=seconds + 120, check=True)
        return json.loads(out.stdout)


@unittest.skipUnless(tools_present() or os.environ.get("CI"),
                     "needs root, iproute2 and nftables (always run in CI)")
class Threads(CutOffFollower, unittest.TestCase):
    def test_a_cut_off_follower_still_serves_while_its_writes_wait(self):
        c = self.c
        leader = c.wait_leader()
        follower = (leader + 1) % 3
        c.cut(follower)
        try:
            r = self.pressure(follower, writers=40, seconds=6)
        finally:
            c.heal(follower)
        probes = sorted(r["probes"])
        print(f"\ncut-off follower, 40 writers: file answered in median "
              f"{probes[len(probes) // 2] * 1000:.1f} ms, max {probes[-1] * 1000:.1f} ms "
              f"({len(probes)} asks); writes {r['statuses']}, longest "
              f"{r['longest_write']:.2f} s", file=sys.stderr)
        self.assertGreater(len(probes), 20)
        self.assertLess(probes[-1], 0.5, "a file waited for an HTTP thread")
        self.assertNotIn("200", r["statuses"], "a cut-off node acknowledged a write")
        self.assertNotIn("201", r["statuses"], "a cut-off node acknowledged a write")
        # After the heal it writes again.
        t = time.monotonic()
        wait_for(lambda: c.http(follower, "POST", "/api/v1/cluster/write-checks",
                                {"tag": "after"})[0] in (200, 201), 60, "a write after the heal")
        print(f"writes again {time.monotonic() - t:.2f} s after the heal", file=sys.stderr)


@unittest.skipUnless(tools_present() or os.environ.get("CI"),
                     "needs root, iproute2 and nftables (always run in CI)")
class FullQueue(CutOffFollower, unittest.TestCase):
    THREADS = "1"

    def test_past_the_bound_requests_are_refused_at_once_with_retry_after(self):
        c = self.c
        follower = (c.wait_leader() + 1) % 3
        c.cut(follower)
        try:
            r = self.pressure(follower, writers=60, seconds=4)
        finally:
            c.heal(follower)
        probes = sorted(r["probes"])
        print(f"\none HTTP thread, 60 writers on a cut-off follower: {r['statuses']}; "
              f"file max {probes[-1] * 1000:.1f} ms", file=sys.stderr)
        self.assertGreater(r["statuses"].get("503 Retry-After 1", 0), 0,
                           "no request was refused for a full queue")
        self.assertLess(probes[-1], 0.5, "a file waited for the HTTP thread")
        self.assertNotIn("200", r["statuses"])
        self.assertNotIn("201", r["statuses"])


if __name__ == "__main__":
    unittest.main()
