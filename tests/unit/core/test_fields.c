/* tests/unit/core/test_fields.c: every field type's options and values,
 * valid and invalid, and what values come back as. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

/* The value is refused with a message naming the field's label. */
static void bad(const char *type, const char *options, const char *value)
{
	json_t *f = field(type, options), *v = json_loads(value, JSON_DECODE_ANY, NULL),
	       *out = NULL;
	struct cr_err err = { 0 };

	assert_int_equal(fm_field_check(f, &err), 0);
	if (fm_value_check(f, v, &out, &err) != CR_EINVAL)
		fail_msg("%s %s accepted", type, value);
	assert_non_null(strstr(err.msg, "'Field'"));
	json_decref(v);
	json_decref(f);
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

static void text_kinds(void **state)
{
	(void)state;
	assert_string_equal(ok("text", NULL, "\"  李雷 \""), "\"李雷\"");
	bad("text", "{\"max_length\": 3}", "\"abcd\"");
	bad("text", NULL, "\"line\\nbreak\"");
	bad("text", NULL, "42");
	assert_string_equal(ok("textarea", NULL, "\"a\\nb\""), "\"a\\nb\"");
	assert_string_equal(ok("barcode", NULL, "\" 6901234567892 \""), "\"6901234567892\"");
	assert_string_equal(ok("email", NULL, "\"li.lei@example.com\""), "\"li.lei@example.com\"");
	bad("email", NULL, "\"li.lei@example\"");
	bad("email", NULL, "\"@example.com\"");
	bad("email", NULL, "\"a@b@c.com\"");
	assert_string_equal(ok("phone", NULL, "\"+86 138-0013-8000\""), "\"+86 138-0013-8000\"");
	bad("phone", NULL, "\"call me\"");
	assert_string_equal(ok("link", NULL, "\"https://example.com/a?b=1\""),
			    "\"https://example.com/a?b=1\"");
	bad("link", NULL, "\"javascript:alert(1)\"");
	bad("link", NULL, "\"https://\"");
}

static void numbers(void **state)
{
	(void)state;
	assert_string_equal(ok("number", "{\"precision\": 2}", "3.14159"), "3.1400000000000001");
	assert_string_equal(ok("number", "{\"precision\": 0}", "2.6"), "3");
	bad("number", "{\"min\": 0, \"max\": 10}", "11");
	bad("number", NULL, "\"12\"");
	bad("number", NULL, "1e300");
	assert_string_equal(ok("money", "{\"currency\": \"CNY\"}", "9.999"), "10.0");
	assert_string_equal(ok("percent", NULL, "12.5"), "12.5");
	assert_string_equal(ok("duration", NULL, "3600"), "3600");
	bad("duration", NULL, "-1");
	assert_string_equal(ok("rating", "{\"max\": 3}", "3"), "3");
	bad("rating", "{\"max\": 3}", "4");
}

static void dates(void **state)
{
	(void)state;
	assert_string_equal(ok("date", NULL, "\"2024-02-29\""), "\"2024-02-29\"");
	bad("date", NULL, "\"2023-02-29\"");
	bad("date", NULL, "\"2024-13-01\"");
	bad("date", NULL, "\"2024-1-1\"");
	assert_string_equal(ok("datetime", NULL, "\"2026-11-28T09:30:00+08:00\""),
			    "\"2026-11-28T01:30:00Z\"");
	assert_string_equal(ok("datetime", NULL, "\"2026-01-01T00:10-01:00\""),
			    "\"2026-01-01T01:10:00Z\"");
	assert_string_equal(ok("datetime", NULL, "\"2026-01-01T05:00:00.123+08:00\""),
			    "\"2025-12-31T21:00:00Z\"");
	bad("datetime", NULL, "\"2026-11-28T09:30:00\"");
	bad("datetime", NULL, "\"2026-11-28T24:00:00Z\"");
	assert_string_equal(
	    ok("timerange", NULL,
	       "{\"start\": \"2026-11-28T09:00:00Z\", \"end\": \"2026-11-28T10:00:00Z\"}"),
	    "{\"start\":\"2026-11-28T09:00:00Z\",\"end\":\"2026-11-28T10:00:00Z\"}");
	bad("timerange", NULL,
	    "{\"start\": \"2026-11-28T11:00:00Z\", \"end\": \"2026-11-28T10:00:00Z\"}");
}

static void choices_and_references(void **state)
{
	const char *choices = "{\"choices\": [{\"id\": \"a\", \"label\": \"A\"}, {\"id\": \"b\", "
			      "\"label\": \"B\"}]}";

	(void)state;
	assert_string_equal(ok("radio", choices, "\"a\""), "\"a\"");
	bad("select", choices, "\"c\"");
	assert_string_equal(ok("checkbox", choices, "[\"b\", \"a\"]"), "[\"b\",\"a\"]");
	bad("checkbox", choices, "[\"a\", \"a\"]");
	bad("checkbox", choices, "\"a\"");
	assert_string_equal(ok("member", NULL, "7"), "7");
	bad("member", NULL, "[7]");
	assert_string_equal(ok("department", "{\"multiple\": true}", "[1, 2]"), "[1,2]");
	bad("department", "{\"multiple\": true}", "[1, 1]");
}

static void structured_values(void **state)
{
	static const char file[] = "[{\"sha256\": \"%s\", \"name\": \"a.png\", \"size\": 10, "
				   "\"type\": \"%s\"}]";
	char v[256];
	const char *h = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

	(void)state;
	(void)snprintf(v, sizeof(v), file, h, "image/png");
	ok("image", NULL, v);
	ok("attachment", "{\"max_size\": 10}", v);
	bad("attachment", "{\"max_size\": 9}", v);
	(void)snprintf(v, sizeof(v), file, h, "application/pdf");
	bad("image", NULL, v);
	/* accept: by extension (the name is x.png here), by type, by major type */
	ok("attachment", "{\"accept\": [\".PDF\", \"application/pdf\"]}", v);
	ok("attachment", "{\"accept\": [\"application/*\"]}", v);
	bad("attachment", "{\"accept\": [\".doc\", \"image/*\"]}", v);
	bad_field("{\"id\": \"f\", \"type\": \"attachment\", \"label\": \"x\", \"options\": "
		  "{\"accept\": [\"pdf\"]}}");
	bad_field("{\"id\": \"f\", \"type\": \"attachment\", \"label\": \"x\", \"options\": "
		  "{\"accept\": [\"*/*\"]}}");
	bad_field("{\"id\": \"f\", \"type\": \"attachment\", \"label\": \"x\", \"options\": "
		  "{\"accept\": \".pdf\"}}");
	(void)snprintf(v, sizeof(v), file, "../etc/passwd", "image/png");
	bad("attachment", NULL, v);
	assert_string_equal(ok("address", NULL, "{\"region\": [\"浙江省\", \"杭州市\"]}"),
			    "{\"region\":[\"浙江省\",\"杭州市\"],\"detail\":\"\"}");
	bad("address", NULL, "{\"region\": []}");
	ok("location", NULL, "{\"lat\": 30.27, \"lng\": 120.15}");
	bad("location", NULL, "{\"lat\": 91, \"lng\": 0}");
	ok("signature", NULL, "\"data:image/png;base64,iVBORw0KGgo=\"");
	bad("signature", NULL, "\"data:text/html;base64,PGgxPg==\"");
	bad("serial", "{\"parts\": [{\"kind\": \"counter\", \"digits\": 3, \"reset\": \"never\"}]}",
	    "\"NO-001\"");
	bad("description", NULL, "\"x\"");
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
		cmocka_unit_test(text_kinds),
		cmocka_unit_test(numbers),
		cmocka_unit_test(dates),
		cmocka_unit_test(choices_and_references),
		cmocka_unit_test(structured_values),
		cmocka_unit_test(subtables_check_every_row),
		cmocka_unit_test(serial_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
