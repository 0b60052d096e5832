/* tests/fuzz/fuzz_xlsx.c: the .xlsx reader (lib/xlsx.h) on arbitrary bytes.
 *
 * Two kinds of input. Any file is read as an upload would be (the corpus
 * holds real ones: openpyxl's, our writer's). Mutations of packed data
 * rarely get past the zip's checksums, so an input that starts with
 * "XLSX-PARTS\n" is instead split at "\n--\n" into the XML of the sheet,
 * the shared strings, the styles and the workbook, which this harness packs
 * (stored, not deflated) with the usual relationships: the fuzzer then
 * works on the XML itself. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "lib/xlsx.h"

#define PARTS_MAGIC "XLSX-PARTS\n"
#define PARTS_SEP   "\n--\n"
#define NS_R        "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG      "http://schemas.openxmlformats.org/package/2006/relationships"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char root_rels[] =
    "<Relationships xmlns=\"" NS_PKG "\"><Relationship Id=\"rId1\" Type=\"" NS_R
    "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char book_rels[] =
    "<Relationships xmlns=\"" NS_PKG "\">"
    "<Relationship Id=\"rId1\" Type=\"" NS_R "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" NS_R "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" NS_R "/styles\" Target=\"styles.xml\"/></Relationships>";
static const char workbook[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"" NS_R "\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
    "</workbook>";

static int touch_row(void *arg, size_t row_index, const char *const *cells, size_t n_cells,
		     struct cr_err *err)
{
	size_t *total = arg;

	(void)row_index, (void)err;
	for (size_t i = 0; i < n_cells; i++)
		*total += strlen(cells[i]);
	return 0;
}

static int add(zip_t *za, const char *name, const void *data, size_t len)
{
	zip_source_t *src = zip_source_buffer(za, data, len, 0);
	zip_int64_t idx = src != NULL ? zip_file_add(za, name, src, 0) : -1;

	if (idx < 0) {
		zip_source_free(src);
		return -1;
	}
	return zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
}

/* Pack the parts of text (after the magic) and read the package. */
static void read_parts(const char *text, size_t len)
{
	static const char *const names[] = { "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
					     "xl/styles.xml", "xl/workbook.xml" };
	const char *p = text, *end = text + len;
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, NULL);
	zip_t *za = src != NULL ? zip_open_from_source(src, ZIP_TRUNCATE, NULL) : NULL;
	bool has_workbook = false;
	int rc = 0;

	if (za == NULL) {
		zip_source_free(src);
		return;
	}
	zip_source_keep(src);
	rc |= add(za, "_rels/.rels", root_rels, strlen(root_rels));
	rc |= add(za, "xl/_rels/workbook.xml.rels", book_rels, strlen(book_rels));
	for (size_t i = 0; i < 4; i++) {
		const char *sep = memmem(p, (size_t)(end - p), PARTS_SEP, strlen(PARTS_SEP));
		const char *stop = sep != NULL ? sep : end;
		rc |= add(za, names[i], p, (size_t)(stop - p));
		has_workbook |= i == 3;
		if (sep == NULL)
			break;
		p = sep + strlen(PARTS_SEP);
	}
	if (!has_workbook)
		rc |= add(za, names[3], workbook, strlen(workbook));
	if (rc == 0 && zip_close(za) == 0) {
		zip_stat_t st;
		char *file = NULL;
		if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
			file = malloc(st.size + 1);
			if (file != NULL &&
			    zip_source_read(src, file, st.size) == (zip_int64_t)st.size) {
				struct cr_err err = { 0 };
				size_t total = 0;
				(void)cr_xlsx_read(file, st.size, 1000, 100, touch_row, &total,
						   &err);
			}
			(void)zip_source_close(src);
		}
		free(file);
	} else {
		zip_discard(za);
	}
	zip_source_free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cr_err err = { 0 };
	size_t total = 0;

	if (size >= strlen(PARTS_MAGIC) && memcmp(data, PARTS_MAGIC, strlen(PARTS_MAGIC)) == 0) {
		read_parts((const char *)data + strlen(PARTS_MAGIC), size - strlen(PARTS_MAGIC));
		return 0;
	}
	(void)cr_xlsx_read(data, size, 1000, 100, touch_row, &total, &err);
	return 0;
}
