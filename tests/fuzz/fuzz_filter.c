/* tests/fuzz/fuzz_filter.c: list requests (filter, q, sort, after,
 * limit, deleted) compiled to SQL (core/forms/filter.c) on arbitrary
 * bytes, against a form of every kind of column, with and without the
 * data right. Invariant: every value is bound, none is spliced into the
 * SQL, so the clause has exactly one ? per parameter. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/forms/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const FIELDS =
    "[{\"id\": \"t\", \"type\": \"text\", \"label\": \"T\"},"
    " {\"id\": \"n\", \"type\": \"number\", \"label\": \"N\"},"
    " {\"id\": \"d\", \"type\": \"date\", \"label\": \"D\"},"
    " {\"id\": \"dt\", \"type\": \"datetime\", \"label\": \"DT\"},"
    " {\"id\": \"s\", \"type\": \"select\", \"label\": \"S\", \"options\": {\"choices\":"
    "  [{\"id\": \"a\", \"label\": \"A\"}]}},"
    " {\"id\": \"c\", \"type\": \"checkbox\", \"label\": \"C\", \"options\": {\"choices\":"
    "  [{\"id\": \"a\", \"label\": \"A\"}]}},"
    " {\"id\": \"m\", \"type\": \"member\", \"label\": \"M\"},"
    " {\"id\": \"r\", \"type\": \"rating\", \"label\": \"R\"},"
    " {\"id\": \"ad\", \"type\": \"address\", \"label\": \"AD\"},"
    " {\"id\": \"f\", \"type\": \"attachment\", \"label\": \"F\"},"
    " {\"id\": \"x\", \"type\": \"divider\", \"label\": \"X\"}]";

static void form_make(struct fm_form *form, struct fm_col *cols, size_t max)
{
	size_t i;
	const json_t *fld;

	memset(form, 0, sizeof(*form));
	form->app = 1;
	form->version = 1;
	form->fields = json_loads(FIELDS, 0, NULL);
	form->cols = cols;
	form->tz_offset_s = 8 * 3600;
	(void)snprintf(form->table, sizeof(form->table), "rec_1");
	(void)snprintf(form->fts, sizeof(form->fts), "rec_1_fts");
	json_array_foreach(form->fields, i, fld)
	{
		struct fm_col *c = &cols[form->n_cols];
		if (i >= max)
			break;
		memset(c, 0, sizeof(*c));
		c->field = fld;
		(void)snprintf(c->id, sizeof(c->id), "%s",
			       json_string_value(json_object_get(fld, "id")));
		(void)snprintf(c->type, sizeof(c->type), "%s",
			       json_string_value(json_object_get(fld, "type")));
		(void)snprintf(c->label, sizeof(c->label), "%s",
			       json_string_value(json_object_get(fld, "label")));
		c->col = (int)i + 1;
		c->t = fm_type_get(c->type);
		c->kind = c->t->kind;
		form->n_cols++;
	}
	form->n_live = form->n_cols;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fm_col cols[16];
	struct fm_form form;
	struct fm_rights rights = { .all_data = size > 0 && (data[0] & 1) };
	struct id_actor actor;
	struct fm_query q;
	json_t *body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);

	if (body == NULL)
		return 0;
	memset(&actor, 0, sizeof(actor));
	actor.account.id = 7;
	form_make(&form, cols, sizeof(cols) / sizeof(cols[0]));
	if (fm_query_parse(&form, &rights, &actor, json_is_object(body) ? body : NULL, true, &q,
			   NULL) == 0) {
		unsigned n, marks = 0;
		const char *where = fm_sql_where(&q.s);
		(void)fm_sql_params(&q.s, &n);
		for (const char *p = where; *p != '\0'; p++)
			marks += *p == '?';
		if (marks != n)
			abort();
	}
	fm_sql_close(&q.s);
	json_decref(form.fields);
	json_decref(body);
	return 0;
}
