/* storage/value.h: SQL values as they cross dqlite's wire protocol.
 *
 * Type codes are the protocol's (dqlite src/tuple.h, 1.11). Parameters may
 * be INTEGER, FLOAT, TEXT, BLOB, NULL, ISO8601 (bound as text) or BOOLEAN
 * (bound as 0/1). UNIXTIME appears only in rows: dqlite 1.11 rejects it as a
 * parameter, so the encoder refuses it. Creek's schemas never declare
 * DATETIME/DATE/TIMESTAMP/BOOLEAN columns (they can abort a 1.11 server),
 * but the decoder accepts those row types for tables made by other clients. */
#ifndef CREEK_STORAGE_VALUE_H
#define CREEK_STORAGE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum storage_type {
	STORAGE_INTEGER = 1,
	STORAGE_FLOAT = 2,
	STORAGE_TEXT = 3,
	STORAGE_BLOB = 4,
	STORAGE_NULL = 5,
	STORAGE_UNIXTIME = 9,
	STORAGE_ISO8601 = 10,
	STORAGE_BOOLEAN = 11,
};

/* Text is UTF-8 and may not contain NUL (the protocol NUL-terminates it);
 * blobs may hold any bytes. Pointers are borrowed: in parameters from the
 * caller for the duration of the call, in rows from the row set. */
struct storage_value {
	enum storage_type type;
	union {
		int64_t i; /* INTEGER, UNIXTIME (seconds) */
		double f;  /* FLOAT */
		bool b;    /* BOOLEAN */
		struct {
			const char *p; /* TEXT/ISO8601: NUL-terminated */
			size_t len;    /* bytes, without the NUL */
		} s;                   /* TEXT, ISO8601, BLOB */
	};
};

/* The most parameters one statement may bind (dqlite 1.11's u8 count). */
#define STORAGE_MAX_PARAMS 255

static inline struct storage_value storage_int(int64_t i)
{
	struct storage_value v = { .type = STORAGE_INTEGER, .i = i };
	return v;
}

static inline struct storage_value storage_float(double f)
{
	struct storage_value v = { .type = STORAGE_FLOAT, .f = f };
	return v;
}

/* s must stay valid for the call; NULL gives a NULL value. */
struct storage_value storage_text(const char *s);
struct storage_value storage_textn(const char *s, size_t len);
struct storage_value storage_blob(const void *p, size_t len);
struct storage_value storage_iso8601(const char *s);

static inline struct storage_value storage_null(void)
{
	struct storage_value v = { .type = STORAGE_NULL };
	return v;
}

static inline struct storage_value storage_bool(bool b)
{
	struct storage_value v = { .type = STORAGE_BOOLEAN, .b = b };
	return v;
}

#endif
