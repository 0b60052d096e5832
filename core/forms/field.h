/* core/forms/field.h: the field types of forms, as one open registry.
 *
 * A field is a JSON object saved by the form designer:
 *   {"id": "f3", "type": "number", "label": "Amount", "required": true,
 *    "options": {"precision": 2, "min": 0}}
 * Each type checks its own options (fm_field_check) and its values
 * (fm_value_check), which come back normalized: trimmed text, numbers
 * rounded to their precision, dates in one spelling, choice ids checked.
 * Pure: no storage, no clock. What needs the store (members and
 * departments that exist, unique values, serial numbers, files on disk)
 * is checked by the record write path on top of this.
 *
 * New types (formula defaults, data linkage, aggregation, Q-Linker) are
 * added as rows of the registry in field.c. */
#ifndef CREEK_CORE_FORMS_FIELD_H
#define CREEK_CORE_FORMS_FIELD_H

#include <jansson.h>
#include <stdbool.h>

#include "../../lib/err.h"

#define FM_FIELD_ID_MAX      32
#define FM_LABEL_MAX         100
#define FM_CHOICES_MAX       500
#define FM_SUBTABLE_ROWS_MAX 1000
#define FM_FILES_MAX         50

/* How a type's value is kept (the record tables of issue 7 map these). */
enum fm_storage {
	FM_STORE_NONE,    /* layout only (description, divider): no value */
	FM_STORE_TEXT,    /* one TEXT column */
	FM_STORE_INTEGER, /* one INTEGER column */
	FM_STORE_REAL,    /* one REAL column */
	FM_STORE_JSON,    /* one TEXT column holding a small JSON value */
	FM_STORE_SIDE,    /* multi-valued: a side table */
};

struct fm_type {
	const char *name; /* as in the form JSON: "text", "number", ... */
	enum fm_storage storage;
	/* options is the field's "options" object (never NULL: {} if absent). */
	int (*check_options)(const json_t *options, struct cr_err *err);
	/* value is not null (required-ness is checked before); *out a new
	 * reference to the normalized value. */
	int (*check_value)(const json_t *options, const json_t *value, json_t **out,
			   struct cr_err *err);
};

/* The type named name, or NULL. */
const struct fm_type *fm_type_find(const char *name);
/* Every type, ended by a NULL name (for the designer's palette). */
extern const struct fm_type fm_types[];

/* A field definition: id ([a-z0-9_], 1 to 32), known type, label, the
 * type's options; sub-table fields recursively (no sub-table inside one). */
int fm_field_check(const json_t *field, struct cr_err *err);

/* No value: absent, null, "" or []. */
bool fm_value_empty(const json_t *v);

/* A value for field (NULL or JSON null: none). Enforces "required"; the
 * error names the field's label. *out: the normalized value (JSON null when
 * none), a new reference, written only on success. */
int fm_value_check(const json_t *field, const json_t *value, json_t **out, struct cr_err *err);

#endif
