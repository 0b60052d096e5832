/* core/forms/sheet.h: a spreadsheet read into memory for an import:
 * rows of cells (text), from CSV (UTF-8) or XLSX. What the cells mean is
 * the registry's (field_cells.c); import.c joins the two. Pure. */
#ifndef CREEK_CORE_FORMS_SHEET_H
#define CREEK_CORE_FORMS_SHEET_H

#include <stddef.h>

#include "../../lib/err.h"

#define FM_IMPORT_COLUMNS_MAX 300

/* Every string is owned; free with fm_sheet_free(). */
struct fm_sheet {
	size_t n_rows;
	char ***rows;    /* rows[r][c] */
	size_t *n_cells; /* cells of each row */
	size_t *line;    /* where each row is in the file, from 1 */
	size_t cap;
};

/* format "csv" or "xlsx": the first FM_IMPORT_MAX + 1 rows of data into
 * s (zeroed by the caller). CR_EINVAL for a file that is not one,
 * CR_ETOOBIG past FM_IMPORT_COLUMNS_MAX columns. */
int fm_sheet_read(const char *format, const unsigned char *data, size_t len, struct fm_sheet *s,
		  struct cr_err *err);
void fm_sheet_free(struct fm_sheet *s);

#endif
