/* The public face of the indicators domain: checks, then the backend's table. */
#include <concord/indicators.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/crosswalk.h>
#include <concord/needs.h>

#include "store/backend.h"
#include "store/ops_indicators.h"

#include "core/banned.h"

static const char *const measure_names[] = {
	[CC_MEASURE_UNIT] = "unit",
	[CC_MEASURE_PERCENTAGE] = "percentage",
	[CC_MEASURE_NOMINAL] = "nominal",
	[CC_MEASURE_ORDINAL] = "ordinal",
	[CC_MEASURE_QUALITATIVE] = "qualitative",
};

static const char *const aggregation_names[] = {
	[CC_AGG_SUM] = "sum",
	[CC_AGG_MEAN] = "mean",
	[CC_AGG_POP_WEIGHTED_MEAN] = "population_weighted_mean",
	[CC_AGG_MAX] = "max",
	[CC_AGG_LATEST] = "latest",
};

static const char *const kind_names[] = {
	[CC_BENCH_BASELINE] = "baseline",
	[CC_BENCH_MILESTONE] = "milestone",
	[CC_BENCH_TARGET] = "target",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *cc_measure_name(enum cc_measure m)
{
	return (size_t)m < N_OF(measure_names) && measure_names[m] ? measure_names[m] : "?";
}

const char *cc_aggregation_name(enum cc_aggregation a)
{
	return (size_t)a < N_OF(aggregation_names) ? aggregation_names[a] : "?";
}

const char *cc_bench_kind_name(enum cc_bench_kind k)
{
	return (size_t)k < N_OF(kind_names) ? kind_names[k] : "?";
}

static int find_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcasecmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int cc_measure_parse(const char *s, enum cc_measure *out, struct cc_err *err)
{
	int i = find_name(measure_names, N_OF(measure_names), s);

	if (i < 0 && s[0] >= '1' && s[0] <= '5' && !s[1])
		i = s[0] - '0';
	if (i < 0)
		return cc_err_set(err, CC_EINVALID,
		                  "unknown measure '%s' (unit, percentage, nominal, ordinal, "
		                  "qualitative or 1-5)", s);
	*out = (enum cc_measure)i;
	return 0;
}

int cc_aggregation_parse(const char *s, enum cc_aggregation *out, struct cc_err *err)
{
	int i = find_name(aggregation_names, N_OF(aggregation_names), s);

	if (i < 0)
		return cc_err_set(err, CC_EINVALID,
		                  "unknown aggregation '%s' (sum, mean, population_weighted_mean, "
		                  "max, latest)", s);
	*out = (enum cc_aggregation)i;
	return 0;
}

int cc_bench_kind_parse(const char *s, enum cc_bench_kind *out, struct cc_err *err)
{
	int i = find_name(kind_names, N_OF(kind_names), s);

	if (i < 0)
		return cc_err_set(err, CC_EINVALID,
		                  "unknown benchmark kind '%s' (baseline, milestone, target)", s);
	*out = (enum cc_bench_kind)i;
	return 0;
}

static int unsupported(struct cc_err *err)
{
	return cc_err_set(err, CC_EUNSUPPORTED, "this store has no indicators");
}

int cc_store_put_indicator(struct cc_store *st, struct cc_indicator *ind,
                           enum cc_put_result *res_out, struct cc_err *err)
{
	if (!st->ops->indicators)
		return unsupported(err);
	if (!ind->code[0] || !ind->name[0] || !ind->mission_id)
		return cc_err_set(err, CC_EINVALID, "an indicator needs a mission, code and name");
	return st->ops->indicators->put_indicator(st, ind, res_out, err);
}

int cc_store_find_indicator(struct cc_store *st, int64_t mission_id, const char *code,
                            struct cc_indicator *out, struct cc_err *err)
{
	if (!st->ops->indicators)
		return unsupported(err);
	return st->ops->indicators->find_indicator(st, mission_id, code, out, err);
}

int cc_store_put_benchmark(struct cc_store *st, struct cc_benchmark *b,
                           enum cc_put_result *res_out, struct cc_err *err)
{
	if (!st->ops->indicators)
		return unsupported(err);
	if (!b->indicator_id || b->date == CC_DATE_NONE || b->value != b->value)
		return cc_err_set(err, CC_EINVALID, "a benchmark needs an indicator, date and value");
	return st->ops->indicators->put_benchmark(st, b, res_out, err);
}

int cc_store_put_observation(struct cc_store *st, struct cc_observation *o,
                             enum cc_put_result *res_out, struct cc_err *err)
{
	if (!st->ops->indicators)
		return unsupported(err);
	if (!o->indicator_id || o->period_end == CC_DATE_NONE)
		return cc_err_set(err, CC_EINVALID, "an observation needs an indicator and a date");
	return st->ops->indicators->put_observation(st, o, res_out, err);
}

/* ---- series across a re-districting (include/concord/crosswalk.h) ---- */

/*
 * How an indicator's values cross the crosswalk: summed indicators are counts (split by the
 * shares); a maximum or an ordinal scale is carried whole; everything else (percentages, means,
 * the latest value) is a rate, recomputed from split numerators and denominators: the
 * denominator is the area's population (newest year not after the query date) for a
 * population-weighted mean, else 1 (each old area weighs by its share).
 */
static enum cc_cw_rule indicator_rule(const struct cc_indicator *ind)
{
	if (ind->measure == CC_MEASURE_ORDINAL || ind->aggregation == CC_AGG_MAX)
		return CC_CW_WHOLE;
	if (ind->aggregation == CC_AGG_SUM && ind->measure != CC_MEASURE_PERCENTAGE)
		return CC_CW_COUNT;
	return CC_CW_RATE;
}

/* What the series of one value is, but for its area: rows alike here share a key. */
struct series_of {
	int64_t indicator_id;
	const char *sex, *age_group;
	int32_t d1, d2, d3;
	size_t i;
};

static int cmp_series(const void *a, const void *b)
{
	const struct series_of *x = a, *y = b;
	int c;

	if (x->indicator_id != y->indicator_id)
		return x->indicator_id < y->indicator_id ? -1 : 1;
	if ((c = strcmp(x->sex, y->sex)) != 0 || (c = strcmp(x->age_group, y->age_group)) != 0)
		return c;
	if (x->d1 != y->d1)
		return x->d1 < y->d1 ? -1 : 1;
	if (x->d2 != y->d2)
		return x->d2 < y->d2 ? -1 : 1;
	if (x->d3 != y->d3)
		return x->d3 < y->d3 ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static bool same_series(const struct series_of *x, const struct series_of *y)
{
	return x->indicator_id == y->indicator_id && !strcmp(x->sex, y->sex) &&
	       !strcmp(x->age_group, y->age_group) && x->d1 == y->d1 && x->d2 == y->d2 &&
	       x->d3 == y->d3;
}

/* keys[i]: the series of value i (0 …), from the n descriptions */
static int series_keys(struct series_of *s, size_t n, int64_t *keys, struct cc_err *err)
{
	int64_t k = -1;

	(void)err;
	if (n > 1)
		qsort(s, n, sizeof(*s), cmp_series);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || !same_series(&s[i - 1], &s[i]))
			k++;
		keys[s[i].i] = k;
	}
	return 0;
}

struct cw_ctx {
	const struct cc_crosswalk *cw;
	size_t n_cw;
	int32_t at;
	const struct cc_indicator_data *d;
	struct cc_area *areas; /* every area, population filled for at (pop-weighted means) */
	size_t n_areas;
};

static const struct cc_indicator *indicator_of(const struct cc_indicator_data *d, int64_t id)
{
	for (size_t i = 0; i < d->n_indicators; i++)
		if (d->indicators[i].id == id)
			return &d->indicators[i];
	return NULL;
}

static const struct cc_area *area_of(const struct cw_ctx *c, int64_t id)
{
	size_t lo = 0, hi = c->n_areas;

	/* c->areas is sorted by id (see load_areas) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->areas[mid].id == id)
			return &c->areas[mid];
		if (c->areas[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void item_of(const struct cw_ctx *c, int64_t indicator_id, int64_t area_id, double value,
                    int64_t key, struct cc_cw_item *it)
{
	const struct cc_indicator *ind = indicator_of(c->d, indicator_id);
	const struct cc_area *a;

	*it = (struct cc_cw_item){ .area_id = area_id, .key = key, .num = value };
	it->rule = ind ? indicator_rule(ind) : CC_CW_WHOLE;
	if (it->rule != CC_CW_RATE)
		return;
	it->den = 1.0;
	if (ind->aggregation == CC_AGG_POP_WEIGHTED_MEAN && (a = area_of(c, area_id)) &&
	    a->population > 0)
		it->den = (double)a->population;
	it->num = value * it->den;
}

static double value_of(const struct cc_cw_item *y)
{
	if (y->rule != CC_CW_RATE)
		return y->num;
	return isnan(y->num) || isnan(y->den) || y->den <= 0 ? (double)NAN : y->num / y->den;
}

/* The P-code of a carried value's area: the crosswalk names every area it maps onto. */
static void pcode_into(const struct cw_ctx *c, int64_t area_id, char *buf, size_t cap)
{
	const struct cc_area *a = area_of(c, area_id);

	if (a) {
		snprintf(buf, cap, "%s", a->pcode);
		return;
	}
	for (size_t i = 0; i < c->n_cw; i++)
		if (c->cw[i].new_id == area_id) {
			snprintf(buf, cap, "%s", c->cw[i].new_pcode);
			return;
		}
}

static int cmp_ob(const void *a, const void *b)
{
	const struct cc_observation *x = a, *y = b;
	int c;

	if ((c = strcmp(x->indicator, y->indicator)) != 0 || (c = strcmp(x->area, y->area)) != 0 ||
	    (c = strcmp(x->sex, y->sex)) != 0 || (c = strcmp(x->age_group, y->age_group)) != 0)
		return c;
	return (x->period_end > y->period_end) - (x->period_end < y->period_end);
}

static int cmp_bm(const void *a, const void *b)
{
	const struct cc_benchmark *x = a, *y = b;
	int c;

	if ((c = strcmp(x->indicator, y->indicator)) != 0 || (c = strcmp(x->area, y->area)) != 0 ||
	    (c = strcmp(x->sex, y->sex)) != 0 || (c = strcmp(x->age_group, y->age_group)) != 0)
		return c;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

static int carry_observations(const struct cw_ctx *c, struct cc_observation **obs, size_t *n_obs,
                              struct cc_err *err)
{
	const struct cc_observation *o = *obs;
	size_t n = *n_obs, n_out = 0;
	struct series_of *s = cc_alloc_array(n + 1, sizeof(*s));
	int64_t *keys = cc_alloc_array(n + 1, sizeof(*keys));
	struct cc_cw_item *in = cc_alloc_array(n + 1, sizeof(*in)), *out = NULL;
	struct cc_observation *res = NULL;
	int ret = 0;

	if (!s || !keys || !in) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu observations", n);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		s[i] = (struct series_of){ o[i].indicator_id, o[i].sex, o[i].age_group,
			                   o[i].period_start, o[i].period_end, 0, i };
	series_keys(s, n, keys, err);
	for (size_t i = 0; i < n; i++)
		item_of(c, o[i].indicator_id, o[i].area_id, o[i].value, keys[i], &in[i]);
	if ((ret = cc_crosswalk_map(c->cw, c->n_cw, in, n, c->at, &out, &n_out, err)) < 0)
		goto out;
	res = cc_alloc_array(n_out + 1, sizeof(*res));
	if (!res) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu observations", n_out);
		goto out;
	}
	for (size_t i = 0; i < n_out; i++) {
		struct cc_observation *x = &res[i];

		*x = o[out[i].origin];
		if (out[i].carried) {
			x->value = value_of(&out[i]);
			x->id = 0; /* no stored row is this value */
			x->area_id = out[i].area_id;
			x->area[0] = '\0';
			pcode_into(c, x->area_id, x->area, sizeof(x->area));
		}
	}
	if (n_out > 1)
		qsort(res, n_out, sizeof(*res), cmp_ob);
	cc_free(*obs);
	*obs = res;
	*n_obs = n_out;
	res = NULL;
out:
	cc_free(s);
	cc_free(keys);
	cc_free(in);
	cc_free(out);
	cc_free(res);
	return ret;
}

static int carry_benchmarks(const struct cw_ctx *c, struct cc_benchmark **bms, size_t *n_bms,
                            struct cc_err *err)
{
	const struct cc_benchmark *b = *bms;
	size_t n = *n_bms, n_out = 0;
	struct series_of *s = cc_alloc_array(n + 1, sizeof(*s));
	int64_t *keys = cc_alloc_array(n + 1, sizeof(*keys));
	struct cc_cw_item *in = cc_alloc_array(n + 1, sizeof(*in)), *out = NULL;
	struct cc_benchmark *res = NULL;
	int ret = 0;

	if (!s || !keys || !in) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu benchmarks", n);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		s[i] = (struct series_of){ b[i].indicator_id, b[i].sex, b[i].age_group,
			                   (int32_t)b[i].kind, b[i].date, 0, i };
	series_keys(s, n, keys, err);
	for (size_t i = 0; i < n; i++)
		item_of(c, b[i].indicator_id, b[i].area_id, b[i].value, keys[i], &in[i]);
	if ((ret = cc_crosswalk_map(c->cw, c->n_cw, in, n, c->at, &out, &n_out, err)) < 0)
		goto out;
	res = cc_alloc_array(n_out + 1, sizeof(*res));
	if (!res) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu benchmarks", n_out);
		goto out;
	}
	for (size_t i = 0; i < n_out; i++) {
		struct cc_benchmark *x = &res[i];

		*x = b[out[i].origin];
		if (out[i].carried) {
			x->value = value_of(&out[i]);
			x->id = 0;
			x->area_id = out[i].area_id;
			x->area[0] = '\0';
			pcode_into(c, x->area_id, x->area, sizeof(x->area));
		}
	}
	if (n_out > 1)
		qsort(res, n_out, sizeof(*res), cmp_bm);
	cc_free(*bms);
	*bms = res;
	*n_bms = n_out;
	res = NULL;
out:
	cc_free(s);
	cc_free(keys);
	cc_free(in);
	cc_free(out);
	cc_free(res);
	return ret;
}

static int cmp_area_id(const void *a, const void *b)
{
	const struct cc_area *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Drops the values of areas other than pcode (the query's area, asked after carrying). */
static void keep_area(struct cc_indicator_data *d, const char *pcode)
{
	size_t k = 0;

	for (size_t i = 0; i < d->n_observations; i++)
		if (!strcmp(d->observations[i].area, pcode))
			d->observations[k++] = d->observations[i];
	d->n_observations = k;
	k = 0;
	for (size_t i = 0; i < d->n_benchmarks; i++)
		if (!strcmp(d->benchmarks[i].area, pcode))
			d->benchmarks[k++] = d->benchmarks[i];
	d->n_benchmarks = k;
}

int cc_store_load_indicator_data(struct cc_store *st, const struct cc_indicator_query *q,
                                 struct cc_indicator_data *out, struct cc_err *err)
{
	struct cc_indicator_query all;
	struct cc_area_filter f = { .level = -1 };
	struct cw_ctx c = { 0 };
	struct cc_crosswalk *cw = NULL;
	size_t n_cw = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!st->ops->indicators)
		return unsupported(err);
	if (q->indicators_only)
		return st->ops->indicators->load(st, q, out, err);
	/* values are shown on the layout of the query date (see <concord/crosswalk.h>) */
	if ((ret = cc_store_crosswalk_rows(st, &cw, &n_cw, err)) < 0)
		return ret;
	if (!n_cw) {
		cc_free(cw);
		return st->ops->indicators->load(st, q, out, err);
	}
	/* the values of the areas that became q->area are read too, then kept only for it */
	all = *q;
	all.area = NULL;
	c = (struct cw_ctx){ .cw = cw, .n_cw = n_cw, .at = q->at, .d = out };
	if ((ret = st->ops->indicators->load(st, &all, out, err)) < 0 ||
	    (ret = cc_store_list_areas(st, &f, &c.areas, &c.n_areas, err)) < 0 ||
	    (ret = cc_store_fill_population(st, c.areas, c.n_areas, q->at, err)) < 0)
		goto out;
	if (c.n_areas > 1)
		qsort(c.areas, c.n_areas, sizeof(*c.areas), cmp_area_id);
	if ((ret = carry_observations(&c, &out->observations, &out->n_observations, err)) < 0 ||
	    (ret = carry_benchmarks(&c, &out->benchmarks, &out->n_benchmarks, err)) < 0)
		goto out;
	if (q->area)
		keep_area(out, q->area);
out:
	if (ret < 0)
		cc_indicator_data_release(out);
	cc_free(cw);
	cc_free(c.areas);
	return ret;
}

void cc_indicator_data_release(struct cc_indicator_data *d)
{
	if (!d)
		return;
	cc_free(d->indicators);
	cc_free(d->benchmarks);
	cc_free(d->observations);
	memset(d, 0, sizeof(*d));
}
