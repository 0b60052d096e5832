/* core/forms/form_load.c: an app's form read from the store (the live
 * definition, its columns, the actor's rights), values to and from its
 * columns, and the form and its versions as the API answers them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"
#include "../../lib/text.h"
#include "../identity/body.h"
#include "forms_int.h"

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
static void cols_build(struct fm_form *form, const struct storage_rows *rows)
{
	size_t i, n = 0;
	const json_t *fld;

	form->cols = cr_calloc(rows->n_rows + 1, sizeof(*form->cols));
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
			c->t = fm_type_get(c->type);
			c->kind = c->t->kind;
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
		c->t = fm_type_get(c->type);
		c->kind = c->t->kind;
	}
	form->n_cols = n;
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
	rc = storage_query_kept(
	    f->id->store, a->db, a->rights_version,
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
		rc = storage_query_kept(
		    f->id->store, a->db, a->rights_version,
		    "SELECT field_id, col, type, label, live FROM form_column WHERE "
		    "app_id = ? ORDER BY col",
		    &p, 1, &cols, err);
	}
	if (rc == 0)
		cols_build(out, &cols);
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
