/* core/identity/validate.c: what a login, a name, a password and a
 * workspace id may look like. Pure. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/text.h"
#include "identity.h"

const char *id_role_name(enum id_role role)
{
	switch (role) {
	case ID_ROLE_SUPER_ADMIN:
		return "super_admin";
	case ID_ROLE_SYSTEM_ADMIN:
		return "system_admin";
	case ID_ROLE_MEMBER:
		return "member";
	default:
		return "none";
	}
}

int id_role_parse(const char *name, enum id_role *out)
{
	if (name != NULL && strcmp(name, "system_admin") == 0)
		*out = ID_ROLE_SYSTEM_ADMIN;
	else if (name != NULL && strcmp(name, "member") == 0)
		*out = ID_ROLE_MEMBER;
	else
		return CR_EINVAL;
	return 0;
}

int id_login_check(const char *login, struct cr_err *err)
{
	size_t n = login != NULL ? strlen(login) : 0;

	if (n < 2 || n > ID_LOGIN_MAX)
		return cr_err_set(err, CR_EINVAL, "the login must be 2 to %d characters",
				  ID_LOGIN_MAX);
	if (!isalnum((unsigned char)login[0]))
		return cr_err_set(err, CR_EINVAL, "the login must start with a letter or a digit");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)login[i];
		if (!isalnum(c) && c != '.' && c != '_' && c != '@' && c != '-')
			return cr_err_set(err, CR_EINVAL,
					  "the login may only hold letters, digits and . _ @ -");
	}
	return 0;
}

int id_name_check(const char *name, const char *what, struct cr_err *err)
{
	long n = name != NULL ? cr_utf8_chars(name, false) : -1;

	if (n < 0)
		return cr_err_set(err, CR_EINVAL, "the %s must be text without control characters",
				  what);
	if (n == 0 || name[0] == ' ' || name[strlen(name) - 1] == ' ')
		return cr_err_set(err, CR_EINVAL,
				  "the %s must not be empty or start or end with a space", what);
	if (n > ID_NAME_MAX)
		return cr_err_set(err, CR_EINVAL, "the %s must be at most %d characters", what,
				  ID_NAME_MAX);
	return 0;
}

int id_password_check(const char *password, const char *login, struct cr_err *err)
{
	char nfc[ID_PASSWORD_NFC_MAX + 1];
	size_t n = password != NULL ? strlen(password) : 0;

	if (n > ID_PASSWORD_MAX)
		return cr_err_set(err, CR_EINVAL, "the password must be at most %d bytes of UTF-8",
				  ID_PASSWORD_MAX);
	if (n > 0 && (cr_utf8_chars(password, false) < 0 || id_password_nfc(password, nfc) < 0))
		return cr_err_set(err, CR_EINVAL,
				  "the password must be text without control characters");
	/* From here on the NFC form is what counts (id_password_chars() and
	 * id_password_common() take it themselves): it is what is hashed. */
	if (n == 0 || id_password_chars(password) < ID_PASSWORD_MIN)
		return cr_err_set(err, CR_EINVAL, "the password must be at least %d characters",
				  ID_PASSWORD_MIN);
	if (login != NULL && strcasecmp(nfc, login) == 0)
		return cr_err_set(err, CR_EINVAL, "the password must not be the login");
	if (id_password_common(password))
		return cr_err_set(err, CR_EINVAL,
				  "the password is too common (on a list of often used or leaked "
				  "passwords); choose another");
	return 0;
}

bool id_workspace_id_valid(const char *id)
{
	if (id == NULL || id[0] != 'w' || strlen(id) != 13)
		return false;
	for (size_t i = 1; i < 13; i++)
		if (!isdigit((unsigned char)id[i]) && (id[i] < 'a' || id[i] > 'f'))
			return false;
	return true;
}

void id_workspace_db(const char *workspace_id, char out[ID_DB_NAME_MAX + 1])
{
	(void)snprintf(out, ID_DB_NAME_MAX + 1, "ws-%s", workspace_id);
}
