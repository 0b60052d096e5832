/* node/node.c: start and stop the parts of a node; see node.h. */
#define LOG_MODULE "node"
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cluster/cluster.h"
#include "../cluster/file_sync.h"
#include "../cluster/forward.h"
#include "../cluster/join.h"
#include "../cluster/operator.h"
#include "../cluster/proxy.h"
#include "../cluster/scheduler.h"
#include "../cluster/tls.h"
#include "../core/forms/forms.h"
#include "../core/identity/account.h"
#include "../core/identity/workspace.h"
#include "../lib/file.h"
#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/parse.h"
#include "../lib/text.h"
#include "../lib/time.h"
#include "../storage/disk.h"
#include "../storage/engine.h"
#include "../storage/files.h"
#include "../storage/store.h"
#include "../web/server.h"
#include "crypto.h"
#include "model_feed.h"
#include "schema.h"

#define HANDOVER_TIMEOUT_MS     10000
#define NODE_OPERATOR_TOKEN_LEN 64

struct node {
	int lock_fd;
	struct cluster_files files;
	struct cluster_tls *tls; /* NULL with cluster-tls off */
	/* node.crt's serial, which peers must see ("" with cluster-tls off) */
	char cert_serial[CLUSTER_SERIAL_MAX];
	struct cluster_dialer dialer;
	/* Free space of data-dir (disk-reserve); the store refuses writes while
	 * it is low. node_disk_tick() measures it. */
	struct storage_disk *disk;
	bool needs_record; /* started with a low disk: record() once it has room */
	struct storage_engine *engine;
	struct cluster_proxy *proxy;
	struct storage_store *store;
	struct cluster *cluster;
	struct cluster_scheduler *scheduler;
	struct cluster_forwarder *forwarder;
	/* Uploaded files, and their copies on the other nodes (NULL with
	 * cluster-tls off). */
	struct storage_files *file_store;
	struct cluster_file_sync *file_sync;
	int http_fd;  /* listening, until the web server takes it */
	int https_fd; /* the same for HTTPS; -1 if off */
	char *https_cert;
	char *https_key;
	struct web_server *web;
	struct web_server *web_tls;
	/* Creek's requests on the cluster port; set once started (the proxy
	 * runs before them and closes what comes too early). */
	struct web_server *web_peer;
	struct web_server *web_stranger;
	struct web_context web_ctx;
	struct identity identity;
	struct forms forms;
	struct node_model_feed *model_feed; /* forms.model's thread */
	char operator_token[NODE_OPERATOR_TOKEN_LEN + 1];
	char setup_code[ID_SETUP_CODE_LEN + 1]; /* "" once set up */
	char *setup_code_path;
	char *address;
	unsigned failure_domain;
};

/* The operator's token: a new random one each start, in
 * <data>/operator.token, readable by this user only. Whoever can read it
 * (root, the creek user: creekctl on the node) is the operator; the
 * address a request comes from proves nothing (a reverse proxy on the
 * same host, DNS rebinding). */
static int write_operator_token(const char *dir, char token[NODE_OPERATOR_TOKEN_LEN + 1],
				struct cr_err *err)
{
	unsigned char b[NODE_OPERATOR_TOKEN_LEN / 2];
	char path[4096];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return cr_err_set(err, CR_EINTERNAL, "no random bytes for the operator token");
	cr_hex_encode(b, sizeof(b), token);
	(void)snprintf(path, sizeof(path), "%s/operator.token", dir);
	if (cr_file_write_atomic(path, token, NODE_OPERATOR_TOKEN_LEN, 0600, err) < 0)
		return cr_err_wrap(err, "'%s'", path);
	return 0;
}

/* The operator.token of the last start, if it is one. */
static bool read_operator_token(const char *dir, char token[NODE_OPERATOR_TOKEN_LEN + 1])
{
	char *old = cr_file_read(dir, "operator.token", NULL);
	bool is_usable = old != NULL && strlen(old) == NODE_OPERATOR_TOKEN_LEN &&
			 strspn(old, "0123456789abcdef") == NODE_OPERATOR_TOKEN_LEN;

	if (is_usable)
		memcpy(token, old, NODE_OPERATOR_TOKEN_LEN + 1);
	free(old);
	return is_usable;
}

/* A new token each start, but a node whose data disk is low or full keeps
 * the last one (issue 15: a full disk made creekd exit here): the store
 * still holds it for the leader's checks (record() cannot write one). */
static int prepare_operator_token(struct node *n, const char *dir, struct cr_err *err)
{
	int rc;

	if (storage_disk_is_low(n->disk) && read_operator_token(dir, n->operator_token)) {
		log_warn("the data disk is nearly full: keeping the operator token of the last "
			 "start");
		return 0;
	}
	rc = write_operator_token(dir, n->operator_token, err);
	if (rc < 0 && read_operator_token(dir, n->operator_token)) {
		log_warn("no new operator token (%s): keeping the one of the last start", err->msg);
		return 0;
	}
	return rc;
}

/* Setup succeeded: the code has served (HTTP thread). The store refuses
 * a second setup, so the code in memory is harmless from here. */
static void setup_code_done(void *arg)
{
	struct node *n = arg;

	if (unlink(n->setup_code_path) < 0 && errno != ENOENT)
		log_warn("cannot remove '%s': %s", n->setup_code_path, strerror(errno));
}

/* First start's setup code: while nobody has set Creek up, a visitor of
 * the web console must type it, so that the first visitor on the network
 * does not become the administrator. Made once, kept in <data>/setup.code
 * (mode 0600, like the operator token) across restarts until setup, and
 * logged at each start until then. Removed once set up. */
static void setup_code_new(char out[ID_SETUP_CODE_LEN + 1])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford */
	unsigned char b[ID_SETUP_CODE_GROUPS * 4];
	size_t n = 0;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		out[0] = '\0'; /* no code: only the operator sets up */
		return;
	}
	for (size_t i = 0; i < sizeof(b); i++) {
		if (i > 0 && i % 4 == 0)
			out[n++] = '-';
		out[n++] = alphabet[b[i] & 31];
	}
	out[n] = '\0';
}

static void setup_code_load(struct node *n, const char *dir)
{
	struct cr_err err = { 0 };
	char *old = cr_file_read(dir, "setup.code", NULL);

	n->setup_code[0] = '\0';
	if (old != NULL && strlen(old) == ID_SETUP_CODE_LEN)
		memcpy(n->setup_code, old, ID_SETUP_CODE_LEN + 1);
	free(old);
	if (n->setup_code[0] != '\0')
		return;
	setup_code_new(n->setup_code);
	if (n->setup_code[0] == '\0' || cr_file_write_atomic(n->setup_code_path, n->setup_code,
							     ID_SETUP_CODE_LEN, 0600, &err) < 0) {
		log_warn("no setup code written to '%s' (%s); set Creek up with 'creekctl admin "
			 "create'",
			 n->setup_code_path, err.msg);
		n->setup_code[0] = '\0';
	}
}

static void setup_code_prepare(struct node *n, const struct node_config *cfg)
{
	struct cr_err err = { 0 };
	bool needed = false;
	size_t len = strlen(cfg->data_dir) + sizeof("/setup.code");

	n->setup_code_path = cr_malloc(len);
	(void)snprintf(n->setup_code_path, len, "%s/setup.code", cfg->data_dir);
	if (id_setup_needed(&n->identity, &needed, &err) < 0) {
		log_warn("cannot tell whether Creek is set up (%s); set it up with 'creekctl admin "
			 "create'",
			 err.msg);
		return;
	}
	if (!needed) {
		(void)unlink(n->setup_code_path);
		return;
	}
	setup_code_load(n, cfg->data_dir);
	if (n->setup_code[0] != '\0')
		log_notice("Creek is not set up yet: open the web console and enter the setup code "
			   "%s (also in '%s' and shown by 'creekctl status'; in a cluster, the "
			   "leader's code counts)",
			   n->setup_code, n->setup_code_path);
	n->web_ctx.setup_code = n->setup_code;
	n->web_ctx.setup_done = setup_code_done;
	n->web_ctx.setup_done_arg = n;
}

static int lock_data_dir(const char *dir, int *fd_out, struct cr_err *err)
{
	char path[4096];
	char pid[32];
	struct stat st;
	int fd;

	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return cr_err_set(err, CR_EINVAL, "data directory '%s' cannot be created: %s", dir,
				  strerror(errno));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cr_err_set(err, CR_EINVAL, "data directory '%s' is not a directory", dir);
	(void)snprintf(path, sizeof(path), "%s/creekd.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return cr_err_set(err, CR_EINVAL, "data directory '%s' is not usable: %s", dir,
				  strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return cr_err_set(err, CR_EINVAL, "data directory '%s' is in use by another creekd",
				  dir);
	}
	(void)snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) < 0) {
		close(fd);
		return cr_err_set(err, CR_EINVAL, "data directory '%s' is not writable: %s", dir,
				  strerror(errno));
	}
	*fd_out = fd;
	return 0;
}

struct start_record {
	const char *node_id;
	const char *address;
	int64_t started_us;
};

static int record_start(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct start_record *r = arg;
	struct storage_value p[4] = { storage_text(r->node_id), storage_text(r->address),
				      storage_text(CREEK_VERSION), storage_int(r->started_us) };

	return storage_tx_exec(tx,
			       "INSERT INTO node_start (node_id, address, creek_version, "
			       "started_us) VALUES (?, ?, ?, ?)",
			       p, 4, NULL, err);
}

/* A connection on the cluster port that speaks HTTP. */
static void peer_http(void *arg, int fd, bool verified)
{
	struct node *n = arg;
	struct web_server *s =
	    __atomic_load_n(verified ? &n->web_peer : &n->web_stranger, __ATOMIC_ACQUIRE);

	if (s == NULL) {
		close(fd); /* still starting: the peer retries */
		return;
	}
	web_server_add_connection(s, fd);
}

static int start_cluster_tls(struct node *n, const struct node_config *cfg, struct cr_err *err)
{
	int rc = cluster_files_prepare(cfg->data_dir, cfg->cluster_address,
				       cfg->cluster_cert_lifetime_s, &n->files, err);
	char *crt = NULL;

	cluster_set_peer_bandwidth((uint64_t)cfg->cluster_bandwidth_mib << 20);
	/* Twice the election timeout (store-latency x 15). */
	cluster_set_peer_timeout(cfg->store_latency_ms * 30);
	if (rc == 0)
		rc = cluster_tls_new(n->files.dir, &n->tls, err);
	if (rc == 0) {
		crt = cr_file_read(n->files.dir, "node.crt", err);
		rc = crt != NULL ? cluster_cert_serial_pem(crt, n->cert_serial, err) : CR_EINVAL;
		free(crt);
	}
	if (rc < 0)
		return cr_err_wrap(err, "cluster");
	n->dialer.tls = n->tls;
	return 0;
}

/* Attachments and images: <data>/files (storage/files.h). */
static int start_files(struct node *n, const struct node_config *cfg, struct cr_err *err)
{
	char dir[4096];

	(void)snprintf(dir, sizeof(dir), "%s/files", cfg->data_dir);
	return storage_files_new(dir, node_files_sha256(), &n->file_store, err);
}

/* core/forms' question when a record names an uploaded file: its size,
 * from this node's copy, else fetched from a member that has one (and kept
 * here, so that the node that saves the record holds the file too). Any
 * HTTP thread; n->file_sync is set before the servers start. */
static int file_size(void *arg, const char *ws, const char *sha, int64_t *size, struct cr_err *err)
{
	const struct node *n = arg;
	uint64_t bytes = 0;
	int rc = storage_files_stat(n->file_store, ws, sha, &bytes, err);

	if (rc == CR_ENOTFOUND && n->file_sync != NULL) {
		struct cr_buf copy;
		rc = cluster_file_sync_fetch(n->file_sync, ws, sha, &copy, err);
		if (rc == 0) {
			bytes = copy.len;
			cr_buf_close(&copy);
		}
	}
	if (rc == 0)
		*size = (int64_t)bytes;
	return rc;
}

/* Raft's election timeout is 15 store latencies (storage/engine.c): a
 * peer that has not answered a connection attempt within two of them is
 * abandoned, and a node that has known no leader for three answers at
 * once that there is none (cut off, or no majority up). */
static unsigned node_peer_wait_ms(const struct node_config *cfg)
{
	unsigned ms = 2 * 15 * cfg->store_latency_ms;

	return ms < 500 ? 500 : ms;
}

static unsigned node_leaderless_ms(const struct node_config *cfg)
{
	unsigned ms = 3 * 15 * cfg->store_latency_ms;

	return ms < 1000 ? 1000 : ms;
}

static int start_store(struct node *n, const struct node_config *cfg, struct cr_err *err)
{
	char dir[4096];
	struct storage_engine_config ec = {
		.dir = dir,
		.address = cfg->cluster_address,
		.bind_local = cfg->cluster_tls,
		.latency_ms = cfg->store_latency_ms,
		.snapshot_threshold = cfg->snapshot_threshold,
		.snapshot_trailing = cfg->snapshot_trailing,
		.dial = cfg->cluster_tls ? cluster_dialer_dial : NULL,
		.dial_arg = &n->dialer,
		.join_id = n->files.join_id,
	};
	struct storage_store_config sc = {
		.pool = { .addresses = { cfg->cluster_address },
			  .n_addresses = 1,
			  .io_timeout_ms = cfg->store_timeout_ms,
			  .dial_timeout_ms = node_peer_wait_ms(cfg),
			  .acquire_timeout_ms = cfg->write_timeout_ms,
			  .leaderless_ms = node_leaderless_ms(cfg),
			  .self_address = cfg->cluster_address,
			  .dial = cluster_dialer_dial,
			  .dial_arg = &n->dialer },
		.writer = { .max_batch = cfg->write_batch,
			    .write_timeout_ms = cfg->write_timeout_ms },
		.disk = n->disk,
	};
	struct cluster_proxy_config pc = { .listen_address = cfg->cluster_address,
					   .db_target = n->dialer.local_address,
					   .http = peer_http,
					   .http_arg = n };
	uint64_t members[CLUSTER_MAX_NODES + 1];
	int rc;

	(void)snprintf(n->dialer.self_address, sizeof(n->dialer.self_address), "%s",
		       cfg->cluster_address);
	for (unsigned i = 0; i < n->files.n_addresses && sc.pool.n_addresses < CLUSTER_MAX_NODES;
	     i++)
		if (strcmp(n->files.addresses[i], cfg->cluster_address) != 0)
			sc.pool.addresses[sc.pool.n_addresses++] = n->files.addresses[i];
	(void)snprintf(dir, sizeof(dir), "%s/store", cfg->data_dir);
	rc = storage_engine_start(&ec, &n->engine, err);
	if (rc < 0)
		return rc;
	storage_engine_local_address(storage_engine_id(n->engine), cfg->cluster_address,
				     n->dialer.local_address, sizeof(n->dialer.local_address));
	/* Peers until the manager knows better: this node and its `members`. */
	pc.members = members;
	members[pc.n_members++] = storage_engine_id(n->engine);
	for (unsigned i = 0; i < n->files.n_addresses; i++)
		if (n->files.ids[i] != 0 && n->files.ids[i] != members[0])
			members[pc.n_members++] = n->files.ids[i];
	/* Peers must reach the store before anything waits for a leader. */
	if (cfg->cluster_tls)
		rc = cluster_proxy_start(n->tls, &pc, &n->proxy, err);
	if (rc == 0)
		rc = storage_store_new(&sc, &n->store, err);
	/* A workspace schema that does not merge stops the start here, not at
	 * the first workspace made. */
	if (rc == 0)
		rc = storage_schema_check(&node_workspace_schema, NULL, err);
	if (rc == 0)
		rc = storage_migrate(n->store, STORAGE_DB_SYSTEM, &node_system_schema, err);
	return rc < 0 ? rc : 0;
}

/* Record this start and count the starts so far (health reports it). */
static int record(struct node *n, struct cr_err *err)
{
	char id[24];
	char request_id[64];
	struct start_record r = { id, n->address, n->web_ctx.started_us };
	struct storage_value p;
	struct storage_rows rows;
	int rc;

	if (storage_disk_is_low(n->disk)) {
		log_warn("the data disk is low: this start is recorded once writes resume");
		n->needs_record = true;
		return 0;
	}
	(void)snprintf(id, sizeof(id), "%" PRIu64, n->web_ctx.node_id);
	(void)snprintf(request_id, sizeof(request_id), "node-start-%s-%" PRId64, id, r.started_us);
	rc = storage_write(n->store, STORAGE_DB_SYSTEM, request_id, record_start, &r, err);
	if (rc < 0)
		return rc;
	rc = cluster_node_record(n->store, n->web_ctx.node_id, n->address, n->failure_domain,
				 n->cert_serial, err);
	if (rc < 0)
		return rc;
	/* The leader checks an operator's forwarded writes against it. */
	rc = cluster_operator_register(n->store, n->web_ctx.node_id, n->operator_token, err);
	if (rc < 0)
		return rc;
	p = storage_text(id);
	rc = storage_query(n->store, STORAGE_DB_SYSTEM,
			   "SELECT COUNT(*) FROM node_start WHERE node_id = ?", &p, 1, &rows, err);
	if (rc == 0)
		n->web_ctx.starts = storage_rows_int(&rows, 0, 0, 0);
	storage_rows_close(&rows);
	return rc;
}

/* HTTPS: the certificate installed with `creekctl cert install`, else one
 * this node made for a key of its own at its first start (tls.h); never
 * the node's cluster certificate, whose key opens the cluster port. */
static int load_https(struct node *n, const struct node_config *cfg, struct cr_err *err)
{
	char ip[CR_HOST_MAX];
	uint16_t port;

	if (cfg->https == NULL)
		return 0;
	if (!cfg->cluster_tls) {
		log_warn("HTTPS is off: it needs the cluster certificates (cluster-tls is off)");
		return 0;
	}
	if (cr_parse_host_port(cfg->cluster_address, ip, &port, err) < 0 ||
	    cluster_https_cert_make(n->files.dir, ip, err) < 0)
		return cr_err_wrap(err, "https");
	n->https_cert = cr_file_read(n->files.dir, "https.crt", NULL);
	n->https_key = cr_file_read(n->files.dir, "https.key", NULL);
	if (n->https_cert == NULL || n->https_key == NULL)
		return cr_err_set(err, CR_EINVAL, "https: cannot read %s/https.crt and https.key",
				  n->files.dir);
	return 0;
}

/* The recycle bins past their days and the outbox past its window
 * (core/forms/purge.c), a chore of the leader's housekeeping. */
static int purge_bins(void *arg, int64_t now_us, struct cr_err *err)
{
	struct node *n = arg;
	struct fm_purged p = { 0 };
	int rc = fm_purge(&n->forms, now_us, &p, err);

	if (rc == 0 && (p.apps > 0 || p.records > 0))
		log_info("recycle bins: %zu apps and %zu records deleted for good", p.apps,
			 p.records);
	if (rc == 0 && p.events > 0)
		log_info("outbox: %zu events older than %d days deleted", p.events,
			 FM_OUTBOX_KEEP_DAYS);
	return rc;
}

/* Each engine's housekeeping, registered with the scheduler: cluster
 * prunes its own rows and runs these beside them. */
static const struct cluster_prune prunes[] = {
	{ "identity", id_prune },
};

static int start_cluster(struct node *n, const struct node_config *cfg, struct cr_err *err)
{
	struct cluster_config cc = {
		.files_dir = n->files.dir,
		.self_id = n->web_ctx.node_id,
		.self_address = cfg->cluster_address,
		.failure_domain = cfg->failure_domain,
		.probe_interval_ms = cfg->cluster_probe_ms,
		.offline_after_ms = cfg->cluster_offline_after_ms,
		.standbys = cfg->cluster_standbys,
		.join_pending = n->files.join_id != 0,
		.self_cert_serial = n->cert_serial,
		.cert_lifetime_s = cfg->cluster_cert_lifetime_s,
		.proxy = n->proxy,
	};
	const struct cluster_chore chores[] = {
		{ "recycle-bins", purge_bins, n },
	};
	struct cluster_scheduler_config sc = {
		.self_id = n->web_ctx.node_id,
		.prunes = prunes,
		.n_prunes = sizeof(prunes) / sizeof(prunes[0]),
		.chores = chores,
		.n_chores = sizeof(chores) / sizeof(chores[0]),
		.housekeeping_every_ms = cfg->housekeeping_s * 1000,
	};
	int rc = cluster_start(&cc, &n->dialer, n->store, &n->cluster, err);

	if (rc == 0)
		rc = cluster_scheduler_start(&sc, n->cluster, n->store, &n->scheduler, err);
	if (rc == 0 && cfg->cluster_tls)
		rc = cluster_forwarder_new(n->tls, (size_t)cfg->http_max_body * 2 + 65536,
					   node_peer_wait_ms(cfg), &n->forwarder, err);
	if (rc == 0 && cfg->cluster_tls) {
		struct cluster_file_sync_config fc = {
			.max_file = cfg->max_upload,
			.repair_interval_ms = cfg->file_repair_s * 1000,
		};
		rc = cluster_file_sync_start(&fc, n->cluster, n->tls, n->file_store, &n->file_sync,
					     err);
	}
	return rc;
}

static int start_web(struct node *n, const struct node_config *cfg, const struct web_config *wc,
		     struct cr_err *err)
{
	struct web_config tc = *wc;
	struct web_config pc = *wc;
	struct web_server *peer = NULL;
	struct web_server *stranger = NULL;
	int rc = 0;

	/* The cluster port's servers first: once the public port answers
	 * health checks, a joining node may already call. */
	if (cfg->cluster_tls) {
		pc.address = NULL;
		pc.ui_dir = NULL;
		pc.kind = WEB_KIND_PEER;
		rc = web_server_start_internal(&pc, &n->web_ctx, &peer, err);
		pc.kind = WEB_KIND_STRANGER;
		pc.threads = 2;
		if (rc == 0)
			rc = web_server_start_internal(&pc, &n->web_ctx, &stranger, err);
		__atomic_store_n(&n->web_peer, peer, __ATOMIC_RELEASE);
		__atomic_store_n(&n->web_stranger, stranger, __ATOMIC_RELEASE);
	}
	if (rc == 0) {
		rc = web_server_start(wc, &n->web_ctx, n->http_fd, &n->web, err);
		n->http_fd = -1; /* the server owns it now */
	}
	if (rc == 0 && n->https_fd >= 0) {
		tc.address = cfg->https;
		tc.tls_cert_pem = n->https_cert;
		tc.tls_key_pem = n->https_key;
		rc = web_server_start(&tc, &n->web_ctx, n->https_fd, &n->web_tls, err);
		n->https_fd = -1;
	}
	return rc;
}

/* The engines (identity, forms) on the started store, and what the web
 * layer is handed of them and of the node. */
static void wire_engines(struct node *n, const struct node_config *cfg)
{
	n->web_ctx = (struct web_context){ .store = n->store,
					   .node_id = storage_engine_id(n->engine),
					   .node_address = n->address,
					   .started_us = cr_wall_us(),
					   .started_mono_ms = cr_now_ms(),
					   .cluster_dir = n->files.dir,
					   .write_timeout_ms = cfg->write_timeout_ms,
					   .operator_token = n->operator_token,
					   .test_exit_after_write = cfg->test_exit_after_write,
					   .test_fail_after_write = cfg->test_fail_after_write };
	n->identity =
	    (struct identity){ .store = n->store,
			       .crypto = node_crypto(),
			       .session_lifetime_us = (int64_t)cfg->session_lifetime_s * 1000000,
			       .session_idle_us = (int64_t)cfg->session_idle_timeout_s * 1000000,
			       .kdf_log_n = cfg->password_cost,
			       .workspace_schema = &node_workspace_schema,
			       .workspace_ready = fm_workspace_ready,
			       .workspace_ready_arg = &n->forms };
	n->web_ctx.identity = &n->identity;
	n->forms = (struct forms){
		.id = &n->identity, .file_size = file_size, .file_arg = n, .tz_offset_s = 8 * 3600
	};
	n->web_ctx.forms = &n->forms;
	n->web_ctx.files = n->file_store;
	n->web_ctx.disk = n->disk;
	web_uploads_new(cfg->max_uploads, cfg->max_uploads_per_account, &n->web_ctx.uploads);
}

/* cluster_may_lead_fn: a voter may take leadership from a node whose disk
 * is low if its own health is ok (its disk has room, it reaches the store). */
static bool peer_may_lead(void *arg, uint64_t id, const char *address)
{
	struct node *n = arg;
	struct cluster_http_request req = {
		.method = "GET", .address = address, .path = "/api/v1/health", .timeout_ms = 3000
	};
	struct cluster_http_response resp = { 0 };
	bool is_ok;

	(void)id;
	if (n->forwarder == NULL)
		return true; /* no cluster TLS, no way to ask: any voter */
	is_ok = cluster_http(n->forwarder, &req, &resp, NULL) == 0 && resp.status == 200;
	cr_buf_close(&resp.body);
	return is_ok;
}

static void disk_went_low(struct node *n)
{
	struct storage_disk_status st;

	storage_disk_status(n->disk, &st);
	log_warn("data disk nearly full: %" PRIu64 " MiB free, below disk-reserve (%" PRIu64
		 " MiB); writes are refused and leadership is handed away until space is freed",
		 st.free_bytes >> 20, st.reserve_bytes >> 20);
	if (n->cluster != NULL)
		cluster_avoid_leading(n->cluster, true, peer_may_lead, n);
}

void node_disk_tick(struct node *n)
{
	struct storage_disk_status st;
	struct cr_err err = { 0 };

	switch (storage_disk_check(n->disk)) {
	case STORAGE_DISK_WENT_LOW:
		disk_went_low(n);
		break;
	case STORAGE_DISK_RECOVERED:
		storage_disk_status(n->disk, &st);
		log_notice("data disk has room again (%" PRIu64 " MiB free): writes resume, "
			   "health is ok",
			   st.free_bytes >> 20);
		if (n->cluster != NULL)
			cluster_avoid_leading(n->cluster, false, NULL, NULL);
		if (n->needs_record && record(n, &err) < 0)
			log_warn("this start could not be recorded: %s", err.msg);
		n->needs_record = false;
		break;
	case STORAGE_DISK_SAME:
		break;
	}
}

int node_start(const struct node_config *cfg, struct node **out, struct cr_err *err)
{
	struct node *n = cr_calloc(1, sizeof(*n));
	struct web_config wc = {
		.kind = WEB_KIND_PUBLIC,
		.address = cfg->http,
		.threads = cfg->http_threads,
		.max_body = cfg->http_max_body,
		.max_upload = cfg->max_upload,
		.max_header = cfg->http_max_header,
		.timeout_s = cfg->http_timeout_s,
		.max_connections = cfg->http_max_connections,
		.max_per_address = cfg->http_max_connections_per_address,
		.header_timeout_s = cfg->http_header_timeout_s,
		.ui_dir = cfg->ui_dir,
	};
	struct web_config tc = wc;
	int rc;

	n->lock_fd = -1;
	n->http_fd = -1;
	n->https_fd = -1;
	n->address = cr_strdup(cfg->cluster_address);
	n->failure_domain = cfg->failure_domain;
	rc = lock_data_dir(cfg->data_dir, &n->lock_fd, err);
	if (rc == 0)
		rc = storage_disk_new(cfg->data_dir, (uint64_t)cfg->disk_reserve_mib << 20,
				      &n->disk, err);
	if (rc == 0)
		rc = prepare_operator_token(n, cfg->data_dir, err);
	if (rc == 0)
		rc = web_server_listen(&wc, &n->http_fd, err);
	if (rc == 0 && cfg->cluster_tls)
		rc = start_cluster_tls(n, cfg, err);
	if (rc == 0)
		rc = load_https(n, cfg, err);
	if (rc == 0 && n->https_cert != NULL) {
		tc.address = cfg->https;
		rc = web_server_listen(&tc, &n->https_fd, err);
		if (rc < 0)
			cr_err_wrap(err, "https");
	}
	if (rc == 0)
		rc = start_files(n, cfg, err);
	if (rc == 0)
		rc = start_store(n, cfg, err);
	if (rc < 0)
		goto err_after_node;
	wire_engines(n, cfg);
	rc = record(n, err);
	if (rc == 0)
		rc = id_workspaces_migrate(&n->identity, err);
	if (rc == 0)
		rc = start_cluster(n, cfg, err);
	if (rc < 0)
		goto err_after_node;
	if (storage_disk_is_low(n->disk))
		disk_went_low(n);
	setup_code_prepare(n, cfg);
	n->web_ctx.cluster = n->cluster;
	n->web_ctx.forwarder = n->forwarder;
	n->web_ctx.file_sync = n->file_sync;
	rc = cfg->read_model ? node_model_feed_start(&n->forms, cfg->data_dir,
						     cfg->read_model_check_s, &n->model_feed, err)
			     : 0;
	if (rc == 0)
		rc = start_web(n, cfg, &wc, err);
	if (rc < 0)
		goto err_after_node;
	*out = n;
	return 0;
err_after_node:
	node_stop(n);
	return rc;
}

void node_status_line(struct node *n, char *out, size_t out_len)
{
	uint64_t id = 0;
	char leader[128];

	storage_pool_last_leader(storage_store_pool(n->store), &id, leader, sizeof(leader));
	(void)snprintf(out, out_len, "Serving; node %" PRIu64 ", store leader %s",
		       n->web_ctx.node_id, leader[0] != '\0' ? leader : "unknown");
}

void node_handover(struct node *n)
{
	if (n != NULL && n->cluster != NULL)
		cluster_handover(n->cluster, HANDOVER_TIMEOUT_MS);
}

void node_stop(struct node *n)
{
	if (n == NULL)
		return;
	/* From here no read or write waits for a leader to be elected: with a
	 * leader they complete; without one (quorum lost) they are answered at
	 * once (503, safe to retry under their request id) rather than holding
	 * the stop for the write timeout. */
	storage_store_shutdown(n->store);
	cluster_scheduler_stop(n->scheduler);
	/* No request uses the store after the servers stop. */
	web_server_stop(n->web);
	web_server_stop(n->web_tls);
	{
		struct web_server *peer = __atomic_exchange_n(&n->web_peer, NULL, __ATOMIC_ACQ_REL);
		struct web_server *stranger =
		    __atomic_exchange_n(&n->web_stranger, NULL, __ATOMIC_ACQ_REL);
		cluster_proxy_stop(n->proxy); /* waits for its connections */
		n->proxy = NULL;
		web_server_stop(peer);
		web_server_stop(stranger);
	}
	node_model_feed_stop(n->model_feed); /* no request reads any more */
	cluster_file_sync_stop(n->file_sync);
	cluster_stop(n->cluster);
	storage_store_free(n->store);
	storage_engine_stop(n->engine);
	cluster_forwarder_free(n->forwarder);
	if (n->tls != NULL && !cluster_dial_drain(5000))
		log_warn("some cluster connections were still open at exit");
	cluster_tls_free(n->tls);
	storage_files_free(n->file_store);
	storage_disk_free(n->disk);
	web_uploads_free(n->web_ctx.uploads);
	if (n->http_fd >= 0)
		close(n->http_fd);
	if (n->https_fd >= 0)
		close(n->https_fd);
	if (n->lock_fd >= 0)
		close(n->lock_fd);
	free(n->https_cert);
	free(n->https_key);
	free(n->address);
	free(n->setup_code_path);
	free(n);
}
