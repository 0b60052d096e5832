/* tests/unit/support/fixture.c: see fixture.h. */
#include "fixture.h"

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

/* A port free now and below the kernel's ephemeral range (32768 and up by
 * default), so that no outgoing connection takes it before the test binds
 * it; random so that tests running at once rarely try the same one. */
unsigned fixture_free_port(void)
{
	static unsigned seed;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	if (seed == 0)
		seed = (unsigned)getpid() * 2654435761u;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int tries = 0; tries < 1000; tries++) {
		unsigned port = 10000 + (seed = seed * 1103515245u + 12345u) % 22000;
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok;
		assert_true(fd >= 0);
		sin.sin_port = htons((uint16_t)port);
		ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
		close(fd);
		if (ok)
			return port;
	}
	fail_msg("no free port below the ephemeral range");
	return 0;
}

static void start_engine(struct fixture *f)
{
	struct cr_err err = { 0 };
	struct storage_engine_config ec = {
		.dir = f->dir,
		.address = f->address,
		.latency_ms = 20,
	};
	int rc = storage_engine_start(&ec, &f->engine, &err);

	if (rc != 0)
		fail_msg("engine start: %s", err.msg);
}

void fixture_start(struct fixture *f)
{
	struct cr_err err = { 0 };
	struct storage_store_config sc = {
		.pool = { .n_addresses = 1, .io_timeout_ms = 5000, .acquire_timeout_ms = 10000 }
	};
	char tmpl[] = "/tmp/creek-test-XXXXXX";

	memset(f, 0, sizeof(*f));
	assert_non_null(mkdtemp(tmpl));
	(void)snprintf(f->dir, sizeof(f->dir), "%s/store", tmpl);
	(void)snprintf(f->address, sizeof(f->address), "127.0.0.1:%u", fixture_free_port());
	start_engine(f);
	sc.pool.addresses[0] = f->address;
	if (storage_store_new(&sc, &f->store, &err) != 0)
		fail_msg("store: %s", err.msg);
}

void fixture_stop_node(struct fixture *f)
{
	storage_engine_stop(f->engine);
	f->engine = NULL;
}

void fixture_restart_node(struct fixture *f)
{
	start_engine(f);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fixture_rmtree(const char *path)
{
	(void)nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void fixture_close(struct fixture *f)
{
	char *slash;

	storage_store_free(f->store);
	storage_engine_stop(f->engine);
	slash = strrchr(f->dir, '/');
	*slash = '\0'; /* the mkdtemp dir */
	fixture_rmtree(f->dir);
}

struct storage_conn *fixture_conn(struct fixture *f, const char *db)
{
	struct storage_conn *c = NULL;
	struct cr_err err = { 0 };

	if (storage_pool_acquire(storage_store_pool(f->store), db, &c, &err) != 0)
		fail_msg("acquire: %s", err.msg);
	return c;
}

int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	fixture_start(f);
	*state = f;
	return 0;
}

int fixture_teardown(void **state)
{
	fixture_close(*state);
	free(*state);
	return 0;
}
