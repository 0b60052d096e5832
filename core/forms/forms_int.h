/* core/forms/forms_int.h: what the files of core/forms that use the store
 * share. The pure parts have their own headers (form_model.h, values.h,
 * conditions.h, filter.h, field.h), which include no storage header.
 *
 * Who calls whom, one way: web -> forms.h -> record_create / record_change
 * / query / import / export -> record_tx, history, store_check -> uploads
 * -> record (reads), form_load -> refs -> the pure files. */
#ifndef CREEK_CORE_FORMS_INT_H
#define CREEK_CORE_FORMS_INT_H

#include <stdbool.h>

#include "../../lib/assert.h"
#include "../../lib/buf.h"
#include "../../storage/store.h"
#include "form_model.h"
#include "values.h"

/* Append to an SQL statement built in a buffer sized for the most that
 * statement can hold (each buffer says its bound where it is made): a
 * failed write is a bug, which stops the node (lib/assert.h). A table has
 * at most 2,000 columns (SQLite's SQLITE_MAX_COLUMN), a form at most
 * FM_FIELDS_MAX live ones. */
#define FM_SQL_PRINTF(buf, ...) cr_assert(cr_buf_printf((buf), __VA_ARGS__) >= 0)

/* ---- the form (form_load.c) ---- */
/* Load the app (live, else CR_ENOTFOUND) and its form; rights may be NULL.
 * Free with fm_form_free(). */
int fm_form_load(const struct forms *f, const struct id_actor *a, int64_t app, struct fm_form *out,
		 struct fm_rights *rights, struct cr_err *err);
/* A column's value as JSON (null for NULL): a new reference. */
json_t *fm_col_json(const struct fm_col *c, const struct storage_value *v);
/* A normalized JSON value as the column's parameter; text in *hold (free
 * it) when the value is JSON. */
struct storage_value fm_col_param(const struct fm_col *c, const json_t *v, char **hold);

/* ---- the names values refer to (refs.c) ---- */
/* Names of accounts and departments for refs: {"members": {...},
 * "departments": {...}} (*out a new reference). */
int fm_refs(const struct forms *f, const struct id_actor *a, const int64_t *members,
	    size_t n_members, const int64_t *depts, size_t n_depts, json_t **out,
	    struct cr_err *err);
/* The refs of a list of records, added to out as "refs"; their
 * created_by and updated_by get names. */
int fm_records_refs(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		    const json_t *records, json_t *out, struct cr_err *err);
/* rec[key] ({"id"}) gets "name" from members ({"<id>": name}). */
void fm_person_name(json_t *rec, const char *key, const json_t *members);

/* ---- what the store knows of new values (store_check.c) ---- */
/* Members and departments named in values (only fields in changed, if
 * given) exist in the workspace; files were held by the record before
 * (prior: its values, NULL for a new record), uploaded by the actor
 * (fm_upload_find: the upload's name and type, the store's size) or held
 * by another record the actor may read (fm_upload_held: that record's
 * ref). CR_EINVAL naming the field. */
int fm_values_store_check(const struct forms *f, const struct id_actor *a,
			  const struct fm_form *form, json_t *values, const json_t *changed,
			  const json_t *prior, struct cr_err *err);

/* ---- holders of files (uploads.c) ---- */
/* The ref {sha256, name, type, size} to sha256 that a record of the
 * workspace holds and the actor may read (the rule of fm_record_read, in
 * any app), as a new reference in *out. CR_ENOTFOUND if none (a bounded
 * search, its bounds named in uploads.c). */
int fm_upload_held(const struct forms *f, const struct id_actor *a, const char *sha256,
		   json_t **out, struct cr_err *err);

/* ---- reading records (record.c) ---- */
/* A row (system columns then every column of form->cols) as a record. */
json_t *fm_row_record(const struct fm_form *form, const struct storage_rows *rows, size_t r);
/* Read record rec (NULL *out and CR_ENOTFOUND if absent or not the
 * actor's to read). With tx, inside that transaction. */
int fm_record_read(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		   const struct fm_rights *rights, struct storage_tx *tx, int64_t rec, json_t **out,
		   struct cr_err *err);

/* ---- the write path's parts (record_tx.c, history.c) ---- */
/* CR_ECONFLICT when the app's form is no longer form->version. */
/* counts.c: keep app's live-record count in record_count from now on
 * (its table exists); a no-op if it is kept already. */
int fm_tx_count_keep(struct storage_tx *tx, int64_t app, struct cr_err *err);
/* app's kept count of live records into *out: 1, or 0 if it is not kept
 * (the caller counts); < 0 as storage_query. */
int fm_live_count(const struct forms *f, const char *db, int64_t app, int64_t *out,
		  struct cr_err *err);
int fm_tx_form_unchanged(struct storage_tx *tx, const struct fm_form *form, struct cr_err *err);
/* Unique fields of values (only those in changed, if given) are taken by
 * no other live record than self. CR_ECONFLICT naming the field. */
int fm_tx_uniques_check(struct storage_tx *tx, const struct fm_form *form, const json_t *values,
			const json_t *changed, int64_t self, struct cr_err *err);
/* Write (replace: rewrite) the full-text row of record id. */
int fm_tx_search_put(struct storage_tx *tx, const struct fm_form *form, int64_t id,
		     const json_t *values, bool replace, struct cr_err *err);
/* One change of a history entry: {field, old, new} (a new reference). */
json_t *fm_change(const struct fm_col *c, const json_t *old, const json_t *new);
/* History and outbox rows of one write. changes: [{field, old, new}]. */
int fm_tx_history_add(struct storage_tx *tx, const struct fm_form *form, int64_t rec,
		      int64_t version, const char *action, const struct id_actor *a,
		      json_t *changes, int64_t now_us, struct cr_err *err);

/* Validated values to a new record inside tx. */
struct fm_new_record {
	json_t *values;     /* normalized, no serials yet (owned by caller) */
	const char *action; /* "create" or "import" */
	int64_t id;         /* out */
};
int fm_tx_record_insert(struct storage_tx *tx, const struct forms *f, const struct id_actor *a,
			const struct fm_form *form, struct fm_new_record *r, int64_t now_us,
			struct cr_err *err);

/* ---- new records (record_create.c) ---- */
/* Insert n new records (values from fm_values_new) in one transaction:
 * all or none; *failed names the one that failed. ids gets their ids. */
int fm_records_insert(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		      json_t *const *values, size_t n, const char *action, const char *request_id,
		      int64_t now_us, int64_t *ids, size_t *failed, struct cr_err *err);
/* ---- imports (import.c) ---- */
/* How many of the n rows from rows[0] an import's next batch (one
 * transaction) takes: at most 500, and past the first row at most 256 KiB
 * of values. At least one; the same for the same rows. */
size_t fm_import_batch_rows(json_t *const *rows, size_t n);

/* Check and normalize the values of a new record (fm_values_build), then
 * what the store knows of them (fm_values_store_check). */
int fm_values_new(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		  const json_t *given, json_t **out, struct cr_err *err);

#endif
