/* core/identity/departments.c: the department tree. The root (id 1) is
 * the company itself; it cannot be moved or deleted. Deleting a department
 * moves its members and sub-departments to its parent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"
#include "identity_int.h"
#include "workspace.h"

#define PATH_DEPTH_MAX 16

static int view(const struct identity *id, const struct id_actor *a, struct id_facts *f,
		struct cr_err *err)
{
	int rc = id_facts_load(id, a, f, err);

	if (rc == 0)
		rc = id_authz_contacts(a, f, ID_CONTACTS_VIEW, NULL, 0, false, err);
	return rc;
}

static int dept_json(const struct identity *id, const struct id_actor *a, int64_t only,
		     json_t **out, struct cr_err *err)
{
	struct storage_value p = storage_int(only);
	struct storage_rows depts, duties, counts;
	int rc;

	storage_rows_init(&duties);
	storage_rows_init(&counts);
	rc = storage_query(id->store, a->db,
			   "SELECT id, name, parent_id FROM department WHERE ?1 = 0 OR id = ?1 "
			   "ORDER BY parent_id IS NOT NULL, parent_id, name, id",
			   &p, 1, &depts, err);
	if (rc == 0)
		rc = storage_query(id->store, a->db,
				   "SELECT department_id, account_id, duty FROM department_duty "
				   "WHERE ?1 = 0 OR department_id = ?1 ORDER BY account_id",
				   &p, 1, &duties, err);
	if (rc == 0)
		rc = storage_query(
		    id->store, a->db,
		    "SELECT department_id, count(*) FROM department_member WHERE ?1 = 0 "
		    "OR department_id = ?1 GROUP BY department_id",
		    &p, 1, &counts, err);
	if (rc == 0 && only > 0 && depts.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no department %lld", (long long)only);
	if (rc == 0) {
		json_t *list = json_array();
		for (size_t r = 0; r < depts.n_rows; r++) {
			int64_t d = storage_rows_int(&depts, r, 0, 0);
			json_t *sup = json_array(), *adm = json_array();
			json_int_t n = 0;
			for (size_t k = 0; k < duties.n_rows; k++) {
				const char *duty = storage_rows_text(&duties, k, 2);
				if (storage_rows_int(&duties, k, 0, 0) != d || duty == NULL)
					continue;
				json_array_append_new(
				    strcmp(duty, "admin") == 0 ? adm : sup,
				    json_integer(storage_rows_int(&duties, k, 1, 0)));
			}
			for (size_t k = 0; k < counts.n_rows; k++)
				if (storage_rows_int(&counts, k, 0, 0) == d)
					n = storage_rows_int(&counts, k, 1, 0);
			const struct storage_value *parent = storage_rows_at(&depts, r, 2);
			json_array_append_new(
			    list,
			    json_pack("{s:I, s:s?, s:o, s:o, s:o, s:I}", "id", (json_int_t)d,
				      "name", storage_rows_text(&depts, r, 1), "parent_id",
				      parent->type == STORAGE_NULL
					  ? json_null()
					  : json_integer(storage_rows_int(&depts, r, 2, 0)),
				      "supervisor_ids", sup, "admin_ids", adm, "member_count", n));
		}
		*out = only > 0 ? json_incref(json_array_get(list, 0)) : list;
		if (only > 0)
			json_decref(list);
	}
	storage_rows_close(&counts);
	storage_rows_close(&duties);
	storage_rows_close(&depts);
	return rc;
}

int id_departments_list(const struct identity *id, const struct id_actor *actor, json_t **out,
			struct cr_err *err)
{
	struct id_facts f;
	json_t *list = NULL;
	int rc = view(id, actor, &f, err);

	id_facts_free(&f);
	if (rc == 0)
		rc = dept_json(id, actor, 0, &list, err);
	if (rc == 0)
		*out = json_pack("{s:o}", "departments", list);
	return rc;
}

static bool known(const struct id_facts *f, int64_t dept)
{
	for (size_t i = 0; i < f->n_depts; i++)
		if (f->dept_id[i] == dept)
			return true;
	return false;
}

struct dept_job {
	int64_t id;  /* 0 to create; out */
	bool is_new; /* a create: id is an output (a re-run starts from 0) */
	int64_t parent;
	const char *name;
	int64_t now_us;
	const int64_t *sup, *adm;
	size_t n_sup, n_adm;
	bool set_sup, set_adm, remove;
};

/* Refuse a sibling of the same name. */
static int unique_name(struct storage_tx *tx, const struct dept_job *j, struct cr_err *err)
{
	struct storage_value p[3] = { storage_int(j->parent), storage_text(j->name),
				      storage_int(j->id) };
	struct storage_rows rows;
	int rc = storage_tx_query(tx,
				  "SELECT 1 FROM department WHERE parent_id = ? AND name = ? "
				  "COLLATE NOCASE AND id <> ?",
				  p, 3, &rows, err);

	if (rc == 0 && rows.n_rows > 0)
		rc = cr_err_set(err, CR_ECONFLICT, "a department named '%s' is already there",
				j->name);
	storage_rows_close(&rows);
	return rc;
}

static int duties_set(struct storage_tx *tx, int64_t dept, const char *duty, const int64_t *ids,
		      size_t n, struct cr_err *err)
{
	struct storage_value p[3] = { storage_int(dept), storage_text(duty), storage_int(0) };
	int rc =
	    storage_tx_exec(tx, "DELETE FROM department_duty WHERE department_id = ? AND duty = ?",
			    p, 2, NULL, err);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		p[2] = storage_int(ids[i]);
		rc =
		    storage_tx_exec(tx,
				    "INSERT INTO department_duty (department_id, duty, account_id) "
				    "VALUES (?, ?, ?)",
				    p, 3, NULL, err);
	}
	return rc;
}

static int remove_dept(struct storage_tx *tx, struct dept_job *j, struct cr_err *err)
{
	struct storage_value p[2] = { storage_int(j->parent), storage_int(j->id) };
	static const char *const steps[] = {
		"UPDATE department SET parent_id = ?1 WHERE parent_id = ?2",
		/* NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one statement, two lines */
		"INSERT OR IGNORE INTO department_member (department_id, account_id) SELECT ?1, "
		"account_id FROM department_member WHERE department_id = ?2",
		"DELETE FROM department_member WHERE department_id = ?2",
		"DELETE FROM department_duty WHERE department_id = ?2 AND ?1 = ?1",
		"DELETE FROM department WHERE id = ?2 AND ?1 = ?1",
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
		rc = storage_tx_exec(tx, steps[i], p, 2, NULL, err);
	return rc;
}

/* Moving j->id under j->parent must not make a cycle: checked again in the
 * transaction, as another move may have committed since the request's
 * own check. */
static int no_cycle(struct storage_tx *tx, const struct dept_job *j, struct cr_err *err)
{
	int64_t cur = j->parent;
	int rc = 0;

	for (unsigned steps = 0; rc == 0 && cur > 0 && steps < 100000; steps++) {
		struct storage_value p = storage_int(cur);
		struct storage_rows rows;
		if (cur == j->id)
			return cr_err_set(err, CR_ECONFLICT,
					  "a department cannot move under itself or its own "
					  "sub-departments");
		rc = storage_tx_query(tx, "SELECT parent_id FROM department WHERE id = ?", &p, 1,
				      &rows, err);
		cur = rc == 0 && rows.n_rows > 0 ? storage_rows_int(&rows, 0, 0, 0) : 0;
		storage_rows_close(&rows);
	}
	return rc;
}

static int dept_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct dept_job *j = arg;
	struct storage_value p[4] = { storage_int(j->parent), storage_text(j->name),
				      storage_int(j->now_us), storage_int(j->id) };
	struct storage_result res = { 0 };
	int rc = 0;

	if (j->remove)
		return remove_dept(tx, j, err);
	if (j->is_new)
		j->id = 0;
	if (j->name != NULL)
		rc = unique_name(tx, j, err);
	if (rc == 0 && j->id == 0) {
		rc = storage_tx_exec(tx,
				     "INSERT INTO department (parent_id, name, created_us) VALUES "
				     "(?, ?, ?)",
				     p, 3, &res, err);
		j->id = rc == 0 ? (int64_t)res.last_insert_id : 0;
		if (rc == 0)
			rc = storage_tx_answer_ids(tx, &j->id, 1, err);
	} else if (rc == 0) {
		rc = no_cycle(tx, j, err);
		if (rc == 0)
			rc = storage_tx_exec(
			    tx,
			    "UPDATE department SET parent_id = CASE WHEN id = 1 THEN NULL "
			    "ELSE ?1 END, name = coalesce(?2, name) WHERE id = ?4 AND ?3 = ?3",
			    p, 4, NULL, err);
	}
	if (rc == 0 && j->set_sup)
		rc = duties_set(tx, j->id, "supervisor", j->sup, j->n_sup, err);
	if (rc == 0 && j->set_adm)
		rc = duties_set(tx, j->id, "admin", j->adm, j->n_adm, err);
	return rc;
}

int id_department_create(const struct identity *id, const struct id_actor *actor,
			 const json_t *body, const char *request_id, int64_t now_us, json_t **out,
			 struct cr_err *err)
{
	static const char *const keys[] = { "name", "parent_id", NULL };
	struct dept_job j = { .is_new = true, .now_us = now_us };
	struct id_facts f = { 0 };
	bool has_parent = false;
	int rc = id_body_object(body, err);

	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_string(body, "name", true, &j.name, err);
	if (rc == 0)
		rc = id_name_check(j.name, "department name", err);
	if (rc == 0)
		rc = id_body_id(body, "parent_id", &j.parent, &has_parent, err);
	if (rc == 0 && !has_parent)
		j.parent = ID_ROOT_DEPARTMENT;
	if (rc == 0)
		rc = id_facts_load(id, actor, &f, err);
	if (rc == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_CHANGE, &j.parent, 1, false, err);
	if (rc == 0 && !known(&f, j.parent))
		rc = cr_err_set(err, CR_EINVAL, "no department %lld to put it under",
				(long long)j.parent);
	id_facts_free(&f);
	if (rc == 0)
		rc = storage_write_ids(id->store, actor->db, request_id, dept_job, &j, &j.id, 1,
				       err);
	if (rc == 0)
		rc = dept_json(id, actor, j.id, out, err);
	return rc;
}

/* An API key never raises anyone to department admin (a department admin
 * resets passwords): it may keep or drop the department's admins, never
 * add one. */
static int key_adds_no_admin(const struct identity *id, const struct id_actor *a,
			     const struct dept_job *j, struct cr_err *err)
{
	struct storage_value p = storage_int(j->id);
	struct storage_rows rows;
	int rc;

	if (!a->via_api_key || !j->set_adm)
		return 0;
	rc = storage_query(id->store, a->db,
			   "SELECT account_id FROM department_duty WHERE department_id = ? AND "
			   "duty = 'admin'",
			   &p, 1, &rows, err);
	for (size_t i = 0; rc == 0 && i < j->n_adm; i++) {
		bool already = false;
		for (size_t r = 0; r < rows.n_rows && !already; r++)
			already = storage_rows_int(&rows, r, 0, 0) == j->adm[i];
		if (!already)
			rc = cr_err_set(err, CR_EDENIED,
					"an API key cannot make department admins (they may reset "
					"passwords): an admin does that in the console");
	}
	storage_rows_close(&rows);
	return rc;
}

static int update_checks(const struct identity *id, const struct id_actor *a,
			 const struct id_facts *f, struct dept_job *j, bool has_parent,
			 struct cr_err *err)
{
	int rc = id_authz_contacts(a, f, ID_CONTACTS_CHANGE, &j->id, 1, true, err);

	if (rc == 0 && !known(f, j->id))
		rc = cr_err_set(err, CR_ENOTFOUND, "no department %lld", (long long)j->id);
	if (rc == 0 && has_parent) {
		if (j->id == ID_ROOT_DEPARTMENT)
			rc = cr_err_set(err, CR_EINVAL, "the root department cannot be moved");
		else if (!known(f, j->parent))
			rc = cr_err_set(err, CR_EINVAL, "no department %lld to move it under",
					(long long)j->parent);
		else if (id_dept_within(f, j->parent, j->id))
			rc = cr_err_set(err, CR_EINVAL,
					"a department cannot move under itself or its own "
					"sub-departments");
		else
			rc = id_authz_contacts(a, f, ID_CONTACTS_CHANGE, &j->parent, 1, false, err);
	}
	if (rc == 0 && (j->set_sup || j->set_adm))
		rc = id_authz_contacts(a, f, ID_CONTACTS_CHANGE, NULL, 0, false, err);
	if (rc == 0 && j->set_sup)
		rc = id_accounts_are_members(id, a->workspace_id, j->sup, j->n_sup, err);
	if (rc == 0 && j->set_adm)
		rc = id_accounts_are_members(id, a->workspace_id, j->adm, j->n_adm, err);
	if (rc == 0)
		rc = key_adds_no_admin(id, a, j, err);
	/* Checking names needs the parent the department ends under. */
	for (size_t i = 0; rc == 0 && !has_parent && i < f->n_depts; i++)
		if (f->dept_id[i] == j->id)
			j->parent = f->dept_parent[i];
	return rc;
}

int id_department_update(const struct identity *id, const struct id_actor *actor, int64_t dept_id,
			 const json_t *body, const char *request_id, json_t **out,
			 struct cr_err *err)
{
	static const char *const keys[] = { "name", "parent_id", "supervisor_ids", "admin_ids",
					    NULL };
	struct dept_job j = { .id = dept_id };
	int64_t *sup = NULL, *adm = NULL;
	struct id_facts f = { 0 };
	bool has_parent = false;
	int rc = id_body_object(body, err);

	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_string(body, "name", false, &j.name, err);
	if (rc == 0 && j.name != NULL)
		rc = id_name_check(j.name, "department name", err);
	if (rc == 0)
		rc = id_body_id(body, "parent_id", &j.parent, &has_parent, err);
	if (rc == 0)
		rc = id_body_ids(body, "supervisor_ids", 64, &sup, &j.n_sup, &j.set_sup, err);
	if (rc == 0)
		rc = id_body_ids(body, "admin_ids", 64, &adm, &j.n_adm, &j.set_adm, err);
	j.sup = sup;
	j.adm = adm;
	if (rc == 0)
		rc = id_facts_load(id, actor, &f, err);
	if (rc == 0)
		rc = update_checks(id, actor, &f, &j, has_parent, err);
	id_facts_free(&f);
	if (rc == 0)
		rc = storage_write(id->store, actor->db, request_id, dept_job, &j, err);
	if (rc >= 0)
		rc = dept_json(id, actor, dept_id, out, err);
	free(sup);
	free(adm);
	return rc < 0 ? rc : 0;
}

int id_department_delete(const struct identity *id, const struct id_actor *actor, int64_t dept_id,
			 const char *request_id, struct cr_err *err)
{
	struct dept_job j = { .id = dept_id, .remove = true };
	struct id_facts f = { 0 };
	/* A replay is done: the checks would find the department gone. */
	int rc = storage_request_seen(id->store, actor->db, request_id, err);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = id_facts_load(id, actor, &f, err);

	if (rc == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_CHANGE, &dept_id, 1, true, err);
	if (rc == 0 && !known(&f, dept_id))
		rc = cr_err_set(err, CR_ENOTFOUND, "no department %lld", (long long)dept_id);
	if (rc == 0 && dept_id == ID_ROOT_DEPARTMENT)
		rc = cr_err_set(err, CR_EINVAL, "the root department cannot be deleted");
	for (size_t i = 0; rc == 0 && i < f.n_depts; i++)
		if (f.dept_id[i] == dept_id)
			j.parent = f.dept_parent[i];
	id_facts_free(&f);
	if (rc == 0)
		rc = storage_write(id->store, actor->db, request_id, dept_job, &j, err);
	return rc < 0 ? rc : 0;
}

struct path_job {
	char names[PATH_DEPTH_MAX][ID_NAME_MAX * 4 + 1];
	size_t n;
	int64_t now_us;
	int64_t id; /* out */
};

static int path_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct path_job *j = arg;
	int64_t parent = ID_ROOT_DEPARTMENT;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < j->n; i++) {
		struct storage_value p[3] = { storage_int(parent), storage_text(j->names[i]),
					      storage_int(j->now_us) };
		struct storage_rows rows;
		struct storage_result res = { 0 };
		rc = storage_tx_query(tx,
				      "SELECT id FROM department WHERE parent_id = ? AND name = ? "
				      "COLLATE NOCASE",
				      p, 2, &rows, err);
		if (rc == 0 && rows.n_rows > 0) {
			parent = storage_rows_int(&rows, 0, 0, 0);
		} else if (rc == 0) {
			rc = storage_tx_exec(tx,
					     "INSERT INTO department (parent_id, name, created_us) "
					     "VALUES (?, ?, ?)",
					     p, 3, &res, err);
			parent = (int64_t)res.last_insert_id;
		}
		storage_rows_close(&rows);
	}
	j->id = parent;
	return rc;
}

/* The deepest department of the path that exists already must be one the
 * actor may add to: what the path creates lies below it. */
static int path_allowed(const struct identity *id, const struct id_actor *a,
			const struct path_job *j, struct cr_err *err)
{
	int64_t parent = ID_ROOT_DEPARTMENT;
	struct id_facts f;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < j->n; i++) {
		struct storage_value p[2] = { storage_int(parent), storage_text(j->names[i]) };
		struct storage_rows rows;
		rc = storage_query(id->store, a->db,
				   "SELECT id FROM department WHERE parent_id = ? AND name = ? "
				   "COLLATE NOCASE",
				   p, 2, &rows, err);
		bool found = rc == 0 && rows.n_rows > 0;
		if (found)
			parent = storage_rows_int(&rows, 0, 0, 0);
		storage_rows_close(&rows);
		if (!found)
			break;
	}
	if (rc == 0)
		rc = id_facts_load(id, a, &f, err);
	if (rc == 0) {
		rc = id_authz_contacts(a, &f, ID_CONTACTS_CHANGE, &parent, 1, false, err);
		id_facts_free(&f);
	}
	return rc;
}

int id_department_ensure_path(const struct identity *id, const struct id_actor *actor,
			      const char *path, int64_t now_us, int64_t *dept_id,
			      struct cr_err *err)
{
	struct path_job *j = cr_calloc(1, sizeof(*j));
	const char *p = path;
	int rc = 0;

	j->now_us = now_us;
	while (rc == 0 && *p != '\0') {
		size_t len = strcspn(p, "/");
		if (j->n >= PATH_DEPTH_MAX)
			rc = cr_err_set(err, CR_EINVAL, "department paths are at most %d deep",
					PATH_DEPTH_MAX);
		else if (len == 0 || len >= sizeof(j->names[0]))
			rc = cr_err_set(err, CR_EINVAL, "the department path '%s' is not valid",
					path);
		if (rc == 0) {
			memcpy(j->names[j->n], p, len);
			j->names[j->n][len] = '\0';
			rc = id_name_check(j->names[j->n++], "department name", err);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	if (rc == 0)
		rc = path_allowed(id, actor, j, err);
	if (rc == 0)
		rc = storage_write(id->store, actor->db, NULL, path_job, j, err);
	*dept_id = j->id > 0 ? j->id : ID_ROOT_DEPARTMENT;
	free(j);
	return rc < 0 ? rc : 0;
}
