/*
 * The remaining command-line operations as endpoints: exports as downloads, reporting rounds,
 * money in the reporting currency, the audit chain's verification and the allocation LP. Each
 * makes the library calls of its command and answers with the bytes its formatter gives the
 * command (`concord --as ORG rounds --json` and GET /api/rounds by ORG are the same), read
 * through the request's store handle, whose viewer http.c has set to the caller: an export
 * holds only what the caller may see, as `concord --as ORG export` does.
 *
 * Query arguments mirror the command's options; a bad value answers 400 naming the argument.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/allocate.h>
#include <concord/export.h>
#include <concord/iati.h>
#include <concord/money.h>
#include <concord/report.h>
#include <concord/rounds.h>
#include <concord/text.h>

#include "server/server.h"

#include "core/banned.h"


/* A whole number in [min, max]; *out unchanged when absent. */
static int arg_int(const struct cc__req *req, const char *name, int64_t min, int64_t max,
                   int64_t *out, bool *given, struct cc_err *err)
{
	if (given)
		*given = cc__req_query(req, name) != NULL;
	return cc__arg_int(req, name, min, max, out, err);
}

/* ---- GET /api/export/{kind} ---- */

const struct cc__query_param cc__export_query[] = {
	{ .name = "with_coverage",
	  .type = "string",
	  .enum_values = "0|1|true|false",
	  .description = "areas: add activities, organisations and activities per pillar that the "
	                 "caller may see (needs a level; 1 when not given)" },
	{ .name = "level",
	  .type = "integer",
	  .description = "areas: the admin level of the features, 0 to 5 (every level)" },
	{ .name = "source",
	  .type = "string",
	  .enum_values = "acled|ucdp",
	  .description = "events: the source whose incidents to write, in its own columns (the "
	                 "only one stored when not given)" },
	{ .name = NULL },
};

/*
 * The file of `concord --as ORG export KIND -o FILE` for the caller, as a download:
 * 3w (HXL CSV of the activities it may see), iati (IATI 2.03 XML) or areas (GeoJSON).
 */
int cc__api_export(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *kind = cc__req_param(req, "kind");
	const char *cov = cc__req_query(req, "with_coverage");
	struct cc_export_areas_opts ao = { .level = -1, .mission = req->who->mission_code };
	int64_t level = -1;
	bool level_given = false;
	size_t n = 0;
	int ret;

	if ((ret = arg_int(req, "level", 0, 5, &level, &level_given, err)) < 0)
		return ret;
	if (cov && (!strcmp(cov, "1") || !strcmp(cov, "true")))
		ao.with_coverage = true;
	else if (cov && strcmp(cov, "0") != 0 && strcmp(cov, "false") != 0)
		return cc__bad_arg(err, "with_coverage", "with_coverage: '%s': choose 1 or 0", cov);
	if (strcmp(kind, "events") != 0 && cc__req_query(req, "source"))
		return cc__bad_arg(err, "source", "source is for the events export%s", "");
	if (strcmp(kind, "areas") != 0 && (level_given || cov))
		return cc__bad_arg(err, level_given ? "level" : "with_coverage",
		               "%s is for the areas export",
		               level_given ? "level" : "with_coverage");
	if (!strcmp(kind, "3w")) {
		ret = cc_export_3w_buf(req->st, req->who->mission_code, out, &n, err);
		req->content_type = "text/csv; charset=utf-8";
		req->disposition = "attachment; filename=\"3w.csv\"";
	} else if (!strcmp(kind, "iati")) {
		ret = cc_export_iati_buf(req->st, req->who->mission_code, out, &n, err);
		req->content_type = "application/xml";
		req->disposition = "attachment; filename=\"iati.xml\"";
	} else if (!strcmp(kind, "events")) {
		/* as `concord export events [--source S]` (src/server/api_events.c) */
		ret = cc__export_events(req, out, &n, err);
	} else if (!strcmp(kind, "areas")) {
		ao.level = (int)level;
		if (ao.with_coverage && !level_given)
			ao.level = 1;
		if (ao.with_coverage && ao.level < 1)
			return cc__bad_arg(err, "level", "level: coverage needs an admin level from 1");
		ret = cc_export_areas_buf(req->st, &ao, out, &n, err);
		req->content_type = "application/geo+json";
		req->disposition = "attachment; filename=\"areas.geojson\"";
	} else {
		return cc__bad_arg(err, "kind",
		                   "kind: cannot export '%s': choose 3w, iati, areas or events",
		                   kind);
	}
	if (ret < 0) {
		req->content_type = req->disposition = NULL;
		cc_buf_clear(out);
	}
	return ret;
}

/* ---- GET /api/rounds ---- */

const struct cc__query_param cc__rounds_query[] = {
	{ .name = "as_of",
	  .type = "string",
	  .format = "date",
	  .description = "as known at the end of this day, by import time (now)" },
	{ .name = NULL },
};

/* The same calls and output as `concord rounds --json`. */
int cc__api_rounds(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *as_of_s = cc__req_query(req, "as_of");
	struct cc_submission *subs = NULL;
	struct cc_round_org *orgs = NULL;
	struct cc_rounds rr = { 0 };
	struct cc_mission m;
	size_t n_subs = 0, n_orgs = 0;
	int32_t as_of = CC_DATE_NONE;
	int ret;

	if (as_of_s && cc_date_parse(as_of_s, &as_of, NULL) < 0)
		return cc__bad_arg(err, "as_of", "as_of: '%s' is not a date (YYYY-MM-DD)", as_of_s);
	if ((ret = cc_store_get_mission(req->st, req->who->mission_code, &m, err)) == 0 &&
	    (ret = cc_store_list_submissions(req->st, m.id, as_of, &subs, &n_subs, err)) == 0 &&
	    (ret = cc_store_round_orgs(req->st, m.id, false, &orgs, &n_orgs, err)) == 0 &&
	    (ret = cc_rounds_compute(subs, n_subs, orgs, n_orgs, &rr, err)) == 0)
		ret = cc_rounds_format(&rr, subs, orgs, n_orgs, CC_FORMAT_JSON, out, err);
	cc_rounds_release(&rr);
	cc_free(subs);
	cc_free(orgs);
	return ret;
}

/* ---- GET /api/money ---- */

const struct cc__query_param cc__money_query[] = {
	{ .name = "currency",
	  .type = "string",
	  .description = "ISO 4217 code to convert into (the mission's reporting currency)" },
	{ .name = "rate_tolerance",
	  .type = "integer",
	  .description = "days a rate may be older than the value date, 0 to 31 (the mission's)" },
	{ .name = NULL },
};

/* The same calls and output as `concord money --json`. */
int cc__api_money(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_money_report r;
	int64_t tol = -1;
	int ret;

	if ((ret = arg_int(req, "rate_tolerance", 0, 31, &tol, NULL, err)) < 0)
		return ret;
	ret = cc_money_report_load(req->st, req->who->mission_code, cc__req_query(req, "currency"),
	                           (int)tol, &r, err);
	if (ret == CC_ENOTFOUND && !err->field[0] && !cc__req_query(req, "currency"))
		return cc__bad_arg(err, "currency",
		               "currency: the mission has no reporting currency; give one");
	if (ret < 0)
		return ret;
	ret = cc_money_report_format(&r, CC_FORMAT_JSON, true, out, err);
	cc_money_report_release(&r);
	return ret;
}

/* ---- GET /api/audit/verify ---- */

/*
 * `concord audit verify`: {"ok": true, "entries": N, "head": HASH} when the change log's hash
 * chain verifies, else {"ok": false, "entries_verified": N, "error": the first broken entry}.
 */
int cc__api_audit_verify(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_err verr = { 0 };
	char head[65];
	int64_t n = 0, n_head = 0;
	int ret = cc_store_verify_log(req->st, &n, &verr);

	if (ret == CC_EINVALID)
		return cc__reply_json(out,
		                      json_pack("{s:b, s:I, s:s}", "ok", 0, "entries_verified",
		                                (json_int_t)n, "error", verr.msg),
		                      err);
	if (ret < 0) {
		*err = verr;
		return ret;
	}
	if ((ret = cc_store_log_head(req->st, head, &n_head, err)) < 0)
		return ret;
	return cc__reply_json(out,
	                      json_pack("{s:b, s:I, s:s?}", "ok", 1, "entries", (json_int_t)n,
	                                "head", head[0] ? head : NULL),
	                      err);
}

/* ---- POST /api/allocate ---- */

const struct cc__query_param cc__allocate_query[] = {
	{ .name = "weights",
	  .type = "string",
	  .description = "severity=A,need=B,cost=USD_PER_PERSON,threshold=X,security=TEAMS, as "
	                 "--weights (the problem's)" },
	{ .name = NULL },
};

static int add_json(const char *s, size_t n, void *ctx)
{
	return cc_buf_add(ctx, s, n) < 0 ? -1 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * `concord allocate --problem FILE --json` with the body as the file: the allocation, the
 * binding constraints with their shadow prices, or for an infeasible problem (still 200,
 * "status": "infeasible") the conflicting constraints.
 */
int cc__api_allocate(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *weights = cc__req_query(req, "weights");
	struct cc_buf text = CC_BUF_INIT(0);
	struct cc_alloc_problem p;
	struct cc_alloc_result r = { 0 };
	double t0;
	int ret;

	if (!json_is_object(req->body))
		return cc__bad_arg(err, "body",
		               "expected the problem as a JSON object "
		               "(docs/allocate.md)");
	if (json_dump_callback(req->body, add_json, &text, JSON_COMPACT | JSON_PRESERVE_ORDER) <
	    0) {
		cc_buf_release(&text);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	cc_alloc_problem_init(&p);
	ret = cc_alloc_problem_parse_json("body", text.buf, text.len, &p, err);
	cc_buf_release(&text);
	if (ret < 0) {
		if (!err->field[0])
			cc_err_at(err, NULL, 0, "body");
		goto out_release;
	}
	if (weights && (ret = cc_alloc_set_weights(&p, weights, err)) < 0) {
		if (ret != CC_ENOMEM) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			ret = cc__bad_arg(err, "weights", "weights: %s", msg);
		}
		goto out_release;
	}
	t0 = now_s();
	p.time_limit_s = CC_ALLOC_SERVER_TIME_LIMIT_S; /* one request cannot hold a thread */
	if ((ret = cc_allocate(&p, &r, err)) < 0) {
		if (!err->field[0])
			cc_err_at(err, NULL, 0, "body");
		goto out_release;
	}
	ret = cc_alloc_format(&p, &r, 0, now_s() - t0, CC_FORMAT_JSON, out);
	if (ret < 0)
		ret = cc_err_set(err, ret, "cannot format the allocation");
out_release:
	cc_alloc_result_release(&r);
	cc_alloc_problem_release(&p);
	return ret;
}
