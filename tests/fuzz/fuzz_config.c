/* tests/fuzz/fuzz_config.c: creek.conf parsing on arbitrary files. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "node/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/creek-fuzz-conf-XXXXXX";
	char *argv[] = { "creekd", "--config", path };
	struct node_config cfg;
	struct cr_err err;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && node_config_parse(3, argv, &cfg, &err) == 0)
		node_config_close(&cfg);
	close(fd);
	unlink(path);
	return 0;
}
