/* node/model_feed.h: the thread that keeps this node's read model
 * (core/forms/model.h) following the store. */
#ifndef CREEK_NODE_MODEL_FEED_H
#define CREEK_NODE_MODEL_FEED_H

#include "../core/forms/forms.h"
#include "../lib/err.h"

struct node_model_feed;

/* Opens the model under <data_dir>/model, sets f->model, and starts the
 * thread: a round over every workspace when a read asks for one, else
 * every NODE_MODEL_ROUND_MS (1 s); every check_s seconds (0: never) a
 * comparison of the model with the store (fm_model_check_all()). */
int node_model_feed_start(struct forms *f, const char *data_dir, unsigned check_s,
			  struct node_model_feed **out, struct cr_err *err);
/* Stops the thread and frees the model (f->model is cleared): call when
 * no request reads any more. NULL is a no-op. */
void node_model_feed_stop(struct node_model_feed *mf);

#endif
