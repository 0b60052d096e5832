"""Helpers for tests that run real creekd processes.

Binaries come from $CREEK_BUILD (default: build/ under the repository).
Every node gets its own temporary data dir and free loopback ports. Waits
are deadline-based polls, never fixed sleeps.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("CREEK_BUILD", os.path.join(ROOT, "build"))
CREEKD = os.path.join(BUILD, "creekd")
CREEKCTL = os.path.join(BUILD, "creekctl")
CREEK_SQL = os.path.join(BUILD, "tests", "creek-sql")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout_s=15.0, what="condition"):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last error: {last!r})")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def request(port, method, path, body=None, headers=None, host="127.0.0.1", timeout=10):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


class Node:
    """One creekd process with its own data dir and ports."""

    def __init__(self, data_dir=None, ui_dir=None, extra_args=(), env=None):
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="creek-it-")
        self.http_port = free_port()
        self.https_port = free_port()
        self.cluster_port = free_port()
        self.ui_dir = ui_dir or os.path.join(self.data_dir, "no-ui")
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None
        self.log_path = os.path.join(self.data_dir, "creekd.log")

    @property
    def cluster_address(self):
        return f"127.0.0.1:{self.cluster_port}"

    @property
    def uses_tls(self):
        return "off" not in [v for k, v in zip(self.extra_args, self.extra_args[1:])
                             if k == "--cluster-tls"]

    def args(self):
        return [CREEKD, "--foreground", "--data-dir", self.data_dir,
                "--http", f"127.0.0.1:{self.http_port}",
                "--https", f"127.0.0.1:{self.https_port}",
                "--cluster-address", self.cluster_address,
                "--ui-dir", self.ui_dir, *self.extra_args]

    def start(self, wait=True):
        env = dict(os.environ)
        env.update(self.env or {})
        os.makedirs(self.data_dir, exist_ok=True)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args(), stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env, stdin=subprocess.DEVNULL)
        if wait:
            wait_for(self.is_healthy, 20, f"creekd on port {self.http_port} to be healthy")
        return self

    def is_healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"creekd exited with {self.proc.returncode}:\n{self.read_log()}")
        return self.get("/api/v1/health").status == 200

    def get(self, path, **kw):
        return request(self.http_port, "GET", path, **kw)

    def request(self, method, path, **kw):
        return request(self.http_port, method, path, **kw)

    def stop(self, sig=signal.SIGTERM, timeout_s=20):
        """Signal creekd and return its exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"creekd did not stop within {timeout_s} s:\n{self.read_log()}")
        self.log.close()
        return rc

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None and not self.log.closed:
            self.log.close()
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def sql(self, db, mode, sql, *params):
        env = dict(os.environ)
        if self.uses_tls:
            env["CREEK_TLS_DIR"] = os.path.join(self.data_dir, "cluster")
        out = subprocess.run([CREEK_SQL, self.cluster_address, db, mode, sql, *params],
                             capture_output=True, text=True, timeout=30, env=env)
        if out.returncode != 0:
            raise AssertionError(f"creek-sql failed: {out.stderr}")
        return json.loads(out.stdout)


def run_creekd(args, timeout_s=20, env=None):
    """Run creekd expecting it to exit by itself; (status, stdout, stderr)."""
    e = dict(os.environ)
    e.update(env or {})
    out = subprocess.run([CREEKD, *args], capture_output=True, text=True, timeout=timeout_s,
                         env=e, stdin=subprocess.DEVNULL)
    return out.returncode, out.stdout, out.stderr
