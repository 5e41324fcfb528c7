/* concord import events (through cmd_import.c's table), concord exposure */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/events.h>
#include <concord/exposure.h>
#include <concord/geojson.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

const char *cli_events_format;

int cli_import_events(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                      struct cc_import_report *rep, struct cc_err *err)
{
	struct cc_events_opts eo = { .format = CC_EVENTS_AUTO };

	if (cli_events_format && !strcmp(cli_events_format, "acled"))
		eo.format = CC_EVENTS_ACLED;
	else if (cli_events_format && !strcmp(cli_events_format, "ucdp"))
		eo.format = CC_EVENTS_UCDP;
	else if (cli_events_format)
		return cc_err_set(err, CC_EUSAGE, "--format: '%s' is not acled or ucdp",
		                  cli_events_format);
	return cc_import_events(st, path, opts, &eo, rep, err);
}

int cmd_exposure(struct cli *cli, int argc, char **argv)
{
	enum {
		O_RADIUS = 256,
		O_DAYS,
		O_AT,
		O_BY,
		O_LEVEL,
		O_CSV,
		O_JSON,
		O_ALL_PREC,
		O_GEOJSON,
		O_SITES
	};
	static const struct option longopts[] = {
		{ "radius", required_argument, NULL, O_RADIUS },
		{ "days", required_argument, NULL, O_DAYS },
		{ "at", required_argument, NULL, O_AT },
		{ "by", required_argument, NULL, O_BY },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ "all-precisions", no_argument, NULL, O_ALL_PREC },
		{ "geojson", no_argument, NULL, O_GEOJSON },
		{ "sites", required_argument, NULL, O_SITES },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_exposure_query a = { .radius_km = 10, .days = 90, .at = CC_DATE_NONE, .level = 1 };
	enum cc_exposure_out fmt = CC_EXPOSURE_TABLE;
	enum cc_exposure_at at_mode = CC_EXPOSURE_AT_DATE;
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_mission m;
	struct cc_err err = { 0 };
	int64_t v;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_RADIUS:
			if (cc_parse_double(optarg, &a.radius_km, &err) < 0 || !(a.radius_km > 0) ||
			    a.radius_km > 20100)
				return cli_usage(cli,
				                 "--radius: '%s' is not a distance in km (0 < R "
				                 "<= 20100)",
				                 optarg);
			break;
		case O_DAYS:
			if (cc_parse_i64(optarg, 1, 36500, &v, &err) < 0)
				return cli_usage(cli, "--days: %s", err.msg);
			a.days = (int)v;
			break;
		case O_AT:
			if (!strcmp(optarg, "start") || !strcmp(optarg, "end"))
				at_mode = !strcmp(optarg, "start") ? CC_EXPOSURE_AT_START
				                                    : CC_EXPOSURE_AT_END;
			else if (cc_date_parse(optarg, &a.at, &err) < 0)
				return cli_usage(cli, "--at: %s (or start, end)", err.msg);
			break;
		case O_SITES:
			a.sites_path = optarg;
			break;
		case O_BY:
			if (!strcmp(optarg, "site") || !strcmp(optarg, "area"))
				a.by_area = !strcmp(optarg, "area");
			else
				return cli_usage(cli, "--by: '%s' is not site or area", optarg);
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, 5, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			a.level = (int)v;
			break;
		case O_CSV:
			fmt = CC_EXPOSURE_CSV;
			break;
		case O_JSON:
			fmt = CC_EXPOSURE_JSON;
			break;
		case O_ALL_PREC:
			a.all_precisions = true;
			break;
		case O_GEOJSON:
			fmt = CC_EXPOSURE_GEOJSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (a.sites_path && at_mode != CC_EXPOSURE_AT_DATE)
		return cli_usage(cli, "--sites takes its dates from the file: --at must be a date");
	if (a.sites_path)
		at_mode = CC_EXPOSURE_AT_FILE;
	if (a.by_area && at_mode != CC_EXPOSURE_AT_DATE)
		return cli_usage(cli, "--at start|end and --sites are for --by site");
	a.at_mode = at_mode;
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0)
		return cli_fail(&err);
	a.mission_id = m.id;
	if ((ret = cc_exposure_format(cli->st, &a, fmt, &out, &err)) < 0) {
		cc_buf_release(&out);
		return cli_fail(&err);
	}
	ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}
