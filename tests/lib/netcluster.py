"""Clusters whose nodes each run in a network namespace of their own, for
tests that cut the network (nftables) or pause and kill nodes while clients
write through every node.

Three (or N) creekd nodes run in namespaces <prefix>-<i> (10.99.<k>.<i+1>
on a bridge in a "hub" namespace); a writer client (cluster_writer.py) runs
beside each node and writes through it on loopback, so that clients reach
their node whatever the cluster's network does. A cut is an nftables table
in one node's namespace that drops everything to and from the other nodes.
Needs root, iproute2 and nftables."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from creek import BUILD, read_operator_token, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
WRITER = os.path.join(HERE, "cluster_writer.py")


def sh(*cmd, check=True, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed: {out.stdout}{out.stderr}")
    return out


def tools_present():
    return os.geteuid() == 0 and shutil.which("ip") and shutil.which("nft")


class NetCluster:
    def __init__(self, n=3, args=(), build=None):
        """build: where creekd, creekctl and tests/creek-sql are (default:
        $CREEK_BUILD, as for every test)."""
        self.n = n
        self.args = list(args)
        build = build or BUILD
        self.creekd = os.path.join(build, "creekd")
        self.creekctl = os.path.join(build, "creekctl")
        self.creek_sql = os.path.join(build, "tests", "creek-sql")
        k = os.getpid() % 200 + 20
        self.prefix = f"cn{os.getpid()}"
        self.hub = f"{self.prefix}-hub"
        self.ns = [f"{self.prefix}-{i}" for i in range(n)]
        self.ips = [f"10.99.{k}.{i + 1}" for i in range(n)]
        self.base = tempfile.mkdtemp(prefix="creek-net-")
        self.procs = [None] * n
        self.writers = []
        self.logs = []
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

    def close(self):
        self.stop_writers(wait_s=0)
        for p in self.procs:
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.kill()
                p.wait()
        for f in self.logs:
            f.close()
        for ns in self.ns + [self.hub]:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        if not os.environ.get("CREEK_KEEP"):
            shutil.rmtree(self.base, ignore_errors=True)

    # ---- nodes ----

    def data_dir(self, i):
        return os.path.join(self.base, f"n{i}")

    def start_node(self, i, wait=True):
        os.makedirs(self.data_dir(i), exist_ok=True)
        log = open(os.path.join(self.base, f"n{i}.log"), "ab")
        self.logs.append(log)
        self.procs[i] = subprocess.Popen(
            ["ip", "netns", "exec", self.ns[i], self.creekd, "--foreground", "--data-dir",
             self.data_dir(i), "--cluster-address", f"{self.ips[i]}:9443",
             "--ui-dir", self.base, "--https", "off", "--http", "127.0.0.1:8080", *self.args],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if wait:
            wait_for(lambda: self.http(i, "GET", "/api/v1/health")[0] == 200, 30,
                     f"node {i} to be healthy")

    def form(self):
        """Node 0 first, the others joined with tokens; wait for n voters."""
        self.start_node(0)
        for i in range(1, self.n):
            code, body = self.http(0, "POST", "/api/v1/cluster/tokens", {"ttl_s": 600})
            assert code == 201, body
            self.ctl(i, "join", body["token"], "--data-dir", self.data_dir(i),
                     "--address", f"{self.ips[i]}:9443")
            self.start_node(i)
        self.wait_voters()

    def wait_voters(self, timeout_s=60):
        want = min(3, self.n)

        def voters():
            st = self.status(0)
            return st and [n["role"] for n in st["nodes"]].count("voter") == want and all(
                n["reachable"] for n in st["nodes"])
        wait_for(voters, timeout_s, f"{want} voters, all reachable")

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
        return sh("ip", "netns", "exec", self.ns[i], self.creekctl, "--config", "/dev/null",
                  "--data-dir", self.data_dir(i), *args)

    def sql(self, i, query, *params):
        out = sh("ip", "netns", "exec", self.ns[i], self.creek_sql, f"{self.ips[i]}:9443", "system",
                 "query", query, *params,
                 env={**os.environ, "CREEK_TLS_DIR": os.path.join(self.data_dir(i), "cluster")})
        return json.loads(out.stdout)

    def status(self, i):
        code, body = self.http(i, "GET", "/api/v1/cluster")
        return body if code == 200 else None

    def node_id(self, i):
        with open(os.path.join(self.data_dir(i), "store", "node-info")) as f:
            return f.read().split()[0]

    def leader_index(self, among=None):
        ids = [self.node_id(k) for k in range(self.n)]
        for i in (among if among is not None else range(self.n)):
            st = self.status(i)
            if st and st["leader_id"] in ids:
                return ids.index(st["leader_id"])
        return None

    def wait_leader(self, among=None, timeout_s=30):
        """The index of the leading node (wait_for treats 0 as false)."""
        return wait_for(lambda: (lambda i: (i,) if i is not None else None)(
            self.leader_index(among)), timeout_s, "a leader")[0]

    # ---- faults ----

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

    def pause(self, i):
        self.procs[i].send_signal(signal.SIGSTOP)

    def resume(self, i):
        self.procs[i].send_signal(signal.SIGCONT)

    def kill(self, i):
        self.procs[i].kill()
        self.procs[i].wait()

    # ---- clients ----

    def start_writer(self, i, tag, name, retry=True):
        """A writer through node i; name must be unique. Its attempts go to
        <base>/<name>.jsonl."""
        out = os.path.join(self.base, f"{name}.jsonl")
        w = subprocess.Popen(
            ["ip", "netns", "exec", self.ns[i], sys.executable, WRITER, "--port", "8080",
             "--tag", tag, "--name", name, "--out", out,
             "--stop", os.path.join(self.base, f"stop-{tag}"), "--data-dir", self.data_dir(i),
             *([] if retry else ["--once"])],
            stdin=subprocess.DEVNULL)
        self.writers.append((name, i, retry, w))
        return name

    def stop_writers(self, wait_s=120):
        """Kill the writers (wait_s 0) or wait for them to end."""
        for _, _, _, w in self.writers:
            if wait_s == 0 and w.poll() is None:
                w.kill()
            if w.poll() is None:
                w.wait(wait_s or None)

    def settle_writers(self, tag, wait_s=120):
        """Ask the writers of tag to stop (each settles its last key), and wait."""
        open(os.path.join(self.base, f"stop-{tag}"), "w").close()
        for _, _, _, w in self.writers:
            w.wait(wait_s)

    def attempts(self, name):
        path = os.path.join(self.base, f"{name}.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def acks_after(self, name, t):
        return [a for a in self.attempts(name) if a["status"] in (200, 201) and a["t1"] > t]

    def stored(self, i, tag):
        """request_id -> rows, as node i's view of the store holds them."""
        rows = self.sql(i, "SELECT request_id, COUNT(*) FROM write_check WHERE tag = ? "
                        "GROUP BY request_id ORDER BY request_id", f"t:{tag}")
        return {k: n for k, n in rows}

