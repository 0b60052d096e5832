/* core/identity/body.h: checking JSON request bodies, shared by the
 * modules of core. */
#ifndef CREEK_CORE_IDENTITY_BODY_H
#define CREEK_CORE_IDENTITY_BODY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../lib/err.h"

/* A JSON object, else CR_EINVAL naming what was expected. */
int id_body_object(const json_t *body, struct cr_err *err);
/* body[key] as a string: NULL (and 0) when absent and !required. */
int id_body_string(const json_t *body, const char *key, bool required, const char **out,
		   struct cr_err *err);
/* body[key] as an array of distinct positive integers (at most max);
 * *present false when absent. *out is malloc'ed (free it). */
int id_body_ids(const json_t *body, const char *key, size_t max, int64_t **out, size_t *n,
		bool *present, struct cr_err *err);
/* body[key] as a positive integer; *present false when absent. */
int id_body_id(const json_t *body, const char *key, int64_t *out, bool *present,
	       struct cr_err *err);
/* body[key] as an integer from min to max; dflt when absent or null. */
int id_body_int(const json_t *body, const char *key, int64_t dflt, int64_t min, int64_t max,
		int64_t *out, struct cr_err *err);
/* Refuse keys not in the NULL-terminated list (typos must not pass). */
int id_body_keys(const json_t *body, const char *const *keys, struct cr_err *err);
json_t *id_ids_json(const int64_t *ids, size_t n);
/* A body that is exactly {"name": "..."} with a valid name (what names it
 * in errors: "app name"). */
int id_body_name(const json_t *body, const char *what, const char **name, struct cr_err *err);

#endif
