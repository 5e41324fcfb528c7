/*
 * Roll-ups of indicator values to parent areas, by each indicator's aggregation rule. Pure: the
 * caller passes the indicator data (as cc_store_load_indicator_data returns it), the area tree
 * (struct cc_area with parent_id and population, -1 unknown) and gets one result per indicator ×
 * area × disaggregation. Nothing is imputed: a child without a value is listed as missing, a
 * child without a population (population-weighted mean) is listed apart and left out.
 *
 * The value of an area, for one indicator and one disaggregation (sex, age group):
 *	observed   its own latest non-missing observation with period_end <= at, if it has one
 *	           (an area's own figure wins over its children's);
 *	rolled up  else the indicator's rule over the values of its direct children that have one
 *	           (each child's value is itself observed or rolled up, recursively):
 *	             sum                       Σ v_c
 *	             mean                      Σ v_c / n
 *	             population_weighted_mean  Σ p_c v_c / Σ p_c over children with a population
 *	                                       (p_c: the child's own population); children with a
 *	                                       value and no population are listed in no_population
 *	             max                       the largest v_c (source names the child)
 *	             latest                    the value of the child with the most recent date;
 *	                                       a tie goes to the first P-code (source names it)
 *	none       when no child has a value.
 * Observations of the whole mission (area "") are not part of the area tree and are not rolled.
 * Disaggregations are rolled up separately: female values roll into female totals, never into
 * the all-sexes total.
 *
 * Missing children of a rolled-up value are its direct children without a value, plus the
 * missing children of each rolled-up child it used, so a gap two levels down still shows.
 */
#ifndef CONCORD_ROLLUP_H
#define CONCORD_ROLLUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/indicators.h>
#include <concord/model.h>

enum cc_rollup_how {
	CC_ROLLUP_NONE = 0, /* no value (population-weighted mean with no populations) */
	CC_ROLLUP_OBSERVED, /* the area's own observation */
	CC_ROLLUP_ROLLED,   /* the rule over its children */
};

/* "none", "observed", "rolled up". */
CC_API const char *cc_rollup_how_name(enum cc_rollup_how h);

struct cc_rollup_opts {
	int level;  /* results for areas of this admin level; -1 every level */
	int32_t at; /* observations with period_end <= at only; CC_DATE_NONE: all */
};

struct cc_rollup_result {
	size_t indicator;   /* index into data->indicators */
	size_t area;        /* index into areas */
	char sex[16];       /* "" total */
	char age_group[32]; /* "" total */
	enum cc_rollup_how how;
	double value;     /* NAN with CC_ROLLUP_NONE */
	int32_t date_min; /* dates of the observations behind the value */
	int32_t date_max;
	size_t n_children; /* direct children of the area in the tree */
	size_t n_used;     /* children whose value entered a rolled-up value */
	size_t source;     /* max and latest: index into areas of the child used; SIZE_MAX none */
	size_t *missing;   /* owned: indexes into areas, in P-code order per level */
	size_t n_missing;
	size_t *no_population; /* owned: population-weighted mean, children left out */
	size_t n_no_population;
};

struct cc_rollup {
	struct cc_rollup_result *results; /* owned: cc_rollup_release() */
	size_t n_results;
};

/*
 * Rolls up every indicator × disaggregation of data over the tree of areas (each area's parent
 * by parent_id; an unknown parent_id makes the area a root). Results are sorted by indicator,
 * sex, age group, then area P-code; only areas of opts->level with a value (or a reason for
 * none) appear. 0, CC_ENOMEM, or CC_EINVALID (an observation of an area not in areas, a
 * parent cycle); on error *out is empty.
 */
CC_API int cc_rollup_compute(const struct cc_indicator_data *data, const struct cc_area *areas,
                             size_t n_areas, const struct cc_rollup_opts *opts,
                             struct cc_rollup *out, struct cc_err *err);
CC_API void cc_rollup_release(struct cc_rollup *r);

#endif
