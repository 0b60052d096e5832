/* web/api_cluster.c: the cluster console's API, joining, and the
 * operator's cluster actions (tokens, removal, write checks, jobs).
 * The logic lives in cluster/; these are its HTTP faces. */
#define LOG_MODULE "web"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cluster/cluster.h"
#include "../cluster/join.h"
#include "../cluster/scheduler.h"
#include "../cluster/tls.h"
#include "../lib/file.h"
#include "../lib/log.h"
#include "../lib/parse.h"
#include "../lib/time.h"
#include "web_int.h"

#define SAMPLES_MAX       20000
#define CHECKS_LIST_MAX   10000
#define TOKEN_TTL_DEFAULT 3600

static json_t *id_json(uint64_t id)
{
	char text[24];

	(void)snprintf(text, sizeof(text), "%" PRIu64, id);
	return json_string(text);
}

static bool has_cluster(struct web_request *req)
{
	if (req->ctx->cluster != NULL)
		return true;
	web_reply_error(req, CR_EUNAVAIL, "this node runs without cluster management");
	return false;
}

static const char *query_arg(struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* ---- GET /api/v1/cluster ---- */

static void overview_get(struct web_request *req)
{
	struct cluster_status st;
	struct storage_rows rows;
	struct cr_err err = { 0 };
	json_t *nodes;
	int rc;

	if (!has_cluster(req))
		return;
	cluster_status(req->ctx->cluster, &st);
	if (st.leader_id == 0) {
		web_reply_error(req, CR_EUNAVAIL, "the cluster has no leader right now");
		return;
	}
	rc = storage_query(req->ctx->store, STORAGE_DB_SYSTEM,
			   "SELECT node_id, creek_version, failure_domain FROM cluster_node", NULL,
			   0, &rows, &err);
	if (rc < 0) {
		storage_rows_close(&rows);
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	nodes = json_array();
	for (unsigned i = 0; i < st.n_nodes; i++) {
		const struct cluster_node_status *n = &st.nodes[i];
		const char *version = "";
		json_int_t domain = 0;
		char id[24];
		(void)snprintf(id, sizeof(id), "%" PRIu64, n->id);
		for (size_t r = 0; r < rows.n_rows; r++) {
			const char *rid = storage_rows_text(&rows, r, 0);
			if (rid != NULL && strcmp(rid, id) == 0) {
				const char *v = storage_rows_text(&rows, r, 1);
				version = v != NULL ? v : "";
				domain = storage_rows_int(&rows, r, 2, 0);
			}
		}
		json_array_append_new(
		    nodes,
		    json_pack(
			"{s:s, s:s, s:s, s:b, s:b, s:b, s:o, s:o, s:s, s:I}", "id", id, "address",
			n->address, "role", cluster_role_name(n->role), "is_leader", n->is_leader,
			"reachable", n->reachable, "disk_low", n->disk_low, "last_contact_ms",
			n->last_contact_ms >= 0 ? json_integer(n->last_contact_ms) : json_null(),
			"latency_ms", n->reachable ? json_real(n->latency_ms) : json_null(),
			"version", version, "failure_domain", domain));
	}
	storage_rows_close(&rows);
	web_reply_json(req, 200,
		       json_pack("{s:o, s:o, s:I, s:I, s:o}", "self_id", id_json(st.self_id),
				 "leader_id", id_json(st.leader_id), "voters_wanted",
				 (json_int_t)st.voters_wanted, "standbys_wanted",
				 (json_int_t)st.standbys_wanted, "nodes", nodes));
}

/* ---- GET /api/v1/cluster/health-samples?since_ms= ---- */

static void samples_get(struct web_request *req)
{
	const char *since = query_arg(req, "since_ms");
	uint64_t since_ms = 0;
	struct storage_value p[2];
	struct storage_rows rows;
	struct cr_err err = { 0 };
	json_t *samples;
	int rc;

	if (since != NULL && cr_parse_u64(since, INT64_MAX / 1000, &since_ms, NULL) < 0) {
		web_reply_error(req, CR_EINVAL, "since_ms must be milliseconds since the epoch");
		return;
	}
	if (since == NULL)
		since_ms = (uint64_t)(cr_wall_us() / 1000) - (uint64_t)30 * 60 * 1000;
	p[0] = storage_int((int64_t)since_ms * 1000);
	p[1] = storage_int(SAMPLES_MAX);
	rc = storage_query(req->ctx->store, STORAGE_DB_SYSTEM,
			   "SELECT * FROM (SELECT node_id, at_us, reachable, latency_us FROM "
			   "node_health_sample WHERE at_us >= ? ORDER BY at_us DESC LIMIT ?) "
			   "ORDER BY at_us",
			   p, 2, &rows, &err);
	if (rc < 0) {
		storage_rows_close(&rows);
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	samples = json_array();
	for (size_t r = 0; r < rows.n_rows; r++) {
		const struct storage_value *lat = storage_rows_at(&rows, r, 3);
		const char *node = storage_rows_text(&rows, r, 0);
		json_array_append_new(
		    samples,
		    json_pack("{s:s, s:I, s:b, s:o}", "node_id", node != NULL ? node : "", "at_ms",
			      (json_int_t)(storage_rows_int(&rows, r, 1, 0) / 1000), "reachable",
			      storage_rows_int(&rows, r, 2, 0) != 0, "latency_ms",
			      lat->type == STORAGE_INTEGER
				  ? json_real((double)storage_rows_int(&rows, r, 3, 0) / 1000.0)
				  : json_null()));
	}
	storage_rows_close(&rows);
	web_reply_json(req, 200, json_pack("{s:o}", "samples", samples));
}

/* ---- POST /api/v1/cluster/tokens {"ttl_s"} ---- */

static void token_create(struct web_request *req)
{
	json_t *ttl = json_object_get(req->json, "ttl_s");
	char token[CLUSTER_TOKEN_MAX + 1];
	int64_t expires_us = 0;
	struct cr_err err = { 0 };
	char expires[32];
	int rc;

	if (!has_cluster(req))
		return;
	if (!json_is_object(req->json) || (ttl != NULL && !json_is_integer(ttl))) {
		web_reply_error(req, CR_EINVAL, "expected {\"ttl_s\": <seconds>} (optional)");
		return;
	}
	if (ttl != NULL &&
	    (json_integer_value(ttl) < 1 || json_integer_value(ttl) > CLUSTER_TOKEN_TTL_MAX)) {
		web_reply_error(req, CR_EINVAL, "ttl_s must be 1 to %u seconds",
				CLUSTER_TOKEN_TTL_MAX);
		return;
	}
	rc = cluster_token_create(req->ctx->store, req->ctx->cluster, req->ctx->cluster_dir,
				  ttl != NULL ? (unsigned)json_integer_value(ttl)
					      : TOKEN_TTL_DEFAULT,
				  token, sizeof(token), &expires_us, &err);
	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	cr_format_utc(expires_us, expires, sizeof(expires));
	web_reply_json(req, 201, json_pack("{s:s, s:s}", "token", token, "expires_at", expires));
}

/* ---- joining (cluster port only) ---- */

static void join_ca(struct web_request *req)
{
	char *ca;

	if (!has_cluster(req))
		return;
	ca = cr_file_read(req->ctx->cluster_dir, "ca.crt", NULL);
	if (ca == NULL) {
		web_reply_error(req, CR_EINTERNAL, "the cluster CA cannot be read");
		return;
	}
	/* can_admit: whether this member signs joining nodes' requests (it
	 * holds the CA key); a joining node sends its token only to one that does. */
	web_reply_json(req, 200,
		       json_pack("{s:s, s:b}", "ca_crt", ca, "can_admit",
				 cluster_ca_can_sign(req->ctx->cluster_dir)));
	free(ca);
}

static void join_post(struct web_request *req)
{
	const char *token_id = json_string_value(json_object_get(req->json, "token_id"));
	const char *secret = json_string_value(json_object_get(req->json, "secret"));
	const char *address = json_string_value(json_object_get(req->json, "address"));
	const char *csr = json_string_value(json_object_get(req->json, "csr"));
	json_t *domain = json_object_get(req->json, "failure_domain");
	struct cluster_join_request jr = { token_id, secret, address, 0, csr };
	struct cluster_admission a;
	struct cr_err err = { 0 };
	json_t *members;
	int rc;

	if (!has_cluster(req))
		return;
	if (token_id == NULL || secret == NULL || address == NULL || csr == NULL ||
	    (domain != NULL && (!json_is_integer(domain) || json_integer_value(domain) < 0 ||
				json_integer_value(domain) > 65535))) {
		web_reply_error(
		    req, CR_EINVAL,
		    "expected {\"token_id\", \"secret\", \"address\": \"a.b.c.d:port\", "
		    "\"csr\": \"<PEM certificate request>\", \"failure_domain\": 0-65535 "
		    "(optional)}");
		return;
	}
	jr.failure_domain = domain != NULL ? (unsigned)json_integer_value(domain) : 0;
	rc =
	    cluster_admit(req->ctx->store, req->ctx->cluster, req->ctx->cluster_dir, &jr, &a, &err);
	if (rc < 0) {
		web_security_event(req, CR_LOG_WARN, "join_refused", NULL, "address '%s': %s",
				   address, err.msg);
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	members = json_array();
	for (unsigned i = 0; i < a.n_addresses; i++)
		json_array_append_new(members, json_string(a.addresses[i]));
	/* The certificate only: the node's key never left it, and the CA's
	 * key is never sent. */
	web_reply_json(req, 201,
		       json_pack("{s:o, s:s, s:s, s:o}", "id", id_json(a.id), "ca_crt", a.ca_crt,
				 "node_crt", a.node_crt, "members", members));
	cluster_admission_free(&a);
}

/* ---- DELETE /api/v1/cluster/nodes/{id} ---- */

static void node_remove(struct web_request *req)
{
	uint64_t id = 0;
	struct cr_err err = { 0 };
	int rc;

	if (!has_cluster(req))
		return;
	if (cr_parse_u64(req->params[0], UINT64_MAX, &id, NULL) < 0) {
		web_reply_error(req, CR_EINVAL, "'%s' is not a node id", req->params[0]);
		return;
	}
	rc = cluster_remove(req->ctx->cluster, id, &err);
	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	web_reply_json(req, 200, json_pack("{s:o, s:b}", "id", id_json(id), "removed", true));
}

/* ---- write checks ---- */

static void check_add(struct web_request *req)
{
	const char *tag = json_string_value(json_object_get(req->json, "tag"));
	int64_t id = 0;
	bool replayed = false;
	struct cr_err err = { 0 };
	int rc;

	if (tag == NULL) {
		web_reply_error(req, CR_EINVAL, "expected {\"tag\": \"<letters, digits, . _ ->\"}");
		return;
	}
	rc = cluster_check_add(req->ctx->store, tag, req->request_id[0] ? req->request_id : NULL,
			       req->ctx->node_id, &id, &replayed, &err);
	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	web_reply_json(req, replayed ? 200 : 201,
		       json_pack("{s:I, s:s, s:o, s:b}", "id", (json_int_t)id, "tag", tag,
				 "written_by", id_json(req->ctx->node_id), "replayed", replayed));
}

static void check_list(struct web_request *req)
{
	const char *tag = query_arg(req, "tag");
	const char *after_s = query_arg(req, "after");
	const char *limit_s = query_arg(req, "limit");
	uint64_t after = 0;
	uint32_t limit = 1000;
	int64_t *ids;
	unsigned n = 0;
	struct cr_err err = { 0 };
	json_t *list;
	int rc;

	if (tag == NULL ||
	    (after_s != NULL && cr_parse_u64(after_s, INT64_MAX, &after, NULL) < 0) ||
	    (limit_s != NULL &&
	     (cr_parse_u32(limit_s, CHECKS_LIST_MAX, &limit, NULL) < 0 || limit == 0))) {
		web_reply_error(req, CR_EINVAL, "expected ?tag=<tag>[&after=<id>][&limit=1-%d]",
				CHECKS_LIST_MAX);
		return;
	}
	ids = cr_arena_alloc(&req->arena, sizeof(*ids) * limit);
	if (ids == NULL) {
		web_reply_error(req, CR_ETOOBIG, "limit too large");
		return;
	}
	rc = cluster_check_list(req->ctx->store, tag, (int64_t)after, limit, ids, &n, &err);
	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	list = json_array();
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(list, json_integer(ids[i]));
	web_reply_json(req, 200,
		       json_pack("{s:s, s:o, s:o}", "tag", tag, "ids", list, "next_after",
				 n == limit ? json_integer(ids[n - 1]) : json_null()));
}

/* ---- jobs ---- */

static void job_create(struct web_request *req)
{
	const char *kind = json_string_value(json_object_get(req->json, "kind"));
	json_t *payload = json_object_get(req->json, "payload");
	json_t *due = json_object_get(req->json, "due_in_ms");
	char *text;
	int64_t id = 0;
	struct cr_err err = { 0 };
	int rc;

	if (kind == NULL || (payload != NULL && !json_is_object(payload)) ||
	    (due != NULL && (!json_is_integer(due) || json_integer_value(due) < 0))) {
		web_reply_error(req, CR_EINVAL,
				"expected {\"kind\", \"payload\": {...}, \"due_in_ms\": >= 0}");
		return;
	}
	text = payload != NULL ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	rc = cluster_job_create(req->ctx->store, kind, text != NULL ? text : "{}",
				due != NULL ? (uint64_t)json_integer_value(due) : 0,
				req->request_id[0] ? req->request_id : NULL, &id, &err);
	free(text);
	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	web_reply_json(req, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "kind", kind));
}

static void job_get(struct web_request *req)
{
	uint64_t id = 0;
	struct cluster_job_info j;
	struct cr_err err = { 0 };
	char due[32];
	int rc;

	if (cr_parse_u64(req->params[0], INT64_MAX, &id, NULL) < 0) {
		web_reply_error(req, CR_EINVAL, "'%s' is not a job id", req->params[0]);
		return;
	}
	rc = cluster_job_get(req->ctx->store, (int64_t)id, &j, &err);
	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	cr_format_utc(j.due_us, due, sizeof(due));
	web_reply_json(req, 200,
		       json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:s?, s:s?}", "id",
				 (json_int_t)j.id, "kind", j.kind, "state", j.state, "due_at", due,
				 "period_ms", (json_int_t)(j.period_us / 1000), "runs",
				 (json_int_t)j.runs, "failures", (json_int_t)j.failures,
				 "last_error", j.last_error[0] ? j.last_error : NULL, "last_node",
				 j.last_node[0] ? j.last_node : NULL));
}

/* This family's routes; web/routes.c lists the families. */
const struct web_route web_routes_cluster[] = {
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/cluster",
	  .handler = overview_get,
	  .permission = WEB_PERM_OPERATOR },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/cluster/health-samples",
	  .handler = samples_get,
	  .permission = WEB_PERM_OPERATOR },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/cluster/jobs",
	  .handler = job_create,
	  .permission = WEB_PERM_OPERATOR,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/cluster/jobs/{id}",
	  .handler = job_get,
	  .permission = WEB_PERM_OPERATOR },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/cluster/join",
	  .handler = join_post,
	  .permission = WEB_PERM_JOIN,
	  .body = WEB_BODY_JSON },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/cluster/join/ca",
	  .handler = join_ca,
	  .permission = WEB_PERM_JOIN },
	{ .methods = WEB_DELETE,
	  .pattern = "/api/v1/cluster/nodes/{id}",
	  .handler = node_remove,
	  .permission = WEB_PERM_OPERATOR },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/cluster/tokens",
	  .handler = token_create,
	  .permission = WEB_PERM_OPERATOR,
	  .body = WEB_BODY_JSON },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/cluster/write-checks",
	  .handler = check_list,
	  .permission = WEB_PERM_OPERATOR },
	{ .methods = WEB_POST,
	  .pattern = "/api/v1/cluster/write-checks",
	  .handler = check_add,
	  .permission = WEB_PERM_OPERATOR,
	  .body = WEB_BODY_JSON,
	  .is_write = true },
	{ .pattern = NULL },
};
