/* cluster/tls.h: the cluster's certificate authority, node certificates,
 * and the OpenSSL contexts for mutual TLS between nodes.
 *
 * Files, all PEM, keys 0600:
 *   ca.crt ca.key        the cluster CA (ca.key only on nodes that may issue)
 *   node.crt node.key    this node, signed by the CA, SAN = its IP address
 * A connection is accepted only if the peer presents a certificate signed by
 * the cluster CA (both directions). Keys are EC P-256; TLS 1.2 or newer.
 * Not tied to a thread; contexts are shared read-only once made. */
#ifndef CREEK_CLUSTER_TLS_H
#define CREEK_CLUSTER_TLS_H

#include <stddef.h>

#include "../lib/err.h"

#define CLUSTER_TLS_FINGERPRINT_LEN 64 /* hex SHA-256 of the CA certificate */

struct cluster_tls;

/* Create a new CA in dir (created 0700 if missing). CR_ECONFLICT if dir
 * already holds one: a CA is never overwritten. */
int cluster_ca_create(const char *dir, const char *cluster_name, struct cr_err *err);

/* Issue node.crt/node.key into out_dir for node_name at ip (an IPv4 or
 * IPv6 literal), signed by the CA in ca_dir, and copy ca.crt beside them. */
int cluster_cert_issue(const char *ca_dir, const char *node_name, const char *ip,
		       const char *out_dir, struct cr_err *err);

/* The CA's fingerprint (join tokens carry it); out_len > 64. */
int cluster_ca_fingerprint(const char *dir, char *out, size_t out_len, struct cr_err *err);

/* Load ca.crt, node.crt and node.key from dir into server and client
 * contexts that require and verify the peer's certificate. */
int cluster_tls_new(const char *dir, struct cluster_tls **out, struct cr_err *err);
void cluster_tls_free(struct cluster_tls *t); /* NULL is a no-op */

/* Borrowed SSL_CTX pointers (as void * so that callers need no OpenSSL). */
void *cluster_tls_server_ctx(struct cluster_tls *t);
void *cluster_tls_client_ctx(struct cluster_tls *t);

#endif
