/* lib/parse.h: checked number and address parsing (atoi and friends are
 * banned).
 *
 * Each parser accepts the whole string or nothing: no sign where none is
 * allowed, no trailing junk, no empty string, no overflow. CR_EINVAL with a
 * message naming the problem otherwise; *out is written only on success. */
#ifndef CREEK_LIB_PARSE_H
#define CREEK_LIB_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

int cr_parse_u64(const char *s, uint64_t max, uint64_t *out, struct cr_err *err);
int cr_parse_u32(const char *s, uint32_t max, uint32_t *out, struct cr_err *err);
int cr_parse_i64(const char *s, int64_t *out, struct cr_err *err);
/* true/false, yes/no, on/off, 1/0 (case-insensitive). */
int cr_parse_bool(const char *s, bool *out, struct cr_err *err);
/* "a.b.c.d:port" with an IPv4 literal (what dqlite 1.11 accepts) */
int cr_parse_ipv4_port(const char *s, struct cr_err *err);

/* Room for the host cr_parse_host_port() returns, with its NUL (an IPv6
 * literal is at most 45 characters). */
#define CR_HOST_MAX 64

/* Split "host:port" or "[ipv6]:port" ("[::1]:9443"): the host without
 * brackets into host, the port (1-65535) into *port. The host is checked
 * for its characters only, not resolved: letters, digits, '.', '-' and
 * '_'; inside brackets hex digits, ':' and '.'. An IPv6 host without
 * brackets is refused (which colon starts the port?). CR_EINVAL naming
 * the problem otherwise; host and *port are written only on success. */
int cr_parse_host_port(const char *s, char host[CR_HOST_MAX], uint16_t *port, struct cr_err *err);

/* The content codings an Accept-Encoding header value accepts, of the ones
 * Creek sends (RFC 9110 §12.5.3): "gzip" (or "x-gzip"), "br", and "*" for
 * any not named; a coding with q=0 is refused. Case-insensitive; what it
 * cannot read (a malformed q, junk) is skipped, never an error. NULL or
 * "": none. */
#define CR_ENCODING_GZIP 1u
#define CR_ENCODING_BR   2u
unsigned cr_parse_accept_encoding(const char *s);

/* A read-your-writes position as Creek hands it out (Creek-Position),
 * "<workspace id>.<n>" with n a decimal from 1 to INT64_MAX: n if the
 * workspace is ws. Anything else (NULL, another workspace, junk, a sign,
 * an overflow) is 0, as a client that carries no position. */
int64_t cr_parse_position(const char *s, const char *ws);

#endif
