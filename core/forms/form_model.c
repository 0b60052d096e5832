/* core/forms/form_model.c: pure questions about a loaded form (its
 * columns, its fields) and the ids its records refer to. */
#include "form_model.h"

#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"

void fm_form_free(struct fm_form *form)
{
	json_decref(form->fields);
	free(form->cols);
	memset(form, 0, sizeof(*form));
}

const struct fm_col *fm_form_col(const struct fm_form *form, const char *id)
{
	for (size_t i = 0; i < form->n_live; i++)
		if (strcmp(form->cols[i].id, id) == 0)
			return &form->cols[i];
	return NULL;
}

const json_t *fm_field_by_id(const json_t *fields, const char *id)
{
	size_t i;
	const json_t *fld;

	json_array_foreach(fields, i, fld)
	{
		const char *fid = json_string_value(json_object_get(fld, "id"));
		if (fid != NULL && id != NULL && strcmp(fid, id) == 0)
			return fld;
	}
	return NULL;
}

void fm_ids_add(struct fm_ids *ids, int64_t id)
{
	if (id <= 0)
		return;
	for (size_t i = 0; i < ids->n; i++)
		if (ids->v[i] == id)
			return;
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 16;
		ids->v = cr_realloc(ids->v, cap * sizeof(*ids->v));
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
}

void fm_value_ids(const json_t *v, struct fm_ids *ids)
{
	size_t i;
	const json_t *e;

	if (json_is_integer(v))
		fm_ids_add(ids, json_integer_value(v));
	json_array_foreach(v, i, e)
	{
		fm_ids_add(ids, json_integer_value(e));
	}
}

/* The ids in value v of a field of type t, to members or depts. */
static void ref_ids(const struct fm_type *t, const json_t *v, struct fm_ids *members,
		    struct fm_ids *depts)
{
	if (t->ref == FM_REF_MEMBER)
		fm_value_ids(v, members);
	else if (t->ref == FM_REF_DEPARTMENT)
		fm_value_ids(v, depts);
}

/* The ids in the rows of a sub-table value (subfields: its row fields). */
static void rows_ids(const json_t *subfields, const json_t *rows, struct fm_ids *members,
		     struct fm_ids *depts)
{
	size_t r, k;
	const json_t *row, *sf;

	json_array_foreach(rows, r, row)
	{
		json_array_foreach(subfields, k, sf)
		{
			ref_ids(fm_type_get(json_string_value(json_object_get(sf, "type"))),
				json_object_get(row, json_string_value(json_object_get(sf, "id"))),
				members, depts);
		}
	}
}

void fm_record_ids(const struct fm_form *form, const json_t *record, struct fm_ids *members,
		   struct fm_ids *depts)
{
	const json_t *values = json_object_get(record, "values");

	fm_ids_add(members, json_integer_value(
				json_object_get(json_object_get(record, "created_by"), "id")));
	fm_ids_add(members, json_integer_value(
				json_object_get(json_object_get(record, "updated_by"), "id")));
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *v = json_object_get(values, c->id);
		const json_t *subfields = fm_field_subfields(c->field);
		ref_ids(c->t, v, members, depts);
		if (subfields != NULL)
			rows_ids(subfields, v, members, depts);
	}
}
