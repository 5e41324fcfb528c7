/*
 * The computed indicators' backend operations (internal): reached through
 * struct cc_store_ops.computed. store_computed.c checks arguments, dispatches, and writes the
 * observations through the indicators domain.
 */
#ifndef CC_STORE_OPS_COMPUTED_H
#define CC_STORE_OPS_COMPUTED_H

#include <concord/computed.h>

struct cc__computed_ops {
	int (*load_incidents)(struct cc_store *st, int64_t mission_id, const char *source,
	                      int32_t from, int32_t to, struct cc_computed_incident **out,
	                      size_t *n_out, struct cc_err *err);
	int (*load_activities)(struct cc_store *st, int64_t mission_id, int32_t from, int32_t to,
	                       struct cc_computed_activity **out, size_t *n_out,
	                       struct cc_err *err);
	/* ids of the observations of indicator_id with source "computed" in areas of the level
	 * whose period ends within from … to, ascending */
	int (*list_computed)(struct cc_store *st, int64_t indicator_id, int level, int32_t from,
	                     int32_t to, int64_t **ids_out, size_t *n_out, struct cc_err *err);
	int (*delete_observation)(struct cc_store *st, int64_t id, struct cc_err *err);
};

extern const struct cc__computed_ops cc__sqlite_computed; /* src/store/sqlite_computed.c */

#endif
