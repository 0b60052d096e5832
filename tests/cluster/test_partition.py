"""Network partitions, made with network namespaces of our own and nftables
(tests/lib/netcluster.py): three creekd nodes, a writer client beside each
that writes through its node on loopback. Two cuts, each healed after a
while: a minority node (a follower) and then the leader. While cut off, a
minority node acknowledges no write; the majority goes on; afterwards every
acknowledged write is stored exactly once and all nodes hold the same rows.
How long the majority may stall is test_faults.py's."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import wait_for  # noqa: E402
from netcluster import NetCluster, tools_present  # noqa: E402

CUT_S = 9.0
ARGS = ["--cluster-probe-interval", "250", "--cluster-offline-after", "60000",
        "--write-timeout", "3000", "--store-timeout", "1500"]


@unittest.skipUnless(tools_present() or os.environ.get("CI"),
                     "needs root, iproute2 and nftables (always run in CI)")
class Partitions(unittest.TestCase):
    N = 3

    def setUp(self):
        self.c = NetCluster(self.N, ARGS)
        self.addCleanup(self.c.close)

    def isolate_and_heal(self, i):
        """Cut node i off, check the majority writes and i does not, heal."""
        c = self.c
        c.cut(i)
        t_cut = time.monotonic()
        majority = [f"w{k}" for k in range(self.N) if k != i]
        # The majority goes on (after at most an election).
        wait_for(lambda: all(c.acks_after(w, t_cut + 0.5) for w in majority), 30,
                 "the majority to acknowledge writes during the cut")
        time.sleep(max(0.0, CUT_S - (time.monotonic() - t_cut)))
        t_heal = time.monotonic()
        c.heal(i)
        # No write through the cut-off node was acknowledged while it was
        # cut off, and it did refuse some (503 after write-timeout).
        begun = [a for a in c.attempts(f"w{i}") if t_cut + 0.5 < a["t0"] < t_heal]
        during = [a for a in begun if a["t1"] < t_heal and a["status"] in (200, 201)]
        self.assertEqual(during, [], f"node {i} acknowledged writes while cut off")
        refused = [a for a in begun if a["t1"] < t_heal and a["status"] not in (200, 201)]
        self.assertTrue(refused, f"node {i} refused no write during the cut")
        # After healing it writes again.
        wait_for(lambda: c.acks_after(f"w{i}", t_heal), 60, f"node {i} to write after healing")

    def test_minority_and_leader_partitions_lose_nothing(self):
        c = self.c
        tag = f"part-{os.getpid()}"
        c.form()
        for i in range(self.N):
            c.start_writer(i, tag, f"w{i}")
        t0 = time.monotonic()
        wait_for(lambda: all(c.acks_after(f"w{i}", t0) for i in range(self.N)), 30,
                 "first writes")

        # 1. A minority: a follower.
        leader = c.wait_leader()
        follower = next(i for i in range(self.N) if i != leader)
        self.isolate_and_heal(follower)
        # 2. The leader itself.
        leader = c.wait_leader()
        self.isolate_and_heal(leader)
        c.wait_leader()

        # Stop the clients (each settles its last key), then compare.
        c.settle_writers(tag)
        acked = {a["key"] for i in range(self.N) for a in c.attempts(f"w{i}")
                 if a["status"] in (200, 201)}
        self.assertGreater(len(acked), 30)
        views = [wait_for(lambda i=i: (lambda s: s if acked <= set(s) else None)(
            c.stored(i, tag)), 30, f"node {i} to hold every acknowledged write")
            for i in range(self.N)]
        self.assertEqual({k: n for k, n in views[0].items() if n != 1}, {},
                         "writes applied more than once")
        for v in views[1:]:
            self.assertEqual(v, views[0], "nodes disagree after healing")


if __name__ == "__main__":
    unittest.main()
