/*
 * Reports: what Concord hands to people. Two kinds, both pure functions of a result struct that
 * write into a caller's struct cc_buf, never to a file or the terminal:
 *
 *  - cc_coverage_format(): one coverage result as an aligned text table, CSV or JSON, for the
 *    CLI (`concord coverage [--csv|--json]`) and the API. The same struct feeds all three.
 *  - cc_report_html(): the mission review as one self-contained HTML5 file: inline CSS and
 *    inline SVG only, no scripts, fonts, images or any other external request (a
 *    Content-Security-Policy of default-src 'none' says so to the browser too).
 *
 * Output is built in a private buffer capped at CC_LIMIT_REPORT (HTML) or CC_LIMIT_TEXT_OUT
 * (table, CSV, JSON) in src/core/limits.h, and appended to *out only when complete: on error
 * *out is unchanged, so half-built output never escapes. Give *out a maximum at least that
 * large (CC_BUF_INIT(CC_LIMIT_REPORT)), or the final append fails with CC_ETOOBIG (and, as
 * every cc_buf failure does, releases *out).
 *
 * Nothing here reads the clock, the locale or the environment: the generation date is an input,
 * and numbers are written with '.' whatever LC_NUMERIC says. All text from the data is escaped
 * for its destination (HTML, JSON, CSV); control characters are replaced in the text table.
 * Functions are reentrant; inputs are borrowed for the call.
 */
#ifndef CONCORD_REPORT_H
#define CONCORD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/buf.h>
#include <concord/coverage.h>
#include <concord/error.h>
#include <concord/feedback.h>
#include <concord/gaps.h>
#include <concord/lessons.h>
#include <concord/model.h>
#include <concord/overlap.h>
#include <concord/progress.h>
#include <concord/review.h>
#include <concord/rollup.h>
#include <concord/survey.h>

enum cc_format {
	CC_FORMAT_TABLE = 0, /* aligned text for a terminal */
	CC_FORMAT_CSV,       /* RFC 4180 fields, one line per row × column, LF line ends */
	CC_FORMAT_JSON,      /* one object, keys in a fixed order */
};

/* "pillar", "sector", "cluster"; "unknown" for an out-of-range value. */
CC_API const char *cc_coverage_by_name(enum cc_coverage_by by);

/*
 * Appends cov to out in format fmt.
 *
 * CC_FORMAT_TABLE: a header line (P-code, Area, one column per cov->columns code, Total), one
 * line per row with "activities/organisations" per cell ("-" for an empty cell) and the row's
 * distinct totals, then a "Total" line of the column totals and overall distinct counts. Names
 * are aligned by display width (UTF-8, East Asian wide characters count two).
 *
 * CC_FORMAT_CSV: header
 *   pcode,name,level,unspecified,column,activities,organisations,targeted,reached
 * then one line per row × column, all columns, in row then column order; unspecified is
 * "true" or "false"; targeted/reached are empty when no record had a figure.
 *
 * CC_FORMAT_JSON:
 *   { "level": 2, "by": "pillar", "n_records": N,
 *     "columns": [ { "code": …, "name": … }, … ],
 *     "rows": [ { "area_id": …, "pcode": …, "name": …, "level": …, "unspecified": false,
 *                 "cells": [ { "column": code, "activities": …, "organisations": …,
 *                              "targeted": number|null, "reached": number|null }, … ],
 *                 "totals": { "activities": …, "organisations": … } }, … ],
 *     "totals": { "activities": …, "organisations": …, "cells": [ same as a row's ] } }
 * Cells are in column order. Numbers: integers without a fraction, others in the shortest
 * form that reads back to the same double; absent figures are null.
 *
 * Returns 0, CC_ENOMEM, CC_ETOOBIG (output over CC_LIMIT_TEXT_OUT) or CC_EINVALID (unknown
 * fmt).
 */
CC_API int cc_coverage_format(const struct cc_coverage *cov, enum cc_format fmt, struct cc_buf *out,
                              struct cc_err *err);

/*
 * The gap ranking (cc_gaps_compute) in fmt: `concord gaps [--csv|--json]` and GET /api/gaps.
 * JSON: { "level", "by", "reach", "compared_with", "rank_rule", "reach_rule", "budget_rule",
 * "n_needs", "n_needs_above", "n_needs_unplaced", "n_records_above", "rows": [ { "rank" (null
 * when not scored), "pcode", "area", "key", "key_name", "severity", "in_need", "covered",
 * "n_orgs", "n_records", "shortfall", "unmet", "gap", "status", "budget": [ { "currency",
 * "amount", "activities" } ], "activities_with_budget", "activities_without_budget" } ] }.
 * Returns as cc_coverage_format.
 */
CC_API int cc_gaps_format(const struct cc_gaps *g, enum cc_format fmt, struct cc_buf *out,
                          struct cc_err *err);
/* The same rows as GeoJSON features (geometry: the area's boundary read from st, else null). */
CC_API int cc_gaps_geojson(const struct cc_gaps *g, struct cc_store *st, struct cc_buf *out,
                           struct cc_err *err);

/*
 * Overlapping pairs (cc_overlap_compute over in->acts) in fmt: `concord overlap` and
 * GET /api/overlap. JSON: { "distance_km", "min_score", "level", "n_activities", "n_undated",
 * "n_candidates", "score_rule", "pairs": [ { "score", "a": {id, org, sector, pcode, title,
 * start, end}, "b": {…}, "parts": {text, dates, place, people, factor}, "same_sector",
 * "same_area", "same_area_at_level", "undated", "same_implementer", "overlap_days",
 * "distance_km", "why" } ] }. Returns as cc_coverage_format.
 */
CC_API int cc_overlap_format(const struct cc_overlap_input *in, const struct cc_overlap *ov,
                             enum cc_format fmt, struct cc_buf *out, struct cc_err *err);
/* The same pairs as GeoJSON features: the two sites, else the shared area's boundary. */
CC_API int cc_overlap_geojson(const struct cc_overlap_input *in, const struct cc_overlap *ov,
                              struct cc_store *st, struct cc_buf *out, struct cc_err *err);

/*
 * Progress results (cc_progress_compute of data under opts) as `concord progress --json`:
 * { "as_of", "rule": {on_track, at_risk, alpha, max_age_days}, "results": [ { "indicator",
 * "area", "sex", "age_group", "higher_is_better", "n", "missing", "latest_date",
 * "latest_value", "baseline", "target", "progress", "expected", "ratio", "status",
 * "max_age_days", "trend": {direction, n, slope_per_day, intercept, s, var_s, z, p, p_method},
 * "projection", "projected_date" } ] }. Numbers with 6 significant digits, null when unknown.
 * Returns 0, CC_ENOMEM or CC_ETOOBIG.
 */
CC_API int cc_progress_format_json(const struct cc_indicator_data *data,
                                   const struct cc_progress_result *res, size_t n,
                                   const struct cc_progress_opts *opts, struct cc_buf *out,
                                   struct cc_err *err);

/*
 * A roll-up (cc_rollup_compute of data over areas to level, as of at) as `concord rollup
 * --json`: { "level", "as_of", "results": [ { "indicator", "pillar", "aggregation", "area",
 * "name", "sex", "age_group", "value", "how", "n_used", "n_children", "source", "date_min",
 * "date_max", "missing": [P-code, …], "no_population": [P-code, …] } ] }. Returns 0, CC_ENOMEM
 * or CC_ETOOBIG.
 */
CC_API int cc_rollup_format_json(const struct cc_indicator_data *data, const struct cc_area *areas,
                                 const struct cc_rollup *ru, int level, int32_t at,
                                 struct cc_buf *out, struct cc_err *err);

/*
 * A composite index (cc_index_run) as `concord index --json`: { "name", "level", "as_of",
 * "method", "overall_method", "epsilon", "missing", "sensitivity", "indicators": [ { "code",
 * "pillar", "weight", "goalposts", "higher_is_better" } ], "pillars": { name: weight },
 * "areas": [ { "area", "name", "values": { code: score }, "pillars": { name: score },
 * "overall", "rank", "missing": [code, …], "stage", "stage_rule", "stage_reason" } ],
 * "sensitivity": [ { "weight", "factor", "re_ranked", "max_shift", "ranks": { P-code: rank } } ] }.
 * Returns 0, CC_ENOMEM or CC_ETOOBIG.
 */
struct cc_index_run;
CC_API int cc_index_format_json(const struct cc_index_run *x, struct cc_buf *out,
                                struct cc_err *err);

/*
 * Plan-review findings (cc_review_plan of plan) as one JSON object: { "plan": {name, …},
 * "errors", "warnings", "infos", "findings": [ … ] }, the same object as `concord review
 * --json`. Returns 0, CC_ENOMEM or CC_ETOOBIG.
 */
CC_API int cc_review_format_json(const struct cc_plan *plan, const struct cc_review_result *r,
                                 struct cc_buf *out, struct cc_err *err);

/*
 * Survey results (cc_survey_results_load of q) as `concord survey results --json` and
 * GET /api/survey: { "question", "label", "by", "confidence", "z", "min_neff", "method", "rule",
 * "cells": [ { "cell", "answered", "dont_know", "refused", "missing", "dont_know_share",
 * "refused_share", ["likert", "likert_change",] "estimates": [ { "answer", "count", "n",
 * "sum_w", "share", "lo", "hi", "n_eff", "deff", "small", ["clusters", "deff_kish", "icc",]
 * "note", "change" } ] } ] }. The rule states the method in words. Returns 0 or CC_ENOMEM.
 */
struct cc_survey_results_query;
struct cc_survey_results;
CC_API int cc_survey_format_json(const struct cc_survey_results_query *q,
                                 const struct cc_survey_results *r, struct cc_buf *out,
                                 struct cc_err *err);

/*
 * Cronbach's alpha (cc_survey_alpha_load) as `concord survey alpha --json` and
 * GET /api/survey/alpha: { "items": [ { "item", "variance" } ], "asked", "used", "dropped",
 * "sum_item_var", "total_var", "alpha", "note" }. Returns 0 or CC_ENOMEM.
 */
struct cc_survey_alpha_run;
CC_API int cc_survey_alpha_format_json(const struct cc_survey_alpha_run *a, struct cc_buf *out,
                                       struct cc_err *err);

/* One imported source, for the provenance section. Strings borrowed for the call. */
struct cc_report_source {
	const char *name;        /* "afg_3w_2021q3.csv" */
	const char *imported_at; /* ISO 8601 UTC; NULL or "" unknown */
	size_t rows;             /* records stored from it */
};

/*
 * What the map's areas are coloured by (`concord report --map-measure`): distinct activities or
 * organisations of the coverage; incidents in the period (as `concord exposure --by area`
 * counts them over the period's days); people in need (the largest figure among the area's
 * sectors, as `concord gaps` reports them: the same people are in need in several sectors); the
 * gap (the largest gap among the area's sectors in `concord gaps`).
 */
enum cc_map_measure {
	CC_MAP_ACTIVITIES = 0,
	CC_MAP_ORGANISATIONS,
	CC_MAP_INCIDENTS,
	CC_MAP_PEOPLE_IN_NEED,
	CC_MAP_GAP,
	CC_N_MAP_MEASURES
};
/* "activities", "organisations", "incidents", "people-in-need", "gap"; NULL out of range. */
CC_API const char *cc_map_measure_name(int m);
/* The measure named s (also "organizations", "pin"), or -1. */
CC_API int cc_map_measure_parse(const char *s);

/* One area of the map: its P-code and name and its stored boundary. Borrowed for the call. */
struct cc_report_area {
	const char *pcode;
	const char *name;
	const void *wkb; /* WKB Polygon or MultiPolygon (2D, Z, M or ZM; ISO or EWKB), wkb_len bytes */
	size_t wkb_len;
	/* the area's value for incidents, people in need and gap (the caller's); NAN or < 0 none.
	   Activities and organisations are read from the coverage row of the same P-code. */
	double value;
};

/* One survey question's results: cc_survey_tabulate with one cell per wave. Borrowed. */
struct cc_report_survey {
	const char *question; /* its name */
	const char *label;    /* its label, "" or NULL none */
	const struct cc_survey_table *table;
};

/* The dates of one activity; CC_DATE_NONE unknown. */
struct cc_report_span {
	int32_t start, end;
};

/*
 * Everything the review report shows. Later issues add sections here (indicators and progress,
 * incidents and exposure, gaps, survey results, lessons); a NULL or zero member omits its
 * section, so callers that do not know a section keep working.
 */
struct cc_report_input {
	struct cc_mission mission;
	const char *generated_on; /* borrowed; "2021-10-05": the library never reads the clock */
	const char *period;       /* borrowed; reporting period "FROM/TO" as given, NULL none */
	const char *generator;    /* borrowed; "concord 0.1.0", NULL omitted */

	/* coverage (3W): table and charts; NULL omits the section */
	const struct cc_coverage *coverage; /* borrowed */
	size_t top_areas;                   /* areas in the stacked bar chart; 0: 15 */

	/*
	 * map: the areas at the coverage's level, coloured by map_measure: distinct activities or
	 * organisations (the coverage row of the same P-code; 0 without one), else each area's
	 * value. Areas whose WKB is missing or not a polygon are left out; no drawable area omits
	 * the section. Drawn in the given order.
	 */
	const struct cc_report_area *map_areas; /* borrowed, n_map_areas */
	size_t n_map_areas;
	enum cc_map_measure map_measure; /* what colours the map (default activities) */
	const char *map_note; /* borrowed: how the caller counted the values, NULL none */

	/*
	 * lessons: listed in the given order (key, title, pillars, date, source); 0 omits the
	 * section unless all_sections. lessons_rule (borrowed, NULL: "lessons of this mission, or
	 * of the register on a pillar with activity here") says which lessons were chosen.
	 */
	const struct cc_lesson *lessons; /* borrowed, n_lessons */
	size_t n_lessons;
	const char *lessons_rule;
	/*
	 * true: the lessons and feedback sections are shown even when empty, with a line saying
	 * that none was recorded (in the period when period_set), rather than omitted
	 */
	bool all_sections;

	/* gaps: the first top_gaps rows of the ranking (0: 15); NULL or no row omits the section */
	const struct cc_gaps *gaps; /* borrowed */
	size_t top_gaps;

	/* incidents: first day of each incident (day numbers), counted per calendar month */
	const int32_t *incident_dates; /* borrowed, n_incidents; CC_DATE_NONE entries skipped */
	size_t n_incidents;

	/* provenance */
	const struct cc_report_source *sources; /* borrowed, n_sources entries */
	size_t n_sources;

	/*
	 * timeline: activities (their dates) and incidents (incident_dates above) per calendar
	 * month, per year when the range spans 36 months or more. The range is [period_from,
	 * period_to] when period_set, else that of the dated activities, else that of the
	 * incidents; what falls outside is not counted. An activity without a start is not placed
	 * (counted as undated); one without an end is taken to end when it starts. No span and
	 * no incident omits the section.
	 */
	const struct cc_report_span *activity_spans; /* borrowed, n_activity_spans */
	size_t n_activity_spans;
	bool period_set;
	int32_t period_from, period_to;

	/*
	 * indicators: one table row per progress result (at most 60), with the indicator's code,
	 * name and pillar from indicator_data, and a line chart of the observations with the
	 * baseline and target as dashed lines for the first 6 series with two or more values.
	 * Rows and charts take the series in this order: those with a baseline and a target (the
	 * benchmark lines), then the others, then those whose every observed value is 0 (computed
	 * counts of nothing); each group in the order of progress.
	 * The caller computes progress (the command: as of the latest observation, so that a
	 * review read years later is not all "stale"). NULL or no result omits the section.
	 */
	const struct cc_indicator_data *indicator_data; /* borrowed */
	const struct cc_progress_result *progress;      /* borrowed, n_progress */
	size_t n_progress;

	/*
	 * survey results: per question, each wave's share of each answer with its interval (as a
	 * table and an interval chart); no question omits the section
	 */
	const struct cc_report_survey *surveys; /* borrowed, n_surveys */
	size_t n_surveys;

	/*
	 * feedback themes: the counts of cc_store_count_feedback (category × area × month) summed
	 * per category, most items first, with the negative ones; no count omits the section
	 * unless all_sections
	 */
	const struct cc_feedback_count *feedback; /* borrowed, n_feedback */
	size_t n_feedback;

	/* plan-review findings (cc_review_plan of plan); NULL omits the section */
	const struct cc_plan *plan;             /* borrowed */
	const struct cc_review_result *review; /* borrowed */
};

/*
 * Appends the review of in as one HTML5 document to out. Returns 0, CC_ENOMEM, CC_ETOOBIG (the
 * document would exceed CC_LIMIT_REPORT) or CC_EINVALID (in->generated_on missing).
 */
CC_API int cc_report_html(const struct cc_report_input *in, struct cc_buf *out, struct cc_err *err);

/*
 * The same review as Markdown (CommonMark with GFM pipe tables) for wikis: the same sections in
 * the same order with the same figures; each chart becomes the table of its figures, the map
 * the list of its classes. Cells escape '|' and line breaks. Returns as cc_report_html.
 */
CC_API int cc_report_md(const struct cc_report_input *in, struct cc_buf *out, struct cc_err *err);

#endif
