/* web/api_org.c: a workspace's org structure and access (members,
 * departments, roles, invite links, permission groups, API keys): the
 * HTTP faces of core/identity, which checks every right itself. Apps are
 * core/forms' (api_apps.c). */
#define LOG_MODULE "web"
#include <stdio.h>
#include <string.h>

#include "../core/identity/workspace.h"
#include "../lib/parse.h"
#include "../lib/time.h"
#include "web_int.h"

#define ID(req) (req)->ctx->identity, &(req)->actor

/* Handlers of the same shape, one line each. */
typedef int (*list_fn)(const struct identity *, const struct id_actor *, json_t **,
		       struct cr_err *);
typedef int (*create_fn)(const struct identity *, const struct id_actor *, const json_t *,
			 const char *, int64_t, json_t **, struct cr_err *);
typedef int (*update_fn)(const struct identity *, const struct id_actor *, int64_t, const json_t *,
			 const char *, json_t **, struct cr_err *);
typedef int (*delete_fn)(const struct identity *, const struct id_actor *, int64_t, const char *,
			 struct cr_err *);

/* The request id a write is recorded under: the client's key scoped to
 * who sends it, the method and the path, so that one client's key never
 * matches another's request (a match is a replay, answered as the first
 * request was). The body is not part of it: the same method and path with
 * another body is a replay of the first. In the request's arena; NULL
 * without a key. */
const char *web_write_key(struct web_request *req)
{
	char scope[WEB_REQUEST_ID_MAX + 256];
	char *hash;

	if (req->request_id[0] == '\0')
		return NULL;
	hash = cr_arena_alloc(&req->arena, ID_HASH_HEX + 3);
	if (hash == NULL)
		return NULL;
	(void)snprintf(scope, sizeof(scope), "%s|%lld|%s|%d|%s|%s", req->actor.workspace_id,
		       (long long)req->actor.account.id, req->actor.via_api_key ? "key" : "session",
		       (int)req->method, req->path, req->request_id);
	hash[0] = 'i';
	hash[1] = ':';
	id_hash_hex(req->ctx->identity, scope, hash + 2);
	return hash;
}

static void do_list(struct web_request *req, list_fn fn)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = fn(ID(req), &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void do_create(struct web_request *req, create_fn fn)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = fn(ID(req), req->json, web_write_key(req), cr_wall_us(), &out, &err);

	web_reply_result(req, rc, &err, 201, out);
}

static void do_update(struct web_request *req, update_fn fn)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t oid;
	int rc;

	if (!web_param_id(req, 1, &oid))
		return;
	rc = fn(ID(req), oid, req->json, web_write_key(req), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void do_delete(struct web_request *req, delete_fn fn)
{
	struct cr_err err = { 0 };
	int64_t oid;
	int rc;

	if (!web_param_id(req, 1, &oid))
		return;
	rc = fn(ID(req), oid, web_write_key(req), &err);
	web_reply_result(req, rc, &err, 204, NULL);
}

/* Without request ids (their retries are harmless or refused). */
static int invite_create(const struct identity *id, const struct id_actor *a, const json_t *b,
			 const char *r, int64_t now, json_t **out, struct cr_err *err)
{
	(void)r;
	return id_invite_create(id, a, b, now, out, err);
}

static int key_create(const struct identity *id, const struct id_actor *a, const json_t *b,
		      const char *r, int64_t now, json_t **out, struct cr_err *err)
{
	(void)r;
	return id_api_key_create(id, a, b, now, out, err);
}

static int invite_revoke(const struct identity *id, const struct id_actor *a, int64_t oid,
			 const char *r, struct cr_err *err)
{
	(void)r;
	return id_invite_revoke(id, a, oid, err);
}

static int key_rotate(const struct identity *id, const struct id_actor *a, int64_t oid,
		      const json_t *b, const char *r, json_t **out, struct cr_err *err)
{
	(void)b;
	(void)r;
	return id_api_key_rotate(id, a, oid, cr_wall_us(), out, err);
}

static int key_revoke(const struct identity *id, const struct id_actor *a, int64_t oid,
		      const char *r, struct cr_err *err)
{
	(void)r;
	return id_api_key_revoke(id, a, oid, err);
}

/* ---- members ---- */

static bool uint_arg(struct web_request *req, const char *name, unsigned max, unsigned *out)
{
	const char *v = web_query_arg(req, name);
	uint32_t n = 0;

	if (v == NULL)
		return true;
	if (cr_parse_u32(v, max, &n, NULL) < 0) {
		web_reply_error(req, CR_EINVAL, "%s must be a whole number from 0 to %u", name,
				max);
		return false;
	}
	*out = n;
	return true;
}

static void members_get(struct web_request *req)
{
	struct id_member_query q = { web_query_arg(req, "q"), 0, web_query_arg(req, "status"), 0,
				     0 };
	unsigned dept = 0;
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!uint_arg(req, "limit", ID_LIST_MAX, &q.limit) ||
	    !uint_arg(req, "offset", 1000000, &q.offset) ||
	    !uint_arg(req, "department_id", INT32_MAX, &dept))
		return;
	q.department_id = dept;
	rc = id_members_list(ID(req), &q, &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void members_post(struct web_request *req)
{
	do_create(req, id_member_create);
}

static void member_get(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t account;
	int rc;

	if (!web_param_id(req, 1, &account))
		return;
	rc = id_member_get(ID(req), account, &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void member_patch(struct web_request *req)
{
	do_update(req, id_member_update);
}

static void member_delete(struct web_request *req)
{
	do_delete(req, id_member_remove);
}

static void member_password(struct web_request *req)
{
	struct cr_err err = { 0 };
	int64_t account;
	int rc;

	if (!web_param_id(req, 1, &account))
		return;
	rc = id_member_password_reset(ID(req), account, req->json, cr_wall_us(), &err);
	web_reply_result(req, rc, &err, 204, NULL);
}

static void members_import(struct web_request *req)
{
	const json_t *csv = json_object_get(req->json, "csv");
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!json_is_object(req->json) || !json_is_string(csv) ||
	    json_object_size(req->json) != 1) {
		web_reply_error(req, CR_EINVAL, "expected {\"csv\": \"<the file's text>\"}");
		return;
	}
	rc = id_members_import(ID(req), json_string_value(csv), cr_wall_us(), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void account_search(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_account_search(ID(req), web_query_arg(req, "q"), &out, &err);

	web_reply_result(req, rc, &err, 200, out);
}

static void invitations_post(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc = id_invitation_create(ID(req), req->json, cr_wall_us(), &out, &err);

	/* 202: sent; whether the account exists is not said. */
	web_reply_result(req, rc, &err, 202, out);
}

/* ---- the rest: one line each ---- */

static void departments_get(struct web_request *req)
{
	do_list(req, id_departments_list);
}
static void departments_post(struct web_request *req)
{
	do_create(req, id_department_create);
}
static void department_patch(struct web_request *req)
{
	do_update(req, id_department_update);
}
static void department_delete(struct web_request *req)
{
	do_delete(req, id_department_delete);
}
static void roles_get(struct web_request *req)
{
	do_list(req, id_roles_list);
}
static void roles_post(struct web_request *req)
{
	do_create(req, id_role_create);
}
static void role_patch(struct web_request *req)
{
	do_update(req, id_role_update);
}
static void role_delete(struct web_request *req)
{
	do_delete(req, id_role_delete);
}
static void invite_links_get(struct web_request *req)
{
	do_list(req, id_invites_list);
}
static void invite_links_post(struct web_request *req)
{
	do_create(req, invite_create);
}
static void invite_link_delete(struct web_request *req)
{
	do_delete(req, invite_revoke);
}
static void groups_get(struct web_request *req)
{
	do_list(req, id_groups_list);
}
static void groups_post(struct web_request *req)
{
	do_create(req, id_group_create);
}
static void group_patch(struct web_request *req)
{
	do_update(req, id_group_update);
}
static void group_delete(struct web_request *req)
{
	do_delete(req, id_group_delete);
}
static void api_keys_get(struct web_request *req)
{
	do_list(req, id_api_keys_list);
}
static void api_keys_post(struct web_request *req)
{
	do_create(req, key_create);
}
static void api_key_rotate(struct web_request *req)
{
	do_update(req, key_rotate);
}
static void api_key_delete(struct web_request *req)
{
	do_delete(req, key_revoke);
}

/* This family's routes; web/routes.c lists the families. */
const struct web_route web_routes_org[] = {
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/account-search",
	  .handler = account_search,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/api-keys",
	  .handler = api_keys_get,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/api-keys",
	  .handler = api_keys_post,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/workspaces/{ws}/api-keys/{id}",
	  .handler = api_key_delete,
	  .permission = WEB_PERM_WORKSPACE,
	  .is_write = true },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/api-keys/{id}/rotate",
	  .handler = api_key_rotate,
	  .permission = WEB_PERM_WORKSPACE,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/departments",
	  .handler = departments_get,
	  .permission = WEB_PERM_WORKSPACE_KEY },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/departments",
	  .handler = departments_post,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_PATCH,
	  .pattern = "/api/v1/workspaces/{ws}/departments/{id}",
	  .handler = department_patch,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/workspaces/{ws}/departments/{id}",
	  .handler = department_delete,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .is_write = true },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/invitations",
	  .handler = invitations_post,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/invite-links",
	  .handler = invite_links_get,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/invite-links",
	  .handler = invite_links_post,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/workspaces/{ws}/invite-links/{id}",
	  .handler = invite_link_delete,
	  .permission = WEB_PERM_WORKSPACE,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/members",
	  .handler = members_get,
	  .permission = WEB_PERM_WORKSPACE_KEY },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/members",
	  .handler = members_post,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/members/import",
	  .handler = members_import,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/members/{id}",
	  .handler = member_get,
	  .permission = WEB_PERM_WORKSPACE_KEY },
	{ .methods = WEB_PATCH,
	  .pattern = "/api/v1/workspaces/{ws}/members/{id}",
	  .handler = member_patch,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/workspaces/{ws}/members/{id}",
	  .handler = member_delete,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .is_write = true },
	{ .methods = WEB_PUT,
	  .pattern = "/api/v1/workspaces/{ws}/members/{id}/password",
	  .handler = member_password,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/permission-groups",
	  .handler = groups_get,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/permission-groups",
	  .handler = groups_post,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_PATCH,
	  .pattern = "/api/v1/workspaces/{ws}/permission-groups/{id}",
	  .handler = group_patch,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/workspaces/{ws}/permission-groups/{id}",
	  .handler = group_delete,
	  .permission = WEB_PERM_WORKSPACE,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/roles",
	  .handler = roles_get,
	  .permission = WEB_PERM_WORKSPACE_KEY },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/roles",
	  .handler = roles_post,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_PATCH,
	  .pattern = "/api/v1/workspaces/{ws}/roles/{id}",
	  .handler = role_patch,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/workspaces/{ws}/roles/{id}",
	  .handler = role_delete,
	  .permission = WEB_PERM_WORKSPACE_KEY,
	  .is_write = true },
	{ .pattern = NULL },
};
