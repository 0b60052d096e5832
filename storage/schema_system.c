/* storage/schema_system.c: storage's own part of the `system` database's
 * migrations: the node start log and settings. The other owners of the
 * system database (cluster, core/identity) keep theirs in their own
 * schema.c; node/schema.c lists them all (storage/migrate.h).
 *
 * Rules for every migration here: append only (never edit a released one),
 * times as INTEGER microseconds since the epoch (*_us), booleans as INTEGER,
 * node ids as TEXT (they are unsigned 64-bit). */
#include "migrate.h"

static const struct storage_migration list[] = {
	{ 1, "node start log and settings",
	  "CREATE TABLE node_start ("
	  " id INTEGER PRIMARY KEY,"
	  " node_id TEXT NOT NULL,"
	  " address TEXT NOT NULL,"
	  " creek_version TEXT NOT NULL,"
	  " started_us INTEGER NOT NULL);"
	  "CREATE INDEX node_start_node ON node_start (node_id, started_us);"
	  "CREATE TABLE setting ("
	  " key TEXT PRIMARY KEY,"
	  " value TEXT NOT NULL,"
	  " updated_us INTEGER NOT NULL);",
	  false },
};

const struct storage_migrations storage_system_migrations = { "storage", list,
							      sizeof(list) / sizeof(list[0]) };
