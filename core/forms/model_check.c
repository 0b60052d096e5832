/* core/forms/model_check.c: the read model compared with the store: the
 * operator's status (model.h fm_model_status(), with checksums on asking)
 * and each node's periodic drift check (fm_model_check()), which rebuilds
 * an app whose rows differ. */
#define LOG_MODULE "forms"
#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/log.h"
#include "forms_int.h"
#include "model_int.h"

/* FNV-1a over every value of rows, going on from *h. */
static void hash_rows(const struct storage_rows *rows, uint64_t *h)
{
	for (size_t i = 0; i < rows->n_rows * rows->n_cols; i++) {
		const struct storage_value *v = &rows->values[i];
		char num[32];
		const unsigned char *p = (const unsigned char *)num;
		size_t n;
		switch (v->type) {
		case STORAGE_INTEGER:
			n = (size_t)snprintf(num, sizeof(num), "i%lld", (long long)v->i);
			break;
		case STORAGE_FLOAT:
			n = (size_t)snprintf(num, sizeof(num), "f%.17g", v->f);
			break;
		case STORAGE_TEXT:
		case STORAGE_BLOB:
			p = (const unsigned char *)v->s.p;
			n = v->s.len;
			break;
		default:
			n = (size_t)snprintf(num, sizeof(num), "n");
			break;
		}
		for (size_t k = 0; k < n; k++)
			*h = (*h ^ p[k]) * 1099511628211ULL;
		*h = (*h ^ 0xff) * 1099511628211ULL; /* value separator */
	}
}

/* An app's records, ordered by id, as a checksum and a count: from the
 * store (d NULL) or the model, FM_MODEL_COPY_ROWS at a time (a whole table
 * would not fit one result). */
static int app_sum(const struct forms *f, const char *db, struct storage_model_db *d, int64_t app,
		   uint64_t *h, int64_t *n_rows, struct cr_err *err)
{
	char sql[128];
	int64_t after = -1;
	int rc;

	(void)snprintf(sql, sizeof(sql), "SELECT * FROM rec_%lld WHERE id > ? ORDER BY id LIMIT %d",
		       (long long)app, FM_MODEL_COPY_ROWS);
	*h = 1469598103934665603ULL;
	*n_rows = 0;
	for (;;) {
		struct storage_value p = storage_int(after);
		struct storage_rows rows;
		size_t n;
		if (storage_model_stopping(f->model))
			return cr_err_set(err, CR_EUNAVAIL, "the node is stopping");
		rc = d == NULL ? storage_query(f->id->store, db, sql, &p, 1, &rows, err)
			       : storage_model_query(d, sql, &p, 1, &rows, err);
		n = rows.n_rows;
		if (rc == 0 && n > 0) {
			hash_rows(&rows, h);
			*n_rows += (int64_t)n;
			after = storage_rows_int(&rows, n - 1, 0, 0);
		}
		storage_rows_close(&rows);
		if (rc < 0 || n < FM_MODEL_COPY_ROWS)
			return rc;
	}
}

int fm_model_status(const struct forms *f, const char *db, bool sums, json_t **out,
		    struct cr_err *err)
{
	struct storage_model_db *d;
	struct fm_head h = { 0, NULL };
	int rc = f->model != NULL ? storage_model_db(f->model, db, &d, err)
				  : cr_err_set(err, CR_EUNAVAIL, "this node keeps no read model");
	int64_t app;
	json_t *apps;

	if (rc == 0)
		rc = fm_model_head_read(f, db, &h, err);
	if (rc < 0)
		return rc;
	apps = json_array();
	for (const char *s = h.apps; sums && rc == 0 && fm_model_next_app(&s, &app);) {
		uint64_t sa = 0, sb = 0;
		int64_t na = 0, nb = 0;
		rc = app_sum(f, db, NULL, app, &sa, &na, err);
		if (rc == 0 && app_sum(f, db, d, app, &sb, &nb, err) == 0)
			json_array_append_new(
			    apps, json_pack("{s:I, s:I, s:I, s:b}", "app", (json_int_t)app,
					    "store_rows", (json_int_t)na, "model_rows",
					    (json_int_t)nb, "same", sa == sb && na == nb));
		else if (rc == 0)
			json_array_append_new(apps, json_pack("{s:I, s:s}", "app", (json_int_t)app,
							      "model_error", err->msg));
	}
	if (rc == 0) {
		int64_t pos = storage_model_position(d);
		*out = json_pack("{s:s, s:I, s:I, s:b, s:o}", "database", db, "position",
				 (json_int_t)pos, "head", (json_int_t)h.last, "built",
				 pos != STORAGE_MODEL_UNBUILT, "apps", apps);
		if (pos != STORAGE_MODEL_UNBUILT)
			json_object_set_new(*out, "lag", json_integer(h.last - pos));
	} else {
		json_decref(apps);
	}
	free(h.apps);
	return rc;
}

int fm_model_status_all(const struct forms *f, bool sums, json_t **out, struct cr_err *err)
{
	struct storage_rows rows;
	int rc = f->model == NULL
		     ? cr_err_set(err, CR_EUNAVAIL, "this node keeps no read model")
		     : storage_query(f->id->store, STORAGE_DB_SYSTEM,
				     "SELECT id FROM workspace ORDER BY id", NULL, 0, &rows, err);
	json_t *list;

	if (rc < 0)
		return rc;
	list = json_array();
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		char db[ID_DB_NAME_MAX + 1];
		json_t *one = NULL;
		id_workspace_db(storage_rows_text(&rows, r, 0), db);
		rc = fm_model_status(f, db, sums, &one, err);
		if (rc == 0) {
			json_object_set_new(one, "workspace",
					    json_string(storage_rows_text(&rows, r, 0)));
			json_array_append_new(list, one);
		}
	}
	storage_rows_close(&rows);
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}

/* The same head (newest change and apps' signature) twice. */
static bool same_head(const struct fm_head *a, const struct fm_head *b)
{
	return a->last == b->last && a->apps != NULL && b->apps != NULL &&
	       strcmp(a->apps, b->apps) == 0;
}

int fm_model_check(const struct forms *f, const char *db, size_t *repaired, struct cr_err *err)
{
	struct storage_model_db *d;
	struct fm_head h = { 0, NULL };
	int64_t app;
	int rc = fm_model_follow(f, db, err);

	if (rc == 0)
		rc = storage_model_db(f->model, db, &d, err);
	if (rc == 0)
		rc = fm_model_head_read(f, db, &h, err);
	if (rc < 0)
		return rc;
	/* Compared only where the model has applied everything: the store
	 * must not move while an app is summed (else the check is skipped
	 * until the next one; a drift stays until a quiet moment). */
	for (const char *s = h.apps;
	     rc == 0 && storage_model_position(d) == h.last && fm_model_next_app(&s, &app);) {
		struct fm_head after = { 0, NULL };
		uint64_t sa = 0, sb = 0;
		int64_t na = 0, nb = 0;
		rc = app_sum(f, db, NULL, app, &sa, &na, err);
		if (rc == 0)
			rc = app_sum(f, db, d, app, &sb, &nb, err);
		if (rc == 0)
			rc = fm_model_head_read(f, db, &after, err);
		if (rc == 0 && same_head(&h, &after) && (sa != sb || na != nb)) {
			log_warn("read model of '%s': app %lld differs from the store (%lld rows "
				 "against %lld); rebuilding it",
				 db, (long long)app, (long long)nb, (long long)na);
			rc = storage_model_begin(d, err);
			if (rc == 0)
				rc = fm_model_app_rebuild(f, db, d, app, false, err);
			if (rc == 0)
				rc = storage_model_commit(d, storage_model_position(d), err);
			else
				storage_model_rollback(d);
			if (rc == 0)
				(*repaired)++;
		}
		free(after.apps);
	}
	free(h.apps);
	return rc;
}

static int check_one(const struct forms *f, const char *db, void *arg, struct cr_err *err)
{
	return fm_model_check(f, db, arg, err);
}

int fm_model_check_all(const struct forms *f, size_t *repaired, struct cr_err *err)
{
	*repaired = 0;
	return fm_model_each_workspace(f, check_one, repaired, err);
}
