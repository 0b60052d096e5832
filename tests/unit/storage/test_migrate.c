/* tests/unit/storage/test_migrate.c: numbered, forward-only migrations,
 * and the merge of their owners' lists (storage/migrate.h). */
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
	{ 1, "notes", "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)", false },
	{ 2, "note tags",
	  "ALTER TABLE note ADD COLUMN tag TEXT; CREATE INDEX note_tag ON note (tag)", false },
};

/* A kind of database with owner's first n migrations of list only. */
struct one_owner {
	struct storage_migrations owner;
	const struct storage_migrations *owners[1];
	struct storage_schema schema;
};

static const struct storage_schema *one_owner(struct one_owner *o,
					      const struct storage_migration *list, unsigned n)
{
	o->owner = (struct storage_migrations){ "test", list, n };
	o->owners[0] = &o->owner;
	o->schema = (struct storage_schema){ "test", o->owners, 1 };
	return &o->schema;
}

static void applies_each_migration_once(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };
	struct storage_rows rows;
	struct one_owner o;

	assert_int_equal(storage_migrate(f->store, "m", one_owner(&o, two, 1), &err), 1);
	assert_int_equal(storage_migrate(f->store, "m", one_owner(&o, two, 2), &err), 1);
	assert_int_equal(storage_migrate(f->store, "m", one_owner(&o, two, 2), &err), 0);
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
	struct one_owner o;

	assert_int_equal(storage_migrate(f->store, "newer", one_owner(&o, two, 2), &err), 2);
	assert_int_equal(storage_migrate(f->store, "newer", one_owner(&o, two, 1), &err),
			 CR_ECONFLICT);
	assert_non_null(strstr(err.msg, "newer than this creekd"));
}

static void refuses_gaps_and_unsafe_types(void **state)
{
	static const struct storage_migration gap[] = { { 1, "a", "CREATE TABLE a (x)", false },
							{ 3, "c", "CREATE TABLE c (x)", false } };
	static const struct storage_migration bad[] = {
		{ 1, "when", "CREATE TABLE w (at DATETIME)", false },
	};
	static const struct storage_migration ret[] = {
		{ 1, "ret", "INSERT INTO x VALUES (1) returning *", false },
	};
	static const struct storage_migration fine[] = {
		{ 1, "names that contain the words", "CREATE TABLE dates (updated_date INTEGER)",
		  false },
	};
	struct cr_err err = { 0 };
	struct one_owner o;

	(void)state;
	assert_int_equal(storage_schema_check(one_owner(&o, gap, 2), NULL, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "test migration 2 is missing"));
	assert_int_equal(storage_schema_check(one_owner(&o, bad, 1), NULL, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "DATETIME"));
	assert_int_equal(storage_schema_check(one_owner(&o, ret, 1), NULL, &err), CR_EINVAL);
	assert_int_equal(storage_schema_check(one_owner(&o, fine, 1), NULL, &err), 0);
}

/* Owners "a" and "b" of one kind of database. */
static const struct storage_schema *two_owners(struct storage_migrations o[2],
					       const struct storage_migrations *p[2],
					       struct storage_schema *s,
					       const struct storage_migration *a, unsigned n_a,
					       const struct storage_migration *b, unsigned n_b)
{
	o[0] = (struct storage_migrations){ "a", a, n_a };
	o[1] = (struct storage_migrations){ "b", b, n_b };
	p[0] = &o[0];
	p[1] = &o[1];
	*s = (struct storage_schema){ "workspace", p, 2 };
	return s;
}

static void merges_owners_by_version(void **state)
{
	static const struct storage_migration a[] = { { 1, "a1", "CREATE TABLE a1 (x)", false },
						      { 3, "a3", "CREATE TABLE a3 (x)", false } };
	static const struct storage_migration b[] = { { 2, "b2", "CREATE TABLE b2 (x)", false } };
	struct fixture *f = *state;
	struct storage_migrations o[2];
	const struct storage_migrations *p[2];
	struct storage_schema s;
	struct cr_err err = { 0 };
	struct storage_rows rows;
	unsigned n = 0;

	assert_int_equal(storage_schema_check(two_owners(o, p, &s, a, 2, b, 1), &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(storage_migrate(f->store, "merged", &s, &err), 3);
	assert_int_equal(storage_query(f->store, "merged",
				       "SELECT group_concat(name, ' ') FROM (SELECT name FROM "
				       "schema_version ORDER BY version)",
				       NULL, 0, &rows, &err),
			 0);
	assert_string_equal(storage_rows_text(&rows, 0, 0), "a1 b2 a3");
	storage_rows_close(&rows);
}

static void refuses_a_gap_between_owners(void **state)
{
	static const struct storage_migration a[] = { { 1, "a1", "CREATE TABLE a1 (x)", false } };
	static const struct storage_migration b[] = { { 3, "b3", "CREATE TABLE b3 (x)", false } };
	struct storage_migrations o[2];
	const struct storage_migrations *p[2];
	struct storage_schema s;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(storage_schema_check(two_owners(o, p, &s, a, 1, b, 1), NULL, &err),
			 CR_EINVAL);
	assert_string_equal(err.msg, "workspace migration 2 is missing: no owner lists it (the "
				     "versions are 1 to 3 without gaps)");
}

static void refuses_a_version_two_owners_claim(void **state)
{
	static const struct storage_migration a[] = { { 1, "a1", "CREATE TABLE a1 (x)", false },
						      { 2, "a2", "CREATE TABLE a2 (x)", false } };
	static const struct storage_migration b[] = { { 2, "b2", "CREATE TABLE b2 (x)", false } };
	struct fixture *f = *state;
	struct storage_migrations o[2];
	const struct storage_migrations *p[2];
	struct storage_schema s;
	struct cr_err err = { 0 };

	assert_int_equal(storage_schema_check(two_owners(o, p, &s, a, 2, b, 1), NULL, &err),
			 CR_EINVAL);
	assert_string_equal(err.msg, "workspace migration 2 is claimed twice, by 'a' (a2) and "
				     "'b' (b2): give one of them the next free version");
	/* Nothing is applied from a list that does not merge. */
	assert_int_equal(storage_migrate(f->store, "claimed", &s, &err), CR_EINVAL);
}

static void refuses_an_owner_listing_a_version_twice(void **state)
{
	static const struct storage_migration a[] = { { 1, "a1", "CREATE TABLE a1 (x)", false },
						      { 1, "again", "CREATE TABLE a2 (x)",
							false } };
	struct cr_err err = { 0 };
	struct one_owner o;

	(void)state;
	assert_int_equal(storage_schema_check(one_owner(&o, a, 2), NULL, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "'test': version 1 follows 1"));
}

static void runs_a_shared_version_in_one_transaction(void **state)
{
	static const struct storage_migration a[] = {
		{ 1, "departments", "CREATE TABLE department (x)", true },
	};
	static const struct storage_migration b[] = {
		{ 1, "apps", "CREATE TABLE app (x)", true },
		{ 2, "app icons", "ALTER TABLE app ADD COLUMN icon TEXT", false },
	};
	static const struct storage_migration broken[] = {
		{ 1, "apps", "CREATE TABLE department (x)", true },
	};
	struct fixture *f = *state;
	struct storage_migrations o[2];
	const struct storage_migrations *p[2];
	struct storage_schema s;
	struct cr_err err = { 0 };
	struct storage_rows rows;

	assert_int_equal(
	    storage_migrate(f->store, "shared", two_owners(o, p, &s, a, 1, b, 2), &err), 2);
	assert_int_equal(storage_query(f->store, "shared",
				       "SELECT name FROM schema_version WHERE version = 1", NULL, 0,
				       &rows, &err),
			 0);
	assert_string_equal(storage_rows_text(&rows, 0, 0), "departments, apps");
	storage_rows_close(&rows);
	/* One part failing leaves no other part behind. */
	assert_true(storage_migrate(f->store, "shared-broken",
				    two_owners(o, p, &s, a, 1, broken, 1), &err) < 0);
	assert_non_null(strstr(err.msg, "migration 1 (apps, of 'b')"));
	assert_int_equal(storage_query(f->store, "shared-broken",
				       "SELECT (SELECT COUNT(*) FROM schema_version), (SELECT "
				       "COUNT(*) FROM sqlite_master WHERE name = 'department')",
				       NULL, 0, &rows, &err),
			 0);
	assert_int_equal(storage_rows_int(&rows, 0, 0, -1), 0);
	assert_int_equal(storage_rows_int(&rows, 0, 1, -1), 0);
	storage_rows_close(&rows);
}

static void refuses_a_shared_version_with_one_part(void **state)
{
	static const struct storage_migration a[] = {
		{ 1, "departments", "CREATE TABLE department (x)", true },
	};
	static const struct storage_migration b[] = { { 2, "b2", "CREATE TABLE b2 (x)", false } };
	static const struct storage_migration half[] = {
		{ 1, "apps", "CREATE TABLE app (x)", false },
	};
	struct storage_migrations o[2];
	const struct storage_migrations *p[2];
	struct storage_schema s;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(storage_schema_check(two_owners(o, p, &s, a, 1, b, 1), NULL, &err),
			 CR_EINVAL);
	assert_string_equal(err.msg,
			    "workspace migration 1 is marked shared but only 'a' has a part");
	/* Shared by one owner and claimed by the other: a duplicate. */
	assert_int_equal(storage_schema_check(two_owners(o, p, &s, a, 1, half, 1), NULL, &err),
			 CR_EINVAL);
	assert_non_null(strstr(err.msg, "claimed twice"));
}

static void a_failing_migration_leaves_no_trace(void **state)
{
	struct fixture *f = *state;
	static const struct storage_migration broken[] = {
		{ 1, "good", "CREATE TABLE g (x INTEGER)", false },
		{ 2, "bad", "CREATE TABLE h (y INTEGER); CREATE TABLE g (x INTEGER)", false },
	};
	struct cr_err err = { 0 };
	struct storage_rows rows;
	struct one_owner o;

	assert_true(storage_migrate(f->store, "fail", one_owner(&o, broken, 2), &err) < 0);
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

static void storage_migrations_are_valid(void **state)
{
	const struct storage_migrations *owners[] = { &storage_system_migrations };
	struct storage_schema s = { "system", owners, 1 };
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(storage_schema_check(&s, NULL, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(applies_each_migration_once),
		cmocka_unit_test(refuses_a_database_newer_than_the_build),
		cmocka_unit_test(refuses_gaps_and_unsafe_types),
		cmocka_unit_test(merges_owners_by_version),
		cmocka_unit_test(refuses_a_gap_between_owners),
		cmocka_unit_test(refuses_a_version_two_owners_claim),
		cmocka_unit_test(refuses_an_owner_listing_a_version_twice),
		cmocka_unit_test(runs_a_shared_version_in_one_transaction),
		cmocka_unit_test(refuses_a_shared_version_with_one_part),
		cmocka_unit_test(a_failing_migration_leaves_no_trace),
		cmocka_unit_test(storage_migrations_are_valid),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
