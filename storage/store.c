/* storage/store.c: pool + one writer per database; see store.h. */
#define LOG_MODULE "storage"
#include "store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/assert.h"
#include "../lib/mem.h"
#include "../lib/time.h"

struct writer_entry {
	char *db;
	struct storage_writer *writer;
	struct writer_entry *next;
};

struct storage_store {
	struct storage_pool *pool;
	struct storage_writer_config writer_cfg;
	struct storage_disk *disk; /* borrowed; NULL: no guard */
	unsigned acquire_timeout_ms;
	pthread_mutex_t lock; /* guards writers */
	struct writer_entry *writers;
	unsigned n_writers;
	struct storage_kept *kept; /* storage_query_kept()'s answers */
};

int storage_db_name_check(const char *db, struct cr_err *err)
{
	size_t n = strlen(db);

	if (n == 0 || n > STORAGE_DB_NAME_MAX)
		return cr_err_set(err, CR_EINVAL, "database name must be 1 to %d characters",
				  STORAGE_DB_NAME_MAX);
	for (size_t i = 0; i < n; i++) {
		char ch = db[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '-'))
			return cr_err_set(err, CR_EINVAL,
					  "database name may use a-z, 0-9, _ and -");
	}
	return 0;
}

int storage_store_new(const struct storage_store_config *cfg, struct storage_store **out,
		      struct cr_err *err)
{
	struct storage_store *s = cr_calloc(1, sizeof(*s));
	int rc = storage_pool_new(&cfg->pool, &s->pool, err);

	if (rc < 0) {
		free(s);
		return rc;
	}
	s->writer_cfg = cfg->writer;
	s->disk = cfg->disk;
	s->acquire_timeout_ms =
	    cfg->pool.acquire_timeout_ms > 0 ? cfg->pool.acquire_timeout_ms : 10000;
	pthread_mutex_init(&s->lock, NULL);
	s->kept = storage_kept_new();
	*out = s;
	return 0;
}

void storage_store_shutdown(struct storage_store *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	for (struct writer_entry *e = s->writers; e != NULL; e = e->next)
		storage_writer_shutdown(e->writer);
	storage_pool_shutdown(s->pool);
	pthread_mutex_unlock(&s->lock);
}

void storage_store_free(struct storage_store *s)
{
	if (s == NULL)
		return;
	while (s->writers != NULL) {
		struct writer_entry *e = s->writers;
		s->writers = e->next;
		storage_writer_free(e->writer);
		free(e->db);
		free(e);
	}
	storage_pool_free(s->pool);
	storage_kept_free(s->kept);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

struct storage_pool *storage_store_pool(struct storage_store *s)
{
	return s->pool;
}

static int writer_for(struct storage_store *s, const char *db, struct storage_writer **out,
		      struct cr_err *err)
{
	struct writer_entry *e;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	for (e = s->writers; e != NULL; e = e->next)
		if (strcmp(e->db, db) == 0)
			break;
	if (e == NULL && s->n_writers >= STORAGE_MAX_DATABASES) {
		rc = cr_err_set(err, CR_ETOOBIG, "more than %d databases", STORAGE_MAX_DATABASES);
	} else if (e == NULL) {
		struct storage_writer *w = NULL;
		rc = storage_writer_new(s->pool, db, &s->writer_cfg, &w, err);
		if (rc == 0) {
			e = cr_calloc(1, sizeof(*e));
			e->db = cr_strdup(db);
			e->writer = w;
			e->next = s->writers;
			s->writers = e;
			s->n_writers++;
		}
	}
	if (rc == 0)
		*out = e->writer;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int storage_read(struct storage_store *s, const char *db, storage_read_fn fn, void *arg,
		 struct cr_err *err)
{
	uint64_t deadline = cr_now_ms() + s->acquire_timeout_ms;
	struct cr_backoff backoff = CR_BACKOFF(10, 500);
	int rc = storage_db_name_check(db, err);

	while (rc == 0) {
		struct storage_conn *c = NULL;
		rc = storage_pool_acquire(s->pool, db, &c, err);
		if (rc < 0)
			return rc;
		uint64_t busy = storage_conn_busy_count(c);
		rc = fn(c, arg, err);
		bool is_broken = storage_conn_is_broken(c);
		bool was_busy = storage_conn_busy_count(c) != busy;
		storage_pool_release(s->pool, c);
		/* Retried: a broken connection (node gone, leader changed) and a
		 * statement the node refused as busy (a WAL checkpoint: it ran
		 * nothing, and is over in milliseconds). An SQL error would fail
		 * the same way again. */
		if (rc >= 0 || !(is_broken || was_busy) || !cr_backoff_fits(&backoff, deadline))
			return rc;
		cr_backoff_sleep(&backoff);
		rc = 0;
	}
	return rc;
}

struct query_args {
	const char *sql;
	const struct storage_value *params;
	unsigned n_params;
	struct storage_rows *rows;
};

static int query_fn(struct storage_conn *c, void *arg, struct cr_err *err)
{
	struct query_args *q = arg;

	storage_rows_close(q->rows); /* a retry starts from an empty set */
	return storage_conn_query_sql(c, q->sql, q->params, q->n_params, q->rows, err);
}

int storage_query(struct storage_store *s, const char *db, const char *sql,
		  const struct storage_value *params, unsigned n_params, struct storage_rows *rows,
		  struct cr_err *err)
{
	/* rows is the caller's uninitialised storage: initialised here. */
	struct query_args q = { sql, params, n_params, rows }; /* cppcheck-suppress ctuuninitvar */

	storage_rows_init(rows);
	return storage_read(s, db, query_fn, &q, err);
}

int storage_query_kept(struct storage_store *s, const char *db, int64_t version, const char *sql,
		       const struct storage_value *params, unsigned n_params,
		       struct storage_rows *rows, struct cr_err *err)
{
	int rc;

	if (storage_kept_get(s->kept, db, version, sql, params, n_params, rows))
		return 0;
	rc = storage_query(s, db, sql, params, n_params, rows, err);
	if (rc == 0)
		storage_kept_put(s->kept, db, version, sql, params, n_params, rows);
	return rc;
}

void storage_kept_stats(struct storage_store *s, uint64_t *hits, uint64_t *misses)
{
	storage_kept_counts(s->kept, hits, misses);
}

/* A job through db's writer; is_low_refused: not while the data disk is
 * below its reserve. */
static int submit(struct storage_store *s, const char *db, const char *request_id,
		  storage_job_fn fn, void *arg, char **answer, bool is_low_refused,
		  struct cr_err *err)
{
	struct storage_writer *w = NULL;
	int rc = storage_db_name_check(db, err);

	/* Raft must never meet ENOSPC (disk.h): nothing new is queued. */
	if (rc == 0 && is_low_refused && storage_disk_is_low(s->disk))
		rc = cr_err_set(err, CR_EUNAVAIL, "%s", STORAGE_DISK_FULL_MSG);
	if (rc == 0)
		rc = writer_for(s, db, &w, err);
	if (rc < 0)
		return rc;
	return storage_writer_submit(w, request_id, fn, arg, answer, err);
}

int storage_write_answered(struct storage_store *s, const char *db, const char *request_id,
			   storage_job_fn fn, void *arg, char **answer, struct cr_err *err)
{
	return submit(s, db, request_id, fn, arg, answer, true, err);
}

int storage_write_past_reserve(struct storage_store *s, const char *db, storage_job_fn fn,
			       void *arg, struct cr_err *err)
{
	return submit(s, db, NULL, fn, arg, NULL, false, err);
}

int storage_write(struct storage_store *s, const char *db, const char *request_id,
		  storage_job_fn fn, void *arg, struct cr_err *err)
{
	return storage_write_answered(s, db, request_id, fn, arg, NULL, err);
}

int storage_write_ids(struct storage_store *s, const char *db, const char *request_id,
		      storage_job_fn fn, void *arg, int64_t *ids, size_t n, struct cr_err *err)
{
	char *answer = NULL;
	int rc = storage_write_answered(s, db, request_id, fn, arg, &answer, err);

	/* A job run now that kept no answer breaks the contract above. */
	cr_assert(rc != 0 || answer != NULL);
	if (rc >= 0)
		rc = storage_answer_ids(answer, ids, n, err);
	free(answer);
	return rc;
}

struct seen_args {
	const char *request_id;
	bool is_seen; /* out */
};

static int seen_fn(struct storage_conn *c, void *arg, struct cr_err *err)
{
	struct seen_args *a = arg;
	struct storage_value p = storage_text(a->request_id);
	struct storage_rows rows;
	struct cr_err why = { 0 };
	int rc = storage_conn_query_sql(c, "SELECT 1 FROM creek_request WHERE id = ?", &p, 1, &rows,
					&why);
	bool has_table = true;

	a->is_seen = rc == 0 && rows.n_rows > 0;
	storage_rows_close(&rows);
	if (rc < 0 && !storage_conn_is_broken(c)) {
		/* The writer makes creek_request at its first write to db:
		 * without it, nothing was written under any request id. */
		int r = storage_conn_query_sql(
		    c,
		    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'creek_request'",
		    NULL, 0, &rows, err);
		has_table = r == 0 && rows.n_rows > 0;
		storage_rows_close(&rows);
		if (r < 0)
			return r;
	}
	if (rc < 0 && has_table && err != NULL)
		*err = why;
	return has_table ? rc : 0;
}

int storage_request_seen(struct storage_store *s, const char *db, const char *request_id,
			 struct cr_err *err)
{
	struct seen_args a = { request_id, false };
	int rc;

	if (request_id == NULL)
		return 0;
	rc = storage_read(s, db, seen_fn, &a, err);
	return rc < 0 ? rc : a.is_seen ? 1 : 0;
}

struct exec_args {
	const char *sql;
	const struct storage_value *params;
	unsigned n_params;
	struct storage_result *result;
};

static int exec_fn(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct exec_args *e = arg;

	return storage_tx_exec(tx, e->sql, e->params, e->n_params, e->result, err);
}

int storage_exec(struct storage_store *s, const char *db, const char *request_id, const char *sql,
		 const struct storage_value *params, unsigned n_params,
		 struct storage_result *result, struct cr_err *err)
{
	struct exec_args e = { sql, params, n_params, result };

	return storage_write(s, db, request_id, exec_fn, &e, err);
}

void storage_store_stats(struct storage_store *s, struct storage_writer_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&s->lock);
	for (struct writer_entry *e = s->writers; e != NULL; e = e->next) {
		struct storage_writer_stats one;
		storage_writer_stats(e->writer, &one);
		out->commits += one.commits;
		out->jobs += one.jobs;
		out->retries += one.retries;
		out->unknown += one.unknown;
	}
	pthread_mutex_unlock(&s->lock);
}
