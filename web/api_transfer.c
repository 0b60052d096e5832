/* web/api_transfer.c: export and import of an app's records (the HTTP
 * faces of core/forms/transfer.c). */
#define LOG_MODULE "web"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/forms/forms.h"
#include "../lib/time.h"
#include "web_int.h"

#define FM(req) (req)->ctx->forms, &(req)->actor

static bool app_id(struct web_request *req, int64_t *app)
{
	if (req->ctx->forms == NULL) {
		web_reply_error(req, CR_EUNAVAIL, "forms are not served by this node");
		return false;
	}
	return web_param_id(req, 1, app);
}

static void records_export(struct web_request *req)
{
	struct cr_err err = { 0 };
	struct cr_buf file;
	const char *type = NULL;
	char name[256] = "";
	int64_t app;
	int rc;

	if (!app_id(req, &app))
		return;
	cr_buf_init(&file, 1);
	rc = fm_export(FM(req), app, req->json, &file, &type, name, &err);
	if (rc < 0) {
		cr_buf_close(&file);
		web_reply_result(req, rc, &err, 200, NULL);
		return;
	}
	web_files_reply(req, &file, name, type, false);
	cr_buf_close(&file);
}

static void records_import(struct web_request *req)
{
	struct cr_err err = { 0 };
	struct cr_buf file;
	json_t *out = NULL;
	const char *sha = json_string_value(json_object_get(req->json, "file"));
	int64_t app;
	int rc = 0;

	if (!app_id(req, &app))
		return;
	cr_buf_init(&file, 1);
	/* a large file comes as an upload first (POST /files), named here */
	if (json_object_get(req->json, "file") != NULL) {
		json_t *mine = NULL;
		if (sha == NULL)
			rc =
			    cr_err_set(&err, CR_EINVAL, "'file' must be an uploaded file's sha256");
		else /* the caller's own upload: a hash alone opens nothing */
			rc = fm_upload_find(FM(req), sha, &mine, &err);
		if (rc == 0)
			rc = web_files_read(req, req->actor.workspace_id, sha, &file, &err);
		json_decref(mine);
		if (rc == CR_ENOTFOUND || (rc == CR_EINVAL && sha != NULL))
			rc = cr_err_set(&err, CR_EINVAL, "no uploaded file %.64s in this workspace",
					sha);
	}
	if (rc == 0)
		rc = fm_import(FM(req), app, req->json, file.data, file.len, web_write_key(req),
			       cr_wall_us(), &out, &err);
	cr_buf_close(&file);
	web_reply_result(req, rc, &err, 200, out);
}

/* This family's routes; web/routes.c lists the families. */
const struct web_route web_routes_transfer[] = {
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/export",
	  .handler = records_export,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/import",
	  .handler = records_import,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .pattern = NULL },
};
