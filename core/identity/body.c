/* core/identity/body.c: reading request bodies with clear errors, and the
 * link-table helpers the org files share. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"
#include "../../lib/text.h"
#include "identity_int.h"
#include "workspace.h"

int id_body_object(const json_t *body, struct cr_err *err)
{
	if (!json_is_object(body))
		return cr_err_set(err, CR_EINVAL, "the request body must be a JSON object");
	return 0;
}

int id_body_string(const json_t *body, const char *key, bool required, const char **out,
		   struct cr_err *err)
{
	const json_t *v = json_object_get(body, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return cr_err_set(err, CR_EINVAL, "'%s' is required", key);
		return 0;
	}
	if (!json_is_string(v))
		return cr_err_set(err, CR_EINVAL, "'%s' must be a string", key);
	*out = json_string_value(v);
	if (strlen(*out) != json_string_length(v))
		return cr_err_set(err, CR_EINVAL, "'%s' must not contain NUL characters", key);
	return 0;
}

int id_body_id(const json_t *body, const char *key, int64_t *out, bool *present, struct cr_err *err)
{
	const json_t *v = json_object_get(body, key);

	*present = v != NULL && !json_is_null(v);
	*out = 0;
	if (!*present)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return cr_err_set(err, CR_EINVAL, "'%s' must be a positive integer id", key);
	*out = json_integer_value(v);
	return 0;
}

int id_body_ids(const json_t *body, const char *key, size_t max, int64_t **out, size_t *n,
		bool *present, struct cr_err *err)
{
	const json_t *v = json_object_get(body, key);
	size_t i;
	const json_t *e;

	*out = NULL;
	*n = 0;
	*present = v != NULL && !json_is_null(v);
	if (!*present)
		return 0;
	if (!json_is_array(v))
		return cr_err_set(err, CR_EINVAL, "'%s' must be an array of ids", key);
	if (json_array_size(v) > max)
		return cr_err_set(err, CR_ETOOBIG, "'%s' may hold at most %zu ids", key, max);
	*out = cr_calloc(json_array_size(v) + 1, sizeof(**out));
	json_array_foreach(v, i, e)
	{
		int64_t x = json_is_integer(e) ? json_integer_value(e) : 0;
		if (x < 1) {
			free(*out);
			*out = NULL;
			return cr_err_set(err, CR_EINVAL, "'%s' must hold positive integer ids",
					  key);
		}
		bool seen = false;
		for (size_t k = 0; k < *n; k++)
			seen = seen || (*out)[k] == x;
		if (!seen)
			(*out)[(*n)++] = x;
	}
	return 0;
}

int id_body_keys(const json_t *body, const char *const *keys, struct cr_err *err)
{
	const char *k;
	const json_t *v;

	json_object_foreach((json_t *)body, k, v)
	{
		bool known = false;
		for (size_t i = 0; keys[i] != NULL && !known; i++)
			known = strcmp(keys[i], k) == 0;
		if (!known)
			return cr_err_set(err, CR_EINVAL, "unknown field '%s'", k);
	}
	return 0;
}

int id_body_int(const json_t *body, const char *key, int64_t dflt, int64_t min, int64_t max,
		int64_t *out, struct cr_err *err)
{
	const json_t *v = json_object_get(body, key);

	*out = dflt;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return cr_err_set(err, CR_EINVAL, "'%s' must be an integer from %lld to %lld", key,
				  (long long)min, (long long)max);
	*out = json_integer_value(v);
	return 0;
}

int id_body_name(const json_t *body, const char *what, const char **name, struct cr_err *err)
{
	static const char *const keys[] = { "name", NULL };
	int rc = id_body_object(body, err);

	if (rc == 0)
		rc = id_body_keys(body, keys, err);
	if (rc == 0)
		rc = id_body_string(body, "name", true, name, err);
	if (rc == 0)
		rc = id_name_check(*name, what, err);
	return rc;
}

json_t *id_ids_json(const int64_t *ids, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

int id_tx_links_set(struct storage_tx *tx, const char *table, const char *owner_col, int64_t owner,
		    const int64_t *ids, size_t n, struct cr_err *err)
{
	char sql[160];
	struct storage_value p[2] = { storage_int(owner), storage_int(0) };
	int rc;

	/* table and owner_col are this module's constants, never input. */
	cr_format_fixed(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?", table, owner_col);
	rc = storage_tx_exec(tx, sql, p, 1, NULL, err);
	cr_format_fixed(sql, sizeof(sql), "INSERT INTO %s (%s, account_id) VALUES (?, ?)", table,
			owner_col);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		p[1] = storage_int(ids[i]);
		rc = storage_tx_exec(tx, sql, p, 2, NULL, err);
	}
	return rc;
}

int id_accounts_are_members(const struct identity *id, const char *workspace_id, const int64_t *ids,
			    size_t n, struct cr_err *err)
{
	struct storage_value p = storage_text(workspace_id);
	struct storage_rows rows;
	int rc;

	if (n == 0)
		return 0;
	rc = storage_query(id->store, STORAGE_DB_SYSTEM,
			   "SELECT account_id FROM workspace_member WHERE workspace_id = ?", &p, 1,
			   &rows, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		bool found = false;
		for (size_t r = 0; r < rows.n_rows && !found; r++)
			found = storage_rows_int(&rows, r, 0, 0) == ids[i];
		if (!found)
			rc = cr_err_set(err, CR_EINVAL,
					"account %lld is not a member of this workspace",
					(long long)ids[i]);
	}
	storage_rows_close(&rows);
	return rc;
}

json_t *id_links_of(const struct storage_rows *rows, int64_t owner)
{
	json_t *a = json_array();

	for (size_t r = 0; r < rows->n_rows; r++)
		if (storage_rows_int(rows, r, 0, 0) == owner)
			json_array_append_new(a, json_integer(storage_rows_int(rows, r, 1, 0)));
	return a;
}
