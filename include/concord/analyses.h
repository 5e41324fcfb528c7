/*
 * The analyses as every face runs them: their inputs read through the store, the analysis
 * computed. `concord gaps`, GET /api/gaps, `concord report` and GET /api/report call these,
 * so that the terminal and the API give the same answer for the same store.
 *
 * Every read goes through the handle, which reads for its viewer (cc_store_set_viewer): an
 * analysis run for a reader counts only the records that reader may see.
 */
#ifndef CONCORD_ANALYSES_H
#define CONCORD_ANALYSES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/buf.h>
#include <concord/coverage.h>
#include <concord/error.h>
#include <concord/gaps.h>
#include <concord/index.h>
#include <concord/indicators.h>
#include <concord/model.h>
#include <concord/review.h>
#include <concord/rollup.h>
#include <concord/store.h>
#include <concord/survey.h>

/* The records a gap ranking reads. */
struct cc_gaps_query {
	int64_t mission_id;
	int32_t from, to; /* the period the records overlap; CC_DATE_NONE open */
};

/*
 * Reads the needs, the coverage records (by pillar) and the budgets of the activities of the
 * period, and ranks the gaps under opts (cc_gaps_compute_ex). *out is owned by the caller
 * (cc_gaps_release) on success. Returns 0 or the store's or the analysis's error.
 */
CC_API int cc_gaps_load(struct cc_store *st, const struct cc_gaps_query *q,
                        const struct cc_gap_opts *opts, struct cc_gaps *out, struct cc_err *err);

/*
 * The mission's indicator data (one indicator, NULL all; observations up to at), every area with
 * its population for the year of at (the newest year not after it, else the earliest later
 * one; -1 none), and their roll-up to level (cc_rollup_compute). On success *data, *areas and
 * *out are the caller's (cc_indicator_data_release, cc_free, cc_rollup_release). An unknown
 * indicator is CC_ENOTFOUND.
 */
CC_API int cc_rollup_load(struct cc_store *st, int64_t mission_id, const char *indicator, int level,
                          int32_t at, struct cc_indicator_data *data, struct cc_area **areas,
                          size_t *n_areas, struct cc_rollup *out, struct cc_err *err);

/* A composite index as `concord index` computes it; every member owned. */
struct cc_index_run {
	struct cc_index_config c; /* the definition: read from the file, else the default */
	struct cc_indicator_data data;
	struct cc_area *areas; /* every area (sorted by P-code), populations filled */
	size_t n_areas;
	struct cc_rollup ru;         /* the indicators rolled up to level */
	struct cc_index_item *items; /* the index's items, then those the stage rules name */
	size_t n_items;
	size_t *unit; /* unit → index into areas */
	size_t n_units;
	size_t n_empty; /* areas of the level with no value of any item */
	double *raw;    /* n_units × n_items */
	struct cc_index_result r;
	int level;
	int32_t at;
};

/*
 * The index of the definition in the file config (NULL: every indicator with goalposts at
 * weight 1, arithmetic) over the mission's indicators rolled up to level (-1: the file's,
 * else 1) as of at: the units are the areas of the level with a total value of some item.
 * On success *out is the caller's (cc_index_run_release); on error it is released. err is
 * required. An indicator the definition names but the store lacks is CC_ENOTFOUND at its line.
 */
CC_API int cc_index_run(struct cc_store *st, int64_t mission_id, const char *config, int level,
                        int32_t at, struct cc_index_run *out, struct cc_err *err);
CC_API void cc_index_run_release(struct cc_index_run *x);

/* What a mission review report shows (the options of `concord report`). */
struct cc_report_query {
	const char *mission; /* code; NULL: the store's only mission */
	int level;           /* admin level of the coverage, the map and the gaps */
	enum cc_coverage_by by;
	int32_t from, to;          /* reporting period; CC_DATE_NONE open */
	const char *const *survey; /* questions tabulated by wave, at most 8 */
	size_t n_survey;
	const struct cc_plan *plan; /* borrowed; reviewed against the mission; NULL: no review */
	const char *generated_on;   /* "2021-10-05": the library never reads the clock */
	const char *generator;      /* "concord 0.1.0", NULL omitted */
	bool md;                    /* Markdown (cc_report_md) rather than HTML */
	int map_measure;            /* enum cc_map_measure of <concord/report.h>; 0 activities */
};

/*
 * Reads everything the review shows (coverage, map, lessons, gaps, incidents, the timeline,
 * progress, feedback themes, surveys, the plan's review) and appends the report to out
 * (cc_report_html or cc_report_md). Returns 0 or the error of the read, the analysis or the
 * formatter; out is unchanged on error.
 */
CC_API int cc_report_build(struct cc_store *st, const struct cc_report_query *q, struct cc_buf *out,
                           struct cc_err *err);

/* ---- survey results: `concord survey results` and GET /api/survey ---- */

/* How respondents are grouped into cells. */
enum cc_survey_by { CC_SURVEY_BY_ALL, CC_SURVEY_BY_AREA, CC_SURVEY_BY_GROUP, CC_SURVEY_BY_WAVE };

/* "all", "area", "group", "wave". */
CC_API const char *cc_survey_by_name(enum cc_survey_by by);

/* One question tabulated; strings borrowed for the call. */
struct cc_survey_results_query {
	int64_t mission_id;
	const char *question; /* required */
	const char *wave;     /* this wave only; NULL every wave */
	const char *group;    /* with CC_SURVEY_BY_GROUP: the question whose answer groups */
	const char *cluster;  /* a question naming each respondent's cluster; NULL none */
	enum cc_survey_by by;
	int level;    /* with CC_SURVEY_BY_AREA: the admin level of the cells */
	int likert_k; /* > 0: also the Likert index on 1..likert_k */
	bool reverse, multiple;
	double conf, min_neff;
};

struct cc_survey_results {
	struct cc_survey_data data; /* the question and its rows */
	struct cc_survey_table table;
	struct cc_survey_tab_opts opts; /* as tabulated (opts.clusters no longer valid) */
	bool clustered;                 /* the variance was linearised by cluster */
};

/*
 * Reads the question's answers (and the cluster question's) for the store's viewer, groups the
 * respondents into cells (areas and groups sorted by name, waves in import order) and tabulates
 * them (cc_survey_tabulate). *out is the caller's (cc_survey_results_release) on success.
 * Returns 0, CC_ENOTFOUND for an unknown question or wave, or the store's error.
 */
CC_API int cc_survey_results_load(struct cc_store *st, const struct cc_survey_results_query *q,
                                  struct cc_survey_results *out, struct cc_err *err);
CC_API void cc_survey_results_release(struct cc_survey_results *r);

/* Cronbach's alpha of a scale: `concord survey alpha` and GET /api/survey/alpha. */
#define CC_ALPHA_MAX_ITEMS 32
struct cc_survey_alpha_run {
	char items[CC_ALPHA_MAX_ITEMS][128];
	size_t k;
	size_t asked; /* respondents asked at least one of the items */
	double var[CC_ALPHA_MAX_ITEMS];
	struct cc_alpha alpha;
	int status;     /* 0, or why there is no alpha (cc_cronbach_alpha's error) */
	char note[256]; /* that error's message, "" none */
};

/*
 * Reads the answers to the comma-separated items (at most CC_ALPHA_MAX_ITEMS; wave NULL: every
 * wave) of the mission for the store's viewer and computes Cronbach's alpha over the
 * respondents asked any of them (those lacking an item are dropped). Returns 0 (an alpha that
 * cannot be computed is out->status and out->note, not an error), CC_EUSAGE naming "items" for
 * a bad list, CC_ENOTFOUND for an unknown item, or the store's error.
 */
CC_API int cc_survey_alpha_load(struct cc_store *st, int64_t mission_id, const char *items,
                                const char *wave, struct cc_survey_alpha_run *out,
                                struct cc_err *err);

#endif
