/* core/forms/form_save.c: saving a new version of a form: the changes
 * planned against the loaded form (a type change keeps a column only when
 * every stored value fits), then one transaction that adds columns and
 * indexes, records the version and moves the app to it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"
#include "../identity/body.h"
#include "forms_int.h"

#define CHECK_VALUES_MAX 10000

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
	if (rc == 0)
		rc = fm_tx_count_keep(tx, form->app, err);
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

/* One planned column: still empty where it must be, added (numbered
 * from *next) when new, indexed when sortable, recorded in form_column. */
static int column_save(struct storage_tx *tx, const struct fm_form *form, struct col_plan *c,
		       int64_t *next, struct cr_err *err)
{
	const struct fm_type *t = fm_type_get(c->type);
	struct storage_value p[5];
	int rc = 0;

	if (c->check_empty) {
		bool has = false;
		rc = column_has_values(tx, form, c->old_col, &has, err);
		if (rc == 0 && has)
			rc = cr_err_set(err, CR_ECONFLICT,
					"records were written to '%s' while saving: save again",
					c->id);
	}
	if (rc == 0 && c->col == 0) {
		c->col = (int)(*next)++;
		rc = ddl(tx, err, "ALTER TABLE %s ADD COLUMN c%d %s", form->table, c->col,
			 affinity(t->kind));
	}
	if (rc == 0 && t->is_sortable)
		rc = ddl(
		    tx, err,
		    "CREATE INDEX IF NOT EXISTS %s_c%d ON %s (c%d, id) WHERE deleted_us IS NULL",
		    form->table, c->col, form->table, c->col);
	p[0] = storage_int(form->app);
	p[1] = storage_text(c->id);
	p[2] = storage_int(c->col);
	p[3] = storage_text(c->type);
	p[4] = storage_text(json_string_value(json_object_get(c->field, "label")));
	if (rc == 0)
		rc = storage_tx_exec(
		    tx,
		    "INSERT INTO form_column (app_id, field_id, col, type, label, live) "
		    "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (app_id, field_id) DO UPDATE SET "
		    "col = excluded.col, type = excluded.type, label = excluded.label, live = 1",
		    p, 5, NULL, err);
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
	for (size_t i = 0; rc == 0 && i < j->n_plan; i++)
		rc = column_save(tx, form, &j->plan[i], &next, err);
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

	j->plan = cr_calloc(json_array_size(fields) + 1, sizeof(*j->plan));
	j->removed = cr_calloc(form->n_cols + 1, sizeof(*j->removed));
	json_array_foreach(fields, i, fld)
	{
		const char *id = json_string_value(json_object_get(fld, "id"));
		const char *type = json_string_value(json_object_get(fld, "type"));
		enum fm_kind k = fm_type_get(type)->kind;
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
		if (old->kind == k && old->t->ref != FM_REF_NONE && strcmp(old->type, type) != 0) {
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
		    fm_type_get(json_string_value(json_object_get(
				    fm_field_by_id(fields, form->cols[n].id), "type")))
			    ->kind == FM_KIND_NONE)
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
		rc = fm_definition_check(json_object_get(body, "fields"), err);
	if (rc == 0 && json_integer_value(version) != form.version)
		rc = cr_err_set(err, CR_ECONFLICT,
				"the form was saved by someone else since version %lld (now %lld): "
				"reload it",
				(long long)json_integer_value(version), (long long)form.version);
	if (rc == 0) {
		fields = json_deep_copy(json_object_get(body, "fields"));
		fm_choices_retire(fields, form.fields);
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
