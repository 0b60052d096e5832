/* lib/assert.h: invariant checks that stay on in release builds.
 *
 * A node of a replicated store with a broken invariant must stop rather
 * than write bad data (STYLE.md §5). Never use for input from outside. */
#ifndef CREEK_LIB_ASSERT_H
#define CREEK_LIB_ASSERT_H

void cr_assert_fail(const char *expr, const char *file, int line, const char *func)
    __attribute__((noreturn));

#define cr_assert(expr) ((expr) ? (void)0 : cr_assert_fail(#expr, __FILE__, __LINE__, __func__))

#endif
