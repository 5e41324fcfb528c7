/*
 * The rates domain's backend operations (internal): exchange rates and each mission's reporting
 * currency, reached through struct cc_store_ops.rates. store_rates.c checks arguments and
 * dispatches; the backend behaves as <concord/money.h> documents.
 */
#ifndef CC_STORE_OPS_RATES_H
#define CC_STORE_OPS_RATES_H

#include <concord/money.h>

struct cc__rates_ops {
	int (*put_rate)(struct cc_store *st, const struct cc_rate *r, const char *source,
	                enum cc_put_result *res_out, struct cc_err *err);
	/* sorted by currency, kind, date; currency NULL: all */
	int (*load_rates)(struct cc_store *st, const char *currency, struct cc_rates *out,
	                  struct cc_err *err);
	int (*get_money)(struct cc_store *st, int64_t mission_id, char currency[static 4],
	                 int *tolerance_days_out, struct cc_err *err);
	int (*set_money)(struct cc_store *st, int64_t mission_id, const char *currency,
	                 int tolerance_days, struct cc_err *err);
};

extern const struct cc__rates_ops cc__sqlite_rates; /* src/store/sqlite_rates.c */

#endif
