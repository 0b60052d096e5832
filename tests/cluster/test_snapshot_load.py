"""A steady create load across dqlite snapshots, on a real 3-node cluster.

dqlite refuses a statement with SQLITE_BUSY "checkpoint in progress"
while another connection checkpoints the database's WAL: SQLite's own
automatic checkpoint, which runs after a commit once the WAL holds 1,000
frames, and dqlite's, at each snapshot (docs/storage.md, "Busy"). Neither
may fail a client's write, nor make an answer lie. 8 clients send
single-record creates (each under its own Idempotency-Key, each sent
once) to the leader, which runs them; each record carries 9,000
characters, so that the WAL passes 1,000 frames often, and a low
snapshot-threshold makes snapshots frequent. 4 more clients read a
record meanwhile (reads meet the refusals most often: about 2 % of them
were refused before the fix, against 0 to 1 % of the creates). The load
runs until the leader's store has taken enough snapshots. Checks: no
answer, create or read, is `unavailable`; no request sent once is
answered 409; every create answered 201 is stored exactly once with the
id its answer gave; no create is stored twice.

Leaves out: faults (kill, pause, partition: other tests), and load sent
to a follower (forwarded; test_replay.py covers a forward's retry)."""

import os
import sys
import threading
import time
import unittest
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

from creek import Cluster, wait_for  # noqa: E402
from identity_client import Client, new_password  # noqa: E402

CLIENTS = 8
READERS = 4
SNAPSHOTS = 6          # snapshots the leader should take during the load
LOAD_MAX_S = 40        # bound on the load, whatever the snapshots
THRESHOLD = "128"      # Raft entries between snapshots (one per commit)
PAYLOAD = "x" * 9000   # a long text per record: many WAL frames per commit


def snapshots_in(data_dir):
    """The names of the snapshots in a node's store now."""
    try:
        return {n for n in os.listdir(os.path.join(data_dir, "store"))
                if n.startswith("snapshot-") and n.endswith(".meta")}
    except OSError:
        return set()


class SnapshotsUnderLoad(unittest.TestCase):
    def test_creates_across_snapshots_are_never_unavailable_and_stored_once(self):
        # An election during the load (a sanitized build on a busy machine
        # can stall a node's loop past the election timeout) makes the run
        # say nothing about snapshots: it is run once more on a new cluster.
        for attempt in range(2):
            if self.load_once():
                return
            print(f"\nleadership moved during load {attempt + 1}: again", file=sys.stderr)
        self.fail("leadership moved during both loads")

    def load_once(self):
        """One load; False if leadership moved meanwhile (nothing checked)."""
        with Cluster(3, extra_args=["--snapshot-threshold", THRESHOLD,
                                    "--snapshot-trailing", THRESHOLD]).start() as c:
            leader = wait_for(c.leader, 30, "a leader")
            root = Client.for_node(leader, "root")
            password = new_password()
            ws = root.setup("root", "Root", password, "Acme",
                            code=c.setup_code()).json()["workspace"]["id"]
            W = f"/api/v1/workspaces/{ws}"
            app = root.ok("POST", f"{W}/apps", {"name": "Load"}, status=201)["id"]
            root.ok("PUT", f"{W}/apps/{app}/form",
                    {"version": 0, "fields": [{"id": "t", "type": "text", "label": "T"},
                                              {"id": "p", "type": "textarea", "label": "P"}]})

            answers = []           # (key, status, error code, id or None)
            lock = threading.Lock()
            stop = threading.Event()

            def load(k):
                cl = root.clone(who=f"client {k}")
                n = 0
                while not stop.is_set():
                    n += 1
                    key = f"load-{k}-{n}"
                    try:
                        r = cl.post(f"{W}/apps/{app}/records", {"values": {"t": key, "p": PAYLOAD}},
                                    headers={"Idempotency-Key": key}, timeout=60)
                        rec = r.json().get("id") if r.status == 201 else None
                        row = (key, r.status, r.error_code, rec, r.error_message)
                    except OSError as e:
                        row = (key, None, repr(e), None, "")
                    with lock:
                        answers.append(row)

            first = root.ok("POST", f"{W}/apps/{app}/records",
                            {"values": {"t": "first", "p": PAYLOAD}}, status=201)["id"]
            reads = []             # (status, error code) of each read

            def read(k):
                cl = root.clone(who=f"reader {k}")
                while not stop.is_set():
                    try:
                        r = cl.get(f"{W}/apps/{app}/records/{first}", timeout=60)
                        row = (r.status, r.error_code)
                    except OSError as e:
                        row = (None, repr(e))
                    with lock:
                        reads.append(row)

            seen = set(snapshots_in(leader.data_dir))
            taken = set()
            threads = [threading.Thread(target=load, args=(k,)) for k in range(CLIENTS)]
            threads += [threading.Thread(target=read, args=(k,)) for k in range(READERS)]
            start = time.monotonic()
            for t in threads:
                t.start()
            try:
                while len(taken) < SNAPSHOTS and time.monotonic() - start < LOAD_MAX_S:
                    now = snapshots_in(leader.data_dir)
                    taken |= now - seen
                    seen |= now
                    time.sleep(0.02)
            finally:
                stop.set()
                for t in threads:
                    t.join(90)
            elapsed = time.monotonic() - start
            if c.leader() is not leader:
                return False

            # Every record of the app, by its text (read on the leader).
            stored = {}
            after = None
            while True:
                page = root.ok("POST", f"{W}/apps/{app}/records/query",
                               {"limit": 200, "after": after})
                for rec in page["records"]:
                    stored.setdefault(rec["values"]["t"], []).append(rec["id"])
                after = page["next"]
                if after is None:
                    break

            failed = [a for a in answers if a[1] != 201]
            unavailable = [a for a in failed if a[2] == "unavailable"]
            print(f"\n{len(answers)} creates in {elapsed:.1f} s at {CLIENTS} connections, "
                  f"{len(taken)} snapshots (threshold {THRESHOLD}); "
                  f"answers {dict(Counter(a[1] for a in answers))}, "
                  f"errors {dict(Counter(a[2] for a in failed))}, "
                  f"unavailable yet stored {len([a for a in unavailable if a[0] in stored])}; "
                  f"{len(reads)} reads at {READERS} connections, "
                  f"answers {dict(Counter(r[0] for r in reads))}", file=sys.stderr)
            log = leader.read_log().splitlines()
            for a in failed[:5]:
                rid = a[4].rsplit("request ", 1)[-1].rstrip(")") if a[4] else a[0]
                print(f"  {a[0]}: {a[1]} {a[2]}: " +
                      " | ".join(line for line in log if rid in line), file=sys.stderr)

            self.assertGreaterEqual(len(taken), 5, "too few snapshots during the load")
            self.assertEqual(unavailable, [])
            self.assertEqual(Counter(r for r in reads if r[0] != 200), Counter())
            self.assertEqual([a for a in answers if a[1] == 409], [])
            acked = {a[0]: a[3] for a in answers if a[1] == 201}
            self.assertGreater(len(acked), 0)
            wrong = {k: stored.get(k) for k, rec in acked.items() if stored.get(k) != [rec]}
            self.assertEqual(wrong, {}, "acknowledged creates not stored exactly once")
            twice = {k: ids for k, ids in stored.items() if len(ids) > 1}
            self.assertEqual(twice, {}, "creates stored more than once")
            self.assertEqual(set(stored) - {a[0] for a in answers}, {"first"})
        return True


if __name__ == "__main__":
    unittest.main()
