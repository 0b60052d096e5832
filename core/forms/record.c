/* core/forms/record.c: the one write path of records, and reading one.
 *
 * Create, update, delete, restore and import all end in a job of this
 * file that, in one transaction: checks the form did not change since the
 * values were checked, takes serial numbers, checks unique fields, writes
 * the row and its search text, a history row and an outbox event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/buf.h"
#include "../identity/body.h"
#include "forms_int.h"
#include "serial.h"

/* The ids in a member or department value: one id or a list. */
static void value_ids(const json_t *v, struct fm_ids *ids)
{
	size_t i;
	const json_t *e;

	if (json_is_integer(v))
		fm_ids_add(ids, json_integer_value(v));
	json_array_foreach(v, i, e)
	{
		fm_ids_add(ids, json_integer_value(e));
	}
}

/* ---- values ---- */

static const char *label_of(const json_t *field)
{
	return json_string_value(json_object_get(field, "label"));
}

static bool retired_choice(const json_t *field, const json_t *id)
{
	size_t i;
	const json_t *c;

	json_array_foreach(json_object_get(json_object_get(field, "options"), "choices"), i, c)
	{
		if (json_equal(json_object_get(c, "id"), id))
			return json_is_true(json_object_get(c, "retired"));
	}
	return false;
}

/* A given (non-empty) value checked and normalized; retired choices are
 * refused for new values. */
static int value_norm(const json_t *field, const json_t *v, json_t **out, struct cr_err *err)
{
	const char *type = json_string_value(json_object_get(field, "type"));
	size_t i;
	const json_t *e;

	if (fm_value_empty(v)) {
		*out = json_null();
		return 0;
	}
	if (fm_value_check(field, v, out, err) < 0)
		return CR_EINVAL;
	if (strcmp(type, "radio") == 0 || strcmp(type, "select") == 0) {
		if (retired_choice(field, *out))
			goto retired;
	} else if (strcmp(type, "checkbox") == 0) {
		json_array_foreach(*out, i, e)
		{
			if (retired_choice(field, e))
				goto retired;
		}
	}
	return 0;
retired:
	json_decref(*out);
	*out = NULL;
	return cr_err_set(err, CR_EINVAL, "'%s': that choice was removed from the form",
			  label_of(field));
}

/* Members and departments named in the values (only fields in changed,
 * if given) exist in the workspace; files were uploaded (their size is
 * the store's). Errors name the field. */
static int store_checks(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
			json_t *values, const json_t *changed, struct cr_err *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		json_t *v = json_object_get(values, c->id);
		struct fm_ids ids = { 0 };
		size_t k;
		json_t *e;
		if (json_is_null(v) || v == NULL ||
		    (changed != NULL && json_object_get(changed, c->id) == NULL))
			continue;
		if (strcmp(c->type, "member") == 0 || strcmp(c->type, "department") == 0) {
			value_ids(v, &ids);
		}
		if (strcmp(c->type, "member") == 0)
			rc = id_accounts_are_members(f->id, a->workspace_id, ids.v, ids.n, err);
		for (size_t d = 0; rc == 0 && c->type[0] == 'd' && d < ids.n; d++) {
			struct storage_value p = storage_int(ids.v[d]);
			struct storage_rows rows;
			rc = storage_query(f->id->store, a->db,
					   "SELECT 1 FROM department WHERE id = ?", &p, 1, &rows,
					   err);
			if (rc == 0 && rows.n_rows == 0)
				rc = cr_err_set(err, CR_EINVAL, "there is no department %lld",
						(long long)ids.v[d]);
			storage_rows_close(&rows);
		}
		free(ids.v);
		if (strcmp(c->type, "attachment") == 0 || strcmp(c->type, "image") == 0) {
			const json_t *ms =
			    json_object_get(json_object_get(c->field, "options"), "max_size");
			int64_t max_size =
			    json_is_integer(ms) ? json_integer_value(ms) : 50LL << 20;
			json_array_foreach(v, k, e)
			{
				int64_t size = 0;
				const char *sha = json_string_value(json_object_get(e, "sha256"));
				if (f->file_size == NULL)
					rc = cr_err_set(err, CR_EUNAVAIL,
							"files cannot be stored on this node");
				else
					rc = f->file_size(f->file_arg, a->workspace_id, sha, &size,
							  err);
				if (rc == CR_ENOTFOUND)
					rc = cr_err_set(
					    err, CR_EINVAL, "the file '%s' was not uploaded",
					    json_string_value(json_object_get(e, "name")));
				if (rc < 0)
					break;
				if (size > max_size) {
					rc = cr_err_set(
					    err, CR_EINVAL,
					    "the file '%s' is larger than %lld bytes",
					    json_string_value(json_object_get(e, "name")),
					    (long long)max_size);
					break;
				}
				json_object_set_new(e, "size", json_integer(size));
			}
		}
		if (rc == CR_EINVAL)
			(void)cr_err_wrap(err, "'%s'", c->label);
	}
	return rc;
}

/* Visible fields keep their values; hidden by show_when, they are
 * emptied. Then required visible fields must have one. */
static int visibility(const struct fm_form *form, json_t *values, json_t *changes_or_null,
		      struct cr_err *err)
{
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *sw = json_object_get(c->field, "show_when");
		if (sw != NULL && !json_is_null(sw) && !fm_show_when(form->fields, sw, values)) {
			if (!json_is_null(json_object_get(values, c->id)) &&
			    changes_or_null != NULL)
				json_object_set_new(changes_or_null, c->id, json_null());
			json_object_set_new(values, c->id, json_null());
			continue;
		}
		if (strcmp(c->type, "serial") != 0 &&
		    json_is_true(json_object_get(c->field, "required")) &&
		    json_is_null(json_object_get(values, c->id)))
			return cr_err_set(err, CR_EINVAL, "'%s' is required", c->label);
	}
	return 0;
}

static int unknown_keys(const struct fm_form *form, const json_t *given, struct cr_err *err)
{
	const char *key;
	const json_t *v;

	if (given != NULL && !json_is_object(given))
		return cr_err_set(err, CR_EINVAL, "'values' must be an object of field id: value");
	json_object_foreach((json_t *)given, key, v)
	{
		const struct fm_col *c = fm_form_col(form, key);
		if (c == NULL)
			return cr_err_set(err, CR_EINVAL, "this form has no field '%s'", key);
		if (strcmp(c->type, "serial") == 0 && !json_is_null(v))
			return cr_err_set(err, CR_EINVAL, "'%s' is numbered by Creek", c->label);
	}
	return 0;
}

int fm_values_new(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		  const json_t *given, json_t **out, struct cr_err *err)
{
	json_t *values;
	int rc = unknown_keys(form, given, err);

	if (rc < 0)
		return rc;
	values = json_object();
	for (size_t i = 0; rc == 0 && i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *dflt = json_object_get(c->field, "default");
		const json_t *v = json_object_get(given, c->id);
		json_t *norm = NULL;
		if (json_is_true(json_object_get(c->field, "readonly")) && v != NULL &&
		    !json_equal(v, dflt != NULL ? dflt : json_null()) && !fm_value_empty(v))
			rc = cr_err_set(err, CR_EINVAL, "'%s' is read-only", c->label);
		if (v == NULL || json_is_true(json_object_get(c->field, "readonly")))
			v = dflt;
		if (rc == 0)
			rc = value_norm(c->field, v, &norm, err);
		if (rc == 0)
			json_object_set_new(values, c->id, norm);
	}
	if (rc == 0)
		rc = visibility(form, values, NULL, err);
	if (rc == 0)
		rc = store_checks(f, a, form, values, NULL, err);
	if (rc < 0) {
		json_decref(values);
		return rc;
	}
	*out = values;
	return 0;
}

/* ---- rows and records ---- */

void fm_ids_add(struct fm_ids *ids, int64_t id)
{
	if (id <= 0)
		return;
	for (size_t i = 0; i < ids->n; i++)
		if (ids->v[i] == id)
			return;
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 16;
		int64_t *v = realloc(ids->v, cap * sizeof(*v));
		if (v == NULL)
			return;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
}

static void person_add(json_t *rec, const char *key, int64_t id)
{
	json_object_set_new(rec, key,
			    id > 0 ? json_pack("{s:I}", "id", (json_int_t)id) : json_null());
}

json_t *fm_row_record(const struct fm_form *form, const struct storage_rows *rows, size_t r)
{
	json_t *values = json_object(), *removed = json_object();
	json_t *rec;

	for (size_t i = 0; i < form->n_cols; i++) {
		const struct fm_col *c = &form->cols[i];
		json_t *v = fm_col_json(c, storage_rows_at(rows, r, FM_N_SYSTEM + (unsigned)i));
		if (i < form->n_live)
			json_object_set_new(values, c->id, v);
		else if (!json_is_null(v))
			json_object_set_new(removed, c->id, v);
		else
			json_decref(v);
	}
	rec = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "id",
			(json_int_t)storage_rows_int(rows, r, 0, 0), "version",
			(json_int_t)storage_rows_int(rows, r, 1, 0), "values", values,
			"removed_values", removed, "created_at",
			id_time_json(storage_rows_int(rows, r, 3, 0)), "updated_at",
			id_time_json(storage_rows_int(rows, r, 5, 0)), "deleted_at",
			id_time_json(storage_rows_int(rows, r, 6, 0)));
	person_add(rec, "created_by", storage_rows_int(rows, r, 2, 0));
	person_add(rec, "updated_by", storage_rows_int(rows, r, 4, 0));
	return rec;
}

void fm_record_ids(const struct fm_form *form, const json_t *record, struct fm_ids *members,
		   struct fm_ids *depts)
{
	const json_t *values = json_object_get(record, "values");

	fm_ids_add(members, json_integer_value(
				json_object_get(json_object_get(record, "created_by"), "id")));
	fm_ids_add(members, json_integer_value(
				json_object_get(json_object_get(record, "updated_by"), "id")));
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *v = json_object_get(values, c->id);
		struct fm_ids *ids;
		if (strcmp(c->type, "member") == 0)
			ids = members;
		else if (strcmp(c->type, "department") == 0)
			ids = depts;
		else
			continue;
		value_ids(v, ids);
	}
}

static int names_of(const struct forms *f, const char *db, const char *table, const int64_t *ids,
		    size_t n, json_t *out, struct cr_err *err)
{
	for (size_t i = 0; i < n; i += 200) {
		struct storage_value p[200];
		struct storage_rows rows;
		struct cr_buf sql;
		size_t m = n - i < 200 ? n - i : 200;
		int rc;
		cr_buf_init(&sql, 4096);
		(void)cr_buf_printf(&sql, "SELECT id, name FROM %s WHERE id IN (?", table);
		p[0] = storage_int(ids[i]);
		for (size_t k = 1; k < m; k++) {
			(void)cr_buf_printf(&sql, ", ?");
			p[k] = storage_int(ids[i + k]);
		}
		(void)cr_buf_printf(&sql, ")");
		rc = storage_query(f->id->store, db, sql.data, p, (unsigned)m, &rows, err);
		for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
			char key[24];
			(void)snprintf(key, sizeof(key), "%lld",
				       (long long)storage_rows_int(&rows, r, 0, 0));
			json_object_set_new(out, key, json_string(storage_rows_text(&rows, r, 1)));
		}
		storage_rows_close(&rows);
		cr_buf_close(&sql);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int fm_refs(const struct forms *f, const struct id_actor *a, const int64_t *members,
	    size_t n_members, const int64_t *depts, size_t n_depts, json_t **out,
	    struct cr_err *err)
{
	json_t *m = json_object(), *d = json_object();
	int rc = names_of(f, STORAGE_DB_SYSTEM, "account", members, n_members, m, err);

	if (rc == 0)
		rc = names_of(f, a->db, "department", depts, n_depts, d, err);
	if (rc < 0) {
		json_decref(m);
		json_decref(d);
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "members", m, "departments", d);
	return 0;
}

static void person_name(json_t *rec, const char *key, const json_t *members)
{
	json_t *p = json_object_get(rec, key);
	char id[24];

	if (!json_is_object(p))
		return;
	(void)snprintf(id, sizeof(id), "%lld",
		       (long long)json_integer_value(json_object_get(p, "id")));
	json_object_set(p, "name",
			json_object_get(members, id) != NULL ? json_object_get(members, id)
							     : json_null());
}

int fm_records_refs(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		    const json_t *records, json_t *out, struct cr_err *err)
{
	struct fm_ids members = { 0 }, depts = { 0 };
	json_t *refs = NULL;
	size_t i;
	const json_t *rec;
	int rc;

	json_array_foreach(records, i, rec)
	{
		fm_record_ids(form, rec, &members, &depts);
	}
	rc = fm_refs(f, a, members.v, members.n, depts.v, depts.n, &refs, err);
	if (rc == 0) {
		json_array_foreach(records, i, rec)
		{
			person_name((json_t *)rec, "created_by", json_object_get(refs, "members"));
			person_name((json_t *)rec, "updated_by", json_object_get(refs, "members"));
		}
		json_object_set_new(out, "refs", refs);
	}
	free(members.v);
	free(depts.v);
	return rc;
}

/* SELECT of every column for one record. */
static void select_sql(const struct fm_form *form, struct cr_buf *sql, const char *where)
{
	(void)cr_buf_printf(sql, "SELECT " FM_SYSTEM_COLS);
	for (size_t i = 0; i < form->n_cols; i++)
		(void)cr_buf_printf(sql, ", c%d", form->cols[i].col);
	(void)cr_buf_printf(sql, " FROM %s WHERE %s", form->table, where);
}

/* Read record rec (NULL *out and CR_ENOTFOUND if absent or not the
 * actor's to read). With tx, inside that transaction. */
static int record_read(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		       const struct fm_rights *rights, struct storage_tx *tx, int64_t rec,
		       json_t **out, struct cr_err *err)
{
	struct storage_value p = storage_int(rec);
	struct storage_rows rows;
	struct cr_buf sql;
	int rc;

	*out = NULL;
	if (form->version == 0)
		return cr_err_set(err, CR_ENOTFOUND, "no record %lld in this app", (long long)rec);
	cr_buf_init(&sql, 65536);
	select_sql(form, &sql, "id = ?");
	rc = tx != NULL ? storage_tx_query(tx, sql.data, &p, 1, &rows, err)
			: storage_query(f->id->store, a->db, sql.data, &p, 1, &rows, err);
	cr_buf_close(&sql);
	if (rc == 0 && rows.n_rows == 1) {
		bool mine = storage_rows_int(&rows, 0, 2, 0) == a->account.id;
		bool deleted = storage_rows_int(&rows, 0, 6, 0) > 0;
		if (rights->all_data || (mine && !deleted))
			*out = fm_row_record(form, &rows, 0);
	}
	storage_rows_close(&rows);
	if (rc == 0 && *out == NULL)
		rc = cr_err_set(err, CR_ENOTFOUND, "no record %lld in this app", (long long)rec);
	return rc;
}

/* ---- the transaction's parts ---- */

static int form_unchanged(struct storage_tx *tx, const struct fm_form *form, struct cr_err *err)
{
	struct storage_value p = storage_int(form->app);
	struct storage_rows rows;
	int rc =
	    storage_tx_query(tx, "SELECT form_version FROM app WHERE id = ? AND deleted_us IS NULL",
			     &p, 1, &rows, err);

	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no app %lld in this workspace",
				(long long)form->app);
	if (rc == 0 && storage_rows_int(&rows, 0, 0, 0) != form->version)
		rc = cr_err_set(err, CR_ECONFLICT,
				"the form was changed while this record was written: reload it");
	storage_rows_close(&rows);
	return rc;
}

static struct fm_date local_date(const struct forms *f, int64_t now_us)
{
	time_t t = (time_t)(now_us / 1000000 + f->tz_offset_s);
	struct tm tm;
	struct fm_date d;

	(void)gmtime_r(&t, &tm);
	d.year = tm.tm_year + 1900;
	d.month = tm.tm_mon + 1;
	d.day = tm.tm_mday;
	return d;
}

/* The values as serial parts show them: choices by label, numbers in
 * their shortest exact form. */
static json_t *serial_values(const struct fm_form *form, const json_t *values)
{
	json_t *out = json_object();

	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *v = json_object_get(values, c->id);
		if (v == NULL || json_is_null(v))
			continue;
		if (json_is_number(v)) {
			char buf[40];
			(void)snprintf(buf, sizeof(buf), "%.15g", json_number_value(v));
			json_object_set_new(out, c->id, json_string(buf));
		} else if (strcmp(c->type, "radio") == 0 || strcmp(c->type, "select") == 0) {
			json_object_set_new(out, c->id, json_string(fm_choice_label(c->field, v)));
		} else {
			json_object_set(out, c->id, (json_t *)v);
		}
	}
	return out;
}

static int serials_take(struct storage_tx *tx, const struct forms *f, const struct fm_form *form,
			json_t *values, int64_t now_us, struct cr_err *err)
{
	struct fm_date d = local_date(f, now_us);
	json_t *shown = NULL;

	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *options = json_object_get(c->field, "options");
		char period[FM_SERIAL_PERIOD_MAX + 1], text[FM_SERIAL_MAX + 1];
		struct storage_value p[3];
		struct storage_rows rows;
		int rc;
		if (strcmp(c->type, "serial") != 0)
			continue;
		fm_serial_period(options, d, period);
		p[0] = storage_int(form->app);
		p[1] = storage_text(c->id);
		p[2] = storage_text(period);
		rc =
		    storage_tx_exec(tx,
				    "INSERT INTO serial_counter (app_id, field_id, period, value) "
				    "VALUES (?, ?, ?, 1) ON CONFLICT (app_id, field_id, period) DO "
				    "UPDATE SET value = value + 1",
				    p, 3, NULL, err);
		if (rc == 0)
			rc = storage_tx_query(
			    tx,
			    "SELECT value FROM serial_counter WHERE app_id = ? AND "
			    "field_id = ? AND period = ?",
			    p, 3, &rows, err);
		if (rc == 0 && shown == NULL)
			shown = serial_values(form, values);
		if (rc == 0)
			rc = fm_serial_format(options, shown, storage_rows_int(&rows, 0, 0, 1), d,
					      text, sizeof(text), err);
		storage_rows_close(&rows);
		if (rc < 0) {
			json_decref(shown);
			return rc;
		}
		json_object_set_new(values, c->id, json_string(text));
	}
	json_decref(shown);
	return 0;
}

static int uniques_check(struct storage_tx *tx, const struct fm_form *form, const json_t *values,
			 const json_t *changed, int64_t self, struct cr_err *err)
{
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *v = json_object_get(values, c->id);
		struct storage_value p[2];
		struct storage_rows rows;
		char sql[160], *hold = NULL;
		int rc;
		if (!json_is_true(json_object_get(c->field, "unique")) || json_is_null(v) ||
		    v == NULL || (changed != NULL && json_object_get(changed, c->id) == NULL))
			continue;
		(void)snprintf(sql, sizeof(sql),
			       "SELECT id FROM %s WHERE c%d = ? AND id <> ? AND deleted_us IS NULL "
			       "LIMIT 1",
			       form->table, c->col);
		p[0] = fm_col_param(c, v, &hold);
		p[1] = storage_int(self);
		rc = storage_tx_query(tx, sql, p, 2, &rows, err);
		if (rc == 0 && rows.n_rows > 0)
			rc = cr_err_set(err, CR_ECONFLICT,
					"'%s' must be unique: record %lld already has this value",
					c->label, (long long)storage_rows_int(&rows, 0, 0, 0));
		storage_rows_close(&rows);
		free(hold);
		if (rc < 0)
			return rc;
	}
	return 0;
}

const char *fm_choice_label(const json_t *field, const json_t *id)
{
	size_t i;
	const json_t *c;

	json_array_foreach(json_object_get(json_object_get(field, "options"), "choices"), i, c)
	{
		if (json_equal(json_object_get(c, "id"), id))
			return json_string_value(json_object_get(c, "label"));
	}
	return json_string_value(id);
}

/* The text full-text search looks at: text fields, serials, choice
 * labels, addresses. */
static void search_text(const struct fm_form *form, const json_t *values, struct cr_buf *out)
{
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *v = json_object_get(values, c->id);
		size_t k;
		const json_t *e;
		if (v == NULL || json_is_null(v) || strcmp(c->type, "signature") == 0)
			continue;
		if (strcmp(c->type, "radio") == 0 || strcmp(c->type, "select") == 0) {
			const char *l = fm_choice_label(c->field, v);
			if (l != NULL)
				(void)cr_buf_printf(out, "%s\n", l);
		} else if (strcmp(c->type, "checkbox") == 0) {
			json_array_foreach(v, k, e)
			{
				const char *l = fm_choice_label(c->field, e);
				if (l != NULL)
					(void)cr_buf_printf(out, "%s\n", l);
			}
		} else if (strcmp(c->type, "address") == 0) {
			json_array_foreach(json_object_get(v, "region"), k, e)(void)
			    cr_buf_printf(out, "%s ", json_string_value(e));
			(void)cr_buf_printf(out, "%s\n",
					    json_string_value(json_object_get(v, "detail")));
		} else if (c->kind == FM_KIND_TEXT && json_is_string(v)) {
			(void)cr_buf_printf(out, "%s\n", json_string_value(v));
		}
	}
	if (out->data == NULL)
		(void)cr_buf_append(out, "", 1);
}

static int search_put(struct storage_tx *tx, const struct fm_form *form, int64_t id,
		      const json_t *values, bool replace, struct cr_err *err)
{
	struct cr_buf text;
	struct storage_value p[2];
	char sql[160];
	int rc = 0;

	cr_buf_init(&text, (size_t)16 << 20);
	search_text(form, values, &text);
	p[0] = storage_int(id);
	p[1] = storage_textn(text.data != NULL ? text.data : "",
			     text.data != NULL ? strlen(text.data) : 0);
	if (replace) {
		(void)snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE rowid = ?", form->fts);
		rc = storage_tx_exec(tx, sql, p, 1, NULL, err);
	}
	(void)snprintf(sql, sizeof(sql), "INSERT INTO %s (rowid, body) VALUES (?, ?)", form->fts);
	if (rc == 0)
		rc = storage_tx_exec(tx, sql, p, 2, NULL, err);
	cr_buf_close(&text);
	return rc;
}

/* History and outbox rows of one change. changes: [{field, label, old, new}]. */
static int log_change(struct storage_tx *tx, const struct fm_form *form, int64_t rec,
		      int64_t version, const char *action, const struct id_actor *a,
		      json_t *changes, int64_t now_us, struct cr_err *err)
{
	char *text = json_dumps(changes, JSON_COMPACT);
	char topic[32];
	json_t *event;
	char *body;
	struct storage_value p[7];
	int rc;

	if (text == NULL)
		return cr_err_set(err, CR_EINTERNAL, "out of memory");
	p[0] = storage_int(form->app);
	p[1] = storage_int(rec);
	p[2] = storage_int(version);
	p[3] = storage_text(action);
	p[4] = storage_int(a->account.id);
	p[5] = storage_int(now_us);
	p[6] = storage_text(text);
	rc = storage_tx_exec(
	    tx,
	    "INSERT INTO record_history (app_id, record_id, version, action, actor, "
	    "at_us, changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    p, 7, NULL, err);
	(void)snprintf(topic, sizeof(topic), "record.%s",
		       strcmp(action, "create") == 0   ? "created"
		       : strcmp(action, "import") == 0 ? "created"
		       : strcmp(action, "update") == 0 ? "updated"
		       : strcmp(action, "delete") == 0 ? "deleted"
						       : "restored");
	event = json_pack("{s:s, s:I, s:I, s:I, s:s, s:o}", "workspace", a->workspace_id, "app",
			  (json_int_t)form->app, "record", (json_int_t)rec, "version",
			  (json_int_t)version, "action", action, "changes",
			  version > 1 ? json_incref(changes) : json_array());
	body = json_dumps(event, JSON_COMPACT);
	json_decref(event);
	p[0] = storage_int(now_us);
	p[1] = storage_text(topic);
	p[2] = storage_int(form->app);
	p[3] = storage_int(rec);
	p[4] = storage_int(a->account.id);
	p[5] = storage_text(body);
	if (rc == 0)
		rc = body == NULL
			 ? cr_err_set(err, CR_EINTERNAL, "out of memory")
			 : storage_tx_exec(tx,
					   "INSERT INTO outbox (at_us, topic, app_id, "
					   "record_id, actor, body) VALUES (?, ?, ?, ?, ?, ?)",
					   p, 6, NULL, err);
	free(body);
	free(text);
	return rc;
}

static json_t *change(const struct fm_col *c, const json_t *old, const json_t *new)
{
	/* no label: history is read with the form's labels (removed fields'
	 * too), which keeps each entry small */
	return json_pack("{s:s, s:O, s:O}", "field", c->id, "old", old != NULL ? old : json_null(),
			 "new", new != NULL ? new : json_null());
}

int fm_tx_record_insert(struct storage_tx *tx, const struct forms *f, const struct id_actor *a,
			const struct fm_form *form, struct fm_new_record *r, int64_t now_us,
			struct cr_err *err)
{
	struct storage_value p[FM_FIELDS_MAX + 8];
	char *hold[FM_FIELDS_MAX + 1] = { 0 };
	struct storage_result res = { 0 };
	struct cr_buf sql;
	json_t *changes;
	unsigned n = 0;
	int rc = serials_take(tx, f, form, r->values, now_us, err);

	if (rc == 0)
		rc = uniques_check(tx, form, r->values, NULL, 0, err);
	if (rc < 0)
		return rc;
	cr_buf_init(&sql, 65536);
	(void)cr_buf_printf(&sql,
			    "INSERT INTO %s (version, created_by, created_us, updated_by, "
			    "updated_us",
			    form->table);
	for (size_t i = 0; i < form->n_live; i++)
		(void)cr_buf_printf(&sql, ", c%d", form->cols[i].col);
	(void)cr_buf_printf(&sql, ") VALUES (1, ?, ?, ?, ?");
	p[n++] = storage_int(a->account.id);
	p[n++] = storage_int(now_us);
	p[n++] = storage_int(a->account.id);
	p[n++] = storage_int(now_us);
	changes = json_array();
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *v = json_object_get(r->values, c->id);
		(void)cr_buf_printf(&sql, ", ?");
		p[n++] = fm_col_param(c, v, &hold[i]);
		if (v != NULL && !json_is_null(v))
			json_array_append_new(changes, change(c, NULL, v));
	}
	(void)cr_buf_printf(&sql, ")");
	rc = storage_tx_exec(tx, sql.data, p, n, &res, err);
	r->id = rc == 0 ? (int64_t)res.last_insert_id : 0;
	if (rc == 0)
		rc = search_put(tx, form, r->id, r->values, false, err);
	if (rc == 0)
		rc = log_change(tx, form, r->id, 1, r->action, a, changes, now_us, err);
	json_decref(changes);
	for (size_t i = 0; i < form->n_live; i++)
		free(hold[i]);
	cr_buf_close(&sql);
	return rc;
}

/* ---- create ---- */

struct create_job {
	const struct forms *f;
	const struct id_actor *a;
	const struct fm_form *form;
	struct fm_new_record *records;
	json_t **originals; /* values before serials, to re-run */
	size_t n;
	int64_t now_us;
	size_t failed; /* out: which record failed */
	int64_t *ids;  /* out: the new ids, also kept as the write's answer */
};

static int create_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct create_job *j = arg;
	int rc = form_unchanged(tx, j->form, err);

	for (size_t i = 0; rc == 0 && i < j->n; i++) {
		/* a re-run starts from the checked values again */
		json_decref(j->records[i].values);
		j->records[i].values = json_deep_copy(j->originals[i]);
		rc = fm_tx_record_insert(tx, j->f, j->a, j->form, &j->records[i], j->now_us, err);
		if (rc < 0)
			j->failed = i;
		j->ids[i] = j->records[i].id;
	}
	return rc < 0 ? rc : storage_tx_answer_ids(tx, j->ids, j->n, err);
}

int fm_records_insert(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		      json_t *const *values, size_t n, const char *action, const char *request_id,
		      int64_t now_us, int64_t *ids, size_t *failed, struct cr_err *err)
{
	struct create_job j = { 0 };
	int rc;

	j.records = calloc(n, sizeof(*j.records));
	if (j.records == NULL)
		return cr_err_set(err, CR_EINTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		j.records[i].action = action;
	j.f = f;
	j.a = a;
	j.form = form;
	j.originals = (json_t **)values;
	j.n = n;
	j.now_us = now_us;
	j.ids = ids;
	/* ids come from the write's answer: on a replay, the first run's */
	rc = storage_write_ids(f->id->store, a->db, request_id, create_job, &j, ids, n, err);
	*failed = j.failed;
	for (size_t i = 0; i < n; i++) {
		if (rc < 0)
			ids[i] = 0;
		json_decref(j.records[i].values);
	}
	free(j.records);
	return rc;
}

static int records_read_back(const struct forms *f, const struct id_actor *a,
			     const struct fm_form *form, const struct fm_rights *rights,
			     const int64_t *ids, size_t n, json_t **out, struct cr_err *err)
{
	json_t *list = json_array(), *wrap = json_object();
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *rec = NULL;
		rc = record_read(f, a, form, rights, NULL, ids[i], &rec, err);
		if (rc == 0)
			json_array_append_new(list, rec);
	}
	if (rc == 0)
		rc = fm_records_refs(f, a, form, list, wrap, err);
	if (rc == 0) {
		json_object_set_new(wrap, "records", list);
		*out = wrap;
		return 0;
	}
	json_decref(list);
	json_decref(wrap);
	return rc;
}

static int create_many(const struct forms *f, const struct id_actor *a, int64_t app,
		       const json_t *list, const char *request_id, int64_t now_us, json_t **out,
		       bool one, struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	size_t n = json_array_size(list), failed = 0;
	json_t **values = NULL;
	int64_t *ids = NULL;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	if (form.version == 0)
		rc = cr_err_set(err, CR_EINVAL, "this app's form has no fields yet");
	if (rc == 0 && (n == 0 || n > FM_BATCH_MAX))
		rc =
		    cr_err_set(err, CR_EINVAL, "'records' must list 1 to %d records", FM_BATCH_MAX);
	if (rc == 0) {
		values = calloc(n, sizeof(*values));
		ids = calloc(n, sizeof(*ids));
		if (values == NULL || ids == NULL)
			rc = cr_err_set(err, CR_EINTERNAL, "out of memory");
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const json_t *item = json_array_get(list, i);
		static const char *const keys[] = { "values", NULL };
		rc = id_body_keys(item, keys, err);
		if (rc == 0)
			rc = fm_values_new(f, a, &form, json_object_get(item, "values"), &values[i],
					   err);
		if (rc < 0 && !one)
			(void)cr_err_wrap(err, "record %zu", i + 1);
	}
	if (rc == 0) {
		rc = fm_records_insert(f, a, &form, values, n, "create", request_id, now_us, ids,
				       &failed, err);
		if (rc < 0 && !one && rc != CR_EUNAVAIL && rc != CR_EUNKNOWN)
			(void)cr_err_wrap(err, "record %zu", failed + 1);
	}
	if (rc == 0 && one) {
		/* the writer may read back what it wrote as its owner */
		struct fm_rights read = rights;
		read.all_data = true;
		rc = records_read_back(f, a, &form, &read, ids, n, out, err);
		if (rc == 0) {
			json_t *w = *out;
			json_t *rec = json_incref(json_array_get(json_object_get(w, "records"), 0));
			json_object_set(rec, "refs", json_object_get(w, "refs"));
			json_decref(w);
			*out = rec;
		}
	} else if (rc == 0) {
		/* a batch answers with the new ids, in the order given */
		json_t *idl = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(idl, json_integer(ids[i]));
		*out = json_pack("{s:o, s:I}", "ids", idl, "count", (json_int_t)n);
	}
	for (size_t i = 0; values != NULL && i < n; i++)
		json_decref(values[i]);
	free(values);
	free(ids);
	fm_form_free(&form);
	return rc;
}

int fm_record_create(const struct forms *f, const struct id_actor *a, int64_t app,
		     const json_t *body, const char *request_id, int64_t now_us, json_t **out,
		     struct cr_err *err)
{
	json_t *list;
	int rc;

	if (id_body_object(body, err) < 0)
		return CR_EINVAL;
	list = json_pack("[O]", body);
	rc = create_many(f, a, app, list, request_id, now_us, out, true, err);
	json_decref(list);
	return rc;
}

int fm_record_batch(const struct forms *f, const struct id_actor *a, int64_t app,
		    const json_t *body, const char *request_id, int64_t now_us, json_t **out,
		    struct cr_err *err)
{
	static const char *const keys[] = { "records", NULL };
	int rc = id_body_keys(body, keys, err);

	if (rc == 0 && !json_is_array(json_object_get(body, "records")))
		rc = cr_err_set(err, CR_EINVAL, "'records' must be a list of {\"values\"}");
	if (rc == 0)
		rc = create_many(f, a, app, json_object_get(body, "records"), request_id, now_us,
				 out, false, err);
	return rc;
}

/* ---- read ---- */

int fm_record_get(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		  json_t **out, struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	json_t *one = NULL;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	rc = record_read(f, a, &form, &rights, NULL, rec, &one, err);
	if (rc == 0) {
		json_t *list = json_pack("[O]", one);
		rc = fm_records_refs(f, a, &form, list, one, err);
		json_decref(list);
	}
	if (rc == 0)
		*out = one;
	else
		json_decref(one);
	fm_form_free(&form);
	return rc;
}

int fm_record_file(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		   const char *sha256, json_t **out, struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	json_t *one = NULL;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	*out = NULL;
	if (rc < 0)
		return rc;
	rc = record_read(f, a, &form, &rights, NULL, rec, &one, err);
	for (size_t i = 0; rc == 0 && i < form.n_live && *out == NULL; i++) {
		const struct fm_col *c = &form.cols[i];
		size_t k;
		const json_t *e;
		if (strcmp(c->type, "attachment") != 0 && strcmp(c->type, "image") != 0)
			continue;
		json_array_foreach(json_object_get(json_object_get(one, "values"), c->id), k, e)
		{
			const char *sha = json_string_value(json_object_get(e, "sha256"));
			if (*out == NULL && sha != NULL && strcmp(sha, sha256) == 0)
				*out = json_deep_copy(e);
		}
	}
	if (rc == 0 && *out == NULL)
		rc =
		    cr_err_set(err, CR_ENOTFOUND, "record %lld holds no such file", (long long)rec);
	json_decref(one);
	fm_form_free(&form);
	return rc;
}

/* Each change's label: the field's now (a removed field's last one). */
static void labels_fill(const struct fm_form *form, json_t *changes)
{
	size_t i;
	json_t *c;

	json_array_foreach(changes, i, c)
	{
		const char *id = json_string_value(json_object_get(c, "field"));
		for (size_t k = 0; id != NULL && k < form->n_cols; k++)
			if (strcmp(form->cols[k].id, id) == 0)
				json_object_set_new(c, "label", json_string(form->cols[k].label));
	}
}

int fm_record_history(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		      json_t **out, struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	json_t *one = NULL, *entries = NULL, *refs = NULL;
	struct fm_ids members = { 0 }, depts = { 0 };
	struct storage_value p[2] = { storage_int(app), storage_int(rec) };
	struct storage_rows rows;
	size_t i, k;
	json_t *e, *c;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	rc = record_read(f, a, &form, &rights, NULL, rec, &one, err);
	json_decref(one);
	storage_rows_init(&rows);
	if (rc == 0)
		rc = storage_query(f->id->store, a->db,
				   "SELECT version, action, actor, at_us, changes FROM "
				   "record_history WHERE app_id = ? AND record_id = ? ORDER BY id "
				   "DESC LIMIT 1000",
				   p, 2, &rows, err);
	if (rc == 0)
		entries = json_array();
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		const char *ch = storage_rows_text(&rows, r, 4);
		json_t *changes = ch != NULL ? json_loads(ch, 0, NULL) : NULL;
		json_array_append_new(
		    entries, json_pack("{s:I, s:s, s:{s:I}, s:o, s:o}", "version",
				       (json_int_t)storage_rows_int(&rows, r, 0, 0), "action",
				       storage_rows_text(&rows, r, 1), "actor", "id",
				       (json_int_t)storage_rows_int(&rows, r, 2, 0), "at",
				       id_time_json(storage_rows_int(&rows, r, 3, 0)), "changes",
				       changes != NULL ? changes : json_array()));
	}
	/* who acted, and the members and departments in old and new values:
	 * their names in one round */
	json_array_foreach(entries, i, e)
	{
		fm_ids_add(&members,
			   json_integer_value(json_object_get(json_object_get(e, "actor"), "id")));
		labels_fill(&form, json_object_get(e, "changes"));
		json_array_foreach(json_object_get(e, "changes"), k, c)
		{
			const struct fm_col *col =
			    fm_form_col(&form, json_string_value(json_object_get(c, "field")));
			struct fm_ids *ids = col == NULL                            ? NULL
					     : strcmp(col->type, "member") == 0     ? &members
					     : strcmp(col->type, "department") == 0 ? &depts
										    : NULL;
			if (ids != NULL) {
				value_ids(json_object_get(c, "old"), ids);
				value_ids(json_object_get(c, "new"), ids);
			}
		}
	}
	if (rc == 0)
		rc = fm_refs(f, a, members.v, members.n, depts.v, depts.n, &refs, err);
	if (rc == 0) {
		json_array_foreach(entries, i, e)
		{
			person_name(e, "actor", json_object_get(refs, "members"));
		}
		*out = json_pack("{s:O, s:O}", "entries", entries, "refs", refs);
	}
	json_decref(entries);
	json_decref(refs);
	free(members.v);
	free(depts.v);
	storage_rows_close(&rows);
	fm_form_free(&form);
	return rc;
}

/* ---- update, delete, restore ---- */

enum change_op { OP_UPDATE, OP_DELETE, OP_RESTORE };

struct change_job {
	const struct forms *f;
	const struct id_actor *a;
	const struct fm_form *form;
	const struct fm_rights *rights;
	enum change_op op;
	int64_t rec;
	int64_t version; /* the version the changes were checked against */
	json_t *changed; /* field id: new normalized value (update) */
	json_t *merged;  /* all values after the change (update) */
	int64_t now_us;
};

static int change_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct change_job *j = arg;
	const struct fm_form *form = j->form;
	json_t *cur = NULL, *changes = json_array();
	const char *action = j->op == OP_UPDATE   ? "update"
			     : j->op == OP_DELETE ? "delete"
						  : "restore";
	struct storage_value p[FM_FIELDS_MAX + 8];
	char *hold[FM_FIELDS_MAX + 1] = { 0 };
	struct cr_buf sql;
	unsigned n = 0;
	int rc = form_unchanged(tx, form, err);

	cr_buf_init(&sql, 65536);
	if (rc == 0)
		rc = record_read(j->f, j->a, form, j->rights, tx, j->rec, &cur, err);
	if (rc == 0 && json_integer_value(json_object_get(cur, "version")) != j->version)
		rc = cr_err_set(err, CR_ECONFLICT,
				"record %lld was changed by someone else (now version %lld): "
				"reload it",
				(long long)j->rec,
				(long long)json_integer_value(json_object_get(cur, "version")));
	if (rc == 0 && j->op == OP_UPDATE && !json_is_null(json_object_get(cur, "deleted_at")))
		rc = cr_err_set(err, CR_ECONFLICT,
				"record %lld is in the recycle bin: restore it first",
				(long long)j->rec);
	if (rc == 0 && j->op == OP_DELETE && !json_is_null(json_object_get(cur, "deleted_at")))
		rc = cr_err_set(err, CR_ECONFLICT, "record %lld is already in the recycle bin",
				(long long)j->rec);
	if (rc == 0 && j->op == OP_RESTORE && json_is_null(json_object_get(cur, "deleted_at")))
		rc = cr_err_set(err, CR_ECONFLICT, "record %lld is not in the recycle bin",
				(long long)j->rec);
	if (rc == 0 && j->op == OP_UPDATE)
		rc = uniques_check(tx, form, j->merged, j->changed, j->rec, err);
	if (rc == 0 && j->op == OP_RESTORE)
		rc = uniques_check(tx, form, json_object_get(cur, "values"), NULL, j->rec, err);
	(void)cr_buf_printf(&sql,
			    "UPDATE %s SET version = version + 1, updated_by = ?, updated_us = ?",
			    form->table);
	p[n++] = storage_int(j->a->account.id);
	p[n++] = storage_int(j->now_us);
	if (j->op == OP_DELETE) {
		(void)cr_buf_printf(&sql, ", deleted_us = ?, deleted_by = ?");
		p[n++] = storage_int(j->now_us);
		p[n++] = storage_int(j->a->account.id);
	} else if (j->op == OP_RESTORE) {
		(void)cr_buf_printf(&sql, ", deleted_us = NULL, deleted_by = NULL");
	}
	for (size_t i = 0; rc == 0 && j->op == OP_UPDATE && i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *nv = json_object_get(j->changed, c->id);
		const json_t *ov = json_object_get(json_object_get(cur, "values"), c->id);
		if (nv == NULL || json_equal(nv, ov))
			continue;
		(void)cr_buf_printf(&sql, ", c%d = ?", c->col);
		p[n++] = fm_col_param(c, nv, &hold[i]);
		json_array_append_new(changes, change(c, ov, nv));
	}
	(void)cr_buf_printf(&sql, " WHERE id = ?");
	p[n++] = storage_int(j->rec);
	if (rc == 0 && j->op == OP_UPDATE && json_array_size(changes) == 0) {
		/* nothing changed: no new version */
		goto out;
	}
	if (rc == 0)
		rc = storage_tx_exec(tx, sql.data, p, n, NULL, err);
	if (rc == 0 && j->op == OP_UPDATE)
		rc = search_put(tx, form, j->rec, j->merged, true, err);
	if (rc == 0)
		rc = log_change(tx, form, j->rec, j->version + 1, action, j->a, changes, j->now_us,
				err);
out:
	for (size_t i = 0; i < form->n_live; i++)
		free(hold[i]);
	cr_buf_close(&sql);
	json_decref(cur);
	json_decref(changes);
	return rc;
}

/* Check the changed values of body against the record as read (cur). */
static int values_update(const struct forms *f, const struct id_actor *a,
			 const struct fm_form *form, const json_t *given, const json_t *cur,
			 json_t **changed_out, json_t **merged_out, struct cr_err *err)
{
	json_t *merged = json_deep_copy(json_object_get(cur, "values"));
	json_t *changed = json_object();
	const char *key;
	const json_t *v;
	int rc = unknown_keys(form, given, err);

	json_object_foreach((json_t *)given, key, v)
	{
		const struct fm_col *c = fm_form_col(form, key);
		const json_t *old = json_object_get(merged, key);
		json_t *norm = NULL;
		if (rc < 0)
			break;
		rc = value_norm(c->field, v, &norm, err);
		if (rc < 0)
			break;
		if (json_equal(norm, old)) {
			json_decref(norm);
			continue;
		}
		if (json_is_true(json_object_get(c->field, "readonly"))) {
			json_decref(norm);
			rc = cr_err_set(err, CR_EINVAL, "'%s' is read-only", c->label);
			break;
		}
		json_object_set(changed, key, norm);
		json_object_set_new(merged, key, norm);
	}
	if (rc == 0)
		rc = visibility(form, merged, changed, err);
	if (rc == 0)
		rc = store_checks(f, a, form, merged, changed, err);
	if (rc < 0) {
		json_decref(merged);
		json_decref(changed);
		return rc;
	}
	*changed_out = changed;
	*merged_out = merged;
	return 0;
}

static int change_run(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		      enum change_op op, const json_t *body, const char *request_id, int64_t now_us,
		      json_t **out, struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	struct change_job j = { 0 };
	json_t *cur = NULL;
	const json_t *want = op == OP_UPDATE ? json_object_get(body, "version") : NULL;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	if (op == OP_RESTORE && !rights.all_data)
		rc = cr_err_set(err, CR_EDENIED,
				"only those who manage this app's data restore records");
	/* a replay answers as the first run did: the checks below would see
	 * what that run did (its creator no longer finds a deleted record) */
	if (rc == 0)
		rc = storage_request_seen(f->id->store, a->db, request_id, err);
	if (rc == 1) {
		fm_form_free(&form);
		return out != NULL ? fm_record_get(f, a, app, rec, out, err) : 0;
	}
	if (rc == 0 && op == OP_UPDATE) {
		static const char *const keys[] = { "values", "version", NULL };
		rc = id_body_keys(body, keys, err);
		if (rc == 0 && want != NULL &&
		    (!json_is_integer(want) || json_integer_value(want) < 1))
			rc = cr_err_set(err, CR_EINVAL,
					"'version' must be the record version you loaded");
	}
	if (rc == 0)
		rc = record_read(f, a, &form, &rights, NULL, rec, &cur, err);
	if (rc == 0 && op == OP_UPDATE)
		rc = values_update(f, a, &form, json_object_get(body, "values"), cur, &j.changed,
				   &j.merged, err);
	if (rc == 0) {
		j.f = f;
		j.a = a;
		j.form = &form;
		j.rights = &rights;
		j.op = op;
		j.rec = rec;
		/* the version the client loaded, checked in the transaction (a
		 * retry with the same key is answered before it is looked at) */
		j.version = want != NULL ? json_integer_value(want)
					 : json_integer_value(json_object_get(cur, "version"));
		j.now_us = now_us;
		/* a replay (1) answers like the first run: the record as it is */
		rc = storage_write(f->id->store, a->db, request_id, change_job, &j, err);
		rc = rc < 0 ? rc : 0;
	}
	json_decref(cur);
	json_decref(j.changed);
	json_decref(j.merged);
	fm_form_free(&form);
	if (rc == 0 && out != NULL)
		rc = fm_record_get(f, a, app, rec, out, err);
	return rc;
}

int fm_record_update(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		     const json_t *body, const char *request_id, int64_t now_us, json_t **out,
		     struct cr_err *err)
{
	if (id_body_object(body, err) < 0)
		return CR_EINVAL;
	return change_run(f, a, app, rec, OP_UPDATE, body, request_id, now_us, out, err);
}

int fm_record_delete(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		     const char *request_id, int64_t now_us, struct cr_err *err)
{
	return change_run(f, a, app, rec, OP_DELETE, NULL, request_id, now_us, NULL, err);
}

int fm_record_restore(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		      const char *request_id, int64_t now_us, json_t **out, struct cr_err *err)
{
	return change_run(f, a, app, rec, OP_RESTORE, NULL, request_id, now_us, out, err);
}
