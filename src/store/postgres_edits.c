/*
 * The edits domain on PostgreSQL: one activity or observation replaced in place by its id, as
 * sqlite_edits.c does on SQLite; the clash with another record and the change-log entry are
 * decided once, in backend_common.c.
 */
#include <concord/edits.h>

#include "store/ops_edits.h"
#include "store/postgres_int.h"

#include "core/banned.h"

/* The first column of the first row of sql with p, 0 when none. */
static int first_id(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                    int64_t *out, struct cc_err *err)
{
	PGresult *res = NULL;
	int ret;

	*out = 0;
	if ((ret = cc__pg_exec(st, sql, p, false, &res, err)) < 0)
		return ret;
	if (PQntuples(res) > 0)
		*out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* Runs an update: 0 when it changed one row, CC_ENOTFOUND none. */
static int update(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                  const char *what, int64_t id, struct cc_err *err)
{
	PGresult *res = NULL;
	int64_t n;
	int ret;

	if ((ret = cc__pg_exec(st, sql, p, false, &res, err)) < 0)
		return ret;
	n = cc__pg_changes(res);
	PQclear(res);
	if (n == 0)
		return cc_err_set(err, CC_ENOTFOUND, "no %s %lld", what, (long long)id);
	return 0;
}

static const char sql_act_other[] =
        "SELECT b.id FROM activity a JOIN activity b ON b.source_id = a.source_id AND "
        "b.natkey = $2::bytea AND b.id <> a.id WHERE a.id = $1::bigint";
static const char sql_act_edit[] =
        "UPDATE activity SET natkey = $3::bytea, digest = $4::bytea, kind = $5::integer, "
        "title = $6, description = $7, status = $8, org_id = $9::bigint, impl_org_id = "
        "$10::bigint, funder_org_id = $11::bigint, sector_id = $12::bigint, area_id = "
        "$13::bigint, lat = CASE WHEN $22::boolean THEN lat ELSE $14::double precision END, "
        "lon = CASE WHEN $22::boolean THEN lon ELSE $15::double precision END, start_date = "
        "$16::integer, end_date = $17::integer, targeted = $18::double precision, reached = "
        "$19::double precision, budget = $20::double precision, currency = $21 WHERE id = "
        "$1::bigint AND mission_id = $2::bigint";

static int update_activity(struct cc_store *st, const struct cc_activity *a, unsigned flags,
                           int64_t *other_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	int ret;

	cc__pg_i64(&p, a->id);
	cc__pg_blob(&p, a->natkey, sizeof(a->natkey));
	if ((ret = first_id(st, sql_act_other, &p, other_out, err)) < 0 || *other_out)
		return ret;
	p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	cc__pg_i64(&p, a->id);
	cc__pg_i64(&p, a->mission_id);
	cc__pg_blob(&p, a->natkey, sizeof(a->natkey));
	cc__pg_blob(&p, a->digest, sizeof(a->digest));
	cc__pg_i64(&p, (int64_t)a->kind);
	cc__pg_text(&p, a->title);
	cc__pg_text(&p, a->description);
	cc__pg_text(&p, a->status);
	cc__pg_id(&p, a->org_id);
	cc__pg_id(&p, a->impl_org_id);
	cc__pg_id(&p, a->funder_org_id);
	cc__pg_id(&p, a->sector_id);
	cc__pg_id(&p, a->area_id);
	cc__pg_num(&p, a->lat);
	cc__pg_num(&p, a->lon);
	cc__pg_date(&p, a->start_date);
	cc__pg_date(&p, a->end_date);
	cc__pg_num(&p, a->targeted);
	cc__pg_num(&p, a->reached);
	cc__pg_num(&p, a->budget);
	cc__pg_text(&p, a->currency);
	cc__pg_bool(&p, (flags & CC_EDIT_KEEP_SITE) != 0);
	return update(st, sql_act_edit, &p, "activity", a->id, err);
}

static const char sql_obs_other[] =
        "SELECT id FROM observation WHERE indicator_id = $2::bigint AND coalesce(area_id, 0) = "
        "$3::bigint AND coalesce(sex, '') = $4 AND coalesce(age_group, '') = $5 AND "
        "period_end = $6::integer AND id <> $1::bigint";
static const char sql_obs_edit[] =
        "UPDATE observation SET indicator_id = $2::bigint, area_id = $3::bigint, sex = $4, "
        "age_group = $5, period_start = $6::integer, period_end = $7::integer, value = "
        "$8::double precision, source = $9, confidence = $10 WHERE id = $1::bigint AND "
        "indicator_id IN (SELECT id FROM indicator WHERE mission_id = $11::bigint) AND "
        "$2::bigint IN (SELECT id FROM indicator WHERE mission_id = $11::bigint)";

static int update_observation(struct cc_store *st, int64_t mission_id,
                              const struct cc_observation *o, int64_t *other_out,
                              struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	int ret;

	cc__pg_i64(&p, o->id);
	cc__pg_i64(&p, o->indicator_id);
	cc__pg_i64(&p, o->area_id);
	cc__pg_str(&p, o->sex);
	cc__pg_str(&p, o->age_group);
	cc__pg_i64(&p, o->period_end);
	if ((ret = first_id(st, sql_obs_other, &p, other_out, err)) < 0 || *other_out)
		return ret;
	p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	cc__pg_i64(&p, o->id);
	cc__pg_i64(&p, o->indicator_id);
	cc__pg_id(&p, o->area_id);
	cc__pg_text(&p, o->sex);
	cc__pg_text(&p, o->age_group);
	cc__pg_date(&p, o->period_start);
	cc__pg_date(&p, o->period_end);
	cc__pg_num(&p, o->value);
	cc__pg_text(&p, o->source);
	cc__pg_text(&p, o->confidence);
	cc__pg_i64(&p, mission_id);
	return update(st, sql_obs_edit, &p, "observation", o->id, err);
}

static int pg_update_activity(struct cc_store *st, const struct cc_activity *a, unsigned flags,
                              struct cc_err *err)
{
	int64_t other = 0;
	bool own;
	int ret;

	/* rows an import holds are written first, so that the look-up sees them */
	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = update_activity(st, a, flags, &other, err);
	ret = cc__edit_activity_done(st, a, ret, other, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_update_observation(struct cc_store *st, int64_t mission_id,
                                 const struct cc_observation *o, struct cc_err *err)
{
	int64_t other = 0;
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = update_observation(st, mission_id, o, &other, err);
	ret = cc__edit_observation_done(st, mission_id, o, ret, other, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

const struct cc__edits_ops cc__pg_edits = {
	.update_activity = pg_update_activity,
	.update_observation = pg_update_observation,
};
