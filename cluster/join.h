/* cluster/join.h: join tokens and the admission of a new node.
 *
 * A token is one line an operator copies from a member to the new node:
 *
 *   creek-join-1/<CA fingerprint>/<token id>/<secret>/<addr>[,<addr>...]
 *
 * The fingerprint lets the new node check it talks to this cluster before
 * it sends the secret; the addresses are members' cluster ports. The
 * cluster keeps only the secret's SHA-256, with an expiry; a token admits
 * one node. Admission (for a client without a certificate, on the member
 * that holds the CA key: the node where the cluster was created) checks
 * the secret, signs the certificate request the new node sent (its key
 * never leaves it, and the CA's key is never sent), hands it the CA's
 * certificate, and adds it to the store's configuration as a spare; the
 * leader then gives it a role. A member without the CA key refuses with
 * CR_EUNAVAIL and `creekctl join` tries the token's next address. */
#ifndef CREEK_CLUSTER_JOIN_H
#define CREEK_CLUSTER_JOIN_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/err.h"
#include "../storage/store.h"
#include "cluster.h"

#define CLUSTER_TOKEN_PREFIX  "creek-join-1"
#define CLUSTER_TOKEN_MAX     1400
#define CLUSTER_TOKEN_TTL_MAX 604800u /* 7 days */

struct cluster_token {
	char fingerprint[CLUSTER_TLS_FINGERPRINT_LEN + 1];
	char id[17];
	char secret[33];
	char addresses[CLUSTER_MAX_NODES][CLUSTER_ADDRESS_MAX];
	unsigned n_addresses;
};

/* Create a token valid for ttl_s seconds (1 to CLUSTER_TOKEN_TTL_MAX). */
int cluster_token_create(struct storage_store *store, struct cluster *c, const char *files_dir,
			 unsigned ttl_s, char *out, size_t out_len, int64_t *expires_us,
			 struct cr_err *err);
/* Parse a token's text (CR_EINVAL with what is wrong). */
int cluster_token_parse(const char *text, struct cluster_token *out, struct cr_err *err);

/* What a joining node sends (all borrowed). */
struct cluster_join_request {
	const char *token_id;
	const char *secret;
	const char *address; /* a.b.c.d:port */
	unsigned failure_domain;
	const char *csr_pem; /* cluster_csr_new()'s request */
};

struct cluster_admission {
	uint64_t id;
	char *ca_crt;   /* PEM, owned (free()) */
	char *node_crt; /* PEM, owned: the request's key, signed by the CA */
	char addresses[CLUSTER_MAX_NODES][CLUSTER_ADDRESS_MAX]; /* members */
	unsigned n_addresses;
};

/* Admit a node: sign its request and add it. CR_EDENIED: the token is
 * unknown, wrong, expired or used; CR_EINVAL: a bad address or request;
 * CR_EUNAVAIL: this node holds no CA key; CR_ECONFLICT: the address
 * belongs to a member. Nothing changed on any of these. */
int cluster_admit(struct storage_store *store, struct cluster *c, const char *files_dir,
		  const struct cluster_join_request *jr, struct cluster_admission *out,
		  struct cr_err *err);
void cluster_admission_free(struct cluster_admission *a);

/* This node's row in cluster_node (address, failure domain, version, and
 * the serial of the certificate it holds: see cluster_admit()). */
int cluster_node_record(struct storage_store *store, uint64_t id, const char *address,
			unsigned failure_domain, const char *cert_serial, struct cr_err *err);

#endif
