/* core/forms/values.h: a record's values checked and normalized against
 * its form (values.c). Pure: the store's checks come after (refs.c,
 * fm_values_store_check). Nothing outside core/forms includes this. */
#ifndef CREEK_CORE_FORMS_VALUES_H
#define CREEK_CORE_FORMS_VALUES_H

#include "form_model.h"

/* The values of a new record from given ({field id: value}, NULL for
 * none): defaults applied, each checked by its type, fields hidden by
 * show_when emptied, required ones present. *out a new object. CR_EINVAL
 * naming the field. */
int fm_values_build(const struct fm_form *form, const json_t *given, json_t **out,
		    struct cr_err *err);
/* The changes given ({field id: value}) to a record's values: *changed
 * the fields whose normalized value differs (hidden ones emptied too),
 * *merged every value after them (new objects). CR_EINVAL naming the
 * field. */
int fm_values_change(const struct fm_form *form, const json_t *given, const json_t *values,
		     json_t **changed, json_t **merged, struct cr_err *err);

#endif
