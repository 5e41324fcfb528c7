/*
 * The overlap domain of a store backend (internal): the read of the mission's activities for
 * <concord/overlap.h>. Implemented by src/store/sqlite_overlap.c; the public wrappers are in
 * src/store/store_overlap.c.
 */
#ifndef CC_STORE_OPS_OVERLAP_H
#define CC_STORE_OPS_OVERLAP_H

#include <concord/overlap.h>

struct cc__overlap_ops {
	/* kind `activity` only, by id; areas' ancestors filled in path[] */
	int (*load_overlap)(struct cc_store *st, int64_t mission_id, struct cc_overlap_input *out,
	                    struct cc_err *err);
};

extern const struct cc__overlap_ops cc__sqlite_overlap;

#endif
