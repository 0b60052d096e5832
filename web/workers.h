/* web/workers.h: the threads API handlers run on, off libmicrohttpd's.
 *
 * A handler may wait on the store or on a peer (a forward to the leader, a
 * write's group commit) for seconds when a node is paused or cut off. It
 * does not wait on an HTTP thread: the server suspends the connection,
 * hands the request to these workers, and the worker resumes the
 * connection when the answer is ready (ARCHITECTURE.md, Threads). So a
 * stalled store or peer holds workers, never the threads that accept
 * connections, serve the UI's files and answer the requests already done.
 * The queue is bounded: when it is full, web_workers_reserve() says no and
 * the server answers 503 with Retry-After at once. */
#ifndef CREEK_WEB_WORKERS_H
#define CREEK_WEB_WORKERS_H

#include <stdbool.h>

#include "../lib/err.h"

struct web_workers;

/* Runs one job on a worker thread. */
typedef void (*web_work_fn)(void *job);

/* n_threads workers; at most max_jobs jobs queued or running. */
int web_workers_new(unsigned n_threads, unsigned max_jobs, web_work_fn work,
		    struct web_workers **out, struct cr_err *err);
/* From now on no place is reserved; waits until every job whose place was
 * reserved has been submitted and run, and the threads have ended. */
void web_workers_stop(struct web_workers *w);
/* web_workers_stop() if not done yet, then frees. NULL is a no-op. */
void web_workers_free(struct web_workers *w);

/* A place for one job: false when max_jobs are queued or running, or the
 * workers are stopping. A place reserved must be used by
 * web_workers_submit() (which cannot fail). */
bool web_workers_reserve(struct web_workers *w);
void web_workers_submit(struct web_workers *w, void *job);
/* A job's place is free again: call from work() when the job no longer
 * needs the worker's attention (before handing its result away). */
void web_workers_done(struct web_workers *w);

/* Jobs queued or running now. */
unsigned web_workers_busy(struct web_workers *w);

#endif
