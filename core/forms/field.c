/* core/forms/field.c: the registry and the checks common to every field
 * (id, label, required); each type's own checks are in field_types.c. */
#include "field.h"

#include <string.h>

#include "field_int.h"

const struct fm_type fm_types[] = {
	{ "text", FM_STORE_TEXT, fm_text_options, fm_line_value },
	{ "textarea", FM_STORE_TEXT, fm_textarea_options, fm_text_value },
	{ "richtext", FM_STORE_TEXT, fm_richtext_options, fm_text_value },
	{ "number", FM_STORE_REAL, fm_number_options, fm_number_value },
	{ "money", FM_STORE_REAL, fm_money_options, fm_number_value },
	{ "percent", FM_STORE_REAL, fm_number_options, fm_number_value },
	{ "duration", FM_STORE_INTEGER, fm_no_options, fm_duration_value },
	{ "rating", FM_STORE_INTEGER, fm_rating_options, fm_rating_value },
	{ "date", FM_STORE_TEXT, fm_no_options, fm_date_value },
	{ "datetime", FM_STORE_TEXT, fm_no_options, fm_datetime_value },
	{ "timerange", FM_STORE_JSON, fm_no_options, fm_timerange_value },
	{ "email", FM_STORE_TEXT, fm_no_options, fm_email_value },
	{ "phone", FM_STORE_TEXT, fm_no_options, fm_phone_value },
	{ "link", FM_STORE_TEXT, fm_no_options, fm_link_value },
	{ "radio", FM_STORE_TEXT, fm_choice_options, fm_choice_value },
	{ "select", FM_STORE_TEXT, fm_choice_options, fm_choice_value },
	{ "checkbox", FM_STORE_SIDE, fm_choice_options, fm_choices_value },
	{ "member", FM_STORE_SIDE, fm_ref_options, fm_ref_value },
	{ "department", FM_STORE_SIDE, fm_ref_options, fm_ref_value },
	{ "attachment", FM_STORE_SIDE, fm_file_options, fm_file_value },
	{ "image", FM_STORE_SIDE, fm_file_options, fm_image_value },
	{ "address", FM_STORE_JSON, fm_no_options, fm_address_value },
	{ "location", FM_STORE_JSON, fm_no_options, fm_location_value },
	{ "subtable", FM_STORE_SIDE, fm_subtable_options, fm_subtable_value },
	{ "description", FM_STORE_NONE, fm_description_options, fm_no_value },
	{ "divider", FM_STORE_NONE, fm_no_options, fm_no_value },
	{ "section", FM_STORE_NONE, fm_no_options, fm_no_value }, /* starts a titled section */
	{ "serial", FM_STORE_TEXT, fm_serial_options, fm_no_value },
	{ "signature", FM_STORE_SIDE, fm_no_options, fm_signature_value },
	{ "barcode", FM_STORE_TEXT, fm_no_options, fm_barcode_value },
	{ NULL, FM_STORE_NONE, NULL, NULL },
};

const struct fm_type *fm_type_find(const char *name)
{
	for (const struct fm_type *t = fm_types; name != NULL && t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static bool id_valid(const char *id)
{
	size_t n = id != NULL ? strlen(id) : 0;

	if (n == 0 || n > FM_FIELD_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') ||
		      id[i] == '_'))
			return false;
	return true;
}

static const json_t *options_of(const json_t *field)
{
	static json_t *empty; /* {} for fields without options; never freed */
	const json_t *o = json_object_get(field, "options");

	if (o != NULL)
		return o;
	if (empty == NULL)
		empty = json_object();
	return empty;
}

int fm_field_check(const json_t *field, struct cr_err *err)
{
	const char *id = json_string_value(json_object_get(field, "id"));
	const char *type = json_string_value(json_object_get(field, "type"));
	const json_t *label = json_object_get(field, "label");
	const json_t *required = json_object_get(field, "required");
	const json_t *options = json_object_get(field, "options");
	const struct fm_type *t = fm_type_find(type);

	if (!json_is_object(field))
		return cr_err_set(err, CR_EINVAL, "a field must be a JSON object");
	if (!id_valid(id))
		return cr_err_set(err, CR_EINVAL, "a field's id must be 1 to %d of a-z, 0-9 and _",
				  FM_FIELD_ID_MAX);
	if (t == NULL)
		return cr_err_set(err, CR_EINVAL, "field '%s': unknown type '%s'", id,
				  type != NULL ? type : "");
	if (fm_text_check(label, 1, FM_LABEL_MAX, "label", err) < 0)
		return cr_err_wrap(err, "field '%s'", id);
	if (required != NULL && !json_is_boolean(required))
		return cr_err_set(err, CR_EINVAL, "field '%s': 'required' must be true or false",
				  id);
	if (options != NULL && !json_is_object(options))
		return cr_err_set(err, CR_EINVAL, "field '%s': 'options' must be an object", id);
	if (t->check_options(options_of(field), err) < 0)
		return cr_err_wrap(err, "field '%s'", id);
	return 0;
}

bool fm_value_empty(const json_t *v)
{
	return v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

int fm_value_check(const json_t *field, const json_t *value, json_t **out, struct cr_err *err)
{
	const char *label = json_string_value(json_object_get(field, "label"));
	const struct fm_type *t = fm_type_find(json_string_value(json_object_get(field, "type")));
	json_t *norm = NULL;

	if (t == NULL)
		return cr_err_set(err, CR_EINTERNAL, "a field of unknown type");
	if (label == NULL)
		label = json_string_value(json_object_get(field, "id"));
	if (fm_value_empty(value) && t->storage != FM_STORE_NONE) {
		if (json_is_true(json_object_get(field, "required")))
			return cr_err_set(err, CR_EINVAL, "'%s' is required", label);
		*out = json_null();
		return 0;
	}
	if (t->check_value(options_of(field), value != NULL ? value : json_null(), &norm, err) < 0)
		return cr_err_wrap(err, "'%s'", label);
	*out = norm;
	return 0;
}
