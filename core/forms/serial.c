/* core/forms/serial.c: serial number formats. Pure. */
#include "serial.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const RESETS[] = { "never", "day", "month", "year", NULL };

static bool pattern_valid(const char *p)
{
	size_t n = p != NULL ? strlen(p) : 0;
	bool any = false;

	if (n == 0 || n > 20)
		return false;
	while (*p != '\0') {
		if (strncmp(p, "YYYY", 4) == 0) {
			p += 4;
			any = true;
		} else if (strncmp(p, "YY", 2) == 0 || strncmp(p, "MM", 2) == 0 ||
			   strncmp(p, "DD", 2) == 0) {
			p += 2;
			any = true;
		} else if (strchr("-/._", *p) != NULL) {
			p++;
		} else {
			return false;
		}
	}
	return any;
}

static int part_check(const json_t *part, size_t i, int *counters, struct cr_err *err)
{
	const char *kind = json_string_value(json_object_get(part, "kind"));
	const json_t *v;

	if (kind == NULL)
		return cr_err_set(err, CR_EINVAL, "serial part %zu has no kind", i + 1);
	if (strcmp(kind, "text") == 0) {
		const char *t = json_string_value(json_object_get(part, "text"));
		if (t == NULL || strlen(t) == 0 || strlen(t) > 50)
			return cr_err_set(err, CR_EINVAL,
					  "serial part %zu: text must be 1 to 50 bytes", i + 1);
		for (const char *c = t; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20)
				return cr_err_set(err, CR_EINVAL,
						  "serial part %zu: text holds control characters",
						  i + 1);
		return 0;
	}
	if (strcmp(kind, "date") == 0)
		return pattern_valid(json_string_value(json_object_get(part, "pattern")))
			   ? 0
			   : cr_err_set(
				 err, CR_EINVAL,
				 "serial part %zu: the date pattern is made of YYYY, YY, MM, "
				 "DD and - / . _",
				 i + 1);
	if (strcmp(kind, "field") == 0)
		return json_is_string(json_object_get(part, "field"))
			   ? 0
			   : cr_err_set(err, CR_EINVAL, "serial part %zu names no field", i + 1);
	if (strcmp(kind, "counter") == 0) {
		const char *reset = json_string_value(json_object_get(part, "reset"));
		bool known = false;
		v = json_object_get(part, "digits");
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > FM_SERIAL_DIGITS_MAX)
			return cr_err_set(err, CR_EINVAL, "the counter has 1 to %d digits",
					  FM_SERIAL_DIGITS_MAX);
		for (size_t k = 0; reset != NULL && RESETS[k] != NULL; k++)
			known = known || strcmp(RESETS[k], reset) == 0;
		if (!known)
			return cr_err_set(err, CR_EINVAL,
					  "the counter resets never, daily (day), monthly (month) "
					  "or yearly (year)");
		(*counters)++;
		return 0;
	}
	return cr_err_set(err, CR_EINVAL, "serial part %zu: unknown kind '%s'", i + 1, kind);
}

int fm_serial_check(const json_t *options, struct cr_err *err)
{
	const json_t *parts = json_object_get(options, "parts");
	int counters = 0;
	size_t i;
	const json_t *part;

	if (!json_is_array(parts) || json_array_size(parts) == 0 ||
	    json_array_size(parts) > FM_SERIAL_PARTS_MAX)
		return cr_err_set(err, CR_EINVAL, "a serial number has 1 to %d parts",
				  FM_SERIAL_PARTS_MAX);
	json_array_foreach(parts, i,
			   part) if (part_check(part, i, &counters, err) < 0) return CR_EINVAL;
	if (counters != 1)
		return cr_err_set(err, CR_EINVAL, "a serial number has exactly one counter");
	return 0;
}

static const json_t *counter_of(const json_t *options)
{
	size_t i;
	const json_t *part;

	json_array_foreach(json_object_get(options, "parts"), i,
			   part) if (strcmp(json_string_value(json_object_get(part, "kind")),
					    "counter") == 0) return part;
	return NULL;
}

void fm_serial_period(const json_t *options, struct fm_date date,
		      char key[FM_SERIAL_PERIOD_MAX + 1])
{
	const char *reset = json_string_value(json_object_get(counter_of(options), "reset"));

	key[0] = '\0';
	if (reset == NULL || strcmp(reset, "never") == 0)
		return;
	if (strcmp(reset, "year") == 0)
		(void)snprintf(key, FM_SERIAL_PERIOD_MAX + 1, "%04d", date.year);
	else if (strcmp(reset, "month") == 0)
		(void)snprintf(key, FM_SERIAL_PERIOD_MAX + 1, "%04d-%02d", date.year, date.month);
	else
		(void)snprintf(key, FM_SERIAL_PERIOD_MAX + 1, "%04d-%02d-%02d", date.year,
			       date.month, date.day);
}

/* Append text; CR_ETOOBIG past out_len or FM_SERIAL_MAX. */
static int put(char *out, size_t out_len, size_t *used, const char *text, struct cr_err *err)
{
	size_t n = strlen(text);

	if (*used + n >= out_len || *used + n > FM_SERIAL_MAX)
		return cr_err_set(err, CR_ETOOBIG, "the serial number would be longer than %d",
				  FM_SERIAL_MAX);
	memcpy(out + *used, text, n + 1);
	*used += n;
	return 0;
}

static void date_text(const char *p, struct fm_date d, char *buf, size_t len)
{
	size_t o = 0;

	while (*p != '\0' && o + 5 < len) {
		if (strncmp(p, "YYYY", 4) == 0) {
			o += (size_t)snprintf(buf + o, len - o, "%04d", d.year % 10000);
			p += 4;
		} else if (strncmp(p, "YY", 2) == 0) {
			o += (size_t)snprintf(buf + o, len - o, "%02d", d.year % 100);
			p += 2;
		} else if (strncmp(p, "MM", 2) == 0) {
			o += (size_t)snprintf(buf + o, len - o, "%02d", d.month % 100);
			p += 2;
		} else if (strncmp(p, "DD", 2) == 0) {
			o += (size_t)snprintf(buf + o, len - o, "%02d", d.day % 100);
			p += 2;
		} else {
			buf[o++] = *p++;
		}
	}
	buf[o] = '\0';
}

/* A field's value as text in a serial number (scalars only). */
static void value_text(const json_t *v, char *buf, size_t len)
{
	buf[0] = '\0';
	if (json_is_string(v))
		(void)snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		(void)snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		(void)snprintf(buf, len, "%g", json_real_value(v));
}

int fm_serial_format(const json_t *options, const json_t *values, long long n, struct fm_date date,
		     char *out, size_t out_len, struct cr_err *err)
{
	char buf[FM_SERIAL_MAX + 1];
	size_t used = 0, i;
	const json_t *part;
	int rc = fm_serial_check(options, err);

	if (rc < 0)
		return rc;
	if (n < 1)
		return cr_err_set(err, CR_EINVAL, "serial counters start at 1");
	out[0] = '\0';
	json_array_foreach(json_object_get(options, "parts"), i, part)
	{
		const char *kind = json_string_value(json_object_get(part, "kind"));
		if (strcmp(kind, "text") == 0)
			(void)snprintf(buf, sizeof(buf), "%s",
				       json_string_value(json_object_get(part, "text")));
		else if (strcmp(kind, "date") == 0)
			date_text(json_string_value(json_object_get(part, "pattern")), date, buf,
				  sizeof(buf));
		else if (strcmp(kind, "field") == 0)
			value_text(json_object_get(
				       values, json_string_value(json_object_get(part, "field"))),
				   buf, sizeof(buf));
		else
			(void)snprintf(buf, sizeof(buf), "%0*lld",
				       (int)json_integer_value(json_object_get(part, "digits")), n);
		rc = put(out, out_len, &used, buf, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
