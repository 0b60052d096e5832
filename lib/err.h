/* lib/err.h: Creek's one error convention.
 *
 * A function that can fail returns int: 0 (or a documented count >= 0) on
 * success, a negative CR_E* code on failure. A function that can explain a
 * failure takes `struct cr_err *err` last (NULL allowed) and fills it as it
 * returns. The message is one sentence, safe to show a client, no secrets.
 * The error path never allocates. */
#ifndef CREEK_LIB_ERR_H
#define CREEK_LIB_ERR_H

#include <stdarg.h>

enum {
	CR_OK = 0,
	CR_EINVAL = -1,          /* the input is wrong: 400 */
	CR_EDENIED = -2,         /* 403 */
	CR_ENOTFOUND = -3,       /* 404 */
	CR_ECONFLICT = -4,       /* value taken, stale version: 409 */
	CR_ETOOBIG = -5,         /* a named limit was hit: 413 */
	CR_EUNAVAIL = -6,        /* no leader or store; safe to retry: 503 */
	CR_EINTERNAL = -7,       /* bug or I/O failure, details in the log: 500 */
	CR_EUNKNOWN = -8,        /* outcome unknown (a write may or may not have committed): 503 */
	CR_EAUTH = -9,           /* not signed in, or the credentials are wrong: 401 */
	CR_ELIMIT = -10,         /* too many attempts; try again later: 429 */
	CR_EUNPROCESSABLE = -11, /* valid, but it would lose data: 422 */
};

#define CR_ERR_MSG_MAX 256

struct cr_err {
	int code;
	char msg[CR_ERR_MSG_MAX];
};

/* Fill err (if not NULL) and return code. Format like printf; truncated to
 * CR_ERR_MSG_MAX - 1 bytes. */
int cr_err_set(struct cr_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#ifdef __clang_analyzer__
/* clang-tidy's analyzer reads one file at a time and cannot see that
 * cr_err_set() returns code (a negative CR_E*): without this, every
 * `return cr_err_set(...)` looks like a success that wrote no output. */
#define cr_err_set(err, code, ...) (cr_err_set((err), (code), __VA_ARGS__), (code))
#endif

/* Prefix err->msg with context ("row 3: ..."), keep err->code; returns it.
 * A NULL err or an empty message is left as it is. */
int cr_err_wrap(struct cr_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Stable lower-case name of a code ("invalid", "not_found", ...), used as
 * the "code" of the HTTP error body. Unknown codes give "internal". */
const char *cr_err_name(int code);

#endif
