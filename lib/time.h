/* lib/time.h: clocks, in the units their names say. */
#ifndef CREEK_LIB_TIME_H
#define CREEK_LIB_TIME_H

#include <pthread.h>
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

#endif
