/* core/forms/uploads.c: who uploaded which file, in the workspace's
 * database (table file_upload, schema.c).
 *
 * The file store (storage/files.h) names a file by its SHA-256 and knows
 * nothing of people, so a hash alone must not be a key to a file: an
 * upload belongs to its uploader until a record takes it. A record's value
 * may name a file only if the actor uploaded it, the record already held
 * it, or another record the actor may read holds it (store_check.c); the
 * file's name and media type come from the upload's row or the holder's
 * ref, not from the client, so a field's "accept" list holds. The same
 * hash answers "not uploaded" whether or not someone else has that file,
 * so it says nothing of other people's documents.
 *
 * Holders are found by a bounded search, not an index: file refs live in
 * the JSON of the apps' record tables, and the search runs only when the
 * cheap answers (own upload, the record's own file) failed. Each app's
 * file columns (and sub-tables, whose rows may hold files) are searched
 * with instr() for the hash among the records the actor may read, and a
 * candidate is read whole (fm_record_read: the rule of every record read)
 * and its typed file values compared, so a text that merely contains the
 * hash holds nothing. Its cost: a scan of each app's table that has file
 * columns (no index reaches into the JSON), paid only by a value naming a
 * file that is neither the actor's upload nor the record's own. An index
 * table of (sha256, app, record) would make it a lookup, but every write
 * path (create, change, import, delete, restore, purge, form changes) would
 * have to keep it; worth it if attaching others' files becomes common. */
#include <string.h>

#include "../../lib/buf.h"
#include "forms_int.h"

/* A search for a record that holds a file (fm_upload_held) reads at most
 * this many apps (the first by id) and, in each, at most this many records
 * whose file columns mention the hash and that the actor may read. */
#define HOLDER_APPS_MAX       500
#define HOLDER_CANDIDATES_MAX 20

int fm_upload_add(const struct forms *f, const struct id_actor *a, const char *sha256,
		  const char *name, const char *type, int64_t size, int64_t now_us,
		  struct cr_err *err)
{
	struct storage_value p[6] = {
		storage_text(sha256), storage_int(a->account.id), storage_text(name),
		storage_text(type),   storage_int(size),          storage_int(now_us),
	};

	if (a->account.id <= 0)
		return cr_err_set(err, CR_EDENIED, "only a signed-in member uploads files");
	return storage_exec(f->id->store, a->db, NULL,
			    "INSERT INTO file_upload (sha256, account_id, name, type, size, "
			    "created_us) VALUES (?, ?, ?, ?, ?, ?) "
			    "ON CONFLICT (sha256, account_id) DO UPDATE SET name = excluded.name, "
			    "type = excluded.type, size = excluded.size, "
			    "created_us = excluded.created_us",
			    p, 6, NULL, err);
}

int fm_upload_find(const struct forms *f, const struct id_actor *a, const char *sha256,
		   json_t **out, struct cr_err *err)
{
	struct storage_value p[2] = { storage_text(sha256 != NULL ? sha256 : ""),
				      storage_int(a->account.id) };
	struct storage_rows rows;
	int rc = storage_query(f->id->store, a->db,
			       "SELECT name, type, size FROM file_upload "
			       "WHERE sha256 = ? AND account_id = ?",
			       p, 2, &rows, err);

	if (rc < 0)
		return rc;
	if (rows.n_rows == 0) {
		storage_rows_close(&rows);
		return cr_err_set(err, CR_ENOTFOUND, "no such upload");
	}
	*out = json_pack("{s:s, s:s, s:s, s:I}", "sha256", sha256, "name",
			 storage_rows_text(&rows, 0, 0), "type", storage_rows_text(&rows, 0, 1),
			 "size", (json_int_t)storage_rows_int(&rows, 0, 2, 0));
	storage_rows_close(&rows);
	return 0;
}

/* The ref to sha in file value v (a list of refs), else NULL. */
static const json_t *ref_in_list(const json_t *v, const char *sha)
{
	size_t k;
	const json_t *e;

	json_array_foreach(v, k, e)
	{
		const char *had = json_string_value(json_object_get(e, "sha256"));
		if (had != NULL && strcmp(had, sha) == 0)
			return e;
	}
	return NULL;
}

/* The ref to sha that record rec holds in a file field or a file sub-field
 * of a sub-table's row, else NULL. */
static const json_t *ref_in_record(const struct fm_form *form, const json_t *rec, const char *sha)
{
	const json_t *values = json_object_get(rec, "values"), *found = NULL;

	for (size_t i = 0; found == NULL && i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *v = json_object_get(values, c->id), *subfields, *row, *sf;
		size_t r, k;
		if (c->t->is_file)
			found = ref_in_list(v, sha);
		subfields = fm_field_subfields(c->field);
		json_array_foreach(subfields != NULL ? v : NULL, r, row)
		{
			json_array_foreach(subfields, k, sf)
			{
				const char *type = json_string_value(json_object_get(sf, "type"));
				const char *id = json_string_value(json_object_get(sf, "id"));
				if (found == NULL && id != NULL && fm_type_get(type)->is_file)
					found = ref_in_list(json_object_get(row, id), sha);
			}
		}
	}
	return found;
}

/* The ids of at most HOLDER_CANDIDATES_MAX records of form that the actor
 * may read (rights) and whose file or sub-table columns mention sha. */
static int candidates(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		      const struct fm_rights *rights, const char *sha, struct storage_rows *rows,
		      struct cr_err *err)
{
	struct storage_value p[3] = { storage_text(sha), storage_int(rights->all_data ? 1 : 0),
				      storage_int(a->account.id) };
	struct cr_buf sql;
	const char *sep = "";
	int rc;

	storage_rows_init(rows);
	cr_buf_init(&sql, 65536); /* at most 2,000 columns of " OR instr(c<n>, ?1) > 0" */
	FM_SQL_PRINTF(&sql, "SELECT id FROM %s WHERE (", form->table);
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		if (!c->t->is_file && fm_field_subfields(c->field) == NULL)
			continue;
		FM_SQL_PRINTF(&sql, "%sinstr(c%d, ?1) > 0", sep, c->col);
		sep = " OR ";
	}
	FM_SQL_PRINTF(&sql,
		      ") AND (?2 = 1 OR (created_by = ?3 AND coalesce(deleted_us, 0) = 0)) "
		      "ORDER BY id LIMIT %d",
		      HOLDER_CANDIDATES_MAX);
	rc = *sep == '\0' ? 0 : storage_query(f->id->store, a->db, sql.data, p, 3, rows, err);
	cr_buf_close(&sql);
	return rc;
}

/* The ref to sha held by a record of app that the actor may read, in
 * *out (a new reference), else NULL. */
static int held_in_app(const struct forms *f, const struct id_actor *a, int64_t app,
		       const char *sha, json_t **out, struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	struct storage_rows rows;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc == CR_ENOTFOUND)
		return 0; /* deleted since it was listed */
	if (rc < 0)
		return rc;
	rc = candidates(f, a, &form, &rights, sha, &rows, err);
	for (size_t r = 0; rc == 0 && *out == NULL && r < rows.n_rows; r++) {
		json_t *rec = NULL;
		const json_t *ref;
		rc = fm_record_read(f, a, &form, &rights, NULL, storage_rows_int(&rows, r, 0, 0),
				    &rec, err);
		if (rc == CR_ENOTFOUND)
			rc = 0;
		ref = rc == 0 ? ref_in_record(&form, rec, sha) : NULL;
		if (ref != NULL)
			*out = json_deep_copy(ref);
		json_decref(rec);
	}
	storage_rows_close(&rows);
	fm_form_free(&form);
	return rc;
}

int fm_upload_held(const struct forms *f, const struct id_actor *a, const char *sha256,
		   json_t **out, struct cr_err *err)
{
	struct storage_value p = storage_int(HOLDER_APPS_MAX);
	struct storage_rows apps;
	int rc;

	*out = NULL;
	if (sha256 == NULL || *sha256 == '\0')
		return cr_err_set(err, CR_ENOTFOUND, "no record holds that file");
	rc = storage_query(f->id->store, a->db,
			   "SELECT id FROM app WHERE deleted_us IS NULL ORDER BY id LIMIT ?", &p, 1,
			   &apps, err);
	for (size_t r = 0; rc == 0 && *out == NULL && r < apps.n_rows; r++)
		rc = held_in_app(f, a, storage_rows_int(&apps, r, 0, 0), sha256, out, err);
	storage_rows_close(&apps);
	if (rc == 0 && *out == NULL)
		rc = cr_err_set(err, CR_ENOTFOUND, "no record holds that file");
	return rc;
}
