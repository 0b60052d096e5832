/* storage/rows.h: a whole query result held in memory.
 *
 * Column names, values, and the text/blob bytes they point to are owned by
 * the row set and live until storage_rows_close(). Results are bounded by
 * STORAGE_MAX_RESULT_BYTES; a query past it fails with CR_ETOOBIG (use the
 * streaming call, storage_conn_query_each(), for bigger scans). */
#ifndef CREEK_STORAGE_ROWS_H
#define CREEK_STORAGE_ROWS_H

#include <stddef.h>

#include "../lib/arena.h"
#include "../lib/err.h"
#include "value.h"

#define STORAGE_MAX_RESULT_BYTES ((size_t)256 * 1024 * 1024)

struct storage_rows {
	unsigned n_cols;
	const char **cols; /* n_cols names */
	size_t n_rows;
	struct storage_value *values; /* row-major, n_rows * n_cols */
	/* private */
	size_t cap_rows;
	struct cr_arena arena;
};

void storage_rows_init(struct storage_rows *r);
void storage_rows_close(struct storage_rows *r); /* half-built sets too */

/* Borrowed; row < n_rows and col < n_cols, or the process aborts (a bug). */
const struct storage_value *storage_rows_at(const struct storage_rows *r, size_t row, unsigned col);

/* Convenience readers: the value as an integer (INTEGER, BOOLEAN, UNIXTIME;
 * others give dflt) and as text (TEXT, ISO8601; others give NULL). */
int64_t storage_rows_int(const struct storage_rows *r, size_t row, unsigned col, int64_t dflt);
const char *storage_rows_text(const struct storage_rows *r, size_t row, unsigned col);

/* Append a row, copying its names (the first time) and its text and
 * blobs into the set. CR_ETOOBIG past STORAGE_MAX_RESULT_BYTES. */
int storage_rows_add(struct storage_rows *r, unsigned n_cols, const char *const *cols,
		     const struct storage_value *row, struct cr_err *err);
/* The same as a row callback (conn.h's storage_row_fn; arg: the set). */
int storage_rows_add_fn(void *arg, unsigned n_cols, const char *const *cols,
			const struct storage_value *row, struct cr_err *err);

#endif
