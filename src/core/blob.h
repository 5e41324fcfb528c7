/* Files compiled into the program by scripts/embed.py (migrations, code lists). */
#ifndef CC_BLOB_H
#define CC_BLOB_H

#include <stddef.h>

struct cc__blob {
	const char *name;          /* base name, "0001_init.sql"; NULL ends a table */
	const unsigned char *data; /* NUL-terminated */
	size_t len;                /* without the NUL */
};

extern const struct cc__blob cc__migrations[]; /* in order of version */
extern const struct cc__blob cc__codelists[];

#endif
