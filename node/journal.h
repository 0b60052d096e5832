/* node/journal.h: the journald log sink (structured fields). */
#ifndef CREEK_NODE_JOURNAL_H
#define CREEK_NODE_JOURNAL_H

#include <stdbool.h>

#include "../lib/log.h"

/* True when stderr is connected to the journal (systemd sets
 * JOURNAL_STREAM to the device:inode of the stream it gave us). */
bool node_journal_is_stderr(void);
/* A cr_log_sink_fn sending PRIORITY, MESSAGE, CREEK_MODULE, CREEK_NODE,
 * CODE_FILE/LINE/FUNC and the thread's cr_log_fields (CREEK_REQUEST_ID,
 * CREEK_WORKSPACE, CREEK_EVENT, CREEK_ACTOR, CREEK_CLIENT_ADDRESS) when
 * set. arg: the node id as text (borrowed, may be NULL). */
void node_journal_sink(enum cr_log_level level, const struct cr_log_site *site, const char *msg,
		       void *arg);

#endif
