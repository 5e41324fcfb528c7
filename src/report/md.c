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
 * The review as Markdown: the sections of cc_report_html in the same order, with the same
 * figures (computed by the same functions), each chart replaced by the table of its figures.
 */

#define MD_TOP_AREAS  40 /* rows of the map's area list */
#define MD_GAPS       15
#define MD_LESSONS    40

/* Text for a table cell or a line: '|' and '\' escaped, '<' and '&' as entities, line breaks
   and other control characters as spaces. */
static void md(struct cc__out *o, const char *s)
{
	for (; s && *s; s++) {
		char c = *s;

		if (c == '|' || c == '\\' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']')
			cc__out_addf(o, "\\%c", c);
		else if (c == '<')
			cc__out_adds(o, "&lt;");
		else if (c == '&')
			cc__out_adds(o, "&amp;");
		else if ((unsigned char)c < 0x20 || c == 0x7f)
			cc__out_adds(o, " ");
		else
			cc__out_add(o, s, 1);
	}
}

static void grouped(struct cc__out *o, double v)
{
	cc__out_grouped(o, v);
}

static void head(struct cc__out *o, const struct cc_report_input *in)
{
	const struct cc_mission *m = &in->mission;

	cc__out_adds(o, "# ");
	if (m->code[0]) {
		md(o, m->code);
		cc__out_adds(o, " \xe2\x80\x94 ");
	}
	md(o, m->name[0] ? m->name : "Mission");
	cc__out_adds(o, "\n\nCoordination review generated on ");
	md(o, in->generated_on);
	if (m->country[0]) {
		cc__out_adds(o, " \xc2\xb7 Country ");
		md(o, m->country);
	}
	if (m->start_date != CC_DATE_NONE || m->end_date != CC_DATE_NONE) {
		char a[11], b[11];

		cc__out_adds(o, " \xc2\xb7 Mission ");
		md(o, cc_date_format(m->start_date, a));
		cc__out_adds(o, " to ");
		md(o, m->end_date != CC_DATE_NONE ? cc_date_format(m->end_date, b) : "");
	}
	if (in->period && in->period[0]) {
		cc__out_adds(o, " \xc2\xb7 Reporting period ");
		md(o, in->period);
	}
	cc__out_adds(o, "\n");
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
	size_t n_areas = 0;
	double targeted = sum_figure(cov, false), reached = sum_figure(cov, true);

	for (size_t r = 0; r < cov->n_rows; r++)
		n_areas += !cov->rows[r].unspecified;
	cc__out_adds(o, "\n## Summary\n\n- ");
	grouped(o, (double)cov->n_activities);
	cc__out_adds(o, " distinct activities by ");
	grouped(o, (double)cov->n_orgs);
	cc__out_adds(o, " organisations, from ");
	grouped(o, (double)cov->n_records);
	cc__out_adds(o, " records.\n- ");
	grouped(o, (double)n_areas);
	cc__out_addf(o, " areas at admin level %d have at least one record.\n- People targeted: ",
	             cov->level);
	if (isnan(targeted))
		cc__out_adds(o, "not reported");
	else
		grouped(o, targeted);
	cc__out_adds(o, "; people reached: ");
	if (isnan(reached))
		cc__out_adds(o, "not reported");
	else
		grouped(o, reached);
	cc__out_adds(o, ".\n");
}

static int timeline(struct cc__out *o, const struct cc_report_input *in)
{
	struct cc__timeline t;
	int ret = cc__timeline_compute(in, &t);

	if (ret || t.n == 0)
		return ret;
	cc__out_adds(o, "\n## Timeline: activities and incidents\n\n");
	grouped(o, (double)t.n_placed_acts);
	cc__out_adds(o, " activities with dates in the range");
	if (t.n_undated)
		cc__out_addf(o, " (%zu without a start date are not placed)", t.n_undated);
	cc__out_adds(o, " and ");
	grouped(o, (double)t.n_placed_inc);
	cc__out_addf(o, " incidents, per calendar %s.\n\n| %s | Activities started | Activities "
	                "under way | Incidents |\n|---|--:|--:|--:|\n",
	             t.by_year ? "year" : "month", t.by_year ? "Year" : "Month");
	for (size_t k = 0; k < t.n; k++)
		cc__out_addf(o, "| %s | %.0f | %.0f | %.0f |\n", t.labels[k], t.started[k],
		             t.active[k], t.incidents[k]);
	cc__timeline_release(&t);
	return 0;
}

struct map_row {
	const char *pcode, *name;
	double value;
};

static int cmp_map_row(const void *x, const void *y)
{
	const struct map_row *a = x, *b = y;
	double va = isnan(a->value) ? -1 : a->value, vb = isnan(b->value) ? -1 : b->value;

	if (va != vb)
		return va > vb ? -1 : 1;
	return strcmp(a->pcode, b->pcode);
}

static int map(struct cc__out *o, const struct cc_report_input *in)
{
	const struct cc__measure_text *mt = cc__map_measure_text(in->map_measure);
	struct map_row *rows;
	size_t n = 0, n_zero = 0;
	int level = in->coverage ? in->coverage->level : 1;

	if (!in->n_map_areas)
		return 0;
	rows = cc_alloc_array(in->n_map_areas, sizeof(*rows));
	if (!rows)
		return CC_ENOMEM;
	for (size_t i = 0; i < in->n_map_areas; i++) {
		const struct cc_report_area *a = &in->map_areas[i];
		struct cc__map_area ma = { .pcode = a->pcode ? a->pcode : "",
			                   .name = a->name ? a->name : "",
			                   .wkb = a->wkb,
			                   .wkb_len = a->wkb_len };

		if (!cc__map_drawable(&ma))
			continue;
		rows[n] = (struct map_row){ ma.pcode, ma.name, cc__map_value(in, a) };
		n_zero += !(rows[n].value > 0);
		n++;
	}
	if (n) {
		char num[32];

		qsort(rows, n, sizeof(*rows), cmp_map_row);
		cc__out_addf(o, "\n## Map: %s per area\n\n", mt->plural);
		if (in->map_note && in->map_note[0]) {
			md(o, in->map_note);
			cc__out_adds(o, "\n\n");
		}
		cc__out_addf(o,
		             "The %zu areas at admin level %d with a stored boundary; %zu have "
		             "none. Areas by %s%s (the HTML report draws the map):\n\n"
		             "| P-code | Area | %s |\n|---|---|--:|\n",
		             n, level, n_zero, mt->plural, n > MD_TOP_AREAS ? ", the first 40" : "",
		             mt->legend);
		for (size_t i = 0; i < n && i < MD_TOP_AREAS; i++) {
			cc__out_adds(o, "| ");
			md(o, rows[i].pcode);
			cc__out_adds(o, " | ");
			md(o, rows[i].name);
			cc__out_addf(o, " | %s |\n",
			             isnan(rows[i].value)
			                     ? "no figure"
			                     : cc__fmt_num(rows[i].value, num, sizeof(num)));
		}
	}
	cc_free(rows);
	return 0;
}

static void coverage(struct cc__out *o, const struct cc_coverage *cov)
{
	cc__out_addf(o, "\n## Coverage: who does what where\n\nEach cell gives activities / "
	                "organisations, distinct, for one area at admin level %d and one %s; "
	                "\xe2\x80\x93 means none reported.\n\n| P-code | Area |",
	             cov->level, cc_coverage_by_name(cov->by));
	for (size_t c = 0; c < cov->n_columns; c++) {
		cc__out_adds(o, " ");
		md(o, cov->columns[c].name[0] ? cov->columns[c].name : cov->columns[c].code);
		cc__out_adds(o, " |");
	}
	cc__out_adds(o, " All |\n|---|---|");
	for (size_t c = 0; c < cov->n_columns; c++)
		cc__out_adds(o, "--:|");
	cc__out_adds(o, "--:|\n");
	for (size_t r = 0; r < cov->n_rows; r++) {
		const struct cc_coverage_row *row = &cov->rows[r];

		cc__out_adds(o, "| ");
		md(o, row->pcode);
		cc__out_adds(o, " | ");
		md(o, row->name);
		cc__out_adds(o, " |");
		for (size_t c = 0; c < cov->n_columns; c++) {
			if (row->cells[c].n_activities == 0 && row->cells[c].n_orgs == 0)
				cc__out_adds(o, " \xe2\x80\x93 |");
			else
				cc__out_addf(o, " %zu / %zu |", row->cells[c].n_activities,
				             row->cells[c].n_orgs);
		}
		cc__out_addf(o, " %zu / %zu |\n", row->n_activities, row->n_orgs);
	}
	cc__out_adds(o, "| **Total (distinct)** | |");
	for (size_t c = 0; c < cov->n_columns; c++)
		cc__out_addf(o, " %zu / %zu |", cov->col_totals[c].n_activities,
		             cov->col_totals[c].n_orgs);
	cc__out_addf(o, " %zu / %zu |\n", cov->n_activities, cov->n_orgs);
}

static void num_cell(struct cc__out *o, double v, bool percent)
{
	if (isnan(v))
		cc__out_adds(o, " \xe2\x80\x93 |");
	else if (percent)
		cc__out_addf(o, " %.0f%% |", v * 100);
	else {
		cc__out_adds(o, " ");
		grouped(o, v);
		cc__out_adds(o, " |");
	}
}

static void gaps(struct cc__out *o, const struct cc_gaps *g, size_t top)
{
	size_t n;

	if (!g || !g->n_rows)
		return;
	top = top ? top : MD_GAPS;
	n = g->n_rows < top ? g->n_rows : top;
	cc__out_addf(o, "\n## Gaps: needs against coverage\n\nThe %zu largest gaps of %zu area "
	                "\xc3\x97 %s rows at admin level %d. Ranking: ",
	             n, g->n_rows, g->opts.by == CC_GAP_BY_PILLAR ? "pillar" : "sector",
	             g->opts.level);
	md(o, cc_gap_rank_rule());
	cc__out_adds(o, ".\n\n| # | P-code | Area | Sector or pillar | Severity | People in need | "
	                "Covered | Shortfall | Gap | Status |\n|--:|---|---|---|--:|--:|--:|--:|--:|"
	                "---|\n");
	for (size_t i = 0; i < n; i++) {
		const struct cc_gap_row *r = &g->rows[i];

		cc__out_addf(o, "| %zu | ", i + 1);
		md(o, r->pcode);
		cc__out_adds(o, " | ");
		md(o, r->name);
		cc__out_adds(o, " | ");
		md(o, r->key_name[0] ? r->key_name : r->key_code);
		if (r->severity > 0)
			cc__out_addf(o, " | %d |", r->severity);
		else
			cc__out_adds(o, " | \xe2\x80\x93 |");
		num_cell(o, r->in_need, false);
		num_cell(o, r->covered, false);
		num_cell(o, r->shortfall, true);
		num_cell(o, r->gap, false);
		cc__out_adds(o, " ");
		md(o, cc_gap_status_name(r->status));
		cc__out_adds(o, " |\n");
	}
}

/* Incidents per month (per year over 36 months), as the HTML chart counts them. */
static int incidents(struct cc__out *o, const int32_t *dates, size_t n_dates)
{
	long first = 0, last = 0, n_buckets;
	size_t n_placed = 0;
	size_t *count;
	bool by_year;

	for (size_t i = 0; i < n_dates; i++) {
		long k;

		if (dates[i] == CC_DATE_NONE)
			continue;
		k = cc__bucket_of(dates[i], false);
		if (!n_placed || k < first)
			first = k;
		if (!n_placed || k > last)
			last = k;
		n_placed++;
	}
	if (!n_placed)
		return 0;
	by_year = last - first >= CC__MAX_MONTHS;
	if (by_year) {
		first /= 12;
		last /= 12;
		if (last - first >= CC__MAX_YEARS)
			first = last - CC__MAX_YEARS + 1;
	}
	n_buckets = last - first + 1;
	count = cc_calloc((size_t)n_buckets, sizeof(*count));
	if (!count)
		return CC_ENOMEM;
	for (size_t i = 0; i < n_dates; i++) {
		long k;

		if (dates[i] == CC_DATE_NONE)
			continue;
		k = cc__bucket_of(dates[i], by_year) - first;
		if (k >= 0 && k < n_buckets)
			count[k]++;
	}
	cc__out_addf(o, "\n## Incidents over time\n\n%zu incidents, per calendar %s.\n\n| %s | "
	                "Incidents |\n|---|--:|\n",
	             n_placed, by_year ? "year" : "month", by_year ? "Year" : "Month");
	for (long k = 0; k < n_buckets; k++) {
		char label[16];

		cc__bucket_label(first + k, by_year, label, sizeof(label));
		cc__out_addf(o, "| %s | %zu |\n", label, count[k]);
	}
	cc_free(count);
	return 0;
}

static void indicators(struct cc__out *o, const struct cc_report_input *in)
{
	size_t shown, *order;

	if (!in->progress || !in->n_progress)
		return;
	if (cc__indicator_order(in, &order)) {
		if (o->ret == 0)
			o->ret = CC_ENOMEM;
		return;
	}
	shown = in->n_progress < CC__MAX_INDICATOR_ROWS ? in->n_progress : CC__MAX_INDICATOR_ROWS;
	cc__out_adds(o, "\n## Indicators: progress against benchmarks\n\n");
	grouped(o, (double)in->n_progress);
	cc__out_adds(o, " indicator series");
	if (shown < in->n_progress)
		cc__out_addf(o, "; the first %zu are listed", shown);
	if (cc__latest_observation(in) != CC_DATE_NONE) {
		char at[11];

		cc__out_addf(o, "; status as of %s, the latest observation",
		             cc_date_format(cc__latest_observation(in), at));
	}
	cc__out_adds(o, ". Series with a baseline and a target come first, series whose every "
	                "value is 0 last");
	cc__out_adds(o, ".\n\n| Indicator | Name | Pillar | Area | Series | Baseline | Latest | "
	                "Latest date | Target | Progress | Expected | Status | Trend | Projected |\n"
	                "|---|---|---|---|---|--:|--:|---|--:|--:|--:|---|---|---|\n");
	for (size_t i = 0; i < shown; i++) {
		const struct cc_progress_result *r = &in->progress[order[i]];
		const struct cc_indicator *ind =
		        in->indicator_data && r->indicator < in->indicator_data->n_indicators
		                ? &in->indicator_data->indicators[r->indicator]
		                : NULL;
		char b[64], d[11];

		cc__out_adds(o, "| ");
		md(o, ind ? ind->code : "?");
		cc__out_adds(o, " | ");
		md(o, ind ? ind->name : "");
		cc__out_adds(o, " | ");
		md(o, ind ? ind->pillar : "");
		cc__out_adds(o, " | ");
		md(o, r->area[0] ? r->area : "all");
		cc__out_adds(o, " | ");
		md(o, cc__disagg(r, b, sizeof(b)));
		cc__out_addf(o, " | %s", cc__fmt_cell(r->baseline, b, sizeof(b)));
		cc__out_addf(o, " | %s", cc__fmt_cell(r->latest_value, b, sizeof(b)));
		cc__out_addf(o, " | %s", r->latest_date == CC_DATE_NONE
		                                 ? "\xe2\x80\x93"
		                                 : cc_date_format(r->latest_date, d));
		cc__out_addf(o, " | %s", cc__fmt_cell(r->target, b, sizeof(b)));
		cc__out_addf(o, " | %s", cc__fmt_pct(r->progress, b, sizeof(b)));
		cc__out_addf(o, " | %s", cc__fmt_pct(r->expected, b, sizeof(b)));
		cc__out_addf(o, " | %s | ", cc_status_name(r->status));
		md(o, cc__trend_text(&r->trend, b, sizeof(b)));
		cc__out_adds(o, " | ");
		md(o, cc__proj_text(r, b, sizeof(b)));
		cc__out_adds(o, " |\n");
	}
	cc_free(order);
}

static void surveys(struct cc__out *o, const struct cc_report_input *in)
{
	if (!in->surveys || !in->n_surveys)
		return;
	cc__out_addf(o, "\n## Survey results\n\n%zu %s, each answer's weighted share among the "
	                "substantive answers with its Wilson interval on Kish's effective sample "
	                "size.\n",
	             in->n_surveys, in->n_surveys == 1 ? "question" : "questions");
	for (size_t k = 0; k < in->n_surveys; k++) {
		const struct cc_survey_table *t = in->surveys[k].table;

		if (!t)
			continue;
		cc__out_adds(o, "\n### ");
		md(o, in->surveys[k].question);
		if (in->surveys[k].label && in->surveys[k].label[0]) {
			cc__out_adds(o, ": ");
			md(o, in->surveys[k].label);
		}
		cc__out_adds(o, "\n\n| Wave | Answer | Share | Interval | Answers in wave | Effective n | "
		                "Note |\n|---|---|--:|--:|--:|--:|---|\n");
		for (size_t i = 0; i < t->n_estimates; i++) {
			const struct cc_survey_estimate *e = &t->estimates[i];
			char a[32], b[32], c[32], d[32], note[320];

			cc__out_adds(o, "| ");
			md(o, e->cell < t->n_cells ? t->cells[e->cell].cell : "");
			cc__out_adds(o, " | ");
			md(o, e->category);
			cc__out_addf(o, " | %s | %s\xe2\x80\x93%s | %zu | %s | ",
			             cc__fmt_pct(e->prop.p, a, sizeof(a)),
			             cc__fmt_pct(e->prop.lo, b, sizeof(b)),
			             cc__fmt_pct(e->prop.hi, c, sizeof(c)), e->prop.n,
			             isnan(e->prop.n_eff)
			                     ? "\xe2\x80\x93"
			                     : cc__fmt_num(round(e->prop.n_eff * 10) / 10, d, sizeof(d)));
			md(o, cc__survey_note(e, note, sizeof(note)));
			cc__out_adds(o, " |\n");
		}
	}
}

static int feedback(struct cc__out *o, const struct cc_report_input *in)
{
	struct cc__theme *t;
	double total = 0, neg = 0;
	size_t n;

	if (cc__feedback_themes(in, &t, &n))
		return CC_ENOMEM;
	if (!n) {
		if (in->all_sections)
			cc__out_adds(o, in->period_set
			                        ? "\n## Feedback themes\n\nNo feedback recorded "
			                          "in the period.\n"
			                        : "\n## Feedback themes\n\nNo feedback "
			                          "recorded.\n");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		total += t[i].n;
		neg += t[i].negative;
	}
	cc__out_adds(o, "\n## Feedback themes\n\n");
	grouped(o, total);
	cc__out_addf(o, " feedback items in %zu themes (their category); ", n);
	grouped(o, neg);
	cc__out_adds(o, " negative.\n\n| Theme | Items | Negative | Negative share |\n"
	                "|---|--:|--:|--:|\n");
	for (size_t i = 0; i < n; i++) {
		char b[32];

		cc__out_adds(o, "| ");
		md(o, t[i].category[0] ? t[i].category : "(uncategorised)");
		cc__out_addf(o, " | %.0f | %.0f | %s |\n", t[i].n, t[i].negative,
		             cc__fmt_pct(t[i].n > 0 ? t[i].negative / t[i].n : (double)NAN, b,
		                         sizeof(b)));
	}
	cc_free(t);
	return 0;
}

static void lessons(struct cc__out *o, const struct cc_report_input *in)
{
	const struct cc_lesson *ls = in->lessons;
	size_t n = ls ? in->n_lessons : 0;
	size_t shown = n < MD_LESSONS ? n : MD_LESSONS;
	const char *rule = in->lessons_rule ? in->lessons_rule
	                                    : "lessons of this mission, or of the register on a "
	                                      "pillar with activity here";

	if (!n && !in->all_sections)
		return;
	cc__out_adds(o, "\n## Lessons\n\n");
	if (!n) {
		cc__out_adds(o, in->period_set ? "No lesson recorded in the period ("
		                               : "No lesson "
		                                 "recorded (");
		md(o, rule);
		cc__out_adds(o, ").\n");
		return;
	}
	grouped(o, (double)n);
	cc__out_adds(o, n == 1 ? " lesson: " : " lessons: ");
	md(o, rule);
	if (shown < n)
		cc__out_addf(o, "; the first %zu by key", shown);
	cc__out_adds(o, ".\n\n| Key | Title | Pillars | Date | Status | Source |\n"
	                "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < shown; i++) {
		char d[11];

		cc__out_adds(o, "| ");
		md(o, ls[i].key);
		cc__out_adds(o, " | ");
		md(o, ls[i].title);
		cc__out_adds(o, " | ");
		md(o, ls[i].pillars);
		cc__out_addf(o, " | %s | ",
		             ls[i].date == CC_DATE_NONE ? "\xe2\x80\x93"
		                                        : cc_date_format(ls[i].date, d));
		md(o, cc_lesson_status_name((int)ls[i].status));
		cc__out_adds(o, " | ");
		md(o, ls[i].source);
		cc__out_adds(o, " |\n");
	}
}

static void findings(struct cc__out *o, const struct cc_report_input *in)
{
	const struct cc_review_result *r = in->review;

	if (!r || !in->plan)
		return;
	cc__out_adds(o, "\n## Plan review: ");
	md(o, in->plan->file);
	cc__out_addf(o, "\n\n%zu activities checked against the rules of `concord review`: %zu "
	                "findings, %zu errors, %zu warnings, %zu info.",
	             in->plan->n_acts, r->n_findings, r->n_errors, r->n_warnings, r->n_infos);
	for (size_t i = 0; i < r->n_disabled; i++) {
		cc__out_addf(o, " Rule %s was turned off: ", r->disabled[i].rule);
		md(o, r->disabled[i].reason);
		cc__out_adds(o, ".");
	}
	cc__out_adds(o, "\n");
	if (!r->n_findings) {
		cc__out_adds(o, "\nNo rule fired.\n");
		return;
	}
	cc__out_adds(o, "\n| Rule | Severity | Activity | Item | Evidence | Lessons |\n"
	                "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct cc_finding *f = &r->findings[i];

		cc__out_addf(o, "| %s | %s | ", f->rule, cc_severity_name(f->severity));
		md(o, f->activity[0] ? f->activity : "(plan)");
		cc__out_adds(o, " | ");
		md(o, f->item);
		cc__out_adds(o, " | ");
		md(o, f->evidence);
		cc__out_adds(o, " | ");
		for (size_t j = 0; j < f->n_lessons; j++) {
			cc__out_adds(o, j ? "; " : "");
			md(o, f->lessons[j].key);
			cc__out_adds(o, ": ");
			md(o, f->lessons[j].title);
		}
		cc__out_adds(o, " |\n");
	}
}

static void sources(struct cc__out *o, const struct cc_report_input *in)
{
	cc__out_adds(o, "\n## Sources\n\n");
	if (in->n_sources == 0) {
		cc__out_adds(o, "No imported source is recorded for this report.\n");
		return;
	}
	cc__out_adds(o, "| Source | Imported at (UTC) | Records |\n|---|---|--:|\n");
	for (size_t i = 0; i < in->n_sources; i++) {
		const struct cc_report_source *s = &in->sources[i];

		cc__out_adds(o, "| ");
		md(o, s->name ? s->name : "");
		cc__out_adds(o, " | ");
		md(o, s->imported_at && s->imported_at[0] ? s->imported_at : "unknown");
		cc__out_adds(o, " | ");
		grouped(o, (double)s->rows);
		cc__out_adds(o, " |\n");
	}
}

int cc_report_md(const struct cc_report_input *in, struct cc_buf *out, struct cc_err *err)
{
	struct cc__out o;
	int ret;

	if (!in->generated_on || !in->generated_on[0])
		return cc_err_set(err, CC_EINVALID, "report needs a generation date");
	cc__out_init(&o, CC_LIMIT_REPORT);
	head(&o, in);
	if (in->coverage)
		summary(&o, in->coverage);
	ret = timeline(&o, in);
	if (ret == 0)
		ret = map(&o, in);
	if (in->coverage)
		coverage(&o, in->coverage);
	gaps(&o, in->gaps, in->top_gaps);
	if (ret == 0)
		ret = incidents(&o, in->incident_dates, in->n_incidents);
	indicators(&o, in);
	surveys(&o, in);
	if (ret == 0)
		ret = feedback(&o, in);
	lessons(&o, in);
	findings(&o, in);
	sources(&o, in);
	cc__out_adds(&o, "\n---\n\nGenerated ");
	if (in->generator && in->generator[0]) {
		cc__out_adds(&o, "by ");
		md(&o, in->generator);
		cc__out_adds(&o, " ");
	}
	cc__out_adds(&o, "on ");
	md(&o, in->generated_on);
	cc__out_adds(&o, ".\n");
	if (ret < 0 && o.ret == 0)
		o.ret = ret;
	ret = cc__out_finish(&o, out);
	if (ret == CC_ETOOBIG)
		return cc_err_set(err, ret, "report exceeds %u bytes", (unsigned)CC_LIMIT_REPORT);
	if (ret < 0)
		return cc_err_set(err, ret, "out of memory writing the report");
	return 0;
}
