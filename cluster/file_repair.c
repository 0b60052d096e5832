/* cluster/file_repair.c: the digests of a file store, the listings peers
 * ask for, and the repair round that fetches what this node lacks; see
 * file_sync.h for the digests and the routes. */
#define LOG_MODULE "cluster"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/text.h"
#include "cluster_int.h"
#include "file_sync.h"

_Static_assert(STORAGE_FILES_BUCKETS == 256, "a bucket's name is one byte in hex");

#define HEX_LEN         STORAGE_FILES_SHA256_HEX
#define LIST_TIMEOUT_MS 30000
#define PATH_LEN        160

/* What one workspace of this node's store holds, in digests. */
struct ws_summary {
	char buckets[STORAGE_FILES_BUCKETS][HEX_LEN + 1]; /* "" for an empty bucket */
	char digest[HEX_LEN + 1];                         /* "" if no file at all */
};

static int append_name(void *arg, const char *name)
{
	struct cr_buf *text = arg;
	int rc = cr_buf_append_str(text, name);

	return rc < 0 ? rc : cr_buf_append(text, "\n", 1);
}

static int summarize(struct storage_files *files, const char *ws, struct ws_summary *out,
		     struct cr_err *err)
{
	struct cr_buf names, lines;
	int rc = 0;

	cr_buf_init(&names, (size_t)STORAGE_FILES_BUCKET_MAX * (HEX_LEN + 1));
	cr_buf_init(&lines, (size_t)STORAGE_FILES_BUCKETS * (HEX_LEN + 4));
	for (unsigned b = 0; b < STORAGE_FILES_BUCKETS && rc == 0; b++) {
		cr_buf_reset(&names);
		out->buckets[b][0] = '\0';
		rc = storage_files_bucket(files, ws, b, append_name, &names, err);
		if (rc < 0 || names.len == 0)
			continue;
		storage_files_sha256_hex(files, names.data, names.len, out->buckets[b]);
		rc = cr_buf_printf(&lines, "%02x %s\n", b, out->buckets[b]);
	}
	out->digest[0] = '\0';
	if (rc == 0 && lines.len > 0)
		storage_files_sha256_hex(files, lines.data, lines.len, out->digest);
	cr_buf_close(&names);
	cr_buf_close(&lines);
	return rc;
}

/* ---- the listings ---- */

struct ws_lister {
	struct storage_files *files;
	struct ws_summary *sum;
	json_t *map;
	struct cr_err *err;
};

static int list_one_workspace(void *arg, const char *ws)
{
	struct ws_lister *l = arg;
	int rc = summarize(l->files, ws, l->sum, l->err);

	if (rc == 0 && l->sum->digest[0] != '\0')
		json_object_set_new(l->map, ws, json_string(l->sum->digest));
	return rc;
}

int cluster_file_list_workspaces(struct storage_files *files, json_t **out, struct cr_err *err)
{
	struct ws_lister l = { files, cr_malloc(sizeof(struct ws_summary)), json_object(), err };
	int rc = storage_files_workspaces(files, list_one_workspace, &l, err);

	free(l.sum);
	if (rc < 0) {
		json_decref(l.map);
		return rc;
	}
	*out = json_pack("{s:o}", "workspaces", l.map);
	return 0;
}

int cluster_file_list_buckets(struct storage_files *files, const char *ws, json_t **out,
			      struct cr_err *err)
{
	struct ws_summary *sum = cr_malloc(sizeof(*sum));
	json_t *map = json_object();
	int rc = summarize(files, ws, sum, err);

	for (unsigned b = 0; rc == 0 && b < STORAGE_FILES_BUCKETS; b++) {
		char key[3];
		if (sum->buckets[b][0] == '\0')
			continue;
		(void)snprintf(key, sizeof(key), "%02x", b);
		json_object_set_new(map, key, json_string(sum->buckets[b]));
	}
	free(sum);
	if (rc < 0) {
		json_decref(map);
		return rc;
	}
	*out = json_pack("{s:o}", "buckets", map);
	return 0;
}

static int append_json_name(void *arg, const char *name)
{
	return json_array_append_new(arg, json_string(name)) == 0 ? 0 : CR_EINTERNAL;
}

int cluster_file_list_bucket(struct storage_files *files, const char *ws, unsigned bucket,
			     json_t **out, struct cr_err *err)
{
	json_t *list = json_array();
	int rc = storage_files_bucket(files, ws, bucket, append_json_name, list, err);

	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*out = json_pack("{s:o}", "files", list);
	return 0;
}

/* ---- the repair round ---- */

struct budget {
	unsigned files;
	uint64_t bytes;
	unsigned fetched;
	unsigned failed;
};

static bool budget_left(struct cluster_file_sync *s, const struct budget *b)
{
	return b->files > 0 && b->bytes > 0 && !cluster_file_sync_stopping(s);
}

/* GET path on address and parse the JSON answer (*out: new reference). */
static int get_json(struct cluster_file_sync *s, const char *address, const char *path,
		    json_t **out, struct cr_err *err)
{
	struct cluster_http_request r = { .method = "GET",
					  .address = address,
					  .path = path,
					  .timeout_ms = LIST_TIMEOUT_MS,
					  .keep_waiting = cluster_file_sync_keep_waiting,
					  .keep_waiting_arg = s };
	struct cluster_http_response resp;
	int rc = cluster_http(s->forwarder, &r, &resp, err);

	if (rc == 0 && resp.status != 200)
		rc = cr_err_set(err, CR_EUNAVAIL, "'%s' answered %ld for '%s'", address,
				resp.status, path);
	if (rc == 0) {
		*out = json_loadb(resp.body.data, resp.body.len, 0, NULL);
		if (*out == NULL)
			rc = cr_err_set(err, CR_EUNAVAIL, "'%s' sent no JSON for '%s'", address,
					path);
	}
	cr_buf_close(&resp.body);
	return rc;
}

/* Fetch the files of one bucket of the peer's that this node lacks. */
static int repair_bucket(struct cluster_file_sync *s, const char *address, const char *ws,
			 unsigned bucket, struct budget *b, struct cr_err *err)
{
	char path[PATH_LEN];
	char prefix[3];
	json_t *answer = NULL;
	const json_t *sha;
	size_t i;
	int rc;

	(void)snprintf(prefix, sizeof(prefix), "%02x", bucket);
	(void)snprintf(path, sizeof(path), "/api/v1/cluster/files/%s?bucket=%s", ws, prefix);
	rc = get_json(s, address, path, &answer, err);
	if (rc < 0)
		return rc;
	json_array_foreach(json_object_get(answer, "files"), i, sha)
	{
		const char *name = json_string_value(sha);
		struct cr_buf data;
		struct cr_err e = { 0 };
		if (!budget_left(s, b))
			break;
		if (!storage_files_sha256_valid(name) || strncmp(name, prefix, 2) != 0 ||
		    storage_files_has(s->files, ws, name))
			continue;
		if (cluster_file_get_from(s, address, ws, name, &data, &e) < 0) {
			log_warn("repair: cannot fetch file %s of '%s' from '%s': %s", name, ws,
				 address, e.msg);
			b->failed++;
			continue;
		}
		b->files--;
		b->bytes = data.len < b->bytes ? b->bytes - data.len : 0;
		cr_buf_close(&data);
		b->fetched++;
	}
	json_decref(answer);
	return 0;
}

/* The buckets of ws whose digests differ from the peer's. */
static int repair_workspace(struct cluster_file_sync *s, const char *address, const char *ws,
			    const char *digest, struct ws_summary *mine, struct budget *b,
			    struct cr_err *err)
{
	char path[PATH_LEN];
	json_t *answer = NULL;
	const char *key;
	json_t *value;
	int rc = summarize(s->files, ws, mine, err);

	if (rc < 0 || strcmp(mine->digest, digest) == 0)
		return rc;
	(void)snprintf(path, sizeof(path), "/api/v1/cluster/files/%s", ws);
	rc = get_json(s, address, path, &answer, err);
	if (rc < 0)
		return rc;
	json_object_foreach(json_object_get(answer, "buckets"), key, value)
	{
		unsigned char bucket = 0; /* two hex digits: below STORAGE_FILES_BUCKETS */
		const char *theirs = json_string_value(value);
		if (!budget_left(s, b))
			break;
		if (theirs == NULL || strlen(key) != 2 || cr_hex_decode(key, 2, &bucket) != 1 ||
		    strcmp(mine->buckets[bucket], theirs) == 0)
			continue;
		rc = repair_bucket(s, address, ws, bucket, b, err);
		if (rc < 0)
			break;
	}
	json_decref(answer);
	return rc;
}

static void repair_from(struct cluster_file_sync *s, const char *address, struct budget *b)
{
	struct ws_summary *mine = cr_malloc(sizeof(*mine));
	struct cr_err err = { 0 };
	json_t *answer = NULL;
	const char *ws;
	json_t *digest;
	unsigned before = b->fetched;
	int rc = get_json(s, address, "/api/v1/cluster/files", &answer, &err);

	json_object_foreach(json_object_get(answer, "workspaces"), ws, digest)
	{
		if (!budget_left(s, b))
			break;
		if (!storage_files_workspace_valid(ws) || json_string_value(digest) == NULL)
			continue;
		rc = repair_workspace(s, address, ws, json_string_value(digest), mine, b, &err);
		if (rc < 0)
			break;
	}
	if (rc < 0)
		log_warn("repair: cannot compare files with '%s': %s; next round", address,
			 err.msg);
	if (b->fetched > before)
		log_notice("repair: fetched %u files from '%s'", b->fetched - before, address);
	json_decref(answer);
	free(mine);
}

void cluster_file_repair_round(struct cluster_file_sync *s)
{
	struct cluster_file_peer peers[CLUSTER_MAX_NODES];
	struct budget b = { CLUSTER_FILE_REPAIR_FILES, CLUSTER_FILE_REPAIR_BYTES, 0, 0 };
	unsigned n_members = 1;
	unsigned n = cluster_file_peers(s, peers, &n_members);

	for (unsigned i = 0; i < n && budget_left(s, &b); i++)
		if (peers[i].reachable)
			repair_from(s, peers[i].address, &b);
	if (!budget_left(s, &b) && !cluster_file_sync_stopping(s))
		log_info("repair: this round's budget is spent; the rest follows next round");
}
