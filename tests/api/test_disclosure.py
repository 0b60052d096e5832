"""What answers do not tell: internal failures and the node's topology.

- an internal failure (a SQL error forced by renaming a table under the
  node) is answered 500 in general words with a request id; the SQL text
  goes only to the node's log, under that id;
- anonymous GET /api/v1/health says ok/degraded and nothing else; the
  operator (token) and a signed-in installation administrator (the
  console) read the node, leader, store and versions.

Left out: an unavailable store (the same code path, web/reply.c, answers
CR_EUNAVAIL; the cluster tests kill leaders)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import Node, request  # noqa: E402
from identity_client import Client, new_password  # noqa: E402

ADMIN = "disclosure.admin"


class Disclosure(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node().start()
        cls.admin = Client.for_node(cls.node, who="installation admin")
        cls.admin.setup(ADMIN, "Zhao Lei", new_password(), "Disclosure Ltd")

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def anonymous_health(self):
        return request(self.node.http_port, "GET", "/api/v1/health")

    def test_anonymous_health_says_only_its_status(self):
        r = self.anonymous_health()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})
        signed_out = Client.for_node(self.node).get("/health")
        self.assertEqual(signed_out.json(), {"status": "ok"})

    def test_operator_and_console_admin_see_the_node(self):
        for who, h in (("operator", self.node.get("/api/v1/health").json()),
                       ("admin", self.admin.get("/health").json())):
            with self.subTest(who=who):
                self.assertEqual(h["status"], "ok")
                self.assertEqual(h["node"]["address"], self.node.cluster_address)
                self.assertEqual(h["leader"]["address"], self.node.cluster_address)
                self.assertIn("dqlite", h["version"])
                self.assertIn("uptime_s", h)

    def test_internal_error_is_answered_without_sql_and_logged_under_its_id(self):
        self.node.sql("system", "exec", "ALTER TABLE session RENAME TO session_away")
        try:
            r = self.admin.get("/me")
        finally:
            self.node.sql("system", "exec", "ALTER TABLE session_away RENAME TO session")
        self.assertEqual(r.status, 500, r)
        error = r.json()["error"]
        self.assertEqual(error["code"], "internal")
        self.assertRegex(error["request_id"], r"^[0-9a-f]{16}$")
        self.assertIn(error["request_id"], error["message"])
        for leak in ("SQL", "session", "no such table", self.node.cluster_address,
                     self.node.data_dir):
            self.assertNotIn(leak, r.text(), r)
        lines = [line for line in self.node.read_log().splitlines()
                 if error["request_id"] in line]
        self.assertEqual(len(lines), 1, self.node.read_log()[-4000:])
        self.assertNotIn("GET '/api/v1/me' answered 500", self.node.read_log())  # logged once
        self.assertRegex(lines[0], r" error web: request [0-9a-f]{16} \(GET '/api/v1/me'\): "
                         r"SQL error")
        self.assertEqual(self.admin.get("/me").status, 200)

    def test_store_constraint_text_is_not_answered(self):
        # A uniqueness the engines do not check themselves: the store's
        # words (table and column names) reach only the log.
        ws = self.admin.get("/me").json()["workspaces"][0]["id"]
        self.node.sql("system", "exec", "CREATE UNIQUE INDEX test_name_once ON account(name)")
        try:
            r = self.admin.post(f"/workspaces/{ws}/members",
                                {"login": "same.name", "name": "Zhao Lei",
                                 "password": new_password()})
        finally:
            self.node.sql("system", "exec", "DROP INDEX test_name_once")
        self.assertEqual(r.status, 409, r)
        error = r.json()["error"]
        self.assertEqual(error["code"], "conflict")
        self.assertNotIn("account", r.text())
        self.assertNotIn("constraint", r.text())
        self.assertIn(error["request_id"], self.node.read_log())


if __name__ == "__main__":
    unittest.main()
