/* core/identity/csv.c: RFC 4180 CSV (quoted fields, doubled quotes, LF or
 * CRLF line ends). Pure. */
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#include "../../lib/mem.h"

void id_csv_close(struct id_csv *c)
{
	for (size_t r = 0; r < c->n_rows; r++) {
		for (size_t f = 0; f < c->rows[r].n; f++)
			free(c->rows[r].fields[f]);
		free(c->rows[r].fields);
	}
	free(c->rows);
	*c = (struct id_csv){ 0 };
}

static void push_field(struct id_csv_row *row, const char *text, size_t len)
{
	row->fields = cr_realloc(row->fields, (row->n + 1) * sizeof(char *));
	row->fields[row->n++] = cr_strndup(text, len);
}

static void push_row(struct id_csv *c, size_t line)
{
	c->rows = cr_realloc(c->rows, (c->n_rows + 1) * sizeof(*c->rows));
	c->rows[c->n_rows++] = (struct id_csv_row){ .line = line };
}

/* One field starting at *p; advances past it (not past the separator). */
static int field(struct id_csv *c, const char **p, char *scratch, size_t line, struct cr_err *err)
{
	const char *s = *p;
	size_t n = 0;

	if (*s != '"') {
		size_t len = strcspn(s, ",\r\n");
		if (memchr(s, '"', len) != NULL)
			return cr_err_set(err, CR_EINVAL,
					  "line %zu: a quote inside an unquoted field", line);
		*p = s + len;
		push_field(&c->rows[c->n_rows - 1], s, len);
		return 0;
	}
	s++;
	for (;;) {
		if (*s == '\0')
			return cr_err_set(err, CR_EINVAL, "line %zu: a quoted field is not closed",
					  line);
		if (*s == '"' && s[1] == '"') {
			scratch[n++] = '"';
			s += 2;
		} else if (*s == '"') {
			s++;
			break;
		} else {
			scratch[n++] = *s++;
		}
	}
	if (*s != ',' && *s != '\r' && *s != '\n' && *s != '\0')
		return cr_err_set(err, CR_EINVAL, "line %zu: text after a closing quote", line);
	*p = s;
	push_field(&c->rows[c->n_rows - 1], scratch, n);
	return 0;
}

int id_csv_parse(const char *text, size_t max_rows, struct id_csv *out, struct cr_err *err)
{
	const char *p = text;
	size_t line = 1;
	char *scratch = cr_malloc(strlen(text) + 1);
	int rc = 0;

	*out = (struct id_csv){ 0 };
	if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
	    (unsigned char)p[2] == 0xbf)
		p += 3; /* a UTF-8 byte order mark, as spreadsheets write */
	while (rc == 0 && *p != '\0') {
		if (*p == '\n' || (*p == '\r' && p[1] == '\n')) { /* blank line */
			p += *p == '\r' ? 2 : 1;
			line++;
			continue;
		}
		if (out->n_rows >= max_rows) {
			rc =
			    cr_err_set(err, CR_ETOOBIG, "at most %zu lines per file", max_rows - 1);
			break;
		}
		push_row(out, line);
		while (rc == 0) {
			const char *start = p;
			rc = field(out, &p, scratch, line, err);
			for (const char *q = start; q < p; q++)
				line += *q == '\n';
			if (rc < 0 || *p != ',')
				break;
			p++;
		}
		if (rc == 0 && *p == '\r')
			p++;
		if (rc == 0 && *p == '\n') {
			p++;
			line++;
		}
	}
	free(scratch);
	if (rc < 0)
		id_csv_close(out);
	return rc;
}
