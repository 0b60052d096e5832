/* lib/mem.h: allocation that never returns NULL.
 *
 * When memory runs out these log one line and abort: a node of a replicated
 * store is safer restarting than carrying thousands of untested branches
 * (STYLE.md §6). Callers never test the result for NULL.
 *
 * Jansson allocates through cr_malloc too: each program's main() calls
 * json_set_alloc_funcs(cr_malloc, free) once, before any JSON is made, so
 * a json_object() or json_string() of valid UTF-8 never returns NULL
 * for want of memory (a NULL still means bad input: json_pack, json_loads). */
#ifndef CREEK_LIB_MEM_H
#define CREEK_LIB_MEM_H

#include <stddef.h>

void *cr_malloc(size_t size);
void *cr_calloc(size_t n, size_t size);
void *cr_realloc(void *ptr, size_t size);
char *cr_strdup(const char *s);
char *cr_strndup(const char *s, size_t n);

#endif
