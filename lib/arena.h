/* lib/arena.h: allocations that die together.
 *
 * An arena hands out memory from blocks and frees all of it at once in
 * cr_arena_close(). Each HTTP request and each query result owns one.
 * A ceiling set at init bounds the total; past it cr_arena_alloc() returns
 * NULL (the one place in Creek where NULL means "limit reached", so that a
 * peer cannot make a node allocate without bound). */
#ifndef CREEK_LIB_ARENA_H
#define CREEK_LIB_ARENA_H

#include <stddef.h>

struct cr_arena_block;

struct cr_arena {
	/* private */
	struct cr_arena_block *head;
	size_t used;  /* bytes handed out, all blocks */
	size_t limit; /* used never exceeds this */
};

void cr_arena_init(struct cr_arena *a, size_t limit);
void cr_arena_close(struct cr_arena *a);
/* 16-byte aligned memory, valid until cr_arena_close(). NULL past the limit. */
void *cr_arena_alloc(struct cr_arena *a, size_t size);
/* A NUL-terminated copy of n bytes of s. NULL past the limit. */
char *cr_arena_strndup(struct cr_arena *a, const char *s, size_t n);

#endif
