#!/bin/bash
# tests/bench/run.sh: the one command that runs Creek's benchmarks and
# prints their figures (tests/bench/README.md says how to read them).
#
#   1. storage: creek-bench-storage (Creek's wire client on an embedded dqlite
#      node, next to in-process SQLite), interleaved rep by rep with
#      dqlite-benchmark (go-dqlite's own client on its own 1-node dqlite:
#      kvwrite and kvreadwrite, 1 worker);
#   2. HTTP: wrk against a real creekd (GET /api/v1/health) and nginx-light
#      serving the same JSON as a static file, c=64 and c=1000, interleaved.
#
# Usage: tests/bench/run.sh [--quick] [--seconds N] [--reps N] [--keep]
#   BUILD_DIR (default: <repo>/build) is built first if needed.
# Every process it starts is stopped on exit; temp files go to one
# mktemp dir, removed on exit unless --keep.
set -eu

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build}
RUN_SECONDS=3
REPS=3
KEEP=0
NGINX_WORKERS=1 # the P1 anchor in the performance notes is nginx with 1 worker

usage() {
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) RUN_SECONDS=1 ;;
	--seconds)
		RUN_SECONDS=${2:?--seconds needs a value}
		shift
		;;
	--reps)
		REPS=${2:?--reps needs a value}
		shift
		;;
	--keep) KEEP=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
	shift
done
case "$RUN_SECONDS$REPS" in
*[!0-9]*)
	echo "run.sh: --seconds and --reps take whole numbers" >&2
	exit 2
	;;
esac

WORK=$(mktemp -d /tmp/creek-bench-run.XXXXXX)
PIDS=""

# Stop what we started (by pid, never by name), then drop the temp dir.
cleanup() {
	local pid
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $PIDS; do
		wait "$pid" 2>/dev/null || true
	done
	if [ "$KEEP" = 1 ]; then
		echo "logs and data kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
	local pid kept=""
	for pid in $PIDS; do
		[ "$pid" = "$1" ] || kept="$kept $pid"
	done
	PIDS=$kept
}

# run_tracked NAME OUT ERR CMD...: run CMD in the background (so the exit
# trap can stop it) with stdout to OUT and stderr to ERR, wait for it, and
# stop the whole run, showing both, if it fails.
run_tracked() {
	local name=$1 out=$2 err=$3 pid rc=0
	shift 3
	if [ "$err" = "$out" ]; then
		"$@" >"$out" 2>&1 &
	else
		"$@" >"$out" 2>"$err" &
	fi
	pid=$!
	PIDS="$PIDS $pid"
	wait "$pid" || rc=$?
	forget_pid "$pid"
	if [ "$rc" != 0 ]; then
		cat "$out" >&2
		[ "$err" = "$out" ] || cat "$err" >&2
		echo "run.sh: $name failed ($rc)" >&2
		exit 1
	fi
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# A TCP port on 127.0.0.1 that nothing uses, below the ephemeral range
# (32768+) so that wrk's own client sockets cannot take it.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		if [ -z "$(ss -Htan "( sport = :$p )")" ]; then
			echo "$p"
			return
		fi
	done
}

# Median of the numbers on stdin ("-" when there are none).
median() {
	sort -g | awk '{ a[NR] = $1 }
		END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2];
		      else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# a / b with 3 decimals, "-" if either is missing or b is 0.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-";
		else printf "%.3f\n", a / b }'
}

# Value of "key" in every BENCH_JSON line of a file, one per line.
json_values() {
	sed -n 's/^BENCH_JSON .*"'"$2"'":\([-0-9.e+]*\)[,}].*/\1/p' "$1"
}

# A text value of "key" in the first BENCH_JSON line of a file.
json_text() {
	sed -n 's/^BENCH_JSON .*"'"$2"'":"\([^"]*\)".*/\1/p' "$1" | head -1
}

wait_http_200() {
	local url=$1 tries=0
	until [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)" = 200 ]; do
		tries=$((tries + 1))
		if [ "$tries" -gt 150 ]; then
			echo "run.sh: $url did not answer 200 within 30 s" >&2
			return 1
		fi
		sleep 0.2
	done
}

# ---- build ----

build() {
	if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
		cmake -S "$SRC_DIR" -B "$BUILD_DIR" -DCREEK_TESTS=ON >"$WORK/cmake.log"
	fi
	if ! cmake --build "$BUILD_DIR" -j2 --target creekd creek-bench-storage \
		>"$WORK/build.log" 2>&1; then
		cat "$WORK/build.log" >&2
		echo "run.sh: build failed" >&2
		exit 1
	fi
}

# ---- storage: Creek's client and go-dqlite's, interleaved ----

run_creek_storage() {
	local rep=$1 log="$WORK/storage-$1.log"
	run_tracked creek-bench-storage "$log" "$WORK/storage-$rep.err" \
		"$BUILD_DIR/tests/bench/creek-bench-storage" --seconds "$RUN_SECONDS" --reps 1 \
		--first-rep "$((rep - 1))" --dir "$WORK"
	grep '^  rep ' "$log"
	if [ -s "$WORK/storage-$rep.err" ]; then
		sed 's/^/  stderr: /' "$WORK/storage-$rep.err"
	fi
	grep '^BENCH_JSON ' "$log" >>"$WORK/storage.json"
}

# Per-worker result file of dqlite-benchmark -> one line:
# "ops_per_s p50_ms p99_ms n_err ops_per_s_of_own_time".
# The file: "n N", "n_err N", avg/max/min, "measurements ..." then one
# "<start ns> <ms>" line per successful call, then "errors" and one line each.
upstream_stats() {
	local file=$1 lat="$WORK/lat.tmp" n n_err p50 p99 own
	awk '/^measurements/ { on = 1; next } /^errors/ { on = 0 }
		on && NF == 2 { print $2 }' "$file" | sort -g >"$lat"
	n=$(awk '$1 == "n" { print $2; exit }' "$file")
	n_err=$(awk '$1 == "n_err" { print $2; exit }' "$file")
	p50=$(awk -v p=0.50 '{ a[NR] = $1 } END { r = int(p * NR); if (r < p * NR) r++;
		if (r < 1) r = 1; print (NR ? a[r] : "-") }' "$lat")
	p99=$(awk -v p=0.99 '{ a[NR] = $1 } END { r = int(p * NR); if (r < p * NR) r++;
		if (r < 1) r = 1; print (NR ? a[r] : "-") }' "$lat")
	own=$(awk '{ s += $1 } END { print (s > 0 ? NR / (s / 1000) : "-") }' "$lat")
	echo "$(awk -v n="$n" -v d="$RUN_SECONDS" 'BEGIN { printf "%.1f", n / d }') $p50 $p99 $n_err $own"
}

run_upstream() {
	local rep=$1 workload=$2 port dir kind file stats
	port=$(free_port)
	dir="$WORK/dqlite-benchmark-$workload-$rep"
	run_tracked "dqlite-benchmark $workload" "$dir.log" "$dir.log" \
		dqlite-benchmark -d "127.0.0.1:$port" --driver --cluster "127.0.0.1:$port" -D "$dir" \
		--duration "$RUN_SECONDS" --workers 1 -w "$workload"
	for kind in exec query; do
		for file in "$dir/127.0.0.1:$port/results/0-$kind-"*; do
			[ -f "$file" ] || continue
			stats=$(upstream_stats "$file")
			echo "$workload $kind $stats" >>"$WORK/upstream.txt"
			awk -v w="$workload $kind rep $rep:" '/^errors/ { on = 1; next }
				on && NF > 0 { $1 = ""; print w $0 }' "$file" >>"$WORK/upstream-errors.txt"
			printf '  rep %s  %-32s %s\n' "$rep" "go-dqlite $workload $kind" \
				"$(echo "$stats" | awk '{ printf "%10.0f ops/s   p50 %8.3f ms  p99 %8.3f ms  errors %s", $1, $2, $3, $4 }')"
		done
	done
	rm -rf "$dir"
}

storage_section() {
	local rep
	echo "== 1. Storage: Creek client vs in-process SQLite vs go-dqlite (${REPS} reps x ${RUN_SECONDS} s)"
	: >"$WORK/storage.json"
	: >"$WORK/upstream.txt"
	: >"$WORK/upstream-errors.txt"
	for rep in $(seq 1 "$REPS"); do
		if [ $((rep % 2)) = 1 ]; then
			run_creek_storage "$rep"
		fi
		if have dqlite-benchmark; then
			run_upstream "$rep" kvwrite
			run_upstream "$rep" kvreadwrite
		fi
		if [ $((rep % 2)) = 0 ]; then
			run_creek_storage "$rep"
		fi
	done
	print_storage_table
	if have dqlite-benchmark; then
		print_upstream_table
	else
		echo "(dqlite-benchmark not installed: apt-get install go-dqlite; comparison skipped)"
	fi
}

# Median over reps of a BENCH_JSON key.
sm() {
	json_values "$WORK/storage.json" "$1" | median
}

# Sum over reps of a BENCH_JSON key.
ssum() {
	json_values "$WORK/storage.json" "$1" | awk '{ s += $1 } END { print s + 0 }'
}

print_storage_row() {
	local label=$1 creek=$2 mode=$3 lite=$4
	printf '%-36s %9.0f %8.3f %8.3f   %-6s %9.0f %8.3f %8.3f   %8s\n' "$label" \
		"$(sm "${creek}_rows_per_s")" "$(sm "${creek}_p50_ms")" "$(sm "${creek}_p99_ms")" \
		"$mode" "$(sm "${lite}_rows_per_s")" "$(sm "${lite}_p50_ms")" "$(sm "${lite}_p99_ms")" \
		"$(ratio "$(sm "${creek}_rows_per_s")" "$(sm "${lite}_rows_per_s")")"
}

print_storage_table() {
	local creek_err lite_err
	echo
	echo "Storage, medians of $REPS reps x $RUN_SECONDS s; rows: key 32 B + value 1 KiB text (dqlite-benchmark kvwrite shape)."
	echo "Creek = Creek's C wire client, one connection, on an embedded dqlite $(json_text "$WORK/storage.json" dqlite) node"
	echo "(network latency 50 ms, as creekd)."
	echo "SQLite = the same statements in-process, WAL. Ratio = Creek rows/s / SQLite rows/s (above 1: Creek faster)."
	printf '%-36s %-27s   %-35s   %8s\n' "" "Creek client (wire)" "SQLite 3 in-process" "ratio"
	printf '%-36s %9s %8s %8s   %-6s %9s %8s %8s   %8s\n' workload rows/s "p50 ms" "p99 ms" \
		sync rows/s "p50 ms" "p99 ms" Creek/SQ
	print_storage_row "a. INSERT 1 row, autocommit" creek_insert NORMAL sqlite_insert
	print_storage_row "   same, vs SQLite synchronous=FULL" creek_insert FULL sqlite_insert_full
	print_storage_row "b. tx of 100 rows (latency per tx)" creek_tx100 NORMAL sqlite_tx100
	print_storage_row "c. point SELECT by key" creek_select NORMAL sqlite_select
	creek_err=$(($(ssum creek_insert_errors) + $(ssum creek_tx100_errors) +
		$(ssum creek_select_errors)))
	lite_err=$(($(ssum sqlite_insert_errors) + $(ssum sqlite_insert_full_errors) +
		$(ssum sqlite_tx100_errors) + $(ssum sqlite_select_errors)))
	echo "errors (all reps): Creek $creek_err, SQLite $lite_err"
	echo "sync NORMAL: no fsync at commit (may lose the last commits on a crash); FULL: fsync per"
	echo "commit, the durability a dqlite commit has (Raft log entry on disk before COMMIT answers)."
	echo
	echo "e. group-commit writer, $(sm writer_threads) caller threads, storage_exec(INSERT 1 KiB row) each:"
	printf '   %10s %11s %9s %11s %11s %7s %7s %7s\n' commits/s jobs/commit jobs/s \
		"call p50 ms" "call p99 ms" errors retries unknown
	printf '   %10.0f %11.1f %9.0f %11.3f %11.3f %7s %7s %7s\n' "$(sm writer_commits_per_s)" \
		"$(sm writer_jobs_per_commit)" "$(sm writer_jobs_per_s)" "$(sm writer_p50_ms)" \
		"$(sm writer_p99_ms)" "$(ssum writer_errors)" "$(ssum writer_retries)" \
		"$(ssum writer_unknown)"
}

# Median over reps of a column of upstream.txt for one workload and kind.
um() {
	awk -v w="$1" -v k="$2" -v c="$3" '$1 == w && $2 == k { print $c }' "$WORK/upstream.txt" |
		median
}

# A number for a table: no decimals from 100 up, 3 below ("-" stays).
num() {
	awk -v v="$1" 'BEGIN { if (v == "-") print v; else if (v + 0 >= 100) printf "%.0f\n", v;
		else printf "%.3f\n", v }'
}

print_compare_row() {
	local label=$1 creek=$2 go=$3
	printf '%-50s %10s %10s %9s\n' "$label" "$(num "$creek")" "$(num "$go")" \
		"$(ratio "$creek" "$go")"
}

print_upstream_table() {
	local version creek_engine go_engine
	version=$(dpkg-query -W -f '${Version}' go-dqlite 2>/dev/null || echo "?")
	go_engine=$(dpkg-query -W -f '${Version}' libdqlite0 2>/dev/null || echo "?")
	creek_engine=$(json_text "$WORK/storage.json" dqlite)
	echo
	echo "Creek's C client (engine: dqlite $creek_engine) vs go-dqlite $version (dqlite-benchmark,"
	echo "engine: Debian libdqlite0 $go_engine), each on its own embedded 1-node cluster, 1 worker ="
	echo "1 connection, key 32 B + value 1 KiB, medians of $REPS interleaved reps."
	case "$go_engine" in
	"$creek_engine"*) ;;
	*) echo "NOTE: the two engines differ, so this compares clients *and* engines." ;;
	esac
	echo "go-dqlite runs its own defaults (no network-latency setting); it sends EXEC_SQL with the"
	echo "parameters, Creek a prepared statement (EXEC). Ratio = Creek / go: for ops/s above 1 means"
	echo "Creek faster, for latencies below 1 means Creek faster."
	printf '%-50s %10s %10s %9s\n' figure Creek go-dqlite Creek/go
	print_compare_row "kvwrite: writes/s (INSERT OR REPLACE, autocommit)" \
		"$(sm creek_insert_rows_per_s)" "$(um kvwrite exec 3)"
	print_compare_row "kvwrite: write p50 ms" "$(sm creek_insert_p50_ms)" "$(um kvwrite exec 4)"
	print_compare_row "kvwrite: write p99 ms" "$(sm creek_insert_p99_ms)" "$(um kvwrite exec 5)"
	print_compare_row "kvreadwrite: point reads per s of read time" \
		"$(sm creek_select_rows_per_s)" "$(um kvreadwrite query 7)"
	print_compare_row "kvreadwrite: read p50 ms" "$(sm creek_select_p50_ms)" \
		"$(um kvreadwrite query 4)"
	print_compare_row "kvreadwrite: read p99 ms" "$(sm creek_select_p99_ms)" \
		"$(um kvreadwrite query 5)"
	print_compare_row "kvreadwrite: write p50 ms (mixed run)" "$(sm creek_insert_p50_ms)" \
		"$(um kvreadwrite exec 4)"
	echo "go-dqlite kvreadwrite as run (50/50 mix, 1 worker): $(um kvreadwrite query 3) reads/s +" \
		"$(um kvreadwrite exec 3) writes/s; errors: kvwrite $(awk '$1 == "kvwrite" { s += $6 }
		END { print s + 0 }' "$WORK/upstream.txt"), kvreadwrite $(awk '$1 == "kvreadwrite" {
		s += $6 } END { print s + 0 }' "$WORK/upstream.txt")"
	echo "(\"per s of read time\" = reads / time spent in reads: what one connection doing only"
	echo "reads would reach; Creek's figure is workload c, a pure point-read loop.)"
	if [ -s "$WORK/upstream-errors.txt" ]; then
		echo "go-dqlite errors (first 5, as its result files give them):"
		head -5 "$WORK/upstream-errors.txt" | sed 's/^/  /'
	fi
}

# ---- HTTP: creekd vs nginx under wrk ----

start_creekd() {
	CREEKD_PORT=$(free_port)
	local cluster_port
	cluster_port=$(free_port)
	mkdir -p "$WORK/creekd/data" "$WORK/creekd/ui"
	# wrk's 1,000 connections all come from 127.0.0.1, like a proxy's:
	# no per-address limit (docs/running.md), so the figures stay comparable.
	"$BUILD_DIR/creekd" --data-dir "$WORK/creekd/data" --http "127.0.0.1:$CREEKD_PORT" \
		--cluster-address "127.0.0.1:$cluster_port" --ui-dir "$WORK/creekd/ui" \
		--http-max-connections-per-address 0 --foreground >"$WORK/creekd.log" 2>&1 &
	CREEKD_PID=$!
	PIDS="$PIDS $CREEKD_PID"
	CREEKD_URL="http://127.0.0.1:$CREEKD_PORT/api/v1/health"
	wait_http_200 "$CREEKD_URL"
}

# nginx-light with its own prefix, config, pid and logs under $WORK/nginx,
# serving creekd's own health answer as a static file with the same
# security headers, so both answers have about the same size on the wire.
start_nginx() {
	local ngx="$WORK/nginx" port
	port=$(free_port)
	mkdir -p "$ngx/www" "$ngx/tmp"
	chmod 711 "$WORK" "$ngx" # nginx workers run as nobody
	chmod 755 "$ngx/www"
	curl -s "$CREEKD_URL" >"$ngx/www/health.json"
	chmod 644 "$ngx/www/health.json"
	cat >"$ngx/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile 16384;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 8192; }
http {
	access_log off;
	server_tokens off;
	client_body_temp_path $ngx/tmp/body;
	proxy_temp_path $ngx/tmp/proxy;
	fastcgi_temp_path $ngx/tmp/fastcgi;
	uwsgi_temp_path $ngx/tmp/uwsgi;
	scgi_temp_path $ngx/tmp/scgi;
	keepalive_requests 10000000;
	keepalive_timeout 60s;
	default_type application/json;
	server {
		listen 127.0.0.1:$port backlog=1024;
		root $ngx/www;
		location = /health.json {
			add_header Content-Security-Policy "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
			add_header X-Content-Type-Options nosniff;
			add_header X-Frame-Options DENY;
			add_header Referrer-Policy same-origin;
			add_header Cross-Origin-Opener-Policy same-origin;
			add_header Cross-Origin-Resource-Policy same-origin;
			add_header Permissions-Policy "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()";
			add_header Cache-Control no-store;
		}
	}
}
EOF
	nginx -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" -g 'daemon off;' \
		>"$ngx/stdout.log" 2>&1 &
	NGINX_PID=$!
	PIDS="$PIDS $NGINX_PID"
	NGINX_URL="http://127.0.0.1:$port/health.json"
	wait_http_200 "$NGINX_URL"
}

fd_count() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# wrk output -> "req_per_s p50_ms p99_ms socket_errors non_2xx"
wrk_parse() {
	awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
			if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
		/^Requests\/sec:/ { rps = $2 }
		$1 == "50%" { p50 = ms($2) }
		$1 == "99%" { p99 = ms($2) }
		/Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx responses:/ { bad = $NF }
		END { printf "%s %.3f %.3f %d %d\n", (rps == "" ? "-" : rps), p50, p99, err, bad }' "$1"
}

run_wrk() {
	local rep=$1 target=$2 conns=$3 url=$4 out="$WORK/wrk-$2-$3-$1.txt"
	run_tracked wrk "$out" "$out" wrk -t2 -c"$conns" -d"${RUN_SECONDS}s" --latency "$url"
	echo "$target $conns $(wrk_parse "$out")" >>"$WORK/http.txt"
	printf '  rep %s  %-7s c=%-5s %s\n' "$rep" "$target" "$conns" \
		"$(tail -1 "$WORK/http.txt" | cut -d' ' -f3- | awk '{ printf "%10.0f req/s  p50 %8.3f ms  p99 %8.3f ms  socket errors %s  non-2xx %s", $1, $2, $3, $4, $5 }')"
}

# The c=1000 creekd run, with its descriptors counted before, right after,
# and once settled (up to 5 s), and a health probe after it.
run_creekd_c1000() {
	local rep=$1 before after settled tries=0 code
	before=$(fd_count "$CREEKD_PID")
	run_wrk "$rep" creekd 1000 "$CREEKD_URL"
	after=$(fd_count "$CREEKD_PID")
	settled=$after
	while [ "$settled" -gt "$before" ] && [ "$tries" -lt 25 ]; do
		sleep 0.2
		tries=$((tries + 1))
		settled=$(fd_count "$CREEKD_PID")
	done
	code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$CREEKD_URL" || true)
	echo "$rep $before $after $settled $code" >>"$WORK/fds.txt"
	echo "         creekd fds: before $before, right after $after, settled $settled; health after: $code"
}

http_rep() {
	local rep=$1 conns
	for conns in 64 1000; do
		if [ $((rep % 2)) = 0 ]; then
			run_wrk "$rep" nginx "$conns" "$NGINX_URL"
		fi
		if [ "$conns" = 1000 ]; then
			run_creekd_c1000 "$rep"
		else
			run_wrk "$rep" creekd "$conns" "$CREEKD_URL"
		fi
		if [ $((rep % 2)) = 1 ]; then
			run_wrk "$rep" nginx "$conns" "$NGINX_URL"
		fi
	done
}

hm() {
	awk -v t="$1" -v c="$2" -v col="$3" '$1 == t && $2 == c { print $col }' "$WORK/http.txt" |
		median
}

hsum() {
	awk -v t="$1" -v c="$2" -v col="$3" '$1 == t && $2 == c { s += $col } END { print s + 0 }' \
		"$WORK/http.txt"
}

print_http_table() {
	local conns target label
	echo
	echo "HTTP, wrk -t2 -d${RUN_SECONDS}s --latency, keep-alive, medians of $REPS interleaved reps (wrk on the same 2 cores)."
	echo "creekd GET /api/v1/health is NOT a static answer: each request borrows a store connection"
	echo "and makes 2 round trips to the dqlite node (SELECT 1, CLUSTER)."
	echo "nginx ($NGINX_WORKERS worker) serves the same JSON body as a file with the same security headers."
	echo "Sizes (headers + body bytes): creekd $(curl -s -o /dev/null -w '%{size_header} + %{size_download}' "$CREEKD_URL"), nginx $(curl -s -o /dev/null -w '%{size_header} + %{size_download}' "$NGINX_URL")"
	printf '%-8s %6s %10s %9s %9s %8s %8s %14s\n' target conns req/s "p50 ms" "p99 ms" \
		"sock err" non-2xx "creekd/nginx"
	for conns in 64 1000; do
		for target in creekd nginx; do
			label=""
			if [ "$target" = nginx ]; then
				label=$(ratio "$(hm creekd "$conns" 3)" "$(hm nginx "$conns" 3)")
			fi
			printf '%-8s %6s %10.0f %9.3f %9.3f %8s %8s %14s\n' "$target" "$conns" \
				"$(hm "$target" "$conns" 3)" "$(hm "$target" "$conns" 4)" \
				"$(hm "$target" "$conns" 5)" "$(hsum "$target" "$conns" 6)" \
				"$(hsum "$target" "$conns" 7)" "$label"
		done
	done
	echo "(creekd/nginx = ratio of median req/s; sock err and non-2xx are sums over reps;"
	echo " p99 creekd/nginx at c=64: $(ratio "$(hm creekd 64 5)" "$(hm nginx 64 5)"), at c=1000: $(ratio "$(hm creekd 1000 5)" "$(hm nginx 1000 5)"))"
	awk '{ printf "creekd fds around c=1000, rep %s: before %s, right after %s, settled %s; health after the run: %s\n", $1, $2, $3, $4, $5 }' "$WORK/fds.txt"
}

http_section() {
	local rep warnings
	echo
	echo "== 2. HTTP: creekd vs nginx-light ($REPS reps x $RUN_SECONDS s, c=64 and c=1000)"
	if ! have wrk || ! have nginx; then
		echo "(wrk or nginx not installed: apt-get install wrk nginx-light; HTTP section skipped)"
		return
	fi
	# c=1000 needs more descriptors than the usual 1024; the hard limit may
	# be below 65536 (then we take the hard limit).
	if ulimit -n 65536 2>/dev/null; then
		echo "open-file limit for creekd, nginx and wrk: $(ulimit -n)"
	else
		ulimit -n "$(ulimit -Hn)"
		echo "open-file limit for creekd, nginx and wrk: $(ulimit -n) (65536 refused: hard limit)"
	fi
	: >"$WORK/http.txt"
	: >"$WORK/fds.txt"
	start_creekd
	start_nginx
	for rep in $(seq 1 "$REPS"); do
		http_rep "$rep"
	done
	print_http_table
	if ! kill -0 "$CREEKD_PID" 2>/dev/null; then
		echo "ANOMALY: creekd exited during the run; its log:"
		tail -20 "$WORK/creekd.log"
	fi
	warnings=$(grep -c -E ' (warning|error) ' "$WORK/creekd.log" || true)
	echo "creekd log: $warnings warning/error lines"
	if [ "$warnings" -gt 0 ]; then
		grep -E ' (warning|error) ' "$WORK/creekd.log" | sort | uniq -c | sort -rn | head -5
	fi
}

main() {
	local start
	start=$(date +%s)
	echo "Creek benchmarks: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, build $BUILD_DIR," \
		"$RUN_SECONDS s per run, $REPS reps"
	build
	storage_section
	http_section
	echo
	echo "total time: $(($(date +%s) - start)) s"
}

main
