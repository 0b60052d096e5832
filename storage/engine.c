/* storage/engine.c: start and stop the embedded dqlite node; see engine.h.
 * Traps handled here (../shared/notes/dqlite.md §2): the data dir must exist
 * before dqlite_node_create; the bind address is mandatory; only the first
 * server of a cluster may use id 1. */
#define LOG_MODULE "storage"
#include "engine.h"

#include <dqlite.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/file.h"
#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/parse.h"

#ifndef CREEK_DQLITE_VERSION
#define CREEK_DQLITE_VERSION "unknown"
#endif
#ifndef CREEK_RAFT_VERSION
#define CREEK_RAFT_VERSION "unknown"
#endif

#define ENGINE_BOOTSTRAP_ID    1
#define ENGINE_INFO_FILE       "node-info"
#define ENGINE_BUSY_TIMEOUT_MS 2000

struct storage_engine {
	dqlite_node *node;
	storage_dial_fn dial;
	void *dial_arg;
	unsigned dial_timeout_ms;
	uint64_t id;
	char *address;
};

const char *storage_engine_dqlite_version(void)
{
	return CREEK_DQLITE_VERSION;
}

const char *storage_engine_raft_version(void)
{
	return CREEK_RAFT_VERSION;
}

static int make_dir(const char *dir, struct cr_err *err)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cr_err_set(err, CR_EINVAL, "cannot create data directory '%s': %s", dir,
				  strerror(errno));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cr_err_set(err, CR_EINVAL, "data directory '%s' is not a directory", dir);
	if (access(dir, R_OK | W_OK | X_OK) < 0)
		return cr_err_set(err, CR_EINVAL, "data directory '%s' is not writable: %s", dir,
				  strerror(errno));
	return 0;
}

/* Read node-info: 0, the id and the address it holds, or 1 if the file
 * does not exist. */
static int read_info_raw(const char *path, uint64_t *id, char *stored, size_t stored_len,
			 struct cr_err *err)
{
	char line[256];
	char addr[160];
	char id_text[32];
	FILE *f = fopen(path, "re");

	if (f == NULL && errno == ENOENT)
		return 1;
	if (f == NULL)
		return cr_err_set(err, CR_EINVAL, "cannot read '%s': %s", path, strerror(errno));
	if (fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "%31s %159s", id_text, addr) != 2 ||
	    cr_parse_u64(id_text, UINT64_MAX, id, NULL) < 0 || *id == 0) {
		(void)fclose(f);
		return cr_err_set(err, CR_EINVAL, "'%s' is damaged: expected 'id address'", path);
	}
	(void)fclose(f);
	(void)snprintf(stored, stored_len, "%s", addr);
	return 0;
}

int storage_engine_read_info(const char *dir, uint64_t *id, char *address, size_t address_len,
			     struct cr_err *err)
{
	char info[4096];

	(void)snprintf(info, sizeof(info), "%s/%s", dir, ENGINE_INFO_FILE);
	*id = 0;
	if (address_len > 0)
		address[0] = '\0';
	return read_info_raw(info, id, address, address_len, err);
}

/* The same, for a node that must still have `address`. */
static int read_info(const char *path, const char *address, uint64_t *id, struct cr_err *err)
{
	char stored[160];
	int rc = read_info_raw(path, id, stored, sizeof(stored), err);

	if (rc == 0 && strcmp(stored, address) != 0)
		return cr_err_set(err, CR_EINVAL,
				  "cluster address changed from '%s' to '%s'; a node keeps the "
				  "address it was created with",
				  stored, address);
	return rc;
}

static int write_info(const char *path, uint64_t id, const char *address, struct cr_err *err)
{
	char text[200];
	int n = snprintf(text, sizeof(text), "%" PRIu64 " %s\n", id, address);

	if (n < 0 || (size_t)n >= sizeof(text))
		return cr_err_set(err, CR_EINVAL, "cluster address '%s' is too long", address);
	if (cr_file_write_atomic(path, text, (size_t)n, 0666, err) < 0)
		return cr_err_wrap(err, "'%s'", path);
	return 0;
}

/* dqlite's version macros: Debian's 1.11.1 header still says 1.10.0, so
 * anything below 1.17 is treated as the old engine. */
#define ENGINE_IS_NEW     (DQLITE_VERSION_NUMBER >= 11700)

#define ENGINE_UV_THREADS "32"

static int set_snapshots(dqlite_node *node, const struct storage_engine_config *cfg)
{
	if (cfg->snapshot_threshold == 0)
		return 0;
#if ENGINE_IS_NEW
	/* Dynamic trailing keeps fewer log entries when the snapshot is the
	 * smaller thing to hold: memory and disk stay bounded by the data. */
	return dqlite_node_set_snapshot_params_v2(node, cfg->snapshot_threshold,
						  cfg->snapshot_trailing,
						  DQLITE_SNAPSHOT_TRAILING_DYNAMIC);
#else
	return dqlite_node_set_snapshot_params(node, cfg->snapshot_threshold,
					       cfg->snapshot_trailing);
#endif
}

/* Settings only the new engine has. */
static int configure_new_engine(dqlite_node *node, struct cr_err *err)
{
#if ENGINE_IS_NEW
	/* Auto-recovery deletes files it judges corrupt at start-up, which can
	 * lose acknowledged writes silently; Creek would rather refuse to start
	 * and say so. */
	if (dqlite_node_set_auto_recovery(node, false) != 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot disable store auto-recovery");
	/* Creek's writer never sends two writers to one database, but other
	 * clients (creekctl tools, go-dqlite) may: let the server queue them
	 * briefly instead of failing with SQLITE_BUSY at once. */
	if (dqlite_node_set_busy_timeout(node, ENGINE_BUSY_TIMEOUT_MS) != 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot set the store busy timeout");
#else
	(void)node;
	(void)err;
#endif
	return 0;
}

/* dqlite's connect function: the engine's dial hook, in raft's thread. */
static int connect_peer(void *arg, const char *address, int *fd)
{
	struct storage_engine *e = arg;
	struct cr_err err = { 0 };
	int rc = e->dial(e->dial_arg, address, e->dial_timeout_ms, fd, &err);

	if (rc < 0) {
		log_debug("store cannot reach peer '%s': %s", address, err.msg);
		return DQLITE_ERROR;
	}
	return 0;
}

static int configure(struct storage_engine *e, const struct storage_engine_config *cfg,
		     struct cr_err *err)
{
	dqlite_node *node = e->node;
	char local[64];
	const char *bind = cfg->bind_address != NULL ? cfg->bind_address : cfg->address;
	int rc;

	if (cfg->bind_local) {
		storage_engine_local_address(e->id, cfg->address, local, sizeof(local));
		bind = local;
	}
	rc = dqlite_node_set_bind_address(node, bind);

	if (rc != 0)
		return cr_err_set(err, CR_EINVAL, "cannot bind store to '%s': %s", bind,
				  dqlite_node_errmsg(node));
	if (cfg->dial != NULL && dqlite_node_set_connect_func(node, connect_peer, e) != 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot set the store's connect function");
	if (cfg->latency_ms > 0 && dqlite_node_set_network_latency_ms(node, cfg->latency_ms) != 0)
		return cr_err_set(err, CR_EINVAL, "network latency %u ms refused", cfg->latency_ms);
	rc = set_snapshots(node, cfg);
	if (rc != 0)
		return cr_err_set(err, CR_EINVAL, "snapshot parameters %u/%u refused",
				  cfg->snapshot_threshold, cfg->snapshot_trailing);
	return configure_new_engine(node, err);
}

/* The node (dqlite, raft, libuv) writes to peer sockets without
 * MSG_NOSIGNAL: a peer that goes away mid-write must not kill the process
 * with SIGPIPE. creekd ignores it in main(); any other process that embeds
 * the node (the unit tests, benchmarks) gets the same here, unless it has
 * its own handler. */
static void ignore_sigpipe(void)
{
	struct sigaction old;

	if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
		(void)signal(SIGPIPE, SIG_IGN);
}

int storage_engine_start(const struct storage_engine_config *cfg, struct storage_engine **out,
			 struct cr_err *err)
{
	struct storage_engine *e;
	char info[4096];
	uint64_t id = 0;
	int rc;

	ignore_sigpipe();
	rc = cr_parse_ipv4_port(cfg->address, err);
	if (rc < 0)
		return cr_err_wrap(err, "cluster address");
	rc = make_dir(cfg->dir, err);
	if (rc < 0)
		return rc;
	(void)snprintf(info, sizeof(info), "%s/%s", cfg->dir, ENGINE_INFO_FILE);
	rc = read_info(info, cfg->address, &id, err);
	if (rc < 0)
		return rc;
	if (rc == 1 && cfg->join_id == ENGINE_BOOTSTRAP_ID)
		return cr_err_set(err, CR_EINVAL, "a joining node cannot take id %d",
				  ENGINE_BOOTSTRAP_ID);
	if (rc == 1) {
		id = cfg->join_id != 0 ? cfg->join_id : ENGINE_BOOTSTRAP_ID;
		rc = write_info(info, id, cfg->address, err);
		if (rc < 0)
			return rc;
	}
	/* dqlite runs raft's disk work (segments, snapshots) and the connect
	 * function on libuv's one threadpool, 4 threads unless the process
	 * says otherwise before its first use. A dial to a paused peer waits
	 * out its bound (the TLS handshake finds a kernel that accepts and a
	 * process that never answers), and a few of those at once left
	 * raft's appends waiting for a thread: the whole cluster stopped
	 * writing while one follower was paused. More threads; an operator's
	 * own UV_THREADPOOL_SIZE wins. */
	(void)setenv("UV_THREADPOOL_SIZE", ENGINE_UV_THREADS, 0);
	e = cr_calloc(1, sizeof(*e));
	e->id = id;
	e->address = cr_strdup(cfg->address);
	rc = dqlite_node_create(id, cfg->address, cfg->dir, &e->node);
	if (rc != 0) {
		rc = cr_err_set(err, CR_EINTERNAL, "store node cannot be created in '%s' (code %d)",
				cfg->dir, rc);
		goto err_after_alloc;
	}
	e->dial = cfg->dial;
	e->dial_arg = cfg->dial_arg;
	e->dial_timeout_ms = cfg->dial_timeout_ms > 0 ? cfg->dial_timeout_ms : 2000;
	rc = configure(e, cfg, err);
	if (rc < 0)
		goto err_after_node;
	if (dqlite_node_start(e->node) != 0) {
		rc = cr_err_set(err, CR_EINTERNAL, "store node failed to start: %s",
				dqlite_node_errmsg(e->node));
		goto err_after_node;
	}
	log_info("store node %" PRIu64 " started at '%s' (dqlite %s, raft %s)", id, cfg->address,
		 CREEK_DQLITE_VERSION, CREEK_RAFT_VERSION);
	*out = e;
	return 0;
err_after_node:
	dqlite_node_destroy(e->node);
err_after_alloc:
	free(e->address);
	free(e);
	return rc;
}

void storage_engine_stop(struct storage_engine *e)
{
	if (e == NULL)
		return;
	if (dqlite_node_stop(e->node) != 0)
		log_warn("store node %" PRIu64 " did not stop cleanly: %s", e->id,
			 dqlite_node_errmsg(e->node));
	dqlite_node_destroy(e->node);
	free(e->address);
	free(e);
}

/* Close a node opened only to rewrite its configuration. dqlite frees
 * raft's state only in stop(), so the node is started (on a private
 * socket) and stopped rather than just destroyed. */
/* With the node stopped: rewrite the store in dir (node id, created with
 * the address it has, `opened_as`) so that it is the one voter of a new
 * configuration at `address`, keeping all data. dqlite frees raft's state
 * only in stop(), so the node is then started on a private socket and
 * stopped rather than just destroyed. */
static int rewrite_as_sole_voter(const char *dir, uint64_t id, const char *opened_as,
				 const char *address, struct cr_err *err)
{
	dqlite_node *node = NULL;
	dqlite_node_info_ext me;
	char bind[64];
	int rc;

	memset(&me, 0, sizeof(me));
	me.size = sizeof(me);
	me.id = id;
	me.address = (uint64_t)(uintptr_t)address;
	me.dqlite_role = 0; /* voter, in dqlite's wire role numbers */
	if (dqlite_node_create(id, opened_as, dir, &node) != 0) {
		dqlite_node_destroy(node);
		return cr_err_set(err, CR_EINTERNAL, "store node cannot be opened in '%s'", dir);
	}
	rc = dqlite_node_recover_ext(node, &me, 1);
	if (rc != 0)
		rc = cr_err_set(err, CR_EINTERNAL, "the store refused the new configuration: %s",
				dqlite_node_errmsg(node));
	(void)snprintf(bind, sizeof(bind), "@creek-offline-%ld-%" PRIu64, (long)getpid(), id);
	if (dqlite_node_set_bind_address(node, bind) != 0 || dqlite_node_start(node) != 0)
		log_warn("store node %" PRIu64 " could not be closed cleanly: %s", id,
			 dqlite_node_errmsg(node));
	else
		(void)dqlite_node_stop(node);
	dqlite_node_destroy(node);
	return rc;
}

int storage_engine_recover(const char *dir, const char *address, struct cr_err *err)
{
	char info[4096];
	uint64_t id = 0;
	int rc;

	(void)snprintf(info, sizeof(info), "%s/%s", dir, ENGINE_INFO_FILE);
	rc = read_info(info, address, &id, err);
	if (rc == 1)
		return cr_err_set(err, CR_EINVAL, "'%s' holds no store to recover", dir);
	if (rc == 0)
		rc = rewrite_as_sole_voter(dir, id, address, address, err);
	if (rc == 0)
		log_notice("store of node %" PRIu64 " recovered as a one-node cluster", id);
	return rc;
}

int storage_engine_readdress(const char *dir, const char *address, struct cr_err *err)
{
	char info[4096];
	char old[160];
	uint64_t id = 0;
	int rc = cr_parse_ipv4_port(address, err);

	(void)snprintf(info, sizeof(info), "%s/%s", dir, ENGINE_INFO_FILE);
	if (rc == 0)
		rc = read_info_raw(info, &id, old, sizeof(old), err);
	if (rc == 1)
		return cr_err_set(err, CR_EINVAL, "'%s' holds no store", dir);
	if (rc < 0 || strcmp(old, address) == 0)
		return rc;
	rc = rewrite_as_sole_voter(dir, id, old, address, err);
	if (rc == 0)
		rc = write_info(info, id, address, err);
	if (rc == 0)
		log_notice("one-node store moved from '%s' to '%s'", old, address);
	return rc;
}

void storage_engine_local_address(uint64_t id, const char *address, char *out, size_t out_len)
{
	char host[CR_HOST_MAX];
	uint16_t port = 0;

	(void)cr_parse_host_port(address, host, &port, NULL); /* port 0 if it has none */
	(void)snprintf(out, out_len, "@creek-db-%u-%" PRIu64, (unsigned)port, id);
}

uint64_t storage_engine_id(const struct storage_engine *e)
{
	return e->id;
}

const char *storage_engine_address(const struct storage_engine *e)
{
	return e->address;
}
