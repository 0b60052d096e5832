/* web/api_apps.c: a workspace's apps page: its apps, their groups and
 * order, and the apps' recycle bin. The HTTP faces of core/forms/apps.h,
 * which checks every right itself (moved from api_org.c with the apps). */
#define LOG_MODULE "web"
#include "../core/forms/apps.h"
#include "../lib/time.h"
#include "web_int.h"

#define FM(req) (req)->ctx->forms, &(req)->actor

/* Whether this server serves forms (and so apps); else answered. */
static bool served(struct web_request *req)
{
	if (req->ctx->forms != NULL)
		return true;
	web_reply_error(req, CR_EUNAVAIL, "forms are not served by this node");
	return false;
}

/* The app id (params[1]). */
static bool app_id(struct web_request *req, int64_t *app)
{
	return served(req) && web_param_id(req, 1, app);
}

static void apps_get(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!served(req))
		return;
	rc = fm_apps_list(FM(req), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void apps_post(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!served(req))
		return;
	rc = fm_app_create(FM(req), req->json, web_write_key(req), cr_wall_us(), &out, &err);
	web_reply_result(req, rc, &err, 201, out);
}

static void app_patch(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t app;
	int rc;

	if (!app_id(req, &app))
		return;
	rc = fm_app_update(FM(req), app, req->json, web_write_key(req), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void app_delete(struct web_request *req)
{
	struct cr_err err = { 0 };
	int64_t app;
	int rc;

	if (!app_id(req, &app))
		return;
	rc = fm_app_delete(FM(req), app, web_write_key(req), cr_wall_us(), &err);
	web_reply_result(req, rc, &err, 204, NULL);
}

static void app_restore(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t app;
	int rc;

	if (!app_id(req, &app))
		return;
	rc = fm_app_restore(FM(req), app, web_write_key(req), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void app_bin(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!served(req))
		return;
	rc = fm_app_bin(FM(req), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void app_layout(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!served(req))
		return;
	rc = fm_app_layout(FM(req), req->json, web_write_key(req), cr_wall_us(), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

/* This family's routes; web/routes.c lists the families. */
const struct web_route web_routes_apps[] = {
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/app-bin",
	  .handler = app_bin,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_PUT,
	  .pattern = "/api/v1/workspaces/{ws}/app-layout",
	  .handler = app_layout,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/apps",
	  .handler = apps_get,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/apps",
	  .handler = apps_post,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_PATCH,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}",
	  .handler = app_patch,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}",
	  .handler = app_delete,
	  .permission = WEB_PERM_WORKSPACE,
	  .is_write = true },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/restore",
	  .handler = app_restore,
	  .permission = WEB_PERM_WORKSPACE,
	  .is_write = true },
	{ .pattern = NULL },
};
