"""The cluster port caps connections that have not shown a certificate:
8 from one address, 64 in all (CLUSTER_MAX_UNVERIFIED_PER_ADDRESS and
CLUSTER_MAX_UNVERIFIED in cluster/proxy.h); more are closed at once,
while other addresses still get through and the node keeps serving.

Left out: peers with certificates (their connections stop counting once
the handshake shows one; the cluster tests run real peers), IPv6 (the
cluster port is IPv4)."""

import os
import socket
import ssl
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import Node  # noqa: E402

PER_ADDRESS = 8
IN_ALL = 64


def stalled(port, source):
    """A TCP connection from source that never starts its TLS handshake."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    return s


def closed_at_once(s):
    """The node closes s without waiting for the handshake's 5 s."""
    start = time.monotonic()
    try:
        data = s.recv(1)
    except (ConnectionResetError, socket.timeout):
        data = b"?"
    return data == b"" and time.monotonic() - start < 2.0


def handshake_without_certificate(port, source):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=(source, 0)) as raw:
        with ctx.wrap_socket(raw) as s:
            return s.version()


class UnverifiedCap(unittest.TestCase):
    def test_connections_without_a_certificate_are_capped_per_address_and_in_all(self):
        node = Node().start()
        held = []
        try:
            port = node.cluster_port
            held += [stalled(port, "127.0.0.2") for _ in range(PER_ADDRESS)]
            extra = stalled(port, "127.0.0.2")
            self.assertTrue(closed_at_once(extra), "a 9th stalled connection was kept")
            extra.close()
            # Another address is not crowded out by the first one.
            self.assertIn(handshake_without_certificate(port, "127.0.0.3"),
                          ("TLSv1.2", "TLSv1.3"))
            for i in range(IN_ALL // PER_ADDRESS - 1):
                held += [stalled(port, f"127.0.1.{i + 1}") for _ in range(PER_ADDRESS)]
            extra = stalled(port, "127.0.0.4")
            self.assertTrue(closed_at_once(extra), "a 65th stalled connection was kept")
            extra.close()
            self.assertEqual(node.get("/api/v1/health").status, 200)
            refusals = [line for line in node.read_log().splitlines()
                        if "without a certificate" in line]
            self.assertTrue(refusals)
            self.assertLess(len(refusals), 3, "\n".join(refusals))
        finally:
            for s in held:
                s.close()
            node.close()


if __name__ == "__main__":
    unittest.main()
