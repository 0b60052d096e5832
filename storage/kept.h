/* storage/kept.h: answers of reads kept on this node while their
 * database's version stays the same.
 *
 * For reads that every request repeats and whose tables change seldom (a
 * form's definition, the departments, an account's permission groups).
 * The caller names a version of the database that every change to those
 * tables raises in its own transaction (triggers do it), and reads that
 * version from the store at the start of the request: an answer kept at
 * that version is what the store would answer now, so it is given from
 * memory. A version the caller read before a change committed finds the
 * answers of before; one read after finds none kept and asks the store.
 * Bounded: a fixed number of slots (a new answer replaces whatever held
 * its slot), answers above a size are not kept, nor any past a total. Any thread. */
#ifndef CREEK_STORAGE_KEPT_H
#define CREEK_STORAGE_KEPT_H

#include <stdint.h>

#include "rows.h"
#include "value.h"

#define STORAGE_KEPT_SLOTS       4096
#define STORAGE_KEPT_MAX_BYTES   ((size_t)1024 * 1024)      /* per answer */
#define STORAGE_KEPT_TOTAL_BYTES ((size_t)64 * 1024 * 1024) /* all answers */

struct storage_kept;

struct storage_kept *storage_kept_new(void);
void storage_kept_free(struct storage_kept *k); /* NULL is a no-op */

/* The answer kept for sql with params on db at version into rows
 * (initialised by the call, a copy: close it after): true if one was. */
bool storage_kept_get(struct storage_kept *k, const char *db, int64_t version, const char *sql,
		      const struct storage_value *params, unsigned n_params,
		      struct storage_rows *rows);
/* Keep rows (copied) as that answer; too large an answer is not kept. */
void storage_kept_put(struct storage_kept *k, const char *db, int64_t version, const char *sql,
		      const struct storage_value *params, unsigned n_params,
		      const struct storage_rows *rows);

/* Answers given from memory and asked of the store (for the status). */
void storage_kept_counts(struct storage_kept *k, uint64_t *hits, uint64_t *misses);

#endif
