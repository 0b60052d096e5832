"""Uploads sent in steps, for the tests and the bench that hold many at once.

HeldUpload opens a POST /workspaces/{ws}/files of a declared size, sends
part of its body and keeps the connection open until finish() sends the
rest and reads the answer. Its bytes are one random 64 KiB block repeated
(each upload its own block), so no test holds a whole file in memory.
rss_kib(pid) reads a process's resident set from /proc.
"""

import http.client
import os

from identity_client import API, CSRF_HEADER, SESSION_COOKIE

BLOCK = 1 << 16


class HeldUpload:
    def __init__(self, client, ws, size, name="held.bin", type_="application/octet-stream"):
        self.size = size
        self.sent = 0
        self.block = os.urandom(BLOCK)
        self.conn = http.client.HTTPConnection(client.host, client.port, timeout=120)
        self.conn.putrequest("POST", f"{API}/workspaces/{ws}/files")
        headers = {"Content-Type": type_, "X-Creek-File-Name": name,
                   "Content-Length": str(size)}
        if client.cookie:
            headers["Cookie"] = f"{SESSION_COOKIE}={client.cookie}"
            headers[CSRF_HEADER] = client.csrf
        if client.bearer:
            headers["Authorization"] = f"Bearer {client.bearer}"
        for k, v in headers.items():
            self.conn.putheader(k, v)
        self.conn.endheaders()

    def send(self, n):
        """Send up to n more bytes of the body (never past its size)."""
        n = min(n, self.size - self.sent)
        while n > 0:
            part = self.block[: min(n, BLOCK)]
            try:
                self.conn.send(part)
            except (BrokenPipeError, ConnectionResetError):
                return  # answered early; finish() reads the answer
            self.sent += len(part)
            n -= len(part)

    def finish(self):
        """Send the rest and return (status, headers, body); closes."""
        self.send(self.size - self.sent)
        try:
            r = self.conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            self.conn.close()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")
