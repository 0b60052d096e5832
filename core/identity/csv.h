/* core/identity/csv.h: reading CSV text (bulk invites). Pure. */
#ifndef CREEK_CORE_IDENTITY_CSV_H
#define CREEK_CORE_IDENTITY_CSV_H

#include <stddef.h>

#include "../../lib/err.h"

struct id_csv_row {
	size_t line; /* where the row starts, from 1 */
	size_t n;
	char **fields;
};

struct id_csv {
	size_t n_rows;
	struct id_csv_row *rows;
};

/* Parse text (blank lines skipped); at most max_rows rows, else
 * CR_ETOOBIG. On failure err names the line. */
int id_csv_parse(const char *text, size_t max_rows, struct id_csv *out, struct cr_err *err);
void id_csv_close(struct id_csv *c);

#endif
