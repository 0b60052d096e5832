/* core/forms/query.c: conditions (show-when, evaluated on values; list
 * filters, compiled to SQL with bound values), lists with keyset paging,
 * full-text search and counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../../lib/buf.h"
#include "../../lib/text.h"
#include "../identity/body.h"
#include "field_int.h"
#include "forms_int.h"
#include "query.h"

#define LIST_VALUES_MAX 100

/* ---- which ops fit which type ---- */

/* The system fields every record has, filtered like a type of their own. */
static const struct {
	const char *name, *expr;
	enum fm_ops ops;
} SYSTEM_FIELDS[] = {
	{ "_id", "id", FM_OPS_NUMBER },
	{ "_created_by", "created_by", FM_OPS_MULTI },
	{ "_created_at", "created_us", FM_OPS_DATETIME },
	{ "_updated_by", "updated_by", FM_OPS_MULTI },
	{ "_updated_at", "updated_us", FM_OPS_DATETIME },
};
#define N_SYSTEM_FIELDS (sizeof(SYSTEM_FIELDS) / sizeof(SYSTEM_FIELDS[0]))

bool fm_op_allowed(const char *type, const char *op)
{
	for (size_t i = 0; type != NULL && i < N_SYSTEM_FIELDS; i++)
		if (strcmp(type, SYSTEM_FIELDS[i].name) == 0)
			return fm_ops_allow(SYSTEM_FIELDS[i].ops, op);
	return fm_ops_allow(fm_type_get(type)->ops, op);
}

/* ---- show-when on values ---- */

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

static bool condition_true(const char *op, const json_t *v, const json_t *cv)
{
	bool ok = false;
	int c;

	if (strcmp(op, "empty") == 0)
		return fm_value_empty(v);
	if (strcmp(op, "not_empty") == 0)
		return !fm_value_empty(v);
	if (strcmp(op, "ne") == 0 || strcmp(op, "not_in") == 0 || strcmp(op, "none_of") == 0 ||
	    strcmp(op, "not_contains") == 0)
		if (fm_value_empty(v))
			return true;
	if (fm_value_empty(v))
		return false;
	if (strcmp(op, "in") == 0)
		return in_list(cv, v);
	if (strcmp(op, "not_in") == 0)
		return !in_list(cv, v);
	if (strcmp(op, "any_of") == 0 || strcmp(op, "all_of") == 0 || strcmp(op, "none_of") == 0) {
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
	if (strcmp(op, "contains") == 0 || strcmp(op, "not_contains") == 0 ||
	    strcmp(op, "starts") == 0) {
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
	if (strcmp(op, "lte") == 0)
		return c <= 0;
	return false;
}

bool fm_show_when(const json_t *fields, const json_t *show_when, const json_t *values)
{
	bool any = strcmp(json_string_value(json_object_get(show_when, "match")) != NULL
			      ? json_string_value(json_object_get(show_when, "match"))
			      : "all",
			  "any") == 0;
	size_t i;
	const json_t *c;

	(void)fields;
	if (json_array_size(json_object_get(show_when, "conditions")) == 0)
		return true;
	json_array_foreach(json_object_get(show_when, "conditions"), i, c)
	{
		bool t = condition_true(
		    json_string_value(json_object_get(c, "op")),
		    json_object_get(values, json_string_value(json_object_get(c, "field"))),
		    json_object_get(c, "value"));
		if (any && t)
			return true;
		if (!any && !t)
			return false;
	}
	return !any;
}

/* A condition's value fits its op: lists for list ops, a pair for
 * between, one scalar else, none for empty/not_empty. */
static int value_shape(const char *op, const json_t *v, struct cr_err *err)
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
		    json_array_size(v) > LIST_VALUES_MAX)
			return cr_err_set(err, CR_EINVAL, "'%s' takes a list of 1 to %d values", op,
					  LIST_VALUES_MAX);
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
		if (value_shape(op, json_object_get(c, "value"), err) < 0)
			return cr_err_wrap(err, "field '%s': show_when", self);
	}
	return 0;
}

/* ---- filters to SQL ---- */

struct sql_build {
	struct cr_buf sql;
	struct storage_value params[STORAGE_MAX_PARAMS];
	unsigned n;
	char *hold[STORAGE_MAX_PARAMS]; /* text the params point to */
	unsigned n_hold;
	int tz_offset_s;
	bool sorted; /* the list is sorted on a field: walk that field's index */
};

static int param(struct sql_build *b, struct storage_value v, struct cr_err *err)
{
	if (b->n >= STORAGE_MAX_PARAMS - 8)
		return cr_err_set(err, CR_ETOOBIG, "the filter has too many values");
	b->params[b->n++] = v;
	return 0;
}

static int param_text(struct sql_build *b, const char *s, struct cr_err *err)
{
	char *copy = strdup(s != NULL ? s : "");

	if (copy == NULL || b->n_hold >= STORAGE_MAX_PARAMS) {
		free(copy);
		return cr_err_set(err, CR_ETOOBIG, "the filter has too many values");
	}
	b->hold[b->n_hold++] = copy;
	return param(b, storage_text(copy), err);
}

void fm_sql_close(struct fm_sql *s)
{
	struct sql_build *b = s->b;

	if (b == NULL)
		return;
	cr_buf_close(&b->sql);
	for (unsigned i = 0; i < b->n_hold; i++)
		free(b->hold[i]);
	free(b);
	s->b = NULL;
}

/* A column: a system field or a live field. */
struct target {
	const char *type;
	char expr[24];
	const struct fm_col *col;
	enum fm_ops ops;
	bool is_time_us; /* created_us / updated_us */
	bool is_id;      /* compared with numbers: ids, member and department refs */
};

static int target_of(const struct fm_form *form, const char *field, struct target *t,
		     struct cr_err *err)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; field != NULL && i < N_SYSTEM_FIELDS; i++)
		if (strcmp(field, SYSTEM_FIELDS[i].name) == 0) {
			t->type = SYSTEM_FIELDS[i].name;
			(void)snprintf(t->expr, sizeof(t->expr), "%s", SYSTEM_FIELDS[i].expr);
			t->ops = SYSTEM_FIELDS[i].ops;
			t->is_time_us = t->ops == FM_OPS_DATETIME;
			t->is_id = t->ops != FM_OPS_DATETIME;
			return 0;
		}
	t->col = field != NULL ? fm_form_col(form, field) : NULL;
	if (t->col == NULL || t->col->kind == FM_KIND_NONE)
		return cr_err_set(err, CR_EINVAL, "this form has no field '%s'",
				  field != NULL ? field : "");
	t->type = t->col->type;
	t->ops = t->col->t->ops;
	t->is_id = t->col->t->ref != FM_REF_NONE;
	(void)snprintf(t->expr, sizeof(t->expr), "c%d", t->col->col);
	return 0;
}

/* "2026-11-28" or an RFC 3339 date-time as µs since the epoch (UTC). */
static int time_us(const json_t *v, bool end_of_day, int tz_offset_s, int64_t *out,
		   struct cr_err *err)
{
	const char *s = json_string_value(v);
	struct tm tm = { 0 };
	int n = 0;
	char norm[64];

	if (s != NULL && strlen(s) == 10 &&
	    sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) == 3 && n == 10) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		if (end_of_day) {
			tm.tm_hour = 23;
			tm.tm_min = 59;
			tm.tm_sec = 59;
		}
		*out = ((int64_t)timegm(&tm) - tz_offset_s) * 1000000 + (end_of_day ? 999999 : 0);
		return 0;
	}
	{
		json_t *normv = NULL;
		int rc = fm_value_empty(v) ? CR_EINVAL : fm_datetime_value(NULL, v, &normv, NULL);
		if (rc < 0 || !json_is_string(normv)) {
			json_decref(normv);
			return cr_err_set(err, CR_EINVAL,
					  "a time must be a date (2026-11-28) or a date-time "
					  "(2026-11-28T09:30:00+08:00)");
		}
		(void)snprintf(norm, sizeof(norm), "%s", json_string_value(normv));
		json_decref(normv);
	}
	if (sscanf(norm, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return cr_err_set(err, CR_EINVAL, "a time could not be read");
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm(&tm) * 1000000;
	return 0;
}

/* One condition value as a bound parameter for target t (ends: for
 * between, which end; dates widen to the whole day). */
static int bind_one(struct sql_build *b, const struct target *t, const json_t *v, int end,
		    struct cr_err *err)
{
	if (t->is_time_us) {
		int64_t us = 0;
		int rc = time_us(v, end > 0, b->tz_offset_s, &us, err);
		return rc < 0 ? rc : param(b, storage_int(us), err);
	}
	if (t->ops == FM_OPS_NUMBER || t->is_id) {
		if (!json_is_number(v))
			return cr_err_set(err, CR_EINVAL, "'%s' is compared with numbers",
					  t->col != NULL ? t->col->label : t->type);
		return param(b,
			     json_is_integer(v) ? storage_int(json_integer_value(v))
						: storage_float(json_number_value(v)),
			     err);
	}
	if (!json_is_string(v))
		return cr_err_set(err, CR_EINVAL, "'%s' is compared with text",
				  t->col != NULL ? t->col->label : t->type);
	if (t->ops == FM_OPS_DATETIME) {
		/* stored as UTC text: a date is the local day's bound, a
		 * date-time with any offset is turned to UTC */
		int64_t us = 0;
		time_t secs;
		struct tm tm;
		char s[40];
		int rc = time_us(v, end > 0, b->tz_offset_s, &us, err);
		if (rc < 0)
			return rc;
		secs = (time_t)(us / 1000000);
		(void)gmtime_r(&secs, &tm);
		(void)strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
		return param_text(b, s, err);
	}
	return param_text(b, json_string_value(v), err);
}

static int list_bind(struct sql_build *b, const struct target *t, const json_t *list,
		     struct cr_err *err)
{
	size_t i;
	const json_t *e;

	json_array_foreach(list, i, e)
	{
		(void)cr_buf_printf(&b->sql, i == 0 ? "?" : ", ?");
		if (bind_one(b, t, e, 0, err) < 0)
			return CR_EINVAL;
	}
	return 0;
}

static int condition_sql(struct sql_build *b, const struct fm_form *form, const json_t *c,
			 struct cr_err *err)
{
	static const char *const keys[] = { "field", "op", "value", NULL };
	const char *op = json_string_value(json_object_get(c, "op"));
	const json_t *v = json_object_get(c, "value");
	struct target t;
	const char *x;
	bool multi_json;
	int rc = id_body_keys(c, keys, err);

	if (rc == 0)
		rc = target_of(form, json_string_value(json_object_get(c, "field")), &t, err);
	if (rc < 0)
		return rc;
	if (!fm_ops_allow(t.ops, op))
		return cr_err_set(err, CR_EINVAL, "'%s' cannot be filtered with '%s'",
				  t.col != NULL ? t.col->label : t.type, op != NULL ? op : "");
	if (value_shape(op, v, err) < 0)
		return CR_EINVAL;
	x = t.expr;
	multi_json = t.col != NULL && t.col->kind == FM_KIND_JSON;
	/* A choice or rating matches a large share of the rows: with a sort
	 * on another field, walking the sort's index and testing each row
	 * beats reading the choice's index and sorting every match. The
	 * unary + keeps SQLite from using the column's index. */
	char plus[32];
	if (b->sorted && t.col != NULL && t.col->t->has_few_values) {
		(void)snprintf(plus, sizeof(plus), "+%s", t.expr);
		x = plus;
	}
	if (strcmp(op, "empty") == 0)
		return cr_buf_printf(&b->sql, "%s IS NULL", x) < 0 ? CR_EINTERNAL : 0;
	if (strcmp(op, "not_empty") == 0)
		return cr_buf_printf(&b->sql, "%s IS NOT NULL", x) < 0 ? CR_EINTERNAL : 0;
	if (strcmp(op, "eq") == 0 && t.ops == FM_OPS_DATETIME) {
		(void)cr_buf_printf(&b->sql, "%s BETWEEN ? AND ?", x);
		rc = bind_one(b, &t, v, 0, err);
		return rc < 0 ? rc : bind_one(b, &t, v, 1, err);
	}
	if (strcmp(op, "eq") == 0 || strcmp(op, "gt") == 0 || strcmp(op, "gte") == 0 ||
	    strcmp(op, "lt") == 0 || strcmp(op, "lte") == 0) {
		const char *sym = strcmp(op, "eq") == 0    ? "="
				  : strcmp(op, "gt") == 0  ? ">"
				  : strcmp(op, "gte") == 0 ? ">="
				  : strcmp(op, "lt") == 0  ? "<"
							   : "<=";
		int end = strcmp(op, "gt") == 0 || strcmp(op, "lte") == 0 ? 1 : 0;
		(void)cr_buf_printf(&b->sql, "%s %s ?", x, sym);
		return bind_one(b, &t, v, end, err);
	}
	if (strcmp(op, "ne") == 0) {
		(void)cr_buf_printf(&b->sql, "(%s IS NULL OR %s <> ?)", x, x);
		return bind_one(b, &t, v, 0, err);
	}
	if (strcmp(op, "between") == 0) {
		(void)cr_buf_printf(&b->sql, "%s BETWEEN ? AND ?", x);
		rc = bind_one(b, &t, json_array_get(v, 0), 0, err);
		return rc < 0 ? rc : bind_one(b, &t, json_array_get(v, 1), 1, err);
	}
	if (strcmp(op, "contains") == 0 || strcmp(op, "not_contains") == 0) {
		if (!json_is_string(v))
			return cr_err_set(err, CR_EINVAL, "'%s' takes text", op);
		(void)cr_buf_printf(&b->sql,
				    op[0] == 'c' ? "instr(lower(%s), lower(?)) > 0"
						 : "(%s IS NULL OR instr(lower(%s), lower(?)) = 0)",
				    x, x);
		return param_text(b, json_string_value(v), err);
	}
	if (strcmp(op, "starts") == 0) {
		if (!json_is_string(v))
			return cr_err_set(err, CR_EINVAL, "'starts' takes text");
		(void)cr_buf_printf(&b->sql, "substr(lower(%s), 1, length(?)) = lower(?)", x);
		rc = param_text(b, json_string_value(v), err);
		return rc < 0 ? rc : param_text(b, json_string_value(v), err);
	}
	if (strcmp(op, "in") == 0 || strcmp(op, "not_in") == 0) {
		(void)cr_buf_printf(&b->sql,
				    op[0] == 'i' ? "%s IN (" : "(%s IS NULL OR %s NOT IN (", x, x);
		rc = list_bind(b, &t, v, err);
		(void)cr_buf_printf(&b->sql, op[0] == 'i' ? ")" : "))");
		return rc;
	}
	/* any_of, all_of, none_of */
	if (!multi_json) {
		if (strcmp(op, "all_of") == 0 && json_array_size(v) > 1) {
			/* one value cannot equal several */
			return cr_buf_printf(&b->sql, "0") < 0 ? CR_EINTERNAL : 0;
		}
		(void)cr_buf_printf(&b->sql, strcmp(op, "none_of") == 0 ? "%s NOT IN (" : "%s IN (",
				    x);
		rc = list_bind(b, &t, v, err);
		(void)cr_buf_printf(&b->sql, ")");
		return rc;
	}
	if (strcmp(op, "all_of") == 0) {
		(void)cr_buf_printf(&b->sql,
				    "(SELECT count(DISTINCT value) FROM json_each(%s) WHERE value "
				    "IN (",
				    x);
		rc = list_bind(b, &t, v, err);
		(void)cr_buf_printf(&b->sql, ")) = %zu", json_array_size(v));
		return rc;
	}
	(void)cr_buf_printf(&b->sql, "%sEXISTS (SELECT 1 FROM json_each(%s) WHERE value IN (",
			    strcmp(op, "none_of") == 0 ? "NOT " : "", x);
	rc = list_bind(b, &t, v, err);
	(void)cr_buf_printf(&b->sql, "))");
	return rc;
}

/* Full-text: words of 3 characters or more through the trigram index,
 * shorter ones by a scan of the index's text. */
static int search_sql(struct sql_build *b, const struct fm_form *form, const char *q,
		      struct cr_err *err)
{
	char *copy = strdup(q), *save = NULL;
	int rc = 0;
	unsigned words = 0;

	if (copy == NULL)
		return cr_err_set(err, CR_EINTERNAL, "out of memory");
	for (char *w = strtok_r(copy, " \t\r\n", &save); rc == 0 && w != NULL;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		struct cr_buf pat;
		if (++words > 10) {
			rc = cr_err_set(err, CR_EINVAL, "search with at most 10 words");
			break;
		}
		cr_buf_init(&pat, 1024);
		if (cr_utf8_chars(w, false) >= 3) {
			(void)cr_buf_printf(&pat, "\"");
			for (const char *p = w; *p != '\0'; p++)
				(void)cr_buf_printf(&pat, *p == '"' ? "\"\"" : "%c", *p);
			(void)cr_buf_printf(&pat, "\"");
			(void)cr_buf_printf(&b->sql,
					    " AND id IN (SELECT rowid FROM %s WHERE %s MATCH ?)",
					    form->fts, form->fts);
		} else {
			(void)cr_buf_printf(&pat, "%%");
			for (const char *p = w; *p != '\0'; p++)
				(void)cr_buf_printf(&pat,
						    strchr("%_\\", *p) != NULL ? "\\%c" : "%c", *p);
			(void)cr_buf_printf(&pat, "%%");
			(void)cr_buf_printf(&b->sql,
					    " AND id IN (SELECT rowid FROM %s WHERE body LIKE ? "
					    "ESCAPE '\\')",
					    form->fts);
		}
		rc = param_text(b, pat.data != NULL ? pat.data : "", err);
		cr_buf_close(&pat);
	}
	free(copy);
	return rc;
}

int fm_query_parse(const struct fm_form *form, const struct fm_rights *rights,
		   const struct id_actor *a, const json_t *body, bool paging, struct fm_query *q,
		   struct cr_err *err)
{
	static const char *const keys[] = { "filter",  "q",      "sort",   "limit", "after",
					    "deleted", "fields", "format", NULL };
	const json_t *filter = json_object_get(body, "filter");
	const json_t *sort = json_object_get(body, "sort");
	const json_t *limit = json_object_get(body, "limit");
	const json_t *deleted = json_object_get(body, "deleted");
	const json_t *after = json_object_get(body, "after");
	const char *text = json_string_value(json_object_get(body, "q"));
	struct sql_build *b;
	int rc = 0;

	memset(q, 0, sizeof(*q));
	if (body != NULL && (rc = id_body_keys(body, keys, err)) < 0)
		return rc;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return cr_err_set(err, CR_EINTERNAL, "out of memory");
	q->s.b = b;
	b->tz_offset_s = form->tz_offset_s;
	b->sorted = sort != NULL && !json_is_null(sort);
	cr_buf_init(&b->sql, (size_t)1 << 20);
	q->limit = FM_PAGE_DEFAULT;
	if (limit != NULL && (!json_is_integer(limit) || json_integer_value(limit) < 1 ||
			      json_integer_value(limit) > FM_PAGE_MAX))
		return cr_err_set(err, CR_EINVAL, "'limit' must be 1 to %d", FM_PAGE_MAX);
	if (limit != NULL)
		q->limit = (unsigned)json_integer_value(limit);
	if (deleted != NULL && !json_is_boolean(deleted))
		return cr_err_set(err, CR_EINVAL, "'deleted' must be true or false");
	q->deleted = json_is_true(deleted);
	if (q->deleted && !rights->all_data)
		return cr_err_set(err, CR_EDENIED,
				  "only those who manage this app's data see its recycle bin");
	(void)cr_buf_printf(&b->sql, " WHERE deleted_us IS %sNULL", q->deleted ? "NOT " : "");
	if (!rights->all_data) {
		(void)cr_buf_printf(&b->sql, " AND created_by = ?");
		rc = param(b, storage_int(a->account.id), err);
	}
	if (rc == 0 && filter != NULL && !json_is_null(filter)) {
		static const char *const fkeys[] = { "match", "conditions", NULL };
		const char *match = json_string_value(json_object_get(filter, "match"));
		const json_t *conds = json_object_get(filter, "conditions");
		size_t i;
		const json_t *c;
		bool any = match != NULL && strcmp(match, "any") == 0;
		rc = id_body_keys(filter, fkeys, err);
		if (rc == 0 && match != NULL && strcmp(match, "all") != 0 && !any)
			rc = cr_err_set(err, CR_EINVAL, "a filter matches 'all' or 'any'");
		if (rc == 0 &&
		    (!json_is_array(conds) || json_array_size(conds) > FM_CONDITIONS_MAX))
			rc = cr_err_set(err, CR_EINVAL,
					"a filter's 'conditions' is a list of at most %d",
					FM_CONDITIONS_MAX);
		if (rc == 0 && json_array_size(conds) > 0)
			(void)cr_buf_printf(&b->sql, " AND (");
		json_array_foreach(conds, i, c)
		{
			if (rc < 0)
				break;
			if (i > 0)
				(void)cr_buf_printf(&b->sql, any ? " OR " : " AND ");
			rc = condition_sql(b, form, c, err);
			if (rc < 0)
				(void)cr_err_wrap(err, "condition %zu", i + 1);
		}
		if (rc == 0 && json_array_size(conds) > 0)
			(void)cr_buf_printf(&b->sql, ")");
	}
	if (rc == 0 && json_object_get(body, "q") != NULL &&
	    !json_is_null(json_object_get(body, "q")) &&
	    (text == NULL || cr_utf8_chars(text, false) < 0 || strlen(text) > 200))
		rc = cr_err_set(err, CR_EINVAL, "'q' must be text of at most 200 bytes");
	if (rc == 0 && text != NULL)
		rc = search_sql(b, form, text, err);
	if (rc < 0)
		return rc;
	/* sort */
	(void)snprintf(q->sort_expr, sizeof(q->sort_expr), "id");
	q->desc = true;
	if (sort != NULL && !json_is_null(sort)) {
		const json_t *s0 = json_array_get(sort, 0);
		const char *dir = json_string_value(json_object_get(s0, "dir"));
		struct target t;
		if (!json_is_array(sort) || json_array_size(sort) != 1 || !json_is_object(s0))
			return cr_err_set(err, CR_EINVAL,
					  "'sort' is a list of one {\"field\", \"dir\"}");
		rc = target_of(form, json_string_value(json_object_get(s0, "field")), &t, err);
		if (rc < 0)
			return rc;
		if (t.col != NULL && !t.col->t->is_sortable)
			return cr_err_set(err, CR_EINVAL, "'%s' cannot be sorted on", t.col->label);
		if (dir != NULL && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
			return cr_err_set(err, CR_EINVAL, "a sort's 'dir' is 'asc' or 'desc'");
		(void)snprintf(q->sort_expr, sizeof(q->sort_expr), "%s", t.expr);
		q->sort_col = t.col;
		q->desc = dir != NULL && strcmp(dir, "desc") == 0;
	}
	q->by_id = strcmp(q->sort_expr, "id") == 0;
	/* the cursor: [sort value, id] of the last record of the page before */
	if (paging && after != NULL && !json_is_null(after)) {
		json_t *cur =
		    json_is_string(after) ? json_loads(json_string_value(after), 0, NULL) : NULL;
		const json_t *v = json_array_get(cur, 0);
		const json_t *id = json_array_get(cur, 1);
		const char *cmp = q->desc ? "<" : ">";
		if (!json_is_array(cur) || json_array_size(cur) != 2 || !json_is_integer(id) ||
		    !(json_is_null(v) || json_is_string(v) || json_is_number(v))) {
			json_decref(cur);
			return cr_err_set(err, CR_EINVAL,
					  "'after' must be a cursor from the page before");
		}
		if (q->by_id) {
			(void)cr_buf_printf(&b->sql, " AND id %s ?", cmp);
			rc = param(b, storage_int(json_integer_value(id)), err);
		} else if (json_is_null(v)) {
			/* NULLs sort first going up, last going down */
			(void)cr_buf_printf(
			    &b->sql,
			    q->desc ? " AND (%s IS NULL AND id < ?)"
				    : " AND ((%s IS NULL AND id > ?) OR %s IS NOT NULL)",
			    q->sort_expr, q->sort_expr);
			rc = param(b, storage_int(json_integer_value(id)), err);
		} else {
			(void)cr_buf_printf(&b->sql,
					    q->desc ? " AND ((%s, id) < (?, ?) OR %s IS NULL)"
						    : " AND (%s, id) > (?, ?)",
					    q->sort_expr, q->sort_expr);
			rc = json_is_string(v) ? param_text(b, json_string_value(v), err)
			     : json_is_integer(v)
				 ? param(b, storage_int(json_integer_value(v)), err)
				 : param(b, storage_float(json_number_value(v)), err);
			if (rc == 0)
				rc = param(b, storage_int(json_integer_value(id)), err);
		}
		json_decref(cur);
	}
	return rc;
}

const char *fm_sql_where(const struct fm_sql *s)
{
	return s->b->sql.data != NULL ? s->b->sql.data : "";
}

const struct storage_value *fm_sql_params(const struct fm_sql *s, unsigned *n)
{
	*n = s->b->n;
	return s->b->params;
}

int fm_query_page(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		  struct fm_query *q, json_t **records, json_t **next, struct cr_err *err)
{
	struct cr_buf sql;
	struct storage_rows rows;
	unsigned n;
	const struct storage_value *p = fm_sql_params(&q->s, &n);
	int rc;

	*records = NULL;
	*next = json_null();
	if (form->version == 0) {
		*records = json_array();
		return 0;
	}
	cr_buf_init(&sql, (size_t)2 << 20);
	(void)cr_buf_printf(&sql, "SELECT " FM_SYSTEM_COLS);
	for (size_t i = 0; i < form->n_cols; i++)
		(void)cr_buf_printf(&sql, ", c%d", form->cols[i].col);
	(void)cr_buf_printf(&sql, " FROM %s%s ORDER BY %s %s", form->table, fm_sql_where(&q->s),
			    q->sort_expr, q->desc ? "DESC" : "ASC");
	if (!q->by_id)
		(void)cr_buf_printf(&sql, ", id %s", q->desc ? "DESC" : "ASC");
	(void)cr_buf_printf(&sql, " LIMIT %u", q->limit + 1);
	rc = storage_query(f->id->store, a->db, sql.data, p, n, &rows, err);
	cr_buf_close(&sql);
	if (rc == 0) {
		json_t *list = json_array();
		size_t shown = rows.n_rows > q->limit ? q->limit : rows.n_rows;
		for (size_t r = 0; r < shown; r++)
			json_array_append_new(list, fm_row_record(form, &rows, r));
		if (rows.n_rows > q->limit && shown > 0) {
			const json_t *last = json_array_get(list, shown - 1);
			json_t *v;
			char *text;
			if (q->by_id)
				v = json_null();
			else if (q->sort_col != NULL)
				v = json_incref(json_object_get(json_object_get(last, "values"),
								q->sort_col->id));
			else
				v = json_integer(
				    storage_rows_int(&rows, shown - 1,
						     strcmp(q->sort_expr, "created_us") == 0   ? 3
						     : strcmp(q->sort_expr, "updated_us") == 0 ? 5
						     : strcmp(q->sort_expr, "created_by") == 0 ? 2
											       : 4,
						     0));
			text = json_dumps(
			    json_pack("[o, I]", v,
				      (json_int_t)json_integer_value(json_object_get(last, "id"))),
			    JSON_COMPACT);
			json_decref(*next);
			*next = json_string(text);
			free(text);
		}
		*records = list;
	}
	storage_rows_close(&rows);
	return rc;
}

int fm_records_query(const struct forms *f, const struct id_actor *a, int64_t app,
		     const json_t *body, json_t **out, struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	struct fm_query q;
	json_t *records = NULL, *next = NULL;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	rc = fm_query_parse(&form, &rights, a, body, true, &q, err);
	if (rc == 0)
		rc = fm_query_page(f, a, &form, &q, &records, &next, err);
	if (rc == 0) {
		json_t *o = json_object();
		rc = fm_records_refs(f, a, &form, records, o, err);
		json_object_set_new(o, "records", records);
		json_object_set_new(o, "next", next);
		records = next = NULL;
		if (rc == 0)
			*out = o;
		else
			json_decref(o);
	}
	json_decref(records);
	json_decref(next);
	fm_sql_close(&q.s);
	fm_form_free(&form);
	return rc;
}

int fm_records_count(const struct forms *f, const struct id_actor *a, int64_t app,
		     const json_t *body, json_t **out, struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	struct fm_query q;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	rc = fm_query_parse(&form, &rights, a, body, false, &q, err);
	if (rc == 0 && form.version == 0) {
		*out = json_pack("{s:i}", "count", 0);
	} else if (rc == 0) {
		struct cr_buf sql;
		struct storage_rows rows;
		unsigned n;
		const struct storage_value *p = fm_sql_params(&q.s, &n);
		cr_buf_init(&sql, (size_t)2 << 20);
		(void)cr_buf_printf(&sql, "SELECT count(*) FROM %s%s", form.table,
				    fm_sql_where(&q.s));
		rc = storage_query(f->id->store, a->db, sql.data, p, n, &rows, err);
		if (rc == 0)
			*out = json_pack("{s:I}", "count",
					 (json_int_t)storage_rows_int(&rows, 0, 0, 0));
		storage_rows_close(&rows);
		cr_buf_close(&sql);
	}
	fm_sql_close(&q.s);
	fm_form_free(&form);
	return rc;
}
