/* lib/xlsx_write.c: the .xlsx writer (see xlsx.h).
 *
 * Cells are turned into <row>/<c> XML as they come, in one buffer; finish
 * wraps it in a worksheet and packs the six parts of a minimal SpreadsheetML
 * package with libzip, in memory. Text goes in inline strings (t="inlineStr",
 * ECMA-376 Part 1, 18.3.1.53), so no shared-string table is needed. Styles
 * (xl/styles.xml): 0 normal, 1 bold (the header row), 2 a date, 3 a date and
 * time. */
#include "xlsx.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <zip.h>

#include "assert.h"
#include "mem.h"
#include "xlsx_int.h"

#define SHEET_NAME_CHARS 31 /* Excel's limit */
#define SHEET_NAME_SIZE  (SHEET_NAME_CHARS * 4 + 2)
#define ROW_END          "</row>"
/* One cell's XML: each character of text takes at most 7 bytes ("_x005F_"). */
#define CELL_XML_MAX  ((size_t)CR_XLSX_MAX_CELL_CHARS * 8 + 256)
#define COL_WIDTH_MIN 9 /* Excel's default is 8.43 characters */
#define COL_WIDTH_MAX 80
/* Zip entry times are fixed (2020-01-01): the same cells give the same file. */
#define PART_MTIME ((time_t)1577836800)

enum style { STYLE_NORMAL, STYLE_HEADER, STYLE_DATE, STYLE_DATETIME };

struct cr_xlsx_writer {
	char sheet_name[SHEET_NAME_SIZE];
	struct cr_buf rows; /* the <row> elements so far */
	struct cr_buf cell; /* one cell's XML, appended to rows whole */
	uint32_t row;       /* the current row, from 0 */
	uint32_t col;       /* the next cell in it, from 0 */
	uint32_t n_cols;    /* the widest row */
	uint32_t n_rows;    /* rows up to the last that has cells */
	bool is_row_open;   /* its <row> is in rows */
	bool is_finished;
	struct cr_err failure;           /* the first failed call; code 0 while none */
	uint8_t width[CR_XLSX_MAX_COLS]; /* widest text per column, in digit widths */
};

static const char NS_MAIN[] = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
static const char NS_REL[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
static const char XML_DECL[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/* ---- names and text ---- */

/* The East Asian wide characters, which take two digit widths. */
static bool is_wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	       (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000;
}

/* The UTF-16 length of s as written (dropped characters not counted) and
 * the width of its widest line. */
static size_t text_measure(const char *s, size_t *width)
{
	size_t units = 0, line = 0, n;
	uint32_t cp;

	*width = 0;
	for (const char *p = s; *p != '\0'; p += n) {
		n = xlsx_utf8_next(p, &cp);
		if (!xlsx_xml_char(cp))
			continue;
		units += cp >= 0x10000 ? 2 : 1;
		line = cp == '\n' ? 0 : line + (is_wide(cp) ? 2 : 1);
		if (line > *width)
			*width = line;
	}
	return units;
}

/* _xHHHH_ in text means the character HHHH to Excel (ECMA-376 Part 1,
 * 22.9.2.19 ST_Xstring), so a literal one gets its '_' escaped. */
static bool looks_escaped(const char *p)
{
	for (int i = 2; i < 6; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
		      (p[i] >= 'A' && p[i] <= 'F')))
			return false;
	return p[0] == '_' && p[1] == 'x' && p[6] == '_';
}

/* s as XML character data; see cr_xlsx_add_text() for what is dropped. */
static int escape(struct cr_buf *b, const char *s)
{
	int rc = 0;
	uint32_t cp;
	size_t n;
	char utf8[4];

	for (const char *p = s; rc == 0 && *p != '\0'; p += n) {
		n = xlsx_utf8_next(p, &cp);
		if (!xlsx_xml_char(cp))
			continue;
		if (cp == '&')
			rc = cr_buf_append(b, "&amp;", 5);
		else if (cp == '<')
			rc = cr_buf_append(b, "&lt;", 4);
		else if (cp == '>')
			rc = cr_buf_append(b, "&gt;", 4);
		else if (cp == '"')
			rc = cr_buf_append(b, "&quot;", 6);
		else if (cp == '\r') /* a parser would turn a raw CR into LF */
			rc = cr_buf_append(b, "&#13;", 5);
		else if (cp == '_' && looks_escaped(p))
			rc = cr_buf_append(b, "_x005F_", 7);
		else
			rc = cr_buf_append(b, utf8, xlsx_utf8_put(cp, utf8));
	}
	return rc;
}

static void sheet_name_set(char out[SHEET_NAME_SIZE], const char *name)
{
	size_t len = 0, units = 0, n;
	uint32_t cp;
	char utf8[4];

	for (const char *p = name != NULL ? name : ""; *p != '\0'; p += n) {
		n = xlsx_utf8_next(p, &cp);
		if (!xlsx_xml_char(cp) || cp < 0x20)
			continue;
		if (strchr(":\\/?*[]", (int)cp) != NULL && cp < 0x80)
			cp = '_';
		units += cp >= 0x10000 ? 2 : 1;
		if (units > SHEET_NAME_CHARS)
			break;
		n = xlsx_utf8_put(cp, utf8);
		memcpy(out + len, utf8, n);
		len += n;
	}
	while (len > 0 && out[len - 1] == '\'')
		len--;
	out[len] = '\0';
	n = strspn(out, "'");
	memmove(out, out + n, len - n + 1);
	if (out[0] == '\0')
		memcpy(out, "Sheet1", 7);
	else if (strcasecmp(out, "History") == 0) /* reserved by Excel */
		memcpy(out + 7, "_", 2);
}

/* ---- cells ---- */

struct cr_xlsx_writer *cr_xlsx_writer_new(const char *sheet_name)
{
	struct cr_xlsx_writer *w = cr_calloc(1, sizeof(*w));

	sheet_name_set(w->sheet_name, sheet_name);
	cr_buf_init(&w->rows, CR_XLSX_MAX_UNZIPPED);
	cr_buf_init(&w->cell, CELL_XML_MAX);
	return w;
}

void cr_xlsx_writer_free(struct cr_xlsx_writer *w)
{
	if (w == NULL)
		return;
	cr_buf_close(&w->rows);
	cr_buf_close(&w->cell);
	free(w);
}

/* Record the failure if it is the first, give up the column, and return
 * the first failure's code. */
static int fail(struct cr_xlsx_writer *w, int code, const char *what)
{
	char col[4];

	if (w->failure.code == 0) {
		xlsx_col_name(w->col < CR_XLSX_MAX_COLS ? w->col : CR_XLSX_MAX_COLS - 1, col);
		(void)cr_err_set(&w->failure, code, "row %u, column %s: %s", w->row + 1, col, what);
	}
	w->col++;
	return w->failure.code;
}

/* Start a cell's XML in w->cell: the <row> if it is the row's first, and
 * <c r=".." s=".."; the caller adds the rest. */
static int cell_begin(struct cr_xlsx_writer *w, enum style style)
{
	char col[4];

	if (w->failure.code != 0) { /* nothing more is written */
		w->col++;
		return w->failure.code;
	}
	if (w->row >= CR_XLSX_MAX_ROWS)
		return fail(w, CR_ETOOBIG, "a sheet has at most 1048576 rows");
	if (w->col >= CR_XLSX_MAX_COLS)
		return fail(w, CR_ETOOBIG, "a row has at most 16384 cells");
	cr_buf_reset(&w->cell);
	xlsx_col_name(w->col, col);
	if (w->row == 0 && style == STYLE_NORMAL)
		style = STYLE_HEADER;
	if (!w->is_row_open)
		(void)cr_buf_printf(&w->cell, "<row r=\"%u\">", w->row + 1);
	(void)cr_buf_printf(&w->cell, "<c r=\"%s%u\"", col, w->row + 1);
	if (style != STYLE_NORMAL)
		(void)cr_buf_printf(&w->cell, " s=\"%d\"", (int)style);
	return 0;
}

/* Move the finished cell XML into the sheet; width is its text's. */
static int cell_end(struct cr_xlsx_writer *w, size_t width)
{
	/* keep room for the row's end, so that end_row cannot fail */
	if (w->cell.len + sizeof(ROW_END) > w->rows.max - w->rows.len)
		return fail(w, CR_ETOOBIG, "the sheet is over 256 MiB of XML");
	(void)cr_buf_append(&w->rows, w->cell.data, w->cell.len);
	w->is_row_open = true;
	if (width > w->width[w->col])
		w->width[w->col] = (uint8_t)(width < UINT8_MAX ? width : UINT8_MAX);
	w->col++;
	if (w->col > w->n_cols)
		w->n_cols = w->col;
	w->n_rows = w->row + 1;
	return 0;
}

int cr_xlsx_add_text(struct cr_xlsx_writer *w, const char *utf8)
{
	size_t width, units;
	bool is_padded;
	int rc;

	cr_assert(!w->is_finished);
	if (utf8 == NULL)
		return cr_xlsx_add_empty(w);
	units = text_measure(utf8, &width);
	if (units > CR_XLSX_MAX_CELL_CHARS)
		return fail(w, CR_ETOOBIG, "the text is over 32767 characters, Excel's limit");
	if (units == 0)
		return cr_xlsx_add_empty(w);
	rc = cell_begin(w, STYLE_NORMAL);
	if (rc < 0)
		return rc;
	/* Excel trims text at either end unless told not to. */
	is_padded = strchr(" \t\n\r", utf8[0]) != NULL || strchr(" \t\n\r", utf8[strlen(utf8) - 1]);
	rc = cr_buf_printf(&w->cell, " t=\"inlineStr\"><is><t%s>",
			   is_padded ? " xml:space=\"preserve\"" : "");
	if (rc == 0)
		rc = escape(&w->cell, utf8);
	if (rc == 0)
		rc = cr_buf_append_str(&w->cell, "</t></is></c>");
	cr_assert(rc == 0); /* CELL_XML_MAX holds any text of the length checked above */
	return cell_end(w, width);
}

static int add_serial(struct cr_xlsx_writer *w, double v, enum style style)
{
	char text[XLSX_NUMBER_LEN];
	int rc;

	cr_assert(!w->is_finished);
	rc = cell_begin(w, style);

	if (rc < 0)
		return rc;
	xlsx_number_text(v, text);
	(void)cr_buf_printf(&w->cell, "><v>%s</v></c>", text);
	return cell_end(w, style == STYLE_DATE ? 10 : style == STYLE_DATETIME ? 19 : strlen(text));
}

int cr_xlsx_add_number(struct cr_xlsx_writer *w, double v)
{
	cr_assert(!w->is_finished);
	if (!isfinite(v))
		return fail(w, CR_EINVAL, "a number must be finite");
	return add_serial(w, v, STYLE_NORMAL);
}

int cr_xlsx_add_date(struct cr_xlsx_writer *w, const char *iso)
{
	double serial;
	bool has_time;
	int rc;

	cr_assert(!w->is_finished);
	if (iso == NULL || *iso == '\0')
		return cr_xlsx_add_empty(w);
	rc = xlsx_iso_serial(iso, &serial, &has_time);
	if (rc == 1) /* before 1900-03-01: Excel has no such date */
		return cr_xlsx_add_text(w, iso);
	if (rc < 0)
		return fail(w, CR_EINVAL, "a date must read YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS");
	return add_serial(w, serial, has_time ? STYLE_DATETIME : STYLE_DATE);
}

int cr_xlsx_add_empty(struct cr_xlsx_writer *w)
{
	cr_assert(!w->is_finished);
	w->col++;
	return w->failure.code;
}

int cr_xlsx_end_row(struct cr_xlsx_writer *w)
{
	cr_assert(!w->is_finished);
	if (w->is_row_open)
		(void)cr_buf_append(&w->rows, ROW_END, sizeof(ROW_END) - 1);
	w->is_row_open = false;
	w->row++;
	w->col = 0;
	return w->failure.code;
}

/* ---- the package ---- */

struct part {
	const char *name;
	zip_buffer_fragment_t frag[3];
	zip_uint64_t n_frags;
};

static void part_set(struct part *p, const char *name, const struct cr_buf *b)
{
	p->name = name;
	p->frag[0] = (zip_buffer_fragment_t){ .data = (zip_uint8_t *)b->data, .length = b->len };
	p->n_frags = 1;
}

static void content_types(struct cr_buf *b)
{
	static const char ct[] = "application/vnd.openxmlformats-";

	(void)cr_buf_printf(
	    b,
	    "%s<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	    "<Default Extension=\"rels\" ContentType=\"%spackage.relationships+xml\"/>"
	    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	    "<Override PartName=\"/xl/workbook.xml\" "
	    "ContentType=\"%sofficedocument.spreadsheetml.sheet.main+xml\"/>"
	    "<Override PartName=\"/xl/worksheets/sheet1.xml\" "
	    "ContentType=\"%sofficedocument.spreadsheetml.worksheet+xml\"/>"
	    "<Override PartName=\"/xl/styles.xml\" "
	    "ContentType=\"%sofficedocument.spreadsheetml.styles+xml\"/></Types>",
	    XML_DECL, ct, ct, ct, ct);
}

static void relationships(struct cr_buf *b, bool is_root)
{
	(void)cr_buf_printf(
	    b,
	    "%s<Relationships "
	    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
	    XML_DECL);
	if (is_root)
		(void)cr_buf_printf(b,
				    "<Relationship Id=\"rId1\" Type=\"%s/officeDocument\" "
				    "Target=\"xl/workbook.xml\"/>",
				    NS_REL);
	else
		(void)cr_buf_printf(
		    b,
		    "<Relationship Id=\"rId1\" Type=\"%s/worksheet\" "
		    "Target=\"worksheets/sheet1.xml\"/>"
		    "<Relationship Id=\"rId2\" Type=\"%s/styles\" Target=\"styles.xml\"/>",
		    NS_REL, NS_REL);
	(void)cr_buf_append_str(b, "</Relationships>");
}

static void workbook(struct cr_buf *b, const char *sheet_name)
{
	(void)cr_buf_printf(b,
			    "%s<workbook xmlns=\"%s\" xmlns:r=\"%s\"><bookViews><workbookView "
			    "activeTab=\"0\"/></bookViews><sheets><sheet name=\"",
			    XML_DECL, NS_MAIN, NS_REL);
	(void)escape(b, sheet_name);
	(void)cr_buf_append_str(b, "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
}

static void styles(struct cr_buf *b)
{
	static const char font[] = "<sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/>";
	static const char xf[] = "fillId=\"0\" borderId=\"0\" xfId=\"0\"";

	(void)cr_buf_printf(
	    b,
	    "%s<styleSheet xmlns=\"%s\"><numFmts count=\"2\">"
	    "<numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/>"
	    "<numFmt numFmtId=\"165\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/></numFmts>"
	    "<fonts count=\"2\"><font>%s</font><font><b/>%s</font></fonts>"
	    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
	    "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
	    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border>"
	    "</borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
	    "borderId=\"0\"/></cellStyleXfs><cellXfs count=\"4\">"
	    "<xf numFmtId=\"0\" fontId=\"0\" %s/>"
	    "<xf numFmtId=\"0\" fontId=\"1\" %s applyFont=\"1\"/>"
	    "<xf numFmtId=\"164\" fontId=\"0\" %s applyNumberFormat=\"1\"/>"
	    "<xf numFmtId=\"165\" fontId=\"0\" %s applyNumberFormat=\"1\"/></cellXfs>"
	    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>"
	    "</cellStyles></styleSheet>",
	    XML_DECL, NS_MAIN, font, font, xf, xf, xf, xf);
}

/* The worksheet around the rows: dimension, frozen header, column widths. */
static void sheet_head(struct cr_buf *b, const struct cr_xlsx_writer *w)
{
	char last[4];
	bool has_cols = false;

	xlsx_col_name(w->n_cols > 0 ? w->n_cols - 1 : 0, last);
	(void)cr_buf_printf(b, "%s<worksheet xmlns=\"%s\" xmlns:r=\"%s\">", XML_DECL, NS_MAIN,
			    NS_REL);
	if (w->n_rows > 0)
		(void)cr_buf_printf(b, "<dimension ref=\"A1:%s%u\"/>", last, w->n_rows);
	else
		(void)cr_buf_append_str(b, "<dimension ref=\"A1\"/>");
	(void)cr_buf_append_str(b,
				"<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">"
				"<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
				"state=\"frozen\"/><selection pane=\"bottomLeft\"/></sheetView>"
				"</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
	for (uint32_t c = 0; c < w->n_cols; c++) {
		unsigned width = w->width[c] + 2u;
		if (width <= COL_WIDTH_MIN)
			continue;
		if (!has_cols)
			(void)cr_buf_append_str(b, "<cols>");
		has_cols = true;
		(void)cr_buf_printf(b,
				    "<col min=\"%u\" max=\"%u\" width=\"%u\" customWidth=\"1\"/>",
				    c + 1, c + 1, width < COL_WIDTH_MAX ? width : COL_WIDTH_MAX);
	}
	if (has_cols)
		(void)cr_buf_append_str(b, "</cols>");
	(void)cr_buf_append_str(b, "<sheetData>");
}

static int pack(const struct part *parts, size_t n, struct cr_buf *out, struct cr_err *err)
{
	zip_error_t ze;
	zip_source_t *src, *part;
	zip_t *za;
	zip_stat_t st;
	zip_int64_t idx, got;
	int rc;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	za = src != NULL ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	if (za == NULL) {
		zip_source_free(src);
		rc = cr_err_set(err, CR_EINTERNAL, "could not start the .xlsx: %s",
				zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	zip_error_fini(&ze);
	zip_source_keep(src); /* read after zip_close() */
	for (size_t i = 0; i < n; i++) {
		part = zip_source_buffer_fragment(za, parts[i].frag, parts[i].n_frags, 0);
		idx = part != NULL ? zip_file_add(za, parts[i].name, part, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			zip_source_free(part);
			goto err_after_zip;
		}
		if (zip_file_set_mtime(za, (zip_uint64_t)idx, PART_MTIME, 0) < 0)
			goto err_after_zip;
	}
	if (zip_close(za) < 0)
		goto err_after_zip;
	if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0) {
		rc = cr_err_set(err, CR_EINTERNAL, "could not read the packed .xlsx: %s",
				zip_error_strerror(zip_source_error(src)));
		goto err_after_src;
	}
	rc = cr_buf_reserve(out, st.size);
	if (rc < 0) {
		rc =
		    cr_err_set(err, CR_ETOOBIG, "the .xlsx file would be over %zu bytes", out->max);
	} else {
		got = zip_source_read(src, out->data + out->len, st.size);
		if (got == (zip_int64_t)st.size) {
			out->len += st.size;
			out->data[out->len] = '\0';
		} else {
			rc = cr_err_set(err, CR_EINTERNAL, "could not read the packed .xlsx");
		}
	}
	(void)zip_source_close(src);
err_after_src:
	zip_source_free(src);
	return rc;
err_after_zip:
	rc = cr_err_set(err, CR_EINTERNAL, "could not pack the .xlsx: %s",
			zip_error_strerror(zip_get_error(za)));
	zip_discard(za);
	zip_source_free(src);
	return rc;
}

int cr_xlsx_finish(struct cr_xlsx_writer *w, struct cr_buf *out, struct cr_err *err)
{
	struct cr_buf bufs[6];
	struct part parts[6];
	static const char tail[] = "</sheetData></worksheet>";
	int rc;

	cr_assert(!w->is_finished);
	if (w->is_row_open)
		(void)cr_xlsx_end_row(w);
	w->is_finished = true;
	if (w->failure.code != 0)
		return cr_err_set(err, w->failure.code, "%s", w->failure.msg);
	for (size_t i = 0; i < 6; i++)
		cr_buf_init(&bufs[i], (size_t)4 << 20); /* the sheet head: <= 16384 <col> */
	content_types(&bufs[0]);
	relationships(&bufs[1], true);
	workbook(&bufs[2], w->sheet_name);
	relationships(&bufs[3], false);
	styles(&bufs[4]);
	sheet_head(&bufs[5], w);
	part_set(&parts[0], "[Content_Types].xml", &bufs[0]);
	part_set(&parts[1], "_rels/.rels", &bufs[1]);
	part_set(&parts[2], "xl/workbook.xml", &bufs[2]);
	part_set(&parts[3], "xl/_rels/workbook.xml.rels", &bufs[3]);
	part_set(&parts[4], "xl/styles.xml", &bufs[4]);
	part_set(&parts[5], "xl/worksheets/sheet1.xml", &bufs[5]);
	parts[5].frag[1] =
	    (zip_buffer_fragment_t){ .data = (zip_uint8_t *)w->rows.data, .length = w->rows.len };
	parts[5].frag[2] =
	    (zip_buffer_fragment_t){ .data = (zip_uint8_t *)tail, .length = sizeof(tail) - 1 };
	parts[5].n_frags = w->rows.len > 0 ? 3 : 2;
	if (w->rows.len == 0)
		parts[5].frag[1] = parts[5].frag[2];
	rc = pack(parts, 6, out, err);
	for (size_t i = 0; i < 6; i++)
		cr_buf_close(&bufs[i]);
	return rc;
}
