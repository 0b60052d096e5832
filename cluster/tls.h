/* cluster/tls.h: the cluster's certificate authority, node certificates,
 * and the OpenSSL contexts for mutual TLS between nodes.
 *
 * Files, all PEM, keys 0600:
 *   ca.crt ca.key        the cluster CA; ca.key only on the node where the
 *                        cluster was created (and in the operator's backup):
 *                        a joining node sends a certificate request and never
 *                        receives the CA's key
 *   node.crt node.key    this node, signed by the CA, CN = node-<id>, SAN = its
 *                        IP address; node.key never leaves the node. Short-
 *                        lived (cluster-cert-lifetime, 30 days by default):
 *                        renewed with a new key when a third of it is left
 *                        (cluster/renew.c)
 *   https.crt https.key  what HTTPS serves: installed by the operator, else
 *                        made on the node, self-signed, for a key of its own
 *                        (the cluster key never serves HTTPS)
 * A connection is accepted only if the peer presents a certificate signed by
 * the cluster CA (both directions); one that has expired only while it is a
 * member's current one (cluster_tls_set_peers()). Keys are EC P-256; TLS 1.2
 * or newer. Not tied to a thread. */
#ifndef CREEK_CLUSTER_TLS_H
#define CREEK_CLUSTER_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/err.h"

#define CLUSTER_TLS_FINGERPRINT_LEN 64   /* hex SHA-256 of the CA certificate */
#define CLUSTER_CSR_MAX             4096 /* bytes of a PEM certificate request */
#define CLUSTER_SERIAL_MAX          48   /* a serial in hex (at most 20 octets), NUL */
#define CLUSTER_TLS_MAX_PEERS       16   /* CLUSTER_MAX_NODES */

/* A member and the serials of the certificates it may hold: the current
 * one ("": not known yet, any of the CA's for that node) and, while it
 * renews, the next one ("": none). */
struct cluster_peer {
	uint64_t id;
	char serial[CLUSTER_SERIAL_MAX];
	char next_serial[CLUSTER_SERIAL_MAX];
};
/* Whether a certificate with this serial is one peer may hold. */
bool cluster_peer_holds(const struct cluster_peer *peer, const char *serial);

struct cluster_tls;

/* Create a new CA in dir (created 0700 if missing). CR_ECONFLICT if dir
 * already holds one: a CA is never overwritten. */
int cluster_ca_create(const char *dir, const char *cluster_name, struct cr_err *err);

/* Issue node.crt/node.key into out_dir for node_name at ip (an IPv4 or
 * IPv6 literal), valid for lifetime_s, signed by the CA in ca_dir, and copy
 * ca.crt beside them. CR_EUNAVAIL: ca_dir holds no CA key. */
int cluster_cert_issue(const char *ca_dir, const char *node_name, const char *ip,
		       const char *out_dir, unsigned lifetime_s, struct cr_err *err);

/* Unless dir holds https.crt: a new key and a self-signed certificate
 * for it, for ip, written as https.key (0600) and https.crt. The node's
 * cluster key is never used, so that HTTPS, which faces users, exposes
 * nothing that opens the cluster port. */
int cluster_https_cert_make(const char *dir, const char *ip, struct cr_err *err);

/* ca_dir holds the CA's key: this node can sign certificates. */
bool cluster_ca_can_sign(const char *ca_dir);

/* A new EC P-256 key and a certificate request for it, both PEM, both
 * new (the caller frees them, and cleanses *key_pem first). */
int cluster_csr_new(char **key_pem, char **csr_pem, struct cr_err *err);

/* Sign a joining or renewing node's request: a certificate for node_name
 * at ip for the request's key, valid for lifetime_s, with the CA's own
 * subject and extensions (only the key is taken from the request, after
 * checking its signature).
 * *crt_pem is new (free()). CR_EINVAL: not a PEM EC request signed by its
 * key, or over CLUSTER_CSR_MAX; CR_EUNAVAIL: ca_dir holds no CA key. */
int cluster_csr_sign(const char *ca_dir, const char *csr_pem, const char *node_name, const char *ip,
		     unsigned lifetime_s, char **crt_pem, struct cr_err *err);

/* A certificate's serial number as upper-case hex ("" if none or over
 * CLUSTER_SERIAL_MAX): what the cluster_node table records for a member,
 * and what the proxy compares a peer's certificate with. x509 is an X509 *
 * (void * so that callers need no OpenSSL). */
void cluster_cert_serial(const void *x509, char out[CLUSTER_SERIAL_MAX]);
/* The same of the first certificate in a PEM text; CR_EINVAL if none. */
int cluster_cert_serial_pem(const char *crt_pem, char out[CLUSTER_SERIAL_MAX], struct cr_err *err);

/* The node id a certificate names (CN "node-<id>", set by the CA); 0 for
 * any other name. x509 is an X509 *. */
uint64_t cluster_cert_node_id(const void *x509);
/* A PEM certificate's validity, in seconds since the epoch. */
int cluster_cert_times_pem(const char *crt_pem, int64_t *not_before_s, int64_t *not_after_s,
			   struct cr_err *err);
/* Whether the PEM certificate is for the PEM private key. */
bool cluster_cert_matches_key(const char *crt_pem, const char *key_pem);

/* The CA's fingerprint (join tokens carry it); out_len > 64. */
int cluster_ca_fingerprint(const char *dir, char *out, size_t out_len, struct cr_err *err);

/* Load ca.crt, node.crt and node.key from dir into server and client
 * contexts that require and verify the peer's certificate. */
int cluster_tls_new(const char *dir, struct cluster_tls **out, struct cr_err *err);
void cluster_tls_free(struct cluster_tls *t); /* NULL is a no-op */
/* Load dir's files again (after a renewal): connections made from now on
 * use them, those open keep theirs. On failure nothing changed. */
int cluster_tls_reload(struct cluster_tls *t, const char *dir, struct cr_err *err);
/* A new SSL * (as void *) of the server or client context; NULL if none. */
void *cluster_tls_ssl_new(struct cluster_tls *t, bool is_server);
/* The members: whose expired certificate is still accepted (copied). */
void cluster_tls_set_peers(struct cluster_tls *t, const struct cluster_peer *peers, unsigned n);

#endif
