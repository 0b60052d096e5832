/* core/identity/workspace.h: workspaces and what is inside them: members,
 * departments, roles, permission groups, invite links, API keys (apps
 * are core/forms', apps.h).
 *
 * Every function checks the actor's right itself (authz.c), so no caller
 * can forget to. Objects come and go as JSON in the API's shapes
 * (docs/api.md); bodies are validated here, with a clear error. */
#ifndef CREEK_CORE_IDENTITY_WORKSPACE_H
#define CREEK_CORE_IDENTITY_WORKSPACE_H

#include <jansson.h>

#include "account.h"
#include "identity.h"

#define ID_ROOT_DEPARTMENT 1
#define ID_LIST_MAX        500
/* An invitation of an existing account lapses after this many days. */
#define ID_INVITATION_DAYS 30
/* Deleted apps and records stay in their recycle bins this long. */
#define ID_RECYCLE_DAYS 30

/* The actor's facts in its workspace (departments, duties, groups). */
int id_facts_load(const struct identity *id, const struct id_actor *actor, struct id_facts *f,
		  struct cr_err *err);

/* Every id in ids is an active or deactivated member of the workspace. */
int id_accounts_are_members(const struct identity *id, const char *workspace_id, const int64_t *ids,
			    size_t n, struct cr_err *err);

/* ---- workspaces (workspaces.c) ---- */
/* {"name", "super_admin_id"?}: the installation admin creates a workspace
 * for itself or for another account, its super admin. */
int id_workspace_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
			int64_t now_us, json_t **out, struct cr_err *err);
int id_workspaces_mine(const struct identity *id, const struct id_actor *actor, json_t **out,
		       struct cr_err *err);
/* The workspace and "me": the actor's role and what it may do. */
int id_workspace_get(const struct identity *id, const struct id_actor *actor, json_t **out,
		     struct cr_err *err);
int id_workspace_rename(const struct identity *id, const struct id_actor *actor, const json_t *body,
			json_t **out, struct cr_err *err);
/* Run the workspace migrations on every workspace's database. */
int id_workspaces_migrate(const struct identity *id, struct cr_err *err);

/* ---- members (members.c) ---- */
struct id_member_query {
	const char *q;          /* login or name contains; NULL for all */
	int64_t department_id;  /* 0 for all */
	const char *status;     /* "active" (default), "deactivated", "all" */
	unsigned limit, offset; /* limit 0 = 50 */
};
int id_members_list(const struct identity *id, const struct id_actor *actor,
		    const struct id_member_query *q, json_t **out, struct cr_err *err);
int id_member_get(const struct identity *id, const struct id_actor *actor, int64_t account_id,
		  json_t **out, struct cr_err *err);
int id_member_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		     const char *request_id, int64_t now_us, json_t **out, struct cr_err *err);
int id_member_update(const struct identity *id, const struct id_actor *actor, int64_t account_id,
		     const json_t *body, const char *request_id, json_t **out, struct cr_err *err);
int id_member_remove(const struct identity *id, const struct id_actor *actor, int64_t account_id,
		     const char *request_id, struct cr_err *err);
int id_member_password_reset(const struct identity *id, const struct id_actor *actor,
			     int64_t account_id, const json_t *body, int64_t now_us,
			     struct cr_err *err);
/* invitations.c: accounts to invite among the people the actor already
 * sees (members of the workspaces it is an active member of). */
int id_account_search(const struct identity *id, const struct id_actor *actor, const char *q,
		      json_t **out, struct cr_err *err);
/* Bulk invite from CSV text: a report row per line, good rows kept. */
int id_members_import(const struct identity *id, const struct id_actor *actor, const char *csv,
		      int64_t now_us, json_t **report, struct cr_err *err);

/* ---- invitations of existing accounts (invitations.c) ---- */
/* {"login"} or {"account_id"}, with "department_id" and "title": invite
 * an existing account (admins, and department admins into their subtree).
 * The answer is the same whether or not the account exists or is a
 * member: {"message"}. */
int id_invitation_create(const struct identity *id, const struct id_actor *actor,
			 const json_t *body, int64_t now_us, json_t **out, struct cr_err *err);
/* The signed-in account's pending invitations: {"invitations": [...]}. */
int id_invitations_mine(const struct identity *id, const struct id_actor *actor, int64_t now_us,
			json_t **out, struct cr_err *err);
/* The signed-in account joins (CR_ENOTFOUND without a pending invitation)
 * or declines. */
int id_invitation_accept(const struct identity *id, const struct id_actor *actor,
			 const char *workspace_id, int64_t now_us, json_t **out,
			 struct cr_err *err);
int id_invitation_decline(const struct identity *id, const struct id_actor *actor,
			  const char *workspace_id, struct cr_err *err);

/* ---- departments (departments.c) ---- */
int id_departments_list(const struct identity *id, const struct id_actor *actor, json_t **out,
			struct cr_err *err);
int id_department_create(const struct identity *id, const struct id_actor *actor,
			 const json_t *body, const char *request_id, int64_t now_us, json_t **out,
			 struct cr_err *err);
int id_department_update(const struct identity *id, const struct id_actor *actor, int64_t dept_id,
			 const json_t *body, const char *request_id, json_t **out,
			 struct cr_err *err);
int id_department_delete(const struct identity *id, const struct id_actor *actor, int64_t dept_id,
			 const char *request_id, struct cr_err *err);
/* The department at path "Sales/East" under the root, made if missing
 * (bulk invites). */
int id_department_ensure_path(const struct identity *id, const struct id_actor *actor,
			      const char *path, int64_t now_us, int64_t *dept_id,
			      struct cr_err *err);

/* ---- roles and permission groups (groups.c) ---- */
int id_roles_list(const struct identity *id, const struct id_actor *actor, json_t **out,
		  struct cr_err *err);
int id_role_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		   const char *request_id, int64_t now_us, json_t **out, struct cr_err *err);
int id_role_update(const struct identity *id, const struct id_actor *actor, int64_t role_id,
		   const json_t *body, const char *request_id, json_t **out, struct cr_err *err);
int id_role_delete(const struct identity *id, const struct id_actor *actor, int64_t role_id,
		   const char *request_id, struct cr_err *err);
int id_groups_list(const struct identity *id, const struct id_actor *actor, json_t **out,
		   struct cr_err *err);
int id_group_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		    const char *request_id, int64_t now_us, json_t **out, struct cr_err *err);
int id_group_update(const struct identity *id, const struct id_actor *actor, int64_t group_id,
		    const json_t *body, const char *request_id, json_t **out, struct cr_err *err);
int id_group_delete(const struct identity *id, const struct id_actor *actor, int64_t group_id,
		    const char *request_id, struct cr_err *err);

/* ---- invite links (invites.c) and API keys (api_keys.c) ---- */
int id_invites_list(const struct identity *id, const struct id_actor *actor, json_t **out,
		    struct cr_err *err);
int id_invite_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		     int64_t now_us, json_t **out, struct cr_err *err);
int id_invite_revoke(const struct identity *id, const struct id_actor *actor, int64_t invite_id,
		     struct cr_err *err);
/* Public: the workspace an invite token leads to (CR_ENOTFOUND if it is
 * not usable). */
int id_invite_peek(const struct identity *id, const char *token, int64_t now_us, json_t **out,
		   struct cr_err *err);
/* The signed-in actor joins through the invite. */
int id_invite_accept(const struct identity *id, const struct id_actor *actor, const char *token,
		     int64_t now_us, json_t **out, struct cr_err *err);
/* A new account joins through the invite, and gets a session. A taken
 * login is refused without naming it, and counted against the client
 * address: CR_ELIMIT with *retry_after_s once it refused too many. */
int id_invite_register(const struct identity *id, const char *token,
		       const struct id_new_account *in, const char *address, int64_t now_us,
		       struct id_account *account, json_t **workspace, struct id_session *session,
		       unsigned *retry_after_s, struct cr_err *err);
int id_api_keys_list(const struct identity *id, const struct id_actor *actor, json_t **out,
		     struct cr_err *err);
/* {"name", "ttl_days"?}: a key living ttl_days (365 by default, 1 to
 * 1095); the answer holds the key, shown this once. */
int id_api_key_create(const struct identity *id, const struct id_actor *actor, const json_t *body,
		      int64_t now_us, json_t **out, struct cr_err *err);
/* A new secret for the key (shown this once) and a fresh lifetime of the
 * same length; the old secret stops at once. */
int id_api_key_rotate(const struct identity *id, const struct id_actor *actor, int64_t key_id,
		      int64_t now_us, json_t **out, struct cr_err *err);
/* After id_api_key_check(): CR_EAUTH once the key expired; records its use
 * (at most once a minute). Any thread. */
int id_api_key_use(const struct identity *id, const char *key, int64_t now_us, struct cr_err *err);
int id_api_key_revoke(const struct identity *id, const struct id_actor *actor, int64_t key_id,
		      struct cr_err *err);

#endif
