/* core/forms/filter.c: a list request compiled to a WHERE clause and its
 * bound values: conditions by the registry's operator classes, full-text
 * search through the trigram index, the sort and the keyset cursor. Pure:
 * the values are struct fm_param, which query.c hands to the store. */
#include "filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/assert.h"
#include "../../lib/buf.h"
#include "../../lib/mem.h"
#include "../../lib/text.h"
#include "../identity/body.h"
#include "conditions.h"
#include "field_int.h"

/* ---- filters to SQL ---- */

struct sql_build {
	struct cr_buf sql;
	struct fm_param params[FM_SQL_PARAMS_MAX];
	unsigned n;
	char *hold[FM_SQL_PARAMS_MAX]; /* text the params point to */
	unsigned n_hold;
	int tz_offset_s;
	bool sorted; /* the list is sorted on a field: walk that field's index */
	int rc;      /* the first failed write to sql (past FM_SQL_MAX) */
};

/* Append to the clause; a failure (CR_ETOOBIG past FM_SQL_MAX) is kept
 * and fm_query_parse answers it. */
#define SQL(b, ...) sql_check((b), cr_buf_printf(&(b)->sql, __VA_ARGS__))

static void sql_check(struct sql_build *b, int rc)
{
	if (rc < 0 && b->rc == 0)
		b->rc = rc;
}

/* Append to a buffer sized for what is written (a bug, else). */
#define PAT(buf, ...) cr_assert(cr_buf_printf((buf), __VA_ARGS__) >= 0)

static int param(struct sql_build *b, struct fm_param v, struct cr_err *err)
{
	if (b->n >= FM_SQL_PARAMS_MAX)
		return cr_err_set(err, CR_ETOOBIG, "the filter has too many values");
	b->params[b->n++] = v;
	return 0;
}

static int param_int(struct sql_build *b, int64_t i, struct cr_err *err)
{
	struct fm_param p = { .kind = FM_PARAM_INT, .i = i };

	return param(b, p, err);
}

static int param_real(struct sql_build *b, double d, struct cr_err *err)
{
	struct fm_param p = { .kind = FM_PARAM_REAL, .d = d };

	return param(b, p, err);
}

static int param_text(struct sql_build *b, const char *s, struct cr_err *err)
{
	struct fm_param p = { .kind = FM_PARAM_TEXT };

	if (b->n >= FM_SQL_PARAMS_MAX)
		return cr_err_set(err, CR_ETOOBIG, "the filter has too many values");
	p.text = b->hold[b->n_hold++] = cr_strdup(s != NULL ? s : "");
	return param(b, p, err);
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
	const struct fm_system_field *sys = fm_system_field(field);

	memset(t, 0, sizeof(*t));
	if (sys != NULL) {
		t->type = sys->name;
		(void)snprintf(t->expr, sizeof(t->expr), "%s", sys->expr);
		t->ops = sys->ops;
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
		return rc < 0 ? rc : param_int(b, us, err);
	}
	if (t->ops == FM_OPS_NUMBER || t->is_id) {
		if (!json_is_number(v))
			return cr_err_set(err, CR_EINVAL, "'%s' is compared with numbers",
					  t->col != NULL ? t->col->label : t->type);
		return json_is_integer(v) ? param_int(b, json_integer_value(v), err)
					  : param_real(b, json_number_value(v), err);
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
		SQL(b, i == 0 ? "?" : ", ?");
		if (bind_one(b, t, e, 0, err) < 0)
			return CR_EINVAL;
	}
	return 0;
}

/* Ops that compare x with one value (or two, for between). */
static int compare_sql(struct sql_build *b, const struct target *t, const char *x, const char *op,
		       const json_t *v, struct cr_err *err)
{
	int rc;

	if (strcmp(op, "empty") == 0 || strcmp(op, "not_empty") == 0) {
		SQL(b, op[0] == 'e' ? "%s IS NULL" : "%s IS NOT NULL", x);
		return 0;
	}
	if (strcmp(op, "eq") == 0 && t->ops == FM_OPS_DATETIME) {
		SQL(b, "%s BETWEEN ? AND ?", x);
		rc = bind_one(b, t, v, 0, err);
		return rc < 0 ? rc : bind_one(b, t, v, 1, err);
	}
	if (strcmp(op, "eq") == 0 || strcmp(op, "gt") == 0 || strcmp(op, "gte") == 0 ||
	    strcmp(op, "lt") == 0 || strcmp(op, "lte") == 0) {
		const char *sym = strcmp(op, "eq") == 0    ? "="
				  : strcmp(op, "gt") == 0  ? ">"
				  : strcmp(op, "gte") == 0 ? ">="
				  : strcmp(op, "lt") == 0  ? "<"
							   : "<=";
		int end = strcmp(op, "gt") == 0 || strcmp(op, "lte") == 0 ? 1 : 0;
		SQL(b, "%s %s ?", x, sym);
		return bind_one(b, t, v, end, err);
	}
	if (strcmp(op, "ne") == 0) {
		SQL(b, "(%s IS NULL OR %s <> ?)", x, x);
		return bind_one(b, t, v, 0, err);
	}
	if (strcmp(op, "between") == 0) {
		SQL(b, "%s BETWEEN ? AND ?", x);
		rc = bind_one(b, t, json_array_get(v, 0), 0, err);
		return rc < 0 ? rc : bind_one(b, t, json_array_get(v, 1), 1, err);
	}
	if (strcmp(op, "contains") == 0 || strcmp(op, "not_contains") == 0) {
		if (!json_is_string(v))
			return cr_err_set(err, CR_EINVAL, "'%s' takes text", op);
		SQL(b,
		    op[0] == 'c' ? "instr(lower(%s), lower(?)) > 0"
				 : "(%s IS NULL OR instr(lower(%s), lower(?)) = 0)",
		    x, x);
		return param_text(b, json_string_value(v), err);
	}
	/* starts */
	if (!json_is_string(v))
		return cr_err_set(err, CR_EINVAL, "'starts' takes text");
	SQL(b, "substr(lower(%s), 1, length(?)) = lower(?)", x);
	rc = param_text(b, json_string_value(v), err);
	return rc < 0 ? rc : param_text(b, json_string_value(v), err);
}

/* Ops that take a list: in, not_in on one value; any_of, all_of,
 * none_of on one value or on a JSON list of them. */
static int list_sql(struct sql_build *b, const struct target *t, const char *x, const char *op,
		    const json_t *v, struct cr_err *err)
{
	bool multi_json = t->col != NULL && t->col->kind == FM_KIND_JSON;
	int rc;

	if (strcmp(op, "in") == 0 || strcmp(op, "not_in") == 0) {
		SQL(b, op[0] == 'i' ? "%s IN (" : "(%s IS NULL OR %s NOT IN (", x, x);
		rc = list_bind(b, t, v, err);
		SQL(b, op[0] == 'i' ? ")" : "))");
		return rc;
	}
	if (!multi_json) {
		if (strcmp(op, "all_of") == 0 && json_array_size(v) > 1) {
			/* one value cannot equal several */
			SQL(b, "0");
			return 0;
		}
		SQL(b, strcmp(op, "none_of") == 0 ? "%s NOT IN (" : "%s IN (", x);
		rc = list_bind(b, t, v, err);
		SQL(b, ")");
		return rc;
	}
	if (strcmp(op, "all_of") == 0) {
		SQL(b, "(SELECT count(DISTINCT value) FROM json_each(%s) WHERE value IN (", x);
		rc = list_bind(b, t, v, err);
		SQL(b, ")) = %zu", json_array_size(v));
		return rc;
	}
	SQL(b, "%sEXISTS (SELECT 1 FROM json_each(%s) WHERE value IN (",
	    strcmp(op, "none_of") == 0 ? "NOT " : "", x);
	rc = list_bind(b, t, v, err);
	SQL(b, "))");
	return rc;
}

static int condition_sql(struct sql_build *b, const struct fm_form *form, const json_t *c,
			 struct cr_err *err)
{
	static const char *const keys[] = { "field", "op", "value", NULL };
	const char *op = json_string_value(json_object_get(c, "op"));
	const json_t *v = json_object_get(c, "value");
	struct target t = { 0 };
	char plus[32];
	const char *x;
	int rc = id_body_keys(c, keys, err);

	if (rc == 0)
		rc = target_of(form, json_string_value(json_object_get(c, "field")), &t, err);
	if (rc < 0)
		return rc;
	if (!fm_ops_allow(t.ops, op))
		return cr_err_set(err, CR_EINVAL, "'%s' cannot be filtered with '%s'",
				  t.col != NULL ? t.col->label : t.type, op != NULL ? op : "");
	if (fm_condition_value_check(op, v, err) < 0)
		return CR_EINVAL;
	x = t.expr;
	/* A choice or rating matches a large share of the rows: with a sort
	 * on another field, walking the sort's index and testing each row
	 * beats reading the choice's index and sorting every match. The
	 * unary + keeps SQLite from using the column's index. */
	if (b->sorted && t.col != NULL && t.col->t->has_few_values) {
		(void)snprintf(plus, sizeof(plus), "+%s", t.expr);
		x = plus;
	}
	if (strcmp(op, "in") == 0 || strcmp(op, "not_in") == 0 || strstr(op, "_of") != NULL)
		return list_sql(b, &t, x, op, v, err);
	return compare_sql(b, &t, x, op, v, err);
}

/* Full-text: words of 3 characters or more through the trigram index,
 * shorter ones by a scan of the index's text. */
static int search_sql(struct sql_build *b, const struct fm_form *form, const char *q,
		      struct cr_err *err)
{
	char *copy = cr_strdup(q), *save = NULL;
	int rc = 0;
	unsigned words = 0;

	for (char *w = strtok_r(copy, " \t\r\n", &save); rc == 0 && w != NULL;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		/* q is at most FM_SEARCH_MAX bytes: a word's pattern, each byte
		 * escaped and two added, fits the buffer */
		struct cr_buf pat;
		if (++words > FM_SEARCH_WORDS_MAX) {
			rc = cr_err_set(err, CR_EINVAL, "search with at most %d words",
					FM_SEARCH_WORDS_MAX);
			break;
		}
		cr_buf_init(&pat, 2 * FM_SEARCH_MAX + 3);
		if (cr_utf8_chars(w, false) >= 3) {
			PAT(&pat, "\"");
			for (const char *p = w; *p != '\0'; p++)
				PAT(&pat, *p == '"' ? "\"\"" : "%c", *p);
			PAT(&pat, "\"");
			SQL(b, " AND id IN (SELECT rowid FROM %s WHERE %s MATCH ?)", form->fts,
			    form->fts);
		} else {
			PAT(&pat, "%%");
			for (const char *p = w; *p != '\0'; p++)
				PAT(&pat, strchr("%_\\", *p) != NULL ? "\\%c" : "%c", *p);
			PAT(&pat, "%%");
			SQL(b, " AND id IN (SELECT rowid FROM %s WHERE body LIKE ? ESCAPE '\\')",
			    form->fts);
		}
		rc = param_text(b, pat.data != NULL ? pat.data : "", err);
		cr_buf_close(&pat);
	}
	free(copy);
	return rc;
}

/* The filter {"match", "conditions"}, ANDed to the clause. */
static int filter_sql(struct sql_build *b, const struct fm_form *form, const json_t *filter,
		      struct cr_err *err)
{
	static const char *const keys[] = { "match", "conditions", NULL };
	const char *match = json_string_value(json_object_get(filter, "match"));
	const json_t *conds = json_object_get(filter, "conditions");
	size_t i;
	const json_t *c;
	bool any = match != NULL && strcmp(match, "any") == 0;
	int rc = id_body_keys(filter, keys, err);

	if (rc == 0 && match != NULL && strcmp(match, "all") != 0 && !any)
		rc = cr_err_set(err, CR_EINVAL, "a filter matches 'all' or 'any'");
	if (rc == 0 && (!json_is_array(conds) || json_array_size(conds) > FM_CONDITIONS_MAX))
		rc = cr_err_set(err, CR_EINVAL, "a filter's 'conditions' is a list of at most %d",
				FM_CONDITIONS_MAX);
	if (rc < 0 || json_array_size(conds) == 0)
		return rc;
	SQL(b, " AND (");
	json_array_foreach(conds, i, c)
	{
		if (i > 0)
			SQL(b, any ? " OR " : " AND ");
		rc = condition_sql(b, form, c, err);
		if (rc < 0)
			return cr_err_wrap(err, "condition %zu", i + 1);
	}
	SQL(b, ")");
	return 0;
}

/* "sort": [{"field", "dir"}] into q (by id, newest first, without). */
static int sort_parse(const struct fm_form *form, const json_t *sort, struct fm_query *q,
		      struct cr_err *err)
{
	const json_t *s0 = json_array_get(sort, 0);
	const char *dir = json_string_value(json_object_get(s0, "dir"));
	struct target t;
	int rc;

	(void)snprintf(q->sort_expr, sizeof(q->sort_expr), "id");
	q->desc = true;
	q->by_id = true;
	if (sort == NULL || json_is_null(sort))
		return 0;
	if (!json_is_array(sort) || json_array_size(sort) != 1 || !json_is_object(s0))
		return cr_err_set(err, CR_EINVAL, "'sort' is a list of one {\"field\", \"dir\"}");
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
	q->by_id = strcmp(q->sort_expr, "id") == 0;
	return 0;
}

/* The cursor "after": [sort value, id] of the last record of the page
 * before, as a condition on the sort. */
static int cursor_sql(struct sql_build *b, const struct fm_query *q, const json_t *after,
		      struct cr_err *err)
{
	json_t *cur = json_is_string(after) ? json_loads(json_string_value(after), 0, NULL) : NULL;
	const json_t *v = json_array_get(cur, 0);
	const json_t *id = json_array_get(cur, 1);
	const char *cmp = q->desc ? "<" : ">";
	int rc;

	if (!json_is_array(cur) || json_array_size(cur) != 2 || !json_is_integer(id) ||
	    !(json_is_null(v) || json_is_string(v) || json_is_number(v))) {
		json_decref(cur);
		return cr_err_set(err, CR_EINVAL, "'after' must be a cursor from the page before");
	}
	if (q->by_id) {
		SQL(b, " AND id %s ?", cmp);
		rc = param_int(b, json_integer_value(id), err);
	} else if (json_is_null(v)) {
		/* NULLs sort first going up, last going down */
		SQL(b,
		    q->desc ? " AND (%s IS NULL AND id < ?)"
			    : " AND ((%s IS NULL AND id > ?) OR %s IS NOT NULL)",
		    q->sort_expr, q->sort_expr);
		rc = param_int(b, json_integer_value(id), err);
	} else {
		SQL(b,
		    q->desc ? " AND ((%s, id) < (?, ?) OR %s IS NULL)" : " AND (%s, id) > (?, ?)",
		    q->sort_expr, q->sort_expr);
		rc = json_is_string(v)    ? param_text(b, json_string_value(v), err)
		     : json_is_integer(v) ? param_int(b, json_integer_value(v), err)
					  : param_real(b, json_number_value(v), err);
		if (rc == 0)
			rc = param_int(b, json_integer_value(id), err);
	}
	json_decref(cur);
	return rc;
}

/* "limit" and "deleted" into q. */
static int page_parse(const struct fm_rights *rights, const json_t *body, struct fm_query *q,
		      struct cr_err *err)
{
	const json_t *limit = json_object_get(body, "limit");
	const json_t *deleted = json_object_get(body, "deleted");

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
	return 0;
}

int fm_query_parse(const struct fm_form *form, const struct fm_rights *rights,
		   const struct id_actor *a, const json_t *body, bool paging, struct fm_query *q,
		   struct cr_err *err)
{
	static const char *const keys[] = { "filter",  "q",      "sort",   "limit", "after",
					    "deleted", "fields", "format", NULL };
	const json_t *filter = json_object_get(body, "filter");
	const json_t *sort = json_object_get(body, "sort");
	const json_t *after = json_object_get(body, "after");
	const json_t *q_json = json_object_get(body, "q");
	const char *text = json_string_value(q_json);
	struct sql_build *b;
	int rc = 0;

	memset(q, 0, sizeof(*q));
	if (body != NULL && (rc = id_body_keys(body, keys, err)) < 0)
		return rc;
	b = cr_calloc(1, sizeof(*b));
	q->s.b = b;
	b->tz_offset_s = form->tz_offset_s;
	b->sorted = sort != NULL && !json_is_null(sort);
	cr_buf_init(&b->sql, FM_SQL_MAX);
	rc = page_parse(rights, body, q, err);
	if (rc < 0)
		return rc;
	SQL(b, " WHERE deleted_us IS %sNULL", q->deleted ? "NOT " : "");
	if (!rights->all_data) {
		SQL(b, " AND created_by = ?");
		rc = param_int(b, a->account.id, err);
	}
	if (rc == 0 && filter != NULL && !json_is_null(filter))
		rc = filter_sql(b, form, filter, err);
	if (rc == 0 && q_json != NULL && !json_is_null(q_json) &&
	    (text == NULL || cr_utf8_chars(text, false) < 0 || strlen(text) > FM_SEARCH_MAX))
		rc = cr_err_set(err, CR_EINVAL, "'q' must be text of at most %d bytes",
				FM_SEARCH_MAX);
	if (rc == 0 && text != NULL)
		rc = search_sql(b, form, text, err);
	if (rc == 0)
		rc = sort_parse(form, sort, q, err);
	if (rc == 0 && paging && after != NULL && !json_is_null(after))
		rc = cursor_sql(b, q, after, err);
	q->all_live = !q->deleted && rights->all_data && (filter == NULL || json_is_null(filter)) &&
		      text == NULL && (!paging || after == NULL || json_is_null(after));
	if (rc == 0 && b->rc < 0)
		rc = cr_err_set(err, CR_ETOOBIG, "the list request is longer than %d bytes of SQL",
				FM_SQL_MAX);
	return rc;
}

const char *fm_sql_where(const struct fm_sql *s)
{
	return s->b->sql.data != NULL ? s->b->sql.data : "";
}

const struct fm_param *fm_sql_params(const struct fm_sql *s, unsigned *n)
{
	*n = s->b->n;
	return s->b->params;
}
