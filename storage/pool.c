/* storage/pool.c: leader discovery and connection reuse; see pool.h.
 * Algorithm: go-dqlite internal/protocol/connector.go (notes §3.9). */
#define LOG_MODULE "storage"
#include "pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/time.h"

struct idle {
	struct storage_conn *conn;
	struct idle *next;
};

struct storage_pool {
	char *addresses[STORAGE_POOL_MAX_ADDRESSES];
	unsigned n_addresses;
	unsigned io_timeout_ms;
	unsigned acquire_timeout_ms;
	unsigned max_idle;
	storage_dial_fn dial;
	void *dial_arg;
	pthread_mutex_t lock; /* guards everything below */
	struct idle *idle;
	unsigned n_idle;
	uint64_t leader_id;
	char leader[128];
	bool is_shutting_down; /* acquire answers at once */
};

int storage_pool_new(const struct storage_pool_config *cfg, struct storage_pool **out,
		     struct cr_err *err)
{
	struct storage_pool *p;

	if (cfg->n_addresses == 0 || cfg->n_addresses > STORAGE_POOL_MAX_ADDRESSES)
		return cr_err_set(err, CR_EINVAL, "the store pool needs 1 to %d node addresses",
				  STORAGE_POOL_MAX_ADDRESSES);
	p = cr_calloc(1, sizeof(*p));
	for (unsigned i = 0; i < cfg->n_addresses; i++)
		p->addresses[i] = cr_strdup(cfg->addresses[i]);
	p->n_addresses = cfg->n_addresses;
	p->io_timeout_ms = cfg->io_timeout_ms > 0 ? cfg->io_timeout_ms : 5000;
	p->acquire_timeout_ms = cfg->acquire_timeout_ms > 0 ? cfg->acquire_timeout_ms : 10000;
	p->max_idle = cfg->max_idle > 0 ? cfg->max_idle : 32;
	p->dial = cfg->dial;
	p->dial_arg = cfg->dial_arg;
	pthread_mutex_init(&p->lock, NULL);
	*out = p;
	return 0;
}

void storage_pool_free(struct storage_pool *p)
{
	if (p == NULL)
		return;
	while (p->idle != NULL) {
		struct idle *i = p->idle;
		p->idle = i->next;
		storage_conn_free(i->conn);
		free(i);
	}
	for (unsigned i = 0; i < p->n_addresses; i++)
		free(p->addresses[i]);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static struct storage_conn *take_idle(struct storage_pool *p, const char *db)
{
	struct storage_conn *c = NULL;

	pthread_mutex_lock(&p->lock);
	for (struct idle **i = &p->idle; *i != NULL; i = &(*i)->next) {
		if (strcmp(storage_conn_database((*i)->conn), db) == 0) {
			struct idle *found = *i;
			*i = found->next;
			c = found->conn;
			free(found);
			p->n_idle--;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return c;
}

/* Dial addr and ask it for the leader. 0 and a connection if addr is the
 * leader; 1 and the leader's address in `leader` if it names another node;
 * < 0 if it cannot tell. */
static int probe(struct storage_pool *p, const char *addr, uint64_t deadline,
		 struct storage_conn **out, uint64_t *id, char *leader, size_t leader_len,
		 struct cr_err *err)
{
	struct storage_conn *c = NULL;
	uint64_t now = cr_now_ms();
	unsigned timeout = p->io_timeout_ms;
	int rc;

	/* A silent node must not hold the caller past its deadline. */
	if (deadline > now && deadline - now < timeout)
		timeout = (unsigned)(deadline - now);
	if (deadline <= now)
		timeout = 1;
	rc = storage_conn_open_with(p->dial, p->dial_arg, addr, timeout, &c, err);

	if (rc < 0)
		return rc;
	rc = storage_conn_leader(c, id, leader, leader_len, err);
	if (rc == 0 && strcmp(leader, addr) == 0) {
		*out = c;
		return 0;
	}
	storage_conn_free(c);
	if (rc < 0)
		return rc;
	if (leader[0] == '\0')
		return cr_err_set(err, CR_EUNAVAIL, "node '%s' knows no leader", addr);
	return 1;
}

/* The addresses to ask, last known leader first (copied: another thread
 * may replace the list meanwhile). */
static unsigned snapshot_addresses(struct storage_pool *p,
				   char out[STORAGE_POOL_MAX_ADDRESSES + 1][128])
{
	unsigned n = 0;

	pthread_mutex_lock(&p->lock);
	if (p->leader[0] != '\0')
		memcpy(out[n++], p->leader, 128);
	for (unsigned i = 0; i < p->n_addresses; i++)
		if (strcmp(p->addresses[i], p->leader) != 0)
			(void)snprintf(out[n++], 128, "%s", p->addresses[i]);
	pthread_mutex_unlock(&p->lock);
	return n;
}

static int find_leader_once(struct storage_pool *p, uint64_t deadline, struct storage_conn **out,
			    struct cr_err *err)
{
	char addresses[STORAGE_POOL_MAX_ADDRESSES + 1][128];
	unsigned n = snapshot_addresses(p, addresses);
	char leader[128];
	uint64_t id = 0;

	for (unsigned i = 0; i < n; i++) {
		int rc = probe(p, addresses[i], deadline, out, &id, leader, sizeof(leader), err);
		if (rc == 1) {
			char named[128];
			memcpy(named, leader, sizeof(named));
			rc = probe(p, named, deadline, out, &id, leader, sizeof(leader), err);
		}
		if (rc == 0) {
			pthread_mutex_lock(&p->lock);
			p->leader_id = id;
			memcpy(p->leader, leader, sizeof(p->leader));
			pthread_mutex_unlock(&p->lock);
			return 0;
		}
	}
	if (err != NULL) {
		char why[CR_ERR_MSG_MAX];
		memcpy(why, err->msg, sizeof(why));
		why[sizeof(why) - 40] = '\0';
		return cr_err_set(err, CR_EUNAVAIL, "no store leader found: %s", why);
	}
	return CR_EUNAVAIL;
}

static int open_leader_db(struct storage_pool *p, const char *db, uint64_t deadline,
			  struct storage_conn **out, struct cr_err *err)
{
	struct storage_conn *c = NULL;
	struct storage_rows rows;
	int rc = find_leader_once(p, deadline, &c, err);

	if (rc < 0)
		return rc;
	rc = storage_conn_open_db(c, db, err);
	if (rc == 0) {
		/* Barrier: QUERY_SQL waits for the leader to apply its log. */
		rc = storage_conn_query_sql(c, "SELECT 1", NULL, 0, &rows, err);
		storage_rows_close(&rows);
	}
	if (rc < 0) {
		storage_conn_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int storage_pool_acquire(struct storage_pool *p, const char *db, struct storage_conn **out,
			 struct cr_err *err)
{
	return storage_pool_acquire_within(p, db, p->acquire_timeout_ms, out, err);
}

int storage_pool_acquire_within(struct storage_pool *p, const char *db, unsigned timeout_ms,
				struct storage_conn **out, struct cr_err *err)
{
	uint64_t deadline = cr_now_ms() + timeout_ms;
	struct cr_backoff backoff = CR_BACKOFF(25, 1000);
	struct storage_conn *c = take_idle(p, db);
	int rc;

	if (c != NULL) {
		*out = c;
		return 0;
	}
	for (;;) {
		bool stopping;
		rc = open_leader_db(p, db, deadline, out, err);
		if (rc == 0 || rc != CR_EUNAVAIL)
			return rc;
		pthread_mutex_lock(&p->lock);
		stopping = p->is_shutting_down;
		pthread_mutex_unlock(&p->lock);
		if (stopping)
			return rc; /* one look for a leader, no waiting */
		if (!cr_backoff_fits(&backoff, deadline))
			return rc;
		cr_backoff_sleep(&backoff);
	}
}

void storage_pool_release(struct storage_pool *p, struct storage_conn *c)
{
	struct idle *i;

	if (c == NULL)
		return;
	if (storage_conn_is_broken(c) || storage_conn_database(c) == NULL) {
		storage_conn_free(c);
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (p->n_idle >= p->max_idle) {
		pthread_mutex_unlock(&p->lock);
		storage_conn_free(c);
		return;
	}
	i = cr_malloc(sizeof(*i));
	i->conn = c;
	i->next = p->idle;
	p->idle = i;
	p->n_idle++;
	pthread_mutex_unlock(&p->lock);
}

int storage_pool_set_addresses(struct storage_pool *p, const char *const *addresses, unsigned n,
			       struct cr_err *err)
{
	if (n == 0 || n > STORAGE_POOL_MAX_ADDRESSES)
		return cr_err_set(err, CR_EINVAL, "the store pool needs 1 to %d node addresses",
				  STORAGE_POOL_MAX_ADDRESSES);
	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < p->n_addresses; i++)
		free(p->addresses[i]);
	for (unsigned i = 0; i < n; i++)
		p->addresses[i] = cr_strdup(addresses[i]);
	p->n_addresses = n;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void storage_pool_shutdown(struct storage_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->is_shutting_down = true;
	pthread_mutex_unlock(&p->lock);
}

void storage_pool_forget_leader(struct storage_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->leader_id = 0;
	p->leader[0] = '\0';
	pthread_mutex_unlock(&p->lock);
}

void storage_pool_last_leader(struct storage_pool *p, uint64_t *id, char *address,
			      size_t address_len)
{
	pthread_mutex_lock(&p->lock);
	*id = p->leader_id;
	(void)snprintf(address, address_len, "%s", p->leader);
	pthread_mutex_unlock(&p->lock);
}
