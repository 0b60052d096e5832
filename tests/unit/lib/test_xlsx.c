/* tests/unit/lib/test_xlsx.c: .xlsx writing and reading (lib/xlsx.h): round
 * trips, a file written by openpyxl, hand-made packages for what our writer
 * never produces (shared strings, rich text, escapes, prefixes, 1904), bad
 * files and every limit. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/xlsx.h"
#include "lib/xlsx_int.h"

#define FILE_MAX ((size_t)64 << 20)

/* ---- helpers ---- */

/* Rows as "index:cell|cell\n", for one assert per sheet. */
static int dump_row(void *arg, size_t row_index, const char *const *cells, size_t n_cells,
		    struct cr_err *err)
{
	struct cr_buf *b = arg;

	(void)err;
	assert_true(n_cells > 0);
	(void)cr_buf_printf(b, "%zu:", row_index);
	for (size_t i = 0; i < n_cells; i++)
		(void)cr_buf_printf(b, "%s%s", i > 0 ? "|" : "", cells[i]);
	(void)cr_buf_append_str(b, "\n");
	return 0;
}

/* Read data; the dump in out (caller closes), the result returned. */
static int read_dump(const void *data, size_t len, size_t max_rows, size_t max_cols,
		     struct cr_buf *out, struct cr_err *err)
{
	cr_buf_init(out, FILE_MAX);
	(void)cr_buf_append(out, "", 0);
	return cr_xlsx_read(data, len, max_rows, max_cols, dump_row, out, err);
}

struct part {
	const char *name;
	const char *xml;
};

/* A zip of the parts, in a buffer the caller closes. */
static void make_zip(const struct part *parts, size_t n, struct cr_buf *out)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_stat_t st;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	zip_source_keep(src);
	for (size_t i = 0; i < n; i++) {
		zip_source_t *p = zip_source_buffer(za, parts[i].xml, strlen(parts[i].xml), 0);
		assert_non_null(p);
		assert_true(zip_file_add(za, parts[i].name, p, 0) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_stat(src, &st), 0);
	assert_int_equal(zip_source_open(src), 0);
	cr_buf_init(out, FILE_MAX);
	assert_int_equal(cr_buf_reserve(out, st.size), 0);
	assert_int_equal(zip_source_read(src, out->data, st.size), (zip_int64_t)st.size);
	out->len = st.size;
	(void)zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
}

#define NS     "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define NS_R   "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"
#define ROOT_RELS                                                                                  \
	"<Relationships xmlns=\"" NS_PKG "\"><Relationship Id=\"rId1\" Type=\"" NS_R               \
	"/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
#define BOOK_RELS                                                                                  \
	"<Relationships xmlns=\"" NS_PKG "\">"                                                     \
	"<Relationship Id=\"rId1\" Type=\"" NS_R "/worksheet\" Target=\"worksheets/sheet1.xml\"/>" \
	"<Relationship Id=\"rId2\" Type=\"" NS_R "/sharedStrings\" Target=\"sharedStrings.xml\"/>" \
	"<Relationship Id=\"rId3\" Type=\"" NS_R "/styles\" Target=\"/xl/styles.xml\"/>"           \
	"</Relationships>"
#define WORKBOOK                                                                                   \
	"<workbook " NS " xmlns:r=\"" NS_R "\"><sheets><sheet name=\"S\" sheetId=\"1\" "           \
	"r:id=\"rId1\"/></sheets></workbook>"

/* A package around one sheet; strings and styles may be NULL. */
static void make_book(const char *workbook, const char *sheet, const char *strings,
		      const char *styles, struct cr_buf *out)
{
	struct part parts[6] = {
		{ "_rels/.rels", ROOT_RELS },
		{ "xl/_rels/workbook.xml.rels", BOOK_RELS },
		{ "xl/workbook.xml", workbook != NULL ? workbook : WORKBOOK },
		{ "xl/worksheets/sheet1.xml", sheet },
	};
	size_t n = 4;

	if (strings != NULL)
		parts[n++] = (struct part){ "xl/sharedStrings.xml", strings };
	if (styles != NULL)
		parts[n++] = (struct part){ "xl/styles.xml", styles };
	make_zip(parts, n, out);
}

static void finish(struct cr_xlsx_writer *w, struct cr_buf *file)
{
	struct cr_err err = { 0 };

	cr_buf_init(file, FILE_MAX);
	assert_int_equal(cr_xlsx_finish(w, file, &err), 0);
	cr_xlsx_writer_free(w);
	assert_true(file->len > 100);
	assert_memory_equal(file->data, "PK\x03\x04", 4);
}

/* ---- writing, then reading back ---- */

static void round_trip_keeps_text_numbers_dates_and_gaps(void **state)
{
	struct cr_xlsx_writer *w = cr_xlsx_writer_new("客户 2024");
	struct cr_buf file, got;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(cr_xlsx_add_text(w, "ID"), 0);
	assert_int_equal(cr_xlsx_add_text(w, "名称"), 0);
	assert_int_equal(cr_xlsx_add_text(w, "金额"), 0);
	assert_int_equal(cr_xlsx_add_text(w, "日期"), 0);
	assert_int_equal(cr_xlsx_end_row(w), 0);
	assert_int_equal(cr_xlsx_add_number(w, 1), 0);
	assert_int_equal(cr_xlsx_add_text(w, "李雷 & <韩梅梅> \"q\" '"), 0);
	assert_int_equal(cr_xlsx_add_number(w, 3.5), 0);
	assert_int_equal(cr_xlsx_add_date(w, "2024-02-29"), 0);
	assert_int_equal(cr_xlsx_end_row(w), 0);
	assert_int_equal(cr_xlsx_add_number(w, -0.1), 0);
	assert_int_equal(cr_xlsx_add_text(w, NULL), 0); /* blank, like add_empty */
	assert_int_equal(cr_xlsx_add_number(w, 1e21), 0);
	assert_int_equal(cr_xlsx_add_date(w, "2024-02-29T13:45:30"), 0);
	assert_int_equal(cr_xlsx_end_row(w), 0);
	assert_int_equal(cr_xlsx_end_row(w), 0); /* a blank row */
	assert_int_equal(cr_xlsx_add_date(w, ""), 0);
	assert_int_equal(cr_xlsx_add_text(w, " two\r\nlines "), 0);
	assert_int_equal(cr_xlsx_add_text(w, "_x0041_ stays"), 0);
	assert_int_equal(cr_xlsx_add_date(w, "1899-05-01"), 0); /* no Excel date: text */
	assert_int_equal(cr_xlsx_add_text(w, "bell\x07 bad\xff end\xe4\xb8"), 0);
	assert_int_equal(cr_xlsx_add_number(w, 123456789012.0), 0);
	assert_int_equal(cr_xlsx_add_empty(w), 0); /* trailing: not read back */
	/* no end_row: finish closes the row */
	finish(w, &file);

	assert_int_equal(read_dump(file.data, file.len, 100, 100, &got, &err), 4);
	assert_string_equal(got.data,
			    "0:ID|名称|金额|日期\n"
			    "1:1|李雷 & <韩梅梅> \"q\" '|3.5|2024-02-29\n"
			    "2:-0.1||1e+21|2024-02-29T13:45:30\n"
			    "4:| two\r\nlines |_x0041_ stays|1899-05-01|bell bad\xef\xbf\xbd "
			    "end\xef\xbf\xbd\xef\xbf\xbd|123456789012\n");
	cr_buf_close(&got);
	cr_buf_close(&file);
}

static void writer_output_is_the_same_for_the_same_cells(void **state)
{
	struct cr_buf a, b;
	struct cr_xlsx_writer *w;

	(void)state;
	for (int i = 0; i < 2; i++) {
		w = cr_xlsx_writer_new("S");
		(void)cr_xlsx_add_text(w, "x");
		(void)cr_xlsx_add_number(w, 2);
		finish(w, i == 0 ? &a : &b);
	}
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	cr_buf_close(&a);
	cr_buf_close(&b);
}

/* The sheet name as written in xl/workbook.xml. */
static void sheet_name_of(const char *name, char *out, size_t size)
{
	struct cr_buf file;
	zip_source_t *src;
	zip_t *za;
	zip_file_t *zf;
	char xml[4096];
	zip_int64_t n;
	const char *p;

	finish(cr_xlsx_writer_new(name), &file);
	src = zip_source_buffer_create(file.data, file.len, 0, NULL);
	za = zip_open_from_source(src, ZIP_RDONLY, NULL);
	assert_non_null(za);
	zf = zip_fopen(za, "xl/workbook.xml", 0);
	assert_non_null(zf);
	n = zip_fread(zf, xml, sizeof(xml) - 1);
	assert_true(n > 0);
	xml[n] = '\0';
	(void)zip_fclose(zf);
	zip_discard(za);
	cr_buf_close(&file);
	p = strstr(xml, "<sheet name=\"");
	assert_non_null(p);
	p += strlen("<sheet name=\"");
	(void)snprintf(out, size, "%.*s", (int)(strchr(p, '"') - p), p);
}

static void writer_makes_sheet_names_excel_accepts(void **state)
{
	char name[256];

	(void)state;
	sheet_name_of("采购/报销: [2024]?", name, sizeof(name));
	assert_string_equal(name, "采购_报销_ _2024__");
	sheet_name_of(NULL, name, sizeof(name));
	assert_string_equal(name, "Sheet1");
	sheet_name_of("''", name, sizeof(name));
	assert_string_equal(name, "Sheet1");
	sheet_name_of("history", name, sizeof(name));
	assert_string_equal(name, "history_");
	sheet_name_of("'a&b'", name, sizeof(name));
	assert_string_equal(name, "a&amp;b");
	sheet_name_of("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", name,
		      sizeof(name));
	assert_string_equal(name, "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一");
}

static void writer_failure_keeps_columns_and_surfaces_at_finish(void **state)
{
	struct cr_xlsx_writer *w = cr_xlsx_writer_new("S");
	char *long_text = malloc(CR_XLSX_MAX_CELL_CHARS + 2);
	struct cr_buf file;
	struct cr_err err = { 0 };

	(void)state;
	memset(long_text, 'a', CR_XLSX_MAX_CELL_CHARS + 1);
	long_text[CR_XLSX_MAX_CELL_CHARS + 1] = '\0';
	(void)cr_xlsx_add_text(w, "h");
	(void)cr_xlsx_end_row(w);
	(void)cr_xlsx_add_text(w, "a");
	assert_int_equal(cr_xlsx_add_text(w, long_text), CR_ETOOBIG);
	assert_int_equal(cr_xlsx_add_number(w, NAN), CR_ETOOBIG); /* the first error stays */
	assert_int_equal(cr_xlsx_end_row(w), CR_ETOOBIG);
	cr_buf_init(&file, FILE_MAX);
	assert_int_equal(cr_xlsx_finish(w, &file, &err), CR_ETOOBIG);
	assert_string_equal(err.msg, "row 2, column B: the text is over 32767 characters, Excel's "
				     "limit");
	assert_int_equal(file.len, 0);
	cr_xlsx_writer_free(w);

	w = cr_xlsx_writer_new("S");
	assert_int_equal(cr_xlsx_add_empty(w), 0);
	assert_int_equal(cr_xlsx_add_number(w, INFINITY), CR_EINVAL);
	assert_int_equal(cr_xlsx_finish(w, &file, &err), CR_EINVAL);
	assert_string_equal(err.msg, "row 1, column B: a number must be finite");
	cr_xlsx_writer_free(w);

	w = cr_xlsx_writer_new("S");
	assert_int_equal(cr_xlsx_add_date(w, "2023-02-29"), CR_EINVAL);
	cr_xlsx_writer_free(w); /* unfinished: free alone is fine */

	memset(long_text, 'a', CR_XLSX_MAX_CELL_CHARS); /* exactly the limit is fine */
	long_text[CR_XLSX_MAX_CELL_CHARS] = '\0';
	w = cr_xlsx_writer_new("S");
	assert_int_equal(cr_xlsx_add_text(w, long_text), 0);
	cr_buf_init(&file, 10); /* the output's own ceiling */
	assert_int_equal(cr_xlsx_finish(w, &file, &err), CR_ETOOBIG);
	assert_int_equal(file.len, 0);
	cr_xlsx_writer_free(w);
	free(long_text);
	cr_xlsx_writer_free(NULL);
}

static void writer_refuses_a_row_past_excel_columns(void **state)
{
	struct cr_xlsx_writer *w = cr_xlsx_writer_new("S");
	struct cr_buf file;
	struct cr_err err = { 0 };

	(void)state;
	for (int i = 0; i < CR_XLSX_MAX_COLS - 1; i++)
		(void)cr_xlsx_add_empty(w);
	assert_int_equal(cr_xlsx_add_number(w, 1), 0); /* XFD1 */
	assert_int_equal(cr_xlsx_add_number(w, 2), CR_ETOOBIG);
	cr_buf_init(&file, FILE_MAX);
	assert_int_equal(cr_xlsx_finish(w, &file, &err), CR_ETOOBIG);
	assert_string_equal(err.msg, "row 1, column XFD: a row has at most 16384 cells");
	cr_xlsx_writer_free(w);
}

/* ---- reading files from elsewhere ---- */

/* A file of tests/unit/lib/data; its length. */
static size_t read_data(const char *name, unsigned char *data, size_t size)
{
	char path[512];
	FILE *f;
	size_t len;

	(void)snprintf(path, sizeof(path), "%s/%s", CREEK_TEST_DATA, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(data, 1, size, f);
	assert_true(len > 0 && len < size);
	fclose(f);
	return len;
}

static void reads_a_file_written_by_openpyxl(void **state)
{
	/* tests/unit/lib/data/openpyxl.xlsx: openpyxl 3.0.9; a hidden first
	 * sheet, then 客户 with dates, a time, a boolean, a formula without a
	 * cached value, a percentage and a custom Chinese date format. */
	unsigned char data[65536];
	size_t len = read_data("openpyxl.xlsx", data, sizeof(data));
	struct cr_buf got;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(read_dump(data, len, 100, 100, &got, &err), 6);
	assert_string_equal(got.data,
			    "0:姓名|年龄|余额|生日|登记时间|会员|备注\n"
			    "1:李雷|30|1234.5|1990-05-17|2024-01-02T03:04:05|TRUE|多行\n文本\n"
			    "2:韩梅梅|||2000-02-29||| lead space\n"
			    "4:||-0.1||08:30:00\n"
			    "5:|x\n"
			    "6:1e+21|123456789012||||0.25|2023-03-15\n");
	cr_buf_close(&got);
}

static void reads_a_file_written_by_libreoffice(void **state)
{
	/* tests/unit/lib/data/libreoffice.xlsx: openpyxl.xlsx opened and saved
	 * again by LibreOffice Calc 7.4: shared strings, formulas with their
	 * cached values (A6 is =1+2), escaped custom formats (yyyy\年m\月d\日),
	 * "1E+021". */
	unsigned char data[65536];
	size_t len = read_data("libreoffice.xlsx", data, sizeof(data));
	struct cr_buf got;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(read_dump(data, len, 100, 100, &got, &err), 6);
	assert_string_equal(got.data,
			    "0:姓名|年龄|余额|生日|登记时间|会员|备注\n"
			    "1:李雷|30|1234.5|1990-05-17|2024-01-02T03:04:05|TRUE|多行\n文本\n"
			    "2:韩梅梅|||2000-02-29||| lead space\n"
			    "4:||-0.1||08:30:00\n"
			    "5:3|x\n"
			    "6:1e+21|123456789012||||0.25|2023-03-15\n");
	cr_buf_close(&got);
}

static void reads_shared_strings_rich_text_and_escapes(void **state)
{
	static const char strings[] =
	    "<sst " NS " count=\"5\" uniqueCount=\"5\">"
	    "<si><t>plain</t></si>"
	    "<si><r><rPr><b/></rPr><t>bo</t></r><r><t xml:space=\"preserve\">ld </t></r></si>"
	    "<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh></si>"
	    "<si><t>a_x000D_b _x005F_x0041_ _xD83D__xDE00_ _x0000_</t></si>"
	    "<si><t/></si></sst>";
	static const char styles[] =
	    "<styleSheet " NS "><numFmts count=\"2\">"
	    "<numFmt numFmtId=\"170\" formatCode=\"[$-409]d/m/yyyy\\ h:mm;@\"/>"
	    "<numFmt numFmtId=\"171\" formatCode=\"&quot;d&quot;0.00;[Red]-0.00\"/></numFmts>"
	    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
	    "<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"170\"/>"
	    "<xf numFmtId=\"171\"/><xf numFmtId=\"46\"/></cellXfs></styleSheet>";
	/* prefixed elements, cells without r, every cell type */
	static const char sheet[] =
	    "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	    "<x:sheetData><x:row r=\"2\">"
	    "<x:c t=\"s\"><x:v>0</x:v></x:c><x:c t=\"s\"><x:v>1</x:v></x:c>"
	    "<x:c t=\"s\"><x:v>2</x:v></x:c><x:c t=\"s\"><x:v>3</x:v></x:c>"
	    "<x:c r=\"F2\" t=\"s\"><x:v>4</x:v></x:c><x:c r=\"H2\" s=\"3\"/></x:row>"
	    "<x:row><x:c t=\"b\"><x:v>0</x:v></x:c><x:c t=\"e\"><x:v>#DIV/0!</x:v></x:c>"
	    "<x:c t=\"str\"><x:f>A1&amp;\"\"</x:f><x:v>formula text</x:v></x:c>"
	    "<x:c><x:v> 1.0E-3 </x:v></x:c><x:c s=\"1\"><x:v>1</x:v></x:c>"
	    "<x:c s=\"2\"><x:v>1.5</x:v></x:c><x:c s=\"3\"><x:v>7</x:v></x:c>"
	    "<x:c s=\"4\"><x:v>1.25</x:v></x:c><x:c s=\"1\"><x:v>-1</x:v></x:c>"
	    "<x:c t=\"d\"><x:v>2024-05-06T07:08:09</x:v></x:c></x:row>"
	    "</x:sheetData></x:worksheet>";
	static const char workbook_1904[] =
	    "<workbook " NS " xmlns:r=\"" NS_R "\"><workbookPr date1904=\"1\"/>"
	    "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
	struct cr_buf file, got;
	struct cr_err err = { 0 };

	(void)state;
	make_book(workbook_1904, sheet, strings, styles, &file);
	assert_int_equal(read_dump(file.data, file.len, 100, 100, &got, &err), 2);
	assert_string_equal(got.data,
			    "1:plain|bold |東京|a\rb _x0041_ \xf0\x9f\x98\x80 \n"
			    "2:FALSE|#DIV/0!|formula text|0.001|1904-01-02|1904-01-02T12:00:00|7|"
			    "1904-01-02T06:00:00|-1|2024-05-06T07:08:09\n");
	cr_buf_close(&got);
	cr_buf_close(&file);
}

static void reads_the_first_visible_worksheet_in_tab_order(void **state)
{
	static const char workbook[] =
	    "<workbook " NS " xmlns:r=\"" NS_R "\"><sheets>"
	    "<sheet name=\"chart\" sheetId=\"1\" r:id=\"rId9\"/>"
	    "<sheet name=\"hidden\" sheetId=\"2\" state=\"hidden\" r:id=\"rId2\"/>"
	    "<sheet name=\"data\" sheetId=\"3\" r:id=\"rId1\"/></sheets></workbook>";
	static const char rels[] =
	    "<Relationships xmlns=\"" NS_PKG "\">"
	    "<Relationship Id=\"rId9\" Type=\"" NS_R "/chartsheet\" Target=\"chartsheets/c.xml\"/>"
	    "<Relationship Id=\"rId2\" Type=\"" NS_R "/worksheet\" Target=\"worksheets/h.xml\"/>"
	    "<Relationship Id=\"rId1\" Type=\"" NS_R "/worksheet\" "
	    "Target=\"./sub/../worksheets/d.xml\"/></Relationships>";
	static const struct part parts[] = {
		{ "_rels/.rels", ROOT_RELS },
		{ "xl/workbook.xml", workbook },
		{ "xl/_rels/workbook.xml.rels", rels },
		{ "xl/worksheets/h.xml",
		  "<worksheet " NS "><sheetData><row><c t=\"inlineStr\">"
		  "<is><t>hidden</t></is></c></row></sheetData></worksheet>" },
		{ "xl/worksheets/d.xml", "<worksheet " NS "><sheetData><row><c t=\"inlineStr\">"
					 "<is><t>data</t></is></c></row></sheetData></worksheet>" },
	};
	struct cr_buf file, got;
	struct cr_err err = { 0 };

	(void)state;
	make_zip(parts, 5, &file);
	assert_int_equal(read_dump(file.data, file.len, 100, 100, &got, &err), 1);
	assert_string_equal(got.data, "0:data\n");
	cr_buf_close(&got);
	cr_buf_close(&file);
}

/* ---- bad files ---- */

static void expect_invalid(const void *data, size_t len, const char *msg_part)
{
	struct cr_buf got;
	struct cr_err err = { 0 };

	assert_int_equal(read_dump(data, len, 100, 100, &got, &err), CR_EINVAL);
	assert_int_equal(err.code, CR_EINVAL);
	if (strstr(err.msg, msg_part) == NULL)
		fail_msg("'%s' does not say '%s'", err.msg, msg_part);
	cr_buf_close(&got);
}

static void rejects_what_is_not_an_xlsx(void **state)
{
	static const unsigned char cfb[] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0 };
	static const struct part docx[] = {
		{ "_rels/.rels", "<Relationships xmlns=\"" NS_PKG "\"><Relationship Id=\"rId1\" "
				 "Type=\"" NS_R "/officeDocument\" Target=\"word/document.xml\"/>"
				 "</Relationships>" },
		{ "word/document.xml", "<document/>" },
	};
	static const struct part text[] = { { "a.txt", "hello" } };
	struct cr_xlsx_writer *w = cr_xlsx_writer_new("S");
	struct cr_buf file, good;

	(void)state;
	expect_invalid("", 0, "it is empty");
	expect_invalid("name,age\n", 9, "not a zip archive");
	expect_invalid(cfb, sizeof(cfb), "old .xls or a password-protected workbook");
	make_zip(text, 1, &file);
	expect_invalid(file.data, file.len, "not an .xlsx file: it has no workbook");
	cr_buf_close(&file);
	make_zip(docx, 2, &file);
	expect_invalid(file.data, file.len, "not an .xlsx file: it has no workbook");
	cr_buf_close(&file);

	(void)cr_xlsx_add_text(w, "some text to make the file longer");
	finish(w, &good);
	expect_invalid(good.data, good.len / 2, "not an .xlsx file"); /* truncated */
	expect_invalid(good.data, good.len - 1, "not an .xlsx file");
	for (size_t at = 30; at < good.len; at += 97) { /* damaged anywhere: an error */
		struct cr_buf got;
		struct cr_err err = { 0 };
		good.data[at] ^= 0x55;
		(void)read_dump(good.data, good.len, 100, 100, &got, &err);
		good.data[at] ^= 0x55;
		cr_buf_close(&got);
	}
	cr_buf_close(&good);
}

static void rejects_broken_parts_with_a_clear_message(void **state)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><worksheet " NS ">"
	    "<sheetData><row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData>"
	    "</worksheet>";
	static const struct {
		const char *sheet, *strings, *msg;
	} cases[] = {
		{ "<worksheet " NS ">\n<sheetData>\n<row><c></row></sheetData></worksheet>", NULL,
		  "'xl/worksheets/sheet1.xml' is not valid XML at line 3: mismatched tag" },
		{ laughs, NULL, "'xl/worksheets/sheet1.xml' has a document type declaration" },
		{ "<worksheet " NS
		  "><sheetData><row r=\"2\"/><row r=\"1\"/></sheetData></worksheet>",
		  NULL, "has row 1 after row 2" },
		{ "<worksheet " NS "><sheetData><row r=\"0\"/></sheetData></worksheet>", NULL,
		  "has a row numbered '0'" },
		{ "<worksheet " NS "><sheetData><row><c r=\"1A\"><v>1</v></c></row></sheetData>"
		  "</worksheet>",
		  NULL, "a cell named '1A', not like A1" },
		{ "<worksheet " NS "><sheetData><row><c r=\"XFE1\"><v>1</v></c></row></sheetData>"
		  "</worksheet>",
		  NULL, "a cell named 'XFE1'" },
		{ "<worksheet " NS "><sheetData><row><c r=\"B3\" t=\"s\"><v>2</v></c></row>"
		  "</sheetData></worksheet>",
		  "<sst " NS "><si><t>a</t></si></sst>",
		  "cell B1 refers to shared string '2' of 1" },
		{ "<worksheet " NS "><sheetData><row><c><v>12abc</v></c></row></sheetData>"
		  "</worksheet>",
		  NULL, "cell A1 holds '12abc', not a number" },
		{ "<worksheet " NS
		  "><sheetData><row><c><v>inf</v></c></row></sheetData></worksheet>",
		  NULL, "not a number" },
		{ "<worksheet " NS "><sheetData><row><c t=\"b\"><v>2</v></c></row></sheetData>"
		  "</worksheet>",
		  NULL, "cell A1 holds '2', not a boolean" },
		{ "<worksheet " NS "><sheetData><row><c t=\"zz\"><v>2</v></c></row></sheetData>"
		  "</worksheet>",
		  NULL, "cell A1 has an unknown type 'zz'" },
		{ "<worksheet " NS "><sheetData><c><v>1</v></c></sheetData></worksheet>", NULL,
		  "a cell outside a row" },
		{ "<worksheet xmlns:x=\"urn:x\"><y:sheetData/></worksheet>", NULL,
		  "unbound prefix" },
		{ "", NULL,
		  "'xl/worksheets/sheet1.xml' is not valid XML at line 1: no element found" },
	};
	struct cr_buf file;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_book(NULL, cases[i].sheet, cases[i].strings, NULL, &file);
		expect_invalid(file.data, file.len, cases[i].msg);
		cr_buf_close(&file);
	}
	make_book("<workbook " NS "><sheets/></workbook>", "<worksheet/>", NULL, NULL, &file);
	expect_invalid(file.data, file.len, "the workbook has no worksheet");
	cr_buf_close(&file);
}

/* ---- limits ---- */

static void refuses_rows_and_columns_past_the_limits(void **state)
{
	struct cr_xlsx_writer *w = cr_xlsx_writer_new("S");
	struct cr_buf file, got;
	struct cr_err err = { 0 };

	(void)state;
	for (int r = 0; r < 3; r++) {
		(void)cr_xlsx_add_number(w, r);
		(void)cr_xlsx_add_empty(w);
		(void)cr_xlsx_add_number(w, r);
		(void)cr_xlsx_end_row(w);
	}
	finish(w, &file);
	assert_int_equal(read_dump(file.data, file.len, 3, 3, &got, &err), 3);
	cr_buf_close(&got);
	assert_int_equal(read_dump(file.data, file.len, 2, 3, &got, &err), CR_ETOOBIG);
	assert_string_equal(err.msg, "the sheet has over 2 rows");
	assert_string_equal(got.data, "0:0||0\n1:1||1\n");
	cr_buf_close(&got);
	assert_int_equal(read_dump(file.data, file.len, 3, 2, &got, &err), CR_ETOOBIG);
	assert_string_equal(err.msg, "cell C1 is past the 2 columns allowed");
	cr_buf_close(&got);
	cr_buf_close(&file);

	/* an empty, styled cell past the limit is no value */
	make_book(NULL,
		  "<worksheet " NS "><sheetData><row><c><v>1</v></c><c r=\"Z1\" s=\"0\"/>"
		  "<c r=\"Y1\"><v></v></c></row><row r=\"900\"><c r=\"Z900\"/></row></sheetData>"
		  "</worksheet>",
		  NULL, NULL, &file);
	assert_int_equal(read_dump(file.data, file.len, 1, 1, &got, &err), 1);
	assert_string_equal(got.data, "0:1\n");
	cr_buf_close(&got);
	cr_buf_close(&file);
}

static void refuses_zip_bombs_and_huge_cells(void **state)
{
	static const char head[] = "<worksheet " NS "><sheetData><row><c t=\"inlineStr\"><is><t>";
	static const char tail[] = "</t></is></c></row></sheetData></worksheet>";
	size_t n = (size_t)4 << 20;
	char *sheet = malloc(sizeof(head) + n + sizeof(tail));
	struct cr_buf file, got;
	struct cr_err err = { 0 };

	(void)state;
	memcpy(sheet, head, sizeof(head) - 1);
	memset(sheet + sizeof(head) - 1, ' ', n);
	memcpy(sheet + sizeof(head) - 1 + n, tail, sizeof(tail));
	make_book(NULL, sheet, NULL, NULL, &file);
	assert_int_equal(read_dump(file.data, file.len, 10, 10, &got, &err), CR_ETOOBIG);
	assert_string_equal(
	    err.msg, "'xl/worksheets/sheet1.xml' unpacks to over 200 times its size (a zip bomb?)");
	cr_buf_close(&got);
	cr_buf_close(&file);

	/* one cell over Excel's 32767 characters */
	n = CR_XLSX_MAX_CELL_CHARS + 1;
	memset(sheet + sizeof(head) - 1, 'a', n);
	memcpy(sheet + sizeof(head) - 1 + n, tail, sizeof(tail));
	make_book(NULL, sheet, NULL, NULL, &file);
	assert_int_equal(read_dump(file.data, file.len, 10, 10, &got, &err), CR_ETOOBIG);
	assert_string_equal(err.msg, "cell A1 holds over 32767 characters, Excel's limit");
	cr_buf_close(&got);
	cr_buf_close(&file);
	free(sheet);
}

static int stop_at_second_row(void *arg, size_t row_index, const char *const *cells, size_t n_cells,
			      struct cr_err *err)
{
	(void)cells, (void)n_cells;
	*(size_t *)arg += 1;
	if (row_index == 1)
		return cr_err_set(err, CR_EUNPROCESSABLE, "stop here");
	return 0;
}

static void stops_when_the_callback_fails(void **state)
{
	struct cr_xlsx_writer *w = cr_xlsx_writer_new("S");
	struct cr_buf file;
	struct cr_err err = { 0 };
	size_t calls = 0;

	(void)state;
	for (int r = 0; r < 5; r++) {
		(void)cr_xlsx_add_number(w, r);
		(void)cr_xlsx_end_row(w);
	}
	finish(w, &file);
	assert_int_equal(
	    cr_xlsx_read(file.data, file.len, 10, 10, stop_at_second_row, &calls, &err),
	    CR_EUNPROCESSABLE);
	assert_int_equal(calls, 2);
	assert_string_equal(err.msg, "stop here");
	cr_buf_close(&file);
}

/* ---- numbers, dates and formats ---- */

static void numbers_print_short_and_exact(void **state)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{ 12, "12" },
		{ 3.5, "3.5" },
		{ -0.1, "-0.1" },
		{ 0.1 + 0.2, "0.30000000000000004" },
		{ -0.0, "0" },
		{ 1e21, "1e+21" },
		{ 1e20, "100000000000000000000" },
		{ 1e-7, "1e-7" },
		{ 1.5e-7, "1.5e-7" },
		{ 0.000001, "0.000001" },
		{ 45293.12783564815, "45293.12783564815" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" },
		{ 5e-324, "5e-324" },
	};
	char out[XLSX_NUMBER_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xlsx_number_text(cases[i].v, out);
		assert_string_equal(out, cases[i].text);
	}
}

static void serial_dates_follow_excel(void **state)
{
	char out[XLSX_NUMBER_LEN];
	double serial;
	bool has_time;

	(void)state;
	assert_true(xlsx_serial_text(1, false, XLSX_DATE, out));
	assert_string_equal(out, "1900-01-01");
	assert_true(xlsx_serial_text(59, false, XLSX_DATE, out));
	assert_string_equal(out, "1900-02-28");
	assert_true(xlsx_serial_text(60, false, XLSX_DATE, out)); /* Excel's phantom day */
	assert_string_equal(out, "1900-02-29");
	assert_true(xlsx_serial_text(61, false, XLSX_DATE, out));
	assert_string_equal(out, "1900-03-01");
	assert_true(xlsx_serial_text(45000.99999999, false, XLSX_DATETIME, out)); /* rounds up */
	assert_string_equal(out, "2023-03-16T00:00:00");
	assert_true(xlsx_serial_text(2958465.5, false, XLSX_DATETIME, out));
	assert_string_equal(out, "9999-12-31T12:00:00");
	assert_false(xlsx_serial_text(2958466, false, XLSX_DATE, out));
	assert_false(xlsx_serial_text(-1, false, XLSX_DATE, out));
	assert_true(xlsx_serial_text(0, true, XLSX_DATE, out));
	assert_string_equal(out, "1904-01-01");
	assert_true(xlsx_serial_text(0.75, false, XLSX_TIME, out));
	assert_string_equal(out, "18:00:00");
	assert_true(xlsx_serial_text(1.75, false, XLSX_TIME, out)); /* [h]:mm past a day */
	assert_string_equal(out, "1900-01-01T18:00:00");

	assert_int_equal(xlsx_iso_serial("2023-03-15", &serial, &has_time), 0);
	assert_true(serial == 45000 && !has_time);
	assert_int_equal(xlsx_iso_serial("2023-03-15 12:00", &serial, &has_time), 0);
	assert_true(serial == 45000.5 && has_time);
	assert_int_equal(xlsx_iso_serial("1900-03-01", &serial, &has_time), 0);
	assert_true(serial == 61);
	assert_int_equal(xlsx_iso_serial("1900-02-28", &serial, &has_time), 1);
	assert_int_equal(xlsx_iso_serial("2024-13-01", &serial, &has_time), CR_EINVAL);
	assert_int_equal(xlsx_iso_serial("2100-02-29", &serial, &has_time), CR_EINVAL);
	assert_int_equal(xlsx_iso_serial("2024-01-01T24:00", &serial, &has_time), CR_EINVAL);
	assert_int_equal(xlsx_iso_serial("2024-01-01Z", &serial, &has_time), CR_EINVAL);
	assert_int_equal(xlsx_iso_serial("2024-1-1", &serial, &has_time), CR_EINVAL);
}

static void number_formats_are_told_apart(void **state)
{
	(void)state;
	assert_int_equal(xlsx_format_kind("yyyy-mm-dd"), XLSX_DATE);
	assert_int_equal(xlsx_format_kind("yyyy\"年\"m\"月\"d\"日\""), XLSX_DATE);
	assert_int_equal(xlsx_format_kind("mmm"), XLSX_DATE);
	assert_int_equal(xlsx_format_kind("[$-F800]dddd, mmmm dd, yyyy"), XLSX_DATE);
	assert_int_equal(xlsx_format_kind("yyyy-mm-dd h:mm:ss"), XLSX_DATETIME);
	assert_int_equal(xlsx_format_kind("h:mm AM/PM"), XLSX_TIME);
	assert_int_equal(xlsx_format_kind("[h]:mm:ss"), XLSX_TIME);
	assert_int_equal(xlsx_format_kind("mm:ss.0"), XLSX_TIME);
	assert_int_equal(xlsx_format_kind("General"), XLSX_NOT_DATE);
	assert_int_equal(xlsx_format_kind("0.00%"), XLSX_NOT_DATE);
	assert_int_equal(xlsx_format_kind("0.00E+00"), XLSX_NOT_DATE);
	assert_int_equal(xlsx_format_kind("#,##0.00_);[Red](#,##0.00)"), XLSX_NOT_DATE);
	assert_int_equal(xlsx_format_kind("\"days\" 0"), XLSX_NOT_DATE);
	assert_int_equal(xlsx_format_kind("\\d0"), XLSX_NOT_DATE);
	assert_int_equal(xlsx_format_kind("0;\"yes\";\"d\""), XLSX_NOT_DATE);
	assert_int_equal(xlsx_format_kind("\"unclosed"), XLSX_NOT_DATE);
	assert_int_equal(xlsx_format_kind("[Red"), XLSX_NOT_DATE);
	assert_int_equal(xlsx_format_kind("0\\"), XLSX_NOT_DATE);
	assert_int_equal(xlsx_builtin_kind(14), XLSX_DATE);
	assert_int_equal(xlsx_builtin_kind(22), XLSX_DATETIME);
	assert_int_equal(xlsx_builtin_kind(21), XLSX_TIME);
	assert_int_equal(xlsx_builtin_kind(31), XLSX_DATE);
	assert_int_equal(xlsx_builtin_kind(10), XLSX_NOT_DATE);
	assert_int_equal(xlsx_builtin_kind(49), XLSX_NOT_DATE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_keeps_text_numbers_dates_and_gaps),
		cmocka_unit_test(writer_output_is_the_same_for_the_same_cells),
		cmocka_unit_test(writer_makes_sheet_names_excel_accepts),
		cmocka_unit_test(writer_failure_keeps_columns_and_surfaces_at_finish),
		cmocka_unit_test(writer_refuses_a_row_past_excel_columns),
		cmocka_unit_test(reads_a_file_written_by_openpyxl),
		cmocka_unit_test(reads_a_file_written_by_libreoffice),
		cmocka_unit_test(reads_shared_strings_rich_text_and_escapes),
		cmocka_unit_test(reads_the_first_visible_worksheet_in_tab_order),
		cmocka_unit_test(rejects_what_is_not_an_xlsx),
		cmocka_unit_test(rejects_broken_parts_with_a_clear_message),
		cmocka_unit_test(refuses_rows_and_columns_past_the_limits),
		cmocka_unit_test(refuses_zip_bombs_and_huge_cells),
		cmocka_unit_test(stops_when_the_callback_fails),
		cmocka_unit_test(numbers_print_short_and_exact),
		cmocka_unit_test(serial_dates_follow_excel),
		cmocka_unit_test(number_formats_are_told_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
