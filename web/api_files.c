/* web/api_files.c: the HTTP faces of the file store.
 *
 *   POST /api/v1/workspaces/{ws}/files      a member uploads a file (raw
 *        body; X-Creek-File-Name: percent-encoded UTF-8; Content-Type: its
 *        media type) -> 201 {"sha256", "name", "size", "type"}. Handled on
 *        the node that receives it (nothing goes into dqlite): the body
 *        streams to a temporary file as it comes (server.c), is put into
 *        place here, then copied to the other members (cluster/file_sync.h).
 *        The workspace's database keeps who uploaded it, with its name
 *        and type (core/forms/uploads.c): a record may name it only if
 *        the caller uploaded it or the record held it already.
 *   /api/v1/cluster/files...                the copies between nodes, on the
 *        cluster port only (WEB_PERM_PEER); see cluster/file_sync.h.
 *
 * Downloads are the records' routes (api_forms.c): they check that the
 * caller may read a record holding the file, then call web_files_send(). */
#define LOG_MODULE "web"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../cluster/file_sync.h"
#include "../core/forms/forms.h"
#include "../lib/log.h"
#include "../lib/text.h"
#include "../lib/time.h"
#include "../storage/files.h"
#include "web_int.h"

#define DEFAULT_TYPE    "application/octet-stream"
#define DISPOSITION_MAX 8192

/* ---- what an upload says about its file ---- */

/* X-Creek-File-Name, percent-decoded into the arena. */
static int file_name(struct web_request *req, const char **out, struct cr_err *err)
{
	const char *raw =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Creek-File-Name");
	size_t n = raw != NULL ? strlen(raw) : 0;
	char *name;
	size_t j = 0;
	long chars;

	if (n == 0)
		return cr_err_set(err, CR_EINVAL,
				  "the file's name is missing: send it percent-encoded (UTF-8) in "
				  "the X-Creek-File-Name header");
	name = cr_arena_alloc(&req->arena, n + 1);
	if (name == NULL)
		return cr_err_set(err, CR_ETOOBIG, "the file's name is too long");
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (raw[i] != '%') {
			name[j++] = raw[i];
			continue;
		}
		hi = i + 2 < n ? cr_hex_digit(raw[i + 1]) : -1;
		lo = hi >= 0 ? cr_hex_digit(raw[i + 2]) : -1;
		if (lo < 0 || (hi == 0 && lo == 0))
			return cr_err_set(err, CR_EINVAL,
					  "X-Creek-File-Name has a bad %%-escape at byte %zu", i);
		name[j++] = (char)(hi * 16 + lo);
		i += 2;
	}
	name[j] = '\0';
	chars = cr_utf8_chars(name, false);
	if (chars <= 0)
		return cr_err_set(err, CR_EINVAL,
				  "the file's name must be UTF-8 text without control characters");
	if (chars > WEB_FILE_NAME_MAX)
		return cr_err_set(err, CR_EINVAL, "the file's name is longer than %d characters",
				  WEB_FILE_NAME_MAX);
	if (strpbrk(name, "/\\") != NULL)
		return cr_err_set(err, CR_EINVAL, "the file's name must not contain / or \\");
	if (cr_utf8_has_bidi_controls(name))
		return cr_err_set(
		    err, CR_EINVAL,
		    "the file's name must not hold text-direction controls (U+202E...)");
	*out = name;
	return 0;
}

/* RFC 6838 §4.2 restricted-name characters. */
static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || strchr("!#$&-^_.+", c) != NULL;
}

/* "type/subtype" (parameters dropped), lower-case, into out; CR_EINVAL if
 * s is not one. */
static int media_type(const char *s, char out[WEB_FILE_TYPE_MAX + 1], struct cr_err *err)
{
	size_t n, slash = 0, k = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, ";");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n > WEB_FILE_TYPE_MAX)
		return cr_err_set(err, CR_EINVAL, "the Content-Type is not a media type");
	for (size_t i = 0; i < n; i++) {
		bool starts_name = i == 0 || i == slash + 1;
		if (s[i] == '/' && slash == 0 && i > 0)
			slash = i;
		else if (!is_name_char(s[i]) || (starts_name && !isalnum((unsigned char)s[i])))
			return cr_err_set(err, CR_EINVAL,
					  "the Content-Type must be a media type such as "
					  "'application/pdf'");
		/* ASCII only (is_name_char): no locale, and no tolower() macro */
		out[k] = s[i];
		if (out[k] >= 'A' && out[k] <= 'Z')
			out[k] = (char)(out[k] - 'A' + 'a');
		k++;
	}
	out[k] = '\0';
	if (slash == 0 || slash + 1 == n)
		return cr_err_set(
		    err, CR_EINVAL,
		    "the Content-Type must be a media type such as 'application/pdf'");
	return 0;
}

/* Copy the stored ws/sha (size bytes) to the other members, read through
 * a mapping of this node's copy: page cache the kernel may drop, not heap. */
static int push_copies(const struct web_request *req, const char *ws, const char *sha,
		       struct cr_err *err)
{
	const struct web_context *ctx = req->ctx;
	uint64_t size = 0;
	void *map = NULL;
	int fd = -1;
	int rc = storage_files_open(ctx->files, ws, sha, &fd, &size, err);

	if (rc < 0)
		return rc;
	if (size > 0)
		map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	(void)close(fd);
	if (map == MAP_FAILED)
		return cr_err_set(err, CR_EINTERNAL, "cannot read the stored file");
	rc = cluster_file_sync_push(ctx->file_sync, ws, sha, map != NULL ? map : "", (size_t)size,
				    err);
	if (map != NULL)
		(void)munmap(map, (size_t)size);
	return rc > 0 ? 0 : rc;
}

static void files_post(struct web_request *req)
{
	const struct web_context *ctx = req->ctx;
	const char *ws = req->params[0];
	const char *name = NULL;
	const char *raw_type =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	char type[WEB_FILE_TYPE_MAX + 1] = DEFAULT_TYPE;
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	struct cr_err err = { 0 };
	int rc;

	if (ctx->files == NULL || req->upload == NULL) {
		web_reply_error(req, CR_EUNAVAIL, "files are not stored on this node");
		return;
	}
	rc = file_name(req, &name, &err);
	if (rc == 0 && raw_type != NULL && raw_type[0] != '\0')
		rc = media_type(raw_type, type, &err);
	if (rc == 0) {
		rc = storage_files_upload_commit(req->upload, ws, NULL, sha, &err);
		if (rc < 0)
			log_err("cannot store a file of workspace '%s': %s", ws, err.msg);
	}
	if (rc == 0 && ctx->file_sync != NULL)
		rc = push_copies(req, ws, sha, &err);
	/* the caller's until a record takes it; records keep this name and type */
	if (rc == 0 && ctx->forms != NULL)
		rc = fm_upload_add(ctx->forms, &req->actor, sha, name, type,
				   (int64_t)storage_files_upload_size(req->upload), cr_wall_us(),
				   &err);
	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	web_reply_json(req, 201,
		       json_pack("{s:s, s:s, s:I, s:s}", "sha256", sha, "name", name, "size",
				 (json_int_t)storage_files_upload_size(req->upload), "type", type));
}

/* ---- the routes between nodes ---- */

static bool peer_files(struct web_request *req)
{
	if (req->ctx->files != NULL)
		return true;
	web_reply_error(req, CR_EUNAVAIL, "files are not stored on this node");
	return false;
}

static void peer_files_get(struct web_request *req)
{
	struct cr_err err = { 0 };
	json_t *out = NULL;
	int rc;

	if (!peer_files(req))
		return;
	rc = cluster_file_list_workspaces(req->ctx->files, &out, &err);
	web_reply_result(req, rc, &err, 200, out);
}

static void peer_files_ws_get(struct web_request *req)
{
	const char *ws = req->params[0];
	const char *bucket = web_query_arg(req, "bucket");
	struct cr_err err = { 0 };
	json_t *out = NULL;
	unsigned char b;
	int rc;

	if (!peer_files(req))
		return;
	if (!storage_files_workspace_valid(ws)) {
		web_reply_error(req, CR_ENOTFOUND, "no workspace '%s'", ws);
		return;
	}
	if (bucket == NULL) {
		rc = cluster_file_list_buckets(req->ctx->files, ws, &out, &err);
	} else if (strlen(bucket) == 2 && cr_hex_decode(bucket, 2, &b) == 1) {
		rc = cluster_file_list_bucket(req->ctx->files, ws, b, &out, &err);
	} else {
		rc = cr_err_set(&err, CR_EINVAL, "bucket is two hex digits");
	}
	web_reply_result(req, rc, &err, 200, out);
}

/* The path's {ws} and {sha}, else answers 404. */
static bool peer_names(struct web_request *req, const char **ws, const char **sha)
{
	if (!peer_files(req))
		return false;
	*ws = req->params[0];
	*sha = req->params[1];
	if (storage_files_workspace_valid(*ws) && storage_files_sha256_valid(*sha))
		return true;
	web_reply_error(req, CR_ENOTFOUND, "no such file");
	return false;
}

/* Answer 200 with size bytes read from fd (taken). */
static struct MHD_Response *response_from_fd(int fd, uint64_t size)
{
	if (size == 0) {
		(void)close(fd);
		return MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	return MHD_create_response_from_fd64(size, fd);
}

static void peer_file_get(struct web_request *req)
{
	const char *ws, *sha;
	struct cr_err err = { 0 };
	uint64_t size = 0;
	int fd = -1;
	int rc;

	if (!peer_names(req, &ws, &sha))
		return;
	/* This node's copy only: a peer that lacks it asks the next member. */
	rc = storage_files_open(req->ctx->files, ws, sha, &fd, &size, &err);
	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	req->response = response_from_fd(fd, size);
	if (req->response == NULL) {
		web_reply_error(req, CR_EINTERNAL, "cannot send file %s", sha);
		return;
	}
	req->status = 200;
	(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_CONTENT_TYPE, DEFAULT_TYPE);
	web_headers_add(req->response, true);
}

static void peer_file_put(struct web_request *req)
{
	const char *ws, *sha;
	char got[STORAGE_FILES_SHA256_HEX + 1];
	struct cr_err err = { 0 };
	int rc;

	if (!peer_names(req, &ws, &sha))
		return;
	rc = req->upload != NULL
		 ? storage_files_upload_commit(req->upload, ws, sha, got, &err)
		 : cr_err_set(&err, CR_EUNAVAIL, "files are not stored on this node");
	if (rc < 0 && rc != CR_EINVAL)
		log_err("cannot store a peer's copy of file %s of '%s': %s", sha, ws, err.msg);
	web_reply_result(req, rc, &err, 204, NULL);
}

/* ---- downloads, for the records' routes ---- */

int web_files_read(const struct web_request *req, const char *ws, const char *sha,
		   struct cr_buf *out, struct cr_err *err)
{
	const struct web_context *ctx = req->ctx;
	size_t max = req->cfg->max_upload > 0 ? req->cfg->max_upload : req->cfg->max_body;
	int rc;

	if (ctx->files == NULL)
		return cr_err_set(err, CR_EUNAVAIL, "files are not stored on this node");
	rc = storage_files_get(ctx->files, ws, sha, max, out, err);
	if (rc != CR_ENOTFOUND || ctx->file_sync == NULL)
		return rc;
	return cluster_file_sync_fetch(ctx->file_sync, ws, sha, out, err);
}

bool web_files_exists(const struct web_request *req, const char *ws, const char *sha)
{
	const struct web_context *ctx = req->ctx;

	if (ctx->files == NULL)
		return false;
	if (storage_files_has(ctx->files, ws, sha))
		return true;
	return ctx->file_sync != NULL && cluster_file_sync_located(ctx->file_sync, ws, sha);
}

/* Types a browser may show in place: raster images only (an SVG or an
 * HTML page could run script on this origin). */
static bool is_shown_inline(const char *type)
{
	static const char *const safe[] = { "image/png",  "image/jpeg", "image/gif",
					    "image/webp", "image/avif", "image/bmp" };

	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (strcmp(type, safe[i]) == 0)
			return true;
	return false;
}

/* RFC 8187 attr-char: sent as is in filename*; the rest is %XX. */
static bool is_attr_char(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL);
}

/* Content-Disposition (RFC 6266): an ASCII fallback name for old clients
 * and the UTF-8 name in filename*. name may come from a record's value:
 * anything but these characters is escaped or replaced. */
static void disposition(const char *name, bool is_inline, struct cr_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	(void)cr_buf_printf(out, "%s; filename=\"", is_inline ? "inline" : "attachment");
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if ((*p & 0xc0) == 0x80)
			continue; /* one '_' per non-ASCII character */
		(void)cr_buf_append(out,
				    *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\'
					? p
					: (const unsigned char *)"_",
				    1);
	}
	(void)cr_buf_append_str(out, "\"; filename*=UTF-8''");
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
		if (is_attr_char(*p))
			(void)cr_buf_append(out, p, 1);
		else
			(void)cr_buf_append(out, esc, 3);
	}
}

/* Printable ASCII of a sane length: safe as a header's value. */
static bool is_header_text(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (s[n] < 0x20 || s[n] > 0x7e || n >= 2 * (size_t)WEB_FILE_TYPE_MAX)
			return false;
	return true;
}

/* The headers of a file's answer; etag_sha NULL: not cacheable. */
static void file_headers(struct MHD_Response *r, const char *name, const char *type, bool is_inline,
			 const char *etag_sha)
{
	char clean[WEB_FILE_TYPE_MAX + 1];
	const char *header = clean;
	struct cr_buf d;

	if (type == NULL || media_type(type, clean, NULL) < 0)
		(void)snprintf(clean, sizeof(clean), "%s", DEFAULT_TYPE);
	else if (is_header_text(type))
		header = type; /* with its parameters ("text/csv; charset=utf-8") */
	cr_buf_init(&d, DISPOSITION_MAX);
	disposition(name != NULL && name[0] != '\0' ? name : "file",
		    is_inline && is_shown_inline(clean), &d);
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, header);
	(void)MHD_add_response_header(r, "Content-Disposition", d.data);
	cr_buf_close(&d);
	web_headers_add(r, etag_sha == NULL);
	if (etag_sha != NULL) {
		char etag[STORAGE_FILES_SHA256_HEX + 3];
		(void)snprintf(etag, sizeof(etag), "\"%s\"", etag_sha);
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
		/* The bytes never change, but who may read them may: ask each time. */
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
					      "private, no-cache");
	}
}

void web_files_reply(struct web_request *req, struct cr_buf *data, const char *name,
		     const char *type, bool is_inline)
{
	size_t len = 0;
	char *bytes = cr_buf_steal(data, &len);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, bytes, MHD_RESPMEM_MUST_FREE);

	if (r == NULL) {
		free(bytes);
		web_reply_error(req, CR_EINTERNAL, "cannot send the file");
		return;
	}
	file_headers(r, name, type, is_inline, NULL);
	if (req->response != NULL)
		MHD_destroy_response(req->response);
	req->response = r;
	req->status = 200;
}

/* The client's cached copy is this file (If-None-Match names its ETag). */
static bool is_cached(struct web_request *req, const char *sha)
{
	const char *inm =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *at = inm != NULL ? strstr(inm, sha) : NULL;

	return at != NULL && at > inm && at[-1] == '"' && at[STORAGE_FILES_SHA256_HEX] == '"';
}

void web_files_send(struct web_request *req, const char *ws, const char *sha, const char *name,
		    const char *type, bool is_inline)
{
	const struct web_context *ctx = req->ctx;
	struct cr_err err = { 0 };
	struct MHD_Response *r = NULL;
	uint64_t size = 0;
	int fd = -1;
	int rc;

	if (ctx->files == NULL) {
		web_reply_error(req, CR_EUNAVAIL, "files are not stored on this node");
		return;
	}
	if (storage_files_sha256_valid(sha) && is_cached(req, sha)) {
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		req->status = 304;
	} else if ((rc = storage_files_open(ctx->files, ws, sha, &fd, &size, &err)) == 0) {
		r = response_from_fd(fd, size);
		req->status = 200;
	} else {
		struct cr_buf data;
		size_t len = 0;
		char *bytes;
		/* not here (storage_files_open just said so): from another node */
		if (rc == CR_ENOTFOUND && ctx->file_sync != NULL)
			rc = cluster_file_sync_fetch(ctx->file_sync, ws, sha, &data, &err);
		if (rc < 0) {
			web_reply_error(req, rc, "%s", err.msg);
			return;
		}
		bytes = cr_buf_steal(&data, &len);
		r = MHD_create_response_from_buffer(len, bytes, MHD_RESPMEM_MUST_FREE);
		if (r == NULL)
			free(bytes);
		req->status = 200;
	}
	if (r == NULL) {
		web_reply_error(req, CR_EINTERNAL, "cannot send file %s", sha);
		return;
	}
	file_headers(r, name, type, is_inline, sha);
	req->response = r;
}

/* This family's routes; web/routes.c lists the families. */
const struct web_route web_routes_files[] = {
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/cluster/files",
	  .handler = peer_files_get,
	  .permission = WEB_PERM_PEER },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/cluster/files/{ws}",
	  .handler = peer_files_ws_get,
	  .permission = WEB_PERM_PEER },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/cluster/files/{ws}/{sha256}",
	  .handler = peer_file_get,
	  .permission = WEB_PERM_PEER },
	{ .methods = WEB_PUT,
	  .pattern = "/api/v1/cluster/files/{ws}/{sha256}",
	  .handler = peer_file_put,
	  .permission = WEB_PERM_PEER,
	  .body = WEB_BODY_UPLOAD },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/workspaces/{ws}/files",
	  .handler = files_post,
	  .permission = WEB_PERM_WORKSPACE,
	  .body = WEB_BODY_UPLOAD },
	{ .pattern = NULL },
};
