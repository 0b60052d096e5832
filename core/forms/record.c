/* core/forms/record.c: reading records: a row of the record table as a
 * record, one record as its reader may see it, and a file a record holds.
 * Writes are record_create.c and record_change.c, through record_tx.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "forms_int.h"
#include "model.h"

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

/* SELECT of every column for one record. */
static void select_sql(const struct fm_form *form, struct cr_buf *sql, const char *where)
{
	FM_SQL_PRINTF(sql, "SELECT " FM_SYSTEM_COLS);
	for (size_t i = 0; i < form->n_cols; i++)
		FM_SQL_PRINTF(sql, ", c%d", form->cols[i].col);
	FM_SQL_PRINTF(sql, " FROM %s WHERE %s", form->table, where);
}

int fm_record_read(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		   const struct fm_rights *rights, struct storage_tx *tx, int64_t rec, json_t **out,
		   struct cr_err *err)
{
	struct storage_value p = storage_int(rec);
	struct storage_rows rows;
	struct cr_buf sql;
	int rc;

	*out = NULL;
	if (form->version == 0)
		return cr_err_set(err, CR_ENOTFOUND, "no record %lld in this app", (long long)rec);
	cr_buf_init(&sql, 65536); /* at most 2,000 columns of ", c<n>" */
	select_sql(form, &sql, "id = ?");
	rc = tx != NULL ? storage_tx_query(tx, sql.data, &p, 1, &rows, err)
			: fm_read(f, a, sql.data, &p, 1, &rows, err);
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
	rc = fm_record_read(f, a, &form, &rights, NULL, rec, &one, err);
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
	rc = fm_record_read(f, a, &form, &rights, NULL, rec, &one, err);
	for (size_t i = 0; rc == 0 && i < form.n_live && *out == NULL; i++) {
		const struct fm_col *c = &form.cols[i];
		size_t k;
		const json_t *e;
		if (!c->t->is_file)
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
