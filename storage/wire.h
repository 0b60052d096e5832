/* storage/wire.h: dqlite's wire protocol, encoding and decoding only.
 *
 * Pure functions over memory: no sockets, so every byte rule is unit-tested
 * and fuzzed. The layout is dqlite 1.11's (src/message.h, src/request.h,
 * src/response.h, src/tuple.c; ../shared/notes/dqlite.md §3):
 *
 *   header  u32 LE words | u8 type | u8 schema(0) | u16 0
 *   body    words * 8 bytes, never empty (an empty body aborts a 1.11 server)
 *
 * All integers little endian; text is UTF-8 + NUL padded to 8 bytes; blobs
 * are a u64 length + bytes padded to 8. Internal to storage/. */
#ifndef CREEK_STORAGE_WIRE_H
#define CREEK_STORAGE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"
#include "../lib/err.h"
#include "value.h"

#define WIRE_PROTOCOL_VERSION 1
#define WIRE_HEADER_LEN       8
/* The largest message Creek sends or accepts (a DUMP of a large database
 * is the biggest legitimate one). Checked before allocating. */
#define WIRE_MAX_BODY ((size_t)512 * 1024 * 1024)

enum wire_request {
	WIRE_REQ_LEADER = 0,
	WIRE_REQ_CLIENT = 1,
	WIRE_REQ_OPEN = 3,
	WIRE_REQ_PREPARE = 4,
	WIRE_REQ_EXEC = 5,
	WIRE_REQ_QUERY = 6,
	WIRE_REQ_FINALIZE = 7,
	WIRE_REQ_EXEC_SQL = 8,
	WIRE_REQ_QUERY_SQL = 9,
	WIRE_REQ_INTERRUPT = 10,
	WIRE_REQ_ADD = 12,
	WIRE_REQ_ASSIGN = 13,
	WIRE_REQ_REMOVE = 14,
	WIRE_REQ_DUMP = 15,
	WIRE_REQ_CLUSTER = 16,
	WIRE_REQ_TRANSFER = 17,
	WIRE_REQ_DESCRIBE = 18,
};

enum wire_response {
	WIRE_RESP_FAILURE = 0,
	WIRE_RESP_SERVER = 1,
	WIRE_RESP_WELCOME = 2,
	WIRE_RESP_SERVERS = 3,
	WIRE_RESP_DB = 4,
	WIRE_RESP_STMT = 5,
	WIRE_RESP_RESULT = 6,
	WIRE_RESP_ROWS = 7,
	WIRE_RESP_EMPTY = 8,
	WIRE_RESP_FILES = 9,
	WIRE_RESP_METADATA = 10,
};

/* End markers of a ROWS message. A row header can never equal them: type
 * codes are <= 11, so no header byte is 0xee or 0xff. */
#define WIRE_ROWS_PART UINT64_C(0xeeeeeeeeeeeeeeee)
#define WIRE_ROWS_DONE UINT64_C(0xffffffffffffffff)

/* ---- encoding: a message is built in a cr_buf ---- */

/* Start a request of the given type; the header is patched by wire_end(). */
int wire_begin(struct cr_buf *b, enum wire_request type);
int wire_put_u64(struct cr_buf *b, uint64_t v);
/* Two u32 in one word (EXEC/QUERY/FINALIZE's db and stmt ids). */
int wire_put_u32_pair(struct cr_buf *b, uint32_t lo, uint32_t hi);
/* CR_EINVAL if s contains no room for its NUL (never: s is a C string). */
int wire_put_text(struct cr_buf *b, const char *s);
/* The parameter tuple (schema 0). Nothing is written for n == 0: dqlite
 * binds nothing when the body is exhausted. CR_EINVAL for more than
 * STORAGE_MAX_PARAMS, for UNIXTIME, for an unknown type and for text that
 * contains a NUL byte. */
int wire_put_params(struct cr_buf *b, const struct storage_value *params, unsigned n,
		    struct cr_err *err);
/* Patch the header's word count. CR_EINTERNAL if the body is empty or not
 * word-aligned (a bug: either would break or abort the server). */
int wire_end(struct cr_buf *b);

/* ---- decoding: a cursor over one received body ---- */

struct wire_cursor {
	const uint8_t *p;
	size_t len;
	size_t off; /* always a multiple of 8 after each successful get */
};

void wire_cursor_init(struct wire_cursor *c, const void *body, size_t len);
size_t wire_cursor_left(const struct wire_cursor *c);
/* Each returns CR_EINVAL ("truncated message" / "malformed text") if the
 * body does not hold the field; the cursor does not move then. */
int wire_get_u64(struct wire_cursor *c, uint64_t *out);
int wire_peek_u64(const struct wire_cursor *c, uint64_t *out);
int wire_get_u32_pair(struct wire_cursor *c, uint32_t *lo, uint32_t *hi);
/* Text borrowed from the body: NUL-terminated in place. */
int wire_get_text(struct wire_cursor *c, const char **out, size_t *len_out);
int wire_get_blob(struct wire_cursor *c, const void **out, size_t *len_out);
/* One row of n_cols values (the header nibbles, then the values). Values
 * borrow from the body. CR_EINVAL for an unknown type code. */
int wire_get_row(struct wire_cursor *c, unsigned n_cols, struct storage_value *values);

/* Decode an 8-byte header. CR_ETOOBIG past WIRE_MAX_BODY; CR_EINVAL for an
 * empty body (dqlite never sends one). */
int wire_decode_header(const uint8_t hdr[WIRE_HEADER_LEN], size_t *body_len, uint8_t *type);

#endif
