/* core/forms/field.c: the registry of field types (one row each, every
 * property of a type) and the checks common to every field (id, label,
 * required); each type's own checks are in field_types.c, its text
 * conversions in field_cells.c. Pure. */
#include "field.h"

#include <stdio.h>
#include <string.h>

#include "../../lib/text.h"

#include "field_int.h"

const struct fm_type fm_types[] = {
	{ .name = "text",
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_TEXT,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .check_options = fm_text_options,
	  .check_value = fm_line_value,
	  .search_text = fm_search_string,
	  .cell_read = fm_cell_read_text,
	  .cell_write = fm_cell_write_value },
	{ .name = "textarea", /* long text: not indexed, not compared whole */
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_TEXT,
	  .check_options = fm_textarea_options,
	  .check_value = fm_text_value,
	  .search_text = fm_search_string,
	  .cell_read = fm_cell_read_text,
	  .cell_write = fm_cell_write_value },
	{ .name = "richtext",
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_TEXT,
	  .check_options = fm_richtext_options,
	  .check_value = fm_text_value,
	  .search_text = fm_search_string,
	  .cell_read = fm_cell_read_text,
	  .cell_write = fm_cell_write_value },
	{ .name = "number",
	  .kind = FM_KIND_REAL,
	  .ops = FM_OPS_NUMBER,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .check_options = fm_number_options,
	  .check_value = fm_number_value,
	  .cell_read = fm_cell_read_number,
	  .cell_write = fm_cell_write_value },
	{ .name = "money",
	  .kind = FM_KIND_REAL,
	  .ops = FM_OPS_NUMBER,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .check_options = fm_money_options,
	  .check_value = fm_number_value,
	  .cell_read = fm_cell_read_number,
	  .cell_write = fm_cell_write_value },
	{ .name = "percent",
	  .kind = FM_KIND_REAL,
	  .ops = FM_OPS_NUMBER,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .check_options = fm_number_options,
	  .check_value = fm_number_value,
	  .cell_read = fm_cell_read_number,
	  .cell_write = fm_cell_write_value },
	{ .name = "duration", /* seconds */
	  .kind = FM_KIND_INTEGER,
	  .ops = FM_OPS_NUMBER,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .check_options = fm_no_options,
	  .check_value = fm_duration_value,
	  .cell_read = fm_cell_read_duration,
	  .cell_write = fm_cell_write_value },
	{ .name = "rating",
	  .kind = FM_KIND_INTEGER,
	  .ops = FM_OPS_NUMBER,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .has_few_values = true,
	  .check_options = fm_rating_options,
	  .check_value = fm_rating_value,
	  .cell_read = fm_cell_read_number,
	  .cell_write = fm_cell_write_value },
	{ .name = "date", /* YYYY-MM-DD */
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_DATE,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .check_options = fm_no_options,
	  .check_value = fm_date_value,
	  .search_text = fm_search_string,
	  .cell_read = fm_cell_read_date,
	  .cell_write = fm_cell_write_value },
	{ .name = "datetime", /* UTC, RFC 3339 */
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_DATETIME,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .check_options = fm_no_options,
	  .check_value = fm_datetime_value,
	  .search_text = fm_search_string,
	  .cell_read = fm_cell_read_datetime,
	  .cell_write = fm_cell_write_value },
	{ .name = "timerange",
	  .kind = FM_KIND_JSON,
	  .ops = FM_OPS_OTHER,
	  .check_options = fm_no_options,
	  .check_value = fm_timerange_value,
	  .cell_read = fm_cell_read_timerange,
	  .cell_write = fm_cell_write_timerange },
	{ .name = "email",
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_TEXT,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .check_options = fm_no_options,
	  .check_value = fm_email_value,
	  .search_text = fm_search_string,
	  .cell_read = fm_cell_read_text,
	  .cell_write = fm_cell_write_value },
	{ .name = "phone",
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_TEXT,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .check_options = fm_no_options,
	  .check_value = fm_phone_value,
	  .search_text = fm_search_string,
	  .cell_read = fm_cell_read_text,
	  .cell_write = fm_cell_write_value },
	{ .name = "link",
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_TEXT,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .check_options = fm_no_options,
	  .check_value = fm_link_value,
	  .search_text = fm_search_string,
	  .cell_read = fm_cell_read_text,
	  .cell_write = fm_cell_write_value },
	{ .name = "radio",
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_CHOICE,
	  .choices = FM_CHOICES_ONE,
	  .is_sortable = true,
	  .is_serial_part = true,
	  .has_few_values = true,
	  .check_options = fm_choice_options,
	  .check_value = fm_choice_value,
	  .search_text = fm_search_choice,
	  .cell_read = fm_cell_read_choice,
	  .cell_write = fm_cell_write_choice },
	{ .name = "select",
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_CHOICE,
	  .choices = FM_CHOICES_ONE,
	  .is_sortable = true,
	  .is_serial_part = true,
	  .has_few_values = true,
	  .check_options = fm_choice_options,
	  .check_value = fm_choice_value,
	  .search_text = fm_search_choice,
	  .cell_read = fm_cell_read_choice,
	  .cell_write = fm_cell_write_choice },
	{ .name = "checkbox",
	  .kind = FM_KIND_JSON,
	  .ops = FM_OPS_MULTI,
	  .choices = FM_CHOICES_MANY,
	  .check_options = fm_choice_options,
	  .check_value = fm_choices_value,
	  .search_text = fm_search_choices,
	  .cell_read = fm_cell_read_choices,
	  .cell_write = fm_cell_write_choices },
	{ .name = "member",
	  .kind = FM_KIND_JSON,
	  .ops = FM_OPS_MULTI,
	  .ref = FM_REF_MEMBER,
	  .history = FM_HISTORY_NAMED,
	  .check_options = fm_ref_options,
	  .check_value = fm_ref_value,
	  .cell_read = fm_cell_read_ref,
	  .cell_write = fm_cell_write_ref },
	{ .name = "department",
	  .kind = FM_KIND_JSON,
	  .ops = FM_OPS_MULTI,
	  .ref = FM_REF_DEPARTMENT,
	  .history = FM_HISTORY_NAMED,
	  .check_options = fm_ref_options,
	  .check_value = fm_ref_value,
	  .cell_read = fm_cell_read_ref,
	  .cell_write = fm_cell_write_ref },
	{ .name = "attachment",
	  .kind = FM_KIND_JSON,
	  .ops = FM_OPS_OTHER,
	  .is_file = true,
	  .check_options = fm_file_options,
	  .check_value = fm_file_value,
	  .cell_write = fm_cell_write_files },
	{ .name = "image",
	  .kind = FM_KIND_JSON,
	  .ops = FM_OPS_OTHER,
	  .is_file = true,
	  .check_options = fm_file_options,
	  .check_value = fm_image_value,
	  .cell_write = fm_cell_write_files },
	{ .name = "address",
	  .kind = FM_KIND_JSON,
	  .ops = FM_OPS_ADDRESS,
	  .check_options = fm_no_options,
	  .check_value = fm_address_value,
	  .search_text = fm_search_address,
	  .cell_read = fm_cell_read_address,
	  .cell_write = fm_cell_write_address },
	{ .name = "location",
	  .kind = FM_KIND_JSON,
	  .ops = FM_OPS_OTHER,
	  .check_options = fm_no_options,
	  .check_value = fm_location_value,
	  .cell_read = fm_cell_read_location,
	  .cell_write = fm_cell_write_location },
	{ .name = "subtable",
	  .kind = FM_KIND_JSON,
	  .ops = FM_OPS_OTHER,
	  .check_options = fm_subtable_options,
	  .check_value = fm_subtable_value,
	  .cell_write = fm_cell_write_value },
	{ .name = "description",
	  .kind = FM_KIND_NONE,
	  .ops = FM_OPS_OTHER,
	  .check_options = fm_description_options,
	  .check_value = fm_no_value,
	  .cell_write = fm_cell_write_value },
	{ .name = "divider",
	  .kind = FM_KIND_NONE,
	  .ops = FM_OPS_OTHER,
	  .check_options = fm_no_options,
	  .check_value = fm_no_value,
	  .cell_write = fm_cell_write_value },
	{ .name = "section", /* starts a titled section */
	  .kind = FM_KIND_NONE,
	  .ops = FM_OPS_OTHER,
	  .check_options = fm_no_options,
	  .check_value = fm_no_value,
	  .cell_write = fm_cell_write_value },
	{ .name = "serial",
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_TEXT,
	  .is_sortable = true,
	  .is_generated = true,
	  .check_options = fm_serial_options,
	  .check_value = fm_no_value,
	  .search_text = fm_search_string,
	  .cell_write = fm_cell_write_value },
	{ .name = "signature", /* a PNG data URL */
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_OTHER,
	  .check_options = fm_no_options,
	  .check_value = fm_signature_value,
	  .cell_write = fm_cell_write_signature },
	{ .name = "barcode",
	  .kind = FM_KIND_TEXT,
	  .ops = FM_OPS_TEXT,
	  .is_sortable = true,
	  .may_be_unique = true,
	  .is_serial_part = true,
	  .check_options = fm_no_options,
	  .check_value = fm_barcode_value,
	  .search_text = fm_search_string,
	  .cell_read = fm_cell_read_text,
	  .cell_write = fm_cell_write_value },
	{ .name = NULL },
};

/* What fm_type_get answers for a name that is no type: no value. */
static const struct fm_type unknown_type = {
	.name = "",
	.kind = FM_KIND_NONE,
	.ops = FM_OPS_OTHER,
	.check_options = fm_no_options,
	.check_value = fm_no_value,
	.cell_write = fm_cell_write_value,
};

const struct fm_type *fm_type_find(const char *name)
{
	for (const struct fm_type *t = fm_types; name != NULL && t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

const struct fm_type *fm_type_get(const char *name)
{
	const struct fm_type *t = fm_type_find(name);

	return t != NULL ? t : &unknown_type;
}

const json_t *fm_field_subfields(const json_t *field)
{
	const char *type = json_string_value(json_object_get(field, "type"));

	if (fm_type_get(type)->check_options != fm_subtable_options)
		return NULL;
	return json_object_get(json_object_get(field, "options"), "fields");
}

bool fm_ops_allow(enum fm_ops ops, const char *op)
{
	static const char *const table[] = {
		[FM_OPS_OTHER] = " empty not_empty ",
		[FM_OPS_TEXT] = " eq ne contains not_contains starts empty not_empty ",
		[FM_OPS_NUMBER] = " eq ne gt gte lt lte between empty not_empty ",
		[FM_OPS_DATE] = " eq gt gte lt lte between empty not_empty ",
		[FM_OPS_DATETIME] = " eq gt gte lt lte between empty not_empty ",
		[FM_OPS_CHOICE] = " eq ne in not_in empty not_empty ",
		[FM_OPS_MULTI] = " any_of all_of none_of empty not_empty ",
		[FM_OPS_ADDRESS] = " contains empty not_empty ",
	};
	char word[32];

	if (op == NULL || strlen(op) > 20 || strchr(op, ' ') != NULL || op[0] == '\0')
		return false;
	(void)snprintf(word, sizeof(word), " %s ", op);
	return (unsigned)ops < sizeof(table) / sizeof(table[0]) && strstr(table[ops], word) != NULL;
}

const char *fm_ref_noun(enum fm_ref ref)
{
	return ref == FM_REF_MEMBER ? "member" : ref == FM_REF_DEPARTMENT ? "department" : "";
}

const char *fm_choice_label(const json_t *field, const json_t *id)
{
	size_t i;
	const json_t *c;

	json_array_foreach(json_object_get(json_object_get(field, "options"), "choices"), i, c)
	{
		if (json_equal(json_object_get(c, "id"), id))
			return json_string_value(json_object_get(c, "label"));
	}
	return json_string_value(id);
}

int fm_text_check(const json_t *v, size_t min, size_t max, bool multiline, const char *what,
		  struct cr_err *err)
{
	const char *s = json_string_value(v);
	long n;

	if (s == NULL || strlen(s) != json_string_length(v))
		return cr_err_set(err, CR_EINVAL, "%s must be text", what);
	n = cr_utf8_chars(s, multiline);
	if (n < 0)
		return cr_err_set(err, CR_EINVAL, "%s holds characters that are not allowed", what);
	if ((size_t)n < min || (size_t)n > max)
		return cr_err_set(err, CR_EINVAL, "%s must be %zu to %zu characters", what, min,
				  max);
	return 0;
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
	if (fm_text_check(label, 1, FM_LABEL_MAX, false, "label", err) < 0)
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
	if (fm_value_empty(value) && t->kind != FM_KIND_NONE) {
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
