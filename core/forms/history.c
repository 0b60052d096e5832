/* core/forms/history.c: a record's history: the row each write adds
 * (with its outbox event, in the write's transaction) and the entries as
 * the API answers them, with the names of who acted and of the members
 * and departments in old and new values (the registry's history). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forms_int.h"

/* History and outbox rows of one change. changes: [{field, label, old, new}]. */
int fm_tx_history_add(struct storage_tx *tx, const struct fm_form *form, int64_t rec,
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
	rc = fm_record_read(f, a, &form, &rights, NULL, rec, &one, err);
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
			struct fm_ids *ids = col == NULL || col->t->history != FM_HISTORY_NAMED
						 ? NULL
					     : col->t->ref == FM_REF_MEMBER ? &members
									    : &depts;
			if (ids != NULL) {
				fm_value_ids(json_object_get(c, "old"), ids);
				fm_value_ids(json_object_get(c, "new"), ids);
			}
		}
	}
	if (rc == 0)
		rc = fm_refs(f, a, members.v, members.n, depts.v, depts.n, &refs, err);
	if (rc == 0) {
		json_array_foreach(entries, i, e)
		{
			fm_person_name(e, "actor", json_object_get(refs, "members"));
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
