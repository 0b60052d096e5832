/* core/identity/authz.c: who may do what in a workspace. One function per
 * resource (the workspace, its contacts, its apps), called by every
 * endpoint that touches it and by the answer that tells the UI what to
 * show. Pure: the caller loads the facts. */
#include <stdlib.h>

#include "identity.h"

const char *const id_grant_names[ID_N_GRANTS] = {
	"add_app", "edit_app", "delete_app", "manage_data", "view_contacts", "template_center",
};

void id_facts_free(struct id_facts *f)
{
	if (f == NULL)
		return;
	free(f->dept_id);
	free(f->dept_parent);
	free(f->admin_of);
	for (size_t i = 0; i < f->n_groups; i++)
		free(f->groups[i].apps);
	free(f->groups);
	*f = (struct id_facts){ 0 };
}

static int64_t parent_of(const struct id_facts *f, int64_t dept)
{
	for (size_t i = 0; i < f->n_depts; i++)
		if (f->dept_id[i] == dept)
			return f->dept_parent[i];
	return -1; /* unknown */
}

bool id_dept_within(const struct id_facts *f, int64_t dept, int64_t root)
{
	/* Walk up; the tree has no cycles, but bound the walk anyway. */
	for (size_t steps = 0; dept > 0 && steps <= f->n_depts; steps++) {
		if (dept == root)
			return true;
		dept = parent_of(f, dept);
	}
	return false;
}

bool id_dept_administered(const struct id_facts *f, int64_t dept, bool strict)
{
	for (size_t i = 0; i < f->n_admin_of; i++) {
		if (strict && dept == f->admin_of[i])
			continue;
		if (id_dept_within(f, dept, f->admin_of[i]))
			return true;
	}
	return false;
}

static bool is_admin(const struct id_actor *a)
{
	return !a->via_api_key &&
	       (a->role == ID_ROLE_SUPER_ADMIN || a->role == ID_ROLE_SYSTEM_ADMIN);
}

static int deny(struct cr_err *err, const char *what)
{
	return cr_err_set(err, CR_EDENIED, "you may not %s in this workspace", what);
}

int id_authz_workspace(const struct id_actor *a, enum id_ws_action action, struct cr_err *err)
{
	if (a->role == ID_ROLE_NONE && !a->via_api_key)
		return cr_err_set(err, CR_EDENIED, "you are not a member of this workspace");
	switch (action) {
	case ID_WS_READ:
		return a->via_api_key ? deny(err, "use an API key for this") : 0;
	case ID_WS_RENAME:
		return is_admin(a) ? 0 : deny(err, "change the workspace's settings");
	case ID_WS_SET_ROLE:
		return !a->via_api_key && a->role == ID_ROLE_SUPER_ADMIN
			   ? 0
			   : deny(err, "name system admins (only the super admin may)");
	case ID_WS_MANAGE_GROUPS:
		return is_admin(a) ? 0 : deny(err, "manage permission groups");
	case ID_WS_MANAGE_KEYS:
		return is_admin(a) ? 0 : deny(err, "manage API keys");
	}
	return deny(err, "do that");
}

/* Every dept lies in a subtree the actor administers. */
static bool all_administered(const struct id_facts *f, const int64_t *depts, size_t n, bool strict)
{
	if (n == 0 || f == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!id_dept_administered(f, depts[i], strict))
			return false;
	return true;
}

int id_authz_contacts(const struct id_actor *a, const struct id_facts *f,
		      enum id_contacts_action action, const int64_t *depts, size_t n_depts,
		      bool strict, struct cr_err *err)
{
	if (a->via_api_key) {
		if (action == ID_CONTACTS_VIEW || action == ID_CONTACTS_CHANGE)
			return 0;
		return deny(err, "do this with an API key");
	}
	if (a->role == ID_ROLE_NONE)
		return cr_err_set(err, CR_EDENIED, "you are not a member of this workspace");
	if (is_admin(a))
		return 0;
	switch (action) {
	case ID_CONTACTS_VIEW:
		if ((f != NULL && (f->grants & ID_GRANT_VIEW_CONTACTS)) ||
		    (f != NULL && f->n_admin_of > 0))
			return 0;
		return deny(err, "see the contacts");
	case ID_CONTACTS_SEARCH:
		return f != NULL && f->n_admin_of > 0 ? 0 : deny(err, "invite members");
	case ID_CONTACTS_CHANGE:
	case ID_CONTACTS_RESET_PASSWORD:
	case ID_CONTACTS_INVITE:
		if (all_administered(f, depts, n_depts, strict))
			return 0;
		if (f != NULL && f->n_admin_of > 0)
			return deny(err, "change anything outside the departments you administer");
		return deny(err, "change the contacts");
	}
	return deny(err, "do that");
}

int id_authz_member_rank(const struct id_actor *a, enum id_role target, struct cr_err *err)
{
	if (target == ID_ROLE_SUPER_ADMIN && (a->via_api_key || a->role != ID_ROLE_SUPER_ADMIN))
		return cr_err_set(err, CR_EDENIED,
				  "only the super admin may change their own entry");
	if (target == ID_ROLE_SYSTEM_ADMIN && !is_admin(a))
		return cr_err_set(err, CR_EDENIED, "only admins may change a system admin");
	return 0;
}

/* Does one of the actor's groups grant `grant` for app_id? */
static bool group_grants(const struct id_facts *f, unsigned grant, int64_t app_id)
{
	if (f == NULL)
		return false;
	for (size_t i = 0; i < f->n_groups; i++) {
		const struct id_group_grant *g = &f->groups[i];
		if (!(g->grants & grant))
			continue;
		if (g->all_apps || grant == ID_GRANT_ADD_APP)
			return true;
		for (size_t j = 0; j < g->n_apps; j++)
			if (g->apps[j] == app_id)
				return true;
	}
	return false;
}

int id_authz_app(const struct id_actor *a, const struct id_facts *f, enum id_app_action action,
		 int64_t app_id, struct cr_err *err)
{
	static const struct {
		unsigned grant;
		const char *what;
	} need[] = {
		[ID_APP_ADD] = { ID_GRANT_ADD_APP, "add apps" },
		[ID_APP_EDIT] = { ID_GRANT_EDIT_APP, "edit this app" },
		[ID_APP_DELETE] = { ID_GRANT_DELETE_APP, "delete this app" },
		[ID_APP_DATA] = { ID_GRANT_MANAGE_DATA, "manage this app's data" },
	};

	if (a->via_api_key)
		return deny(err, "manage apps with an API key");
	if (a->role == ID_ROLE_NONE)
		return cr_err_set(err, CR_EDENIED, "you are not a member of this workspace");
	if (is_admin(a))
		return 0;
	return group_grants(f, need[action].grant, app_id) ? 0 : deny(err, need[action].what);
}
