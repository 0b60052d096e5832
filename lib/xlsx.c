/* lib/xlsx.c: numbers, dates, number formats and UTF-8 for the .xlsx
 * writer and reader (see xlsx_int.h). Pure. */
#include "xlsx_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

/* Days from 1970-01-01 to 1899-12-30, the day before Excel's day 1 once
 * its phantom 1900-02-29 (day 60) is counted; and to 1904-01-01. */
#define UNIX_DAY_EXCEL_1900 (-25569)
#define UNIX_DAY_EXCEL_1904 (-24107)
#define EXCEL_LAST_DAY_1900 2958465 /* 9999-12-31 */
#define EXCEL_LAST_DAY_1904 2957003
#define SECONDS_PER_DAY     86400

void xlsx_number_text(double v, char out[XLSX_NUMBER_LEN])
{
	char e[XLSX_NUMBER_LEN];
	char digits[XLSX_NUMBER_LEN] = "0";
	size_t n = 0;
	long exp10;
	const char *s = e;
	char *o = out;
	const char *end = out + XLSX_NUMBER_LEN;

	if (v == 0) { /* -0 too */
		memcpy(out, "0", 2);
		return;
	}
	/* 17 significant digits always read back (IEEE 754 binary64). */
	for (int p = 0; p <= 16; p++) {
		(void)snprintf(e, sizeof(e), "%.*e", p, v);
		if (strtod(e, NULL) == v)
			break;
	}
	if (*s == '-') {
		*o++ = '-';
		s++;
	}
	for (; *s != 'e' && *s != '\0'; s++)
		if (*s != '.')
			digits[n++] = *s;
	exp10 = *s == 'e' ? strtol(s + 1, NULL, 10) : 0;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	if (exp10 >= 21 || exp10 < -6) { /* as JavaScript prints numbers */
		*o++ = digits[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, n - 1);
			o += n - 1;
		}
		(void)snprintf(o, (size_t)(end - o), "e%c%ld", exp10 < 0 ? '-' : '+', labs(exp10));
		return;
	}
	if (exp10 < 0) {
		*o++ = '0';
		*o++ = '.';
		for (long z = -1; z > exp10; z--)
			*o++ = '0';
		memcpy(o, digits, n);
		o += n;
	} else if ((size_t)exp10 + 1 >= n) {
		memcpy(o, digits, n);
		o += n;
		for (size_t z = n; z < (size_t)exp10 + 1; z++)
			*o++ = '0';
	} else {
		memcpy(o, digits, (size_t)exp10 + 1);
		o += exp10 + 1;
		*o++ = '.';
		memcpy(o, digits + exp10 + 1, n - (size_t)exp10 - 1);
		o += n - (size_t)exp10 - 1;
	}
	*o = '\0';
}

/* Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms"). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

bool xlsx_serial_text(double v, bool is_1904, enum xlsx_date_kind kind, char out[XLSX_NUMBER_LEN])
{
	int64_t day, y;
	long long secs;
	unsigned m, d, hh, mm, ss;

	if (!(v >= 0) || v >= (is_1904 ? EXCEL_LAST_DAY_1904 : EXCEL_LAST_DAY_1900) + 1.0)
		return false;
	day = (int64_t)floor(v);
	secs = llround((v - (double)day) * SECONDS_PER_DAY);
	if (secs >= SECONDS_PER_DAY) {
		day++;
		secs -= SECONDS_PER_DAY;
	}
	/* the modulos tell the compiler (and the reader) each field's width */
	hh = (unsigned)secs / 3600 % 24;
	mm = (unsigned)secs / 60 % 60;
	ss = (unsigned)secs % 60;
	if (kind == XLSX_TIME && day == 0) {
		(void)snprintf(out, XLSX_NUMBER_LEN, "%02u:%02u:%02u", hh, mm, ss);
		return true;
	}
	if (is_1904) {
		civil_from_days(day + UNIX_DAY_EXCEL_1904, &y, &m, &d);
	} else if (day == 60) { /* 1900-02-29, which Excel believes in */
		y = 1900;
		m = 2;
		d = 29;
	} else {
		civil_from_days(day + UNIX_DAY_EXCEL_1900 + (day < 60), &y, &m, &d);
	}
	if (y < 0 || y > 9999)
		return false;
	if (kind == XLSX_DATE)
		(void)snprintf(out, XLSX_NUMBER_LEN, "%04u-%02u-%02u", (unsigned)y % 10000, m % 13,
			       d % 32);
	else
		(void)snprintf(out, XLSX_NUMBER_LEN, "%04u-%02u-%02uT%02u:%02u:%02u",
			       (unsigned)y % 10000, m % 13, d % 32, hh, mm, ss);
	return true;
}

/* n digits at s as a number, or -1. */
static int digits_at(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int xlsx_iso_serial(const char *s, double *serial, bool *has_time)
{
	static const unsigned char month_days[] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int y = digits_at(s, 4), mo, d, h = 0, mi = 0, sec = 0;
	size_t len = strlen(s);
	int64_t day;

	if (len < 10 || y < 1 || s[4] != '-' || s[7] != '-')
		return CR_EINVAL;
	mo = digits_at(s + 5, 2);
	d = digits_at(s + 8, 2);
	if (mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return CR_EINVAL;
	if (len > 10) {
		if ((len != 16 && len != 19) || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
		    (len == 19 && s[16] != ':'))
			return CR_EINVAL;
		h = digits_at(s + 11, 2);
		mi = digits_at(s + 14, 2);
		sec = len == 19 ? digits_at(s + 17, 2) : 0;
		if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
			return CR_EINVAL;
	}
	day = days_from_civil(y, (unsigned)mo, (unsigned)d) - UNIX_DAY_EXCEL_1900;
	if (day < 61)
		return 1;
	*serial = (double)day + (double)(h * 3600 + mi * 60 + sec) / SECONDS_PER_DAY;
	*has_time = len > 10;
	return 0;
}

enum xlsx_date_kind xlsx_builtin_kind(uint32_t id)
{
	if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 ||
	    (id >= 50 && id <= 54) || id == 57 || id == 58)
		return XLSX_DATE;
	if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) ||
	    id == 55 || id == 56)
		return XLSX_TIME;
	return id == 22 ? XLSX_DATETIME : XLSX_NOT_DATE;
}

/* ASCII lower case, whatever the locale (number formats are ASCII). */
static char lower(char c)
{
	static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const char low[] = "abcdefghijklmnopqrstuvwxyz";
	const char *at = c != '\0' ? strchr(upper, c) : NULL;

	if (at == NULL)
		return c;
	return low[at - upper];
}

/* The end of a [...] section at p, and whether it is elapsed time ([h],
 * [mm], [ss]); NULL if it is not closed. */
static const char *bracket_end(const char *p, bool *is_elapsed)
{
	const char *close = strchr(p, ']');
	char c = lower(p[1]);

	*is_elapsed = false;
	if (close == NULL)
		return NULL;
	if (c == 'h' || c == 'm' || c == 's') {
		*is_elapsed = true;
		for (const char *q = p + 1; q < close; q++)
			if (lower(*q) != c)
				*is_elapsed = false;
	}
	return close;
}

enum xlsx_date_kind xlsx_format_kind(const char *code)
{
	bool is_date = false, is_time = false, has_m = false, is_elapsed;

	for (const char *p = code; *p != '\0' && *p != ';'; p++) {
		char c = lower(*p);
		if (c == '"') {
			p = strchr(p + 1, '"');
		} else if (c == '\\' || c == '_' || c == '*') {
			p = p[1] != '\0' ? p + 1 : NULL;
		} else if (c == '[') {
			p = bracket_end(p, &is_elapsed);
			is_time |= is_elapsed;
		} else if (strncasecmp(p, "am/pm", 5) == 0 || strncasecmp(p, "a/p", 3) == 0) {
			is_time = true;
			p += c == 'a' && p[1] == '/' ? 2 : 4;
		} else if (c == 'y' || c == 'd') {
			is_date = true;
		} else if (c == 'h' || c == 's') {
			is_time = true;
		} else if (c == 'm') {
			has_m = true;
		}
		if (p == NULL) /* an unclosed quote or bracket, a trailing escape */
			break;
	}
	/* m is a month unless it sits with hours or seconds alone ("h:mm") */
	if (has_m && !is_time)
		is_date = true;
	if (is_date)
		return is_time ? XLSX_DATETIME : XLSX_DATE;
	return is_time ? XLSX_TIME : XLSX_NOT_DATE;
}

size_t xlsx_utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c = p[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = c;
	return n;
}

size_t xlsx_utf8_put(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

void xlsx_col_name(size_t col, char out[4])
{
	char tmp[4];
	size_t n = 0;

	for (col++; col > 0 && n < 3; col = (col - 1) / 26)
		tmp[n++] = (char)('A' + (col - 1) % 26);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

bool xlsx_xml_char(uint32_t cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
	       (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}
