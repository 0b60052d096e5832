/* lib/file.h: reading a small file whole.
 *
 * For certificates, keys and other files of a few kilobytes; the ceiling
 * keeps a wrong path (a device, a huge file) from exhausting memory. */
#ifndef CREEK_LIB_FILE_H
#define CREEK_LIB_FILE_H

#include <stddef.h>

#include "err.h"

#define CR_FILE_MAX ((size_t)1024 * 1024)

/* dir/name, NUL-terminated, in a new buffer (free()). NULL and err set
 * (CR_ENOTFOUND if it does not exist, CR_ETOOBIG above CR_FILE_MAX,
 * CR_EINVAL otherwise; err may be NULL). */
char *cr_file_read(const char *dir, const char *name, struct cr_err *err);

#endif
