"""One answer for a replayed write, on a real 3-node cluster: a create
retried under the same Idempotency-Key, on any node, gets the answer the
first run got (201, the same id), also when the leader died right after
COMMIT and the follower that forwarded the request retried it on the new
leader itself. The first node, which leads, runs with the test-only fault
test-exit-after-write: it exits after committing a write whose key starts
with "crash-", before answering. Every node runs with test-fail-after-write:
a create sent straight to it under a key starting with "fail-" commits,
then is answered as if reading its record back had failed; that answer
must be outcome_unknown (never unavailable: something was written), and
the client's retry through another node (forwarded to the leader) gets
the 201 of the first run."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

from creek import Cluster, wait_for  # noqa: E402
from identity_client import Client, new_password  # noqa: E402

CRASH = "crash-"  # keys the first leader dies on, right after COMMIT
FAIL = "fail-"    # keys answered as if the read after the commit failed


class ReplaysOnACluster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = Cluster(3, extra_args=["--test-fail-after-write", FAIL])
        cls.c.nodes[0].extra_args += ["--test-exit-after-write", CRASH]
        cls.c.start()
        try:
            cls.arrange()
        except BaseException:
            cls.c.close()
            raise

    @classmethod
    def arrange(cls):
        first = cls.c.nodes[0]
        root = Client.for_node(first, "root")
        cls.password = new_password()
        cls.ws = root.setup("root", "Root", cls.password, "Acme", code=cls.c.setup_code()).json()["workspace"]["id"]
        cls.W = f"/api/v1/workspaces/{cls.ws}"
        cls.app = root.ok("POST", f"{cls.W}/apps", {"name": "订单"}, status=201)["id"]
        root.ok("PUT", f"{cls.W}/apps/{cls.app}/form",
                {"version": 0, "fields": [{"id": "t", "type": "text", "label": "T"}]})
        # One signed-in client per node, all the same account.
        cls.on = []
        for node in cls.c.nodes:
            cl = Client.for_node(node, who=f"root on {node.http_port}")
            cl.sign_in("root", cls.password)
            cls.on.append(cl)

    @classmethod
    def tearDownClass(cls):
        cls.c.close()

    def records_with(self, client, text):
        r = client.post(f"{self.W}/apps/{self.app}/records/query",
                        {"filter": {"conditions": [{"field": "t", "op": "eq", "value": text}]}})
        self.assertEqual(r.status, 200, r.text())
        return [rec["id"] for rec in r.json()["records"]]

    def assert_records_with(self, client, text, ids):
        """The node's read model (which follows the store) comes to hold ids."""
        try:
            wait_for(lambda: self.records_with(client, text) == ids, 20, f"records {ids}")
        except AssertionError:
            self.assertEqual(self.records_with(client, text), ids)

    def test_a_create_sent_again_to_another_node_gets_the_same_201_and_id(self):
        one, two = self.on[1], self.on[2]
        creates = [
            (f"{self.W}/apps/{self.app}/records", {"values": {"t": "again-1"}}, "id"),
            (f"{self.W}/departments", {"name": "Again"}, "id"),
            (f"{self.W}/members", {"login": "again", "name": "Again", "password": new_password()},
             "account_id"),
        ]
        first_record = None
        for path, body, id_key in creates:
            key = {"Idempotency-Key": f"again-{path.rsplit('/', 1)[-1]}"}
            first = one.post(path, body, headers=key)
            self.assertEqual(first.status, 201, first.text())
            first_record = first_record or first.json()[id_key]
            again = two.post(path, body, headers=key)
            self.assertEqual(again.status, 201, again.text())
            self.assertEqual(again.json()[id_key], first.json()[id_key], path)
        self.assert_records_with(two, "again-1", [first_record])
        depts = two.ok("GET", f"{self.W}/departments")
        depts = depts["departments"] if isinstance(depts, dict) else depts
        self.assertEqual(len([d for d in depts if d["name"] == "Again"]), 1)

    def test_deletes_and_form_saves_sent_again_answer_as_the_first_time(self):
        one, two = self.on[1], self.on[2]
        dept = one.ok("POST", f"{self.W}/departments", {"name": "Gone"}, status=201)
        key = {"Idempotency-Key": "again-delete-dept"}
        path = f"{self.W}/departments/{dept['id']}"
        self.assertEqual(one.delete(path, headers=key).status, 204)
        r = two.delete(path, headers=key)
        self.assertEqual(r.status, 204, r.text())
        # Without the key it is another request: the department is gone.
        self.assertEqual(two.delete(path).status, 404)

        rec = one.ok("POST", f"{self.W}/apps/{self.app}/records", {"values": {"t": "del"}},
                     status=201)["id"]
        key = {"Idempotency-Key": "again-delete-record"}
        path = f"{self.W}/apps/{self.app}/records/{rec}"
        self.assertEqual(one.delete(path, headers=key).status, 204)
        r = two.delete(path, headers=key)
        self.assertEqual(r.status, 204, r.text())

        app = one.ok("POST", f"{self.W}/apps", {"name": "表单"}, status=201)["id"]
        key = {"Idempotency-Key": "again-form-save"}
        body = {"version": 0, "fields": [{"id": "a", "type": "text", "label": "A"}]}
        first = one.put(f"{self.W}/apps/{app}/form", body, headers=key)
        self.assertEqual(first.status, 200, first.text())
        again = two.put(f"{self.W}/apps/{app}/form", body, headers=key)
        self.assertEqual(again.status, 200, again.text())
        self.assertEqual(again.json()["version"], first.json()["version"])
        # The same save without the key is a stale version.
        self.assertEqual(two.put(f"{self.W}/apps/{app}/form", body).status, 409)

    def test_a_key_whose_first_attempt_failed_runs_normally(self):
        one, two = self.on[1], self.on[2]
        taken = one.ok("POST", f"{self.W}/departments", {"name": "Taken"}, status=201)
        key = {"Idempotency-Key": "retry-after-conflict"}
        # Rolled back in the writer (the name is taken): nothing recorded.
        r = one.post(f"{self.W}/departments", {"name": "Taken"}, headers=key)
        self.assertEqual(r.status, 409, r.text())
        one.ok("DELETE", f"{self.W}/departments/{taken['id']}")
        r = two.post(f"{self.W}/departments", {"name": "Taken"}, headers=key)
        self.assertEqual(r.status, 201, r.text())
        self.assertNotEqual(r.json()["id"], taken["id"])

    def test_a_key_sent_with_another_path_is_another_request(self):
        one, two = self.on[1], self.on[2]
        key = {"Idempotency-Key": "shared-key"}
        dept = one.post(f"{self.W}/departments", {"name": "Shared"}, headers=key)
        self.assertEqual(dept.status, 201, dept.text())
        app = two.post(f"{self.W}/apps", {"name": "Shared"}, headers=key)
        self.assertEqual(app.status, 201, app.text())
        self.assertEqual(app.json()["name"], "Shared")

    def test_a_create_that_failed_after_its_commit_is_outcome_unknown_then_201(self):
        c = self.c
        leader = wait_for(c.leader, 30, "a leader")
        at_leader = self.on[c.nodes.index(leader)]
        other = self.on[next(i for i, n in enumerate(c.nodes)
                             if n is not leader and n in c.alive())]
        key = {"Idempotency-Key": f"{FAIL}record-1"}
        path = f"{self.W}/apps/{self.app}/records"
        r = at_leader.post(path, {"values": {"t": "fail-1"}}, headers=key)
        self.assertEqual((r.status, r.error_code), (503, "outcome_unknown"), r.text())
        self.assertIn(f"'{FAIL}record-1'", r.error_message)
        # The write is there; the retry (forwarded to the leader) gets its 201.
        again = other.post(path, {"values": {"t": "fail-1"}}, headers=key)
        self.assertEqual(again.status, 201, again.text())
        self.assertEqual(again.json()["values"]["t"], "fail-1")
        self.assert_records_with(other, "fail-1", [again.json()["id"]])

    def test_the_leader_dying_right_after_commit_still_answers_201_with_the_id(self):
        c, first, one = self.c, self.c.nodes[0], self.on[1]
        wait_for(lambda: c.leader() is first, 30, "the first node to lead")
        # Sent to a follower, which forwards it to the leader; the leader
        # commits and exits before answering; the follower's retry reaches
        # the new leader (or is run by the follower, if it now leads).
        r = one.post(f"{self.W}/apps/{self.app}/records", {"values": {"t": "crash-1"}},
                     headers={"Idempotency-Key": f"{CRASH}record-1"}, timeout=90)
        self.assertEqual(first.proc.wait(30), 75, "the leader did not die after the commit")
        self.assertEqual(r.status, 201, r.text())
        rec = r.json()["id"]
        self.assertEqual(r.json()["values"]["t"], "crash-1")
        self.assert_records_with(one, "crash-1", [rec])
        # The client's own retry, on the other live node, gets the same.
        again = self.on[2].post(f"{self.W}/apps/{self.app}/records",
                                {"values": {"t": "crash-1"}},
                                headers={"Idempotency-Key": f"{CRASH}record-1"})
        self.assertEqual(again.status, 201, again.text())
        self.assertEqual(again.json()["id"], rec)
        self.assert_records_with(self.on[2], "crash-1", [rec])


if __name__ == "__main__":
    unittest.main()
