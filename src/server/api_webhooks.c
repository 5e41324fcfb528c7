/*
 * The webhook endpoints: an organisation registers, lists and removes its own webhooks and
 * reads their delivery log. A webhook of another organisation answers like a missing one.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include <concord/alloc.h>
#include <concord/text.h>
#include <concord/webhooks.h>

#include "server/server.h"

#include "core/banned.h"


static json_t *hook_json(const struct cc_webhook *h)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:b, s:I}", "id", (json_int_t)h->id, "org",
	                 h->org_key, "url", h->url, "cursor", (json_int_t)h->cursor, "active",
	                 h->active, "created", (json_int_t)h->created);
}

/* The caller organisation's webhook of path parameter id; CC_ENOTFOUND otherwise. */
static int own_hook(const struct cc__req *req, struct cc_webhook *h, struct cc_err *err)
{
	const char *v = cc__req_param(req, "id");
	int64_t id;

	if (cc_parse_i64(v, 1, INT64_MAX, &id, NULL) < 0 ||
	    cc_store_get_webhook(req->st, id, h, NULL, NULL) < 0 ||
	    h->mission_id != req->who->user.mission_id || h->org_id != req->who->user.org_id) {
		cc_err_set(err, CC_ENOTFOUND, "no webhook '%s'", v);
		cc_err_at(err, NULL, 0, "id");
		return CC_ENOTFOUND;
	}
	return 0;
}

/* POST /api/webhooks {"url": URL}: the secret is in this answer only. */
int cc__api_webhook_add(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	char secret[CC_WEBHOOK_SECRET_HEX];
	struct cc_webhook h;
	const char *url = NULL;
	json_t *j;
	int ret;

	if (!req->body || json_unpack(req->body, "{s:s}", "url", &url) < 0)
		return cc__bad_arg(err, "body", "expected {\"url\": URL}%s", "");
	if (json_object_size(req->body) != 1)
		return cc__bad_arg(err, "body", "expected only {\"url\": URL}%s", "");
	ret = cc_store_add_webhook(req->st, req->who->user.mission_id, req->who->user.org_id,
	                           req->who->user.id, url, cc__webhooks_any_host(), &h, secret,
	                           err);
	if (ret < 0)
		return ret;
	j = hook_json(&h);
	if (j && json_object_set_new(j, "secret", json_string(secret)) < 0) {
		json_decref(j);
		j = NULL;
	}
	sodium_memzero(secret, sizeof(secret));
	return cc__reply_json(out, j, err);
}

/* GET /api/webhooks: the caller organisation's, removed ones included. */
int cc__api_webhooks_list(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_webhook *hooks = NULL;
	size_t n = 0;
	json_t *list;
	int ret;

	ret = cc_store_list_webhooks(req->st, req->who->user.mission_id, req->who->user.org_id,
	                             false, &hooks, &n, err);
	if (ret < 0)
		return ret;
	list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		if (json_array_append_new(list, hook_json(&hooks[i])) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	cc_free(hooks);
	return cc__reply_json(
	        out,
	        list ? json_pack("{s:I, s:o}", "count", (json_int_t)n, "webhooks", list) : NULL,
	        err);
}

/* DELETE /api/webhooks/{id} */
int cc__api_webhook_remove(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_webhook h;
	int ret;

	if ((ret = own_hook(req, &h, err)) < 0 ||
	    (ret = cc_store_remove_webhook(req->st, h.id, err)) < 0)
		return ret;
	h.active = false;
	return cc__reply_json(out, hook_json(&h), err);
}

/* GET /api/webhooks/{id}/deliveries?limit=N */
int cc__api_webhook_deliveries(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_webhook_delivery *d = NULL;
	struct cc_webhook h;
	const char *v = cc__req_query(req, "limit");
	int64_t limit = 100;
	size_t n = 0;
	json_t *list;
	int ret;

	if (v && cc_parse_i64(v, 1, 10000, &limit, NULL) < 0)
		return cc__bad_arg(err, "limit", "limit: '%s' is not a whole number from 1 to 10000",
		               v);
	if ((ret = own_hook(req, &h, err)) < 0 ||
	    (ret = cc_store_list_deliveries(req->st, h.id, (size_t)limit, &d, &n, err)) < 0)
		return ret;
	list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:i, s:o, s:I}", "id",
		                      (json_int_t)d[i].id, "event", (json_int_t)d[i].change_id,
		                      "attempt", (json_int_t)d[i].attempt, "at",
		                      (json_int_t)d[i].at, "status", d[i].status, "error",
		                      d[i].error[0] ? json_string(d[i].error) : json_null(),
		                      "duration_ms", (json_int_t)d[i].duration_ms);

		if (json_array_append_new(list, o) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	cc_free(d);
	return cc__reply_json(out,
	                      list ? json_pack("{s:I, s:I, s:o}", "webhook", (json_int_t)h.id,
	                                       "count", (json_int_t)n, "deliveries", list)
	                           : NULL,
	                      err);
}
