/* storage/disk.h: free space on the filesystem of the data directory.
 *
 * dqlite's raft does not survive ENOSPC well (docs/storage.md, "A full
 * disk"): a node must stop writing long before its filesystem is full.
 * A storage_disk measures the space an unprivileged user may still use
 * (statvfs f_bavail) each time it is asked to check, and keeps one state:
 *
 *   low        free < reserve
 *   ok again   free >= reserve + STORAGE_DISK_HYSTERESIS(reserve)
 *
 * While low, the store refuses new writes (storage_store_config.disk) and
 * health reports it. Whoever calls storage_disk_check() (node/, once a
 * second) logs and acts on the changes it returns. reserve 0: never low.
 * Any thread may call every function except storage_disk_free(). */
#ifndef CREEK_STORAGE_DISK_H
#define CREEK_STORAGE_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/err.h"

/* Above the reserve by a tenth of it, at least 1 MiB: a node that hovers at
 * the reserve does not flap between refusing and taking writes. */
#define STORAGE_DISK_HYSTERESIS(reserve)                                                           \
	((reserve) / 10 > (1u << 20) ? (reserve) / 10 : (uint64_t)(1u << 20))

/* The refusal's text (CR_EUNAVAIL), which web/ shows to clients. */
#define STORAGE_DISK_FULL_MSG "the data disk of this node is nearly full: writes are refused"

struct storage_disk;

struct storage_disk_status {
	bool is_low;
	bool is_known;          /* false until the first check succeeded */
	uint64_t free_bytes;    /* as of the last check */
	uint64_t reserve_bytes; /* 0: the guard is off */
};

enum storage_disk_change {
	STORAGE_DISK_SAME = 0,
	STORAGE_DISK_WENT_LOW = 1,
	STORAGE_DISK_RECOVERED = 2,
};

/* Watch the filesystem of dir (copied), keeping reserve_bytes free. Takes
 * the first measurement now: CR_EINVAL if dir cannot be measured. */
int storage_disk_new(const char *dir, uint64_t reserve_bytes, struct storage_disk **out,
		     struct cr_err *err);
void storage_disk_free(struct storage_disk *d); /* NULL is a no-op */

/* Measure again and return the change since the last check. A failed
 * statvfs keeps the last state (and is logged once per run of failures). */
enum storage_disk_change storage_disk_check(struct storage_disk *d);
void storage_disk_status(struct storage_disk *d, struct storage_disk_status *out);
/* storage_disk_status().is_low; false for NULL. */
bool storage_disk_is_low(struct storage_disk *d);

#endif
