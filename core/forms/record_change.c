/* core/forms/record_change.c: updating, deleting (to the recycle bin)
 * and restoring a record, checked against the version its writer read,
 * through the write path (record_tx.c) in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../identity/body.h"
#include "forms_int.h"

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
	int rc = fm_tx_form_unchanged(tx, form, err);

	cr_buf_init(&sql, 65536); /* FM_FIELDS_MAX columns of ", c<n> = ?" */
	if (rc == 0)
		rc = fm_record_read(j->f, j->a, form, j->rights, tx, j->rec, &cur, err);
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
		rc = fm_tx_uniques_check(tx, form, j->merged, j->changed, j->rec, err);
	if (rc == 0 && j->op == OP_RESTORE)
		rc = fm_tx_uniques_check(tx, form, json_object_get(cur, "values"), NULL, j->rec,
					 err);
	FM_SQL_PRINTF(&sql, "UPDATE %s SET version = version + 1, updated_by = ?, updated_us = ?",
		      form->table);
	p[n++] = storage_int(j->a->account.id);
	p[n++] = storage_int(j->now_us);
	if (j->op == OP_DELETE) {
		FM_SQL_PRINTF(&sql, ", deleted_us = ?, deleted_by = ?");
		p[n++] = storage_int(j->now_us);
		p[n++] = storage_int(j->a->account.id);
	} else if (j->op == OP_RESTORE) {
		FM_SQL_PRINTF(&sql, ", deleted_us = NULL, deleted_by = NULL");
	}
	for (size_t i = 0; rc == 0 && j->op == OP_UPDATE && i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *nv = json_object_get(j->changed, c->id);
		const json_t *ov = json_object_get(json_object_get(cur, "values"), c->id);
		if (nv == NULL || json_equal(nv, ov))
			continue;
		FM_SQL_PRINTF(&sql, ", c%d = ?", c->col);
		p[n++] = fm_col_param(c, nv, &hold[i]);
		json_array_append_new(changes, fm_change(c, ov, nv));
	}
	FM_SQL_PRINTF(&sql, " WHERE id = ?");
	p[n++] = storage_int(j->rec);
	if (rc == 0 && j->op == OP_UPDATE && json_array_size(changes) == 0) {
		/* nothing changed: no new version */
		goto out;
	}
	if (rc == 0)
		rc = storage_tx_exec(tx, sql.data, p, n, NULL, err);
	if (rc == 0 && j->op == OP_UPDATE)
		rc = fm_tx_search_put(tx, form, j->rec, j->merged, true, err);
	if (rc == 0)
		rc = fm_tx_history_add(tx, form, j->rec, j->version + 1, action, j->a, changes,
				       j->now_us, err);
out:
	for (size_t i = 0; i < form->n_live; i++)
		free(hold[i]);
	cr_buf_close(&sql);
	json_decref(cur);
	json_decref(changes);
	return rc;
}

/* Check the changed values of body against the record as read (cur),
 * then what the store knows of them. */
static int values_update(const struct forms *f, const struct id_actor *a,
			 const struct fm_form *form, const json_t *given, const json_t *cur,
			 json_t **changed_out, json_t **merged_out, struct cr_err *err)
{
	json_t *changed = NULL, *merged = NULL;
	int rc =
	    fm_values_change(form, given, json_object_get(cur, "values"), &changed, &merged, err);

	if (rc == 0)
		rc = fm_values_store_check(f, a, form, merged, changed,
					   json_object_get(cur, "values"), err);
	if (rc < 0) {
		json_decref(changed);
		json_decref(merged);
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
		rc = fm_record_read(f, a, &form, &rights, NULL, rec, &cur, err);
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
