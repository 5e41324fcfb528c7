/*
 * Overlap: pairs of activities of different organisations that may duplicate each other.
 *
 * A pair is a candidate when the two activities (kind `activity` only: presence rows are never
 * duplicated effort; the store read returns no others)
 *   - belong to different organisations (reporting org_id differs);
 *   - have the same sector, or sectors of the same category (DAC-3 category of a DAC-5 code;
 *     a sector without a category is its own category), the latter scored lower; an activity
 *     without a sector (sector_id and category_id 0) is in no pair;
 *   - have overlapping date ranges (inclusive days); an activity without both dates is taken
 *     to overlap everything, and the pair says so (CC_OV_UNDATED);
 *   - are in the same area at the requested admin level (an area above that level is compared
 *     by itself), or both have sites within opts->distance_km (haversine, CC_OV_EARTH_R).
 *
 * Candidates are blocked, never found by comparing all pairs: by area key × category × time
 * bucket of CC_OV_BUCKET_DAYS (an activity sits in every bucket its dates touch; a pair is taken
 * in the bucket holding the later of the two start days only), and for sites by grid cell ×
 * category × time bucket, looking at the neighbouring cells a circle of the distance can reach.
 *
 * Score (each part in [0, 1]):
 *   text   TF-IDF cosine of title + description: tokens are cc_text_norm() split on spaces,
 *          tf = count in the activity, idf = ln((1 + N) / (1 + df)) + 1 over the N activities
 *          given (the mission's), vectors normalised to length 1;
 *   dates  overlap days / union days (0 when a date is missing);
 *   place  1 for the same area, 0.5 for the same area at the level only, and for two sites
 *          1 − d / distance when that is larger;
 *   people min / max of people targeted (else reached) when both are > 0, else 0;
 *   score = factor × (0.5 text + 0.2 dates + 0.2 place + 0.1 people),
 *   factor = 1 for the same sector, CC_OV_CATEGORY_FACTOR for the same category only.
 *
 * cc_overlap_compute() is pure: no I/O, no store.
 */
#ifndef CONCORD_OVERLAP_H
#define CONCORD_OVERLAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>

#define CC_OV_LEVELS          6         /* admin levels 0 … 5 */
#define CC_OV_BUCKET_DAYS     365       /* width of a time bucket */
#define CC_OV_EARTH_R         6371.0088 /* km */
#define CC_OV_CATEGORY_FACTOR 0.75

#define CC_OV_W_TEXT   0.5
#define CC_OV_W_DATES  0.2
#define CC_OV_W_PLACE  0.2
#define CC_OV_W_PEOPLE 0.1

struct cc_store;

/* One activity as the analysis reads it. Strings are borrowed (the store read owns them). */
struct cc_overlap_activity {
	int64_t id;
	int64_t org_id;
	int64_t impl_org_id;        /* 0 none */
	int64_t sector_id;          /* 0 none */
	int64_t category_id;        /* 0: the sector is its own category */
	int64_t area_id;            /* 0 none */
	int area_level;             /* level of area_id */
	int64_t path[CC_OV_LEVELS]; /* ancestor (or itself) at each level, 0 none */
	int32_t start, end;         /* CC_DATE_NONE unknown */
	double lat, lon;            /* NAN when no site */
	double targeted, reached;   /* NAN when absent */
	const char *title;          /* "" none */
	const char *description;    /* "" none */
	const char *org;            /* acronym or name, for display */
	const char *sector;         /* sector code, for display */
	const char *pcode;          /* area P-code, for display */
};

/* What the store read returns: activities and the text they point into. */
struct cc_overlap_input {
	struct cc_overlap_activity *acts; /* owned, by id */
	size_t n;
	char *text; /* owned: the strings */
};

struct cc_overlap_opts {
	double distance_km; /* sites within this distance match; 0: places by area only */
	double min_score;   /* pairs below are not returned */
	int level;          /* admin level of "same area", 0 … 5 */
};

enum {
	CC_OV_SAME_SECTOR = 1 << 0,   /* else the same category only */
	CC_OV_SAME_AREA = 1 << 1,     /* the same area itself */
	CC_OV_SAME_AREA_LVL = 1 << 2, /* the same area at the level */
	CC_OV_NEAR = 1 << 3,          /* sites within the distance */
	CC_OV_UNDATED = 1 << 4,       /* at least one has no dates: assumed overlapping */
	CC_OV_SAME_IMPL = 1 << 5,     /* the same implementing partner */
};

struct cc_overlap_pair {
	size_t a, b;          /* indices into the input, acts[a].id < acts[b].id */
	unsigned facts;       /* CC_OV_* */
	int32_t overlap_days; /* -1 unknown (undated) */
	double distance_km;   /* NAN when not both have sites */
	double text, dates, place, people, factor;
	double score;
};

struct cc_overlap {
	struct cc_overlap_opts opts;
	struct cc_overlap_pair *pairs; /* owned: by score (desc), then ids */
	size_t n_pairs;
	size_t n_candidates; /* pairs that met the conditions, before min_score */
	size_t n_activities;
	size_t n_undated;               /* activities without both dates */
	/* seconds of each pass, wall clock (CLOCK_MONOTONIC), not CPU time: on a busy machine
	 * they include the time other processes took */
	double t_candidates, t_scoring;
};

/*
 * Computes the candidate pairs and their scores. Returns 0, CC_ENOMEM, CC_EINVALID (bad
 * options), or CC_EPARSE (a text is not UTF-8); on error *out is empty.
 */
CC_API int cc_overlap_compute(const struct cc_overlap_activity *acts, size_t n,
                              const struct cc_overlap_opts *opts, struct cc_overlap *out,
                              struct cc_err *err);
CC_API void cc_overlap_release(struct cc_overlap *o);

/* Great-circle distance in km on a sphere of radius CC_OV_EARTH_R. */
CC_API double cc_overlap_km(double lat1, double lon1, double lat2, double lon2);

/* The mission's activities of kind `activity`, by id. 0 or an error; *out empty on error. */
CC_API int cc_store_load_overlap(struct cc_store *st, int64_t mission_id,
                                 struct cc_overlap_input *out, struct cc_err *err);
CC_API void cc_overlap_input_release(struct cc_overlap_input *in);

#endif
