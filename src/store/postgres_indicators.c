/*
 * Indicators, benchmarks and observations on PostgreSQL (tables of migration pg/0003):
 * SQLite's statements (sqlite_indicators.c) in PostgreSQL's dialect. Each put finds the row by
 * its natural key and compares in C, so that a re-import tells added, updated and unchanged
 * apart; keys use coalesce(area_id, 0), coalesce(sex, '') … as the unique indexes do.
 *
 * Observations come by the hundred thousand, so they do not cost a round trip each. Inside a
 * write transaction their puts are held (cc__pg_hold): the first put of a transaction takes
 * the observations' lock (an advisory lock every writer of the table takes) and the highest
 * id; the second put of an indicator reads all its stored observations into a table in
 * memory, against which the later puts of it are decided in C (the first is looked up alone,
 * so that one API write does not read a whole series). New rows take the next id, as SQLite
 * gives a rowid, and wait with the changed ones; they are sent 2,000 at a time as one INSERT
 * and one UPDATE over unnest() of arrays, and the rest before the next statement that is not
 * a read (the COMMIT, the change log) or that names the table. A put lets go of them while it
 * runs its own statements.
 */
#include "store/ops_indicators.h"
#include "store/postgres_held.h"
#include "store/postgres_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/visibility.h>

#include "core/banned.h"

/* every writer of table observation holds it (transaction-scoped) */
#define LOCK_OBSERVATION "SELECT pg_advisory_xact_lock(4242003)"

static bool same_num(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* ---- indicators ---- */

#define IND_COLS                                                                          \
	"id, mission_id, code, name, pillar, unit, measure, higher_is_better, aggregation, " \
	"period_days, goal_min, goal_max"

static void row_indicator(const PGresult *res, int r, struct cc_indicator *out)
{
	memset(out, 0, sizeof(*out));
	out->id = cc__pg_col_i64(res, r, 0);
	out->mission_id = cc__pg_col_i64(res, r, 1);
	cc__pg_col_str(res, r, 2, out->code, sizeof(out->code));
	cc__pg_col_str(res, r, 3, out->name, sizeof(out->name));
	cc__pg_col_str(res, r, 4, out->pillar, sizeof(out->pillar));
	cc__pg_col_str(res, r, 5, out->unit, sizeof(out->unit));
	out->measure = (enum cc_measure)cc__pg_col_i64(res, r, 6);
	out->higher_is_better = cc__pg_col_i64(res, r, 7) != 0;
	if (cc_aggregation_parse(cc__pg_cstr(res, r, 8), &out->aggregation, NULL) < 0)
		out->aggregation = CC_AGG_LATEST; /* the CHECK constraint keeps this out */
	out->period_days = (int)cc__pg_col_i64(res, r, 9);
	out->goal_min = cc__pg_col_num(res, r, 10);
	out->goal_max = cc__pg_col_num(res, r, 11);
}

static int pg_find_indicator(struct cc_store *st, int64_t mission_id, const char *code,
                             struct cc_indicator *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, mission_id);
	cc__pg_str(&p, code);
	ret = cc__pg_exec(st, "SELECT " IND_COLS " FROM indicator WHERE mission_id = $1 AND code = $2",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ENOTFOUND, "unknown indicator '%s'", code);
	else
		row_indicator(res, 0, out);
	PQclear(res);
	return ret;
}

static bool same_indicator(const struct cc_indicator *a, const struct cc_indicator *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->pillar, b->pillar) &&
	       !strcmp(a->unit, b->unit) && a->measure == b->measure &&
	       a->higher_is_better == b->higher_is_better && a->aggregation == b->aggregation &&
	       a->period_days == b->period_days && same_num(a->goal_min, b->goal_min) &&
	       same_num(a->goal_max, b->goal_max);
}

static int put_indicator(struct cc_store *st, struct cc_indicator *ind,
                         enum cc_put_result *res_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_indicator old;
	struct cc_err cause = { 0 };
	PGresult *res = NULL;
	int ret;

	ret = pg_find_indicator(st, ind->mission_id, ind->code, &old, &cause);
	if (ret < 0 && ret != CC_ENOTFOUND)
		return cc_err_wrap(err, &cause, "cannot look up indicator '%s'", ind->code);
	if (ret == 0 && same_indicator(&old, ind)) {
		ind->id = old.id;
		*res_out = CC_PUT_UNCHANGED;
		return 0;
	}
	*res_out = ret == 0 ? CC_PUT_UPDATED : CC_PUT_ADDED;
	cc__pg_i64(&p, ind->mission_id);
	cc__pg_str(&p, ind->code);
	cc__pg_text(&p, ind->name);
	cc__pg_text(&p, ind->pillar);
	cc__pg_text(&p, ind->unit);
	cc__pg_i64(&p, (int64_t)ind->measure);
	cc__pg_i64(&p, ind->higher_is_better ? 1 : 0);
	cc__pg_text(&p, cc_aggregation_name(ind->aggregation));
	cc__pg_id(&p, ind->period_days);
	cc__pg_num(&p, ind->goal_min);
	cc__pg_num(&p, ind->goal_max);
	if (ret == 0) {
		ind->id = old.id;
		return cc__pg_exec(st,
		                   "UPDATE indicator SET name = $3, pillar = $4, unit = $5, measure = "
		                   "$6, higher_is_better = $7, aggregation = $8, period_days = $9, "
		                   "goal_min = $10, goal_max = $11 WHERE mission_id = $1 AND code = $2",
		                   &p, false, NULL, err);
	}
	ret = cc__pg_exec(st,
	                  "INSERT INTO indicator (mission_id, code, name, pillar, unit, measure, "
	                  "higher_is_better, aggregation, period_days, goal_min, goal_max) VALUES "
	                  "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	ind->id = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

static int pg_put_indicator(struct cc_store *st, struct cc_indicator *ind,
                            enum cc_put_result *res_out, struct cc_err *err)
{
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_indicator(st, ind, res_out, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

/* ---- benchmarks ---- */

static int put_benchmark(struct cc_store *st, struct cc_benchmark *b, enum cc_put_result *res_out,
                         struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int64_t id = 0;
	bool same = false;
	int ret;

	cc__pg_i64(&p, b->indicator_id);
	cc__pg_i64(&p, b->area_id);
	cc__pg_str(&p, b->sex);
	cc__pg_str(&p, b->age_group);
	cc__pg_str(&p, cc_bench_kind_name(b->kind));
	cc__pg_i64(&p, b->kind == CC_BENCH_MILESTONE ? b->date : 0);
	ret = cc__pg_exec(st,
	                  "SELECT id, date, value FROM benchmark WHERE indicator_id = $1 AND "
	                  "coalesce(area_id, 0) = $2 AND coalesce(sex, '') = $3 AND "
	                  "coalesce(age_group, '') = $4 AND kind = $5 AND (CASE kind WHEN "
	                  "'milestone' THEN date ELSE 0 END) = $6",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) > 0) {
		id = cc__pg_col_i64(res, 0, 0);
		same = cc__pg_col_date(res, 0, 1) == b->date && cc__pg_col_num(res, 0, 2) == b->value;
	}
	PQclear(res);
	p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	if (id) {
		b->id = id;
		if (same) {
			*res_out = CC_PUT_UNCHANGED;
			return 0;
		}
		*res_out = CC_PUT_UPDATED;
		cc__pg_i64(&p, id);
		cc__pg_date(&p, b->date);
		cc__pg_num(&p, b->value);
		return cc__pg_exec(st, "UPDATE benchmark SET date = $2, value = $3 WHERE id = $1", &p,
		                   false, NULL, err);
	}
	*res_out = CC_PUT_ADDED;
	cc__pg_i64(&p, b->indicator_id);
	cc__pg_id(&p, b->area_id);
	cc__pg_text(&p, b->sex);
	cc__pg_text(&p, b->age_group);
	cc__pg_str(&p, cc_bench_kind_name(b->kind));
	cc__pg_date(&p, b->date);
	cc__pg_num(&p, b->value);
	ret = cc__pg_exec(st,
	                  "INSERT INTO benchmark (indicator_id, area_id, sex, age_group, kind, date, "
	                  "value) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	b->id = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

static int pg_put_benchmark(struct cc_store *st, struct cc_benchmark *b,
                            enum cc_put_result *res_out, struct cc_err *err)
{
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_benchmark(st, b, res_out, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

/* ---- observations: held, decided in C, sent many at a time ---- */

/* An observation as stored (or about to be): its key and its values. */
struct ob {
	int64_t id, indicator_id, area_id;
	int32_t period_start, period_end;
	double value;
	char sex[16], age_group[32], source[128], confidence[8];
};

static uint64_t hash_ob(const void *row)
{
	const struct ob *o = row;
	uint64_t h = cc__held_mix(cc__held_mix(CC__HELD_HASH_SEED, (uint64_t)o->indicator_id),
	                          (uint64_t)o->area_id);

	h = cc__held_mix(h, (uint32_t)o->period_end);
	return cc__held_mix_text(cc__held_mix_text(h, o->sex), o->age_group);
}

static bool same_key(const void *row, const void *probe)
{
	const struct ob *a = row, *b = probe;

	return a->indicator_id == b->indicator_id && a->area_id == b->area_id &&
	       a->period_end == b->period_end && !strcmp(a->sex, b->sex) &&
	       !strcmp(a->age_group, b->age_group);
}

static const struct cc__held_ops ob_ops = { .row_size = sizeof(struct ob),
	                                    .change_size = sizeof(struct cc__held_change),
	                                    .hash = hash_ob,
	                                    .same = same_key };

/* The observations held: the table (a group is an indicator). */
struct obs_held {
	struct cc__held_table t; /* first: cc__held_put makes it */
};

/* The row of o's key, NULL when the table has none. */
static struct ob *lookup(struct obs_held *h, const struct cc_observation *o)
{
	struct ob k = { .indicator_id = o->indicator_id, .area_id = o->area_id,
		        .period_end = o->period_end };

	memcpy(k.sex, o->sex, sizeof(k.sex));
	memcpy(k.age_group, o->age_group, sizeof(k.age_group));
	return cc__held_find(&h->t, &k);
}

static void drop_held(void *p)
{
	struct obs_held *h = p;

	if (!h)
		return;
	cc__held_release(&h->t);
	cc_free(h);
}

enum { A_ID, A_IND, A_AREA, A_SEX, A_AGE, A_START, A_END, A_VALUE, A_SOURCE, A_CONF, A_N };

/* The arrays of a held insert or update (ctx: the observations held). */
static int ob_elements(void *ctx, const void *change, struct cc_buf *a)
{
	const struct ob *o = cc__held_row_of(&((struct obs_held *)ctx)->t, change);
	int ret;

	if ((ret = cc__pg_arr_i64(&a[A_ID], o->id, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[A_IND], o->indicator_id, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[A_AREA], o->area_id, o->area_id == 0)) < 0 ||
	    (ret = cc__pg_arr_text(&a[A_SEX], o->sex)) < 0 ||
	    (ret = cc__pg_arr_text(&a[A_AGE], o->age_group)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[A_START], o->period_start, o->period_start == CC_DATE_NONE)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[A_END], o->period_end, false)) < 0 ||
	    (ret = cc__pg_arr_num(&a[A_VALUE], o->value)) < 0 ||
	    (ret = cc__pg_arr_text(&a[A_SOURCE], o->source)) < 0)
		return ret;
	return cc__pg_arr_text(&a[A_CONF], o->confidence);
}

#define OB_UNNEST                                                                            \
	"unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], "         \
	"$6::integer[], $7::integer[], $8::float8[], $9::text[], $10::text[]) AS v(id, ind, " \
	"area, sex, age, ps, pe, val, src, conf)"

static const struct cc__held_stmt ob_stmts[] = {
	{ .kinds = 1u << CC__HELD_INSERT,
	  .n_cols = A_N,
	  .sql = "INSERT INTO observation (id, indicator_id, area_id, sex, age_group, period_start, "
	         "period_end, value, source, confidence, mission_id) SELECT v.id, v.ind, v.area, "
	         "v.sex, v.age, v.ps, v.pe, v.val, v.src, v.conf, i.mission_id FROM " OB_UNNEST
	         " LEFT JOIN indicator i ON i.id = v.ind",
	  .what = "observations",
	  .cols = ob_elements },
	{ .kinds = 1u << CC__HELD_UPDATE,
	  .n_cols = A_N,
	  .sql = "UPDATE observation o SET period_start = v.ps, value = v.val, source = v.src, "
	         "confidence = v.conf FROM " OB_UNNEST " WHERE o.id = v.id",
	  .what = "observations",
	  .cols = ob_elements },
};

/* Sends every held change, CC__HELD_SEND_ROWS at a time; the table stays (it is what is stored
 * now). */
static int send_held(struct cc_store *st, void *held, struct cc_err *err)
{
	struct obs_held *h = held;
	int ret = cc__held_send(st, &h->t, ob_stmts, sizeof(ob_stmts) / sizeof(ob_stmts[0]), h,
	                        err);

	cc__held_forget(&h->t);
	return ret;
}

static const char *const held_tables[] = { "observation", NULL };
/* an observation's indicator is written before it; nothing refers to an observation */
static const char *const held_kept[] = { "organisation", "org_alias", "indicator", "benchmark",
	                                 "activity", NULL };
static const struct cc__pg_holder holder = { .flush = send_held, .drop = drop_held,
	                                     .tables = held_tables, .writes_kept = held_kept };

#define OB_COLS                                                                            \
	"id, indicator_id, coalesce(area_id, 0), coalesce(sex, ''), coalesce(age_group, ''), " \
	"period_start, period_end, value, source, confidence"

static void row_ob(const PGresult *res, int r, struct ob *o)
{
	memset(o, 0, sizeof(*o));
	o->id = cc__pg_col_i64(res, r, 0);
	o->indicator_id = cc__pg_col_i64(res, r, 1);
	o->area_id = cc__pg_col_i64(res, r, 2);
	cc__pg_col_str(res, r, 3, o->sex, sizeof(o->sex));
	cc__pg_col_str(res, r, 4, o->age_group, sizeof(o->age_group));
	o->period_start = cc__pg_col_date(res, r, 5);
	o->period_end = cc__pg_col_date(res, r, 6);
	o->value = cc__pg_col_num(res, r, 7);
	cc__pg_col_str(res, r, 8, o->source, sizeof(o->source));
	cc__pg_col_str(res, r, 9, o->confidence, sizeof(o->confidence));
}

/* Adds the rows of res whose keys the table does not have (it may hold newer versions). */
static int add_rows(struct obs_held *h, const PGresult *res, struct cc_err *err)
{
	for (int r = 0; r < PQntuples(res); r++) {
		struct ob o;

		row_ob(res, r, &o);
		if (!cc__held_find(&h->t, &o) && !cc__held_add(&h->t, &o))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	return 0;
}

/* Makes sure the table knows whether o's key is stored: one row the first time an indicator
 * is met, all of the indicator's rows the second time. */
static int look_up(struct cc_store *st, struct obs_held *h, const struct cc_observation *o,
                   struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret = cc__held_look_up(&h->t, o->indicator_id, 1);

	if (ret < 0)
		return cc_err_set(err, ret, "out of memory");
	if (ret == CC__HELD_KNOWN || (ret == CC__HELD_READ_ONE && lookup(h, o)))
		return 0;
	cc__pg_i64(&p, o->indicator_id);
	if (ret == CC__HELD_READ_ALL) {
		ret = cc__pg_exec(st, "SELECT " OB_COLS " FROM observation WHERE indicator_id = $1",
		                  &p, false, &res, err);
	} else {
		cc__pg_i64(&p, o->area_id);
		cc__pg_str(&p, o->sex);
		cc__pg_str(&p, o->age_group);
		cc__pg_i64(&p, o->period_end);
		ret = cc__pg_exec(st,
		                  "SELECT " OB_COLS " FROM observation WHERE indicator_id = $1 AND "
		                  "coalesce(area_id, 0) = $2 AND coalesce(sex, '') = $3 AND "
		                  "coalesce(age_group, '') = $4 AND period_end = $5",
		                  &p, false, &res, err);
	}
	if (ret < 0)
		return ret;
	ret = add_rows(h, res, err);
	PQclear(res);
	return ret;
}

static const struct cc__held_domain obs_domain = {
	.holder = &holder,
	.lock_sql = LOCK_OBSERVATION,
	.max_sql = "SELECT coalesce(max(id), 0) FROM observation",
	.size = sizeof(struct obs_held),
	.ops = &ob_ops,
};

static void set_values(struct ob *row, const struct cc_observation *o)
{
	row->period_start = o->period_start;
	row->value = o->value;
	snprintf(row->source, sizeof(row->source), "%s", o->source);
	snprintf(row->confidence, sizeof(row->confidence), "%s", o->confidence);
}

static int put_one(struct cc_store *st, void *held, void *put, int64_t batch,
                   enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct obs_held *h = held;
	struct cc_observation *o = put;
	struct ob *row;
	int ret;

	(void)batch; /* observations have no batch, and no duplicates */
	(void)dup_line_out;
	if ((ret = look_up(st, h, o, err)) < 0)
		return ret;
	row = lookup(h, o);
	if (row) {
		char src[sizeof(row->source)], conf[sizeof(row->confidence)];

		/* compared as stored: cut to the columns' sizes as a read would */
		snprintf(src, sizeof(src), "%s", o->source);
		snprintf(conf, sizeof(conf), "%s", o->confidence);
		o->id = row->id;
		if (row->period_start == o->period_start && same_num(row->value, o->value) &&
		    !strcmp(row->source, src) && !strcmp(row->confidence, conf)) {
			*res_out = CC_PUT_UNCHANGED;
			return 0;
		}
		*res_out = CC_PUT_UPDATED;
		set_values(row, o);
		/* a held insert or update stays one, and takes the new values */
		if (!cc__held_mark(&h->t, row, CC__HELD_UPDATE))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	} else {
		struct ob n = { .id = h->t.next_id, .indicator_id = o->indicator_id,
			        .area_id = o->area_id, .period_end = o->period_end };

		snprintf(n.sex, sizeof(n.sex), "%s", o->sex);
		snprintf(n.age_group, sizeof(n.age_group), "%s", o->age_group);
		set_values(&n, o);
		if (!(row = cc__held_add(&h->t, &n)) || !cc__held_mark(&h->t, row, CC__HELD_INSERT))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		o->id = h->t.next_id++;
		*res_out = CC_PUT_ADDED;
	}
	return h->t.n_changes < CC__HELD_SEND_ROWS ? 0 : send_held(st, h, err);
}

static int pg_put_observation(struct cc_store *st, struct cc_observation *o,
                              enum cc_put_result *res_out, struct cc_err *err)
{
	return cc__held_put(st, &obs_domain, put_one, o, 0, res_out, NULL, err);
}

/* ---- reads ---- */

static void query_params(struct cc__pg_params *p, const struct cc_indicator_query *q, int n)
{
	cc__pg_i64(p, q->mission_id);
	cc__pg_text(p, q->indicator);
	if (n >= 3) {
		if (q->area)
			cc__pg_str(p, q->area);
		else
			cc__pg_null(p);
	}
	if (n >= 4)
		cc__pg_date(p, q->at);
}

static void row_benchmark(const PGresult *res, int r, struct cc_benchmark *b)
{
	memset(b, 0, sizeof(*b));
	b->id = cc__pg_col_i64(res, r, 0);
	b->indicator_id = cc__pg_col_i64(res, r, 1);
	b->area_id = cc__pg_col_i64(res, r, 2);
	cc__pg_col_str(res, r, 3, b->indicator, sizeof(b->indicator));
	cc__pg_col_str(res, r, 4, b->area, sizeof(b->area));
	cc__pg_col_str(res, r, 5, b->sex, sizeof(b->sex));
	cc__pg_col_str(res, r, 6, b->age_group, sizeof(b->age_group));
	if (cc_bench_kind_parse(cc__pg_cstr(res, r, 7), &b->kind, NULL) < 0)
		b->kind = CC_BENCH_MILESTONE; /* the CHECK constraint keeps this out */
	b->date = cc__pg_col_date(res, r, 8);
	b->value = cc__pg_col_num(res, r, 9);
}

static void row_observation(const PGresult *res, int r, struct cc_observation *o)
{
	memset(o, 0, sizeof(*o));
	o->id = cc__pg_col_i64(res, r, 0);
	o->indicator_id = cc__pg_col_i64(res, r, 1);
	o->area_id = cc__pg_col_i64(res, r, 2);
	cc__pg_col_str(res, r, 3, o->indicator, sizeof(o->indicator));
	cc__pg_col_str(res, r, 4, o->area, sizeof(o->area));
	cc__pg_col_str(res, r, 5, o->sex, sizeof(o->sex));
	cc__pg_col_str(res, r, 6, o->age_group, sizeof(o->age_group));
	o->period_start = cc__pg_col_date(res, r, 7);
	o->period_end = cc__pg_col_date(res, r, 8);
	o->value = cc__pg_col_num(res, r, 9);
	cc__pg_col_str(res, r, 10, o->source, sizeof(o->source));
	cc__pg_col_str(res, r, 11, o->confidence, sizeof(o->confidence));
}

static const char sql_load_ind[] =
        "SELECT " IND_COLS ", id, mission_id, owner_id, releasability, deny, shared FROM "
        "indicator WHERE mission_id = $1 AND ($2::text IS NULL OR code = $2) ORDER BY code";

static const char sql_load_bm[] =
        "SELECT b.id, b.indicator_id, coalesce(b.area_id, 0), i.code, coalesce(a.pcode, ''), "
        "coalesce(b.sex, ''), coalesce(b.age_group, ''), b.kind, b.date, b.value FROM "
        "benchmark b JOIN indicator i ON i.id = b.indicator_id LEFT JOIN area a ON a.id = "
        "b.area_id WHERE i.mission_id = $1 AND ($2::text IS NULL OR i.code = $2) AND "
        "($3::text IS NULL OR a.pcode = $3) ORDER BY i.code, coalesce(a.pcode, ''), "
        "coalesce(b.sex, ''), coalesce(b.age_group, ''), b.date, b.kind";

static const char sql_load_ob[] =
        "SELECT o.id, o.indicator_id, coalesce(o.area_id, 0), i.code, coalesce(a.pcode, ''), "
        "coalesce(o.sex, ''), coalesce(o.age_group, ''), o.period_start, o.period_end, "
        "o.value, o.source, o.confidence FROM observation o JOIN indicator i ON i.id = "
        "o.indicator_id LEFT JOIN area a ON a.id = o.area_id WHERE i.mission_id = $1 AND "
        "($2::text IS NULL OR i.code = $2) AND ($3::text IS NULL OR a.pcode = $3) AND "
        "($4::integer IS NULL OR o.period_end <= $4::integer) ORDER BY i.code, "
        "coalesce(a.pcode, ''), coalesce(o.sex, ''), coalesce(o.age_group, ''), o.period_end";

static int pg_load(struct cc_store *st, const struct cc_indicator_query *q,
                   struct cc_indicator_data *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	PGresult *res = NULL;
	size_t n = 0;
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "indicator", &sh, err)) < 0)
		goto out;
	query_params(&p, q, 2);
	if ((ret = cc__pg_rows(st, sql_load_ind, &p, sizeof(*out->indicators), &res,
	                       (void **)&out->indicators, &n, err)) < 0)
		goto out;
	for (size_t r = 0; r < n; r++)
		if (cc__pg_row_visible(st, &sh, res, (int)r, 12, NULL))
			row_indicator(res, (int)r, &out->indicators[out->n_indicators++]);
	PQclear(res);
	res = NULL;
	if (q->indicators_only)
		goto out;

	p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	query_params(&p, q, 3);
	if ((ret = cc__pg_rows(st, sql_load_bm, &p, sizeof(*out->benchmarks), &res,
	                       (void **)&out->benchmarks, &out->n_benchmarks, err)) < 0)
		goto out;
	for (size_t r = 0; r < out->n_benchmarks; r++)
		row_benchmark(res, (int)r, &out->benchmarks[r]);
	PQclear(res);
	res = NULL;

	p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	query_params(&p, q, 4);
	if ((ret = cc__pg_rows(st, sql_load_ob, &p, sizeof(*out->observations), &res,
	                       (void **)&out->observations, &out->n_observations, err)) < 0)
		goto out;
	for (size_t r = 0; r < out->n_observations; r++)
		row_observation(res, (int)r, &out->observations[r]);
out:
	PQclear(res);
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	if (ret < 0) {
		if (ret == CC_ENOMEM)
			cc_err_set(err, ret, "out of memory reading indicators");
		cc_indicator_data_release(out);
		return ret;
	}
	if (!out->n_indicators) {
		cc_free(out->indicators);
		out->indicators = NULL;
	}
	return 0;
}

const struct cc__indicators_ops cc__pg_indicators = {
	.put_indicator = pg_put_indicator,
	.find_indicator = pg_find_indicator,
	.put_benchmark = pg_put_benchmark,
	.put_observation = pg_put_observation,
	.load = pg_load,
};
