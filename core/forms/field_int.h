/* core/forms/field_int.h: each type's checks, shared by field.c's
 * registry. Nothing outside core/forms includes this. */
#ifndef CREEK_CORE_FORMS_FIELD_INT_H
#define CREEK_CORE_FORMS_FIELD_INT_H

#include "field.h"

/* A JSON string of min..max characters (UTF-8, no control characters
 * other than newline and tab when multiline). */
int fm_text_check(const json_t *v, size_t min, size_t max, const char *what, struct cr_err *err);

/* Options of each kind of type (the options object, never NULL). */
int fm_no_options(const json_t *options, struct cr_err *err);
int fm_text_options(const json_t *options, struct cr_err *err);
int fm_textarea_options(const json_t *options, struct cr_err *err);
int fm_richtext_options(const json_t *options, struct cr_err *err);
int fm_number_options(const json_t *options, struct cr_err *err);
int fm_money_options(const json_t *options, struct cr_err *err);
int fm_rating_options(const json_t *options, struct cr_err *err);
int fm_choice_options(const json_t *options, struct cr_err *err);
int fm_ref_options(const json_t *options, struct cr_err *err);
int fm_file_options(const json_t *options, struct cr_err *err);
int fm_subtable_options(const json_t *options, struct cr_err *err);
int fm_description_options(const json_t *options, struct cr_err *err);
int fm_serial_options(const json_t *options, struct cr_err *err);

/* Values of each kind of type (value not null; *out a new reference). */
int fm_no_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_line_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_text_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_number_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_duration_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_rating_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_date_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_datetime_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_timerange_value(const json_t *options, const json_t *value, json_t **out,
		       struct cr_err *err);
int fm_email_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_phone_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_link_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_choice_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_choices_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_ref_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_file_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_image_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_address_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_location_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_subtable_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);
int fm_signature_value(const json_t *options, const json_t *value, json_t **out,
		       struct cr_err *err);
int fm_barcode_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err);

#endif
