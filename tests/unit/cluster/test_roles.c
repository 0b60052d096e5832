/* tests/unit/cluster/test_roles.c: cluster_plan_role, the leader's choice
 * of the next role change, on pictures of members. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "cluster/cluster_int.h"

#define V STORAGE_ROLE_VOTER
#define S STORAGE_ROLE_STANDBY
#define P STORAGE_ROLE_SPARE

/* An up, reachable member of role in its own failure domain. */
static struct cluster_role_member up(uint64_t id, enum storage_role role)
{
	return (struct cluster_role_member){ .id = id,
					     .role = role,
					     .failure_domain = (unsigned)id,
					     .is_up = true,
					     .reachable = true };
}

/* The change planned for members with leader 1 and no standbys wanted:
 * "" for none, else "<id>:<role letter>". */
static const char *plan(const struct cluster_role_member *m, unsigned n, unsigned standbys)
{
	static char out[32];
	uint64_t id = 0;
	enum storage_role role = P;

	if (!cluster_plan_role(m, n, 1, standbys, &id, &role))
		return "";
	(void)snprintf(out, sizeof(out), "%llu:%c", (unsigned long long)id,
		       role == V   ? 'V'
		       : role == S ? 'S'
				   : 'P');
	return out;
}

static void a_settled_cluster_changes_nothing(void **state)
{
	struct cluster_role_member m[] = { up(1, V), up(2, V), up(3, V) };

	(void)state;
	assert_string_equal(plan(m, 3, 0), "");
	assert_int_equal(cluster_voters_wanted(1), 1);
	assert_int_equal(cluster_voters_wanted(3), 3);
	assert_int_equal(cluster_voters_wanted(6), 3);
	assert_int_equal(cluster_voters_wanted(7), 5);
}

static void missing_voters_come_from_standbys_first_then_spares(void **state)
{
	struct cluster_role_member m[] = { up(1, V), up(2, V), up(3, P), up(4, S) };

	(void)state;
	assert_string_equal(plan(m, 4, 1), "4:V");
	m[3].role = P;
	assert_string_equal(plan(m, 4, 0), "3:V");
	/* One that does not answer is not promoted. */
	m[2].reachable = false;
	assert_string_equal(plan(m, 4, 0), "4:V");
}

static void extra_and_down_voters_are_demoted_never_the_leader(void **state)
{
	struct cluster_role_member m[] = { up(1, V), up(2, V), up(3, V), up(4, V) };

	(void)state;
	assert_string_equal(plan(m, 4, 0), "4:P"); /* the highest id */
	m[3].role = P;
	m[1].is_up = false; /* 2 down: a voter is missing, 4 takes its place */
	assert_string_equal(plan(m, 4, 0), "4:V");
	m[3].role = V;
	assert_string_equal(plan(m, 4, 0), "2:P");
}

static void a_voter_whose_disk_is_low_becomes_a_spare(void **state)
{
	struct cluster_role_member m[] = { up(1, V), up(2, V), up(3, V) };

	(void)state;
	m[2].disk_low = true;
	assert_string_equal(plan(m, 3, 0), "3:P"); /* no one to take its place */
	m[2].role = P;
	assert_string_equal(plan(m, 3, 0), ""); /* and it is not promoted back */
	m[2].disk_low = false;
	assert_string_equal(plan(m, 3, 0), "3:V"); /* until its disk has room */
}

static void a_fit_spare_replaces_a_low_voter_first(void **state)
{
	struct cluster_role_member m[] = { up(1, V), up(2, V), up(3, V), up(4, P) };

	(void)state;
	m[1].disk_low = true;
	assert_string_equal(plan(m, 4, 0), "4:V");
	m[3].role = V;
	assert_string_equal(plan(m, 4, 0), "2:P"); /* the low one, not the highest id */
}

static void a_low_standby_becomes_a_spare_and_the_leader_never_moves(void **state)
{
	struct cluster_role_member m[] = { up(1, V), up(2, V), up(3, V), up(4, S) };

	(void)state;
	m[3].disk_low = true;
	assert_string_equal(plan(m, 4, 1), "4:P");
	m[3].disk_low = false;
	m[0].disk_low = true; /* the leader hands leadership away first */
	assert_string_equal(plan(m, 4, 1), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_settled_cluster_changes_nothing),
		cmocka_unit_test(missing_voters_come_from_standbys_first_then_spares),
		cmocka_unit_test(extra_and_down_voters_are_demoted_never_the_leader),
		cmocka_unit_test(a_voter_whose_disk_is_low_becomes_a_spare),
		cmocka_unit_test(a_fit_spare_replaces_a_low_voter_first),
		cmocka_unit_test(a_low_standby_becomes_a_spare_and_the_leader_never_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
