/* node/node.h: one running Creek node, wired together.
 *
 * Start order: data dir (locked, so two creekd cannot share it) -> store
 * engine -> store client -> system migrations -> start record -> HTTP.
 * Stop runs the reverse. Main thread only. */
#ifndef CREEK_NODE_NODE_H
#define CREEK_NODE_NODE_H

#include "../lib/err.h"
#include "config.h"

struct node;

int node_start(const struct node_config *cfg, struct node **out, struct cr_err *err);
/* One line for systemd's STATUS= (leader, store reachable). */
void node_status_line(struct node *n, char *out, size_t out_len);
/* Measure the data disk's free space (disk-reserve) and act on a change:
 * log it once, refuse or resume writes, hand leadership away. About once
 * a second, main thread. */
void node_disk_tick(struct node *n);
/* Before a graceful stop (SIGTERM): hand leadership and this node's voter
 * role to other nodes, so that writes continue without an election. */
void node_handover(struct node *n);
void node_stop(struct node *n); /* NULL is a no-op */

#endif
