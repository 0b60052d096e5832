"""tests/cluster/test_memory.py: a node's memory follows its data.

300,000 records of the 10-field form of tests/lib/bulkload.py go through
the write path (POST .../records/batch, 4 clients) into one node of the
release build (CREEK_TIMING_BUILD: ASan's memory says nothing about
creekd's). It fails if the RSS grew by more than twice the goal of
1.5 KiB a record. It prints the RSS after the load and its peak beside
issue 16's other bound, 1.5 times the database plus 200 MiB, without
checking it: at this size both come within a few per cent of it (at
400,000 records the peak passed it once by 0.5 %). Fewer records would
make the figure a record mostly the fixed part (the log's 64 MiB floor,
WAL frames, caches)."""

import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from bulkload import bulk_insert, rss_kib, setup  # noqa: E402
from creek import Node  # noqa: E402

RECORDS = int(os.environ.get("CREEK_MEMORY_RECORDS", "300000"))
GOAL_KIB = 1.5  # RSS growth a record


class ReleaseNode(Node):
    """A node running the release build's creekd."""

    def __init__(self, build, **kw):
        super().__init__(**kw)
        self.creekd = os.path.join(build, "creekd")

    def args(self):
        return [self.creekd, *super().args()[1:]]


@unittest.skipUnless(os.environ.get("CREEK_TIMING_BUILD"),
                     "needs the release build in CREEK_TIMING_BUILD (make test sets it)")
class Memory(unittest.TestCase):
    def test_rss_follows_the_database_during_and_after_a_bulk_load(self):
        node = ReleaseNode(os.environ["CREEK_TIMING_BUILD"])
        node.start()
        self.addCleanup(node.close)
        self.addCleanup(node.stop)
        ws, app = setup(node)
        base = rss_kib(node.proc.pid)
        samples = []
        done = threading.Event()

        def sample():
            while not done.wait(0.2):
                samples.append(rss_kib(node.proc.pid))

        t = threading.Thread(target=sample)
        t.start()
        try:
            took = bulk_insert(node, ws, app, RECORDS)
        finally:
            done.set()
            t.join()
        after = rss_kib(node.proc.pid)
        db = node.sql(f"ws-{ws}", "query", "SELECT page_count * page_size FROM "
                      "pragma_page_count(), pragma_page_size()")[0][0] / 1024
        per_record = (after - base) / RECORDS
        peak = max(samples + [after])
        bound = 1.5 * db + 200 * 1024
        print(f"\n{RECORDS} records in {took:.0f} s: RSS {base / 1024:.0f} MiB before, "
              f"{after / 1024:.0f} MiB after ({per_record:.2f} KiB a record), peak "
              f"{peak / 1024:.0f} MiB; database {db / 1024:.0f} MiB (bound "
              f"{bound / 1024:.0f} MiB)", file=sys.stderr)
        self.assertLessEqual(per_record, 2 * GOAL_KIB,
                             f"RSS grew {per_record:.2f} KiB a record: more than twice the goal")


if __name__ == "__main__":
    unittest.main()
