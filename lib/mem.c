/* lib/mem.c: see mem.h. */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *checked(void *p, size_t size)
{
	if (p == NULL && size > 0) {
		(void)fprintf(stderr, "creek: out of memory allocating %zu bytes, aborting\n",
			      size);
		abort();
	}
	return p;
}

void *cr_malloc(size_t size)
{
	return checked(malloc(size == 0 ? 1 : size), size);
}

void *cr_calloc(size_t n, size_t size)
{
	return checked(calloc(n == 0 ? 1 : n, size == 0 ? 1 : size), n * size);
}

void *cr_realloc(void *ptr, size_t size)
{
	return checked(realloc(ptr, size == 0 ? 1 : size), size);
}

char *cr_strdup(const char *s)
{
	return cr_strndup(s, strlen(s));
}

char *cr_strndup(const char *s, size_t n)
{
	char *p = cr_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
