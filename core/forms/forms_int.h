/* core/forms/forms_int.h: what the files of core/forms share. */
#ifndef CREEK_CORE_FORMS_INT_H
#define CREEK_CORE_FORMS_INT_H

#include <stdbool.h>

#include "../../storage/store.h"
#include "../identity/workspace.h"
#include "field.h"
#include "forms.h"

struct fm_col {
	const json_t *field; /* the live field (borrowed from fields), NULL if removed */
	char id[FM_FIELD_ID_MAX + 1];
	char type[24];
	char label[FM_LABEL_MAX * 4 + 1];
	int col; /* the column c<col> */
	enum fm_kind kind;
	const struct fm_type *t; /* its registry row (fm_type_get: never NULL) */
};

/* An app's form as loaded. */
struct fm_form {
	int64_t app;
	char app_name[ID_NAME_MAX * 4 + 1];
	int64_t version;
	int64_t updated_by, updated_us;
	json_t *fields; /* the current definition's array (owned) */
	size_t n_cols;  /* value columns: live ones in form order, then removed ones */
	size_t n_live;
	struct fm_col *cols;
	char table[32];  /* "rec_<app>" */
	char fts[40];    /* "rec_<app>_fts" */
	int tz_offset_s; /* local time (forms.tz_offset_s): a date filter means a local day */
};

/* What the actor may do with the app's records. */
struct fm_rights {
	bool all_data; /* every record, the recycle bin, import, export */
	bool edit;     /* the form */
};

/* Load the app (live, else CR_ENOTFOUND) and its form; rights may be NULL. */
int fm_form_load(const struct forms *f, const struct id_actor *a, int64_t app, struct fm_form *out,
		 struct fm_rights *rights, struct cr_err *err);
void fm_form_free(struct fm_form *form);
/* The live column of field id, or NULL. */
const struct fm_col *fm_form_col(const struct fm_form *form, const char *id);
/* The field id for a column name such as "_created_at" or "f3"; NULL if none. */

/* A column's value as JSON (null for NULL). */
json_t *fm_col_json(const struct fm_col *c, const struct storage_value *v);
/* A normalized JSON value as the column's parameter; text in *hold (free
 * it) when the value is JSON. */
struct storage_value fm_col_param(const struct fm_col *c, const json_t *v, char **hold);

/* Names of accounts and departments for refs: {"members": {...}, "departments": {...}}. */
int fm_refs(const struct forms *f, const struct id_actor *a, const int64_t *members,
	    size_t n_members, const int64_t *depts, size_t n_depts, json_t **out,
	    struct cr_err *err);

/* The record columns every select reads first, before c<n>: */
#define FM_SYSTEM_COLS "id, version, created_by, created_us, updated_by, updated_us, deleted_us"
#define FM_N_SYSTEM    7

/* A row (system columns then every column of form->cols) as a record. */
json_t *fm_row_record(const struct fm_form *form, const struct storage_rows *rows, size_t r);
/* Append to ids the member / department ids in a record's values and
 * system fields (for fm_refs). */
struct fm_ids {
	int64_t *v;
	size_t n, cap;
};
void fm_ids_add(struct fm_ids *ids, int64_t id);
void fm_record_ids(const struct fm_form *form, const json_t *record, struct fm_ids *members,
		   struct fm_ids *depts);
/* The refs of a list of records, added to out as "refs". */
int fm_records_refs(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		    const json_t *records, json_t *out, struct cr_err *err);

/* The field of id in a definition's fields, or NULL (form.c). */
const json_t *fm_field_by_id(const json_t *fields, const char *id);

/* Evaluate a show_when object against values. */
bool fm_show_when(const json_t *fields, const json_t *show_when, const json_t *values);
/* Check a show_when object (fields are the form's). */
int fm_show_when_check(const json_t *fields, const char *self, const json_t *show_when,
		       struct cr_err *err);
/* Is op one a field of this type can be filtered by? */
bool fm_op_allowed(const char *type, const char *op);

/* The write path (record.c): validated values to a new record inside tx. */
struct fm_new_record {
	json_t *values;     /* normalized, no serials yet (owned by caller) */
	const char *action; /* "create" or "import" */
	int64_t id;         /* out */
};
int fm_tx_record_insert(struct storage_tx *tx, const struct forms *f, const struct id_actor *a,
			const struct fm_form *form, struct fm_new_record *r, int64_t now_us,
			struct cr_err *err);
/* Insert n new records (values from fm_values_new) in one transaction:
 * all or none; *failed names the one that failed. ids gets their ids. */
int fm_records_insert(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		      json_t *const *values, size_t n, const char *action, const char *request_id,
		      int64_t now_us, int64_t *ids, size_t *failed, struct cr_err *err);
/* Check and normalize the values of a new record (defaults applied). */
int fm_values_new(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		  const json_t *given, json_t **out, struct cr_err *err);

#endif
