/* tests/unit/storage/test_wire.c: byte layout of dqlite messages, checked
 * against the worked examples verified on a live 1.11.1 server
 * (../shared/notes/dqlite.md §3.11), and the decoder's refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "storage/wire.h"

static void encodes_leader_request(void **state)
{
	static const uint8_t want[] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct cr_buf b;

	(void)state;
	cr_buf_init(&b, 1024);
	assert_int_equal(wire_begin(&b, WIRE_REQ_LEADER), 0);
	assert_int_equal(wire_put_u64(&b, 0), 0);
	assert_int_equal(wire_end(&b), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	cr_buf_close(&b);
}

static void encodes_open_request(void **state)
{
	static const uint8_t want[] = { 3, 0, 0, 0, 3, 0, 0, 0, 'a', 'p', 'p', 0, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 0, 0,   0,   0,   0, 0, 0, 0, 0 };
	struct cr_buf b;

	(void)state;
	cr_buf_init(&b, 1024);
	wire_begin(&b, WIRE_REQ_OPEN);
	wire_put_text(&b, "app");
	wire_put_u64(&b, 0);
	wire_put_text(&b, "");
	assert_int_equal(wire_end(&b), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	cr_buf_close(&b);
}

static void encodes_exec_sql_with_params(void **state)
{
	const char *sql = "INSERT INTO t VALUES(?,?)"; /* 25 bytes + NUL -> 32 */
	struct storage_value p[2] = { storage_int(42), storage_text("hi") };
	struct cr_buf b;
	const uint8_t *d;

	(void)state;
	cr_buf_init(&b, 1024);
	wire_begin(&b, WIRE_REQ_EXEC_SQL);
	wire_put_u64(&b, 0);
	wire_put_text(&b, sql);
	assert_int_equal(wire_put_params(&b, p, 2, NULL), 0);
	assert_int_equal(wire_end(&b), 0);
	d = (const uint8_t *)b.data;
	assert_int_equal(b.len, 8 + 8 + 32 + 8 + 8 + 8);
	assert_int_equal(d[0], (b.len - 8) / 8); /* words */
	assert_int_equal(d[4], 8);               /* type EXEC_SQL */
	assert_memory_equal(d + 16, sql, 25);
	assert_int_equal(d[48], 2); /* n params */
	assert_int_equal(d[49], STORAGE_INTEGER);
	assert_int_equal(d[50], STORAGE_TEXT);
	assert_int_equal(d[56], 42);
	assert_memory_equal(d + 64, "hi\0\0\0\0\0\0", 8);
	cr_buf_close(&b);
}

static void text_of_exactly_8_bytes_takes_16(void **state)
{
	struct cr_buf b;

	(void)state;
	cr_buf_init(&b, 1024);
	wire_begin(&b, WIRE_REQ_PREPARE);
	wire_put_text(&b, "12345678");
	assert_int_equal(b.len, 8 + 16);
	cr_buf_close(&b);
}

static void refuses_bad_params(void **state)
{
	struct storage_value p[STORAGE_MAX_PARAMS + 1];
	struct storage_value unixtime = { .type = STORAGE_UNIXTIME, .i = 5 };
	struct storage_value nul = storage_textn("a\0b", 3);
	struct cr_err err = { 0 };
	struct cr_buf b;

	(void)state;
	for (int i = 0; i <= STORAGE_MAX_PARAMS; i++)
		p[i] = storage_int(i);
	cr_buf_init(&b, 1 << 20);
	wire_begin(&b, WIRE_REQ_EXEC_SQL);
	assert_int_equal(wire_put_params(&b, p, STORAGE_MAX_PARAMS + 1, &err), CR_EINVAL);
	assert_int_equal(wire_put_params(&b, p, STORAGE_MAX_PARAMS, &err), 0);
	assert_int_equal(wire_put_params(&b, &unixtime, 1, &err), CR_EINVAL);
	assert_int_equal(wire_put_params(&b, &nul, 1, &err), CR_EINVAL);
	assert_string_equal(err.msg, "parameter 1: text contains a NUL byte");
	cr_buf_close(&b);
}

static void never_ends_an_empty_body(void **state)
{
	struct cr_buf b;

	(void)state;
	cr_buf_init(&b, 1024);
	wire_begin(&b, WIRE_REQ_LEADER);
	assert_int_equal(wire_end(&b), CR_EINTERNAL);
	cr_buf_close(&b);
}

static void decodes_header_and_refuses_empty_or_huge(void **state)
{
	uint8_t h[8] = { 2, 0, 0, 0, 6, 0, 0, 0 };
	size_t len = 0;
	uint8_t type = 0;

	(void)state;
	assert_int_equal(wire_decode_header(h, &len, &type), 0);
	assert_int_equal(len, 16);
	assert_int_equal(type, WIRE_RESP_RESULT);
	h[0] = 0;
	assert_int_equal(wire_decode_header(h, &len, &type), CR_EINVAL);
	h[0] = h[1] = h[2] = h[3] = 0xff;
	assert_int_equal(wire_decode_header(h, &len, &type), CR_ETOOBIG);
}

static void decodes_row_nibbles(void **state)
{
	/* (1, 'a') as in notes §3.11: header 0x31, INTEGER 1, TEXT "a". */
	static const uint8_t body[] = { 0x31, 0, 0, 0, 0,   0, 0, 0, 1, 0, 0, 0,
					0,    0, 0, 0, 'a', 0, 0, 0, 0, 0, 0, 0 };
	struct storage_value v[2];
	struct wire_cursor c;

	(void)state;
	wire_cursor_init(&c, body, sizeof(body));
	assert_int_equal(wire_get_row(&c, 2, v), 0);
	assert_int_equal(v[0].type, STORAGE_INTEGER);
	assert_int_equal(v[0].i, 1);
	assert_int_equal(v[1].type, STORAGE_TEXT);
	assert_string_equal(v[1].s.p, "a");
	assert_int_equal(wire_cursor_left(&c), 0);
}

static void refuses_truncated_and_unknown(void **state)
{
	static const uint8_t unknown[] = { 0x0c, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t no_nul[] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };
	static const uint8_t big_blob[] = { 0xff, 0xff, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct storage_value v[1];
	struct wire_cursor c;
	const char *text;
	const void *blob;
	size_t len;

	(void)state;
	wire_cursor_init(&c, unknown, sizeof(unknown));
	assert_int_equal(wire_get_row(&c, 1, v), CR_EINVAL);
	assert_int_equal(c.off, 0);
	wire_cursor_init(&c, no_nul, sizeof(no_nul));
	assert_int_equal(wire_get_text(&c, &text, &len), CR_EINVAL);
	wire_cursor_init(&c, big_blob, sizeof(big_blob));
	assert_int_equal(wire_get_blob(&c, &blob, &len), CR_EINVAL);
	wire_cursor_init(&c, unknown, 4);
	assert_int_equal(wire_get_row(&c, 1, v), CR_EINVAL);
}

static void round_trips_every_param_type_through_the_row_decoder(void **state)
{
	/* Parameters and row values share their encodings; feed a parameter
	 * tuple's values behind a row header built from its type codes. */
	static const uint8_t blob[] = { 0, 1, 0, 2 };
	struct storage_value in[6] = { storage_int(INT64_MIN), storage_float(-0.5),
				       storage_text("溪流"),   storage_blob(blob, sizeof(blob)),
				       storage_null(),         storage_bool(true) };
	struct storage_value out[6];
	struct cr_buf b;
	struct wire_cursor c;
	uint8_t *d;

	(void)state;
	cr_buf_init(&b, 4096);
	assert_int_equal(wire_put_params(&b, in, 6, NULL), 0);
	d = (uint8_t *)b.data; /* n, 6 codes, pad -> rewrite as a row header */
	for (int i = 0; i < 8; i++)
		d[i] = 0;
	for (int i = 0; i < 6; i++)
		d[i / 2] |= (uint8_t)(in[i].type << (i % 2 == 0 ? 0 : 4));
	wire_cursor_init(&c, b.data, b.len);
	assert_int_equal(wire_get_row(&c, 6, out), 0);
	assert_true(out[0].i == INT64_MIN);
	assert_true(out[1].f == -0.5);
	assert_string_equal(out[2].s.p, "溪流");
	assert_int_equal(out[3].s.len, sizeof(blob));
	assert_memory_equal(out[3].s.p, blob, sizeof(blob));
	assert_int_equal(out[4].type, STORAGE_NULL);
	assert_true(out[5].b);
	cr_buf_close(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_leader_request),
		cmocka_unit_test(encodes_open_request),
		cmocka_unit_test(encodes_exec_sql_with_params),
		cmocka_unit_test(text_of_exactly_8_bytes_takes_16),
		cmocka_unit_test(refuses_bad_params),
		cmocka_unit_test(never_ends_an_empty_body),
		cmocka_unit_test(decodes_header_and_refuses_empty_or_huge),
		cmocka_unit_test(decodes_row_nibbles),
		cmocka_unit_test(refuses_truncated_and_unknown),
		cmocka_unit_test(round_trips_every_param_type_through_the_row_decoder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
