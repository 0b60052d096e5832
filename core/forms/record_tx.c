/* core/forms/record_tx.c: the parts of a record write inside its
 * transaction (the write path of forms.h): the form did not change since
 * the values were checked, serial numbers taken, unique fields checked,
 * the row and its search text written. History is history.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/buf.h"
#include "forms_int.h"
#include "serial.h"

int fm_tx_form_unchanged(struct storage_tx *tx, const struct fm_form *form, struct cr_err *err)
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
		} else if (c->t->choices == FM_CHOICES_ONE) {
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
		if (!c->t->is_generated)
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

int fm_tx_uniques_check(struct storage_tx *tx, const struct fm_form *form, const json_t *values,
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
					"'%s' must be unique: this value is already taken",
					c->label);
		storage_rows_close(&rows);
		free(hold);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The text full-text search looks at: what each type's row gives
 * (text fields, serials, choice labels, addresses). */
static void search_text(const struct fm_form *form, const json_t *values, struct cr_buf *out)
{
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *v = json_object_get(values, c->id);
		if (v != NULL && !json_is_null(v) && c->t->search_text != NULL)
			c->t->search_text(c->field, v, out);
	}
	if (out->data == NULL)
		(void)cr_buf_append(out, "", 1);
}

int fm_tx_search_put(struct storage_tx *tx, const struct fm_form *form, int64_t id,
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

json_t *fm_change(const struct fm_col *c, const json_t *old, const json_t *new)
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
		rc = fm_tx_uniques_check(tx, form, r->values, NULL, 0, err);
	if (rc < 0)
		return rc;
	cr_buf_init(&sql, 65536); /* FM_FIELDS_MAX columns of ", c<n>" and ", ?" */
	FM_SQL_PRINTF(&sql,
		      "INSERT INTO %s (version, created_by, created_us, updated_by, "
		      "updated_us",
		      form->table);
	for (size_t i = 0; i < form->n_live; i++)
		FM_SQL_PRINTF(&sql, ", c%d", form->cols[i].col);
	FM_SQL_PRINTF(&sql, ") VALUES (1, ?, ?, ?, ?");
	p[n++] = storage_int(a->account.id);
	p[n++] = storage_int(now_us);
	p[n++] = storage_int(a->account.id);
	p[n++] = storage_int(now_us);
	changes = json_array();
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *v = json_object_get(r->values, c->id);
		FM_SQL_PRINTF(&sql, ", ?");
		p[n++] = fm_col_param(c, v, &hold[i]);
		if (v != NULL && !json_is_null(v))
			json_array_append_new(changes, fm_change(c, NULL, v));
	}
	FM_SQL_PRINTF(&sql, ")");
	rc = storage_tx_exec(tx, sql.data, p, n, &res, err);
	r->id = rc == 0 ? (int64_t)res.last_insert_id : 0;
	if (rc == 0)
		rc = fm_tx_search_put(tx, form, r->id, r->values, false, err);
	if (rc == 0)
		rc = fm_tx_history_add(tx, form, r->id, 1, r->action, a, changes, now_us, err);
	json_decref(changes);
	for (size_t i = 0; i < form->n_live; i++)
		free(hold[i]);
	cr_buf_close(&sql);
	return rc;
}
