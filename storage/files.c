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
	storage_sha256_fn sha256;
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

int storage_files_new(const char *dir, storage_sha256_fn sha256, struct storage_files **out,
		      struct cr_err *err)
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

	f->sha256(data, len, d);
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
