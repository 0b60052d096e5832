/* lib/assert.c: see assert.h. */
#include "assert.h"

#include <stdio.h>
#include <stdlib.h>

void cr_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	(void)fprintf(stderr, "creek: assertion '%s' failed at %s:%d in %s(), aborting\n", expr,
		      file, line, func);
	abort();
}
