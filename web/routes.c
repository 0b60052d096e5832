/* web/routes.c: the route families the router walks, in this order.
 * Each web/api_*.c file keeps its rows ({methods, pattern, handler,
 * permission, body, is_write}) beside its static handlers; a family not
 * listed here is not served. Patterns of different families never match
 * the same method and path (tests/unit/web/test_router.c), so the order
 * does not change which handler runs. The HTTP tests read the rows in
 * web/api_*.c to check that each route answers and refuses as its
 * permission says. */
#include "web_int.h"

const struct web_route *const web_route_tables[] = {
	web_routes_node,     web_routes_openapi,
	web_routes_cluster,  web_routes_files,
	web_routes_identity, web_routes_org,
	web_routes_apps,     web_routes_forms,
	web_routes_transfer, NULL,
};
