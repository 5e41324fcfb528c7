/* The rounds domain's store wrappers (<concord/rounds.h>): argument checks, dates as text, then
   dispatch to st->ops->rounds. */
#include <concord/rounds.h>

#include <stdio.h>
#include <stdlib.h>
#include <concord/alloc.h>
#include <concord/crosswalk.h>

#include "store/backend.h"
#include "store/ops_rounds.h"

#include "core/banned.h"

static const struct cc__rounds_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->rounds)
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend has no reporting rounds");
	return st->ops->rounds;
}

/* The end of day as_of as the first ISO text after it ("YYYY-MM-DD" of the next day). */
static const char *before_text(int32_t as_of, char buf[static 11])
{
	if (as_of == CC_DATE_NONE)
		return NULL;
	return cc_date_format(as_of + 1, buf);
}

int cc_store_record_submissions(struct cc_store *st, int64_t source_id, int64_t batch,
                                struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (source_id <= 0)
		return cc_err_set(err, CC_EINVALID, "a submission needs a stored source");
	return o->record(st, source_id, batch, NULL, err);
}

int cc_store_list_submissions(struct cc_store *st, int64_t mission_id, int32_t as_of,
                              struct cc_submission **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	char buf[11];

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->list(st, mission_id, before_text(as_of, buf), out, n_out, err);
}

int cc_store_round_orgs(struct cc_store *st, int64_t mission_id, bool all,
                        struct cc_round_org **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->orgs(st, mission_id, all, out, n_out, err);
}

int cc_store_list_sector_codes(struct cc_store *st, const char *vocabulary,
                               struct cc_round_org **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->sectors(st, vocabulary, out, n_out, err);
}

int cc_store_rounds_excluded(struct cc_store *st, int64_t mission_id, int32_t as_of,
                             int64_t **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	char buf[11];

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->excluded(st, mission_id, before_text(as_of, buf), out, n_out, err);
}

int cc_store_set_area_validity(struct cc_store *st, const char *pcode, int32_t from, int32_t to,
                               struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	struct cc_area a;
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if (from != CC_DATE_NONE && to != CC_DATE_NONE && to < from)
		return cc_err_set(err, CC_EINVALID, "area %s: valid-to is before valid-from", pcode);
	if ((ret = cc_store_find_area(st, pcode, &a, err)) < 0)
		return ret;
	return o->set_validity(st, a.id, from, to, false, err);
}

int cc_store_area_validity(struct cc_store *st, const char *pcode, int32_t *from, int32_t *to,
                           struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	struct cc_area a;
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = cc_store_find_area(st, pcode, &a, err)) < 0)
		return ret;
	return o->validity(st, a.id, from, to, err);
}

int cc_store_put_crosswalk(struct cc_store *st, const struct cc_crosswalk *c, const char *source,
                           struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if (!(c->share > 0.0 && c->share <= 1.0))
		return cc_err_set(err, CC_EINVALID, "share %g is not in (0, 1]", c->share);
	if (c->old_id <= 0 || c->new_id <= 0 || c->old_id == c->new_id || c->date == CC_DATE_NONE)
		return cc_err_set(err, CC_EINVALID, "a crosswalk row needs two areas and a date");
	if ((ret = o->put_crosswalk(st, c, source, err)) < 0)
		return ret;
	/* the old area ends the day before, the new one begins that day (unless already set) */
	if ((ret = o->set_validity(st, c->old_id, CC_DATE_NONE, c->date - 1, true, err)) < 0)
		return ret;
	return o->set_validity(st, c->new_id, c->date, CC_DATE_NONE, true, err);
}

int cc_store_list_crosswalk(struct cc_store *st, struct cc_crosswalk **out, size_t *n_out,
                            struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->list_crosswalk(st, out, n_out, err);
}

int cc_store_crosswalk_rows(struct cc_store *st, struct cc_crosswalk **out, size_t *n_out,
                            struct cc_err *err)
{
	*out = NULL;
	*n_out = 0;
	if (!st->ops->rounds)
		return 0;
	return st->ops->rounds->list_crosswalk(st, out, n_out, err);
}

int cc_store_layout_areas(struct cc_store *st, int32_t at, struct cc_area *areas,
                          size_t *n_areas, struct cc_err *err)
{
	struct cc_crosswalk *cw = NULL;
	size_t n_cw = 0;
	int ret = cc_store_crosswalk_rows(st, &cw, &n_cw, err);

	if (ret == 0)
		ret = cc_crosswalk_layout_areas(cw, n_cw, at, areas, n_areas, err);
	cc_free(cw);
	return ret;
}

static int cmp_area_id(const void *a, const void *b)
{
	const struct cc_area *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

int cc_store_crosswalk_coverage(struct cc_store *st, int32_t at,
                                struct cc_coverage_record **records, size_t *n_records,
                                struct cc_area **areas, size_t *n_areas, size_t *n_carried,
                                struct cc_err *err)
{
	struct cc_area_filter f = { .level = -1 };
	struct cc_crosswalk *cw = NULL;
	struct cc_area *all = NULL, *more = NULL;
	size_t n_cw = 0, n_all = 0, n = *n_areas;
	int ret;

	*n_carried = 0;
	if ((ret = cc_store_crosswalk_rows(st, &cw, &n_cw, err)) < 0 || !n_cw)
		goto out;
	if ((ret = cc_crosswalk_coverage(cw, n_cw, at, records, n_records, n_carried, err)) < 0 ||
	    !*n_carried)
		goto out;
	/* the new areas the records moved to, and their ancestors, join the areas */
	if ((ret = cc_store_list_areas(st, &f, &all, &n_all, err)) < 0)
		goto out;
	if (n_all > 1)
		qsort(all, n_all, sizeof(*all), cmp_area_id);
	more = cc_realloc(*areas, (n + n_all + 1) * sizeof(*more));
	if (!more) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu areas", n + n_all);
		goto out;
	}
	*areas = more;
	for (size_t i = 0; i < *n_records; i++) {
		int64_t id = (*records)[i].area_id;

		for (int depth = 0; id && depth < 16; depth++) {
			struct cc_area key = { .id = id };
			const struct cc_area *a;
			bool have = false;

			for (size_t k = 0; k < n && !have; k++)
				have = more[k].id == id;
			if (have)
				break;
			a = bsearch(&key, all, n_all, sizeof(*all), cmp_area_id);
			if (!a)
				break;
			more[n++] = *a;
			id = a->parent_id;
		}
	}
	*n_areas = n;
out:
	cc_free(cw);
	cc_free(all);
	return ret;
}

int cc__rounds_filter_coverage(struct cc_store *st, int64_t mission_id, int32_t as_of,
                               struct cc_coverage_record *records, size_t *n_records,
                               struct cc_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int ret;

	if (!st->ops->rounds || !*n_records)
		return 0;
	if (as_of == 0)
		as_of = CC_DATE_NONE;
	ret = cc_store_rounds_excluded(st, mission_id, as_of, &ids, &n, err);
	if (ret == 0)
		cc_rounds_filter(records, n_records, ids, n);
	cc_free(ids);
	return ret;
}
