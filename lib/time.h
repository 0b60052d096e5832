/* lib/time.h: clocks, in the units their names say. */
#ifndef CREEK_LIB_TIME_H
#define CREEK_LIB_TIME_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds / microseconds (for timeouts and durations). */
uint64_t cr_now_ms(void);
uint64_t cr_now_us(void);
/* Wall clock, microseconds since the Unix epoch (for timestamps stored). */
int64_t cr_wall_us(void);
/* "2026-11-28T10:00:00Z" for a wall time in microseconds; out_len >= 21. */
void cr_format_utc(int64_t wall_us, char *out, size_t out_len);
/* Sleep for ms milliseconds (resumes after signals). */
void cr_sleep_ms(unsigned ms);
/* pthread_cond_timedwait for at most ms milliseconds (mutex held; a
 * wake-up may be early or spurious: recheck the condition). */
void cr_cond_wait_ms(pthread_cond_t *cond, pthread_mutex_t *mutex, unsigned ms);

/* Growing waits between retries: the first is first_ms, each next one
 * twice the last, never above max_ms. The caller owns the struct (on its
 * stack, one per retry loop):
 *	struct cr_backoff b = CR_BACKOFF(10, 500);
 *	while (try() fails && cr_backoff_fits(&b, deadline_ms))
 *		cr_backoff_sleep(&b);
 */
struct cr_backoff {
	unsigned delay_ms; /* the next wait */
	unsigned max_ms;
};
#define CR_BACKOFF(first_ms, max) ((struct cr_backoff){ .delay_ms = (first_ms), .max_ms = (max) })
/* The next wait, and double the one after (up to max_ms); no sleeping. */
unsigned cr_backoff_next(struct cr_backoff *b);
/* The next wait ends before deadline_ms (cr_now_ms()'s clock). */
bool cr_backoff_fits(const struct cr_backoff *b, uint64_t deadline_ms);
/* Sleep the next wait (cr_sleep_ms(cr_backoff_next(b))). */
void cr_backoff_sleep(struct cr_backoff *b);

#endif
