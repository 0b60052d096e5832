/* storage/model.h: the read model's local databases (ARCHITECTURE.md,
 * "Reads: a read model on every node").
 *
 * One SQLite file per store database, <dir>/<db>.db, in WAL mode with a
 * bounded page cache: read by a few connections at once (any thread) and
 * written by one applier (one thread at a time). The file keeps the
 * position it has applied up to (the store's change-log id) in the same
 * transaction as the changes, so a crash never leaves it claiming more
 * than it holds. What the model holds and how it follows the store is the
 * business of core/ (core/forms/model.c); this is only the local database.
 *
 * A file found corrupt (at open, or by any statement) is thrown away and
 * started empty: the model is derived data, rebuilt from the store. */
#ifndef CREEK_STORAGE_MODEL_H
#define CREEK_STORAGE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/err.h"
#include "rows.h"

/* Position of a model that holds nothing yet (being built). */
#define STORAGE_MODEL_UNBUILT (-1)

struct storage_model;
struct storage_model_db;

/* dir is created if missing. */
int storage_model_new(const char *dir, struct storage_model **out, struct cr_err *err);
void storage_model_free(struct storage_model *m); /* NULL is a no-op */

/* The local database of db ([a-z0-9_-]), opened or created on first use;
 * borrowed for m's life. */
int storage_model_db(struct storage_model *m, const char *db, struct storage_model_db **out,
		     struct cr_err *err);

/* A read on one of the db's reader connections (any thread). */
int storage_model_query(struct storage_model_db *d, const char *sql,
			const struct storage_value *params, unsigned n_params,
			struct storage_rows *rows, struct cr_err *err);

/* The applier's side: one thread at a time. exec runs one statement (or
 * several without parameters) inside begin/commit. commit also stores
 * position, which readers then see. */
int storage_model_begin(struct storage_model_db *d, struct cr_err *err);
int storage_model_exec(struct storage_model_db *d, const char *sql,
		       const struct storage_value *params, unsigned n_params, struct cr_err *err);
int storage_model_commit(struct storage_model_db *d, int64_t position, struct cr_err *err);
void storage_model_rollback(struct storage_model_db *d);
/* A read on the applier's connection (inside or outside its transaction). */
int storage_model_applier_query(struct storage_model_db *d, const char *sql,
				const struct storage_value *params, unsigned n_params,
				struct storage_rows *rows, struct cr_err *err);

/* The position committed last; STORAGE_MODEL_UNBUILT while being built. */
int64_t storage_model_position(struct storage_model_db *d);
/* Wait until the position is at least pos, at most ms; true if it is. */
bool storage_model_wait(struct storage_model_db *d, int64_t pos, unsigned ms);
/* Ask the applier to come soon (a reader waits). */
void storage_model_poke(struct storage_model *m);
/* The node is stopping: the applier's long loops (a build, a catch-up, a
 * comparison) end at their next step. Any thread. */
void storage_model_stop(struct storage_model *m);
bool storage_model_stopping(struct storage_model *m);
/* The applier waits for a poke, at most ms. */
void storage_model_wait_poke(struct storage_model *m, unsigned ms);

/* Drop everything the file holds and mark it unbuilt (a rebuild starts). */
int storage_model_reset(struct storage_model_db *d, struct cr_err *err);
/* A statement found the file corrupt: the next reset recreates the file. */
bool storage_model_is_corrupt(struct storage_model_db *d);

/* The applier saw the store's newest change at head (for the lag). */
void storage_model_saw_head(struct storage_model_db *d, int64_t head);
/* A write this node made or relayed committed at position pos: the head
 * is raised to it (never lowered) and the applier poked. */
void storage_model_note_write(struct storage_model *m, struct storage_model_db *d, int64_t pos);
/* The store's newest change as this node last knew it (a round or a
 * write it made or relayed). */
int64_t storage_model_head(struct storage_model_db *d);
/* The largest lag (changes the store has and a model has not, as the
 * applier last saw) and how many models are being built. */
void storage_model_lag(struct storage_model *m, int64_t *max_lag, unsigned *n_unbuilt);

/* Reads answered by the model and by the store instead (counted for the
 * node's status). */
void storage_model_note_read(struct storage_model *m, bool from_model);
void storage_model_reads(struct storage_model *m, uint64_t *from_model, uint64_t *from_store);

#endif
