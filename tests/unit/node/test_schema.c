/* tests/unit/node/test_schema.c: the schema every migration list builds.
 *
 * A fresh system database and a fresh workspace database are migrated on a
 * real dqlite node, and their schema (sqlite_master, and the names that
 * schema_version records) must equal schema.golden, captured from the
 * build before the engines owned their migrations: moving SQL between
 * files must not change one byte of what a database holds. Run with
 * --dump FILE to write the current schema in the golden's format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../support/fixture.h"
#include "storage/migrate.h"

static const char *dump_path; /* --dump FILE */

/* One line per schema object (writer's own creek_* tables left out: they
 * are not made by migrations), then one per recorded migration. */
static void dump_db(struct fixture *f, const char *kind, const char *db, FILE *out)
{
	struct cr_err err = { 0 };
	struct storage_rows rows;

	assert_int_equal(
	    storage_query(f->store, db,
			  "SELECT type, name, tbl_name, coalesce(sql, '') FROM "
			  "sqlite_master WHERE tbl_name NOT LIKE 'creek\\_%' ESCAPE '\\' "
			  "ORDER BY type, name",
			  NULL, 0, &rows, &err),
	    0);
	for (size_t r = 0; r < rows.n_rows; r++)
		fprintf(out, "%s|%s|%s|%s|%s\n", kind, storage_rows_text(&rows, r, 0),
			storage_rows_text(&rows, r, 1), storage_rows_text(&rows, r, 2),
			storage_rows_text(&rows, r, 3));
	storage_rows_close(&rows);
	assert_int_equal(storage_query(f->store, db,
				       "SELECT version, name FROM schema_version ORDER BY version",
				       NULL, 0, &rows, &err),
			 0);
	for (size_t r = 0; r < rows.n_rows; r++)
		fprintf(out, "%s|version|%lld|%s\n", kind,
			(long long)storage_rows_int(&rows, r, 0, 0),
			storage_rows_text(&rows, r, 1));
	storage_rows_close(&rows);
}

static char *read_all(const char *path)
{
	FILE *in = fopen(path, "re");
	char *text;
	long n;

	assert_non_null(in);
	assert_int_equal(fseek(in, 0, SEEK_END), 0);
	n = ftell(in);
	assert_true(n >= 0);
	rewind(in);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, in), (size_t)n);
	fclose(in);
	return text;
}

static void fresh_databases_match_the_golden_schema(void **state)
{
	struct fixture *f = *state;
	struct cr_err err = { 0 };
	char *got = NULL;
	size_t got_len = 0;
	FILE *out = open_memstream(&got, &got_len);
	char *want;

	assert_non_null(out);
	assert_true(storage_migrate(f->store, "sys", storage_system_migrations,
				    storage_n_system_migrations, &err) >= 0);
	assert_true(storage_migrate(f->store, "ws", storage_workspace_migrations,
				    storage_n_workspace_migrations, &err) >= 0);
	dump_db(f, "system", "sys", out);
	dump_db(f, "workspace", "ws", out);
	fclose(out);
	if (dump_path != NULL) {
		out = fopen(dump_path, "we");
		assert_non_null(out);
		fputs(got, out);
		fclose(out);
		free(got);
		return;
	}
	want = read_all(CREEK_TEST_DATA "/schema.golden");
	if (strcmp(got, want) != 0) {
		fputs(got, stderr);
		fail_msg("the schema differs from schema.golden (printed above)");
	}
	free(want);
	free(got);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fresh_databases_match_the_golden_schema),
	};

	if (argc == 3 && strcmp(argv[1], "--dump") == 0)
		dump_path = argv[2];
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
