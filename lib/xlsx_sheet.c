/* lib/xlsx_sheet.c: the worksheet part of the .xlsx reader (see
 * xlsx_read.c for the way there): <sheetData> rows of <c> cells, each cell's
 * value turned into text (ECMA-376 Part 1, 18.3.1.4 c, 18.18.11 ST_CellType)
 * and the row handed to the caller's row_fn once it ends.
 *
 * A cell with no value (no <v>, an empty one, an empty string) is no cell:
 * Excel writes styled empty cells far to the right and rows far below, and
 * neither counts against max_cols or max_rows. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "parse.h"
#include "xlsx_int.h"

/* "C5" as column 2, or false; the row part must be there but is not used
 * (the <row> says which row it is). */
static bool parse_ref(const char *ref, size_t *col)
{
	size_t c = 0, n = 0;
	uint32_t row;

	for (; *ref >= 'A' && *ref <= 'Z' && n < 4; ref++, n++)
		c = c * 26 + (size_t)(*ref - 'A' + 1);
	if (n == 0 || c > CR_XLSX_MAX_COLS || cr_parse_u32(ref, CR_XLSX_MAX_ROWS, &row, NULL) < 0 ||
	    row == 0)
		return false;
	*col = c - 1;
	return true;
}

static void row_begin(struct xlsx_reader *rd, const char *r)
{
	uint32_t number;

	if (r != NULL && (cr_parse_u32(r, CR_XLSX_MAX_ROWS, &number, NULL) < 0 || number == 0)) {
		(void)xlsx_fail(rd, CR_EINVAL, "'%s' has a row numbered '%.20s'", rd->part, r);
		return;
	}
	rd->row = r != NULL ? number - 1u : rd->has_row ? rd->prev_row + 1 : 0;
	if (rd->has_row && rd->row <= rd->prev_row) {
		(void)xlsx_fail(rd, CR_EINVAL, "'%s' has row %zu after row %zu", rd->part,
				rd->row + 1, rd->prev_row + 1);
		return;
	}
	if (rd->n_slots > 0)
		memset(rd->slot, 0, rd->n_slots * sizeof(*rd->slot));
	rd->n_slots = 0;
	cr_buf_reset(&rd->row_text);
	rd->in_row = true;
	rd->next_col = 0;
}

static void row_end(struct xlsx_reader *rd)
{
	int rc;

	rd->in_row = false;
	rd->has_row = true;
	rd->prev_row = rd->row;
	if (rd->n_slots == 0)
		return;
	if (rd->n_rows >= rd->max_rows) {
		(void)xlsx_fail(rd, CR_ETOOBIG, "the sheet has over %zu rows", rd->max_rows);
		return;
	}
	if (rd->n_slots > rd->cap_cells) {
		rd->cap_cells = rd->n_slots;
		rd->cells = cr_realloc(rd->cells, rd->cap_cells * sizeof(*rd->cells));
	}
	for (size_t i = 0; i < rd->n_slots; i++)
		rd->cells[i] = rd->slot[i] > 0 ? rd->row_text.data + rd->slot[i] - 1 : "";
	rc = rd->row_fn(rd->arg, rd->row, rd->cells, rd->n_slots, rd->err);
	rd->n_rows++;
	if (rc < 0 && rd->rc == 0) { /* row_fn filled err */
		rd->rc = rc;
		(void)XML_StopParser(rd->xp, XML_FALSE);
	}
}

static void cell_begin(struct xlsx_reader *rd, const XML_Char **atts)
{
	const char *ref = xlsx_attr(atts, "r"), *t = xlsx_attr(atts, "t"),
		   *s = xlsx_attr(atts, "s");
	const char *type = t != NULL ? t : "n";
	char col[4];

	if (!rd->in_row) {
		(void)xlsx_fail(rd, CR_EINVAL, "'%s' has a cell outside a row", rd->part);
		return;
	}
	if (ref != NULL && !parse_ref(ref, &rd->col)) {
		(void)xlsx_fail(rd, CR_EINVAL, "'%s' has a cell named '%.20s', not like A1",
				rd->part, ref);
		return;
	}
	if (ref == NULL)
		rd->col = rd->next_col;
	rd->next_col = rd->col + 1;
	xlsx_col_name(rd->col < CR_XLSX_MAX_COLS ? rd->col : CR_XLSX_MAX_COLS - 1, col);
	(void)snprintf(rd->where, sizeof(rd->where), "cell %s%zu", col, rd->row + 1);
	if (strlen(type) >= sizeof(rd->type)) {
		(void)xlsx_fail(rd, CR_EINVAL, "%s has an unknown type '%.20s'", rd->where, type);
		return;
	}
	memcpy(rd->type, type, strlen(type) + 1);
	rd->style = 0;
	if (s != NULL && cr_parse_u32(s, UINT32_MAX, &rd->style, NULL) < 0) {
		(void)xlsx_fail(rd, CR_EINVAL, "%s has a style '%.20s', not a number", rd->where,
				s);
		return;
	}
	rd->in_cell = true;
	rd->in_is = false;
	rd->has_value = false;
	rd->rph_depth = 0;
	xlsx_text_reset(rd);
}

/* rd->text without the white space at either end. */
static const char *text_trimmed(struct xlsx_reader *rd)
{
	char *s = rd->text.data;
	size_t n = rd->text.len;

	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	s[n] = '\0';
	return s + strspn(s, " \t\r\n");
}

static const char *number_value(struct xlsx_reader *rd, char out[XLSX_NUMBER_LEN])
{
	const char *s = text_trimmed(rd);
	char *end;
	double v;
	enum xlsx_date_kind kind;

	if (*s == '\0')
		return NULL; /* <v/>: no value */
	v = strtod(s, &end);
	if (s[strspn(s, "0123456789+-.eE")] != '\0' || *end != '\0' || !isfinite(v)) {
		(void)xlsx_fail(rd, CR_EINVAL, "%s holds '%.20s', not a number", rd->where, s);
		return NULL;
	}
	kind = rd->style < rd->n_xf ? (enum xlsx_date_kind)rd->xf_kind[rd->style] : XLSX_NOT_DATE;
	if (kind == XLSX_NOT_DATE || !xlsx_serial_text(v, rd->is_1904, kind, out))
		xlsx_number_text(v, out);
	return out;
}

/* The cell's value as text, NULL if it has none (or on failure). */
static const char *cell_value(struct xlsx_reader *rd, char num[XLSX_NUMBER_LEN])
{
	const char *t = rd->type, *s;
	uint32_t i;

	if (strcmp(t, "n") == 0)
		return number_value(rd, num);
	if (strcmp(t, "s") == 0) {
		s = text_trimmed(rd);
		if (cr_parse_u32(s, UINT32_MAX, &i, NULL) < 0 || i >= rd->n_strings) {
			(void)xlsx_fail(rd, CR_EINVAL, "%s refers to shared string '%.20s' of %zu",
					rd->where, s, rd->n_strings);
			return NULL;
		}
		return rd->strings.data + rd->string_at[i];
	}
	if (strcmp(t, "b") == 0) {
		s = text_trimmed(rd);
		if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
			return "TRUE";
		if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
			return "FALSE";
		(void)xlsx_fail(rd, CR_EINVAL, "%s holds '%.20s', not a boolean", rd->where, s);
		return NULL;
	}
	if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0)
		return xlsx_text_finish(rd) == 0 ? rd->text.data : NULL;
	if (strcmp(t, "e") == 0 || strcmp(t, "d") == 0)
		return text_trimmed(rd);
	(void)xlsx_fail(rd, CR_EINVAL, "%s has an unknown type '%s'", rd->where, t);
	return NULL;
}

static void cell_end(struct xlsx_reader *rd)
{
	char num[XLSX_NUMBER_LEN];
	const char *v;
	size_t at;

	rd->in_cell = false;
	rd->is_capturing = false;
	v = rd->has_value ? cell_value(rd, num) : NULL;
	if (v == NULL || *v == '\0')
		return; /* no value, or a failure */
	if (rd->col >= rd->max_cols) {
		(void)xlsx_fail(rd, CR_ETOOBIG, "%s is past the %zu columns allowed", rd->where,
				rd->max_cols);
		return;
	}
	if (rd->col >= rd->cap_slots) {
		size_t cap = rd->cap_slots > 0 ? rd->cap_slots : 16;
		while (cap <= rd->col)
			cap *= 2;
		rd->slot = cr_realloc(rd->slot, cap * sizeof(*rd->slot));
		memset(rd->slot + rd->cap_slots, 0, (cap - rd->cap_slots) * sizeof(*rd->slot));
		rd->cap_slots = cap;
	}
	at = rd->row_text.len;
	if (cr_buf_append(&rd->row_text, v, strlen(v) + 1) < 0) {
		(void)xlsx_fail(rd, CR_ETOOBIG, "row %zu is over %zu MiB", rd->row + 1,
				rd->row_text.max >> 20);
		return;
	}
	rd->slot[rd->col] = at + 1;
	if (rd->col >= rd->n_slots)
		rd->n_slots = rd->col + 1;
}

void xlsx_sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_reader *rd = ud;
	const char *n = xlsx_local(name);

	if (rd->rc != 0)
		return;
	if (!rd->in_data)
		rd->in_data = strcmp(n, "sheetData") == 0;
	else if (strcmp(n, "row") == 0)
		row_begin(rd, xlsx_attr(atts, "r"));
	else if (strcmp(n, "c") == 0)
		cell_begin(rd, atts);
	else if (!rd->in_cell)
		return;
	else if (strcmp(n, "v") == 0)
		rd->is_capturing = rd->has_value = true;
	else if (strcmp(n, "is") == 0)
		rd->in_is = rd->has_value = true;
	else if (strcmp(n, "rPh") == 0)
		rd->rph_depth++;
	else if (strcmp(n, "t") == 0)
		rd->is_capturing = rd->in_is && rd->rph_depth == 0;
}

void xlsx_sheet_end(void *ud, const XML_Char *name)
{
	struct xlsx_reader *rd = ud;
	const char *n = xlsx_local(name);

	if (rd->rc != 0 || !rd->in_data)
		return;
	if (strcmp(n, "sheetData") == 0)
		rd->in_data = false;
	else if (strcmp(n, "row") == 0)
		row_end(rd);
	else if (strcmp(n, "c") == 0)
		cell_end(rd);
	else if (strcmp(n, "v") == 0 || strcmp(n, "t") == 0)
		rd->is_capturing = false;
	else if (strcmp(n, "is") == 0)
		rd->in_is = false;
	else if (strcmp(n, "rPh") == 0 && rd->rph_depth > 0)
		rd->rph_depth--;
}
