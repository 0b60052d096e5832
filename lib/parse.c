/* lib/parse.c: see parse.h. */
#include "parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cr_parse_u64(const char *s, uint64_t max, uint64_t *out, struct cr_err *err)
{
	unsigned long long v;
	char *end = NULL;

	if (s == NULL || *s < '0' || *s > '9')
		return cr_err_set(err, CR_EINVAL, "'%s' is not a non-negative integer",
				  s == NULL ? "" : s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return cr_err_set(err, CR_EINVAL, "'%s' is not a non-negative integer", s);
	if (v > max)
		return cr_err_set(err, CR_EINVAL, "%s is above the maximum %llu", s,
				  (unsigned long long)max);
	*out = (uint64_t)v;
	return 0;
}

int cr_parse_u32(const char *s, uint32_t max, uint32_t *out, struct cr_err *err)
{
	uint64_t v;
	int rc = cr_parse_u64(s, max, &v, err);

	if (rc < 0)
		return rc;
	*out = (uint32_t)v;
	return 0;
}

int cr_parse_i64(const char *s, int64_t *out, struct cr_err *err)
{
	long long v;
	char *end = NULL;
	const char *digits = (s != NULL && *s == '-') ? s + 1 : s;

	if (digits == NULL || *digits < '0' || *digits > '9')
		return cr_err_set(err, CR_EINVAL, "'%s' is not an integer", s == NULL ? "" : s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return cr_err_set(err, CR_EINVAL, "'%s' is not a 64-bit integer", s);
	*out = (int64_t)v;
	return 0;
}

int cr_parse_bool(const char *s, bool *out, struct cr_err *err)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; s != NULL && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return cr_err_set(err, CR_EINVAL, "'%s' is not a boolean (true/false)", s == NULL ? "" : s);
}

static int parse_octet(const char **p)
{
	int v = 0;
	int n = 0;

	while (**p >= '0' && **p <= '9' && n < 4) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n == 0 || n > 3 || v > 255)
		return -1;
	return v;
}

int cr_parse_ipv4_port(const char *s, struct cr_err *err)
{
	const char *p = s;
	const char *colon;
	uint32_t port;
	int i;

	if (s == NULL)
		return cr_err_set(err, CR_EINVAL, "address is missing");
	for (i = 0; i < 4; i++) {
		if (parse_octet(&p) < 0 || *p != (i < 3 ? '.' : ':'))
			return cr_err_set(err, CR_EINVAL,
					  "'%s' is not an address of the form a.b.c.d:port", s);
		p++;
	}
	colon = p - 1;
	if (cr_parse_u32(colon + 1, 65535, &port, NULL) < 0 || port == 0)
		return cr_err_set(err, CR_EINVAL, "'%s' has no valid port (1-65535)", s);
	return 0;
}

static bool is_host_char(char c, bool is_bracketed)
{
	if (is_bracketed)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
		       c == ':' || c == '.';
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '.' || c == '-' || c == '_';
}

int cr_parse_host_port(const char *s, char host[CR_HOST_MAX], uint16_t *port, struct cr_err *err)
{
	const char *h = s;
	const char *end; /* just past the host */
	const char *colon;
	bool is_bracketed;
	uint32_t p;

	if (s == NULL || *s == '\0')
		return cr_err_set(err, CR_EINVAL, "address is missing (host:port)");
	is_bracketed = s[0] == '[';
	if (is_bracketed) {
		h = s + 1;
		end = strchr(h, ']');
		if (end == NULL)
			return cr_err_set(err, CR_EINVAL, "'%s' has '[' without ']'", s);
		colon = end + 1;
		if (*colon != ':')
			return cr_err_set(err, CR_EINVAL,
					  "'%s' has no port after ']' ([host]:port)", s);
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return cr_err_set(err, CR_EINVAL, "'%s' has no port (host:port)", s);
		end = colon;
		if (memchr(s, ':', (size_t)(colon - s)) != NULL)
			return cr_err_set(err, CR_EINVAL,
					  "'%s' has an IPv6 host without brackets ([host]:port)",
					  s);
	}
	if (end == h)
		return cr_err_set(err, CR_EINVAL, "'%s' has no host", s);
	if ((size_t)(end - h) >= CR_HOST_MAX)
		return cr_err_set(err, CR_EINVAL, "'%s' has a host longer than %d characters", s,
				  CR_HOST_MAX - 1);
	for (const char *c = h; c < end; c++)
		if (!is_host_char(*c, is_bracketed))
			return cr_err_set(err, CR_EINVAL,
					  "'%s' has a character not allowed in a host", s);
	if (cr_parse_u32(colon + 1, 65535, &p, NULL) < 0 || p == 0)
		return cr_err_set(err, CR_EINVAL, "'%s' has no valid port (1-65535)", s);
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	*port = (uint16_t)p;
	return 0;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A qvalue, "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]: 1 if it is above
 * zero, 0 if zero, -1 if it is not one. */
static int q_above_zero(const char *v, size_t n)
{
	bool any = false;

	if (n == 0 || (v[0] != '0' && v[0] != '1') || (n > 1 && v[1] != '.') || n > 5)
		return -1;
	for (size_t i = 2; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || (v[0] == '1' && v[i] != '0'))
			return -1;
		any |= v[i] != '0';
	}
	return v[0] == '1' || any ? 1 : 0;
}

/* One element, "coding *( OWS ; OWS param )", in [p, end): its coding's
 * bit (CR_ENCODING_* or ~0u for "*"; 0 other) and whether its q allows
 * it. false if it cannot be read. */
static bool accept_item(const char *p, const char *end, unsigned *coding, bool *allowed)
{
	const char *tok;
	size_t len;
	int q = 1;

	while (p < end && is_ows(*p))
		p++;
	tok = p;
	while (p < end && *p != ';' && !is_ows(*p))
		p++;
	len = (size_t)(p - tok);
	while (p < end) {
		const char *name;
		const char *val;
		size_t name_len;
		while (p < end && (is_ows(*p) || *p == ';'))
			p++;
		name = p;
		while (p < end && *p != '=' && *p != ';' && !is_ows(*p))
			p++;
		if (p == name)
			break;
		if (p >= end || *p != '=')
			return false;
		name_len = (size_t)(p - name);
		val = ++p;
		while (p < end && *p != ';' && !is_ows(*p))
			p++;
		if (name_len == 1 && (name[0] == 'q' || name[0] == 'Q')) {
			q = q_above_zero(val, (size_t)(p - val));
			if (q < 0)
				return false;
		}
	}
	*allowed = q == 1;
	if (len == 1 && tok[0] == '*')
		*coding = ~0u;
	else if ((len == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
		 (len == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
		*coding = CR_ENCODING_GZIP;
	else if (len == 2 && strncasecmp(tok, "br", 2) == 0)
		*coding = CR_ENCODING_BR;
	else
		*coding = 0;
	return true;
}

unsigned cr_parse_accept_encoding(const char *s)
{
	unsigned named = 0;
	unsigned accepted = 0;
	bool star = false;

	while (s != NULL && *s != '\0') {
		const char *end = strchr(s, ',');
		unsigned coding = 0;
		bool allowed = false;
		if (end == NULL)
			end = s + strlen(s);
		if (accept_item(s, end, &coding, &allowed)) {
			if (coding == ~0u) {
				star = allowed;
			} else {
				named |= coding;
				if (allowed)
					accepted |= coding;
			}
		}
		s = *end == ',' ? end + 1 : end;
	}
	if (star)
		accepted |= (CR_ENCODING_GZIP | CR_ENCODING_BR) & ~named;
	return accepted;
}

int64_t cr_parse_position(const char *s, const char *ws)
{
	struct cr_err err = { 0 };
	size_t n = ws != NULL ? strlen(ws) : 0;
	uint64_t v;

	if (s == NULL || n == 0 || strncmp(s, ws, n) != 0 || s[n] != '.' ||
	    cr_parse_u64(s + n + 1, INT64_MAX, &v, &err) < 0)
		return 0;
	return (int64_t)v;
}
