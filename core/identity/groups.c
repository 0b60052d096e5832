/* core/identity/groups.c: roles (cross-department groups of members) and
 * permission groups (grants over chosen apps). Both are a named row with
 * member links; permission groups add grants and app links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/text.h"
#include "identity_int.h"
#include "workspace.h"

#define MEMBERS_MAX 10000
#define APPS_MAX    1000

/* What differs between roles and permission groups. */
struct kind {
	const char *table;      /* org_role | perm_group */
	const char *link_table; /* org_role_member | perm_group_member */
	const char *owner_col;  /* role_id | group_id */
	const char *what;       /* "role" | "permission group" */
	bool has_grants;
};

static const struct kind ROLE = { "org_role", "org_role_member", "role_id", "role", false };
static const struct kind GROUP = { "perm_group", "perm_group_member", "group_id",
				   "permission group", true };

static int allowed(const struct identity *id, const struct id_actor *a, const struct kind *k,
		   bool change, struct cr_err *err)
{
	struct id_facts f;
	int rc;

	if (k->has_grants)
		return id_authz_workspace(a, ID_WS_MANAGE_GROUPS, err);
	rc = id_facts_load(id, a, &f, err);
	if (rc == 0)
		rc = id_authz_contacts(a, &f, change ? ID_CONTACTS_CHANGE : ID_CONTACTS_VIEW, NULL,
				       0, false, err);
	id_facts_free(&f);
	return rc;
}

static json_t *grants_json(unsigned grants)
{
	json_t *g = json_object();

	for (unsigned i = 0; i < ID_N_GRANTS; i++)
		json_object_set_new(g, id_grant_names[i], json_boolean(grants & (1u << i)));
	return g;
}

static int list(const struct identity *id, const struct id_actor *a, const struct kind *k,
		int64_t only, json_t **out, struct cr_err *err)
{
	char sql[200];
	struct storage_value p = storage_int(only);
	struct storage_rows rows, links, apps;
	int rc;

	storage_rows_init(&links);
	storage_rows_init(&apps);
	cr_format_fixed(sql, sizeof(sql),
			"SELECT id, name%s FROM %s WHERE ?1 = 0 OR id = ?1 ORDER BY name",
			k->has_grants ? ", grants, all_apps" : "", k->table);
	rc = storage_query(id->store, a->db, sql, &p, 1, &rows, err);
	/* The links of the one asked for, or of all. */
	cr_format_fixed(sql, sizeof(sql),
			"SELECT %s, account_id FROM %s WHERE ?1 = 0 OR %s = ?1 ORDER BY account_id",
			k->owner_col, k->link_table, k->owner_col);
	if (rc == 0)
		rc = storage_query(id->store, a->db, sql, &p, 1, &links, err);
	if (rc == 0 && k->has_grants)
		rc = storage_query(id->store, a->db,
				   "SELECT group_id, app_id FROM perm_group_app WHERE ?1 = 0 OR "
				   "group_id = ?1 ORDER BY app_id",
				   &p, 1, &apps, err);
	if (rc == 0 && only > 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no %s %lld", k->what, (long long)only);
	if (rc == 0) {
		json_t *all = json_array();
		for (size_t r = 0; r < rows.n_rows; r++) {
			int64_t oid = storage_rows_int(&rows, r, 0, 0);
			json_t *o = json_pack("{s:I, s:s?, s:o}", "id", (json_int_t)oid, "name",
					      storage_rows_text(&rows, r, 1), "member_ids",
					      id_links_of(&links, oid));
			if (k->has_grants) {
				json_object_set_new(
				    o, "grants",
				    grants_json((unsigned)storage_rows_int(&rows, r, 2, 0)));
				json_object_set_new(o, "all_apps",
						    json_boolean(storage_rows_int(&rows, r, 3, 0)));
				json_object_set_new(o, "app_ids", id_links_of(&apps, oid));
			}
			json_array_append_new(all, o);
		}
		if (only > 0) {
			*out = json_incref(json_array_get(all, 0));
			json_decref(all);
		} else {
			*out =
			    json_pack("{s:o}", k->has_grants ? "permission_groups" : "roles", all);
		}
	}
	storage_rows_close(&apps);
	storage_rows_close(&links);
	storage_rows_close(&rows);
	return rc;
}

struct input {
	const char *name;
	int64_t *members, *apps;
	size_t n_members, n_apps;
	bool set_members, set_apps, set_grants, set_all_apps, all_apps;
	unsigned grants;
};

static int grants_from(const json_t *g, unsigned *out, struct cr_err *err)
{
	const char *key;
	const json_t *v;

	if (!json_is_object(g))
		return cr_err_set(err, CR_EINVAL, "'grants' must be an object of booleans");
	*out = 0;
	json_object_foreach((json_t *)g, key, v)
	{
		unsigned bit = 0;
		for (unsigned i = 0; i < ID_N_GRANTS; i++)
			if (strcmp(key, id_grant_names[i]) == 0)
				bit = 1u << i;
		if (bit == 0)
			return cr_err_set(err, CR_EINVAL, "unknown grant '%s'", key);
		if (!json_is_boolean(v))
			return cr_err_set(err, CR_EINVAL, "grant '%s' must be true or false", key);
		if (json_is_true(v))
			*out |= bit;
	}
	return 0;
}

static int input_from(const json_t *body, const struct kind *k, bool create, struct input *in,
		      struct cr_err *err)
{
	static const char *const role_keys[] = { "name", "member_ids", NULL };
	static const char *const group_keys[] = { "name",    "member_ids", "grants",
						  "app_ids", "all_apps",   NULL };
	int rc = id_body_object(body, err);

	if (rc == 0)
		rc = id_body_keys(body, k->has_grants ? group_keys : role_keys, err);
	if (rc == 0)
		rc = id_body_string(body, "name", create, &in->name, err);
	if (rc == 0 && in->name != NULL)
		rc = id_name_check(in->name, "name", err);
	if (rc == 0)
		rc = id_body_ids(body, "member_ids", MEMBERS_MAX, &in->members, &in->n_members,
				 &in->set_members, err);
	if (rc == 0 && k->has_grants)
		rc = id_body_ids(body, "app_ids", APPS_MAX, &in->apps, &in->n_apps, &in->set_apps,
				 err);
	if (rc == 0 && k->has_grants && json_object_get(body, "grants") != NULL) {
		in->set_grants = true;
		rc = grants_from(json_object_get(body, "grants"), &in->grants, err);
	}
	if (rc == 0 && k->has_grants && json_object_get(body, "all_apps") != NULL) {
		const json_t *v = json_object_get(body, "all_apps");
		if (!json_is_boolean(v))
			rc = cr_err_set(err, CR_EINVAL, "'all_apps' must be true or false");
		in->set_all_apps = true;
		in->all_apps = json_is_true(v);
	}
	return rc;
}

struct job {
	const struct kind *k;
	const struct input *in;
	int64_t id; /* 0 to create; out */
	int64_t now_us;
	bool remove;
	bool is_new; /* a create: id is an output (a re-run starts from 0) */
};

static int name_free(struct storage_tx *tx, const struct job *j, struct cr_err *err)
{
	char sql[120];
	struct storage_value p[2] = { storage_text(j->in->name), storage_int(j->id) };
	struct storage_rows rows;
	int rc;

	cr_format_fixed(sql, sizeof(sql), "SELECT 1 FROM %s WHERE name = ? AND id <> ?",
			j->k->table);
	rc = storage_tx_query(tx, sql, p, 2, &rows, err);
	if (rc == 0 && rows.n_rows > 0)
		rc = cr_err_set(err, CR_ECONFLICT, "a %s named '%s' exists already", j->k->what,
				j->in->name);
	storage_rows_close(&rows);
	return rc;
}

static int write_row(struct storage_tx *tx, struct job *j, struct cr_err *err)
{
	char sql[200];
	const struct input *in = j->in;
	struct storage_value p[6] = { storage_text(in->name),         storage_int(j->now_us),
				      storage_bool(in->set_grants),   storage_int(in->grants),
				      storage_bool(in->set_all_apps), storage_bool(in->all_apps) };
	struct storage_result res = { 0 };
	int rc;

	if (j->id == 0) {
		if (j->k->has_grants)
			rc = storage_tx_exec(tx,
					     "INSERT INTO perm_group (name, created_us, grants, "
					     "all_apps) VALUES (?1, ?2, ?4 * ?3, ?6 * ?5)",
					     p, 6, &res, err);
		else
			rc = storage_tx_exec(
			    tx, "INSERT INTO org_role (name, created_us) VALUES (?, ?)", p, 2, &res,
			    err);
		j->id = rc == 0 ? (int64_t)res.last_insert_id : 0;
		return rc < 0 ? rc : storage_tx_answer_ids(tx, &j->id, 1, err);
	}
	p[1] = storage_int(j->id);
	cr_format_fixed(sql, sizeof(sql), "UPDATE %s SET name = coalesce(?1, name)%s WHERE id = ?2",
			j->k->table,
			j->k->has_grants ? ", grants = CASE WHEN ?3 THEN ?4 ELSE grants END, "
					   "all_apps = CASE WHEN ?5 THEN ?6 ELSE all_apps END"
					 : "");
	rc = storage_tx_exec(tx, sql, p, j->k->has_grants ? 6 : 2, &res, err);
	if (rc == 0 && res.rows_affected == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no %s %lld", j->k->what, (long long)j->id);
	return rc;
}

static int apps_set(struct storage_tx *tx, int64_t group, const int64_t *apps, size_t n,
		    struct cr_err *err)
{
	struct storage_value p[2] = { storage_int(group), storage_int(0) };
	int rc =
	    storage_tx_exec(tx, "DELETE FROM perm_group_app WHERE group_id = ?", p, 1, NULL, err);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct storage_result res = { 0 };
		p[1] = storage_int(apps[i]);
		rc = storage_tx_exec(tx,
				     "INSERT INTO perm_group_app (group_id, app_id) SELECT ?, id "
				     "FROM app WHERE id = ?",
				     p, 2, &res, err);
		if (rc == 0 && res.rows_affected == 0)
			rc = cr_err_set(err, CR_EINVAL, "no app %lld in this workspace",
					(long long)apps[i]);
	}
	return rc;
}

static int job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct job *j = arg;
	char sql[120];
	struct storage_value p = storage_int(j->id);
	int rc = 0;

	if (j->remove) {
		cr_format_fixed(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?", j->k->link_table,
				j->k->owner_col);
		rc = storage_tx_exec(tx, sql, &p, 1, NULL, err);
		if (rc == 0 && j->k->has_grants)
			rc = storage_tx_exec(tx, "DELETE FROM perm_group_app WHERE group_id = ?",
					     &p, 1, NULL, err);
		cr_format_fixed(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?", j->k->table);
		if (rc == 0)
			rc = storage_tx_exec(tx, sql, &p, 1, NULL, err);
		return rc;
	}
	if (j->is_new)
		j->id = 0;
	if (j->in->name != NULL)
		rc = name_free(tx, j, err);
	if (rc == 0)
		rc = write_row(tx, j, err);
	if (rc == 0 && j->in->set_members)
		rc = id_tx_links_set(tx, j->k->link_table, j->k->owner_col, j->id, j->in->members,
				     j->in->n_members, err);
	if (rc == 0 && j->in->set_apps)
		rc = apps_set(tx, j->id, j->in->apps, j->in->n_apps, err);
	return rc;
}

static int save(const struct identity *id, const struct id_actor *a, const struct kind *k,
		int64_t oid, const json_t *body, const char *request_id, int64_t now_us,
		json_t **out, struct cr_err *err)
{
	struct input in = { 0 };
	struct job j = { k, &in, oid, now_us, false, oid == 0 };
	int rc = allowed(id, a, k, true, err);

	if (rc == 0)
		rc = input_from(body, k, oid == 0, &in, err);
	if (rc == 0 && in.set_members)
		rc = id_accounts_are_members(id, a->workspace_id, in.members, in.n_members, err);
	if (rc == 0 && oid > 0)
		rc = list(id, a, k, oid, out, err); /* exists? */
	if (rc == 0 && oid > 0)
		json_decref(*out);
	if (rc == 0 && oid == 0)
		rc = storage_write_ids(id->store, a->db, request_id, job, &j, &j.id, 1, err);
	else if (rc == 0)
		rc = storage_write(id->store, a->db, request_id, job, &j, err);
	if (rc >= 0)
		rc = list(id, a, k, j.id > 0 ? j.id : oid, out, err);
	free(in.members);
	free(in.apps);
	return rc < 0 ? rc : 0;
}

static int drop(const struct identity *id, const struct id_actor *a, const struct kind *k,
		int64_t oid, const char *request_id, struct cr_err *err)
{
	struct input in = { 0 };
	struct job j = { k, &in, oid, 0, true, false };
	json_t *existing = NULL;
	/* A replay is done: the checks would find the object gone. */
	int rc = storage_request_seen(id->store, a->db, request_id, err);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = allowed(id, a, k, true, err);

	if (rc == 0)
		rc = list(id, a, k, oid, &existing, err);
	json_decref(existing);
	if (rc == 0)
		rc = storage_write(id->store, a->db, request_id, job, &j, err);
	return rc < 0 ? rc : 0;
}

int id_roles_list(const struct identity *id, const struct id_actor *actor, json_t **out,
		  struct cr_err *err)
{
	int rc = allowed(id, actor, &ROLE, false, err);

	return rc < 0 ? rc : list(id, actor, &ROLE, 0, out, err);
}

int id_role_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		   const char *request_id, int64_t now_us, json_t **out, struct cr_err *err)
{
	return save(id, actor, &ROLE, 0, body, request_id, now_us, out, err);
}

int id_role_update(const struct identity *id, const struct id_actor *actor, int64_t role_id,
		   const json_t *body, const char *request_id, json_t **out, struct cr_err *err)
{
	return save(id, actor, &ROLE, role_id, body, request_id, 0, out, err);
}

int id_role_delete(const struct identity *id, const struct id_actor *actor, int64_t role_id,
		   const char *request_id, struct cr_err *err)
{
	return drop(id, actor, &ROLE, role_id, request_id, err);
}

int id_groups_list(const struct identity *id, const struct id_actor *actor, json_t **out,
		   struct cr_err *err)
{
	int rc = allowed(id, actor, &GROUP, false, err);

	return rc < 0 ? rc : list(id, actor, &GROUP, 0, out, err);
}

int id_group_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		    const char *request_id, int64_t now_us, json_t **out, struct cr_err *err)
{
	return save(id, actor, &GROUP, 0, body, request_id, now_us, out, err);
}

int id_group_update(const struct identity *id, const struct id_actor *actor, int64_t group_id,
		    const json_t *body, const char *request_id, json_t **out, struct cr_err *err)
{
	return save(id, actor, &GROUP, group_id, body, request_id, 0, out, err);
}

int id_group_delete(const struct identity *id, const struct id_actor *actor, int64_t group_id,
		    const char *request_id, struct cr_err *err)
{
	return drop(id, actor, &GROUP, group_id, request_id, err);
}
