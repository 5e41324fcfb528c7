/*
 * The record endpoints of the API: activities (listed a keyset page at a time, read one by
 * one, their marking changed and shared by name) and the mission's member organisations.
 * Every read goes through the store handle, which reads for the caller (http.c sets its
 * viewer), so a record the caller may not see answers exactly like a missing one.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include <concord/activities.h>
#include <concord/alloc.h>
#include <concord/sharing.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "server/records_body.h"
#include "server/server.h"

#include "core/banned.h"

/* ---- helpers ---- */

/* A bad argument or body: CC_EUSAGE naming the field. */

/* The caller's mission: the one its user belongs to (checked with its token; no read). */
static int caller_mission_id(const struct cc__req *req, int64_t *out, struct cc_err *err)
{
	*out = req->who->user.mission_id;
	return *out > 0 ? 0 : cc_err_set(err, CC_ENOTFOUND, "no mission for this caller");
}

/* The organisation of the caller's mission named by key or alias; CC_ENOTFOUND on field. */
static int find_org(const struct cc__req *req, int64_t mission_id, const char *key,
                    const char *field, struct cc_org *out, struct cc_err *err)
{
	int ret = cc__find_org(req, mission_id, key, field, out, err);

	if (ret == CC_EUSAGE) { /* here a path's or a query's organisation: 404 */
		cc_err_set(err, CC_ENOTFOUND, "no organisation '%s' in this mission", key);
		cc_err_at(err, NULL, 0, field);
		return CC_ENOTFOUND;
	}
	return ret;
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

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/*
 * An activity is written straight into the answer, without building a jansson tree: the same
 * document, byte for byte, as jansson's compact ASCII dump of it (cc__reply_json), which the
 * list endpoint used to build; an answer of 1,000 activities is the commonest in the API.
 */

struct jw {
	struct cc_buf *b;
	int ret; /* the first error; later writes do nothing */
};

static void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (w->ret == 0)
		w->ret = cc_buf_add(w->b, s, n);
}

static void jw_lit(struct jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

/* A JSON string as jansson writes it with JSON_ENSURE_ASCII; NULL is null. */
static void jw_str(struct jw *w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t run = 0;

	if (!s) {
		jw_lit(w, "null");
		return;
	}
	jw_raw(w, "\"", 1);
	while (p[run] || run) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;
		char esc[12];
		size_t n = 0;

		if (p[run] >= 0x20 && p[run] <= 0x7f && p[run] != '"' && p[run] != '\\') {
			run++; /* plain ASCII goes out in runs */
			continue;
		}
		jw_raw(w, (const char *)p, run);
		p += run;
		run = 0;
		if (!*p)
			break;
		k = utf8proc_iterate(p, -1, &cp);
		if (k < 1) { /* not UTF-8: the store holds none, but never loop */
			cp = 0xfffd;
			k = 1;
		}
		p += k;
		switch (cp) {
		case '"':
			jw_lit(w, "\\\"");
			continue;
		case '\\':
			jw_lit(w, "\\\\");
			continue;
		case '\b':
			jw_lit(w, "\\b");
			continue;
		case '\f':
			jw_lit(w, "\\f");
			continue;
		case '\n':
			jw_lit(w, "\\n");
			continue;
		case '\r':
			jw_lit(w, "\\r");
			continue;
		case '\t':
			jw_lit(w, "\\t");
			continue;
		default:
			break;
		}
		if (cp >= 0x10000) { /* a surrogate pair */
			utf8proc_int32_t v = cp - 0x10000;
			unsigned hi = 0xd800 | ((unsigned)v >> 10), lo = 0xdc00 | ((unsigned)v & 0x3ff);

			for (int i = 0; i < 2; i++) {
				unsigned u = i ? lo : hi;

				esc[n++] = '\\';
				esc[n++] = 'u';
				for (int sh = 12; sh >= 0; sh -= 4)
					esc[n++] = hex[(u >> sh) & 0xf];
			}
		} else {
			esc[n++] = '\\';
			esc[n++] = 'u';
			for (int sh = 12; sh >= 0; sh -= 4)
				esc[n++] = hex[((unsigned)cp >> sh) & 0xf];
		}
		jw_raw(w, esc, n);
	}
	jw_raw(w, "\"", 1);
}

static void jw_int(struct jw *w, int64_t v)
{
	char buf[24];

	jw_raw(w, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRId64, v));
}

/* A real as jansson writes it: %.17g, ".0" when it looks like an integer, exponent trimmed. */
static void jw_real(struct jw *w, double v)
{
	char buf[40], *e;
	int n;

	if (isnan(v) || isinf(v)) {
		jw_lit(w, "null"); /* jansson holds no such real */
		return;
	}
	n = snprintf(buf, sizeof(buf), "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof(buf) - 2) {
		w->ret = w->ret ? w->ret : CC_EINVALID;
		return;
	}
	if (strspn(buf, "0123456789-") == (size_t)n) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e'))) {
		char *q = e + 1, *digits;

		if (*q == '+')
			memmove(q, q + 1, strlen(q + 1) + 1);
		else if (*q == '-')
			q++;
		digits = q;
		while (*digits == '0' && digits[1])
			digits++;
		if (digits != q)
			memmove(q, digits, strlen(digits) + 1);
		n = (int)strlen(buf);
	}
	jw_raw(w, buf, (size_t)n);
}

static void jw_bool(struct jw *w, bool v)
{
	jw_lit(w, v ? "true" : "false");
}

/* ,"name": */
static void jw_key(struct jw *w, const char *name, bool first)
{
	if (!first)
		jw_raw(w, ",", 1);
	jw_str(w, name);
	jw_raw(w, ":", 1);
}

static void jw_str_or_null(struct jw *w, const char *s)
{
	jw_str(w, s && *s ? s : NULL);
}

static void jw_date(struct jw *w, int32_t d)
{
	char buf[11];

	jw_str(w, d == CC_DATE_NONE ? NULL : cc_date_format(d, buf));
}

static void jw_kinds(struct jw *w, unsigned bits)
{
	char buf[96], one[96];
	const char *p = cc_kinds_format(bits, buf, sizeof(buf));
	bool first = true;

	jw_raw(w, "[", 1);
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n >= sizeof(one))
			n = sizeof(one) - 1;
		memcpy(one, p, n);
		one[n] = '\0';
		if (!first)
			jw_raw(w, ",", 1);
		jw_str(w, one);
		first = false;
		p += n + (p[n] == ',');
	}
	jw_raw(w, "]", 1);
}

static void activity_write(struct jw *w, const struct cc_activity_row *r)
{
	jw_raw(w, "{", 1);
	jw_key(w, "id", true);
	jw_int(w, r->id);
	jw_key(w, "kind", false);
	jw_str(w, r->kind == CC_KIND_PRESENCE ? "presence" : "activity");
	jw_key(w, "title", false);
	jw_str(w, r->title);
	jw_key(w, "description", false);
	jw_str(w, r->description);
	jw_key(w, "status", false);
	jw_str_or_null(w, r->status);
	jw_key(w, "organisation", false);
	jw_raw(w, "{", 1);
	jw_key(w, "key", true);
	jw_str(w, r->org_key);
	jw_key(w, "name", false);
	jw_str(w, r->org_name);
	jw_raw(w, "}", 1);
	jw_key(w, "implementer", false);
	jw_str_or_null(w, r->impl_name);
	jw_key(w, "funder", false);
	jw_str_or_null(w, r->funder_name);
	jw_key(w, "sector", false);
	jw_raw(w, "{", 1);
	jw_key(w, "vocabulary", true);
	jw_str(w, r->sector_vocabulary);
	jw_key(w, "code", false);
	jw_str(w, r->sector_code);
	jw_key(w, "name", false);
	jw_str(w, r->sector_name);
	jw_raw(w, "}", 1);
	jw_key(w, "pillar", false);
	jw_str(w, cc_pillar_name(r->pillar));
	jw_key(w, "area", false);
	if (r->area_pcode && r->area_pcode[0]) {
		jw_raw(w, "{", 1);
		jw_key(w, "pcode", true);
		jw_str(w, r->area_pcode);
		jw_key(w, "name", false);
		jw_str(w, r->area_name);
		jw_raw(w, "}", 1);
	} else {
		jw_lit(w, "null");
	}
	jw_key(w, "site", false);
	if (!isnan(r->lat)) {
		jw_raw(w, "{", 1);
		jw_key(w, "lat", true);
		jw_real(w, r->lat);
		jw_key(w, "lon", false);
		jw_real(w, r->lon);
		jw_key(w, "exact", false);
		jw_bool(w, r->site_exact);
		jw_raw(w, "}", 1);
	} else {
		jw_lit(w, "null");
	}
	jw_key(w, "start", false);
	jw_date(w, r->start_date);
	jw_key(w, "end", false);
	jw_date(w, r->end_date);
	jw_key(w, "targeted", false);
	jw_real(w, r->targeted);
	jw_key(w, "reached", false);
	jw_real(w, r->reached);
	jw_key(w, "budget", false);
	jw_real(w, r->budget);
	jw_key(w, "figures_hidden", false);
	jw_bool(w, r->figures_hidden);
	jw_key(w, "currency", false);
	jw_str_or_null(w, r->currency);
	jw_key(w, "releasability", false);
	jw_str(w, cc_rel_name(r->rel));
	jw_key(w, "owner", false);
	jw_str_or_null(w, r->owner_key);
	jw_key(w, "deny", false);
	jw_kinds(w, r->deny);
	jw_key(w, "shared", false);
	jw_bool(w, r->shared);
	jw_key(w, "source", false);
	jw_str(w, r->source);
	jw_key(w, "line", false);
	jw_int(w, (int64_t)r->line);
	jw_key(w, "version", false);
	jw_str(w, r->version);
	jw_raw(w, "}", 1);
}

/* One activity as the whole answer. */
static int reply_activity(struct cc_buf *out, const struct cc_activity_row *r,
                          struct cc_err *err)
{
	struct jw w = { .b = out };

	activity_write(&w, r);
	jw_raw(&w, "\n", 1);
	return w.ret < 0 ? cc_err_set(err, w.ret, "response too large") : 0;
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
		return cc__bad_arg(err, "pillar", "pillar: '%s': choose security, governance, "
		               "infrastructure, economy, humanitarian or other", v);
	if ((v = cc__req_query(req, "kind"))) {
		if (strcmp(v, "activity") == 0)
			q->kind = CC_KIND_ACTIVITY;
		else if (strcmp(v, "presence") == 0)
			q->kind = CC_KIND_PRESENCE;
		else
			return cc__bad_arg(err, "kind", "kind: '%s': choose activity or presence", v);
	}
	if ((v = cc__req_query(req, "org"))) {
		if ((ret = find_org(req, mission_id, v, "org", &org, err)) < 0)
			return ret;
		q->org_id = org.id;
	}
	if ((v = cc__req_query(req, "from")) && cc_date_parse(v, &q->from, NULL) < 0)
		return cc__bad_arg(err, "from", "from: '%s' is not a date (YYYY-MM-DD)", v);
	if ((v = cc__req_query(req, "to")) && cc_date_parse(v, &q->to, NULL) < 0)
		return cc__bad_arg(err, "to", "to: '%s' is not a date (YYYY-MM-DD)", v);
	if ((v = cc__req_query(req, "after"))) {
		if (cc_parse_i64(v, 0, INT64_MAX, &n, NULL) < 0)
			return cc__bad_arg(err, "after", "after: '%s' is not a cursor of this list", v);
		q->after = n;
	}
	if ((v = cc__req_query(req, "limit"))) {
		if (cc_parse_i64(v, 1, CC_ACTIVITY_PAGE_MAX, &n, NULL) < 0)
			return cc__bad_arg(err, "limit", "limit: '%s' is not a whole number from 1 to 1000",
			               v);
		q->limit = (size_t)n;
	}
	return 0;
}

int cc__api_activities_list(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_activity_query q;
	struct cc_activity_page page = { 0 };
	struct jw w = { .b = out };
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
	jw_raw(&w, "{", 1);
	jw_key(&w, "count", true);
	jw_int(&w, (int64_t)page.n_rows);
	jw_key(&w, "next", false);
	snprintf(next, sizeof(next), "%lld", (long long)page.next_after);
	jw_str(&w, page.next_after ? next : NULL);
	jw_key(&w, "activities", false);
	jw_raw(&w, "[", 1);
	for (size_t i = 0; i < page.n_rows; i++) {
		if (i > 0)
			jw_raw(&w, ",", 1);
		activity_write(&w, &page.rows[i]);
	}
	jw_raw(&w, "]}\n", 3);
	ret = w.ret < 0 ? cc_err_set(err, w.ret, "response too large") : 0;
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
		ret = reply_activity(out, &page.rows[0], err);
	cc_activity_page_release(&page);
	return ret;
}

/*
 * The "deny" of a marking body: a list of organisation kinds into their bits; 400 naming
 * "deny" when it is not a list or names an unknown kind.
 */
int cc__parse_deny(const json_t *list, unsigned *deny, struct cc_err *err)
{
	unsigned bits = 0;
	const json_t *v;
	size_t i;

	if (!json_is_array(list))
		return cc__bad_arg(err, "deny", "deny: a list of organisation kinds%s", "");
	json_array_foreach(list, i, v)
	{
		unsigned bit = json_is_string(v) ? cc_kind_bit(json_string_value(v)) : 0;

		if (!bit)
			return cc__bad_arg(err, "deny", "deny: '%s' is not an organisation kind",
			               json_is_string(v) ? json_string_value(v) : "?");
		bits |= bit;
	}
	*deny = bits;
	return 0;
}

static int activity_marking(struct cc__req *req, struct cc_buf *out, struct cc_err *err);

/* PUT /api/activities/{id}/marking {"releasability", "owner", "deny"} with If-Match. */
int cc__api_activity_marking(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return cc__run_locked(activity_marking, req, out, err);
}

static int activity_marking(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_activity_page page = { 0 };
	struct cc_record_marking m;
	const char *rel_s = NULL, *owner = NULL;
	json_t *deny_j = NULL;
	json_error_t je;
	enum cc_rel rel;
	unsigned deny = 0;
	int64_t owner_id = 0, id;
	struct cc_org org;
	int ret;

	if ((ret = get_activity(req, &page, err)) < 0)
		goto out;
	if (!req->body || json_unpack_ex(req->body, &je, 0, "{s:s, s?s, s?o}", "releasability",
	                                 &rel_s, "owner", &owner, "deny", &deny_j) < 0) {
		ret = cc__bad_arg(err, "body", "expected {\"releasability\": REL, \"owner\": ORG, "
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
	    (ret = cc__may_change(req, m.owner_id, "who sees this record", err)) < 0 ||
	    (ret = cc__check_version(req, page.rows[0].version, "activity", err)) < 0)
		goto out;
	owner_id = m.owner_id;
	if (owner && (ret = find_org(req, m.mission_id, owner, "owner", &org, err)) < 0)
		goto out;
	if (owner)
		owner_id = org.id;
	deny = m.deny;
	if (deny_j && (ret = cc__parse_deny(deny_j, &deny, err)) < 0)
		goto out;
	id = page.rows[0].id;
	if ((ret = cc_store_set_marking(req->st, "activity", id, rel, owner_id, deny, err)) < 0)
		goto out;
	cc_activity_page_release(&page);
	/* the record as the caller sees it now; it may have given it out of its own sight */
	ret = get_activity(req, &page, err);
	if (ret == 0)
		ret = reply_activity(out, &page.rows[0], err);
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
	    (ret = cc__may_change(req, m.owner_id, "who sees this record", err)) < 0 ||
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
		return cc__bad_arg(err, "body", "expected {\"org\": ORG}%s", "");
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
		return cc__bad_arg(err, "body", "expected {\"org\": ORG}%s", "");
	return member(req, out, org, true, err);
}

/* DELETE /api/members/{org} */
int cc__api_member_remove(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return member(req, out, cc__req_param(req, "org"), false, err);
}
