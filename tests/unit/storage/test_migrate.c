/* tests/unit/storage/test_migrate.c: numbered, forward-only migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../support/fixture.h"
#include "storage/migrate.h"

static const struct storage_migration two[] = {
	{ 1, "notes", "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)" },
	{ 2, "note tags",
	  "ALTER TABLE note ADD COLUMN tag TEXT; CREATE INDEX note_tag ON note (tag)" },
};

static void applies_each_migration_once(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };
	struct storage_rows rows;

	assert_int_equal(storage_migrate(f->store, "m", two, 1, &err), 1);
	assert_int_equal(storage_migrate(f->store, "m", two, 2, &err), 1);
	assert_int_equal(storage_migrate(f->store, "m", two, 2, &err), 0);
	assert_int_equal(storage_query(f->store, "m",
				       "SELECT version, name FROM schema_version ORDER BY version",
				       NULL, 0, &rows, &err),
			 0);
	assert_int_equal(rows.n_rows, 2);
	assert_string_equal(storage_rows_text(&rows, 1, 1), "note tags");
	storage_rows_close(&rows);
}

static void refuses_a_database_newer_than_the_build(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };

	assert_int_equal(storage_migrate(f->store, "newer", two, 2, &err), 2);
	assert_int_equal(storage_migrate(f->store, "newer", two, 1, &err), CR_ECONFLICT);
	assert_non_null(strstr(err.msg, "newer than this creekd"));
}

static void refuses_gaps_and_unsafe_types(void **state)
{
	static const struct storage_migration gap[] = { { 1, "a", "CREATE TABLE a (x)" },
							{ 3, "c", "CREATE TABLE c (x)" } };
	static const struct storage_migration bad[] = {
		{ 1, "when", "CREATE TABLE w (at DATETIME)" },
	};
	static const struct storage_migration ret[] = {
		{ 1, "ret", "INSERT INTO x VALUES (1) returning *" },
	};
	static const struct storage_migration fine[] = {
		{ 1, "names that contain the words", "CREATE TABLE dates (updated_date INTEGER)" },
	};
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(storage_migration_check(gap, 2, &err), CR_EINVAL);
	assert_int_equal(storage_migration_check(bad, 1, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "DATETIME"));
	assert_int_equal(storage_migration_check(ret, 1, &err), CR_EINVAL);
	assert_int_equal(storage_migration_check(fine, 1, &err), 0);
}

static void a_failing_migration_leaves_no_trace(void **state)
{
	struct fixture *f = *state;
	static const struct storage_migration broken[] = {
		{ 1, "good", "CREATE TABLE g (x INTEGER)" },
		{ 2, "bad", "CREATE TABLE h (y INTEGER); CREATE TABLE g (x INTEGER)" },
	};
	struct cr_err err = { 0 };
	struct storage_rows rows;

	assert_true(storage_migrate(f->store, "fail", broken, 2, &err) < 0);
	assert_non_null(strstr(err.msg, "migration 2"));
	assert_int_equal(storage_query(f->store, "fail",
				       "SELECT (SELECT MAX(version) FROM schema_version), "
				       "(SELECT COUNT(*) FROM sqlite_master WHERE name = 'h')",
				       NULL, 0, &rows, &err),
			 0);
	assert_int_equal(storage_rows_int(&rows, 0, 0, -1), 1);
	assert_int_equal(storage_rows_int(&rows, 0, 1, -1), 0);
	storage_rows_close(&rows);
}

static void system_migrations_are_valid(void **state)
{
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(
	    storage_migration_check(storage_system_migrations, storage_n_system_migrations, &err),
	    0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(applies_each_migration_once),
		cmocka_unit_test(refuses_a_database_newer_than_the_build),
		cmocka_unit_test(refuses_gaps_and_unsafe_types),
		cmocka_unit_test(a_failing_migration_leaves_no_trace),
		cmocka_unit_test(system_migrations_are_valid),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
