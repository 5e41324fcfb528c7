/*
 * Editing one stored record in place, by its id, as a partner changes a row over the API:
 * every field the record's importer reads, its natural key included, so that the record keeps
 * its id (and its marking, shares, source and change-log history). The caller checks the
 * record as its importer checks a row first (the values here are stored as given).
 *
 * Each call is logged as an update of the record in the change log, in the caller's
 * transaction or its own.
 */
#ifndef CONCORD_EDITS_H
#define CONCORD_EDITS_H

#include <concord/error.h>
#include <concord/indicators.h>
#include <concord/model.h>
#include <concord/store.h>
#include <concord/visibility.h>

enum cc_edit_flags {
	/* keep the stored site (lat, lon): the editor may not read it, and did not give one */
	CC_EDIT_KEEP_SITE = 1 << 0,
};

/*
 * Replaces activity a->id of mission a->mission_id with a (kind, text, status, organisations,
 * sector, area, site, dates, figures, budget, natural key and digest); its source, marking and
 * batch stay. flags: enum cc_edit_flags. CC_ENOTFOUND when the mission has no such activity;
 * CC_EEXIST when another activity of its source has a's natural key (the message names it).
 */
CC_API int cc_store_update_activity(struct cc_store *st, const struct cc_activity *a,
                                    unsigned flags, struct cc_err *err);

/*
 * Replaces observation o->id (an observation of an indicator of mission_id) with o: indicator,
 * area, sex, age group, period, value, source and confidence. CC_ENOTFOUND when missing;
 * CC_EEXIST when another observation has o's series and date.
 */
CC_API int cc_store_update_observation(struct cc_store *st, int64_t mission_id,
                                       const struct cc_observation *o, struct cc_err *err);

/*
 * Inside the caller's transaction (cc_store_begin; neither begun nor ended here): sets the
 * marking of record id of table (one of CC_MARKED_TABLES) and appends one change-log entry of
 * op ("insert" for a record just added, so that its creation is one entry with its final
 * marking; "update") with the new releasability. Errors as cc_store_set_marking.
 */
CC_API int cc_store_edit_marking(struct cc_store *st, const char *table, int64_t id,
                                 int64_t mission_id, enum cc_rel rel, int64_t owner_id,
                                 unsigned deny, const char *op, struct cc_err *err);

#endif
