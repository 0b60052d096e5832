/* core/forms/store_check.c: what the store knows of new record values:
 * their members are the workspace's, their departments exist, and each
 * file was uploaded by the actor, held by the record before, or held by
 * another record the actor may read (uploads.c); a file keeps the name and
 * type of where it came from, not the client's. Sub-table rows alike.
 *
 * Split from refs.c so that the file check may ask uploads.c, which loads
 * forms (form_load.c), which names people through refs.c: one way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forms_int.h"

/* The departments in ids exist. */
static int departments_exist(const struct forms *f, const struct id_actor *a,
			     const struct fm_ids *ids, struct cr_err *err)
{
	int rc = 0;

	for (size_t d = 0; rc == 0 && d < ids->n; d++) {
		struct storage_value p = storage_int(ids->v[d]);
		struct storage_rows rows;
		rc = storage_query(f->id->store, a->db, "SELECT 1 FROM department WHERE id = ?", &p,
				   1, &rows, err);
		if (rc == 0 && rows.n_rows == 0)
			rc = cr_err_set(err, CR_EINVAL, "there is no department %lld",
					(long long)ids->v[d]);
		storage_rows_close(&rows);
	}
	return rc;
}

/* The ref to sha that prior (the field's value before this change, or
 * NULL) holds, else NULL. */
static const json_t *held_before(const json_t *prior, const char *sha)
{
	size_t k;
	const json_t *p;

	json_array_foreach(prior, k, p)
	{
		const char *had = json_string_value(json_object_get(p, "sha256"));
		if (had != NULL && sha != NULL && strcmp(had, sha) == 0)
			return p;
	}
	return NULL;
}

/* File ref e as the record will keep it: as the record held it, else as
 * the actor uploaded it (name and type the upload's, size the store's),
 * else as another record the actor may read holds it (that record's ref).
 * Anything else, someone else's upload included, was "not uploaded". */
static int file_taken(const struct forms *f, const struct id_actor *a, const json_t *prior,
		      json_t *e, struct cr_err *err)
{
	const char *sha = json_string_value(json_object_get(e, "sha256"));
	const json_t *held = held_before(prior, sha);
	json_t *up = NULL;
	int64_t size = 0;
	int rc;

	if (held != NULL)
		return json_object_update(e, (json_t *)held) == 0 ? 0 : CR_EINTERNAL;
	rc = fm_upload_find(f, a, sha, &up, err);
	if (rc == 0)
		rc = f->file_size == NULL
			 ? cr_err_set(err, CR_EUNAVAIL, "files cannot be stored on this node")
			 : f->file_size(f->file_arg, a->workspace_id, sha, &size, err);
	if (rc == 0)
		json_object_set_new(up, "size", json_integer(size));
	else if (rc == CR_ENOTFOUND)
		rc = fm_upload_held(f, a, sha, &up, err);
	if (rc == CR_ENOTFOUND)
		rc = cr_err_set(err, CR_EINVAL, "the file '%s' was not uploaded",
				json_string_value(json_object_get(e, "name")));
	if (rc == 0)
		rc = json_object_update(e, up) == 0 ? 0 : CR_EINTERNAL;
	json_decref(up);
	return rc;
}

/* Each file of value v (of file field c) was held by the record before
 * (prior), uploaded by the actor or held by a record the actor may read;
 * its name, type and size are set from
 * there, and the field's checks run again on them (its accept list and
 * max_size judge the real file, not what the client said). */
static int files_uploaded(const struct forms *f, const struct id_actor *a, const struct fm_col *c,
			  json_t *v, const json_t *prior, struct cr_err *err)
{
	const json_t *opts = json_object_get(c->field, "options");
	json_t *empty = opts == NULL ? json_object() : NULL;
	json_t *norm = NULL;
	size_t k;
	json_t *e;
	int rc = 0;

	json_array_foreach(v, k, e)
	{
		rc = file_taken(f, a, prior, e, err);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = c->t->check_value(opts != NULL ? opts : empty, v, &norm, err);
	json_decref(norm);
	json_decref(empty);
	return rc;
}

static int rows_store_check(const struct forms *f, const struct id_actor *a,
			    const json_t *subfields, json_t *rows, const json_t *prior_rows,
			    struct cr_err *err);

/* Value v (not null) of column c: its members are the workspace's, its
 * departments exist, its files may be taken (file_taken; prior: the
 * column's value before, or NULL); a sub-table's rows alike. CR_EINVAL
 * naming the field. */
static int col_store_check(const struct forms *f, const struct id_actor *a, const struct fm_col *c,
			   json_t *v, const json_t *prior, struct cr_err *err)
{
	const json_t *subfields = fm_field_subfields(c->field);
	struct fm_ids ids = { 0 };
	int rc = 0;

	if (c->t->ref != FM_REF_NONE)
		fm_value_ids(v, &ids);
	if (c->t->ref == FM_REF_MEMBER)
		rc = id_accounts_are_members(f->id, a->workspace_id, ids.v, ids.n, err);
	else if (c->t->ref == FM_REF_DEPARTMENT)
		rc = departments_exist(f, a, &ids, err);
	free(ids.v);
	if (rc == 0 && c->t->is_file)
		rc = files_uploaded(f, a, c, v, prior, err);
	if (rc == 0 && subfields != NULL)
		rc = rows_store_check(f, a, subfields, v, prior, err);
	if (rc == CR_EINVAL)
		(void)cr_err_wrap(err, "'%s'", c->label);
	return rc;
}

/* Every value the sub-table's earlier rows (prior_rows) held in sub-field
 * id, as one list (a new reference): what a row's file may be held from. */
static json_t *prior_column(const json_t *prior_rows, const char *id)
{
	json_t *all = json_array();
	size_t r;
	const json_t *row;

	json_array_foreach(prior_rows, r, row)
	{
		json_t *v = json_object_get(row, id);
		if (json_is_array(v))
			(void)json_array_extend(all, v);
	}
	return all;
}

/* Each value of each row of a sub-table gets the checks of a top-level
 * value of its type (col_store_check); subfields are the row's fields,
 * prior_rows the sub-table's rows before (or NULL). */
static int rows_store_check(const struct forms *f, const struct id_actor *a,
			    const json_t *subfields, json_t *rows, const json_t *prior_rows,
			    struct cr_err *err)
{
	size_t r, k;
	json_t *row;
	const json_t *sf;

	json_array_foreach(rows, r, row)
	{
		json_array_foreach(subfields, k, sf)
		{
			struct fm_col sub = { .field = sf };
			json_t *v =
			    json_object_get(row, json_string_value(json_object_get(sf, "id")));
			const char *label;
			json_t *prior;
			int rc;
			if (v == NULL || json_is_null(v))
				continue;
			sub.t = fm_type_get(json_string_value(json_object_get(sf, "type")));
			label = json_string_value(json_object_get(sf, "label"));
			(void)snprintf(sub.label, sizeof(sub.label), "%s", label ? label : "");
			prior =
			    prior_column(prior_rows, json_string_value(json_object_get(sf, "id")));
			rc = col_store_check(f, a, &sub, v, prior, err);
			json_decref(prior);
			if (rc == CR_EINVAL)
				(void)cr_err_wrap(err, "row %zu", r + 1);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* Members and departments named in the values (only fields in changed,
 * if given), sub-table rows included, exist in the workspace; files may be
 * taken (file_taken; prior: the record's values before, or NULL) and keep
 * the name and type of where they came from. Errors name the field. */
int fm_values_store_check(const struct forms *f, const struct id_actor *a,
			  const struct fm_form *form, json_t *values, const json_t *changed,
			  const json_t *prior, struct cr_err *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		json_t *v = json_object_get(values, c->id);
		if (json_is_null(v) || v == NULL ||
		    (changed != NULL && json_object_get(changed, c->id) == NULL))
			continue;
		rc = col_store_check(f, a, c, v, json_object_get(prior, c->id), err);
	}
	return rc;
}
