/* cluster/roles.c: which member should change its role, and to what; see
 * cluster_plan_role() in cluster_int.h. Pure: the manager takes a picture
 * of the members under its lock and applies what this answers. */
#include "cluster_int.h"

struct plan {
	const struct cluster_role_member *m;
	unsigned n;
	uint64_t self_id;
	unsigned standbys;
};

unsigned cluster_voters_wanted(unsigned n)
{
	return n >= 7 ? 5 : n >= 3 ? 3 : 1;
}

static bool domain_held(const struct plan *p, unsigned domain, enum storage_role role)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->m[i].role == role && p->m[i].failure_domain == domain && p->m[i].is_up)
			return true;
	return false;
}

/* The best up member of one of the roles in from[] (in order of
 * preference) for `role`: a failure domain not yet held by an up node of
 * that role first, then the earlier role, then the lower id. */
static const struct cluster_role_member *candidate(const struct plan *p, enum storage_role role,
						   const enum storage_role *from, unsigned n_from)
{
	const struct cluster_role_member *best = NULL;
	unsigned best_score = 0;

	for (unsigned i = 0; i < p->n; i++) {
		const struct cluster_role_member *m = &p->m[i];
		unsigned score = 0;
		unsigned pref = n_from;
		for (unsigned k = 0; k < n_from; k++)
			if (m->role == from[k])
				pref = k;
		if (pref == n_from || !m->is_up || !m->reachable || m->disk_low)
			continue;
		score = (domain_held(p, m->failure_domain, role) ? 0 : 100) + (10 - pref);
		if (best == NULL || score > best_score ||
		    (score == best_score && m->id < best->id)) {
			best = m;
			best_score = score;
		}
	}
	return best;
}

/* Up members of role in domain. */
static unsigned held_by(const struct plan *p, unsigned domain, enum storage_role role)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->m[i].role == role && p->m[i].failure_domain == domain && p->m[i].is_up;
	return n;
}

/* A member of `role` to demote: down ones first, never this node (the
 * leader); among up ones, one whose failure domain holds another of the
 * role, then the highest id. */
static const struct cluster_role_member *demotable(const struct plan *p, enum storage_role role,
						   bool down_only)
{
	const struct cluster_role_member *pick = NULL;
	bool pick_shared = false;

	for (unsigned i = 0; i < p->n; i++) {
		const struct cluster_role_member *m = &p->m[i];
		bool shared;
		if (m->role != role || m->id == p->self_id)
			continue;
		if (!m->is_up)
			return m;
		if (down_only)
			continue;
		shared = held_by(p, m->failure_domain, role) > 1;
		if (pick == NULL || (shared && !pick_shared) ||
		    (shared == pick_shared && m->id > pick->id)) {
			pick = m;
			pick_shared = shared;
		}
	}
	return pick;
}

/* Voters crowd one failure domain while another, with an up node, has
 * none: that node, to become a voter (a crowded voter is demoted next). */
static const struct cluster_role_member *domain_spread(const struct plan *p)
{
	bool crowded = false;

	for (unsigned i = 0; i < p->n; i++)
		if (p->m[i].role == STORAGE_ROLE_VOTER &&
		    held_by(p, p->m[i].failure_domain, STORAGE_ROLE_VOTER) > 1)
			crowded = true;
	if (!crowded)
		return NULL;
	for (unsigned pass = 0; pass < 2; pass++) {
		enum storage_role from = pass == 0 ? STORAGE_ROLE_STANDBY : STORAGE_ROLE_SPARE;
		for (unsigned i = 0; i < p->n; i++) {
			const struct cluster_role_member *m = &p->m[i];
			if (m->role == from && m->reachable && !m->disk_low && m->is_up &&
			    held_by(p, m->failure_domain, STORAGE_ROLE_VOTER) == 0)
				return m;
		}
	}
	return NULL;
}

/* A member of role, not this node, whose data disk is below its reserve. */
static const struct cluster_role_member *low_disk(const struct plan *p, enum storage_role role)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->m[i].role == role && p->m[i].disk_low && p->m[i].id != p->self_id)
			return &p->m[i];
	return NULL;
}

/* Up voters whose disk has room. */
static unsigned fit_voters(const struct plan *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->m[i].role == STORAGE_ROLE_VOTER && !p->m[i].disk_low && p->m[i].is_up;
	return n;
}

/* A member whose disk is low must not receive the log (raft would append
 * until ENOSPC, which it does not survive): a spare gets nothing. A voter
 * is first replaced by a spare or standby with room, if one is up; with
 * none, it leaves the quorum anyway (3 voters become 2: writes go on, and
 * it comes back when its disk has room). */
static bool plan_low_disk(const struct plan *p, uint64_t *id, enum storage_role *role)
{
	static const enum storage_role for_voter[] = { STORAGE_ROLE_STANDBY, STORAGE_ROLE_SPARE };
	const struct cluster_role_member *low = low_disk(p, STORAGE_ROLE_VOTER);
	const struct cluster_role_member *m = NULL;

	if (low != NULL && fit_voters(p) < cluster_voters_wanted(p->n)) {
		m = candidate(p, STORAGE_ROLE_VOTER, for_voter, 2);
		*role = STORAGE_ROLE_VOTER;
	}
	if (m == NULL && low == NULL)
		low = low_disk(p, STORAGE_ROLE_STANDBY);
	if (m == NULL && low != NULL) {
		m = low;
		*role = STORAGE_ROLE_SPARE;
	}
	if (m != NULL)
		*id = m->id;
	return m != NULL;
}

bool cluster_plan_role(const struct cluster_role_member *members, unsigned n, uint64_t self_id,
		       unsigned standbys_wanted, uint64_t *id, enum storage_role *role)
{
	const struct plan plan = { members, n, self_id, standbys_wanted };
	const struct plan *p = &plan;
	unsigned up[3] = { 0 };
	unsigned down[3] = { 0 };
	unsigned want_v = cluster_voters_wanted(p->n);
	unsigned want_s = p->standbys;
	static const enum storage_role for_voter[] = { STORAGE_ROLE_STANDBY, STORAGE_ROLE_SPARE };
	static const enum storage_role for_standby[] = { STORAGE_ROLE_SPARE };
	const struct cluster_role_member *m = NULL;

	if (p->n <= 1)
		return false;
	if (plan_low_disk(p, id, role))
		return true;
	for (unsigned i = 0; i < p->n; i++) {
		unsigned r = (unsigned)p->m[i].role;
		if (r > 2)
			continue;
		if (p->m[i].is_up)
			up[r]++;
		else
			down[r]++;
	}
	if (up[STORAGE_ROLE_VOTER] < want_v) {
		m = candidate(p, STORAGE_ROLE_VOTER, for_voter, 2);
		*role = STORAGE_ROLE_VOTER;
	}
	if (m == NULL && up[STORAGE_ROLE_VOTER] > want_v) {
		m = demotable(p, STORAGE_ROLE_VOTER, false);
		*role = STORAGE_ROLE_SPARE;
	}
	if (m == NULL && up[STORAGE_ROLE_VOTER] == want_v && down[STORAGE_ROLE_VOTER] == 0) {
		m = domain_spread(p);
		*role = STORAGE_ROLE_VOTER;
	}
	if (m == NULL && down[STORAGE_ROLE_VOTER] > 0 && up[STORAGE_ROLE_VOTER] >= want_v) {
		m = demotable(p, STORAGE_ROLE_VOTER, true);
		*role = STORAGE_ROLE_SPARE;
	}
	if (m == NULL && up[STORAGE_ROLE_STANDBY] < want_s) {
		m = candidate(p, STORAGE_ROLE_STANDBY, for_standby, 1);
		*role = STORAGE_ROLE_STANDBY;
	}
	if (m == NULL && up[STORAGE_ROLE_STANDBY] > want_s) {
		m = demotable(p, STORAGE_ROLE_STANDBY, false);
		*role = STORAGE_ROLE_SPARE;
	}
	if (m == NULL && down[STORAGE_ROLE_STANDBY] > 0) {
		m = demotable(p, STORAGE_ROLE_STANDBY, true);
		*role = STORAGE_ROLE_SPARE;
	}
	if (m == NULL)
		return false;
	*id = m->id;
	return true;
}
