/* tests/unit/support/fixture.h: a real embedded dqlite node for tests.
 * Each fixture gets its own temporary data dir and a free loopback port. */
#ifndef CREEK_TESTS_FIXTURE_H
#define CREEK_TESTS_FIXTURE_H

#include "storage/engine.h"
#include "storage/store.h"

struct fixture {
	char dir[256];
	char address[64];
	struct storage_engine *engine;
	struct storage_store *store;
};

/* Start a node (and a store client on it); asserts on failure. */
void fixture_start(struct fixture *f);
/* Stop the store client and the node; keep the data dir. */
void fixture_stop_node(struct fixture *f);
/* Start the node again on the same dir and address (not the store). */
void fixture_restart_node(struct fixture *f);
/* Stop everything and delete the data dir. */
void fixture_close(struct fixture *f);
/* A connection to the node with database db open. */
struct storage_conn *fixture_conn(struct fixture *f, const char *db);
/* cmocka group setup/teardown: *state becomes a started fixture. */
int fixture_setup(void **state);
int fixture_teardown(void **state);
/* Delete a directory tree (test data dirs). */
void fixture_rmtree(const char *path);
/* A free TCP port on 127.0.0.1. */
unsigned fixture_free_port(void);

#endif
