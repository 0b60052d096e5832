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

void cr_log(enum cr_log_level level, const struct cr_log_site *site, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if ((int)level > atomic_load(&log_max))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_sink != NULL)
		log_sink(level, site, msg, log_sink_arg);
	else
		stderr_sink(level, site, msg, NULL);
}
