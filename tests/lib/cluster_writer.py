"""A client for tests of faults (tests/lib/netcluster.py), run inside a
node's network namespace: writes check rows through that node (127.0.0.1),
each with its own Idempotency-Key, retrying a failed write under the same
key until it is acknowledged (or, with --once, sending each key once and
going on to the next whatever the answer). One JSON line per attempt goes
to the output file: {"key", "t0", "t1", "status", "code"} (times:
CLOCK_MONOTONIC, shared by all processes of the host; code: the error
answer's code, e.g. "unavailable", or null). Stops, after its current key
is settled, when the stop file exists; gives up on that key after
--final-wait seconds."""

import argparse
import http.client
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import read_operator_token  # noqa: E402


def attempt(port, tag, key, timeout, data_dir):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("POST", "/api/v1/cluster/write-checks", body=json.dumps({"tag": tag}),
                  headers={"Content-Type": "application/json", "Idempotency-Key": key,
                           "X-Creek-Operator": read_operator_token(data_dir)})
        r = c.getresponse()
        body = r.read()
        code = None
        if r.status >= 300:
            try:
                code = json.loads(body)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = None
        return r.status, code
    except OSError as e:
        return repr(e), None
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stop", required=True)
    ap.add_argument("--final-wait", type=float, default=60)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--once", action="store_true", help="send each key once")
    a = ap.parse_args()
    seq = 0
    with open(a.out, "a", buffering=1) as out:
        while not os.path.exists(a.stop):
            seq += 1
            key = f"{a.name}-{seq}"
            stop_seen = None
            while True:
                t0 = time.monotonic()
                status, code = attempt(a.port, a.tag, key, 30, a.data_dir)
                t1 = time.monotonic()
                out.write(json.dumps({"key": key, "t0": t0, "t1": t1, "status": status,
                                      "code": code}) + "\n")
                if status in (200, 201):
                    break
                if a.once:
                    time.sleep(0.1)
                    break
                if os.path.exists(a.stop):
                    stop_seen = stop_seen or time.monotonic()
                    if time.monotonic() - stop_seen > a.final_wait:
                        return
                time.sleep(0.1)


if __name__ == "__main__":
    main()
