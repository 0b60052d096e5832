/* core/forms/uploads.c: who uploaded which file, in the workspace's
 * database (table file_upload, schema.c).
 *
 * The file store (storage/files.h) names a file by its SHA-256 and knows
 * nothing of people, so a hash alone must not be a key to a file: an
 * upload belongs to its uploader until a record takes it. A record's value
 * may name a file only if the actor uploaded it or the record already
 * held it (refs.c), and the file's name and media type come from the
 * upload's row, not from the client, so a field's "accept" list holds. The
 * same hash answers "not uploaded" whether or not someone else has that
 * file, so it says nothing of other people's documents. */
#include <string.h>

#include "forms_int.h"

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
