"""A clean Debian 12 root for tests: debootstrap's minbase, cached as a
tarball in ~/.cache/creek/debootstrap, unpacked fresh for each test class.

    tarball = debroot.tarball()          # debootstrap once, then cached
    root = debroot.unpack(tarball)       # a new directory holding "/"
    out = debroot.run_in(root, "apt-get update", network=True)

run_in() enters the root with its own mount and PID namespaces (proc and
/dev mounted inside, gone when it exits); with network=False it also gets
its own network namespace with only a loopback interface, so nothing inside
can reach the outside. Needs root, debootstrap and unshare.
"""

import os
import shutil
import subprocess
import tempfile

CACHE = os.path.join(os.path.expanduser("~"), ".cache", "creek", "debootstrap")


def available():
    """Whether this machine can make and enter roots."""
    return os.geteuid() == 0 and bool(shutil.which("debootstrap")) and bool(shutil.which("unshare"))


def mirror():
    """The Debian 12 mirror this machine's apt uses."""
    out = subprocess.run(["apt-get", "indextargets", "--format", "$(REPO_URI) $(CODENAME)"],
                         capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        uri, _, codename = line.partition(" ")
        if codename == "bookworm":
            return uri
    raise AssertionError("no Debian 12 mirror in this machine's apt sources")


def tarball():
    """The minbase root as a tarball, made by debootstrap on first use."""
    path = os.path.join(CACHE, "bookworm-minbase.tar")
    if os.path.exists(path):
        return path
    os.makedirs(CACHE, exist_ok=True)
    root = tempfile.mkdtemp(prefix="creek-debootstrap-")
    os.chmod(root, 0o755)
    try:
        out = subprocess.run(["debootstrap", "--variant=minbase", "bookworm", root, mirror()],
                             capture_output=True, text=True, timeout=1200)
        if out.returncode != 0:
            raise AssertionError(f"debootstrap failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}")
        subprocess.run(["tar", "-C", root, "-cf", path + ".tmp", "."], check=True)
        os.rename(path + ".tmp", path)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return path


def unpack(tar, prefix="creek-root-"):
    """A new directory holding the root; the caller removes it."""
    root = tempfile.mkdtemp(prefix=prefix)
    subprocess.run(["tar", "-C", root, "-xf", tar], check=True)
    os.chmod(root, 0o755)  # it is "/" inside: mkdtemp (and the tar's ".") made it 0700
    return root


def run_in(root, script, network=False, timeout=300, stdout=None, env=None):
    """Run the shell script inside root and return the CompletedProcess.
    stdout: a file to write the script's output to (then .stdout is None);
    env: the environment (default: this process's)."""
    outer = ("set -e; " + ("" if network else "ip link set lo up; ") +
             "mount -t proc proc \"$1/proc\"; mount --bind /dev \"$1/dev\"; "
             "exec chroot \"$1\" /bin/sh -c \"$2\"")
    flags = ["--mount", "--pid", "--fork"] + ([] if network else ["--net"])
    env_script = "PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; HOME=/root; export PATH HOME; "
    kw = {"stdout": stdout, "stderr": subprocess.STDOUT} if stdout else {"capture_output": True}
    return subprocess.run(["unshare", *flags, "sh", "-c", outer, "sh", root, env_script + script],
                          text=True, timeout=timeout, env=env, **kw)
