/*
 * The analysis endpoints of the API: gaps, overlap, progress, plan review and the review report.
 * Each makes the same library calls as its command (`concord gaps --json` and GET /api/gaps
 * give the same bytes for the same store and options) and reads through the request's store
 * handle, whose viewer http.c has set to the caller: an analysis counts only the records the
 * caller may see, and the report holds only what the caller may see.
 *
 * Query arguments mirror the command's options; a bad value answers 400 naming the argument.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/admin.h>
#include <concord/alloc.h>
#include <concord/analyses.h>
#include <concord/indicators.h>
#include <concord/overlap.h>
#include <concord/progress.h>
#include <concord/report.h>
#include <concord/review.h>
#include <concord/server.h>
#include <concord/text.h>

#include "server/server.h"

#include "core/banned.h"

/* ---- helpers ---- */






/* from and to, to not before from. */
static int arg_period(const struct cc__req *req, int32_t *from, int32_t *to, struct cc_err *err)
{
	int ret;

	*from = *to = CC_DATE_NONE;
	if ((ret = cc__arg_date(req, "from", from, err)) < 0 ||
	    (ret = cc__arg_date(req, "to", to, err)) < 0)
		return ret;
	if (*from != CC_DATE_NONE && *to != CC_DATE_NONE && *to < *from)
		return cc__bad_arg(err, "to", "to is before from");
	return 0;
}

static int32_t today(void)
{
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	return cc_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* ---- GET /api/gaps ---- */

const struct cc__query_param cc__gaps_query[] = {
	{ .name = "level",
	  .type = "integer",
	  .description = "admin level of the rows, 1 to 5 (1)" },
	{ .name = "by",
	  .type = "string",
	  .enum_values = "sector|pillar",
	  .description = "rows per area and sector or pillar (sector)" },
	{ .name = "reach",
	  .type = "string",
	  .enum_values = "max|sum",
	  .description = "organisations combined by their largest figure or their sum (max)" },
	{ .name = "planning",
	  .type = "string",
	  .enum_values = "true|false",
	  .description = "compare needs with people targeted rather than reached (false)" },
	{ .name = "from", .type = "string", .format = "date", .description = "period from" },
	{ .name = "to", .type = "string", .format = "date", .description = "period up to" },
	{ .name = "format",
	  .type = "string",
	  .enum_values = "json|geojson",
	  .description = "the `--json` object, or GeoJSON features with the areas' boundaries" },
	{ .name = NULL },
};

/* The same calls and output as `concord gaps --json` (or --geojson). */
int cc__api_gaps(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_gap_opts o = { .level = 1, .reach = CC_REACH_MAX, .by = CC_GAP_BY_SECTOR };
	struct cc_gaps g = { 0 };
	struct cc_mission m;
	int32_t from, to;
	int64_t level = 1;
	int by = 0, reach = 0, planning = 1, geojson = 0, ret;

	if ((ret = cc__arg_int(req, "level", 1, 5, &level, err)) < 0 ||
	    (ret = cc__arg_choice(req, "by", "sector|pillar", &by, err)) < 0 ||
	    (ret = cc__arg_choice(req, "reach", "max|sum", &reach, err)) < 0 ||
	    (ret = cc__arg_choice(req, "planning", "true|false", &planning, err)) < 0 ||
	    (ret = cc__arg_choice(req, "format", "json|geojson", &geojson, err)) < 0 ||
	    (ret = arg_period(req, &from, &to, err)) < 0)
		return ret;
	o.level = (int)level;
	o.by = by ? CC_GAP_BY_PILLAR : CC_GAP_BY_SECTOR;
	o.reach = reach ? CC_REACH_SUM : CC_REACH_MAX;
	o.planning = planning == 0;
	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	ret = cc_gaps_load(req->st,
	                   &(struct cc_gaps_query){ .mission_id = m.id, .from = from, .to = to },
	                   &o, &g, err);
	if (ret == 0)
		ret = geojson ? cc_gaps_geojson(&g, req->st, out, err)
		              : cc_gaps_format(&g, CC_FORMAT_JSON, out, err);
	cc_gaps_release(&g);
	return ret;
}

/* ---- GET /api/overlap ---- */

const struct cc__query_param cc__overlap_query[] = {
	{ .name = "distance",
	  .type = "number",
	  .description = "sites within this many km match, 0 to 1000 (0: places by area only)" },
	{ .name = "min_score",
	  .type = "number",
	  .description = "pairs below, 0 to 1, left out (0)" },
	{ .name = "level",
	  .type = "integer",
	  .description = "admin level of \"same area\", 0 to 5 (2)" },
	{ .name = "format",
	  .type = "string",
	  .enum_values = "json|geojson",
	  .description = "the `--json` object, or GeoJSON features with the pairs' sites" },
	{ .name = NULL },
};

/* The same calls and output as `concord overlap --json` (or --geojson). */
int cc__api_overlap(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_overlap_opts o = { .distance_km = 0, .min_score = 0, .level = 2 };
	struct cc_overlap_input in = { 0 };
	struct cc_overlap ov = { 0 };
	struct cc_mission m;
	int64_t level = 2;
	int geojson = 0, ret;

	if ((ret = cc__arg_num(req, "distance", 0, 1000, &o.distance_km, err)) < 0 ||
	    (ret = cc__arg_num(req, "min_score", 0, 1, &o.min_score, err)) < 0 ||
	    (ret = cc__arg_int(req, "level", 0, CC_OV_LEVELS - 1, &level, err)) < 0 ||
	    (ret = cc__arg_choice(req, "format", "json|geojson", &geojson, err)) < 0)
		return ret;
	o.level = (int)level;
	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	ret = cc_store_load_overlap(req->st, m.id, &in, err);
	if (ret == 0)
		ret = cc_overlap_compute(in.acts, in.n, &o, &ov, err);
	if (ret == 0)
		ret = geojson ? cc_overlap_geojson(&in, &ov, req->st, out, err)
		              : cc_overlap_format(&in, &ov, CC_FORMAT_JSON, out, err);
	cc_overlap_release(&ov);
	cc_overlap_input_release(&in);
	return ret;
}

/* ---- GET /api/progress ---- */

const struct cc__query_param cc__progress_query[] = {
	{ .name = "indicator", .type = "string", .description = "one indicator code" },
	{ .name = "area", .type = "string", .description = "one P-code" },
	{ .name = "at",
	  .type = "string",
	  .format = "date",
	  .description = "as of this day: later observations are not read (today)" },
	{ .name = "on_track",
	  .type = "number",
	  .description = "progress/expected at or above: on track, in (0, 1] (the mission's, "
	                 "else 0.90)" },
	{ .name = "at_risk",
	  .type = "number",
	  .description = "progress/expected at or above: at risk, in (0, 1] (the mission's, "
	                 "else 0.75)" },
	{ .name = "alpha",
	  .type = "number",
	  .description = "trend significance, in (0, 1] (the mission's, else 0.05)" },
	{ .name = "max_age",
	  .type = "integer",
	  .description = "stale after this many days, 1 to 36600 (the mission's, else 180 or "
	                 "2 x the period)" },
	{ .name = NULL },
};

/* A number in (0, 1]. */
static int arg_share(const struct cc__req *req, const char *name, double *out, struct cc_err *err)
{
	const char *v = cc__req_query(req, name);
	double d;

	if (!v)
		return 0;
	if (cc_parse_double(v, &d, NULL) < 0 || !(d > 0 && d <= 1))
		return cc__bad_arg(err, name, "%s: '%s' is not a number in (0, 1]", name, v);
	*out = d;
	return 0;
}

/*
 * The same calls and output as `concord progress --json`: thresholds not given come from the
 * mission's status rule, else the defaults, and the answer says which.
 */
int cc__api_progress(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_progress_opts o = { .at = CC_DATE_NONE };
	struct cc_indicator_query q = { .at = CC_DATE_NONE };
	struct cc_indicator_data data = { 0 };
	struct cc_progress_result *res = NULL;
	struct cc_mission m;
	int64_t max_age = 0;
	size_t n = 0;
	int ret;

	if ((ret = cc__arg_date(req, "at", &q.at, err)) < 0 ||
	    (ret = arg_share(req, "on_track", &o.on_track, err)) < 0 ||
	    (ret = arg_share(req, "at_risk", &o.at_risk, err)) < 0 ||
	    (ret = arg_share(req, "alpha", &o.alpha, err)) < 0 ||
	    (ret = cc__arg_int(req, "max_age", 1, 36600, &max_age, err)) < 0)
		return ret;
	if (o.on_track > 0 && o.at_risk > o.on_track)
		return cc__bad_arg(err, "at_risk", "at_risk must not be above on_track");
	o.max_age_days = (int)max_age;
	q.indicator = cc__req_query(req, "indicator");
	q.area = cc__req_query(req, "area");
	o.at = q.at != CC_DATE_NONE ? q.at : today();
	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	q.mission_id = m.id;
	if ((ret = cc_progress_opts_for_mission(req->st, m.id, &o, err)) == CC_EINVALID) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		return cc__bad_arg(err, "at_risk", "%s", msg);
	}
	if (ret < 0)
		return ret;
	if ((ret = cc_store_load_indicator_data(req->st, &q, &data, err)) < 0)
		return ret;
	if (q.indicator && data.n_indicators == 0) {
		cc_indicator_data_release(&data);
		cc_err_set(err, CC_ENOTFOUND, "unknown indicator '%s'", q.indicator);
		cc_err_at(err, NULL, 0, "indicator");
		return CC_ENOTFOUND;
	}
	ret = cc_progress_compute(&data, &o, &res, &n, err);
	if (ret == 0)
		ret = cc_progress_format_json(&data, res, n, &o, out, err);
	cc_free(res);
	cc_indicator_data_release(&data);
	return ret;
}

/* ---- GET /api/rollup ---- */

const struct cc__query_param cc__rollup_query[] = {
	{ .name = "indicator", .type = "string", .description = "one indicator code (all)" },
	{ .name = "level",
	  .type = "integer",
	  .description = "admin level rolled up to, 0 to 5 (1)" },
	{ .name = "at",
	  .type = "string",
	  .format = "date",
	  .description = "observations up to this day, populations of its year (all)" },
	{ .name = NULL },
};

/* The same calls and output as `concord rollup --json`. */
int cc__api_rollup(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *indicator = cc__req_query(req, "indicator");
	struct cc_indicator_data data = { 0 };
	struct cc_area *areas = NULL;
	struct cc_rollup ru = { 0 };
	struct cc_mission m;
	int32_t at = CC_DATE_NONE;
	int64_t level = 1;
	size_t n_areas = 0;
	int ret;

	if ((ret = cc__arg_int(req, "level", 0, 5, &level, err)) < 0 ||
	    (ret = cc__arg_date(req, "at", &at, err)) < 0)
		return ret;
	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	ret = cc_rollup_load(req->st, m.id, indicator, (int)level, at, &data, &areas, &n_areas, &ru,
	                     err);
	if (ret == CC_ENOTFOUND && indicator)
		cc_err_at(err, NULL, 0, "indicator");
	if (ret < 0)
		return ret;
	ret = cc_rollup_format_json(&data, areas, &ru, (int)level, at, out, err);
	cc_rollup_release(&ru);
	cc_free(areas);
	cc_indicator_data_release(&data);
	return ret;
}

/* ---- GET /api/index ---- */

const struct cc__query_param cc__index_query[] = {
	{ .name = "level",
	  .type = "integer",
	  .description = "admin level of the areas, 0 to 5 (the definition's, else 1)" },
	{ .name = "at",
	  .type = "string",
	  .format = "date",
	  .description = "observations up to this day (all)" },
	{ .name = NULL },
};

/*
 * The same calls and output as `concord index --json` with the server's definition (serve
 * --index FILE, as --config FILE), else the default: every indicator with goalposts at weight 1,
 * arithmetic means.
 */
int cc__api_index(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_index_run x;
	struct cc_mission m;
	int32_t at = CC_DATE_NONE;
	int64_t level = 1;
	int ret;

	const char *config = req->opts ? req->opts->index_config : NULL;

	/* the server's definition names its level, unless the request gives one */
	if (config && !cc__req_query(req, "level"))
		level = -1;
	if ((ret = cc__arg_int(req, "level", 0, 5, &level, err)) < 0 ||
	    (ret = cc__arg_date(req, "at", &at, err)) < 0)
		return ret;
	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	if ((ret = cc_index_run(req->st, m.id, config, (int)level, at, &x, err)) < 0)
		return ret;
	ret = cc_index_format_json(&x, out, err);
	cc_index_run_release(&x);
	return ret;
}

/* ---- POST /api/review ---- */

const struct cc__query_param cc__review_query[] = {
	{ .name = "as_of",
	  .type = "string",
	  .format = "date",
	  .description = "last day of the incident window (the latest stored incident)" },
	{ .name = "threshold",
	  .type = "integer",
	  .description = "R3: incidents in the window that make an area insecure, 1 to 1000000" },
	{ .name = "window", .type = "integer", .description = "R3: the window in days, 1 to 3650" },
	{ .name = NULL },
};

static int add_json(const char *s, size_t n, void *ctx)
{
	return cc_buf_add(ctx, s, n) < 0 ? -1 : 0;
}

/*
 * The plan of the body: a JSON object is the plan itself, but for {"text": TEXT}, the text of a
 * plan file, YAML or JSON (so that a YAML plan travels in a JSON body as it is).
 */
static int body_plan(const struct cc__req *req, struct cc_plan *plan, struct cc_err *err)
{
	json_t *text = json_object_get(req->body, "text");
	struct cc_buf dump = CC_BUF_INIT(0);
	int ret;

	if (!json_is_object(req->body))
		return cc__bad_arg(
		        err, "body",
		        "expected the plan as a JSON object, or {\"text\": the text of a YAML "
		        "or JSON plan}");
	if (json_object_size(req->body) == 1 && json_is_string(text))
		return cc_plan_parse("plan", json_string_value(text), json_string_length(text),
		                     plan, err);
	if (json_dump_callback(req->body, add_json, &dump, JSON_COMPACT | JSON_PRESERVE_ORDER) <
	    0) {
		cc_buf_release(&dump);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	ret = cc_plan_parse("plan.json", dump.buf, dump.len, plan, err);
	cc_buf_release(&dump);
	return ret;
}

/* The same calls and findings as `concord review PLAN --json`, against the caller's mission. */
int cc__api_review(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_review_opts o = { .as_of = CC_DATE_NONE };
	struct cc_review_result r;
	struct cc_plan plan;
	struct cc_mission m;
	int64_t threshold = 0, window = 0;
	int ret;

	if ((ret = cc__arg_date(req, "as_of", &o.as_of, err)) < 0 ||
	    (ret = cc__arg_int(req, "threshold", 1, 1000000, &threshold, err)) < 0 ||
	    (ret = cc__arg_int(req, "window", 1, 3650, &window, err)) < 0)
		return ret;
	o.threshold = (size_t)threshold;
	o.window_days = (int)window;
	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	o.mission_id = m.id;
	if ((ret = body_plan(req, &plan, err)) < 0) {
		if (!err->field[0])
			cc_err_at(err, NULL, 0, "body");
		return ret;
	}
	ret = cc_review_plan(req->st, &plan, &o, &r, err);
	if (ret == 0) {
		ret = cc_review_format_json(&plan, &r, out, err);
		cc_review_release(&r);
	}
	cc_plan_release(&plan);
	return ret;
}

/* ---- GET /api/report ---- */

const struct cc__query_param cc__report_query[] = {
	{ .name = "format",
	  .type = "string",
	  .enum_values = "html|md",
	  .description = "one self-contained HTML file, or Markdown (html)" },
	{ .name = "level",
	  .type = "integer",
	  .description = "admin level of the coverage, map and gaps, 0 to 5 (1)" },
	{ .name = "by",
	  .type = "string",
	  .enum_values = "pillar|sector|cluster",
	  .description = "coverage columns (pillar)" },
	{ .name = "from", .type = "string", .format = "date", .description = "period from" },
	{ .name = "to", .type = "string", .format = "date", .description = "period up to" },
	{ .name = "survey",
	  .type = "string",
	  .description = "a survey question to tabulate by wave" },
	{ .name = NULL },
};

/*
 * The review report of `concord report`, for the caller as its audience: every section is read
 * through the caller's handle. A download: text/html (or text/markdown) as an attachment.
 */
int cc__api_report(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_report_query q = { .mission = req->who->mission_code,
		                     .level = 1,
		                     .by = CC_BY_PILLAR };
	const char *survey = cc__req_query(req, "survey");
	char on[11], generator[64];
	int64_t level = 1;
	int md = 0, by = 0, ret;

	if ((ret = cc__arg_choice(req, "format", "html|md", &md, err)) < 0 ||
	    (ret = cc__arg_int(req, "level", 0, 5, &level, err)) < 0 ||
	    (ret = cc__arg_choice(req, "by", "pillar|sector|cluster", &by, err)) < 0 ||
	    (ret = arg_period(req, &q.from, &q.to, err)) < 0)
		return ret;
	if (survey && !*survey)
		return cc__bad_arg(err, "survey", "survey: give a question name");
	q.level = (int)level;
	q.by = by == 0 ? CC_BY_PILLAR : by == 1 ? CC_BY_SECTOR : CC_BY_CLUSTER;
	q.md = md != 0;
	q.survey = survey ? &survey : NULL;
	q.n_survey = survey ? 1 : 0;
	q.generated_on = cc_date_format(today(), on);
	snprintf(generator, sizeof(generator), "concord %s", CC_VERSION);
	q.generator = generator;
	ret = cc_report_build(req->st, &q, out, err);
	if (ret == CC_ENOTFOUND && survey && !err->field[0])
		cc_err_at(err, NULL, 0, "survey");
	if (ret < 0)
		return ret;
	req->content_type = q.md ? "text/markdown; charset=utf-8" : "text/html; charset=utf-8";
	req->disposition = q.md ? "attachment; filename=\"report.md\""
	                        : "attachment; filename=\"report.html\"";
	return 0;
}

/* The plan check of POST /api/review alone, for the fuzz target of the API bodies. */
int cc__plan_from_body(const struct cc__req *req, struct cc_plan *plan, struct cc_err *err)
{
	return body_plan(req, plan, err);
}
