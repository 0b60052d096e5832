/* web/server.h: Creek's HTTP server (libmicrohttpd).
 *
 * Serves the REST API under /api/v1 (JSON in and out, errors as
 * {"error": {"code", "message"}}) and the built web UI as static files with
 * an SPA fallback. MHD runs a pool of threads, one per core, each with its
 * own epoll: a single polling thread stalls past 128 connections
 * (../shared/notes/performance-reliability-security.md §1.4). */
#ifndef CREEK_WEB_SERVER_H
#define CREEK_WEB_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/err.h"
#include "../storage/store.h"

struct web_server;
struct cluster;
struct cluster_forwarder;
struct identity;
struct forms;
struct storage_files;
struct cluster_file_sync;

/* Who reaches a server. */
enum web_kind {
	WEB_KIND_PUBLIC,   /* browsers and integrators, on the HTTP or HTTPS port */
	WEB_KIND_PEER,     /* other nodes, on the cluster port (certificate checked) */
	WEB_KIND_STRANGER, /* a joining node, on the cluster port (no certificate) */
};

struct web_config {
	enum web_kind kind;
	/* HTTPS: PEM certificate (chain) and key; NULL for plain HTTP. */
	const char *tls_cert_pem;
	const char *tls_key_pem;
	const char *address; /* "127.0.0.1:8080" or "[::1]:8080" */
	unsigned threads;    /* MHD thread pool size; 0 = one per core */
	size_t max_body;     /* request body limit, bytes */
	size_t max_upload;   /* the same for WEB_BODY_UPLOAD routes (files); 0: max_body */
	size_t max_header;   /* memory for one request's headers, bytes */
	unsigned timeout_s;  /* idle connection timeout */
	/* A connection's request headers (and its TLS handshake) must come with
	 * no pause longer than this: the first request's from the accept, the
	 * next's from the previous answer. At most timeout_s; 0: timeout_s.
	 * PUBLIC only (peers forward over kept-alive connections). */
	unsigned header_timeout_s;
	unsigned max_connections;
	/* Connections one client address may hold at once (PUBLIC only;
	 * 0: no limit, as behind a proxy that limits per client itself). */
	unsigned max_per_address;
	const char *ui_dir; /* built UI (index.html, assets/); read at start */
};

/* What handlers may read: borrowed for the server's life. */
struct web_context {
	struct storage_store *store;
	uint64_t node_id;
	const char *node_address; /* cluster address of this node */
	int64_t started_us;       /* wall clock */
	int64_t starts;           /* starts of this node recorded in the store */
	uint64_t started_mono_ms; /* monotonic */
	/* The cluster (NULL in tests that run the web layer alone). */
	struct cluster *cluster;
	struct cluster_forwarder *forwarder;
	const char *cluster_dir;   /* <data>/cluster */
	unsigned write_timeout_ms; /* a forwarded write gives up after this */
	/* The operator's token (<data>/operator.token): a request carrying it
	 * in X-Creek-Operator is the node's operator (creekctl). NULL: none. */
	const char *operator_token;
	/* First start's one-time setup code (<data>/setup.code), which a
	 * visitor must type; NULL or "": none, only the operator may set up.
	 * setup_done (may be NULL) is called on an HTTP thread once setup
	 * succeeded here, to remove the code. */
	const char *setup_code;
	void (*setup_done)(void *arg);
	void *setup_done_arg;
	/* Accounts, sessions, workspaces (NULL in tests of the web layer alone). */
	const struct identity *identity;
	/* Forms and records (NULL in tests of the web layer alone). */
	const struct forms *forms;
	/* This node's file store (NULL: files are not served) and the copies
	 * on the other nodes (NULL: no cluster). */
	struct storage_files *files;
	struct cluster_file_sync *file_sync;
	/* Free space of the data directory (NULL: not watched); while low,
	 * health is degraded with the reason "disk". */
	struct storage_disk *disk;
	/* The node's upload slots, shared by its servers (NULL: no cap). */
	struct web_uploads *uploads;
	/* Tests only (setting test-exit-after-write; NULL: off): exit the
	 * process right after a write run here with a request id starting
	 * with this committed, before answering it. */
	const char *test_exit_after_write;
	/* Tests only (setting test-fail-after-write; NULL: off): a write a
	 * client sent here (not forwarded) with a request id starting with
	 * this is answered as if a read after its commit had failed. */
	const char *test_fail_after_write;
};

/* Uploads under way at once (uploads.c): at most max on the node and
 * max_per_caller per account (or API key's workspace). The caller frees
 * it with web_uploads_free() after the servers that use it stopped. */
struct web_uploads;
void web_uploads_new(unsigned max, unsigned max_per_caller, struct web_uploads **out);
void web_uploads_free(struct web_uploads *u); /* NULL is a no-op */

/* Bind cfg->address and listen, before anything else starts, so that a
 * port in use fails the start at once. CR_EINVAL: bad address;
 * CR_EUNAVAIL: cannot bind (message says why). *fd_out is the caller's. */
int web_server_listen(const struct web_config *cfg, int *fd_out, struct cr_err *err);
/* Start serving on a socket from web_server_listen() (the server takes
 * it, also on failure). Call from the main thread. */
int web_server_start(const struct web_config *cfg, const struct web_context *ctx, int listen_fd,
		     struct web_server **out, struct cr_err *err);
/* Start a server without a listening socket (PEER, STRANGER): its
 * connections are handed over with web_server_add_connection(). */
int web_server_start_internal(const struct web_config *cfg, const struct web_context *ctx,
			      struct web_server **out, struct cr_err *err);
/* Serve one connection (fd is taken, also on failure). Any thread. */
void web_server_add_connection(struct web_server *s, int fd);
/* Stop accepting, finish in-flight requests, free. NULL is a no-op. */
void web_server_stop(struct web_server *s);

#endif
