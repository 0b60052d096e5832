/* tests/unit/web/test_router.c: route matching, Allow lists, status map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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
	assert_string_equal(r->pattern, "/api/v1/health");
	assert_non_null(r->handler);
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

static void check_route(const struct web_route *r)
{
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
	/* A write is forwarded under its method's name. */
	if (r->is_write)
		assert_true((r->methods & (WEB_GET | WEB_HEAD | WEB_OPTIONS | WEB_OTHER)) == 0);
}

static void every_route_has_a_handler_and_methods(void **state)
{
	(void)state;
	for (const struct web_route *const *t = web_route_tables; *t != NULL; t++) {
		for (const struct web_route *r = *t; r->pattern != NULL; r++)
			check_route(r);
	}
}

/* Each security event names a route row that takes its methods. */
static void every_security_event_names_a_route(void **state)
{
	(void)state;
	for (const struct web_security_row *e = web_security_rows; e->pattern != NULL; e++) {
		bool is_found = false;
		for (const struct web_route *const *t = web_route_tables; *t != NULL; t++)
			for (const struct web_route *r = *t; r->pattern != NULL; r++)
				is_found = is_found || (strcmp(r->pattern, e->pattern) == 0 &&
							(r->methods & e->methods) == e->methods);
		if (!is_found)
			fail_msg("security event '%s' names no route '%s'", e->event, e->pattern);
	}
}

/* Could one path match both patterns? Segment by segment, a {param}
 * matches any literal. */
static bool patterns_overlap(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		size_t na = strcspn(a, "/");
		size_t nb = strcspn(b, "/");
		bool is_param = a[0] == '{' || b[0] == '{';
		if (!is_param && (na != nb || memcmp(a, b, na) != 0))
			return false;
		a += na;
		b += nb;
		if (*a != *b)
			return false; /* one ends here, the other goes on */
		if (*a == '/') {
			a++;
			b++;
		}
	}
	return *a == *b;
}

/* No method and path reach two rows, within a family or across: the
 * order of web/routes.c's families and of each family's rows is free. */
static void no_two_routes_serve_the_same_request(void **state)
{
	const struct web_route *all[256];
	size_t n = 0;

	(void)state;
	for (const struct web_route *const *t = web_route_tables; *t != NULL; t++)
		for (const struct web_route *r = *t; r->pattern != NULL; r++) {
			assert_true(n < sizeof(all) / sizeof(all[0]));
			all[n++] = r;
		}
	assert_true(n > 80);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if ((all[i]->methods & all[j]->methods) != 0 &&
			    patterns_overlap(all[i]->pattern, all[j]->pattern))
				fail_msg("%s and %s serve the same request", all[i]->pattern,
					 all[j]->pattern);
	assert_true(patterns_overlap("/a/{x}/c", "/a/b/c"));
	assert_false(patterns_overlap("/a/{x}", "/a/b/c"));
	assert_false(patterns_overlap("/a/bc", "/a/b"));
}

static void method_names_round_trip(void **state)
{
	char text[64];

	(void)state;
	assert_int_equal(web_method_parse("PATCH"), WEB_PATCH);
	assert_string_equal(web_method_name(WEB_PATCH), "PATCH");
	assert_string_equal(web_method_name(web_method_parse("OPTIONS")), "OPTIONS");
	assert_int_equal(web_method_parse("get"), WEB_OTHER); /* names are case-sensitive */
	assert_int_equal(web_method_parse("BREW"), WEB_OTHER);
	assert_null(web_method_name(WEB_OTHER));
	web_methods_format(WEB_DELETE | WEB_GET | WEB_OTHER, text, sizeof(text));
	assert_string_equal(text, "GET, DELETE");
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
		cmocka_unit_test(every_security_event_names_a_route),
		cmocka_unit_test(no_two_routes_serve_the_same_request),
		cmocka_unit_test(method_names_round_trip),
		cmocka_unit_test(error_codes_map_to_statuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
