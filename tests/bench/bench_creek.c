/* tests/bench/bench_creek.c: Creek's storage workloads; see bench_creek.h.
 * Everything here goes through Creek's own wire client (storage/conn.c)
 * to a dqlite node in this process, over loopback TCP as creekd does. */
#include "bench_creek.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

/* creekd's defaults (node/config.c): snapshot-threshold, snapshot-trailing,
 * store-timeout, write-timeout (also the pool's acquire timeout), write-batch. */
#define BENCH_SNAPSHOT_THRESHOLD 1024
#define BENCH_SNAPSHOT_TRAILING  2048
#define BENCH_IO_TIMEOUT_MS      5000
#define BENCH_WRITE_TIMEOUT_MS   15000
#define BENCH_WRITE_BATCH        256

#define BENCH_MAX_WRITER_THREADS 256

int bench_node_start(struct bench_node *n, const char *dir, unsigned latency_ms, struct cr_err *err)
{
	struct storage_engine_config ec = {
		.dir = dir,
		.address = n->address,
		.latency_ms = latency_ms,
		.snapshot_threshold = BENCH_SNAPSHOT_THRESHOLD,
		.snapshot_trailing = BENCH_SNAPSHOT_TRAILING,
	};
	struct storage_store_config sc = {
		.pool = { .n_addresses = 1,
			  .io_timeout_ms = BENCH_IO_TIMEOUT_MS,
			  .acquire_timeout_ms = BENCH_WRITE_TIMEOUT_MS },
		.writer = { .max_batch = BENCH_WRITE_BATCH,
			    .write_timeout_ms = BENCH_WRITE_TIMEOUT_MS },
	};
	unsigned port = 0;
	int rc;

	memset(n, 0, sizeof(*n));
	rc = bench_free_port(&port, err);
	if (rc < 0)
		return rc;
	(void)snprintf(n->address, sizeof(n->address), "127.0.0.1:%u", port);
	rc = storage_engine_start(&ec, &n->engine, err);
	if (rc < 0)
		return rc;
	sc.pool.addresses[0] = n->address;
	rc = storage_store_new(&sc, &n->store, err);
	if (rc < 0) {
		storage_engine_stop(n->engine);
		n->engine = NULL;
	}
	return rc;
}

void bench_node_stop(struct bench_node *n)
{
	storage_store_free(n->store);
	storage_engine_stop(n->engine);
	n->store = NULL;
	n->engine = NULL;
}

/* ---- one connection, used directly ---- */

int bench_client_init(struct bench_client *c, struct bench_node *n, struct cr_err *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->pool = storage_store_pool(n->store);
	c->rng = 0x5eed1234abcdULL;
	bench_value_init(c->value, 1);
	/* The pool waits for the node to lead, opens BENCH_DB and runs the
	 * 1.11 barrier; from here on only storage_conn_* calls are used. */
	rc = storage_pool_acquire(c->pool, BENCH_DB, &c->conn, err);
	if (rc < 0)
		return rc;
	rc = storage_conn_exec_sql(c->conn, BENCH_SQL_SCHEMA, NULL, 0, NULL, err);
	if (rc == 0)
		rc = storage_conn_prepare(c->conn, BENCH_SQL_INSERT, &c->insert_id, NULL, err);
	if (rc == 0)
		rc = storage_conn_prepare(c->conn, BENCH_SQL_SELECT, &c->select_id, NULL, err);
	if (rc < 0)
		bench_client_close(c);
	return rc;
}

void bench_client_close(struct bench_client *c)
{
	if (c->conn != NULL)
		storage_pool_release(c->pool, c->conn);
	c->conn = NULL;
}

/* The code an operation returns: CR_EUNAVAIL only for a dead connection
 * (bench_measure stops then); other failures are counted. */
static int outcome(const struct bench_client *c, int rc)
{
	if (storage_conn_is_broken(c->conn))
		return CR_EUNAVAIL;
	return rc == CR_EUNAVAIL ? CR_EINTERNAL : rc;
}

static int insert_row(struct bench_client *c, struct cr_err *err)
{
	char key[BENCH_KEY_LEN + 1];
	struct storage_value p[2];
	int rc;

	bench_key(c->n_keys, key);
	bench_value_stamp(c->value, c->n_keys);
	p[0] = storage_textn(key, BENCH_KEY_LEN);
	p[1] = storage_textn(c->value, BENCH_VALUE_LEN);
	rc = storage_conn_exec(c->conn, c->insert_id, p, 2, NULL, err);
	if (rc == 0)
		c->n_keys++;
	return rc;
}

int bench_client_insert(void *ctx, struct cr_err *err)
{
	struct bench_client *c = ctx;
	int rc = insert_row(c, err);

	return rc < 0 ? outcome(c, rc) : 1;
}

int bench_client_tx(void *ctx, struct cr_err *err)
{
	struct bench_client *c = ctx;
	uint64_t first = c->n_keys;
	int rc = storage_conn_exec_sql(c->conn, "BEGIN", NULL, 0, NULL, err);

	for (unsigned i = 0; rc == 0 && i < BENCH_TX_ROWS; i++)
		rc = insert_row(c, err);
	if (rc == 0)
		rc = storage_conn_exec_sql(c->conn, "COMMIT", NULL, 0, NULL, err);
	if (rc == 0)
		return BENCH_TX_ROWS;
	c->n_keys = first; /* rolled back: those keys are written again */
	if (!storage_conn_is_broken(c->conn))
		(void)storage_conn_exec_sql(c->conn, "ROLLBACK", NULL, 0, NULL, NULL);
	return outcome(c, rc);
}

static int check_row(void *arg, unsigned n_cols, const char *const *cols,
		     const struct storage_value *row, struct cr_err *err)
{
	unsigned *n_found = arg;

	(void)cols;
	if (n_cols != 1 || row[0].type != STORAGE_TEXT || row[0].s.len != BENCH_VALUE_LEN)
		return cr_err_set(err, CR_EINTERNAL, "the row read back is not the one written");
	(*n_found)++;
	return 0;
}

int bench_client_select(void *ctx, struct cr_err *err)
{
	struct bench_client *c = ctx;
	char key[BENCH_KEY_LEN + 1];
	struct storage_value p;
	unsigned n_found = 0;
	uint64_t i;
	int rc;

	if (c->n_readable == 0)
		return cr_err_set(err, CR_EINVAL, "no rows to read");
	i = bench_rand(&c->rng) % c->n_readable;
	bench_key(i, key);
	p = storage_textn(key, BENCH_KEY_LEN);
	rc = storage_conn_query_each(c->conn, c->select_id, &p, 1, check_row, &n_found, err);
	if (rc == 0 && n_found != 1)
		rc = cr_err_set(err, CR_EINTERNAL, "key number %" PRIu64 " found %u times", i,
				n_found);
	return rc < 0 ? outcome(c, rc) : 1;
}

/* ---- many callers through the group-commit writer ---- */

struct writer_thread {
	struct storage_store *store;
	uint64_t deadline_ns;
	_Atomic uint64_t *next_key;
	struct bench_samples lat;
	uint64_t n_calls;
	uint64_t n_errors;
	pthread_t thread;
};

static int write_one(struct storage_store *store, uint64_t i, char *value, struct cr_err *err)
{
	char key[BENCH_KEY_LEN + 1];
	struct storage_value p[2];

	bench_key(i, key);
	bench_value_stamp(value, i);
	p[0] = storage_textn(key, BENCH_KEY_LEN);
	p[1] = storage_textn(value, BENCH_VALUE_LEN);
	return storage_exec(store, BENCH_DB, NULL, BENCH_SQL_INSERT, p, 2, NULL, err);
}

static void *writer_loop(void *arg)
{
	struct writer_thread *t = arg;
	char value[BENCH_VALUE_LEN + 1];
	uint64_t now = bench_now_ns();

	bench_value_init(value, (uint64_t)(uintptr_t)t);
	while (now < t->deadline_ns) {
		struct cr_err err = { 0 };
		uint64_t i = atomic_fetch_add(t->next_key, 1);
		int rc = write_one(t->store, i, value, &err);
		uint64_t end = bench_now_ns();

		bench_samples_add(&t->lat, end - now);
		now = end;
		t->n_calls++;
		if (rc < 0 && t->n_errors++ == 0)
			fprintf(stderr, "bench: writer: first error: %s\n", err.msg);
	}
	return NULL;
}

static void writer_totals(struct bench_writer_result *out, struct writer_thread *threads,
			  unsigned n, const struct storage_writer_stats *before,
			  const struct storage_writer_stats *after)
{
	struct bench_samples all;

	bench_samples_init(&all);
	for (unsigned i = 0; i < n; i++) {
		bench_samples_merge(&all, &threads[i].lat);
		out->n_calls += threads[i].n_calls;
		out->n_errors += threads[i].n_errors;
	}
	out->commits = after->commits - before->commits;
	out->jobs = after->jobs - before->jobs;
	out->retries = after->retries - before->retries;
	out->unknown = after->unknown - before->unknown;
	out->commits_per_s = (double)out->commits / out->elapsed_s;
	out->jobs_per_s = (double)out->jobs / out->elapsed_s;
	out->calls_per_s = (double)out->n_calls / out->elapsed_s;
	out->jobs_per_commit = out->commits > 0 ? (double)out->jobs / (double)out->commits : 0;
	out->p50_ms = bench_samples_pct_ms(&all, 0.50);
	out->p99_ms = bench_samples_pct_ms(&all, 0.99);
	bench_samples_close(&all);
}

int bench_writer_measure(struct storage_store *store, unsigned n_threads, unsigned seconds,
			 uint64_t *next_key, struct bench_writer_result *out, struct cr_err *err)
{
	struct storage_writer_stats before;
	struct storage_writer_stats after;
	struct writer_thread *threads;
	_Atomic uint64_t key = *next_key;
	char value[BENCH_VALUE_LEN + 1];
	uint64_t start;
	unsigned n_started = 0;
	int rc;

	if (n_threads == 0 || n_threads > BENCH_MAX_WRITER_THREADS)
		return cr_err_set(err, CR_EINVAL, "writer threads must be 1 to %d",
				  BENCH_MAX_WRITER_THREADS);
	memset(out, 0, sizeof(*out));
	out->n_threads = n_threads;
	/* Warm up outside the clock: the first write starts the database's
	 * writer thread and creates its bookkeeping tables. */
	bench_value_init(value, 2);
	rc = write_one(store, atomic_fetch_add(&key, 1), value, err);
	if (rc < 0)
		return cr_err_wrap(err, "writer warm-up");
	threads = cr_calloc(n_threads, sizeof(*threads));
	storage_store_stats(store, &before);
	start = bench_now_ns();
	for (; n_started < n_threads; n_started++) {
		struct writer_thread *t = &threads[n_started];
		t->store = store;
		t->deadline_ns = start + (uint64_t)seconds * 1000000000u;
		t->next_key = &key;
		bench_samples_init(&t->lat);
		if (pthread_create(&t->thread, NULL, writer_loop, t) != 0) {
			rc = cr_err_set(err, CR_EINTERNAL, "cannot start writer thread %u",
					n_started);
			break;
		}
	}
	for (unsigned i = 0; i < n_started; i++)
		(void)pthread_join(threads[i].thread, NULL);
	out->elapsed_s = (double)(bench_now_ns() - start) / 1e9;
	storage_store_stats(store, &after);
	if (rc == 0)
		writer_totals(out, threads, n_threads, &before, &after);
	for (unsigned i = 0; i < n_threads; i++)
		bench_samples_close(&threads[i].lat);
	free(threads);
	*next_key = atomic_load(&key);
	return rc;
}
