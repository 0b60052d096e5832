/* storage/wire.c: dqlite wire encoding/decoding; see wire.h for the layout.
 * Reference: dqlite v1.11.1 src/lib/serialize.h (primitives), src/tuple.c
 * (parameter and row tuples), src/message.h (header). */
#include "wire.h"

#include <string.h>

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int put_padding(struct cr_buf *b, size_t used)
{
	static const uint8_t zeros[8];
	size_t pad = (8 - used % 8) % 8;

	return cr_buf_append(b, zeros, pad);
}

int wire_begin(struct cr_buf *b, enum wire_request type)
{
	uint8_t hdr[WIRE_HEADER_LEN] = { 0 };

	hdr[4] = (uint8_t)type;
	cr_buf_reset(b);
	return cr_buf_append(b, hdr, sizeof(hdr));
}

int wire_put_u64(struct cr_buf *b, uint64_t v)
{
	uint8_t w[8];

	put_le64(w, v);
	return cr_buf_append(b, w, sizeof(w));
}

int wire_put_u32_pair(struct cr_buf *b, uint32_t lo, uint32_t hi)
{
	return wire_put_u64(b, (uint64_t)lo | ((uint64_t)hi << 32));
}

int wire_put_text(struct cr_buf *b, const char *s)
{
	size_t n = strlen(s) + 1; /* with the NUL */
	int rc = cr_buf_append(b, s, n);

	if (rc < 0)
		return rc;
	return put_padding(b, n);
}

static int put_blob(struct cr_buf *b, const void *p, size_t len)
{
	int rc = wire_put_u64(b, (uint64_t)len);

	if (rc == 0)
		rc = cr_buf_append(b, p, len);
	if (rc == 0)
		rc = put_padding(b, len);
	return rc;
}

static int check_param(const struct storage_value *v, unsigned i, struct cr_err *err)
{
	switch (v->type) {
	case STORAGE_INTEGER:
	case STORAGE_FLOAT:
	case STORAGE_BLOB:
	case STORAGE_NULL:
	case STORAGE_BOOLEAN:
		return 0;
	case STORAGE_TEXT:
	case STORAGE_ISO8601:
		if (v->s.p == NULL || memchr(v->s.p, '\0', v->s.len) != NULL)
			return cr_err_set(err, CR_EINVAL, "parameter %u: text contains a NUL byte",
					  i + 1);
		return 0;
	case STORAGE_UNIXTIME:
		/* dqlite 1.11 answers DQLITE_PARSE: never a valid parameter. */
		return cr_err_set(err, CR_EINVAL, "parameter %u: UNIXTIME cannot be bound", i + 1);
	}
	return cr_err_set(err, CR_EINVAL, "parameter %u: unknown type %d", i + 1, (int)v->type);
}

static int put_value(struct cr_buf *b, const struct storage_value *v)
{
	switch (v->type) {
	case STORAGE_INTEGER:
		return wire_put_u64(b, (uint64_t)v->i);
	case STORAGE_FLOAT: {
		uint64_t bits;
		memcpy(&bits, &v->f, sizeof(bits));
		return wire_put_u64(b, bits);
	}
	case STORAGE_TEXT:
	case STORAGE_ISO8601: {
		int rc = cr_buf_append(b, v->s.p, v->s.len);
		uint8_t nul = 0;
		if (rc == 0)
			rc = cr_buf_append(b, &nul, 1);
		if (rc == 0)
			rc = put_padding(b, v->s.len + 1);
		return rc;
	}
	case STORAGE_BLOB:
		return put_blob(b, v->s.p, v->s.len);
	case STORAGE_BOOLEAN:
		return wire_put_u64(b, v->b ? 1 : 0);
	default: /* NULL */
		return wire_put_u64(b, 0);
	}
}

int wire_put_params(struct cr_buf *b, const struct storage_value *params, unsigned n,
		    struct cr_err *err)
{
	unsigned i;
	int rc;

	if (n == 0)
		return 0;
	if (n > STORAGE_MAX_PARAMS)
		return cr_err_set(err, CR_EINVAL, "%u parameters, at most %d can be bound", n,
				  STORAGE_MAX_PARAMS);
	for (i = 0; i < n; i++) {
		rc = check_param(&params[i], i, err);
		if (rc < 0)
			return rc;
	}
	{
		uint8_t head[256];
		head[0] = (uint8_t)n;
		for (i = 0; i < n; i++)
			head[1 + i] = (uint8_t)params[i].type;
		rc = cr_buf_append(b, head, 1 + n);
		if (rc == 0)
			rc = put_padding(b, 1 + n);
	}
	for (i = 0; rc == 0 && i < n; i++)
		rc = put_value(b, &params[i]);
	if (rc == CR_ETOOBIG)
		return cr_err_set(err, CR_ETOOBIG, "the statement's parameters exceed %zu bytes",
				  b->max);
	return rc;
}

int wire_end(struct cr_buf *b)
{
	size_t body = b->len - WIRE_HEADER_LEN;
	uint64_t words = body / 8;
	uint8_t *h = (uint8_t *)b->data;

	if (body == 0 || body % 8 != 0 || words > UINT32_MAX)
		return CR_EINTERNAL;
	h[0] = (uint8_t)words;
	h[1] = (uint8_t)(words >> 8);
	h[2] = (uint8_t)(words >> 16);
	h[3] = (uint8_t)(words >> 24);
	return 0;
}

int wire_decode_header(const uint8_t hdr[WIRE_HEADER_LEN], size_t *body_len, uint8_t *type)
{
	uint64_t words = (uint64_t)hdr[0] | ((uint64_t)hdr[1] << 8) | ((uint64_t)hdr[2] << 16) |
			 ((uint64_t)hdr[3] << 24);

	if (words == 0)
		return CR_EINVAL;
	if (words > WIRE_MAX_BODY / 8)
		return CR_ETOOBIG;
	*body_len = (size_t)words * 8;
	*type = hdr[4];
	return 0;
}

void wire_cursor_init(struct wire_cursor *c, const void *body, size_t len)
{
	c->p = body;
	c->len = len;
	c->off = 0;
}

size_t wire_cursor_left(const struct wire_cursor *c)
{
	return c->len - c->off;
}

int wire_peek_u64(const struct wire_cursor *c, uint64_t *out)
{
	if (wire_cursor_left(c) < 8)
		return CR_EINVAL;
	*out = get_le64(c->p + c->off);
	return 0;
}

int wire_get_u64(struct wire_cursor *c, uint64_t *out)
{
	int rc = wire_peek_u64(c, out);

	if (rc == 0)
		c->off += 8;
	return rc;
}

int wire_get_u32_pair(struct wire_cursor *c, uint32_t *lo, uint32_t *hi)
{
	uint64_t w;
	int rc = wire_get_u64(c, &w);

	if (rc < 0)
		return rc;
	*lo = (uint32_t)w;
	*hi = (uint32_t)(w >> 32);
	return 0;
}

int wire_get_text(struct wire_cursor *c, const char **out, size_t *len_out)
{
	const uint8_t *start = c->p + c->off;
	const uint8_t *nul = memchr(start, '\0', wire_cursor_left(c));
	size_t n;
	size_t padded;

	if (nul == NULL)
		return CR_EINVAL;
	n = (size_t)(nul - start);
	padded = (n + 1 + 7) / 8 * 8;
	if (padded > wire_cursor_left(c))
		return CR_EINVAL;
	*out = (const char *)start;
	if (len_out != NULL)
		*len_out = n;
	c->off += padded;
	return 0;
}

int wire_get_blob(struct wire_cursor *c, const void **out, size_t *len_out)
{
	uint64_t n;
	uint64_t padded;

	if (wire_peek_u64(c, &n) < 0)
		return CR_EINVAL;
	if (n > wire_cursor_left(c) - 8)
		return CR_EINVAL;
	padded = (n + 7) / 8 * 8;
	if (padded > wire_cursor_left(c) - 8)
		return CR_EINVAL;
	*out = c->p + c->off + 8;
	*len_out = (size_t)n;
	c->off += 8 + (size_t)padded;
	return 0;
}

static int get_value(struct wire_cursor *c, unsigned type, struct storage_value *v)
{
	uint64_t w = 0;
	int rc;

	v->type = (enum storage_type)type;
	switch (type) {
	case STORAGE_INTEGER:
	case STORAGE_UNIXTIME:
		rc = wire_get_u64(c, &w);
		v->i = (int64_t)w;
		return rc;
	case STORAGE_FLOAT:
		rc = wire_get_u64(c, &w);
		memcpy(&v->f, &w, sizeof(w));
		return rc;
	case STORAGE_BOOLEAN:
		rc = wire_get_u64(c, &w);
		v->b = w != 0;
		return rc;
	case STORAGE_NULL:
		return wire_get_u64(c, &w);
	case STORAGE_TEXT:
	case STORAGE_ISO8601:
		return wire_get_text(c, &v->s.p, &v->s.len);
	case STORAGE_BLOB: {
		const void *p = NULL;
		rc = wire_get_blob(c, &p, &v->s.len);
		v->s.p = p;
		return rc;
	}
	default:
		return CR_EINVAL;
	}
}

int wire_get_row(struct wire_cursor *c, unsigned n_cols, struct storage_value *values)
{
	size_t header_len = ((size_t)n_cols + 15) / 16 * 8; /* two 4-bit codes per byte */
	size_t start = c->off;
	const uint8_t *hdr;

	if (n_cols == 0 || header_len > wire_cursor_left(c))
		return CR_EINVAL;
	hdr = c->p + c->off;
	c->off += header_len;
	for (unsigned i = 0; i < n_cols; i++) {
		unsigned type = (i % 2 == 0) ? (hdr[i / 2] & 0x0fu) : (hdr[i / 2] >> 4);
		if (get_value(c, type, &values[i]) < 0) {
			c->off = start;
			return CR_EINVAL;
		}
	}
	return 0;
}
