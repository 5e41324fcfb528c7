/*
 * The lessons domain's backend operations (internal): struct cc_store_ops.lessons points at one
 * of these; src/store/store_lessons.c implements <concord/lessons.h> over it.
 */
#ifndef CC_STORE_OPS_LESSONS_H
#define CC_STORE_OPS_LESSONS_H

#include <stdbool.h>
#include <stddef.h>

#include <concord/lessons.h>

#include "store/backend.h"

struct cc__lessons_ops {
	/*
	 * As cc_store_put_lesson; digest (hex) covers the lesson's fields, computed by
	 * store_lessons.c. The backend checks the status move against the stored status.
	 */
	int (*put)(struct cc_store *st, struct cc_lesson *l, const char *digest,
	           const struct cc_lesson_link *links, size_t n_links, bool keep_links,
	           enum cc_lesson_put *res_out, struct cc_err *err);
	int (*get)(struct cc_store *st, const char *key, struct cc_lesson *out, struct cc_err *err);
	int (*list)(struct cc_store *st, const struct cc_lesson_filter *f, struct cc_lesson **out,
	            size_t *n_out, struct cc_err *err);
	int (*links)(struct cc_store *st, const char *key, struct cc_lesson_link **out,
	             size_t *n_out, struct cc_err *err);
	int (*evidence)(struct cc_store *st, enum cc_evidence_kind kind, const char *ref,
	                struct cc_lesson_link **out, size_t *n_out, struct cc_err *err);
	/* every lesson matching the plain-words query, best first, unfiltered */
	int (*search)(struct cc_store *st, const char *query, struct cc_lesson_hit **out,
	              size_t *n_out, struct cc_err *err);
	/* as cc_store_evidence_exists */
	int (*evidence_exists)(struct cc_store *st, enum cc_evidence_kind kind, const char *ref,
	                       bool *found, struct cc_err *err);
};

extern const struct cc__lessons_ops cc__sqlite_lessons; /* src/store/sqlite_lessons.c */

#endif
