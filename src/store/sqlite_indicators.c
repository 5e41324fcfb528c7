/*
 * Indicators, benchmarks and observations in SQLite (tables of migration 0007).
 *
 * Each put finds the row by its natural key and compares in C, so that a re-import tells added,
 * updated and unchanged apart. Keys use ifnull(area_id, 0), ifnull(sex, '') … exactly as the
 * unique indexes do, so the lookups use them.
 */
#include "store/ops_indicators.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"

enum {
	S_IND_FIND = 0,
	S_IND_INS,
	S_IND_UPD,
	S_BM_FIND,
	S_BM_INS,
	S_BM_UPD,
	S_OB_FIND,
	S_OB_INS,
	S_OB_UPD,
	S_LOAD_IND,
	S_LOAD_BM,
	S_LOAD_OB,
	S_LOAD_BM_ONE,
	S_LOAD_OB_ONE,
	S_AREA_PCODE,
};

#define IND_COLS                                                                          \
	"id, mission_id, code, name, pillar, unit, measure, higher_is_better, aggregation, " \
	"period_days, goal_min, goal_max"

static const char *const sql[] = {
	[S_IND_FIND] = "SELECT " IND_COLS " FROM indicator WHERE mission_id = ?1 AND code = ?2",
	[S_IND_INS] = "INSERT INTO indicator (mission_id, code, name, pillar, unit, measure, "
	              "higher_is_better, aggregation, period_days, goal_min, goal_max) "
	              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[S_IND_UPD] = "UPDATE indicator SET name = ?3, pillar = ?4, unit = ?5, measure = ?6, "
	              "higher_is_better = ?7, aggregation = ?8, period_days = ?9, goal_min = ?10, "
	              "goal_max = ?11 WHERE mission_id = ?1 AND code = ?2",
	[S_BM_FIND] = "SELECT id, date, value FROM benchmark WHERE indicator_id = ?1 AND "
	              "ifnull(area_id, 0) = ?2 AND ifnull(sex, '') = ?3 AND "
	              "ifnull(age_group, '') = ?4 AND kind = ?5 AND "
	              "CASE kind WHEN 'milestone' THEN date ELSE 0 END = ?6",
	[S_BM_INS] = "INSERT INTO benchmark (indicator_id, area_id, sex, age_group, kind, date, "
	             "value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_BM_UPD] = "UPDATE benchmark SET date = ?2, value = ?3 WHERE id = ?1",
	[S_OB_FIND] = "SELECT id, period_start, value, source, confidence FROM observation WHERE "
	              "indicator_id = ?1 AND ifnull(area_id, 0) = ?2 AND ifnull(sex, '') = ?3 AND "
	              "ifnull(age_group, '') = ?4 AND period_end = ?5",
	[S_OB_INS] = "INSERT INTO observation (indicator_id, area_id, sex, age_group, "
	             "period_start, period_end, value, source, confidence) "
	             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_OB_UPD] = "UPDATE observation SET period_start = ?2, value = ?3, source = ?4, "
	             "confidence = ?5 WHERE id = ?1",
	[S_LOAD_IND] = "SELECT " IND_COLS " FROM indicator WHERE mission_id = ?1 AND "
	               "(?2 IS NULL OR code = ?2) AND " CC__SQ_VISIBLE("indicator", "indicator")
	               " ORDER BY code",
#define LOAD_BM(ind)                                                                          \
	"SELECT b.id, b.indicator_id, ifnull(b.area_id, 0), i.code, ifnull(a.pcode, ''), "     \
	"ifnull(b.sex, ''), ifnull(b.age_group, ''), b.kind, b.date, b.value FROM benchmark b " \
	"JOIN indicator i ON i.id = b.indicator_id LEFT JOIN area a ON a.id = b.area_id "      \
	"WHERE i.mission_id = ?1 AND " ind " AND (?3 IS NULL OR a.pcode = ?3) "               \
	"ORDER BY i.code, ifnull(a.pcode, ''), ifnull(b.sex, ''), ifnull(b.age_group, ''), "  \
	"b.date, b.kind"
#define LOAD_OB(ind)                                                                          \
	"SELECT o.id, o.indicator_id, ifnull(o.area_id, 0), i.code, ifnull(a.pcode, ''), "     \
	"ifnull(o.sex, ''), ifnull(o.age_group, ''), o.period_start, o.period_end, o.value, "  \
	"o.source, o.confidence FROM observation o JOIN indicator i ON i.id = o.indicator_id " \
	"LEFT JOIN area a ON a.id = o.area_id WHERE i.mission_id = ?1 AND " ind " AND "        \
	"(?3 IS NULL OR a.pcode = ?3) AND (?4 IS NULL OR o.period_end <= ?4) "                \
	"ORDER BY i.code, ifnull(a.pcode, ''), ifnull(o.sex, ''), ifnull(o.age_group, ''), "  \
	"o.period_end"
	/* all indicators, or (the _ONE forms, which reach one indicator's rows by index) one */
	[S_LOAD_BM] = LOAD_BM("(?2 IS NULL OR i.code = ?2)"),
	[S_LOAD_OB] = LOAD_OB("(?2 IS NULL OR i.code = ?2)"),
	[S_LOAD_BM_ONE] = LOAD_BM("i.code = ?2"),
	/*
	 * One indicator's observations in the order of its key index (area id, not P-code):
	 * no join and no sort by SQLite; sq_load names the areas and puts the series in P-code
	 * order, one lookup and at most one copy a series.
	 */
	[S_LOAD_OB_ONE] = "SELECT o.id, o.indicator_id, ifnull(o.area_id, 0), ifnull(o.sex, ''), "
	                  "ifnull(o.age_group, ''), o.period_start, o.period_end, o.value, "
	                  "o.source, o.confidence FROM observation o WHERE o.indicator_id = "
	                  "(SELECT id FROM indicator WHERE mission_id = ?1 AND code = ?2) AND "
	                  "(?3 IS NULL OR o.area_id IN (SELECT id FROM area WHERE pcode = ?3)) "
	                  "AND (?4 IS NULL OR o.period_end <= ?4) ORDER BY ifnull(o.area_id, 0), "
	                  "ifnull(o.sex, ''), ifnull(o.age_group, ''), o.period_end",
	[S_AREA_PCODE] = "SELECT ifnull(pcode, '') FROM area WHERE id = ?1",
};

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_INDICATORS, id, sql[id], out, err);
}

static bool same_num(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* ---- indicators ---- */

static void col_indicator(sqlite3_stmt *s, struct cc_indicator *out)
{
	char agg[32];

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(s, 0);
	out->mission_id = sqlite3_column_int64(s, 1);
	cc__sq_col_str(s, 2, out->code, sizeof(out->code));
	cc__sq_col_str(s, 3, out->name, sizeof(out->name));
	cc__sq_col_str(s, 4, out->pillar, sizeof(out->pillar));
	cc__sq_col_str(s, 5, out->unit, sizeof(out->unit));
	out->measure = (enum cc_measure)sqlite3_column_int(s, 6);
	out->higher_is_better = sqlite3_column_int(s, 7) != 0;
	cc__sq_col_str(s, 8, agg, sizeof(agg));
	if (cc_aggregation_parse(agg, &out->aggregation, NULL) < 0)
		out->aggregation = CC_AGG_LATEST; /* the CHECK constraint keeps this out */
	out->period_days = sqlite3_column_int(s, 9);
	out->goal_min = cc__sq_col_num(s, 10);
	out->goal_max = cc__sq_col_num(s, 11);
}

static int sq_find_indicator(struct cc_store *st, int64_t mission_id, const char *code,
                             struct cc_indicator *out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_IND_FIND, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) || (rc = cc__sq_bind_text(s, 2, code)))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown indicator '%s'", code);
	if (ret < 0)
		return ret;
	col_indicator(s, out);
	sqlite3_reset(s);
	return 0;
}

static bool same_indicator(const struct cc_indicator *a, const struct cc_indicator *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->pillar, b->pillar) &&
	       !strcmp(a->unit, b->unit) && a->measure == b->measure &&
	       a->higher_is_better == b->higher_is_better && a->aggregation == b->aggregation &&
	       a->period_days == b->period_days && same_num(a->goal_min, b->goal_min) &&
	       same_num(a->goal_max, b->goal_max);
}

static int sq_put_indicator(struct cc_store *st, struct cc_indicator *ind,
                            enum cc_put_result *res_out, struct cc_err *err)
{
	struct cc_indicator old;
	struct cc_err cause = { 0 };
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = sq_find_indicator(st, ind->mission_id, ind->code, &old, &cause);
	if (ret < 0 && ret != CC_ENOTFOUND) {
		cc_err_wrap(err, &cause, "cannot look up indicator '%s'", ind->code);
		goto out_leave;
	}
	if (ret == 0 && same_indicator(&old, ind)) {
		ind->id = old.id;
		*res_out = CC_PUT_UNCHANGED;
		goto out_leave;
	}
	*res_out = ret == 0 ? CC_PUT_UPDATED : CC_PUT_ADDED;
	if ((ret = stmt(st, ret == 0 ? S_IND_UPD : S_IND_INS, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, ind->mission_id)) ||
	    (rc = cc__sq_bind_text(s, 2, ind->code)) || (rc = cc__sq_bind_text(s, 3, ind->name)) ||
	    (rc = cc__sq_bind_text(s, 4, ind->pillar)) || (rc = cc__sq_bind_text(s, 5, ind->unit)) ||
	    (rc = sqlite3_bind_int(s, 6, (int)ind->measure)) ||
	    (rc = sqlite3_bind_int(s, 7, ind->higher_is_better)) ||
	    (rc = cc__sq_bind_text(s, 8, cc_aggregation_name(ind->aggregation))) ||
	    (rc = cc__sq_bind_id(s, 9, ind->period_days)) ||
	    (rc = cc__sq_bind_num(s, 10, ind->goal_min)) ||
	    (rc = cc__sq_bind_num(s, 11, ind->goal_max))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		goto out_leave;
	ind->id = *res_out == CC_PUT_UPDATED ? old.id : sqlite3_last_insert_rowid(cc__sq_db(st));
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

/* ---- benchmarks ---- */

static int sq_put_benchmark(struct cc_store *st, struct cc_benchmark *b,
                            enum cc_put_result *res_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int64_t id = 0;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_BM_FIND, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, b->indicator_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, b->area_id)) ||
	    (rc = sqlite3_bind_text(s, 3, b->sex, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 4, b->age_group, -1, SQLITE_STATIC)) ||
	    (rc = cc__sq_bind_text(s, 5, cc_bench_kind_name(b->kind))) ||
	    (rc = sqlite3_bind_int(s, 6, b->kind == CC_BENCH_MILESTONE ? b->date : 0))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		goto out_leave;
	if (ret == 0) {
		id = sqlite3_column_int64(s, 0);
		bool same = cc__sq_col_date(s, 1) == b->date && cc__sq_col_num(s, 2) == b->value;

		sqlite3_reset(s);
		if (same) {
			b->id = id;
			*res_out = CC_PUT_UNCHANGED;
			goto out_leave;
		}
		*res_out = CC_PUT_UPDATED;
		if ((ret = stmt(st, S_BM_UPD, &s, err)) < 0)
			goto out_leave;
		if ((rc = sqlite3_bind_int64(s, 1, id)) || (rc = cc__sq_bind_date(s, 2, b->date)) ||
		    (rc = cc__sq_bind_num(s, 3, b->value))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
	} else {
		*res_out = CC_PUT_ADDED;
		if ((ret = stmt(st, S_BM_INS, &s, err)) < 0)
			goto out_leave;
		if ((rc = sqlite3_bind_int64(s, 1, b->indicator_id)) ||
		    (rc = cc__sq_bind_id(s, 2, b->area_id)) || (rc = cc__sq_bind_text(s, 3, b->sex)) ||
		    (rc = cc__sq_bind_text(s, 4, b->age_group)) ||
		    (rc = cc__sq_bind_text(s, 5, cc_bench_kind_name(b->kind))) ||
		    (rc = cc__sq_bind_date(s, 6, b->date)) || (rc = cc__sq_bind_num(s, 7, b->value))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
	}
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		goto out_leave;
	b->id = id ? id : sqlite3_last_insert_rowid(cc__sq_db(st));
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

/* ---- observations ---- */

static int sq_put_observation(struct cc_store *st, struct cc_observation *o,
                              enum cc_put_result *res_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int64_t id = 0;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_OB_FIND, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, o->indicator_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, o->area_id)) ||
	    (rc = sqlite3_bind_text(s, 3, o->sex, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 4, o->age_group, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int(s, 5, o->period_end))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		goto out_leave;
	if (ret == 0) {
		char src[sizeof(o->source)], conf[sizeof(o->confidence)];
		bool same;

		id = sqlite3_column_int64(s, 0);
		cc__sq_col_str(s, 3, src, sizeof(src));
		cc__sq_col_str(s, 4, conf, sizeof(conf));
		same = cc__sq_col_date(s, 1) == o->period_start &&
		       same_num(cc__sq_col_num(s, 2), o->value) && !strcmp(src, o->source) &&
		       !strcmp(conf, o->confidence);
		sqlite3_reset(s);
		if (same) {
			o->id = id;
			*res_out = CC_PUT_UNCHANGED;
			goto out_leave;
		}
		*res_out = CC_PUT_UPDATED;
		if ((ret = stmt(st, S_OB_UPD, &s, err)) < 0)
			goto out_leave;
		if ((rc = sqlite3_bind_int64(s, 1, id)) ||
		    (rc = cc__sq_bind_date(s, 2, o->period_start)) ||
		    (rc = cc__sq_bind_num(s, 3, o->value)) ||
		    (rc = cc__sq_bind_text(s, 4, o->source)) ||
		    (rc = cc__sq_bind_text(s, 5, o->confidence))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
	} else {
		*res_out = CC_PUT_ADDED;
		if ((ret = stmt(st, S_OB_INS, &s, err)) < 0)
			goto out_leave;
		if ((rc = sqlite3_bind_int64(s, 1, o->indicator_id)) ||
		    (rc = cc__sq_bind_id(s, 2, o->area_id)) || (rc = cc__sq_bind_text(s, 3, o->sex)) ||
		    (rc = cc__sq_bind_text(s, 4, o->age_group)) ||
		    (rc = cc__sq_bind_date(s, 5, o->period_start)) ||
		    (rc = cc__sq_bind_date(s, 6, o->period_end)) ||
		    (rc = cc__sq_bind_num(s, 7, o->value)) ||
		    (rc = cc__sq_bind_text(s, 8, o->source)) ||
		    (rc = cc__sq_bind_text(s, 9, o->confidence))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
	}
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		goto out_leave;
	o->id = id ? id : sqlite3_last_insert_rowid(cc__sq_db(st));
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

/* ---- reads ---- */

static int bind_query(struct cc_store *st, sqlite3_stmt *s, const struct cc_indicator_query *q,
                      int n_params, struct cc_err *err)
{
	int rc;

	if ((rc = sqlite3_bind_int64(s, 1, q->mission_id)) ||
	    (rc = q->indicator ? cc__sq_bind_text(s, 2, q->indicator) : sqlite3_bind_null(s, 2)) ||
	    (n_params >= 3 &&
	     (rc = q->area ? sqlite3_bind_text(s, 3, q->area, -1, SQLITE_STATIC)
	                   : sqlite3_bind_null(s, 3))) ||
	    (n_params >= 4 && (rc = cc__sq_bind_date(s, 4, q->at))))
		return cc__sq_bind_fail(st, s, rc, err);
	return 0;
}

/* A text column into dst (size n, cut at n − 1 bytes): cc__sq_col_str without its
 * snprintf, which the loads of millions of observations felt (10 % of `concord progress`). */
static void col_text(sqlite3_stmt *s, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t len = t ? (size_t)sqlite3_column_bytes(s, i) : 0;

	if (len >= n)
		len = n - 1;
	if (len)
		memcpy(dst, t, len);
	dst[len] = '\0';
}

static void col_benchmark(sqlite3_stmt *s, struct cc_benchmark *b)
{
	char kind[16];

	memset(b, 0, sizeof(*b));
	b->id = sqlite3_column_int64(s, 0);
	b->indicator_id = sqlite3_column_int64(s, 1);
	b->area_id = sqlite3_column_int64(s, 2);
	col_text(s, 3, b->indicator, sizeof(b->indicator));
	col_text(s, 4, b->area, sizeof(b->area));
	col_text(s, 5, b->sex, sizeof(b->sex));
	col_text(s, 6, b->age_group, sizeof(b->age_group));
	cc__sq_col_str(s, 7, kind, sizeof(kind));
	if (cc_bench_kind_parse(kind, &b->kind, NULL) < 0)
		b->kind = CC_BENCH_MILESTONE; /* the CHECK constraint keeps this out */
	b->date = cc__sq_col_date(s, 8);
	b->value = cc__sq_col_num(s, 9);
}

static void col_observation(sqlite3_stmt *s, struct cc_observation *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(s, 0);
	o->indicator_id = sqlite3_column_int64(s, 1);
	o->area_id = sqlite3_column_int64(s, 2);
	col_text(s, 3, o->indicator, sizeof(o->indicator));
	col_text(s, 4, o->area, sizeof(o->area));
	col_text(s, 5, o->sex, sizeof(o->sex));
	col_text(s, 6, o->age_group, sizeof(o->age_group));
	o->period_start = cc__sq_col_date(s, 7);
	o->period_end = cc__sq_col_date(s, 8);
	o->value = cc__sq_col_num(s, 9);
	col_text(s, 10, o->source, sizeof(o->source));
	col_text(s, 11, o->confidence, sizeof(o->confidence));
}

/* A row of S_LOAD_OB_ONE: as col_observation, without the indicator's code and the P-code. */
static void col_observation_one(sqlite3_stmt *s, struct cc_observation *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(s, 0);
	o->indicator_id = sqlite3_column_int64(s, 1);
	o->area_id = sqlite3_column_int64(s, 2);
	col_text(s, 3, o->sex, sizeof(o->sex));
	col_text(s, 4, o->age_group, sizeof(o->age_group));
	o->period_start = cc__sq_col_date(s, 5);
	o->period_end = cc__sq_col_date(s, 6);
	o->value = cc__sq_col_num(s, 7);
	col_text(s, 8, o->source, sizeof(o->source));
	col_text(s, 9, o->confidence, sizeof(o->confidence));
}

/* A series of one indicator's observations: rows [first, first + n) of one area × sex × age. */
struct run {
	const struct cc_observation *head; /* its first row (the sort's key; no global state) */
	size_t first, n;
};

static int cmp_run(const void *a, const void *b)
{
	const struct cc_observation *x = ((const struct run *)a)->head;
	const struct cc_observation *y = ((const struct run *)b)->head;
	int c = strcmp(x->area, y->area);

	if (!c)
		c = strcmp(x->sex, y->sex);
	return c ? c : strcmp(x->age_group, y->age_group);
}

/*
 * Completes the rows of S_LOAD_OB_ONE (obs[0..n), one indicator, in key order): the indicator's
 * code, each area's P-code (one lookup an area), then the series in P-code order as the
 * data's contract says (cc_indicator_data), moved only when the area ids are not already in
 * that order.
 */
static int name_and_order(struct cc_store *st, const char *code, struct cc_observation *obs,
                          size_t n, struct cc_err *err)
{
	struct run *runs = NULL;
	struct cc_observation *sorted = NULL;
	size_t n_runs = 0, cap = 0;
	bool in_order = true;
	size_t code_len = strlen(code);
	sqlite3_stmt *s;
	int ret = 0;

	if (code_len >= sizeof(obs->indicator))
		code_len = sizeof(obs->indicator) - 1;
	for (size_t i = 0; i < n; i++) {
		struct cc_observation *o = &obs[i];
		bool new_area = i == 0 || o->area_id != obs[i - 1].area_id;

		memcpy(o->indicator, code, code_len); /* the row was zeroed: terminated */
		if (!new_area) {
			memcpy(o->area, obs[i - 1].area, sizeof(o->area));
		} else if (o->area_id) {
			if ((ret = stmt(st, S_AREA_PCODE, &s, err)) < 0)
				goto out;
			sqlite3_bind_int64(s, 1, o->area_id);
			if ((ret = cc__sq_step_row(st, s, err)) == 0) {
				col_text(s, 0, o->area, sizeof(o->area));
				sqlite3_reset(s);
			} else if (ret < 0) {
				goto out;
			}
			ret = 0;
		}
		if (new_area || strcmp(o->sex, obs[i - 1].sex) != 0 ||
		    strcmp(o->age_group, obs[i - 1].age_group) != 0) {
			if ((ret = cc__sq_grow((void **)&runs, &cap, n_runs, sizeof(*runs))) < 0)
				goto out;
			runs[n_runs++] = (struct run){ .head = o, .first = i, .n = 0 };
			if (n_runs > 1 && strcmp(obs[runs[n_runs - 2].first].area, o->area) > 0)
				in_order = false;
		}
		runs[n_runs - 1].n++;
	}
	if (in_order)
		goto out;
	qsort(runs, n_runs, sizeof(*runs), cmp_run);
	if (!(sorted = cc_alloc_array(n, sizeof(*sorted)))) {
		ret = CC_ENOMEM;
		goto out;
	}
	for (size_t r = 0, k = 0; r < n_runs; k += runs[r].n, r++)
		memcpy(&sorted[k], &obs[runs[r].first], runs[r].n * sizeof(*obs));
	memcpy(obs, sorted, n * sizeof(*obs));
out:
	cc_free(sorted);
	cc_free(runs);
	return ret;
}

static int sq_load(struct cc_store *st, const struct cc_indicator_query *q,
                   struct cc_indicator_data *out, struct cc_err *err)
{
	size_t cap_i = 0, cap_b = 0, cap_o = 0;
	sqlite3_stmt *s;
	bool own;
	int ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_LOAD_IND, &s, err)) < 0 || (ret = bind_query(st, s, q, 2, err)) < 0)
		goto out;
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if ((ret = cc__sq_grow((void **)&out->indicators, &cap_i, out->n_indicators,
		                       sizeof(*out->indicators))) < 0) {
			sqlite3_reset(s);
			goto out;
		}
		col_indicator(s, &out->indicators[out->n_indicators++]);
	}
	if (ret < 0)
		goto out;
	if (q->indicators_only)
		goto out;
	if ((ret = stmt(st, q->indicator ? S_LOAD_BM_ONE : S_LOAD_BM, &s, err)) < 0 ||
	    (ret = bind_query(st, s, q, 3, err)) < 0)
		goto out;
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if ((ret = cc__sq_grow((void **)&out->benchmarks, &cap_b, out->n_benchmarks,
		                       sizeof(*out->benchmarks))) < 0) {
			sqlite3_reset(s);
			goto out;
		}
		col_benchmark(s, &out->benchmarks[out->n_benchmarks++]);
	}
	if (ret < 0)
		goto out;
	if ((ret = stmt(st, q->indicator ? S_LOAD_OB_ONE : S_LOAD_OB, &s, err)) < 0 ||
	    (ret = bind_query(st, s, q, 4, err)) < 0)
		goto out;
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if ((ret = cc__sq_grow((void **)&out->observations, &cap_o, out->n_observations,
		                       sizeof(*out->observations))) < 0) {
			sqlite3_reset(s);
			goto out;
		}
		if (q->indicator)
			col_observation_one(s, &out->observations[out->n_observations++]);
		else
			col_observation(s, &out->observations[out->n_observations++]);
	}
	if (ret >= 0 && q->indicator)
		ret = name_and_order(st, q->indicator, out->observations, out->n_observations, err);
out:
	cc__sq_rx_leave(st, own);
	if (ret < 0) {
		if (ret == CC_ENOMEM)
			cc_err_set(err, ret, "out of memory reading indicators");
		cc_indicator_data_release(out);
		return ret;
	}
	return 0;
}

const struct cc__indicators_ops cc__sqlite_indicators = {
	.put_indicator = sq_put_indicator,
	.find_indicator = sq_find_indicator,
	.put_benchmark = sq_put_benchmark,
	.put_observation = sq_put_observation,
	.load = sq_load,
};
