/* tests/fuzz/fuzz_csv.c: the bulk-invite CSV reader on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/identity/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct id_csv csv;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* the API hands the reader a JSON string: no NULs inside */
	if (id_csv_parse(text, 64, &csv, NULL) == 0) {
		for (size_t r = 0; r < csv.n_rows; r++)
			for (size_t f = 0; f < csv.rows[r].n; f++)
				(void)strlen(csv.rows[r].fields[f]);
		id_csv_close(&csv);
	}
	free(text);
	return 0;
}
