/* web/forward.c: write routes on a node that does not lead run on the
 * leader's creekd, whose single writer batches the writes of every node.
 *
 * The request goes over the cluster port with its request id (the
 * client's Idempotency-Key or one made up here) and the client's own
 * credentials (session cookie, API key, CSRF token, operator token): the
 * leader checks them itself, so nothing this node concluded about the
 * client travels as a claim. If no answer comes (the leader died, or leadership moved), it is
 * sent again under the same id to whoever leads then, until the write
 * timeout: the writer's request table makes the retry apply at most once,
 * and answers it as the first run was answered (storage/writer.h).
 * If this node becomes the leader meanwhile, it runs the route itself. */
#define LOG_MODULE "web"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "../cluster/cluster.h"
#include "../cluster/forward.h"
#include "../cluster/operator.h"
#include "../lib/log.h"
#include "../lib/text.h"
#include "../lib/time.h"
#include "web_int.h"

static void make_request_id(struct web_request *req)
{
	unsigned char b[16];

	if (req->request_id[0] != '\0')
		return;
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return;
	cr_hex_encode(b, sizeof(b), req->request_id);
}

static void relay(struct web_request *req, struct cluster_http_response *resp)
{
	req->response =
	    web_response_bytes(req, resp->body.data, resp->body.len, MHD_RESPMEM_MUST_COPY);
	if (req->response == NULL) {
		web_reply_error(req, CR_EINTERNAL, "cannot relay the leader's answer");
		return;
	}
	req->status = (unsigned)resp->status;
	web_headers_add(req->response, true);
	if (resp->content_type[0] != '\0')
		(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_CONTENT_TYPE,
					      resp->content_type);
	if (resp->set_cookie[0] != '\0')
		(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_SET_COOKIE,
					      resp->set_cookie);
	if (resp->retry_after[0] != '\0')
		(void)MHD_add_response_header(req->response, "Retry-After", resp->retry_after);
	if (resp->position[0] != '\0' && resp->status >= 200 && resp->status <= 299)
		web_position_relay(req, resp->position);
}

struct still_leading {
	struct cluster *cluster;
	const char *address;
};

/* The node being waited on still leads (as this node last saw it). */
static bool still_leading(void *arg)
{
	const struct still_leading *s = arg;
	char leader[CLUSTER_ADDRESS_MAX];

	cluster_leader_address(s->cluster, leader, sizeof(leader));
	return strcmp(leader, s->address) == 0;
}

/* "Name: value" of the client's header, or an empty "X-Creek-None:" line
 * when absent or too long (a credential is passed whole or not at all). */
static void credential_header(struct web_request *req, const char *name, char *out, size_t len)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);

	if (v == NULL || strpbrk(v, "\r\n") != NULL ||
	    (size_t)snprintf(out, len, "%s: %s", name, v) >= len)
		(void)snprintf(out, len, "X-Creek-None: 1");
}

/* The receiving end, on the cluster port: a forwarded write carries the
 * client's operator token, if any, and this node checks it against the
 * members' tokens in the store (cluster/operator.h). true once answered:
 * 503 when the store cannot tell, so that the forwarding node retries. */
static bool accept_forwarded(struct web_request *req)
{
	const char *token =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Creek-Operator");
	struct cr_err err = { 0 };
	uint64_t id = 0;
	int rc;

	req->is_local = false;
	if (token == NULL || req->ctx->cluster == NULL)
		return false;
	rc = cluster_operator_check(req->ctx->store, req->ctx->cluster, token, &id, &err);
	if (rc == CR_EDENIED) {
		log_warn("a forwarded write's operator token is no member's: %s", err.msg);
		return false;
	}
	if (rc < 0) {
		web_reply_error(req, CR_EUNAVAIL, "the operator's token cannot be checked now");
		return true;
	}
	req->is_local = true;
	return false;
}

/* After one try: whether a leader may have the request (it left this
 * node and no answer came, or the leader itself did not know). */
static bool may_have_it(int rc, const struct cluster_http_response *resp)
{
	if (rc < 0)
		return resp->was_sent;
	return resp->status == 503 && resp->body.data != NULL &&
	       memmem(resp->body.data, resp->body.len, "\"outcome_unknown\"", 17) != NULL;
}

/* A try that failed: a refused connection or a 503 is tried again soon;
 * a leader that was silent (paused, cut off: the dial or the answer timed
 * out) is not dialled again until another node leads or a second has
 * passed, so that threads do not pile connections onto a node that will
 * find them all when it wakes. */
#define SILENT_MS 500
static void pause_before_retry(const struct web_context *ctx, const char *leader, bool was_silent,
			       struct cr_backoff *backoff)
{
	uint64_t until = cr_now_ms() + 1000;
	char now_leading[CLUSTER_ADDRESS_MAX];

	if (!was_silent) {
		cr_backoff_sleep(backoff);
		return;
	}
	do {
		cr_sleep_ms(50);
		cluster_leader_address(ctx->cluster, now_leading, sizeof(now_leading));
	} while (strcmp(now_leading, leader) == 0 && cr_now_ms() < until);
}

/* No leader took the request: unavailable only if none can have it. */
static void answer_unforwarded(struct web_request *req, bool was_sent)
{
	if (!was_sent)
		web_reply_error(req, CR_EUNAVAIL,
				"no store leader can be reached from this node; nothing was "
				"written");
	else
		web_reply_error(req, CR_EUNKNOWN,
				"no leader answered within %u ms; retry with the same "
				"Idempotency-Key (%s) to apply it at most once",
				req->ctx->write_timeout_ms, req->request_id);
}

bool web_forward_if_needed(struct web_request *req)
{
	const struct web_context *ctx = req->ctx;
	uint64_t deadline;
	char rid_header[WEB_REQUEST_ID_MAX + 32];
	char client_header[96];
	char cookie[1024], authz[256], csrf[128], operator[CLUSTER_OPERATOR_TOKEN_MAX + 32];
	struct cr_err err = { 0 };
	/* refused connections are cheap: look often */
	struct cr_backoff backoff = CR_BACKOFF(10, 50);
	/* Whether a leader may have the request: then no answer can say that
	 * nothing was written. */
	bool was_sent = false;

	make_request_id(req);
	if (req->kind == WEB_KIND_PEER)
		return accept_forwarded(req);
	if (ctx->cluster == NULL || ctx->forwarder == NULL)
		return false;
	deadline = cr_now_ms() + (ctx->write_timeout_ms > 0 ? ctx->write_timeout_ms : 15000);
	(void)snprintf(rid_header, sizeof(rid_header), "X-Creek-Request-Id: %s", req->request_id);
	(void)snprintf(client_header, sizeof(client_header), "X-Creek-Client-Address: %s",
		       req->client_address);
	credential_header(req, MHD_HTTP_HEADER_COOKIE, cookie, sizeof(cookie));
	credential_header(req, MHD_HTTP_HEADER_AUTHORIZATION, authz, sizeof(authz));
	credential_header(req, "X-Creek-CSRF", csrf, sizeof(csrf));
	credential_header(req, "X-Creek-Operator", operator, sizeof(operator));
	for (;;) {
		char leader[CLUSTER_ADDRESS_MAX];
		struct cluster_http_response resp;
		struct cluster_http_request fr = {
			.method = web_method_name(req->method), /* a write route's */
			.path = req->path,
			.headers = { rid_header, operator, "Content-Type: application/json",
				     client_header, cookie, authz, csrf },
			.n_headers = 7,
			.body = req->body.len > 0 ? req->body.data : NULL,
			.body_len = req->body.len,
		};
		uint64_t now = cr_now_ms();
		int rc;

		if (cluster_is_leader(ctx->cluster))
			return false; /* run it here */
		cluster_leader_address(ctx->cluster, leader, sizeof(leader));
		if (now >= deadline)
			break;
		if (leader[0] == '\0') {
			if (cluster_is_cut_off(ctx->cluster))
				break; /* no leader for a while: answer now */
			cluster_poke(ctx->cluster);
			cr_backoff_sleep(&backoff);
			continue;
		}
		struct still_leading sl = { ctx->cluster, leader };
		fr.address = leader;
		fr.timeout_ms = (unsigned)(deadline - now);
		fr.keep_waiting = still_leading;
		fr.keep_waiting_arg = &sl;
		rc = cluster_http(ctx->forwarder, &fr, &resp, &err);
		was_sent |= may_have_it(rc, &resp);
		if (rc == 0 && resp.status != 503) {
			req->is_audited = true; /* the leader logs its security event */
			relay(req, &resp);
			cr_buf_close(&resp.body);
			return true;
		}
		cr_buf_close(&resp.body);
		cluster_poke(ctx->cluster); /* find the new leader now */
		log_debug("forwarding to '%s' again: %s", leader,
			  rc < 0 ? err.msg : "the leader answered 503");
		pause_before_retry(ctx, leader, rc < 0 && cr_now_ms() - now >= SILENT_MS, &backoff);
	}
	answer_unforwarded(req, was_sent);
	return true;
}
