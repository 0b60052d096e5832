/* core/identity/invitations.c: adding an existing account to a workspace.
 *
 * An account belongs to the people it identifies. A workspace that wants
 * an account it did not make (by login, by an id its admins can see, or a
 * CSV line whose login is taken) sends it an invitation; the account
 * becomes a member only when it accepts (in the console or by API), and
 * may decline. The sender learns nothing from the answer: an unknown
 * login, a member and an invited account all get "an invitation was
 * sent". Account search finds only people the searcher already sees. An
 * invitation lapses after ID_INVITATION_DAYS (prune.c drops it). Rows
 * live in the system database beside the membership they lead to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"

#include "identity_int.h"
#include "workspace.h"

#define INVITATION_TTL_US ((int64_t)ID_INVITATION_DAYS * 24 * 3600 * 1000000)
#define SEARCH_MAX        20

struct send_job {
	const char *workspace_id, *login, *title;
	int64_t account_id, dept, invited_by, now_us;
};

/* Nothing for an unknown account or a member; a second invitation
 * replaces the first. */
static int send_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct send_job *j = arg;
	struct storage_value p[7] = { storage_text(j->workspace_id), storage_int(j->account_id),
				      storage_int(j->dept),          storage_text(j->title),
				      storage_int(j->invited_by),    storage_int(j->now_us),
				      storage_text(j->login) };

	return storage_tx_exec(
	    tx,
	    "INSERT INTO member_invitation (workspace_id, account_id, department_id, title, "
	    "invited_by, created_us) SELECT ?1, a.id, ?3, ?4, ?5, ?6 FROM account a WHERE (a.id = "
	    "?2 OR a.login = ?7) AND NOT EXISTS (SELECT 1 FROM workspace_member m WHERE "
	    "m.workspace_id = ?1 AND m.account_id = a.id) ON CONFLICT (workspace_id, account_id) "
	    "DO UPDATE SET department_id = excluded.department_id, title = excluded.title, "
	    "invited_by = excluded.invited_by, created_us = excluded.created_us",
	    p, 7, NULL, err);
}

int id_invitation_send(const struct identity *id, const struct id_actor *actor, int64_t account_id,
		       const char *login, int64_t dept, const char *title, int64_t now_us,
		       struct cr_err *err)
{
	struct send_job j = { actor->workspace_id,
			      login != NULL ? login : "",
			      title != NULL ? title : "",
			      account_id,
			      dept,
			      actor->account.id,
			      now_us };

	int rc;

	if (actor->via_api_key)
		return cr_err_set(err, CR_EDENIED,
				  "an API key creates new accounts only; an admin invites existing "
				  "ones in the console");
	rc = storage_write(id->store, STORAGE_DB_SYSTEM, NULL, send_job, &j, err);
	return rc < 0 ? rc : 0;
}

int id_invitation_create(const struct identity *id, const struct id_actor *actor,
			 const json_t *body, int64_t now_us, json_t **out, struct cr_err *err)
{
	static const char *const keys[] = { "login", "account_id", "department_id", "title", NULL };
	const char *login = NULL, *title = NULL;
	int64_t account_id = 0, dept = ID_ROOT_DEPARTMENT;
	bool has_account = false, has_dept = false;
	struct id_facts f = { 0 };
	int rc = id_body_object(body, err);

	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_string(body, "login", false, &login, err);
	if (rc == 0)
		rc = id_body_id(body, "account_id", &account_id, &has_account, err);
	if (rc == 0 && (login == NULL) == !has_account)
		rc = cr_err_set(err, CR_EINVAL, "give either 'login' or 'account_id'");
	if (rc == 0 && login != NULL)
		rc = id_login_check(login, err);
	if (rc == 0)
		rc = id_body_id(body, "department_id", &dept, &has_dept, err);
	if (rc == 0 && !has_dept)
		dept = ID_ROOT_DEPARTMENT;
	if (rc == 0)
		rc = id_body_string(body, "title", false, &title, err);
	if (rc == 0 && title != NULL && title[0] != '\0')
		rc = id_name_check(title, "title", err);
	if (rc == 0)
		rc = id_facts_load(id, actor, &f, err);
	if (rc == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_CHANGE, &dept, 1, false, err);
	if (rc == 0 && !id_dept_within(&f, dept, ID_ROOT_DEPARTMENT))
		rc = cr_err_set(err, CR_EINVAL, "no department %lld in this workspace",
				(long long)dept);
	id_facts_free(&f);
	if (rc == 0)
		rc = id_invitation_send(id, actor, account_id, login, dept, title, now_us, err);
	if (rc == 0)
		*out = json_pack("{s:s}", "message",
				 "an invitation was sent: the account joins when it accepts");
	return rc;
}

static int own_account(const struct id_actor *actor, const char *workspace_id, struct cr_err *err)
{
	if (actor->via_api_key || actor->account.id <= 0)
		return cr_err_set(err, CR_EDENIED,
				  "only the invited account answers an invitation");
	if (workspace_id != NULL && !id_workspace_id_valid(workspace_id))
		return cr_err_set(err, CR_ENOTFOUND, "no invitation to this workspace");
	return 0;
}

int id_invitations_mine(const struct identity *id, const struct id_actor *actor, int64_t now_us,
			json_t **out, struct cr_err *err)
{
	struct storage_value p[2] = { storage_int(actor->account.id),
				      storage_int(now_us - INVITATION_TTL_US) };
	struct storage_rows rows = { 0 };
	int rc = own_account(actor, NULL, err);

	if (rc == 0)
		rc = storage_query(
		    id->store, STORAGE_DB_SYSTEM,
		    "SELECT i.workspace_id, w.name, i.created_us, coalesce(a.name, "
		    "'') FROM member_invitation i JOIN workspace w ON w.id = "
		    "i.workspace_id LEFT JOIN account a ON a.id = i.invited_by WHERE "
		    "i.account_id = ? AND i.created_us > ? ORDER BY i.created_us DESC",
		    p, 2, &rows, err);
	if (rc == 0) {
		json_t *list = json_array();
		for (size_t r = 0; r < rows.n_rows; r++)
			json_array_append_new(
			    list, json_pack("{s:{s:s?, s:s?}, s:s?, s:o}", "workspace", "id",
					    storage_rows_text(&rows, r, 0), "name",
					    storage_rows_text(&rows, r, 1), "invited_by",
					    storage_rows_text(&rows, r, 3), "invited_at",
					    id_time_json(storage_rows_int(&rows, r, 2, 0))));
		*out = json_pack("{s:o}", "invitations", list);
	}
	storage_rows_close(&rows);
	return rc;
}

/* The pending invitation: its department and title, and the workspace's
 * name. CR_ENOTFOUND when there is none (or it lapsed). */
static int invitation_load(const struct identity *id, const struct id_actor *actor,
			   const char *workspace_id, int64_t now_us, struct storage_rows *rows,
			   struct cr_err *err)
{
	struct storage_value p[3] = { storage_text(workspace_id), storage_int(actor->account.id),
				      storage_int(now_us - INVITATION_TTL_US) };
	int rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			       "SELECT i.department_id, i.title, w.name FROM member_invitation i "
			       "JOIN workspace w ON w.id = i.workspace_id WHERE i.workspace_id = ? "
			       "AND i.account_id = ? AND i.created_us > ?",
			       p, 3, rows, err);

	if (rc == 0 && rows->n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no invitation to this workspace");
	return rc;
}

int id_invitation_decline(const struct identity *id, const struct id_actor *actor,
			  const char *workspace_id, struct cr_err *err)
{
	struct storage_value p[2] = { storage_text(workspace_id), storage_int(actor->account.id) };
	struct storage_result res = { 0 };
	int rc = own_account(actor, workspace_id, err);

	if (rc == 0)
		rc = storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
				  "DELETE FROM member_invitation WHERE workspace_id = ? AND "
				  "account_id = ?",
				  p, 2, &res, err);
	if (rc == 0 && res.rows_affected == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no invitation to this workspace");
	return rc < 0 ? rc : 0;
}

int id_invitation_accept(const struct identity *id, const struct id_actor *actor,
			 const char *workspace_id, int64_t now_us, json_t **out, struct cr_err *err)
{
	struct storage_rows rows = { 0 };
	int64_t dept = 0, joined = 0;
	int rc = own_account(actor, workspace_id, err);

	if (rc == 0)
		rc = invitation_load(id, actor, workspace_id, now_us, &rows, err);
	if (rc == 0) {
		dept = storage_rows_int(&rows, 0, 0, ID_ROOT_DEPARTMENT);
		/* A department deleted since leaves the member in the root. */
		rc = id_member_join(id, workspace_id, actor->account.id, NULL,
				    storage_rows_text(&rows, 0, 1), &dept, 1, NULL, 0, NULL, now_us,
				    &joined, err);
	}
	/* Joined, or a member already (then the invitation is moot too). */
	if (rc == 0 || rc == CR_ECONFLICT) {
		struct cr_err ignored = { 0 };
		int drc = id_invitation_decline(id, actor, workspace_id, &ignored);
		if (rc == 0 && drc < 0 && drc != CR_ENOTFOUND)
			rc = cr_err_set(err, drc, "%s", ignored.msg);
	}
	if (rc == 0)
		*out =
		    json_pack("{s:{s:s, s:s?, s:s}}", "workspace", "id", workspace_id, "name",
			      storage_rows_text(&rows, 0, 2), "role", id_role_name(ID_ROLE_MEMBER));
	storage_rows_close(&rows);
	return rc;
}

/* ---- finding whom to invite ---- */

/* Escape a LIKE pattern's wildcards (with '\'). */
static char *like_pattern(const char *q)
{
	size_t n = strlen(q);
	char *p = cr_malloc(2 * n + 3);
	size_t o = 0;

	p[o++] = '%';
	for (size_t i = 0; i < n; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			p[o++] = '\\';
		p[o++] = q[i];
	}
	p[o++] = '%';
	p[o] = '\0';
	return p;
}

int id_account_search(const struct identity *id, const struct id_actor *actor, const char *q,
		      json_t **out, struct cr_err *err)
{
	struct id_facts f;
	struct storage_value p[4];
	struct storage_rows rows;
	char *pattern;
	json_t *list;
	int rc = id_facts_load(id, actor, &f, err);

	if (rc == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_SEARCH, NULL, 0, false, err);
	id_facts_free(&f);
	if (rc < 0)
		return rc;
	if (q == NULL || strlen(q) < 2 || strlen(q) > ID_NAME_MAX)
		return cr_err_set(err, CR_EINVAL, "search for at least 2 characters");
	pattern = like_pattern(q);
	p[0] = storage_text(actor->workspace_id);
	p[1] = storage_text(pattern);
	p[2] = storage_int(SEARCH_MAX);
	p[3] = storage_int(actor->account.id);
	/* Only people the searcher sees already: members of the workspaces
	 * the searcher is an active member of. Anyone else is invited by
	 * exact login (invitations.c), which reveals nothing. */
	rc = storage_query(
	    id->store, STORAGE_DB_SYSTEM,
	    "SELECT a.id, a.login, a.name, m.account_id IS NOT NULL FROM account a "
	    "LEFT JOIN workspace_member m ON m.account_id = a.id AND m.workspace_id "
	    "= ?1 WHERE (a.login LIKE ?2 ESCAPE '\\' OR a.name LIKE ?2 ESCAPE '\\') "
	    "AND a.id IN (SELECT v.account_id FROM workspace_member v JOIN "
	    "workspace_member s ON s.workspace_id = v.workspace_id WHERE s.account_id "
	    "= ?4 AND s.status = 'active') ORDER BY a.login LIMIT ?3",
	    p, 4, &rows, err);
	free(pattern);
	if (rc == 0) {
		list = json_array();
		for (size_t r = 0; r < rows.n_rows; r++)
			json_array_append_new(
			    list, json_pack("{s:I, s:s?, s:s?, s:b}", "id",
					    (json_int_t)storage_rows_int(&rows, r, 0, 0), "login",
					    storage_rows_text(&rows, r, 1), "name",
					    storage_rows_text(&rows, r, 2), "is_member",
					    storage_rows_int(&rows, r, 3, 0) != 0));
		*out = json_pack("{s:o}", "accounts", list);
	}
	storage_rows_close(&rows);
	return rc;
}
