/* web/api_identity.c: first start, sign-in and out, one's own account,
 * workspaces and invites: the HTTP faces of core/identity. */
#define LOG_MODULE "web"
#include <stdio.h>
#include <string.h>

#include "../core/identity/account.h"
#include "../core/identity/workspace.h"
#include "../lib/time.h"
#include "web_int.h"

static const struct identity *ident(struct web_request *req)
{
	if (req->ctx->identity == NULL)
		web_reply_error(req, CR_EUNAVAIL, "accounts are not available on this node");
	return req->ctx->identity;
}

static const char *str(struct web_request *req, const char *key)
{
	const json_t *v = json_object_get(req->json, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void reply_throttled(struct web_request *req, int rc, const struct cr_err *err,
			    unsigned retry_after_s);

/* A new session's answer: the account, the CSRF token, and the cookie. */
static void reply_session(struct web_request *req, unsigned status, const struct id_account *a,
			  const struct id_session *s, json_t *extra, int64_t now_us)
{
	json_t *body = json_pack("{s:o, s:s, s:o}", "account", id_account_json(a), "csrf_token",
				 s->csrf, "expires_at", json_null());
	char expires[32];

	cr_format_utc(s->expires_us, expires, sizeof(expires));
	json_object_set_new(body, "expires_at", json_string(expires));
	if (extra != NULL)
		json_object_update(body, extra);
	json_decref(extra);
	web_reply_json(req, status, body);
	web_session_cookie(req, s->token, s->expires_us, now_us);
}

static void setup_get(struct web_request *req)
{
	const struct identity *id = ident(req);
	struct cr_err err = { 0 };
	bool needed = false;
	int rc;

	if (id == NULL)
		return;
	rc = id_setup_needed(id, &needed, &err);
	web_reply_result(req, rc, &err, 200, rc == 0 ? json_pack("{s:b}", "needed", needed) : NULL);
}

static void setup_post(struct web_request *req)
{
	const struct identity *id = ident(req);
	struct id_new_account in = { str(req, "login"), str(req, "name"), str(req, "password") };
	/* The operator (creekctl admin create) needs no setup code. */
	struct id_setup_proof proof = {
		str(req, "setup_code"),
		req->is_local ? NULL : (req->ctx->setup_code != NULL ? req->ctx->setup_code : ""),
		req->client_address
	};
	char ws[ID_WORKSPACE_ID_MAX + 1];
	struct id_account account;
	struct id_session session;
	struct cr_err err = { 0 };
	unsigned retry = 0;
	int64_t now = cr_wall_us();
	int rc;

	if (id == NULL)
		return;
	rc = id_setup(id, &in, str(req, "workspace_name"), &proof, now, &account, ws, &session,
		      &retry, &err);
	if (rc < 0) {
		reply_throttled(req, rc, &err, retry);
		return;
	}
	if (req->ctx->setup_done != NULL)
		req->ctx->setup_done(req->ctx->setup_done_arg);
	reply_session(req, 201, &account, &session,
		      json_pack("{s:{s:s, s:s?, s:s}}", "workspace", "id", ws, "name",
				str(req, "workspace_name"), "role", "super_admin"),
		      now);
}

static void session_post(struct web_request *req)
{
	const struct identity *id = ident(req);
	struct id_account account;
	struct id_session session;
	struct cr_err err = { 0 };
	unsigned retry = 0;
	int64_t now = cr_wall_us();
	int rc;

	if (id == NULL)
		return;
	rc = id_sign_in(id, str(req, "login"), str(req, "password"), req->client_address, now,
			&account, &session, &retry, &err);
	if (rc < 0) {
		reply_throttled(req, rc, &err, retry);
		return;
	}
	reply_session(req, 200, &account, &session, NULL, now);
}

static void session_delete(struct web_request *req)
{
	struct cr_err err = { 0 };
	int rc = id_sign_out(req->ctx->identity, &req->actor, &err);

	web_reply_result(req, rc, &err, 204, NULL);
	if (rc >= 0)
		web_session_cookie_clear(req);
}

static void sessions_get(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_sessions_list(req->ctx->identity, &req->actor, cr_wall_us(), &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void session_id_delete(struct web_request *req)
{
	struct cr_err err = { 0 };
	const char *sid = req->n_params > 0 ? req->params[0] : NULL;
	bool is_current =
	    sid != NULL && strncmp(req->actor.session_hash, sid, ID_SESSION_ID_LEN) == 0;
	int rc = id_session_end(req->ctx->identity, &req->actor, sid, &err);

	web_reply_result(req, rc, &err, 204, NULL);
	if (rc >= 0 && is_current)
		web_session_cookie_clear(req);
}

static void sessions_delete(struct web_request *req)
{
	struct cr_err err = { 0 };
	int rc = id_sign_out_everywhere(req->ctx->identity, &req->actor, &err);

	web_reply_result(req, rc, &err, 204, NULL);
	if (rc >= 0)
		web_session_cookie_clear(req);
}

static void me_get(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_me(req->ctx->identity, &req->actor, &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void me_patch(struct web_request *req)
{
	struct cr_err err = { 0 };
	const char *name = str(req, "name");
	int rc = id_me_rename(req->ctx->identity, &req->actor, name, &err);

	if (rc == 0)
		(void)snprintf(req->actor.account.name, sizeof(req->actor.account.name), "%s",
			       name);
	web_reply_result(req, rc, &err, 200, rc == 0 ? id_account_json(&req->actor.account) : NULL);
}

/* An error answer, with Retry-After when it is a throttle's. */
static void reply_throttled(struct web_request *req, int rc, const struct cr_err *err,
			    unsigned retry_after_s)
{
	char seconds[16];

	web_reply_error(req, rc, "%s", err->msg);
	(void)snprintf(seconds, sizeof(seconds), "%u", retry_after_s);
	if (rc == CR_ELIMIT && req->response != NULL)
		(void)MHD_add_response_header(req->response, "Retry-After", seconds);
}

static void me_password(struct web_request *req)
{
	struct cr_err err = { 0 };
	unsigned retry = 0;
	int rc = id_password_change(req->ctx->identity, &req->actor, str(req, "current_password"),
				    str(req, "new_password"), req->client_address, cr_wall_us(),
				    &retry, &err);

	if (rc < 0)
		reply_throttled(req, rc, &err, retry);
	else
		web_reply_result(req, rc, &err, 204, NULL);
}

static void workspaces_get(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_workspaces_mine(req->ctx->identity, &req->actor, &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void workspaces_post(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_workspace_create(req->ctx->identity, &req->actor, req->json, cr_wall_us(), &out,
				     &err);

	web_reply_result(req, rc, &err, 201, out);
}

static void invite_get(struct web_request *req)
{
	const struct identity *id = ident(req);
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (id == NULL)
		return;
	rc = id_invite_peek(id, req->params[0], cr_wall_us(), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void invite_accept(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_invite_accept(req->ctx->identity, &req->actor, req->params[0], cr_wall_us(),
				  &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void invite_register(struct web_request *req)
{
	const struct identity *id = ident(req);
	struct id_new_account in = { str(req, "login"), str(req, "name"), str(req, "password") };
	struct id_account account;
	struct id_session session;
	struct cr_err err = { 0 };
	json_t *ws = NULL;
	int64_t now = cr_wall_us();
	unsigned retry = 0;
	int rc;

	if (id == NULL)
		return;
	rc = id_invite_register(id, req->params[0], &in, req->client_address, now, &account, &ws,
				&session, &retry, &err);
	if (rc < 0) {
		reply_throttled(req, rc, &err, retry);
		return;
	}
	reply_session(req, 201, &account, &session, json_pack("{s:o}", "workspace", ws), now);
}

/* The account's side of an invitation to join a workspace. */
static void my_invitations_get(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_invitations_mine(req->ctx->identity, &req->actor, cr_wall_us(), &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void my_invitation_accept(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_invitation_accept(req->ctx->identity, &req->actor, req->params[0], cr_wall_us(),
				      &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void my_invitation_delete(struct web_request *req)
{
	struct cr_err err = { 0 };
	int rc = id_invitation_decline(req->ctx->identity, &req->actor, req->params[0], &err);

	web_reply_result(req, rc, &err, 204, NULL);
}

static void workspace_get(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_workspace_get(req->ctx->identity, &req->actor, &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void workspace_patch(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_workspace_rename(req->ctx->identity, &req->actor, req->json, &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void account_password(struct web_request *req)
{
	const struct identity *id = ident(req);
	struct cr_err err = { 0 };
	int rc;

	if (id == NULL)
		return;
	if (!json_is_object(req->json) || json_object_size(req->json) != 1 ||
	    str(req, "new_password") == NULL) {
		web_reply_error(req, CR_EINVAL, "expected {\"new_password\": \"...\"}");
		return;
	}
	rc = id_account_password_reset(id, req->params[0], str(req, "new_password"), cr_wall_us(),
				       &err);
	web_reply_result(req, rc, &err, 204, NULL);
}

/* This family's routes; web/routes.c lists the families. */
const struct web_route web_routes_identity[] = {
	{ .methods = WEB_PUT,
	  .pattern = "/api/v1/accounts/{login}/password",
	  .handler = account_password,
	  .permission = WEB_PERM_OPERATOR,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/invites/{token}",
	  .handler = invite_get,
	  .permission = WEB_PERM_PUBLIC },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/invites/{token}/accept",
	  .handler = invite_accept,
	  .permission = WEB_PERM_SESSION,
	  .is_write = true },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/invites/{token}/register",
	  .handler = invite_register,
	  .permission = WEB_PERM_PUBLIC,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/me",
	  .handler = me_get,
	  .permission = WEB_PERM_SESSION,
	  .before_password_change = true },
	{ .methods = WEB_PATCH,
	  .pattern = "/api/v1/me",
	  .handler = me_patch,
	  .permission = WEB_PERM_SESSION,
	  .body = WEB_BODY_JSON,
	  .is_write = true,
	  .before_password_change = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/me/invitations",
	  .handler = my_invitations_get,
	  .permission = WEB_PERM_SESSION },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/me/invitations/{workspace}",
	  .handler = my_invitation_delete,
	  .permission = WEB_PERM_SESSION,
	  .is_write = true },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/me/invitations/{workspace}/accept",
	  .handler = my_invitation_accept,
	  .permission = WEB_PERM_SESSION,
	  .is_write = true },
	{ .methods = WEB_PUT,
	  .pattern = "/api/v1/me/password",
	  .handler = me_password,
	  .permission = WEB_PERM_SESSION,
	  .body = WEB_BODY_JSON,
	  .is_write = true,
	  .before_password_change = true },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/session",
	  .handler = session_post,
	  .permission = WEB_PERM_PUBLIC,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/session",
	  .handler = session_delete,
	  .permission = WEB_PERM_SESSION,
	  .is_write = true,
	  .before_password_change = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/sessions",
	  .handler = sessions_get,
	  .permission = WEB_PERM_SESSION,
	  .before_password_change = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/sessions/{session}",
	  .handler = session_id_delete,
	  .permission = WEB_PERM_SESSION,
	  .is_write = true,
	  .before_password_change = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/sessions",
	  .handler = sessions_delete,
	  .permission = WEB_PERM_SESSION,
	  .is_write = true,
	  .before_password_change = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/setup",
	  .handler = setup_get,
	  .permission = WEB_PERM_PUBLIC },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/setup",
	  .handler = setup_post,
	  .permission = WEB_PERM_PUBLIC,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces",
	  .handler = workspaces_get,
	  .permission = WEB_PERM_SESSION },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces",
	  .handler = workspaces_post,
	  .permission = WEB_PERM_SESSION,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}",
	  .handler = workspace_get,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_PATCH,
	  .pattern = "/api/v1/workspaces/{ws}",
	  .handler = workspace_patch,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .pattern = NULL },
};
