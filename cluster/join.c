/* cluster/join.c: join tokens and admission; see join.h. */
#define LOG_MODULE "cluster"
#include "join.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/file.h"
#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/parse.h"
#include "../lib/text.h"
#include "../lib/time.h"

static int random_hex(char *out, size_t n_bytes, struct cr_err *err)
{
	unsigned char b[32];

	if (n_bytes > sizeof(b) || RAND_bytes(b, (int)n_bytes) != 1)
		return cr_err_set(err, CR_EINTERNAL, "no random bytes");
	cr_hex_encode(b, n_bytes, out);
	return 0;
}

static void sha256_hex(const char *s, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	(void)EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	cr_hex_encode(md, n, out);
}

/* ---- tokens ---- */

struct token_row {
	const char *id;
	const char *hash;
	int64_t now_us;
	int64_t expires_us;
};

static int insert_token(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct token_row *t = arg;
	struct storage_value p[4] = { storage_text(t->id), storage_text(t->hash),
				      storage_int(t->now_us), storage_int(t->expires_us) };

	return storage_tx_exec(
	    tx,
	    "INSERT INTO cluster_token (id, secret_sha256, created_us, expires_us) "
	    "VALUES (?, ?, ?, ?)",
	    p, 4, NULL, err);
}

int cluster_token_create(struct storage_store *store, struct cluster *c, const char *files_dir,
			 unsigned ttl_s, char *out, size_t out_len, int64_t *expires_us,
			 struct cr_err *err)
{
	char fp[CLUSTER_TLS_FINGERPRINT_LEN + 8];
	char id[17];
	char secret[33];
	char hash[65];
	struct cluster_status st;
	struct token_row row = { id, hash, cr_wall_us(), 0 };
	size_t off;
	int rc;

	if (ttl_s == 0 || ttl_s > CLUSTER_TOKEN_TTL_MAX)
		return cr_err_set(err, CR_EINVAL, "a token lives 1 to %u seconds",
				  CLUSTER_TOKEN_TTL_MAX);
	rc = cluster_ca_fingerprint(files_dir, fp, sizeof(fp), err);
	if (rc == 0)
		rc = random_hex(id, 8, err);
	if (rc == 0)
		rc = random_hex(secret, 16, err);
	if (rc < 0)
		return rc;
	sha256_hex(secret, hash);
	row.expires_us = row.now_us + (int64_t)ttl_s * 1000000;
	rc = storage_write(store, STORAGE_DB_SYSTEM, NULL, insert_token, &row, err);
	if (rc < 0)
		return rc;
	cluster_status(c, &st);
	off = (size_t)snprintf(out, out_len, "%s/%s/%s/%s/", CLUSTER_TOKEN_PREFIX, fp, id, secret);
	/* Reachable members first: the new node tries them in order. */
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < st.n_nodes && off < out_len; i++)
			if (st.nodes[i].reachable == (pass == 0))
				off += (size_t)snprintf(out + off, out_len - off, "%s%s",
							out[off - 1] == '/' ? "" : ",",
							st.nodes[i].address);
	*expires_us = row.expires_us;
	log_info("join token %s created, valid %u s", id, ttl_s);
	return 0;
}

int cluster_token_parse(const char *text, struct cluster_token *out, struct cr_err *err)
{
	char buf[CLUSTER_TOKEN_MAX + 1];
	char *parts[5];
	char *save = NULL;
	char *p;
	unsigned n = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(text) > CLUSTER_TOKEN_MAX)
		return cr_err_set(err, CR_EINVAL, "the join token is too long");
	(void)snprintf(buf, sizeof(buf), "%s", text);
	for (p = strtok_r(buf, "/", &save); p != NULL && n < 6; p = strtok_r(NULL, "/", &save))
		if (n < 5)
			parts[n++] = p;
		else
			n++;
	if (n != 5 || strcmp(parts[0], CLUSTER_TOKEN_PREFIX) != 0)
		return cr_err_set(err, CR_EINVAL,
				  "this is not a Creek join token (expected %s/...; copy it whole "
				  "from 'creekctl token create')",
				  CLUSTER_TOKEN_PREFIX);
	if (!cr_hex_is_lower(parts[1], CLUSTER_TLS_FINGERPRINT_LEN) ||
	    !cr_hex_is_lower(parts[2], 16) || !cr_hex_is_lower(parts[3], 32))
		return cr_err_set(err, CR_EINVAL, "the join token is damaged (copy it whole)");
	memcpy(out->fingerprint, parts[1], CLUSTER_TLS_FINGERPRINT_LEN);
	memcpy(out->id, parts[2], 16);
	memcpy(out->secret, parts[3], 32);
	save = NULL;
	for (p = strtok_r(parts[4], ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		if (cr_parse_ipv4_port(p, NULL) < 0 || strlen(p) >= CLUSTER_ADDRESS_MAX)
			return cr_err_set(err, CR_EINVAL, "the join token names a bad address '%s'",
					  p);
		if (out->n_addresses < CLUSTER_MAX_NODES)
			(void)snprintf(out->addresses[out->n_addresses++], CLUSTER_ADDRESS_MAX,
				       "%s", p);
	}
	if (out->n_addresses == 0)
		return cr_err_set(err, CR_EINVAL, "the join token names no cluster address");
	return 0;
}

/* ---- admission ---- */

struct redeem {
	const char *token_id;
	const char *hash;
	const char *node_id;
	const char *address;
	unsigned failure_domain;
	int64_t now_us;
	bool undo; /* give the token back (the node could not be added) */
	/* of the certificate just signed: the only one its peers accept */
	char cert_serial[CLUSTER_SERIAL_MAX];
};

static int redeem_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct redeem *r = arg;
	struct storage_value p[5];
	struct storage_rows rows;
	struct storage_result res = { 0 };
	int rc;

	if (r->undo) {
		p[0] = storage_text(r->token_id);
		p[1] = storage_text(r->node_id);
		rc = storage_tx_exec(tx,
				     "UPDATE cluster_token SET used_us = NULL, used_by = NULL "
				     "WHERE id = ? AND used_by = ?",
				     p, 2, NULL, err);
		if (rc == 0)
			rc = storage_tx_exec(tx, "DELETE FROM cluster_node WHERE node_id = ?",
					     p + 1, 1, NULL, err);
		return rc;
	}
	p[0] = storage_text(r->token_id);
	rc = storage_tx_query(
	    tx, "SELECT secret_sha256, expires_us, used_us FROM cluster_token WHERE id = ?", p, 1,
	    &rows, err);
	if (rc < 0) {
		storage_rows_close(&rows);
		return rc;
	}
	if (rows.n_rows != 1 || storage_rows_text(&rows, 0, 0) == NULL ||
	    CRYPTO_memcmp(storage_rows_text(&rows, 0, 0), r->hash, 64) != 0)
		rc = cr_err_set(err, CR_EDENIED, "the join token is not valid for this cluster");
	else if (storage_rows_at(&rows, 0, 2)->type != STORAGE_NULL)
		rc = cr_err_set(err, CR_EDENIED,
				"the join token was already used; create a new one with "
				"'creekctl token create'");
	else if (storage_rows_int(&rows, 0, 1, 0) <= r->now_us)
		rc = cr_err_set(err, CR_EDENIED,
				"the join token has expired; create a new one with 'creekctl "
				"token create'");
	storage_rows_close(&rows);
	if (rc < 0)
		return rc;
	p[0] = storage_int(r->now_us);
	p[1] = storage_text(r->node_id);
	p[2] = storage_text(r->token_id);
	rc = storage_tx_exec(tx,
			     "UPDATE cluster_token SET used_us = ?, used_by = ? WHERE id = ? AND "
			     "used_us IS NULL",
			     p, 3, &res, err);
	if (rc == 0 && res.rows_affected != 1)
		rc = cr_err_set(err, CR_EDENIED, "the join token was already used");
	if (rc < 0)
		return rc;
	p[0] = storage_text(r->node_id);
	p[1] = storage_text(r->address);
	p[2] = storage_int(r->failure_domain);
	p[3] = storage_int(r->now_us);
	p[4] = storage_text(r->cert_serial);
	return storage_tx_exec(
	    tx,
	    "INSERT OR REPLACE INTO cluster_node (node_id, address, failure_domain, "
	    "updated_us, cert_serial) VALUES (?, ?, ?, ?, ?)",
	    p, 5, NULL, err);
}

/* The new node's certificate for the key of its request, signed here
 * (this node holds the CA key), and the CA's certificate. */
static int issue(const char *files_dir, uint64_t id, const char *address, const char *csr_pem,
		 unsigned lifetime_s, struct cluster_admission *out, struct cr_err *err)
{
	char ip[CR_HOST_MAX];
	uint16_t port;
	char name[40];
	int rc;

	if (cr_parse_host_port(address, ip, &port, err) < 0)
		return CR_EINVAL;
	(void)snprintf(name, sizeof(name), "node-%" PRIu64, id);
	rc = cluster_csr_sign(files_dir, csr_pem, name, ip, lifetime_s, &out->node_crt, err);
	if (rc == 0) {
		out->ca_crt = cr_file_read(files_dir, "ca.crt", err);
		if (out->ca_crt == NULL)
			rc = CR_EINTERNAL;
	}
	return rc;
}

/* ADD, retried while the configuration is busy (one change at a time:
 * the leader may be giving another node a role) or leadership moves. */
static int add_node(struct storage_store *store, uint64_t id, const char *address,
		    struct cr_err *err)
{
	struct storage_pool *pool = storage_store_pool(store);
	uint64_t deadline = cr_now_ms() + 20000;
	struct cr_backoff backoff = CR_BACKOFF(50, 500);

	for (;;) {
		struct storage_conn *conn = NULL;
		int rc = storage_pool_acquire(pool, STORAGE_DB_SYSTEM, &conn, err);
		if (rc == 0)
			rc = storage_conn_add(conn, id, address, err);
		if (rc == CR_EUNKNOWN || (rc < 0 && conn != NULL && storage_conn_is_broken(conn))) {
			/* Did it happen? The configuration tells. */
			struct storage_server *servers = NULL;
			unsigned n = 0;
			storage_pool_release(pool, conn);
			conn = NULL;
			if (storage_pool_acquire(pool, STORAGE_DB_SYSTEM, &conn, NULL) == 0 &&
			    storage_conn_cluster(conn, &servers, &n, NULL) == 0)
				for (unsigned i = 0; i < n; i++)
					if (servers[i].id == id)
						rc = 0;
			free(servers);
		}
		storage_pool_release(pool, conn);
		if (rc == 0 || (rc != CR_EUNAVAIL && rc != CR_EUNKNOWN) || cr_now_ms() > deadline)
			return rc;
		cr_backoff_sleep(&backoff);
	}
}

int cluster_admit(struct storage_store *store, struct cluster *c, const char *files_dir,
		  const struct cluster_join_request *jr, struct cluster_admission *out,
		  struct cr_err *err)
{
	const char *address = jr->address;
	char hash[65];
	char node_id[24];
	unsigned char rnd[8];
	struct storage_conn *conn = NULL;
	struct storage_server *servers = NULL;
	struct redeem r = { 0 };
	unsigned n = 0;
	uint64_t id = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!cr_hex_is_lower(jr->token_id, 16) || !cr_hex_is_lower(jr->secret, 32))
		return cr_err_set(err, CR_EDENIED, "the join token is not valid for this cluster");
	if (cr_parse_ipv4_port(address, err) < 0 || strncmp(address, "0.0.0.0:", 8) == 0)
		return cr_err_set(err, CR_EINVAL,
				  "'%s' is not an address other nodes can reach (a.b.c.d:port)",
				  address);
	/* The address must not be a member's already. */
	rc = storage_pool_acquire(storage_store_pool(store), STORAGE_DB_SYSTEM, &conn, err);
	if (rc == 0)
		rc = storage_conn_cluster(conn, &servers, &n, err);
	for (unsigned i = 0; rc == 0 && i < n; i++)
		if (strcmp(servers[i].address, address) == 0)
			rc = cr_err_set(err, CR_ECONFLICT,
					"'%s' belongs to node %" PRIu64
					" of this cluster; remove that "
					"node first ('creekctl cluster remove %" PRIu64 "')",
					address, servers[i].id, servers[i].id);
	if (rc == 0 && n >= CLUSTER_MAX_NODES)
		rc = cr_err_set(err, CR_ETOOBIG,
				"the cluster already has %u nodes, the most Creek supports", n);
	free(servers);
	storage_pool_release(storage_store_pool(store), conn);
	conn = NULL;
	if (rc < 0)
		return rc;
	while (id <= 1) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return cr_err_set(err, CR_EINTERNAL, "no random bytes");
		memcpy(&id, rnd, sizeof(id));
		id &= INT64_MAX; /* ids print the same signed or not */
	}
	(void)snprintf(node_id, sizeof(node_id), "%" PRIu64, id);
	sha256_hex(jr->secret, hash);
	r = (struct redeem){ jr->token_id,       hash,         node_id, address,
			     jr->failure_domain, cr_wall_us(), false,   "" };
	/* Signed before the token is spent: a bad request changes nothing. */
	rc = issue(files_dir, id, address, jr->csr_pem, cluster_cert_lifetime(c), out, err);
	if (rc == 0)
		rc = cluster_cert_serial_pem(out->node_crt, r.cert_serial, err);
	if (rc == 0)
		rc = storage_write(store, STORAGE_DB_SYSTEM, NULL, redeem_job, &r, err);
	if (rc < 0) {
		cluster_admission_free(out);
		return rc;
	}
	rc = add_node(store, id, address, err);
	if (rc < 0) {
		struct cr_err undo_err = { 0 };
		r.undo = true;
		if (storage_write(store, STORAGE_DB_SYSTEM, NULL, redeem_job, &r, &undo_err) < 0)
			log_warn("join token %s could not be given back: %s", jr->token_id,
				 undo_err.msg);
		cluster_admission_free(out);
		return cr_err_wrap(err, "the node could not be added");
	}
	out->id = id;
	{
		struct cluster_status st;
		cluster_status(c, &st);
		for (unsigned i = 0; i < st.n_nodes; i++)
			(void)snprintf(out->addresses[out->n_addresses++], CLUSTER_ADDRESS_MAX,
				       "%s", st.nodes[i].address);
	}
	log_info("node %" PRIu64 " at '%s' admitted with join token %s", id, address, jr->token_id);
	cluster_poke(c);
	return 0;
}

void cluster_admission_free(struct cluster_admission *a)
{
	free(a->ca_crt);
	free(a->node_crt);
	memset(a, 0, sizeof(*a));
}

struct node_row {
	const char *id;
	const char *address;
	unsigned failure_domain;
	int64_t now_us;
	const char *cert_serial;
};

static int node_row_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct node_row *r = arg;
	struct storage_value p[6] = { storage_text(r->id),
				      storage_text(r->address),
				      storage_int(r->failure_domain),
				      storage_text(CREEK_VERSION),
				      storage_int(r->now_us),
				      r->cert_serial[0] != '\0' ? storage_text(r->cert_serial)
								: storage_null() };

	return storage_tx_exec(
	    tx,
	    "INSERT OR REPLACE INTO cluster_node (node_id, address, failure_domain, "
	    "creek_version, updated_us, cert_serial) VALUES (?, ?, ?, ?, ?, ?)",
	    p, 6, NULL, err);
}

int cluster_node_record(struct storage_store *store, uint64_t id, const char *address,
			unsigned failure_domain, const char *cert_serial, struct cr_err *err)
{
	char sid[24];
	struct node_row r = { sid, address, failure_domain, cr_wall_us(), cert_serial };

	(void)snprintf(sid, sizeof(sid), "%" PRIu64, id);
	return storage_write(store, STORAGE_DB_SYSTEM, NULL, node_row_job, &r, err);
}
