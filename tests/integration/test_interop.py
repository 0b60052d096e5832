"""Interoperability with go-dqlite's `dqlite` shell, an independent client
written by dqlite's authors (Debian package go-dqlite): it reads what
Creek's client wrote, and Creek's client reads what it wrote, on the
embedded node of a running creekd."""

import shutil
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import Node  # noqa: E402


def dqlite_shell(node, db, sql):
    out = subprocess.run(["dqlite", "-s", node.cluster_address, db, sql],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise AssertionError(f"dqlite shell failed: {out.stdout}{out.stderr}")
    return [line.split("|") for line in out.stdout.splitlines() if line]


@unittest.skipUnless(shutil.which("dqlite"), "go-dqlite's dqlite shell is not installed")
class GoDqliteInterop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # go-dqlite's shell speaks plain dqlite: a loopback node without
        # cluster TLS (the only place creekd allows that).
        cls.node = Node(extra_args=["--cluster-tls", "off"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def test_go_client_reads_what_creek_wrote(self):
        rows = dqlite_shell(self.node, "system",
                            "SELECT node_id, address, creek_version FROM node_start")
        self.assertEqual(rows[0][0], "1")
        self.assertEqual(rows[0][1], self.node.cluster_address)
        self.node.sql("shared", "exec", "CREATE TABLE c (id INTEGER PRIMARY KEY, t TEXT, f REAL)")
        self.node.sql("shared", "exec", "INSERT INTO c VALUES (?, ?, ?)", "i:9007199254740993",
                      "t:溪流 Creek", "f:0.125")
        self.assertEqual(dqlite_shell(self.node, "shared", "SELECT id, t, f FROM c"),
                         [["9007199254740993", "溪流 Creek", "0.125"]])

    def test_creek_client_reads_what_go_wrote(self):
        dqlite_shell(self.node, "fromgo", "CREATE TABLE g (id INTEGER PRIMARY KEY, t TEXT, "
                     "b BLOB, n INTEGER)")
        dqlite_shell(self.node, "fromgo", "INSERT INTO g VALUES (1, '中文', x'00ff10', NULL)")
        dqlite_shell(self.node, "fromgo", "INSERT INTO g VALUES (-9223372036854775808, '', "
                     "x'', 42)")
        rows = self.node.sql("fromgo", "query", "SELECT id, t, b, n FROM g ORDER BY id")
        self.assertEqual(rows, [[-9223372036854775808, "", {"blob_hex": ""}, 42],
                                [1, "中文", {"blob_hex": "00ff10"}, None]])


if __name__ == "__main__":
    unittest.main()
