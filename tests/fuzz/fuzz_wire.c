/* tests/fuzz/fuzz_wire.c: the wire decoder on arbitrary bytes.
 * The first byte picks how the rest is read, as a response would be:
 * header, FAILURE, SERVERS-like lists, ROWS with a column count, blobs. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "storage/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_rows(struct wire_cursor *c)
{
	struct storage_value values[64];
	uint64_t n_cols = 0;
	const char *name;
	uint64_t marker;

	if (wire_get_u64(c, &n_cols) < 0 || n_cols == 0 || n_cols > 64)
		return;
	for (uint64_t i = 0; i < n_cols; i++)
		if (wire_get_text(c, &name, NULL) < 0)
			return;
	while (wire_peek_u64(c, &marker) == 0 && marker != WIRE_ROWS_DONE &&
	       marker != WIRE_ROWS_PART)
		if (wire_get_row(c, (unsigned)n_cols, values) < 0)
			return;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_cursor c;
	size_t body_len;
	uint8_t type;
	const char *text;
	const void *blob;
	size_t len;
	uint64_t u;

	if (size < 1)
		return 0;
	if (size >= 1 + WIRE_HEADER_LEN)
		(void)wire_decode_header(data + 1, &body_len, &type);
	wire_cursor_init(&c, data + 1, size - 1);
	switch (data[0] % 4) {
	case 0:
		read_rows(&c);
		break;
	case 1:
		while (wire_get_text(&c, &text, &len) == 0)
			;
		break;
	case 2:
		while (wire_get_blob(&c, &blob, &len) == 0)
			;
		break;
	default:
		if (wire_get_u64(&c, &u) == 0 && u < 1000)
			for (uint64_t i = 0; i < u; i++)
				if (wire_get_u64(&c, &u) < 0 || wire_get_text(&c, &text, NULL) < 0)
					break;
		break;
	}
	return 0;
}
