/* The needs domain's backend operations (internal): see <concord/needs.h>. */
#ifndef CC_STORE_OPS_NEEDS_H
#define CC_STORE_OPS_NEEDS_H

#include <concord/needs.h>

struct cc__needs_ops {
	int (*put_need)(struct cc_store *st, struct cc_need *n, int64_t batch,
	                enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err);
	int (*remove_stale_needs)(struct cc_store *st, int64_t source_id, int64_t batch,
	                          size_t *n_removed_out, struct cc_err *err);
	int (*load_needs)(struct cc_store *st, const struct cc_need_query *q,
	                  struct cc_gap_need **needs_out, size_t *n_needs_out,
	                  struct cc_area **areas_out, size_t *n_areas_out,
	                  struct cc_gap_sector **sectors_out, size_t *n_sectors_out,
	                  struct cc_err *err);
	int (*list_needs)(struct cc_store *st, const struct cc_need_query *q, struct cc_need **out,
	                  size_t *n_out, struct cc_err *err);
	int (*put_population)(struct cc_store *st, const struct cc_population *p, int64_t batch,
	                      enum cc_put_result *res_out, struct cc_err *err);
	int (*remove_stale_population)(struct cc_store *st, int64_t source_id, int64_t batch,
	                               size_t *n_removed_out, struct cc_err *err);
	int (*list_population)(struct cc_store *st, int64_t area_id, struct cc_population **out,
	                       size_t *n_out, struct cc_err *err);
};

extern const struct cc__needs_ops cc__sqlite_needs; /* src/store/sqlite_needs.c */

#endif
