/* storage/kept.c: see kept.h. */
#include "kept.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/buf.h"
#include "../lib/mem.h"

struct slot {
	char *key; /* owned; NULL: empty */
	size_t key_len;
	int64_t version;
	size_t bytes;  /* key and rows */
	uint64_t used; /* the cache's tick when last given or kept */
	struct storage_rows rows;
};

/* Slots come in sets of KEPT_WAYS: a key's set is fixed by its hash, and
 * a new answer replaces the least recently used slot of its set (two
 * keys that share a set do not push each other out). */
#define KEPT_WAYS 4
#define KEPT_SETS (STORAGE_KEPT_SLOTS / KEPT_WAYS)

struct storage_kept {
	pthread_mutex_t mu;
	struct slot slots[STORAGE_KEPT_SLOTS];
	size_t bytes;  /* of every slot */
	uint64_t tick; /* counts gets and puts */
	atomic_ulong hits, misses;
};

struct storage_kept *storage_kept_new(void)
{
	struct storage_kept *k = cr_calloc(1, sizeof(*k));

	(void)pthread_mutex_init(&k->mu, NULL);
	return k;
}

void storage_kept_free(struct storage_kept *k)
{
	if (k == NULL)
		return;
	for (size_t i = 0; i < STORAGE_KEPT_SLOTS; i++)
		if (k->slots[i].key != NULL) {
			free(k->slots[i].key);
			storage_rows_close(&k->slots[i].rows);
		}
	(void)pthread_mutex_destroy(&k->mu);
	free(k);
}

/* The key: db, sql and each parameter's type and bytes. false if it is
 * larger than an answer may be (then it is not kept). */
static bool key_make(struct cr_buf *key, const char *db, const char *sql,
		     const struct storage_value *params, unsigned n_params)
{
	bool ok = cr_buf_append(key, db, strlen(db) + 1) == 0 &&
		  cr_buf_append(key, sql, strlen(sql) + 1) == 0;

	for (unsigned i = 0; ok && i < n_params; i++) {
		const struct storage_value *v = &params[i];
		unsigned char type = (unsigned char)v->type;
		ok = cr_buf_append(key, &type, 1) == 0;
		switch (v->type) {
		case STORAGE_TEXT:
		case STORAGE_ISO8601:
		case STORAGE_BLOB:
			ok = ok && cr_buf_append(key, &v->s.len, sizeof(v->s.len)) == 0 &&
			     cr_buf_append(key, v->s.p, v->s.len) == 0;
			break;
		case STORAGE_FLOAT:
			ok = ok && cr_buf_append(key, &v->f, sizeof(v->f)) == 0;
			break;
		case STORAGE_BOOLEAN:
			ok = ok && cr_buf_append(key, &v->b, sizeof(v->b)) == 0;
			break;
		case STORAGE_NULL:
			break;
		default:
			ok = ok && cr_buf_append(key, &v->i, sizeof(v->i)) == 0;
			break;
		}
	}
	return ok;
}

/* The first slot of the key's set (FNV-1a of the key). */
static struct slot *set_of(struct storage_kept *k, const struct cr_buf *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < key->len; i++)
		h = (h ^ (unsigned char)key->data[i]) * 1099511628211ULL;
	return &k->slots[(h % KEPT_SETS) * KEPT_WAYS];
}

/* The slot of set that holds key, or NULL. Under k->mu. */
static struct slot *slot_find(struct slot *set, const struct cr_buf *key)
{
	for (unsigned i = 0; i < KEPT_WAYS; i++)
		if (set[i].key != NULL && set[i].key_len == key->len &&
		    memcmp(set[i].key, key->data, key->len) == 0)
			return &set[i];
	return NULL;
}

/* Where key's answer goes: its slot, else an empty one, else the least
 * recently used of its set. Under k->mu. */
static struct slot *slot_for(struct slot *set, const struct cr_buf *key)
{
	struct slot *s = slot_find(set, key);

	if (s != NULL)
		return s;
	for (unsigned i = 0; i < KEPT_WAYS; i++)
		if (set[i].key == NULL)
			return &set[i];
	s = &set[0];
	for (unsigned i = 1; i < KEPT_WAYS; i++)
		if (set[i].used < s->used)
			s = &set[i];
	return s;
}

/* A copy of src into dst (initialised here); its bytes into *bytes. */
static int rows_copy(struct storage_rows *dst, const struct storage_rows *src, size_t *bytes)
{
	size_t n = 0;

	storage_rows_init(dst);
	for (size_t r = 0; r < src->n_rows; r++) {
		const struct storage_value *row = &src->values[r * src->n_cols];
		if (storage_rows_add(dst, src->n_cols, src->cols, row, NULL) < 0)
			return -1;
		n += src->n_cols * sizeof(*row);
		for (unsigned c = 0; c < src->n_cols; c++)
			if (row[c].type == STORAGE_TEXT || row[c].type == STORAGE_ISO8601 ||
			    row[c].type == STORAGE_BLOB)
				n += row[c].s.len + 1;
	}
	if (bytes != NULL)
		*bytes = n;
	return 0;
}

bool storage_kept_get(struct storage_kept *k, const char *db, int64_t version, const char *sql,
		      const struct storage_value *params, unsigned n_params,
		      struct storage_rows *rows)
{
	struct cr_buf key;
	bool found = false;

	storage_rows_init(rows);
	if (version <= 0)
		return false;
	cr_buf_init(&key, STORAGE_KEPT_MAX_BYTES);
	if (key_make(&key, db, sql, params, n_params)) {
		struct slot *set = set_of(k, &key), *s;
		(void)pthread_mutex_lock(&k->mu);
		s = slot_find(set, &key);
		if (s != NULL && s->version == version) {
			s->used = ++k->tick;
			storage_rows_close(rows);
			found = rows_copy(rows, &s->rows, NULL) == 0;
			if (!found) {
				storage_rows_close(rows);
				storage_rows_init(rows);
			}
		}
		(void)pthread_mutex_unlock(&k->mu);
	}
	cr_buf_close(&key);
	atomic_fetch_add(found ? &k->hits : &k->misses, 1);
	return found;
}

void storage_kept_put(struct storage_kept *k, const char *db, int64_t version, const char *sql,
		      const struct storage_value *params, unsigned n_params,
		      const struct storage_rows *rows)
{
	struct cr_buf key;
	struct storage_rows copy;
	size_t bytes = 0;

	if (version <= 0)
		return;
	cr_buf_init(&key, STORAGE_KEPT_MAX_BYTES);
	if (!key_make(&key, db, sql, params, n_params)) {
		cr_buf_close(&key);
		return;
	}
	if (rows_copy(&copy, rows, &bytes) < 0 || bytes + key.len > STORAGE_KEPT_MAX_BYTES) {
		storage_rows_close(&copy);
		cr_buf_close(&key);
		return;
	}
	{
		struct slot *set = set_of(k, &key), *s;
		struct slot old;
		char *kept_key = cr_malloc(key.len);
		memcpy(kept_key, key.data, key.len);
		bytes += key.len;
		(void)pthread_mutex_lock(&k->mu);
		s = slot_for(set, &key);
		old = *s;
		if (k->bytes - old.bytes + bytes > STORAGE_KEPT_TOTAL_BYTES) {
			old.key = kept_key; /* full: not kept, freed below */
			old.rows = copy;
		} else {
			k->bytes = k->bytes - old.bytes + bytes;
			s->key = kept_key;
			s->key_len = key.len;
			s->version = version;
			s->bytes = bytes;
			s->used = ++k->tick;
			s->rows = copy;
		}
		(void)pthread_mutex_unlock(&k->mu);
		if (old.key != NULL) {
			free(old.key);
			storage_rows_close(&old.rows);
		}
	}
	cr_buf_close(&key);
}

void storage_kept_counts(struct storage_kept *k, uint64_t *hits, uint64_t *misses)
{
	*hits = atomic_load(&k->hits);
	*misses = atomic_load(&k->misses);
}
