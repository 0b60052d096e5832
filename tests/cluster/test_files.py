"""The file store on a real 3-node cluster: an upload is on two nodes when it
is answered and on all three after repair; a lost copy comes back; losing a
node loses no file; and what must be refused is: forged copies between
nodes, names that would leave the store, signed-out and other workspaces'
uploads, files over max-upload (docs/cluster.md, "Files")."""

import hashlib
import http.client
import json
import os
import signal
import ssl
import sys
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

from creek import Cluster, wait_for  # noqa: E402
from identity_client import Client, new_password  # noqa: E402

MAX_UPLOAD = 2 * 1024 * 1024  # above the default http-max-body (1 MiB)
FILE_ARGS = ["--file-repair-interval", "1", "--max-upload", str(MAX_UPLOAD)]


def stored_path(node, ws, sha):
    return os.path.join(node.data_dir, "files", ws, sha[:2], sha)


def holders(cluster, ws, sha, nodes=None):
    """The nodes whose disk holds ws/sha, checked byte for byte."""
    out = []
    for n in nodes or cluster.nodes:
        try:
            with open(stored_path(n, ws, sha), "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() == sha:
                    out.append(n)
        except OSError:
            pass
    return out


def upload(client, ws, data, name="季度报告.pdf", media_type="application/pdf", headers=None):
    h = {"Content-Type": media_type, "X-Creek-File-Name": urllib.parse.quote(name)}
    h.update(headers or {})
    return client.request("POST", f"/workspaces/{ws}/files", body=data, headers=h)


def peer(node, method, path, body=None, as_node=None, cert=True):
    """HTTP on node's cluster port over mutual TLS, with as_node's cluster
    certificate (a node of the cluster), or none (cert=False).
    (status, body)."""
    me = as_node or node
    tls_dir = os.path.join(me.data_dir, "cluster")
    ctx = ssl.create_default_context(cafile=os.path.join(tls_dir, "ca.crt"))
    if cert:
        ctx.load_cert_chain(os.path.join(tls_dir, "node.crt"), os.path.join(tls_dir, "node.key"))
    conn = http.client.HTTPSConnection("127.0.0.1", node.cluster_port, context=ctx, timeout=20)
    try:
        conn.request(method, path, body=body,
                     headers={"Content-Type": "application/octet-stream"} if body else {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


class FileCluster:
    """A cluster of three with workspace A (root, its super admin) and
    workspace B with a member of B only."""

    def __init__(self, extra_args=()):
        self.c = Cluster(3, extra_args=[*FILE_ARGS, *extra_args]).start()
        try:
            self.root = Client.for_node(self.c.nodes[0], "root")
            self.password = new_password()
            self.ws = self.root.setup("root", "Root", self.password,
                                      "Files A", code=self.c.setup_code()).json()["workspace"]["id"]
        except BaseException:
            self.c.close()
            raise

    def client_on(self, node):
        cl = Client.for_node(node, f"root on {node.http_port}")
        cl.sign_in("root", self.password)
        return cl


class FilesAcrossNodes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fc = FileCluster()
        cls.c = cls.fc.c
        cls.ws = cls.fc.ws
        cls.root = cls.fc.root

    @classmethod
    def tearDownClass(cls):
        cls.c.close()

    def test_an_upload_is_on_two_nodes_when_answered_and_on_every_node_after(self):
        data = os.urandom(300 * 1024)
        sha = hashlib.sha256(data).hexdigest()
        r = upload(self.root, self.ws, data, name="季度报告 (终).pdf")
        self.assertEqual(r.status, 201, str(r))
        self.assertEqual(r.json(), {"sha256": sha, "name": "季度报告 (终).pdf",
                                    "size": len(data), "type": "application/pdf"})
        self.assertGreaterEqual(len(holders(self.c, self.ws, sha)), 2)
        wait_for(lambda: len(holders(self.c, self.ws, sha)) == 3, 30, "a copy on every node")
        # The same file again: the same answer, nothing new.
        again = upload(self.fc.client_on(self.c.nodes[2]), self.ws, data, name="again.pdf")
        self.assertEqual(again.status, 201, str(again))
        self.assertEqual(again.json()["sha256"], sha)
        # Each node serves its own copy to the others.
        for n in self.c.nodes:
            status, body = peer(n, "GET", f"/api/v1/cluster/files/{self.ws}/{sha}",
                                as_node=self.c.nodes[0])
            self.assertEqual(status, 200)
            self.assertEqual(body, data)

    def test_a_deleted_copy_comes_back_and_the_stores_agree(self):
        data = b"lost and found " + os.urandom(1000)
        sha = hashlib.sha256(data).hexdigest()
        self.assertEqual(upload(self.root, self.ws, data).status, 201)
        wait_for(lambda: len(holders(self.c, self.ws, sha)) == 3, 30, "a copy on every node")
        victim = self.c.nodes[1]
        os.remove(stored_path(victim, self.ws, sha))
        wait_for(lambda: victim in holders(self.c, self.ws, sha), 30,
                 "the repair to bring the deleted copy back")
        # Every node's digest of the workspace is the same.
        def digests():
            return {json.loads(peer(n, "GET", "/api/v1/cluster/files")[1])["workspaces"]
                    .get(self.ws) for n in self.c.nodes}
        wait_for(lambda: len(digests()) == 1, 30, "the stores to agree")

    def test_a_copy_whose_hash_does_not_match_is_refused(self):
        data = b"the real bytes"
        forged = hashlib.sha256(b"other bytes").hexdigest()
        node = self.c.nodes[2]
        status, body = peer(node, "PUT", f"/api/v1/cluster/files/{self.ws}/{forged}", data,
                            as_node=self.c.nodes[0])
        self.assertEqual(status, 400, body)
        self.assertFalse(os.path.exists(stored_path(node, self.ws, forged)))
        # The right hash is taken.
        sha = hashlib.sha256(data).hexdigest()
        status, _ = peer(node, "PUT", f"/api/v1/cluster/files/{self.ws}/{sha}", data,
                         as_node=self.c.nodes[0])
        self.assertEqual(status, 204)
        self.assertEqual(holders(self.c, self.ws, sha, [node]), [node])

    def test_copies_are_taken_only_from_nodes_of_the_cluster(self):
        data = b"from a stranger"
        sha = hashlib.sha256(data).hexdigest()
        node = self.c.nodes[1]
        path = f"/api/v1/cluster/files/{self.ws}/{sha}"
        # TLS without a certificate (what a joining node has): refused.
        status, body = peer(node, "PUT", path, data, cert=False)
        self.assertEqual(status, 403, body)
        # The public port, even signed in: refused.
        r = self.root.request("PUT", path, body=data)
        self.assertEqual(r.status, 403, str(r))
        for p in ("/api/v1/cluster/files", f"/api/v1/cluster/files/{self.ws}", path):
            self.assertEqual(self.root.request("GET", p).status, 403, p)
        self.assertEqual(holders(self.c, self.ws, sha), [])

    def test_names_that_would_leave_the_store_are_refused(self):
        data = b"escape"
        sha = hashlib.sha256(data).hexdigest()
        a = self.c.nodes[0]
        bad = [
            f"/api/v1/cluster/files/..%2F..%2F{self.ws}/{sha}",
            f"/api/v1/cluster/files/../{sha}",
            f"/api/v1/cluster/files/w12345/{sha}",
            f"/api/v1/cluster/files/{self.ws.upper()}/{sha}",
            f"/api/v1/cluster/files/{self.ws}/..%2F..%2F..%2Fcluster%2Fnode.key",
            f"/api/v1/cluster/files/{self.ws}/{sha.upper()}",
            f"/api/v1/cluster/files/{self.ws}/{sha[:-1]}",
            f"/api/v1/cluster/files/{self.ws}/{sha}0",
            f"/api/v1/cluster/files/{self.ws}/{sha[:-2]}%00a",
        ]
        for path in bad:
            for method, body in (("GET", None), ("PUT", data)):
                status, answer = peer(a, method, path, body, as_node=self.c.nodes[1])
                self.assertIn(status, (400, 404), f"{method} {path}: {answer!r}")
        status, _ = peer(a, "GET", "/api/v1/cluster/files/..%2F..", as_node=self.c.nodes[1])
        self.assertIn(status, (400, 404))
        status, _ = peer(a, "GET", f"/api/v1/cluster/files/{self.ws}?bucket=..",
                         as_node=self.c.nodes[1])
        self.assertEqual(status, 400)
        # Uploads name their workspace in the path: only real ones pass.
        for ws in ("..%2F..", "..", "w12345", self.ws.upper()):
            r = upload(self.root, ws, data)
            self.assertIn(r.status, (403, 404), f"{ws}: {r}")
        # Nothing was written anywhere but the store's own workspace trees.
        for n in self.c.nodes:
            top = os.path.join(n.data_dir, "files")
            for name in os.listdir(top):
                if name == ".uploads":  # uploads under way; none is left
                    self.assertEqual(os.listdir(os.path.join(top, name)), [])
                    continue
                self.assertRegex(name, r"^w[0-9a-f]{12}$")
            self.assertFalse(os.path.exists(os.path.join(n.data_dir, sha)))

    def test_only_the_workspaces_members_may_upload(self):
        node = self.c.nodes[1]
        signed_out = Client.for_node(node, "signed out")
        r = upload(signed_out, self.ws, b"anonymous")
        self.assertEqual(r.status, 401, str(r))
        self.assertEqual(r.error_code, "unauthenticated")
        # Signed out with a body over max-upload: still 401 (the body is not kept).
        r = upload(signed_out, self.ws, b"x" * (MAX_UPLOAD + 1))
        self.assertEqual(r.status, 401, str(r))
        # A member of another workspace only.
        ws_b = self.root.ok("POST", "/workspaces", {"name": "Files B"}, status=201)["id"]
        login, password = "b-member", new_password()
        self.root.ok("POST", f"/workspaces/{ws_b}/members",
                     {"login": login, "name": "B Member", "password": password, "title": "Clerk",
                      "department_ids": [1]}, status=201)
        b = Client.for_node(node, "member of B")
        b.sign_in(login, password)
        r = upload(b, self.ws, b"not yours")
        self.assertEqual(r.status, 403, str(r))
        self.assertEqual(upload(b, ws_b, b"mine").status, 201)
        # Without the CSRF token a session may not upload.
        r = upload(b, ws_b, b"forged page", headers={"X-Creek-CSRF": "nope"})
        self.assertEqual(r.status, 403, str(r))
        # API keys reach the org API only.
        key = self.root.ok("POST", f"/workspaces/{self.ws}/api-keys", {"name": "k"},
                           status=201)["key"]
        r = upload(Client.with_key(node, key), self.ws, b"by key")
        self.assertEqual(r.status, 403, str(r))

    def test_max_upload_is_the_limit_for_files(self):
        cl = self.fc.client_on(self.c.nodes[2])
        data = os.urandom(MAX_UPLOAD)  # above http-max-body, at max-upload
        r = upload(cl, self.ws, data, name="big.bin", media_type="application/octet-stream")
        self.assertEqual(r.status, 201, str(r))
        self.assertEqual(r.json()["size"], MAX_UPLOAD)
        r = upload(cl, self.ws, data + b"!", name="too-big.bin")
        self.assertEqual(r.status, 413, str(r))
        self.assertEqual(r.error_code, "too_big")
        # JSON routes keep http-max-body.
        r = cl.request("PATCH", "/me", body=b"{" + b" " * (1024 * 1024 + 10) + b"}")
        self.assertEqual(r.status, 413, str(r))

    def test_a_files_name_and_type_are_checked(self):
        ws = self.ws
        r = self.root.request("POST", f"/workspaces/{ws}/files", body=b"x",
                              headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 400, str(r))
        self.assertIn("X-Creek-File-Name", r.json()["error"]["message"])
        for name in ("%ZZ", "%00", "a%2Fb", "%C3", "%0Aevil", "x" * 256):
            r = self.root.request("POST", f"/workspaces/{ws}/files", body=b"x",
                                  headers={"X-Creek-File-Name": name,
                                           "Content-Type": "text/plain"})
            self.assertEqual(r.status, 400, f"{name!r}: {r}")
        for media_type in ("nonsense", "text/", "/plain", "text/pl ain", "tëxt/plain"):
            r = upload(self.root, ws, b"x", name="a.txt", media_type=media_type)
            self.assertEqual(r.status, 400, f"{media_type!r}: {r}")
        r = upload(self.root, ws, b"x", name="a.txt", media_type="Text/Plain; charset=UTF-8")
        self.assertEqual(r.json()["type"], "text/plain")
        r = self.root.request("POST", f"/workspaces/{ws}/files", body=b"",
                              headers={"X-Creek-File-Name": "empty", "Content-Type": ""})
        self.assertEqual(r.status, 201, str(r))
        self.assertEqual(r.json(), {"sha256": hashlib.sha256(b"").hexdigest(), "name": "empty",
                                    "size": 0, "type": "application/octet-stream"})
        r = upload(self.root, ws, b"x", name="x" * 255 + "")
        self.assertEqual(r.status, 201, str(r))


class FetchOnMiss(unittest.TestCase):
    """A node asked for a file it lacks fetches it from another (repair is
    kept out of the way with a long interval)."""

    def test_a_download_on_a_node_without_the_file_fetches_and_keeps_it(self):
        fc = FileCluster(extra_args=["--file-repair-interval", "3600"])
        c = fc.c
        try:
            data = os.urandom(20 * 1024)
            sha = hashlib.sha256(data).hexdigest()
            ref = upload(fc.root, fc.ws, data, name="照片.png", media_type="image/png").json()
            W = f"/workspaces/{fc.ws}"
            app = fc.root.ok("POST", f"{W}/apps", {"name": "附件"}, status=201)["id"]
            r = fc.root.put(f"{W}/apps/{app}/form", {"version": 0, "fields": [
                {"id": "f1", "type": "image", "label": "照片", "options": {"max_files": 5}}]})
            self.assertEqual(r.status, 200, str(r))
            rec = fc.root.ok("POST", f"{W}/apps/{app}/records", {"values": {"f1": [ref]}},
                             status=201)["id"]
            path = f"{W}/apps/{app}/records/{rec}/files/{sha}"
            wait_for(lambda: len(holders(c, fc.ws, sha)) == 3, 30, "a copy on every node")
            third = c.nodes[2]
            os.remove(stored_path(third, fc.ws, sha))
            r = fc.client_on(third).request("GET", path, query={"inline": "1"})
            self.assertEqual(r.status, 200, str(r))
            self.assertEqual(r.body, data)
            self.assertEqual(r.header("Content-Type"), "image/png")
            self.assertIn("filename*=UTF-8''%E7%85%A7%E7%89%87.png",
                          r.header("Content-Disposition"))
            self.assertEqual(holders(c, fc.ws, sha, [third]), [third])
            # The bytes never change: a client's cached copy is confirmed.
            etag = r.header("ETag")
            self.assertEqual(etag, f'"{sha}"')
            again = fc.root.request("GET", path, headers={"If-None-Match": etag})
            self.assertEqual(again.status, 304, str(again))
            self.assertEqual(again.body, b"")
        finally:
            c.close()


class LosingANode(unittest.TestCase):
    def test_a_killed_node_loses_no_file(self):
        fc = FileCluster()
        c = fc.c
        try:
            first, second, third = c.nodes
            data = os.urandom(64 * 1024)
            sha = hashlib.sha256(data).hexdigest()
            r = upload(fc.root, fc.ws, data, name="合同.docx")
            self.assertEqual(r.status, 201, str(r))
            self.assertGreaterEqual(len(holders(c, fc.ws, sha)), 2)
            # the file goes into a record, through the first node
            W = f"/workspaces/{fc.ws}"
            app = fc.root.ok("POST", f"{W}/apps", {"name": "合同"}, status=201)["id"]
            r2 = fc.root.put(f"{W}/apps/{app}/form", {"version": 0, "fields": [
                {"id": "f1", "type": "attachment", "label": "附件"}]})
            self.assertEqual(r2.status, 200, str(r2))
            rec = fc.root.ok("POST", f"{W}/apps/{app}/records",
                             {"values": {"f1": [r.json()]}}, status=201)["id"]
            wait_for(lambda: len(holders(c, fc.ws, sha)) == 3, 30, "a copy on every node")
            first.stop(signal.SIGKILL)
            status, body = peer(second, "GET", f"/api/v1/cluster/files/{fc.ws}/{sha}",
                                as_node=second)
            self.assertEqual(status, 200)
            self.assertEqual(body, data)
            # With one node of three down, uploads still reach two nodes.
            cl = Client.for_node(second, "root on the second node")
            wait_for(lambda: cl.sign_in("root", fc.password, expect=(200, 503)).status == 200,
                     60, "a sign-in after the leader is gone")
            # the record's file downloads from the second node
            got = wait_for(lambda: (lambda rr: rr if rr.status == 200 else None)(
                cl.request("GET", f"{W}/apps/{app}/records/{rec}/files/{sha}")), 60,
                "the record's file from the second node")
            self.assertEqual(got.body, data)
            self.assertIn("attachment", got.header("Content-Disposition"))
            later = os.urandom(10 * 1024)
            later_sha = hashlib.sha256(later).hexdigest()
            r = wait_for(lambda: (lambda rr: rr if rr.status == 201 else None)(
                upload(cl, fc.ws, later)), 60, "an upload with a node down")
            self.assertEqual(r.json()["sha256"], later_sha)
            self.assertEqual(holders(c, fc.ws, later_sha), [second, third])
            # The node comes back and catches up.
            first.start()
            wait_for(lambda: first in holders(c, fc.ws, later_sha), 60,
                     "the restarted node to fetch the file it missed")
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
