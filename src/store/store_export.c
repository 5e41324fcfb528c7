/*
 * The export domain's store wrappers: dispatch to st->ops->export.
 */
#include <concord/export.h>

#include "store/backend.h"
#include "store/ops_export.h"

#include "core/banned.h"

static const struct cc__export_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->export)
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend cannot export");
	return st->ops->export;
}

int cc_store_export_activities(struct cc_store *st, int64_t mission_id, cc_export_activity_fn *fn,
                               void *ctx, struct cc_err *err)
{
	const struct cc__export_ops *o = ops(st, err);

	return o ? o->activities(st, mission_id, fn, ctx, err) : CC_EUNSUPPORTED;
}

int cc_store_log_head(struct cc_store *st, char out[static 65], int64_t *n_out, struct cc_err *err)
{
	const struct cc__export_ops *o = ops(st, err);

	out[0] = '\0';
	*n_out = 0;
	return o ? o->log_head(st, out, n_out, err) : CC_EUNSUPPORTED;
}
