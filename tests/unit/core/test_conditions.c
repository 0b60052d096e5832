/* tests/unit/core/test_conditions.c: show-when conditions evaluated on
 * values, which operators fit which field types, and how each type's value
 * sits in its column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/forms/forms_int.h"

static bool shown(const char *show_when, const char *values)
{
	json_t *sw = json_loads(show_when, 0, NULL), *v = json_loads(values, 0, NULL);
	bool out;

	assert_non_null(sw);
	assert_non_null(v);
	out = fm_show_when(NULL, sw, v);
	json_decref(sw);
	json_decref(v);
	return out;
}

#define COND(op, value)                                                                            \
	"{\"conditions\": [{\"field\": \"a\", \"op\": \"" op "\", \"value\": " value "}]}"

static void conditions_on_values(void **state)
{
	(void)state;
	assert_true(shown(COND("eq", "3"), "{\"a\": 3.0}"));
	assert_false(shown(COND("ne", "3"), "{\"a\": 3}"));
	assert_true(shown(COND("ne", "3"), "{\"a\": null}"));
	assert_true(shown(COND("gt", "2"), "{\"a\": 3}"));
	assert_false(shown(COND("gt", "2"), "{\"a\": null}"));
	assert_true(shown(COND("between", "[1, 3]"), "{\"a\": 3}"));
	assert_false(shown(COND("between", "[1, 3]"), "{\"a\": 4}"));
	assert_true(shown(COND("lte", "\"2026-11-28\""), "{\"a\": \"2026-11-01\"}"));
	assert_true(shown(COND("contains", "\"URG\""), "{\"a\": \"very urgent\"}"));
	assert_true(shown(COND("not_contains", "\"x\""), "{\"a\": null}"));
	assert_true(shown(COND("starts", "\"ht\""), "{\"a\": \"HT-1\"}"));
	assert_true(shown(COND("in", "[\"x\", \"y\"]"), "{\"a\": \"y\"}"));
	assert_true(shown(COND("not_in", "[\"x\"]"), "{\"a\": \"y\"}"));
	assert_true(shown(COND("any_of", "[\"x\", \"z\"]"), "{\"a\": [\"z\"]}"));
	assert_false(shown(COND("all_of", "[\"x\", \"z\"]"), "{\"a\": [\"z\"]}"));
	assert_true(shown(COND("all_of", "[\"x\", \"z\"]"), "{\"a\": [\"z\", \"y\", \"x\"]}"));
	assert_true(shown(COND("none_of", "[\"x\"]"), "{\"a\": [\"z\"]}"));
	assert_true(shown(COND("any_of", "[5]"), "{\"a\": 5}")); /* one member */
	assert_true(shown("{\"conditions\": [{\"field\": \"a\", \"op\": \"empty\"}]}", "{}"));
	assert_false(
	    shown("{\"conditions\": [{\"field\": \"a\", \"op\": \"not_empty\"}]}", "{\"a\": []}"));
	/* all / any over several conditions; none: always shown */
	assert_false(
	    shown("{\"match\": \"all\", \"conditions\": [{\"field\": \"a\", \"op\": \"eq\", "
		  "\"value\": 1}, {\"field\": \"b\", \"op\": \"eq\", \"value\": 2}]}",
		  "{\"a\": 1, \"b\": 3}"));
	assert_true(
	    shown("{\"match\": \"any\", \"conditions\": [{\"field\": \"a\", \"op\": \"eq\", "
		  "\"value\": 1}, {\"field\": \"b\", \"op\": \"eq\", \"value\": 2}]}",
		  "{\"a\": 1, \"b\": 3}"));
	assert_true(shown("{\"conditions\": []}", "{}"));
}

static void operators_fit_their_types(void **state)
{
	(void)state;
	assert_true(fm_op_allowed("text", "contains"));
	assert_false(fm_op_allowed("text", "gt"));
	assert_true(fm_op_allowed("money", "between"));
	assert_false(fm_op_allowed("money", "contains"));
	assert_true(fm_op_allowed("datetime", "lte"));
	assert_true(fm_op_allowed("select", "in"));
	assert_false(fm_op_allowed("select", "any_of"));
	assert_true(fm_op_allowed("checkbox", "all_of"));
	assert_true(fm_op_allowed("_created_by", "any_of"));
	assert_true(fm_op_allowed("_id", "lte"));
	assert_true(fm_op_allowed("address", "contains"));
	assert_false(fm_op_allowed("attachment", "eq"));
	assert_true(fm_op_allowed("attachment", "not_empty"));
	assert_false(fm_op_allowed("text", "eq OR 1=1"));
	assert_false(fm_op_allowed("text", NULL));
}

static void kinds_and_sorting(void **state)
{
	(void)state;
	assert_int_equal(fm_kind_of("number"), FM_KIND_REAL);
	assert_int_equal(fm_kind_of("rating"), FM_KIND_INTEGER);
	assert_int_equal(fm_kind_of("member"), FM_KIND_JSON);
	assert_int_equal(fm_kind_of("serial"), FM_KIND_TEXT);
	assert_int_equal(fm_kind_of("section"), FM_KIND_NONE);
	assert_int_equal(fm_kind_of("nope"), FM_KIND_NONE);
	assert_true(fm_type_sortable("date"));
	assert_false(fm_type_sortable("richtext"));
	assert_false(fm_type_sortable("checkbox"));
	/* every registered type has a kind, layout types none */
	for (const struct fm_type *t = fm_types; t->name != NULL; t++)
		assert_true((fm_kind_of(t->name) == FM_KIND_NONE) == (t->storage == FM_STORE_NONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conditions_on_values),
		cmocka_unit_test(operators_fit_their_types),
		cmocka_unit_test(kinds_and_sorting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
