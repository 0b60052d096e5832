/* lib/text.h: small text checks shared by the engines and the web layer. */
#ifndef CREEK_LIB_TEXT_H
#define CREEK_LIB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Characters (code points) of NUL-terminated UTF-8, or -1 if it is not
 * valid UTF-8 or holds control characters (with multiline, \n, \r and \t
 * are allowed). */
long cr_utf8_chars(const char *s, bool multiline);

/* Unicode normalisation form C can make text longer, by at most this
 * factor in UTF-8 bytes (UAX #15, "Stabilization Policies": NFC 3X). */
#define CR_NFC_GROWTH_MAX 3

/* The Unicode normalisation form C (NFC, UAX #15) of NUL-terminated UTF-8
 * s, NUL-terminated, into out (room for out_len bytes): its length in
 * bytes; CR_EINVAL if s is not valid UTF-8 (overlong forms and surrogates
 * included), CR_ETOOBIG if the form does not fit (room for
 * CR_NFC_GROWTH_MAX * strlen(s) + 1 bytes always does). Text typed
 * composed (U+00E9) or decomposed (e, U+0301) has one NFC form. Over
 * libunistring's u8_normalize(); allocates nothing that outlives the call. */
long cr_utf8_nfc(const char *s, char *out, size_t out_len);

/* s (UTF-8) holds a character that changes the direction text is shown
 * in: U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069 (Unicode
 * UAX #9). A file named "invoice<U+202E>fdp.exe" shows as "invoiceexe.pdf",
 * so names that people trust by their look refuse them. */
bool cr_utf8_has_bidi_controls(const char *s);

/* a and b hold the same n bytes; the time taken does not depend on where
 * they differ (for secrets: tokens, hashes). */
bool cr_same_bytes(const void *a, const void *b, size_t n);
/* The same for two strings (different lengths differ at once: the length
 * of a token is no secret). */
bool cr_same_secret(const char *a, const char *b);

/* Decode standard base64 (RFC 4648, padding optional, whitespace
 * skipped) into out (room for len * 3 / 4 + 3 bytes); the decoded length,
 * or -1 if s is not base64. */
long cr_base64_decode(const char *s, size_t len, unsigned char *out);

/* Lower-case hex of n bytes into out (room for 2 * n + 1), NUL-terminated:
 * hashes, tokens, ids. */
void cr_hex_encode(const void *data, size_t n, char *out);
/* The value of one hex digit (either case), or -1. */
int cr_hex_digit(char c);
/* Decode len hex digits (either case) into out (room for len / 2); the
 * number of bytes, or -1 if len is odd or s holds anything but hex. */
long cr_hex_decode(const char *s, size_t len, unsigned char *out);
/* s is exactly len lower-case hex digits (what cr_hex_encode writes). */
bool cr_hex_is_lower(const char *s, size_t len);

/* snprintf into a fixed buffer for text made of the program's own
 * constants (SQL naming tables and columns, placeholder lists): text that
 * does not fit is a bug, and stops the process (cr_assert). Never for
 * input from outside. */
void cr_format_fixed(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
