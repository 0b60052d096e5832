/* node/ctl_local.c: creekctl's commands on the data directory, run while
 * creekd is stopped: init, join, cert install and cluster recover. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../cluster/cluster.h"
#include "../cluster/join.h"
#include "../cluster/tls.h"
#include "../lib/buf.h"
#include "../lib/file.h"
#include "../lib/mem.h"
#include "../lib/parse.h"
#include "../lib/text.h"
#include "../storage/engine.h"
#include "ctl.h"

/* ---- commands on the data directory (creekd stopped) ---- */

static void own_like_data_dir(const struct ctl *c, const char *path);

/* Hold the data directory's lock: creekd must not run meanwhile. The lock
 * file is left to the directory's owner (creekd opens it as creek). */
static int lock_data_dir(const struct ctl *c)
{
	char path[1200];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/creekd.lock", c->data_dir);
	if (mkdir(c->data_dir, 0750) < 0 && errno != EEXIST) {
		(void)fprintf(stderr, "creekctl: cannot create '%s': %s\n", c->data_dir,
			      strerror(errno));
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		(void)fprintf(stderr,
			      "creekctl: creekd is running on '%s'; stop it first (systemctl stop "
			      "creekd)\n",
			      c->data_dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	own_like_data_dir(c, path);
	return fd;
}

/* Give what creekctl made to the owner of the data directory (creekctl
 * runs as root, creekd as creek). */
static void own_like_data_dir(const struct ctl *c, const char *path)
{
	struct stat st;

	if (stat(c->data_dir, &st) == 0 && geteuid() == 0)
		(void)!chown(path, st.st_uid, st.st_gid);
}

int cmd_init(const struct ctl *c)
{
	struct cluster_files files;
	struct cr_err err = { 0 };
	char fp[80];
	int lock = lock_data_dir(c);

	if (lock < 0)
		return 1;
	if (cluster_files_prepare(c->data_dir, c->cluster_address, c->cert_lifetime_s, &files,
				  &err) < 0 ||
	    cluster_ca_fingerprint(files.dir, fp, sizeof(fp), &err) < 0) {
		(void)fprintf(stderr, "creekctl: %s\n", err.msg);
		close(lock);
		return 1;
	}
	own_like_data_dir(c, files.dir);
	{
		static const char *const names[] = { "ca.crt", "ca.key", "node.crt", "node.key" };
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			char path[4200];
			(void)snprintf(path, sizeof(path), "%s/%s", files.dir, names[i]);
			own_like_data_dir(c, path);
		}
	}
	printf("cluster ready in %s\nCA fingerprint (SHA-256): %s\n"
	       "The CA's key, %s/ca.key, stays on this node only (it admits new nodes): keep a "
	       "copy of it off this server.\n"
	       "Start creekd; add nodes with 'creekctl token create' here and 'creekctl join' "
	       "there.\n",
	       files.dir, fp, files.dir);
	close(lock);
	return 0;
}

/* HTTPS to a member's cluster port without a certificate of our own. */
static int join_request(const char *address, const char *method, const char *path,
			const char *ca_pem, const char *body, json_t **out, long *status, char *why,
			size_t why_len)
{
	char url[256];
	struct cr_buf b;
	struct curl_slist *headers = NULL;
	struct curl_blob blob;
	CURLcode rc;
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return -1;
	cr_buf_init(&b, CTL_MAX_ANSWER);
	(void)snprintf(url, sizeof(url), "https://%s%s", address, path);
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_on_data);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	(void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	(void)curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	if (ca_pem == NULL) {
		/* Only to fetch the CA, which is then checked against the token. */
		(void)curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		(void)curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		blob.data = (void *)ca_pem;
		blob.len = strlen(ca_pem);
		blob.flags = CURL_BLOB_COPY;
		(void)curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (body != NULL) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		(void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		(void)curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	}
	rc = curl_easy_perform(curl);
	curl_slist_free_all(headers);
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	else
		(void)snprintf(why, why_len, "%s", curl_easy_strerror(rc));
	curl_easy_cleanup(curl);
	*out = rc == CURLE_OK ? json_loadb(b.data != NULL ? b.data : "", b.len, 0, NULL) : NULL;
	cr_buf_close(&b);
	if (rc == CURLE_OK && *out == NULL)
		(void)snprintf(why, why_len, "the answer is not JSON");
	return *out != NULL ? 0 : -1;
}

/* SHA-256 of a PEM certificate's DER, as the token carries it. */
static int pem_fingerprint(const char *pem, char *out, size_t out_len)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int rc = -1;

	if (x != NULL && X509_digest(x, EVP_sha256(), md, &n) == 1 && out_len > 2 * (size_t)n) {
		cr_hex_encode(md, n, out);
		rc = 0;
	}
	X509_free(x);
	BIO_free(bio);
	return rc;
}

static int write_secret(const struct ctl *c, const char *dir, const char *name, const char *text,
			mode_t mode)
{
	char path[1300];
	struct cr_err err = { 0 };

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (cr_file_write_atomic(path, text, strlen(text), mode, &err) < 0) {
		(void)fprintf(stderr, "creekctl: cannot write '%s': %s\n", path, err.msg);
		return -1;
	}
	own_like_data_dir(c, path);
	return 0;
}

/* Move dir/name aside as dir/name.before-join-<time> if it exists. */
static int set_aside(const char *dir, const char *name, char *moved, size_t moved_len)
{
	char from[1200];

	(void)snprintf(from, sizeof(from), "%s/%s", dir, name);
	moved[0] = '\0';
	if (access(from, F_OK) != 0)
		return 0;
	(void)snprintf(moved, moved_len, "%s/%s.before-join-%ld", dir, name, (long)time(NULL));
	if (rename(from, moved) < 0) {
		(void)fprintf(stderr, "creekctl: cannot move '%s' aside: %s\n", from,
			      strerror(errno));
		return -1;
	}
	return 0;
}

/* How many members the data directory last knew of. */
static unsigned known_members(const struct ctl *c)
{
	char path[1200];
	char line[256];
	unsigned n = 0;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/cluster/members", c->data_dir);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n += line[0] != '\n';
	(void)fclose(f); /* read only */
	return n;
}

/* The join command's words and this node's address are usable: 0, or 2
 * (printed). */
static int join_args(const struct ctl *c, struct cluster_token *t)
{
	struct cr_err err = { 0 };

	if (c->n_args != 2) {
		(void)fprintf(stderr,
			      "creekctl: usage: creekctl join <token> [--address a.b.c.d:port]\n");
		return 2;
	}
	if (cluster_token_parse(c->args[1], t, &err) < 0) {
		(void)fprintf(stderr, "creekctl: %s\n", err.msg);
		return 2;
	}
	if (cr_parse_ipv4_port(c->cluster_address, &err) < 0 ||
	    strncmp(c->cluster_address, "0.0.0.0:", 8) == 0) {
		(void)fprintf(stderr,
			      "creekctl: this node's cluster address '%s' is not one other nodes "
			      "can reach; give --address a.b.c.d:port\n",
			      c->cluster_address);
		return 2;
	}
	return 0;
}

/* A member of the token's cluster that holds the token's CA and signs
 * certificates (it holds the CA's key): its address, and the CA's PEM in
 * *ca (free()); NULL (printed) if none answered. */
static const char *find_member(const struct cluster_token *t, char **ca)
{
	char why[256] = "";
	char fp[80] = "?";
	json_t *a = NULL;
	long status = 0;
	const char *used = NULL;

	*ca = NULL;
	for (unsigned k = 0; k < t->n_addresses && used == NULL; k++) {
		if (join_request(t->addresses[k], "GET", "/api/v1/cluster/join/ca", NULL, NULL, &a,
				 &status, why, sizeof(why)) < 0) {
			(void)fprintf(stderr, "creekctl: %s does not answer: %s\n", t->addresses[k],
				      why);
			continue;
		}
		if (status == 200 && json_is_string(json_object_get(a, "ca_crt"))) {
			free(*ca);
			*ca = cr_strdup(json_string_value(json_object_get(a, "ca_crt")));
			if (pem_fingerprint(*ca, fp, sizeof(fp)) != 0 ||
			    strcmp(fp, t->fingerprint) != 0)
				(void)fprintf(stderr,
					      "creekctl: %s belongs to another cluster (CA "
					      "fingerprint %s); not sending the token there\n",
					      t->addresses[k], fp);
			else if (json_is_false(json_object_get(a, "can_admit")))
				(void)fprintf(stderr,
					      "creekctl: %s does not hold the cluster CA's key; "
					      "trying the next member\n",
					      t->addresses[k]);
			else
				used = t->addresses[k];
		}
		json_decref(a);
		a = NULL;
	}
	if (used == NULL)
		(void)fprintf(stderr,
			      "creekctl: no member of the token's cluster could be reached\n");
	return used;
}

/* Put admission a (the answer to POST /cluster/join) and this node's key
 * into the data dir: the node's old one-node store and certificates are
 * set aside (moved_store names where the store went, "" if there was
 * none), the new certificates and the join file written. No CA key: only
 * the node where the cluster was created holds it. 0, or -1 (printed). */
static int install_admission(const struct ctl *c, json_t *a, const char *key_pem, char *moved_store,
			     size_t moved_len)
{
	struct cr_err err = { 0 };
	const char *peers[CLUSTER_MAX_NODES];
	unsigned n_peers = 0;
	char moved_cluster[1300];
	char dir[1200];
	char path[1300];
	uint64_t id = 0;
	size_t i;
	json_t *m;

	(void)cr_parse_u64(ctl_str(a, "id", NULL), UINT64_MAX, &id, NULL);
	json_array_foreach(json_object_get(a, "members"), i, m)
	{
		if (json_is_string(m) && n_peers < CLUSTER_MAX_NODES)
			peers[n_peers++] = json_string_value(m);
	}
	(void)snprintf(dir, sizeof(dir), "%s/cluster", c->data_dir);
	if (set_aside(c->data_dir, "store", moved_store, moved_len) < 0 ||
	    set_aside(c->data_dir, "cluster", moved_cluster, sizeof(moved_cluster)) < 0 ||
	    mkdir(dir, 0700) < 0 ||
	    write_secret(c, dir, "ca.crt", ctl_str(a, "ca_crt", NULL), 0644) < 0 ||
	    write_secret(c, dir, "node.crt", ctl_str(a, "node_crt", NULL), 0644) < 0 ||
	    write_secret(c, dir, "node.key", key_pem, 0600) < 0 ||
	    cluster_files_write_join(dir, id, peers, n_peers, &err) < 0) {
		if (err.msg[0] != '\0')
			(void)fprintf(stderr, "creekctl: %s\n", err.msg);
		return -1;
	}
	own_like_data_dir(c, dir);
	(void)snprintf(path, sizeof(path), "%s/join", dir);
	own_like_data_dir(c, path);
	return 0;
}

/* Send the token and a certificate request (for the key this node has
 * just made) to the member at used. *a: its answer, or NULL (printed). */
static void request_admission(const struct ctl *c, const struct cluster_token *t, const char *used,
			      const char *ca, const char *csr, json_t **a, long *status)
{
	char why[256] = "";
	json_t *req = json_pack("{s:s, s:s, s:s, s:I, s:s}", "token_id", t->id, "secret", t->secret,
				"address", c->cluster_address, "failure_domain",
				(json_int_t)c->failure_domain, "csr", csr);
	char *body = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;

	*a = NULL;
	if (body != NULL && join_request(used, "POST", "/api/v1/cluster/join", ca, body, a, status,
					 why, sizeof(why)) < 0)
		(void)fprintf(stderr, "creekctl: joining through %s failed: %s\n", used, why);
	free(body);
	json_decref(req);
}

int cmd_join(const struct ctl *c)
{
	struct cluster_token t;
	struct cr_err err = { 0 };
	char moved_store[1300] = "";
	json_t *a = NULL;
	long status = 0;
	const char *used;
	char *ca = NULL;
	char *key = NULL;
	char *csr = NULL;
	int lock;
	int rc = join_args(c, &t);

	if (rc != 0)
		return rc;
	lock = lock_data_dir(c);
	if (lock < 0)
		return 1;
	if (known_members(c) > 1) {
		(void)fprintf(stderr,
			      "creekctl: this node is already a member of a cluster of %u nodes; "
			      "remove it there first ('creekctl cluster remove')\n",
			      known_members(c));
		close(lock);
		return 1;
	}
	used = find_member(&t, &ca);
	if (used != NULL && cluster_csr_new(&key, &csr, &err) < 0) {
		(void)fprintf(stderr, "creekctl: %s\n", err.msg);
		used = NULL;
	}
	if (used != NULL)
		request_admission(c, &t, used, ca, csr, &a, &status);
	free(ca);
	free(csr);
	if (used == NULL || a == NULL)
		rc = 1;
	else if (status != 201)
		rc = ctl_api_error(a, status);
	else
		rc = install_admission(c, a, key, moved_store, sizeof(moved_store)) < 0 ? 1 : 0;
	if (key != NULL)
		OPENSSL_cleanse(key, strlen(key));
	free(key);
	if (rc == 0)
		printf("admitted as node %s through %s\n", ctl_str(a, "id", NULL), used);
	json_decref(a);
	close(lock);
	if (rc != 0)
		return rc;
	if (moved_store[0] != '\0')
		printf("this node's previous store was kept in %s\n", moved_store);
	printf("start creekd now (systemctl start creekd); it joins the cluster as it starts\n");
	return 0;
}

static int copy_file(const char *from, FILE *to)
{
	char buf[8192];
	size_t n;
	FILE *in = fopen(from, "re");

	if (in == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, to) != n) {
			(void)fclose(in);
			return -1;
		}
	n = (size_t)ferror(in);
	(void)fclose(in); /* read only */
	return n == 0 ? 0 : -1;
}

int cmd_cert_install(const struct ctl *c)
{
	char dir[1200];
	char path[1300];
	FILE *f;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int ok;
	int lock;
	int rc = 1;

	if (c->cert == NULL || c->key == NULL) {
		(void)fprintf(stderr,
			      "creekctl: usage: creekctl cert install --cert FILE --key FILE\n");
		return 2;
	}
	f = fopen(c->cert, "re");
	x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f != NULL)
		(void)fclose(f); /* read only */
	f = fopen(c->key, "re");
	k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f != NULL)
		(void)fclose(f); /* read only */
	ok = x != NULL && k != NULL && X509_check_private_key(x, k) == 1;
	if (!ok) {
		(void)fprintf(stderr, "creekctl: %s\n",
			      x == NULL   ? "the certificate file holds no PEM certificate"
			      : k == NULL ? "the key file holds no PEM private key (unencrypted)"
					  : "the key does not belong to the certificate");
		X509_free(x);
		EVP_PKEY_free(k);
		return 1;
	}
	lock = lock_data_dir(c);
	if (lock < 0) {
		X509_free(x);
		EVP_PKEY_free(k);
		return 1;
	}
	(void)snprintf(dir, sizeof(dir), "%s/cluster", c->data_dir);
	(void)snprintf(path, sizeof(path), "%s/https.crt", dir);
	f = fopen(path, "we");
	/* The whole file: the certificate and any intermediates after it. */
	if (f != NULL && copy_file(c->cert, f) == 0 && fclose(f) == 0) {
		own_like_data_dir(c, path);
		(void)snprintf(path, sizeof(path), "%s/https.key", dir);
		(void)unlink(path);
		{
			int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			f = fd >= 0 ? fdopen(fd, "w") : NULL;
		}
		if (f != NULL && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1 &&
		    fclose(f) == 0) {
			own_like_data_dir(c, path);
			printf("HTTPS certificate installed in %s; start creekd to use it\n", dir);
			rc = 0;
		}
	} else if (f != NULL) {
		(void)fclose(f); /* failed already: reported below */
	}
	if (rc != 0)
		(void)fprintf(stderr, "creekctl: cannot write into '%s': %s\n", dir,
			      strerror(errno));
	close(lock);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

int cmd_cluster_recover(const struct ctl *c)
{
	char dir[1200];
	char path[1300];
	struct cr_err err = { 0 };
	int lock;

	if (c->n_args != 3 || strcmp(c->args[2], "--yes-this-node-has-the-newest-data") != 0) {
		(void)fprintf(
		    stderr, "creekctl: 'cluster recover' makes this node the only voter of the "
			    "cluster, keeping its data.\nUse it only when most voters are lost "
			    "for good, with creekd stopped on every node, on the survivor with "
			    "the newest data (docs/cluster.md, \"Disaster recovery\"). Then run:\n"
			    "  creekctl cluster recover --yes-this-node-has-the-newest-data\n");
		return 2;
	}
	lock = lock_data_dir(c);
	if (lock < 0)
		return 1;
	(void)snprintf(dir, sizeof(dir), "%s/store", c->data_dir);
	if (storage_engine_recover(dir, c->cluster_address, &err) < 0) {
		(void)fprintf(stderr, "creekctl: %s\n", err.msg);
		close(lock);
		return 1;
	}
	(void)snprintf(path, sizeof(path), "%s/cluster/members", c->data_dir);
	(void)unlink(path);
	close(lock);
	printf("this node is now a one-node cluster with all its data. Start creekd, then wipe "
	       "the other survivors' data directories and join them again with tokens.\n");
	return 0;
}
