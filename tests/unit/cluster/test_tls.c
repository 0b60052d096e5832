/* tests/unit/cluster/test_tls.c: the cluster CA and certificates, the
 * mutual-TLS proxy in front of a real dqlite node, refusal of peers without
 * a cluster certificate, and two dqlite nodes replicating through it. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "../support/fixture.h"
#include "cluster/forward.h"
#include "cluster/proxy.h"
#include "cluster/tls.h"
#include "lib/file.h"
#include "lib/parse.h"
#include "lib/time.h"
#include "storage/engine.h"
#include "storage/pool.h"

#define LIFETIME 86400u /* of the certificates the tests issue */

struct node {
	char dir[512];
	char tls_dir[512];
	char address[64];
	char bind[64];
	struct cluster_tls *tls;
	struct cluster_proxy *proxy;
	struct storage_engine *engine;
};

static char base[64];

struct http_conn {
	int fd;
	bool verified;
};

static uint16_t port_of(const char *address)
{
	char host[CR_HOST_MAX];
	uint16_t port = 0;

	assert_int_equal(cr_parse_host_port(address, host, &port, NULL), 0);
	return port;
}

static void *http_serve(void *arg)
{
	struct http_conn *h = arg;
	char buf[256];
	const char *answer =
	    h->verified ? "HTTP/1.0 200 OK\r\n\r\nverified" : "HTTP/1.0 200 OK\r\n\r\nstranger";
	ssize_t n = recv(h->fd, buf, sizeof(buf) - 1, 0);

	/* HEAD: the length of the body a GET would get, and no body. */
	if (n > 5 && strncmp(buf, "HEAD ", 5) == 0)
		answer = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n";
	(void)send(h->fd, answer, strlen(answer), MSG_NOSIGNAL);
	close(h->fd);
	free(h);
	return NULL;
}

/* The proxy's HTTP route (must not block): answer one fixed line naming
 * the peer's trust, from a thread of its own. */
static void http_handler(void *arg, int fd, bool verified)
{
	struct http_conn *h = malloc(sizeof(*h));
	pthread_t t;

	(void)arg;
	h->fd = fd;
	h->verified = verified;
	assert_int_equal(pthread_create(&t, NULL, http_serve, h), 0);
	pthread_detach(t);
}

/* A TLS client without any certificate: send bytes, return what came back. */
static size_t certless_exchange(const char *address, const void *out, size_t out_len, char *in,
				size_t in_len)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	sin.sin_port = htons(port_of(address));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	assert_int_equal(SSL_connect(ssl), 1);
	assert_int_equal(SSL_write(ssl, out, (int)out_len), (int)out_len);
	for (;;) {
		int n = SSL_read(ssl, in + got, (int)(in_len - 1 - got));
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	in[got] = '\0';
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return got;
}

static int dial(void *arg, const char *address, unsigned timeout_ms, int *fd, struct cr_err *err)
{
	return cluster_dial(arg, address, timeout_ms, fd, err);
}

static int setup(void **state)
{
	struct cr_err err = { 0 };
	char ca[600];

	(void)state;
	strcpy(base, "/tmp/creek-tls-XXXXXX");
	assert_non_null(mkdtemp(base));
	snprintf(ca, sizeof(ca), "%s/ca", base);
	if (cluster_ca_create(ca, "test", &err) != 0)
		fail_msg("ca: %s", err.msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_rmtree(base);
	return 0;
}

static void node_start(struct node *n, const char *name, uint64_t join_id)
{
	struct cr_err err = { 0 };
	char ca[600];
	unsigned port = fixture_free_port();
	struct storage_engine_config ec = { 0 };
	struct cluster_proxy_config pc = { 0 };

	snprintf(ca, sizeof(ca), "%s/ca", base);
	snprintf(n->dir, sizeof(n->dir), "%s/%s", base, name);
	snprintf(n->tls_dir, sizeof(n->tls_dir), "%s/%s-tls", base, name);
	snprintf(n->address, sizeof(n->address), "127.0.0.1:%u", port);
	snprintf(n->bind, sizeof(n->bind), "@creek-test-%d-%s", (int)getpid(), name);
	pc.listen_address = n->address;
	pc.db_target = n->bind;
	pc.http = http_handler;
	if (cluster_cert_issue(ca, name, "127.0.0.1", n->tls_dir, LIFETIME, &err) != 0 ||
	    cluster_tls_new(n->tls_dir, &n->tls, &err) != 0 ||
	    cluster_proxy_start(n->tls, &pc, &n->proxy, &err) != 0)
		fail_msg("%s: %s", name, err.msg);
	ec.dir = n->dir;
	ec.address = n->address;
	ec.bind_address = n->bind;
	ec.latency_ms = 20;
	ec.dial = dial;
	ec.dial_arg = n->tls;
	ec.join_id = join_id;
	if (storage_engine_start(&ec, &n->engine, &err) != 0)
		fail_msg("%s engine: %s", name, err.msg);
}

static void node_stop(struct node *n)
{
	storage_engine_stop(n->engine);
	cluster_proxy_stop(n->proxy);
	cluster_tls_free(n->tls);
}

static struct storage_conn *tls_conn(struct node *n, struct cluster_tls *as, const char *db)
{
	struct storage_conn *c = NULL;
	struct cr_err err = { 0 };

	if (storage_conn_open_with(dial, as, n->address, 5000, &c, &err) != 0)
		fail_msg("open: %s", err.msg);
	if (db != NULL && storage_conn_open_db(c, db, &err) != 0)
		fail_msg("open db: %s", err.msg);
	return c;
}

static void issues_certificates_and_refuses_a_second_ca(void **state)
{
	struct cr_err err = { 0 };
	char ca[600];
	char fp[80];
	struct cluster_tls *tls = NULL;
	char out[600];

	(void)state;
	snprintf(ca, sizeof(ca), "%s/ca", base);
	assert_int_equal(cluster_ca_create(ca, "again", &err), CR_ECONFLICT);
	assert_int_equal(cluster_ca_fingerprint(ca, fp, sizeof(fp), &err), 0);
	assert_int_equal(strlen(fp), CLUSTER_TLS_FINGERPRINT_LEN);
	snprintf(out, sizeof(out), "%s/n0", base);
	assert_int_equal(cluster_cert_issue(ca, "n0", "10.0.0.5", out, LIFETIME, &err), 0);
	assert_int_equal(cluster_tls_new(out, &tls, &err), 0);
	cluster_tls_free(tls);
	assert_int_equal(cluster_cert_issue(ca, "n0", "not-an-ip", out, LIFETIME, &err),
			 CR_EINTERNAL);
}

/* A joining node's request is signed for its own key; a request whose
 * signature does not match, and a node without the CA key, get nothing. */
static void signs_requests_only_where_the_ca_key_is(void **state)
{
	struct cr_err err = { 0 };
	char ca[600];
	char no_key[600];
	char *key = NULL;
	char *csr = NULL;
	char *crt = NULL;
	char *bad;
	char *p;

	(void)state;
	snprintf(ca, sizeof(ca), "%s/ca", base);
	assert_true(cluster_ca_can_sign(ca));
	assert_int_equal(cluster_csr_new(&key, &csr, &err), 0);
	assert_non_null(strstr(key, "PRIVATE KEY"));
	assert_int_equal(cluster_csr_sign(ca, csr, "node-7", "10.0.0.7", LIFETIME, &crt, &err), 0);
	assert_non_null(strstr(crt, "BEGIN CERTIFICATE"));
	assert_null(strstr(crt, "PRIVATE"));
	free(crt);
	crt = NULL;
	/* One base64 character of the body changed: the signature fails. */
	bad = strdup(csr);
	p = strchr(bad, '\n') + 40;
	*p = *p == 'A' ? 'B' : 'A';
	assert_int_equal(cluster_csr_sign(ca, bad, "node-7", "10.0.0.7", LIFETIME, &crt, &err),
			 CR_EINVAL);
	assert_null(crt);
	free(bad);
	snprintf(no_key, sizeof(no_key), "%s/n0", base); /* ca.crt, no ca.key */
	assert_false(cluster_ca_can_sign(no_key));
	assert_int_equal(cluster_csr_sign(no_key, csr, "node-7", "10.0.0.7", LIFETIME, &crt, &err),
			 CR_EUNAVAIL);
	assert_null(crt);
	free(key);
	free(csr);
}

static void sql_runs_through_the_mutual_tls_proxy(void **state)
{
	struct node a;
	struct storage_conn *c;
	struct storage_rows rows;
	struct cr_err err = { 0 };
	char leader[128];
	char buf[256];
	uint64_t id = 0;

	(void)state;
	node_start(&a, "a", 0);
	c = tls_conn(&a, a.tls, NULL);
	assert_int_equal(storage_conn_leader(c, &id, leader, sizeof(leader), &err), 0);
	assert_int_equal(id, 1);
	assert_string_equal(leader, a.address);
	assert_int_equal(storage_conn_open_db(c, "t", &err), 0);
	assert_int_equal(storage_conn_exec_sql(c, "CREATE TABLE x (v TEXT)", NULL, 0, NULL, &err),
			 0);
	assert_int_equal(storage_conn_exec_sql(c,
					       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
					       "i + 1 FROM n WHERE i < 20000) INSERT INTO x "
					       "SELECT 'row ' || i FROM n",
					       NULL, 0, NULL, &err),
			 0);
	assert_int_equal(storage_conn_query_sql(c, "SELECT v FROM x", NULL, 0, &rows, &err), 0);
	assert_int_equal(rows.n_rows, 20000);
	storage_rows_close(&rows);
	storage_conn_free(c);
	/* A cluster member's HTTP is marked verified. */
	{
		int fd = -1;
		size_t got = 0;
		ssize_t n;

		assert_int_equal(cluster_dial(a.tls, a.address, 2000, &fd, &err), 0);
		assert_int_equal(send(fd, "GET / HTTP/1.0\r\n\r\n", 18, MSG_NOSIGNAL), 18);
		while ((n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
			got += (size_t)n;
		buf[got] = '\0';
		assert_non_null(strstr(buf, "verified"));
		close(fd);
	}
	node_stop(&a);
}

static void peers_without_a_cluster_certificate_are_refused(void **state)
{
	struct node a;
	struct cr_err err = { 0 };
	struct storage_conn *c = NULL;
	struct cluster_tls *stranger = NULL;
	char other_ca[600];
	char other[600];
	char buf[64];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd;

	(void)state;
	node_start(&a, "r", 0);
	/* Plain TCP speaking dqlite: closed, nothing answered. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sin.sin_port = htons(port_of(a.address));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(
	    send(fd, "\x01\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24, MSG_NOSIGNAL), 24);
	assert_true(recv(fd, buf, sizeof(buf), 0) <= 0);
	close(fd);
	/* TLS without a certificate: store traffic is closed unanswered, HTTP
	 * reaches Creek marked as coming from a stranger. */
	assert_int_equal(certless_exchange(a.address, "\x01\0\0\0\0\0\0\0", 8, buf, sizeof(buf)),
			 0);
	certless_exchange(a.address, "GET / HTTP/1.0\r\n\r\n", 18, buf, sizeof(buf));
	assert_non_null(strstr(buf, "stranger"));
	/* TLS with a certificate from another CA: the handshake fails. */
	snprintf(other_ca, sizeof(other_ca), "%s/other-ca", base);
	snprintf(other, sizeof(other), "%s/other", base);
	assert_int_equal(cluster_ca_create(other_ca, "other", &err), 0);
	assert_int_equal(cluster_cert_issue(other_ca, "x", "127.0.0.1", other, LIFETIME, &err), 0);
	assert_int_equal(cluster_tls_new(other, &stranger, &err), 0);
	assert_int_equal(storage_conn_open_with(dial, stranger, a.address, 2000, &c, &err),
			 CR_EUNAVAIL);
	assert_null(c);
	cluster_tls_free(stranger);
	node_stop(&a);
}

static void two_nodes_replicate_over_tls(void **state)
{
	struct node a;
	struct node b;
	struct storage_conn *c;
	struct storage_rows rows;
	struct cr_err err = { 0 };
	uint64_t deadline;
	int rc;

	(void)state;
	node_start(&a, "ra", 0);
	node_start(&b, "rb", 2);
	c = tls_conn(&a, a.tls, "rep");
	assert_int_equal(storage_conn_add(c, 2, b.address, &err), 0);
	assert_int_equal(storage_conn_assign(c, 2, STORAGE_ROLE_VOTER, &err), 0);
	assert_int_equal(storage_conn_exec_sql(c,
					       "CREATE TABLE r (v TEXT); INSERT INTO r VALUES "
					       "('over tls')",
					       NULL, 0, NULL, &err),
			 0);
	/* Hand leadership to b: it can only serve the row if raft carried it. */
	assert_int_equal(storage_conn_transfer(c, 2, &err), 0);
	storage_conn_free(c);
	deadline = cr_now_ms() + 10000;
	do {
		c = tls_conn(&b, b.tls, NULL);
		rc = storage_conn_open_db(c, "rep", &err);
		if (rc == 0)
			rc = storage_conn_query_sql(c, "SELECT v FROM r", NULL, 0, &rows, &err);
		if (rc == 0)
			break;
		storage_rows_close(&rows);
		storage_conn_free(c);
		cr_sleep_ms(50);
	} while (cr_now_ms() < deadline);
	if (rc != 0)
		fail_msg("read on b: %s", err.msg);
	assert_int_equal(rows.n_rows, 1);
	assert_string_equal(storage_rows_text(&rows, 0, 0), "over tls");
	storage_rows_close(&rows);
	storage_conn_free(c);
	node_stop(&b);
	node_stop(&a);
}

static int held_fd = -1;

/* An HTTP route that greets the peer and keeps the connection open. */
static void hold_handler(void *arg, int fd, bool verified)
{
	(void)arg;
	(void)verified;
	(void)send(fd, "hello", 5, MSG_NOSIGNAL);
	__atomic_store_n(&held_fd, fd, __ATOMIC_RELEASE);
}

/* Dial address as tls, send a request line, and return how many bytes
 * came back before the connection ended or 5 s passed (0: refused). */
static ssize_t greet(struct cluster_tls *tls, const char *address, int *fd_out)
{
	struct cr_err err = { 0 };
	struct timeval tv = { .tv_sec = 5 };
	char in[16];
	int fd = -1;

	if (cluster_dial(tls, address, 5000, &fd, &err) != 0)
		fail_msg("dial: %s", err.msg);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	*fd_out = fd;
	/* A refusing peer may have ended the splice already: EPIPE. */
	if (send(fd, "GET / HTTP/1.0\r\n\r\n", 18, MSG_NOSIGNAL) != 18)
		return 0;
	return recv(fd, in, sizeof(in), 0);
}

/* A certificate of the cluster CA is a peer only while the node it names
 * is a member: a non-member is refused, and a member that leaves has its
 * open connection cut and is refused from then on. */
static void only_members_certificates_are_peers(void **state)
{
	struct cr_err err = { 0 };
	char ca[600], d1[600], d2[600], address[64];
	struct cluster_tls *t1 = NULL;
	struct cluster_tls *t2 = NULL;
	struct cluster_proxy *p = NULL;
	const uint64_t members[] = { 1 };
	const struct cluster_peer others[] = { { .id = 2 } };
	struct cluster_proxy_config pc = { .db_target = "@creek-test-nowhere",
					   .http = hold_handler,
					   .members = members,
					   .n_members = 1 };
	char in[16];
	int fd;

	(void)state;
	/* The dialled splice writes to a peer that closed (creekd ignores it). */
	(void)signal(SIGPIPE, SIG_IGN);
	snprintf(ca, sizeof(ca), "%s/ca", base);
	snprintf(d1, sizeof(d1), "%s/m1", base);
	snprintf(d2, sizeof(d2), "%s/m2", base);
	snprintf(address, sizeof(address), "127.0.0.1:%u", fixture_free_port());
	pc.listen_address = address;
	if (cluster_cert_issue(ca, "node-1", "127.0.0.1", d1, LIFETIME, &err) != 0 ||
	    cluster_cert_issue(ca, "node-2", "127.0.0.1", d2, LIFETIME, &err) != 0 ||
	    cluster_tls_new(d1, &t1, &err) != 0 || cluster_tls_new(d2, &t2, &err) != 0 ||
	    cluster_proxy_start(t1, &pc, &p, &err) != 0)
		fail_msg("setup: %s", err.msg);
	/* Signed by the CA, but node 2 is not a member. */
	assert_true(greet(t2, address, &fd) <= 0);
	close(fd);
	assert_int_equal(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE), -1);
	/* Node 1 is. */
	assert_int_equal(greet(t1, address, &fd), 5);
	/* It leaves: its open connection is cut, and it is refused after. */
	cluster_proxy_set_members(p, others, 1);
	assert_true(recv(fd, in, sizeof(in), 0) <= 0);
	close(fd);
	close(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE));
	assert_true(greet(t1, address, &fd) <= 0);
	close(fd);
	/* Node 2 is let in once it is a member. */
	assert_int_equal(greet(t2, address, &fd), 5);
	close(fd);
	close(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE));
	cluster_proxy_stop(p);
	assert_true(cluster_dial_drain(5000));
	cluster_tls_free(t1);
	cluster_tls_free(t2);
}

#define SINK_BYTES (2u << 20)

/* Read SINK_BYTES, then answer "ok" (a thread per connection). */
static void *sink_serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[65536];
	size_t got = 0;

	while (got < SINK_BYTES) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got >= SINK_BYTES)
		(void)send(fd, "ok", 2, MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

static void sink_handler(void *arg, int fd, bool verified)
{
	pthread_t t;

	(void)arg;
	(void)verified;
	assert_int_equal(pthread_create(&t, NULL, sink_serve, (void *)(intptr_t)fd), 0);
	pthread_detach(t);
}

/* Seconds to send SINK_BYTES through a dialled connection to address. */
static double send_through(struct cluster_tls *tls, const char *address)
{
	struct cr_err err = { 0 };
	char *data = calloc(1, SINK_BYTES);
	uint64_t t0 = cr_now_us();
	size_t sent = 0;
	char in[4] = "";
	int fd = -1;

	memcpy(data, "PUT /sink HTTP/1.0\r\n", 20);
	if (cluster_dial(tls, address, 5000, &fd, &err) != 0)
		fail_msg("dial: %s", err.msg);
	while (sent < SINK_BYTES) {
		ssize_t n = send(fd, data + sent, SINK_BYTES - sent, MSG_NOSIGNAL);
		assert_true(n > 0);
		sent += (size_t)n;
	}
	assert_int_equal(recv(fd, in, 2, MSG_WAITALL), 2);
	assert_memory_equal(in, "ok", 2);
	close(fd);
	free(data);
	return (double)(cr_now_us() - t0) / 1e6;
}

/* cluster-bandwidth: what one connection sends is bounded, and the bound
 * applies from the moment it is set. */
static void a_connection_sends_at_most_the_bandwidth_bound(void **state)
{
	struct cr_err err = { 0 };
	char ca[600], d1[600], address[64];
	struct cluster_tls *t1 = NULL;
	struct cluster_proxy *p = NULL;
	struct cluster_proxy_config pc = { .db_target = "@creek-test-nowhere",
					   .http = sink_handler };
	double free_s, bound_s;

	(void)state;
	(void)signal(SIGPIPE, SIG_IGN);
	snprintf(ca, sizeof(ca), "%s/ca", base);
	snprintf(d1, sizeof(d1), "%s/bw", base);
	snprintf(address, sizeof(address), "127.0.0.1:%u", fixture_free_port());
	pc.listen_address = address;
	if (cluster_cert_issue(ca, "node-1", "127.0.0.1", d1, LIFETIME, &err) != 0 ||
	    cluster_tls_new(d1, &t1, &err) != 0 || cluster_proxy_start(t1, &pc, &p, &err) != 0)
		fail_msg("setup: %s", err.msg);
	cluster_set_peer_bandwidth(0);
	free_s = send_through(t1, address);
	cluster_set_peer_bandwidth(4u << 20); /* 2 MiB take about 0.5 s */
	bound_s = send_through(t1, address);
	cluster_set_peer_bandwidth(0);
	print_message("2 MiB: %.3f s unbounded, %.3f s at 4 MiB/s\n", free_s, bound_s);
	assert_true(bound_s >= 0.4);
	assert_true(bound_s < 5.0);
	assert_true(free_s < bound_s);
	cluster_proxy_stop(p);
	assert_true(cluster_dial_drain(5000));
	cluster_tls_free(t1);
}

/* A HEAD answer ends with its head, whatever Content-Length says
 * (RFC 9110 §9.3.2): the client must not wait for a body. */
static void head_answers_end_without_a_body(void **state)
{
	struct node a;
	struct cr_err err = { 0 };
	struct cluster_forwarder *f = NULL;
	struct cluster_http_response resp;
	uint64_t start;

	(void)state;
	node_start(&a, "head", 0);
	assert_int_equal(cluster_forwarder_new(a.tls, 1024, 0, &f, &err), 0);
	{
		struct cluster_http_request r = {
			.method = "HEAD", .address = a.address, .path = "/x", .timeout_ms = 5000
		};
		start = cr_now_ms();
		if (cluster_http(f, &r, &resp, &err) != 0)
			fail_msg("HEAD: %s", err.msg);
	}
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.body.len, 0);
	assert_true(cr_now_ms() - start < 4000);
	cr_buf_close(&resp.body);
	cluster_forwarder_free(f);
	node_stop(&a);
}

/* The serial of the certificate in dir/node.crt. */
static void serial_of(const char *dir, char out[CLUSTER_SERIAL_MAX])
{
	struct cr_err err = { 0 };
	char *pem = cr_file_read(dir, "node.crt", &err);

	if (pem == NULL || cluster_cert_serial_pem(pem, out, &err) != 0)
		fail_msg("serial: %s", err.msg);
	free(pem);
}

/* A member is bound to the serial recorded for it: another certificate
 * of the CA for the same node id is refused, and an open connection of it
 * is cut when the recorded serial changes. */
static void only_a_members_current_certificate_is_a_peer(void **state)
{
	struct cr_err err = { 0 };
	char ca[600], d_old[600], d_new[600], address[64];
	char serial_old[CLUSTER_SERIAL_MAX], serial_new[CLUSTER_SERIAL_MAX];
	struct cluster_peer peer = { .id = 3 };
	struct cluster_tls *t_old = NULL;
	struct cluster_tls *t_new = NULL;
	struct cluster_proxy *p = NULL;
	const uint64_t members[] = { 3 };
	struct cluster_proxy_config pc = { .db_target = "@creek-test-nowhere",
					   .http = hold_handler,
					   .members = members,
					   .n_members = 1 };
	char in[16];
	int fd;

	(void)state;
	(void)signal(SIGPIPE, SIG_IGN);
	snprintf(ca, sizeof(ca), "%s/ca", base);
	snprintf(d_old, sizeof(d_old), "%s/s-old", base);
	snprintf(d_new, sizeof(d_new), "%s/s-new", base);
	snprintf(address, sizeof(address), "127.0.0.1:%u", fixture_free_port());
	pc.listen_address = address;
	if (cluster_cert_issue(ca, "node-3", "127.0.0.1", d_old, LIFETIME, &err) != 0 ||
	    cluster_cert_issue(ca, "node-3", "127.0.0.1", d_new, LIFETIME, &err) != 0 ||
	    cluster_tls_new(d_old, &t_old, &err) != 0 ||
	    cluster_tls_new(d_new, &t_new, &err) != 0 ||
	    cluster_proxy_start(t_old, &pc, &p, &err) != 0)
		fail_msg("setup: %s", err.msg);
	serial_of(d_old, serial_old);
	serial_of(d_new, serial_new);
	assert_string_not_equal(serial_old, serial_new);
	/* Before the serial is known (a start), the node id decides. */
	assert_int_equal(greet(t_old, address, &fd), 5);
	/* Node 3 holds the old certificate: that one is let in, the new one not. */
	memcpy(peer.serial, serial_old, sizeof(peer.serial));
	cluster_proxy_set_members(p, &peer, 1);
	assert_int_equal(recv(fd, in, sizeof(in), MSG_DONTWAIT), -1); /* not cut */
	close(fd);
	close(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE));
	assert_true(greet(t_new, address, &fd) <= 0);
	close(fd);
	/* It is re-issued: the old one's open connection is cut, and it is
	 * refused from then on; the new one is let in. */
	assert_int_equal(greet(t_old, address, &fd), 5);
	memcpy(peer.serial, serial_new, sizeof(peer.serial));
	cluster_proxy_set_members(p, &peer, 1);
	assert_true(recv(fd, in, sizeof(in), 0) <= 0);
	close(fd);
	close(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE));
	assert_true(greet(t_old, address, &fd) <= 0);
	close(fd);
	assert_int_equal(greet(t_new, address, &fd), 5);
	close(fd);
	close(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE));
	cluster_proxy_stop(p);
	assert_true(cluster_dial_drain(5000));
	cluster_tls_free(t_old);
	cluster_tls_free(t_new);
}

/* A renewal: while a member installs its next certificate both serials
 * are peers, then only the new one. A member's certificate that has
 * expired is still a peer while it is that member's current one (a cluster
 * switched off for longer than certificates live comes back), never once
 * it was replaced; and a reload makes new connections show the new
 * certificate. */
static void a_renewing_member_and_an_expired_certificate(void **state)
{
	struct cr_err err = { 0 };
	char ca[600], d_srv[600], d_old[600], d_new[600], address[64];
	char serial_old[CLUSTER_SERIAL_MAX], serial_new[CLUSTER_SERIAL_MAX];
	struct cluster_peer peers[2] = { { .id = 1 }, { .id = 5 } };
	struct cluster_tls *t_srv = NULL;
	struct cluster_tls *t_node = NULL;
	struct cluster_proxy *p = NULL;
	const uint64_t members[] = { 1, 5 };
	struct cluster_proxy_config pc = { .db_target = "@creek-test-nowhere",
					   .http = hold_handler,
					   .members = members,
					   .n_members = 2 };
	char *crt = NULL;
	int64_t not_before = 0, not_after = 0;
	int fd;

	(void)state;
	(void)signal(SIGPIPE, SIG_IGN);
	snprintf(ca, sizeof(ca), "%s/ca", base);
	snprintf(d_srv, sizeof(d_srv), "%s/r-srv", base);
	snprintf(d_old, sizeof(d_old), "%s/r-old", base);
	snprintf(d_new, sizeof(d_new), "%s/r-new", base);
	snprintf(address, sizeof(address), "127.0.0.1:%u", fixture_free_port());
	pc.listen_address = address;
	/* Node 5's first certificate lives 2 s (no skew below 4 s). */
	if (cluster_cert_issue(ca, "node-1", "127.0.0.1", d_srv, LIFETIME, &err) != 0 ||
	    cluster_cert_issue(ca, "node-5", "127.0.0.1", d_old, 2, &err) != 0 ||
	    cluster_cert_issue(ca, "node-5", "127.0.0.1", d_new, LIFETIME, &err) != 0 ||
	    cluster_tls_new(d_srv, &t_srv, &err) != 0 ||
	    cluster_tls_new(d_old, &t_node, &err) != 0 ||
	    cluster_proxy_start(t_srv, &pc, &p, &err) != 0)
		fail_msg("setup: %s", err.msg);
	crt = cr_file_read(d_old, "node.crt", &err);
	assert_non_null(crt);
	assert_int_equal(cluster_cert_times_pem(crt, &not_before, &not_after, &err), 0);
	assert_int_equal(not_after - not_before, 2);
	free(crt);
	serial_of(d_old, serial_old);
	serial_of(d_new, serial_new);
	memcpy(peers[1].serial, serial_old, sizeof(peers[1].serial));
	cluster_proxy_set_members(p, peers, 2);
	assert_int_equal(greet(t_node, address, &fd), 5);
	close(fd);
	close(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE));
	/* Expired: still node 5's current certificate, so still a peer. */
	cr_sleep_ms(3100);
	assert_int_equal(greet(t_node, address, &fd), 5);
	close(fd);
	close(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE));
	/* Renewing: the next serial is a peer beside the current one. */
	memcpy(peers[1].next_serial, serial_new, sizeof(peers[1].next_serial));
	cluster_proxy_set_members(p, peers, 2);
	assert_int_equal(greet(t_node, address, &fd), 5);
	close(fd);
	close(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE));
	/* Installed: node 5 reloads its files; only the new serial is left. */
	assert_int_equal(cluster_tls_reload(t_node, d_new, &err), 0);
	memcpy(peers[1].serial, serial_new, sizeof(peers[1].serial));
	peers[1].next_serial[0] = '\0';
	cluster_proxy_set_members(p, peers, 2);
	assert_int_equal(greet(t_node, address, &fd), 5);
	close(fd);
	close(__atomic_load_n(&held_fd, __ATOMIC_ACQUIRE));
	/* The old, expired certificate is refused now: it is no one's current one. */
	assert_int_equal(cluster_tls_reload(t_node, d_old, &err), 0);
	assert_true(greet(t_node, address, &fd) <= 0);
	close(fd);
	/* A reload that cannot load leaves the contexts as they were. */
	assert_int_equal(cluster_tls_reload(t_node, "/nonexistent", &err), CR_EINVAL);
	assert_true(greet(t_node, address, &fd) <= 0);
	close(fd);
	cluster_proxy_stop(p);
	assert_true(cluster_dial_drain(5000));
	cluster_tls_free(t_srv);
	cluster_tls_free(t_node);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(issues_certificates_and_refuses_a_second_ca),
		cmocka_unit_test(signs_requests_only_where_the_ca_key_is),
		cmocka_unit_test(only_members_certificates_are_peers),
		cmocka_unit_test(only_a_members_current_certificate_is_a_peer),
		cmocka_unit_test(a_renewing_member_and_an_expired_certificate),
		cmocka_unit_test(sql_runs_through_the_mutual_tls_proxy),
		cmocka_unit_test(peers_without_a_cluster_certificate_are_refused),
		cmocka_unit_test(two_nodes_replicate_over_tls),
		cmocka_unit_test(head_answers_end_without_a_body),
		cmocka_unit_test(a_connection_sends_at_most_the_bandwidth_bound),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
