/* cluster/cluster_int.h: what the files of cluster/ share and nothing else
 * includes. */
#ifndef CREEK_CLUSTER_CLUSTER_INT_H
#define CREEK_CLUSTER_CLUSTER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../storage/files.h"
#include "cluster.h"
#include "file_sync.h"
#include "forward.h"
#include "tls.h"

/* forward.c: parse the head of a peer's HTTP answer, buf[0..head_len)
 * (the status line and headers through the blank line; buf is
 * NUL-terminated after it): status, Content-Type, Set-Cookie and
 * Retry-After into resp, the body's length, and whether the connection
 * may be kept. -1 for a head that is not HTTP or lacks a length its
 * status needs. Exposed for tests/fuzz/fuzz_peer_head.c. */
int cluster_http_parse_head(const char *buf, size_t head_len, struct cluster_http_response *resp,
			    size_t *content_length, bool *keep_alive);

/* renew.c: short-lived node certificates (renew.c's comment tells the
 * steps). The manager owns one and runs a step every few seconds. */
struct cluster_renewal {
	const char *files_dir;
	struct storage_store *store;
	struct cluster_tls *tls; /* NULL: cluster TLS off, nothing to renew */
	uint64_t self_id;
	unsigned lifetime_s; /* of the certificates this node signs */
	/* This node's serials, as peers must accept them: node.crt's, and
	 * the one before while a renewal is being installed (else ""). */
	char serial[CLUSTER_SERIAL_MAX];
	char next_serial[CLUSTER_SERIAL_MAX];
	uint64_t warned_ms; /* monotonic; 0: never */
};
/* Sign members' pending requests (on the node that holds the CA key),
 * then request, or install, this node's own renewal when due. Whether
 * this node's serials changed (tell the peers list). Manager thread. */
bool cluster_renew_step(struct cluster_renewal *r);

/* shed.c: transfer this node's leadership to the first up voter of st
 * (other than itself) that may_lead accepts (NULL: any), through a
 * connection of its own to this node's store. *to_out: the voter.
 * CR_EUNAVAIL if none may, else storage_conn_transfer()'s errors. */
int cluster_shed_leadership(struct cluster_dialer *dialer, const char *self_address,
			    const struct cluster_status *st, cluster_may_lead_fn may_lead,
			    void *arg, uint64_t *to_out, struct cr_err *err);

/* files.c: whether dir/name exists; replace dir/name atomically with
 * text (mode before the umask; the error names the path). */
bool cluster_file_exists(const char *dir, const char *name);
int cluster_file_write(const char *dir, const char *name, const char *text, mode_t mode,
		       struct cr_err *err);

/* files.c: rewrite <cluster_dir>/members from the manager's picture. */
int cluster_files_write_members(const char *cluster_dir, const struct cluster_status *st,
				struct cr_err *err);

/* ---- file_sync.c and file_repair.c: copies of the file store ---- */

struct cluster_file_sync {
	struct cluster_file_sync_config cfg;
	struct cluster *cluster;
	struct storage_files *files;
	struct cluster_forwarder *forwarder; /* owned; bodies up to max_file + slack */
	pthread_t thread;
	pthread_mutex_t lock; /* guards poked; stopping is set under it, read atomically */
	pthread_cond_t wake;
	bool stopping;
	bool poked;
};

/* Another member, as the manager last saw it. */
struct cluster_file_peer {
	char address[CLUSTER_ADDRESS_MAX];
	bool reachable;
};

/* The other members, reachable ones first; *n_members counts this node too
 * (at least 1). */
unsigned cluster_file_peers(struct cluster_file_sync *s, struct cluster_file_peer *out,
			    unsigned *n_members);
/* GET ws/sha from the member at address, check and store it here; the
 * bytes into *out (a new buffer) when out is not NULL. CR_ENOTFOUND: it
 * lacks the file; CR_EUNAVAIL: no answer; CR_EINVAL: wrong bytes. */
int cluster_file_get_from(struct cluster_file_sync *s, const char *address, const char *ws,
			  const char *sha, struct cr_buf *out, struct cr_err *err);
bool cluster_file_sync_stopping(struct cluster_file_sync *s);
/* For cluster_http_request.keep_waiting (arg: the sync): false once stopping. */
bool cluster_file_sync_keep_waiting(void *s);
/* One repair round against every reachable member (the repair thread). */
void cluster_file_repair_round(struct cluster_file_sync *s);

/* ---- roles.c ---- */

/* What the role planner knows of a member. */
struct cluster_role_member {
	uint64_t id;
	enum storage_role role;
	unsigned failure_domain;
	bool is_up;     /* answered within cluster-offline-after (this node: always) */
	bool reachable; /* answered the last probe */
	bool disk_low;  /* its data disk is below its reserve */
};

/* Voters a cluster of n members should have: 1 below 3, 3, 5 from 7. */
unsigned cluster_voters_wanted(unsigned n);
/* The one role change the leader (self_id) should make next, if any:
 * true with the member's id and its new role. In order: a member whose
 * disk is low leaves the voters or standbys (a fit spare or standby is
 * promoted first when voters would fall short); fewer up voters than
 * wanted promotes a standby, else a spare, preferring a failure domain no
 * voter holds; more demotes one (never self_id); voters crowding a domain
 * while another has an up node move there; down voters become spares
 * once enough are up; then the same for standbys (standbys_wanted). */
bool cluster_plan_role(const struct cluster_role_member *members, unsigned n, uint64_t self_id,
		       unsigned standbys_wanted, uint64_t *id, enum storage_role *role);

#endif
