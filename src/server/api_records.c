/*
 * The record endpoints of the API: activities (listed a keyset page at a time, read one by
 * one, their marking changed and shared by name) and the mission's member organisations.
 * Every read goes through the store handle, which reads for the caller (http.c sets its
 * viewer), so a record the caller may not see answers exactly like a missing one.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <concord/activities.h>
#include <concord/alloc.h>
#include <concord/sharing.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "server/server.h"

#include "core/banned.h"

/* ---- helpers ---- */

/* A bad argument or body: CC_EUSAGE naming the field. */
#define bad_arg(err, field, ...) \
	(cc_err_set((err), CC_EUSAGE, __VA_ARGS__), cc_err_at((err), NULL, 0, (field)), CC_EUSAGE)

static int caller_mission_id(const struct cc__req *req, int64_t *out, struct cc_err *err)
{
	struct cc_mission m;
	int ret = cc_store_get_mission(req->st, req->who->mission_code, &m, err);

	*out = m.id;
	return ret;
}

/* The organisation of the caller's mission named by key or alias; CC_ENOTFOUND on field. */
static int find_org(const struct cc__req *req, int64_t mission_id, const char *key,
                    const char *field, struct cc_org *out, struct cc_err *err)
{
	struct cc_buf norm = CC_BUF_INIT(0);
	int ret = cc_text_norm(key, &norm);

	if (ret == 0)
		ret = cc_store_find_org(req->st, mission_id, norm.buf, out, err);
	cc_buf_release(&norm);
	if (ret == CC_ENOTFOUND || ret == CC_EINVALID) {
		cc_err_set(err, CC_ENOTFOUND, "no organisation '%s' in this mission", key);
		cc_err_at(err, NULL, 0, field);
		return CC_ENOTFOUND;
	}
	return ret < 0 ? cc_err_set(err, ret, "out of memory") : 0;
}

static int path_id(const struct cc__req *req, const char *name, int64_t *out, struct cc_err *err)
{
	if (cc_parse_i64(cc__req_param(req, name), 1, INT64_MAX, out, NULL) < 0) {
		cc_err_set(err, CC_ENOTFOUND, "no activity '%s'", cc__req_param(req, name));
		cc_err_at(err, NULL, 0, name);
		return CC_ENOTFOUND;
	}
	return 0;
}

static json_t *num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *date_or_null(int32_t d)
{
	char buf[11];

	return d == CC_DATE_NONE ? json_null() : json_string(cc_date_format(d, buf));
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *kinds_json(unsigned bits)
{
	char buf[96];
	json_t *list = json_array();
	const char *p = cc_kinds_format(bits, buf, sizeof(buf));

	while (list && *p) {
		size_t n = strcspn(p, ",");

		if (json_array_append_new(list, json_stringn(p, n)) < 0) {
			json_decref(list);
			return NULL;
		}
		p += n + (p[n] == ',');
	}
	return list;
}

static json_t *activity_json(const struct cc_activity_row *r)
{
	json_t *site = json_null();

	if (!isnan(r->lat) && !(site = json_pack("{s:f, s:f, s:b}", "lat", r->lat, "lon", r->lon,
	                                         "exact", r->site_exact)))
		return NULL;
	/* "o" steals every value, even when packing fails */
	return json_pack(
	        "{s:I, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:o, s:o, s:{s:s, s:s, s:s}, s:s, s:o, s:o,"
	        " s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:s, s:o, s:o, s:b, s:s, s:I, s:s}",
	        "id", (json_int_t)r->id, "kind", r->kind == CC_KIND_PRESENCE ? "presence" : "activity",
	        "title", r->title, "description", r->description, "status", str_or_null(r->status),
	        "organisation", "key", r->org_key, "name", r->org_name, "implementer",
	        str_or_null(r->impl_name), "funder", str_or_null(r->funder_name), "sector",
	        "vocabulary", r->sector_vocabulary, "code", r->sector_code, "name", r->sector_name,
	        "pillar", cc_pillar_name(r->pillar), "area",
	        r->area_pcode[0] ? json_pack("{s:s, s:s}", "pcode", r->area_pcode, "name", r->area_name)
	                         : json_null(),
	        "site", site, "start", date_or_null(r->start_date), "end", date_or_null(r->end_date),
	        "targeted", num_or_null(r->targeted), "reached", num_or_null(r->reached), "budget",
	        num_or_null(r->budget), "figures_hidden", r->figures_hidden, "currency",
	        str_or_null(r->currency), "releasability", cc_rel_name(r->rel), "owner",
	        str_or_null(r->owner_key), "deny", kinds_json(r->deny), "shared", r->shared,
	        "source", r->source, "line", (json_int_t)r->line, "version", r->version);
}

/* ---- activities ---- */

static int parse_query(const struct cc__req *req, int64_t mission_id, struct cc_activity_query *q,
                       struct cc_err *err)
{
	const char *v;
	int64_t n;
	struct cc_org org;
	int ret;

	*q = (struct cc_activity_query){ .mission_id = mission_id, .pillar = -1, .kind = -1,
		                         .from = CC_DATE_NONE, .to = CC_DATE_NONE };
	q->area = cc__req_query(req, "area");
	if ((v = cc__req_query(req, "pillar")) && (q->pillar = cc_pillar_parse(v)) < 0)
		return bad_arg(err, "pillar", "pillar: '%s': choose security, governance, "
		               "infrastructure, economy, humanitarian or other", v);
	if ((v = cc__req_query(req, "kind"))) {
		if (strcmp(v, "activity") == 0)
			q->kind = CC_KIND_ACTIVITY;
		else if (strcmp(v, "presence") == 0)
			q->kind = CC_KIND_PRESENCE;
		else
			return bad_arg(err, "kind", "kind: '%s': choose activity or presence", v);
	}
	if ((v = cc__req_query(req, "org"))) {
		if ((ret = find_org(req, mission_id, v, "org", &org, err)) < 0)
			return ret;
		q->org_id = org.id;
	}
	if ((v = cc__req_query(req, "from")) && cc_date_parse(v, &q->from, NULL) < 0)
		return bad_arg(err, "from", "from: '%s' is not a date (YYYY-MM-DD)", v);
	if ((v = cc__req_query(req, "to")) && cc_date_parse(v, &q->to, NULL) < 0)
		return bad_arg(err, "to", "to: '%s' is not a date (YYYY-MM-DD)", v);
	if ((v = cc__req_query(req, "after"))) {
		if (cc_parse_i64(v, 0, INT64_MAX, &n, NULL) < 0)
			return bad_arg(err, "after", "after: '%s' is not a cursor of this list", v);
		q->after = n;
	}
	if ((v = cc__req_query(req, "limit"))) {
		if (cc_parse_i64(v, 1, CC_ACTIVITY_PAGE_MAX, &n, NULL) < 0)
			return bad_arg(err, "limit", "limit: '%s' is not a whole number from 1 to 1000",
			               v);
		q->limit = (size_t)n;
	}
	return 0;
}

int cc__api_activities_list(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_activity_query q;
	struct cc_activity_page page = { 0 };
	json_t *list;
	int64_t mission_id;
	char next[24];
	int ret;

	if ((ret = caller_mission_id(req, &mission_id, err)) < 0 ||
	    (ret = parse_query(req, mission_id, &q, err)) < 0)
		return ret;
	ret = cc_store_list_activities(req->st, &q, &page, err);
	if (ret == CC_ENOTFOUND)
		cc_err_at(err, NULL, 0, "area");
	if (ret < 0) {
		cc_activity_page_release(&page);
		return ret;
	}
	list = json_array();
	for (size_t i = 0; list && i < page.n_rows; i++) {
		if (json_array_append_new(list, activity_json(&page.rows[i])) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	snprintf(next, sizeof(next), "%lld", (long long)page.next_after);
	ret = cc__reply_json(out,
	                     list ? json_pack("{s:I, s:s?, s:o}", "count", (json_int_t)page.n_rows,
	                                      "next", page.next_after ? next : NULL,
	                                      "activities", list)
	                          : NULL,
	                     err);
	cc_activity_page_release(&page);
	return ret;
}

/* The activity of the path's {id} as the caller may see it; CC_ENOTFOUND otherwise. */
static int get_activity(const struct cc__req *req, struct cc_activity_page *page,
                        struct cc_err *err)
{
	int64_t mission_id, id;
	int ret;

	if ((ret = path_id(req, "id", &id, err)) < 0 ||
	    (ret = caller_mission_id(req, &mission_id, err)) < 0)
		return ret;
	ret = cc_store_list_activities(req->st,
	                               &(struct cc_activity_query){ .mission_id = mission_id,
	                                                            .pillar = -1, .kind = -1,
	                                                            .from = CC_DATE_NONE,
	                                                            .to = CC_DATE_NONE,
	                                                            .id = id, .limit = 1 },
	                               page, err);
	if (ret == 0 && page->n_rows == 0) {
		cc_err_set(err, CC_ENOTFOUND, "no activity '%s'", cc__req_param(req, "id"));
		cc_err_at(err, NULL, 0, "id");
		ret = CC_ENOTFOUND;
	}
	return ret;
}

int cc__api_activity_get(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_activity_page page = { 0 };
	int ret = get_activity(req, &page, err);

	if (ret == 0)
		ret = cc__reply_json(out, activity_json(&page.rows[0]), err);
	cc_activity_page_release(&page);
	return ret;
}

/*
 * Who may change a record's marking or sharing: an editor of the owning organisation, or a
 * coordinator (and admin) of the mission for any record it may see.
 */
static int may_mark(const struct cc__req *req, const struct cc_record_marking *m,
                    struct cc_err *err)
{
	if (req->who->user.role >= CC_ROLE_COORDINATOR ||
	    (m->owner_id && m->owner_id == req->who->user.org_id))
		return 0;
	return cc_err_set(err, CC_EDENIED, "only the owner's editors or a coordinator may change "
	                  "who sees this record");
}

/* If-Match must name the version the caller read: no lost update between partners. */
static int check_version(const struct cc__req *req, const char *version, struct cc_err *err)
{
	const char *h = cc__req_header(req, "If-Match");
	size_t n;

	if (!h || !*h) {
		cc_err_set(err, CC_EUSAGE, "send If-Match with the version you read");
		cc_err_at(err, NULL, 0, "If-Match");
		return CC_EUSAGE;
	}
	if (strcmp(h, "*") == 0)
		return 0;
	if (*h == '"')
		h++;
	n = strcspn(h, "\"");
	if (n != strlen(version) || strncmp(h, version, n) != 0) {
		cc_err_set(err, CC_ECHANGED, "the activity changed since version %.*s was read",
		           (int)(n > 40 ? 40 : n), h);
		cc_err_at(err, NULL, 0, "If-Match");
		return CC_ECHANGED;
	}
	return 0;
}

/*
 * The version check and the write of a marking run under this lock, so that two requests
 * carrying the same version cannot both pass the check: one server process per store, as
 * SQLite deployments are. (Several servers on one database need the check inside the write's
 * transaction: the PostgreSQL issue.)
 */
static pthread_mutex_t marking_lock = PTHREAD_MUTEX_INITIALIZER;

static int activity_marking(struct cc__req *req, struct cc_buf *out, struct cc_err *err);

/* PUT /api/activities/{id}/marking {"releasability", "owner", "deny"} with If-Match. */
int cc__api_activity_marking(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	int ret;

	pthread_mutex_lock(&marking_lock);
	ret = activity_marking(req, out, err);
	pthread_mutex_unlock(&marking_lock);
	return ret;
}

static int activity_marking(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_activity_page page = { 0 };
	struct cc_record_marking m;
	const char *rel_s = NULL, *owner = NULL;
	json_t *deny_j = NULL, *v;
	json_error_t je;
	enum cc_rel rel;
	unsigned deny = 0;
	int64_t owner_id = 0, id;
	struct cc_org org;
	size_t i;
	int ret;

	if ((ret = get_activity(req, &page, err)) < 0)
		goto out;
	if (!req->body || json_unpack_ex(req->body, &je, 0, "{s:s, s?s, s?o}", "releasability",
	                                 &rel_s, "owner", &owner, "deny", &deny_j) < 0) {
		ret = bad_arg(err, "body", "expected {\"releasability\": REL, \"owner\": ORG, "
		              "\"deny\": [KIND, ...]}%s", "");
		goto out;
	}
	if (cc_rel_parse(rel_s, &rel, err) < 0) {
		cc_err_at(err, NULL, 0, "releasability");
		ret = CC_EUSAGE;
		err->code = CC_EUSAGE;
		goto out;
	}
	if ((ret = cc_store_get_marking(req->st, "activity", page.rows[0].id, &m, err)) < 0 ||
	    (ret = may_mark(req, &m, err)) < 0 ||
	    (ret = check_version(req, page.rows[0].version, err)) < 0)
		goto out;
	owner_id = m.owner_id;
	if (owner && (ret = find_org(req, m.mission_id, owner, "owner", &org, err)) < 0)
		goto out;
	if (owner)
		owner_id = org.id;
	deny = m.deny;
	if (deny_j && !json_is_array(deny_j)) {
		ret = bad_arg(err, "deny", "deny: a list of organisation kinds%s", "");
		goto out;
	}
	if (deny_j) {
		deny = 0;
		json_array_foreach(deny_j, i, v)
		{
			unsigned bit = json_is_string(v) ? cc_kind_bit(json_string_value(v)) : 0;

			if (!bit) {
				ret = bad_arg(err, "deny", "deny: '%s' is not an organisation kind",
				              json_is_string(v) ? json_string_value(v) : "?");
				goto out;
			}
			deny |= bit;
		}
	}
	id = page.rows[0].id;
	if ((ret = cc_store_set_marking(req->st, "activity", id, rel, owner_id, deny, err)) < 0)
		goto out;
	cc_activity_page_release(&page);
	/* the record as the caller sees it now; it may have given it out of its own sight */
	ret = get_activity(req, &page, err);
	if (ret == 0)
		ret = cc__reply_json(out, activity_json(&page.rows[0]), err);
	else if (ret == CC_ENOTFOUND)
		ret = cc__reply_json(out,
		                     json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id, "releasability",
		                               cc_rel_name(rel), "visible", 0),
		                     err);
out:
	cc_activity_page_release(&page);
	return ret;
}

static int share(struct cc__req *req, struct cc_buf *out, const char *org_key, bool on,
                 struct cc_err *err)
{
	struct cc_activity_page page = { 0 };
	struct cc_record_marking m;
	struct cc_org org;
	int ret;

	if ((ret = get_activity(req, &page, err)) < 0 ||
	    (ret = cc_store_get_marking(req->st, "activity", page.rows[0].id, &m, err)) < 0 ||
	    (ret = may_mark(req, &m, err)) < 0 ||
	    (ret = find_org(req, m.mission_id, org_key, "org", &org, err)) < 0 ||
	    (ret = cc_store_share(req->st, "activity", page.rows[0].id, org.id, on, err)) < 0)
		goto out;
	ret = cc_buf_addf(out, "{\"id\":%lld,\"org\":", (long long)page.rows[0].id) < 0 ||
	                      cc_buf_add_json_str(out, org.key) < 0 ||
	                      cc_buf_addf(out, ",\"shared\":%s}\n", on ? "true" : "false") < 0
	              ? cc_err_set(err, CC_ENOMEM, "out of memory")
	              : 0;
out:
	cc_activity_page_release(&page);
	return ret;
}

/* POST /api/activities/{id}/shares {"org": KEY} */
int cc__api_activity_share(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *org = NULL;

	if (!req->body || json_unpack(req->body, "{s:s}", "org", &org) < 0)
		return bad_arg(err, "body", "expected {\"org\": ORG}%s", "");
	return share(req, out, org, true, err);
}

/* DELETE /api/activities/{id}/shares/{org} */
int cc__api_activity_unshare(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return share(req, out, cc__req_param(req, "org"), false, err);
}

/* ---- members ---- */

int cc__api_members_list(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_org *orgs = NULL;
	size_t n = 0;
	int64_t mission_id;
	json_t *list;
	int ret;

	if ((ret = caller_mission_id(req, &mission_id, err)) < 0 ||
	    (ret = cc_store_list_members(req->st, mission_id, &orgs, &n, err)) < 0)
		return ret;
	list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:o}", "key", orgs[i].key, "name", orgs[i].name,
		                      "kind", str_or_null(orgs[i].kind));

		if (json_array_append_new(list, o) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	cc_free(orgs);
	return cc__reply_json(out,
	                      list ? json_pack("{s:I, s:o}", "count", (json_int_t)n, "members", list)
	                           : NULL,
	                      err);
}

static int member(struct cc__req *req, struct cc_buf *out, const char *key, bool on,
                  struct cc_err *err)
{
	struct cc_org org;
	int64_t mission_id;
	int ret;

	if ((ret = caller_mission_id(req, &mission_id, err)) < 0 ||
	    (ret = find_org(req, mission_id, key, "org", &org, err)) < 0 ||
	    (ret = cc_store_set_member(req->st, mission_id, org.id, on, err)) < 0)
		return ret;
	return cc_buf_addf(out, "{\"org\":") < 0 || cc_buf_add_json_str(out, org.key) < 0 ||
	                       cc_buf_addf(out, ",\"member\":%s}\n", on ? "true" : "false") < 0
	               ? cc_err_set(err, CC_ENOMEM, "out of memory")
	               : 0;
}

/* POST /api/members {"org": KEY} */
int cc__api_member_add(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *org = NULL;

	if (!req->body || json_unpack(req->body, "{s:s}", "org", &org) < 0)
		return bad_arg(err, "body", "expected {\"org\": ORG}%s", "");
	return member(req, out, org, true, err);
}

/* DELETE /api/members/{org} */
int cc__api_member_remove(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return member(req, out, cc__req_param(req, "org"), false, err);
}
