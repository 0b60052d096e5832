/* core/forms/form_check.c: a new form definition checked before it is
 * saved: every field by the registry (fm_field_check), the keys beside
 * the type's (unique, default, show_when, ...), serial parts, limits; and
 * choices removed since the last version kept as retired. Pure. */
#include <stdio.h>
#include <string.h>

#include "../../lib/text.h"
#include "../identity/body.h"
#include "conditions.h"
#include "form_model.h"

#define FORM_ENTRIES_MAX 400 /* fields incl. layout ones */

static const char *const FIELD_KEYS[] = { "id",     "type",     "label",       "required",
					  "unique", "default",  "placeholder", "help",
					  "hidden", "readonly", "show_when",   "options",
					  NULL };

static int text_opt(const json_t *fld, const char *key, size_t max, struct cr_err *err)
{
	const json_t *v = json_object_get(fld, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || cr_utf8_chars(json_string_value(v), false) < 0 ||
	    cr_utf8_chars(json_string_value(v), false) > (long)max)
		return cr_err_set(err, CR_EINVAL, "'%s' must be text of at most %zu characters",
				  key, max);
	return 0;
}

static int bool_opt(const json_t *fld, const char *key, struct cr_err *err)
{
	const json_t *v = json_object_get(fld, key);

	if (v != NULL && !json_is_boolean(v))
		return cr_err_set(err, CR_EINVAL, "'%s' must be true or false", key);
	return 0;
}

/* One field of the definition beyond fm_field_check: the common keys. */
static int field_extra_check(const json_t *fields, const json_t *fld, struct cr_err *err)
{
	const char *id = json_string_value(json_object_get(fld, "id"));
	const char *type = json_string_value(json_object_get(fld, "type"));
	const char *key;
	const json_t *v;
	const json_t *dflt = json_object_get(fld, "default");
	int rc = 0;

	json_object_foreach((json_t *)fld, key, v)
	{
		bool known = false;
		for (size_t k = 0; FIELD_KEYS[k] != NULL; k++)
			known = known || strcmp(FIELD_KEYS[k], key) == 0;
		if (!known)
			return cr_err_set(err, CR_EINVAL, "field '%s': unknown key '%s'", id, key);
	}
	if (rc == 0)
		rc = text_opt(fld, "placeholder", 200, err);
	if (rc == 0)
		rc = text_opt(fld, "help", 200, err);
	if (rc == 0)
		rc = bool_opt(fld, "unique", err);
	if (rc == 0)
		rc = bool_opt(fld, "hidden", err);
	if (rc == 0)
		rc = bool_opt(fld, "readonly", err);
	if (rc < 0)
		return cr_err_wrap(err, "field '%s'", id);
	if (json_is_true(json_object_get(fld, "unique")) && !fm_type_get(type)->may_be_unique)
		return cr_err_set(err, CR_EINVAL, "field '%s': a %s field cannot be unique", id,
				  type);
	if (dflt != NULL && !json_is_null(dflt)) {
		json_t *norm = NULL;
		json_t *loose = json_deep_copy(fld);
		if (fm_type_get(type)->is_generated || fm_type_get(type)->kind == FM_KIND_NONE) {
			json_decref(loose);
			return cr_err_set(err, CR_EINVAL, "field '%s' takes no default", id);
		}
		json_object_set_new(loose, "required", json_false());
		rc = fm_value_check(loose, dflt, &norm, err);
		json_decref(loose);
		json_decref(norm);
		if (rc < 0)
			return cr_err_wrap(err, "field '%s': the default", id);
	}
	return fm_show_when_check(fields, id, json_object_get(fld, "show_when"), err);
}

/* Serial parts name fields of this form that hold a value. */
static int serial_fields_check(const json_t *fields, const json_t *fld, struct cr_err *err)
{
	size_t i;
	const json_t *part;

	json_array_foreach(json_object_get(json_object_get(fld, "options"), "parts"), i, part)
	{
		const char *ref = json_string_value(json_object_get(part, "field"));
		const json_t *target = ref != NULL ? fm_field_by_id(fields, ref) : NULL;
		const char *type = json_string_value(json_object_get(target, "type"));
		if (ref == NULL)
			continue;
		if (target == NULL || !fm_type_get(type)->is_serial_part)
			return cr_err_set(err, CR_EINVAL,
					  "serial field '%s' uses '%s', which is not a text, "
					  "number, date or choice field of this form",
					  json_string_value(json_object_get(fld, "id")), ref);
	}
	return 0;
}

int fm_definition_check(const json_t *fields, struct cr_err *err)
{
	size_t i, n_values = 0;
	const json_t *fld;

	if (!json_is_array(fields) || json_array_size(fields) > FORM_ENTRIES_MAX)
		return cr_err_set(err, CR_EINVAL, "'fields' must be a list of at most %d fields",
				  FORM_ENTRIES_MAX);
	json_array_foreach(fields, i, fld)
	{
		const char *id;
		if (fm_field_check(fld, err) < 0)
			return CR_EINVAL;
		id = json_string_value(json_object_get(fld, "id"));
		for (size_t k = 0; k < i; k++)
			if (strcmp(
				json_string_value(json_object_get(json_array_get(fields, k), "id")),
				id) == 0)
				return cr_err_set(err, CR_EINVAL, "field id '%s' appears twice",
						  id);
		if (id[0] == '_')
			return cr_err_set(err, CR_EINVAL,
					  "field id '%s': ids starting with _ are the system's",
					  id);
		if (field_extra_check(fields, fld, err) < 0)
			return CR_EINVAL;
		if (fm_type_get(json_string_value(json_object_get(fld, "type")))->kind !=
		    FM_KIND_NONE)
			n_values++;
	}
	json_array_foreach(fields, i, fld)
	{
		const char *type = json_string_value(json_object_get(fld, "type"));
		if (fm_type_get(type)->is_generated && serial_fields_check(fields, fld, err) < 0)
			return CR_EINVAL;
	}
	if (n_values > FM_FIELDS_MAX)
		return cr_err_set(err, CR_EINVAL, "a form holds at most %d fields with values",
				  FM_FIELDS_MAX);
	return 0;
}

void fm_choices_retire(json_t *fields, const json_t *old_fields)
{
	size_t i, k;
	json_t *fld;
	const json_t *oc;

	json_array_foreach(fields, i, fld)
	{
		const char *type = json_string_value(json_object_get(fld, "type"));
		const json_t *old =
		    fm_field_by_id(old_fields, json_string_value(json_object_get(fld, "id")));
		json_t *choices = json_object_get(json_object_get(fld, "options"), "choices");
		if (old == NULL || !json_is_array(choices) ||
		    fm_type_get(type)->choices == FM_CHOICES_NONE)
			continue;
		json_array_foreach(json_object_get(json_object_get(old, "options"), "choices"), k,
				   oc)
		{
			bool kept = false;
			size_t j;
			const json_t *nc;
			json_array_foreach(choices, j, nc) kept =
			    kept ||
			    json_equal(json_object_get(nc, "id"), json_object_get(oc, "id"));
			if (!kept && json_array_size(choices) < FM_CHOICES_MAX) {
				json_t *r = json_deep_copy(oc);
				json_object_set_new(r, "retired", json_true());
				json_array_append_new(choices, r);
			}
		}
	}
}
