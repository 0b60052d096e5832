"""The include arrows of STYLE.md §2, read from every #include in the C
sources: a module may include only the modules and libraries listed for it.

Deviation, kept on purpose and listed here: web includes cluster's public
headers beyond its status (cluster.h), because the cluster's operations
(join admission, jobs, forwarding writes to the leader) have HTTP faces;
cluster/ still owns every peer connection. cluster uses Jansson for job
payloads; lib uses libzip and expat for .xlsx spreadsheets (lib/xlsx*.c)."""

import os
import re
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = ["lib", "storage", "cluster", "core", "web", "node"]

# Library headers by the module that owns them; anything else in <...> is
# the C library or POSIX.
LIBRARIES = {
    "jansson.h": "jansson",
    "microhttpd.h": "microhttpd",
    "dqlite.h": "dqlite",
    "uv.h": "libuv",
    "sqlite3.h": "sqlite",
    "cmocka.h": "cmocka",
    "zip.h": "libzip",
    "expat.h": "expat",
}
PREFIXES = {"openssl/": "openssl", "curl/": "curl", "systemd/": "systemd"}

ALLOWED = {
    "lib": ({"lib"}, {"jansson", "libzip", "expat"}),
    "storage": ({"lib", "storage"}, {"dqlite", "jansson"}),
    "cluster": ({"lib", "storage", "cluster"}, {"openssl", "libuv", "jansson"}),
    "core": ({"lib", "storage", "core"}, {"jansson"}),
    "web": ({"lib", "core", "storage", "web", "cluster"}, {"microhttpd", "jansson"}),
    "node": (set(MODULES), {"openssl", "libuv", "jansson", "curl", "systemd", "dqlite"}),
}
# core is plain logic: no sockets, threads, event loops or randomness.
CORE_FORBIDDEN = re.compile(r"^(sys/socket\.h|netinet/|arpa/|pthread\.h|poll\.h|sys/random\.h|"
                            r"sys/epoll\.h|sys/eventfd\.h)")

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def sources(module):
    base = os.path.join(ROOT, module)
    for dirpath, dirnames, files in os.walk(base):
        dirnames[:] = [d for d in dirnames if d not in ("ui", "node_modules")]
        for f in files:
            if f.endswith((".c", ".h")):
                yield os.path.join(dirpath, f)


def library_of(header):
    if header in LIBRARIES:
        return LIBRARIES[header]
    for prefix, lib in PREFIXES.items():
        if header.startswith(prefix):
            return lib
    return None


class Layering(unittest.TestCase):
    def test_every_include_follows_the_allowed_arrows(self):
        wrong = []
        seen = 0
        for module in MODULES:
            modules_ok, libs_ok = ALLOWED[module]
            for path in sources(module):
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                rel = os.path.relpath(path, ROOT)
                for kind, header in INCLUDE.findall(text):
                    seen += 1
                    if kind == '"':
                        target = os.path.normpath(os.path.join(os.path.dirname(rel), header))
                        owner = target.split(os.sep)[0]
                        if owner not in modules_ok:
                            wrong.append(f"{rel}: {module} -> {owner} ({header})")
                        continue
                    lib = library_of(header)
                    if lib is not None and lib not in libs_ok:
                        wrong.append(f"{rel}: {module} -> {lib} ({header})")
                    if module == "core" and CORE_FORBIDDEN.match(header):
                        wrong.append(f"{rel}: core must not include <{header}>")
        self.assertGreater(seen, 100)
        self.assertEqual(wrong, [])


if __name__ == "__main__":
    unittest.main()
