/* core/forms/refs.c: what record values refer to, in the store: the
 * names of members and departments an answer shows ("refs"), and that the
 * members, departments and uploaded files of new values exist.
 *
 * refs name only the workspace's own: its members (active or deactivated)
 * and its departments. An id that names no one of them (someone removed
 * from the workspace, a value written before a check) is left out, so a
 * record shows only people its reader may know of; a reader needs no
 * contacts right to see whom their own record names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "forms_int.h"

/* Names of ids into out ({"<id>": name}): select is a query of (id, name)
 * ending in "IN (", whose first parameter is ws if ws is not NULL. */
static int names_of(const struct forms *f, const char *db, const char *select, const char *ws,
		    const int64_t *ids, size_t n, json_t *out, struct cr_err *err)
{
	for (size_t i = 0; i < n; i += 200) {
		struct storage_value p[201];
		struct storage_rows rows;
		struct cr_buf sql;
		size_t m = n - i < 200 ? n - i : 200, np = 0;
		int rc;
		cr_buf_init(&sql, 4096); /* the select and 200 ", ?" */
		if (ws != NULL)
			p[np++] = storage_text(ws);
		FM_SQL_PRINTF(&sql, "%s?", select);
		p[np++] = storage_int(ids[i]);
		for (size_t k = 1; k < m; k++) {
			FM_SQL_PRINTF(&sql, ", ?");
			p[np++] = storage_int(ids[i + k]);
		}
		FM_SQL_PRINTF(&sql, ")");
		rc = storage_query(f->id->store, db, sql.data, p, (unsigned)np, &rows, err);
		for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
			char key[24];
			(void)snprintf(key, sizeof(key), "%lld",
				       (long long)storage_rows_int(&rows, r, 0, 0));
			json_object_set_new(out, key, json_string(storage_rows_text(&rows, r, 1)));
		}
		storage_rows_close(&rows);
		cr_buf_close(&sql);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int fm_refs(const struct forms *f, const struct id_actor *a, const int64_t *members,
	    size_t n_members, const int64_t *depts, size_t n_depts, json_t **out,
	    struct cr_err *err)
{
	json_t *m = json_object(), *d = json_object();
	int rc = names_of(f, STORAGE_DB_SYSTEM,
			  "SELECT a.id, a.name FROM account a JOIN workspace_member w "
			  "ON w.account_id = a.id AND w.workspace_id = ? WHERE a.id IN (",
			  a->workspace_id, members, n_members, m, err);

	if (rc == 0)
		rc = names_of(f, a->db, "SELECT id, name FROM department WHERE id IN (", NULL,
			      depts, n_depts, d, err);
	if (rc < 0) {
		json_decref(m);
		json_decref(d);
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "members", m, "departments", d);
	return 0;
}

void fm_person_name(json_t *rec, const char *key, const json_t *members)
{
	json_t *p = json_object_get(rec, key);
	char id[24];

	if (!json_is_object(p))
		return;
	(void)snprintf(id, sizeof(id), "%lld",
		       (long long)json_integer_value(json_object_get(p, "id")));
	json_object_set(p, "name",
			json_object_get(members, id) != NULL ? json_object_get(members, id)
							     : json_null());
}

int fm_records_refs(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		    const json_t *records, json_t *out, struct cr_err *err)
{
	struct fm_ids members = { 0 }, depts = { 0 };
	json_t *refs = NULL;
	size_t i;
	const json_t *rec;
	int rc;

	json_array_foreach(records, i, rec)
	{
		fm_record_ids(form, rec, &members, &depts);
	}
	rc = fm_refs(f, a, members.v, members.n, depts.v, depts.n, &refs, err);
	if (rc == 0) {
		json_array_foreach(records, i, rec)
		{
			fm_person_name((json_t *)rec, "created_by",
				       json_object_get(refs, "members"));
			fm_person_name((json_t *)rec, "updated_by",
				       json_object_get(refs, "members"));
		}
		json_object_set_new(out, "refs", refs);
	}
	free(members.v);
	free(depts.v);
	return rc;
}

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
 * the actor uploaded it (name and type the upload's, size the store's).
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
	if (rc == CR_ENOTFOUND)
		rc = cr_err_set(err, CR_EINVAL, "the file '%s' was not uploaded",
				json_string_value(json_object_get(e, "name")));
	if (rc == 0) {
		(void)json_object_update(e, up);
		json_object_set_new(e, "size", json_integer(size));
	}
	json_decref(up);
	return rc;
}

/* Each file of value v (of file field c) was uploaded by the actor or held
 * by the record before (prior); its name, type and size are set from
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
 * departments exist, its files were uploaded or held before (prior: the
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
 * if given), sub-table rows included, exist in the workspace; files were
 * uploaded by the actor or held before (prior: the record's values before,
 * or NULL), and keep the upload's name, type and the store's size. Errors
 * name the field. */
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
