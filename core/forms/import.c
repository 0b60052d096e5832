/* core/forms/import.c: CSV or XLSX imported through the one write path:
 * the sheet read (sheet.c), each cell converted by its field type's row
 * (field_cells.c, with members and departments looked up here), a dry
 * run that reports every bad row, then the good rows in batches, each all
 * or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/mem.h"
#include "../../lib/text.h"
#include "../identity/body.h"
#include "forms_int.h"
#include "sheet.h"

/* A batch (one transaction, one raft log entry) holds at most this many
 * rows and, past its first row, at most this many bytes of values: a
 * sheet of wide rows makes more, smaller batches, so no log entry grows
 * to tens of MB (issue 16). */
#define IMPORT_BATCH       500
#define IMPORT_BATCH_BYTES ((size_t)256 << 10)
#define IMPORT_BYTES_MAX   ((size_t)20 << 20)
#define BAD_ROWS_SHOWN     1000

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

static int mapping_check(const struct fm_form *form, const struct fm_sheet *s,
			 const json_t *mapping, struct cr_err *err)
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

static json_t *mapping_suggest(const struct fm_form *form, const struct fm_sheet *s)
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

/* An import as it goes: the sheet, its rows checked (good ones kept
 * normalized for the write, bad ones reported), the batches written. */
struct import {
	const struct forms *f;
	const struct id_actor *a;
	struct fm_form form;
	struct fm_sheet s;
	struct lookup look;
	struct fm_cells cx;
	json_t *mapping, *bad, *batches;
	json_t **good;     /* normalized values of the good rows */
	size_t *good_line; /* their lines in the file */
	size_t n_good, n_bad, imported;
	bool dry;
};

/* The file's bytes: an uploaded file (read by the caller) or the body's
 * base64 "content". *data the caller's (free()). */
static int import_bytes(const json_t *body, const void *file, size_t file_len, unsigned char **data,
			size_t *len, struct cr_err *err)
{
	const char *content = json_string_value(json_object_get(body, "content"));
	long n;

	if (file != NULL) {
		if (file_len > IMPORT_BYTES_MAX)
			return cr_err_set(err, CR_ETOOBIG, "the file is larger than %zu MiB",
					  IMPORT_BYTES_MAX >> 20);
		*data = cr_malloc(file_len + 1);
		memcpy(*data, file, file_len);
		*len = file_len;
		return 0;
	}
	if (content == NULL)
		return cr_err_set(err, CR_EINVAL,
				  "'content' must be the file, base64-encoded (or 'file' an "
				  "uploaded file's sha256)");
	if (strlen(content) / 4 * 3 > IMPORT_BYTES_MAX)
		return cr_err_set(err, CR_ETOOBIG, "the file is larger than %zu MiB",
				  IMPORT_BYTES_MAX >> 20);
	*data = cr_malloc(strlen(content) / 4 * 3 + 4);
	n = cr_base64_decode(content, strlen(content), *data);
	if (n < 0)
		return cr_err_set(err, CR_EINVAL, "'content' is not base64");
	*len = (size_t)n;
	return 0;
}

/* Row r of the sheet: its cells converted by their fields' types, then
 * the values checked as a new record's. Good, it joins im->good; bad, its
 * errors join im->bad. Only an error of the store stops the import. */
static int row_check(struct import *im, size_t r, struct cr_err *err)
{
	const struct fm_sheet *s = &im->s;
	json_t *values = json_object(), *errors = json_array(), *norm = NULL;
	int rc = 0;

	for (size_t k = 0; k < s->n_cells[0]; k++) {
		const char *fid = json_string_value(json_object_get(im->mapping, s->rows[0][k]));
		const struct fm_col *c = fid != NULL ? fm_form_col(&im->form, fid) : NULL;
		json_t *v = NULL;
		struct cr_err cell = { 0 };
		if (c == NULL || json_object_get(values, c->id) != NULL)
			continue;
		if (cell_value(&im->cx, c, k < s->n_cells[r] ? s->rows[r][k] : "", &v, &cell) < 0)
			json_array_append_new(errors, json_string(cell.msg));
		else if (v != NULL)
			json_object_set_new(values, c->id, v);
	}
	if (json_array_size(errors) == 0) {
		struct cr_err why = { 0 };
		int vr = fm_values_new(im->f, im->a, &im->form, values, &norm, &why);
		if (vr == CR_EINVAL)
			json_array_append_new(errors, json_string(why.msg));
		else if (vr < 0) {
			rc = vr;
			*err = why;
		}
	}
	if (json_array_size(errors) > 0) {
		if (im->n_bad++ < BAD_ROWS_SHOWN)
			json_array_append_new(im->bad,
					      json_pack("{s:I, s:o}", "row", (json_int_t)s->line[r],
							"errors", json_incref(errors)));
	} else if (norm != NULL) {
		im->good_line[im->n_good] = s->line[r];
		im->good[im->n_good++] = norm;
		norm = NULL;
	}
	json_decref(norm);
	json_decref(errors);
	json_decref(values);
	return rc;
}

/* How many of the n rows from rows[0] the next batch takes (at least
 * one): the same for the same sheet, so a replay makes the same batches. */
size_t fm_import_batch_rows(json_t *const *rows, size_t n)
{
	size_t bytes = 0, k;

	for (k = 0; k < n && k < IMPORT_BATCH; k++) {
		size_t len = json_dumpb(rows[k], NULL, 0, JSON_COMPACT);
		if (k > 0 && bytes + len > IMPORT_BATCH_BYTES)
			break;
		bytes += len;
	}
	return k > 0 ? k : (n > 0 ? 1 : 0);
}

/* The good rows, a batch per transaction, each all or nothing. */
static int batches_write(struct import *im, const char *request_id, int64_t now_us,
			 struct cr_err *err)
{
	size_t n;

	for (size_t i = 0, batch = 0; i < im->n_good; i += n, batch++) {
		size_t failed = 0;
		int64_t ids[IMPORT_BATCH];
		char sub[STORAGE_REQUEST_ID_MAX + 1] = "";
		struct cr_err why = { 0 };
		int br;
		n = fm_import_batch_rows(im->good + i, im->n_good - i);
		if (request_id != NULL)
			(void)snprintf(sub, sizeof(sub), "%.100s#%zu", request_id, batch);
		br = fm_records_insert(im->f, im->a, &im->form, im->good + i, n, "import",
				       sub[0] ? sub : NULL, now_us, ids, &failed, &why);
		if (br == CR_EUNAVAIL || br == CR_EUNKNOWN)
			return cr_err_set(err, br,
					  "the import stopped after %zu rows: %s (re-send the same "
					  "request with its Idempotency-Key to go on)",
					  im->imported, why.msg);
		json_array_append_new(im->batches,
				      json_pack("{s:I, s:I, s:b, s:s?}", "first_row",
						(json_int_t)im->good_line[i], "last_row",
						(json_int_t)im->good_line[i + n - 1], "imported",
						br >= 0, "error", br < 0 ? why.msg : NULL));
		if (br < 0 && br != CR_ECONFLICT && br != CR_EINVAL) {
			*err = why;
			return br;
		}
		if (br >= 0)
			im->imported += n;
	}
	return 0;
}

/* The request's checks before the file is read. */
static int import_check(const struct import *im, const struct fm_rights *rights, const json_t *body,
			struct cr_err *err)
{
	static const char *const keys[] = {
		"format", "content", "file", "mapping", "dry_run", NULL
	};
	const char *format = json_string_value(json_object_get(body, "format"));
	const json_t *dry = json_object_get(body, "dry_run");
	int rc = 0;

	if (!rights->all_data)
		rc = cr_err_set(err, CR_EDENIED, "only those who manage this app's data import");
	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0 && im->form.version == 0)
		rc = cr_err_set(err, CR_EINVAL, "this app's form has no fields yet");
	if (rc == 0 &&
	    (format == NULL || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)))
		rc = cr_err_set(err, CR_EINVAL, "'format' must be \"csv\" or \"xlsx\"");
	if (rc == 0 && dry != NULL && !json_is_boolean(dry))
		rc = cr_err_set(err, CR_EINVAL, "'dry_run' must be true or false");
	return rc;
}

/* The sheet read, and the mapping given checked (or one suggested, which
 * makes the import a dry run). */
static int sheet_and_mapping(struct import *im, const json_t *body, const unsigned char *data,
			     size_t len, struct cr_err *err)
{
	const json_t *given = json_object_get(body, "mapping");
	int rc = fm_sheet_read(json_string_value(json_object_get(body, "format")), data, len,
			       &im->s, err);

	if (rc == 0 && im->s.n_rows == 0)
		rc = cr_err_set(err, CR_EINVAL,
				"the file is empty: the first row names the columns");
	if (rc == 0 && im->s.n_rows - 1 > FM_IMPORT_MAX)
		rc = cr_err_set(err, CR_ETOOBIG, "the file has more than %d rows", FM_IMPORT_MAX);
	if (rc < 0)
		return rc;
	if (given == NULL || json_is_null(given)) {
		im->mapping = mapping_suggest(&im->form, &im->s);
		im->dry = true;
		return 0;
	}
	im->mapping = json_incref((json_t *)given);
	return mapping_check(&im->form, &im->s, given, err);
}

static json_t *import_answer(const struct import *im)
{
	json_t *cols = json_array();

	for (size_t k = 0; im->s.n_rows > 0 && k < im->s.n_cells[0]; k++)
		json_array_append_new(cols, json_string(im->s.rows[0][k]));
	return json_pack("{s:o, s:O, s:I, s:I, s:I, s:O, s:O, s:I, s:b}", "columns", cols,
			 "mapping", im->mapping, "rows", (json_int_t)(im->s.n_rows - 1), "good",
			 (json_int_t)im->n_good, "bad_count", (json_int_t)im->n_bad, "bad", im->bad,
			 "batches", im->batches, "imported", (json_int_t)im->imported, "dry_run",
			 im->dry);
}

int fm_import(const struct forms *f, const struct id_actor *a, int64_t app, const json_t *body,
	      const void *file, size_t file_len, const char *request_id, int64_t now_us,
	      json_t **out, struct cr_err *err)
{
	struct import im = { .f = f, .a = a };
	struct fm_rights rights;
	unsigned char *data = NULL;
	size_t len = 0;
	int rc = fm_form_load(f, a, app, &im.form, &rights, err);

	if (rc < 0)
		return rc;
	im.bad = json_array();
	im.batches = json_array();
	im.look = (struct lookup){ .f = f, .a = a, .cache = json_object() };
	im.cx = (struct fm_cells){ .tz_offset_s = f->tz_offset_s,
				   .lookup = lookup_id,
				   .lookup_arg = &im.look };
	im.dry = json_is_true(json_object_get(body, "dry_run"));
	rc = import_check(&im, &rights, body, err);
	if (rc == 0)
		rc = import_bytes(body, file, file_len, &data, &len, err);
	if (rc == 0)
		rc = sheet_and_mapping(&im, body, data, len, err);
	if (rc == 0) {
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
		im.good = cr_calloc(im.s.n_rows, sizeof(*im.good));
		im.good_line = cr_calloc(im.s.n_rows, sizeof(*im.good_line));
	}
	for (size_t r = 1; rc == 0 && r < im.s.n_rows; r++)
		rc = row_check(&im, r, err);
	if (rc == 0 && !im.dry)
		rc = batches_write(&im, request_id, now_us, err);
	if (rc == 0)
		*out = import_answer(&im);
	for (size_t i = 0; i < im.n_good; i++)
		json_decref(im.good[i]);
	free(im.good);
	free(im.good_line);
	fm_sheet_free(&im.s);
	free(data);
	json_decref(im.mapping);
	fm_form_free(&im.form);
	json_decref(im.bad);
	json_decref(im.batches);
	json_decref(im.look.cache);
	return rc;
}
