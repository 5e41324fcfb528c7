/* concord indicators compute: observations of the built-in indicators derived from stored data */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/computed.h>
#include <concord/events.h>
#include <concord/needs.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

/*
 * Each area's population for the year of to: the newest year not after it (a year-0 figure
 * counts), else the earliest later one; -1 when the area has none.
 */
static int fill_population(struct cc_store *st, struct cc_area *areas, size_t n, int32_t to,
                           struct cc_err *err)
{
	struct cc_population *pop = NULL;
	size_t n_pop = 0;
	int year = 9999, y, m, d, ret;

	if (to != CC_DATE_NONE) {
		cc_date_to_ymd(to, &y, &m, &d);
		year = y;
	}
	if ((ret = cc_store_list_population(st, 0, &pop, &n_pop, err)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		int64_t best = -1;
		int best_year = 0;
		bool found_le = false;

		for (size_t k = 0; k < n_pop; k++) {
			if (pop[k].area_id != areas[i].id)
				continue;
			if (pop[k].year <= year) {
				if (!found_le) { /* newest first */
					best = pop[k].value;
					found_le = true;
				}
			} else if (!found_le && (best < 0 || pop[k].year < best_year)) {
				best = pop[k].value;
				best_year = pop[k].year;
			}
		}
		areas[i].population = best;
	}
	cc_free(pop);
	return 0;
}

/* The intersectoral total needs of the mission (sector 0), any period. */
static int load_needs(struct cc_store *st, int64_t mission_id, struct cc_computed_need **out,
                      size_t *n_out, struct cc_err *err)
{
	struct cc_need_query q = { .mission_id = mission_id, .from = CC_DATE_NONE,
		                   .to = CC_DATE_NONE };
	struct cc_gap_need *needs = NULL;
	struct cc_area *areas = NULL;
	struct cc_gap_sector *sectors = NULL;
	size_t n_needs = 0, n_areas = 0, n_sectors = 0;
	int ret;

	*out = NULL;
	*n_out = 0;
	ret = cc_store_load_needs(st, &q, &needs, &n_needs, &areas, &n_areas, &sectors, &n_sectors,
	                          err);
	if (ret == CC_EUNSUPPORTED)
		return 0;
	if (ret < 0)
		return ret;
	*out = cc_alloc_array(n_needs + 1, sizeof(**out));
	if (!*out)
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu needs", n_needs);
	for (size_t i = 0; *out && i < n_needs; i++)
		if (needs[i].sector_id == 0 && needs[i].area_id)
			(*out)[(*n_out)++] = (struct cc_computed_need){ .area_id = needs[i].area_id,
				                                        .in_need = needs[i].in_need };
	cc_free(needs);
	cc_free(areas);
	cc_free(sectors);
	return ret;
}

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
	enum { O_PERIOD = 1, O_FROM, O_TO, O_LEVEL, O_EVENTS, O_DRY_RUN, O_CSV };
	static const struct option longopts[] = {
		{ "period", required_argument, NULL, O_PERIOD },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "events", required_argument, NULL, O_EVENTS },
		{ "dry-run", no_argument, NULL, O_DRY_RUN },
		{ "csv", no_argument, NULL, O_CSV },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_computed_opts o = { .level = 1, .unit = CC_PERIOD_MONTH, .from = CC_DATE_NONE,
		                      .to = CC_DATE_NONE };
	struct cc_computed_inputs in = { 0 };
	struct cc_computed_result r = { 0 };
	struct cc_computed_counts counts = { 0 };
	struct cc_computed_incident *incidents = NULL;
	struct cc_computed_activity *activities = NULL;
	struct cc_computed_need *needs = NULL;
	struct cc_area *areas = NULL;
	struct cc_area_filter f = { .level = -1 };
	struct cc_mission m;
	struct cc_err err = { 0 };
	const char *events = NULL;
	bool dry_run = false, csv = false, events_given = false;
	size_t n_areas = 0;
	int64_t v;
	int opt, ret = CLI_OK;
	char d1[11], d2[11];

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PERIOD:
			if (cc_period_unit_parse(optarg, &o.unit, &err) < 0)
				return cli_usage(cli, "--period: %s", err.msg);
			break;
		case O_FROM:
		case O_TO:
			if (cc_date_parse(optarg, opt == O_FROM ? &o.from : &o.to, &err) < 0)
				return cli_usage(cli, "%s: %s", argv[optind - 1], err.msg);
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 1, 9, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			o.level = (int)v;
			break;
		case O_EVENTS:
			if (strcmp(optarg, "ucdp") && strcmp(optarg, "acled") && strcmp(optarg, "all"))
				return cli_usage(cli, "--events: '%s' is not ucdp, acled or all", optarg);
			events = strcmp(optarg, "all") ? optarg : NULL;
			events_given = true;
			break;
		case O_DRY_RUN:
			dry_run = true;
			break;
		case O_CSV:
			csv = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (o.from != CC_DATE_NONE && o.to != CC_DATE_NONE && o.from > o.to)
		return cli_usage(cli, "--from is after --to");
	if (cc_store_get_mission(cli->st, cli->mission, &m, &err) < 0)
		return cli_fail(&err);
	if (!events_given) {
		/* one source only, so that an incident reported by both is not counted twice */
		int64_t n_ucdp = 0;

		if (cc_store_count_incidents(cli->st, "ucdp", &n_ucdp, &err) < 0)
			return cli_fail(&err);
		events = n_ucdp > 0 ? "ucdp" : "acled";
	}
	if (cc_store_load_computed_inputs(cli->st, m.id, events, o.from, o.to, &incidents,
	                                  &in.n_incidents, &activities, &in.n_activities,
	                                  &err) < 0 ||
	    cc_store_list_areas(cli->st, &f, &areas, &n_areas, &err) < 0 ||
	    fill_population(cli->st, areas, n_areas, o.to, &err) < 0 ||
	    load_needs(cli->st, m.id, &needs, &in.n_needs, &err) < 0) {
		ret = cli_fail(&err);
		goto out;
	}
	in.incidents = incidents;
	in.activities = activities;
	in.needs = needs;
	in.areas = areas;
	in.n_areas = n_areas;
	if (cc_computed_compute(&in, &o, &r, &err) < 0) {
		ret = cli_fail(&err);
		goto out;
	}
	if (r.n_periods == 0) {
		fprintf(stderr, "concord indicators compute: no dated incident or activity, and no "
		                "--from/--to: nothing to compute\n");
		goto out;
	}
	if (!dry_run && cc_store_replace_computed(cli->st, m.id, &r, &counts, &err) < 0) {
		ret = cli_fail(&err);
		goto out;
	}
	if (csv) {
		print_csv(&r);
	} else {
		printf("computed %zu values: admin level %d x %zu %s%s (%s to %s), %s incidents "
		       "(%zu counted)\n",
		       r.n_values, r.level, r.n_periods, cc_period_unit_name(r.unit),
		       r.n_periods == 1 ? "" : "s", cc_date_format(r.from, d1),
		       cc_date_format(r.to, d2), events ? events : "all", r.n_incidents_used);
		if (dry_run)
			printf("dry run: nothing stored\n");
		else
			printf("observations (source \"%s\"): %zu added, %zu updated, %zu unchanged, "
			       "%zu removed\n",
			       CC_COMPUTED_SOURCE, counts.added, counts.updated, counts.unchanged,
			       counts.removed);
	}
	if (r.n_no_population) {
		fprintf(stderr, "warning: %zu area%s at admin level %d without a population: "
		                "incidents per 100,000 left missing:",
		        r.n_no_population, r.n_no_population == 1 ? "" : "s", r.level);
		for (size_t i = 0; i < r.n_no_population; i++)
			fprintf(stderr, " %s", pcode_of(areas, n_areas, r.no_population[i]));
		fputc('\n', stderr);
	}
	if (r.n_incidents_above)
		fprintf(stderr, "warning: %zu incident%s placed above admin level %d or not placed: "
		                "not counted\n",
		        r.n_incidents_above, r.n_incidents_above == 1 ? "" : "s", r.level);
	if (r.n_activities_above)
		fprintf(stderr, "warning: %zu activit%s located above admin level %d or without an "
		                "area: not counted\n",
		        r.n_activities_above, r.n_activities_above == 1 ? "y" : "ies", r.level);
	if (r.n_activities_undated)
		fprintf(stderr, "note: %zu activit%s without dates counted in every period\n",
		        r.n_activities_undated, r.n_activities_undated == 1 ? "y" : "ies");
	if (fflush(stdout) != 0 || ferror(stdout))
		ret = CLI_FAIL;
out:
	cc_computed_release(&r);
	cc_free(incidents);
	cc_free(activities);
	cc_free(needs);
	cc_free(areas);
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
