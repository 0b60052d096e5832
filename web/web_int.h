/* web/web_int.h: what the files of web/ share: the request, the route
 * table and the reply helpers. Nothing outside web/ includes this. */
#ifndef CREEK_WEB_INT_H
#define CREEK_WEB_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>

#include "../core/identity/identity.h"
#include "../lib/arena.h"
#include "../lib/buf.h"
#include "../lib/log.h"
#include "server.h"

#define WEB_MAX_PATH_PARAMS 4
#define WEB_ARENA_LIMIT     ((size_t)8 * 1024 * 1024)

enum web_method {
	WEB_GET = 1 << 0,
	WEB_HEAD = 1 << 1,
	WEB_POST = 1 << 2,
	WEB_PUT = 1 << 3,
	WEB_PATCH = 1 << 4,
	WEB_DELETE = 1 << 5,
	WEB_OPTIONS = 1 << 6,
	WEB_OTHER = 1 << 7,
};

/* Who may call a route. */
enum web_permission {
	WEB_PERM_PUBLIC,
	/* The operator: creekctl on the node (it sends the operator token it
	 * reads from the data directory), or a signed-in installation
	 * administrator (the cluster console). Not an address: a reverse proxy
	 * on the same host makes every client look local. */
	WEB_PERM_OPERATOR,
	/* Only on the cluster port, also to a node without a certificate
	 * (it is joining and proves itself with a token). */
	WEB_PERM_JOIN,
	/* A signed-in account (session cookie; CSRF header on changes). */
	WEB_PERM_SESSION,
	/* A signed-in account acting in the workspace {ws} (params[0]); what
	 * it may do there is decided by core/identity per resource. */
	WEB_PERM_WORKSPACE,
	/* As WEB_PERM_WORKSPACE, or the workspace's API key (the org API). */
	WEB_PERM_WORKSPACE_KEY,
	/* Only another node of the cluster: the cluster port with a verified
	 * certificate (the file store's copies). Never forwarded. */
	WEB_PERM_PEER,
};

/* What a route's request body is. Rows that say true/false mean
 * WEB_BODY_JSON/WEB_BODY_NONE. */
enum web_body {
	WEB_BODY_NONE = 0,
	WEB_BODY_JSON = 1, /* parsed into req->json; up to web_config.max_body */
	/* Raw bytes in req->body, up to web_config.max_upload: the route is
	 * admitted (permission, CSRF) when the headers arrive, so that nobody
	 * it would refuse can make the node hold a large body. */
	WEB_BODY_UPLOAD = 2,
};

#define WEB_REQUEST_ID_MAX 128
#define WEB_LOG_ID_LEN     16 /* hex digits */

struct storage_files_upload; /* storage/files.h */
/* "a<account id>" or "k<workspace id>": who holds an upload slot. */
#define WEB_UPLOAD_CALLER_MAX 48

struct web_workers;

struct web_request {
	struct MHD_Connection *conn;
	const struct web_context *ctx;
	const struct web_config *cfg;
	enum web_method method;
	const char *path;                        /* decoded, borrowed from MHD */
	const char *params[WEB_MAX_PATH_PARAMS]; /* {name} segments, in the arena */
	unsigned n_params;
	/* The node's operator: the request carries the operator token
	 * (<data>/operator.token); on the cluster port, a forwarded write
	 * carries the token of a member's operator, checked in the store
	 * (web_forward_if_needed). */
	bool is_local;
	enum web_kind kind;
	/* Idempotency-Key (or the forwarding node's), else one made up for a
	 * write: a retried write applies once. "" if none. */
	char request_id[WEB_REQUEST_ID_MAX + 1];
	/* The id logs and error answers name this request by (web_log_id()):
	 * made up on first use, "" until then. */
	char log_id[WEB_LOG_ID_LEN + 1];
	/* Its security event is logged, or left to the leader it went to. */
	bool is_audited;
	/* The client's address (the forwarding node's client's, on PEER). */
	char client_address[64];
	/* Who asks (routes with a session or workspace permission). */
	struct id_actor actor;
	bool is_body_too_big;
	/* The API route the path and method matched, once found (admit(),
	 * or admit_upload() when the headers came); NULL before or without. */
	const struct web_route *route;
	/* An upload route, admitted or refused (then response is set) when
	 * its headers arrived; NULL for other routes. */
	const struct web_route *upload_route;
	struct cr_buf body;
	/* An admitted upload's body, streamed to disk (owned; NULL for other
	 * routes, or when the node has no file store: then it is in body). */
	struct storage_files_upload *upload;
	/* The caller whose upload slot this request holds ("": none). */
	char upload_caller[WEB_UPLOAD_CALLER_MAX];
	json_t *json; /* parsed body (owned) or NULL */
	struct cr_arena arena;
	/* storage_writer_applied_here() when its route's handler started
	 * (is_marked): a write route whose writes may have applied is never
	 * answered `unavailable` (web_reply_error() says `outcome_unknown`). */
	bool is_marked;
	uint64_t applied_mark;
	/* the answer */
	unsigned status;
	struct MHD_Response *response;
	/* The workers its handler was handed to (workers.h), once it was;
	 * NULL while it is read and for what the HTTP thread answers. */
	struct web_workers *workers;
};

typedef void (*web_handler_fn)(struct web_request *req);

struct web_route {
	unsigned methods;    /* WEB_* bits */
	const char *pattern; /* "/api/v1/things/{id}" */
	web_handler_fn handler;
	enum web_permission permission;
	enum web_body body;
	/* A write: on a node that does not lead, sent to the leader's writer
	 * (handlers must not depend on the query string). */
	bool is_write;
	/* Open to a session whose password someone else set and that must
	 * change it first (one's own account, the change, signing out). */
	bool before_password_change;
};

/* Each route family's rows (web/api_<family>.c, handlers static there),
 * ended by a row with a NULL pattern. */
extern const struct web_route web_routes_node[];
extern const struct web_route web_routes_openapi[];
extern const struct web_route web_routes_cluster[];
extern const struct web_route web_routes_files[];
extern const struct web_route web_routes_identity[];
extern const struct web_route web_routes_org[];
extern const struct web_route web_routes_apps[];
extern const struct web_route web_routes_forms[];
extern const struct web_route web_routes_transfer[];
/* routes.c: the families above, ended by NULL. */
extern const struct web_route *const web_route_tables[];

/* router.c: match path and method. 0 and the route; CR_ENOTFOUND if no
 * pattern matches; CR_EINVAL if patterns match but not the method (allow
 * gets the methods that would). */
int web_route_find(struct web_request *req, const struct web_route **out, unsigned *allow);
/* "GET, HEAD" for a method set; out_len >= 64. */
void web_methods_format(unsigned methods, char *out, size_t out_len);
/* The method named name (RFC 9110 names, case-sensitive); WEB_OTHER for
 * any other. */
enum web_method web_method_parse(const char *name);
/* The name of one method ("GET"); NULL for WEB_OTHER. */
const char *web_method_name(enum web_method method);

/* uploads.c: take a slot for who's upload, or CR_EUNAVAIL (the node's
 * uploads are all taken: 503) or CR_ELIMIT (who's are: 429). Give it back
 * once the request ends. Any HTTP thread. */
int web_uploads_take(struct web_uploads *u, const char *who, struct cr_err *err);
void web_uploads_give_back(struct web_uploads *u, const char *who);

/* reply.c */
unsigned web_status_for(int code);
/* Take ownership of body (a new reference) and answer with it. */
void web_reply_json(struct web_request *req, unsigned status, json_t *body);
void web_reply_error(struct web_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answer with status and a {"error"} body naming an HTTP-level problem. */
void web_reply_http_error(struct web_request *req, unsigned status, const char *code,
			  const char *message);
/* Security headers every answer carries; is_api adds no-store caching. */
void web_headers_add(struct MHD_Response *r, bool is_api);
/* An answer of len bytes at data, gzip-compressed when it is at least
 * WEB_COMPRESS_MIN bytes and the client accepts gzip (with
 * Content-Encoding and Vary set). mode says whose data is, as for
 * MHD_create_response_from_buffer: MUST_FREE hands it over (freed also
 * when compressed or on failure), PERSISTENT outlives the answer,
 * MUST_COPY is copied. NULL if out of memory. */
#define WEB_COMPRESS_MIN 2048
struct MHD_Response *web_response_bytes(struct web_request *req, void *data, size_t len,
					enum MHD_ResponseMemoryMode mode);
/* The request's log id (req->log_id, made up on the first call). */
const char *web_log_id(struct web_request *req);
/* Log the security event a finished request makes, if any, once: a
 * sign-in (or its failure or throttling), a refusal (403, a CSRF or
 * cross-site change, a refused API key or join), a change of roles,
 * groups, API keys, passwords or members, an export, import or join.
 * The table of events is in reply.c. HTTP thread, after the handler. */
void web_security_audit(struct web_request *req);
struct web_security_row {
	unsigned methods;    /* WEB_* bits */
	const char *pattern; /* a route row's */
	const char *event;   /* logged when it answers 2xx */
	enum cr_log_level level;
};
extern const struct web_security_row web_security_rows[]; /* ended by a NULL pattern */
/* Log one security event (name: "sign_in_failed", "csrf_refused", ...)
 * with the actor (req->actor's login, "api-key", or actor if not NULL),
 * workspace, client address and log id, as text on stderr and as
 * journald fields; fmt adds what happened (user values quoted). */
void web_security_event(struct web_request *req, enum cr_log_level level, const char *name,
			const char *actor, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* static.c: GET/HEAD of a UI file, with the SPA fallback to index.html. */
void web_static_serve(struct web_request *req);

/* forward.c: run a write route on the leader; false if this node should
 * run it itself. On the cluster port (a write forwarded here): sets
 * is_local if it carries a member's operator token; true once answered
 * (503: the token cannot be checked now). */
bool web_forward_if_needed(struct web_request *req);

/* auth.c: who asks. Fills req->actor for the route's permission and
 * checks CSRF on changes; false once it answered (401/403). */
bool web_auth(struct web_request *req, const struct web_route *route);
/* The caller may see the cluster's topology (health's detail): the
 * operator, or a signed-in installation administrator (the console).
 * Never answers. */
bool web_may_see_cluster(struct web_request *req);
/* A browser's Origin, if sent, names this host (scheme://Host): checked
 * on every change before it is forwarded (the leader cannot see it). */
bool web_origin_ok(struct web_request *req);
/* Set-Cookie for a new session, and one that clears it. */
void web_session_cookie(struct web_request *req, const char *token, int64_t expires_us,
			int64_t now_us);
void web_session_cookie_clear(struct web_request *req);

/* position.c: read-your-writes. take: the position the request carries
 * (Creek-Position, else its cookie) into req->actor.seen, on a workspace
 * route. give: after a workspace write answered 2xx here, the position it
 * reached, in the answer's header and cookie. relay: a forwarded write's
 * position (the leader's Creek-Position value) onto the relayed answer
 * (its cookie comes with the leader's Set-Cookie), and told to this
 * node's read model. */
void web_position_take(struct web_request *req, const struct web_route *route);
void web_position_give(struct web_request *req, const struct web_route *route);
void web_position_relay(struct web_request *req, const char *value);
/* Answer rc (< 0: the error in err) or status with body. */
void web_reply_result(struct web_request *req, int rc, const struct cr_err *err, unsigned status,
		      json_t *body);
/* path parameter i as a positive id, else answers 404 and false. */
bool web_param_id(struct web_request *req, unsigned i, int64_t *out);
const char *web_query_arg(struct web_request *req, const char *name);

/* The request id a write is recorded under: the Idempotency-Key scoped to
 * who sends it, the method and the path (api_org.c). NULL without one. */
const char *web_write_key(struct web_request *req);

/* api_files.c: what downloads use (uploads into the file store and the
 * copies between nodes are its routes). */
#define WEB_FILE_NAME_MAX 255 /* characters of a file's name */
#define WEB_FILE_TYPE_MAX 127 /* bytes of a media type */

/* The bytes of file sha of workspace ws into *out (a new buffer the caller
 * closes; written only on success): this node's copy, or fetched from a
 * member that has one (and kept here). Call only after checking that the
 * caller may read the file (e.g. fm_record_file()). CR_EINVAL: bad names;
 * CR_ENOTFOUND: no node has it; CR_EUNAVAIL: a node that may have it did
 * not answer; CR_ETOOBIG: above max-upload. HTTP thread. */
int web_files_read(const struct web_request *req, const char *ws, const char *sha,
		   struct cr_buf *out, struct cr_err *err);
/* Some node of the cluster (this one first) holds file sha of ws; nothing
 * is copied. For checking an attachment value before it is saved. */
bool web_files_exists(const struct web_request *req, const char *ws, const char *sha);
/* Answer 200 with the bytes in data (taken: the buffer is left empty) as a
 * download named name (UTF-8; NULL or "": "file") of media type type (a
 * malformed or NULL one is sent as application/octet-stream; parameters
 * are kept). is_inline asks to show it in the browser; only raster images
 * are shown, anything else is always an attachment (Content-Disposition
 * with RFC 6266/8187 filename*=UTF-8''...). Not cacheable. HTTP thread. */
void web_files_reply(struct web_request *req, struct cr_buf *data, const char *name,
		     const char *type, bool is_inline);
/* web_files_read() and web_files_reply() in one, answering the error
 * itself (404, 503, ...); a local copy is sent from disk without reading
 * it into memory. Adds ETag "<sha>" with Cache-Control: private, no-cache,
 * and answers 304 to a matching If-None-Match. HTTP thread. */
void web_files_send(struct web_request *req, const char *ws, const char *sha, const char *name,
		    const char *type, bool is_inline);

#endif
