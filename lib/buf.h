/* lib/buf.h: a growable byte buffer with a ceiling set at init.
 *
 * The ceiling is the protection: appending past `max` fails with CR_ETOOBIG
 * and leaves the buffer as it was. The data is always NUL-terminated (the
 * terminator is not counted in len), so text can be read in place. */
#ifndef CREEK_LIB_BUF_H
#define CREEK_LIB_BUF_H

#include <stddef.h>

struct cr_buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* len never exceeds this */
};

void cr_buf_init(struct cr_buf *b, size_t max);
void cr_buf_close(struct cr_buf *b);
/* Forget the contents, keep the memory. */
void cr_buf_reset(struct cr_buf *b);
/* Make room for n more bytes. CR_ETOOBIG past max. */
int cr_buf_reserve(struct cr_buf *b, size_t n);
int cr_buf_append(struct cr_buf *b, const void *data, size_t n);
int cr_buf_append_str(struct cr_buf *b, const char *s);
int cr_buf_printf(struct cr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the data out (caller frees with free()); the buffer is left empty. */
char *cr_buf_steal(struct cr_buf *b, size_t *len_out);

#endif
