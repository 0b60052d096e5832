/* lib/file.h: reading a small file whole, and replacing a file atomically.
 *
 * For certificates, keys and other files of a few kilobytes; the ceiling
 * keeps a wrong path (a device, a huge file) from exhausting memory. */
#ifndef CREEK_LIB_FILE_H
#define CREEK_LIB_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define CR_FILE_MAX ((size_t)1024 * 1024)

/* dir/name, NUL-terminated, in a new buffer (free()). NULL and err set
 * (CR_ENOTFOUND if it does not exist, CR_ETOOBIG above CR_FILE_MAX,
 * CR_EINVAL otherwise; err may be NULL). */
char *cr_file_read(const char *dir, const char *name, struct cr_err *err);

/* Temporary files of cr_file_write_atomic() start with this, in the
 * target's directory: a sweep may remove old ones a crash left behind. */
#define CR_FILE_TMP_PREFIX ".tmp-"

/* Replace path with len bytes of data so that, after a crash, path holds
 * either the old or the new contents in full: a temporary file beside it
 * (CR_FILE_TMP_PREFIX, the process id and a counter; created exclusively,
 * links not followed, with mode before the umask) is written and fsynced,
 * renamed over path, and the directory fsynced so that the rename lasts.
 * CR_EINTERNAL if any step fails; the temporary file is then removed
 * (path may already be replaced if only the directory's fsync failed).
 * The message names no path (it may reach a client): callers that may
 * show one wrap it (cr_err_wrap(err, "'%s'", path)).
 * Any thread may call. */
int cr_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct cr_err *err);

/* fsync a directory, so that entries made or renamed in it last; -1 with
 * errno set if it fails. */
int cr_file_sync_dir(const char *dir);

#endif
