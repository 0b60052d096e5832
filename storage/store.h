/* storage/store.h: what the rest of Creek uses to read and write.
 *
 * A store owns the connection pool and one writer per database (created on
 * first write). Reads and writes are separate calls: reads may be retried
 * freely; writes go through the database's single writer (writer.h), so no
 * caller ever sees SQLITE_BUSY, and carry an optional request id that makes
 * a retried write apply once. Any thread may call every function except
 * storage_store_free(). */
#ifndef CREEK_STORAGE_STORE_H
#define CREEK_STORAGE_STORE_H

#include "../lib/err.h"
#include "conn.h"
#include "disk.h"
#include "kept.h"
#include "pool.h"
#include "rows.h"
#include "writer.h"

/* Database names: the system database and one per workspace. */
#define STORAGE_DB_SYSTEM     "system"
#define STORAGE_DB_NAME_MAX   64
#define STORAGE_MAX_DATABASES 4096

struct storage_store;

struct storage_store_config {
	struct storage_pool_config pool;
	struct storage_writer_config writer;
	/* The data directory's free space (disk.h; borrowed, must outlive the
	 * store). While it is low, every write is refused before it reaches a
	 * writer: CR_EUNAVAIL, nothing written. NULL: no guard. */
	struct storage_disk *disk;
};

int storage_store_new(const struct storage_store_config *cfg, struct storage_store **out,
		      struct cr_err *err);
/* Begin stopping: writes and reads still run, but none waits for a leader
 * to be elected any more (a node going down, perhaps without quorum, must
 * not wait out the write timeout). Any thread. */
void storage_store_shutdown(struct storage_store *s);
/* Stops every writer. Call after every other thread has stopped using it. */
void storage_store_free(struct storage_store *s); /* NULL is a no-op */

/* Borrowed, valid for the store's life. */
struct storage_pool *storage_store_pool(struct storage_store *s);

/* Database names are [a-z0-9_-], 1 to STORAGE_DB_NAME_MAX bytes. */
int storage_db_name_check(const char *db, struct cr_err *err);

/* A read: fn runs with a leader connection that has db open; it is run
 * again (reads are always safe to retry), until the pool's acquire
 * timeout, if the connection breaks or the node refused one of its
 * statements as busy (storage_conn_busy_count()). */
typedef int (*storage_read_fn)(struct storage_conn *c, void *arg, struct cr_err *err);
int storage_read(struct storage_store *s, const char *db, storage_read_fn fn, void *arg,
		 struct cr_err *err);
/* A one-statement read into rows (initialised by the call; close it after,
 * on success and on failure). */
int storage_query(struct storage_store *s, const char *db, const char *sql,
		  const struct storage_value *params, unsigned n_params, struct storage_rows *rows,
		  struct cr_err *err);

/* storage_query() for a read that depends only on tables whose every
 * change raises db's version (kept.h), read by the caller from the store
 * before: the answer kept at that version if there is one, else the
 * store's (then kept). version <= 0: storage_query(). */
int storage_query_kept(struct storage_store *s, const char *db, int64_t version, const char *sql,
		       const struct storage_value *params, unsigned n_params,
		       struct storage_rows *rows, struct cr_err *err);
/* How many storage_query_kept() answers came from memory and the store. */
void storage_kept_stats(struct storage_store *s, uint64_t *hits, uint64_t *misses);

/* A write through db's writer; see storage_writer_submit() for the results
 * (0 committed, 1 already applied under request_id, < 0 errors), and
 * CR_EUNAVAIL (nothing written) while the data disk is low (config.disk). */
int storage_write(struct storage_store *s, const char *db, const char *request_id,
		  storage_job_fn fn, void *arg, struct cr_err *err);
/* storage_write() that the low-disk guard lets through: a few bytes of
 * state the cluster needs to get this node out of raft's way (its disk is
 * low, its disk has room again). Nothing a client asked for. */
int storage_write_past_reserve(struct storage_store *s, const char *db, storage_job_fn fn,
			       void *arg, struct cr_err *err);
/* storage_write() that hands back the job's answer (see
 * storage_writer_submit(); the caller frees *answer with free()). */
int storage_write_answered(struct storage_store *s, const char *db, const char *request_id,
			   storage_job_fn fn, void *arg, char **answer, struct cr_err *err);
/* A write whose job keeps the n ids its caller needs with
 * storage_tx_answer_ids() (the rows it created): ids are read from that
 * answer, so a replay under request_id yields the first run's ids and
 * returns 0 just as the first run did. 0, or storage_write()'s errors;
 * CR_ECONFLICT for a replay of a request recorded without an answer
 * (before answers were kept). ids is written only on success. */
int storage_write_ids(struct storage_store *s, const char *db, const char *request_id,
		      storage_job_fn fn, void *arg, int64_t *ids, size_t n, struct cr_err *err);
/* Whether a write under request_id has committed in db (its id is in
 * creek_request). For a caller whose checks before writing would see the
 * state its first run left (a delete finds nothing to delete, a save finds
 * its version moved on): it asks first and answers a replay as the first
 * run was answered. 1 seen, 0 not (request_id NULL, or no write with a
 * request id reached db yet), < 0 as storage_query(). Any thread. */
int storage_request_seen(struct storage_store *s, const char *db, const char *request_id,
			 struct cr_err *err);
/* A one-statement write (convenience over storage_write). result may be NULL. */
int storage_exec(struct storage_store *s, const char *db, const char *request_id, const char *sql,
		 const struct storage_value *params, unsigned n_params,
		 struct storage_result *result, struct cr_err *err);

/* Totals over every writer. */
void storage_store_stats(struct storage_store *s, struct storage_writer_stats *out);

#endif
