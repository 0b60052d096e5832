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
import os
import random
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from bulkload import (CLIENTS, WORDS, dir_mib, record, rss_kib, sessions,  # noqa: E402
                      setup, bulk_insert)
from creek import Cluster, Node  # noqa: E402


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
