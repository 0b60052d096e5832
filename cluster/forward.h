/* cluster/forward.h: Creek's own HTTP requests to another node, over the
 * cluster port's mutual TLS. Used to funnel writes to the leader's single writer.
 * Connections are kept and reused. Any thread may call. */
#ifndef CREEK_CLUSTER_FORWARD_H
#define CREEK_CLUSTER_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/buf.h"
#include "../lib/err.h"
#include "tls.h"

#define CLUSTER_FORWARD_MAX_HEADERS 8

struct cluster_forwarder;

struct cluster_http_request {
	const char *method;
	const char *address;                              /* the node's cluster address */
	const char *path;                                 /* with its query string */
	const char *headers[CLUSTER_FORWARD_MAX_HEADERS]; /* "Name: value" */
	unsigned n_headers;
	const void *body;
	size_t body_len;
	unsigned timeout_ms;
	/* Asked every 100 ms while the answer is awaited: false gives up at
	 * once (e.g. another node leads now). NULL: wait until timeout. */
	bool (*keep_waiting)(void *arg);
	void *keep_waiting_arg;
};

struct cluster_http_response {
	long status;
	char content_type[128];
	char set_cookie[256]; /* the answer's Set-Cookie, or "" */
	char retry_after[16]; /* the answer's Retry-After, or "" */
	char position[64];    /* the answer's Creek-Position, or "" */
	/* The request (or part of it) left this node: without an answer, the
	 * peer may have acted on it. */
	bool was_sent;
	struct cr_buf body; /* initialised by the call; close it after */
};

/* Connections to a peer are given dial_timeout_ms (0: the request's
 * timeout) to be made, TLS handshake included. */
int cluster_forwarder_new(struct cluster_tls *tls, size_t max_body, unsigned dial_timeout_ms,
			  struct cluster_forwarder **out, struct cr_err *err);
void cluster_forwarder_free(struct cluster_forwarder *f); /* NULL is a no-op */

/* Send one request and read the whole answer. 0 with a status (any);
 * CR_EUNAVAIL if no answer came (the request may or may not have been
 * handled: retry only what is idempotent). */
int cluster_http(struct cluster_forwarder *f, const struct cluster_http_request *req,
		 struct cluster_http_response *resp, struct cr_err *err);

#endif
