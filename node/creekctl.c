/* node/creekctl.c: the operator's command line.
 *
 * Talks to the local creekd over its HTTP API (the address comes from
 * --url, else the `http` setting of /etc/creek/creek.conf, else
 * 127.0.0.1:8080). Exit status: 0 ok, 1 the node is unreachable or
 * degraded, 2 usage error. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/buf.h"

#define CTL_MAX_ANSWER ((size_t)4 * 1024 * 1024)
#define CTL_TIMEOUT_S  10L

struct ctl {
	char url[512];
	int is_json;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct cr_buf *b = arg;

	if (cr_buf_append(b, data, size * n) < 0)
		return 0; /* too big: curl aborts the transfer */
	return size * n;
}

/* GET path; 0 and the parsed JSON (new reference) and HTTP status. */
static int get_json(const struct ctl *c, const char *path, json_t **out, long *status)
{
	char url[600];
	struct cr_buf b;
	json_error_t jerr;
	CURLcode rc;
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return -1;
	cr_buf_init(&b, CTL_MAX_ANSWER);
	(void)snprintf(url, sizeof(url), "%s%s", c->url, path);
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	(void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, CTL_TIMEOUT_S);
	(void)curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		(void)fprintf(stderr, "creekctl: cannot reach creekd at %s: %s\n", c->url,
			      curl_easy_strerror(rc));
		curl_easy_cleanup(curl);
		cr_buf_close(&b);
		return -1;
	}
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(curl);
	*out = json_loadb(b.data != NULL ? b.data : "", b.len, 0, &jerr);
	cr_buf_close(&b);
	if (*out == NULL) {
		(void)fprintf(stderr, "creekctl: creekd at %s sent no JSON (%s)\n", c->url,
			      jerr.text);
		return -1;
	}
	return 0;
}

static const char *str(json_t *obj, const char *path1, const char *path2)
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

static int cmd_status(const struct ctl *c)
{
	json_t *h = NULL;
	long status = 0;
	json_t *leader;
	json_t *latency;

	if (get_json(c, "/api/v1/health", &h, &status) < 0)
		return 1;
	if (c->is_json) {
		json_dumpf(h, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		leader = json_object_get(h, "leader");
		latency = json_object_get(json_object_get(h, "store"), "latency_ms");
		printf("status:     %s\n", str(h, "status", NULL));
		printf("node:       %s at %s (%s%s)\n", str(h, "node", "id"),
		       str(h, "node", "address"), str(h, "node", "role"),
		       json_is_true(json_object_get(json_object_get(h, "node"), "is_leader"))
			   ? ", leader"
			   : "");
		printf("leader:     %s\n",
		       json_is_object(leader) ? str(leader, "address", NULL) : "none known");
		printf("store:      %s",
		       json_is_true(json_object_get(json_object_get(h, "store"), "reachable"))
			   ? "reachable"
			   : "UNREACHABLE");
		if (json_is_number(latency))
			printf(" (%.2f ms)", json_number_value(latency));
		printf("\nversions:   creek %s, dqlite %s, raft %s\n", str(h, "version", "creek"),
		       str(h, "version", "dqlite"), str(h, "version", "raft"));
		printf("started at: %s (up %lld s)\n", str(h, "started_at", NULL),
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
	printf("creekd   %s (dqlite %s, raft %s) at %s\n", str(h, "version", "creek"),
	       str(h, "version", "dqlite"), str(h, "version", "raft"), c->url);
	json_decref(h);
	return 0;
}

/* The `http` setting of the config file, if it has one. */
static void url_from_config(const char *path, char *url, size_t url_len)
{
	char line[1024];
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char key[64];
		char value[256];
		if (sscanf(line, " %63[a-z-] = %255s", key, value) == 2 &&
		    strcmp(key, "http") == 0) {
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
	(void)fprintf(out, "Usage: creekctl [--url URL] [--config FILE] [--json] COMMAND\n\n"
			   "Commands:\n"
			   "  status    this node's health: role, leader, store, versions\n"
			   "  version   versions of creekctl and of the running creekd\n"
			   "  help      this text\n\n"
			   "The node is found at --url, else at the `http` setting of the config\n"
			   "file (/etc/creek/creek.conf), else at http://127.0.0.1:8080.\n");
}

int main(int argc, char **argv)
{
	struct ctl c = { .url = "http://127.0.0.1:8080" };
	const char *config = "/etc/creek/creek.conf";
	const char *url = NULL;
	const char *cmd = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
			url = argv[++i];
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			c.is_json = 1;
		else if (argv[i][0] != '-' && cmd == NULL)
			cmd = argv[i];
		else {
			(void)fprintf(stderr, "creekctl: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	url_from_config(config, c.url, sizeof(c.url));
	if (url != NULL)
		(void)snprintf(c.url, sizeof(c.url), "%s", url);
	if (cmd == NULL || strcmp(cmd, "help") == 0) {
		usage(cmd == NULL ? stderr : stdout);
		return cmd == NULL ? 2 : 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(cmd, "status") == 0) {
		rc = cmd_status(&c);
	} else if (strcmp(cmd, "version") == 0) {
		rc = cmd_version(&c);
	} else {
		(void)fprintf(stderr, "creekctl: unknown command '%s'\n", cmd);
		usage(stderr);
		rc = 2;
	}
	curl_global_cleanup();
	return rc;
}
