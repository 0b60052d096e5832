/* web/position.c: read-your-writes across nodes.
 *
 * A write to a workspace answers with the position in the workspace's
 * changes that it reached: the Creek-Position header, for API clients,
 * and the same value in a cookie the browser keeps. A later request that
 * carries it back (header first, else cookie) has its reads of records
 * answered by this node's read model once the model has applied that far,
 * without asking the leader (core/forms/model.h). The value names its
 * workspace ("<workspace id>.<n>"): a position of another workspace, or
 * one that cannot be read, is as none (the read asks the leader). */
#define LOG_MODULE "web"
#include <stdio.h>
#include <string.h>

#include "../core/forms/model.h"
#include "../lib/parse.h"
#include "web_int.h"

#define POSITION_HEADER "Creek-Position"
/* __Host-: only over HTTPS (or localhost), for this host, path / */
#define POSITION_COOKIE "__Host-creek_position"

static bool is_workspace_route(const struct web_route *route)
{
	return route->permission == WEB_PERM_WORKSPACE ||
	       route->permission == WEB_PERM_WORKSPACE_KEY;
}

void web_position_take(struct web_request *req, const struct web_route *route)
{
	const char *v;

	if (!is_workspace_route(route))
		return;
	v = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, POSITION_HEADER);
	if (v == NULL)
		v = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, POSITION_COOKIE);
	req->actor.seen = cr_parse_position(v, req->params[0]);
}

/* The header and cookie of an answer: value is "<workspace id>.<n>". */
static void position_headers(struct web_request *req, const char *value)
{
	char cookie[128];

	(void)MHD_add_response_header(req->response, POSITION_HEADER, value);
	(void)snprintf(cookie, sizeof(cookie),
		       POSITION_COOKIE "=%s; Path=/; HttpOnly; Secure; SameSite=Strict", value);
	(void)MHD_add_response_header(req->response, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

void web_position_give(struct web_request *req, const struct web_route *route)
{
	const struct forms *f = req->ctx->forms;
	struct cr_err err = { 0 };
	char value[ID_WORKSPACE_ID_MAX + 24];
	int64_t pos;

	if (!route->is_write || !is_workspace_route(route) || req->status < 200 ||
	    req->status > 299 || req->response == NULL || f == NULL || req->actor.db[0] == '\0')
		return;
	/* The write committed: without a position the client's next read
	 * asks the leader, as before. */
	if (fm_model_wrote(f, req->actor.db, &pos, &err) < 0) {
		log_warn("no read-your-writes position for request %s: %s", web_log_id(req),
			 err.msg);
		return;
	}
	(void)snprintf(value, sizeof(value), "%s.%lld", req->actor.workspace_id, (long long)pos);
	position_headers(req, value);
}

void web_position_relay(struct web_request *req, const char *value)
{
	char db[ID_DB_NAME_MAX + 1];
	int64_t pos;

	if (req->route == NULL || !is_workspace_route(req->route) || req->params[0] == NULL)
		return;
	pos = cr_parse_position(value, req->params[0]);
	if (pos <= 0 || req->response == NULL)
		return;
	if (req->ctx->forms != NULL && id_workspace_id_valid(req->params[0])) {
		id_workspace_db(req->params[0], db);
		fm_model_saw(req->ctx->forms, db, pos);
	}
	(void)MHD_add_response_header(req->response, POSITION_HEADER, value);
}
