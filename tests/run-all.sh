#!/bin/sh
# tests/run-all.sh: every test Creek has, in the order that fails fastest.
# Called by `make test` after the dependencies are installed. Each step
# prints its name and duration; the first failure stops the run.
#
#   1. formatting and static checks (clang-format, shellcheck, cppcheck,
#      ESLint/Prettier, tests/static: include arrows, layers, sizes)
#   2. the storage engine (cached), then release, AddressSanitizer+UBSan and
#      ThreadSanitizer builds, and a build against Debian 12's dqlite 1.11;
#      clang-tidy (.clang-tidy) on every product C file
#   3. C unit tests (real dqlite nodes) under them
#   4. integration, interop and HTTP tests against the sanitized creekd
#   5. web UI unit tests and build
#   6. browser test in headless Chromium against a real creekd
#   7. packages: build them, check the unit and the .rpm, and take the .deb
#      through install/upgrade/remove/purge in a debootstrap root; and
#      `make run` from a fresh copy of the tree in another clean root
#      (tests/packaging/test_run_path.py)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
artifacts=${CREEK_ARTIFACTS:-$root/build/test-artifacts}
mkdir -p "$artifacts"

step() {
	name=$1
	shift
	echo "==> $name"
	start=$(date +%s)
	"$@"
	echo "<== $name: ok ($(($(date +%s) - start)) s)"
}

check_format() {
	git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror
	git ls-files '*.sh' | xargs shellcheck
	shellcheck packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm .ci/run
	cppcheck --quiet --enable=warning,portability --inline-suppr --error-exitcode=1 -I. \
		lib storage core web node cluster
	(cd web/ui && npm run --silent lint && npm run --silent lint:ui-test)
	# Checks that read the source: include arrows, layers, sizes.
	python3 -m unittest discover -s tests/static -t tests/static
}

engine=$(packaging/engine/build.sh)
CREEK_EXPECT_DQLITE=$(PKG_CONFIG_PATH="$engine/lib/pkgconfig" pkg-config --modversion dqlite)
CREEK_EXPECT_RAFT=$(cat "$engine/share/creek-engine/raft-version")
export CREEK_EXPECT_DQLITE CREEK_EXPECT_RAFT
echo "storage engine: dqlite $CREEK_EXPECT_DQLITE, raft $CREEK_EXPECT_RAFT ($engine)"

build() {
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCREEK_ENGINE_PREFIX="$engine" -DCREEK_TESTS=ON >/dev/null
	cmake --build build -j "$jobs"
	cmake -S . -B build-asan -DCREEK_SANITIZE=ON -DCREEK_ENGINE_PREFIX="$engine" -DCREEK_TESTS=ON >/dev/null
	cmake --build build-asan -j "$jobs"
	# ThreadSanitizer covers the thread hand-offs: pool, writer, TLS splices.
	cmake -S . -B build-tsan -DCREEK_TSAN=ON -DCREEK_ENGINE_PREFIX="$engine" -DCREEK_TESTS=ON >/dev/null
	cmake --build build-tsan -j "$jobs" --target test_writer test_conn test_cluster_tls test_ambiguous_commit test_workers
	# The storage client must keep working against Debian 12's dqlite 1.11.
	cmake -S . -B build-dqlite111 -DCREEK_ENGINE_PREFIX= -DCREEK_TESTS=ON >/dev/null
	cmake --build build-dqlite111 -j "$jobs" --target test_conn test_writer test_migrate test_ambiguous_commit test_leader_change
}

# clang-tidy with the root .clang-tidy (STYLE.md §12) on every product C
# file, against the release build's compile_commands.json, one process per
# core, one file per process (clang-tidy 14 carries va_list state from
# one file into the next and then reports vsnprintf falsely); any finding
# fails the run.
static_analysis() {
	# Each file's output is printed only when it has findings ("N warnings
	# generated" counts what the checks left out).
	# shellcheck disable=SC2016 # $1 and $out belong to the inner shell
	git ls-files 'lib/*.c' 'storage/*.c' 'core/*.c' 'web/*.c' 'node/*.c' 'cluster/*.c' |
		xargs -P "$jobs" -I{} sh -c \
			'out=$(clang-tidy -p build --quiet "$1" 2>&1) || { printf "%s\n" "$out"; exit 1; }' \
			sh {}
}

unit_tests() {
	ctest --test-dir build --output-on-failure -j "$jobs"
	ctest --test-dir build-asan --output-on-failure -j "$jobs"
	TSAN_OPTIONS="halt_on_error=1 suppressions=$root/tests/tsan.supp" ctest --test-dir build-tsan --output-on-failure \
		-R '^(test_writer|test_conn|test_cluster_tls|test_ambiguous_commit|test_workers)$'
	ctest --test-dir build-dqlite111 --output-on-failure -R '^(test_conn|test_writer|test_migrate|test_ambiguous_commit|test_leader_change)$'
}

process_tests() {
	CREEK_BUILD="$root/build-asan" python3 -m unittest discover -s tests/integration -t tests/integration -v
	CREEK_BUILD="$root/build-asan" python3 -m unittest discover -s tests/api -t tests/api -v
}

cluster_tests() {
	# Real clusters of ASan+UBSan creekd processes; the partition test runs
	# each node in a network namespace of its own (root, iproute2, nftables).
	# test_faults.py measures how long writes stop: on the release build.
	CREEK_BUILD="$root/build-asan" CREEK_TIMING_BUILD="$root/build" \
		python3 -m unittest discover -s tests/cluster -t tests/cluster -v
}

ui_unit_tests() {
	(cd web/ui && npm test --silent && npm run --silent build)
}

packages() {
	packaging/package.sh
	python3 -m unittest discover -s tests/packaging -t tests/packaging -v
}

browser_test() {
	tmp=$(mktemp -d)
	port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	cport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	build/creekd --foreground --data-dir "$tmp/data" --http "127.0.0.1:$port" --https off \
		--cluster-address "127.0.0.1:$cport" --ui-dir "$root/web/ui/dist" >"$tmp/creekd.log" 2>&1 &
	pid=$!
	status=0
	# identity first: it sets the fresh node up through the setup page; the
	# others sign in as the account it made (forms also picks a member it added).
	CREEK_URL="http://127.0.0.1:$port" CREEK_ARTIFACTS="$artifacts" CREEK_DATA_DIR="$tmp/data" \
		node tests/ui/identity.test.mjs || status=$?
	CREEK_URL="http://127.0.0.1:$port" CREEK_ARTIFACTS="$artifacts" CREEK_DATA_DIR="$tmp/data" \
		node tests/ui/first-screen.test.mjs || status=$?
	CREEK_URL="http://127.0.0.1:$port" CREEK_ARTIFACTS="$artifacts" CREEK_DATA_DIR="$tmp/data" \
		node tests/ui/forms.test.mjs || status=$?
	CREEK_URL="http://127.0.0.1:$port" CREEK_ARTIFACTS="$artifacts" CREEK_DATA_DIR="$tmp/data" \
		node tests/ui/health.test.mjs || status=$?
	CREEK_URL="http://127.0.0.1:$port" CREEK_ARTIFACTS="$artifacts" CREEK_DATA_DIR="$tmp/data" \
		node tests/ui/cluster.test.mjs || status=$?
	kill -TERM "$pid"
	wait "$pid" || status=$?
	if [ "$status" -ne 0 ]; then
		cat "$tmp/creekd.log"
	fi
	rm -rf "$tmp"
	return "$status"
}

step "formatting and lint" check_format
step "build (release, ASan+UBSan, TSan, dqlite 1.11)" build
step "static analysis (clang-tidy)" static_analysis
step "C unit tests (release, ASan+UBSan, TSan, dqlite 1.11)" unit_tests
step "creekd integration and HTTP tests (ASan+UBSan creekd)" process_tests
step "cluster tests: 3 and 5 real nodes, faults, partitions (ASan+UBSan creekd)" cluster_tests
step "web UI unit tests and build" ui_unit_tests
step "browser test (headless Chromium)" browser_test
step "packages: .deb, .rpm, offline bundle; unit checks; install in a clean Debian 12 root" packages
echo "All tests passed."
