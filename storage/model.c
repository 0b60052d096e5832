/* storage/model.c: see model.h. */
#define LOG_MODULE "storage"
#include "model.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/time.h"
#include "store.h"

#define MODEL_READERS  4
#define MODEL_CACHE_KB 2048 /* page cache per connection (the OS caches the file too) */
#define MODEL_BUSY_MS  5000
#define MODEL_MAX_COLS 2048 /* a record table: 300 fields and more, removed ones */

struct reader {
	pthread_mutex_t mu;
	sqlite3 *db; /* opened on first use */
};

struct storage_model_db {
	struct storage_model *m;
	char name[STORAGE_DB_NAME_MAX + 1];
	char path[PATH_MAX + STORAGE_DB_NAME_MAX + 8];
	pthread_mutex_t mu; /* position, is_corrupt */
	pthread_cond_t advanced;
	int64_t position;
	int64_t head; /* the store's newest change, as the applier last saw it */
	atomic_bool is_corrupt;
	sqlite3 *applier;
	struct reader readers[MODEL_READERS];
	atomic_uint next_reader;
};

struct storage_model {
	char dir[PATH_MAX];
	pthread_mutex_t mu; /* dbs, poke */
	pthread_cond_t poked;
	bool is_poked;
	struct storage_model_db *dbs[STORAGE_MAX_DATABASES];
	unsigned n_dbs;
	atomic_ulong n_model_reads, n_store_reads;
	atomic_bool is_stopping;
};

/* An SQLite error into err (and the corrupt flag when it says so). */
static int sql_err(struct storage_model_db *d, sqlite3 *db, int code, const char *what,
		   struct cr_err *err)
{
	int primary = code & 0xff;

	if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
		if (!atomic_exchange(&d->is_corrupt, true))
			log_warn("read model of '%s' is corrupt (%s): it will be rebuilt", d->name,
				 db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(code));
	}
	return cr_err_set(err, CR_EUNAVAIL, "read model of '%s': %s: %s", d->name, what,
			  db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(code));
}

static int open_conn(struct storage_model_db *d, bool reader, sqlite3 **out, struct cr_err *err)
{
	sqlite3 *db = NULL;
	char pragmas[256];
	int rc = sqlite3_open_v2(
	    d->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK) {
		(void)snprintf(pragmas, sizeof(pragmas),
			       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
			       "PRAGMA cache_size = -%d; PRAGMA busy_timeout = %d;%s",
			       MODEL_CACHE_KB, MODEL_BUSY_MS,
			       reader ? " PRAGMA query_only = 1;" : "");
		rc = sqlite3_exec(db, pragmas, NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		int r = sql_err(d, db, rc, "open", err);
		sqlite3_close(db);
		return r;
	}
	*out = db;
	return 0;
}

static void bind_all(sqlite3_stmt *st, const struct storage_value *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int k = (int)i + 1;
		switch (p[i].type) {
		case STORAGE_INTEGER:
		case STORAGE_UNIXTIME:
			(void)sqlite3_bind_int64(st, k, p[i].i);
			break;
		case STORAGE_BOOLEAN:
			(void)sqlite3_bind_int(st, k, p[i].b ? 1 : 0);
			break;
		case STORAGE_FLOAT:
			(void)sqlite3_bind_double(st, k, p[i].f);
			break;
		case STORAGE_TEXT:
		case STORAGE_ISO8601:
			(void)sqlite3_bind_text(st, k, p[i].s.p, (int)p[i].s.len, SQLITE_STATIC);
			break;
		case STORAGE_BLOB:
			(void)sqlite3_bind_blob(st, k, p[i].s.p, (int)p[i].s.len, SQLITE_STATIC);
			break;
		default:
			(void)sqlite3_bind_null(st, k);
			break;
		}
	}
}

/* The current row of st as values (borrowed from st until it steps). */
static void row_values(sqlite3_stmt *st, unsigned n_cols, struct storage_value *v)
{
	for (unsigned i = 0; i < n_cols; i++) {
		int k = (int)i;
		switch (sqlite3_column_type(st, k)) {
		case SQLITE_INTEGER:
			v[i] = storage_int(sqlite3_column_int64(st, k));
			break;
		case SQLITE_FLOAT:
			v[i] = storage_float(sqlite3_column_double(st, k));
			break;
		case SQLITE_TEXT:
			v[i] = storage_textn((const char *)sqlite3_column_text(st, k),
					     (size_t)sqlite3_column_bytes(st, k));
			break;
		case SQLITE_BLOB:
			v[i] =
			    (struct storage_value){ .type = STORAGE_BLOB,
						    .s = { sqlite3_column_blob(st, k),
							   (size_t)sqlite3_column_bytes(st, k) } };
			break;
		default:
			v[i] = (struct storage_value){ .type = STORAGE_NULL };
			break;
		}
	}
}

/* Run sql (one statement, with params) on db; rows may be NULL. */
static int run(struct storage_model_db *d, sqlite3 *db, const char *sql,
	       const struct storage_value *params, unsigned n_params, struct storage_rows *rows,
	       struct cr_err *err)
{
	sqlite3_stmt *st = NULL;
	const char *tail = sql;
	int rc = SQLITE_OK;

	if (db == NULL)
		return cr_err_set(err, CR_EUNAVAIL, "read model of '%s' is not open", d->name);
	while (rc == SQLITE_OK && tail != NULL && *tail != '\0') {
		unsigned n_cols;
		const char *cols[MODEL_MAX_COLS];
		rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
		if (rc != SQLITE_OK || st == NULL)
			break;
		bind_all(st, params, n_params);
		params = NULL;
		n_params = 0;
		n_cols = (unsigned)sqlite3_column_count(st);
		if (n_cols > MODEL_MAX_COLS) {
			sqlite3_finalize(st);
			return cr_err_set(err, CR_ETOOBIG, "read model: %u columns", n_cols);
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct storage_value v[MODEL_MAX_COLS];
			int r;
			if (rows == NULL)
				continue;
			/* Names are read once a row is in: the first step may
			 * prepare the statement again (the schema changed),
			 * which frees the names read before. */
			for (unsigned i = 0; rows->cols == NULL && i < n_cols; i++)
				cols[i] = sqlite3_column_name(st, (int)i);
			row_values(st, n_cols, v);
			r = storage_rows_add(rows, n_cols, cols, v, err);
			if (r < 0) {
				sqlite3_finalize(st);
				return r;
			}
		}
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
		if (rc != SQLITE_OK)
			break;
		sqlite3_finalize(st);
		st = NULL;
	}
	if (rc != SQLITE_OK) {
		int r = sql_err(d, db, rc, "statement", err);
		sqlite3_finalize(st);
		return r;
	}
	return 0;
}

static int64_t read_position(struct storage_model_db *d)
{
	struct storage_rows rows;
	struct cr_err err = { 0 };
	int64_t pos = STORAGE_MODEL_UNBUILT;

	storage_rows_init(&rows);
	if (run(d, d->applier,
		"CREATE TABLE IF NOT EXISTS creek_model (k TEXT PRIMARY KEY, v INTEGER NOT NULL)",
		NULL, 0, NULL, &err) == 0 &&
	    run(d, d->applier, "SELECT v FROM creek_model WHERE k = 'position'", NULL, 0, &rows,
		&err) == 0 &&
	    rows.n_rows == 1)
		pos = storage_rows_int(&rows, 0, 0, STORAGE_MODEL_UNBUILT);
	storage_rows_close(&rows);
	return pos;
}

static void close_all(struct storage_model_db *d)
{
	for (unsigned i = 0; i < MODEL_READERS; i++) {
		(void)pthread_mutex_lock(&d->readers[i].mu);
		sqlite3_close(d->readers[i].db);
		d->readers[i].db = NULL;
	}
	sqlite3_close(d->applier);
	d->applier = NULL;
}

static void unlock_readers(struct storage_model_db *d)
{
	for (unsigned i = 0; i < MODEL_READERS; i++)
		(void)pthread_mutex_unlock(&d->readers[i].mu);
}

static void remove_files(const char *path)
{
	char p[PATH_MAX + STORAGE_DB_NAME_MAX + 16];

	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
}

/* Open the applier; a file that fails its check is thrown away first. */
static int open_applier(struct storage_model_db *d, struct cr_err *err)
{
	struct storage_rows rows;
	int rc = open_conn(d, false, &d->applier, err);

	if (rc == 0) {
		storage_rows_init(&rows);
		rc = run(d, d->applier, "PRAGMA quick_check", NULL, 0, &rows, err);
		if (rc == 0 && (rows.n_rows != 1 || storage_rows_text(&rows, 0, 0) == NULL ||
				strcmp(storage_rows_text(&rows, 0, 0), "ok") != 0))
			rc = cr_err_set(err, CR_EUNAVAIL, "read model of '%s' failed its check",
					d->name);
		storage_rows_close(&rows);
	}
	if (rc < 0) {
		log_warn("%s: starting it empty", err->msg);
		sqlite3_close(d->applier);
		d->applier = NULL;
		remove_files(d->path);
		atomic_store(&d->is_corrupt, false);
		rc = open_conn(d, false, &d->applier, err);
	}
	if (rc == 0)
		d->position = read_position(d);
	return rc;
}

int storage_model_new(const char *dir, struct storage_model **out, struct cr_err *err)
{
	struct storage_model *m;

	if (strlen(dir) >= sizeof(m->dir) - STORAGE_DB_NAME_MAX - 8)
		return cr_err_set(err, CR_EINVAL, "read model directory path is too long");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cr_err_set(err, CR_EUNAVAIL,
				  "cannot create the read model directory '%s': %s", dir,
				  strerror(errno));
	m = cr_calloc(1, sizeof(*m));
	(void)snprintf(m->dir, sizeof(m->dir), "%s", dir);
	(void)pthread_mutex_init(&m->mu, NULL);
	(void)pthread_cond_init(&m->poked, NULL);
	*out = m;
	return 0;
}

static void db_free(struct storage_model_db *d)
{
	close_all(d);
	unlock_readers(d);
	for (unsigned i = 0; i < MODEL_READERS; i++)
		(void)pthread_mutex_destroy(&d->readers[i].mu);
	(void)pthread_cond_destroy(&d->advanced);
	(void)pthread_mutex_destroy(&d->mu);
	free(d);
}

void storage_model_free(struct storage_model *m)
{
	if (m == NULL)
		return;
	for (unsigned i = 0; i < m->n_dbs; i++)
		db_free(m->dbs[i]);
	(void)pthread_cond_destroy(&m->poked);
	(void)pthread_mutex_destroy(&m->mu);
	free(m);
}

int storage_model_db(struct storage_model *m, const char *db, struct storage_model_db **out,
		     struct cr_err *err)
{
	struct storage_model_db *d = NULL;
	int rc = storage_db_name_check(db, err);

	if (rc < 0)
		return rc;
	(void)pthread_mutex_lock(&m->mu);
	for (unsigned i = 0; i < m->n_dbs && d == NULL; i++)
		if (strcmp(m->dbs[i]->name, db) == 0)
			d = m->dbs[i];
	if (d == NULL && m->n_dbs == STORAGE_MAX_DATABASES)
		rc = cr_err_set(err, CR_ETOOBIG, "too many read models");
	if (d == NULL && rc == 0) {
		d = cr_calloc(1, sizeof(*d));
		d->m = m;
		(void)snprintf(d->name, sizeof(d->name), "%s", db);
		(void)snprintf(d->path, sizeof(d->path), "%s/%s.db", m->dir, db);
		(void)pthread_mutex_init(&d->mu, NULL);
		(void)pthread_cond_init(&d->advanced, NULL);
		for (unsigned i = 0; i < MODEL_READERS; i++)
			(void)pthread_mutex_init(&d->readers[i].mu, NULL);
		rc = open_applier(d, err);
		if (rc < 0) {
			db_free(d);
			d = NULL;
		} else {
			m->dbs[m->n_dbs++] = d;
		}
	}
	(void)pthread_mutex_unlock(&m->mu);
	*out = d;
	return rc;
}

int storage_model_query(struct storage_model_db *d, const char *sql,
			const struct storage_value *params, unsigned n_params,
			struct storage_rows *rows, struct cr_err *err)
{
	unsigned start = atomic_fetch_add(&d->next_reader, 1);
	struct reader *r = NULL;
	int rc = 0;

	storage_rows_init(rows);
	for (unsigned i = 0; i < MODEL_READERS && r == NULL; i++) {
		struct reader *c = &d->readers[(start + i) % MODEL_READERS];
		if (pthread_mutex_trylock(&c->mu) == 0)
			r = c;
	}
	if (r == NULL) {
		r = &d->readers[start % MODEL_READERS];
		(void)pthread_mutex_lock(&r->mu);
	}
	if (r->db == NULL)
		rc = open_conn(d, true, &r->db, err);
	if (rc == 0)
		rc = run(d, r->db, sql, params, n_params, rows, err);
	(void)pthread_mutex_unlock(&r->mu);
	return rc;
}

int storage_model_begin(struct storage_model_db *d, struct cr_err *err)
{
	return run(d, d->applier, "BEGIN IMMEDIATE", NULL, 0, NULL, err);
}

int storage_model_exec(struct storage_model_db *d, const char *sql,
		       const struct storage_value *params, unsigned n_params, struct cr_err *err)
{
	return run(d, d->applier, sql, params, n_params, NULL, err);
}

int storage_model_applier_query(struct storage_model_db *d, const char *sql,
				const struct storage_value *params, unsigned n_params,
				struct storage_rows *rows, struct cr_err *err)
{
	storage_rows_init(rows);
	return run(d, d->applier, sql, params, n_params, rows, err);
}

int storage_model_commit(struct storage_model_db *d, int64_t position, struct cr_err *err)
{
	struct storage_value p = storage_int(position);
	int rc = run(d, d->applier,
		     "INSERT INTO creek_model (k, v) VALUES ('position', ?) "
		     "ON CONFLICT (k) DO UPDATE SET v = excluded.v",
		     &p, 1, NULL, err);

	if (rc == 0)
		rc = run(d, d->applier, "COMMIT", NULL, 0, NULL, err);
	if (rc < 0) {
		storage_model_rollback(d);
		return rc;
	}
	(void)pthread_mutex_lock(&d->mu);
	d->position = position;
	(void)pthread_cond_broadcast(&d->advanced);
	(void)pthread_mutex_unlock(&d->mu);
	return 0;
}

void storage_model_rollback(struct storage_model_db *d)
{
	if (d->applier != NULL && !sqlite3_get_autocommit(d->applier))
		(void)sqlite3_exec(d->applier, "ROLLBACK", NULL, NULL, NULL);
}

int64_t storage_model_position(struct storage_model_db *d)
{
	int64_t pos;

	(void)pthread_mutex_lock(&d->mu);
	pos = d->position;
	(void)pthread_mutex_unlock(&d->mu);
	return pos;
}

bool storage_model_wait(struct storage_model_db *d, int64_t pos, unsigned ms)
{
	uint64_t deadline = cr_now_ms() + ms;
	bool ok;

	(void)pthread_mutex_lock(&d->mu);
	for (;;) {
		uint64_t now = cr_now_ms();
		ok = d->position != STORAGE_MODEL_UNBUILT && d->position >= pos;
		if (ok || now >= deadline)
			break;
		cr_cond_wait_ms(&d->advanced, &d->mu, (unsigned)(deadline - now));
	}
	(void)pthread_mutex_unlock(&d->mu);
	return ok;
}

void storage_model_poke(struct storage_model *m)
{
	(void)pthread_mutex_lock(&m->mu);
	m->is_poked = true;
	(void)pthread_cond_signal(&m->poked);
	(void)pthread_mutex_unlock(&m->mu);
}

void storage_model_stop(struct storage_model *m)
{
	atomic_store(&m->is_stopping, true);
	storage_model_poke(m);
}

bool storage_model_stopping(struct storage_model *m)
{
	return atomic_load(&m->is_stopping);
}

void storage_model_wait_poke(struct storage_model *m, unsigned ms)
{
	(void)pthread_mutex_lock(&m->mu);
	if (!m->is_poked)
		cr_cond_wait_ms(&m->poked, &m->mu, ms);
	m->is_poked = false;
	(void)pthread_mutex_unlock(&m->mu);
}

int storage_model_reset(struct storage_model_db *d, struct cr_err *err)
{
	int rc;

	(void)pthread_mutex_lock(&d->mu);
	d->position = STORAGE_MODEL_UNBUILT;
	(void)pthread_mutex_unlock(&d->mu);
	close_all(d); /* readers stay locked until the new file is there */
	remove_files(d->path);
	atomic_store(&d->is_corrupt, false);
	rc = open_conn(d, false, &d->applier, err);
	if (rc == 0)
		rc =
		    run(d, d->applier,
			"CREATE TABLE IF NOT EXISTS creek_model (k TEXT PRIMARY KEY, v INTEGER NOT "
			"NULL)",
			NULL, 0, NULL, err);
	unlock_readers(d);
	return rc;
}

bool storage_model_is_corrupt(struct storage_model_db *d)
{
	return atomic_load(&d->is_corrupt);
}

void storage_model_note_read(struct storage_model *m, bool from_model)
{
	(void)atomic_fetch_add(from_model ? &m->n_model_reads : &m->n_store_reads, 1);
}

void storage_model_reads(struct storage_model *m, uint64_t *from_model, uint64_t *from_store)
{
	*from_model = atomic_load(&m->n_model_reads);
	*from_store = atomic_load(&m->n_store_reads);
}

void storage_model_saw_head(struct storage_model_db *d, int64_t head)
{
	(void)pthread_mutex_lock(&d->mu);
	d->head = head;
	(void)pthread_mutex_unlock(&d->mu);
}

void storage_model_note_write(struct storage_model *m, struct storage_model_db *d, int64_t pos)
{
	(void)pthread_mutex_lock(&d->mu);
	if (pos > d->head)
		d->head = pos;
	(void)pthread_mutex_unlock(&d->mu);
	storage_model_poke(m);
}

int64_t storage_model_head(struct storage_model_db *d)
{
	int64_t head;

	(void)pthread_mutex_lock(&d->mu);
	head = d->head;
	(void)pthread_mutex_unlock(&d->mu);
	return head;
}

void storage_model_lag(struct storage_model *m, int64_t *max_lag, unsigned *n_unbuilt)
{
	*max_lag = 0;
	*n_unbuilt = 0;
	(void)pthread_mutex_lock(&m->mu);
	for (unsigned i = 0; i < m->n_dbs; i++) {
		struct storage_model_db *d = m->dbs[i];
		(void)pthread_mutex_lock(&d->mu);
		if (d->position == STORAGE_MODEL_UNBUILT)
			(*n_unbuilt)++;
		else if (d->head - d->position > *max_lag)
			*max_lag = d->head - d->position;
		(void)pthread_mutex_unlock(&d->mu);
	}
	(void)pthread_mutex_unlock(&m->mu);
}
