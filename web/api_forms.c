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

void web_api_form_get(struct web_request *req)
{
	app_read(req, fm_form_get);
}

void web_api_form_put(struct web_request *req)
{
	app_write(req, fm_form_put, 200);
}

void web_api_form_versions(struct web_request *req)
{
	app_read(req, fm_form_versions);
}

void web_api_records_post(struct web_request *req)
{
	app_write(req, fm_record_create, 201);
}

void web_api_records_batch(struct web_request *req)
{
	app_write(req, fm_record_batch, 201);
}

void web_api_records_query(struct web_request *req)
{
	app_body(req, fm_records_query);
}

void web_api_records_count(struct web_request *req)
{
	app_body(req, fm_records_count);
}

void web_api_record_get(struct web_request *req)
{
	rec_read(req, fm_record_get);
}

void web_api_record_history(struct web_request *req)
{
	rec_read(req, fm_record_history);
}

void web_api_record_patch(struct web_request *req)
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

void web_api_record_delete(struct web_request *req)
{
	struct cr_err err = { 0 };
	int64_t app, rec;
	int rc;

	if (!ids(req, &app, &rec))
		return;
	rc = fm_record_delete(FM(req), app, rec, web_write_key(req), cr_wall_us(), &err);
	web_reply_result(req, rc, &err, 204, NULL);
}

void web_api_record_restore(struct web_request *req)
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

void web_api_record_file(struct web_request *req)
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
