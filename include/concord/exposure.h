/*
 * Security exposure: how much violence happened near each site, and in each area, in a window
 * of days before a reference date. Pure functions over plain arrays: no I/O, no store.
 *
 * Distances are great-circle (haversine) on a sphere of radius CC_EARTH_RADIUS_KM. An incident
 * counts for a site when its distance is <= the radius (an incident exactly on the radius
 * counts). The window of D days up to a reference date AT is the days AT-D+1 … AT inclusive;
 * the previous window is AT-2D+1 … AT-D. A multi-day incident (UCDP date_start … date_end)
 * counts in every window its days overlap, with all of its fatalities: the fatalities of an
 * event cannot be split by day, and a site was exposed while the event lasted.
 *
 * Scale: incidents are bucketed in a latitude/longitude grid whose cells are at least the radius
 * tall, and each site visits only the cells a circle of the radius can reach (wrapping at
 * ±180° longitude, every longitude near a pole); exact distances are computed for those
 * candidates only, never for all pairs. Results are exactly those of the brute-force count,
 * whatever the number of threads (each site is computed by one thread, in the same order).
 */
#ifndef CONCORD_EXPOSURE_H
#define CONCORD_EXPOSURE_H

#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>

#define CC_EARTH_RADIUS_KM 6371.0088 /* mean Earth radius (IUGG), DOMAIN.md §2.10 */

/* One incident as the analysis sees it. */
struct cc_exposure_incident {
	double lat, lon;   /* WGS84 degrees */
	int32_t date;      /* first day (day number) */
	int32_t date_end;  /* last day, >= date (equal for one-day events) */
	double fatalities; /* best estimate; NAN or < 0 counts as 0 */
	int type;          /* index into the caller's list of event types, -1 unknown */
	int64_t area_id;   /* area the incident was placed in, 0 none */
};

struct cc_exposure_site {
	double lat, lon; /* WGS84 degrees */
};

struct cc_exposure_opts {
	double radius_km; /* > 0; 0: 10 km */
	int window_days;  /* > 0; 0: 90 */
	int32_t at;       /* reference date (last day of the window); required */
	int n_types;      /* incident types are 0 … n_types-1 */
	int threads;      /* sites are shared among this many threads; 0: the machine's cores
	                     (at most 8) when there are enough sites to pay, 1: this thread only */
};

/* What one site saw. */
struct cc_exposure_result {
	size_t n_now, n_prev;     /* incidents in the window and in the previous one */
	double fat_now, fat_prev; /* their fatalities */
	int dominant_type;        /* most frequent type in the window (lowest index on ties), -1 */
};

/* Great-circle distance in km between two WGS84 points (degrees), haversine formula. */
CC_API double cc_haversine_km(double lat1, double lon1, double lat2, double lon2);

/*
 * For each of the n_sites sites, the incidents within opts->radius_km in the window and the
 * previous window. incidents need not be sorted. out is an array of n_sites results filled by
 * the call (caller's memory). Returns 0, CC_EINVALID (a coordinate out of range, a bad option:
 * message names it), or CC_ENOMEM (out is then zeroed).
 */
CC_API int cc_exposure_sites(const struct cc_exposure_site *sites, size_t n_sites,
                             const struct cc_exposure_incident *incidents, size_t n_incidents,
                             const struct cc_exposure_opts *opts, struct cc_exposure_result *out,
                             struct cc_err *err);

/* An area for the per-area count. */
struct cc_exposure_area {
	int64_t id;
	int64_t parent_id;  /* 0 none; an incident counts in its area and every ancestor given */
	int64_t population; /* < 0 unknown */
};

struct cc_exposure_area_result {
	size_t n_now, n_prev;
	double fat_now, fat_prev;
	double rate_now; /* incidents per 100,000 people in the window; NAN: population unknown */
	double fat_rate_now;  /* fatalities per 100,000 people in the window; NAN likewise */
	double fat_rate_year; /* fat_rate_now annualised (× 365 / window_days); NAN likewise */
};

/*
 * Per area (out[i] for areas[i]): incidents and fatalities in the window and the previous one,
 * counted in the incident's area and each of its ancestors among areas (an area absent from
 * areas ends the climb), and the rates per 100,000 people where the population is known
 * (> 0). radius_km and n_types of opts are not used. Returns 0, CC_EINVALID, CC_ENOMEM.
 */
CC_API int cc_exposure_areas(const struct cc_exposure_area *areas, size_t n_areas,
                             const struct cc_exposure_incident *incidents, size_t n_incidents,
                             const struct cc_exposure_opts *opts,
                             struct cc_exposure_area_result *out, struct cc_err *err);

/* rate = count / population × 100,000 (DOMAIN.md §2.11); NAN when population <= 0. */
CC_API double cc_rate_per_100k(double count, double population);

#endif
