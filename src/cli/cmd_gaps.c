/* concord gaps: needs against coverage per area × sector or pillar */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/gaps.h>
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
};

static int parse_args(struct cli *cli, int argc, char **argv, struct gaps_args *a)
{
	enum { O_LEVEL = 256, O_REACH, O_BY, O_PLANNING, O_FROM, O_TO, O_JSON, O_CSV };
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, O_LEVEL },
		{ "reach", required_argument, NULL, O_REACH },
		{ "by", required_argument, NULL, O_BY },
		{ "planning", no_argument, NULL, O_PLANNING },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
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
			break;
		case O_CSV:
			a->fmt = CC_FORMAT_CSV;
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

static int compute(struct cli *cli, const struct gaps_args *a, struct cc_gaps *g,
                   struct cc_err *err)
{
	struct cc_mission m;
	struct cc_coverage_record *recs = NULL;
	struct cc_coverage_column *cols = NULL;
	struct cc_area *cov_areas = NULL, *need_areas = NULL, *areas = NULL;
	struct cc_gap_need *needs = NULL;
	struct cc_gap_sector *sectors = NULL;
	size_t n_recs = 0, n_cols = 0, n_cov_areas = 0, n_need_areas = 0, n_needs = 0,
	       n_sectors = 0;
	int ret;

	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, err)) < 0)
		return ret;
	ret = cc_store_load_coverage(
	        cli->st,
	        &(struct cc_coverage_query){
	                .mission_id = m.id, .by = CC_BY_PILLAR, .from = a->from, .to = a->to },
	        &recs, &n_recs, &cols, &n_cols, &cov_areas, &n_cov_areas, err);
	if (ret == 0)
		ret = cc_store_load_needs(
		        cli->st,
		        &(struct cc_need_query){
		                .mission_id = m.id, .min_level = 0, .from = a->from, .to = a->to },
		        &needs, &n_needs, &need_areas, &n_need_areas, &sectors, &n_sectors, err);
	if (ret == 0) {
		areas = cc_alloc_array(n_cov_areas + n_need_areas + 1, sizeof(*areas));
		if (!areas)
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (ret == 0) {
		if (n_cov_areas)
			memcpy(areas, cov_areas, n_cov_areas * sizeof(*areas));
		if (n_need_areas)
			memcpy(areas + n_cov_areas, need_areas, n_need_areas * sizeof(*areas));
		ret = cc_gaps_compute(needs, n_needs, recs, n_recs, areas,
		                      n_cov_areas + n_need_areas, sectors, n_sectors, &a->o, g,
		                      err);
	}
	cc_free(recs);
	cc_free(cols);
	cc_free(cov_areas);
	cc_free(need_areas);
	cc_free(areas);
	cc_free(needs);
	cc_free(sectors);
	return ret;
}

/* A number for text and CSV: "" (CSV) or "-" (table) when unknown. */
static int add_num(struct cc_buf *b, double v, int decimals, const char *none)
{
	if (isnan(v))
		return cc_buf_adds(b, none);
	return cc_buf_addf(b, "%.*f", decimals, v);
}

static int add_json_num(struct cc_buf *b, const char *key, double v, int decimals)
{
	int ret = cc_buf_addf(b, ",\"%s\":", key);

	if (ret == 0)
		ret = isnan(v) ? cc_buf_adds(b, "null") : cc_buf_addf(b, "%.*f", decimals, v);
	return ret;
}

static int format_json(const struct cc_gaps *g, struct cc_buf *b)
{
	int ret = cc_buf_addf(b,
	                      "{\"level\":%d,\"by\":\"%s\",\"reach\":\"%s\",\"compared_with\":"
	                      "\"%s\",\"rank_rule\":",
	                      g->opts.level, g->opts.by == CC_GAP_BY_PILLAR ? "pillar" : "sector",
	                      g->opts.reach == CC_REACH_SUM ? "sum" : "max",
	                      g->opts.planning ? "targeted" : "reached");

	if (ret == 0)
		ret = cc_buf_add_json_str(b, cc_gap_rank_rule());
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"reach_rule\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, cc_gap_reach_rule(g->opts.reach));
	if (ret == 0)
		ret = cc_buf_addf(b,
		                  ",\"n_needs\":%zu,\"n_needs_above\":%zu,\"n_needs_unplaced\":%zu,"
		                  "\"n_records_above\":%zu,\"rows\":[",
		                  g->n_needs, g->n_needs_above, g->n_needs_unplaced,
		                  g->n_records_above);
	for (size_t i = 0; i < g->n_rows && ret == 0; i++) {
		const struct cc_gap_row *r = &g->rows[i];

		ret = cc_buf_addf(b, "%s{\"rank\":", i ? "," : "");
		if (ret == 0)
			ret = r->status == CC_GAP_SCORED ? cc_buf_addf(b, "%zu", i + 1)
			                                 : cc_buf_adds(b, "null");
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"pcode\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, r->pcode);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"area\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, r->name);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"key\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, r->key_code);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"key_name\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, r->key_name);
		if (ret == 0)
			ret = r->severity ? cc_buf_addf(b, ",\"severity\":%d", r->severity)
			                  : cc_buf_adds(b, ",\"severity\":null");
		if (ret == 0)
			ret = add_json_num(b, "in_need", r->in_need, 0);
		if (ret == 0)
			ret = add_json_num(b, "covered", r->covered, 0);
		if (ret == 0)
			ret = cc_buf_addf(b, ",\"n_orgs\":%zu,\"n_records\":%zu", r->n_orgs,
			                  r->n_records);
		if (ret == 0)
			ret = add_json_num(b, "shortfall", r->shortfall, 6);
		if (ret == 0)
			ret = add_json_num(b, "unmet", r->unmet, 0);
		if (ret == 0)
			ret = add_json_num(b, "gap", r->gap, 0);
		if (ret == 0)
			ret = cc_buf_addf(b, ",\"status\":\"%s\"}", cc_gap_status_name(r->status));
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "]}\n");
	return ret;
}

static int format_csv(const struct cc_gaps *g, struct cc_buf *b)
{
	int ret = cc_buf_adds(b, "rank,pcode,area,key,key_name,severity,in_need,covered,n_orgs,"
	                         "n_records,shortfall,unmet,gap,status\n");

	for (size_t i = 0; i < g->n_rows && ret == 0; i++) {
		const struct cc_gap_row *r = &g->rows[i];

		if (r->status == CC_GAP_SCORED)
			ret = cc_buf_addf(b, "%zu", i + 1);
		if (ret == 0)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = cc_buf_add_csv(b, r->pcode);
		if (ret == 0)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = cc_buf_add_csv(b, r->name);
		if (ret == 0)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = cc_buf_add_csv(b, r->key_code);
		if (ret == 0)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = cc_buf_add_csv(b, r->key_name);
		if (ret == 0)
			ret = r->severity ? cc_buf_addf(b, ",%d,", r->severity)
			                  : cc_buf_adds(b, ",,");
		if (ret == 0)
			ret = add_num(b, r->in_need, 0, "");
		if (ret == 0)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = add_num(b, r->covered, 0, "");
		if (ret == 0)
			ret = cc_buf_addf(b, ",%zu,%zu,", r->n_orgs, r->n_records);
		if (ret == 0)
			ret = add_num(b, r->shortfall, 6, "");
		if (ret == 0)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = add_num(b, r->unmet, 0, "");
		if (ret == 0)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = add_num(b, r->gap, 0, "");
		if (ret == 0)
			ret = cc_buf_addf(b, ",%s\n", cc_gap_status_name(r->status));
	}
	return ret;
}

static int format_table(const struct cc_gaps *g, struct cc_buf *b)
{
	int ret = cc_buf_addf(b,
	                      "Gaps at admin level %d by %s, compared with people %s\n"
	                      "Rule: %s\nReach: %s\n\n",
	                      g->opts.level, g->opts.by == CC_GAP_BY_PILLAR ? "pillar" : "sector",
	                      g->opts.planning ? "targeted" : "reached", cc_gap_rank_rule(),
	                      cc_gap_reach_rule(g->opts.reach));

	if (ret == 0)
		ret = cc_buf_addf(b, "%4s  %-10s %-22s %-14s %3s %11s %11s %4s %9s %11s  %s\n",
		                  "rank", "P-code", "Area", "Key", "sev", "in need", "covered",
		                  "orgs", "shortfall", "gap", "status");
	for (size_t i = 0; i < g->n_rows && ret == 0; i++) {
		const struct cc_gap_row *r = &g->rows[i];
		char rank[24] = "-", sev[16] = "-", pin[32] = "-", cov[32] = "-", sf[32] = "-",
		     gap[32] = "-";

		if (r->status == CC_GAP_SCORED)
			snprintf(rank, sizeof(rank), "%zu", i + 1);
		if (r->severity)
			snprintf(sev, sizeof(sev), "%d", r->severity);
		if (!isnan(r->in_need))
			snprintf(pin, sizeof(pin), "%.0f", r->in_need);
		if (!isnan(r->covered))
			snprintf(cov, sizeof(cov), "%.0f", r->covered);
		if (!isnan(r->shortfall))
			snprintf(sf, sizeof(sf), "%.3f", r->shortfall);
		if (!isnan(r->gap))
			snprintf(gap, sizeof(gap), "%.0f", r->gap);
		ret = cc_buf_addf(b, "%4s  %-10s %-22.22s %-14s %3s %11s %11s %4zu %9s %11s  %s\n",
		                  rank, r->pcode, r->name, r->key_code, sev, pin, cov, r->n_orgs,
		                  sf, gap, cc_gap_status_name(r->status));
	}
	if (ret == 0)
		ret = cc_buf_addf(b,
		                  "\n%zu rows, %zu scored; \"no data\": no coverage record, "
		                  "\"no figures\": records without people figures (neither is "
		                  "zero coverage)\n",
		                  g->n_rows, g->n_scored);
	if (ret == 0 && (g->n_needs_above || g->n_needs_unplaced))
		ret = cc_buf_addf(b,
		                  "%zu need records above admin level %d (or national) are not "
		                  "distributed; %zu could not be placed\n",
		                  g->n_needs_above, g->opts.level, g->n_needs_unplaced);
	if (ret == 0 && g->n_records_above)
		ret = cc_buf_addf(b,
		                  "%zu coverage records above admin level %d are not attributed\n",
		                  g->n_records_above, g->opts.level);
	return ret;
}

int cmd_gaps(struct cli *cli, int argc, char **argv)
{
	struct gaps_args a;
	struct cc_gaps g = { 0 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_err err = { 0 };
	int ret;

	ret = parse_args(cli, argc, argv, &a);
	if (ret != CLI_OK)
		return ret;
	ret = compute(cli, &a, &g, &err);
	if (ret == 0) {
		switch (a.fmt) {
		case CC_FORMAT_JSON:
			ret = format_json(&g, &out);
			break;
		case CC_FORMAT_CSV:
			ret = format_csv(&g, &out);
			break;
		case CC_FORMAT_TABLE:
			ret = format_table(&g, &out);
			break;
		}
		if (ret < 0)
			cc_err_set(&err, ret, "cannot format the result");
	}
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
