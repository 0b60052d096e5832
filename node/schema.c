/* node/schema.c: see schema.h. The order of the owners is the order in
 * which their parts of a shared version run (storage/migrate.h); a new
 * owner goes at the end of its kind's list. */
#include "schema.h"

#include "../cluster/cluster.h"
#include "../core/forms/forms.h"
#include "../core/identity/identity.h"

static const struct storage_migrations *const system_owners[] = {
	&storage_system_migrations,
	&cluster_system_migrations,
	&id_system_migrations,
};

const struct storage_schema node_system_schema = {
	"system", system_owners, sizeof(system_owners) / sizeof(system_owners[0])
};

static const struct storage_migrations *const workspace_owners[] = {
	&id_workspace_migrations,
	&fm_workspace_migrations,
};

const struct storage_schema node_workspace_schema = {
	"workspace", workspace_owners, sizeof(workspace_owners) / sizeof(workspace_owners[0])
};
