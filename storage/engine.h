/* storage/engine.h: the embedded dqlite node of this creekd.
 *
 * dqlite runs the node in a thread of its own (dqlite_node_start); Creek
 * never runs SQL in-process but connects to it over the wire protocol like
 * any client (storage/conn.h). The engine keeps the node's identity in
 * <dir>/node-info ("id address" on one line), written once at first start:
 *
 *   first start, no node-info  -> id 1: dqlite bootstraps a one-node cluster
 *                                 (or join_id: the node waits to be added)
 *   later starts               -> the stored id; the address must not change
 *
 * Create and start from one thread (dqlite_node_create is not thread-safe). */
#ifndef CREEK_STORAGE_ENGINE_H
#define CREEK_STORAGE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/err.h"
#include "conn.h"

struct storage_engine;

struct storage_engine_config {
	const char *dir;     /* data directory of the node; created if missing */
	const char *address; /* "a.b.c.d:port": the identity peers dial */
	/* Where the node listens; NULL: address. An "@name" abstract socket
	 * when a proxy (cluster/) owns the public port. */
	const char *bind_address;
	/* Listen on "@creek-db-<port>-<id>" (storage_engine_local_address);
	 * overrides bind_address. */
	bool bind_local;
	unsigned latency_ms; /* network latency: heartbeat 1.5x, election 15x */
	unsigned snapshot_threshold;
	unsigned snapshot_trailing;
	/* How the node dials its peers (NULL: plain TCP). Runs in libuv's
	 * thread pool; must bound its wait. */
	storage_dial_fn dial;
	void *dial_arg;
	unsigned dial_timeout_ms;
	/* Id for a node joining an existing cluster on its first start (0: this
	 * node bootstraps a new cluster as id 1). Ignored once node-info exists. */
	uint64_t join_id;
};

/* Create and start the node. CR_EINVAL: bad address or a node-info that
 * does not match; CR_EINTERNAL: dqlite refused (message says why). */
int storage_engine_start(const struct storage_engine_config *cfg, struct storage_engine **out,
			 struct cr_err *err);
/* Stop the node and free it; NULL is a no-op. */
void storage_engine_stop(struct storage_engine *e);

/* The id and address in the node-info of the store in dir: 0, or 1 if
 * there is no store yet (CR_EINVAL if it is damaged). Without starting. */
int storage_engine_read_info(const char *dir, uint64_t *id, char *address, size_t address_len,
			     struct cr_err *err);

/* Disaster recovery, with every node stopped (../shared/notes/dqlite.md
 * §5.9): rewrite the store in dir so that its node is the one voter of a
 * new one-node configuration, keeping all its data. Other survivors join
 * it again afterwards. */
int storage_engine_recover(const char *dir, const char *address, struct cr_err *err);

/* A one-node cluster moving to a new address (the operator changed
 * cluster-address before forming a cluster): rewrite the configuration
 * with the new address, keeping all data. 0 also if the address is the
 * same. Only for a node that is alone in its cluster, while stopped. */
int storage_engine_readdress(const char *dir, const char *address, struct cr_err *err);

/* "@creek-db-<port>-<id>": the abstract socket of a node started with
 * bind_local (abstract names are per host: the port keeps two nodes on one
 * machine apart, as in tests). */
void storage_engine_local_address(uint64_t id, const char *address, char *out, size_t out_len);

uint64_t storage_engine_id(const struct storage_engine *e);
const char *storage_engine_address(const struct storage_engine *e); /* borrowed */

/* Versions of the linked engine ("1.11.1", "0.15.0"), from the build. */
const char *storage_engine_dqlite_version(void);
const char *storage_engine_raft_version(void);

#endif
