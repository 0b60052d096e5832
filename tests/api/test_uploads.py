"""Uploads stream to disk and are capped (issue 14, item 7).

Covers: an upload's body goes to a temporary file while it comes, so a
node receiving several large uploads at once grows by little memory (the
old node held every declared body in memory); at most max-uploads-per-
account uploads of one account at once (429 with Retry-After past it) and
max-uploads on the node (503 with Retry-After); slots come back with the
answers. Leaves out: peers' copies (tests/cluster/test_files.py) and
the figures at full size (tests/bench/uploads.py prints them).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from creek import Node, wait_for  # noqa: E402
from identity_client import Client, new_password  # noqa: E402
from uploads import HeldUpload, rss_kib  # noqa: E402

MIB = 1 << 20


class UploadsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node(extra_args=("--max-uploads", "3", "--max-uploads-per-account", "2"))
        cls.node.start()
        cls.root = Client.for_node(cls.node, "root")
        cls.ws = cls.root.setup("root", "Root", new_password(), "Acme").json()["workspace"]["id"]
        cls.alice = cls.member("alice")
        cls.bob = cls.member("bob")

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    @classmethod
    def member(cls, name):
        password = new_password()
        cls.root.ok("POST", f"/workspaces/{cls.ws}/members",
                    {"login": name, "name": name.title(), "password": password}, status=201)
        c = Client.for_node(cls.node, who=name)
        c.sign_in(name, password)
        return c

    def upload(self, who, size=1000):
        return HeldUpload(who, self.ws, size).finish()

    def test_uploads_past_the_account_and_node_caps_are_refused_until_one_ends(self):
        held = [HeldUpload(self.alice, self.ws, 4 * MIB) for _ in range(2)]
        for h in held:
            h.send(MIB)
        # each admitted upload has its temporary file: its slot is taken
        wait_for(lambda: self.under_way() == 2, 10, "alice's two uploads admitted")
        status, headers, body = self.upload(self.alice)
        self.assertEqual(status, 429, body)
        self.assertIn(b"uploads are under way", body)
        self.assertIn("Retry-After", headers)
        status, _, body = self.upload(self.bob)
        self.assertEqual(status, 201, "bob has his own slots: " + body.decode())
        bob_held = HeldUpload(self.bob, self.ws, 4 * MIB)
        bob_held.send(MIB)
        wait_for(lambda: self.under_way() == 3, 10, "bob's upload admitted")
        status, headers, body = self.upload(self.root)
        self.assertEqual(status, 503, body)
        self.assertIn("Retry-After", headers)
        for h in held + [bob_held]:
            status, _, body = h.finish()
            self.assertEqual(status, 201, body)
        # the slots came back with the answers
        status, _, body = self.upload(self.alice)
        self.assertEqual(status, 201, body)

    def on_disk(self):
        """Bytes of the uploads under way, in the store's temporary files."""
        d = os.path.join(self.node.data_dir, "files", ".uploads")
        return sum(os.path.getsize(os.path.join(d, n)) for n in os.listdir(d))

    def under_way(self):
        """Uploads admitted and not yet answered (one temporary file each)."""
        return len(os.listdir(os.path.join(self.node.data_dir, "files", ".uploads")))

    def test_large_uploads_under_way_are_on_disk_not_in_memory(self):
        # 2 uploads of 24 MiB, held with 16 MiB of each in: the old node
        # held those 32 MiB in memory, this one a few pages per upload.
        before = rss_kib(self.node.proc.pid)
        held = [HeldUpload(c, self.ws, 24 * MIB) for c in (self.alice, self.bob)]
        for h in held:
            h.send(16 * MIB)
        wait_for(lambda: self.on_disk() == 32 * MIB, 20, "the bodies so far on disk")
        during = rss_kib(self.node.proc.pid)
        for h in held:
            status, _, body = h.finish()
            self.assertEqual(status, 201, body)
        wait_for(lambda: self.on_disk() == 0, 10, "the temporary files to be gone")
        growth_mib = (during - before) / 1024
        self.assertLess(growth_mib, 12, f"RSS grew {growth_mib:.1f} MiB with 32 MiB under way")

if __name__ == "__main__":
    unittest.main()
