#!/bin/sh
# tests/run-all.sh: every test Creek has, in the order that fails fastest.
# Called by `make test` after the dependencies are installed. Each step
# prints its name and duration; the first failure stops the run.
#
#   1. formatting (clang-format, shellcheck, ESLint/Prettier)
#   2. release, AddressSanitizer+UBSan and ThreadSanitizer builds
#   3. C unit tests (real dqlite nodes) under them
#   4. integration, interop and HTTP tests against the sanitized creekd
#   5. web UI unit tests and build
#   6. browser test in headless Chromium against a real creekd
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
	(cd web/ui && npm run --silent lint && npm run --silent lint:ui-test)
}

build() {
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j "$jobs"
	cmake -S . -B build-asan -DCREEK_SANITIZE=ON >/dev/null
	cmake --build build-asan -j "$jobs"
	# ThreadSanitizer covers the thread hand-offs: pool and writer.
	cmake -S . -B build-tsan -DCREEK_TSAN=ON >/dev/null
	cmake --build build-tsan -j "$jobs" --target test_writer test_conn
}

unit_tests() {
	ctest --test-dir build --output-on-failure -j "$jobs"
	ctest --test-dir build-asan --output-on-failure -j "$jobs"
	TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure \
		-R '^(test_writer|test_conn)$'
}

process_tests() {
	CREEK_BUILD="$root/build-asan" python3 -m unittest discover -s tests/integration -t tests/integration -v
	CREEK_BUILD="$root/build-asan" python3 -m unittest discover -s tests/api -t tests/api -v
}

ui_unit_tests() {
	(cd web/ui && npm test --silent && npm run --silent build)
}

browser_test() {
	tmp=$(mktemp -d)
	port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	cport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	build/creekd --foreground --data-dir "$tmp/data" --http "127.0.0.1:$port" \
		--cluster-address "127.0.0.1:$cport" --ui-dir "$root/web/ui/dist" >"$tmp/creekd.log" 2>&1 &
	pid=$!
	status=0
	CREEK_URL="http://127.0.0.1:$port" CREEK_ARTIFACTS="$artifacts" \
		node tests/ui/health.test.mjs || status=$?
	kill -TERM "$pid"
	wait "$pid" || status=$?
	if [ "$status" -ne 0 ]; then
		cat "$tmp/creekd.log"
	fi
	rm -rf "$tmp"
	return "$status"
}

step "formatting and lint" check_format
step "build (release, ASan+UBSan, TSan)" build
step "C unit tests (release, ASan+UBSan, TSan)" unit_tests
step "creekd integration and HTTP tests (ASan+UBSan creekd)" process_tests
step "web UI unit tests and build" ui_unit_tests
step "browser test (headless Chromium)" browser_test
echo "All tests passed."
