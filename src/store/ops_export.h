/*
 * The export domain's backend operations (internal): struct cc_store_ops.export points at one of
 * these; src/store/store_export.c implements the store part of <concord/export.h> over it.
 */
#ifndef CC_STORE_OPS_EXPORT_H
#define CC_STORE_OPS_EXPORT_H

#include <concord/export.h>

#include "store/backend.h"

struct cc__export_ops {
	int (*activities)(struct cc_store *st, int64_t mission_id, cc_export_activity_fn *fn,
	                  void *ctx, struct cc_err *err);
	int (*log_head)(struct cc_store *st, char out[static 65], int64_t *n_out,
	                struct cc_err *err);
};

extern const struct cc__export_ops cc__sqlite_export; /* src/store/sqlite_export.c */

#endif
