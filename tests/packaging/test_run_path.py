"""The README's first command, `make run`, on a machine with nothing
installed: proven in a clean Debian 12 root, so it cannot break unseen.

What it covers, from a fresh copy of the tree (the files git tracks or would
track: no build/, no node_modules, no dist) in debootstrap's minbase root:

- the prerequisites the README names and nothing else: `make` from apt, and
  Node.js 20.19+ with npm, copied from this machine (a fresh Debian 12 has
  only Node.js 18, so the README asks for a newer one; every machine of
  ours has NodeSource's 20), plus the machine's own settings: its trusted
  CAs, npm settings and apt's Acquire settings; no cmocka, no compilers, no -dev packages, no test
  tools, no caches (the engine is built from source again);
- `make run` itself, unchanged: `install-build-deps.sh run` installs the run
  packages with apt-get, `npm ci` the UI's locked packages, the storage
  engine is built from Debian's source package, CMake configures and builds
  without the tests' packages, Vite builds the UI, and creekd starts;
- that the node it starts logs "ready", answers /api/v1/health with status
  "ok", serves the UI's index page and the setup state, and stops cleanly
  on Ctrl-C (SIGINT) with its data kept in .data/node1.

The root shares this machine's network (apt and npm need their registries)
but has its own mount and PID namespaces. It takes several minutes (apt,
engine, C build, npm ci, UI build), so it runs with the package tests.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import debroot  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
READY_TIMEOUT_S = 1500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_tree(dest):
    """The tree as a fresh clone has it (tracked and new, not ignored)."""
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "-co", "--exclude-standard"],
                           capture_output=True, check=True).stdout.split(b"\0")
    for name in files:
        if not name:
            continue
        rel = name.decode()
        src = os.path.join(ROOT, rel)
        if not os.path.lexists(src):  # deleted in the work tree
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, rel), follow_symlinks=False)


def copy_node(root):
    """This machine's Node.js and npm into the root's /usr/local."""
    node = shutil.which("node")
    npm_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(node))), "lib",
                           "node_modules", "npm")
    os.makedirs(os.path.join(root, "usr/local/bin"), exist_ok=True)
    os.makedirs(os.path.join(root, "usr/local/lib/node_modules"), exist_ok=True)
    shutil.copy2(os.path.realpath(node), os.path.join(root, "usr/local/bin/node"))
    shutil.copytree(npm_dir, os.path.join(root, "usr/local/lib/node_modules/npm"), symlinks=True)
    os.symlink("../lib/node_modules/npm/bin/npm-cli.js", os.path.join(root, "usr/local/bin/npm"))
    npmrc = os.path.expanduser("~/.npmrc")
    if os.path.exists(npmrc):  # the machine's npm settings, as a user's would be
        shutil.copy2(npmrc, os.path.join(root, "root/.npmrc"))


def machine_env():
    """This machine's environment as a fresh one of its kind has it: the
    variables that name its CA bundle (this workplace reaches the npm
    registry through an egress proxy with its own CA), nothing else."""
    env = {k: v for k, v in os.environ.items()
           if "CERT" in k or "CA_BUNDLE" in k or k in ("LANG", "CI")}
    env.update(PATH="/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME="/root")
    return env


def copy_trust(root):
    """The machine's trusted CAs: the bundle, and the local CAs that
    update-ca-certificates adds to it when the ca-certificates package is
    installed inside."""
    bundle = "/etc/ssl/certs/ca-certificates.crt"
    if os.path.exists(bundle):
        os.makedirs(os.path.join(root, "etc/ssl/certs"), exist_ok=True)
        shutil.copy2(bundle, os.path.join(root, bundle.lstrip("/")))
    local = "/usr/local/share/ca-certificates"
    if os.path.isdir(local):
        shutil.copytree(local, os.path.join(root, local.lstrip("/")), dirs_exist_ok=True)


def copy_apt_settings(root):
    """The machine's apt settings for its mirror (Acquire::*: this workplace's
    mirror is a dated snapshot whose Release files have expired), as a
    fresh machine of its kind has them."""
    conf = "/etc/apt/apt.conf.d"
    for name in sorted(os.listdir(conf)):
        path = os.path.join(conf, name)
        with open(path, errors="replace") as f:
            if "Acquire::" not in f.read():
                continue
        dest = os.path.join(root, conf.lstrip("/"), name)
        if not os.path.exists(dest):
            shutil.copy2(path, dest)


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read().decode()


@unittest.skipUnless(debroot.available() and shutil.which("node") and shutil.which("git"),
                     "needs root, debootstrap, unshare, node and git")
class MakeRunOnAFreshMachine(unittest.TestCase):
    def setUp(self):
        self.root = debroot.unpack(debroot.tarball(), prefix="creek-fresh-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        shutil.copy2("/etc/resolv.conf", os.path.join(self.root, "etc/resolv.conf"))
        copy_node(self.root)
        copy_trust(self.root)
        copy_apt_settings(self.root)
        copy_tree(os.path.join(self.root, "root/creek"))
        self.log = tempfile.NamedTemporaryFile(prefix="creek-make-run-", suffix=".log",
                                               delete=False, mode="w+")
        self.addCleanup(os.unlink, self.log.name)

    def tail(self, n=6000):
        self.log.flush()
        with open(self.log.name, errors="replace") as f:
            return f.read()[-n:]

    def test_make_run_reaches_ready(self):
        # Nothing of the tests' packages is there.
        out = debroot.run_in(self.root, "command -v cc || true; dpkg -s libcmocka-dev "
                             ">/dev/null 2>&1 && echo cmocka || true; node --version")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertNotIn("cmocka", out.stdout)
        self.assertNotIn("/cc", out.stdout)

        # The user's one prerequisite from apt: make.
        out = debroot.run_in(self.root, "apt-get update -qq && apt-get install -y -qq make",
                             network=True, timeout=600, env=machine_env())
        self.assertEqual(out.returncode, 0, out.stdout[-3000:] + out.stderr[-3000:])

        http, https, cluster = free_port(), free_port(), free_port()
        script = (f"cd /root/creek && exec make run HTTP=127.0.0.1:{http} "
                  f"HTTPS=127.0.0.1:{https} CLUSTER_ADDRESS=127.0.0.1:{cluster}")
        outer = ("mount -t proc proc \"$1/proc\"; mount --bind /dev \"$1/dev\"; "
                 "exec chroot \"$1\" /bin/sh -c \"$2\"")
        proc = subprocess.Popen(
            ["unshare", "--mount", "--pid", "--fork", "sh", "-c", outer, "sh", self.root,
             "PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root; export PATH HOME; "
             + script],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, env=machine_env())
        self.addCleanup(lambda: proc.poll() is None and os.killpg(proc.pid, signal.SIGKILL))

        base = f"http://127.0.0.1:{http}"
        deadline = time.monotonic() + READY_TIMEOUT_S
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, body = get(base + "/api/v1/health")
                if status == 200:
                    health = json.loads(body)
                    break
            except OSError:
                pass
            time.sleep(2)
        self.assertIsNotNone(health, f"make run never answered health (exit {proc.poll()}):\n"
                             + self.tail())
        self.assertEqual(health["status"], "ok", health)
        self.assertIn(" ready: UI and API on http://127.0.0.1:", self.tail(200000))

        status, page = get(base + "/")
        self.assertEqual(status, 200)
        self.assertIn('<div id="app">', page)
        status, body = get(base + "/api/v1/setup")
        self.assertEqual(status, 200, body)

        # Ctrl-C: make and creekd stop, creekd cleanly; the data stays.
        os.killpg(proc.pid, signal.SIGINT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "stopped" not in self.tail(3000):
            time.sleep(0.5)
        self.assertIn("stopped", self.tail(3000))
        proc.wait(timeout=60)
        self.assertTrue(os.path.exists(os.path.join(self.root, "root/creek/.data/node1")))


if __name__ == "__main__":
    unittest.main()
