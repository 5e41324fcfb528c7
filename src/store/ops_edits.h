/*
 * The edits domain's backend operations (internal): struct cc_store_ops.edits points at one of
 * these; src/store/store_edits.c implements <concord/edits.h> over it.
 */
#ifndef CC_STORE_OPS_EDITS_H
#define CC_STORE_OPS_EDITS_H

#include <concord/edits.h>

#include "store/backend.h"

struct cc__edits_ops {
	/* the update and its change-log entry, in the caller's transaction or their own */
	int (*update_activity)(struct cc_store *st, const struct cc_activity *a, unsigned flags,
	                       struct cc_err *err);
	int (*update_observation)(struct cc_store *st, int64_t mission_id,
	                          const struct cc_observation *o, struct cc_err *err);
};

extern const struct cc__edits_ops cc__sqlite_edits; /* src/store/sqlite_edits.c */

#endif
