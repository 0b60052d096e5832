/* tests/fuzz/fuzz_accept_encoding.c: cr_parse_accept_encoding on arbitrary
 * text.
 *
 * It never reads past the string, answers only the codings Creek sends,
 * and accepts a coding only if the text names it or a "*". */
/* strcasestr: _GNU_SOURCE comes from the build (CMakeLists.txt). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"

#define INPUT_MAX 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1); /* exact size: ASan sees any overread */
	unsigned got;
	bool star;

	if (s == NULL)
		return 0;
	if (size > INPUT_MAX)
		size = INPUT_MAX;
	memcpy(s, data, size);
	s[size] = '\0';
	got = cr_parse_accept_encoding(s);
	star = strchr(s, '*') != NULL;
	if ((got & ~(CR_ENCODING_GZIP | CR_ENCODING_BR)) != 0)
		abort();
	if ((got & CR_ENCODING_GZIP) != 0 && !star && strcasestr(s, "gzip") == NULL)
		abort();
	if ((got & CR_ENCODING_BR) != 0 && !star && strcasestr(s, "br") == NULL)
		abort();
	if (cr_parse_accept_encoding(s) != got)
		abort();
	free(s);
	return 0;
}
