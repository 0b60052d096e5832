/* lib/file.c: see file.h. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

char *cr_file_read(const char *dir, const char *name, struct cr_err *err)
{
	char path[4200];
	char chunk[4096];
	struct cr_buf b;
	size_t n;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (f == NULL) {
		(void)cr_err_set(err, errno == ENOENT ? CR_ENOTFOUND : CR_EINVAL,
				 "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	cr_buf_init(&b, CR_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (cr_buf_append(&b, chunk, n) < 0) {
			(void)fclose(f); /* read only */
			cr_buf_close(&b);
			(void)cr_err_set(err, CR_ETOOBIG, "'%s' is larger than %zu bytes", path,
					 CR_FILE_MAX);
			return NULL;
		}
	}
	if (ferror(f)) {
		(void)fclose(f);
		cr_buf_close(&b);
		(void)cr_err_set(err, CR_EINVAL, "cannot read '%s'", path);
		return NULL;
	}
	(void)fclose(f);               /* read only: all was read */
	return cr_buf_steal(&b, NULL); /* "" for an empty file */
}

int cr_file_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	(void)close(fd);
	return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A temporary file in dir (dir_len bytes of path), created exclusively:
 * the process id and a counter make the name unique. */
static int open_tmp(const char *path, size_t dir_len, mode_t mode, char *tmp, size_t tmp_len)
{
	static unsigned long counter;

	for (unsigned attempt = 0; attempt < 100; attempt++) {
		unsigned long n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
		int k = snprintf(tmp, tmp_len, "%.*s" CR_FILE_TMP_PREFIX "%ld-%lu", (int)dir_len,
				 path, (long)getpid(), n);
		int fd;

		if (k < 0 || (size_t)k >= tmp_len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

int cr_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct cr_err *err)
{
	char tmp[4200];
	char dir[4200];
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash != NULL ? (size_t)(slash - path) + 1 : 0; /* with the '/' */
	int fd;
	int e;

	fd = open_tmp(path, dir_len, mode, tmp, sizeof(tmp));
	if (fd < 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot create the file: %s", strerror(errno));
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		(void)close(fd);
		goto err_after_tmp;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		e = errno;
		goto err_after_tmp;
	}
	if (dir_len > 0)
		(void)snprintf(dir, sizeof(dir), "%.*s", (int)dir_len, path);
	else
		(void)snprintf(dir, sizeof(dir), ".");
	if (cr_file_sync_dir(dir) < 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot sync the file's directory: %s",
				  strerror(errno));
	return 0;
err_after_tmp:
	(void)unlink(tmp);
	return cr_err_set(err, CR_EINTERNAL, "cannot write the file: %s", strerror(e));
}
