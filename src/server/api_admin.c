/*
 * The administration of a mission as endpoints: its settings (GET and PUT /api/mission), the
 * gazetteer (aliases, validity dates, the crosswalk, population on a layout), users, the
 * retention of sensitive fields, and the blank 3W template. Each handler makes the library
 * call of its command (include/concord/admin.h) and answers with the bytes the command prints
 * with --json: `concord mission show --json` and GET /api/mission are the same.
 *
 * Bodies are JSON objects whose members are checked one by one: an unknown member, a member of
 * the wrong type or a bad value answers 400 naming it. Writes that read and then write (the
 * settings, a new user) hold the API's write lock.
 */
#include <string.h>

#include <concord/admin.h>
#include <concord/alloc.h>
#include <concord/report.h>
#include <concord/rounds.h>
#include <concord/text.h>

#include "core/limits.h"
#include "server/server.h"

#include "core/banned.h"

/* ---- bodies ---- */

/*
 * Checks that the body is an object holding only members of names (NULL-ended); CC_EUSAGE
 * naming "body", or the unknown member, otherwise. shape describes the expected body.
 */
static int body_check(const struct cc__req *req, const char *const *names, const char *shape,
                      struct cc_err *err)
{
	const char *key;
	json_t *v;

	if (!req->body || !json_is_object(req->body))
		return cc__bad_arg(err, "body", "expected %s", shape);
	json_object_foreach(req->body, key, v)
	{
		size_t i = 0;

		while (names[i] && strcmp(names[i], key) != 0)
			i++;
		if (!names[i])
			return cc__bad_arg(err, key, "unknown member '%s' (expected %s)", key,
			                   shape);
	}
	return 0;
}

/* A string member: *out NULL when absent or null; CC_EUSAGE naming it when not a string. */
static int member_str(const struct cc__req *req, const char *name, const char **out,
                      struct cc_err *err)
{
	json_t *v = json_object_get(req->body, name);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return cc__bad_arg(err, name, "%s: expected a string", name);
	*out = json_string_value(v);
	return 0;
}

/* A whole-number member in [min, max]: *given false when absent or null. */
static int member_int(const struct cc__req *req, const char *name, int64_t min, int64_t max,
                      int64_t *out, bool *given, struct cc_err *err)
{
	json_t *v = json_object_get(req->body, name);

	*given = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return cc__bad_arg(err, name, "%s: expected a whole number from %lld to %lld", name,
		                   (long long)min, (long long)max);
	*out = json_integer_value(v);
	*given = true;
	return 0;
}

/* A date member ("YYYY-MM-DD"): *out CC_DATE_NONE when absent or null. */
static int member_date(const struct cc__req *req, const char *name, int32_t *out,
                       struct cc_err *err)
{
	const char *s;
	int ret;

	*out = CC_DATE_NONE;
	if ((ret = member_str(req, name, &s, err)) < 0 || !s)
		return ret;
	if (cc_date_parse(s, out, NULL) < 0)
		return cc__bad_arg(err, name, "%s: '%s' is not a date (YYYY-MM-DD)", name, s);
	return 0;
}

/* The answer's format: json (0) or csv (1) from ?format=. */
static int format_arg(const struct cc__req *req, int *csv, struct cc_err *err)
{
	*csv = 0;
	return cc__arg_choice(req, "format", "json|csv", csv, err);
}

/* ---- GET and PUT /api/mission ---- */

/* `concord mission show --json` for the caller's mission. */
int cc__api_mission_get(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_mission_settings s;
	int ret;

	if ((ret = cc_mission_settings_load(req->st, req->who->mission_code, &s, err)) < 0)
		return ret;
	return cc_mission_settings_format(&s, CC_FORMAT_JSON, out, err);
}

/* `concord mission set --currency C --rate-tolerance D`, answered as GET /api/mission. */
int cc__api_mission_set(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	static const char *const names[] = { "currency", "rate_tolerance", NULL };
	static const char shape[] = "{\"currency\": CODE, \"rate_tolerance\": DAYS}";
	struct cc_mission_settings s;
	const char *currency;
	int64_t tol = -1;
	bool tol_given;
	int ret;

	if ((ret = body_check(req, names, shape, err)) < 0 ||
	    (ret = member_str(req, "currency", &currency, err)) < 0 ||
	    (ret = member_int(req, "rate_tolerance", 0, 31, &tol, &tol_given, err)) < 0)
		return ret;
	if ((ret = cc__writes_lock(req, err)) == 0)
		ret = cc_mission_settings_set(req->st, req->who->mission_code, currency, (int)tol, &s, err);
	ret = cc__writes_unlock(req, ret, err);
	if (ret < 0)
		return ret;
	return cc_mission_settings_format(&s, CC_FORMAT_JSON, out, err);
}

/* ---- the gazetteer ---- */

/* POST /api/areas/{pcode}/aliases {"name": NAME}: `concord area alias add PCODE NAME --json` */
int cc__api_area_alias_add(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	static const char *const names[] = { "name", NULL };
	struct cc_buf norm = CC_BUF_INIT(0);
	struct cc_area a;
	const char *name;
	int ret;

	if ((ret = body_check(req, names, "{\"name\": NAME}", err)) < 0 ||
	    (ret = member_str(req, "name", &name, err)) < 0)
		return ret;
	if (!name)
		return cc__bad_arg(err, "name", "name: give the other name of the area");
	if ((ret = cc_area_alias_add(req->st, cc__req_param(req, "pcode"), name, "api", &a, &norm,
	                             err)) == 0)
		ret = cc_area_alias_format(&a, name, norm.buf, CC_FORMAT_JSON, out, err);
	cc_buf_release(&norm);
	return ret;
}

/* The validity of the area of the path as `concord area valid PCODE --json` prints it. */
static int validity_reply(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *pcode = cc__req_param(req, "pcode");
	int32_t from, to;
	int ret;

	if ((ret = cc_store_area_validity(req->st, pcode, &from, &to, err)) < 0) {
		if (ret == CC_ENOTFOUND)
			cc_err_at(err, NULL, 0, "pcode");
		return ret;
	}
	return cc_area_validity_format(pcode, from, to, CC_FORMAT_JSON, out, err);
}

/* GET /api/areas/{pcode}/validity */
int cc__api_area_validity_get(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return validity_reply(req, out, err);
}

/* PUT /api/areas/{pcode}/validity {"from", "to"}: absent or null is open, as the CLI's. */
int cc__api_area_validity_set(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	static const char *const names[] = { "from", "to", NULL };
	int32_t from, to;
	int ret;

	if ((ret = body_check(req, names, "{\"from\": DATE|null, \"to\": DATE|null}", err)) < 0 ||
	    (ret = member_date(req, "from", &from, err)) < 0 ||
	    (ret = member_date(req, "to", &to, err)) < 0 ||
	    (ret = cc_area_validity_set(req->st, cc__req_param(req, "pcode"), from, to, err)) < 0)
		return ret;
	return validity_reply(req, out, err);
}

const struct cc__query_param cc__crosswalk_query[] = {
	{ .name = "format",
	  .type = "string",
	  .enum_values = "json|csv",
	  .description = "json (default) or csv, as `concord area crosswalk` prints it" },
	{ .name = NULL },
};

/* GET /api/crosswalk: `concord area crosswalk` (--json) */
int cc__api_crosswalk(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_crosswalk *cw = NULL;
	size_t n = 0;
	int csv, ret;

	if ((ret = format_arg(req, &csv, err)) < 0)
		return ret;
	if ((ret = cc_store_list_crosswalk(req->st, &cw, &n, err)) == 0)
		ret = cc_crosswalk_format(cw, n, csv ? CC_FORMAT_CSV : CC_FORMAT_JSON, out, err);
	cc_free(cw);
	if (ret == 0 && csv)
		req->content_type = "text/csv; charset=utf-8";
	return ret;
}

const struct cc__query_param cc__population_query[] = {
	{ .name = "year",
	  .type = "integer",
	  .description = "the figures of this year, 1900 to 2200 (each area's newest)" },
	{ .name = "at",
	  .type = "string",
	  .format = "date",
	  .description = "carried onto the layout valid on this day (the latest)" },
	{ .name = "format",
	  .type = "string",
	  .enum_values = "json|csv",
	  .description = "json (default) or csv, as `concord area population` prints it" },
	{ .name = NULL },
};

/* GET /api/areas/population: `concord area population [--year Y] [--at DATE]` (--json) */
int cc__api_area_population(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_area_population *pop = NULL;
	int32_t at = CC_DATE_NONE;
	int64_t year = 0;
	size_t n = 0;
	int csv, ret;

	if ((ret = cc__arg_int(req, "year", 1900, 2200, &year, err)) < 0 ||
	    (ret = cc__arg_date(req, "at", &at, err)) < 0 || (ret = format_arg(req, &csv, err)) < 0)
		return ret;
	if ((ret = cc_area_population_load(req->st, (int)year, at, &pop, &n, err)) == 0)
		ret = cc_area_population_format(pop, n, (int)year, at,
		                                csv ? CC_FORMAT_CSV : CC_FORMAT_JSON, out, err);
	cc_free(pop);
	if (ret == 0 && csv)
		req->content_type = "text/csv; charset=utf-8";
	return ret;
}

/* ---- users ---- */

/*
 * POST /api/users {"name", "org", "role"}: `concord user add NAME --org ORG --role ROLE --json`
 * in the caller's mission. Its token: POST /api/tokens.
 */
int cc__api_user_add(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	static const char *const names[] = { "name", "org", "role", NULL };
	struct cc_user_spec spec = { .mission = req->who->mission_code, .role = CC_ROLE_VIEWER };
	const char *role = NULL;
	struct cc_user u;
	char org_key[128];
	int ret;

	if ((ret = body_check(req, names,
	                      "{\"name\": NAME, \"org\": ORG, \"role\": "
	                      "\"viewer|editor|coordinator|admin\"}",
	                      err)) < 0 ||
	    (ret = member_str(req, "name", &spec.name, err)) < 0 ||
	    (ret = member_str(req, "org", &spec.org, err)) < 0 ||
	    (ret = member_str(req, "role", &role, err)) < 0)
		return ret;
	if (!spec.name)
		return cc__bad_arg(err, "name", "name: give the user's name");
	if (!spec.org || !*spec.org)
		return cc__bad_arg(err, "org", "org: give the user's organisation");
	if (role && cc_role_parse(role, &spec.role, NULL) < 0)
		return cc__bad_arg(err, "role",
		                   "role: '%s': choose viewer, editor, coordinator or admin", role);
	if ((ret = cc__writes_lock(req, err)) == 0)
		ret = cc_user_add(req->st, &spec, &u, org_key, err);
	ret = cc__writes_unlock(req, ret, err);
	if (ret < 0)
		return ret;
	return cc_user_format(&u, org_key, req->who->mission_code, CC_FORMAT_JSON, out, err);
}

/* ---- retention ---- */

/*
 * POST /api/retention {"sites": DAYS, "personal": DAYS, "at": DATE, "dry_run": BOOL}:
 * `concord retention ... --json` over the caller's mission.
 */
int cc__api_retention(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	static const char *const names[] = { "sites", "personal", "at", "dry_run", NULL };
	struct cc_retention r = { .sites_days = -1, .personal_days = -1 };
	json_t *dry;
	bool given;
	int ret;

	if ((ret = body_check(req, names,
	                      "{\"sites\": DAYS, \"personal\": DAYS, \"at\": DATE, \"dry_run\": "
	                      "true|false}",
	                      err)) < 0 ||
	    (ret = member_int(req, "sites", 0, 36500, &r.sites_days, &given, err)) < 0 ||
	    (ret = member_int(req, "personal", 0, 36500, &r.personal_days, &given, err)) < 0 ||
	    (ret = member_date(req, "at", &r.at, err)) < 0)
		return ret;
	dry = json_object_get(req->body, "dry_run");
	if (dry && !json_is_boolean(dry) && !json_is_null(dry))
		return cc__bad_arg(err, "dry_run", "dry_run: expected true or false");
	r.dry_run = dry && json_is_true(dry);
	if ((ret = cc_retention_apply(req->st, req->who->mission_code, &r, err)) < 0)
		return ret;
	return cc_retention_format(&r, CC_FORMAT_JSON, out, err);
}

/* ---- the blank 3W ---- */

/* GET /api/template/3w and /api/template/3w-lists: the files of `concord template 3w`. */
static int template_file(struct cc__req *req, struct cc_buf *out, bool lists, struct cc_err *err)
{
	struct cc_buf other = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_mission m;
	int ret;

	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	ret = lists ? cc_template_3w_buf(req->st, m.id, &other, out, NULL, NULL, NULL, err)
	            : cc_template_3w_buf(req->st, m.id, out, &other, NULL, NULL, NULL, err);
	cc_buf_release(&other);
	if (ret < 0) {
		cc_buf_clear(out);
		return ret;
	}
	req->content_type = "text/csv; charset=utf-8";
	req->disposition =
	        lists ? "attachment; filename=\"3w-lists.csv\"" : "attachment; filename=\"3w.csv\"";
	return 0;
}

int cc__api_template_3w(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return template_file(req, out, false, err);
}

int cc__api_template_3w_lists(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return template_file(req, out, true, err);
}
