"""creekd as a process: start, health, data kept across restarts, clean
SIGTERM, systemd notifications, and one clear line for every bad start."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import CREEKCTL, Node, run_creekd, wait_for, free_port  # noqa: E402


class NodeLifecycle(unittest.TestCase):
    def setUp(self):
        self.node = Node()

    def tearDown(self):
        self.node.close()

    def test_health_answers_with_the_node_and_store(self):
        self.node.start()
        h = self.node.get("/api/v1/health").json()
        self.assertEqual(h["status"], "ok")
        self.assertEqual(h["node"]["id"], "1")
        self.assertEqual(h["node"]["address"], self.node.cluster_address)
        self.assertEqual(h["node"]["role"], "voter")
        self.assertTrue(h["node"]["is_leader"])
        self.assertEqual(h["leader"], {"id": "1", "address": self.node.cluster_address})
        self.assertTrue(h["store"]["reachable"])
        self.assertIsInstance(h["store"]["latency_ms"], float)
        self.assertRegex(h["version"]["dqlite"], r"^\d+\.\d+\.\d+$")
        self.assertRegex(h["version"]["raft"], r"^\d+\.\d+\.\d+$")
        self.assertRegex(h["started_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_data_written_through_storage_survives_sigterm_and_restart(self):
        self.node.start()
        self.assertEqual(self.node.get("/api/v1/health").json()["node"]["starts"], 1)
        self.node.sql("probe", "exec", "CREATE TABLE kept (id INTEGER PRIMARY KEY, t TEXT)")
        self.node.sql("probe", "exec", "INSERT INTO kept VALUES (?, ?)", "i:7", "t:保存的数据")
        self.assertEqual(self.node.stop(signal.SIGTERM), 0)
        self.assertIn("stopped", self.node.read_log())
        self.node.start()
        h = self.node.get("/api/v1/health").json()
        self.assertEqual(h["node"]["starts"], 2)
        self.assertEqual(h["node"]["id"], "1")
        self.assertEqual(self.node.sql("probe", "query", "SELECT id, t FROM kept"),
                         [[7, "保存的数据"]])
        self.assertEqual(self.node.stop(signal.SIGINT), 0)

    def test_creekctl_reports_status_and_versions(self):
        self.node.start()
        url = f"http://127.0.0.1:{self.node.http_port}"
        out = subprocess.run([CREEKCTL, "--url", url, "--data-dir", self.node.data_dir,
                              "status"], capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("status:     ok", out.stdout)
        self.assertIn(self.node.cluster_address, out.stdout)
        # Without the operator token creekd tells only the status.
        out = subprocess.run([CREEKCTL, "--url", url, "--data-dir", "/nonexistent", "status"],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "status:     ok\n")
        self.assertIn("only the status is shown", out.stderr)
        self.assertNotIn(self.node.cluster_address, out.stdout + out.stderr)
        out = subprocess.run([CREEKCTL, "--url", url, "--data-dir", self.node.data_dir,
                              "version"], capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"creekd\s+\d+\.\d+\.\d+ \(dqlite \d+\.\d+\.\d+, raft \d+")
        self.node.stop()
        out = subprocess.run([CREEKCTL, "--url", url, "status"], capture_output=True,
                             text=True, timeout=20)
        self.assertEqual(out.returncode, 1)
        self.assertIn("cannot reach creekd", out.stderr)
        out = subprocess.run([CREEKCTL, "frobnicate"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)

    def test_sd_notify_ready_status_watchdog_stopping(self):
        sock_dir = tempfile.mkdtemp(prefix="creek-notify-")
        path = os.path.join(sock_dir, "notify")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        s.setblocking(False)
        messages = []

        def drain():
            while True:
                try:
                    messages.append(s.recv(4096).decode())
                except BlockingIOError:
                    return

        def seen(text):
            drain()
            return any(text in m for m in messages)

        try:
            self.node.env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"}
            self.node.start()
            wait_for(lambda: seen("READY=1"), 10, "READY=1")
            ready = next(m for m in messages if "READY=1" in m)
            self.assertIn("STATUS=Serving; node 1", ready)
            def pings():
                drain()
                return sum("WATCHDOG=1" in m for m in messages)

            wait_for(lambda: pings() >= 3, 10, "three WATCHDOG=1 pings")
            self.assertEqual(self.node.stop(), 0)
            wait_for(lambda: seen("STOPPING=1"), 5, "STOPPING=1")
        finally:
            s.close()
            shutil.rmtree(sock_dir, ignore_errors=True)


class BadStarts(unittest.TestCase):
    """Each bad start exits with one line naming the problem: status 2 for
    bad configuration (creekd.service's RestartPreventExitStatus=2 stops
    systemd from restarting in a loop), 1 for a start that failed."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="creek-bad-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assert_one_line(self, args, expect, status=1, env=None):
        rc, out, err = run_creekd(args, env=env)
        self.assertEqual(rc, status, err)
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, f"expected one line, got: {err!r}")
        self.assertTrue(lines[0].startswith("creekd: "), lines[0])
        self.assertIn(expect, lines[0])

    def base(self):
        return ["--data-dir", os.path.join(self.tmp, "d"), "--http",
                f"127.0.0.1:{free_port()}", "--https", "off",
                "--cluster-address", f"127.0.0.1:{free_port()}"]

    def test_unknown_flag(self):
        self.assert_one_line(["--colour", "blue"], "unknown flag '--colour'", status=2)

    def test_bad_value_in_config_file(self):
        conf = os.path.join(self.tmp, "creek.conf")
        with open(conf, "w") as f:
            f.write("# Creek\nhttp-timeout = 70000\n")
        self.assert_one_line(["--config", conf],
                             f"{conf}:2: http-timeout: 70000 is above the maximum 3600",
                             status=2)

    def test_missing_config_file(self):
        self.assert_one_line(["--config", os.path.join(self.tmp, "none.conf")], "cannot read",
                             status=2)

    def test_cluster_address_must_be_ipv4(self):
        self.assert_one_line(["--cluster-address", "db.example:9443"], "cluster-address",
                             status=2)

    def test_data_dir_that_is_a_file(self):
        path = os.path.join(self.tmp, "file")
        open(path, "w").close()
        args = self.base()
        args[1] = path
        self.assert_one_line(args, "is not a directory")

    def test_data_dir_that_cannot_be_created(self):
        args = self.base()
        args[1] = "/proc/creek-cannot-exist/data"
        self.assert_one_line(args, "cannot be created")

    def test_data_dir_in_use_by_another_creekd(self):
        node = Node(data_dir=os.path.join(self.tmp, "shared"))
        try:
            node.start()
            args = ["--data-dir", node.data_dir, "--http", f"127.0.0.1:{free_port()}",
                    "--cluster-address", f"127.0.0.1:{free_port()}"]
            self.assert_one_line(args, "in use by another creekd")
            self.assertEqual(node.get("/api/v1/health").status, 200)
        finally:
            node.close()

    def test_http_port_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            args = self.base()
            args[3] = f"127.0.0.1:{s.getsockname()[1]}"
            self.assert_one_line(args, "cannot listen for HTTP")

    def test_cluster_address_changed_after_first_start(self):
        # A node alone in its cluster follows a new cluster-address with its
        # data; a member of a larger cluster refuses to start.
        node = Node(data_dir=os.path.join(self.tmp, "moved"))
        try:
            node.start()
            node.sql("probe", "exec", "CREATE TABLE kept (v TEXT)")
            node.sql("probe", "exec", "INSERT INTO kept VALUES (?)", "t:移动")
            self.assertEqual(node.stop(), 0)
            node.cluster_port = free_port()
            node.start()
            health = node.get("/api/v1/health").json()
            self.assertEqual(health["node"]["address"], node.cluster_address)
            self.assertEqual(node.sql("probe", "query", "SELECT v FROM kept"), [["移动"]])
            self.assertEqual(node.stop(), 0)
            with open(os.path.join(node.data_dir, "cluster", "members"), "w") as f:
                f.write(f"1 {node.cluster_address}\n2 127.0.0.1:1\n")
        finally:
            node.close()
        args = ["--data-dir", node.data_dir, "--http", f"127.0.0.1:{free_port()}",
                "--https", "off", "--cluster-address", f"127.0.0.1:{free_port()}"]
        self.assert_one_line(args, "a member keeps its address")

if __name__ == "__main__":
    unittest.main()
