/*
 * The registry's backend operations (internal): struct cc_store_ops.registry points at one of
 * these; src/store/store_registry.c implements <concord/registry.h> over it.
 */
#ifndef CC_STORE_OPS_REGISTRY_H
#define CC_STORE_OPS_REGISTRY_H

#include <concord/registry.h>

#include "store/backend.h"

struct cc__registry_ops {
	/* appends the page's records to out->rows (a JSON array) and sets the rest of out */
	int (*list)(struct cc_store *st, const struct cc_reg_query *q, struct cc_reg_page *out,
	            struct cc_err *err);
	/* removes the record and what hangs on it (no visibility check, no log: store_registry.c)
	 */
	int (*remove)(struct cc_store *st, enum cc_reg_kind kind, int64_t id, struct cc_err *err);
	/* sets the owner of a lesson (0: none), without a log entry (store_registry.c logs) */
	int (*lesson_owner)(struct cc_store *st, int64_t id, int64_t owner_id, struct cc_err *err);
};

extern const struct cc__registry_ops cc__sqlite_registry; /* src/store/sqlite_registry.c */

#endif
