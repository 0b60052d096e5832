#!/usr/bin/env python3
"""tests/bench/cluster.py: cluster benchmarks on real creekd processes
(loopback, this machine). Prints figures; never gates CI.

  1. failover: kill -9 the leader of a 3-node cluster; time from the kill to
     the first acknowledged write through a surviving node (a client that
     starts writing right after the kill). The killed node is restarted and
     the cluster settles before the next run. --runs N (default 20).
  2. writes: acknowledged single-record writes per second and latency
     percentiles with 64 concurrent writers (wrk, POST write-checks) spread
     evenly over all nodes, on 1, 3 and 5 nodes, --seconds each (default 10).

Usage: tests/bench/cluster.py [--runs N] [--seconds S] [--only failover|writes]
Binaries from $CREEK_BUILD (default build/).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import Cluster, wait_for  # noqa: E402

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"tag": "bench"}'
wrk.headers["Content-Type"] = "application/json"
"""


def post(node, key):
    return node.request("POST", "/api/v1/cluster/write-checks",
                        body=json.dumps({"tag": "failover"}),
                        headers={"Content-Type": "application/json", "Idempotency-Key": key},
                        timeout=60)


def failover(runs):
    times = []
    with Cluster(3).start() as c:
        for i in range(runs):
            c.wait_settled(timeout_s=90)
            leader = c.leader()
            survivor = next(n for n in c.nodes if n is not leader)
            assert post(survivor, f"warm-{i}").status in (200, 201)
            t0 = time.monotonic()
            leader.proc.kill()
            r = post(survivor, f"fo-{i}")
            dt = time.monotonic() - t0
            assert r.status in (200, 201), r.body
            leader.proc.wait()
            times.append(dt)
            print(f"  run {i + 1:2d}: {dt * 1000:7.0f} ms", flush=True)
            leader.start()
    times.sort()
    print(f"failover (kill -9 leader -> first acknowledged write), {runs} runs: "
          f"median {statistics.median(times) * 1000:.0f} ms, "
          f"p90 {times[int(0.9 * (len(times) - 1))] * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms, min {times[0] * 1000:.0f} ms")


def parse_wrk(text):
    def num(pattern, unit_scale=True):
        m = re.search(pattern, text)
        if not m:
            return None
        v = float(m.group(1))
        unit = m.group(2) if m.lastindex and m.lastindex >= 2 else ""
        return v * {"us": 0.001, "ms": 1, "s": 1000}.get(unit, 1) if unit_scale else v
    reqs = int(re.search(r"(\d+) requests in", text).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "requests": reqs,
        "p50": num(r"50%\s+([\d.]+)(us|ms|s)"),
        "p99": num(r"99%\s+([\d.]+)(us|ms|s)"),
        "errors": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(x) for x in errors.groups()) if errors else 0),
    }


def writes(sizes, seconds, conns=64):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(WRK_SCRIPT)
    script.close()
    results = []
    for n in sizes:
        with Cluster(n).start() as c:
            c.wait_settled(timeout_s=90)
            per = [conns // n + (1 if i < conns % n else 0) for i in range(n)]
            procs = []
            for node, k in zip(c.nodes, per):
                url = f"http://127.0.0.1:{node.http_port}/api/v1/cluster/write-checks"
                procs.append(subprocess.Popen(
                    ["wrk", "-t1", f"-c{k}", f"-d{seconds}s", "--latency", "-s", script.name,
                     "-H", f"X-Creek-Operator: {node.operator_token()}", url],
                    stdout=subprocess.PIPE, text=True))
            outs = [parse_wrk(p.communicate()[0]) for p in procs]
            total = sum(o["requests"] for o in outs)
            errs = sum(o["errors"] for o in outs)
            p99 = max(o["p99"] for o in outs)
            p50 = statistics.median(o["p50"] for o in outs)
            # Every acknowledged write is a row: count them as a check.
            rows = c.nodes[0].sql("system", "query",
                                  "SELECT COUNT(*) FROM write_check WHERE tag = 'bench'")[0][0]
            results.append((n, total / seconds, p50, p99, errs, rows, total))
            print(f"  {n} node(s): {total / seconds:8.0f} writes/s, p50 {p50:.1f} ms, "
                  f"p99 {p99:.1f} ms, errors {errs}, rows {rows} for {total} answers",
                  flush=True)
    os.unlink(script.name)
    base = results[0][1]
    print(f"writes, {conns} concurrent writers spread over the nodes, {seconds} s each:")
    for n, rate, p50, p99, errs, rows, total in results:
        print(f"  {n} node(s): {rate:8.0f}/s ({rate / base:.2f}x of 1 node), p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms, errors {errs}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--only", choices=["failover", "writes"])
    a = ap.parse_args()
    if a.only in (None, "failover"):
        failover(a.runs)
    if a.only in (None, "writes"):
        writes([1, 3, 5], a.seconds)


if __name__ == "__main__":
    main()
