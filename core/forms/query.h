/* core/forms/query.h: a compiled list request (filter.h) run on the
 * store: one page of records, shared by lists and exports. */
#ifndef CREEK_CORE_FORMS_QUERY_H
#define CREEK_CORE_FORMS_QUERY_H

#include "filter.h"
#include "forms_int.h"

/* One page: *records a list, *next the cursor or null (new references). */
int fm_query_page(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		  struct fm_query *q, json_t **records, json_t **next, struct cr_err *err);

#endif
