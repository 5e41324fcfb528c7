/*
 * Progress against benchmarks, status, trend and projected attainment per series
 * (DOMAIN.md §2.1–2.4): pure over the arrays cc_store_load_indicator_data returns.
 */
#include <concord/progress.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

#define DEFAULT_ON_TRACK 0.90
#define DEFAULT_AT_RISK 0.75
#define DEFAULT_MAX_AGE_DAYS 180
#define DEFAULT_ALPHA 0.05
#define RATIO_EPS 1e-12   /* 0.9 computed as 0.8999999999 is still 0.9 */
#define LAST_DAY 2932896  /* 9999-12-31: beyond it a projection is "not reached" */

const char *cc_status_name(enum cc_status s)
{
	switch (s) {
	case CC_STATUS_NA:
		return "n/a";
	case CC_STATUS_NO_DATA:
		return "no_data";
	case CC_STATUS_STALE:
		return "stale";
	case CC_STATUS_ON_TRACK:
		return "on_track";
	case CC_STATUS_AT_RISK:
		return "at_risk";
	case CC_STATUS_OFF_TRACK:
		return "off_track";
	}
	return "?";
}

const char *cc_projection_name(enum cc_projection p)
{
	switch (p) {
	case CC_PROJ_NONE:
		return "";
	case CC_PROJ_ATTAINED:
		return "attained";
	case CC_PROJ_DATE:
		return "date";
	case CC_PROJ_NOT_REACHED:
		return "not reached on current trend";
	}
	return "?";
}

double cc_progress_of(double actual, double baseline, double target)
{
	double p;

	if (isnan(actual) || isnan(baseline) || isnan(target) || target == baseline)
		return (double)NAN;
	p = (actual - baseline) / (target - baseline);
	/* 0 / negative is -0: no progress is 0 whichever way the indicator points */
	return p == 0 ? 0 : p;
}

static double clip01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

double cc_progress_expected(const int32_t *dates, const double *values, size_t n, int32_t t)
{
	double p0, p1;

	if (n < 2 || values[n - 1] == values[0] || isnan(values[0]) || isnan(values[n - 1]))
		return (double)NAN;
	if (t <= dates[0])
		return 0;
	if (t >= dates[n - 1])
		return 1;
	for (size_t i = 0; i + 1 < n; i++) {
		if (t >= dates[i + 1] || dates[i + 1] <= dates[i])
			continue;
		p0 = cc_progress_of(values[i], values[0], values[n - 1]);
		p1 = cc_progress_of(values[i + 1], values[0], values[n - 1]);
		return clip01(p0 + (p1 - p0) * (double)(t - dates[i]) /
		                           (double)(dates[i + 1] - dates[i]));
	}
	return 1;
}

const char *cc_rule_source_name(enum cc_rule_source s)
{
	switch (s) {
	case CC_RULE_DEFAULT:
		return "default";
	case CC_RULE_MISSION:
		return "mission";
	case CC_RULE_OPTION:
		return "option";
	}
	return "?";
}

/* One threshold: the run's option, else the mission's, else the default. */
static void pick(double *v, enum cc_rule_source *from, double mission, double def)
{
	if (*v > 0) {
		*from = CC_RULE_OPTION;
	} else if (mission > 0) {
		*v = mission;
		*from = CC_RULE_MISSION;
	} else {
		*v = def;
		*from = CC_RULE_DEFAULT;
	}
}

void cc_progress_opts_apply_rule(struct cc_progress_opts *o, const struct cc_status_rule *mission)
{
	const struct cc_status_rule none = { 0 }, *m = mission ? mission : &none;
	double age = o->max_age_days;

	pick(&o->on_track, &o->from_on_track, m->on_track, DEFAULT_ON_TRACK);
	pick(&o->at_risk, &o->from_at_risk, m->at_risk, DEFAULT_AT_RISK);
	pick(&o->alpha, &o->from_alpha, m->alpha, DEFAULT_ALPHA);
	pick(&age, &o->from_max_age, m->max_age_days, 0);
	o->max_age_days = (int)age;
}

static void fill_opts(struct cc_progress_opts *o, const struct cc_progress_opts *in)
{
	*o = in ? *in : (struct cc_progress_opts){ .at = CC_DATE_NONE };
	if (o->on_track <= 0)
		o->on_track = DEFAULT_ON_TRACK;
	if (o->at_risk <= 0)
		o->at_risk = DEFAULT_AT_RISK;
	if (o->alpha <= 0)
		o->alpha = DEFAULT_ALPHA;
}

enum cc_status cc_progress_status(double progress, double expected,
                                  const struct cc_progress_opts *opts)
{
	struct cc_progress_opts o;
	double ratio;

	fill_opts(&o, opts);
	if (isnan(progress) || isnan(expected))
		return CC_STATUS_NA;
	if (expected == 0)
		return progress >= 0 ? CC_STATUS_ON_TRACK : CC_STATUS_OFF_TRACK;
	ratio = progress / expected;
	if (ratio >= o.on_track - RATIO_EPS)
		return CC_STATUS_ON_TRACK;
	if (ratio >= o.at_risk - RATIO_EPS)
		return CC_STATUS_AT_RISK;
	return CC_STATUS_OFF_TRACK;
}

/* ---- series ---- */

struct key {
	const char *code, *area, *sex, *age;
};

static int key_cmp(const struct key *a, const struct key *b)
{
	int c = strcmp(a->code, b->code);

	if (!c)
		c = strcmp(a->area, b->area);
	if (!c)
		c = strcmp(a->sex, b->sex);
	if (!c)
		c = strcmp(a->age, b->age);
	return c;
}

static struct key bm_key(const struct cc_benchmark *b)
{
	return (struct key){ b->indicator, b->area, b->sex, b->age_group };
}

static struct key ob_key(const struct cc_observation *o)
{
	return (struct key){ o->indicator, o->area, o->sex, o->age_group };
}

static int find_indicator(const struct cc_indicator_data *d, const char *code, size_t *out)
{
	size_t lo = 0, hi = d->n_indicators;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->indicators[mid].code, code);

		if (c == 0) {
			*out = mid;
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return CC_ENOTFOUND;
}

static int check_sorted(const struct cc_indicator_data *d, struct cc_err *err)
{
	for (size_t i = 1; i < d->n_indicators; i++)
		if (strcmp(d->indicators[i - 1].code, d->indicators[i].code) >= 0)
			return cc_err_set(err, CC_EINVALID, "indicators are not sorted by code");
	for (size_t i = 1; i < d->n_benchmarks; i++) {
		struct key a = bm_key(&d->benchmarks[i - 1]), b = bm_key(&d->benchmarks[i]);

		if (key_cmp(&a, &b) > 0)
			return cc_err_set(err, CC_EINVALID, "benchmarks are not sorted by series");
	}
	for (size_t i = 1; i < d->n_observations; i++) {
		struct key a = ob_key(&d->observations[i - 1]), b = ob_key(&d->observations[i]);
		int c = key_cmp(&a, &b);

		if (c > 0 || (c == 0 && d->observations[i - 1].period_end >=
		                                d->observations[i].period_end))
			return cc_err_set(err, CC_EINVALID,
			                  "observations are not sorted by series and date");
	}
	return 0;
}

/* Benchmarks of one series in date order → the piecewise line and the result's fields. */
static void benchmarks(const struct cc_benchmark *b, size_t n, struct cc_progress_result *r,
                       int32_t *dates, double *values, size_t *n_points)
{
	size_t k = 0;

	r->baseline = r->target = (double)NAN;
	r->baseline_date = r->target_date = CC_DATE_NONE;
	for (size_t i = 0; i < n; i++) {
		if (b[i].kind == CC_BENCH_BASELINE) {
			r->baseline = b[i].value;
			r->baseline_date = b[i].date;
		} else if (b[i].kind == CC_BENCH_TARGET) {
			r->target = b[i].value;
			r->target_date = b[i].date;
		}
	}
	*n_points = 0;
	if (isnan(r->baseline) || isnan(r->target))
		return;
	dates[k] = r->baseline_date;
	values[k++] = r->baseline;
	for (size_t i = 0; i < n; i++)
		if (b[i].kind == CC_BENCH_MILESTONE && b[i].date > r->baseline_date &&
		    b[i].date < r->target_date) {
			dates[k] = b[i].date;
			values[k++] = b[i].value;
			r->n_milestones++;
		}
	dates[k] = r->target_date;
	values[k++] = r->target;
	*n_points = k;
}

static void project(struct cc_progress_result *r)
{
	double dir = r->target - r->baseline, t;

	r->projection = CC_PROJ_NONE;
	if (isnan(dir) || dir == 0 || isnan(r->latest_value))
		return;
	if ((dir > 0 && r->latest_value >= r->target) || (dir < 0 && r->latest_value <= r->target)) {
		r->projection = CC_PROJ_ATTAINED;
		return;
	}
	if (r->trend.n < CC_TREND_MIN_N || isnan(r->trend.slope))
		return;
	if (r->trend.slope == 0 || (r->trend.slope > 0) != (dir > 0)) {
		r->projection = CC_PROJ_NOT_REACHED;
		return;
	}
	t = (r->target - r->trend.intercept) / r->trend.slope;
	if (!(t < LAST_DAY)) {
		r->projection = CC_PROJ_NOT_REACHED;
		return;
	}
	r->projection = CC_PROJ_DATE;
	r->projected_date = (int32_t)lround(t);
}

static int grow_results(struct cc_progress_result **res, size_t *cap, size_t n)
{
	struct cc_progress_result *p;
	size_t new_cap;

	if (n < *cap)
		return 0;
	new_cap = *cap ? *cap * 2 : 16;
	p = cc_realloc(*res, new_cap * sizeof(*p));
	if (!p)
		return CC_ENOMEM;
	*res = p;
	*cap = new_cap;
	return 0;
}

struct work {
	double *t, *y;
	int32_t *dates;
	double *values;
};

static int one_series(const struct cc_indicator_data *d, const struct cc_progress_opts *o,
                      const struct key *k, const struct cc_benchmark *bm, size_t n_bm,
                      const struct cc_observation *ob, size_t n_ob, struct work *w,
                      struct cc_progress_result *r, struct cc_err *err)
{
	const struct cc_indicator *ind;
	size_t n_points = 0, n = 0;
	int32_t at = o->at;
	int ret;

	memset(r, 0, sizeof(*r));
	if (find_indicator(d, k->code, &r->indicator) < 0)
		return cc_err_set(err, CC_EINVALID, "series of unknown indicator '%s'", k->code);
	ind = &d->indicators[r->indicator];
	snprintf(r->area, sizeof(r->area), "%s", k->area);
	snprintf(r->sex, sizeof(r->sex), "%s", k->sex);
	snprintf(r->age_group, sizeof(r->age_group), "%s", k->age);
	benchmarks(bm, n_bm, r, w->dates, w->values, &n_points);

	r->latest_date = CC_DATE_NONE;
	r->latest_value = (double)NAN;
	for (size_t i = 0; i < n_ob; i++) {
		if (isnan(ob[i].value)) {
			r->n_missing++;
			continue;
		}
		w->t[n] = (double)ob[i].period_end;
		w->y[n++] = ob[i].value;
		r->latest_date = ob[i].period_end;
		r->latest_value = ob[i].value;
	}
	r->n_values = n;
	if ((ret = cc_trend_compute(w->t, w->y, n, o->alpha, &r->trend, err)) < 0)
		return ret;

	r->progress = cc_progress_of(r->latest_value, r->baseline, r->target);
	r->expected = n_points ? cc_progress_expected(w->dates, w->values, n_points, r->latest_date)
	                       : (double)NAN;
	r->ratio = isnan(r->progress) || isnan(r->expected) || r->expected == 0
	                   ? (double)NAN
	                   : r->progress / r->expected;
	r->max_age_days = o->max_age_days   ? o->max_age_days
	                  : ind->period_days ? 2 * ind->period_days
	                                     : DEFAULT_MAX_AGE_DAYS;
	if (n == 0 || (r->baseline_date != CC_DATE_NONE && r->latest_date <= r->baseline_date))
		r->status = CC_STATUS_NO_DATA;
	else if (at != CC_DATE_NONE && (int64_t)at - r->latest_date > r->max_age_days)
		r->status = CC_STATUS_STALE;
	else
		r->status = cc_progress_status(r->progress, r->expected, o);
	project(r);
	return 0;
}

int cc_progress_compute(const struct cc_indicator_data *d, const struct cc_progress_opts *opts,
                        struct cc_progress_result **out, size_t *n_out, struct cc_err *err)
{
	struct cc_progress_opts o;
	struct work w = { 0 };
	struct cc_progress_result *res = NULL;
	size_t n_res = 0, cap = 0, max_ob = 1, max_bm = 2, bi = 0, oi = 0;
	int ret;

	*out = NULL;
	*n_out = 0;
	fill_opts(&o, opts);
	if ((ret = check_sorted(d, err)) < 0)
		return ret;
	if (o.at == CC_DATE_NONE)
		for (size_t i = 0; i < d->n_observations; i++)
			if (o.at == CC_DATE_NONE || d->observations[i].period_end > o.at)
				o.at = d->observations[i].period_end;
	/* the longest series bounds the work arrays */
	for (size_t i = 0, j; i < d->n_observations; i = j) {
		struct key a = ob_key(&d->observations[i]), b;

		for (j = i + 1; j < d->n_observations; j++) {
			b = ob_key(&d->observations[j]);
			if (key_cmp(&a, &b))
				break;
		}
		max_ob = j - i > max_ob ? j - i : max_ob;
	}
	max_bm += d->n_benchmarks;
	w.t = cc_alloc_array(max_ob, sizeof(*w.t));
	w.y = cc_alloc_array(max_ob, sizeof(*w.y));
	w.dates = cc_alloc_array(max_bm, sizeof(*w.dates));
	w.values = cc_alloc_array(max_bm, sizeof(*w.values));
	if (!w.t || !w.y || !w.dates || !w.values) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for progress");
		goto out_free;
	}
	while (bi < d->n_benchmarks || oi < d->n_observations) {
		struct key kb, ko, k;
		size_t bj = bi, oj = oi;
		int c;

		if (bi < d->n_benchmarks)
			kb = bm_key(&d->benchmarks[bi]);
		if (oi < d->n_observations)
			ko = ob_key(&d->observations[oi]);
		c = bi >= d->n_benchmarks ? 1 : oi >= d->n_observations ? -1 : key_cmp(&kb, &ko);
		k = c <= 0 ? kb : ko;
		while (bj < d->n_benchmarks) {
			struct key x = bm_key(&d->benchmarks[bj]);

			if (key_cmp(&x, &k))
				break;
			bj++;
		}
		while (oj < d->n_observations) {
			struct key x = ob_key(&d->observations[oj]);

			if (key_cmp(&x, &k))
				break;
			oj++;
		}
		if ((ret = grow_results(&res, &cap, n_res)) < 0)
			goto out_fail;
		ret = one_series(d, &o, &k, d->benchmarks + bi, bj - bi, d->observations + oi, oj - oi,
		                 &w, &res[n_res], err);
		if (ret < 0)
			goto out_fail;
		n_res++;
		bi = bj;
		oi = oj;
	}
	*out = res;
	*n_out = n_res;
	ret = 0;
	goto out_free;
out_fail:
	if (ret == CC_ENOMEM && !(err && err->msg[0]))
		cc_err_set(err, CC_ENOMEM, "out of memory for progress");
	cc_free(res);
out_free:
	cc_free(w.t);
	cc_free(w.y);
	cc_free(w.dates);
	cc_free(w.values);
	return ret;
}

/* ---- roll-up to pillars ---- */

struct cc_pillar_item {
	char pillar[32];
	char area[32];
	enum cc_status status;
	double ratio; /* NAN none */
};

int cc_pillar_rollup_add(struct cc_pillar_rollup *acc, const struct cc_indicator_data *data,
                         const struct cc_progress_result *r, size_t n, struct cc_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct cc_pillar_item *it;

		if (r[i].sex[0] || r[i].age_group[0])
			continue; /* a breakdown of a series counted once, by its total */
		if (acc->n_items == acc->cap_items) {
			size_t cap = acc->cap_items ? 2 * acc->cap_items : 256;
			void *p = cap <= SIZE_MAX / sizeof(*acc->items)
			                  ? cc_realloc(acc->items, cap * sizeof(*acc->items))
			                  : NULL;

			if (!p)
				return cc_err_set(err, CC_ENOMEM, "out of memory rolling up to pillars");
			acc->items = p;
			acc->cap_items = cap;
		}
		it = &acc->items[acc->n_items++];
		snprintf(it->pillar, sizeof(it->pillar), "%s",
		         r[i].indicator < data->n_indicators ? data->indicators[r[i].indicator].pillar
		                                             : "");
		snprintf(it->area, sizeof(it->area), "%s", r[i].area);
		it->status = r[i].status;
		it->ratio = r[i].ratio;
	}
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct cc_pillar_item *x = a, *y = b;
	int c = strcmp(x->pillar, y->pillar);

	return c ? c : strcmp(x->area, y->area);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A series judged on its ratio: neither stale, nor without data, nor n/a (DOMAIN §2.2). */
static bool judged(enum cc_status s)
{
	switch (s) {
	case CC_STATUS_ON_TRACK:
	case CC_STATUS_AT_RISK:
	case CC_STATUS_OFF_TRACK:
		return true;
	case CC_STATUS_NA:
	case CC_STATUS_NO_DATA:
	case CC_STATUS_STALE:
		break;
	}
	return false;
}

/*
 * One row over items[0..n) (sorted ratios go to work). Stale and no-data series are counted
 * apart and left out of the median: a stale value says nothing about progress now. A row
 * with no series judged is stale when some are stale, else no data.
 */
static void pillar_row(struct cc_pillar_progress *row, const struct cc_pillar_item *items,
                       size_t n, double *work, const struct cc_progress_opts *o)
{
	double on = o && o->on_track > 0 ? o->on_track : DEFAULT_ON_TRACK;
	double risk = o && o->at_risk > 0 ? o->at_risk : DEFAULT_AT_RISK;

	row->n_series = n;
	row->n_ratio = 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)items[i].status < sizeof(row->n_status) / sizeof(row->n_status[0]))
			row->n_status[items[i].status]++;
		if (judged(items[i].status) && !isnan(items[i].ratio))
			work[row->n_ratio++] = items[i].ratio;
	}
	row->median_ratio = (double)NAN;
	row->status = CC_STATUS_NO_DATA;
	if (!row->n_ratio) {
		if (row->n_status[CC_STATUS_STALE] && !row->n_status[CC_STATUS_ON_TRACK] &&
		    !row->n_status[CC_STATUS_AT_RISK] && !row->n_status[CC_STATUS_OFF_TRACK])
			row->status = CC_STATUS_STALE;
		return;
	}
	qsort(work, row->n_ratio, sizeof(*work), cmp_double);
	row->median_ratio = row->n_ratio % 2 ? work[row->n_ratio / 2]
	                                     : (work[row->n_ratio / 2 - 1] + work[row->n_ratio / 2]) / 2;
	row->status = row->median_ratio >= on     ? CC_STATUS_ON_TRACK
	              : row->median_ratio >= risk ? CC_STATUS_AT_RISK
	                                          : CC_STATUS_OFF_TRACK;
}

int cc_pillar_rollup_finish(struct cc_pillar_rollup *acc, const struct cc_progress_opts *opts,
                            struct cc_err *err)
{
	size_t n_groups = 0, n_pillars = 0;
	double *work = NULL;

	cc_free(acc->rows);
	acc->rows = NULL;
	acc->n_rows = 0;
	if (!acc->n_items)
		return 0;
	qsort(acc->items, acc->n_items, sizeof(*acc->items), cmp_item);
	for (size_t i = 0; i < acc->n_items; i++) {
		if (i == 0 || strcmp(acc->items[i].pillar, acc->items[i - 1].pillar) != 0)
			n_pillars++;
		if (i == 0 || cmp_item(&acc->items[i], &acc->items[i - 1]) != 0)
			n_groups++;
	}
	acc->rows = cc_calloc(n_groups + n_pillars, sizeof(*acc->rows));
	work = cc_alloc_array(acc->n_items, sizeof(*work));
	if (!acc->rows || !work) {
		cc_free(work);
		cc_free(acc->rows);
		acc->rows = NULL;
		return cc_err_set(err, CC_ENOMEM, "out of memory rolling up to pillars");
	}
	for (size_t p0 = 0; p0 < acc->n_items;) {
		size_t p1 = p0;
		struct cc_pillar_progress *all;

		while (p1 < acc->n_items && strcmp(acc->items[p1].pillar, acc->items[p0].pillar) == 0)
			p1++;
		/* the pillar over every area first, then area by area */
		all = &acc->rows[acc->n_rows++];
		snprintf(all->pillar, sizeof(all->pillar), "%s", acc->items[p0].pillar);
		snprintf(all->area, sizeof(all->area), "*");
		pillar_row(all, &acc->items[p0], p1 - p0, work, opts);
		for (size_t a0 = p0; a0 < p1;) {
			size_t a1 = a0;
			struct cc_pillar_progress *row = &acc->rows[acc->n_rows++];

			while (a1 < p1 && strcmp(acc->items[a1].area, acc->items[a0].area) == 0)
				a1++;
			snprintf(row->pillar, sizeof(row->pillar), "%s", acc->items[a0].pillar);
			snprintf(row->area, sizeof(row->area), "%s", acc->items[a0].area);
			pillar_row(row, &acc->items[a0], a1 - a0, work, opts);
			a0 = a1;
		}
		p0 = p1;
	}
	cc_free(work);
	return 0;
}

void cc_pillar_rollup_release(struct cc_pillar_rollup *acc)
{
	if (!acc)
		return;
	cc_free(acc->items);
	cc_free(acc->rows);
	memset(acc, 0, sizeof(*acc));
}
