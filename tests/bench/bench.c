/* tests/bench/bench.c: timing, samples, keys and the measuring loop shared
 * by the storage benchmarks; see bench.h. */
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/mem.h"

static const char LETTERS[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
#define N_LETTERS (sizeof(LETTERS) - 1)

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_samples_init(struct bench_samples *s)
{
	memset(s, 0, sizeof(*s));
}

void bench_samples_close(struct bench_samples *s)
{
	free(s->ns);
	memset(s, 0, sizeof(*s));
}

void bench_samples_add(struct bench_samples *s, uint64_t ns)
{
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 4096 : s->cap * 2;
		s->ns = cr_realloc(s->ns, s->cap * sizeof(*s->ns));
	}
	s->ns[s->n++] = ns;
}

void bench_samples_merge(struct bench_samples *to, const struct bench_samples *from)
{
	for (size_t i = 0; i < from->n; i++)
		bench_samples_add(to, from->ns[i]);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double bench_samples_pct_ms(struct bench_samples *s, double pct)
{
	size_t rank;

	if (s->n == 0)
		return 0;
	qsort(s->ns, s->n, sizeof(*s->ns), cmp_u64);
	/* Nearest rank: the smallest sample with at least pct of all at or below. */
	rank = (size_t)(pct * (double)s->n);
	if ((double)rank < pct * (double)s->n)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > s->n)
		rank = s->n;
	return (double)s->ns[rank - 1] / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *values, size_t n)
{
	if (n == 0)
		return 0;
	qsort(values, n, sizeof(*values), cmp_double);
	if (n % 2 == 1)
		return values[n / 2];
	return (values[n / 2 - 1] + values[n / 2]) / 2;
}

uint64_t bench_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* splitmix64: turns a counter into well-spread bits. */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

void bench_key(uint64_t i, char *out)
{
	uint64_t bits = mix(i);

	/* 32 letters of 52 need about 183 bits: mix again every 10 letters. */
	for (unsigned k = 0; k < BENCH_KEY_LEN; k++) {
		if (k % 10 == 0)
			bits = mix(bits ^ k);
		out[k] = LETTERS[bits % N_LETTERS];
		bits /= N_LETTERS;
	}
	out[BENCH_KEY_LEN] = '\0';
}

void bench_value_init(char *out, uint64_t seed)
{
	uint64_t state = mix(seed) | 1;
	char fill = LETTERS[bench_rand(&state) % N_LETTERS];

	for (unsigned k = 0; k < BENCH_VALUE_LEN / 2; k++)
		out[k] = fill;
	for (unsigned k = BENCH_VALUE_LEN / 2; k < BENCH_VALUE_LEN; k++)
		out[k] = LETTERS[bench_rand(&state) % N_LETTERS];
	out[BENCH_VALUE_LEN] = '\0';
}

void bench_value_stamp(char *value, uint64_t i)
{
	bench_key(i, value + BENCH_VALUE_LEN / 2);
	value[BENCH_VALUE_LEN / 2 + BENCH_KEY_LEN] = 'x'; /* overwrite the key's NUL */
}

int bench_measure(const char *name, bench_op_fn op, void *ctx, unsigned seconds,
		  struct bench_result *out, struct cr_err *err)
{
	struct bench_samples lat;
	uint64_t start = bench_now_ns();
	uint64_t deadline = start + (uint64_t)seconds * 1000000000u;
	uint64_t now = start;
	bool is_gone = false;

	memset(out, 0, sizeof(*out));
	bench_samples_init(&lat);
	while (now < deadline && !is_gone) {
		struct cr_err op_err = { 0 };
		int rc = op(ctx, &op_err);
		uint64_t end = bench_now_ns();

		bench_samples_add(&lat, end - now);
		now = end;
		out->n_ops++;
		if (rc > 0) {
			out->n_rows += (uint64_t)rc;
			continue;
		}
		if (out->n_errors++ == 0)
			fprintf(stderr, "bench: %s: first error: %s\n", name, op_err.msg);
		if (rc == CR_EUNAVAIL) {
			is_gone = true;
			if (err != NULL)
				*err = op_err;
		}
	}
	out->elapsed_s = (double)(now - start) / 1e9;
	out->rows_per_s = (double)out->n_rows / out->elapsed_s;
	out->ops_per_s = (double)out->n_ops / out->elapsed_s;
	out->p50_ms = bench_samples_pct_ms(&lat, 0.50);
	out->p99_ms = bench_samples_pct_ms(&lat, 0.99);
	bench_samples_close(&lat);
	return is_gone ? CR_EUNAVAIL : 0;
}

int bench_free_port(unsigned *out, struct cr_err *err)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return cr_err_set(err, CR_EINTERNAL, "socket: %s", strerror(errno));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		rc = cr_err_set(err, CR_EINTERNAL, "no free loopback port: %s", strerror(errno));
	else
		*out = ntohs(sin.sin_port);
	(void)close(fd);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

void bench_remove_tree(const char *dir)
{
	(void)nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
