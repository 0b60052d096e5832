/* core/identity/identity_int.h: what the files of core/identity share. */
#ifndef CREEK_CORE_IDENTITY_INT_H
#define CREEK_CORE_IDENTITY_INT_H

#include <jansson.h>

#include "../../storage/store.h"
#include "account.h"
#include "identity.h"

#define ID_SESSION_TOKEN_BYTES 32
#define ID_CSRF_BYTES          24

/* A fresh session (token, CSRF, expiry) and its token's digest. */
int id_session_prepare(const struct identity *id, int64_t now_us, struct id_session *s,
		       char hash[ID_HASH_HEX + 1], struct cr_err *err);

/* Rows inside a write transaction. */
/* A new account whose password someone else chose (an admin, an import):
 * its owner must change it at first sign-in. */
int id_tx_account_insert(struct storage_tx *tx, const char *login, const char *name,
			 const char *password_hash, bool installation_admin, int64_t now_us,
			 int64_t *id_out, struct cr_err *err);
/* A new account with the password its owner chose (setup, an invite). */
int id_tx_account_insert_own(struct storage_tx *tx, const char *login, const char *name,
			     const char *password_hash, bool installation_admin, int64_t now_us,
			     int64_t *id_out, struct cr_err *err);
int id_tx_session_insert(struct storage_tx *tx, const char *hash, int64_t account_id,
			 const struct id_session *s, const char *address, int64_t now_us,
			 struct cr_err *err);
int id_tx_member_insert(struct storage_tx *tx, const char *workspace_id, int64_t account_id,
			enum id_role role, const char *title, int64_t now_us, struct cr_err *err);
int id_tx_workspace_insert(struct storage_tx *tx, const char *workspace_id, const char *name,
			   int64_t created_by, int64_t now_us, struct cr_err *err);

/* Migrate a workspace's database and give it its root department. */
int id_workspace_db_init(const struct identity *id, const char *workspace_id, const char *name,
			 int64_t creator, struct cr_err *err);
/* A new workspace id ("w" + 12 hex). */
int id_workspace_id_new(const struct identity *id, char out[ID_WORKSPACE_ID_MAX + 1],
			struct cr_err *err);

/* Set an account's password (checked against the policy); every session
 * but keep_session (a digest, or NULL) ends. With old_hash, only if the
 * stored hash is still that one: the owner's change. Without, someone
 * else sets it, and the owner must change it at next sign-in. */
int id_password_set(const struct identity *id, int64_t account_id, const char *login,
		    const char *password, const char *keep_session, const char *old_hash,
		    int64_t now_us, struct cr_err *err);

/* Join an account (existing: account_id; new: in) to a workspace with its
 * departments (the root when none) and roles. */
int id_member_join(const struct identity *id, const char *workspace_id, int64_t account_id,
		   const struct id_new_account *in, const char *title, const int64_t *depts,
		   size_t n_depts, const int64_t *roles, size_t n_roles, const char *request_id,
		   int64_t now_us, int64_t *account_out, struct cr_err *err);

/* Invite an existing account (by account_id, or login when account_id is
 * 0) into the actor's workspace: nothing happens for an unknown account or
 * a member, and the caller cannot tell. CR_EDENIED for an API key. */
int id_invitation_send(const struct identity *id, const struct id_actor *actor, int64_t account_id,
		       const char *login, int64_t dept, const char *title, int64_t now_us,
		       struct cr_err *err);

/* Check a password against stored under the sign-in throttle of login
 * (attempts counted, the address's failures too): 0, CR_EDENIED (wrong) or
 * CR_ELIMIT with *retry_after_s. */
int id_password_attempt(const struct identity *id, const char *login, const char *password,
			const char *stored, const char *address, int64_t now_us,
			unsigned *retry_after_s, struct cr_err *err);

/* Sub-request ids: a retried request (same id) skips the parts that
 * committed. out has room for STORAGE_REQUEST_ID_MAX + 1; "" in, "" out. */
const char *id_sub_request(const char *request_id, const char *part, char *out, size_t len);

#include "body.h"

/* ---- small SQL helpers (body.c) ---- */

/* Replace the account ids linked to owner in table (owner_col,
 * account_id): delete the old links, insert the new ones. */
int id_tx_links_set(struct storage_tx *tx, const char *table, const char *owner_col, int64_t owner,
		    const int64_t *ids, size_t n, struct cr_err *err);
/* rows of (owner, account_id) grouped: for each owner id in owners, a JSON
 * array of its account ids. */
json_t *id_links_of(const struct storage_rows *rows, int64_t owner);

#endif
