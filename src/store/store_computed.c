/* The public face of computed indicators in the store: reads, and the atomic replacement. */
#include <concord/computed.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/crosswalk.h>
#include <concord/events.h>
#include <concord/needs.h>
#include <concord/text.h>

#include "store/backend.h"
#include "store/ops_computed.h"

#include "core/banned.h"

static int unsupported(struct cc_err *err)
{
	return cc_err_set(err, CC_EUNSUPPORTED, "this store cannot compute indicators");
}

int cc_store_load_computed_inputs(struct cc_store *st, int64_t mission_id, const char *source,
                                  int32_t from, int32_t to,
                                  struct cc_computed_incident **incidents, size_t *n_incidents,
                                  struct cc_computed_activity **activities,
                                  size_t *n_activities, struct cc_err *err)
{
	int ret;

	*incidents = NULL;
	*activities = NULL;
	*n_incidents = *n_activities = 0;
	if (!st->ops->computed)
		return unsupported(err);
	if ((ret = st->ops->computed->load_incidents(st, mission_id, source, from, to, incidents,
	                                             n_incidents, err)) < 0)
		return ret;
	if ((ret = st->ops->computed->load_activities(st, mission_id, from, to, activities,
	                                              n_activities, err)) < 0) {
		cc_free(*incidents);
		*incidents = NULL;
		*n_incidents = 0;
	}
	return ret;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Puts the values of one indicator, then removes its earlier computed values not among them. */
static int replace_one(struct cc_store *st, const struct cc_indicator *ind,
                       const struct cc_computed_result *r, size_t def,
                       struct cc_computed_counts *counts, struct cc_err *err)
{
	int64_t *kept = NULL, *old = NULL;
	size_t n_kept = 0, n_old = 0;
	int ret = 0;

	kept = cc_alloc_array(r->n_values + 1, sizeof(*kept));
	if (!kept)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu values", r->n_values);
	for (size_t i = 0; i < r->n_values; i++) {
		const struct cc_computed_value *v = &r->values[i];
		struct cc_observation o = { 0 };
		enum cc_put_result res;

		if (v->def != def)
			continue;
		o.indicator_id = ind->id;
		o.area_id = v->area_id;
		o.period_start = v->period_start;
		o.period_end = v->period_end;
		o.value = v->value;
		snprintf(o.source, sizeof(o.source), "%s", CC_COMPUTED_SOURCE);
		if ((ret = cc_store_put_observation(st, &o, &res, err)) < 0)
			goto out;
		kept[n_kept++] = o.id;
		switch (res) {
		case CC_PUT_ADDED:
			counts->added++;
			break;
		case CC_PUT_UPDATED:
			counts->updated++;
			break;
		case CC_PUT_UNCHANGED:
		case CC_PUT_DUPLICATE:
			counts->unchanged++;
			break;
		}
	}
	if (r->from == CC_DATE_NONE)
		goto out;
	if ((ret = st->ops->computed->list_computed(st, ind->id, r->level, r->from, r->to, &old,
	                                            &n_old, err)) < 0)
		goto out;
	qsort(kept, n_kept, sizeof(*kept), cmp_i64);
	for (size_t i = 0; i < n_old; i++) {
		if (bsearch(&old[i], kept, n_kept, sizeof(*kept), cmp_i64))
			continue;
		if ((ret = st->ops->computed->delete_observation(st, old[i], err)) < 0)
			goto out;
		counts->removed++;
	}
out:
	cc_free(kept);
	cc_free(old);
	return ret;
}

int cc_store_replace_computed(struct cc_store *st, int64_t mission_id,
                              const struct cc_computed_result *r,
                              struct cc_computed_counts *counts, struct cc_err *err)
{
	const struct cc_computed_def *defs;
	size_t n_defs;
	int ret;

	memset(counts, 0, sizeof(*counts));
	if (!st->ops->computed)
		return unsupported(err);
	defs = cc_computed_defs(&n_defs);
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	for (size_t d = 0; d < n_defs; d++) {
		struct cc_indicator ind = defs[d].ind;
		enum cc_put_result res;

		ind.mission_id = mission_id;
		ind.goal_min = ind.goal_max = (double)NAN;
		ind.period_days = r->unit == CC_PERIOD_MONTH ? 31 : r->unit == CC_PERIOD_QUARTER ? 92 : 366;
		if ((ret = cc_store_put_indicator(st, &ind, &res, err)) < 0 ||
		    (ret = replace_one(st, &ind, r, d, counts, err)) < 0) {
			cc_store_rollback(st);
			return ret;
		}
	}
	/* one change-log entry for the whole replacement, when it changed anything */
	if (counts->added + counts->updated + counts->removed > 0) {
		char detail[160];

		snprintf(detail, sizeof(detail),
		         "computed indicators: %zu added, %zu updated, %zu removed", counts->added,
		         counts->updated, counts->removed);
		ret = cc_store_log_change(
		        st,
		        &(struct cc_change){ .table = "observation",
		                             .op = "update",
		                             .count = (int64_t)(counts->added + counts->updated +
		                                                counts->removed),
		                             .mission_id = mission_id,
		                             .detail = detail },
		        err);
		if (ret < 0) {
			cc_store_rollback(st);
			return ret;
		}
	}
	return cc_store_commit(st, err);
}

/* ---- the whole run ---- */

/* The intersectoral total needs of the mission (sector 0), any period. */
static int load_needs(struct cc_store *st, int64_t mission_id, struct cc_computed_need **out,
                      size_t *n_out, struct cc_err *err)
{
	struct cc_need_query q = { .mission_id = mission_id, .from = CC_DATE_NONE,
		                   .to = CC_DATE_NONE };
	struct cc_gap_need *needs = NULL;
	struct cc_area *areas = NULL;
	struct cc_gap_sector *sectors = NULL;
	size_t n_needs = 0, n_areas = 0, n_sectors = 0;
	int ret;

	*out = NULL;
	*n_out = 0;
	ret = cc_store_load_needs(st, &q, &needs, &n_needs, &areas, &n_areas, &sectors, &n_sectors,
	                          err);
	if (ret == CC_EUNSUPPORTED)
		return 0;
	if (ret < 0)
		return ret;
	*out = cc_alloc_array(n_needs + 1, sizeof(**out));
	if (!*out)
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu needs", n_needs);
	for (size_t i = 0; *out && i < n_needs; i++)
		if (needs[i].sector_id == 0 && needs[i].area_id)
			(*out)[(*n_out)++] = (struct cc_computed_need){
				.area_id = needs[i].area_id, .in_need = needs[i].in_need
			};
	cc_free(needs);
	cc_free(areas);
	cc_free(sectors);
	return ret;
}

void cc_computed_run_release(struct cc_computed_run *x)
{
	cc_computed_release(&x->r);
	cc_free(x->areas);
	memset(x, 0, sizeof(*x));
}

/* ---- across a re-districting (include/concord/crosswalk.h) ---- */

/*
 * The inputs of a computation carried onto the layout of its last day (to; CC_DATE_NONE: every
 * crosswalk row): an incident of an old area goes to each new area with its share of the
 * fatalities; an activity is present whole in each new area with its share of the people
 * reached; people in need split by the shares; a new area without a population of its own
 * gets the shares of the old areas'. Arrays owned.
 */
struct carried {
	struct cc_computed_incident *incidents;
	size_t n_incidents;
	struct cc_computed_activity *activities;
	size_t n_activities;
	struct cc_computed_need *needs;
	size_t n_needs;
};

static void carried_release(struct carried *c)
{
	cc_free(c->incidents);
	cc_free(c->activities);
	cc_free(c->needs);
	memset(c, 0, sizeof(*c));
}

/* Maps n values (area_of(i), num_of(i)), each its own key unless one_key; *out owned. */
static int map_counts(const struct cc_crosswalk *cw, size_t n_cw, int32_t at, size_t n,
                      const int64_t *area, const double *num, bool one_key,
                      struct cc_cw_item **out, size_t *n_out, struct cc_err *err)
{
	struct cc_cw_item *in = cc_alloc_array(n + 1, sizeof(*in));
	int ret;

	if (!in)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu values", n);
	for (size_t i = 0; i < n; i++)
		in[i] = (struct cc_cw_item){ .area_id = area[i],
			                     .key = one_key ? 0 : (int64_t)i,
			                     .rule = CC_CW_COUNT,
			                     .num = num[i] };
	ret = cc_crosswalk_map(cw, n_cw, in, n, at, out, n_out, err);
	cc_free(in);
	return ret;
}

static int carry_inputs(const struct cc_crosswalk *cw, size_t n_cw, int32_t at,
                        const struct cc_computed_inputs *in, struct cc_area *areas,
                        size_t n_areas, struct carried *c, struct cc_err *err)
{
	size_t n = in->n_incidents + in->n_activities + in->n_needs + n_areas + 1, n_out = 0;
	int64_t *area = cc_alloc_array(n, sizeof(*area));
	double *num = cc_alloc_array(n, sizeof(*num));
	struct cc_cw_item *out = NULL;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	if (!area || !num)
		goto oom;
	/* incidents: fatalities are counts */
	for (size_t i = 0; i < in->n_incidents; i++) {
		area[i] = in->incidents[i].area_id;
		num[i] = in->incidents[i].fatalities;
	}
	if ((ret = map_counts(cw, n_cw, at, in->n_incidents, area, num, false, &out, &n_out,
	                      err)) < 0)
		goto out;
	if (!(c->incidents = cc_alloc_array(n_out + 1, sizeof(*c->incidents))))
		goto oom;
	for (size_t i = 0; i < n_out; i++) {
		c->incidents[i] = in->incidents[out[i].origin];
		c->incidents[i].area_id = out[i].area_id;
		c->incidents[i].fatalities = out[i].num;
	}
	c->n_incidents = n_out;
	cc_free(out);
	out = NULL;
	/* activities: present whole, people reached split */
	for (size_t i = 0; i < in->n_activities; i++) {
		area[i] = in->activities[i].area_id;
		num[i] = in->activities[i].reached;
	}
	if ((ret = map_counts(cw, n_cw, at, in->n_activities, area, num, false, &out, &n_out,
	                      err)) < 0)
		goto out;
	if (!(c->activities = cc_alloc_array(n_out + 1, sizeof(*c->activities))))
		goto oom;
	for (size_t i = 0; i < n_out; i++) {
		c->activities[i] = in->activities[out[i].origin];
		c->activities[i].area_id = out[i].area_id;
		c->activities[i].reached = out[i].num;
	}
	c->n_activities = n_out;
	cc_free(out);
	out = NULL;
	/* people in need: summed per area */
	for (size_t i = 0; i < in->n_needs; i++) {
		area[i] = in->needs[i].area_id;
		num[i] = in->needs[i].in_need;
	}
	if ((ret = map_counts(cw, n_cw, at, in->n_needs, area, num, true, &out, &n_out, err)) < 0)
		goto out;
	if (!(c->needs = cc_alloc_array(n_out + 1, sizeof(*c->needs))))
		goto oom;
	for (size_t i = 0; i < n_out; i++)
		c->needs[i] = (struct cc_computed_need){ out[i].area_id, out[i].num };
	c->n_needs = n_out;
	cc_free(out);
	out = NULL;
	/* population: a new area without its own figure takes the shares of the old areas' */
	{
		size_t k = 0;

		for (size_t i = 0; i < n_areas; i++)
			if (areas[i].population > 0) {
				area[k] = areas[i].id;
				num[k++] = (double)areas[i].population;
			}
		if ((ret = map_counts(cw, n_cw, at, k, area, num, true, &out, &n_out, err)) < 0)
			goto out;
		for (size_t i = 0; i < n_out; i++) {
			if (!out[i].carried || isnan(out[i].num))
				continue;
			for (size_t a = 0; a < n_areas; a++)
				if (areas[a].id == out[i].area_id && areas[a].population <= 0)
					areas[a].population = llround(out[i].num);
		}
	}
	goto out;
oom:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory carrying the inputs through the crosswalk");
out:
	if (ret < 0)
		carried_release(c);
	cc_free(out);
	cc_free(area);
	cc_free(num);
	return ret;
}

/*
 * Incidents cannot be counted in parts by cc_computed_compute (each one counts 1), so the
 * incidents per 100,000 are recomputed here: the incidents of each area and period counted on
 * the layout they were recorded in (a computation over every area with a population of
 * 100,000, where the rate is the count), those counts split by the shares, and divided by the
 * population of the area on the new layout. Values of areas not on the layout of to (ended
 * before it, or created after it) are dropped, and so are they from the areas without a
 * population.
 */
static int recount_incidents(const struct cc_crosswalk *cw, size_t n_cw, int32_t at,
                             const struct cc_computed_inputs *in,
                             const struct cc_computed_opts *opts, struct cc_computed_result *r,
                             struct cc_err *err)
{
	const struct cc_computed_def *defs;
	struct cc_computed_inputs raw = *in;
	struct cc_computed_result r0 = { 0 };
	struct cc_area *areas = NULL;
	struct cc_cw_item *items = NULL, *out = NULL;
	size_t n_defs, n_items = 0, n_out = 0, inc_def = SIZE_MAX, k = 0;
	int ret;

	defs = cc_computed_defs(&n_defs);
	for (size_t d = 0; d < n_defs; d++)
		if (defs[d].kind == CC_COMPUTED_INCIDENTS_PER_100K)
			inc_def = d;
	areas = cc_alloc_array(in->n_areas + 1, sizeof(*areas));
	if (!areas)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu areas", in->n_areas);
	for (size_t i = 0; i < in->n_areas; i++) {
		areas[i] = in->areas[i];
		areas[i].population = 100000;
	}
	raw.areas = areas;
	if ((ret = cc_computed_compute(&raw, opts, &r0, err)) < 0)
		goto out;
	items = cc_alloc_array(r0.n_values + 1, sizeof(*items));
	if (!items) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu values", r0.n_values);
		goto out;
	}
	for (size_t i = 0; i < r0.n_values; i++)
		if (r0.values[i].def == inc_def)
			items[n_items++] = (struct cc_cw_item){ .area_id = r0.values[i].area_id,
				                                .key = r0.values[i].period_start,
				                                .rule = CC_CW_COUNT,
				                                .num = r0.values[i].value };
	if ((ret = cc_crosswalk_map(cw, n_cw, items, n_items, at, &out, &n_out, err)) < 0)
		goto out;
	for (size_t i = 0; i < r->n_values; i++) {
		struct cc_computed_value *v = &r->values[i];
		const struct cc_area *a = NULL;
		double count = 0.0;

		if (!cc_crosswalk_on_layout(cw, n_cw, v->area_id, at))
			continue;
		if (v->def == inc_def) {
			size_t lo = 0, hi = n_out;

			/* out is by key (the period), then area */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				const struct cc_cw_item *y = &out[mid];

				if (y->key == v->period_start && y->area_id == v->area_id) {
					count = y->num;
					break;
				}
				if (y->key < v->period_start ||
				    (y->key == v->period_start && y->area_id < v->area_id))
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t j = 0; j < in->n_areas && !a; j++)
				if (in->areas[j].id == v->area_id)
					a = &in->areas[j];
			v->value = a && a->population > 0
			                   ? count * 100000.0 / (double)a->population
			                   : (double)NAN;
		}
		r->values[k++] = *v;
	}
	r->n_values = k;
	k = 0;
	for (size_t i = 0; i < r->n_no_population; i++)
		if (cc_crosswalk_on_layout(cw, n_cw, r->no_population[i], at))
			r->no_population[k++] = r->no_population[i];
	r->n_no_population = k;
	/* the incidents as recorded, not their parts */
	r->n_incidents_used = r0.n_incidents_used;
	r->n_incidents_above = r0.n_incidents_above;
out:
	cc_computed_release(&r0);
	cc_free(areas);
	cc_free(items);
	cc_free(out);
	return ret;
}

static int compute_carried(struct cc_store *st, const struct cc_computed_inputs *in,
                           const struct cc_computed_opts *opts, struct cc_area *areas,
                           size_t n_areas, struct cc_computed_result *r, struct cc_err *err)
{
	struct cc_crosswalk *cw = NULL;
	struct carried c = { 0 };
	struct cc_computed_inputs x = *in;
	size_t n_cw = 0;
	int32_t at = opts->to;
	int ret;

	if ((ret = cc_store_crosswalk_rows(st, &cw, &n_cw, err)) < 0)
		return ret;
	if (!n_cw) {
		cc_free(cw);
		return cc_computed_compute(in, opts, r, err);
	}
	/* the raw counts first, on the populations as stored */
	if ((ret = carry_inputs(cw, n_cw, at, in, areas, n_areas, &c, err)) < 0)
		goto out;
	x.incidents = c.incidents;
	x.n_incidents = c.n_incidents;
	x.activities = c.activities;
	x.n_activities = c.n_activities;
	x.needs = c.needs;
	x.n_needs = c.n_needs;
	if ((ret = cc_computed_compute(&x, opts, r, err)) < 0)
		goto out;
	if ((ret = recount_incidents(cw, n_cw, at, in, opts, r, err)) < 0)
		cc_computed_release(r);
out:
	carried_release(&c);
	cc_free(cw);
	return ret;
}

int cc_computed_run(struct cc_store *st, int64_t mission_id, const struct cc_computed_request *q,
                    struct cc_computed_run *out, struct cc_err *err)
{
	struct cc_computed_inputs in = { 0 };
	struct cc_computed_incident *incidents = NULL;
	struct cc_computed_activity *activities = NULL;
	struct cc_computed_need *needs = NULL;
	struct cc_area_filter f = { .level = -1 };
	const char *events = q->events;
	int ret;

	memset(out, 0, sizeof(*out));
	out->dry_run = q->dry_run;
	if (q->opts.from != CC_DATE_NONE && q->opts.to != CC_DATE_NONE && q->opts.from > q->opts.to)
		return cc_err_set(err, CC_EUSAGE, "from is after to");
	if (events && strcmp(events, "ucdp") != 0 && strcmp(events, "acled") != 0)
		return cc_err_set(err, CC_EUSAGE, "events: '%s' is not ucdp, acled or all", events);
	if (!q->events_given) {
		int64_t n_ucdp = 0;

		if ((ret = cc_store_count_incidents(st, "ucdp", &n_ucdp, err)) < 0)
			return ret;
		events = n_ucdp > 0 ? "ucdp" : "acled";
	}
	out->events = !events ? NULL : strcmp(events, "ucdp") == 0 ? "ucdp" : "acled";
	if ((ret = cc_store_load_computed_inputs(st, mission_id, out->events, q->opts.from,
	                                         q->opts.to, &incidents, &in.n_incidents,
	                                         &activities, &in.n_activities, err)) < 0 ||
	    (ret = cc_store_list_areas(st, &f, &out->areas, &out->n_areas, err)) < 0 ||
	    (ret = cc_store_fill_population(st, out->areas, out->n_areas, q->opts.to, err)) < 0 ||
	    (ret = load_needs(st, mission_id, &needs, &in.n_needs, err)) < 0)
		goto out;
	in.incidents = incidents;
	in.activities = activities;
	in.needs = needs;
	in.areas = out->areas;
	in.n_areas = out->n_areas;
	if ((ret = compute_carried(st, &in, &q->opts, out->areas, out->n_areas, &out->r, err)) < 0)
		goto out;
	if (!q->dry_run && out->r.n_periods > 0)
		ret = cc_store_replace_computed(st, mission_id, &out->r, &out->counts, err);
out:
	cc_free(incidents);
	cc_free(activities);
	cc_free(needs);
	if (ret < 0)
		cc_computed_run_release(out);
	return ret;
}
