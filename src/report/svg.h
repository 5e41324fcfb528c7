/*
 * Internal helpers of src/report: a writer with a sticky error, locale-independent numbers,
 * UTF-8 text widths, and SVG bar charts. Used by html.c and table.c, and meant for the later
 * report sections (indicators, incidents, surveys).
 *
 * The SVG produced is inline SVG for an HTML5 document: well-formed XML (every element closed,
 * every attribute quoted and escaped) without an xmlns attribute, so the document holds no URL
 * at all. A writer of a standalone .svg file must add the SVG namespace to the root element.
 * Charts carry role="img", a <title> and a <desc> referenced by aria-labelledby, and a <title>
 * tooltip on every bar.
 */
#ifndef CC_REPORT_SVG_H
#define CC_REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include <concord/buf.h>
#include <concord/report.h>

/*
 * A writer: appends to buf until the first error, then does nothing and keeps that error in ret.
 * Check ret once at the end instead of after every append (a cc_buf releases itself on error, so
 * appending after a failure would silently restart it).
 */
struct cc__out {
	struct cc_buf buf; /* owned: cc_buf_release() */
	int ret;           /* 0, or the first CC_ENOMEM / CC_ETOOBIG */
};

void cc__out_init(struct cc__out *o, size_t max);
void cc__out_adds(struct cc__out *o, const char *s);
void cc__out_add(struct cc__out *o, const char *s, size_t len);
void cc__out_addf(struct cc__out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cc__out_html(struct cc__out *o, const char *s); /* escaped for HTML/XML text and attributes */
void cc__out_json(struct cc__out *o, const char *s); /* a JSON string literal */
void cc__out_csv(struct cc__out *o, const char *s);  /* one CSV field */
/* v in the shortest form that reads back as v ("12", "0.1", "1.5e+20"), '.' as decimal point. */
void cc__out_num(struct cc__out *o, double v);
/* v rounded to one decimal, without a trailing ".0" (SVG coordinates). */
void cc__out_coord(struct cc__out *o, double v);
/* Whole number with "," between groups of three digits: 1234567 → "1,234,567". */
void cc__out_grouped(struct cc__out *o, double v);
/* Moves the text to the end of *dst and releases o; returns 0 or the writer's first error. */
int cc__out_finish(struct cc__out *o, struct cc_buf *dst);

/* Formats v as cc__out_num does into buf (at least 32 bytes); returns buf. */
const char *cc__fmt_num(double v, char *buf, size_t n);

/*
 * Bytes of the character at s (n > 0 bytes left) and its display width (East Asian wide: 2,
 * combining: 0). A control character or an invalid byte is one byte of width 1 with *bad_out
 * set, so that a writer replacing it with '?' keeps the width right.
 */
size_t cc__text_char(const char *s, size_t n, size_t *width_out, bool *bad_out);
/* Display columns of s (UTF-8; East Asian wide characters count 2, invalid bytes 1). */
size_t cc__text_width(const char *s);
/* Appends s, cut to at most max_cols display columns with "…" at the cut, HTML-escaped. */
void cc__out_html_fit(struct cc__out *o, const char *s, size_t max_cols);

/* A linear scale from 0: axis end `max` = n_steps × step, step 1, 2 or 5 × 10^k. */
struct cc__scale {
	double max;
	double step;
	size_t n_steps;
};

/* The smallest step 1, 2 or 5 × 10^k that is ≥ raw (raw > 0). */
double cc__nice_step(double raw);
/*
 * A scale covering [0, data_max] in at most max_ticks steps (max_ticks ≥ 1). With integer set
 * (counts) the step is at least 1. data_max ≤ 0 or not finite gives 0..1 in one step.
 */
void cc__nice_scale(double data_max, size_t max_ticks, bool integer, struct cc__scale *out);

/* One series of a bar chart: its legend name and fill colour ("#0072b2"). */
struct cc__svg_series {
	const char *name;
	const char *color;
};

/*
 * A horizontal bar chart: one bar per label, each bar stacked from n_series segments (one series
 * is a plain bar chart). Values are n_bars × n_series, row-major; a segment ≤ 0 or NAN is not
 * drawn. Strings are borrowed and escaped by the chart.
 */
struct cc__svg_hbar {
	const char *id;         /* unique within the document, an XML name: "cov-acts" */
	const char *title;      /* drawn above the chart and used as the accessible name */
	const char *desc;       /* text alternative: what the chart shows, in a sentence or two */
	const char *axis_label; /* under the value axis: "Activities" */
	const char *unit;       /* in tooltips after the number: "activities" */
	const char *unit_one;   /* after the number 1: "activity"; NULL: unit */
	const char *const *labels; /* n_bars */
	const char *const *tips;   /* n_bars longer labels for tooltips, NULL: labels */
	size_t n_bars;
	const struct cc__svg_series *series;
	size_t n_series;
	const double *values;
	double width; /* px; 0: 760 */
};

/* Appends the chart as one <svg> element (a small "no data" chart when n_bars is 0). */
void cc__svg_hbar_chart(struct cc__out *o, const struct cc__svg_hbar *c);

/* A horizontal reference line of a line chart (a benchmark: baseline, target). */
struct cc__svg_ref {
	const char *name;
	double value;
};

/*
 * A line chart: n_points labelled positions on the x axis, evenly spaced, one polyline with a
 * marker (and a <title> tooltip) per point for each series; values n_points × n_series,
 * row-major, NAN a gap. Dashed reference lines are drawn across the plot. The value axis
 * starts at 0 (integer: steps of at least 1).
 */
struct cc__svg_lines {
	const char *id, *title, *desc, *axis_label;
	const char *const *labels; /* n_points */
	size_t n_points;
	const struct cc__svg_series *series;
	size_t n_series;
	const double *values;
	const struct cc__svg_ref *refs;
	size_t n_refs;
	bool integer;
	double width; /* px; 0: 760 */
};

void cc__svg_line_chart(struct cc__out *o, const struct cc__svg_lines *c);

/*
 * An interval chart: one row per label, a dot at p and a whisker from lo to hi, on a 0–100 %
 * axis; a NAN p draws the label only. Values are shares in [0, 1].
 */
struct cc__svg_intervals {
	const char *id, *title, *desc, *axis_label;
	const char *const *labels;
	size_t n;
	const double *p, *lo, *hi;
	double width; /* px; 0: 760 */
};

void cc__svg_interval_chart(struct cc__out *o, const struct cc__svg_intervals *c);

/* One area of a choropleth: its WKB boundary (polygon or multipolygon) and its value. */
struct cc__map_area {
	const char *pcode, *name; /* borrowed */
	const void *wkb;          /* borrowed, wkb_len bytes; NULL: not drawn */
	size_t wkb_len;
	double value; /* >= 0; NAN: no figure (drawn as 0, titled so) */
};

/* Classes of a choropleth: 0 (value 0) and four equal steps of a nice scale up to the maximum. */
#define CC__MAP_CLASSES 5

struct cc__map {
	const char *id, *title, *desc; /* as for cc__svg_hbar */
	const char *legend_title;      /* "Activities per province" */
	const char *unit, *unit_one;   /* in tooltips: "activities", "activity" */
	const struct cc__map_area *areas;
	size_t n_areas;
};

/* True when the area's WKB parses as polygons with at least one ring. */
bool cc__map_drawable(const struct cc__map_area *a);
/* The class (0 … CC__MAP_CLASSES - 1) of value v on scale s (s->max the last break). */
int cc__map_class(double v, const struct cc__scale *s);
/*
 * Appends the map as one <svg> element: one <path> per drawable area, in the given order,
 * with a <title> "Name (PCODE): N unit", and a legend of the class breaks. Returns the number
 * of paths drawn; with none, nothing is written.
 */
size_t cc__svg_choropleth(struct cc__out *o, const struct cc__map *m);

/*
 * Report sections (sections.c). Each writes nothing when its input is empty; the int ones
 * return 0 or CC_ENOMEM (for their scratch; write errors stay in o).
 */
int cc__report_map(struct cc__out *o, const struct cc_report_input *in);
void cc__report_gaps(struct cc__out *o, const struct cc_gaps *g, size_t top);
int cc__report_incidents(struct cc__out *o, const int32_t *dates, size_t n_dates);
void cc__report_lessons(struct cc__out *o, const struct cc_report_input *in);

/* The words of a map measure: "activities" / "activity", heading, legend title. */
struct cc__measure_text {
	const char *plural, *one, *legend;
};
const struct cc__measure_text *cc__map_measure_text(enum cc_map_measure m);
/* The value the map gives an area of in (by in->map_measure); 0 when it has none. */
double cc__map_value(const struct cc_report_input *in, const struct cc_report_area *a);
/* The indicator series in the order of the table and charts (see struct cc_report_input); *out
   owned (cc_free), n_progress entries; 0 or CC_ENOMEM. */
int cc__indicator_order(const struct cc_report_input *in, size_t **out);

/* The bucket of a day: year × 12 + month − 1, or the year when by_year; and its label. */
long cc__bucket_of(int32_t day, bool by_year);
void cc__bucket_label(long k, bool by_year, char *buf, size_t n);

/* Incidents per bucket as the incidents section counts them (shared with Markdown). */
#define CC__MAX_MONTHS 36 /* more months than this: count per year */
#define CC__MAX_YEARS  60

/*
 * The timeline: per bucket, activities that started in it, activities active in it (their
 * span meets it) and incidents that began in it. Computed once for both output formats.
 */
struct cc__timeline {
	bool by_year;
	size_t n;             /* buckets */
	long first;           /* bucket number of the first */
	char (*labels)[16];   /* owned */
	double *started, *active, *incidents; /* owned, n each */
	size_t n_placed_acts, n_undated, n_placed_inc;
};
/* 0 (t->n 0: nothing to show) or CC_ENOMEM. */
int cc__timeline_compute(const struct cc_report_input *in, struct cc__timeline *t);
void cc__timeline_release(struct cc__timeline *t);

int cc__report_timeline(struct cc__out *o, const struct cc_report_input *in);
void cc__report_indicators(struct cc__out *o, const struct cc_report_input *in);
void cc__report_findings(struct cc__out *o, const struct cc_report_input *in);

/* The latest observation date of the progress results (the "as of" of their status). */
int32_t cc__latest_observation(const struct cc_report_input *in);

/* Feedback per theme (category), most items first, then by name. */
struct cc__theme {
	const char *category; /* borrowed from the counts; "" uncategorised */
	double n, negative;
};
/* The themes of in's feedback counts into *out (owned, cc_free); 0 or CC_ENOMEM. */
int cc__feedback_themes(const struct cc_report_input *in, struct cc__theme **out, size_t *n_out);
void cc__report_feedback(struct cc__out *o, const struct cc_report_input *in);
void cc__report_surveys(struct cc__out *o, const struct cc_report_input *in);
/* The note of a survey estimate: "small cell", its change against the previous wave, … */
const char *cc__survey_note(const struct cc_survey_estimate *e, char *buf, size_t n);

/* Rows of the indicators table, and series charted. */
#define CC__MAX_INDICATOR_ROWS   60
#define CC__MAX_INDICATOR_CHARTS 6

/* Value of a report table cell: the shortest round-trip form, "–" for NAN. */
const char *cc__fmt_cell(double v, char *buf, size_t n);
/* Percent with one decimal ("62.5%"), "n/a" for NAN. */
const char *cc__fmt_pct(double v, char *buf, size_t n);
/* "total", or the sex and age group of a progress series. */
const char *cc__disagg(const struct cc_progress_result *r, char *buf, size_t n);
/* The trend as words: "increasing (p 0.012, 1.5 per year)", "too few points", … */
const char *cc__trend_text(const struct cc_trend *t, char *buf, size_t n);
/* The projection as words: a date, "attained", "not reached on current trend", "". */
const char *cc__proj_text(const struct cc_progress_result *r, char *buf, size_t n);

/* Colour-blind-safe fills (Okabe–Ito, darkened to ≥ 3:1 against white), in series order. */
extern const char *const cc__svg_palette[];
extern const size_t cc__svg_n_palette;

#endif
