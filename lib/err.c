/* lib/err.c: error filling and naming; see err.h. Never allocates. */
#include "err.h"

#include <stdio.h>
#include <string.h>

#undef cr_err_set /* the function itself (err.h's macro is for the analyzer) */

int cr_err_set(struct cr_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int cr_err_wrap(struct cr_err *err, const char *fmt, ...)
{
	char prefix[CR_ERR_MSG_MAX];
	char old[CR_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return CR_EINTERNAL;
	if (err->msg[0] == '\0')
		return err->code;
	va_start(ap, fmt);
	(void)vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Both parts are bounded so the result always fits. */
	(void)snprintf(err->msg, sizeof(err->msg), "%.100s: %.150s", prefix, old);
	return err->code;
}

const char *cr_err_name(int code)
{
	switch (code) {
	case CR_OK:
		return "ok";
	case CR_EINVAL:
		return "invalid";
	case CR_EDENIED:
		return "denied";
	case CR_ENOTFOUND:
		return "not_found";
	case CR_ECONFLICT:
		return "conflict";
	case CR_ETOOBIG:
		return "too_big";
	case CR_EUNAVAIL:
		return "unavailable";
	case CR_EAUTH:
		return "unauthenticated";
	case CR_ELIMIT:
		return "throttled";
	case CR_EUNKNOWN:
		return "outcome_unknown";
	case CR_EUNPROCESSABLE:
		return "unprocessable";
	default:
		return "internal";
	}
}
