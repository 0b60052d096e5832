/* core/forms/form.c: an app's form: loading, saving a new version (with
 * the record table's columns following it), and the versions' list. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/text.h"
#include "../../lib/time.h"
#include "../identity/body.h"
#include "forms_int.h"
#include "serial.h"

#define FORM_ENTRIES_MAX 400 /* fields incl. layout ones */
#define CHECK_VALUES_MAX 10000

static const char *const FIELD_KEYS[] = { "id",     "type",     "label",       "required",
					  "unique", "default",  "placeholder", "help",
					  "hidden", "readonly", "show_when",   "options",
					  NULL };

enum fm_kind fm_kind_of(const char *type)
{
	static const char *const text[] = { "text", "textarea", "richtext",  "email",   "phone",
					    "link", "radio",    "select",    "barcode", "serial",
					    "date", "datetime", "signature", NULL };
	static const char *const json[] = { "timerange",  "checkbox", "member",  "department",
					    "attachment", "image",    "address", "location",
					    "subtable",   NULL };

	if (type == NULL)
		return FM_KIND_NONE;
	for (size_t i = 0; text[i] != NULL; i++)
		if (strcmp(text[i], type) == 0)
			return FM_KIND_TEXT;
	for (size_t i = 0; json[i] != NULL; i++)
		if (strcmp(json[i], type) == 0)
			return FM_KIND_JSON;
	if (strcmp(type, "number") == 0 || strcmp(type, "money") == 0 ||
	    strcmp(type, "percent") == 0)
		return FM_KIND_REAL;
	if (strcmp(type, "duration") == 0 || strcmp(type, "rating") == 0)
		return FM_KIND_INTEGER;
	return FM_KIND_NONE;
}

bool fm_type_sortable(const char *type)
{
	enum fm_kind k = fm_kind_of(type);

	return (k == FM_KIND_TEXT || k == FM_KIND_INTEGER || k == FM_KIND_REAL) &&
	       strcmp(type, "textarea") != 0 && strcmp(type, "richtext") != 0 &&
	       strcmp(type, "signature") != 0;
}

static bool unique_allowed(const char *type)
{
	return fm_type_sortable(type) && strcmp(type, "serial") != 0 &&
	       strcmp(type, "radio") != 0 && strcmp(type, "select") != 0;
}

void fm_form_free(struct fm_form *form)
{
	json_decref(form->fields);
	free(form->cols);
	memset(form, 0, sizeof(*form));
}

const struct fm_col *fm_form_col(const struct fm_form *form, const char *id)
{
	for (size_t i = 0; i < form->n_live; i++)
		if (strcmp(form->cols[i].id, id) == 0)
			return &form->cols[i];
	return NULL;
}

static void copy(char *dst, size_t len, const char *src)
{
	(void)snprintf(dst, len, "%s", src != NULL ? src : "");
}

static int rights_load(const struct forms *f, const struct id_actor *a, int64_t app,
		       struct fm_rights *r, struct cr_err *err)
{
	struct id_facts facts;
	int rc = id_facts_load(f->id, a, &facts, err);

	if (rc == 0) {
		r->all_data = id_authz_app(a, &facts, ID_APP_DATA, app, NULL) == 0;
		r->edit = id_authz_app(a, &facts, ID_APP_EDIT, app, NULL) == 0;
	}
	id_facts_free(&facts);
	return rc;
}

/* Columns from form_column rows (field_id, col, type, label, live), live
 * ones in the definition's order. */
static int cols_build(struct fm_form *form, const struct storage_rows *rows, struct cr_err *err)
{
	size_t i, n = 0;
	const json_t *fld;

	form->cols = calloc(rows->n_rows + 1, sizeof(*form->cols));
	if (form->cols == NULL)
		return cr_err_set(err, CR_EINTERNAL, "out of memory");
	json_array_foreach(form->fields, i, fld)
	{
		const char *id = json_string_value(json_object_get(fld, "id"));
		for (size_t r = 0; id != NULL && r < rows->n_rows; r++) {
			const char *fid = storage_rows_text(rows, r, 0);
			if (fid == NULL || strcmp(fid, id) != 0 ||
			    storage_rows_int(rows, r, 4, 0) == 0)
				continue;
			struct fm_col *c = &form->cols[n++];
			c->field = fld;
			copy(c->id, sizeof(c->id), id);
			copy(c->type, sizeof(c->type),
			     json_string_value(json_object_get(fld, "type")));
			copy(c->label, sizeof(c->label),
			     json_string_value(json_object_get(fld, "label")));
			c->col = (int)storage_rows_int(rows, r, 1, 0);
			c->kind = fm_kind_of(c->type);
			break;
		}
	}
	form->n_live = n;
	for (size_t r = 0; r < rows->n_rows; r++) {
		if (storage_rows_int(rows, r, 4, 0) != 0)
			continue;
		struct fm_col *c = &form->cols[n++];
		copy(c->id, sizeof(c->id), storage_rows_text(rows, r, 0));
		copy(c->type, sizeof(c->type), storage_rows_text(rows, r, 2));
		copy(c->label, sizeof(c->label), storage_rows_text(rows, r, 3));
		c->col = (int)storage_rows_int(rows, r, 1, 0);
		c->kind = fm_kind_of(c->type);
	}
	form->n_cols = n;
	return 0;
}

int fm_form_load(const struct forms *f, const struct id_actor *a, int64_t app, struct fm_form *out,
		 struct fm_rights *rights, struct cr_err *err)
{
	struct storage_value p = storage_int(app);
	struct storage_rows rows, cols;
	json_error_t jerr;
	int rc;

	memset(out, 0, sizeof(*out));
	out->app = app;
	out->tz_offset_s = f->tz_offset_s;
	(void)snprintf(out->table, sizeof(out->table), "rec_%lld", (long long)app);
	(void)snprintf(out->fts, sizeof(out->fts), "rec_%lld_fts", (long long)app);
	storage_rows_init(&cols);
	rc =
	    storage_query(f->id->store, a->db,
			  "SELECT a.name, a.form_version, v.definition, v.created_by, v.created_us "
			  "FROM app a LEFT JOIN form_version v ON v.app_id = a.id AND v.version = "
			  "a.form_version WHERE a.id = ? AND a.deleted_us IS NULL",
			  &p, 1, &rows, err);
	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no app %lld in this workspace", (long long)app);
	if (rc == 0) {
		const char *def = storage_rows_text(&rows, 0, 2);
		copy(out->app_name, sizeof(out->app_name), storage_rows_text(&rows, 0, 0));
		out->version = storage_rows_int(&rows, 0, 1, 0);
		out->updated_by = storage_rows_int(&rows, 0, 3, 0);
		out->updated_us = storage_rows_int(&rows, 0, 4, 0);
		if (def != NULL) {
			json_t *d = json_loads(def, 0, &jerr);
			out->fields = json_incref(json_object_get(d, "fields"));
			json_decref(d);
		}
		if (!json_is_array(out->fields)) {
			json_decref(out->fields);
			out->fields = json_array();
		}
		rc = storage_query(f->id->store, a->db,
				   "SELECT field_id, col, type, label, live FROM form_column WHERE "
				   "app_id = ? ORDER BY col",
				   &p, 1, &cols, err);
	}
	if (rc == 0)
		rc = cols_build(out, &cols, err);
	if (rc == 0 && rights != NULL)
		rc = rights_load(f, a, app, rights, err);
	storage_rows_close(&rows);
	storage_rows_close(&cols);
	if (rc < 0)
		fm_form_free(out);
	return rc;
}

json_t *fm_col_json(const struct fm_col *c, const struct storage_value *v)
{
	switch (v->type) {
	case STORAGE_NULL:
		return json_null();
	case STORAGE_INTEGER:
		if (c->kind == FM_KIND_REAL)
			return json_real((double)v->i);
		return json_integer(v->i);
	case STORAGE_FLOAT:
		if (c->kind == FM_KIND_INTEGER)
			return json_integer((json_int_t)v->f);
		/* number fields without decimals come back as whole numbers */
		if (v->f == (double)(long long)v->f && v->f < 1e15 && v->f > -1e15)
			return json_integer((json_int_t)v->f);
		return json_real(v->f);
	case STORAGE_TEXT:
		if (c->kind == FM_KIND_JSON) {
			json_t *j = json_loadb(v->s.p, v->s.len, JSON_DECODE_ANY, NULL);
			return j != NULL ? j : json_null();
		}
		return json_stringn(v->s.p, v->s.len);
	default:
		return json_null();
	}
}

struct storage_value fm_col_param(const struct fm_col *c, const json_t *v, char **hold)
{
	*hold = NULL;
	if (v == NULL || json_is_null(v))
		return storage_null();
	switch (c->kind) {
	case FM_KIND_JSON:
		*hold = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		return storage_text(*hold);
	case FM_KIND_INTEGER:
		return storage_int((int64_t)json_integer_value(v));
	case FM_KIND_REAL:
		return storage_float(json_number_value(v));
	case FM_KIND_TEXT:
		return storage_text(json_string_value(v));
	default:
		return storage_null();
	}
}

static json_t *updated_by_json(const struct forms *f, const struct id_actor *a, int64_t account)
{
	json_t *refs = NULL;
	const char *name = NULL;

	if (account <= 0)
		return json_null();
	if (fm_refs(f, a, &account, 1, NULL, 0, &refs, NULL) == 0) {
		char key[24];
		(void)snprintf(key, sizeof(key), "%lld", (long long)account);
		name = json_string_value(json_object_get(json_object_get(refs, "members"), key));
	}
	json_t *out = json_pack("{s:I, s:s?}", "id", (json_int_t)account, "name", name);
	json_decref(refs);
	return out;
}

static json_t *form_json(const struct forms *f, const struct id_actor *a,
			 const struct fm_form *form)
{
	json_t *removed = json_array();

	for (size_t i = form->n_live; i < form->n_cols; i++)
		json_array_append_new(removed,
				      json_pack("{s:s, s:s, s:s}", "id", form->cols[i].id, "type",
						form->cols[i].type, "label", form->cols[i].label));
	return json_pack("{s:I, s:s, s:I, s:O, s:o, s:o, s:o}", "app_id", (json_int_t)form->app,
			 "app_name", form->app_name, "version", (json_int_t)form->version, "fields",
			 form->fields, "removed_fields", removed, "updated_at",
			 id_time_json(form->updated_us), "updated_by",
			 updated_by_json(f, a, form->updated_by));
}

int fm_form_get(const struct forms *f, const struct id_actor *a, int64_t app, json_t **out,
		struct cr_err *err)
{
	struct fm_form form;
	int rc = id_authz_workspace(a, ID_WS_READ, err);

	if (rc == 0)
		rc = fm_form_load(f, a, app, &form, NULL, err);
	if (rc == 0) {
		*out = form_json(f, a, &form);
		fm_form_free(&form);
	}
	return rc;
}

/* ---- checking a new definition ---- */

const json_t *fm_field_by_id(const json_t *fields, const char *id)
{
	size_t i;
	const json_t *fld;

	json_array_foreach(fields, i, fld)
	{
		const char *fid = json_string_value(json_object_get(fld, "id"));
		if (fid != NULL && id != NULL && strcmp(fid, id) == 0)
			return fld;
	}
	return NULL;
}

static int text_opt(const json_t *fld, const char *key, size_t max, struct cr_err *err)
{
	const json_t *v = json_object_get(fld, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || cr_utf8_chars(json_string_value(v), false) < 0 ||
	    cr_utf8_chars(json_string_value(v), false) > (long)max)
		return cr_err_set(err, CR_EINVAL, "'%s' must be text of at most %zu characters",
				  key, max);
	return 0;
}

static int bool_opt(const json_t *fld, const char *key, struct cr_err *err)
{
	const json_t *v = json_object_get(fld, key);

	if (v != NULL && !json_is_boolean(v))
		return cr_err_set(err, CR_EINVAL, "'%s' must be true or false", key);
	return 0;
}

/* One field of the definition beyond fm_field_check: the common keys. */
static int field_extra_check(const json_t *fields, const json_t *fld, struct cr_err *err)
{
	const char *id = json_string_value(json_object_get(fld, "id"));
	const char *type = json_string_value(json_object_get(fld, "type"));
	const char *key;
	const json_t *v;
	const json_t *dflt = json_object_get(fld, "default");
	int rc = 0;

	json_object_foreach((json_t *)fld, key, v)
	{
		bool known = false;
		for (size_t k = 0; FIELD_KEYS[k] != NULL; k++)
			known = known || strcmp(FIELD_KEYS[k], key) == 0;
		if (!known)
			return cr_err_set(err, CR_EINVAL, "field '%s': unknown key '%s'", id, key);
	}
	if (rc == 0)
		rc = text_opt(fld, "placeholder", 200, err);
	if (rc == 0)
		rc = text_opt(fld, "help", 200, err);
	if (rc == 0)
		rc = bool_opt(fld, "unique", err);
	if (rc == 0)
		rc = bool_opt(fld, "hidden", err);
	if (rc == 0)
		rc = bool_opt(fld, "readonly", err);
	if (rc < 0)
		return cr_err_wrap(err, "field '%s'", id);
	if (json_is_true(json_object_get(fld, "unique")) && !unique_allowed(type))
		return cr_err_set(err, CR_EINVAL, "field '%s': a %s field cannot be unique", id,
				  type);
	if (dflt != NULL && !json_is_null(dflt)) {
		json_t *norm = NULL;
		json_t *loose = json_deep_copy(fld);
		if (strcmp(type, "serial") == 0 || fm_kind_of(type) == FM_KIND_NONE) {
			json_decref(loose);
			return cr_err_set(err, CR_EINVAL, "field '%s' takes no default", id);
		}
		json_object_set_new(loose, "required", json_false());
		rc = fm_value_check(loose, dflt, &norm, err);
		json_decref(loose);
		json_decref(norm);
		if (rc < 0)
			return cr_err_wrap(err, "field '%s': the default", id);
	}
	return fm_show_when_check(fields, id, json_object_get(fld, "show_when"), err);
}

/* Serial parts name fields of this form that hold a value. */
static int serial_fields_check(const json_t *fields, const json_t *fld, struct cr_err *err)
{
	size_t i;
	const json_t *part;

	json_array_foreach(json_object_get(json_object_get(fld, "options"), "parts"), i, part)
	{
		const char *ref = json_string_value(json_object_get(part, "field"));
		const json_t *target = ref != NULL ? fm_field_by_id(fields, ref) : NULL;
		const char *type = json_string_value(json_object_get(target, "type"));
		if (ref == NULL)
			continue;
		if (target == NULL || !fm_type_sortable(type) || strcmp(type, "serial") == 0 ||
		    strcmp(type, "link") == 0 || strcmp(type, "email") == 0)
			return cr_err_set(err, CR_EINVAL,
					  "serial field '%s' uses '%s', which is not a text, "
					  "number, date or choice field of this form",
					  json_string_value(json_object_get(fld, "id")), ref);
	}
	return 0;
}

static int definition_check(const json_t *fields, struct cr_err *err)
{
	size_t i, n_values = 0;
	const json_t *fld;

	if (!json_is_array(fields) || json_array_size(fields) > FORM_ENTRIES_MAX)
		return cr_err_set(err, CR_EINVAL, "'fields' must be a list of at most %d fields",
				  FORM_ENTRIES_MAX);
	json_array_foreach(fields, i, fld)
	{
		const char *id;
		if (fm_field_check(fld, err) < 0)
			return CR_EINVAL;
		id = json_string_value(json_object_get(fld, "id"));
		for (size_t k = 0; k < i; k++)
			if (strcmp(
				json_string_value(json_object_get(json_array_get(fields, k), "id")),
				id) == 0)
				return cr_err_set(err, CR_EINVAL, "field id '%s' appears twice",
						  id);
		if (id[0] == '_')
			return cr_err_set(err, CR_EINVAL,
					  "field id '%s': ids starting with _ are the system's",
					  id);
		if (field_extra_check(fields, fld, err) < 0)
			return CR_EINVAL;
		if (fm_kind_of(json_string_value(json_object_get(fld, "type"))) != FM_KIND_NONE)
			n_values++;
	}
	json_array_foreach(fields, i, fld)
	{
		const char *type = json_string_value(json_object_get(fld, "type"));
		if (strcmp(type, "serial") == 0 && serial_fields_check(fields, fld, err) < 0)
			return CR_EINVAL;
	}
	if (n_values > FM_FIELDS_MAX)
		return cr_err_set(err, CR_EINVAL, "a form holds at most %d fields with values",
				  FM_FIELDS_MAX);
	return 0;
}

/* Choices removed from a choice field stay in the definition, marked
 * "retired": old records keep their labels; new values cannot pick them. */
static void retire_choices(json_t *fields, const json_t *old_fields)
{
	size_t i, k;
	json_t *fld;
	const json_t *oc;

	json_array_foreach(fields, i, fld)
	{
		const char *type = json_string_value(json_object_get(fld, "type"));
		const json_t *old =
		    fm_field_by_id(old_fields, json_string_value(json_object_get(fld, "id")));
		json_t *choices = json_object_get(json_object_get(fld, "options"), "choices");
		if (old == NULL || !json_is_array(choices) ||
		    (strcmp(type, "radio") != 0 && strcmp(type, "select") != 0 &&
		     strcmp(type, "checkbox") != 0))
			continue;
		json_array_foreach(json_object_get(json_object_get(old, "options"), "choices"), k,
				   oc)
		{
			bool kept = false;
			size_t j;
			const json_t *nc;
			json_array_foreach(choices, j, nc) kept =
			    kept ||
			    json_equal(json_object_get(nc, "id"), json_object_get(oc, "id"));
			if (!kept && json_array_size(choices) < FM_CHOICES_MAX) {
				json_t *r = json_deep_copy(oc);
				json_object_set_new(r, "retired", json_true());
				json_array_append_new(choices, r);
			}
		}
	}
}

/* ---- saving ---- */

struct col_plan {
	const json_t *field;
	const char *id;
	const char *type;
	int col;          /* existing column to keep, 0 for a new one (set in the job) */
	bool check_empty; /* the column this replaces must still hold no value */
	int old_col;
};

struct save_job {
	const struct fm_form *form;
	int64_t expect_version;
	const char *definition;
	int64_t actor, now_us;
	struct col_plan *plan;
	size_t n_plan;
	/* removed fields (live before, absent now) */
	const char **removed;
	size_t n_removed;
	int64_t version_out;
};

static const char *affinity(enum fm_kind k)
{
	return k == FM_KIND_INTEGER ? "INTEGER" : k == FM_KIND_REAL ? "REAL" : "TEXT";
}

static int ddl(struct storage_tx *tx, struct cr_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int ddl(struct storage_tx *tx, struct cr_err *err, const char *fmt, ...)
{
	char sql[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return storage_tx_exec(tx, sql, NULL, 0, NULL, err);
}

/* The record table. Indexes hold the live records only (WHERE deleted_us
 * IS NULL): lists and counts of live records are answered from them
 * alone, and the recycle bin has its own small index. */
static int table_create(struct storage_tx *tx, const struct fm_form *form, struct cr_err *err)
{
	const char *t = form->table;
	int rc = ddl(tx, err,
		     "CREATE TABLE IF NOT EXISTS %s (id INTEGER PRIMARY KEY AUTOINCREMENT, version "
		     "INTEGER NOT NULL, created_by INTEGER NOT NULL, created_us INTEGER NOT NULL, "
		     "updated_by INTEGER NOT NULL, updated_us INTEGER NOT NULL, deleted_us "
		     "INTEGER, deleted_by INTEGER)",
		     t);

	if (rc == 0)
		rc = ddl(tx, err,
			 "CREATE INDEX IF NOT EXISTS %s_created ON %s (created_us, id) WHERE "
			 "deleted_us IS NULL",
			 t, t);
	if (rc == 0)
		rc = ddl(tx, err,
			 "CREATE INDEX IF NOT EXISTS %s_updated ON %s (updated_us, id) WHERE "
			 "deleted_us IS NULL",
			 t, t);
	if (rc == 0)
		rc = ddl(tx, err,
			 "CREATE INDEX IF NOT EXISTS %s_creator ON %s (created_by, id) WHERE "
			 "deleted_us IS NULL",
			 t, t);
	if (rc == 0)
		rc = ddl(tx, err,
			 "CREATE INDEX IF NOT EXISTS %s_deleted ON %s (deleted_us) WHERE "
			 "deleted_us IS NOT NULL",
			 t, t);
	if (rc == 0)
		rc = ddl(tx, err,
			 "CREATE VIRTUAL TABLE IF NOT EXISTS %s USING fts5(body, tokenize = "
			 "'trigram')",
			 form->fts);
	return rc;
}

static int column_has_values(struct storage_tx *tx, const struct fm_form *form, int col, bool *has,
			     struct cr_err *err)
{
	char sql[160];
	struct storage_rows rows;
	int rc;

	(void)snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE c%d IS NOT NULL LIMIT 1",
		       form->table, col);
	rc = storage_tx_query(tx, sql, NULL, 0, &rows, err);
	*has = rc == 0 && rows.n_rows > 0;
	storage_rows_close(&rows);
	return rc;
}

static int save_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct save_job *j = arg;
	const struct fm_form *form = j->form;
	struct storage_value p[6];
	struct storage_rows rows;
	int64_t version, next;
	int rc;

	p[0] = storage_int(form->app);
	rc = storage_tx_query(tx,
			      "SELECT form_version, next_column FROM app WHERE id = ? AND "
			      "deleted_us IS NULL",
			      p, 1, &rows, err);
	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no app %lld in this workspace",
				(long long)form->app);
	version = rc == 0 ? storage_rows_int(&rows, 0, 0, 0) : 0;
	next = rc == 0 ? storage_rows_int(&rows, 0, 1, 1) : 1;
	storage_rows_close(&rows);
	if (rc == 0 && version != j->expect_version)
		rc = cr_err_set(err, CR_ECONFLICT,
				"the form was saved by someone else since version %lld (now %lld): "
				"reload it",
				(long long)j->expect_version, (long long)version);
	if (rc == 0)
		rc = table_create(tx, form, err);
	for (size_t i = 0; rc == 0 && i < j->n_plan; i++) {
		struct col_plan *c = &j->plan[i];
		enum fm_kind k = fm_kind_of(c->type);
		if (c->check_empty) {
			bool has = false;
			rc = column_has_values(tx, form, c->old_col, &has, err);
			if (rc == 0 && has)
				rc = cr_err_set(err, CR_ECONFLICT,
						"records were written to '%s' while saving: save "
						"again",
						c->id);
		}
		if (rc == 0 && c->col == 0) {
			c->col = (int)next++;
			rc = ddl(tx, err, "ALTER TABLE %s ADD COLUMN c%d %s", form->table, c->col,
				 affinity(k));
		}
		if (rc == 0 && fm_type_sortable(c->type))
			rc = ddl(
			    tx, err,
			    "CREATE INDEX IF NOT EXISTS %s_c%d ON %s (c%d, id) WHERE deleted_us IS "
			    "NULL",
			    form->table, c->col, form->table, c->col);
		p[1] = storage_text(c->id);
		p[2] = storage_int(c->col);
		p[3] = storage_text(c->type);
		p[4] = storage_text(json_string_value(json_object_get(c->field, "label")));
		if (rc == 0)
			rc = storage_tx_exec(
			    tx,
			    "INSERT INTO form_column (app_id, field_id, col, type, label, live) "
			    "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (app_id, field_id) DO UPDATE "
			    "SET "
			    "col = excluded.col, type = excluded.type, label = excluded.label, "
			    "live = 1",
			    p, 5, NULL, err);
	}
	for (size_t i = 0; rc == 0 && i < j->n_removed; i++) {
		p[1] = storage_text(j->removed[i]);
		rc =
		    storage_tx_exec(tx,
				    "UPDATE form_column SET live = 0 WHERE app_id = ? AND field_id "
				    "= ?",
				    p, 2, NULL, err);
	}
	p[1] = storage_int(version + 1);
	p[2] = storage_text(j->definition);
	p[3] = storage_int(j->actor);
	p[4] = storage_int(j->now_us);
	p[5] = storage_int(next);
	if (rc == 0)
		rc = storage_tx_exec(tx,
				     "INSERT INTO form_version (app_id, version, definition, "
				     "created_by, created_us) VALUES (?, ?, ?, ?, ?)",
				     p, 5, NULL, err);
	if (rc == 0)
		rc =
		    storage_tx_exec(tx,
				    "UPDATE app SET form_version = ?2, next_column = ?6 WHERE id = "
				    "?1 AND ?3 = ?3 AND ?4 = ?4 AND ?5 = ?5",
				    p, 6, NULL, err);
	j->version_out = version + 1;
	return rc;
}

static bool same_value(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal(a, b);
}

/* Every stored value of column c is valid for the field's new definition. */
static int values_fit(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		      const struct fm_col *c, const json_t *field, struct cr_err *err)
{
	char sql[200];
	struct storage_rows rows;
	json_t *loose = json_deep_copy(field);
	int rc;
	size_t bad = 0;
	char example[120] = "";
	struct cr_err why = { 0 };

	json_object_set_new(loose, "required", json_false());
	(void)snprintf(sql, sizeof(sql),
		       "SELECT DISTINCT c%d FROM %s WHERE c%d IS NOT NULL LIMIT %d", c->col,
		       form->table, c->col, CHECK_VALUES_MAX + 1);
	rc = storage_query(f->id->store, a->db, sql, NULL, 0, &rows, err);
	if (rc == 0 && rows.n_rows > CHECK_VALUES_MAX)
		rc = cr_err_set(err, CR_EUNPROCESSABLE,
				"'%s' holds more than %d different values: its type cannot be "
				"checked for a change; add a new field instead",
				c->label, CHECK_VALUES_MAX);
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		json_t *v = fm_col_json(c, storage_rows_at(&rows, r, 0));
		json_t *norm = NULL;
		if (fm_value_check(loose, v, &norm, bad == 0 ? &why : NULL) < 0 ||
		    !same_value(v, norm)) {
			if (bad++ == 0) {
				char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
				(void)snprintf(example, sizeof(example), "%.60s",
					       t != NULL ? t : "");
				free(t);
			}
		}
		json_decref(v);
		json_decref(norm);
	}
	storage_rows_close(&rows);
	json_decref(loose);
	if (rc == 0 && bad > 0)
		rc = cr_err_set(
		    err, CR_EUNPROCESSABLE,
		    "'%s': %zu stored values would not stay the same as %s (e.g. %s%s%s): "
		    "add a new field instead",
		    c->label, bad, json_string_value(json_object_get(field, "type")), example,
		    why.msg[0] != '\0' ? ": " : "", why.msg);
	return rc;
}

/* The column of old holds no value, else CR_EUNPROCESSABLE: as type it
 * could not keep them. */
static int column_empty(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
			const struct fm_col *old, const char *type, struct cr_err *err)
{
	char sql[160];
	struct storage_rows rows;
	bool has;
	int rc;

	(void)snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE c%d IS NOT NULL LIMIT 1",
		       form->table, old->col);
	rc = storage_query(f->id->store, a->db, sql, NULL, 0, &rows, err);
	has = rc == 0 && rows.n_rows > 0;
	storage_rows_close(&rows);
	if (rc == 0 && has)
		rc = cr_err_set(err, CR_EUNPROCESSABLE,
				"'%s' holds %s values in existing records; as %s it could not "
				"keep them: add a new field instead",
				old->label, old->type, type);
	return rc;
}

/* Plan the columns of the new definition against the old form. */
static int plan(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		const json_t *fields, struct save_job *j, struct cr_err *err)
{
	size_t i;
	const json_t *fld;
	int rc = 0;

	j->plan = calloc(json_array_size(fields) + 1, sizeof(*j->plan));
	j->removed = calloc(form->n_cols + 1, sizeof(*j->removed));
	if (j->plan == NULL || j->removed == NULL)
		return cr_err_set(err, CR_EINTERNAL, "out of memory");
	json_array_foreach(fields, i, fld)
	{
		const char *id = json_string_value(json_object_get(fld, "id"));
		const char *type = json_string_value(json_object_get(fld, "type"));
		enum fm_kind k = fm_kind_of(type);
		const struct fm_col *old = NULL;
		struct col_plan *c;
		if (k == FM_KIND_NONE)
			continue;
		for (size_t n = 0; n < form->n_cols; n++)
			if (strcmp(form->cols[n].id, id) == 0)
				old = &form->cols[n];
		c = &j->plan[j->n_plan++];
		c->field = fld;
		c->id = id;
		c->type = type;
		if (old == NULL)
			continue;
		if (old->kind == k &&
		    (strcmp(old->type, "member") == 0 || strcmp(old->type, "department") == 0) &&
		    strcmp(old->type, type) != 0) {
			/* account ids are not department ids: only an empty field changes */
			c->col = old->col;
			rc = column_empty(f, a, form, old, type, err);
		} else if (old->kind == k) {
			c->col = old->col;
			if (strcmp(old->type, type) != 0 ||
			    !json_equal(json_object_get(old->field, "options"),
					json_object_get(fld, "options")))
				rc = values_fit(f, a, form, old, fld, err);
		} else {
			rc = column_empty(f, a, form, old, type, err);
			c->check_empty = true;
			c->old_col = old->col;
		}
		if (rc < 0)
			return rc;
	}
	for (size_t n = 0; n < form->n_live; n++)
		if (fm_field_by_id(fields, form->cols[n].id) == NULL ||
		    fm_kind_of(json_string_value(json_object_get(
			fm_field_by_id(fields, form->cols[n].id), "type"))) == FM_KIND_NONE)
			j->removed[j->n_removed++] = form->cols[n].id;
	return 0;
}

int fm_form_put(const struct forms *f, const struct id_actor *a, int64_t app, const json_t *body,
		const char *request_id, int64_t now_us, json_t **out, struct cr_err *err)
{
	static const char *const keys[] = { "version", "fields", NULL };
	struct fm_form form;
	struct fm_rights rights = { 0 };
	struct save_job j = { 0 };
	const json_t *version = json_object_get(body, "version");
	json_t *fields = NULL, *def = NULL;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	if (!rights.edit)
		rc = cr_err_set(err, CR_EDENIED, "you may not change this app's form");
	/* a replay answers the form, as the first run did: the version check
	 * would see the version that run made */
	if (rc == 0)
		rc = storage_request_seen(f->id->store, a->db, request_id, err);
	if (rc == 1) {
		fm_form_free(&form);
		return fm_form_get(f, a, app, out, err);
	}
	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0 && (!json_is_integer(version) || json_integer_value(version) < 0))
		rc = cr_err_set(err, CR_EINVAL,
				"'version' must be the form version you loaded (0 for a new form)");
	if (rc == 0)
		rc = definition_check(json_object_get(body, "fields"), err);
	if (rc == 0 && json_integer_value(version) != form.version)
		rc = cr_err_set(err, CR_ECONFLICT,
				"the form was saved by someone else since version %lld (now %lld): "
				"reload it",
				(long long)json_integer_value(version), (long long)form.version);
	if (rc == 0) {
		fields = json_deep_copy(json_object_get(body, "fields"));
		retire_choices(fields, form.fields);
		rc = plan(f, a, &form, fields, &j, err);
	}
	if (rc == 0) {
		def = json_pack("{s:O}", "fields", fields);
		j.form = &form;
		j.expect_version = form.version;
		j.definition = json_dumps(def, JSON_COMPACT);
		j.actor = a->account.id;
		j.now_us = now_us;
		rc = j.definition == NULL
			 ? cr_err_set(err, CR_EINTERNAL, "out of memory")
			 : storage_write(f->id->store, a->db, request_id, save_job, &j, err);
		rc = rc < 0 ? rc : 0; /* a replay (1) answers with the form, as the first run */
	}
	free((char *)j.definition);
	free(j.plan);
	free(j.removed);
	json_decref(def);
	json_decref(fields);
	fm_form_free(&form);
	if (rc == 0)
		rc = fm_form_get(f, a, app, out, err);
	return rc;
}

int fm_form_versions(const struct forms *f, const struct id_actor *a, int64_t app, json_t **out,
		     struct cr_err *err)
{
	struct fm_form form;
	struct storage_value p = storage_int(app);
	struct storage_rows rows;
	json_t *list = NULL, *wrap = NULL;
	int rc = fm_form_load(f, a, app, &form, NULL, err);

	if (rc < 0)
		return rc;
	rc = storage_query(f->id->store, a->db,
			   "SELECT version, created_by, created_us FROM form_version WHERE app_id "
			   "= ? ORDER BY version DESC LIMIT 500",
			   &p, 1, &rows, err);
	if (rc == 0) {
		list = json_array();
		for (size_t r = 0; r < rows.n_rows; r++)
			json_array_append_new(
			    list,
			    json_pack("{s:I, s:o, s:{s:I}}", "version",
				      (json_int_t)storage_rows_int(&rows, r, 0, 0), "updated_at",
				      id_time_json(storage_rows_int(&rows, r, 2, 0)), "updated_by",
				      "id", (json_int_t)storage_rows_int(&rows, r, 1, 0)));
		/* the savers' names in one query, as for records */
		wrap = json_object();
		rc = fm_records_refs(f, a, &form, list, wrap, err);
	}
	if (rc == 0)
		*out = json_pack("{s:O}", "versions", list);
	json_decref(list);
	json_decref(wrap);
	storage_rows_close(&rows);
	fm_form_free(&form);
	return rc;
}
