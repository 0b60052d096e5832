/* storage/writer.c: one writer thread per database, group commit; see
 * writer.h for the contract. Outcome of one attempt at a batch:
 *
 *   COMMITTED  COMMIT answered OK: answer every job
 *   RETRY      nothing committed (no leader, leader changed before COMMIT,
 *              busy store): run the whole batch again on a new connection
 *   UNKNOWN    COMMIT sent, answer lost or LEADERSHIP_LOST: look up the
 *              batch marker on the (new) leader, then COMMITTED or RETRY
 *   FAILED     a statement of the writer itself failed for a reason a retry
 *              cannot fix: answer every job with that error */
#define LOG_MODULE "storage"
#include "writer.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "../lib/assert.h"
#include "../lib/buf.h"
#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/text.h"
#include "../lib/time.h"

#define WRITER_PRUNE_EVERY     256
#define WRITER_BATCH_KEEP_US   ((int64_t)86400 * 1000000) /* rows of writers gone: 1 day */
#define WRITER_FAILED_RETRIES  3 /* tries of a batch whose statements fail */
#define WRITER_STOP_TRIES      3 /* retries of a batch once the store is stopping */
#define WRITER_REQUEST_KEEP_US ((int64_t)86400 * 1000000) /* request ids: 1 day */

enum attempt {
	ATTEMPT_COMMITTED,
	ATTEMPT_RETRY,
	ATTEMPT_UNKNOWN,
	ATTEMPT_FAILED,
	ATTEMPT_RERUN, /* a job failed on its own and is left out: again, at once */
};

struct job {
	const char *request_id;
	storage_job_fn fn;
	void *arg;
	int rc;
	struct cr_err err;
	bool is_done;
	uint64_t deadline_ms; /* submit time + write timeout: answered by then */
	/* Set per attempt by check_requests(): the request id is already in
	 * creek_request (a batch never holds two jobs with one id). */
	bool is_seen;
	/* The job failed on its own (its error is its answer): later attempts
	 * of the batch leave it out. */
	bool is_excluded;
	/* The job's answer (owned, heap): what its run set with
	 * storage_tx_answer(), or for a replay what check_requests() read from
	 * creek_request. Reset at each attempt; handed to the caller on
	 * success, freed otherwise. */
	char *answer;
	struct job *next;
};

struct storage_tx {
	struct storage_conn *conn;
	struct job *job;
};

struct storage_writer {
	struct storage_pool *pool; /* borrowed */
	char *db;
	unsigned max_batch;
	unsigned write_timeout_ms;
	pthread_t thread;
	pthread_mutex_t lock; /* guards queue, is_stopping, stats, job->is_done */
	pthread_cond_t wake;
	pthread_cond_t answered;
	struct job *head;
	struct job *tail;
	bool is_stopping;
	bool is_draining;  /* shutdown(): jobs still run, no waiting for a leader */
	unsigned n_inside; /* callers inside submit() */
	struct storage_writer_stats stats;
	/* writer thread only */
	struct storage_conn *conn;
	bool is_schema_ready;
	bool is_conn_tuned; /* the connection's pragmas are set */
	uint64_t seq;
	uint64_t nonce;
};

/* Writes submitted from this thread that may have taken effect (see
 * storage_writer_applied_here()). Per thread, like errno: a request is
 * answered on the thread that submitted its writes. */
static _Thread_local uint64_t applied_here;

/* creek_writer_batch: one row per writer instance (its random nonce),
 * replaced by every commit with the id of the batch committed; so it stays
 * as small as the number of writers, however many commits there are.
 * creek_request: one row per request id applied, with the answer its job
 * kept (NULL: none kept, or recorded before answers were kept). */
static const char WRITER_SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS creek_writer_batch (writer TEXT PRIMARY KEY, "
    "batch TEXT NOT NULL, committed_us INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS creek_request (id TEXT PRIMARY KEY, created_us INTEGER "
    "NOT NULL, answer TEXT);"
    "CREATE INDEX IF NOT EXISTS creek_request_created ON creek_request (created_us);";

/* Migration of a creek_request made before answers were kept: add the
 * column. Another writer may add it at the same time; the caller then
 * looks again (WRITER_HAS_ANSWER) instead of failing. */
static const char WRITER_HAS_ANSWER[] =
    "SELECT 1 FROM pragma_table_info('creek_request') WHERE name = 'answer'";
static const char WRITER_ADD_ANSWER[] = "ALTER TABLE creek_request ADD COLUMN answer TEXT";

/* ---- transactions handed to jobs ---- */

int storage_tx_exec(struct storage_tx *tx, const char *sql, const struct storage_value *params,
		    unsigned n_params, struct storage_result *result, struct cr_err *err)
{
	return storage_conn_exec_sql(tx->conn, sql, params, n_params, result, err);
}

int storage_tx_query(struct storage_tx *tx, const char *sql, const struct storage_value *params,
		     unsigned n_params, struct storage_rows *rows, struct cr_err *err)
{
	return storage_conn_query_sql(tx->conn, sql, params, n_params, rows, err);
}

int storage_tx_answer(struct storage_tx *tx, const char *answer, struct cr_err *err)
{
	cr_assert(answer != NULL);
	if (strlen(answer) > STORAGE_ANSWER_MAX)
		return cr_err_set(err, CR_ETOOBIG, "a write's answer is limited to %d bytes",
				  STORAGE_ANSWER_MAX);
	free(tx->job->answer);
	tx->job->answer = cr_strdup(answer);
	return 0;
}

int storage_tx_answer_ids(struct storage_tx *tx, const int64_t *ids, size_t n, struct cr_err *err)
{
	struct cr_buf b;
	int rc;

	cr_buf_init(&b, STORAGE_ANSWER_MAX + 1);
	rc = cr_buf_printf(&b, "[");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = cr_buf_printf(&b, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
	if (rc == 0)
		rc = cr_buf_printf(&b, "]");
	rc = rc < 0 ? cr_err_set(err, CR_ETOOBIG, "a write's answer is limited to %d bytes",
				 STORAGE_ANSWER_MAX)
		    : storage_tx_answer(tx, b.data, err);
	cr_buf_close(&b);
	return rc;
}

/* Parse n ids of an answer "[1,2,3]" into ids (NULL: only check). */
static bool parse_ids(const char *p, int64_t *ids, size_t n)
{
	if (p == NULL || *p++ != '[')
		return false;
	for (size_t i = 0; i < n; i++) {
		char *end;
		long long v;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (end == p || errno != 0 || *end != (i + 1 < n ? ',' : ']'))
			return false;
		if (ids != NULL)
			ids[i] = (int64_t)v;
		p = end + 1;
	}
	return n == 0 ? p[0] == ']' && p[1] == '\0' : p[0] == '\0';
}

int storage_answer_ids(const char *answer, int64_t *ids, size_t n, struct cr_err *err)
{
	if (!parse_ids(answer, NULL, n))
		return cr_err_set(err, CR_ECONFLICT,
				  "this request was applied before, and its answer was not kept");
	(void)parse_ids(answer, ids, n);
	return 0;
}

/* ---- one attempt ---- */

static void drop_conn(struct storage_writer *w)
{
	storage_pool_discard(w->pool, w->conn);
	w->conn = NULL;
	w->is_conn_tuned = false;
}

static int exec(struct storage_writer *w, const char *sql, const struct storage_value *params,
		unsigned n, struct cr_err *err)
{
	return storage_conn_exec_sql(w->conn, sql, params, n, NULL, err);
}

/* After a failed statement: RETRY if the connection or leadership is the
 * cause, FAILED otherwise. Rolls back what is left. A ROLLBACK that fails
 * (refused as busy, say) leaves the transaction open on the node: the
 * connection is dropped then, and closing it ends the transaction. */
static enum attempt abandon(struct storage_writer *w, int rc)
{
	if (storage_conn_is_broken(w->conn)) {
		drop_conn(w);
		return ATTEMPT_RETRY;
	}
	if (exec(w, "ROLLBACK", NULL, 0, NULL) < 0)
		drop_conn(w);
	return rc == CR_EUNAVAIL ? ATTEMPT_RETRY : ATTEMPT_FAILED;
}

static int lookup(struct storage_conn *c, const char *sql, const char *id, bool *found,
		  struct cr_err *err)
{
	struct storage_rows rows;
	struct storage_value p = storage_text(id);
	int rc = storage_conn_query_sql(c, sql, &p, 1, &rows, err);

	if (rc == 0)
		*found = rows.n_rows > 0;
	storage_rows_close(&rows);
	return rc;
}

/* Run one job inside the batch's transaction. Its statements are its only
 * round trips: its request id is recorded for the whole batch at the end
 * (record_requests). 0: the job ran (j->rc 0) or was applied before
 * (j->rc 1); 1: the job failed on its own (j->rc < 0): the caller rolls
 * the transaction back and runs the batch again without it; < 0: the
 * writer's own statements or the connection failed. */
static int run_job(struct storage_writer *w, struct job *j, struct cr_err *err)
{
	struct storage_tx tx = { .conn = w->conn, .job = j };

	(void)err;
	memset(&j->err, 0, sizeof(j->err));
	if (j->request_id != NULL && j->is_seen) {
		j->rc = 1; /* applied before: nothing done, j->answer is the first's */
		return 0;
	}
	uint64_t busy = storage_conn_busy_count(w->conn);

	free(j->answer); /* a re-run starts without an answer */
	j->answer = NULL;
	j->rc = j->fn(&tx, j->arg, &j->err);
	if (j->rc > 0)
		j->rc = 0;
	/* A statement the node refused as busy did not run, whatever the job
	 * made of its error (or even if it went on): the store, not the job,
	 * failed, and the whole batch is run again. */
	if (storage_conn_is_broken(w->conn) || j->rc == CR_EUNAVAIL ||
	    storage_conn_busy_count(w->conn) != busy)
		return cr_err_set(err, CR_EUNAVAIL, "%s",
				  j->err.msg[0] != '\0' ? j->err.msg : "the store was busy");
	return j->rc < 0 ? 1 : 0;
}

/* head, each m - 1 more times, then tail, into sql: the statement of a
 * chunk of m rows or ids. Asserted to fit (each buffer is sized for its
 * chunk's maximum). */
static void placeholders(char *sql, size_t len, const char *head, const char *each, unsigned m,
			 const char *tail)
{
	size_t off = strlen(head);

	cr_format_fixed(sql, len, "%s", head);
	for (unsigned k = 1; k < m; k++) {
		cr_format_fixed(sql + off, len - off, "%s", each);
		off += strlen(each);
	}
	cr_format_fixed(sql + off, len - off, "%s", tail);
}

#define WRITER_INSERT_CHUNK 85 /* (id, created_us, answer) per INSERT (<= 255 params) */

/* Record the request ids of the jobs that ran, with their answers, a
 * multi-row INSERT per chunk. */
static int record_requests(struct storage_writer *w, struct job **jobs, unsigned n,
			   struct cr_err *err)
{
	struct storage_value params[3 * WRITER_INSERT_CHUNK];
	char sql[80 + 11 * WRITER_INSERT_CHUNK];
	int64_t now = cr_wall_us();
	unsigned i = 0;

	while (i < n) {
		unsigned m = 0;
		int rc;
		for (; i < n && m < WRITER_INSERT_CHUNK; i++) {
			struct job *j = jobs[i];
			if (j->request_id == NULL || j->is_excluded || j->rc != 0)
				continue;
			struct storage_value *row = params + 3 * (size_t)m;
			row[0] = storage_text(j->request_id);
			row[1] = storage_int(now);
			row[2] = j->answer != NULL ? storage_text(j->answer) : storage_null();
			m++;
		}
		if (m == 0)
			break;
		placeholders(sql, sizeof(sql),
			     "INSERT INTO creek_request (id, created_us, answer) VALUES (?, ?, ?)",
			     ", (?, ?, ?)", m, "");
		rc = exec(w, sql, params, 3 * m, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int prune(struct storage_writer *w, struct cr_err *err)
{
	int64_t now = cr_wall_us();
	struct storage_value old_batch = storage_int(now - WRITER_BATCH_KEEP_US);
	struct storage_value old_request = storage_int(now - WRITER_REQUEST_KEEP_US);
	int rc =
	    exec(w, "DELETE FROM creek_writer_batch WHERE committed_us < ?", &old_batch, 1, err);

	if (rc == 0)
		rc =
		    exec(w, "DELETE FROM creek_request WHERE created_us < ?", &old_request, 1, err);
	return rc;
}

/* Time left until deadline (at least 1 ms: a last try). */
static unsigned remaining_ms(uint64_t deadline)
{
	uint64_t now = cr_now_ms();

	return now + 1 >= deadline ? 1 : (unsigned)(deadline - now);
}

/* creek_request has its answer column (see WRITER_ADD_ANSWER). */
static int add_answer_column(struct storage_writer *w, struct cr_err *err)
{
	bool found = false;
	int rc = 0;

	for (int tries = 0; rc == 0 && !found && tries < 2; tries++) {
		struct storage_rows rows;
		rc = storage_conn_query_sql(w->conn, WRITER_HAS_ANSWER, NULL, 0, &rows, err);
		found = rc == 0 && rows.n_rows > 0;
		storage_rows_close(&rows);
		if (rc == 0 && !found && exec(w, WRITER_ADD_ANSWER, NULL, 0, err) == 0)
			found = true;
		if (storage_conn_is_broken(w->conn))
			return CR_EUNAVAIL;
	}
	return rc < 0 || found ? rc
			       : cr_err_set(err, CR_EINTERNAL, "cannot add creek_request.answer");
}

static int prepare_conn(struct storage_writer *w, uint64_t deadline, struct cr_err *err)
{
	int rc;

	if (w->conn == NULL) {
		rc = storage_pool_acquire_within(w->pool, w->db, remaining_ms(deadline), &w->conn,
						 err);
		if (rc < 0)
			return rc;
	}
	/* A big transaction must not spill dirty pages into the WAL before
	 * it commits: dqlite replicates whole transactions, and a read of a
	 * spilled page fails (SQLITE_IOERR_SHORT_READ; dqlite issues #163,
	 * #432). The pages stay in memory until COMMIT instead. */
	if (!w->is_conn_tuned) {
		rc = exec(w, "PRAGMA cache_spill = OFF", NULL, 0, err);
		if (rc < 0)
			return rc;
		w->is_conn_tuned = true;
	}
	if (!w->is_schema_ready) {
		rc = exec(w, WRITER_SCHEMA, NULL, 0, err);
		if (rc == 0)
			rc = add_answer_column(w, err);
		if (rc < 0)
			return rc;
		w->is_schema_ready = true;
	}
	return 0;
}

#define WRITER_LOOKUP_CHUNK 200 /* request ids per lookup query (<= 255 params) */

/* Which jobs' request ids are already recorded: one query per chunk of
 * ids instead of one per job (each query is a round trip to the leader). */
static int check_requests(struct storage_writer *w, struct job **jobs, unsigned n,
			  struct cr_err *err)
{
	struct storage_value params[WRITER_LOOKUP_CHUNK];
	struct job *chunk[WRITER_LOOKUP_CHUNK];
	char sql[64 + 3 * WRITER_LOOKUP_CHUNK];
	unsigned i = 0;

	for (unsigned k = 0; k < n; k++) {
		jobs[k]->is_seen = false;
		free(jobs[k]->answer);
		jobs[k]->answer = NULL;
	}
	while (i < n) {
		struct storage_rows rows;
		unsigned m = 0;
		int rc;
		for (; i < n && m < WRITER_LOOKUP_CHUNK; i++) {
			if (jobs[i]->request_id == NULL || jobs[i]->is_excluded)
				continue;
			chunk[m] = jobs[i];
			params[m++] = storage_text(jobs[i]->request_id);
		}
		if (m == 0)
			break;
		placeholders(sql, sizeof(sql),
			     "SELECT id, answer FROM creek_request WHERE id IN (?", ",?", m, ")");
		rc = storage_conn_query_sql(w->conn, sql, params, m, &rows, err);
		for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
			const char *id = storage_rows_text(&rows, r, 0);
			const char *was = storage_rows_text(&rows, r, 1);
			for (unsigned k = 0; id != NULL && k < m; k++) {
				if (strcmp(chunk[k]->request_id, id) != 0)
					continue;
				chunk[k]->is_seen = true;
				chunk[k]->answer = was != NULL ? cr_strdup(was) : NULL;
			}
		}
		storage_rows_close(&rows);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static enum attempt attempt(struct storage_writer *w, struct job **jobs, unsigned n,
			    const char *batch_id, uint64_t deadline, struct cr_err *err)
{
	char writer[24];
	struct storage_value marker[3];
	int rc = prepare_conn(w, deadline, err);

	(void)snprintf(writer, sizeof(writer), "%016" PRIx64, w->nonce);
	marker[0] = storage_text(writer);
	marker[1] = storage_text(batch_id);
	marker[2] = storage_int(cr_wall_us());
	if (rc < 0) {
		if (w->conn != NULL)
			return abandon(w, rc);
		return ATTEMPT_RETRY;
	}
	rc = exec(w, "BEGIN", NULL, 0, err);
	if (rc == 0)
		rc = check_requests(w, jobs, n, err);
	for (unsigned i = 0; rc == 0 && i < n; i++) {
		if (jobs[i]->is_excluded)
			continue;
		rc = run_job(w, jobs[i], err);
		if (rc == 1) {
			/* The job failed on its own: undo the batch, run it again
			 * without this job (jobs may run more than once). */
			jobs[i]->is_excluded = true;
			rc = exec(w, "ROLLBACK", NULL, 0, err);
			if (rc < 0)
				return abandon(w, rc);
			return ATTEMPT_RERUN;
		}
	}
	if (rc == 0)
		rc = record_requests(w, jobs, n, err);
	if (rc == 0 && w->seq % WRITER_PRUNE_EVERY == 0)
		rc = prune(w, err);
	if (rc < 0)
		return abandon(w, rc);
	/* The marker and COMMIT in one request; if the marker failed, dqlite
	 * stops before COMMIT and answers FAILURE (handled below). */
	rc = exec(w,
		  "INSERT OR REPLACE INTO creek_writer_batch (writer, batch, committed_us) "
		  "VALUES (?, ?, ?); COMMIT",
		  marker, 3, err);
	if (rc == 0)
		return ATTEMPT_COMMITTED;
	if (!storage_conn_was_refused(w->conn)) {
		/* COMMIT may have reached Raft: settled by the marker, never
		 * re-run blindly; dropping the connection ends the transaction
		 * if it is still open (the lookup must not run inside it). */
		drop_conn(w);
		return ATTEMPT_UNKNOWN;
	}
	return abandon(w, rc); /* refused before it ran: not applied */
}

/* Stopping or draining: no more waiting for a leader. */
static bool is_stopping(struct storage_writer *w)
{
	bool stopping;

	pthread_mutex_lock(&w->lock);
	stopping = w->is_stopping || w->is_draining;
	pthread_mutex_unlock(&w->lock);
	return stopping;
}

/* Settle an UNKNOWN attempt: 1 committed, 0 not committed, < 0 no answer. */
static int resolve(struct storage_writer *w, const char *batch_id, uint64_t deadline,
		   struct cr_err *err)
{
	struct cr_backoff backoff = CR_BACKOFF(50, 1000);

	for (bool first = true; cr_now_ms() < deadline && (first || !is_stopping(w));
	     first = false) {
		bool found = false;
		int rc = storage_pool_acquire_within(w->pool, w->db, remaining_ms(deadline),
						     &w->conn, err);
		if (rc == 0)
			rc = lookup(w->conn, "SELECT 1 FROM creek_writer_batch WHERE batch = ?",
				    batch_id, &found, err);
		if (rc == 0)
			return found ? 1 : 0;
		if (w->conn != NULL)
			drop_conn(w);
		cr_backoff_sleep(&backoff);
	}
	return cr_err_set(err, CR_EUNKNOWN, "the outcome of the write could not be settled");
}

/* ---- the thread ---- */

static void answer(struct storage_writer *w, struct job **jobs, unsigned n, int rc,
		   const struct cr_err *err, bool is_committed)
{
	pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < n; i++) {
		/* A job left out keeps its own error; the others get the batch's
		 * outcome unless it committed (then each has its own). */
		if (!is_committed && !jobs[i]->is_excluded) {
			jobs[i]->rc = rc;
			jobs[i]->err = *err;
		}
		if (jobs[i]->rc == CR_EUNKNOWN)
			w->stats.unknown++;
		jobs[i]->is_done = true;
	}
	w->stats.jobs += n;
	if (is_committed)
		w->stats.commits++;
	pthread_cond_broadcast(&w->answered);
	pthread_mutex_unlock(&w->lock);
}

static void run_batch(struct storage_writer *w, struct job **jobs, unsigned n)
{
	/* The earliest caller's deadline (time spent queued counts). */
	uint64_t deadline = UINT64_MAX;
	struct cr_backoff backoff = CR_BACKOFF(10, 500);
	struct cr_err err = { 0 };
	char batch_id[64];
	unsigned failures = 0;
	unsigned stop_tries = 0;

	for (unsigned i = 0; i < n; i++)
		if (jobs[i]->deadline_ms < deadline)
			deadline = jobs[i]->deadline_ms;
	if (deadline < cr_now_ms() + 50)
		deadline = cr_now_ms() + 50; /* queued past it: one short try */
	for (;;) {
		enum attempt a;
		w->seq++;
		(void)snprintf(batch_id, sizeof(batch_id), "%016" PRIx64 "-%" PRIu64, w->nonce,
			       w->seq);
		a = attempt(w, jobs, n, batch_id, deadline, &err);
		if (a == ATTEMPT_RERUN) {
			bool any = false;
			for (unsigned i = 0; i < n; i++)
				any |= !jobs[i]->is_excluded;
			if (!any) { /* every job failed on its own: each has its answer */
				answer(w, jobs, n, CR_EINTERNAL, &err, false);
				return;
			}
			continue;
		}
		if (a == ATTEMPT_UNKNOWN) {
			int r = resolve(w, batch_id, deadline, &err);
			a = r == 1 ? ATTEMPT_COMMITTED : r == 0 ? ATTEMPT_RETRY : ATTEMPT_UNKNOWN;
			if (a == ATTEMPT_UNKNOWN) {
				answer(w, jobs, n, CR_EUNKNOWN, &err, false);
				return;
			}
		}
		if (a == ATTEMPT_COMMITTED) {
			answer(w, jobs, n, 0, &err, true);
			return;
		}
		if (a == ATTEMPT_FAILED && ++failures < WRITER_FAILED_RETRIES) {
			/* During a leadership change the old leader aborts the open
			 * transaction, and the next statement fails with an ordinary
			 * SQL error ("no such savepoint"): retry on a fresh
			 * connection before calling it a failure. */
			log_warn("write to database '%s' will be retried: %s", w->db, err.msg);
			if (w->conn != NULL)
				drop_conn(w);
			a = ATTEMPT_RETRY;
		}
		if (a == ATTEMPT_FAILED) {
			log_err("write to database '%s' failed: %s", w->db, err.msg);
			(void)cr_err_set(&err, CR_EINTERNAL, "the write failed: %.200s", err.msg);
			answer(w, jobs, n, CR_EINTERNAL, &err, false);
			return;
		}
		pthread_mutex_lock(&w->lock);
		w->stats.retries++;
		pthread_mutex_unlock(&w->lock);
		/* Stopping: a few quick tries (a leader that exists is found at
		 * once; leadership may just have been handed over), no waiting
		 * for an election. */
		if (is_stopping(w) && ++stop_tries > WRITER_STOP_TRIES) {
			log_warn("write to database '%s' given up at shutdown: %s", w->db, err.msg);
			answer(w, jobs, n, CR_EUNAVAIL, &err, false);
			return;
		}
		if (!cr_backoff_fits(&backoff, deadline)) {
			log_warn("write to database '%s' gave up: %s", w->db, err.msg);
			answer(w, jobs, n, CR_EUNAVAIL, &err, false);
			return;
		}
		cr_backoff_sleep(&backoff);
	}
}

/* A batch never holds two jobs with one request id (a client's retry
 * while its first try still waits): the second waits for the next batch,
 * where it finds the first's record. */
static bool has_request(struct job **batch, unsigned n, const struct job *j)
{
	if (j->request_id == NULL)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (batch[i]->request_id != NULL &&
		    strcmp(batch[i]->request_id, j->request_id) == 0)
			return true;
	return false;
}

static void *writer_main(void *arg)
{
	struct storage_writer *w = arg;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	struct job **batch = cr_calloc(w->max_batch, sizeof(*batch));

	for (;;) {
		unsigned n = 0;
		pthread_mutex_lock(&w->lock);
		while (w->head == NULL && !w->is_stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->is_stopping) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		while (w->head != NULL && n < w->max_batch && !has_request(batch, n, w->head)) {
			batch[n++] = w->head;
			w->head = w->head->next;
		}
		if (w->head == NULL)
			w->tail = NULL;
		pthread_mutex_unlock(&w->lock);
		run_batch(w, batch, n);
	}
	free(batch);
	drop_conn(w);
	return NULL;
}

int storage_writer_new(struct storage_pool *pool, const char *db,
		       const struct storage_writer_config *cfg, struct storage_writer **out,
		       struct cr_err *err)
{
	struct storage_writer *w = cr_calloc(1, sizeof(*w));
	int rc;

	w->pool = pool;
	w->db = cr_strdup(db);
	w->max_batch = cfg != NULL && cfg->max_batch > 0 ? cfg->max_batch : 256;
	w->write_timeout_ms =
	    cfg != NULL && cfg->write_timeout_ms > 0 ? cfg->write_timeout_ms : 15000;
	if (getrandom(&w->nonce, sizeof(w->nonce), 0) != (ssize_t)sizeof(w->nonce))
		w->nonce = cr_now_us() ^ (uint64_t)(uintptr_t)w;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->answered, NULL);
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	if (rc != 0) {
		pthread_cond_destroy(&w->answered);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w->db);
		free(w);
		return cr_err_set(err, CR_EINTERNAL, "cannot start the writer thread");
	}
	*out = w;
	return 0;
}

void storage_writer_shutdown(struct storage_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->is_draining = true;
	pthread_mutex_unlock(&w->lock);
}

void storage_writer_free(struct storage_writer *w)
{
	struct cr_err err;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->is_stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	(void)cr_err_set(&err, CR_EUNAVAIL, "the store is shutting down");
	pthread_mutex_lock(&w->lock);
	for (struct job *j = w->head; j != NULL; j = j->next) {
		j->rc = CR_EUNAVAIL;
		j->err = err;
		j->is_done = true;
	}
	w->head = w->tail = NULL;
	pthread_cond_broadcast(&w->answered);
	/* Wait for callers woken above to leave submit() before freeing. */
	while (w->n_inside > 0)
		pthread_cond_wait(&w->answered, &w->lock);
	pthread_mutex_unlock(&w->lock);
	pthread_cond_destroy(&w->answered);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->db);
	free(w);
}

int storage_writer_submit(struct storage_writer *w, const char *request_id, storage_job_fn fn,
			  void *arg, char **answer, struct cr_err *err)
{
	struct job j = { .request_id = request_id,
			 .fn = fn,
			 .arg = arg,
			 .deadline_ms = cr_now_ms() + w->write_timeout_ms };

	if (request_id != NULL &&
	    (request_id[0] == '\0' || strlen(request_id) > STORAGE_REQUEST_ID_MAX))
		return cr_err_set(err, CR_EINVAL, "request id must be 1 to %d bytes",
				  STORAGE_REQUEST_ID_MAX);
	pthread_mutex_lock(&w->lock);
	if (w->is_stopping) {
		pthread_mutex_unlock(&w->lock);
		return cr_err_set(err, CR_EUNAVAIL, "the store is shutting down");
	}
	/* j lives on this stack until the writer has answered it and taken it
	 * off the queue: submit() returns only after is_done. */
	if (w->tail != NULL)
		w->tail->next = &j;
	else
		w->head = &j; /* cppcheck-suppress autoVariables */
	w->tail = &j;         /* cppcheck-suppress autoVariables */
	w->n_inside++;
	pthread_cond_signal(&w->wake);
	while (!j.is_done)
		pthread_cond_wait(&w->answered, &w->lock);
	w->n_inside--;
	if (w->is_stopping)
		pthread_cond_broadcast(&w->answered);
	pthread_mutex_unlock(&w->lock);
	if (j.rc >= 0 || j.rc == CR_EUNKNOWN)
		applied_here++;
	if (j.rc < 0 && err != NULL)
		*err = j.err;
	if (j.rc >= 0 && answer != NULL)
		*answer = j.answer; /* the caller's from here on */
	else
		free(j.answer);
	return j.rc;
}

uint64_t storage_writer_applied_here(void)
{
	return applied_here;
}

void storage_writer_stats(struct storage_writer *w, struct storage_writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}
