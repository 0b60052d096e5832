/* node/journal.c: see journal.h. */
#include "journal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

bool node_journal_is_stderr(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev = 0;
	unsigned long long ino = 0;
	struct stat st;

	if (e == NULL || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(2, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void node_journal_sink(enum cr_log_level level, const struct cr_log_site *site, const char *msg,
		       void *arg)
{
	const char *node = arg != NULL ? arg : "";
	char line[16];

	(void)snprintf(line, sizeof(line), "CODE_LINE=%d", site->line);
	(void)sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", (int)level, "CREEK_MODULE=%s",
			      site->module, "CREEK_NODE=%s", node, "CODE_FILE=%s", site->file, line,
			      "CODE_FUNC=%s", site->func, NULL);
}
