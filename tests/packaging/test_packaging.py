"""The packages and the systemd unit, checked as IT will meet them.

- creekd.service: `systemd-analyze verify` prints nothing; the offline
  security exposure is at most 2.0.
- The .rpm: file list, dependencies, scripts, conffile, signature, rpmlint.
- The .deb, from the offline bundle alone, in a clean Debian 12 root made
  by debootstrap, with no network inside: install, start, health answers,
  upgrade keeps the data, remove keeps it, purge deletes it.

Packages come from build/package (tests/run-all.sh runs packaging/package.sh
first). The debootstrap root comes from tests/lib/debroot.py (cached in
~/.cache/creek/debootstrap).
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import debroot  # noqa: E402
from creek import BUILD, ROOT  # noqa: E402

PKG = os.path.join(ROOT, "build", "package")
UNIT = os.path.join(ROOT, "systemd", "creekd.service")
MAX_EXPOSURE = 2.0


def one(pattern):
    found = glob.glob(os.path.join(PKG, pattern))
    if len(found) != 1:
        raise AssertionError(f"expected one {pattern} in {PKG} (run packaging/package.sh): {found}")
    return found[0]


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=kw.pop("timeout", 600),
                          **kw)


@unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is missing")
class SystemdUnit(unittest.TestCase):
    def unit_for_this_build(self, tmp):
        # verify needs ExecStart's binary to exist: point it at the build.
        with open(UNIT) as f:
            text = f.read().replace("/usr/bin/creekd", os.path.join(BUILD, "creekd"))
        path = os.path.join(tmp, "creekd.service")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_verify_prints_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = run("systemd-analyze", "verify", self.unit_for_this_build(tmp))
        # verify exits 0 even on misspelled keys: any output is a failure.
        self.assertEqual(out.stdout + out.stderr, "")
        self.assertEqual(out.returncode, 0)

    def test_verify_would_catch_a_misspelled_key(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = self.unit_for_this_build(tmp)
            with open(path, "a") as f:
                f.write("NoNewPrivilegs=yes\n")
            out = run("systemd-analyze", "verify", path)
        self.assertIn("NoNewPrivilegs", out.stdout + out.stderr)

    def test_security_exposure_is_at_most_2(self):
        out = run("systemd-analyze", "security", "--offline=yes", UNIT)
        m = re.search(r"Overall exposure level for creekd\.service: (\d+\.\d+) (\w+)", out.stdout)
        self.assertIsNotNone(m, out.stdout + out.stderr)
        exposure = float(m.group(1))
        print(f"\n    systemd-analyze security: {exposure} {m.group(2)}", file=sys.stderr)
        self.assertLessEqual(exposure, MAX_EXPOSURE)


@unittest.skipUnless(shutil.which("rpm"), "rpm is missing")
class RpmPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rpm = one("creek-*.x86_64.rpm")

    def test_contents(self):
        files = set(run("rpm", "-qpl", self.rpm).stdout.split())
        for path in ("/usr/bin/creekd", "/usr/bin/creekctl", "/etc/creek/creek.conf",
                     "/usr/lib/systemd/system/creekd.service", "/usr/lib/sysusers.d/creek.conf",
                     "/usr/lib/tmpfiles.d/creek.conf", "/usr/share/creek/ui/index.html",
                     "/usr/share/doc/creek/install.md"):
            self.assertIn(path, files)
        # It must not own directories of the base system.
        for path in ("/usr/bin", "/etc", "/usr/lib/systemd/system", "/usr/share/doc"):
            self.assertNotIn(path, files)
        self.assertEqual(run("rpm", "-qpc", self.rpm).stdout.split(), ["/etc/creek/creek.conf"])
        # Not relocatable: no install prefixes.
        self.assertEqual(run("rpm", "-qp", "--queryformat", "[%{PREFIXES}]", self.rpm).stdout, "")

    def test_dependencies_are_distribution_libraries_only(self):
        requires = run("rpm", "-qpR", self.rpm).stdout
        for need in ("libuv.so.1", "libmicrohttpd.so.12", "libjansson.so.4", "libsqlite3.so.0",
                     "libzip.so.4", "libexpat.so.1", "libunistring.so.2", "systemd"):
            self.assertIn(need, requires)
        # The engine is linked in: no dependency on any dqlite or raft library.
        self.assertNotIn("dqlite", requires)
        self.assertNotIn("raft", requires)

    def test_scripts_create_the_account_and_never_delete_data(self):
        scripts = run("rpm", "-qp", "--scripts", self.rpm).stdout
        self.assertIn("systemd-sysusers /usr/lib/sysusers.d/creek.conf", scripts)
        self.assertIn("systemctl try-restart creekd.service", scripts)
        self.assertNotIn("/var/lib/creek", scripts.replace("# /var/lib/creek", ""))

    def test_signature_verifies_with_the_archive_key(self):
        with tempfile.TemporaryDirectory() as db:
            key = os.path.join(db, "key.asc")
            gnupg = os.path.join(PKG, "gnupg")
            subprocess.run(["gpg", "--batch", "--armor", "--export", "-o", key],
                           env={**os.environ, "GNUPGHOME": gnupg}, check=True,
                           capture_output=True)
            self.assertEqual(run("rpmkeys", "--dbpath", db, "--import", key).returncode, 0)
            out = run("rpmkeys", "--dbpath", db, "--checksig", self.rpm)
        self.assertIn("signatures OK", out.stdout)

    @unittest.skipUnless(shutil.which("rpmlint"), "rpmlint is missing")
    def test_rpmlint_finds_no_errors(self):
        out = run("rpmlint", self.rpm)
        errors = [l for l in out.stdout.splitlines() if ": E: " in l]
        # unknown-key: the key is not in this machine's rpm database; the
        # signature is checked against it in the test above.
        errors = [l for l in errors if "E: unknown-key" not in l]
        self.assertEqual(errors, [], out.stdout)


@unittest.skipUnless(shutil.which("dpkg-deb"), "dpkg-deb is missing")
class DebPackage(unittest.TestCase):
    def test_dependencies_name_the_shared_libraries(self):
        # From dpkg-shlibdeps (CPACK_DEBIAN_PACKAGE_SHLIBDEPS): lib/xlsx*.c
        # links libzip and expat, lib/text.c libunistring (Unicode NFC).
        depends = run("dpkg-deb", "-f", one("creek_*_amd64.deb"), "Depends").stdout
        for need in ("libzip4", "libexpat1", "libunistring2", "systemd"):
            self.assertIn(need, depends)


@unittest.skipUnless(debroot.available(), "needs root, debootstrap and unshare")
class DebInCleanDebianRoot(unittest.TestCase):
    """One Debian 12 root goes through the package's whole life."""

    @classmethod
    def setUpClass(cls):
        cls.bundle = one("creek-offline-*-bookworm-amd64.tar.gz")
        cls.deb = one("creek_*_amd64.deb")
        cls.root = debroot.unpack(debroot.tarball())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def in_root(self, script, timeout=300):
        """Run script in the root: own mount, PID and network namespaces,
        only a loopback interface: no network at all."""
        return debroot.run_in(self.root, script, timeout=timeout)

    def start_and_health(self):
        """Start creekd as the service account, wait for health, stop it."""
        script = r"""
setpriv --reuid=creek --regid=creek --clear-groups \
    /usr/bin/creekd --config /etc/creek/creek.conf --foreground >/tmp/creekd.log 2>&1 &
pid=$!
i=0
until creekctl status >/dev/null 2>&1; do
  i=$((i+1)); [ $i -lt 200 ] || { cat /tmp/creekd.log; exit 1; }; sleep 0.1
done
creekctl --json status
kill -TERM $pid; wait $pid
"""
        out = self.in_root(script)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return json.loads(out.stdout)

    def exists(self, path):
        return os.path.lexists(os.path.join(self.root, path.lstrip("/")))

    def test_lifecycle(self):
        # Install from the bundle alone.
        shutil.copy(self.bundle, os.path.join(self.root, "root"))
        name = os.path.basename(self.bundle)
        out = self.in_root(f"cd /root && tar xzf {name} && sh {name[:-7]}/install.sh")
        self.assertEqual(out.returncode, 0, out.stdout[-4000:] + out.stderr[-4000:])
        self.assertIn("is installed", out.stdout)
        # Enabled for boot (started too where systemd runs; not in this root).
        self.assertTrue(self.exists("/etc/systemd/system/multi-user.target.wants/creekd.service"))
        health = self.start_and_health()
        self.assertEqual(health["status"], "ok")
        self.assertEqual(health["node"]["starts"], 1)
        node_id = health["node"]["id"]
        stat = os.stat(os.path.join(self.root, "var/lib/creek/store/node-info"))
        self.assertNotEqual(stat.st_uid, 0, "the store must belong to the creek account")

        # Upgrade to a newer build: data and config kept.
        with open(os.path.join(self.root, "etc/creek/creek.conf"), "a") as f:
            f.write("# kept across upgrades\n")
        newer = self.rebuild_with_version("+upgradetest1")
        shutil.copy(newer, os.path.join(self.root, "root", "creek-newer.deb"))
        out = self.in_root("apt-get install -y /root/creek-newer.deb")
        self.assertEqual(out.returncode, 0, out.stdout[-4000:] + out.stderr[-4000:])
        out = self.in_root("dpkg-query -W -f='${Version}' creek")
        self.assertTrue(out.stdout.endswith("+upgradetest1"), out.stdout)
        with open(os.path.join(self.root, "etc/creek/creek.conf")) as f:
            self.assertIn("# kept across upgrades", f.read())
        health = self.start_and_health()
        self.assertEqual(health["node"]["starts"], 2)
        self.assertEqual(health["node"]["id"], node_id)

        # Port in use: one clear line, nothing lost; fixed, it starts again.
        out = self.in_root(r"""
/usr/bin/creekd --data-dir /tmp/blocker --cluster-address 127.0.0.1:9555 \
    --http 127.0.0.1:8080 --ui-dir /nonexistent >/dev/null 2>&1 &
i=0; until creekctl status >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 200 ] || exit 9; sleep 0.1; done
set +e
setpriv --reuid=creek --regid=creek --clear-groups \
    /usr/bin/creekd --config /etc/creek/creek.conf --foreground
echo "status $?"
""")
        self.assertIn("creekd: cannot listen for HTTP on '127.0.0.1:8080'", out.stderr)
        self.assertIn("status 1", out.stdout)
        self.assertTrue(self.exists("/var/lib/creek/store/node-info"))
        self.assertEqual(self.start_and_health()["node"]["starts"], 3)

        # A partial install (unpacked, never configured) is finished by
        # `dpkg --configure -a`, data kept.
        out = self.in_root("dpkg --unpack /root/creek-newer.deb && dpkg-query -W -f='${Status}' creek")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("unpacked", out.stdout)
        out = self.in_root("dpkg --configure -a && dpkg-query -W -f='${Status}' creek")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("install ok installed", out.stdout)
        self.assertEqual(self.start_and_health()["node"]["starts"], 4)

        # Remove: data and config stay.
        out = self.in_root("apt-get remove -y creek")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertFalse(self.exists("/usr/bin/creekd"))
        self.assertTrue(self.exists("/var/lib/creek/store/node-info"))
        self.assertTrue(self.exists("/etc/creek/creek.conf"))

        # Purge: both go.
        out = self.in_root("dpkg --purge creek")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertFalse(self.exists("/var/lib/creek"))
        self.assertFalse(self.exists("/etc/creek"))
        self.assertFalse(self.exists("/etc/systemd/system/multi-user.target.wants/creekd.service"))

    def rebuild_with_version(self, suffix):
        """The same package under a higher version: the upgrade path
        (scripts, conffile, restart) is what is tested."""
        work = tempfile.mkdtemp(prefix="creek-repack-")
        try:
            subprocess.run(["dpkg-deb", "-R", self.deb, os.path.join(work, "p")], check=True)
            control = os.path.join(work, "p", "DEBIAN", "control")
            with open(control) as f:
                text = f.read()
            text = re.sub(r"^Version: (.*)$", lambda m: f"Version: {m.group(1)}{suffix}", text,
                          flags=re.M)
            with open(control, "w") as f:
                f.write(text)
            out = os.path.join(tempfile.gettempdir(), f"creek-upgrade{suffix}.deb")
            subprocess.run(["dpkg-deb", "-b", "--root-owner-group", os.path.join(work, "p"), out],
                           check=True, capture_output=True)
            return out
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
