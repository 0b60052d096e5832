#!/usr/bin/env python3
"""tests/bench/identity.py: sign-in and session-checked reads on one real
creekd (loopback, this machine). Prints figures; never gates CI.

  1. sign-in: successful POST /api/v1/session per second with 32 concurrent
     clients (each its own account, so throttling never applies), for
     --seconds. The point is the KDF's cost: scrypt N=2^15, r=8 (32 MiB,
     one KDF per core at once); the figure is printed with the KDF's
     single-call time measured the same way (one client).
  2. reads: authenticated GET /api/v1/workspaces/{ws} (session cookie
     looked up in the store, workspace membership and permissions) against
     GET /api/v1/health, wrk with 32 connections, --seconds each,
     alternating --reps times; medians and their ratio.

Usage: tests/bench/identity.py [--seconds S] [--reps N]
Binaries from $CREEK_BUILD (default build/).
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import Node  # noqa: E402

CLIENTS = 32
PASSWORD = "bench-password-1"


def post(port, path, body, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request("POST", path, body=json.dumps(body), headers=h)
    r = conn.getresponse()
    data = r.read()
    cookie = r.getheader("Set-Cookie") or ""
    conn.close()
    return r.status, data, cookie.split(";")[0]


def setup(node):
    # As the operator (creekctl admin create does the same): no setup code.
    status, data, cookie = post(node.http_port, "/api/v1/setup", {
        "login": "admin", "name": "Admin", "password": PASSWORD, "workspace_name": "Bench"},
        {"X-Creek-Operator": node.operator_token()})
    assert status == 201, data
    answer = json.loads(data)
    ws, csrf = answer["workspace"]["id"], answer["csrf_token"]
    for i in range(CLIENTS):
        status, data, _ = post(node.http_port, f"/api/v1/workspaces/{ws}/members", {
            "login": f"user{i}", "name": f"User {i}", "password": PASSWORD},
            {"Cookie": cookie, "X-Creek-CSRF": csrf})
        assert status == 201, data
    return ws, cookie


def sign_ins(port, clients, seconds):
    """Successful sign-ins per second and the latencies, with `clients`."""
    stop = time.monotonic() + seconds
    lat, errors = [], []
    lock = threading.Lock()

    def client(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = json.dumps({"login": f"user{i}", "password": PASSWORD})
        while time.monotonic() < stop:
            t0 = time.monotonic()
            conn.request("POST", "/api/v1/session", body=body,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            with lock:
                (lat if r.status == 200 else errors).append(time.monotonic() - t0)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    lat.sort()
    return len(lat) / elapsed, lat, len(errors)


def wrk(url, seconds, cookie=None):
    cmd = ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(out.split("Requests/sec:")[1].split()[0])
    non2xx = out.split("Non-2xx or 3xx responses:")[1].split()[0] if "Non-2xx" in out else "0"
    return rate, int(non2xx)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="creek-bench-identity-")
    node = Node(data_dir=data, extra_args=("--log-level", "warning")).start()
    try:
        ws, cookie = setup(node)
        print(f"Creek identity benchmarks: {os.cpu_count()} cores, {args.seconds} s per run")
        one, lat1, _ = sign_ins(node.http_port, 1, max(3, args.seconds // 2))
        print(f"sign-in, 1 client: {one:.1f}/s, median {statistics.median(lat1) * 1000:.0f} ms "
              f"(the scrypt KDF, N=2^15 r=8 p=1, plus the two store writes)")
        rate, lat, errors = sign_ins(node.http_port, CLIENTS, args.seconds)
        print(f"sign-in, {CLIENTS} clients: {rate:.1f}/s, p50 "
              f"{lat[len(lat) // 2] * 1000:.0f} ms, p99 {lat[int(len(lat) * 0.99)] * 1000:.0f} ms,"
              f" errors {errors} ({rate / one:.2f}x of 1 client; at most one KDF per core)")
        base = f"http://127.0.0.1:{node.http_port}"
        me, authed, health = [], [], []
        for _ in range(args.reps):
            for path, out in ((f"/api/v1/me", me), (f"/api/v1/workspaces/{ws}", authed)):
                r, bad = wrk(base + path, args.seconds, cookie)
                assert bad == 0, (f"{bad} authenticated GETs of {path} failed; the node's log "
                                  f"ends:\n{node.read_log()[-3000:]}")
                out.append(r)
            r, bad = wrk(f"{base}/api/v1/health", args.seconds)
            health.append(r)
        h = statistics.median(health)
        print(f"GET /health: median {h:.0f}/s ({', '.join(f'{x:.0f}' for x in health)})")
        for name, runs in (("/me (session check + my workspaces)", me),
                           ("/workspaces/{ws} (session + membership + permissions)", authed)):
            a = statistics.median(runs)
            print(f"GET {name}: median {a:.0f}/s ({', '.join(f'{x:.0f}' for x in runs)}), "
                  f"{a / h:.2f}x of health")
    finally:
        node.stop()


if __name__ == "__main__":
    main()
