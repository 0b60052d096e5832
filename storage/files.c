/* storage/files.c: the content-addressed file store on this node's disk;
 * see files.h. Paths are only ever made from names that passed
 * workspace_valid() / sha256_valid(), never from other input. */
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/file.h"
#include "../lib/mem.h"
#include "../lib/text.h"

#define PATH_MAX_LEN 4200
#define ROOT_MAX_LEN 4000

struct storage_files {
	char root[ROOT_MAX_LEN];
	const struct storage_sha256 *sha256;
};

#define UPLOADS_DIR ".uploads"

struct storage_files_upload {
	struct storage_files *f;
	void *hash;     /* the SHA-256 state until commit or free */
	int fd;         /* the temporary file; -1 once closed */
	uint64_t len;   /* bytes written */
	uint64_t max;   /* most bytes accepted */
	int failed;     /* the first error, 0 while none */
	bool is_placed; /* committed: the temporary name is gone */
	char path[PATH_MAX_LEN];
};

bool storage_files_workspace_valid(const char *ws)
{
	return ws != NULL && ws[0] == 'w' && cr_hex_is_lower(ws + 1, STORAGE_FILES_WS_ID_LEN - 1);
}

bool storage_files_sha256_valid(const char *sha)
{
	return cr_hex_is_lower(sha, STORAGE_FILES_SHA256_HEX);
}

static int check_ws(const char *ws, struct cr_err *err)
{
	if (!storage_files_workspace_valid(ws))
		return cr_err_set(err, CR_EINVAL, "not a workspace id");
	return 0;
}

static int check_names(const char *ws, const char *sha, struct cr_err *err)
{
	int rc = check_ws(ws, err);

	if (rc < 0)
		return rc;
	if (!storage_files_sha256_valid(sha))
		return cr_err_set(err, CR_EINVAL, "a file is named by 64 lower-case hex digits");
	return 0;
}

/* Empty <root>/.uploads: files there were left by a crash (only the
 * process that opens the store writes there). */
static void clear_uploads(const char *root)
{
	char dir[PATH_MAX_LEN];
	DIR *d;
	const struct dirent *e;

	(void)snprintf(dir, sizeof(dir), "%s/" UPLOADS_DIR, root);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return; /* storage_files_upload_new() reports it */
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, CR_FILE_TMP_PREFIX, strlen(CR_FILE_TMP_PREFIX)) == 0)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	(void)closedir(d);
}

int storage_files_new(const char *dir, const struct storage_sha256 *sha256,
		      struct storage_files **out, struct cr_err *err)
{
	struct storage_files *f;
	struct stat st;

	if (strlen(dir) >= ROOT_MAX_LEN)
		return cr_err_set(err, CR_EINVAL, "file store path '%s' is too long", dir);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return cr_err_set(err, CR_EINVAL, "file store '%s' cannot be created: %s", dir,
				  strerror(errno));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cr_err_set(err, CR_EINVAL, "file store '%s' is not a directory", dir);
	clear_uploads(dir);
	f = cr_calloc(1, sizeof(*f));
	(void)snprintf(f->root, sizeof(f->root), "%s", dir);
	f->sha256 = sha256;
	*out = f;
	return 0;
}

void storage_files_free(struct storage_files *f)
{
	free(f);
}

const char *storage_files_root(const struct storage_files *f)
{
	return f->root;
}

void storage_files_sha256_hex(const struct storage_files *f, const void *data, size_t len,
			      char out[STORAGE_FILES_SHA256_HEX + 1])
{
	uint8_t d[32];
	void *h = f->sha256->begin();

	f->sha256->update(h, data, len);
	f->sha256->end(h, d);
	cr_hex_encode(d, sizeof(d), out);
}

/* <root>/<ws>/<aa>[/<sha>]; names are checked, so it fits. */
static void file_path(const struct storage_files *f, const char *ws, const char *sha, bool dir_only,
		      char out[PATH_MAX_LEN])
{
	if (dir_only)
		(void)snprintf(out, PATH_MAX_LEN, "%s/%s/%.2s", f->root, ws, sha);
	else
		(void)snprintf(out, PATH_MAX_LEN, "%s/%s/%.2s/%s", f->root, ws, sha, sha);
}

/* mkdir dir; when it is new, fsync its parent so that the entry survives
 * a crash. */
static int make_dir(const char *dir, const char *parent)
{
	if (mkdir(dir, 0750) == 0)
		return cr_file_sync_dir(parent);
	return errno == EEXIST ? 0 : -1;
}

/* data into place as ws/sha: temp file, fsync, rename, fsync the dir. */
static int write_file(struct storage_files *f, const char *ws, const char *sha, const void *data,
		      size_t len, struct cr_err *err)
{
	char ws_dir[PATH_MAX_LEN], dir[PATH_MAX_LEN], path[PATH_MAX_LEN];
	struct stat st;

	file_path(f, ws, sha, false, path);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == len)
		return 0; /* there already (a file of another size is replaced) */
	(void)snprintf(ws_dir, sizeof(ws_dir), "%s/%s", f->root, ws);
	file_path(f, ws, sha, true, dir);
	if (make_dir(ws_dir, f->root) < 0 || make_dir(dir, ws_dir) < 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot make the file's directory: %s",
				  strerror(errno));
	return cr_file_write_atomic(path, data, len, 0640, err);
}

int storage_files_put(struct storage_files *f, const char *ws, const void *data, size_t len,
		      char sha_out[STORAGE_FILES_SHA256_HEX + 1], struct cr_err *err)
{
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	int rc = check_ws(ws, err);

	if (rc < 0)
		return rc;
	storage_files_sha256_hex(f, data, len, sha);
	rc = write_file(f, ws, sha, data, len, err);
	if (rc == 0)
		memcpy(sha_out, sha, sizeof(sha));
	return rc;
}

int storage_files_put_checked(struct storage_files *f, const char *ws, const char *sha,
			      const void *data, size_t len, struct cr_err *err)
{
	char got[STORAGE_FILES_SHA256_HEX + 1];
	int rc = check_names(ws, sha, err);

	if (rc < 0)
		return rc;
	storage_files_sha256_hex(f, data, len, got);
	if (strcmp(got, sha) != 0)
		return cr_err_set(err, CR_EINVAL, "the bytes' SHA-256 is %s, not %s", got, sha);
	return write_file(f, ws, sha, data, len, err);
}

int storage_files_open(struct storage_files *f, const char *ws, const char *sha, int *fd_out,
		       uint64_t *size_out, struct cr_err *err)
{
	char path[PATH_MAX_LEN];
	struct stat st;
	int rc = check_names(ws, sha, err);
	int fd;

	if (rc < 0)
		return rc;
	file_path(f, ws, sha, false, path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR
			   ? cr_err_set(err, CR_ENOTFOUND, "no file %s", sha)
			   : cr_err_set(err, CR_EINTERNAL, "cannot open the file: %s",
					strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		(void)close(fd);
		return cr_err_set(err, CR_EINTERNAL, "file %s is not a regular file", sha);
	}
	*fd_out = fd;
	*size_out = (uint64_t)st.st_size;
	return 0;
}

int storage_files_get(struct storage_files *f, const char *ws, const char *sha, size_t max,
		      struct cr_buf *out, struct cr_err *err)
{
	struct cr_buf b;
	uint64_t size = 0;
	int fd = -1;
	int rc = storage_files_open(f, ws, sha, &fd, &size, err);

	if (rc < 0)
		return rc;
	if (size > max) {
		(void)close(fd);
		return cr_err_set(err, CR_ETOOBIG, "file %s is larger than %zu bytes", sha, max);
	}
	cr_buf_init(&b, (size_t)size);
	rc = cr_buf_reserve(&b, (size_t)size);
	while (rc == 0 && b.len < size) {
		ssize_t n = read(fd, b.data + b.len, (size_t)size - b.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = cr_err_set(err, CR_EINTERNAL, "cannot read file %s: %s", sha,
					n == 0 ? "it is shorter than it was" : strerror(errno));
		else
			b.len += (size_t)n;
	}
	(void)close(fd);
	if (rc < 0) {
		cr_buf_close(&b);
		return rc;
	}
	if (b.data != NULL)
		b.data[b.len] = '\0';
	*out = b;
	return 0;
}

int storage_files_stat(struct storage_files *f, const char *ws, const char *sha, uint64_t *size_out,
		       struct cr_err *err)
{
	char path[PATH_MAX_LEN];
	struct stat st;
	int rc = check_names(ws, sha, err);

	if (rc < 0)
		return rc;
	file_path(f, ws, sha, false, path);
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return cr_err_set(err, CR_ENOTFOUND, "no file %s", sha);
	*size_out = (uint64_t)st.st_size;
	return 0;
}

bool storage_files_has(struct storage_files *f, const char *ws, const char *sha)
{
	uint64_t size;

	return storage_files_stat(f, ws, sha, &size, NULL) == 0;
}

/* ---- uploads ---- */

int storage_files_upload_new(struct storage_files *f, uint64_t max,
			     struct storage_files_upload **out, struct cr_err *err)
{
	struct storage_files_upload *u = cr_calloc(1, sizeof(*u));

	(void)snprintf(u->path, sizeof(u->path), "%s/" UPLOADS_DIR "/" CR_FILE_TMP_PREFIX "XXXXXX",
		       f->root);
	u->fd = mkostemp(u->path, O_CLOEXEC);
	if (u->fd < 0 || fchmod(u->fd, 0640) < 0) {
		int e = errno;
		if (u->fd >= 0) {
			(void)close(u->fd);
			(void)unlink(u->path);
		}
		free(u);
		return cr_err_set(err, CR_EINTERNAL, "cannot make an upload's temporary file: %s",
				  strerror(e));
	}
	u->f = f;
	u->max = max;
	u->hash = f->sha256->begin();
	*out = u;
	return 0;
}

static int upload_fail(struct storage_files_upload *u, int code, const char *why,
		       struct cr_err *err)
{
	u->failed = code;
	return cr_err_set(err, code, "%s", why);
}

int storage_files_upload_write(struct storage_files_upload *u, const void *data, size_t len,
			       struct cr_err *err)
{
	const char *p = data;
	size_t done = 0;

	if (u->failed != 0 || u->hash == NULL)
		return cr_err_set(err, u->failed != 0 ? u->failed : CR_EINVAL,
				  "the upload failed or was committed already");
	if (len > u->max - u->len)
		return upload_fail(u, CR_ETOOBIG, "the file is larger than the upload limit", err);
	while (done < len) {
		ssize_t n = write(u->fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return upload_fail(u, CR_EINTERNAL, "cannot write an upload to disk", err);
		done += (size_t)n;
	}
	u->f->sha256->update(u->hash, data, len);
	u->len += len;
	return 0;
}

uint64_t storage_files_upload_size(const struct storage_files_upload *u)
{
	return u->len;
}

/* The temporary file, complete and synced, renamed to ws/sha. */
static int upload_place(struct storage_files_upload *u, const char *ws, const char *sha,
			struct cr_err *err)
{
	char ws_dir[PATH_MAX_LEN], dir[PATH_MAX_LEN], path[PATH_MAX_LEN];
	struct stat st;

	file_path(u->f, ws, sha, false, path);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == u->len)
		return 0; /* there already; free() removes the copy */
	(void)snprintf(ws_dir, sizeof(ws_dir), "%s/%s", u->f->root, ws);
	file_path(u->f, ws, sha, true, dir);
	if (make_dir(ws_dir, u->f->root) < 0 || make_dir(dir, ws_dir) < 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot make the file's directory: %s",
				  strerror(errno));
	if (fsync(u->fd) < 0 || rename(u->path, path) < 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot store the file: %s", strerror(errno));
	u->is_placed = true;
	if (cr_file_sync_dir(dir) < 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot sync the file's directory: %s",
				  strerror(errno));
	return 0;
}

int storage_files_upload_commit(struct storage_files_upload *u, const char *ws,
				const char *want_sha, char sha_out[STORAGE_FILES_SHA256_HEX + 1],
				struct cr_err *err)
{
	char sha[STORAGE_FILES_SHA256_HEX + 1];
	uint8_t d[32];
	int rc = want_sha != NULL ? check_names(ws, want_sha, err) : check_ws(ws, err);

	if (rc < 0)
		return rc;
	if (u->failed != 0 || u->hash == NULL)
		return cr_err_set(err, u->failed != 0 ? u->failed : CR_EINVAL,
				  "the upload failed or was committed already");
	u->f->sha256->end(u->hash, d);
	u->hash = NULL;
	cr_hex_encode(d, sizeof(d), sha);
	if (want_sha != NULL && strcmp(sha, want_sha) != 0)
		return upload_fail(u, CR_EINVAL, "the bytes' SHA-256 is not the file's name", err);
	rc = upload_place(u, ws, sha, err);
	if (rc < 0) {
		u->failed = rc;
		return rc;
	}
	memcpy(sha_out, sha, sizeof(sha));
	return 0;
}

void storage_files_upload_free(struct storage_files_upload *u)
{
	uint8_t d[32];

	if (u == NULL)
		return;
	if (u->hash != NULL)
		u->f->sha256->end(u->hash, d);
	(void)close(u->fd);
	if (!u->is_placed)
		(void)unlink(u->path);
	free(u);
}

/* ---- listings ---- */

struct names {
	char (*v)[STORAGE_FILES_SHA256_HEX + 1];
	size_t n;
	size_t cap;
};

static int names_add(struct names *ns, const char *name)
{
	if (ns->n == STORAGE_FILES_BUCKET_MAX)
		return CR_ETOOBIG;
	if (ns->n == ns->cap) {
		ns->cap = ns->cap == 0 ? 64 : ns->cap * 2;
		ns->v = cr_realloc(ns->v, ns->cap * sizeof(ns->v[0]));
	}
	/* name passed workspace_valid() or sha256_valid(): it fits */
	memcpy(ns->v[ns->n++], name, strnlen(name, STORAGE_FILES_SHA256_HEX) + 1);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int names_each(struct names *ns, storage_files_name_fn fn, void *arg)
{
	int rc = 0;

	if (ns->n > 1)
		qsort(ns->v, ns->n, sizeof(ns->v[0]), compare_names);
	for (size_t i = 0; i < ns->n && rc >= 0; i++)
		rc = fn(arg, ns->v[i]);
	free(ns->v);
	return rc < 0 ? rc : 0;
}

/* A temporary file left by a crash long ago. */
static void sweep_tmp(int dir_fd, const char *name, time_t now)
{
	struct stat st;

	if (strncmp(name, CR_FILE_TMP_PREFIX, strlen(CR_FILE_TMP_PREFIX)) == 0 &&
	    fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    now - st.st_mtime > STORAGE_FILES_TMP_MAX_AGE_S)
		(void)unlinkat(dir_fd, name, 0);
}

/* The names in dir that keep(name, arg) accepts; missing dir: none. */
static int read_names(const char *dir, bool (*keep)(const char *name, const void *arg),
		      const void *arg, bool sweep, struct names *ns, struct cr_err *err)
{
	DIR *d = opendir(dir);
	time_t now = time(NULL);
	const struct dirent *e;
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT
			   ? 0
			   : cr_err_set(err, CR_EINTERNAL, "cannot list the file store: %s",
					strerror(errno));
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (keep(e->d_name, arg))
			rc = names_add(ns, e->d_name);
		else if (sweep)
			sweep_tmp(dirfd(d), e->d_name, now);
	}
	(void)closedir(d);
	if (rc < 0) {
		free(ns->v);
		return cr_err_set(err, rc, "more than %d names in one listing of the file store",
				  STORAGE_FILES_BUCKET_MAX);
	}
	return 0;
}

static bool is_workspace(const char *name, const void *arg)
{
	(void)arg;
	return storage_files_workspace_valid(name);
}

static bool is_in_bucket(const char *name, const void *arg)
{
	return storage_files_sha256_valid(name) && strncmp(name, arg, 2) == 0;
}

int storage_files_workspaces(struct storage_files *f, storage_files_name_fn fn, void *arg,
			     struct cr_err *err)
{
	struct names ns = { 0 };
	int rc = read_names(f->root, is_workspace, NULL, false, &ns, err);

	return rc < 0 ? rc : names_each(&ns, fn, arg);
}

int storage_files_bucket(struct storage_files *f, const char *ws, unsigned bucket,
			 storage_files_name_fn fn, void *arg, struct cr_err *err)
{
	char dir[PATH_MAX_LEN];
	char prefix[3];
	struct names ns = { 0 };
	int rc = check_ws(ws, err);

	if (rc < 0)
		return rc;
	if (bucket >= STORAGE_FILES_BUCKETS)
		return cr_err_set(err, CR_EINVAL, "a bucket is 0 to 255");
	(void)snprintf(prefix, sizeof(prefix), "%02x", bucket);
	(void)snprintf(dir, sizeof(dir), "%s/%s/%s", f->root, ws, prefix);
	rc = read_names(dir, is_in_bucket, prefix, true, &ns, err);
	return rc < 0 ? rc : names_each(&ns, fn, arg);
}
