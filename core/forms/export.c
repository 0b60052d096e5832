/* core/forms/export.c: a list (its filter, search and sort) written to
 * CSV or XLSX: each value as its type's row writes it (field_cells.c),
 * members and departments by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/mem.h"
#include "../../lib/xlsx.h"
#include "../identity/body.h"
#include "../identity/csv.h"
#include "query.h"

#define EXPORT_BYTES_MAX ((size_t)512 << 20)

/* The value as a cell's text (numbers too, in their shortest form). */
static void cell_text(const struct fm_col *c, const json_t *v, const json_t *refs,
		      struct cr_buf *out)
{
	struct fm_cells cx = { .refs = refs };

	if (v != NULL && !json_is_null(v))
		c->t->cell_write(&cx, c->field, v, out);
	if (out->data == NULL)
		(void)cr_buf_append(out, "", 1);
}

struct out_sheet {
	bool xlsx;
	struct cr_xlsx_writer *w;
	struct cr_buf *csv;
	size_t col;
	int rc; /* the first failed write (the file past EXPORT_BYTES_MAX) */
};

/* Keep the first failure of a write to the file; fm_export answers it. */
static void out_check(struct out_sheet *o, int rc)
{
	if (rc < 0 && o->rc == 0)
		o->rc = rc;
}

static void put_cell(struct out_sheet *o, const char *text, const json_t *number)
{
	if (o->xlsx) {
		if (number != NULL && json_is_number(number))
			out_check(o, cr_xlsx_add_number(o->w, json_number_value(number)));
		else if (text == NULL || *text == '\0')
			out_check(o, cr_xlsx_add_empty(o->w));
		else
			out_check(o, cr_xlsx_add_text(o->w, text));
		o->col++;
		return;
	}
	if (o->col++ > 0)
		out_check(o, cr_buf_append(o->csv, ",", 1));
	if (text == NULL)
		return;
	/* Formula-looking text is kept as text by a leading apostrophe: what a
	 * spreadsheet may read as a formula starts with one of these (OWASP's
	 * CSV injection list: a tab or return before "=" counts too). */
	static const char formula_lead[] = "=+-@\t\r";
	bool quote = strpbrk(text, ",\"\r\n") != NULL || strchr(formula_lead, text[0]) != NULL;
	if (!quote) {
		out_check(o, cr_buf_append_str(o->csv, text));
		return;
	}
	out_check(o, cr_buf_append(o->csv, "\"", 1));
	if (number == NULL && strchr(formula_lead, text[0]) != NULL && text[0] != '\0')
		out_check(o, cr_buf_append(o->csv, "'", 1));
	for (const char *p = text; *p != '\0'; p++)
		out_check(o, cr_buf_append(o->csv, *p == '"' ? "\"\"" : p, 1 + (*p == '"')));
	out_check(o, cr_buf_append(o->csv, "\"", 1));
}

static void end_row(struct out_sheet *o)
{
	if (o->xlsx)
		out_check(o, cr_xlsx_end_row(o->w));
	else
		out_check(o, cr_buf_append(o->csv, "\r\n", 2));
	o->col = 0;
}

/* The columns chosen: body "fields" (ids) or every live field with a value. */
static int columns_of(const struct fm_form *form, const json_t *fields, const struct fm_col ***out,
		      size_t *n, struct cr_err *err)
{
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	const struct fm_col **cols = cr_calloc(form->n_live + 1, sizeof(*cols));
	size_t i;
	const json_t *id;

	*n = 0;
	if (fields == NULL || json_is_null(fields)) {
		for (i = 0; i < form->n_live; i++)
			cols[(*n)++] = &form->cols[i];
	} else if (!json_is_array(fields)) {
		free(cols);
		return cr_err_set(err, CR_EINVAL, "'fields' must be a list of field ids");
	} else {
		json_array_foreach(fields, i, id)
		{
			const struct fm_col *c = fm_form_col(form, json_string_value(id));
			if (c == NULL) {
				free(cols);
				return cr_err_set(err, CR_EINVAL, "this form has no field '%s'",
						  json_is_string(id) ? json_string_value(id) : "?");
			}
			if (*n < form->n_live)
				cols[(*n)++] = c;
		}
	}
	*out = cols;
	return 0;
}

/* An XLSX writer, or CSV into out. */
static void out_open(struct out_sheet *o, bool xlsx, const char *sheet_name, struct cr_buf *out)
{
	o->xlsx = xlsx;
	o->csv = out;
	cr_buf_init(out, EXPORT_BYTES_MAX);
	if (!xlsx) {
		out_check(o, cr_buf_append(out, "\xef\xbb\xbf", 3)); /* BOM: Excel reads UTF-8 */
		return;
	}
	o->w = cr_xlsx_writer_new(sheet_name); /* never NULL */
}

/* The first row: the columns' labels. */
static void header_row(struct out_sheet *o, const struct fm_col *const *cols, size_t n_cols)
{
	put_cell(o, "ID", NULL);
	for (size_t i = 0; i < n_cols; i++)
		put_cell(o, cols[i]->label, NULL);
	put_cell(o, "创建人 Created by", NULL);
	put_cell(o, "创建时间 Created at", NULL);
	end_row(o);
}

/* One record as a row: its id, each column's value as its type writes
 * it, who created it and when. */
static void record_row(struct out_sheet *o, const struct fm_col *const *cols, size_t n_cols,
		       const json_t *rec, const json_t *refs)
{
	char id[24];

	(void)snprintf(id, sizeof(id), "%lld",
		       (long long)json_integer_value(json_object_get(rec, "id")));
	put_cell(o, id, json_object_get(rec, "id"));
	for (size_t k = 0; k < n_cols; k++) {
		struct cr_buf t;
		const json_t *v = json_object_get(json_object_get(rec, "values"), cols[k]->id);
		cr_buf_init(&t, (size_t)16 << 20);
		cell_text(cols[k], v, refs, &t);
		put_cell(o, t.data, json_is_number(v) ? v : NULL);
		cr_buf_close(&t);
	}
	put_cell(o, json_string_value(json_object_get(json_object_get(rec, "created_by"), "name")),
		 NULL);
	put_cell(o, json_string_value(json_object_get(rec, "created_at")), NULL);
	end_row(o);
}

/* A page of records as rows; *total counts them. CR_ETOOBIG past
 * FM_EXPORT_MAX records or EXPORT_BYTES_MAX of file. */
static int rows_write(struct out_sheet *o, const struct fm_col *const *cols, size_t n_cols,
		      const json_t *records, const json_t *refs, size_t *total, struct cr_err *err)
{
	size_t i;
	const json_t *rec;

	json_array_foreach(records, i, rec)
	{
		if (++*total > FM_EXPORT_MAX)
			return cr_err_set(err, CR_ETOOBIG,
					  "more than %d records: narrow the filter", FM_EXPORT_MAX);
		record_row(o, cols, n_cols, rec, refs);
		if (o->rc < 0)
			return cr_err_set(
			    err, CR_ETOOBIG,
			    "the file would be larger than %zu MiB: narrow the filter "
			    "or choose fewer fields",
			    EXPORT_BYTES_MAX >> 20);
	}
	return 0;
}

int fm_export(const struct forms *f, const struct id_actor *a, int64_t app, const json_t *body,
	      struct cr_buf *out, const char **content_type, char name[256], struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	const char *format = json_string_value(json_object_get(body, "format"));
	const struct fm_col **cols = NULL;
	size_t n_cols = 0, total = 0;
	struct out_sheet o = { 0 };
	json_t *page_body = NULL;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	if (!rights.all_data)
		rc = cr_err_set(err, CR_EDENIED, "only those who manage this app's data export it");
	if (rc == 0 &&
	    (format == NULL || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)))
		rc = cr_err_set(err, CR_EINVAL, "'format' must be \"csv\" or \"xlsx\"");
	if (rc == 0)
		rc = columns_of(&form, json_object_get(body, "fields"), &cols, &n_cols, err);
	if (rc == 0)
		out_open(&o, strcmp(format, "xlsx") == 0, form.app_name, out);
	if (rc == 0) {
		header_row(&o, cols, n_cols);
		page_body = json_is_object(body) ? json_deep_copy(body) : json_object();
		json_object_del(page_body, "after");
		json_object_set_new(page_body, "limit", json_integer(FM_PAGE_MAX));
	}
	while (rc == 0) {
		struct fm_query q;
		json_t *records = NULL, *next = NULL, *holder = json_object();
		rc = fm_query_parse(&form, &rights, a, page_body, true, &q, err);
		if (rc == 0)
			rc = fm_query_page(f, a, &form, &q, &records, &next, err);
		if (rc == 0)
			rc = fm_records_refs(f, a, &form, records, holder, err);
		if (rc == 0)
			rc = rows_write(&o, cols, n_cols, records, json_object_get(holder, "refs"),
					&total, err);
		fm_sql_close(&q.s);
		json_decref(records);
		json_decref(holder);
		bool more = rc == 0 && json_is_string(next);
		if (more)
			json_object_set(page_body, "after", next);
		json_decref(next);
		if (!more)
			break;
	}
	if (rc == 0 && o.xlsx)
		rc = cr_xlsx_finish(o.w, out, err);
	if (o.w != NULL)
		cr_xlsx_writer_free(o.w);
	if (rc == 0) {
		*content_type =
		    o.xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			   : "text/csv; charset=utf-8";
		(void)snprintf(name, 256, "%.200s.%s", form.app_name, o.xlsx ? "xlsx" : "csv");
	}
	json_decref(page_body);
	free(cols);
	fm_form_free(&form);
	return rc;
}
