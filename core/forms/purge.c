/* core/forms/purge.c: emptying the recycle bins. An app deleted more than
 * ID_RECYCLE_DAYS ago goes for good (its record tables, form versions,
 * columns, serial counters and history); so does a record deleted that
 * long ago (its row, search text and history). Outbox events are the log
 * later readers follow: they are kept FM_OUTBOX_KEEP_DAYS, then deleted
 * oldest first. Run by the leader now and then (node/ wires it to the
 * scheduler's housekeeping). */
#include <stdio.h>
#include <string.h>

#include "forms_int.h"

struct purge_app_job {
	int64_t app;
};

static int purge_app_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct purge_app_job *j = arg;
	struct storage_value p = storage_int(j->app);
	static const char *const by_app[] = {
		"DELETE FROM form_column WHERE app_id = ?",
		"DELETE FROM form_version WHERE app_id = ?",
		"DELETE FROM serial_counter WHERE app_id = ?",
		"DELETE FROM record_history WHERE app_id = ?",
		"DELETE FROM record_count WHERE app_id = ?",
		"DELETE FROM perm_group_app WHERE app_id = ?",
		"DELETE FROM app WHERE id = ? AND deleted_us IS NOT NULL",
	};
	char sql[96];
	int rc;

	(void)snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS rec_%lld_fts", (long long)j->app);
	rc = storage_tx_exec(tx, sql, NULL, 0, NULL, err);
	(void)snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS rec_%lld", (long long)j->app);
	if (rc == 0)
		rc = storage_tx_exec(tx, sql, NULL, 0, NULL, err);
	for (size_t i = 0; rc == 0 && i < sizeof(by_app) / sizeof(by_app[0]); i++)
		rc = storage_tx_exec(tx, by_app[i], &p, 1, NULL, err);
	return rc;
}

struct purge_records_job {
	int64_t app, before_us, now_us;
	size_t purged; /* out */
};

static int purge_records_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct purge_records_job *j = arg;
	struct storage_value p[2] = { storage_int(j->before_us), storage_int(j->app) };
	struct storage_rows rows;
	char sql[256];
	int rc;

	j->purged = 0;
	(void)snprintf(sql, sizeof(sql),
		       "SELECT id FROM rec_%lld WHERE deleted_us IS NOT NULL AND deleted_us < ? "
		       "LIMIT 500",
		       (long long)j->app);
	rc = storage_tx_query(tx, sql, p, 1, &rows, err);
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		struct storage_value q[2] = { storage_int(j->app),
					      storage_int(storage_rows_int(&rows, r, 0, 0)) };
		(void)snprintf(sql, sizeof(sql), "DELETE FROM rec_%lld_fts WHERE rowid = ?",
			       (long long)j->app);
		rc = storage_tx_exec(tx, sql, &q[1], 1, NULL, err);
		(void)snprintf(sql, sizeof(sql), "DELETE FROM rec_%lld WHERE id = ?",
			       (long long)j->app);
		if (rc == 0)
			rc = storage_tx_exec(tx, sql, &q[1], 1, NULL, err);
		if (rc == 0)
			rc = storage_tx_exec(tx,
					     "DELETE FROM record_history WHERE app_id = ? AND "
					     "record_id = ?",
					     q, 2, NULL, err);
		/* The change log says so too: read models drop the row. */
		if (rc == 0) {
			struct storage_value e[3] = { storage_int(j->now_us), q[0], q[1] };
			rc = storage_tx_exec(
			    tx,
			    "INSERT INTO outbox (at_us, topic, app_id, record_id, "
			    "actor, body) VALUES (?, 'record.purged', ?, ?, 0, "
			    "json_object('app', ?2, 'record', ?3, 'action', 'purge'))",
			    e, 3, NULL, err);
		}
		j->purged++;
	}
	storage_rows_close(&rows);
	return rc;
}

#define OUTBOX_CHUNK 1000

struct purge_outbox_job {
	int64_t before_us;
	size_t purged; /* out */
};

/* The oldest events, up to the first one still in the window: ids follow
 * commit order, so this reads OUTBOX_CHUNK rows at most, never the table. */
static int purge_outbox_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct purge_outbox_job *j = arg;
	struct storage_value p = storage_int(OUTBOX_CHUNK);
	struct storage_rows rows;
	int64_t last = 0;
	int rc = storage_tx_query(tx, "SELECT id, at_us FROM outbox ORDER BY id LIMIT ?", &p, 1,
				  &rows, err);

	j->purged = 0;
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		if (storage_rows_int(&rows, r, 1, 0) >= j->before_us)
			break;
		last = storage_rows_int(&rows, r, 0, 0);
		j->purged++;
	}
	storage_rows_close(&rows);
	if (rc == 0 && j->purged > 0) {
		struct storage_value q = storage_int(last);
		rc = storage_tx_exec(tx, "DELETE FROM outbox WHERE id <= ?", &q, 1, NULL, err);
	}
	return rc;
}

static int purge_workspace(const struct forms *f, const char *db, int64_t now_us, int64_t before_us,
			   int64_t events_before_us, struct fm_purged *out, struct cr_err *err)
{
	struct storage_value p = storage_int(before_us);
	struct storage_rows rows;
	int rc = storage_query(f->id->store, db,
			       "SELECT id, deleted_us IS NOT NULL AND deleted_us < ?, form_version "
			       "FROM app",
			       &p, 1, &rows, err);

	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		int64_t app = storage_rows_int(&rows, r, 0, 0);
		if (storage_rows_int(&rows, r, 1, 0) != 0) {
			struct purge_app_job j = { app };
			rc = storage_write(f->id->store, db, NULL, purge_app_job, &j, err);
			out->apps += rc == 0;
		} else if (storage_rows_int(&rows, r, 2, 0) > 0) {
			struct purge_records_job j = { app, before_us, now_us, 0 };
			do {
				rc = storage_write(f->id->store, db, NULL, purge_records_job, &j,
						   err);
				out->records += rc == 0 ? j.purged : 0;
			} while (rc == 0 && j.purged == 500);
		}
	}
	storage_rows_close(&rows);
	if (rc == 0) {
		struct purge_outbox_job j = { events_before_us, 0 };
		do {
			rc = storage_write(f->id->store, db, NULL, purge_outbox_job, &j, err);
			out->events += rc == 0 ? j.purged : 0;
		} while (rc == 0 && j.purged == OUTBOX_CHUNK);
	}
	return rc;
}

int fm_purge(const struct forms *f, int64_t now_us, struct fm_purged *out, struct cr_err *err)
{
	int64_t before = now_us - (int64_t)ID_RECYCLE_DAYS * 86400 * 1000000;
	int64_t events_before = now_us - (int64_t)FM_OUTBOX_KEEP_DAYS * 86400 * 1000000;
	struct storage_rows rows;
	int rc = storage_query(f->id->store, STORAGE_DB_SYSTEM, "SELECT id FROM workspace", NULL, 0,
			       &rows, err);

	*out = (struct fm_purged){ 0 };
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		char db[ID_DB_NAME_MAX + 1];
		id_workspace_db(storage_rows_text(&rows, r, 0), db);
		rc = purge_workspace(f, db, now_us, before, events_before, out, err);
	}
	storage_rows_close(&rows);
	return rc;
}
