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
 * One thread per spliced connection (a cluster has a handful of peers).
 * Any thread may call; cluster_proxy_stop() waits for its threads. */
#ifndef CREEK_CLUSTER_PROXY_H
#define CREEK_CLUSTER_PROXY_H

#include "../lib/err.h"
#include "tls.h"

#define CLUSTER_HANDSHAKE_TIMEOUT_MS 5000

struct cluster_proxy;

/* Listen on listen_address ("a.b.c.d:port") and splice each verified
 * connection to target ("a.b.c.d:port" or "@abstract"). tls is borrowed
 * and must outlive the proxy. */
int cluster_proxy_start(struct cluster_tls *tls, const char *listen_address, const char *target,
			struct cluster_proxy **out, struct cr_err *err);
void cluster_proxy_stop(struct cluster_proxy *p); /* NULL is a no-op */

/* Dial address over mutual TLS within timeout_ms. *fd_out is a local socket
 * that carries the connection's plain bytes; the caller closes it. The
 * splice thread ends when either side closes. tls must outlive it. */
int cluster_dial(struct cluster_tls *tls, const char *address, unsigned timeout_ms, int *fd_out,
		 struct cr_err *err);

#endif
