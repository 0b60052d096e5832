/* storage/pool.h: connections to the current leader, shared by all threads.
 *
 * dqlite serves SQL only on the leader, one database per connection. The
 * pool finds the leader among the known node addresses (go-dqlite's rule:
 * ask a node for LEADER, then confirm the leader names itself), opens the
 * database, runs a barrier query ("SELECT 1": a new 1.11 leader may not yet
 * have applied the latest schema), and keeps idle connections per database
 * for reuse.
 *
 * With self_address (the address this node's dqlite serves, reached
 * locally by dial), a watcher thread asks the local node for its leader
 * every 50 ms: Raft's own view, which never waits on a peer. The search
 * for the leader starts there; when the local node names another leader,
 * calls waiting on the old one (paused, cut off) fail at once and are
 * retried on the new one, and idle connections to it are dropped; and a
 * node that has known no leader for leaderless_ms answers at once that
 * there is none instead of waiting until acquire_timeout_ms.
 * Any thread may call every function. */
#ifndef CREEK_STORAGE_POOL_H
#define CREEK_STORAGE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/err.h"
#include "conn.h"

#define STORAGE_POOL_MAX_ADDRESSES 16

struct storage_pool;

struct storage_pool_config {
	const char *addresses[STORAGE_POOL_MAX_ADDRESSES]; /* copied by new() */
	unsigned n_addresses;
	unsigned io_timeout_ms;      /* each dial and each socket read/write */
	unsigned dial_timeout_ms;    /* a connection attempt to a peer; 0: io_timeout_ms */
	unsigned acquire_timeout_ms; /* total time to find a leader */
	unsigned leaderless_ms;      /* see above; 0: wait until acquire_timeout_ms */
	const char *self_address;    /* NULL: no watcher (copied) */
	unsigned max_idle;           /* idle connections kept, all databases */
	storage_dial_fn dial;        /* NULL: plain TCP; else how to reach nodes */
	void *dial_arg;
};

int storage_pool_new(const struct storage_pool_config *cfg, struct storage_pool **out,
		     struct cr_err *err);
void storage_pool_free(struct storage_pool *pool); /* NULL is a no-op; closes idle conns */

/* A connection to the leader with database db open, waiting up to
 * acquire_timeout_ms. CR_EUNAVAIL: no leader answered in time. The caller
 * owns the connection until storage_pool_release(). */
int storage_pool_acquire(struct storage_pool *pool, const char *db, struct storage_conn **out,
			 struct cr_err *err);
/* The same with its own deadline (health checks want an answer fast). */
int storage_pool_acquire_within(struct storage_pool *pool, const char *db, unsigned timeout_ms,
				struct storage_conn **out, struct cr_err *err);
/* Give a connection back; broken ones are closed. */
void storage_pool_release(struct storage_pool *pool, struct storage_conn *conn);
/* Close a connection the pool gave (never storage_conn_free(): the pool
 * may be cutting it on another thread). NULL is a no-op. */
void storage_pool_discard(struct storage_pool *pool, struct storage_conn *conn);

/* Replace the node addresses asked for the leader (the cluster's members
 * changed). Connections already made stay. */
int storage_pool_set_addresses(struct storage_pool *pool, const char *const *addresses, unsigned n,
			       struct cr_err *err);
/* Begin stopping: acquiring a connection looks for the leader once and
 * does not wait for one to be elected. */
void storage_pool_shutdown(struct storage_pool *pool);
/* Drop the remembered leader (it is known to be gone). */
void storage_pool_forget_leader(struct storage_pool *pool);

/* The local node's view of the leader (the watcher's; id 0 and "" while
 * it knows none). Whether that view is fresh (under a second old); false
 * without a watcher. */
bool storage_pool_raft_leader(struct storage_pool *pool, uint64_t *id, char *address,
			      size_t address_len);
/* The local node has known no leader for leaderless_ms, having known one
 * before (see above); false without a watcher. */
bool storage_pool_is_leaderless(struct storage_pool *pool);
/* The leader as last confirmed: id and address ("" if none). Does not block
 * on the network. */
void storage_pool_last_leader(struct storage_pool *pool, uint64_t *id, char *address,
			      size_t address_len);

#endif
