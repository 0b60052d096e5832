/* lib/xlsx_read.c: the .xlsx reader (see xlsx.h).
 *
 * The way through a package (ECMA-376 Part 2, Open Packaging Conventions;
 * Part 1, 12.3 for SpreadsheetML's parts), each step a relationship:
 *   _rels/.rels                  the officeDocument part (xl/workbook.xml)
 *   xl/workbook.xml              the sheets in tab order, by relationship id
 *   xl/_rels/workbook.xml.rels   each id's part; sharedStrings and styles
 *   xl/styles.xml                which cell formats (s="N") show dates
 *   xl/sharedStrings.xml         the strings that t="s" cells refer to
 *   xl/worksheets/sheetN.xml     the rows, handed to the callback one by one
 *                                (xlsx_sheet.c)
 * Each part streams from libzip through expat in CHUNK-sized pieces:
 * nothing but the shared strings, the styles and one row stays in memory.
 * Bytes unpacked are counted as they come, whatever the zip headers claim.
 * Element names are compared without their namespace, so both transitional
 * and strict (ISO 29500) files read, prefixed or not. */
#include "xlsx.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <zip.h>

#include "mem.h"
#include "parse.h"
#include "text.h"
#include "xlsx_int.h"

#define CHUNK       65536
#define SHEETS_SEEN 64  /* sheets of the workbook considered, in order */
#define NS_SEP      ' ' /* expat's namespace separator: never in a URI */
/* A cell's text as it arrives, before _xHHHH_ escapes are decoded. */
#define TEXT_MAX ((size_t)CR_XLSX_MAX_CELL_CHARS * 7 + 64)

/* ---- failures and helpers ---- */

int xlsx_fail(struct xlsx_reader *rd, int code, const char *fmt, ...)
{
	va_list ap;

	if (rd->rc < 0)
		return rd->rc;
	rd->rc = code;
	if (rd->err != NULL) {
		rd->err->code = code;
		va_start(ap, fmt);
		(void)vsnprintf(rd->err->msg, sizeof(rd->err->msg), fmt, ap);
		va_end(ap);
	}
	if (rd->xp != NULL)
		(void)XML_StopParser(rd->xp, XML_FALSE);
	return code;
}

const char *xlsx_local(const XML_Char *name)
{
	const char *sep = strrchr(name, NS_SEP);

	return sep != NULL ? sep + 1 : name;
}

const char *xlsx_attr(const XML_Char **atts, const char *name)
{
	for (size_t i = 0; atts[i] != NULL; i += 2)
		if (strcmp(xlsx_local(atts[i]), name) == 0)
			return atts[i + 1];
	return NULL;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* A relationship's target, relative to the folder of the part `from` (or
 * from the root when it starts with '/'), as a zip entry name in out;
 * false if it leaves the package or is too long. */
static bool resolve(const char *from, const char *target, char out[XLSX_PART_MAX])
{
	char path[2 * XLSX_PART_MAX];
	size_t starts[XLSX_PART_MAX / 2], n_segs = 0, len = 0;
	const char *slash = strrchr(from, '/');
	int dir = slash != NULL && target[0] != '/' ? (int)(slash - from + 1) : 0;

	if (strlen(target) >= XLSX_PART_MAX)
		return false;
	(void)snprintf(path, sizeof(path), "%.*s%s", dir, from, target + (target[0] == '/'));
	for (char *seg = path, *next; seg != NULL; seg = next) {
		next = strchr(seg, '/');
		if (next != NULL)
			*next++ = '\0';
		if (strcmp(seg, "..") == 0) {
			if (n_segs == 0)
				return false;
			len = starts[--n_segs];
		} else if (seg[0] != '\0' && strcmp(seg, ".") != 0) {
			size_t n = strlen(seg);
			if (n_segs == XLSX_PART_MAX / 2 || len + n + 1 >= XLSX_PART_MAX)
				return false;
			starts[n_segs++] = len;
			if (len > 0)
				out[len++] = '/';
			memcpy(out + len, seg, n);
			len += n;
		}
	}
	out[len] = '\0';
	return len > 0;
}

/* ---- streaming a part through expat ---- */

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
		       int has_internal_subset)
{
	struct xlsx_reader *rd = ud;

	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	/* No part of a package has one (Part 2, 8.1.4): refusing it leaves no
	 * entities to expand (no "billion laughs") and nothing external. */
	(void)xlsx_fail(rd, CR_EINVAL, "'%s' has a document type declaration", rd->part);
}

static void on_text(void *ud, const XML_Char *s, int len)
{
	struct xlsx_reader *rd = ud;

	if (rd->rc != 0 || !rd->is_capturing)
		return;
	if (cr_buf_append(&rd->text, s, (size_t)len) < 0)
		(void)xlsx_fail(rd, CR_ETOOBIG, "%s holds over %d characters, Excel's limit",
				rd->where, CR_XLSX_MAX_CELL_CHARS);
}

static int check_entry(struct xlsx_reader *rd, const char *name, zip_int64_t idx)
{
	zip_stat_t st;

	if (zip_stat_index(rd->za, (zip_uint64_t)idx, 0, &st) < 0)
		return xlsx_fail(rd, CR_EINVAL, "'%s' is damaged in the zip archive", name);
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return xlsx_fail(rd, CR_EINVAL,
				 "'%s' is encrypted: save the workbook without a password", name);
	if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
		return 0; /* counted while unpacking all the same */
	if (st.size > CR_XLSX_MAX_UNZIPPED - rd->unzipped)
		return xlsx_fail(rd, CR_ETOOBIG, "the spreadsheet unpacks to over %zu MiB",
				 CR_XLSX_MAX_UNZIPPED >> 20);
	if (st.size > CR_XLSX_RATIO_FROM && st.size / CR_XLSX_MAX_RATIO > st.comp_size)
		return xlsx_fail(rd, CR_ETOOBIG,
				 "'%s' unpacks to over %d times its size (a zip bomb?)", name,
				 CR_XLSX_MAX_RATIO);
	return 0;
}

/* Parse the part name with the handlers; 1 if there is no such part. */
static int parse_part(struct xlsx_reader *rd, const char *name, XML_StartElementHandler start,
		      XML_EndElementHandler end)
{
	zip_int64_t idx = zip_name_locate(rd->za, name, ZIP_FL_NOCASE);
	zip_file_t *zf;
	XML_Parser xp;

	if (idx < 0)
		return 1;
	rd->part = name;
	rd->n_elements = 0;
	if (check_entry(rd, name, idx) < 0)
		return rd->rc;
	zf = zip_fopen_index(rd->za, (zip_uint64_t)idx, 0);
	if (zf == NULL)
		return xlsx_fail(rd, CR_EINVAL, "'%s' cannot be unpacked: %s", name,
				 zip_error_strerror(zip_get_error(rd->za)));
	xp = XML_ParserCreateNS(NULL, NS_SEP);
	if (xp == NULL) {
		(void)zip_fclose(zf);
		return xlsx_fail(rd, CR_EINTERNAL, "out of memory");
	}
	XML_SetUserData(xp, rd);
	XML_SetElementHandler(xp, start, end);
	XML_SetCharacterDataHandler(xp, on_text);
	XML_SetStartDoctypeDeclHandler(xp, on_doctype);
	rd->xp = xp;
	while (rd->rc == 0) {
		void *buf = XML_GetBuffer(xp, CHUNK);
		zip_int64_t n = buf != NULL ? zip_fread(zf, buf, CHUNK) : 0;
		if (buf == NULL) {
			(void)xlsx_fail(rd, CR_EINTERNAL, "out of memory");
			break;
		}
		if (n < 0) {
			(void)xlsx_fail(rd, CR_EINVAL, "'%s' is damaged: %s", name,
					zip_error_strerror(zip_file_get_error(zf)));
			break;
		}
		rd->unzipped += (size_t)n;
		if (rd->unzipped > CR_XLSX_MAX_UNZIPPED) {
			(void)xlsx_fail(rd, CR_ETOOBIG, "the spreadsheet unpacks to over %zu MiB",
					CR_XLSX_MAX_UNZIPPED >> 20);
			break;
		}
		if (XML_ParseBuffer(xp, (int)n, n == 0) != XML_STATUS_OK) {
			unsigned long line = (unsigned long)XML_GetCurrentLineNumber(xp);
			const char *why = XML_ErrorString(XML_GetErrorCode(xp));
			rd->xp = NULL;
			(void)xlsx_fail(rd, CR_EINVAL, "'%s' is not valid XML at line %lu: %s",
					name, line, why != NULL ? why : "?");
			break;
		}
		if (n == 0)
			break;
	}
	rd->xp = NULL;
	XML_ParserFree(xp);
	(void)zip_fclose(zf);
	return rd->rc;
}

/* ---- relationships, workbook, styles, shared strings ---- */

/* Id, Type and Target of an internal relationship, or false. */
static bool relationship(const XML_Char *name, const XML_Char **atts, const char **id,
			 const char **type, const char **target)
{
	const char *mode = xlsx_attr(atts, "TargetMode");

	*id = xlsx_attr(atts, "Id");
	*type = xlsx_attr(atts, "Type");
	*target = xlsx_attr(atts, "Target");
	return strcmp(xlsx_local(name), "Relationship") == 0 && *id != NULL && *type != NULL &&
	       *target != NULL && (mode == NULL || strcmp(mode, "Internal") == 0);
}

static void root_rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_reader *rd = ud;
	const char *id, *type, *target;

	if (rd->rc == 0 && relationship(name, atts, &id, &type, &target) &&
	    ends_with(type, "/officeDocument") && rd->workbook[0] == '\0')
		(void)resolve("", target, rd->workbook);
}

static void book_rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_reader *rd = ud;
	const char *id, *type, *target;

	if (rd->rc != 0 || !relationship(name, atts, &id, &type, &target))
		return;
	if (ends_with(type, "/sharedStrings"))
		(void)resolve(rd->workbook, target, rd->strings_part);
	else if (ends_with(type, "/styles"))
		(void)resolve(rd->workbook, target, rd->styles_part);
	else if (ends_with(type, "/worksheet"))
		for (size_t i = 0; i < rd->n_sheets; i++)
			if (strcmp(rd->sheets[i].rid, id) == 0)
				rd->sheets[i].is_worksheet =
				    resolve(rd->workbook, target, rd->sheets[i].part);
}

static void workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_reader *rd = ud;
	const char *n = xlsx_local(name), *v;
	struct xlsx_sheet_ref *s;

	if (rd->rc != 0)
		return;
	if (rd->n_elements++ == 0)
		rd->is_workbook = strcmp(n, "workbook") == 0;
	if (strcmp(n, "workbookPr") == 0) {
		v = xlsx_attr(atts, "date1904");
		rd->is_1904 = v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
	} else if (strcmp(n, "sheet") == 0 && rd->n_sheets < SHEETS_SEEN) {
		v = xlsx_attr(atts, "id"); /* r:id */
		if (v == NULL || strlen(v) >= XLSX_RID_MAX)
			return;
		s = &rd->sheets[rd->n_sheets++];
		memcpy(s->rid, v, strlen(v) + 1);
		v = xlsx_attr(atts, "state");
		s->is_hidden = v != NULL && strcmp(v, "visible") != 0;
	}
}

static void styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_reader *rd = ud;
	const char *n = xlsx_local(name), *id = xlsx_attr(atts, "numFmtId"), *code;
	uint32_t fmt = 0;

	if (rd->rc != 0)
		return;
	if (strcmp(n, "cellXfs") == 0) {
		rd->in_xfs = true;
	} else if (strcmp(n, "xf") == 0 && rd->in_xfs) {
		if (rd->n_xf == CR_XLSX_MAX_STYLES) {
			(void)xlsx_fail(rd, CR_ETOOBIG, "'%s' has over %d cell formats", rd->part,
					CR_XLSX_MAX_STYLES);
			return;
		}
		if (id != NULL && cr_parse_u32(id, UINT32_MAX, &fmt, NULL) < 0)
			fmt = 0;
		if (rd->n_xf == rd->cap_xf) {
			rd->cap_xf = rd->cap_xf > 0 ? rd->cap_xf * 2 : 64;
			rd->xf_fmt = cr_realloc(rd->xf_fmt, rd->cap_xf * sizeof(*rd->xf_fmt));
		}
		rd->xf_fmt[rd->n_xf++] = fmt;
	} else if (strcmp(n, "numFmt") == 0) {
		code = xlsx_attr(atts, "formatCode");
		if (id == NULL || code == NULL || cr_parse_u32(id, UINT32_MAX, &fmt, NULL) < 0)
			return;
		if (rd->n_fmts == CR_XLSX_MAX_STYLES) {
			(void)xlsx_fail(rd, CR_ETOOBIG, "'%s' has over %d number formats", rd->part,
					CR_XLSX_MAX_STYLES);
			return;
		}
		if (rd->n_fmts == rd->cap_fmts) {
			rd->cap_fmts = rd->cap_fmts > 0 ? rd->cap_fmts * 2 : 16;
			rd->fmts = cr_realloc(rd->fmts, rd->cap_fmts * sizeof(*rd->fmts));
		}
		rd->fmts[rd->n_fmts++] = (uint64_t)fmt << 8 | xlsx_format_kind(code);
	}
}

static void styles_end(void *ud, const XML_Char *name)
{
	struct xlsx_reader *rd = ud;

	if (strcmp(xlsx_local(name), "cellXfs") == 0)
		rd->in_xfs = false;
}

static int fmt_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a >> 8, y = *(const uint64_t *)b >> 8;

	return x < y ? -1 : x > y;
}

/* The date kind of each cell format: a custom numFmt with its id wins
 * over the built-in one. */
static void styles_kinds(struct xlsx_reader *rd)
{
	rd->xf_kind = cr_calloc(rd->n_xf + 1, 1);
	if (rd->n_fmts > 0)
		qsort(rd->fmts, rd->n_fmts, sizeof(*rd->fmts), fmt_cmp);
	for (size_t i = 0; i < rd->n_xf; i++) {
		uint64_t key = (uint64_t)rd->xf_fmt[i] << 8;
		const uint64_t *f =
		    rd->n_fmts > 0 ? bsearch(&key, rd->fmts, rd->n_fmts, sizeof(*rd->fmts), fmt_cmp)
				   : NULL;
		rd->xf_kind[i] =
		    (uint8_t)(f != NULL ? *f & 0xff : xlsx_builtin_kind(rd->xf_fmt[i]));
	}
}

void xlsx_text_reset(struct xlsx_reader *rd)
{
	cr_buf_reset(&rd->text);
	(void)cr_buf_append(&rd->text, "", 0); /* data is never NULL */
}

static bool hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		int d = cr_hex_digit(s[i]);
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

/* An _xHHHH_ escape at s (ECMA-376 Part 1, 22.9.2.19), or false. */
static bool escape_at(const char *s, uint32_t *cp)
{
	return s[0] == '_' && s[1] == 'x' && hex4(s + 2, cp) && s[6] == '_';
}

/* Decode rd->text's _xHHHH_ escapes in place (a pair of surrogates makes
 * one character; NUL and lone surrogates are dropped) and check its length
 * in UTF-16 units against Excel's. */
int xlsx_text_finish(struct xlsx_reader *rd)
{
	char *s = rd->text.data;
	size_t i = 0, o = 0, units = 0;
	uint32_t cp, lo;

	while (s[i] != '\0') {
		if (!escape_at(s + i, &cp)) {
			s[o++] = s[i++];
			continue;
		}
		i += 7;
		if (cp >= 0xd800 && cp <= 0xdbff && escape_at(s + i, &lo) && lo >= 0xdc00 &&
		    lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i += 7;
		}
		if (cp != 0 && (cp < 0xd800 || cp > 0xdfff))
			o += xlsx_utf8_put(cp, s + o); /* 4 bytes at most for 7 read */
	}
	s[o] = '\0';
	rd->text.len = o;
	for (i = 0; i < o; i++)
		units += (size_t)(((unsigned char)s[i] & 0xc0) != 0x80) +
			 (size_t)((unsigned char)s[i] >= 0xf0);
	if (units > CR_XLSX_MAX_CELL_CHARS)
		return xlsx_fail(rd, CR_ETOOBIG, "%s holds over %d characters, Excel's limit",
				 rd->where, CR_XLSX_MAX_CELL_CHARS);
	return 0;
}

static void strings_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_reader *rd = ud;
	const char *n = xlsx_local(name);

	(void)atts;
	if (rd->rc != 0)
		return;
	if (strcmp(n, "si") == 0) {
		xlsx_text_reset(rd);
		rd->rph_depth = 0;
		(void)snprintf(rd->where, sizeof(rd->where), "shared string %zu", rd->n_strings);
	} else if (strcmp(n, "rPh") == 0) {
		rd->rph_depth++;
	} else if (strcmp(n, "t") == 0) {
		rd->is_capturing = rd->rph_depth == 0;
	}
}

static void strings_end(void *ud, const XML_Char *name)
{
	struct xlsx_reader *rd = ud;
	const char *n = xlsx_local(name);

	if (rd->rc != 0)
		return;
	rd->is_capturing = false;
	if (strcmp(n, "rPh") == 0 && rd->rph_depth > 0) {
		rd->rph_depth--;
	} else if (strcmp(n, "si") == 0) {
		if (rd->n_strings == CR_XLSX_MAX_STRINGS) {
			(void)xlsx_fail(rd, CR_ETOOBIG, "'%s' has over %d strings", rd->part,
					CR_XLSX_MAX_STRINGS);
			return;
		}
		if (xlsx_text_finish(rd) < 0)
			return;
		if (rd->n_strings == rd->cap_strings) {
			rd->cap_strings = rd->cap_strings > 0 ? rd->cap_strings * 2 : 256;
			rd->string_at =
			    cr_realloc(rd->string_at, rd->cap_strings * sizeof(*rd->string_at));
		}
		/* strings.max is below 4 GiB: an offset fits in 32 bits */
		rd->string_at[rd->n_strings++] = (uint32_t)rd->strings.len;
		if (cr_buf_append(&rd->strings, rd->text.data, rd->text.len + 1) < 0)
			(void)xlsx_fail(rd, CR_ETOOBIG, "the shared strings are over %zu MiB",
					rd->strings.max >> 20);
	}
}

/* ---- the whole ---- */

static int open_zip(struct xlsx_reader *rd, const void *data, size_t len)
{
	static const unsigned char cfb[] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1 };
	zip_error_t ze;
	zip_source_t *src;

	if (len == 0)
		return xlsx_fail(rd, CR_EINVAL, "not an .xlsx file: it is empty");
	if (len >= sizeof(cfb) && memcmp(data, cfb, sizeof(cfb)) == 0)
		return xlsx_fail(rd, CR_EINVAL,
				 "not an .xlsx file but an old .xls or a password-protected "
				 "workbook: save it as .xlsx without a password");
	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	rd->za = src != NULL ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (rd->za == NULL) {
		zip_source_free(src);
		if (zip_error_code_zip(&ze) == ZIP_ER_NOZIP)
			(void)xlsx_fail(rd, CR_EINVAL,
					"not an .xlsx file: it is not a zip archive");
		else
			(void)xlsx_fail(rd, CR_EINVAL,
					"not an .xlsx file: a damaged zip archive (%s)",
					zip_error_strerror(&ze));
	}
	zip_error_fini(&ze);
	return rd->rc;
}

/* workbook.xml, its relationships and the first worksheet's part name. */
static const char *find_sheet(struct xlsx_reader *rd)
{
	char rels[XLSX_PART_MAX + 16];
	const char *base;
	int dir, rc;

	if (parse_part(rd, "_rels/.rels", root_rels_start, NULL) < 0)
		return NULL;
	if (rd->workbook[0] == '\0')
		memcpy(rd->workbook, "xl/workbook.xml", sizeof("xl/workbook.xml"));
	rd->sheets = cr_calloc(SHEETS_SEEN, sizeof(*rd->sheets));
	rc = parse_part(rd, rd->workbook, workbook_start, NULL);
	if (rc == 1 || (rc == 0 && !rd->is_workbook)) {
		(void)xlsx_fail(rd, CR_EINVAL, "not an .xlsx file: it has no workbook");
		return NULL;
	}
	base = strrchr(rd->workbook, '/');
	dir = base != NULL ? (int)(base - rd->workbook + 1) : 0;
	(void)snprintf(rels, sizeof(rels), "%.*s_rels/%s.rels", dir, rd->workbook,
		       rd->workbook + dir);
	rc = rc < 0 ? rc : parse_part(rd, rels, book_rels_start, NULL);
	if (rc == 1)
		(void)xlsx_fail(rd, CR_EINVAL, "not an .xlsx file: '%s' is missing", rels);
	if (rd->rc < 0)
		return NULL;
	for (int pass = 0; pass < 2; pass++) /* the first visible one, else the first */
		for (size_t i = 0; i < rd->n_sheets; i++)
			if (rd->sheets[i].is_worksheet && (pass == 1 || !rd->sheets[i].is_hidden))
				return rd->sheets[i].part;
	(void)xlsx_fail(rd, CR_EINVAL, "the workbook has no worksheet");
	return NULL;
}

int cr_xlsx_read(const void *data, size_t len, size_t max_rows, size_t max_cols,
		 cr_xlsx_row_fn row_fn, void *arg, struct cr_err *err)
{
	struct xlsx_reader rd = {
		.err = err, .max_rows = max_rows, .max_cols = max_cols, .row_fn = row_fn, .arg = arg
	};
	const char *sheet;
	int rc;

	cr_buf_init(&rd.strings, CR_XLSX_MAX_UNZIPPED);
	cr_buf_init(&rd.text, TEXT_MAX);
	cr_buf_init(&rd.row_text, CR_XLSX_MAX_UNZIPPED);
	if (open_zip(&rd, data, len) < 0)
		goto out;
	sheet = find_sheet(&rd);
	if (sheet == NULL)
		goto out_zip;
	if (rd.styles_part[0] != '\0' &&
	    parse_part(&rd, rd.styles_part, styles_start, styles_end) < 0)
		goto out_zip;
	styles_kinds(&rd);
	if (rd.strings_part[0] != '\0' &&
	    parse_part(&rd, rd.strings_part, strings_start, strings_end) < 0)
		goto out_zip;
	rc = parse_part(&rd, sheet, xlsx_sheet_start, xlsx_sheet_end);
	if (rc == 1)
		(void)xlsx_fail(&rd, CR_EINVAL, "not an .xlsx file: '%s' is missing", sheet);
out_zip:
	zip_discard(rd.za);
out:
	free(rd.sheets);
	free(rd.string_at);
	free(rd.xf_fmt);
	free(rd.fmts);
	free(rd.xf_kind);
	free(rd.slot);
	free(rd.cells);
	cr_buf_close(&rd.strings);
	cr_buf_close(&rd.text);
	cr_buf_close(&rd.row_text);
	return rd.rc < 0 ? rd.rc : (int)(rd.n_rows < INT32_MAX ? rd.n_rows : INT32_MAX);
}
