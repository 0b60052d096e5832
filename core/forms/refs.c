/* core/forms/refs.c: the names of the members and departments that record
 * values refer to, as an answer shows them ("refs"). That new values name
 * what exists is store_check.c.
 *
 * refs name only the workspace's own: its members (active or deactivated)
 * and its departments. An id that names no one of them (someone removed
 * from the workspace, a value written before a check) is left out, so a
 * record shows only people its reader may know of; a reader needs no
 * contacts right to see whom their own record names. */
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/buf.h"
#include "forms_int.h"

/* Names of ids into out ({"<id>": name}): select is a query of (id, name)
 * ending in "IN (", whose first parameter is ws if ws is not NULL. */
static int names_of(const struct forms *f, const char *db, const char *select, const char *ws,
		    const int64_t *ids, size_t n, json_t *out, struct cr_err *err)
{
	for (size_t i = 0; i < n; i += 200) {
		struct storage_value p[201];
		struct storage_rows rows;
		struct cr_buf sql;
		size_t m = n - i < 200 ? n - i : 200, np = 0;
		int rc;
		cr_buf_init(&sql, 4096); /* the select and 200 ", ?" */
		if (ws != NULL)
			p[np++] = storage_text(ws);
		FM_SQL_PRINTF(&sql, "%s?", select);
		p[np++] = storage_int(ids[i]);
		for (size_t k = 1; k < m; k++) {
			FM_SQL_PRINTF(&sql, ", ?");
			p[np++] = storage_int(ids[i + k]);
		}
		FM_SQL_PRINTF(&sql, ")");
		rc = storage_query(f->id->store, db, sql.data, p, (unsigned)np, &rows, err);
		for (size_t r = 0; rc == 0 && r < rows.n_rows; r++) {
			char key[24];
			(void)snprintf(key, sizeof(key), "%lld",
				       (long long)storage_rows_int(&rows, r, 0, 0));
			json_object_set_new(out, key, json_string(storage_rows_text(&rows, r, 1)));
		}
		storage_rows_close(&rows);
		cr_buf_close(&sql);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int fm_refs(const struct forms *f, const struct id_actor *a, const int64_t *members,
	    size_t n_members, const int64_t *depts, size_t n_depts, json_t **out,
	    struct cr_err *err)
{
	json_t *m = json_object(), *d = json_object();
	int rc = names_of(f, STORAGE_DB_SYSTEM,
			  "SELECT a.id, a.name FROM account a JOIN workspace_member w "
			  "ON w.account_id = a.id AND w.workspace_id = ? WHERE a.id IN (",
			  a->workspace_id, members, n_members, m, err);

	if (rc == 0)
		rc = names_of(f, a->db, "SELECT id, name FROM department WHERE id IN (", NULL,
			      depts, n_depts, d, err);
	if (rc < 0) {
		json_decref(m);
		json_decref(d);
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "members", m, "departments", d);
	return 0;
}

void fm_person_name(json_t *rec, const char *key, const json_t *members)
{
	json_t *p = json_object_get(rec, key);
	char id[24];

	if (!json_is_object(p))
		return;
	(void)snprintf(id, sizeof(id), "%lld",
		       (long long)json_integer_value(json_object_get(p, "id")));
	json_object_set(p, "name",
			json_object_get(members, id) != NULL ? json_object_get(members, id)
							     : json_null());
}

int fm_records_refs(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		    const json_t *records, json_t *out, struct cr_err *err)
{
	struct fm_ids members = { 0 }, depts = { 0 };
	json_t *refs = NULL;
	size_t i;
	const json_t *rec;
	int rc;

	json_array_foreach(records, i, rec)
	{
		fm_record_ids(form, rec, &members, &depts);
	}
	rc = fm_refs(f, a, members.v, members.n, depts.v, depts.n, &refs, err);
	if (rc == 0) {
		json_array_foreach(records, i, rec)
		{
			fm_person_name((json_t *)rec, "created_by",
				       json_object_get(refs, "members"));
			fm_person_name((json_t *)rec, "updated_by",
				       json_object_get(refs, "members"));
		}
		json_object_set_new(out, "refs", refs);
	}
	free(members.v);
	free(depts.v);
	return rc;
}
