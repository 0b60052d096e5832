/* cluster/file_sync.c: copying files between the members' stores: the
 * push after an upload, the fetch on a miss, and the repair thread's
 * schedule; see file_sync.h. The repair round itself is file_repair.c. */
#define LOG_MODULE "cluster"
#include "file_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/time.h"
#include "cluster_int.h"
#include "forward.h"

#define BASE_TIMEOUT_MS        10000 /* one exchange with a peer, plus the transfer: */
#define MIN_BYTES_PER_MS       10000 /* a link slower than 10 MB/s times out */
#define LOCATE_TIMEOUT_MS      3000
#define UNREACHABLE_TIMEOUT_MS 2000
#define DEFAULT_REPAIR_MS      300000
#define FIRST_REPAIR_MAX_MS    5000
#define PATH_LEN               160

static unsigned transfer_timeout_ms(size_t len)
{
	return BASE_TIMEOUT_MS + (unsigned)(len / MIN_BYTES_PER_MS);
}

static void file_path(char out[PATH_LEN], const char *ws, const char *sha)
{
	(void)snprintf(out, PATH_LEN, "/api/v1/cluster/files/%s/%s", ws, sha);
}

unsigned cluster_file_peers(struct cluster_file_sync *s, struct cluster_file_peer *out,
			    unsigned *n_members)
{
	struct cluster_status st;
	unsigned n = 0;

	cluster_status(s->cluster, &st);
	*n_members = st.n_nodes > 0 ? st.n_nodes : 1;
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < st.n_nodes && n < CLUSTER_MAX_NODES; i++) {
			const struct cluster_node_status *m = &st.nodes[i];
			if (m->id == st.self_id || m->address[0] == '\0' ||
			    m->reachable != (pass == 0))
				continue;
			(void)snprintf(out[n].address, sizeof(out[n].address), "%s", m->address);
			out[n].reachable = m->reachable;
			n++;
		}
	}
	return n;
}

bool cluster_file_sync_stopping(struct cluster_file_sync *s)
{
	return __atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE);
}

bool cluster_file_sync_keep_waiting(void *s)
{
	return !cluster_file_sync_stopping(s);
}

/* ---- push ---- */

struct push {
	struct cluster_file_sync *s;
	const char *address;
	const char *path;
	const void *data;
	size_t len;
	pthread_t thread;
	bool is_started;
	bool is_copied;
};

static void *push_main(void *arg)
{
	struct push *p = arg;
	struct cluster_http_request r = {
		.method = "PUT",
		.address = p->address,
		.path = p->path,
		.headers = { "Content-Type: application/octet-stream" },
		.n_headers = 1,
		.body = p->data,
		.body_len = p->len,
		.timeout_ms = transfer_timeout_ms(p->len),
	};
	struct cluster_http_response resp;
	struct cr_err err = { 0 };
	int rc = cluster_http(p->s->forwarder, &r, &resp, &err);

	p->is_copied = rc == 0 && resp.status >= 200 && resp.status < 300;
	if (!p->is_copied)
		log_warn("file '%s' not copied to '%s' (%s); the repair will", p->path, p->address,
			 rc < 0 ? err.msg : "it refused");
	cr_buf_close(&resp.body);
	return NULL;
}

int cluster_file_sync_push(struct cluster_file_sync *s, const char *ws, const char *sha,
			   const void *data, size_t len, struct cr_err *err)
{
	struct cluster_file_peer peers[CLUSTER_MAX_NODES];
	struct push pushes[CLUSTER_MAX_NODES];
	char path[PATH_LEN];
	unsigned n_members = 1;
	unsigned n = cluster_file_peers(s, peers, &n_members);
	unsigned copies = 1; /* this node's */
	unsigned need = n_members < CLUSTER_FILE_MIN_COPIES ? n_members : CLUSTER_FILE_MIN_COPIES;

	file_path(path, ws, sha);
	memset(pushes, 0, sizeof(pushes));
	/* Every reachable member at once: the upload waits for the slowest. */
	for (unsigned i = 0; i < n; i++) {
		struct push *p = &pushes[i];
		*p = (struct push){
			.s = s, .address = peers[i].address, .path = path, .data = data, .len = len
		};
		if (!peers[i].reachable)
			continue;
		p->is_started = pthread_create(&p->thread, NULL, push_main, p) == 0;
		if (!p->is_started)
			(void)push_main(p);
	}
	for (unsigned i = 0; i < n; i++) {
		if (pushes[i].is_started)
			pthread_join(pushes[i].thread, NULL);
		copies += pushes[i].is_copied;
	}
	if (copies < need)
		return cr_err_set(err, CR_EUNAVAIL,
				  "the file reached %u of the %u nodes it must be on; retry",
				  copies, need);
	return (int)copies;
}

/* ---- fetch ---- */

int cluster_file_get_from(struct cluster_file_sync *s, const char *address, const char *ws,
			  const char *sha, struct cr_buf *out, struct cr_err *err)
{
	char path[PATH_LEN];
	struct cluster_http_request r = {
		.method = "GET",
		.address = address,
		.path = path,
		.timeout_ms = transfer_timeout_ms(s->cfg.max_file),
		.keep_waiting = cluster_file_sync_keep_waiting,
		.keep_waiting_arg = s,
	};
	struct cluster_http_response resp;
	int rc;

	file_path(path, ws, sha);
	rc = cluster_http(s->forwarder, &r, &resp, err);
	if (rc == 0 && resp.status == 404)
		rc = cr_err_set(err, CR_ENOTFOUND, "node '%s' has no file %s", address, sha);
	else if (rc == 0 && resp.status != 200)
		rc = cr_err_set(err, CR_EUNAVAIL, "node '%s' answered %ld for file %s", address,
				resp.status, sha);
	else if (rc == CR_ETOOBIG)
		rc = cr_err_set(err, CR_ETOOBIG, "file %s on '%s' is larger than %zu bytes", sha,
				address, s->cfg.max_file);
	if (rc == 0)
		rc = storage_files_put_checked(s->files, ws, sha, resp.body.data, resp.body.len,
					       err);
	if (rc == 0 && out != NULL) {
		*out = resp.body; /* the caller's now */
		return 0;
	}
	cr_buf_close(&resp.body);
	return rc;
}

int cluster_file_sync_fetch(struct cluster_file_sync *s, const char *ws, const char *sha,
			    struct cr_buf *out, struct cr_err *err)
{
	struct cluster_file_peer peers[CLUSTER_MAX_NODES];
	unsigned n_members = 1;
	unsigned n = cluster_file_peers(s, peers, &n_members);
	int worst = CR_ENOTFOUND;

	if (!storage_files_workspace_valid(ws) || !storage_files_sha256_valid(sha))
		return cr_err_set(err, CR_EINVAL, "not a file name");
	for (unsigned i = 0; i < n; i++) {
		struct cr_err e = { 0 };
		int rc = cluster_file_get_from(s, peers[i].address, ws, sha, out, &e);
		if (rc == 0) {
			log_info("fetched file %s of '%s' from '%s'", sha, ws, peers[i].address);
			return 0;
		}
		if (rc == CR_ETOOBIG || rc == CR_EINTERNAL)
			return cr_err_set(err, rc, "%s", e.msg);
		if (rc != CR_ENOTFOUND) {
			log_warn("cannot fetch file %s of '%s' from '%s': %s", sha, ws,
				 peers[i].address, e.msg);
			worst = CR_EUNAVAIL;
		}
	}
	if (worst == CR_EUNAVAIL)
		return cr_err_set(err, CR_EUNAVAIL,
				  "file %s is not on this node and a node that may have it did "
				  "not answer; retry",
				  sha);
	return cr_err_set(err, CR_ENOTFOUND, "no file %s", sha);
}

bool cluster_file_sync_located(struct cluster_file_sync *s, const char *ws, const char *sha)
{
	struct cluster_file_peer peers[CLUSTER_MAX_NODES];
	char path[PATH_LEN];
	unsigned n_members = 1;
	unsigned n = cluster_file_peers(s, peers, &n_members);

	if (!storage_files_workspace_valid(ws) || !storage_files_sha256_valid(sha))
		return false;
	file_path(path, ws, sha);
	for (unsigned i = 0; i < n; i++) {
		struct cluster_http_request r = {
			.method = "HEAD",
			.address = peers[i].address,
			.path = path,
			.timeout_ms =
			    peers[i].reachable ? LOCATE_TIMEOUT_MS : UNREACHABLE_TIMEOUT_MS,
		};
		struct cluster_http_response resp;
		int rc = cluster_http(s->forwarder, &r, &resp, NULL);
		bool found = rc == 0 && resp.status == 200;
		cr_buf_close(&resp.body);
		if (found)
			return true;
	}
	return false;
}

/* ---- the repair thread ---- */

static void *repair_main(void *arg)
{
	struct cluster_file_sync *s = arg;
	unsigned wait_ms = s->cfg.first_repair_ms;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		uint64_t until = cr_now_ms() + wait_ms;
		while (!s->stopping && !s->poked && cr_now_ms() < until)
			cr_cond_wait_ms(&s->wake, &s->lock, (unsigned)(until - cr_now_ms()));
		if (s->stopping)
			break;
		s->poked = false;
		pthread_mutex_unlock(&s->lock);
		cluster_file_repair_round(s);
		pthread_mutex_lock(&s->lock);
		wait_ms = s->cfg.repair_interval_ms;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int cluster_file_sync_start(const struct cluster_file_sync_config *cfg, struct cluster *c,
			    struct cluster_tls *tls, struct storage_files *files,
			    struct cluster_file_sync **out, struct cr_err *err)
{
	struct cluster_file_sync *s = cr_calloc(1, sizeof(*s));
	int rc;

	s->cfg = *cfg;
	if (s->cfg.repair_interval_ms == 0)
		s->cfg.repair_interval_ms = DEFAULT_REPAIR_MS;
	if (s->cfg.first_repair_ms == 0)
		s->cfg.first_repair_ms = s->cfg.repair_interval_ms < FIRST_REPAIR_MAX_MS
					     ? s->cfg.repair_interval_ms
					     : FIRST_REPAIR_MAX_MS;
	s->cluster = c;
	s->files = files;
	rc = cluster_forwarder_new(tls, s->cfg.max_file + CLUSTER_FILE_LIST_SLACK, 0, &s->forwarder,
				   err);
	if (rc < 0)
		goto err_after_alloc;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, repair_main, s) != 0) {
		rc = cr_err_set(err, CR_EINTERNAL, "cannot start the file repair thread");
		goto err_after_forwarder;
	}
	*out = s;
	return 0;
err_after_forwarder:
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	cluster_forwarder_free(s->forwarder);
err_after_alloc:
	free(s);
	return rc;
}

void cluster_file_sync_poke(struct cluster_file_sync *s)
{
	pthread_mutex_lock(&s->lock);
	s->poked = true;
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void cluster_file_sync_stop(struct cluster_file_sync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	__atomic_store_n(&s->stopping, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	cluster_forwarder_free(s->forwarder);
	free(s);
}
