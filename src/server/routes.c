/*
 * The route table of the HTTP API and its handlers. Each row is one endpoint; the dispatcher
 * (http.c), `concord serve --routes` and the OpenAPI document are generated from these rows,
 * so an endpoint cannot exist undocumented or be documented without existing.
 */
#include "server/server.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include <concord/alloc.h>
#include <concord/coverage.h>
#include <concord/report.h>
#include <concord/server.h>
#include <concord/text.h>

#include "core/banned.h"

/* ---- helpers ---- */

/* An integer query argument in [min, max], def when absent; CC_EUSAGE naming it otherwise. */
static int query_int(const struct cc__req *req, const char *name, int64_t min, int64_t max,
                     int64_t def, int64_t *out, struct cc_err *err)
{
	const char *v = cc__req_query(req, name);

	*out = def;
	if (!v)
		return 0;
	if (cc_parse_i64(v, min, max, out, err) < 0) {
		cc_err_set(err, CC_EUSAGE, "%s: '%s' is not a whole number from %lld to %lld", name,
		           v, (long long)min, (long long)max);
		cc_err_at(err, NULL, 0, name);
		return CC_EUSAGE;
	}
	return 0;
}

static int query_date(const struct cc__req *req, const char *name, int32_t *out, struct cc_err *err)
{
	const char *v = cc__req_query(req, name);

	*out = CC_DATE_NONE;
	if (!v || !*v)
		return 0;
	if (cc_date_parse(v, out, err) < 0) {
		cc_err_set(err, CC_EUSAGE, "%s: '%s' is not a date (YYYY-MM-DD)", name, v);
		cc_err_at(err, NULL, 0, name);
		return CC_EUSAGE;
	}
	return 0;
}

/* The caller's mission (every authenticated route works within it). */
/* ---- handlers ---- */

static int api_health(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	(void)req;
	return cc__reply_json(out, json_pack("{s:s, s:s}", "status", "ok", "version", CC_VERSION),
	                      err);
}

static int api_openapi(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	(void)req;
	return cc_server_openapi(out, err);
}

/* The same calls and output as `concord coverage --json`. */
static int api_coverage(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_coverage_record *recs = NULL;
	struct cc_coverage_column *cols = NULL;
	struct cc_area *areas = NULL;
	size_t n_recs = 0, n_cols = 0, n_areas = 0;
	struct cc_coverage cov = { 0 };
	struct cc_mission m;
	enum cc_coverage_by by = CC_BY_PILLAR;
	const char *by_s = cc__req_query(req, "by");
	int32_t from, to;
	int64_t level;
	int ret;

	if ((ret = query_int(req, "level", 0, 5, 1, &level, err)) < 0 ||
	    (ret = query_date(req, "from", &from, err)) < 0 ||
	    (ret = query_date(req, "to", &to, err)) < 0)
		return ret;
	if (by_s && !strcmp(by_s, "sector")) {
		by = CC_BY_SECTOR;
	} else if (by_s && !strcmp(by_s, "cluster")) {
		by = CC_BY_CLUSTER;
	} else if (by_s && strcmp(by_s, "pillar")) {
		cc_err_set(err, CC_EUSAGE, "by: '%s': choose pillar, sector or cluster", by_s);
		cc_err_at(err, NULL, 0, "by");
		return CC_EUSAGE;
	}
	if (from != CC_DATE_NONE && to != CC_DATE_NONE && to < from) {
		cc_err_set(err, CC_EUSAGE, "to is before from");
		cc_err_at(err, NULL, 0, "to");
		return CC_EUSAGE;
	}
	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	ret = cc_store_load_coverage(
	        req->st,
	        &(struct cc_coverage_query){ .mission_id = m.id, .by = by, .from = from, .to = to },
	        &recs, &n_recs, &cols, &n_cols, &areas, &n_areas, err);
	if (ret == 0)
		ret = cc_coverage_compute(
		        recs, n_recs, areas, n_areas, cols, n_cols,
		        &(struct cc_coverage_opts){ .level = (int)level, .by = by }, &cov, err);
	if (ret == 0)
		ret = cc_coverage_format(&cov, CC_FORMAT_JSON, out, err);
	cc_coverage_release(&cov);
	cc_free(recs);
	cc_free(cols);
	cc_free(areas);
	return ret;
}

static const char *parent_pcode(const struct cc_area *parents, size_t n, int64_t id)
{
	for (size_t i = 0; id && i < n; i++)
		if (parents[i].id == id)
			return parents[i].pcode;
	return NULL;
}

static json_t *area_json(const struct cc_area *a, const char *parent)
{
	json_t *bbox = json_null(), *pop = json_null(); /* null is a singleton: never fails */

	if (a->has_geom && !(bbox = json_pack("[f, f, f, f]", a->minx, a->miny, a->maxx, a->maxy)))
		return NULL;
	if (a->population >= 0 && !(pop = json_integer(a->population))) {
		json_decref(bbox);
		return NULL;
	}
	/* "o" steals bbox and pop, even when packing fails */
	return json_pack("{s:s, s:s, s:i, s:s?, s:o, s:o}", "pcode", a->pcode, "name", a->name,
	                 "level", a->level, "parent", parent, "population", pop, "bbox", bbox);
}

/* Areas of a level (one above for their parents) to look parents up in. */
static int load_parents(struct cc_store *st, int level, struct cc_area **out, size_t *n_out,
                        struct cc_err *err)
{
	*out = NULL;
	*n_out = 0;
	if (level == 0)
		return 0;
	return cc_store_list_areas(st, &(struct cc_area_filter){ .level = level - 1 }, out, n_out,
	                           err);
}

static int api_areas_list(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_area *areas = NULL, *parents = NULL;
	size_t n_areas = 0, n_parents = 0;
	json_t *list, *a;
	int64_t level;
	int ret;

	if ((ret = query_int(req, "level", -1, 5, -1, &level, err)) < 0)
		return ret;
	ret = cc_store_list_areas(req->st, &(struct cc_area_filter){ .level = (int)level }, &areas,
	                          &n_areas, err);
	if (ret < 0)
		return ret;
	if (level >= 0)
		ret = load_parents(req->st, (int)level, &parents, &n_parents, err);
	if (ret < 0)
		goto out_free;
	list = json_array();
	for (size_t i = 0; list && i < n_areas; i++) {
		const struct cc_area *p = level >= 0 ? parents : areas;
		size_t np = level >= 0 ? n_parents : n_areas;

		a = area_json(&areas[i], parent_pcode(p, np, areas[i].parent_id));
		if (json_array_append_new(list, a) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	ret = cc__reply_json(
	        out,
	        list ? json_pack("{s:I, s:o}", "count", (json_int_t)n_areas, "areas", list) : NULL,
	        err);
out_free:
	cc_free(areas);
	cc_free(parents);
	return ret;
}

static int api_area_get(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_area area, *parents = NULL;
	size_t n_parents = 0;
	int ret;

	ret = cc_store_find_area(req->st, cc__req_param(req, "pcode"), &area, err);
	if (ret == CC_ENOTFOUND)
		cc_err_at(err, NULL, 0, "pcode");
	if (ret < 0)
		return ret;
	if (area.parent_id &&
	    (ret = load_parents(req->st, area.level, &parents, &n_parents, err)) < 0)
		return ret;
	ret = cc__reply_json(
	        out, area_json(&area, parent_pcode(parents, n_parents, area.parent_id)), err);
	cc_free(parents);
	return ret;
}

static int api_me(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const struct cc_principal *w = req->who;

	return cc__reply_json(out,
	                      json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s?}, s:I}", "user",
	                                w->user.name, "role", cc_role_name(w->user.role), "mission",
	                                w->mission_code, "organisation", "key", w->org_key, "name",
	                                w->org_name, "kind", w->org_kind[0] ? w->org_kind : NULL,
	                                "token_id", (json_int_t)w->token_id),
	                      err);
}

/* POST /api/tokens {"user": NAME, "expires_days": N}: what `concord token create` does. */
/* The first member of object j not named in names (NULL-ended), or NULL. */
static const char *unknown_member(json_t *j, const char *const *names)
{
	const char *key;
	json_t *v;

	json_object_foreach(j, key, v)
	{
		size_t i = 0;

		while (names[i] && strcmp(names[i], key) != 0)
			i++;
		if (!names[i])
			return key;
	}
	return NULL;
}

static int api_token_create(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	static const char *const body_members[] = { "user", "expires_days", NULL };
	const char *name = NULL, *key;
	json_int_t days = 0;
	json_error_t je;
	struct cc_user u;
	char hex[CC_TOKEN_HEX];
	int64_t id;
	int ret;

	/* no JSON_STRICT: under memory pressure its check reports "items left" for a good body */
	ret = req->body ? json_unpack_ex(req->body, &je, 0, "{s:s, s?I}", "user", &name,
	                                 "expires_days", &days)
	                : -1;
	if (ret < 0 && req->body && json_error_code(&je) == json_error_out_of_memory)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (ret == 0 && (key = unknown_member(req->body, body_members))) {
		ret = -1;
		snprintf(je.text, sizeof(je.text), "unknown member '%s'", key);
	}
	if (ret < 0) {
		cc_err_set(err, CC_EUSAGE, "expected {\"user\": NAME, \"expires_days\": N}%s%s",
		           req->body ? ": " : "", req->body ? je.text : "");
		cc_err_at(err, NULL, 0, "body");
		return CC_EUSAGE;
	}
	ret = cc_auth_find_user(req->st, req->who->mission_code, name, &u, err);
	if (ret == CC_ENOTFOUND)
		cc_err_at(err, NULL, 0, "user");
	if (ret < 0)
		return ret;
	/*
	 * The answer's room is taken before the token is stored: once stored, the answer must not
	 * fail, or a token would exist that nobody has seen.
	 */
	if ((ret = cc_buf_grow(out, 96 + 6 * strlen(u.name))) < 0)
		return cc_err_set(err, ret, "out of memory");
	ret = cc_auth_create_token(req->st, u.id, days, 0, hex, &id, err);
	if (ret == CC_EUSAGE)
		cc_err_at(err, NULL, 0, "expires_days");
	if (ret < 0)
		return ret;
	if (cc_buf_addf(out, "{\"id\":%lld,\"user\":", (long long)id) < 0 ||
	    cc_buf_add_json_str(out, u.name) < 0 ||
	    cc_buf_addf(out, ",\"token\":\"%s\"}\n", hex) < 0)
		ret = cc_err_set(err, CC_ENOMEM, "out of memory"); /* cannot happen: room taken */
	sodium_memzero(hex, sizeof(hex));
	return ret;
}

/* DELETE /api/tokens/{id}: what `concord token revoke` does, within the caller's mission. */
static int api_token_revoke(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_token t;
	int64_t id;
	int ret;

	ret = cc_parse_i64(cc__req_param(req, "id"), 1, INT64_MAX, &id, NULL) < 0
	              ? CC_ENOTFOUND
	              : cc_auth_get_token(req->st, id, &t, err);
	if (ret == 0 && t.mission_id != req->who->user.mission_id)
		ret = CC_ENOTFOUND; /* a token of another mission answers exactly like a missing one
		                     */
	if (ret == CC_ENOTFOUND) {
		cc_err_set(err, CC_ENOTFOUND, "unknown token '%s'", cc__req_param(req, "id"));
		cc_err_at(err, NULL, 0, "id");
	}
	if (ret < 0)
		return ret;
	if ((ret = cc_buf_grow(out, 64)) < 0) /* room for the answer before the write */
		return cc_err_set(err, ret, "out of memory");
	if ((ret = cc_auth_revoke_token(req->st, id, 0, err)) < 0)
		return ret;
	return cc_buf_addf(out, "{\"id\":%lld,\"revoked\":true}\n", (long long)id) < 0
	               ? cc_err_set(err, CC_ENOMEM, "out of memory")
	               : 0;
}

/* ---- the table ---- */

static const struct cc__query_param coverage_query[] = {
	{ .name = "level",
	  .type = "integer",
	  .description = "admin level of the rows (default 1)" },
	{ .name = "by",
	  .type = "string",
	  .enum_values = "pillar|sector|cluster",
	  .description = "columns (default pillar)" },
	{ .name = "from",
	  .type = "string",
	  .format = "date",
	  .description = "only activities overlapping the period from this day" },
	{ .name = "to",
	  .type = "string",
	  .format = "date",
	  .description = "only activities overlapping the period up to this day" },
	{ .name = NULL },
};

static const struct cc__query_param areas_query[] = {
	{ .name = "level", .type = "integer", .description = "only areas of this admin level" },
	{ .name = NULL },
};

static const struct cc__query_param activities_query[] = {
	{ .name = "area", .type = "string", .description = "P-code: activities in it or below" },
	{ .name = "pillar",
	  .type = "string",
	  .enum_values = "security|governance|infrastructure|economy|humanitarian|other",
	  .description = "only this pillar" },
	{ .name = "org",
	  .type = "string",
	  .description = "organisation key or alias: reporting, implementing or funding" },
	{ .name = "kind",
	  .type = "string",
	  .enum_values = "activity|presence",
	  .description = "activities or operational presence" },
	{ .name = "from", .type = "string", .format = "date", .description = "overlapping from" },
	{ .name = "to", .type = "string", .format = "date", .description = "overlapping up to" },
	{ .name = "after",
	  .type = "integer",
	  .description = "the cursor: the previous page's \"next\"" },
	{ .name = "limit", .type = "integer", .description = "rows a page, 1 to 1000 (100)" },
	{ .name = NULL },
};

static const struct cc__query_param feed_query[] = {
	{ .name = "after",
	  .type = "integer",
	  .description = "the cursor: entries after this change-log id (a stream without it or "
	                 "Last-Event-ID starts at the newest)" },
	{ .name = "limit", .type = "integer", .description = "entries a JSON page, 1 to 500 (100)" },
	{ .name = NULL },
};

static const struct cc__query_param deliveries_query[] = {
	{ .name = "limit", .type = "integer", .description = "the last N attempts, 1 to 10000 (100)" },
	{ .name = NULL },
};

const struct cc__route cc__routes[] = {
	{ .method = "GET",
	  .path = "/api/health",
	  .run = api_health,
	  .role = CC_ROLE_NONE,
	  .summary = "liveness and version" },
	{ .method = "GET",
	  .path = "/api/openapi.json",
	  .run = api_openapi,
	  .role = CC_ROLE_NONE,
	  .summary = "this document" },
	{ .method = "GET",
	  .path = "/api/me",
	  .run = api_me,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the caller: user, role, organisation and mission" },
	{ .method = "GET",
	  .path = "/api/mission",
	  .run = cc__api_mission_get,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the caller's mission and its settings, as `concord mission show --json`" },
	{ .method = "PUT",
	  .path = "/api/mission",
	  .run = cc__api_mission_set,
	  .role = CC_ROLE_COORDINATOR,
	  .summary = "set the mission's reporting currency and rate tolerance (a member not sent "
	             "keeps its value), as `concord mission set`; answers as GET /api/mission",
	  .body = "{\"currency\": ISO 4217 CODE, \"rate_tolerance\": DAYS (0 to 31)}" },
	{ .method = "GET",
	  .path = "/api/coverage",
	  .run = api_coverage,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the 3W/4W matrix, as `concord coverage --json`",
	  .query = coverage_query },
	{ .method = "GET",
	  .path = "/api/areas",
	  .run = api_areas_list,
	  .role = CC_ROLE_VIEWER,
	  .summary = "admin areas, sorted by P-code",
	  .query = areas_query },
	/* before /api/areas/{pcode}, which would take "population" for a P-code (api_admin.c) */
	{ .method = "GET",
	  .path = "/api/areas/population",
	  .run = cc__api_area_population,
	  .role = CC_ROLE_VIEWER,
	  .summary = "each area's population (newest year, or year) carried through the crosswalk "
	             "onto the layout valid at a date, as `concord area population --json` (or its "
	             "CSV)",
	  .query = cc__population_query },
	{ .method = "GET",
	  .path = "/api/areas/{pcode}",
	  .run = api_area_get,
	  .role = CC_ROLE_VIEWER,
	  .summary = "one admin area" },
	{ .method = "GET",
	  .path = "/api/areas/{pcode}/validity",
	  .run = cc__api_area_validity_get,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the dates an area is valid (null: open), as `concord area valid PCODE --json`" },
	{ .method = "PUT",
	  .path = "/api/areas/{pcode}/validity",
	  .run = cc__api_area_validity_set,
	  .role = CC_ROLE_COORDINATOR,
	  .summary = "set the dates an area is valid (absent or null: open), as `concord area valid "
	             "PCODE --from DATE --to DATE`",
	  .body = "{\"from\": DATE|null, \"to\": DATE|null}" },
	{ .method = "POST",
	  .path = "/api/areas/{pcode}/aliases",
	  .run = cc__api_area_alias_add,
	  .role = CC_ROLE_COORDINATOR,
	  .status = 201,
	  .summary = "another name of an area, found by every importer's name fallback, as "
	             "`concord area alias add PCODE NAME --json`",
	  .body = "{\"name\": NAME}" },
	{ .method = "GET",
	  .path = "/api/crosswalk",
	  .run = cc__api_crosswalk,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the crosswalk of old areas onto new ones with shares and dates, as `concord "
	             "area crosswalk --json` (or its CSV)",
	  .query = cc__crosswalk_query },
	{ .method = "GET",
	  .path = "/api/activities",
	  .run = cc__api_activities_list,
	  .role = CC_ROLE_VIEWER,
	  .summary = "activities the caller may see, a keyset page at a time",
	  .query = activities_query },
	{ .method = "GET",
	  .path = "/api/activities/{id}",
	  .run = cc__api_activity_get,
	  .role = CC_ROLE_VIEWER,
	  .summary = "one activity (404 when missing or not visible to the caller)" },
	{ .method = "POST",
	  .path = "/api/activities",
	  .run = cc__api_activity_create,
	  .role = CC_ROLE_EDITOR,
	  .status = 201,
	  .summary = "add an activity, checked as the 3W importer checks a row (held by the "
	             "caller's organisation unless a coordinator names another owner)",
	  .body = "{\"organisation\", \"implementer\", \"funder\", \"sector\", \"area\": "
	          "PCODE, \"title\", \"description\", \"start\", \"end\", \"status\", "
	          "\"targeted\", \"reached\", \"budget\", \"currency\", \"lat\", \"lon\", "
	          "\"kind\", \"releasability\", \"deny\": [KIND, ..], \"owner\"}" },
	{ .method = "PUT",
	  .path = "/api/activities/{id}",
	  .run = cc__api_activity_update,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change an activity (its owner's editors or a coordinator; If-Match: its "
	             "version; fields not sent keep their values)",
	  .body = "the fields of POST /api/activities" },
	{ .method = "PUT",
	  .path = "/api/activities/{id}/marking",
	  .run = cc__api_activity_marking,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change who may see an activity (If-Match: its version)",
	  .body = "{\"releasability\": \"public|partners|org\", \"owner\": ORG, "
	          "\"deny\": [KIND, ...]}" },
	{ .method = "POST",
	  .path = "/api/activities/{id}/shares",
	  .run = cc__api_activity_share,
	  .role = CC_ROLE_EDITOR,
	  .summary = "share an activity with an organisation by name",
	  .body = "{\"org\": ORG}" },
	{ .method = "DELETE",
	  .path = "/api/activities/{id}/shares/{org}",
	  .run = cc__api_activity_unshare,
	  .role = CC_ROLE_EDITOR,
	  .summary = "stop sharing an activity with an organisation" },
	{ .method = "GET",
	  .path = "/api/feed",
	  .run = cc__api_feed_page,
	  .role = CC_ROLE_VIEWER,
	  .stream = true,
	  .summary = "the changes the caller may see, in commit order: Server-Sent Events when the "
	             "client accepts text/event-stream (resume with Last-Event-ID), else a JSON page",
	  .query = feed_query },
	{ .method = "GET",
	  .path = "/api/members",
	  .run = cc__api_members_list,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the member organisations of the mission (the partners audience)" },
	{ .method = "POST",
	  .path = "/api/members",
	  .run = cc__api_member_add,
	  .role = CC_ROLE_ADMIN,
	  .status = 201,
	  .summary = "make an organisation a member of the mission",
	  .body = "{\"org\": ORG}" },
	{ .method = "DELETE",
	  .path = "/api/members/{org}",
	  .run = cc__api_member_remove,
	  .role = CC_ROLE_ADMIN,
	  .summary = "remove an organisation from the mission's members" },
	{ .method = "POST",
	  .path = "/api/webhooks",
	  .run = cc__api_webhook_add,
	  .role = CC_ROLE_EDITOR,
	  .status = 201,
	  .summary = "register a URL to be sent every change the caller's organisation may see "
	             "(the signing secret is in this answer only)",
	  .body = "{\"url\": URL}" },
	{ .method = "GET",
	  .path = "/api/webhooks",
	  .run = cc__api_webhooks_list,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the webhooks of the caller's organisation" },
	{ .method = "DELETE",
	  .path = "/api/webhooks/{id}",
	  .run = cc__api_webhook_remove,
	  .role = CC_ROLE_EDITOR,
	  .summary = "stop deliveries to a webhook of the caller's organisation" },
	{ .method = "GET",
	  .path = "/api/webhooks/{id}/deliveries",
	  .run = cc__api_webhook_deliveries,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the delivery log of a webhook: every attempt, oldest first",
	  .query = deliveries_query },
	{ .method = "POST",
	  .path = "/api/tokens",
	  .run = api_token_create,
	  .role = CC_ROLE_ADMIN,
	  .status = 201,
	  .summary = "create an API token for a user of the mission (shown once)",
	  .body = "{\"user\": NAME, \"expires_days\": N (optional, 0 never)}" },
	{ .method = "DELETE",
	  .path = "/api/tokens/{id}",
	  .run = api_token_revoke,
	  .role = CC_ROLE_ADMIN,
	  .summary = "revoke an API token" },
	/* the administration of the mission (api_admin.c) */
	{ .method = "POST",
	  .path = "/api/users",
	  .run = cc__api_user_add,
	  .role = CC_ROLE_ADMIN,
	  .status = 201,
	  .summary = "add a user of an organisation of the mission, as `concord user add --json` "
	             "(its token: POST /api/tokens)",
	  .body = "{\"name\": NAME, \"org\": ORG, \"role\": "
	          "\"viewer|editor|coordinator|admin\" (viewer)}" },
	{ .method = "POST",
	  .path = "/api/retention",
	  .run = cc__api_retention,
	  .role = CC_ROLE_ADMIN,
	  .summary = "redact the exact sites of activities ended more than sites days ago and the "
	             "personal data older than personal days (dry_run: only count), as `concord "
	             "retention --json`: the counts",
	  .body = "{\"sites\": DAYS, \"personal\": DAYS, \"at\": DATE (today), "
	          "\"dry_run\": BOOL}" },
	{ .method = "GET",
	  .path = "/api/template/3w",
	  .run = cc__api_template_3w,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the blank HXL 3W for partners that `concord template 3w` writes (text/csv)" },
	{ .method = "GET",
	  .path = "/api/template/3w-lists",
	  .run = cc__api_template_3w_lists,
	  .role = CC_ROLE_VIEWER,
	  .summary = "what the columns of the blank 3W may hold: P-codes, clusters, organisations "
	             "(the -lists.csv beside it, text/csv)" },
	{ .method = "GET",
	  .path = "/api/gaps",
	  .run = cc__api_gaps,
	  .role = CC_ROLE_VIEWER,
	  .summary = "needs against the coverage the caller may see, ranked by severity x people in "
	             "need x shortfall, as `concord gaps --json`",
	  .query = cc__gaps_query },
	{ .method = "GET",
	  .path = "/api/overlap",
	  .run = cc__api_overlap,
	  .role = CC_ROLE_VIEWER,
	  .summary = "likely duplicated effort among the activities the caller may see, as "
	             "`concord overlap --json`",
	  .query = cc__overlap_query },
	{ .method = "GET",
	  .path = "/api/progress",
	  .run = cc__api_progress,
	  .role = CC_ROLE_VIEWER,
	  .summary = "indicators against their benchmarks: progress, status, trend and projection, "
	             "as `concord progress --json`",
	  .query = cc__progress_query },
	{ .method = "GET",
	  .path = "/api/rollup",
	  .run = cc__api_rollup,
	  .role = CC_ROLE_VIEWER,
	  .summary = "indicator values rolled up to an admin level by each indicator's rule, with "
	             "the areas missing, as `concord rollup --json`",
	  .query = cc__rollup_query },
	{ .method = "GET",
	  .path = "/api/index",
	  .run = cc__api_index,
	  .role = CC_ROLE_VIEWER,
	  .summary = "composite index per area and pillar: the server's definition (serve --index "
	             "FILE), else the indicators with goalposts (weight 1, arithmetic); ranks, weight "
	             "sensitivity, as `concord index --json`",
	  .query = cc__index_query },
	{ .method = "POST",
	  .path = "/api/review",
	  .run = cc__api_review,
	  .role = CC_ROLE_VIEWER,
	  .summary = "a plan checked against the review rules and lessons (200 with the findings; "
	             "\"errors\" counts those of severity error), as `concord review --json`",
	  .body = "the plan as a JSON object, or {\"text\": TEXT} with the text of a YAML or "
	          "JSON plan file",
	  .query = cc__review_query },
	{ .method = "GET",
	  .path = "/api/report",
	  .run = cc__api_report,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the mission review as one HTML file (or Markdown) to download, holding only "
	             "what the caller may see",
	  .query = cc__report_query },
	{ .method = "GET",
	  .path = "/api/exposure",
	  .run = cc__api_exposure,
	  .role = CC_ROLE_VIEWER,
	  .summary = "incidents and fatalities near each activity site the caller may see (or per "
	             "area), counting the incidents it may see, as `concord exposure --json`",
	  .query = cc__exposure_query },
	{ .method = "GET",
	  .path = "/api/areas.geojson",
	  .run = cc__api_areas_geojson,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the boundaries of the admin areas of a level (default 1) as a GeoJSON "
	             "FeatureCollection, for the dashboard's map",
	  .query = areas_query },
	/* the registry (api_registry.c): every kind of record, one handler for all kinds */
#define REG_READ(k, what)                                                                    \
	{ .method = "GET",                                                                   \
	  .path = "/api/" k,                                                                 \
	  .run = cc__api_reg_list,                                                           \
	  .role = CC_ROLE_VIEWER,                                                            \
	  .summary = what " the caller may see, a keyset page at a time",                    \
	  .query = cc__reg_list_query },                                                     \
	{ .method = "GET",                                                                   \
	  .path = "/api/" k "/{id}",                                                         \
	  .run = cc__api_reg_get,                                                            \
	  .role = CC_ROLE_VIEWER,                                                            \
	  .summary = "one of the " what " (404 when missing or not visible to the caller)" }
#define REG_DELETE(k, what)                                                                  \
	{ .method = "DELETE",                                                                \
	  .path = "/api/" k "/{id}",                                                         \
	  .run = cc__api_reg_delete,                                                         \
	  .role = CC_ROLE_EDITOR,                                                            \
	  .summary = "remove one of the " what " (its owner's editors or a coordinator; "     \
	             "If-Match: its version, when sent, must be current)" }
#define REG_MARKING(k, what)                                                                 \
	{ .method = "PUT",                                                                   \
	  .path = "/api/" k "/{id}/marking",                                                 \
	  .run = cc__api_reg_marking,                                                        \
	  .role = CC_ROLE_EDITOR,                                                            \
	  .summary = "change who may see one of the " what " (If-Match: its version)",        \
	  .body = "{\"releasability\": \"public|partners|org\", \"owner\": ORG, "            \
	          "\"deny\": [KIND, ...]}" }
	REG_READ("missions", "missions"),
	REG_READ("organisations", "organisations of the mission"),
	{ .method = "POST",
	  .path = "/api/organisations",
	  .run = cc__api_org_create,
	  .role = CC_ROLE_COORDINATOR,
	  .status = 201,
	  .summary = "add an organisation to the mission (its key is also an alias)",
	  .body = "{\"key\": KEY, \"name\": NAME, \"kind\": KIND, \"type\": IATI_CODE, "
	          "\"acronym\": TEXT, \"local\": BOOL, \"nation\": ISO3}" },
	{ .method = "PUT",
	  .path = "/api/organisations/{id}",
	  .run = cc__api_org_update,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change an organisation (its own editors or a coordinator; If-Match: its "
	             "version; the key never changes)",
	  .body = "{\"key\": KEY, \"name\": NAME, \"kind\": KIND, \"type\": IATI_CODE, "
	          "\"acronym\": TEXT, \"local\": BOOL, \"nation\": ISO3}" },
	REG_READ("needs", "needs"),
	REG_DELETE("needs", "needs"),
	REG_MARKING("needs", "needs"),
	{ .method = "POST",
	  .path = "/api/needs",
	  .run = cc__api_need_create,
	  .role = CC_ROLE_EDITOR,
	  .status = 201,
	  .summary = "add a need, checked as the needs importer checks a row",
	  .body = "{\"area\", \"sector\", \"period_from\", \"period_to\", \"sex\", "
	          "\"age_group\", \"pop_group\", \"disability\", \"label\", \"population\", "
	          "\"in_need\", \"targeted\", \"affected\", \"reached\", \"severity\", "
	          "\"releasability\", \"deny\": [KIND, ..], \"owner\"}" },
	{ .method = "PUT",
	  .path = "/api/needs/{id}",
	  .run = cc__api_need_update,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change a need's figures and severity (its owner's editors or a coordinator; "
	             "If-Match: its version; its area, sector, period and breakdown stay)",
	  .body = "the fields of POST /api/needs" },
	REG_READ("incidents", "incidents"),
	REG_DELETE("incidents", "incidents"),
	REG_MARKING("incidents", "incidents"),
	{ .method = "POST",
	  .path = "/api/incidents",
	  .run = cc__api_incident_create,
	  .role = CC_ROLE_EDITOR,
	  .status = 201,
	  .summary = "add an incident, checked as the events importer checks a row of its source "
	             "(placed in an admin area by its point unless \"area\" names one); an "
	             "incident of the same source and source id is updated as a re-import "
	             "updates it (200) when the caller may change it, else 409 naming its id",
	  .body = "{\"source\": \"acled|ucdp\", \"source_id\", \"date\", \"date_end\", "
	          "\"date_prec\", \"type\", \"sub_type\", \"actor1\", \"actor2\", \"lat\", "
	          "\"lon\", \"geo_prec\", \"area\": PCODE, \"admin1\", \"admin2\", "
	          "\"fatalities\", \"fat_low\", \"fat_high\", \"revised\", \"notes\", "
	          "\"releasability\", \"deny\": [KIND, ..], \"owner\"}" },
	{ .method = "PUT",
	  .path = "/api/incidents/{id}",
	  .run = cc__api_incident_update,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change an incident (its owner's editors or a coordinator; If-Match: its "
	             "version; the source and source id never change; fields not sent keep their "
	             "values)",
	  .body = "the fields of POST /api/incidents" },
	{ .method = "POST",
	  .path = "/api/indicators/compute",
	  .run = cc__api_indicators_compute,
	  .role = CC_ROLE_COORDINATOR,
	  .summary = "derive the built-in indicators (incidents per 100k, fatalities, needs "
	             "reached, activities per pillar) from the records the caller may see and store "
	             "them, as `concord indicators compute --json`: what was computed and stored",
	  .body = "{\"period\": \"month|quarter|year\", \"from\", \"to\", \"level\", "
	          "\"events\": \"ucdp|acled|all\", \"dry_run\": BOOL} (or the same as query "
	          "arguments)",
	  .query = cc__compute_query },
	{ .method = "GET",
	  .path = "/api/pillar",
	  .run = cc__api_pillar_list,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the pillar of every sector for the mission: its own decisions and the shipped "
	             "defaults it keeps, as `concord pillar --json`",
	  .query = cc__pillar_query },
	{ .method = "PUT",
	  .path = "/api/pillar",
	  .run = cc__api_pillar_set,
	  .role = CC_ROLE_COORDINATOR,
	  .summary = "put a sector or cluster in another pillar for the mission, as `concord pillar "
	             "CODE PILLAR --json`",
	  .body = "{\"code\": CLUSTER|DAC CODE|ALIAS, \"pillar\", \"vocabulary\": \"1|2|10\"}" },
	REG_READ("indicators", "indicators"),
	REG_DELETE("indicators", "indicators (with their benchmarks and observations)"),
	REG_MARKING("indicators", "indicators"),
	{ .method = "POST",
	  .path = "/api/indicators",
	  .run = cc__api_indicator_create,
	  .role = CC_ROLE_EDITOR,
	  .status = 201,
	  .summary = "add an indicator, checked as the indicators importer checks a row",
	  .body = "{\"code\", \"name\", \"pillar\", \"unit\", \"measure\", \"direction\", "
	          "\"aggregation\", \"period_days\", \"goal_min\", \"goal_max\", "
	          "\"releasability\", \"deny\": [KIND, ..], \"owner\"}" },
	{ .method = "PUT",
	  .path = "/api/indicators/{id}",
	  .run = cc__api_indicator_update,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change an indicator (its owner's editors or a coordinator; If-Match: its "
	             "version; the code never changes; fields not sent keep their values)",
	  .body = "the fields of POST /api/indicators" },
	REG_READ("benchmarks", "benchmarks (seen with their indicator)"),
	REG_DELETE("benchmarks", "benchmarks"),
	{ .method = "POST",
	  .path = "/api/benchmarks",
	  .run = cc__api_benchmark_create,
	  .role = CC_ROLE_EDITOR,
	  .status = 201,
	  .summary = "add a benchmark of an indicator the caller may write, checked as the "
	             "benchmarks importer checks a row",
	  .body = "{\"indicator\", \"area\", \"sex\", \"age_group\", \"kind\", \"date\", "
	          "\"value\"}" },
	{ .method = "PUT",
	  .path = "/api/benchmarks/{id}",
	  .run = cc__api_benchmark_update,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change a benchmark's value (and a baseline's or target's date); If-Match: "
	             "its version",
	  .body = "the fields of POST /api/benchmarks" },
	REG_READ("observations", "observations"),
	REG_DELETE("observations", "observations"),
	REG_MARKING("observations", "observations"),
	{ .method = "POST",
	  .path = "/api/observations",
	  .run = cc__api_observation_create,
	  .role = CC_ROLE_EDITOR,
	  .status = 201,
	  .summary = "add an observation, checked as the observations importer checks a row",
	  .body = "{\"indicator\", \"area\", \"sex\", \"age_group\", \"period_start\", "
	          "\"period_end\", \"value\", \"source\", \"confidence\", "
	          "\"releasability\", \"deny\": [KIND, ..], \"owner\"}" },
	{ .method = "PUT",
	  .path = "/api/observations/{id}",
	  .run = cc__api_observation_update,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change an observation (its owner's editors or a coordinator; If-Match: its "
	             "version; fields not sent keep their values)",
	  .body = "the fields of POST /api/observations" },
	/* before /api/lessons/{id}, which would take "search" for an id (api_learning.c) */
	{ .method = "GET",
	  .path = "/api/lessons/search",
	  .run = cc__api_lessons_search,
	  .role = CC_ROLE_VIEWER,
	  .summary = "full-text search of the lessons the caller may see (its mission's and those "
	             "of no mission), ranked by bm25, with snippets and facet counts, as "
	             "`concord lesson search --json`",
	  .query = cc__lessons_search_query },
	REG_READ("lessons", "lessons"),
	{ .method = "POST",
	  .path = "/api/lessons",
	  .run = cc__api_lesson_create,
	  .role = CC_ROLE_EDITOR,
	  .status = 201,
	  .summary = "add a lesson to the register (a new key; held by the caller's organisation)",
	  .body = "{\"title\", \"observation\", \"discussion\", \"conclusion\", "
	          "\"recommendation\", \"pillars\": [..], \"areas\": [..], \"tags\": [..], "
	          "\"date\", \"source\", \"status\", \"action_owner\", \"evidence\": "
	          "[\"KIND:REF\", ..], \"releasability\"}" },
	{ .method = "PUT",
	  .path = "/api/lessons/{id}",
	  .run = cc__api_lesson_update,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change a lesson (its owner's editors or a coordinator; If-Match: its "
	             "version; the status moves as the register allows)",
	  .body = "the fields of POST /api/lessons (its marking: PUT /api/lessons/{id}/marking)" },
	REG_DELETE("lessons", "lessons"),
	REG_MARKING("lessons", "lessons"),
	/* before /api/feedback/{id}, which would take "counts" for an id (api_events.c) */
	{ .method = "GET",
	  .path = "/api/feedback/counts",
	  .run = cc__api_feedback_counts,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the feedback entries the caller may see counted by category, area and month "
	             "(negative ones apart), as `concord feedback list --counts --json`",
	  .query = cc__feedback_counts_query },
	{ .method = "GET",
	  .path = "/api/feedback/search",
	  .run = cc__api_feedback_search,
	  .role = CC_ROLE_VIEWER,
	  .summary = "full-text search of the feedback entries the caller may see, best first, "
	             "with snippets, as `concord feedback search WORDS --json`",
	  .query = cc__feedback_search_query },
	REG_READ("feedback", "feedback entries (without their givers' personal data)"),
	REG_DELETE("feedback", "feedback entries"),
	REG_MARKING("feedback", "feedback entries"),
	{ .method = "POST",
	  .path = "/api/feedback",
	  .run = cc__api_feedback_create,
	  .role = CC_ROLE_EDITOR,
	  .status = 201,
	  .summary = "add a feedback entry, checked as the feedback importer checks a row",
	  .body = "{\"date\", \"area\", \"channel\", \"organisation\", \"text\", "
	          "\"category\", \"sentiment\", \"releasability\", \"deny\": [KIND, ..], "
	          "\"owner\"}" },
	{ .method = "PUT",
	  .path = "/api/feedback/{id}",
	  .run = cc__api_feedback_update,
	  .role = CC_ROLE_EDITOR,
	  .summary = "change a feedback entry (its owner's editors or a coordinator; If-Match: its "
	             "version; fields not sent keep their values)",
	  .body = "the fields of POST /api/feedback" },
	REG_READ("survey-responses", "survey responses (without personal data)"),
	REG_DELETE("survey-responses", "survey responses"),
	REG_MARKING("survey-responses", "survey responses"),
#undef REG_READ
#undef REG_DELETE
#undef REG_MARKING
	{ .method = "POST",
	  .path = "/api/imports/{kind}",
	  .run = cc__api_import,
	  .role = CC_ROLE_EDITOR,
	  .summary = "import a file as `concord import KIND FILE` does: 3w, needs, population, "
	             "indicators, benchmarks, observations, events, iati, lessons, feedback, "
	             "survey (one "
	             "transaction; the same file again changes nothing); the summary with every "
	             "rejected row as {line, field, message}; 422 when rows were rejected and "
	             "nothing was stored",
	  .body = "the file as it is, with its Content-Type (text/csv, application/xml), or "
	          "{\"content\": the file's text} as JSON",
	  .query = cc__imports_query,
	  .raw_body = true },
	{ .method = "GET",
	  .path = "/api/survey",
	  .run = cc__api_survey,
	  .role = CC_ROLE_VIEWER,
	  .summary = "a survey question's weighted shares with Wilson intervals on the effective n, "
	             "design effects and small cells flagged, counting the responses the caller may "
	             "see, as `concord survey results --json`",
	  .query = cc__survey_query },
	{ .method = "GET",
	  .path = "/api/survey/alpha",
	  .run = cc__api_survey_alpha,
	  .role = CC_ROLE_VIEWER,
	  .summary = "Cronbach's alpha of a scale of survey items, over the responses the caller may "
	             "see, as `concord survey alpha --json`",
	  .query = cc__survey_alpha_query },
	/* the remaining commands (api_more.c) */
	{ .method = "GET",
	  .path = "/api/export/{kind}",
	  .run = cc__api_export,
	  .role = CC_ROLE_VIEWER,
	  .summary = "a file to download as `concord export KIND` writes it, holding only what the "
	             "caller may see: 3w (HXL CSV), iati (IATI 2.03 XML), areas (GeoJSON) or "
	             "events (the incidents as ACLED or UCDP GED CSV)",
	  .query = cc__export_query },
	{ .method = "GET",
	  .path = "/api/rounds",
	  .run = cc__api_rounds,
	  .role = CC_ROLE_VIEWER,
	  .summary = "reporting rounds: per period, which organisations reported (file, time, rows) "
	             "and which did not, as `concord rounds --json`",
	  .query = cc__rounds_query },
	{ .method = "GET",
	  .path = "/api/money",
	  .run = cc__api_money,
	  .role = CC_ROLE_VIEWER,
	  .summary = "the 3W budgets the caller may see and the IATI amounts converted to the "
	             "reporting currency with the rates used, and the amounts that could not be, as "
	             "`concord money --json`",
	  .query = cc__money_query },
	{ .method = "GET",
	  .path = "/api/audit/verify",
	  .run = cc__api_audit_verify,
	  .role = CC_ROLE_ADMIN,
	  .summary = "the change log's hash chain checked, as `concord audit verify`: ok with the "
	             "entries and the head hash, or the first broken entry" },
	{ .method = "POST",
	  .path = "/api/allocate",
	  .run = cc__api_allocate,
	  .role = CC_ROLE_COORDINATOR,
	  .summary = "spread budgets and teams over area x pillar cells (a linear program): the "
	             "allocation, binding constraints with shadow prices, or the conflicting "
	             "constraints of an infeasible problem (200, status infeasible), as "
	             "`concord allocate --problem FILE --json`",
	  .body = "the problem file of `concord allocate --problem` (docs/allocate.md): "
	          "{\"cells\": [..], \"donors\": [..], \"organisations\": [..], \"weights\", "
	          "\"security\", ..}",
	  .query = cc__allocate_query },
};

const size_t cc__n_routes = sizeof(cc__routes) / sizeof(cc__routes[0]);

/* ---- matching ---- */

/* Matches path against pattern segment by segment; fills req's params when given. */
static bool match(const char *pattern, const char *path, struct cc__req *req)
{
	size_t n_params = 0;

	while (*pattern && *path) {
		size_t pl = strcspn(pattern + 1, "/") + 1, sl = strcspn(path + 1, "/") + 1;

		if (*pattern != '/' || *path != '/')
			return false;
		if (pattern[1] == '{') {
			if (sl < 2 || n_params == CC__MAX_PATH_PARAMS ||
			    sl - 1 >= sizeof(req->params[0].value))
				return false;
			if (req) {
				memcpy(req->params[n_params].value, path + 1, sl - 1);
				req->params[n_params].value[sl - 1] = '\0';
			}
			n_params++;
		} else if (pl != sl || memcmp(pattern, path, pl) != 0) {
			return false;
		}
		pattern += pl;
		path += sl;
	}
	if (*pattern || *path)
		return false;
	if (req)
		req->n_params = n_params;
	return true;
}

/* Sets the names of req's params from the pattern ("{pcode}" gives "pcode"). */
static void name_params(const struct cc__route *r, struct cc__req *req)
{
	const char *p = r->path;
	size_t i = 0;

	while ((p = strchr(p, '{')) && i < req->n_params) {
		size_t n = strcspn(p + 1, "}");

		if (n >= sizeof(req->params[i].name))
			n = sizeof(req->params[i].name) - 1;
		memcpy(req->params[i].name, p + 1, n);
		req->params[i].name[n] = '\0';
		i++;
		p += n + 1;
	}
}

const struct cc__route *cc__route_find(const char *method, const char *path, struct cc__req *req,
                                       bool *path_known, struct cc_buf *allow)
{
	*path_known = false;
	for (size_t i = 0; i < cc__n_routes; i++) {
		const struct cc__route *r = &cc__routes[i];

		if (!match(r->path, path, NULL))
			continue;
		if (strcmp(r->method, method) == 0) {
			match(r->path, path, req);
			name_params(r, req);
			return r;
		}
		if (*path_known)
			cc_buf_adds(allow, ", ");
		cc_buf_adds(allow, r->method);
		*path_known = true;
	}
	return NULL;
}

/* ---- the table as text and as OpenAPI ---- */

int cc_server_routes_text(struct cc_buf *out, struct cc_err *err)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < cc__n_routes; i++)
		ret = cc_buf_addf(out, "%s %s %s\n", cc__routes[i].method, cc__routes[i].path,
		                  cc_role_name(cc__routes[i].role));
	return ret < 0 ? cc_err_set(err, ret, "out of memory") : 0;
}

static json_t *query_param_json(const struct cc__query_param *q)
{
	json_t *schema = json_pack("{s:s, s:s?}", "type", q->type, "format", q->format);
	json_t *values;

	if (schema && q->enum_values) {
		const char *p = q->enum_values;

		values = json_array();
		while (values && *p) {
			size_t n = strcspn(p, "|");

			if (json_array_append_new(values, json_stringn(p, n)) < 0) {
				json_decref(values);
				values = NULL;
			}
			p += n + (p[n] == '|');
		}
		if (json_object_set_new(schema, "enum", values) < 0) {
			json_decref(schema);
			schema = NULL;
		}
	}
	return json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", q->name, "in", "query", "required", 0,
	                 "description", q->description, "schema", schema);
}

/* The parameters of a route: its {path} segments, then its query arguments. */
static json_t *params_json(const struct cc__route *r)
{
	json_t *list = json_array();
	const char *p = r->path;

	while (list && (p = strchr(p, '{'))) {
		size_t n = strcspn(p + 1, "}");
		json_t *one = json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1, n, "in", "path",
		                        "required", 1, "schema", "type", "string");

		if (json_array_append_new(list, one) < 0) {
			json_decref(list);
			return NULL;
		}
		p += n + 1;
	}
	for (const struct cc__query_param *q = r->query; list && q && q->name; q++) {
		if (json_array_append_new(list, query_param_json(q)) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static json_t *operation_json(const struct cc__route *r)
{
	char status[8], op_id[128];
	json_t *op, *responses;
	size_t n = 0;

	snprintf(status, sizeof(status), "%d", r->status ? r->status : 200);
	/* operationId: method and path as an identifier, "get_api_areas_pcode" */
	for (const char *p = r->method; *p && n + 1 < sizeof(op_id); p++)
		op_id[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	for (const char *p = r->path; *p && n + 1 < sizeof(op_id); p++) {
		if (*p == '{' || *p == '}')
			continue;
		op_id[n++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_';
	}
	op_id[n] = '\0';
	responses = json_pack("{s:{s:s, s:{s:{s:{s:s}}}}, s:{s:s}}", status, "description",
	                      r->summary, "content", "application/json", "schema", "type", "object",
	                      "default", "$ref", "#/components/responses/Error");
	op = json_pack("{s:s, s:s, s:o, s:o, s:s}", "operationId", op_id, "summary", r->summary,
	               "parameters", params_json(r), "responses", responses, "x-min-role",
	               cc_role_name(r->role));
	if (!op)
		return NULL;
	if (json_object_set_new(op, "security",
	                        r->role == CC_ROLE_NONE ? json_array()
	                                                : json_pack("[{s:[]}]", "bearerAuth")) < 0)
		goto out_fail;
	if (r->body &&
	    json_object_set_new(op, "requestBody",
	                        json_pack("{s:b, s:s, s:{s:{s:{s:s}}}}", "required", 1,
	                                  "description", r->body, "content", "application/json",
	                                  "schema", "type", "object")) < 0)
		goto out_fail;
	return op;
out_fail:
	json_decref(op);
	return NULL;
}

static json_t *openapi_json(void)
{
	json_t *doc, *paths;

	paths = json_object();
	for (size_t i = 0; paths && i < cc__n_routes; i++) {
		const struct cc__route *r = &cc__routes[i];
		json_t *item = json_object_get(paths, r->path);
		char method[16];
		size_t n = 0;

		for (const char *p = r->method; *p && n + 1 < sizeof(method); p++)
			method[n++] = (char)(*p - 'A' + 'a');
		method[n] = '\0';
		if (!item && json_object_set_new(paths, r->path, item = json_object()) < 0)
			item = NULL;
		if (!item || json_object_set_new(item, method, operation_json(r)) < 0) {
			json_decref(paths);
			paths = NULL;
		}
	}
	doc = json_pack(
	        "{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:{s:s, s:s}}, s:{s:{s:s, s:{s:{s:{s:s}}}}},"
	        " s:{s:{s:s, s:{s:{s:s, s:[s, s, s], s:{s:{s:s}, s:{s:s}, s:{s:s, s:b}}}}}}}}",
	        "openapi", "3.0.3", "info", "title", "Concord API", "version", CC_VERSION,
	        "description",
	        "Who does what where, for the organisations rebuilding a region "
	        "after armed conflict.",
	        "paths", paths, "components", "securitySchemes", "bearerAuth", "type", "http",
	        "scheme", "bearer", "responses", "Error", "description",
	        "an error: code, message and the offending field", "content", "application/json",
	        "schema", "$ref", "#/components/schemas/Error", "schemas", "Error", "type",
	        "object", "properties", "error", "type", "object", "required", "code", "message",
	        "field", "properties", "code", "type", "string", "message", "type", "string",
	        "field", "type", "string", "nullable", 1);
	return doc;
}

int cc_server_openapi(struct cc_buf *out, struct cc_err *err)
{
	return cc__reply_json(out, openapi_json(), err);
}
