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
