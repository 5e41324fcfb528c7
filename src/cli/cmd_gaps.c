/* concord gaps: needs against coverage per area × sector or pillar */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/activities.h>
#include <concord/alloc.h>
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

/*
 * The budget of every activity (kind activity) of the period the reader may see, a page at a
 * time: the same mission, period and visibility as the coverage read.
 */
static int load_budgets(struct cli *cli, int64_t mission_id, const struct gaps_args *a,
                        struct cc_gap_budget **out, size_t *n_out, struct cc_err *err)
{
	struct cc_activity_query q = { .mission_id = mission_id,
		                       .pillar = -1,
		                       .kind = CC_KIND_ACTIVITY,
		                       .from = a->from,
		                       .to = a->to,
		                       .limit = CC_ACTIVITY_PAGE_MAX };
	struct cc_gap_budget *b = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	do {
		struct cc_activity_page page = { 0 };

		ret = cc_store_list_activities(cli->st, &q, &page, err);
		if (ret == 0 && n + page.n_rows > cap) {
			size_t c = cap ? cap : 1024;
			struct cc_gap_budget *nb;

			while (c < n + page.n_rows)
				c *= 2;
			nb = cc_realloc(b, c * sizeof(*nb));
			if (nb) {
				b = nb;
				cap = c;
			} else {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			}
		}
		for (size_t i = 0; ret == 0 && i < page.n_rows; i++) {
			const struct cc_activity_row *r = &page.rows[i];

			b[n] = (struct cc_gap_budget){ .activity_id = r->id, .amount = r->budget };
			snprintf(b[n].currency, sizeof(b[n].currency), "%s",
			         r->currency ? r->currency : "");
			n++;
		}
		q.after = page.next_after;
		cc_activity_page_release(&page);
	} while (ret == 0 && q.after);
	if (ret < 0) {
		cc_free(b);
		return ret;
	}
	*out = b;
	*n_out = n;
	return 0;
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
	struct cc_gap_budget *budgets = NULL;
	size_t n_recs = 0, n_cols = 0, n_cov_areas = 0, n_need_areas = 0, n_needs = 0,
	       n_sectors = 0, n_budgets = 0;
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
	if (ret == 0)
		ret = load_budgets(cli, m.id, a, &budgets, &n_budgets, err);
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
		ret = cc_gaps_compute_ex(
		        &(struct cc_gap_input){ .needs = needs,
		                                .n_needs = n_needs,
		                                .records = recs,
		                                .n_records = n_recs,
		                                /* never NULL: the budget was read */
		                                .budgets = budgets ? budgets
		                                                   : &(struct cc_gap_budget){ 0 },
		                                .n_budgets = n_budgets,
		                                .areas = areas,
		                                .n_areas = n_cov_areas + n_need_areas,
		                                .sectors = sectors,
		                                .n_sectors = n_sectors },
		        &a->o, g, err);
	}
	cc_free(recs);
	cc_free(cols);
	cc_free(cov_areas);
	cc_free(need_areas);
	cc_free(areas);
	cc_free(needs);
	cc_free(sectors);
	cc_free(budgets);
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

/* An amount of money: whole units plainly, else with cents. */
static int add_money(struct cc_buf *b, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return cc_buf_addf(b, "%.0f", v);
	return cc_buf_addf(b, "%.2f", v);
}

/* The currency as text and CSV show it: a budget without one is in "unknown" currency. */
static const char *currency_text(const struct cc_gap_money *m)
{
	return m->currency[0] ? m->currency : "unknown";
}

/* "USD 1200000; EUR 300" (by currency code, unknown last). */
static int add_by_currency(struct cc_buf *b, const struct cc_gap_row *r)
{
	int ret = 0;

	for (size_t k = 0; k < r->n_budget && ret == 0; k++) {
		ret = cc_buf_addf(b, "%s%s ", k ? "; " : "", currency_text(&r->budget[k]));
		if (ret == 0)
			ret = add_money(b, r->budget[k].amount);
	}
	return ret;
}

/* The rules and counts of the result as JSON members, without braces. */
static int add_head_json(const struct cc_gaps *g, struct cc_buf *b)
{
	int ret = cc_buf_addf(b,
	                      "\"level\":%d,\"by\":\"%s\",\"reach\":\"%s\",\"compared_with\":"
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
		ret = cc_buf_adds(b, ",\"budget_rule\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, cc_gap_budget_rule());
	if (ret == 0)
		ret = cc_buf_addf(b,
		                  ",\"n_needs\":%zu,\"n_needs_above\":%zu,\"n_needs_unplaced\":%zu,"
		                  "\"n_records_above\":%zu",
		                  g->n_needs, g->n_needs_above, g->n_needs_unplaced,
		                  g->n_records_above);
	return ret;
}

/* One row as a JSON object (rank: its 1-based position). */
static int add_row_json(const struct cc_gap_row *r, size_t rank, struct cc_buf *b)
{
	int ret = cc_buf_adds(b, "{\"rank\":");

	if (ret == 0)
		ret = r->status == CC_GAP_SCORED ? cc_buf_addf(b, "%zu", rank)
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
		ret = cc_buf_addf(b, ",\"n_orgs\":%zu,\"n_records\":%zu", r->n_orgs, r->n_records);
	if (ret == 0)
		ret = add_json_num(b, "shortfall", r->shortfall, 6);
	if (ret == 0)
		ret = add_json_num(b, "unmet", r->unmet, 0);
	if (ret == 0)
		ret = add_json_num(b, "gap", r->gap, 0);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"status\":\"%s\",\"budget\":[",
		                  cc_gap_status_name(r->status));
	for (size_t k = 0; k < r->n_budget && ret == 0; k++) {
		const struct cc_gap_money *m = &r->budget[k];

		ret = cc_buf_adds(b, k ? ",{\"currency\":" : "{\"currency\":");
		if (ret == 0)
			ret = m->currency[0] ? cc_buf_add_json_str(b, m->currency)
			                     : cc_buf_adds(b, "null");
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"amount\":");
		if (ret == 0)
			ret = add_money(b, m->amount);
		if (ret == 0)
			ret = cc_buf_addf(b, ",\"activities\":%zu}", m->n_activities);
	}
	if (ret == 0)
		ret = cc_buf_addf(
		        b, "],\"activities_with_budget\":%zu,\"activities_without_budget\":%zu}",
		        r->n_budgeted, r->n_unbudgeted);
	return ret;
}

static int format_json(const struct cc_gaps *g, struct cc_buf *b)
{
	int ret = cc_buf_addch(b, '{');

	if (ret == 0)
		ret = add_head_json(g, b);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"rows\":[");
	for (size_t i = 0; i < g->n_rows && ret == 0; i++) {
		if (i)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = add_row_json(&g->rows[i], i + 1, b);
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "]}\n");
	return ret;
}

/*
 * One feature per row, its geometry the area's boundary from the store (null when the area has
 * none), its properties the row's --json object; the rules are foreign members.
 */
static int format_geojson(struct cli *cli, const struct cc_gaps *g, struct cc_buf *b,
                          struct cc_err *err)
{
	struct cc_geojson gj;
	int ret = cc_geojson_begin(&gj, b, cli->st);

	if (ret == 0)
		ret = cc_buf_addch(b, ',');
	if (ret == 0)
		ret = add_head_json(g, b);
	if (ret == 0 && (ret = cc_geojson_member(&gj, "geometry_rule")) == 0)
		ret = cc_buf_add_json_str(b, "each row's admin area boundary as stored; null when "
		                             "the area has no boundary");
	for (size_t i = 0; i < g->n_rows && ret == 0; i++) {
		ret = cc_geojson_feature(&gj);
		if (ret == 0 && (ret = cc_geojson_area(&gj, g->rows[i].area_id, err)) < 0)
			break;
		if (ret == 0)
			ret = cc_geojson_properties(&gj);
		if (ret == 0)
			ret = add_row_json(&g->rows[i], i + 1, b);
		if (ret == 0)
			ret = cc_geojson_feature_end(&gj);
	}
	if (ret == 0)
		ret = cc_geojson_end(&gj);
	cc_geojson_release(&gj);
	if (ret < 0 && !err->code)
		cc_err_set(err, ret, ret == CC_ENOMEM ? "out of memory" : "result too large");
	return ret;
}

static int format_csv(const struct cc_gaps *g, struct cc_buf *b)
{
	int ret = cc_buf_adds(b, "rank,pcode,area,key,key_name,severity,in_need,covered,n_orgs,"
	                         "n_records,shortfall,unmet,gap,status,budget,budget_currency,"
	                         "budget_by_currency,activities_with_budget,"
	                         "activities_without_budget\n");

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
			ret = cc_buf_addf(b, ",%s,", cc_gap_status_name(r->status));
		/* one currency: its sum; several: "mixed", never added (budget_by_currency) */
		if (ret == 0 && r->n_budget == 1)
			ret = add_money(b, r->budget[0].amount);
		if (ret == 0)
			ret = cc_buf_addf(b, ",%s,",
			                  r->n_budget == 1  ? currency_text(&r->budget[0])
			                  : r->n_budget > 1 ? "mixed"
			                                    : "");
		if (ret == 0)
			ret = add_by_currency(b, r);
		if (ret == 0)
			ret = cc_buf_addf(b, ",%zu,%zu\n", r->n_budgeted, r->n_unbudgeted);
	}
	return ret;
}

/* A short amount for the table: 950, 12.5k, 1.20M, 3.40B. */
static void short_money(char *s, size_t n, double v)
{
	double a = fabs(v);

	if (a < 1e4)
		snprintf(s, n, "%.0f", v);
	else if (a < 1e6)
		snprintf(s, n, "%.1fk", v / 1e3);
	else if (a < 1e9)
		snprintf(s, n, "%.2fM", v / 1e6);
	else
		snprintf(s, n, "%.2fB", v / 1e9);
}

/* The table's budget cell: "USD 1.20M", "EUR 300 + USD 1.20M", or "-". */
static void budget_cell(char *s, size_t n, const struct cc_gap_row *r)
{
	size_t len = 0;

	snprintf(s, n, "-");
	for (size_t k = 0; k < r->n_budget && len < n; k++) {
		char amt[32];
		int w;

		short_money(amt, sizeof(amt), r->budget[k].amount);
		w = snprintf(s + len, n - len, "%s%s %s", k ? " + " : "",
		             currency_text(&r->budget[k]), amt);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static int format_table(const struct cc_gaps *g, struct cc_buf *b)
{
	int ret = cc_buf_addf(b,
	                      "Gaps at admin level %d by %s, compared with people %s\n"
	                      "Rule: %s\nReach: %s\nBudget: %s\n\n",
	                      g->opts.level, g->opts.by == CC_GAP_BY_PILLAR ? "pillar" : "sector",
	                      g->opts.planning ? "targeted" : "reached", cc_gap_rank_rule(),
	                      cc_gap_reach_rule(g->opts.reach), cc_gap_budget_rule());

	if (ret == 0)
		ret = cc_buf_addf(b,
		                  "%4s  %-10s %-22s %-14s %3s %11s %11s %4s %9s %11s  %-12s %s\n",
		                  "rank", "P-code", "Area", "Key", "sev", "in need", "covered",
		                  "orgs", "shortfall", "gap", "status", "budget");
	for (size_t i = 0; i < g->n_rows && ret == 0; i++) {
		const struct cc_gap_row *r = &g->rows[i];
		char rank[24] = "-", sev[16] = "-", pin[32] = "-", cov[32] = "-", sf[32] = "-",
		     gap[32] = "-", bud[96];

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
		budget_cell(bud, sizeof(bud), r);
		ret = cc_buf_addf(
		        b, "%4s  %-10s %-22.22s %-14s %3s %11s %11s %4zu %9s %11s  %-12s %s\n",
		        rank, r->pcode, r->name, r->key_code, sev, pin, cov, r->n_orgs, sf, gap,
		        cc_gap_status_name(r->status), bud);
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
			ret = a.geojson ? format_geojson(cli, &g, &out, &err)
			                : format_json(&g, &out);
			break;
		case CC_FORMAT_CSV:
			ret = format_csv(&g, &out);
			break;
		case CC_FORMAT_TABLE:
			ret = format_table(&g, &out);
			break;
		}
		if (ret < 0 && !err.code)
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
