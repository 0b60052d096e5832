/* web/api_forms.c: the HTTP faces of core/forms: an app's form, its
 * records, their files, import and export. core/forms checks every right
 * itself. */
#define LOG_MODULE "web"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/forms/forms.h"
#include "../lib/time.h"
#include "web_int.h"

#define FM(req) (req)->ctx->forms, &(req)->actor

/* The app id (params[1]) and, with rec, the record id (params[2]). */
static bool ids(struct web_request *req, int64_t *app, int64_t *rec)
{
	if (req->ctx->forms == NULL) {
		web_reply_error(req, CR_EUNAVAIL, "forms are not served by this node");
		return false;
	}
	if (!web_param_id(req, 1, app))
		return false;
	return rec == NULL || web_param_id(req, 2, rec);
}

/* Handlers of the same shape, one line each. */
typedef int (*app_read_fn)(const struct forms *, const struct id_actor *, int64_t, json_t **,
			   struct cr_err *);
typedef int (*app_body_fn)(const struct forms *, const struct id_actor *, int64_t, const json_t *,
			   json_t **, struct cr_err *);
typedef int (*app_write_fn)(const struct forms *, const struct id_actor *, int64_t, const json_t *,
			    const char *, int64_t, json_t **, struct cr_err *);
typedef int (*rec_read_fn)(const struct forms *, const struct id_actor *, int64_t, int64_t,
			   json_t **, struct cr_err *);

static void app_read(struct web_request *req, app_read_fn fn)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t app;
	int rc;

	if (!ids(req, &app, NULL))
		return;
	rc = fn(FM(req), app, &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void app_body(struct web_request *req, app_body_fn fn)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t app;
	int rc;

	if (!ids(req, &app, NULL))
		return;
	rc = fn(FM(req), app, req->json, &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void app_write(struct web_request *req, app_write_fn fn, unsigned status)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t app;
	int rc;

	if (!ids(req, &app, NULL))
		return;
	rc = fn(FM(req), app, req->json, web_write_key(req), cr_wall_us(), &out, &err);
	web_reply_result(req, rc, &err, status, out);
}

static void rec_read(struct web_request *req, rec_read_fn fn)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t app, rec;
	int rc;

	if (!ids(req, &app, &rec))
		return;
	rc = fn(FM(req), app, rec, &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void form_get(struct web_request *req)
{
	app_read(req, fm_form_get);
}

static void form_put(struct web_request *req)
{
	app_write(req, fm_form_put, 200);
}

static void form_versions(struct web_request *req)
{
	app_read(req, fm_form_versions);
}

static void records_post(struct web_request *req)
{
	app_write(req, fm_record_create, 201);
}

static void records_batch(struct web_request *req)
{
	app_write(req, fm_record_batch, 201);
}

static void records_query(struct web_request *req)
{
	app_body(req, fm_records_query);
}

static void records_count(struct web_request *req)
{
	app_body(req, fm_records_count);
}

static void record_get(struct web_request *req)
{
	rec_read(req, fm_record_get);
}

static void record_history(struct web_request *req)
{
	rec_read(req, fm_record_history);
}

static void record_patch(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t app, rec;
	int rc;

	if (!ids(req, &app, &rec))
		return;
	rc = fm_record_update(FM(req), app, rec, req->json, web_write_key(req), cr_wall_us(), &out,
			      &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void record_delete(struct web_request *req)
{
	struct cr_err err = { 0 };
	int64_t app, rec;
	int rc;

	if (!ids(req, &app, &rec))
		return;
	rc = fm_record_delete(FM(req), app, rec, web_write_key(req), cr_wall_us(), &err);
	web_reply_result(req, rc, &err, 204, NULL);
}

static void record_restore(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int64_t app, rec;
	int rc;

	if (!ids(req, &app, &rec))
		return;
	rc = fm_record_restore(FM(req), app, rec, web_write_key(req), cr_wall_us(), &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void record_file(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *ref = NULL;
	const char *sha = req->n_params > 3 ? req->params[3] : "";
	const char *inline_arg = web_query_arg(req, "inline");
	int64_t app, rec;
	int rc;

	if (!ids(req, &app, &rec))
		return;
	rc = fm_record_file(FM(req), app, rec, sha, &ref, &err);
	if (rc < 0) {
		web_reply_result(req, rc, &err, 200, NULL);
		return;
	}
	/* web_files_send shows only images inline, whatever is asked */
	web_files_send(req, req->actor.workspace_id, sha,
		       json_string_value(json_object_get(ref, "name")),
		       json_string_value(json_object_get(ref, "type")),
		       inline_arg != NULL && strcmp(inline_arg, "1") == 0);
	json_decref(ref);
}

/* This family's routes; web/routes.c lists the families. */
const struct web_route web_routes_forms[] = {
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/form",
	  .handler = form_get,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_PUT,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/form",
	  .handler = form_put,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/form/versions",
	  .handler = form_versions,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records",
	  .handler = records_post,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records/batch",
	  .handler = records_batch,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records/count",
	  .handler = records_count,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records/query",
	  .handler = records_query,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records/{rec}",
	  .handler = record_get,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_PATCH,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records/{rec}",
	  .handler = record_patch,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records/{rec}",
	  .handler = record_delete,
	  .permission = WEB_PERM_WORKSPACE,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records/{rec}/files/{sha256}",
	  .handler = record_file,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records/{rec}/history",
	  .handler = record_history,
	  .permission = WEB_PERM_WORKSPACE },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/apps/{id}/records/{rec}/restore",
	  .handler = record_restore,
	  .permission = WEB_PERM_WORKSPACE,
	  .is_write = true },
	{ .pattern = NULL },
};
