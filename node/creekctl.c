/* node/creekctl.c: the operator's command line.
 *
 * Most commands talk to the local creekd over its HTTP API (the address
 * comes from --url, else the `http` setting of /etc/creek/creek.conf, else
 * 127.0.0.1:8080). init, join, cert install and cluster recover work on
 * the data directory while creekd is stopped. Exit status: 0 ok, 1 failed
 * (node unreachable, refused), 2 usage error. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../cluster/cluster.h"
#include "../cluster/join.h"
#include "../cluster/tls.h"
#include "../lib/buf.h"
#include "../lib/file.h"
#include "../lib/mem.h"
#include "../lib/parse.h"
#include "../storage/engine.h"

#include "ctl.h"

size_t ctl_on_data(char *data, size_t size, size_t n, void *arg)
{
	struct cr_buf *b = arg;

	if (cr_buf_append(b, data, size * n) < 0)
		return 0; /* too big: curl aborts the transfer */
	return size * n;
}

/* method path [body]; 0 and the parsed JSON (new reference) and HTTP
 * status. */
static int request_json(const struct ctl *c, const char *method, const char *path, const char *body,
			json_t **out, long *status)
{
	char url[600];
	struct cr_buf b;
	json_error_t jerr;
	CURLcode rc;
	struct curl_slist *headers = NULL;
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return -1;
	cr_buf_init(&b, CTL_MAX_ANSWER);
	(void)snprintf(url, sizeof(url), "%s%s", c->url, path);
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (c->operator_token[0] != '\0') {
		char h[128];
		(void)snprintf(h, sizeof(h), "X-Creek-Operator: %s", c->operator_token);
		headers = curl_slist_append(headers, h);
	}
	if (body != NULL) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		(void)curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	}
	if (headers != NULL)
		(void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_on_data);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	(void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, CTL_TIMEOUT_S);
	(void)curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	rc = curl_easy_perform(curl);
	curl_slist_free_all(headers);
	if (rc != CURLE_OK) {
		(void)fprintf(stderr, "creekctl: cannot reach creekd at %s: %s\n", c->url,
			      curl_easy_strerror(rc));
		curl_easy_cleanup(curl);
		cr_buf_close(&b);
		return -1;
	}
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(curl);
	/* 204 No Content: nothing to parse. */
	*out = *status == 204 && b.len == 0
		   ? json_object()
		   : json_loadb(b.data != NULL ? b.data : "", b.len, 0, &jerr);
	cr_buf_close(&b);
	if (*out == NULL) {
		(void)fprintf(stderr, "creekctl: creekd at %s sent no JSON (%s)\n", c->url,
			      jerr.text);
		return -1;
	}
	return 0;
}

static int get_json(const struct ctl *c, const char *path, json_t **out, long *status)
{
	return request_json(c, "GET", path, NULL, out, status);
}

/* Print an API error answer; returns 1. */
/* Why creekctl could not act as the operator, if it could not. */
static char operator_hint[4200];

/* The operator token creekd wrote into the data directory. */
static void read_operator_token(struct ctl *c)
{
	char path[sizeof(c->data_dir) + 32];
	FILE *f;
	size_t n;

	(void)snprintf(path, sizeof(path), "%s/operator.token", c->data_dir);
	c->operator_token[0] = '\0';
	f = fopen(path, "re");
	if (f == NULL) {
		(void)snprintf(operator_hint, sizeof(operator_hint),
			       "cannot read %s (%s): run creekctl as root or the creek user, with "
			       "--data-dir of the running node",
			       path, strerror(errno));
		return;
	}
	n = fread(c->operator_token, 1, sizeof(c->operator_token) - 1, f);
	(void)fclose(f);
	c->operator_token[n] = '\0';
	c->operator_token[strcspn(c->operator_token, "\r\n")] = '\0';
}

int ctl_api_error(json_t *answer, long status)
{
	json_t *e = json_object_get(answer, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));

	(void)fprintf(stderr, "creekctl: refused (%ld): %s\n", status, msg != NULL ? msg : "?");
	if (status == 403 && operator_hint[0] != '\0')
		(void)fprintf(stderr, "creekctl: %s\n", operator_hint);
	return 1;
}

const char *ctl_str(json_t *obj, const char *path1, const char *path2)
{
	json_t *v = json_object_get(obj, path1);

	if (path2 != NULL)
		v = json_object_get(v, path2);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_true(v))
		return "yes";
	if (json_is_false(v))
		return "no";
	return "-";
}

/* The first start's setup code creekd keeps in the data directory until
 * Creek is set up (readable, like the operator token, by root and the
 * creek user only); NULL if none. Caller frees. */
static char *read_setup_code(const struct ctl *c)
{
	char *code = cr_file_read(c->data_dir, "setup.code", NULL);

	if (code != NULL)
		code[strcspn(code, "\r\n")] = '\0';
	return code;
}

static int cmd_status(const struct ctl *c)
{
	json_t *h = NULL;
	long status = 0;
	json_t *leader;
	json_t *latency;
	char *code;

	if (get_json(c, "/api/v1/health", &h, &status) < 0)
		return 1;
	/* Setup is a write, checked by the leader against its own code (a
	 * node that knows no leader yet shows its own). */
	code = read_setup_code(c);
	if (code != NULL && json_is_object(json_object_get(h, "leader")) &&
	    !json_is_true(json_object_get(json_object_get(h, "node"), "is_leader"))) {
		free(code);
		code = cr_strdup("(this node is not the leader: run creekctl status there)");
	}
	if (code != NULL && json_is_object(h))
		json_object_set_new(h, "setup_code", json_string(code));
	if (!c->is_json && code != NULL)
		printf("setup code: %s (Creek is not set up yet: the web console's setup page "
		       "asks for it)\n",
		       code);
	free(code);
	if (c->is_json) {
		json_dumpf(h, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		leader = json_object_get(h, "leader");
		latency = json_object_get(json_object_get(h, "store"), "latency_ms");
		printf("status:     %s\n", ctl_str(h, "status", NULL));
		if (json_object_get(h, "node") == NULL) {
			/* creekd tells its detail only to the operator */
			(void)fprintf(stderr, "creekctl: only the status is shown: %s\n",
				      operator_hint[0] ? operator_hint
						       : "the operator token was refused");
			json_decref(h);
			return status == 200 ? 0 : 1;
		}
		printf("node:       %s at %s (%s%s)\n", ctl_str(h, "node", "id"),
		       ctl_str(h, "node", "address"), ctl_str(h, "node", "role"),
		       json_is_true(json_object_get(json_object_get(h, "node"), "is_leader"))
			   ? ", leader"
			   : "");
		printf("leader:     %s\n",
		       json_is_object(leader) ? ctl_str(leader, "address", NULL) : "none known");
		printf("store:      %s",
		       json_is_true(json_object_get(json_object_get(h, "store"), "reachable"))
			   ? "reachable"
			   : "UNREACHABLE");
		if (json_is_number(latency))
			printf(" (%.2f ms)", json_number_value(latency));
		printf("\nversions:   creek %s, dqlite %s, raft %s\n",
		       ctl_str(h, "version", "creek"), ctl_str(h, "version", "dqlite"),
		       ctl_str(h, "version", "raft"));
		printf("started at: %s (up %lld s)\n", ctl_str(h, "started_at", NULL),
		       (long long)json_integer_value(json_object_get(h, "uptime_s")));
	}
	json_decref(h);
	return status == 200 ? 0 : 1;
}

static int cmd_version(const struct ctl *c)
{
	json_t *h = NULL;
	long status = 0;

	printf("creekctl %s\n", CREEK_VERSION);
	if (get_json(c, "/api/v1/health", &h, &status) < 0)
		return 1;
	printf("creekd   %s (dqlite %s, raft %s) at %s\n", ctl_str(h, "version", "creek"),
	       ctl_str(h, "version", "dqlite"), ctl_str(h, "version", "raft"), c->url);
	json_decref(h);
	return 0;
}

/* ---- cluster commands (through the local creekd) ---- */

static int cmd_token_create(const struct ctl *c)
{
	char body[64];
	json_t *a = NULL;
	long status = 0;
	int rc;

	(void)snprintf(body, sizeof(body), "{\"ttl_s\": %u}", c->ttl_s > 0 ? c->ttl_s : 3600);
	if (request_json(c, "POST", "/api/v1/cluster/tokens", body, &a, &status) < 0)
		return 1;
	if (status != 201) {
		rc = ctl_api_error(a, status);
	} else if (c->is_json) {
		json_dumpf(a, stdout, JSON_INDENT(2));
		printf("\n");
		rc = 0;
	} else {
		printf("%s\n", ctl_str(a, "token", NULL));
		(void)fprintf(stderr,
			      "Valid until %s, for one node. On the new node run:\n"
			      "  creekctl join <token>\n",
			      ctl_str(a, "expires_at", NULL));
		rc = 0;
	}
	json_decref(a);
	return rc;
}

/* ---- accounts ---- */

/* One line from stdin, without echo on a terminal. */
static int read_password(char *out, size_t len)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	size_t n;

	if (tty) {
		(void)fprintf(stderr, "Password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	if (fgets(out, (int)len, stdin) == NULL)
		out[0] = '\0';
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &old);
		(void)fprintf(stderr, "\n");
	}
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return n > 0 ? 0 : -1;
}

static int cmd_admin_password(const struct ctl *c)
{
	char password[512], path[256];
	json_t *body, *a = NULL;
	char *text;
	long status = 0;
	int rc;

	if (c->login == NULL || strlen(c->login) > 64 ||
	    strspn(c->login,
		   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") !=
		strlen(c->login)) {
		(void)fprintf(stderr, "creekctl: admin password needs --login LOGIN (the new "
				      "password is read from stdin)\n");
		return 2;
	}
	if (read_password(password, sizeof(password)) < 0) {
		(void)fprintf(stderr, "creekctl: no password on stdin\n");
		return 2;
	}
	body = json_pack("{s:s}", "new_password", password);
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	explicit_bzero(password, sizeof(password));
	if (text == NULL)
		return 2;
	(void)snprintf(path, sizeof(path), "/api/v1/accounts/%s/password", c->login);
	rc = request_json(c, "PUT", path, text, &a, &status);
	explicit_bzero(text, strlen(text));
	free(text);
	if (rc < 0)
		return 1;
	if (status != 204) {
		rc = ctl_api_error(a, status);
	} else {
		printf("password of '%s' set; every session of the account has ended\n", c->login);
		rc = 0;
	}
	json_decref(a);
	return rc;
}

static int cmd_admin_create(const struct ctl *c)
{
	char password[512];
	json_t *body, *a = NULL;
	char *text;
	long status = 0;
	int rc;

	if (c->login == NULL || c->name == NULL || c->workspace == NULL) {
		(void)fprintf(stderr, "creekctl: admin create needs --login, --name and "
				      "--workspace (the password is read from stdin)\n");
		return 2;
	}
	if (read_password(password, sizeof(password)) < 0) {
		(void)fprintf(stderr, "creekctl: no password on stdin\n");
		return 2;
	}
	body = json_pack("{s:s, s:s, s:s, s:s}", "login", c->login, "name", c->name, "password",
			 password, "workspace_name", c->workspace);
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	explicit_bzero(password, sizeof(password));
	if (text == NULL) {
		(void)fprintf(stderr, "creekctl: --login, --name and --workspace must be UTF-8\n");
		return 2;
	}
	rc = request_json(c, "POST", "/api/v1/setup", text, &a, &status);
	explicit_bzero(text, strlen(text));
	free(text);
	if (rc < 0)
		return 1;
	if (status != 201) {
		rc = ctl_api_error(a, status);
	} else {
		printf("super admin '%s' created with workspace '%s' (%s); sign in at the web "
		       "console\n",
		       ctl_str(a, "account", "login"), ctl_str(a, "workspace", "name"),
		       ctl_str(a, "workspace", "id"));
		rc = 0;
	}
	json_decref(a);
	return rc;
}

static int cmd_cluster_status(const struct ctl *c)
{
	json_t *a = NULL;
	long status = 0;
	size_t i;
	json_t *n;

	if (get_json(c, "/api/v1/cluster", &a, &status) < 0)
		return 1;
	if (status != 200) {
		int rc = ctl_api_error(a, status);
		json_decref(a);
		return rc;
	}
	if (c->is_json) {
		json_dumpf(a, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(a);
		return 0;
	}
	printf("%-20s %-21s %-8s %-6s %-9s %-12s %-8s %s\n", "ID", "ADDRESS", "ROLE", "LEADER",
	       "REACHABLE", "LAST CONTACT", "VERSION", "DOMAIN");
	json_array_foreach(json_object_get(a, "nodes"), i, n)
	{
		json_t *lc = json_object_get(n, "last_contact_ms");
		char contact[32] = "never";
		if (json_is_integer(lc))
			(void)snprintf(contact, sizeof(contact), "%.1f s ago",
				       (double)json_integer_value(lc) / 1000.0);
		printf("%-20s %-21s %-8s %-6s %-9s %-12s %-8s %lld%s%s\n", ctl_str(n, "id", NULL),
		       ctl_str(n, "address", NULL), ctl_str(n, "role", NULL),
		       json_is_true(json_object_get(n, "is_leader")) ? "*" : "",
		       ctl_str(n, "reachable", NULL), contact, ctl_str(n, "version", NULL),
		       (long long)json_integer_value(json_object_get(n, "failure_domain")),
		       strcmp(ctl_str(n, "id", NULL), ctl_str(a, "self_id", NULL)) == 0
			   ? "  (this node)"
			   : "",
		       json_is_true(json_object_get(n, "disk_low")) ? "  (data disk nearly full)"
								    : "");
	}
	json_decref(a);
	return 0;
}

static int cmd_cluster_remove(const struct ctl *c)
{
	char path[128];
	uint64_t id = 0;
	json_t *a = NULL;
	long status = 0;
	int rc = 0;

	if (c->n_args != 3 || cr_parse_u64(c->args[2], UINT64_MAX, &id, NULL) < 0) {
		(void)fprintf(stderr, "creekctl: usage: creekctl cluster remove <node id>\n");
		return 2;
	}
	(void)snprintf(path, sizeof(path), "/api/v1/cluster/nodes/%" PRIu64, id);
	if (request_json(c, "DELETE", path, NULL, &a, &status) < 0)
		return 1;
	if (status != 200)
		rc = ctl_api_error(a, status);
	else
		printf("node %" PRIu64 " removed from the cluster\n", id);
	json_decref(a);
	return rc;
}

/* Write a marker through this node and read it back. */
static int cmd_cluster_check(const struct ctl *c)
{
	char tag[64];
	char body[128];
	char path[160];
	json_t *a = NULL;
	long status = 0;
	int64_t id;
	int rc = 1;

	(void)snprintf(tag, sizeof(tag), "creekctl-%ld-%d", (long)time(NULL), (int)getpid());
	(void)snprintf(body, sizeof(body), "{\"tag\": \"%s\"}", tag);
	if (request_json(c, "POST", "/api/v1/cluster/write-checks", body, &a, &status) < 0)
		return 1;
	if (status != 201) {
		rc = ctl_api_error(a, status);
		json_decref(a);
		return rc;
	}
	id = (int64_t)json_integer_value(json_object_get(a, "id"));
	printf("write committed (check %" PRId64 ", written by node %s)\n", id,
	       ctl_str(a, "written_by", NULL));
	json_decref(a);
	(void)snprintf(path, sizeof(path), "/api/v1/cluster/write-checks?tag=%s", tag);
	if (get_json(c, path, &a, &status) < 0)
		return 1;
	if (status == 200 && json_array_size(json_object_get(a, "ids")) == 1) {
		printf("read back: ok\n");
		rc = 0;
	} else {
		(void)fprintf(stderr, "creekctl: the write could not be read back\n");
	}
	json_decref(a);
	return rc;
}

/* The settings creekctl needs from the config file, if it has them. */
static void read_config(const char *path, struct ctl *c)
{
	char line[1024];
	char *url = c->url;
	size_t url_len = sizeof(c->url);
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char key[64];
		char value[256];
		uint32_t u = 0;
		if (sscanf(line, " %63[a-z-] = %255s", key, value) != 2)
			continue;
		if (strcmp(key, "data-dir") == 0)
			(void)snprintf(c->data_dir, sizeof(c->data_dir), "%s", value);
		if (strcmp(key, "cluster-address") == 0)
			(void)snprintf(c->cluster_address, sizeof(c->cluster_address), "%s", value);
		if (strcmp(key, "failure-domain") == 0 && cr_parse_u32(value, 65535, &u, NULL) == 0)
			c->failure_domain = u;
		if (strcmp(key, "cluster-cert-lifetime") == 0 &&
		    cr_parse_u32(value, 31536000, &u, NULL) == 0 && u >= 30)
			c->cert_lifetime_s = u;
		if (strcmp(key, "http") == 0) {
			const char *host = value;
			/* A wildcard listener is reached on loopback. */
			if (strncmp(value, "0.0.0.0:", 8) == 0)
				(void)snprintf(url, url_len, "http://127.0.0.1:%s", value + 8);
			else if (strncmp(value, "[::]:", 5) == 0)
				(void)snprintf(url, url_len, "http://[::1]:%s", value + 5);
			else
				(void)snprintf(url, url_len, "http://%s", host);
		}
	}
	(void)fclose(f);
}

static void usage(FILE *out)
{
	(void)fprintf(
	    out,
	    "Usage: creekctl [--url URL] [--config FILE] [--json] COMMAND [ARGS]\n\n"
	    "Commands (through the running creekd):\n"
	    "  status                   this node's health: role, leader, store, versions\n"
	    "  version                  versions of creekctl and of the running creekd\n"
	    "  token create [--ttl S]   a one-time join token for a new node (default 3600 s)\n"
	    "  cluster status           every node: role, leader, reachable, version\n"
	    "  cluster remove ID        take a node out of the cluster\n"
	    "  cluster check            write a marker through this node and read it back\n"
	    "  admin create --login L --name N --workspace W\n"
	    "                           first start: the super admin and the first workspace\n"
	    "                           (password from stdin)\n"
	    "  admin password --login L set an account's password (stdin); its sessions end\n\n"
	    "Commands on the data directory (stop creekd first):\n"
	    "  init                     create the cluster CA and this node's certificate\n"
	    "  join TOKEN               join the cluster the token names\n"
	    "  cert install --cert F --key K   the certificate HTTPS serves\n"
	    "  cluster recover          make this node the only voter (quorum lost for good)\n\n"
	    "Options: --data-dir DIR, --address a.b.c.d:port (this node's cluster address),\n"
	    "--failure-domain N; defaults from the config file (/etc/creek/creek.conf).\n"
	    "The node is found at --url, else at the `http` setting of the config\n"
	    "file, else at http://127.0.0.1:8080. creekctl acts as the node's operator\n"
	    "with the token creekd writes to <data-dir>/operator.token (readable by root\n"
	    "and the creek user only).\n");
}

/* The flags that take a value, before they are applied to struct ctl. */
struct flags {
	const char *config;
	const char *url;
	const char *data_dir;
	const char *address;
	const char *domain;
	const char *ttl;
};

/* Read argv into c (words and direct settings) and f. 0, or 2 (usage). */
static int parse_args(int argc, char **argv, struct ctl *c, struct flags *f)
{
	const struct {
		const char *name;
		const char **value;
	} with_value[] = {
		{ "--url", &f->url },
		{ "--config", &f->config },
		{ "--data-dir", &f->data_dir },
		{ "--address", &f->address },
		{ "--failure-domain", &f->domain },
		{ "--ttl", &f->ttl },
		{ "--cert", &c->cert },
		{ "--key", &c->key },
		{ "--login", &c->login },
		{ "--name", &c->name },
		{ "--workspace", &c->workspace },
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t k = 0;
		while (k < sizeof(with_value) / sizeof(with_value[0]) &&
		       !(strcmp(a, with_value[k].name) == 0 && i + 1 < argc))
			k++;
		if (k < sizeof(with_value) / sizeof(with_value[0]))
			*with_value[k].value = argv[++i];
		else if (strcmp(a, "--json") == 0)
			c->is_json = 1;
		else if ((a[0] != '-' || strncmp(a, "--yes-", 6) == 0) && c->n_args < CTL_MAX_ARGS)
			c->args[c->n_args++] = a;
		else {
			(void)fprintf(stderr, "creekctl: unexpected argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

/* The config file, then the flags over it. 0, or 2 (a bad value). */
static int apply_flags(const struct flags *f, struct ctl *c)
{
	uint32_t u = 0;

	read_config(f->config, c);
	if (f->url != NULL)
		(void)snprintf(c->url, sizeof(c->url), "%s", f->url);
	if (f->data_dir != NULL)
		(void)snprintf(c->data_dir, sizeof(c->data_dir), "%s", f->data_dir);
	if (f->address != NULL)
		(void)snprintf(c->cluster_address, sizeof(c->cluster_address), "%s", f->address);
	if (f->domain != NULL) {
		if (cr_parse_u32(f->domain, 65535, &u, NULL) < 0) {
			(void)fprintf(stderr, "creekctl: --failure-domain is 0 to 65535\n");
			return 2;
		}
		c->failure_domain = u;
	}
	if (f->ttl != NULL) {
		if (cr_parse_u32(f->ttl, CLUSTER_TOKEN_TTL_MAX, &u, NULL) < 0 || u == 0) {
			(void)fprintf(stderr, "creekctl: --ttl is 1 to %u seconds\n",
				      CLUSTER_TOKEN_TTL_MAX);
			return 2;
		}
		c->ttl_s = u;
	}
	return 0;
}

/* The commands: first word, second word (NULL: any), how many words the
 * command line may have (max_words 0: any number). */
static const struct command {
	const char *word;
	const char *sub;
	unsigned min_words;
	unsigned max_words;
	int (*run)(const struct ctl *c);
} commands[] = {
	{ "status", NULL, 1, 0, cmd_status },
	{ "version", NULL, 1, 0, cmd_version },
	{ "token", "create", 2, 2, cmd_token_create },
	{ "cluster", "status", 2, 2, cmd_cluster_status },
	{ "cluster", "remove", 2, 0, cmd_cluster_remove },
	{ "cluster", "check", 2, 2, cmd_cluster_check },
	{ "cluster", "recover", 2, 0, cmd_cluster_recover },
	{ "admin", "create", 2, 2, cmd_admin_create },
	{ "admin", "password", 2, 2, cmd_admin_password },
	{ "init", NULL, 1, 1, cmd_init },
	{ "join", NULL, 1, 0, cmd_join },
	{ "cert", "install", 2, 2, cmd_cert_install },
};

static const struct command *find_command(const struct ctl *c)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *k = &commands[i];
		if (strcmp(c->args[0], k->word) == 0 && c->n_args >= k->min_words &&
		    (k->max_words == 0 || c->n_args <= k->max_words) &&
		    (k->sub == NULL || strcmp(c->args[1], k->sub) == 0))
			return k;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static struct ctl c = { .url = "http://127.0.0.1:8080",
				.data_dir = "/var/lib/creek",
				.cluster_address = "127.0.0.1:9443",
				.cert_lifetime_s = CLUSTER_CERT_LIFETIME_S };
	struct flags f = { .config = "/etc/creek/creek.conf" };
	const struct command *k;
	const char *cmd;
	int rc;

	json_set_alloc_funcs(cr_malloc, free); /* lib/mem.h: once, before any JSON */
	rc = parse_args(argc, argv, &c, &f);
	if (rc == 0)
		rc = apply_flags(&f, &c);
	if (rc != 0)
		return rc;
	read_operator_token(&c);
	cmd = c.n_args > 0 ? c.args[0] : NULL;
	if (cmd == NULL || strcmp(cmd, "help") == 0) {
		usage(cmd == NULL ? stderr : stdout);
		return cmd == NULL ? 2 : 0;
	}
	k = find_command(&c);
	if (k == NULL) {
		(void)fprintf(stderr, "creekctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = k->run(&c);
	curl_global_cleanup();
	return rc;
}
