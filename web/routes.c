/* web/routes.c: every API route, one row each. The HTTP tests read this
 * table's twin in tests/api to check that each route answers and refuses
 * as its permission says. Keep rows sorted by path. */
#include "web_int.h"

const struct web_route web_routes[] = {
	{ WEB_GET | WEB_HEAD, "/api/v1/cluster", web_api_cluster_get, WEB_PERM_PUBLIC, false,
	  false },
	{ WEB_GET | WEB_HEAD, "/api/v1/cluster/health-samples", web_api_cluster_samples,
	  WEB_PERM_PUBLIC, false, false },
	{ WEB_POST, "/api/v1/cluster/jobs", web_api_cluster_job_create, WEB_PERM_LOCAL, true,
	  true },
	{ WEB_GET | WEB_HEAD, "/api/v1/cluster/jobs/{id}", web_api_cluster_job_get, WEB_PERM_LOCAL,
	  false, false },
	{ WEB_POST, "/api/v1/cluster/join", web_api_cluster_join, WEB_PERM_JOIN, true, false },
	{ WEB_GET | WEB_HEAD, "/api/v1/cluster/join/ca", web_api_cluster_join_ca, WEB_PERM_JOIN,
	  false, false },
	{ WEB_DELETE, "/api/v1/cluster/nodes/{id}", web_api_cluster_node_remove, WEB_PERM_LOCAL,
	  false, false },
	{ WEB_POST, "/api/v1/cluster/tokens", web_api_cluster_token_create, WEB_PERM_LOCAL, true,
	  false },
	{ WEB_GET | WEB_HEAD, "/api/v1/cluster/write-checks", web_api_cluster_check_list,
	  WEB_PERM_LOCAL, false, false },
	{ WEB_POST, "/api/v1/cluster/write-checks", web_api_cluster_check_add, WEB_PERM_LOCAL, true,
	  true },
	{ WEB_GET | WEB_HEAD, "/api/v1/health", web_api_health, WEB_PERM_PUBLIC, false, false },
	{ WEB_GET | WEB_HEAD, "/api/v1/node/log-level", web_api_log_level_get, WEB_PERM_LOCAL,
	  false, false },
	{ WEB_PUT, "/api/v1/node/log-level", web_api_log_level_put, WEB_PERM_LOCAL, true, false },
	{ WEB_GET | WEB_HEAD, "/api/v1/openapi.json", web_api_openapi, WEB_PERM_PUBLIC, false,
	  false },
	{ 0, NULL, NULL, WEB_PERM_PUBLIC, false, false },
};
