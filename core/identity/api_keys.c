/* core/identity/api_keys.c: API keys, a secret that acts on one
 * workspace's org API. They live in the system database, where a key is
 * found without knowing its workspace; only its SHA-256 is stored, and the
 * secret is shown once (moved here from invites.c).
 *
 * A key has a lifetime (ttl_days, 365 by default, at most 1095) and stops
 * when it ends; rotating it gives the same key (id, name, rights) a new
 * secret and a fresh lifetime of the same length, and the old secret
 * stops at once. Each use records when the key was last used, at most once
 * a minute, so that a key nobody uses any more shows. Keys made before
 * lifetimes existed have none (expires_us 0) until they are rotated. */
#include <stdio.h>
#include <string.h>

#include "identity_int.h"
#include "workspace.h"

#define API_KEY_BYTES      32
#define API_KEY_PREFIX_LEN 24
#define TTL_DAYS_DEFAULT   365
#define TTL_DAYS_MAX       1095
#define DAY_US             (24LL * 3600 * 1000000)
/* Last use is written at most this often per key: a busy sync job must
 * not turn every read into a write. */
#define LAST_USED_STEP_US (60LL * 1000000)

static int key_rows(const struct identity *id, const struct id_actor *a, int64_t only,
		    struct storage_rows *rows, struct cr_err *err)
{
	struct storage_value p[2] = { storage_text(a->workspace_id), storage_int(only) };

	return storage_query(
	    id->store, STORAGE_DB_SYSTEM,
	    "SELECT id, name, prefix, created_us, created_by, expires_us, "
	    "last_used_us FROM api_key WHERE workspace_id = ?1 AND (?2 = 0 OR id = "
	    "?2) ORDER BY id",
	    p, 2, rows, err);
}

static json_t *key_json(const struct storage_rows *rows, size_t r)
{
	return json_pack("{s:I, s:s?, s:s?, s:o, s:I, s:o, s:o}", "id",
			 (json_int_t)storage_rows_int(rows, r, 0, 0), "name",
			 storage_rows_text(rows, r, 1), "prefix", storage_rows_text(rows, r, 2),
			 "created_at", id_time_json(storage_rows_int(rows, r, 3, 0)), "created_by",
			 (json_int_t)storage_rows_int(rows, r, 4, 0), "expires_at",
			 id_time_json(storage_rows_int(rows, r, 5, 0)), "last_used_at",
			 id_time_json(storage_rows_int(rows, r, 6, 0)));
}

/* The key as the API shows it, with its secret (shown this once). */
static int key_answer(const struct identity *id, const struct id_actor *a, int64_t key_id,
		      const char *key, json_t **out, struct cr_err *err)
{
	struct storage_rows rows = { 0 };
	int rc = key_rows(id, a, key_id, &rows, err);

	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no API key %lld in this workspace",
				(long long)key_id);
	if (rc == 0) {
		*out = key_json(&rows, 0);
		json_object_set_new(*out, "key", json_string(key));
	}
	storage_rows_close(&rows);
	return rc;
}

int id_api_keys_list(const struct identity *id, const struct id_actor *actor, json_t **out,
		     struct cr_err *err)
{
	struct storage_rows rows = { 0 };
	int rc = id_authz_workspace(actor, ID_WS_MANAGE_KEYS, err);

	if (rc == 0)
		rc = key_rows(id, actor, 0, &rows, err);
	if (rc == 0) {
		json_t *list = json_array();
		for (size_t r = 0; r < rows.n_rows; r++)
			json_array_append_new(list, key_json(&rows, r));
		*out = json_pack("{s:o}", "api_keys", list);
	}
	storage_rows_close(&rows);
	return rc;
}

/* A new secret: the key, its first characters and its digest. */
static int key_new(const struct identity *id, const struct id_actor *a,
		   char key[ID_API_KEY_MAX + 1], char prefix[API_KEY_PREFIX_LEN + 1],
		   char hash[ID_HASH_HEX + 1], struct cr_err *err)
{
	char secret[ID_TOKEN_MAX + 1];

	if (id_token_new(id, API_KEY_BYTES, secret, sizeof(secret)) < 0)
		return cr_err_set(err, CR_EINTERNAL, "no random bytes for an API key");
	(void)snprintf(key, ID_API_KEY_MAX + 1, "creek_%.*s_%.43s", ID_WORKSPACE_ID_MAX,
		       a->workspace_id, secret);
	memcpy(prefix, key, API_KEY_PREFIX_LEN);
	prefix[API_KEY_PREFIX_LEN] = '\0';
	id_hash_hex(id, key, hash);
	return 0;
}

int id_api_key_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		      int64_t now_us, json_t **out, struct cr_err *err)
{
	static const char *const keys[] = { "name", "ttl_days", NULL };
	char key[ID_API_KEY_MAX + 1], hash[ID_HASH_HEX + 1], prefix[API_KEY_PREFIX_LEN + 1];
	const char *name = NULL;
	int64_t ttl_days = 0;
	struct storage_result res = { 0 };
	int rc = id_authz_workspace(actor, ID_WS_MANAGE_KEYS, err);

	if (rc == 0)
		rc = id_body_object(body, err);
	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_string(body, "name", true, &name, err);
	if (rc == 0)
		rc = id_name_check(name, "key name", err);
	if (rc == 0)
		rc = id_body_int(body, "ttl_days", TTL_DAYS_DEFAULT, 1, TTL_DAYS_MAX, &ttl_days,
				 err);
	if (rc == 0)
		rc = key_new(id, actor, key, prefix, hash, err);
	if (rc < 0)
		return rc;
	struct storage_value p[8] = { storage_text(actor->workspace_id),
				      storage_text(name),
				      storage_text(prefix),
				      storage_text(hash),
				      storage_int(actor->account.id),
				      storage_int(now_us),
				      storage_int(ttl_days * DAY_US),
				      storage_int(now_us + ttl_days * DAY_US) };
	rc =
	    storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
			 "INSERT INTO api_key (workspace_id, name, prefix, key_sha256, created_by, "
			 "created_us, lifetime_us, expires_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			 p, 8, &res, err);
	return rc < 0 ? rc : key_answer(id, actor, (int64_t)res.last_insert_id, key, out, err);
}

int id_api_key_rotate(const struct identity *id, const struct id_actor *actor, int64_t key_id,
		      int64_t now_us, json_t **out, struct cr_err *err)
{
	char key[ID_API_KEY_MAX + 1], hash[ID_HASH_HEX + 1], prefix[API_KEY_PREFIX_LEN + 1];
	struct storage_result res = { 0 };
	int rc = id_authz_workspace(actor, ID_WS_MANAGE_KEYS, err);

	if (rc == 0)
		rc = key_new(id, actor, key, prefix, hash, err);
	if (rc < 0)
		return rc;
	/* A key made before lifetimes gets the default one. */
	struct storage_value p[6] = { storage_text(hash),  storage_text(prefix),
				      storage_int(now_us), storage_int(TTL_DAYS_DEFAULT * DAY_US),
				      storage_int(key_id), storage_text(actor->workspace_id) };
	rc =
	    storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
			 "UPDATE api_key SET key_sha256 = ?1, prefix = ?2, lifetime_us = CASE WHEN "
			 "lifetime_us > 0 THEN lifetime_us ELSE ?4 END, expires_us = ?3 + CASE "
			 "WHEN lifetime_us > 0 THEN lifetime_us ELSE ?4 END, last_used_us = 0 "
			 "WHERE id = ?5 AND workspace_id = ?6",
			 p, 6, &res, err);
	if (rc == 0 && res.rows_affected == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no API key %lld in this workspace",
				(long long)key_id);
	return rc < 0 ? rc : key_answer(id, actor, key_id, key, out, err);
}

int id_api_key_use(const struct identity *id, const char *key, int64_t now_us, struct cr_err *err)
{
	char hash[ID_HASH_HEX + 1];
	struct storage_value p;
	struct storage_rows rows = { 0 };
	int64_t key_id = 0, expires = 0, last = 0;
	int rc;

	id_hash_hex(id, key, hash);
	p = storage_text(hash);
	rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			   "SELECT id, expires_us, last_used_us FROM api_key WHERE key_sha256 = ?",
			   &p, 1, &rows, err);
	if (rc == 0 && rows.n_rows == 0)
		rc = cr_err_set(err, CR_EAUTH, "the API key is not valid (revoked or unknown)");
	if (rc == 0) {
		key_id = storage_rows_int(&rows, 0, 0, 0);
		expires = storage_rows_int(&rows, 0, 1, 0);
		last = storage_rows_int(&rows, 0, 2, 0);
	}
	storage_rows_close(&rows);
	if (rc == 0 && expires > 0 && expires <= now_us)
		return cr_err_set(
		    err, CR_EAUTH,
		    "the API key expired: rotate it, or make a new one, in the console");
	if (rc == 0 && last <= now_us - LAST_USED_STEP_US) {
		struct storage_value q[3] = { storage_int(now_us), storage_int(key_id),
					      storage_int(now_us - LAST_USED_STEP_US) };
		/* A lost update costs one minute of precision: not worth a
		 * refused request. */
		(void)storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
				   "UPDATE api_key SET last_used_us = ?1 WHERE id = ?2 AND "
				   "last_used_us <= ?3",
				   q, 3, NULL, NULL);
	}
	return rc;
}

int id_api_key_revoke(const struct identity *id, const struct id_actor *actor, int64_t key_id,
		      struct cr_err *err)
{
	struct storage_value p[2] = { storage_int(key_id), storage_text(actor->workspace_id) };
	struct storage_result res = { 0 };
	int rc = id_authz_workspace(actor, ID_WS_MANAGE_KEYS, err);

	if (rc == 0)
		rc = storage_exec(id->store, STORAGE_DB_SYSTEM, NULL,
				  "DELETE FROM api_key WHERE id = ? AND workspace_id = ?", p, 2,
				  &res, err);
	if (rc == 0 && res.rows_affected == 0)
		rc = cr_err_set(err, CR_ENOTFOUND, "no API key %lld in this workspace",
				(long long)key_id);
	return rc;
}
