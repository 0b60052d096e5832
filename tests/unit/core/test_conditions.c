/* tests/unit/core/test_conditions.c: show-when conditions evaluated on
 * values (tests/cases/conditions.json, which the UI's tests run too) and
 * which operators fit which field types (tests/cases/field_types.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/forms/conditions.h"

static json_t *cases_load(const char *name)
{
	char path[512];
	json_error_t jerr;
	json_t *cases;

	(void)snprintf(path, sizeof(path), "%s/%s", CREEK_TEST_DATA, name);
	cases = json_load_file(path, 0, &jerr);
	if (cases == NULL)
		fail_msg("%s: %s (line %d)", name, jerr.text, jerr.line);
	return cases;
}

/* tests/cases/conditions.json: the UI's evaluator runs the same cases. */
static void conditions_of_shared_table(void **state)
{
	json_t *cases = cases_load("conditions.json");
	size_t i, failed = 0;
	json_t *c;

	(void)state;
	assert_true(json_array_size(json_object_get(cases, "cases")) > 0);
	json_array_foreach(json_object_get(cases, "cases"), i, c)
	{
		bool want = json_is_true(json_object_get(c, "shown"));
		bool got =
		    fm_show_when(json_object_get(c, "fields"), json_object_get(c, "show_when"),
				 json_object_get(c, "values"));
		if (got != want) {
			char *text = json_dumps(c, JSON_COMPACT);
			print_error("case %zu %s: %s\n", i, text, got ? "shown" : "hidden");
			free(text);
			failed++;
		}
	}
	json_decref(cases);
	if (failed > 0)
		fail_msg("%zu of the shared cases differ", failed);
}

/* Each show_when condition names a field of the form by a type's operator. */
static void show_when_is_checked(void **state)
{
	json_t *fields = json_loads("[{\"id\": \"a\", \"type\": \"number\", \"label\": \"A\"}, "
				    "{\"id\": \"d\", \"type\": \"divider\", \"label\": \"D\"}]",
				    0, NULL);
	struct cr_err err = { 0 };
	json_t *sw;

	(void)state;
	sw = json_loads("{\"conditions\": [{\"field\": \"a\", \"op\": \"gt\", \"value\": 1}]}", 0,
			NULL);
	assert_int_equal(fm_show_when_check(fields, "b", sw, &err), 0);
	json_decref(sw);
	sw = json_loads("{\"conditions\": [{\"field\": \"a\", \"op\": \"contains\", \"value\": "
			"\"1\"}]}",
			0, NULL);
	assert_int_equal(fm_show_when_check(fields, "b", sw, &err), CR_EINVAL);
	json_decref(sw);
	sw = json_loads("{\"conditions\": [{\"field\": \"d\", \"op\": \"empty\"}]}", 0, NULL);
	assert_int_equal(fm_show_when_check(fields, "b", sw, &err), CR_EINVAL);
	json_decref(sw);
	sw = json_loads("{\"conditions\": [{\"field\": \"a\", \"op\": \"between\", \"value\": 1}]}",
			0, NULL);
	assert_int_equal(fm_show_when_check(fields, "b", sw, &err), CR_EINVAL);
	json_decref(sw);
	json_decref(fields);
}

/* Operators by type name (what filters and show_when ask), the system
 * fields' too, as tests/cases/field_types.json lists them. */
static void operators_fit_their_types(void **state)
{
	json_t *cases = cases_load("field_types.json");
	json_t *classes = json_object_get(cases, "op_classes");
	json_t *types = json_object_get(cases, "types"), *cls;
	const char *name;
	json_t *want;

	(void)state;
	json_object_foreach(json_object_get(cases, "system_fields"), name, cls)
	{
		json_object_set_new(types, name, json_pack("{s:O}", "ops", cls));
	}
	json_object_foreach(types, name, want)
	{
		const json_t *ops =
		    json_object_get(classes, json_string_value(json_object_get(want, "ops")));
		size_t i;
		json_t *op;
		assert_non_null(ops);
		json_array_foreach(json_object_get(cases, "all_ops"), i, op)
		{
			bool allowed = false;
			size_t k;
			json_t *e;
			json_array_foreach(ops, k, e) allowed = allowed || json_equal(e, op);
			if (fm_op_allowed(name, json_string_value(op)) != allowed)
				fail_msg("'%s' %s '%s'", name, allowed ? "refuses" : "allows",
					 json_string_value(op));
		}
	}
	assert_false(fm_op_allowed("text", "eq OR 1=1"));
	assert_false(fm_op_allowed("text", NULL));
	assert_false(fm_op_allowed("nope", "eq"));
	json_decref(cases);
}

static void unknown_types_hold_no_value(void **state)
{
	(void)state;
	assert_null(fm_type_find("nope"));
	assert_int_equal(fm_type_get("nope")->kind, FM_KIND_NONE);
	assert_int_equal(fm_type_get(NULL)->kind, FM_KIND_NONE);
	assert_null(fm_type_get("nope")->cell_read);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conditions_of_shared_table),
		cmocka_unit_test(show_when_is_checked),
		cmocka_unit_test(operators_fit_their_types),
		cmocka_unit_test(unknown_types_hold_no_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
