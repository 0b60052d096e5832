"""A full data disk costs neither data nor a node (issue 15, items 7-8).

Each node's data dir is its own small filesystem (a size-limited tmpfs) and
runs with a disk-reserve the test crosses by filling that filesystem with
one big file (fallocate), leaving room so that dqlite itself never meets
ENOSPC: what is checked is Creek's guard, not raft's behaviour on ENOSPC.

One node: below the reserve health says degraded (anonymously only that;
to the operator with reason "disk" and the free bytes), a write answers
503 `unavailable` with a message about the disk and nothing is written,
the warning is logged once; a restart while low starts (degraded) and keeps
the operator token; after the file is removed writes work and health is ok.
Three nodes: the leader's disk fills while clients write through every
node; leadership moves to another node, writes go on through every node
(the full node forwards them), and every acknowledged write is stored
exactly once. A follower's disk fills: the leader makes it a spare (raft
sends a spare nothing), writes go on through every node; restarted while
full it starts degraded and stays a spare; when space returns it votes
again and holds every acknowledged write. Not covered: a disk that fills
to the last byte (raft's own ENOSPC handling, which the guard exists to
avoid)."""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from creek import Cluster, Node, Writer, request, wait_for  # noqa: E402

FS_MIB = 128
# A cluster's nodes write their Raft logs for the whole test: room for that
# (each write check costs tens of KiB of log until a snapshot compacts it).
CLUSTER_FS_MIB = 512
RESERVE_MIB = 48
LOW_LINE = "data disk nearly full"
ROOM_LINE = "data disk has room again"


def can_mount():
    return os.geteuid() == 0


def mount_tmpfs(path, mib=FS_MIB):
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={mib}m,mode=0750", "tmpfs", path],
                   check=True)


def umount(path):
    subprocess.run(["umount", "-l", path], check=False)


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(path, leave_mib):
    """One file that leaves leave_mib MiB free (below the reserve)."""
    big = os.path.join(path, "filler")
    size = free_bytes(path) - leave_mib * (1 << 20)
    subprocess.run(["fallocate", "-l", str(size), big], check=True)
    return big


def health(node):
    r = node.get("/api/v1/health", timeout=10)
    return r.status, r.json()


def anonymous_health(node):
    r = request(node.http_port, "GET", "/api/v1/health", timeout=10)
    return r.status, r.json()


def write_check(node, tag, key):
    return node.request("POST", "/api/v1/cluster/write-checks", body=json.dumps({"tag": tag}),
                        headers={"Content-Type": "application/json", "Idempotency-Key": key},
                        timeout=30)


def stored(node, tag):
    return node.sql("system", "query",
                    "SELECT id, COUNT(*) FROM write_check WHERE tag = ? GROUP BY id", f"t:{tag}")


@unittest.skipUnless(can_mount(), "needs root to mount a tmpfs per node (always root in CI)")
class OneNode(unittest.TestCase):
    def setUp(self):
        self.node = Node(extra_args=["--disk-reserve", str(RESERVE_MIB)])
        mount_tmpfs(self.node.data_dir)
        self.node.start()

    def tearDown(self):
        if self.node.proc is not None and self.node.proc.poll() is None:
            self.node.stop()
        umount(self.node.data_dir)
        self.node.close()

    def test_a_full_disk_refuses_writes_and_degrades_health_until_space_returns(self):
        n = self.node
        self.assertEqual(write_check(n, "before", "k-before").status, 201)
        token = n.operator_token()
        big = fill(n.data_dir, RESERVE_MIB // 2)
        wait_for(lambda: anonymous_health(n)[0] == 503, 10, "health degraded")
        self.assertEqual(anonymous_health(n)[1], {"status": "degraded"})
        status, body = health(n)
        self.assertEqual((status, body["status"], body["reason"]), (503, "degraded", "disk"))
        self.assertTrue(body["disk"]["low"])
        self.assertLess(body["disk"]["free_bytes"], RESERVE_MIB << 20)
        self.assertEqual(body["disk"]["reserve_bytes"], RESERVE_MIB << 20)
        r = write_check(n, "low", "k-low")
        self.assertEqual(r.status, 503, r.body)
        self.assertEqual(r.json()["error"]["code"], "unavailable")
        self.assertIn("disk", r.json()["error"]["message"])
        self.assertEqual(stored(n, "low"), [])
        self.assertEqual(len(stored(n, "before")), 1)
        time.sleep(2.5)  # more checks of the disk: still one line
        self.assertEqual(n.read_log().count(LOW_LINE), 1, n.read_log())

        # Restarted while low: it starts, degraded, with the same token.
        self.assertEqual(n.stop(), 0)
        n.start(wait=False)
        wait_for(lambda: n.proc.poll() is None and anonymous_health(n)[0] == 503, 30,
                 "the restarted node to answer degraded")
        self.assertEqual(n.operator_token(), token)
        self.assertEqual(health(n)[1]["reason"], "disk")

        os.unlink(big)
        wait_for(lambda: anonymous_health(n)[0] == 200, 10, "health ok again")
        self.assertEqual(n.read_log().count(ROOM_LINE), 1,
                         [x for x in n.read_log().splitlines() if ROOM_LINE in x])
        r = write_check(n, "after", "k-after")
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(len(stored(n, "after")), 1)
        self.assertEqual(stored(n, "low"), [])


@unittest.skipUnless(can_mount(), "needs root to mount a tmpfs per node (always root in CI)")
class ThreeNodes(unittest.TestCase):
    def setUp(self):
        self.c = Cluster(3, extra_args=["--disk-reserve", str(RESERVE_MIB)])
        for node in self.c.nodes:
            mount_tmpfs(node.data_dir, CLUSTER_FS_MIB)
        self.c.start()

    def tearDown(self):
        for node in self.c.nodes:
            if node.proc is not None and node.proc.poll() is None:
                node.proc.kill()
                node.proc.wait()
            umount(node.data_dir)
        self.c.close()

    def test_a_full_leader_hands_over_and_writes_go_on_through_every_node(self):
        c = self.c
        leader = wait_for(c.leader, 20, "a leader")
        writers = [Writer(c.nodes, node, "disk", f"w{i}").start()
                   for i, node in enumerate(c.nodes)]
        try:
            wait_for(lambda: all(len(w.acked) >= 3 for w in writers), 20, "writes everywhere")
            big = fill(leader.data_dir, RESERVE_MIB // 2)
            filled = time.monotonic()
            new = wait_for(lambda: (lambda x: x if x is not None and x is not leader else None)(
                c.leader()), 15, "leadership to move off the full node")
            self.assertIsNot(new, leader)
            status, body = health(leader)
            self.assertEqual((status, body["reason"]), (503, "disk"))
            counts = [len(w.acked) for w in writers]
            wait_for(lambda: all(len(w.acked) >= k + 5 for w, k in zip(writers, counts)), 20,
                     "writes through every node, the full one included")
            print(f"\nleadership left the full node {time.monotonic() - filled:.1f} s after "
                  "it filled", file=sys.stderr)
            os.unlink(big)
            wait_for(lambda: anonymous_health(leader)[0] == 200, 10, "health ok again")
        finally:
            for w in writers:
                w.finish()
        acked = {}
        for w in writers:
            acked.update(w.acked)
        rows = dict(stored(new, "disk"))
        missing = [k for k, i in acked.items() if i not in rows]
        self.assertEqual(missing, [])
        self.assertEqual([i for i, k in rows.items() if k != 1], [])
        self.assertEqual(leader.read_log().count(LOW_LINE), 1)

    def test_a_full_follower_becomes_a_spare_and_votes_again_when_freed(self):
        c = self.c
        c.wait_settled(60)
        leader = wait_for(c.leader, 20, "a leader")
        follower = next(n for n in c.nodes if n is not leader)
        fid = follower.node_id()

        def member(st):
            return next((x for x in st["nodes"] if x["id"] == fid), None) if st else None

        def role_is(role, low):
            m = member(c.status(c.leader() or leader))
            return m is not None and m["role"] == role and m["disk_low"] == low

        writers = [Writer(c.nodes, node, "fdisk", f"f{i}").start()
                   for i, node in enumerate(c.nodes)]
        try:
            wait_for(lambda: all(len(w.acked) >= 3 for w in writers), 20, "writes everywhere")
            # Room for the open segments a restart preallocates.
            big = fill(follower.data_dir, RESERVE_MIB - 16)
            filled = time.monotonic()
            wait_for(lambda: role_is("spare", True), 30, "the full follower to become a spare")
            print(f"\nthe full follower became a spare {time.monotonic() - filled:.1f} s after "
                  "it filled", file=sys.stderr)
            time.sleep(1)  # what was in flight lands
            free_as_spare = free_bytes(follower.data_dir)
            counts = [len(w.acked) for w in writers]
            wait_for(lambda: all(len(w.acked) >= k + 20 for w, k in zip(writers, counts)), 30,
                     "writes through every node, the full one included")
            # A spare is sent nothing: its disk stops filling.
            self.assertLess(free_as_spare - free_bytes(follower.data_dir), 1 << 20)

            # Restarted while full: it starts degraded and stays a spare.
            follower.proc.kill()
            follower.proc.wait()
            follower.start(wait=False)
            wait_for(lambda: follower.proc.poll() is None and anonymous_health(follower)[0] == 503,
                     30, "the restarted full follower to answer degraded")
            time.sleep(3)
            self.assertTrue(role_is("spare", True), c.status(leader))
            counts = [len(w.acked) for w in writers]
            try:
                wait_for(lambda: all(len(w.acked) >= k + 5 for w, k in zip(writers, counts)), 20,
                         "writes through every node after the restart")
            except AssertionError:
                print([w.failures[-3:] for w in writers], [health(n) for n in c.nodes],
                      [free_bytes(n.data_dir) >> 20 for n in c.nodes],
                      [n.read_log()[-1500:] for n in c.nodes if n is not follower],
                      file=sys.stderr)
                raise

            os.unlink(big)
            freed = time.monotonic()
            wait_for(lambda: role_is("voter", False), 30, "the freed follower to vote again")
            print(f"it voted again {time.monotonic() - freed:.1f} s after space returned",
                  file=sys.stderr)
            wait_for(lambda: anonymous_health(follower)[0] == 200, 20, "its health ok again")
            counts = [len(w.acked) for w in writers]
            wait_for(lambda: all(len(w.acked) >= k + 5 for w, k in zip(writers, counts)), 20,
                     "writes through every node after space returned")
        finally:
            for w in writers:
                w.finish()
        c.wait_settled(60)
        acked = {}
        for w in writers:
            acked.update(w.acked)
        # Exactly once in the store (creek-sql reads through the leader).
        rows = dict(stored(wait_for(c.leader, 20, "a leader"), "fdisk"))
        self.assertEqual([k for k, i in acked.items() if i not in rows], [])
        self.assertEqual([i for i, k in rows.items() if k != 1], [])
        self.assertEqual(follower.read_log().count("the leader is told to make this node a spare"),
                         1, follower.read_log())


if __name__ == "__main__":
    unittest.main()
