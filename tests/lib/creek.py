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


_handed_out = set()


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port():
    """A port that is free now and outside the kernel's ephemeral range, so
    that no outgoing connection (the nodes dial each other all the time)
    can take it before the node that is given it binds it. Never the same
    port twice in one test process."""
    import random
    low, high = _ephemeral_range()
    candidates = [p for p in range(10000, 30000) if not low <= p <= high]
    for _ in range(1000):
        port = random.choice(candidates)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise AssertionError("no free port outside the ephemeral range")


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


def read_operator_token(data_dir):
    """The operator token creekd wrote into data_dir at its start ("" if none yet)."""
    try:
        with open(os.path.join(data_dir, "operator.token")) as f:
            return f.read().strip()
    except OSError:
        return ""


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
        if getattr(self, "log", None) is not None and not self.log.closed:
            self.log.close()
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

    def operator_token(self):
        """The token creekd wrote for its operator (creekctl on the node)."""
        return read_operator_token(self.data_dir)

    def with_operator(self, kw):
        """Requests of the tests act as the node's operator (as creekctl does)."""
        token = self.operator_token()
        if token:
            kw["headers"] = {"X-Creek-Operator": token, **(kw.get("headers") or {})}
        return kw

    def get(self, path, **kw):
        return request(self.http_port, "GET", path, **self.with_operator(kw))

    def request(self, method, path, **kw):
        return request(self.http_port, method, path, **self.with_operator(kw))

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
        if self.owns_dir and not os.environ.get("CREEK_KEEP"):
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


def creekctl(*args, timeout_s=60):
    """Run creekctl; (status, stdout, stderr)."""
    out = subprocess.run([CREEKCTL, "--config", "/dev/null", *args], capture_output=True,
                         text=True, timeout=timeout_s, stdin=subprocess.DEVNULL)
    return out.returncode, out.stdout, out.stderr


# Fast enough to test in seconds, slow enough for ASan builds on two cores.
CLUSTER_ARGS = [*os.environ.get("CREEK_EXTRA_ARGS", "").split(), "--cluster-probe-interval", "250", "--cluster-offline-after", "4000",
                "--write-timeout", "20000"]


class Cluster:
    """Real creekd nodes joined into one cluster with tokens, as IT does."""

    def __init__(self, n, extra_args=(), domains=None):
        self.nodes = [Node(extra_args=[*CLUSTER_ARGS, *extra_args,
                                       *(["--failure-domain", str(domains[i])] if domains else [])])
                      for i in range(n)]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self, wait_roles=True):
        # `with Cluster(n).start() as c` never reaches __exit__ if start()
        # fails: stop what was started here.
        try:
            first = self.nodes[0].start()
            for node in self.nodes[1:]:
                self.join(node, via=first)
            if wait_roles:
                self.wait_settled()
        except BaseException:
            self.close()
            raise
        return self

    def token(self, via, ttl_s=600):
        r = via.request("POST", "/api/v1/cluster/tokens", body=json.dumps({"ttl_s": ttl_s}),
                        headers={"Content-Type": "application/json"})
        assert r.status == 201, r.body
        return r.json()["token"]

    def join(self, node, via):
        token = self.token(via)
        domain = [v for k, v in zip(node.extra_args, node.extra_args[1:])
                  if k == "--failure-domain"]
        rc, out, err = creekctl("join", token, "--data-dir", node.data_dir,
                                "--address", node.cluster_address,
                                *(["--failure-domain", domain[-1]] if domain else []))
        assert rc == 0, f"join failed ({rc}): {out}{err}"
        node.start()
        return node

    def status(self, node=None):
        for n in ([node] if node else self.alive()):
            try:
                r = n.get("/api/v1/cluster", timeout=5)
                if r.status == 200:
                    return r.json()
            except OSError:
                continue
        return None

    def alive(self):
        return [n for n in self.nodes if n.proc is not None and n.proc.poll() is None]

    def leader(self):
        st = self.status()
        if st is None or st["leader_id"] in ("", "0"):
            return None
        for n in self.nodes:
            if n.node_id() == st["leader_id"]:
                return n
        return None

    def setup_code(self, timeout_s=30):
        """The leader's setup code: setup is a write, checked on the leader."""
        leader = wait_for(self.leader, timeout_s, "a leader")
        try:
            with open(os.path.join(leader.data_dir, "setup.code")) as f:
                return f.read().strip()
        except OSError:
            return ""

    def wait_settled(self, timeout_s=60, voters=None, standbys=None, members=None):
        """Every live node sees every member, reachable, with the wanted roles."""
        n = len(self.nodes) if members is None else members
        want_v = voters if voters is not None else (5 if n >= 7 else 3 if n >= 3 else 1)
        want_s = standbys if standbys is not None else min(3, n - want_v)

        def settled():
            views = [self.status(node) for node in self.alive()]
            for st in views:
                if st is None or len(st["nodes"]) != n:
                    return False
                live = [x for x in st["nodes"] if x["reachable"]]
                roles = [x["role"] for x in live]
                if roles.count("voter") != want_v or roles.count("standby") != want_s:
                    return False
            return views
        return wait_for(settled, timeout_s, f"{n} nodes with {want_v} voters, {want_s} standbys")

    def close(self):
        for n in self.nodes:
            n.close()


def _node_id(self):
    """This node's id, from its store's node-info."""
    with open(os.path.join(self.data_dir, "store", "node-info")) as f:
        return f.read().split()[0]


Node.node_id = _node_id


class Writer:
    """A client that writes check rows through one node, each with its own
    Idempotency-Key, retrying a failed write under the same key (on the
    same node, or another if its node is gone) until it is acknowledged."""

    def __init__(self, nodes, home, tag, name):
        import threading
        self.nodes = nodes
        self.home = home
        self.tag = tag
        self.name = name
        self.acked = {}      # key -> id
        self.failures = []   # (key, status or error) of attempts that failed
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.seq = 0
        self.last_ack = 0.0

    def start(self):
        self.thread.start()
        return self

    def write_once(self, node, key):
        r = node.request("POST", "/api/v1/cluster/write-checks",
                         body=json.dumps({"tag": self.tag}),
                         headers={"Content-Type": "application/json", "Idempotency-Key": key},
                         timeout=30)
        return r

    def run(self):
        while not self.stop.is_set():
            self.seq += 1
            key = f"{self.name}-{self.seq}"
            node = self.home
            while True:
                try:
                    r = self.write_once(node, key)
                    if r.status in (200, 201):
                        self.acked[key] = r.json()["id"]
                        self.last_ack = time.monotonic()
                        break
                    self.failures.append((key, r.status))
                except OSError as e:
                    self.failures.append((key, repr(e)))
                    # Its node is gone: the same key through another node.
                    others = [n for n in self.nodes
                              if n.proc is not None and n.proc.poll() is None]
                    if others:
                        node = others[self.seq % len(others)]
                if self.stop.is_set() and key not in self.acked:
                    return
                time.sleep(0.05)

    def finish(self):
        self.stop.set()
        self.thread.join(60)
