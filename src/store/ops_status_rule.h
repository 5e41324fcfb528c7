/*
 * The status-rule domain's backend operations (internal): each mission's thresholds for the
 * status of its progress (table mission_status_rule), reached through struct
 * cc_store_ops.status_rule. store_status_rule.c checks arguments and dispatches; a backend
 * without the table leaves the pointer NULL and every mission keeps the defaults.
 */
#ifndef CC_STORE_OPS_STATUS_RULE_H
#define CC_STORE_OPS_STATUS_RULE_H

#include <concord/progress.h>

struct cc_store;

struct cc__status_rule_ops {
	/* the mission's rule; all fields 0 when it has none */
	int (*get_rule)(struct cc_store *st, int64_t mission_id, struct cc_status_rule *out,
	                struct cc_err *err);
	/* replaces the mission's rule (0 fields: NULL, the default) */
	int (*set_rule)(struct cc_store *st, int64_t mission_id, const struct cc_status_rule *r,
	                struct cc_err *err);
};

extern const struct cc__status_rule_ops cc__sqlite_status_rule; /* sqlite_status_rule.c */

#endif
