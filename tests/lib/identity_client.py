"""A small client of Creek's identity API (docs: the identity API contract),
used by the API tests the way the web UI and an integration use it.

A Client is one browser or one integration:

- after sign_in(), setup() or register() it holds the `__Host-creek_session`
  cookie and the CSRF token, sends the cookie on every request and
  `X-Creek-CSRF` on every POST/PUT/PATCH/DELETE;
- with_key() makes one that sends `Authorization: Bearer <api key>` instead;
- a Client with neither is a signed-out visitor.

Only sign_in(), setup(), register() and forget() change what a client holds;
a plain request() never takes a cookie from the answer, so a test can call
`POST /session` or `DELETE /session` through a client and still look at what
the server did with the session the client holds.

source= gives the client its own loopback address (127.0.0.2, ...): the
server throttles failed sign-ins per address, and tests keep theirs apart.
"""

import http.client
import json
import os
import secrets
import urllib.parse

API = "/api/v1"
SESSION_COOKIE = "__Host-creek_session"
CSRF_HEADER = "X-Creek-CSRF"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def new_password():
    """A password the server accepts (at least 8 characters, not the login)."""
    return "Pw-" + secrets.token_hex(6)


class Reply:
    """One answer, with the request it answers (for assertion messages)."""

    def __init__(self, method, path, who, status, headers, body):
        self.method = method
        self.path = path
        self.who = who
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)

    @property
    def data(self):
        """The JSON body, or None if there is none or it is not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def error_code(self):
        d = self.data
        if isinstance(d, dict) and isinstance(d.get("error"), dict):
            return d["error"].get("code")
        return None

    @property
    def error_message(self):
        d = self.data
        if isinstance(d, dict) and isinstance(d.get("error"), dict):
            return d["error"].get("message") or ""
        return ""

    def text(self):
        return self.body.decode("utf-8", "replace")

    def session_cookie(self):
        """The __Host-creek_session value this answer sets: the token, "" when it
        clears the cookie, None when it does not touch it."""
        for value in self.header_all("Set-Cookie"):
            first, _, attrs = value.partition(";")
            name, _, token = first.strip().partition("=")
            if name != SESSION_COOKIE:
                continue
            attrs = attrs.lower().replace(" ", "")
            if token == "" or "max-age=0" in attrs or "expires=thu,01jan1970" in attrs:
                return ""
            return token
        return None

    def __str__(self):
        body = self.text()
        if len(body) > 800:
            body = body[:800] + "..."
        return f"{self.method} {self.path} as {self.who} -> {self.status}: {body}"


def read_setup_code(data_dir):
    """The setup code creekd wrote into data_dir ("" if none: set up, or
    not started)."""
    try:
        with open(os.path.join(data_dir, "setup.code")) as f:
            return f.read().strip()
    except OSError:
        return ""


class Client:
    def __init__(self, port, who="signed out", host="127.0.0.1", source=None):
        self.port = port
        self.host = host
        self.who = who
        self.source = source          # client address, e.g. "127.0.0.2"
        self.cookie = None            # __Host-creek_session token
        self.csrf = None              # X-Creek-CSRF value
        self.bearer = None            # API key
        self.account = None           # the account object of the last sign-in
        self.expires_at = None
        self.login = None
        self.password = None
        self.data_dir = None          # the node's, for its setup code

    @classmethod
    def for_node(cls, node, who="signed out", source=None):
        c = cls(node.http_port, who=who, source=source)
        c.data_dir = node.data_dir
        return c

    @classmethod
    def with_key(cls, node, key, who="API key"):
        c = cls(node.http_port, who=who)
        c.bearer = key
        return c

    def clone(self, who=None):
        """Another client holding the same credentials (same session)."""
        c = Client(self.port, who=who or self.who, host=self.host, source=self.source)
        c.cookie, c.csrf, c.bearer = self.cookie, self.csrf, self.bearer
        c.account, c.expires_at = self.account, self.expires_at
        c.login, c.password = self.login, self.password
        return c

    # ---- requests ----

    def request(self, method, path, body=None, query=None, headers=None, csrf=True,
                cookie=True, expect=None, timeout=30):
        """Send one request. path is under /api/v1 unless it starts with /api/.
        csrf: True sends the held token on state-changing requests that carry
        the cookie, False sends none, a string sends that string. expect: a
        status or a tuple of statuses; anything else fails with the answer."""
        if not path.startswith("/api/"):
            path = API + path
        if query:
            path += "?" + urllib.parse.urlencode(query)
        h = {}
        data = None
        if body is not None:
            if isinstance(body, (bytes, str)):
                data = body.encode() if isinstance(body, str) else body
            else:
                data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if cookie and self.cookie:
            h["Cookie"] = f"{SESSION_COOKIE}={self.cookie}"
            if method in STATE_CHANGING and csrf:
                token = self.csrf if csrf is True else csrf
                if token:
                    h[CSRF_HEADER] = token
        if self.bearer:
            h["Authorization"] = f"Bearer {self.bearer}"
        h.update(headers or {})
        conn = http.client.HTTPConnection(
            self.host, self.port, timeout=timeout,
            source_address=(self.source, 0) if self.source else None)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            reply = Reply(method, path, self.who, r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        if expect is not None:
            wanted = expect if isinstance(expect, tuple) else (expect,)
            if reply.status not in wanted:
                raise AssertionError(f"expected {' or '.join(map(str, wanted))}: {reply}")
        return reply

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body if body is not None else {}, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body if body is not None else {}, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body if body is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def ok(self, method, path, body=None, query=None, status=(200, 201, 204)):
        """The JSON of a request that must succeed."""
        return self.request(method, path, body=body, query=query, expect=status).data

    # ---- what a client holds ----

    def adopt(self, reply):
        """Take the session an answer opened (setup, sign-in, register)."""
        token = reply.session_cookie()
        if not token:
            raise AssertionError(f"no {SESSION_COOKIE} cookie in the answer: {reply} "
                                 f"(Set-Cookie: {reply.header_all('Set-Cookie')})")
        data = reply.json()
        if not data.get("csrf_token"):
            raise AssertionError(f"no csrf_token in the answer: {reply}")
        self.cookie = token
        self.csrf = data["csrf_token"]
        self.account = data.get("account")
        self.expires_at = data.get("expires_at")
        return data

    def forget(self):
        self.cookie = self.csrf = self.account = self.expires_at = None

    def sign_in(self, login, password, expect=200, keep_must_change=False):
        """POST /session; on 200 the client holds the new session. A
        password someone else set must be changed first: unless
        keep_must_change, the client changes it, and back, as its owner
        (so the test's password stays valid; other sessions of the
        account end, as with any password change)."""
        r = self.request("POST", "/session", body={"login": login, "password": password},
                         cookie=False, expect=expect)
        if r.status == 200:
            data = self.adopt(r)
            self.login, self.password = login, password
            if data["account"].get("must_change_password") and not keep_must_change:
                self.own_password(password)
        return r

    def own_password(self, password):
        """Change the password as its owner, ending with the same one."""
        between = new_password()
        for current, new in ((password, between), (between, password)):
            self.request("PUT", "/me/password",
                         body={"current_password": current, "new_password": new}, expect=204)
        self.account = self.ok("GET", "/me")["account"]

    def setup(self, login, name, password, workspace_name, expect=201, code=None):
        """POST /setup with the setup code: code, else the one creekd wrote
        into the data dir of the node this client was made for (in a
        cluster, pass the leader's: setup is a write, checked there)."""
        if code is None and self.data_dir:
            code = read_setup_code(self.data_dir)
        r = self.request("POST", "/setup",
                         body={"login": login, "name": name, "password": password,
                               "workspace_name": workspace_name, "setup_code": code or ""},
                         cookie=False, expect=expect)
        if r.status == 201:
            self.adopt(r)
            self.login, self.password = login, password
        return r

    def register(self, token, login, name, password, expect=201):
        r = self.request("POST", f"/invites/{token}/register",
                         body={"login": login, "name": name, "password": password},
                         cookie=False, expect=expect)
        if r.status == 201:
            self.adopt(r)
            self.login, self.password = login, password
        return r

    def is_signed_in(self):
        return self.cookie is not None and self.get("/me").status == 200
