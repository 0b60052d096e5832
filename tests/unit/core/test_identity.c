/* tests/unit/core/test_identity.c: the pure parts of core/identity: who
 * may do what (authz.c), the department subtree, validation, CSV, and
 * password hashes over the node's real crypto. Password lengths are also
 * checked against tests/cases/password_chars.json, which the UI's tests
 * read too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/identity/csv.h"
#include "core/identity/identity.h"
#include "node/crypto.h"

/* Tree: 1 root; 2 Sales under 1; 3 East under 2; 4 Ops under 1. */
static int64_t dept_ids[] = { 1, 2, 3, 4 };
static int64_t dept_parents[] = { 0, 1, 2, 1 };

static struct id_facts facts(int64_t *admin_of, size_t n_admin, struct id_group_grant *groups,
			     size_t n_groups)
{
	struct id_facts f = { .n_depts = 4,
			      .dept_id = dept_ids,
			      .dept_parent = dept_parents,
			      .n_admin_of = n_admin,
			      .admin_of = admin_of,
			      .n_groups = n_groups,
			      .groups = groups };

	for (size_t i = 0; i < n_groups; i++)
		f.grants |= groups[i].grants;
	return f;
}

static struct id_actor actor(enum id_role role)
{
	struct id_actor a = { .role = role };

	a.account.id = 7;
	return a;
}

static void subtree_walks_up_to_the_root(void **state)
{
	struct id_facts f = facts(NULL, 0, NULL, 0);

	(void)state;
	assert_true(id_dept_within(&f, 3, 1));
	assert_true(id_dept_within(&f, 3, 2));
	assert_true(id_dept_within(&f, 3, 3));
	assert_false(id_dept_within(&f, 4, 2));
	assert_false(id_dept_within(&f, 99, 1)); /* unknown */
}

static void admins_may_everything_but_naming_admins(void **state)
{
	struct id_actor super = actor(ID_ROLE_SUPER_ADMIN), sys = actor(ID_ROLE_SYSTEM_ADMIN);
	struct id_facts f = facts(NULL, 0, NULL, 0);

	(void)state;
	assert_int_equal(id_authz_workspace(&super, ID_WS_SET_ROLE, NULL), 0);
	assert_int_equal(id_authz_workspace(&sys, ID_WS_SET_ROLE, NULL), CR_EDENIED);
	assert_int_equal(id_authz_workspace(&sys, ID_WS_RENAME, NULL), 0);
	assert_int_equal(id_authz_workspace(&sys, ID_WS_MANAGE_GROUPS, NULL), 0);
	assert_int_equal(id_authz_contacts(&sys, &f, ID_CONTACTS_CHANGE, NULL, 0, false, NULL), 0);
	assert_int_equal(id_authz_app(&sys, &f, ID_APP_DELETE, 5, NULL), 0);
}

static void plain_members_and_outsiders_are_refused(void **state)
{
	struct id_actor member = actor(ID_ROLE_MEMBER), none = actor(ID_ROLE_NONE);
	struct id_facts f = facts(NULL, 0, NULL, 0);
	int64_t d = 2;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(id_authz_workspace(&member, ID_WS_READ, NULL), 0);
	assert_int_equal(id_authz_workspace(&none, ID_WS_READ, &err), CR_EDENIED);
	assert_non_null(strstr(err.msg, "not a member"));
	assert_int_equal(id_authz_contacts(&member, &f, ID_CONTACTS_VIEW, NULL, 0, false, NULL),
			 CR_EDENIED);
	assert_int_equal(id_authz_contacts(&member, &f, ID_CONTACTS_CHANGE, &d, 1, false, NULL),
			 CR_EDENIED);
	assert_int_equal(id_authz_app(&member, &f, ID_APP_ADD, 0, NULL), CR_EDENIED);
	assert_int_equal(id_authz_app(&none, &f, ID_APP_EDIT, 1, NULL), CR_EDENIED);
}

static void department_admins_manage_their_subtree_only(void **state)
{
	int64_t admin_of[] = { 2 };
	struct id_facts f = facts(admin_of, 1, NULL, 0);
	struct id_actor a = actor(ID_ROLE_MEMBER);
	int64_t east = 3, sales = 2, ops = 4, both[] = { 3, 4 };

	(void)state;
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_VIEW, NULL, 0, false, NULL), 0);
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_CHANGE, &east, 1, false, NULL), 0);
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_CHANGE, &sales, 1, false, NULL), 0);
	/* Its own department itself is changed by an admin above it. */
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_CHANGE, &sales, 1, true, NULL),
			 CR_EDENIED);
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_CHANGE, &east, 1, true, NULL), 0);
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_CHANGE, &ops, 1, false, NULL),
			 CR_EDENIED);
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_CHANGE, both, 2, false, NULL),
			 CR_EDENIED);
	/* Workspace-wide things (roles) are not theirs. */
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_CHANGE, NULL, 0, false, NULL),
			 CR_EDENIED);
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_INVITE, &east, 1, false, NULL), 0);
	assert_int_equal(id_authz_workspace(&a, ID_WS_MANAGE_GROUPS, NULL), CR_EDENIED);
}

static void permission_groups_are_scoped_to_their_apps(void **state)
{
	int64_t apps[] = { 10 };
	struct id_group_grant g[] = { { ID_GRANT_EDIT_APP | ID_GRANT_VIEW_CONTACTS, false, apps,
					1 } };
	struct id_facts f = facts(NULL, 0, g, 1);
	struct id_actor a = actor(ID_ROLE_MEMBER);

	(void)state;
	assert_int_equal(id_authz_app(&a, &f, ID_APP_EDIT, 10, NULL), 0);
	assert_int_equal(id_authz_app(&a, &f, ID_APP_EDIT, 11, NULL), CR_EDENIED);
	assert_int_equal(id_authz_app(&a, &f, ID_APP_DELETE, 10, NULL), CR_EDENIED);
	assert_int_equal(id_authz_app(&a, &f, ID_APP_ADD, 0, NULL), CR_EDENIED);
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_VIEW, NULL, 0, false, NULL), 0);
	assert_int_equal(id_authz_contacts(&a, &f, ID_CONTACTS_SEARCH, NULL, 0, false, NULL),
			 CR_EDENIED);
	g[0].all_apps = true;
	g[0].grants |= ID_GRANT_ADD_APP;
	assert_int_equal(id_authz_app(&a, &f, ID_APP_EDIT, 11, NULL), 0);
	assert_int_equal(id_authz_app(&a, &f, ID_APP_ADD, 0, NULL), 0);
}

static void api_keys_reach_the_org_api_only(void **state)
{
	struct id_actor k = actor(ID_ROLE_NONE);
	struct id_facts f = facts(NULL, 0, NULL, 0);

	(void)state;
	k.via_api_key = true;
	assert_int_equal(id_authz_contacts(&k, &f, ID_CONTACTS_VIEW, NULL, 0, false, NULL), 0);
	assert_int_equal(id_authz_contacts(&k, &f, ID_CONTACTS_CHANGE, NULL, 0, false, NULL), 0);
	assert_int_equal(id_authz_contacts(&k, &f, ID_CONTACTS_SEARCH, NULL, 0, false, NULL),
			 CR_EDENIED);
	assert_int_equal(
	    id_authz_contacts(&k, &f, ID_CONTACTS_RESET_PASSWORD, NULL, 0, false, NULL),
	    CR_EDENIED);
	assert_int_equal(id_authz_workspace(&k, ID_WS_READ, NULL), CR_EDENIED);
	assert_int_equal(id_authz_workspace(&k, ID_WS_MANAGE_KEYS, NULL), CR_EDENIED);
	assert_int_equal(id_authz_app(&k, &f, ID_APP_ADD, 0, NULL), CR_EDENIED);
}

static void only_admins_act_on_admins(void **state)
{
	struct id_actor super = actor(ID_ROLE_SUPER_ADMIN), sys = actor(ID_ROLE_SYSTEM_ADMIN);
	struct id_actor member = actor(ID_ROLE_MEMBER), key = actor(ID_ROLE_NONE);

	(void)state;
	key.via_api_key = true;
	assert_int_equal(id_authz_member_rank(&super, ID_ROLE_SUPER_ADMIN, NULL), 0);
	assert_int_equal(id_authz_member_rank(&sys, ID_ROLE_SUPER_ADMIN, NULL), CR_EDENIED);
	assert_int_equal(id_authz_member_rank(&sys, ID_ROLE_SYSTEM_ADMIN, NULL), 0);
	/* A department admin is a member by role. */
	assert_int_equal(id_authz_member_rank(&member, ID_ROLE_SYSTEM_ADMIN, NULL), CR_EDENIED);
	assert_int_equal(id_authz_member_rank(&member, ID_ROLE_MEMBER, NULL), 0);
	assert_int_equal(id_authz_member_rank(&key, ID_ROLE_SYSTEM_ADMIN, NULL), CR_EDENIED);
	assert_int_equal(id_authz_member_rank(&key, ID_ROLE_MEMBER, NULL), 0);
}

static void logins_names_and_passwords_are_checked(void **state)
{
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(id_login_check("li.lei@acme", NULL), 0);
	assert_int_equal(id_login_check("a", NULL), CR_EINVAL);
	assert_int_equal(id_login_check(".dot", NULL), CR_EINVAL);
	assert_int_equal(id_login_check("has space", NULL), CR_EINVAL);
	assert_int_equal(id_name_check("李雷", "name", NULL), 0);
	assert_int_equal(id_name_check(" padded", "name", NULL), CR_EINVAL);
	assert_int_equal(id_name_check("bad\x01", "name", NULL), CR_EINVAL);
	assert_int_equal(id_name_check("\xc3\x28", "name", NULL), CR_EINVAL);
	assert_int_equal(id_password_check("short", "x", &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "at least 8"));
	assert_int_equal(id_password_check("li.lei@acme", "LI.LEI@acme", NULL), CR_EINVAL);
	assert_int_equal(id_password_check("correct horse", "li", NULL), 0);
	/* Length counts characters, not bytes: 3 Chinese characters are 9
	 * bytes; decomposed é (e + U+0301) counts once, as in NFC. */
	assert_int_equal(id_password_check("\xe5\xaf\x86\xe7\xa0\x81\xe5\xa5\xbd", "x", &err),
			 CR_EINVAL);
	assert_non_null(strstr(err.msg, "at least 8"));
	assert_int_equal(id_password_chars("e\xcc\x81t\xc3\xa9"), 3);
	assert_int_equal(id_password_check("e\xcc\x81"
					   "e\xcc\x81"
					   "e\xcc\x81"
					   "e\xcc\x81",
					   "x", NULL),
			 CR_EINVAL);
	assert_int_equal(id_password_check("\xe6\xba\xaa\xe6\xb5\x81\xe6\x98\xa5\xe5\xa4"
					   "\xa9\xe7\x9a\x84\xe5\xb0\x8f\xe8\x8d\xb7\xe8\x8a\xb1",
					   "x", NULL),
			 0);
	assert_true(id_workspace_id_valid("w0123456789ab"));
	assert_false(id_workspace_id_valid("w0123456789aB"));
	assert_false(id_workspace_id_valid("w0123"));
	assert_false(id_workspace_id_valid("../etc/passwd"));
}

static void refuses_common_and_breached_passwords(void **state)
{
	static const char *const common[] = {
		"password",   "Password1",  "P@ssw0rd!",   "12345678",   "87654321",
		"abcdefgh",   "aaaaaaaa",   "abcabcabc",   "qwertyuiop", "1qaz2wsx",
		"asdfghjkl;", "zxcvbnm123", "woaini1314",  "Admin123!",  "iloveyou2",
		"19850612",   "creek2024",  "Welcome1234", "qq123456",   "12121212",
	};
	static const char *const fine[] = {
		"correct horse",
		"Good-pass-123",
		"8charsOK",
		"tr0ub4dor&3x",
		"creek-ui-test-password-1",
	};
	struct cr_err err = { 0 };

	(void)state;
	assert_true(id_password_lists_sorted());
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		if (id_password_check(common[i], "x", &err) != CR_EINVAL)
			fail_msg("'%s' is accepted", common[i]);
		assert_non_null(strstr(err.msg, "too common"));
	}
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		if (id_password_check(fine[i], "x", NULL) != 0)
			fail_msg("'%s' is refused", fine[i]);
}

/* Every case of the table shared with the UI: the code points of the NFC
 * form, and the length rule's verdict on them. */
static void password_length_counts_nfc_code_points(void **state)
{
	json_error_t jerr;
	json_t *table = json_load_file(CREEK_TEST_DATA "/password_chars.json", 0, &jerr);
	json_t *cases = json_object_get(table, "cases"), *c;
	size_t i;

	(void)state;
	if (table == NULL)
		fail_msg("password_chars.json: %s (line %d)", jerr.text, jerr.line);
	assert_int_equal(json_integer_value(json_object_get(table, "min")), ID_PASSWORD_MIN);
	assert_true(json_array_size(cases) > 0);
	json_array_foreach(cases, i, c)
	{
		const char *pw = json_string_value(json_object_get(c, "password"));
		json_int_t want = json_integer_value(json_object_get(c, "chars"));
		struct cr_err err = { 0 };
		int rc = id_password_check(pw, "x", &err);

		if (id_password_chars(pw) != want)
			fail_msg("case %zu: %ld characters, the table says %lld", i,
				 id_password_chars(pw), (long long)want);
		if (want < ID_PASSWORD_MIN && (rc != CR_EINVAL || !strstr(err.msg, "at least 8")))
			fail_msg("case %zu (%lld characters) is not refused as too short", i,
				 (long long)want);
		if (want >= ID_PASSWORD_MIN && rc != 0)
			fail_msg("case %zu (%lld characters) is refused: %s", i, (long long)want,
				 err.msg);
	}
	json_decref(table);
}

/* The NFC form is what the login and the common list are compared with:
 * U+212A KELVIN SIGN is K there. */
static void login_and_common_list_see_the_nfc_form(void **state)
{
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(id_password_check(u8"\u212Aelvin.k", "kelvin.k", &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "not be the login"));
	assert_int_equal(id_password_check(u8"\u212Ailler12", "x", &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "too common"));
	assert_true(id_password_common(u8"\u212Ailler12"));
}

/* The NFC form of the longest password fits, however much NFC grows it
 * (U+1D160 is 4 bytes, its NFC form 12: UAX #15's most); longer
 * passwords and invalid UTF-8 have none. */
static void password_nfc_form_has_room_for_the_longest_password(void **state)
{
	char pw[ID_PASSWORD_MAX + 2], nfc[ID_PASSWORD_NFC_MAX + 1];

	(void)state;
	for (size_t i = 0; i < ID_PASSWORD_MAX; i += 4)
		memcpy(pw + i, "\xf0\x9d\x85\xa0", 4); /* U+1D160 */
	pw[ID_PASSWORD_MAX] = '\0';
	assert_int_equal(id_password_nfc(pw, nfc), ID_PASSWORD_NFC_MAX);
	assert_int_equal(strlen(nfc), ID_PASSWORD_NFC_MAX);
	assert_int_equal(id_password_chars(pw), 3 * ID_PASSWORD_MAX / 4);
	assert_int_equal(id_password_check(pw, "x", NULL), 0);
	memset(pw, 'a', ID_PASSWORD_MAX + 1);
	pw[ID_PASSWORD_MAX + 1] = '\0';
	assert_int_equal(id_password_nfc(pw, nfc), CR_ETOOBIG);
	assert_int_equal(id_password_chars(pw), -1);
	assert_int_equal(id_password_nfc("ab\xed\xa0\x80", nfc), CR_EINVAL); /* a surrogate */
	assert_int_equal(id_password_check("abcdefgh\xed\xa0\x80", "x", NULL), CR_EINVAL);
	assert_int_equal(id_password_nfc("", nfc), 0);
	assert_string_equal(nfc, "");
}

static void csv_reads_quotes_blank_lines_and_bom(void **state)
{
	struct id_csv c;
	struct cr_err err = { 0 };

	(void)state;
	assert_int_equal(id_csv_parse("\xef\xbb\xbflogin,name\r\n\r\n\"a,b\",\"say \"\"hi\"\"\"\n"
				      "c,\"multi\nline\"\nd,\n",
				      10, &c, &err),
			 0);
	assert_int_equal(c.n_rows, 4);
	assert_string_equal(c.rows[0].fields[0], "login");
	assert_string_equal(c.rows[1].fields[0], "a,b");
	assert_string_equal(c.rows[1].fields[1], "say \"hi\"");
	assert_int_equal(c.rows[1].line, 3);
	assert_string_equal(c.rows[2].fields[1], "multi\nline");
	assert_int_equal(c.rows[3].line, 6);
	assert_int_equal(c.rows[3].n, 2);
	assert_string_equal(c.rows[3].fields[1], "");
	id_csv_close(&c);
	assert_int_equal(id_csv_parse("a,\"open\n", 10, &c, &err), CR_EINVAL);
	assert_non_null(strstr(err.msg, "not closed"));
	assert_int_equal(id_csv_parse("a,b\"c\n", 10, &c, &err), CR_EINVAL);
	assert_int_equal(id_csv_parse("a\nb\nc\n", 2, &c, &err), CR_ETOOBIG);
}

static void passwords_hash_and_verify(void **state)
{
	struct identity id = { .crypto = node_crypto(), .kdf_log_n = 12 };
	char hash[ID_PASSWORD_HASH_MAX + 1], other[ID_PASSWORD_HASH_MAX + 1];
	char t1[ID_TOKEN_MAX + 1], t2[ID_TOKEN_MAX + 1], hex[ID_HASH_HEX + 1];

	(void)state;
	assert_int_equal(id_password_hash(&id, "correct horse", hash, NULL), 0);
	assert_int_equal(strncmp(hash, "scrypt$12$8$1$", 14), 0);
	assert_int_equal(id_password_verify(&id, "correct horse", hash), 0);
	assert_int_equal(id_password_verify(&id, "correct horsf", hash), CR_EAUTH);
	assert_int_equal(id_password_hash(&id, "correct horse", other, NULL), 0);
	assert_string_not_equal(hash, other); /* salted */
	assert_int_equal(id_password_verify(&id, "x", "scrypt$99$8$1$AA$AA"), CR_EINVAL);
	assert_int_equal(id_password_verify(&id, "x", "plain"), CR_EINVAL);
	assert_int_equal(id_token_new(&id, 32, t1, sizeof(t1)), 0);
	assert_int_equal(id_token_new(&id, 32, t2, sizeof(t2)), 0);
	assert_int_equal(strlen(t1), 43);
	assert_string_not_equal(t1, t2);
	id_hash_hex(&id, "abc", hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* "Crème brûlée" typed composed (NFC, as most keyboards send it) and
 * decomposed (NFD, as some input methods and macOS file names do). */
#define CREME_NFC u8"Cr\u00e8me br\u00fbl\u00e9e"
#define CREME_NFD u8"Cre\u0300me bru\u0302le\u0301e"

/* A password is one password in either form; a hash stored before
 * passwords were hashed in NFC form (of the bytes as typed) still
 * verifies with those bytes. */
static void passwords_verify_whichever_form_was_typed(void **state)
{
	struct identity id = { .crypto = node_crypto(), .kdf_log_n = 10 };
	char hash[ID_PASSWORD_HASH_MAX + 1];
	/* scrypt(CREME_NFD, "creek-nfc-test-1", N=1024, r=8, p=1), made with
	 * Python's hashlib.scrypt: what an account set in NFD holds from
	 * before. */
	static const char old_nfd[] = "scrypt$10$8$1$Y3JlZWstbmZjLXRlc3QtMQ$"
				      "nnCvBz4akzcO2nKwr9QeEAsdh5FAGniUT98Roc0Q2rA";

	(void)state;
	assert_int_equal(id_password_hash(&id, CREME_NFD, hash, NULL), 0);
	assert_int_equal(id_password_verify(&id, CREME_NFC, hash), 0);
	assert_int_equal(id_password_verify(&id, CREME_NFD, hash), 0);
	assert_int_equal(id_password_verify(&id, "Creme brulee", hash), CR_EAUTH);
	assert_int_equal(id_password_hash(&id, CREME_NFC, hash, NULL), 0);
	assert_int_equal(id_password_verify(&id, CREME_NFD, hash), 0);
	assert_int_equal(id_password_verify(&id, CREME_NFC, hash), 0);

	assert_int_equal(id_password_verify(&id, CREME_NFD, old_nfd), 0);
	/* Its NFC form was never hashed: until the password is set again,
	 * the NFD bytes it was set with are what opens it. */
	assert_int_equal(id_password_verify(&id, CREME_NFC, old_nfd), CR_EAUTH);
	assert_int_equal(id_password_verify(&id, "Creme brulee", old_nfd), CR_EAUTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(subtree_walks_up_to_the_root),
		cmocka_unit_test(admins_may_everything_but_naming_admins),
		cmocka_unit_test(plain_members_and_outsiders_are_refused),
		cmocka_unit_test(department_admins_manage_their_subtree_only),
		cmocka_unit_test(permission_groups_are_scoped_to_their_apps),
		cmocka_unit_test(api_keys_reach_the_org_api_only),
		cmocka_unit_test(only_admins_act_on_admins),
		cmocka_unit_test(logins_names_and_passwords_are_checked),
		cmocka_unit_test(refuses_common_and_breached_passwords),
		cmocka_unit_test(password_length_counts_nfc_code_points),
		cmocka_unit_test(login_and_common_list_see_the_nfc_form),
		cmocka_unit_test(password_nfc_form_has_room_for_the_longest_password),
		cmocka_unit_test(csv_reads_quotes_blank_lines_and_bom),
		cmocka_unit_test(passwords_hash_and_verify),
		cmocka_unit_test(passwords_verify_whichever_form_was_typed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
