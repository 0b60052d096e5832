/* tests/unit/web/test_router.c: route matching, Allow lists, status map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "web/web_int.h"

static int find(const char *path, enum web_method m, const struct web_route **r, unsigned *allow)
{
	struct web_request req;
	int rc;

	memset(&req, 0, sizeof(req));
	cr_arena_init(&req.arena, 4096);
	req.path = path;
	req.method = m;
	rc = web_route_find(&req, r, allow);
	cr_arena_close(&req.arena);
	return rc;
}

static void finds_health(void **state)
{
	const struct web_route *r = NULL;
	unsigned allow = 0;

	(void)state;
	assert_int_equal(find("/api/v1/health", WEB_GET, &r, &allow), 0);
	assert_ptr_equal(r->handler, web_api_health);
	assert_int_equal(r->permission, WEB_PERM_PUBLIC);
}

static void wrong_method_lists_allowed_ones(void **state)
{
	const struct web_route *r = NULL;
	unsigned allow = 0;
	char text[64];

	(void)state;
	assert_int_equal(find("/api/v1/node/log-level", WEB_DELETE, &r, &allow), CR_EINVAL);
	web_methods_format(allow, text, sizeof(text));
	assert_string_equal(text, "GET, HEAD, PUT");
}

static void unknown_paths_are_not_found(void **state)
{
	const struct web_route *r = NULL;
	unsigned allow = 0;

	(void)state;
	assert_int_equal(find("/api/v1/healthz", WEB_GET, &r, &allow), CR_ENOTFOUND);
	assert_int_equal(find("/api/v1/health/", WEB_GET, &r, &allow), CR_ENOTFOUND);
	assert_int_equal(find("/api/v1", WEB_GET, &r, &allow), CR_ENOTFOUND);
	assert_int_equal(find("", WEB_GET, &r, &allow), CR_ENOTFOUND);
}

static void every_route_has_a_handler_and_methods(void **state)
{
	(void)state;
	for (const struct web_route *r = web_routes; r->pattern != NULL; r++) {
		assert_non_null(r->handler);
		assert_true(r->methods != 0);
		assert_true(strncmp(r->pattern, "/api/v1/", 8) == 0);
		/* Only methods that carry a body may expect one. */
		if (r->body != WEB_BODY_NONE)
			assert_true((r->methods & (WEB_GET | WEB_HEAD | WEB_DELETE)) == 0);
		/* An upload is admitted before its body comes: never forwarded. */
		if (r->body == WEB_BODY_UPLOAD)
			assert_false(r->is_write);
		/* Peer routes are reached on the cluster port only. */
		if (r->permission == WEB_PERM_PEER)
			assert_true(strncmp(r->pattern, "/api/v1/cluster/", 16) == 0);
	}
}

static void error_codes_map_to_statuses(void **state)
{
	(void)state;
	assert_int_equal(web_status_for(CR_EINVAL), 400);
	assert_int_equal(web_status_for(CR_EDENIED), 403);
	assert_int_equal(web_status_for(CR_ENOTFOUND), 404);
	assert_int_equal(web_status_for(CR_ECONFLICT), 409);
	assert_int_equal(web_status_for(CR_ETOOBIG), 413);
	assert_int_equal(web_status_for(CR_EUNAVAIL), 503);
	assert_int_equal(web_status_for(CR_EUNKNOWN), 503);
	assert_int_equal(web_status_for(CR_EINTERNAL), 500);
	assert_int_equal(web_status_for(-42), 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_health),
		cmocka_unit_test(wrong_method_lists_allowed_ones),
		cmocka_unit_test(unknown_paths_are_not_found),
		cmocka_unit_test(every_route_has_a_handler_and_methods),
		cmocka_unit_test(error_codes_map_to_statuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
