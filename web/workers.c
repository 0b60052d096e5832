/* web/workers.c: a fixed set of threads taking jobs from a bounded FIFO
 * queue (workers.h). */
#include "workers.h"

#include <pthread.h>
#include <stdlib.h>

#include "../lib/mem.h"

struct web_workers {
	pthread_mutex_t mu;
	pthread_cond_t more; /* a job was queued, or stopping */
	web_work_fn work;
	void **ring; /* max_jobs slots */
	unsigned max_jobs;
	unsigned head, n_queued;
	unsigned n_places; /* reserved: queued, about to be, or running */
	bool stopping;
	unsigned n_threads;
	pthread_t *threads;
};

static void *worker_main(void *arg)
{
	struct web_workers *w = arg;

	for (;;) {
		void *job;
		(void)pthread_mutex_lock(&w->mu);
		/* Stopping, a worker still waits for jobs whose place was
		 * reserved: they will be submitted. */
		while (w->n_queued == 0 && !(w->stopping && w->n_places == 0))
			(void)pthread_cond_wait(&w->more, &w->mu);
		if (w->n_queued == 0) { /* stopping, nothing left */
			(void)pthread_mutex_unlock(&w->mu);
			return NULL;
		}
		job = w->ring[w->head];
		w->head = (w->head + 1) % w->max_jobs;
		w->n_queued--;
		(void)pthread_mutex_unlock(&w->mu);
		w->work(job);
	}
}

int web_workers_new(unsigned n_threads, unsigned max_jobs, web_work_fn work,
		    struct web_workers **out, struct cr_err *err)
{
	struct web_workers *w = cr_calloc(1, sizeof(*w));

	w->work = work;
	w->max_jobs = max_jobs > 0 ? max_jobs : 1;
	w->ring = cr_calloc(w->max_jobs, sizeof(*w->ring));
	w->threads = cr_calloc(n_threads > 0 ? n_threads : 1, sizeof(*w->threads));
	(void)pthread_mutex_init(&w->mu, NULL);
	(void)pthread_cond_init(&w->more, NULL);
	for (unsigned i = 0; i < (n_threads > 0 ? n_threads : 1); i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0) {
			web_workers_free(w);
			return cr_err_set(err, CR_EUNAVAIL, "cannot start HTTP worker %u", i + 1);
		}
		w->n_threads++;
	}
	*out = w;
	return 0;
}

void web_workers_stop(struct web_workers *w)
{
	(void)pthread_mutex_lock(&w->mu);
	w->stopping = true;
	(void)pthread_cond_broadcast(&w->more);
	(void)pthread_mutex_unlock(&w->mu);
	for (unsigned i = 0; i < w->n_threads; i++)
		(void)pthread_join(w->threads[i], NULL);
	w->n_threads = 0;
}

void web_workers_free(struct web_workers *w)
{
	if (w == NULL)
		return;
	web_workers_stop(w);
	(void)pthread_cond_destroy(&w->more);
	(void)pthread_mutex_destroy(&w->mu);
	free(w->threads);
	free(w->ring);
	free(w);
}

bool web_workers_reserve(struct web_workers *w)
{
	bool ok;

	(void)pthread_mutex_lock(&w->mu);
	ok = !w->stopping && w->n_places < w->max_jobs;
	if (ok)
		w->n_places++;
	(void)pthread_mutex_unlock(&w->mu);
	return ok;
}

void web_workers_submit(struct web_workers *w, void *job)
{
	(void)pthread_mutex_lock(&w->mu);
	/* n_queued <= n_places <= max_jobs: the slot is free. */
	w->ring[(w->head + w->n_queued) % w->max_jobs] = job;
	w->n_queued++;
	(void)pthread_cond_signal(&w->more);
	(void)pthread_mutex_unlock(&w->mu);
}

void web_workers_done(struct web_workers *w)
{
	(void)pthread_mutex_lock(&w->mu);
	w->n_places--;
	if (w->stopping && w->n_places == 0)
		(void)pthread_cond_broadcast(&w->more);
	(void)pthread_mutex_unlock(&w->mu);
}

unsigned web_workers_busy(struct web_workers *w)
{
	unsigned n;

	(void)pthread_mutex_lock(&w->mu);
	n = w->n_places;
	(void)pthread_mutex_unlock(&w->mu);
	return n;
}
