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
 * added as rows of the registry in field.c (struct fm_type). */
#ifndef CREEK_CORE_FORMS_FIELD_H
#define CREEK_CORE_FORMS_FIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../lib/buf.h"
#include "../../lib/err.h"

#define FM_FIELD_ID_MAX      32
#define FM_LABEL_MAX         100
#define FM_CHOICES_MAX       500
#define FM_SUBTABLE_ROWS_MAX 1000
#define FM_FILES_MAX         50

/* How a type's value sits in its record column: the app's table rec_<app>
 * has one column c<n> per field with a value (form.c); lists and objects
 * (choices, members, files, addresses, sub-tables) are JSON text in that
 * one column, not side tables. */
enum fm_kind {
	FM_KIND_NONE,    /* layout only (description, divider): no value, no column */
	FM_KIND_TEXT,    /* TEXT */
	FM_KIND_INTEGER, /* INTEGER */
	FM_KIND_REAL,    /* REAL */
	FM_KIND_JSON,    /* TEXT holding a JSON value (lists, objects) */
};

/* Which filter and show_when operators a type takes (fm_ops_allow). */
enum fm_ops {
	FM_OPS_OTHER,    /* empty, not_empty */
	FM_OPS_TEXT,     /* eq ne contains not_contains starts (+ empty...) */
	FM_OPS_NUMBER,   /* eq ne gt gte lt lte between */
	FM_OPS_DATE,     /* eq gt gte lt lte between: "YYYY-MM-DD" text */
	FM_OPS_DATETIME, /* the same ops on UTC instants; eq means that local day */
	FM_OPS_CHOICE,   /* eq ne in not_in: one choice id */
	FM_OPS_MULTI,    /* any_of all_of none_of: a set of ids */
	FM_OPS_ADDRESS,  /* contains */
};

/* What the value's ids name, if anything: such values are answered with
 * the names in "refs", exported as names and imported from names. */
enum fm_ref {
	FM_REF_NONE,
	FM_REF_MEMBER,     /* account ids */
	FM_REF_DEPARTMENT, /* department ids */
};

/* Whether the value picks from the field's options.choices. */
enum fm_choices {
	FM_CHOICES_NONE,
	FM_CHOICES_ONE,  /* a choice id */
	FM_CHOICES_MANY, /* a list of choice ids */
};

/* How a type shows in a record's history: the old and new values as
 * stored, or ids named through the answer's "refs". */
enum fm_history {
	FM_HISTORY_VALUE,
	FM_HISTORY_NAMED,
};

/* What import and export converters are given (field_cells.c): pure, the
 * store is reached only through lookup. */
struct fm_cells {
	/* export: {"members": {"<id>": name}, "departments": {...}} (borrowed) */
	const json_t *refs;
	/* import: a time without a zone is local time at this offset */
	int tz_offset_s;
	/* import: the id of the member (login or name) or department (name)
	 * called text; CR_EINVAL naming it when none or two */
	int (*lookup)(void *arg, enum fm_ref ref, const char *text, int64_t *id,
		      struct cr_err *err);
	void *lookup_arg;
};

/* One row per field type: everything Creek knows about a type is here,
 * and code elsewhere asks the row, never compares type names. Adding a
 * type is one row in field.c (and its input in web/ui/src/fields).
 * tests/cases/field_types.json holds the same properties, checked against
 * this table (test_fields) and the UI's (web/ui registry tests). */
struct fm_type {
	const char *name; /* as in the form JSON: "text", "number", ... */
	enum fm_kind kind;
	enum fm_ops ops;
	enum fm_ref ref;
	enum fm_choices choices;
	enum fm_history history;
	bool is_sortable;    /* records sort by it (an indexed scalar column) */
	bool may_be_unique;  /* "unique": true is allowed */
	bool is_file;        /* a list of uploaded files {sha256, name, size, type} */
	bool is_generated;   /* filled by the write path (serial numbers), never given */
	bool is_serial_part; /* a serial number's "field" part may name it */
	bool has_few_values; /* a filter on it matches many rows: let the sort lead */
	/* options is the field's "options" object (never NULL: {} if absent). */
	int (*check_options)(const json_t *options, struct cr_err *err);
	/* value is not null (required-ness is checked before); *out a new
	 * reference to the normalized value. */
	int (*check_value)(const json_t *options, const json_t *value, json_t **out,
			   struct cr_err *err);
	/* Append the words full-text search finds the value by (v not null);
	 * NULL: not searched. */
	void (*search_text)(const json_t *field, const json_t *v, struct cr_buf *out);
	/* Import: a non-empty cell's text as a value for the field, before
	 * the field's own checks (*out a new reference). NULL: the type
	 * cannot be imported from a spreadsheet. */
	int (*cell_read)(const struct fm_cells *cx, const json_t *field, const char *text,
			 json_t **out, struct cr_err *err);
	/* Export: a non-null value as a cell's text. */
	void (*cell_write)(const struct fm_cells *cx, const json_t *field, const json_t *v,
			   struct cr_buf *out);
};

/* The type named name, or NULL. */
const struct fm_type *fm_type_find(const char *name);
/* The type named name; for NULL or an unknown name a row with no value,
 * no operators but empty/not_empty and no converters (never NULL). */
const struct fm_type *fm_type_get(const char *name);
/* Every type, ended by a NULL name (for the designer's palette). */
extern const struct fm_type fm_types[];
/* Is op (a word such as "gte") one of the operators of class ops? */
bool fm_ops_allow(enum fm_ops ops, const char *op);
/* "member", "department": the word for what a ref names, in messages. */
const char *fm_ref_noun(enum fm_ref ref);

/* A field definition: id ([a-z0-9_], 1 to 32), known type, label, the
 * type's options; sub-table fields recursively (no sub-table inside one). */
int fm_field_check(const json_t *field, struct cr_err *err);

/* The fields of a sub-table field's rows (its options' "fields",
 * borrowed from field), or NULL when field is of another type. */
const json_t *fm_field_subfields(const json_t *field);

/* A choice's label: a removed (retired) choice's too, and the id itself
 * for a choice the field never had. Borrowed from field. */
const char *fm_choice_label(const json_t *field, const json_t *id);

/* No value: absent, null, "" or []. */
bool fm_value_empty(const json_t *v);

/* A value for field (NULL or JSON null: none). Enforces "required"; the
 * error names the field's label. *out: the normalized value (JSON null when
 * none), a new reference, written only on success. */
int fm_value_check(const json_t *field, const json_t *value, json_t **out, struct cr_err *err);

#endif
