/* storage/migrate.c: see migrate.h. */
#define LOG_MODULE "storage"
#include "migrate.h"

#include <ctype.h>
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

int storage_migration_check(const struct storage_migration *list, unsigned n, struct cr_err *err)
{
	for (unsigned i = 0; i < n; i++) {
		if (list[i].version != (int)i + 1)
			return cr_err_set(err, CR_EINVAL,
					  "migration %u has version %d, expected %u", i + 1,
					  list[i].version, i + 1);
		for (size_t f = 0; f < sizeof(forbidden) / sizeof(forbidden[0]); f++)
			if (has_word(list[i].sql, forbidden[f]))
				return cr_err_set(err, CR_EINVAL,
						  "migration %d uses '%s', which dqlite cannot "
						  "serve safely",
						  list[i].version, forbidden[f]);
	}
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

/* One migration: re-checks inside the transaction, so two nodes racing
 * to migrate apply it once. */
static int apply_one(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct storage_migration *m = arg;
	struct storage_value v = storage_int(m->version);
	struct storage_value row[3] = { storage_int(m->version), storage_text(m->name),
					storage_int(cr_wall_us()) };
	struct storage_rows rows;
	bool is_applied;
	int rc = storage_tx_query(tx, "SELECT 1 FROM schema_version WHERE version = ?", &v, 1,
				  &rows, err);

	is_applied = rc == 0 && rows.n_rows > 0;
	storage_rows_close(&rows);
	if (rc < 0 || is_applied)
		return rc;
	rc = storage_tx_exec(tx, m->sql, NULL, 0, NULL, err);
	if (rc < 0)
		return cr_err_wrap(err, "migration %d (%s)", m->version, m->name);
	return storage_tx_exec(tx,
			       "INSERT INTO schema_version (version, name, applied_us) "
			       "VALUES (?, ?, ?)",
			       row, 3, NULL, err);
}

int storage_migrate(struct storage_store *s, const char *db, const struct storage_migration *list,
		    unsigned n, struct cr_err *err)
{
	int version = 0;
	int applied = 0;
	int rc = storage_migration_check(list, n, err);

	if (rc == 0)
		rc = storage_write(s, db, NULL, create_table, NULL, err);
	if (rc == 0)
		rc = current_version(s, db, &version, err);
	if (rc < 0)
		return rc;
	if (version > (int)n)
		return cr_err_set(err, CR_ECONFLICT,
				  "database '%s' has schema version %d, newer than this creekd "
				  "knows (%u); upgrade creekd",
				  db, version, n);
	for (unsigned i = (unsigned)version; i < n; i++) {
		rc = storage_write(s, db, NULL, apply_one, (void *)&list[i], err);
		if (rc < 0)
			return rc;
		log_info("database '%s': applied migration %d (%s)", db, list[i].version,
			 list[i].name);
		applied++;
	}
	return applied;
}
