/*
 * Activities a page at a time (<concord/activities.h>): argument checks, then dispatch to
 * st->ops->activities.
 */
#include <concord/activities.h>

#include <string.h>

#include "store/backend.h"
#include "store/ops_activities.h"

#include "core/banned.h"

int cc_store_list_activities(struct cc_store *st, const struct cc_activity_query *q,
                             struct cc_activity_page *out, struct cc_err *err)
{
	struct cc_activity_query qq = *q;
	struct cc_area area;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!st->ops->activities)
		return cc_err_set(err, CC_EUNSUPPORTED, "this store backend cannot list activities");
	if (qq.limit == 0)
		qq.limit = 100;
	if (qq.limit > CC_ACTIVITY_PAGE_MAX)
		return cc_err_set(err, CC_EUSAGE, "limit: at most %d rows a page",
		                  CC_ACTIVITY_PAGE_MAX);
	if (qq.after < 0)
		qq.after = 0;
	if (qq.area && !*qq.area)
		qq.area = NULL;
	if (qq.area && (ret = cc_store_find_area(st, qq.area, &area, err)) < 0)
		return ret;
	if ((ret = st->ops->activities->list(st, &qq, out, err)) < 0)
		return ret;
	out->next_after = out->n_rows == qq.limit ? out->rows[out->n_rows - 1].id : 0;
	return 0;
}
