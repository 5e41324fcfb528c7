/* concord overlap: duplicated effort, pairs of similar activities of different organisations */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/buf.h>
#include <concord/geojson.h>
#include <concord/overlap.h>
#include <concord/report.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

struct overlap_args {
	struct cc_overlap_opts o;
	enum cc_format fmt;
	bool geojson; /* with fmt CC_FORMAT_JSON */
};

static int parse_args(struct cli *cli, int argc, char **argv, struct overlap_args *a)
{
	enum { O_DISTANCE = 256, O_MIN_SCORE, O_LEVEL, O_JSON, O_CSV, O_GEOJSON };
	static const struct option longopts[] = {
		{ "distance", required_argument, NULL, O_DISTANCE },
		{ "min-score", required_argument, NULL, O_MIN_SCORE },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
		{ "geojson", no_argument, NULL, O_GEOJSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	int64_t v;
	int opt;

	*a = (struct overlap_args){ .o = { .distance_km = 0, .min_score = 0, .level = 2 },
		                    .fmt = CC_FORMAT_TABLE };
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_DISTANCE:
			if (cc_parse_double(optarg, &a->o.distance_km, &err) < 0)
				return cli_usage(cli, "--distance: %s", err.msg);
			if (!(a->o.distance_km >= 0 && a->o.distance_km <= 1000))
				return cli_usage(cli, "--distance: 0 to 1000 km");
			break;
		case O_MIN_SCORE:
			if (cc_parse_double(optarg, &a->o.min_score, &err) < 0)
				return cli_usage(cli, "--min-score: %s", err.msg);
			if (!(a->o.min_score >= 0 && a->o.min_score <= 1))
				return cli_usage(cli, "--min-score: 0 to 1");
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, CC_OV_LEVELS - 1, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			a->o.level = (int)v;
			break;
		case O_JSON:
			a->fmt = CC_FORMAT_JSON;
			a->geojson = false;
			break;
		case O_CSV:
			a->fmt = CC_FORMAT_CSV;
			a->geojson = false;
			break;
		case O_GEOJSON:
			a->fmt = CC_FORMAT_JSON;
			a->geojson = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	return CLI_OK;
}

int cmd_overlap(struct cli *cli, int argc, char **argv)
{
	struct overlap_args a;
	struct cc_overlap_input in = { 0 };
	struct cc_overlap ov = { 0 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_err err = { 0 };
	struct cc_mission m;
	int ret;

	ret = parse_args(cli, argc, argv, &a);
	if (ret != CLI_OK)
		return ret;
	ret = cc_store_get_mission(cli->st, cli->mission, &m, &err);
	if (ret == 0)
		ret = cc_store_load_overlap(cli->st, m.id, &in, &err);
	if (ret == 0)
		ret = cc_overlap_compute(in.acts, in.n, &a.o, &ov, &err);
	if (ret == 0)
		ret = a.geojson ? cc_overlap_geojson(&in, &ov, cli->st, &out, &err)
		                : cc_overlap_format(&in, &ov, a.fmt, &out, &err);
	cc_overlap_release(&ov);
	cc_overlap_input_release(&in);
	if (ret < 0) {
		cc_buf_release(&out);
		return cli_fail(&err);
	}
	ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}
