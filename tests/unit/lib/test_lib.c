/* tests/unit/lib/test_lib.c: buffers, arenas, parsers, errors. */
#define LOG_MODULE "test"
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "lib/text.h"
#include "lib/time.h"

static void text_counts_utf8_and_compares_secrets(void **state)
{
	(void)state;
	assert_int_equal(cr_utf8_chars("李雷 ok", false), 5);
	assert_int_equal(cr_utf8_chars("a\nb", false), -1);
	assert_int_equal(cr_utf8_chars("a\nb", true), 3);
	assert_int_equal(cr_utf8_chars("\xc3\x28", true), -1);         /* bad continuation */
	assert_int_equal(cr_utf8_chars("\xc0\xaf", true), -1);         /* overlong */
	assert_int_equal(cr_utf8_chars("\xf5\x80\x80\x80", true), -1); /* past U+10FFFF */
	assert_false(cr_utf8_has_bidi_controls("李雷 report.pdf"));
	assert_false(cr_utf8_has_bidi_controls("\xe2\x80\x94 \xe2\x81\xa5")); /* U+2014, U+2065 */
	assert_true(cr_utf8_has_bidi_controls("invoice\xe2\x80\xae"
					      "fdp.exe")); /* U+202E */
	assert_true(cr_utf8_has_bidi_controls("a\xe2\x81\xa6"
					      "b"));             /* U+2066 */
	assert_true(cr_utf8_has_bidi_controls("a\xe2\x80\x8f")); /* U+200F */
	assert_true(cr_utf8_has_bidi_controls("\xd8\x9c"));      /* U+061C */
	assert_true(cr_same_secret("abc", "abc"));
	assert_false(cr_same_secret("abc", "abd"));
	assert_false(cr_same_secret("abc", "abcd"));
	assert_false(cr_same_secret("", ""));
	assert_false(cr_same_secret(NULL, "abc"));
	assert_false(cr_same_secret("abc", NULL));
	assert_true(cr_same_bytes("\x01\x02", "\x01\x02", 2));
	assert_false(cr_same_bytes("\x01\x02", "\x01\x03", 2));
}

/* NFC composes what has a composed form, keeps what has none, and may
 * lengthen text (UAX #15); the output's room is checked. */
static void text_normalises_to_nfc(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(cr_utf8_nfc("e\xcc\x81t\xc3\xa9", out, sizeof(out)), 5); /* e + U+0301 */
	assert_string_equal(out, "\xc3\xa9t\xc3\xa9");
	assert_int_equal(cr_utf8_nfc("q\xcc\x81", out, sizeof(out)), 3); /* no composed form */
	assert_string_equal(out, "q\xcc\x81");
	assert_int_equal(cr_utf8_nfc("\xe2\x84\xaa", out, sizeof(out)), 1); /* KELVIN SIGN */
	assert_string_equal(out, "K");
	assert_int_equal(cr_utf8_nfc("\xe1\x84\x80\xe1\x85\xa1", out, sizeof(out)), 3);
	assert_string_equal(out, "\xea\xb0\x80"); /* conjoining jamo: U+AC00 */
	assert_int_equal(cr_utf8_nfc("\xf0\x9d\x85\xa0", out, 13), 12); /* U+1D160 grows 3x */
	assert_int_equal(cr_utf8_nfc("\xf0\x9d\x85\xa0", out, 12), CR_ETOOBIG);
	assert_int_equal(cr_utf8_nfc("abc", out, 3), CR_ETOOBIG);
	assert_int_equal(cr_utf8_nfc("abc", out, 4), 3);
	assert_int_equal(cr_utf8_nfc("", out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(cr_utf8_nfc("\xc3\x28", out, sizeof(out)), CR_EINVAL);
	assert_int_equal(cr_utf8_nfc("\xc0\xaf", out, sizeof(out)), CR_EINVAL);     /* overlong */
	assert_int_equal(cr_utf8_nfc("\xed\xa0\x80", out, sizeof(out)), CR_EINVAL); /* surrogate */
}

static void base64_decodes_with_and_without_padding(void **state)
{
	unsigned char out[64];

	(void)state;
	assert_int_equal(cr_base64_decode("aGVsbG8=", 8, out), 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(cr_base64_decode("aGVsbG8", 7, out), 5);
	assert_int_equal(cr_base64_decode("aGVs\nbG8=\n", 10, out), 5);
	assert_int_equal(cr_base64_decode("5p2O6Zu3", 8, out), 6); /* 李雷 */
	assert_memory_equal(out, "\xe6\x9d\x8e\xe9\x9b\xb7", 6);
	assert_int_equal(cr_base64_decode("", 0, out), 0);
	assert_int_equal(cr_base64_decode("a*==", 4, out), -1);
	assert_int_equal(cr_base64_decode("aGVs=bG8", 8, out), -1); /* data after padding */
	assert_int_equal(cr_base64_decode("a", 1, out), -1);        /* 6 bits: no byte */
}

static void hex_round_trips_and_rejects_non_hex(void **state)
{
	char text[16];
	unsigned char bytes[8];

	(void)state;
	cr_hex_encode("\x00\x9f\xff\x0a", 4, text);
	assert_string_equal(text, "009fff0a");
	cr_hex_encode("", 0, text);
	assert_string_equal(text, "");
	assert_int_equal(cr_hex_decode("009fFF0a", 8, bytes), 4);
	assert_memory_equal(bytes, "\x00\x9f\xff\x0a", 4);
	assert_int_equal(cr_hex_decode("", 0, bytes), 0);
	assert_int_equal(cr_hex_decode("abc", 3, bytes), -1); /* odd */
	assert_int_equal(cr_hex_decode("0g", 2, bytes), -1);
	assert_int_equal(cr_hex_digit('F'), 15);
	assert_int_equal(cr_hex_digit('/'), -1);
	assert_true(cr_hex_is_lower("00ff", 4));
	assert_false(cr_hex_is_lower("00FF", 4));  /* what cr_hex_encode writes only */
	assert_false(cr_hex_is_lower("00ff0", 4)); /* longer */
	assert_false(cr_hex_is_lower("00f", 4));   /* shorter */
	assert_false(cr_hex_is_lower(NULL, 0));
}

static void format_fixed_writes_what_fits(void **state)
{
	char sql[32];

	(void)state;
	cr_format_fixed(sql, sizeof(sql), "SELECT id FROM %s", "app");
	assert_string_equal(sql, "SELECT id FROM app");
	cr_format_fixed(sql, sizeof(sql), "%s", "0123456789012345678901234567890"); /* 31 */
	assert_int_equal(strlen(sql), 31);
}

static void buf_refuses_append_past_ceiling(void **state)
{
	struct cr_buf b;

	(void)state;
	cr_buf_init(&b, 8);
	assert_int_equal(cr_buf_append(&b, "12345678", 8), 0);
	assert_int_equal(cr_buf_append(&b, "9", 1), CR_ETOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	cr_buf_close(&b);
}

static void buf_printf_grows_and_terminates(void **state)
{
	struct cr_buf b;

	(void)state;
	cr_buf_init(&b, 1024);
	for (int i = 0; i < 100; i++)
		assert_int_equal(cr_buf_printf(&b, "%d,", i % 10), 0);
	assert_int_equal(b.len, 200);
	assert_int_equal(b.data[200], '\0');
	assert_int_equal(cr_buf_printf(&b, "%2000d", 1), CR_ETOOBIG);
	cr_buf_close(&b);
}

static void arena_returns_null_past_limit(void **state)
{
	struct cr_arena a;
	char *p;

	(void)state;
	cr_arena_init(&a, 64 * 1024);
	p = cr_arena_alloc(&a, 100);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_non_null(cr_arena_alloc(&a, 40 * 1024)); /* own block */
	assert_null(cr_arena_alloc(&a, 30 * 1024));
	assert_string_equal(cr_arena_strndup(&a, "abcdef", 3), "abc");
	cr_arena_close(&a);
}

static void parse_u32_rejects_junk_sign_and_overflow(void **state)
{
	uint32_t v = 7;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(cr_parse_u32("65535", 65535, &v, &err), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(cr_parse_u32("65536", 65535, &v, &err), CR_EINVAL);
	assert_string_equal(err.msg, "65536 is above the maximum 65535");
	assert_int_equal(cr_parse_u32("-1", 100, &v, &err), CR_EINVAL);
	assert_int_equal(cr_parse_u32("12x", 100, &v, &err), CR_EINVAL);
	assert_int_equal(cr_parse_u32("", 100, &v, &err), CR_EINVAL);
	assert_int_equal(cr_parse_u32(" 1", 100, &v, &err), CR_EINVAL);
	assert_int_equal(cr_parse_u32("99999999999999999999999", UINT32_MAX, &v, &err), CR_EINVAL);
	assert_int_equal(v, 65535); /* untouched on failure */
}

static void parse_i64_and_bool(void **state)
{
	int64_t i = 0;
	bool b = false;

	(void)state;
	assert_int_equal(cr_parse_i64("-9223372036854775808", &i, NULL), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(cr_parse_i64("9223372036854775808", &i, NULL), CR_EINVAL);
	assert_int_equal(cr_parse_bool("On", &b, NULL), 0);
	assert_true(b);
	assert_int_equal(cr_parse_bool("nope", &b, NULL), CR_EINVAL);
}

static void parse_ipv4_port_accepts_only_literals(void **state)
{
	(void)state;
	assert_int_equal(cr_parse_ipv4_port("127.0.0.1:9443", NULL), 0);
	assert_int_equal(cr_parse_ipv4_port("10.0.0.255:1", NULL), 0);
	assert_int_equal(cr_parse_ipv4_port("localhost:9443", NULL), CR_EINVAL);
	assert_int_equal(cr_parse_ipv4_port("1.2.3.256:80", NULL), CR_EINVAL);
	assert_int_equal(cr_parse_ipv4_port("1.2.3.4", NULL), CR_EINVAL);
	assert_int_equal(cr_parse_ipv4_port("1.2.3.4:0", NULL), CR_EINVAL);
	assert_int_equal(cr_parse_ipv4_port("1.2.3.4:65536", NULL), CR_EINVAL);
	assert_int_equal(cr_parse_ipv4_port("1.2.3:80", NULL), CR_EINVAL);
}

static void parse_accept_encoding_reads_codings_and_q(void **state)
{
	const unsigned gz = CR_ENCODING_GZIP, br = CR_ENCODING_BR;

	(void)state;
	assert_int_equal(cr_parse_accept_encoding(NULL), 0);
	assert_int_equal(cr_parse_accept_encoding(""), 0);
	assert_int_equal(cr_parse_accept_encoding("gzip, deflate, br, zstd"), gz | br);
	assert_int_equal(cr_parse_accept_encoding("GZIP"), gz);
	assert_int_equal(cr_parse_accept_encoding("x-gzip;q=0.5"), gz);
	assert_int_equal(cr_parse_accept_encoding("br;q=1.000,gzip;q=0"), br);
	assert_int_equal(cr_parse_accept_encoding("br ; q=0.000 , gzip ; q=0.001"), gz);
	assert_int_equal(cr_parse_accept_encoding("identity"), 0);
	assert_int_equal(cr_parse_accept_encoding("*"), gz | br);
	assert_int_equal(cr_parse_accept_encoding("br;q=0, *"), gz);
	assert_int_equal(cr_parse_accept_encoding("*;q=0"), 0);
	assert_int_equal(cr_parse_accept_encoding("gzip, *;q=0"), gz);
	/* What cannot be read is skipped, the rest counts. */
	assert_int_equal(cr_parse_accept_encoding("br;q=2, gzip"), gz);
	assert_int_equal(cr_parse_accept_encoding("br;q=0.0001"), 0);
	assert_int_equal(cr_parse_accept_encoding("br;q, gzip;q=1.5"), 0);
	assert_int_equal(cr_parse_accept_encoding("gzipx, brr, ,,"), 0);
	assert_int_equal(cr_parse_accept_encoding("br;level=3;q=0.8"), br);
}

static void parse_position_takes_only_its_workspace_and_a_positive_number(void **state)
{
	const char *ws = "w0123456789ab";

	(void)state;
	assert_int_equal(cr_parse_position("w0123456789ab.1", ws), 1);
	assert_int_equal(cr_parse_position("w0123456789ab.9223372036854775807", ws), INT64_MAX);
	assert_int_equal(cr_parse_position(NULL, ws), 0);
	assert_int_equal(cr_parse_position("w0123456789ab.1", NULL), 0);
	assert_int_equal(cr_parse_position("w0123456789ab.1", ""), 0);
	assert_int_equal(cr_parse_position("", ws), 0);
	assert_int_equal(cr_parse_position("w0123456789ab.", ws), 0);
	assert_int_equal(cr_parse_position("w0123456789ab", ws), 0);
	assert_int_equal(cr_parse_position("w0123456789ab.0", ws), 0);
	assert_int_equal(cr_parse_position("w0123456789ab.-5", ws), 0);
	assert_int_equal(cr_parse_position("w0123456789ab.+5", ws), 0);
	assert_int_equal(cr_parse_position("w0123456789ab.5x", ws), 0);
	assert_int_equal(cr_parse_position("w0123456789ab.9223372036854775808", ws), 0);
	assert_int_equal(cr_parse_position("w0123456789ac.5", ws), 0);  /* another workspace */
	assert_int_equal(cr_parse_position("w0123456789abc.5", ws), 0); /* a longer id */
	assert_int_equal(cr_parse_position("w0123456789a.5", ws), 0);
}

static void parse_host_port_splits_ipv4_names_and_bracketed_ipv6(void **state)
{
	char host[CR_HOST_MAX] = "";
	uint16_t port = 0;

	(void)state;
	assert_int_equal(cr_parse_host_port("127.0.0.1:9443", host, &port, NULL), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9443);
	assert_int_equal(cr_parse_host_port("[::1]:80", host, &port, NULL), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 80);
	assert_int_equal(cr_parse_host_port("[::ffff:10.0.0.1]:65535", host, &port, NULL), 0);
	assert_string_equal(host, "::ffff:10.0.0.1");
	assert_int_equal(port, 65535);
	assert_int_equal(cr_parse_host_port("node-1.example_a:1", host, &port, NULL), 0);
	assert_string_equal(host, "node-1.example_a");
}

static void parse_host_port_names_what_is_wrong(void **state)
{
	static const struct {
		const char *in;
		const char *says;
	} bad[] = {
		{ "", "address is missing" },
		{ "127.0.0.1", "has no port" },
		{ "::1:80", "IPv6 host without brackets" },
		{ "[::1:80", "'[' without ']'" },
		{ "[::1]80", "no port after ']'" },
		{ "[::1]", "no port after ']'" },
		{ "[]:80", "has no host" },
		{ ":80", "has no host" },
		{ "a b:80", "character not allowed" },
		{ "[::g]:80", "character not allowed" },
		{ "host:0", "no valid port" },
		{ "host:65536", "no valid port" },
		{ "host:+80", "no valid port" },
		{ "host:", "no valid port" },
		{ "0123456789012345678901234567890123456789012345678901234567890123:1",
		  "longer than 63" },
	};
	char host[CR_HOST_MAX] = "unchanged";
	uint16_t port = 7;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(cr_parse_host_port(NULL, host, &port, &err), CR_EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cr_parse_host_port(bad[i].in, host, &port, &err), CR_EINVAL);
		if (strstr(err.msg, bad[i].says) == NULL)
			fail_msg("'%s': '%s' does not say '%s'", bad[i].in, err.msg, bad[i].says);
	}
	assert_string_equal(host, "unchanged");
	assert_int_equal(port, 7);
}

static void err_wrap_prefixes_and_keeps_code(void **state)
{
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(cr_err_set(&err, CR_ECONFLICT, "value '%s' is taken", "x"), CR_ECONFLICT);
	assert_int_equal(cr_err_wrap(&err, "row %d", 3), CR_ECONFLICT);
	assert_string_equal(err.msg, "row 3: value 'x' is taken");
	assert_string_equal(cr_err_name(CR_ETOOBIG), "too_big");
	assert_string_equal(cr_err_name(-99), "internal");
}

static void log_level_names_round_trip(void **state)
{
	enum cr_log_level l;

	(void)state;
	assert_int_equal(cr_log_level_parse("warning", &l), 0);
	assert_int_equal(l, CR_LOG_WARN);
	assert_int_equal(cr_log_level_parse("loud", &l), -1);
}

static void log_escape_neutralises_controls_and_bidi(void **state)
{
	char out[128];
	(void)state;
	cr_log_escape("a\nb\rc\td\x01"
		      "e\x7f",
		      out, sizeof(out));
	assert_string_equal(out, "a\\nb\\rc\\td\\x01e\\x7f");
	/* U+202E (right-to-left override), U+2066, U+200F and U+061C */
	cr_log_escape("x\xe2\x80\xaey \xe2\x81\xa6 \xe2\x80\x8f \xd8\x9c", out, sizeof(out));
	assert_string_equal(out, "x\\u202ey \\u2066 \\u200f \\u061c");
	/* other UTF-8 passes; truncation never splits an escape or a character */
	cr_log_escape("登录 \xe2\x80\x94 ok", out, sizeof(out));
	assert_string_equal(out, "登录 \xe2\x80\x94 ok");
	assert_int_equal(cr_log_escape("ab\n", out, 4), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(cr_log_escape("a登", out, 4), 1);
	assert_string_equal(out, "a");
}

static char logged[256];

static void capture_sink(enum cr_log_level level, const struct cr_log_site *site, const char *msg,
			 void *arg)
{
	(void)level;
	(void)site;
	(void)arg;
	(void)snprintf(logged, sizeof(logged), "%s", msg);
}

static void log_cannot_forge_a_line(void **state)
{
	(void)state;
	cr_log_configure(capture_sink, NULL, CR_LOG_INFO);
	log_info("join from '%s'", "10.0.0.9\n2026-01-01T00:00:00.000Z notice web: forged");
	cr_log_configure(NULL, NULL, CR_LOG_INFO);
	assert_null(strchr(logged, '\n'));
	assert_string_equal(logged,
			    "join from '10.0.0.9\\n2026-01-01T00:00:00.000Z notice web: forged'");
}

static void format_utc_is_iso8601(void **state)
{
	char out[32];

	(void)state;
	cr_format_utc(INT64_C(1795867200) * 1000000, out, sizeof(out));
	assert_string_equal(out, "2026-11-28T12:00:00Z");
}

static void backoff_doubles_up_to_its_ceiling(void **state)
{
	struct cr_backoff b = CR_BACKOFF(10, 50);
	struct cr_backoff odd = CR_BACKOFF(3, 5);
	struct cr_backoff huge = CR_BACKOFF(UINT32_MAX / 2 + 1, UINT32_MAX);

	(void)state;
	assert_int_equal(cr_backoff_next(&b), 10);
	assert_int_equal(cr_backoff_next(&b), 20);
	assert_int_equal(cr_backoff_next(&b), 40);
	assert_int_equal(cr_backoff_next(&b), 50);
	assert_int_equal(cr_backoff_next(&b), 50);
	assert_int_equal(cr_backoff_next(&odd), 3);
	assert_int_equal(cr_backoff_next(&odd), 5);
	(void)cr_backoff_next(&huge);
	assert_int_equal(cr_backoff_next(&huge), UINT32_MAX); /* no overflow */
}

static void backoff_fits_only_before_the_deadline(void **state)
{
	struct cr_backoff b = CR_BACKOFF(1000, 1000);
	uint64_t now = cr_now_ms();

	(void)state;
	assert_true(cr_backoff_fits(&b, now + 60000));
	assert_false(cr_backoff_fits(&b, now + 1000));
	assert_false(cr_backoff_fits(&b, now));
}

static void file_read_whole_missing_and_empty(void **state)
{
	char dir[] = "/tmp/creek-file-XXXXXX";
	char path[64];
	struct cr_err err = { 0 };
	char *text;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.pem", dir);
	f = fopen(path, "w");
	fputs("-----BEGIN X-----\n证书\n", f);
	fclose(f);
	text = cr_file_read(dir, "a.pem", &err);
	assert_string_equal(text, "-----BEGIN X-----\n证书\n");
	free(text);
	assert_null(cr_file_read(dir, "missing", &err));
	assert_int_equal(err.code, CR_ENOTFOUND);
	f = fopen(path, "w");
	fclose(f);
	text = cr_file_read(dir, "a.pem", &err);
	assert_string_equal(text, "");
	free(text);
	unlink(path);
	rmdir(dir);
}

static void file_write_atomic_replaces_and_leaves_no_temporary(void **state)
{
	char dir[] = "/tmp/creek-file-XXXXXX";
	char path[64];
	struct cr_err err = { 0 };
	struct stat st;
	char *text;
	DIR *d;
	const struct dirent *e;
	unsigned n_entries = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token", dir);
	assert_int_equal(cr_file_write_atomic(path, "old", 3, 0600, &err), 0);
	assert_int_equal(cr_file_write_atomic(path, "new text", 8, 0600, &err), 0);
	text = cr_file_read(dir, "token", &err);
	assert_string_equal(text, "new text");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n_entries += e->d_name[0] != '.' || strncmp(e->d_name, CR_FILE_TMP_PREFIX, 5) == 0;
	closedir(d);
	assert_int_equal(n_entries, 1);
	unlink(path);
	rmdir(dir);
}

static void file_write_atomic_fails_in_a_missing_directory(void **state)
{
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(cr_file_write_atomic("/nonexistent-creek/x", "a", 1, 0600, &err),
			 CR_EINTERNAL);
	assert_non_null(strstr(err.msg, "cannot create the file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accept_encoding_reads_codings_and_q),
		cmocka_unit_test(parse_position_takes_only_its_workspace_and_a_positive_number),
		cmocka_unit_test(text_counts_utf8_and_compares_secrets),
		cmocka_unit_test(text_normalises_to_nfc),
		cmocka_unit_test(base64_decodes_with_and_without_padding),
		cmocka_unit_test(hex_round_trips_and_rejects_non_hex),
		cmocka_unit_test(format_fixed_writes_what_fits),
		cmocka_unit_test(buf_refuses_append_past_ceiling),
		cmocka_unit_test(buf_printf_grows_and_terminates),
		cmocka_unit_test(arena_returns_null_past_limit),
		cmocka_unit_test(parse_u32_rejects_junk_sign_and_overflow),
		cmocka_unit_test(parse_i64_and_bool),
		cmocka_unit_test(parse_ipv4_port_accepts_only_literals),
		cmocka_unit_test(parse_host_port_splits_ipv4_names_and_bracketed_ipv6),
		cmocka_unit_test(parse_host_port_names_what_is_wrong),
		cmocka_unit_test(err_wrap_prefixes_and_keeps_code),
		cmocka_unit_test(log_level_names_round_trip),
		cmocka_unit_test(log_escape_neutralises_controls_and_bidi),
		cmocka_unit_test(log_cannot_forge_a_line),
		cmocka_unit_test(format_utc_is_iso8601),
		cmocka_unit_test(backoff_doubles_up_to_its_ceiling),
		cmocka_unit_test(backoff_fits_only_before_the_deadline),
		cmocka_unit_test(file_read_whole_missing_and_empty),
		cmocka_unit_test(file_write_atomic_replaces_and_leaves_no_temporary),
		cmocka_unit_test(file_write_atomic_fails_in_a_missing_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
