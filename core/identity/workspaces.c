/* core/identity/workspaces.c: creating workspaces, their databases, and
 * what the actor may do in one (the facts authz.c decides on). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"
#include "../../lib/text.h"
#include "../../storage/migrate.h"
#include "identity_int.h"
#include "workspace.h"

int id_workspace_id_new(const struct identity *id, char out[ID_WORKSPACE_ID_MAX + 1],
			struct cr_err *err)
{
	uint8_t b[6];

	if (id->crypto->random(b, sizeof(b)) < 0)
		return cr_err_set(err, CR_EINTERNAL, "no random bytes for a workspace id");
	out[0] = 'w';
	cr_hex_encode(b, sizeof(b), out + 1);
	return 0;
}

struct root_job {
	const char *name;
	int64_t creator; /* put in the root department, or 0 */
};

static int root_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct root_job *j = arg;
	struct storage_value p[2] = { storage_int(ID_ROOT_DEPARTMENT), storage_text(j->name) };

	struct storage_value q[2] = { storage_int(ID_ROOT_DEPARTMENT), storage_int(j->creator) };
	int rc =
	    storage_tx_exec(tx,
			    "INSERT OR IGNORE INTO department (id, parent_id, name, created_us) "
			    "VALUES (?, NULL, ?, 0)",
			    p, 2, NULL, err);

	if (rc == 0 && j->creator > 0)
		rc = storage_tx_exec(tx,
				     "INSERT OR IGNORE INTO department_member (department_id, "
				     "account_id) VALUES (?, ?)",
				     q, 2, NULL, err);
	return rc;
}

int id_workspace_db_init(const struct identity *id, const char *workspace_id, const char *name,
			 int64_t creator, struct cr_err *err)
{
	char db[ID_DB_NAME_MAX + 1];
	struct root_job j = { name, creator };
	int rc;

	id_workspace_db(workspace_id, db);
	rc = storage_migrate(id->store, db, id->workspace_schema, err);
	if (rc >= 0 && id->workspace_ready != NULL)
		rc = id->workspace_ready(id->workspace_ready_arg, db, err);
	if (rc < 0)
		return cr_err_wrap(err, "workspace database");
	return storage_write(id->store, db, NULL, root_job, &j, err) < 0 ? CR_EUNAVAIL : 0;
}

int id_workspaces_migrate(const struct identity *id, struct cr_err *err)
{
	struct storage_rows rows;
	int rc = storage_query(id->store, STORAGE_DB_SYSTEM, "SELECT id, name FROM workspace", NULL,
			       0, &rows, err);

	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++)
		rc = id_workspace_db_init(id, storage_rows_text(&rows, r, 0),
					  storage_rows_text(&rows, r, 1), 0, err);
	storage_rows_close(&rows);
	return rc;
}

struct create_job {
	const char *workspace_id;
	const char *name;
	int64_t account_id;
	int64_t now_us;
};

static int create_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct create_job *j = arg;
	struct storage_value p = storage_int(j->account_id);
	struct storage_rows rows;
	int rc = storage_tx_query(tx, "SELECT 1 FROM account WHERE id = ?", &p, 1, &rows, err);
	bool known = rc == 0 && rows.n_rows > 0;

	storage_rows_close(&rows);
	if (rc < 0)
		return rc;
	if (!known)
		return cr_err_set(err, CR_EINVAL, "no account %lld to be the super admin",
				  (long long)j->account_id);
	rc = id_tx_workspace_insert(tx, j->workspace_id, j->name, j->account_id, j->now_us, err);

	if (rc == 0)
		rc = id_tx_member_insert(tx, j->workspace_id, j->account_id, ID_ROLE_SUPER_ADMIN,
					 "", j->now_us, err);
	return rc;
}

int id_workspace_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
			int64_t now_us, json_t **out, struct cr_err *err)
{
	static const char *const keys[] = { "name", "super_admin_id", NULL };
	char ws[ID_WORKSPACE_ID_MAX + 1];
	const char *name = NULL;
	int64_t owner = 0;
	bool has_owner = false;
	int rc;

	if (actor->via_api_key || !actor->account.is_installation_admin)
		return cr_err_set(err, CR_EDENIED,
				  "only the installation's administrator may create workspaces");
	rc = id_body_object(body, err);
	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_string(body, "name", true, &name, err);
	if (rc == 0)
		rc = id_name_check(name, "workspace name", err);
	/* The workspace's super admin: the creator, or an account named. */
	if (rc == 0)
		rc = id_body_id(body, "super_admin_id", &owner, &has_owner, err);
	if (rc < 0)
		return rc;
	if (!has_owner)
		owner = actor->account.id;
	rc = id_workspace_id_new(id, ws, err);
	struct create_job j = { ws, name, owner, now_us };
	if (rc == 0)
		rc = storage_write(id->store, STORAGE_DB_SYSTEM, NULL, create_job, &j, err);
	if (rc == 0)
		rc = id_workspace_db_init(id, ws, name, owner, err);
	if (rc == 0)
		*out = json_pack(
		    "{s:s, s:s, s:s, s:I}", "id", ws, "name", name, "role",
		    id_role_name(owner == actor->account.id ? ID_ROLE_SUPER_ADMIN : ID_ROLE_NONE),
		    "super_admin_id", (json_int_t)owner);
	return rc;
}

int id_workspaces_mine(const struct identity *id, const struct id_actor *actor, json_t **out,
		       struct cr_err *err)
{
	json_t *me = NULL;
	int rc = id_me(id, actor, &me, err);

	if (rc == 0)
		*out = json_pack("{s:O}", "workspaces", json_object_get(me, "workspaces"));
	json_decref(me);
	return rc;
}

/* ---- facts ---- */

int id_rights_version(const struct identity *id, struct id_actor *actor, struct cr_err *err)
{
	struct storage_rows rows;
	int rc = storage_query(id->store, actor->db, "SELECT v FROM rights_version", NULL, 0, &rows,
			       err);

	if (rc == 0 && rows.n_rows != 1)
		rc = cr_err_set(err, CR_EINTERNAL, "the workspace has no rights version");
	if (rc == 0)
		actor->rights_version = storage_rows_int(&rows, 0, 0, 0);
	storage_rows_close(&rows);
	return rc;
}

/* The facts' reads below are kept per node at the actor's rights version
 * (storage_query_kept()): every table they read raises it. */

static int load_depts(const struct identity *id, const struct id_actor *a, struct id_facts *f,
		      struct cr_err *err)
{
	struct storage_rows rows;
	int rc = storage_query_kept(id->store, a->db, a->rights_version,
				    "SELECT id, parent_id FROM department", NULL, 0, &rows, err);

	if (rc == 0) {
		f->dept_id = cr_calloc(rows.n_rows + 1, sizeof(int64_t));
		f->dept_parent = cr_calloc(rows.n_rows + 1, sizeof(int64_t));
	}
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		f->dept_id[r] = storage_rows_int(&rows, r, 0, 0);
		f->dept_parent[r] = storage_rows_int(&rows, r, 1, 0);
		f->n_depts++;
	}
	storage_rows_close(&rows);
	return rc;
}

static int load_duties(const struct identity *id, const struct id_actor *a, struct id_facts *f,
		       struct cr_err *err)
{
	struct storage_value p = storage_int(a->account.id);
	struct storage_rows rows;
	int rc =
	    storage_query_kept(id->store, a->db, a->rights_version,
			       "SELECT department_id FROM department_duty WHERE account_id = ? AND "
			       "duty = 'admin'",
			       &p, 1, &rows, err);

	if (rc == 0)
		f->admin_of = cr_calloc(rows.n_rows + 1, sizeof(int64_t));
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++)
		f->admin_of[f->n_admin_of++] = storage_rows_int(&rows, r, 0, 0);
	storage_rows_close(&rows);
	return rc;
}

static int load_groups(const struct identity *id, const struct id_actor *a, struct id_facts *f,
		       struct cr_err *err)
{
	struct storage_value p = storage_int(a->account.id);
	struct storage_rows rows, apps;
	int rc =
	    storage_query_kept(id->store, a->db, a->rights_version,
			       "SELECT g.id, g.grants, g.all_apps FROM perm_group g JOIN "
			       "perm_group_member m ON m.group_id = g.id WHERE m.account_id = ?",
			       &p, 1, &rows, err);

	storage_rows_init(&apps);
	if (rc == 0 && rows.n_rows > 0)
		rc = storage_query_kept(id->store, a->db, a->rights_version,
					"SELECT a.group_id, a.app_id FROM perm_group_app a JOIN "
					"perm_group_member m ON m.group_id = a.group_id WHERE "
					"m.account_id = ?",
					&p, 1, &apps, err);
	if (rc == 0)
		f->groups = cr_calloc(rows.n_rows + 1, sizeof(*f->groups));
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		struct id_group_grant *g = &f->groups[f->n_groups++];
		int64_t gid = storage_rows_int(&rows, r, 0, 0);
		g->grants = (unsigned)storage_rows_int(&rows, r, 1, 0) & ID_GRANT_ALL;
		g->all_apps = storage_rows_int(&rows, r, 2, 0) != 0;
		f->grants |= g->grants;
		g->apps = cr_calloc(apps.n_rows + 1, sizeof(int64_t));
		for (size_t k = 0; k < apps.n_rows; k++)
			if (storage_rows_int(&apps, k, 0, 0) == gid)
				g->apps[g->n_apps++] = storage_rows_int(&apps, k, 1, 0);
	}
	storage_rows_close(&apps);
	storage_rows_close(&rows);
	return rc;
}

int id_facts_load(const struct identity *id, const struct id_actor *actor, struct id_facts *f,
		  struct cr_err *err)
{
	int rc;

	*f = (struct id_facts){ 0 };
	if (actor->db[0] == '\0')
		return cr_err_set(err, CR_EINTERNAL, "no workspace for this request");
	rc = load_depts(id, actor, f, err);
	if (rc == 0 && !actor->via_api_key)
		rc = load_duties(id, actor, f, err);
	if (rc == 0 && !actor->via_api_key)
		rc = load_groups(id, actor, f, err);
	if (rc < 0)
		id_facts_free(f);
	return rc;
}

/* ---- the workspace and "me" ---- */

static bool may(int rc)
{
	return rc == 0;
}

static json_t *permissions_json(const struct id_actor *a, const struct id_facts *f)
{
	int64_t root = ID_ROOT_DEPARTMENT;
	bool any_admin = f->n_admin_of > 0;
	/* A department admin changes the contacts of its own departments. */
	const int64_t *where = any_admin ? f->admin_of : &root;
	/* One is enough: an admin may change each department it admins. */
	const size_t n_where = 1;

	return json_pack(
	    "{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "manage_workspace",
	    may(id_authz_workspace(a, ID_WS_RENAME, NULL)), "manage_admins",
	    may(id_authz_workspace(a, ID_WS_SET_ROLE, NULL)), "view_contacts",
	    may(id_authz_contacts(a, f, ID_CONTACTS_VIEW, NULL, 0, false, NULL)), "manage_contacts",
	    may(id_authz_contacts(a, f, ID_CONTACTS_CHANGE, where, n_where, false, NULL)),
	    "manage_permission_groups", may(id_authz_workspace(a, ID_WS_MANAGE_GROUPS, NULL)),
	    "manage_api_keys", may(id_authz_workspace(a, ID_WS_MANAGE_KEYS, NULL)), "add_app",
	    may(id_authz_app(a, f, ID_APP_ADD, 0, NULL)), "template_center",
	    (a->role == ID_ROLE_SUPER_ADMIN || a->role == ID_ROLE_SYSTEM_ADMIN ||
	     (f->grants & ID_GRANT_TEMPLATE_CENTER)) != 0);
}

static json_t *apps_json(const struct identity *id, const struct id_actor *a,
			 const struct id_facts *f, struct cr_err *err)
{
	struct storage_rows rows;
	json_t *apps = NULL;

	if (storage_query(id->store, a->db, "SELECT id FROM app WHERE deleted_us IS NULL", NULL, 0,
			  &rows, err) == 0) {
		apps = json_object();
		for (size_t r = 0; r < rows.n_rows; r++) {
			int64_t app = storage_rows_int(&rows, r, 0, 0);
			char key[24];
			(void)snprintf(key, sizeof(key), "%lld", (long long)app);
			json_object_set_new(
			    apps, key,
			    json_pack("{s:b, s:b, s:b}", "edit",
				      may(id_authz_app(a, f, ID_APP_EDIT, app, NULL)), "delete",
				      may(id_authz_app(a, f, ID_APP_DELETE, app, NULL)),
				      "manage_data",
				      may(id_authz_app(a, f, ID_APP_DATA, app, NULL))));
		}
	}
	storage_rows_close(&rows);
	return apps;
}

int id_workspace_get(const struct identity *id, const struct id_actor *actor, json_t **out,
		     struct cr_err *err)
{
	struct storage_value p = storage_text(actor->workspace_id);
	struct storage_rows rows;
	struct id_facts f;
	json_t *apps;
	int rc = id_authz_workspace(actor, ID_WS_READ, err);

	if (rc < 0)
		return rc;
	rc =
	    storage_query(id->store, STORAGE_DB_SYSTEM,
			  "SELECT name, created_us FROM workspace WHERE id = ?", &p, 1, &rows, err);
	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no such workspace");
	if (rc == 0)
		rc = id_facts_load(id, actor, &f, err);
	if (rc != 0) {
		storage_rows_close(&rows);
		return rc;
	}
	apps = apps_json(id, actor, &f, err);
	if (apps == NULL)
		rc = CR_EUNAVAIL;
	else
		*out = json_pack("{s:s, s:s?, s:o, s:{s:I, s:s, s:o, s:o, s:o}}", "id",
				 actor->workspace_id, "name", storage_rows_text(&rows, 0, 0),
				 "created_at", id_time_json(storage_rows_int(&rows, 0, 1, 0)), "me",
				 "account_id", (json_int_t)actor->account.id, "role",
				 id_role_name(actor->role), "admin_department_ids",
				 id_ids_json(f.admin_of, f.n_admin_of), "permissions",
				 permissions_json(actor, &f), "apps", apps);
	id_facts_free(&f);
	storage_rows_close(&rows);
	return rc;
}

int id_workspace_rename(const struct identity *id, const struct id_actor *actor, const json_t *body,
			json_t **out, struct cr_err *err)
{
	const char *name = NULL;
	struct storage_value p[2];
	int rc = id_authz_workspace(actor, ID_WS_RENAME, err);

	if (rc == 0)
		rc = id_body_name(body, "workspace name", &name, err);
	if (rc < 0)
		return rc;
	p[0] = storage_text(name);
	p[1] = storage_text(actor->workspace_id);
	rc = storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
			  "UPDATE workspace SET name = ? WHERE id = ?", p, 2, NULL, err);
	/* The root department is the company: it carries the workspace's name. */
	p[1] = storage_int(ID_ROOT_DEPARTMENT);
	if (rc >= 0)
		rc = storage_exec(id->store, actor->db, NULL,
				  "UPDATE department SET name = ? WHERE id = ?", p, 2, NULL, err);
	if (rc >= 0)
		*out = json_pack("{s:s, s:s, s:s}", "id", actor->workspace_id, "name", name, "role",
				 id_role_name(actor->role));
	return rc < 0 ? rc : 0;
}
