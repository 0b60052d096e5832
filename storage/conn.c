/* storage/conn.c: a dqlite protocol connection; see conn.h.
 *
 * Request path: encode (wire.c) -> send_all -> recv_message -> decode.
 * Spec: dqlite v1.11.1 src/gateway.c (request handling), src/conn.c
 * (handshake), src/query.c (row batches); ../shared/notes/dqlite.md §3. */
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/buf.h"
#include "../lib/mem.h"
#include "socket.h"
#include "wire.h"

/* Outgoing messages: the largest is an EXEC with 255 big parameters. */
#define CONN_MAX_REQUEST ((size_t)64 * 1024 * 1024)
#define CONN_ADDRESS_MAX 128
#define CONN_STMT_CACHE  64 /* statements kept prepared per connection */

struct storage_conn {
	int fd;
	bool is_broken;
	bool has_db;
	uint32_t db_id;
	uint64_t failure_code;
	uint64_t n_busy; /* requests the node refused as busy, ever */
	char address[CONN_ADDRESS_MAX];
	char *db_name;
	/* Statement ids prepared and not yet finalized. dqlite 1.11 segfaults
	 * on EXEC/QUERY/FINALIZE of a finalized id (stmt registry_get), so
	 * the client never sends an id it does not hold. */
	uint32_t *stmts;
	size_t n_stmts;
	size_t cap_stmts;
	/* Statements kept prepared by their SQL (single statements run by
	 * storage_conn_query_sql / exec_sql): the node parses each text once
	 * per connection, not once per call. Least recently used goes first. */
	struct {
		char *sql;
		uint32_t id;
		uint64_t used; /* tick of the last use */
	} cache[CONN_STMT_CACHE];
	unsigned n_cache;
	uint64_t tick;
	struct cr_buf out; /* request being sent */
	struct cr_buf in;  /* body of the last message received */
	uint8_t in_type;
};

/* ---- socket ---- */

static void set_timeouts(int fd, unsigned timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = (long)(timeout_ms % 1000) * 1000 };

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int broken(struct storage_conn *c, struct cr_err *err, const char *what, int sys_errno)
{
	c->is_broken = true;
	if (sys_errno != 0)
		return cr_err_set(err, CR_EUNAVAIL, "store connection to '%s' failed: %s: %s",
				  c->address, what, strerror(sys_errno));
	return cr_err_set(err, CR_EUNAVAIL, "store connection to '%s' failed: %s", c->address,
			  what);
}

static int send_all(struct storage_conn *c, const void *data, size_t len, struct cr_err *err)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return broken(c, err, "send", errno);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_all(struct storage_conn *c, void *data, size_t len, struct cr_err *err)
{
	char *p = data;

	while (len > 0) {
		ssize_t n = recv(c->fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return broken(c, err, "receive", errno == EAGAIN ? ETIMEDOUT : errno);
		if (n == 0)
			return broken(c, err, "the node closed the connection", 0);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one whole message into c->in. */
static int recv_message(struct storage_conn *c, struct cr_err *err)
{
	uint8_t hdr[WIRE_HEADER_LEN];
	size_t body_len = 0;
	int rc;

	rc = recv_all(c, hdr, sizeof(hdr), err);
	if (rc < 0)
		return rc;
	rc = wire_decode_header(hdr, &body_len, &c->in_type);
	if (rc < 0)
		return broken(c, err, rc == CR_ETOOBIG ? "message too large" : "empty message", 0);
	cr_buf_reset(&c->in);
	if (cr_buf_reserve(&c->in, body_len) < 0)
		return broken(c, err, "message too large", 0);
	rc = recv_all(c, c->in.data, body_len, err);
	if (rc < 0)
		return rc;
	c->in.len = body_len;
	return 0;
}

/* ---- failures ---- */

/* Map a FAILURE response to Creek's codes. Leadership-related failures
 * break the connection: its leader state on the server is gone. */
static int failure(struct storage_conn *c, struct cr_err *err)
{
	struct wire_cursor cur;
	uint64_t code = 0;
	const char *msg = "";
	uint64_t primary;

	wire_cursor_init(&cur, c->in.data, c->in.len);
	if (wire_get_u64(&cur, &code) < 0 || wire_get_text(&cur, &msg, NULL) < 0)
		return broken(c, err, "undecodable failure response", 0);
	c->failure_code = code;
	primary = code & 0xff;
	if (code == STORAGE_FAIL_LEADERSHIP_LOST) {
		c->is_broken = true;
		return cr_err_set(
		    err, CR_EUNKNOWN,
		    "leadership was lost during the commit; it may have been applied");
	}
	if (code == STORAGE_FAIL_NOT_LEADER || code == STORAGE_FAIL_NOTFOUND || primary == 4 ||
	    (code == 1 && strcmp(msg, "barrier error") == 0)) {
		c->is_broken = true;
		return cr_err_set(err, CR_EUNAVAIL, "store node '%s' is not the leader (%s)",
				  c->address, msg);
	}
	if (primary == STORAGE_FAIL_BUSY) {
		/* Refused before it ran: dqlite's gateway answers "checkpoint
		 * in progress" before executing anything, and "database is
		 * locked" when the request waited too long behind another
		 * connection's transaction (storage.md, "Busy"). */
		c->n_busy++;
		return cr_err_set(err, CR_EUNAVAIL, "database is busy: %s", msg);
	}
	if (primary == STORAGE_FAIL_CONSTRAINT)
		return cr_err_set(err, CR_ECONFLICT, "%s", msg);
	return cr_err_set(err, CR_EINTERNAL, "SQL error %llu: %s", (unsigned long long)code, msg);
}

/* ---- request helpers ---- */

static int check_usable(struct storage_conn *c, struct cr_err *err)
{
	c->failure_code = 0;
	if (c->is_broken)
		return cr_err_set(err, CR_EUNAVAIL, "store connection to '%s' is broken",
				  c->address);
	return 0;
}

static int send_request(struct storage_conn *c, struct cr_err *err)
{
	if (wire_end(&c->out) < 0)
		return cr_err_set(err, CR_EINTERNAL, "refusing to send an empty request");
	return send_all(c, c->out.data, c->out.len, err);
}

/* Send c->out and read one response of the expected type. */
static int roundtrip(struct storage_conn *c, uint8_t expect, struct wire_cursor *cur,
		     struct cr_err *err)
{
	int rc = send_request(c, err);

	if (rc == 0)
		rc = recv_message(c, err);
	if (rc < 0)
		return rc;
	if (c->in_type == WIRE_RESP_FAILURE)
		return failure(c, err);
	if (c->in_type != expect)
		return broken(c, err, "unexpected response type", 0);
	wire_cursor_init(cur, c->in.data, c->in.len);
	return 0;
}

static int encode_failed(struct storage_conn *c, int rc, struct cr_err *err)
{
	(void)c;
	if (rc == CR_ETOOBIG)
		return cr_err_set(err, CR_ETOOBIG, "request larger than %zu bytes",
				  CONN_MAX_REQUEST);
	return rc;
}

/* ---- lifecycle ---- */

int storage_conn_open(const char *address, unsigned timeout_ms, struct storage_conn **out,
		      struct cr_err *err)
{
	return storage_conn_open_with(NULL, NULL, address, timeout_ms, out, err);
}

int storage_conn_open_with(storage_dial_fn dial, void *dial_arg, const char *address,
			   unsigned timeout_ms, struct storage_conn **out, struct cr_err *err)
{
	struct storage_conn *c;
	uint8_t hello[8] = { WIRE_PROTOCOL_VERSION, 0, 0, 0, 0, 0, 0, 0 };
	int fd = -1;
	int rc;

	if (strlen(address) >= CONN_ADDRESS_MAX)
		return cr_err_set(err, CR_EINVAL, "store address '%.40s...' is too long", address);
	rc = dial != NULL ? dial(dial_arg, address, timeout_ms, &fd, err)
			  : storage_socket_connect(address, timeout_ms, &fd, err);
	if (rc < 0)
		return rc;
	/* Blocking from here on, every read and write bounded by the timeout. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	set_timeouts(fd, timeout_ms);
	c = cr_calloc(1, sizeof(*c));
	c->fd = fd;
	(void)snprintf(c->address, sizeof(c->address), "%s", address);
	cr_buf_init(&c->out, CONN_MAX_REQUEST);
	cr_buf_init(&c->in, WIRE_MAX_BODY);
	rc = send_all(c, hello, sizeof(hello), err);
	if (rc < 0) {
		storage_conn_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void storage_conn_free(struct storage_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	cr_buf_close(&c->out);
	cr_buf_close(&c->in);
	free(c->db_name);
	free(c->stmts);
	for (unsigned i = 0; i < c->n_cache; i++)
		free(c->cache[i].sql);
	free(c);
}

static bool stmt_find(const struct storage_conn *c, uint32_t id, size_t *at)
{
	for (size_t i = 0; i < c->n_stmts; i++) {
		if (c->stmts[i] == id) {
			if (at != NULL)
				*at = i;
			return true;
		}
	}
	return false;
}

static int stmt_check(const struct storage_conn *c, uint32_t id, struct cr_err *err)
{
	if (!stmt_find(c, id, NULL))
		return cr_err_set(err, CR_EINVAL, "statement %u is not prepared on this connection",
				  id);
	return 0;
}

const char *storage_conn_address(const struct storage_conn *c)
{
	return c->address;
}

void storage_conn_interrupt(struct storage_conn *c)
{
	if (c->fd >= 0)
		(void)shutdown(c->fd, SHUT_RDWR);
}

bool storage_conn_is_broken(const struct storage_conn *c)
{
	return c->is_broken;
}

uint64_t storage_conn_failure_code(const struct storage_conn *c)
{
	return c->failure_code;
}

uint64_t storage_conn_busy_count(const struct storage_conn *c)
{
	return c->n_busy;
}

/* The FAILURE codes dqlite 1.18 gives before a transaction reaches the
 * Raft log (src/gateway.c, src/leader.c, src/raft/client.c): BUSY from
 * FAIL_IF_CHECKPOINTING or the queue's busy timeout (exec_timer_cb), not
 * leader from CHECK_LEADER or raft_apply() before its append, no database
 * or statement, SQLite refusing a statement, and exec_apply() finding the
 * database full. After the append come only LEADERSHIP_LOST (the apply
 * callback of a deposed leader) and plain IOERR (RAFT_SHUTDOWN, RAFT_IOERR
 * in the apply callback). */
bool storage_conn_was_refused(const struct storage_conn *c)
{
	uint64_t code = c->failure_code;
	uint64_t primary = code & 0xff;

	return primary == STORAGE_FAIL_BUSY || code == STORAGE_FAIL_NOT_LEADER ||
	       code == STORAGE_FAIL_NOTFOUND || code == STORAGE_FAIL_ERROR ||
	       code == STORAGE_FAIL_FULL || primary == STORAGE_FAIL_CONSTRAINT;
}

const char *storage_conn_database(const struct storage_conn *c)
{
	return c->has_db ? c->db_name : NULL;
}

/* ---- cluster requests ---- */

int storage_conn_leader(struct storage_conn *c, uint64_t *id, char *address, size_t address_len,
			struct cr_err *err)
{
	struct wire_cursor cur;
	uint64_t leader_id = 0;
	const char *addr = NULL;
	int rc = check_usable(c, err);

	if (rc < 0)
		return rc;
	rc = wire_begin(&c->out, WIRE_REQ_LEADER);
	if (rc == 0)
		rc = wire_put_u64(&c->out, 0);
	if (rc == 0)
		rc = roundtrip(c, WIRE_RESP_SERVER, &cur, err);
	if (rc < 0)
		return rc;
	if (wire_get_u64(&cur, &leader_id) < 0 || wire_get_text(&cur, &addr, NULL) < 0)
		return broken(c, err, "undecodable LEADER response", 0);
	*id = leader_id;
	(void)snprintf(address, address_len, "%s", addr);
	return 0;
}

int storage_conn_cluster(struct storage_conn *c, struct storage_server **out, unsigned *n_out,
			 struct cr_err *err)
{
	struct wire_cursor cur;
	struct storage_server *servers;
	uint64_t n = 0;
	int rc = check_usable(c, err);

	if (rc < 0)
		return rc;
	rc = wire_begin(&c->out, WIRE_REQ_CLUSTER);
	if (rc == 0)
		rc = wire_put_u64(&c->out, 1);
	if (rc == 0)
		rc = roundtrip(c, WIRE_RESP_SERVERS, &cur, err);
	if (rc < 0)
		return rc;
	/* Each server takes at least 3 words: bound n by what the body holds. */
	if (wire_get_u64(&cur, &n) < 0 || n > wire_cursor_left(&cur) / 24)
		return broken(c, err, "undecodable CLUSTER response", 0);
	servers = cr_calloc((size_t)n, sizeof(*servers));
	for (uint64_t i = 0; i < n; i++) {
		const char *addr = NULL;
		uint64_t role = 0;
		if (wire_get_u64(&cur, &servers[i].id) < 0 ||
		    wire_get_text(&cur, &addr, NULL) < 0 || wire_get_u64(&cur, &role) < 0) {
			free(servers);
			return broken(c, err, "undecodable CLUSTER response", 0);
		}
		(void)snprintf(servers[i].address, sizeof(servers[i].address), "%s", addr);
		servers[i].role = (enum storage_role)role;
	}
	*out = servers;
	*n_out = (unsigned)n;
	return 0;
}

static int simple_request(struct storage_conn *c, enum wire_request type, uint64_t a,
			  const char *text, bool has_b, uint64_t b, struct cr_err *err)
{
	struct wire_cursor cur;
	int rc = check_usable(c, err);

	if (rc < 0)
		return rc;
	rc = wire_begin(&c->out, type);
	if (rc == 0)
		rc = wire_put_u64(&c->out, a);
	if (rc == 0 && text != NULL)
		rc = wire_put_text(&c->out, text);
	if (rc == 0 && has_b)
		rc = wire_put_u64(&c->out, b);
	if (rc < 0)
		return encode_failed(c, rc, err);
	return roundtrip(c, WIRE_RESP_EMPTY, &cur, err);
}

int storage_conn_add(struct storage_conn *c, uint64_t id, const char *address, struct cr_err *err)
{
	return simple_request(c, WIRE_REQ_ADD, id, address, false, 0, err);
}

int storage_conn_assign(struct storage_conn *c, uint64_t id, enum storage_role role,
			struct cr_err *err)
{
	/* Always send the role word: without it 1.11 promotes to voter. */
	return simple_request(c, WIRE_REQ_ASSIGN, id, NULL, true, (uint64_t)role, err);
}

int storage_conn_remove(struct storage_conn *c, uint64_t id, struct cr_err *err)
{
	return simple_request(c, WIRE_REQ_REMOVE, id, NULL, false, 0, err);
}

int storage_conn_transfer(struct storage_conn *c, uint64_t id, struct cr_err *err)
{
	return simple_request(c, WIRE_REQ_TRANSFER, id, NULL, false, 0, err);
}

/* ---- databases and statements ---- */

int storage_conn_open_db(struct storage_conn *c, const char *name, struct cr_err *err)
{
	struct wire_cursor cur;
	uint32_t db_id = 0;
	uint32_t pad = 0;
	int rc = check_usable(c, err);

	if (rc < 0)
		return rc;
	if (c->has_db)
		return cr_err_set(err, CR_EINVAL, "connection already has database '%s' open",
				  c->db_name);
	if (name[0] == '\0')
		return cr_err_set(err, CR_EINVAL, "database name is empty");
	rc = wire_begin(&c->out, WIRE_REQ_OPEN);
	if (rc == 0)
		rc = wire_put_text(&c->out, name);
	if (rc == 0)
		rc = wire_put_u64(&c->out, 0); /* flags */
	if (rc == 0)
		rc = wire_put_text(&c->out, ""); /* default VFS */
	if (rc < 0)
		return encode_failed(c, rc, err);
	rc = roundtrip(c, WIRE_RESP_DB, &cur, err);
	if (rc < 0)
		return rc;
	if (wire_get_u32_pair(&cur, &db_id, &pad) < 0)
		return broken(c, err, "undecodable DB response", 0);
	c->db_id = db_id;
	c->has_db = true;
	c->db_name = cr_strdup(name);
	return 0;
}

static int need_db(struct storage_conn *c, struct cr_err *err)
{
	int rc = check_usable(c, err);

	if (rc == 0 && !c->has_db)
		return cr_err_set(err, CR_EINVAL, "no database is open on this connection");
	return rc;
}

int storage_conn_prepare(struct storage_conn *c, const char *sql, uint32_t *stmt_id,
			 uint64_t *n_params, struct cr_err *err)
{
	struct wire_cursor cur;
	uint32_t db = 0;
	uint32_t id = 0;
	uint64_t n = 0;
	int rc = need_db(c, err);

	if (rc < 0)
		return rc;
	rc = wire_begin(&c->out, WIRE_REQ_PREPARE);
	if (rc == 0)
		rc = wire_put_u64(&c->out, c->db_id);
	if (rc == 0)
		rc = wire_put_text(&c->out, sql);
	if (rc < 0)
		return encode_failed(c, rc, err);
	rc = roundtrip(c, WIRE_RESP_STMT, &cur, err);
	if (rc < 0)
		return rc;
	if (wire_get_u32_pair(&cur, &db, &id) < 0 || wire_get_u64(&cur, &n) < 0)
		return broken(c, err, "undecodable STMT response", 0);
	if (c->n_stmts == c->cap_stmts) {
		c->cap_stmts = c->cap_stmts == 0 ? 8 : c->cap_stmts * 2;
		c->stmts = cr_realloc(c->stmts, c->cap_stmts * sizeof(*c->stmts));
	}
	c->stmts[c->n_stmts++] = id;
	*stmt_id = id;
	if (n_params != NULL)
		*n_params = n;
	return 0;
}

int storage_conn_finalize(struct storage_conn *c, uint32_t stmt_id, struct cr_err *err)
{
	struct wire_cursor cur;
	size_t at = 0;
	int rc = need_db(c, err);

	if (rc == 0)
		rc = stmt_check(c, stmt_id, err);
	if (rc < 0)
		return rc;
	rc = wire_begin(&c->out, WIRE_REQ_FINALIZE);
	if (rc == 0)
		rc = wire_put_u32_pair(&c->out, c->db_id, stmt_id);
	if (rc < 0)
		return encode_failed(c, rc, err);
	rc = roundtrip(c, WIRE_RESP_EMPTY, &cur, err);
	if (rc == 0 && stmt_find(c, stmt_id, &at))
		c->stmts[at] = c->stmts[--c->n_stmts];
	return rc;
}

/* Encode EXEC/QUERY (stmt) or EXEC_SQL/QUERY_SQL (sql) with parameters. */
static int encode_statement(struct storage_conn *c, enum wire_request type, uint32_t stmt_id,
			    const char *sql, const struct storage_value *params, unsigned n_params,
			    struct cr_err *err)
{
	int rc = sql == NULL ? stmt_check(c, stmt_id, err) : 0;

	if (rc < 0)
		return rc;
	rc = wire_begin(&c->out, type);
	if (rc == 0 && sql == NULL)
		rc = wire_put_u32_pair(&c->out, c->db_id, stmt_id);
	if (rc == 0 && sql != NULL)
		rc = wire_put_u64(&c->out, c->db_id);
	if (rc == 0 && sql != NULL)
		rc = wire_put_text(&c->out, sql);
	if (rc < 0)
		return encode_failed(c, rc, err);
	return wire_put_params(&c->out, params, n_params, err);
}

/* A statement the cache may keep: one statement (no ';') of a size worth
 * keeping, whose result columns cannot change with the schema. A kept
 * "SELECT *" would go on answering the columns it was prepared with after
 * an ALTER TABLE (dqlite reads the column count before SQLite re-prepares
 * it: test_conn.c), so a '*' other than count(*)'s is never kept. */
static bool cacheable(const char *sql)
{
	for (const char *p = strchr(sql, '*'); p != NULL; p = strchr(p + 1, '*'))
		if (p == sql || p[-1] != '(')
			return false;
	return strchr(sql, ';') == NULL && strlen(sql) < 16384;
}

/* The prepared id of sql, preparing it (and finalizing the least recently
 * used one when the cache is full) if it is not kept yet. */
static int cached_stmt(struct storage_conn *c, const char *sql, uint32_t *id, struct cr_err *err)
{
	unsigned slot = 0;
	int rc;

	for (unsigned i = 0; i < c->n_cache; i++) {
		if (strcmp(c->cache[i].sql, sql) == 0) {
			c->cache[i].used = ++c->tick;
			*id = c->cache[i].id;
			return 0;
		}
		if (c->cache[i].used < c->cache[slot].used)
			slot = i;
	}
	if (c->n_cache == CONN_STMT_CACHE) {
		rc = storage_conn_finalize(c, c->cache[slot].id, err);
		free(c->cache[slot].sql);
		c->cache[slot] = c->cache[--c->n_cache];
		if (rc < 0)
			return rc;
	}
	rc = storage_conn_prepare(c, sql, id, NULL, err);
	if (rc < 0)
		return rc;
	slot = c->n_cache++;
	c->cache[slot].sql = cr_strdup(sql);
	c->cache[slot].id = *id;
	c->cache[slot].used = ++c->tick;
	return 0;
}

size_t storage_conn_n_statements(const struct storage_conn *c)
{
	return c->n_stmts;
}

static int exec_common(struct storage_conn *c, enum wire_request type, uint32_t stmt_id,
		       const char *sql, const struct storage_value *params, unsigned n_params,
		       struct storage_result *result, struct cr_err *err)
{
	struct wire_cursor cur;
	struct storage_result r = { 0 };
	int rc = need_db(c, err);

	if (rc == 0)
		rc = encode_statement(c, type, stmt_id, sql, params, n_params, err);
	if (rc == 0)
		rc = roundtrip(c, WIRE_RESP_RESULT, &cur, err);
	if (rc < 0)
		return rc;
	if (wire_get_u64(&cur, &r.last_insert_id) < 0 || wire_get_u64(&cur, &r.rows_affected) < 0)
		return broken(c, err, "undecodable RESULT response", 0);
	if (result != NULL)
		*result = r;
	return 0;
}

int storage_conn_exec(struct storage_conn *c, uint32_t stmt_id, const struct storage_value *params,
		      unsigned n_params, struct storage_result *result, struct cr_err *err)
{
	return exec_common(c, WIRE_REQ_EXEC, stmt_id, NULL, params, n_params, result, err);
}

int storage_conn_exec_sql(struct storage_conn *c, const char *sql,
			  const struct storage_value *params, unsigned n_params,
			  struct storage_result *result, struct cr_err *err)
{
	uint32_t id = 0;

	if (c->has_db && cacheable(sql)) {
		int rc = cached_stmt(c, sql, &id, err);
		if (rc < 0)
			return rc;
		return exec_common(c, WIRE_REQ_EXEC, id, NULL, params, n_params, result, err);
	}
	return exec_common(c, WIRE_REQ_EXEC_SQL, 0, sql, params, n_params, result, err);
}

/* ---- queries: ROWS batches (dqlite src/query.c, notes §3.7) ----
 *
 * A result arrives as one or more ROWS messages. Each repeats the column
 * count and names, then holds rows, then a marker: PART (another message
 * follows, pushed unprompted) or DONE. The stream must be read to its end
 * before the connection can be used again. To stop early we send INTERRUPT
 * and discard messages until its EMPTY reply (1.11 finishes the stream
 * first; newer servers may cut it short). */

struct batch {
	uint64_t n_cols;
	const char **cols;
	struct storage_value *values;
	uint64_t marker;
};

static int read_batch_header(struct storage_conn *c, struct wire_cursor *cur, struct batch *b)
{
	/* Zero columns is legal from dqlite 1.12 on: QUERY of a statement that
	 * returns no columns runs it and answers an empty result (1.11 fails
	 * it without running it). */
	if (wire_get_u64(cur, &b->n_cols) < 0 || b->n_cols > wire_cursor_left(cur) / 8)
		return -1;
	b->cols = cr_realloc(b->cols, (size_t)b->n_cols * sizeof(*b->cols));
	b->values = cr_realloc(b->values, (size_t)b->n_cols * sizeof(*b->values));
	for (uint64_t i = 0; i < b->n_cols; i++)
		if (wire_get_text(cur, &b->cols[i], NULL) < 0)
			return -1;
	(void)c;
	return 0;
}

/* Hand each row of the current message to fn while *stop == 0. */
static int consume_batch(struct storage_conn *c, struct batch *b, storage_row_fn fn, void *arg,
			 int *stop, struct cr_err *fn_err, struct cr_err *err)
{
	struct wire_cursor cur;

	wire_cursor_init(&cur, c->in.data, c->in.len);
	if (read_batch_header(c, &cur, b) < 0)
		return broken(c, err, "undecodable ROWS response", 0);
	for (;;) {
		uint64_t w;
		if (wire_peek_u64(&cur, &w) < 0)
			return broken(c, err, "ROWS response without end marker", 0);
		if (w == WIRE_ROWS_PART || w == WIRE_ROWS_DONE) {
			b->marker = w;
			return 0;
		}
		if (b->n_cols == 0)
			return broken(c, err, "row in a result without columns", 0);
		if (wire_get_row(&cur, (unsigned)b->n_cols, b->values) < 0)
			return broken(c, err, "undecodable row", 0);
		if (*stop == 0)
			*stop = fn(arg, (unsigned)b->n_cols, b->cols, b->values, fn_err);
	}
}

/* After INTERRUPT: discard until the EMPTY that answers it. */
static int drain_interrupted(struct storage_conn *c, struct cr_err *err)
{
	for (;;) {
		struct cr_err ignored;
		int rc = recv_message(c, &ignored);
		if (rc < 0)
			return cr_err_set(err, rc, "%s", ignored.msg);
		if (c->in_type == WIRE_RESP_EMPTY)
			return 0;
		if (c->in_type != WIRE_RESP_ROWS)
			return broken(c, err, "unexpected response while interrupting", 0);
	}
}

static int send_interrupt(struct storage_conn *c, struct cr_err *err)
{
	int rc = wire_begin(&c->out, WIRE_REQ_INTERRUPT);

	if (rc == 0)
		rc = wire_put_u64(&c->out, c->db_id);
	if (rc == 0)
		rc = send_request(c, err);
	return rc;
}

static int stream_rows(struct storage_conn *c, storage_row_fn fn, void *arg, struct cr_err *err)
{
	struct batch b = { 0 };
	struct cr_err fn_err = { 0 };
	int stop = 0;
	int rc;

	for (;;) {
		rc = recv_message(c, err);
		if (rc < 0)
			break;
		if (c->in_type == WIRE_RESP_FAILURE) {
			rc = failure(c, err);
			break;
		}
		if (c->in_type != WIRE_RESP_ROWS) {
			rc = broken(c, err, "unexpected response to a query", 0);
			break;
		}
		rc = consume_batch(c, &b, fn, arg, &stop, &fn_err, err);
		if (rc < 0)
			break;
		if (b.marker == WIRE_ROWS_DONE)
			break;
		if (stop != 0) {
			rc = send_interrupt(c, err);
			if (rc == 0)
				rc = drain_interrupted(c, err);
			break;
		}
	}
	free(b.cols);
	free(b.values);
	if (rc == 0 && stop < 0) {
		if (err != NULL)
			*err = fn_err;
		return stop;
	}
	return rc;
}

static int query_common(struct storage_conn *c, enum wire_request type, uint32_t stmt_id,
			const char *sql, const struct storage_value *params, unsigned n_params,
			storage_row_fn fn, void *arg, struct cr_err *err)
{
	int rc = need_db(c, err);

	if (rc == 0)
		rc = encode_statement(c, type, stmt_id, sql, params, n_params, err);
	if (rc == 0)
		rc = send_request(c, err);
	if (rc < 0)
		return rc;
	return stream_rows(c, fn, arg, err);
}

int storage_conn_query_each(struct storage_conn *c, uint32_t stmt_id,
			    const struct storage_value *params, unsigned n_params,
			    storage_row_fn fn, void *arg, struct cr_err *err)
{
	return query_common(c, WIRE_REQ_QUERY, stmt_id, NULL, params, n_params, fn, arg, err);
}

int storage_conn_query_sql_each(struct storage_conn *c, const char *sql,
				const struct storage_value *params, unsigned n_params,
				storage_row_fn fn, void *arg, struct cr_err *err)
{
	uint32_t id = 0;

	if (c->has_db && cacheable(sql)) {
		int rc = cached_stmt(c, sql, &id, err);
		if (rc < 0)
			return rc;
		return query_common(c, WIRE_REQ_QUERY, id, NULL, params, n_params, fn, arg, err);
	}
	return query_common(c, WIRE_REQ_QUERY_SQL, 0, sql, params, n_params, fn, arg, err);
}

int storage_conn_query(struct storage_conn *c, uint32_t stmt_id, const struct storage_value *params,
		       unsigned n_params, struct storage_rows *rows, struct cr_err *err)
{
	storage_rows_init(rows);
	return storage_conn_query_each(c, stmt_id, params, n_params, storage_rows_add_fn, rows,
				       err);
}

int storage_conn_query_sql(struct storage_conn *c, const char *sql,
			   const struct storage_value *params, unsigned n_params,
			   struct storage_rows *rows, struct cr_err *err)
{
	storage_rows_init(rows);
	return storage_conn_query_sql_each(c, sql, params, n_params, storage_rows_add_fn, rows,
					   err);
}
