/* tests/bench/bench_storage.c: creek-bench-storage, Creek's storage
 * figures next to in-process SQLite (STYLE.md §11: bench/ prints numbers,
 * outside ctest; tests/bench/README.md says how to read them).
 *
 * One process starts one embedded dqlite node (own temp dir, loopback
 * port, network latency 50 ms as creekd's default) and measures, each for
 * --seconds and repeated --reps times, Creek and SQLite interleaved:
 *   a. single-row INSERT, autocommit (SQLite: NORMAL and FULL sync)
 *   b. rows/s in transactions of 100 rows
 *   c. point SELECT by key
 *   e. many threads writing through the group-commit writer (Creek only)
 * then prints medians, ratios and one "BENCH_JSON {...}" line. */
#include <inttypes.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include "bench.h"
#include "bench_creek.h"
#include "bench_sqlite.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/parse.h"

#define BENCH_MAX_REPS    100
#define BENCH_MAX_SECONDS 600
#define BENCH_DIR_MAX     200

/* Writer keys live far above the client's, in the same table. */
#define BENCH_WRITER_KEY_BASE ((uint64_t)1 << 40)

struct options {
	unsigned seconds;
	unsigned reps;
	unsigned first_rep;
	unsigned threads;
	unsigned latency_ms;
	const char *base_dir;
	bool is_keep;
};

enum metric_id {
	M_CREEK_INSERT,
	M_SQLITE_INSERT,
	M_SQLITE_INSERT_FULL,
	M_CREEK_TX,
	M_SQLITE_TX,
	M_CREEK_SELECT,
	M_SQLITE_SELECT,
	N_METRICS,
};

struct metric {
	const char *json;  /* key prefix in BENCH_JSON */
	const char *label; /* progress lines */
	bool is_creek;
	bool is_full_sync;
	bench_op_fn op;
};

static const struct metric METRICS[N_METRICS] = {
	[M_CREEK_INSERT] = { "creek_insert", "Creek  INSERT autocommit", true, false,
			     bench_client_insert },
	[M_SQLITE_INSERT] = { "sqlite_insert", "SQLite INSERT autocommit NORMAL", false, false,
			      bench_sqlite_insert },
	[M_SQLITE_INSERT_FULL] = { "sqlite_insert_full", "SQLite INSERT autocommit FULL", false,
				   true, bench_sqlite_insert },
	[M_CREEK_TX] = { "creek_tx100", "Creek  tx of 100 rows", true, false, bench_client_tx },
	[M_SQLITE_TX] = { "sqlite_tx100", "SQLite tx of 100 rows NORMAL", false, false,
			  bench_sqlite_tx },
	[M_CREEK_SELECT] = { "creek_select", "Creek  point SELECT", true, false,
			     bench_client_select },
	[M_SQLITE_SELECT] = { "sqlite_select", "SQLite point SELECT", false, false,
			      bench_sqlite_select },
};

/* Within a group Creek and SQLite alternate; odd reps run a group backwards. */
static const enum metric_id GROUP_INSERT[] = { M_CREEK_INSERT, M_SQLITE_INSERT,
					       M_SQLITE_INSERT_FULL };
static const enum metric_id GROUP_TX[] = { M_CREEK_TX, M_SQLITE_TX };
static const enum metric_id GROUP_SELECT[] = { M_CREEK_SELECT, M_SQLITE_SELECT };

struct bench {
	struct options opt;
	char dir[BENCH_DIR_MAX + 32];
	struct bench_node node;
	struct bench_client client;
	struct bench_sqlite sqlite;
	uint64_t writer_next_key;
	unsigned n_done; /* reps completed */
	struct bench_result results[N_METRICS][BENCH_MAX_REPS];
	struct bench_writer_result writer[BENCH_MAX_REPS];
};

/* ---- options ---- */

static void usage(FILE *to)
{
	fprintf(to, "Usage: creek-bench-storage [--seconds N] [--reps N] [--threads N]\n"
		    "         [--latency-ms N] [--first-rep N] [--dir PATH] [--keep]\n"
		    "  --seconds N     time per workload and rep (default 3)\n"
		    "  --reps N        repetitions, medians are reported (default 3)\n"
		    "  --threads N     writer callers in workload e (default 8)\n"
		    "  --latency-ms N  dqlite network latency (default 50, creekd's)\n"
		    "  --first-rep N   number of the first rep; odd reps run SQLite first\n"
		    "                  (run.sh runs one rep per process; default 0)\n"
		    "  --dir PATH      where the temp data dir is made (default /tmp)\n"
		    "  --keep          keep the data dir\n");
}

static int option_u32(const char *name, const char *value, uint32_t min, uint32_t max,
		      unsigned *out)
{
	struct cr_err err = { 0 };
	uint32_t v = 0;

	if (value == NULL || cr_parse_u32(value, max, &v, &err) < 0 || v < min) {
		fprintf(stderr, "creek-bench-storage: %s expects a number from %u to %u\n", name,
			min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){
		.seconds = 3, .reps = 3, .threads = 8, .latency_ms = 50, .base_dir = "/tmp"
	};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;

		if (strcmp(a, "--keep") == 0) {
			o->is_keep = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 1;
		}
		if (strcmp(a, "--seconds") == 0)
			rc = option_u32(a, v, 1, BENCH_MAX_SECONDS, &o->seconds);
		else if (strcmp(a, "--reps") == 0)
			rc = option_u32(a, v, 1, BENCH_MAX_REPS, &o->reps);
		else if (strcmp(a, "--threads") == 0)
			rc = option_u32(a, v, 1, 256, &o->threads);
		else if (strcmp(a, "--latency-ms") == 0)
			rc = option_u32(a, v, 1, 10000, &o->latency_ms);
		else if (strcmp(a, "--first-rep") == 0)
			rc = option_u32(a, v, 0, 1000000, &o->first_rep);
		else if (strcmp(a, "--dir") == 0 && v != NULL && strlen(v) < BENCH_DIR_MAX)
			o->base_dir = v;
		else
			rc = -1;
		if (rc < 0) {
			usage(stderr);
			return -1;
		}
		i++;
	}
	return 0;
}

/* ---- set-up ---- */

static const char *fs_name(const char *dir)
{
	struct statfs st;

	if (statfs(dir, &st) < 0)
		return "unknown";
	if (st.f_type == EXT4_SUPER_MAGIC)
		return "ext4";
	if (st.f_type == TMPFS_MAGIC)
		return "tmpfs: fsync costs nothing here, durable figures are not real";
	if (st.f_type == XFS_SUPER_MAGIC)
		return "xfs";
	if (st.f_type == BTRFS_SUPER_MAGIC)
		return "btrfs";
	return "other";
}

static int setup(struct bench *b, struct cr_err *err)
{
	char path[sizeof(b->dir) + 32];
	int rc;

	(void)snprintf(b->dir, sizeof(b->dir), "%s/creek-bench-XXXXXX", b->opt.base_dir);
	if (mkdtemp(b->dir) == NULL)
		return cr_err_set(err, CR_EINVAL, "cannot make a temp dir under '%s'",
				  b->opt.base_dir);
	(void)snprintf(path, sizeof(path), "%s/node", b->dir);
	rc = bench_node_start(&b->node, path, b->opt.latency_ms, err);
	if (rc < 0)
		return cr_err_wrap(err, "dqlite node");
	rc = bench_client_init(&b->client, &b->node, err);
	if (rc < 0)
		return cr_err_wrap(err, "client");
	(void)snprintf(path, sizeof(path), "%s/sqlite.db", b->dir);
	rc = bench_sqlite_open(&b->sqlite, path, err);
	if (rc < 0)
		return rc;
	b->writer_next_key = BENCH_WRITER_KEY_BASE;
	return 0;
}

static void teardown(struct bench *b)
{
	bench_client_close(&b->client);
	bench_node_stop(&b->node);
	bench_sqlite_close(&b->sqlite);
	if (b->dir[0] != '\0' && !b->opt.is_keep)
		bench_remove_tree(b->dir);
	else if (b->dir[0] != '\0')
		printf("data kept in %s\n", b->dir);
}

static void print_header(const struct bench *b)
{
	printf("creek-bench-storage: Creek storage client vs in-process SQLite\n");
	printf("  node:  one embedded dqlite %s node (raft %s) at %s, network latency %u ms,\n"
	       "         snapshots 1024/2048 (creekd's defaults), data in %s (%s)\n",
	       storage_engine_dqlite_version(), storage_engine_raft_version(), b->node.address,
	       b->opt.latency_ms, b->dir, fs_name(b->dir));
	printf("  sqlite: SQLite %s in-process, WAL, one connection, file in the same dir\n",
	       sqlite3_libversion());
	printf("  rows:  key %d bytes, value %d bytes of text, like dqlite-benchmark's kvwrite;\n"
	       "         \"%s\",\n         \"%s\"\n",
	       BENCH_KEY_LEN, BENCH_VALUE_LEN, BENCH_SQL_INSERT, BENCH_SQL_SELECT);
	printf("  runs:  %u s per workload, %u rep(s), Creek and SQLite interleaved (odd reps\n"
	       "         run SQLite first); figures are medians over reps\n\n",
	       b->opt.seconds, b->opt.reps);
}

/* ---- one rep ---- */

static int run_metric(struct bench *b, enum metric_id id, unsigned rep, struct cr_err *err)
{
	const struct metric *m = &METRICS[id];
	struct bench_result *r = &b->results[id][rep];
	void *ctx = m->is_creek ? (void *)&b->client : (void *)&b->sqlite;
	int rc = 0;

	if (m->is_full_sync)
		rc = bench_sqlite_set_full_sync(&b->sqlite, true, err);
	if (rc == 0)
		rc = bench_measure(m->label, m->op, ctx, b->opt.seconds, r, err);
	if (rc == 0 && m->is_full_sync)
		rc = bench_sqlite_set_full_sync(&b->sqlite, false, err);
	if (rc < 0)
		return cr_err_wrap(err, "%s", m->label);
	printf("  rep %u  %-32s %10.0f rows/s  p50 %8.3f ms  p99 %8.3f ms  errors %" PRIu64 "\n",
	       b->opt.first_rep + rep + 1, m->label, r->rows_per_s, r->p50_ms, r->p99_ms,
	       r->n_errors);
	(void)fflush(stdout);
	return 0;
}

static int run_group(struct bench *b, const enum metric_id *ids, unsigned n, unsigned rep,
		     struct cr_err *err)
{
	bool is_reversed = (b->opt.first_rep + rep) % 2 == 1;

	for (unsigned k = 0; k < n; k++) {
		int rc = run_metric(b, ids[is_reversed ? n - 1 - k : k], rep, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int run_writer(struct bench *b, unsigned rep, struct cr_err *err)
{
	struct bench_writer_result *w = &b->writer[rep];
	int rc = bench_writer_measure(b->node.store, b->opt.threads, b->opt.seconds,
				      &b->writer_next_key, w, err);

	if (rc < 0)
		return cr_err_wrap(err, "writer");
	printf("  rep %u  %-32s %10.0f jobs/s  %.0f commits/s  %.1f jobs/commit  p50 %.3f ms  "
	       "p99 %.3f ms  errors %" PRIu64 "\n",
	       b->opt.first_rep + rep + 1, "Creek  group-commit writer", w->jobs_per_s,
	       w->commits_per_s, w->jobs_per_commit, w->p50_ms, w->p99_ms, w->n_errors);
	(void)fflush(stdout);
	return 0;
}

#define N_OF(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

static int run_rep(struct bench *b, unsigned rep, struct cr_err *err)
{
	uint64_t n_readable;
	int rc = run_group(b, GROUP_INSERT, N_OF(GROUP_INSERT), rep, err);

	if (rc == 0)
		rc = run_group(b, GROUP_TX, N_OF(GROUP_TX), rep, err);
	/* Both tables hold keys 0 .. n - 1: read among those both have. */
	n_readable = b->client.n_keys < b->sqlite.n_keys ? b->client.n_keys : b->sqlite.n_keys;
	b->client.n_readable = n_readable;
	b->sqlite.n_readable = n_readable;
	if (rc == 0)
		rc = run_group(b, GROUP_SELECT, N_OF(GROUP_SELECT), rep, err);
	if (rc == 0)
		rc = run_writer(b, rep, err);
	return rc;
}

/* ---- report ---- */

struct summary {
	double rows_per_s;
	double ops_per_s;
	double p50_ms;
	double p99_ms;
	uint64_t n_errors; /* summed over reps */
};

static void summarize(const struct bench *b, enum metric_id id, struct summary *out)
{
	double v[4][BENCH_MAX_REPS];
	unsigned n = b->n_done;

	memset(out, 0, sizeof(*out));
	for (unsigned r = 0; r < n; r++) {
		const struct bench_result *res = &b->results[id][r];
		v[0][r] = res->rows_per_s;
		v[1][r] = res->ops_per_s;
		v[2][r] = res->p50_ms;
		v[3][r] = res->p99_ms;
		out->n_errors += res->n_errors;
	}
	out->rows_per_s = bench_median(v[0], n);
	out->ops_per_s = bench_median(v[1], n);
	out->p50_ms = bench_median(v[2], n);
	out->p99_ms = bench_median(v[3], n);
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void print_row(const char *label, const struct summary *creek, const char *lite_mode,
		      const struct summary *lite)
{
	printf("%-36s %9.0f %8.3f %8.3f   %-6s %9.0f %8.3f %8.3f   %8.4f\n", label,
	       creek->rows_per_s, creek->p50_ms, creek->p99_ms, lite_mode, lite->rows_per_s,
	       lite->p50_ms, lite->p99_ms, ratio(creek->rows_per_s, lite->rows_per_s));
}

static void print_table(const struct bench *b, struct summary *s)
{
	for (unsigned id = 0; id < N_METRICS; id++)
		summarize(b, (enum metric_id)id, &s[id]);
	printf("\nMedians of %u rep(s) x %u s. Ratio = Creek rows/s / SQLite rows/s (above 1\n"
	       "means Creek is faster). Latency is per call: one row, or one whole tx of 100.\n\n",
	       b->n_done, b->opt.seconds);
	printf("%-36s %-27s   %-35s   %8s\n", "", "Creek client (wire)", "SQLite 3 in-process",
	       "ratio");
	printf("%-36s %9s %8s %8s   %-6s %9s %8s %8s   %8s\n", "workload", "rows/s", "p50 ms",
	       "p99 ms", "sync", "rows/s", "p50 ms", "p99 ms", "Creek/SQ");
	print_row("a. INSERT 1 row, autocommit", &s[M_CREEK_INSERT], "NORMAL", &s[M_SQLITE_INSERT]);
	print_row("   same, vs SQLite synchronous=FULL", &s[M_CREEK_INSERT], "FULL",
		  &s[M_SQLITE_INSERT_FULL]);
	print_row("b. tx of 100 rows (latency per tx)", &s[M_CREEK_TX], "NORMAL", &s[M_SQLITE_TX]);
	print_row("c. point SELECT by key", &s[M_CREEK_SELECT], "NORMAL", &s[M_SQLITE_SELECT]);
	printf("errors (all workloads, all reps): Creek %" PRIu64 ", SQLite %" PRIu64 "\n",
	       s[M_CREEK_INSERT].n_errors + s[M_CREEK_TX].n_errors + s[M_CREEK_SELECT].n_errors,
	       s[M_SQLITE_INSERT].n_errors + s[M_SQLITE_INSERT_FULL].n_errors +
		   s[M_SQLITE_TX].n_errors + s[M_SQLITE_SELECT].n_errors);
	printf("sync NORMAL = WAL + synchronous=NORMAL: no fsync at commit (a crash may lose the\n"
	       "last commits). FULL = fsync of the WAL at every commit: the durability of a\n"
	       "dqlite commit, whose Raft log entry is on disk before COMMIT answers.\n");
}

static void summarize_writer(const struct bench *b, struct bench_writer_result *out)
{
	double v[6][BENCH_MAX_REPS];
	unsigned n = b->n_done;

	memset(out, 0, sizeof(*out));
	out->n_threads = b->opt.threads;
	for (unsigned r = 0; r < n; r++) {
		const struct bench_writer_result *w = &b->writer[r];
		v[0][r] = w->commits_per_s;
		v[1][r] = w->jobs_per_commit;
		v[2][r] = w->jobs_per_s;
		v[3][r] = w->p50_ms;
		v[4][r] = w->p99_ms;
		v[5][r] = (double)w->n_calls / w->elapsed_s;
		out->n_calls += w->n_calls;
		out->n_errors += w->n_errors;
		out->retries += w->retries;
		out->unknown += w->unknown;
	}
	out->commits_per_s = bench_median(v[0], n);
	out->jobs_per_commit = bench_median(v[1], n);
	out->jobs_per_s = bench_median(v[2], n);
	out->p50_ms = bench_median(v[3], n);
	out->p99_ms = bench_median(v[4], n);
	out->calls_per_s = bench_median(v[5], n);
}

static void print_writer(const struct bench_writer_result *w)
{
	printf("\ne. group-commit writer: %u caller threads, each looping on storage_exec() of\n"
	       "   \"%s\" (1 KiB row)\n   through the store's writer (Creek only: no SQLite "
	       "equivalent)\n",
	       w->n_threads, BENCH_SQL_INSERT);
	printf("   %10s %11s %9s %9s %11s %11s %7s %7s %7s\n", "commits/s", "jobs/commit", "jobs/s",
	       "calls/s", "call p50 ms", "call p99 ms", "errors", "retries", "unknown");
	printf("   %10.0f %11.1f %9.0f %9.0f %11.3f %11.3f %7" PRIu64 " %7" PRIu64 " %7" PRIu64
	       "\n",
	       w->commits_per_s, w->jobs_per_commit, w->jobs_per_s, w->calls_per_s, w->p50_ms,
	       w->p99_ms, w->n_errors, w->retries, w->unknown);
	printf("   (medians of reps; errors, retries, unknown: sums over reps. A job is one\n"
	       "   call: its INSERT runs in its own SAVEPOINT inside the shared transaction.)\n");
}

static void print_json(const struct bench *b, const struct summary *s,
		       const struct bench_writer_result *w)
{
	printf("BENCH_JSON {\"tool\":\"creek-bench-storage\",\"seconds\":%u,\"reps\":%u,"
	       "\"key_bytes\":%d,\"value_bytes\":%d,\"latency_ms\":%u,\"dqlite\":\"%s\","
	       "\"sqlite\":\"%s\"",
	       b->opt.seconds, b->n_done, BENCH_KEY_LEN, BENCH_VALUE_LEN, b->opt.latency_ms,
	       storage_engine_dqlite_version(), sqlite3_libversion());
	for (unsigned id = 0; id < N_METRICS; id++)
		printf(",\"%s_rows_per_s\":%.1f,\"%s_ops_per_s\":%.1f,\"%s_p50_ms\":%.4f,"
		       "\"%s_p99_ms\":%.4f,\"%s_errors\":%" PRIu64,
		       METRICS[id].json, s[id].rows_per_s, METRICS[id].json, s[id].ops_per_s,
		       METRICS[id].json, s[id].p50_ms, METRICS[id].json, s[id].p99_ms,
		       METRICS[id].json, s[id].n_errors);
	printf(",\"ratio_insert\":%.4f,\"ratio_insert_full\":%.4f,\"ratio_tx100\":%.4f,"
	       "\"ratio_select\":%.4f",
	       ratio(s[M_CREEK_INSERT].rows_per_s, s[M_SQLITE_INSERT].rows_per_s),
	       ratio(s[M_CREEK_INSERT].rows_per_s, s[M_SQLITE_INSERT_FULL].rows_per_s),
	       ratio(s[M_CREEK_TX].rows_per_s, s[M_SQLITE_TX].rows_per_s),
	       ratio(s[M_CREEK_SELECT].rows_per_s, s[M_SQLITE_SELECT].rows_per_s));
	printf(",\"writer_threads\":%u,\"writer_commits_per_s\":%.1f,"
	       "\"writer_jobs_per_commit\":%.2f,\"writer_jobs_per_s\":%.1f,"
	       "\"writer_calls_per_s\":%.1f,\"writer_p50_ms\":%.4f,\"writer_p99_ms\":%.4f,"
	       "\"writer_errors\":%" PRIu64 ",\"writer_retries\":%" PRIu64
	       ",\"writer_unknown\":%" PRIu64 "}\n",
	       w->n_threads, w->commits_per_s, w->jobs_per_commit, w->jobs_per_s, w->calls_per_s,
	       w->p50_ms, w->p99_ms, w->n_errors, w->retries, w->unknown);
}

int main(int argc, char **argv)
{
	struct bench *b = cr_calloc(1, sizeof(*b));
	struct summary s[N_METRICS];
	struct bench_writer_result w;
	struct cr_err err = { 0 };
	int rc = parse_options(argc, argv, &b->opt);

	if (rc != 0) {
		free(b);
		return rc < 0 ? 2 : 0;
	}
	cr_log_configure(NULL, NULL, CR_LOG_WARN);
	rc = setup(b, &err);
	if (rc == 0)
		print_header(b);
	for (unsigned rep = 0; rc == 0 && rep < b->opt.reps; rep++) {
		rc = run_rep(b, rep, &err);
		if (rc == 0)
			b->n_done++;
	}
	if (rc < 0)
		fprintf(stderr, "creek-bench-storage: %s\n", err.msg);
	if (b->n_done > 0) {
		print_table(b, s);
		summarize_writer(b, &w);
		print_writer(&w);
		print_json(b, s, &w);
	}
	teardown(b);
	free(b);
	return rc < 0 ? 1 : 0;
}
