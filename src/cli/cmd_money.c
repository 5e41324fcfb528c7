/*
 * concord mission show|set: the mission's settings (its reporting currency, the status rule
 * of its progress);
 * concord money: every stored amount of money converted to the reporting currency, with the
 * rates used and the amounts that could not be converted.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/activities.h>
#include <concord/admin.h>
#include <concord/alloc.h>
#include <concord/iati.h>
#include <concord/money.h>
#include <concord/report.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

/* A threshold of the status rule: a share in (0, 1], or "default" (-1: back to the default). */
static int rule_share(const char *arg, double *out)
{
	double d;

	if (strcmp(arg, "default") == 0) {
		*out = -1;
		return 0;
	}
	if (cc_parse_double(arg, &d, NULL) < 0 || !(d > 0 && d <= 1))
		return -1;
	*out = d;
	return 0;
}

int cmd_mission(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "currency", required_argument, NULL, 'c' },
		{ "rate-tolerance", required_argument, NULL, 't' },
		{ "on-track", required_argument, NULL, 'o' },
		{ "at-risk", required_argument, NULL, 'r' },
		{ "max-age", required_argument, NULL, 'm' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_mission_settings s;
	struct cc_status_rule rule = { 0 };
	const char *currency = NULL, *sub;
	struct cc_err err = { 0 };
	enum cc_format fmt = CC_FORMAT_TABLE;
	bool set_rule = false;
	int opt, tol = -1, ret;
	int64_t v;

	if (argc < 2)
		return cli_usage(cli, "give show or set");
	sub = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			currency = optarg;
			break;
		case 't':
			if (cc_parse_i64(optarg, 0, 31, &v, &err) < 0)
				return cli_usage(cli, "--rate-tolerance: '%s' is not 0..31 days",
				                 optarg);
			tol = (int)v;
			break;
		case 'o':
		case 'r':
		case 'a':
			if (rule_share(optarg, opt == 'o'   ? &rule.on_track
			                       : opt == 'r' ? &rule.at_risk
			                                    : &rule.alpha) < 0)
				return cli_usage(cli,
				                 "--%s: '%s' is not a number in (0, 1] or default",
				                 opt == 'o'   ? "on-track"
				                 : opt == 'r' ? "at-risk"
				                              : "alpha",
				                 optarg);
			set_rule = true;
			break;
		case 'm':
			set_rule = true;
			if (strcmp(optarg, "default") == 0) {
				rule.max_age_days = -1;
				break;
			}
			if (cc_parse_i64(optarg, 1, 36600, &v, &err) < 0)
				return cli_usage(cli,
				                 "--max-age: '%s' is not 1..36600 days or default",
				                 optarg);
			rule.max_age_days = (int)v;
			break;
		case 'J':
			fmt = CC_FORMAT_JSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (strcmp(sub, "show") == 0) {
		if (currency || tol >= 0 || set_rule)
			return cli_usage(cli, "mission show takes no options but --json");
		ret = cc_mission_settings_load(cli->st, cli->mission, &s, &err);
	} else if (strcmp(sub, "set") == 0) {
		if (!currency && tol < 0 && !set_rule)
			return cli_usage(cli, "give --currency, --rate-tolerance, --on-track, "
			                      "--at-risk, --max-age or --alpha");
		ret = 0;
		if (currency || tol >= 0)
			ret = cc_mission_settings_set(cli->st, cli->mission, currency, tol, &s,
			                              &err);
		if (ret == 0 && set_rule)
			ret = cc_mission_status_rule_set(cli->st, cli->mission, &rule, &s, &err);
		if (ret == CC_EINVALID || ret == CC_EUSAGE)
			return cli_usage(cli, "%s", err.msg);
	} else {
		return cli_usage(cli, "unknown subcommand '%s' (show, set)", sub);
	}
	if (ret == 0 && fmt == CC_FORMAT_TABLE && strcmp(sub, "set") == 0 && set_rule) {
		struct cc_progress_opts o = { .at = CC_DATE_NONE };

		cc_progress_opts_apply_rule(&o, &s.status_rule);
		ret = cc_buf_addf(&out, "mission %s status rule: ", s.mission.code) < 0 ||
		                      cc_progress_rule_text(&o, &out) < 0 ||
		                      cc_buf_addch(&out, '\n') < 0
		              ? cc_err_set(&err, CC_ENOMEM, "out of memory")
		              : 0;
	}
	if (ret == 0 && fmt == CC_FORMAT_TABLE && strcmp(sub, "set") == 0 && (currency || tol >= 0))
		ret = cc_buf_addf(&out,
		                  "mission %s reports money in %s (rates up to %d days before the "
		                  "value date)\n",
		                  s.mission.code, s.currency, s.rate_tolerance) < 0
		              ? cc_err_set(&err, CC_ENOMEM, "out of memory")
		              : 0;
	else if (ret == 0)
		ret = cc_mission_settings_format(&s, (int)fmt, &out, &err);
	ret = ret < 0 ? cli_fail(&err) : cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}

/* ---- concord money ---- */

int cmd_money(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "currency", required_argument, NULL, 'c' },
		{ "rate-tolerance", required_argument, NULL, 't' },
		{ "rates", no_argument, NULL, 'r' },
		{ "csv", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_money_report r;
	struct cc_err err = { 0 };
	const char *to = NULL;
	enum cc_format fmt = CC_FORMAT_TABLE;
	bool show_rates = false;
	int opt, tol = -1, ret;
	int64_t v;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			to = optarg;
			break;
		case 't':
			if (cc_parse_i64(optarg, 0, 31, &v, &err) < 0)
				return cli_usage(cli, "--rate-tolerance: '%s' is not 0..31 days",
				                 optarg);
			tol = (int)v;
			break;
		case 'r':
			show_rates = true;
			break;
		case 'C':
			fmt = CC_FORMAT_CSV;
			break;
		case 'J':
			fmt = CC_FORMAT_JSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (to && strlen(to) != 3)
		return cli_usage(cli, "--currency: '%s' is not a currency code", to);
	ret = cc_money_report_load(cli->st, cli->mission, to, tol, &r, &err);
	if (ret == CC_EUSAGE)
		return cli_usage(cli, "--%s", err.msg);
	if (ret < 0)
		return cli_fail(&err);
	ret = cc_money_report_format(&r, (int)fmt, show_rates, &out, &err);
	cc_money_report_release(&r);
	ret = ret < 0 ? cli_fail(&err) : cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}
