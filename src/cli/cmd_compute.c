/* concord indicators compute: observations of the built-in indicators derived from stored data */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/computed.h>
#include <concord/buf.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

static const char *pcode_of(const struct cc_area *areas, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (areas[i].id == id)
			return areas[i].pcode;
	return "?";
}

static void print_csv(const struct cc_computed_result *r)
{
	const struct cc_computed_def *defs;
	size_t n_defs;
	char a[11], b[11], v[32];

	defs = cc_computed_defs(&n_defs);
	fputs("indicator,area,period_start,period_end,value\n", stdout);
	for (size_t i = 0; i < r->n_values; i++) {
		const struct cc_computed_value *x = &r->values[i];

		if (isnan(x->value))
			v[0] = '\0';
		else
			snprintf(v, sizeof(v), "%.10g", x->value);
		cli_csv_field(defs[x->def].ind.code, false);
		cli_csv_field(x->area, false);
		cli_csv_field(cc_date_format(x->period_start, a), false);
		cli_csv_field(cc_date_format(x->period_end, b), false);
		cli_csv_field(v, true);
	}
}

static int compute(struct cli *cli, int argc, char **argv)
{
	enum { O_PERIOD = 1, O_FROM, O_TO, O_LEVEL, O_EVENTS, O_DRY_RUN, O_CSV, O_JSON };
	static const struct option longopts[] = {
		{ "period", required_argument, NULL, O_PERIOD },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "events", required_argument, NULL, O_EVENTS },
		{ "dry-run", no_argument, NULL, O_DRY_RUN },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_computed_request q = { .opts = { .level = 1,
		                                   .unit = CC_PERIOD_MONTH,
		                                   .from = CC_DATE_NONE,
		                                   .to = CC_DATE_NONE } };
	struct cc_computed_opts *o = &q.opts;
	struct cc_computed_run x = { 0 };
	const struct cc_computed_result *r = &x.r;
	struct cc_mission m;
	struct cc_err err = { 0 };
	bool csv = false, json = false;
	int64_t v;
	int opt, ret = CLI_OK;
	char d1[11], d2[11];

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PERIOD:
			if (cc_period_unit_parse(optarg, &o->unit, &err) < 0)
				return cli_usage(cli, "--period: %s", err.msg);
			break;
		case O_FROM:
		case O_TO:
			if (cc_date_parse(optarg, opt == O_FROM ? &o->from : &o->to, &err) < 0)
				return cli_usage(cli, "%s: %s", argv[optind - 1], err.msg);
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 1, 9, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			o->level = (int)v;
			break;
		case O_EVENTS:
			if (strcmp(optarg, "ucdp") && strcmp(optarg, "acled") && strcmp(optarg, "all"))
				return cli_usage(cli, "--events: '%s' is not ucdp, acled or all", optarg);
			q.events = strcmp(optarg, "all") ? optarg : NULL;
			q.events_given = true;
			break;
		case O_DRY_RUN:
			q.dry_run = true;
			break;
		case O_CSV:
			csv = true;
			break;
		case O_JSON:
			json = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (csv && json)
		return cli_usage(cli, "choose --csv or --json");
	if (o->from != CC_DATE_NONE && o->to != CC_DATE_NONE && o->from > o->to)
		return cli_usage(cli, "--from is after --to");
	if (cc_store_get_mission(cli->st, cli->mission, &m, &err) < 0 ||
	    cc_computed_run(cli->st, m.id, &q, &x, &err) < 0)
		return cli_fail(&err);
	if (json) {
		struct cc_buf b = CC_BUF_INIT(0);

		if (cc_computed_format_json(&x, &b, &err) < 0) {
			cc_buf_release(&b);
			ret = cli_fail(&err);
			goto out;
		}
		fwrite(b.buf, 1, b.len, stdout);
		cc_buf_release(&b);
		if (r->n_periods == 0)
			goto out;
	} else if (r->n_periods == 0) {
		fprintf(stderr, "concord indicators compute: no dated incident or activity, and no "
		                "--from/--to: nothing to compute\n");
		goto out;
	} else if (csv) {
		print_csv(r);
	} else {
		printf("computed %zu values: admin level %d x %zu %s%s (%s to %s), %s incidents "
		       "(%zu counted)\n",
		       r->n_values, r->level, r->n_periods, cc_period_unit_name(r->unit),
		       r->n_periods == 1 ? "" : "s", cc_date_format(r->from, d1),
		       cc_date_format(r->to, d2), x.events ? x.events : "all", r->n_incidents_used);
		if (q.dry_run)
			printf("dry run: nothing stored\n");
		else
			printf("observations (source \"%s\"): %zu added, %zu updated, %zu unchanged, "
			       "%zu removed\n",
			       CC_COMPUTED_SOURCE, x.counts.added, x.counts.updated,
			       x.counts.unchanged, x.counts.removed);
	}
	if (r->n_no_population) {
		fprintf(stderr, "warning: %zu area%s at admin level %d without a population: "
		                "incidents per 100,000 left missing:",
		        r->n_no_population, r->n_no_population == 1 ? "" : "s", r->level);
		for (size_t i = 0; i < r->n_no_population; i++)
			fprintf(stderr, " %s", pcode_of(x.areas, x.n_areas, r->no_population[i]));
		fputc('\n', stderr);
	}
	if (r->n_incidents_above)
		fprintf(stderr, "warning: %zu incident%s placed above admin level %d or not placed: "
		                "not counted\n",
		        r->n_incidents_above, r->n_incidents_above == 1 ? "" : "s", r->level);
	if (r->n_activities_above)
		fprintf(stderr, "warning: %zu activit%s located above admin level %d or without an "
		                "area: not counted\n",
		        r->n_activities_above, r->n_activities_above == 1 ? "y" : "ies", r->level);
	if (r->n_activities_undated)
		fprintf(stderr, "note: %zu activit%s without dates counted in every period\n",
		        r->n_activities_undated, r->n_activities_undated == 1 ? "y" : "ies");
out:
	if (fflush(stdout) != 0 || ferror(stdout))
		ret = CLI_FAIL;
	cc_computed_run_release(&x);
	return ret;
}

int cmd_indicators(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "which subcommand? (compute)");
	if (strcmp(argv[1], "compute") == 0)
		return compute(cli, argc - 1, argv + 1);
	return cli_usage(cli, "unknown subcommand '%s' (compute)", argv[1]);
}
