/* node/notify.c: see notify.h. */
#define LOG_MODULE "node"
#include "notify.h"

#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "../lib/log.h"

static void notify_send(const char *msg)
{
	int rc = sd_notify(0, msg);

	if (rc < 0)
		log_warn("cannot notify systemd: error %d", rc);
}

void node_notify_ready(const char *status)
{
	char msg[512];

	(void)snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	notify_send(msg);
}

void node_notify_status(const char *status)
{
	char msg[512];

	(void)snprintf(msg, sizeof(msg), "STATUS=%s", status);
	notify_send(msg);
}

void node_notify_stopping(void)
{
	notify_send("STOPPING=1\nSTATUS=Stopping");
}

void node_notify_watchdog(void)
{
	notify_send("WATCHDOG=1");
}

uint64_t node_notify_watchdog_usec(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return usec;
}
