/* tests/unit/web/test_workers.c: the API's worker pool (web/workers.h):
 * jobs run off the caller's thread, the queue is bounded, and stopping
 * runs every job whose place was reserved. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/time.h"
#include "web/workers.h"

static struct web_workers *pool;
static atomic_int n_run;
static atomic_bool release;

/* A job that waits until released, as a handler waits on a peer. */
static void slow_job(void *job)
{
	(void)job;
	while (!atomic_load(&release))
		cr_sleep_ms(1);
	atomic_fetch_add(&n_run, 1);
	web_workers_done(pool);
}

static void wait_run(int n)
{
	for (int i = 0; i < 5000 && atomic_load(&n_run) < n; i++)
		cr_sleep_ms(1);
}

static void runs_jobs_and_bounds_the_queue(void **state)
{
	struct cr_err err = { 0 };

	(void)state;
	atomic_store(&n_run, 0);
	atomic_store(&release, false);
	assert_int_equal(web_workers_new(2, 5, slow_job, &pool, &err), 0);
	for (int i = 0; i < 5; i++) {
		assert_true(web_workers_reserve(pool));
		web_workers_submit(pool, NULL);
	}
	/* 2 running, 3 queued: the sixth is refused, at once. */
	assert_false(web_workers_reserve(pool));
	assert_int_equal(web_workers_busy(pool), 5);
	atomic_store(&release, true);
	wait_run(5);
	assert_int_equal(atomic_load(&n_run), 5);
	assert_int_equal(web_workers_busy(pool), 0);
	assert_true(web_workers_reserve(pool));
	web_workers_submit(pool, NULL);
	wait_run(6);
	assert_int_equal(atomic_load(&n_run), 6);
	web_workers_free(pool);
}

struct late {
	struct web_workers *w;
};

/* Reserves, lets the test start stopping, then submits. */
static void *submit_late(void *arg)
{
	struct late *l = arg;

	cr_sleep_ms(50);
	web_workers_submit(l->w, NULL);
	return NULL;
}

static void stop_runs_what_was_reserved(void **state)
{
	struct cr_err err = { 0 };
	struct late l;
	pthread_t t;

	(void)state;
	atomic_store(&n_run, 0);
	atomic_store(&release, true);
	assert_int_equal(web_workers_new(1, 4, slow_job, &pool, &err), 0);
	assert_true(web_workers_reserve(pool));
	l.w = pool;
	assert_int_equal(pthread_create(&t, NULL, submit_late, &l), 0);
	web_workers_stop(pool); /* waits for the job reserved before */
	assert_int_equal(atomic_load(&n_run), 1);
	assert_false(web_workers_reserve(pool)); /* stopping: refused */
	pthread_join(t, NULL);
	web_workers_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runs_jobs_and_bounds_the_queue),
		cmocka_unit_test(stop_runs_what_was_reserved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
