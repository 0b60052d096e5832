/* tests/unit/storage/test_ambiguous_commit.c: a write whose COMMIT answer
 * is lost is settled, not guessed. A relay between the writer and a real
 * dqlite node cuts the connection around the COMMIT request:
 *   - after forwarding it (the commit happens, its answer is lost): the
 *     writer finds its batch marker and answers success, applied once;
 *   - before forwarding it (nothing committed): the writer finds no marker
 *     and runs the batch again, applied once;
 *   - after forwarding it, with a request id: the answer kept with the
 *     request id is what a retry through another writer (another node)
 *     gets back, without running the job again.
 * The relay also answers in the node's place, with the FAILURE frames
 * dqlite 1.18 sends (docs/storage.md, "What a failed COMMIT means"):
 *   - a COMMIT that reached the node, answered with a failure dqlite gives
 *     after the Raft append (SQLITE_IOERR): settled by the marker, never
 *     run again; with the store gone after it, the answer is CR_EUNKNOWN
 *     (`outcome_unknown`), never CR_EUNAVAIL ("nothing was written");
 *   - SQLITE_BUSY "checkpoint in progress" (refused before running) on a
 *     COMMIT, a job's statement or a read: waited out and run again. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../support/fixture.h"
#include "lib/mem.h"
#include "lib/parse.h"
#include "lib/time.h"

enum cut { CUT_NONE, CUT_AFTER_COMMIT, CUT_BEFORE_COMMIT };

struct relay_plan;

struct relay {
	int client; /* the writer's end of the socketpair */
	int node;   /* TCP to the dqlite node */
	struct relay_plan *plan;
};

static bool has_commit(const char *buf, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++)
		if (memcmp(buf + i, "COMMIT", 6) == 0)
			return true;
	return false;
}

struct relay_plan {
	_Atomic int cut;  /* enum cut for the next COMMIT seen, then CUT_NONE */
	_Atomic int cuts; /* how many connections were cut */
	/* Answered BUSY "checkpoint in progress" instead of forwarded: the
	 * next busy_commits requests holding COMMIT, busy_marked requests
	 * holding BUSY_MARK. */
	_Atomic int busy_commits;
	_Atomic int busy_marked;
	/* The next COMMIT is forwarded and the node's answer replaced by a
	 * FAILURE with this code (0: none); then the node looks gone (every
	 * dial refused) if down_after_fake. */
	_Atomic int fake_after_commit;
	_Atomic bool down_after_fake;
	_Atomic bool is_down;
};

#define BUSY_MARK        "busy-me"
#define SQLITE_IOERR     10 /* dqlite's "leader exec failed" after the append */
#define WRITE_TIMEOUT_MS 3000

/* A FAILURE response as dqlite sends it (src/response.h): u64 code, text. */
static void send_failure(int fd, uint64_t code, const char *msg)
{
	uint8_t frame[8 + 8 + 64] = { 0 };
	size_t padded = (strlen(msg) + 1 + 7) / 8 * 8;
	uint32_t words = (uint32_t)((8 + padded) / 8);

	assert_true(padded <= 64);
	for (int i = 0; i < 4; i++)
		frame[i] = (uint8_t)(words >> (8 * i));
	frame[4] = 0; /* FAILURE */
	for (int i = 0; i < 8; i++)
		frame[8 + i] = (uint8_t)(code >> (8 * i));
	memcpy(frame + 16, msg, strlen(msg));
	(void)send(fd, frame, 16 + padded, MSG_NOSIGNAL);
}

/* Read and drop one whole message from the node. */
static bool drop_message(int fd)
{
	uint8_t hdr[8];
	char buf[4096];
	size_t left;

	if (recv(fd, hdr, sizeof(hdr), MSG_WAITALL) != (ssize_t)sizeof(hdr))
		return false;
	left = (size_t)((uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
			(uint32_t)hdr[3] << 24) *
	       8;
	while (left > 0) {
		ssize_t n = recv(fd, buf, left < sizeof(buf) ? left : sizeof(buf), 0);
		if (n <= 0)
			return false;
		left -= (size_t)n;
	}
	return true;
}

static bool has_text(const char *buf, size_t n, const char *text)
{
	size_t len = strlen(text);

	for (size_t i = 0; i + len <= n; i++)
		if (memcmp(buf + i, text, len) == 0)
			return true;
	return false;
}

/* Take one from *counter if it is above 0. */
static bool take(_Atomic int *counter)
{
	int v = atomic_load(counter);

	while (v > 0)
		if (atomic_compare_exchange_weak(counter, &v, v - 1))
			return true;
	return false;
}

/* A request (one per chunk: the client sends each whole, one at a time)
 * the plan answers itself: true if answered. */
static bool answer_busy(struct relay *r, const char *buf, size_t n)
{
	bool is_commit = has_commit(buf, n);

	if ((is_commit && take(&r->plan->busy_commits)) ||
	    (has_text(buf, n, BUSY_MARK) && take(&r->plan->busy_marked))) {
		send_failure(r->client, 5, "checkpoint in progress");
		return true;
	}
	return false;
}

/* Copy bytes both ways; on the planned COMMIT, cut the writer off. */
static void *relay_main(void *arg)
{
	struct relay *r = arg;
	char buf[65536];

	for (;;) {
		struct pollfd p[2] = { { .fd = r->client, .events = POLLIN },
				       { .fd = r->node, .events = POLLIN } };
		ssize_t n;
		if (poll(p, 2, -1) < 0)
			break;
		if (p[0].revents & (POLLIN | POLLHUP)) {
			n = recv(r->client, buf, sizeof(buf), 0);
			if (n <= 0)
				break;
			if (answer_busy(r, buf, (size_t)n))
				continue;
			int cut = has_commit(buf, (size_t)n)
				      ? atomic_exchange(&r->plan->cut, CUT_NONE)
				      : CUT_NONE;
			int fake = has_commit(buf, (size_t)n)
				       ? atomic_exchange(&r->plan->fake_after_commit, 0)
				       : 0;
			if (cut == CUT_BEFORE_COMMIT) {
				atomic_fetch_add(&r->plan->cuts, 1);
				break;
			}
			if (send(r->node, buf, (size_t)n, MSG_NOSIGNAL) != n)
				break;
			if (fake != 0) {
				/* The node commits; its answer is replaced. */
				if (!drop_message(r->node))
					break;
				if (atomic_load(&r->plan->down_after_fake))
					atomic_store(&r->plan->is_down, true);
				send_failure(r->client, (uint64_t)fake, "leader exec failed");
				continue;
			}
			if (cut == CUT_AFTER_COMMIT) {
				cr_sleep_ms(200); /* let the node commit, then lose its answer */
				atomic_fetch_add(&r->plan->cuts, 1);
				break;
			}
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			n = recv(r->node, buf, sizeof(buf), 0);
			if (n <= 0 || send(r->client, buf, (size_t)n, MSG_NOSIGNAL) != n)
				break;
		}
	}
	close(r->client);
	close(r->node);
	free(r);
	return NULL;
}

static int relay_dial(void *arg, const char *address, unsigned timeout_ms, int *fd_out,
		      struct cr_err *err)
{
	struct relay *r = cr_calloc(1, sizeof(*r));
	int pair[2];
	pthread_t t;

	(void)timeout_ms;
	r->plan = arg;
	r->node = -1;
	if (atomic_load(&r->plan->is_down)) {
		free(r);
		return cr_err_set(err, CR_EUNAVAIL, "node unreachable");
	}
	{
		/* A plain TCP socket to the node. */
		char host[CR_HOST_MAX];
		uint16_t port = 0;
		struct sockaddr_in sin = { .sin_family = AF_INET };
		if (cr_parse_host_port(address, host, &port, err) < 0)
			return CR_EINVAL;
		sin.sin_port = htons(port);
		inet_pton(AF_INET, host, &sin.sin_addr);
		r->node = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(r->node, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			close(r->node);
			free(r);
			return cr_err_set(err, CR_EUNAVAIL, "node unreachable");
		}
	}
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
	r->client = pair[1];
	assert_int_equal(pthread_create(&t, NULL, relay_main, r), 0);
	pthread_detach(t);
	*fd_out = pair[0];
	return 0;
}

struct world {
	struct fixture f;
	struct relay_plan plan;
	struct storage_store *store; /* a second store that reaches the node through the relay */
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct storage_store_config sc = { .pool = { .n_addresses = 1,
						     .io_timeout_ms = 5000,
						     .acquire_timeout_ms = 10000,
						     .dial = relay_dial },
					   .writer = { .write_timeout_ms = WRITE_TIMEOUT_MS } };
	struct cr_err err = { 0 };

	fixture_start(&w->f);
	sc.pool.addresses[0] = w->f.address;
	sc.pool.dial_arg = &w->plan;
	if (storage_store_new(&sc, &w->store, &err) != 0 ||
	    storage_exec(w->store, "amb", NULL, "CREATE TABLE t (k TEXT PRIMARY KEY)", NULL, 0,
			 NULL, &err) != 0)
		fail_msg("setup: %s", err.msg);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	storage_store_free(w->store);
	fixture_close(&w->f);
	free(w);
	return 0;
}

static int count(struct world *w, const char *k)
{
	struct storage_rows rows;
	struct storage_value p = storage_text(k);
	struct cr_err err = { 0 };
	int n;

	if (storage_query(w->f.store, "amb", "SELECT COUNT(*) FROM t WHERE k = ?", &p, 1, &rows,
			  &err) != 0)
		fail_msg("count: %s", err.msg);
	n = (int)storage_rows_int(&rows, 0, 0, -1);
	storage_rows_close(&rows);
	return n;
}

static void write_through_cut(void **state, enum cut cut, const char *k)
{
	struct world *w = *state;
	struct storage_value p = storage_text(k);
	struct storage_writer_stats before;
	struct storage_writer_stats after;
	struct cr_err err = { 0 };
	int cuts = atomic_load(&w->plan.cuts);

	storage_store_stats(w->store, &before);
	atomic_store(&w->plan.cut, cut);
	if (storage_exec(w->store, "amb", NULL, "INSERT INTO t (k) VALUES (?)", &p, 1, NULL,
			 &err) != 0)
		fail_msg("write: %s", err.msg);
	storage_store_stats(w->store, &after);
	assert_int_equal(atomic_load(&w->plan.cuts), cuts + 1); /* the cut did happen */
	assert_int_equal(count(w, k), 1);                       /* applied exactly once */
	assert_int_equal(after.unknown, before.unknown);
	if (cut == CUT_BEFORE_COMMIT)
		assert_true(after.retries > before.retries); /* not committed: run again */
	else
		assert_int_equal(after.retries,
				 before.retries); /* committed: settled, not re-run */
}

static void commit_answer_lost_is_settled_by_the_marker(void **state)
{
	write_through_cut(state, CUT_AFTER_COMMIT, "after");
}

static void commit_never_sent_is_run_again(void **state)
{
	write_through_cut(state, CUT_BEFORE_COMMIT, "before");
}

struct keyed_insert {
	const char *k;
	int runs;
	int64_t id; /* out: the new row's rowid */
};

static int keyed_insert(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct keyed_insert *j = arg;
	struct storage_value p = storage_text(j->k);
	struct storage_result res = { 0 };
	int rc = storage_tx_exec(tx, "INSERT INTO t (k) VALUES (?)", &p, 1, &res, err);

	j->runs++;
	j->id = rc == 0 ? (int64_t)res.last_insert_id : 0;
	return rc < 0 ? rc : storage_tx_answer_ids(tx, &j->id, 1, err);
}

static void a_retry_elsewhere_after_a_lost_commit_gets_the_first_answer(void **state)
{
	struct world *w = *state;
	struct keyed_insert first = { .k = "keyed" };
	struct keyed_insert retry = { .k = "keyed" };
	struct cr_err err = { 0 };
	int64_t id = 0, again = 0;
	int cuts = atomic_load(&w->plan.cuts);

	atomic_store(&w->plan.cut, CUT_AFTER_COMMIT);
	if (storage_write_ids(w->store, "amb", "req-lost", keyed_insert, &first, &id, 1, &err) != 0)
		fail_msg("write: %s", err.msg);
	assert_int_equal(atomic_load(&w->plan.cuts), cuts + 1);
	assert_int_equal(id, first.id);
	/* The client's retry reaches another node (another store, another
	 * writer): not run again, answered with the same id. */
	if (storage_write_ids(w->f.store, "amb", "req-lost", keyed_insert, &retry, &again, 1,
			      &err) != 0)
		fail_msg("retry: %s", err.msg);
	assert_int_equal(retry.runs, 0);
	assert_int_equal(again, id);
	assert_int_equal(count(w, "keyed"), 1);
}

static void insert_through_relay(struct world *w, const char *k, int want_rc)
{
	struct storage_value p = storage_text(k);
	struct cr_err err = { 0 };
	int rc =
	    storage_exec(w->store, "amb", NULL, "INSERT INTO t (k) VALUES (?)", &p, 1, NULL, &err);

	if (rc != want_rc)
		fail_msg("write '%s': %d (%s), expected %d", k, rc, err.msg, want_rc);
}

static void commit_failed_after_the_append_is_settled_not_run_again(void **state)
{
	struct world *w = *state;
	struct storage_writer_stats before, after;
	uint64_t applied = storage_writer_applied_here();

	storage_store_stats(w->store, &before);
	atomic_store(&w->plan.fake_after_commit, SQLITE_IOERR);
	insert_through_relay(w, "ioerr", 0);
	storage_store_stats(w->store, &after);
	assert_int_equal(atomic_load(&w->plan.fake_after_commit), 0); /* it was answered */
	assert_int_equal(count(w, "ioerr"), 1);
	assert_int_equal(after.retries, before.retries); /* settled, not re-run */
	assert_int_equal(after.unknown, before.unknown);
	assert_int_equal(storage_writer_applied_here(), applied + 1);
}

static void commit_sent_then_no_answer_and_no_store_is_outcome_unknown(void **state)
{
	struct world *w = *state;
	uint64_t applied = storage_writer_applied_here();
	uint64_t start = cr_now_ms();

	atomic_store(&w->plan.down_after_fake, true);
	atomic_store(&w->plan.fake_after_commit, SQLITE_IOERR);
	insert_through_relay(w, "unknown", CR_EUNKNOWN);
	assert_true(cr_now_ms() - start < 3 * WRITE_TIMEOUT_MS); /* bounded */
	assert_int_equal(storage_writer_applied_here(), applied + 1);
	atomic_store(&w->plan.is_down, false);
	assert_int_equal(count(w, "unknown"), 1); /* it had committed */
}

static void commit_refused_as_busy_is_run_again(void **state)
{
	struct world *w = *state;
	struct storage_writer_stats before, after;

	storage_store_stats(w->store, &before);
	atomic_store(&w->plan.busy_commits, 3);
	insert_through_relay(w, "busy-commit", 0);
	storage_store_stats(w->store, &after);
	assert_int_equal(atomic_load(&w->plan.busy_commits), 0);
	assert_int_equal(count(w, "busy-commit"), 1);
	assert_true(after.retries >= before.retries + 3);
}

/* A job that reports every failure of its statement as its own. */
static int insert_owning_errors(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct storage_value p = storage_text(arg);

	if (storage_tx_exec(tx, "INSERT INTO t (k) VALUES (?)", &p, 1, NULL, err) < 0)
		return cr_err_set(err, CR_EINTERNAL, "the insert failed");
	return 0;
}

static void statement_refused_as_busy_runs_the_batch_again(void **state)
{
	struct world *w = *state;
	struct cr_err err = { 0 };
	int rc;

	atomic_store(&w->plan.busy_marked, 2);
	rc = storage_write(w->store, "amb", NULL, insert_owning_errors, BUSY_MARK, &err);
	if (rc != 0)
		fail_msg("write: %d (%s)", rc, err.msg);
	assert_int_equal(atomic_load(&w->plan.busy_marked), 0);
	assert_int_equal(count(w, BUSY_MARK), 1);
}

static void read_refused_as_busy_is_run_again(void **state)
{
	struct world *w = *state;
	struct storage_rows rows;
	struct cr_err err = { 0 };
	int rc;

	insert_through_relay(w, "read", 0);
	/* The read's own statement (the pool's barrier on a new connection
	 * is retried by the pool already). */
	atomic_store(&w->plan.busy_marked, 3);
	rc = storage_query(w->store, "amb",
			   "SELECT COUNT(*) FROM t WHERE k = 'read' OR k = '" BUSY_MARK "'", NULL,
			   0, &rows, &err);
	if (rc != 0)
		fail_msg("read: %d (%s)", rc, err.msg);
	assert_int_equal(storage_rows_int(&rows, 0, 0, -1), 1);
	storage_rows_close(&rows);
	assert_int_equal(atomic_load(&w->plan.busy_marked), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(commit_answer_lost_is_settled_by_the_marker, setup,
						teardown),
		cmocka_unit_test_setup_teardown(commit_never_sent_is_run_again, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_retry_elsewhere_after_a_lost_commit_gets_the_first_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    commit_failed_after_the_append_is_settled_not_run_again, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    commit_sent_then_no_answer_and_no_store_is_outcome_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(commit_refused_as_busy_is_run_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(statement_refused_as_busy_runs_the_batch_again,
						setup, teardown),
		cmocka_unit_test_setup_teardown(read_refused_as_busy_is_run_again, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
