/* storage/pool.c: leader discovery and connection reuse; see pool.h.
 * Algorithm: go-dqlite internal/protocol/connector.go (notes §3.9). */
#define LOG_MODULE "storage"
#include "pool.h"

#include <inttypes.h>
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

#define WATCH_EVERY_MS 50   /* how often the watcher asks the local node */
#define WATCH_FRESH_MS 1000 /* a view older than this is not the watcher's */

struct storage_pool {
	char *addresses[STORAGE_POOL_MAX_ADDRESSES];
	unsigned n_addresses;
	unsigned io_timeout_ms;
	unsigned dial_timeout_ms;
	unsigned acquire_timeout_ms;
	unsigned leaderless_ms;
	unsigned max_idle;
	storage_dial_fn dial;
	void *dial_arg;
	char self[128]; /* "" without a watcher */
	pthread_t watcher;
	pthread_cond_t wake;
	pthread_mutex_t lock; /* guards everything below */
	struct idle *idle;
	unsigned n_idle;
	uint64_t leader_id;
	char leader[128];
	bool is_shutting_down; /* acquire answers at once */
	bool is_stopping;      /* the watcher ends */
	/* Connections handed out or idle (so that a leader change can cut
	 * those to the old leader), n_live of them. */
	struct storage_conn **live;
	size_t n_live;
	size_t cap_live;
	/* The local node's Raft view, as the watcher last read it. */
	uint64_t raft_leader_id;
	char raft_leader[128];
	uint64_t raft_read_ms;       /* monotonic; 0: never */
	uint64_t raft_leaderless_ms; /* since when it knows no leader; 0: it knows one */
	bool raft_ever_led;          /* it has known a leader */
	/* It is a voter or standby (the leader replicates to it, so its view
	 * of the leader is current); a spare knows no leader, and that says
	 * nothing about the cluster. As of the last leaderless reading. */
	bool raft_follows;
};

/* ---- connections handed out ---- */

static void live_add(struct storage_pool *p, struct storage_conn *c)
{
	pthread_mutex_lock(&p->lock);
	if (p->n_live == p->cap_live) {
		p->cap_live = p->cap_live == 0 ? 16 : p->cap_live * 2;
		p->live = cr_realloc(p->live, p->cap_live * sizeof(struct storage_conn *));
	}
	p->live[p->n_live++] = c;
	pthread_mutex_unlock(&p->lock);
}

/* Forget c (under p->lock) and free it. */
static void conn_free(struct storage_pool *p, struct storage_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->n_live; i++)
		if (p->live[i] == c) {
			p->live[i] = p->live[--p->n_live];
			break;
		}
	pthread_mutex_unlock(&p->lock);
	storage_conn_free(c);
}

/* The local node names another leader: calls waiting on a node that no
 * longer leads (paused, cut off, demoted) fail now instead of at their
 * socket timeout, and are retried on the new leader. Under p->lock. */
static void cut_old_leader(struct storage_pool *p)
{
	for (size_t i = 0; i < p->n_live; i++) {
		const char *a = storage_conn_address(p->live[i]);
		if (strcmp(a, p->raft_leader) != 0 && strcmp(a, p->self) != 0)
			storage_conn_interrupt(p->live[i]);
	}
}

/* ---- the watcher: the local node's view of the leader ---- */

static void watch_once(struct storage_pool *p, struct storage_conn **local)
{
	uint64_t id = 0;
	char leader[128] = "";
	bool follows = true;
	int rc = 0;

	if (*local == NULL)
		rc = storage_conn_open_with(p->dial, p->dial_arg, p->self, p->io_timeout_ms, local,
					    NULL);
	if (rc == 0)
		rc = storage_conn_leader(*local, &id, leader, sizeof(leader), NULL);
	if (rc < 0) {
		storage_conn_free(*local);
		*local = NULL;
		return;
	}
	if (leader[0] == '\0') {
		struct storage_server *servers = NULL;
		unsigned n = 0;
		follows = false;
		if (storage_conn_cluster(*local, &servers, &n, NULL) == 0)
			for (unsigned i = 0; i < n; i++)
				if (strcmp(servers[i].address, p->self) == 0)
					follows = servers[i].role != STORAGE_ROLE_SPARE;
		free(servers);
	}
	pthread_mutex_lock(&p->lock);
	p->raft_follows = follows;
	p->raft_read_ms = cr_now_ms();
	if (leader[0] == '\0') {
		if (p->raft_leaderless_ms == 0)
			log_info("the store has no leader now (it was '%s')", p->raft_leader);
		if (p->raft_leaderless_ms == 0)
			p->raft_leaderless_ms = p->raft_read_ms;
	} else {
		bool changed = strcmp(leader, p->raft_leader) != 0;
		if (changed)
			log_info("the store's leader is now node %" PRIu64 " at '%s' (was '%s'%s)",
				 id, leader, p->raft_leader,
				 p->raft_leaderless_ms != 0 ? ", then none" : "");
		p->raft_leaderless_ms = 0;
		p->raft_ever_led = true;
		p->raft_leader_id = id;
		memcpy(p->raft_leader, leader, sizeof(p->raft_leader));
		if (changed && strcmp(leader, p->leader) != 0) {
			/* The hint for the next search, and no waiting on the old one. */
			p->leader_id = id;
			memcpy(p->leader, leader, sizeof(p->leader));
			cut_old_leader(p);
		}
	}
	pthread_mutex_unlock(&p->lock);
}

static void *watch_main(void *arg)
{
	struct storage_pool *p = arg;
	struct storage_conn *local = NULL;

	pthread_mutex_lock(&p->lock);
	while (!p->is_stopping) {
		pthread_mutex_unlock(&p->lock);
		watch_once(p, &local);
		pthread_mutex_lock(&p->lock);
		if (!p->is_stopping)
			cr_cond_wait_ms(&p->wake, &p->lock, WATCH_EVERY_MS);
	}
	pthread_mutex_unlock(&p->lock);
	storage_conn_free(local);
	return NULL;
}

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
	p->dial_timeout_ms = cfg->dial_timeout_ms > 0 && cfg->dial_timeout_ms < p->io_timeout_ms
				 ? cfg->dial_timeout_ms
				 : p->io_timeout_ms;
	p->acquire_timeout_ms = cfg->acquire_timeout_ms > 0 ? cfg->acquire_timeout_ms : 10000;
	p->leaderless_ms = cfg->leaderless_ms;
	p->max_idle = cfg->max_idle > 0 ? cfg->max_idle : 32;
	p->dial = cfg->dial;
	p->dial_arg = cfg->dial_arg;
	if (cfg->self_address != NULL)
		(void)snprintf(p->self, sizeof(p->self), "%s", cfg->self_address);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (p->self[0] != '\0' && pthread_create(&p->watcher, NULL, watch_main, p) != 0) {
		p->self[0] = '\0';
		storage_pool_free(p);
		return cr_err_set(err, CR_EINTERNAL, "cannot start the store's leader watcher");
	}
	*out = p;
	return 0;
}

void storage_pool_free(struct storage_pool *p)
{
	if (p == NULL)
		return;
	if (p->self[0] != '\0') {
		pthread_mutex_lock(&p->lock);
		p->is_stopping = true;
		pthread_cond_signal(&p->wake);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->watcher, NULL);
	}
	while (p->idle != NULL) {
		struct idle *i = p->idle;
		p->idle = i->next;
		storage_conn_free(i->conn);
		free(i);
	}
	free(p->live);
	pthread_cond_destroy(&p->wake);
	for (unsigned i = 0; i < p->n_addresses; i++)
		free(p->addresses[i]);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* An idle connection to db on the node that leads now (idle ones to
 * another node are freed: it no longer leads). */
static struct storage_conn *take_idle(struct storage_pool *p, const char *db)
{
	struct storage_conn *c = NULL;
	struct storage_conn *stale[8];
	size_t n_stale = 0;

	pthread_mutex_lock(&p->lock);
	for (struct idle **i = &p->idle; *i != NULL && c == NULL;) {
		struct idle *found = *i;
		bool is_stale = p->leader[0] != '\0' &&
				strcmp(storage_conn_address(found->conn), p->leader) != 0;
		if ((!is_stale || n_stale < sizeof(stale) / sizeof(stale[0])) &&
		    (is_stale || strcmp(storage_conn_database(found->conn), db) == 0)) {
			*i = found->next;
			p->n_idle--;
			if (is_stale)
				stale[n_stale++] = found->conn;
			else
				c = found->conn;
			free(found);
			continue;
		}
		i = &found->next;
	}
	pthread_mutex_unlock(&p->lock);
	for (size_t k = 0; k < n_stale; k++)
		conn_free(p, stale[k]);
	return c;
}

/* Dial addr and ask it for the leader. 0 and a connection if addr is the
 * leader; 1 and the leader's address in `leader` if it names another node;
 * < 0 if it cannot tell. A peer gets dial_timeout_ms to answer, this node
 * io_timeout_ms (it never waits on the network). */
static int probe(struct storage_pool *p, const char *addr, uint64_t deadline,
		 struct storage_conn **out, uint64_t *id, char *leader, size_t leader_len,
		 struct cr_err *err)
{
	struct storage_conn *c = NULL;
	uint64_t now = cr_now_ms();
	unsigned timeout = strcmp(addr, p->self) == 0 ? p->io_timeout_ms : p->dial_timeout_ms;
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

/* The addresses to ask: this node first (its Raft view names the leader
 * without waiting on a peer), then the last known leader, then the rest
 * (copied: another thread may replace the list meanwhile). */
static unsigned snapshot_addresses(struct storage_pool *p,
				   char out[STORAGE_POOL_MAX_ADDRESSES + 2][128])
{
	unsigned n = 0;

	pthread_mutex_lock(&p->lock);
	if (p->self[0] != '\0')
		memcpy(out[n++], p->self, 128);
	if (p->leader[0] != '\0' && strcmp(p->leader, p->self) != 0)
		memcpy(out[n++], p->leader, 128);
	for (unsigned i = 0; i < p->n_addresses; i++)
		if (strcmp(p->addresses[i], p->leader) != 0 &&
		    strcmp(p->addresses[i], p->self) != 0)
			(void)snprintf(out[n++], 128, "%s", p->addresses[i]);
	pthread_mutex_unlock(&p->lock);
	return n;
}

static int find_leader_once(struct storage_pool *p, uint64_t deadline, struct storage_conn **out,
			    struct cr_err *err)
{
	char addresses[STORAGE_POOL_MAX_ADDRESSES + 2][128];
	unsigned n = snapshot_addresses(p, addresses);
	char leader[128];
	uint64_t id = 0;

	for (unsigned i = 0; i < n; i++) {
		int rc = 0;
		bool is_self = p->self[0] != '\0' && strcmp(addresses[i], p->self) == 0;
		leader[0] = '\0';
		rc = probe(p, addresses[i], deadline, out, &id, leader, sizeof(leader), err);
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
			live_add(p, *out);
			return 0;
		}
		/* This node, a member that has known a leader, knows none now
		 * (an election, or it is cut off from the majority): the others
		 * would only make the caller wait on peers that may not answer. */
		if (is_self && rc == CR_EUNAVAIL && leader[0] == '\0') {
			bool led;
			pthread_mutex_lock(&p->lock);
			led = p->raft_ever_led && p->raft_follows;
			pthread_mutex_unlock(&p->lock);
			if (led)
				break;
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
		conn_free(p, c);
		return rc;
	}
	*out = c;
	return 0;
}

/* This node has known no leader for leaderless_ms (it had one before):
 * cut off from the majority, or an election that does not end. */
bool storage_pool_is_leaderless(struct storage_pool *p)
{
	bool r;

	pthread_mutex_lock(&p->lock);
	r = p->leaderless_ms > 0 && p->raft_ever_led && p->raft_follows &&
	    p->raft_leaderless_ms != 0 && cr_now_ms() - p->raft_leaderless_ms >= p->leaderless_ms &&
	    cr_now_ms() - p->raft_read_ms < WATCH_FRESH_MS;
	pthread_mutex_unlock(&p->lock);
	return r;
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
		if (storage_pool_is_leaderless(p))
			return cr_err_set(
			    err, CR_EUNAVAIL,
			    "this node has known no store leader for %u ms: it is cut "
			    "off from the majority, or no majority is up",
			    p->leaderless_ms);
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
		conn_free(p, c);
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (p->n_idle >= p->max_idle) {
		pthread_mutex_unlock(&p->lock);
		conn_free(p, c);
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

bool storage_pool_raft_leader(struct storage_pool *p, uint64_t *id, char *address,
			      size_t address_len)
{
	bool fresh;

	pthread_mutex_lock(&p->lock);
	fresh = p->raft_read_ms != 0 && cr_now_ms() - p->raft_read_ms < WATCH_FRESH_MS;
	*id = p->raft_leaderless_ms == 0 ? p->raft_leader_id : 0;
	(void)snprintf(address, address_len, "%s",
		       p->raft_leaderless_ms == 0 ? p->raft_leader : "");
	pthread_mutex_unlock(&p->lock);
	return fresh;
}

void storage_pool_discard(struct storage_pool *p, struct storage_conn *c)
{
	conn_free(p, c);
}
