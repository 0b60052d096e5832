/* lib/parse.h: checked number parsing (atoi and friends are banned).
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

#endif
