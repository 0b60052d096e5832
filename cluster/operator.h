/* cluster/operator.h: a node's operator, as the leader checks it.
 *
 * The operator of a node (creekctl on it, root or the creek account) proves
 * itself with the token creekd writes to <data>/operator.token at each
 * start. A write the operator asks of a node that does not lead runs on
 * the leader's creekd (web/forward.c), which cannot read that file: the
 * forwarding node passes the token on as the operator sent it, and the
 * leader checks it here against the SHA-256 each member registered at its
 * start (setting 'operator-token-sha256:<node id>' in the system
 * database), and only while that node is a member. No header between
 * nodes grants operator power by itself; a peer's certificate is no
 * operator's token. Any thread may call. */
#ifndef CREEK_CLUSTER_OPERATOR_H
#define CREEK_CLUSTER_OPERATOR_H

#include <stdint.h>

#include "../lib/err.h"
#include "../storage/store.h"
#include "cluster.h"

#define CLUSTER_OPERATOR_TOKEN_MAX 128 /* bytes of a token that may match */

/* Record the SHA-256 of node_id's current operator token (replacing the
 * one of its previous start). A write; CR_EUNAVAIL without a leader. */
int cluster_operator_register(struct storage_store *store, uint64_t node_id, const char *token,
			      struct cr_err *err);

/* Whose operator token is token: *node_id, a current member (as c last saw
 * the members). CR_EDENIED: no member's (a removed node's included);
 * CR_EUNAVAIL: the store did not answer. */
int cluster_operator_check(struct storage_store *store, struct cluster *c, const char *token,
			   uint64_t *node_id, struct cr_err *err);

#endif
