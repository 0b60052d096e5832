/* cluster/shed.c: a leader that should not lead (its data disk is nearly
 * full) gives leadership to a voter that may take it; see
 * cluster_avoid_leading() in cluster.h. Manager thread. */
#define LOG_MODULE "cluster"
#include "cluster_int.h"

#include <inttypes.h>

#include "../lib/log.h"

#define SHED_CONN_TIMEOUT_MS 1000

int cluster_shed_leadership(struct cluster_dialer *dialer, const char *self_address,
			    const struct cluster_status *st, cluster_may_lead_fn may_lead,
			    void *arg, uint64_t *to_out, struct cr_err *err)
{
	struct storage_conn *conn = NULL;
	uint64_t to = 0;
	int rc;

	for (unsigned i = 0; i < st->n_nodes && to == 0; i++) {
		const struct cluster_node_status *m = &st->nodes[i];
		if (m->id == st->self_id || !m->reachable || m->role != STORAGE_ROLE_VOTER)
			continue;
		if (may_lead == NULL || may_lead(arg, m->id, m->address))
			to = m->id;
	}
	if (to == 0)
		return cr_err_set(err, CR_EUNAVAIL,
				  "no other voter answers and has room on its data disk");
	rc = storage_conn_open_with(cluster_dialer_dial, dialer, self_address, SHED_CONN_TIMEOUT_MS,
				    &conn, err);
	if (rc == 0)
		rc = storage_conn_transfer(conn, to, err);
	storage_conn_free(conn);
	if (rc < 0)
		return cr_err_wrap(err, "leadership to node %" PRIu64, to);
	*to_out = to;
	return 0;
}
