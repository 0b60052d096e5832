/* core/forms/field_cells.c: each type's value as text and back, for the
 * registry's rows (field.c): the words full-text search finds a record by,
 * a spreadsheet cell on export, and a cell's text on import (before the
 * field's own checks). Pure: members and departments are looked up
 * through struct fm_cells, the sheet itself is read in transfer.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"
#include "field_int.h"

static const char *label_of(const json_t *field)
{
	return json_string_value(json_object_get(field, "label"));
}

/* ---- search text ---- */

void fm_search_string(const json_t *field, const json_t *v, struct cr_buf *out)
{
	(void)field;
	if (json_is_string(v))
		(void)cr_buf_printf(out, "%s\n", json_string_value(v));
}

void fm_search_choice(const json_t *field, const json_t *v, struct cr_buf *out)
{
	const char *l = fm_choice_label(field, v);

	if (l != NULL)
		(void)cr_buf_printf(out, "%s\n", l);
}

void fm_search_choices(const json_t *field, const json_t *v, struct cr_buf *out)
{
	size_t k;
	const json_t *e;

	json_array_foreach(v, k, e)
	{
		fm_search_choice(field, e, out);
	}
}

void fm_search_address(const json_t *field, const json_t *v, struct cr_buf *out)
{
	size_t k;
	const json_t *e;

	(void)field;
	json_array_foreach(json_object_get(v, "region"), k, e)
	{
		(void)cr_buf_printf(out, "%s ", json_string_value(e));
	}
	(void)cr_buf_printf(out, "%s\n", json_string_value(json_object_get(v, "detail")));
}

/* ---- export: a value as a cell's text ---- */

/* The name of a member or department id (the id itself if unknown). */
static const char *ref_name(const json_t *refs, enum fm_ref ref, const json_t *id, char key[24])
{
	const char *kind = ref == FM_REF_MEMBER ? "members" : "departments";
	const char *name;

	(void)snprintf(key, 24, "%lld", (long long)json_integer_value(id));
	name = json_string_value(json_object_get(json_object_get(refs, kind), key));
	return name != NULL ? name : key;
}

/* Numbers in their shortest exact form, text as is, anything else as JSON. */
void fm_cell_write_value(const struct fm_cells *cx, const json_t *field, const json_t *v,
			 struct cr_buf *out)
{
	char *t;

	(void)cx;
	(void)field;
	if (json_is_number(v)) {
		(void)cr_buf_printf(out, "%.15g", json_number_value(v));
		return;
	}
	if (json_is_string(v)) {
		(void)cr_buf_printf(out, "%s", json_string_value(v));
		return;
	}
	t = json_dumps(v, JSON_COMPACT);
	(void)cr_buf_printf(out, "%s", t != NULL ? t : "");
	free(t);
}

void fm_cell_write_ref(const struct fm_cells *cx, const json_t *field, const json_t *v,
		       struct cr_buf *out)
{
	enum fm_ref ref = fm_type_get(json_string_value(json_object_get(field, "type")))->ref;
	char key[24];
	size_t i;
	const json_t *e;

	if (json_is_integer(v))
		(void)cr_buf_printf(out, "%s", ref_name(cx->refs, ref, v, key));
	json_array_foreach(v, i, e)
	{
		(void)cr_buf_printf(out, "%s%s", i ? "; " : "", ref_name(cx->refs, ref, e, key));
	}
}

void fm_cell_write_choice(const struct fm_cells *cx, const json_t *field, const json_t *v,
			  struct cr_buf *out)
{
	if (json_is_number(v)) {
		fm_cell_write_value(cx, field, v, out);
		return;
	}
	(void)cr_buf_printf(out, "%s", fm_choice_label(field, v));
}

void fm_cell_write_choices(const struct fm_cells *cx, const json_t *field, const json_t *v,
			   struct cr_buf *out)
{
	size_t i;
	const json_t *e;

	(void)cx;
	json_array_foreach(v, i, e)
	{
		(void)cr_buf_printf(out, "%s%s", i ? "; " : "", fm_choice_label(field, e));
	}
}

void fm_cell_write_address(const struct fm_cells *cx, const json_t *field, const json_t *v,
			   struct cr_buf *out)
{
	size_t i;
	const json_t *e;

	(void)cx;
	(void)field;
	json_array_foreach(json_object_get(v, "region"), i, e)
	{
		(void)cr_buf_printf(out, "%s%s", i ? "/" : "", json_string_value(e));
	}
	if (json_string_length(json_object_get(v, "detail")) > 0)
		(void)cr_buf_printf(out, " %s", json_string_value(json_object_get(v, "detail")));
}

void fm_cell_write_location(const struct fm_cells *cx, const json_t *field, const json_t *v,
			    struct cr_buf *out)
{
	(void)cx;
	(void)field;
	(void)cr_buf_printf(out, "%.7g,%.7g", json_number_value(json_object_get(v, "lat")),
			    json_number_value(json_object_get(v, "lng")));
	if (json_string_length(json_object_get(v, "label")) > 0)
		(void)cr_buf_printf(out, " %s", json_string_value(json_object_get(v, "label")));
}

void fm_cell_write_timerange(const struct fm_cells *cx, const json_t *field, const json_t *v,
			     struct cr_buf *out)
{
	(void)cx;
	(void)field;
	(void)cr_buf_printf(out, "%s ~ %s", json_string_value(json_object_get(v, "start")),
			    json_string_value(json_object_get(v, "end")));
}

void fm_cell_write_files(const struct fm_cells *cx, const json_t *field, const json_t *v,
			 struct cr_buf *out)
{
	size_t i;
	const json_t *e;

	(void)cx;
	(void)field;
	json_array_foreach(v, i, e)
	{
		(void)cr_buf_printf(out, "%s%s", i ? "; " : "",
				    json_string_value(json_object_get(e, "name")));
	}
}

void fm_cell_write_signature(const struct fm_cells *cx, const json_t *field, const json_t *v,
			     struct cr_buf *out)
{
	(void)cx;
	(void)field;
	(void)v;
	(void)cr_buf_printf(out, "(signature)");
}

/* ---- import: a cell's text as a value ---- */

int fm_cell_read_text(const struct fm_cells *cx, const json_t *field, const char *text,
		      json_t **out, struct cr_err *err)
{
	(void)cx;
	(void)field;
	(void)err;
	*out = json_string(text);
	return 0;
}

static json_t *number_of(const char *s)
{
	char clean[64];
	size_t n = 0;
	char *end;
	double v;

	for (const char *p = s; *p != '\0' && n < sizeof(clean) - 1; p++) {
		if (*p == ',' || *p == ' ' || *p == '%' || *p == '$')
			continue;
		if ((unsigned char)*p == 0xc2 && (unsigned char)p[1] == 0xa5) { /* ¥ */
			p++;
			continue;
		}
		clean[n++] = *p;
	}
	clean[n] = '\0';
	v = strtod(clean, &end);
	if (n == 0 || *end != '\0' || !isfinite(v))
		return NULL;
	if (v == floor(v) && fabs(v) < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* "1,234.5", "¥12", "15%" (its number: the field's checks say more). */
int fm_cell_read_number(const struct fm_cells *cx, const json_t *field, const char *text,
			json_t **out, struct cr_err *err)
{
	(void)cx;
	*out = number_of(text);
	return *out != NULL ? 0
			    : cr_err_set(err, CR_EINVAL, "'%s': '%s' is not a number",
					 label_of(field), text);
}

/* "h:mm" or "h:mm:ss" as seconds, else a number of seconds. */
int fm_cell_read_duration(const struct fm_cells *cx, const json_t *field, const char *text,
			  json_t **out, struct cr_err *err)
{
	int h = 0, m = 0, sec = 0, used = 0;

	if (sscanf(text, "%d:%2d%n:%2d%n", &h, &m, &used, &sec, &used) >= 2 &&
	    (size_t)used == strlen(text)) {
		*out = json_integer((json_int_t)h * 3600 + (json_int_t)m * 60 + sec);
		return 0;
	}
	return fm_cell_read_number(cx, field, text, out, err);
}

/* 2026-11-28, 2026/11/28 or 2026.11.28, a time after it ignored. */
int fm_cell_read_date(const struct fm_cells *cx, const json_t *field, const char *text,
		      json_t **out, struct cr_err *err)
{
	int y, mo, d, n = 0;

	(void)cx;
	if (sscanf(text, "%4d%*[-/.]%2d%*[-/.]%2d%n", &y, &mo, &d, &n) == 3 &&
	    (text[n] == '\0' || text[n] == 'T' || text[n] == ' ')) {
		char buf[16];
		(void)snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, mo, d);
		*out = json_string(buf);
		return 0;
	}
	return cr_err_set(err, CR_EINVAL, "'%s': '%s' is not a date like 2026-11-28",
			  label_of(field), text);
}

/* A date, then an optional time and zone; no zone: local time. */
int fm_cell_read_datetime(const struct fm_cells *cx, const json_t *field, const char *text,
			  json_t **out, struct cr_err *err)
{
	int y, mo, d, hh = 0, mi = 0, ss = 0, n = 0, k = 0;
	char zone[16] = "", buf[48];
	const char *rest;

	if (sscanf(text, "%4d%*[-/.]%2d%*[-/.]%2d%n", &y, &mo, &d, &n) != 3)
		return cr_err_set(err, CR_EINVAL, "'%s': '%s' is not a date like 2026-11-28",
				  label_of(field), text);
	rest = text + n;
	if (*rest == 'T' || *rest == ' ')
		(void)sscanf(rest + 1, "%2d:%2d%n:%2d%n", &hh, &mi, &k, &ss, &k);
	(void)snprintf(zone, sizeof(zone), "%s", k > 0 && rest[1 + k] != '\0' ? rest + 1 + k : "");
	if (zone[0] == '\0') {
		int off = cx->tz_offset_s / 60;
		(void)snprintf(zone, sizeof(zone), "%c%02d:%02d", off < 0 ? '-' : '+',
			       abs(off) / 60, abs(off) % 60);
	}
	(void)snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d, hh, mi, ss,
		       zone);
	*out = json_string(buf);
	return 0;
}

static const json_t *choice_by_text(const json_t *field, const char *text)
{
	size_t i;
	const json_t *c;

	json_array_foreach(json_object_get(json_object_get(field, "options"), "choices"), i, c)
	{
		if (json_is_true(json_object_get(c, "retired")))
			continue;
		if (strcmp(json_string_value(json_object_get(c, "label")), text) == 0 ||
		    strcmp(json_string_value(json_object_get(c, "id")), text) == 0)
			return json_object_get(c, "id");
	}
	return NULL;
}

/* A choice by its label or id (retired ones are not taken). */
int fm_cell_read_choice(const struct fm_cells *cx, const json_t *field, const char *text,
			json_t **out, struct cr_err *err)
{
	const json_t *id = choice_by_text(field, text);

	(void)cx;
	if (id == NULL)
		return cr_err_set(err, CR_EINVAL, "'%s': '%s' is not one of its choices",
				  label_of(field), text);
	*out = json_incref((json_t *)id);
	return 0;
}

/* Split a list cell on ; , ， 、 and trim the parts. */
static json_t *split_list(const char *s)
{
	json_t *out = json_array();
	char *copy = cr_strdup(s), *p = copy;

	while (*p != '\0') {
		size_t n = strcspn(p, ";,");
		char *next = p + n, *end;
		/* also the full-width comma and the enumeration comma */
		char *fw = strstr(p, "\xef\xbc\x8c"), *en = strstr(p, "\xe3\x80\x81");
		size_t skip = 1;
		if (fw != NULL && fw < next) {
			next = fw;
			skip = 3;
		}
		if (en != NULL && en < next) {
			next = en;
			skip = 3;
		}
		bool last = *next == '\0';
		*next = '\0';
		while (*p == ' ')
			p++;
		end = p + strlen(p);
		while (end > p && end[-1] == ' ')
			*--end = '\0';
		if (*p != '\0')
			json_array_append_new(out, json_string(p));
		if (last)
			break;
		p = next + skip;
	}
	free(copy);
	return out;
}

/* Choices by label or id, listed as split_list splits them. */
int fm_cell_read_choices(const struct fm_cells *cx, const json_t *field, const char *text,
			 json_t **out, struct cr_err *err)
{
	json_t *parts = split_list(text), *ids = json_array();
	size_t i;
	json_t *e;
	int rc = 0;

	json_array_foreach(parts, i, e)
	{
		json_t *id = NULL;
		rc = fm_cell_read_choice(cx, field, json_string_value(e), &id, err);
		if (rc < 0)
			break;
		json_array_append_new(ids, id);
	}
	json_decref(parts);
	if (rc < 0) {
		json_decref(ids);
		return rc;
	}
	*out = ids;
	return 0;
}

/* Members (login or name) or departments (name), one unless the field
 * takes several. */
int fm_cell_read_ref(const struct fm_cells *cx, const json_t *field, const char *text, json_t **out,
		     struct cr_err *err)
{
	enum fm_ref ref = fm_type_get(json_string_value(json_object_get(field, "type")))->ref;
	json_t *parts = split_list(text), *ids = json_array();
	size_t i;
	json_t *e;
	int rc = 0;

	json_array_foreach(parts, i, e)
	{
		int64_t id = 0;
		rc = cx->lookup == NULL
			 ? cr_err_set(err, CR_EINVAL, "no %s '%s'", fm_ref_noun(ref),
				      json_string_value(e))
			 : cx->lookup(cx->lookup_arg, ref, json_string_value(e), &id, err);
		if (rc < 0) {
			(void)cr_err_wrap(err, "'%s'", label_of(field));
			break;
		}
		json_array_append_new(ids, json_integer(id));
	}
	json_decref(parts);
	if (rc < 0) {
		json_decref(ids);
		return rc;
	}
	if (!json_is_true(json_object_get(json_object_get(field, "options"), "multiple"))) {
		if (json_array_size(ids) != 1) {
			json_decref(ids);
			return cr_err_set(err, CR_EINVAL, "'%s' takes one name", label_of(field));
		}
		*out = json_incref(json_array_get(ids, 0));
		json_decref(ids);
		return 0;
	}
	*out = ids;
	return 0;
}

/* "Region/Sub-region detail": regions split on /, the rest after a space. */
int fm_cell_read_address(const struct fm_cells *cx, const json_t *field, const char *text,
			 json_t **out, struct cr_err *err)
{
	const char *sp = strchr(text, ' ');
	size_t n = sp != NULL ? (size_t)(sp - text) : strlen(text);
	json_t *parts = json_array();

	(void)cx;
	(void)field;
	(void)err;
	for (size_t i = 0; i < n;) {
		size_t len = strcspn(text + i, "/");
		if (len > n - i)
			len = n - i;
		if (len > 0)
			json_array_append_new(parts, json_stringn(text + i, len));
		i += len + 1;
	}
	*out = json_pack("{s:o, s:s}", "region", parts, "detail", sp != NULL ? sp + 1 : "");
	return 0;
}

/* "lat,lng" and an optional label after a space. */
int fm_cell_read_location(const struct fm_cells *cx, const json_t *field, const char *text,
			  json_t **out, struct cr_err *err)
{
	double lat, lng;
	int n = 0;

	(void)cx;
	if (sscanf(text, "%lf,%lf%n", &lat, &lng, &n) != 2)
		return cr_err_set(err, CR_EINVAL, "'%s': '%s' is not \"lat,lng\"", label_of(field),
				  text);
	*out = json_pack("{s:f, s:f, s:s}", "lat", lat, "lng", lng, "label",
			 text[n] == ' ' ? text + n + 1 : "");
	return 0;
}

/* "start ~ end". */
int fm_cell_read_timerange(const struct fm_cells *cx, const json_t *field, const char *text,
			   json_t **out, struct cr_err *err)
{
	const char *sep = strstr(text, " ~ ");

	(void)cx;
	if (sep == NULL)
		return cr_err_set(err, CR_EINVAL, "'%s': '%s' is not \"start ~ end\"",
				  label_of(field), text);
	*out = json_pack("{s:s%, s:s}", "start", text, (size_t)(sep - text), "end", sep + 3);
	return 0;
}
