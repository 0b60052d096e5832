/* core/forms/model.c: the forms' read model on this node (model.h).
 *
 * What it holds, per workspace: each app's record table (rec_<app>, with
 * the store's own indexes), its full-text index (rec_<app>_fts) and the
 * live counts (record_count), as the store's schema makes them. How it
 * follows: the one write path appends an outbox row (app, record) to every
 * record change, in the change's transaction, and outbox ids grow in
 * commit order. A round reads the outbox after the model's position, then
 * the current rows of the records named there, and applies them with the
 * new position in one local transaction: a record's row is taken whole,
 * so applying it twice or late is harmless. A form saved, an app made or
 * removed (the apps' form versions differ from the model's): those apps'
 * tables are rebuilt from the store in one local transaction, the others
 * kept. A position the outbox no longer reaches (pruned) or a corrupt
 * file: the workspace's whole model is rebuilt from the store, and
 * meanwhile reads go to the store.
 *
 * Reads (fm_read): a client that carries the position its writes reached
 * (the actor's seen) is answered from the model once it has applied that
 * far, with no call to the leader: it sees its own writes on every node,
 * and others' as soon as this node has applied them. A client that carries
 * none makes the store's newest outbox id be asked first (one small query
 * to the leader): it sees what any client wrote before, on every node.
 * Either waits at most FM_MODEL_WAIT_MS, then, or if the model fails, the
 * store answers. A write made or relayed here raises the head this node
 * knows of (fm_model_saw): later reads here wait for it too. */
#define LOG_MODULE "forms"
#include "model.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/log.h"
#include "../../lib/mem.h"
#include "../../lib/time.h"
#include "forms_int.h"
#include "model_int.h"

#define MODEL_EVENTS 1000 /* outbox rows a query */

/* The newest outbox id the store has given, even if the events up to it
 * were pruned since (AUTOINCREMENT keeps it in sqlite_sequence): a model
 * behind it with no event after its position has been passed by the
 * pruning, not caught up. */
#define OUTBOX_HEAD "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)"

static const char HEAD_SQL[] =
    "SELECT " OUTBOX_HEAD ", coalesce((SELECT group_concat(id || ':' "
    "|| form_version, ',') FROM (SELECT id, form_version FROM app WHERE deleted_us IS NULL AND "
    "form_version > 0 ORDER BY id)), '')";

int fm_model_head_read(const struct forms *f, const char *db, struct fm_head *h, struct cr_err *err)
{
	struct storage_rows rows;
	int rc = storage_query(f->id->store, db, HEAD_SQL, NULL, 0, &rows, err);

	h->apps = NULL;
	if (rc == 0 && rows.n_rows == 1) {
		const char *apps = storage_rows_text(&rows, 0, 1);
		h->last = storage_rows_int(&rows, 0, 0, 0);
		h->apps = cr_strdup(apps != NULL ? apps : "");
	} else if (rc == 0) {
		rc = cr_err_set(err, CR_EINTERNAL, "the store's outbox head has no row");
	}
	storage_rows_close(&rows);
	return rc;
}

/* The apps' signature the model was built for ("" if none). */
static char *model_apps(struct storage_model_db *d)
{
	struct storage_rows rows;
	struct cr_err err = { 0 };
	char *apps = NULL;

	if (storage_model_applier_query(d, "SELECT apps FROM creek_model_apps", NULL, 0, &rows,
					&err) == 0 &&
	    rows.n_rows == 1 && storage_rows_text(&rows, 0, 0) != NULL)
		apps = cr_strdup(storage_rows_text(&rows, 0, 0));
	storage_rows_close(&rows);
	return apps != NULL ? apps : cr_strdup("");
}

/* rows (all their columns) into table on the model. replace: a row that
 * collides with another on a unique index replaces it (a record table:
 * the model may hold an older row that gave the value up in a change it
 * has not applied yet; that change, applied next, brings it back). The
 * full-text index has no such index. */
static int insert_rows(struct storage_model_db *d, const char *table,
		       const struct storage_rows *rows, bool replace, struct cr_err *err)
{
	struct cr_buf sql;
	int rc = 0;

	if (rows->n_rows == 0)
		return 0;
	cr_buf_init(&sql, (size_t)1 << 20);
	(void)cr_buf_printf(&sql, "%s INTO \"%s\" (", replace ? "INSERT OR REPLACE" : "INSERT",
			    table);
	for (unsigned c = 0; c < rows->n_cols; c++)
		(void)cr_buf_printf(&sql, "%s\"%s\"", c ? ", " : "", rows->cols[c]);
	(void)cr_buf_printf(&sql, ") VALUES (");
	for (unsigned c = 0; c < rows->n_cols; c++)
		(void)cr_buf_printf(&sql, "%s?", c ? ", " : "");
	if (cr_buf_printf(&sql, ")") < 0)
		rc = cr_err_set(err, CR_ETOOBIG, "a record table has too many columns");
	for (size_t r = 0; rc == 0 && r < rows->n_rows; r++)
		rc = storage_model_exec(d, sql.data, &rows->values[r * rows->n_cols], rows->n_cols,
					err);
	cr_buf_close(&sql);
	return rc;
}

/* The next app of a signature ("<id>:<form version>,..."): false at its
 * end; else *app, and s moves past it. */
bool fm_model_next_app(const char **s, int64_t *app)
{
	if (*s == NULL || **s == '\0')
		return false;
	*app = strtoll(*s, NULL, 10);
	*s = strchr(*s, ',');
	if (*s != NULL)
		(*s)++;
	return true;
}

/* Copy a whole table from the store, key column `key`, in chunks: each
 * its own local transaction (a build: the model is unbuilt meanwhile), or
 * all in the one the caller holds (in_tx). */
static int copy_table(const struct forms *f, const char *db, struct storage_model_db *d,
		      const char *table, const char *key, const char *cols, bool replace,
		      bool in_tx, struct cr_err *err)
{
	char sql[256];
	int64_t after = -1;
	int rc = 0;

	(void)snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\" WHERE %s > ? ORDER BY %s LIMIT %d",
		       cols, table, key, key, FM_MODEL_COPY_ROWS);
	for (;;) {
		struct storage_value p = storage_int(after);
		struct storage_rows rows;
		size_t n;
		if (storage_model_stopping(f->model))
			return cr_err_set(err, CR_EUNAVAIL, "the node is stopping");
		rc = storage_query(f->id->store, db, sql, &p, 1, &rows, err);
		if (rc == 0 && !in_tx)
			rc = storage_model_begin(d, err);
		if (rc == 0)
			rc = insert_rows(d, table, &rows, replace, err);
		if (!in_tx && rc == 0)
			rc = storage_model_commit(d, STORAGE_MODEL_UNBUILT, err);
		else if (!in_tx)
			storage_model_rollback(d);
		n = rows.n_rows;
		if (rc == 0 && n > 0)
			after = storage_rows_int(&rows, n - 1, 0, 0);
		storage_rows_close(&rows);
		if (rc < 0 || n < FM_MODEL_COPY_ROWS)
			return rc;
	}
}

/* The store's tables and indexes of one table name, made on the model
 * (in its own local transaction, or in the caller's: in_tx). */
static int make_like_store(const struct forms *f, const char *db, struct storage_model_db *d,
			   const char *table, bool in_tx, struct cr_err *err)
{
	struct storage_value p = storage_text(table);
	struct storage_rows rows;
	int rc =
	    storage_query(f->id->store, db,
			  "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
			  "AND type IN ('table', 'index') ORDER BY type = 'index'",
			  &p, 1, &rows, err);

	if (rc == 0 && !in_tx)
		rc = storage_model_begin(d, err);
	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++)
		rc = storage_model_exec(d, storage_rows_text(&rows, r, 0), NULL, 0, err);
	if (!in_tx && rc == 0)
		rc = storage_model_commit(d, STORAGE_MODEL_UNBUILT, err);
	else if (!in_tx)
		storage_model_rollback(d);
	storage_rows_close(&rows);
	return rc;
}

/* Build the workspace's model from the store. */
static int rebuild(const struct forms *f, const char *db, struct storage_model_db *d,
		   struct cr_err *err)
{
	struct fm_head h = { 0, NULL };
	int rc = storage_model_stopping(f->model)
		     ? cr_err_set(err, CR_EUNAVAIL, "the node is stopping")
		     : storage_model_reset(d, err);
	uint64_t t0 = cr_now_ms();
	size_t n_apps = 0;
	int64_t app;

	if (rc == 0)
		rc = fm_model_head_read(f, db, &h, err);
	if (rc < 0)
		return rc;
	storage_model_saw_head(d, h.last);
	rc = make_like_store(f, db, d, "record_count", false, err);
	if (rc == 0)
		rc = copy_table(f, db, d, "record_count", "app_id", "app_id, live", true, false,
				err);
	for (const char *s = h.apps; rc == 0 && fm_model_next_app(&s, &app);) {
		char table[32], fts[40];
		(void)snprintf(table, sizeof(table), "rec_%lld", (long long)app);
		(void)snprintf(fts, sizeof(fts), "rec_%lld_fts", (long long)app);
		rc = make_like_store(f, db, d, table, false, err);
		if (rc == 0)
			rc = make_like_store(f, db, d, fts, false, err);
		if (rc == 0)
			rc = copy_table(f, db, d, table, "id", "*", true, false, err);
		if (rc == 0)
			rc = copy_table(f, db, d, fts, "rowid", "rowid, body", false, false, err);
		n_apps++;
	}
	if (rc == 0)
		rc = storage_model_begin(d, err);
	if (rc == 0) {
		struct storage_value p = storage_text(h.apps);
		rc = storage_model_exec(d, "CREATE TABLE creek_model_apps (apps TEXT NOT NULL)",
					NULL, 0, err);
		if (rc == 0)
			rc = storage_model_exec(d, "INSERT INTO creek_model_apps (apps) VALUES (?)",
						&p, 1, err);
		if (rc == 0)
			rc = storage_model_commit(d, h.last, err);
		else
			storage_model_rollback(d);
	}
	if (rc == 0)
		log_info("read model of '%s' built: %zu apps, up to change %lld, in %llu ms", db,
			 n_apps, (long long)h.last, (unsigned long long)(cr_now_ms() - t0));
	free(h.apps);
	return rc;
}

/* The model's rows of table whose key is in ids (a JSON array), replaced
 * by the store's rows as they are now. */
static int refresh(const struct forms *f, const char *db, struct storage_model_db *d,
		   const char *table, const char *key, const char *cols,
		   const struct storage_value *ids, bool replace, struct cr_err *err)
{
	char sql[192];
	struct storage_rows rows;
	int rc;

	(void)snprintf(sql, sizeof(sql),
		       "SELECT %s FROM \"%s\" WHERE %s IN (SELECT value FROM json_each(?))", cols,
		       table, key);
	rc = storage_query(f->id->store, db, sql, ids, 1, &rows, err);
	(void)snprintf(sql, sizeof(sql),
		       "DELETE FROM \"%s\" WHERE %s IN (SELECT value FROM json_each(?))", table,
		       key);
	if (rc == 0)
		rc = storage_model_exec(d, sql, ids, 1, err);
	if (rc == 0)
		rc = insert_rows(d, table, &rows, replace, err);
	storage_rows_close(&rows);
	return rc;
}

/* Bring one app's records (ids: a JSON array), their search text and the
 * app's live count from the store. */
static int apply_app(const struct forms *f, const char *db, struct storage_model_db *d, int64_t app,
		     const char *ids, struct cr_err *err)
{
	char table[32], fts[40], one[32];
	struct storage_value p = storage_text(ids), q;
	int rc;

	(void)snprintf(table, sizeof(table), "rec_%lld", (long long)app);
	(void)snprintf(fts, sizeof(fts), "rec_%lld_fts", (long long)app);
	(void)snprintf(one, sizeof(one), "[%lld]", (long long)app);
	q = storage_text(one); /* its length is taken now */
	rc = refresh(f, db, d, table, "id", "*", &p, true, err);
	if (rc == 0)
		rc = refresh(f, db, d, fts, "rowid", "rowid, body", &p, false, err);
	if (rc == 0)
		rc = refresh(f, db, d, "record_count", "app_id", "app_id, live", &q, true, err);
	return rc;
}

/* Is app in the signature? */
static bool has_app(const char *apps, int64_t app)
{
	int64_t id;

	for (const char *s = apps; fm_model_next_app(&s, &id);)
		if (id == app)
			return true;
	return false;
}

/* The events after the model's position (which is behind the store's
 * head), applied. 1: the outbox no longer reaches the position (a rebuild
 * is due). */
static int apply_events(const struct forms *f, const char *db, struct storage_model_db *d,
			int64_t pos, const char *apps, struct cr_err *err)
{
	struct storage_value p = storage_int(pos);
	struct storage_rows ev;
	json_t *by_app = json_object();
	char sql[128];
	int64_t last = pos;
	int rc;

	(void)snprintf(sql, sizeof(sql),
		       "SELECT id, app_id, record_id FROM outbox WHERE id > ? ORDER BY id LIMIT %d",
		       MODEL_EVENTS);
	rc = storage_query(f->id->store, db, sql, &p, 1, &ev, err);
	/* Called behind the head: no next event, or not the next one, means
	 * the outbox was pruned past the position. */
	if (rc == 0 && (ev.n_rows == 0 || storage_rows_int(&ev, 0, 0, 0) != pos + 1))
		rc = 1;
	for (size_t r = 0; rc == 0 && r < ev.n_rows; r++) {
		char key[24];
		int64_t app = storage_rows_int(&ev, r, 1, 0);
		const struct storage_value *rec = storage_rows_at(&ev, r, 2);
		last = storage_rows_int(&ev, r, 0, last);
		if (app <= 0 || rec->type != STORAGE_INTEGER || !has_app(apps, app))
			continue; /* not a record's, or its app is gone */
		(void)snprintf(key, sizeof(key), "%lld", (long long)app);
		if (json_object_get(by_app, key) == NULL)
			json_object_set_new(by_app, key, json_array());
		json_array_append_new(json_object_get(by_app, key), json_integer(rec->i));
	}
	storage_rows_close(&ev);
	if (rc == 0 && last > pos) {
		const char *key;
		json_t *ids;
		rc = storage_model_begin(d, err);
		json_object_foreach(by_app, key, ids)
		{
			char *text = json_dumps(ids, JSON_COMPACT);
			if (rc == 0)
				rc = text != NULL
					 ? apply_app(f, db, d, strtoll(key, NULL, 10), text, err)
					 : cr_err_set(err, CR_EINTERNAL, "out of memory");
			free(text);
		}
		if (rc == 0)
			rc = storage_model_commit(d, last, err);
		else
			storage_model_rollback(d);
	}
	json_decref(by_app);
	return rc;
}

/* The form version of app in a signature, 0 if it is not there. */
static int64_t app_version(const char *apps, int64_t app)
{
	int64_t id;

	for (const char *s = apps; s != NULL && *s != '\0';) {
		const char *at = s;
		if (!fm_model_next_app(&s, &id))
			break;
		if (id == app) {
			const char *colon = strchr(at, ':');
			return colon != NULL ? strtoll(colon + 1, NULL, 10) : 0;
		}
	}
	return 0;
}

/* One app's tables on the model dropped and, unless it is gone from the
 * store, made and filled again; its count row too. Inside the caller's
 * transaction. */
int fm_model_app_rebuild(const struct forms *f, const char *db, struct storage_model_db *d,
			 int64_t app, bool gone, struct cr_err *err)
{
	char table[32], fts[40], sql[96], one[32];
	struct storage_value ids;
	int rc;

	(void)snprintf(table, sizeof(table), "rec_%lld", (long long)app);
	(void)snprintf(fts, sizeof(fts), "rec_%lld_fts", (long long)app);
	(void)snprintf(one, sizeof(one), "[%lld]", (long long)app);
	ids = storage_text(one);
	(void)snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS \"%s\"", fts);
	rc = storage_model_exec(d, sql, NULL, 0, err);
	(void)snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS \"%s\"", table);
	if (rc == 0)
		rc = storage_model_exec(d, sql, NULL, 0, err);
	if (rc == 0 && !gone)
		rc = make_like_store(f, db, d, table, true, err);
	if (rc == 0 && !gone)
		rc = make_like_store(f, db, d, fts, true, err);
	if (rc == 0 && !gone)
		rc = copy_table(f, db, d, table, "id", "*", true, true, err);
	if (rc == 0 && !gone)
		rc = copy_table(f, db, d, fts, "rowid", "rowid, body", false, true, err);
	if (rc == 0)
		rc = refresh(f, db, d, "record_count", "app_id", "app_id, live", &ids, true, err);
	return rc;
}

/* The apps whose form changed, that were made or removed since the model
 * was built (mine: its signature; h: the store's), rebuilt one by one in
 * one local transaction, the position kept: the other apps' tables stay
 * as they are, and the events after the position, applied next, bring the
 * rebuilt apps' records again (harmless: rows are taken whole). Until it
 * commits, readers see the model as it was. */
static int apps_rebuild(const struct forms *f, const char *db, struct storage_model_db *d,
			const char *mine, const struct fm_head *h, struct cr_err *err)
{
	struct storage_value p = storage_text(h->apps);
	uint64_t t0 = cr_now_ms();
	size_t n = 0;
	int64_t app;
	int rc = storage_model_begin(d, err);

	for (const char *s = h->apps; rc == 0 && fm_model_next_app(&s, &app);)
		if (app_version(mine, app) != app_version(h->apps, app)) {
			rc = fm_model_app_rebuild(f, db, d, app, false, err);
			n++;
		}
	for (const char *s = mine; rc == 0 && fm_model_next_app(&s, &app);)
		if (app_version(h->apps, app) == 0) {
			rc = fm_model_app_rebuild(f, db, d, app, true, err);
			n++;
		}
	if (rc == 0)
		rc = storage_model_exec(d, "UPDATE creek_model_apps SET apps = ?", &p, 1, err);
	if (rc == 0)
		rc = storage_model_commit(d, storage_model_position(d), err);
	else
		storage_model_rollback(d);
	if (rc == 0)
		log_info(
		    "read model of '%s': %zu apps made, changed or removed, rebuilt in %llu ms", db,
		    n, (unsigned long long)(cr_now_ms() - t0));
	return rc;
}

int fm_model_follow(const struct forms *f, const char *db, struct cr_err *err)
{
	struct storage_model_db *d;
	struct fm_head h = { 0, NULL };
	int64_t pos;
	int rc = storage_model_db(f->model, db, &d, err);

	if (rc < 0)
		return rc;
	pos = storage_model_position(d);
	if (pos == STORAGE_MODEL_UNBUILT || storage_model_is_corrupt(d))
		return rebuild(f, db, d, err);
	rc = fm_model_head_read(f, db, &h, err);
	if (rc < 0)
		return rc;
	storage_model_saw_head(d, h.last);
	{
		char *mine = model_apps(d);
		if (h.apps != NULL && strcmp(mine, h.apps) != 0 &&
		    apps_rebuild(f, db, d, mine, &h, err) < 0 &&
		    !storage_model_stopping(f->model)) {
			log_warn("read model of '%s': %s; rebuilding all of it", db, err->msg);
			free(mine);
			free(h.apps);
			return rebuild(f, db, d, err);
		}
		free(mine);
		if (storage_model_stopping(f->model)) {
			free(h.apps);
			return cr_err_set(err, CR_EUNAVAIL, "the node is stopping");
		}
	}
	/* Up to MODEL_EVENTS at a time, until it has caught up with the head. */
	while (rc == 0 && storage_model_position(d) < h.last && !storage_model_stopping(f->model))
		rc = apply_events(f, db, d, storage_model_position(d), h.apps, err);
	free(h.apps);
	if (rc == 1) {
		log_info("read model of '%s': changes after %lld were pruned; rebuilding", db,
			 (long long)storage_model_position(d));
		return rebuild(f, db, d, err);
	}
	return rc;
}

/* fn for every workspace's database, one after the other: one failing
 * does not hold up the others; the first error is returned. */
int fm_model_each_workspace(const struct forms *f,
			    int (*fn)(const struct forms *f, const char *db, void *arg,
				      struct cr_err *err),
			    void *arg, struct cr_err *err)
{
	struct storage_rows rows;
	int rc = storage_query(f->id->store, STORAGE_DB_SYSTEM, "SELECT id FROM workspace", NULL, 0,
			       &rows, err);
	int first = 0;

	for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
		char db[ID_DB_NAME_MAX + 1];
		struct cr_err e = { 0 };
		id_workspace_db(storage_rows_text(&rows, r, 0), db);
		if (fn(f, db, arg, &e) < 0 && first == 0) {
			first = e.code != 0 ? e.code : CR_EINTERNAL;
			*err = e;
		}
	}
	storage_rows_close(&rows);
	return rc < 0 ? rc : first;
}

static int follow_one(const struct forms *f, const char *db, void *arg, struct cr_err *err)
{
	(void)arg;
	return fm_model_follow(f, db, err);
}

int fm_model_follow_all(const struct forms *f, struct cr_err *err)
{
	return fm_model_each_workspace(f, follow_one, NULL, err);
}

/* The position a read waits for: the client's (it carries what its
 * writes reached) or, from a client that carries none, the store's newest
 * (a small query to the leader); never less than the newest this node
 * knows of. CR_EUNAVAIL if the store cannot say. */
static int read_wants(const struct forms *f, const struct id_actor *a, struct storage_model_db *d,
		      int64_t *want, struct cr_err *err)
{
	struct storage_rows head;
	int rc;

	*want = storage_model_head(d);
	if (a->seen > 0) {
		if (a->seen > *want)
			*want = a->seen;
		return 0;
	}
	rc = storage_query(f->id->store, a->db, "SELECT " OUTBOX_HEAD, NULL, 0, &head, err);
	if (rc == 0 && head.n_rows == 1 && storage_rows_int(&head, 0, 0, 0) > *want)
		*want = storage_rows_int(&head, 0, 0, 0);
	storage_rows_close(&head);
	return rc;
}

int fm_read(const struct forms *f, const struct id_actor *a, const char *sql,
	    const struct storage_value *params, unsigned n_params, struct storage_rows *rows,
	    struct cr_err *err)
{
	struct storage_model_db *d;
	struct cr_err e = { 0 };

	if (f->model != NULL && storage_model_db(f->model, a->db, &d, &e) == 0 &&
	    storage_model_position(d) != STORAGE_MODEL_UNBUILT && !storage_model_is_corrupt(d)) {
		int64_t want;
		int rc = read_wants(f, a, d, &want, err);
		if (rc < 0)
			return rc; /* the store is not there: neither is its answer */
		if (storage_model_position(d) < want)
			storage_model_poke(f->model);
		if (storage_model_wait(d, want, FM_MODEL_WAIT_MS)) {
			if (storage_model_query(d, sql, params, n_params, rows, &e) == 0) {
				storage_model_note_read(f->model, true);
				return 0;
			}
			storage_rows_close(rows);
			log_debug("%s; the store answers", e.msg);
		}
	}
	if (f->model != NULL)
		storage_model_note_read(f->model, false);
	return storage_query(f->id->store, a->db, sql, params, n_params, rows, err);
}

int fm_model_wrote(const struct forms *f, const char *db, int64_t *pos, struct cr_err *err)
{
	struct storage_rows head;
	int rc = storage_query(f->id->store, db, "SELECT " OUTBOX_HEAD, NULL, 0, &head, err);

	if (rc == 0 && head.n_rows != 1)
		rc = cr_err_set(err, CR_EINTERNAL, "the store's outbox head has no row");
	if (rc == 0) {
		*pos = storage_rows_int(&head, 0, 0, 0);
		fm_model_saw(f, db, *pos);
	}
	storage_rows_close(&head);
	return rc;
}

void fm_model_saw(const struct forms *f, const char *db, int64_t pos)
{
	struct storage_model_db *d;
	struct cr_err e = { 0 };

	if (f->model != NULL && pos > 0 && storage_model_db(f->model, db, &d, &e) == 0)
		storage_model_note_write(f->model, d, pos);
}
