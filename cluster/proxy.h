/* cluster/proxy.h: node-to-node traffic over mutual TLS.
 *
 * The embedded dqlite node listens on a Linux abstract socket that only
 * this process can reach ("@creek-db-<id>"); the proxy owns the public
 * cluster port. Each connection there must complete a TLS handshake with a
 * certificate of the cluster CA, then it is spliced byte for byte to the
 * target socket. Outgoing, cluster_dial() makes the TLS connection and
 * hands back one end of a socketpair whose other end a thread splices to
 * it: what dqlite's connect function must return is a plain fd
 * (../shared/notes/dqlite.md §5.8).
 *
 *   peer --TLS--> [proxy listener] --plain--> @creek-db-<id> (dqlite)
 *   dqlite --socketpair--> [cluster_dial thread] --TLS--> peer's proxy
 *
 * The same port carries Creek's own node-to-node HTTP requests (forwarded
 * writes, joins): the first byte after the handshake tells them apart.
 *
 * A certificate of the cluster CA is not enough: a peer is let in only
 * while the node its certificate names (CN "node-<id>", set by the CA) is a
 * member and the certificate's serial is one recorded for that member
 * (the CA issued it at the node's join or last renewal:
 * cluster_node.cert_serial, and next_serial while it renews), and its
 * connections are cut as soon as it is not (cluster_proxy_set_members();
 * the manager calls it with every new member list or serial, and
 * cluster_remove() at once). Node ids are random and never given twice, so
 * a removed node's certificate stays refused, and an older certificate of
 * a member (before a re-issue) is refused too. A client without
 * any certificate (a joining node) reaches the joining endpoints only.
 * One thread per spliced connection (a cluster has a handful of peers).
 * Any thread may call; cluster_proxy_stop() waits for its threads. */
#ifndef CREEK_CLUSTER_PROXY_H
#define CREEK_CLUSTER_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/err.h"
#include "tls.h"

#define CLUSTER_HANDSHAKE_TIMEOUT_MS 5000
/* Connections that have not shown a cluster certificate (in their
 * handshake, or a joining node's after it): at most this many in all, and
 * CLUSTER_MAX_UNVERIFIED_PER_ADDRESS from one address; more are closed as
 * they are accepted, so that stalled handshakes can neither take a thread
 * each without end nor crowd out the peers of other addresses. */
#define CLUSTER_MAX_UNVERIFIED             64
#define CLUSTER_MAX_UNVERIFIED_PER_ADDRESS 8

struct cluster_proxy;

/* Creek's own requests on the cluster port: fd is a local socket carrying
 * the connection's plain bytes (the callee owns it). peer_verified: the
 * peer showed a certificate of the cluster CA; false only for a client
 * without any certificate (a node that is joining). Runs on the proxy's
 * thread for that connection before any byte moves: it must not block. */
typedef void (*cluster_http_fn)(void *arg, int fd, bool peer_verified);

#define CLUSTER_PROXY_MAX_MEMBERS 16 /* CLUSTER_MAX_NODES */

struct cluster_proxy_config {
	const char *listen_address; /* "a.b.c.d:port" */
	/* Where dqlite traffic goes ("a.b.c.d:port" or "@abstract"): a
	 * connection whose first byte is not an ASCII capital letter (dqlite
	 * starts with a binary protocol version, HTTP with a method name). */
	const char *db_target;
	cluster_http_fn http; /* NULL: HTTP is refused */
	void *http_arg;
	/* The members until the manager knows better (this node and those of
	 * its `members` file); borrowed, copied. NULL: any certificate of the
	 * CA is a peer (tests of the proxy alone). */
	const uint64_t *members;
	unsigned n_members;
};

/* Listen and route each connection after its handshake: dqlite traffic
 * (verified peers only) to db_target, HTTP to cfg->http. tls is borrowed
 * and must outlive the proxy. */
int cluster_proxy_start(struct cluster_tls *tls, const struct cluster_proxy_config *cfg,
			struct cluster_proxy **out, struct cr_err *err);
void cluster_proxy_stop(struct cluster_proxy *p); /* NULL is a no-op */

/* From now on, peers are members[0..n), each with a certificate whose
 * serial (cluster_cert_serial()) is one its entry holds
 * (cluster_peer_holds()); copied, and told the TLS contexts too (which of
 * them may have expired). A verified connection of any other node or
 * certificate is refused, and those open are cut. */
void cluster_proxy_set_members(struct cluster_proxy *p, const struct cluster_peer *members,
			       unsigned n);

/* Dial address over mutual TLS within timeout_ms. *fd_out is a local socket
 * that carries the connection's plain bytes; the caller closes it. The
 * splice thread ends when either side closes. tls must outlive it. */
int cluster_dial(struct cluster_tls *tls, const char *address, unsigned timeout_ms, int *fd_out,
		 struct cr_err *err);

/* Bound what each cluster connection (raft's replication to one peer, a
 * store client's answers, forwarded HTTP) sends, in bytes a second: a
 * leader streaming to a lagging follower cannot take more than this of
 * the link or of a core. 0: no bound. Process-wide; takes effect at once
 * on open connections too. */
void cluster_set_peer_bandwidth(uint64_t bytes_per_s);

/* A cluster connection whose sent bytes stay unacknowledged for ms (at
 * least 500) is dropped by the kernel (TCP_USER_TIMEOUT), so raft dials a
 * fresh one instead of waiting out TCP's retransmission backoff after a
 * network cut. For connections made from now on. Default 30 s; creekd
 * sets twice the election timeout. */
void cluster_set_peer_timeout(unsigned ms);

/* Wait up to timeout_ms for the splice threads of dialled connections
 * whose local end was closed to finish; true if none is left. Call before
 * freeing the TLS contexts at exit. */
bool cluster_dial_drain(unsigned timeout_ms);

#endif
