/* web/routes.c: every API route, one row each. The HTTP tests read this
 * table's twin in tests/api to check that each route answers and refuses
 * as its permission says. Keep rows sorted by path. */
#include "web_int.h"

const struct web_route web_routes[] = {
	{ WEB_GET | WEB_HEAD, "/api/v1/health", web_api_health, WEB_PERM_PUBLIC, false },
	{ WEB_GET | WEB_HEAD, "/api/v1/node/log-level", web_api_log_level_get, WEB_PERM_LOCAL,
	  false },
	{ WEB_PUT, "/api/v1/node/log-level", web_api_log_level_put, WEB_PERM_LOCAL, true },
	{ WEB_GET | WEB_HEAD, "/api/v1/openapi.json", web_api_openapi, WEB_PERM_PUBLIC, false },
	{ 0, NULL, NULL, WEB_PERM_PUBLIC, false },
};
