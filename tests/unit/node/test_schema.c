/* tests/unit/node/test_schema.c: the schema every migration list builds.
 *
 * A fresh system database and a fresh workspace database are migrated on a
 * real dqlite node, and their schema (sqlite_master, and the names that
 * schema_version records) must equal schema.golden, captured from the
 * build before the engines owned their migrations: moving SQL between
 * files must not change one byte of what a database holds. A database
 * that an older build migrated to any earlier version must upgrade to the
 * same schema as a fresh one. Run with
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
#include "node/schema.h"

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
	assert_true(storage_migrate(f->store, "sys", &node_system_schema, &err) >= 0);
	assert_true(storage_migrate(f->store, "ws", &node_workspace_schema, &err) >= 0);
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

static char *dump_to_text(struct fixture *f, const char *kind, const char *db)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	dump_db(f, kind, db, out);
	fclose(out);
	return text;
}

/* schema up to version upto only: what an older build made. */
struct capped {
	struct storage_migrations owners[4];
	const struct storage_migrations *p[4];
	struct storage_schema schema;
};

static const struct storage_schema *capped(struct capped *c, const struct storage_schema *s,
					   int upto)
{
	assert_true(s->n_owners <= 4);
	for (unsigned o = 0; o < s->n_owners; o++) {
		struct storage_migrations *own = &c->owners[o];
		*own = *s->owners[o];
		own->n = 0;
		while (own->n < s->owners[o]->n && own->list[own->n].version <= upto)
			own->n++;
		c->p[o] = own;
	}
	c->schema = (struct storage_schema){ s->kind, c->p, s->n_owners };
	return &c->schema;
}

static void upgrades_match_fresh(struct fixture *f, const struct storage_schema *s)
{
	struct cr_err err = { 0 };
	unsigned n = 0;
	char db[64];
	char *fresh;

	assert_int_equal(storage_schema_check(s, &n, &err), 0);
	(void)snprintf(db, sizeof(db), "%s-fresh", s->kind);
	assert_int_equal(storage_migrate(f->store, db, s, &err), (int)n);
	fresh = dump_to_text(f, s->kind, db);
	for (int upto = 1; upto < (int)n; upto++) {
		struct capped c;
		char *upgraded;
		(void)snprintf(db, sizeof(db), "%s-from-%d", s->kind, upto);
		assert_int_equal(storage_migrate(f->store, db, capped(&c, s, upto), &err), upto);
		assert_int_equal(storage_migrate(f->store, db, s, &err), (int)n - upto);
		upgraded = dump_to_text(f, s->kind, db);
		if (strcmp(fresh, upgraded) != 0)
			fail_msg(
			    "%s database upgraded from version %d differs from a fresh one:\n%s",
			    s->kind, upto, upgraded);
		free(upgraded);
	}
	free(fresh);
}

static void databases_upgraded_from_every_version_match_fresh_ones(void **state)
{
	upgrades_match_fresh(*state, &node_system_schema);
	upgrades_match_fresh(*state, &node_workspace_schema);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fresh_databases_match_the_golden_schema),
		cmocka_unit_test(databases_upgraded_from_every_version_match_fresh_ones),
	};

	if (argc == 3 && strcmp(argv[1], "--dump") == 0)
		dump_path = argv[2];
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
