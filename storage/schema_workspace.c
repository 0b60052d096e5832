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
};

const unsigned storage_n_workspace_migrations =
    sizeof(storage_workspace_migrations) / sizeof(storage_workspace_migrations[0]);
