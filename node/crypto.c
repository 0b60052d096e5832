/* node/crypto.c: the crypto core/identity is handed (struct id_crypto):
 * OpenSSL's scrypt and SHA-256, and getrandom().
 *
 * scrypt with N = 2^15, r = 8 takes 32 MiB and some 50-100 ms of one core.
 * So that a burst of sign-ins cannot take all memory (or every HTTP
 * thread's core), at most one KDF per core runs at once; the others wait
 * their turn. */
#include "crypto.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "../lib/err.h"

/* A first-come, first-served gate of `slots` places: a semaphore lets
 * late arrivals overtake, which under a burst leaves a few sign-ins
 * waiting many seconds. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	unsigned long next_ticket, serving;
	unsigned running, slots;
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 1 };

static void gate_enter(void)
{
	pthread_mutex_lock(&gate.lock);
	unsigned long ticket = gate.next_ticket++;
	while (ticket != gate.serving || gate.running >= gate.slots)
		pthread_cond_wait(&gate.turn, &gate.lock);
	gate.serving++;
	gate.running++;
	pthread_cond_broadcast(&gate.turn);
	pthread_mutex_unlock(&gate.lock);
}

static void gate_leave(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.running--;
	pthread_cond_broadcast(&gate.turn);
	pthread_mutex_unlock(&gate.lock);
}

static int kdf(const char *password, size_t password_len, const uint8_t *salt, size_t salt_len,
	       uint64_t n, uint32_t r, uint32_t p, uint8_t out[32])
{
	uint64_t maxmem = 128 * n * r * p + (1u << 20);
	int ok;

	gate_enter();
	ok = EVP_PBE_scrypt(password, password_len, salt, salt_len, n, r, p, maxmem, out, 32);
	gate_leave();
	return ok == 1 ? 0 : CR_EINTERNAL;
}

static void sha256(const void *data, size_t len, uint8_t out[32])
{
	(void)SHA256(data, len, out);
}

static void *sha256_begin(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		abort(); /* only fails when memory runs out: as cr_malloc() */
	return ctx;
}

static void sha256_update(void *state, const void *data, size_t len)
{
	(void)EVP_DigestUpdate(state, data, len);
}

static void sha256_end(void *state, uint8_t out[32])
{
	unsigned n = 32;

	(void)EVP_DigestFinal_ex(state, out, &n);
	EVP_MD_CTX_free(state);
}

const struct storage_sha256 *node_files_sha256(void)
{
	static const struct storage_sha256 ops = { sha256_begin, sha256_update, sha256_end };

	return &ops;
}

static int random_bytes(void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom((char *)buf + got, len - got, 0);
		if (n <= 0)
			return CR_EINTERNAL;
		got += (size_t)n;
	}
	return 0;
}

const struct id_crypto *node_crypto(void)
{
	static const struct id_crypto ops = { kdf, sha256, random_bytes };
	static int ready;

	if (!__atomic_exchange_n(&ready, 1, __ATOMIC_ACQ_REL)) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		pthread_mutex_lock(&gate.lock);
		gate.slots = cores > 0 ? (unsigned)cores : 1;
		pthread_mutex_unlock(&gate.lock);
	}
	return &ops;
}
