/* core/forms/transfer.c: export a list (its filter, search and sort) to
 * CSV or XLSX, and import CSV or XLSX through the one write path: cells
 * converted per field type, a dry run that reports every bad row, then the
 * good rows in batches, each all or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/text.h"
#include "../../lib/xlsx.h"
#include "../identity/body.h"
#include "../identity/csv.h"
#include "forms_int.h"
#include "query.h"

#define IMPORT_BATCH       500
#define IMPORT_BYTES_MAX   ((size_t)20 << 20)
#define IMPORT_COLUMNS_MAX 300
#define BAD_ROWS_SHOWN     1000
#define EXPORT_BYTES_MAX   ((size_t)512 << 20)

/* ---- a sheet in memory (rows of cells), from CSV or XLSX ---- */

struct sheet {
	size_t n_rows;
	char ***rows;
	size_t *n_cells;
	size_t *line; /* where each row is in the file, from 1 */
	size_t cap;
};

static void sheet_free(struct sheet *s)
{
	for (size_t r = 0; r < s->n_rows; r++) {
		for (size_t c = 0; c < s->n_cells[r]; c++)
			free(s->rows[r][c]);
		free(s->rows[r]);
	}
	free(s->rows);
	free(s->n_cells);
	free(s->line);
	memset(s, 0, sizeof(*s));
}

static int sheet_add(struct sheet *s, size_t line, const char *const *cells, size_t n,
		     struct cr_err *err)
{
	char **row;

	if (n > IMPORT_COLUMNS_MAX)
		return cr_err_set(err, CR_ETOOBIG, "line %zu has more than %d columns", line,
				  IMPORT_COLUMNS_MAX);
	if (s->n_rows == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char ***rows = realloc(s->rows, cap * sizeof(*rows));
		size_t *nc = rows != NULL ? realloc(s->n_cells, cap * sizeof(*nc)) : NULL;
		size_t *ln = nc != NULL ? realloc(s->line, cap * sizeof(*ln)) : NULL;
		if (rows != NULL)
			s->rows = rows;
		if (nc != NULL)
			s->n_cells = nc;
		if (ln == NULL)
			return cr_err_set(err, CR_EINTERNAL, "out of memory");
		s->line = ln;
		s->cap = cap;
	}
	row = calloc(n + 1, sizeof(*row));
	if (row == NULL)
		return cr_err_set(err, CR_EINTERNAL, "out of memory");
	for (size_t c = 0; c < n; c++)
		row[c] = strdup(cells[c] != NULL ? cells[c] : "");
	s->rows[s->n_rows] = row;
	s->n_cells[s->n_rows] = n;
	s->line[s->n_rows] = line;
	s->n_rows++;
	return 0;
}

static int xlsx_row(void *arg, size_t row_index, const char *const *cells, size_t n_cells,
		    struct cr_err *err)
{
	return sheet_add(arg, row_index + 1, cells, n_cells, err);
}

static int sheet_read(const char *format, const unsigned char *data, size_t len, struct sheet *s,
		      struct cr_err *err)
{
	if (strcmp(format, "xlsx") == 0) {
		int n = cr_xlsx_read(data, len, FM_IMPORT_MAX + 1, IMPORT_COLUMNS_MAX, xlsx_row, s,
				     err);
		return n < 0 ? n : 0; /* the number of rows read */
	}
	struct id_csv csv = { 0 };
	char *text = malloc(len + 1);
	int rc;

	if (text == NULL)
		return cr_err_set(err, CR_EINTERNAL, "out of memory");
	memcpy(text, data, len);
	text[len] = '\0';
	if (strlen(text) != len)
		rc = cr_err_set(err, CR_EINVAL, "the CSV file holds NUL bytes: is it a CSV file?");
	else if (cr_utf8_chars(text, true) < 0)
		rc = cr_err_set(err, CR_EINVAL,
				"the CSV file is not UTF-8 text (save it as \"CSV UTF-8\")");
	else
		rc = id_csv_parse(text, FM_IMPORT_MAX + 1, &csv, err);
	for (size_t r = 0; rc == 0 && r < csv.n_rows; r++)
		rc = sheet_add(s, csv.rows[r].line, (const char *const *)csv.rows[r].fields,
			       csv.rows[r].n, err);
	id_csv_close(&csv);
	free(text);
	return rc;
}

/* ---- values to text (export) and text to values (import) ----
 * Each type's converters are its registry row's (field_cells.c); this
 * file gives them the store's names. */

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

static bool importable(const struct fm_col *c)
{
	return c->t->cell_read != NULL;
}

struct lookup {
	const struct forms *f;
	const struct id_actor *a;
	json_t *cache; /* "member:<text>": id, 0 (none) or -1 (two) */
};

/* Names and logins of the workspace's members, departments' names. */
static int lookup_id(void *arg, enum fm_ref ref, const char *text, int64_t *out, struct cr_err *err)
{
	const struct lookup *l = arg;
	const struct forms *f = l->f;
	const struct id_actor *a = l->a;
	json_t *cache = l->cache;
	const char *type = fm_ref_noun(ref);
	char key[300];
	json_t *hit;
	struct storage_value p[2] = { storage_text(a->workspace_id), storage_text(text) };
	struct storage_rows rows;
	int rc;

	(void)snprintf(key, sizeof(key), "%s:%s", type, text);
	hit = json_object_get(cache, key);
	if (hit != NULL) {
		*out = json_integer_value(hit);
		return *out > 0 ? 0 : cr_err_set(err, CR_EINVAL, "no %s '%s'", type, text);
	}
	if (ref == FM_REF_MEMBER)
		rc = storage_query(
		    f->id->store, STORAGE_DB_SYSTEM,
		    "SELECT a.id, a.login = ?2 FROM account a JOIN workspace_member m "
		    "ON m.account_id = a.id WHERE m.workspace_id = ?1 AND (a.login = "
		    "?2 OR a.name = ?2) ORDER BY a.login = ?2 DESC LIMIT 2",
		    p, 2, &rows, err);
	else
		rc = storage_query(f->id->store, a->db,
				   "SELECT id FROM department WHERE name = ?2 AND ?1 = ?1 LIMIT 2",
				   p, 2, &rows, err);
	if (rc < 0)
		return rc;
	*out = rows.n_rows >= 1 ? storage_rows_int(&rows, 0, 0, 0) : 0;
	/* a login is exact; two members or departments of one name are not */
	if (rows.n_rows > 1 && (ref != FM_REF_MEMBER || storage_rows_int(&rows, 0, 1, 0) == 0))
		*out = -1;
	storage_rows_close(&rows);
	json_object_set_new(cache, key, json_integer(*out));
	if (*out == -1)
		return cr_err_set(err, CR_EINVAL, "two %ss are named '%s': use %s", type, text,
				  ref == FM_REF_MEMBER ? "the login" : "another name");
	return *out > 0 ? 0 : cr_err_set(err, CR_EINVAL, "no %s '%s'", type, text);
}

/* One cell's text as a value for field c (before the field's own checks). */
static int cell_value(const struct fm_cells *cx, const struct fm_col *c, const char *text,
		      json_t **out, struct cr_err *err)
{
	*out = NULL;
	if (*text == '\0')
		return 0;
	if (!importable(c))
		return cr_err_set(err, CR_EINVAL, "'%s' cannot be imported from a spreadsheet",
				  c->label);
	return c->t->cell_read(cx, c->field, text, out, err);
}

/* ---- export ---- */

struct out_sheet {
	bool xlsx;
	struct cr_xlsx_writer *w;
	struct cr_buf *csv;
	size_t col;
};

static void put_cell(struct out_sheet *o, const char *text, const json_t *number)
{
	if (o->xlsx) {
		if (number != NULL && json_is_number(number))
			(void)cr_xlsx_add_number(o->w, json_number_value(number));
		else if (text == NULL || *text == '\0')
			(void)cr_xlsx_add_empty(o->w);
		else
			(void)cr_xlsx_add_text(o->w, text);
		o->col++;
		return;
	}
	if (o->col++ > 0)
		(void)cr_buf_append(o->csv, ",", 1);
	if (text == NULL)
		return;
	/* formula-looking text is kept as text by a leading apostrophe */
	bool quote = strpbrk(text, ",\"\r\n") != NULL || strchr("=+-@", text[0]) != NULL;
	if (!quote) {
		(void)cr_buf_printf(o->csv, "%s", text);
		return;
	}
	(void)cr_buf_append(o->csv, "\"", 1);
	if (number == NULL && strchr("=+-@", text[0]) != NULL && text[0] != '\0')
		(void)cr_buf_append(o->csv, "'", 1);
	for (const char *p = text; *p != '\0'; p++)
		(void)cr_buf_append(o->csv, *p == '"' ? "\"\"" : p, 1 + (*p == '"'));
	(void)cr_buf_append(o->csv, "\"", 1);
}

static void end_row(struct out_sheet *o)
{
	if (o->xlsx)
		(void)cr_xlsx_end_row(o->w);
	else
		(void)cr_buf_append(o->csv, "\r\n", 2);
	o->col = 0;
}

/* The columns chosen: body "fields" (ids) or every live field with a value. */
static int columns_of(const struct fm_form *form, const json_t *fields, const struct fm_col ***out,
		      size_t *n, struct cr_err *err)
{
	const struct fm_col **cols = calloc(form->n_live + 1, sizeof(*cols));
	size_t i;
	const json_t *id;

	*n = 0;
	if (cols == NULL)
		return cr_err_set(err, CR_EINTERNAL, "out of memory");
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
	if (rc == 0) {
		o.xlsx = strcmp(format, "xlsx") == 0;
		o.csv = out;
		cr_buf_init(out, EXPORT_BYTES_MAX);
		if (o.xlsx) {
			o.w = cr_xlsx_writer_new(form.app_name);
			if (o.w == NULL)
				rc = cr_err_set(err, CR_EINTERNAL, "out of memory");
		} else {
			(void)cr_buf_append(out, "\xef\xbb\xbf", 3); /* BOM: Excel reads UTF-8 */
		}
	}
	if (rc == 0) {
		put_cell(&o, "ID", NULL);
		for (size_t i = 0; i < n_cols; i++)
			put_cell(&o, cols[i]->label, NULL);
		put_cell(&o, "创建人 Created by", NULL);
		put_cell(&o, "创建时间 Created at", NULL);
		end_row(&o);
		page_body = json_is_object(body) ? json_deep_copy(body) : json_object();
		json_object_del(page_body, "after");
		json_object_set_new(page_body, "limit", json_integer(FM_PAGE_MAX));
	}
	while (rc == 0) {
		struct fm_query q;
		json_t *records = NULL, *next = NULL, *holder = json_object();
		size_t i;
		const json_t *rec;
		rc = fm_query_parse(&form, &rights, a, page_body, true, &q, err);
		if (rc == 0)
			rc = fm_query_page(f, a, &form, &q, &records, &next, err);
		if (rc == 0)
			rc = fm_records_refs(f, a, &form, records, holder, err);
		json_array_foreach(records, i, rec)
		{
			char id[24];
			const json_t *refs = json_object_get(holder, "refs");
			if (rc < 0)
				break;
			if (++total > FM_EXPORT_MAX) {
				rc = cr_err_set(err, CR_ETOOBIG,
						"more than %d records: narrow the filter",
						FM_EXPORT_MAX);
				break;
			}
			(void)snprintf(id, sizeof(id), "%lld",
				       (long long)json_integer_value(json_object_get(rec, "id")));
			put_cell(&o, id, json_object_get(rec, "id"));
			for (size_t k = 0; k < n_cols; k++) {
				struct cr_buf t;
				const json_t *v =
				    json_object_get(json_object_get(rec, "values"), cols[k]->id);
				cr_buf_init(&t, (size_t)16 << 20);
				cell_text(cols[k], v, refs, &t);
				put_cell(&o, t.data, json_is_number(v) ? v : NULL);
				cr_buf_close(&t);
			}
			put_cell(&o,
				 json_string_value(
				     json_object_get(json_object_get(rec, "created_by"), "name")),
				 NULL);
			put_cell(&o, json_string_value(json_object_get(rec, "created_at")), NULL);
			end_row(&o);
		}
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

/* ---- import ---- */

static int mapping_check(const struct fm_form *form, const struct sheet *s, const json_t *mapping,
			 struct cr_err *err)
{
	const char *key;
	const json_t *v;

	if (!json_is_object(mapping))
		return cr_err_set(err, CR_EINVAL,
				  "'mapping' must be {\"column header\": \"field id\"} or null");
	json_object_foreach((json_t *)mapping, key, v)
	{
		bool found = false;
		const struct fm_col *c;
		for (size_t k = 0; s->n_rows > 0 && k < s->n_cells[0]; k++)
			found = found || strcmp(s->rows[0][k], key) == 0;
		if (!found)
			return cr_err_set(err, CR_EINVAL, "the file has no column '%s'", key);
		if (json_is_null(v))
			continue;
		c = fm_form_col(form, json_string_value(v));
		if (c == NULL)
			return cr_err_set(err, CR_EINVAL,
					  "column '%s': this form has no field '%s'", key,
					  json_is_string(v) ? json_string_value(v) : "?");
		if (!importable(c))
			return cr_err_set(err, CR_EINVAL,
					  "column '%s': '%s' cannot be imported from a spreadsheet",
					  key, c->label);
	}
	return 0;
}

static json_t *mapping_suggest(const struct fm_form *form, const struct sheet *s)
{
	json_t *m = json_object();

	for (size_t k = 0; s->n_rows > 0 && k < s->n_cells[0]; k++) {
		const char *h = s->rows[0][k];
		json_t *v = json_null();
		for (size_t i = 0; i < form->n_live; i++) {
			const struct fm_col *c = &form->cols[i];
			if (importable(c) && (strcmp(c->label, h) == 0 || strcmp(c->id, h) == 0)) {
				v = json_string(c->id);
				break;
			}
		}
		json_object_set_new(m, h, v);
	}
	return m;
}

int fm_import(const struct forms *f, const struct id_actor *a, int64_t app, const json_t *body,
	      const void *file, size_t file_len, const char *request_id, int64_t now_us,
	      json_t **out, struct cr_err *err)
{
	static const char *const keys[] = {
		"format", "content", "file", "mapping", "dry_run", NULL
	};
	struct fm_form form;
	struct fm_rights rights;
	const char *format = json_string_value(json_object_get(body, "format"));
	const char *content = json_string_value(json_object_get(body, "content"));
	const json_t *dry = json_object_get(body, "dry_run");
	json_t *mapping = NULL, *bad = json_array(), *cache = json_object(),
	       *batches = json_array();
	struct lookup look = { .f = f, .a = a, .cache = cache };
	struct fm_cells cx = { .tz_offset_s = f->tz_offset_s,
			       .lookup = lookup_id,
			       .lookup_arg = &look };
	json_t **good = NULL;
	size_t *good_line = NULL, n_good = 0, imported = 0, n_bad = 0;
	unsigned char *data = NULL;
	long len = 0;
	struct sheet s = { 0 };
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		goto done_form;
	if (!rights.all_data)
		rc = cr_err_set(err, CR_EDENIED, "only those who manage this app's data import");
	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0 && form.version == 0)
		rc = cr_err_set(err, CR_EINVAL, "this app's form has no fields yet");
	if (rc == 0 &&
	    (format == NULL || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)))
		rc = cr_err_set(err, CR_EINVAL, "'format' must be \"csv\" or \"xlsx\"");
	if (rc == 0 && dry != NULL && !json_is_boolean(dry))
		rc = cr_err_set(err, CR_EINVAL, "'dry_run' must be true or false");
	if (rc == 0 && file != NULL) {
		/* an uploaded file (read by the caller) */
		if (file_len > IMPORT_BYTES_MAX)
			rc = cr_err_set(err, CR_ETOOBIG, "the file is larger than %zu MiB",
					IMPORT_BYTES_MAX >> 20);
		data = rc == 0 ? malloc(file_len + 1) : NULL;
		if (rc == 0 && data == NULL)
			rc = cr_err_set(err, CR_EINTERNAL, "out of memory");
		if (rc == 0) {
			memcpy(data, file, file_len);
			len = (long)file_len;
		}
	} else if (rc == 0) {
		if (content == NULL)
			rc = cr_err_set(err, CR_EINVAL,
					"'content' must be the file, base64-encoded (or 'file' an "
					"uploaded file's sha256)");
		if (rc == 0 && strlen(content) / 4 * 3 > IMPORT_BYTES_MAX)
			rc = cr_err_set(err, CR_ETOOBIG, "the file is larger than %zu MiB",
					IMPORT_BYTES_MAX >> 20);
		if (rc == 0) {
			data = malloc(strlen(content) / 4 * 3 + 4);
			len = data != NULL ? cr_base64_decode(content, strlen(content), data) : -1;
			if (len < 0)
				rc = cr_err_set(err, CR_EINVAL, "'content' is not base64");
		}
	}
	if (rc == 0)
		rc = sheet_read(format, data, (size_t)len, &s, err);
	if (rc == 0 && s.n_rows == 0)
		rc = cr_err_set(err, CR_EINVAL,
				"the file is empty: the first row names the columns");
	if (rc == 0 && s.n_rows - 1 > FM_IMPORT_MAX)
		rc = cr_err_set(err, CR_ETOOBIG, "the file has more than %d rows", FM_IMPORT_MAX);
	if (rc == 0) {
		const json_t *given = json_object_get(body, "mapping");
		if (given == NULL || json_is_null(given)) {
			mapping = mapping_suggest(&form, &s);
			dry = json_true();
		} else {
			rc = mapping_check(&form, &s, given, err);
			mapping = json_incref((json_t *)given);
		}
	}
	if (rc == 0) {
		good = calloc(s.n_rows, sizeof(*good));
		good_line = calloc(s.n_rows, sizeof(*good_line));
		if (good == NULL || good_line == NULL)
			rc = cr_err_set(err, CR_EINTERNAL, "out of memory");
	}
	for (size_t r = 1; rc == 0 && r < s.n_rows; r++) {
		json_t *values = json_object(), *errors = json_array(), *norm = NULL;
		for (size_t k = 0; k < s.n_cells[0]; k++) {
			const char *fid = json_string_value(json_object_get(mapping, s.rows[0][k]));
			const struct fm_col *c = fid != NULL ? fm_form_col(&form, fid) : NULL;
			json_t *v = NULL;
			struct cr_err cell = { 0 };
			if (c == NULL || json_object_get(values, c->id) != NULL)
				continue;
			if (cell_value(&cx, c, k < s.n_cells[r] ? s.rows[r][k] : "", &v, &cell) < 0)
				json_array_append_new(errors, json_string(cell.msg));
			else if (v != NULL)
				json_object_set_new(values, c->id, v);
		}
		if (json_array_size(errors) == 0) {
			struct cr_err why = { 0 };
			int vr = fm_values_new(f, a, &form, values, &norm, &why);
			if (vr == CR_EINVAL)
				json_array_append_new(errors, json_string(why.msg));
			else if (vr < 0) {
				rc = vr;
				*err = why;
			}
		}
		if (json_array_size(errors) > 0) {
			if (n_bad++ < BAD_ROWS_SHOWN)
				json_array_append_new(
				    bad, json_pack("{s:I, s:o}", "row", (json_int_t)s.line[r],
						   "errors", json_incref(errors)));
		} else if (norm != NULL) {
			good_line[n_good] = s.line[r];
			good[n_good++] = norm;
			norm = NULL;
		}
		json_decref(norm);
		json_decref(errors);
		json_decref(values);
	}
	/* the good rows, a batch per transaction */
	for (size_t i = 0; rc == 0 && !json_is_true(dry) && i < n_good; i += IMPORT_BATCH) {
		size_t n = n_good - i < IMPORT_BATCH ? n_good - i : IMPORT_BATCH, failed = 0;
		int64_t ids[IMPORT_BATCH];
		char sub[STORAGE_REQUEST_ID_MAX + 1] = "";
		struct cr_err why = { 0 };
		int br;
		if (request_id != NULL)
			(void)snprintf(sub, sizeof(sub), "%.100s#%zu", request_id,
				       i / IMPORT_BATCH);
		br = fm_records_insert(f, a, &form, good + i, n, "import", sub[0] ? sub : NULL,
				       now_us, ids, &failed, &why);
		if (br == CR_EUNAVAIL || br == CR_EUNKNOWN) {
			rc = cr_err_set(err, br,
					"the import stopped after %zu rows: %s (re-send the same "
					"request with its Idempotency-Key to go on)",
					imported, why.msg);
			break;
		}
		json_array_append_new(batches,
				      json_pack("{s:I, s:I, s:b, s:s?}", "first_row",
						(json_int_t)good_line[i], "last_row",
						(json_int_t)good_line[i + n - 1], "imported",
						br >= 0, "error", br < 0 ? why.msg : NULL));
		if (br < 0 && br != CR_ECONFLICT && br != CR_EINVAL) {
			rc = br;
			*err = why;
			break;
		}
		if (br >= 0)
			imported += n;
	}
	if (rc == 0) {
		json_t *cols = json_array();
		for (size_t k = 0; s.n_rows > 0 && k < s.n_cells[0]; k++)
			json_array_append_new(cols, json_string(s.rows[0][k]));
		*out = json_pack("{s:o, s:O, s:I, s:I, s:I, s:O, s:O, s:I, s:b}", "columns", cols,
				 "mapping", mapping, "rows", (json_int_t)(s.n_rows - 1), "good",
				 (json_int_t)n_good, "bad_count", (json_int_t)n_bad, "bad", bad,
				 "batches", batches, "imported", (json_int_t)imported, "dry_run",
				 json_is_true(dry));
	}
	for (size_t i = 0; good != NULL && i < n_good; i++)
		json_decref(good[i]);
	free(good);
	free(good_line);
	sheet_free(&s);
	free(data);
	json_decref(mapping);
	fm_form_free(&form);
done_form:
	json_decref(bad);
	json_decref(batches);
	json_decref(cache);
	return rc;
}
