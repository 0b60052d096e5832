/* tests/unit/node/test_config.c: creek.conf and flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "node/config.h"

static char conf_path[64];

static void write_conf(const char *text)
{
	FILE *f;

	strcpy(conf_path, "/tmp/creek-conf-XXXXXX");
	int fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

static int parse(const char *text, int argc_extra, const char **extra, struct node_config *cfg,
		 struct cr_err *err)
{
	char *argv[16] = { "creekd", "--config", conf_path };
	int argc = 3;
	int rc;

	write_conf(text);
	for (int i = 0; i < argc_extra; i++)
		argv[argc++] = (char *)extra[i];
	rc = node_config_parse(argc, argv, cfg, err);
	unlink(conf_path);
	return rc;
}

static void defaults_apply_without_a_file_entry(void **state)
{
	struct node_config cfg;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(parse("# nothing\n\n", 0, NULL, &cfg, &err), 0);
	assert_string_equal(cfg.http, "127.0.0.1:8080");
	assert_string_equal(cfg.cluster_address, "127.0.0.1:9443");
	assert_string_equal(cfg.data_dir, "/var/lib/creek");
	assert_int_equal(cfg.http_max_body, 1048576);
	assert_int_equal(cfg.store_latency_ms, 40);
	assert_true(cfg.cluster_tls);
	assert_string_equal(cfg.https, "0.0.0.0:8443");
	assert_int_equal(cfg.cluster_probe_ms, 500);
	node_config_close(&cfg);
}

static void flags_override_the_file(void **state)
{
	struct node_config cfg;
	struct cr_err err = { 0 };
	const char *flags[] = { "--data-dir", "/srv/creek", "--http=0.0.0.0:80", "--foreground" };

	(void)state;
	assert_int_equal(parse("data-dir = /var/other\nhttp-timeout = 7 \n", 4, flags, &cfg, &err),
			 0);
	assert_string_equal(cfg.data_dir, "/srv/creek");
	assert_string_equal(cfg.http, "0.0.0.0:80");
	assert_int_equal(cfg.http_timeout_s, 7);
	assert_true(cfg.is_foreground);
	node_config_close(&cfg);
}

static void bad_values_name_file_line_and_setting(void **state)
{
	struct node_config cfg;
	struct cr_err err = { 0 };
	char want[128];

	(void)state;
	assert_int_equal(parse("# c\nhttp-timeout = 70000\n", 0, NULL, &cfg, &err), CR_EINVAL);
	snprintf(want, sizeof(want), "%s:2: http-timeout: 70000 is above the maximum 3600",
		 conf_path);
	assert_string_equal(err.msg, want);
	assert_int_equal(parse("colour = blue\n", 0, NULL, &cfg, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, ":1: unknown setting 'colour'"));
	assert_int_equal(parse("no equals sign\n", 0, NULL, &cfg, &err), CR_EINVAL);
	assert_int_equal(parse("cluster-address = db.local:9443\n", 0, NULL, &cfg, &err),
			 CR_EINVAL);
	assert_non_null(strstr(err.msg, "cluster-address"));
	assert_int_equal(parse("log-level = loud\n", 0, NULL, &cfg, &err), CR_EINVAL);
	assert_int_equal(parse("http-threads = -1\n", 0, NULL, &cfg, &err), CR_EINVAL);
	assert_int_equal(
	    parse("snapshot-threshold = 100\nsnapshot-trailing = 50\n", 0, NULL, &cfg, &err),
	    CR_EINVAL);
	assert_int_equal(parse("cluster-tls = maybe\n", 0, NULL, &cfg, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "is not on or off"));
	/* Cluster traffic in clear text only on loopback. */
	assert_int_equal(
	    parse("cluster-tls = off\ncluster-address = 10.0.0.5:9443\n", 0, NULL, &cfg, &err),
	    CR_EINVAL);
	assert_non_null(strstr(err.msg, "only with a loopback cluster-address"));
	assert_int_equal(parse("cluster-tls = off\nhttps = off\n", 0, NULL, &cfg, &err), 0);
	assert_false(cfg.cluster_tls);
	assert_null(cfg.https);
	node_config_close(&cfg);
}

static void bad_flags_are_refused(void **state)
{
	struct node_config cfg;
	struct cr_err err = { 0 };
	const char *unknown[] = { "--colour", "blue" };
	const char *missing[] = { "--http" };
	const char *stray[] = { "run" };

	(void)state;
	assert_int_equal(parse("", 2, unknown, &cfg, &err), CR_EINVAL);
	assert_string_equal(err.msg, "unknown flag '--colour' (see --help)");
	assert_int_equal(parse("", 1, missing, &cfg, &err), CR_EINVAL);
	assert_string_equal(err.msg, "--http needs a value");
	assert_int_equal(parse("", 1, stray, &cfg, &err), CR_EINVAL);
}

static void the_test_fault_is_off_by_default_and_checked(void **state)
{
	struct node_config cfg;
	struct cr_err err = { 0 };
	const char *on[] = { "--test-exit-after-write", "crash-" };
	char long_prefix[160];

	(void)state;
	assert_int_equal(parse("", 0, NULL, &cfg, &err), 0);
	assert_null(cfg.test_exit_after_write);
	node_config_close(&cfg);
	assert_int_equal(parse("", 2, on, &cfg, &err), 0);
	assert_string_equal(cfg.test_exit_after_write, "crash-");
	node_config_close(&cfg);
	assert_int_equal(parse("test-exit-after-write = off\n", 0, NULL, &cfg, &err), 0);
	assert_null(cfg.test_exit_after_write);
	node_config_close(&cfg);
	assert_int_equal(parse("test-exit-after-write = a b\n", 0, NULL, &cfg, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "test-exit-after-write: must be off or 1 to 128"));
	memset(long_prefix, 'x', sizeof(long_prefix));
	memcpy(long_prefix, "test-exit-after-write = ", 24);
	long_prefix[24 + 129] = '\0';
	assert_int_equal(parse(long_prefix, 0, NULL, &cfg, &err), CR_EINVAL);
}

static void a_missing_named_config_file_is_an_error(void **state)
{
	struct node_config cfg;
	struct cr_err err = { 0 };
	char *argv[] = { "creekd", "--config", "/nonexistent/creek.conf" };

	(void)state;
	assert_int_equal(node_config_parse(3, argv, &cfg, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "/nonexistent/creek.conf: cannot read"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_apply_without_a_file_entry),
		cmocka_unit_test(flags_override_the_file),
		cmocka_unit_test(bad_values_name_file_line_and_setting),
		cmocka_unit_test(bad_flags_are_refused),
		cmocka_unit_test(a_missing_named_config_file_is_an_error),
		cmocka_unit_test(the_test_fault_is_off_by_default_and_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
