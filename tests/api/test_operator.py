"""The operator permission: the cluster console's data and the cluster and
node actions are open to the node's operator (a request carrying the token
creekd writes to <data>/operator.token: creekctl on the node) and to a
signed-in installation administrator, and to nobody else; where a request
comes from proves nothing.

creekd runs in a network namespace of its own, listening on 10.98.<k>.1;
a client in a second namespace at 10.98.<k>.2 is another machine, and a
client inside the node's namespace is the same host, such as a reverse
proxy there: without the token, both are refused."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from creek import CREEKD, wait_for  # noqa: E402

# One HTTP exchange: argv = method, url, body or "", headers as JSON.
# Prints the status, the Set-Cookie header and the body, one per line.
CLIENT = """
import http.client, json, sys, urllib.parse
method, url, body, headers = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
u = urllib.parse.urlsplit(url)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
if body:
    headers["Content-Type"] = "application/json"
c.request(method, u.path, body=body or None, headers=headers)
r = c.getresponse()
print(r.status)
print(r.getheader("Set-Cookie") or "")
print(r.read().decode())
"""


def sh(*cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed: {out.stdout}{out.stderr}")


def tools_present():
    return os.geteuid() == 0 and shutil.which("ip")


@unittest.skipUnless(tools_present() or os.environ.get("CI"),
                     "needs root and iproute2 (always run in CI)")
class OperatorFromAnotherMachine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        k = os.getpid() % 200 + 20
        cls.srv, cls.cli = f"op{os.getpid()}-srv", f"op{os.getpid()}-cli"
        cls.srv_ip, cls.cli_ip = f"10.98.{k}.1", f"10.98.{k}.2"
        cls.base = tempfile.mkdtemp(prefix="creek-operator-")
        cls.proc = None
        try:
            sh("ip", "netns", "add", cls.srv)
            sh("ip", "netns", "add", cls.cli)
            sh("ip", "-n", cls.srv, "link", "add", "eth0", "type", "veth", "peer", "name",
               "eth0", "netns", cls.cli)
            for ns, ip in ((cls.srv, cls.srv_ip), (cls.cli, cls.cli_ip)):
                sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", "eth0")
                sh("ip", "-n", ns, "link", "set", "eth0", "up")
                sh("ip", "-n", ns, "link", "set", "lo", "up")
            cls.log = open(os.path.join(cls.base, "creekd.log"), "ab")
            cls.proc = subprocess.Popen(
                ["ip", "netns", "exec", cls.srv, CREEKD, "--foreground", "--data-dir",
                 os.path.join(cls.base, "data"), "--http", f"{cls.srv_ip}:8080", "--https",
                 "off", "--cluster-address", "127.0.0.1:9443", "--ui-dir", cls.base],
                stdout=cls.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            wait_for(lambda: cls.call(cls.cli, "GET", "/api/v1/health")[0] == 200, 30,
                     "creekd in its namespace to be healthy")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.proc is not None and cls.proc.poll() is None:
            cls.proc.terminate()
            cls.proc.wait(20)
        for ns in (cls.srv, cls.cli):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(cls.base, ignore_errors=True)

    @classmethod
    def call(cls, ns, method, path, body=None, headers=None):
        out = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, "-c", CLIENT, method,
             f"http://{cls.srv_ip}:8080{path}", json.dumps(body) if body is not None else "",
             json.dumps(headers or {})], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            return 0, "", out.stderr
        status, cookie, text = out.stdout.split("\n", 2)
        return int(status), cookie.split(";")[0], text

    def sign_in(self, login, password):
        status, cookie, text = self.call(self.cli, "POST", "/api/v1/session",
                                         {"login": login, "password": password})
        self.assertEqual(status, 200, text)
        return {"Cookie": cookie, "X-Creek-CSRF": json.loads(text)["csrf_token"]}

    def test_operator_routes_from_another_machine(self):
        with open(os.path.join(self.base, "data", "setup.code")) as f:
            code = f.read().strip()
        status, cookie, text = self.call(self.cli, "POST", "/api/v1/setup", {
            "login": "it-admin", "name": "IT", "password": "operator-pw-1",
            "workspace_name": "Acme", "setup_code": code})
        self.assertEqual(status, 201, text)
        ws = json.loads(text)["workspace"]["id"]
        admin = self.sign_in("it-admin", "operator-pw-1")
        status, _, text = self.call(self.cli, "POST", f"/api/v1/workspaces/{ws}/members",
                                    {"login": "clerk", "name": "Clerk",
                                     "password": "clerk-pw-12"}, admin)
        self.assertEqual(status, 201, text)
        clerk = self.sign_in("clerk", "clerk-pw-12")

        # Signed out and a plain member: refused, whatever the route.
        for who, headers in (("signed out", {}), ("a member", clerk)):
            for method, path, body in (("GET", "/api/v1/cluster", None),
                                       ("GET", "/api/v1/node/log-level", None),
                                       ("GET", "/api/v1/node/read-model?sums=1", None),
                                       ("POST", "/api/v1/cluster/write-checks", {"tag": "x"}),
                                       ("POST", "/api/v1/cluster/tokens", {})):
                status, _, text = self.call(self.cli, method, path, body, headers)
                self.assertEqual(status, 403, f"{method} {path} as {who}: {status} {text}")

        # The installation admin: reads, and changes with the CSRF token only.
        status, _, text = self.call(self.cli, "GET", "/api/v1/cluster", None, admin)
        self.assertEqual(status, 200, text)
        status, _, text = self.call(self.cli, "GET", "/api/v1/node/read-model", None, admin)
        self.assertEqual(status, 200, text)
        self.assertEqual([d["workspace"] for d in json.loads(text)["databases"]], [ws])
        no_csrf = {"Cookie": admin["Cookie"]}
        status, _, text = self.call(self.cli, "POST", "/api/v1/cluster/write-checks",
                                    {"tag": "remote"}, no_csrf)
        self.assertEqual(status, 403, text)
        status, _, text = self.call(self.cli, "POST", "/api/v1/cluster/write-checks",
                                    {"tag": "remote"}, admin)
        self.assertEqual(status, 201, text)
        status, _, text = self.call(self.cli, "PUT", "/api/v1/accounts/clerk/password",
                                    {"new_password": "clerk-pw-34"}, admin)
        self.assertEqual(status, 204, text)

        # The same host (a reverse proxy there, DNS rebinding) is nobody
        # special; the operator token is what counts, from anywhere.
        status, _, text = self.call(self.srv, "GET", "/api/v1/cluster")
        self.assertEqual(status, 403, text)
        status, _, text = self.call(self.srv, "PUT", "/api/v1/accounts/it-admin/password",
                                    {"new_password": "taken-over-1"})
        self.assertEqual(status, 403, text)
        with open(os.path.join(self.base, "data", "operator.token")) as f:
            token = {"X-Creek-Operator": f.read().strip()}
        self.assertEqual(os.stat(os.path.join(self.base, "data", "operator.token")).st_mode
                         & 0o777, 0o600)
        status, _, text = self.call(self.srv, "GET", "/api/v1/cluster", None, token)
        self.assertEqual(status, 200, text)
        status, _, text = self.call(self.srv, "GET", "/api/v1/node/log-level", None, token)
        self.assertEqual(status, 200, text)
        status, _, text = self.call(self.cli, "GET", "/api/v1/node/log-level", None,
                                    {"X-Creek-Operator": "0" * 64})
        self.assertEqual(status, 403, text)

        # A cross-site page's change is refused even with the right token.
        status, _, text = self.call(self.cli, "POST", "/api/v1/cluster/write-checks",
                                    {"tag": "evil"},
                                    {**admin, "Origin": "http://evil.example"})
        self.assertEqual(status, 403, text)


if __name__ == "__main__":
    unittest.main()
