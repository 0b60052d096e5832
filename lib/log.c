/* lib/log.c: formatting and dispatch to the configured sink; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Written once in main() before threads start, read-only afterwards. */
static cr_log_sink_fn log_sink;
static void *log_sink_arg;
/* Changed at run time by an operator (web/api_node.c), hence atomic. */
static _Atomic int log_max = CR_LOG_INFO;
/* Each thread's fields (cr_log_fields_set): an HTTP thread's request. */
static _Thread_local const struct cr_log_fields *log_fields;

const char *cr_log_level_name(enum cr_log_level level)
{
	switch (level) {
	case CR_LOG_ERR:
		return "error";
	case CR_LOG_WARN:
		return "warning";
	case CR_LOG_NOTICE:
		return "notice";
	case CR_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

static void stderr_sink(enum cr_log_level level, const struct cr_log_site *site, const char *msg,
			void *arg)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	(void)arg;
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	/* One fprintf per line: stdio locks the stream, so lines never interleave. */
	(void)fprintf(stderr, "%s.%03ldZ %s %s: %s\n", when, ts.tv_nsec / 1000000,
		      cr_log_level_name(level), site->module, msg);
}

void cr_log_configure(cr_log_sink_fn sink, void *arg, enum cr_log_level max_level)
{
	log_sink = sink;
	log_sink_arg = arg;
	atomic_store(&log_max, (int)max_level);
}

void cr_log_set_level(enum cr_log_level max_level)
{
	atomic_store(&log_max, (int)max_level);
}

enum cr_log_level cr_log_get_level(void)
{
	return (enum cr_log_level)atomic_load(&log_max);
}

int cr_log_level_parse(const char *name, enum cr_log_level *out)
{
	static const enum cr_log_level all[] = { CR_LOG_ERR, CR_LOG_WARN, CR_LOG_NOTICE,
						 CR_LOG_INFO, CR_LOG_DEBUG };

	for (size_t i = 0; name != NULL && i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(name, cr_log_level_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -1;
}

void cr_log_fields_set(const struct cr_log_fields *fields)
{
	log_fields = fields;
}

const struct cr_log_fields *cr_log_fields_get(void)
{
	return log_fields;
}

/* The code point of a bidirectional control at s (UTF-8), else 0. */
static unsigned bidi_control(const unsigned char *s)
{
	if (s[0] == 0xd8 && s[1] == 0x9c)
		return 0x061c;
	if (s[0] != 0xe2 || (s[1] != 0x80 && s[1] != 0x81) || s[2] == '\0')
		return 0;
	unsigned cp = 0x2000u + ((unsigned)(s[1] & 0x3f) << 6) + (unsigned)(s[2] & 0x3f);
	if (cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return cp;
	return 0;
}

/* The escape of the character at s into esc (>= 8 bytes), with its length
 * in bytes in *n; 0 if it is shown as it is. */
static size_t escape_one(const unsigned char *s, char esc[8], size_t *n)
{
	unsigned cp = bidi_control(s);

	*n = 1;
	if (cp != 0) {
		*n = cp == 0x061c ? 2 : 3;
		return (size_t)snprintf(esc, 8, "\\u%04x", cp);
	}
	if (*s == '\n' || *s == '\r' || *s == '\t')
		return (size_t)snprintf(esc, 8, "\\%c", *s == '\n' ? 'n' : *s == '\r' ? 'r' : 't');
	if (*s < 0x20 || *s == 0x7f)
		return (size_t)snprintf(esc, 8, "\\x%02x", *s);
	return 0;
}

size_t cr_log_escape(const char *in, char *out, size_t out_len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t used = 0;

	while (*p != '\0') {
		char esc[8];
		size_t n = 0;
		size_t len = escape_one(p, esc, &n);
		const char *from = len > 0 ? esc : (const char *)p;

		if (len == 0) /* a whole UTF-8 sequence, so truncation never splits one */
			while (n < 4 && (p[n] & 0xc0) == 0x80)
				n++;
		if (len == 0)
			len = n;
		if (used + len >= out_len)
			break;
		memcpy(out + used, from, len);
		used += len;
		p += n;
	}
	out[used] = '\0';
	return used;
}

void cr_log(enum cr_log_level level, const struct cr_log_site *site, const char *fmt, ...)
{
	char raw[1024];
	char msg[2048]; /* room for escapes */
	va_list ap;

	if ((int)level > atomic_load(&log_max))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	(void)cr_log_escape(raw, msg, sizeof(msg));
	if (log_sink != NULL)
		log_sink(level, site, msg, log_sink_arg);
	else
		stderr_sink(level, site, msg, NULL);
}
