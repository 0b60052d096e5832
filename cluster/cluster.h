/* cluster/cluster.h: this node's place in the cluster.
 *
 * The manager keeps, in a thread of its own, a current picture of the
 * cluster: the members and their raft roles (from the leader), whether
 * each answers (a LEADER request over mutual TLS, every probe interval),
 * and which node leads. On the leader it also rebalances roles, one
 * change per round (../shared/notes/dqlite.md §5.5):
 *
 *   voters wanted   1 below 3 nodes, 3 from 3 nodes, 5 from 7 nodes
 *   standbys wanted cfg.standbys (default 3), then spares
 *   a node is down  after offline_after_ms without an answer; a down
 *                   voter or standby is demoted, an up node promoted
 *   candidates      failure domains not yet held by an up voter first,
 *                   standbys before spares, then by id
 *
 * Files in <data>/cluster (0700): the TLS files of tls.h, `members` (the
 * last known "id address" list, so a restarted node finds the cluster) and
 * `join` (written by `creekctl join`: the id and addresses a joining node
 * starts with; removed once it is a member). */
#ifndef CREEK_CLUSTER_CLUSTER_H
#define CREEK_CLUSTER_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/err.h"
#include "../storage/store.h"
#include "tls.h"

#define CLUSTER_MAX_NODES   16 /* STORAGE_POOL_MAX_ADDRESSES */
#define CLUSTER_ADDRESS_MAX 64
/* Node certificates' default lifetime (cluster-cert-lifetime): 30 days,
 * renewed when 10 are left. */
#define CLUSTER_CERT_LIFETIME_S (30u * 86400u)

/* Cluster's tables in the system database (schema.c), for node/ to
 * register with storage (storage/migrate.h). */
struct storage_migrations;
extern const struct storage_migrations cluster_system_migrations;

/* ---- files ---- */

/* What a node starts from, read from <data>/cluster. */
struct cluster_files {
	char dir[4096];                                         /* <data>/cluster */
	uint64_t join_id;                                       /* from `join`, 0 if not joining */
	char addresses[CLUSTER_MAX_NODES][CLUSTER_ADDRESS_MAX]; /* members or join peers */
	uint64_t ids[CLUSTER_MAX_NODES]; /* the members' ids; 0 for join peers */
	unsigned n_addresses;
};

/* Prepare <data>/cluster for a node at address: on the very first start
 * (no certificate, no join pending, a store that is new or this node's
 * own one-node cluster) create the cluster CA and this node's certificate
 * (valid for lifetime_s); finish a renewal a crash interrupted; then read
 * `join` or `members`. CR_EINVAL with the reason otherwise. */
int cluster_files_prepare(const char *data_dir, const char *address, unsigned lifetime_s,
			  struct cluster_files *out, struct cr_err *err);
/* Write `join`: id and peer addresses for a node that has been admitted. */
int cluster_files_write_join(const char *cluster_dir, uint64_t id, const char *const *addresses,
			     unsigned n, struct cr_err *err);

/* ---- dialling ---- */

/* How this node reaches store nodes: its own through the local socket,
 * others through mutual TLS. Usable as a storage_dial_fn with the dialer
 * as argument. */
struct cluster_dialer {
	struct cluster_tls *tls;
	char self_address[CLUSTER_ADDRESS_MAX];
	char local_address[CLUSTER_ADDRESS_MAX]; /* storage_engine_local_address() */
};
int cluster_dialer_dial(void *dialer, const char *address, unsigned timeout_ms, int *fd_out,
			struct cr_err *err);

/* ---- the manager ---- */

struct cluster;
struct cluster_proxy;

struct cluster_config {
	const char *files_dir; /* <data>/cluster */
	uint64_t self_id;
	const char *self_address;
	unsigned failure_domain;
	unsigned probe_interval_ms; /* default 1000 */
	unsigned offline_after_ms;  /* default 30000 */
	unsigned standbys;          /* default 3 */
	bool join_pending;          /* remove `join` once this node is a member */
	/* The serial of this node's node.crt ("" without cluster TLS): its own
	 * entry in what the proxy accepts, whatever the table says. */
	const char *self_cert_serial;
	/* Of the node certificates this node signs if it holds the CA key
	 * (renewals; cluster-cert-lifetime); 0: CLUSTER_CERT_LIFETIME_S. */
	unsigned cert_lifetime_s;
	/* Told every member list the leader gives and each removal, so that
	 * only members' certificates are peers (proxy.h); borrowed, must
	 * outlive the manager. NULL: no proxy (cluster TLS off). */
	struct cluster_proxy *proxy;
};

struct cluster_node_status {
	uint64_t id;
	char address[CLUSTER_ADDRESS_MAX];
	enum storage_role role;
	/* The serial of the certificate it holds now (the cluster_node table;
	 * this node's own from its node.crt); "" unknown: a member recorded by
	 * an older release, until it next starts. */
	char cert_serial[CLUSTER_SERIAL_MAX];
	/* While it renews: the serial of its next certificate (or, on the
	 * node itself, of the one it replaces), which peers accept too; "". */
	char next_serial[CLUSTER_SERIAL_MAX];
	/* Its data disk is below its reserve (it says so in the cluster_node
	 * table): the leader makes it a spare, which raft sends nothing to. */
	bool disk_low;
	bool is_leader;
	bool reachable;
	int64_t last_contact_ms; /* ms since the last answer; -1 never */
	double latency_ms;       /* of the last answer */
};

struct cluster_status {
	uint64_t self_id;
	uint64_t leader_id; /* 0: none known */
	unsigned voters_wanted;
	unsigned standbys_wanted;
	unsigned n_nodes;
	struct cluster_node_status nodes[CLUSTER_MAX_NODES];
};

/* Start the manager thread. dialer, store and the store's pool are
 * borrowed and must outlive it. */
int cluster_start(const struct cluster_config *cfg, struct cluster_dialer *dialer,
		  struct storage_store *store, struct cluster **out, struct cr_err *err);
/* Before a graceful stop: hand leadership to an up voter (and this node's
 * voter role to an up standby or spare, if one exists), within timeout_ms. */
void cluster_handover(struct cluster *c, unsigned timeout_ms);
void cluster_stop(struct cluster *c); /* NULL is a no-op */

/* Whether the member id at address may take leadership from this node
 * (node/ asks its health). Called on the manager's thread; may block for
 * a short, bounded time. */
typedef bool (*cluster_may_lead_fn)(void *arg, uint64_t id, const char *address);
/* While yes, this node should not lead (its data disk is nearly full):
 * in each round in which it leads, at most every CLUSTER_SHED_EVERY_MS,
 * the manager transfers leadership to an up voter that may_lead accepts
 * (NULL: any up voter). A round that finds none logs it once per request
 * and tries again later. arg must stay valid while yes. Any thread. */
#define CLUSTER_SHED_EVERY_MS 3000
void cluster_avoid_leading(struct cluster *c, bool yes, cluster_may_lead_fn may_lead, void *arg);

/* The lifetime of the node certificates this node signs. */
unsigned cluster_cert_lifetime(const struct cluster *c);
/* The picture as of the last round (no network). */
void cluster_status(struct cluster *c, struct cluster_status *out);
/* This node leads, as of the last round (at most one probe interval old). */
bool cluster_is_leader(struct cluster *c);
/* This node has known no leader for a while (the store's leaderless_ms):
 * it is cut off from the majority, or no majority is up. */
bool cluster_is_cut_off(struct cluster *c);
/* The leader's id (0 if none known) and address: Raft's view on this
 * node (cluster_leader_address()'s), consistent with each other. */
uint64_t cluster_leader(struct cluster *c, char *out, size_t out_len);
/* The leader's address ("" if none known); out_len >= CLUSTER_ADDRESS_MAX. */
void cluster_leader_address(struct cluster *c, char *out, size_t out_len);
/* Ask for a round now (after a node joined or left). */
void cluster_poke(struct cluster *c);
/* Take a member out: demote it to spare, then remove it (on the leader,
 * through the pool). Its certificate stops being a peer here as this
 * returns, and on the other members at their next round (the probe
 * interval). CR_ENOTFOUND if no such member; CR_EINVAL for this node
 * itself (stop it and remove it from another node). */
int cluster_remove(struct cluster *c, uint64_t id, struct cr_err *err);

const char *cluster_role_name(enum storage_role role);

#endif
