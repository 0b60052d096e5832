/* core/identity/accounts.c: first start, sign-in with throttling,
 * sessions, and one's own account, in the system database.
 *
 * Sign-in runs in two short transactions around the (slow) password
 * check: the first counts the attempt against the login and address pair,
 * the login and the address, and refuses when any of them is locked; the
 * second, after a success, opens the session, clears the pair's count and
 * gives the login and the address their attempt back. So parallel guesses
 * cannot pass a limit, and nothing slow runs on the writer's thread.
 *
 * The pair locks first (ID_THROTTLE_PAIR_MAX): guesses from one address
 * lock that address out of that login only, so that nobody can lock
 * the owner out by typing wrong passwords elsewhere. The login's own limit
 * (ID_THROTTLE_LOGIN_MAX) is much higher and holds guesses spread over
 * many addresses. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../../lib/text.h"
#include "../../lib/time.h"
#include "identity_int.h"

#define LOCK_MIN_US (60LL * 1000000)

json_t *id_time_json(int64_t us)
{
	char text[32];

	if (us <= 0)
		return json_null();
	cr_format_utc(us, text, sizeof(text));
	return json_string(text);
}

json_t *id_account_json(const struct id_account *a)
{
	return json_pack("{s:I, s:s, s:s, s:b, s:b}", "id", (json_int_t)a->id, "login", a->login,
			 "name", a->name, "is_installation_admin", a->is_installation_admin,
			 "must_change_password", a->must_change_password);
}

const char *id_sub_request(const char *request_id, const char *part, char *out, size_t len)
{
	if (request_id == NULL || request_id[0] == '\0')
		return NULL;
	if ((size_t)snprintf(out, len, "%.*s:%s", STORAGE_REQUEST_ID_MAX - 8, request_id, part) >=
	    len)
		return NULL;
	return out;
}

int id_session_prepare(const struct identity *id, int64_t now_us, struct id_session *s,
		       char hash[ID_HASH_HEX + 1], struct cr_err *err)
{
	if (id_token_new(id, ID_SESSION_TOKEN_BYTES, s->token, sizeof(s->token)) < 0 ||
	    id_token_new(id, ID_CSRF_BYTES, s->csrf, sizeof(s->csrf)) < 0)
		return cr_err_set(err, CR_EINTERNAL, "no random bytes for a session");
	s->expires_us = now_us + id->session_lifetime_us;
	s->idle_until_us = s->expires_us;
	if (id->session_idle_us > 0 && now_us + id->session_idle_us < s->expires_us)
		s->idle_until_us = now_us + id->session_idle_us;
	id_hash_hex(id, s->token, hash);
	return 0;
}

/* password_changed_us is 0 for a password someone else set: its owner
 * must change it first. */
static int account_insert(struct storage_tx *tx, const char *login, const char *name,
			  const char *password_hash, bool installation_admin, bool own_password,
			  int64_t now_us, int64_t *id_out, struct cr_err *err)
{
	struct storage_value p[6] = {
		storage_text(login),         storage_text(name),
		storage_text(password_hash), storage_bool(installation_admin),
		storage_int(now_us),         storage_int(own_password ? now_us : 0)
	};
	struct storage_rows rows;
	struct storage_result res = { 0 };
	int rc = storage_tx_query(tx, "SELECT 1 FROM account WHERE login = ?", p, 1, &rows, err);
	bool taken = rc == 0 && rows.n_rows > 0;

	storage_rows_close(&rows);
	if (rc < 0)
		return rc;
	if (taken)
		return cr_err_set(err, CR_ECONFLICT, "the login '%s' is taken", login);
	rc = storage_tx_exec(tx,
			     "INSERT INTO account (login, name, password_hash, "
			     "is_installation_admin, created_us, password_changed_us) "
			     "VALUES (?, ?, ?, ?, ?, ?)",
			     p, 6, &res, err);
	if (rc == 0)
		*id_out = (int64_t)res.last_insert_id;
	return rc;
}

int id_tx_account_insert(struct storage_tx *tx, const char *login, const char *name,
			 const char *password_hash, bool installation_admin, int64_t now_us,
			 int64_t *id_out, struct cr_err *err)
{
	return account_insert(tx, login, name, password_hash, installation_admin, false, now_us,
			      id_out, err);
}

int id_tx_account_insert_own(struct storage_tx *tx, const char *login, const char *name,
			     const char *password_hash, bool installation_admin, int64_t now_us,
			     int64_t *id_out, struct cr_err *err)
{
	return account_insert(tx, login, name, password_hash, installation_admin, true, now_us,
			      id_out, err);
}

int id_tx_session_insert(struct storage_tx *tx, const char *hash, int64_t account_id,
			 const struct id_session *s, const char *address, int64_t now_us,
			 struct cr_err *err)
{
	struct storage_value p[6] = {
		storage_text(hash),  storage_int(account_id),       storage_text(s->csrf),
		storage_int(now_us), storage_int(s->idle_until_us), storage_text(address)
	};
	struct storage_value q[2] = { storage_int(account_id), storage_int(now_us) };
	int rc = storage_tx_exec(tx, "DELETE FROM session WHERE account_id = ? AND expires_us <= ?",
				 q, 2, NULL, err);

	if (rc == 0)
		rc = storage_tx_exec(tx,
				     "INSERT INTO session (token_sha256, account_id, csrf_token, "
				     "created_us, expires_us, address) VALUES (?, ?, ?, ?, ?, ?)",
				     p, 6, NULL, err);
	return rc;
}

int id_tx_member_insert(struct storage_tx *tx, const char *workspace_id, int64_t account_id,
			enum id_role role, const char *title, int64_t now_us, struct cr_err *err)
{
	struct storage_value p[5] = { storage_text(workspace_id), storage_int(account_id),
				      storage_text(id_role_name(role)),
				      storage_text(title != NULL ? title : ""),
				      storage_int(now_us) };

	return storage_tx_exec(tx,
			       "INSERT INTO workspace_member (workspace_id, account_id, role, "
			       "title, joined_us) VALUES (?, ?, ?, ?, ?)",
			       p, 5, NULL, err);
}

int id_tx_workspace_insert(struct storage_tx *tx, const char *workspace_id, const char *name,
			   int64_t created_by, int64_t now_us, struct cr_err *err)
{
	struct storage_value p[4] = { storage_text(workspace_id), storage_text(name),
				      storage_int(created_by), storage_int(now_us) };

	return storage_tx_exec(tx,
			       "INSERT INTO workspace (id, name, created_by, created_us) "
			       "VALUES (?, ?, ?, ?)",
			       p, 4, NULL, err);
}

/* ---- first start ---- */

int id_setup_needed(const struct identity *id, bool *needed, struct cr_err *err)
{
	struct storage_rows rows;
	int rc = storage_query(id->store, STORAGE_DB_SYSTEM, "SELECT 1 FROM account LIMIT 1", NULL,
			       0, &rows, err);

	*needed = rc == 0 && rows.n_rows == 0;
	storage_rows_close(&rows);
	return rc;
}

struct setup_job {
	const struct id_new_account *in;
	const char *workspace_name;
	const char *workspace_id;
	const char *hash;
	const char *session_hash;
	const struct id_session *session;
	const char *address;
	int64_t now_us;
	int64_t account_id; /* out */
};

static int setup_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct setup_job *j = arg;
	struct storage_rows rows;
	int rc = storage_tx_query(tx, "SELECT 1 FROM account LIMIT 1", NULL, 0, &rows, err);
	bool done = rc == 0 && rows.n_rows > 0;

	storage_rows_close(&rows);
	if (rc < 0)
		return rc;
	if (done)
		return cr_err_set(err, CR_ECONFLICT, "Creek is already set up; sign in instead");
	rc = id_tx_account_insert_own(tx, j->in->login, j->in->name, j->hash, true, j->now_us,
				      &j->account_id, err);
	if (rc == 0)
		rc = id_tx_workspace_insert(tx, j->workspace_id, j->workspace_name, j->account_id,
					    j->now_us, err);
	if (rc == 0)
		rc = id_tx_member_insert(tx, j->workspace_id, j->account_id, ID_ROLE_SUPER_ADMIN,
					 "", j->now_us, err);
	if (rc == 0)
		rc = id_tx_session_insert(tx, j->session_hash, j->account_id, j->session,
					  j->address, j->now_us, err);
	return rc;
}

static int setup_code_check(const struct identity *id, const struct id_setup_proof *proof,
			    int64_t now_us, unsigned *retry_after_s, struct cr_err *err);

int id_setup(const struct identity *id, const struct id_new_account *in, const char *workspace_name,
	     const struct id_setup_proof *proof, int64_t now_us, struct id_account *account,
	     char workspace_id[ID_WORKSPACE_ID_MAX + 1], struct id_session *session,
	     unsigned *retry_after_s, struct cr_err *err)
{
	char hash[ID_PASSWORD_HASH_MAX + 1];
	char session_hash[ID_HASH_HEX + 1];
	const char *address = proof->address;
	bool needed = false;
	int rc;

	*retry_after_s = 0;
	if (id_login_check(in->login, err) < 0 || id_name_check(in->name, "name", err) < 0 ||
	    id_password_check(in->password, in->login, err) < 0 ||
	    id_name_check(workspace_name, "workspace name", err) < 0)
		return CR_EINVAL;
	rc = id_setup_needed(id, &needed, err);
	if (rc < 0)
		return rc;
	if (!needed)
		return cr_err_set(err, CR_ECONFLICT, "Creek is already set up; sign in instead");
	rc = setup_code_check(id, proof, now_us, retry_after_s, err);
	if (rc == 0)
		rc = id_workspace_id_new(id, workspace_id, err);
	if (rc == 0)
		rc = id_password_hash(id, in->password, hash, err);
	if (rc == 0)
		rc = id_session_prepare(id, now_us, session, session_hash, err);
	if (rc < 0)
		return rc;
	struct setup_job j = { in,      workspace_name, workspace_id, hash, session_hash,
			       session, address,        now_us,       0 };
	/* No request id: a second setup is refused by the job itself. */
	rc = storage_write(id->store, STORAGE_DB_SYSTEM, NULL, setup_job, &j, err);
	if (rc < 0)
		return rc;
	rc = id_workspace_db_init(id, workspace_id, workspace_name, j.account_id, err);
	if (rc < 0)
		return rc;
	*account = (struct id_account){ .id = j.account_id, .is_installation_admin = true };
	(void)snprintf(account->login, sizeof(account->login), "%s", in->login);
	(void)snprintf(account->name, sizeof(account->name), "%s", in->name);
	return 0;
}

/* ---- sign-in ---- */

struct attempt_job {
	const char *pair_key;  /* the login at the address (or what setup guesses) */
	const char *login_key; /* NULL: no login (setup) */
	const char *address_key;
	int64_t now_us;
	bool success;       /* second job: open the session */
	int64_t account_id; /* second job */
	const char *session_hash;
	const struct id_session *session;
	const char *address;
	int64_t locked_until_us; /* out: > now when refused */
};

/* The lock of key, if any (0 when none or over). */
static int locked_until(struct storage_tx *tx, const char *key, int64_t now_us, int64_t *until,
			struct cr_err *err)
{
	struct storage_value p = storage_text(key);
	struct storage_rows rows;
	int rc = storage_tx_query(tx, "SELECT locked_until_us FROM sign_in_failure WHERE key = ?",
				  &p, 1, &rows, err);

	*until = 0;
	if (rc == 0 && rows.n_rows > 0 && storage_rows_int(&rows, 0, 0, 0) > now_us)
		*until = storage_rows_int(&rows, 0, 0, 0);
	storage_rows_close(&rows);
	return rc;
}

/* Count one against key; once the count reaches lock_at within the
 * window, lock it until the window ends (at least a minute). */
static int count(struct storage_tx *tx, const char *key, int lock_at, int64_t now_us,
		 int64_t *until, struct cr_err *err)
{
	struct storage_value p[5] = { storage_text(key), storage_int(now_us),
				      storage_int(now_us - ID_THROTTLE_WINDOW_US),
				      storage_int(lock_at), storage_int(LOCK_MIN_US) };
	int rc = storage_tx_exec(
	    tx,
	    "INSERT INTO sign_in_failure (key, failures, first_us) VALUES (?1, 1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET "
	    " failures = CASE WHEN first_us < ?3 THEN 1 ELSE failures + 1 END,"
	    " first_us = CASE WHEN first_us < ?3 THEN ?2 ELSE first_us END",
	    p, 3, NULL, err);

	if (rc == 0)
		rc = storage_tx_exec(tx,
				     "UPDATE sign_in_failure SET locked_until_us = "
				     "max(first_us + ?2 - ?3, ?2 + ?5) "
				     "WHERE key = ?1 AND failures >= ?4",
				     p, 5, NULL, err);
	if (rc < 0)
		return rc;
	return locked_until(tx, key, now_us - 1, until, err);
}

/* The attempt was not a failure: the pair's count is cleared, and the
 * login and the address get their attempt back (unless locked: a success
 * does not lift a lock that guesses from elsewhere earned). */
static int attempt_succeeded(struct storage_tx *tx, const struct attempt_job *j, struct cr_err *err)
{
	struct storage_value p[3] = { storage_text(j->pair_key),
				      storage_text(j->login_key != NULL ? j->login_key : ""),
				      storage_text(j->address_key) };
	int rc = storage_tx_exec(tx, "DELETE FROM sign_in_failure WHERE key = ?", p, 1, NULL, err);

	if (rc == 0)
		rc = storage_tx_exec(tx,
				     "UPDATE sign_in_failure SET failures = max(failures - 1, "
				     "0) WHERE key IN (?2, ?3) AND locked_until_us = 0 AND ?1 = ?1",
				     p, 3, NULL, err);
	if (rc == 0 && j->session != NULL)
		rc = id_tx_session_insert(tx, j->session_hash, j->account_id, j->session,
					  j->address, j->now_us, err);
	return rc;
}

static int attempt_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct attempt_job *j = arg;
	int64_t until = 0;
	int rc;

	j->locked_until_us = 0;
	if (j->success)
		return attempt_succeeded(tx, j, err);
	rc = locked_until(tx, j->address_key, j->now_us, &until, err);
	if (rc < 0 || until > 0) {
		j->locked_until_us = until;
		return rc;
	}
	/* Attempts are counted before the password check, against the pair,
	 * the login and the address alike, so that parallel guesses cannot
	 * pass a limit: the attempt past a limit is refused (and what follows,
	 * until the lock ends). */
	rc = count(tx, j->pair_key, ID_THROTTLE_PAIR_MAX + 1, j->now_us, &j->locked_until_us, err);
	if (rc < 0 || j->locked_until_us > 0)
		return rc;
	if (j->login_key != NULL) {
		rc = count(tx, j->login_key, ID_THROTTLE_LOGIN_MAX + 1, j->now_us,
			   &j->locked_until_us, err);
		if (rc < 0 || j->locked_until_us > 0)
			return rc;
	}
	return count(tx, j->address_key, ID_THROTTLE_ADDRESS_MAX + 1, j->now_us,
		     &j->locked_until_us, err);
}

/* A hash to check wrong logins against, so that they cost what a wrong
 * password costs (no enumeration by timing). */
static int dummy_verify(const struct identity *id, const char *password)
{
	static const char dummy[] = "scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA$"
				    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	char stored[sizeof(dummy) + 8];
	unsigned log_n = id->kdf_log_n > 0 ? id->kdf_log_n : 15;

	(void)snprintf(stored, sizeof(stored), "scrypt$%u%s", log_n, dummy + strlen("scrypt$15"));
	(void)id_password_verify(id, password, stored);
	return CR_EAUTH;
}

static int load_account(const struct identity *id, const char *login, struct id_account *a,
			char hash[ID_PASSWORD_HASH_MAX + 1], struct cr_err *err)
{
	struct storage_value p = storage_text(login);
	struct storage_rows rows;
	int rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			       "SELECT id, login, name, is_installation_admin, password_hash, "
			       "password_changed_us FROM account WHERE login = ?",
			       &p, 1, &rows, err);

	if (rc == 0 && rows.n_rows == 0)
		rc = CR_ENOTFOUND;
	if (rc == 0) {
		a->id = storage_rows_int(&rows, 0, 0, 0);
		(void)snprintf(a->login, sizeof(a->login), "%s", storage_rows_text(&rows, 0, 1));
		(void)snprintf(a->name, sizeof(a->name), "%s", storage_rows_text(&rows, 0, 2));
		a->is_installation_admin = storage_rows_int(&rows, 0, 3, 0) != 0;
		a->must_change_password = storage_rows_int(&rows, 0, 5, 0) == 0;
		(void)snprintf(hash, ID_PASSWORD_HASH_MAX + 1, "%s",
			       storage_rows_text(&rows, 0, 4));
	}
	storage_rows_close(&rows);
	return rc;
}

static unsigned seconds_until(int64_t until_us, int64_t now_us)
{
	int64_t s = (until_us - now_us + 999999) / 1000000;
	return s < 1 ? 1 : (unsigned)s;
}

/* The throttling keys of a login (lower-cased), of an address, and of
 * the two together. */
struct attempt_keys {
	char login[ID_LOGIN_MAX + 16];
	char address[80];
	char pair[ID_LOGIN_MAX + 96];
};

static void attempt_keys(const char *login, const char *address, struct attempt_keys *k)
{
	size_t n = strlen("login:");

	(void)snprintf(k->login, sizeof(k->login), "login:");
	for (size_t i = 0; i < ID_LOGIN_MAX && login[i] != '\0'; i++) {
		char c = login[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		k->login[n + i] = c;
		k->login[n + i + 1] = '\0';
	}
	(void)snprintf(k->address, sizeof(k->address), "address:%.64s",
		       address != NULL ? address : "");
	(void)snprintf(k->pair, sizeof(k->pair), "pair:%s|%.64s", k->login + n,
		       address != NULL ? address : "");
}

/* Count the attempt (CR_ELIMIT while locked). */
static int attempt_begin(const struct identity *id, struct attempt_job *j, unsigned *retry_after_s,
			 struct cr_err *err)
{
	int rc = storage_write(id->store, STORAGE_DB_SYSTEM, NULL, attempt_job, j, err);

	if (rc < 0)
		return rc;
	if (j->locked_until_us > 0) {
		*retry_after_s = seconds_until(j->locked_until_us, j->now_us);
		return cr_err_set(err, CR_ELIMIT,
				  "too many failed attempts; try again in %u seconds",
				  *retry_after_s);
	}
	return 0;
}

int id_password_attempt(const struct identity *id, const char *login, const char *password,
			const char *stored, const char *address, int64_t now_us,
			unsigned *retry_after_s, struct cr_err *err)
{
	struct attempt_keys k = { 0 };
	struct attempt_job j = { .pair_key = k.pair,
				 .login_key = k.login,
				 .address_key = k.address,
				 .now_us = now_us,
				 .address = address };
	int rc;

	*retry_after_s = 0;
	attempt_keys(login, address, &k);
	rc = attempt_begin(id, &j, retry_after_s, err);
	if (rc < 0)
		return rc;
	if (password == NULL || strlen(password) > ID_PASSWORD_MAX ||
	    id_password_verify(id, password, stored) != 0)
		return cr_err_set(err, CR_EDENIED, "the current password is wrong");
	j.success = true; /* clears the login's count, gives the address its attempt back */
	return storage_write(id->store, STORAGE_DB_SYSTEM, NULL, attempt_job, &j, err);
}

/* The setup code as compared: upper case, without spaces and '-'. */
static void setup_code_norm(const char *code, char *out, size_t len)
{
	size_t n = 0;

	for (; code != NULL && *code != '\0' && n + 1 < len; code++) {
		int c = (unsigned char)*code;
		if (c == '-' || c == ' ')
			continue;
		out[n++] = (char)(toupper)(c);
	}
	out[n] = '\0';
}

/* First start from the network proves that its visitor can read the
 * node's setup code; a guess counts per address like a wrong password. */
static int setup_code_check(const struct identity *id, const struct id_setup_proof *proof,
			    int64_t now_us, unsigned *retry_after_s, struct cr_err *err)
{
	char setup_key[80], address_key[80], given[ID_SETUP_CODE_LEN + 2], expected[40];
	struct attempt_job j = { .pair_key = setup_key,
				 .address_key = address_key,
				 .now_us = now_us };
	int rc;

	if (proof->expected_code == NULL)
		return 0; /* the operator */
	(void)snprintf(setup_key, sizeof(setup_key), "setup:%.64s",
		       proof->address != NULL ? proof->address : "");
	(void)snprintf(address_key, sizeof(address_key), "address:%.64s",
		       proof->address != NULL ? proof->address : "");
	rc = attempt_begin(id, &j, retry_after_s, err);
	if (rc < 0)
		return rc;
	setup_code_norm(proof->code, given, sizeof(given));
	setup_code_norm(proof->expected_code, expected, sizeof(expected));
	if (expected[0] == '\0' || !cr_same_secret(given, expected))
		return cr_err_set(err, CR_EDENIED,
				  "the setup code is missing or wrong; 'creekctl status' on the "
				  "node shows it");
	j.success = true;
	return storage_write(id->store, STORAGE_DB_SYSTEM, NULL, attempt_job, &j, err);
}

int id_sign_in(const struct identity *id, const char *login, const char *password,
	       const char *address, int64_t now_us, struct id_account *account,
	       struct id_session *session, unsigned *retry_after_s, struct cr_err *err)
{
	struct attempt_keys k = { 0 };
	char hash[ID_PASSWORD_HASH_MAX + 1];
	char session_hash[ID_HASH_HEX + 1];
	struct attempt_job j = { .pair_key = k.pair,
				 .login_key = k.login,
				 .address_key = k.address,
				 .now_us = now_us,
				 .address = address };
	int rc;

	*retry_after_s = 0;
	if (login == NULL || password == NULL || login[0] == '\0' || strlen(login) > ID_LOGIN_MAX ||
	    strlen(password) > ID_PASSWORD_MAX)
		return cr_err_set(err, CR_EAUTH, "the login or the password is wrong");
	attempt_keys(login, address, &k);
	rc = attempt_begin(id, &j, retry_after_s, err);
	if (rc < 0)
		return rc;
	rc = load_account(id, login, account, hash, err);
	if (rc == CR_ENOTFOUND)
		rc = dummy_verify(id, password);
	else if (rc == 0)
		rc = id_password_verify(id, password, hash);
	if (rc == CR_EAUTH || rc == CR_EINVAL)
		return cr_err_set(err, CR_EAUTH, "the login or the password is wrong");
	if (rc < 0)
		return rc;
	rc = id_session_prepare(id, now_us, session, session_hash, err);
	if (rc < 0)
		return rc;
	j.success = true;
	j.account_id = account->id;
	j.session_hash = session_hash;
	j.session = session;
	return storage_write(id->store, STORAGE_DB_SYSTEM, NULL, attempt_job, &j, err);
}

struct open_job {
	const char *hash;
	int64_t account_id;
	const struct id_session *session;
	const char *address;
	int64_t now_us;
};

static int open_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct open_job *j = arg;

	return id_tx_session_insert(tx, j->hash, j->account_id, j->session, j->address, j->now_us,
				    err);
}

int id_session_open(const struct identity *id, int64_t account_id, const char *address,
		    int64_t now_us, struct id_session *session, struct cr_err *err)
{
	char hash[ID_HASH_HEX + 1];
	int rc = id_session_prepare(id, now_us, session, hash, err);
	struct open_job j = { hash, account_id, session, address, now_us };

	if (rc < 0)
		return rc;
	return storage_write(id->store, STORAGE_DB_SYSTEM, NULL, open_job, &j, err);
}
