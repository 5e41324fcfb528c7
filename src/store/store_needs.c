/* The public needs and population store calls: dispatch to the backend's needs table. */
#include <concord/alloc.h>
#include <concord/needs.h>

#include "store/backend.h"
#include "store/ops_needs.h"

#include "core/banned.h"

static const struct cc__needs_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->needs) {
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend has no needs tables");
		return NULL;
	}
	return st->ops->needs;
}

int cc_store_put_need(struct cc_store *st, struct cc_need *n, int64_t batch,
                      enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	const struct cc__needs_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (n->severity < 0 || n->severity > 5)
		return cc_err_set(err, CC_EINVALID, "severity %d is not in 1..5", n->severity);
	return o->put_need(st, n, batch, res_out, dup_line_out, err);
}

int cc_store_remove_stale_needs(struct cc_store *st, int64_t source_id, int64_t batch,
                                size_t *n_removed_out, struct cc_err *err)
{
	const struct cc__needs_ops *o = ops(st, err);

	return o ? o->remove_stale_needs(st, source_id, batch, n_removed_out, err)
	         : CC_EUNSUPPORTED;
}

int cc_store_load_needs(struct cc_store *st, const struct cc_need_query *q,
                        struct cc_gap_need **needs_out, size_t *n_needs_out,
                        struct cc_area **areas_out, size_t *n_areas_out,
                        struct cc_gap_sector **sectors_out, size_t *n_sectors_out,
                        struct cc_err *err)
{
	const struct cc__needs_ops *o = ops(st, err);

	*needs_out = NULL;
	*areas_out = NULL;
	*sectors_out = NULL;
	*n_needs_out = *n_areas_out = *n_sectors_out = 0;
	return o ? o->load_needs(st, q, needs_out, n_needs_out, areas_out, n_areas_out, sectors_out,
	                         n_sectors_out, err)
	         : CC_EUNSUPPORTED;
}

int cc_store_list_needs(struct cc_store *st, const struct cc_need_query *q, struct cc_need **out,
                        size_t *n_out, struct cc_err *err)
{
	const struct cc__needs_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	return o ? o->list_needs(st, q, out, n_out, err) : CC_EUNSUPPORTED;
}

int cc_store_put_population(struct cc_store *st, const struct cc_population *p, int64_t batch,
                            enum cc_put_result *res_out, struct cc_err *err)
{
	const struct cc__needs_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (p->value < 0 || p->area_id <= 0)
		return cc_err_set(err, CC_EINVALID, "population needs an area and a value >= 0");
	return o->put_population(st, p, batch, res_out, err);
}

int cc_store_remove_stale_population(struct cc_store *st, int64_t source_id, int64_t batch,
                                     size_t *n_removed_out, struct cc_err *err)
{
	const struct cc__needs_ops *o = ops(st, err);

	return o ? o->remove_stale_population(st, source_id, batch, n_removed_out, err)
	         : CC_EUNSUPPORTED;
}

int cc_store_list_population(struct cc_store *st, int64_t area_id, struct cc_population **out,
                             size_t *n_out, struct cc_err *err)
{
	const struct cc__needs_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	return o ? o->list_population(st, area_id, out, n_out, err) : CC_EUNSUPPORTED;
}

int cc_store_fill_population(struct cc_store *st, struct cc_area *areas, size_t n, int32_t at,
                             struct cc_err *err)
{
	struct cc_population *pop = NULL;
	size_t n_pop = 0;
	int year = 9999, y, m, d, ret;

	if (at != CC_DATE_NONE) {
		cc_date_to_ymd(at, &y, &m, &d);
		year = y;
	}
	if ((ret = cc_store_list_population(st, 0, &pop, &n_pop, err)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		int64_t best = -1;
		int best_year = 0;
		bool found_le = false;

		areas[i].population = -1;
		for (size_t k = 0; k < n_pop; k++) {
			if (pop[k].area_id != areas[i].id)
				continue;
			if (pop[k].year <= year) {
				/* newest first: the first one not after the year is the one */
				if (!found_le) {
					best = pop[k].value;
					found_le = true;
				}
			} else if (!found_le && (best < 0 || pop[k].year < best_year)) {
				best = pop[k].value;
				best_year = pop[k].year;
			}
		}
		areas[i].population = best;
	}
	cc_free(pop);
	return 0;
}
