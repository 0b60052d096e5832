/* core/forms/model_int.h: what model.c (following the store) and
 * model_check.c (comparing with it: the status and the drift check)
 * share. Nothing outside core/forms/model*.c includes this. */
#ifndef CREEK_CORE_FORMS_MODEL_INT_H
#define CREEK_CORE_FORMS_MODEL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

#define FM_MODEL_COPY_ROWS 1000 /* rows a query while building or comparing */

/* The store's newest outbox id and its apps' signature ("<id>:<form
 * version>,..."; made, saved or removed apps change it). */
struct fm_head {
	int64_t last;
	char *apps; /* owned */
};

/* The store's head of db (h->apps owned by the caller). */
int fm_model_head_read(const struct forms *f, const char *db, struct fm_head *h,
		       struct cr_err *err);
/* The next app of a signature: false at its end; else *app, and s moves
 * past it. */
bool fm_model_next_app(const char **s, int64_t *app);
/* One app's tables on the model dropped and, unless gone, made and
 * filled again from the store; its count row too. In the caller's local
 * transaction. */
int fm_model_app_rebuild(const struct forms *f, const char *db, struct storage_model_db *d,
			 int64_t app, bool gone, struct cr_err *err);
/* fn for every workspace's database, one after the other: one failing
 * does not hold up the others; the first error is returned. */
int fm_model_each_workspace(const struct forms *f,
			    int (*fn)(const struct forms *f, const char *db, void *arg,
				      struct cr_err *err),
			    void *arg, struct cr_err *err);

#endif
