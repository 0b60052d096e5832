/* lib/xlsx.h: .xlsx spreadsheets (Office Open XML, ECMA-376 / ISO 29500)
 * for record export and import.
 *
 * Writing builds a workbook of one worksheet from rows of cells, in memory:
 * text as inline strings, numbers as numbers, dates as date-formatted
 * serial numbers; the first row is the header (bold, frozen when scrolling)
 * and each column is as wide as its longest text. Reading hands each row of
 * a workbook's first worksheet to a callback as UTF-8 text.
 *
 * Pure: no files, clocks or threads; libzip unpacks and packs, expat parses.
 * Any thread may call; a writer is used by one thread at a time. */
#ifndef CREEK_LIB_XLSX_H
#define CREEK_LIB_XLSX_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Excel's own limits, refused past them by both directions. */
#define CR_XLSX_MAX_ROWS       1048576 /* rows per sheet */
#define CR_XLSX_MAX_COLS       16384   /* columns per sheet, A to XFD */
#define CR_XLSX_MAX_CELL_CHARS 32767   /* characters (UTF-16 units) per cell */
/* Zip bombs: the XML unpacked while reading one file (all parts together),
 * and the sheet XML a writer holds, stay under CR_XLSX_MAX_UNZIPPED; a part
 * above CR_XLSX_RATIO_FROM bytes unpacked may be at most CR_XLSX_MAX_RATIO
 * times its packed size (real sheets pack 5 to 50 times). */
#define CR_XLSX_MAX_UNZIPPED ((size_t)256 << 20)
#define CR_XLSX_RATIO_FROM   ((size_t)1 << 20)
#define CR_XLSX_MAX_RATIO    200
/* The shared-string table and the cell formats a reader keeps. */
#define CR_XLSX_MAX_STRINGS 4194304
#define CR_XLSX_MAX_STYLES  65536

/* ---- writing ---- */

struct cr_xlsx_writer;

/* A new, empty workbook whose one worksheet is named sheet_name (borrowed;
 * NULL or "" gives "Sheet1"). Names Excel refuses are made acceptable:
 * : \ / ? * [ ] become '_', the name is cut to 31 characters, apostrophes
 * at either end are dropped, "History" gets a '_'. Never NULL (memory
 * exhaustion aborts, lib/mem.h). Free with cr_xlsx_writer_free(). */
struct cr_xlsx_writer *cr_xlsx_writer_new(const char *sheet_name);
void cr_xlsx_writer_free(struct cr_xlsx_writer *w); /* NULL is a no-op */

/* Add one cell at the end of the current row. Text is UTF-8 (borrowed):
 * invalid bytes become U+FFFD and characters XML 1.0 forbids (controls
 * other than tab, LF and CR; U+FFFE, U+FFFF) are dropped. A number must be
 * finite. A date is "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]" (a space for
 * the T is fine), wall-clock time with no zone, shown as yyyy-mm-dd
 * [hh:mm:ss]; dates before 1900-03-01, which Excel cannot show, are written
 * as text. An empty cell leaves its column blank, and so do NULL or ""
 * for text or a date.
 *
 * Errors: CR_EINVAL (a number that is not finite, a date that is not one),
 * CR_ETOOBIG (text over CR_XLSX_MAX_CELL_CHARS, a row past CR_XLSX_MAX_COLS
 * cells or CR_XLSX_MAX_ROWS rows, the sheet past CR_XLSX_MAX_UNZIPPED).
 * A failed call still takes its column (so later cells stay in place) and
 * puts the writer in a failed state: cr_xlsx_finish() then returns the
 * first error, with a message naming the cell. */
int cr_xlsx_add_text(struct cr_xlsx_writer *w, const char *utf8);
int cr_xlsx_add_number(struct cr_xlsx_writer *w, double v);
int cr_xlsx_add_date(struct cr_xlsx_writer *w, const char *iso);
int cr_xlsx_add_empty(struct cr_xlsx_writer *w);
/* Close the current row and start the next. A row without cells is kept
 * as a blank row. Errors as above. */
int cr_xlsx_end_row(struct cr_xlsx_writer *w);

/* Append the .xlsx file to out (its ceiling applies: CR_ETOOBIG past it,
 * out unchanged). An unclosed last row is closed first. Call once; the
 * writer takes no cells after it. Errors: a failed state's first error,
 * CR_ETOOBIG, CR_EINTERNAL (libzip failed). */
int cr_xlsx_finish(struct cr_xlsx_writer *w, struct cr_buf *out, struct cr_err *err);

/* ---- reading ---- */

/* Called once per row that holds at least one value, in order. row_index
 * counts from 0 for the sheet's row 1, so blank rows show as gaps. cells
 * (borrowed, valid during the call) has n_cells >= 1 entries up to the
 * row's last value; a missing cell is "". Return 0 to go on, or a negative
 * CR_E* code (err filled) to stop: cr_xlsx_read() returns that code. */
typedef int (*cr_xlsx_row_fn)(void *arg, size_t row_index, const char *const *cells, size_t n_cells,
			      struct cr_err *err);

/* Read the first worksheet of the .xlsx in data (borrowed), in the order of
 * the workbook's sheet list (the first visible one; hidden sheets only if
 * all are), passing each row to row_fn. Cells are UTF-8 text:
 *   shared and inline strings as they are (_xHHHH_ escapes decoded);
 *   numbers as the shortest text that reads back exactly ("12", "3.5",
 *   "-0.1", "1e+21"); booleans "TRUE"/"FALSE"; errors as shown ("#N/A");
 *   ISO 8601 date cells (t="d") as written; formulas as their cached value
 *   (none: no value);
 *   numbers in a date format (built-in ids 14-22, 27-36, 45-47, 50-58, or
 *   a custom format with y, m, d, h or s outside quotes and brackets) as
 *   "YYYY-MM-DD" for a date-only format, "HH:MM:SS" for a time-only format
 *   of a value in [0, 1), "YYYY-MM-DDTHH:MM:SS" otherwise (to the nearest
 *   second; the 1900 and 1904 date systems both). A number outside Excel's
 *   date range (0 to 9999-12-31) stays a number.
 * Returns the number of rows passed to row_fn. Errors:
 *   CR_EINVAL: not an .xlsx file, a damaged zip, a part that is not valid
 *     XML ("... at line N"), a cell that breaks the format; the message
 *     says which;
 *   CR_ETOOBIG: more than max_rows rows with values, a value in a column
 *     past max_cols, a cell over CR_XLSX_MAX_CELL_CHARS, or a zip bomb (see
 *     CR_XLSX_MAX_UNZIPPED), too many shared strings or styles;
 *   whatever row_fn returned. */
int cr_xlsx_read(const void *data, size_t len, size_t max_rows, size_t max_cols,
		 cr_xlsx_row_fn row_fn, void *arg, struct cr_err *err);

#endif
