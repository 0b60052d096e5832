#!/usr/bin/env python3
"""tests/bench/forms.py: records on real creekd processes (loopback, this
machine). Prints figures; never gates CI.

  1. bulk insert: --records records of a 10-field form through
     POST .../records/batch (1000 a request, 4 clients at once, the one
     write path: checks, history, outbox, search text), on one node; the
     time and the node's RSS afterwards.
  2. on that table, 32 concurrent clients for --seconds each:
       list   a page of 50 with one filter and one sort
       search full-text (a word of the text field)
       count  POST .../records/count with the same filter
     p50 and p99 latencies and requests per second.
  3. single-record submit, 32 concurrent clients spread over a 3-node
     cluster (followers forward to the leader), for --seconds: p50, p99.

Usage: tests/bench/forms.py [--records N] [--seconds S] [--skip-cluster]
Binaries from $CREEK_BUILD (default build/); BENCH_NODE_ARGS (e.g.
"--snapshot-threshold 128") is passed to every creekd.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import Cluster, Node  # noqa: E402

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


def load(sess, method, path, body_fn, seconds):
    """Each signed-in session in a loop for seconds: latencies."""
    lat, errors = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(k):
        s = sess[k]
        rng = random.Random(1000 + k)
        mine = []
        while time.monotonic() < deadline:
            t = time.monotonic()
            status, data, _ = s.call(method, path, body_fn(rng))
            if status >= 300:
                with lock:
                    errors.append(f"{status} {data[:120]!r}")
                continue
            mine.append(time.monotonic() - t)
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(len(sess))]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    lat.sort()
    return lat, errors, took


def report(name, lat, errors, took):
    if not lat:
        print(f"{name:>8}: no answers ({len(errors)} errors: {errors[:1]})")
        return
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    print(f"{name:>8}: {len(lat) / took:8.1f} req/s   p50 {p50:8.1f} ms   p99 {p99:8.1f} ms"
          f"   ({len(lat)} answers, {len(errors)} errors{': ' + errors[0] if errors else ''})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--skip-cluster", action="store_true")
    args = ap.parse_args()

    node = Node(extra_args=os.environ.get("BENCH_NODE_ARGS", "").split())
    node.start()
    try:
        ws, app = setup(node)
        base = rss_kib(node.proc.pid)
        took = bulk_insert(node, ws, app, args.records)
        after = rss_kib(node.proc.pid)
        db = f"ws-{ws}"
        pages = node.sql(db, "query", "SELECT page_count * page_size FROM pragma_page_count(), "
                         "pragma_page_size()")[0][0]
        print(f"workspace database: {pages / (1 << 20):.0f} MiB ({pages / args.records:.0f} bytes "
              "a record)")
        print(f"bulk insert: {args.records} records of 10 fields in {took:.1f} s "
              f"({args.records / took:.0f} records/s); creekd RSS {base / 1024:.0f} MiB before, "
              f"{after / 1024:.0f} MiB after ({(after - base) / args.records:.2f} KiB a record); "
              f"data dir {dir_mib(node.data_dir):.0f} MiB")
        # The reads below are answered by the read model once it has
        # caught up with the load (until then by the store).
        t_model = time.monotonic()
        while True:
            m = node.get("/api/v1/node/read-model", timeout=60).json()
            dbs = [d for d in m["databases"] if d["database"] == db]
            if dbs and dbs[0]["built"] and dbs[0]["lag"] == 0:
                break
            time.sleep(0.5)
        print(f"read model caught up {time.monotonic() - t_model:.1f} s after the load; "
              f"model file {os.path.getsize(os.path.join(node.data_dir, 'model', db + '.db')) / (1 << 20):.0f} MiB; "
              f"creekd RSS {rss_kib(node.proc.pid) / 1024:.0f} MiB")
        q = f"/api/v1/workspaces/{ws}/apps/{app}/records"
        flt = lambda rng: {"filter": {"conditions": [{"field": "kind", "op": "eq", "value": f"k{rng.randint(0, 9)}"}]},  # noqa: E731
                           "sort": [{"field": "amount", "dir": "desc"}], "limit": 50}
        sess = sessions([node.http_port])
        # Each session writes once (its answer carries the position), then
        # reads: first without the position (each read asks the leader
        # for the outbox head), then carrying it.
        for k, s in enumerate(sess):
            status, data, _ = s.call("POST", q, record(random.Random(k), args.records + k))
            assert status == 201, data
        for carry in (False, True):
            for s in sess:
                s.carry = carry
            tag = "+pos" if carry else ""
            report("list" + tag, *load(sess, "POST", q + "/query", flt, args.seconds))
            report("search" + tag, *load(sess, "POST", q + "/query",
                                         lambda rng: {"q": rng.choice(WORDS) + rng.choice(WORDS),
                                                      "limit": 50}, args.seconds))
            report("count" + tag, *load(sess, "POST", q + "/count",
                                        lambda rng: {"filter": flt(rng)["filter"]}, args.seconds))
            report("count*" + tag, *load(sess, "POST", q + "/count", lambda rng: {},
                                         args.seconds))
        m = node.get("/api/v1/node/read-model", timeout=60).json()
        reads, kept = m["reads"], m.get("kept", {})
        print(f"creekd RSS after the reads: {rss_kib(node.proc.pid) / 1024:.0f} MiB; reads "
              f"answered by the read model {reads['model']}, by the store {reads['store']}; "
              f"rights and forms from memory {kept.get('hits')}, from the store "
              f"{kept.get('misses')}")
    finally:
        node.stop()
        node.close()

    if args.skip_cluster:
        return
    with Cluster(3, extra_args=os.environ.get("BENCH_NODE_ARGS", "").split()).start() as c:
        ws, app = setup(c.nodes[0])
        ports = [n.http_port for n in c.nodes]
        q = f"/api/v1/workspaces/{ws}/apps/{app}/records"
        counter = iter(range(10**9))
        spread = sessions(ports)
        report("submit", *load(spread, "POST", q, lambda rng: record(rng, next(counter)), args.seconds))
        # Lists of what was submitted, carrying each session's position:
        # all clients on the leader, then spread over the three nodes.
        flt = lambda rng: {"filter": {"conditions": [{"field": "kind", "op": "eq", "value": f"k{rng.randint(0, 9)}"}]},  # noqa: E731
                           "sort": [{"field": "amount", "dir": "desc"}], "limit": 50}
        one = sessions([c.leader().http_port])
        for k, s in enumerate(one):
            s.position, s.carry = spread[k].position, True
        for s in spread:
            s.carry = True
        report("list 1 node", *load(one, "POST", q + "/query", flt, args.seconds))
        report("list 3 nodes", *load(spread, "POST", q + "/query", flt, args.seconds))


if __name__ == "__main__":
    main()
