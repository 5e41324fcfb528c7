#include "report/svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

/*
 * The review sections over time and against plans: the timeline of activities and incidents,
 * the indicators against their benchmarks, and the plan-review findings. The figures of each
 * are computed here once and written by html (this file) and Markdown (md.c) alike.
 */

const char *cc__fmt_cell(double v, char *buf, size_t n)
{
	if (isnan(v)) {
		snprintf(buf, n, "\xe2\x80\x93");
		return buf;
	}
	return cc__fmt_num(v, buf, n);
}

const char *cc__fmt_pct(double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.1f%%", v * 100);
	return buf;
}

const char *cc__disagg(const struct cc_progress_result *r, char *buf, size_t n)
{
	if (!r->sex[0] && !r->age_group[0])
		snprintf(buf, n, "total");
	else
		snprintf(buf, n, "%s%s%s", r->sex, r->sex[0] && r->age_group[0] ? " " : "",
		         r->age_group);
	return buf;
}

const char *cc__trend_text(const struct cc_trend *t, char *buf, size_t n)
{
	if (t->dir == CC_TREND_TOO_FEW || isnan(t->p)) {
		snprintf(buf, n, "%s", cc_trend_dir_name(CC_TREND_TOO_FEW));
		return buf;
	}
	snprintf(buf, n, "%s (p %.3f, %.4g per year)", cc_trend_dir_name(t->dir), t->p,
	         isnan(t->slope) ? 0.0 : t->slope * 365.25);
	return buf;
}

const char *cc__proj_text(const struct cc_progress_result *r, char *buf, size_t n)
{
	char d[11];

	switch (r->projection) {
	case CC_PROJ_DATE:
		snprintf(buf, n, "%s", cc_date_format(r->projected_date, d));
		return buf;
	case CC_PROJ_NONE:
		snprintf(buf, n, "%s", "");
		return buf;
	case CC_PROJ_ATTAINED:
	case CC_PROJ_NOT_REACHED:
		break;
	}
	snprintf(buf, n, "%s", cc_projection_name(r->projection));
	return buf;
}

/* ---- timeline ---- */

void cc__timeline_release(struct cc__timeline *t)
{
	cc_free(t->labels);
	cc_free(t->started);
	cc_free(t->active);
	cc_free(t->incidents);
	memset(t, 0, sizeof(*t));
}

static int32_t span_end(const struct cc_report_span *s)
{
	return s->end != CC_DATE_NONE && s->end >= s->start ? s->end : s->start;
}

int cc__timeline_compute(const struct cc_report_input *in, struct cc__timeline *t)
{
	int32_t lo = INT32_MAX, hi = INT32_MIN;
	long first, last;
	bool any = false;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < in->n_activity_spans; i++) {
		const struct cc_report_span *s = &in->activity_spans[i];

		if (s->start == CC_DATE_NONE) {
			t->n_undated++;
			continue;
		}
		lo = s->start < lo ? s->start : lo;
		hi = span_end(s) > hi ? span_end(s) : hi;
		any = true;
	}
	/* without dated activities the incidents give the range */
	for (size_t i = 0; !any && in->incident_dates && i < in->n_incidents; i++) {
		int32_t d = in->incident_dates[i];

		if (d == CC_DATE_NONE)
			continue;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	any = lo <= hi;
	if (in->period_set && in->period_from != CC_DATE_NONE && in->period_to != CC_DATE_NONE &&
	    in->period_from <= in->period_to) {
		lo = in->period_from;
		hi = in->period_to;
		any = true;
	}
	if (!any)
		return 0;
	first = cc__bucket_of(lo, false);
	last = cc__bucket_of(hi, false);
	t->by_year = last - first >= CC__MAX_MONTHS;
	if (t->by_year) {
		first = cc__bucket_of(lo, true);
		last = cc__bucket_of(hi, true);
		if (last - first >= CC__MAX_YEARS)
			first = last - CC__MAX_YEARS + 1;
	}
	t->first = first;
	t->n = (size_t)(last - first + 1);
	t->labels = cc_alloc_array(t->n, sizeof(*t->labels));
	t->started = cc_calloc(t->n, sizeof(*t->started));
	t->active = cc_calloc(t->n, sizeof(*t->active));
	t->incidents = cc_calloc(t->n, sizeof(*t->incidents));
	if (!t->labels || !t->started || !t->active || !t->incidents) {
		cc__timeline_release(t);
		return CC_ENOMEM;
	}
	for (size_t k = 0; k < t->n; k++)
		cc__bucket_label(first + (long)k, t->by_year, t->labels[k], sizeof(t->labels[k]));
	for (size_t i = 0; i < in->n_activity_spans; i++) {
		const struct cc_report_span *s = &in->activity_spans[i];
		long ks, ke;

		if (s->start == CC_DATE_NONE)
			continue;
		ks = cc__bucket_of(s->start, t->by_year) - first;
		ke = cc__bucket_of(span_end(s), t->by_year) - first;
		if (ke < 0 || ks >= (long)t->n)
			continue; /* outside the range */
		t->n_placed_acts++;
		if (ks >= 0)
			t->started[ks]++;
		for (long k = ks < 0 ? 0 : ks; k <= ke && k < (long)t->n; k++)
			t->active[k]++;
	}
	for (size_t i = 0; in->incident_dates && i < in->n_incidents; i++) {
		long k;

		if (in->incident_dates[i] == CC_DATE_NONE)
			continue;
		k = cc__bucket_of(in->incident_dates[i], t->by_year) - first;
		if (k < 0 || k >= (long)t->n)
			continue;
		t->incidents[k]++;
		t->n_placed_inc++;
	}
	return 0;
}

/* One line of the timeline (activities under way, or incidents) as its own chart. */
static void timeline_chart(struct cc__out *o, const struct cc__timeline *t, const char **labels,
                           bool incidents, double *values)
{
	struct cc__svg_series one = { .name = incidents ? "incidents" : "activities under way",
		                      .color = cc__svg_palette[incidents ? 1 : 0] };
	char desc[512];

	for (size_t k = 0; k < t->n; k++)
		values[k] = incidents ? t->incidents[k] : t->active[k];
	snprintf(desc, sizeof(desc),
	         "A line, one point per calendar %s from %s to %s: the %s; %zu %s in the range. "
	         "The table below gives every figure.",
	         t->by_year ? "year" : "month", t->labels[0], t->labels[t->n - 1],
	         incidents ? "incidents that began in it" : "activities under way in it",
	         incidents ? t->n_placed_inc : t->n_placed_acts,
	         incidents ? "incidents" : "dated activities");
	cc__out_adds(o, "<figure>\n");
	cc__svg_line_chart(o, &(struct cc__svg_lines){
	                              .id = incidents ? "chart-timeline-incidents"
	                                              : "chart-timeline-activities",
	                              .title = incidents ? "Incidents" : "Activities under way",
	                              .desc = desc,
	                              .axis_label = t->by_year ? "Year" : "Month",
	                              .labels = labels,
	                              .n_points = t->n,
	                              .series = &one,
	                              .n_series = 1,
	                              .values = values,
	                              .integer = true });
	cc__out_adds(o, "<figcaption>");
	cc__out_html(o, desc);
	cc__out_adds(o, "</figcaption>\n</figure>\n");
}

int cc__report_timeline(struct cc__out *o, const struct cc_report_input *in)
{
	struct cc__timeline t;
	const char **labels = NULL;
	double *values = NULL;
	int ret = cc__timeline_compute(in, &t);

	if (ret || t.n == 0)
		return ret;
	labels = cc_alloc_array(t.n, sizeof(*labels));
	values = cc_alloc_array(t.n, sizeof(*values));
	if (!labels || !values) {
		ret = CC_ENOMEM;
		goto out_free;
	}
	for (size_t k = 0; k < t.n; k++)
		labels[k] = t.labels[k];
	cc__out_adds(o, "<section id=\"timeline\">\n<h2>Timeline: activities and incidents</h2>\n"
	                "<p>");
	cc__out_grouped(o, (double)t.n_placed_acts);
	cc__out_adds(o, " activities with dates in the range");
	if (t.n_undated)
		cc__out_addf(o, " (%zu without a start date are not placed)", t.n_undated);
	cc__out_adds(o, " and ");
	cc__out_grouped(o, (double)t.n_placed_inc);
	cc__out_addf(o, " incidents, per calendar %s. An activity is under way in every %s its "
	                "dates meet. Each line has its own scale.</p>\n",
	             t.by_year ? "year" : "month", t.by_year ? "year" : "month");
	if (t.n_placed_acts)
		timeline_chart(o, &t, labels, false, values);
	if (t.n_placed_inc)
		timeline_chart(o, &t, labels, true, values);
	cc__out_addf(o, "<div class=\"scroll\">\n<table id=\"timeline-table\">\n<caption>"
	                "Activities and incidents per %s</caption>\n<thead><tr>"
	                "<th scope=\"col\">%s</th><th scope=\"col\">Activities started</th>"
	                "<th scope=\"col\">Activities under way</th><th scope=\"col\">Incidents"
	                "</th></tr></thead>\n<tbody>\n",
	             t.by_year ? "year" : "month", t.by_year ? "Year" : "Month");
	for (size_t k = 0; k < t.n; k++)
		cc__out_addf(o, "<tr><th scope=\"row\">%s</th><td class=\"n\">%.0f</td><td "
		                "class=\"n\">%.0f</td><td class=\"n\">%.0f</td></tr>\n",
		             t.labels[k], t.started[k], t.active[k], t.incidents[k]);
	cc__out_adds(o, "</tbody>\n</table>\n</div>\n</section>\n");
out_free:
	cc_free(labels);
	cc_free(values);
	cc__timeline_release(&t);
	return ret;
}

/* ---- indicators ---- */

static const struct cc_indicator *indicator_of(const struct cc_report_input *in,
                                               const struct cc_progress_result *r)
{
	const struct cc_indicator_data *d = in->indicator_data;

	return d && r->indicator < d->n_indicators ? &d->indicators[r->indicator] : NULL;
}

/* Does the observation belong to the series of r? */
static bool in_series(const struct cc_observation *ob, const struct cc_indicator *ind,
                      const struct cc_progress_result *r)
{
	return strcmp(ob->indicator, ind->code) == 0 && strcmp(ob->area, r->area) == 0 &&
	       strcmp(ob->sex, r->sex) == 0 && strcmp(ob->age_group, r->age_group) == 0;
}

static void indicator_chart(struct cc__out *o, const struct cc_report_input *in,
                            const struct cc_progress_result *r, size_t k)
{
	const struct cc_indicator *ind = indicator_of(in, r);
	const struct cc_indicator_data *d = in->indicator_data;
	struct cc__svg_series one = { .name = "observed", .color = cc__svg_palette[0] };
	struct cc__svg_ref refs[2];
	size_t n = 0, n_refs = 0;
	const char **labels;
	char (*lab)[11];
	double *values;
	char id[32], title[320], desc[512], dis[64];

	for (size_t i = 0; i < d->n_observations; i++)
		n += in_series(&d->observations[i], ind, r) && !isnan(d->observations[i].value);
	labels = cc_alloc_array(n + 1, sizeof(*labels));
	lab = cc_alloc_array(n + 1, sizeof(*lab));
	values = cc_alloc_array(n + 1, sizeof(*values));
	if (!labels || !lab || !values) {
		if (o->ret == 0)
			o->ret = CC_ENOMEM;
		goto out_free;
	}
	n = 0;
	for (size_t i = 0; i < d->n_observations; i++) {
		const struct cc_observation *ob = &d->observations[i];

		if (!in_series(ob, ind, r) || isnan(ob->value))
			continue;
		cc_date_format(ob->period_end, lab[n]);
		labels[n] = lab[n];
		values[n++] = ob->value;
	}
	if (!isnan(r->baseline))
		refs[n_refs++] = (struct cc__svg_ref){ .name = "baseline", .value = r->baseline };
	if (!isnan(r->target))
		refs[n_refs++] = (struct cc__svg_ref){ .name = "target", .value = r->target };
	snprintf(id, sizeof(id), "chart-ind-%zu", k);
	snprintf(title, sizeof(title), "%s%s%s (%s)", ind->code, r->area[0] ? " in " : "", r->area,
	         cc__disagg(r, dis, sizeof(dis)));
	snprintf(desc, sizeof(desc),
	         "A line of the %zu observed values of %s by date, with the baseline and the "
	         "target as dashed lines; status %s.",
	         n, ind->code, cc_status_name(r->status));
	cc__out_adds(o, "<figure>\n");
	cc__svg_line_chart(o, &(struct cc__svg_lines){ .id = id,
	                                               .title = title,
	                                               .desc = desc,
	                                               .axis_label = ind->unit[0] ? ind->unit
	                                                                          : "Value",
	                                               .labels = labels,
	                                               .n_points = n,
	                                               .series = &one,
	                                               .n_series = 1,
	                                               .values = values,
	                                               .refs = refs,
	                                               .n_refs = n_refs,
	                                               .width = 560 });
	cc__out_adds(o, "<figcaption>");
	cc__out_html(o, desc);
	cc__out_adds(o, "</figcaption>\n</figure>\n");
out_free:
	cc_free(labels);
	cc_free(lab);
	cc_free(values);
}

/* The group of a series in the table and chart order: 0 benchmarked, 1 other, 2 all zero. */
static int series_group(const struct cc_report_input *in, const struct cc_progress_result *r)
{
	const struct cc_indicator *ind = indicator_of(in, r);
	const struct cc_indicator_data *d = in->indicator_data;
	bool any = false;

	if (!isnan(r->baseline) && !isnan(r->target))
		return 0;
	if (!ind || !d)
		return 1;
	for (size_t i = 0; i < d->n_observations; i++) {
		const struct cc_observation *ob = &d->observations[i];

		if (!in_series(ob, ind, r) || isnan(ob->value))
			continue;
		if (ob->value != 0)
			return 1;
		any = true;
	}
	return any ? 2 : 1;
}

/*
 * Benchmarked series first (a baseline and a target draw the benchmark lines, which is what the
 * section is about), then the others, then the series whose every value is 0 (computed counts
 * of nothing, e.g. activities of a pillar no one works in): without this the table's first
 * rows and the six charts went to whichever codes sort first.
 */
int cc__indicator_order(const struct cc_report_input *in, size_t **out)
{
	size_t *ix = cc_alloc_array(in->n_progress + 1, sizeof(*ix)), k = 0;
	int *group = cc_alloc_array(in->n_progress + 1, sizeof(*group));

	*out = NULL;
	if (!ix || !group) {
		cc_free(ix);
		cc_free(group);
		return CC_ENOMEM;
	}
	for (size_t i = 0; i < in->n_progress; i++)
		group[i] = series_group(in, &in->progress[i]);
	for (int g = 0; g < 3; g++)
		for (size_t i = 0; i < in->n_progress; i++)
			if (group[i] == g)
				ix[k++] = i;
	cc_free(group);
	*out = ix;
	return 0;
}

int32_t cc__latest_observation(const struct cc_report_input *in)
{
	int32_t at = CC_DATE_NONE;

	for (size_t i = 0; i < in->n_progress; i++)
		if (in->progress[i].latest_date != CC_DATE_NONE && in->progress[i].latest_date > at)
			at = in->progress[i].latest_date;
	return at;
}

void cc__report_indicators(struct cc__out *o, const struct cc_report_input *in)
{
	size_t n_status[CC_STATUS_OFF_TRACK + 1] = { 0 }, shown, charts = 0, *order;
	char at[11];

	if (!in->progress || !in->n_progress)
		return;
	if (cc__indicator_order(in, &order)) {
		if (o->ret == 0)
			o->ret = CC_ENOMEM;
		return;
	}
	shown = in->n_progress < CC__MAX_INDICATOR_ROWS ? in->n_progress : CC__MAX_INDICATOR_ROWS;
	for (size_t i = 0; i < in->n_progress; i++)
		if ((int)in->progress[i].status >= 0 && in->progress[i].status <= CC_STATUS_OFF_TRACK)
			n_status[in->progress[i].status]++;
	cc__out_adds(o, "<section id=\"indicators\">\n<h2>Indicators: progress against "
	                "benchmarks</h2>\n<p>");
	cc__out_grouped(o, (double)in->n_progress);
	cc__out_addf(o, " indicator series: %zu on track, %zu at risk, %zu off track, %zu stale, "
	                "%zu without data, %zu n/a",
	             n_status[CC_STATUS_ON_TRACK], n_status[CC_STATUS_AT_RISK],
	             n_status[CC_STATUS_OFF_TRACK], n_status[CC_STATUS_STALE],
	             n_status[CC_STATUS_NO_DATA], n_status[CC_STATUS_NA]);
	if (shown < in->n_progress)
		cc__out_addf(o, "; the first %zu are listed", shown);
	if (cc__latest_observation(in) != CC_DATE_NONE)
		cc__out_addf(o, "; status as of %s, the latest observation",
		             cc_date_format(cc__latest_observation(in), at));
	cc__out_adds(o, ". Series with a baseline and a target come first, series whose every "
	                "value is 0 last");
	cc__out_adds(o, ". Progress = (latest \xe2\x88\x92 baseline) / (target \xe2\x88\x92 "
	                "baseline); expected = where the benchmark line stands on the latest "
	                "date; trend by Theil\xe2\x80\x93Sen and Mann\xe2\x80\x93Kendall.</p>\n"
	                "<div class=\"scroll\">\n<table id=\"indicators-table\">\n<caption>"
	                "Indicators</caption>\n<thead><tr><th scope=\"col\">Indicator</th>"
	                "<th scope=\"col\">Name</th><th scope=\"col\">Pillar</th>"
	                "<th scope=\"col\">Area</th><th scope=\"col\">Series</th>"
	                "<th scope=\"col\">Baseline</th><th scope=\"col\">Latest</th>"
	                "<th scope=\"col\">Latest date</th><th scope=\"col\">Target</th>"
	                "<th scope=\"col\">Progress</th><th scope=\"col\">Expected</th>"
	                "<th scope=\"col\">Status</th><th scope=\"col\">Trend</th>"
	                "<th scope=\"col\">Projected</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < shown; i++) {
		const struct cc_progress_result *r = &in->progress[order[i]];
		const struct cc_indicator *ind = indicator_of(in, r);
		char b[64], d[11];

		cc__out_adds(o, "<tr><td class=\"code\">");
		cc__out_html(o, ind ? ind->code : "?");
		cc__out_adds(o, "</td><th scope=\"row\">");
		cc__out_html(o, ind ? ind->name : "");
		cc__out_adds(o, "</th><td>");
		cc__out_html(o, ind ? ind->pillar : "");
		cc__out_adds(o, "</td><td class=\"code\">");
		cc__out_html(o, r->area[0] ? r->area : "all");
		cc__out_adds(o, "</td><td>");
		cc__out_html(o, cc__disagg(r, b, sizeof(b)));
		cc__out_addf(o, "</td><td class=\"n\">%s</td>", cc__fmt_cell(r->baseline, b, sizeof(b)));
		cc__out_addf(o, "<td class=\"n\">%s</td>", cc__fmt_cell(r->latest_value, b, sizeof(b)));
		cc__out_addf(o, "<td>%s</td>", r->latest_date == CC_DATE_NONE
		                                       ? "\xe2\x80\x93"
		                                       : cc_date_format(r->latest_date, d));
		cc__out_addf(o, "<td class=\"n\">%s</td>", cc__fmt_cell(r->target, b, sizeof(b)));
		cc__out_addf(o, "<td class=\"n\">%s</td>", cc__fmt_pct(r->progress, b, sizeof(b)));
		cc__out_addf(o, "<td class=\"n\">%s</td>", cc__fmt_pct(r->expected, b, sizeof(b)));
		cc__out_addf(o, "<td class=\"status\">%s</td><td>", cc_status_name(r->status));
		cc__out_html(o, cc__trend_text(&r->trend, b, sizeof(b)));
		cc__out_adds(o, "</td><td>");
		cc__out_html(o, cc__proj_text(r, b, sizeof(b)));
		cc__out_adds(o, "</td></tr>\n");
	}
	cc__out_adds(o, "</tbody>\n</table>\n</div>\n");
	for (size_t i = 0; in->indicator_data && i < in->n_progress; i++) {
		const struct cc_progress_result *r = &in->progress[order[i]];

		if (charts == CC__MAX_INDICATOR_CHARTS)
			break;
		if (r->n_values < 2 || !indicator_of(in, r))
			continue;
		indicator_chart(o, in, r, charts++);
	}
	cc__out_adds(o, "</section>\n");
	cc_free(order);
}

/* ---- survey results ---- */

const char *cc__survey_note(const struct cc_survey_estimate *e, char *buf, size_t n)
{
	size_t len;

	snprintf(buf, n, "%s%s", e->note, e->prop.small && !e->note[0] ? "small cell" : "");
	len = strlen(buf);
	if (e->has_change && len + 1 < n)
		snprintf(buf + len, n - len, "%schange %+.1f points (p %.3f)", len ? "; " : "",
		         e->change.diff * 100, e->change.p);
	return buf;
}

static void survey(struct cc__out *o, const struct cc_report_survey *sv, size_t k)
{
	const struct cc_survey_table *t = sv->table;
	const char **labels = NULL;
	char (*lab)[200] = NULL;
	double *p = NULL, *lo = NULL, *hi = NULL;
	char id[32], title[320], desc[512];

	labels = cc_alloc_array(t->n_estimates + 1, sizeof(*labels));
	lab = cc_alloc_array(t->n_estimates + 1, sizeof(*lab));
	p = cc_alloc_array(t->n_estimates + 1, sizeof(*p));
	lo = cc_alloc_array(t->n_estimates + 1, sizeof(*lo));
	hi = cc_alloc_array(t->n_estimates + 1, sizeof(*hi));
	if (!labels || !lab || !p || !lo || !hi) {
		if (o->ret == 0)
			o->ret = CC_ENOMEM;
		goto out_free;
	}
	cc__out_adds(o, "<h3>");
	cc__out_html(o, sv->question);
	if (sv->label && sv->label[0]) {
		cc__out_adds(o, ": ");
		cc__out_html(o, sv->label);
	}
	cc__out_addf(o, "</h3>\n<div class=\"scroll\">\n<table id=\"survey-table-%zu\">\n"
	                "<caption>Answers per wave</caption>\n<thead><tr><th scope=\"col\">Wave"
	                "</th><th scope=\"col\">Answer</th><th scope=\"col\">Share</th>"
	                "<th scope=\"col\">Interval</th><th scope=\"col\">Answers in wave</th>"
	                "<th scope=\"col\">Effective n</th><th scope=\"col\">Note</th></tr>"
	                "</thead>\n<tbody>\n",
	             k);
	for (size_t i = 0; i < t->n_estimates; i++) {
		const struct cc_survey_estimate *e = &t->estimates[i];
		const char *cell = e->cell < t->n_cells ? t->cells[e->cell].cell : "";
		char a[32], b[32], c[32], d[32], note[320];

		snprintf(lab[i], sizeof(lab[i]), "%s: %s", cell, e->category);
		labels[i] = lab[i];
		p[i] = e->prop.p;
		lo[i] = e->prop.lo;
		hi[i] = e->prop.hi;
		cc__out_adds(o, "<tr><td>");
		cc__out_html(o, cell);
		cc__out_adds(o, "</td><th scope=\"row\">");
		cc__out_html(o, e->category);
		cc__out_addf(o, "</th><td class=\"n\">%s</td><td class=\"n\">%s\xe2\x80\x93%s</td>"
		                "<td class=\"n\">%zu</td><td class=\"n\">%s</td><td>",
		             cc__fmt_pct(e->prop.p, a, sizeof(a)), cc__fmt_pct(e->prop.lo, b, sizeof(b)),
		             cc__fmt_pct(e->prop.hi, c, sizeof(c)), e->prop.n,
		             isnan(e->prop.n_eff)
		                     ? "\xe2\x80\x93"
		                     : cc__fmt_num(round(e->prop.n_eff * 10) / 10, d, sizeof(d)));
		cc__out_html(o, cc__survey_note(e, note, sizeof(note)));
		cc__out_adds(o, "</td></tr>\n");
	}
	cc__out_adds(o, "</tbody>\n</table>\n</div>\n");
	snprintf(id, sizeof(id), "chart-survey-%zu", k);
	snprintf(title, sizeof(title), "%s: share of each answer, per wave", sv->question);
	snprintf(desc, sizeof(desc),
	         "One row per wave and answer: a dot at the weighted share and a line over its "
	         "%.0f%% Wilson interval on the effective sample size. The table above gives "
	         "every figure.",
	         t->z > 2.5 ? 99.0 : t->z > 1.7 ? 95.0 : 90.0);
	cc__out_adds(o, "<figure>\n");
	cc__svg_interval_chart(o, &(struct cc__svg_intervals){ .id = id,
	                                                       .title = title,
	                                                       .desc = desc,
	                                                       .axis_label = "Share of answers",
	                                                       .labels = labels,
	                                                       .n = t->n_estimates,
	                                                       .p = p,
	                                                       .lo = lo,
	                                                       .hi = hi });
	cc__out_adds(o, "<figcaption>");
	cc__out_html(o, desc);
	cc__out_adds(o, "</figcaption>\n</figure>\n");
out_free:
	cc_free(labels);
	cc_free(lab);
	cc_free(p);
	cc_free(lo);
	cc_free(hi);
}

void cc__report_surveys(struct cc__out *o, const struct cc_report_input *in)
{
	if (!in->surveys || !in->n_surveys)
		return;
	cc__out_addf(o, "<section id=\"surveys\">\n<h2>Survey results</h2>\n<p>%zu %s, each "
	                "answer's weighted share among the substantive answers (don\xe2\x80\x99t "
	                "know and refused apart) with its Wilson interval on Kish\xe2\x80\x99s "
	                "effective sample size; a small cell is flagged, still shown.</p>\n",
	             in->n_surveys, in->n_surveys == 1 ? "question" : "questions");
	for (size_t i = 0; i < in->n_surveys; i++)
		if (in->surveys[i].table)
			survey(o, &in->surveys[i], i);
	cc__out_adds(o, "</section>\n");
}

/* ---- feedback themes ---- */

static int cmp_theme(const void *x, const void *y)
{
	const struct cc__theme *a = x, *b = y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->category, b->category);
}

int cc__feedback_themes(const struct cc_report_input *in, struct cc__theme **out, size_t *n_out)
{
	struct cc__theme *t;
	size_t n = 0;

	*out = NULL;
	*n_out = 0;
	if (!in->feedback || !in->n_feedback)
		return 0;
	t = cc_alloc_array(in->n_feedback, sizeof(*t));
	if (!t)
		return CC_ENOMEM;
	for (size_t i = 0; i < in->n_feedback; i++) {
		const struct cc_feedback_count *c = &in->feedback[i];
		size_t k = 0;

		while (k < n && strcmp(t[k].category, c->category) != 0)
			k++;
		if (k == n)
			t[n++] = (struct cc__theme){ .category = c->category };
		t[k].n += (double)c->n;
		t[k].negative += (double)c->negative;
	}
	qsort(t, n, sizeof(*t), cmp_theme);
	*out = t;
	*n_out = n;
	return 0;
}

void cc__report_feedback(struct cc__out *o, const struct cc_report_input *in)
{
	struct cc__svg_series two[2] = {
		{ .name = "negative", .color = cc__svg_palette[1] },
		{ .name = "other", .color = cc__svg_palette[0] },
	};
	struct cc__theme *t = NULL;
	const char **labels = NULL;
	double *values = NULL, total = 0, neg = 0;
	size_t n = 0;
	char desc[512];

	if (cc__feedback_themes(in, &t, &n)) {
		if (o->ret == 0)
			o->ret = CC_ENOMEM;
		return;
	}
	if (!n) {
		if (in->all_sections)
			cc__out_adds(
			        o,
			        in->period_set
			                ? "<section id=\"feedback\">\n<h2>Feedback themes</h2>\n"
			                  "<p>No feedback recorded in the period.</p>\n</section>\n"
			                : "<section id=\"feedback\">\n<h2>Feedback themes</h2>\n"
			                  "<p>No feedback recorded.</p>\n</section>\n");
		return;
	}
	labels = cc_alloc_array(n, sizeof(*labels));
	values = cc_alloc_array(n, 2 * sizeof(*values));
	if (!labels || !values) {
		if (o->ret == 0)
			o->ret = CC_ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < n; i++) {
		labels[i] = t[i].category[0] ? t[i].category : "(uncategorised)";
		values[2 * i] = t[i].negative;
		values[2 * i + 1] = t[i].n - t[i].negative;
		total += t[i].n;
		neg += t[i].negative;
	}
	snprintf(desc, sizeof(desc),
	         "Horizontal stacked bars, one per theme, length the feedback items on it, the "
	         "negative ones first; %.0f items in all, %.0f negative. The table gives every "
	         "figure.",
	         total, neg);
	cc__out_adds(o, "<section id=\"feedback\">\n<h2>Feedback themes</h2>\n<p>");
	cc__out_grouped(o, total);
	cc__out_addf(o, " feedback items in %zu themes (their category); ", n);
	cc__out_grouped(o, neg);
	cc__out_adds(o, " negative. Sentiment is as recorded, never guessed.</p>\n<figure>\n");
	cc__svg_hbar_chart(o, &(struct cc__svg_hbar){ .id = "chart-feedback",
	                                              .title = "Feedback items per theme",
	                                              .desc = desc,
	                                              .axis_label = "Feedback items",
	                                              .unit = "items",
	                                              .unit_one = "item",
	                                              .labels = labels,
	                                              .n_bars = n,
	                                              .series = two,
	                                              .n_series = 2,
	                                              .values = values });
	cc__out_adds(o, "<figcaption>");
	cc__out_html(o, desc);
	cc__out_adds(o, "</figcaption>\n</figure>\n<table id=\"feedback-table\">\n<caption>"
	                "Feedback per theme</caption>\n<thead><tr><th scope=\"col\">Theme</th>"
	                "<th scope=\"col\">Items</th><th scope=\"col\">Negative</th>"
	                "<th scope=\"col\">Negative share</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		char b[32];

		cc__out_adds(o, "<tr><th scope=\"row\">");
		cc__out_html(o, labels[i]);
		cc__out_addf(o, "</th><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td>"
		                "<td class=\"n\">%s</td></tr>\n",
		             t[i].n, t[i].negative,
		             cc__fmt_pct(t[i].n > 0 ? t[i].negative / t[i].n : (double)NAN, b,
		                         sizeof(b)));
	}
	cc__out_adds(o, "</tbody>\n</table>\n</section>\n");
out_free:
	cc_free(labels);
	cc_free(values);
	cc_free(t);
}

/* ---- plan-review findings ---- */

void cc__report_findings(struct cc__out *o, const struct cc_report_input *in)
{
	const struct cc_review_result *r = in->review;

	if (!r || !in->plan)
		return;
	cc__out_adds(o, "<section id=\"plan-review\">\n<h2>Plan review: ");
	cc__out_html(o, in->plan->file);
	cc__out_addf(o, "</h2>\n<p>%zu activities checked against the rules of "
	                "<code>concord review</code>: %zu findings, %zu errors, %zu warnings, %zu "
	                "info.",
	             in->plan->n_acts, r->n_findings, r->n_errors, r->n_warnings, r->n_infos);
	for (size_t i = 0; i < r->n_disabled; i++) {
		cc__out_addf(o, " Rule %s was turned off: ", r->disabled[i].rule);
		cc__out_html(o, r->disabled[i].reason);
		cc__out_adds(o, ".");
	}
	cc__out_adds(o, "</p>\n");
	if (!r->n_findings) {
		cc__out_adds(o, "<p>No rule fired.</p>\n</section>\n");
		return;
	}
	cc__out_adds(o, "<div class=\"scroll\">\n<table id=\"findings-table\">\n<caption>Findings"
	                "</caption>\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">"
	                "Severity</th><th scope=\"col\">Activity</th><th scope=\"col\">Item</th>"
	                "<th scope=\"col\">Evidence</th><th scope=\"col\">Lessons</th></tr>"
	                "</thead>\n<tbody>\n");
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct cc_finding *f = &r->findings[i];

		cc__out_addf(o, "<tr class=\"%s\"><td class=\"code\">%s</td><td>%s</td><td>",
		             cc_severity_name(f->severity), f->rule, cc_severity_name(f->severity));
		cc__out_html(o, f->activity[0] ? f->activity : "(plan)");
		cc__out_adds(o, "</td><td>");
		cc__out_html(o, f->item);
		cc__out_adds(o, "</td><td>");
		cc__out_html(o, f->evidence);
		cc__out_adds(o, "</td><td>");
		for (size_t j = 0; j < f->n_lessons; j++) {
			cc__out_adds(o, j ? "<br>" : "");
			cc__out_html(o, f->lessons[j].key);
			cc__out_adds(o, ": ");
			cc__out_html(o, f->lessons[j].title);
		}
		cc__out_adds(o, "</td></tr>\n");
	}
	cc__out_adds(o, "</tbody>\n</table>\n</div>\n</section>\n");
}
