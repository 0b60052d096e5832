"""Network partitions, made with network namespaces of our own and nftables.

Three creekd nodes each run in their own namespace (10.99.<k>.1-3 on a
bridge in a fourth, "hub" namespace); a writer client runs beside each node
and writes through it on loopback. A partition is an nftables table in one
node's namespace that drops everything to and from the other nodes. Two
cuts, each healed after a while: a minority node (a follower) and then the
leader. While cut off, a minority node acknowledges no write; the majority
goes on; afterwards every acknowledged write is stored exactly once and all
nodes hold the same rows."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import CREEK_SQL, CREEKCTL, CREEKD, read_operator_token, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CUT_S = 9.0
ARGS = ["--cluster-probe-interval", "250", "--cluster-offline-after", "60000",
        "--write-timeout", "3000", "--store-timeout", "1500", "--https", "off", "--http", "127.0.0.1:8080"]


def sh(*cmd, check=True, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed: {out.stdout}{out.stderr}")
    return out


def tools_present():
    return os.geteuid() == 0 and shutil.which("ip") and shutil.which("nft")


@unittest.skipUnless(tools_present() or os.environ.get("CI"),
                     "needs root, iproute2 and nftables (always run in CI)")
class Partitions(unittest.TestCase):
    N = 3

    def setUp(self):
        k = os.getpid() % 200 + 20
        self.prefix = f"cp{os.getpid()}"
        self.hub = f"{self.prefix}-hub"
        self.ns = [f"{self.prefix}-{i}" for i in range(self.N)]
        self.ips = [f"10.99.{k}.{i + 1}" for i in range(self.N)]
        self.base = tempfile.mkdtemp(prefix="creek-part-")
        self.procs = [None] * self.N
        self.writers = [None] * self.N
        self.logs = []
        self.addCleanup(self.teardown_all)
        sh("ip", "netns", "add", self.hub)
        sh("ip", "-n", self.hub, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.hub, "link", "set", "br0", "up")
        for i, ns in enumerate(self.ns):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", self.hub, "link", "add", f"h{i}", "type", "veth", "peer", "name",
               "eth0", "netns", ns)
            sh("ip", "-n", self.hub, "link", "set", f"h{i}", "master", "br0", "up")
            sh("ip", "-n", ns, "addr", "add", f"{self.ips[i]}/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")

    def teardown_all(self):
        stop = os.path.join(self.base, "stop")
        open(stop, "w").close()
        for p in self.writers + self.procs:
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        for f in self.logs:
            f.close()
        for ns in self.ns + [self.hub]:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        if not os.environ.get("CREEK_KEEP"):
            shutil.rmtree(self.base, ignore_errors=True)

    # ---- nodes and clients inside the namespaces ----

    def data_dir(self, i):
        return os.path.join(self.base, f"n{i}")

    def start_node(self, i):
        os.makedirs(self.data_dir(i), exist_ok=True)
        log = open(os.path.join(self.base, f"n{i}.log"), "ab")
        self.logs.append(log)
        self.procs[i] = subprocess.Popen(
            ["ip", "netns", "exec", self.ns[i], CREEKD, "--foreground", "--data-dir",
             self.data_dir(i), "--cluster-address", f"{self.ips[i]}:9443",
             "--ui-dir", self.base, *ARGS], stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        wait_for(lambda: self.http(i, "GET", "/api/v1/health")[0] == 200, 30,
                 f"node {i} to be healthy")

    def http(self, i, method, path, body=None):
        code = ("import http.client,sys,json\n"
                "c=http.client.HTTPConnection('127.0.0.1',8080,timeout=10)\n"
                "b=sys.argv[3] or None\n"
                "c.request(sys.argv[1],sys.argv[2],body=b,"
                "headers={'Content-Type':'application/json','X-Creek-Operator':sys.argv[4]})\n"
                "r=c.getresponse();print(r.status);print(r.read().decode())\n")
        args = ["ip", "netns", "exec", self.ns[i], sys.executable, "-c", code, method, path,
                json.dumps(body) if body is not None else "", self.operator_token(i)]
        out = subprocess.run(args, capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            return 0, None
        status, _, text = out.stdout.partition("\n")
        return int(status), (json.loads(text) if text.strip() else None)

    def operator_token(self, i):
        return read_operator_token(self.data_dir(i))

    def ctl(self, i, *args):
        return sh("ip", "netns", "exec", self.ns[i], CREEKCTL, "--config", "/dev/null",
                  "--data-dir", self.data_dir(i), *args)

    def sql(self, i, query, *params):
        out = sh("ip", "netns", "exec", self.ns[i], CREEK_SQL, f"{self.ips[i]}:9443", "system",
                 "query", query, *params,
                 env={**os.environ, "CREEK_TLS_DIR": os.path.join(self.data_dir(i), "cluster")})
        return json.loads(out.stdout)

    def status(self, i):
        code, body = self.http(i, "GET", "/api/v1/cluster")
        return body if code == 200 else None

    def leader_index(self):
        for i in range(self.N):
            st = self.status(i)
            if st and st["leader_id"] not in ("", "0"):
                ids = [self.node_id(k) for k in range(self.N)]
                return ids.index(st["leader_id"]) if st["leader_id"] in ids else None
        return None

    def wait_leader(self):
        """The index of the leading node (wait_for treats 0 as false)."""
        return wait_for(lambda: (lambda i: (i,) if i is not None else None)(self.leader_index()),
                        30, "a leader")[0]

    def node_id(self, i):
        with open(os.path.join(self.data_dir(i), "store", "node-info")) as f:
            return f.read().split()[0]

    def start_writer(self, i, tag):
        out = os.path.join(self.base, f"w{i}.jsonl")
        self.writers[i] = subprocess.Popen(
            ["ip", "netns", "exec", self.ns[i], sys.executable,
             os.path.join(HERE, "partition_writer.py"), "--port", "8080", "--tag", tag,
             "--name", f"w{i}", "--out", out, "--stop", os.path.join(self.base, "stop"),
             "--data-dir", self.data_dir(i)],
            stdin=subprocess.DEVNULL)
        return out

    def attempts(self, i):
        path = os.path.join(self.base, f"w{i}.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def acks_after(self, i, t):
        return [a for a in self.attempts(i) if a["status"] in (200, 201) and a["t1"] > t]

    # ---- partitions ----

    def cut(self, i):
        others = ", ".join(ip for k, ip in enumerate(self.ips) if k != i)
        rules = (f"table inet creekcut {{\n"
                 f" chain in {{ type filter hook input priority 0; policy accept;"
                 f" ip saddr {{ {others} }} drop; }}\n"
                 f" chain out {{ type filter hook output priority 0; policy accept;"
                 f" ip daddr {{ {others} }} drop; }}\n}}\n")
        sh("ip", "netns", "exec", self.ns[i], "nft", "-f", "-", input=rules)

    def heal(self, i):
        sh("ip", "netns", "exec", self.ns[i], "nft", "delete", "table", "inet", "creekcut")

    def isolate_and_heal(self, i):
        """Cut node i off, check the majority writes and i does not, heal."""
        self.cut(i)
        t_cut = time.monotonic()
        majority = [k for k in range(self.N) if k != i]
        # The majority goes on (after at most an election).
        wait_for(lambda: all(self.acks_after(k, t_cut + 0.5) for k in majority), 30,
                 "the majority to acknowledge writes during the cut")
        time.sleep(max(0.0, CUT_S - (time.monotonic() - t_cut)))
        t_heal = time.monotonic()
        self.heal(i)
        # No write through the cut-off node was acknowledged while it was
        # cut off, and it did refuse some (503 after write-timeout).
        begun = [a for a in self.attempts(i) if t_cut + 0.5 < a["t0"] < t_heal]
        during = [a for a in begun if a["t1"] < t_heal and a["status"] in (200, 201)]
        self.assertEqual(during, [], f"node {i} acknowledged writes while cut off")
        refused = [a for a in begun if a["t1"] < t_heal and a["status"] not in (200, 201)]
        self.assertTrue(refused, f"node {i} refused no write during the cut")
        # After healing it writes again.
        wait_for(lambda: self.acks_after(i, t_heal), 60, f"node {i} to write after healing")

    def test_minority_and_leader_partitions_lose_nothing(self):
        tag = f"part-{os.getpid()}"
        self.start_node(0)
        for i in range(1, self.N):
            code, body = self.http(0, "POST", "/api/v1/cluster/tokens", {"ttl_s": 600})
            self.assertEqual(code, 201, body)
            self.ctl(i, "join", body["token"], "--data-dir", self.data_dir(i),
                     "--address", f"{self.ips[i]}:9443")
            self.start_node(i)

        def three_voters():
            st = self.status(0)
            return st and [n["role"] for n in st["nodes"]].count("voter") == 3 and all(
                n["reachable"] for n in st["nodes"])
        wait_for(three_voters, 60, "three voters")
        for i in range(self.N):
            self.start_writer(i, tag)
        t0 = time.monotonic()
        wait_for(lambda: all(self.acks_after(i, t0) for i in range(self.N)), 30, "first writes")

        # 1. A minority: a follower.
        leader = self.wait_leader()
        follower = next(i for i in range(self.N) if i != leader)
        self.isolate_and_heal(follower)
        # 2. The leader itself.
        leader = self.wait_leader()
        self.isolate_and_heal(leader)
        self.wait_leader()

        # Stop the clients (each settles its last key), then compare.
        open(os.path.join(self.base, "stop"), "w").close()
        for w in self.writers:
            w.wait(120)
        acked = {}
        for i in range(self.N):
            for a in self.attempts(i):
                if a["status"] in (200, 201):
                    acked[a["key"]] = True
        self.assertGreater(len(acked), 30)
        views = []
        for i in range(self.N):
            def rows(i=i):
                r = self.sql(i, "SELECT request_id, COUNT(*) FROM write_check WHERE tag = ? "
                             "GROUP BY request_id ORDER BY request_id", f"t:{tag}")
                return r if len(r) >= len(acked) else None
            views.append(wait_for(rows, 30, f"node {i} to hold every acknowledged write"))
        stored = {k: n for k, n in views[0]}
        self.assertEqual([k for k in acked if k not in stored], [], "acknowledged writes lost")
        self.assertEqual({k: n for k, n in stored.items() if n != 1}, {},
                         "writes applied more than once")
        for v in views[1:]:
            self.assertEqual(v, views[0], "nodes disagree after healing")


if __name__ == "__main__":
    unittest.main()
