/*
 * The gap ranking as text table, CSV, JSON and GeoJSON (see <concord/report.h>): the one
 * formatter of `concord gaps` and GET /api/gaps.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/gaps.h>
#include <concord/geojson.h>
#include <concord/report.h>

#include "core/limits.h"

#include "core/banned.h"

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

/* ---- the converted budget ---- */

/* "USD 1.1836 per EUR (daily fixing of 2021-07-01)" or "(annual average of 2021)". */
static int add_rate_text(struct cc_buf *b, const struct cc_gap_rate *r)
{
	char d[11];
	int y, m, dd;

	cc_date_to_ymd(r->date, &y, &m, &dd);
	return r->kind == CC_RATE_ANNUAL
	               ? cc_buf_addf(b, "%s %.10g per EUR (annual average of %d)", r->currency,
	                             r->per_eur, y)
	               : cc_buf_addf(b, "%s %.10g per EUR (daily fixing of %s)", r->currency,
	                             r->per_eur, cc_date_format(r->date, d));
}

/* "activity 12: XAF 5000 of 2021-07-01: no rate near the date (XAF)". */
static int add_unconverted_text(struct cc_buf *b, const struct cc_gap_unconverted *u)
{
	char d[11];
	int ret = cc_buf_addf(b, "activity %lld: %s ", (long long)u->activity_id,
	                      u->currency[0] ? u->currency : "(no currency)");

	if (ret == 0)
		ret = add_money(b, u->amount);
	if (ret == 0)
		ret = cc_buf_addf(b, " of %s: %s",
		                  u->value_date == CC_DATE_NONE ? "(no value date)"
		                                                : cc_date_format(u->value_date, d),
		                  cc_fx_status_text(u->status));
	if (ret == 0 && u->missing[0])
		ret = cc_buf_addf(b, " (%s)", u->missing);
	return ret;
}

static int add_rate_json(struct cc_buf *b, const struct cc_gap_rate *r)
{
	char d[11];

	return cc_buf_addf(b,
	                   "{\"currency\":\"%s\",\"kind\":\"%s\",\"date\":\"%s\",\"per_eur\":%.10g,"
	                   "\"uses\":%zu}",
	                   r->currency, r->kind == CC_RATE_ANNUAL ? "annual" : "daily",
	                   cc_date_format(r->date, d), r->per_eur, r->n_uses);
}

static int add_unconverted_json(struct cc_buf *b, const struct cc_gap_unconverted *u)
{
	char d[11];
	int ret = cc_buf_addf(b, "{\"activity_id\":%lld,\"amount\":", (long long)u->activity_id);

	if (ret == 0)
		ret = isnan(u->amount) ? cc_buf_adds(b, "null") : add_money(b, u->amount);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"currency\":");
	if (ret == 0)
		ret = u->currency[0] ? cc_buf_add_json_str(b, u->currency) : cc_buf_adds(b, "null");
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"value_date\":");
	if (ret == 0)
		ret = u->value_date == CC_DATE_NONE
		              ? cc_buf_adds(b, "null")
		              : cc_buf_addf(b, "\"%s\"", cc_date_format(u->value_date, d));
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"reason\":\"%s\",\"missing_rate\":",
		                  cc_fx_status_text(u->status));
	if (ret == 0)
		ret = u->missing[0] ? cc_buf_add_json_str(b, u->missing) : cc_buf_adds(b, "null");
	if (ret == 0)
		ret = cc_buf_addch(b, '}');
	return ret;
}

/* "[...]" of the rates, or of the amounts not converted. */
static int add_rates_json(struct cc_buf *b, const struct cc_gap_rate *r, size_t n)
{
	int ret = cc_buf_addch(b, '[');

	for (size_t i = 0; i < n && ret == 0; i++) {
		if (i)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = add_rate_json(b, &r[i]);
	}
	return ret == 0 ? cc_buf_addch(b, ']') : ret;
}

static int add_unconverted_list_json(struct cc_buf *b, const struct cc_gap_unconverted *u,
                                     size_t n)
{
	int ret = cc_buf_addch(b, '[');

	for (size_t i = 0; i < n && ret == 0; i++) {
		if (i)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = add_unconverted_json(b, &u[i]);
	}
	return ret == 0 ? cc_buf_addch(b, ']') : ret;
}

/* The conversion members of the head: currency, rule, rates used, amounts not converted. */
static int add_money_head_json(const struct cc_gaps *g, struct cc_buf *b)
{
	char rule[512];
	int ret;

	if (!g->has_conversion)
		return cc_buf_adds(b, ",\"reporting_currency\":null,\"money_rule\":null,"
		                      "\"rates_used\":[],\"not_converted\":[]");
	ret = cc_buf_addf(b, ",\"reporting_currency\":\"%s\",\"money_rule\":", g->currency);
	if (ret == 0)
		ret = cc_buf_add_json_str(b, cc_gap_money_rule(g->tolerance_days, rule, sizeof(rule)));
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"rates_used\":");
	if (ret == 0)
		ret = add_rates_json(b, g->rates_used, g->n_rates_used);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"not_converted\":");
	if (ret == 0)
		ret = add_unconverted_list_json(b, g->unconverted, g->n_unconverted);
	return ret;
}

/* The row's converted budget as a JSON member (null without conversion). */
static int add_row_money_json(const struct cc_gaps *g, const struct cc_gap_row *r,
                              struct cc_buf *b)
{
	int ret;

	if (!g->has_conversion)
		return cc_buf_adds(b, ",\"budget_converted\":null");
	ret = cc_buf_addf(b, ",\"budget_converted\":{\"currency\":\"%s\",\"amount\":",
	                  g->currency);
	if (ret == 0)
		ret = isnan(r->budget_converted) ? cc_buf_adds(b, "null")
		                                 : add_money(b, r->budget_converted);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"converted\":%zu,\"not_converted\":%zu,\"rates\":",
		                  r->n_converted, r->n_not_converted);
	if (ret == 0)
		ret = add_rates_json(b, r->rates, r->n_rates);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"not_converted_amounts\":");
	if (ret == 0)
		ret = add_unconverted_list_json(b, r->not_converted, r->n_not_converted);
	if (ret == 0)
		ret = cc_buf_addch(b, '}');
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
	if (ret == 0)
		ret = add_money_head_json(g, b);
	return ret;
}

/* One row as a JSON object (rank: its 1-based position). */
static int add_row_json(const struct cc_gaps *g, const struct cc_gap_row *r, size_t rank,
                        struct cc_buf *b)
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
		        b, "],\"activities_with_budget\":%zu,\"activities_without_budget\":%zu",
		        r->n_budgeted, r->n_unbudgeted);
	if (ret == 0)
		ret = add_row_money_json(g, r, b);
	if (ret == 0)
		ret = cc_buf_addch(b, '}');
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
			ret = add_row_json(g, &g->rows[i], i + 1, b);
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "]}\n");
	return ret;
}

/*
 * One feature per row, its geometry the area's boundary from the store (null when the area has
 * none), its properties the row's --json object; the rules are foreign members.
 */
static int format_geojson(struct cc_store *st, const struct cc_gaps *g, struct cc_buf *b,
                          struct cc_err *err)
{
	struct cc_geojson gj;
	int ret = cc_geojson_begin(&gj, b, st);

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
			ret = add_row_json(g, &g->rows[i], i + 1, b);
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

/*
 * The row's converted budget as CSV cells, each after a comma: amount, currency, counts, the
 * rates used and the amounts not converted ("; " between items).
 */
static int add_row_money_csv(const struct cc_gaps *g, const struct cc_gap_row *r,
                             struct cc_buf *b)
{
	struct cc_buf t = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	int ret = cc_buf_addch(b, ',');

	if (ret == 0 && !isnan(r->budget_converted))
		ret = add_money(b, r->budget_converted);
	if (ret == 0)
		ret = cc_buf_addf(b, ",%s,%zu,%zu,", g->currency, r->n_converted,
		                  r->n_not_converted);
	for (size_t k = 0; k < r->n_rates && ret == 0; k++) {
		ret = k ? cc_buf_adds(&t, "; ") : 0;
		if (ret == 0)
			ret = add_rate_text(&t, &r->rates[k]);
	}
	if (ret == 0)
		ret = cc_buf_add_csv(b, t.len ? t.buf : "");
	if (ret == 0)
		ret = cc_buf_addch(b, ',');
	cc_buf_clear(&t);
	for (size_t k = 0; k < r->n_not_converted && ret == 0; k++) {
		ret = k ? cc_buf_adds(&t, "; ") : 0;
		if (ret == 0)
			ret = add_unconverted_text(&t, &r->not_converted[k]);
	}
	if (ret == 0)
		ret = cc_buf_add_csv(b, t.len ? t.buf : "");
	cc_buf_release(&t);
	return ret;
}

static int format_csv(const struct cc_gaps *g, struct cc_buf *b)
{
	int ret = cc_buf_adds(b, "rank,pcode,area,key,key_name,severity,in_need,covered,n_orgs,"
	                         "n_records,shortfall,unmet,gap,status,budget,budget_currency,"
	                         "budget_by_currency,activities_with_budget,"
	                         "activities_without_budget");

	/* the converted budget's columns come only with a reporting currency */
	if (ret == 0 && g->has_conversion)
		ret = cc_buf_adds(b, ",budget_converted,converted_currency,budgets_converted,"
		                     "budgets_not_converted,rates_used,not_converted");
	if (ret == 0)
		ret = cc_buf_addch(b, '\n');

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
			ret = cc_buf_addf(b, ",%zu,%zu", r->n_budgeted, r->n_unbudgeted);
		if (ret == 0 && g->has_conversion)
			ret = add_row_money_csv(g, r, b);
		if (ret == 0)
			ret = cc_buf_addch(b, '\n');
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

/*
 * The table's budget cell: "USD 1.20M", "EUR 300 + USD 1.20M", or "-"; with conversion
 * followed by " = USD 1.53M" and " (+1 not converted)".
 */
static void budget_cell(char *s, size_t n, const struct cc_gap_row *r, const struct cc_gaps *g)
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
	if (g->has_conversion && (r->n_converted || r->n_not_converted) && len < n) {
		char amt[32] = "-";
		int w;

		if (!isnan(r->budget_converted))
			short_money(amt, sizeof(amt), r->budget_converted);
		w = snprintf(s + len, n - len, " = %s %s", g->currency, amt);
		if (w > 0 && (size_t)w < n - len && r->n_not_converted)
			snprintf(s + len + (size_t)w, n - len - (size_t)w, " (+%zu not converted)",
			         r->n_not_converted);
	}
}

/* The rates used and the amounts not converted, under the table. */
static int add_money_table(const struct cc_gaps *g, struct cc_buf *b)
{
	int ret = cc_buf_addf(b, "\nRates used for the totals in %s:%s\n", g->currency,
	                      g->n_rates_used ? "" : " none");

	for (size_t i = 0; i < g->n_rates_used && ret == 0; i++) {
		ret = cc_buf_adds(b, "  ");
		if (ret == 0)
			ret = add_rate_text(b, &g->rates_used[i]);
		if (ret == 0)
			ret = cc_buf_addf(b, ", %zu conversion%s\n", g->rates_used[i].n_uses,
			                  g->rates_used[i].n_uses == 1 ? "" : "s");
	}
	if (ret == 0)
		ret = g->n_unconverted
		              ? cc_buf_addf(b,
		                            "Not converted (left out of the totals in %s, not taken "
		                            "as 0): %zu\n",
		                            g->currency, g->n_unconverted)
		              : cc_buf_adds(b, "Every budget was converted.\n");
	for (size_t i = 0; i < g->n_unconverted && ret == 0; i++) {
		ret = cc_buf_adds(b, "  ");
		if (ret == 0)
			ret = add_unconverted_text(b, &g->unconverted[i]);
		if (ret == 0)
			ret = cc_buf_addch(b, '\n');
	}
	return ret;
}

static int format_table(const struct cc_gaps *g, struct cc_buf *b)
{
	char rule[512]; /* the conversion rule, with its tolerance */
	int ret = cc_buf_addf(b,
	                      "Gaps at admin level %d by %s, compared with people %s\n"
	                      "Rule: %s\nReach: %s\nBudget: %s\n",
	                      g->opts.level, g->opts.by == CC_GAP_BY_PILLAR ? "pillar" : "sector",
	                      g->opts.planning ? "targeted" : "reached", cc_gap_rank_rule(),
	                      cc_gap_reach_rule(g->opts.reach), cc_gap_budget_rule());

	if (ret == 0 && g->has_conversion)
		ret = cc_buf_addf(b, "Converted to %s: %s\n", g->currency,
		                  cc_gap_money_rule(g->tolerance_days, rule, sizeof(rule)));
	if (ret == 0)
		ret = cc_buf_addch(b, '\n');

	if (ret == 0)
		ret = cc_buf_addf(b,
		                  "%4s  %-10s %-22s %-14s %3s %11s %11s %4s %9s %11s  %-12s %s\n",
		                  "rank", "P-code", "Area", "Key", "sev", "in need", "covered",
		                  "orgs", "shortfall", "gap", "status", "budget");
	for (size_t i = 0; i < g->n_rows && ret == 0; i++) {
		const struct cc_gap_row *r = &g->rows[i];
		char rank[24] = "-", sev[16] = "-", pin[32] = "-", cov[32] = "-", sf[32] = "-",
		     gap[32] = "-", bud[160];

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
		budget_cell(bud, sizeof(bud), r, g);
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
	if (ret == 0 && g->has_conversion)
		ret = add_money_table(g, b);
	return ret;
}

/* Appends tmp to out when ret is 0; releases tmp; the error for ret otherwise. */
static int finish(struct cc_buf *tmp, int ret, struct cc_buf *out, struct cc_err *err)
{
	if (ret == 0 && (ret = cc_buf_add(out, tmp->buf, tmp->len)) < 0)
		cc_err_set(err, ret, ret == CC_ENOMEM ? "out of memory" : "gaps output too large");
	else if (ret == CC_ENOMEM && !err->code)
		cc_err_set(err, ret, "out of memory formatting gaps");
	else if (ret < 0 && !err->code)
		cc_err_set(err, ret, "gaps output exceeds %u bytes", (unsigned)CC_LIMIT_TEXT_OUT);
	cc_buf_release(tmp);
	return ret;
}

int cc_gaps_format(const struct cc_gaps *g, enum cc_format fmt, struct cc_buf *out,
                   struct cc_err *err)
{
	struct cc_buf tmp = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	int ret;

	switch (fmt) {
	case CC_FORMAT_JSON:
		ret = format_json(g, &tmp);
		break;
	case CC_FORMAT_CSV:
		ret = format_csv(g, &tmp);
		break;
	case CC_FORMAT_TABLE:
		ret = format_table(g, &tmp);
		break;
	default: /* not an enum cc_format value at all */
		cc_buf_release(&tmp);
		return cc_err_set(err, CC_EINVALID, "unknown output format %d", (int)fmt);
	}
	return finish(&tmp, ret, out, err);
}

int cc_gaps_geojson(const struct cc_gaps *g, struct cc_store *st, struct cc_buf *out,
                    struct cc_err *err)
{
	struct cc_buf tmp = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);

	return finish(&tmp, format_geojson(st, g, &tmp, err), out, err);
}
