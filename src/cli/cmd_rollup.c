/* concord rollup: indicator values rolled up to parent areas by each indicator's rule */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/analyses.h>
#include <concord/indicators.h>
#include <concord/needs.h>
#include <concord/report.h>
#include <concord/rollup.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

#define TABLE_LIST_MAX 8 /* area codes shown per list in the table; CSV and JSON list all */

enum fmt { F_TABLE, F_CSV, F_JSON };

int cli_rollup_load(struct cc_store *st, int64_t mission_id, const char *indicator, int level,
                    int32_t at, struct cc_indicator_data *data, struct cc_area **areas,
                    size_t *n_areas, struct cc_rollup *out, struct cc_err *err)
{
	return cc_rollup_load(st, mission_id, indicator, level, at, data, areas, n_areas, out,
	                      err);
}

static const char *numg(double v, char buf[static 32])
{
	if (isnan(v))
		return "";
	snprintf(buf, 32, "%.6g", v);
	return buf;
}

/* P-codes of list, separated by sep, at most max of them (0: all) with "+N more". */
static const char *codes(const struct cc_area *areas, const size_t *list, size_t n, const char *sep,
                         size_t max, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 1 < size; i++) {
		if (max && i == max) {
			snprintf(buf + len, size - len, "%s+%zu more", sep, n - i);
			break;
		}
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? sep : "",
		                        areas[list[i]].pcode);
		if (len >= size)
			len = size - 1;
	}
	return buf;
}

static const char *disagg(const struct cc_rollup_result *r, char buf[static 64])
{
	if (!r->sex[0] && !r->age_group[0])
		return "total";
	snprintf(buf, 64, "%s%s%s", r->sex, r->sex[0] && r->age_group[0] ? " " : "", r->age_group);
	return buf;
}

static void print_table(const struct cc_indicator_data *d, const struct cc_area *areas,
                        const struct cc_rollup *ru, int level, int32_t at)
{
	char dt[2][11], b[32], dg[64], list[512];

	printf("Roll-up to admin level %d", level);
	if (at != CC_DATE_NONE)
		printf(" as of %s", cc_date_format(at, dt[0]));
	printf(".\nAn area's own latest value wins; else its children's values are combined by\n"
	       "the indicator's rule (sum, mean, population_weighted_mean over children with a\n"
	       "population, max, latest). Children without a value are listed as missing, never\n"
	       "imputed; children without a population are listed apart and left out.\n\n");
	printf("%-16s %-14s %-10s %-18s %-8s %-12s %-14s %-7s %-23s %s\n", "indicator", "pillar",
	       "area", "name", "disagg", "value", "how", "used", "dates", "missing");
	for (size_t i = 0; i < ru->n_results; i++) {
		const struct cc_rollup_result *r = &ru->results[i];
		const struct cc_indicator *ind = &d->indicators[r->indicator];
		char used[32], dates[32], how[40];

		if (r->how == CC_ROLLUP_OBSERVED)
			snprintf(used, sizeof(used), "own");
		else
			snprintf(used, sizeof(used), "%zu/%zu", r->n_used, r->n_children);
		if (r->date_min == CC_DATE_NONE)
			snprintf(dates, sizeof(dates), "-");
		else if (r->date_min == r->date_max)
			snprintf(dates, sizeof(dates), "%s", cc_date_format(r->date_max, dt[0]));
		else
			snprintf(dates, sizeof(dates), "%s..%s", cc_date_format(r->date_min, dt[0]),
			         cc_date_format(r->date_max, dt[1]));
		if (r->how == CC_ROLLUP_ROLLED)
			snprintf(how, sizeof(how), "%s", cc_aggregation_name(ind->aggregation));
		else
			snprintf(how, sizeof(how), "%s", cc_rollup_how_name(r->how));
		printf("%-16s %-14s %-10s %-18.18s %-8s %-12s %-14.14s %-7s %-23s %s\n", ind->code,
		       ind->pillar[0] ? ind->pillar : "-", areas[r->area].pcode,
		       areas[r->area].name, disagg(r, dg),
		       isnan(r->value) ? "n/a" : numg(r->value, b), how, used, dates,
		       r->n_missing ? codes(areas, r->missing, r->n_missing, " ", TABLE_LIST_MAX,
		                            list, sizeof(list))
		                    : "-");
		if (r->source != SIZE_MAX)
			printf("%-16s   value from %s\n", "", areas[r->source].pcode);
		if (r->n_no_population)
			printf("%-16s   no population, left out: %s\n", "",
			       codes(areas, r->no_population, r->n_no_population, " ",
			             TABLE_LIST_MAX, list, sizeof(list)));
	}
	if (ru->n_results == 0)
		printf("(no values at admin level %d)\n", level);
}

static void print_csv(const struct cc_indicator_data *d, const struct cc_area *areas,
                      const struct cc_rollup *ru)
{
	static const char *const head[] = {
		"indicator", "pillar",    "aggregation", "area",    "name",          "level",
		"sex",       "age_group", "value",       "how",     "n_used",        "n_children",
		"source",    "date_min",  "date_max",    "missing", "no_population",
	};
	const size_t nh = sizeof(head) / sizeof(head[0]);
	char b[4][32], dt[2][11];
	char *list = cc_malloc(65536);

	if (!list)
		return;
	for (size_t i = 0; i < nh; i++)
		cli_csv_field(head[i], i + 1 == nh);
	for (size_t i = 0; i < ru->n_results; i++) {
		const struct cc_rollup_result *r = &ru->results[i];
		const struct cc_indicator *ind = &d->indicators[r->indicator];

		snprintf(b[0], 32, "%d", areas[r->area].level);
		snprintf(b[1], 32, "%zu", r->n_used);
		snprintf(b[2], 32, "%zu", r->n_children);
		cli_csv_field(ind->code, false);
		cli_csv_field(ind->pillar, false);
		cli_csv_field(cc_aggregation_name(ind->aggregation), false);
		cli_csv_field(areas[r->area].pcode, false);
		cli_csv_field(areas[r->area].name, false);
		cli_csv_field(b[0], false);
		cli_csv_field(r->sex, false);
		cli_csv_field(r->age_group, false);
		cli_csv_field(numg(r->value, b[3]), false);
		cli_csv_field(cc_rollup_how_name(r->how), false);
		cli_csv_field(b[1], false);
		cli_csv_field(b[2], false);
		cli_csv_field(r->source != SIZE_MAX ? areas[r->source].pcode : "", false);
		cli_csv_field(cc_date_format(r->date_min, dt[0]), false);
		cli_csv_field(cc_date_format(r->date_max, dt[1]), false);
		cli_csv_field(codes(areas, r->missing, r->n_missing, ";", 0, list, 65536), false);
		cli_csv_field(codes(areas, r->no_population, r->n_no_population, ";", 0, list, 65536),
		          true);
	}
	cc_free(list);
}

int cmd_rollup(struct cli *cli, int argc, char **argv)
{
	enum { O_INDICATOR = 256, O_LEVEL, O_AT, O_CSV, O_JSON };
	static const struct option longopts[] = {
		{ "indicator", required_argument, NULL, O_INDICATOR },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "at", required_argument, NULL, O_AT },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	const char *indicator = NULL;
	struct cc_indicator_data data = { 0 };
	struct cc_area *areas = NULL;
	struct cc_rollup ru = { 0 };
	struct cc_mission m;
	struct cc_err err = { 0 };
	enum fmt fmt = F_TABLE;
	int32_t at = CC_DATE_NONE;
	size_t n_areas = 0;
	int level = 1, opt;
	int64_t v;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_INDICATOR:
			indicator = optarg;
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, 5, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			level = (int)v;
			break;
		case O_AT:
			if (cc_date_parse(optarg, &at, &err) < 0)
				return cli_usage(cli, "--at: %s", err.msg);
			break;
		case O_CSV:
			fmt = F_CSV;
			break;
		case O_JSON:
			fmt = F_JSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cc_store_get_mission(cli->st, cli->mission, &m, &err) < 0)
		return cli_fail(&err);
	if (cli_rollup_load(cli->st, m.id, indicator, level, at, &data, &areas, &n_areas, &ru,
	                    &err) < 0)
		return cli_fail(&err);
	switch (fmt) {
	case F_TABLE:
		print_table(&data, areas, &ru, level, at);
		break;
	case F_CSV:
		print_csv(&data, areas, &ru);
		break;
	case F_JSON: {
		struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
		int ret = cc_rollup_format_json(&data, areas, &ru, level, at, &out, &err);

		if (ret == 0 && cli_write(out.buf, out.len) != CLI_OK)
			ret = CC_EIO;
		cc_buf_release(&out);
		if (ret < 0) {
			cc_rollup_release(&ru);
			cc_free(areas);
			cc_indicator_data_release(&data);
			return err.code ? cli_fail(&err) : CLI_FAIL;
		}
		break;
	}
	}
	cc_rollup_release(&ru);
	cc_free(areas);
	cc_indicator_data_release(&data);
	if (fflush(stdout) != 0 || ferror(stdout))
		return CLI_FAIL;
	return CLI_OK;
}
