/*
 * GET /api/exposure: `concord exposure --json` (or --geojson) for the caller. The same call
 * (cc_exposure_format) through the request's store handle, whose viewer is the caller: only
 * the activities it may see are sites, an exact site it may not see stands at its area's
 * centroid, and only the incidents it may see are counted. A sites file (--sites) is a
 * command-line option only: the server reads no files named by a request.
 */
#include <stdio.h>
#include <string.h>

#include <concord/exposure.h>
#include <concord/model.h>
#include <concord/text.h>

#include "server/server.h"

#include "core/banned.h"

/* A bad argument: CC_EUSAGE naming it. */
static int bad(struct cc_err *err, const char *field, const char *what, const char *value)
{
	cc_err_set(err, CC_EUSAGE, "%s: '%.64s' is not %s", field, value, what);
	cc_err_at(err, NULL, 0, field);
	return CC_EUSAGE;
}

const struct cc__query_param cc__exposure_query[] = {
	{ .name = "radius",
	  .type = "number",
	  .description = "km around each site, great circle, more than 0 up to 20100 (10)" },
	{ .name = "days", .type = "integer", .description = "window length, 1 to 36500 (90)" },
	{ .name = "at",
	  .type = "string",
	  .description = "the windows' last day: a date (YYYY-MM-DD; default the latest "
	                 "incident), or start or end: each activity's own date" },
	{ .name = "by",
	  .type = "string",
	  .enum_values = "site|area",
	  .description = "per activity site, or per admin area (site)" },
	{ .name = "level", .type = "integer", .description = "admin level of --by area, 0 to 5 (1)" },
	{ .name = "all_precisions",
	  .type = "string",
	  .enum_values = "true|false",
	  .description = "also the imprecisely located events (false)" },
	{ .name = "format",
	  .type = "string",
	  .enum_values = "json|geojson",
	  .description = "the `--json` object, or GeoJSON features" },
	{ .name = NULL },
};

int cc__api_exposure(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_exposure_query q = { .radius_km = 10, .days = 90, .at = CC_DATE_NONE, .level = 1 };
	enum cc_exposure_out fmt = CC_EXPOSURE_JSON;
	struct cc_mission m;
	const char *v;
	int64_t n;
	int ret;

	if ((v = cc__req_query(req, "radius")) &&
	    (cc_parse_double(v, &q.radius_km, NULL) < 0 || !(q.radius_km > 0) ||
	     q.radius_km > 20100))
		return bad(err, "radius", "a distance in km (0 < R <= 20100)", v);
	if ((v = cc__req_query(req, "days"))) {
		if (cc_parse_i64(v, 1, 36500, &n, NULL) < 0)
			return bad(err, "days", "a whole number from 1 to 36500", v);
		q.days = (int)n;
	}
	if ((v = cc__req_query(req, "at"))) {
		if (!strcmp(v, "start"))
			q.at_mode = CC_EXPOSURE_AT_START;
		else if (!strcmp(v, "end"))
			q.at_mode = CC_EXPOSURE_AT_END;
		else if (cc_date_parse(v, &q.at, NULL) < 0)
			return bad(err, "at", "a date (YYYY-MM-DD), start or end", v);
	}
	if ((v = cc__req_query(req, "by"))) {
		if (strcmp(v, "site") && strcmp(v, "area"))
			return bad(err, "by", "site or area", v);
		q.by_area = !strcmp(v, "area");
	}
	if ((v = cc__req_query(req, "level"))) {
		if (cc_parse_i64(v, 0, 5, &n, NULL) < 0)
			return bad(err, "level", "a whole number from 0 to 5", v);
		q.level = (int)n;
	}
	if ((v = cc__req_query(req, "all_precisions"))) {
		if (strcmp(v, "true") && strcmp(v, "false"))
			return bad(err, "all_precisions", "true or false", v);
		q.all_precisions = !strcmp(v, "true");
	}
	if ((v = cc__req_query(req, "format"))) {
		if (strcmp(v, "json") && strcmp(v, "geojson"))
			return bad(err, "format", "json or geojson", v);
		fmt = !strcmp(v, "geojson") ? CC_EXPOSURE_GEOJSON : CC_EXPOSURE_JSON;
	}
	if (q.by_area && q.at_mode != CC_EXPOSURE_AT_DATE)
		return bad(err, "at", "a date when by=area", v ? v : "");
	if ((ret = cc_store_get_mission(req->st, req->who->mission_code, &m, err)) < 0)
		return ret;
	q.mission_id = m.id;
	return cc_exposure_format(req->st, &q, fmt, out, err);
}
