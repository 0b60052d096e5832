/* tests/unit/storage/test_kept.c: answers kept at a version (kept.h):
 * given back only for the same database, statement, parameters and
 * version, as copies; too large answers and version 0 never kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "storage/kept.h"

static const char SQL[] = "SELECT id, name FROM department WHERE id > ?";

/* n rows (i, "name <i>" padded to width bytes). */
static void rows_make(struct storage_rows *rows, size_t n, size_t width)
{
	static const char *const cols[] = { "id", "name" };
	char name[2048];

	storage_rows_init(rows);
	for (size_t i = 0; i < n; i++) {
		struct storage_value row[2];
		size_t len = (size_t)snprintf(name, sizeof(name), "name %zu", i);
		while (len < width && len < sizeof(name) - 1)
			name[len++] = 'x';
		name[len] = '\0';
		row[0] = storage_int((int64_t)i);
		row[1] = storage_text(name);
		assert_int_equal(storage_rows_add(rows, 2, cols, row, NULL), 0);
	}
}

static void an_answer_is_given_back_only_for_the_same_question_and_version(void **state)
{
	struct storage_kept *k = storage_kept_new();
	struct storage_value p = storage_int(5), q = storage_int(6), t = storage_text("5");
	struct storage_rows rows, got;
	uint64_t hits, misses;

	(void)state;
	rows_make(&rows, 3, 10);
	assert_false(storage_kept_get(k, "ws-a", 7, SQL, &p, 1, &got));
	storage_rows_close(&got);
	storage_kept_put(k, "ws-a", 7, SQL, &p, 1, &rows);
	storage_rows_close(&rows); /* what is kept is a copy */

	assert_true(storage_kept_get(k, "ws-a", 7, SQL, &p, 1, &got));
	assert_int_equal(got.n_rows, 3);
	assert_int_equal(got.n_cols, 2);
	assert_string_equal(got.cols[1], "name");
	assert_int_equal(storage_rows_int(&got, 2, 0, -1), 2);
	assert_string_equal(storage_rows_text(&got, 1, 1), "name 1xxxx");
	storage_rows_close(&got);

	/* another version, database, statement or parameter: not kept */
	assert_false(storage_kept_get(k, "ws-a", 8, SQL, &p, 1, &got));
	storage_rows_close(&got);
	assert_false(storage_kept_get(k, "ws-a", 6, SQL, &p, 1, &got));
	storage_rows_close(&got);
	assert_false(storage_kept_get(k, "ws-b", 7, SQL, &p, 1, &got));
	storage_rows_close(&got);
	assert_false(storage_kept_get(k, "ws-a", 7, "SELECT 1", &p, 1, &got));
	storage_rows_close(&got);
	assert_false(storage_kept_get(k, "ws-a", 7, SQL, &q, 1, &got));
	storage_rows_close(&got);
	assert_false(storage_kept_get(k, "ws-a", 7, SQL, &t, 1, &got)); /* "5" is not 5 */
	storage_rows_close(&got);
	assert_false(storage_kept_get(k, "ws-a", 7, SQL, NULL, 0, &got));
	storage_rows_close(&got);

	/* a newer version's answer replaces it */
	rows_make(&rows, 1, 10);
	storage_kept_put(k, "ws-a", 8, SQL, &p, 1, &rows);
	storage_rows_close(&rows);
	assert_false(storage_kept_get(k, "ws-a", 7, SQL, &p, 1, &got));
	storage_rows_close(&got);
	assert_true(storage_kept_get(k, "ws-a", 8, SQL, &p, 1, &got));
	assert_int_equal(got.n_rows, 1);
	storage_rows_close(&got);

	storage_kept_counts(k, &hits, &misses);
	assert_int_equal(hits, 2);
	assert_int_equal(misses, 9);
	storage_kept_free(k);
}

static void version_zero_and_large_answers_are_never_kept(void **state)
{
	struct storage_kept *k = storage_kept_new();
	struct storage_rows rows, got;

	(void)state;
	rows_make(&rows, 2, 10);
	storage_kept_put(k, "ws-a", 0, SQL, NULL, 0, &rows);
	assert_false(storage_kept_get(k, "ws-a", 0, SQL, NULL, 0, &got));
	storage_rows_close(&got);
	storage_rows_close(&rows);

	/* 1,000 rows of 1,200 bytes: more than STORAGE_KEPT_MAX_BYTES */
	rows_make(&rows, 1000, 1200);
	storage_kept_put(k, "ws-a", 3, SQL, NULL, 0, &rows);
	assert_false(storage_kept_get(k, "ws-a", 3, SQL, NULL, 0, &got));
	storage_rows_close(&got);
	storage_rows_close(&rows);

	/* an empty answer is an answer */
	storage_rows_init(&rows);
	storage_kept_put(k, "ws-a", 3, SQL, NULL, 0, &rows);
	assert_true(storage_kept_get(k, "ws-a", 3, SQL, NULL, 0, &got));
	assert_int_equal(got.n_rows, 0);
	storage_rows_close(&got);
	storage_rows_close(&rows);
	storage_kept_free(k);
}

static void keys_that_share_a_set_are_all_kept(void **state)
{
	struct storage_kept *k = storage_kept_new();
	struct storage_rows rows, got;
	uint64_t hits, misses;
	enum { N = STORAGE_KEPT_SLOTS / 2 }; /* many sets hold more than one key */

	(void)state;
	rows_make(&rows, 1, 10);
	for (int64_t i = 0; i < N; i++) {
		struct storage_value p = storage_int(i);
		storage_kept_put(k, "ws-a", 1, SQL, &p, 1, &rows);
	}
	storage_rows_close(&rows);
	for (int64_t i = 0; i < N; i++) {
		struct storage_value p = storage_int(i);
		(void)storage_kept_get(k, "ws-a", 1, SQL, &p, 1, &got);
		storage_rows_close(&got);
	}
	storage_kept_counts(k, &hits, &misses);
	/* slots of one key each would lose about a third of them */
	print_message("%llu of %d kept\n", (unsigned long long)hits, (int)N);
	assert_true(hits >= (uint64_t)N * 95 / 100);
	storage_kept_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_answer_is_given_back_only_for_the_same_question_and_version),
		cmocka_unit_test(version_zero_and_large_answers_are_never_kept),
		cmocka_unit_test(keys_that_share_a_set_are_all_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
