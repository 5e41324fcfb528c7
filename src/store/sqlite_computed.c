/*
 * Reads for computed indicators in SQLite: incidents by area and day, activities with their
 * pillar and dates, and the computed observations a recomputation replaces.
 */
#include "store/ops_computed.h"

#include <math.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"

enum {
	S_INCIDENTS = 0,
	S_ACTIVITIES,
	S_LIST,
	S_DELETE,
};

static const char *const sql[] = {
	[S_INCIDENTS] = "SELECT ifnull(i.area_id, 0), i.date, i.fatalities FROM incident i "
	                "WHERE (i.mission_id IS NULL OR i.mission_id = ?1) AND "
	                "(?2 IS NULL OR i.source = ?2) AND (?3 IS NULL OR i.date >= ?3) AND "
	                "(?4 IS NULL OR i.date <= ?4) AND " CC__SQ_VISIBLE("i", "incident"),
	/* named parameters only: a "?N" after the viewer's :v_ ones would share their numbers */
	[S_ACTIVITIES] = "WITH sp(id, pillar) AS MATERIALIZED (SELECT s.id, "
	                 CC__SQ_PILLAR_OF(":mission") " FROM sector s) "
	                 "SELECT a.id, ifnull(a.org_id, 0), ifnull(a.area_id, 0), "
	                 "ifnull(sp.pillar, 'other'), a.start_date, a.end_date, "
	                 "CASE WHEN a.kind = 1 AND " CC__SQ_VISIBLE_FIGURES("a") " THEN a.reached END "
	                 "FROM activity a LEFT JOIN sp ON sp.id = a.sector_id WHERE "
	                 "a.mission_id = :mission AND (:from IS NULL OR a.end_date IS NULL OR "
	                 "a.end_date >= :from) AND (:to IS NULL OR a.start_date IS NULL OR "
	                 "a.start_date <= :to) AND " CC__SQ_VISIBLE("a", "activity"),
	[S_LIST] = "SELECT o.id FROM observation o JOIN area a ON a.id = o.area_id "
	           "WHERE o.indicator_id = ?1 AND o.source = '" CC_COMPUTED_SOURCE "' AND "
	           "a.level = ?2 AND o.period_end BETWEEN ?3 AND ?4 ORDER BY o.id",
	[S_DELETE] = "DELETE FROM observation WHERE id = ?1",
};

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_COMPUTED, id, sql[id], out, err);
}

static int sq_load_incidents(struct cc_store *st, int64_t mission_id, const char *source,
                             int32_t from, int32_t to, struct cc_computed_incident **out,
                             size_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int ret, rc;

	*out = NULL;
	*n_out = 0;
	if ((ret = stmt(st, S_INCIDENTS, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) || (rc = cc__sq_bind_text(s, 2, source)) ||
	    (rc = cc__sq_bind_date(s, 3, from)) || (rc = cc__sq_bind_date(s, 4, to)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_computed_incident *x;

		if ((ret = cc__sq_grow((void **)out, &cap, *n_out, sizeof(**out))) < 0) {
			sqlite3_reset(s);
			break;
		}
		x = &(*out)[(*n_out)++];
		x->area_id = sqlite3_column_int64(s, 0);
		x->date = cc__sq_col_date(s, 1);
		x->fatalities = cc__sq_col_num(s, 2);
	}
	if (ret < 0) {
		if (ret == CC_ENOMEM)
			cc_err_set(err, ret, "out of memory reading incidents");
		cc_free(*out);
		*out = NULL;
		*n_out = 0;
		return ret;
	}
	return 0;
}

static int sq_load_activities(struct cc_store *st, int64_t mission_id, int32_t from, int32_t to,
                              struct cc_computed_activity **out, size_t *n_out,
                              struct cc_err *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int ret, rc;

	*out = NULL;
	*n_out = 0;
	if ((ret = stmt(st, S_ACTIVITIES, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":mission"), mission_id)) ||
	    (rc = cc__sq_bind_date(s, sqlite3_bind_parameter_index(s, ":from"), from)) ||
	    (rc = cc__sq_bind_date(s, sqlite3_bind_parameter_index(s, ":to"), to)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_computed_activity *a;
		char pillar[32];

		if ((ret = cc__sq_grow((void **)out, &cap, *n_out, sizeof(**out))) < 0) {
			sqlite3_reset(s);
			break;
		}
		a = &(*out)[(*n_out)++];
		a->activity_id = sqlite3_column_int64(s, 0);
		a->org_id = sqlite3_column_int64(s, 1);
		a->area_id = sqlite3_column_int64(s, 2);
		cc__sq_col_str(s, 3, pillar, sizeof(pillar));
		a->pillar = cc_pillar_parse(pillar);
		if (a->pillar < 0)
			a->pillar = CC_PILLAR_OTHER;
		a->start = cc__sq_col_date(s, 4);
		a->end = cc__sq_col_date(s, 5);
		a->reached = cc__sq_col_num(s, 6);
	}
	if (ret < 0) {
		if (ret == CC_ENOMEM)
			cc_err_set(err, ret, "out of memory reading activities");
		cc_free(*out);
		*out = NULL;
		*n_out = 0;
		return ret;
	}
	return 0;
}

static int sq_list_computed(struct cc_store *st, int64_t indicator_id, int level, int32_t from,
                            int32_t to, int64_t **ids_out, size_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int ret, rc;

	*ids_out = NULL;
	*n_out = 0;
	if ((ret = stmt(st, S_LIST, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, indicator_id)) || (rc = sqlite3_bind_int(s, 2, level)) ||
	    (rc = cc__sq_bind_date(s, 3, from)) || (rc = cc__sq_bind_date(s, 4, to)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if ((ret = cc__sq_grow((void **)ids_out, &cap, *n_out, sizeof(**ids_out))) < 0) {
			sqlite3_reset(s);
			break;
		}
		(*ids_out)[(*n_out)++] = sqlite3_column_int64(s, 0);
	}
	if (ret < 0) {
		cc_free(*ids_out);
		*ids_out = NULL;
		*n_out = 0;
		return ret;
	}
	return 0;
}

static int sq_delete_observation(struct cc_store *st, int64_t id, struct cc_err *err)
{
	sqlite3_stmt *s;
	bool own;
	int ret, rc;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_DELETE, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	ret = cc__sq_step_done(st, s, err);
out:
	return cc__sq_tx_leave(st, own, ret, err);
}

const struct cc__computed_ops cc__sqlite_computed = {
	.load_incidents = sq_load_incidents,
	.load_activities = sq_load_activities,
	.list_computed = sq_list_computed,
	.delete_observation = sq_delete_observation,
};
