"""The read model on every node (issue 16, item 2): each node keeps each
workspace's records in a local SQLite file that follows the store's
outbox, and answers lists, counts, searches and record reads from it.

On a real 3-node cluster: records created through every node, a bulk
import, edits and deletes, a form saved (a field added), one node killed
and restarted while writes go on, and a node whose model file was
corrupted while it was down. After each, every node's model holds what
the store holds (GET /api/v1/node/read-model?sums=1 compares every app's
rows, model against store, on that node), and the reads were answered by
the model, not the store. Read-your-writes: a client that creates a
record through one node and at once reads it through another gets it,
every time (READS_IN_A_ROW times)."""

import base64
import csv
import io
import os
import signal
import sqlite3
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

from creek import Cluster, Node, wait_for  # noqa: E402
from identity_client import SESSION_COOKIE, Client, new_password  # noqa: E402

READS_IN_A_ROW = int(os.environ.get("CREEK_RYW_READS", "1000"))
POSITION_COOKIE = "__Host-creek_position"
CHOICES = {"choices": [{"id": "a", "label": "甲"}, {"id": "b", "label": "乙"}]}


def model(node, sums=True):
    r = node.get("/api/v1/node/read-model" + ("?sums=1" if sums else ""), timeout=60)
    assert r.status == 200, r.body
    return r.json()


def same_as_store(node):
    """The node's model has caught up and every app's rows equal the store's."""
    m = model(node)
    dbs = [d for d in m["databases"] if d["apps"]]
    ok = dbs and all(d["built"] and d["lag"] == 0 and all(a.get("same") for a in d["apps"])
                     for d in dbs)
    return m if ok else None


class ReadModel(unittest.TestCase):
    def setUp(self):
        self.c = Cluster(3)
        self.c.start()
        self.addCleanup(self.c.close)
        first = self.c.nodes[0]
        root = Client.for_node(first, "root")
        self.password = new_password()
        self.ws = root.setup("root", "Root", self.password, "Acme",
                             code=self.c.setup_code()).json()["workspace"]["id"]
        self.W = f"/api/v1/workspaces/{self.ws}"
        self.app = root.ok("POST", f"{self.W}/apps", {"name": "订单"}, status=201)["id"]
        self.fields = [{"id": "name", "type": "text", "label": "名称"},
                       {"id": "n", "type": "number", "label": "数量", "options": {"precision": 0}},
                       {"id": "kind", "type": "select", "label": "类别", "options": CHOICES}]
        r = root.put(f"{self.W}/apps/{self.app}/form", {"version": 0, "fields": self.fields})
        self.assertEqual(r.status, 200, r.text())
        self.clients = []
        for node in self.c.nodes:
            cl = Client.for_node(node, who=f"node {node.http_port}")
            cl.sign_in("root", self.password)
            self.clients.append(cl)

    def R(self, path=""):
        return f"{self.W}/apps/{self.app}/records{path}"

    def wait_same(self, what):
        for node in self.c.nodes:
            wait_for(lambda node=node: same_as_store(node), 60,
                     f"node {node.http_port}'s read model to equal the store after {what}")

    def test_every_node_follows_the_store_and_reads_come_from_it(self):
        cl = self.clients
        # Creates through every node, then a bulk import.
        ids = []
        for i in range(60):
            r = cl[i % 3].post(self.R(), {"values": {"name": f"记录 {i}", "n": i,
                                                     "kind": "ab"[i % 2]}})
            self.assertEqual(r.status, 201, r.text())
            ids.append(r.json()["id"])
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["名称", "数量"])
        for i in range(1200):
            w.writerow([f"导入 {i} alphabet", i])
        r = cl[1].post(f"{self.W}/apps/{self.app}/import", {
            "format": "csv", "content": base64.b64encode(out.getvalue().encode()).decode(),
            "mapping": {"名称": "name", "数量": "n"}, "dry_run": False})
        self.assertEqual(r.status, 200, r.text())
        self.assertEqual(r.json()["imported"], 1200)
        # Edits and deletes.
        for i, rec in enumerate(ids[:20]):
            r = cl[(i + 1) % 3].patch(self.R(f"/{rec}"), {"values": {"n": 1000 + i}})
            self.assertEqual(r.status, 200, r.text())
        for rec in ids[20:30]:
            r = cl[2].delete(self.R(f"/{rec}"))
            self.assertIn(r.status, (200, 204), r.text())
        self.wait_same("creates, an import, edits and deletes")

        before = [model(n, sums=False)["reads"] for n in self.c.nodes]
        for k, node_cl in enumerate(cl):
            r = node_cl.post(self.R("/count"), {})
            self.assertEqual(r.json()["count"], 60 + 1200 - 10)
            r = node_cl.post(self.R("/count"), {"filter": {"conditions": [
                {"field": "kind", "op": "eq", "value": "a"}]}})
            self.assertEqual(r.json()["count"], 25, r.text())
            r = node_cl.post(self.R("/query"), {"q": "alphabet", "limit": 10})
            self.assertEqual(r.status, 200, r.text())
            self.assertEqual(len(r.json()["records"]), 10)
            r = node_cl.get(self.R(f"/{ids[0]}"))
            self.assertEqual(r.json()["values"]["n"], 1000)
        after = [model(n, sums=False)["reads"] for n in self.c.nodes]
        for b, a in zip(before, after):
            # The filtered count, the search and the record (the total
            # count is kept by the store: no scan, no model).
            self.assertGreaterEqual(a["model"] - b["model"], 3, "reads answered by the model")
            self.assertEqual(a["store"] - b["store"], 0, "reads the store answered instead")

        # A field added: that app's tables are rebuilt (not the whole
        # model) and serve the new column.
        db = f"ws-{self.ws}"
        built = [n.read_log().count(f"read model of '{db}' built:") for n in self.c.nodes]
        apps_rebuilt = [n.read_log().count(f"read model of '{db}': 1 apps made, changed or "
                                           "removed, rebuilt") for n in self.c.nodes]
        r = cl[0].put(f"{self.W}/apps/{self.app}/form",
                      {"version": 1, "fields": self.fields + [
                          {"id": "note", "type": "text", "label": "备注"}]})
        self.assertEqual(r.status, 200, r.text())
        r = cl[2].post(self.R(), {"values": {"name": "新", "note": "备注文字"}})
        self.assertEqual(r.status, 201, r.text())
        r = cl[1].get(self.R(f"/{r.json()['id']}"))
        self.assertEqual(r.json()["values"]["note"], "备注文字")
        self.wait_same("a form saved")
        for node, b, a in zip(self.c.nodes, built, apps_rebuilt):
            log = node.read_log()
            self.assertEqual(log.count(f"read model of '{db}' built:"), b,
                             f"node {node.http_port} rebuilt its whole model for a form")
            self.assertGreater(log.count(f"read model of '{db}': 1 apps made, changed or "
                                         "removed, rebuilt"), a,
                               f"node {node.http_port} did not rebuild the app")

    def test_a_write_through_one_node_is_read_at_once_through_another(self):
        """Each write answers with its position; the next read, on another
        node, carries it in the header (an API client), in the cookie (a
        browser) or not at all (then the node asks the leader how far the
        store is): every way, the read sees the write."""
        a, b = self.clients[0], self.clients[1]
        misses = []
        t0 = time.monotonic()
        for i in range(READS_IN_A_ROW):
            r = a.post(self.R(), {"values": {"name": f"ryw {i}", "n": i}})
            self.assertEqual(r.status, 201, r.text())
            rec = r.json()["id"]
            pos = r.header("Creek-Position")
            self.assertRegex(pos or "", rf"^{self.ws}\.[1-9][0-9]*$")
            self.assertIn(f"{POSITION_COOKIE}={pos}; Path=/; HttpOnly; Secure; SameSite=Strict",
                          r.header_all("Set-Cookie"))
            carry = ({"Creek-Position": pos} if i % 3 == 0 else
                     {"Cookie": f"{SESSION_COOKIE}={b.cookie}; {POSITION_COOKIE}={pos}"}
                     if i % 3 == 1 else {})
            got = b.get(self.R(f"/{rec}"), headers=carry)
            if got.status != 200 or got.json()["values"].get("n") != i:
                misses.append((i, got.status))
            (a, b) = (b, self.clients[2]) if i % 2 else (self.clients[2], a)
        print(f"\nread-your-writes: {READS_IN_A_ROW} in {time.monotonic() - t0:.1f} s, "
              f"{len(misses)} misses", file=sys.stderr)
        self.assertEqual(misses, [])

    def test_a_carried_position_is_waited_for_and_only_in_its_workspace(self):
        cl = self.clients[1]
        r = self.clients[0].post(self.R(), {"values": {"name": "位置", "n": 7}})
        self.assertEqual(r.status, 201, r.text())
        rec = r.json()["id"]
        pos = int(r.header("Creek-Position").split(".")[1])

        def read(carried):
            before = model(self.c.nodes[1], sums=False)["reads"]
            t = time.monotonic()
            got = cl.get(self.R(f"/{rec}"), headers={"Creek-Position": carried})
            took = time.monotonic() - t
            after = model(self.c.nodes[1], sums=False)["reads"]
            self.assertEqual(got.status, 200, got.text())
            self.assertEqual(got.json()["values"]["n"], 7)
            return took, after["model"] - before["model"], after["store"] - before["store"]

        # A position the store has not reached: the node waits for its
        # model (bounded), then the store answers.
        took, by_model, by_store = read(f"{self.ws}.{pos + 1000000}")
        self.assertGreaterEqual(took, 0.4, "the carried position was not waited for")
        self.assertEqual((by_model, by_store), (0, 1))
        # Its own position, another workspace's or junk: the model answers.
        for carried in (f"{self.ws}.{pos}", f"w000000000000.{pos + 1000000}", "junk", ""):
            took, by_model, by_store = read(carried)
            self.assertLess(took, 0.4, carried)
            self.assertEqual((by_model, by_store), (1, 0), carried)

    def test_a_permission_change_holds_on_every_node_at_the_next_request(self):
        """What a request reads of rights and forms is kept per node while
        the workspace's rights version stays: a member taken out of the
        group that lets her see every record loses the right on every
        node at her very next request, and gets it back the same way."""
        root = self.clients[0]
        login, password = "wang.fang", new_password()
        m = root.ok("POST", f"{self.W}/members",
                    {"login": login, "name": "王芳", "password": password}, status=201)
        group = root.ok("POST", f"{self.W}/permission-groups",
                        {"name": "数据", "grants": {"manage_data": True}, "all_apps": True,
                         "app_ids": [], "member_ids": [m["account_id"]]}, status=201)["id"]
        rec = root.ok("POST", self.R(), {"values": {"name": "别人的", "n": 1}}, status=201)["id"]
        her = []
        for node in self.c.nodes:
            c = Client.for_node(node, who=f"wang.fang on {node.http_port}")
            c.sign_in(login, password)
            her.append(c)

        def statuses():
            return [c.get(self.R(f"/{rec}")).status for c in her]

        kept = [model(n, sums=False)["kept"]["hits"] for n in self.c.nodes]
        for _ in range(3):
            self.assertEqual(statuses(), [200, 200, 200])
        for before, node in zip(kept, self.c.nodes):
            self.assertGreater(model(node, sums=False)["kept"]["hits"], before,
                               f"node {node.http_port} kept nothing: the test proves nothing")
        for i in range(4):
            members = [] if i % 2 == 0 else [m["account_id"]]
            writer = self.clients[i % 3]
            r = writer.patch(f"{self.W}/permission-groups/{group}", {"member_ids": members})
            self.assertEqual(r.status, 200, r.text())
            want = [404, 404, 404] if not members else [200, 200, 200]
            self.assertEqual(statuses(), want, f"change {i} (through node {i % 3})")

    def test_a_node_down_past_the_outbox_window_is_rebuilt(self):
        """The outbox keeps 30 days of changes: a node down longer finds its
        position passed and rebuilds its model from the store, also when
        nothing was written after the pruning."""
        cl = self.clients[0]
        for i in range(3):
            self.assertEqual(cl.post(self.R(), {"values": {"name": f"前 {i}", "n": i}}).status, 201)
        self.wait_same("writes before the node went down")
        victim = self.c.nodes[2]
        victim.stop()
        for i in range(40):
            self.assertEqual(cl.post(self.R(), {"values": {"name": f"后 {i}", "n": i}}).status, 201)
        r = cl.patch(self.R("/" + str(cl.post(self.R(), {"values": {"name": "改"}}).json()["id"])),
                     {"values": {"name": "改过"}})
        self.assertEqual(r.status, 200, r.text())
        # The window passes: what the leader's housekeeping would delete
        # after 30 days, deleted now.
        self.c.nodes[0].sql(f"ws-{self.ws}", "exec", "DELETE FROM outbox")
        victim.start()
        self.wait_same("a node down past the outbox window")
        self.assertIn("were pruned; rebuilding", victim.read_log(),
                      "the model did not notice the pruned changes")

    def test_a_killed_node_and_a_corrupt_model_catch_up(self):
        cl = self.clients
        stop = threading.Event()
        errors = []

        def write():
            i = 0
            while not stop.is_set():
                r = cl[0].post(self.R(), {"values": {"name": f"流 {i}", "n": i}})
                if r.status != 201:
                    errors.append(r.status)
                i += 1

        t = threading.Thread(target=write)
        t.start()
        try:
            victim = self.c.nodes[2]
            time.sleep(1)
            victim.stop(sig=signal.SIGKILL)
            time.sleep(2)
            victim.start()
            time.sleep(1)
        finally:
            stop.set()
            t.join()
        self.assertEqual(errors, [])
        self.wait_same("a node killed and restarted mid-stream")

        # A model file damaged while its node was down: found, rebuilt.
        victim = self.c.nodes[1]
        victim.stop()
        path = os.path.join(victim.data_dir, "model")
        files = [f for f in os.listdir(path) if f.endswith(".db")]
        self.assertTrue(files)
        for f in files:
            with open(os.path.join(path, f), "r+b") as fh:
                fh.seek(0)
                fh.write(b"this is not a database" * 200)
        victim.start()
        self.wait_same("a corrupt model file")
        self.assertIn("starting it empty", victim.read_log(), "the damaged file was not noticed")



class Drift(unittest.TestCase):
    """A model that drifted from the store (a row lost behind creekd's
    back) is found by the node's periodic comparison and that app
    rebuilt."""

    def test_a_model_that_drifted_is_compared_and_repaired(self):
        node = Node(extra_args=["--read-model-check-interval", "1"])
        node.start()
        self.addCleanup(node.close)
        self.addCleanup(node.stop)
        root = Client.for_node(node, "root")
        ws = root.setup("root", "Root", new_password(), "Acme").json()["workspace"]["id"]
        W = f"/api/v1/workspaces/{ws}"
        app = root.ok("POST", f"{W}/apps", {"name": "订单"}, status=201)["id"]
        root.ok("PUT", f"{W}/apps/{app}/form",
                {"version": 0, "fields": [{"id": "name", "type": "text", "label": "名称"}]})
        for i in range(20):
            root.ok("POST", f"{W}/apps/{app}/records", {"values": {"name": f"单 {i}"}}, status=201)
        wait_for(lambda: same_as_store(node), 30, "the model to equal the store")
        path = os.path.join(node.data_dir, "model", f"ws-{ws}.db")
        con = sqlite3.connect(path, timeout=10)
        con.execute(f"DELETE FROM rec_{app} WHERE id = (SELECT max(id) FROM rec_{app})")
        con.commit()
        con.close()
        wait_for(lambda: f"app {app} differs from the store (19 rows against 20)"
                 in node.read_log(), 30, "the drift to be found")
        wait_for(lambda: same_as_store(node), 30, "the model to be repaired")
        # Writes while it compares (every second) are no drift.
        found = node.read_log().count("differs from the store")
        t = time.monotonic()
        while time.monotonic() - t < 3:
            root.ok("POST", f"{W}/apps/{app}/records", {"values": {"name": "又一单"}}, status=201)
        wait_for(lambda: same_as_store(node), 30, "the model to catch up")
        self.assertEqual(node.read_log().count("differs from the store"), found,
                         "writes during a comparison were taken for a drift")


if __name__ == "__main__":
    unittest.main()
