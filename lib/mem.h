/* lib/mem.h: allocation that never returns NULL.
 *
 * When memory runs out these log one line and abort: a node of a replicated
 * store is safer restarting than carrying thousands of untested branches
 * (STYLE.md §6). Callers never test the result for NULL. */
#ifndef CREEK_LIB_MEM_H
#define CREEK_LIB_MEM_H

#include <stddef.h>

void *cr_malloc(size_t size);
void *cr_calloc(size_t n, size_t size);
void *cr_realloc(void *ptr, size_t size);
char *cr_strdup(const char *s);
char *cr_strndup(const char *s, size_t n);

#endif
