/* storage/rows.c: see rows.h. */
#include "rows.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/assert.h"
#include "../lib/err.h"
#include "../lib/mem.h"

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

int storage_rows_add(struct storage_rows *r, unsigned n_cols, const char *const *cols,
		     const struct storage_value *row, struct cr_err *err)
{
	struct storage_value *dst;

	if (r->cols == NULL) {
		r->cols = cr_arena_alloc(&r->arena, n_cols * sizeof(*r->cols));
		for (unsigned i = 0; r->cols != NULL && i < n_cols; i++) {
			r->cols[i] = cr_arena_strndup(&r->arena, cols[i], strlen(cols[i]));
			if (r->cols[i] == NULL)
				r->cols = NULL;
		}
		if (r->cols == NULL)
			goto too_big;
		r->n_cols = n_cols;
	}
	if (r->n_rows == r->cap_rows) {
		size_t cap = r->cap_rows == 0 ? 64 : r->cap_rows * 2;
		if (cap * n_cols * sizeof(*r->values) > STORAGE_MAX_RESULT_BYTES)
			goto too_big;
		r->values = cr_realloc(r->values, cap * n_cols * sizeof(*r->values));
		r->cap_rows = cap;
	}
	dst = &r->values[r->n_rows * n_cols];
	for (unsigned i = 0; i < n_cols; i++) {
		dst[i] = row[i];
		if (row[i].type == STORAGE_TEXT || row[i].type == STORAGE_ISO8601 ||
		    row[i].type == STORAGE_BLOB) {
			char *p = cr_arena_strndup(&r->arena, row[i].s.p, row[i].s.len);
			if (p == NULL)
				goto too_big;
			dst[i].s.p = p;
		}
	}
	r->n_rows++;
	return 0;
too_big:
	return cr_err_set(err, CR_ETOOBIG, "query result is larger than %zu bytes",
			  STORAGE_MAX_RESULT_BYTES);
}

int storage_rows_add_fn(void *arg, unsigned n_cols, const char *const *cols,
			const struct storage_value *row, struct cr_err *err)
{
	return storage_rows_add(arg, n_cols, cols, row, err);
}
