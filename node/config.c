/* node/config.c: the settings table and its parsers; see config.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/mem.h"
#include "../lib/parse.h"

#ifndef CREEK_UI_DIR
#define CREEK_UI_DIR "/usr/share/creek/ui"
#endif

enum setting_type {
	SET_STRING,
	SET_UINT,
	SET_LEVEL,
	SET_TARGET,
	SET_IPV4_PORT,
	SET_LISTEN,
	SET_LISTEN_OPT, /* host:port or "off" (NULL) */
	SET_BOOL,       /* on/off */
	SET_TOKEN_OPT,  /* 1 to NODE_TOKEN_MAX visible ASCII characters, or "off" (NULL) */
};

#define NODE_TOKEN_MAX 128 /* as long as an Idempotency-Key */

struct setting {
	const char *name;
	enum setting_type type;
	const char *dflt;
	unsigned min;
	unsigned max;
	const char *unit;
	size_t offset; /* into struct node_config */
	const char *help;
};

#define AT(field) offsetof(struct node_config, field)

static const struct setting settings[] = {
	{ "data-dir", SET_STRING, "/var/lib/creek", 0, 0, "path", AT(data_dir),
	  "Where this node keeps its store and files." },
	{ "http", SET_LISTEN, "127.0.0.1:8080", 0, 0, "host:port", AT(http),
	  "Address of the web UI and API (plain HTTP; use 0.0.0.0:8080 behind a proxy)." },
	{ "cluster-address", SET_IPV4_PORT, "127.0.0.1:9443", 0, 0, "a.b.c.d:port",
	  AT(cluster_address), "Address other nodes reach this node's store at (IPv4)." },
	{ "cluster-tls", SET_BOOL, "on", 0, 0, "on or off", AT(cluster_tls),
	  "Mutual TLS on the cluster port. off only for a loopback cluster-address (development, "
	  "tools that speak dqlite directly); a node without TLS cannot form a cluster." },
	{ "https", SET_LISTEN_OPT, "0.0.0.0:8443", 0, 0, "host:port or off", AT(https),
	  "Address of the web UI and API over HTTPS (certificate: one installed with 'creekctl "
	  "cert install', else one the node makes for a key of its own); off to disable." },
	{ "cluster-bandwidth", SET_UINT, "100", 0, 100000, "MiB/s", AT(cluster_bandwidth_mib),
	  "Most each cluster connection sends to its peer: a leader catching up a follower that "
	  "lags (or streams it a snapshot) takes at most this of the link and of a core. 0: no "
	  "bound." },
	{ "cluster-cert-lifetime", SET_UINT, "2592000", 30, 31536000, "s",
	  AT(cluster_cert_lifetime_s),
	  "Lifetime of the node certificates this node signs (it holds the cluster CA's key): "
	  "each node renews its own, with a new key, when a third of it is left, and peers then "
	  "refuse the old one. 30 days by default; below an hour only for tests." },
	{ "failure-domain", SET_UINT, "0", 0, 65535, "number", AT(failure_domain),
	  "Room, rack or power feed of this node: voters are spread across domains." },
	{ "cluster-probe-interval", SET_UINT, "500", 100, 60000, "ms", AT(cluster_probe_ms),
	  "How often each node checks that the others answer." },
	{ "cluster-offline-after", SET_UINT, "30000", 1000, 86400000, "ms",
	  AT(cluster_offline_after_ms),
	  "A node silent this long is treated as gone: its role is given to another node." },
	{ "cluster-standbys", SET_UINT, "3", 1, 15, "nodes", AT(cluster_standbys),
	  "Standby nodes wanted beyond the voters (they replicate and can be promoted fast)." },
	{ "ui-dir", SET_STRING, CREEK_UI_DIR, 0, 0, "path", AT(ui_dir),
	  "Directory of the built web UI." },
	{ "http-threads", SET_UINT, "0", 0, 256, "threads", AT(http_threads),
	  "Threads that read requests and send answers; 0 means eight per CPU core. The API's "
	  "handlers run on four workers per thread, with eight requests in hand per worker at "
	  "most (then 503 with Retry-After)." },
	{ "http-max-body", SET_UINT, "1048576", 1024, 1073741824, "bytes", AT(http_max_body),
	  "Largest request body accepted (413 above)." },
	{ "http-max-header", SET_UINT, "32768", 4096, 1048576, "bytes", AT(http_max_header),
	  "Memory for one request's headers (431/413 above)." },
	{ "http-timeout", SET_UINT, "30", 1, 3600, "s", AT(http_timeout_s),
	  "Idle HTTP connections are closed after this." },
	{ "http-max-connections", SET_UINT, "4096", 16, 65536, "connections",
	  AT(http_max_connections), "Concurrent HTTP connections accepted." },
	{ "http-max-connections-per-address", SET_UINT, "256", 0, 65536, "connections",
	  AT(http_max_connections_per_address),
	  "Concurrent HTTP and HTTPS connections one client address may hold (more are closed "
	  "at once), so that one client cannot take them all. 0: no limit. Behind a reverse proxy "
	  "or load balancer every client has the proxy's address: raise it above the proxy's "
	  "connections or set 0, and limit per client at the proxy." },
	{ "http-header-timeout", SET_UINT, "10", 1, 3600, "s", AT(http_header_timeout_s),
	  "A connection that pauses longer than this before its request headers are complete "
	  "(also during the TLS handshake, and between requests on a kept-alive connection) is "
	  "closed; at most http-timeout. Once the headers are in, http-timeout applies." },
	{ "max-upload", SET_UINT, "52428800", 1024, 1073741824, "bytes", AT(max_upload),
	  "Largest file accepted by an upload (413 above); it streams to a temporary file on disk, "
	  "not to memory. Use the same value on every node." },
	{ "max-uploads", SET_UINT, "64", 1, 4096, "uploads", AT(max_uploads),
	  "Uploads this node receives at once; one more is answered 503 with Retry-After." },
	{ "max-uploads-per-account", SET_UINT, "8", 1, 1024, "uploads", AT(max_uploads_per_account),
	  "Uploads one account (or one workspace's API keys) sends at once; one more is answered "
	  "429 with Retry-After." },
	{ "disk-reserve", SET_UINT, "1024", 0, 1048576, "MiB", AT(disk_reserve_mib),
	  "Free space kept on the filesystem of data-dir (as the creek user may use it, checked "
	  "every second). Below it the node refuses writes (503 unavailable, nothing written), "
	  "hands leadership to a voter with room, reports health degraded (disk) and logs one "
	  "warning; at 10 % above it (at least 1 MiB) it takes writes again. The store's Raft "
	  "log and snapshots must never meet a full disk. 0: no guard." },
	{ "file-repair-interval", SET_UINT, "300", 1, 86400, "s", AT(file_repair_s),
	  "How often each node compares its files with the other nodes' and fetches what it "
	  "lacks." },
	{ "housekeeping-interval", SET_UINT, "3600", 1, 86400, "s", AT(housekeeping_s),
	  "How often the leader empties the recycle bins of apps and records deleted more than 30 "
	  "days ago (first a minute after start, or sooner with a shorter interval)." },
	{ "read-model", SET_BOOL, "on", 0, 0, "on or off", AT(read_model),
	  "Keep a read model on this node (<data-dir>/model: a local copy of the records that "
	  "answers lists, searches, counts and record reads here instead of the leader). off: "
	  "every read asks the leader, as a check of the read model or to save its disk space." },
	{ "read-model-check-interval", SET_UINT, "3600", 0, 604800, "s", AT(read_model_check_s),
	  "How often this node compares its read model with the store, every record of every "
	  "app, when the store is quiet, and rebuilds an app that differs (logged as a warning). "
	  "Each comparison reads every record from the leader: 0 turns it off." },
	{ "log-level", SET_LEVEL, "info", 0, 0, "level", AT(log_level),
	  "error, warning, notice, info or debug." },
	{ "log-target", SET_TARGET, "auto", 0, 0, "target", AT(log_target),
	  "auto (journald under systemd, else stderr), stderr or journal." },
	{ "password-cost", SET_UINT, "15", 12, 20, "log2 N", AT(password_cost),
	  "scrypt cost of new password hashes: 15 takes 32 MiB and about 60 ms per sign-in; "
	  "each step up doubles both." },
	{ "session-idle-timeout", SET_UINT, "7200", 1, 2592000, "s", AT(session_idle_timeout_s),
	  "A session not used for this long ends, before its session-lifetime is over." },
	{ "session-lifetime", SET_UINT, "43200", 1, 2592000, "s", AT(session_lifetime_s),
	  "A sign-in lasts at most this long, used or not (the cookie and the session expire "
	  "together)." },
	{ "store-latency", SET_UINT, "40", 1, 10000, "ms", AT(store_latency_ms),
	  "Expected network latency between nodes: heartbeat 1.5x, election timeout 15x "
	  "(40: a lost leader is replaced in about 1 s)." },
	{ "snapshot-threshold", SET_UINT, "1024", 4, 1048576, "entries", AT(snapshot_threshold),
	  "Raft log entries between snapshots; a snapshot comes sooner when the entries since the "
	  "last one hold more bytes than an eighth of it (at least 64 MiB)." },
	{ "snapshot-trailing", SET_UINT, "2048", 4, 1048576, "entries", AT(snapshot_trailing),
	  "Most Raft log entries kept after a snapshot (at least snapshot-threshold): fewer when "
	  "they hold more bytes than the snapshot or than an eighth of it (at least 64 MiB)." },
	{ "store-timeout", SET_UINT, "5000", 100, 600000, "ms", AT(store_timeout_ms),
	  "Bound on each store connection attempt and socket read or write." },
	{ "write-timeout", SET_UINT, "15000", 100, 600000, "ms", AT(write_timeout_ms),
	  "A write that cannot commit within this is answered 503." },
	{ "write-batch", SET_UINT, "256", 1, 10000, "jobs", AT(write_batch),
	  "Most writes committed together in one transaction." },
	{ "test-exit-after-write", SET_TOKEN_OPT, "off", 0, 0, "prefix or off",
	  AT(test_exit_after_write),
	  "For tests only, never in production: this node's process exits at once (status 75), "
	  "without answering, after it has run and committed a write whose Idempotency-Key (or "
	  "forwarded request id) starts with this prefix; the client's retry must then get the "
	  "first answer from another node." },
	{ "test-fail-after-write", SET_TOKEN_OPT, "off", 0, 0, "prefix or off",
	  AT(test_fail_after_write),
	  "For tests only, never in production: a write a client sent to this node itself (not "
	  "one forwarded by another node) whose Idempotency-Key starts with this prefix is "
	  "answered as if the store had failed a read after its commit; the write stays applied, "
	  "and the answer must say its outcome is unknown, never that nothing was written." },
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

static const struct setting *find(const char *name, size_t len)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strlen(settings[i].name) == len && strncmp(settings[i].name, name, len) == 0)
			return &settings[i];
	return NULL;
}

/* 1 to NODE_TOKEN_MAX visible ASCII characters (no spaces). */
static bool is_token(const char *v)
{
	size_t n = strlen(v);

	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x21 || v[i] > 0x7e)
			return false;
	return n > 0 && n <= NODE_TOKEN_MAX;
}

static int set_value(struct node_config *cfg, const struct setting *s, const char *value,
		     struct cr_err *err)
{
	char *base = (char *)cfg + s->offset;
	uint32_t u = 0;
	enum cr_log_level level;

	switch (s->type) {
	case SET_IPV4_PORT:
		if (cr_parse_ipv4_port(value, err) < 0)
			return cr_err_wrap(err, "%s", s->name);
		/* fallthrough */
	case SET_LISTEN_OPT:
		if (strcmp(value, "off") == 0) {
			free(*(char **)base);
			*(char **)base = NULL;
			return 0;
		}
		/* fallthrough */
	case SET_LISTEN:
	case SET_STRING:
		if (value[0] == '\0')
			return cr_err_set(err, CR_EINVAL, "%s: must not be empty", s->name);
		free(*(char **)base);
		*(char **)base = cr_strdup(value);
		return 0;
	case SET_TOKEN_OPT:
		if (strcmp(value, "off") != 0 && !is_token(value))
			return cr_err_set(err, CR_EINVAL,
					  "%s: must be off or 1 to %d visible ASCII characters",
					  s->name, NODE_TOKEN_MAX);
		free(*(char **)base);
		*(char **)base = strcmp(value, "off") == 0 ? NULL : cr_strdup(value);
		return 0;
	case SET_UINT:
		if (cr_parse_u32(value, UINT32_MAX, &u, NULL) < 0)
			return cr_err_set(err, CR_EINVAL, "%s: '%s' is not a whole number", s->name,
					  value);
		if (u > s->max)
			return cr_err_set(err, CR_EINVAL, "%s: %u is above the maximum %u", s->name,
					  u, s->max);
		if (u < s->min)
			return cr_err_set(err, CR_EINVAL, "%s: %u is below the minimum %u", s->name,
					  u, s->min);
		*(unsigned *)base = u;
		return 0;
	case SET_BOOL:
		if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
			*(bool *)base = strcmp(value, "on") == 0;
			return 0;
		}
		return cr_err_set(err, CR_EINVAL, "%s: '%s' is not on or off", s->name, value);
	case SET_LEVEL:
		if (cr_log_level_parse(value, &level) < 0)
			return cr_err_set(err, CR_EINVAL,
					  "%s: '%s' is not error, warning, notice, info or debug",
					  s->name, value);
		*(enum cr_log_level *)base = level;
		return 0;
	case SET_TARGET:
		if (strcmp(value, "auto") == 0)
			*(enum node_log_target *)base = NODE_LOG_AUTO;
		else if (strcmp(value, "stderr") == 0)
			*(enum node_log_target *)base = NODE_LOG_STDERR;
		else if (strcmp(value, "journal") == 0)
			*(enum node_log_target *)base = NODE_LOG_JOURNAL;
		else
			return cr_err_set(err, CR_EINVAL, "%s: '%s' is not auto, stderr or journal",
					  s->name, value);
		return 0;
	}
	return cr_err_set(err, CR_EINTERNAL, "%s: unknown setting type", s->name);
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static int parse_line(struct node_config *cfg, char *line, struct cr_err *err)
{
	char *eq;
	char *key;
	const struct setting *s;

	line = trim(line);
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL)
		return cr_err_set(err, CR_EINVAL, "expected 'key = value'");
	*eq = '\0';
	key = trim(line);
	s = find(key, strlen(key));
	if (s == NULL)
		return cr_err_set(err, CR_EINVAL, "unknown setting '%s'", key);
	return set_value(cfg, s, trim(eq + 1), err);
}

static int parse_file(struct node_config *cfg, const char *path, bool must_exist,
		      struct cr_err *err)
{
	char line[4096];
	unsigned line_no = 0;
	FILE *f = fopen(path, "re");
	int rc = 0;

	if (f == NULL) {
		if (!must_exist && errno == ENOENT)
			return 0;
		return cr_err_set(err, CR_EINVAL, "%s: cannot read: %s", path, strerror(errno));
	}
	cfg->config_path = cr_strdup(path);
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		line_no++;
		if (strchr(line, '\n') == NULL && !feof(f))
			rc = cr_err_set(err, CR_EINVAL, "line longer than %zu bytes",
					sizeof(line) - 2);
		else
			rc = parse_line(cfg, line, err);
	}
	if (rc == 0 && ferror(f))
		rc = cr_err_set(err, CR_EINVAL, "read error: %s", strerror(errno));
	(void)fclose(f);
	if (rc < 0)
		return cr_err_wrap(err, "%s:%u", path, line_no);
	return 0;
}

static int set_defaults(struct node_config *cfg, struct cr_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < N_SETTINGS; i++) {
		int rc = set_value(cfg, &settings[i], settings[i].dflt, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Find --config first: the file is read before the other flags apply. */
static int find_config_flag(int argc, char **argv, const char **path, struct cr_err *err)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc)
				return cr_err_set(err, CR_EINVAL, "--config needs a file name");
			*path = argv[i + 1];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			*path = argv[i] + 9;
		}
	}
	return 0;
}

static int parse_flag(struct node_config *cfg, int argc, char **argv, int *i, struct cr_err *err)
{
	const char *arg = argv[*i];
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct setting *s;
	const char *value;

	if (strncmp(arg, "--", 2) != 0)
		return cr_err_set(err, CR_EINVAL, "unexpected argument '%s' (see --help)", arg);
	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		cfg->wants_help = true;
		return 0;
	}
	if (strcmp(arg, "--version") == 0) {
		cfg->wants_version = true;
		return 0;
	}
	if (strcmp(arg, "--settings-markdown") == 0) {
		cfg->wants_markdown = true;
		return 0;
	}
	if (strcmp(arg, "--foreground") == 0) {
		cfg->is_foreground = true;
		return 0;
	}
	if (len == 6 && strncmp(name, "config", 6) == 0) {
		if (eq == NULL)
			(*i)++;
		return 0;
	}
	s = find(name, len);
	if (s == NULL)
		return cr_err_set(err, CR_EINVAL, "unknown flag '--%.*s' (see --help)", (int)len,
				  name);
	if (eq != NULL) {
		value = eq + 1;
	} else {
		if (*i + 1 >= argc)
			return cr_err_set(err, CR_EINVAL, "--%s needs a value", s->name);
		value = argv[++(*i)];
	}
	return set_value(cfg, s, value, err);
}

int node_config_parse(int argc, char **argv, struct node_config *cfg, struct cr_err *err)
{
	const char *path = NULL;
	int rc = set_defaults(cfg, err);

	if (rc == 0)
		rc = find_config_flag(argc, argv, &path, err);
	if (rc == 0)
		rc = parse_file(cfg, path != NULL ? path : NODE_CONFIG_DEFAULT_PATH, path != NULL,
				err);
	for (int i = 1; rc == 0 && i < argc; i++)
		rc = parse_flag(cfg, argc, argv, &i, err);
	if (rc == 0 && cfg->snapshot_trailing < cfg->snapshot_threshold)
		rc = cr_err_set(err, CR_EINVAL,
				"snapshot-trailing: %u is below snapshot-threshold %u",
				cfg->snapshot_trailing, cfg->snapshot_threshold);
	if (rc == 0 && !cfg->cluster_tls && strncmp(cfg->cluster_address, "127.", 4) != 0)
		rc = cr_err_set(err, CR_EINVAL,
				"cluster-tls: off is allowed only with a loopback cluster-address, "
				"not '%s'",
				cfg->cluster_address);
	if (rc < 0)
		node_config_close(cfg);
	return rc;
}

void node_config_close(struct node_config *cfg)
{
	free(cfg->config_path);
	for (size_t i = 0; i < N_SETTINGS; i++) {
		if (settings[i].type == SET_UINT || settings[i].type == SET_LEVEL ||
		    settings[i].type == SET_TARGET || settings[i].type == SET_BOOL)
			continue;
		char **p = (char **)((char *)cfg + settings[i].offset);
		free(*p);
		*p = NULL;
	}
	cfg->config_path = NULL;
}

void node_config_help(FILE *out)
{
	(void)fprintf(out,
		      "Usage: creekd [--config FILE] [--foreground] [--SETTING VALUE ...]\n\n"
		      "Runs one Creek node: its embedded store, the web UI and the API.\n"
		      "Settings come from %s (key = value), then from flags.\n\n"
		      "  --config FILE   read settings from FILE instead\n"
		      "  --foreground    log to stderr even under systemd\n"
		      "  --help          show this help\n"
		      "  --version       show versions\n\nSettings:\n",
		      NODE_CONFIG_DEFAULT_PATH);
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const struct setting *s = &settings[i];
		(void)fprintf(out, "  --%-22s %s\n  %-24s   (%s; default %s", s->name, s->help, "",
			      s->unit, s->dflt);
		if (s->type == SET_UINT)
			(void)fprintf(out, "; %u..%u", s->min, s->max);
		(void)fprintf(out, ")\n");
	}
}

void node_config_markdown(FILE *out)
{
	(void)fprintf(out, "| setting | default | range | unit | meaning |\n"
			   "|---|---|---|---|---|\n");
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const struct setting *s = &settings[i];
		char range[48] = "";
		if (s->type == SET_UINT)
			(void)snprintf(range, sizeof(range), "%u–%u", s->min, s->max);
		(void)fprintf(out, "| `%s` | `%s` | %s | %s | %s |\n", s->name, s->dflt, range,
			      s->unit, s->help);
	}
}
