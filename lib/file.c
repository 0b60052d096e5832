/* lib/file.c: see file.h. */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
			fclose(f);
			cr_buf_close(&b);
			(void)cr_err_set(err, CR_ETOOBIG, "'%s' is larger than %zu bytes", path,
					 CR_FILE_MAX);
			return NULL;
		}
	}
	if (ferror(f)) {
		fclose(f);
		cr_buf_close(&b);
		(void)cr_err_set(err, CR_EINVAL, "cannot read '%s'", path);
		return NULL;
	}
	fclose(f);
	return cr_buf_steal(&b, NULL); /* "" for an empty file */
}
