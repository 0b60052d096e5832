/* core/forms/forms.h: apps' forms and their records.
 *
 * Each app has one form, versioned: every save is a new row of
 * form_version, and the app's record table rec_<app> gets a column c<n>
 * for each field that holds a value (form_column maps field ids to column
 * numbers, so no user text ever becomes an SQL identifier). A field that
 * is removed keeps its column and data (shown as a removed field); a type
 * change is allowed when every stored value is valid for the new type and
 * refused otherwise, so no change loses data.
 *
 * Every change of a record goes through one write path (record.c): the
 * same checks, serial numbers, history row and outbox event, in one
 * transaction, whoever asks (the UI, the API, an import).
 *
 * Who may: every member submits records and reads, edits and deletes
 * their own; members with the app's data right (core/identity authz,
 * ID_APP_DATA) do all of it on every record, see the recycle bin, import
 * and export; the app's edit right changes the form. */
#ifndef CREEK_CORE_FORMS_FORMS_H
#define CREEK_CORE_FORMS_FORMS_H

#include <jansson.h>
#include <stdint.h>

#include "../../lib/buf.h"
#include "../../lib/err.h"
#include "../identity/identity.h"

struct storage_model;

#define FM_FIELDS_MAX     200 /* fields with a value, per form */
#define FM_PAGE_MAX       200
#define FM_PAGE_DEFAULT   50
#define FM_BATCH_MAX      1000 /* records per batch submit or import batch */
#define FM_EXPORT_MAX     200000
#define FM_IMPORT_MAX     100000 /* rows per import */
#define FM_CONDITIONS_MAX 20

struct forms {
	const struct identity *id;
	/* The size of a workspace's uploaded file (fetched from other nodes
	 * when this one lacks it): 0, CR_ENOTFOUND or another error. */
	int (*file_size)(void *arg, const char *workspace_id, const char *sha256, int64_t *size,
			 struct cr_err *err);
	void *file_arg;
	/* Local time's offset from UTC, for serial dates and imported times
	 * without a zone (+8 h: China). */
	int tz_offset_s;
	/* This node's read model (model.h), or NULL: every read goes to the
	 * store. Borrowed. */
	struct storage_model *model;
};

/* identity's workspace_ready step (arg: the struct forms): keep the
 * live-record count of every app whose table was made before counts were
 * kept (counts.c). One write when there is such an app; none otherwise. */
int fm_workspace_ready(void *arg, const char *db, struct cr_err *err);

/* Forms' tables (schema.c), for node/ to register with storage: its part
 * of every workspace database's migrations (storage/migrate.h). */
struct storage_migrations;
extern const struct storage_migrations fm_workspace_migrations;

/* ---- uploads (uploads.c) ---- */
/* Keep that the actor (a signed-in member: CR_EDENIED for an API key)
 * uploaded sha256 with this name, media type and size (the same file
 * again: the latest). Until a record holds it, only its uploader may
 * name it in a value (then also whoever may read a record holding it),
 * and a value takes its name and type from here. */
int fm_upload_add(const struct forms *f, const struct id_actor *a, const char *sha256,
		  const char *name, const char *type, int64_t size, int64_t now_us,
		  struct cr_err *err);
/* The actor's upload of sha256 as a file ref {"sha256", "name", "type",
 * "size"} (*out a new reference). CR_ENOTFOUND: the actor uploaded no
 * such file in the workspace (whether or not anyone else did). */
int fm_upload_find(const struct forms *f, const struct id_actor *a, const char *sha256,
		   json_t **out, struct cr_err *err);

/* ---- the form (form.c) ---- */
int fm_form_get(const struct forms *f, const struct id_actor *a, int64_t app, json_t **out,
		struct cr_err *err);
/* body {"version": loaded version, "fields": [...]}: CR_ECONFLICT when the
 * form changed since; CR_EUNPROCESSABLE when a change would lose data. */
int fm_form_put(const struct forms *f, const struct id_actor *a, int64_t app, const json_t *body,
		const char *request_id, int64_t now_us, json_t **out, struct cr_err *err);
int fm_form_versions(const struct forms *f, const struct id_actor *a, int64_t app, json_t **out,
		     struct cr_err *err);

/* ---- records (record.c) ---- */
int fm_record_create(const struct forms *f, const struct id_actor *a, int64_t app,
		     const json_t *body, const char *request_id, int64_t now_us, json_t **out,
		     struct cr_err *err);
/* body {"records": [{"values"}...]}: all or none. */
int fm_record_batch(const struct forms *f, const struct id_actor *a, int64_t app,
		    const json_t *body, const char *request_id, int64_t now_us, json_t **out,
		    struct cr_err *err);
int fm_record_get(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		  json_t **out, struct cr_err *err);
int fm_record_update(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		     const json_t *body, const char *request_id, int64_t now_us, json_t **out,
		     struct cr_err *err);
int fm_record_delete(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		     const char *request_id, int64_t now_us, struct cr_err *err);
int fm_record_restore(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		      const char *request_id, int64_t now_us, json_t **out, struct cr_err *err);
int fm_record_history(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		      json_t **out, struct cr_err *err);
/* The file ref {"sha256", "name", "size", "type"} that record rec holds
 * (the caller may read it), else CR_ENOTFOUND. */
int fm_record_file(const struct forms *f, const struct id_actor *a, int64_t app, int64_t rec,
		   const char *sha256, json_t **out, struct cr_err *err);

/* ---- lists (query.c) ---- */
int fm_records_query(const struct forms *f, const struct id_actor *a, int64_t app,
		     const json_t *body, json_t **out, struct cr_err *err);
int fm_records_count(const struct forms *f, const struct id_actor *a, int64_t app,
		     const json_t *body, json_t **out, struct cr_err *err);

/* ---- the recycle bins and the outbox's window (purge.c) ---- */
/* Outbox events are kept this long, then deleted by fm_purge: a bounded
 * window for the readers that follow it (until each reader says how far
 * it has read). */
#define FM_OUTBOX_KEEP_DAYS 30
struct fm_purged {
	size_t apps, records, events;
};
/* Purge apps and records deleted more than ID_RECYCLE_DAYS before now, and
 * outbox events older than FM_OUTBOX_KEEP_DAYS, in every workspace; how
 * many of each in *out. */
int fm_purge(const struct forms *f, int64_t now_us, struct fm_purged *out, struct cr_err *err);

/* ---- import and export (transfer.c) ---- */
/* The file in out; *content_type and name (e.g. "采购单.csv") set. */
int fm_export(const struct forms *f, const struct id_actor *a, int64_t app, const json_t *body,
	      struct cr_buf *out, const char **content_type, char name[256], struct cr_err *err);
/* body {"format", "content" (base64) | "file" (an uploaded file's
 * sha256), "mapping", "dry_run"}; for "file", the caller reads the file
 * and passes its bytes in file/file_len (NULL otherwise). */
int fm_import(const struct forms *f, const struct id_actor *a, int64_t app, const json_t *body,
	      const void *file, size_t file_len, const char *request_id, int64_t now_us,
	      json_t **out, struct cr_err *err);

#endif
