/* core/forms/filter.h: a list request ({"filter", "q", "sort", "limit",
 * "after", "deleted"}) compiled to the WHERE clause of a select on the
 * app's record table, with its values as parameters bound apart from the
 * SQL text: no value ever becomes SQL. Shared by lists, counts and
 * exports (query.c, export.c), which run it. Pure: no store; a fuzz
 * target (tests/fuzz/fuzz_filter.c) feeds it any body. */
#ifndef CREEK_CORE_FORMS_FILTER_H
#define CREEK_CORE_FORMS_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "form_model.h"

#define FM_SQL_PARAMS_MAX   247       /* values per list request (the store takes 255) */
#define FM_SQL_MAX          (1 << 20) /* bytes of WHERE clause */
#define FM_SEARCH_WORDS_MAX 10
#define FM_SEARCH_MAX       200 /* bytes of "q" */

enum fm_param_kind {
	FM_PARAM_INT,
	FM_PARAM_REAL,
	FM_PARAM_TEXT,
};

/* A bound value; text is owned by the fm_sql it came from. */
struct fm_param {
	enum fm_param_kind kind;
	int64_t i;
	double d;
	const char *text;
};

struct fm_sql {
	struct sql_build *b; /* private */
};

struct fm_query {
	struct fm_sql s; /* " WHERE ..." and its parameters */
	char sort_expr[24];
	const struct fm_col *sort_col; /* NULL for system fields */
	bool desc, by_id, deleted;
	bool all_live; /* every live record: no filter, no search, all rights */
	unsigned limit;
};

/* body: {"filter", "q", "sort", "limit", "after", "deleted"} (and the
 * export's "fields", "format", ignored here), for actor (who sees only
 * their own records without rights->all_data). CR_EINVAL names what is
 * wrong, CR_ETOOBIG past FM_SQL_PARAMS_MAX values, CR_EDENIED for the
 * recycle bin without the right. Close q->s after, also on failure. */
int fm_query_parse(const struct fm_form *form, const struct fm_rights *rights,
		   const struct id_actor *a, const json_t *body, bool paging, struct fm_query *q,
		   struct cr_err *err);
void fm_sql_close(struct fm_sql *s);
/* " WHERE ..." (borrowed, valid until fm_sql_close). */
const char *fm_sql_where(const struct fm_sql *s);
/* The parameters for fm_sql_where's ?s, *n of them (borrowed, likewise). */
const struct fm_param *fm_sql_params(const struct fm_sql *s, unsigned *n);

#endif
