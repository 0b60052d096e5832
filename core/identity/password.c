/* core/identity/password.c: the form of a password Creek counts, compares
 * and hashes, and what a new password must not be. Pure.
 *
 * That form is the password's Unicode NFC form (UAX #15, libunistring's
 * u8_normalize() behind cr_utf8_nfc()): é typed as U+00E9 and as e +
 * U+0301 is one password, of one character. Length counts the code
 * points of the NFC form, not bytes (a 3-character Chinese password is 9
 * bytes); a mark with no composed form stays a code point of its own
 * (x + U+0301 is 2), as the UI's [...s.normalize('NFC')].length counts.
 *
 * Common and breached passwords: a curated list bundled here (COMMON,
 * whole passwords of 8 or more characters, and COMMON_BASES, words that
 * lists of breached passwords show with a few digits or symbols added),
 * plus rules for what such lists are full of (one character repeated, a
 * short unit repeated, runs like 12345678 or abcdefgh, keyboard rows,
 * dates). Compared in NFC form and lower case, with common letter swaps
 * undone (@ a, 0 o, 3 e, $ s). The lists are kept short on purpose (97 whole
 * passwords and 52 words, a few KiB; the rules cover what long lists
 * mostly hold): scrypt and the sign-in throttling hold guessing; the
 * list stops the passwords every guesser tries first. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/text.h"
#include "identity.h"

/* Whole passwords (lower case), sorted for bsearch (a test checks). */
static const char *const COMMON[] = {
	"00000000",   "1111111111", "11223344",   "123456789a",  "1234qwer",   "123abc123",
	"123qweasd",  "147258369",  "1q2w3e4r",   "1q2w3e4r5t",  "1qaz2wsx",   "1qaz2wsx3edc",
	"5201314520", "a1234567",   "a12345678",  "a123456789",  "aa123456",   "aa12345678",
	"abc12345",   "abcd1234",   "admin123",   "alexander",   "asdf1234",   "asdfasdf",
	"asdfghjk",   "asdfghjkl",  "assassin",   "babygirl",    "baseball",   "basketball",
	"butterfly",  "charlie1",   "chocolate",  "computer",    "corvette",   "cowboys1",
	"danielle",   "dearbook",   "december",   "diamond1",    "dolphins",   "elephant",
	"football",   "football1",  "freedom1",   "hello123",    "iloveyou",   "iloveyou1",
	"iloveyou2",  "internet",   "jennifer",   "jordan23",    "killer12",   "letmein1",
	"liverpool",  "mercedes",   "michael1",   "michelle",    "midnight",   "monkey12",
	"mountain",   "mustang1",   "nicholas",   "nopassword",  "p@ssw0rd",   "passw0rd",
	"password",   "password1",  "password12", "password123", "princess",   "q1w2e3r4",
	"q1w2e3r4t5", "qazwsxedc",  "qq123456",   "qq5201314",   "qwe123qwe",  "qweasdzxc",
	"qwer1234",   "qwerty12",   "qwerty123",  "qwertyui",    "qwertyuiop", "samantha",
	"shadow12",   "starwars",   "sunshine",   "superman",    "trustno1",   "welcome1",
	"whatever",   "wo123456",   "woaini1314", "woaini520",   "woainima",   "zxcvbnm1",
	"zxcvbnm123",
};

/* Words that breached passwords are made of with up to 4 digits or
 * symbols added (admin123, woaini1314!, creek2024), lower case, sorted. */
static const char *const COMMON_BASES[] = {
	"abc",      "abcd",     "access",  "admin",    "administrator", "alibaba",  "angel",
	"asdf",     "asdfgh",   "baidu",   "batman",   "beijing",       "changeme", "cheese",
	"china",    "creek",    "default", "dragon",   "football",      "guest",    "hello",
	"iloveyou", "letmein",  "login",   "love",     "master",        "monkey",   "p@ssw0rd",
	"pass",     "passw0rd", "passwd",  "password", "qazwsx",        "qwe",      "qwer",
	"qwerty",   "root",     "secret",  "shadow",   "shanghai",      "sunshine", "superman",
	"taobao",   "test",     "user",    "welcome",  "woaini",        "xiaoming", "zhang",
	"zxc",      "zxcvbn",   "zxcvbnm",
};

/* Keyboard rows and columns, walked either way. */
static const char *const KEYBOARD[] = {
	"`1234567890-=",
	"qwertyuiop[]\\",
	"asdfghjkl;'",
	"zxcvbnm,./",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
};

#define COUNT(a)     (sizeof(a) / sizeof((a)[0]))
#define SUFFIX_MAX   4
#define UNIT_MAX     4
#define COMPARED_MAX ID_PASSWORD_NFC_MAX

_Static_assert(ID_PASSWORD_NFC_MAX >= CR_NFC_GROWTH_MAX * ID_PASSWORD_MAX,
	       "the NFC form of the longest password fits");

int id_password_nfc(const char *password, char out[ID_PASSWORD_NFC_MAX + 1])
{
	long n;

	if (strlen(password) > ID_PASSWORD_MAX)
		return CR_ETOOBIG;
	n = cr_utf8_nfc(password, out, ID_PASSWORD_NFC_MAX + 1);
	return (int)n; /* a CR_E* code, or at most ID_PASSWORD_NFC_MAX */
}

long id_password_chars(const char *utf8)
{
	char nfc[ID_PASSWORD_NFC_MAX + 1];
	long n = 0;

	if (id_password_nfc(utf8, nfc) < 0)
		return -1;
	for (const char *p = nfc; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80) /* not a continuation byte */
			n++;
	return n;
}

static int compare(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool listed(const char *const *list, size_t n, const char *word)
{
	return bsearch(&word, list, n, sizeof(list[0]), compare) != NULL;
}

/* ASCII lower case, letter swaps undone; other bytes kept. */
static char unswap(char c)
{
	switch (c) {
	case '@':
		return 'a';
	case '0':
		return 'o';
	case '3':
		return 'e';
	case '$':
		return 's';
	default:
		return c;
	}
}

static void fold(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < len; in++)
		out[n++] = unswap((char)(tolower)((unsigned char)*in));
	out[n] = '\0';
}

/* One unit of up to UNIT_MAX bytes, repeated (aaaaaaaa, abcabcab). */
static bool repeated(const char *s, size_t n)
{
	for (size_t unit = 1; unit <= UNIT_MAX && unit < n; unit++) {
		size_t i = unit;
		while (i < n && s[i] == s[i - unit])
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/* Each byte one more, or each one less, than the one before (12345678,
 * abcdefgh, 87654321). */
static bool sequence(const char *s, size_t n)
{
	bool up = true, down = true;

	for (size_t i = 1; i < n; i++) {
		up = up && s[i] == s[i - 1] + 1;
		down = down && s[i] == s[i - 1] - 1;
	}
	return up || down;
}

/* A walk along a keyboard row or column, either way. */
static bool keyboard_walk(const char *s, size_t n)
{
	for (size_t k = 0; k < COUNT(KEYBOARD); k++) {
		const char *row = KEYBOARD[k];
		size_t len = strlen(row);
		for (size_t at = 0; at + n <= len; at++) {
			bool fwd = true, back = true;
			for (size_t i = 0; i < n && (fwd || back); i++) {
				fwd = fwd && s[i] == row[at + i];
				back = back && s[i] == row[at + n - 1 - i];
			}
			if (fwd || back)
				return true;
		}
	}
	return false;
}

/* YYYYMMDD or DDMMYYYY of 1900-2099, the most guessed numbers. */
static bool date_like(const char *s, size_t n)
{
	if (n != 8 || strspn(s, "0123456789") != 8)
		return false;
	return ((s[0] == '1' && s[1] == '9') || (s[0] == '2' && s[1] == '0')) ||
	       ((s[4] == '1' && s[5] == '9') || (s[4] == '2' && s[5] == '0'));
}

/* The word before a suffix of up to SUFFIX_MAX digits or symbols. */
static void strip_suffix(const char *s, char *out, size_t len)
{
	size_t n = strlen(s), cut = n;

	while (cut > 0 && n - cut < SUFFIX_MAX &&
	       (isdigit((unsigned char)s[cut - 1]) || ispunct((unsigned char)s[cut - 1])))
		cut--;
	if (cut >= len)
		cut = len - 1;
	memcpy(out, s, cut);
	out[cut] = '\0';
}

bool id_password_common(const char *given)
{
	char nfc[ID_PASSWORD_NFC_MAX + 1];
	char lower[COMPARED_MAX + 1], folded[COMPARED_MAX + 1], base[COMPARED_MAX + 1];
	/* The NFC form (U+212A KELVIN SIGN is K there, so a "killer12"
	 * typed with it is on the list); without one (not UTF-8, too long:
	 * the policy refuses those anyway), the bytes as given. */
	const char *password = id_password_nfc(given, nfc) >= 0 ? nfc : given;
	size_t n;

	fold(password, folded, sizeof(folded));
	n = strlen(password);
	for (size_t i = 0; i <= n && i < sizeof(lower); i++)
		lower[i] = (char)(tolower)((unsigned char)password[i]);
	lower[sizeof(lower) - 1] = '\0';
	n = strlen(lower);
	if (listed(COMMON, COUNT(COMMON), lower) || listed(COMMON, COUNT(COMMON), folded))
		return true;
	if (repeated(lower, n) || sequence(lower, n) || keyboard_walk(lower, n) ||
	    date_like(lower, n))
		return true;
	strip_suffix(lower, base, sizeof(base));
	n = strlen(base);
	if (listed(COMMON_BASES, COUNT(COMMON_BASES), base) ||
	    (n >= 4 && (repeated(base, n) || sequence(base, n) || keyboard_walk(base, n))))
		return true;
	fold(base, folded, sizeof(folded));
	return listed(COMMON_BASES, COUNT(COMMON_BASES), folded);
}

bool id_password_lists_sorted(void)
{
	for (size_t i = 1; i < COUNT(COMMON); i++)
		if (strcmp(COMMON[i - 1], COMMON[i]) >= 0)
			return false;
	for (size_t i = 1; i < COUNT(COMMON_BASES); i++)
		if (strcmp(COMMON_BASES[i - 1], COMMON_BASES[i]) >= 0)
			return false;
	return true;
}
