/* tests/bench/bench.h: the pieces every storage benchmark shares.
 *
 * A benchmark here is a loop: call one operation (a row insert, a
 * transaction of 100 rows, a point read) again and again for a fixed time,
 * timing each call. The rows have the shape of go-dqlite's dqlite-benchmark
 * "kvwrite" workload (key 32 letters, value 1024 bytes of text, table
 * model(key, value)), so our figures sit next to upstream's honestly.
 * Single-threaded unless a function says otherwise. */
#ifndef CREEK_TESTS_BENCH_H
#define CREEK_TESTS_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define BENCH_KEY_LEN   32   /* bytes, as dqlite-benchmark --key-size */
#define BENCH_VALUE_LEN 1024 /* bytes, as dqlite-benchmark --value-size */
#define BENCH_TX_ROWS   100  /* rows per transaction in the batch workload */

/* The same table and statements on every backend. dqlite-benchmark uses
 * "key TEXT, value TEXT, UNIQUE(key)": in a rowid table a TEXT PRIMARY KEY
 * is that same unique index. */
#define BENCH_SQL_SCHEMA                                                                           \
	"CREATE TABLE IF NOT EXISTS model (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
#define BENCH_SQL_INSERT "INSERT OR REPLACE INTO model(key, value) VALUES(?, ?)"
#define BENCH_SQL_SELECT "SELECT value FROM model WHERE key = ?"

/* Monotonic nanoseconds. */
uint64_t bench_now_ns(void);

/* Latency samples in nanoseconds; grows without a ceiling (one run of a
 * few seconds holds at most a few million). */
struct bench_samples {
	uint64_t *ns;
	size_t n;
	size_t cap;
};

void bench_samples_init(struct bench_samples *s);
void bench_samples_close(struct bench_samples *s);
void bench_samples_add(struct bench_samples *s, uint64_t ns);
/* Append every sample of from to to. */
void bench_samples_merge(struct bench_samples *to, const struct bench_samples *from);
/* Nearest-rank percentile (0 < pct <= 1) in milliseconds; sorts s in place.
 * 0 when s is empty. */
double bench_samples_pct_ms(struct bench_samples *s, double pct);

/* Median of n values (sorts them in place); 0 when n is 0. */
double bench_median(double *values, size_t n);

/* A xorshift64* step: fast, not for secrets. state must not be 0. */
uint64_t bench_rand(uint64_t *state);

/* Key number i as BENCH_KEY_LEN letters and a NUL: the same i gives the same
 * key on every backend, so reads can pick among keys all of them hold. */
void bench_key(uint64_t i, char *out);
/* A value like dqlite-benchmark's: half one repeated letter, half random
 * letters, then a NUL; out holds BENCH_VALUE_LEN + 1 bytes. */
void bench_value_init(char *out, uint64_t seed);
/* Make the value of row i differ from its neighbours (rewrites a few bytes
 * of the random half). */
void bench_value_stamp(char *value, uint64_t i);

/* One operation of a workload. Returns the rows it wrote or read (> 0), or
 * a negative CR_E* code with err filled. CR_EUNAVAIL means the backend is
 * gone (broken connection): the run stops there. Other errors are counted
 * and the run goes on. */
typedef int (*bench_op_fn)(void *ctx, struct cr_err *err);

struct bench_result {
	double elapsed_s;
	uint64_t n_ops;    /* calls of the operation */
	uint64_t n_rows;   /* rows of the calls that succeeded */
	uint64_t n_errors; /* calls that failed */
	double rows_per_s;
	double ops_per_s;
	double p50_ms; /* per call */
	double p99_ms;
};

/* Call op until `seconds` have passed. Fails (CR_EUNAVAIL, err filled) only
 * if the backend went away; the first error message of a run is printed on
 * stderr with the workload's name. */
int bench_measure(const char *name, bench_op_fn op, void *ctx, unsigned seconds,
		  struct bench_result *out, struct cr_err *err);

/* A free TCP port on 127.0.0.1 (another process may take it before use). */
int bench_free_port(unsigned *out, struct cr_err *err);
/* Delete dir and everything under it; errors are ignored. */
void bench_remove_tree(const char *dir);

#endif
