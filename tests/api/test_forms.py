"""Forms and records over real HTTP on a real creekd: every field type's
values (good ones kept and normalized, bad ones refused naming the field),
forms changed while records exist, the one write path (serials, unique,
history, outbox), lists (filters per type, sort, keyset paging, full text,
count), the recycle bin, who may do what, and the apps page (groups,
order, icons, the apps' recycle bin)."""

import base64
import csv
import re
import io
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from creek import Node  # noqa: E402
from identity_client import Client, new_password  # noqa: E402
from route_table import route_rows  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# ---------------------------------------------------------------------------
# The forms' authorization matrix: every route of web/api_*.c under
# /apps/{id}/(form|records|export|import) (test_identity.py leaves them
# here), acting on a record of bob's, by:
#   root     the super admin
#   manager  a member with manage_data on every app
#   alice    a plain member (not the record's creator)
#   bob      the plain member who made the record
#   out      signed out
#   other    a member of another workspace only
# Cells: y (2xx), or the exact status.
# ---------------------------------------------------------------------------
FORMS_MATRIX = [
    # method   path under /workspaces/{ws}/apps/{app}  root  manager alice bob  out  other
    ("GET",    "/form",                                 "y    y       y     y    401  403"),
    ("PUT",    "/form",                                 "y    403     403   403  401  403"),
    ("GET",    "/form/versions",                        "y    y       y     y    401  403"),
    ("POST",   "/records",                              "y    y       y     y    401  403"),
    ("POST",   "/records/batch",                        "y    y       y     y    401  403"),
    ("POST",   "/records/query",                        "y    y       y     y    401  403"),
    ("POST",   "/records/count",                        "y    y       y     y    401  403"),
    ("GET",    "/records/{}",                           "y    y       404   y    401  403"),
    ("PATCH",  "/records/{}",                           "y    y       404   y    401  403"),
    ("DELETE", "/records/{}",                           "y    y       404   y    401  403"),
    ("GET",    "/records/{}/history",                   "y    y       404   y    401  403"),
    ("POST",   "/records/{}/restore",                   "y    y       403   403  401  403"),
    ("GET",    "/records/{}/files/{}",                  "y    y       404   y    401  403"),
    ("POST",   "/export",                               "y    y       403   403  401  403"),
    ("POST",   "/import",                               "y    y       403   403  401  403"),
]
FORMS_ROUTE = re.compile(r'^/api/v1/workspaces/\{ws\}/apps/\{id\}(/(?:form|records|export|import).*)$')

SHA = "a" * 64
CHOICES = {"choices": [{"id": "a", "label": "甲"}, {"id": "b", "label": "乙"}, {"id": "c", "label": "丙"}]}

# type, options, [good value -> normalized (None: same)], [bad values]
TYPES = [
    ("text", {"max_length": 10}, [("  hello ", "hello"), ("中文字符", None)],
     [12, "x" * 11, "line\nbreak", ["list"]]),
    ("textarea", {}, [("two\nlines", None)], [5, {"a": 1}]),
    ("richtext", {}, [("<p><b>bold</b></p>", None)], [False]),
    ("number", {"precision": 2, "min": 0, "max": 1000}, [(12.345, 12.35), (7, None)],
     ["12", -1, 1001, True]),
    ("money", {"precision": 2, "currency": "CNY"}, [(99.999, 100)], ["¥5"]),
    ("percent", {"precision": 1}, [(12.34, 12.3)], ["50%"]),
    ("duration", {}, [(3600, None)], [-1, 1.5, "1h"]),
    ("rating", {"max": 5}, [(4, None)], [6, -1, 2.5]),
    ("date", {}, [("2026-02-28", None)], ["2026-02-30", "28/02/2026", 20260228]),
    ("datetime", {}, [("2026-11-28T09:30:00+08:00", "2026-11-28T01:30:00Z")],
     ["2026-11-28", "yesterday"]),
    ("timerange", {}, [({"start": "2026-11-28T09:00:00Z", "end": "2026-11-28T10:00:00Z"}, None)],
     [{"start": "2026-11-28T10:00:00Z", "end": "2026-11-28T09:00:00Z"}, "9-10"]),
    ("email", {}, [("li.lei@example.com", None)], ["li.lei", "a@b", "x @y.com"]),
    ("phone", {}, [("+86 138-0000-0000", None)], ["call me", "12"]),
    ("link", {}, [("https://example.com/a?b=1", None)], ["ftp://x", "example.com", "javascript:alert(1)"]),
    ("radio", CHOICES, [("a", None)], ["z", ["a"]]),
    ("select", CHOICES, [("b", None)], ["z", 3]),
    ("checkbox", CHOICES, [(["a", "c"], None)], [["a", "a"], ["z"], "a"]),
    ("member", {"multiple": False}, [("ME", None)], [999999, "root", [1]]),
    ("department", {"multiple": True}, [([1], None)], [[999999], [1, 1], 1]),
    ("address", {}, [({"region": ["浙江省", "杭州市", "西湖区"], "detail": "文三路 1 号"}, None)],
     [{"region": []}, "杭州"]),
    ("location", {}, [({"lat": 30.27, "lng": 120.15, "label": "杭州"}, None)],
     [{"lat": 91, "lng": 0}, [30, 120]]),
    ("subtable", {"fields": [{"id": "s1", "type": "text", "label": "品名", "required": True},
                             {"id": "s2", "type": "number", "label": "数量", "options": {"precision": 0}}]},
     [([{"s1": "笔", "s2": 3}], [{"s1": "笔", "s2": 3}])], [[{"s2": 3}], [{"s1": "笔", "s2": "x"}], {"s1": "笔"}]),
    ("signature", {}, [("data:image/png;base64,iVBORw0KGgo=", None)], ["data:image/jpeg;base64,AAAA", "scribble"]),
    ("barcode", {}, [(" 6901234567892 ", "6901234567892")], [12345, "x" * 201]),
    ("attachment", {"max_files": 2}, [],
     [[{"sha256": SHA, "name": "a.pdf", "size": 1, "type": "application/pdf"}], "a.pdf",
      [{"sha256": "zz", "name": "a", "size": 1, "type": "a/b"}]]),
    ("image", {}, [], [[{"sha256": SHA, "name": "a.pdf", "size": 1, "type": "application/pdf"}]]),
]


class FormsTest(unittest.TestCase):
    # the leader empties the recycle bins every second here (hourly by default)
    NODE_ARGS = ("--housekeeping-interval", "1")

    @classmethod
    def setUpClass(cls):
        cls.node = Node(extra_args=cls.NODE_ARGS)
        cls.node.start()
        cls.root = Client.for_node(cls.node, "root")
        cls.ws = cls.root.setup("root", "Root", new_password(), "Acme").json()["workspace"]["id"]
        cls.me = cls.root.account["id"]
        cls.seq = iter(range(1, 1_000_000))
        # a data manager of every app, two plain members
        cls.manager, cls.manager_id = cls.member("manager")
        cls.alice, cls.alice_id = cls.member("alice")
        cls.bob, cls.bob_id = cls.member("bob")
        cls.root.ok("POST", f"/workspaces/{cls.ws}/permission-groups",
                    {"name": "data", "grants": {"manage_data": True}, "all_apps": True,
                     "app_ids": [], "member_ids": [cls.manager_id]}, status=201)
        # another workspace and its admin
        other = cls.root.ok("POST", "/workspaces", {"name": "Other"}, status=201)
        cls.ws_other = other["id"]

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.node.close()

    @classmethod
    def member(cls, name):
        login, password = f"{name}{next(cls.seq)}", new_password()
        m = cls.root.ok("POST", f"/workspaces/{cls.ws}/members",
                        {"login": login, "name": name.title(), "password": password}, status=201)
        c = Client.for_node(cls.node, who=name)
        c.sign_in(login, password)
        return c, m["account_id"]

    def W(self, path=""):
        return f"/api/v1/workspaces/{self.ws}{path}"

    def app(self, fields, who=None):
        who = who or self.root
        app = who.ok("POST", f"/workspaces/{self.ws}/apps", {"name": f"app {next(self.seq)}"},
                     status=201)["id"]
        if fields is not None:
            r = who.put(self.W(f"/apps/{app}/form"), {"version": 0, "fields": fields})
            self.assertEqual(r.status, 200, r.text())
        return app

    def create(self, app, values, who=None, expect=201):
        r = (who or self.root).post(self.W(f"/apps/{app}/records"), {"values": values})
        self.assertEqual(r.status, expect, r.text())
        return r.json()

    def query(self, app, who=None, expect=200, **body):
        r = (who or self.root).post(self.W(f"/apps/{app}/records/query"), body)
        self.assertEqual(r.status, expect, r.text())
        return r.json()

    # ---- field types ----

    def test_every_field_type_keeps_good_values_and_refuses_bad_ones(self):
        for type_, options, goods, bads in TYPES:
            with self.subTest(type=type_):
                field = {"id": "v", "type": type_, "label": f"字段{type_}", "options": options}
                app = self.app([field])
                for good, norm in goods:
                    if good == "ME":
                        good = self.me
                    rec = self.create(app, {"v": good})
                    want = good if norm is None else norm
                    got = self.root.get(self.W(f"/apps/{app}/records/{rec['id']}")).json()
                    self.assertEqual(got["values"]["v"], want)
                for bad in bads:
                    r = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"v": bad}})
                    self.assertEqual(r.status, 400, f"{type_} took {bad!r}: {r.text()}")
                    self.assertIn(f"字段{type_}", r.error_message)
                # nothing bad was kept
                self.assertEqual(len(self.query(app)["records"]), len(goods))

    def test_layout_fields_and_serials_take_no_value(self):
        app = self.app([{"id": "d", "type": "description", "label": "说明", "options": {"text": "请填写"}},
                        {"id": "s", "type": "serial", "label": "编号",
                         "options": {"parts": [{"kind": "counter", "digits": 3, "reset": "never"}]}},
                        {"id": "t", "type": "text", "label": "T"}])
        r = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"s": "001"}})
        self.assertEqual(r.status, 400, r.text())
        r = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"d": "x"}})
        self.assertEqual(r.status, 400, r.text())
        r = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"nope": "x"}})
        self.assertEqual(r.status, 400, r.text())
        self.assertEqual(self.create(app, {"t": "x"})["values"]["s"], "001")

    def test_per_field_rules_required_unique_default_readonly_show_when(self):
        app = self.app([
            {"id": "kind", "type": "select", "label": "类型", "required": True, "options": CHOICES},
            {"id": "code", "type": "text", "label": "代码", "unique": True},
            {"id": "qty", "type": "number", "label": "数量", "default": 1, "options": {"precision": 0}},
            {"id": "ro", "type": "text", "label": "只读", "readonly": True, "default": "固定"},
            {"id": "why", "type": "textarea", "label": "原因", "required": True,
             "show_when": {"match": "all", "conditions": [{"field": "kind", "op": "eq", "value": "c"}]}},
        ])
        r = self.root.post(self.W(f"/apps/{app}/records"), {"values": {}})
        self.assertEqual(r.status, 400)
        self.assertIn("类型", r.error_message)
        rec = self.create(app, {"kind": "a", "code": "X1", "why": "ignored"})
        self.assertEqual(rec["values"]["qty"], 1)
        self.assertEqual(rec["values"]["ro"], "固定")
        self.assertIsNone(rec["values"]["why"], "a field hidden by show_when keeps no value")
        r = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"kind": "a", "code": "X1"}})
        self.assertEqual(r.status, 409, r.text())
        self.assertIn("代码", r.error_message)
        r = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"kind": "c"}})
        self.assertEqual(r.status, 400)
        self.assertIn("原因", r.error_message)
        r = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"kind": "a", "ro": "改"}})
        self.assertEqual(r.status, 400)
        self.assertIn("只读", r.error_message)
        r = self.root.patch(self.W(f"/apps/{app}/records/{rec['id']}"), {"values": {"ro": "改"}})
        self.assertEqual(r.status, 400)
        # deleting frees a unique value; restoring it then conflicts
        self.root.ok("DELETE", f"/workspaces/{self.ws}/apps/{app}/records/{rec['id']}")
        self.create(app, {"kind": "b", "code": "X1"})
        r = self.root.post(self.W(f"/apps/{app}/records/{rec['id']}/restore"))
        self.assertEqual(r.status, 409, r.text())

    def test_bad_form_definitions_are_refused_with_the_reason(self):
        app = self.app(None)
        cases = [
            ([{"id": "a", "type": "nope", "label": "A"}], "unknown type"),
            ([{"id": "a", "type": "text", "label": "A"}, {"id": "a", "type": "text", "label": "B"}], "twice"),
            ([{"id": "a", "type": "text", "label": ""}], "label"),
            ([{"id": "a", "type": "checkbox", "label": "A", "unique": True, "options": CHOICES}], "unique"),
            ([{"id": "a", "type": "number", "label": "A", "default": "x"}], "default"),
            ([{"id": "a", "type": "text", "label": "A", "colour": "red"}], "unknown key"),
            ([{"id": "a", "type": "text", "label": "A",
               "show_when": {"conditions": [{"field": "zz", "op": "eq", "value": 1}]}}], "show_when"),
            ([{"id": "a", "type": "text", "label": "A"}, {"id": "b", "type": "text", "label": "B",
              "show_when": {"conditions": [{"field": "a", "op": "gt", "value": 1}]}}], "cannot use"),
            ([{"id": "s", "type": "serial", "label": "S", "options": {"parts": [
                {"kind": "field", "field": "zz"}, {"kind": "counter", "digits": 3, "reset": "never"}]}}], "zz"),
            ([{"id": "_x", "type": "text", "label": "A"}], "system"),
        ]
        for fields, words in cases:
            with self.subTest(words=words):
                r = self.root.put(self.W(f"/apps/{app}/form"), {"version": 0, "fields": fields})
                self.assertEqual(r.status, 400, r.text())
                self.assertIn(words, r.error_message)
        r = self.root.put(self.W(f"/apps/{app}/form"), {"version": 3, "fields": []})
        self.assertEqual(r.status, 409)

    # ---- forms changed while records exist ----

    def test_form_changes_keep_old_records_readable(self):
        f = [{"id": "name", "type": "text", "label": "名称"},
             {"id": "amt", "type": "number", "label": "金额", "options": {"precision": 2}},
             {"id": "cat", "type": "radio", "label": "类别", "options": CHOICES},
             {"id": "note", "type": "text", "label": "备注"}]
        app = self.app(f)
        old = self.create(app, {"name": "旧", "amt": 12.5, "cat": "c", "note": "n1"})
        form = self.root.get(self.W(f"/apps/{app}/form")).json()
        # rename a label, drop a choice, remove a field, add one, number -> money
        f2 = [{"id": "name", "type": "text", "label": "名称（新）"},
              {"id": "amt", "type": "money", "label": "金额", "options": {"precision": 2, "currency": "CNY"}},
              {"id": "cat", "type": "radio", "label": "类别", "options": {"choices": CHOICES["choices"][:2]}},
              {"id": "extra", "type": "date", "label": "日期"}]
        r = self.root.put(self.W(f"/apps/{app}/form"), {"version": form["version"], "fields": f2})
        self.assertEqual(r.status, 200, r.text())
        form2 = r.json()
        self.assertEqual(form2["version"], form["version"] + 1)
        retired = [c for c in form2["fields"][2]["options"]["choices"] if c.get("retired")]
        self.assertEqual([c["id"] for c in retired], ["c"], "a removed choice stays, retired")
        self.assertEqual([x["id"] for x in form2["removed_fields"]], ["note"])
        got = self.root.get(self.W(f"/apps/{app}/records/{old['id']}")).json()
        self.assertEqual(got["values"]["name"], "旧")
        self.assertEqual(got["values"]["amt"], 12.5)
        self.assertEqual(got["values"]["cat"], "c")
        self.assertIsNone(got["values"]["extra"])
        self.assertEqual(got["removed_values"], {"note": "n1"})
        # the retired choice cannot be picked again, but the old record can be edited
        r = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"cat": "c"}})
        self.assertEqual(r.status, 400, r.text())
        r = self.root.patch(self.W(f"/apps/{app}/records/{old['id']}"), {"values": {"name": "改"}})
        self.assertEqual(r.status, 200, r.text())
        # a type change that would lose data is refused with a reason
        f3 = [dict(x) for x in f2]
        f3[1] = {"id": "amt", "type": "text", "label": "金额"}
        r = self.root.put(self.W(f"/apps/{app}/form"), {"version": form2["version"], "fields": f3})
        self.assertEqual(r.status, 422, r.text())
        self.assertIn("金额", r.error_message)
        f3[1] = {"id": "amt", "type": "number", "label": "金额", "options": {"precision": 0}}
        r = self.root.put(self.W(f"/apps/{app}/form"), {"version": form2["version"], "fields": f3})
        self.assertEqual(r.status, 422, r.text())
        # a field put back gets its data back
        f4 = f2 + [{"id": "note", "type": "textarea", "label": "备注"}]
        r = self.root.put(self.W(f"/apps/{app}/form"), {"version": form2["version"], "fields": f4})
        self.assertEqual(r.status, 200, r.text())
        got = self.root.get(self.W(f"/apps/{app}/records/{old['id']}")).json()
        self.assertEqual(got["values"]["note"], "n1")
        self.assertEqual(got["removed_values"], {})
        # a type with no data may change kind freely
        f5 = f4[:3] + [{"id": "extra", "type": "number", "label": "日期→数字"}] + f4[4:]
        r = self.root.put(self.W(f"/apps/{app}/form"), {"version": form2["version"] + 1, "fields": f5})
        self.assertEqual(r.status, 200, r.text())
        self.create(app, {"extra": 5})
        versions = self.root.get(self.W(f"/apps/{app}/form/versions")).json()["versions"]
        self.assertEqual([v["version"] for v in versions], [4, 3, 2, 1])

    # ---- the write path ----

    def test_history_outbox_versions_and_the_recycle_bin(self):
        app = self.app([{"id": "t", "type": "text", "label": "标题"},
                        {"id": "m", "type": "member", "label": "负责人"}])
        rec = self.create(app, {"t": "一", "m": self.alice_id})
        self.assertEqual(rec["refs"]["members"][str(self.alice_id)], "Alice")
        r = self.root.patch(self.W(f"/apps/{app}/records/{rec['id']}"),
                            {"values": {"t": "二", "m": self.bob_id}, "version": 1})
        self.assertEqual(r.status, 200, r.text())
        self.assertEqual(r.json()["version"], 2)
        r = self.root.patch(self.W(f"/apps/{app}/records/{rec['id']}"), {"values": {"t": "三"}, "version": 1})
        self.assertEqual(r.status, 409, "a stale version is refused")
        self.root.ok("DELETE", f"/workspaces/{self.ws}/apps/{app}/records/{rec['id']}")
        self.assertEqual(self.query(app)["records"], [])
        self.assertEqual([x["id"] for x in self.query(app, deleted=True)["records"]], [rec["id"]])
        r = self.root.patch(self.W(f"/apps/{app}/records/{rec['id']}"), {"values": {"t": "三"}})
        self.assertEqual(r.status, 409, "a record in the bin is not edited")
        self.root.ok("POST", f"/workspaces/{self.ws}/apps/{app}/records/{rec['id']}/restore")
        h = self.root.get(self.W(f"/apps/{app}/records/{rec['id']}/history")).json()
        self.assertEqual([e["action"] for e in h["entries"]], ["restore", "delete", "update", "create"])
        upd = h["entries"][2]
        self.assertEqual(upd["actor"]["name"], "Root")
        self.assertEqual({c["field"]: (c["old"], c["new"]) for c in upd["changes"]},
                         {"t": ("一", "二"), "m": (self.alice_id, self.bob_id)})
        self.assertEqual(h["refs"]["members"][str(self.bob_id)], "Bob")
        # the outbox got one event per change, in the same transactions
        rows = self.node.sql(f"ws-{self.ws}", "query",
                             "SELECT topic FROM outbox WHERE app_id = ? AND record_id = ? ORDER BY id",
                             f"i:{app}", f"i:{rec['id']}")
        self.assertEqual([r[0] for r in rows],
                         ["record.created", "record.updated", "record.deleted", "record.restored"])

    def test_a_retried_create_with_the_same_key_applies_once(self):
        app = self.app([{"id": "t", "type": "text", "label": "T"}])
        key = {"Idempotency-Key": "create-once-1"}
        r1 = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"t": "x"}}, headers=key)
        r2 = self.root.post(self.W(f"/apps/{app}/records"), {"values": {"t": "x"}}, headers=key)
        self.assertEqual(r1.status, 201)
        # The replay is answered as the first request was: 201, same record.
        self.assertEqual(r2.status, 201, r2.text())
        self.assertEqual(r2.json()["id"], r1.json()["id"])
        self.assertEqual(len(self.query(app)["records"]), 1)

    def test_batch_is_all_or_nothing(self):
        app = self.app([{"id": "n", "type": "number", "label": "数"}])
        r = self.root.post(self.W(f"/apps/{app}/records/batch"),
                           {"records": [{"values": {"n": 1}}, {"values": {"n": "x"}}]})
        self.assertEqual(r.status, 400)
        self.assertIn("record 2", r.error_message)
        self.assertEqual(self.query(app)["records"], [])
        r = self.root.post(self.W(f"/apps/{app}/records/batch"),
                           {"records": [{"values": {"n": i}} for i in range(300)]})
        self.assertEqual(r.status, 201, r.text())
        self.assertEqual(self.root.post(self.W(f"/apps/{app}/records/count"), {}).json()["count"], 300)

    def test_concurrent_serials_are_distinct_and_consecutive(self):
        app = self.app([{"id": "s", "type": "serial", "label": "编号", "options": {"parts": [
            {"kind": "text", "text": "NO-"}, {"kind": "counter", "digits": 4, "reset": "never"}]}},
            {"id": "t", "type": "text", "label": "T"}])
        got, errors = [], []

        def worker(k):
            c = self.root.clone(who=f"worker {k}")
            for i in range(10):
                r = c.post(self.W(f"/apps/{app}/records"), {"values": {"t": f"{k}-{i}"}})
                (got if r.status == 201 else errors).append(r.json()["values"]["s"] if r.status == 201 else r.text())

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(sorted(got), [f"NO-{i:04d}" for i in range(1, 81)])

    # ---- lists ----

    def test_filters_sort_paging_search_and_count(self):
        app = self.app([
            {"id": "name", "type": "text", "label": "名称"},
            {"id": "n", "type": "number", "label": "数", "options": {"precision": 0}},
            {"id": "d", "type": "date", "label": "日"},
            {"id": "c", "type": "select", "label": "类", "options": CHOICES},
            {"id": "tags", "type": "checkbox", "label": "标签", "options": CHOICES},
            {"id": "who", "type": "member", "label": "人", "options": {"multiple": True}},
        ])
        recs = []
        for i in range(30):
            recs.append(self.create(app, {
                "name": f"合同 {i:02d} {'urgent' if i % 5 == 0 else 'normal'}",
                "n": i, "d": f"2026-11-{i % 28 + 1:02d}", "c": "abc"[i % 3],
                "tags": ["a", "b"] if i % 2 else ["c"],
                "who": [self.alice_id] if i % 3 == 0 else [self.bob_id]}))

        def ids(**body):
            return [r["values"]["n"] for r in self.query(app, limit=200, **body)["records"]]

        def where(field, op, value=None, match="all"):
            c = {"field": field, "op": op}
            if value is not None:
                c["value"] = value
            return ids(filter={"match": match, "conditions": [c]}, sort=[{"field": "n", "dir": "asc"}])

        self.assertEqual(where("n", "gt", 26), [27, 28, 29])
        self.assertEqual(where("n", "between", [3, 5]), [3, 4, 5])
        self.assertEqual(where("n", "ne", 0)[:2], [1, 2])
        self.assertEqual(where("name", "contains", "URGENT"), [0, 5, 10, 15, 20, 25])
        self.assertEqual(where("name", "starts", "合同 1"), list(range(10, 20)))
        self.assertEqual(where("d", "lte", "2026-11-02"), [0, 1, 28, 29])
        self.assertEqual(where("c", "in", ["b"]), list(range(1, 30, 3)))
        self.assertEqual(where("tags", "all_of", ["a", "b"]), list(range(1, 30, 2)))
        self.assertEqual(where("tags", "none_of", ["a"]), list(range(0, 30, 2)))
        self.assertEqual(where("who", "any_of", [self.alice_id]), list(range(0, 30, 3)))
        self.assertEqual(where("_id", "lte", recs[1]["id"]), [0, 1])
        self.assertEqual(len(where("_created_by", "any_of", [self.me])), 30)
        self.assertEqual(len(where("_created_at", "gte", "2020-01-01")), 30)
        self.assertEqual(where("d", "empty"), [])
        both = {"match": "any", "conditions": [{"field": "n", "op": "eq", "value": 1},
                                               {"field": "n", "op": "eq", "value": 2}]}
        self.assertEqual(ids(filter=both, sort=[{"field": "n", "dir": "desc"}]), [2, 1])
        # bad filters name what is wrong
        for bad, words in [({"field": "tags", "op": "gt", "value": 1}, "cannot be filtered"),
                           ({"field": "zz", "op": "eq", "value": 1}, "no field"),
                           ({"field": "n", "op": "between", "value": [1]}, "between"),
                           ({"field": "n", "op": "eq", "value": "x"}, "numbers")]:
            r = self.root.post(self.W(f"/apps/{app}/records/query"),
                               {"filter": {"conditions": [bad]}})
            self.assertEqual(r.status, 400, r.text())
            self.assertIn(words, r.error_message)
        r = self.root.post(self.W(f"/apps/{app}/records/query"), {"sort": [{"field": "tags"}]})
        self.assertEqual(r.status, 400)
        # keyset paging over a sort with ties and the default order
        for sort in ([{"field": "c", "dir": "asc"}], [{"field": "name", "dir": "desc"}], None):
            seen, after = [], None
            while True:
                body = {"limit": 7}
                if sort:
                    body["sort"] = sort
                if after:
                    body["after"] = after
                page = self.query(app, **body)
                seen += [r["id"] for r in page["records"]]
                after = page["next"]
                if not after:
                    break
            self.assertEqual(sorted(seen), sorted(r["id"] for r in recs), f"paging by {sort}")
            self.assertEqual(len(seen), len(set(seen)))
        # full text (words of 3+ characters through the index, shorter ones too)
        self.assertEqual(sorted(ids(q="urgent")), [0, 5, 10, 15, 20, 25])
        self.assertEqual(ids(q="urgent 05"), [5])
        self.assertEqual(sorted(ids(q="07")), [6, 7], "short words too; dates are searched")
        self.assertEqual(sorted(ids(q="合同 urgent 10")), [10])
        r = self.root.post(self.W(f"/apps/{app}/records/count"),
                           {"filter": {"conditions": [{"field": "n", "op": "lt", "value": 10}]}})
        self.assertEqual(r.json()["count"], 10)
        r = self.root.post(self.W(f"/apps/{app}/records/query"), {"after": "garbage"})
        self.assertEqual(r.status, 400)

    def test_date_time_filters_read_offsets_and_local_days(self):
        app = self.app([{"id": "at", "type": "datetime", "label": "时间"}])
        self.create(app, {"at": "2026-11-28T07:30:00+08:00"})   # 2026-11-27T23:30Z
        self.create(app, {"at": "2026-11-28T09:00:00+08:00"})   # 2026-11-28T01:00Z

        def n(op, value):
            return len(self.query(app, filter={"conditions": [{"field": "at", "op": op, "value": value}]})["records"])

        self.assertEqual(n("eq", "2026-11-28"), 2, "a date is a local (UTC+8) day")
        self.assertEqual(n("lt", "2026-11-28T08:00:00+08:00"), 1, "offsets are read")
        self.assertEqual(n("gte", "2026-11-28T00:00:00Z"), 1)
        self.assertEqual(n("between", ["2026-11-28", "2026-11-28"]), 2)

    # ---- import and export ----

    def import_(self, app, rows, mapping=None, dry_run=False, fmt="csv", content=None, expect=200):
        if content is None:
            out = io.StringIO()
            csv.writer(out).writerows(rows)
            content = out.getvalue().encode("utf-8")
        r = self.root.post(self.W(f"/apps/{app}/import"), {
            "format": fmt, "content": base64.b64encode(content).decode(),
            "mapping": mapping, "dry_run": dry_run})
        self.assertEqual(r.status, expect, r.text())
        return r.json()

    def test_import_reports_bad_rows_keeps_good_ones_and_export_round_trips(self):
        fields = [
            {"id": "name", "type": "text", "label": "名称", "required": True, "unique": True},
            {"id": "amt", "type": "money", "label": "金额", "options": {"precision": 2, "currency": "CNY"}},
            {"id": "day", "type": "date", "label": "日期"},
            {"id": "at", "type": "datetime", "label": "时间"},
            {"id": "kind", "type": "select", "label": "类别", "options": CHOICES},
            {"id": "tags", "type": "checkbox", "label": "标签", "options": CHOICES},
            {"id": "who", "type": "member", "label": "负责人"},
            {"id": "team", "type": "member", "label": "成员", "options": {"multiple": True}},
            {"id": "addr", "type": "address", "label": "地址"},
            {"id": "dur", "type": "duration", "label": "时长"},
        ]
        app = self.app(fields)
        alice = self.root.get(self.W(f"/members/{self.alice_id}")).json()
        head = ["名称", "金额", "日期", "时间", "类别", "标签", "负责人", "成员", "地址", "时长", "备注"]
        rows = [head,
                ["笔记本", "¥1,234.50", "2026/11/28", "2026-11-28 09:30", "甲", "甲; 丙", alice["login"],
                 "Alice、Bob", "浙江省/杭州市/西湖区 文三路 1 号", "1:30", "ignored"],
                ["坏金额", "abc", "", "", "", "", "", "", "", "", ""],
                ["坏日期", "1", "2026-02-30", "", "", "", "", "", "", "", ""],
                ["", "2", "", "", "", "", "", "", "", "", ""],
                ["坏选项", "3", "", "", "丁", "", "", "", "", "", ""],
                ["坏人员", "4", "", "", "", "", "nobody", "", "", "", ""],
                ["第二条", "5", "2026-01-05", "", "乙", "", "", "", "", "", ""]]
        dry = self.import_(app, rows)
        self.assertTrue(dry["dry_run"])
        self.assertEqual(dry["mapping"]["备注"], None)
        self.assertEqual(dry["mapping"]["金额"], "amt")
        self.assertEqual((dry["rows"], dry["good"], dry["imported"]), (7, 2, 0))
        bad = {b["row"]: " ".join(b["errors"]) for b in dry["bad"]}
        self.assertEqual(sorted(bad), [3, 4, 5, 6, 7])
        self.assertIn("金额", bad[3])
        self.assertIn("日期", bad[4])
        self.assertIn("名称", bad[5])
        self.assertIn("类别", bad[6])
        self.assertIn("负责人", bad[7])
        self.assertEqual(self.query(app)["records"], [], "a dry run writes nothing")
        done = self.import_(app, rows, mapping=dry["mapping"], dry_run=False)
        self.assertEqual(done["imported"], 2)
        recs = {r["values"]["name"]: r for r in self.query(app)["records"]}
        first = recs["笔记本"]["values"]
        self.assertEqual(first["amt"], 1234.5)
        self.assertEqual(first["day"], "2026-11-28")
        self.assertEqual(first["at"], "2026-11-28T01:30:00Z")
        self.assertEqual((first["kind"], first["tags"]), ("a", ["a", "c"]))
        self.assertEqual(first["who"], self.alice_id)
        self.assertEqual(sorted(first["team"]), sorted([self.alice_id, self.bob_id]))
        self.assertEqual(first["addr"], {"region": ["浙江省", "杭州市", "西湖区"], "detail": "文三路 1 号"})
        self.assertEqual(first["dur"], 5400)
        h = self.root.get(self.W(f"/apps/{app}/records/{recs['笔记本']['id']}/history")).json()
        self.assertEqual(h["entries"][0]["action"], "import")
        # a second import of the same rows: the unique name fails its batch, nothing half-kept
        again = self.import_(app, rows, mapping=dry["mapping"])
        self.assertEqual(again["imported"], 0)
        self.assertFalse(again["batches"][0]["imported"])
        self.assertIn("名称", again["batches"][0]["error"])
        self.assertEqual(len(self.query(app)["records"]), 2)
        # export (CSV) round-trips through import into a copy of the form
        r = self.root.post(self.W(f"/apps/{app}/export"), {"format": "csv", "sort": [{"field": "name", "dir": "asc"}]})
        self.assertEqual(r.status, 200, r.text())
        self.assertIn("text/csv", r.header("Content-Type"))
        self.assertIn("attachment", r.header("Content-Disposition"))
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"))
        table = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
        self.assertEqual(table[0][1:11], [f["label"] for f in fields])
        self.assertEqual(len(table), 3)
        copy = self.app(fields)
        back = self.import_(copy, None, content=r.body, mapping=None)
        self.assertEqual(back["good"], 2, back["bad"])
        self.import_(copy, None, content=r.body, mapping=back["mapping"], dry_run=False)
        strip = lambda rec: {k: v for k, v in rec["values"].items()}  # noqa: E731
        got = sorted((strip(x) for x in self.query(copy)["records"]), key=lambda v: v["name"])
        want = sorted((strip(x) for x in self.query(app)["records"]), key=lambda v: v["name"])
        self.assertEqual(got, want)
        # XLSX both ways
        r = self.root.post(self.W(f"/apps/{app}/export"), {"format": "xlsx", "fields": ["name", "amt"]})
        self.assertEqual(r.status, 200, r.text())
        self.assertTrue(r.body.startswith(b"PK"))
        back = self.import_(self.app(fields[:2]), None, fmt="xlsx", content=r.body)
        self.assertEqual((back["rows"], back["good"]), (2, 2), back)
        # bad files and requests
        self.import_(app, None, content=b"\xff\xfe\x00bad", expect=400)
        self.import_(app, None, fmt="xlsx", content=b"not a zip", expect=400)
        r = self.root.post(self.W(f"/apps/{app}/import"), {"format": "csv", "content": "***"})
        self.assertEqual(r.status, 400)
        r = self.alice.post(self.W(f"/apps/{app}/export"), {"format": "csv"})
        self.assertEqual(r.status, 403)
        r = self.alice.post(self.W(f"/apps/{app}/import"), {"format": "csv", "content": ""})
        self.assertEqual(r.status, 403)

    def test_a_file_larger_than_a_json_body_imports_after_an_upload(self):
        import urllib.parse
        app = self.app([{"id": "t", "type": "textarea", "label": "正文"},
                        {"id": "n", "type": "number", "label": "序号", "options": {"precision": 0}}])
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["正文", "序号"])
        for i in range(3000):
            w.writerow(["长文本" * 60 + str(i), i])
        data = out.getvalue().encode("utf-8")
        self.assertGreater(len(data), 1 << 20, "more than http-max-body")
        up = self.root.request("POST", f"/workspaces/{self.ws}/files", body=data,
                               headers={"Content-Type": "text/csv",
                                        "X-Creek-File-Name": urllib.parse.quote("导入.csv")})
        self.assertEqual(up.status, 201, up.text())
        r = self.root.post(self.W(f"/apps/{app}/import"),
                           {"format": "csv", "file": up.json()["sha256"], "mapping": {"正文": "t", "序号": "n"},
                            "dry_run": False})
        self.assertEqual(r.status, 200, r.text())
        self.assertEqual((r.json()["rows"], r.json()["imported"]), (3000, 3000))
        # 500 rows a batch at most, and about 256 KiB of values: 7 of these.
        self.assertEqual([b["imported"] for b in r.json()["batches"]], [True] * 7)
        r = self.root.post(self.W(f"/apps/{app}/import"), {"format": "csv", "file": "d" * 64})
        self.assertEqual(r.status, 400, r.text())

    # ---- who may do what ----

    def test_the_forms_matrix_covers_every_route_and_holds(self):
        import hashlib
        import urllib.parse
        routes = set()
        for methods, pattern in route_rows():
            found = FORMS_ROUTE.match(pattern)
            for m in methods if found else []:
                if m not in ("HEAD", "OPTIONS"):
                    routes.add((m, re.sub(r"\{[^}]*\}", "{}", found.group(1))))
        rows = {(m, p) for m, p, _ in FORMS_MATRIX}
        self.assertEqual(routes - rows, set(), "routes without a matrix row")
        self.assertEqual(rows - routes, set(), "matrix rows without a route")

        outsider_login, password = f"outsider{next(self.seq)}", new_password()
        self.root.ok("POST", f"/workspaces/{self.ws_other}/members",
                     {"login": outsider_login, "name": "Outsider", "password": password}, status=201)
        other = Client.for_node(self.node, who="outsider")
        other.sign_in(outsider_login, password)
        actors = {"root": self.root, "manager": self.manager, "alice": self.alice, "bob": self.bob,
                  "out": Client.for_node(self.node, who="signed out"), "other": other}
        app = self.app([{"id": "t", "type": "text", "label": "T"},
                        {"id": "doc", "type": "attachment", "label": "附件"}])
        data = b"matrix file"
        sha = hashlib.sha256(data).hexdigest()
        ref = self.bob.request("POST", f"/workspaces/{self.ws}/files", body=data,
                               headers={"Content-Type": "text/plain",
                                        "X-Creek-File-Name": urllib.parse.quote("m.txt")}).json()
        csv_b64 = base64.b64encode("T\nimported\n".encode()).decode()

        def fresh_record(deleted=False):
            rec = self.create(app, {"t": "bob's", "doc": [ref]}, who=self.bob)["id"]
            if deleted:
                self.root.ok("DELETE", f"/workspaces/{self.ws}/apps/{app}/records/{rec}")
            return rec

        def call(method, path, who):
            version = self.root.get(self.W(f"/apps/{app}/form")).json()["version"]
            rec = fresh_record(deleted=path.endswith("/restore"))
            p = path.replace("/records/{}/files/{}", f"/records/{rec}/files/{sha}").replace("{}", str(rec), 1)
            body = {
                ("PUT", "/form"): {"version": version, "fields": [{"id": "t", "type": "text", "label": "T"},
                                                                   {"id": "doc", "type": "attachment", "label": "附件"}]},
                ("POST", "/records"): {"values": {"t": "new"}},
                ("POST", "/records/batch"): {"records": [{"values": {"t": "b1"}}]},
                ("POST", "/records/query"): {},
                ("POST", "/records/count"): {},
                ("PATCH", "/records/{}"): {"values": {"t": "changed"}},
                ("POST", "/export"): {"format": "csv"},
                ("POST", "/import"): {"format": "csv", "content": csv_b64, "mapping": {"T": "t"}, "dry_run": True},
            }.get((method, path))
            return actors[who].request(method, f"/workspaces/{self.ws}/apps/{app}{p}", body=body)

        for method, path, cells in FORMS_MATRIX:
            for who, want in zip(actors, cells.split()):
                with self.subTest(route=f"{method} {path}", who=who):
                    r = call(method, path, who)
                    if want == "y":
                        self.assertLess(r.status, 300, f"{who}: {r}")
                    else:
                        self.assertEqual(r.status, int(want), f"{who}: {r}")

    def test_members_see_their_own_records_managers_see_all(self):
        app = self.app([{"id": "t", "type": "text", "label": "T"}])
        a = self.create(app, {"t": "alice's"}, who=self.alice)
        b = self.create(app, {"t": "bob's"}, who=self.bob)
        self.assertEqual([r["id"] for r in self.query(app, who=self.alice)["records"]], [a["id"]])
        self.assertEqual(sorted(r["id"] for r in self.query(app, who=self.manager)["records"]),
                         sorted([a["id"], b["id"]]))
        for method, path, body in [("GET", f"/records/{b['id']}", None),
                                   ("PATCH", f"/records/{b['id']}", {"values": {"t": "x"}}),
                                   ("DELETE", f"/records/{b['id']}", None),
                                   ("GET", f"/records/{b['id']}/history", None)]:
            r = self.alice.request(method, self.W(f"/apps/{app}{path}"), body)
            self.assertEqual(r.status, 404, f"alice {method} {path}: {r.text()}")
        r = self.alice.post(self.W(f"/apps/{app}/records/query"), {"deleted": True})
        self.assertEqual(r.status, 403)
        self.alice.ok("DELETE", f"/workspaces/{self.ws}/apps/{app}/records/{a['id']}")
        r = self.alice.post(self.W(f"/apps/{app}/records/{a['id']}/restore"))
        self.assertEqual(r.status, 403)
        self.manager.ok("POST", f"/workspaces/{self.ws}/apps/{app}/records/{a['id']}/restore")
        r = self.manager.patch(self.W(f"/apps/{app}/records/{b['id']}"), {"values": {"t": "fixed"}})
        self.assertEqual(r.status, 200, r.text())
        # only the app's editors change its form
        r = self.manager.put(self.W(f"/apps/{app}/form"), {"version": 1, "fields": []})
        self.assertEqual(r.status, 403)
        # another workspace's ids lead nowhere
        r = self.root.post(f"/api/v1/workspaces/{self.ws_other}/apps/{app}/records", {"values": {"t": "x"}})
        self.assertEqual(r.status, 404, r.text())
        signed_out = Client.for_node(self.node)
        r = signed_out.post(self.W(f"/apps/{app}/records/query"), {})
        self.assertEqual(r.status, 401)

    def test_record_files_download_only_for_readers_of_the_record(self):
        import hashlib
        import urllib.parse
        app = self.app([{"id": "doc", "type": "attachment", "label": "附件", "options": {"max_size": 100000}},
                        {"id": "pic", "type": "image", "label": "图片"}])
        data = os.urandom(5000)
        up = self.alice.request("POST", f"/workspaces/{self.ws}/files", body=data,
                                headers={"Content-Type": "application/pdf",
                                         "X-Creek-File-Name": urllib.parse.quote("合同.pdf")})
        self.assertEqual(up.status, 201, up.text())
        ref = up.json()
        self.assertEqual(ref["sha256"], hashlib.sha256(data).hexdigest())
        r = self.alice.post(self.W(f"/apps/{app}/records"), {"values": {"pic": [ref]}})
        self.assertEqual(r.status, 400, "a PDF is not an image")
        forged = dict(ref, size=1)
        rec = self.create(app, {"doc": [forged]}, who=self.alice)
        self.assertEqual(rec["values"]["doc"][0]["size"], 5000, "the stored size, not the claimed one")
        path = self.W(f"/apps/{app}/records/{rec['id']}/files/{ref['sha256']}")
        got = self.alice.get(path)
        self.assertEqual((got.status, got.body), (200, data))
        self.assertEqual(self.manager.get(path).status, 200)
        self.assertEqual(self.bob.get(path).status, 404, "bob may not read alice's record")
        other = self.W(f"/apps/{app}/records/{rec['id']}/files/{'b' * 64}")
        self.assertEqual(self.alice.get(other).status, 404, "a file the record does not hold")
        r = self.alice.post(self.W(f"/apps/{app}/records"),
                            {"values": {"doc": [dict(ref, sha256="c" * 64)]}})
        self.assertEqual(r.status, 400, "a file that was never uploaded")
        self.assertIn("附件", r.error_message)
        big = self.alice.request("POST", f"/workspaces/{self.ws}/files", body=os.urandom(100001),
                                 headers={"Content-Type": "application/pdf", "X-Creek-File-Name": "big.pdf"})
        r = self.alice.post(self.W(f"/apps/{app}/records"), {"values": {"doc": [big.json()]}})
        self.assertEqual(r.status, 400, "over the field's max_size")

    def kept_and_scanned(self, app):
        db = f"ws-{self.ws}"
        kept = self.node.sql(db, "query", "SELECT live FROM record_count WHERE app_id = ?",
                             f"i:{app}")
        scanned = self.node.sql(db, "query",
                                f"SELECT count(*) FROM rec_{app} WHERE deleted_us IS NULL")
        answered = self.root.post(self.W(f"/apps/{app}/records/count"), {}).json()["count"]
        return (kept[0][0] if kept else None), scanned[0][0], answered

    def test_the_count_of_all_records_is_kept_by_every_write_path(self):
        app = self.app([{"id": "t", "type": "text", "label": "T"}])
        self.assertEqual(self.kept_and_scanned(app), (0, 0, 0))
        self.root.ok("POST", f"/workspaces/{self.ws}/apps/{app}/records/batch",
                     {"records": [{"values": {"t": str(i)}} for i in range(40)]}, status=201)
        recs = [self.create(app, {"t": "x"}) for _ in range(3)]
        self.assertEqual(self.kept_and_scanned(app), (43, 43, 43))
        for rec in recs:
            self.root.ok("DELETE", f"/workspaces/{self.ws}/apps/{app}/records/{rec['id']}")
        self.assertEqual(self.kept_and_scanned(app), (40, 40, 40))
        self.root.ok("POST", f"/workspaces/{self.ws}/apps/{app}/records/{recs[0]['id']}/restore")
        r = self.root.patch(self.W(f"/apps/{app}/records/{recs[0]['id']}"),
                            {"values": {"t": "y"}})
        self.assertEqual(r.status, 200, r.text())
        self.assertEqual(self.kept_and_scanned(app), (41, 41, 41))
        # A filtered count, a member's own and the bin still count rows.
        r = self.root.post(self.W(f"/apps/{app}/records/count"),
                           {"filter": {"conditions": [{"field": "t", "op": "eq", "value": "y"}]}})
        self.assertEqual(r.json()["count"], 1, r.text())
        self.assertEqual(self.root.post(self.W(f"/apps/{app}/records/count"),
                                        {"deleted": True}).json()["count"], 2)
        self.assertEqual(self.alice.post(self.W(f"/apps/{app}/records/count"),
                                         {}).json()["count"], 0)

    def test_a_table_made_before_counts_were_kept_is_counted_from_the_next_start(self):
        app = self.app([{"id": "t", "type": "text", "label": "T"}])
        for _ in range(3):
            self.create(app, {"t": "x"})
        db = f"ws-{self.ws}"
        # As an older build left it: no count row, no triggers.
        self.node.sql(db, "exec", "DELETE FROM record_count WHERE app_id = ?", f"i:{app}")
        for name in ("in", "out", "bin"):
            self.node.sql(db, "exec", f"DROP TRIGGER rec_{app}_count_{name}")
        self.create(app, {"t": "x"})
        self.assertEqual(self.kept_and_scanned(app), (None, 4, 4))  # counted by a scan
        self.node.stop()
        self.node.start()
        self.assertEqual(self.kept_and_scanned(app), (4, 4, 4))
        self.create(app, {"t": "x"})
        self.assertEqual(self.kept_and_scanned(app), (5, 5, 5))

    def test_the_recycle_bins_are_emptied_after_30_days(self):
        from creek import wait_for
        app = self.app([{"id": "t", "type": "text", "label": "T"}])
        old, fresh = self.create(app, {"t": "old"}), self.create(app, {"t": "fresh"})
        for rec in (old, fresh):
            self.root.ok("DELETE", f"/workspaces/{self.ws}/apps/{app}/records/{rec['id']}")
        gone = self.app([{"id": "t", "type": "text", "label": "T"}])
        self.create(gone, {"t": "x"})
        self.root.ok("DELETE", f"/workspaces/{self.ws}/apps/{gone}")
        # 31 days ago, as far as the bins can tell
        db = f"ws-{self.ws}"
        # The outbox's oldest events too (ids follow commit order).
        newest = self.node.sql(db, "query", "SELECT max(id) FROM outbox")[0][0]
        first_kept = self.create(app, {"t": "after"})
        self.node.sql(db, "exec", "UPDATE outbox SET at_us = 1 WHERE id <= ?", f"i:{newest}")
        self.node.sql(db, "exec", f"UPDATE rec_{app} SET deleted_us = 1 WHERE id = ?", f"i:{old['id']}")
        self.node.sql(db, "exec", "UPDATE app SET deleted_us = 1 WHERE id = ?", f"i:{gone}")

        def purged():
            ids = [r["id"] for r in self.query(app, deleted=True)["records"]]
            bin_ = [x["id"] for x in self.root.get(self.W("/app-bin")).json()["apps"]]
            return ids == [fresh["id"]] and gone not in bin_

        wait_for(purged, 20, "the housekeeping to empty the bins")
        self.assertEqual(self.node.sql(db, "query", "SELECT count(*) FROM sqlite_master WHERE name = ?",
                                       f"t:rec_{gone}"), [[0]])
        self.assertEqual(self.node.sql(db, "query", "SELECT count(*) FROM record_history WHERE app_id = ? "
                                       "AND record_id = ?", f"i:{app}", f"i:{old['id']}"), [[0]])
        self.assertEqual(self.node.sql(db, "query", "SELECT count(*) FROM record_count WHERE app_id = ?",
                                       f"i:{gone}"), [[0]])
        self.assertEqual(self.kept_and_scanned(app), (1, 1, 1))
        wait_for(lambda: self.node.sql(db, "query", "SELECT min(id) FROM outbox")[0][0] > newest,
                 20, "the outbox's old events to go")
        self.assertEqual(self.node.sql(db, "query", "SELECT record_id FROM outbox WHERE topic = "
                                       "'record.created' AND app_id = ?", f"i:{app}"),
                         [[first_kept["id"]]])
        self.assertEqual(self.root.get(self.W(f"/apps/{app}/records/{old['id']}")).status, 404)

    # ---- the apps page ----

    def test_app_groups_order_icons_and_the_recycle_bin(self):
        a1 = self.root.ok("POST", f"/workspaces/{self.ws}/apps", {"name": "报销", "icon": "Money", "color": "#ff8800"}, status=201)
        self.assertEqual((a1["icon"], a1["color"]), ("Money", "#ff8800"))
        r = self.root.post(self.W("/apps"), {"name": "x", "icon": "Rocket"})
        self.assertEqual(r.status, 400)
        r = self.root.post(self.W("/apps"), {"name": "x", "color": "red"})
        self.assertEqual(r.status, 400)
        apps = [x["id"] for x in self.root.get(self.W("/apps")).json()["apps"]]
        layout = {"groups": [{"name": "财务", "apps": [a1["id"]]}],
                  "ungrouped": [x for x in apps if x != a1["id"]][::-1]}
        out = self.root.put(self.W("/app-layout"), layout)
        self.assertEqual(out.status, 200, out.text())
        got = out.json()
        group = got["groups"][0]
        self.assertEqual(group["name"], "财务")
        self.assertEqual([x["group_id"] for x in got["apps"] if x["id"] == a1["id"]], [group["id"]])
        self.assertEqual([x["id"] for x in got["apps"]][1:], layout["ungrouped"])
        r = self.root.put(self.W("/app-layout"), {"groups": [], "ungrouped": apps[:-1]})
        self.assertEqual(r.status, 409, "every app must be placed")
        r = self.alice.put(self.W("/app-layout"), layout)
        self.assertEqual(r.status, 403)
        # delete to the bin, its records kept; restore brings both back
        app = self.app([{"id": "t", "type": "text", "label": "T"}])
        rec = self.create(app, {"t": "keep me"})
        self.root.ok("DELETE", f"/workspaces/{self.ws}/apps/{app}")
        self.assertNotIn(app, [x["id"] for x in self.root.get(self.W("/apps")).json()["apps"]])
        bin_ = self.root.get(self.W("/app-bin")).json()
        self.assertIn(app, [x["id"] for x in bin_["apps"]])
        self.assertTrue(all("purge_at" in x for x in bin_["apps"]))
        self.assertEqual(self.root.get(self.W(f"/apps/{app}/records/{rec['id']}")).status, 404)
        self.assertEqual(self.alice.get(self.W("/app-bin")).json()["apps"], [])
        self.root.ok("POST", f"/workspaces/{self.ws}/apps/{app}/restore")
        got = self.root.get(self.W(f"/apps/{app}/records/{rec['id']}")).json()
        self.assertEqual(got["values"]["t"], "keep me")


class FormsWithoutReadModelTest(FormsTest):
    """Every test above again on a node without a read model, where the
    store answers every read: the model (FormsTest's node reads from it)
    must answer what the store answers, for every actor of the matrix."""
    NODE_ARGS = FormsTest.NODE_ARGS + ("--read-model", "off")

    def test_reads_come_from_the_store(self):
        r = self.node.get("/api/v1/node/read-model")
        self.assertEqual(r.status, 503, r.body)
        self.assertNotIn("read_model", self.node.get("/api/v1/health").json())


if __name__ == "__main__":
    unittest.main()
