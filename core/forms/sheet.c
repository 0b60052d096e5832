/* core/forms/sheet.c: a CSV or XLSX file read into rows of cells for an
 * import (sheet.h). Pure. */
#include "sheet.h"
#include "../../lib/mem.h"

#include <stdlib.h>
#include <string.h>

#include "../../lib/text.h"
#include "../../lib/xlsx.h"
#include "../identity/csv.h"
#include "forms.h"

void fm_sheet_free(struct fm_sheet *s)
{
	for (size_t r = 0; r < s->n_rows; r++) {
		for (size_t c = 0; c < s->n_cells[r]; c++)
			free(s->rows[r][c]);
		free(s->rows[r]);
	}
	free(s->rows);
	free(s->n_cells);
	free(s->line);
	memset(s, 0, sizeof(*s));
}

static int sheet_add(struct fm_sheet *s, size_t line, const char *const *cells, size_t n,
		     struct cr_err *err)
{
	char **row;

	if (n > FM_IMPORT_COLUMNS_MAX)
		return cr_err_set(err, CR_ETOOBIG, "line %zu has more than %d columns", line,
				  FM_IMPORT_COLUMNS_MAX);
	if (s->n_rows == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		s->rows = cr_realloc(s->rows, cap * sizeof(*s->rows));
		s->n_cells = cr_realloc(s->n_cells, cap * sizeof(*s->n_cells));
		s->line = cr_realloc(s->line, cap * sizeof(*s->line));
		s->cap = cap;
	}
	row = cr_calloc(n + 1, sizeof(*row));
	for (size_t c = 0; c < n; c++)
		row[c] = cr_strdup(cells[c] != NULL ? cells[c] : "");
	s->rows[s->n_rows] = row;
	s->n_cells[s->n_rows] = n;
	s->line[s->n_rows] = line;
	s->n_rows++;
	return 0;
}

static int xlsx_row(void *arg, size_t row_index, const char *const *cells, size_t n_cells,
		    struct cr_err *err)
{
	return sheet_add(arg, row_index + 1, cells, n_cells, err);
}

int fm_sheet_read(const char *format, const unsigned char *data, size_t len, struct fm_sheet *s,
		  struct cr_err *err)
{
	if (strcmp(format, "xlsx") == 0) {
		int n = cr_xlsx_read(data, len, FM_IMPORT_MAX + 1, FM_IMPORT_COLUMNS_MAX, xlsx_row,
				     s, err);
		return n < 0 ? n : 0; /* the number of rows read */
	}
	struct id_csv csv = { 0 };
	char *text = cr_malloc(len + 1);
	int rc;

	memcpy(text, data, len);
	text[len] = '\0';
	if (strlen(text) != len)
		rc = cr_err_set(err, CR_EINVAL, "the CSV file holds NUL bytes: is it a CSV file?");
	else if (cr_utf8_chars(text, true) < 0)
		rc = cr_err_set(err, CR_EINVAL,
				"the CSV file is not UTF-8 text (save it as \"CSV UTF-8\")");
	else
		rc = id_csv_parse(text, FM_IMPORT_MAX + 1, &csv, err);
	for (size_t r = 0; rc == 0 && r < csv.n_rows; r++)
		rc = sheet_add(s, csv.rows[r].line, (const char *const *)csv.rows[r].fields,
			       csv.rows[r].n, err);
	id_csv_close(&csv);
	free(text);
	return rc;
}
