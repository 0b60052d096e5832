/* storage/schema_workspace.c: migrations of every workspace's database
 * (`ws-<id>`): its org structure, permission groups and apps.
 *
 * Ids are AUTOINCREMENT: a deleted department's or app's id is never
 * given to a new one (an old invite link or grant must not lead to it).
 *
 * Same rules as schema_system.c. Account ids refer to the system
 * database's account table (accounts are installation-wide); a workspace
 * database holds nothing of another workspace. */
#include "migrate.h"

const struct storage_migration storage_workspace_migrations[] = {
	{ 1, "departments, roles, permission groups, apps",
	  "CREATE TABLE department ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " parent_id INTEGER REFERENCES department (id),"
	  " name TEXT NOT NULL,"
	  " created_us INTEGER NOT NULL);"
	  "CREATE INDEX department_parent ON department (parent_id);"
	  "CREATE TABLE department_member ("
	  " department_id INTEGER NOT NULL REFERENCES department (id),"
	  " account_id INTEGER NOT NULL,"
	  " PRIMARY KEY (department_id, account_id));"
	  "CREATE INDEX department_member_account ON department_member (account_id);"
	  "CREATE TABLE department_duty ("
	  " department_id INTEGER NOT NULL REFERENCES department (id),"
	  " account_id INTEGER NOT NULL,"
	  " duty TEXT NOT NULL CHECK (duty IN ('supervisor', 'admin')),"
	  " PRIMARY KEY (department_id, duty, account_id));"
	  "CREATE INDEX department_duty_account ON department_duty (account_id);"
	  "CREATE TABLE org_role ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	  " created_us INTEGER NOT NULL);"
	  "CREATE TABLE org_role_member ("
	  " role_id INTEGER NOT NULL REFERENCES org_role (id),"
	  " account_id INTEGER NOT NULL,"
	  " PRIMARY KEY (role_id, account_id));"
	  "CREATE INDEX org_role_member_account ON org_role_member (account_id);"
	  "CREATE TABLE app ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " name TEXT NOT NULL,"
	  " created_by INTEGER NOT NULL,"
	  " created_us INTEGER NOT NULL);"
	  "CREATE TABLE perm_group ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	  " grants INTEGER NOT NULL DEFAULT 0,"
	  " all_apps INTEGER NOT NULL DEFAULT 0,"
	  " created_us INTEGER NOT NULL);"
	  "CREATE TABLE perm_group_app ("
	  " group_id INTEGER NOT NULL REFERENCES perm_group (id),"
	  " app_id INTEGER NOT NULL REFERENCES app (id),"
	  " PRIMARY KEY (group_id, app_id));"
	  "CREATE TABLE perm_group_member ("
	  " group_id INTEGER NOT NULL REFERENCES perm_group (id),"
	  " account_id INTEGER NOT NULL,"
	  " PRIMARY KEY (group_id, account_id));"
	  "CREATE INDEX perm_group_member_account ON perm_group_member (account_id);" },
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
	  " body TEXT NOT NULL);" },
};

const unsigned storage_n_workspace_migrations =
    sizeof(storage_workspace_migrations) / sizeof(storage_workspace_migrations[0]);
