/* core/forms/import.c: CSV or XLSX imported through the one write path:
 * the sheet read (sheet.c), each cell converted by its field type's row
 * (field_cells.c, with members and departments looked up here), a dry
 * run that reports every bad row, then the good rows in batches, each all
 * or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/text.h"
#include "../identity/body.h"
#include "forms_int.h"
#include "sheet.h"

#define IMPORT_BATCH     500
#define IMPORT_BYTES_MAX ((size_t)20 << 20)
#define BAD_ROWS_SHOWN   1000

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
	struct fm_sheet s = { 0 };
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
		rc = fm_sheet_read(format, data, (size_t)len, &s, err);
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
	fm_sheet_free(&s);
	free(data);
	json_decref(mapping);
	fm_form_free(&form);
done_form:
	json_decref(bad);
	json_decref(batches);
	json_decref(cache);
	return rc;
}
