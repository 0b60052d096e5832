"""The HTTPS port's TLS, as Debian's `sslscan` and `openssl s_client` see
it: TLS 1.2 and 1.3 only, no CBC or SHA-1 suites, and HSTS on HTTPS answers
(never on plain HTTP).

Left out: certificate checks (the node's certificate, or one installed
with creekctl, is tested with the cluster) and the cluster port (its own
OpenSSL setup in cluster/tls.c)."""

import http.client
import os
import shutil
import ssl
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import Node  # noqa: E402


def s_client(port, *args):
    """openssl s_client with its own defaults lowered (SECLEVEL=0), so that
    a refusal is the server's: the protocol and suite agreed, or None."""
    r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                        "-cipher", "ALL@SECLEVEL=0", *args],
                       input="", capture_output=True, text=True, timeout=20)
    for line in r.stdout.splitlines():
        if "Cipher is" in line and "(NONE)" not in line:
            return line.split("Cipher is", 1)[1].strip()
    return None


class HttpsTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node().start()

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def test_tls_1_0_and_1_1_are_refused(self):
        self.assertIsNone(s_client(self.node.https_port, "-tls1"))
        self.assertIsNone(s_client(self.node.https_port, "-tls1_1"))

    def test_tls_1_2_and_1_3_work_with_aead_suites(self):
        self.assertRegex(s_client(self.node.https_port, "-tls1_2") or "", r"GCM|CHACHA20")
        self.assertRegex(s_client(self.node.https_port, "-tls1_3") or "", r"GCM|CHACHA20")

    def test_cbc_sha1_suites_are_refused_on_tls_1_2(self):
        for suite in ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
                      "ECDHE-RSA-AES128-SHA", "AES128-SHA", "ECDHE-ECDSA-AES128-SHA256"]:
            with self.subTest(suite=suite):
                self.assertIsNone(s_client(self.node.https_port, "-tls1_2", "-cipher",
                                           suite + "@SECLEVEL=0"))

    @unittest.skipUnless(shutil.which("sslscan"), "sslscan is not installed")
    def test_sslscan_finds_only_tls_1_2_and_1_3_and_no_cbc(self):
        out = subprocess.run(["sslscan", "--no-colour", f"127.0.0.1:{self.node.https_port}"],
                             capture_output=True, text=True, timeout=120).stdout
        protocols = {line.split()[0]: line.split()[1] for line in out.splitlines()
                     if line.startswith(("SSLv", "TLSv")) and len(line.split()) == 2}
        self.assertEqual(protocols, {"SSLv2": "disabled", "SSLv3": "disabled",
                                     "TLSv1.0": "disabled", "TLSv1.1": "disabled",
                                     "TLSv1.2": "enabled", "TLSv1.3": "enabled"}, out)
        suites = [line.split()[4] for line in out.splitlines()
                  if line.startswith(("Preferred", "Accepted"))]
        self.assertTrue(suites, out)
        for suite in suites:
            self.assertRegex(suite, r"GCM|CHACHA20", out)

    def test_https_answers_carry_hsts_and_http_answers_do_not(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c = http.client.HTTPSConnection("127.0.0.1", self.node.https_port, context=ctx,
                                        timeout=10)
        for path in ["/api/v1/health", "/", "/api/v1/no-such-thing"]:
            with self.subTest(path=path):
                c.request("GET", path)
                r = c.getresponse()
                r.read()
                self.assertEqual(r.getheader("Strict-Transport-Security"), "max-age=31536000")
                self.assertIsNone(self.node.get(path).header("Strict-Transport-Security"))
        c.close()


if __name__ == "__main__":
    unittest.main()
