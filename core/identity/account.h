/* core/identity/account.h: first start, sign-in, sessions and one's own
 * account (the system database). */
#ifndef CREEK_CORE_IDENTITY_ACCOUNT_H
#define CREEK_CORE_IDENTITY_ACCOUNT_H

#include <jansson.h>

#include "identity.h"

/* A session just made: the token goes into the cookie (only its SHA-256
 * is stored), the CSRF token to the page. */
struct id_session {
	char token[ID_TOKEN_MAX + 1];
	char csrf[ID_CSRF_MAX + 1];
	int64_t expires_us;    /* the lifetime's end (the cookie's) */
	int64_t idle_until_us; /* ends here unless used before */
};

struct id_new_account {
	const char *login;
	const char *name;
	const char *password;
};

/* Is the installation still without accounts? */
int id_setup_needed(const struct identity *id, bool *needed, struct cr_err *err);
/* The setup code's length as written (ID_SETUP_CODE_GROUPS groups of 4
 * characters of Crockford's base32, joined by '-': 80 random bits). */
#define ID_SETUP_CODE_GROUPS 4
#define ID_SETUP_CODE_LEN    (ID_SETUP_CODE_GROUPS * 5 - 1)

/* What first start needs besides the account: the workspace's name, the
 * setup code typed (may be NULL) and the one it must match (NULL: the
 * operator asks, who needs none; "" or absent: this node has none, so
 * only the operator may set up). Codes compare ignoring case, spaces and
 * '-'. */
struct id_setup_proof {
	const char *code;
	const char *expected_code;
	const char *address; /* the client's, for throttling */
};

/* First start: the super admin (also the installation admin), the first
 * workspace and a session, at once. CR_ECONFLICT once done; CR_EDENIED
 * for a missing or wrong setup code, counted per address like a sign-in
 * (CR_ELIMIT with *retry_after_s past ID_THROTTLE_PAIR_MAX). */
int id_setup(const struct identity *id, const struct id_new_account *in, const char *workspace_name,
	     const struct id_setup_proof *proof, int64_t now_us, struct id_account *account,
	     char workspace_id[ID_WORKSPACE_ID_MAX + 1], struct id_session *session,
	     unsigned *retry_after_s, struct cr_err *err);

/* Password sign-in, throttled per login and address pair, per login and
 * per address (identity.h). CR_EAUTH for a wrong login or password
 * alike; CR_ELIMIT with *retry_after_s. */
int id_sign_in(const struct identity *id, const char *login, const char *password,
	       const char *address, int64_t now_us, struct id_account *account,
	       struct id_session *session, unsigned *retry_after_s, struct cr_err *err);
/* A session for an account that just proved itself another way (a new
 * account from an invite). */
int id_session_open(const struct identity *id, int64_t account_id, const char *address,
		    int64_t now_us, struct id_session *session, struct cr_err *err);

/* Who holds this session token (CR_EAUTH if none, or it expired). With
 * workspace_id (may be NULL), also the actor's role there. */
int id_session_check(const struct identity *id, const char *token, const char *workspace_id,
		     int64_t now_us, struct id_actor *actor, struct cr_err *err);
/* Who holds this API key: an actor of its workspace; CR_EAUTH if unknown.
 * workspace_id must be the key's own, else CR_EDENIED. */
int id_api_key_check(const struct identity *id, const char *key, const char *workspace_id,
		     struct id_actor *actor, struct cr_err *err);

int id_sign_out(const struct identity *id, const struct id_actor *actor, struct cr_err *err);

/* A session's id in lists: the first 16 hex digits of its token's
 * SHA-256 (names it without revealing anything that signs in). */
#define ID_SESSION_ID_LEN 16
/* {"sessions": [{"id", "created_at", "idle_until", "expires_at", "address"
 * (where it signed in), "current"}]}: the actor's live sessions, newest
 * first. New reference in *out. */
int id_sessions_list(const struct identity *id, const struct id_actor *actor, int64_t now_us,
		     json_t **out, struct cr_err *err);
/* End one of the actor's own sessions by its id; CR_ENOTFOUND if the
 * actor has none such (another account's is not found either). */
int id_session_end(const struct identity *id, const struct id_actor *actor, const char *session_id,
		   struct cr_err *err);
int id_sign_out_everywhere(const struct identity *id, const struct id_actor *actor,
			   struct cr_err *err);

/* {"account", "csrf_token", "expires_at", "workspaces"}. */
int id_me(const struct identity *id, const struct id_actor *actor, json_t **out,
	  struct cr_err *err);
int id_me_rename(const struct identity *id, const struct id_actor *actor, const char *name,
		 struct cr_err *err);
/* Checks the current password (throttled like sign-in: CR_ELIMIT with
 * *retry_after_s); every other session of the account ends. */
int id_password_change(const struct identity *id, const struct id_actor *actor, const char *current,
		       const char *next, const char *address, int64_t now_us,
		       unsigned *retry_after_s, struct cr_err *err);

/* The operator (the node itself, or the installation admin) sets any
 * account's password: the way back for a forgotten super admin password.
 * Every session of the account ends. */
int id_account_password_reset(const struct identity *id, const char *login, const char *password,
			      int64_t now_us, struct cr_err *err);

/* RFC 3339 UTC text of a wall-clock time in µs, as JSON (null for 0). */
json_t *id_time_json(int64_t us);

json_t *id_account_json(const struct id_account *a);

#endif
