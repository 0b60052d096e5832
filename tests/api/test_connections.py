"""Connections a client holds on the public HTTP port: one address cannot
hold the node with slow requests (slowloris, with Debian's `slowhttptest`),
a request whose headers stall is cut off after http-header-timeout, and the
refusals are not logged one line each.

Left out: many attacking addresses (each is held to the per-address limit,
the total to http-max-connections), IPv6 prefixes, and a proxy in front
(docs/running.md says how to set the limit there)."""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import Node, wait_for  # noqa: E402

# A normal client comes from another loopback address than the attacker.
CLIENT_ADDRESS = "127.0.0.2"
PROBES = 1000
PROBE_TIMEOUT_S = 2.0


def health_latency_s(port):
    """One GET /api/v1/health on a new connection from CLIENT_ADDRESS;
    PROBE_TIMEOUT_S when it fails or is refused."""
    start = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT_S,
                                       source_address=(CLIENT_ADDRESS, 0))
        c.request("GET", "/api/v1/health", headers={"Connection": "close"})
        r = c.getresponse()
        r.read()
        c.close()
        if r.status != 200:
            return PROBE_TIMEOUT_S
    except OSError:
        return PROBE_TIMEOUT_S
    return time.monotonic() - start


def probe(port, n=PROBES):
    """n latencies; stops early (the p99 is then a failure) once more than
    1% of them failed."""
    samples = []
    for _ in range(n):
        samples.append(health_latency_s(port))
        if samples.count(PROBE_TIMEOUT_S) > n // 100:
            break
    return samples


def p99_s(samples):
    if samples.count(PROBE_TIMEOUT_S) > len(samples) // 100:
        return PROBE_TIMEOUT_S
    samples = sorted(samples)
    return samples[int(len(samples) * 0.99) - 1]


def established_to(port):
    out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    return len(out.splitlines())


def settled(port):
    """The number of connections the node holds stopped changing (the
    attack has opened all it will)."""
    before = established_to(port)
    time.sleep(0.5)
    return before >= 200 and established_to(port) == before


@unittest.skipUnless(shutil.which("slowhttptest"), "slowhttptest is not installed")
class Slowloris(unittest.TestCase):
    MAX_CONNECTIONS = 512
    ATTACK_CONNECTIONS = 1000

    ROUNDS = 3

    def attack_round(self, port):
        """(baseline p99, p99 under attack, connections held): the baseline
        pools probes taken before and after the attack, so that other
        processes' load drifting during the round counts on both sides."""
        before = probe(port)
        # Niced: on a small test machine the attacking tool's own CPU would
        # otherwise slow the probes, which is not the node's doing.
        attack = subprocess.Popen(
            ["nice", "-n", "19", "slowhttptest", "-H", "-c", str(self.ATTACK_CONNECTIONS),
             "-r", "500", "-i", "5", "-x", "8", "-l", "60", "-p", "3",
             "-u", f"http://127.0.0.1:{port}/api/v1/health"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: settled(port), 20, "the attack to connect")
            under_attack = p99_s(probe(port, 2 * PROBES))
            held = established_to(port)
        finally:
            attack.kill()
            attack.wait()
        wait_for(lambda: established_to(port) == 0, 20, "the attack to end")
        return p99_s(before + probe(port)), under_attack, held

    def test_one_slow_address_cannot_hold_the_node(self):
        """1,000 slowloris connections from 127.0.0.1 against a node taking
        512 connections: a client on 127.0.0.2 keeps its p99 on
        /api/v1/health under twice its baseline, and the refusals are
        logged a few times, not once each. On a busy 2-core machine one
        4 ms scheduler tick can exceed twice a sub-millisecond p99, so a
        round may be run again, up to ROUNDS; a node the attack holds
        answers no probe within PROBE_TIMEOUT_S and fails every round."""
        node = Node(extra_args=["--http-max-connections", str(self.MAX_CONNECTIONS)]).start()
        try:
            for _ in range(self.ROUNDS):
                baseline, under_attack, held = self.attack_round(node.http_port)
                print(f"\nslowloris: health p99 baseline {baseline * 1000:.1f} ms, "
                      f"under attack {under_attack * 1000:.1f} ms, "
                      f"{held} connections held", file=sys.stderr)
                if under_attack < 2 * baseline:
                    break
            self.assertLess(under_attack, 2 * baseline)
            refusals = [line for line in node.read_log().splitlines()
                        if "connection limit" in line or "refused" in line]
            self.assertTrue(refusals, "the attack was not refused")
            self.assertLess(len(refusals), 10, "\n".join(refusals[:20]))
        finally:
            node.close()


class HeaderTimeout(unittest.TestCase):
    def test_headers_that_stall_are_cut_off_after_http_header_timeout(self):
        """A client that sends part of its headers and stops is closed after
        http-header-timeout (1 s here), while http-timeout (30 s) still
        governs the rest of a request."""
        node = Node(extra_args=["--http-header-timeout", "1"]).start()
        try:
            with socket.create_connection(("127.0.0.1", node.http_port), timeout=20) as s:
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

    def test_a_stalled_tls_handshake_is_cut_off_after_http_header_timeout(self):
        """A client that connects to the HTTPS port and never says hello is
        closed after http-header-timeout too (GnuTLS may send an alert)."""
        node = Node(extra_args=["--http-header-timeout", "1"]).start()
        try:
            with socket.create_connection(("127.0.0.1", node.https_port), timeout=20) as s:
                start = time.monotonic()
                data = b"x"
                while data:
                    try:
                        data = s.recv(4096)
                    except ConnectionResetError:
                        data = b""
                self.assertLess(time.monotonic() - start, 5)
        finally:
            node.close()

    def test_a_keep_alive_connection_waits_http_header_timeout_for_its_next_request(self):
        """After an answer, the next request's headers get the same deadline."""
        node = Node(extra_args=["--http-header-timeout", "1"]).start()
        try:
            c = http.client.HTTPConnection("127.0.0.1", node.http_port, timeout=20)
            c.request("GET", "/api/v1/health")
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            c.sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
            start = time.monotonic()
            try:
                data = c.sock.recv(4096)
            except ConnectionResetError:
                data = b""
            self.assertEqual(data, b"")
            self.assertLess(time.monotonic() - start, 5)
            c.close()
        finally:
            node.close()


if __name__ == "__main__":
    unittest.main()
