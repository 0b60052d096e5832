"""Short-lived node certificates (issue 14, item 13): on a 3-node cluster
whose certificates live 40 s, every node renews its own through the store
(the node that holds the CA key signs), writes go on through every node
while they do, and the certificate a node held before is refused by every
member once it renewed (a copy of a node's files stops opening the cluster).
A cluster stopped for longer than its certificates live starts again by
itself, and its nodes renew at once. Not covered: a signer that stays down
(the warning), which needs days of a real lifetime."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import CREEK_SQL, Cluster, Writer, wait_for  # noqa: E402
from test_cluster import assert_exactly_once  # noqa: E402

LIFETIME_S = 40


def cert_field(path, field):
    out = subprocess.run(["openssl", "x509", "-noout", f"-{field}", "-in", path],
                         capture_output=True, text=True, timeout=10, check=True)
    return out.stdout.strip().split("=", 1)[1]


def serial(node):
    return cert_field(os.path.join(node.data_dir, "cluster", "node.crt"), "serial").upper()


def not_after(node):
    out = subprocess.run(["date", "-d", cert_field(os.path.join(node.data_dir, "cluster",
                                                                "node.crt"), "enddate"), "+%s"],
                         capture_output=True, text=True, timeout=10, check=True)
    return int(out.stdout)


def store_query(node, tls_dir):
    """SELECT 1 on node's cluster port with the certificate in tls_dir: whether it ran."""
    out = subprocess.run([CREEK_SQL, node.cluster_address, "system", "query", "SELECT 1"],
                         capture_output=True, text=True, timeout=30,
                         env={**os.environ, "CREEK_TLS_DIR": tls_dir})
    return out.returncode == 0


class Renewal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = Cluster(3, extra_args=["--cluster-cert-lifetime", str(LIFETIME_S)])
        cls.cluster.start()
        cls.tmp = tempfile.mkdtemp(prefix="creek-renewal-")

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def copy_files(self, node, name):
        d = os.path.join(self.tmp, name)
        os.makedirs(d)
        for f in ("node.crt", "node.key", "ca.crt"):
            shutil.copy(os.path.join(node.data_dir, "cluster", f), d)
        return d

    def all_renewed(self, before):
        return all(serial(n) != before[n.data_dir] for n in self.cluster.nodes)

    def test_1_every_node_renews_and_its_old_certificate_is_refused(self):
        c = self.cluster
        before = {n.data_dir: serial(n) for n in c.nodes}
        old = [self.copy_files(n, f"old-{i}") for i, n in enumerate(c.nodes)]
        for d in old:
            self.assertTrue(all(store_query(n, d) for n in c.nodes))
        tag = f"renewal-{os.getpid()}"
        writers = [Writer(c.nodes, n, tag, f"w{i}").start() for i, n in enumerate(c.nodes)]
        wait_for(lambda: self.all_renewed(before), LIFETIME_S * 3,
                 "every node to renew its certificate")
        # The table holds each node's new serial alone, no request is left.
        want = {n.node_id(): serial(n) for n in c.nodes}

        def table_settled():
            rows = c.nodes[0].sql("system", "query",
                                  "SELECT node_id, cert_serial, next_serial FROM cluster_node")
            pending = c.nodes[0].sql("system", "query",
                                     "SELECT COUNT(*) FROM cluster_cert_renewal")[0][0]
            return {r[0]: r[1] for r in rows if r[2] is None} == want and pending == 0
        # A node may renew again in the meantime: compare with its files each time.
        wait_for(lambda: table_settled() or want.update(
            {n.node_id(): serial(n) for n in c.nodes}), 30, "the table to hold the new serials")
        # Every member refuses the certificates held before (within a round);
        # each node's current files still open every member.
        for d in old:
            wait_for(lambda: not any(store_query(n, d) for n in c.nodes), 15,
                     "the old certificate to be refused")
        for n in c.nodes:
            self.assertTrue(store_query(c.nodes[0], os.path.join(n.data_dir, "cluster")))
            self.assertEqual([f for f in os.listdir(os.path.join(n.data_dir, "cluster"))
                              if f.endswith(".next")], [])
        logs = [n.read_log() for n in c.nodes]
        self.assertIn("signed the renewed certificate of node", logs[0])
        for log in logs:
            self.assertIn("renewed this node's cluster certificate", log)
        # Writes went on through every node; each acknowledged once.
        start = time.monotonic()
        wait_for(lambda: all(w.last_ack > start for w in writers), 30, "writes after renewal")
        for w in writers:
            w.finish()
        self.assertGreater(assert_exactly_once(self, c, writers, tag), 30)

    def test_2_a_cluster_stopped_past_its_certificates_starts_again(self):
        c = self.cluster
        for n in c.nodes:
            n.stop()
        expiry = max(not_after(n) for n in c.nodes)
        wait_for(lambda: time.time() > expiry + 1, LIFETIME_S + 10,
                 "every certificate to expire")
        before = {n.data_dir: serial(n) for n in c.nodes}
        for n in c.nodes:
            n.start(wait=False)
        for n in c.nodes:
            try:
                wait_for(lambda: n.get("/api/v1/health", timeout=5).status == 200, 90,
                         "the node to answer")
            except AssertionError:
                print(n.read_log()[-4000:], file=sys.stderr)
                raise
        c.wait_settled(timeout_s=60)
        wait_for(lambda: self.all_renewed(before), 30, "every node to renew at once")
        tag = f"renewal-back-{os.getpid()}"
        writers = [Writer(c.nodes, n, tag, f"b{i}").start() for i, n in enumerate(c.nodes)]
        wait_for(lambda: all(len(w.acked) >= 3 for w in writers), 30, "writes on every node")
        for w in writers:
            w.finish()
        assert_exactly_once(self, c, writers, tag)


if __name__ == "__main__":
    unittest.main()
