/* storage/conn.h: one client connection to a dqlite node.
 *
 * Speaks dqlite's wire protocol (../shared/notes/dqlite.md §3) over TCP
 * ("a.b.c.d:port") or a Linux abstract socket ("@name", same process only).
 * One request is in flight at a time and every result stream is read to
 * its end, as the protocol requires. Not thread-safe: one thread uses a
 * connection at a time (the pool hands them out).
 *
 * Failed state: a connection whose socket failed (I/O error, EOF, timeout,
 * undecodable reply) or whose node said it is not or no longer the leader
 * is "broken": storage_conn_is_broken() is true and every later call fails
 * with CR_EUNAVAIL. The only thing left to do is storage_conn_free().
 *
 * Error codes of every call:
 *   CR_EINVAL    bad arguments (too many parameters, NUL in text, ...)
 *   CR_ECONFLICT a constraint failed (UNIQUE, PRIMARY KEY, CHECK, ...)
 *   CR_EUNAVAIL  not the leader, node gone, busy, timeout: safe to retry
 *                on another connection for anything that did not commit;
 *                "busy" (SQLITE_BUSY) leaves the connection usable: the
 *                node refused that one request before running it
 *   CR_EUNKNOWN  leadership lost during a commit: it may have committed
 *   CR_ETOOBIG   a result or message past its limit
 *   CR_EINTERNAL any other SQL error (syntax, missing table, ...)
 * storage_conn_failure_code() gives the raw dqlite/SQLite code of the last
 * FAILURE response (0 if the last error was not one). */
#ifndef CREEK_STORAGE_CONN_H
#define CREEK_STORAGE_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/err.h"
#include "rows.h"
#include "value.h"

struct storage_conn;

/* dqlite/SQLite codes Creek acts on (dqlite src/protocol.h, sqlite3.h). */
#define STORAGE_FAIL_ERROR           1
#define STORAGE_FAIL_BUSY            5
#define STORAGE_FAIL_NOTFOUND        12
#define STORAGE_FAIL_FULL            13
#define STORAGE_FAIL_CONSTRAINT      19
#define STORAGE_FAIL_NOT_LEADER      10250 /* SQLITE_IOERR_NOT_LEADER */
#define STORAGE_FAIL_LEADERSHIP_LOST 10506 /* SQLITE_IOERR_LEADERSHIP_LOST */

/* Node roles (dqlite.h DQLITE_VOTER...). */
enum storage_role {
	STORAGE_ROLE_VOTER = 0,
	STORAGE_ROLE_STANDBY = 1,
	STORAGE_ROLE_SPARE = 2,
};

struct storage_result {
	uint64_t last_insert_id;
	uint64_t rows_affected;
};

struct storage_server {
	uint64_t id;
	char address[128];
	enum storage_role role;
};

/* Connect and send the protocol handshake. timeout_ms bounds the connect
 * and every later read or write on the socket. */
int storage_conn_open(const char *address, unsigned timeout_ms, struct storage_conn **out,
		      struct cr_err *err);

/* How to reach a node other than by plain TCP (cluster/ dials mutual TLS):
 * 0 and a connected stream socket in *fd_out (the caller owns it), or a
 * negative CR_E* code with err filled. Called from any thread. */
typedef int (*storage_dial_fn)(void *arg, const char *address, unsigned timeout_ms, int *fd_out,
			       struct cr_err *err);

/* The same over a socket made by dial (NULL dial: plain TCP/abstract). */
int storage_conn_open_with(storage_dial_fn dial, void *dial_arg, const char *address,
			   unsigned timeout_ms, struct storage_conn **out, struct cr_err *err);
void storage_conn_free(struct storage_conn *c); /* NULL is a no-op */

/* The node address the connection was opened to. */
const char *storage_conn_address(const struct storage_conn *c);
/* Make the call in progress on c (on another thread) fail at once, and c
 * broken: the socket is shut down, not closed. Any thread, while c is not
 * being freed. */
void storage_conn_interrupt(struct storage_conn *c);
bool storage_conn_is_broken(const struct storage_conn *c);
uint64_t storage_conn_failure_code(const struct storage_conn *c);
/* How many requests on c the node refused as busy (SQLITE_BUSY: a WAL
 * checkpoint in progress, or another connection's transaction in the way)
 * since c was opened. A caller that lets code it does not control run
 * statements on c compares it before and after, to tell "the store was
 * busy" from that code's own failures. */
uint64_t storage_conn_busy_count(const struct storage_conn *c);
/* Whether the last request failed with a FAILURE that says for certain
 * that nothing of it was committed: the node refused it before anything
 * reached Raft (busy, not leader, no database or statement, an SQL error
 * or constraint, a full database). false after a success, an answer lost
 * with the connection, and the failures that may follow the Raft append
 * (SQLITE_IOERR_LEADERSHIP_LOST, a plain SQLITE_IOERR, any other code).
 * docs/storage.md, "What a failed COMMIT means", has the table. */
bool storage_conn_was_refused(const struct storage_conn *c);
/* The database opened on it, or NULL (borrowed). */
const char *storage_conn_database(const struct storage_conn *c);

/* LEADER: the leader this node knows of. id 0 and "" if none (an election
 * is running, or the node is not a voter). address_len >= 128. */
int storage_conn_leader(struct storage_conn *c, uint64_t *id, char *address, size_t address_len,
			struct cr_err *err);
/* CLUSTER (format 1): this node's view of the configuration. *out is the
 * caller's, freed with free(). */
int storage_conn_cluster(struct storage_conn *c, struct storage_server **out, unsigned *n_out,
			 struct cr_err *err);

/* OPEN: one database per connection, created lazily by dqlite. */
int storage_conn_open_db(struct storage_conn *c, const char *name, struct cr_err *err);

/* PREPARE the first statement of sql. Statement ids are per connection and
 * die with it (and with a change of leader). */
int storage_conn_prepare(struct storage_conn *c, const char *sql, uint32_t *stmt_id,
			 uint64_t *n_params, struct cr_err *err);
int storage_conn_finalize(struct storage_conn *c, uint32_t stmt_id, struct cr_err *err);
/* Statements prepared on c and not finalized: the caller's own and the
 * ones exec_sql / query_sql keep prepared (at most 64 of those, least
 * recently used finalized first). */
size_t storage_conn_n_statements(const struct storage_conn *c);

/* EXEC a prepared statement / EXEC_SQL every statement of sql in order
 * (params bind to the first statement only). result may be NULL. A sql
 * of one statement (no ';') is prepared once and kept (see
 * storage_conn_n_statements); query_sql below does the same. */
int storage_conn_exec(struct storage_conn *c, uint32_t stmt_id, const struct storage_value *params,
		      unsigned n_params, struct storage_result *result, struct cr_err *err);
int storage_conn_exec_sql(struct storage_conn *c, const char *sql,
			  const struct storage_value *params, unsigned n_params,
			  struct storage_result *result, struct cr_err *err);

/* Called once per row while a result streams in. Values and names are
 * borrowed until the callback returns. Return 0 to go on, > 0 to stop early
 * (the rest of the stream is interrupted and drained), < 0 to stop and fail
 * with that code (fill err yourself). */
typedef int (*storage_row_fn)(void *arg, unsigned n_cols, const char *const *cols,
			      const struct storage_value *row, struct cr_err *err);

/* QUERY a prepared statement / QUERY_SQL the first statement of sql. A
 * statement without result columns fails unexecuted on dqlite 1.11 and runs
 * with an empty result on 1.12 and later: use EXEC for such statements.
 * stmt_id < 0 in the generic form means "use sql". */
int storage_conn_query_each(struct storage_conn *c, uint32_t stmt_id,
			    const struct storage_value *params, unsigned n_params,
			    storage_row_fn fn, void *arg, struct cr_err *err);
int storage_conn_query_sql_each(struct storage_conn *c, const char *sql,
				const struct storage_value *params, unsigned n_params,
				storage_row_fn fn, void *arg, struct cr_err *err);
/* The same, collecting every row into rows (initialised by the call; the
 * caller closes it on success and on failure). */
int storage_conn_query(struct storage_conn *c, uint32_t stmt_id, const struct storage_value *params,
		       unsigned n_params, struct storage_rows *rows, struct cr_err *err);
int storage_conn_query_sql(struct storage_conn *c, const char *sql,
			   const struct storage_value *params, unsigned n_params,
			   struct storage_rows *rows, struct cr_err *err);

/* ASSIGN / ADD / REMOVE / TRANSFER: membership changes, leader only. */
int storage_conn_add(struct storage_conn *c, uint64_t id, const char *address, struct cr_err *err);
int storage_conn_assign(struct storage_conn *c, uint64_t id, enum storage_role role,
			struct cr_err *err);
int storage_conn_remove(struct storage_conn *c, uint64_t id, struct cr_err *err);
int storage_conn_transfer(struct storage_conn *c, uint64_t id, struct cr_err *err);

#endif
