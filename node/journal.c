/* node/journal.c: see journal.h. */
#include "journal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
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

/* "NAME=value" into buf (value escaped as log messages are) as iov[*n]. */
static void add_field(struct iovec *iov, size_t *n, char *buf, size_t buf_len, const char *name,
		      const char *value)
{
	int len = snprintf(buf, buf_len, "%s=", name);

	if (value == NULL || len < 0 || (size_t)len >= buf_len)
		return;
	len += (int)cr_log_escape(value, buf + len, buf_len - (size_t)len);
	iov[*n].iov_base = buf;
	iov[*n].iov_len = (size_t)len;
	(*n)++;
}

void node_journal_sink(enum cr_log_level level, const struct cr_log_site *site, const char *msg,
		       void *arg)
{
	const struct cr_log_fields *f = cr_log_fields_get();
	const char *node = arg != NULL ? arg : "";
	char text[6][192];
	char more[5][192];
	char message[2100];
	struct iovec iov[12];
	size_t n = 0;

	add_field(iov, &n, message, sizeof(message), "MESSAGE", msg);
	(void)snprintf(text[0], sizeof(text[0]), "PRIORITY=%d", (int)level);
	(void)snprintf(text[1], sizeof(text[1]), "CODE_LINE=%d", site->line);
	for (size_t i = 0; i < 2; i++)
		iov[n++] = (struct iovec){ .iov_base = text[i], .iov_len = strlen(text[i]) };
	add_field(iov, &n, text[2], sizeof(text[2]), "CREEK_MODULE", site->module);
	add_field(iov, &n, text[3], sizeof(text[3]), "CREEK_NODE", node);
	add_field(iov, &n, text[4], sizeof(text[4]), "CODE_FILE", site->file);
	add_field(iov, &n, text[5], sizeof(text[5]), "CODE_FUNC", site->func);
	if (f != NULL) {
		/* The request's: its id, workspace and, for a security event,
		 * what happened, who did it and from where. */
		add_field(iov, &n, more[0], sizeof(more[0]), "CREEK_REQUEST_ID", f->request_id);
		add_field(iov, &n, more[1], sizeof(more[1]), "CREEK_WORKSPACE", f->workspace);
		add_field(iov, &n, more[2], sizeof(more[2]), "CREEK_EVENT", f->event);
		add_field(iov, &n, more[3], sizeof(more[3]), "CREEK_ACTOR", f->actor);
		add_field(iov, &n, more[4], sizeof(more[4]), "CREEK_CLIENT_ADDRESS",
			  f->client_address);
	}
	(void)sd_journal_sendv(iov, (int)n);
}
