/* The public face of the IATI domain: checks, then the backend's table. */
#include <concord/iati.h>

#include <string.h>

#include "store/backend.h"
#include "store/ops_iati.h"

#include "core/banned.h"

static int unsupported(struct cc_err *err)
{
	return cc_err_set(err, CC_EUNSUPPORTED, "this store has no IATI tables");
}

int cc_store_put_iati_activity(struct cc_store *st, struct cc_iati_activity *a, int64_t batch,
                               enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	enum cc_put_result res;
	long dup = 0;

	if (!st->ops->iati)
		return unsupported(err);
	if (!a->identifier[0] || !a->mission_id || !a->source_id || !batch)
		return cc_err_set(
		        err, CC_EINVALID,
		        "an IATI activity needs an identifier, a mission, a source and a batch");
	return st->ops->iati->put_activity(st, a, batch, res_out ? res_out : &res,
	                                   dup_line_out ? dup_line_out : &dup, err);
}

int cc_store_remove_stale_iati(struct cc_store *st, int64_t source_id, int64_t batch,
                               size_t *n_removed_out, struct cc_err *err)
{
	size_t n;

	if (!st->ops->iati)
		return unsupported(err);
	return st->ops->iati->remove_stale(st, source_id, batch, n_removed_out ? n_removed_out : &n,
	                                   err);
}

int cc_store_each_iati_activity(struct cc_store *st, int64_t mission_id, cc_iati_activity_fn *fn,
                                void *ctx, struct cc_err *err)
{
	if (!st->ops->iati)
		return unsupported(err);
	return st->ops->iati->each_activity(st, mission_id, fn, ctx, err);
}

int cc_store_count_iati(struct cc_store *st, int64_t mission_id, const char *table, int64_t *n_out,
                        struct cc_err *err)
{
	if (!st->ops->iati)
		return unsupported(err);
	return st->ops->iati->count(st, mission_id, table, n_out, err);
}

int cc_store_find_other_iati(struct cc_store *st, int64_t mission_id, const char *identifier,
                             int64_t source_id, struct cc_iati_stored *out, struct cc_err *err)
{
	if (!st->ops->iati)
		return unsupported(err);
	memset(out, 0, sizeof(*out));
	return st->ops->iati->find_other(st, mission_id, identifier, source_id, out, err);
}

int cc_store_get_iati_activity(struct cc_store *st, int64_t id, cc_iati_activity_fn *fn, void *ctx,
                               struct cc_err *err)
{
	if (!st->ops->iati)
		return unsupported(err);
	return st->ops->iati->get_activity(st, id, fn, ctx, err);
}

int cc_store_remove_iati_activity(struct cc_store *st, int64_t id,
                                  const unsigned char (*natkeys)[16], size_t n_natkeys,
                                  struct cc_err *err)
{
	if (!st->ops->iati)
		return unsupported(err);
	return st->ops->iati->remove_activity(st, id, natkeys, n_natkeys, err);
}
