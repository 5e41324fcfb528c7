/*
 * The IATI domain's backend operations (internal): one const table per backend, reached through
 * struct cc_store_ops.iati. store_iati.c checks arguments and dispatches; the backend behaves as
 * <concord/iati.h> documents.
 */
#ifndef CC_STORE_OPS_IATI_H
#define CC_STORE_OPS_IATI_H

#include <concord/iati.h>

struct cc__iati_ops {
	int (*put_activity)(struct cc_store *st, struct cc_iati_activity *a, int64_t batch,
	                    enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err);
	int (*remove_stale)(struct cc_store *st, int64_t source_id, int64_t batch,
	                    size_t *n_removed_out, struct cc_err *err);
	int (*each_activity)(struct cc_store *st, int64_t mission_id, cc_iati_activity_fn *fn,
	                     void *ctx, struct cc_err *err);
	int (*count)(struct cc_store *st, int64_t mission_id, const char *table, int64_t *n_out,
	             struct cc_err *err);
	int (*find_other)(struct cc_store *st, int64_t mission_id, const char *identifier,
	                  int64_t source_id, struct cc_iati_stored *out, struct cc_err *err);
	int (*get_activity)(struct cc_store *st, int64_t id, cc_iati_activity_fn *fn, void *ctx,
	                    struct cc_err *err);
	int (*remove_activity)(struct cc_store *st, int64_t id, const unsigned char (*natkeys)[16],
	                       size_t n_natkeys, struct cc_err *err);
};

extern const struct cc__iati_ops cc__sqlite_iati; /* src/store/sqlite_iati.c */

#endif
