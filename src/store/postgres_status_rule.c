/*
 * Each mission's status rule on PostgreSQL (table mission_status_rule, migration
 * pg/0005_learn.sql), as sqlite_status_rule.c does on SQLite: a NULL threshold, or no row, is
 * the default.
 */
#include "store/ops_status_rule.h"

#include <math.h>
#include <string.h>

#include "store/postgres_int.h"

#include "core/banned.h"

/* A stored threshold: NULL (the default) reads as 0. */
static double col(const PGresult *res, int c)
{
	return cc__pg_col_null(res, 0, c) ? 0 : cc__pg_col_num(res, 0, c);
}

static int pg_get_rule(struct cc_store *st, int64_t mission_id, struct cc_status_rule *out,
                       struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	cc__pg_i64(&p, mission_id);
	if ((ret = cc__pg_exec(st,
	                       "SELECT on_track, at_risk, max_age_days, alpha FROM "
	                       "mission_status_rule WHERE mission_id = $1",
	                       &p, false, &res, err)) < 0)
		return ret;
	if (PQntuples(res) == 1) {
		out->on_track = col(res, 0);
		out->at_risk = col(res, 1);
		out->max_age_days = (int)col(res, 2);
		out->alpha = col(res, 3);
	}
	PQclear(res);
	return 0;
}

static int pg_set_rule(struct cc_store *st, int64_t mission_id, const struct cc_status_rule *r,
                       struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	/* a threshold of 0 (or less) is NULL, the default */
	cc__pg_i64(&p, mission_id);
	cc__pg_num(&p, r->on_track > 0 ? r->on_track : (double)NAN);
	cc__pg_num(&p, r->at_risk > 0 ? r->at_risk : (double)NAN);
	if (r->max_age_days > 0)
		cc__pg_i64(&p, r->max_age_days);
	else
		cc__pg_null(&p);
	cc__pg_num(&p, r->alpha > 0 ? r->alpha : (double)NAN);
	return cc__pg_write(st,
	                    "INSERT INTO mission_status_rule (mission_id, on_track, at_risk, "
	                    "max_age_days, alpha) VALUES ($1::bigint, $2::double precision, "
	                    "$3::double precision, $4::integer, $5::double precision) ON CONFLICT "
	                    "(mission_id) DO UPDATE SET on_track = excluded.on_track, at_risk = "
	                    "excluded.at_risk, max_age_days = excluded.max_age_days, alpha = "
	                    "excluded.alpha",
	                    &p, err);
}

const struct cc__status_rule_ops cc__pg_status_rule = {
	.get_rule = pg_get_rule,
	.set_rule = pg_set_rule,
};
