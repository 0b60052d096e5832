/* core/forms/query.h: a list request compiled to SQL (query.c), shared
 * by lists, counts and exports. */
#ifndef CREEK_CORE_FORMS_QUERY_H
#define CREEK_CORE_FORMS_QUERY_H

#include "forms_int.h"

struct fm_sql {
	struct sql_build *b; /* private */
};

struct fm_query {
	struct fm_sql s; /* " WHERE ..." and its parameters */
	char sort_expr[24];
	const struct fm_col *sort_col; /* NULL for system fields */
	bool desc, by_id, deleted;
	unsigned limit;
};

/* body: {"filter", "q", "sort", "limit", "after", "deleted"} (and the
 * export's "fields", "format", ignored here). Close q.s after, also on
 * failure. */
int fm_query_parse(const struct fm_form *form, const struct fm_rights *rights,
		   const struct id_actor *a, const json_t *body, bool paging, struct fm_query *q,
		   struct cr_err *err);
void fm_sql_close(struct fm_sql *s);
const char *fm_sql_where(const struct fm_sql *s);
const struct storage_value *fm_sql_params(const struct fm_sql *s, unsigned *n);
/* One page: *records a list, *next the cursor or null. */
int fm_query_page(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		  struct fm_query *q, json_t **records, json_t **next, struct cr_err *err);

#endif
