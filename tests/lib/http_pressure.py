"""Load one node with slow API requests and time what else it answers meanwhile.

Run inside the node's network namespace (tests/cluster/test_threads.py):
--writers threads each send write checks (POST /api/v1/cluster/write-checks,
each under its own Idempotency-Key) one after the other for --seconds; one
more thread asks for a file of the UI (GET --probe-path) every 50 ms and
times each answer. Prints one JSON object: the probe's latencies (s), the
writes' answers by status ("503 Retry-After 1" when the answer says when to
come back), and the longest write."""

import argparse
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))

from creek import read_operator_token  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--writers", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--probe-path", default="/")
    ap.add_argument("--tag", default="pressure")
    a = ap.parse_args()
    token = read_operator_token(a.data_dir)
    end = time.monotonic() + a.seconds
    lock = threading.Lock()
    statuses, longest, probes = {}, [0.0], []

    def writer(n):
        seq = 0
        while time.monotonic() < end:
            seq += 1
            t0 = time.monotonic()
            c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
            try:
                c.request("POST", "/api/v1/cluster/write-checks",
                          body=json.dumps({"tag": a.tag}),
                          headers={"Content-Type": "application/json",
                                   "Idempotency-Key": f"{a.tag}-{n}-{seq}",
                                   "X-Creek-Operator": token})
                r = c.getresponse()
                r.read()
                status = str(r.status)
                if r.status == 503 and r.getheader("Retry-After") is not None:
                    status += " Retry-After " + r.getheader("Retry-After")
            except OSError as e:
                status = type(e).__name__
            finally:
                c.close()
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                longest[0] = max(longest[0], time.monotonic() - t0)

    def prober():
        while time.monotonic() < end:
            t0 = time.monotonic()
            c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
            try:
                c.request("GET", a.probe_path)
                c.getresponse().read()
                probes.append(time.monotonic() - t0)
            except OSError:
                probes.append(float("inf"))
            finally:
                c.close()
            time.sleep(0.05)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(a.writers)]
    threads.append(threading.Thread(target=prober))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"probes": probes, "statuses": statuses, "longest_write": longest[0]}))


if __name__ == "__main__":
    main()
