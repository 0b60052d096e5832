/* cluster/renew.c: short-lived node certificates, renewed through the
 * store; see cluster_int.h (struct cluster_renewal).
 *
 * A node whose certificate has a third of its life left makes a new key
 * (node.key.next, 0600, never sent) and a request for it (node.csr.next),
 * and records the request in cluster_cert_renewal. The node that holds the
 * CA's key signs each pending request of a member for the node and address
 * the cluster_node table names (the request gives its key only), stores
 * the certificate beside it and records its serial as the member's
 * next_serial, which peers then accept beside the current one. The
 * requester installs it:
 *
 *   1. cert_serial := new, next_serial := old   (peers accept both)
 *   2. node.crt.next written, node.key.next renamed over node.key, then
 *      node.crt.next over node.crt (a crash between the two renames is
 *      finished at the next start: cluster_files_prepare())
 *   3. the TLS contexts reloaded: new connections show the new certificate
 *   4. next_serial := NULL, the request deleted: the old certificate is
 *      refused from now on, and peers cut its connections at their next
 *      round (the proxy)
 *
 * A crash anywhere leaves a state that a start and the next steps finish:
 * peers accept whatever node.crt holds at every point. */
#define LOG_MODULE "cluster"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/file.h"
#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/parse.h"
#include "../lib/time.h"
#include "cluster_int.h"
#include "tls.h"

#define WARN_GAP_MS 3600000u /* between warnings that no one signs */

static void path_in(const struct cluster_renewal *r, const char *name, char *out, size_t len)
{
	(void)snprintf(out, len, "%s/%s", r->files_dir, name);
}

static void remove_file(const struct cluster_renewal *r, const char *name)
{
	char path[4200];

	path_in(r, name, path, sizeof(path));
	(void)unlink(path);
}

/* ---- the signer: the node that holds the CA's key ---- */

struct signed_cert {
	const char *node_id;
	const char *csr;
	const char *crt;
	const char *serial;
};

static int store_signed(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct signed_cert *s = arg;
	struct storage_value p[4] = { storage_text(s->crt), storage_int(cr_wall_us()),
				      storage_text(s->node_id), storage_text(s->csr) };
	struct storage_result res = { 0 };
	int rc = storage_tx_exec(tx,
				 "UPDATE cluster_cert_renewal SET crt = ?, signed_us = ? "
				 "WHERE node_id = ? AND csr = ? AND crt IS NULL",
				 p, 4, &res, err);

	if (rc < 0 || res.rows_affected != 1)
		return rc;
	p[0] = storage_text(s->serial);
	p[1] = storage_text(s->node_id);
	return storage_tx_exec(tx, "UPDATE cluster_node SET next_serial = ? WHERE node_id = ?", p,
			       2, NULL, err);
}

static int drop_request(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct storage_value p = storage_text(arg);

	return storage_tx_exec(tx, "DELETE FROM cluster_cert_renewal WHERE node_id = ?", &p, 1,
			       NULL, err);
}

/* Sign one member's request; a request that cannot be signed is dropped
 * (its node asks again with a new one). */
static void sign_one(struct cluster_renewal *r, const char *node_id, const char *csr,
		     const char *address)
{
	char ip[CR_HOST_MAX];
	char name[40];
	char serial[CLUSTER_SERIAL_MAX];
	uint16_t port = 0;
	char *crt = NULL;
	struct cr_err err = { 0 };
	int rc;

	(void)snprintf(name, sizeof(name), "node-%s", node_id);
	rc = cr_parse_host_port(address, ip, &port, &err);
	if (rc == 0)
		rc = cluster_csr_sign(r->files_dir, csr, name, ip, r->lifetime_s, &crt, &err);
	if (rc == 0)
		rc = cluster_cert_serial_pem(crt, serial, &err);
	if (rc == 0) {
		struct signed_cert s = { node_id, csr, crt, serial };
		rc = storage_write(r->store, STORAGE_DB_SYSTEM, NULL, store_signed, &s, &err);
		if (rc == 0)
			log_info("signed the renewed certificate of node %s (serial %s)", node_id,
				 serial);
		else
			log_warn("cannot store the renewed certificate of node %s: %s", node_id,
				 err.msg);
	} else {
		log_warn("refused the certificate renewal of node %s: %s", node_id, err.msg);
		(void)storage_write(r->store, STORAGE_DB_SYSTEM, NULL, drop_request,
				    (void *)node_id, NULL);
	}
	free(crt);
}

static void sign_requests(struct cluster_renewal *r)
{
	struct storage_rows rows;
	struct cr_err err = { 0 };
	int rc = storage_query(r->store, STORAGE_DB_SYSTEM,
			       "SELECT q.node_id, q.csr, n.address FROM cluster_cert_renewal q "
			       "JOIN cluster_node n ON n.node_id = q.node_id WHERE q.crt IS NULL",
			       NULL, 0, &rows, &err);

	for (size_t i = 0; rc == 0 && i < rows.n_rows; i++) {
		const char *id = storage_rows_text(&rows, i, 0);
		const char *csr = storage_rows_text(&rows, i, 1);
		const char *address = storage_rows_text(&rows, i, 2);
		if (id != NULL && csr != NULL && address != NULL)
			sign_one(r, id, csr, address);
	}
	storage_rows_close(&rows);
}

/* ---- the requester: every node, for itself ---- */

struct serials_row {
	const char *node_id;
	const char *serial;
	const char *next_serial; /* NULL: none */
	bool drop_request;
};

static int set_serials(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct serials_row *s = arg;
	struct storage_value p[3] = { storage_text(s->serial),
				      s->next_serial != NULL ? storage_text(s->next_serial)
							     : storage_null(),
				      storage_text(s->node_id) };
	int rc = storage_tx_exec(
	    tx, "UPDATE cluster_node SET cert_serial = ?, next_serial = ? WHERE node_id = ?", p, 3,
	    NULL, err);

	if (rc == 0 && s->drop_request)
		rc = storage_tx_exec(tx, "DELETE FROM cluster_cert_renewal WHERE node_id = ?",
				     p + 2, 1, NULL, err);
	return rc;
}

struct request_row {
	const char *node_id;
	const char *csr;
};

static int insert_request(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct request_row *q = arg;
	struct storage_value p[3] = { storage_text(q->node_id), storage_text(q->csr),
				      storage_int(cr_wall_us()) };

	return storage_tx_exec(tx,
			       "INSERT OR REPLACE INTO cluster_cert_renewal (node_id, csr, "
			       "requested_us) VALUES (?, ?, ?)",
			       p, 3, NULL, err);
}

/* A new key and request, kept beside the certificate, and the request
 * recorded for the signer. */
static int request(struct cluster_renewal *r, const char *node_id, int64_t not_after_s,
		   struct cr_err *err)
{
	char *key = NULL;
	char *csr = NULL;
	int rc = cluster_csr_new(&key, &csr, err);

	if (rc == 0)
		rc = cluster_file_write(r->files_dir, "node.csr.next", csr, 0600, err);
	if (rc == 0)
		rc = cluster_file_write(r->files_dir, "node.key.next", key, 0600, err);
	if (rc == 0) {
		struct request_row q = { node_id, csr };
		rc = storage_write(r->store, STORAGE_DB_SYSTEM, NULL, insert_request, &q, err);
	}
	if (rc == 0) {
		char at[40];
		cr_format_utc(not_after_s * 1000000, at, sizeof(at));
		log_info("this node's cluster certificate expires at %s: requested a new one", at);
	}
	if (key != NULL)
		memset(key, 0, strlen(key));
	free(key);
	free(csr);
	return rc;
}

/* Steps 1 to 4 of the file's comment for crt, signed for node.key.next. */
static int install(struct cluster_renewal *r, const char *node_id, const char *crt,
		   struct cr_err *err)
{
	char serial[CLUSTER_SERIAL_MAX];
	char old[CLUSTER_SERIAL_MAX];
	char from[4200];
	char to[4200];
	struct serials_row s = { node_id, serial, old, false };
	int rc = cluster_cert_serial_pem(crt, serial, err);

	(void)snprintf(old, sizeof(old), "%s", r->serial);
	if (rc == 0)
		rc = storage_write(r->store, STORAGE_DB_SYSTEM, NULL, set_serials, &s, err);
	if (rc == 0)
		rc = cluster_file_write(r->files_dir, "node.crt.next", crt, 0644, err);
	if (rc < 0)
		return rc;
	path_in(r, "node.key.next", from, sizeof(from));
	path_in(r, "node.key", to, sizeof(to));
	if (rename(from, to) < 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot rename '%s': %s", from,
				  strerror(errno));
	path_in(r, "node.crt.next", from, sizeof(from));
	path_in(r, "node.crt", to, sizeof(to));
	if (rename(from, to) < 0 || cr_file_sync_dir(r->files_dir) < 0)
		return cr_err_set(err, CR_EINTERNAL, "cannot rename '%s': %s", from,
				  strerror(errno));
	remove_file(r, "node.csr.next");
	rc = cluster_tls_reload(r->tls, r->files_dir, err);
	if (rc < 0)
		return cr_err_wrap(err, "the renewed certificate is installed but not loaded "
					"(restart the node)");
	(void)snprintf(r->serial, sizeof(r->serial), "%s", serial);
	(void)snprintf(r->next_serial, sizeof(r->next_serial), "%s", old);
	s.next_serial = NULL;
	s.drop_request = true;
	rc = storage_write(r->store, STORAGE_DB_SYSTEM, NULL, set_serials, &s, err);
	if (rc == 0) {
		r->next_serial[0] = '\0';
		log_info("renewed this node's cluster certificate: serial %s replaces %s", serial,
			 old);
	}
	return rc;
}

/* This node's renewal: request, wait, install. Whether its serials
 * changed. */
static bool renew_self(struct cluster_renewal *r)
{
	char node_id[24];
	char *crt = NULL;
	char *key = NULL;
	char *csr = NULL;
	int64_t not_before = 0;
	int64_t not_after = 0;
	int64_t now = (int64_t)time(NULL);
	struct storage_rows rows;
	struct storage_value p;
	struct cr_err err = { 0 };
	char before[CLUSTER_SERIAL_MAX * 2 + 1];
	bool changed = false;
	bool is_pending = false;
	int rc;

	(void)snprintf(before, sizeof(before), "%s %s", r->serial, r->next_serial);
	(void)snprintf(node_id, sizeof(node_id), "%" PRIu64, r->self_id);
	crt = cr_file_read(r->files_dir, "node.crt", &err);
	if (crt == NULL || cluster_cert_times_pem(crt, &not_before, &not_after, &err) < 0) {
		log_warn("cannot read this node's certificate: %s", err.msg);
		free(crt);
		return false;
	}
	free(crt);
	crt = NULL;
	if (!cluster_file_exists(r->files_dir, "node.key.next")) {
		if (now >= not_after - (not_after - not_before) / 3 &&
		    request(r, node_id, not_after, &err) < 0)
			log_warn("cannot request a new cluster certificate: %s", err.msg);
		return false;
	}
	p = storage_text(node_id);
	rc = storage_query(r->store, STORAGE_DB_SYSTEM,
			   "SELECT crt FROM cluster_cert_renewal WHERE node_id = ?", &p, 1, &rows,
			   &err);
	if (rc < 0) {
		storage_rows_close(&rows);
		return false;
	}
	is_pending = rows.n_rows > 0;
	if (rows.n_rows == 1 && storage_rows_text(&rows, 0, 0) != NULL)
		crt = cr_strdup(storage_rows_text(&rows, 0, 0));
	else if (!is_pending)
		csr = cr_file_read(r->files_dir, "node.csr.next", NULL);
	storage_rows_close(&rows);
	key = crt != NULL ? cr_file_read(r->files_dir, "node.key.next", NULL) : NULL;
	if (crt != NULL && (key == NULL || !cluster_cert_matches_key(crt, key))) {
		log_warn("the renewed certificate is not for this node's new key: asking again");
		remove_file(r, "node.key.next");
		(void)storage_write(r->store, STORAGE_DB_SYSTEM, NULL, drop_request, node_id, NULL);
	} else if (crt != NULL) {
		if (install(r, node_id, crt, &err) < 0)
			log_warn("cannot install the renewed cluster certificate: %s", err.msg);
	} else if (!is_pending) {
		/* The request was dropped, or never stored: ask again. */
		struct request_row q = { node_id, csr };
		if (csr == NULL)
			remove_file(r, "node.key.next");
		else if (storage_write(r->store, STORAGE_DB_SYSTEM, NULL, insert_request, &q,
				       &err) < 0)
			log_warn("cannot request a new cluster certificate: %s", err.msg);
	} else if (now >= not_after - (not_after - not_before) / 6 &&
		   (r->warned_ms == 0 || cr_now_ms() - r->warned_ms >= WARN_GAP_MS)) {
		r->warned_ms = cr_now_ms();
		log_warn("this node's cluster certificate expires soon and no node holding the "
			 "cluster CA's key has signed its renewal: start the node where the "
			 "cluster was created, or install the CA key from its backup there");
	}
	if (key != NULL)
		memset(key, 0, strlen(key));
	free(key);
	free(crt);
	free(csr);
	{
		char after[sizeof(before)];
		(void)snprintf(after, sizeof(after), "%s %s", r->serial, r->next_serial);
		changed = strcmp(before, after) != 0;
	}
	return changed;
}

bool cluster_renew_step(struct cluster_renewal *r)
{
	if (r->tls == NULL)
		return false; /* cluster TLS off */
	if (cluster_ca_can_sign(r->files_dir))
		sign_requests(r);
	return renew_self(r);
}
