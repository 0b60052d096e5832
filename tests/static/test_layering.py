"""The include arrows of STYLE.md §2, read from every #include in the C
sources: a module may include only the modules and libraries listed for it.

Deviation, kept on purpose and listed here: web includes cluster's public
headers beyond its status (cluster.h), because the cluster's operations
(join admission, jobs, forwarding writes to the leader) have HTTP faces;
cluster/ still owns every peer connection. cluster uses Jansson for job
payloads; lib uses libzip and expat for .xlsx spreadsheets (lib/xlsx*.c)
and libunistring for Unicode NFC (lib/text.c).

Inside core/forms (FormsLayering): the pure files reach no storage/ header
through any chain of includes, each file stays under 800 lines, the files'
includes form no cycle, and no two files call each other in a circle."""

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
    "uninorm.h": "libunistring",
    "unistr.h": "libunistring",
}
PREFIXES = {"openssl/": "openssl", "curl/": "curl", "systemd/": "systemd"}

ALLOWED = {
    "lib": ({"lib"}, {"jansson", "libzip", "expat", "libunistring"}),
    # storage/ speaks to dqlite, and to SQLite for the read model (storage/model.c).
    "storage": ({"lib", "storage"}, {"dqlite", "sqlite", "jansson"}),
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


# core/forms: the files that must not reach the store, directly or through
# another header (parse, evaluate, check, convert: tested without a
# database), and the ones that do. A new file must be put in one list.
FORMS = "core/forms"
FORMS_PURE = {
    "conditions.c", "conditions.h", "field.c", "field.h", "field_cells.c", "field_int.h",
    "field_types.c", "filter.c", "filter.h", "form_check.c", "form_model.c", "form_model.h",
    "forms.h", "serial.c", "serial.h", "sheet.c", "sheet.h", "values.c", "values.h",
}
FORMS_STORE = {
    "apps.c", "apps.h", "counts.c", "export.c", "form_load.c", "form_save.c", "forms_int.h", "history.c",
    "import.c", "model.c", "model.h", "model_check.c", "model_int.h", "purge.c", "query.c", "query.h", "record.c", "record_change.c",
    "record_create.c", "record_tx.c", "refs.c", "schema.c", "store_check.c", "uploads.c",
}
FILE_LINES_MAX = 800


def local_includes(path):
    """The repository files path includes with "...", as paths from ROOT."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    out = []
    for kind, header in INCLUDE.findall(text):
        if kind == '"':
            out.append(os.path.normpath(os.path.join(os.path.dirname(path), header)))
    return out


def reaches(path, seen=None):
    """Every repository file path includes, directly or through others."""
    seen = set() if seen is None else seen
    for inc in local_includes(path):
        if inc not in seen and os.path.exists(os.path.join(ROOT, inc)):
            seen.add(inc)
            reaches(inc, seen)
    return seen


class FormsLayering(unittest.TestCase):
    def forms_files(self):
        return sorted(f for f in os.listdir(os.path.join(ROOT, FORMS)) if f.endswith((".c", ".h")))

    def test_every_forms_file_is_listed_pure_or_store(self):
        files = set(self.forms_files())
        self.assertEqual(files - FORMS_PURE - FORMS_STORE, set(), "list new files above")
        self.assertEqual((FORMS_PURE | FORMS_STORE) - files, set(), "listed files that are gone")
        self.assertEqual(FORMS_PURE & FORMS_STORE, set())

    def test_pure_forms_files_reach_no_storage_header(self):
        wrong = []
        for name in sorted(FORMS_PURE):
            path = f"{FORMS}/{name}"
            for inc in sorted(reaches(path)):
                if inc.startswith("storage" + os.sep):
                    wrong.append(f"{path} -> {inc}")
        self.assertEqual(wrong, [])

    def test_forms_files_stay_under_the_line_limit(self):
        long = []
        for name in self.forms_files():
            with open(os.path.join(ROOT, FORMS, name), encoding="utf-8") as f:
                n = sum(1 for _ in f)
            if n > FILE_LINES_MAX:
                long.append(f"{FORMS}/{name}: {n} lines")
        self.assertEqual(long, [])

    def test_forms_headers_include_no_cycle(self):
        graph = {f"{FORMS}/{n}": [i for i in local_includes(f"{FORMS}/{n}")
                                  if i.startswith(FORMS + os.sep)]
                 for n in self.forms_files()}
        state, cycles = {}, []

        def visit(node, stack):
            state[node] = "open"
            for nxt in graph.get(node, []):
                if state.get(nxt) == "open":
                    cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
                elif nxt not in state:
                    visit(nxt, stack + [nxt])
            state[node] = "done"

        for node in graph:
            if node not in state:
                visit(node, [node])
        self.assertEqual(cycles, [])

    def test_forms_files_call_each_other_one_way(self):
        """File a calls file b when a calls an fm_ function that b defines
        (a definition starts a line; calls through the registry's function
        pointers are not seen). No file may be reached back from a file it
        calls: the circle of wave 1 (form <-> record <-> query) stays gone."""
        texts = {n: open(os.path.join(ROOT, FORMS, n), encoding="utf-8").read()
                 for n in self.forms_files() if n.endswith(".c")}
        defined = {}
        for name, text in texts.items():
            for m in re.finditer(r"^(?!static)[a-z][^\n;]*?\b(fm_\w+)\(", text, re.M):
                defined[m.group(1)] = name
        calls = {name: {defined[f] for f in re.findall(r"\b(fm_\w+)\(", text)
                        if f in defined and defined[f] != name}
                 for name, text in texts.items()}
        self.assertGreater(sum(len(v) for v in calls.values()), 30)
        cycles = []
        for start in sorted(calls):
            seen, todo = set(), list(calls[start])
            while todo:
                n = todo.pop()
                if n == start:
                    cycles.append(start)
                    break
                if n not in seen:
                    seen.add(n)
                    todo.extend(calls[n])
        self.assertEqual(cycles, [], "files in a calling circle")


if __name__ == "__main__":
    unittest.main()
