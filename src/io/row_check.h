/*
 * One record checked as its importer checks a row of a file (internal), for writers of single
 * records (the API): the record comes as a header and one row, names[i] the column (a CSV
 * column name, or an HXL hashtag for a 3W row) and values[i] its text, and goes through the
 * importer's own row function, so that a single write can never store what an import of the
 * same row would refuse. A refused row answers CC_EINVALID with why naming the column as the
 * importer names it. Codes and names are resolved against the store as the importer resolves
 * them (a 3W row may add an organisation it names, as an import does): call inside the
 * transaction of the write.
 */
#ifndef CC_IO_ROW_CHECK_H
#define CC_IO_ROW_CHECK_H

#include <stddef.h>

#include <concord/buf.h>
#include <concord/events.h>
#include <concord/feedback.h>
#include <concord/indicators.h>
#include <concord/needs.h>
#include <concord/store.h>

struct cc__row_fields {
	char *const *names;
	char *const *values;
	size_t n;
};

/* An activity of a 3W row; act's strings point into this struct and the row's values. */
struct cc__3w_row {
	struct cc_activity act;
	char status[16];
	struct cc_buf title;
};

/* The 3W row into out (release it with cc__3w_row_release whatever the result). */
int cc__3w_row_check(struct cc_store *st, const struct cc_mission *m,
                     const struct cc__row_fields *f, struct cc__3w_row *out, struct cc_err *why);
void cc__3w_row_release(struct cc__3w_row *r);

/* An indicator, benchmark or observation row (columns of <concord/indicators.h>). */
int cc__indicator_row_check(struct cc_store *st, const struct cc_mission *m,
                            const struct cc__row_fields *f, struct cc_indicator *ind,
                            struct cc_err *why);
int cc__benchmark_row_check(struct cc_store *st, const struct cc_mission *m,
                            const struct cc__row_fields *f, struct cc_benchmark *b,
                            struct cc_err *why);

int cc__observation_row_check(struct cc_store *st, const struct cc_mission *m,
                              const struct cc__row_fields *f, struct cc_observation *o,
                              struct cc_err *why);

/* A needs row (HXL hashtags) of the period period_from..period_to (CC_DATE_NONE: unknown). */
int cc__need_row_check(struct cc_store *st, const struct cc_mission *m,
                       const struct cc__row_fields *f, int32_t period_from, int32_t period_to,
                       struct cc_need *n, struct cc_err *why);

/* A feedback row (columns of <concord/feedback.h>) into fb; no personal data is taken. */
int cc__feedback_row_check(struct cc_store *st, const struct cc_mission *m,
                           const struct cc__row_fields *f, struct cc_feedback *fb,
                           struct cc_err *why);

/*
 * An events row in the columns of format (ACLED or UCDP GED; the header decides when
 * CC_EVENTS_AUTO) into inc, whose strings point into the row's values. The point is placed
 * as the importer places it, unless area_id names the area (a P-code the writer resolved).
 * A header without a required column is CC_EPARSE.
 */
int cc__event_row_check(struct cc_store *st, const struct cc__row_fields *f,
                        enum cc_events_format format, int64_t area_id, struct cc_incident *inc,
                        struct cc_err *why);

#endif
