/* cluster/join.h: join tokens and the admission of a new node.
 *
 * A token is one line an operator copies from a member to the new node:
 *
 *   creek-join-1/<CA fingerprint>/<token id>/<secret>/<addr>[,<addr>...]
 *
 * The fingerprint lets the new node check it talks to this cluster before
 * it sends the secret; the addresses are members' cluster ports. The
 * cluster keeps only the secret's SHA-256, with an expiry; a token admits
 * one node. Admission (on any member, for a client without a certificate)
 * checks the secret, issues the new node's certificate, hands it the CA,
 * and adds it to the store's configuration as a spare; the leader then
 * gives it a role. */
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

struct cluster_admission {
	uint64_t id;
	char *ca_crt; /* PEM, owned (free()) */
	char *ca_key;
	char *node_crt;
	char *node_key;
	char addresses[CLUSTER_MAX_NODES][CLUSTER_ADDRESS_MAX]; /* members */
	unsigned n_addresses;
};

/* Admit a node at address (a.b.c.d:port) with a token's id and secret.
 * CR_EDENIED: the token is unknown, wrong, expired or used (nothing
 * changed); CR_ECONFLICT: the address belongs to a member. */
int cluster_admit(struct storage_store *store, struct cluster *c, const char *files_dir,
		  const char *token_id, const char *secret, const char *address,
		  unsigned failure_domain, struct cluster_admission *out, struct cr_err *err);
void cluster_admission_free(struct cluster_admission *a);

/* This node's row in cluster_node (address, failure domain, version). */
int cluster_node_record(struct storage_store *store, uint64_t id, const char *address,
			unsigned failure_domain, struct cr_err *err);

#endif
