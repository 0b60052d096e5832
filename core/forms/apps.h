/* core/forms/apps.h: a workspace's apps as the apps page shows them: name,
 * icon, colour, groups and order; a deleted app waits in the recycle bin
 * (its form and records kept) until purge.c empties it.
 *
 * Apps moved here from core/identity: the app table is forms' (an app's
 * form version and column counter are its columns) and forms purges it.
 * Every function checks the actor's right itself through core/identity
 * (id_authz_app); objects come and go as JSON in the API's shapes
 * (docs/api.md). Any thread; errors of storage and CR_EINVAL,
 * CR_EDENIED, CR_ENOTFOUND, CR_ECONFLICT with a clear message. Returned
 * json_t: new references, the caller's. */
#ifndef CREEK_CORE_FORMS_APPS_H
#define CREEK_CORE_FORMS_APPS_H

#include <jansson.h>
#include <stdint.h>

#include "../../lib/err.h"
#include "forms.h"

/* {"apps": [...], "groups": [...]} */
int fm_apps_list(const struct forms *f, const struct id_actor *actor, json_t **out,
		 struct cr_err *err);
/* {"name", "icon"?, "color"?, "group_id"?} */
int fm_app_create(const struct forms *f, const struct id_actor *actor, const json_t *body,
		  const char *request_id, int64_t now_us, json_t **out, struct cr_err *err);
int fm_app_update(const struct forms *f, const struct id_actor *actor, int64_t app_id,
		  const json_t *body, const char *request_id, json_t **out, struct cr_err *err);
/* To the recycle bin. */
int fm_app_delete(const struct forms *f, const struct id_actor *actor, int64_t app_id,
		  const char *request_id, int64_t now_us, struct cr_err *err);
int fm_app_restore(const struct forms *f, const struct id_actor *actor, int64_t app_id,
		   const char *request_id, json_t **out, struct cr_err *err);
/* The deleted apps the actor may restore. */
int fm_app_bin(const struct forms *f, const struct id_actor *actor, json_t **out,
	       struct cr_err *err);
/* {"groups": [{"id"?, "name", "apps": [ids]}], "ungrouped": [ids]}: every
 * live app placed once; groups not named are dropped. */
int fm_app_layout(const struct forms *f, const struct id_actor *actor, const json_t *body,
		  const char *request_id, int64_t now_us, json_t **out, struct cr_err *err);

#endif
