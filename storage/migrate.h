/* storage/migrate.h: numbered, forward-only schema migrations.
 *
 * A database records the migrations applied to it in schema_version. Each
 * migration runs in its own transaction through the database's writer,
 * together with its schema_version row, so it applies once and whole, even
 * if two nodes start at the same moment. A database whose version is newer
 * than the newest migration this build knows is refused (CR_ECONFLICT): an
 * older creekd must not write to a schema it does not understand.
 *
 * Each engine owns its tables and their migrations (storage its own in
 * schema_system.c, cluster in cluster/schema.c, core/identity and
 * core/forms in their schema.c); node/schema.c lists the owners of each
 * kind of database in a struct storage_schema, and storage merges their
 * lists by version. The versions of one kind of database are one sequence
 * shared by its owners: a new migration takes the next free number of its
 * kind, whoever owns it, and the merge refuses a gap or a number claimed
 * twice (two branches that picked the same one), so such a build fails at
 * start-up and in tests/unit/node/test_schema.c, never half-way through a
 * database.
 *
 * A version written before its tables had separate owners may be split
 * among them, each part marked is_shared: the parts run in one
 * transaction, in the order the owners are listed, and the version's
 * recorded name is their names joined by ", " (workspace 1: identity's
 * departments, roles and groups, then forms' apps). Versions keep their
 * meaning: a released migration's SQL is never edited, only moved.
 *
 * Migration SQL must keep within what dqlite tolerates (notes §6.1): no
 * DATETIME/DATE/TIMESTAMP/BOOLEAN declared types, no RETURNING, no VACUUM
 * or ATTACH. storage_schema_check() refuses the first two. */
#ifndef CREEK_STORAGE_MIGRATE_H
#define CREEK_STORAGE_MIGRATE_H

#include <stdbool.h>

#include "../lib/err.h"
#include "store.h"

#define STORAGE_MIGRATION_NAME_MAX 200 /* bytes of a version's name, parts joined */

struct storage_migration {
	int version;      /* 1, 2, 3, ... with no gaps across a kind's owners */
	const char *name; /* what it does, recorded with it */
	const char *sql;  /* one or more statements */
	bool is_shared;   /* one owner's part of a version split among owners */
};

/* One owner's migrations of one kind of database, ascending by version. */
struct storage_migrations {
	const char *owner; /* "storage", "cluster", "identity", "forms" */
	const struct storage_migration *list;
	unsigned n;
};

/* The migrations of one kind of database: its owners' lists, merged by
 * version. Everything it points to is borrowed (static tables). */
struct storage_schema {
	const char *kind; /* "system", "workspace": named in errors */
	const struct storage_migrations *const *owners;
	unsigned n_owners;
};

/* Merge the owners' lists: CR_EINVAL if the versions are not 1..n with
 * no gap, if a version has two owners and is not shared by all of them
 * (or is marked shared with one part only), if an owner lists a version
 * twice or out of order, or if SQL has types or clauses dqlite 1.11
 * cannot serve safely; CR_ETOOBIG if a version's name (its parts' names
 * joined) exceeds STORAGE_MIGRATION_NAME_MAX. *n_out (may be NULL) gets n. */
int storage_schema_check(const struct storage_schema *schema, unsigned *n_out, struct cr_err *err);

/* Check schema, then apply every version newer than db's, each in its own
 * transaction. Returns the number applied (>= 0); CR_ECONFLICT if db is
 * newer than schema; errors of storage_schema_check() and of the store. */
int storage_migrate(struct storage_store *s, const char *db, const struct storage_schema *schema,
		    struct cr_err *err);

/* storage's own part of the system database: the node start log and
 * settings (storage/schema_system.c). */
extern const struct storage_migrations storage_system_migrations;

#endif
