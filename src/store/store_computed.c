/* The public face of computed indicators in the store: reads, and the atomic replacement. */
#include <concord/computed.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
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
	if ((ret = cc_computed_compute(&in, &q->opts, &out->r, err)) < 0)
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
