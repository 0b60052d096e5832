/* storage/rows.c: see rows.h. */
#include "rows.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/assert.h"

void storage_rows_init(struct storage_rows *r)
{
	memset(r, 0, sizeof(*r));
	cr_arena_init(&r->arena, STORAGE_MAX_RESULT_BYTES);
}

void storage_rows_close(struct storage_rows *r)
{
	free(r->values);
	cr_arena_close(&r->arena);
	memset(r, 0, sizeof(*r));
}

const struct storage_value *storage_rows_at(const struct storage_rows *r, size_t row, unsigned col)
{
	cr_assert(row < r->n_rows && col < r->n_cols);
	return &r->values[row * r->n_cols + col];
}

int64_t storage_rows_int(const struct storage_rows *r, size_t row, unsigned col, int64_t dflt)
{
	const struct storage_value *v = storage_rows_at(r, row, col);

	switch (v->type) {
	case STORAGE_INTEGER:
	case STORAGE_UNIXTIME:
		return v->i;
	case STORAGE_BOOLEAN:
		return v->b ? 1 : 0;
	default:
		return dflt;
	}
}

const char *storage_rows_text(const struct storage_rows *r, size_t row, unsigned col)
{
	const struct storage_value *v = storage_rows_at(r, row, col);

	if (v->type == STORAGE_TEXT || v->type == STORAGE_ISO8601)
		return v->s.p;
	return NULL;
}
