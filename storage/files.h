/* storage/files.h: this node's file store, for attachments and images.
 *
 * Files never go into dqlite (it keeps every database in memory): they are
 * kept on disk, named by the SHA-256 of their bytes, one tree per workspace
 * so that no workspace can name another's file:
 *
 *   <root>/<workspace id>/<first 2 hex digits>/<64 hex digits>
 *
 * with root = <data-dir>/files, directories 0750 and files 0640. A file is
 * written to a temporary name (".tmp-..."), fsynced, renamed into place and
 * its directory fsynced, so a crash leaves either the whole file or none.
 * Storing what is already there (same name and size) does nothing.
 *
 * Every workspace id and hash is checked here ("w" + 12 lower hex digits;
 * 64 lower hex digits) before any path is made, whoever the caller: nothing
 * from a client or a peer can reach outside the tree.
 *
 * An upload is streamed in (storage_files_upload_*): its bytes go to a
 * temporary file in <root>/.uploads as they arrive and are hashed on the
 * way, so the node never holds a whole file in memory; committing renames
 * it into place. .uploads is emptied when the store opens (one process
 * owns a data dir: what is there was left by a crash).
 *
 * Copies on the other nodes are cluster/file_sync.h's business; this store
 * only knows its own disk. SHA-256 comes from functions given at creation
 * (node/ hands OpenSSL's in; storage does not link it).
 * Any thread may call every function; the store holds no mutable state. */
#ifndef CREEK_STORAGE_FILES_H
#define CREEK_STORAGE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"
#include "../lib/err.h"

#define STORAGE_FILES_SHA256_HEX 64 /* the name of a file: hex SHA-256 */
#define STORAGE_FILES_WS_ID_LEN  13 /* "w" + 12 hex digits */
#define STORAGE_FILES_BUCKETS    256
/* Most names one bucket of one workspace may list (bounds the memory of a
 * listing: 256 buckets of this many is 67 million files per workspace). */
#define STORAGE_FILES_BUCKET_MAX 262144
/* Temporary files older than this are left by a crash: listings remove them. */
#define STORAGE_FILES_TMP_MAX_AGE_S 86400

/* SHA-256 in steps; every function callable from any thread. begin makes
 * a state (aborting when memory runs out, as cr_malloc does), update adds
 * bytes, end writes the digest and frees the state. */
struct storage_sha256 {
	void *(*begin)(void);
	void (*update)(void *state, const void *data, size_t len);
	void (*end)(void *state, uint8_t out[32]);
};

struct storage_files;

/* Open (creating it 0750 if missing) the store rooted at dir. sha256 is
 * borrowed for the store's life. CR_EINVAL: dir is not a usable directory. */
int storage_files_new(const char *dir, const struct storage_sha256 *sha256,
		      struct storage_files **out, struct cr_err *err);
void storage_files_free(struct storage_files *f); /* NULL is a no-op */

/* The root directory (borrowed, valid for the store's life). */
const char *storage_files_root(const struct storage_files *f);

/* Names this store accepts. */
bool storage_files_workspace_valid(const char *ws);
bool storage_files_sha256_valid(const char *sha);

/* Lower-case hex SHA-256 of data, NUL-terminated, with the store's function. */
void storage_files_sha256_hex(const struct storage_files *f, const void *data, size_t len,
			      char out[STORAGE_FILES_SHA256_HEX + 1]);

/* Store len bytes of data in workspace ws; sha_out gets their hash (hex).
 * 0 also if the file was there already. CR_EINVAL: bad ws; CR_EINTERNAL:
 * the disk refused (message says why). */
int storage_files_put(struct storage_files *f, const char *ws, const void *data, size_t len,
		      char sha_out[STORAGE_FILES_SHA256_HEX + 1], struct cr_err *err);
/* The same for bytes that should hash to sha (from a peer): CR_EINVAL if
 * they do not (nothing is stored) or a name is bad. */
int storage_files_put_checked(struct storage_files *f, const char *ws, const char *sha,
			      const void *data, size_t len, struct cr_err *err);

/* The whole file into *out, a new buffer the caller closes (written only on
 * success). CR_EINVAL: bad name; CR_ENOTFOUND: not on this node;
 * CR_ETOOBIG: larger than max bytes; CR_EINTERNAL: read failed. */
int storage_files_get(struct storage_files *f, const char *ws, const char *sha, size_t max,
		      struct cr_buf *out, struct cr_err *err);
/* The file open for reading (*fd_out is the caller's, O_CLOEXEC) and its
 * size. Errors as storage_files_get(), without CR_ETOOBIG. */
int storage_files_open(struct storage_files *f, const char *ws, const char *sha, int *fd_out,
		       uint64_t *size_out, struct cr_err *err);
/* The file's size. CR_EINVAL: bad name; CR_ENOTFOUND: not on this node. */
int storage_files_stat(struct storage_files *f, const char *ws, const char *sha, uint64_t *size_out,
		       struct cr_err *err);
/* This node has the file (false for bad names). */
bool storage_files_has(struct storage_files *f, const char *ws, const char *sha);

/* ---- uploads: a file streamed in ---- */

struct storage_files_upload;

/* Begin receiving a file of at most max bytes: an empty temporary file
 * (O_CLOEXEC, 0640) under <root>/.uploads. The caller frees the upload.
 * CR_EINTERNAL: the disk refused. */
int storage_files_upload_new(struct storage_files *f, uint64_t max,
			     struct storage_files_upload **out, struct cr_err *err);
/* Append len bytes (written to disk and hashed; nothing is kept in
 * memory). CR_ETOOBIG: past max (nothing of this call is written);
 * CR_EINTERNAL: the disk refused. After an error the upload is failed and
 * every later write and commit returns that error again. */
int storage_files_upload_write(struct storage_files_upload *u, const void *data, size_t len,
			       struct cr_err *err);
/* Bytes written so far. */
uint64_t storage_files_upload_size(const struct storage_files_upload *u);
/* Put the file into place as ws/<its SHA-256> (fsynced, renamed, the
 * directory fsynced; nothing is done if the store has it already) and
 * write its hash to sha_out. want_sha NULL: any; else CR_EINVAL if the
 * bytes do not hash to it (nothing is stored). Once only; CR_EINVAL also
 * for a bad name; CR_EINTERNAL: the disk refused. */
int storage_files_upload_commit(struct storage_files_upload *u, const char *ws,
				const char *want_sha, char sha_out[STORAGE_FILES_SHA256_HEX + 1],
				struct cr_err *err);
/* Remove the temporary file (if not committed) and free. NULL: no-op. */
void storage_files_upload_free(struct storage_files_upload *u);

/* ---- listings, for repair ---- */

/* Called with each name in order; a negative return stops the listing and
 * is returned by it. name is borrowed for the call. */
typedef int (*storage_files_name_fn)(void *arg, const char *name);

/* Each workspace that has a directory here, in ascending order. At most
 * STORAGE_FILES_BUCKET_MAX of them (CR_ETOOBIG past it). */
int storage_files_workspaces(struct storage_files *f, storage_files_name_fn fn, void *arg,
			     struct cr_err *err);
/* The files of ws whose hash starts with bucket (0-255, the first byte), in
 * ascending order; nothing (0) if there are none. Also removes temporary
 * files older than STORAGE_FILES_TMP_MAX_AGE_S from the bucket.
 * CR_EINVAL: bad ws or bucket; CR_ETOOBIG: more than STORAGE_FILES_BUCKET_MAX. */
int storage_files_bucket(struct storage_files *f, const char *ws, unsigned bucket,
			 storage_files_name_fn fn, void *arg, struct cr_err *err);

#endif
