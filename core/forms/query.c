/* core/forms/query.c: lists and counts of an app's records: a request
 * compiled by filter.c, run on the store with keyset paging. */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "model.h"

_Static_assert(FM_SQL_PARAMS_MAX <= STORAGE_MAX_PARAMS, "a filter's values fit one statement");

/* The compiled request's values as the store's parameters (the text
 * stays the fm_sql's). */
static unsigned params_of(const struct fm_sql *s, struct storage_value *out)
{
	unsigned n;
	const struct fm_param *p = fm_sql_params(s, &n);

	for (unsigned i = 0; i < n; i++)
		out[i] = p[i].kind == FM_PARAM_INT    ? storage_int(p[i].i)
			 : p[i].kind == FM_PARAM_REAL ? storage_float(p[i].d)
						      : storage_text(p[i].text);
	return n;
}

int fm_query_page(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		  struct fm_query *q, json_t **records, json_t **next, struct cr_err *err)
{
	struct cr_buf sql;
	struct storage_rows rows;
	struct storage_value p[FM_SQL_PARAMS_MAX];
	unsigned n = params_of(&q->s, p);
	int rc;

	*records = NULL;
	*next = json_null();
	if (form->version == 0) {
		*records = json_array();
		return 0;
	}
	/* the WHERE clause (FM_SQL_MAX) and at most 2,000 columns */
	cr_buf_init(&sql, (size_t)2 << 20);
	FM_SQL_PRINTF(&sql, "SELECT " FM_SYSTEM_COLS);
	for (size_t i = 0; i < form->n_cols; i++)
		FM_SQL_PRINTF(&sql, ", c%d", form->cols[i].col);
	FM_SQL_PRINTF(&sql, " FROM %s%s ORDER BY %s %s", form->table, fm_sql_where(&q->s),
		      q->sort_expr, q->desc ? "DESC" : "ASC");
	if (!q->by_id)
		FM_SQL_PRINTF(&sql, ", id %s", q->desc ? "DESC" : "ASC");
	FM_SQL_PRINTF(&sql, " LIMIT %u", q->limit + 1);
	rc = fm_read(f, a, sql.data, p, n, &rows, err);
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
	int64_t kept = 0;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	rc = fm_query_parse(&form, &rights, a, body, false, &q, err);
	if (rc == 0 && form.version == 0) {
		*out = json_pack("{s:i}", "count", 0);
	} else if (rc == 0 && q.all_live && (rc = fm_live_count(f, a->db, app, &kept, err)) == 1) {
		rc = 0; /* kept by the store: no scan */
		*out = json_pack("{s:I}", "count", (json_int_t)kept);
	} else if (rc == 0) {
		struct cr_buf sql;
		struct storage_rows rows;
		struct storage_value p[FM_SQL_PARAMS_MAX];
		unsigned n = params_of(&q.s, p);
		cr_buf_init(&sql, (size_t)2 << 20); /* the WHERE clause (FM_SQL_MAX) */
		FM_SQL_PRINTF(&sql, "SELECT count(*) FROM %s%s", form.table, fm_sql_where(&q.s));
		rc = fm_read(f, a, sql.data, p, n, &rows, err);
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
