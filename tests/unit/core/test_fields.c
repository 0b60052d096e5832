/* tests/unit/core/test_fields.c: every field type's options and values,
 * valid and invalid, and what values come back as; the registry's rows
 * and value cases against the table the UI's tests read too
 * (tests/cases/field_types.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/forms/field.h"
#include "core/forms/serial.h"

static json_t *field(const char *type, const char *options_json)
{
	json_t *f = json_pack("{s:s, s:s, s:s, s:b}", "id", "f1", "type", type, "label", "Field",
			      "required", 0);

	if (options_json != NULL)
		json_object_set_new(f, "options", json_loads(options_json, 0, NULL));
	return f;
}

/* The value (JSON text) is accepted; returns the normalized value's JSON
 * text (static buffer). */
static const char *ok(const char *type, const char *options, const char *value)
{
	static char text[512];
	json_t *f = field(type, options), *v = json_loads(value, JSON_DECODE_ANY, NULL),
	       *out = NULL;
	struct cr_err err = { 0 };
	char *dump;

	assert_int_equal(fm_field_check(f, &err), 0);
	if (fm_value_check(f, v, &out, &err) != 0)
		fail_msg("%s %s rejected: %s", type, value, err.msg);
	dump = json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT);
	strncpy(text, dump, sizeof(text) - 1);
	free(dump);
	json_decref(out);
	json_decref(v);
	json_decref(f);
	return text;
}

static void bad_field(const char *json)
{
	json_t *f = json_loads(json, 0, NULL);
	struct cr_err err = { 0 };

	assert_non_null(f);
	if (fm_field_check(f, &err) != CR_EINVAL)
		fail_msg("field %s accepted", json);
	json_decref(f);
}

static void definitions_are_checked(void **state)
{
	(void)state;
	bad_field("{\"id\": \"F1\", \"type\": \"text\", \"label\": \"x\"}");
	bad_field("{\"id\": \"f1\", \"type\": \"nope\", \"label\": \"x\"}");
	bad_field("{\"id\": \"f1\", \"type\": \"text\", \"label\": \"\"}");
	bad_field("{\"id\": \"f1\", \"type\": \"text\", \"label\": \"x\", \"required\": 1}");
	bad_field("{\"id\": \"f1\", \"type\": \"text\", \"label\": \"x\", \"options\": "
		  "{\"max_length\": 0}}");
	bad_field("{\"id\": \"f1\", \"type\": \"radio\", \"label\": \"x\", \"options\": "
		  "{\"choices\": []}}");
	bad_field("{\"id\": \"f1\", \"type\": \"radio\", \"label\": \"x\", \"options\": "
		  "{\"choices\": [{\"id\": \"a\", \"label\": \"A\"}, {\"id\": \"a\", \"label\": "
		  "\"B\"}]}}");
	bad_field("{\"id\": \"f1\", \"type\": \"number\", \"label\": \"x\", \"options\": "
		  "{\"min\": 5, \"max\": 1}}");
	bad_field("{\"id\": \"f1\", \"type\": \"subtable\", \"label\": \"x\", \"options\": "
		  "{\"fields\": [{\"id\": \"s\", \"type\": \"subtable\", \"label\": \"y\"}]}}");
	assert_non_null(fm_type_find("signature"));
	assert_null(fm_type_find("formula"));
}

static void required_and_empty(void **state)
{
	json_t *f = field("text", NULL), *out = NULL;
	json_t *empty = json_string("");
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(fm_value_check(f, NULL, &out, &err), 0);
	assert_true(json_is_null(out));
	json_object_set_new(f, "required", json_true());
	assert_int_equal(fm_value_check(f, empty, &out, &err), CR_EINVAL);
	assert_string_equal(err.msg, "'Field' is required");
	json_decref(empty);
	json_decref(f);
}

/* ---- the shared table, tests/cases/field_types.json ---- */

static json_t *cases_load(void)
{
	json_error_t jerr;
	json_t *cases = json_load_file(CREEK_TEST_DATA "/field_types.json", 0, &jerr);

	if (cases == NULL)
		fail_msg("field_types.json: %s (line %d)", jerr.text, jerr.line);
	return cases;
}

static const char *kind_name(enum fm_kind k)
{
	static const char *const names[] = { "none", "text", "integer", "real", "json" };
	return names[k];
}

static const char *ops_name(enum fm_ops o)
{
	static const char *const names[] = { "other",    "text",   "number", "date",
					     "datetime", "choice", "multi",  "address" };
	return names[o];
}

static bool is_name(const json_t *v, const char *name)
{
	return name == NULL ? json_is_null(v)
			    : json_is_string(v) && strcmp(json_string_value(v), name) == 0;
}

static void property(const char *type, const char *what, bool same)
{
	if (!same)
		fail_msg("type '%s': '%s' differs from tests/cases/field_types.json", type, what);
}

/* Every row of the registry has the table's properties, and the other
 * way round: a row missing from either side fails. */
static void registry_matches_shared_table(void **state)
{
	json_t *cases = cases_load(), *types = json_object_get(cases, "types");
	const char *name;
	json_t *want;
	size_t n_rows = 0;

	(void)state;
	for (const struct fm_type *t = fm_types; t->name != NULL; t++) {
		if (json_object_get(types, t->name) == NULL)
			fail_msg("type '%s' is missing from field_types.json", t->name);
		n_rows++;
	}
	assert_int_equal(n_rows, json_object_size(types));
	json_object_foreach(types, name, want)
	{
		const struct fm_type *t = fm_type_find(name);
		static const char *const refs[] = { NULL, "member", "department" };
		static const char *const choices[] = { NULL, "one", "many" };
		if (t == NULL)
			fail_msg("type '%s' is not in the registry", name);
		property(name, "column",
			 is_name(json_object_get(want, "column"), kind_name(t->kind)));
		property(name, "ops", is_name(json_object_get(want, "ops"), ops_name(t->ops)));
		property(name, "ref", is_name(json_object_get(want, "ref"), refs[t->ref]));
		property(name, "choices",
			 is_name(json_object_get(want, "choices"), choices[t->choices]));
		property(name, "history",
			 is_name(json_object_get(want, "history"),
				 t->history == FM_HISTORY_NAMED ? "named" : "value"));
		property(name, "sortable",
			 json_is_true(json_object_get(want, "sortable")) == t->is_sortable);
		property(name, "unique",
			 json_is_true(json_object_get(want, "unique")) == t->may_be_unique);
		property(name, "is_file",
			 json_is_true(json_object_get(want, "is_file")) == t->is_file);
		property(name, "generated",
			 json_is_true(json_object_get(want, "generated")) == t->is_generated);
		property(name, "serial_part",
			 json_is_true(json_object_get(want, "serial_part")) == t->is_serial_part);
		property(name, "few_values",
			 json_is_true(json_object_get(want, "few_values")) == t->has_few_values);
		property(name, "searched",
			 json_is_true(json_object_get(want, "searched")) ==
			     (t->search_text != NULL));
		property(name, "importable",
			 json_is_true(json_object_get(want, "importable")) ==
			     (t->cell_read != NULL));
		property(name, "cell_write", t->cell_write != NULL);
	}
	json_decref(cases);
}

/* Each class of operators takes exactly the table's operators. */
static void operator_classes_match_shared_table(void **state)
{
	json_t *cases = cases_load(), *classes = json_object_get(cases, "op_classes");
	size_t i;
	json_t *op;

	(void)state;
	assert_int_equal(json_object_size(classes), FM_OPS_ADDRESS + 1);
	for (enum fm_ops o = FM_OPS_OTHER; o <= FM_OPS_ADDRESS; o++) {
		const json_t *ops = json_object_get(classes, ops_name(o));
		if (ops == NULL)
			fail_msg("class '%s' is missing from field_types.json", ops_name(o));
		json_array_foreach(json_object_get(cases, "all_ops"), i, op)
		{
			bool want = false;
			size_t k;
			json_t *e;
			json_array_foreach(ops, k, e) want = want || json_equal(e, op);
			if (fm_ops_allow(o, json_string_value(op)) != want)
				fail_msg("class '%s': '%s' %s", ops_name(o), json_string_value(op),
					 want ? "refused" : "allowed");
		}
	}
	assert_false(fm_ops_allow(FM_OPS_TEXT, "eq OR 1=1"));
	assert_false(fm_ops_allow(FM_OPS_TEXT, NULL));
	assert_false(fm_ops_allow(FM_OPS_TEXT, ""));
	json_decref(cases);
}

/* Each value case: accepted (with the normalized value, when given) or
 * refused with a message naming the field. */
static void values_of_shared_table(void **state)
{
	json_t *cases = cases_load();
	size_t i;
	json_t *c;

	(void)state;
	json_array_foreach(json_object_get(cases, "values"), i, c)
	{
		const char *type = json_string_value(json_object_get(c, "type"));
		json_t *f = json_pack("{s:s, s:s, s:s, s:b}", "id", "f1", "type", type, "label",
				      "Field", "required", 0);
		json_t *out = NULL;
		struct cr_err err = { 0 };
		int rc;
		if (json_object_get(c, "options") != NULL)
			json_object_set(f, "options", json_object_get(c, "options"));
		if (fm_field_check(f, &err) != 0)
			fail_msg("case %zu: the %s field is refused: %s", i, type, err.msg);
		rc = fm_value_check(f, json_object_get(c, "value"), &out, &err);
		if (json_is_true(json_object_get(c, "ok"))) {
			const json_t *norm = json_object_get(c, "norm");
			if (rc != 0)
				fail_msg("case %zu (%s): refused: %s", i, type, err.msg);
			if (norm != NULL && !json_equal(norm, out))
				fail_msg("case %zu (%s): not kept as the table says", i, type);
		} else {
			if (rc != CR_EINVAL)
				fail_msg("case %zu (%s): accepted", i, type);
			assert_non_null(strstr(err.msg, "'Field'"));
		}
		json_decref(out);
		json_decref(f);
	}
	json_decref(cases);
}

/* Import lookups: "n<id>" names member or department <id>. */
static int lookup_n(void *arg, enum fm_ref ref, const char *text, int64_t *id, struct cr_err *err)
{
	(void)arg;
	if (text[0] != 'n' || text[1] == '\0')
		return cr_err_set(err, CR_EINVAL, "no %s '%s'", fm_ref_noun(ref), text);
	*id = strtoll(text + 1, NULL, 10);
	return 0;
}

static json_t *case_field(const json_t *c)
{
	json_t *f = json_pack("{s:s, s:s, s:s}", "id", "f1", "type",
			      json_string_value(json_object_get(c, "type")), "label", "Field");

	if (json_object_get(c, "options") != NULL)
		json_object_set(f, "options", json_object_get(c, "options"));
	return f;
}

/* Spreadsheet cells in and out, by each type's row. */
static void cells_of_shared_table(void **state)
{
	json_t *cases = cases_load();
	struct fm_cells cx = { .refs = json_object_get(cases, "cells_refs"),
			       .tz_offset_s = 8 * 3600,
			       .lookup = lookup_n };
	size_t i;
	json_t *c;

	(void)state;
	json_array_foreach(json_object_get(cases, "cells_in"), i, c)
	{
		json_t *f = case_field(c), *out = NULL;
		const struct fm_type *t =
		    fm_type_get(json_string_value(json_object_get(c, "type")));
		struct cr_err err = { 0 };
		int rc = t->cell_read == NULL
			     ? CR_EINVAL
			     : t->cell_read(&cx, f, json_string_value(json_object_get(c, "cell")),
					    &out, &err);
		if (json_is_true(json_object_get(c, "error"))
			? rc == 0
			: rc != 0 || !json_equal(out, json_object_get(c, "value")))
			fail_msg("cells_in %zu (%s): rc %d %s", i, t->name, rc, err.msg);
		json_decref(out);
		json_decref(f);
	}
	json_array_foreach(json_object_get(cases, "cells_out"), i, c)
	{
		json_t *f = case_field(c);
		const struct fm_type *t =
		    fm_type_get(json_string_value(json_object_get(c, "type")));
		struct cr_buf b;
		cr_buf_init(&b, 4096);
		t->cell_write(&cx, f, json_object_get(c, "value"), &b);
		if (b.data == NULL ||
		    strcmp(b.data, json_string_value(json_object_get(c, "cell"))) != 0)
			fail_msg("cells_out %zu (%s): '%s'", i, t->name,
				 b.data != NULL ? b.data : "");
		cr_buf_close(&b);
		json_decref(f);
	}
	json_decref(cases);
}

static void file_options_are_checked(void **state)
{
	(void)state;
	bad_field("{\"id\": \"f\", \"type\": \"attachment\", \"label\": \"x\", \"options\": "
		  "{\"accept\": [\"pdf\"]}}");
	bad_field("{\"id\": \"f\", \"type\": \"attachment\", \"label\": \"x\", \"options\": "
		  "{\"accept\": [\"*/*\"]}}");
	bad_field("{\"id\": \"f\", \"type\": \"attachment\", \"label\": \"x\", \"options\": "
		  "{\"accept\": \".pdf\"}}");
}

static void subtables_check_every_row(void **state)
{
	const char *opts = "{\"fields\": [{\"id\": \"item\", \"type\": \"text\", \"label\": "
			   "\"Item\", \"required\": true}, {\"id\": \"qty\", \"type\": \"number\", "
			   "\"label\": \"Qty\", \"options\": {\"precision\": 0}}]}";
	json_t *f = field("subtable", opts), *out = NULL;
	json_t *v = json_loads("[{\"item\": \"pen\", \"qty\": 2}, {\"qty\": 1}]", 0, NULL);
	struct cr_err err = { 0 };

	(void)state;
	assert_string_equal(ok("subtable", opts, "[{\"item\": \" pen \", \"qty\": 2.2}]"),
			    "[{\"item\":\"pen\",\"qty\":2}]");
	assert_int_equal(fm_value_check(f, v, &out, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "row 2"));
	assert_non_null(strstr(err.msg, "'Item' is required"));
	json_decref(v);
	json_decref(f);
}

static void serial_numbers(void **state)
{
	json_t *o =
	    json_loads("{\"parts\": [{\"kind\": \"text\", \"text\": \"HT-\"}, {\"kind\": "
		       "\"date\", \"pattern\": \"YYYYMMDD\"}, {\"kind\": \"field\", \"field\": "
		       "\"dept\"}, {\"kind\": \"counter\", \"digits\": 4, \"reset\": "
		       "\"month\"}]}",
		       0, NULL);
	json_t *values = json_pack("{s:s}", "dept", "-S-");
	struct fm_date d = { 2026, 11, 28 };
	char out[FM_SERIAL_MAX + 1], key[FM_SERIAL_PERIOD_MAX + 1];
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(fm_serial_check(o, &err), 0);
	assert_int_equal(fm_serial_format(o, values, 7, d, out, sizeof(out), &err), 0);
	assert_string_equal(out, "HT-20261128-S-0007");
	assert_int_equal(fm_serial_format(o, values, 12345, d, out, sizeof(out), &err), 0);
	assert_string_equal(out, "HT-20261128-S-12345"); /* grows, never wraps */
	fm_serial_period(o, d, key);
	assert_string_equal(key, "2026-11");
	json_object_set_new(json_array_get(json_object_get(o, "parts"), 3), "reset",
			    json_string("year"));
	fm_serial_period(o, d, key);
	assert_string_equal(key, "2026");
	json_object_set_new(json_array_get(json_object_get(o, "parts"), 3), "reset",
			    json_string("never"));
	fm_serial_period(o, d, key);
	assert_string_equal(key, "");
	assert_int_equal(fm_serial_format(o, values, 0, d, out, sizeof(out), &err), CR_EINVAL);
	json_array_append_new(
	    json_object_get(o, "parts"),
	    json_pack("{s:s, s:i, s:s}", "kind", "counter", "digits", 2, "reset", "day"));
	assert_int_equal(fm_serial_check(o, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "exactly one counter"));
	json_decref(o);
	o = json_loads("{\"parts\": [{\"kind\": \"date\", \"pattern\": \"YYYY-hh\"}, "
		       "{\"kind\": \"counter\", \"digits\": 2, \"reset\": \"weekly\"}]}",
		       0, NULL);
	assert_int_equal(fm_serial_check(o, &err), CR_EINVAL);
	json_decref(o);
	json_decref(values);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(definitions_are_checked),
		cmocka_unit_test(required_and_empty),
		cmocka_unit_test(registry_matches_shared_table),
		cmocka_unit_test(operator_classes_match_shared_table),
		cmocka_unit_test(values_of_shared_table),
		cmocka_unit_test(cells_of_shared_table),
		cmocka_unit_test(file_options_are_checked),
		cmocka_unit_test(subtables_check_every_row),
		cmocka_unit_test(serial_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
