/* core/identity/members.c: a workspace's members.
 *
 * Membership (role, status, title) is a row of the system database beside
 * the account; departments and roles are links in the workspace's
 * database. A change that touches both writes the system row first and
 * the links second, each under its own part of the request id, so a
 * retried request completes what the first attempt left half done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"
#include "../../lib/text.h"
#include "identity_int.h"
#include "workspace.h"

struct member_rows {
	struct storage_rows sys;   /* account_id, login, name, title, status, role, joined_us */
	struct storage_rows depts; /* account_id, department_id */
	struct storage_rows roles; /* account_id, role_id */
};

static void member_rows_close(struct member_rows *m)
{
	storage_rows_close(&m->sys);
	storage_rows_close(&m->depts);
	storage_rows_close(&m->roles);
}

/* Members of the actor's workspace (one when account_id > 0). */
static int member_rows_load(const struct identity *id, const struct id_actor *a, int64_t account_id,
			    const char *status, struct member_rows *m, struct cr_err *err)
{
	struct storage_value p[3] = { storage_text(a->workspace_id), storage_int(account_id),
				      storage_text(status != NULL ? status : "all") };
	struct storage_value q = storage_int(account_id);
	int rc;

	storage_rows_init(&m->depts);
	storage_rows_init(&m->roles);
	rc =
	    storage_query(id->store, STORAGE_DB_SYSTEM,
			  "SELECT m.account_id, a.login, a.name, m.title, m.status, m.role, "
			  "m.joined_us FROM workspace_member m JOIN account a ON a.id = "
			  "m.account_id WHERE m.workspace_id = ? AND (?2 = 0 OR m.account_id = ?2) "
			  "AND (?3 = 'all' OR m.status = ?3) ORDER BY a.name, a.id",
			  p, 3, &m->sys, err);
	if (rc == 0)
		rc = storage_query(id->store, a->db,
				   "SELECT account_id, department_id FROM department_member WHERE "
				   "?1 = 0 OR account_id = ?1 ORDER BY department_id",
				   &q, 1, &m->depts, err);
	if (rc == 0)
		rc =
		    storage_query(id->store, a->db,
				  "SELECT account_id, role_id FROM org_role_member WHERE ?1 = 0 OR "
				  "account_id = ?1 ORDER BY role_id",
				  &q, 1, &m->roles, err);
	return rc;
}

/* The departments account is in (malloc'ed; the root when none). */
static int64_t *depts_of(const struct member_rows *m, int64_t account, size_t *n)
{
	int64_t *d = cr_calloc(m->depts.n_rows + 1, sizeof(int64_t));

	*n = 0;
	for (size_t r = 0; r < m->depts.n_rows; r++)
		if (storage_rows_int(&m->depts, r, 0, 0) == account)
			d[(*n)++] = storage_rows_int(&m->depts, r, 1, 0);
	if (*n == 0)
		d[(*n)++] = ID_ROOT_DEPARTMENT;
	return d;
}

static json_t *member_json(const struct member_rows *m, size_t r)
{
	int64_t account = storage_rows_int(&m->sys, r, 0, 0);
	size_t n = 0;
	int64_t *depts = depts_of(m, account, &n);
	json_t *j = json_pack(
	    "{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:o}", "account_id", (json_int_t)account,
	    "login", storage_rows_text(&m->sys, r, 1), "name", storage_rows_text(&m->sys, r, 2),
	    "title", storage_rows_text(&m->sys, r, 3), "status", storage_rows_text(&m->sys, r, 4),
	    "role", storage_rows_text(&m->sys, r, 5), "department_ids", id_ids_json(depts, n),
	    "role_ids", id_links_of(&m->roles, account), "joined_at",
	    id_time_json(storage_rows_int(&m->sys, r, 6, 0)));

	free(depts);
	return j;
}

static bool matches(const struct member_rows *m, size_t r, const struct id_member_query *q)
{
	if (q->department_id > 0) {
		size_t n = 0;
		int64_t *d = depts_of(m, storage_rows_int(&m->sys, r, 0, 0), &n);
		bool in = false;
		for (size_t i = 0; i < n; i++)
			in = in || d[i] == q->department_id;
		free(d);
		if (!in)
			return false;
	}
	if (q->q != NULL && q->q[0] != '\0') {
		const char *login = storage_rows_text(&m->sys, r, 1);
		const char *name = storage_rows_text(&m->sys, r, 2);
		if ((login == NULL || strcasestr(login, q->q) == NULL) &&
		    (name == NULL || strcasestr(name, q->q) == NULL))
			return false;
	}
	return true;
}

int id_members_list(const struct identity *id, const struct id_actor *actor,
		    const struct id_member_query *q, json_t **out, struct cr_err *err)
{
	struct id_facts f;
	struct member_rows m;
	const char *status = q->status != NULL ? q->status : "active";
	unsigned limit = q->limit > 0 ? q->limit : 50;
	size_t total = 0;
	json_t *list;
	int rc = id_facts_load(id, actor, &f, err);

	if (rc == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_VIEW, NULL, 0, false, err);
	id_facts_free(&f);
	if (rc < 0)
		return rc;
	if (strcmp(status, "active") != 0 && strcmp(status, "deactivated") != 0 &&
	    strcmp(status, "all") != 0)
		return cr_err_set(err, CR_EINVAL, "status must be active, deactivated or all");
	if (limit > ID_LIST_MAX)
		return cr_err_set(err, CR_EINVAL, "limit must be 1 to %d", ID_LIST_MAX);
	rc = member_rows_load(id, actor, 0, status, &m, err);
	if (rc < 0) {
		member_rows_close(&m);
		return rc;
	}
	list = json_array();
	for (size_t r = 0; r < m.sys.n_rows; r++) {
		if (!matches(&m, r, q))
			continue;
		if (total >= q->offset && json_array_size(list) < limit)
			json_array_append_new(list, member_json(&m, r));
		total++;
	}
	member_rows_close(&m);
	*out = json_pack("{s:o, s:I}", "members", list, "total", (json_int_t)total);
	return 0;
}

/* The member's row set; CR_ENOTFOUND when not a member. */
static int member_load(const struct identity *id, const struct id_actor *a, int64_t account_id,
		       struct member_rows *m, struct cr_err *err)
{
	int rc = member_rows_load(id, a, account_id, "all", m, err);

	if (rc == 0 && m->sys.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no member %lld in this workspace",
				(long long)account_id);
	return rc;
}

/* The member as the API shows it (no right checked: the caller did). */
static int member_answer(const struct identity *id, const struct id_actor *a, int64_t account_id,
			 json_t **out, struct cr_err *err)
{
	struct member_rows m;
	int rc = member_load(id, a, account_id, &m, err);

	if (rc == 0)
		*out = member_json(&m, 0);
	member_rows_close(&m);
	return rc;
}

int id_member_get(const struct identity *id, const struct id_actor *actor, int64_t account_id,
		  json_t **out, struct cr_err *err)
{
	struct id_facts f;
	int rc = id_facts_load(id, actor, &f, err);

	if (rc == 0 && !(actor->account.id == account_id && actor->role != ID_ROLE_NONE))
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_VIEW, NULL, 0, false, err);
	id_facts_free(&f);
	return rc < 0 ? rc : member_answer(id, actor, account_id, out, err);
}

/* The role of the member in row r (for rank checks). */
static enum id_role target_role(const struct member_rows *m, size_t r)
{
	const char *role = storage_rows_text(&m->sys, r, 5);

	if (role != NULL && strcmp(role, "super_admin") == 0)
		return ID_ROLE_SUPER_ADMIN;
	if (role != NULL && strcmp(role, "system_admin") == 0)
		return ID_ROLE_SYSTEM_ADMIN;
	return ID_ROLE_MEMBER;
}

/* A department admin reaches a member only if the member holds no more
 * than the admin: no admin duty outside (or at the top of) the admin's
 * subtree, and no permission group. Admins and API keys are not limited
 * here (the rank rule covers them). */
static int within_reach(const struct identity *id, const struct id_actor *a,
			const struct id_facts *f, int64_t account, struct cr_err *err)
{
	struct storage_value p = storage_int(account);
	struct storage_rows rows;
	int rc;

	if (a->via_api_key || a->role != ID_ROLE_MEMBER || account == a->account.id)
		return 0;
	rc =
	    storage_query(id->store, a->db,
			  "SELECT d.department_id, (SELECT count(*) FROM perm_group_member g WHERE "
			  "g.account_id = ?1) FROM (SELECT department_id FROM department_duty "
			  "WHERE account_id = ?1 AND duty = 'admin' UNION ALL SELECT 0) d",
			  &p, 1, &rows, err);
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		int64_t dept = storage_rows_int(&rows, r, 0, 0);
		if (storage_rows_int(&rows, r, 1, 0) > 0)
			rc = cr_err_set(err, CR_EDENIED,
					"this member is in a permission group: only admins change "
					"them");
		else if (dept > 0 && !id_dept_administered(f, dept, true))
			rc = cr_err_set(err, CR_EDENIED,
					"this member administers departments beyond yours: only "
					"admins change them");
	}
	storage_rows_close(&rows);
	return rc;
}

/* ---- writes ---- */

struct links_job {
	int64_t account_id;
	const int64_t *depts;
	size_t n_depts;
	bool set_depts;
	const int64_t *roles;
	size_t n_roles;
	bool set_roles;
	bool remove; /* drop every link of the account */
};

static int links_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct links_job *j = arg;
	struct storage_value p[2] = { storage_int(j->account_id), storage_int(0) };
	int rc = 0;

	if (j->remove) {
		static const char *const drops[] = {
			"DELETE FROM department_member WHERE account_id = ?",
			"DELETE FROM department_duty WHERE account_id = ?",
			"DELETE FROM org_role_member WHERE account_id = ?",
			"DELETE FROM perm_group_member WHERE account_id = ?",
		};
		for (size_t i = 0; rc == 0 && i < sizeof(drops) / sizeof(drops[0]); i++)
			rc = storage_tx_exec(tx, drops[i], p, 1, NULL, err);
		return rc;
	}
	if (j->set_depts) {
		rc = storage_tx_exec(tx, "DELETE FROM department_member WHERE account_id = ?", p, 1,
				     NULL, err);
		for (size_t i = 0; rc == 0 && i < j->n_depts; i++) {
			p[1] = storage_int(j->depts[i]);
			rc = storage_tx_exec(tx,
					     "INSERT INTO department_member (account_id, "
					     "department_id) SELECT ?1, id FROM department WHERE "
					     "id = ?2",
					     p, 2, NULL, err);
		}
	}
	if (rc == 0 && j->set_roles) {
		rc = storage_tx_exec(tx, "DELETE FROM org_role_member WHERE account_id = ?", p, 1,
				     NULL, err);
		for (size_t i = 0; rc == 0 && i < j->n_roles; i++) {
			p[1] = storage_int(j->roles[i]);
			rc = storage_tx_exec(tx,
					     "INSERT INTO org_role_member (account_id, role_id) "
					     "SELECT ?1, id FROM org_role WHERE id = ?2",
					     p, 2, NULL, err);
		}
	}
	return rc;
}

/* Every id names a row of table (a workspace table name constant). */
static int ids_exist(const struct identity *id, const struct id_actor *a, const char *table,
		     const int64_t *ids, size_t n, const char *what, struct cr_err *err)
{
	char sql[64];
	struct storage_rows rows;
	int rc;

	if (n == 0)
		return 0;
	cr_format_fixed(sql, sizeof(sql), "SELECT id FROM %s", table);
	rc = storage_query(id->store, a->db, sql, NULL, 0, &rows, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		bool found = false;
		for (size_t r = 0; r < rows.n_rows && !found; r++)
			found = storage_rows_int(&rows, r, 0, 0) == ids[i];
		if (!found)
			rc = cr_err_set(err, CR_EINVAL, "no %s %lld in this workspace", what,
					(long long)ids[i]);
	}
	storage_rows_close(&rows);
	return rc;
}

struct join_job {
	const char *workspace_id;
	int64_t account_id; /* existing account, or 0 to create one */
	const char *login, *name, *hash, *title;
	int64_t now_us;
};

static int join_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct join_job *j = arg;
	struct storage_value p[2] = { storage_int(j->account_id), storage_text(j->workspace_id) };
	struct storage_rows rows;
	int rc;

	if (j->login != NULL) {
		rc = id_tx_account_insert(tx, j->login, j->name, j->hash, false, j->now_us,
					  &j->account_id, err);
		if (rc < 0)
			return rc;
		p[0] = storage_int(j->account_id);
		/* Made here: this workspace is the account's home. */
		rc = storage_tx_exec(tx, "UPDATE account SET home_workspace_id = ?2 WHERE id = ?1",
				     p, 2, NULL, err);
		if (rc < 0)
			return rc;
	}
	rc = storage_tx_query(tx,
			      "SELECT (SELECT count(*) FROM account WHERE id = ?1), (SELECT "
			      "count(*) FROM workspace_member WHERE account_id = ?1 AND "
			      "workspace_id = ?2)",
			      p, 2, &rows, err);
	if (rc == 0 && storage_rows_int(&rows, 0, 0, 0) == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no account %lld", (long long)j->account_id);
	else if (rc == 0 && storage_rows_int(&rows, 0, 1, 0) > 0)
		rc = cr_err_set(err, CR_ECONFLICT, "account %lld is already a member",
				(long long)j->account_id);
	storage_rows_close(&rows);
	if (rc == 0)
		rc = id_tx_member_insert(tx, j->workspace_id, j->account_id, ID_ROLE_MEMBER,
					 j->title, j->now_us, err);
	if (rc == 0)
		rc = storage_tx_answer_ids(tx, &j->account_id, 1, err);
	return rc;
}

/* Join an account (existing, or new from in) to the workspace with its
 * departments; shared with imports and invites. */
int id_member_join(const struct identity *id, const char *workspace_id, int64_t account_id,
		   const struct id_new_account *in, const char *title, const int64_t *depts,
		   size_t n_depts, const int64_t *roles, size_t n_roles, const char *request_id,
		   int64_t now_us, int64_t *account_out, struct cr_err *err)
{
	char hash[ID_PASSWORD_HASH_MAX + 1];
	char rid[STORAGE_REQUEST_ID_MAX + 1];
	char db[ID_DB_NAME_MAX + 1];
	int64_t root = ID_ROOT_DEPARTMENT;
	struct join_job j = { workspace_id, account_id, NULL, NULL, hash, title, now_us };
	int rc = 0;

	if (in != NULL) {
		j.login = in->login;
		j.name = in->name;
		rc = id_password_hash(id, in->password, hash, err);
	}
	/* A replay (the member was added before under this request id) gets
	 * the account of the first run; the links below may be what is
	 * missing. */
	if (rc == 0)
		rc = storage_write_ids(id->store, STORAGE_DB_SYSTEM,
				       id_sub_request(request_id, "member", rid, sizeof(rid)),
				       join_job, &j, &j.account_id, 1, err);
	if (rc < 0)
		return rc;
	*account_out = j.account_id;
	struct links_job l = { j.account_id,
			       n_depts > 0 ? depts : &root,
			       n_depts > 0 ? n_depts : 1,
			       true,
			       roles,
			       n_roles,
			       n_roles > 0,
			       false };
	id_workspace_db(workspace_id, db);
	rc = storage_write(id->store, db, id_sub_request(request_id, "links", rid, sizeof(rid)),
			   links_job, &l, err);
	return rc < 0 ? rc : 0;
}

static int new_account_from(const json_t *body, struct id_new_account *in, const char **title,
			    struct cr_err *err)
{
	int rc = id_body_string(body, "login", true, &in->login, err);

	if (rc == 0)
		rc = id_body_string(body, "name", true, &in->name, err);
	if (rc == 0)
		rc = id_body_string(body, "password", true, &in->password, err);
	if (rc == 0)
		rc = id_body_string(body, "title", false, title, err);
	if (rc == 0)
		rc = id_login_check(in->login, err);
	if (rc == 0)
		rc = id_name_check(in->name, "name", err);
	if (rc == 0)
		rc = id_password_check(in->password, in->login, err);
	if (rc == 0 && *title != NULL && (*title)[0] != '\0')
		rc = id_name_check(*title, "title", err);
	return rc;
}

int id_member_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		     const char *request_id, int64_t now_us, json_t **out, struct cr_err *err)
{
	static const char *const keys[] = { "account_id", "login",          "name",     "password",
					    "title",      "department_ids", "role_ids", NULL };
	struct id_new_account in = { 0 };
	const char *title = NULL;
	int64_t account_id = 0, root = ID_ROOT_DEPARTMENT;
	int64_t *depts = NULL, *roles = NULL;
	size_t n_depts = 0, n_roles = 0;
	bool has_account = false, has_depts = false, has_roles = false;
	struct id_facts f = { 0 };
	int rc = id_body_object(body, err);

	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_id(body, "account_id", &account_id, &has_account, err);
	if (rc == 0)
		rc = id_body_ids(body, "department_ids", 64, &depts, &n_depts, &has_depts, err);
	if (rc == 0)
		rc = id_body_ids(body, "role_ids", 64, &roles, &n_roles, &has_roles, err);
	if (rc == 0 && !has_account)
		rc = new_account_from(body, &in, &title, err);
	/* An existing account is invited, never added: it joins when it
	 * accepts (invitations.c). */
	if (rc == 0 && has_account && actor->via_api_key)
		rc =
		    cr_err_set(err, CR_EDENIED,
			       "an API key creates new accounts; an admin invites existing ones in "
			       "the console");
	if (rc == 0 && has_account)
		rc = cr_err_set(err, CR_EINVAL,
				"an existing account is invited (POST .../invitations), not added: "
				"it joins when it accepts");
	if (rc == 0)
		rc = id_facts_load(id, actor, &f, err);
	if (rc == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_CHANGE, n_depts > 0 ? depts : &root,
				       1 > n_depts ? 1 : n_depts, false, err);
	if (rc == 0 && n_roles > 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_CHANGE, NULL, 0, false, err);
	if (rc == 0)
		rc = ids_exist(id, actor, "department", depts, n_depts, "department", err);
	if (rc == 0)
		rc = ids_exist(id, actor, "org_role", roles, n_roles, "role", err);
	if (rc == 0)
		rc = id_member_join(id, actor->workspace_id, account_id, has_account ? NULL : &in,
				    title, depts, n_depts, roles, n_roles, request_id, now_us,
				    &account_id, err);
	if (rc == 0)
		rc = member_answer(id, actor, account_id, out, err);
	id_facts_free(&f);
	free(depts);
	free(roles);
	return rc;
}

/* Only the account's home workspace (where it was made; before homes were
 * recorded, the one it joined first) changes its name and password: a
 * workspace it joined by invitation never does. */
static int only_here(const struct identity *id, const struct id_actor *a, int64_t account,
		     const char *what, struct cr_err *err)
{
	struct storage_value p[2] = { storage_int(account), storage_text(a->workspace_id) };
	struct storage_rows rows;
	int rc =
	    storage_query(id->store, STORAGE_DB_SYSTEM,
			  "SELECT coalesce(home_workspace_id, (SELECT m.workspace_id FROM "
			  "workspace_member m WHERE m.account_id = a.id ORDER BY m.joined_us, "
			  "m.workspace_id LIMIT 1), '') = ?2, EXISTS (SELECT 1 FROM "
			  "workspace_member o WHERE o.account_id = a.id AND o.workspace_id <> ?2 "
			  "AND o.role <> 'member') FROM account a WHERE a.id = ?1",
			  p, 2, &rows, err);

	if (rc == 0 && storage_rows_int(&rows, 0, 0, 0) == 0)
		rc = cr_err_set(err, CR_EDENIED,
				"this account's home is another workspace: only it and the account "
				"itself may change its %s",
				what);
	/* Its home's admins must not take over a workspace they have no say
	 * in: then only the person (and, for a password, the operator). */
	else if (rc == 0 && storage_rows_int(&rows, 0, 1, 0) != 0)
		rc = cr_err_set(err, CR_EDENIED,
				"this account administers another workspace: only the account "
				"itself may change its %s",
				what);
	storage_rows_close(&rows);
	return rc;
}

struct update_job {
	const char *workspace_id;
	int64_t account_id;
	const char *name, *title, *status, *role;
};

static int update_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct update_job *j = arg;
	struct storage_value p[5] = { storage_text(j->workspace_id), storage_int(j->account_id),
				      storage_text(j->title != NULL ? j->title : ""),
				      storage_text(j->status != NULL ? j->status : ""),
				      storage_text(j->role != NULL ? j->role : "") };
	struct storage_value q[2] = { storage_text(j->name != NULL ? j->name : ""),
				      storage_int(j->account_id) };
	int rc = storage_tx_exec(tx,
				 "UPDATE workspace_member SET title = CASE WHEN ?3 = '' AND ?6 "
				 "THEN title ELSE ?3 END, status = CASE WHEN ?4 = '' THEN status "
				 "ELSE ?4 END, role = CASE WHEN ?5 = '' THEN role ELSE ?5 END "
				 "WHERE workspace_id = ?1 AND account_id = ?2",
				 (struct storage_value[]){ p[0], p[1], p[2], p[3], p[4],
							   storage_bool(j->title == NULL) },
				 6, NULL, err);

	if (rc == 0 && j->name != NULL)
		rc = storage_tx_exec(tx, "UPDATE account SET name = ? WHERE id = ?", q, 2, NULL,
				     err);
	return rc;
}

struct update_input {
	const char *name, *title, *status, *role;
	int64_t *depts, *roles;
	size_t n_depts, n_roles;
	bool has_depts, has_roles;
};

static int update_input(const json_t *body, struct update_input *u, struct cr_err *err)
{
	static const char *const keys[] = { "name", "title", "department_ids", "role_ids", "status",
					    "role", NULL };
	int rc = id_body_object(body, err);

	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_string(body, "name", false, &u->name, err);
	if (rc == 0)
		rc = id_body_string(body, "title", false, &u->title, err);
	if (rc == 0)
		rc = id_body_string(body, "status", false, &u->status, err);
	if (rc == 0)
		rc = id_body_string(body, "role", false, &u->role, err);
	if (rc == 0)
		rc = id_body_ids(body, "department_ids", 64, &u->depts, &u->n_depts, &u->has_depts,
				 err);
	if (rc == 0)
		rc = id_body_ids(body, "role_ids", 64, &u->roles, &u->n_roles, &u->has_roles, err);
	if (rc == 0 && u->name != NULL)
		rc = id_name_check(u->name, "name", err);
	if (rc == 0 && u->title != NULL && u->title[0] != '\0')
		rc = id_name_check(u->title, "title", err);
	if (rc == 0 && u->status != NULL && strcmp(u->status, "active") != 0 &&
	    strcmp(u->status, "deactivated") != 0)
		rc = cr_err_set(err, CR_EINVAL, "status must be active or deactivated");
	if (rc == 0 && u->has_depts && u->n_depts == 0)
		rc = cr_err_set(err, CR_EINVAL, "a member belongs to at least one department");
	enum id_role role;
	if (rc == 0 && u->role != NULL && id_role_parse(u->role, &role) < 0)
		rc = cr_err_set(err, CR_EINVAL, "role must be system_admin or member");
	return rc;
}

/* May the actor change this member (and move it to u's departments)? */
static int may_update(const struct identity *id, const struct id_actor *a, const struct id_facts *f,
		      const struct member_rows *m, const struct update_input *u, int64_t account,
		      struct cr_err *err)
{
	const char *role = storage_rows_text(&m->sys, 0, 5);
	bool is_super = role != NULL && strcmp(role, "super_admin") == 0;
	size_t n = 0;
	int64_t *cur = depts_of(m, account, &n);
	int rc = id_authz_contacts(a, f, ID_CONTACTS_CHANGE, cur, n, false, err);

	free(cur);
	if (rc == 0 && u->has_depts)
		rc = id_authz_contacts(a, f, ID_CONTACTS_CHANGE, u->depts, u->n_depts, false, err);
	if (rc == 0 && u->has_roles)
		rc = id_authz_contacts(a, f, ID_CONTACTS_CHANGE, NULL, 0, false, err);
	if (rc == 0 && u->role != NULL)
		rc = id_authz_workspace(a, ID_WS_SET_ROLE, err);
	if (rc == 0)
		rc = id_authz_member_rank(a, target_role(m, 0), err);
	if (rc == 0)
		rc = within_reach(id, a, f, account, err);
	if (rc == 0 && is_super && (u->role != NULL || u->status != NULL))
		rc = cr_err_set(err, CR_EDENIED,
				"the super admin's role and status cannot be changed");
	if (rc == 0 && u->name != NULL)
		rc = only_here(id, a, account, "name", err);
	return rc;
}

int id_member_update(const struct identity *id, const struct id_actor *actor, int64_t account_id,
		     const json_t *body, const char *request_id, json_t **out, struct cr_err *err)
{
	struct update_input u = { 0 };
	struct id_facts f = { 0 };
	struct member_rows m;
	char rid[STORAGE_REQUEST_ID_MAX + 1];
	int rc = update_input(body, &u, err);

	storage_rows_init(&m.sys);
	storage_rows_init(&m.depts);
	storage_rows_init(&m.roles);
	if (rc == 0)
		rc = id_facts_load(id, actor, &f, err);
	if (rc == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_VIEW, NULL, 0, false, err);
	if (rc == 0)
		rc = member_load(id, actor, account_id, &m, err);
	if (rc == 0)
		rc = may_update(id, actor, &f, &m, &u, account_id, err);
	if (rc == 0)
		rc = ids_exist(id, actor, "department", u.depts, u.n_depts, "department", err);
	if (rc == 0)
		rc = ids_exist(id, actor, "org_role", u.roles, u.n_roles, "role", err);
	struct update_job j = {
		actor->workspace_id, account_id, u.name, u.title, u.status, u.role
	};
	if (rc == 0)
		rc = storage_write(id->store, STORAGE_DB_SYSTEM,
				   id_sub_request(request_id, "member", rid, sizeof(rid)),
				   update_job, &j, err);
	struct links_job l = { account_id, u.depts,   u.n_depts,   u.has_depts,
			       u.roles,    u.n_roles, u.has_roles, false };
	if (rc >= 0 && (u.has_depts || u.has_roles))
		rc = storage_write(id->store, actor->db,
				   id_sub_request(request_id, "links", rid, sizeof(rid)), links_job,
				   &l, err);
	if (rc >= 0)
		rc = member_answer(id, actor, account_id, out, err);
	member_rows_close(&m);
	id_facts_free(&f);
	free(u.depts);
	free(u.roles);
	return rc < 0 ? rc : 0;
}

/* Load the member and check the actor may act on it with action. */
static int member_target(const struct identity *id, const struct id_actor *a, int64_t account_id,
			 enum id_contacts_action action, bool *is_super, struct cr_err *err)
{
	struct id_facts f = { 0 };
	struct member_rows m;
	size_t n = 0;
	int64_t *cur = NULL;
	int rc = id_facts_load(id, a, &f, err);

	storage_rows_init(&m.sys);
	storage_rows_init(&m.depts);
	storage_rows_init(&m.roles);
	if (rc == 0)
		rc = id_authz_contacts(a, &f, ID_CONTACTS_VIEW, NULL, 0, false, err);
	if (rc == 0)
		rc = member_load(id, a, account_id, &m, err);
	if (rc == 0) {
		const char *role = storage_rows_text(&m.sys, 0, 5);
		*is_super = role != NULL && strcmp(role, "super_admin") == 0;
		cur = depts_of(&m, account_id, &n);
		rc = id_authz_contacts(a, &f, action, cur, n, false, err);
	}
	if (rc == 0)
		rc = id_authz_member_rank(a, target_role(&m, 0), err);
	if (rc == 0)
		rc = within_reach(id, a, &f, account_id, err);
	free(cur);
	member_rows_close(&m);
	id_facts_free(&f);
	return rc;
}

struct remove_job {
	const char *workspace_id;
	int64_t account_id;
};

static int remove_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct remove_job *j = arg;
	struct storage_value p[2] = { storage_text(j->workspace_id), storage_int(j->account_id) };

	return storage_tx_exec(tx,
			       "DELETE FROM workspace_member WHERE workspace_id = ? AND account_id "
			       "= ? AND role <> 'super_admin'",
			       p, 2, NULL, err);
}

int id_member_remove(const struct identity *id, const struct id_actor *actor, int64_t account_id,
		     const char *request_id, struct cr_err *err)
{
	char rid[STORAGE_REQUEST_ID_MAX + 1];
	bool is_super = false;
	/* A replay is done (the member's removal is the last write): the
	 * checks would find no member. */
	int rc = storage_request_seen(id->store, STORAGE_DB_SYSTEM,
				      id_sub_request(request_id, "member", rid, sizeof(rid)), err);
	struct remove_job j = { actor->workspace_id, account_id };
	struct links_job l = { .account_id = account_id, .remove = true };

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = member_target(id, actor, account_id, ID_CONTACTS_CHANGE, &is_super, err);
	if (rc == 0 && is_super)
		rc = cr_err_set(err, CR_EDENIED, "the super admin cannot be removed");
	if (rc == 0 && account_id == actor->account.id)
		rc = cr_err_set(err, CR_EDENIED, "you cannot remove yourself");
	/* Links first: a member without links is still whole (root department). */
	if (rc == 0)
		rc = storage_write(id->store, actor->db,
				   id_sub_request(request_id, "links", rid, sizeof(rid)), links_job,
				   &l, err);
	if (rc >= 0)
		rc = storage_write(id->store, STORAGE_DB_SYSTEM,
				   id_sub_request(request_id, "member", rid, sizeof(rid)),
				   remove_job, &j, err);
	return rc < 0 ? rc : 0;
}

int id_member_password_reset(const struct identity *id, const struct id_actor *actor,
			     int64_t account_id, const json_t *body, int64_t now_us,
			     struct cr_err *err)
{
	static const char *const keys[] = { "new_password", NULL };
	const char *password = NULL;
	bool is_super = false;
	struct storage_value p = storage_int(account_id);
	struct storage_rows rows;
	int rc = id_body_object(body, err);

	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_string(body, "new_password", true, &password, err);
	if (rc == 0)
		rc = member_target(id, actor, account_id, ID_CONTACTS_RESET_PASSWORD, &is_super,
				   err);
	if (rc == 0)
		rc = only_here(id, actor, account_id, "password", err);
	if (rc < 0)
		return rc;
	rc = storage_query(id->store, STORAGE_DB_SYSTEM, "SELECT login FROM account WHERE id = ?",
			   &p, 1, &rows, err);
	if (rc == 0 && rows.n_rows > 0)
		rc = id_password_set(id, account_id, storage_rows_text(&rows, 0, 0), password, NULL,
				     NULL, now_us, err);
	storage_rows_close(&rows);
	return rc;
}
