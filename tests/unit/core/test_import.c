/* tests/unit/core/test_import.c: an import's batches are bounded in rows
 * and in bytes (core/forms/import.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/forms/forms_int.h"

/* n rows whose values take about `bytes` bytes each. */
static json_t **rows_of(size_t n, size_t bytes)
{
	json_t **rows = calloc(n, sizeof(*rows));
	char *text = malloc(bytes + 1);

	memset(text, 'x', bytes);
	text[bytes] = '\0';
	for (size_t i = 0; i < n; i++)
		rows[i] = json_pack("{s:s}", "f1", text);
	free(text);
	return rows;
}

static void rows_free(json_t **rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(rows[i]);
	free(rows);
}

static void batches_are_bounded(void **state)
{
	json_t **small = rows_of(1200, 200);
	json_t **wide = rows_of(100, 10000);
	json_t **huge = rows_of(3, 1 << 20);

	(void)state;
	/* Narrow rows: the row count binds. */
	assert_int_equal(fm_import_batch_rows(small, 1200), 500);
	assert_int_equal(fm_import_batch_rows(small + 1000, 200), 200);
	/* Wide rows: 256 KiB of values, 26 rows of about 10 KB. */
	assert_int_equal(fm_import_batch_rows(wide, 100), 26);
	/* A row larger than the bound goes alone, never left behind. */
	assert_int_equal(fm_import_batch_rows(huge, 3), 1);
	assert_int_equal(fm_import_batch_rows(huge, 0), 0);
	rows_free(small, 1200);
	rows_free(wide, 100);
	rows_free(huge, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batches_are_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
