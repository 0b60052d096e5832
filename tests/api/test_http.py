"""The HTTP layer as a client sees it: every bad-input rule answers with the
right status and the JSON error shape, every answer carries the security
headers, static files are served safely, and nothing a client sends takes
the node down."""

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import Node, request  # noqa: E402
from route_table import route_rows  # noqa: E402

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


BR_BYTES = b"\x8b\x07\x80console.log('x')\x03"


def make_ui_dir():
    d = tempfile.mkdtemp(prefix="creek-ui-")
    os.makedirs(os.path.join(d, "assets"))
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write("<!doctype html><title>Creek</title><div id=app></div>")
    with open(os.path.join(d, "assets", "index-abc123.js"), "w") as f:
        f.write("console.log('x')")
    with open(os.path.join(d, "assets", "index-abc123.js.gz"), "wb") as f:
        f.write(gzip.compress(b"console.log('x')"))
    with open(os.path.join(d, "assets", "index-abc123.js.br"), "wb") as f:
        f.write(BR_BYTES)  # served as is: creekd never decodes it
    with open(os.path.join(d, "assets", "index-abc123.css"), "w") as f:
        f.write("body{}")
    with open(os.path.join(d, "favicon.svg"), "w") as f:
        f.write("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return d


class HttpApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ui = make_ui_dir()
        cls.node = Node(ui_dir=cls.ui, extra_args=["--http-max-body", "4096"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.node.close()
        shutil.rmtree(cls.ui, ignore_errors=True)

    def tearDown(self):
        # Whatever a test sent, the node must still answer.
        self.assertEqual(self.node.get("/api/v1/health").status, 200)

    def assert_error(self, r, status, code):
        self.assertEqual(r.status, status, r.body)
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        body = r.json()
        self.assertEqual(set(body), {"error"})
        self.assertEqual(body["error"]["code"], code)
        self.assertIsInstance(body["error"]["message"], str)
        self.assertTrue(body["error"]["message"])
        self.assert_security_headers(r)

    def assert_security_headers(self, r):
        for name, value in SECURITY_HEADERS.items():
            self.assertIn(value, r.header(name) or "", f"{name} missing")

    def put_level(self, body, content_type="application/json", **kw):
        return self.node.request("PUT", "/api/v1/node/log-level", body=body,
                                 headers={"Content-Type": content_type}, **kw)

    def test_malformed_json_is_400(self):
        r = self.put_level(b'{"level": ')
        self.assert_error(r, 400, "invalid")
        self.assertIn("malformed JSON", r.json()["error"]["message"])

    def test_duplicate_keys_and_wrong_shapes_are_400(self):
        self.assert_error(self.put_level(b'{"level":"info","level":"debug"}'), 400, "invalid")
        self.assert_error(self.put_level(b'["info"]'), 400, "invalid")
        self.assert_error(self.put_level(b'{"level": 3}'), 400, "invalid")
        self.assert_error(self.put_level(b'{"level": "loud"}'), 400, "invalid")
        self.assert_error(self.put_level(b''), 400, "invalid")

    def test_body_over_the_limit_is_413(self):
        self.assert_error(self.put_level(b'{"level":"' + b"x" * 5000 + b'"}'), 413, "too_big")

    def test_chunked_body_over_the_limit_is_413(self):
        def chunks():
            for _ in range(10):
                yield b"x" * 1000
        r = self.node.request("PUT", "/api/v1/node/log-level", body=chunks(),
                              headers={"Content-Type": "application/json"})
        self.assert_error(r, 413, "too_big")

    def test_wrong_content_type_is_415(self):
        self.assert_error(self.put_level(b'{"level":"info"}', "text/plain"), 415,
                          "unsupported_media_type")

    def test_unknown_route_is_404(self):
        self.assert_error(self.node.get("/api/v1/no-such-thing"), 404, "not_found")
        self.assert_error(self.node.get("/api/v2/health"), 404, "not_found")
        self.assert_error(self.node.get("/api"), 404, "not_found")

    def test_wrong_method_is_405_with_allow(self):
        r = self.node.request("DELETE", "/api/v1/health")
        self.assert_error(r, 405, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "GET, HEAD")
        r = self.node.request("POST", "/api/v1/node/log-level", body=b"{}",
                              headers={"Content-Type": "application/json"})
        self.assert_error(r, 405, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "GET, HEAD, PUT")
        self.assert_error(self.node.request("POST", "/index.html"), 405, "method_not_allowed")

    def test_invalid_utf8_in_path_still_gives_valid_json(self):
        self.assert_error(self.node.get("/api/v1/%ff%fe"), 404, "not_found")

    def test_log_level_round_trip_from_loopback(self):
        r = self.put_level(b'{"level": "debug"}')
        self.assertEqual(r.status, 200)
        self.assertEqual(self.node.get("/api/v1/node/log-level").json(), {"level": "debug"})
        self.assertEqual(self.put_level(b'{"level": "info"}').json(), {"level": "info"})

    def test_head_of_health_has_no_body(self):
        r = self.node.request("HEAD", "/api/v1/health")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_api_answers_are_not_cached_and_carry_security_headers(self):
        r = self.node.get("/api/v1/health")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assert_security_headers(r)
        self.assertIn("frame-ancestors 'none'", r.header("Content-Security-Policy"))

    def test_huge_header_is_refused_and_node_survives(self):
        r = self.node.get("/api/v1/health", headers={"X-Big": "a" * 100_000})
        self.assertGreaterEqual(r.status, 400)
        self.assertLess(r.status, 500)

    def test_garbage_on_the_socket_does_not_hurt(self):
        for junk in (b"\x00\xff" * 500 + b"\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"GET " + b"/a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"POST /api/v1/node/log-level HTTP/1.1\r\nContent-Length: -5\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", self.node.http_port), timeout=5) as s:
                s.sendall(junk)
                try:
                    s.recv(4096)
                except (socket.timeout, ConnectionResetError):
                    pass

    def test_a_stalled_client_does_not_block_others(self):
        with socket.create_connection(("127.0.0.1", self.node.http_port), timeout=5) as s:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # never finishes
            self.assertEqual(self.node.get("/api/v1/health").status, 200)

    def test_many_concurrent_clients_all_answered(self):
        results = []

        def one():
            results.append(self.node.get("/api/v1/health").status)

        threads = [threading.Thread(target=one) for _ in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(results, [200] * 100)

    def test_keep_alive_survives_several_requests(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.node.http_port, timeout=5)
        try:
            for _ in range(5):
                conn.request("GET", "/api/v1/health")
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
                self.assertNotEqual((r.getheader("Connection") or "").lower(), "close")
        finally:
            conn.close()

    # ---- static files ----

    def test_index_is_revalidated_and_has_csp(self):
        r = self.node.get("/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(r.header("Cache-Control"), "no-cache")
        self.assert_security_headers(r)
        etag = r.header("ETag")
        r2 = self.node.get("/", headers={"If-None-Match": etag})
        self.assertEqual(r2.status, 304)

    def test_hashed_assets_are_immutable_with_their_types(self):
        r = self.node.get("/assets/index-abc123.js")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "text/javascript; charset=utf-8")
        self.assertIn("immutable", r.header("Cache-Control"))
        self.assertEqual(self.node.get("/assets/index-abc123.css").header("Content-Type"),
                         "text/css; charset=utf-8")
        self.assertEqual(self.node.get("/favicon.svg").header("Content-Type"), "image/svg+xml")

    def test_assets_are_sent_as_the_compressed_copy_the_client_accepts(self):
        path = "/assets/index-abc123.js"

        def get(accept, **headers):
            return self.node.get(path, headers={"Accept-Encoding": accept, **headers})

        r = get("gzip, deflate, br, zstd")
        self.assertEqual((r.status, r.header("Content-Encoding"), r.body), (200, "br", BR_BYTES))
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        self.assertEqual(r.header("Content-Type"), "text/javascript; charset=utf-8")
        self.assertTrue(r.header("ETag").endswith('-br"'), r.header("ETag"))
        br_tag = r.header("ETag")

        r = get("gzip;q=0.5, br;q=0")
        self.assertEqual((r.status, r.header("Content-Encoding")), (200, "gzip"))
        self.assertEqual(gzip.decompress(r.body), b"console.log('x')")
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        # Another representation: the brotli copy's tag does not match it.
        self.assertEqual(get("gzip", **{"If-None-Match": br_tag}).status, 200)
        self.assertEqual(get("br", **{"If-None-Match": br_tag}).status, 304)

        for accept in ("identity", "*;q=0", "deflate"):
            r = get(accept)
            self.assertEqual((r.header("Content-Encoding"), r.body), (None, b"console.log('x')"),
                             accept)
            self.assertEqual(r.header("Vary"), "Accept-Encoding", accept)
        # A file the build left uncompressed varies by nothing.
        r = self.node.get("/assets/index-abc123.css", headers={"Accept-Encoding": "br, gzip"})
        self.assertEqual((r.header("Content-Encoding"), r.header("Vary"), r.body),
                         (None, None, b"body{}"))

    def test_large_json_answers_are_gzipped_for_clients_that_accept_it(self):
        plain = self.node.get("/api/v1/openapi.json")
        self.assertEqual(plain.header("Content-Encoding"), None)
        self.assertGreater(len(plain.body), 2048)
        r = self.node.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip, br"})
        self.assertEqual((r.status, r.header("Content-Encoding")), (200, "gzip"))
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        self.assertEqual(gzip.decompress(r.body), plain.body)
        self.assertLess(len(r.body), len(plain.body) / 4)
        r = self.node.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip;q=0"})
        self.assertEqual((r.header("Content-Encoding"), r.body), (None, plain.body))
        # A small answer is sent as it is.
        r = request(self.node.http_port, "GET", "/api/v1/health",
                    headers={"Accept-Encoding": "gzip"})
        self.assertEqual((r.header("Content-Encoding"), r.header("Vary")), (None, None))
        json.loads(r.body)

    def test_unknown_paths_fall_back_to_the_app_but_missing_assets_are_404(self):
        r = self.node.get("/cluster/health")
        self.assertEqual(r.status, 200)
        self.assertIn(b"<title>Creek</title>", r.body)
        self.assert_error(self.node.get("/assets/missing-123.js"), 404, "not_found")

    def test_paths_cannot_escape_the_ui_dir(self):
        secret = os.path.join(os.path.dirname(self.ui), "creek-secret.txt")
        with open(secret, "w") as f:
            f.write("SECRET")
        link = os.path.join(self.ui, "link.txt")
        os.symlink(secret, link)
        try:
            for path in ("/../creek-secret.txt", "/%2e%2e/creek-secret.txt",
                         "/assets/../../creek-secret.txt", "/link.txt", "//etc/passwd",
                         "/..%2f..%2fetc/passwd"):
                r = self.node.get(path)
                self.assertNotIn(b"SECRET", r.body, path)
                self.assertNotIn(b"root:", r.body, path)
        finally:
            os.unlink(link)
            os.unlink(secret)


class IdleTimeout(unittest.TestCase):
    def test_a_client_that_stops_sending_is_cut_off_after_http_timeout(self):
        import time
        node = Node(extra_args=["--http-timeout", "1"]).start()
        try:
            with socket.create_connection(("127.0.0.1", node.http_port), timeout=10) as s:
                s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # never finishes
                start = time.monotonic()
                try:
                    data = s.recv(4096)  # EOF when creekd closes the connection
                except ConnectionResetError:
                    data = b""
                waited = time.monotonic() - start
            self.assertEqual(data, b"")
            self.assertLess(waited, 5)
            self.assertEqual(node.get("/api/v1/health").status, 200)
        finally:
            node.close()


class OpenApi(unittest.TestCase):
    def test_every_route_is_documented(self):
        node = Node().start()
        try:
            doc = node.get("/api/v1/openapi.json").json()
        finally:
            node.close()
        routes = [pattern for _, pattern in route_rows()]
        self.assertTrue(routes)
        for path in routes:
            self.assertIn(path, doc["paths"], f"{path} is missing from web/openapi.json")


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("ip"), "needs root and iproute2")
class LocalOnlyEndpoints(unittest.TestCase):
    """Operator endpoints refuse peers that are not on loopback: a client in
    a network namespace of our own reaches creekd over a veth pair."""

    NS = "creek-test-peer"

    def setUp(self):
        sh = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
        subprocess.run(["ip", "netns", "del", self.NS], capture_output=True)
        subprocess.run(["ip", "link", "del", "creek-h0"], capture_output=True)
        sh("ip", "netns", "add", self.NS)
        sh("ip", "link", "add", "creek-h0", "type", "veth", "peer", "name", "creek-p0")
        sh("ip", "link", "set", "creek-p0", "netns", self.NS)
        sh("ip", "addr", "add", "10.231.0.1/24", "dev", "creek-h0")
        sh("ip", "link", "set", "creek-h0", "up")
        sh("ip", "netns", "exec", self.NS, "ip", "addr", "add", "10.231.0.2/24", "dev",
           "creek-p0")
        sh("ip", "netns", "exec", self.NS, "ip", "link", "set", "creek-p0", "up")
        sh("ip", "netns", "exec", self.NS, "ip", "link", "set", "lo", "up")
        self.node = Node()
        self.node.extra_args = ["--http", f"10.231.0.1:{self.node.http_port}"]
        self.node.start(wait=False)

    def tearDown(self):
        self.node.close()
        subprocess.run(["ip", "link", "del", "creek-h0"], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.NS], capture_output=True)

    def peer_get(self, path, method="GET", data=None):
        code = ("import sys,urllib.request as u\n"
                "req=u.Request(sys.argv[1],data=sys.argv[3].encode() if sys.argv[3] else None,"
                "method=sys.argv[2],headers={'Content-Type':'application/json'})\n"
                "try:\n r=u.urlopen(req,timeout=5);print(r.status);print(r.read().decode())\n"
                "except u.HTTPError as e:\n print(e.code);print(e.read().decode())\n")
        url = f"http://10.231.0.1:{self.node.http_port}{path}"
        out = subprocess.run(["ip", "netns", "exec", self.NS, sys.executable, "-c", code, url,
                              method, data or ""], capture_output=True, text=True, timeout=30)
        status, _, body = out.stdout.partition("\n")
        return int(status), json.loads(body)

    def test_remote_peer_gets_403_on_operator_endpoints_but_health_is_public(self):
        from creek import wait_for
        wait_for(lambda: self.peer_get("/api/v1/health")[0] == 200, 20, "health from the peer")
        status, body = self.peer_get("/api/v1/node/log-level")
        self.assertEqual(status, 403)
        self.assertEqual(body["error"]["code"], "denied")
        status, body = self.peer_get("/api/v1/node/log-level", "PUT", '{"level":"debug"}')
        self.assertEqual(status, 403)


if __name__ == "__main__":
    unittest.main()
