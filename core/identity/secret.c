/* core/identity/secret.c: password hashes, tokens and their digests, over
 * the crypto core was handed (struct id_crypto).
 *
 * A password is hashed in its NFC form (id_password_nfc()). Hashes stored
 * before that are of the bytes as typed: verifying tries the NFC form,
 * then, if it differs, the bytes as given, so those keep working. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/text.h"
#include "identity.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define SCRYPT_R 8
#define SCRYPT_P 1

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding; out needs 4 * ceil(n / 3) + 1 bytes. */
static void b64url(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = n - i;
		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		out[o++] = B64URL[(v >> 18) & 63];
		out[o++] = B64URL[(v >> 12) & 63];
		if (left > 1)
			out[o++] = B64URL[(v >> 6) & 63];
		if (left > 2)
			out[o++] = B64URL[v & 63];
	}
	out[o] = '\0';
}

/* Decode base64url into out (at most cap bytes); the length or -1. */
static long b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
	uint32_t v = 0;
	unsigned bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		const char *p = strchr(B64URL, in[i]);
		if (in[i] == '\0' || p == NULL)
			return -1;
		v = (v << 6) | (uint32_t)(p - B64URL);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (uint8_t)(v >> bits);
		}
	}
	return (long)o;
}

/* What is hashed of a password: its NFC form, or the bytes as given if it
 * has none (not UTF-8, over ID_PASSWORD_MAX bytes: the policy refuses
 * both when a password is set, but a sign-in may still send one). */
static const char *hashed_form(const char *password, char nfc[ID_PASSWORD_NFC_MAX + 1])
{
	return id_password_nfc(password, nfc) >= 0 ? nfc : password;
}

int id_password_hash(const struct identity *id, const char *password,
		     char out[ID_PASSWORD_HASH_MAX + 1], struct cr_err *err)
{
	char nfc[ID_PASSWORD_NFC_MAX + 1];
	const char *form = hashed_form(password, nfc);
	uint8_t salt[SALT_LEN];
	uint8_t hash[HASH_LEN];
	char salt64[32];
	char hash64[48];
	unsigned log_n = id->kdf_log_n > 0 ? id->kdf_log_n : 15;

	if (id->crypto->random(salt, sizeof(salt)) < 0)
		return cr_err_set(err, CR_EINTERNAL, "no random bytes for a password salt");
	if (id->crypto->kdf(form, strlen(form), salt, sizeof(salt), (uint64_t)1 << log_n, SCRYPT_R,
			    SCRYPT_P, hash) < 0)
		return cr_err_set(err, CR_EINTERNAL, "the password could not be hashed");
	b64url(salt, sizeof(salt), salt64);
	b64url(hash, sizeof(hash), hash64);
	(void)snprintf(out, ID_PASSWORD_HASH_MAX + 1, "scrypt$%u$%d$%d$%s$%s", log_n, SCRYPT_R,
		       SCRYPT_P, salt64, hash64);
	return 0;
}

/* 0 if the KDF of text is want, CR_EAUTH if not, CR_EINTERNAL. */
static int kdf_matches(const struct identity *id, const char *text, const uint8_t *salt,
		       size_t salt_len, unsigned log_n, unsigned r, unsigned p,
		       const uint8_t want[HASH_LEN])
{
	uint8_t got[HASH_LEN];

	if (id->crypto->kdf(text, strlen(text), salt, salt_len, (uint64_t)1 << log_n, r, p, got) <
	    0)
		return CR_EINTERNAL;
	return cr_same_bytes(want, got, HASH_LEN) ? 0 : CR_EAUTH;
}

int id_password_verify(const struct identity *id, const char *password, const char *stored)
{
	unsigned log_n = 0, r = 0, p = 0;
	int used = 0, rc;
	uint8_t salt[64];
	uint8_t want[HASH_LEN];
	char nfc[ID_PASSWORD_NFC_MAX + 1];
	const char *salt64, *hash64, *form;
	long salt_len;

	if (sscanf(stored, "scrypt$%u$%u$%u$%n", &log_n, &r, &p, &used) != 3 || used == 0 ||
	    log_n < 10 || log_n > 22 || r < 1 || r > 32 || p < 1 || p > 16)
		return CR_EINVAL;
	salt64 = stored + used;
	hash64 = strchr(salt64, '$');
	if (hash64 == NULL)
		return CR_EINVAL;
	salt_len = b64url_decode(salt64, (size_t)(hash64 - salt64), salt, sizeof(salt));
	hash64++;
	if (salt_len < 8 || b64url_decode(hash64, strlen(hash64), want, sizeof(want)) != HASH_LEN)
		return CR_EINVAL;
	form = hashed_form(password, nfc);
	rc = kdf_matches(id, form, salt, (size_t)salt_len, log_n, r, p, want);
	/* A hash stored before passwords were hashed in NFC form. */
	if (rc == CR_EAUTH && form != password && strcmp(form, password) != 0)
		rc = kdf_matches(id, password, salt, (size_t)salt_len, log_n, r, p, want);
	return rc;
}

int id_token_new(const struct identity *id, size_t n_bytes, char *out, size_t out_len)
{
	uint8_t b[48];

	if (n_bytes > sizeof(b) || out_len < 4 * ((n_bytes + 2) / 3) + 1)
		return CR_EINVAL;
	if (id->crypto->random(b, n_bytes) < 0)
		return CR_EINTERNAL;
	b64url(b, n_bytes, out);
	return 0;
}

void id_hash_hex(const struct identity *id, const char *text, char out[ID_HASH_HEX + 1])
{
	uint8_t h[32];

	id->crypto->sha256(text, strlen(text), h);
	cr_hex_encode(h, sizeof(h), out);
}
