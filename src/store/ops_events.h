/*
 * The events domain of a store backend (internal): the incident table. Implemented by
 * src/store/sqlite_events.c; the public wrappers are in src/store/store_events.c.
 */
#ifndef CC_STORE_OPS_EVENTS_H
#define CC_STORE_OPS_EVENTS_H

#include <concord/events.h>

struct cc__events_ops {
	int (*put_incident)(struct cc_store *st, struct cc_incident *inc, int64_t batch,
	                    enum cc_put_result *res_out, struct cc_err *err);
	int (*count_incidents)(struct cc_store *st, const char *source, int64_t *n_out,
	                       struct cc_err *err);
	int (*latest_incident)(struct cc_store *st, int32_t *date_out, struct cc_err *err);
	int (*load_incidents)(struct cc_store *st, const struct cc_incident_query *q,
	                      struct cc_exposure_incident **out, size_t *n_out,
	                      char (**types_out)[64], size_t *n_types_out, struct cc_err *err);
	/* the incidents the reader may see, of source (NULL: all), by source and id */
	int (*each_incident)(struct cc_store *st, const char *source, cc_incident_fn *fn,
	                     void *ctx, struct cc_err *err);
	/* drops / recreates the secondary indexes of the incident table (a bulk load) */
	int (*drop_indexes)(struct cc_store *st, char **saved, struct cc_err *err);
	int (*restore_indexes)(struct cc_store *st, const char *saved, struct cc_err *err);
	/* activities of the mission: id, area_id, pcode, title, lat/lon (NAN when none) */
	int (*load_places)(struct cc_store *st, int64_t mission_id, struct cc_exposure_place **out,
	                   size_t *n_out, struct cc_err *err);
};

extern const struct cc__events_ops cc__sqlite_events;

#endif
