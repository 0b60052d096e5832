#!/bin/sh
# packaging/install-build-deps.sh: install what building, running or
# testing Creek needs on Debian 12, and only what is missing.
#
#   packaging/install-build-deps.sh run    # build and run one node
#   packaging/install-build-deps.sh test   # also everything the tests use
#
# Needs root (or sudo) only when something is missing. Then installs the
# web UI's npm packages from package-lock.json (npm ci) if they changed.
set -eu

mode=${1:-run}
root=$(cd "$(dirname "$0")/.." && pwd)

# The storage engine is built from Debian's dqlite source package
# (packaging/engine/build.sh): dpkg-dev, autotools and liblz4-dev for that;
# libdqlite-dev/libraft-dev (1.11/0.15) stay for the compatibility tests.
run_pkgs="cmake gcc make pkg-config libuv1-dev libmicrohttpd-dev libjansson-dev libssl-dev
libsystemd-dev libcurl4-openssl-dev libsqlite3-dev liblz4-dev libzip-dev zlib1g-dev libexpat1-dev libunistring-dev dpkg-dev
autoconf automake libtool debian-archive-keyring ca-certificates curl"

test_pkgs="cppcheck libdqlite-dev libraft-dev libcmocka-dev go-dqlite python3 iproute2 chromium fonts-noto-cjk clang-format
shellcheck clang-tidy wrk slowhttptest sslscan nginx-light nftables rpm rpmlint apt-utils debootstrap gnupg fakeroot
systemd util-linux"

pkgs=$run_pkgs
if [ "$mode" = test ]; then
	pkgs="$run_pkgs $test_pkgs"
fi

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "Installing Debian packages:$missing"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo="sudo"
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# shellcheck disable=SC2086 # the package list is meant to split
	$sudo apt-get install -y -qq --no-install-recommends $missing
fi

# The UI build needs Node.js 20.19 or newer (Vite 7).
if ! command -v node >/dev/null 2>&1; then
	echo "Node.js is missing: install Node.js 20.19 or newer (and npm), then rerun." >&2
	exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
	echo "Node.js $(node --version) is too old: the UI build needs 20.19 or newer." >&2
	exit 1
fi

# npm ci only when package-lock.json changed since the last install.
ui="$root/web/ui"
stamp="$ui/node_modules/.creek-lock-stamp"
if [ ! -f "$stamp" ] || ! cmp -s "$ui/package-lock.json" "$stamp"; then
	echo "Installing the web UI's npm packages (npm ci)"
	(cd "$ui" && npm ci --no-audit --no-fund)
	cp "$ui/package-lock.json" "$stamp"
fi
