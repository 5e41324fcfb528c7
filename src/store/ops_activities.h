/*
 * The activities read domain's backend operations (internal): struct cc_store_ops.activities
 * points at one of these; src/store/store_activities.c implements <concord/activities.h>.
 */
#ifndef CC_STORE_OPS_ACTIVITIES_H
#define CC_STORE_OPS_ACTIVITIES_H

#include <concord/activities.h>

#include "store/backend.h"

struct cc__activities_ops {
	/* q checked (limit set); fills out->rows and out->priv; next_after set by the caller */
	int (*list)(struct cc_store *st, const struct cc_activity_query *q,
	            struct cc_activity_page *out, struct cc_err *err);
};

extern const struct cc__activities_ops cc__sqlite_activities; /* src/store/sqlite_activities.c */

#endif
