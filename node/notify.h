/* node/notify.h: telling systemd how the service is doing (sd_notify).
 * All calls are no-ops when NOTIFY_SOCKET is not set. Any thread. */
#ifndef CREEK_NODE_NOTIFY_H
#define CREEK_NODE_NOTIFY_H

#include <stdint.h>

void node_notify_ready(const char *status);
void node_notify_status(const char *status);
void node_notify_stopping(void);
void node_notify_watchdog(void);
/* The watchdog interval systemd asked for, in microseconds, or 0. */
uint64_t node_notify_watchdog_usec(void);

#endif
