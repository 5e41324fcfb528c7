/*
 * Time series across a re-districting: values of areas carried through the crosswalk.
 *
 * The crosswalk (struct cc_crosswalk, include/concord/rounds.h) says that from a date on, a
 * share of an old area belongs to a new one. Every reader that shows values by area (indicator
 * observations and benchmarks, computed indicators, roll-ups, coverage in every reader of
 * cc_store_load_coverage, exposure by area) asks for one date, the date of the query; the
 * values are shown on the layout valid at that date:
 *
 *	- a value recorded for an area that a crosswalk row dated on or before the query date maps
 *	  onward is carried to the new areas by the shares, repeatedly (a new area may itself be
 *	  split later): a split gives each new area its share, a merge adds the old areas up;
 *	- crosswalk rows dated after the query date are not applied: for a date before the change
 *	  the old areas are shown as they were.
 *
 * How a value is carried depends on what it is (enum cc_cw_rule):
 *	count  a number of things or people (incidents, fatalities, people targeted or reached,
 *	       a summed indicator): multiplied by the share, summed per new area;
 *	rate   a ratio (per 100,000 people, a percentage, a mean): its numerator and denominator
 *	       are each multiplied by the share and summed per new area, and the rate recomputed
 *	       from the sums; rates are never averaged blindly;
 *	whole  a presence or a maximum (an activity working in the area, a severity): carried
 *	       whole onto every new area, the largest kept.
 *
 * Everything here is pure: arrays in, arrays out, no I/O.
 */
#ifndef CONCORD_CROSSWALK_H
#define CONCORD_CROSSWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/rounds.h>

enum cc_cw_rule {
	CC_CW_COUNT = 0,
	CC_CW_RATE,
	CC_CW_WHOLE,
};

/* "count", "rate", "whole" */
CC_API const char *cc_cw_rule_name(enum cc_cw_rule r);

/* One value of one area, as given to cc_crosswalk_map and as returned by it. */
struct cc_cw_item {
	int64_t area_id;
	int64_t key; /* the caller's grouping (a series, a period, a record): items of
	                different keys are never combined; one rule per key */
	enum cc_cw_rule rule;
	double num; /* the count, the rate's numerator or the whole value; NAN missing */
	double den; /* CC_CW_RATE: the denominator (NAN missing); else unused */
	/* set in the output: */
	size_t origin; /* index of the first input item that went into this one */
	bool carried;  /* part of it came through the crosswalk */
};

/*
 * Checks a crosswalk: both areas given and different, a date, each share in (0, 1], and the
 * shares of one old area on one date adding up to 1 within 1e-6. 0, or CC_EINVALID naming the
 * area and the date.
 */
CC_API int cc_crosswalk_check(const struct cc_crosswalk *cw, size_t n_cw, struct cc_err *err);

/*
 * Carries items onto the layout valid at date at (CC_DATE_NONE: every crosswalk row applies)
 * by the rules above. *out (owned, cc_free) holds one item per key and area, by key then area
 * id; for a rate the caller divides num by den. Missing parts (NAN) add nothing; a key and area
 * with no known part has NAN. 0, CC_EINVALID (cc_crosswalk_check, two rules in one key) or
 * CC_ENOMEM.
 */
CC_API int cc_crosswalk_map(const struct cc_crosswalk *cw, size_t n_cw, const struct cc_cw_item *in,
                            size_t n_in, int32_t at, struct cc_cw_item **out, size_t *n_out,
                            struct cc_err *err);

/*
 * Whether the area no longer exists on the layout of date at: a crosswalk row dated on or
 * before at maps it onward (and no later row maps an area back onto it).
 */
CC_API bool cc_crosswalk_retired(const struct cc_crosswalk *cw, size_t n_cw, int64_t area_id,
                                 int32_t at);

/*
 * Whether the area is on the layout of date at: not retired, and not created by a crosswalk
 * row dated after at (unless it existed before that row). Areas the crosswalk does not name
 * are on every layout.
 */
CC_API bool cc_crosswalk_on_layout(const struct cc_crosswalk *cw, size_t n_cw, int64_t area_id,
                                   int32_t at);

/*
 * The areas of the layout of date at that lie on the ground of area_id (for placing a point
 * recorded under it): the area itself when it is on that layout; for an area retired by at, the
 * areas the crosswalk rows up to at carried it to (repeatedly) that are on the layout; for an
 * area created after at, the areas of the layout it was made of. *out owned (cc_free), by id;
 * *n_out may be 0. 0 or CC_ENOMEM. Pure.
 */
CC_API int cc_crosswalk_layout_cover(const struct cc_crosswalk *cw, size_t n_cw, int64_t area_id,
                                     int32_t at, int64_t **out, size_t *n_out, struct cc_err *err);

/*
 * Coverage records carried onto the layout of date at: a record of an old area becomes one
 * record per new area, the activity counting whole in each (an activity that worked in the old
 * area is present in its parts), its people targeted and reached multiplied by the share.
 * *records is replaced (owned, cc_free). *n_carried counts the records (as given) that were
 * carried. Pure.
 */
CC_API int cc_crosswalk_coverage(const struct cc_crosswalk *cw, size_t n_cw, int32_t at,
                                 struct cc_coverage_record **records, size_t *n_records,
                                 size_t *n_carried, struct cc_err *err);

/*
 * The areas of the layout of date at, in place: those not on it (cc_crosswalk_on_layout) are
 * dropped, and an area without a population (<= 0) takes the shares of the populations of the
 * old areas it was made of (those given with one). *n_areas updated. 0, CC_EINVALID or
 * CC_ENOMEM. Pure.
 */
CC_API int cc_crosswalk_layout_areas(const struct cc_crosswalk *cw, size_t n_cw, int32_t at,
                                     struct cc_area *areas, size_t *n_areas, struct cc_err *err);

/* ---- through the store (src/store/store_rounds.c) ---- */

struct cc_store;
struct cc_exposure_incident;

/*
 * The crosswalk rows of the store (cc_store_list_crosswalk); *n_out 0 when the store has no
 * crosswalk (CC_EUNSUPPORTED is taken as none). *out owned (cc_free), may be NULL.
 */
CC_API int cc_store_crosswalk_rows(struct cc_store *st, struct cc_crosswalk **out, size_t *n_out,
                                   struct cc_err *err);

/*
 * cc_crosswalk_layout_areas with the store's crosswalk: for readers that list areas (rolling
 * up to parents, an index) after filling their populations. Nothing changes without one.
 */
CC_API int cc_store_layout_areas(struct cc_store *st, int32_t at, struct cc_area *areas,
                                 size_t *n_areas, struct cc_err *err);

/*
 * Incidents (cc_store_load_incidents) placed on the layout of date at, in place: an incident
 * filed under an area not on that layout (retired by then, or created later) goes to the area
 * of cc_crosswalk_layout_cover whose stored boundary covers its point; when none does (no
 * boundaries, a point outside them), to the nearest ancestor of its area on the layout, else to
 * no area. *n_placed and *n_above (either may be NULL) count the two. Nothing changes without
 * a crosswalk. 0, CC_EINVALID (a crosswalk that does not hold), CC_ENOMEM or the store's error.
 */
CC_API int cc_store_layout_incidents(struct cc_store *st, int32_t at,
                                     struct cc_exposure_incident *incidents, size_t n_incidents,
                                     size_t *n_placed, size_t *n_above, struct cc_err *err);

/*
 * The coverage read (cc_store_load_coverage's records and areas) carried onto the layout of
 * date at by cc_crosswalk_coverage; when records were carried, *areas (reallocated) becomes the
 * areas the records then refer to with their ancestors: the new areas in, the retired ones
 * out. Nothing changes when the store has no crosswalk. Applying it twice changes nothing more.
 * cc_store_load_coverage calls it for every reader (struct cc_coverage_query.layout).
 */
CC_API int cc_store_crosswalk_coverage(struct cc_store *st, int32_t at,
                                       struct cc_coverage_record **records, size_t *n_records,
                                       struct cc_area **areas, size_t *n_areas, size_t *n_carried,
                                       struct cc_err *err);

#endif
