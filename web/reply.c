/* web/reply.c: JSON answers, the error shape, and the headers every answer
 * carries. The one table mapping Creek's error codes to HTTP statuses, and
 * the one place that decides what of an error a client may read: an
 * internal failure, an unavailable store or an unsettled write is answered
 * in general words and a log id, its detail (SQL, store addresses, paths)
 * going only to the log under that id. The security events' log lines. */
#define LOG_MODULE "web"
#include "web_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/parse.h"
#include "../lib/text.h"
#include "../storage/disk.h"
#include "../storage/writer.h"

/* Strict: scripts, styles, fonts and images only from this origin; no
 * framing; no plugins. The UI build is made to run under it. */
static const char WEB_CSP[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
			      "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
			      "object-src 'none'; base-uri 'self'; form-action 'self'; "
			      "frame-ancestors 'none'";

unsigned web_status_for(int code)
{
	switch (code) {
	case CR_OK:
		return 200;
	case CR_EINVAL:
		return 400;
	case CR_EDENIED:
		return 403;
	case CR_ENOTFOUND:
		return 404;
	case CR_ECONFLICT:
		return 409;
	case CR_ETOOBIG:
		return 413;
	case CR_EAUTH:
		return 401;
	case CR_ELIMIT:
		return 429;
	case CR_EUNPROCESSABLE:
		return 422;
	case CR_EUNAVAIL:
	case CR_EUNKNOWN:
		return 503;
	default:
		return 500;
	}
}

void web_headers_add(struct MHD_Response *r, bool is_api)
{
	(void)MHD_add_response_header(r, "Content-Security-Policy", WEB_CSP);
	(void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	(void)MHD_add_response_header(r, "X-Frame-Options", "DENY");
	(void)MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	(void)MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	(void)MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	/* Camera (barcode scanning) and position (location fields) for this origin
	 * only; nothing else. */
	(void)MHD_add_response_header(r, "Permissions-Policy",
				      "camera=(self), geolocation=(self), microphone=(), "
				      "payment=(), usb=()");
	if (is_api)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

/* gzip of len bytes at data into a new buffer (*out, *out_len); -1 if
 * zlib fails or it would not be smaller. Level 1: JSON shrinks 5-10x at
 * a fraction of the cost of higher levels. */
static int gzip_bytes(const void *data, size_t len, unsigned char **out, size_t *out_len)
{
	z_stream z;
	unsigned char *buf;
	uLong bound;
	int rc;

	memset(&z, 0, sizeof(z));
	if (len > UINT_MAX ||
	    deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	bound = deflateBound(&z, (uLong)len);
	buf = cr_malloc(bound);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	(void)deflateEnd(&z);
	if (rc != Z_STREAM_END || *out_len >= len) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

struct MHD_Response *web_response_bytes(struct web_request *req, void *data, size_t len,
					enum MHD_ResponseMemoryMode mode)
{
	unsigned char *packed = NULL;
	size_t packed_len = 0;
	struct MHD_Response *r;

	if (len >= WEB_COMPRESS_MIN &&
	    (cr_parse_accept_encoding(MHD_lookup_connection_value(
		 req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING)) &
	     CR_ENCODING_GZIP) != 0 &&
	    gzip_bytes(data, len, &packed, &packed_len) == 0) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(data);
		r = MHD_create_response_from_buffer(packed_len, packed, MHD_RESPMEM_MUST_FREE);
		if (r == NULL) {
			free(packed);
			return NULL;
		}
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	} else {
		r = MHD_create_response_from_buffer(len, data, mode);
		if (r == NULL) {
			if (mode == MHD_RESPMEM_MUST_FREE)
				free(data);
			return NULL;
		}
	}
	if (len >= WEB_COMPRESS_MIN)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	return r;
}

static void reply_text(struct web_request *req, unsigned status, char *text, size_t len)
{
	struct MHD_Response *r = web_response_bytes(req, text, len, MHD_RESPMEM_MUST_FREE);

	if (r == NULL) {
		static const char fallback[] = "{\"error\":{\"code\":\"internal\",\"message\":"
					       "\"out of memory\"}}";
		r = MHD_create_response_from_buffer(sizeof(fallback) - 1, (void *)fallback,
						    MHD_RESPMEM_PERSISTENT);
		status = 500;
	}

	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				      "application/json; charset=utf-8");
	web_headers_add(r, true);
	if (req->response != NULL)
		MHD_destroy_response(req->response);
	req->response = r;
	req->status = status;
}

void web_reply_json(struct web_request *req, unsigned status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9));

	json_decref(body);
	if (text == NULL) {
		static const char fallback[] =
		    "{\"error\":{\"code\":\"internal\",\"message\":\"cannot encode answer\"}}";
		reply_text(req, 500, cr_strdup(fallback), strlen(fallback));
		return;
	}
	reply_text(req, status, text, strlen(text));
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Messages may quote client input (a path): make them valid UTF-8. */
static void sanitize_utf8(const char *in, char *out, size_t out_len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t used = 0;

	while (*p != '\0' && used + 5 < out_len) {
		size_t n = utf8_len(p);
		if (n == 0) {
			out[used++] = '?';
			p++;
			continue;
		}
		memcpy(out + used, p, n);
		used += n;
		p += n;
	}
	out[used] = '\0';
}

void web_reply_http_error(struct web_request *req, unsigned status, const char *code,
			  const char *message)
{
	char clean[CR_ERR_MSG_MAX * 2];

	sanitize_utf8(message, clean, sizeof(clean));
	web_reply_json(req, status,
		       json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", clean));
}

const char *web_log_id(struct web_request *req)
{
	unsigned char b[WEB_LOG_ID_LEN / 2];

	if (req->log_id[0] != '\0')
		return req->log_id;
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		memset(b, 0, sizeof(b)); /* an id shared by a few is still an id */
	cr_hex_encode(b, sizeof(b), req->log_id);
	return req->log_id;
}

/* The log fields of req (borrowed from it); actor may be NULL. */
static struct cr_log_fields request_fields(struct web_request *req, const char *actor)
{
	const char *ws = req->actor.workspace_id[0] != '\0' ? req->actor.workspace_id : NULL;

	if (actor == NULL && req->actor.via_api_key)
		actor = "api-key";
	else if (actor == NULL && req->actor.account.login[0] != '\0')
		actor = req->actor.account.login;
	return (struct cr_log_fields){ .request_id = web_log_id(req),
				       .workspace = ws,
				       .actor = actor,
				       .client_address = req->client_address };
}

void web_security_event(struct web_request *req, enum cr_log_level level, const char *name,
			const char *actor, const char *fmt, ...)
{
	const struct cr_log_fields *outer = cr_log_fields_get();
	struct cr_log_fields f = request_fields(req, actor);
	char what[CR_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	f.event = name;
	req->is_audited = true;
	cr_log_fields_set(&f);
	CR_LOG_AT(level, "security: %s: %s; actor '%s', workspace '%s', client '%s', request %s",
		  name, what, f.actor != NULL ? f.actor : "-",
		  f.workspace != NULL ? f.workspace : "-", f.client_address, f.request_id);
	cr_log_fields_set(outer);
}

/* The changes that are security events, logged when they succeed. Each
 * pattern is a route row's (test_router checks that it exists). */
const struct web_security_row web_security_rows[] = {
	{ WEB_POST, "/api/v1/session", "sign_in", CR_LOG_INFO },
	{ WEB_POST, "/api/v1/setup", "setup", CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/invites/{token}/register", "account_registered", CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/invites/{token}/accept", "invite_accepted", CR_LOG_NOTICE },
	{ WEB_PUT, "/api/v1/me/password", "password_changed", CR_LOG_NOTICE },
	{ WEB_PUT, "/api/v1/accounts/{login}/password", "password_reset", CR_LOG_NOTICE },
	{ WEB_PUT, "/api/v1/workspaces/{ws}/members/{id}/password", "password_reset",
	  CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/workspaces/{ws}/members", "member_added", CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/workspaces/{ws}/members/import", "members_imported", CR_LOG_NOTICE },
	{ WEB_PATCH, "/api/v1/workspaces/{ws}/members/{id}", "member_changed", CR_LOG_NOTICE },
	{ WEB_DELETE, "/api/v1/workspaces/{ws}/members/{id}", "member_removed", CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/workspaces/{ws}/roles", "role_created", CR_LOG_NOTICE },
	{ WEB_PATCH, "/api/v1/workspaces/{ws}/roles/{id}", "role_changed", CR_LOG_NOTICE },
	{ WEB_DELETE, "/api/v1/workspaces/{ws}/roles/{id}", "role_deleted", CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/workspaces/{ws}/permission-groups", "group_created", CR_LOG_NOTICE },
	{ WEB_PATCH, "/api/v1/workspaces/{ws}/permission-groups/{id}", "group_changed",
	  CR_LOG_NOTICE },
	{ WEB_DELETE, "/api/v1/workspaces/{ws}/permission-groups/{id}", "group_deleted",
	  CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/workspaces/{ws}/api-keys", "api_key_created", CR_LOG_NOTICE },
	{ WEB_DELETE, "/api/v1/workspaces/{ws}/api-keys/{id}", "api_key_revoked", CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/workspaces/{ws}/apps/{id}/export", "records_exported", CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/workspaces/{ws}/apps/{id}/import", "records_imported", CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/cluster/tokens", "join_token_created", CR_LOG_NOTICE },
	{ WEB_POST, "/api/v1/cluster/join", "node_joined", CR_LOG_NOTICE },
	{ WEB_DELETE, "/api/v1/cluster/nodes/{id}", "node_removed", CR_LOG_NOTICE },
	{ 0, NULL, NULL, CR_LOG_DEBUG },
};

static const struct web_security_row *security_row(const struct web_request *req,
						   const char *pattern)
{
	for (const struct web_security_row *r = web_security_rows; r->pattern != NULL; r++)
		if ((r->methods & (unsigned)req->method) != 0 && strcmp(r->pattern, pattern) == 0)
			return r;
	return NULL;
}

/* A refused change that a cross-site page could have sent: a session's
 * change without its CSRF token, or from another site's page. */
static bool is_forgery(struct web_request *req)
{
	const char *csrf = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Creek-CSRF");

	if (req->method == WEB_GET || req->method == WEB_HEAD || req->method == WEB_OPTIONS)
		return false;
	if (!web_origin_ok(req))
		return true;
	return req->actor.csrf_token[0] != '\0' &&
	       (csrf == NULL || !cr_same_secret(csrf, req->actor.csrf_token));
}

/* The event of a refusal (status 4xx) on route pattern, or NULL; *level
 * is warning unless it says otherwise. */
static const char *refusal_event(struct web_request *req, const char *pattern,
				 enum cr_log_level *level)
{
	bool is_sign_in = strcmp(pattern, "/api/v1/session") == 0 && req->method == WEB_POST;
	bool has_credentials =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Authorization") != NULL;

	*level = CR_LOG_WARN;
	if (is_sign_in && req->status == 429)
		return "sign_in_throttled";
	if (strcmp(pattern, "/api/v1/cluster/join") == 0)
		return "join_refused";
	if (req->status == 403 && is_forgery(req))
		return "csrf_refused";
	*level = CR_LOG_NOTICE;
	if (is_sign_in && req->status == 401)
		return "sign_in_failed";
	if (req->status == 403)
		return "access_denied";
	if (req->status == 401 && has_credentials)
		return "credentials_refused";
	return NULL;
}

void web_security_audit(struct web_request *req)
{
	const struct web_route *route = req->route;
	const struct web_security_row *row = NULL;
	enum cr_log_level level = CR_LOG_NOTICE;
	const char *event = NULL;
	const char *method = web_method_name(req->method);
	const char *login = json_string_value(json_object_get(req->json, "login"));
	bool is_ok = req->status >= 200 && req->status <= 299;

	/* route: what admit() matched (none: 404/405, nothing to audit) */
	if (req->is_audited || route == NULL || req->status >= 500 ||
	    (is_ok && (req->method == WEB_GET || req->method == WEB_HEAD)))
		return;
	row = is_ok ? security_row(req, route->pattern) : NULL;
	if (row != NULL) {
		event = row->event;
		level = row->level;
	} else if (!is_ok) {
		event = refusal_event(req, route->pattern, &level);
	}
	if (event == NULL)
		return;
	if (req->actor.account.login[0] != '\0' || req->actor.via_api_key)
		login = NULL; /* who signed in, not a login named in the body */
	web_security_event(req, level, event, login, "%s '%s' answered %u",
			   method != NULL ? method : "?", req->path, req->status);
}

/* Errors whose text is for the log only: what the client reads instead. */
static bool hide_detail(struct web_request *req, int code, const char *detail, char *msg,
			size_t msg_len)
{
	const struct cr_log_fields *outer = cr_log_fields_get();
	struct cr_log_fields f = request_fields(req, NULL);
	const char *method = web_method_name(req->method);

	if (code == CR_EUNAVAIL && strstr(detail, STORAGE_DISK_FULL_MSG) != NULL)
		(void)snprintf(msg, msg_len,
			       "%s; nothing was written; try again later (request %s)",
			       STORAGE_DISK_FULL_MSG, f.request_id);
	else if (code == CR_EUNAVAIL)
		(void)snprintf(msg, msg_len,
			       "the service is unavailable right now; nothing was written; try "
			       "again (request %s)",
			       f.request_id);
	else if (code == CR_EUNKNOWN)
		(void)snprintf(msg, msg_len,
			       "the outcome of the change is unknown: repeat it with the same "
			       "Idempotency-Key%s%s%s to apply it at most once (request %s)",
			       req->request_id[0] ? " ('" : "", req->request_id,
			       req->request_id[0] ? "')" : "", f.request_id);
	else if (code == CR_ECONFLICT && strstr(detail, " constraint failed") != NULL)
		/* the store's own words, naming tables and columns (storage/conn.c):
		 * a check in core that should have caught it first did not */
		(void)snprintf(msg, msg_len,
			       "the change conflicts with data already stored (request %s)",
			       f.request_id);
	else if (web_status_for(code) == 500)
		(void)snprintf(msg, msg_len,
			       "internal error; the node's log has the details under request %s",
			       f.request_id);
	else
		return false;
	cr_log_fields_set(&f);
	if (web_status_for(code) == 500)
		log_err("request %s (%s '%s'): %s", f.request_id, method ? method : "?", req->path,
			detail);
	else
		log_warn("request %s (%s '%s'): %s", f.request_id, method ? method : "?", req->path,
			 detail);
	cr_log_fields_set(outer);
	return true;
}

/* A write route's handler submitted a write that took effect or may have
 * (storage_writer_applied_here() moved since it started): whatever failed
 * after it, "nothing was written" would be false. */
static bool may_have_applied(const struct web_request *req)
{
	return req->is_marked && req->route != NULL && req->route->is_write &&
	       storage_writer_applied_here() != req->applied_mark;
}

void web_reply_error(struct web_request *req, int code, const char *fmt, ...)
{
	char detail[CR_ERR_MSG_MAX];
	char msg[CR_ERR_MSG_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (code == CR_EUNAVAIL && may_have_applied(req)) {
		/* docs/api.md: `unavailable` promises nothing was written. A
		 * read after the write (a create's answer is read back) failed:
		 * the client repeats the request under its key and gets the
		 * first run's answer. */
		char was[CR_ERR_MSG_MAX];
		(void)snprintf(was, sizeof(was), "%s", detail);
		(void)snprintf(detail, sizeof(detail), "after a write that took effect: %.200s",
			       was);
		code = CR_EUNKNOWN;
	}
	if (!hide_detail(req, code, detail, msg, sizeof(msg))) {
		web_reply_http_error(req, web_status_for(code), cr_err_name(code), detail);
		return;
	}
	web_reply_json(req, web_status_for(code),
		       json_pack("{s:{s:s, s:s, s:s}}", "error", "code", cr_err_name(code),
				 "message", msg, "request_id", req->log_id));
}
