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
	{ 2, "cluster members, join tokens, scheduled jobs, health samples, write checks",
	  "CREATE TABLE cluster_node ("
	  " node_id TEXT PRIMARY KEY,"
	  " address TEXT NOT NULL,"
	  " failure_domain INTEGER NOT NULL DEFAULT 0,"
	  " creek_version TEXT NOT NULL DEFAULT '',"
	  " updated_us INTEGER NOT NULL);"
	  "CREATE TABLE cluster_token ("
	  " id TEXT PRIMARY KEY,"
	  " secret_sha256 TEXT NOT NULL,"
	  " created_us INTEGER NOT NULL,"
	  " expires_us INTEGER NOT NULL,"
	  " used_us INTEGER,"
	  " used_by TEXT);"
	  "CREATE TABLE job ("
	  " id INTEGER PRIMARY KEY,"
	  " kind TEXT NOT NULL,"
	  " payload TEXT NOT NULL DEFAULT '{}',"
	  " unique_key TEXT UNIQUE,"
	  " state TEXT NOT NULL DEFAULT 'pending',"
	  " due_us INTEGER NOT NULL,"
	  " period_us INTEGER NOT NULL DEFAULT 0,"
	  " runs INTEGER NOT NULL DEFAULT 0,"
	  " failures INTEGER NOT NULL DEFAULT 0,"
	  " last_error TEXT,"
	  " last_run_us INTEGER,"
	  " last_node TEXT,"
	  " created_us INTEGER NOT NULL);"
	  "CREATE INDEX job_due ON job (state, due_us);"
	  "CREATE TABLE node_health_sample ("
	  " id INTEGER PRIMARY KEY,"
	  " node_id TEXT NOT NULL,"
	  " at_us INTEGER NOT NULL,"
	  " reachable INTEGER NOT NULL,"
	  " latency_us INTEGER);"
	  "CREATE INDEX node_health_sample_at ON node_health_sample (at_us);"
	  "CREATE TABLE write_check ("
	  " id INTEGER PRIMARY KEY,"
	  " tag TEXT NOT NULL,"
	  " request_id TEXT,"
	  " node_id TEXT NOT NULL,"
	  " created_us INTEGER NOT NULL);"
	  "CREATE INDEX write_check_tag ON write_check (tag, id);"
	  "CREATE INDEX write_check_created ON write_check (created_us);" },
};

const unsigned storage_n_system_migrations =
    sizeof(storage_system_migrations) / sizeof(storage_system_migrations[0]);
