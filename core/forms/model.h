/* core/forms/model.h: the forms' read model on this node (model.c):
 * records, their full-text index and their counts, kept in a local SQLite
 * database per workspace (storage/model.h) that follows the store's
 * outbox; lists, searches, counts and record reads are answered from it. */
#ifndef CREEK_CORE_FORMS_MODEL_H
#define CREEK_CORE_FORMS_MODEL_H

#include <jansson.h>
#include <stdbool.h>

#include "../../storage/model.h"
#include "forms.h"

/* How long a read waits for the model to apply what the store has
 * committed before the store answers it instead. */
#define FM_MODEL_WAIT_MS 500

/* One round for db: build the model if it is missing, corrupt, out of
 * date with the apps' forms or behind the pruned outbox; else apply what
 * the outbox holds after its position. f->model must be set. */
int fm_model_follow(const struct forms *f, const char *db, struct cr_err *err);
/* fm_model_follow() for every workspace (the first error is returned;
 * the others still run). */
int fm_model_follow_all(const struct forms *f, struct cr_err *err);

/* A read of record data (record tables, rec_<app>_fts, record_count) in
 * the actor's workspace: from the model once it has applied the actor's
 * seen position (if it carries one) or else everything the store had
 * committed when the read began; else from the store. rows as
 * storage_query(). */
int fm_read(const struct forms *f, const struct id_actor *a, const char *sql,
	    const struct storage_value *params, unsigned n_params, struct storage_rows *rows,
	    struct cr_err *err);

/* After a write to db committed on this node: *pos, the store's newest
 * change (at least the write's own), for the client to carry back; the
 * model is told (fm_model_saw). */
int fm_model_wrote(const struct forms *f, const char *db, int64_t *pos, struct cr_err *err);
/* A write this node made or relayed reached pos in db: reads here wait
 * for it, and the model is poked to apply it now. No-op without a model. */
void fm_model_saw(const struct forms *f, const char *db, int64_t pos);

/* The model of db: {database, position, head, lag, built, apps: [{app,
 * store_rows, model_rows, same}]} (the apps' row checksums only when sums
 * is true: it reads every record twice). */
int fm_model_status(const struct forms *f, const char *db, bool sums, json_t **out,
		    struct cr_err *err);

/* fm_model_status() of every workspace: a JSON array (with "workspace"). */
int fm_model_status_all(const struct forms *f, bool sums, json_t **out, struct cr_err *err);

/* The model of db compared with the store, app by app (every record of
 * both, 1,000 at a time), once it has caught up and while the store does
 * not move; an app whose rows differ (a model that drifted: a bug, a disk
 * that changed a page) is rebuilt from the store and counted in
 * *repaired. f->model must be set. */
int fm_model_check(const struct forms *f, const char *db, size_t *repaired, struct cr_err *err);
/* fm_model_check() of every workspace (*repaired: their total). */
int fm_model_check_all(const struct forms *f, size_t *repaired, struct cr_err *err);

#endif
