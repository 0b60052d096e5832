/* core/identity/sessions.c: who holds a session or an API key, signing
 * out, and one's own account.
 *
 * A session ends at the first of two times: session_lifetime_us after it
 * began (created_us; checked against the current setting), and its
 * session.expires_us, the idle deadline, which a use moves to
 * session_idle_us from then (never past the lifetime). So that a busy
 * session is not a write per request, the deadline moves only once it
 * has run down by a slack (a quarter of the idle time, at most a minute):
 * a session may end up to that slack earlier than the idle time says. */
#include <stdio.h>
#include <string.h>

#include "identity_int.h"

static void fill_account(struct id_account *a, const struct storage_rows *rows, size_t r,
			 unsigned col)
{
	const char *login = storage_rows_text(rows, r, col + 1);
	const char *name = storage_rows_text(rows, r, col + 2);

	a->id = storage_rows_int(rows, r, col, 0);
	(void)snprintf(a->login, sizeof(a->login), "%s", login != NULL ? login : "");
	(void)snprintf(a->name, sizeof(a->name), "%s", name != NULL ? name : "");
	a->is_installation_admin = storage_rows_int(rows, r, col + 3, 0) != 0;
}

static enum id_role role_of(const char *role, const char *status)
{
	if (role == NULL || status == NULL || strcmp(status, "active") != 0)
		return ID_ROLE_NONE;
	if (strcmp(role, "super_admin") == 0)
		return ID_ROLE_SUPER_ADMIN;
	if (strcmp(role, "system_admin") == 0)
		return ID_ROLE_SYSTEM_ADMIN;
	return ID_ROLE_MEMBER;
}

#define IDLE_SLACK_MAX_US (60LL * 1000000)

/* The session was used at now_us: move its idle deadline (idle_until_us,
 * as stored) if it has run down by more than the slack. A failure is not
 * the request's: the session then ends a little sooner. */
static void session_touch(const struct identity *id, const char *hash, int64_t idle_until_us,
			  int64_t ends_us, int64_t now_us)
{
	int64_t slack = id->session_idle_us / 4;
	int64_t next = now_us + id->session_idle_us;
	struct storage_value p[2];

	if (id->session_idle_us <= 0)
		return;
	if (slack > IDLE_SLACK_MAX_US)
		slack = IDLE_SLACK_MAX_US;
	if (next > ends_us)
		next = ends_us;
	if (next - idle_until_us <= slack)
		return;
	p[0] = storage_int(next);
	p[1] = storage_text(hash);
	(void)storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
			   "UPDATE session SET expires_us = max(expires_us, ?) WHERE "
			   "token_sha256 = ?",
			   p, 2, NULL, NULL);
}

int id_session_check(const struct identity *id, const char *token, const char *workspace_id,
		     int64_t now_us, struct id_actor *actor, struct cr_err *err)
{
	char hash[ID_HASH_HEX + 1];
	struct storage_value p[4];
	struct storage_rows rows;
	int rc;

	*actor = (struct id_actor){ 0 };
	if (token == NULL || token[0] == '\0' || strlen(token) > ID_TOKEN_MAX)
		return cr_err_set(err, CR_EAUTH, "sign in first");
	id_hash_hex(id, token, hash);
	p[0] = storage_text(workspace_id != NULL ? workspace_id : "");
	p[1] = storage_text(hash);
	p[2] = storage_int(now_us);
	p[3] = storage_int(now_us - id->session_lifetime_us);
	rc = storage_query(
	    id->store, STORAGE_DB_SYSTEM,
	    "SELECT a.id, a.login, a.name, a.is_installation_admin, s.csrf_token, "
	    "s.expires_us, m.role, m.status, s.created_us, a.password_changed_us FROM session s "
	    "JOIN account a ON a.id = s.account_id LEFT JOIN workspace_member m ON "
	    "m.account_id = a.id AND m.workspace_id = ? WHERE s.token_sha256 = ? AND "
	    "s.expires_us > ? AND s.created_us > ?",
	    p, 4, &rows, err);
	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_EAUTH, "your session has ended; sign in again");
	if (rc == 0) {
		const char *csrf = storage_rows_text(&rows, 0, 4);
		fill_account(&actor->account, &rows, 0, 0);
		actor->account.must_change_password = storage_rows_int(&rows, 0, 9, 0) == 0;
		memcpy(actor->session_hash, hash, sizeof(hash));
		(void)snprintf(actor->csrf_token, sizeof(actor->csrf_token), "%s",
			       csrf != NULL ? csrf : "");
		actor->expires_us = storage_rows_int(&rows, 0, 8, 0) + id->session_lifetime_us;
		session_touch(id, hash, storage_rows_int(&rows, 0, 5, 0), actor->expires_us,
			      now_us);
		actor->role =
		    role_of(storage_rows_text(&rows, 0, 6), storage_rows_text(&rows, 0, 7));
		if (workspace_id != NULL) {
			(void)snprintf(actor->workspace_id, sizeof(actor->workspace_id), "%s",
				       workspace_id);
			id_workspace_db(workspace_id, actor->db);
		}
	}
	storage_rows_close(&rows);
	return rc;
}

int id_api_key_check(const struct identity *id, const char *key, const char *workspace_id,
		     struct id_actor *actor, struct cr_err *err)
{
	char hash[ID_HASH_HEX + 1];
	struct storage_value p;
	struct storage_rows rows;
	int rc;

	*actor = (struct id_actor){ 0 };
	if (key == NULL || strncmp(key, "creek_", 6) != 0 || strlen(key) > ID_API_KEY_MAX)
		return cr_err_set(err, CR_EAUTH, "the API key is not valid");
	id_hash_hex(id, key, hash);
	p = storage_text(hash);
	rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			   "SELECT workspace_id FROM api_key WHERE key_sha256 = ?", &p, 1, &rows,
			   err);
	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_EAUTH, "the API key is not valid (revoked or unknown)");
	if (rc == 0) {
		const char *ws = storage_rows_text(&rows, 0, 0);
		if (workspace_id == NULL || ws == NULL || strcmp(ws, workspace_id) != 0)
			rc = cr_err_set(err, CR_EDENIED,
					"this API key belongs to another workspace");
	}
	if (rc == 0) {
		actor->via_api_key = true;
		actor->role = ID_ROLE_NONE;
		(void)snprintf(actor->workspace_id, sizeof(actor->workspace_id), "%s",
			       workspace_id);
		id_workspace_db(workspace_id, actor->db);
		(void)snprintf(actor->account.name, sizeof(actor->account.name), "API key");
	}
	storage_rows_close(&rows);
	return rc;
}

int id_sign_out(const struct identity *id, const struct id_actor *actor, struct cr_err *err)
{
	struct storage_value p = storage_text(actor->session_hash);

	return storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
			    "DELETE FROM session WHERE token_sha256 = ?", &p, 1, NULL, err);
}

int id_sign_out_everywhere(const struct identity *id, const struct id_actor *actor,
			   struct cr_err *err)
{
	struct storage_value p = storage_int(actor->account.id);

	return storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
			    "DELETE FROM session WHERE account_id = ?", &p, 1, NULL, err);
}

int id_sessions_list(const struct identity *id, const struct id_actor *actor, int64_t now_us,
		     json_t **out, struct cr_err *err)
{
	struct storage_value p[3] = { storage_int(actor->account.id), storage_int(now_us),
				      storage_int(now_us - id->session_lifetime_us) };
	struct storage_rows rows;
	json_t *list;
	int rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			       "SELECT token_sha256, created_us, expires_us, address FROM session "
			       "WHERE account_id = ? AND expires_us > ? AND created_us > ? ORDER "
			       "BY created_us DESC",
			       p, 3, &rows, err);

	if (rc < 0) {
		storage_rows_close(&rows);
		return rc;
	}
	list = json_array();
	for (size_t r = 0; r < rows.n_rows; r++) {
		const char *hash = storage_rows_text(&rows, r, 0);
		int64_t created = storage_rows_int(&rows, r, 1, 0);
		json_array_append_new(
		    list,
		    json_pack("{s:s%, s:o, s:o, s:o, s:s?, s:b}", "id", hash != NULL ? hash : "",
			      (size_t)(hash != NULL && strlen(hash) >= ID_SESSION_ID_LEN
					   ? ID_SESSION_ID_LEN
					   : 0),
			      "created_at", id_time_json(created), "idle_until",
			      id_time_json(storage_rows_int(&rows, r, 2, 0)), "expires_at",
			      id_time_json(created + id->session_lifetime_us), "address",
			      storage_rows_text(&rows, r, 3), "current",
			      hash != NULL && strcmp(hash, actor->session_hash) == 0));
	}
	storage_rows_close(&rows);
	*out = json_pack("{s:o}", "sessions", list);
	return 0;
}

int id_session_end(const struct identity *id, const struct id_actor *actor, const char *session_id,
		   struct cr_err *err)
{
	struct storage_value p[2] = { storage_int(actor->account.id),
				      storage_text(session_id != NULL ? session_id : "") };
	struct storage_result res = { 0 };
	int rc;

	if (session_id == NULL || strlen(session_id) != ID_SESSION_ID_LEN ||
	    strspn(session_id, "0123456789abcdef") != ID_SESSION_ID_LEN)
		return cr_err_set(err, CR_ENOTFOUND, "no such session of yours");
	rc = storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
			  "DELETE FROM session WHERE account_id = ? AND substr(token_sha256, 1, "
			  "16) = ?",
			  p, 2, &res, err);
	if (rc == 0 && res.rows_affected == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no such session of yours");
	return rc;
}

int id_me(const struct identity *id, const struct id_actor *actor, json_t **out, struct cr_err *err)
{
	struct storage_value p = storage_int(actor->account.id);
	struct storage_rows rows;
	json_t *list;
	int rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			       "SELECT w.id, w.name, m.role FROM workspace_member m JOIN workspace "
			       "w ON w.id = m.workspace_id WHERE m.account_id = ? AND m.status = "
			       "'active' ORDER BY w.created_us",
			       &p, 1, &rows, err);

	if (rc < 0) {
		storage_rows_close(&rows);
		return rc;
	}
	list = json_array();
	for (size_t r = 0; r < rows.n_rows; r++)
		json_array_append_new(list, json_pack("{s:s?, s:s?, s:s?}", "id",
						      storage_rows_text(&rows, r, 0), "name",
						      storage_rows_text(&rows, r, 1), "role",
						      storage_rows_text(&rows, r, 2)));
	storage_rows_close(&rows);
	*out = json_pack("{s:o, s:s, s:o, s:o}", "account", id_account_json(&actor->account),
			 "csrf_token", actor->csrf_token, "expires_at",
			 id_time_json(actor->expires_us), "workspaces", list);
	return 0;
}

int id_me_rename(const struct identity *id, const struct id_actor *actor, const char *name,
		 struct cr_err *err)
{
	struct storage_value p[2] = { storage_text(name), storage_int(actor->account.id) };

	if (id_name_check(name, "name", err) < 0)
		return CR_EINVAL;
	return storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
			    "UPDATE account SET name = ? WHERE id = ?", p, 2, NULL, err);
}

struct password_job {
	int64_t account_id;
	const char *hash;
	const char *keep_session; /* digest of the session to keep, or NULL */
	const char *old_hash;     /* the hash the check was made against, or NULL */
	int64_t now_us;
};

static int password_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct password_job *j = arg;
	/* A password set by someone else (no old hash checked) must be
	 * changed by its owner: password_changed_us 0. */
	struct storage_value p[4] = { storage_text(j->hash),
				      storage_int(j->old_hash != NULL ? j->now_us : 0),
				      storage_int(j->account_id),
				      storage_text(j->old_hash != NULL ? j->old_hash : "") };
	struct storage_value q[2] = { storage_int(j->account_id),
				      storage_text(j->keep_session != NULL ? j->keep_session
									   : "") };
	struct storage_result res = { 0 };
	int rc = storage_tx_exec(
	    tx,
	    j->old_hash != NULL ? "UPDATE account SET password_hash = ?, password_changed_us = "
				  "? WHERE id = ? AND password_hash = ?"
				: "UPDATE account SET password_hash = ?, password_changed_us = "
				  "? WHERE id = ?",
	    p, j->old_hash != NULL ? 4 : 3, &res, err);

	if (rc == 0 && res.rows_affected == 0)
		return cr_err_set(err, CR_ECONFLICT,
				  "the password was changed meanwhile; try again");
	if (rc == 0)
		rc = storage_tx_exec(tx,
				     "DELETE FROM session WHERE account_id = ? AND "
				     "token_sha256 <> ?",
				     q, 2, NULL, err);
	return rc;
}

int id_password_set(const struct identity *id, int64_t account_id, const char *login,
		    const char *password, const char *keep_session, const char *old_hash,
		    int64_t now_us, struct cr_err *err)
{
	char hash[ID_PASSWORD_HASH_MAX + 1];
	struct password_job j = { account_id, hash, keep_session, old_hash, now_us };
	int rc = id_password_check(password, login, err);

	if (rc == 0)
		rc = id_password_hash(id, password, hash, err);
	if (rc == 0)
		rc = storage_write(id->store, STORAGE_DB_SYSTEM, NULL, password_job, &j, err);
	return rc;
}

int id_password_change(const struct identity *id, const struct id_actor *actor, const char *current,
		       const char *next, const char *address, int64_t now_us,
		       unsigned *retry_after_s, struct cr_err *err)
{
	struct storage_value p = storage_int(actor->account.id);
	struct storage_rows rows;
	char stored[ID_PASSWORD_HASH_MAX + 1] = "";
	int rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			       "SELECT password_hash FROM account WHERE id = ?", &p, 1, &rows, err);

	*retry_after_s = 0;
	if (rc == 0 && rows.n_rows > 0)
		(void)snprintf(stored, sizeof(stored), "%s", storage_rows_text(&rows, 0, 0));
	storage_rows_close(&rows);
	if (rc == 0)
		rc = id_password_check(next, actor->account.login, err);
	if (rc == 0)
		rc = id_password_attempt(id, actor->account.login, current, stored, address, now_us,
					 retry_after_s, err);
	if (rc < 0)
		return rc;
	return id_password_set(id, actor->account.id, actor->account.login, next,
			       actor->session_hash, stored, now_us, err);
}

int id_account_password_reset(const struct identity *id, const char *login, const char *password,
			      int64_t now_us, struct cr_err *err)
{
	struct storage_value p = storage_text(login != NULL ? login : "");
	struct storage_rows rows;
	int rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			       "SELECT id, login FROM account WHERE login = ?", &p, 1, &rows, err);

	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no account '%s'", login != NULL ? login : "");
	if (rc == 0 && password == NULL)
		rc = cr_err_set(err, CR_EINVAL, "'new_password' is required");
	if (rc == 0)
		rc = id_password_set(id, storage_rows_int(&rows, 0, 0, 0),
				     storage_rows_text(&rows, 0, 1), password, NULL, NULL, now_us,
				     err);
	storage_rows_close(&rows);
	return rc;
}
