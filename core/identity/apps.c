/* core/identity/apps.c: a workspace's apps, as far as permissions need
 * them: a named row that permission groups are scoped to. Forms, records
 * and flows hang off it in later releases. */
#include <stdio.h>
#include <string.h>

#include "identity_int.h"
#include "workspace.h"

static int app_json(const struct identity *id, const struct id_actor *a, int64_t only, json_t **out,
		    struct cr_err *err)
{
	struct storage_value p = storage_int(only);
	struct storage_rows rows;
	json_t *list;
	int rc = storage_query(id->store, a->db,
			       "SELECT id, name, created_us FROM app WHERE ?1 = 0 OR id = ?1 ORDER "
			       "BY name, id",
			       &p, 1, &rows, err);

	if (rc == 0 && only > 0 && rows.n_rows == 0)
		rc =
		    cr_err_set(err, CR_ENOTFOUND, "no app %lld in this workspace", (long long)only);
	if (rc == 0) {
		list = json_array();
		for (size_t r = 0; r < rows.n_rows; r++)
			json_array_append_new(
			    list, json_pack("{s:I, s:s?, s:o}", "id",
					    (json_int_t)storage_rows_int(&rows, r, 0, 0), "name",
					    storage_rows_text(&rows, r, 1), "created_at",
					    id_time_json(storage_rows_int(&rows, r, 2, 0))));
		if (only > 0) {
			*out = json_incref(json_array_get(list, 0));
			json_decref(list);
		} else {
			*out = json_pack("{s:o}", "apps", list);
		}
	}
	storage_rows_close(&rows);
	return rc;
}

int id_apps_list(const struct identity *id, const struct id_actor *actor, json_t **out,
		 struct cr_err *err)
{
	int rc = id_authz_workspace(actor, ID_WS_READ, err);

	return rc < 0 ? rc : app_json(id, actor, 0, out, err);
}

struct app_job {
	int64_t id; /* 0 to create; out */
	const char *name;
	int64_t account_id;
	int64_t now_us;
	bool remove;
};

static int app_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct app_job *j = arg;
	struct storage_value p[4] = { storage_text(j->name), storage_int(j->account_id),
				      storage_int(j->now_us), storage_int(j->id) };
	struct storage_result res = { 0 };
	int rc;

	if (j->remove) {
		rc = storage_tx_exec(tx, "DELETE FROM perm_group_app WHERE app_id = ?", &p[3], 1,
				     NULL, err);
		if (rc == 0)
			rc = storage_tx_exec(tx, "DELETE FROM app WHERE id = ?", &p[3], 1, NULL,
					     err);
		return rc;
	}
	if (j->id > 0)
		return storage_tx_exec(
		    tx, "UPDATE app SET name = ?1 WHERE id = ?4 AND ?2 = ?2 AND ?3 = ?3", p, 4,
		    NULL, err);
	rc = storage_tx_exec(tx, "INSERT INTO app (name, created_by, created_us) VALUES (?, ?, ?)",
			     p, 3, &res, err);
	j->id = rc == 0 ? (int64_t)res.last_insert_id : 0;
	return rc;
}

/* Load facts and check action on app (0 for adding). */
static int allowed(const struct identity *id, const struct id_actor *a, enum id_app_action action,
		   int64_t app, struct cr_err *err)
{
	struct id_facts f;
	int rc = id_facts_load(id, a, &f, err);

	if (rc == 0)
		rc = id_authz_app(a, &f, action, app, err);
	id_facts_free(&f);
	if (rc == 0 && app > 0) {
		json_t *existing = NULL;
		rc = app_json(id, a, app, &existing, err);
		json_decref(existing);
	}
	return rc;
}

int id_app_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		  const char *request_id, int64_t now_us, json_t **out, struct cr_err *err)
{
	struct app_job j = { 0, NULL, actor->account.id, now_us, false };
	int rc = allowed(id, actor, ID_APP_ADD, 0, err);

	if (rc == 0)
		rc = id_body_name(body, "app name", &j.name, err);
	if (rc == 0)
		rc = storage_write(id->store, actor->db, request_id, app_job, &j, err);
	if (rc == 1)
		return cr_err_set(err, CR_ECONFLICT,
				  "this request was applied before (same Idempotency-Key)");
	if (rc == 0)
		rc = app_json(id, actor, j.id, out, err);
	return rc;
}

int id_app_update(const struct identity *id, const struct id_actor *actor, int64_t app_id,
		  const json_t *body, const char *request_id, json_t **out, struct cr_err *err)
{
	struct app_job j = { app_id, NULL, actor->account.id, 0, false };
	int rc = allowed(id, actor, ID_APP_EDIT, app_id, err);

	if (rc == 0)
		rc = id_body_name(body, "app name", &j.name, err);
	if (rc == 0)
		rc = storage_write(id->store, actor->db, request_id, app_job, &j, err);
	if (rc >= 0)
		rc = app_json(id, actor, app_id, out, err);
	return rc < 0 ? rc : 0;
}

int id_app_delete(const struct identity *id, const struct id_actor *actor, int64_t app_id,
		  const char *request_id, struct cr_err *err)
{
	struct app_job j = { app_id, NULL, 0, 0, true };
	int rc = allowed(id, actor, ID_APP_DELETE, app_id, err);

	if (rc == 0)
		rc = storage_write(id->store, actor->db, request_id, app_job, &j, err);
	return rc < 0 ? rc : 0;
}
