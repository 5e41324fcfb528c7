/*
 * The webhooks domain's store wrappers (<concord/webhooks.h>): the URL check, the secret and
 * the signature, argument checks and the change log of registrations, then dispatch to
 * st->ops->webhooks.
 */
#include <concord/webhooks.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include <concord/feed.h>
#include <concord/sharing.h>
#include <concord/text.h>

#include "store/backend.h"
#include "store/ops_webhooks.h"

#include "core/banned.h"

static const struct cc__webhooks_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->webhooks)
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend has no webhooks");
	return st->ops->webhooks;
}

static int bad_url(struct cc_err *err, const char *url, const char *why)
{
	cc_err_set(err, CC_EINVALID, "webhook URL '%s': %s", url, why);
	cc_err_at(err, NULL, 0, "url");
	return CC_EINVALID;
}

int cc_webhook_check_url(const char *url, bool any_host, struct cc_err *err)
{
	static const char *const loopback[] = { "127.0.0.1", "[::1]", "::1", "localhost" };
	char *scheme = NULL, *host = NULL;
	CURLU *u;
	int ret = 0;

	if (!url || !*url)
		return bad_url(err, "", "empty");
	if (strlen(url) >= CC_WEBHOOK_URL_MAX)
		return bad_url(err, "…", "longer than 511 bytes");
	if (!(u = curl_url()))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	/* the scheme is required, not guessed */
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host)
		ret = bad_url(err, url, "not an absolute URL with a host");
	else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		ret = bad_url(err, url, "only http:// and https:// are delivered to");
	if (ret == 0 && !any_host) {
		ret = bad_url(err, url,
		              "only loopback hosts (127.0.0.1, ::1, localhost) are allowed "
		              "unless the server runs with --webhook-any-host");
		for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
			if (strcasecmp(host, loopback[i]) == 0) {
				cc_err_clear(err);
				ret = 0;
			}
		}
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ret;
}

void cc_webhook_sign(const char *secret, const void *body, size_t len,
                     char out[static CC_WEBHOOK_SIG_LEN])
{
	crypto_auth_hmacsha256_state h;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&h, body, len);
	crypto_auth_hmacsha256_final(&h, mac);
	memcpy(out, "sha256=", 7);
	cc_hex(mac, sizeof(mac), out + 7);
	out[CC_WEBHOOK_SIG_LEN - 1] = '\0';
	sodium_memzero(&h, sizeof(h));
}

/* The change-log entry of a registration or removal (seen by the operator only). */
static int log_hook(struct cc_store *st, const struct cc_webhook *w, bool added, struct cc_err *err)
{
	char detail[CC_WEBHOOK_URL_MAX + 160];

	snprintf(detail, sizeof(detail), "webhook %s for %s: %s", added ? "registered" : "removed",
	         w->org_key, w->url);
	return cc_store_log_change(st,
	                           &(struct cc_change){ .table = "webhook",
	                                                .op = added ? "insert" : "delete",
	                                                .record_id = w->id,
	                                                .count = 1,
	                                                .mission_id = w->mission_id,
	                                                .releasability = "org",
	                                                .detail = detail },
	                           err);
}

int cc_store_add_webhook(struct cc_store *st, int64_t mission_id, int64_t org_id, int64_t user_id,
                         const char *url, bool any_host, struct cc_webhook *out,
                         char secret_out[static CC_WEBHOOK_SECRET_HEX], struct cc_err *err)
{
	const struct cc__webhooks_ops *o = ops(st, err);
	unsigned char key[32];
	struct cc_webhook w;
	struct cc_viewer v;
	int64_t head = 0;
	int ret;

	secret_out[0] = '\0';
	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = cc_webhook_check_url(url, any_host, err)) < 0)
		return ret;
	if ((ret = cc_store_org_viewer(st, mission_id, org_id, &v, err)) < 0)
		return ret;
	memset(&w, 0, sizeof(w));
	w.mission_id = mission_id;
	w.org_id = org_id;
	w.user_id = user_id;
	snprintf(w.url, sizeof(w.url), "%s", url);
	randombytes_buf(key, sizeof(key));
	cc_hex(key, sizeof(key), secret_out);
	sodium_memzero(key, sizeof(key));
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	ret = o->add(st, &w, secret_out, err);
	if (ret == 0)
		ret = o->get(st, w.id, &w, NULL, err); /* its organisation's key */
	if (ret == 0)
		ret = log_hook(st, &w, true, err);
	/* what changes from now on: the registration is the newest entry */
	if (ret == 0)
		ret = cc_store_feed_head(st, &head, err);
	if (ret == 0)
		ret = o->advance(st, w.id, head, err);
	if (ret < 0) {
		cc_store_rollback(st);
		secret_out[0] = '\0';
		return ret;
	}
	if ((ret = cc_store_commit(st, err)) < 0) {
		secret_out[0] = '\0';
		return ret;
	}
	w.cursor = head;
	if (out)
		*out = w;
	return 0;
}

int cc_store_list_webhooks(struct cc_store *st, int64_t mission_id, int64_t org_id,
                           bool active_only, struct cc_webhook **out, size_t *n_out,
                           struct cc_err *err)
{
	const struct cc__webhooks_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	return o ? o->list(st, mission_id, org_id, active_only, out, n_out, err) : CC_EUNSUPPORTED;
}

int cc_store_get_webhook(struct cc_store *st, int64_t id, struct cc_webhook *out, char *secret_out,
                         struct cc_err *err)
{
	const struct cc__webhooks_ops *o = ops(st, err);

	memset(out, 0, sizeof(*out));
	return o ? o->get(st, id, out, secret_out, err) : CC_EUNSUPPORTED;
}

int cc_store_remove_webhook(struct cc_store *st, int64_t id, struct cc_err *err)
{
	const struct cc__webhooks_ops *o = ops(st, err);
	struct cc_webhook w;
	bool changed = false;
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	ret = o->get(st, id, &w, NULL, err);
	if (ret == 0)
		ret = o->deactivate(st, id, &changed, err);
	if (ret == 0 && !changed)
		ret = cc_err_set(err, CC_ENOTFOUND, "webhook %lld is already removed",
		                 (long long)id);
	if (ret == 0)
		ret = log_hook(st, &w, false, err);
	if (ret < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_store_commit(st, err);
}

int cc_store_webhook_advance(struct cc_store *st, int64_t id, int64_t cursor, struct cc_err *err)
{
	const struct cc__webhooks_ops *o = ops(st, err);

	return o ? o->advance(st, id, cursor, err) : CC_EUNSUPPORTED;
}

int cc_store_log_delivery(struct cc_store *st, struct cc_webhook_delivery *d, struct cc_err *err)
{
	const struct cc__webhooks_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (d->webhook_id <= 0 || d->change_id <= 0)
		return cc_err_set(err, CC_EUSAGE, "a delivery names its webhook and entry");
	return o->log_delivery(st, d, err);
}

int cc_store_list_deliveries(struct cc_store *st, int64_t webhook_id, size_t limit,
                             struct cc_webhook_delivery **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__webhooks_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	if (limit < 1 || limit > 10000)
		return cc_err_set(err, CC_EUSAGE, "a page of deliveries holds 1 to 10000 attempts");
	return o->list_deliveries(st, webhook_id, limit, out, n_out, err);
}
