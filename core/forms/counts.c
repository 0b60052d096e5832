/* core/forms/counts.c: the number of live records of each app, kept by
 * the store itself so that "how many records" never scans.
 *
 * record_count holds one row per app whose record table exists. Three
 * triggers on the app's table keep it: a record inserted live adds one,
 * one deleted for good while live takes one away, and moving a record in
 * or out of the recycle bin (deleted_us NULL or not) does either. Being
 * triggers, they count every path that writes records (create, import,
 * delete, restore, purge) in the same transaction as the write. An app's
 * row and triggers are made with its table (form_save.c) or, for a table
 * made before counts were kept, by fm_workspace_ready() at start. */
#include <stdio.h>

#include "forms_int.h"

/* One trigger of fm_tx_count_keep(): its name suffix, the event and
 * condition it fires on, and what it adds to the count. The app id is an
 * integer of ours, not input: printed, not bound (a trigger's body cannot
 * take parameters). */
static int trigger(struct storage_tx *tx, int64_t app, const char *name, const char *event,
		   const char *when, const char *delta, struct cr_err *err)
{
	char sql[512];
	long long id = (long long)app;

	(void)snprintf(
	    sql, sizeof(sql),
	    "CREATE TRIGGER IF NOT EXISTS rec_%lld_count_%s AFTER %s ON rec_%lld WHEN %s "
	    "BEGIN UPDATE record_count SET live = live + %s WHERE app_id = %lld; END",
	    id, name, event, id, when, delta, id);
	return storage_tx_exec(tx, sql, NULL, 0, NULL, err);
}

int fm_tx_count_keep(struct storage_tx *tx, int64_t app, struct cr_err *err)
{
	struct storage_value p = storage_int(app);
	char sql[256];
	int rc;

	(void)snprintf(sql, sizeof(sql),
		       "INSERT OR IGNORE INTO record_count (app_id, live) SELECT ?, count(*) FROM "
		       "rec_%lld WHERE deleted_us IS NULL",
		       (long long)app);
	rc = storage_tx_exec(tx, sql, &p, 1, NULL, err);
	if (rc == 0)
		rc = trigger(tx, app, "in", "INSERT", "NEW.deleted_us IS NULL", "1", err);
	if (rc == 0)
		rc = trigger(tx, app, "out", "DELETE", "OLD.deleted_us IS NULL", "-1", err);
	if (rc == 0)
		rc = trigger(tx, app, "bin", "UPDATE OF deleted_us",
			     "(OLD.deleted_us IS NULL) != (NEW.deleted_us IS NULL)",
			     "(CASE WHEN NEW.deleted_us IS NULL THEN 1 ELSE -1 END)", err);
	return rc;
}

int fm_live_count(const struct forms *f, const char *db, int64_t app, int64_t *out,
		  struct cr_err *err)
{
	struct storage_value p = storage_int(app);
	struct storage_rows rows;
	int rc = storage_query(f->id->store, db, "SELECT live FROM record_count WHERE app_id = ?",
			       &p, 1, &rows, err);

	if (rc == 0)
		rc = rows.n_rows > 0 ? 1 : 0;
	if (rc == 1)
		*out = storage_rows_int(&rows, 0, 0, 0);
	storage_rows_close(&rows);
	return rc;
}

/* Apps with a record table but no count (made before counts were kept). */
static int upgrade_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct storage_rows rows;
	int rc = storage_tx_query(tx,
				  "SELECT a.id FROM app a WHERE a.form_version > 0 AND NOT EXISTS "
				  "(SELECT 1 FROM record_count c WHERE c.app_id = a.id)",
				  NULL, 0, &rows, err);

	(void)arg;
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++)
		rc = fm_tx_count_keep(tx, storage_rows_int(&rows, r, 0, 0), err);
	storage_rows_close(&rows);
	return rc;
}

int fm_workspace_ready(void *arg, const char *db, struct cr_err *err)
{
	const struct forms *f = arg;
	struct storage_rows rows;
	bool any;
	int rc = storage_query(f->id->store, db,
			       "SELECT 1 FROM app a WHERE a.form_version > 0 AND NOT EXISTS "
			       "(SELECT 1 FROM record_count c WHERE c.app_id = a.id) LIMIT 1",
			       NULL, 0, &rows, err);

	any = rc == 0 && rows.n_rows > 0;
	storage_rows_close(&rows);
	if (rc < 0 || !any)
		return rc;
	rc = storage_write(f->id->store, db, NULL, upgrade_job, NULL, err);
	return rc < 0 ? rc : 0;
}
