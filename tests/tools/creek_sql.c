/* tests/tools/creek_sql.c: run one SQL statement through Creek's storage
 * client and print the answer as JSON. A test tool (not shipped): the
 * interoperability tests use it beside go-dqlite's `dqlite` shell.
 *
 *   creek-sql ADDRESS DATABASE query|exec SQL [PARAM ...]
 *
 * With CREEK_TLS_DIR set (a node's <data>/cluster), it dials through the
 * cluster's mutual TLS like a node does.
 *
 * Params: i:42, f:1.5, t:text, x:hex (blob), n (NULL). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/proxy.h"
#include "cluster/tls.h"
#include "lib/parse.h"
#include "storage/store.h"

static int param(const char *arg, struct storage_value *v, unsigned char *blob)
{
	int64_t i;

	if (strcmp(arg, "n") == 0) {
		*v = storage_null();
		return 0;
	}
	if (strncmp(arg, "i:", 2) == 0 && cr_parse_i64(arg + 2, &i, NULL) == 0) {
		*v = storage_int(i);
		return 0;
	}
	if (strncmp(arg, "f:", 2) == 0) {
		*v = storage_float(strtod(arg + 2, NULL));
		return 0;
	}
	if (strncmp(arg, "t:", 2) == 0) {
		*v = storage_text(arg + 2);
		return 0;
	}
	if (strncmp(arg, "x:", 2) == 0) {
		size_t n = strlen(arg + 2) / 2;
		for (size_t k = 0; k < n; k++) {
			unsigned b;
			if (sscanf(arg + 2 + 2 * k, "%2x", &b) != 1)
				return -1;
			blob[k] = (unsigned char)b;
		}
		*v = storage_blob(blob, n);
		return 0;
	}
	return -1;
}

static int tls_dial(void *arg, const char *address, unsigned timeout_ms, int *fd_out,
		    struct cr_err *err)
{
	return cluster_dial(arg, address, timeout_ms, fd_out, err);
}

static json_t *value_json(const struct storage_value *v)
{
	switch (v->type) {
	case STORAGE_INTEGER:
	case STORAGE_UNIXTIME:
		return json_integer(v->i);
	case STORAGE_FLOAT:
		return json_real(v->f);
	case STORAGE_TEXT:
	case STORAGE_ISO8601:
		return json_stringn(v->s.p, v->s.len);
	case STORAGE_BOOLEAN:
		return json_boolean(v->b);
	case STORAGE_BLOB: {
		char *hex = malloc(v->s.len * 2 + 1);
		for (size_t i = 0; i < v->s.len; i++)
			snprintf(hex + 2 * i, 3, "%02x", (unsigned char)v->s.p[i]);
		hex[v->s.len * 2] = '\0';
		json_t *j = json_pack("{s:s}", "blob_hex", hex);
		free(hex);
		return j;
	}
	default:
		return json_null();
	}
}

int main(int argc, char **argv)
{
	struct storage_store_config sc = {
		.pool = { .n_addresses = 1, .io_timeout_ms = 5000, .acquire_timeout_ms = 10000 }
	};
	struct storage_value params[16];
	unsigned char blobs[16][256];
	struct storage_store *s = NULL;
	struct cr_err err = { 0 };
	struct cluster_tls *tls = NULL;
	unsigned n = 0;
	int rc;

	if (argc < 5 || argc > 5 + 16) {
		fprintf(stderr, "usage: creek-sql ADDRESS DATABASE query|exec SQL [PARAM ...]\n");
		return 2;
	}
	for (int i = 5; i < argc; i++, n++)
		if (strlen(argv[i]) > 2 + 2 * sizeof(blobs[0]) ||
		    param(argv[i], &params[n], blobs[n]) < 0) {
			fprintf(stderr, "creek-sql: bad parameter '%s'\n", argv[i]);
			return 2;
		}
	sc.pool.addresses[0] = argv[1];
	if (getenv("CREEK_TLS_DIR") != NULL) {
		if (cluster_tls_new(getenv("CREEK_TLS_DIR"), &tls, &err) < 0) {
			(void)fprintf(stderr, "creek-sql: %s\n", err.msg);
			return 1;
		}
		sc.pool.dial = tls_dial;
		sc.pool.dial_arg = tls;
	}
	if (storage_store_new(&sc, &s, &err) < 0) {
		fprintf(stderr, "creek-sql: %s\n", err.msg);
		return 1;
	}
	if (strcmp(argv[3], "exec") == 0) {
		struct storage_result r = { 0 };
		rc = storage_exec(s, argv[2], NULL, argv[4], params, n, &r, &err);
		if (rc >= 0)
			printf("{\"last_insert_id\": %llu, \"rows_affected\": %llu}\n",
			       (unsigned long long)r.last_insert_id,
			       (unsigned long long)r.rows_affected);
	} else {
		struct storage_rows rows;
		rc = storage_query(s, argv[2], argv[4], params, n, &rows, &err);
		if (rc == 0) {
			json_t *out = json_array();
			for (size_t i = 0; i < rows.n_rows; i++) {
				json_t *row = json_array();
				for (unsigned c = 0; c < rows.n_cols; c++)
					json_array_append_new(
					    row, value_json(storage_rows_at(&rows, i, c)));
				json_array_append_new(out, row);
			}
			json_dumpf(out, stdout, JSON_COMPACT);
			printf("\n");
			json_decref(out);
		}
		storage_rows_close(&rows);
	}
	if (rc < 0)
		fprintf(stderr, "creek-sql: %s\n", err.msg);
	storage_store_free(s);
	if (tls != NULL)
		(void)cluster_dial_drain(2000);
	cluster_tls_free(tls);
	return rc < 0 ? 1 : 0;
}
