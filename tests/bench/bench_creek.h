/* tests/bench/bench_creek.h: Creek's side of the storage benchmarks.
 *
 * A real embedded dqlite node (storage_engine_start, as creekd starts it),
 * a store client on it, and the workloads: one wire connection used
 * directly (storage_conn_*: prepared INSERT/QUERY, explicit transactions),
 * and many threads writing through the store's group-commit writer. */
#ifndef CREEK_TESTS_BENCH_CREEK_H
#define CREEK_TESTS_BENCH_CREEK_H

#include <stdint.h>

#include "bench.h"
#include "storage/engine.h"
#include "storage/store.h"

#define BENCH_DB "bench" /* the database every Creek workload uses */

struct bench_node {
	char address[64];
	struct storage_engine *engine;
	struct storage_store *store;
};

/* Start a one-node cluster in dir (created) on a free loopback port, with
 * creekd's defaults (store-latency, snapshots, timeouts) and the given
 * network latency, then a store client; waits until the node leads. */
int bench_node_start(struct bench_node *n, const char *dir, unsigned latency_ms,
		     struct cr_err *err);
void bench_node_stop(struct bench_node *n); /* half-started nodes too */

/* One wire connection to the leader with BENCH_DB open and the statements
 * prepared. Keys 0 .. n_keys - 1 have been written through it. */
struct bench_client {
	struct storage_pool *pool; /* borrowed */
	struct storage_conn *conn; /* borrowed from the pool until close */
	uint32_t insert_id;
	uint32_t select_id;
	uint64_t n_keys;
	uint64_t n_readable; /* reads pick keys below this; set by the caller */
	uint64_t rng;
	char value[BENCH_VALUE_LEN + 1];
};

int bench_client_init(struct bench_client *c, struct bench_node *n, struct cr_err *err);
void bench_client_close(struct bench_client *c);

/* Workload operations (bench_op_fn) on a struct bench_client. */
int bench_client_insert(void *ctx, struct cr_err *err); /* 1 row, autocommit */
int bench_client_tx(void *ctx, struct cr_err *err);     /* BENCH_TX_ROWS in one tx */
int bench_client_select(void *ctx, struct cr_err *err); /* 1 row by key */

struct bench_writer_result {
	unsigned n_threads;
	double elapsed_s;
	uint64_t n_calls;
	uint64_t n_errors; /* calls that returned < 0 */
	uint64_t commits;  /* from storage_store_stats(), after - before */
	uint64_t jobs;
	uint64_t retries;
	uint64_t unknown;
	double commits_per_s;
	double jobs_per_commit;
	double jobs_per_s;
	double calls_per_s; /* calls answered (ok or not) per second, callers' view */
	double p50_ms;      /* per storage_exec call, as its caller waits */
	double p99_ms;
};

/* n_threads callers each loop on storage_exec(INSERT of one 1 KiB row) for
 * `seconds`. *next_key is the next unused key number; it is advanced.
 * Fails only if a thread cannot be started. */
int bench_writer_measure(struct storage_store *store, unsigned n_threads, unsigned seconds,
			 uint64_t *next_key, struct bench_writer_result *out, struct cr_err *err);

#endif
