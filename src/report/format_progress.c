/*
 * Progress results as JSON (see <concord/report.h>): the one formatter of `concord progress
 * --json` and GET /api/progress. One member per field of struct cc_progress_result, in the
 * order of the struct, so that a field added there is one line added here.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/buf.h>
#include <concord/indicators.h>
#include <concord/progress.h>
#include <concord/report.h>

#include "core/limits.h"

#include "core/banned.h"

/* ",\"key\":" then v with 6 significant digits, null when not finite. */
static int num(struct cc_buf *b, const char *key, double v)
{
	int ret = cc_buf_addf(b, ",\"%s\":", key);

	if (ret == 0)
		ret = isfinite(v) ? cc_buf_addf(b, "%.6g", v) : cc_buf_adds(b, "null");
	return ret;
}

static int str(struct cc_buf *b, const char *key, const char *s)
{
	int ret = cc_buf_addf(b, ",\"%s\":", key);

	return ret == 0 ? cc_buf_add_json_str(b, s) : ret;
}

static int date(struct cc_buf *b, const char *key, int32_t d)
{
	char dt[11];

	if (d == CC_DATE_NONE)
		return cc_buf_addf(b, ",\"%s\":null", key);
	return cc_buf_addf(b, ",\"%s\":\"%s\"", key, cc_date_format(d, dt));
}

static const char *p_method(const struct cc_trend *t)
{
	if (isnan(t->p))
		return "";
	return t->exact         ? "exact"
	       : t->approximate ? "normal (n < 10, exact unavailable)"
	                        : "normal";
}

/* The projection's word: a date is "date" (its day in projected_date). */
static const char *projection(const struct cc_progress_result *r)
{
	switch (r->projection) {
	case CC_PROJ_DATE:
		return "date";
	case CC_PROJ_NONE:
		return !isnan(r->target) && r->trend.n < CC_TREND_MIN_N ? "too few points" : "";
	case CC_PROJ_ATTAINED:
	case CC_PROJ_NOT_REACHED:
		break;
	}
	return cc_projection_name(r->projection);
}

static int result_json(struct cc_buf *b, const struct cc_indicator *ind,
                       const struct cc_progress_result *x)
{
	int ret = cc_buf_adds(b, "{\"indicator\":");

	if (ret == 0)
		ret = cc_buf_add_json_str(b, ind->code);
	if (ret == 0)
		ret = str(b, "area", x->area);
	if (ret == 0)
		ret = str(b, "sex", x->sex);
	if (ret == 0)
		ret = str(b, "age_group", x->age_group);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"higher_is_better\":%s,\"n\":%zu,\"missing\":%zu",
		                  ind->higher_is_better ? "true" : "false", x->n_values,
		                  x->n_missing);
	if (ret == 0)
		ret = date(b, "latest_date", x->latest_date);
	if (ret == 0)
		ret = num(b, "latest_value", x->latest_value);
	if (ret == 0)
		ret = num(b, "baseline", x->baseline);
	if (ret == 0)
		ret = num(b, "target", x->target);
	if (ret == 0)
		ret = num(b, "progress", x->progress);
	if (ret == 0)
		ret = num(b, "expected", x->expected);
	if (ret == 0)
		ret = num(b, "ratio", x->ratio);
	if (ret == 0)
		ret = cc_buf_addf(b,
		                  ",\"status\":\"%s\",\"max_age_days\":%d,\"trend\":{\"direction\":"
		                  "\"%s\",\"n\":%zu",
		                  cc_status_name(x->status), x->max_age_days,
		                  cc_trend_dir_name(x->trend.dir), x->trend.n);
	if (ret == 0)
		ret = num(b, "slope_per_day", x->trend.slope);
	if (ret == 0)
		ret = num(b, "intercept", x->trend.intercept);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"s\":%ld", x->trend.s);
	if (ret == 0)
		ret = num(b, "var_s", x->trend.var_s);
	if (ret == 0)
		ret = num(b, "z", x->trend.z);
	if (ret == 0)
		ret = num(b, "p", x->trend.p);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"p_method\":\"%s\"}", p_method(&x->trend));
	if (ret == 0)
		ret = str(b, "projection", projection(x));
	if (ret == 0)
		ret = date(b, "projected_date",
		           x->projection == CC_PROJ_DATE ? x->projected_date : CC_DATE_NONE);
	if (ret == 0)
		ret = cc_buf_addch(b, '}');
	return ret;
}

int cc_progress_rule_json(const struct cc_progress_opts *o, struct cc_buf *b)
{
	return cc_buf_addf(b,
	                   "{\"on_track\":%.6g,\"at_risk\":%.6g,\"alpha\":%.6g,\"max_age_days\":%d,"
	                   "\"from\":{\"on_track\":\"%s\",\"at_risk\":\"%s\",\"alpha\":\"%s\","
	                   "\"max_age_days\":\"%s\"}}",
	                   o->on_track, o->at_risk, o->alpha, o->max_age_days,
	                   cc_rule_source_name(o->from_on_track),
	                   cc_rule_source_name(o->from_at_risk), cc_rule_source_name(o->from_alpha),
	                   cc_rule_source_name(o->from_max_age));
}

int cc_progress_rule_text(const struct cc_progress_opts *o, struct cc_buf *b)
{
	int ret =
	        cc_buf_addf(b,
	                    "on_track if progress/expected >= %.2f (%s), at_risk if >= %.2f (%s), "
	                    "off_track below; ",
	                    o->on_track, cc_rule_source_name(o->from_on_track), o->at_risk,
	                    cc_rule_source_name(o->from_at_risk));

	if (ret == 0 && o->max_age_days)
		ret = cc_buf_addf(b, "stale after %d days (%s); ", o->max_age_days,
		                  cc_rule_source_name(o->from_max_age));
	else if (ret == 0)
		ret = cc_buf_addf(
		        b, "stale after 180 days or 2 x the indicator's reporting period (%s); ",
		        cc_rule_source_name(o->from_max_age));
	if (ret == 0)
		ret = cc_buf_addf(b, "trend alpha %.2f (%s)", o->alpha,
		                  cc_rule_source_name(o->from_alpha));
	return ret;
}

int cc_progress_format_json(const struct cc_indicator_data *data,
                            const struct cc_progress_result *res, size_t n,
                            const struct cc_progress_opts *o, struct cc_buf *out,
                            struct cc_err *err)
{
	struct cc_buf b = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	char dt[11];
	int ret;

	ret = cc_buf_addf(&b, "{\"as_of\":\"%s\",\"rule\":", cc_date_format(o->at, dt));
	if (ret == 0)
		ret = cc_progress_rule_json(o, &b);
	if (ret == 0)
		ret = cc_buf_adds(&b, ",\"results\":[");
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (i)
			ret = cc_buf_addch(&b, ',');
		if (ret == 0)
			ret = result_json(&b, &data->indicators[res[i].indicator], &res[i]);
	}
	if (ret == 0)
		ret = cc_buf_adds(&b, "]}\n");
	if (ret == 0)
		ret = cc_buf_add(out, b.buf, b.len);
	cc_buf_release(&b);
	if (ret == CC_ENOMEM)
		return cc_err_set(err, ret, "out of memory formatting progress");
	if (ret < 0)
		return cc_err_set(err, ret, "progress output exceeds %u bytes",
		                  (unsigned)CC_LIMIT_TEXT_OUT);
	return 0;
}
