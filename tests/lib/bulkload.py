"""tests/lib/bulkload.py: a 10-field form of purchase records and a bulk
load of it through POST .../records/batch, shared by tests/bench/forms.py
(figures) and tests/cluster/test_memory.py (the memory bound).

setup(node) makes the workspace, the app and its form as the node's
operator, and CLIENTS members with manage_data on every app; bulk_insert()
loads records 1,000 a request from 4 clients at once."""

import http.client
import json
import os
import random
import threading
import time

CLIENTS = 32
BATCH = int(os.environ.get("BENCH_BATCH", "1000"))
PASSWORD = "bench-password-1"
WORDS = ["采购", "报销", "合同", "设备", "差旅", "办公", "维修", "培训", "招待", "软件"]

FIELDS = [
    {"id": "title", "type": "text", "label": "标题"},
    {"id": "amount", "type": "money", "label": "金额", "options": {"precision": 2, "currency": "CNY"}},
    {"id": "qty", "type": "number", "label": "数量", "options": {"precision": 0}},
    {"id": "kind", "type": "select", "label": "类别", "options": {"choices": [
        {"id": f"k{i}", "label": w} for i, w in enumerate(WORDS)]}},
    {"id": "day", "type": "date", "label": "日期"},
    {"id": "email", "type": "email", "label": "邮箱"},
    {"id": "note", "type": "textarea", "label": "备注"},
    {"id": "rating", "type": "rating", "label": "评分"},
    {"id": "tags", "type": "checkbox", "label": "标签", "options": {"choices": [
        {"id": "a", "label": "急"}, {"id": "b", "label": "大额"}, {"id": "c", "label": "复核"}]}},
    {"id": "phone", "type": "phone", "label": "电话"},
]


class Session:
    def __init__(self, port):
        self.port = port
        self.conn = None
        self.cookie = self.csrf = None
        # Creek-Position of this session's last write, carried on its
        # reads when carry is set (read-your-writes without the leader)
        self.position = None
        self.carry = False

    def call(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            h = {"Content-Type": "application/json"}
            if self.cookie:
                h["Cookie"] = self.cookie
                h["X-Creek-CSRF"] = self.csrf
            if self.carry and self.position:
                h["Creek-Position"] = self.position
            h.update(headers or {})
            try:
                self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                                  headers=h)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Creek-Position"):
                    self.position = r.getheader("Creek-Position")
                return r.status, data, r.getheader("Set-Cookie") or ""
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def sign_in(self, login):
        status, data, cookie = self.call("POST", "/api/v1/session", {"login": login, "password": PASSWORD})
        assert status == 200, data
        self.cookie = cookie.split(";")[0]
        self.csrf = json.loads(data)["csrf_token"]
        if json.loads(data)["account"].get("must_change_password"):
            # An admin set it: change it as its owner (and back) before anything else.
            for current, new in ((PASSWORD, PASSWORD + "-own"), (PASSWORD + "-own", PASSWORD)):
                status, data, _ = self.call("PUT", "/api/v1/me/password", {
                    "current_password": current, "new_password": new})
                assert status == 204, data


def setup(node):
    s = Session(node.http_port)
    # As the operator (creekctl admin create does the same): no setup code.
    status, data, cookie = s.call("POST", "/api/v1/setup", {
        "login": "admin", "name": "Admin", "password": PASSWORD, "workspace_name": "Bench"},
        {"X-Creek-Operator": node.operator_token()})
    assert status == 201, data
    s.cookie = cookie.split(";")[0]
    s.csrf = json.loads(data)["csrf_token"]
    ws = json.loads(data)["workspace"]["id"]
    status, data, _ = s.call("POST", f"/api/v1/workspaces/{ws}/apps", {"name": "Bench"})
    assert status == 201, data
    app = json.loads(data)["id"]
    status, data, _ = s.call("PUT", f"/api/v1/workspaces/{ws}/apps/{app}/form",
                             {"version": 0, "fields": FIELDS})
    assert status == 200, data
    # data managers of every app, one per client (sign-ins are throttled per login)
    ids = []
    for i in range(CLIENTS):
        status, data, _ = s.call("POST", f"/api/v1/workspaces/{ws}/members", {
            "login": f"user{i}", "name": f"User {i}", "password": PASSWORD})
        assert status == 201, data
        ids.append(json.loads(data)["account_id"])
    status, data, _ = s.call("POST", f"/api/v1/workspaces/{ws}/permission-groups", {
        "name": "data", "grants": {"manage_data": True}, "all_apps": True, "app_ids": [],
        "member_ids": ids})
    assert status == 201, data
    return ws, app


def sessions(ports):
    out = []
    for k in range(CLIENTS):
        s = Session(ports[k % len(ports)])
        s.sign_in(f"user{k}")
        out.append(s)
    return out


def record(rng, i):
    return {"values": {
        "title": f"{rng.choice(WORDS)}{rng.choice(WORDS)} 单据 {i}",
        "amount": round(rng.uniform(1, 100000), 2), "qty": rng.randint(1, 500),
        "kind": f"k{rng.randint(0, 9)}", "day": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "email": f"user{i % 1000}@example.com", "note": f"第 {i} 条 {rng.choice(WORDS)}",
        "rating": rng.randint(0, 5), "tags": rng.sample(["a", "b", "c"], rng.randint(0, 3)),
        "phone": f"138{i % 100000000:08d}"}}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def dir_mib(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total / (1 << 20)


def bulk_insert(node, ws, app, total):
    path = f"/api/v1/workspaces/{ws}/apps/{app}/records/batch"
    lock = threading.Lock()
    next_i = [0]
    errors = []

    def worker(k):
        s = Session(node.http_port)
        s.sign_in(f"user{k}")
        rng = random.Random(k)
        while True:
            with lock:
                start = next_i[0]
                if start >= total:
                    return
                n = min(BATCH, total - start)
                next_i[0] += n
            status, data, _ = s.call("POST", path, {"records": [record(rng, start + j) for j in range(n)]})
            if status != 201:
                errors.append(data[:200])
                return

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    last = t0
    while any(t.is_alive() for t in threads):
        time.sleep(1)
        if time.monotonic() - last > 30:
            last = time.monotonic()
            print(f"  ... {next_i[0]} records queued, {last - t0:.0f} s", flush=True)
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"bulk insert failed: {errors[0]}")
    return time.monotonic() - t0
