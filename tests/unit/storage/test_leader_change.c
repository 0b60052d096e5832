/* tests/unit/storage/test_leader_change.c: two real dqlite nodes; when
 * leadership moves, the pool finds the new leader and the writer retries on
 * it: every write commits exactly once, and reads follow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../support/fixture.h"
#include "lib/time.h"

struct two {
	char base[64];
	char dir[2][128];
	char address[2][64];
	struct storage_engine *engine[2];
	struct storage_store *store;
};

static void start(struct two *t, int i, uint64_t join_id)
{
	struct storage_engine_config ec = { 0 };
	struct cr_err err = { 0 };
	char base[64];

	memcpy(base, t->base, sizeof(base)); /* snprintf may not read what it writes */
	snprintf(t->dir[i], sizeof(t->dir[i]), "%s/n%d", base, i);
	snprintf(t->address[i], sizeof(t->address[i]), "127.0.0.1:%u", fixture_free_port());
	ec.dir = t->dir[i];
	ec.address = t->address[i];
	ec.latency_ms = 20;
	ec.join_id = join_id;
	if (storage_engine_start(&ec, &t->engine[i], &err) != 0)
		fail_msg("node %d: %s", i, err.msg);
}

static int setup(void **state)
{
	struct two *t = calloc(1, sizeof(*t));
	struct storage_store_config sc = {
		.pool = { .n_addresses = 2, .io_timeout_ms = 5000, .acquire_timeout_ms = 15000 }
	};
	struct storage_conn *c = NULL;
	struct cr_err err = { 0 };

	strcpy(t->base, "/tmp/creek-lc-XXXXXX");
	assert_non_null(mkdtemp(t->base));
	start(t, 0, 0);
	start(t, 1, 2);
	assert_int_equal(storage_conn_open(t->address[0], 5000, &c, &err), 0);
	if (storage_conn_add(c, 2, t->address[1], &err) != 0 ||
	    storage_conn_assign(c, 2, STORAGE_ROLE_VOTER, &err) != 0)
		fail_msg("join: %s", err.msg);
	storage_conn_free(c);
	sc.pool.addresses[0] = t->address[0];
	sc.pool.addresses[1] = t->address[1];
	assert_int_equal(storage_store_new(&sc, &t->store, &err), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct two *t = *state;

	storage_store_free(t->store);
	storage_engine_stop(t->engine[1]);
	storage_engine_stop(t->engine[0]);
	fixture_rmtree(t->base);
	free(t);
	return 0;
}

static void put(struct two *t, int64_t v)
{
	struct storage_value p = storage_int(v);
	struct cr_err err = { 0 };

	if (storage_exec(t->store, "lc", NULL, "INSERT INTO v (x) VALUES (?)", &p, 1, NULL, &err) !=
	    0)
		fail_msg("write %lld: %s", (long long)v, err.msg);
}

static void transfer_to(struct two *t, int to)
{
	struct storage_conn *c = NULL;
	struct cr_err err = { 0 };
	uint64_t id = 0;
	char leader[128];

	assert_int_equal(storage_conn_open(t->address[1 - to], 5000, &c, &err), 0);
	assert_int_equal(storage_conn_leader(c, &id, leader, sizeof(leader), &err), 0);
	assert_string_equal(leader, t->address[1 - to]);
	if (storage_conn_transfer(c, (uint64_t)to + 1, &err) != 0)
		fail_msg("transfer: %s", err.msg);
	storage_conn_free(c);
}

static void writes_and_reads_follow_the_leader(void **state)
{
	struct two *t = *state;
	struct storage_rows rows;
	struct cr_err err = { 0 };
	uint64_t id = 0;
	char leader[128];

	if (storage_exec(t->store, "lc", NULL, "CREATE TABLE v (x INTEGER PRIMARY KEY)", NULL, 0,
			 NULL, &err) != 0)
		fail_msg("create: %s", err.msg);
	for (int64_t i = 1; i <= 10; i++)
		put(t, i);
	transfer_to(t, 1); /* the writer's connection now points at a follower */
	for (int64_t i = 11; i <= 20; i++)
		put(t, i);
	storage_pool_last_leader(storage_store_pool(t->store), &id, leader, sizeof(leader));
	assert_int_equal(id, 2);
	assert_string_equal(leader, t->address[1]);
	transfer_to(t, 0);
	for (int64_t i = 21; i <= 30; i++)
		put(t, i);
	assert_int_equal(
	    storage_query(t->store, "lc", "SELECT COUNT(*), SUM(x) FROM v", NULL, 0, &rows, &err),
	    0);
	assert_int_equal(storage_rows_int(&rows, 0, 0, -1), 30);
	assert_int_equal(storage_rows_int(&rows, 0, 1, -1), 30 * 31 / 2);
	storage_rows_close(&rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_and_reads_follow_the_leader),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
