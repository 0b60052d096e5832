/* tests/fuzz/fuzz_peer_head.c: the head of a peer's HTTP answer
 * (cluster/forward.c) on arbitrary bytes, cut where cluster_http() cuts
 * it: at the first blank line of NUL-terminated text. What it accepts has
 * a real status and terminated header values. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster_int.h"

#define INPUT_MAX 16384 /* forward.c's HEAD_MAX */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[INPUT_MAX + 1];
	struct cluster_http_response resp;
	size_t content_length = 0;
	bool keep_alive = false;
	const char *end;

	if (size > INPUT_MAX)
		size = INPUT_MAX;
	memcpy(buf, data, size);
	buf[size] = '\0';
	end = strstr(buf, "\r\n\r\n");
	if (end == NULL)
		return 0;
	memset(&resp, 0, sizeof(resp));
	if (cluster_http_parse_head(buf, (size_t)(end - buf) + 4, &resp, &content_length,
				    &keep_alive) < 0)
		return 0;
	if (resp.status < 100 || resp.status > 599 ||
	    strnlen(resp.content_type, sizeof(resp.content_type)) == sizeof(resp.content_type) ||
	    strnlen(resp.set_cookie, sizeof(resp.set_cookie)) == sizeof(resp.set_cookie) ||
	    strnlen(resp.retry_after, sizeof(resp.retry_after)) == sizeof(resp.retry_after))
		abort();
	return 0;
}
