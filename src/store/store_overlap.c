/*
 * The overlap domain's public store functions (<concord/overlap.h>): the backend's overlap
 * table, CC_EUNSUPPORTED when the backend has none.
 */
#include <concord/overlap.h>

#include <string.h>

#include <concord/alloc.h>

#include "store/backend.h"
#include "store/ops_overlap.h"

#include "core/banned.h"

int cc_store_load_overlap(struct cc_store *st, int64_t mission_id, struct cc_overlap_input *out,
                          struct cc_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!st->ops->overlap)
		return cc_err_set(err, CC_EUNSUPPORTED,
		                  "this store cannot read activities for overlap");
	return st->ops->overlap->load_overlap(st, mission_id, out, err);
}

void cc_overlap_input_release(struct cc_overlap_input *in)
{
	if (!in)
		return;
	cc_free(in->acts);
	cc_free(in->text);
	memset(in, 0, sizeof(*in));
}
