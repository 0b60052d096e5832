/* lib/time.c: see time.h. */
#include "time.h"

#include <errno.h>
#include <time.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t cr_now_ms(void)
{
	return mono_ns() / 1000000u;
}

uint64_t cr_now_us(void)
{
	return mono_ns() / 1000u;
}

int64_t cr_wall_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void cr_format_utc(int64_t wall_us, char *out, size_t out_len)
{
	time_t secs = (time_t)(wall_us / 1000000);
	struct tm tm;

	(void)gmtime_r(&secs, &tm);
	if (strftime(out, out_len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && out_len > 0)
		out[0] = '\0';
}

void cr_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

void cr_cond_wait_ms(pthread_cond_t *cond, pthread_mutex_t *mutex, unsigned ms)
{
	struct timespec ts;
	uint64_t ns;

	clock_gettime(CLOCK_REALTIME, &ts); /* the clock of a default condition */
	ns = (uint64_t)ts.tv_nsec + (uint64_t)ms * 1000000u;
	ts.tv_sec += (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	(void)pthread_cond_timedwait(cond, mutex, &ts);
}

unsigned cr_backoff_next(struct cr_backoff *b)
{
	unsigned wait_ms = b->delay_ms;

	b->delay_ms = b->delay_ms > b->max_ms / 2 ? b->max_ms : b->delay_ms * 2;
	return wait_ms;
}

bool cr_backoff_fits(const struct cr_backoff *b, uint64_t deadline_ms)
{
	return cr_now_ms() + b->delay_ms < deadline_ms;
}

void cr_backoff_sleep(struct cr_backoff *b)
{
	cr_sleep_ms(cr_backoff_next(b));
}
