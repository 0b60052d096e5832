/* storage/disk.c: free space of the data directory's filesystem; see disk.h. */
#define LOG_MODULE "storage"
#include "disk.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "../lib/log.h"
#include "../lib/mem.h"

struct storage_disk {
	char *dir;
	uint64_t reserve_bytes;
	bool is_failing;      /* statvfs failed last time (logged once) */
	pthread_mutex_t lock; /* guards status */
	struct storage_disk_status status;
};

static int measure(const char *dir, uint64_t *free_bytes)
{
	struct statvfs st;

	if (statvfs(dir, &st) < 0)
		return -errno;
	*free_bytes = (uint64_t)st.f_bavail * (uint64_t)st.f_frsize;
	return 0;
}

int storage_disk_new(const char *dir, uint64_t reserve_bytes, struct storage_disk **out,
		     struct cr_err *err)
{
	struct storage_disk *d;
	uint64_t free_bytes = 0;
	int rc = measure(dir, &free_bytes);

	if (rc < 0)
		return cr_err_set(err, CR_EINVAL, "cannot measure the free space of '%s': %s", dir,
				  strerror(-rc));
	d = cr_calloc(1, sizeof(*d));
	d->dir = cr_strdup(dir);
	d->reserve_bytes = reserve_bytes;
	pthread_mutex_init(&d->lock, NULL);
	d->status.reserve_bytes = reserve_bytes;
	(void)storage_disk_check(d);
	*out = d;
	return 0;
}

void storage_disk_free(struct storage_disk *d)
{
	if (d == NULL)
		return;
	pthread_mutex_destroy(&d->lock);
	free(d->dir);
	free(d);
}

enum storage_disk_change storage_disk_check(struct storage_disk *d)
{
	enum storage_disk_change change = STORAGE_DISK_SAME;
	uint64_t free_bytes = 0;
	int rc = measure(d->dir, &free_bytes);
	bool is_low;

	if (rc < 0) {
		if (!d->is_failing)
			log_warn("cannot measure the free space of '%s': %s", d->dir,
				 strerror(-rc));
		d->is_failing = true;
		return STORAGE_DISK_SAME;
	}
	d->is_failing = false;
	pthread_mutex_lock(&d->lock);
	is_low = d->status.is_low;
	if (d->reserve_bytes > 0 && !is_low && free_bytes < d->reserve_bytes)
		is_low = true;
	else if (is_low &&
		 (d->reserve_bytes == 0 ||
		  free_bytes >= d->reserve_bytes + STORAGE_DISK_HYSTERESIS(d->reserve_bytes)))
		is_low = false;
	if (is_low != d->status.is_low)
		change = is_low ? STORAGE_DISK_WENT_LOW : STORAGE_DISK_RECOVERED;
	d->status.is_low = is_low;
	d->status.is_known = true;
	d->status.free_bytes = free_bytes;
	pthread_mutex_unlock(&d->lock);
	return change;
}

void storage_disk_status(struct storage_disk *d, struct storage_disk_status *out)
{
	pthread_mutex_lock(&d->lock);
	*out = d->status;
	pthread_mutex_unlock(&d->lock);
}

bool storage_disk_is_low(struct storage_disk *d)
{
	struct storage_disk_status st;

	if (d == NULL)
		return false;
	storage_disk_status(d, &st);
	return st.is_low;
}
