/* web/static.c: the built web UI as static files.
 *
 * Paths resolve inside ui_dir (canonicalised once at start) only: each
 * file's realpath must lie under it, so symlinks cannot escape.
 * Vite puts content-hashed files under /assets/, which may be cached for a
 * year; everything else (index.html) is revalidated each time. A GET for a
 * path that is not a file gets index.html: the SPA's router owns it.
 * The UI build writes a brotli (.br) and a gzip (.gz) copy beside each text
 * asset that compression makes smaller (web/ui/scripts/compress.mjs): the
 * copy the browser accepts is sent as is, with Content-Encoding and
 * Vary: Accept-Encoding; nothing is compressed per request. */
#define LOG_MODULE "web"
#include "web_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/log.h"
#include "../lib/parse.h"

static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".map", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".jpeg", "image/jpeg" },
	{ ".gif", "image/gif" },
	{ ".webp", "image/webp" },
	{ ".ico", "image/x-icon" },
	{ ".woff", "font/woff" },
	{ ".woff2", "font/woff2" },
	{ ".ttf", "font/ttf" },
	{ ".eot", "application/vnd.ms-fontobject" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json" },
	{ ".wasm", "application/wasm" },
};

static const char *mime_for(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot != NULL && strchr(dot, '/') == NULL)
		for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
			if (strcasecmp(dot, mime_types[i].ext) == 0)
				return mime_types[i].type;
	return "application/octet-stream";
}

/* Resolve path under root into out. 0 if it names a regular file inside
 * root, -1 otherwise. */
static int resolve(const char *root, const char *path, char *out, struct stat *st)
{
	char joined[PATH_MAX];
	size_t root_len = strlen(root);
	int n;

	if (strstr(path, "..") != NULL || strchr(path, '\\') != NULL)
		return -1;
	n = snprintf(joined, sizeof(joined), "%s/%s", root, path);
	if (n < 0 || (size_t)n >= sizeof(joined) || realpath(joined, out) == NULL)
		return -1;
	if (strncmp(out, root, root_len) != 0 || (out[root_len] != '/' && out[root_len] != '\0'))
		return -1;
	if (stat(out, st) < 0 || !S_ISREG(st->st_mode))
		return -1;
	return 0;
}

/* The compressed copy of rel (under root) to send instead, if the client
 * accepts one and the build wrote it: its path into file and its stat
 * into st, and the coding; NULL to send rel itself. *has_copy says whether
 * any copy exists (the answer then varies by Accept-Encoding). */
static const char *pick_copy(struct web_request *req, const char *root, const char *rel, char *file,
			     struct stat *st, bool *has_copy)
{
	static const struct {
		const char *suffix;
		const char *coding;
		unsigned bit;
	} copies[] = { { ".br", "br", CR_ENCODING_BR }, { ".gz", "gzip", CR_ENCODING_GZIP } };
	unsigned accepted = cr_parse_accept_encoding(MHD_lookup_connection_value(
	    req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	const char *coding = NULL;

	*has_copy = false;
	for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
		char copy_rel[PATH_MAX];
		char copy_file[PATH_MAX];
		struct stat copy_st;
		int n = snprintf(copy_rel, sizeof(copy_rel), "%s%s", rel, copies[i].suffix);
		if (n < 0 || (size_t)n >= sizeof(copy_rel) ||
		    resolve(root, copy_rel, copy_file, &copy_st) < 0)
			continue;
		*has_copy = true;
		if (coding == NULL && (accepted & copies[i].bit) != 0) {
			coding = copies[i].coding;
			memcpy(file, copy_file, strlen(copy_file) + 1);
			*st = copy_st;
		}
	}
	return coding;
}

static void serve_file(struct web_request *req, const char *root, const char *rel,
		       const char *file_in, const struct stat *st_in, bool is_immutable)
{
	char etag[80];
	char file[PATH_MAX];
	struct stat st_copy = *st_in;
	const struct stat *st = &st_copy;
	const char *match =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *mime = mime_for(file_in);
	bool has_copy = false;
	const char *coding;
	struct MHD_Response *r;
	int fd;

	memcpy(file, file_in, strlen(file_in) + 1);
	coding = pick_copy(req, root, rel, file, &st_copy, &has_copy);
	/* Each representation its own tag: a cache must not answer a gzip
	 * client's If-None-Match with the brotli bytes. */
	(void)snprintf(etag, sizeof(etag), "\"%llx-%llx%s%s\"", (unsigned long long)st->st_size,
		       (unsigned long long)st->st_mtime, coding != NULL ? "-" : "",
		       coding != NULL ? coding : "");
	if (match != NULL && strcmp(match, etag) == 0) {
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		req->status = 304;
	} else {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			web_reply_error(req, CR_ENOTFOUND, "file not found");
			return;
		}
		r = MHD_create_response_from_fd((uint64_t)st->st_size, fd); /* takes fd */
		if (r == NULL) {
			close(fd);
			web_reply_error(req, CR_EINTERNAL, "cannot send file");
			return;
		}
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, mime);
		if (coding != NULL)
			(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, coding);
		req->status = 200;
	}
	if (has_copy)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				      is_immutable ? "public, max-age=31536000, immutable"
						   : "no-cache");
	web_headers_add(r, false);
	req->response = r;
}

void web_static_serve(struct web_request *req)
{
	const char *root = req->cfg->ui_dir; /* canonical, resolved at start */
	char file[PATH_MAX];
	struct stat st;
	const char *path = req->path;

	if (root == NULL) {
		web_reply_error(req, CR_ENOTFOUND,
				"the web UI is not installed on this node; the API is at /api/v1");
		return;
	}
	while (*path == '/')
		path++;
	if (*path != '\0' && resolve(root, path, file, &st) == 0) {
		serve_file(req, root, path, file, &st, strncmp(path, "assets/", 7) == 0);
		return;
	}
	/* Missing hashed assets are real 404s: answering index.html would hand
	 * the browser HTML where it expects a script. */
	if (strncmp(path, "assets/", 7) == 0) {
		web_reply_error(req, CR_ENOTFOUND, "no such file");
		return;
	}
	if (resolve(root, "index.html", file, &st) < 0) {
		web_reply_error(req, CR_ENOTFOUND, "the web UI is not built (no index.html)");
		return;
	}
	serve_file(req, root, "index.html", file, &st, false);
}
