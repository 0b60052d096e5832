/* core/forms/conditions.h: conditions on a record's values: a field's
 * show_when ({"match": "all"|"any", "conditions": [{field, op, value}]}),
 * evaluated on values, and which operators fit which fields, which list
 * filters share (filter.c). Pure. tests/cases/conditions.json holds cases
 * the UI's evaluator (web/ui/src/fields/conditions.js) runs too. */
#ifndef CREEK_CORE_FORMS_CONDITIONS_H
#define CREEK_CORE_FORMS_CONDITIONS_H

#include <jansson.h>
#include <stdbool.h>

#include "../../lib/err.h"
#include "field.h"

#define FM_LIST_VALUES_MAX 100 /* values of an in / any_of ... list */

/* A system field every record has ("_id", "_created_at", ...): its
 * column and operators, or NULL for another name. */
struct fm_system_field {
	const char *name, *expr;
	enum fm_ops ops;
};
const struct fm_system_field *fm_system_field(const char *name);

/* Is op one a field of this type (or system field) can be filtered by? */
bool fm_op_allowed(const char *type, const char *op);
/* A condition's value fits its op: lists for list ops, a pair for
 * between, one scalar else, none for empty/not_empty. CR_EINVAL. */
int fm_condition_value_check(const char *op, const json_t *v, struct cr_err *err);

/* Evaluate a show_when object against values (fields: the form's). */
bool fm_show_when(const json_t *fields, const json_t *show_when, const json_t *values);
/* Check field self's show_when object against the form's fields. */
int fm_show_when_check(const json_t *fields, const char *self, const json_t *show_when,
		       struct cr_err *err);

#endif
