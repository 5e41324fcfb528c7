/*
 * Webhooks: a partner system registers a URL and receives every entry of the live feed
 * (<concord/feed.h>) that its organisation may see, as a signed JSON POST.
 *
 * A webhook belongs to an organisation of a mission (the subscriber): what it is sent is what
 * that organisation would read with `concord --as ORG watch`, entry by entry, in commit order.
 * Its cursor is the last change-log id delivered or skipped (an entry the organisation may not
 * see is skipped); a new webhook starts after the newest entry at its registration. The
 * server (src/server/webhooks.c) delivers: an entry that is not answered with 2xx is tried
 * again with a growing delay and the cursor stays where it is, so nothing is lost, nothing is
 * sent twice once acknowledged, and the order is kept. Every attempt is a row of the delivery
 * log.
 *
 * Each POST carries the entry as JSON (cc_feed_entry_json) and the headers
 *   X-Concord-Event-Id: the entry's id
 *   X-Concord-Signature: sha256=HEX, HMAC-SHA256 of the body keyed with the webhook's secret
 *     (the 64 hex digits shown once at registration, as text)
 * so that the receiver can check it came from this server and was not changed.
 *
 * Registering and removing a webhook are entries of the change log (table "webhook",
 * releasability org: only the operator sees them in the feed).
 */
#ifndef CONCORD_WEBHOOKS_H
#define CONCORD_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/store.h>

#define CC_WEBHOOK_URL_MAX    512
#define CC_WEBHOOK_SECRET_HEX 65 /* 32 bytes as hex, and the terminator */
#define CC_WEBHOOK_SIG_LEN    72 /* "sha256=" + 64 hex digits + terminator */

struct cc_webhook {
	int64_t id;
	int64_t mission_id;
	int64_t org_id; /* the subscriber */
	char org_key[128];
	int64_t user_id; /* who registered it; 0 the operator */
	char url[CC_WEBHOOK_URL_MAX];
	int64_t cursor;  /* last change-log id delivered or skipped */
	bool active;     /* false once removed */
	int64_t created; /* Unix seconds */
};

/* One attempt to deliver one entry. */
struct cc_webhook_delivery {
	int64_t id;
	int64_t webhook_id;
	int64_t change_id;
	int64_t attempt; /* 1 for the first attempt at this entry */
	int64_t at;      /* Unix seconds */
	int status;      /* the HTTP status answered, 0 none */
	char error[256]; /* why it failed; "" when answered 2xx */
	int64_t duration_ms;
};

/*
 * Checks a webhook URL: http:// or https:// with a host; unless any_host, the host must be
 * the loopback (127.0.0.1, ::1, localhost). CC_EINVALID saying why, on field "url".
 */
CC_API int cc_webhook_check_url(const char *url, bool any_host, struct cc_err *err);

/* "sha256=" and the HMAC-SHA256 of body keyed with secret (its text), as hex, into out. */
CC_API void cc_webhook_sign(const char *secret, const void *body, size_t len,
                            char out[static CC_WEBHOOK_SIG_LEN]);

/*
 * Registers a webhook of organisation org_id of the mission (which must be of it:
 * CC_ENOTFOUND), registered by user_id (0 the operator), for url (checked as
 * cc_webhook_check_url with any_host). Its secret is made here and written to secret_out: it
 * is shown once; *out (may be NULL) gets the webhook. Logged in the change log.
 */
CC_API int cc_store_add_webhook(struct cc_store *st, int64_t mission_id, int64_t org_id,
                                int64_t user_id, const char *url, bool any_host,
                                struct cc_webhook *out,
                                char secret_out[static CC_WEBHOOK_SECRET_HEX], struct cc_err *err);
/*
 * The webhooks of a mission (0: every mission) and organisation (0: every one), by id;
 * active_only leaves out removed ones. *out owned (cc_free).
 */
CC_API int cc_store_list_webhooks(struct cc_store *st, int64_t mission_id, int64_t org_id,
                                  bool active_only, struct cc_webhook **out, size_t *n_out,
                                  struct cc_err *err);
/* One webhook, and its secret when secret_out is not NULL; CC_ENOTFOUND. */
CC_API int cc_store_get_webhook(struct cc_store *st, int64_t id, struct cc_webhook *out,
                                char *secret_out, struct cc_err *err);
/* Stops deliveries to an active webhook (its log is kept); CC_ENOTFOUND. Logged. */
CC_API int cc_store_remove_webhook(struct cc_store *st, int64_t id, struct cc_err *err);
/* Moves an active webhook's cursor forward to cursor (never back); not logged. */
CC_API int cc_store_webhook_advance(struct cc_store *st, int64_t id, int64_t cursor,
                                    struct cc_err *err);
/*
 * Records an attempt (d->id, d->attempt and, when 0, d->at are filled in: the attempt is one
 * more than the attempts already recorded for this webhook and entry). Not logged.
 */
CC_API int cc_store_log_delivery(struct cc_store *st, struct cc_webhook_delivery *d,
                                 struct cc_err *err);
/* The last limit (1 … 10000) attempts of a webhook, oldest first; *out owned (cc_free). */
CC_API int cc_store_list_deliveries(struct cc_store *st, int64_t webhook_id, size_t limit,
                                    struct cc_webhook_delivery **out, size_t *n_out,
                                    struct cc_err *err);

#endif
