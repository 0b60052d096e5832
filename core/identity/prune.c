/* core/identity/prune.c: identity's part of the leader's hourly prune job
 * (cluster/scheduler.h; node/ registers it): rows of the system database
 * that count for nothing any more. Moved here from cluster/scheduler.c,
 * which deleted them for identity before engines registered their own. */
#include "identity.h"

#include "../../storage/store.h"
#include "workspace.h"

#define SIGN_IN_FAILURE_KEEP_US (3600LL * 1000000) /* past the 15-minute window */

int id_prune(struct storage_tx *tx, int64_t now_us, struct cr_err *err)
{
	/* Ended sessions, and sign-in failures whose 15-minute window and lock
	 * are over (they count for nothing any more). */
	struct storage_value p = storage_int(now_us);
	int rc = storage_tx_exec(tx, "DELETE FROM session WHERE expires_us <= ?", &p, 1, NULL, err);

	p = storage_int(now_us - SIGN_IN_FAILURE_KEEP_US);
	if (rc == 0)
		rc = storage_tx_exec(tx,
				     "DELETE FROM sign_in_failure WHERE first_us < ?1 AND "
				     "locked_until_us < ?1",
				     &p, 1, NULL, err);
	/* Invitations nobody answered in time. */
	p = storage_int(now_us - (int64_t)ID_INVITATION_DAYS * 24 * 3600 * 1000000);
	if (rc == 0)
		rc = storage_tx_exec(tx, "DELETE FROM member_invitation WHERE created_us < ?", &p,
				     1, NULL, err);
	return rc;
}
