/* core/identity/identity.h: accounts, sessions, workspaces and who may do
 * what in them.
 *
 * Accounts are installation-wide (the system database): one person signs
 * in once and may belong to several workspaces. A workspace's membership
 * (role, status, title) is kept beside the account in the system
 * database, so that one query checks a session and its membership; the
 * workspace's own org structure (departments, roles, permission groups,
 * apps) lives in the workspace's database, `ws-<id>`.
 *
 * core sees no OpenSSL, clock or randomness it was not handed: the KDF,
 * the hash and the random bytes come in struct id_crypto (node/ wires
 * OpenSSL's scrypt and SHA-256 and getrandom), times come as arguments. */
#ifndef CREEK_CORE_IDENTITY_H
#define CREEK_CORE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../lib/err.h"

#define ID_LOGIN_MAX         64
#define ID_NAME_MAX          100
#define ID_PASSWORD_MIN      8
#define ID_PASSWORD_MAX      256
#define ID_WORKSPACE_ID_MAX  16 /* "w" + 12 hex */
#define ID_DB_NAME_MAX       24 /* "ws-" + workspace id */
#define ID_TOKEN_MAX         64 /* session and invite tokens, base64url */
#define ID_CSRF_MAX          44
#define ID_API_KEY_MAX       (6 + ID_WORKSPACE_ID_MAX + 1 + 43)
#define ID_HASH_HEX          64 /* SHA-256 in hex */
#define ID_PASSWORD_HASH_MAX 160
/* A password's NFC form: NFC at most triples UTF-8 (UAX #15). */
#define ID_PASSWORD_NFC_MAX (3 * ID_PASSWORD_MAX)

/* Sign-in throttling, within a window: failures per login at one client
 * address (the pair: that address is locked out of that login), per
 * login from anywhere (a higher limit, against guesses spread over many
 * addresses; reaching it locks the login everywhere), and per address. */
#define ID_THROTTLE_WINDOW_US   (15LL * 60 * 1000000)
#define ID_THROTTLE_PAIR_MAX    5
#define ID_THROTTLE_LOGIN_MAX   50
#define ID_THROTTLE_ADDRESS_MAX 30

struct id_crypto {
	/* scrypt(password, salt, N, r, p) into out (32 bytes). 0 or CR_E*. */
	int (*kdf)(const char *password, size_t password_len, const uint8_t *salt, size_t salt_len,
		   uint64_t n, uint32_t r, uint32_t p, uint8_t out[32]);
	void (*sha256)(const void *data, size_t len, uint8_t out[32]);
	/* Fill buf with len bytes from a CSPRNG. 0 or CR_EINTERNAL. */
	int (*random)(void *buf, size_t len);
};

/* What an installation's identity layer is given. Borrowed. */
struct storage_store;
struct storage_schema;
struct identity {
	struct storage_store *store;
	const struct id_crypto *crypto;
	int64_t session_lifetime_us; /* at most this long from sign-in */
	int64_t session_idle_us;     /* and ends unused this long (0: never) */
	/* scrypt cost (log2 N); 15 in production (32 MiB, ~60 ms). */
	unsigned kdf_log_n;
	/* Every owner's migrations of a workspace database (node/schema.c),
	 * run on each workspace's database when it is made and at start. */
	const struct storage_schema *workspace_schema;
	/* Then, after those migrations, each engine's own step on the
	 * database db (NULL: none): what plain SQL cannot do, such as a
	 * trigger per app table (core/forms' fm_workspace_ready). */
	int (*workspace_ready)(void *arg, const char *db, struct cr_err *err);
	void *workspace_ready_arg;
};

/* Identity's tables (schema.c), for node/ to register with storage:
 * its part of the system database's and of every workspace database's
 * migrations (storage/migrate.h). */
struct storage_migrations;
extern const struct storage_migrations id_system_migrations;
extern const struct storage_migrations id_workspace_migrations;

/* Identity's part of the hourly prune (prune.c; node/ registers it with
 * cluster/scheduler.h): ended sessions, and sign-in failures whose window
 * and lock are over. Inside the prune job's transaction on the system
 * database, SQL only; errors of storage_tx_exec(). */
struct storage_tx;
int id_prune(struct storage_tx *tx, int64_t now_us, struct cr_err *err);

enum id_role {
	ID_ROLE_NONE = 0, /* not a member (or deactivated) */
	ID_ROLE_MEMBER,
	ID_ROLE_SYSTEM_ADMIN,
	ID_ROLE_SUPER_ADMIN,
};

const char *id_role_name(enum id_role role);
/* "system_admin" or "member" (the roles one may be given); CR_EINVAL else. */
int id_role_parse(const char *name, enum id_role *out);

struct id_account {
	int64_t id;
	char login[ID_LOGIN_MAX + 1];
	char name[ID_NAME_MAX * 4 + 1]; /* UTF-8 */
	bool is_installation_admin;
	/* The password was set by someone else (an admin, the operator, an
	 * import): until its owner changes it, a session reaches nothing but
	 * the password change (account.password_changed_us is 0). */
	bool must_change_password;
};

/* Who is asking. Filled by id_session_check() or id_api_key_check() and,
 * for a workspace, id_actor_enter(). */
struct id_actor {
	struct id_account account; /* id 0 for an API key */
	bool via_api_key;
	char session_hash[ID_HASH_HEX + 1];
	char csrf_token[ID_CSRF_MAX + 1];
	int64_t expires_us;
	/* The workspace of the request ("" none) and the actor's place in it. */
	char workspace_id[ID_WORKSPACE_ID_MAX + 1];
	char db[ID_DB_NAME_MAX + 1];
	enum id_role role;
	/* Read-your-writes: the position in the workspace's changes the
	 * client has seen (what a write's answer gave it, carried back in
	 * Creek-Position or its cookie); 0 if none. Reads of records wait for
	 * the node's read model to reach it instead of asking the leader. */
	int64_t seen;
	/* The workspace's rights version when the request began
	 * (id_rights_version()); 0: not read, nothing is taken from memory. */
	int64_t rights_version;
};

/* Three triggers that raise the workspace's rights version whenever table
 * changes (id_rights_version(): what requests read of rights and forms is
 * kept per node while the version stays). SQL for a migration. */
#define ID_RIGHTS_TRIGGERS(table)                                                                  \
	"CREATE TRIGGER rights_" table "_i AFTER INSERT ON " table                                 \
	" BEGIN UPDATE rights_version SET v = v + 1; END;"                                         \
	"CREATE TRIGGER rights_" table "_u AFTER UPDATE ON " table                                 \
	" BEGIN UPDATE rights_version SET v = v + 1; END;"                                         \
	"CREATE TRIGGER rights_" table "_d AFTER DELETE ON " table                                 \
	" BEGIN UPDATE rights_version SET v = v + 1; END;"

/* The workspace's rights version (a row every change to the tables an
 * actor's facts and the apps' forms are read from raises, by triggers):
 * into actor->rights_version, read once at the start of a request. Facts
 * and forms read with it may come from this node's memory (the store's
 * storage_query_kept()). Needs actor->db. */
int id_rights_version(const struct identity *id, struct id_actor *actor, struct cr_err *err);

/* ---- validation (validate.c, pure) ---- */

/* Logins: 2 to 64 of [A-Za-z0-9._@-], starting with a letter or digit. */
int id_login_check(const char *login, struct cr_err *err);
/* Display names: 1 to 100 characters of valid UTF-8, no control characters,
 * trimmed. */
int id_name_check(const char *name, const char *what, struct cr_err *err);
/* Passwords: ID_PASSWORD_MIN to ID_PASSWORD_MAX characters (code points
 * of the NFC form, id_password_chars(); bytes of the password as given
 * for the maximum), no control characters, not the login (its NFC form,
 * case ignored), not common (id_password_common()). */
int id_password_check(const char *password, const char *login, struct cr_err *err);

/* ---- a password's form, and what it must not be (password.c, pure) ---- */

/* The form of a password that Creek counts, compares and hashes: its
 * Unicode NFC form (UAX #15), so that "é" typed as U+00E9 on one keyboard
 * and as e + U+0301 on another is one password. Into out, NUL-terminated;
 * its length in bytes, CR_EINVAL if password is not valid UTF-8,
 * CR_ETOOBIG if it is longer than ID_PASSWORD_MAX bytes. */
int id_password_nfc(const char *password, char out[ID_PASSWORD_NFC_MAX + 1]);
/* Characters of a password: the code points of its NFC form (e + U+0301
 * is 1, x + U+0301 is 2: no composed character exists). -1 if it has no
 * NFC form (id_password_nfc()). */
long id_password_chars(const char *utf8);
/* On the bundled list of common and breached passwords, or made like
 * them (repeats, runs, keyboard rows, dates, a common word plus up to 4
 * digits or symbols), compared in NFC form and lower case. */
bool id_password_common(const char *password);
/* The bundled lists are in strcmp order (a unit test asks). */
bool id_password_lists_sorted(void);
/* "w" + 12 lower-case hex digits. */
bool id_workspace_id_valid(const char *id);
void id_workspace_db(const char *workspace_id, char out[ID_DB_NAME_MAX + 1]);

/* ---- secrets (secret.c, pure but for the handed crypto) ---- */

/* "scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>" of the password's NFC
 * form (id_password_nfc(); the bytes as given if it has none). */
int id_password_hash(const struct identity *id, const char *password,
		     char out[ID_PASSWORD_HASH_MAX + 1], struct cr_err *err);
/* 0 match, CR_EAUTH no match, CR_EINVAL malformed stored hash. The NFC
 * form is tried first; if it fails and differs from the password as
 * given, so is the latter (hashes stored before passwords were hashed in
 * NFC form): a password whose NFC form differs costs two KDF runs when
 * wrong, whether the login exists or not. */
int id_password_verify(const struct identity *id, const char *password, const char *stored);
/* A random token of n_bytes, base64url without padding. */
int id_token_new(const struct identity *id, size_t n_bytes, char *out, size_t out_len);
/* SHA-256 of text, lower-case hex. */
void id_hash_hex(const struct identity *id, const char *text, char out[ID_HASH_HEX + 1]);

/* ---- who may do what (authz.c, pure) ---- */

enum id_grant {
	ID_GRANT_ADD_APP = 1 << 0,
	ID_GRANT_EDIT_APP = 1 << 1,
	ID_GRANT_DELETE_APP = 1 << 2,
	ID_GRANT_MANAGE_DATA = 1 << 3,
	ID_GRANT_VIEW_CONTACTS = 1 << 4,
	ID_GRANT_TEMPLATE_CENTER = 1 << 5,
	ID_GRANT_ALL = (1 << 6) - 1,
};
#define ID_N_GRANTS 6
/* "add_app", ... in bit order. */
extern const char *const id_grant_names[ID_N_GRANTS];

struct id_group_grant {
	unsigned grants;
	bool all_apps;
	int64_t *apps;
	size_t n_apps;
};

/* What the workspace database says about the actor (id_facts_load()). */
struct id_facts {
	size_t n_depts; /* the whole tree: id and parent (0 for the root) */
	int64_t *dept_id;
	int64_t *dept_parent;
	size_t n_admin_of; /* departments the actor administers */
	int64_t *admin_of;
	size_t n_groups; /* permission groups the actor is in */
	struct id_group_grant *groups;
	unsigned grants; /* their union */
};
void id_facts_free(struct id_facts *f);

/* Is dept inside the subtree of root (root itself included)? */
bool id_dept_within(const struct id_facts *f, int64_t dept, int64_t root);
/* Does the actor administer a department whose subtree holds dept? With
 * strict, dept must lie below the administered department. */
bool id_dept_administered(const struct id_facts *f, int64_t dept, bool strict);

enum id_ws_action {
	ID_WS_READ,          /* see the workspace, its apps, one's own entry */
	ID_WS_RENAME,        /* workspace settings */
	ID_WS_SET_ROLE,      /* name system admins */
	ID_WS_MANAGE_GROUPS, /* permission groups */
	ID_WS_MANAGE_KEYS,   /* API keys */
};
int id_authz_workspace(const struct id_actor *a, enum id_ws_action action, struct cr_err *err);

enum id_contacts_action {
	ID_CONTACTS_VIEW,           /* list members, departments, roles */
	ID_CONTACTS_CHANGE,         /* change members, departments, roles */
	ID_CONTACTS_SEARCH,         /* search installation accounts to invite */
	ID_CONTACTS_RESET_PASSWORD, /* set a member's password */
	ID_CONTACTS_INVITE,         /* invite links */
};
/* depts: where the change lands (a member's departments, a department's
 * parent for a new one); n_depts 0 means workspace-wide (roles, the tree's
 * root), which department admins may not change. strict: the departments
 * must lie below the administered ones (changing a department itself). */
int id_authz_contacts(const struct id_actor *a, const struct id_facts *f,
		      enum id_contacts_action action, const int64_t *depts, size_t n_depts,
		      bool strict, struct cr_err *err);

/* Acting on a member of role target (change, remove, reset a password):
 * only admins act on system admins, only the super admin on itself. A
 * department admin or an API key changes plain members only. */
int id_authz_member_rank(const struct id_actor *a, enum id_role target, struct cr_err *err);

enum id_app_action {
	ID_APP_ADD,
	ID_APP_EDIT,
	ID_APP_DELETE,
	ID_APP_DATA,
};
int id_authz_app(const struct id_actor *a, const struct id_facts *f, enum id_app_action action,
		 int64_t app_id, struct cr_err *err);

#endif
