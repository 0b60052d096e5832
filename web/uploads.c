/* web/uploads.c: how many uploads this node receives at once.
 *
 * An admitted upload (server.c, when its headers are in) takes a slot
 * and keeps it until its request is freed: at most max in all (503 past
 * it: the node is busy) and max_per_caller per caller (429: that caller
 * waits for one of its own). A caller is an account, or for an API key
 * its workspace. Each upload streams to disk (storage_files_upload_*), so
 * the slots bound open files, disk bandwidth and the little memory each
 * upload holds, not whole files. Any HTTP thread. */
#include "server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/mem.h"
#include "web_int.h"

struct caller {
	char who[WEB_UPLOAD_CALLER_MAX];
	unsigned n; /* 0: a free entry */
};

struct web_uploads {
	pthread_mutex_t lock;
	unsigned max, max_per_caller;
	unsigned n;             /* slots taken */
	struct caller *callers; /* max entries: each taken slot has one */
};

void web_uploads_new(unsigned max, unsigned max_per_caller, struct web_uploads **out)
{
	struct web_uploads *u = cr_calloc(1, sizeof(*u));

	pthread_mutex_init(&u->lock, NULL);
	u->max = max > 0 ? max : 1;
	u->max_per_caller = max_per_caller > 0 ? max_per_caller : 1;
	u->callers = cr_calloc(u->max, sizeof(u->callers[0]));
	*out = u;
}

void web_uploads_free(struct web_uploads *u)
{
	if (u == NULL)
		return;
	pthread_mutex_destroy(&u->lock);
	free(u->callers);
	free(u);
}

/* who's entry, else a free one (there is one while n < max), else NULL. */
static struct caller *find(struct web_uploads *u, const char *who)
{
	struct caller *free_entry = NULL;

	for (unsigned i = 0; i < u->max; i++) {
		if (u->callers[i].n > 0 && strcmp(u->callers[i].who, who) == 0)
			return &u->callers[i];
		if (u->callers[i].n == 0 && free_entry == NULL)
			free_entry = &u->callers[i];
	}
	return free_entry;
}

int web_uploads_take(struct web_uploads *u, const char *who, struct cr_err *err)
{
	struct caller *c;
	int rc = 0;

	pthread_mutex_lock(&u->lock);
	c = u->n < u->max ? find(u, who) : NULL;
	if (c == NULL) {
		rc = cr_err_set(err, CR_EUNAVAIL,
				"this node is receiving %u uploads already; retry in a moment",
				u->max);
	} else if (c->n >= u->max_per_caller) {
		rc = cr_err_set(err, CR_ELIMIT,
				"%u of your uploads are under way already; send this one when "
				"one of them is done",
				u->max_per_caller);
	} else {
		if (c->n == 0)
			(void)snprintf(c->who, sizeof(c->who), "%s", who);
		c->n++;
		u->n++;
	}
	pthread_mutex_unlock(&u->lock);
	return rc;
}

void web_uploads_give_back(struct web_uploads *u, const char *who)
{
	struct caller *c;

	pthread_mutex_lock(&u->lock);
	c = find(u, who);
	if (c != NULL && c->n > 0) {
		c->n--;
		u->n--;
	}
	pthread_mutex_unlock(&u->lock);
}
