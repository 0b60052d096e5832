/* storage/migrate.h: numbered, forward-only schema migrations.
 *
 * A database records the migrations applied to it in schema_version. Each
 * migration runs in its own transaction through the database's writer,
 * together with its schema_version row, so it applies once and whole, even
 * if two nodes start at the same moment. A database whose version is newer
 * than the newest migration this build knows is refused (CR_ECONFLICT): an
 * older creekd must not write to a schema it does not understand.
 *
 * Migration SQL must keep within what dqlite tolerates (notes §6.1): no
 * DATETIME/DATE/TIMESTAMP/BOOLEAN declared types, no RETURNING, no VACUUM
 * or ATTACH. storage_migration_check() refuses the first two. */
#ifndef CREEK_STORAGE_MIGRATE_H
#define CREEK_STORAGE_MIGRATE_H

#include "../lib/err.h"
#include "store.h"

struct storage_migration {
	int version;      /* 1, 2, 3, ... with no gaps */
	const char *name; /* what it does, recorded with it */
	const char *sql;  /* one or more statements */
};

/* Refuse lists that are not 1..n in order, and SQL with types or clauses
 * dqlite 1.11 cannot serve safely. */
int storage_migration_check(const struct storage_migration *list, unsigned n, struct cr_err *err);

/* Apply every migration of list newer than db's version. Returns the
 * number applied (>= 0). */
int storage_migrate(struct storage_store *s, const char *db, const struct storage_migration *list,
		    unsigned n, struct cr_err *err);

/* The system database's migrations (storage/schema_system.c). */
extern const struct storage_migration storage_system_migrations[];
extern const unsigned storage_n_system_migrations;
/* Every workspace database's migrations (storage/schema_workspace.c). */
extern const struct storage_migration storage_workspace_migrations[];
extern const unsigned storage_n_workspace_migrations;

#endif
