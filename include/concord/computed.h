/*
 * Computed indicators: observations derived from stored data, so that security and coverage
 * metrics need no manual entry. Built-in indicators (codes in cc_computed_defs()):
 *
 *	cc.incidents_per_100k  incidents starting in the period in the area (at or below it),
 *	                       × 100,000 / the area's population; lower is better. No population:
 *	                       no value (missing, never 0), listed in the result's warnings.
 *	cc.fatalities          the sum of the incidents' best fatality estimates (UCDP best, ACLED
 *	                       fatalities; an incident without one adds nothing); lower is better.
 *	cc.needs_covered       people reached in the period / people in need, as a percentage (at
 *	                       most 100): the intersectoral people in need of the area (its own
 *	                       figure, else the sum of its children's), and the people reached by
 *	                       activities overlapping the period, each organisation's figures added
 *	                       up and organisations combined by the largest (as `concord gaps`
 *	                       does by default). No people in need: no row. No activity with a
 *	                       reached figure: missing, never 0.
 *	cc.activities_<pillar> distinct activities running in the period (start ≤ period end and
 *	                       end ≥ period start; an open date is open), one per pillar.
 *
 * One value per area of the requested admin level × period (month, quarter or year, by the
 * calendar) between from and to. Records located below the level count for their ancestor at
 * the level; records above it or without an area are counted apart, never spread. Every value is
 * stored with source "computed"; recomputing replaces the earlier computed values of the areas
 * whose period ends in the range, whatever unit they were computed with, so that a series never
 * mixes months and years (see cc_store_replace_computed); it never duplicates.
 *
 * cc_computed_compute() is a pure function: no I/O, no store.
 */
#ifndef CONCORD_COMPUTED_H
#define CONCORD_COMPUTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/indicators.h>
#include <concord/model.h>
#include <concord/store.h>

#define CC_COMPUTED_SOURCE "computed"

enum cc_period_unit {
	CC_PERIOD_MONTH = 0,
	CC_PERIOD_QUARTER,
	CC_PERIOD_YEAR,
};

enum cc_computed_kind {
	CC_COMPUTED_INCIDENTS_PER_100K = 0,
	CC_COMPUTED_FATALITIES,
	CC_COMPUTED_NEEDS_COVERED,
	CC_COMPUTED_ACTIVITIES, /* one indicator per pillar */
};

/* A built-in indicator: its definition as stored, and what computes it. */
struct cc_computed_def {
	enum cc_computed_kind kind;
	int pillar;          /* enum cc_pillar for CC_COMPUTED_ACTIVITIES, else -1 */
	struct cc_indicator ind; /* code, name, pillar, unit, measure, direction, aggregation */
};

/* The built-in indicators (9 of them), in a fixed order. */
CC_API const struct cc_computed_def *cc_computed_defs(size_t *n_out);

/* "month", "quarter", "year"; parse: 0 or CC_EINVALID. */
CC_API const char *cc_period_unit_name(enum cc_period_unit u);
CC_API int cc_period_unit_parse(const char *s, enum cc_period_unit *out, struct cc_err *err);
/* The calendar period of unit containing day: its first and last day. */
CC_API void cc_period_bounds(enum cc_period_unit u, int32_t day, int32_t *start, int32_t *end);

struct cc_computed_incident {
	int64_t area_id;   /* 0: not placed */
	int32_t date;      /* first day */
	double fatalities; /* NAN: not given */
};

struct cc_computed_activity {
	int64_t activity_id;
	int64_t org_id;   /* 0: unknown (its figures count as one organisation of their own) */
	int64_t area_id;  /* 0: none */
	int pillar;       /* enum cc_pillar */
	int32_t start;    /* CC_DATE_NONE: open */
	int32_t end;
	double reached;   /* NAN: no figure */
};

/* An intersectoral total of people in need (the store's needs read, sector 0). */
struct cc_computed_need {
	int64_t area_id;
	double in_need; /* NAN: not given */
};

struct cc_computed_inputs {
	const struct cc_area *areas; /* every area (any level), population -1 when unknown */
	size_t n_areas;
	const struct cc_computed_incident *incidents;
	size_t n_incidents;
	const struct cc_computed_activity *activities;
	size_t n_activities;
	const struct cc_computed_need *needs;
	size_t n_needs;
};

struct cc_computed_opts {
	int level;                /* admin level of the areas; 0 or less: 1 */
	enum cc_period_unit unit;
	int32_t from, to;         /* the periods containing from … to; CC_DATE_NONE: the span of
	                             the incidents' and dated activities' days */
};

/* One computed value. */
struct cc_computed_value {
	size_t def;            /* index into cc_computed_defs() */
	int64_t area_id;
	char area[32];         /* P-code */
	int32_t period_start;
	int32_t period_end;
	double value;          /* NAN: missing (no population, no reached figure) */
};

struct cc_computed_result {
	struct cc_computed_value *values; /* owned; by def, area P-code, period */
	size_t n_values;
	int level;
	enum cc_period_unit unit;
	int32_t from, to;          /* first day of the first period, last day of the last */
	size_t n_periods;
	int64_t *no_population;    /* owned: areas at the level without a population */
	size_t n_no_population;
	size_t n_incidents_used;   /* placed at or below the level, inside the periods */
	size_t n_incidents_above;  /* placed above the level or not placed at all */
	size_t n_activities_above; /* activities above the level or without an area */
	size_t n_activities_undated; /* with neither date: counted in every period */
};

/*
 * Computes every built-in indicator for every area of the level and period. 0, CC_ENOMEM, or
 * CC_EINVALID (from after to, more than 1,200 periods, a record naming an unknown area).
 */
CC_API int cc_computed_compute(const struct cc_computed_inputs *in,
                               const struct cc_computed_opts *opts,
                               struct cc_computed_result *out, struct cc_err *err);
CC_API void cc_computed_release(struct cc_computed_result *r);

/* ---- store ---- */

/*
 * The mission's incidents of source ("ucdp", "acled"; NULL both) whose first day is within
 * from … to (CC_DATE_NONE open), and its activities with their pillars (visible to the store's
 * reader). Both arrays owned (cc_free).
 */
CC_API int cc_store_load_computed_inputs(struct cc_store *st, int64_t mission_id,
                                         const char *source, int32_t from, int32_t to,
                                         struct cc_computed_incident **incidents,
                                         size_t *n_incidents,
                                         struct cc_computed_activity **activities,
                                         size_t *n_activities, struct cc_err *err);

struct cc_computed_counts {
	size_t added, updated, unchanged, removed;
};

/*
 * Stores the result in one transaction: the built-in indicators (added or updated), each value
 * as an observation with source "computed", and removes the earlier computed observations of
 * those indicators for the result's areas at its level whose period ends within from … to and
 * that the result no longer has. Observations of other sources are never touched.
 */
CC_API int cc_store_replace_computed(struct cc_store *st, int64_t mission_id,
                                     const struct cc_computed_result *r,
                                     struct cc_computed_counts *counts, struct cc_err *err);

/* ---- the whole command: `concord indicators compute` and POST /api/indicators/compute ---- */

struct cc_computed_request {
	struct cc_computed_opts opts;
	/* "ucdp", "acled", or NULL for both when events_given; not given: UCDP when the store
	 * holds UCDP incidents, else ACLED (one source, so that an incident reported by both is
	 * not counted twice) */
	const char *events;
	bool events_given;
	bool dry_run; /* compute, store nothing */
};

/* What a run computed (every member owned; cc_computed_run_release). */
struct cc_computed_run {
	struct cc_computed_result r;
	struct cc_computed_counts counts; /* what was stored (all 0 on a dry run) */
	const char *events;               /* the source counted (static), NULL both */
	bool dry_run;
	struct cc_area *areas; /* every area, for P-codes of the warnings */
	size_t n_areas;
};

/*
 * Reads the inputs through the store's reader (an analysis run for a reader counts what it may
 * see), computes every built-in indicator and, unless dry_run or nothing was computed
 * (r.n_periods 0), stores them (cc_store_replace_computed). On error *out is released.
 */
CC_API int cc_computed_run(struct cc_store *st, int64_t mission_id,
                           const struct cc_computed_request *q, struct cc_computed_run *out,
                           struct cc_err *err);
CC_API void cc_computed_run_release(struct cc_computed_run *x);

/*
 * The run as JSON (`concord indicators compute --json`, POST /api/indicators/compute): the
 * level, unit, from, to, periods, events source, incidents counted, dry run, what was stored,
 * the warnings (areas without a population by P-code, records above the level, undated
 * activities) and every value {indicator, area, period_start, period_end, value (null:
 * missing)}, with a final newline.
 */
struct cc_buf;
CC_API int cc_computed_format_json(const struct cc_computed_run *x, struct cc_buf *out,
                                   struct cc_err *err);

#endif
