/* cluster/file_sync.h: every node keeps a copy of every file.
 *
 * The file store (storage/files.h) is local to a node; this keeps the
 * stores of all members alike, over the cluster port's mutual TLS
 * (forward.h), so that losing a node loses no file:
 *
 *   upload     the receiving node stores the file, then PUTs it to every
 *              other reachable member at once; the upload succeeds when at
 *              least CLUSTER_FILE_MIN_COPIES nodes hold it (or every member
 *              does, in a one-node cluster)
 *   miss       a node asked for a file it lacks fetches it from a member
 *              that has it, checks its SHA-256 and keeps it
 *   repair     every node, every repair interval, compares its store with
 *              each reachable member's and fetches what it lacks, at most
 *              CLUSTER_FILE_REPAIR_FILES files and CLUSTER_FILE_REPAIR_BYTES
 *              bytes a round (the rest comes next round)
 *
 * Repair compares digests, so a round between stores that agree costs one
 * small request per member: a workspace's digest is the SHA-256 of its
 * non-empty buckets' "<aa> <bucket digest>\n" lines, a bucket's the SHA-256
 * of its file names, each followed by "\n", in ascending order. The peer
 * routes (served by web/api_files.c, answered by the functions below):
 *
 *   GET /api/v1/cluster/files                   {"workspaces": {ws: digest}}
 *   GET /api/v1/cluster/files/{ws}              {"buckets": {"aa": digest}}
 *   GET /api/v1/cluster/files/{ws}?bucket=aa    {"files": [sha, ...]}
 *   GET /api/v1/cluster/files/{ws}/{sha}        the bytes (local copy only)
 *   PUT /api/v1/cluster/files/{ws}/{sha}        store them (hash checked)
 *
 * Files are never deleted here: a file no record refers to stays (garbage
 * collection would need the records' view, and must not race a repair).
 * Any thread may call the functions; the repair runs on a thread of its own. */
#ifndef CREEK_CLUSTER_FILE_SYNC_H
#define CREEK_CLUSTER_FILE_SYNC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"
#include "../lib/err.h"
#include "../storage/files.h"
#include "cluster.h"
#include "tls.h"

#define CLUSTER_FILE_MIN_COPIES   2
#define CLUSTER_FILE_REPAIR_FILES 1000
#define CLUSTER_FILE_REPAIR_BYTES ((uint64_t)1 << 30)
/* Listing answers beyond the largest file (the forwarder's body limit). */
#define CLUSTER_FILE_LIST_SLACK ((size_t)16 << 20)

struct cluster_file_sync;

struct cluster_file_sync_config {
	size_t max_file;             /* largest file sent or fetched: the node's max-upload */
	unsigned repair_interval_ms; /* default 300000 */
	unsigned first_repair_ms;    /* after start; default min(interval, 5000) */
};

/* Start the repair thread. c, tls and files are borrowed and must outlive
 * the object. */
int cluster_file_sync_start(const struct cluster_file_sync_config *cfg, struct cluster *c,
			    struct cluster_tls *tls, struct storage_files *files,
			    struct cluster_file_sync **out, struct cr_err *err);
void cluster_file_sync_stop(struct cluster_file_sync *s); /* NULL is a no-op */

/* After storing ws/sha (data, len) here: copy it to every other reachable
 * member, in parallel, and wait for their answers. Returns how many nodes
 * hold it now (this one included); CR_EUNAVAIL if fewer than
 * CLUSTER_FILE_MIN_COPIES while the cluster has that many members (the
 * local copy stays; members that missed it are repaired later). */
int cluster_file_sync_push(struct cluster_file_sync *s, const char *ws, const char *sha,
			   const void *data, size_t len, struct cr_err *err);
/* Fetch ws/sha from the first member that has it, check its hash, store it
 * here and return it in *out (a new buffer the caller closes; written only
 * on success). CR_ENOTFOUND: no reachable member has it; CR_ETOOBIG: larger
 * than max_file; CR_EINTERNAL: it could not be stored here. */
int cluster_file_sync_fetch(struct cluster_file_sync *s, const char *ws, const char *sha,
			    struct cr_buf *out, struct cr_err *err);
/* Some other member holds ws/sha (asked with HEAD; nothing is copied). */
bool cluster_file_sync_located(struct cluster_file_sync *s, const char *ws, const char *sha);
/* Run a repair round now (tests, and after a node comes back). */
void cluster_file_sync_poke(struct cluster_file_sync *s);

/* ---- the listings peers ask for (file_repair.c); *out is a new reference ---- */

/* {"workspaces": {ws: digest}} of this node's store. */
int cluster_file_list_workspaces(struct storage_files *files, json_t **out, struct cr_err *err);
/* {"buckets": {"aa": digest}} of ws's non-empty buckets. */
int cluster_file_list_buckets(struct storage_files *files, const char *ws, json_t **out,
			      struct cr_err *err);
/* {"files": [sha, ...]} of one bucket of ws, ascending. */
int cluster_file_list_bucket(struct storage_files *files, const char *ws, unsigned bucket,
			     json_t **out, struct cr_err *err);

#endif
