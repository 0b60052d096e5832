"""Security events in creekd's stderr log: one creekd, its log read back.

Covers: setup, a failed and a successful sign-in, sign-in throttling, a
CSRF refusal, an authorization refusal, an API key's creation, a password
change; each is logged once, with its actor, workspace, client address and
request id; a value sent to forge a log line stays on its line, escaped.
Leaves out the journald fields (node/journal.c sends the same fields; no
journal runs here) and cluster joins (tests/cluster/test_cluster.py,
BadJoins, reads node_joined, join_refused and node_removed)."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import Node  # noqa: E402
from identity_client import Client, new_password  # noqa: E402

LOGIN = "sec.admin"
FORGED = "2026-01-01T00:00:00.000Z notice web: security: sign_in: forged"


class SecurityLog(unittest.TestCase):
    def setUp(self):
        self.node = Node().start()
        self.admin = Client.for_node(self.node, who="installation admin")
        self.password = new_password()
        d = self.admin.setup(LOGIN, "Qian Ming", self.password, "Security Ltd").json()
        self.ws = d["workspace"]["id"]

    def tearDown(self):
        self.node.close()

    def events(self, name):
        """The log lines of security event name."""
        return [line for line in self.node.read_log().splitlines()
                if f" security: {name}: " in line]

    def assert_logged_once(self, name, actor, method_path, workspace="-"):
        lines = [line for line in self.events(name) if f"{method_path}'" in line]
        self.assertEqual(len(lines), 1, f"{name}: {lines}\n{self.node.read_log()[-3000:]}")
        self.assertRegex(lines[0], re.escape(f"actor '{actor}', workspace '{workspace}', "
                                             f"client '127.0.0.1', request ") + r"[0-9a-f]{16}$")
        return lines[0]

    def test_sign_ins_refusals_and_changes_are_logged_once(self):
        self.assert_logged_once("setup", LOGIN, "POST '/api/v1/setup")
        other = Client.for_node(self.node)
        other.sign_in(LOGIN, "not the password", expect=401)
        self.assert_logged_once("sign_in_failed", LOGIN, "POST '/api/v1/session")
        other.sign_in(LOGIN, self.password)
        line = self.assert_logged_once("sign_in", LOGIN, "POST '/api/v1/session")
        self.assertIn(" info web: ", line)

        # A change without the session's CSRF token.
        other.patch("/me", {"name": "Qian Ming 2"}, csrf=False, expect=403)
        self.assert_logged_once("csrf_refused", LOGIN, "PATCH '/api/v1/me")
        self.assertEqual(self.events("access_denied"), [])

        key = self.admin.ok("POST", f"/workspaces/{self.ws}/api-keys", {"name": "ops"},
                            status=201)["key"]
        self.assert_logged_once("api_key_created", LOGIN,
                                f"POST '/api/v1/workspaces/{self.ws}/api-keys", self.ws)
        # An API key outside the org API: refused.
        Client.with_key(self.node, key).get("/me", expect=403)
        self.assert_logged_once("access_denied", "-", "GET '/api/v1/me")

        new = new_password()
        self.admin.put("/me/password", {"current_password": self.password,
                                        "new_password": new}, expect=204)
        self.assert_logged_once("password_changed", LOGIN, "PUT '/api/v1/me/password")

    def test_throttled_sign_ins_are_logged(self):
        c = Client.for_node(self.node)
        for _ in range(10):
            if c.sign_in(LOGIN, "wrong", expect=(401, 429)).status == 429:
                break
        self.assertGreaterEqual(len(self.events("sign_in_throttled")), 1)

    def test_a_value_cannot_forge_a_log_line(self):
        Client.for_node(self.node).sign_in(f"x\n{FORGED}\u202e", "pw", expect=(400, 401))
        log = self.node.read_log()
        self.assertNotIn("\n" + FORGED, log)
        self.assertNotIn("\u202e", log)
        lines = [line for line in log.splitlines() if "forged" in line]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("x\\n2026-01-01T00:00:00.000Z", lines[0])
        self.assertIn("forged\\u202e", lines[0])


if __name__ == "__main__":
    unittest.main()
