/*
 * The rounds domain's backend operations (internal): submissions of 3W imports, the activity
 * records that do not count, area validity and the area crosswalk. struct cc_store_ops.rounds
 * points at one of these; src/store/store_rounds.c implements <concord/rounds.h> over it.
 */
#ifndef CC_STORE_OPS_ROUNDS_H
#define CC_STORE_OPS_ROUNDS_H

#include <concord/rounds.h>

#include "store/backend.h"

struct cc__rounds_ops {
	int (*record)(struct cc_store *st, int64_t source_id, int64_t batch, const char *now,
	              struct cc_err *err);
	/* before: ISO text, imports strictly earlier count; NULL: all */
	int (*list)(struct cc_store *st, int64_t mission_id, const char *before,
	            struct cc_submission **out, size_t *n_out, struct cc_err *err);
	/* all: every organisation of the mission, else its members and those that reported */
	int (*orgs)(struct cc_store *st, int64_t mission_id, bool all, struct cc_round_org **out,
	            size_t *n_out, struct cc_err *err);
	/* the sectors of a vocabulary ("10": IASC clusters), as key = code, name */
	int (*sectors)(struct cc_store *st, const char *vocabulary, struct cc_round_org **out,
	               size_t *n_out, struct cc_err *err);
	int (*excluded)(struct cc_store *st, int64_t mission_id, const char *before, int64_t **out,
	                size_t *n_out, struct cc_err *err);
	/* from/to CC_DATE_NONE: keep (keep true) or clear (keep false) */
	int (*set_validity)(struct cc_store *st, int64_t area_id, int32_t from, int32_t to,
	                    bool keep_set, struct cc_err *err);
	int (*validity)(struct cc_store *st, int64_t area_id, int32_t *from, int32_t *to,
	                struct cc_err *err);
	int (*put_crosswalk)(struct cc_store *st, const struct cc_crosswalk *c, const char *source,
	                     struct cc_err *err);
	int (*list_crosswalk)(struct cc_store *st, struct cc_crosswalk **out, size_t *n_out,
	                      struct cc_err *err);
};

/*
 * Drops from a coverage read the records that do not count at as_of (0 or CC_DATE_NONE: now):
 * superseded submissions, and with a date, what was not imported yet. Does nothing when the
 * backend has no rounds. (store.c's cc_store_load_coverage)
 */
int cc__rounds_filter_coverage(struct cc_store *st, int64_t mission_id, int32_t as_of,
                               struct cc_coverage_record *records, size_t *n_records,
                               struct cc_err *err);

extern const struct cc__rounds_ops cc__sqlite_rounds; /* src/store/sqlite_rounds.c */

#endif
