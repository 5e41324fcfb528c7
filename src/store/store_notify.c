/*
 * Waiting for a commit to the change log (<concord/feed.h>): the backend's announcement
 * (PostgreSQL's LISTEN/NOTIFY), so that a server's feed wakes when another server writes
 * rather than at its next poll.
 */
#include <concord/feed.h>

#include "store/backend.h"

#include "core/banned.h"

int cc_store_wait_change(struct cc_store *st, int fd, int timeout_ms, struct cc_err *err)
{
	if (!st || !st->ops->wait_change)
		return cc_err_set(err, CC_EUNSUPPORTED, "this store does not announce its changes");
	return st->ops->wait_change(st, fd, timeout_ms < 0 ? 0 : timeout_ms, err);
}
