/*
 * The error value of libconcord.
 *
 * Every action returns int: 0 on success or a negative enum cc_code. Details travel in a
 * struct cc_err filled by the function that knows the reason; callers add the input location
 * (file, line, field) with cc_err_at() and pass it up. Only front ends (src/cli, src/server)
 * print errors or map them to exit or HTTP status.
 *
 * struct cc_err is fixed-size so that reporting never allocates. Every function taking
 * "struct cc_err *err" accepts NULL. Codes never change value and are never reused.
 */
#ifndef CONCORD_ERROR_H
#define CONCORD_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define CC_API __attribute__((visibility("default")))

#define CC__STR2(x) #x
#define CC__STR(x)  CC__STR2(x)

/* X(name, value, text): the one list of codes; names and texts are generated from it. */
#define CC_ERRORS(X)                                                  \
	X(OK, 0, "success")                                           \
	X(ENOMEM, -1, "out of memory")                                \
	X(EIO, -2, "cannot read or write")                            \
	X(EPARSE, -3, "malformed input")                              \
	X(EINVALID, -4, "value out of range or not in codelist")      \
	X(ETOOBIG, -5, "input exceeds a size limit")                  \
	X(ENOTFOUND, -6, "not found")                                 \
	X(EDENIED, -7, "not permitted")                               \
	X(ESTORE, -8, "storage engine failure")                       \
	X(ESCHEMA, -9, "database schema is older or newer than this program") \
	X(EUSAGE, -10, "invalid arguments")                           \
	X(EEXIST, -11, "already exists")                              \
	X(EREJECTED, -12, "rows rejected")                            \
	X(EBUSY, -13, "database is busy")                             \
	X(EUNSUPPORTED, -14, "not supported by this build")           \
	X(ECHANGED, -15, "changed since it was read")

enum cc_code {
#define CC_X(name, value, text) CC_##name = (value),
	CC_ERRORS(CC_X)
#undef CC_X
};

struct cc_err {
	enum cc_code code;
	char msg[256];   /* "unknown P-code 'LY0199'": lowercase, no full stop */
	char file[256];  /* input file, "" when none */
	long line;       /* 1-based physical line in file, 0 when none */
	char field[64];  /* column, XML element or JSON member, "" when none */
	const char *src; /* "src/io/hxl.c:212", for logs only; static string */
};

/* The name ("ENOMEM") and the text ("out of memory") of a code; "unknown" for others. */
CC_API const char *cc_code_name(int code);
CC_API const char *cc_code_text(int code);

/* Fills err (if not NULL) with code and a printf-style message; returns code. */
#define cc_err_set(err, code, ...) cc__err_set((err), (code), __FILE__ ":" CC__STR(__LINE__), __VA_ARGS__)
CC_API int cc__err_set(struct cc_err *err, int code, const char *src, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Fills err (if not NULL) with cause's code and a printf-style context before cause's message:
 * "cannot look up area 'Kunar': <the store's message>". Returns cause's code.
 */
#define cc_err_wrap(err, cause, ...) \
	cc__err_wrap((err), (cause), __FILE__ ":" CC__STR(__LINE__), __VA_ARGS__)
CC_API int cc__err_wrap(struct cc_err *err, const struct cc_err *cause, const char *src,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sets the location: file (NULL keeps it), line (0 keeps it), field (NULL keeps it). */
CC_API void cc_err_at(struct cc_err *err, const char *file, long line, const char *field);

/* Resets err to "no error". */
CC_API void cc_err_clear(struct cc_err *err);

/*
 * Formats err as "file:line: field: message" (parts omitted when empty) into buf of size n.
 * Returns buf.
 */
CC_API const char *cc_err_format(const struct cc_err *err, char *buf, size_t n);

#endif
