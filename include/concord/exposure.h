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
 * Each site may have its own reference date (opts.per_site_at): its two windows are then
 * counted back from that date, as if it had been computed alone.
 *
 * Scale: incidents are bucketed in a latitude/longitude grid whose cells are half the radius
 * tall, each cell's incidents sorted by first day, and each site visits only the cells a
 * circle of the radius can reach (wrapping at ±180° longitude, every longitude near a pole)
 * and, in each, only the incidents whose days can meet its windows (binary search). The
 * distance test compares chords between unit vectors, which needs no trigonometry; a
 * candidate within a hair (a millionth of the radius) of the circle is decided by the
 * haversine itself, so results are exactly those of a brute-force haversine count, whatever
 * the number of threads (each site is computed by one thread, alone).
 */
#ifndef CONCORD_EXPOSURE_H
#define CONCORD_EXPOSURE_H

#include <stdbool.h>
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
	int32_t at;      /* this site's reference date when opts->per_site_at; else not read */
};

struct cc_exposure_opts {
	double radius_km; /* > 0; 0: 10 km */
	int window_days;  /* > 0; 0: 90 */
	int32_t at;       /* reference date (last day of the window); required unless
	                     per_site_at */
	bool per_site_at; /* each site's windows end at its own site.at instead of at */
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

/* A site of a sites file (cc_exposure_read_sites). */
struct cc_exposure_site_row {
	char label[64];
	double lat, lon;
	int32_t at; /* its reference date; CC_DATE_NONE when the row has none */
	long line;  /* in the file */
};

/*
 * Reads a CSV of sites, rows label,lat,lon[,date] (an optional header row, whose lat is not a
 * number, is skipped). The one reader here (src/io/exposure_sites.c); the rest of this header
 * does no I/O. *out owned (cc_free). CC_EIO, CC_EPARSE naming file, line and field, CC_ETOOBIG,
 * CC_ENOMEM.
 */
CC_API int cc_exposure_read_sites(const char *path, struct cc_exposure_site_row **out,
                                  size_t *n_out, struct cc_err *err);

/* ---- as every face runs it: the store, the analysis, the output (src/report/format_exposure.c) */

struct cc_store;
struct cc_buf;

enum cc_exposure_out {
	CC_EXPOSURE_TABLE = 0, /* aligned text with the rules as comments */
	CC_EXPOSURE_CSV,
	CC_EXPOSURE_JSON,
	CC_EXPOSURE_GEOJSON, /* RFC 7946: a Point per site, or each area's boundary */
};

/* Where each site's reference date comes from. */
enum cc_exposure_at {
	CC_EXPOSURE_AT_DATE = 0, /* one date for every site: at (or the latest incident) */
	CC_EXPOSURE_AT_START,    /* each activity's start date (activities without one: counted) */
	CC_EXPOSURE_AT_END,      /* each activity's end date */
	CC_EXPOSURE_AT_FILE,     /* the sites and dates of sites_path (rows without one: at) */
};

struct cc_exposure_query {
	int64_t mission_id;      /* whose activities are the sites */
	double radius_km;        /* 0: 10 */
	int days;                /* window length; 0: 90 */
	int32_t at;              /* the common reference date; CC_DATE_NONE: the latest incident */
	enum cc_exposure_at at_mode;
	const char *sites_path;  /* CC_EXPOSURE_AT_FILE: a CSV as cc_exposure_read_sites reads */
	bool by_area;            /* per area of level instead of per site (dates not per site) */
	int level;               /* admin level of the areas */
	bool all_precisions;     /* also the imprecise events (see `concord exposure --help`) */
};

/*
 * `concord exposure` and GET /api/exposure: reads the sites (the mission's activities, or the
 * sites file) and the incidents of their windows through st, for st's viewer (activities and
 * incidents the viewer may not see are left out; an exact site it may not see stands at its
 * area's centroid), computes the exposure and appends it to out in fmt. Returns 0,
 * CC_ENOTFOUND (no incidents stored and no at), CC_EUSAGE (a query that does not hold
 * together), the reader's or the store's error, CC_ENOMEM, CC_ETOOBIG (out's cap).
 */
CC_API int cc_exposure_format(struct cc_store *st, const struct cc_exposure_query *q,
                              enum cc_exposure_out fmt, struct cc_buf *out, struct cc_err *err);

#endif
