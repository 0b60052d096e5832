"""What records and their answers must not reveal (issue 14): names
through references (refs), values in sub-table rows that skip the checks
of top-level ones, the record holding a unique value, file names that
read backwards, spreadsheet formulas in exported text, and the docs'
word on what an API key may import."""

import base64
import csv
import io
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from creek import Node  # noqa: E402
from identity_client import Client, new_password  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "invoice[RLO]fdp.exe" shows as "invoiceexe.pdf"


class FormsLeaksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node()
        cls.node.start()
        cls.root = Client.for_node(cls.node, "root")
        cls.ws = cls.root.setup("root", "Root", new_password(), "Acme").json()["workspace"]["id"]
        cls.seq = iter(range(1, 1_000_000))
        # alice: a plain member without the contacts right
        cls.alice, cls.alice_id = cls.member(cls.ws, "alice")
        cls.bob, cls.bob_id = cls.member(cls.ws, "bob")
        # another workspace and one of its people, a stranger to Acme
        cls.ws_other = cls.root.ok("POST", "/workspaces", {"name": "Other"}, status=201)["id"]
        _, cls.stranger_id = cls.member(cls.ws_other, "stranger")
        cls.dept = cls.root.ok("POST", f"/workspaces/{cls.ws}/departments",
                               {"name": "Sales", "parent_id": 1}, status=201)["id"]

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.node.close()

    @classmethod
    def member(cls, ws, name):
        login, password = f"{name}{next(cls.seq)}", new_password()
        m = cls.root.ok("POST", f"/workspaces/{ws}/members",
                        {"login": login, "name": name.title(), "password": password}, status=201)
        c = Client.for_node(cls.node, who=name)
        c.sign_in(login, password)
        return c, m["account_id"]

    def W(self, path=""):
        return f"/api/v1/workspaces/{self.ws}{path}"

    def app(self, fields):
        app = self.root.ok("POST", f"/workspaces/{self.ws}/apps", {"name": f"app {next(self.seq)}"},
                           status=201)["id"]
        r = self.root.put(self.W(f"/apps/{app}/form"), {"version": 0, "fields": fields})
        self.assertEqual(r.status, 200, r.text())
        return app

    def people_app(self):
        return self.app([
            {"id": "m", "type": "member", "label": "负责人", "options": {"multiple": True}},
            {"id": "d", "type": "department", "label": "部门", "options": {"multiple": True}},
            {"id": "rows", "type": "subtable", "label": "明细", "options": {"fields": [
                {"id": "who", "type": "member", "label": "经办人"},
                {"id": "dep", "type": "department", "label": "科室"},
                {"id": "doc", "type": "attachment", "label": "单据"}]}},
        ])

    # ---- item 4: names through record references ----

    def test_refs_name_no_one_outside_the_workspace(self):
        app = self.people_app()
        rec = self.alice.ok("POST", f"/workspaces/{self.ws}/apps/{app}/records",
                            {"values": {"m": [self.alice_id]}}, status=201)
        path = self.W(f"/apps/{app}/records/{rec['id']}")
        # The probe of the finding: ids 1..n in her own record, top level and in a row.
        last = self.stranger_id + 3
        names = {}
        for i in range(1, last):
            for values in ({"m": [i]}, {"d": [i]}, {"rows": [{"who": i}]}, {"rows": [{"dep": i}]}):
                r = self.alice.patch(path, {"values": values})
                self.assertIn(r.status, (200, 400), r.text())
                if r.status == 200:
                    for kind in ("members", "departments"):
                        names.update({(kind, k): v for k, v in r.json()["refs"][kind].items()})
        self.assertNotIn(("members", str(self.stranger_id)), names, "another workspace's person")
        self.assertEqual({k for k, _ in names} - {"members", "departments"}, set())
        acme = {str(self.root.account["id"]), str(self.alice_id), str(self.bob_id)}
        self.assertLessEqual({i for k, i in names if k == "members"}, acme)
        # A member removed from the workspace is a stranger now: her record
        # keeps the id, but no answer names her any more.
        _, dora_id = self.member(self.ws, "dora")
        r = self.alice.patch(path, {"values": {"m": [self.alice_id, dora_id],
                                               "rows": [{"who": dora_id}]}})
        self.assertEqual(r.status, 200, r.text())
        self.assertEqual(r.json()["refs"]["members"][str(dora_id)], "Dora",
                         "the contacts right is not needed to see whom one's own record names")
        self.root.ok("DELETE", f"/workspaces/{self.ws}/members/{dora_id}")
        got = self.alice.get(path).json()
        self.assertEqual(got["values"]["m"], [self.alice_id, dora_id])
        self.assertNotIn(str(dora_id), got["refs"]["members"])
        self.assertEqual(got["refs"]["members"][str(self.alice_id)], "Alice")
        listed = self.alice.ok("POST", f"/workspaces/{self.ws}/apps/{app}/records/query", {})
        self.assertNotIn(str(dora_id), listed["refs"]["members"])
        h = self.alice.get(f"{path}/history").json()
        self.assertNotIn(str(dora_id), h["refs"]["members"])

    # ---- item 6: sub-table values get the checks of top-level ones ----

    def test_sub_table_values_are_checked_like_top_level_ones(self):
        app = self.people_app()
        post = lambda values: self.alice.post(self.W(f"/apps/{app}/records"),  # noqa: E731
                                              {"values": values})
        r = post({"rows": [{"who": self.stranger_id}]})
        self.assertEqual(r.status, 400, "another workspace's account in a row: " + r.text())
        self.assertIn("经办人", r.error_message)
        self.assertIn("明细", r.error_message)
        r = post({"rows": [{"who": self.bob_id}, {"who": 999999}]})
        self.assertEqual(r.status, 400, "no such account in a row: " + r.text())
        r = post({"rows": [{"dep": 999999}]})
        self.assertEqual(r.status, 400, "no such department in a row: " + r.text())
        self.assertIn("科室", r.error_message)
        doc = {"sha256": "c" * 64, "name": "a.pdf", "size": 1, "type": "application/pdf"}
        r = post({"rows": [{"doc": [doc]}]})
        self.assertEqual(r.status, 400, "a file never uploaded in a row: " + r.text())
        # good rows are kept, and their people named in refs
        rec = self.alice.ok("POST", f"/workspaces/{self.ws}/apps/{app}/records",
                            {"values": {"rows": [{"who": self.bob_id, "dep": self.dept}]}},
                            status=201)
        self.assertEqual(rec["refs"]["members"][str(self.bob_id)], "Bob")
        self.assertEqual(rec["refs"]["departments"][str(self.dept)], "Sales")
        # a change checks the rows too
        r = self.alice.patch(self.W(f"/apps/{app}/records/{rec['id']}"),
                             {"values": {"rows": [{"who": self.stranger_id}]}})
        self.assertEqual(r.status, 400, r.text())

    # ---- item 10: small leaks ----

    def test_a_taken_unique_value_does_not_name_the_record_holding_it(self):
        app = self.app([{"id": "code", "type": "text", "label": "代码", "unique": True}])
        held = self.root.ok("POST", f"/workspaces/{self.ws}/apps/{app}/records",
                            {"values": {"code": "X1"}}, status=201)
        r = self.alice.post(self.W(f"/apps/{app}/records"), {"values": {"code": "X1"}})
        self.assertEqual(r.status, 409, r.text())
        self.assertIn("代码", r.error_message)
        self.assertIn("taken", r.error_message)
        self.assertNotIn("record", r.error_message)
        self.assertNotIn(str(held["id"]), r.error_message)

    def test_file_names_with_bidirectional_controls_are_refused(self):
        name = f"invoice{RLO}fdp.exe"
        r = self.alice.request("POST", f"/workspaces/{self.ws}/files", body=b"MZ",
                               headers={"Content-Type": "application/octet-stream",
                                        "X-Creek-File-Name": urllib.parse.quote(name)})
        self.assertEqual(r.status, 400, "upload: " + r.text())
        app = self.app([{"id": "doc", "type": "attachment", "label": "附件"}])
        for ch in ("\u202a", "\u202b", "\u202c", "\u202d", RLO, "\u2066", "\u2067", "\u2068",
                   "\u2069", "\u200e", "\u200f", "\u061c"):
            doc = {"sha256": "d" * 64, "name": f"a{ch}b.pdf", "size": 1, "type": "application/pdf"}
            r = self.alice.post(self.W(f"/apps/{app}/records"), {"values": {"doc": [doc]}})
            self.assertEqual(r.status, 400, f"U+{ord(ch):04X}: {r.text()}")
            self.assertIn("direction", r.error_message)

    def test_csv_export_keeps_text_led_by_a_tab_or_return_as_text(self):
        app = self.app([{"id": "t", "type": "textarea", "label": "正文"}])
        # (a value's leading tabs are trimmed when it is kept; a return is not)
        for text in ("\r=1+2", "\r\n@SUM(1)", "=1+2", "plain"):
            self.root.ok("POST", f"/workspaces/{self.ws}/apps/{app}/records",
                         {"values": {"t": text}}, status=201)
        r = self.root.post(self.W(f"/apps/{app}/export"),
                           {"format": "csv", "fields": ["t"]})
        self.assertEqual(r.status, 200, r.text())
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))
        cells = sorted(row[1] for row in rows[1:])  # ID, 正文, 创建人, 创建时间
        self.assertEqual(cells, sorted(["'\r=1+2", "'\r\n@SUM(1)", "'=1+2", "plain"]))

    def test_docs_say_what_an_api_key_import_of_an_existing_login_answers(self):
        key = self.root.ok("POST", f"/workspaces/{self.ws}/api-keys", {"name": "hr"},
                           status=201)["key"]
        k = Client.with_key(self.node, key)
        bob = self.root.get(self.W(f"/members/{self.bob_id}")).json()
        csv_text = f"login,name\n{bob['login']},Bob\n"
        report = k.ok("POST", f"/workspaces/{self.ws}/members/import", {"csv": csv_text})
        row = report["rows"][0]
        self.assertFalse(row["ok"], str(report))
        with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
            api_md = " ".join(f.read().split())
        self.assertFalse("which adds existing accounts as they are" in api_md,
                         "docs/api.md still says an API key imports existing accounts")
        self.assertTrue(row["error"] in api_md, f"docs/api.md does not quote {row['error']!r}")


if __name__ == "__main__":
    unittest.main()
