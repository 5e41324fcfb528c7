/*
 * The edits domain on SQLite: one activity or observation replaced in place by its id. What
 * an edit comes to (the clash with another record, the change-log entry) is decided in
 * backend_common.c, for both backends.
 */
#include <concord/edits.h>

#include "store/backend_common.h"
#include "store/ops_edits.h"
#include "store/sqlite_int.h"

#include "core/banned.h"

enum {
	S_ACT_OTHER,
	S_ACT_EDIT,
	S_OBS_OTHER,
	S_OBS_EDIT,
};

static const char *const sql[] = {
	[S_ACT_OTHER] = "SELECT b.id FROM activity a JOIN activity b ON b.source_id = a.source_id "
	                "AND b.natkey = ?2 AND b.id <> a.id WHERE a.id = ?1",
	[S_ACT_EDIT] = "UPDATE activity SET natkey = ?3, digest = ?4, kind = ?5, title = ?6, "
	               "description = ?7, status = ?8, org_id = ?9, impl_org_id = ?10, "
	               "funder_org_id = ?11, sector_id = ?12, area_id = ?13, "
	               "lat = CASE WHEN ?22 THEN lat ELSE ?14 END, "
	               "lon = CASE WHEN ?22 THEN lon ELSE ?15 END, "
	               "start_date = ?16, end_date = ?17, targeted = ?18, reached = ?19, "
	               "budget = ?20, currency = ?21 WHERE id = ?1 AND mission_id = ?2",
	[S_OBS_OTHER] = "SELECT id FROM observation WHERE indicator_id = ?2 AND "
	                "ifnull(area_id, 0) = ?3 AND ifnull(sex, '') = ?4 AND "
	                "ifnull(age_group, '') = ?5 AND period_end = ?6 AND id <> ?1",
	[S_OBS_EDIT] = "UPDATE observation SET indicator_id = ?2, area_id = ?3, sex = ?4, "
	               "age_group = ?5, period_start = ?6, period_end = ?7, value = ?8, "
	               "source = ?9, confidence = ?10 WHERE id = ?1 AND indicator_id IN "
	               "(SELECT id FROM indicator WHERE mission_id = ?11) AND ?2 IN "
	               "(SELECT id FROM indicator WHERE mission_id = ?11)",
};

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_EDITS, id, sql[id], out, err);
}

/* The first column of the first row of s (bound), 0 when none. */
static int first_id(struct cc_store *st, sqlite3_stmt *s, int64_t *out, struct cc_err *err)
{
	int ret = cc__sq_step_row(st, s, err);

	*out = 0;
	if (ret < 0)
		return ret;
	if (ret == 0) {
		*out = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return 0;
}

/* Steps an update: 0 when it changed one row, CC_ENOTFOUND none. */
static int step_update(struct cc_store *st, sqlite3_stmt *s, const char *what, int64_t id,
                       struct cc_err *err)
{
	int ret = cc__sq_step_done(st, s, err);

	if (ret < 0)
		return ret;
	if (sqlite3_changes(cc__sq_db(st)) == 0)
		return cc_err_set(err, CC_ENOTFOUND, "no %s %lld", what, (long long)id);
	return 0;
}

static int update_activity(struct cc_store *st, const struct cc_activity *a, unsigned flags,
                           int64_t *other_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, S_ACT_OTHER, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, a->id)) ||
	    (rc = sqlite3_bind_blob(s, 2, a->natkey, sizeof(a->natkey), SQLITE_STATIC)))
		return cc__sq_bind_fail(st, s, rc, err);
	if ((ret = first_id(st, s, other_out, err)) < 0 || *other_out)
		return ret;
	if ((ret = stmt(st, S_ACT_EDIT, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, a->id)) ||
	    (rc = sqlite3_bind_int64(s, 2, a->mission_id)) ||
	    (rc = sqlite3_bind_blob(s, 3, a->natkey, sizeof(a->natkey), SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_blob(s, 4, a->digest, sizeof(a->digest), SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int(s, 5, (int)a->kind)) ||
	    (rc = cc__sq_bind_text(s, 6, a->title)) ||
	    (rc = cc__sq_bind_text(s, 7, a->description)) ||
	    (rc = cc__sq_bind_text(s, 8, a->status)) || (rc = cc__sq_bind_id(s, 9, a->org_id)) ||
	    (rc = cc__sq_bind_id(s, 10, a->impl_org_id)) ||
	    (rc = cc__sq_bind_id(s, 11, a->funder_org_id)) ||
	    (rc = cc__sq_bind_id(s, 12, a->sector_id)) ||
	    (rc = cc__sq_bind_id(s, 13, a->area_id)) || (rc = cc__sq_bind_num(s, 14, a->lat)) ||
	    (rc = cc__sq_bind_num(s, 15, a->lon)) ||
	    (rc = cc__sq_bind_date(s, 16, a->start_date)) ||
	    (rc = cc__sq_bind_date(s, 17, a->end_date)) ||
	    (rc = cc__sq_bind_num(s, 18, a->targeted)) ||
	    (rc = cc__sq_bind_num(s, 19, a->reached)) || (rc = cc__sq_bind_num(s, 20, a->budget)) ||
	    (rc = cc__sq_bind_text(s, 21, a->currency)) ||
	    (rc = sqlite3_bind_int(s, 22, (flags & CC_EDIT_KEEP_SITE) != 0)))
		return cc__sq_bind_fail(st, s, rc, err);
	return step_update(st, s, "activity", a->id, err);
}

static int update_observation(struct cc_store *st, int64_t mission_id,
                              const struct cc_observation *o, int64_t *other_out,
                              struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, S_OBS_OTHER, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, o->id)) ||
	    (rc = sqlite3_bind_int64(s, 2, o->indicator_id)) ||
	    (rc = sqlite3_bind_int64(s, 3, o->area_id)) ||
	    (rc = sqlite3_bind_text(s, 4, o->sex, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 5, o->age_group, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int(s, 6, o->period_end)))
		return cc__sq_bind_fail(st, s, rc, err);
	if ((ret = first_id(st, s, other_out, err)) < 0 || *other_out)
		return ret;
	if ((ret = stmt(st, S_OBS_EDIT, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, o->id)) ||
	    (rc = sqlite3_bind_int64(s, 2, o->indicator_id)) ||
	    (rc = cc__sq_bind_id(s, 3, o->area_id)) || (rc = cc__sq_bind_text(s, 4, o->sex)) ||
	    (rc = cc__sq_bind_text(s, 5, o->age_group)) ||
	    (rc = cc__sq_bind_date(s, 6, o->period_start)) ||
	    (rc = cc__sq_bind_date(s, 7, o->period_end)) ||
	    (rc = cc__sq_bind_num(s, 8, o->value)) || (rc = cc__sq_bind_text(s, 9, o->source)) ||
	    (rc = cc__sq_bind_text(s, 10, o->confidence)) ||
	    (rc = sqlite3_bind_int64(s, 11, mission_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	return step_update(st, s, "observation", o->id, err);
}

static int sq_update_activity(struct cc_store *st, const struct cc_activity *a, unsigned flags,
                              struct cc_err *err)
{
	int64_t other = 0;
	bool own;
	int ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = update_activity(st, a, flags, &other, err);
	ret = cc__edit_activity_done(st, a, ret, other, err);
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_update_observation(struct cc_store *st, int64_t mission_id,
                                 const struct cc_observation *o, struct cc_err *err)
{
	int64_t other = 0;
	bool own;
	int ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = update_observation(st, mission_id, o, &other, err);
	ret = cc__edit_observation_done(st, mission_id, o, ret, other, err);
	return cc__sq_tx_leave(st, own, ret, err);
}

const struct cc__edits_ops cc__sqlite_edits = {
	.update_activity = sq_update_activity,
	.update_observation = sq_update_observation,
};
