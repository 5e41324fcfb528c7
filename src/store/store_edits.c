/* The edits domain's store wrappers (<concord/edits.h>): dispatch to st->ops->edits. */
#include <concord/edits.h>

#include <string.h>

#include "store/backend.h"
#include "store/ops_edits.h"
#include "store/ops_sharing.h"

#include "core/banned.h"

static const struct cc__edits_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->edits)
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend cannot edit records in place");
	return st->ops->edits;
}

int cc_store_update_activity(struct cc_store *st, const struct cc_activity *a, unsigned flags,
                             struct cc_err *err)
{
	const struct cc__edits_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (a->id <= 0 || a->mission_id <= 0)
		return cc_err_set(err, CC_EINVALID, "an edit needs the activity's id and mission");
	return o->update_activity(st, a, flags, err);
}

int cc_store_update_observation(struct cc_store *st, int64_t mission_id,
                                const struct cc_observation *ob, struct cc_err *err)
{
	const struct cc__edits_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (ob->id <= 0 || mission_id <= 0)
		return cc_err_set(err, CC_EINVALID,
		                  "an edit needs the observation's id and mission");
	return o->update_observation(st, mission_id, ob, err);
}

int cc_store_edit_marking(struct cc_store *st, const char *table, int64_t id, int64_t mission_id,
                          enum cc_rel rel, int64_t owner_id, unsigned deny, const char *op,
                          struct cc_err *err)
{
	int ret;

	if (!st->ops->sharing)
		return cc_err_set(err, CC_EUNSUPPORTED, "this store backend has no markings");
	ret = st->ops->sharing->set_marking(st, table, id, rel, owner_id, deny & CC_KIND_ALL, err);
	if (ret == 0)
		ret = cc_store_log_change(
		        st,
		        &(struct cc_change){ .table = table,
		                             .op = op,
		                             .record_id = id,
		                             .count = 1,
		                             .mission_id = mission_id,
		                             .releasability = cc_rel_name(rel),
		                             .detail = strcmp(op, "insert") == 0
		                                               ? "created over the API"
		                                               : "edited one record" },
		        err);
	return ret;
}
