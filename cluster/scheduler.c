/* cluster/scheduler.c: the leader's job runner and the job kinds; see
 * scheduler.h. */
#define LOG_MODULE "cluster"
#include "scheduler.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/time.h"

#define DUE_BATCH     32
#define RETRY_BASE_US ((int64_t)1000000)
#define DAY_US        ((int64_t)86400 * 1000000)
#define CHECK_KEEP_US DAY_US
#define JOB_KEEP_US   (7 * DAY_US)

struct cluster_scheduler {
	struct cluster_scheduler_config cfg; /* prunes and chores point below */
	struct cluster_prune prunes[CLUSTER_HOUSEKEEPING_MAX];
	struct cluster_chore chores[CLUSTER_HOUSEKEEPING_MAX];
	struct cluster *cluster;
	struct storage_store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	uint64_t housekeeping_due_ms; /* monotonic */
};

/* A job as read from its row, plus what its kind gathered beforehand. */
struct job {
	struct cluster_scheduler *s;
	int64_t id;
	char kind[CLUSTER_JOB_KIND_MAX + 1];
	json_t *payload;
	int64_t due_us;
	int64_t period_us;
	int64_t now_us;
	struct cluster_status status; /* health samples */
};

/* ---- job kinds ---- */

struct job_kind {
	const char *name;
	bool is_internal; /* scheduled by Creek itself, not through the API */
	/* Check a payload given through the API. */
	int (*validate)(json_t *payload, struct cr_err *err);
	/* Outside the transaction: gather what the effect needs. */
	int (*prepare)(struct job *j, struct cr_err *err);
	/* Inside the transaction: the effect (SQL only). */
	int (*effect)(struct storage_tx *tx, struct job *j, struct cr_err *err);
};

static int health_prepare(struct job *j, struct cr_err *err)
{
	(void)err;
	cluster_status(j->s->cluster, &j->status);
	return 0;
}

static int health_effect(struct storage_tx *tx, struct job *j, struct cr_err *err)
{
	for (unsigned i = 0; i < j->status.n_nodes; i++) {
		const struct cluster_node_status *n = &j->status.nodes[i];
		char id[24];
		struct storage_value p[4];
		int rc;
		(void)snprintf(id, sizeof(id), "%" PRIu64, n->id);
		p[0] = storage_text(id);
		p[1] = storage_int(j->now_us);
		p[2] = storage_int(n->reachable ? 1 : 0);
		p[3] =
		    n->reachable ? storage_int((int64_t)(n->latency_ms * 1000.0)) : storage_null();
		rc = storage_tx_exec(tx,
				     "INSERT INTO node_health_sample (node_id, at_us, reachable, "
				     "latency_us) VALUES (?, ?, ?, ?)",
				     p, 4, NULL, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int prune_effect(struct storage_tx *tx, struct job *j, struct cr_err *err)
{
	struct storage_value p =
	    storage_int(j->now_us - (int64_t)j->s->cfg.keep_samples_days * DAY_US);
	int rc =
	    storage_tx_exec(tx, "DELETE FROM node_health_sample WHERE at_us < ?", &p, 1, NULL, err);

	p = storage_int(j->now_us - CHECK_KEEP_US);
	if (rc == 0)
		rc = storage_tx_exec(tx, "DELETE FROM write_check WHERE created_us < ?", &p, 1,
				     NULL, err);
	p = storage_int(j->now_us - JOB_KEEP_US);
	if (rc == 0)
		rc = storage_tx_exec(tx,
				     "DELETE FROM job WHERE state IN ('done', 'failed') AND "
				     "period_us = 0 AND last_run_us < ?",
				     &p, 1, NULL, err);
	if (rc == 0)
		rc = storage_tx_exec(tx, "DELETE FROM cluster_token WHERE expires_us < ?", &p, 1,
				     NULL, err);
	/* Then each engine's own rows, in the same transaction. */
	for (unsigned i = 0; rc == 0 && i < j->s->cfg.n_prunes; i++) {
		const struct cluster_prune *e = &j->s->cfg.prunes[i];
		rc = e->effect(tx, j->now_us, err);
		if (rc < 0)
			cr_err_wrap(err, "prune of '%s'", e->name);
	}
	return rc;
}

static int check_validate(json_t *payload, struct cr_err *err)
{
	json_t *tag = json_object_get(payload, "tag");

	if (!json_is_string(tag))
		return cr_err_set(err, CR_EINVAL, "a write-check job needs a string 'tag'");
	return cluster_check_tag_valid(json_string_value(tag), err);
}

static int check_effect(struct storage_tx *tx, struct job *j, struct cr_err *err)
{
	char node[24];
	char rid[48];
	struct storage_value p[4];

	(void)snprintf(node, sizeof(node), "%" PRIu64, j->s->cfg.self_id);
	(void)snprintf(rid, sizeof(rid), "job-%" PRId64, j->id);
	p[0] = storage_text(json_string_value(json_object_get(j->payload, "tag")));
	p[1] = storage_text(rid);
	p[2] = storage_text(node);
	p[3] = storage_int(j->now_us);
	if (p[0].type != STORAGE_TEXT)
		return cr_err_set(err, CR_EINVAL, "job %" PRId64 " has no tag", j->id);
	return storage_tx_exec(tx,
			       "INSERT INTO write_check (tag, request_id, node_id, created_us) "
			       "VALUES (?, ?, ?, ?)",
			       p, 4, NULL, err);
}

static const struct job_kind kinds[] = {
	{ "node-health-sample", true, NULL, health_prepare, health_effect },
	{ "prune", true, NULL, NULL, prune_effect },
	{ "write-check", false, check_validate, NULL, check_effect },
};

static const struct job_kind *kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* ---- running a job ---- */

static int run_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct job *j = arg;
	const struct job_kind *k = kind_find(j->kind);
	char node[24];
	struct storage_value p[6];
	struct storage_result res = { 0 };
	int64_t next = 0;
	int rc;

	(void)snprintf(node, sizeof(node), "%" PRIu64, j->s->cfg.self_id);
	if (j->period_us > 0) {
		/* The next due time after now, on the job's own beat. */
		next = j->due_us + j->period_us;
		if (next <= j->now_us)
			next = j->now_us + j->period_us;
	}
	p[0] = storage_text(j->period_us > 0 ? "pending" : "done");
	p[1] = storage_int(j->period_us > 0 ? next : j->due_us);
	p[2] = storage_int(j->now_us);
	p[3] = storage_text(node);
	p[4] = storage_int(j->id);
	p[5] = storage_int(j->due_us);
	rc = storage_tx_exec(
	    tx,
	    "UPDATE job SET state = ?, due_us = ?, runs = runs + 1, last_run_us = ?, "
	    "last_node = ?, last_error = NULL WHERE id = ? AND state = 'pending' AND "
	    "due_us = ?",
	    p, 6, &res, err);
	if (rc < 0)
		return rc;
	if (res.rows_affected != 1)
		return cr_err_set(err, CR_ECONFLICT, "job %" PRId64 " already ran", j->id);
	return k->effect(tx, j, err);
}

struct failure {
	int64_t id;
	int64_t due_us;
	int64_t now_us;
	const char *message;
};

static int record_failure(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct failure *f = arg;
	struct storage_value p[6] = { storage_int(CLUSTER_JOB_MAX_FAILURES - 1),
				      storage_int(f->now_us),
				      storage_int(RETRY_BASE_US),
				      storage_text(f->message),
				      storage_int(f->id),
				      storage_int(f->due_us) };

	/* Periodic jobs keep their beat; one-shot jobs back off, then fail. */
	return storage_tx_exec(
	    tx,
	    "UPDATE job SET failures = failures + 1,"
	    " state = CASE WHEN period_us = 0 AND failures >= ?1 THEN 'failed' ELSE state END,"
	    " due_us = CASE WHEN period_us > 0 THEN ?2 + period_us"
	    "  ELSE ?2 + ?3 * (1 << MIN(failures, 10)) END,"
	    " last_error = ?4, last_run_us = ?2 WHERE id = ?5 AND state = 'pending' AND due_us = "
	    "?6",
	    p, 6, NULL, err);
}

static void run_one(struct cluster_scheduler *s, struct job *j)
{
	const struct job_kind *k = kind_find(j->kind);
	char rid[64];
	struct cr_err err = { 0 };
	int rc = 0;

	if (k == NULL)
		rc = cr_err_set(&err, CR_EINVAL, "no job kind '%s'", j->kind);
	else if (k->prepare != NULL)
		rc = k->prepare(j, &err);
	/* The request id makes a re-run after an ambiguous commit a no-op. */
	(void)snprintf(rid, sizeof(rid), "job-%" PRId64 "-%" PRId64, j->id, j->due_us);
	if (rc == 0)
		rc = storage_write(s->store, STORAGE_DB_SYSTEM, rid, run_job, j, &err);
	if (rc >= 0) {
		log_debug("job %" PRId64 " (%s) ran", j->id, j->kind);
	} else if (rc == CR_ECONFLICT) {
		log_debug("job %" PRId64 " had already run", j->id);
	} else if (rc == CR_EUNAVAIL || rc == CR_EUNKNOWN) {
		log_info("job %" PRId64 " (%s) will be retried: %s", j->id, j->kind, err.msg);
	} else {
		struct failure f = { j->id, j->due_us, cr_wall_us(), err.msg };
		struct cr_err ferr = { 0 };
		log_warn("job %" PRId64 " (%s) failed: %s", j->id, j->kind, err.msg);
		if (storage_write(s->store, STORAGE_DB_SYSTEM, NULL, record_failure, &f, &ferr) < 0)
			log_warn("job %" PRId64 ": cannot record the failure: %s", j->id, ferr.msg);
	}
}

static void run_due(struct cluster_scheduler *s)
{
	struct storage_rows rows;
	struct cr_err err = { 0 };
	int64_t now = cr_wall_us();
	struct storage_value p[2] = { storage_int(now), storage_int(DUE_BATCH) };
	int rc = storage_query(s->store, STORAGE_DB_SYSTEM,
			       "SELECT id, kind, payload, due_us, period_us FROM job WHERE state = "
			       "'pending' AND due_us <= ? ORDER BY due_us LIMIT ?",
			       p, 2, &rows, &err);

	for (size_t r = 0; rc == 0 && r < rows.n_rows && cluster_is_leader(s->cluster); r++) {
		struct job j = { .s = s };
		const char *kind = storage_rows_text(&rows, r, 1);
		const char *payload = storage_rows_text(&rows, r, 2);
		j.id = storage_rows_int(&rows, r, 0, 0);
		(void)snprintf(j.kind, sizeof(j.kind), "%s", kind != NULL ? kind : "");
		j.payload = json_loads(payload != NULL ? payload : "{}", 0, NULL);
		if (j.payload == NULL)
			j.payload = json_object();
		j.due_us = storage_rows_int(&rows, r, 3, 0);
		j.period_us = storage_rows_int(&rows, r, 4, 0);
		j.now_us = cr_wall_us();
		run_one(s, &j);
		json_decref(j.payload);
	}
	if (rc < 0)
		log_debug("scheduler cannot read due jobs: %s", err.msg);
	storage_rows_close(&rows);
}

/* The periodic jobs Creek needs, created once per cluster. */
static int seed_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct cluster_scheduler *s = arg;
	int64_t now = cr_wall_us();
	struct storage_value p[3];
	int rc;

	p[0] = storage_int(now);
	p[1] = storage_int((int64_t)s->cfg.health_every_ms * 1000);
	p[2] = storage_int(now);
	rc = storage_tx_exec(
	    tx,
	    "INSERT INTO job (kind, unique_key, due_us, period_us, created_us) VALUES "
	    "('node-health-sample', 'node-health-sample', ?, ?, ?) "
	    "ON CONFLICT (unique_key) DO UPDATE SET period_us = excluded.period_us",
	    p, 3, NULL, err);
	p[1] = storage_int(3600 * (int64_t)1000000);
	if (rc == 0)
		rc = storage_tx_exec(
		    tx,
		    "INSERT INTO job (kind, unique_key, due_us, period_us, created_us) "
		    "VALUES ('prune', 'prune', ?, ?, ?) ON CONFLICT (unique_key) DO "
		    "NOTHING",
		    p, 3, NULL, err);
	return rc;
}

static void run_chores(struct cluster_scheduler *s)
{
	for (unsigned i = 0; i < s->cfg.n_chores; i++) {
		const struct cluster_chore *c = &s->cfg.chores[i];
		struct cr_err err = { 0 };
		if (c->run(c->arg, cr_wall_us(), &err) < 0)
			log_warn("housekeeping '%s' failed, retrying in %u s: %s", c->name,
				 s->cfg.housekeeping_every_ms / 1000, err.msg);
	}
}

static void *scheduler_main(void *arg)
{
	struct cluster_scheduler *s = arg;
	bool seeded = false;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		pthread_mutex_unlock(&s->lock);
		if (cluster_is_leader(s->cluster)) {
			struct cr_err err = { 0 };
			if (!seeded)
				seeded = storage_write(s->store, STORAGE_DB_SYSTEM, NULL, seed_job,
						       s, &err) >= 0;
			run_due(s);
			if (s->cfg.n_chores > 0 && cr_now_ms() >= s->housekeeping_due_ms) {
				s->housekeeping_due_ms = cr_now_ms() + s->cfg.housekeeping_every_ms;
				run_chores(s);
			}
		}
		pthread_mutex_lock(&s->lock);
		if (!s->stopping)
			cr_cond_wait_ms(&s->wake, &s->lock, s->cfg.poll_ms);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int cluster_scheduler_start(const struct cluster_scheduler_config *cfg, struct cluster *c,
			    struct storage_store *store, struct cluster_scheduler **out,
			    struct cr_err *err)
{
	struct cluster_scheduler *s;

	if (cfg->n_prunes > CLUSTER_HOUSEKEEPING_MAX || cfg->n_chores > CLUSTER_HOUSEKEEPING_MAX)
		return cr_err_set(err, CR_EINVAL, "at most %d prunes and %d chores",
				  CLUSTER_HOUSEKEEPING_MAX, CLUSTER_HOUSEKEEPING_MAX);
	s = cr_calloc(1, sizeof(*s));
	s->cfg = *cfg;
	if (cfg->n_prunes > 0)
		memcpy(s->prunes, cfg->prunes, cfg->n_prunes * sizeof(*cfg->prunes));
	if (cfg->n_chores > 0)
		memcpy(s->chores, cfg->chores, cfg->n_chores * sizeof(*cfg->chores));
	s->cfg.prunes = s->prunes;
	s->cfg.chores = s->chores;
	if (s->cfg.poll_ms == 0)
		s->cfg.poll_ms = 200;
	if (s->cfg.health_every_ms == 0)
		s->cfg.health_every_ms = 10000;
	if (s->cfg.keep_samples_days == 0)
		s->cfg.keep_samples_days = 7;
	if (s->cfg.housekeeping_every_ms == 0)
		s->cfg.housekeeping_every_ms = 3600 * 1000;
	s->housekeeping_due_ms =
	    cr_now_ms() +
	    (s->cfg.housekeeping_every_ms < 60000 ? s->cfg.housekeeping_every_ms : 60000);
	s->cluster = c;
	s->store = store;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, scheduler_main, s) != 0) {
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return cr_err_set(err, CR_EINTERNAL, "cannot start the scheduler");
	}
	*out = s;
	return 0;
}

void cluster_scheduler_stop(struct cluster_scheduler *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- the API's side ---- */

struct new_job {
	const char *kind;
	const char *payload;
	const char *unique_key;
	int64_t due_us;
	int64_t now_us;
	int64_t id;
};

static int insert_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct new_job *n = arg;
	/* unique_key "request:<id>" finds the job again when the request is
	 * retried. */
	struct storage_value p[5] = { storage_text(n->kind), storage_text(n->payload),
				      n->unique_key != NULL ? storage_text(n->unique_key)
							    : storage_null(),
				      storage_int(n->due_us), storage_int(n->now_us) };
	struct storage_result res = { 0 };
	int rc = storage_tx_exec(tx,
				 "INSERT INTO job (kind, payload, unique_key, due_us, created_us) "
				 "VALUES (?, ?, ?, ?, ?)",
				 p, 5, &res, err);

	n->id = (int64_t)res.last_insert_id;
	return rc;
}

int cluster_job_create(struct storage_store *store, const char *kind, const char *payload,
		       uint64_t due_in_ms, const char *request_id, int64_t *id_out,
		       struct cr_err *err)
{
	const struct job_kind *k = kind_find(kind);
	char key[STORAGE_REQUEST_ID_MAX + 16];
	struct new_job n = { kind, payload, NULL, 0, cr_wall_us(), 0 };
	json_t *doc;
	int rc;

	if (k == NULL || k->is_internal)
		return cr_err_set(err, CR_EINVAL, "'%s' is not a job kind that can be scheduled",
				  kind);
	if (strlen(payload) > CLUSTER_JOB_PAYLOAD_MAX)
		return cr_err_set(err, CR_ETOOBIG, "a job's payload is at most %d bytes",
				  CLUSTER_JOB_PAYLOAD_MAX);
	if (due_in_ms > (uint64_t)366 * 86400 * 1000)
		return cr_err_set(err, CR_EINVAL, "a job is due within a year");
	doc = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
	rc = json_is_object(doc) ? 0
				 : cr_err_set(err, CR_EINVAL, "a job's payload is a JSON object");
	if (rc == 0 && k->validate != NULL)
		rc = k->validate(doc, err);
	json_decref(doc);
	if (rc < 0)
		return rc;
	n.due_us = n.now_us + (int64_t)due_in_ms * 1000;
	if (request_id != NULL) {
		(void)snprintf(key, sizeof(key), "request:%s", request_id);
		n.unique_key = key;
	}
	rc = storage_write(store, STORAGE_DB_SYSTEM, request_id, insert_job, &n, err);
	if (rc == 1) {
		/* Created before under this request id: the same job. */
		struct storage_value p = storage_text(key);
		struct storage_rows rows;
		rc = storage_query(store, STORAGE_DB_SYSTEM,
				   "SELECT id FROM job WHERE unique_key = ?", &p, 1, &rows, err);
		if (rc == 0 && rows.n_rows == 0)
			rc =
			    cr_err_set(err, CR_ECONFLICT,
				       "this Idempotency-Key was used for another kind of request");
		n.id = rc == 0 ? storage_rows_int(&rows, 0, 0, 0) : 0;
		storage_rows_close(&rows);
	}
	if (rc < 0)
		return rc;
	*id_out = n.id;
	return 0;
}

int cluster_job_get(struct storage_store *store, int64_t id, struct cluster_job_info *out,
		    struct cr_err *err)
{
	struct storage_value p = storage_int(id);
	struct storage_rows rows;
	int rc = storage_query(store, STORAGE_DB_SYSTEM,
			       "SELECT kind, state, due_us, period_us, runs, failures, last_error, "
			       "last_node FROM job WHERE id = ?",
			       &p, 1, &rows, err);

	memset(out, 0, sizeof(*out));
	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no job %" PRId64, id);
	if (rc == 0) {
		const char *t;
		out->id = id;
		t = storage_rows_text(&rows, 0, 0);
		(void)snprintf(out->kind, sizeof(out->kind), "%s", t != NULL ? t : "");
		t = storage_rows_text(&rows, 0, 1);
		(void)snprintf(out->state, sizeof(out->state), "%s", t != NULL ? t : "");
		out->due_us = storage_rows_int(&rows, 0, 2, 0);
		out->period_us = storage_rows_int(&rows, 0, 3, 0);
		out->runs = storage_rows_int(&rows, 0, 4, 0);
		out->failures = storage_rows_int(&rows, 0, 5, 0);
		t = storage_rows_text(&rows, 0, 6);
		(void)snprintf(out->last_error, sizeof(out->last_error), "%s", t != NULL ? t : "");
		t = storage_rows_text(&rows, 0, 7);
		(void)snprintf(out->last_node, sizeof(out->last_node), "%s", t != NULL ? t : "");
	}
	storage_rows_close(&rows);
	return rc;
}

int cluster_check_tag_valid(const char *tag, struct cr_err *err)
{
	size_t n = strlen(tag);

	if (n == 0 || n > CLUSTER_CHECK_TAG_MAX)
		return cr_err_set(err, CR_EINVAL, "a tag is 1 to %d characters",
				  CLUSTER_CHECK_TAG_MAX);
	for (size_t i = 0; i < n; i++) {
		char ch = tag[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return cr_err_set(err, CR_EINVAL,
					  "a tag may hold only letters, digits, '.', '_' and '-'");
	}
	return 0;
}

struct new_check {
	const char *tag;
	const char *request_id;
	const char *node_id;
	int64_t id;
};

static int insert_check(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct new_check *c = arg;
	struct storage_value p[4] = { storage_text(c->tag),
				      c->request_id != NULL ? storage_text(c->request_id)
							    : storage_null(),
				      storage_text(c->node_id), storage_int(cr_wall_us()) };
	struct storage_result res = { 0 };
	int rc =
	    storage_tx_exec(tx,
			    "INSERT INTO write_check (tag, request_id, node_id, created_us) VALUES "
			    "(?, ?, ?, ?)",
			    p, 4, &res, err);

	c->id = (int64_t)res.last_insert_id;
	return rc;
}

int cluster_check_add(struct storage_store *store, const char *tag, const char *request_id,
		      uint64_t node_id, int64_t *id_out, bool *replayed, struct cr_err *err)
{
	char node[24];
	struct new_check c = { tag, request_id, node, 0 };
	int rc = cluster_check_tag_valid(tag, err);

	(void)snprintf(node, sizeof(node), "%" PRIu64, node_id);
	if (rc == 0)
		rc = storage_write(store, STORAGE_DB_SYSTEM, request_id, insert_check, &c, err);
	*replayed = rc == 1;
	if (rc == 1) {
		struct storage_value p = storage_text(request_id);
		struct storage_rows rows;
		rc = storage_query(store, STORAGE_DB_SYSTEM,
				   "SELECT id FROM write_check WHERE request_id = ?", &p, 1, &rows,
				   err);
		c.id = rc == 0 && rows.n_rows > 0 ? storage_rows_int(&rows, 0, 0, 0) : 0;
		storage_rows_close(&rows);
	}
	if (rc < 0)
		return rc;
	*id_out = c.id;
	return 0;
}

int cluster_check_list(struct storage_store *store, const char *tag, int64_t after, unsigned limit,
		       int64_t *ids, unsigned *n_out, struct cr_err *err)
{
	struct storage_value p[3] = { storage_text(tag), storage_int(after), storage_int(limit) };
	struct storage_rows rows;
	int rc = cluster_check_tag_valid(tag, err);

	*n_out = 0;
	if (rc == 0)
		rc =
		    storage_query(store, STORAGE_DB_SYSTEM,
				  "SELECT id FROM write_check WHERE tag = ? AND id > ? ORDER BY id "
				  "LIMIT ?",
				  p, 3, &rows, err);
	else
		storage_rows_init(&rows);
	for (size_t r = 0; rc == 0 && r < rows.n_rows && r < limit; r++)
		ids[(*n_out)++] = storage_rows_int(&rows, r, 0, 0);
	storage_rows_close(&rows);
	return rc;
}
