/*
 * Computed indicators (include/concord/computed.h): incidents per 100,000 people, fatalities,
 * share of people in need reached, and activities per pillar, per area of one admin level and
 * calendar period. Records below the level count for their ancestor at the level.
 */
#include <concord/computed.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

#define MAX_PERIODS 1200
#define MAX_DEPTH   64

static const struct cc_computed_def defs[] = {
	{ CC_COMPUTED_INCIDENTS_PER_100K, -1,
	  { .code = "cc.incidents_per_100k", .name = "Incidents per 100,000 people",
	    .pillar = "security", .unit = "per 100,000", .measure = CC_MEASURE_UNIT,
	    .higher_is_better = false, .aggregation = CC_AGG_POP_WEIGHTED_MEAN } },
	{ CC_COMPUTED_FATALITIES, -1,
	  { .code = "cc.fatalities", .name = "Conflict fatalities (best estimate)",
	    .pillar = "security", .unit = "people", .measure = CC_MEASURE_UNIT,
	    .higher_is_better = false, .aggregation = CC_AGG_SUM } },
	{ CC_COMPUTED_NEEDS_COVERED, -1,
	  { .code = "cc.needs_covered", .name = "Share of people in need reached",
	    .pillar = "humanitarian", .unit = "%", .measure = CC_MEASURE_PERCENTAGE,
	    .higher_is_better = true, .aggregation = CC_AGG_POP_WEIGHTED_MEAN } },
#define ACT(p, P)                                                                             \
	{ CC_COMPUTED_ACTIVITIES, CC_PILLAR_##P,                                              \
	  { .code = "cc.activities_" p, .name = "Activities running (" p ")", .pillar = p,  \
	    .unit = "activities", .measure = CC_MEASURE_UNIT, .higher_is_better = true,       \
	    .aggregation = CC_AGG_SUM } }
	ACT("security", SECURITY),
	ACT("governance", GOVERNANCE),
	ACT("infrastructure", INFRASTRUCTURE),
	ACT("economy", ECONOMY),
	ACT("humanitarian", HUMANITARIAN),
	ACT("other", OTHER),
#undef ACT
};

#define N_DEFS (sizeof(defs) / sizeof(defs[0]))

const struct cc_computed_def *cc_computed_defs(size_t *n_out)
{
	*n_out = N_DEFS;
	return defs;
}

static const char *const unit_names[] = { "month", "quarter", "year" };
static const int unit_months[] = { 1, 3, 12 };

const char *cc_period_unit_name(enum cc_period_unit u)
{
	return (size_t)u < 3 ? unit_names[u] : "?";
}

int cc_period_unit_parse(const char *s, enum cc_period_unit *out, struct cc_err *err)
{
	for (size_t i = 0; i < 3; i++)
		if (strcmp(s, unit_names[i]) == 0) {
			*out = (enum cc_period_unit)i;
			return 0;
		}
	return cc_err_set(err, CC_EINVALID, "unknown period '%s' (month, quarter or year)", s);
}

/* Months since year 0 of the first month of day's period. */
static long period_month(enum cc_period_unit u, int32_t day)
{
	int y, m, d;
	long k = unit_months[u];

	cc_date_to_ymd(day, &y, &m, &d);
	return ((long)y * 12 + (m - 1)) / k * k;
}

static int32_t month_day(long months)
{
	return cc_date_from_ymd((int)(months / 12), (int)(months % 12) + 1, 1);
}

void cc_period_bounds(enum cc_period_unit u, int32_t day, int32_t *start, int32_t *end)
{
	long first = period_month(u, day);

	*start = month_day(first);
	*end = month_day(first + unit_months[u]) - 1;
}

void cc_computed_release(struct cc_computed_result *r)
{
	if (!r)
		return;
	cc_free(r->values);
	cc_free(r->no_population);
	memset(r, 0, sizeof(*r));
}

struct id_ix {
	int64_t id;
	size_t ix;
};

static int cmp_id(const void *a, const void *b)
{
	const struct id_ix *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The index of area id in areas, or SIZE_MAX. */
static size_t area_ix(const struct id_ix *by_id, size_t n, int64_t id)
{
	struct id_ix key = { .id = id };
	const struct id_ix *hit = bsearch(&key, by_id, n, sizeof(*by_id), cmp_id);

	return hit ? hit->ix : SIZE_MAX;
}

struct ctx {
	const struct cc_computed_inputs *in;
	struct id_ix *by_id;  /* areas by id */
	size_t *slot;         /* per area: its ancestor's slot at the level, SIZE_MAX none */
	size_t *level_areas;  /* slot → area index, by P-code */
	size_t n_slots;
	long first_month;
	size_t n_periods;
	int months;
};

/* Insertion sort of the slots by P-code (qsort has no context argument in C17). */
static void sort_slots(size_t *ix, size_t n, const struct cc_area *areas)
{
	for (size_t i = 1; i < n; i++) {
		size_t v = ix[i], j = i;

		while (j > 0 && strcmp(areas[ix[j - 1]].pcode, areas[v].pcode) > 0) {
			ix[j] = ix[j - 1];
			j--;
		}
		ix[j] = v;
	}
}

/* The period index of day, or SIZE_MAX outside the periods. */
static size_t period_of(const struct ctx *c, enum cc_period_unit u, int32_t day)
{
	long m = period_month(u, day) - c->first_month;

	if (m < 0 || (size_t)(m / c->months) >= c->n_periods)
		return SIZE_MAX;
	return (size_t)(m / c->months);
}

/* The slot of a record's area: SIZE_MAX above the level or none; CC_EINVALID unknown. */
static int record_slot(const struct ctx *c, int64_t area_id, size_t *slot, struct cc_err *err)
{
	size_t a;

	*slot = SIZE_MAX;
	if (!area_id)
		return 0;
	a = area_ix(c->by_id, c->in->n_areas, area_id);
	if (a == SIZE_MAX)
		return cc_err_set(err, CC_EINVALID, "a record names area %lld, which is not stored",
		                  (long long)area_id);
	*slot = c->slot[a];
	return 0;
}

static int map_areas(struct ctx *c, int level, struct cc_err *err)
{
	const struct cc_area *areas = c->in->areas;
	size_t n = c->in->n_areas;

	for (size_t i = 0; i < n; i++) {
		c->by_id[i].id = areas[i].id;
		c->by_id[i].ix = i;
	}
	qsort(c->by_id, n, sizeof(*c->by_id), cmp_id);
	c->n_slots = 0;
	for (size_t i = 0; i < n; i++)
		if (areas[i].level == level)
			c->level_areas[c->n_slots++] = i;
	sort_slots(c->level_areas, c->n_slots, areas);
	for (size_t i = 0; i < n; i++)
		c->slot[i] = SIZE_MAX;
	for (size_t s = 0; s < c->n_slots; s++)
		c->slot[c->level_areas[s]] = s;
	for (size_t i = 0; i < n; i++) {
		size_t a = i;
		int depth = 0;

		if (areas[i].level <= level)
			continue;
		while (areas[a].level > level && areas[a].parent_id && depth++ < MAX_DEPTH) {
			a = area_ix(c->by_id, n, areas[a].parent_id);
			if (a == SIZE_MAX)
				return cc_err_set(err, CC_EINVALID, "area %s has an unknown parent",
				                  areas[i].pcode);
		}
		if (areas[a].level == level)
			c->slot[i] = c->slot[a];
	}
	return 0;
}

/* The span of the records' days when the caller gives none. */
static void default_span(const struct cc_computed_inputs *in, int32_t *from, int32_t *to)
{
	int32_t lo = INT32_MAX, hi = INT32_MIN + 1;

	for (size_t i = 0; i < in->n_incidents; i++) {
		if (in->incidents[i].date == CC_DATE_NONE)
			continue;
		lo = in->incidents[i].date < lo ? in->incidents[i].date : lo;
		hi = in->incidents[i].date > hi ? in->incidents[i].date : hi;
	}
	for (size_t i = 0; i < in->n_activities; i++) {
		const int32_t d[2] = { in->activities[i].start, in->activities[i].end };

		for (size_t k = 0; k < 2; k++) {
			if (d[k] == CC_DATE_NONE)
				continue;
			lo = d[k] < lo ? d[k] : lo;
			hi = d[k] > hi ? d[k] : hi;
		}
	}
	if (*from == CC_DATE_NONE)
		*from = lo;
	if (*to == CC_DATE_NONE)
		*to = hi;
}

struct org_rec {
	size_t slot;
	int64_t org;
	size_t act; /* index into activities */
};

static int cmp_org_rec(const void *a, const void *b)
{
	const struct org_rec *x = a, *y = b;

	if (x->slot != y->slot)
		return (x->slot > y->slot) - (x->slot < y->slot);
	if (x->org != y->org)
		return (x->org > y->org) - (x->org < y->org);
	return (x->act > y->act) - (x->act < y->act);
}

/* The periods [p0, p1] an activity runs in; false when none. */
static bool act_periods(const struct ctx *c, enum cc_period_unit u,
                        const struct cc_computed_activity *a, size_t *p0, size_t *p1)
{
	long first = a->start == CC_DATE_NONE ? 0 : period_month(u, a->start) - c->first_month;
	long last = a->end == CC_DATE_NONE ? (long)(c->n_periods * (size_t)c->months) - 1
	                                   : period_month(u, a->end) - c->first_month;

	if (last < 0 || first > last)
		return false;
	if (first < 0)
		first = 0;
	if ((size_t)(first / c->months) >= c->n_periods)
		return false;
	*p0 = (size_t)(first / c->months);
	*p1 = (size_t)(last / c->months);
	if (*p1 >= c->n_periods)
		*p1 = c->n_periods - 1;
	return true;
}

int cc_computed_compute(const struct cc_computed_inputs *in,
                        const struct cc_computed_opts *opts, struct cc_computed_result *out,
                        struct cc_err *err)
{
	struct ctx c = { .in = in };
	enum cc_period_unit u = opts->unit;
	int level = opts->level > 0 ? opts->level : 1;
	int32_t from = opts->from, to = opts->to;
	double *inc = NULL, *fat = NULL, *act = NULL, *reach = NULL, *org_sum = NULL;
	double *pin = NULL;
	int *pin_depth = NULL;
	struct org_rec *recs = NULL;
	size_t n_recs = 0, n_cells;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->level = level;
	out->unit = u;
	if ((size_t)u > CC_PERIOD_YEAR)
		return cc_err_set(err, CC_EINVALID, "unknown period unit");
	default_span(in, &from, &to);
	if (from == INT32_MAX && to == INT32_MIN + 1)
		from = to = CC_DATE_NONE; /* no dated record and no range: no periods */
	else if (from == INT32_MAX)
		from = to; /* only an end given, nothing dated before it */
	else if (to == INT32_MIN + 1)
		to = from;
	if (from != CC_DATE_NONE && to != CC_DATE_NONE && from > to)
		return cc_err_set(err, CC_EINVALID, "the period starts after it ends");
	c.months = unit_months[u];
	if (from != CC_DATE_NONE) {
		long last = period_month(u, to);

		c.first_month = period_month(u, from);
		c.n_periods = (size_t)((last - c.first_month) / c.months + 1);
		if (c.n_periods > MAX_PERIODS)
			return cc_err_set(err, CC_EINVALID, "%zu periods are more than %d", c.n_periods,
			                  MAX_PERIODS);
		out->from = month_day(c.first_month);
		out->to = month_day(last + c.months) - 1;
	} else {
		out->from = out->to = CC_DATE_NONE;
	}
	out->n_periods = c.n_periods;

	c.by_id = cc_alloc_array(in->n_areas + 1, sizeof(*c.by_id));
	c.slot = cc_alloc_array(in->n_areas + 1, sizeof(*c.slot));
	c.level_areas = cc_alloc_array(in->n_areas + 1, sizeof(*c.level_areas));
	if (!c.by_id || !c.slot || !c.level_areas) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu areas", in->n_areas);
		goto out;
	}
	if ((ret = map_areas(&c, level, err)) < 0)
		goto out;

	n_cells = c.n_slots * c.n_periods;
	inc = cc_alloc_array(n_cells + 1, sizeof(*inc));
	fat = cc_alloc_array(n_cells + 1, sizeof(*fat));
	act = cc_alloc_array(n_cells * CC_N_PILLARS + 1, sizeof(*act));
	reach = cc_alloc_array(n_cells + 1, sizeof(*reach));
	org_sum = cc_alloc_array(c.n_periods + 1, sizeof(*org_sum));
	pin = cc_alloc_array(c.n_slots + 1, sizeof(*pin));
	pin_depth = cc_alloc_array(c.n_slots + 1, sizeof(*pin_depth));
	recs = cc_alloc_array(in->n_activities + 1, sizeof(*recs));
	out->no_population = cc_alloc_array(c.n_slots + 1, sizeof(*out->no_population));
	if (!inc || !fat || !act || !reach || !org_sum || !pin || !pin_depth || !recs ||
	    !out->no_population) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu areas × %zu periods",
		                 c.n_slots, c.n_periods);
		goto out;
	}
	for (size_t i = 0; i < n_cells; i++) {
		inc[i] = fat[i] = 0;
		reach[i] = (double)NAN;
	}
	for (size_t i = 0; i < n_cells * CC_N_PILLARS; i++)
		act[i] = 0;

	/* incidents and fatalities */
	for (size_t i = 0; i < in->n_incidents; i++) {
		const struct cc_computed_incident *x = &in->incidents[i];
		size_t s, p;

		if ((ret = record_slot(&c, x->area_id, &s, err)) < 0)
			goto out;
		if (s == SIZE_MAX) {
			out->n_incidents_above++;
			continue;
		}
		p = x->date == CC_DATE_NONE || !c.n_periods ? SIZE_MAX : period_of(&c, u, x->date);
		if (p == SIZE_MAX)
			continue;
		out->n_incidents_used++;
		inc[s * c.n_periods + p] += 1;
		if (isfinite(x->fatalities) && x->fatalities > 0)
			fat[s * c.n_periods + p] += x->fatalities;
	}

	/* activities per pillar, and each organisation's reached figures */
	for (size_t i = 0; i < in->n_activities; i++) {
		const struct cc_computed_activity *a = &in->activities[i];
		size_t s, p0, p1;

		if ((ret = record_slot(&c, a->area_id, &s, err)) < 0)
			goto out;
		if (s == SIZE_MAX) {
			out->n_activities_above++;
			continue;
		}
		if (a->start == CC_DATE_NONE && a->end == CC_DATE_NONE)
			out->n_activities_undated++;
		if (!c.n_periods || !act_periods(&c, u, a, &p0, &p1))
			continue;
		if (a->pillar >= 0 && a->pillar < CC_N_PILLARS)
			for (size_t p = p0; p <= p1; p++)
				act[((size_t)a->pillar * c.n_slots + s) * c.n_periods + p] += 1;
		if (isfinite(a->reached))
			recs[n_recs++] = (struct org_rec){ .slot = s, .org = a->org_id, .act = i };
	}
	qsort(recs, n_recs, sizeof(*recs), cmp_org_rec);
	for (size_t i = 0; i < n_recs;) {
		size_t j = i;

		for (size_t p = 0; p < c.n_periods; p++)
			org_sum[p] = (double)NAN;
		/* an unknown organisation (0) is one organisation per record */
		do {
			const struct cc_computed_activity *a = &in->activities[recs[j].act];
			size_t p0, p1;

			if (act_periods(&c, u, a, &p0, &p1))
				for (size_t p = p0; p <= p1; p++)
					org_sum[p] = (isnan(org_sum[p]) ? 0 : org_sum[p]) + a->reached;
			j++;
		} while (j < n_recs && recs[i].org && recs[j].slot == recs[i].slot &&
		         recs[j].org == recs[i].org);
		for (size_t p = 0; p < c.n_periods; p++) {
			double *r = &reach[recs[i].slot * c.n_periods + p];

			if (!isnan(org_sum[p]) && (isnan(*r) || org_sum[p] > *r))
				*r = org_sum[p];
		}
		i = j;
	}

	/* people in need: the area's own figure (the largest of several), else the sum over the
	 * nearest level below that has figures */
	for (size_t s = 0; s < c.n_slots; s++) {
		pin[s] = (double)NAN;
		pin_depth[s] = 0;
	}
	for (size_t i = 0; i < in->n_needs; i++) {
		const struct cc_computed_need *nd = &in->needs[i];
		size_t s, a;
		int depth;

		if (!isfinite(nd->in_need))
			continue;
		if ((ret = record_slot(&c, nd->area_id, &s, err)) < 0)
			goto out;
		if (s == SIZE_MAX)
			continue;
		a = area_ix(c.by_id, in->n_areas, nd->area_id);
		depth = in->areas[a].level - level;
		if (pin_depth[s] == 0 && !isnan(pin[s]) && depth > 0)
			continue; /* the area's own figure wins */
		if (depth == 0) {
			if (pin_depth[s] != 0 || isnan(pin[s]) || nd->in_need > pin[s])
				pin[s] = nd->in_need;
			pin_depth[s] = 0;
		} else if (isnan(pin[s]) || depth < pin_depth[s]) {
			pin[s] = nd->in_need;
			pin_depth[s] = depth;
		} else if (depth == pin_depth[s]) {
			pin[s] += nd->in_need;
		}
	}

	for (size_t s = 0; s < c.n_slots; s++)
		if (in->areas[c.level_areas[s]].population <= 0)
			out->no_population[out->n_no_population++] = in->areas[c.level_areas[s]].id;

	/* the values: by def, area P-code, period */
	{
		size_t cap = N_DEFS * n_cells + 1;

		out->values = cc_alloc_array(cap, sizeof(*out->values));
		if (!out->values) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu values", cap);
			goto out;
		}
	}
	for (size_t d = 0; d < N_DEFS; d++)
		for (size_t s = 0; s < c.n_slots; s++) {
			const struct cc_area *ar = &in->areas[c.level_areas[s]];

			if (defs[d].kind == CC_COMPUTED_NEEDS_COVERED && !(pin[s] > 0))
				continue;
			for (size_t p = 0; p < c.n_periods; p++) {
				struct cc_computed_value *v = &out->values[out->n_values++];
				size_t cell = s * c.n_periods + p;

				v->def = d;
				v->area_id = ar->id;
				memcpy(v->area, ar->pcode, sizeof(v->area));
				v->period_start = month_day(c.first_month + (long)(p * (size_t)c.months));
				v->period_end = month_day(c.first_month +
				                          (long)((p + 1) * (size_t)c.months)) - 1;
				switch (defs[d].kind) {
				case CC_COMPUTED_INCIDENTS_PER_100K:
					v->value = ar->population > 0
					                   ? inc[cell] * 100000.0 / (double)ar->population
					                   : (double)NAN;
					break;
				case CC_COMPUTED_FATALITIES:
					v->value = fat[cell];
					break;
				case CC_COMPUTED_NEEDS_COVERED:
					v->value = isnan(reach[cell]) ? (double)NAN
					                              : fmin(100.0, 100.0 * reach[cell] / pin[s]);
					break;
				case CC_COMPUTED_ACTIVITIES:
					v->value = act[((size_t)defs[d].pillar * c.n_slots + s) * c.n_periods + p];
					break;
				}
			}
		}
out:
	cc_free(c.by_id);
	cc_free(c.slot);
	cc_free(c.level_areas);
	cc_free(inc);
	cc_free(fat);
	cc_free(act);
	cc_free(reach);
	cc_free(org_sum);
	cc_free(pin);
	cc_free(pin_depth);
	cc_free(recs);
	if (ret < 0)
		cc_computed_release(out);
	return ret;
}
