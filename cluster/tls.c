/* cluster/tls.c: certificates and TLS contexts with OpenSSL 3; see tls.h. */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/file.h"
#include "../lib/mem.h"
#include "../lib/parse.h"
#include "../lib/text.h"

#define CA_DAYS    3650
#define HTTPS_DAYS 1825
#define SKEW_MAX_S 300 /* notBefore this far back, for clocks that differ */

/* The contexts (replaced whole by a reload: an SSL made before keeps the
 * one it was made with) and the members whose certificate may have
 * expired (see accept_expired()), under lock. */
struct cluster_tls {
	pthread_mutex_t lock;
	SSL_CTX *server;
	SSL_CTX *client;
	unsigned n_peers;
	struct cluster_peer peers[CLUSTER_TLS_MAX_PEERS];
};

static int ssl_fail(struct cr_err *err, const char *what)
{
	char detail[160];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, detail, sizeof(detail));
	ERR_clear_error();
	return cr_err_set(err, CR_EINTERNAL, "%s: %s", what, e != 0 ? detail : "unknown error");
}

static void path_join(char *out, size_t len, const char *dir, const char *name)
{
	(void)snprintf(out, len, "%s/%s", dir, name);
}

static EVP_PKEY *new_key(void)
{
	return EVP_EC_gen("P-256");
}

/* Write a PEM file atomically with the given mode. */
static int write_pem(const char *dir, const char *name, mode_t mode, X509 *cert, EVP_PKEY *key,
		     struct cr_err *err)
{
	char path[4096];
	BIO *mem = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long len;
	int ok;
	int rc;

	if (mem == NULL)
		return ssl_fail(err, "cannot encode a PEM file");
	ok = cert != NULL ? PEM_write_bio_X509(mem, cert)
			  : PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL);
	len = BIO_get_mem_data(mem, &pem);
	if (!ok || len <= 0) {
		BIO_free(mem);
		return ssl_fail(err, "cannot encode a PEM file");
	}
	path_join(path, sizeof(path), dir, name);
	rc = cr_file_write_atomic(path, pem, (size_t)len, mode, err);
	BIO_free(mem);
	if (rc < 0)
		return cr_err_wrap(err, "'%s'", path);
	return 0;
}

/* Open dir/name for reading; NULL with err filled if it cannot. */
static FILE *open_pem(const char *dir, const char *name, char *path, size_t path_len,
		      struct cr_err *err)
{
	FILE *f;

	path_join(path, path_len, dir, name);
	f = fopen(path, "re");
	if (f == NULL)
		cr_err_set(err, CR_EINVAL, "cannot read '%s': %s", path, strerror(errno));
	return f;
}

static X509 *read_cert(const char *dir, const char *name, struct cr_err *err)
{
	char path[4096];
	FILE *f = open_pem(dir, name, path, sizeof(path), err);
	X509 *cert = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f != NULL)
		(void)fclose(f);
	if (f != NULL && cert == NULL)
		cr_err_set(err, CR_EINVAL, "'%s' is not a PEM certificate", path);
	return cert;
}

static EVP_PKEY *read_key(const char *dir, const char *name, struct cr_err *err)
{
	char path[4096];
	FILE *f = open_pem(dir, name, path, sizeof(path), err);
	EVP_PKEY *key = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;

	if (f != NULL)
		(void)fclose(f);
	if (f != NULL && key == NULL)
		cr_err_set(err, CR_EINVAL, "'%s' is not a PEM private key", path);
	return key;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for key, named cn, valid for lifetime_s from now (and a
 * little before, for clocks that differ), with a random serial. */
static X509 *new_cert(EVP_PKEY *key, const char *cn, long lifetime_s)
{
	long skew = lifetime_s / 4 < SKEW_MAX_S ? lifetime_s / 4 : SKEW_MAX_S;
	X509 *cert = X509_new();
	ASN1_INTEGER *serial = X509_get_serialNumber(cert);
	BIGNUM *bn = BN_new();

	if (cert == NULL || bn == NULL || !BN_rand(bn, 120, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    BN_to_ASN1_INTEGER(bn, serial) == NULL || !X509_set_version(cert, 2) ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), -skew) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(cert), lifetime_s) == NULL ||
	    !X509_set_pubkey(cert, key) ||
	    !X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0)) {
		BN_free(bn);
		X509_free(cert);
		return NULL;
	}
	BN_free(bn);
	return cert;
}

int cluster_ca_create(const char *dir, const char *cluster_name, struct cr_err *err)
{
	char path[4096];
	char cn[128];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int rc;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cr_err_set(err, CR_EINVAL, "cannot create '%s': %s", dir, strerror(errno));
	path_join(path, sizeof(path), dir, "ca.key");
	if (access(path, F_OK) == 0)
		return cr_err_set(err, CR_ECONFLICT, "'%s' already holds a cluster CA", dir);
	(void)snprintf(cn, sizeof(cn), "Creek cluster CA %s", cluster_name);
	key = new_key();
	cert = key != NULL ? new_cert(key, cn, CA_DAYS * 86400L) : NULL;
	if (cert == NULL || !X509_set_issuer_name(cert, X509_get_subject_name(cert)) ||
	    !add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
	    !add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    !add_ext(cert, cert, NID_subject_key_identifier, "hash") ||
	    !X509_sign(cert, key, EVP_sha256())) {
		rc = ssl_fail(err, "cannot make the cluster CA");
		goto out;
	}
	rc = write_pem(dir, "ca.key", 0600, NULL, key, err);
	if (rc == 0)
		rc = write_pem(dir, "ca.crt", 0644, cert, NULL, err);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* A node certificate for key, named node_name, for ip, signed by the CA.
 * The CA sets every field: nothing of a request but its key is kept. */
static X509 *sign_node(X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *key, const char *node_name,
		       const char *ip, unsigned lifetime_s)
{
	char san[96];
	X509 *cert = new_cert(key, node_name, (long)lifetime_s);

	(void)snprintf(san, sizeof(san), "IP:%s", ip);
	if (cert == NULL || !X509_set_issuer_name(cert, X509_get_subject_name(ca)) ||
	    !add_ext(cert, ca, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(cert, ca, NID_key_usage, "critical,digitalSignature,keyAgreement") ||
	    !add_ext(cert, ca, NID_ext_key_usage, "serverAuth,clientAuth") ||
	    !add_ext(cert, ca, NID_subject_alt_name, san) ||
	    !X509_sign(cert, ca_key, EVP_sha256())) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static int check_ip(const char *ip, struct cr_err *err)
{
	if (strlen(ip) > 64 || strchr(ip, ',') != NULL)
		return cr_err_set(err, CR_EINVAL, "'%s' is not an IP address", ip);
	return 0;
}

/* The CA's certificate and key from ca_dir; CR_EUNAVAIL without the key. */
static int read_ca(const char *ca_dir, X509 **ca, EVP_PKEY **ca_key, struct cr_err *err)
{
	if (!cluster_ca_can_sign(ca_dir))
		return cr_err_set(err, CR_EUNAVAIL,
				  "this node does not hold the cluster CA's key; only the node "
				  "where the cluster was created signs certificates");
	*ca = read_cert(ca_dir, "ca.crt", err);
	*ca_key = *ca != NULL ? read_key(ca_dir, "ca.key", err) : NULL;
	if (*ca_key != NULL)
		return 0;
	X509_free(*ca);
	*ca = NULL;
	return CR_EINVAL;
}

int cluster_cert_issue(const char *ca_dir, const char *node_name, const char *ip,
		       const char *out_dir, unsigned lifetime_s, struct cr_err *err)
{
	X509 *ca = NULL;
	X509 *cert = NULL;
	EVP_PKEY *ca_key = NULL;
	EVP_PKEY *key = NULL;
	int rc = check_ip(ip, err);

	if (rc < 0)
		return rc;
	if (mkdir(out_dir, 0700) < 0 && errno != EEXIST)
		return cr_err_set(err, CR_EINVAL, "cannot create '%s': %s", out_dir,
				  strerror(errno));
	rc = read_ca(ca_dir, &ca, &ca_key, err);
	if (rc < 0)
		return rc;
	key = new_key();
	cert = key != NULL ? sign_node(ca, ca_key, key, node_name, ip, lifetime_s) : NULL;
	if (cert == NULL) {
		rc = ssl_fail(err, "cannot issue the node certificate (is the address an IP?)");
		goto out;
	}
	rc = write_pem(out_dir, "node.key", 0600, NULL, key, err);
	if (rc == 0)
		rc = write_pem(out_dir, "node.crt", 0644, cert, NULL, err);
	if (rc == 0 && strcmp(ca_dir, out_dir) != 0)
		rc = write_pem(out_dir, "ca.crt", 0644, ca, NULL, err);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	return rc;
}

int cluster_https_cert_make(const char *dir, const char *ip, struct cr_err *err)
{
	char path[4096];
	char san[96];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int rc = check_ip(ip, err);

	path_join(path, sizeof(path), dir, "https.crt");
	if (rc < 0 || access(path, F_OK) == 0)
		return rc;
	(void)snprintf(san, sizeof(san), "IP:%s", ip);
	key = new_key();
	cert = key != NULL ? new_cert(key, "Creek HTTPS", HTTPS_DAYS * 86400L) : NULL;
	if (cert == NULL || !X509_set_issuer_name(cert, X509_get_subject_name(cert)) ||
	    !add_ext(cert, cert, NID_key_usage, "critical,digitalSignature,keyAgreement") ||
	    !add_ext(cert, cert, NID_ext_key_usage, "serverAuth") ||
	    !add_ext(cert, cert, NID_subject_alt_name, san) ||
	    !X509_sign(cert, key, EVP_sha256())) {
		rc = ssl_fail(err, "cannot make the HTTPS certificate (is the address an IP?)");
		goto out;
	}
	/* The key first: a certificate on disk always has its key. */
	rc = write_pem(dir, "https.key", 0600, NULL, key, err);
	if (rc == 0)
		rc = write_pem(dir, "https.crt", 0644, cert, NULL, err);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

bool cluster_ca_can_sign(const char *ca_dir)
{
	char path[4096];

	path_join(path, sizeof(path), ca_dir, "ca.key");
	return access(path, R_OK) == 0;
}

/* PEM text of a certificate, key or request (new, free()); NULL if it
 * cannot be encoded. */
static char *to_pem(X509 *cert, EVP_PKEY *key, X509_REQ *req)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data = NULL;
	char *out = NULL;
	long len = 0;
	int ok = 0;

	if (mem == NULL)
		return NULL;
	if (cert != NULL)
		ok = PEM_write_bio_X509(mem, cert);
	else if (req != NULL)
		ok = PEM_write_bio_X509_REQ(mem, req);
	else
		ok = PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL);
	len = BIO_get_mem_data(mem, &data);
	if (ok && len > 0) {
		out = cr_malloc((size_t)len + 1);
		memcpy(out, data, (size_t)len);
		out[len] = '\0';
	}
	BIO_free(mem);
	return out;
}

int cluster_csr_new(char **key_pem, char **csr_pem, struct cr_err *err)
{
	EVP_PKEY *key = new_key();
	X509_REQ *req = X509_REQ_new();
	char *k = NULL;
	char *r = NULL;
	int rc = 0;

	if (key == NULL || req == NULL || !X509_REQ_set_version(req, 0) ||
	    !X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
					(const unsigned char *)"creek-node", -1, -1, 0) ||
	    !X509_REQ_set_pubkey(req, key) || !X509_REQ_sign(req, key, EVP_sha256())) {
		rc = ssl_fail(err, "cannot make a certificate request");
		goto out;
	}
	k = to_pem(NULL, key, NULL);
	r = to_pem(NULL, NULL, req);
	if (k == NULL || r == NULL) {
		rc = ssl_fail(err, "cannot encode the certificate request");
		goto out;
	}
	*key_pem = k;
	*csr_pem = r;
	k = NULL;
	r = NULL;
out:
	if (k != NULL)
		OPENSSL_cleanse(k, strlen(k));
	free(k);
	free(r);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return rc;
}

/* The public key of a PEM request whose signature it makes itself (the
 * requester holds the private key); NULL with err filled otherwise. */
static EVP_PKEY *csr_key(const char *csr_pem, struct cr_err *err)
{
	size_t len = strlen(csr_pem);
	BIO *bio = len <= CLUSTER_CSR_MAX ? BIO_new_mem_buf(csr_pem, (int)len) : NULL;
	X509_REQ *req = bio != NULL ? PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = req != NULL ? X509_REQ_get_pubkey(req) : NULL;

	if (key != NULL &&
	    (X509_REQ_verify(req, key) != 1 || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	ERR_clear_error();
	X509_REQ_free(req);
	BIO_free(bio);
	if (key == NULL)
		cr_err_set(err, CR_EINVAL,
			   "the certificate request is not a PEM request for an EC key, signed "
			   "by that key, of at most %d bytes",
			   CLUSTER_CSR_MAX);
	return key;
}

int cluster_csr_sign(const char *ca_dir, const char *csr_pem, const char *node_name, const char *ip,
		     unsigned lifetime_s, char **crt_pem, struct cr_err *err)
{
	X509 *ca = NULL;
	X509 *cert = NULL;
	EVP_PKEY *ca_key = NULL;
	EVP_PKEY *key = NULL;
	char *pem = NULL;
	int rc = check_ip(ip, err);

	if (rc < 0)
		return rc;
	key = csr_key(csr_pem, err);
	if (key == NULL)
		return CR_EINVAL;
	rc = read_ca(ca_dir, &ca, &ca_key, err);
	if (rc == 0) {
		cert = sign_node(ca, ca_key, key, node_name, ip, lifetime_s);
		pem = cert != NULL ? to_pem(cert, NULL, NULL) : NULL;
		if (pem == NULL)
			rc = ssl_fail(err,
				      "cannot sign the node certificate (is the address an IP?)");
		else
			*crt_pem = pem;
	}
	X509_free(cert);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return rc;
}

void cluster_cert_serial(const void *x509, char out[CLUSTER_SERIAL_MAX])
{
	BIGNUM *bn = x509 != NULL
			 ? ASN1_INTEGER_to_BN(X509_get0_serialNumber((const X509 *)x509), NULL)
			 : NULL;
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	out[0] = '\0';
	if (hex != NULL && strlen(hex) < CLUSTER_SERIAL_MAX)
		(void)snprintf(out, CLUSTER_SERIAL_MAX, "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
}

static X509 *pem_cert(const char *crt_pem)
{
	BIO *mem = BIO_new_mem_buf(crt_pem, -1);
	X509 *cert = mem != NULL ? PEM_read_bio_X509(mem, NULL, NULL, NULL) : NULL;

	BIO_free(mem);
	ERR_clear_error();
	return cert;
}

int cluster_cert_serial_pem(const char *crt_pem, char out[CLUSTER_SERIAL_MAX], struct cr_err *err)
{
	X509 *cert = pem_cert(crt_pem);

	cluster_cert_serial(cert, out);
	X509_free(cert);
	if (out[0] == '\0')
		return cr_err_set(err, CR_EINVAL, "not a PEM certificate with a serial number");
	return 0;
}

static int64_t epoch_s(const ASN1_TIME *t, bool *ok)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		*ok = false;
		return 0;
	}
	return (int64_t)timegm(&tm);
}

int cluster_cert_times_pem(const char *crt_pem, int64_t *not_before_s, int64_t *not_after_s,
			   struct cr_err *err)
{
	X509 *cert = pem_cert(crt_pem);
	bool ok = cert != NULL;

	if (ok) {
		*not_before_s = epoch_s(X509_get0_notBefore(cert), &ok);
		*not_after_s = epoch_s(X509_get0_notAfter(cert), &ok);
	}
	X509_free(cert);
	if (!ok)
		return cr_err_set(err, CR_EINVAL, "not a PEM certificate with a validity period");
	return 0;
}

bool cluster_cert_matches_key(const char *crt_pem, const char *key_pem)
{
	X509 *cert = pem_cert(crt_pem);
	BIO *mem = BIO_new_mem_buf(key_pem, -1);
	EVP_PKEY *key = mem != NULL ? PEM_read_bio_PrivateKey(mem, NULL, NULL, NULL) : NULL;
	bool ok = cert != NULL && key != NULL && X509_check_private_key(cert, key) == 1;

	ERR_clear_error();
	EVP_PKEY_free(key);
	BIO_free(mem);
	X509_free(cert);
	return ok;
}

int cluster_ca_fingerprint(const char *dir, char *out, size_t out_len, struct cr_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	X509 *ca;

	if (out_len <= CLUSTER_TLS_FINGERPRINT_LEN)
		return cr_err_set(err, CR_EINVAL, "fingerprint buffer too small");
	ca = read_cert(dir, "ca.crt", err);
	if (ca == NULL)
		return CR_EINVAL;
	if (!X509_digest(ca, EVP_sha256(), md, &n) || n != 32) {
		X509_free(ca);
		return ssl_fail(err, "cannot hash the CA certificate");
	}
	X509_free(ca);
	cr_hex_encode(md, n, out);
	return 0;
}

uint64_t cluster_cert_node_id(const void *x509)
{
	char cn[64] = "";
	uint64_t id = 0;

	if (x509 == NULL ||
	    X509_NAME_get_text_by_NID(X509_get_subject_name((const X509 *)x509), NID_commonName, cn,
				      (int)sizeof(cn)) <= 5 ||
	    strncmp(cn, "node-", 5) != 0 || cr_parse_u64(cn + 5, UINT64_MAX, &id, NULL) < 0)
		return 0;
	return id;
}

bool cluster_peer_holds(const struct cluster_peer *peer, const char *serial)
{
	return peer->serial[0] == '\0' || strcmp(peer->serial, serial) == 0 ||
	       (peer->next_serial[0] != '\0' && strcmp(peer->next_serial, serial) == 0);
}

/* Whether a peer's certificate that has expired may still be a peer: it
 * is a member's current one (or, before the members' serials are known,
 * the certificate of a member). Membership and the serial revoke (a
 * renewal replaces the serial; proxy.h); the expiry only makes a node
 * renew. A cluster switched off for longer than a certificate lives must
 * come back by itself, and its nodes then renew at once. */
static bool accept_expired(struct cluster_tls *t, X509 *cert)
{
	char serial[CLUSTER_SERIAL_MAX];
	uint64_t id = cluster_cert_node_id(cert);
	bool ok = false;

	cluster_cert_serial(cert, serial);
	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; id != 0 && i < t->n_peers; i++)
		if (t->peers[i].id == id)
			ok = cluster_peer_holds(&t->peers[i], serial);
	pthread_mutex_unlock(&t->lock);
	return ok;
}

static int verify(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct cluster_tls *t = ssl != NULL ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;

	if (ok || t == NULL || X509_STORE_CTX_get_error_depth(store) != 0 ||
	    X509_STORE_CTX_get_error(store) != X509_V_ERR_CERT_HAS_EXPIRED ||
	    !accept_expired(t, X509_STORE_CTX_get_current_cert(store)))
		return ok;
	X509_STORE_CTX_set_error(store, X509_V_OK);
	return 1;
}

static SSL_CTX *make_ctx(struct cluster_tls *t, const char *dir, int is_server, struct cr_err *err)
{
	char ca[4096];
	char crt[4096];
	char key[4096];
	SSL_CTX *ctx = SSL_CTX_new(is_server ? TLS_server_method() : TLS_client_method());

	path_join(ca, sizeof(ca), dir, "ca.crt");
	path_join(crt, sizeof(crt), dir, "node.crt");
	path_join(key, sizeof(key), dir, "node.key");
	if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 ||
	    SSL_CTX_use_certificate_file(ctx, crt, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		ssl_fail(err, "cannot load the node's TLS files");
		return NULL;
	}
	/* A certificate signed by the cluster CA is the only trust anchor (no
	 * system store). Peers are identified by the certificate, not the host
	 * name: addresses change with NAT. The server side lets a client
	 * without a certificate finish the handshake so that a joining node can
	 * present its token; the proxy then allows it nothing else (a wrong
	 * certificate still fails the handshake). */
	SSL_CTX_set_verify(
	    ctx, is_server ? SSL_VERIFY_PEER : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	    verify);
	SSL_CTX_set_app_data(ctx, t);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (is_server)
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

int cluster_tls_new(const char *dir, struct cluster_tls **out, struct cr_err *err)
{
	struct cluster_tls *t = cr_calloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	t->server = make_ctx(t, dir, 1, err);
	t->client = t->server != NULL ? make_ctx(t, dir, 0, err) : NULL;
	if (t->client == NULL) {
		cluster_tls_free(t);
		return CR_EINVAL;
	}
	*out = t;
	return 0;
}

int cluster_tls_reload(struct cluster_tls *t, const char *dir, struct cr_err *err)
{
	SSL_CTX *server = make_ctx(t, dir, 1, err);
	SSL_CTX *client = server != NULL ? make_ctx(t, dir, 0, err) : NULL;
	SSL_CTX *old_server = NULL;
	SSL_CTX *old_client = NULL;

	if (client == NULL) {
		SSL_CTX_free(server);
		return CR_EINVAL;
	}
	pthread_mutex_lock(&t->lock);
	old_server = t->server;
	old_client = t->client;
	t->server = server;
	t->client = client;
	pthread_mutex_unlock(&t->lock);
	/* Each SSL holds a reference to its context: those open keep theirs. */
	SSL_CTX_free(old_server);
	SSL_CTX_free(old_client);
	return 0;
}

void cluster_tls_free(struct cluster_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->server);
	SSL_CTX_free(t->client);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

void *cluster_tls_ssl_new(struct cluster_tls *t, bool is_server)
{
	SSL *ssl;

	pthread_mutex_lock(&t->lock);
	ssl = SSL_new(is_server ? t->server : t->client);
	pthread_mutex_unlock(&t->lock);
	return ssl;
}

void cluster_tls_set_peers(struct cluster_tls *t, const struct cluster_peer *peers, unsigned n)
{
	pthread_mutex_lock(&t->lock);
	t->n_peers = n < CLUSTER_TLS_MAX_PEERS ? n : CLUSTER_TLS_MAX_PEERS;
	memcpy(t->peers, peers, t->n_peers * sizeof(*peers));
	pthread_mutex_unlock(&t->lock);
}
