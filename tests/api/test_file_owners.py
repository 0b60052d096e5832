"""A file's hash is no key to it (issue 14, item 5).

Covers: an upload belongs to its uploader until a record takes it; a
member who names a hash they did not upload (someone else's document) gets
the very answer a hash nobody uploaded gets, so the answer says nothing of
what exists; a record that already holds a file keeps it on an edit by
someone who did not upload it; the name and media type a record keeps are
the upload's, so a client cannot slip a file past a field's accept list by
renaming it in the value; an import's "file" is the caller's own upload
only; a member who may read a record holding a file (in any app: with the
data right, or their own record) may attach it to their own record and
gets the holder's name and type, while one who may read no holder gets
the answer of an unknown hash. Leaves out: holders in sub-table rows
(another item), the search's bounds (500 apps, 20 records an app) and
peers' copies (tests/cluster/test_files.py).
"""

import hashlib
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from creek import Node  # noqa: E402
from identity_client import Client, new_password  # noqa: E402


class FileOwnersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node()
        cls.node.start()
        cls.root = Client.for_node(cls.node, "root")
        cls.ws = cls.root.setup("root", "Root", new_password(), "Acme").json()["workspace"]["id"]
        cls.alice, alice_id = cls.member("alice")
        cls.bob, bob_id = cls.member("bob")
        cls.carol, cls.carol_id = cls.member("carol")  # no data right: her own records only
        cls.root.ok("POST", f"/workspaces/{cls.ws}/permission-groups",
                    {"name": "data", "grants": {"manage_data": True}, "all_apps": True,
                     "app_ids": [], "member_ids": [alice_id, bob_id]}, status=201)
        cls.app = cls.root.ok("POST", f"/workspaces/{cls.ws}/apps", {"name": "合同"}, status=201)["id"]
        r = cls.root.put(cls.W(f"/apps/{cls.app}/form"), {"version": 0, "fields": [
            {"id": "doc", "type": "attachment", "label": "附件", "options": {"accept": [".pdf"]}},
            {"id": "note", "type": "text", "label": "备注"}]})
        assert r.status == 200, r.text()
        # a second app: a file its records hold may be attached in the first
        cls.app2 = cls.root.ok("POST", f"/workspaces/{cls.ws}/apps", {"name": "扫描"}, status=201)["id"]
        r = cls.root.put(cls.W(f"/apps/{cls.app2}/form"), {"version": 0, "fields": [
            {"id": "scan", "type": "attachment", "label": "扫描件"}]})
        assert r.status == 200, r.text()

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    @classmethod
    def member(cls, name):
        password = new_password()
        m = cls.root.ok("POST", f"/workspaces/{cls.ws}/members",
                        {"login": name, "name": name.title(), "password": password}, status=201)
        c = Client.for_node(cls.node, who=name)
        c.sign_in(name, password)
        return c, m["account_id"]

    @classmethod
    def W(cls, path=""):
        return f"/api/v1/workspaces/{cls.ws}{path}"

    def upload(self, who, data, name, type_):
        r = who.request("POST", self.W("/files"), body=data,
                        headers={"Content-Type": type_, "X-Creek-File-Name": urllib.parse.quote(name)})
        self.assertEqual(r.status, 201, r.text())
        return r.json()

    def submit(self, who, files):
        return who.post(self.W(f"/apps/{self.app}/records"), {"values": {"doc": files}})

    def test_someone_elses_hash_is_answered_as_one_nobody_uploaded(self):
        data = os.urandom(3000)
        ref = self.upload(self.alice, data, "合同.pdf", "application/pdf")
        self.assertEqual(ref["sha256"], hashlib.sha256(data).hexdigest())
        theirs = self.submit(self.bob, [ref])
        nobodys = self.submit(self.bob, [dict(ref, sha256="e" * 64)])
        self.assertEqual(theirs.status, 400, theirs.text())
        self.assertEqual((theirs.status, theirs.error_message), (nobodys.status, nobodys.error_message))
        self.assertIn("was not uploaded", theirs.error_message)
        # the uploader attaches it; the record then holds it for its readers
        rec = self.submit(self.alice, [ref])
        self.assertEqual(rec.status, 201, rec.text())
        rec = rec.json()
        got = self.bob.get(self.W(f"/apps/{self.app}/records/{rec['id']}/files/{ref['sha256']}"))
        self.assertEqual((got.status, got.body), (200, data), "bob manages data: he reads the record")
        # bob edits the record: the file it holds stays, though he did not upload it
        r = self.bob.patch(self.W(f"/apps/{self.app}/records/{rec['id']}"),
                           {"values": {"note": "改", "doc": [ref]}})
        self.assertEqual(r.status, 200, r.text())
        self.assertEqual(r.json()["values"]["doc"][0]["name"], "合同.pdf")

    def test_a_record_keeps_the_uploads_name_and_type_not_the_clients(self):
        ref = self.upload(self.alice, b"MZ\x90\x00 not a pdf", "tool.exe", "application/x-msdownload")
        disguised = dict(ref, name="报价.pdf", type="application/pdf")
        r = self.submit(self.alice, [disguised])
        self.assertEqual(r.status, 400, "an .exe renamed in the value is still an .exe: " + r.text())
        self.assertIn("tool.exe", r.error_message)
        pdf = self.upload(self.alice, os.urandom(100), "报价.pdf", "application/pdf")
        r = self.submit(self.alice, [dict(pdf, name="x.pdf", type="text/html", size=1)])
        self.assertEqual(r.status, 201, r.text())
        kept = r.json()["values"]["doc"][0]
        self.assertEqual((kept["name"], kept["type"], kept["size"]), ("报价.pdf", "application/pdf", 100))

    def test_an_import_reads_only_the_callers_own_upload(self):
        ref = self.upload(self.alice, "备注\n一\n".encode(), "导入.csv", "text/csv")
        body = {"format": "csv", "file": ref["sha256"], "mapping": None}
        theirs = self.bob.post(self.W(f"/apps/{self.app}/import"), body)
        nobodys = self.bob.post(self.W(f"/apps/{self.app}/import"), dict(body, file="f" * 64))
        self.assertEqual(theirs.status, 400, theirs.text())
        self.assertEqual(theirs.error_message.replace(ref["sha256"], "f" * 64), nobodys.error_message)
        mine = self.alice.post(self.W(f"/apps/{self.app}/import"), body)
        self.assertEqual(mine.status, 200, mine.text())
        self.assertEqual(mine.json()["rows"], 1)

    def test_a_reader_of_a_record_holding_a_file_may_attach_it(self):
        data = os.urandom(2000)
        ref = self.upload(self.alice, data, "发票.pdf", "application/pdf")
        held = self.alice.post(self.W(f"/apps/{self.app2}/records"), {"values": {"scan": [ref]}})
        self.assertEqual(held.status, 201, held.text())
        # bob did not upload it, but he reads alice's record of the other app
        disguised = dict(ref, name="别名.pdf", type="text/html", size=1)
        r = self.submit(self.bob, [disguised])
        self.assertEqual(r.status, 201, r.text())
        kept = r.json()["values"]["doc"][0]
        self.assertEqual((kept["sha256"], kept["name"], kept["type"], kept["size"]),
                         (ref["sha256"], "发票.pdf", "application/pdf", 2000),
                         "the holder's ref, not the client's")
        got = self.bob.get(self.W(f"/apps/{self.app}/records/{r.json()['id']}/files/{ref['sha256']}"))
        self.assertEqual((got.status, got.body), (200, data))
        # carol may read neither record: the answer of a hash nobody uploaded
        hers = self.submit(self.carol, [ref])
        nobodys = self.submit(self.carol, [dict(ref, sha256="d" * 64)])
        self.assertEqual(hers.status, 400, hers.text())
        self.assertEqual((hers.status, hers.error_message), (nobodys.status, nobodys.error_message))
        self.assertIn("was not uploaded", hers.error_message)

    def test_a_file_held_by_ones_own_record_may_be_attached_again(self):
        ref = self.upload(self.bob, os.urandom(500), "回执.pdf", "application/pdf")
        mine = self.carol.post(self.W(f"/apps/{self.app}/records"), {"values": {"note": "我的"}})
        self.assertEqual(mine.status, 201, mine.text())
        mine = mine.json()
        # bob (data right) puts his upload into carol's record
        r = self.bob.patch(self.W(f"/apps/{self.app}/records/{mine['id']}"),
                           {"version": mine["version"], "values": {"doc": [ref]}})
        self.assertEqual(r.status, 200, r.text())
        # carol reads her own record, so she may attach the file to another
        again = self.submit(self.carol, [dict(ref, name="另一个.pdf", type="text/plain")])
        self.assertEqual(again.status, 201, again.text())
        kept = again.json()["values"]["doc"][0]
        self.assertEqual((kept["name"], kept["type"]), ("回执.pdf", "application/pdf"))
        # once her record is deleted she reads it no more, and the file is not hers
        for rec in (again.json(), mine):
            gone = self.carol.request("DELETE", self.W(f"/apps/{self.app}/records/{rec['id']}"))
            self.assertIn(gone.status, (200, 204), gone.text())
        r = self.submit(self.carol, [ref])
        self.assertEqual(r.status, 400, r.text())
        self.assertIn("was not uploaded", r.error_message)


if __name__ == "__main__":
    unittest.main()
