#include <concord/report.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/limits.h"
#include "report/svg.h"

#include "core/banned.h"

/*
 * The review report: one HTML5 file that opens anywhere, offline, years later. Everything is
 * inline (CSS, SVG); there are no scripts, fonts, images or links to fetch, and a
 * Content-Security-Policy of default-src 'none' makes a browser refuse any that slipped in.
 * The charts repeat figures of the coverage table, which is their text alternative.
 */

#define DEFAULT_TOP_AREAS 15
#define MAX_ORG_BARS      30

static const char css[] =
        "body{font:15px/1.45 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;"
        "max-width:75rem;padding:1rem 1.5rem}\n"
        "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem;"
        "border-bottom:2px solid #0072b2}\n"
        ".meta{color:#4a4a4a}\n"
        "table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}\n"
        "caption{text-align:left;font-weight:bold;padding:.3rem 0}\n"
        "th,td{border:1px solid #b3b3b3;padding:.2rem .45rem;vertical-align:top}\n"
        "thead th{background:#f0f0f0;text-align:center}\n"
        "tbody th{text-align:left;font-weight:normal}\n"
        "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
        "tfoot th,tfoot td{font-weight:bold;background:#f0f0f0}\n"
        "tr.unspec th,tr.unspec td.code{font-style:italic}\n"
        "td.q0{color:#595959}td.q1{background:#e8f1fa}td.q2{background:#c6dbef}"
        "td.q3{background:#9ecae1}td.q4{background:#2b6ca3;color:#fff}\n"
        ".scroll{overflow-x:auto}\n"
        "figure{margin:1rem 0}figcaption{color:#4a4a4a;font-size:.9rem}\n"
        "svg{max-width:100%;height:auto}\n"
        ".swatch{display:inline-block;width:1.6rem;border:1px solid #b3b3b3;text-align:center}\n"
        "footer{margin-top:2rem;color:#4a4a4a;font-size:.85rem}\n"
        "tr.error td:first-child{border-left:4px solid #b2182b}"
        "tr.warning td:first-child{border-left:4px solid #d55e00}\n"
        "@media print{.scroll{overflow:visible}h2{break-after:avoid}}\n";

static const char *col_label(const struct cc_coverage_column *col)
{
	return col->name[0] ? col->name : col->code;
}

static void head(struct cc__out *o, const struct cc_report_input *in)
{
	const struct cc_mission *m = &in->mission;

	cc__out_adds(o,
	             "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	             "style-src 'unsafe-inline'\">\n<title>");
	cc__out_html(o, m->code);
	cc__out_adds(o, m->code[0] ? " \xe2\x80\x94 " : "");
	cc__out_html(o, m->name[0] ? m->name : "Mission");
	cc__out_adds(o, " \xe2\x80\x94 coordination review ");
	cc__out_html(o, in->generated_on);
	cc__out_adds(o, "</title>\n<style>\n");
	cc__out_adds(o, css);
	cc__out_adds(o, "</style>\n</head>\n<body>\n<header>\n<h1>");
	if (m->code[0]) {
		cc__out_html(o, m->code);
		cc__out_adds(o, " \xe2\x80\x94 ");
	}
	cc__out_html(o, m->name[0] ? m->name : "Mission");
	cc__out_adds(o, "</h1>\n<p class=\"meta\">Coordination review generated on <time>");
	cc__out_html(o, in->generated_on);
	cc__out_adds(o, "</time>");
	if (m->country[0]) {
		cc__out_adds(o, " \xc2\xb7 Country ");
		cc__out_html(o, m->country);
	}
	if (m->start_date != CC_DATE_NONE || m->end_date != CC_DATE_NONE) {
		char a[11], b[11];

		cc__out_adds(o, " \xc2\xb7 Mission ");
		cc__out_html(o, cc_date_format(m->start_date, a));
		cc__out_adds(o, " to ");
		cc__out_html(o, m->end_date != CC_DATE_NONE ? cc_date_format(m->end_date, b) : "");
	}
	if (in->period && in->period[0]) {
		cc__out_adds(o, " \xc2\xb7 Reporting period ");
		cc__out_html(o, in->period);
	}
	cc__out_adds(o, "</p>\n</header>\n<main>\n");
}

static double sum_figure(const struct cc_coverage *cov, bool reached)
{
	double t = (double)NAN;

	for (size_t c = 0; c < cov->n_columns; c++) {
		double v = reached ? cov->col_totals[c].reached : cov->col_totals[c].targeted;

		if (!isnan(v))
			t = isnan(t) ? v : t + v;
	}
	return t;
}

static void summary(struct cc__out *o, const struct cc_coverage *cov)
{
	size_t n_areas = 0, n_unspec = 0;
	double targeted = sum_figure(cov, false), reached = sum_figure(cov, true);

	for (size_t r = 0; r < cov->n_rows; r++) {
		if (cov->rows[r].unspecified)
			n_unspec++;
		else
			n_areas++;
	}
	cc__out_adds(o, "<section id=\"summary\">\n<h2>Summary</h2>\n<ul>\n<li>");
	cc__out_grouped(o, (double)cov->n_activities);
	cc__out_adds(o, " distinct activities by ");
	cc__out_grouped(o, (double)cov->n_orgs);
	cc__out_adds(o, " organisations, from ");
	cc__out_grouped(o, (double)cov->n_records);
	cc__out_adds(o, " records.</li>\n<li>");
	cc__out_grouped(o, (double)n_areas);
	cc__out_addf(o, " areas at admin level %d have at least one record", cov->level);
	if (n_unspec)
		cc__out_addf(o, "; %zu %s records located only above level %d", n_unspec,
		             n_unspec == 1 ? "row holds" : "rows hold", cov->level);
	cc__out_adds(o, ".</li>\n<li>People targeted: ");
	if (isnan(targeted))
		cc__out_adds(o, "not reported");
	else
		cc__out_grouped(o, targeted);
	cc__out_adds(o, "; people reached: ");
	if (isnan(reached))
		cc__out_adds(o, "not reported");
	else
		cc__out_grouped(o, reached);
	cc__out_adds(o, " (sums over activity records that give a figure; operational presence "
	                "rows carry none).</li>\n</ul>\n</section>\n");
}

static int max_cell(const struct cc_coverage *cov)
{
	size_t m = 0;

	for (size_t r = 0; r < cov->n_rows; r++)
		for (size_t c = 0; c < cov->n_columns; c++)
			if (cov->rows[r].cells[c].n_activities > m)
				m = cov->rows[r].cells[c].n_activities;
	return m > (size_t)INT32_MAX ? INT32_MAX : (int)m;
}

/* Shading class 0–4 of a cell by its share of the largest cell. */
static int shade(size_t n, int max)
{
	double f;

	if (n == 0 || max <= 0)
		return 0;
	f = (double)n / max;
	return f <= .25 ? 1 : f <= .5 ? 2 : f <= .75 ? 3 : 4;
}

static void cell_td(struct cc__out *o, size_t acts, size_t orgs, int q)
{
	if (acts == 0 && orgs == 0) {
		cc__out_adds(o, "<td class=\"n q0\">\xe2\x80\x93</td>");
		return;
	}
	cc__out_addf(o, "<td class=\"n q%d\">%zu / %zu</td>", q, acts, orgs);
}

static void coverage_table(struct cc__out *o, const struct cc_coverage *cov)
{
	int max = max_cell(cov);

	cc__out_addf(o,
	             "<section id=\"coverage\">\n<h2>Coverage: who does what where</h2>\n"
	             "<p>Each cell gives <strong>activities / organisations</strong>, distinct, "
	             "for one area at admin level %d and one %s; \xe2\x80\x93 means none "
	             "reported. Totals are distinct too, so they are not the sums of the "
	             "cells: an organisation in three areas counts once. Areas without any "
	             "record are not listed. Rows \xe2\x80\x9cunspecified below adm%d\xe2\x80\x9d "
	             "hold records located only at a higher level. Shading grows with the "
	             "number of activities: <span class=\"swatch\" style=\"background:#e8f1fa\">"
	             "1</span> <span class=\"swatch\" style=\"background:#c6dbef\">2</span> "
	             "<span class=\"swatch\" style=\"background:#9ecae1\">3</span> "
	             "<span class=\"swatch\" style=\"background:#2b6ca3;color:#fff\">4</span> "
	             "(quarters of the largest cell, %d).</p>\n",
	             cov->level, cc_coverage_by_name(cov->by), cov->level, max);
	cc__out_addf(o,
	             "<div class=\"scroll\">\n<table>\n<caption>Activities / organisations by "
	             "area (admin level %d) and %s</caption>\n<thead>\n<tr><th scope=\"col\">"
	             "P-code</th><th scope=\"col\">Area</th>",
	             cov->level, cc_coverage_by_name(cov->by));
	for (size_t c = 0; c < cov->n_columns; c++) {
		cc__out_adds(o, "<th scope=\"col\" title=\"");
		cc__out_html(o, cov->columns[c].code);
		cc__out_adds(o, "\">");
		cc__out_html(o, col_label(&cov->columns[c]));
		cc__out_adds(o, "</th>");
	}
	cc__out_adds(o, "<th scope=\"col\">All</th></tr>\n</thead>\n<tbody>\n");
	for (size_t r = 0; r < cov->n_rows; r++) {
		const struct cc_coverage_row *row = &cov->rows[r];

		cc__out_adds(o, row->unspecified ? "<tr class=\"unspec\">" : "<tr>");
		cc__out_adds(o, "<td class=\"code\">");
		cc__out_html(o, row->pcode);
		cc__out_adds(o, "</td><th scope=\"row\">");
		cc__out_html(o, row->name);
		cc__out_adds(o, "</th>");
		for (size_t c = 0; c < cov->n_columns; c++)
			cell_td(o, row->cells[c].n_activities, row->cells[c].n_orgs,
			        shade(row->cells[c].n_activities, max));
		cc__out_addf(o, "<td class=\"n\">%zu / %zu</td></tr>\n", row->n_activities,
		             row->n_orgs);
	}
	cc__out_adds(o, "</tbody>\n<tfoot>\n<tr><th scope=\"row\" colspan=\"2\">Total (distinct)"
	                "</th>");
	for (size_t c = 0; c < cov->n_columns; c++)
		cc__out_addf(o, "<td class=\"n\">%zu / %zu</td>", cov->col_totals[c].n_activities,
		             cov->col_totals[c].n_orgs);
	cc__out_addf(o,
	             "<td class=\"n\">%zu / %zu</td></tr>\n</tfoot>\n</table>\n</div>\n"
	             "</section>\n",
	             cov->n_activities, cov->n_orgs);
}

/* Row order for the chart: most activities first, then P-code. */
static int busiest_first(const void *pa, const void *pb)
{
	const struct cc_coverage_row *a = *(const struct cc_coverage_row *const *)pa;
	const struct cc_coverage_row *b = *(const struct cc_coverage_row *const *)pb;

	if (a->n_activities != b->n_activities)
		return a->n_activities > b->n_activities ? -1 : 1;
	if (a->unspecified != b->unspecified)
		return a->unspecified ? 1 : -1;
	return strcmp(a->pcode, b->pcode);
}

/* Column order for series and bars: larger value first, then column order. */
struct ranked {
	size_t index;
	size_t value;
};

static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

/* Scratch for the charts; every pointer owned. */
struct charts {
	const struct cc_coverage_row **rows;
	const char **labels, **tips;
	char *tip_text; /* n rows × TIP_LEN */
	struct cc__svg_series *series;
	size_t *series_of_col; /* n_columns: series index */
	double *values;
	struct ranked *rank;
};

#define TIP_LEN 208

static void charts_release(struct charts *ch)
{
	cc_free(ch->rows);
	cc_free(ch->labels);
	cc_free(ch->tips);
	cc_free(ch->tip_text);
	cc_free(ch->series);
	cc_free(ch->series_of_col);
	cc_free(ch->values);
	cc_free(ch->rank);
}

/*
 * Series of the stacked chart: one per column when they fit the palette, else the largest
 * columns and one grey "other" series for the rest.
 */
static size_t pick_series(struct charts *ch, const struct cc_coverage *cov)
{
	size_t n_cols = cov->n_columns, n_series;

	if (n_cols <= cc__svg_n_palette) {
		for (size_t c = 0; c < n_cols; c++) {
			ch->series[c].name = col_label(&cov->columns[c]);
			ch->series[c].color = cc__svg_palette[c];
			ch->series_of_col[c] = c;
		}
		return n_cols;
	}
	for (size_t c = 0; c < n_cols; c++)
		ch->rank[c] = (struct ranked){ c, cov->col_totals[c].n_activities };
	qsort(ch->rank, n_cols, sizeof(*ch->rank), ranked_cmp);
	n_series = cc__svg_n_palette;
	for (size_t k = 0; k < n_cols; k++) {
		size_t c = ch->rank[k].index, s = k < n_series - 1 ? k : n_series - 1;

		ch->series_of_col[c] = s;
		if (k < n_series - 1) {
			ch->series[s].name = col_label(&cov->columns[c]);
			ch->series[s].color = cc__svg_palette[s];
		}
	}
	ch->series[n_series - 1].name = "other columns";
	ch->series[n_series - 1].color = "#6e6e6e";
	return n_series;
}

static void area_chart(struct cc__out *o, struct charts *ch, const struct cc_coverage *cov,
                       size_t top)
{
	size_t n = cov->n_rows < top ? cov->n_rows : top, n_series = pick_series(ch, cov);
	char desc[512], title[160];

	for (size_t r = 0; r < cov->n_rows; r++)
		ch->rows[r] = &cov->rows[r];
	qsort(ch->rows, cov->n_rows, sizeof(*ch->rows), busiest_first);
	memset(ch->values, 0, n * n_series * sizeof(*ch->values));
	for (size_t i = 0; i < n; i++) {
		const struct cc_coverage_row *row = ch->rows[i];
		char *tip = ch->tip_text + i * TIP_LEN;

		ch->labels[i] = row->name;
		snprintf(tip, TIP_LEN, "%s (%s)", row->name, row->pcode);
		ch->tips[i] = tip;
		for (size_t c = 0; c < cov->n_columns; c++)
			ch->values[i * n_series + ch->series_of_col[c]] +=
			        (double)row->cells[c].n_activities;
	}
	snprintf(title, sizeof(title), "Activities by %s in the %zu areas with most activities",
	         cc_coverage_by_name(cov->by), n);
	if (n)
		snprintf(desc, sizeof(desc),
		         "Horizontal stacked bars, one per area, one coloured segment per %s, "
		         "length the number of distinct activities in that %s. %s leads with %zu "
		         "distinct activities. The coverage table gives every figure.",
		         cc_coverage_by_name(cov->by), cc_coverage_by_name(cov->by),
		         ch->rows[0]->name, ch->rows[0]->n_activities);
	else
		snprintf(desc, sizeof(desc), "No activities recorded.");
	cc__out_adds(o, "<figure>\n");
	cc__svg_hbar_chart(
	        o, &(struct cc__svg_hbar){
	                   .id = "chart-areas",
	                   .title = title,
	                   .desc = desc,
	                   .axis_label = "Activities (an activity in two columns counts in each)",
	                   .unit = "activities",
	                   .unit_one = "activity",
	                   .labels = ch->labels,
	                   .tips = ch->tips,
	                   .n_bars = n,
	                   .series = ch->series,
	                   .n_series = n_series,
	                   .values = ch->values,
	           });
	cc__out_adds(o, "<figcaption>");
	cc__out_html(o, desc);
	cc__out_adds(o, "</figcaption>\n</figure>\n");
}

static void org_chart(struct cc__out *o, struct charts *ch, const struct cc_coverage *cov)
{
	size_t n_cols = cov->n_columns, n = n_cols < MAX_ORG_BARS ? n_cols : MAX_ORG_BARS;
	struct cc__svg_series one = { .name = "organisations", .color = cc__svg_palette[0] };
	char desc[512], title[160];

	for (size_t c = 0; c < n_cols; c++)
		ch->rank[c] = (struct ranked){ c, cov->col_totals[c].n_orgs };
	if (n_cols > MAX_ORG_BARS) /* too many to show: the largest ones */
		qsort(ch->rank, n_cols, sizeof(*ch->rank), ranked_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct cc_coverage_column *col = &cov->columns[ch->rank[i].index];

		ch->labels[i] = col_label(col);
		ch->tips[i] = col_label(col);
		ch->values[i] = (double)ch->rank[i].value;
	}
	snprintf(title, sizeof(title), "Organisations per %s", cc_coverage_by_name(cov->by));
	snprintf(desc, sizeof(desc),
	         "Horizontal bars, one per %s%s, length the number of distinct organisations "
	         "working in it anywhere; %zu organisations in all. The totals row of the "
	         "coverage table gives every figure.",
	         cc_coverage_by_name(cov->by), n_cols > n ? " (the largest ones)" : "",
	         cov->n_orgs);
	cc__out_adds(o, "<figure>\n");
	cc__svg_hbar_chart(o, &(struct cc__svg_hbar){
	                              .id = "chart-orgs",
	                              .title = title,
	                              .desc = desc,
	                              .axis_label = "Organisations (distinct)",
	                              .unit = "organisations",
	                              .unit_one = "organisation",
	                              .labels = ch->labels,
	                              .tips = ch->tips,
	                              .n_bars = n,
	                              .series = &one,
	                              .n_series = 1,
	                              .values = ch->values,
	                      });
	cc__out_adds(o, "<figcaption>");
	cc__out_html(o, desc);
	cc__out_adds(o, "</figcaption>\n</figure>\n");
}

static int coverage_charts(struct cc__out *o, const struct cc_coverage *cov, size_t top)
{
	struct charts ch = { 0 };
	size_t n_rows = cov->n_rows, n_cols = cov->n_columns;
	size_t n_labels = (n_rows > n_cols ? n_rows : n_cols) + 1;
	size_t n_series = n_cols < cc__svg_n_palette ? n_cols : cc__svg_n_palette;
	int ret = 0;

	ch.rows = cc_alloc_array(n_rows, sizeof(*ch.rows));
	ch.labels = cc_alloc_array(n_labels, sizeof(*ch.labels));
	ch.tips = cc_alloc_array(n_labels, sizeof(*ch.tips));
	ch.tip_text = cc_alloc_array(top < n_rows ? top : n_rows, TIP_LEN);
	ch.series = cc_alloc_array(n_series, sizeof(*ch.series));
	ch.series_of_col = cc_alloc_array(n_cols, sizeof(*ch.series_of_col));
	ch.values = cc_alloc_array(n_labels, (n_series + 1) * sizeof(*ch.values));
	ch.rank = cc_alloc_array(n_cols, sizeof(*ch.rank));
	if (!ch.rows || !ch.labels || !ch.tips || !ch.tip_text || !ch.series || !ch.series_of_col ||
	    !ch.values || !ch.rank) {
		ret = CC_ENOMEM;
		goto out_free;
	}
	cc__out_adds(o, "<section id=\"charts\">\n<h2>Charts</h2>\n");
	area_chart(o, &ch, cov, top);
	org_chart(o, &ch, cov);
	cc__out_adds(o, "</section>\n");
out_free:
	charts_release(&ch);
	return ret;
}

static void sources(struct cc__out *o, const struct cc_report_input *in)
{
	cc__out_adds(o, "<section id=\"sources\">\n<h2>Sources</h2>\n");
	if (in->n_sources == 0) {
		cc__out_adds(o, "<p>No imported source is recorded for this report.</p>\n"
		                "</section>\n");
		return;
	}
	cc__out_adds(o, "<table>\n<caption>Files imported into the store</caption>\n<thead><tr>"
	                "<th scope=\"col\">Source</th><th scope=\"col\">Imported at (UTC)</th>"
	                "<th scope=\"col\">Records</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < in->n_sources; i++) {
		const struct cc_report_source *s = &in->sources[i];

		cc__out_adds(o, "<tr><th scope=\"row\">");
		cc__out_html(o, s->name ? s->name : "");
		cc__out_adds(o, "</th><td>");
		cc__out_html(o, s->imported_at && s->imported_at[0] ? s->imported_at : "unknown");
		cc__out_adds(o, "</td><td class=\"n\">");
		cc__out_grouped(o, (double)s->rows);
		cc__out_adds(o, "</td></tr>\n");
	}
	cc__out_adds(o, "</tbody>\n</table>\n</section>\n");
}

int cc_report_html(const struct cc_report_input *in, struct cc_buf *out, struct cc_err *err)
{
	struct cc__out o;
	size_t top = in->top_areas ? in->top_areas : DEFAULT_TOP_AREAS;
	int ret;

	if (!in->generated_on || !in->generated_on[0])
		return cc_err_set(err, CC_EINVALID, "report needs a generation date");
	cc__out_init(&o, CC_LIMIT_REPORT);
	head(&o, in);
	if (in->coverage)
		summary(&o, in->coverage);
	ret = cc__report_timeline(&o, in);
	if (ret < 0 && o.ret == 0)
		o.ret = ret;
	ret = cc__report_map(&o, in); /* the order: summary, map, coverage and gaps, … */
	if (ret < 0 && o.ret == 0)
		o.ret = ret;
	if (in->coverage) {
		coverage_table(&o, in->coverage);
		ret = coverage_charts(&o, in->coverage, top);
		if (ret < 0 && o.ret == 0)
			o.ret = ret;
	}
	cc__report_gaps(&o, in->gaps, in->top_gaps);
	ret = cc__report_incidents(&o, in->incident_dates, in->n_incidents);
	if (ret < 0 && o.ret == 0)
		o.ret = ret;
	cc__report_indicators(&o, in);
	cc__report_surveys(&o, in);
	cc__report_feedback(&o, in);
	cc__report_lessons(&o, in);
	cc__report_findings(&o, in);
	sources(&o, in);
	cc__out_adds(&o, "</main>\n<footer>\n<p>Generated ");
	if (in->generator && in->generator[0]) {
		cc__out_adds(&o, "by ");
		cc__out_html(&o, in->generator);
		cc__out_adds(&o, " ");
	}
	cc__out_adds(&o, "on ");
	cc__out_html(&o, in->generated_on);
	cc__out_adds(&o, ". This file is self-contained: it loads nothing from any network.</p>\n"
	                 "</footer>\n</body>\n</html>\n");
	ret = cc__out_finish(&o, out);
	if (ret == CC_ETOOBIG)
		return cc_err_set(err, ret, "report exceeds %u bytes", (unsigned)CC_LIMIT_REPORT);
	if (ret < 0)
		return cc_err_set(err, ret, "out of memory writing the report");
	return 0;
}
