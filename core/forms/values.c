/* core/forms/values.c: the values of a new or changed record checked and
 * normalized against the form: each by its type (the registry), defaults,
 * read-only fields, retired choices, show_when (hidden fields are
 * emptied) and required fields. Pure: what only the store knows (members,
 * departments, uploaded files) is checked after, by refs.c. */
#include "values.h"

#include <string.h>

#include "conditions.h"

static const char *label_of(const json_t *field)
{
	return json_string_value(json_object_get(field, "label"));
}

static bool retired_choice(const json_t *field, const json_t *id)
{
	size_t i;
	const json_t *c;

	json_array_foreach(json_object_get(json_object_get(field, "options"), "choices"), i, c)
	{
		if (json_equal(json_object_get(c, "id"), id))
			return json_is_true(json_object_get(c, "retired"));
	}
	return false;
}

/* A given (non-empty) value checked and normalized; retired choices are
 * refused for new values. */
static int value_norm(const json_t *field, const json_t *v, json_t **out, struct cr_err *err)
{
	enum fm_choices choices =
	    fm_type_get(json_string_value(json_object_get(field, "type")))->choices;
	size_t i;
	const json_t *e;

	if (fm_value_empty(v)) {
		*out = json_null();
		return 0;
	}
	if (fm_value_check(field, v, out, err) < 0)
		return CR_EINVAL;
	if (choices == FM_CHOICES_ONE) {
		if (retired_choice(field, *out))
			goto retired;
	} else if (choices == FM_CHOICES_MANY) {
		json_array_foreach(*out, i, e)
		{
			if (retired_choice(field, e))
				goto retired;
		}
	}
	return 0;
retired:
	json_decref(*out);
	*out = NULL;
	return cr_err_set(err, CR_EINVAL, "'%s': that choice was removed from the form",
			  label_of(field));
}

/* Visible fields keep their values; hidden by show_when, they are
 * emptied. Then required visible fields must have one. */
static int visibility(const struct fm_form *form, json_t *values, json_t *changes_or_null,
		      struct cr_err *err)
{
	for (size_t i = 0; i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *sw = json_object_get(c->field, "show_when");
		if (sw != NULL && !json_is_null(sw) && !fm_show_when(form->fields, sw, values)) {
			if (!json_is_null(json_object_get(values, c->id)) &&
			    changes_or_null != NULL)
				json_object_set_new(changes_or_null, c->id, json_null());
			json_object_set_new(values, c->id, json_null());
			continue;
		}
		if (!c->t->is_generated && json_is_true(json_object_get(c->field, "required")) &&
		    json_is_null(json_object_get(values, c->id)))
			return cr_err_set(err, CR_EINVAL, "'%s' is required", c->label);
	}
	return 0;
}

static int unknown_keys(const struct fm_form *form, const json_t *given, struct cr_err *err)
{
	const char *key;
	const json_t *v;

	if (given != NULL && !json_is_object(given))
		return cr_err_set(err, CR_EINVAL, "'values' must be an object of field id: value");
	json_object_foreach((json_t *)given, key, v)
	{
		const struct fm_col *c = fm_form_col(form, key);
		if (c == NULL)
			return cr_err_set(err, CR_EINVAL, "this form has no field '%s'", key);
		if (c->t->is_generated && !json_is_null(v))
			return cr_err_set(err, CR_EINVAL, "'%s' is numbered by Creek", c->label);
	}
	return 0;
}

int fm_values_build(const struct fm_form *form, const json_t *given, json_t **out,
		    struct cr_err *err)
{
	json_t *values;
	int rc = unknown_keys(form, given, err);

	if (rc < 0)
		return rc;
	values = json_object();
	for (size_t i = 0; rc == 0 && i < form->n_live; i++) {
		const struct fm_col *c = &form->cols[i];
		const json_t *dflt = json_object_get(c->field, "default");
		const json_t *v = json_object_get(given, c->id);
		json_t *norm = NULL;
		if (json_is_true(json_object_get(c->field, "readonly")) && v != NULL &&
		    !json_equal(v, dflt != NULL ? dflt : json_null()) && !fm_value_empty(v))
			rc = cr_err_set(err, CR_EINVAL, "'%s' is read-only", c->label);
		if (v == NULL || json_is_true(json_object_get(c->field, "readonly")))
			v = dflt;
		if (rc == 0)
			rc = value_norm(c->field, v, &norm, err);
		if (rc == 0)
			json_object_set_new(values, c->id, norm);
	}
	if (rc == 0)
		rc = visibility(form, values, NULL, err);
	if (rc < 0) {
		json_decref(values);
		return rc;
	}
	*out = values;
	return 0;
}

int fm_values_change(const struct fm_form *form, const json_t *given, const json_t *values,
		     json_t **changed_out, json_t **merged_out, struct cr_err *err)
{
	json_t *merged = json_deep_copy(values);
	json_t *changed = json_object();
	const char *key;
	const json_t *v;
	int rc = unknown_keys(form, given, err);

	json_object_foreach((json_t *)given, key, v)
	{
		const struct fm_col *c = fm_form_col(form, key);
		const json_t *old = json_object_get(merged, key);
		json_t *norm = NULL;
		if (rc < 0)
			break;
		rc = value_norm(c->field, v, &norm, err);
		if (rc < 0)
			break;
		if (json_equal(norm, old)) {
			json_decref(norm);
			continue;
		}
		if (json_is_true(json_object_get(c->field, "readonly"))) {
			json_decref(norm);
			rc = cr_err_set(err, CR_EINVAL, "'%s' is read-only", c->label);
			break;
		}
		json_object_set(changed, key, norm);
		json_object_set_new(merged, key, norm);
	}
	if (rc == 0)
		rc = visibility(form, merged, changed, err);
	if (rc < 0) {
		json_decref(merged);
		json_decref(changed);
		return rc;
	}
	*changed_out = changed;
	*merged_out = merged;
	return 0;
}
