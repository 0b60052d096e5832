/* tests/unit/core/test_prune.c: identity's part of the hourly prune job
 * (core/identity/prune.c), run as the scheduler runs it: inside one write
 * transaction on a real system database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../support/fixture.h"
#include "core/identity/identity.h"
#include "node/schema.h"

#define NOW_US    ((int64_t)1800000000 * 1000000)
#define MINUTE_US ((int64_t)60 * 1000000)

static int prune_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	(void)arg;
	return id_prune(tx, NOW_US, err);
}

static void exec_ok(struct fixture *f, const char *sql)
{
	struct cr_err err = { 0 };

	if (storage_exec(f->store, "sys", NULL, sql, NULL, 0, NULL, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
}

static char *column(struct fixture *f, const char *sql)
{
	static char out[256];
	struct cr_err err = { 0 };
	struct storage_rows rows;

	assert_int_equal(storage_query(f->store, "sys", sql, NULL, 0, &rows, &err), 0);
	(void)snprintf(out, sizeof(out), "%s",
		       rows.n_rows > 0 && storage_rows_text(&rows, 0, 0) != NULL
			   ? storage_rows_text(&rows, 0, 0)
			   : "");
	storage_rows_close(&rows);
	return out;
}

static void deletes_ended_sessions_and_spent_sign_in_failures_only(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };
	char sql[512];

	assert_true(storage_migrate(f->store, "sys", &node_system_schema, &err) >= 0);
	exec_ok(f, "INSERT INTO account (login, name, password_hash, created_us, "
		   "password_changed_us) VALUES ('a', 'A', 'x', 0, 0)");
	(void)snprintf(sql, sizeof(sql),
		       "INSERT INTO session (token_sha256, account_id, csrf_token, created_us, "
		       "expires_us) VALUES ('ended', 1, 'c', 0, %lld), ('ends-now', 1, 'c', 0, "
		       "%lld), ('live', 1, 'c', 0, %lld)",
		       (long long)(NOW_US - MINUTE_US), (long long)NOW_US,
		       (long long)(NOW_US + MINUTE_US));
	exec_ok(f, sql);
	/* Failures: over an hour old; recent; old but still locked. */
	(void)snprintf(sql, sizeof(sql),
		       "INSERT INTO sign_in_failure (key, failures, first_us, locked_until_us) "
		       "VALUES ('spent', 3, %lld, 0), ('recent', 3, %lld, 0), ('locked', 5, "
		       "%lld, %lld)",
		       (long long)(NOW_US - 61 * MINUTE_US), (long long)(NOW_US - MINUTE_US),
		       (long long)(NOW_US - 61 * MINUTE_US), (long long)(NOW_US + MINUTE_US));
	exec_ok(f, sql);

	assert_int_equal(storage_write(f->store, "sys", NULL, prune_job, NULL, &err), 0);

	assert_string_equal(column(f, "SELECT group_concat(token_sha256) FROM session"), "live");
	assert_string_equal(column(f, "SELECT group_concat(key) FROM (SELECT key FROM "
				      "sign_in_failure ORDER BY key)"),
			    "locked,recent");
}

static void deletes_invitations_nobody_answered_in_time(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };
	char sql[512];

	assert_true(storage_migrate(f->store, "sys", &node_system_schema, &err) >= 0);
	exec_ok(f, "INSERT INTO account (login, name, password_hash, created_us, "
		   "password_changed_us) VALUES ('invited', 'I', 'x', 0, 0)");
	exec_ok(f, "INSERT INTO workspace (id, name, created_by, created_us) VALUES "
		   "('w000000000001', 'Old', 1, 0), ('w000000000002', 'New', 1, 0)");
	/* 31 days old (lapsed after 30) and a day old. */
	(void)snprintf(sql, sizeof(sql),
		       "INSERT INTO member_invitation (workspace_id, account_id, department_id, "
		       "invited_by, created_us) SELECT 'w000000000001', id, 1, 1, %lld FROM "
		       "account WHERE login = 'invited' UNION ALL SELECT 'w000000000002', id, 1, "
		       "1, %lld FROM account WHERE login = 'invited'",
		       (long long)(NOW_US - 31 * 24 * 60 * MINUTE_US),
		       (long long)(NOW_US - 24 * 60 * MINUTE_US));
	exec_ok(f, sql);

	assert_int_equal(storage_write(f->store, "sys", NULL, prune_job, NULL, &err), 0);

	assert_string_equal(column(f, "SELECT group_concat(workspace_id) FROM member_invitation"),
			    "w000000000002");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deletes_ended_sessions_and_spent_sign_in_failures_only),
		cmocka_unit_test(deletes_invitations_nobody_answered_in_time),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
