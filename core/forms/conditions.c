/* core/forms/conditions.c: show_when conditions evaluated on values and
 * checked against the form, and which operators fit which fields (the
 * registry's operator classes, and the system fields'). Pure. */
#include "conditions.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../identity/body.h"
#include "field_int.h"
#include "form_model.h"

/* ---- which ops fit which type ---- */

/* The system fields every record has, filtered like a type of their own. */
static const struct fm_system_field SYSTEM_FIELDS[] = {
	{ "_id", "id", FM_OPS_NUMBER },
	{ "_created_by", "created_by", FM_OPS_MULTI },
	{ "_created_at", "created_us", FM_OPS_DATETIME },
	{ "_updated_by", "updated_by", FM_OPS_MULTI },
	{ "_updated_at", "updated_us", FM_OPS_DATETIME },
};
#define N_SYSTEM_FIELDS (sizeof(SYSTEM_FIELDS) / sizeof(SYSTEM_FIELDS[0]))

const struct fm_system_field *fm_system_field(const char *name)
{
	for (size_t i = 0; name != NULL && i < N_SYSTEM_FIELDS; i++)
		if (strcmp(name, SYSTEM_FIELDS[i].name) == 0)
			return &SYSTEM_FIELDS[i];
	return NULL;
}

bool fm_op_allowed(const char *type, const char *op)
{
	const struct fm_system_field *sys = fm_system_field(type);

	return fm_ops_allow(sys != NULL ? sys->ops : fm_type_get(type)->ops, op);
}

/* ---- show-when on values ----
 *
 * Values compare by their field's operator class, as the UI's evaluator
 * (web/ui/src/fields/conditions.js) compares them, so that the server never
 * empties a field the form showed: numbers as numbers (also when written as
 * text), date-times as instants (any offset), dates by their day, text
 * trimmed. tests/cases/conditions.json holds the cases both run. */

/* The operator class of the field named id among fields (FM_OPS_OTHER if
 * it is not there: then values compare as they are). */
static enum fm_ops ops_of(const json_t *fields, const char *id)
{
	size_t i;
	const json_t *f;

	json_array_foreach(fields, i, f)
	{
		const char *fid = json_string_value(json_object_get(f, "id"));
		const struct fm_type *t;
		if (id == NULL || fid == NULL || strcmp(fid, id) != 0)
			continue;
		t = fm_type_find(json_string_value(json_object_get(f, "type")));
		return t != NULL ? t->ops : FM_OPS_OTHER;
	}
	return FM_OPS_OTHER;
}

/* s without leading and trailing white space, as a new JSON string. */
static json_t *trimmed(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 &&
	       (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return json_stringn(s, n);
}

/* v in the form values of class ops compare in (a new reference; NULL
 * for NULL): see the comment above. What does not read as the class's
 * values stays as it is, and then compares with nothing. */
static json_t *comparable(enum fm_ops ops, const json_t *v)
{
	const char *s = json_string_value(v);
	json_t *out = NULL;

	if (s == NULL)
		return json_incref((json_t *)v);
	if (ops == FM_OPS_NUMBER) {
		json_t *text = trimmed(s);
		const char *t = json_string_value(text);
		char *end = NULL;
		double x = t[0] != '\0' ? strtod(t, &end) : 0;
		if (end != NULL && *end == '\0' && isfinite(x))
			out = json_real(x);
		json_decref(text);
	} else if (ops == FM_OPS_DATETIME) {
		(void)fm_datetime_value(NULL, v, &out, NULL);
	} else if (ops == FM_OPS_DATE) {
		out = json_stringn(s, strnlen(s, 10));
	} else if (ops == FM_OPS_TEXT) {
		out = trimmed(s);
	}
	return out != NULL ? out : json_incref((json_t *)v);
}

static int compare(const json_t *a, const json_t *b, bool *ok)
{
	*ok = true;
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		return x < y ? -1 : x > y ? 1 : 0;
	}
	if (json_is_string(a) && json_is_string(b))
		return strcmp(json_string_value(a), json_string_value(b));
	*ok = false;
	return 0;
}

static bool in_list(const json_t *list, const json_t *v)
{
	size_t i;
	const json_t *e;

	json_array_foreach(list, i, e)
	{
		bool ok;
		if (json_equal(e, v) || (compare(e, v, &ok) == 0 && ok))
			return true;
	}
	return false;
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = hay; *p != '\0'; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return n == 0;
}

static bool set_condition_true(const char *op, const json_t *v, const json_t *cv)
{
	size_t i, hits = 0;
	const json_t *e;

	json_array_foreach(cv, i, e)
	{
		if (json_is_array(v) ? in_list(v, e) : json_equal(v, e))
			hits++;
	}
	if (strcmp(op, "any_of") == 0)
		return hits > 0;
	if (strcmp(op, "none_of") == 0)
		return hits == 0;
	return hits == json_array_size(cv);
}

static bool text_condition_true(const char *op, const json_t *v, const json_t *cv)
{
	const char *s = json_string_value(v), *n = json_string_value(cv);
	char *joined = NULL;
	bool r;

	if (s == NULL && json_is_object(v)) /* an address */
		s = joined = json_dumps(v, JSON_COMPACT);
	if (s == NULL || n == NULL) {
		free(joined);
		return false;
	}
	r = strcmp(op, "starts") == 0 ? strncasecmp(s, n, strlen(n)) == 0
				      : contains_ci(s, n) == (strcmp(op, "contains") == 0);
	free(joined);
	return r;
}

/* eq ne gt gte lt lte between on values already made comparable. */
static bool order_condition_true(const char *op, const json_t *v, const json_t *cv)
{
	bool ok = false;
	int c;

	if (strcmp(op, "between") == 0) {
		bool ok2;
		int lo = compare(v, json_array_get(cv, 0), &ok);
		int hi = compare(v, json_array_get(cv, 1), &ok2);
		return ok && ok2 && lo >= 0 && hi <= 0;
	}
	c = compare(v, cv, &ok);
	if (strcmp(op, "eq") == 0)
		return ok ? c == 0 : json_equal(v, cv);
	if (strcmp(op, "ne") == 0)
		return ok ? c != 0 : !json_equal(v, cv);
	if (!ok)
		return false;
	if (strcmp(op, "gt") == 0)
		return c > 0;
	if (strcmp(op, "gte") == 0)
		return c >= 0;
	if (strcmp(op, "lt") == 0)
		return c < 0;
	return strcmp(op, "lte") == 0 && c <= 0;
}

static bool condition_true(const char *op, enum fm_ops ops, const json_t *v, const json_t *cv)
{
	json_t *a, *b;
	bool r;

	if (op == NULL)
		return false;
	if (strcmp(op, "empty") == 0)
		return fm_value_empty(v);
	if (strcmp(op, "not_empty") == 0)
		return !fm_value_empty(v);
	if (fm_value_empty(v))
		return strcmp(op, "ne") == 0 || strcmp(op, "not_in") == 0 ||
		       strcmp(op, "none_of") == 0 || strcmp(op, "not_contains") == 0;
	if (strcmp(op, "in") == 0)
		return in_list(cv, v);
	if (strcmp(op, "not_in") == 0)
		return !in_list(cv, v);
	if (strcmp(op, "any_of") == 0 || strcmp(op, "all_of") == 0 || strcmp(op, "none_of") == 0)
		return set_condition_true(op, v, cv);
	if (strcmp(op, "contains") == 0 || strcmp(op, "not_contains") == 0 ||
	    strcmp(op, "starts") == 0)
		return text_condition_true(op, v, cv);
	a = comparable(ops, v);
	if (strcmp(op, "between") == 0 && json_is_array(cv))
		b = json_pack("[o, o]", comparable(ops, json_array_get(cv, 0)),
			      comparable(ops, json_array_get(cv, 1)));
	else
		b = comparable(ops, cv);
	r = order_condition_true(op, a, b);
	json_decref(a);
	json_decref(b);
	return r;
}

bool fm_show_when(const json_t *fields, const json_t *show_when, const json_t *values)
{
	bool any = strcmp(json_string_value(json_object_get(show_when, "match")) != NULL
			      ? json_string_value(json_object_get(show_when, "match"))
			      : "all",
			  "any") == 0;
	size_t i;
	const json_t *c;

	if (json_array_size(json_object_get(show_when, "conditions")) == 0)
		return true;
	json_array_foreach(json_object_get(show_when, "conditions"), i, c)
	{
		const char *field = json_string_value(json_object_get(c, "field"));
		bool t = condition_true(json_string_value(json_object_get(c, "op")),
					ops_of(fields, field), json_object_get(values, field),
					json_object_get(c, "value"));
		if (any && t)
			return true;
		if (!any && !t)
			return false;
	}
	return !any;
}

int fm_condition_value_check(const char *op, const json_t *v, struct cr_err *err)
{
	if (strcmp(op, "empty") == 0 || strcmp(op, "not_empty") == 0)
		return 0;
	if (strcmp(op, "between") == 0)
		return json_is_array(v) && json_array_size(v) == 2 &&
			       !json_is_null(json_array_get(v, 0)) &&
			       !json_is_null(json_array_get(v, 1))
			   ? 0
			   : cr_err_set(err, CR_EINVAL, "'between' takes [from, to]");
	if (strcmp(op, "in") == 0 || strcmp(op, "not_in") == 0 || strstr(op, "_of") != NULL) {
		size_t i;
		const json_t *e;
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > FM_LIST_VALUES_MAX)
			return cr_err_set(err, CR_EINVAL, "'%s' takes a list of 1 to %d values", op,
					  FM_LIST_VALUES_MAX);
		json_array_foreach(
		    v, i, e) if (!json_is_string(e) &&
				 !json_is_number(
				     e)) return cr_err_set(err, CR_EINVAL,
							   "'%s' takes a list of texts or numbers",
							   op);
		return 0;
	}
	if (!json_is_string(v) && !json_is_number(v))
		return cr_err_set(err, CR_EINVAL, "'%s' takes a text or a number", op);
	return 0;
}

int fm_show_when_check(const json_t *fields, const char *self, const json_t *sw, struct cr_err *err)
{
	static const char *const keys[] = { "match", "conditions", NULL };
	const char *match = json_string_value(json_object_get(sw, "match"));
	const json_t *conds = json_object_get(sw, "conditions");
	size_t i;
	const json_t *c;

	if (sw == NULL || json_is_null(sw))
		return 0;
	if (id_body_keys(sw, keys, err) < 0)
		return cr_err_wrap(err, "field '%s': show_when", self);
	if (match != NULL && strcmp(match, "all") != 0 && strcmp(match, "any") != 0)
		return cr_err_set(err, CR_EINVAL, "field '%s': show_when matches 'all' or 'any'",
				  self);
	if (!json_is_array(conds) || json_array_size(conds) > FM_CONDITIONS_MAX)
		return cr_err_set(err, CR_EINVAL,
				  "field '%s': show_when needs a list of at most %d conditions",
				  self, FM_CONDITIONS_MAX);
	json_array_foreach(conds, i, c)
	{
		const char *ref = json_string_value(json_object_get(c, "field"));
		const char *op = json_string_value(json_object_get(c, "op"));
		const json_t *target = fm_field_by_id(fields, ref);
		const char *type = json_string_value(json_object_get(target, "type"));
		if (target == NULL || strcmp(ref, self) == 0 ||
		    fm_type_get(type)->kind == FM_KIND_NONE)
			return cr_err_set(err, CR_EINVAL,
					  "field '%s': show_when names '%s', which is not another "
					  "field with a value",
					  self, ref != NULL ? ref : "");
		if (!fm_op_allowed(type, op))
			return cr_err_set(err, CR_EINVAL,
					  "field '%s': show_when cannot use '%s' on a %s field",
					  self, op != NULL ? op : "", type);
		if (fm_condition_value_check(op, json_object_get(c, "value"), err) < 0)
			return cr_err_wrap(err, "field '%s': show_when", self);
	}
	return 0;
}
