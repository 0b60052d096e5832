/* storage/value.c: value constructors; see value.h. */
#include "value.h"

#include <string.h>

struct storage_value storage_textn(const char *s, size_t len)
{
	struct storage_value v = { .type = STORAGE_TEXT };

	if (s == NULL)
		return storage_null();
	v.s.p = s;
	v.s.len = len;
	return v;
}

struct storage_value storage_text(const char *s)
{
	return storage_textn(s, s == NULL ? 0 : strlen(s));
}

struct storage_value storage_blob(const void *p, size_t len)
{
	struct storage_value v = { .type = STORAGE_BLOB };

	v.s.p = p;
	v.s.len = len;
	return v;
}

struct storage_value storage_iso8601(const char *s)
{
	struct storage_value v = storage_text(s);

	if (s != NULL)
		v.type = STORAGE_ISO8601;
	return v;
}
