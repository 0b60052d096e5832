"""creekd runs the storage engine the build was made with, and says so in
the same words everywhere: `creekd --version`, GET /api/v1/health and
`creekctl version`. tests/run-all.sh sets CREEK_EXPECT_DQLITE and
CREEK_EXPECT_RAFT from the engine it built."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import CREEKCTL, CREEKD, Node  # noqa: E402

EXPECT_DQLITE = os.environ.get("CREEK_EXPECT_DQLITE")
EXPECT_RAFT = os.environ.get("CREEK_EXPECT_RAFT")


@unittest.skipUnless(EXPECT_DQLITE and EXPECT_RAFT, "no expected engine versions given")
class EngineVersions(unittest.TestCase):
    def test_every_surface_reports_the_engine_in_use(self):
        out = subprocess.run([CREEKD, "--version"], capture_output=True, text=True, check=True)
        self.assertIn(f"(dqlite {EXPECT_DQLITE}, raft {EXPECT_RAFT})", out.stdout)
        node = Node().start()
        try:
            version = node.get("/api/v1/health").json()["version"]
            self.assertEqual(version["dqlite"], EXPECT_DQLITE)
            self.assertEqual(version["raft"], EXPECT_RAFT)
            out = subprocess.run([CREEKCTL, "--url", f"http://127.0.0.1:{node.http_port}",
                                  "--data-dir", node.data_dir, "version"],
                                 capture_output=True, text=True, check=True)
            self.assertIn(f"(dqlite {EXPECT_DQLITE}, raft {EXPECT_RAFT})", out.stdout)
        finally:
            node.close()

    def test_the_engine_is_not_debian_12s_old_one(self):
        major, minor = (int(x) for x in EXPECT_DQLITE.split(".")[:2])
        self.assertGreaterEqual((major, minor), (1, 17), "dqlite 1.11 carries known safety bugs")


if __name__ == "__main__":
    unittest.main()
