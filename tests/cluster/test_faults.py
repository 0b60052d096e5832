"""One fault at a time on a 3-node cluster while clients write through every
node (issue 15): the majority keeps writing, and no answer says the
opposite of what happened.

Each node runs in its own network namespace (tests/lib/netcluster.py) with
the default timeouts; beside each node two clients write check rows through
it, each logical write under its own Idempotency-Key: one retries a failed
write under the same key until it is acknowledged, one sends each key once.
The faults, one after the other, each held HOLD_S seconds, then healed:
SIGSTOP of the leader, SIGSTOP of a follower, the leader cut off from its
peers (nftables; clients still reach every node), a follower cut off,
kill -9 of the leader (restarted after), and a double fault (kill -9 of a
follower and SIGSTOP of the leader: no majority until healed).

Checks: every acknowledged write is stored exactly once on every node; no
write answered `unavailable` is stored; no request is answered 409 (a
replay gets the first answer); during each single fault the longest stretch
in which no client of the majority's nodes got a write acknowledged is at
most 3 s (CREEK_FAULT_GAP_MAX_S if set); after each fault every client
writes again. The figures per
fault are printed. CREEK_FAULT_REPS repeats the whole round (the benchmark
tests/bench/faults.py runs it 10 times). Runs the binaries of
$CREEK_TIMING_BUILD if set (make test: the release build), else
$CREEK_BUILD."""

import os
import statistics
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import wait_for  # noqa: E402
from netcluster import NetCluster, tools_present  # noqa: E402

REPS = int(os.environ.get("CREEK_FAULT_REPS", "1"))
HOLD_S = float(os.environ.get("CREEK_FAULT_HOLD_S", "10"))
# The goal is 3 s (issue 15): with 3 voters, one node paused, cut off or
# killed costs writes at most about the election time. On this 2-core VM
# a release build measured a max of 2.57 s over 10 rounds (docs/cluster.md).
# CREEK_FAULT_GAP_MAX_S sets another bound (e.g. for a slower machine).
GAP_MAX_S = float(os.environ.get("CREEK_FAULT_GAP_MAX_S") or "3.0")
FAULTS = ("pause leader", "pause follower", "cut leader", "cut follower", "kill leader",
          "kill follower + pause leader")
# CREEK_FAULTS="kill leader,cut leader": only those (for a closer look).
if os.environ.get("CREEK_FAULTS"):
    FAULTS = tuple(f for f in FAULTS if f in os.environ["CREEK_FAULTS"].split(","))


def longest_gap(times, start, end):
    points = [start, *sorted(t for t in times if start < t < end), end]
    return max(b - a for a, b in zip(points, points[1:]))


@unittest.skipUnless(tools_present() or os.environ.get("CI"),
                     "needs root, iproute2 and nftables (always run in CI)")
class Faults(unittest.TestCase):
    def setUp(self):
        # Timings are measured on a release build when one is named
        # (tests/run-all.sh: build/), not on the sanitized one.
        self.c = NetCluster(3, os.environ.get("CREEK_FAULT_ARGS", "").split(),
                            build=os.environ.get("CREEK_TIMING_BUILD"))
        self.addCleanup(self.c.close)
        self.c.form()
        self.tag = f"faults-{os.getpid()}"
        self.names = {}  # writer name -> (node index, retries)
        for i in range(3):
            for retry in (True, False):
                name = f"{'r' if retry else 'o'}{i}"
                self.c.start_writer(i, self.tag, name, retry=retry)
                self.names[name] = (i, retry)
        t = time.monotonic()
        wait_for(lambda: all(self.c.acks_after(n, t) for n in self.names), 60, "first writes")

    def retrying(self, nodes):
        return [n for n, (i, retry) in self.names.items() if retry and i in nodes]

    def steady(self):
        """Every client has had a write acknowledged within the last second."""
        t = time.monotonic() - 1.0
        wait_for(lambda: all(self.c.acks_after(n, t) for n in self.names), 60,
                 "every client to write")

    def apply(self, fault, leader, follower):
        """Apply fault; return (healing function, nodes on the majority side)."""
        c = self.c
        everyone = set(range(3))
        if fault == "pause leader":
            c.pause(leader)
            return (lambda: c.resume(leader)), everyone - {leader}
        if fault == "pause follower":
            c.pause(follower)
            return (lambda: c.resume(follower)), everyone - {follower}
        if fault == "cut leader":
            c.cut(leader)
            return (lambda: c.heal(leader)), everyone - {leader}
        if fault == "cut follower":
            c.cut(follower)
            return (lambda: c.heal(follower)), everyone - {follower}
        if fault == "kill leader":
            c.kill(leader)
            return (lambda: c.start_node(leader, wait=False)), everyone - {leader}
        c.kill(follower)
        c.pause(leader)

        def heal():
            c.resume(leader)
            c.start_node(follower, wait=False)
        return heal, set()

    def run_fault(self, fault):
        c = self.c
        c.wait_voters()
        time.sleep(float(os.environ.get("CREEK_FAULT_SETTLE_S", "0")))
        self.steady()
        leader = c.wait_leader()
        follower = (leader + 1) % 3
        t0 = time.monotonic()
        heal, majority = self.apply(fault, leader, follower)
        time.sleep(HOLD_S)
        t_heal = time.monotonic()
        heal()
        try:
            wait_for(lambda: all(c.acks_after(n, t_heal) for n in self.names), 90,
                     f"every client to write after '{fault}'")
        except AssertionError:
            for n in self.names:
                if not c.acks_after(n, t_heal):
                    print(f"{n} (node {self.names[n][0]}; leader was {leader}):",
                          c.attempts(n)[-3:], file=sys.stderr)
            raise
        t_back = max(min(a["t1"] for a in c.acks_after(n, t_heal)) for n in self.names)
        acks = [a["t1"] for n in self.retrying(majority) for a in c.attempts(n)
                if a["status"] in (200, 201)]
        answers = [a for n in self.names for a in c.attempts(n) if t0 <= a["t1"] <= t_back]
        gap = longest_gap(acks, t0, t_heal) if majority else None
        if gap is not None and gap > GAP_MAX_S:
            # What the majority's clients saw meanwhile, for the log: the
            # slow or failed attempts only.
            for n in self.retrying(majority):
                print(f"'{fault}' (leader was node {leader}, t0 {t0:.2f} = "
                      f"{time.strftime('%H:%M:%S', time.gmtime(time.time() - (time.monotonic() - t0)))}"
                      f"): {n}:",
                      [(round(a["t0"], 2), round(a["t1"], 2), a["status"], a["code"])
                       for a in c.attempts(n) if t0 - 0.5 <= a["t1"] <= t_heal + 1
                       and (a["status"] not in (200, 201) or a["t1"] - a["t0"] > 0.5)],
                      file=sys.stderr)
        return {
            "fault": fault,
            "gap": gap,
            "back": t_back - t_heal,
            "unavailable": sum(a["code"] == "unavailable" for a in answers),
            "outcome_unknown": sum(a["code"] == "outcome_unknown" for a in answers),
            "409": sum(a["status"] == 409 for a in answers),
        }

    def test_one_fault_at_a_time_costs_writes_at_most_an_election(self):
        c = self.c
        results = [self.run_fault(f) for _ in range(REPS) for f in FAULTS]
        c.settle_writers(self.tag)
        print("\nfault                        | longest gap on the majority (s) | back after "
              "heal (s) | unavailable | outcome_unknown | 409", file=sys.stderr)
        for f in FAULTS:
            rs = [r for r in results if r["fault"] == f]
            gaps = [r["gap"] for r in rs if r["gap"] is not None]
            gap = (f"median {statistics.median(gaps):.2f} max {max(gaps):.2f}" if gaps
                   else "(no majority)")
            back = [r["back"] for r in rs]
            print(f"{f:28} | {gap:31} | median {statistics.median(back):.2f} max "
                  f"{max(back):.2f} | {sum(r['unavailable'] for r in rs):11} | "
                  f"{sum(r['outcome_unknown'] for r in rs):15} | {sum(r['409'] for r in rs)}",
                  file=sys.stderr)

        attempts = [a for n in self.names for a in c.attempts(n)]
        acked = {a["key"] for a in attempts if a["status"] in (200, 201)}
        # A client that sends a key once must be able to trust `unavailable`.
        refused = {a["key"] for n in self.names if not self.names[n][1]
                   for a in c.attempts(n) if a["code"] == "unavailable"}
        self.assertGreater(len(acked), 100)
        for i in range(3):
            stored = wait_for(lambda i=i: (lambda s: s if acked <= set(s) else None)(
                c.stored(i, self.tag)), 60, f"node {i} to hold every acknowledged write")
            self.assertEqual({k: n for k, n in stored.items() if n != 1}, {},
                             f"writes applied more than once (node {i})")
            self.assertEqual(sorted(refused & set(stored)), [],
                             f"writes answered 'unavailable' were stored (node {i})")
        self.assertEqual([a for a in attempts if a["status"] == 409], [],
                         "a request was answered 409")
        slow = [(r["fault"], round(r["gap"], 2)) for r in results
                if r["gap"] is not None and r["gap"] > GAP_MAX_S]
        self.assertEqual(slow, [], f"the majority wrote nothing for more than {GAP_MAX_S} s")


if __name__ == "__main__":
    unittest.main()
