/*
 * The registry endpoints of the API: the records of the caller's mission of every kind
 * (missions, organisations, needs, incidents, indicators, benchmarks, observations, lessons,
 * feedback, survey responses) listed a keyset page at a time, read one by one, removed, and
 * their markings changed; organisations created and updated.
 *
 * One handler serves every kind: the kind is the path's second segment ("/api/needs/{id}").
 * Every read goes through the store handle, which reads for the caller (http.c sets its viewer
 * and actor), so a record the caller may not see answers exactly like a missing one, and
 * every write is an entry of the change log by "api:USER".
 */
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/lessons.h>
#include <concord/registry.h>
#include <concord/sharing.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "server/records_body.h"
#include "server/server.h"

#include "core/banned.h"


/* The kind named by the path's second segment; CC_ENOTFOUND when none (not routed so). */
static int path_kind(const struct cc__req *req, enum cc_reg_kind *out, struct cc_err *err)
{
	const char *p = req->path + strlen("/api/");
	size_t n = strcspn(p, "/");

	for (int k = 0; k < CC_N_REG_KINDS; k++) {
		const char *name = cc_reg_kind_name((enum cc_reg_kind)k);

		if (strlen(name) == n && strncmp(p, name, n) == 0) {
			*out = (enum cc_reg_kind)k;
			return 0;
		}
	}
	return cc_err_set(err, CC_ENOTFOUND, "no record kind in %s", req->path);
}

static int caller_mission_id(const struct cc__req *req, int64_t *out, struct cc_err *err)
{
	struct cc_mission m;
	int ret = cc_store_get_mission(req->st, req->who->mission_code, &m, err);

	*out = m.id;
	return ret;
}

/* The same answer for a record that does not exist and one the caller may not see. */
static int not_found(const struct cc__req *req, enum cc_reg_kind kind, struct cc_err *err)
{
	cc_err_set(err, CC_ENOTFOUND, "no %s record '%s'", cc_reg_kind_table(kind),
	           cc__req_param(req, "id"));
	cc_err_at(err, NULL, 0, "id");
	return CC_ENOTFOUND;
}

/* The record of the path's {id} as the caller may see it, in page (one row). */
static int get_one(const struct cc__req *req, enum cc_reg_kind kind, struct cc_reg_page *page,
                   struct cc_err *err)
{
	int64_t mission_id, id;
	int ret;

	if (cc_parse_i64(cc__req_param(req, "id"), 1, INT64_MAX, &id, NULL) < 0)
		return not_found(req, kind, err);
	if ((ret = caller_mission_id(req, &mission_id, err)) < 0)
		return ret;
	ret = cc_store_reg_list(
	        req->st,
	        &(struct cc_reg_query){
	                .kind = kind, .mission_id = mission_id, .id = id, .limit = 1 },
	        page, err);
	if (ret == 0 && page->n_rows == 0) {
		cc_reg_page_release(page);
		return not_found(req, kind, err);
	}
	return ret;
}

/* GET /api/{kind}?after=N&limit=N */
int cc__api_reg_list(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_reg_query q = { 0 };
	struct cc_reg_page page;
	const char *v;
	int64_t n;
	int ret;

	if ((ret = path_kind(req, &q.kind, err)) < 0 ||
	    (ret = caller_mission_id(req, &q.mission_id, err)) < 0)
		return ret;
	if ((v = cc__req_query(req, "after"))) {
		if (cc_parse_i64(v, 0, INT64_MAX, &n, NULL) < 0)
			return cc__bad_arg(err, "after", "after: '%s' is not a cursor of this list", v);
		q.after = n;
	}
	if ((v = cc__req_query(req, "limit"))) {
		if (cc_parse_i64(v, 1, CC_REG_PAGE_MAX, &n, NULL) < 0)
			return cc__bad_arg(err, "limit",
			               "limit: '%s' is not a whole number from 1 to %d", v,
			               CC_REG_PAGE_MAX);
		q.limit = (size_t)n;
	}
	if ((ret = cc_store_reg_list(req->st, &q, &page, err)) < 0)
		return ret;
	ret = cc_buf_addf(out, "{\"count\":%zu,\"next\":", page.n_rows);
	if (ret == 0)
		ret = page.next_after ? cc_buf_addf(out, "\"%lld\"", (long long)page.next_after)
		                      : cc_buf_adds(out, "null");
	if (ret == 0)
		ret = cc_buf_addf(out, ",\"kind\":\"%s\",\"items\":", cc_reg_kind_name(q.kind));
	if (ret == 0)
		ret = cc_buf_add(out, page.rows.buf, page.rows.len);
	if (ret == 0)
		ret = cc_buf_adds(out, "}\n");
	cc_reg_page_release(&page);
	return ret < 0 ? cc_err_set(err, ret, "the answer does not fit") : 0;
}

/* The one record of page as a JSON object with its version. */
static int reply_record(struct cc_buf *out, const struct cc_reg_page *page, struct cc_err *err)
{
	json_error_t je;
	json_t *j = json_loadb(page->rows.buf + 1, page->rows.len - 2, 0, &je);

	if (j && json_object_set_new(j, "version", json_string(page->version)) < 0) {
		json_decref(j);
		j = NULL;
	}
	return cc__reply_json(out, j, err);
}

/* GET /api/{kind}/{id} */
int cc__api_reg_get(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_reg_page page;
	enum cc_reg_kind kind = CC_REG_MISSION;
	int ret;

	if ((ret = path_kind(req, &kind, err)) < 0 || (ret = get_one(req, kind, &page, err)) < 0)
		return ret;
	ret = reply_record(out, &page, err);
	cc_reg_page_release(&page);
	return ret;
}

/* DELETE /api/{kind}/{id} */
int cc__api_reg_delete(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_reg_page page = { 0 };
	enum cc_reg_kind kind = CC_REG_MISSION;
	int64_t id = 0, mission_id = 0;
	int ret;

	if ((ret = path_kind(req, &kind, err)) < 0)
		return ret;
	ret = cc__writes_lock(req, err);
	if (ret == 0)
		ret = get_one(req, kind, &page, err);
	if (ret == 0) {
		id = page.last_id;
		mission_id = page.last_mission;
		ret = cc__may_change(req, page.last_owner, "this record", err);
	}
	if (ret == 0 && cc__req_header(req, "If-Match"))
		ret = cc__check_version(req, page.version, "record", err);
	if (ret == 0)
		ret = cc_store_reg_delete(req->st, kind, mission_id, id, err);
	ret = cc__writes_unlock(req, ret, err);
	cc_reg_page_release(&page);
	if (ret < 0)
		return ret;
	return cc_buf_addf(out, "{\"id\":%lld,\"kind\":\"%s\",\"deleted\":true}\n", (long long)id,
	                   cc_reg_kind_name(kind)) < 0
	               ? cc_err_set(err, CC_ENOMEM, "out of memory")
	               : 0;
}

static int marking(struct cc__req *req, enum cc_reg_kind kind, struct cc_buf *out,
                   struct cc_err *err)
{
	struct cc_reg_page page = { 0 };
	struct cc_record_marking m;
	const char *rel_s = NULL, *owner = NULL, *table = cc_reg_kind_table(kind);
	json_t *deny_j = NULL;
	json_error_t je;
	enum cc_rel rel;
	unsigned deny;
	int64_t owner_id, id;
	struct cc_org org;
	int ret;

	if ((ret = get_one(req, kind, &page, err)) < 0)
		return ret;
	id = page.last_id;
	if (!req->body ||
	    json_unpack_ex(req->body, &je, JSON_STRICT, "{s:s, s?s, s?o}", "releasability", &rel_s,
	                   "owner", &owner, "deny", &deny_j) < 0) {
		ret = cc__bad_arg(err, "body",
		              "expected {\"releasability\": REL, \"owner\": ORG, "
		              "\"deny\": [KIND, ...]}: %s",
		              req->body ? je.text : "no body");
		goto out;
	}
	if (cc_rel_parse(rel_s, &rel, err) < 0) {
		ret = cc__bad_arg(err, "releasability",
		              "releasability: '%s': choose public, partners or "
		              "org (or a TLP label)",
		              rel_s);
		goto out;
	}
	if ((ret = cc_store_get_marking(req->st, table, id, &m, err)) < 0 ||
	    (ret = cc__may_change(req, m.owner_id, "this record", err)) < 0 ||
	    (ret = cc__check_version(req, page.version, "record", err)) < 0)
		goto out;
	owner_id = m.owner_id;
	if (owner && (ret = cc__find_org(req, page.last_mission, owner, "owner", &org, err)) < 0)
		goto out;
	if (owner)
		owner_id = org.id;
	deny = m.deny;
	if (deny_j && (ret = cc__parse_deny(deny_j, &deny, err)) < 0)
		goto out;
	if ((ret = cc_store_set_marking(req->st, table, id, rel, owner_id, deny, err)) < 0)
		goto out;
	cc_reg_page_release(&page);
	/* the record as the caller sees it now; it may have given it out of its own sight */
	ret = get_one(req, kind, &page, err);
	if (ret == 0)
		ret = reply_record(out, &page, err);
	else if (ret == CC_ENOTFOUND)
		ret = cc__reply_json(out,
		                     json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id,
		                               "releasability", cc_rel_name(rel), "visible", 0),
		                     err);
out:
	cc_reg_page_release(&page);
	return ret;
}

/* PUT /api/{kind}/{id}/marking {"releasability", "owner", "deny"} with If-Match. */
int cc__api_reg_marking(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	enum cc_reg_kind kind = CC_REG_MISSION;
	int ret;

	if ((ret = path_kind(req, &kind, err)) < 0)
		return ret;
	if (!cc_reg_kind_marked(kind))
		return cc_err_set(err, CC_ENOTFOUND, "%s carry no marking of their own",
		                  cc_reg_kind_name(kind));
	if ((ret = cc__writes_lock(req, err)) == 0)
		ret = marking(req, kind, out, err);
	if ((ret = cc__writes_unlock(req, ret, err)) < 0)
		cc_buf_clear(out);
	return ret;
}

/* ---- organisations ---- */

/* A string member of the body into dst (size n): CC_EUSAGE naming it when too long or not
 * a string; absent: dst unchanged, or CC_EUSAGE when required. */
static int body_str(const struct cc__req *req, const char *name, bool required, char *dst, size_t n,
                    struct cc_err *err)
{
	json_t *v = json_object_get(req->body, name);
	size_t len;

	if (!v || json_is_null(v)) {
		if (required)
			return cc__bad_arg(err, name, "%s: required", name);
		return 0;
	}
	if (!json_is_string(v))
		return cc__bad_arg(err, name, "%s: a string", name);
	len = json_string_length(v);
	if (len >= n || strlen(json_string_value(v)) != len)
		return cc__bad_arg(err, name, "%s: at most %zu bytes of text", name, n - 1);
	memcpy(dst, json_string_value(v), len + 1);
	return 0;
}

/* The organisation fields of the body, with the importers' checks, into o. */
static int org_from_body(const struct cc__req *req, struct cc_org *o, bool create,
                         struct cc_err *err)
{
	static const char *const names[] = { "key",  "name",   "acronym", "type",
		                             "kind", "local",  "nation",  "version",
		                             "id",   "member", NULL };
	const char *key;
	json_t *v, *local;
	char code[sizeof(o->type)];
	int ret;

	if (!req->body || !json_is_object(req->body))
		return cc__bad_arg(err, "body",
		               "expected a JSON object {\"key\", \"name\", \"kind\", "
		               "\"type\", \"acronym\", \"local\", \"nation\"}%s",
		               "");
	json_object_foreach(req->body, key, v)
	{
		size_t i = 0;

		while (names[i] && strcmp(names[i], key) != 0)
			i++;
		if (!names[i])
			return cc__bad_arg(err, key, "%s: not a field of an organisation", key);
	}
	if ((ret = body_str(req, "key", create, o->key, sizeof(o->key), err)) < 0 ||
	    (ret = body_str(req, "name", create, o->name, sizeof(o->name), err)) < 0 ||
	    (ret = body_str(req, "acronym", false, o->acronym, sizeof(o->acronym), err)) < 0 ||
	    (ret = body_str(req, "type", false, o->type, sizeof(o->type), err)) < 0 ||
	    (ret = body_str(req, "kind", false, o->kind, sizeof(o->kind), err)) < 0 ||
	    (ret = body_str(req, "nation", false, o->nation, sizeof(o->nation), err)) < 0)
		return ret;
	if (!o->key[0])
		return cc__bad_arg(err, "key", "key: required%s", "");
	if (!o->name[0])
		return cc__bad_arg(err, "name", "name: required%s", "");
	if (o->kind[0] && !cc_kind_bit(o->kind))
		return cc__bad_arg(err, "kind",
		               "kind: '%s': choose military, un, eu, government, ngo, "
		               "rcrc, private or other",
		               o->kind);
	if (o->type[0] && cc_store_resolve_code(req->st, "OrganisationType", o->type, "", code,
	                                        sizeof(code), NULL) < 0)
		return cc__bad_arg(err, "type", "type: '%s' is not an IATI OrganisationType code",
		               o->type);
	if (o->type[0])
		snprintf(o->type, sizeof(o->type), "%s", code);
	if (o->nation[0] &&
	    (strlen(o->nation) != 3 || o->nation[strspn(o->nation, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")]))
		return cc__bad_arg(err, "nation", "nation: '%s' is not an ISO 3166 alpha-3 code",
		               o->nation);
	if ((local = json_object_get(req->body, "local")) && !json_is_null(local)) {
		if (!json_is_boolean(local))
			return cc__bad_arg(err, "local", "local: true or false%s", "");
		o->is_local = json_is_true(local);
	}
	return 0;
}

/* POST /api/organisations */
int cc__api_org_create(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_org o = { .is_local = -1 };
	struct cc_reg_page page;
	int ret;

	if ((ret = caller_mission_id(req, &o.mission_id, err)) < 0 ||
	    (ret = org_from_body(req, &o, true, err)) < 0)
		return ret;
	if ((ret = cc_store_reg_put_org(req->st, &o, err)) < 0) {
		if (ret == CC_EEXIST)
			cc_err_at(err, NULL, 0, "key");
		return ret;
	}
	if ((ret = cc_store_reg_list(req->st,
	                             &(struct cc_reg_query){ .kind = CC_REG_ORG,
	                                                     .mission_id = o.mission_id,
	                                                     .id = o.id,
	                                                     .limit = 1 },
	                             &page, err)) < 0)
		return ret;
	snprintf(req->location, sizeof(req->location), "/api/organisations/%lld", (long long)o.id);
	ret = reply_record(out, &page, err);
	cc_reg_page_release(&page);
	return ret;
}

/* PUT /api/organisations/{id} with If-Match: its name, kind, type… (never its key). */
int cc__api_org_update(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_reg_page page = { 0 };
	struct cc_org o = { .is_local = -1 };
	int ret;

	ret = cc__writes_lock(req, err);
	if (ret == 0)
		ret = get_one(req, CC_REG_ORG, &page, err);
	if (ret == 0) {
		o.id = page.last_id;
		o.mission_id = page.last_mission;
		ret = cc__may_change(req, o.id, "this record", err);
	}
	if (ret == 0)
		ret = cc__check_version(req, page.version, "record", err);
	if (ret == 0)
		ret = org_from_body(req, &o, false, err);
	if (ret == 0)
		ret = cc_store_reg_put_org(req->st, &o, err);
	if (ret == CC_EINVALID)
		cc_err_at(err, NULL, 0, "key");
	cc_reg_page_release(&page);
	if (ret == 0)
		ret = get_one(req, CC_REG_ORG, &page, err);
	ret = cc__writes_unlock(req, ret, err);
	if (ret == 0)
		ret = reply_record(out, &page, err);
	cc_reg_page_release(&page);
	return ret;
}

const struct cc__query_param cc__reg_list_query[] = {
	{ .name = "after",
	  .type = "integer",
	  .description = "the cursor: the previous page's \"next\"" },
	{ .name = "limit", .type = "integer", .description = "records a page, 1 to 1000 (100)" },
	{ .name = NULL },
};

/* ---- lessons ---- */

/* A member of the body that is a list of strings (or one string) as "a,b" into dst. */
static int body_list(const struct cc__req *req, const char *name, bool lower, char *dst, size_t n,
                     struct cc_err *err)
{
	json_t *v = json_object_get(req->body, name), *item;
	char buf[1024];
	size_t off = 0, i;

	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		snprintf(buf, sizeof(buf), "%s", json_string_value(v));
	} else if (json_is_array(v)) {
		buf[0] = '\0';
		json_array_foreach(v, i, item)
		{
			int k;

			if (!json_is_string(item))
				return cc__bad_arg(err, name, "%s: a list of strings", name);
			k = snprintf(buf + off, sizeof(buf) - off, "%s%s", off ? "," : "",
			             json_string_value(item));
			if (k < 0 || (size_t)k >= sizeof(buf) - off)
				return cc__bad_arg(err, name, "%s: too long", name);
			off += (size_t)k;
		}
	} else {
		return cc__bad_arg(err, name, "%s: a list of strings", name);
	}
	if (cc_lesson_list_set(dst, n, buf, lower, NULL) < 0)
		return cc__bad_arg(err, name, "%s: too long", name);
	return 0;
}

/*
 * The lesson of the body into l, checked as the lesson importer checks a file (the fields of
 * the register's front matter and ODCR sections); evidence into links (at most max).
 */
static int lesson_from_body(const struct cc__req *req, struct cc_lesson *l,
                            struct cc_lesson_link *links, size_t max, size_t *n_links,
                            struct cc_err *err)
{
	/* what GET answers may come back as they were read; the marking is changed elsewhere */
	static const char *const names[] = { "title",      "observation",    "discussion",
		                             "conclusion", "recommendation", "pillars",
		                             "areas",      "tags",           "date",
		                             "source",     "status",         "action_owner",
		                             "evidence",   "releasability",  "id",
		                             "key",        "version",        "owner",
		                             "deny",       "shared",         NULL };
	char date[16] = "", status[32] = "", rel[16] = "";
	json_t *ev, *v;
	const char *key;
	size_t i;
	int ret;

	if (!req->body || !json_is_object(req->body))
		return cc__bad_arg(err, "body",
		               "expected a JSON object {\"title\", \"observation\", …}%s", "");
	json_object_foreach(req->body, key, v)
	{
		size_t k = 0;

		while (names[k] && strcmp(names[k], key) != 0)
			k++;
		if (!names[k])
			return cc__bad_arg(err, key, "%s: not a field of a lesson", key);
	}
	if ((ret = body_str(req, "title", true, l->title, sizeof(l->title), err)) < 0 ||
	    (ret = body_str(req, "observation", true, l->observation, sizeof(l->observation),
	                    err)) < 0 ||
	    (ret = body_str(req, "discussion", false, l->discussion, sizeof(l->discussion), err)) <
	            0 ||
	    (ret = body_str(req, "conclusion", false, l->conclusion, sizeof(l->conclusion), err)) <
	            0 ||
	    (ret = body_str(req, "recommendation", false, l->recommendation,
	                    sizeof(l->recommendation), err)) < 0 ||
	    (ret = body_str(req, "source", false, l->source, sizeof(l->source), err)) < 0 ||
	    (ret = body_str(req, "action_owner", false, l->owner, sizeof(l->owner), err)) < 0 ||
	    (ret = body_str(req, "date", false, date, sizeof(date), err)) < 0 ||
	    (ret = body_str(req, "status", false, status, sizeof(status), err)) < 0 ||
	    (ret = body_str(req, "releasability", false, rel, sizeof(rel), err)) < 0 ||
	    (ret = body_list(req, "pillars", true, l->pillars, sizeof(l->pillars), err)) < 0 ||
	    (ret = body_list(req, "areas", false, l->areas, sizeof(l->areas), err)) < 0 ||
	    (ret = body_list(req, "tags", true, l->tags, sizeof(l->tags), err)) < 0)
		return ret;
	l->date = CC_DATE_NONE;
	if (date[0] && cc_date_parse(date, &l->date, NULL) < 0)
		return cc__bad_arg(err, "date", "date: '%s' is not a date (YYYY-MM-DD)", date);
	if (status[0]) {
		int s = cc_lesson_status_parse(status);

		if (s < 0)
			return cc__bad_arg(err, "status",
			               "status: '%s': observed, analysed, "
			               "action-assigned, implemented or validated",
			               status);
		l->status = (enum cc_lesson_status)s;
	}
	if (rel[0]) {
		enum cc_rel r;

		if (cc_rel_parse(rel, &r, NULL) < 0)
			return cc__bad_arg(err, "releasability",
			               "releasability: '%s': choose public, "
			               "partners or org",
			               rel);
		snprintf(l->releasability, sizeof(l->releasability), "%s", cc_rel_name(r));
	}
	*n_links = 0;
	if ((ev = json_object_get(req->body, "evidence")) && !json_is_null(ev)) {
		if (!json_is_array(ev))
			return cc__bad_arg(err, "evidence", "evidence: a list of \"KIND:REF\"%s", "");
		json_array_foreach(ev, i, v)
		{
			if (*n_links == max)
				return cc__bad_arg(err, "evidence", "evidence: at most %zu items", max);
			if (!json_is_string(v) ||
			    cc_lesson_link_parse(json_string_value(v), &links[*n_links], NULL) < 0)
				return cc__bad_arg(err, "evidence",
				               "evidence: '%s' is not KIND:REF (activity, "
				               "indicator, incident, area or report)",
				               json_is_string(v) ? json_string_value(v) : "?");
			(*n_links)++;
		}
	}
	if (cc_lesson_check(l, err) < 0) {
		/* the check names the field */
		err->code = CC_EUSAGE;
		return CC_EUSAGE;
	}
	return 0;
}

#define MAX_EVIDENCE 64

/* POST /api/lessons: a new lesson of the mission, held by the caller's organisation. */
int cc__api_lesson_create(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_lesson *l = cc_calloc(1, sizeof(*l));
	struct cc_lesson_link links[MAX_EVIDENCE];
	struct cc_reg_page page;
	size_t n_links = 0;
	int ret;

	if (!l)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	l->status = CC_LESSON_OBSERVED;
	if ((ret = caller_mission_id(req, &l->mission_id, err)) == 0 &&
	    (ret = lesson_from_body(req, l, links, MAX_EVIDENCE, &n_links, err)) == 0)
		ret = cc_store_reg_put_lesson(req->st, l, links, n_links, false,
		                              req->who->user.org_id, err);
	if (ret == 0)
		ret = cc_store_reg_list(req->st,
		                        &(struct cc_reg_query){ .kind = CC_REG_LESSON,
		                                                .mission_id = l->mission_id,
		                                                .id = l->id,
		                                                .limit = 1 },
		                        &page, err);
	if (ret == 0) {
		snprintf(req->location, sizeof(req->location), "/api/lessons/%lld",
		         (long long)l->id);
		ret = reply_record(out, &page, err);
		cc_reg_page_release(&page);
	}
	cc_free(l);
	return ret;
}

/* PUT /api/lessons/{id} with If-Match: its text, lists, status (a move the register allows). */
int cc__api_lesson_update(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_lesson *l = cc_calloc(1, sizeof(*l));
	struct cc_lesson_link links[MAX_EVIDENCE];
	struct cc_reg_page page = { 0 };
	json_t *cur = NULL;
	size_t n_links = 0;
	int ret;

	if (!l)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	ret = cc__writes_lock(req, err);
	if (ret == 0)
		ret = get_one(req, CC_REG_LESSON, &page, err);
	if (ret == 0 && (ret = cc__may_change(req, page.last_owner, "this record", err)) == 0)
		ret = cc__check_version(req, page.version, "record", err);
	if (ret == 0 && !(cur = json_loadb(page.rows.buf + 1, page.rows.len - 2, 0, NULL)))
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	if (ret == 0) {
		const char *rel = json_string_value(json_object_get(cur, "releasability"));
		const char *status = json_string_value(json_object_get(cur, "status"));

		l->id = page.last_id;
		l->mission_id = page.last_mission;
		snprintf(l->key, sizeof(l->key), "%s",
		         json_string_value(json_object_get(cur, "key")));
		l->status = status && cc_lesson_status_parse(status) >= 0
		                    ? (enum cc_lesson_status)cc_lesson_status_parse(status)
		                    : CC_LESSON_OBSERVED;
		ret = lesson_from_body(req, l, links, MAX_EVIDENCE, &n_links, err);
		/* the marking is changed with PUT …/marking only */
		if (ret == 0 && l->releasability[0] &&
		    strcmp(l->releasability, rel ? rel : "") != 0)
			ret = cc__bad_arg(err, "releasability",
			              "releasability: change it with PUT "
			              "/api/lessons/{id}/marking%s",
			              "");
		snprintf(l->releasability, sizeof(l->releasability), "%s", rel ? rel : "public");
	}
	if (ret == 0)
		ret = cc_store_reg_put_lesson(req->st, l, links, n_links,
		                              !json_object_get(req->body, "evidence"), 0, err);
	cc_reg_page_release(&page);
	if (ret == 0)
		ret = get_one(req, CC_REG_LESSON, &page, err);
	ret = cc__writes_unlock(req, ret, err);
	if (ret == 0)
		ret = reply_record(out, &page, err);
	cc_reg_page_release(&page);
	json_decref(cur);
	cc_free(l);
	return ret;
}

/* ---- the body checks alone, for the fuzz target of the API bodies (fuzz/api.c) ---- */

int cc__org_from_body(const struct cc__req *req, struct cc_org *o, bool create,
                      struct cc_err *err)
{
	return org_from_body(req, o, create, err);
}

int cc__lesson_from_body(const struct cc__req *req, struct cc_lesson *l,
                         struct cc_lesson_link *links, size_t max, size_t *n_links,
                         struct cc_err *err)
{
	return lesson_from_body(req, l, links, max, n_links, err);
}
