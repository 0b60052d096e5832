/* storage/migrate.c: see migrate.h. */
#define LOG_MODULE "storage"
#include "migrate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../lib/log.h"
#include "../lib/time.h"

static const char *const forbidden[] = { "DATETIME", "TIMESTAMP", "BOOLEAN", "RETURNING",
					 "VACUUM",   "ATTACH",    "DATE" };

/* Whole-word, case-insensitive search. */
static bool has_word(const char *sql, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = sql; *p != '\0'; p++) {
		if (strncasecmp(p, word, n) != 0)
			continue;
		bool starts = p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool ends = !(isalnum((unsigned char)p[n]) || p[n] == '_');
		if (starts && ends)
			return true;
	}
	return false;
}

static int check_sql(const struct storage_schema *schema, const struct storage_migration *m,
		     struct cr_err *err)
{
	for (size_t f = 0; f < sizeof(forbidden) / sizeof(forbidden[0]); f++)
		if (has_word(m->sql, forbidden[f]))
			return cr_err_set(err, CR_EINVAL,
					  "%s migration %d uses '%s', which dqlite cannot serve "
					  "safely",
					  schema->kind, m->version, forbidden[f]);
	return 0;
}

/* One owner's list on its own: ascending versions from 1, SQL dqlite
 * serves safely. *max gets its newest version. */
static int check_owner(const struct storage_schema *schema, const struct storage_migrations *o,
		       int *max, struct cr_err *err)
{
	int last = 0;

	for (unsigned i = 0; i < o->n; i++) {
		const struct storage_migration *m = &o->list[i];
		int rc;
		if (m->version <= last)
			return cr_err_set(err, CR_EINVAL,
					  "%s migrations of '%s': version %d follows %d (each "
					  "owner lists its versions once, ascending from 1)",
					  schema->kind, o->owner, m->version, last);
		rc = check_sql(schema, m, err);
		if (rc < 0)
			return rc;
		last = m->version;
	}
	*max = last > *max ? last : *max;
	return 0;
}

/* What the owners list for version v, in their order: how many parts,
 * how many of them shared, the first two (for messages) and the name the
 * version records (the parts' names joined by ", "). */
struct version_parts {
	unsigned n;
	unsigned n_shared;
	const char *owner[2]; /* the first two owners, for messages */
	const char *name[2];
	char joined[STORAGE_MIGRATION_NAME_MAX + 1];
	bool is_too_long;
};

static void find_parts(const struct storage_schema *schema, int v, struct version_parts *p)
{
	size_t len = 0;

	memset(p, 0, sizeof(*p));
	for (unsigned o = 0; o < schema->n_owners; o++) {
		const struct storage_migrations *own = schema->owners[o];
		for (unsigned i = 0; i < own->n; i++) {
			const struct storage_migration *m = &own->list[i];
			size_t n = strlen(m->name) + (p->n > 0 ? 2 : 0);
			if (m->version != v)
				continue;
			if (p->n < 2) {
				p->owner[p->n] = own->owner;
				p->name[p->n] = m->name;
			}
			p->n++;
			p->n_shared += m->is_shared;
			if (len + n > STORAGE_MIGRATION_NAME_MAX) {
				p->is_too_long = true;
				continue;
			}
			(void)snprintf(p->joined + len, sizeof(p->joined) - len, "%s%s",
				       len > 0 ? ", " : "", m->name);
			len += n;
		}
	}
}

int storage_schema_check(const struct storage_schema *schema, unsigned *n_out, struct cr_err *err)
{
	int max = 0;

	for (unsigned o = 0; o < schema->n_owners; o++) {
		int rc = check_owner(schema, schema->owners[o], &max, err);
		if (rc < 0)
			return rc;
	}
	for (int v = 1; v <= max; v++) {
		struct version_parts p;
		find_parts(schema, v, &p);
		if (p.n == 0)
			return cr_err_set(err, CR_EINVAL,
					  "%s migration %d is missing: no owner lists it (the "
					  "versions are 1 to %d without gaps)",
					  schema->kind, v, max);
		if (p.n > 1 && p.n_shared != p.n)
			return cr_err_set(err, CR_EINVAL,
					  "%s migration %d is claimed twice, by '%s' (%s) and '%s' "
					  "(%s): give one of them the next free version",
					  schema->kind, v, p.owner[0], p.name[0], p.owner[1],
					  p.name[1]);
		if (p.n == 1 && p.n_shared == 1)
			return cr_err_set(
			    err, CR_EINVAL,
			    "%s migration %d is marked shared but only '%s' has a part",
			    schema->kind, v, p.owner[0]);
		if (p.is_too_long)
			return cr_err_set(
			    err, CR_ETOOBIG,
			    "%s migration %d: its parts' names are longer than %d bytes",
			    schema->kind, v, STORAGE_MIGRATION_NAME_MAX);
	}
	if (n_out != NULL)
		*n_out = (unsigned)max;
	return 0;
}

static const char VERSION_TABLE[] = "CREATE TABLE IF NOT EXISTS schema_version ("
				    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
				    "applied_us INTEGER NOT NULL)";

static int create_table(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	(void)arg;
	return storage_tx_exec(tx, VERSION_TABLE, NULL, 0, NULL, err);
}

static int current_version(struct storage_store *s, const char *db, int *out, struct cr_err *err)
{
	struct storage_rows rows;
	int rc = storage_query(s, db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", NULL,
			       0, &rows, err);

	if (rc == 0)
		*out = (int)storage_rows_int(&rows, 0, 0, 0);
	storage_rows_close(&rows);
	return rc;
}

/* One version, every owner's part: re-checks inside the transaction, so
 * two nodes racing to migrate apply it once. */
struct apply_job {
	const struct storage_schema *schema;
	int version;
	const char *name; /* the parts' names joined */
};

static int apply_one(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct apply_job *j = arg;
	struct storage_value v = storage_int(j->version);
	struct storage_value row[3] = { storage_int(j->version), storage_text(j->name),
					storage_int(cr_wall_us()) };
	struct storage_rows rows;
	bool is_applied;
	int rc = storage_tx_query(tx, "SELECT 1 FROM schema_version WHERE version = ?", &v, 1,
				  &rows, err);

	is_applied = rc == 0 && rows.n_rows > 0;
	storage_rows_close(&rows);
	if (rc < 0 || is_applied)
		return rc;
	for (unsigned o = 0; o < j->schema->n_owners; o++) {
		const struct storage_migrations *own = j->schema->owners[o];
		for (unsigned i = 0; i < own->n; i++) {
			const struct storage_migration *m = &own->list[i];
			if (m->version != j->version)
				continue;
			rc = storage_tx_exec(tx, m->sql, NULL, 0, NULL, err);
			if (rc < 0)
				return cr_err_wrap(err, "migration %d (%s, of '%s')", m->version,
						   m->name, own->owner);
		}
	}
	return storage_tx_exec(tx,
			       "INSERT INTO schema_version (version, name, applied_us) "
			       "VALUES (?, ?, ?)",
			       row, 3, NULL, err);
}

int storage_migrate(struct storage_store *s, const char *db, const struct storage_schema *schema,
		    struct cr_err *err)
{
	int version = 0;
	int applied = 0;
	unsigned n = 0;
	int rc = storage_schema_check(schema, &n, err);

	/* A database that has its table needs no write to learn its version:
	 * a node whose data disk is low (disk.h) starts when it is current. */
	if (rc == 0 && current_version(s, db, &version, NULL) < 0) {
		rc = storage_write(s, db, NULL, create_table, NULL, err);
		if (rc == 0)
			rc = current_version(s, db, &version, err);
	}
	if (rc < 0)
		return rc;
	if (version > (int)n)
		return cr_err_set(err, CR_ECONFLICT,
				  "database '%s' has schema version %d, newer than this creekd "
				  "knows (%u); upgrade creekd",
				  db, version, n);
	for (int v = version + 1; v <= (int)n; v++) {
		struct version_parts p;
		struct apply_job j = { schema, v, NULL };
		find_parts(schema, v, &p);
		j.name = p.joined;
		rc = storage_write(s, db, NULL, apply_one, &j, err);
		if (rc < 0)
			return rc;
		log_info("database '%s': applied migration %d (%s)", db, v, p.joined);
		applied++;
	}
	return applied;
}
