/* lib/buf.c: see buf.h. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mem.h"

void cr_buf_init(struct cr_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void cr_buf_close(struct cr_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void cr_buf_reset(struct cr_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int cr_buf_reserve(struct cr_buf *b, size_t n)
{
	size_t need;
	size_t cap;

	if (n > b->max - b->len)
		return CR_ETOOBIG;
	need = b->len + n + 1; /* room for the terminator */
	if (need <= b->cap)
		return 0;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	b->data = cr_realloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int cr_buf_append(struct cr_buf *b, const void *data, size_t n)
{
	int rc = cr_buf_reserve(b, n);

	if (rc < 0)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int cr_buf_append_str(struct cr_buf *b, const char *s)
{
	return cr_buf_append(b, s, strlen(s));
}

int cr_buf_printf(struct cr_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	int rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return CR_EINTERNAL;
	rc = cr_buf_reserve(b, (size_t)n);
	if (rc < 0)
		return rc;
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *cr_buf_steal(struct cr_buf *b, size_t *len_out)
{
	char *data = b->data;

	if (data == NULL)
		data = cr_strdup("");
	if (len_out != NULL)
		*len_out = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return data;
}
