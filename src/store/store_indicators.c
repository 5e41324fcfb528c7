/* The public face of the indicators domain: checks, then the backend's table. */
#include <concord/indicators.h>

#include <string.h>

#include <concord/alloc.h>

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

int cc_store_load_indicator_data(struct cc_store *st, const struct cc_indicator_query *q,
                                 struct cc_indicator_data *out, struct cc_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!st->ops->indicators)
		return unsupported(err);
	return st->ops->indicators->load(st, q, out, err);
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
