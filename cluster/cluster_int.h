/* cluster/cluster_int.h: what the files of cluster/ share and nothing else
 * includes. */
#ifndef CREEK_CLUSTER_CLUSTER_INT_H
#define CREEK_CLUSTER_CLUSTER_INT_H

#include "cluster.h"

/* files.c: rewrite <cluster_dir>/members from the manager's picture. */
int cluster_files_write_members(const char *cluster_dir, const struct cluster_status *st,
				struct cr_err *err);

#endif
