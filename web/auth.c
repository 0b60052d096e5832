/* web/auth.c: who asks, for routes that need a signed-in account or a
 * workspace's API key. core/identity decides what each may do; this file
 * only establishes who it is and refuses forged cross-site changes:
 *
 *   - the session cookie (HttpOnly, Secure, SameSite=Strict) names the
 *     session; its CSRF token must come back in X-Creek-CSRF on every
 *     POST/PUT/PATCH/DELETE (a cross-site page cannot read it), and a
 *     browser's Origin, when sent, must be this host;
 *   - an API key (Authorization: Bearer creek_...) needs no CSRF token:
 *     browsers never send it on their own. */
#define LOG_MODULE "web"
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/identity/account.h"
#include "../core/identity/workspace.h"
#include "../lib/text.h"
#include "../lib/time.h"
#include "web_int.h"

/* The __Host- prefix (RFC 6265bis 4.1.3.2): browsers take the cookie only
 * with Secure and Path=/ and without Domain, from a secure origin (HTTPS,
 * or http://localhost and 127.0.0.1, which browsers count as secure), so
 * a sibling subdomain or a plain-HTTP page on the network cannot set or
 * shadow it. */
#define COOKIE_NAME "__Host-creek_session"

const char *web_query_arg(struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *header(struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

bool web_origin_ok(struct web_request *req)
{
	const char *origin = header(req, "Origin");
	const char *host = header(req, MHD_HTTP_HEADER_HOST);
	const char *rest;

	if (origin == NULL || req->kind != WEB_KIND_PUBLIC)
		return true;
	if (host == NULL)
		return false;
	rest = strncmp(origin, "https://", 8) == 0  ? origin + 8
	       : strncmp(origin, "http://", 7) == 0 ? origin + 7
						    : NULL;
	return rest != NULL && strcasecmp(rest, host) == 0;
}

static bool is_change(const struct web_request *req)
{
	return req->method != WEB_GET && req->method != WEB_HEAD && req->method != WEB_OPTIONS;
}

static const char OPERATOR_ONLY[] = "this endpoint is open to the node's operator (creekctl on the "
				    "node) and to the installation's administrator";

/* A workspace route that reads gets the workspace's rights version: its
 * actor's facts and forms may then come from this node's memory. Not a
 * write: what it reads after its own change must not be what was kept
 * before it. */
static bool rights_version(struct web_request *req, const struct web_route *route)
{
	struct cr_err err = { 0 };
	int rc;

	if ((route->permission != WEB_PERM_WORKSPACE &&
	     route->permission != WEB_PERM_WORKSPACE_KEY) ||
	    route->is_write)
		return true;
	rc = id_rights_version(req->ctx->identity, &req->actor, &err);
	if (rc < 0)
		web_reply_error(req, rc, "%s", err.msg);
	return rc == 0;
}

bool web_auth(struct web_request *req, const struct web_route *route)
{
	const struct identity *id = req->ctx->identity;
	enum web_permission perm = route->permission;
	const char *ws = NULL;
	const char *authz = header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	struct cr_err err = { 0 };
	int rc;

	if (perm == WEB_PERM_OPERATOR && req->is_local)
		return true;
	if (perm != WEB_PERM_SESSION && perm != WEB_PERM_WORKSPACE &&
	    perm != WEB_PERM_WORKSPACE_KEY && perm != WEB_PERM_OPERATOR)
		return true;
	if (id == NULL) {
		web_reply_error(req, CR_EUNAVAIL, "accounts are not available on this node");
		return false;
	}
	if (perm == WEB_PERM_WORKSPACE || perm == WEB_PERM_WORKSPACE_KEY) {
		ws = req->params[0];
		if (!id_workspace_id_valid(ws)) {
			web_reply_error(req, CR_ENOTFOUND, "no workspace '%s'", ws);
			return false;
		}
	}
	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0) {
		if (perm != WEB_PERM_WORKSPACE_KEY) {
			web_reply_error(req, CR_EDENIED,
					"API keys only reach the org API (members, departments, "
					"roles)");
			return false;
		}
		rc = id_api_key_check(id, authz + 7, ws, &req->actor, &err);
		if (rc == 0) /* an expired key stops; a used one says when */
			rc = id_api_key_use(id, authz + 7, cr_wall_us(), &err);
		if (rc < 0) {
			web_reply_error(req, rc, "%s", err.msg);
			return false;
		}
		return rights_version(req, route);
	}
	rc = id_session_check(id,
			      MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, COOKIE_NAME),
			      ws, cr_wall_us(), &req->actor, &err);
	if (rc < 0) {
		if (perm == WEB_PERM_OPERATOR && rc == CR_EAUTH)
			web_reply_error(req, CR_EDENIED, "%s", OPERATOR_ONLY);
		else
			web_reply_error(req, rc, "%s", err.msg);
		return false;
	}
	/* A workspace route needs a member of the workspace before anything
	 * else runs: nothing is opened for a workspace one does not belong to
	 * (or that does not exist). */
	if ((perm == WEB_PERM_WORKSPACE || perm == WEB_PERM_WORKSPACE_KEY) &&
	    req->actor.role == ID_ROLE_NONE && !req->actor.via_api_key) {
		web_reply_error(req, CR_EDENIED, "you are not a member of this workspace");
		return false;
	}
	if (req->actor.account.must_change_password && !route->before_password_change) {
		web_reply_error(req, CR_EDENIED,
				"change your password first: an administrator set it (PUT "
				"/api/v1/me/password)");
		return false;
	}
	if (perm == WEB_PERM_OPERATOR && !req->actor.account.is_installation_admin) {
		web_reply_error(req, CR_EDENIED, "%s", OPERATOR_ONLY);
		return false;
	}
	if (is_change(req)) {
		const char *csrf = header(req, "X-Creek-CSRF");
		if (csrf == NULL || !cr_same_secret(csrf, req->actor.csrf_token) ||
		    !web_origin_ok(req)) {
			web_reply_error(req, CR_EDENIED,
					"the CSRF token is missing or wrong: send the session's "
					"csrf_token in the X-Creek-CSRF header");
			return false;
		}
	}
	return rights_version(req, route);
}

void web_session_cookie(struct web_request *req, const char *token, int64_t expires_us,
			int64_t now_us)
{
	char cookie[256];
	int64_t max_age = (expires_us - now_us) / 1000000;

	(void)snprintf(cookie, sizeof(cookie),
		       COOKIE_NAME "=%s; Path=/; Max-Age=%lld; HttpOnly; Secure; SameSite=Strict",
		       token, (long long)(max_age > 0 ? max_age : 0));
	if (req->response != NULL)
		(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

void web_session_cookie_clear(struct web_request *req)
{
	if (req->response != NULL)
		(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_SET_COOKIE,
					      COOKIE_NAME "=; Path=/; Max-Age=0; HttpOnly; Secure; "
							  "SameSite=Strict");
}

void web_reply_result(struct web_request *req, int rc, const struct cr_err *err, unsigned status,
		      json_t *body)
{
	if (rc < 0) {
		json_decref(body);
		web_reply_error(req, rc, "%s", err->msg[0] != '\0' ? err->msg : cr_err_name(rc));
		return;
	}
	if (body == NULL) {
		req->response = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		req->status = status;
		if (req->response != NULL)
			web_headers_add(req->response, true);
		return;
	}
	web_reply_json(req, status, body);
}

bool web_param_id(struct web_request *req, unsigned i, int64_t *out)
{
	const char *s = i < req->n_params ? req->params[i] : NULL;
	int64_t v = 0;

	for (const char *p = s; p != NULL && *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10) {
			v = 0;
			break;
		}
		v = v * 10 + (*p - '0');
	}
	if (v <= 0) {
		web_reply_error(req, CR_ENOTFOUND, "no object '%s' here", s != NULL ? s : "");
		return false;
	}
	*out = v;
	return true;
}

bool web_may_see_cluster(struct web_request *req)
{
	const struct identity *id = req->ctx->identity;
	struct id_actor actor;

	if (req->is_local)
		return true;
	if (id == NULL ||
	    id_session_check(id,
			     MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, COOKIE_NAME),
			     NULL, cr_wall_us(), &actor, NULL) < 0)
		return false;
	return actor.account.is_installation_admin;
}
