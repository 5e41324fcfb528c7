/* The rounds domain's store wrappers (<concord/rounds.h>): argument checks, dates as text, then
   dispatch to st->ops->rounds. */
#include <concord/rounds.h>

#include <stdio.h>
#include <concord/alloc.h>

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
