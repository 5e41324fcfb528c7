/*
 * Reads for computed indicators on PostgreSQL: incidents by area and day, activities with
 * their pillar and dates, and the computed observations a recomputation replaces (SQLite's
 * sqlite_computed.c). Who may see an incident or an activity, and an activity's figures, is
 * decided in C by cc_visible() and cc_visible_field().
 *
 * A store whose schema has no incident table (the events domain not yet on PostgreSQL) holds
 * no incidents: the computation then counts none, as SQLite does for a store without events.
 */
#include "store/ops_computed.h"
#include "store/postgres_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/visibility.h>

#include "core/banned.h"

static int pg_load_incidents(struct cc_store *st, int64_t mission_id, const char *source,
                             int32_t from, int32_t to, struct cc_computed_incident **out,
                             size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	PGresult *res = NULL;
	size_t n_rows = 0;
	bool own;
	int ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_exec(st, "SELECT to_regclass('incident') IS NOT NULL", NULL, false, &res,
	                       err)) < 0)
		goto out;
	if (!cc__pg_col_i64(res, 0, 0))
		goto out; /* no incident table: no incidents */
	PQclear(res);
	res = NULL;
	if ((ret = cc__pg_load_shares(st, "incident", &sh, err)) < 0)
		goto out;
	cc__pg_i64(&p, mission_id);
	cc__pg_text(&p, source);
	cc__pg_date(&p, from);
	cc__pg_date(&p, to);
	ret = cc__pg_rows(st,
	                  "SELECT coalesce(i.area_id, 0), i.date, i.fatalities, i.id, i.mission_id, "
	                  "i.owner_id, i.releasability, i.deny, i.shared FROM incident i WHERE "
	                  "(i.mission_id IS NULL OR i.mission_id = $1) AND ($2::text IS NULL OR "
	                  "i.source = $2) AND ($3::integer IS NULL OR i.date >= $3::integer) AND "
	                  "($4::integer IS NULL OR i.date <= $4::integer) ORDER BY i.id",
	                  &p, sizeof(**out), &res, (void **)out, &n_rows, err);
	if (ret < 0)
		goto out;
	for (size_t r = 0; r < n_rows; r++) {
		struct cc_computed_incident *x;

		if (!cc__pg_row_visible(st, &sh, res, (int)r, 3, NULL))
			continue;
		x = &(*out)[(*n_out)++];
		x->area_id = cc__pg_col_i64(res, (int)r, 0);
		x->date = cc__pg_col_date(res, (int)r, 1);
		x->fatalities = cc__pg_col_num(res, (int)r, 2);
	}
out:
	PQclear(res);
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	if (ret < 0 || !*n_out) {
		cc_free(*out);
		*out = NULL;
		*n_out = 0;
	}
	return ret;
}

/* $1 mission, $2/$3 period (NULL open); the pillar as the coverage read's */
static const char sql_activities[] =
        "WITH sp AS MATERIALIZED (SELECT s.id, " CC__PG_PILLAR_OF("$1::bigint") " AS pillar "
        "FROM sector s) SELECT a.id, coalesce(a.org_id, 0), coalesce(a.area_id, 0), "
        "coalesce(sp.pillar, 'other'), a.start_date, a.end_date, a.kind, a.reached, "
        "a.figures_rel, a.id, a.mission_id, a.owner_id, a.releasability, a.deny, a.shared "
        "FROM activity a LEFT JOIN sp ON sp.id = a.sector_id WHERE a.mission_id = $1 AND "
        "($2::integer IS NULL OR a.end_date IS NULL OR a.end_date >= $2::integer) AND "
        "($3::integer IS NULL OR a.start_date IS NULL OR a.start_date <= $3::integer) "
        "ORDER BY a.id";

static int pg_load_activities(struct cc_store *st, int64_t mission_id, int32_t from, int32_t to,
                              struct cc_computed_activity **out, size_t *n_out,
                              struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	PGresult *res = NULL;
	size_t n_rows = 0;
	bool own;
	int ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "activity", &sh, err)) < 0)
		goto out;
	cc__pg_i64(&p, mission_id);
	cc__pg_date(&p, from);
	cc__pg_date(&p, to);
	ret = cc__pg_rows(st, sql_activities, &p, sizeof(**out), &res, (void **)out, &n_rows, err);
	if (ret < 0)
		goto out;
	for (size_t r = 0; r < n_rows; r++) {
		struct cc_computed_activity *a;
		struct cc_marking m;
		enum cc_rel field;

		if (!cc__pg_row_visible(st, &sh, res, (int)r, 9, &m))
			continue;
		a = &(*out)[(*n_out)++];
		a->activity_id = cc__pg_col_i64(res, (int)r, 0);
		a->org_id = cc__pg_col_i64(res, (int)r, 1);
		a->area_id = cc__pg_col_i64(res, (int)r, 2);
		a->pillar = cc_pillar_parse(cc__pg_cstr(res, (int)r, 3));
		if (a->pillar < 0)
			a->pillar = CC_PILLAR_OTHER;
		a->start = cc__pg_col_date(res, (int)r, 4);
		a->end = cc__pg_col_date(res, (int)r, 5);
		/* the figures under their own marking, stricter or not */
		field = m.rel;
		if (!cc__pg_col_null(res, (int)r, 8) &&
		    cc_rel_parse(cc__pg_cstr(res, (int)r, 8), &field, NULL) < 0)
			field = CC_REL_ORG;
		a->reached = cc__pg_col_i64(res, (int)r, 6) == 1 &&
		                             cc_visible_field(&st->viewer, &m, field)
		                     ? cc__pg_col_num(res, (int)r, 7)
		                     : (double)NAN;
	}
out:
	PQclear(res);
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	if (ret < 0 || !*n_out) {
		cc_free(*out);
		*out = NULL;
		*n_out = 0;
	}
	return ret;
}

static int pg_list_computed(struct cc_store *st, int64_t indicator_id, int level, int32_t from,
                            int32_t to, int64_t **ids_out, size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	*ids_out = NULL;
	*n_out = 0;
	/* the observations held back by this transaction first */
	if ((ret = cc__pg_flush(st, err)) < 0)
		return ret;
	cc__pg_i64(&p, indicator_id);
	cc__pg_i64(&p, level);
	cc__pg_date(&p, from);
	cc__pg_date(&p, to);
	ret = cc__pg_rows(st,
	                  "SELECT o.id FROM observation o JOIN area a ON a.id = o.area_id WHERE "
	                  "o.indicator_id = $1 AND o.source = '" CC_COMPUTED_SOURCE "' AND "
	                  "a.level = $2 AND o.period_end BETWEEN $3::integer AND $4::integer "
	                  "ORDER BY o.id",
	                  &p, sizeof(**ids_out), &res, (void **)ids_out, n_out, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < *n_out; i++)
		(*ids_out)[i] = cc__pg_col_i64(res, (int)i, 0);
	PQclear(res);
	return 0;
}

static int pg_delete_observation(struct cc_store *st, int64_t id, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, id);
	return cc__pg_write(st, "DELETE FROM observation WHERE id = $1", &p, err);
}

const struct cc__computed_ops cc__pg_computed = {
	.load_incidents = pg_load_incidents,
	.load_activities = pg_load_activities,
	.list_computed = pg_list_computed,
	.delete_observation = pg_delete_observation,
};
