/* web/api_node.c: this node's health and the operator's log level.
 *
 * GET /api/v1/health answers 200 when the store answers and the data disk
 * has room, 503 (same body, "status": "degraded", and "reason": "store" or
 * "disk") when not, so a load balancer can use it. Only the status to
 * anyone; the node, leader, store, disk, versions and times to those who
 * may see the cluster (web_may_see_cluster()). */
#define LOG_MODULE "web"
#include "web_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cluster/cluster.h"
#include "../core/forms/model.h"
#include "../lib/log.h"
#include "../lib/time.h"
#include "../storage/disk.h"
#include "../storage/engine.h"
#include "../storage/pool.h"

#define HEALTH_STORE_TIMEOUT_MS 2000

struct health {
	bool is_reachable;
	double latency_ms;
	uint64_t leader_id;
	char leader[128];
	bool has_role;
	enum storage_role role;
	struct cr_err err;
};

static int probe_store(struct storage_conn *c, const struct web_context *ctx, struct health *h)
{
	struct storage_server *servers = NULL;
	unsigned n = 0;
	struct storage_rows rows;
	uint64_t t0 = cr_now_us();
	int rc = storage_conn_query_sql(c, "SELECT 1", NULL, 0, &rows, &h->err);

	storage_rows_close(&rows);
	if (rc < 0)
		return rc;
	h->latency_ms = (double)(cr_now_us() - t0) / 1000.0;
	h->is_reachable = true;
	rc = storage_conn_cluster(c, &servers, &n, &h->err);
	for (unsigned i = 0; rc == 0 && i < n; i++) {
		if (servers[i].id == ctx->node_id) {
			h->has_role = true;
			h->role = servers[i].role;
		}
	}
	free(servers);
	return rc;
}

static void check_store(const struct web_context *ctx, struct health *h)
{
	struct storage_pool *pool = storage_store_pool(ctx->store);
	struct storage_conn *c = NULL;
	int rc = storage_pool_acquire_within(pool, STORAGE_DB_SYSTEM, HEALTH_STORE_TIMEOUT_MS, &c,
					     &h->err);

	if (rc == 0) {
		rc = probe_store(c, ctx, h);
		storage_pool_release(pool, c);
	}
	if (rc < 0)
		log_warn("health: store check failed: %s", h->err.msg);
	if (ctx->cluster != NULL) {
		/* Raft's view on this node (the pool's last leader may be
		 * gone): id and address from the same reading. */
		h->leader[0] = '\0';
		h->leader_id = cluster_leader(ctx->cluster, h->leader, sizeof(h->leader));
	} else {
		storage_pool_last_leader(pool, &h->leader_id, h->leader, sizeof(h->leader));
	}
}

static json_t *id_json(uint64_t id)
{
	char text[24];

	(void)snprintf(text, sizeof(text), "%" PRIu64, id);
	return json_string(text);
}

static void health_get(struct web_request *req)
{
	const struct web_context *ctx = req->ctx;
	struct health h = { 0 };
	char started[32];
	json_t *leader = json_null();
	json_t *body;

	struct storage_disk_status disk = { 0 };
	bool is_ok;

	check_store(ctx, &h);
	if (ctx->disk != NULL)
		storage_disk_status(ctx->disk, &disk);
	is_ok = h.is_reachable && !disk.is_low;
	if (!web_may_see_cluster(req)) {
		web_reply_json(req, is_ok ? 200 : 503,
			       json_pack("{s:s}", "status", is_ok ? "ok" : "degraded"));
		return;
	}
	cr_format_utc(ctx->started_us, started, sizeof(started));
	if (h.leader_id != 0 && h.leader[0] != '\0')
		leader = json_pack("{s:o, s:s}", "id", id_json(h.leader_id), "address", h.leader);
	body = json_pack(
	    "{s:s, s:{s:o, s:s, s:s?, s:b, s:I}, s:o, s:{s:b, s:o}, s:{s:s, s:s, s:s}, s:I, s:s}",
	    "status", is_ok ? "ok" : "degraded", "node", "id", id_json(ctx->node_id), "address",
	    ctx->node_address, "role", h.has_role ? cluster_role_name(h.role) : NULL, "is_leader",
	    h.leader_id == ctx->node_id, "starts", (json_int_t)ctx->starts, "leader", leader,
	    "store", "reachable", h.is_reachable, "latency_ms",
	    h.is_reachable ? json_real(h.latency_ms) : json_null(), "version", "creek",
	    CREEK_VERSION, "dqlite", storage_engine_dqlite_version(), "raft",
	    storage_engine_raft_version(), "uptime_s",
	    (json_int_t)((cr_now_ms() - ctx->started_mono_ms) / 1000), "started_at", started);
	if (!h.is_reachable)
		json_object_set_new(
		    body, "error",
		    json_pack("{s:s, s:s}", "code", cr_err_name(h.err.code), "message", h.err.msg));
	if (!is_ok)
		json_object_set_new(body, "reason", json_string(h.is_reachable ? "disk" : "store"));
	if (ctx->forms != NULL && ctx->forms->model != NULL) {
		int64_t lag = 0;
		unsigned unbuilt = 0;
		storage_model_lag(ctx->forms->model, &lag, &unbuilt);
		json_object_set_new(body, "read_model",
				    json_pack("{s:I, s:I}", "lag", (json_int_t)lag, "building",
					      (json_int_t)unbuilt));
	}
	if (ctx->disk != NULL && disk.is_known)
		json_object_set_new(body, "disk",
				    json_pack("{s:b, s:I, s:I}", "low", disk.is_low, "free_bytes",
					      (json_int_t)disk.free_bytes, "reserve_bytes",
					      (json_int_t)disk.reserve_bytes));
	web_reply_json(req, is_ok ? 200 : 503, body);
}

static void log_level_get(struct web_request *req)
{
	web_reply_json(req, 200,
		       json_pack("{s:s}", "level", cr_log_level_name(cr_log_get_level())));
}

static void log_level_put(struct web_request *req)
{
	const char *name = json_string_value(json_object_get(req->json, "level"));
	enum cr_log_level level;

	if (!json_is_object(req->json) || name == NULL) {
		web_reply_error(req, CR_EINVAL, "expected {\"level\": \"<name>\"}");
		return;
	}
	if (cr_log_level_parse(name, &level) < 0) {
		web_reply_error(req, CR_EINVAL,
				"level must be one of error, warning, notice, info, debug");
		return;
	}
	cr_log_set_level(level);
	log_notice("log level set to '%s' by a local operator", cr_log_level_name(level));
	web_reply_json(req, 200, json_pack("{s:s}", "level", cr_log_level_name(level)));
}

/* This node's read model: per workspace its position, the store's head
 * and the lag, the reads it and the store answered, and how many reads of
 * rights and forms came from memory (kept) or the store; ?sums=1 also compares every app's records,
 * model against store (reads them all twice: a check, not a probe). */
static void read_model_get(struct web_request *req)
{
	const char *sums = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "sums");
	struct cr_err err = { 0 };
	json_t *list = NULL;
	int rc = fm_model_status_all(req->ctx->forms, sums != NULL && strcmp(sums, "1") == 0, &list,
				     &err);

	if (rc < 0) {
		web_reply_error(req, rc, "%s", err.msg);
		return;
	}
	{
		uint64_t model = 0, store = 0, hits = 0, misses = 0;
		storage_model_reads(req->ctx->forms->model, &model, &store);
		if (req->ctx->store != NULL)
			storage_kept_stats(req->ctx->store, &hits, &misses);
		web_reply_json(req, 200,
			       json_pack("{s:o, s:{s:I, s:I}, s:{s:I, s:I}}", "databases", list,
					 "reads", "model", (json_int_t)model, "store",
					 (json_int_t)store, "kept", "hits", (json_int_t)hits,
					 "misses", (json_int_t)misses));
	}
}

/* This family's routes; web/routes.c lists the families. */
const struct web_route web_routes_node[] = {
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/health",
	  .handler = health_get,
	  .permission = WEB_PERM_PUBLIC },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/node/log-level",
	  .handler = log_level_get,
	  .permission = WEB_PERM_OPERATOR },
	{ .methods = WEB_GET | WEB_HEAD,
	  .pattern = "/api/v1/node/read-model",
	  .handler = read_model_get,
	  .permission = WEB_PERM_OPERATOR },
	{ .methods = WEB_PUT,
	  .pattern = "/api/v1/node/log-level",
	  .handler = log_level_put,
	  .permission = WEB_PERM_OPERATOR,
	  .body = WEB_BODY_JSON },
	{ .pattern = NULL },
};
