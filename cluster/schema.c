/* cluster/schema.c: cluster's tables in the `system` database: members,
 * join tokens, scheduled jobs, health samples and write checks. Version 2
 * of the system database (moved here from storage/schema_system.c, SQL
 * unchanged); node/schema.c registers it with storage (storage/migrate.h).
 *
 * Rules for every migration here: append only (never edit a released one),
 * times as INTEGER microseconds since the epoch (*_us), booleans as INTEGER,
 * node ids as TEXT (they are unsigned 64-bit). */
#include "cluster.h"

#include "../storage/migrate.h"

static const struct storage_migration list[] = {
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
	  "CREATE INDEX write_check_created ON write_check (created_us);",
	  false },
	{ 6, "the serial of each member's current certificate",
	  "ALTER TABLE cluster_node ADD COLUMN cert_serial TEXT;", false },
	{ 7, "short-lived certificates: each member's next serial and its renewal request",
	  "ALTER TABLE cluster_node ADD COLUMN next_serial TEXT;"
	  "CREATE TABLE cluster_cert_renewal ("
	  " node_id TEXT PRIMARY KEY,"
	  " csr TEXT NOT NULL,"
	  " requested_us INTEGER NOT NULL,"
	  " crt TEXT,"
	  " signed_us INTEGER);",
	  false },
	{ 8, "each member's data disk below its reserve: the leader makes it a spare",
	  "ALTER TABLE cluster_node ADD COLUMN disk_low INTEGER NOT NULL DEFAULT 0;", false },
};

const struct storage_migrations cluster_system_migrations = { "cluster", list,
							      sizeof(list) / sizeof(list[0]) };
