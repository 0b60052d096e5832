/* core/identity/invites.c: invite links (a secret URL that lets people
 * join a workspace, into a department). They live in the system database,
 * where a token is found without knowing its workspace; only its SHA-256
 * is stored, and the secret is shown once. API keys are api_keys.c's. */
#include <stdio.h>
#include <string.h>

#include "identity_int.h"
#include "workspace.h"

#define INVITE_TOKEN_BYTES 24
#define TTL_HOURS_DEFAULT  168
#define TTL_HOURS_MAX      8760
#define MAX_USES_MAX       100000
/* A link nobody limited still stops after this many people: a link that
 * leaks lets in a few strangers, not a crowd (0 asks for no limit). */
#define MAX_USES_DEFAULT 20
/* Registrations refused for a taken login, per client address and
 * throttle window, before the address must wait for the window's end. */
#define REGISTER_REFUSALS_MAX 10

static json_t *invite_json(const struct storage_rows *rows, size_t r)
{
	return json_pack("{s:I, s:I, s:o, s:I, s:I, s:b, s:I, s:o}", "id",
			 (json_int_t)storage_rows_int(rows, r, 0, 0), "department_id",
			 (json_int_t)storage_rows_int(rows, r, 1, 0), "expires_at",
			 id_time_json(storage_rows_int(rows, r, 2, 0)), "max_uses",
			 (json_int_t)storage_rows_int(rows, r, 3, 0), "uses",
			 (json_int_t)storage_rows_int(rows, r, 4, 0), "revoked",
			 storage_rows_int(rows, r, 5, 0) != 0, "created_by",
			 (json_int_t)storage_rows_int(rows, r, 6, 0), "created_at",
			 id_time_json(storage_rows_int(rows, r, 7, 0)));
}

static int invite_rows(const struct identity *id, const struct id_actor *a, int64_t only,
		       struct storage_rows *rows, struct cr_err *err)
{
	struct storage_value p[2] = { storage_text(a->workspace_id), storage_int(only) };

	return storage_query(id->store, STORAGE_DB_SYSTEM,
			     "SELECT id, department_id, expires_us, max_uses, uses, revoked, "
			     "created_by, created_us FROM invite_link WHERE workspace_id = ?1 AND "
			     "(?2 = 0 OR id = ?2) ORDER BY id DESC",
			     p, 2, rows, err);
}

int id_invites_list(const struct identity *id, const struct id_actor *actor, json_t **out,
		    struct cr_err *err)
{
	struct id_facts f;
	struct storage_rows rows = { 0 };
	bool all;
	int rc = id_facts_load(id, actor, &f, err);

	if (rc < 0)
		return rc;
	all = id_authz_contacts(actor, &f, ID_CONTACTS_INVITE, NULL, 0, false, NULL) == 0;
	if (!all && (actor->via_api_key || f.n_admin_of == 0))
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_INVITE, NULL, 0, false, err);
	if (rc == 0)
		rc = invite_rows(id, actor, 0, &rows, err);
	if (rc == 0) {
		json_t *list = json_array();
		for (size_t r = 0; r < rows.n_rows; r++)
			if (all ||
			    id_dept_administered(&f, storage_rows_int(&rows, r, 1, 0), false))
				json_array_append_new(list, invite_json(&rows, r));
		*out = json_pack("{s:o}", "invite_links", list);
	}
	storage_rows_close(&rows);
	id_facts_free(&f);
	return rc;
}

struct invite_job {
	const char *workspace_id;
	const char *hash;
	int64_t dept, account_id, now_us, expires_us, max_uses;
	int64_t id; /* out */
};

static int invite_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct invite_job *j = arg;
	struct storage_value p[7] = { storage_text(j->workspace_id), storage_text(j->hash),
				      storage_int(j->dept),          storage_int(j->account_id),
				      storage_int(j->now_us),        storage_int(j->expires_us),
				      storage_int(j->max_uses) };
	struct storage_result res = { 0 };
	int rc = storage_tx_exec(tx,
				 "INSERT INTO invite_link (workspace_id, token_sha256, "
				 "department_id, created_by, created_us, expires_us, max_uses) "
				 "VALUES (?, ?, ?, ?, ?, ?, ?)",
				 p, 7, &res, err);

	j->id = rc == 0 ? (int64_t)res.last_insert_id : 0;
	return rc;
}

int id_invite_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		     int64_t now_us, json_t **out, struct cr_err *err)
{
	static const char *const keys[] = { "department_id", "ttl_hours", "max_uses", NULL };
	char token[ID_TOKEN_MAX + 1], hash[ID_HASH_HEX + 1];
	struct invite_job j = { .workspace_id = actor->workspace_id,
				.hash = hash,
				.dept = ID_ROOT_DEPARTMENT,
				.account_id = actor->account.id,
				.now_us = now_us };
	struct id_facts f = { 0 };
	struct storage_rows rows = { 0 };
	int64_t ttl = 0;
	bool has_dept = false;
	int rc = id_body_object(body, err);

	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_id(body, "department_id", &j.dept, &has_dept, err);
	if (rc == 0 && !has_dept)
		j.dept = ID_ROOT_DEPARTMENT;
	if (rc == 0)
		rc = id_body_int(body, "ttl_hours", TTL_HOURS_DEFAULT, 1, TTL_HOURS_MAX, &ttl, err);
	if (rc == 0)
		rc = id_body_int(body, "max_uses", MAX_USES_DEFAULT, 0, MAX_USES_MAX, &j.max_uses,
				 err);
	if (rc == 0)
		rc = id_facts_load(id, actor, &f, err);
	if (rc == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_INVITE, &j.dept, 1, false, err);
	if (rc == 0 && !id_dept_within(&f, j.dept, ID_ROOT_DEPARTMENT))
		rc = cr_err_set(err, CR_EINVAL, "no department %lld", (long long)j.dept);
	id_facts_free(&f);
	if (rc == 0 && id_token_new(id, INVITE_TOKEN_BYTES, token, sizeof(token)) < 0)
		rc = cr_err_set(err, CR_EINTERNAL, "no random bytes for an invite");
	if (rc < 0)
		return rc;
	id_hash_hex(id, token, hash);
	j.expires_us = now_us + ttl * 3600 * 1000000;
	rc = storage_write(id->store, STORAGE_DB_SYSTEM, NULL, invite_job, &j, err);
	if (rc == 0)
		rc = invite_rows(id, actor, j.id, &rows, err);
	if (rc == 0) {
		*out = invite_json(&rows, 0);
		json_object_set_new(*out, "token", json_string(token));
	}
	storage_rows_close(&rows);
	return rc;
}

int id_invite_revoke(const struct identity *id, const struct id_actor *actor, int64_t invite_id,
		     struct cr_err *err)
{
	struct storage_rows rows = { 0 };
	struct id_facts f = { 0 };
	struct storage_value p[2] = { storage_int(invite_id), storage_text(actor->workspace_id) };
	int rc = invite_rows(id, actor, invite_id, &rows, err);

	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no invite link %lld", (long long)invite_id);
	if (rc == 0)
		rc = id_facts_load(id, actor, &f, err);
	if (rc == 0) {
		int64_t dept = storage_rows_int(&rows, 0, 1, 0);
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_INVITE, &dept, 1, false, err);
	}
	storage_rows_close(&rows);
	id_facts_free(&f);
	if (rc == 0)
		rc =
		    storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
				 "UPDATE invite_link SET revoked = 1 WHERE id = ? AND workspace_id "
				 "= ?",
				 p, 2, NULL, err);
	return rc < 0 ? rc : 0;
}

/* ---- using an invite ---- */

static const char USABLE[] = "SELECT l.id, l.workspace_id, w.name, l.department_id, l.expires_us "
			     "FROM invite_link l JOIN workspace w ON w.id = l.workspace_id WHERE "
			     "l.token_sha256 = ? AND l.revoked = 0 AND l.expires_us > ? AND "
			     "(l.max_uses = 0 OR l.uses < l.max_uses)";

static int not_usable(struct cr_err *err)
{
	return cr_err_set(err, CR_ENOTFOUND,
			  "this invite link is not valid: it expired, was used up or revoked");
}

int id_invite_peek(const struct identity *id, const char *token, int64_t now_us, json_t **out,
		   struct cr_err *err)
{
	char hash[ID_HASH_HEX + 1];
	struct storage_value p[2];
	struct storage_rows rows = { 0 };
	int rc;

	if (token == NULL || strlen(token) > ID_TOKEN_MAX)
		return not_usable(err);
	id_hash_hex(id, token, hash);
	p[0] = storage_text(hash);
	p[1] = storage_int(now_us);
	rc = storage_query(id->store, STORAGE_DB_SYSTEM, USABLE, p, 2, &rows, err);
	if (rc == 0 && rows.n_rows == 0)
		rc = not_usable(err);
	if (rc == 0)
		*out = json_pack("{s:{s:s?, s:s?}, s:o}", "workspace", "id",
				 storage_rows_text(&rows, 0, 1), "name",
				 storage_rows_text(&rows, 0, 2), "expires_at",
				 id_time_json(storage_rows_int(&rows, 0, 4, 0)));
	storage_rows_close(&rows);
	return rc;
}

struct use_job {
	const char *hash;
	int64_t now_us;
	int64_t account_id; /* 0: create from login/name/password_hash */
	const char *login, *name, *password_hash;
	const char *session_hash;
	const struct id_session *session;
	const char *address;
	/* out */
	char workspace_id[ID_WORKSPACE_ID_MAX + 1];
	char workspace_name[ID_NAME_MAX * 4 + 1];
	int64_t dept;
	bool was_member;
	char role[16];
};

static int use_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct use_job *j = arg;
	struct storage_value p[2] = { storage_text(j->hash), storage_int(j->now_us) };
	struct storage_rows rows = { 0 };
	int64_t link = 0;
	int rc = storage_tx_query(tx, USABLE, p, 2, &rows, err);

	if (rc == 0 && rows.n_rows == 0)
		rc = not_usable(err);
	if (rc == 0) {
		link = storage_rows_int(&rows, 0, 0, 0);
		(void)snprintf(j->workspace_id, sizeof(j->workspace_id), "%s",
			       storage_rows_text(&rows, 0, 1));
		(void)snprintf(j->workspace_name, sizeof(j->workspace_name), "%s",
			       storage_rows_text(&rows, 0, 2));
		j->dept = storage_rows_int(&rows, 0, 3, ID_ROOT_DEPARTMENT);
	}
	storage_rows_close(&rows);
	if (rc == 0 && j->login != NULL)
		rc = id_tx_account_insert_own(tx, j->login, j->name, j->password_hash, false,
					      j->now_us, &j->account_id, err);
	struct storage_value h[2] = { storage_text(j->workspace_id), storage_int(j->account_id) };
	if (rc == 0 && j->login != NULL) /* made here: its home */
		rc = storage_tx_exec(tx, "UPDATE account SET home_workspace_id = ? WHERE id = ?", h,
				     2, NULL, err);
	if (rc == 0 && j->session != NULL)
		rc = id_tx_session_insert(tx, j->session_hash, j->account_id, j->session,
					  j->address, j->now_us, err);
	struct storage_value q[2] = { storage_text(j->workspace_id), storage_int(j->account_id) };
	if (rc == 0)
		rc = storage_tx_query(
		    tx,
		    "SELECT role, status FROM workspace_member WHERE workspace_id = ? "
		    "AND account_id = ?",
		    q, 2, &rows, err);
	j->was_member = rc == 0 && rows.n_rows > 0;
	(void)snprintf(j->role, sizeof(j->role), "%s",
		       j->was_member ? storage_rows_text(&rows, 0, 0) : "member");
	if (j->was_member && strcmp(storage_rows_text(&rows, 0, 1), "active") != 0)
		rc = cr_err_set(err, CR_ECONFLICT,
				"your membership of this workspace was deactivated; ask its "
				"admins to reactivate it");
	storage_rows_close(&rows);
	if (rc == 0 && !j->was_member)
		rc = id_tx_member_insert(tx, j->workspace_id, j->account_id, ID_ROLE_MEMBER, "",
					 j->now_us, err);
	struct storage_value u = storage_int(link);
	if (rc == 0 && !j->was_member)
		rc = storage_tx_exec(tx, "UPDATE invite_link SET uses = uses + 1 WHERE id = ?", &u,
				     1, NULL, err);
	return rc;
}

struct dept_link_job {
	int64_t account_id, dept;
};

static int dept_link_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct dept_link_job *j = arg;
	struct storage_value p[3] = { storage_int(j->account_id), storage_int(j->dept),
				      storage_int(ID_ROOT_DEPARTMENT) };

	/* The department may have been deleted since: then the root. */
	return storage_tx_exec(
	    tx,
	    "INSERT OR IGNORE INTO department_member (account_id, "
	    "department_id) SELECT ?1, coalesce((SELECT id FROM department WHERE "
	    "id = ?2), ?3)",
	    p, 3, NULL, err);
}

static int use(const struct identity *id, const char *token, struct use_job *j, json_t **ws,
	       struct cr_err *err)
{
	char hash[ID_HASH_HEX + 1];
	char db[ID_DB_NAME_MAX + 1];
	int rc;

	if (token == NULL || strlen(token) > ID_TOKEN_MAX)
		return not_usable(err);
	id_hash_hex(id, token, hash);
	j->hash = hash;
	rc = storage_write(id->store, STORAGE_DB_SYSTEM, NULL, use_job, j, err);
	if (rc == 0 && !j->was_member) {
		struct dept_link_job d = { j->account_id, j->dept };
		id_workspace_db(j->workspace_id, db);
		rc = storage_write(id->store, db, NULL, dept_link_job, &d, err);
	}
	if (rc == 0)
		*ws = json_pack("{s:s, s:s, s:s}", "id", j->workspace_id, "name", j->workspace_name,
				"role", j->role);
	return rc;
}

int id_invite_accept(const struct identity *id, const struct id_actor *actor, const char *token,
		     int64_t now_us, json_t **out, struct cr_err *err)
{
	struct use_job j = { .now_us = now_us, .account_id = actor->account.id };
	json_t *ws = NULL;
	int rc = use(id, token, &j, &ws, err);

	if (rc == 0)
		*out = json_pack("{s:o}", "workspace", ws);
	return rc;
}

/* Registration refusals of one client address (sign_in_failure rows under
 * their own key): a taken login is what an enumerator learns, so it is
 * counted, and a locked address gets one answer for every login. */
struct refusal_job {
	char key[80];
	int64_t now_us;
};

static int refusal_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct refusal_job *j = arg;
	struct storage_value p[4] = { storage_text(j->key), storage_int(j->now_us),
				      storage_int(j->now_us - ID_THROTTLE_WINDOW_US),
				      storage_int(REGISTER_REFUSALS_MAX) };
	int rc = storage_tx_exec(
	    tx,
	    "INSERT INTO sign_in_failure (key, failures, first_us) VALUES (?1, 1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET "
	    " failures = CASE WHEN first_us < ?3 THEN 1 ELSE failures + 1 END,"
	    " first_us = CASE WHEN first_us < ?3 THEN ?2 ELSE first_us END",
	    p, 3, NULL, err);

	if (rc == 0)
		rc = storage_tx_exec(
		    tx,
		    "UPDATE sign_in_failure SET locked_until_us = first_us + ?2 - ?3 "
		    "WHERE key = ?1 AND failures >= ?4",
		    p, 4, NULL, err);
	return rc;
}

/* CR_ELIMIT with *retry_after_s while the address is locked. */
static int refusals_locked(const struct identity *id, const struct refusal_job *j,
			   unsigned *retry_after_s, struct cr_err *err)
{
	struct storage_value p = storage_text(j->key);
	struct storage_rows rows;
	int64_t until = 0;
	int rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			       "SELECT locked_until_us FROM sign_in_failure WHERE key = ?", &p, 1,
			       &rows, err);

	if (rc == 0 && rows.n_rows > 0)
		until = storage_rows_int(&rows, 0, 0, 0);
	storage_rows_close(&rows);
	if (rc == 0 && until > j->now_us) {
		*retry_after_s = (unsigned)((until - j->now_us + 999999) / 1000000);
		rc = cr_err_set(err, CR_ELIMIT,
				"too many refused registrations from this address; try again "
				"in %u seconds",
				*retry_after_s);
	}
	return rc;
}

static int register_checks(const struct identity *id, const struct id_new_account *in,
			   const struct refusal_job *r, unsigned *retry_after_s, struct cr_err *err)
{
	int rc = refusals_locked(id, r, retry_after_s, err);

	if (rc == 0)
		rc = id_login_check(in->login, err);
	if (rc == 0)
		rc = id_name_check(in->name, "name", err);
	if (rc == 0)
		rc = id_password_check(in->password, in->login, err);
	return rc;
}

int id_invite_register(const struct identity *id, const char *token,
		       const struct id_new_account *in, const char *address, int64_t now_us,
		       struct id_account *account, json_t **workspace, struct id_session *session,
		       unsigned *retry_after_s, struct cr_err *err)
{
	char pw[ID_PASSWORD_HASH_MAX + 1];
	char session_hash[ID_HASH_HEX + 1];
	struct use_job j = { .now_us = now_us };
	struct refusal_job r = { .now_us = now_us };
	int rc;

	(void)snprintf(r.key, sizeof(r.key), "register|%s", address != NULL ? address : "");
	rc = register_checks(id, in, &r, retry_after_s, err);
	if (rc == 0)
		rc = id_password_hash(id, in->password, pw, err);
	if (rc == 0)
		rc = id_session_prepare(id, now_us, session, session_hash, err);
	if (rc < 0)
		return rc;
	j.login = in->login;
	j.name = in->name;
	j.password_hash = pw;
	j.session_hash = session_hash;
	j.session = session;
	j.address = address;
	rc = use(id, token, &j, workspace, err);
	/* A taken login: an answer that does not repeat it, counted. */
	if (rc == CR_ECONFLICT) {
		(void)storage_write(id->store, STORAGE_DB_SYSTEM, NULL, refusal_job, &r, NULL);
		rc = cr_err_set(err, CR_ECONFLICT,
				"this login cannot be registered; choose another one");
	}
	if (rc == 0) {
		*account = (struct id_account){ .id = j.account_id };
		(void)snprintf(account->login, sizeof(account->login), "%s", in->login);
		(void)snprintf(account->name, sizeof(account->name), "%s", in->name);
	}
	return rc;
}
