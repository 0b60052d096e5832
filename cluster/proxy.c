/* cluster/proxy.c: mutual-TLS listener, dialer and the splice between a
 * TLS connection and a plain socket; see proxy.h. */
#define LOG_MODULE "cluster"
#include "proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/assert.h"
#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/parse.h"
#include "../lib/time.h"
#include "../storage/socket.h"

#define SPLICE_BUF 16384
/* Refusals over the unverified caps are reported at most this often. */
#define REFUSED_LOG_MS     10000
#define REFUSAL_LOG_GAP_MS 10000 /* one "not a member" line per node and this */

struct cluster_proxy {
	struct cluster_tls *tls;
	char *target;
	cluster_http_fn http;
	void *http_arg;
	int listen_fd;
	int stop_fd; /* eventfd: readable once stopping */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	unsigned n_splices; /* running splice threads of this proxy */
	/* Under lock: connections without a verified certificate by IPv4
	 * address (a slot with n == 0 is free; the caps keep it this small). */
	struct {
		uint32_t addr;
		unsigned n;
	} unverified[CLUSTER_MAX_UNVERIFIED];
	unsigned n_unverified;
	unsigned long n_refused; /* since the last report */
	uint64_t refused_log_ms; /* monotonic; 0: never reported */
	/* Handshakes that failed (a peer that gave up on a slow handshake, a
	 * scanner), reported like refusals: at most one line a minute. */
	unsigned long n_failed;
	uint64_t failed_log_ms;
	char failed_why[160]; /* the reason last logged */
	/* Under lock: the node ids whose certificates are peers (unless
	 * checks_members is false) and the serials each may carry (its
	 * current one, "": any, not known yet; its next while it renews),
	 * the connections of verified peers being spliced (cut when their id
	 * leaves or its serial changes), when a refusal was last logged. */
	bool checks_members;
	struct cluster_peer members[CLUSTER_PROXY_MAX_MEMBERS];
	unsigned n_members;
	struct splice *peers;
	uint64_t refusal_logged_ms;
	uint64_t refusal_logged_id;
};

struct splice {
	SSL *ssl;
	int tls_fd;
	int plain_fd;
	int stop_fd;                          /* -1 for dialled connections */
	struct cluster_proxy *owner;          /* NULL for dialled connections */
	int unverified_slot;                  /* its count in owner->unverified; -1: none */
	char target[128];                     /* the proxy's target, dialled by the thread */
	uint64_t peer_id;                     /* the node its certificate names; 0 none */
	char peer_serial[CLUSTER_SERIAL_MAX]; /* its certificate's serial */
	struct splice *next_peer;             /* in owner->peers while listed */
	bool is_listed;
};

/* ---- sockets ---- */

static int set_nonblocking(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

/* How long sent bytes may stay unacknowledged before the kernel drops the
 * connection: cluster_set_peer_timeout(). */
static _Atomic unsigned peer_timeout_ms = 30000;

void cluster_set_peer_timeout(unsigned ms)
{
	peer_timeout_ms = ms < 500 ? 500 : ms;
}

static void tune_tcp(int fd)
{
	int one = 1;
	int idle = 3;
	unsigned user_timeout_ms = peer_timeout_ms;

	/* Raft appends stall on Nagle + delayed ACK; a vanished peer is noticed
	 * in seconds, not after the kernel's 20-minute default. And a peer cut
	 * off for a while must not come back to a connection deep in TCP's
	 * retransmission backoff (after 8 s of loss the next try is up to 6 s
	 * away, and raft's votes and heartbeats queue behind it): a
	 * connection whose bytes go unacknowledged for the user timeout is
	 * dropped, and raft dials a fresh one. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms,
			 sizeof(user_timeout_ms));
}

/* A connection to a peer or to the local node, tuned for raft if TCP. */
static int connect_to(const char *address, unsigned timeout_ms, int *fd_out, struct cr_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int rc = storage_socket_connect(address, timeout_ms, fd_out, err);

	if (rc == 0 && storage_socket_address(address, &ss, &len, NULL) == 0 &&
	    ss.ss_family == AF_INET)
		tune_tcp(*fd_out);
	return rc;
}

/* After an SSL call on a non-blocking fd returned rc <= 0: wait until the
 * fd is ready for what it asks, by deadline. -1 on any other error or on
 * timeout. */
static int ssl_wait(SSL *ssl, int rc, int fd, uint64_t deadline)
{
	struct pollfd p = { .fd = fd };
	uint64_t now = cr_now_ms();

	switch (SSL_get_error(ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		p.events = POLLIN;
		break;
	case SSL_ERROR_WANT_WRITE:
		p.events = POLLOUT;
		break;
	default:
		return -1;
	}
	if (now >= deadline || poll(&p, 1, (int)(deadline - now)) != 1)
		return -1;
	return 0;
}

/* Run a TLS handshake on a non-blocking fd within timeout_ms. */
static int handshake(SSL *ssl, int fd, bool is_server, unsigned timeout_ms)
{
	uint64_t deadline = cr_now_ms() + timeout_ms;

	for (;;) {
		int rc = is_server ? SSL_accept(ssl) : SSL_connect(ssl);
		if (rc == 1)
			return 0;
		if (ssl_wait(ssl, rc, fd, deadline) < 0)
			return -1;
	}
}

/* ---- splice ---- */

/* Bytes per second one connection may send to its peer (0: no bound);
 * cluster_set_peer_bandwidth(). */
static _Atomic uint64_t peer_bandwidth;

void cluster_set_peer_bandwidth(uint64_t bytes_per_s)
{
	peer_bandwidth = bytes_per_s;
}

/* A token bucket over what one splice sends to its peer: at most rate
 * bytes a second, in bursts of up to 50 ms of it (and one buffer). */
struct bucket {
	uint64_t rate;
	double tokens;
	uint64_t last_us;
};

/* Bytes that may be read for sending now (0: none until *wait_ms). */
static size_t bucket_allow(struct bucket *b, size_t want, int *wait_ms)
{
	uint64_t now = cr_now_us();
	double cap;

	b->rate = peer_bandwidth;
	if (b->rate == 0)
		return want;
	cap = (double)b->rate / 20.0;
	if (cap < SPLICE_BUF)
		cap = SPLICE_BUF;
	b->tokens += (double)(now - b->last_us) * (double)b->rate / 1e6;
	b->last_us = now;
	if (b->tokens > cap)
		b->tokens = cap;
	if (b->tokens >= 1.0)
		return b->tokens < (double)want ? (size_t)b->tokens : want;
	*wait_ms = (int)((1.0 - b->tokens) * 1000.0 / (double)b->rate) + 1;
	return 0;
}

struct half {
	char buf[SPLICE_BUF];
	size_t len;
	size_t off;
	bool is_eof;
};

/* After an SSL call returned rc <= 0: add the poll events it waits for
 * to *events, or mark the half ended. */
static void tls_wait(SSL *ssl, int rc, short *events, struct half *h)
{
	switch (SSL_get_error(ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		*events |= POLLIN;
		break;
	case SSL_ERROR_WANT_WRITE:
		*events |= POLLOUT;
		break;
	default:
		h->is_eof = true;
	}
}

/* A read of n bytes into an empty half: true if bytes came. */
static bool filled(struct half *h, ssize_t n)
{
	h->len = (size_t)n;
	h->off = 0;
	return true;
}

/* n bytes of a half were written on: true (progress). */
static bool drained(struct half *h, ssize_t n)
{
	h->off += (size_t)n;
	if (h->off == h->len)
		h->len = 0;
	return true;
}

static bool plain_would_block(ssize_t n)
{
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* One pass over the four transfers; true if any byte moved. p[0] is the
 * TLS socket, p[1] the plain one; their events say what to wait for. */
static bool splice_step(struct splice *s, struct half *to_tls, struct half *to_plain,
			struct pollfd *p, struct bucket *b, int *wait_ms)
{
	bool moved = false;
	ssize_t n;
	int rc;
	size_t allowed;

	if (to_plain->len == 0) {
		rc = SSL_read(s->ssl, to_plain->buf, sizeof(to_plain->buf));
		if (rc > 0)
			moved = filled(to_plain, rc);
		else
			tls_wait(s->ssl, rc, &p[0].events, to_plain);
	}
	if (to_plain->len > 0) {
		n = send(s->plain_fd, to_plain->buf + to_plain->off, to_plain->len - to_plain->off,
			 MSG_NOSIGNAL);
		if (n > 0)
			moved = drained(to_plain, n);
		else if (plain_would_block(n))
			p[1].events |= POLLOUT;
		else
			to_plain->is_eof = true;
	}
	allowed = to_tls->len == 0 ? bucket_allow(b, sizeof(to_tls->buf), wait_ms) : 0;
	if (allowed > 0) {
		n = recv(s->plain_fd, to_tls->buf, allowed, 0);
		if (n > 0) {
			moved = filled(to_tls, n);
			b->tokens -= (double)n;
		} else if (plain_would_block(n)) {
			p[1].events |= POLLIN;
		} else {
			to_tls->is_eof = true;
		}
	}
	if (to_tls->len > 0) {
		rc = SSL_write(s->ssl, to_tls->buf + to_tls->off, (int)(to_tls->len - to_tls->off));
		if (rc > 0)
			moved = drained(to_tls, rc);
		else
			tls_wait(s->ssl, rc, &p[0].events, to_tls);
	}
	return moved;
}

/* Move bytes both ways until either side ends. SSL_read and SSL_write on
 * one SSL object must not run in two threads at once, so one thread does
 * both, non-blocking, waiting in poll() for whatever each side needs. */
static void splice_run(struct splice *s)
{
	struct half to_tls = { .len = 0 };   /* plain -> TLS */
	struct half to_plain = { .len = 0 }; /* TLS -> plain */
	struct bucket b = { .last_us = cr_now_us() };

	while (!to_tls.is_eof && !to_plain.is_eof) {
		struct pollfd p[3] = { { .fd = s->tls_fd },
				       { .fd = s->plain_fd },
				       { .fd = s->stop_fd, .events = POLLIN } };
		int wait_ms = -1; /* until a socket is ready, or the bucket refills */
		if (splice_step(s, &to_tls, &to_plain, p, &b, &wait_ms) || SSL_pending(s->ssl) > 0)
			continue;
		if (to_tls.is_eof || to_plain.is_eof)
			break;
		if (poll(p, s->stop_fd >= 0 ? 3 : 2, wait_ms) < 0 && errno != EINTR)
			break;
		if (s->stop_fd >= 0 && (p[2].revents & POLLIN))
			break;
	}
	(void)SSL_shutdown(s->ssl);
}

static void splice_free(struct splice *s)
{
	SSL_free(s->ssl);
	if (s->tls_fd >= 0)
		close(s->tls_fd);
	if (s->plain_fd >= 0)
		close(s->plain_fd);
	free(s);
}

/* ---- the listener side ---- */

static void splice_done(struct cluster_proxy *p)
{
	pthread_mutex_lock(&p->lock);
	p->n_splices--;
	pthread_cond_broadcast(&p->idle);
	pthread_mutex_unlock(&p->lock);
}

/* Count one more unverified connection from addr: its slot, or -1 (nothing
 * counted) over a cap. Under p->lock. */
static int unverified_take(struct cluster_proxy *p, uint32_t addr)
{
	int free_slot = -1;

	if (p->n_unverified >= CLUSTER_MAX_UNVERIFIED)
		return -1;
	for (int i = 0; i < CLUSTER_MAX_UNVERIFIED; i++) {
		if (p->unverified[i].n == 0) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (p->unverified[i].addr != addr)
			continue;
		if (p->unverified[i].n >= CLUSTER_MAX_UNVERIFIED_PER_ADDRESS)
			return -1;
		p->unverified[i].n++;
		p->n_unverified++;
		return i;
	}
	cr_assert(free_slot >= 0); /* fewer counted than slots */
	p->unverified[free_slot].addr = addr;
	p->unverified[free_slot].n = 1;
	p->n_unverified++;
	return free_slot;
}

/* The connection showed a certificate, or ends: it counts no more. */
static void unverified_release(struct cluster_proxy *p, struct splice *s)
{
	if (s->unverified_slot < 0)
		return;
	pthread_mutex_lock(&p->lock);
	p->unverified[s->unverified_slot].n--;
	p->n_unverified--;
	pthread_mutex_unlock(&p->lock);
	s->unverified_slot = -1;
}

/* The first byte the peer sends, without consuming it; -1 if none came
 * within timeout_ms. */
static int peek_first(SSL *ssl, int fd, unsigned timeout_ms)
{
	uint64_t deadline = cr_now_ms() + timeout_ms;
	unsigned char c;

	for (;;) {
		int rc = SSL_peek(ssl, &c, 1);
		if (rc == 1)
			return c;
		if (ssl_wait(ssl, rc, fd, deadline) < 0)
			return -1;
	}
}

static bool peer_verified(SSL *ssl)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	bool ok = cert != NULL && SSL_get_verify_result(ssl) == X509_V_OK;

	X509_free(cert);
	return ok;
}

/* The certificate of node id with this serial is a member's current one:
 * the id is a member's, and the serial one recorded for it (if any). */
static bool is_member(const struct cluster_proxy *p, uint64_t id, const char *serial)
{
	for (unsigned i = 0; i < p->n_members; i++)
		if (p->members[i].id == id && id != 0)
			return cluster_peer_holds(&p->members[i], serial);
	return false;
}

/* A verified peer is let in only while its certificate is a member's
 * current one; it is then listed, so that losing membership (or a new
 * certificate for its node) cuts the connection. Under the same lock as
 * cluster_proxy_set_members(): no connection slips between. */
static bool admit_peer(struct cluster_proxy *p, struct splice *s)
{
	bool ok;
	bool log_it = false;
	uint64_t now = cr_now_ms();
	X509 *cert = SSL_get1_peer_certificate(s->ssl);

	s->peer_id = cluster_cert_node_id(cert);
	cluster_cert_serial(cert, s->peer_serial);
	X509_free(cert);
	pthread_mutex_lock(&p->lock);
	ok = !p->checks_members || is_member(p, s->peer_id, s->peer_serial);
	if (ok) {
		s->next_peer = p->peers;
		p->peers = s;
		s->is_listed = true;
	} else if (p->refusal_logged_ms == 0 || p->refusal_logged_id != s->peer_id ||
		   now - p->refusal_logged_ms >= REFUSAL_LOG_GAP_MS) {
		p->refusal_logged_ms = now;
		p->refusal_logged_id = s->peer_id;
		log_it = true;
	}
	pthread_mutex_unlock(&p->lock);
	if (log_it)
		log_warn("refused a cluster connection: its certificate (serial %s) names node "
			 "%" PRIu64 ", which is not a member (0: no node) or holds another "
			 "certificate; its next refusals are not logged for %d s",
			 s->peer_serial, s->peer_id, REFUSAL_LOG_GAP_MS / 1000);
	return ok;
}

static void unlist_peer(struct cluster_proxy *p, struct splice *s)
{
	pthread_mutex_lock(&p->lock);
	for (struct splice **at = &p->peers; s->is_listed && *at != NULL; at = &(*at)->next_peer)
		if (*at == s) {
			*at = s->next_peer;
			s->is_listed = false;
			break;
		}
	pthread_mutex_unlock(&p->lock);
}

void cluster_proxy_set_members(struct cluster_proxy *p, const struct cluster_peer *members,
			       unsigned n)
{
	n = n < CLUSTER_PROXY_MAX_MEMBERS ? n : CLUSTER_PROXY_MAX_MEMBERS;
	cluster_tls_set_peers(p->tls, members, n);
	pthread_mutex_lock(&p->lock);
	p->checks_members = true;
	memcpy(p->members, members, n * sizeof(*members));
	p->n_members = n;
	/* The splice thread sees its socket end and frees the connection; the
	 * fd stays open until it has unlisted it (under this lock). */
	for (struct splice *s = p->peers; s != NULL; s = s->next_peer)
		if (!is_member(p, s->peer_id, s->peer_serial) &&
		    shutdown(s->tls_fd, SHUT_RDWR) == 0)
			log_info("cut a connection of node %" PRIu64
				 ": no longer a member, or its certificate was replaced",
				 s->peer_id);
	pthread_mutex_unlock(&p->lock);
}

/* Hand an HTTP connection to the proxy's handler through a socketpair. */
static int route_http(struct splice *s, struct cluster_proxy *p, bool verified)
{
	int pair[2];

	if (p->http == NULL || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return -1;
	(void)set_nonblocking(pair[1], true);
	s->plain_fd = pair[1];
	p->http(p->http_arg, pair[0], verified);
	return 0;
}

/* Accepted connection: handshake, then route by the first byte and splice. */
static void *serve_conn(void *arg)
{
	struct splice *s = arg;
	struct cluster_proxy *p = s->owner;
	bool verified;
	int first;

	if (handshake(s->ssl, s->tls_fd, true, CLUSTER_HANDSHAKE_TIMEOUT_MS) < 0) {
		unsigned long e = ERR_get_error();
		unsigned long n_failed = 0;
		uint64_t now = cr_now_ms();
		bool log_it = false;
		char why[160];
		ERR_error_string_n(e, why, sizeof(why));
		ERR_clear_error();
		pthread_mutex_lock(&p->lock);
		/* A new reason is logged at once; the same one again (a peer that
		 * gave up on a slow handshake, many times) once per REFUSED_LOG_MS. */
		if (strcmp(p->failed_why, e ? why : "closed") != 0 || p->failed_log_ms == 0 ||
		    now - p->failed_log_ms >= REFUSED_LOG_MS) {
			n_failed = p->n_failed;
			p->n_failed = 0;
			p->failed_log_ms = now;
			(void)snprintf(p->failed_why, sizeof(p->failed_why), "%s",
				       e ? why : "closed");
			log_it = true;
		} else {
			p->n_failed++;
		}
		pthread_mutex_unlock(&p->lock);
		if (log_it)
			log_warn(
			    "refused a cluster connection: TLS handshake failed (%s); %lu more "
			    "refused since the last such line",
			    e ? why : "closed", n_failed);
		goto done;
	}
	verified = peer_verified(s->ssl);
	if (verified)
		unverified_release(p, s);
	if (verified && !admit_peer(p, s))
		goto done;
	first = peek_first(s->ssl, s->tls_fd, CLUSTER_HANDSHAKE_TIMEOUT_MS);
	if (first < 0) {
		log_debug("cluster connection closed before its first byte");
	} else if (first >= 'A' && first <= 'Z') {
		if (route_http(s, p, verified) == 0)
			splice_run(s);
	} else if (!verified) {
		log_warn("refused store traffic from a peer without a cluster certificate");
	} else if (connect_to(s->target, CLUSTER_HANDSHAKE_TIMEOUT_MS, &s->plain_fd, NULL) == 0) {
		splice_run(s);
	} else {
		s->plain_fd = -1;
		log_warn("cluster connection dropped: cannot reach '%s'", s->target);
	}
done:
	unverified_release(p, s);
	unlist_peer(p, s);
	splice_free(s);
	splice_done(p);
	return NULL;
}

/* Admit a new connection under the unverified caps: its slot, or -1 (the
 * refusal counted, and reported at most every REFUSED_LOG_MS). */
static int admit(struct cluster_proxy *p, const struct sockaddr_in *from)
{
	uint32_t addr = from->sin_family == AF_INET ? from->sin_addr.s_addr : 0;
	unsigned long n_refused = 0;
	uint64_t now = cr_now_ms();
	int slot;

	pthread_mutex_lock(&p->lock);
	slot = unverified_take(p, addr);
	if (slot >= 0)
		p->n_splices++;
	else
		p->n_refused++;
	if (slot < 0 && (p->refused_log_ms == 0 || now - p->refused_log_ms >= REFUSED_LOG_MS)) {
		n_refused = p->n_refused;
		p->n_refused = 0;
		p->refused_log_ms = now;
	}
	pthread_mutex_unlock(&p->lock);
	if (n_refused > 0)
		log_warn("refused %lu cluster connection(s) over %u without a certificate (%u "
			 "from one address); next report in %u s at the earliest",
			 n_refused, CLUSTER_MAX_UNVERIFIED, CLUSTER_MAX_UNVERIFIED_PER_ADDRESS,
			 REFUSED_LOG_MS / 1000);
	return slot;
}

static void accept_one(struct cluster_proxy *p)
{
	struct sockaddr_in from = { 0 };
	socklen_t from_len = sizeof(from);
	struct splice *s;
	pthread_t t;
	int fd = accept4(p->listen_fd, (struct sockaddr *)&from, &from_len,
			 SOCK_CLOEXEC | SOCK_NONBLOCK);
	int slot;

	if (fd < 0)
		return;
	slot = admit(p, &from);
	if (slot < 0) {
		close(fd);
		return;
	}
	tune_tcp(fd);
	s = cr_calloc(1, sizeof(*s));
	s->tls_fd = fd;
	s->plain_fd = -1;
	s->stop_fd = p->stop_fd;
	s->owner = p;
	s->unverified_slot = slot;
	(void)snprintf(s->target, sizeof(s->target), "%s", p->target);
	s->ssl = cluster_tls_ssl_new(p->tls, true);
	if (s->ssl == NULL || SSL_set_fd(s->ssl, fd) != 1 ||
	    pthread_create(&t, NULL, serve_conn, s) != 0) {
		unverified_release(p, s);
		splice_free(s);
		splice_done(p);
		return;
	}
	pthread_detach(t);
}

static void *listen_main(void *arg)
{
	struct cluster_proxy *p = arg;

	for (;;) {
		struct pollfd fds[2] = { { .fd = p->listen_fd, .events = POLLIN },
					 { .fd = p->stop_fd, .events = POLLIN } };
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents & POLLIN)
			break;
		if (fds[0].revents & POLLIN)
			accept_one(p);
	}
	return NULL;
}

int cluster_proxy_start(struct cluster_tls *tls, const struct cluster_proxy_config *cfg,
			struct cluster_proxy **out, struct cr_err *err)
{
	const char *listen_address = cfg->listen_address;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	struct cluster_proxy *p;
	int one = 1;
	int fd;

	if (storage_socket_address(listen_address, &ss, &len, NULL) < 0 || ss.ss_family != AF_INET)
		return cr_err_set(err, CR_EINVAL, "'%s' is not an address a.b.c.d:port",
				  listen_address);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return cr_err_set(err, CR_EUNAVAIL, "cannot make a socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0) {
		int e = errno;
		close(fd);
		return cr_err_set(err, CR_EUNAVAIL, "cannot listen on cluster address '%s': %s",
				  listen_address, strerror(e));
	}
	p = cr_calloc(1, sizeof(*p));
	p->tls = tls;
	p->target = cr_strdup(cfg->db_target);
	p->http = cfg->http;
	p->http_arg = cfg->http_arg;
	p->listen_fd = fd;
	p->checks_members = cfg->members != NULL;
	/* No serials yet: the manager tells them once it has read the table. */
	for (unsigned i = 0;
	     p->checks_members && i < cfg->n_members && p->n_members < CLUSTER_PROXY_MAX_MEMBERS;
	     i++)
		p->members[p->n_members++].id = cfg->members[i];
	if (p->checks_members)
		cluster_tls_set_peers(tls, p->members, p->n_members);
	p->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->idle, NULL);
	if (p->stop_fd < 0 || pthread_create(&p->thread, NULL, listen_main, p) != 0) {
		if (p->stop_fd >= 0)
			close(p->stop_fd);
		close(fd);
		free(p->target);
		free(p);
		return cr_err_set(err, CR_EINTERNAL, "cannot start the cluster listener");
	}
	*out = p;
	return 0;
}

void cluster_proxy_stop(struct cluster_proxy *p)
{
	uint64_t one = 1;

	if (p == NULL)
		return;
	if (write(p->stop_fd, &one, sizeof(one)) < 0)
		log_warn("cannot signal the cluster proxy to stop: %s", strerror(errno));
	pthread_join(p->thread, NULL);
	pthread_mutex_lock(&p->lock);
	while (p->n_splices > 0)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
	close(p->listen_fd);
	close(p->stop_fd);
	pthread_cond_destroy(&p->idle);
	pthread_mutex_destroy(&p->lock);
	free(p->target);
	free(p);
}

/* ---- the dialling side ---- */

/* Dialled connections' splice threads are detached; the process waits for
 * them with cluster_dial_drain() before freeing the TLS contexts. */
static pthread_mutex_t dial_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dial_idle = PTHREAD_COND_INITIALIZER;
static unsigned n_dialled;

static void *dial_splice(void *arg)
{
	struct splice *s = arg;

	splice_run(s);
	splice_free(s);
	pthread_mutex_lock(&dial_lock);
	n_dialled--;
	pthread_cond_broadcast(&dial_idle);
	pthread_mutex_unlock(&dial_lock);
	return NULL;
}

bool cluster_dial_drain(unsigned timeout_ms)
{
	uint64_t deadline = cr_now_ms() + timeout_ms;
	bool idle;

	pthread_mutex_lock(&dial_lock);
	while (n_dialled > 0 && cr_now_ms() < deadline) {
		pthread_mutex_unlock(&dial_lock);
		cr_sleep_ms(5);
		pthread_mutex_lock(&dial_lock);
	}
	idle = n_dialled == 0;
	pthread_mutex_unlock(&dial_lock);
	return idle;
}

int cluster_dial(struct cluster_tls *tls, const char *address, unsigned timeout_ms, int *fd_out,
		 struct cr_err *err)
{
	struct splice *s;
	int pair[2];
	pthread_t t;
	int fd = -1;
	int rc = connect_to(address, timeout_ms, &fd, err);

	if (rc < 0)
		return rc;
	s = cr_calloc(1, sizeof(*s));
	s->tls_fd = fd;
	s->plain_fd = -1;
	s->stop_fd = -1;
	s->ssl = cluster_tls_ssl_new(tls, false);
	if (s->ssl == NULL || SSL_set_fd(s->ssl, fd) != 1 ||
	    handshake(s->ssl, fd, false, timeout_ms) < 0) {
		ERR_clear_error();
		splice_free(s);
		return cr_err_set(err, CR_EUNAVAIL, "TLS handshake with '%s' failed", address);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		splice_free(s);
		return cr_err_set(err, CR_EINTERNAL, "socketpair: %s", strerror(errno));
	}
	(void)set_nonblocking(pair[1], true);
	s->plain_fd = pair[1];
	pthread_mutex_lock(&dial_lock);
	n_dialled++;
	pthread_mutex_unlock(&dial_lock);
	if (pthread_create(&t, NULL, dial_splice, s) != 0) {
		pthread_mutex_lock(&dial_lock);
		n_dialled--;
		pthread_mutex_unlock(&dial_lock);
		close(pair[0]);
		splice_free(s);
		return cr_err_set(err, CR_EINTERNAL, "cannot start a splice thread");
	}
	pthread_detach(t);
	*fd_out = pair[0];
	return 0;
}
