/* core/forms/apps.c: a workspace's apps as the apps page shows them:
 * name, icon and colour, their groups and order, and the apps' recycle
 * bin (see apps.h). The app table is forms': an app's form and records
 * live in its row and beside it, and purge.c empties its bin. Who may is
 * core/identity's (id_authz_app). */
#include "apps.h"

#include <stdio.h>
#include <string.h>

#include "../../lib/text.h"
#include "../identity/body.h"
#include "forms_int.h"

#define GROUPS_MAX 100

/* Element Plus icon names the UI can draw. */
static const char *const ICONS[] = {
	"Document", "Money", "Calendar", "User",      "Box",      "Tickets",   "Van",
	"Shop",     "House", "Flag",     "Briefcase", "Reading",  "Histogram", "Notebook",
	"Coin",     "Goods", "Trophy",   "Stamp",     "Suitcase", "Tools",     NULL,
};

static json_t *app_row_json(const struct storage_rows *rows, size_t r)
{
	int64_t deleted = storage_rows_int(rows, r, 7, 0);
	json_t *o = json_pack("{s:I, s:s?, s:s?, s:s?, s:o, s:I, s:o}", "id",
			      (json_int_t)storage_rows_int(rows, r, 0, 0), "name",
			      storage_rows_text(rows, r, 1), "icon", storage_rows_text(rows, r, 3),
			      "color", storage_rows_text(rows, r, 4), "group_id",
			      storage_rows_int(rows, r, 5, 0) > 0
				  ? json_integer(storage_rows_int(rows, r, 5, 0))
				  : json_null(),
			      "position", (json_int_t)storage_rows_int(rows, r, 6, 0), "created_at",
			      id_time_json(storage_rows_int(rows, r, 2, 0)));

	if (deleted > 0) {
		json_object_set_new(o, "deleted_at", id_time_json(deleted));
		json_object_set_new(o, "deleted_by", json_integer(storage_rows_int(rows, r, 8, 0)));
		json_object_set_new(
		    o, "purge_at",
		    id_time_json(deleted + (int64_t)ID_RECYCLE_DAYS * 86400 * 1000000));
	}
	return o;
}

#define APP_COLS "id, name, created_us, icon, color, group_id, position, deleted_us, deleted_by"

/* One app (live, or in the bin with deleted) as JSON. */
static int app_json(const struct forms *f, const struct id_actor *a, int64_t only, bool deleted,
		    json_t **out, struct cr_err *err)
{
	struct storage_value p = storage_int(only);
	struct storage_rows rows;
	int rc = storage_query(f->id->store, a->db,
			       deleted ? "SELECT " APP_COLS " FROM app WHERE id = ? AND deleted_us "
					 "IS NOT NULL"
				       : "SELECT " APP_COLS " FROM app WHERE id = ? AND deleted_us "
					 "IS NULL",
			       &p, 1, &rows, err);

	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no app %lld %s", (long long)only,
				deleted ? "in the recycle bin" : "in this workspace");
	if (rc == 0)
		*out = app_row_json(&rows, 0);
	storage_rows_close(&rows);
	return rc;
}

static int layout_json(const struct forms *f, const struct id_actor *a, json_t **out,
		       struct cr_err *err)
{
	struct storage_rows rows, groups;
	int rc;

	storage_rows_init(&groups);
	rc = storage_query(f->id->store, a->db,
			   "SELECT " APP_COLS " FROM app WHERE deleted_us IS NULL ORDER BY "
			   "position, name, id",
			   NULL, 0, &rows, err);
	if (rc == 0)
		rc = storage_query(f->id->store, a->db,
				   "SELECT id, name, position FROM app_group ORDER BY position, id",
				   NULL, 0, &groups, err);
	if (rc == 0) {
		json_t *apps = json_array(), *gl = json_array();
		for (size_t r = 0; r < rows.n_rows; r++)
			json_array_append_new(apps, app_row_json(&rows, r));
		for (size_t r = 0; r < groups.n_rows; r++)
			json_array_append_new(
			    gl, json_pack("{s:I, s:s?, s:I}", "id",
					  (json_int_t)storage_rows_int(&groups, r, 0, 0), "name",
					  storage_rows_text(&groups, r, 1), "position",
					  (json_int_t)storage_rows_int(&groups, r, 2, 0)));
		*out = json_pack("{s:o, s:o}", "apps", apps, "groups", gl);
	}
	storage_rows_close(&rows);
	storage_rows_close(&groups);
	return rc;
}

int fm_apps_list(const struct forms *f, const struct id_actor *actor, json_t **out,
		 struct cr_err *err)
{
	int rc = id_authz_workspace(actor, ID_WS_READ, err);

	return rc < 0 ? rc : layout_json(f, actor, out, err);
}

/* ---- one app ---- */

struct app_in {
	const char *name, *icon, *color;
	int64_t group_id; /* 0: none */
	bool has_name, has_icon, has_color, has_group;
};

static bool color_valid(const char *c)
{
	return c != NULL && strlen(c) == 7 && c[0] == '#' &&
	       strspn(c + 1, "0123456789abcdefABCDEF") == 6;
}

static int app_body(const json_t *body, bool create, struct app_in *in, struct cr_err *err)
{
	static const char *const keys[] = { "name", "icon", "color", "group_id", NULL };
	const json_t *group = json_object_get(body, "group_id");
	int rc = id_body_object(body, err);

	memset(in, 0, sizeof(*in));
	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_string(body, "name", create, &in->name, err);
	if (rc == 0 && in->name != NULL)
		rc = id_name_check(in->name, "app name", err);
	if (rc == 0)
		rc = id_body_string(body, "icon", false, &in->icon, err);
	if (rc == 0 && in->icon != NULL) {
		bool known = false;
		for (size_t i = 0; ICONS[i] != NULL; i++)
			known = known || strcmp(ICONS[i], in->icon) == 0;
		if (!known)
			rc = cr_err_set(err, CR_EINVAL, "'%s' is not one of the app icons",
					in->icon);
	}
	if (rc == 0)
		rc = id_body_string(body, "color", false, &in->color, err);
	if (rc == 0 && in->color != NULL && !color_valid(in->color))
		rc = cr_err_set(err, CR_EINVAL, "'color' must be like #2f6fed");
	if (rc == 0 && group != NULL && !json_is_null(group) &&
	    (!json_is_integer(group) || json_integer_value(group) < 1))
		rc = cr_err_set(err, CR_EINVAL, "'group_id' must be a group's id or null");
	in->has_name = in->name != NULL;
	in->has_icon = in->icon != NULL;
	in->has_color = in->color != NULL;
	in->has_group = group != NULL;
	in->group_id = json_is_integer(group) ? json_integer_value(group) : 0;
	if (rc == 0 && !create && !in->has_name && !in->has_icon && !in->has_color &&
	    !in->has_group)
		rc = cr_err_set(err, CR_EINVAL, "nothing to change");
	return rc;
}

enum app_op { APP_CREATE, APP_UPDATE, APP_DELETE, APP_RESTORE };

struct app_job {
	enum app_op op;
	int64_t id; /* 0 to create; out */
	const struct app_in *in;
	int64_t account_id;
	int64_t now_us;
};

static int group_exists(struct storage_tx *tx, int64_t group, struct cr_err *err)
{
	struct storage_value p = storage_int(group);
	struct storage_rows rows;
	int rc;

	if (group == 0)
		return 0;
	rc = storage_tx_query(tx, "SELECT 1 FROM app_group WHERE id = ?", &p, 1, &rows, err);
	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_EINVAL, "there is no app group %lld", (long long)group);
	storage_rows_close(&rows);
	return rc;
}

static int app_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct app_job *j = arg;
	const struct app_in *in = j->in;
	struct storage_value p[7];
	struct storage_result res = { 0 };
	int rc = 0;

	p[0] = storage_int(j->id);
	p[1] = storage_int(j->account_id);
	p[2] = storage_int(j->now_us);
	switch (j->op) {
	case APP_DELETE:
		return storage_tx_exec(
		    tx,
		    "UPDATE app SET deleted_us = ?3, deleted_by = ?2 WHERE id = ?1 "
		    "AND deleted_us IS NULL",
		    p, 3, NULL, err);
	case APP_RESTORE:
		return storage_tx_exec(
		    tx,
		    "UPDATE app SET deleted_us = NULL, deleted_by = NULL, position "
		    "= (SELECT coalesce(max(position), 0) + 1 FROM app) WHERE id = "
		    "?1 AND ?2 = ?2 AND ?3 = ?3",
		    p, 3, NULL, err);
	case APP_UPDATE:
		if (in->has_group)
			rc = group_exists(tx, in->group_id, err);
		p[3] = storage_text(in->name);
		p[4] = storage_text(in->icon);
		p[5] = storage_text(in->color);
		p[6] = in->group_id > 0 ? storage_int(in->group_id) : storage_null();
		if (rc == 0)
			rc = storage_tx_exec(
			    tx,
			    in->has_group
				? "UPDATE app SET name = coalesce(?4, name), icon = coalesce(?5, "
				  "icon), color = coalesce(?6, color), group_id = ?7 WHERE id = ?1 "
				  "AND ?2 = ?2 AND ?3 = ?3"
				: "UPDATE app SET name = coalesce(?4, name), icon = coalesce(?5, "
				  "icon), color = coalesce(?6, color) WHERE id = ?1 AND ?2 = ?2 "
				  "AND "
				  "?3 = ?3 AND ?7 IS ?7",
			    p, 7, NULL, err);
		return rc;
	case APP_CREATE:
		rc = group_exists(tx, in->group_id, err);
		p[0] = storage_text(in->name);
		p[3] = storage_text(in->icon != NULL ? in->icon : "Document");
		p[4] = storage_text(in->color != NULL ? in->color : "#2f6fed");
		p[5] = in->group_id > 0 ? storage_int(in->group_id) : storage_null();
		if (rc == 0)
			rc = storage_tx_exec(
			    tx,
			    "INSERT INTO app (name, created_by, created_us, icon, color, group_id, "
			    "position) VALUES (?, ?, ?, ?, ?, ?, (SELECT coalesce(max(position), "
			    "0) "
			    "+ 1 FROM app))",
			    p, 6, &res, err);
		j->id = rc == 0 ? (int64_t)res.last_insert_id : 0;
		return rc < 0 ? rc : storage_tx_answer_ids(tx, &j->id, 1, err);
	}
	return rc;
}

/* Load facts and check action on app (0 for adding). */
static int allowed(const struct forms *f, const struct id_actor *a, enum id_app_action action,
		   int64_t app, bool in_bin, struct cr_err *err)
{
	struct id_facts facts;
	int rc = id_facts_load(f->id, a, &facts, err);

	if (rc == 0)
		rc = id_authz_app(a, &facts, action, app, err);
	id_facts_free(&facts);
	if (rc == 0 && app > 0) {
		json_t *existing = NULL;
		rc = app_json(f, a, app, in_bin, &existing, err);
		json_decref(existing);
	}
	return rc;
}

static int run(const struct forms *f, const struct id_actor *a, struct app_job *j,
	       const char *request_id, struct cr_err *err)
{
	/* A replay (rc 1) answers like the first run: a create with the id it
	 * made (kept with the request id), the others with the app as it is. */
	int rc =
	    j->op == APP_CREATE
		? storage_write_ids(f->id->store, a->db, request_id, app_job, j, &j->id, 1, err)
		: storage_write(f->id->store, a->db, request_id, app_job, j, err);

	return rc < 0 ? rc : 0;
}

int fm_app_create(const struct forms *f, const struct id_actor *actor, const json_t *body,
		  const char *request_id, int64_t now_us, json_t **out, struct cr_err *err)
{
	struct app_in in;
	struct app_job j = { APP_CREATE, 0, &in, actor->account.id, now_us };
	int rc = allowed(f, actor, ID_APP_ADD, 0, false, err);

	if (rc == 0)
		rc = app_body(body, true, &in, err);
	if (rc == 0)
		rc = run(f, actor, &j, request_id, err);
	if (rc == 0)
		rc = app_json(f, actor, j.id, false, out, err);
	return rc;
}

int fm_app_update(const struct forms *f, const struct id_actor *actor, int64_t app_id,
		  const json_t *body, const char *request_id, json_t **out, struct cr_err *err)
{
	struct app_in in;
	struct app_job j = { APP_UPDATE, app_id, &in, actor->account.id, 0 };
	int rc = allowed(f, actor, ID_APP_EDIT, app_id, false, err);

	if (rc == 0)
		rc = app_body(body, false, &in, err);
	if (rc == 0)
		rc = run(f, actor, &j, request_id, err);
	if (rc == 0)
		rc = app_json(f, actor, app_id, false, out, err);
	return rc;
}

int fm_app_delete(const struct forms *f, const struct id_actor *actor, int64_t app_id,
		  const char *request_id, int64_t now_us, struct cr_err *err)
{
	struct app_job j = { APP_DELETE, app_id, NULL, actor->account.id, now_us };
	/* A replay is done: the checks would find the app gone (404). */
	int rc = storage_request_seen(f->id->store, actor->db, request_id, err);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = allowed(f, actor, ID_APP_DELETE, app_id, false, err);
	return rc < 0 ? rc : run(f, actor, &j, request_id, err);
}

int fm_app_restore(const struct forms *f, const struct id_actor *actor, int64_t app_id,
		   const char *request_id, json_t **out, struct cr_err *err)
{
	struct app_job j = { APP_RESTORE, app_id, NULL, actor->account.id, 0 };
	/* A replay answers the app: the checks would find it out of the bin. */
	int rc = storage_request_seen(f->id->store, actor->db, request_id, err);

	if (rc == 0)
		rc = allowed(f, actor, ID_APP_DELETE, app_id, true, err);
	if (rc == 0)
		rc = run(f, actor, &j, request_id, err);
	if (rc == 1)
		rc = 0;
	if (rc == 0)
		rc = app_json(f, actor, app_id, false, out, err);
	return rc;
}

int fm_app_bin(const struct forms *f, const struct id_actor *actor, json_t **out,
	       struct cr_err *err)
{
	struct id_facts facts;
	struct storage_rows rows;
	int rc = id_facts_load(f->id, actor, &facts, err);

	storage_rows_init(&rows);
	if (rc == 0)
		rc =
		    storage_query(f->id->store, actor->db,
				  "SELECT " APP_COLS " FROM app WHERE deleted_us IS NOT NULL ORDER "
				  "BY deleted_us DESC",
				  NULL, 0, &rows, err);
	if (rc == 0) {
		json_t *list = json_array();
		for (size_t r = 0; r < rows.n_rows; r++)
			if (id_authz_app(actor, &facts, ID_APP_DELETE,
					 storage_rows_int(&rows, r, 0, 0), NULL) == 0)
				json_array_append_new(list, app_row_json(&rows, r));
		*out = json_pack("{s:o, s:i}", "apps", list, "recycle_days", ID_RECYCLE_DAYS);
	}
	storage_rows_close(&rows);
	id_facts_free(&facts);
	return rc;
}

/* ---- the apps page's layout ---- */

struct layout_job {
	json_t *groups; /* [{id?, name, apps: [...]}] checked */
	const json_t *ungrouped;
	int64_t now_us;
};

/* Keep group g of the body (renamed) or make it: *group its id. */
static int save_group(struct storage_tx *tx, const json_t *g, size_t i, int64_t now_us,
		      int64_t *group, struct cr_err *err)
{
	const json_t *gid = json_object_get(g, "id");
	struct storage_value p[4] = { storage_text(json_string_value(json_object_get(g, "name"))),
				      storage_int((int64_t)i + 1), storage_int(now_us),
				      storage_int(json_integer_value(gid)) };
	struct storage_result res = { 0 };
	int rc;

	if (gid == NULL) {
		rc = storage_tx_exec(tx,
				     "INSERT INTO app_group (name, position, created_us) "
				     "VALUES (?, ?, ?)",
				     p, 3, &res, err);
		if (rc == 0)
			*group = (int64_t)res.last_insert_id;
		return rc;
	}
	rc = storage_tx_exec(
	    tx, "UPDATE app_group SET name = ?1, position = ?2 WHERE id = ?4 AND ?3 = ?3", p, 4,
	    &res, err);
	if (rc == 0 && res.rows_affected == 0)
		return cr_err_set(err, CR_EINVAL, "there is no app group %lld",
				  (long long)json_integer_value(gid));
	if (rc == 0)
		*group = json_integer_value(gid);
	return rc;
}

/* Put the apps of list into group (0: no group) from *position on;
 * *placed counts the live apps placed. */
static int place_apps(struct storage_tx *tx, const json_t *list, int64_t group, int64_t *position,
		      size_t *placed, struct cr_err *err)
{
	size_t k;
	const json_t *app;

	json_array_foreach(list, k, app)
	{
		struct storage_value q[3] = { group > 0 ? storage_int(group) : storage_null(),
					      storage_int((*position)++),
					      storage_int(json_integer_value(app)) };
		struct storage_result res = { 0 };
		int rc = storage_tx_exec(tx,
					 "UPDATE app SET group_id = ?, position = ? WHERE id = ? "
					 "AND deleted_us IS NULL",
					 q, 3, &res, err);
		if (rc < 0)
			return rc;
		*placed += (size_t)res.rows_affected;
	}
	return 0;
}

/* Ungroup the apps of groups not in keep, and drop those groups. */
static int drop_other_groups(struct storage_tx *tx, const struct storage_value *keep, size_t n_keep,
			     struct cr_err *err)
{
	char in_list[GROUPS_MAX * 3 + 8] = "0";
	char sql[sizeof(in_list) + 80];
	int rc;

	/* in_list is "0, ?, ?...": placeholders only, no values */
	for (size_t i = 0; i < n_keep; i++)
		cr_format_fixed(in_list + 1 + 3 * i, sizeof(in_list) - 1 - 3 * i, ", ?");
	cr_format_fixed(sql, sizeof(sql),
			"UPDATE app SET group_id = NULL WHERE group_id NOT IN (%s)", in_list);
	rc = storage_tx_exec(tx, sql, keep, (unsigned)n_keep, NULL, err);
	cr_format_fixed(sql, sizeof(sql), "DELETE FROM app_group WHERE id NOT IN (%s)", in_list);
	if (rc == 0)
		rc = storage_tx_exec(tx, sql, keep, (unsigned)n_keep, NULL, err);
	return rc;
}

static int layout_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct layout_job *j = arg;
	struct storage_rows rows;
	struct storage_value keep[GROUPS_MAX + 1];
	size_t i, n_apps = 0, placed = 0, n_keep = 0;
	json_t *g;
	int64_t position = 1;
	int rc = storage_tx_query(tx, "SELECT count(*) FROM app WHERE deleted_us IS NULL", NULL, 0,
				  &rows, err);

	if (rc == 0)
		n_apps = (size_t)storage_rows_int(&rows, 0, 0, 0);
	storage_rows_close(&rows);
	/* groups named in the body are kept (renamed), new ones made, the rest dropped */
	json_array_foreach(j->groups, i, g)
	{
		int64_t group = 0;
		if (rc == 0)
			rc = save_group(tx, g, i, j->now_us, &group, err);
		if (rc < 0)
			break;
		keep[n_keep++] = storage_int(group);
		rc = place_apps(tx, json_object_get(g, "apps"), group, &position, &placed, err);
	}
	if (rc == 0)
		rc = place_apps(tx, j->ungrouped, 0, &position, &placed, err);
	if (rc == 0 && placed != n_apps)
		rc =
		    cr_err_set(err, CR_ECONFLICT,
			       "the layout must place each of the %zu apps exactly once (it placed "
			       "%zu): reload the apps and try again",
			       n_apps, placed);
	if (rc == 0)
		rc = drop_other_groups(tx, keep, n_keep, err);
	return rc;
}

/* An array of distinct app ids; seen collects them across lists. */
static int app_ids_check(const json_t *list, const char *what, json_t *seen, struct cr_err *err)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(list))
		return cr_err_set(err, CR_EINVAL, "%s must be a list of app ids", what);
	json_array_foreach(list, i, v)
	{
		char key[24];
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return cr_err_set(err, CR_EINVAL, "%s must be a list of app ids", what);
		(void)snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(v));
		if (json_object_get(seen, key) != NULL)
			return cr_err_set(err, CR_EINVAL, "app %s is placed twice", key);
		json_object_set_new(seen, key, json_true());
	}
	return 0;
}

int fm_app_layout(const struct forms *f, const struct id_actor *actor, const json_t *body,
		  const char *request_id, int64_t now_us, json_t **out, struct cr_err *err)
{
	static const char *const keys[] = { "groups", "ungrouped", NULL };
	static const char *const gkeys[] = { "id", "name", "apps", NULL };
	struct layout_job j = { NULL, NULL, now_us };
	struct id_facts facts;
	json_t *seen = json_object();
	const json_t *groups = json_object_get(body, "groups");
	size_t i;
	const json_t *g;
	int rc = id_facts_load(f->id, actor, &facts, err);

	/* arranging the page is editing apps: the add-app right or admins */
	if (rc == 0)
		rc = id_authz_app(actor, &facts, ID_APP_ADD, 0, err);
	id_facts_free(&facts);
	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0 && (!json_is_array(groups) || json_array_size(groups) > GROUPS_MAX))
		rc = cr_err_set(err, CR_EINVAL, "'groups' must be a list of at most %d groups",
				GROUPS_MAX);
	json_array_foreach(groups, i, g)
	{
		const char *name = NULL;
		const json_t *gid = json_object_get(g, "id");
		if (rc < 0)
			break;
		rc = id_body_keys(g, gkeys, err);
		if (rc == 0)
			rc = id_body_string(g, "name", true, &name, err);
		if (rc == 0)
			rc = id_name_check(name, "group name", err);
		if (rc == 0 && gid != NULL &&
		    (!json_is_integer(gid) || json_integer_value(gid) < 1))
			rc = cr_err_set(err, CR_EINVAL, "a group's 'id' must be a group id");
		if (rc == 0)
			rc = app_ids_check(json_object_get(g, "apps"), "a group's 'apps'", seen,
					   err);
	}
	j.ungrouped = json_object_get(body, "ungrouped");
	if (rc == 0)
		rc = app_ids_check(j.ungrouped, "'ungrouped'", seen, err);
	json_decref(seen);
	j.groups = (json_t *)groups;
	if (rc == 0)
		rc = storage_write(f->id->store, actor->db, request_id, layout_job, &j, err);
	if (rc >= 0)
		rc = layout_json(f, actor, out, err);
	return rc < 0 ? rc : 0;
}
