#include "report/svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

/*
 * The review sections that draw on analyses other than coverage: the map, the gap ranking,
 * incidents over time and the lessons. Each writes nothing when its input is empty.
 */

#define DEFAULT_TOP_GAPS 15
#define MAX_MONTHS       36 /* more months than this: the incidents chart counts per year */
#define MAX_YEARS        60
#define MAX_LESSON_ROWS  40

static const char *const measure_names[CC_N_MAP_MEASURES] = {
	[CC_MAP_ACTIVITIES] = "activities",
	[CC_MAP_ORGANISATIONS] = "organisations",
	[CC_MAP_INCIDENTS] = "incidents",
	[CC_MAP_PEOPLE_IN_NEED] = "people-in-need",
	[CC_MAP_GAP] = "gap",
};

const char *cc_map_measure_name(int m)
{
	return m >= 0 && m < CC_N_MAP_MEASURES ? measure_names[m] : NULL;
}

int cc_map_measure_parse(const char *s)
{
	for (int m = 0; s && m < CC_N_MAP_MEASURES; m++)
		if (!strcmp(s, measure_names[m]))
			return m;
	if (s && !strcmp(s, "organizations"))
		return CC_MAP_ORGANISATIONS;
	if (s && !strcmp(s, "pin"))
		return CC_MAP_PEOPLE_IN_NEED;
	return -1;
}

const struct cc__measure_text *cc__map_measure_text(enum cc_map_measure m)
{
	static const struct cc__measure_text t[CC_N_MAP_MEASURES] = {
		[CC_MAP_ACTIVITIES] = { "activities", "activity", "Distinct activities per area" },
		[CC_MAP_ORGANISATIONS] = { "organisations", "organisation",
		                           "Distinct organisations per area" },
		[CC_MAP_INCIDENTS] = { "incidents", "incident", "Incidents per area" },
		[CC_MAP_PEOPLE_IN_NEED] = { "people in need", "person in need",
		                            "People in need per area (largest sector)" },
		[CC_MAP_GAP] = { "gap", "gap",
		                 "Largest gap per area (severity \xc3\x97 people not "
		                 "covered)" },
	};

	return &t[(int)m >= 0 && m < CC_N_MAP_MEASURES ? m : CC_MAP_ACTIVITIES];
}

double cc__map_value(const struct cc_report_input *in, const struct cc_report_area *a)
{
	const struct cc_coverage *cov = in->coverage;

	if (in->map_measure == CC_MAP_ACTIVITIES || in->map_measure == CC_MAP_ORGANISATIONS) {
		for (size_t r = 0; cov && a->pcode && r < cov->n_rows; r++)
			if (!cov->rows[r].unspecified && !strcmp(cov->rows[r].pcode, a->pcode))
				return (double)(in->map_measure == CC_MAP_ACTIVITIES
				                        ? cov->rows[r].n_activities
				                        : cov->rows[r].n_orgs);
		return 0;
	}
	return a->value >= 0 ? a->value : (double)NAN; /* NAN and negative: no figure */
}

int cc__report_map(struct cc__out *o, const struct cc_report_input *in)
{
	const struct cc__measure_text *mt = cc__map_measure_text(in->map_measure);
	struct cc__map_area *areas;
	char title[200], desc[640], id[32];
	size_t n = 0, n_zero = 0;
	int level = in->coverage ? in->coverage->level : 1;

	if (!in->n_map_areas)
		return 0;
	areas = cc_alloc_array(in->n_map_areas, sizeof(*areas));
	if (!areas)
		return CC_ENOMEM;
	for (size_t i = 0; i < in->n_map_areas; i++) {
		const struct cc_report_area *a = &in->map_areas[i];

		areas[n] = (struct cc__map_area){ .pcode = a->pcode ? a->pcode : "",
			                          .name = a->name ? a->name : "",
			                          .wkb = a->wkb,
			                          .wkb_len = a->wkb_len };
		if (!cc__map_drawable(&areas[n]))
			continue;
		areas[n].value = cc__map_value(in, a);
		n_zero += !(areas[n].value > 0);
		n++;
	}
	if (n == 0)
		goto out_free;
	snprintf(title, sizeof(title), "%s at admin level %d", mt->legend, level);
	snprintf(desc, sizeof(desc),
	         "A map of the %zu areas at admin level %d with a stored boundary, each shaded by "
	         "its %s; %zu have none. %s",
	         n, level, mt->plural, n_zero,
	         in->map_measure == CC_MAP_ACTIVITIES || in->map_measure == CC_MAP_ORGANISATIONS
	                 ? "The coverage table gives every figure."
	                 : "Each area's title gives its figure.");
	/* the activities map keeps the id it always had */
	snprintf(id, sizeof(id), "map-%s",
	         in->map_measure == CC_MAP_ACTIVITIES ? "acts"
	                                              : cc_map_measure_name((int)in->map_measure));
	cc__out_adds(o, "<section id=\"map\">\n<h2>Map: ");
	cc__out_html(o, mt->plural);
	cc__out_adds(o, " per area</h2>\n");
	if (in->map_note && in->map_note[0]) {
		cc__out_adds(o, "<p>");
		cc__out_html(o, in->map_note);
		cc__out_adds(o, "</p>\n");
	}
	cc__out_adds(o, "<figure>\n");
	cc__svg_choropleth(o, &(struct cc__map){ .id = id,
	                                         .title = title,
	                                         .desc = desc,
	                                         .legend_title = mt->legend,
	                                         .unit = mt->plural,
	                                         .unit_one = mt->one,
	                                         .areas = areas,
	                                         .n_areas = n });
	cc__out_adds(o, "<figcaption>");
	cc__out_html(o, desc);
	cc__out_adds(o, " Longitudes are scaled by the cosine of the mean latitude "
	                "(equirectangular projection).</figcaption>\n</figure>\n</section>\n");
out_free:
	cc_free(areas);
	return 0;
}

static void num_td(struct cc__out *o, double v, bool percent)
{
	if (isnan(v)) {
		cc__out_adds(o, "<td class=\"n\">\xe2\x80\x93</td>");
		return;
	}
	cc__out_adds(o, "<td class=\"n\">");
	if (percent)
		cc__out_addf(o, "%.0f%%", v * 100);
	else
		cc__out_grouped(o, v);
	cc__out_adds(o, "</td>");
}

void cc__report_gaps(struct cc__out *o, const struct cc_gaps *g, size_t top)
{
	size_t n;

	if (!g || !g->n_rows)
		return;
	top = top ? top : DEFAULT_TOP_GAPS;
	n = g->n_rows < top ? g->n_rows : top;
	cc__out_addf(o,
	             "<section id=\"gaps\">\n<h2>Gaps: needs against coverage</h2>\n"
	             "<p>The %zu largest gaps of %zu area \xc3\x97 %s rows at admin level %d. ",
	             n, g->n_rows, g->opts.by == CC_GAP_BY_PILLAR ? "pillar" : "sector",
	             g->opts.level);
	cc__out_adds(o, "Ranking: ");
	cc__out_html(o, cc_gap_rank_rule());
	cc__out_adds(o, ". People covered: ");
	cc__out_html(o, cc_gap_reach_rule(g->opts.reach));
	cc__out_adds(o, ".</p>\n<div class=\"scroll\">\n<table>\n<caption>Largest gaps</caption>\n"
	                "<thead><tr><th scope=\"col\">#</th><th scope=\"col\">P-code</th>"
	                "<th scope=\"col\">Area</th><th scope=\"col\">Sector or pillar</th>"
	                "<th scope=\"col\">Severity</th><th scope=\"col\">People in need</th>"
	                "<th scope=\"col\">Covered</th><th scope=\"col\">Shortfall</th>"
	                "<th scope=\"col\">Gap</th><th scope=\"col\">Status</th></tr></thead>\n"
	                "<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const struct cc_gap_row *r = &g->rows[i];

		cc__out_addf(o, "<tr><td class=\"n\">%zu</td><td class=\"code\">", i + 1);
		cc__out_html(o, r->pcode);
		cc__out_adds(o, "</td><th scope=\"row\">");
		cc__out_html(o, r->name);
		cc__out_adds(o, "</th><td>");
		cc__out_html(o, r->key_name[0] ? r->key_name : r->key_code);
		cc__out_adds(o, "</td>");
		if (r->severity > 0)
			cc__out_addf(o, "<td class=\"n\">%d</td>", r->severity);
		else
			cc__out_adds(o, "<td class=\"n\">\xe2\x80\x93</td>");
		num_td(o, r->in_need, false);
		num_td(o, r->covered, false);
		num_td(o, r->shortfall, true);
		num_td(o, r->gap, false);
		cc__out_adds(o, "<td>");
		cc__out_html(o, cc_gap_status_name(r->status));
		cc__out_adds(o, "</td></tr>\n");
	}
	cc__out_adds(o, "</tbody>\n</table>\n</div>\n</section>\n");
}

/* Year and month of a day number (days since 1970-01-01, proleptic Gregorian). */
static void ym_of(int32_t day, int *y_out, int *m_out)
{
	long z = (long)day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);

	*y_out = (int)(yoe + era * 400 + (m <= 2));
	*m_out = m;
}

/* The bucket of a day: its month (year × 12 + month - 1), or its year when by_year. */
long cc__bucket_of(int32_t day, bool by_year)
{
	int y, m;

	ym_of(day, &y, &m);
	return by_year ? y : (long)y * 12 + m - 1;
}

void cc__bucket_label(long k, bool by_year, char *buf, size_t n)
{
	if (by_year)
		snprintf(buf, n, "%04d", (int)(k % 10000));
	else
		snprintf(buf, n, "%04d-%02d", (int)(k / 12 % 10000), (int)(k % 12 + 1));
}

int cc__report_incidents(struct cc__out *o, const int32_t *dates, size_t n_dates)
{
	long first = 0, last = 0, n_buckets;
	size_t n_placed = 0, peak = 0;
	double *values = NULL;
	char(*labels)[24] = NULL;
	const char **label_ptrs = NULL;
	struct cc__svg_series one = { .name = "incidents", .color = cc__svg_palette[1] };
	bool by_year;
	char desc[512];
	int ret = 0;

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
	by_year = last - first >= MAX_MONTHS;
	if (by_year) {
		first /= 12;
		last /= 12;
		if (last - first >= MAX_YEARS)
			first = last - MAX_YEARS + 1; /* the latest years */
	}
	n_buckets = last - first + 1;
	values = cc_alloc_array((size_t)n_buckets, sizeof(*values));
	labels = cc_alloc_array((size_t)n_buckets, sizeof(*labels));
	label_ptrs = cc_alloc_array((size_t)n_buckets, sizeof(*label_ptrs));
	if (!values || !labels || !label_ptrs) {
		ret = CC_ENOMEM;
		goto out_free;
	}
	for (long k = 0; k < n_buckets; k++) {
		values[k] = 0;
		cc__bucket_label(first + k, by_year, labels[k], sizeof(labels[k]));
		label_ptrs[k] = labels[k];
	}
	for (size_t i = 0; i < n_dates; i++) {
		long k;

		if (dates[i] == CC_DATE_NONE)
			continue;
		k = cc__bucket_of(dates[i], by_year) - first;
		if (k >= 0 && k < n_buckets)
			values[k]++;
	}
	for (long k = 0; k < n_buckets; k++)
		if (values[k] > values[peak])
			peak = (size_t)k;
	snprintf(desc, sizeof(desc),
	         "Horizontal bars, one per calendar %s from %s to %s, length the number of "
	         "incidents that began in it; %zu incidents in all, most (%.0f) in %s.",
	         by_year ? "year" : "month", labels[0], labels[n_buckets - 1], n_placed,
	         values[peak], labels[peak]);
	cc__out_adds(o, "<section id=\"incidents\">\n<h2>Incidents over time</h2>\n<figure>\n");
	cc__svg_hbar_chart(o, &(struct cc__svg_hbar){
	                              .id = "chart-incidents",
	                              .title = by_year ? "Incidents per year" : "Incidents per month",
	                              .desc = desc,
	                              .axis_label = "Incidents",
	                              .unit = "incidents",
	                              .unit_one = "incident",
	                              .labels = label_ptrs,
	                              .n_bars = (size_t)n_buckets,
	                              .series = &one,
	                              .n_series = 1,
	                              .values = values });
	cc__out_adds(o, "<figcaption>");
	cc__out_html(o, desc);
	cc__out_adds(o, "</figcaption>\n</figure>\n</section>\n");
out_free:
	cc_free(values);
	cc_free(labels);
	cc_free(label_ptrs);
	return ret;
}

/* A comma-separated list with a space after each comma. */
static void list_html(struct cc__out *o, const char *list)
{
	char part[160];

	while (*list) {
		size_t n = strcspn(list, ",");

		snprintf(part, sizeof(part), "%.*s", (int)(n < 159 ? n : 159), list);
		cc__out_html(o, part);
		list += n;
		if (*list == ',') {
			list++;
			cc__out_adds(o, ", ");
		}
	}
}

void cc__report_lessons(struct cc__out *o, const struct cc_report_input *in)
{
	const struct cc_lesson *ls = in->lessons;
	size_t n = ls ? in->n_lessons : 0;
	size_t shown = n < MAX_LESSON_ROWS ? n : MAX_LESSON_ROWS;

	if (!n && !in->all_sections)
		return;
	cc__out_adds(o, "<section id=\"lessons\">\n<h2>Lessons</h2>\n<p>");
	if (!n) {
		cc__out_adds(o, in->period_set ? "No lesson recorded in the period"
		                               : "No lesson recorded");
		cc__out_adds(o, " (");
		cc__out_html(o, in->lessons_rule ? in->lessons_rule
		                                 : "lessons of this mission, or of the register "
		                                   "on a pillar with activity here");
		cc__out_adds(o, ").</p>\n</section>\n");
		return;
	}
	cc__out_grouped(o, (double)n);
	cc__out_adds(o, n == 1 ? " lesson: " : " lessons: ");
	cc__out_html(o, in->lessons_rule ? in->lessons_rule
	                                 : "lessons of this mission, or of the register on a "
	                                   "pillar with activity here");
	if (shown < n)
		cc__out_addf(o, "; the first %zu by key", shown);
	cc__out_adds(o, ".</p>\n<div class=\"scroll\">\n<table>\n<caption>Lessons</caption>\n"
	                "<thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Title</th>"
	                "<th scope=\"col\">Pillars</th><th scope=\"col\">Date</th>"
	                "<th scope=\"col\">Status</th><th scope=\"col\">Source</th></tr></thead>\n"
	                "<tbody>\n");
	for (size_t i = 0; i < shown; i++) {
		const struct cc_lesson *l = &ls[i];
		char d[11];

		cc__out_adds(o, "<tr><td class=\"code\">");
		cc__out_html(o, l->key);
		cc__out_adds(o, "</td><th scope=\"row\">");
		cc__out_html(o, l->title);
		cc__out_adds(o, "</th><td>");
		list_html(o, l->pillars);
		cc__out_addf(o, "</td><td class=\"date\">%s</td><td>",
		             l->date == CC_DATE_NONE ? "\xe2\x80\x93" : cc_date_format(l->date, d));
		cc__out_html(o, cc_lesson_status_name((int)l->status));
		cc__out_adds(o, "</td><td>");
		cc__out_html(o, l->source);
		cc__out_adds(o, "</td></tr>\n");
	}
	cc__out_adds(o, "</tbody>\n</table>\n</div>\n</section>\n");
}
