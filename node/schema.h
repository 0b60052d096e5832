/* node/schema.h: which engine owns which tables. Each kind of database
 * (the system database, every workspace's) gets its owners' migration
 * lists, merged and applied by storage (storage/migrate.h). Read-only
 * tables: any thread. */
#ifndef CREEK_NODE_SCHEMA_H
#define CREEK_NODE_SCHEMA_H

#include "../storage/migrate.h"

/* storage, cluster, core/identity. */
extern const struct storage_schema node_system_schema;
/* core/identity, core/forms. */
extern const struct storage_schema node_workspace_schema;

#endif
