/* concord progress: indicators against their benchmarks, with status, trend and projection */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/admin.h>
#include <concord/alloc.h>
#include <concord/indicators.h>
#include <concord/progress.h>
#include <concord/report.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

enum fmt { F_TABLE, F_CSV, F_JSON };

static int32_t today(void)
{
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	return cc_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* A number with 3 decimals, or "n/a"; never "-0.000" (a value that rounds to zero is 0). */
static const char *num3(double v, char buf[static 32])
{
	if (isnan(v))
		return "n/a";
	snprintf(buf, 32, "%.3f", v);
	if (strcmp(buf, "-0.000") == 0)
		snprintf(buf, 32, "0.000");
	return buf;
}

/* The status rule as the outputs state it, in out (one line); "" when memory runs out. */
static const char *rule_text(const struct cc_progress_opts *o, struct cc_buf *out)
{
	if (cc_progress_rule_text(o, out) < 0)
		return "";
	return out->buf;
}

static const char *numg(double v, char buf[static 32])
{
	if (isnan(v))
		return "";
	snprintf(buf, 32, "%.6g", v);
	return buf;
}

static const char *p_method(const struct cc_trend *t)
{
	if (isnan(t->p))
		return "";
	return t->exact ? "exact" : t->approximate ? "normal (n < 10, exact unavailable)" : "normal";
}

static const char *disagg(const struct cc_progress_result *r, char buf[static 64])
{
	if (!r->sex[0] && !r->age_group[0])
		return "total";
	snprintf(buf, 64, "%s%s%s", r->sex, r->sex[0] && r->age_group[0] ? " " : "",
	         r->age_group);
	return buf;
}

static const char *projected(const struct cc_progress_result *r, char buf[static 32])
{
	char d[11];

	switch (r->projection) {
	case CC_PROJ_DATE:
		snprintf(buf, 32, "%s", cc_date_format(r->projected_date, d));
		return buf;
	case CC_PROJ_NONE:
		if (!isnan(r->target) && r->trend.n < CC_TREND_MIN_N)
			return "too few points";
		return "";
	case CC_PROJ_ATTAINED:
	case CC_PROJ_NOT_REACHED:
		break;
	}
	return cc_projection_name(r->projection);
}

static void print_csv(const struct cc_indicator_data *d, const struct cc_progress_result *r,
                      size_t n, bool header)
{
	static const char *const head[] = {
		"indicator", "area", "sex", "age_group", "direction", "n", "missing",
		"latest_date", "latest_value", "baseline", "target", "progress", "expected", "ratio",
		"status", "max_age_days", "trend", "slope_per_year", "mk_s", "p", "p_method",
		"projection", "projected_date",
	};
	char b[16][32], dt[3][11];

	for (size_t i = 0; header && i < sizeof(head) / sizeof(head[0]); i++)
		cli_csv_field(head[i], i + 1 == sizeof(head) / sizeof(head[0]));
	for (size_t i = 0; i < n; i++) {
		const struct cc_progress_result *x = &r[i];
		const struct cc_indicator *ind = &d->indicators[x->indicator];

		snprintf(b[0], 32, "%zu", x->n_values);
		snprintf(b[1], 32, "%zu", x->n_missing);
		snprintf(b[2], 32, "%d", x->max_age_days);
		snprintf(b[3], 32, "%ld", x->trend.s);
		cli_csv_field(ind->code, false);
		cli_csv_field(x->area, false);
		cli_csv_field(x->sex, false);
		cli_csv_field(x->age_group, false);
		cli_csv_field(ind->higher_is_better ? "higher" : "lower", false);
		cli_csv_field(b[0], false);
		cli_csv_field(b[1], false);
		cli_csv_field(cc_date_format(x->latest_date, dt[0]), false);
		cli_csv_field(numg(x->latest_value, b[4]), false);
		cli_csv_field(numg(x->baseline, b[5]), false);
		cli_csv_field(numg(x->target, b[6]), false);
		cli_csv_field(numg(x->progress, b[7]), false);
		cli_csv_field(numg(x->expected, b[8]), false);
		cli_csv_field(numg(x->ratio, b[9]), false);
		cli_csv_field(cc_status_name(x->status), false);
		cli_csv_field(b[2], false);
		cli_csv_field(cc_trend_dir_name(x->trend.dir), false);
		cli_csv_field(numg(x->trend.slope * 365.25, b[10]), false);
		cli_csv_field(x->trend.n >= 2 ? b[3] : "", false);
		cli_csv_field(numg(x->trend.p, b[11]), false);
		cli_csv_field(p_method(&x->trend), false);
		cli_csv_field(x->projection == CC_PROJ_DATE ? "date" : projected(x, b[12]), false);
		cli_csv_field(x->projection == CC_PROJ_DATE ? cc_date_format(x->projected_date, dt[1])
		                                        : "",
		          true);
	}
}

static void print_table(const struct cc_indicator_data *d, const struct cc_progress_result *r,
                        size_t n, const struct cc_progress_opts *o, int32_t at, bool header)
{
	char dt[11], b[8][32], dg[64], latest[48], trend[64];
	struct cc_buf rule = CC_BUF_INIT(0);

	if (!header)
		goto rows;

	/* each threshold with where it came from: default, mission (mission set) or option */
	printf("Progress as of %s. Status rule: %s;\nno_data without a value after the baseline. "
	       "Trend: Theil-Sen slope, Mann-Kendall test; no verdict below %d values.\n\n",
	       cc_date_format(at, dt), rule_text(o, &rule), CC_TREND_MIN_N);
	cc_buf_release(&rule);
	printf("%-16s %-10s %-10s %-3s %-22s %8s %8s %6s %-9s %-32s %s\n", "indicator", "area",
	       "disagg", "dir", "latest", "progress", "expected", "ratio", "status",
	       "trend (p)", "projected");
rows:
	for (size_t i = 0; i < n; i++) {
		const struct cc_progress_result *x = &r[i];
		const struct cc_indicator *ind = &d->indicators[x->indicator];

		if (isnan(x->latest_value))
			snprintf(latest, sizeof(latest), "-");
		else
			snprintf(latest, sizeof(latest), "%.6g @ %s", x->latest_value,
			         cc_date_format(x->latest_date, dt));
		if (isnan(x->trend.p))
			snprintf(trend, sizeof(trend), "%s", cc_trend_dir_name(x->trend.dir));
		else
			snprintf(trend, sizeof(trend), "%s (p%s%.4f %s)",
			         cc_trend_dir_name(x->trend.dir), x->trend.p < 0.0001 ? "<" : "=",
			         x->trend.p < 0.0001 ? 0.0001 : x->trend.p,
			         x->trend.exact ? "exact" : x->trend.approximate ? "approx!" : "normal");
		printf("%-16s %-10s %-10s %-3s %-22s %8s %8s %6s %-9s %-32s %s\n", ind->code,
		       x->area[0] ? x->area : "(mission)", disagg(x, dg),
		       ind->higher_is_better ? "up" : "dn", latest, num3(x->progress, b[0]),
		       num3(x->expected, b[1]), num3(x->ratio, b[2]), cc_status_name(x->status),
		       trend, projected(x, b[3]));
	}
}

/*
 * Every indicator of the mission, one at a time: each indicator's benchmarks and observations
 * are read (by index), computed and printed before the next, so that memory stays that of the
 * largest indicator, not of all observations (12 million of them take gigabytes as structs).
 * The results are the same as from one read: series never span indicators.
 */
static int progress_by_indicator(struct cli *cli, const struct cc_indicator_query *q0,
                                 const struct cc_progress_opts *o, enum fmt fmt)
{
	struct cc_indicator_query q = *q0;
	struct cc_indicator_data list = { 0 };
	struct cc_err err = { 0 };
	int ret = CLI_OK;

	q.indicators_only = true;
	if (cc_store_load_indicator_data(cli->st, &q, &list, &err) < 0)
		return cli_fail(&err);
	q.indicators_only = false;
	if (fmt == F_TABLE)
		print_table(&list, NULL, 0, o, o->at, true);
	else
		print_csv(&list, NULL, 0, true);
	for (size_t i = 0; i < list.n_indicators && ret == CLI_OK; i++) {
		struct cc_indicator_data data = { 0 };
		struct cc_progress_result *res = NULL;
		size_t n = 0;

		q.indicator = list.indicators[i].code;
		if (cc_store_load_indicator_data(cli->st, &q, &data, &err) < 0 ||
		    cc_progress_compute(&data, o, &res, &n, &err) < 0) {
			ret = cli_fail(&err);
		} else if (fmt == F_TABLE) {
			print_table(&data, res, n, o, o->at, false);
		} else {
			print_csv(&data, res, n, false);
		}
		cc_free(res);
		cc_indicator_data_release(&data);
		if (ret == CLI_OK && ferror(stdout))
			ret = CLI_FAIL;
	}
	cc_indicator_data_release(&list);
	if (fflush(stdout) != 0 || ferror(stdout))
		return CLI_FAIL;
	return ret;
}

/* ---- --by pillar ---- */

static const char *pillar_name(const char *p)
{
	return p[0] ? p : "(none)";
}

static const char *area_name(const char *a)
{
	return strcmp(a, "*") == 0 ? "(all)" : a[0] ? a : "(mission)";
}

static void print_pillars(const struct cc_pillar_rollup *acc, const struct cc_progress_opts *o,
                          int32_t at, enum fmt fmt)
{
	static const enum cc_status order[] = { CC_STATUS_ON_TRACK, CC_STATUS_AT_RISK,
		                                CC_STATUS_OFF_TRACK, CC_STATUS_STALE,
		                                CC_STATUS_NO_DATA,   CC_STATUS_NA };
	char d[11], buf[32];
	struct cc_buf rule = CC_BUF_INIT(0);

	if (fmt == F_CSV) {
		printf("pillar,area,series,on_track,at_risk,off_track,stale,no_data,n_a,with_ratio,"
		       "median_ratio,status\n");
		for (size_t i = 0; i < acc->n_rows; i++) {
			const struct cc_pillar_progress *r = &acc->rows[i];

			cli_csv_field(r->pillar, false);
			cli_csv_field(r->area, false);
			printf("%zu,", r->n_series);
			for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
				printf("%zu,", r->n_status[order[k]]);
			printf("%zu,%s,%s\n", r->n_ratio,
			       isnan(r->median_ratio) ? "" : numg(r->median_ratio, buf),
			       cc_status_name(r->status));
		}
		return;
	}
	printf("Progress by pillar as of %s. Per pillar x area, the total series (no sex or age "
	       "breakdown) of the pillar's indicators,\ncounted by status; the pillar's status is "
	       "the median of the progress/expected ratios of its series judged\non track, at "
	       "risk or off track. Stale and no-data series are counted apart, outside the median; "
	       "with none\njudged, stale when some are stale, else no_data. "
	       "Area (all): every area and the mission's own series together.\nStatus rule: "
	       "%s.\n\n",
	       cc_date_format(at, d), rule_text(o, &rule));
	cc_buf_release(&rule);
	printf("%-16s %-10s %6s %8s %7s %9s %5s %7s %4s %8s %-10s\n", "pillar", "area", "series",
	       "on_track", "at_risk", "off_track", "stale", "no_data", "n/a", "median", "status");
	for (size_t i = 0; i < acc->n_rows; i++) {
		const struct cc_pillar_progress *r = &acc->rows[i];

		printf("%-16s %-10s %6zu %8zu %7zu %9zu %5zu %7zu %4zu %8s %-10s\n",
		       pillar_name(r->pillar), area_name(r->area), r->n_series,
		       r->n_status[CC_STATUS_ON_TRACK], r->n_status[CC_STATUS_AT_RISK],
		       r->n_status[CC_STATUS_OFF_TRACK], r->n_status[CC_STATUS_STALE],
		       r->n_status[CC_STATUS_NO_DATA], r->n_status[CC_STATUS_NA],
		       isnan(r->median_ratio) ? "-" : num3(r->median_ratio, buf),
		       cc_status_name(r->status));
	}
}

static int pillars_json(const struct cc_pillar_rollup *acc, const struct cc_progress_opts *o,
                        int32_t at, struct cc_buf *b)
{
	char d[11];
	int ret = 0;

	ret |= cc_buf_addf(b, "{\"as_of\":\"%s\",\"rule\":", cc_date_format(at, d));
	ret |= cc_buf_add_json_str(b,
	                           "per pillar x area, the total series of the pillar's "
	                           "indicators counted by status; status = the median of the "
	                           "progress/expected ratios of the series judged on track, at "
	                           "risk or off track under the thresholds; stale and no-data "
	                           "series are counted apart, outside the median; with none "
	                           "judged, stale when some are stale, else no_data; area \"*\": "
	                           "every area together");
	ret |= cc_buf_addf(b, ",\"on_track\":%.17g,\"at_risk\":%.17g,\"status_rule\":", o->on_track,
	                   o->at_risk);
	ret |= cc_progress_rule_json(o, b);
	ret |= cc_buf_adds(b, ",\"rows\":[");
	for (size_t i = 0; i < acc->n_rows && ret == 0; i++) {
		const struct cc_pillar_progress *r = &acc->rows[i];

		ret |= cc_buf_adds(b, i ? ",{\"pillar\":" : "{\"pillar\":");
		ret |= cc_buf_add_json_str(b, r->pillar);
		ret |= cc_buf_adds(b, ",\"area\":");
		ret |= cc_buf_add_json_str(b, r->area);
		ret |= cc_buf_addf(b, ",\"series\":%zu,\"counts\":{", r->n_series);
		for (int k = 0; k < 6; k++)
			ret |= cc_buf_addf(b, "%s\"%s\":%zu", k ? "," : "",
			                   cc_status_name((enum cc_status)k), r->n_status[k]);
		ret |= cc_buf_addf(b, "},\"with_ratio\":%zu,\"median_ratio\":", r->n_ratio);
		ret |= isnan(r->median_ratio) ? cc_buf_adds(b, "null")
		                              : cc_buf_addf(b, "%.17g", r->median_ratio);
		ret |= cc_buf_addf(b, ",\"status\":\"%s\"}", cc_status_name(r->status));
	}
	ret |= cc_buf_adds(b, "]}\n");
	return ret < 0 ? CC_ENOMEM : 0;
}

/* Every indicator in turn, its results added to the pillars' roll-up, then printed. */
static int progress_by_pillar(struct cli *cli, const struct cc_indicator_query *q0,
                              const struct cc_progress_opts *o, enum fmt fmt)
{
	struct cc_indicator_query q = *q0;
	struct cc_indicator_data list = { 0 };
	struct cc_pillar_rollup acc = { 0 };
	struct cc_err err = { 0 };
	int ret = 0;

	q.indicators_only = true;
	if (cc_store_load_indicator_data(cli->st, &q, &list, &err) < 0)
		return cli_fail(&err);
	q.indicators_only = false;
	for (size_t i = 0; i < list.n_indicators && ret == 0; i++) {
		struct cc_indicator_data data = { 0 };
		struct cc_progress_result *res = NULL;
		size_t n = 0;

		q.indicator = list.indicators[i].code;
		if ((ret = cc_store_load_indicator_data(cli->st, &q, &data, &err)) == 0 &&
		    (ret = cc_progress_compute(&data, o, &res, &n, &err)) == 0)
			ret = cc_pillar_rollup_add(&acc, &data, res, n, &err);
		cc_free(res);
		cc_indicator_data_release(&data);
	}
	cc_indicator_data_release(&list);
	if (ret == 0)
		ret = cc_pillar_rollup_finish(&acc, o, &err);
	if (ret == 0 && fmt == F_JSON) {
		struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);

		if ((ret = pillars_json(&acc, o, o->at, &out)) < 0)
			cc_err_set(&err, ret, "out of memory");
		else if (cli_write(out.buf, out.len) != CLI_OK)
			ret = CC_EIO;
		cc_buf_release(&out);
	} else if (ret == 0) {
		print_pillars(&acc, o, o->at, fmt);
	}
	cc_pillar_rollup_release(&acc);
	if (ret < 0)
		return err.code ? cli_fail(&err) : CLI_FAIL;
	if (fflush(stdout) != 0 || ferror(stdout))
		return CLI_FAIL;
	return CLI_OK;
}

int cmd_progress(struct cli *cli, int argc, char **argv)
{
	enum { O_INDICATOR = 256, O_AREA, O_AT, O_CSV, O_JSON, O_ON_TRACK, O_AT_RISK, O_MAX_AGE,
	       O_ALPHA, O_BY };
	static const struct option longopts[] = {
		{ "indicator", required_argument, NULL, O_INDICATOR },
		{ "area", required_argument, NULL, O_AREA },
		{ "at", required_argument, NULL, O_AT },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ "on-track", required_argument, NULL, O_ON_TRACK },
		{ "at-risk", required_argument, NULL, O_AT_RISK },
		{ "max-age", required_argument, NULL, O_MAX_AGE },
		{ "alpha", required_argument, NULL, O_ALPHA },
		{ "by", required_argument, NULL, O_BY },
		{ NULL, 0, NULL, 0 },
	};
	/* 0: not an option, so the mission's or the default (cc_progress_opts_for_mission) */
	struct cc_progress_opts o = { .at = CC_DATE_NONE };
	struct cc_indicator_query q = { .at = CC_DATE_NONE };
	struct cc_indicator_data data = { 0 };
	struct cc_progress_result *res = NULL;
	struct cc_mission m;
	struct cc_err err = { 0 };
	enum fmt fmt = F_TABLE;
	bool by_pillar = false;
	size_t n = 0;
	int64_t v;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_INDICATOR:
			q.indicator = optarg;
			break;
		case O_AREA:
			q.area = optarg;
			break;
		case O_AT:
			if (cc_date_parse(optarg, &q.at, &err) < 0)
				return cli_usage(cli, "--at: %s", err.msg);
			break;
		case O_CSV:
			fmt = F_CSV;
			break;
		case O_JSON:
			fmt = F_JSON;
			break;
		case O_ON_TRACK:
		case O_AT_RISK:
		case O_ALPHA: {
			double d;

			if (cc_parse_double(optarg, &d, &err) < 0 || d <= 0 || d > 1)
				return cli_usage(cli, "--%s: '%s' is not a number in (0, 1]",
				                 opt == O_ON_TRACK  ? "on-track"
				                 : opt == O_AT_RISK ? "at-risk"
				                                    : "alpha",
				                 optarg);
			if (opt == O_ON_TRACK)
				o.on_track = d;
			else if (opt == O_AT_RISK)
				o.at_risk = d;
			else
				o.alpha = d;
			break;
		}
		case O_BY:
			if (strcmp(optarg, "pillar") == 0)
				by_pillar = true;
			else if (strcmp(optarg, "series") != 0)
				return cli_usage(cli, "--by '%s': choose series or pillar", optarg);
			break;
		case O_MAX_AGE:
			if (cc_parse_i64(optarg, 1, 36600, &v, &err) < 0)
				return cli_usage(cli, "--max-age: %s", err.msg);
			o.max_age_days = (int)v;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (o.on_track > 0 && o.at_risk > o.on_track)
		return cli_usage(cli, "--at-risk must not be above --on-track");
	o.at = q.at != CC_DATE_NONE ? q.at : today();
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0)
		return cli_fail(&err);
	q.mission_id = m.id;
	if ((ret = cc_progress_opts_for_mission(cli->st, m.id, &o, &err)) == CC_EINVALID)
		return cli_usage(cli, "%s (concord mission show)", err.msg);
	if (ret < 0)
		return cli_fail(&err);
	if (by_pillar)
		return progress_by_pillar(cli, &q, &o, fmt);
	if (fmt != F_JSON && !q.indicator)
		return progress_by_indicator(cli, &q, &o, fmt);
	if ((ret = cc_store_load_indicator_data(cli->st, &q, &data, &err)) < 0)
		return cli_fail(&err);
	if (q.indicator && data.n_indicators == 0) {
		cc_indicator_data_release(&data);
		cc_err_set(&err, CC_ENOTFOUND, "unknown indicator '%s'", q.indicator);
		return cli_fail(&err);
	}
	if ((ret = cc_progress_compute(&data, &o, &res, &n, &err)) < 0) {
		cc_indicator_data_release(&data);
		return cli_fail(&err);
	}
	switch (fmt) {
	case F_TABLE:
		print_table(&data, res, n, &o, o.at, true);
		break;
	case F_CSV:
		print_csv(&data, res, n, true);
		break;
	case F_JSON: {
		struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);

		ret = cc_progress_format_json(&data, res, n, &o, &out, &err);
		if (ret == 0)
			ret = cli_write(out.buf, out.len) == CLI_OK ? 0 : CC_EIO;
		cc_buf_release(&out);
		if (ret < 0) {
			cc_free(res);
			cc_indicator_data_release(&data);
			return err.code ? cli_fail(&err) : CLI_FAIL;
		}
		break;
	}
	}
	cc_free(res);
	cc_indicator_data_release(&data);
	if (fflush(stdout) != 0 || ferror(stdout))
		return CLI_FAIL;
	return CLI_OK;
}
