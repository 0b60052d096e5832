/* web/router.c: match a request path against the route table.
 * Patterns are literal segments and {name} segments; a {name} matches one
 * non-empty segment, which is copied into req->params in order. */
#include "web_int.h"

#include <stdio.h>
#include <string.h>

/* Does path match pattern? Fills params (arena copies) when it does. */
static bool match(struct web_request *req, const char *pattern, const char *path)
{
	unsigned n = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '{') {
			const char *pend = strchr(pattern, '}');
			size_t len = strcspn(path, "/");
			if (pend == NULL || len == 0 || n >= WEB_MAX_PATH_PARAMS)
				return false;
			req->params[n] = cr_arena_strndup(&req->arena, path, len);
			if (req->params[n] == NULL)
				return false;
			n++;
			pattern = pend + 1;
			path += len;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	if (*pattern != '\0' || *path != '\0')
		return false;
	req->n_params = n;
	return true;
}

int web_route_find(struct web_request *req, const struct web_route **out, unsigned *allow)
{
	unsigned methods = 0;

	for (const struct web_route *const *t = web_route_tables; *t != NULL; t++) {
		for (const struct web_route *r = *t; r->pattern != NULL; r++) {
			if (!match(req, r->pattern, req->path))
				continue;
			if (r->methods & req->method) {
				*out = r;
				return 0;
			}
			methods |= r->methods;
		}
	}
	if (methods == 0)
		return CR_ENOTFOUND;
	*allow = methods;
	return CR_EINVAL;
}

/* The one table of HTTP methods (RFC 9110 §9), in Allow's order. */
static const struct {
	enum web_method method;
	const char *name;
} methods_table[] = {
	{ WEB_GET, "GET" },         { WEB_HEAD, "HEAD" },   { WEB_POST, "POST" },
	{ WEB_PUT, "PUT" },         { WEB_PATCH, "PATCH" }, { WEB_DELETE, "DELETE" },
	{ WEB_OPTIONS, "OPTIONS" },
};

#define N_METHODS (sizeof(methods_table) / sizeof(methods_table[0]))

enum web_method web_method_parse(const char *name)
{
	for (size_t i = 0; i < N_METHODS; i++)
		if (strcmp(name, methods_table[i].name) == 0)
			return methods_table[i].method;
	return WEB_OTHER;
}

const char *web_method_name(enum web_method method)
{
	for (size_t i = 0; i < N_METHODS; i++)
		if (methods_table[i].method == method)
			return methods_table[i].name;
	return NULL;
}

void web_methods_format(unsigned methods, char *out, size_t out_len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < N_METHODS; i++) {
		if (!(methods & (unsigned)methods_table[i].method))
			continue;
		int n = snprintf(out + used, out_len - used, "%s%s", used > 0 ? ", " : "",
				 methods_table[i].name);
		if (n < 0 || (size_t)n >= out_len - used)
			return;
		used += (size_t)n;
	}
}
