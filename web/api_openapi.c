/* web/api_openapi.c: GET /api/v1/openapi.json, the API's description.
 * The document is web/openapi.json, compiled in by web/embed.cmake. */
#include "web_int.h"

extern const unsigned char web_openapi_json[];
extern const size_t web_openapi_json_len;

static void openapi_get(struct web_request *req)
{
	struct MHD_Response *r = web_response_bytes(req, (void *)web_openapi_json,
						    web_openapi_json_len, MHD_RESPMEM_PERSISTENT);

	if (r == NULL) {
		web_reply_error(req, CR_EINTERNAL, "out of memory");
		return;
	}
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	web_headers_add(r, true);
	req->response = r;
	req->status = 200;
}

/* This family's routes; web/routes.c lists the families. */
const struct web_route web_routes_openapi[] = {
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/openapi.json",
	  .handler = openapi_get,
	  .permission = WEB_PERM_PUBLIC },
	{ .pattern = NULL },
};
