/* core/identity/schema.c: identity's tables and their migrations. In the
 * `system` database: accounts, sessions, sign-in throttling, workspaces,
 * their members, API keys and invite links (version 3). In every
 * workspace's database (`ws-<id>`): departments, roles and permission
 * groups, its part of version 1, which it shares with core/forms' apps
 * (storage/migrate.h). Moved here from storage/schema_*.c, SQL unchanged;
 * node/schema.c registers both lists with storage.
 *
 * Ids are AUTOINCREMENT: a deleted department's id is never given to a
 * new one (an old invite link must not lead to it). Account ids in a
 * workspace database refer to the system database's account table
 * (accounts are installation-wide); a workspace database holds nothing of
 * another workspace.
 *
 * Rules for every migration here: append only (never edit a released one),
 * times as INTEGER microseconds since the epoch (*_us), booleans as INTEGER,
 * node ids as TEXT (they are unsigned 64-bit). */
#include "identity.h"

#include "../../storage/migrate.h"

static const struct storage_migration system_list[] = {
	{ 3, "accounts, sessions, sign-in throttling, workspaces and their members",
	  "CREATE TABLE account ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " login TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	  " name TEXT NOT NULL,"
	  " password_hash TEXT NOT NULL,"
	  " is_installation_admin INTEGER NOT NULL DEFAULT 0,"
	  " created_us INTEGER NOT NULL,"
	  " password_changed_us INTEGER NOT NULL);"
	  "CREATE TABLE session ("
	  " token_sha256 TEXT PRIMARY KEY,"
	  " account_id INTEGER NOT NULL REFERENCES account (id),"
	  " csrf_token TEXT NOT NULL,"
	  " created_us INTEGER NOT NULL,"
	  " expires_us INTEGER NOT NULL,"
	  " address TEXT NOT NULL DEFAULT '');"
	  "CREATE INDEX session_account ON session (account_id);"
	  "CREATE INDEX session_expires ON session (expires_us);"
	  "CREATE TABLE sign_in_failure ("
	  " key TEXT PRIMARY KEY,"
	  " failures INTEGER NOT NULL,"
	  " first_us INTEGER NOT NULL,"
	  " locked_until_us INTEGER NOT NULL DEFAULT 0);"
	  "CREATE TABLE workspace ("
	  " id TEXT PRIMARY KEY,"
	  " name TEXT NOT NULL,"
	  " created_by INTEGER NOT NULL,"
	  " created_us INTEGER NOT NULL);"
	  "CREATE TABLE workspace_member ("
	  " workspace_id TEXT NOT NULL REFERENCES workspace (id),"
	  " account_id INTEGER NOT NULL REFERENCES account (id),"
	  " role TEXT NOT NULL CHECK (role IN ('super_admin', 'system_admin', 'member')),"
	  " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),"
	  " title TEXT NOT NULL DEFAULT '',"
	  " joined_us INTEGER NOT NULL,"
	  " PRIMARY KEY (workspace_id, account_id));"
	  "CREATE INDEX workspace_member_account ON workspace_member (account_id);"
	  "CREATE TABLE api_key ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " workspace_id TEXT NOT NULL REFERENCES workspace (id),"
	  " name TEXT NOT NULL,"
	  " prefix TEXT NOT NULL,"
	  " key_sha256 TEXT NOT NULL UNIQUE,"
	  " created_by INTEGER NOT NULL,"
	  " created_us INTEGER NOT NULL);"
	  "CREATE INDEX api_key_workspace ON api_key (workspace_id);"
	  "CREATE TABLE invite_link ("
	  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " workspace_id TEXT NOT NULL REFERENCES workspace (id),"
	  " token_sha256 TEXT NOT NULL UNIQUE,"
	  " department_id INTEGER NOT NULL,"
	  " created_by INTEGER NOT NULL,"
	  " created_us INTEGER NOT NULL,"
	  " expires_us INTEGER NOT NULL,"
	  " max_uses INTEGER NOT NULL DEFAULT 0,"
	  " uses INTEGER NOT NULL DEFAULT 0,"
	  " revoked INTEGER NOT NULL DEFAULT 0);"
	  "CREATE INDEX invite_link_workspace ON invite_link (workspace_id);",
	  false },
	/* An account belongs to the people it identifies: its home workspace
	 * (where it was made) alone may reset its password or rename it, and
	 * another workspace only invites it; it joins when it accepts. An
	 * account made before this version gets the workspace it joined
	 * first. */
	{ 4, "member invitations and each account's home workspace",
	  "CREATE TABLE member_invitation ("
	  " workspace_id TEXT NOT NULL REFERENCES workspace (id),"
	  " account_id INTEGER NOT NULL REFERENCES account (id),"
	  " department_id INTEGER NOT NULL,"
	  " title TEXT NOT NULL DEFAULT '',"
	  " invited_by INTEGER NOT NULL,"
	  " created_us INTEGER NOT NULL,"
	  " PRIMARY KEY (workspace_id, account_id));"
	  "CREATE INDEX member_invitation_account ON member_invitation (account_id);"
	  "ALTER TABLE account ADD COLUMN home_workspace_id TEXT;"
	  "UPDATE account SET home_workspace_id = (SELECT m.workspace_id FROM workspace_member m"
	  " WHERE m.account_id = account.id ORDER BY m.joined_us, m.workspace_id LIMIT 1);",
	  false },
	/* API keys live lifetime_us from their creation or last rotation
	 * (expires_us; 0 for keys made before: no end until rotated). */
	{ 5, "API keys' lifetime and last use",
	  "ALTER TABLE api_key ADD COLUMN lifetime_us INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE api_key ADD COLUMN expires_us INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE api_key ADD COLUMN last_used_us INTEGER NOT NULL DEFAULT 0;",
	  false },
};

const struct storage_migrations id_system_migrations = {
	"identity", system_list, sizeof(system_list) / sizeof(system_list[0])
};

static const struct storage_migration workspace_list[] = {
	{ 1, "departments, roles, permission groups",
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
	  "CREATE INDEX perm_group_member_account ON perm_group_member (account_id);",
	  true },
	/* The rights version (id_rights_version()): one row, raised by every
	 * change to the tables an actor's facts are read from; core/forms
	 * adds the triggers of its own tables (apps, forms) to this version. */
	{ 5, "a version of the workspace's rights",
	  "CREATE TABLE rights_version ("
	  " id INTEGER PRIMARY KEY CHECK (id = 1),"
	  " v INTEGER NOT NULL);"
	  "INSERT INTO rights_version (id, v) VALUES (1, 1);" ID_RIGHTS_TRIGGERS("department")
	      ID_RIGHTS_TRIGGERS("department_member") ID_RIGHTS_TRIGGERS("department_duty")
		  ID_RIGHTS_TRIGGERS("org_role_member") ID_RIGHTS_TRIGGERS("perm_group")
		      ID_RIGHTS_TRIGGERS("perm_group_app") ID_RIGHTS_TRIGGERS("perm_group_member"),
	  true },
};

const struct storage_migrations id_workspace_migrations = {
	"identity", workspace_list, sizeof(workspace_list) / sizeof(workspace_list[0])
};
