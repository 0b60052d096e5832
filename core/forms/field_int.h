/* core/forms/field_int.h: each type's checks (field_types.c) and text
 * conversions (field_cells.c), shared by field.c's registry. Nothing
 * outside core/forms includes this. */
#ifndef CREEK_CORE_FORMS_FIELD_INT_H
#define CREEK_CORE_FORMS_FIELD_INT_H

#include "field.h"

/* A JSON string of min..max characters (UTF-8, no control characters
 * other than newline and tab when multiline). */
int fm_text_check(const json_t *v, size_t min, size_t max, bool multiline, const char *what,
		  struct cr_err *err);

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

/* Search text (field_cells.c): see struct fm_type's search_text. */
void fm_search_string(const json_t *field, const json_t *v, struct cr_buf *out);
void fm_search_choice(const json_t *field, const json_t *v, struct cr_buf *out);
void fm_search_choices(const json_t *field, const json_t *v, struct cr_buf *out);
void fm_search_address(const json_t *field, const json_t *v, struct cr_buf *out);

/* Export cells (field_cells.c): see struct fm_type's cell_write. */
#define FM_CELL_WRITE(name)                                                                        \
	void name(const struct fm_cells *cx, const json_t *field, const json_t *v,                 \
		  struct cr_buf *out)
FM_CELL_WRITE(fm_cell_write_value);
FM_CELL_WRITE(fm_cell_write_ref);
FM_CELL_WRITE(fm_cell_write_choice);
FM_CELL_WRITE(fm_cell_write_choices);
FM_CELL_WRITE(fm_cell_write_address);
FM_CELL_WRITE(fm_cell_write_location);
FM_CELL_WRITE(fm_cell_write_timerange);
FM_CELL_WRITE(fm_cell_write_files);
FM_CELL_WRITE(fm_cell_write_signature);

/* Import cells (field_cells.c): see struct fm_type's cell_read. */
#define FM_CELL_READ(name)                                                                         \
	int name(const struct fm_cells *cx, const json_t *field, const char *text, json_t **out,   \
		 struct cr_err *err)
FM_CELL_READ(fm_cell_read_text);
FM_CELL_READ(fm_cell_read_number);
FM_CELL_READ(fm_cell_read_duration);
FM_CELL_READ(fm_cell_read_date);
FM_CELL_READ(fm_cell_read_datetime);
FM_CELL_READ(fm_cell_read_choice);
FM_CELL_READ(fm_cell_read_choices);
FM_CELL_READ(fm_cell_read_ref);
FM_CELL_READ(fm_cell_read_address);
FM_CELL_READ(fm_cell_read_location);
FM_CELL_READ(fm_cell_read_timerange);

#endif
