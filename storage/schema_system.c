/* storage/schema_system.c: migrations of the `system` database.
 *
 * Rules for every migration here: append only (never edit a released one),
 * times as INTEGER microseconds since the epoch (*_us), booleans as INTEGER,
 * node ids as TEXT (they are unsigned 64-bit). */
#include "migrate.h"

const struct storage_migration storage_system_migrations[] = {
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
	  " updated_us INTEGER NOT NULL);" },
};

const unsigned storage_n_system_migrations =
    sizeof(storage_system_migrations) / sizeof(storage_system_migrations[0]);
