/* core/forms/field_types.c: each field type's options and values. Pure. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../../lib/text.h"
#include "field_int.h"
#include "serial.h"

#define TEXT_MAX      200
#define TEXTAREA_MAX  10000
#define RICHTEXT_MAX  200000
#define LINE_MAX_LEN  2048
#define SIGNATURE_MAX ((size_t)512 * 1024)

/* ---- helpers ---- */

/* options[key] as an integer in [lo, hi], dflt when absent. */
static int int_option(const json_t *options, const char *key, long long lo, long long hi,
		      long long dflt, long long *out, struct cr_err *err)
{
	const json_t *v = json_object_get(options, key);

	*out = dflt;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return cr_err_set(err, CR_EINVAL,
				  "option '%s' must be an integer from %lld to %lld", key, lo, hi);
	*out = json_integer_value(v);
	return 0;
}

static int number_option(const json_t *options, const char *key, double *out, bool *present,
			 struct cr_err *err)
{
	const json_t *v = json_object_get(options, key);

	*present = v != NULL && !json_is_null(v);
	if (!*present)
		return 0;
	if (!json_is_number(v))
		return cr_err_set(err, CR_EINVAL, "option '%s' must be a number", key);
	*out = json_number_value(v);
	return 0;
}

/* The copy of a string value with its outer spaces trimmed. */
static json_t *trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	return json_stringn(s, n);
}

/* ---- options ---- */

int fm_no_options(const json_t *options, struct cr_err *err)
{
	(void)err;
	(void)options;
	return 0;
}

static int length_options(const json_t *options, long long max, struct cr_err *err)
{
	long long n;

	return int_option(options, "max_length", 1, max, max, &n, err);
}

int fm_text_options(const json_t *options, struct cr_err *err)
{
	return length_options(options, TEXT_MAX, err);
}

int fm_textarea_options(const json_t *options, struct cr_err *err)
{
	return length_options(options, TEXTAREA_MAX, err);
}

int fm_richtext_options(const json_t *options, struct cr_err *err)
{
	return length_options(options, RICHTEXT_MAX, err);
}

int fm_number_options(const json_t *options, struct cr_err *err)
{
	long long precision;
	double lo = 0, hi = 0;
	bool has_lo = false, has_hi = false;
	int rc = int_option(options, "precision", 0, 10, 2, &precision, err);

	if (rc == 0)
		rc = number_option(options, "min", &lo, &has_lo, err);
	if (rc == 0)
		rc = number_option(options, "max", &hi, &has_hi, err);
	if (rc == 0 && has_lo && has_hi && lo > hi)
		rc = cr_err_set(err, CR_EINVAL, "option 'min' is above 'max'");
	return rc;
}

int fm_money_options(const json_t *options, struct cr_err *err)
{
	const json_t *currency = json_object_get(options, "currency");
	const char *c = json_string_value(currency);

	if (currency != NULL && (c == NULL || strlen(c) != 3 || !isupper((unsigned char)c[0]) ||
				 !isupper((unsigned char)c[1]) || !isupper((unsigned char)c[2])))
		return cr_err_set(err, CR_EINVAL, "option 'currency' must be a code like CNY");
	return fm_number_options(options, err);
}

int fm_rating_options(const json_t *options, struct cr_err *err)
{
	long long max;

	return int_option(options, "max", 1, 10, 5, &max, err);
}

int fm_choice_options(const json_t *options, struct cr_err *err)
{
	const json_t *choices = json_object_get(options, "choices");
	size_t i, k;
	const json_t *c;

	if (!json_is_array(choices) || json_array_size(choices) == 0 ||
	    json_array_size(choices) > FM_CHOICES_MAX)
		return cr_err_set(err, CR_EINVAL, "option 'choices' must list 1 to %d choices",
				  FM_CHOICES_MAX);
	json_array_foreach(choices, i, c)
	{
		const json_t *id = json_object_get(c, "id");
		if (fm_text_check(id, 1, 64, false, "a choice's id", err) < 0 ||
		    fm_text_check(json_object_get(c, "label"), 1, FM_LABEL_MAX, false,
				  "a choice's label", err) < 0)
			return CR_EINVAL;
		for (k = 0; k < i; k++)
			if (json_equal(json_object_get(json_array_get(choices, k), "id"), id))
				return cr_err_set(err, CR_EINVAL, "choice id '%s' appears twice",
						  json_string_value(id));
	}
	return 0;
}

int fm_ref_options(const json_t *options, struct cr_err *err)
{
	const json_t *multiple = json_object_get(options, "multiple");

	if (multiple != NULL && !json_is_boolean(multiple))
		return cr_err_set(err, CR_EINVAL, "option 'multiple' must be true or false");
	return 0;
}

/* One entry of a file field's "accept": ".pdf", a major type with a star
 * ("image/" and "*") or a full type ("text/csv"). */
static bool accept_entry_valid(const char *a)
{
	size_t n = a != NULL ? strlen(a) : 0;
	const char *slash = a != NULL ? strchr(a, '/') : NULL;

	if (n < 2 || n > 100)
		return false;
	for (const char *p = a; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("./*+-_", *p) == NULL)
			return false;
	if (a[0] == '.')
		return slash == NULL && strchr(a, '*') == NULL;
	/* a star only as the whole subtype */
	return slash != NULL && slash != a && slash[1] != '\0' && strchr(slash + 1, '/') == NULL &&
	       memchr(a, '*', (size_t)(slash - a)) == NULL &&
	       (strchr(slash + 1, '*') == NULL || strcmp(slash + 1, "*") == 0);
}

int fm_file_options(const json_t *options, struct cr_err *err)
{
	const json_t *accept = json_object_get(options, "accept");
	long long n;
	size_t i;
	const json_t *e;
	int rc = int_option(options, "max_files", 1, FM_FILES_MAX, 10, &n, err);

	if (rc == 0)
		rc = int_option(options, "max_size", 1, (long long)1 << 40, 50LL << 20, &n, err);
	if (rc == 0 && accept != NULL && (!json_is_array(accept) || json_array_size(accept) > 30))
		return cr_err_set(
		    err, CR_EINVAL,
		    "option 'accept' must list at most 30 of .ext, type/* or type/sub");
	json_array_foreach(accept, i, e) if (
	    !accept_entry_valid(json_string_value(
		e))) return cr_err_set(err, CR_EINVAL,
				       "option 'accept': '%s' is not .ext, type/* or type/sub",
				       json_is_string(e) ? json_string_value(e) : "?");
	return rc;
}

/* Does a file (name, media type) match the field's "accept" list (none:
 * anything)? Case does not matter. */
static bool accepted(const json_t *options, const char *name, const char *type)
{
	const json_t *accept = json_object_get(options, "accept");
	const char *dot = name != NULL ? strrchr(name, '.') : NULL;
	size_t i;
	const json_t *e;

	if (json_array_size(accept) == 0)
		return true;
	json_array_foreach(accept, i, e)
	{
		const char *a = json_string_value(e);
		size_t n = strlen(a);
		if (a[0] == '.' && dot != NULL && strcasecmp(dot, a) == 0)
			return true;
		if (a[0] != '.' && n >= 2 && strcmp(a + n - 2, "/*") == 0 &&
		    strncasecmp(type, a, n - 1) == 0)
			return true;
		if (a[0] != '.' && strcasecmp(type, a) == 0)
			return true;
	}
	return false;
}

int fm_subtable_options(const json_t *options, struct cr_err *err)
{
	const json_t *fields = json_object_get(options, "fields");
	size_t i;
	const json_t *f;

	if (!json_is_array(fields) || json_array_size(fields) == 0 || json_array_size(fields) > 100)
		return cr_err_set(err, CR_EINVAL, "option 'fields' must list 1 to 100 fields");
	json_array_foreach(fields, i, f)
	{
		const char *type = json_string_value(json_object_get(f, "type"));
		if (fm_type_get(type)->check_options == fm_subtable_options)
			return cr_err_set(err, CR_EINVAL, "a sub-table cannot hold a sub-table");
		if (fm_field_check(f, err) < 0)
			return CR_EINVAL;
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_object_get(json_array_get(fields, k), "id"),
				       json_object_get(f, "id")))
				return cr_err_set(err, CR_EINVAL, "field id '%s' appears twice",
						  json_string_value(json_object_get(f, "id")));
	}
	return 0;
}

int fm_description_options(const json_t *options, struct cr_err *err)
{
	const json_t *text = json_object_get(options, "text");

	return text == NULL ? 0 : fm_text_check(text, 0, TEXTAREA_MAX, true, "option 'text'", err);
}

int fm_serial_options(const json_t *options, struct cr_err *err)
{
	return fm_serial_check(options, err);
}

/* ---- values ---- */

int fm_no_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	(void)options;
	if (!json_is_null(value))
		return cr_err_set(err, CR_EINVAL, "takes no value (it is filled in by Creek)");
	*out = json_null();
	return 0;
}

static int text_value(const json_t *options, const json_t *value, bool multiline, json_t **out,
		      struct cr_err *err)
{
	const json_t *max = json_object_get(options, "max_length");
	size_t limit = json_is_integer(max) ? (size_t)json_integer_value(max)
					    : (multiline ? RICHTEXT_MAX : TEXT_MAX);
	int rc = fm_text_check(value, 0, limit, multiline, "the value", err);

	if (rc == 0)
		*out = trimmed(json_string_value(value));
	return rc;
}

int fm_line_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	return text_value(options, value, false, out, err);
}

int fm_text_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	return text_value(options, value, true, out, err);
}

int fm_number_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	long long precision = 2;
	double v, lo = 0, hi = 0, scale;
	bool has_lo = false, has_hi = false;

	(void)int_option(options, "precision", 0, 10, 2, &precision, NULL);
	(void)number_option(options, "min", &lo, &has_lo, NULL);
	(void)number_option(options, "max", &hi, &has_hi, NULL);
	if (!json_is_number(value))
		return cr_err_set(err, CR_EINVAL, "must be a number");
	v = json_number_value(value);
	if (!isfinite(v) || fabs(v) > 1e15)
		return cr_err_set(err, CR_EINVAL, "must be a number within ±10^15");
	scale = pow(10, (double)precision);
	v = round(v * scale) / scale;
	if ((has_lo && v < lo) || (has_hi && v > hi))
		return cr_err_set(err, CR_EINVAL, "must be from %g to %g", has_lo ? lo : -1e15,
				  has_hi ? hi : 1e15);
	*out = precision == 0 ? json_integer((json_int_t)v) : json_real(v);
	return 0;
}

int fm_duration_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	(void)options;
	if (!json_is_integer(value) || json_integer_value(value) < 0 ||
	    json_integer_value(value) > 100LL * 366 * 86400)
		return cr_err_set(err, CR_EINVAL, "must be whole seconds from 0 to 100 years");
	*out = json_integer(json_integer_value(value));
	return 0;
}

int fm_rating_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	long long max = 5;

	(void)int_option(options, "max", 1, 10, 5, &max, NULL);
	if (!json_is_integer(value) || json_integer_value(value) < 0 ||
	    json_integer_value(value) > max)
		return cr_err_set(err, CR_EINVAL, "must be a whole number from 0 to %lld", max);
	*out = json_integer(json_integer_value(value));
	return 0;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD" at s (exactly 10 characters); 0 or -1. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", y, m, d, &n) != 3 || n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (*y < 1 || *m < 1 || *m > 12 || *d < 1)
		return -1;
	return *d <= days[*m - 1] + (*m == 2 && leap(*y)) ? 0 : -1;
}

int fm_date_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	const char *s = json_string_value(value);
	int y, m, d;

	(void)options;
	if (s == NULL || strlen(s) != 10 || parse_date(s, &y, &m, &d) < 0)
		return cr_err_set(err, CR_EINVAL, "must be a date like 2026-11-28");
	*out = json_string(s);
	return 0;
}

/* RFC 3339 date-time: "YYYY-MM-DDTHH:MM[:SS][.fff](Z|±hh:mm)" into UTC
 * "YYYY-MM-DDTHH:MM:SSZ". */
static int datetime_utc(const char *s, char out[64])
{
	int y, mo, d, h, mi, sec = 0, n = 0, oh = 0, om = 0, sign = 1;
	const char *p;
	long long days, t;

	if (s == NULL || strlen(s) < 17 || parse_date(s, &y, &mo, &d) < 0 ||
	    (s[10] != 'T' && s[10] != ' '))
		return -1;
	if (sscanf(s + 11, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5 || h > 23 || mi > 59)
		return -1;
	p = s + 16;
	if (*p == ':') {
		if (sscanf(p + 1, "%2d%n", &sec, &n) != 1 || n != 2 || sec > 59)
			return -1;
		p += 3;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				;
	}
	if (*p == 'Z' && p[1] == '\0') {
		oh = om = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
		   sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh <= 23 && om <= 59) {
		sign = *p == '-' ? -1 : 1;
	} else {
		return -1;
	}
	/* Days from the civil date (proleptic Gregorian), then back. */
	{
		int yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400;
		int yoe = yy - era * 400, mp = (mo + 9) % 12;
		int doy = (153 * mp + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		days = (long long)era * 146097 + doe - 719468;
	}
	t = days * 86400 + (long long)h * 3600 + (long long)mi * 60 + sec -
	    (long long)sign * ((long long)oh * 3600 + (long long)om * 60);
	{
		long long z = (t >= 0 ? t : t - 86399) / 86400 + 719468,
			  rem = t - (z - 719468) * 86400;
		long long era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
		long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
		long long dd = doy - (153 * mp + 2) / 5 + 1, mm = mp < 10 ? mp + 3 : mp - 9;
		long long yr = yoe + era * 400 + (mm <= 2);
		if (yr < 1 || yr > 9999)
			return -1;
		(void)snprintf(out, 64, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", yr, mm, dd,
			       rem / 3600, rem % 3600 / 60, rem % 60);
	}
	return 0;
}

int fm_datetime_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	char utc[64];

	(void)options;
	if (datetime_utc(json_string_value(value), utc) < 0)
		return cr_err_set(err, CR_EINVAL,
				  "must be a date-time like 2026-11-28T09:30:00+08:00");
	*out = json_string(utc);
	return 0;
}

int fm_timerange_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	char a[64], b[64];

	(void)options;
	if (!json_is_object(value) || json_object_size(value) != 2 ||
	    datetime_utc(json_string_value(json_object_get(value, "start")), a) < 0 ||
	    datetime_utc(json_string_value(json_object_get(value, "end")), b) < 0)
		return cr_err_set(err, CR_EINVAL, "must be {\"start\", \"end\"} date-times");
	if (strcmp(a, b) > 0)
		return cr_err_set(err, CR_EINVAL, "must not end before it starts");
	*out = json_pack("{s:s, s:s}", "start", a, "end", b);
	return 0;
}

int fm_email_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	const char *s = json_string_value(value);
	const char *at = s != NULL ? strchr(s, '@') : NULL;

	(void)options;
	if (s == NULL || strlen(s) > 254 || cr_utf8_chars(s, false) < 0 || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL || strchr(s, ' ') != NULL ||
	    at[1] == '.' || s[strlen(s) - 1] == '.')
		return cr_err_set(err, CR_EINVAL,
				  "must be an email address like li.lei@example.com");
	*out = json_string(s);
	return 0;
}

int fm_phone_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	const char *s = json_string_value(value);
	size_t digits = 0;

	(void)options;
	for (const char *p = s; p != NULL && *p != '\0'; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (strchr("+-() ", *p) == NULL)
			return cr_err_set(err, CR_EINVAL,
					  "must be a phone number (digits, spaces, + - ( ))");
	}
	if (s == NULL || digits < 3 || strlen(s) > 32)
		return cr_err_set(err, CR_EINVAL, "must be a phone number of 3 to 32 characters");
	*out = trimmed(s);
	return 0;
}

int fm_link_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	const char *s = json_string_value(value);

	(void)options;
	if (s == NULL || strlen(s) > LINE_MAX_LEN || cr_utf8_chars(s, false) < 0 ||
	    strchr(s, ' ') != NULL ||
	    !((strncmp(s, "http://", 7) == 0 && s[7] != '\0') ||
	      (strncmp(s, "https://", 8) == 0 && s[8] != '\0')))
		return cr_err_set(err, CR_EINVAL, "must be a web address starting with http(s)://");
	*out = json_string(s);
	return 0;
}

static bool choice_known(const json_t *options, const json_t *id)
{
	size_t i;
	const json_t *c;

	json_array_foreach(json_object_get(options, "choices"), i,
			   c) if (json_equal(json_object_get(c, "id"), id)) return true;
	return false;
}

int fm_choice_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	if (!json_is_string(value) || !choice_known(options, value))
		return cr_err_set(err, CR_EINVAL, "must be one of its choices");
	*out = json_incref((json_t *)value);
	return 0;
}

int fm_choices_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(value))
		return cr_err_set(err, CR_EINVAL, "must be a list of its choices");
	json_array_foreach(value, i, v)
	{
		if (!json_is_string(v) || !choice_known(options, v))
			return cr_err_set(err, CR_EINVAL, "'%s' is not one of its choices",
					  json_is_string(v) ? json_string_value(v) : "?");
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_array_get(value, k), v))
				return cr_err_set(err, CR_EINVAL, "'%s' is chosen twice",
						  json_string_value(v));
	}
	*out = json_incref((json_t *)value);
	return 0;
}

int fm_ref_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	bool multiple = json_is_true(json_object_get(options, "multiple"));
	size_t i;
	const json_t *v;

	if (!multiple) {
		if (!json_is_integer(value) || json_integer_value(value) < 1)
			return cr_err_set(err, CR_EINVAL, "must be one id");
		*out = json_integer(json_integer_value(value));
		return 0;
	}
	if (!json_is_array(value) || json_array_size(value) > FM_CHOICES_MAX)
		return cr_err_set(err, CR_EINVAL, "must be a list of at most %d ids",
				  FM_CHOICES_MAX);
	json_array_foreach(value, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return cr_err_set(err, CR_EINVAL, "must be a list of ids");
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_array_get(value, k), v))
				return cr_err_set(err, CR_EINVAL, "id %lld appears twice",
						  (long long)json_integer_value(v));
	}
	*out = json_incref((json_t *)value);
	return 0;
}

/* {"sha256": 64 hex, "name": text, "size": bytes, "type": "major/minor"}. */
static int file_ref(const json_t *f, long long max_size, bool image, struct cr_err *err)
{
	const char *hash = json_string_value(json_object_get(f, "sha256"));
	const char *type = json_string_value(json_object_get(f, "type"));
	const json_t *size = json_object_get(f, "size");

	if (hash == NULL || strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64)
		return cr_err_set(err, CR_EINVAL, "a file must name its content by sha256");
	if (fm_text_check(json_object_get(f, "name"), 1, 255, false, "a file's name", err) < 0)
		return CR_EINVAL;
	if (cr_utf8_has_bidi_controls(json_string_value(json_object_get(f, "name"))))
		return cr_err_set(
		    err, CR_EINVAL,
		    "a file's name must not hold text-direction controls (U+202E...)");
	if (!json_is_integer(size) || json_integer_value(size) < 0 ||
	    json_integer_value(size) > max_size)
		return cr_err_set(err, CR_EINVAL, "a file may be at most %lld bytes", max_size);
	if (type == NULL || strchr(type, '/') == NULL || strlen(type) > 127)
		return cr_err_set(err, CR_EINVAL, "a file must have a media type");
	if (image && strncmp(type, "image/", 6) != 0)
		return cr_err_set(err, CR_EINVAL, "'%s' is not an image",
				  json_string_value(json_object_get(f, "name")));
	return 0;
}

static int files(const json_t *options, const json_t *value, bool image, json_t **out,
		 struct cr_err *err)
{
	long long max_files, max_size;
	size_t i;
	const json_t *f;

	(void)int_option(options, "max_files", 1, FM_FILES_MAX, 10, &max_files, NULL);
	(void)int_option(options, "max_size", 1, (long long)1 << 40, 50LL << 20, &max_size, NULL);
	if (!json_is_array(value) || (long long)json_array_size(value) > max_files)
		return cr_err_set(err, CR_EINVAL, "must be a list of at most %lld files",
				  max_files);
	json_array_foreach(value, i, f)
	{
		if (file_ref(f, max_size, image, err) < 0)
			return CR_EINVAL;
		if (!accepted(options, json_string_value(json_object_get(f, "name")),
			      json_string_value(json_object_get(f, "type"))))
			return cr_err_set(err, CR_EINVAL, "'%s' is not a kind of file it takes",
					  json_string_value(json_object_get(f, "name")));
	}
	*out = json_incref((json_t *)value);
	return 0;
}

int fm_file_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	return files(options, value, false, out, err);
}

int fm_image_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	return files(options, value, true, out, err);
}

int fm_address_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	const json_t *region = json_object_get(value, "region");
	const json_t *detail = json_object_get(value, "detail");
	size_t i;
	const json_t *r;

	(void)options;
	if (!json_is_object(value) || !json_is_array(region) || json_array_size(region) < 1 ||
	    json_array_size(region) > 3)
		return cr_err_set(err, CR_EINVAL,
				  "must be {\"region\": [province, city, district], \"detail\"}");
	json_array_foreach(region, i, r) if (fm_text_check(r, 1, 50, false, "a region", err) <
					     0) return CR_EINVAL;
	if (detail != NULL && fm_text_check(detail, 0, 200, false, "the street address", err) < 0)
		return CR_EINVAL;
	*out = json_pack("{s:O, s:s}", "region", region, "detail",
			 detail != NULL ? json_string_value(detail) : "");
	return 0;
}

int fm_location_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	const json_t *lat = json_object_get(value, "lat"), *lng = json_object_get(value, "lng");
	const json_t *label = json_object_get(value, "label");

	(void)options;
	if (!json_is_number(lat) || !json_is_number(lng) || fabs(json_number_value(lat)) > 90 ||
	    fabs(json_number_value(lng)) > 180)
		return cr_err_set(err, CR_EINVAL, "must be {\"lat\": -90..90, \"lng\": -180..180}");
	if (label != NULL && fm_text_check(label, 0, 200, false, "the place's name", err) < 0)
		return CR_EINVAL;
	*out = json_pack("{s:f, s:f, s:s}", "lat", json_number_value(lat), "lng",
			 json_number_value(lng), "label",
			 label != NULL ? json_string_value(label) : "");
	return 0;
}

int fm_subtable_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	const json_t *fields = json_object_get(options, "fields");
	json_t *rows;
	size_t i, k;
	const json_t *row, *f;

	if (!json_is_array(value) || json_array_size(value) > FM_SUBTABLE_ROWS_MAX)
		return cr_err_set(err, CR_EINVAL, "must be a list of at most %d rows",
				  FM_SUBTABLE_ROWS_MAX);
	rows = json_array();
	json_array_foreach(value, i, row)
	{
		json_t *norm = json_object();
		if (!json_is_object(row)) {
			json_decref(norm);
			json_decref(rows);
			return cr_err_set(err, CR_EINVAL, "row %zu must be an object", i + 1);
		}
		json_array_foreach(fields, k, f)
		{
			const char *fid = json_string_value(json_object_get(f, "id"));
			json_t *v = NULL;
			if (fm_value_check(f, json_object_get(row, fid), &v, err) < 0) {
				json_decref(norm);
				json_decref(rows);
				return cr_err_wrap(err, "row %zu", i + 1);
			}
			json_object_set_new(norm, fid, v);
		}
		json_array_append_new(rows, norm);
	}
	*out = rows;
	return 0;
}

int fm_signature_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	static const char prefix[] = "data:image/png;base64,";
	const char *s = json_string_value(value);
	size_t n = s != NULL ? strlen(s) : 0;

	(void)options;
	if (n <= sizeof(prefix) - 1 || n > SIGNATURE_MAX ||
	    strncmp(s, prefix, sizeof(prefix) - 1) != 0 ||
	    strspn(s + sizeof(prefix) - 1,
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
		n - (sizeof(prefix) - 1))
		return cr_err_set(err, CR_EINVAL,
				  "must be a PNG drawing (data:image/png;base64,...) of at most "
				  "%zu bytes",
				  SIGNATURE_MAX);
	*out = json_string(s);
	return 0;
}

int fm_barcode_value(const json_t *options, const json_t *value, json_t **out, struct cr_err *err)
{
	int rc = fm_text_check(value, 1, 200, false, "the code", err);

	(void)options;
	if (rc == 0)
		*out = trimmed(json_string_value(value));
	return rc;
}
