/* core/forms/schema.c: forms' tables in every workspace's database
 * (`ws-<id>`): apps (their part of version 1, shared with core/identity's
 * departments, roles and groups: storage/migrate.h), then their groups and
 * recycle bin, forms, records' history, serials and the outbox (version
 * 2), who uploaded which file (version 3). Moved here from
 * storage/schema_workspace.c, SQL unchanged;
 * node/schema.c registers the list with storage. Each app's record table
 * rec_<app id> is made by form.c when its form is saved, not here.
 *
 * Ids are AUTOINCREMENT: a deleted app's id is never given to a new one
 * (an old grant must not lead to it). Same rules as
 * storage/schema_system.c. */
#include "forms.h"

#include "../../storage/migrate.h"

static const struct storage_migration list[] = {
	{ 1, "apps",
	  "CREATE TABLE app ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " name TEXT NOT NULL,"
	  " created_by INTEGER NOT NULL,"
	  " created_us INTEGER NOT NULL);",
	  true },
	/* Apps get their place (group, order, icon) and a recycle bin; each
	 * app's form is versioned (form_version) and its fields map to the
	 * columns of the app's record table rec_<app id>, named c<n> by a
	 * per-app counter (form_column): no user text is ever an identifier.
	 * Every record change leaves a history row and an outbox event in the
	 * same transaction. */
	{ 2, "app groups and recycle bin, forms, records' history, serials, outbox",
	  "ALTER TABLE app ADD COLUMN icon TEXT NOT NULL DEFAULT 'Document';"
	  "ALTER TABLE app ADD COLUMN color TEXT NOT NULL DEFAULT '#2f6fed';"
	  "ALTER TABLE app ADD COLUMN group_id INTEGER;"
	  "ALTER TABLE app ADD COLUMN position INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE app ADD COLUMN deleted_us INTEGER;"
	  "ALTER TABLE app ADD COLUMN deleted_by INTEGER;"
	  "ALTER TABLE app ADD COLUMN form_version INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE app ADD COLUMN next_column INTEGER NOT NULL DEFAULT 1;"
	  "CREATE TABLE app_group ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " name TEXT NOT NULL,"
	  " position INTEGER NOT NULL,"
	  " created_us INTEGER NOT NULL);"
	  "CREATE TABLE form_version ("
	  " app_id INTEGER NOT NULL REFERENCES app (id),"
	  " version INTEGER NOT NULL,"
	  " definition TEXT NOT NULL,"
	  " created_by INTEGER NOT NULL,"
	  " created_us INTEGER NOT NULL,"
	  " PRIMARY KEY (app_id, version));"
	  "CREATE TABLE form_column ("
	  " app_id INTEGER NOT NULL REFERENCES app (id),"
	  " field_id TEXT NOT NULL,"
	  " col INTEGER NOT NULL,"
	  " type TEXT NOT NULL,"
	  " label TEXT NOT NULL,"
	  " live INTEGER NOT NULL,"
	  " PRIMARY KEY (app_id, field_id));"
	  "CREATE TABLE serial_counter ("
	  " app_id INTEGER NOT NULL,"
	  " field_id TEXT NOT NULL,"
	  " period TEXT NOT NULL,"
	  " value INTEGER NOT NULL,"
	  " PRIMARY KEY (app_id, field_id, period));"
	  "CREATE TABLE record_history ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " app_id INTEGER NOT NULL,"
	  " record_id INTEGER NOT NULL,"
	  " version INTEGER NOT NULL,"
	  " action TEXT NOT NULL,"
	  " actor INTEGER NOT NULL,"
	  " at_us INTEGER NOT NULL,"
	  " changes TEXT NOT NULL);"
	  "CREATE INDEX record_history_record ON record_history (app_id, record_id, id);"
	  "CREATE TABLE outbox ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " at_us INTEGER NOT NULL,"
	  " topic TEXT NOT NULL,"
	  " app_id INTEGER,"
	  " record_id INTEGER,"
	  " actor INTEGER NOT NULL,"
	  " body TEXT NOT NULL);",
	  false },
	/* Who uploaded which file (uploads.c): a hash alone is no key to a
	 * file; the upload's name and type are the ones records keep. */
	{ 3, "file uploads and their uploaders",
	  "CREATE TABLE file_upload ("
	  " sha256 TEXT NOT NULL,"
	  " account_id INTEGER NOT NULL,"
	  " name TEXT NOT NULL,"
	  " type TEXT NOT NULL,"
	  " size INTEGER NOT NULL,"
	  " created_us INTEGER NOT NULL,"
	  " PRIMARY KEY (sha256, account_id));",
	  false },
	/* The live records of each app, kept by triggers on its table
	 * (counts.c): a count of all records reads one row. */
	{ 4, "each app's count of live records",
	  "CREATE TABLE record_count ("
	  " app_id INTEGER PRIMARY KEY,"
	  " live INTEGER NOT NULL);",
	  false },
	/* The forms' part of the rights version (core/identity/schema.c): a
	 * form or an app changed raises it too (forms are kept with it). */
	{ 5, "apps and forms raise the rights version",
	  ID_RIGHTS_TRIGGERS("app") ID_RIGHTS_TRIGGERS("form_version")
	      ID_RIGHTS_TRIGGERS("form_column"),
	  true },
};

const struct storage_migrations fm_workspace_migrations = { "forms", list,
							    sizeof(list) / sizeof(list[0]) };
