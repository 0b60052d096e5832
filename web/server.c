/* web/server.c: libmicrohttpd setup and the request lifecycle.
 *
 * MHD calls the access handler several times per request:
 *   1st call    headers read: make the web_request, check Content-Length;
 *               an upload route (WEB_BODY_UPLOAD) is admitted here
 *   next calls  body chunks: append up to max_body, then only count; an
 *               admitted upload's go to a temporary file on disk (hashed
 *               on the way, up to max_upload), never to memory
 *   last call   (*upload_data_size == 0): an API request is handed to a
 *               worker (workers.h) with its connection suspended; the
 *               worker runs the handler and resumes the connection; then
 *               one more call queues the answer. The UI's files are
 *               served on the HTTP thread (no store, no peer).
 * Answering on the first call makes MHD drop keep-alive (notes §1.4), so
 * even an immediate refusal waits for the second call. */
#define LOG_MODULE "web"
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../lib/assert.h"
#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/parse.h"
#include "../lib/text.h"
#include "../lib/time.h"
#include "../storage/files.h"
#include "../storage/writer.h"
#include "web_int.h"
#include "workers.h"

/* Connections refused over a limit are counted and reported at most once
 * per this interval (a flood of them must not flood the log). */
#define WEB_REFUSED_LOG_MS 10000
/* HTTPS (GnuTLS priority string, as the cluster port's OpenSSL setup):
 * TLS 1.2 and 1.3 only, forward-secret ECDHE, AEAD ciphers only (no CBC,
 * no SHA-1 MAC), the server's order. */
#define WEB_TLS_PRIORITIES                                                                         \
	"SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"     \
	"+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE"
/* Sent on HTTPS answers only (RFC 6797 §7.2: not over plain HTTP). */
#define WEB_HSTS "max-age=31536000"

/* Workers per HTTP thread, and jobs queued or running per worker, before
 * requests are answered 503 with Retry-After. */
#define WEB_WORKERS_PER_THREAD 4
#define WEB_JOBS_PER_WORKER    8

struct web_server {
	struct MHD_Daemon *daemon;
	struct web_workers *workers; /* the API's handlers run here */
	struct web_config cfg;       /* cfg.ui_dir: the canonical path, or NULL (owned) */
	const struct web_context *ctx;
	/* Refusals over a connection limit (any MHD thread) */
	atomic_ulong n_refused;          /* since the last report */
	_Atomic uint64_t refused_log_ms; /* monotonic; 0: never reported */
};

/* The request carries the node's operator token (creekctl on the node,
 * which can read <data>/operator.token). */
static bool has_operator_token(struct MHD_Connection *conn, const char *token)
{
	return cr_same_secret(
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Creek-Operator"), token);
}

/* A client's Idempotency-Key, or the forwarding node's request id. */
static void take_request_id(struct web_request *req, struct MHD_Connection *conn)
{
	const char *id = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND,
	    req->kind == WEB_KIND_PEER ? "X-Creek-Request-Id" : "Idempotency-Key");
	size_t n = id != NULL ? strlen(id) : 0;

	req->request_id[0] = '\0';
	if (n == 0 || n > WEB_REQUEST_ID_MAX)
		return;
	for (size_t i = 0; i < n; i++)
		if (id[i] < 0x21 || id[i] > 0x7e)
			return;
	memcpy(req->request_id, id, n + 1);
}

/* The client's address, for throttling and the session list. */
static void take_client_address(struct web_request *req, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info != NULL ? info->client_addr : NULL;

	req->client_address[0] = '\0';
	if (req->kind == WEB_KIND_PEER) {
		const char *a =
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Creek-Client-Address");
		if (a != NULL && strlen(a) < sizeof(req->client_address) &&
		    strspn(a, "0123456789abcdefABCDEF.:") == strlen(a))
			memcpy(req->client_address, a, strlen(a) + 1);
		return;
	}
	if (sa != NULL && sa->sa_family == AF_INET)
		(void)inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
				req->client_address, sizeof(req->client_address));
	else if (sa != NULL && sa->sa_family == AF_INET6)
		(void)inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
				req->client_address, sizeof(req->client_address));
}

static struct web_request *request_new(struct web_server *s, struct MHD_Connection *conn,
				       const char *url, const char *method)
{
	struct web_request *req = cr_calloc(1, sizeof(*req));
	const char *length =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	uint64_t n = 0;

	req->conn = conn;
	req->ctx = s->ctx;
	req->cfg = &s->cfg;
	req->method = web_method_parse(method);
	req->path = url;
	req->kind = s->cfg.kind;
	/* A peer claims nothing: a forwarded write's operator token is
	 * checked against the store (web_forward_if_needed). */
	req->is_local =
	    req->kind == WEB_KIND_PUBLIC && has_operator_token(conn, s->ctx->operator_token);
	take_request_id(req, conn);
	take_client_address(req, conn);
	cr_arena_init(&req->arena, WEB_ARENA_LIMIT);
	cr_buf_init(&req->body, s->cfg.max_body);
	if (length != NULL && cr_parse_u64(length, UINT64_MAX, &n, NULL) == 0 &&
	    n > s->cfg.max_body)
		req->is_body_too_big = true;
	return req;
}

/* The request's upload slot, if it holds one: once its answer is ready,
 * or when its connection ends first. */
static void give_back_upload_slot(struct web_request *req)
{
	if (req->upload_caller[0] == '\0')
		return;
	web_uploads_give_back(req->ctx->uploads, req->upload_caller);
	req->upload_caller[0] = '\0';
}

static void request_free(struct web_request *req)
{
	if (req->response != NULL)
		MHD_destroy_response(req->response);
	json_decref(req->json);
	cr_buf_close(&req->body);
	storage_files_upload_free(req->upload);
	give_back_upload_slot(req);
	cr_arena_close(&req->arena);
	free(req);
}

/* The idle timeout while a connection owes its request headers. */
static unsigned header_timeout_s(const struct web_config *cfg)
{
	/* Peers keep connections to forward on: not cut sooner than timeout_s. */
	if (cfg->kind != WEB_KIND_PUBLIC || cfg->header_timeout_s == 0 ||
	    cfg->header_timeout_s > cfg->timeout_s)
		return cfg->timeout_s;
	return cfg->header_timeout_s;
}

/* A new connection has header_timeout_s for its TLS handshake and first
 * request's headers; the access handler's first call restores timeout_s. */
static void connection_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	const struct web_server *s = cls;

	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED && header_timeout_s(&s->cfg) != s->cfg.timeout_s)
		(void)MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
						header_timeout_s(&s->cfg));
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	const struct web_server *s = cls;

	/* A kept-alive connection owes the next request's headers as soon. */
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK &&
	    header_timeout_s(&s->cfg) != s->cfg.timeout_s)
		(void)MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
						header_timeout_s(&s->cfg));
	if (*con_cls != NULL)
		request_free(*con_cls);
	*con_cls = NULL;
}

static bool is_json(struct web_request *req)
{
	const char *type =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen("application/json");

	return type != NULL && strncasecmp(type, "application/json", n) == 0 &&
	       (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

static bool parse_body(struct web_request *req)
{
	json_error_t jerr;

	if (!is_json(req)) {
		web_reply_http_error(req, 415, "unsupported_media_type",
				     "the request body must be application/json");
		return false;
	}
	if (req->body.len == 0) {
		web_reply_error(req, CR_EINVAL, "the request body is empty; JSON was expected");
		return false;
	}
	req->json = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (req->json == NULL) {
		web_reply_error(req, CR_EINVAL, "malformed JSON at line %d, column %d: %s",
				jerr.line, jerr.column, jerr.text);
		return false;
	}
	return true;
}

/* A decoded path with control characters (%0d%0a...) is refused: it would
 * reach logs and the forwarded request line. */
static bool path_clean(const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* The checks before a route's handler runs, in order; false once it has
 * answered. */
static bool admit(struct web_request *req, const struct web_route **out)
{
	const struct web_route *route = req->route;
	unsigned allow = 0;
	int rc = 0;

	if (!path_clean(req->path)) {
		web_reply_error(req, CR_EINVAL, "the path holds control characters");
		return false;
	}
	if (route == NULL)
		rc = web_route_find(req, &route, &allow);
	req->route = rc == 0 ? route : NULL;
	if (rc == CR_ENOTFOUND) {
		web_reply_error(req, CR_ENOTFOUND, "no API endpoint at '%s'", req->path);
		return false;
	}
	if (rc < 0) {
		char methods[64];
		web_methods_format(allow, methods, sizeof(methods));
		web_reply_http_error(req, 405, "method_not_allowed",
				     "this endpoint does not accept that method");
		(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_ALLOW, methods);
		return false;
	}
	if (req->kind == WEB_KIND_STRANGER && route->permission != WEB_PERM_JOIN) {
		web_reply_error(req, CR_EDENIED, "this endpoint needs a cluster certificate");
		return false;
	}
	if (route->permission == WEB_PERM_JOIN && req->kind == WEB_KIND_PUBLIC) {
		web_reply_error(req, CR_EDENIED, "joining is done on the cluster port");
		return false;
	}
	if (route->permission == WEB_PERM_PEER && req->kind != WEB_KIND_PEER) {
		web_reply_error(req, CR_EDENIED, "this endpoint is for the cluster's nodes");
		return false;
	}
	if (req->is_body_too_big && route->body != WEB_BODY_UPLOAD) {
		web_reply_error(req, CR_ETOOBIG, "the request body exceeds %zu bytes",
				req->cfg->max_body);
		return false;
	}
	if (route->body == WEB_BODY_JSON && !parse_body(req))
		return false;
	if (req->method != WEB_GET && req->method != WEB_HEAD && !web_origin_ok(req)) {
		web_reply_error(req, CR_EDENIED, "a change from another site's page is refused");
		return false;
	}
	if (route->is_write && web_forward_if_needed(req))
		return false;
	if (!web_auth(req, route))
		return false;
	web_position_take(req, route);
	*out = route;
	return true;
}

/* A slot for an upload by a signed-in caller (web/uploads.c); peers'
 * copies are bounded by their own nodes' slots. Refused: the answer. */
static bool take_upload_slot(struct web_request *req)
{
	struct cr_err err = { 0 };
	char who[WEB_UPLOAD_CALLER_MAX];
	int rc;

	if (req->ctx->uploads == NULL || req->kind != WEB_KIND_PUBLIC)
		return true;
	if (req->actor.account.id > 0)
		(void)snprintf(who, sizeof(who), "a%lld", (long long)req->actor.account.id);
	else
		(void)snprintf(who, sizeof(who), "k%s", req->actor.workspace_id);
	rc = web_uploads_take(req->ctx->uploads, who, &err);
	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_RETRY_AFTER, "5");
		return false;
	}
	memcpy(req->upload_caller, who, sizeof(who));
	return true;
}

/* An upload route is admitted as soon as its headers are in: a request it
 * refuses gets its answer ready and its body dropped as it comes. An
 * admitted one takes an upload slot and streams its body to a temporary
 * file of the store (nothing but the chunk in flight is in memory). */
static void admit_upload(struct web_request *req)
{
	const struct web_route *route = NULL;
	const char *length;
	size_t max = req->cfg->max_upload > 0 ? req->cfg->max_upload : req->cfg->max_body;
	unsigned allow = 0;
	uint64_t n = 0;
	struct cr_err err = { 0 };

	if (strncmp(req->path, "/api/", 5) != 0 || web_route_find(req, &route, &allow) < 0)
		return;
	req->route = route; /* admit() and the audit use it: found once */
	if (route->body != WEB_BODY_UPLOAD)
		return;
	req->upload_route = route;
	if (!admit(req, &route) || !take_upload_slot(req)) {
		req->is_body_too_big = true; /* drop what comes; the refusal is ready */
		return;
	}
	req->is_body_too_big = false;
	length =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length != NULL && cr_parse_u64(length, UINT64_MAX, &n, NULL) == 0 && n > max) {
		req->is_body_too_big = true;
		return;
	}
	if (req->ctx->files == NULL) {
		cr_buf_close(&req->body); /* the handler refuses it; keep the old shape */
		cr_buf_init(&req->body, max);
		return;
	}
	if (storage_files_upload_new(req->ctx->files, max, &req->upload, &err) < 0) {
		log_err("cannot receive an upload: %s", err.msg);
		web_reply_error(req, CR_EINTERNAL, "the file cannot be received now");
		req->is_body_too_big = true;
	}
}

/* One chunk of a body: to the upload's file, else to req->body. */
static void take_chunk(struct web_request *req, const char *data, size_t len)
{
	if (req->is_body_too_big)
		return;
	if (req->upload != NULL) {
		/* a disk error fails the upload: its commit reports it */
		if (storage_files_upload_write(req->upload, data, len, NULL) == CR_ETOOBIG)
			req->is_body_too_big = true;
		return;
	}
	if (cr_buf_append(&req->body, data, len) < 0)
		req->is_body_too_big = true;
}

/* Fault injection for tests (test-exit-after-write): a write that ran
 * here and committed (2xx), under a request id with the configured
 * prefix, ends the process before its answer leaves: as if the node died
 * right after COMMIT. The client's retry must be answered the same. */
static void exit_if_told(const struct web_request *req, const struct web_route *route)
{
	const char *prefix = req->ctx->test_exit_after_write;

	if (prefix == NULL || !route->is_write || req->status < 200 || req->status > 299 ||
	    strncmp(req->request_id, prefix, strlen(prefix)) != 0)
		return;
	log_warn("test-exit-after-write: exiting after request '%s' committed", req->request_id);
	_exit(75);
}

/* Where the handler's writes start (see web_request.applied_mark). */
static void mark_applied(struct web_request *req)
{
	req->is_marked = true;
	req->applied_mark = storage_writer_applied_here();
}

/* Fault injection for tests (test-fail-after-write): a write a client
 * sent here that ran and committed (2xx), under a request id with the
 * configured prefix, is answered as a handler answers when a read after
 * its write finds the store unavailable (a create reads its record back).
 * A retry forwarded by another node is answered normally. */
static void fail_if_told(struct web_request *req, const struct web_route *route)
{
	const char *prefix = req->ctx->test_fail_after_write;

	if (prefix == NULL || !route->is_write || req->kind == WEB_KIND_PEER || req->status < 200 ||
	    req->status > 299 || strncmp(req->request_id, prefix, strlen(prefix)) != 0)
		return;
	log_warn("test-fail-after-write: failing request '%s' after its write", req->request_id);
	MHD_destroy_response(req->response);
	req->response = NULL;
	web_reply_error(req, CR_EUNAVAIL, "test-fail-after-write: the read after the write failed");
}

static void dispatch_api(struct web_request *req)
{
	const struct web_route *route = req->upload_route;

	if (route == NULL) {
		if (admit(req, &route)) {
			mark_applied(req);
			route->handler(req);
			web_position_give(req, route);
			fail_if_told(req, route);
			exit_if_told(req, route);
		}
		return;
	}
	if (req->response != NULL)
		return; /* refused when its headers came */
	if (req->is_body_too_big) {
		web_reply_error(req, CR_ETOOBIG, "the file exceeds the largest upload, %zu bytes",
				req->cfg->max_upload > 0 ? req->cfg->max_upload
							 : req->cfg->max_body);
		return;
	}
	mark_applied(req);
	route->handler(req);
	web_position_give(req, route);
}

static void dispatch(struct web_request *req)
{
	if (strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0) {
		dispatch_api(req);
		return;
	}
	if (req->method != WEB_GET && req->method != WEB_HEAD) {
		web_reply_http_error(req, 405, "method_not_allowed",
				     "only GET and HEAD are served outside /api");
		(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		return;
	}
	web_static_serve(req);
}

/* The answer is ready: log, audit and send it. */
static enum MHD_Result answer(struct web_server *s, struct MHD_Connection *conn,
			      struct web_request *req, const char *method, const char *url)
{
	enum MHD_Result ok;

	if (req->response == NULL)
		web_reply_error(req, CR_EINTERNAL, "the handler gave no answer");
	web_security_audit(req);
	if (s->cfg.tls_cert_pem != NULL)
		(void)MHD_add_response_header(req->response, "Strict-Transport-Security", WEB_HSTS);
	ok = MHD_queue_response(conn, req->status, req->response);
	if (req->status >= 500 && req->log_id[0] == '\0') /* else logged with its id */
		log_warn("%s '%s' answered %u", method, url, req->status);
	return ok;
}

/* On a worker: run the handler, then give the connection back to MHD,
 * which calls access_handler() again to send the answer. req may be freed
 * as soon as its connection is resumed. */
static void work(void *job)
{
	struct web_request *req = job;
	struct web_workers *workers = req->workers;
	struct MHD_Connection *conn = req->conn;

	dispatch(req);
	give_back_upload_slot(req); /* its answer is ready: the next may come */
	web_workers_done(workers);
	MHD_resume_connection(conn);
}

static bool is_api(const struct web_request *req)
{
	return strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct web_server *s = cls;
	struct web_request *req = *con_cls;

	(void)version;
	if (req == NULL) {
		if (header_timeout_s(&s->cfg) != s->cfg.timeout_s)
			(void)MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
							s->cfg.timeout_s);
		req = request_new(s, conn, url, method);
		*con_cls = req;
		admit_upload(req);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		take_chunk(req, upload_data, *upload_data_size);
		*upload_data_size = 0; /* consumed (or dropped once too big) */
		return MHD_YES;
	}
	if (req->workers != NULL) /* back from its worker */
		return answer(s, conn, req, method, url);
	if (is_api(req) && req->response == NULL) {
		if (web_workers_reserve(s->workers)) {
			req->workers = s->workers;
			MHD_suspend_connection(conn);
			web_workers_submit(s->workers, req);
			return MHD_YES;
		}
		/* Every worker is taken and the queue is full (or the node
		 * is stopping): nothing ran, nothing was written. */
		web_reply_error(req, CR_EUNAVAIL,
				"this node has %u requests in hand; try again in a moment",
				web_workers_busy(s->workers));
		(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_RETRY_AFTER, "1");
		give_back_upload_slot(req);
		return answer(s, conn, req, method, url);
	}
	dispatch(req);
	give_back_upload_slot(req); /* its answer is ready: the next may come */
	return answer(s, conn, req, method, url);
}

/* One connection refused over http-max-connections or
 * http-max-connections-per-address: counted, and reported at most once per
 * WEB_REFUSED_LOG_MS (when the next refusal comes after it). */
static void note_refused(struct web_server *s)
{
	uint64_t now = cr_now_ms();
	uint64_t last = atomic_load(&s->refused_log_ms);
	unsigned long n;

	(void)atomic_fetch_add(&s->n_refused, 1);
	if (last != 0 && now - last < WEB_REFUSED_LOG_MS)
		return;
	if (!atomic_compare_exchange_strong(&s->refused_log_ms, &last, now))
		return; /* another thread reports */
	n = atomic_exchange(&s->n_refused, 0);
	log_warn("refused %lu %s connection(s) over http-max-connections or "
		 "http-max-connections-per-address; next report in %u s at the earliest",
		 n, s->cfg.tls_cert_pem != NULL ? "HTTPS" : "HTTP", WEB_REFUSED_LOG_MS / 1000);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	while (n > 0 && (size_t)n < sizeof(msg) && msg[n - 1] == '\n')
		msg[--n] = '\0';
	/* Connections from the cluster port are Unix sockets: MHD's TCP
	 * tuning fails on them, harmlessly. */
	if (strstr(msg, "TCP_NODELAY") != NULL || strstr(msg, "TCP_CORK") != NULL ||
	    strstr(msg, "push the data from buffers") != NULL) {
		log_debug("libmicrohttpd: %s", msg);
		return;
	}
	if (strstr(msg, "reached connection limit") != NULL) {
		note_refused(cls);
		return;
	}
	log_info("libmicrohttpd: %s", msg);
}

/* "1.2.3.4:80" or "[::1]:80" into a socket address. */
static int parse_listen(const char *address, struct sockaddr_storage *ss, struct cr_err *err)
{
	char host[CR_HOST_MAX];
	uint16_t port = 0;
	int rc = cr_parse_host_port(address, host, &port, err);

	if (rc < 0)
		return rc;
	memset(ss, 0, sizeof(*ss));
	{
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			sin->sin_port = htons(port);
			return 0;
		}
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(port);
			return 0;
		}
	}
	return cr_err_set(err, CR_EINVAL, "'%s' is not an IP address", host);
}

int web_server_listen(const struct web_config *cfg, int *fd_out, struct cr_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	int fd;
	int rc = parse_listen(cfg->address, &ss, err);

	if (rc < 0)
		return cr_err_wrap(err, "http address");
	len = ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return cr_err_set(err, CR_EUNAVAIL, "cannot create the HTTP socket: %s",
				  strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1024) < 0) {
		rc = cr_err_set(err, CR_EUNAVAIL, "cannot listen for HTTP on '%s': %s",
				cfg->address, strerror(errno));
		close(fd);
		return rc;
	}
	*fd_out = fd;
	return 0;
}

static const char *kind_name(enum web_kind kind)
{
	switch (kind) {
	case WEB_KIND_PEER:
		return "cluster peers";
	case WEB_KIND_STRANGER:
		return "joining nodes";
	default:
		return "HTTP";
	}
}

/* The optional options (the listening socket, the per-address limit,
 * TLS), up to WEB_MAX_OPTIONAL of them and an MHD_OPTION_END, and their
 * flags. */
#define WEB_MAX_OPTIONAL 6
static int optional_options(const struct web_config *cfg, int listen_fd,
			    struct MHD_OptionItem opts[WEB_MAX_OPTIONAL + 1], unsigned *flags,
			    struct cr_err *err)
{
	unsigned n = 0;

	if (listen_fd < 0)
		*flags |= MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
	else
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, listen_fd, NULL };
	/* Cluster connections come over Unix sockets: no address to count. */
	if (cfg->kind == WEB_KIND_PUBLIC && cfg->max_per_address > 0)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT,
						     (intptr_t)cfg->max_per_address, NULL };
	if (cfg->tls_cert_pem != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return cr_err_set(err, CR_EUNAVAIL,
					  "this libmicrohttpd has no TLS; HTTPS cannot be served");
		*flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						     (void *)cfg->tls_cert_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
						     (void *)cfg->tls_key_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						     (void *)WEB_TLS_PRIORITIES };
	}
	cr_assert(n <= WEB_MAX_OPTIONAL);
	opts[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	return 0;
}

/* listen_fd < 0: no listening socket (connections are added). */
static int start(const struct web_config *cfg, const struct web_context *ctx, int listen_fd,
		 struct web_server **out, struct cr_err *err)
{
	struct web_server *s;
	unsigned threads = cfg->threads;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_OptionItem opts[WEB_MAX_OPTIONAL + 1];
	int rc = optional_options(cfg, listen_fd, opts, &flags, err);

	if (rc < 0) {
		if (listen_fd >= 0)
			close(listen_fd);
		return rc;
	}
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		/* Handlers wait for the store (a write waits for its group
		 * commit): enough threads that waiting requests batch. */
		threads = n > 0 ? (unsigned)n * 8 : 8;
	}
	s = cr_calloc(1, sizeof(*s));
	s->cfg = *cfg;
	s->ctx = ctx;
	rc = web_workers_new(threads * WEB_WORKERS_PER_THREAD,
			     threads * WEB_WORKERS_PER_THREAD * WEB_JOBS_PER_WORKER, work,
			     &s->workers, err);
	if (rc < 0) {
		if (listen_fd >= 0)
			close(listen_fd);
		free(s);
		return rc;
	}
	/* Resolved once: static.c compares every file against this root. */
	s->cfg.ui_dir = cfg->ui_dir != NULL ? realpath(cfg->ui_dir, NULL) : NULL;
	if (s->cfg.ui_dir == NULL && cfg->kind == WEB_KIND_PUBLIC)
		log_warn("web UI directory '%s' not found; serving the API only",
			 cfg->ui_dir != NULL ? cfg->ui_dir : "");
	s->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, access_handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    cfg->max_header, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
	    MHD_OPTION_NOTIFY_CONNECTION, connection_notify, s, MHD_OPTION_ARRAY, opts,
	    MHD_OPTION_END);
	if (s->daemon == NULL) {
		if (listen_fd >= 0)
			close(listen_fd);
		web_workers_free(s->workers);
		free((char *)s->cfg.ui_dir);
		free(s);
		return cr_err_set(err, CR_EUNAVAIL, "cannot serve %s on '%s'",
				  cfg->tls_cert_pem != NULL ? "HTTPS" : kind_name(cfg->kind),
				  cfg->address != NULL ? cfg->address : "the cluster port");
	}
	log_info("serving %s%s%s with %u threads, its API with %u workers",
		 cfg->tls_cert_pem != NULL ? "HTTPS" : kind_name(cfg->kind),
		 cfg->address != NULL ? " on " : "", cfg->address != NULL ? cfg->address : "",
		 threads, threads * WEB_WORKERS_PER_THREAD);
	*out = s;
	return 0;
}

int web_server_start(const struct web_config *cfg, const struct web_context *ctx, int listen_fd,
		     struct web_server **out, struct cr_err *err)
{
	return start(cfg, ctx, listen_fd, out, err);
}

int web_server_start_internal(const struct web_config *cfg, const struct web_context *ctx,
			      struct web_server **out, struct cr_err *err)
{
	return start(cfg, ctx, -1, out, err);
}

void web_server_add_connection(struct web_server *s, int fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (MHD_add_connection(s->daemon, fd, (const struct sockaddr *)&sun, sizeof(sun)) !=
	    MHD_YES)
		log_warn("cannot serve a cluster connection (limit reached?)");
}

void web_server_stop(struct web_server *s)
{
	if (s == NULL)
		return;
	/* Requests in hand are answered first (MHD must not stop with a
	 * connection suspended); any that comes meanwhile is answered 503. */
	web_workers_stop(s->workers);
	MHD_stop_daemon(s->daemon);
	web_workers_free(s->workers);
	free((char *)s->cfg.ui_dir);
	free(s);
}
