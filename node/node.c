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
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/time.h"
#include "../storage/engine.h"
#include "../storage/migrate.h"
#include "../storage/store.h"
#include "../web/server.h"

struct node {
	int lock_fd;
	struct storage_engine *engine;
	struct storage_store *store;
	int http_fd; /* listening, until the web server takes it */
	struct web_server *web;
	struct web_context web_ctx;
	char *address;
};

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

static int start_store(struct node *n, const struct node_config *cfg, struct cr_err *err)
{
	char dir[4096];
	struct storage_engine_config ec = {
		.dir = dir,
		.address = cfg->cluster_address,
		.latency_ms = cfg->store_latency_ms,
		.snapshot_threshold = cfg->snapshot_threshold,
		.snapshot_trailing = cfg->snapshot_trailing,
	};
	struct storage_store_config sc = {
		.pool = { .addresses = { cfg->cluster_address },
			  .n_addresses = 1,
			  .io_timeout_ms = cfg->store_timeout_ms,
			  .acquire_timeout_ms = cfg->write_timeout_ms },
		.writer = { .max_batch = cfg->write_batch,
			    .write_timeout_ms = cfg->write_timeout_ms },
	};
	int rc;

	(void)snprintf(dir, sizeof(dir), "%s/store", cfg->data_dir);
	rc = storage_engine_start(&ec, &n->engine, err);
	if (rc == 0)
		rc = storage_store_new(&sc, &n->store, err);
	if (rc == 0)
		rc = storage_migrate(n->store, STORAGE_DB_SYSTEM, storage_system_migrations,
				     storage_n_system_migrations, err);
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

	(void)snprintf(id, sizeof(id), "%" PRIu64, n->web_ctx.node_id);
	(void)snprintf(request_id, sizeof(request_id), "node-start-%s-%" PRId64, id, r.started_us);
	rc = storage_write(n->store, STORAGE_DB_SYSTEM, request_id, record_start, &r, err);
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

int node_start(const struct node_config *cfg, struct node **out, struct cr_err *err)
{
	struct node *n = cr_calloc(1, sizeof(*n));
	struct web_config wc = {
		.address = cfg->http,
		.threads = cfg->http_threads,
		.max_body = cfg->http_max_body,
		.max_header = cfg->http_max_header,
		.timeout_s = cfg->http_timeout_s,
		.max_connections = cfg->http_max_connections,
		.ui_dir = cfg->ui_dir,
	};
	int rc;

	n->lock_fd = -1;
	n->http_fd = -1;
	n->address = cr_strdup(cfg->cluster_address);
	rc = lock_data_dir(cfg->data_dir, &n->lock_fd, err);
	if (rc == 0)
		rc = web_server_listen(&wc, &n->http_fd, err);
	if (rc == 0)
		rc = start_store(n, cfg, err);
	if (rc < 0)
		goto err_after_node;
	n->web_ctx = (struct web_context){ .store = n->store,
					   .node_id = storage_engine_id(n->engine),
					   .node_address = n->address,
					   .started_us = cr_wall_us(),
					   .started_mono_ms = cr_now_ms() };
	rc = record(n, err);
	if (rc < 0)
		goto err_after_node;
	rc = web_server_start(&wc, &n->web_ctx, n->http_fd, &n->web, err);
	n->http_fd = -1; /* the server owns it now */
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

void node_stop(struct node *n)
{
	if (n == NULL)
		return;
	web_server_stop(n->web); /* no request uses the store after this */
	storage_store_free(n->store);
	storage_engine_stop(n->engine);
	if (n->http_fd >= 0)
		close(n->http_fd);
	if (n->lock_fd >= 0)
		close(n->lock_fd);
	free(n->address);
	free(n);
}
