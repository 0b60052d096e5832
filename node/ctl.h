/* node/ctl.h: what the files of creekctl share: its options and the
 * commands that work on the data directory (ctl_local.c). */
#ifndef CREEK_NODE_CTL_H
#define CREEK_NODE_CTL_H

#include <jansson.h>
#include <stddef.h>

#define CTL_MAX_ANSWER ((size_t)4 * 1024 * 1024)
#define CTL_TIMEOUT_S  10L

#define CTL_MAX_ARGS   8

struct ctl {
	char url[512];
	int is_json;
	/* from the config file, overridden by flags */
	char data_dir[1024];
	char cluster_address[256];
	unsigned failure_domain;
	unsigned cert_lifetime_s; /* cluster-cert-lifetime, for `init` */
	unsigned ttl_s;
	const char *cert;
	const char *key;
	const char *login;
	const char *name;
	const char *workspace;
	/* The node's operator token (<data-dir>/operator.token), "" if it
	 * cannot be read: sent on every request to creekd. */
	char operator_token[80];
	const char *args[CTL_MAX_ARGS]; /* the command's words */
	unsigned n_args;
};

/* creekctl.c: curl's write callback into a struct cr_buf; the error
 * answer printed (returns the exit status, 1); obj[path1][path2] as text
 * for printing ("-" when absent, "yes"/"no" for booleans). */
size_t ctl_on_data(char *data, size_t size, size_t n, void *arg);
int ctl_api_error(json_t *answer, long status);
const char *ctl_str(json_t *obj, const char *path1, const char *path2);

/* Commands on the data directory, with creekd stopped (ctl_local.c).
 * Exit status: 0 ok, 1 failed, 2 usage error. */
int cmd_init(const struct ctl *c);
int cmd_join(const struct ctl *c);
int cmd_cert_install(const struct ctl *c);
int cmd_cluster_recover(const struct ctl *c);

#endif
