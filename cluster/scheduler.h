/* cluster/scheduler.h: jobs that run on exactly one node.
 *
 * Jobs are rows of the `job` table in the system database with a due time;
 * periodic jobs carry a period. Every node runs a scheduler thread, but
 * only the one whose node leads acts: it reads due jobs and runs each in
 * one write transaction that holds both the job's effect and its
 * completion, guarded by the job's state and due time:
 *
 *   UPDATE job SET <done / next due> WHERE id = ? AND state = 'pending'
 *     AND due_us = ?      -- 0 rows: another leader already ran it: roll back
 *   <the job's effect>
 *   COMMIT
 *
 * so a job that ran is never run again, and a job whose transaction did not
 * commit (the leader died half-way) is run by the next leader. A job may
 * first gather what it needs outside the transaction (prepare: network,
 * probes); its effect is SQL only. A failing one-shot job is retried with
 * backoff and marked failed after CLUSTER_JOB_MAX_FAILURES. */
#ifndef CREEK_CLUSTER_SCHEDULER_H
#define CREEK_CLUSTER_SCHEDULER_H

#include <stdint.h>

#include "../lib/err.h"
#include "../storage/store.h"
#include "cluster.h"

#define CLUSTER_JOB_MAX_FAILURES 5
#define CLUSTER_JOB_KIND_MAX     32
#define CLUSTER_JOB_PAYLOAD_MAX  4096
#define CLUSTER_CHECK_TAG_MAX    64

struct cluster_scheduler;

/* Housekeeping the engines above register: node/ builds the tables, so
 * that cluster includes no core (each engine deletes its own rows). */

/* A part of the hourly `prune` job: it runs inside the job's transaction
 * on the system database, after cluster's own deletions, so it runs
 * exactly once per due time, with the job (the job contract above: SQL
 * only, it may be retried whole). now_us is the job's time. */
typedef int (*cluster_prune_fn)(struct storage_tx *tx, int64_t now_us, struct cr_err *err);
struct cluster_prune {
	const char *name; /* the owner, named in errors: "identity" */
	cluster_prune_fn effect;
};

/* Work that does not fit one system transaction (emptying every
 * workspace's recycle bins): run by the leader on the scheduler's thread
 * every housekeeping_every_ms, outside any transaction. It writes through
 * storage itself and must be harmless to run again (a deposed leader may
 * start it once more). A failure is logged by the scheduler and retried
 * on the next beat. */
typedef int (*cluster_chore_fn)(void *arg, int64_t now_us, struct cr_err *err);
struct cluster_chore {
	const char *name; /* named in the log: "recycle-bins" */
	cluster_chore_fn run;
	void *arg;
};

#define CLUSTER_HOUSEKEEPING_MAX 8 /* prunes, and chores, each */

struct cluster_scheduler_config {
	unsigned poll_ms;           /* how often the leader looks for due jobs; default 200 */
	unsigned health_every_ms;   /* node health samples; default 10000 */
	unsigned keep_samples_days; /* default 7 */
	uint64_t self_id;
	/* The engines' housekeeping, at most CLUSTER_HOUSEKEEPING_MAX of each
	 * (copied at start); chores every housekeeping_every_ms (default one
	 * hour; the first run a minute after start). */
	const struct cluster_prune *prunes;
	unsigned n_prunes;
	const struct cluster_chore *chores;
	unsigned n_chores;
	unsigned housekeeping_every_ms;
};

/* CR_EINVAL: more than CLUSTER_HOUSEKEEPING_MAX prunes or chores. */
int cluster_scheduler_start(const struct cluster_scheduler_config *cfg, struct cluster *c,
			    struct storage_store *store, struct cluster_scheduler **out,
			    struct cr_err *err);
void cluster_scheduler_stop(struct cluster_scheduler *s); /* NULL is a no-op */

/* Schedule a one-shot job of kind (a registered kind) due in due_in_ms.
 * payload is a JSON object as text (validated by the kind). *id_out gets
 * the job's id. request_id (may be NULL) makes a retry create it once. */
int cluster_job_create(struct storage_store *store, const char *kind, const char *payload,
		       uint64_t due_in_ms, const char *request_id, int64_t *id_out,
		       struct cr_err *err);

struct cluster_job_info {
	int64_t id;
	char kind[CLUSTER_JOB_KIND_MAX + 1];
	char state[16];
	int64_t due_us;
	int64_t period_us;
	int64_t runs;
	int64_t failures;
	char last_error[256];
	char last_node[24];
};
/* CR_ENOTFOUND if there is no such job. */
int cluster_job_get(struct storage_store *store, int64_t id, struct cluster_job_info *out,
		    struct cr_err *err);

/* Write checks: a row per acknowledged write, for operators (and tests) to
 * prove the cluster accepts writes and keeps them. */
int cluster_check_add(struct storage_store *store, const char *tag, const char *request_id,
		      uint64_t node_id, int64_t *id_out, bool *replayed, struct cr_err *err);
/* Ids of the checks with tag, ascending, after `after`, at most limit. */
int cluster_check_list(struct storage_store *store, const char *tag, int64_t after, unsigned limit,
		       int64_t *ids, unsigned *n_out, struct cr_err *err);
/* Tags are 1 to CLUSTER_CHECK_TAG_MAX bytes of [A-Za-z0-9._-]. */
int cluster_check_tag_valid(const char *tag, struct cr_err *err);

#endif
