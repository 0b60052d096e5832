/* tests/unit/storage/test_writer.c: the group-commit writer: concurrent
 * callers never see SQLITE_BUSY, jobs share commits, a failing job is
 * rolled back alone, request ids apply once, and a write survives its
 * node restarting underneath it. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../support/fixture.h"
#include "lib/time.h"

#define N_THREADS         8
#define WRITES_PER_THREAD 200

static int setup(void **state)
{
	struct fixture *f;
	struct cr_err err = { 0 };

	fixture_setup(state);
	f = *state;
	if (storage_exec(f->store, "w", NULL,
			 "CREATE TABLE item (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, "
			 "seq INTEGER NOT NULL, UNIQUE (owner, seq))",
			 NULL, 0, NULL, &err) != 0)
		fail_msg("create: %s", err.msg);
	return 0;
}

static int64_t count(struct fixture *f, const char *sql)
{
	struct storage_rows rows;
	struct cr_err err = { 0 };
	int64_t n;

	if (storage_query(f->store, "w", sql, NULL, 0, &rows, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
	n = storage_rows_int(&rows, 0, 0, -1);
	storage_rows_close(&rows);
	return n;
}

struct worker {
	struct fixture *f;
	int owner;
	int n_errors;
	struct cr_err last;
};

static void *write_many(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < WRITES_PER_THREAD; i++) {
		struct storage_value p[2] = { storage_int(w->owner), storage_int(i) };
		if (storage_exec(w->f->store, "w", NULL,
				 "INSERT INTO item (owner, seq) VALUES (?, ?)", p, 2, NULL,
				 &w->last) != 0)
			w->n_errors++;
	}
	return NULL;
}

static void concurrent_writers_all_commit_and_share_transactions(void **state)
{
	struct fixture *f = *state;
	pthread_t t[N_THREADS];
	struct worker w[N_THREADS];
	struct storage_writer_stats before;
	struct storage_writer_stats after;

	storage_store_stats(f->store, &before);
	for (int i = 0; i < N_THREADS; i++) {
		w[i] = (struct worker){ .f = f, .owner = 100 + i };
		pthread_create(&t[i], NULL, write_many, &w[i]);
	}
	for (int i = 0; i < N_THREADS; i++) {
		pthread_join(t[i], NULL);
		if (w[i].n_errors != 0)
			fail_msg("writer %d: %d errors, last: %s", i, w[i].n_errors, w[i].last.msg);
	}
	storage_store_stats(f->store, &after);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM item WHERE owner >= 100"),
			 N_THREADS * WRITES_PER_THREAD);
	assert_int_equal(after.jobs - before.jobs, N_THREADS * WRITES_PER_THREAD);
	/* Group commit: fewer transactions than jobs. */
	assert_true(after.commits - before.commits < after.jobs - before.jobs);
}

struct pair {
	int seq;
};

static int insert_seq(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct pair *p = arg;
	struct storage_value v[2] = { storage_int(1), storage_int(p->seq) };

	return storage_tx_exec(tx, "INSERT INTO item (owner, seq) VALUES (?, ?)", v, 2, NULL, err);
}

struct job_thread {
	struct fixture *f;
	struct pair p;
	int rc;
	struct cr_err err;
};

static void *submit_one(void *arg)
{
	struct job_thread *j = arg;

	j->rc = storage_write(j->f->store, "w", NULL, insert_seq, &j->p, &j->err);
	return NULL;
}

static void a_failing_job_rolls_back_alone(void **state)
{
	struct fixture *f = *state;
	pthread_t t[6];
	struct job_thread j[6];
	int n_conflicts = 0;

	/* Six jobs at once, two of them with the same seq: exactly one of that
	 * pair fails with a conflict, every other job commits. */
	for (int i = 0; i < 6; i++) {
		j[i] = (struct job_thread){ .f = f, .p = { .seq = i == 5 ? 0 : i } };
		pthread_create(&t[i], NULL, submit_one, &j[i]);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		if (j[i].rc == CR_ECONFLICT)
			n_conflicts++;
		else
			assert_int_equal(j[i].rc, 0);
	}
	assert_int_equal(n_conflicts, 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM item WHERE owner = 1"), 5);
}

static int counted_insert(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	int *runs = arg;
	struct storage_value v[2] = { storage_int(2), storage_int(7) };

	(*runs)++;
	return storage_tx_exec(tx, "INSERT INTO item (owner, seq) VALUES (?, ?)", v, 2, NULL, err);
}

static void a_request_id_applies_once(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };
	int runs = 0;

	assert_int_equal(storage_write(f->store, "w", "req-abc", counted_insert, &runs, &err), 0);
	assert_int_equal(storage_write(f->store, "w", "req-abc", counted_insert, &runs, &err), 1);
	assert_int_equal(runs, 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM item WHERE owner = 2"), 1);
	/* A job that failed leaves no record: the same id may try again. */
	assert_int_equal(storage_write(f->store, "w", "req-dup", counted_insert, &runs, &err),
			 CR_ECONFLICT);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM creek_request WHERE id = 'req-dup'"), 0);
}

/* A create that keeps its new row's id as its answer; fails while
 * fail_runs > 0 (counting down), like a job that loses a race. */
struct create {
	int runs;
	int fail_runs;
	int seq;
	int64_t id; /* out */
};

static int create_item(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct create *c = arg;
	struct storage_value v[2] = { storage_int(4), storage_int(c->seq) };
	struct storage_result res = { 0 };
	int rc;

	c->runs++;
	if (c->fail_runs > 0) {
		c->fail_runs--;
		return cr_err_set(err, CR_ECONFLICT, "lost a race");
	}
	rc = storage_tx_exec(tx, "INSERT INTO item (owner, seq) VALUES (?, ?)", v, 2, &res, err);
	c->id = rc == 0 ? (int64_t)res.last_insert_id : 0;
	return rc < 0 ? rc : storage_tx_answer_ids(tx, &c->id, 1, err);
}

static void a_replay_gets_the_stored_answer(void **state)
{
	struct fixture *f = *state;
	struct create c = { .seq = 1 };
	struct create again = { .seq = 2 }; /* another request's body: never run */
	struct cr_err err = { 0 };
	char *answer = NULL;
	int64_t first = 0, replayed = 0;

	assert_int_equal(
	    storage_write_ids(f->store, "w", "req-answer", create_item, &c, &first, 1, &err), 0);
	assert_true(first > 0);
	assert_int_equal(first, c.id);
	/* Same id: not run, and answered with the first run's id as 0. */
	assert_int_equal(
	    storage_write_ids(f->store, "w", "req-answer", create_item, &again, &replayed, 1, &err),
	    0);
	assert_int_equal(again.runs, 0);
	assert_int_equal(replayed, first);
	/* The writer itself says it was a replay, with the stored text. */
	assert_int_equal(
	    storage_write_answered(f->store, "w", "req-answer", create_item, &again, &answer, &err),
	    1);
	assert_non_null(answer);
	assert_int_equal(again.runs, 0);
	free(answer);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM item WHERE owner = 4"), 1);
}

static void a_replay_of_a_failed_request_runs_normally(void **state)
{
	struct fixture *f = *state;
	struct create c = { .seq = 3, .fail_runs = 1 };
	struct cr_err err = { 0 };
	int64_t id = -1;

	assert_int_equal(
	    storage_write_ids(f->store, "w", "req-failed", create_item, &c, &id, 1, &err),
	    CR_ECONFLICT);
	assert_int_equal(id, -1); /* not written on an error */
	assert_int_equal(
	    storage_write_ids(f->store, "w", "req-failed", create_item, &c, &id, 1, &err), 0);
	assert_int_equal(c.runs, 2);
	assert_int_equal(id, c.id);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM item WHERE owner = 4 AND seq = 3"), 1);
}

static void a_replay_recorded_without_an_answer_is_a_conflict(void **state)
{
	struct fixture *f = *state;
	struct create c = { .seq = 5 };
	struct cr_err err = { 0 };
	int64_t id = -1;

	/* As written by a node from before answers were kept. */
	if (storage_exec(f->store, "w", NULL,
			 "INSERT INTO creek_request (id, created_us) VALUES ('req-old', 1)", NULL,
			 0, NULL, &err) != 0)
		fail_msg("insert: %s", err.msg);
	assert_int_equal(storage_write_ids(f->store, "w", "req-old", create_item, &c, &id, 1, &err),
			 CR_ECONFLICT);
	assert_int_equal(c.runs, 0);
	assert_int_equal(id, -1);
}

static void a_request_table_without_answers_is_migrated(void **state)
{
	struct fixture *f = *state;
	struct storage_conn *c = fixture_conn(f, "old");
	struct create c1 = { .seq = 1 };
	struct cr_err err = { 0 };
	struct storage_rows rows;
	int64_t id = 0, again = 0;

	/* creek_request as the writer made it before answers were kept. */
	if (storage_conn_exec_sql(c,
				  "CREATE TABLE creek_request (id TEXT PRIMARY KEY, created_us "
				  "INTEGER NOT NULL); CREATE TABLE item (id INTEGER PRIMARY KEY, "
				  "owner INTEGER NOT NULL, seq INTEGER NOT NULL)",
				  NULL, 0, NULL, &err) != 0)
		fail_msg("old schema: %s", err.msg);
	storage_conn_free(c);
	assert_int_equal(
	    storage_write_ids(f->store, "old", "req-m", create_item, &c1, &id, 1, &err), 0);
	assert_int_equal(
	    storage_write_ids(f->store, "old", "req-m", create_item, &c1, &again, 1, &err), 0);
	assert_int_equal(c1.runs, 1);
	assert_int_equal(again, id);
	if (storage_query(f->store, "old", "SELECT answer FROM creek_request WHERE id = 'req-m'",
			  NULL, 0, &rows, &err) != 0)
		fail_msg("query: %s", err.msg);
	assert_non_null(storage_rows_text(&rows, 0, 0));
	storage_rows_close(&rows);
}

static void a_committed_request_id_is_seen_before_writing(void **state)
{
	struct fixture *f = *state;
	struct create c = { .seq = 6 };
	struct cr_err err = { 0 };
	int64_t id = 0;

	assert_int_equal(storage_request_seen(f->store, "w", "req-seen", &err), 0);
	assert_int_equal(storage_request_seen(f->store, "w", NULL, &err), 0);
	/* A database no write with a request id has reached yet. */
	assert_int_equal(storage_request_seen(f->store, "fresh", "req-seen", &err), 0);
	assert_int_equal(
	    storage_write_ids(f->store, "w", "req-seen", create_item, &c, &id, 1, &err), 0);
	assert_int_equal(storage_request_seen(f->store, "w", "req-seen", &err), 1);
}

static void answers_are_parsed_strictly(void **state)
{
	struct cr_err err = { 0 };
	int64_t out[2] = { -1, -1 };

	(void)state;
	assert_int_equal(storage_answer_ids("[7]", out, 1, &err), 0);
	assert_int_equal(out[0], 7);
	assert_int_equal(storage_answer_ids("[]", out, 0, &err), 0);
	assert_int_equal(storage_answer_ids("[1,2]", out, 1, &err), CR_ECONFLICT);
	assert_int_equal(storage_answer_ids("[8,x]", out, 2, &err), CR_ECONFLICT);
	assert_int_equal(storage_answer_ids("[9]x", out, 1, &err), CR_ECONFLICT);
	assert_int_equal(storage_answer_ids(NULL, out, 1, &err), CR_ECONFLICT);
	assert_int_equal(out[0], 7); /* untouched by the failures */
}

/* 11-byte ids: more than STORAGE_ANSWER_MAX bytes in all. */
#define TOO_MANY_IDS (STORAGE_ANSWER_MAX / 11 + 1)

static int answer_too_big(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	int64_t *ids = arg;

	return storage_tx_answer_ids(tx, ids, TOO_MANY_IDS, err);
}

static void an_answer_over_the_limit_fails_its_job(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };
	int64_t *ids = calloc(TOO_MANY_IDS, sizeof(*ids));

	for (size_t i = 0; i < TOO_MANY_IDS; i++)
		ids[i] = 1000000000 + (int64_t)i;
	assert_int_equal(storage_write(f->store, "w", "req-big", answer_too_big, ids, &err),
			 CR_ETOOBIG);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM creek_request WHERE id = 'req-big'"), 0);
	free(ids);
}

struct same_id {
	struct fixture *f;
	int runs;
	int rc;
};

static int counted_insert_9(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct same_id *s = arg;
	struct storage_value v[2] = { storage_int(3), storage_int(9) };

	__atomic_add_fetch(&s->runs, 1, __ATOMIC_RELAXED);
	return storage_tx_exec(tx, "INSERT INTO item (owner, seq) VALUES (?, ?)", v, 2, NULL, err);
}

static void *submit_same_id(void *arg)
{
	struct same_id *s = arg;
	struct cr_err err = { 0 };

	s->rc = storage_write(s->f->store, "w", "req-same", counted_insert_9, s, &err);
	return NULL;
}

static void one_request_id_sent_at_once_applies_once(void **state)
{
	struct fixture *f = *state;
	struct same_id s[8];
	pthread_t t[8];
	int committed = 0;

	/* A client retrying while its first try is still queued: the copies
	 * land in one batch or in several; either way the job runs once. */
	for (int i = 0; i < 8; i++) {
		s[i] = (struct same_id){ .f = f };
		pthread_create(&t[i], NULL, submit_same_id, &s[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_true(s[i].rc == 0 || s[i].rc == 1);
		committed += s[i].rc == 0;
	}
	assert_int_equal(committed, 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM item WHERE owner = 3"), 1);
}

static void bad_request_ids_and_database_names_are_refused(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };
	char long_id[STORAGE_REQUEST_ID_MAX + 2];
	int runs = 0;

	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(storage_write(f->store, "w", long_id, counted_insert, &runs, &err),
			 CR_EINVAL);
	assert_int_equal(storage_write(f->store, "w", "", counted_insert, &runs, &err), CR_EINVAL);
	assert_int_equal(storage_write(f->store, "Bad Name", NULL, counted_insert, &runs, &err),
			 CR_EINVAL);
	assert_int_equal(runs, 0);
}

struct restart {
	struct fixture *f;
};

static void *restart_node_soon(void *arg)
{
	struct fixture *f = arg;

	cr_sleep_ms(300);
	fixture_restart_node(f);
	return NULL;
}

static void a_write_survives_its_node_restarting(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };
	struct pair p = { .seq = 4242 };
	pthread_t t;

	/* The writer holds a connection to the node; stop the node, start a
	 * write, bring the node back: the writer reconnects, retries, and the
	 * row is there exactly once. */
	assert_int_equal(
	    storage_write(f->store, "w", NULL, insert_seq, &(struct pair){ 4241 }, &err), 0);
	fixture_stop_node(f);
	pthread_create(&t, NULL, restart_node_soon, f);
	if (storage_write(f->store, "w", "restart-1", insert_seq, &p, &err) != 0)
		fail_msg("write during restart: %s", err.msg);
	pthread_join(t, NULL);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM item WHERE seq = 4242"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_writers_all_commit_and_share_transactions),
		cmocka_unit_test(a_failing_job_rolls_back_alone),
		cmocka_unit_test(a_request_id_applies_once),
		cmocka_unit_test(a_replay_gets_the_stored_answer),
		cmocka_unit_test(a_replay_of_a_failed_request_runs_normally),
		cmocka_unit_test(a_replay_recorded_without_an_answer_is_a_conflict),
		cmocka_unit_test(a_request_table_without_answers_is_migrated),
		cmocka_unit_test(a_committed_request_id_is_seen_before_writing),
		cmocka_unit_test(answers_are_parsed_strictly),
		cmocka_unit_test(an_answer_over_the_limit_fails_its_job),
		cmocka_unit_test(one_request_id_sent_at_once_applies_once),
		cmocka_unit_test(bad_request_ids_and_database_names_are_refused),
		cmocka_unit_test(a_write_survives_its_node_restarting),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
