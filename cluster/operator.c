/* cluster/operator.c: operator tokens registered and checked; see
 * operator.h. */
#include "operator.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "../lib/parse.h"
#include "../lib/text.h"
#include "../lib/time.h"

#define KEY_PREFIX "operator-token-sha256:"

static void sha256_hex(const char *s, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	(void)EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	cr_hex_encode(md, n, out);
}

struct registration {
	const char *key;
	const char *hash;
	int64_t now_us;
};

static int register_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct registration *r = arg;
	struct storage_value p[3] = { storage_text(r->key), storage_text(r->hash),
				      storage_int(r->now_us) };

	return storage_tx_exec(
	    tx, "INSERT OR REPLACE INTO setting (key, value, updated_us) VALUES (?, ?, ?)", p, 3,
	    NULL, err);
}

int cluster_operator_register(struct storage_store *store, uint64_t node_id, const char *token,
			      struct cr_err *err)
{
	char key[64];
	char hash[65];
	struct registration r = { key, hash, cr_wall_us() };

	if (strlen(token) > CLUSTER_OPERATOR_TOKEN_MAX)
		return cr_err_set(err, CR_EINVAL, "the operator token is too long");
	(void)snprintf(key, sizeof(key), KEY_PREFIX "%" PRIu64, node_id);
	sha256_hex(token, hash);
	return storage_write(store, STORAGE_DB_SYSTEM, NULL, register_job, &r, err);
}

static bool is_member(struct cluster *c, uint64_t id)
{
	struct cluster_status st;

	cluster_status(c, &st);
	for (unsigned i = 0; i < st.n_nodes; i++)
		if (st.nodes[i].id == id)
			return true;
	return false;
}

int cluster_operator_check(struct storage_store *store, struct cluster *c, const char *token,
			   uint64_t *node_id, struct cr_err *err)
{
	char hash[65];
	struct storage_value p[2];
	struct storage_rows rows;
	uint64_t id = 0;
	int rc;

	if (token == NULL || token[0] == '\0' || strlen(token) > CLUSTER_OPERATOR_TOKEN_MAX)
		return cr_err_set(err, CR_EDENIED, "no operator token");
	sha256_hex(token, hash);
	/* The hash of a long random token: comparing it in SQL leaks nothing
	 * that helps to find the token. */
	p[0] = storage_text(KEY_PREFIX "%");
	p[1] = storage_text(hash);
	rc = storage_query(store, STORAGE_DB_SYSTEM,
			   "SELECT key FROM setting WHERE key LIKE ? AND value = ?", p, 2, &rows,
			   err);
	if (rc == 0 && rows.n_rows == 1 && storage_rows_text(&rows, 0, 0) != NULL &&
	    cr_parse_u64(storage_rows_text(&rows, 0, 0) + strlen(KEY_PREFIX), UINT64_MAX, &id,
			 NULL) == 0 &&
	    is_member(c, id))
		*node_id = id;
	else if (rc == 0)
		rc = cr_err_set(err, CR_EDENIED, "not the token of a member's operator");
	storage_rows_close(&rows);
	return rc;
}
