/*
 * The webhooks domain's backend operations (internal): struct cc_store_ops.webhooks points at
 * one of these; src/store/store_webhooks.c implements <concord/webhooks.h> over it (argument
 * checks, secrets, the change log).
 */
#ifndef CC_STORE_OPS_WEBHOOKS_H
#define CC_STORE_OPS_WEBHOOKS_H

#include <concord/webhooks.h>

#include "store/backend.h"

struct cc__webhooks_ops {
	/* inserts w (active, cursor w->cursor) with secret; fills w->id and w->created */
	int (*add)(struct cc_store *st, struct cc_webhook *w, const char *secret,
	           struct cc_err *err);
	int (*list)(struct cc_store *st, int64_t mission_id, int64_t org_id, bool active_only,
	            struct cc_webhook **out, size_t *n_out, struct cc_err *err);
	/* CC_ENOTFOUND; secret_out (room for CC_WEBHOOK_SECRET_HEX) may be NULL */
	int (*get)(struct cc_store *st, int64_t id, struct cc_webhook *out, char *secret_out,
	           struct cc_err *err);
	/* sets active = 0; *changed_out false when it was not active */
	int (*deactivate)(struct cc_store *st, int64_t id, bool *changed_out, struct cc_err *err);
	int (*advance)(struct cc_store *st, int64_t id, int64_t cursor, struct cc_err *err);
	int (*log_delivery)(struct cc_store *st, struct cc_webhook_delivery *d, struct cc_err *err);
	int (*list_deliveries)(struct cc_store *st, int64_t webhook_id, size_t limit,
	                       struct cc_webhook_delivery **out, size_t *n_out, struct cc_err *err);
};

extern const struct cc__webhooks_ops cc__sqlite_webhooks; /* src/store/sqlite_webhooks.c */

#endif
