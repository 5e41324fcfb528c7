/* The public face of computed indicators in the store: reads, and the atomic replacement. */
#include <concord/computed.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

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
	return cc_store_commit(st, err);
}
