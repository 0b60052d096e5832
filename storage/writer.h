/* storage/writer.h: the one writer of a database, with group commit.
 *
 * dqlite allows one write transaction per database cluster-wide and answers
 * a second writer with SQLITE_BUSY at once. So each database has exactly one
 * writer thread: callers hand it jobs and wait; it runs many jobs in one
 * transaction, commits once and answers every caller. No caller ever sees
 * SQLITE_BUSY. A job costs only its own statements (request ids are looked
 * up and recorded once per batch); a job that fails on its own is answered
 * with its error, and the batch is rolled back and run again without it.
 *
 * Every transaction also records its batch id in the writer's own row of
 * creek_writer_batch (one row per writer, replaced each commit). When a
 * commit's outcome is unknown (leadership lost mid-commit, connection cut
 * after COMMIT was sent, or any failure dqlite may give once the entry is
 * in the Raft log: docs/storage.md, "What a failed COMMIT means"), the
 * writer reconnects and looks the marker up: present means committed,
 * absent means not; then it answers or re-runs the batch. Only the
 * failures dqlite gives before anything reaches Raft (busy, not leader,
 * an SQL error) re-run the batch at once.
 *
 * Replays. A job that carries a request id is recorded in creek_request in
 * the same transaction as its effect, together with its answer: a short
 * text the job sets with storage_tx_answer() (the ids it created, say).
 * A later job with the same id (a client's or a forwarding node's retry,
 * on any node) is not run: the caller gets 1 and that stored answer, and
 * answers exactly as the first time. A job that failed, or a batch that
 * rolled back, records nothing: the same id then runs normally.
 *
 * Job contract: a job may be run more than once (after a leader change the
 * whole batch is re-run on the new leader), so it must act only through the
 * storage_tx it is given and write its outputs to its own arg each time
 * (never reading them back as inputs: a re-run finds there what the run
 * that was rolled back left); what its caller needs to answer (created
 * ids) it also puts in its answer, because a replay gets only that. Jobs
 * run on the writer thread; keep them short (no network, no sleeps).
 *
 *   caller -> submit() -> queue -> [writer thread] BEGIN, request-id
 *   lookup (+ answers), jobs..., request ids + answers + batch marker,
 *   COMMIT -> answer callers */
#ifndef CREEK_STORAGE_WRITER_H
#define CREEK_STORAGE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/err.h"
#include "conn.h"
#include "pool.h"

/* Longest request id a caller may attach. */
#define STORAGE_REQUEST_ID_MAX 128
/* Longest answer a job may keep with its request id (bytes, without the
 * NUL): room for the ids of a 1,000-record batch. */
#define STORAGE_ANSWER_MAX 32768

struct storage_tx;
struct storage_writer;

/* Statements inside the job's transaction (writer thread only). */
int storage_tx_exec(struct storage_tx *tx, const char *sql, const struct storage_value *params,
		    unsigned n_params, struct storage_result *result, struct cr_err *err);
int storage_tx_query(struct storage_tx *tx, const char *sql, const struct storage_value *params,
		     unsigned n_params, struct storage_rows *rows, struct cr_err *err);

/* Keep answer (text, copied) as what this job's caller needs to answer
 * it; stored with the job's request id on commit and handed back to every
 * replay. A later call replaces an earlier one; a re-run starts with none.
 * CR_ETOOBIG past STORAGE_ANSWER_MAX. Writer thread only. */
int storage_tx_answer(struct storage_tx *tx, const char *answer, struct cr_err *err);
/* storage_tx_answer() of the ids, written as "[1,2,3]". CR_ETOOBIG. */
int storage_tx_answer_ids(struct storage_tx *tx, const int64_t *ids, size_t n, struct cr_err *err);
/* Read exactly n ids from an answer kept by storage_tx_answer_ids().
 * CR_ECONFLICT if answer is NULL (a replay of a request recorded before
 * answers were kept) or does not hold n ids. Any thread. */
int storage_answer_ids(const char *answer, int64_t *ids, size_t n, struct cr_err *err);

/* A job: 0 to keep its changes, < 0 (with err filled) to roll them back. */
typedef int (*storage_job_fn)(struct storage_tx *tx, void *arg, struct cr_err *err);

struct storage_writer_config {
	unsigned max_batch;        /* jobs per transaction; default 256 */
	unsigned write_timeout_ms; /* give up on a job after this; default 15000 */
};

struct storage_writer_stats {
	uint64_t commits; /* transactions committed */
	uint64_t jobs;    /* jobs answered */
	uint64_t retries; /* batches re-run after a leader change or busy store */
	uint64_t unknown; /* jobs answered CR_EUNKNOWN */
};

/* Start the writer thread of database db. The pool is borrowed and must
 * outlive the writer. */
int storage_writer_new(struct storage_pool *pool, const char *db,
		       const struct storage_writer_config *cfg, struct storage_writer **out,
		       struct cr_err *err);
/* Begin stopping (any thread): jobs are still run, but a batch that finds
 * no leader gives up at once (CR_EUNAVAIL, or CR_EUNKNOWN for a commit it
 * cannot settle) instead of waiting out the write timeout.
 * storage_writer_free() still has to be called. */
void storage_writer_shutdown(struct storage_writer *w);
/* Stop the thread after the current batch; queued jobs get CR_EUNAVAIL. */
void storage_writer_free(struct storage_writer *w); /* NULL is a no-op */

/* Run fn in a transaction and wait for the answer. Any thread.
 * request_id may be NULL; otherwise at most STORAGE_REQUEST_ID_MAX bytes.
 * Returns 0 when the job committed now, 1 when a request with this id had
 * already committed (fn was not run), the job's own error, CR_EUNAVAIL when
 * nothing was committed and it is safe to retry, or CR_EUNKNOWN when the
 * outcome could not be settled within write_timeout_ms. Never 0 or 1
 * unless the job's effect is committed.
 * answer may be NULL; otherwise, on 0 or 1, *answer is the job's answer
 * (on 1 the first run's, as stored) or NULL if none was kept; the caller
 * frees it with free(). Not written on an error. */
int storage_writer_submit(struct storage_writer *w, const char *request_id, storage_job_fn fn,
			  void *arg, char **answer, struct cr_err *err);

/* How many storage_writer_submit() calls made by the calling thread
 * returned 0, 1 or CR_EUNKNOWN: writes whose effect is, or may be, in the
 * store. Whoever answers for a whole request (web/) reads it before and
 * after: once it has moved, a later failure (a read after the write, say)
 * must not be reported as "nothing was written". Any thread; each thread
 * has its own count. */
uint64_t storage_writer_applied_here(void);

void storage_writer_stats(struct storage_writer *w, struct storage_writer_stats *out);

#endif
