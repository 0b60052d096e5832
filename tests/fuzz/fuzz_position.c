/* tests/fuzz/fuzz_position.c: cr_parse_position on arbitrary text (the
 * Creek-Position header and cookie a client sends).
 *
 * It never reads past the string, answers 0 or a positive number, and a
 * number only for text that is the workspace, a dot and that number in
 * decimal digits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"

#define INPUT_MAX 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char WS[] = "w0123456789ab";
	char *s;
	const char *num;
	int64_t pos;

	if (size > INPUT_MAX)
		size = INPUT_MAX;
	s = malloc(size + 1); /* exact size: ASan sees any overread */
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	pos = cr_parse_position(s, WS);
	if (pos < 0)
		abort();
	num = s + sizeof(WS); /* past "<ws>." */
	if (pos > 0 && (strncmp(s, WS, sizeof(WS) - 1) != 0 || s[sizeof(WS) - 1] != '.' ||
			strspn(num, "0123456789") != strlen(num) || strtoll(num, NULL, 10) != pos))
		abort();
	if (cr_parse_position(s, WS) != pos)
		abort();
	free(s);
	return 0;
}
