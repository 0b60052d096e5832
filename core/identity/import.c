/* core/identity/import.c: bulk invites from a CSV file. Every line is
 * checked and applied on its own and answered in the report: a bad line
 * never stops the good ones.
 *
 *   login,name,department,title,password
 *   li.lei,李雷,Sales/East,Manager,
 *
 * login and name are required columns; department is a path below the
 * root (made if missing); an empty password gets a generated one, shown
 * once in the report. An existing account (by login) is not added: it is
 * sent an invitation (invitations.c), and joins when it accepts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "identity_int.h"
#include "workspace.h"

#define IMPORT_ROWS_MAX 2000
#define GENERATED_BYTES 9 /* 12 characters */

enum column { COL_LOGIN, COL_NAME, COL_DEPARTMENT, COL_TITLE, COL_PASSWORD, N_COLS };
static const char *const column_names[N_COLS] = { "login", "name", "department", "title",
						  "password" };

struct import {
	const struct identity *id;
	const struct id_actor *actor;
	int64_t now_us;
	int where[N_COLS]; /* field index of each column, -1 if absent */
	size_t n_fields;
	json_int_t created, invited, failed;
};

static int header(struct import *im, const struct id_csv_row *h, struct cr_err *err)
{
	for (int c = 0; c < N_COLS; c++)
		im->where[c] = -1;
	for (size_t f = 0; f < h->n; f++) {
		int c = 0;
		while (c < N_COLS && strcasecmp(h->fields[f], column_names[c]) != 0)
			c++;
		if (c == N_COLS)
			return cr_err_set(err, CR_EINVAL,
					  "unknown column '%s' (expected login, name, department, "
					  "title, password)",
					  h->fields[f]);
		if (im->where[c] >= 0)
			return cr_err_set(err, CR_EINVAL, "column '%s' appears twice",
					  column_names[c]);
		im->where[c] = (int)f;
	}
	if (im->where[COL_LOGIN] < 0 || im->where[COL_NAME] < 0)
		return cr_err_set(err, CR_EINVAL,
				  "the header must name the login and name columns");
	im->n_fields = h->n;
	return 0;
}

static const char *col(const struct import *im, const struct id_csv_row *r, enum column c)
{
	return im->where[c] >= 0 ? r->fields[im->where[c]] : "";
}

/* The existing account of login, or 0. */
static int64_t account_of(const struct import *im, const char *login)
{
	struct storage_value p = storage_text(login);
	struct storage_rows rows;
	int64_t id = 0;

	if (storage_query(im->id->store, STORAGE_DB_SYSTEM,
			  "SELECT id FROM account WHERE login = ?", &p, 1, &rows, NULL) == 0 &&
	    rows.n_rows > 0)
		id = storage_rows_int(&rows, 0, 0, 0);
	storage_rows_close(&rows);
	return id;
}

/* An existing account's line: an invitation, unless it is a member. */
static int invite(struct import *im, int64_t account, const char *login, int64_t dept,
		  const char *title, struct cr_err *err)
{
	struct storage_value p[2] = { storage_text(im->actor->workspace_id), storage_int(account) };
	struct storage_rows rows;
	int rc = storage_query(im->id->store, STORAGE_DB_SYSTEM,
			       "SELECT 1 FROM workspace_member WHERE workspace_id = ? AND "
			       "account_id = ?",
			       p, 2, &rows, err);

	if (rc == 0 && rows.n_rows > 0)
		rc = cr_err_set(err, CR_ECONFLICT, "'%s' is already a member", login);
	storage_rows_close(&rows);
	if (rc == 0)
		rc = id_invitation_send(im->id, im->actor, account, NULL, dept, title, im->now_us,
					err);
	return rc;
}

/* Apply one line; *generated gets a made-up password when one was used. */
static int line(struct import *im, const struct id_csv_row *r, char *generated, bool *created,
		struct cr_err *err)
{
	struct id_new_account in;
	const char *dept_path, *title;
	int64_t dept = ID_ROOT_DEPARTMENT, account = 0, joined = 0;
	int rc;

	if (r->n != im->n_fields)
		return cr_err_set(err, CR_EINVAL, "expected %zu fields, found %zu", im->n_fields,
				  r->n);
	in = (struct id_new_account){ col(im, r, COL_LOGIN), col(im, r, COL_NAME),
				      col(im, r, COL_PASSWORD) };
	dept_path = col(im, r, COL_DEPARTMENT);
	title = col(im, r, COL_TITLE);
	rc = id_login_check(in.login, err);
	if (rc == 0 && title[0] != '\0')
		rc = id_name_check(title, "title", err);
	if (rc == 0)
		account = account_of(im, in.login);
	if (rc == 0 && account == 0) {
		rc = id_name_check(in.name, "name", err);
		if (rc == 0 && in.password[0] == '\0') {
			rc = id_token_new(im->id, GENERATED_BYTES, generated, 16);
			in.password = generated;
		}
		if (rc == 0)
			rc = id_password_check(in.password, in.login, err);
	}
	if (rc == 0 && account != 0 && im->actor->via_api_key)
		rc = cr_err_set(err, CR_EDENIED,
				"the login belongs to an existing account: an API key only creates "
				"new ones");
	if (rc == 0 && dept_path[0] != '\0')
		rc =
		    id_department_ensure_path(im->id, im->actor, dept_path, im->now_us, &dept, err);
	if (rc == 0) {
		struct id_facts f;
		rc = id_facts_load(im->id, im->actor, &f, err);
		if (rc == 0)
			rc = id_authz_contacts(im->actor, &f, ID_CONTACTS_CHANGE, &dept, 1, false,
					       err);
		id_facts_free(&f);
	}
	if (rc == 0 && account != 0)
		rc = invite(im, account, in.login, dept, title, err);
	else if (rc == 0)
		rc = id_member_join(im->id, im->actor->workspace_id, 0, &in, title, &dept, 1, NULL,
				    0, NULL, im->now_us, &joined, err);
	*created = account == 0;
	if (account != 0)
		generated[0] = '\0';
	return rc;
}

/* Was login on an earlier line of the file? Its row number, or 0. */
static size_t earlier(const struct import *im, const struct id_csv *csv, size_t upto,
		      const char *login)
{
	for (size_t k = 1; k < upto; k++)
		if (csv->rows[k].n == im->n_fields &&
		    strcasecmp(col(im, &csv->rows[k], COL_LOGIN), login) == 0)
			return csv->rows[k].line;
	return 0;
}

int id_members_import(const struct identity *id, const struct id_actor *actor, const char *csv_text,
		      int64_t now_us, json_t **report, struct cr_err *err)
{
	struct import im = { .id = id, .actor = actor, .now_us = now_us };
	struct id_csv csv;
	struct id_facts f;
	json_t *rows;
	int rc = id_facts_load(id, actor, &f, err);

	if (rc == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_VIEW, NULL, 0, false, err);
	if (rc == 0 && !actor->via_api_key && actor->role != ID_ROLE_SUPER_ADMIN &&
	    actor->role != ID_ROLE_SYSTEM_ADMIN && f.n_admin_of == 0)
		rc = id_authz_contacts(actor, &f, ID_CONTACTS_CHANGE, NULL, 0, false, err);
	id_facts_free(&f);
	if (rc < 0)
		return rc;
	if (csv_text == NULL)
		return cr_err_set(err, CR_EINVAL, "'csv' (the file's text) is required");
	rc = id_csv_parse(csv_text, IMPORT_ROWS_MAX + 1, &csv, err);
	if (rc < 0)
		return rc;
	if (csv.n_rows == 0)
		rc = cr_err_set(err, CR_EINVAL, "the file is empty; a header line is required");
	if (rc == 0)
		rc = header(&im, &csv.rows[0], err);
	if (rc < 0) {
		id_csv_close(&csv);
		return rc;
	}
	rows = json_array();
	for (size_t k = 1; k < csv.n_rows; k++) {
		const struct id_csv_row *r = &csv.rows[k];
		struct cr_err lerr = { 0 };
		char generated[16] = "";
		bool created = false;
		size_t dup =
		    r->n == im.n_fields ? earlier(&im, &csv, k, col(&im, r, COL_LOGIN)) : 0;
		int lrc = dup > 0
			      ? cr_err_set(&lerr, CR_ECONFLICT,
					   "the login appears earlier in the file (line %zu)", dup)
			      : line(&im, r, generated, &created, &lerr);
		json_t *o =
		    json_pack("{s:I, s:s, s:b}", "row", (json_int_t)r->line, "login",
			      r->n == im.n_fields ? col(&im, r, COL_LOGIN) : "", "ok", lrc == 0);
		if (lrc < 0) {
			json_object_set_new(o, "error", json_string(lerr.msg));
			im.failed++;
		} else if (created) {
			im.created++;
			if (generated[0] != '\0')
				json_object_set_new(o, "generated_password",
						    json_string(generated));
		} else {
			im.invited++;
			json_object_set_new(o, "invited", json_true());
		}
		json_array_append_new(rows, o);
	}
	id_csv_close(&csv);
	*report = json_pack("{s:I, s:I, s:I, s:o}", "created", im.created, "invited", im.invited,
			    "failed", im.failed, "rows", rows);
	return 0;
}
