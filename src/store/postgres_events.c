/*
 * The events domain on PostgreSQL: not there yet (incidents partitioned by year with a key
 * table for deduplication come in a later step, docs/postgres.md). Every operation says so,
 * with the same words, rather than the generic "this store has no incident table".
 * A function added to struct cc__events_ops needs its line here too, or it is NULL on
 * PostgreSQL and store_events.c would call through it.
 */
#include "store/ops_events.h"

#include "store/postgres_int.h"

#include "core/banned.h"

#define WHAT "incidents (import events, exposure, export events)"

static int pg_put_incident(struct cc_store *st, struct cc_incident *inc, int64_t batch,
                           enum cc_put_result *res_out, struct cc_err *err)
{
	(void)st, (void)inc, (void)batch, (void)res_out;
	return cc__pg_unsupported(err, WHAT);
}

static int pg_count_incidents(struct cc_store *st, const char *source, int64_t *n_out,
                              struct cc_err *err)
{
	(void)st, (void)source, (void)n_out;
	return cc__pg_unsupported(err, WHAT);
}

static int pg_latest_incident(struct cc_store *st, int32_t *date_out, struct cc_err *err)
{
	(void)st, (void)date_out;
	return cc__pg_unsupported(err, WHAT);
}

static int pg_load_incidents(struct cc_store *st, const struct cc_incident_query *q,
                             struct cc_exposure_incident **out, size_t *n_out,
                             char (**types_out)[64], size_t *n_types_out, struct cc_err *err)
{
	(void)st, (void)q, (void)out, (void)n_out, (void)types_out, (void)n_types_out;
	return cc__pg_unsupported(err, WHAT);
}

static int pg_each_incident(struct cc_store *st, const char *source, cc_incident_fn *fn,
                            void *ctx, struct cc_err *err)
{
	(void)st, (void)source, (void)fn, (void)ctx;
	return cc__pg_unsupported(err, WHAT);
}

static int pg_drop_indexes(struct cc_store *st, char **saved, struct cc_err *err)
{
	(void)st, (void)saved;
	return cc__pg_unsupported(err, WHAT);
}

static int pg_restore_indexes(struct cc_store *st, const char *saved, struct cc_err *err)
{
	(void)st, (void)saved;
	return cc__pg_unsupported(err, WHAT);
}

static int pg_load_places(struct cc_store *st, int64_t mission_id, struct cc_exposure_place **out,
                          size_t *n_out, struct cc_err *err)
{
	(void)st, (void)mission_id, (void)out, (void)n_out;
	return cc__pg_unsupported(err, WHAT);
}

const struct cc__events_ops cc__pg_events = {
	.put_incident = pg_put_incident,
	.count_incidents = pg_count_incidents,
	.latest_incident = pg_latest_incident,
	.load_incidents = pg_load_incidents,
	.each_incident = pg_each_incident,
	.drop_indexes = pg_drop_indexes,
	.restore_indexes = pg_restore_indexes,
	.load_places = pg_load_places,
};
