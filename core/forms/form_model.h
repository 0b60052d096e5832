/* core/forms/form_model.h: an app's form as loaded (its value columns and
 * their registry rows), and the pure questions asked of it by the other
 * files of core/forms. Nothing here reaches the store: what loads a form
 * is form_load.c (forms_int.h). Nothing outside core/forms includes this. */
#ifndef CREEK_CORE_FORMS_FORM_MODEL_H
#define CREEK_CORE_FORMS_FORM_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* The record columns every select reads first, before c<n>: */
#define FM_SYSTEM_COLS "id, version, created_by, created_us, updated_by, updated_us, deleted_us"
#define FM_N_SYSTEM    7

/* ---- the form (form_model.c) ---- */
void fm_form_free(struct fm_form *form);
/* The live column of field id, or NULL. */
const struct fm_col *fm_form_col(const struct fm_form *form, const char *id);
/* The field of id in a definition's fields, or NULL. */
const json_t *fm_field_by_id(const json_t *fields, const char *id);

/* ---- ids a record refers to (form_model.c), named by fm_refs ---- */
struct fm_ids {
	int64_t *v; /* owned: free() */
	size_t n, cap;
};
/* Add id (ids ≤ 0 and repeats are skipped). */
void fm_ids_add(struct fm_ids *ids, int64_t id);
/* The ids in a member or department value: one id or a list. */
void fm_value_ids(const json_t *v, struct fm_ids *ids);
/* Append to members and depts the ids in a record's values (sub-table
 * rows included) and system fields (created_by, updated_by). */
void fm_record_ids(const struct fm_form *form, const json_t *record, struct fm_ids *members,
		   struct fm_ids *depts);

/* ---- a new definition (form_check.c) ---- */
/* The fields of a form to save: each field and its keys, ids, serial
 * parts, limits. CR_EINVAL naming the field. */
int fm_definition_check(const json_t *fields, struct cr_err *err);
/* Choices removed from a choice field stay in the definition, marked
 * "retired": old records keep their labels; new values cannot pick them. */
void fm_choices_retire(json_t *fields, const json_t *old_fields);

#endif
