/* tests/bench/bench_sqlite.c: the in-process SQLite baseline; see
 * bench_sqlite.h. One connection, prepared statements, no mutexes. */
#include "bench_sqlite.h"

#include <string.h>

static int sql_error(struct bench_sqlite *s, const char *what, struct cr_err *err)
{
	return cr_err_set(err, CR_EINTERNAL, "sqlite: %s: %s", what, sqlite3_errmsg(s->db));
}

/* Run a PRAGMA that answers one text row and check the answer. */
static int pragma(struct bench_sqlite *s, const char *sql, const char *want, struct cr_err *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *got;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_error(s, sql, err);
	rc = sqlite3_step(st);
	got = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (want != NULL && (got == NULL || strcmp((const char *)got, want) != 0)) {
		rc = cr_err_set(err, CR_EINTERNAL, "sqlite: '%s' answered '%s', not '%s'", sql,
				got != NULL ? (const char *)got : "", want);
		(void)sqlite3_finalize(st);
		return rc;
	}
	(void)sqlite3_finalize(st);
	return 0;
}

static int prepare(struct bench_sqlite *s, const char *sql, sqlite3_stmt **out, struct cr_err *err)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
		return sql_error(s, sql, err);
	return 0;
}

int bench_sqlite_open(struct bench_sqlite *s, const char *path, struct cr_err *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc;

	memset(s, 0, sizeof(*s));
	s->rng = 0x5eed1234abcdULL; /* the Creek client's seed: the same reads */
	bench_value_init(s->value, 1);
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = sql_error(s, path, err);
		bench_sqlite_close(s);
		return rc;
	}
	rc = pragma(s, "PRAGMA journal_mode=WAL", "wal", err);
	if (rc == 0)
		rc = bench_sqlite_set_full_sync(s, false, err);
	if (rc == 0 && sqlite3_exec(s->db, BENCH_SQL_SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
		rc = sql_error(s, "schema", err);
	if (rc == 0)
		rc = prepare(s, BENCH_SQL_INSERT, &s->insert, err);
	if (rc == 0)
		rc = prepare(s, BENCH_SQL_SELECT, &s->select, err);
	if (rc == 0)
		rc = prepare(s, "BEGIN", &s->begin, err);
	if (rc == 0)
		rc = prepare(s, "COMMIT", &s->commit, err);
	if (rc < 0)
		bench_sqlite_close(s);
	return rc;
}

void bench_sqlite_close(struct bench_sqlite *s)
{
	(void)sqlite3_finalize(s->insert);
	(void)sqlite3_finalize(s->select);
	(void)sqlite3_finalize(s->begin);
	(void)sqlite3_finalize(s->commit);
	(void)sqlite3_close(s->db);
	memset(s, 0, sizeof(*s));
}

int bench_sqlite_set_full_sync(struct bench_sqlite *s, bool is_full, struct cr_err *err)
{
	int rc =
	    pragma(s, is_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL, err);

	/* The setting answers as a number: 1 NORMAL, 2 FULL. */
	if (rc == 0)
		rc = pragma(s, "PRAGMA synchronous", is_full ? "2" : "1", err);
	return rc;
}

/* Step a statement that returns no rows, then reset it. */
static int step_done(struct bench_sqlite *s, sqlite3_stmt *st, struct cr_err *err)
{
	int rc = sqlite3_step(st);

	(void)sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : sql_error(s, sqlite3_sql(st), err);
}

static int insert_row(struct bench_sqlite *s, struct cr_err *err)
{
	char key[BENCH_KEY_LEN + 1];
	int rc;

	bench_key(s->n_keys, key);
	bench_value_stamp(s->value, s->n_keys);
	(void)sqlite3_bind_text(s->insert, 1, key, BENCH_KEY_LEN, SQLITE_STATIC);
	(void)sqlite3_bind_text(s->insert, 2, s->value, BENCH_VALUE_LEN, SQLITE_STATIC);
	rc = step_done(s, s->insert, err);
	if (rc == 0)
		s->n_keys++;
	return rc;
}

int bench_sqlite_insert(void *ctx, struct cr_err *err)
{
	int rc = insert_row(ctx, err);

	return rc < 0 ? rc : 1;
}

int bench_sqlite_tx(void *ctx, struct cr_err *err)
{
	struct bench_sqlite *s = ctx;
	uint64_t first = s->n_keys;
	int rc = step_done(s, s->begin, err);

	for (unsigned i = 0; rc == 0 && i < BENCH_TX_ROWS; i++)
		rc = insert_row(s, err);
	if (rc == 0)
		rc = step_done(s, s->commit, err);
	if (rc == 0)
		return BENCH_TX_ROWS;
	s->n_keys = first;
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int bench_sqlite_select(void *ctx, struct cr_err *err)
{
	struct bench_sqlite *s = ctx;
	char key[BENCH_KEY_LEN + 1];
	int rc;

	if (s->n_readable == 0)
		return cr_err_set(err, CR_EINVAL, "no rows to read");
	bench_key(bench_rand(&s->rng) % s->n_readable, key);
	(void)sqlite3_bind_text(s->select, 1, key, BENCH_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s->select);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s->select, 0) == BENCH_VALUE_LEN &&
	    sqlite3_step(s->select) == SQLITE_DONE)
		rc = 1;
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rc = cr_err_set(err, CR_EINTERNAL, "the row read back is not the one written");
	else
		rc = sql_error(s, "select", err);
	(void)sqlite3_reset(s->select);
	return rc;
}
