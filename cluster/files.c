/* cluster/files.c: <data>/cluster on disk; see cluster.h. */
#define LOG_MODULE "cluster"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/file.h"
#include "../lib/log.h"
#include "../lib/parse.h"
#include "../storage/engine.h"
#include "../storage/socket.h"
#include "cluster.h"
#include "cluster_int.h"
#include "proxy.h"

#define LINE_MAX_LEN 256

bool cluster_file_exists(const char *dir, const char *name)
{
	char path[4200];

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* "id address" lines (members) or "join <id>" + "peer <address>" lines. */
static int read_lines(const char *path, struct cluster_files *out, bool is_join, struct cr_err *err)
{
	char line[LINE_MAX_LEN];
	unsigned lineno = 0;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return errno == ENOENT ? 1
				       : cr_err_set(err, CR_EINVAL, "cannot read '%s': %s", path,
						    strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char a[LINE_MAX_LEN];
		char b[LINE_MAX_LEN];
		uint64_t id = 0;
		lineno++;
		if (sscanf(line, "%255s %255s", a, b) != 2 || strlen(b) >= CLUSTER_ADDRESS_MAX)
			goto bad;
		if (is_join && strcmp(a, "join") == 0) {
			if (cr_parse_u64(b, UINT64_MAX, &id, NULL) < 0 || id <= 1)
				goto bad;
			out->join_id = id;
			continue;
		}
		if (is_join ? strcmp(a, "peer") != 0 : cr_parse_u64(a, UINT64_MAX, &id, NULL) < 0)
			goto bad;
		if (cr_parse_ipv4_port(b, NULL) < 0)
			goto bad;
		if (out->n_addresses < CLUSTER_MAX_NODES) { /* b is shorter: checked above */
			out->ids[out->n_addresses] = is_join ? 0 : id;
			memcpy(out->addresses[out->n_addresses++], b, strlen(b) + 1);
		}
	}
	(void)fclose(f);
	if (is_join && out->join_id == 0)
		return cr_err_set(err, CR_EINVAL, "'%s' names no node id", path);
	return 0;
bad:
	fclose(f);
	return cr_err_set(err, CR_EINVAL, "'%s' line %u is not valid", path, lineno);
}

/* The id and address in <data>/store/node-info (id 0, "" if the store is
 * new). */
static int store_info(const char *data_dir, uint64_t *id, char *address, size_t address_len,
		      struct cr_err *err)
{
	char store[4200];
	int rc;

	(void)snprintf(store, sizeof(store), "%s/store", data_dir);
	rc = storage_engine_read_info(store, id, address, address_len, err);
	return rc == 1 ? 0 : rc;
}

static int create_cluster(const char *dir, const char *address, unsigned lifetime_s,
			  struct cr_err *err)
{
	char ip[CR_HOST_MAX];
	uint16_t port;
	int rc;

	if (cr_parse_host_port(address, ip, &port, err) < 0)
		return CR_EINVAL;
	rc = cluster_ca_create(dir, address, err);
	if (rc == 0)
		rc = cluster_cert_issue(dir, "node-1", ip, dir, lifetime_s, err);
	if (rc == 0)
		log_info("created a new cluster: CA and node certificate in '%s'", dir);
	return rc;
}

/* cluster-address changed: a node alone in its cluster follows it (its
 * store and certificate move to the new address); a member of a larger
 * cluster cannot. */
static int follow_address(const char *data_dir, const char *old, const char *address,
			  unsigned lifetime_s, struct cluster_files *files, struct cr_err *err)
{
	char store[4200];
	char ip[CR_HOST_MAX];
	uint16_t port;
	struct cluster_files known;
	char members[4200];
	int rc;

	if (old[0] == '\0' || strcmp(old, address) == 0)
		return 0;
	memset(&known, 0, sizeof(known));
	(void)snprintf(members, sizeof(members), "%s/members", files->dir);
	if (read_lines(members, &known, false, NULL) == 0 && known.n_addresses > 1)
		return cr_err_set(
		    err, CR_EINVAL,
		    "cluster address changed from '%s' to '%s', but this node is one of "
		    "%u in its cluster; a member keeps its address (remove it, then "
		    "join again)",
		    old, address, known.n_addresses);
	(void)snprintf(store, sizeof(store), "%s/store", data_dir);
	rc = storage_engine_readdress(store, address, err);
	if (rc < 0)
		return rc;
	if (cr_parse_host_port(address, ip, &port, err) < 0)
		return CR_EINVAL;
	rc = cluster_cert_issue(files->dir, "node-1", ip, files->dir, lifetime_s, err);
	if (rc == 0)
		(void)unlink(members);
	return rc;
}

/* A renewal's install stopped between its two renames (cluster/renew.c):
 * node.key is the new key, node.crt.next its certificate. Both .next
 * files: the install had not begun (the certificate is fetched again). */
static int finish_renewal(const char *dir, struct cr_err *err)
{
	char crt_next[4200];
	char crt[4200];
	char key_next[4200];

	(void)snprintf(crt_next, sizeof(crt_next), "%s/node.crt.next", dir);
	(void)snprintf(key_next, sizeof(key_next), "%s/node.key.next", dir);
	(void)snprintf(crt, sizeof(crt), "%s/node.crt", dir);
	if (access(crt_next, F_OK) != 0)
		return 0;
	if (access(key_next, F_OK) == 0) {
		(void)unlink(crt_next);
		return 0;
	}
	if (rename(crt_next, crt) < 0 || cr_file_sync_dir(dir) < 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot rename '%s': %s", crt_next,
				  strerror(errno));
	log_info("finished installing this node's renewed certificate");
	return 0;
}

int cluster_files_prepare(const char *data_dir, const char *address, unsigned lifetime_s,
			  struct cluster_files *out, struct cr_err *err)
{
	char path[4200];
	char stored[160];
	uint64_t store_id = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	(void)snprintf(out->dir, sizeof(out->dir), "%s/cluster", data_dir);
	if (mkdir(out->dir, 0700) < 0 && errno != EEXIST)
		return cr_err_set(err, CR_EINVAL, "cannot create '%s': %s", out->dir,
				  strerror(errno));
	(void)snprintf(path, sizeof(path), "%s/join", out->dir);
	rc = finish_renewal(out->dir, err);
	if (rc == 0)
		rc = read_lines(path, out, true, err);
	if (rc < 0)
		return rc;
	if (rc == 0 && !cluster_file_exists(out->dir, "node.crt"))
		return cr_err_set(err, CR_EINVAL,
				  "a join is pending but '%s' holds no node certificate; run "
				  "'creekctl join' again",
				  out->dir);
	rc = store_info(data_dir, &store_id, stored, sizeof(stored), err);
	if (rc < 0)
		return rc;
	if (!cluster_file_exists(out->dir, "node.crt")) {
		if (store_id > 1)
			return cr_err_set(err, CR_EINVAL,
					  "the store belongs to node %" PRIu64
					  " of a cluster but '%s' holds no certificates",
					  store_id, out->dir);
		if (cluster_file_exists(out->dir, "ca.key"))
			return cr_err_set(err, CR_EINVAL,
					  "'%s' holds a CA but no node certificate; restore it "
					  "from a backup",
					  out->dir);
		rc = create_cluster(out->dir, address, lifetime_s, err);
		if (rc < 0)
			return rc;
	}
	if (out->join_id == 0 && store_id != 0) {
		rc = follow_address(data_dir, stored, address, lifetime_s, out, err);
		if (rc < 0)
			return rc;
	}
	if (out->join_id != 0) {
		if (store_id != 0 && store_id != out->join_id)
			return cr_err_set(err, CR_EINVAL,
					  "a join as node %" PRIu64 " is pending but the store "
					  "belongs to node %" PRIu64,
					  out->join_id, store_id);
		return 0;
	}
	(void)snprintf(path, sizeof(path), "%s/members", out->dir);
	rc = read_lines(path, out, false, err);
	if (rc < 0)
		return rc;
	return 0;
}

int cluster_file_write(const char *dir, const char *name, const char *text, mode_t mode,
		       struct cr_err *err)
{
	char path[4200];

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (cr_file_write_atomic(path, text, strlen(text), mode, err) < 0)
		return cr_err_wrap(err, "'%s'", path);
	return 0;
}

int cluster_files_write_join(const char *cluster_dir, uint64_t id, const char *const *addresses,
			     unsigned n, struct cr_err *err)
{
	char text[CLUSTER_MAX_NODES * (CLUSTER_ADDRESS_MAX + 8) + 64];
	size_t off;

	off = (size_t)snprintf(text, sizeof(text), "join %" PRIu64 "\n", id);
	for (unsigned i = 0; i < n && i < CLUSTER_MAX_NODES; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "peer %s\n", addresses[i]);
	return cluster_file_write(cluster_dir, "join", text, 0600, err);
}

int cluster_files_write_members(const char *cluster_dir, const struct cluster_status *st,
				struct cr_err *err)
{
	char text[CLUSTER_MAX_NODES * (CLUSTER_ADDRESS_MAX + 24) + 8];
	size_t off = 0;

	text[0] = '\0';
	for (unsigned i = 0; i < st->n_nodes; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%" PRIu64 " %s\n",
					st->nodes[i].id, st->nodes[i].address);
	return cluster_file_write(cluster_dir, "members", text, 0600, err);
}

int cluster_dialer_dial(void *arg, const char *address, unsigned timeout_ms, int *fd_out,
			struct cr_err *err)
{
	struct cluster_dialer *d = arg;

	if (d->tls == NULL) /* cluster TLS off: plain TCP (loopback only) */
		return storage_socket_connect(address, timeout_ms, fd_out, err);
	if (strcmp(address, d->self_address) == 0)
		return storage_socket_connect(d->local_address, timeout_ms, fd_out, err);
	return cluster_dial(d->tls, address, timeout_ms, fd_out, err);
}
