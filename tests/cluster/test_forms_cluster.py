"""Records on a real 3-node cluster: 500 submissions from clients on every
node at once get 500 distinct, consecutive serial numbers (writes from
followers are forwarded to the leader's single writer, and the counter is
taken in the record's transaction); every node reads them all."""

import os
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

from creek import Cluster  # noqa: E402
from identity_client import Client, new_password  # noqa: E402

SUBMISSIONS = 500
CLIENTS_PER_NODE = 4


class FormsOnACluster(unittest.TestCase):
    def test_500_concurrent_submissions_on_three_nodes_get_consecutive_serials(self):
        with Cluster(3).start() as c:
            first = c.nodes[0]
            root = Client.for_node(first, "root")
            password = new_password()
            ws = root.setup("root", "Root", password, "Acme", code=c.setup_code()).json()["workspace"]["id"]
            W = f"/api/v1/workspaces/{ws}"
            app = root.ok("POST", f"{W}/apps", {"name": "订单"}, status=201)["id"]
            r = root.put(f"{W}/apps/{app}/form", {"version": 0, "fields": [
                {"id": "no", "type": "serial", "label": "单号", "options": {"parts": [
                    {"kind": "text", "text": "SO-"}, {"kind": "date", "pattern": "YYYY"},
                    {"kind": "counter", "digits": 5, "reset": "year"}]}},
                {"id": "who", "type": "text", "label": "来源"}]})
            self.assertEqual(r.status, 200, r.text)

            clients = []
            for node in c.nodes:
                for k in range(CLIENTS_PER_NODE):
                    cl = Client.for_node(node, who=f"node {node.http_port} client {k}")
                    cl.sign_in("root", password)
                    clients.append(cl)
            per_client = SUBMISSIONS // len(clients)
            extra = SUBMISSIONS - per_client * len(clients)
            serials, errors, lock = [], [], threading.Lock()

            def submit(i, cl):
                n = per_client + (1 if i < extra else 0)
                for j in range(n):
                    rr = cl.post(f"{W}/apps/{app}/records", {"values": {"who": f"{cl.who} #{j}"}})
                    with lock:
                        if rr.status == 201:
                            serials.append(rr.json()["values"]["no"])
                        else:
                            errors.append(f"{rr.status} {rr.body[:200]!r}")

            threads = [threading.Thread(target=submit, args=(i, cl)) for i, cl in enumerate(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=300)
            self.assertEqual(errors, [])
            self.assertEqual(len(serials), SUBMISSIONS)
            year = serials[0][3:7]
            self.assertEqual(sorted(serials), [f"SO-{year}{i:05d}" for i in range(1, SUBMISSIONS + 1)])
            # every node answers the same count
            for node in c.nodes:
                cl = Client.for_node(node, who="reader")
                cl.sign_in("root", password)
                r = cl.post(f"{W}/apps/{app}/records/count", {})
                self.assertEqual(r.status, 200, r.text)
                self.assertEqual(r.json()["count"], SUBMISSIONS)


if __name__ == "__main__":
    unittest.main()
