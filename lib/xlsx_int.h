/* lib/xlsx_int.h: what the .xlsx writer (xlsx_write.c) and reader
 * (xlsx_read.c: the package; xlsx_sheet.c: the worksheet) share: numbers,
 * dates, UTF-8, number formats and cell names (pure, in xlsx.c), and the
 * reader's state. */
#ifndef CREEK_LIB_XLSX_INT_H
#define CREEK_LIB_XLSX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <expat.h>
#include <zip.h>

#include "buf.h"
#include "xlsx.h"

/* Room for any text below: "-1.2345678901234567e-308", "9999-12-31T23:59:59". */
#define XLSX_NUMBER_LEN 32

/* How a number format shows a serial number. */
enum xlsx_date_kind {
	XLSX_NOT_DATE = 0,
	XLSX_DATE,     /* a day: y, m, d and no time */
	XLSX_TIME,     /* a time of day: h, m, s and no date */
	XLSX_DATETIME, /* both */
};

/* The shortest text that strtod() reads back as v (finite): plain digits
 * for exponents -6 to 20 ("120", "0.000001"), else "1.5e+21", "1e-7". */
void xlsx_number_text(double v, char out[XLSX_NUMBER_LEN]);

/* An Excel serial date (days since 1899-12-30, Excel's phantom 1900-02-29
 * included; since 1904-01-01 with is_1904) as text for kind (see
 * cr_xlsx_read()). false if v is outside 0 to 9999-12-31. */
bool xlsx_serial_text(double v, bool is_1904, enum xlsx_date_kind kind, char out[XLSX_NUMBER_LEN]);
/* "YYYY-MM-DD" or "YYYY-MM-DD[T ]HH:MM[:SS]" as a serial of the 1900
 * system: 0 with *serial and *has_time set; 1 for a real date before
 * 1900-03-01 (Excel shows none of them); CR_EINVAL for anything else. */
int xlsx_iso_serial(const char *s, double *serial, bool *has_time);

/* The kind of a built-in number format (ECMA-376 Part 1, 18.8.30; the
 * East Asian ids 27-36 and 50-58 as zh-CN defines them). */
enum xlsx_date_kind xlsx_builtin_kind(uint32_t num_fmt_id);
/* The kind of a custom format code ("yyyy-mm-dd;@", "0.00%"): its first
 * section with quoted text, escapes, fills and [colour] brackets left out. */
enum xlsx_date_kind xlsx_format_kind(const char *code);

/* The code point at p (NUL-terminated) and its length: an invalid or
 * overlong sequence, a surrogate or a value past U+10FFFF gives U+FFFD
 * and length 1. p must not point at the terminator. */
size_t xlsx_utf8_next(const char *p, uint32_t *cp);
/* cp (<= U+10FFFF) as UTF-8 into out; its length, 1 to 4. */
size_t xlsx_utf8_put(uint32_t cp, char out[4]);
/* XML 1.0 allows cp in a document (section 2.2, Char). */
bool xlsx_xml_char(uint32_t cp);
/* "A", "Z", "AA", ... "XFD" for column col (from 0, below CR_XLSX_MAX_COLS). */
void xlsx_col_name(size_t col, char out[4]);

/* ---- reading ---- */

#define XLSX_PART_MAX 256 /* bytes of a part name */
#define XLSX_RID_MAX  64  /* bytes of a relationship id */

struct xlsx_sheet_ref {
	char rid[XLSX_RID_MAX];
	char part[XLSX_PART_MAX]; /* from the workbook's relationships */
	bool is_hidden;
	bool is_worksheet; /* not a chart sheet or dialog sheet */
};

/* One cr_xlsx_read() call. Handlers do nothing once rc is set. */
struct xlsx_reader {
	zip_t *za;
	struct cr_err *err;
	int rc;           /* the first failure: every parse stops on it */
	XML_Parser xp;    /* the parser running, or NULL */
	const char *part; /* the part it parses */
	size_t unzipped;  /* bytes unpacked so far, all parts */
	size_t n_elements;

	/* the package (xlsx_read.c) */
	char workbook[XLSX_PART_MAX];
	char strings_part[XLSX_PART_MAX];
	char styles_part[XLSX_PART_MAX];
	struct xlsx_sheet_ref *sheets;
	size_t n_sheets;
	bool is_workbook; /* the workbook part's root is <workbook> */
	bool is_1904;     /* dates count from 1904-01-01 */

	struct cr_buf strings; /* the shared strings, each NUL-terminated */
	uint32_t *string_at;   /* where each starts in strings */
	size_t n_strings, cap_strings;

	bool in_xfs;      /* inside <cellXfs> */
	uint32_t *xf_fmt; /* numFmtId of each cell format */
	size_t n_xf, cap_xf;
	uint64_t *fmts; /* custom numFmt: id << 8 | kind, sorted after parsing */
	size_t n_fmts, cap_fmts;
	uint8_t *xf_kind; /* enum xlsx_date_kind of each cell format */

	struct cr_buf text; /* the <v>, <t> or <si> text being collected */
	bool is_capturing;
	size_t rph_depth; /* inside <rPh> (a phonetic guide, not the text) */
	char where[48];   /* "cell C5", "shared string 7": for messages */

	/* the worksheet (xlsx_sheet.c) */
	size_t max_rows, max_cols;
	cr_xlsx_row_fn row_fn;
	void *arg;
	bool in_data, in_row, in_cell, in_is, has_value, has_row;
	size_t row, prev_row, col, next_col;
	char type[12]; /* the cell's t="..." */
	uint32_t style;
	struct cr_buf row_text; /* the row's values, each NUL-terminated */
	size_t *slot;           /* per column: 1 + offset in row_text, 0 if none */
	size_t n_slots, cap_slots;
	const char **cells;
	size_t cap_cells;
	size_t n_rows; /* rows handed to row_fn */
};

/* Fill rd->err and rd->rc, unless a failure came first, stop the parser;
 * returns rd->rc. */
int xlsx_fail(struct xlsx_reader *rd, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An element's or attribute's name without its namespace. */
const char *xlsx_local(const XML_Char *name);
/* The value of the attribute with that local name, or NULL. */
const char *xlsx_attr(const XML_Char **atts, const char *name);
/* Empty rd->text (its data is never NULL). */
void xlsx_text_reset(struct xlsx_reader *rd);
/* Decode rd->text's _xHHHH_ escapes and check its length; CR_ETOOBIG. */
int xlsx_text_finish(struct xlsx_reader *rd);
/* expat handlers of a worksheet part. */
void xlsx_sheet_start(void *ud, const XML_Char *name, const XML_Char **atts);
void xlsx_sheet_end(void *ud, const XML_Char *name);

#endif
