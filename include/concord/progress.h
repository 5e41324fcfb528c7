/*
 * Progress against benchmarks and robust trends (DOMAIN.md §2.1–2.4). Pure functions over plain
 * arrays: no store, no I/O; GSL's error handler is switched off so that it never aborts.
 *
 *	progress = (actual − baseline) / (target − baseline)      NAN ("n/a") when target = baseline
 *	expected = position of the latest actual's date on the line baseline → milestones → target,
 *	           clipped to [0, 1]
 *	ratio    = progress / expected
 *	status   = no_data (no actual after the baseline), stale (latest actual older than max_age:
 *	           opts, else 2 × the indicator's reporting period, else 180 days), on_track
 *	           (ratio ≥ on_track), at_risk (≥ at_risk), off_track; with expected = 0 on_track when
 *	           progress ≥ 0. "Lower is better" needs nothing special: target − baseline < 0.
 *	trend    = Theil–Sen slope and intercept, Mann–Kendall S, tie-corrected Var(S), continuity-
 *	           corrected Z, two-sided p: exact for n < 10 (Mahonian numbers without ties; with
 *	           ties, over the distinct arrangements of the observed values), else the normal
 *	           approximation. No verdict for n < 4.
 *	projected date: t* = (target − a) / b when b has the sign of target − baseline, "attained"
 *	           when the latest actual meets the target, else "not reached on current trend".
 *
 * Time is in days (cc_date day numbers) inside cc_progress_compute; the trend functions take any
 * unit.
 */
#ifndef CONCORD_PROGRESS_H
#define CONCORD_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/indicators.h>

#define CC_TREND_MIN_N 4    /* no verdict and no projection from fewer points */
#define CC_TREND_MAX_N 4096 /* pairwise slopes: n(n − 1)/2 of them */

enum cc_trend_dir {
	CC_TREND_TOO_FEW = 0, /* n < CC_TREND_MIN_N */
	CC_TREND_NONE,        /* p >= alpha: "no clear trend" */
	CC_TREND_INCREASING,
	CC_TREND_DECREASING,
};

struct cc_trend {
	size_t n;          /* points used */
	double slope;      /* Theil–Sen b per unit of t; NAN when n < 2 or all t equal */
	double intercept;  /* a = median(y − b t) */
	long s;            /* Mann–Kendall S */
	double var_s;      /* tie-corrected Var(S) */
	double z;          /* continuity-corrected */
	double p;          /* two-sided; NAN when n < CC_TREND_MIN_N */
	bool exact;        /* p from the exact distribution (n < 10, with or without ties) */
	bool ties;         /* some y values are tied */
	bool approximate;  /* n < 10 but the exact p could not be had (memory): normal, flagged */
	enum cc_trend_dir dir;
};

/*
 * Theil–Sen, Mann–Kendall and the verdict at alpha (0: 0.05) for (t[i], y[i]), i < n, in time
 * order. 0, CC_EINVALID (a NAN value), CC_ETOOBIG (n > CC_TREND_MAX_N) or CC_ENOMEM.
 */
CC_API int cc_trend_compute(const double *t, const double *y, size_t n, double alpha,
                            struct cc_trend *out, struct cc_err *err);
/*
 * The exact two-sided p of Mann–Kendall S for n untied values (1 <= n <= 12): the share of the
 * n! orderings with |S'| >= |S|. NAN when n is out of range.
 */
CC_API double cc_trend_exact_p(size_t n, long s);
/*
 * The exact two-sided p of S for the values y[0..n) with ties (1 <= n <= 9): the share of the
 * distinct arrangements of those values with |S'| >= |S| (all equally likely under H0). NAN when
 * n is out of range, a value is not a number, or memory runs out.
 */
CC_API double cc_trend_exact_p_values(const double *y, size_t n, long s);
/* "increasing", "decreasing", "no clear trend", "too few points". */
CC_API const char *cc_trend_dir_name(enum cc_trend_dir d);

enum cc_status {
	CC_STATUS_NA = 0,    /* no baseline or target, or target = baseline: progress "n/a" */
	CC_STATUS_NO_DATA,
	CC_STATUS_STALE,
	CC_STATUS_ON_TRACK,
	CC_STATUS_AT_RISK,
	CC_STATUS_OFF_TRACK,
};
/* "n/a", "no_data", "stale", "on_track", "at_risk", "off_track". */
CC_API const char *cc_status_name(enum cc_status s);

enum cc_projection {
	CC_PROJ_NONE = 0,     /* no target, or too few points (see trend.n) */
	CC_PROJ_ATTAINED,
	CC_PROJ_DATE,         /* projected_date holds the day */
	CC_PROJ_NOT_REACHED,  /* "not reached on current trend" */
};
CC_API const char *cc_projection_name(enum cc_projection p);

/* Where a threshold of the status rule came from, for the output to say. */
enum cc_rule_source {
	CC_RULE_DEFAULT = 0, /* DOMAIN.md §2.2's default */
	CC_RULE_MISSION,     /* the mission's setting (concord mission set) */
	CC_RULE_OPTION,      /* an option of this run (--on-track, ?on_track=, ...) */
};
/* "default", "mission", "option". */
CC_API const char *cc_rule_source_name(enum cc_rule_source s);

struct cc_progress_opts {
	double on_track;  /* ratio at or above: on track; 0: 0.90 */
	double at_risk;   /* ratio at or above: at risk; 0: 0.75 */
	double alpha;     /* trend significance; 0: 0.05 */
	int max_age_days; /* stale beyond; 0: 2 × reporting period, else 180 */
	int32_t at;       /* "today" for staleness; CC_DATE_NONE: the latest observation overall */
	/* where each threshold came from (cc_progress_opts_apply_rule); zero: the default */
	enum cc_rule_source from_on_track, from_at_risk, from_alpha, from_max_age;
};

/*
 * A mission's own status rule (DOMAIN.md §2.2: the defaults are configurable per mission), as
 * the store keeps it: each field 0 when the mission keeps the default.
 */
struct cc_status_rule {
	double on_track, at_risk, alpha;
	int max_age_days;
};

/*
 * The thresholds of one run: those already set in o (non-zero) are options of the run and stay;
 * the others come from the mission's rule (NULL: none), else the defaults (0.90, 0.75, 0.05,
 * max_age 0: 2 × the reporting period, else 180 days). Each from_* field records where its
 * threshold came from.
 */
CC_API void cc_progress_opts_apply_rule(struct cc_progress_opts *o,
                                        const struct cc_status_rule *mission);

struct cc_buf;
/*
 * The status rule of o as every output states it (src/report/format_progress.c). JSON:
 * {"on_track", "at_risk", "alpha", "max_age_days" (0: 2 x the reporting period, else 180),
 * "from": {"on_track", "at_risk", "alpha", "max_age_days": "default", "mission" or "option"}}.
 * Text, one line without its newline: "on_track if progress/expected >= 0.90 (default),
 * at_risk if >= 0.75 (default), off_track below; stale after 180 days or 2 x the indicator's
 * reporting period (default); trend alpha 0.05 (default)". 0 or the cc_buf error.
 */
CC_API int cc_progress_rule_json(const struct cc_progress_opts *o, struct cc_buf *b);
CC_API int cc_progress_rule_text(const struct cc_progress_opts *o, struct cc_buf *b);

/* Progress of one value; NAN when target = baseline or any input is NAN. */
CC_API double cc_progress_of(double actual, double baseline, double target);
/*
 * Expected progress at day t on the line through (dates[i], values[i]) for the n benchmark
 * points in date order (baseline first, target last, milestones between), each converted to
 * progress; clipped to [0, 1]. NAN when n < 2 or target = baseline.
 */
CC_API double cc_progress_expected(const int32_t *dates, const double *values, size_t n,
                                   int32_t t);
/* The status for a progress and expected value under opts' thresholds (not stale/no data). */
CC_API enum cc_status cc_progress_status(double progress, double expected,
                                         const struct cc_progress_opts *opts);

/* One result per indicator × area × disaggregation. Strings copied. */
struct cc_progress_result {
	size_t indicator;       /* index into data->indicators */
	char area[32];          /* P-code, "" the whole mission */
	char sex[16];           /* "" total */
	char age_group[32];
	size_t n_values;        /* observations with a value */
	size_t n_missing;       /* observations without one */
	int32_t latest_date;    /* CC_DATE_NONE: none */
	double latest_value;    /* NAN: none */
	double baseline, target;          /* NAN: no such benchmark */
	int32_t baseline_date, target_date;
	size_t n_milestones;
	double progress;        /* raw, may be < 0 or > 1; NAN n/a */
	double expected;        /* NAN n/a */
	double ratio;           /* NAN n/a */
	enum cc_status status;
	int max_age_days;       /* the staleness rule applied to this series */
	struct cc_trend trend;  /* t in days */
	enum cc_projection projection;
	int32_t projected_date; /* with CC_PROJ_DATE */
};

/*
 * Every series of data (sorted as cc_store_load_indicator_data returns it): a result for each
 * indicator × area × disaggregation with observations or benchmarks. *out owned (cc_free).
 * Benchmarks apply to the series with the same area and disaggregation only. 0, CC_ENOMEM or
 * CC_EINVALID (unsorted input).
 */
CC_API int cc_progress_compute(const struct cc_indicator_data *data,
                               const struct cc_progress_opts *opts,
                               struct cc_progress_result **out, size_t *n_out,
                               struct cc_err *err);

/*
 * Progress rolled up to pillars: per pillar × area, how the total series (no sex or age
 * breakdown) of the pillar's indicators stand, and the pillar's status there: the median of
 * the progress/expected ratios of the series judged on track, at risk or off track, under the
 * thresholds of the options (on track at or above on_track, at risk at or above at_risk, else
 * off track). Stale and no-data series are counted apart and never enter the median (DOMAIN
 * §2.2: stale is reported before progress is judged). A row none of whose series is judged
 * is stale when some are stale (no current value to judge), else no_data. A row
 * with area "*" sums the pillar over every area (the mission's own series included).
 * Results are added one computation at a time (an indicator at a time is fine), then finished.
 */
struct cc_pillar_progress {
	char pillar[32];      /* the indicators' pillar; "" for indicators without one */
	char area[32];        /* P-code, "" the mission as a whole, "*" every area */
	size_t n_series;      /* total series counted */
	size_t n_status[6];   /* by enum cc_status */
	size_t n_ratio;       /* judged series (not stale) with a progress/expected ratio */
	double median_ratio;  /* NAN when n_ratio = 0 */
	enum cc_status status;
};

struct cc_pillar_rollup {
	struct cc_pillar_item *items; /* one per total series added */
	size_t n_items, cap_items;
	struct cc_pillar_progress *rows; /* after cc_pillar_rollup_finish, sorted by pillar, area */
	size_t n_rows;
};

/* Adds the total series of results r[0..n) computed from data. 0 or CC_ENOMEM. */
CC_API int cc_pillar_rollup_add(struct cc_pillar_rollup *acc, const struct cc_indicator_data *data,
                                const struct cc_progress_result *r, size_t n,
                                struct cc_err *err);
/* Groups what was added into acc->rows under opts' thresholds. 0 or CC_ENOMEM. */
CC_API int cc_pillar_rollup_finish(struct cc_pillar_rollup *acc,
                                   const struct cc_progress_opts *opts, struct cc_err *err);
CC_API void cc_pillar_rollup_release(struct cc_pillar_rollup *acc);

#endif
