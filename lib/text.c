/* lib/text.c: UTF-8 lengths, normalisation and constant-time comparison. */
#include "text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uninorm.h>
#include <unistr.h>

#include "assert.h"
#include "err.h"

long cr_utf8_chars(const char *s, bool multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	while (*p != '\0') {
		unsigned extra = 0;
		if (*p < 0x20 || *p == 0x7f) {
			if (!multiline || (*p != '\n' && *p != '\t' && *p != '\r'))
				return -1;
		} else if (*p >= 0x80) {
			if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
				extra = 1;
			else if ((*p & 0xf0) == 0xe0)
				extra = 2;
			else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
				extra = 3;
			else
				return -1;
		}
		p++;
		for (unsigned i = 0; i < extra; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return -1;
		n++;
	}
	return n;
}

long cr_utf8_nfc(const char *s, char *out, size_t out_len)
{
	const uint8_t *in = (const uint8_t *)s;
	size_t n = strlen(s), len;
	uint8_t *got;

	if (u8_check(in, n) != NULL)
		return CR_EINVAL;
	if (out_len == 0)
		return CR_ETOOBIG;
	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	len = out_len - 1;
	got = u8_normalize(UNINORM_NFC, in, n, (uint8_t *)out, &len);
	/* The input is valid UTF-8, so NULL means memory ran out: stop, as
	 * cr_malloc() does. */
	cr_assert(got != NULL);
	if (got != (uint8_t *)out) { /* too long for out: libunistring allocated */
		free(got);
		return CR_ETOOBIG;
	}
	out[len] = '\0';
	return (long)len;
}

bool cr_utf8_has_bidi_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (p[0] == 0xd8 && p[1] == 0x9c) /* U+061C ARABIC LETTER MARK */
			return true;
		if (p[0] != 0xe2 || p[1] == '\0')
			continue;
		if (p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f)) /* U+200E, U+200F */
			return true;
		if (p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) /* U+202A..U+202E */
			return true;
		if (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9) /* U+2066..U+2069 */
			return true;
	}
	return false;
}

bool cr_same_bytes(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(x[i] ^ y[i]);
	return diff == 0;
}

bool cr_same_secret(const char *a, const char *b)
{
	size_t n = a != NULL ? strlen(a) : 0;

	return n > 0 && b != NULL && strlen(b) == n && cr_same_bytes(a, b, n);
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

long cr_base64_decode(const char *s, size_t len, unsigned char *out)
{
	unsigned long acc = 0;
	unsigned bits = 0;
	long n = 0;
	bool padded = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			padded = true;
			continue;
		}
		v = b64_value(c);
		if (v < 0 || padded)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	return bits >= 6 ? -1 : n;
}

void cr_hex_encode(const void *data, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int cr_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long cr_hex_decode(const char *s, size_t len, unsigned char *out)
{
	if (len % 2 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = cr_hex_digit(s[i]);
		int lo = cr_hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

bool cr_hex_is_lower(const char *s, size_t len)
{
	if (s == NULL || strnlen(s, len + 1) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

void cr_format_fixed(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < len);
}
