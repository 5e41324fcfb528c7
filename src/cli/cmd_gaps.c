/* concord gaps: needs against coverage per area × sector or pillar */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/activities.h>
#include <concord/alloc.h>
#include <concord/analyses.h>
#include <concord/buf.h>
#include <concord/gaps.h>
#include <concord/geojson.h>
#include <concord/needs.h>
#include <concord/report.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

struct gaps_args {
	struct cc_gap_opts o;
	int32_t from, to;
	enum cc_format fmt;
	bool geojson; /* with fmt CC_FORMAT_JSON */
};

static int parse_args(struct cli *cli, int argc, char **argv, struct gaps_args *a)
{
	enum { O_LEVEL = 256, O_REACH, O_BY, O_PLANNING, O_FROM, O_TO, O_JSON, O_CSV, O_GEOJSON };
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, O_LEVEL },
		{ "reach", required_argument, NULL, O_REACH },
		{ "by", required_argument, NULL, O_BY },
		{ "planning", no_argument, NULL, O_PLANNING },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
		{ "geojson", no_argument, NULL, O_GEOJSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	int64_t v;
	int opt;

	*a = (struct gaps_args){ .o = { .level = 1, .reach = CC_REACH_MAX, .by = CC_GAP_BY_SECTOR },
		                 .from = CC_DATE_NONE,
		                 .to = CC_DATE_NONE,
		                 .fmt = CC_FORMAT_TABLE };
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_LEVEL:
			if (cc_parse_i64(optarg, 1, 5, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			a->o.level = (int)v;
			break;
		case O_REACH:
			if (!strcmp(optarg, "max"))
				a->o.reach = CC_REACH_MAX;
			else if (!strcmp(optarg, "sum"))
				a->o.reach = CC_REACH_SUM;
			else
				return cli_usage(cli, "--reach '%s': choose max or sum", optarg);
			break;
		case O_BY:
			if (!strcmp(optarg, "sector"))
				a->o.by = CC_GAP_BY_SECTOR;
			else if (!strcmp(optarg, "pillar"))
				a->o.by = CC_GAP_BY_PILLAR;
			else
				return cli_usage(cli, "--by '%s': choose sector or pillar", optarg);
			break;
		case O_PLANNING:
			a->o.planning = true;
			break;
		case O_FROM:
		case O_TO:
			if (cc_date_parse(optarg, opt == O_FROM ? &a->from : &a->to, &err) < 0)
				return cli_usage(cli, "%s: %s", opt == O_FROM ? "--from" : "--to",
				                 err.msg);
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
	if (a->from != CC_DATE_NONE && a->to != CC_DATE_NONE && a->to < a->from)
		return cli_usage(cli, "--to is before --from");
	return CLI_OK;
}

int cmd_gaps(struct cli *cli, int argc, char **argv)
{
	struct gaps_args a;
	struct cc_gaps g = { 0 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_err err = { 0 };
	struct cc_mission m;
	int ret;

	ret = parse_args(cli, argc, argv, &a);
	if (ret != CLI_OK)
		return ret;
	ret = cc_store_get_mission(cli->st, cli->mission, &m, &err);
	if (ret == 0)
		ret = cc_gaps_load(cli->st,
		                   &(struct cc_gaps_query){ .mission_id = m.id, .from = a.from,
		                                            .to = a.to },
		                   &a.o, &g, &err);
	if (ret == 0)
		ret = a.geojson ? cc_gaps_geojson(&g, cli->st, &out, &err)
		                : cc_gaps_format(&g, a.fmt, &out, &err);
	cc_gaps_release(&g);
	if (ret < 0) {
		cc_buf_release(&out);
		return cli_fail(&err);
	}
	ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}

/* ---- `import needs|population --map COLUMN=#tag` (rows of cmd_import.c's importers) ---- */

#define CLI_MAX_MAPS 64

static struct cc_column_map maps[CLI_MAX_MAPS];
static size_t n_maps;

int cli_needs_map(const char *arg)
{
	static char copies[CLI_MAX_MAPS][512];
	char *eq;

	if (n_maps == CLI_MAX_MAPS || strlen(arg) >= sizeof(copies[0]))
		return CLI_USAGE;
	snprintf(copies[n_maps], sizeof(copies[0]), "%s", arg);
	eq = strrchr(copies[n_maps], '=');
	if (!eq || eq == copies[n_maps] || eq[1] != '#')
		return CLI_USAGE;
	*eq = '\0';
	maps[n_maps].column = copies[n_maps];
	maps[n_maps].tag = eq + 1;
	n_maps++;
	return CLI_OK;
}

int cli_import_needs(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                     struct cc_import_report *rep, struct cc_err *err)
{
	return cc_import_needs_map(st, path, opts, maps, n_maps, rep, err);
}

int cli_import_population(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                          struct cc_import_report *rep, struct cc_err *err)
{
	return cc_import_population_map(st, path, opts, maps, n_maps, rep, err);
}
