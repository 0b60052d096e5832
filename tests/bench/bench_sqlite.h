/* tests/bench/bench_sqlite.h: the in-process SQLite 3 baseline.
 *
 * The same table, statements and rows as the Creek workloads, on a plain
 * SQLite file in WAL mode with one connection. synchronous=NORMAL (the
 * usual WAL setting) does not fsync at commit, only at checkpoints: a
 * crash may lose the last commits. synchronous=FULL fsyncs the WAL at every
 * commit, which is the durability a dqlite commit has (its Raft log entry
 * is on disk before COMMIT answers). */
#ifndef CREEK_TESTS_BENCH_SQLITE_H
#define CREEK_TESTS_BENCH_SQLITE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench.h"

struct bench_sqlite {
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *select;
	sqlite3_stmt *begin;
	sqlite3_stmt *commit;
	uint64_t n_keys;     /* keys 0 .. n_keys - 1 are in the table */
	uint64_t n_readable; /* reads pick keys below this; set by the caller */
	uint64_t rng;
	char value[BENCH_VALUE_LEN + 1];
};

/* Open (create) path in WAL mode with synchronous=NORMAL. */
int bench_sqlite_open(struct bench_sqlite *s, const char *path, struct cr_err *err);
void bench_sqlite_close(struct bench_sqlite *s); /* half-opened too */
/* true: synchronous=FULL, false: NORMAL. */
int bench_sqlite_set_full_sync(struct bench_sqlite *s, bool is_full, struct cr_err *err);

/* Workload operations (bench_op_fn) on a struct bench_sqlite, the same as
 * bench_client_insert/tx/select. */
int bench_sqlite_insert(void *ctx, struct cr_err *err);
int bench_sqlite_tx(void *ctx, struct cr_err *err);
int bench_sqlite_select(void *ctx, struct cr_err *err);

#endif
