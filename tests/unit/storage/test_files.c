/* tests/unit/storage/test_files.c: the content-addressed file store on disk
 * (storage/files.h): names, idempotent stores, checked copies, limits,
 * listings, and that no name leaves the tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../support/fixture.h"
#include "storage/files.h"

#define WS    "w0123456789ab"
#define OTHER "w00000000000f"
/* SHA-256 of "abc" (FIPS 180-2, appendix B.1) */
#define ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

struct t {
	char dir[64];
	char root[128];
	struct storage_files *f;
};

static void *sha256_begin(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	return ctx;
}

static void sha256_update(void *state, const void *data, size_t len)
{
	(void)EVP_DigestUpdate(state, data, len);
}

static void sha256_end(void *state, uint8_t out[32])
{
	unsigned n = 32;

	(void)EVP_DigestFinal_ex(state, out, &n);
	EVP_MD_CTX_free(state);
}

static const struct storage_sha256 sha256 = { sha256_begin, sha256_update, sha256_end };

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	struct cr_err err = { 0 };

	(void)snprintf(t->dir, sizeof(t->dir), "/tmp/creek-files-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	(void)snprintf(t->root, sizeof(t->root), "%s/files", t->dir);
	assert_int_equal(storage_files_new(t->root, &sha256, &t->f, &err), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	storage_files_free(t->f);
	fixture_rmtree(t->dir);
	free(t);
	return 0;
}

static bool exists(const struct t *t, const char *rel)
{
	char path[512];
	struct stat st;

	(void)snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	return lstat(path, &st) == 0;
}

static void write_raw(const struct t *t, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static unsigned count_entries(const struct t *t, const char *rel)
{
	char path[512];
	unsigned n = 0;
	DIR *d;

	(void)snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	d = opendir(path);
	assert_non_null(d);
	for (const struct dirent *e = readdir(d); e != NULL; e = readdir(d))
		n += e->d_name[0] != '.' || strncmp(e->d_name, ".tmp-", 5) == 0;
	closedir(d);
	return n;
}

static void stores_a_file_under_its_hash(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	struct cr_buf b;
	uint64_t size = 0;

	assert_int_equal(storage_files_put(t->f, WS, "abc", 3, sha, &err), 0);
	assert_string_equal(sha, ABC);
	assert_true(exists(t, WS "/ba/" ABC));
	assert_true(storage_files_has(t->f, WS, ABC));
	assert_false(storage_files_has(t->f, OTHER, ABC)); /* per workspace */
	assert_int_equal(storage_files_stat(t->f, WS, ABC, &size, &err), 0);
	assert_int_equal(size, 3);
	assert_int_equal(storage_files_get(t->f, WS, ABC, 3, &b, &err), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "abc", 3);
	cr_buf_close(&b);
}

static void storing_twice_changes_nothing(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	struct stat before, after;
	char path[512];

	(void)snprintf(path, sizeof(path), "%s/" WS "/ba/" ABC, t->root);
	assert_int_equal(storage_files_put(t->f, WS, "abc", 3, sha, &err), 0);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(storage_files_put(t->f, WS, "abc", 3, sha, &err), 0);
	assert_int_equal(storage_files_put_checked(t->f, WS, ABC, "abc", 3, &err), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);   /* not rewritten */
	assert_int_equal(count_entries(t, WS "/ba"), 1); /* no temporary file left */
}

static void replaces_a_copy_of_the_wrong_size(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	struct cr_buf b;

	assert_int_equal(storage_files_put(t->f, WS, "abc", 3, sha, &err), 0);
	write_raw(t, WS "/ba/" ABC, "a"); /* truncated on disk */
	assert_int_equal(storage_files_put_checked(t->f, WS, ABC, "abc", 3, &err), 0);
	assert_int_equal(storage_files_get(t->f, WS, ABC, 100, &b, &err), 0);
	assert_memory_equal(b.data, "abc", 3);
	cr_buf_close(&b);
}

static void refuses_bytes_that_do_not_match_their_name(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };

	assert_int_equal(storage_files_put_checked(t->f, WS, ABC, "abd", 3, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "SHA-256"));
	assert_false(storage_files_has(t->f, WS, ABC));
	assert_false(exists(t, WS "/ba/" ABC));
}

static void refuses_names_that_could_leave_the_tree(void **state)
{
	static const char *const bad_ws[] = { NULL,
					      "",
					      "..",
					      "../" WS,
					      "w0123456789a",
					      "w0123456789abc",
					      "W0123456789ab",
					      "w0123456789aB",
					      "x0123456789ab",
					      "w01234567/9ab",
					      "w0123456789a\n" };
	static const char *const bad_sha[] = {
		NULL,
		"",
		"../../../../etc/passwd",
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a/",
		"ba/../../../../../../../../../../../../../../../../../../../../../x",
	};
	struct t *t = *state;
	struct cr_err err = { 0 };
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	struct cr_buf b;
	uint64_t size;
	int fd;

	for (size_t i = 0; i < sizeof(bad_ws) / sizeof(bad_ws[0]); i++) {
		assert_false(storage_files_workspace_valid(bad_ws[i]));
		assert_int_equal(storage_files_put(t->f, bad_ws[i], "abc", 3, sha, &err),
				 CR_EINVAL);
		assert_int_equal(storage_files_put_checked(t->f, bad_ws[i], ABC, "abc", 3, &err),
				 CR_EINVAL);
		assert_int_equal(storage_files_get(t->f, bad_ws[i], ABC, 10, &b, &err), CR_EINVAL);
		assert_int_equal(storage_files_stat(t->f, bad_ws[i], ABC, &size, &err), CR_EINVAL);
		assert_false(storage_files_has(t->f, bad_ws[i], ABC));
	}
	for (size_t i = 0; i < sizeof(bad_sha) / sizeof(bad_sha[0]); i++) {
		assert_false(storage_files_sha256_valid(bad_sha[i]));
		assert_int_equal(storage_files_put_checked(t->f, WS, bad_sha[i], "abc", 3, &err),
				 CR_EINVAL);
		assert_int_equal(storage_files_open(t->f, WS, bad_sha[i], &fd, &size, &err),
				 CR_EINVAL);
		assert_false(storage_files_has(t->f, WS, bad_sha[i]));
	}
	assert_int_equal(count_entries(t, "."), 0); /* nothing was made */
}

static void a_missing_file_is_not_found(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	struct cr_buf b;
	uint64_t size;

	assert_int_equal(storage_files_get(t->f, WS, ABC, 10, &b, &err), CR_ENOTFOUND);
	assert_int_equal(storage_files_stat(t->f, WS, ABC, &size, &err), CR_ENOTFOUND);
}

static void get_refuses_a_file_above_the_limit(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	struct cr_buf b;

	assert_int_equal(storage_files_put(t->f, WS, "abc", 3, sha, &err), 0);
	assert_int_equal(storage_files_get(t->f, WS, ABC, 2, &b, &err), CR_ETOOBIG);
	assert_int_equal(storage_files_get(t->f, WS, ABC, 3, &b, &err), 0);
	cr_buf_close(&b);
}

static void stores_an_empty_file(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	struct cr_buf b;

	assert_int_equal(storage_files_put(t->f, WS, "", 0, sha, &err), 0);
	assert_string_equal(sha,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(storage_files_get(t->f, WS, sha, 0, &b, &err), 0);
	assert_int_equal(b.len, 0);
	cr_buf_close(&b);
}

struct seen {
	char names[16][STORAGE_FILES_SHA256_HEX + 1];
	unsigned n;
	unsigned stop_after;
};

static int see(void *arg, const char *name)
{
	struct seen *s = arg;

	if (s->stop_after > 0 && s->n == s->stop_after)
		return CR_ECONFLICT;
	(void)snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
	return 0;
}

static void make_dir(const struct t *t, const char *rel)
{
	char path[512];

	(void)snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	assert_int_equal(mkdir(path, 0750), 0);
}

static void lists_workspaces_and_buckets_in_order(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	struct seen s = { 0 };
	char text[16];

	/* Three more texts whose hashes share their first byte with "abc"'s. */
	for (unsigned i = 0, found = 0; found < 3 && i < 100000; i++) {
		(void)snprintf(text, sizeof(text), "%u", i);
		storage_files_sha256_hex(t->f, text, strlen(text), sha);
		if (strncmp(sha, "ba", 2) != 0)
			continue;
		assert_int_equal(storage_files_put(t->f, WS, text, strlen(text), sha, &err), 0);
		found++;
	}
	assert_int_equal(storage_files_put(t->f, WS, "abc", 3, sha, &err), 0);
	assert_int_equal(storage_files_put(t->f, OTHER, "abc", 3, sha, &err), 0);
	/* What is not a file of the store is not listed. */
	make_dir(t, "not-a-workspace");
	make_dir(t, "W0123456789AB");
	make_dir(t, WS "/00");
	write_raw(t, WS "/ba/README", "x");
	write_raw(t, WS "/ba/BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		  "x");
	write_raw(t, WS "/00/" ABC, "abc"); /* in the wrong bucket */

	assert_int_equal(storage_files_workspaces(t->f, see, &s, &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], OTHER);
	assert_string_equal(s.names[1], WS);
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_files_bucket(t->f, WS, 0xba, see, &s, &err), 0);
	assert_int_equal(s.n, 4);
	for (unsigned i = 1; i < s.n; i++)
		assert_true(strcmp(s.names[i - 1], s.names[i]) < 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_files_bucket(t->f, WS, 0x00, see, &s, &err), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(storage_files_bucket(t->f, WS, 0x01, see, &s, &err), 0); /* no dir */
	assert_int_equal(s.n, 0);
	assert_int_equal(storage_files_bucket(t->f, WS, 256, see, &s, &err), CR_EINVAL);
	assert_int_equal(storage_files_bucket(t->f, "../x", 0, see, &s, &err), CR_EINVAL);
	/* A callback's error stops the listing and is returned. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(storage_files_bucket(t->f, WS, 0xba, see, &s, &err), CR_ECONFLICT);
	assert_int_equal(s.n, 2);
}

static void a_listing_removes_temporary_files_a_crash_left(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	char path[512];
	struct seen s = { 0 };
	struct timespec old[2] = { { time(NULL) - 2 * STORAGE_FILES_TMP_MAX_AGE_S, 0 },
				   { time(NULL) - 2 * STORAGE_FILES_TMP_MAX_AGE_S, 0 } };

	assert_int_equal(storage_files_put(t->f, WS, "abc", 3, sha, &err), 0);
	write_raw(t, WS "/ba/.tmp-1-1", "half a file");
	write_raw(t, WS "/ba/.tmp-1-2", "being written now");
	(void)snprintf(path, sizeof(path), "%s/" WS "/ba/.tmp-1-1", t->root);
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_int_equal(storage_files_bucket(t->f, WS, 0xba, see, &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_false(exists(t, WS "/ba/.tmp-1-1"));
	assert_true(exists(t, WS "/ba/.tmp-1-2"));
}

/* An upload streamed in chunks lands under its hash; the temporary file
 * is gone and nothing but the chunk in flight was held in memory. */
static void an_upload_streams_to_disk_and_lands_under_its_hash(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	struct storage_files_upload *u = NULL;
	char sha[STORAGE_FILES_SHA256_HEX + 1];

	assert_int_equal(storage_files_upload_new(t->f, 3, &u, &err), 0);
	assert_int_equal(count_entries(t, ".uploads"), 1);
	assert_int_equal(storage_files_upload_write(u, "a", 1, &err), 0);
	assert_int_equal(storage_files_upload_write(u, "bc", 2, &err), 0);
	assert_int_equal(storage_files_upload_size(u), 3);
	assert_int_equal(storage_files_upload_commit(u, WS, NULL, sha, &err), 0);
	assert_string_equal(sha, ABC);
	storage_files_upload_free(u);
	assert_true(storage_files_has(t->f, WS, ABC));
	assert_int_equal(count_entries(t, ".uploads"), 0);
}

static void an_upload_refuses_bytes_past_its_limit_and_leaves_nothing(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	struct storage_files_upload *u = NULL;
	char sha[STORAGE_FILES_SHA256_HEX + 1];

	assert_int_equal(storage_files_upload_new(t->f, 2, &u, &err), 0);
	assert_int_equal(storage_files_upload_write(u, "ab", 2, &err), 0);
	assert_int_equal(storage_files_upload_write(u, "c", 1, &err), CR_ETOOBIG);
	assert_int_equal(storage_files_upload_commit(u, WS, NULL, sha, &err), CR_ETOOBIG);
	storage_files_upload_free(u);
	assert_int_equal(count_entries(t, ".uploads"), 0);
	assert_false(exists(t, WS));
}

static void a_checked_upload_refuses_bytes_of_another_hash(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };
	struct storage_files_upload *u = NULL;
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	const char *other = "0000000000000000000000000000000000000000000000000000000000000000";

	assert_int_equal(storage_files_upload_new(t->f, 10, &u, &err), 0);
	assert_int_equal(storage_files_upload_write(u, "abc", 3, &err), 0);
	assert_int_equal(storage_files_upload_commit(u, WS, other, sha, &err), CR_EINVAL);
	storage_files_upload_free(u);
	assert_false(storage_files_has(t->f, WS, ABC));
	assert_int_equal(storage_files_upload_new(t->f, 10, &u, &err), 0);
	assert_int_equal(storage_files_upload_write(u, "abc", 3, &err), 0);
	assert_int_equal(storage_files_upload_commit(u, WS, ABC, sha, &err), 0);
	storage_files_upload_free(u);
	assert_true(storage_files_has(t->f, WS, ABC));
}

static void opening_the_store_clears_uploads_a_crash_left(void **state)
{
	struct t *t = *state;
	struct cr_err err = { 0 };

	write_raw(t, ".uploads/.tmp-crashed", "half a file");
	storage_files_free(t->f);
	assert_int_equal(storage_files_new(t->root, &sha256, &t->f, &err), 0);
	assert_false(exists(t, ".uploads/.tmp-crashed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(stores_a_file_under_its_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(storing_twice_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(replaces_a_copy_of_the_wrong_size, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_bytes_that_do_not_match_their_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(refuses_names_that_could_leave_the_tree, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_missing_file_is_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(get_refuses_a_file_above_the_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(stores_an_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(lists_workspaces_and_buckets_in_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_listing_removes_temporary_files_a_crash_left,
						setup, teardown),
		cmocka_unit_test_setup_teardown(an_upload_streams_to_disk_and_lands_under_its_hash,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
		    an_upload_refuses_bytes_past_its_limit_and_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(a_checked_upload_refuses_bytes_of_another_hash,
						setup, teardown),
		cmocka_unit_test_setup_teardown(opening_the_store_clears_uploads_a_crash_left,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
