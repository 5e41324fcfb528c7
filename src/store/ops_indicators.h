/*
 * The indicators domain's backend operations (internal): one const table per backend, reached
 * through struct cc_store_ops.indicators. store_indicators.c checks arguments and dispatches;
 * the backend behaves as <concord/indicators.h> documents.
 */
#ifndef CC_STORE_OPS_INDICATORS_H
#define CC_STORE_OPS_INDICATORS_H

#include <concord/indicators.h>

struct cc__indicators_ops {
	int (*put_indicator)(struct cc_store *st, struct cc_indicator *ind,
	                     enum cc_put_result *res_out, struct cc_err *err);
	int (*find_indicator)(struct cc_store *st, int64_t mission_id, const char *code,
	                      struct cc_indicator *out, struct cc_err *err);
	int (*put_benchmark)(struct cc_store *st, struct cc_benchmark *b,
	                     enum cc_put_result *res_out, struct cc_err *err);
	int (*put_observation)(struct cc_store *st, struct cc_observation *o,
	                       enum cc_put_result *res_out, struct cc_err *err);
	int (*load)(struct cc_store *st, const struct cc_indicator_query *q,
	            struct cc_indicator_data *out, struct cc_err *err);
};

extern const struct cc__indicators_ops cc__sqlite_indicators; /* src/store/sqlite_indicators.c */

#endif
