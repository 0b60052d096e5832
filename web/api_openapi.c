/* web/api_openapi.c: GET /api/v1/openapi.json, the API's description.
 * The document is web/openapi.json, compiled in by web/embed.cmake. */
#include "web_int.h"

extern const unsigned char web_openapi_json[];
extern const size_t web_openapi_json_len;

void web_api_openapi(struct web_request *req)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    web_openapi_json_len, (void *)web_openapi_json, MHD_RESPMEM_PERSISTENT);

	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	web_headers_add(r, true);
	req->response = r;
	req->status = 200;
}
