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

void web_api_apps_get(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!served(req))
		return;
	rc = fm_apps_list(FM(req), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

void web_api_apps_post(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!served(req))
		return;
	rc = fm_app_create(FM(req), req->json, web_write_key(req), cr_wall_us(), &out, &err);
	web_reply_result(req, rc, &err, 201, out);
}

void web_api_app_patch(struct web_request *req)
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

void web_api_app_delete(struct web_request *req)
{
	struct cr_err err = { 0 };
	int64_t app;
	int rc;

	if (!app_id(req, &app))
		return;
	rc = fm_app_delete(FM(req), app, web_write_key(req), cr_wall_us(), &err);
	web_reply_result(req, rc, &err, 204, NULL);
}

void web_api_app_restore(struct web_request *req)
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

void web_api_app_bin(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!served(req))
		return;
	rc = fm_app_bin(FM(req), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

void web_api_app_layout(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!served(req))
		return;
	rc = fm_app_layout(FM(req), req->json, web_write_key(req), cr_wall_us(), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}
