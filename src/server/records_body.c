/*
 * What the API's single-record writes share (declared in server/records_body.h): the body's
 * members as an importer's cells, the owner and marking a body gives, who may change a
 * record, the If-Match check, and the record read before and answered after a write.
 */
#include "server/records_body.h"

#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/store.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "core/banned.h"

/* ---- the body ---- */

int cc__json_text(const json_t *v, const char *name, char *buf, size_t n, const char **out,
                  struct cc_err *err)
{
	if (!v || json_is_null(v)) {
		*out = "";
	} else if (json_is_string(v)) {
		if (strlen(json_string_value(v)) != json_string_length(v))
			return cc__bad_arg(err, name, "%s: text with a NUL byte", name);
		*out = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = buf;
	} else if (json_is_real(v)) {
		snprintf(buf, n, "%.17g", json_real_value(v));
		*out = buf;
	} else {
		return cc__bad_arg(err, name, "%s: a number or text, not %s", name,
		                   json_is_boolean(v) ? "true or false" : "a list or object");
	}
	return 0;
}

int cc__set_text(char **slot, const char *v, struct cc_err *err)
{
	char *s = cc_strdup(v ? v : "");

	if (!s)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	cc_free(*slot);
	*slot = s;
	return 0;
}

bool cc__name_in(const char *const *names, const char *name)
{
	for (size_t k = 0; names[k]; k++)
		if (strcmp(names[k], name) == 0)
			return true;
	return false;
}

int cc__row_refused(int ret, char *const *columns, const char *const *json, size_t n,
                    struct cc_err *err)
{
	if (ret != CC_EINVALID && ret != CC_EPARSE)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(err->field, columns[i]) == 0) {
			snprintf(err->field, sizeof(err->field), "%s", json[i]);
			break;
		}
	}
	err->code = CC_EUSAGE;
	err->file[0] = '\0';
	err->line = 0;
	return CC_EUSAGE;
}

/* ---- owners, markings, versions ---- */

int cc__find_org(const struct cc__req *req, int64_t mission_id, const char *key, const char *field,
                 struct cc_org *out, struct cc_err *err)
{
	struct cc_buf norm = CC_BUF_INIT(0);
	int ret = cc_text_norm(key, &norm);

	if (ret == 0)
		ret = cc_store_find_org(req->st, mission_id, norm.buf, out, err);
	cc_buf_release(&norm);
	if (ret == CC_ENOTFOUND || ret == CC_EINVALID)
		return cc__bad_arg(err, field, "%s: no organisation '%s' in this mission", field,
		                   key);
	if (ret < 0)
		return cc_err_set(err, ret, "cannot look up organisation '%s'", key);
	return 0;
}

int cc__marking_from_body(const struct cc__req *req, int64_t mission_id, bool create,
                          struct cc_record_marking *m, bool *given, struct cc_err *err)
{
	char kind[sizeof(req->who->org_kind)];
	bool new_owner = create, any = false;
	json_t *rel = json_object_get(req->body, "releasability");
	json_t *owner = json_object_get(req->body, "owner");
	json_t *deny = json_object_get(req->body, "deny");
	int ret;

	if (given)
		*given = false;
	if (rel && !json_is_null(rel)) {
		if (!json_is_string(rel) || cc_rel_parse(json_string_value(rel), &m->rel, NULL) < 0)
			return cc__bad_arg(err, "releasability",
			                   "releasability: '%s': choose public, partners or org",
			                   json_is_string(rel) ? json_string_value(rel) : "?");
		any = true;
	}
	if (deny && !json_is_null(deny)) {
		if ((ret = cc__parse_deny(deny, &m->deny, err)) < 0)
			return ret;
		any = true;
	}
	snprintf(kind, sizeof(kind), "%s", req->who->org_kind);
	if (owner && !json_is_null(owner)) {
		struct cc_org org;

		if (!json_is_string(owner))
			return cc__bad_arg(err, "owner", "owner: an organisation's key or name%s",
			                   "");
		if ((ret = cc__find_org(req, mission_id, json_string_value(owner), "owner", &org,
		                        err)) < 0)
			return ret;
		if (org.id != m->owner_id && org.id != req->who->user.org_id &&
		    req->who->user.role < CC_ROLE_COORDINATOR) {
			cc_err_set(err, CC_EDENIED,
			           "only a coordinator may make another organisation the owner");
			cc_err_at(err, NULL, 0, "owner");
			return CC_EDENIED;
		}
		snprintf(kind, sizeof(kind), "%s", org.kind);
		new_owner = new_owner || org.id != m->owner_id;
		m->owner_id = org.id;
		any = true;
	}
	if (new_owner && (!deny || json_is_null(deny)))
		m->deny = cc_default_deny(kind);
	if (given)
		*given = any;
	return 0;
}

int cc__may_change(const struct cc__req *req, int64_t owner_id, const char *what,
                   struct cc_err *err)
{
	if (req->who->user.role >= CC_ROLE_COORDINATOR ||
	    (owner_id && owner_id == req->who->user.org_id))
		return 0;
	return cc_err_set(err, CC_EDENIED,
	                  "only the owner's editors or a coordinator may change %s", what);
}

int cc__check_version(const struct cc__req *req, const char *version, const char *what,
                      struct cc_err *err)
{
	const char *h = cc__req_header(req, "If-Match");
	size_t n;

	if (!h || !*h)
		return cc__bad_arg(err, "If-Match", "send If-Match with the version you read%s",
		                   "");
	if (strcmp(h, "*") == 0)
		return 0;
	if (*h == '"')
		h++;
	n = strcspn(h, "\"");
	if (n != strlen(version) || strncmp(h, version, n) != 0) {
		cc_err_set(err, CC_ECHANGED, "the %s changed since version %.*s was read", what,
		           (int)(n > 40 ? 40 : n), h);
		cc_err_at(err, NULL, 0, "If-Match");
		return CC_ECHANGED;
	}
	return 0;
}

/* ---- before and after a write ---- */

int cc__no_record(const struct cc__req *req, const char *what, struct cc_err *err)
{
	cc_err_set(err, CC_ENOTFOUND, "no %s '%s'", what, cc__req_param(req, "id"));
	cc_err_at(err, NULL, 0, "id");
	return CC_ENOTFOUND;
}

int cc__reg_current(struct cc__req *req, enum cc_reg_kind kind, int64_t mission_id,
                    const char *what, struct cc_reg_page *page, json_t **cur, struct cc_err *err)
{
	int64_t id;
	int ret;

	*cur = NULL;
	memset(page, 0, sizeof(*page));
	if (cc_parse_i64(cc__req_param(req, "id"), 1, INT64_MAX, &id, NULL) < 0)
		return cc__no_record(req, what, err);
	ret = cc_store_reg_list(
	        req->st,
	        &(struct cc_reg_query){
	                .kind = kind, .mission_id = mission_id, .id = id, .limit = 1 },
	        page, err);
	if (ret == 0 && page->n_rows == 0)
		ret = cc__no_record(req, what, err);
	if (ret == 0 && !(*cur = json_loadb(page->rows.buf + 1, page->rows.len - 2, 0, NULL)))
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	return ret;
}

int cc__apply_marking(struct cc__req *req, const char *table, int64_t id, int64_t mission_id,
                      const struct cc_record_marking *old, const struct cc_record_marking *mk,
                      struct cc_err *err)
{
	if (mk->rel == old->rel && mk->owner_id == old->owner_id && mk->deny == old->deny)
		return 0;
	return cc_store_edit_marking(req->st, table, id, mission_id, mk->rel, mk->owner_id,
	                             mk->deny, "update", err);
}

int cc__record_written(struct cc__req *req, bool create, const char *table, int64_t id,
                       int64_t mission_id, int64_t batch, enum cc_put_result res,
                       const struct cc_record_marking *old, const struct cc_record_marking *mk,
                       struct cc_err *err)
{
	int ret = 0;

	if (create)
		return cc_store_edit_marking(req->st, table, id, mission_id, mk->rel, mk->owner_id,
		                             mk->deny, "insert", err);
	if (res == CC_PUT_UPDATED)
		ret = cc_store_log_change(
		        req->st,
		        &(struct cc_change){ .table = table,
		                             .op = "update",
		                             .record_id = id,
		                             .batch = batch,
		                             .count = 1,
		                             .mission_id = mission_id,
		                             .releasability = cc_rel_name(old->rel),
		                             .detail = "edited one record" },
		        err);
	return ret < 0 ? ret : cc__apply_marking(req, table, id, mission_id, old, mk, err);
}

int cc__reply_written(struct cc__req *req, cc__route_fn *get, const char *path, int64_t id,
                      enum cc_rel rel, struct cc_buf *out, struct cc_err *err)
{
	int ret;

	req->n_params = 1;
	snprintf(req->params[0].name, sizeof(req->params[0].name), "id");
	snprintf(req->params[0].value, sizeof(req->params[0].value), "%lld", (long long)id);
	if (req->status == 201)
		snprintf(req->location, sizeof(req->location), "%s/%lld", path, (long long)id);
	ret = get(req, out, err);
	if (ret == CC_ENOTFOUND) {
		cc_err_clear(err);
		cc_buf_clear(out);
		ret = cc__reply_json(out,
		                     json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id,
		                               "releasability", cc_rel_name(rel), "visible", 0),
		                     err);
	} else if (ret < 0 && !cc_store_in_request(req->st)) {
		/*
		 * The write is committed: the request succeeded even when reading the record
		 * back failed (an I/O error, memory), so the answer says so rather than an error
		 * that would make a client write it again. Inside a store request (the writes
		 * that check first) nothing is committed yet: the error undoes the write.
		 */
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		cc_err_clear(err);
		cc_buf_clear(out);
		ret = cc__reply_json(out,
		                     json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id,
		                               "releasability", cc_rel_name(rel), "read_back_error",
		                               why),
		                     err);
	}
	return ret;
}

int cc__run_locked(cc__route_fn *write, struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	int ret;

	if ((ret = cc__writes_lock(req, err)) == 0)
		ret = write(req, out, err);
	if ((ret = cc__writes_unlock(req, ret, err)) < 0)
		cc_buf_clear(out); /* the answer of a write that was not committed */
	return ret;
}
