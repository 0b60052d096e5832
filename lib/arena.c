/* lib/arena.c: see arena.h. Blocks are 16 KiB; a larger request gets a
 * block of its own, so a big blob does not waste a standard block. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define ARENA_BLOCK_SIZE 16384
#define ARENA_ALIGN      16

struct cr_arena_block {
	struct cr_arena_block *next;
	size_t size;
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void cr_arena_init(struct cr_arena *a, size_t limit)
{
	a->head = NULL;
	a->used = 0;
	a->limit = limit;
}

void cr_arena_close(struct cr_arena *a)
{
	struct cr_arena_block *b = a->head;

	while (b != NULL) {
		struct cr_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

static struct cr_arena_block *block_new(size_t size)
{
	struct cr_arena_block *b = cr_malloc(sizeof(*b) + size);

	b->size = size;
	b->used = 0;
	return b;
}

void *cr_arena_alloc(struct cr_arena *a, size_t size)
{
	struct cr_arena_block *b = a->head;
	size_t rounded;
	void *p;

	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (rounded == 0)
		rounded = ARENA_ALIGN;
	if (rounded > a->limit - a->used)
		return NULL;
	if (rounded > ARENA_BLOCK_SIZE / 4) {
		/* Own block, linked behind the head so the head keeps filling. */
		struct cr_arena_block *big = block_new(rounded);
		if (b == NULL) {
			big->next = NULL;
			a->head = big;
		} else {
			big->next = b->next;
			b->next = big;
		}
		big->used = rounded;
		a->used += rounded;
		return big->data;
	}
	if (b == NULL || b->size - b->used < rounded) {
		b = block_new(ARENA_BLOCK_SIZE);
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += rounded;
	a->used += rounded;
	return p;
}

char *cr_arena_strndup(struct cr_arena *a, const char *s, size_t n)
{
	char *p = cr_arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
