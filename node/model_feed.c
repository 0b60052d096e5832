/* node/model_feed.c: see model_feed.h. */
#define LOG_MODULE "node"
#include "model_feed.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/forms/model.h"
#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/time.h"

/* A round when a read waits for one (it pokes), else this often: each
 * round asks the leader for every workspace's outbox head. */
#define NODE_MODEL_ROUND_MS 1000
/* A failing round is logged again at most this often. */
#define NODE_MODEL_LOG_MS 60000

struct node_model_feed {
	struct forms *f;
	struct storage_model *model;
	uint64_t check_ms; /* between comparisons with the store; 0: never */
	pthread_t thread;
	atomic_bool stop;
};

static void *feed_main(void *arg)
{
	struct node_model_feed *mf = arg;
	uint64_t logged_ms = 0, checked_ms = cr_now_ms();
	bool failing = false;

	while (!atomic_load(&mf->stop)) {
		struct cr_err err = { 0 };
		int rc = fm_model_follow_all(mf->f, &err);
		uint64_t now = cr_now_ms();
		if (rc < 0 && (!failing || now - logged_ms >= NODE_MODEL_LOG_MS)) {
			log_warn("read model: %s (reads go to the store meanwhile)", err.msg);
			logged_ms = now;
		} else if (rc == 0 && failing) {
			log_info("read model: following the store again");
		}
		failing = rc < 0;
		if (!failing && mf->check_ms > 0 && now - checked_ms >= mf->check_ms) {
			size_t repaired = 0;
			if (fm_model_check_all(mf->f, &repaired, &err) < 0)
				log_warn("read model: the comparison with the store failed: %s",
					 err.msg);
			else if (repaired > 0)
				log_warn("read model: %zu apps differed from the store and were "
					 "rebuilt",
					 repaired);
			checked_ms = cr_now_ms();
		}
		/* A failing store is asked again less often; a read pokes a round. */
		storage_model_wait_poke(mf->model,
					failing ? 5 * NODE_MODEL_ROUND_MS : NODE_MODEL_ROUND_MS);
	}
	return NULL;
}

int node_model_feed_start(struct forms *f, const char *data_dir, unsigned check_s,
			  struct node_model_feed **out, struct cr_err *err)
{
	struct node_model_feed *mf;
	char dir[4096];
	int rc;

	(void)snprintf(dir, sizeof(dir), "%s/model", data_dir);
	mf = cr_calloc(1, sizeof(*mf));
	mf->f = f;
	mf->check_ms = (uint64_t)check_s * 1000;
	rc = storage_model_new(dir, &mf->model, err);
	if (rc < 0) {
		free(mf);
		return rc;
	}
	f->model = mf->model;
	if (pthread_create(&mf->thread, NULL, feed_main, mf) != 0) {
		f->model = NULL;
		storage_model_free(mf->model);
		free(mf);
		return cr_err_set(err, CR_EUNAVAIL, "cannot start the read model's thread");
	}
	*out = mf;
	return 0;
}

void node_model_feed_stop(struct node_model_feed *mf)
{
	if (mf == NULL)
		return;
	atomic_store(&mf->stop, true);
	storage_model_stop(mf->model); /* a long build or catch-up ends now */
	(void)pthread_join(mf->thread, NULL);
	mf->f->model = NULL;
	storage_model_free(mf->model);
	free(mf);
}
