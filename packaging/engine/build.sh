#!/bin/sh
# packaging/engine/build.sh: build Creek's storage engine from Debian's own
# source package and print the prefix it is installed in.
#
# Debian 12 ships dqlite 1.11.1 with raft 0.15.0, which predate a string of
# safety fixes (Raft "Figure 8", Jepsen-found asserts; ../shared/notes/
# dqlite.md §6). Newer Debian suites carry dqlite 1.18, which bundles its
# own raft (0.18 lineage; 1.18 refuses to link a separate libraft). This
# script:
#   1. derives the archive mirror from this machine's apt configuration
#      (the URI it uses for Debian 12) and writes a temporary deb-src list
#      for newer suites, signed by Debian's archive keyring;
#   2. lets apt fetch and verify the source package (the Release signature
#      and every file's SHA-256, exactly as apt does), and dpkg-source
#      unpack it with Debian's patches;
#   3. applies Creek's patches (packaging/engine/patches/*.patch, each with
#      its reason in its header; today one: raft's AppendEntries messages
#      are bounded in bytes);
#   4. builds a static libdqlite with Debian's hardening flags into a
#      private prefix, which CMake links into creekd (CREEK_ENGINE_PREFIX);
#   5. caches the prefix, keyed by version, Debian release, this script
#      and the patches, so a second run costs nothing.
#
# stdout: the prefix. Progress and errors go to stderr.
# Environment: CREEK_DQLITE_SOURCE_VERSION (default below),
# CREEK_ENGINE_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/creek/engine).
set -eu

version=${CREEK_DQLITE_SOURCE_VERSION:-1.18.7-1}
suites="forky sid trixie"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

say() {
	echo "engine: $*" >&2
}

die() {
	say "$*"
	exit 1
}

patches_dir=$(cd "$(dirname "$0")" && pwd)/patches
script_sum=$(cat "$0" "$patches_dir"/*.patch | sha256sum | cut -c1-16)
# shellcheck disable=SC1091 # the machine's own release file
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
cache=${CREEK_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/creek/engine}
prefix="$cache/dqlite-$version-$codename-$script_sum"

if [ -f "$prefix/.complete" ]; then
	echo "$prefix"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one build at a time; the loser finds the winner's result below
if [ -f "$prefix/.complete" ]; then
	echo "$prefix"
	exit 0
fi

for tool in apt-get dpkg-source autoreconf make cc pkg-config patch; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing (packaging/install-build-deps.sh installs it)"
done
[ -f "$keyring" ] || die "Debian's archive keyring '$keyring' is missing"

# shellcheck disable=SC2016 # $(...) is apt's format syntax, not the shell's
mirror=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 2>/dev/null |
	awk -v c="$codename" '$2 == c { print $1; exit }')
[ -n "$mirror" ] || die "no Debian mirror for '$codename' in this machine's apt sources"

start=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
for s in $suites; do
	echo "deb-src [signed-by=$keyring] $mirror $s main"
done >"$work/sources.list"

apt_opts="-o Dir::Etc::SourceList=$work/sources.list -o Dir::Etc::SourceParts=/dev/null
-o Dir::State::Lists=$work/lists -o Dir::Cache=$work/cache -o Dir::State::status=/dev/null
-o APT::Sandbox::User=root -o Debug::NoLocking=1"

say "fetching dqlite $version sources from $mirror ($suites)"
# shellcheck disable=SC2086 # apt_opts is a list of options
apt-get -q $apt_opts update >&2 || die "apt-get update of the source lists failed"
# shellcheck disable=SC2086
(cd "$work/src" && apt-get -q $apt_opts source "dqlite=$version" >&2) ||
	die "cannot fetch or verify the dqlite $version source package"

src=$(find "$work/src" -maxdepth 1 -type d -name 'dqlite-*' | head -n 1)
[ -n "$src" ] || die "the dqlite source package did not unpack"

patched=""
for p in "$patches_dir"/*.patch; do
	say "applying $(basename "$p")"
	patch -d "$src" -p1 --forward --quiet <"$p" >&2 || die "patch $(basename "$p") does not apply to dqlite $version"
	patched="$patched $(basename "$p" .patch)"
done

say "building $(basename "$src") (static, bundled raft)"
CFLAGS=$(dpkg-buildflags --get CFLAGS)
CPPFLAGS=$(dpkg-buildflags --get CPPFLAGS)
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
export CFLAGS CPPFLAGS LDFLAGS
stage="$work/stage"
(
	cd "$src"
	autoreconf -i >&2
	./configure --prefix="$prefix" --disable-shared --enable-static \
		--enable-build-raft --disable-backtrace >&2
	make -j "$(nproc)" >&2
	make install DESTDIR="$stage" >&2
) || die "building dqlite failed (see the output above)"
rm -rf "$prefix.tmp"
mv "$stage$prefix" "$prefix.tmp"

raft_version=$(awk '/#define RAFT_VERSION_(MAJOR|MINOR|RELEASE)/ { v = v (v == "" ? "" : ".") $3 }
	END { print v }' "$src/src/raft.h")
mkdir -p "$prefix.tmp/share/creek-engine"
echo "$raft_version" >"$prefix.tmp/share/creek-engine/raft-version"
echo "dqlite $version (Debian source, patched:$patched), raft $raft_version (bundled), built on $codename" \
	>"$prefix.tmp/share/creek-engine/build-info"
rm -f "$prefix.tmp"/lib/*.la
rm -rf "$prefix"
mv "$prefix.tmp" "$prefix"
touch "$prefix/.complete"
say "built in $(($(date +%s) - start)) s into $prefix"
echo "$prefix"
