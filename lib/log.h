/* lib/log.h: logging at the edges.
 *
 * Each .c file that logs defines LOG_MODULE ("web", "storage", ...) before
 * including this header. By default lines go to stderr; node/ installs a
 * journald sink when run by systemd (lib itself knows nothing of systemd).
 * Never log passwords, tokens, cookies, SQL parameters or records. */
#ifndef CREEK_LIB_LOG_H
#define CREEK_LIB_LOG_H

#include <stddef.h>

/* syslog priorities, so that a journald sink can pass them through. */
enum cr_log_level {
	CR_LOG_ERR = 3,
	CR_LOG_WARN = 4,
	CR_LOG_NOTICE = 5,
	CR_LOG_INFO = 6,
	CR_LOG_DEBUG = 7,
};

struct cr_log_site {
	const char *module;
	const char *file;
	int line;
	const char *func;
};

/* A sink receives one formatted message (no trailing newline). Any thread. */
typedef void (*cr_log_sink_fn)(enum cr_log_level level, const struct cr_log_site *site,
			       const char *msg, void *arg);

/* Set the sink and the most verbose level emitted. Call from main() before
 * any other thread starts; NULL restores the stderr sink. */
void cr_log_configure(cr_log_sink_fn sink, void *arg, enum cr_log_level max_level);

void cr_log(enum cr_log_level level, const struct cr_log_site *site, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Change the most verbose level emitted; any thread. */
void cr_log_set_level(enum cr_log_level max_level);
enum cr_log_level cr_log_get_level(void);
/* "error", "warning", "notice", "info", "debug" -> level; -1 if unknown. */
int cr_log_level_parse(const char *name, enum cr_log_level *out);

/* Name of a level ("error", "warning", ...). */
const char *cr_log_level_name(enum cr_log_level level);

/* What a message concerns, beyond its text: journald gets each non-NULL
 * member as a field (CREEK_REQUEST_ID, CREEK_WORKSPACE, CREEK_EVENT,
 * CREEK_ACTOR, CREEK_CLIENT_ADDRESS); the stderr sink prints only the
 * message, so callers also name what matters in the text. */
struct cr_log_fields {
	const char *request_id;
	const char *workspace;
	const char *event; /* a security event's name ("sign_in_failed") */
	const char *actor;
	const char *client_address;
};

/* Attach fields to the messages this thread logs until the next call;
 * NULL detaches them. The strings are borrowed until then. */
void cr_log_fields_set(const struct cr_log_fields *fields);
/* This thread's fields, or NULL (for sinks). */
const struct cr_log_fields *cr_log_fields_get(void);

/* Copy in to out (out_len > 0, always terminated) so that it cannot forge
 * or hide a line: \n, \r and \t become those two characters, other C0
 * controls and DEL become \xNN, and the Unicode bidirectional controls
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) become \uNNNN.
 * Truncated at out_len - 1 bytes, never inside an escape or a UTF-8
 * sequence. Returns the bytes written. cr_log() applies it to every
 * message. */
size_t cr_log_escape(const char *in, char *out, size_t out_len);

#define CR_LOG_AT(level, ...)                                                                      \
	do {                                                                                       \
		static const struct cr_log_site cr_site_ = { LOG_MODULE, __FILE__, __LINE__,       \
							     __func__ };                           \
		cr_log(level, &cr_site_, __VA_ARGS__);                                             \
	} while (0)

#define log_err(...)    CR_LOG_AT(CR_LOG_ERR, __VA_ARGS__)
#define log_warn(...)   CR_LOG_AT(CR_LOG_WARN, __VA_ARGS__)
#define log_notice(...) CR_LOG_AT(CR_LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   CR_LOG_AT(CR_LOG_INFO, __VA_ARGS__)
#define log_debug(...)  CR_LOG_AT(CR_LOG_DEBUG, __VA_ARGS__)

#endif
