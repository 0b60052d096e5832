/* tests/fuzz/fuzz_host_port.c: cr_parse_host_port on arbitrary text.
 *
 * What it accepts must print back and parse to the same host and port,
 * and every address cr_parse_ipv4_port accepts must split. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"

#define INPUT_MAX 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[INPUT_MAX + 1];
	char host[CR_HOST_MAX], again_host[CR_HOST_MAX];
	char printed[CR_HOST_MAX + 16];
	uint16_t port = 0, again_port = 0;
	int rc;

	if (size > INPUT_MAX)
		size = INPUT_MAX;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = cr_parse_host_port(s, host, &port, NULL);
	if (cr_parse_ipv4_port(s, NULL) == 0 && rc < 0)
		abort();
	if (rc < 0)
		return 0;
	if (host[0] == '\0' || strlen(host) >= CR_HOST_MAX || port == 0)
		abort();
	(void)snprintf(printed, sizeof(printed), strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u",
		       host, (unsigned)port);
	if (cr_parse_host_port(printed, again_host, &again_port, NULL) < 0 ||
	    strcmp(host, again_host) != 0 || port != again_port)
		abort();
	return 0;
}
