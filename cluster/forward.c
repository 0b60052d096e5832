/* cluster/forward.c: HTTP to other nodes over mutual TLS; see forward.h.
 *
 * A small HTTP/1.1 client on the plain end of a cluster_dial() socketpair:
 * Creek's peer server (libmicrohttpd) always answers with Content-Length,
 * so a response is a status line, headers and exactly that many bytes.
 * Connections are kept per address and reused (keep-alive); one that
 * fails before any byte of the answer came is retried once on a fresh
 * connection (the peer closed an idle one), since nothing was handled. */
#define LOG_MODULE "cluster"
#include "forward.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/time.h"
#include "cluster_int.h"
#include "proxy.h"

#define IDLE_MAX 64
#define HEAD_MAX 16384

struct idle_conn {
	int fd;
	char address[64];
};

struct cluster_forwarder {
	struct cluster_tls *tls;
	size_t max_body;
	unsigned dial_timeout_ms;
	pthread_mutex_t lock;
	struct idle_conn idle[IDLE_MAX];
	unsigned n_idle;
};

int cluster_forwarder_new(struct cluster_tls *tls, size_t max_body, unsigned dial_timeout_ms,
			  struct cluster_forwarder **out, struct cr_err *err)
{
	struct cluster_forwarder *f = cr_calloc(1, sizeof(*f));

	(void)err;
	f->tls = tls;
	f->max_body = max_body;
	f->dial_timeout_ms = dial_timeout_ms;
	pthread_mutex_init(&f->lock, NULL);
	*out = f;
	return 0;
}

void cluster_forwarder_free(struct cluster_forwarder *f)
{
	if (f == NULL)
		return;
	for (unsigned i = 0; i < f->n_idle; i++)
		close(f->idle[i].fd);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static int take_idle(struct cluster_forwarder *f, const char *address)
{
	int fd = -1;

	pthread_mutex_lock(&f->lock);
	for (unsigned i = f->n_idle; i-- > 0;) {
		if (strcmp(f->idle[i].address, address) == 0) {
			fd = f->idle[i].fd;
			f->idle[i] = f->idle[--f->n_idle];
			break;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return fd;
}

static void give_back(struct cluster_forwarder *f, const char *address, int fd)
{
	pthread_mutex_lock(&f->lock);
	if (f->n_idle < IDLE_MAX && strlen(address) < sizeof(f->idle[0].address)) {
		f->idle[f->n_idle].fd = fd;
		(void)snprintf(f->idle[f->n_idle].address, sizeof(f->idle[0].address), "%s",
			       address);
		f->n_idle++;
		fd = -1;
	}
	pthread_mutex_unlock(&f->lock);
	if (fd >= 0)
		close(fd);
}

/* Wait for fd to be ready for events until deadline; false on timeout. */
static bool wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		uint64_t now = cr_now_ms();
		int rc;
		if (now >= deadline)
			return false;
		rc = poll(&p, 1, (int)(deadline - now));
		if (rc > 0)
			return true;
		if (rc < 0 && errno != EINTR)
			return false;
	}
}

static int send_all(int fd, const char *data, size_t len, uint64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			if (!wait_fd(fd, POLLOUT, deadline))
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* A header's value, trimmed, into out ("" if it does not fit). */
static void header_value(const char *v, size_t n, char *out, size_t out_len)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	out[0] = '\0';
	if (n < out_len) {
		memcpy(out, v, n);
		out[n] = '\0';
	}
}

int cluster_http_parse_head(const char *buf, size_t head_len, struct cluster_http_response *resp,
			    size_t *content_length, bool *keep_alive)
{
	const char *p = buf;
	const char *end = buf + head_len;
	bool has_length = false;
	int major = 0;
	int minor = 0;

	if (sscanf(buf, "HTTP/%d.%d %ld", &major, &minor, &resp->status) != 3 ||
	    resp->status < 100 || resp->status > 599)
		return -1;
	*keep_alive = minor >= 1;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n;
		if (eol == NULL)
			break;
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 15 && strncasecmp(p, "Content-Length:", 15) == 0) {
			char num[32];
			size_t k = n - 15 < sizeof(num) - 1 ? n - 15 : sizeof(num) - 1;
			memcpy(num, p + 15, k);
			num[k] = '\0';
			*content_length = strtoull(num, NULL, 10);
			has_length = true;
		} else if (n > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
			const char *v = p + 13;
			size_t vn = n - 13;
			while (vn > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vn--;
			}
			if (vn < sizeof(resp->content_type)) {
				memcpy(resp->content_type, v, vn);
				resp->content_type[vn] = '\0';
			}
		} else if (n > 11 && strncasecmp(p, "Set-Cookie:", 11) == 0) {
			header_value(p + 11, n - 11, resp->set_cookie, sizeof(resp->set_cookie));
		} else if (n > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
			header_value(p + 12, n - 12, resp->retry_after, sizeof(resp->retry_after));
		} else if (n > 15 && strncasecmp(p, "Creek-Position:", 15) == 0) {
			header_value(p + 15, n - 15, resp->position, sizeof(resp->position));
		} else if (n >= 17 && strncasecmp(p, "Connection: close", 17) == 0) {
			*keep_alive = false;
		}
		p = eol + 1;
	}
	/* 1xx, 204 and 304 answers have no body and need no Content-Length. */
	if (!has_length && (resp->status < 200 || resp->status == 204 || resp->status == 304)) {
		*content_length = 0;
		return 0;
	}
	return has_length ? 0 : -1;
}

/* Send req's head and body on fd. */
static int send_request(int fd, const struct cluster_http_request *req, uint64_t deadline,
			struct cr_err *err)
{
	struct cr_buf head;
	int rc;

	cr_buf_init(&head, HEAD_MAX + 1);
	rc = cr_buf_printf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n",
			   req->method, req->path, req->address, req->body_len);
	for (unsigned i = 0; i < req->n_headers && rc == 0; i++)
		rc = cr_buf_printf(&head, "%s\r\n", req->headers[i]);
	if (rc == 0)
		rc = cr_buf_append_str(&head, "\r\n");
	if (rc == 0)
		rc = send_all(fd, head.data, head.len, deadline);
	if (rc == 0 && req->body_len > 0)
		rc = send_all(fd, req->body, req->body_len, deadline);
	cr_buf_close(&head);
	if (rc < 0)
		return cr_err_set(err, CR_EUNAVAIL, "cannot send to node '%s'", req->address);
	return 0;
}

/* head holds what arrived of the answer so far. 1: its head is not complete
 * yet; 0: the head is parsed into resp, *content_length and *keep_alive,
 * and the body's first bytes moved to resp->body; < 0: a bad or too big
 * answer. */
static int take_head(const struct cluster_forwarder *f, const struct cluster_http_request *req,
		     const struct cr_buf *head, struct cluster_http_response *resp,
		     size_t *content_length, bool *keep_alive, struct cr_err *err)
{
	const char *end = strstr(head->data, "\r\n\r\n");
	size_t head_len;

	if (end == NULL)
		return 1;
	head_len = (size_t)(end - head->data) + 4;
	if (cluster_http_parse_head(head->data, head_len, resp, content_length, keep_alive) < 0)
		return cr_err_set(err, CR_EUNAVAIL, "node '%s' sent a bad answer", req->address);
	/* A HEAD answer's Content-Length is that of the GET's body, which
	 * does not follow (RFC 9110 §9.3.2). */
	if (strcmp(req->method, "HEAD") == 0)
		*content_length = 0;
	if (*content_length > f->max_body)
		return cr_err_set(err, CR_ETOOBIG, "the answer from '%s' is too big", req->address);
	if (cr_buf_append(&resp->body, head->data + head_len, head->len - head_len) < 0)
		return cr_err_set(err, CR_EUNAVAIL, "node '%s' sent a bad answer", req->address);
	return 0;
}

/* Wait for fd to be readable again. 0: read again; < 0: time is up (or
 * the caller no longer wants the answer). */
static int wait_answer(int fd, const struct cluster_http_request *req, uint64_t deadline,
		       struct cr_err *err)
{
	uint64_t slice = cr_now_ms() + 100;

	if (wait_fd(fd, POLLIN, slice < deadline ? slice : deadline))
		return 0;
	if (cr_now_ms() < deadline &&
	    (req->keep_waiting == NULL || req->keep_waiting(req->keep_waiting_arg)))
		return 0;
	return cr_err_set(err, CR_EUNAVAIL, "node '%s' did not answer in time", req->address);
}

/* One exchange on fd. *got_any: a byte of the answer arrived. */
static int exchange(struct cluster_forwarder *f, int fd, const struct cluster_http_request *req,
		    struct cluster_http_response *resp, uint64_t deadline, bool *got_any,
		    bool *keep_alive, struct cr_err *err)
{
	struct cr_buf head;
	char buf[8192];
	size_t content_length = 0;
	bool has_head = false;
	int rc;

	*got_any = false;
	resp->was_sent = true; /* (some of) it may reach the peer from here on */
	rc = send_request(fd, req, deadline, err);
	if (rc < 0)
		return rc;
	/* The head, then the body. */
	cr_buf_init(&head, HEAD_MAX + 1);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			rc = wait_answer(fd, req, deadline, err);
			if (rc < 0)
				break;
			continue;
		}
		if (n <= 0) {
			rc = cr_err_set(err, CR_EUNAVAIL, "node '%s' closed the connection",
					req->address);
			break;
		}
		*got_any = true;
		if (!has_head) {
			rc = cr_buf_append(&head, buf, (size_t)n) < 0
				 ? cr_err_set(err, CR_EUNAVAIL, "node '%s' sent a bad answer",
					      req->address)
				 : take_head(f, req, &head, resp, &content_length, keep_alive, err);
			if (rc == 1)
				continue;
			if (rc < 0)
				break;
			has_head = true;
		} else if (cr_buf_append(&resp->body, buf, (size_t)n) < 0) {
			rc = CR_ETOOBIG;
		}
		if (rc < 0 || resp->body.len > content_length) {
			rc = cr_err_set(err, CR_EUNAVAIL, "node '%s' sent a bad answer",
					req->address);
			break;
		}
		if (resp->body.len == content_length) {
			rc = 0;
			break;
		}
	}
	cr_buf_close(&head);
	return rc;
}

int cluster_http(struct cluster_forwarder *f, const struct cluster_http_request *req,
		 struct cluster_http_response *resp, struct cr_err *err)
{
	uint64_t deadline = cr_now_ms() + (req->timeout_ms > 0 ? req->timeout_ms : 15000);
	int rc = CR_EUNAVAIL;

	memset(resp, 0, sizeof(*resp));
	cr_buf_init(&resp->body, f->max_body);
	for (unsigned attempt = 0; attempt < 2; attempt++) {
		int fd = take_idle(f, req->address);
		bool reused = fd >= 0;
		bool got_any = false;
		bool keep_alive = false;
		if (fd < 0) {
			uint64_t now = cr_now_ms();
			unsigned left = (unsigned)(deadline > now ? deadline - now : 1);
			/* A peer that does not take a connection at once (paused,
			 * cut off) is not waited for: the caller tries the leader of
			 * the moment again. */
			rc = cluster_dial(f->tls, req->address,
					  f->dial_timeout_ms > 0 && f->dial_timeout_ms < left
					      ? f->dial_timeout_ms
					      : left,
					  &fd, err);
			if (rc < 0)
				return rc;
		}
		cr_buf_reset(&resp->body);
		resp->status = 0;
		resp->set_cookie[0] = '\0';
		resp->retry_after[0] = '\0';
		resp->position[0] = '\0';
		rc = exchange(f, fd, req, resp, deadline, &got_any, &keep_alive, err);
		if (rc == 0 && keep_alive) {
			give_back(f, req->address, fd);
			return 0;
		}
		close(fd);
		if (rc == 0 || got_any || !reused)
			return rc;
		/* A reused connection the peer had closed: once more, fresh. */
	}
	return rc;
}
