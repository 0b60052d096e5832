/* core/forms/serial.h: serial numbers (编号): a format of parts, such as
 *   [{"kind": "text", "text": "HT-"},
 *    {"kind": "date", "pattern": "YYYYMMDD"},
 *    {"kind": "field", "field": "f2"},
 *    {"kind": "counter", "digits": 4, "reset": "month"}]
 * gives "HT-20261128<f2's value>0007" for the 7th record of November 2026.
 * Exactly one counter; it restarts at 1 each reset period (never, day,
 * month, year) of the submit date. Pure: the store keeps the counter per
 * period key (fm_serial_period) and takes the next number in the record's
 * transaction, which is what makes numbers unique and gap-free. */
#ifndef CREEK_CORE_FORMS_SERIAL_H
#define CREEK_CORE_FORMS_SERIAL_H

#include <jansson.h>
#include <stddef.h>

#include "../../lib/err.h"

#define FM_SERIAL_PARTS_MAX  10
#define FM_SERIAL_DIGITS_MAX 12
#define FM_SERIAL_MAX        200 /* characters of a formatted number */
#define FM_SERIAL_PERIOD_MAX 16

struct fm_date {
	int year, month, day;
};

/* The serial field's options: {"parts": [...]}. */
int fm_serial_check(const json_t *options, struct cr_err *err);
/* The counter's period for a submit date: "" (never), "2026", "2026-11",
 * "2026-11-28". */
void fm_serial_period(const json_t *options, struct fm_date date,
		      char key[FM_SERIAL_PERIOD_MAX + 1]);
/* The number for counter value n (from 1) on date, with the record's
 * values ({field id: value}) for field parts. A counter past its digits
 * keeps growing (9999 is followed by 10000), never wraps. */
int fm_serial_format(const json_t *options, const json_t *values, long long n, struct fm_date date,
		     char *out, size_t out_len, struct cr_err *err);

#endif
