/*
 * Security exposure as every face runs it (see cc_exposure_format in <concord/exposure.h>):
 * the sites and incidents read through the store handle, for its viewer, the analysis of
 * src/analysis/exposure.c, and the table, CSV, JSON or GeoJSON of `concord exposure`, which
 * GET /api/exposure answers too.
 */
#include <concord/exposure.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/crosswalk.h>
#include <concord/events.h>
#include <concord/geojson.h>
#include <concord/model.h>
#include <concord/needs.h>
#include <concord/store.h>
#include <concord/text.h>

#include "core/banned.h"

#define F_TABLE   CC_EXPOSURE_TABLE
#define F_CSV     CC_EXPOSURE_CSV
#define F_JSON    CC_EXPOSURE_JSON
#define F_GEOJSON CC_EXPOSURE_GEOJSON
#define AT_FIXED  CC_EXPOSURE_AT_DATE
#define AT_START  CC_EXPOSURE_AT_START
#define AT_END    CC_EXPOSURE_AT_END
#define AT_FILE   CC_EXPOSURE_AT_FILE

/* The query with its defaults filled in, and the output format. */
struct xargs {
	double radius_km;
	int days;
	int32_t at; /* the common date (AT_FIXED, and rows of a sites file without one) */
	enum cc_exposure_at at_mode;
	const char *sites_path;
	bool by_area;
	int level;
	bool all_prec;
	enum cc_exposure_out fmt;
};

/* A distinct site and the activities located at it. */
struct site {
	double lat, lon;
	int how;
	char label[64]; /* "34.5553 69.2075", the P-code of the centroid's area, or the file's */
	int32_t at;     /* its reference date */
	size_t n_acts;
	struct cc_exposure_result r;
};

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->r.n_now != y->r.n_now)
		return x->r.n_now > y->r.n_now ? -1 : 1;
	if (x->r.fat_now != y->r.fat_now)
		return x->r.fat_now > y->r.fat_now ? -1 : 1;
	if (strcmp(x->label, y->label))
		return strcmp(x->label, y->label);
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Same kind of site at the same point with the same date: one site. */
static int cmp_site_key(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->how != y->how)
		return x->how - y->how;
	if (x->lat != y->lat)
		return x->lat < y->lat ? -1 : 1;
	if (x->lon != y->lon)
		return x->lon < y->lon ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return strcmp(x->label, y->label);
}

static const char *at_rule(const struct xargs *a)
{
	switch (a->at_mode) {
	case AT_START:
		return "each activity's start date";
	case AT_END:
		return "each activity's end date";
	case AT_FILE:
		return "each site's date in the sites file";
	case AT_FIXED:
		break;
	}
	return "one date for all sites";
}

static void fmt_num(char *b, size_t n, double v)
{
	if (isnan(v))
		snprintf(b, n, "%s", "");
	else
		cc_fmt_fixed(b, n, v, v == floor(v) && fabs(v) < 1e15 ? 0 : 2);
}

static void window_text(struct cc_buf *o, const struct xargs *a, const char *prec)
{
	char d0[11], d1[11], p0[11], p1[11];

	if (a->at_mode != AT_FIXED) {
		cc_buf_addf(o,
		            "# window: the %d days up to each site's reference date (%s), and the "
		            "%d days before\n"
		            "# rule: an incident counts in each window its days overlap (multi-day "
		            "events with all their fatalities)\n"
		            "# precision: %s\n",
		            a->days, at_rule(a), a->days, prec);
		return;
	}

	cc_date_format(a->at - a->days + 1, d0);
	cc_date_format(a->at, d1);
	cc_date_format(a->at - 2 * a->days + 1, p0);
	cc_date_format(a->at - a->days, p1);
	cc_buf_addf(o,
	            "# window: %d days, %s to %s; previous: %s to %s\n"
	            "# rule: an incident counts in each window its days overlap (multi-day events "
	            "with all their fatalities)\n"
	            "# precision: %s\n",
	            a->days, d0, d1, p0, p1, prec);
}

/* The window, precision and counts of a by-site result as JSON members, without braces. */
static int add_sites_head(struct cc_buf *o, const struct xargs *a, const char *prec, size_t n_inc,
                          size_t n_unplaced, size_t n_undated)
{
	char d[11];
	int ret = a->at_mode == AT_FIXED
	                  ? cc_buf_addf(o, "\"radius_km\": %g, \"days\": %d, \"at\": \"%s\", ",
	                                a->radius_km, a->days, cc_date_format(a->at, d))
	                  : cc_buf_addf(o,
	                                "\"radius_km\": %g, \"days\": %d, \"at\": \"per site\", "
	                                "\"at_rule\": \"%s\", ",
	                                a->radius_km, a->days, at_rule(a));

	if (ret == 0)
		ret = cc_buf_adds(o, "\"precision\": ");
	if (ret == 0)
		ret = cc_buf_add_json_str(o, prec);
	if (ret == 0)
		ret = cc_buf_addf(o, ", \"incidents_read\": %zu, \"activities_without_site\": %zu",
		                  n_inc, n_unplaced);
	if (ret == 0 && (a->at_mode == AT_START || a->at_mode == AT_END))
		ret = cc_buf_addf(o, ", \"activities_without_date\": %zu", n_undated);
	return ret;
}

/* One site as a JSON object (the --json row and the --geojson properties). */
static int add_site_json(struct cc_buf *o, const struct xargs *a, const struct site *s,
                         char (*types)[64], size_t n_types)
{
	char d[11];
	const struct cc_exposure_result *r = &s->r;
	int ret = cc_buf_adds(o, "{\"site\": ");

	if (ret == 0)
		ret = cc_buf_add_json_str(o, s->label);
	if (ret == 0)
		ret = cc_buf_addf(o,
		                  ", \"placed\": \"%s\", \"lat\": %.6f, \"lon\": %.6f, "
		                  "\"activities\": %zu, \"incidents\": %zu, \"fatalities\": %g, "
		                  "\"prev_incidents\": %zu, \"prev_fatalities\": %g, "
		                  "\"change\": %ld, \"dominant_type\": ",
		                  s->how == CC_PLACE_POINT ? "point" : "area centroid", s->lat,
		                  s->lon, s->n_acts, r->n_now, r->fat_now, r->n_prev, r->fat_prev,
		                  (long)r->n_now - (long)r->n_prev);
	if (ret == 0)
		ret = r->dominant_type >= 0 && (size_t)r->dominant_type < n_types
		              ? cc_buf_add_json_str(o, types[r->dominant_type])
		              : cc_buf_adds(o, "null");
	if (ret == 0 && a->at_mode != AT_FIXED)
		ret = cc_buf_addf(o, ", \"at\": \"%s\"", cc_date_format(s->at, d));
	if (ret == 0)
		ret = cc_buf_addch(o, '}');
	return ret;
}

static int out_sites(struct cc_buf *o, const struct xargs *a, struct site *s, size_t n,
                     char (*types)[64], size_t n_types, size_t n_unplaced, size_t n_undated,
                     size_t n_inc, const char *prec, struct cc_err *err)
{
	char f1[32], f2[32], d[11];
	bool per_site = a->at_mode != AT_FIXED;
	int ret = 0;

	qsort(s, n, sizeof(*s), cmp_site);
	if (a->fmt == F_GEOJSON) {
		struct cc_geojson gj;

		/* one Point per site (its own point or its area's centroid, as "placed" says) */
		ret = cc_geojson_begin(&gj, o, NULL);
		if (ret == 0)
			ret = cc_buf_addch(o, ',');
		if (ret == 0)
			ret = add_sites_head(o, a, prec, n_inc, n_unplaced, n_undated);
		for (size_t i = 0; i < n && ret == 0; i++) {
			ret = cc_geojson_feature(&gj);
			if (ret == 0)
				ret = cc_geojson_point(&gj, s[i].lat, s[i].lon);
			if (ret == 0)
				ret = cc_geojson_properties(&gj);
			if (ret == 0)
				ret = add_site_json(o, a, &s[i], types, n_types);
			if (ret == 0)
				ret = cc_geojson_feature_end(&gj);
		}
		if (ret == 0)
			ret = cc_geojson_end(&gj);
		cc_geojson_release(&gj);
		if (ret < 0)
			return cc_err_set(err, ret, "cannot format the result");
		return 0;
	}
	if (a->fmt == F_JSON) {
		ret = cc_buf_addch(o, '{');
		if (ret == 0)
			ret = add_sites_head(o, a, prec, n_inc, n_unplaced, n_undated);
		if (ret == 0)
			ret = cc_buf_adds(o, ", \"sites\": [");
		for (size_t i = 0; i < n && ret == 0; i++) {
			ret = cc_buf_adds(o, i ? ",\n " : "\n ");
			if (ret == 0)
				ret = add_site_json(o, a, &s[i], types, n_types);
		}
		if (ret == 0)
			ret = cc_buf_adds(o, "\n]}\n");
		if (ret < 0)
			return cc_err_set(err, ret, "cannot format the result");
		return 0;
	}
	if (a->fmt == F_TABLE) {
		cc_buf_addf(o,
		            "# incidents within %g km of each activity site (great circle, an "
		            "incident on the radius counts)\n",
		            a->radius_km);
		window_text(o, a, prec);
		cc_buf_addf(o,
		            "# %zu incidents read; %zu activities have no site (no point and no "
		            "area geometry)\n",
		            n_inc, n_unplaced);
		if (a->at_mode == AT_START || a->at_mode == AT_END)
			cc_buf_addf(o, "# %zu activities have no such date and are not listed\n",
			            n_undated);
		cc_buf_addf(o, "%-24s %-14s %5s %9s %10s %9s %10s %7s  ", "site", "placed",
		            "acts", "incidents", "fatalities", "prev_inc", "prev_fatal", "change");
		cc_buf_addf(o, per_site ? "%-20s at\n" : "%s\n", "dominant type");
	} else {
		cc_buf_addf(o, "site,placed,lat,lon,activities,incidents,fatalities,prev_incidents,"
		               "prev_fatalities,change,dominant_type%s\n",
		            per_site ? ",at" : "");
	}
	for (size_t i = 0; i < n; i++) {
		const struct cc_exposure_result *r = &s[i].r;
		const char *t = r->dominant_type >= 0 && (size_t)r->dominant_type < n_types
		                        ? types[r->dominant_type]
		                        : "";
		const char *how = s[i].how == CC_PLACE_POINT ? "point" : "area centroid";

		fmt_num(f1, sizeof(f1), r->fat_now);
		fmt_num(f2, sizeof(f2), r->fat_prev);
		if (per_site)
			cc_date_format(s[i].at, d);
		if (a->fmt == F_TABLE) {
			cc_buf_addf(o, "%-24s %-14s %5zu %9zu %10s %9zu %10s %+7ld  ", s[i].label,
			            how, s[i].n_acts, r->n_now, f1, r->n_prev, f2,
			            (long)r->n_now - (long)r->n_prev);
			if (per_site)
				cc_buf_addf(o, "%-20s %s\n", t, d);
			else
				cc_buf_addf(o, "%s\n", t);
		} else {
			cc_buf_add_csv(o, s[i].label);
			cc_buf_addch(o, ',');
			cc_buf_adds(o, how);
			cc_buf_addch(o, ',');
			cc_buf_add_fixed(o, s[i].lat, 6);
			cc_buf_addch(o, ',');
			cc_buf_add_fixed(o, s[i].lon, 6);
			cc_buf_addf(o, ",%zu,%zu,%s,%zu,%s,%ld,", s[i].n_acts, r->n_now, f1, r->n_prev,
			            f2, (long)r->n_now - (long)r->n_prev);
			cc_buf_add_csv(o, t);
			if (per_site)
				cc_buf_addf(o, ",%s", d);
			cc_buf_addch(o, '\n');
		}
	}
	return 0;
}

/* "lat lon" with four decimals, as "%.4f %.4f" would write it, without printf's slow path */
static void point_label(char *b, size_t n, double lat, double lon)
{
	char la[32], lo[32];

	cc_fmt_fixed(la, sizeof(la), lat, 4);
	cc_fmt_fixed(lo, sizeof(lo), lon, 4);
	snprintf(b, n, "%s %s", la, lo);
}

/* The box that holds every point within radius of a site; in_bbox false when it wraps. */
static void sites_box(const struct site *s, size_t n, double radius_km, struct cc_incident_query *q)
{
	double r_deg = radius_km / (CC_EARTH_RADIUS_KM * M_PI / 180) + 1e-6;
	double minlat = 90, maxlat = -90, minlon = 180, maxlon = -180, dlon;

	for (size_t i = 0; i < n; i++) {
		minlat = fmin(minlat, s[i].lat);
		maxlat = fmax(maxlat, s[i].lat);
		minlon = fmin(minlon, s[i].lon);
		maxlon = fmax(maxlon, s[i].lon);
	}
	q->in_bbox = false;
	if (n == 0 || maxlat + r_deg >= 90 || minlat - r_deg <= -90)
		return;
	dlon = asin(fmin(1, sin(r_deg * M_PI / 180) /
	                            cos(fmax(fabs(minlat), fabs(maxlat)) * M_PI / 180 +
	                                r_deg * M_PI / 180))) *
	               180 / M_PI +
	       1e-6;
	if (minlon - dlon <= -180 || maxlon + dlon >= 180)
		return;
	q->in_bbox = true;
	q->minlat = minlat - r_deg;
	q->maxlat = maxlat + r_deg;
	q->minlon = minlon - dlon;
	q->maxlon = maxlon + dlon;
}

/* The sites of a sites file, one per row (rows without a date take the common one). */
static int file_sites(const struct xargs *a, struct site **out, size_t *n_out, struct cc_err *err)
{
	struct cc_exposure_site_row *rows = NULL;
	struct site *sites;
	size_t n = 0;
	int ret;

	if ((ret = cc_exposure_read_sites(a->sites_path, &rows, &n, err)) < 0)
		return ret;
	sites = cc_calloc(n ? n : 1, sizeof(*sites));
	if (!sites) {
		cc_free(rows);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		sites[i].lat = rows[i].lat;
		sites[i].lon = rows[i].lon;
		sites[i].how = CC_PLACE_POINT;
		sites[i].at = rows[i].at != CC_DATE_NONE ? rows[i].at : a->at;
		sites[i].n_acts = 1;
		snprintf(sites[i].label, sizeof(sites[i].label), "%s", rows[i].label);
	}
	cc_free(rows);
	*out = sites;
	*n_out = n;
	return 0;
}

/* The sites of the mission's activities, each with the reference date of a->at_mode. */
static int activity_sites(struct cc_store *st, const struct xargs *a, int64_t mission_id,
                          struct site **out, size_t *n_out, size_t *n_unplaced,
                          size_t *n_undated, struct cc_err *err)
{
	struct cc_exposure_place *pl = NULL;
	struct site *sites;
	size_t n_pl = 0, n = 0;
	int ret;

	if ((ret = cc_store_load_exposure_places(st, mission_id, &pl, &n_pl, err)) < 0)
		return ret;
	sites = cc_calloc(n_pl ? n_pl : 1, sizeof(*sites));
	if (!sites) {
		cc_free(pl);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n_pl; i++) {
		struct site *s = &sites[n];
		int32_t at = a->at_mode == AT_START ? pl[i].start_date
		             : a->at_mode == AT_END ? pl[i].end_date
		                                    : a->at;

		if (pl[i].how == CC_PLACE_NONE) {
			(*n_unplaced)++;
			continue;
		}
		if (at == CC_DATE_NONE) {
			(*n_undated)++;
			continue;
		}
		s->lat = pl[i].lat;
		s->lon = pl[i].lon;
		s->how = pl[i].how;
		s->at = at;
		s->n_acts = 1;
		if (s->how == CC_PLACE_POINT)
			point_label(s->label, sizeof(s->label), s->lat, s->lon);
		else
			snprintf(s->label, sizeof(s->label), "%s", pl[i].centroid_of);
		n++;
	}
	cc_free(pl);
	*out = sites;
	*n_out = n;
	return 0;
}

/* Merges equal sites (same kind, point, date and label) counting their activities. */
static size_t merge_sites(struct site *s, size_t n)
{
	size_t m = 0;

	if (n == 0)
		return 0;
	qsort(s, n, sizeof(*s), cmp_site_key);
	for (size_t i = 1; i < n; i++) {
		if (cmp_site_key(&s[m], &s[i]) == 0)
			s[m].n_acts += s[i].n_acts;
		else
			s[++m] = s[i];
	}
	return m + 1;
}

static int by_site(struct cc_store *st, const struct xargs *a, int64_t mission_id,
                   struct cc_buf *o, struct cc_err *err)
{
	struct cc_incident_query q = { .from = a->at - 2 * a->days + 1, .to = a->at };
	struct cc_exposure_incident *inc = NULL;
	struct cc_exposure_site *xs = NULL;
	struct cc_exposure_result *res = NULL;
	struct site *sites = NULL;
	char(*types)[64] = NULL;
	size_t n_inc = 0, n_types = 0, n_sites = 0, n_unplaced = 0, n_undated = 0;
	const char *prec = a->all_prec ? "all precisions"
	                               : "ACLED geo_precision 1-2, UCDP where_prec 1-3 "
	                                 "(--all-precisions for all)";
	int ret;

	ret = a->at_mode == AT_FILE ? file_sites(a, &sites, &n_sites, err)
	                            : activity_sites(st, a, mission_id, &sites, &n_sites, &n_unplaced,
	                                             &n_undated, err);
	if (ret < 0)
		goto out_free;
	n_sites = merge_sites(sites, n_sites);
	for (size_t i = 0; i < n_sites; i++) {
		if (sites[i].at < INT32_MIN / 4 || sites[i].at > INT32_MAX / 4) {
			ret = cc_err_set(err, CC_EINVALID, "site '%s' has no usable reference date",
			                 sites[i].label);
			goto out_free;
		}
		if (i == 0 || sites[i].at - 2 * a->days + 1 < q.from)
			q.from = sites[i].at - 2 * a->days + 1;
		if (i == 0 || sites[i].at > q.to)
			q.to = sites[i].at;
	}
	sites_box(sites, n_sites, a->radius_km, &q);
	if (!a->all_prec) {
		q.max_geo_prec_acled = 2;
		q.max_geo_prec_ucdp = 3;
	}
	if ((ret = cc_store_load_incidents(st, &q, &inc, &n_inc, &types, &n_types, err)) < 0)
		goto out_free;
	xs = cc_calloc(n_sites ? n_sites : 1, sizeof(*xs));
	res = cc_calloc(n_sites ? n_sites : 1, sizeof(*res));
	if (!xs || !res) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < n_sites; i++)
		xs[i] = (struct cc_exposure_site){ .lat = sites[i].lat,
			                           .lon = sites[i].lon,
			                           .at = sites[i].at };
	ret = cc_exposure_sites(xs, n_sites, inc, n_inc,
	                        &(struct cc_exposure_opts){ .radius_km = a->radius_km,
	                                                    .window_days = a->days,
	                                                    .at = a->at,
	                                                    .per_site_at = true,
	                                                    .n_types = (int)n_types },
	                        res, err);
	if (ret < 0)
		goto out_free;
	for (size_t i = 0; i < n_sites; i++)
		sites[i].r = res[i];
	ret = out_sites(o, a, sites, n_sites, types, n_types, n_unplaced, n_undated, n_inc, prec,
	                err);
out_free:
	cc_free(inc);
	cc_free(types);
	cc_free(xs);
	cc_free(res);
	cc_free(sites);
	return ret;
}

static int year_of(int32_t day)
{
	int y, m, d;

	cc_date_to_ymd(day, &y, &m, &d);
	return y;
}

/* One area's row as a JSON object (the --json row and the --geojson properties). */
static int add_area_json(struct cc_buf *o, const struct cc_area *area,
                         const struct cc_exposure_area_result *r, const char *f1, const char *f2,
                         const char *pop, const char *r1, const char *r2, const char *r3)
{
	int ret = cc_buf_adds(o, "{\"pcode\": ");

	if (ret == 0)
		ret = cc_buf_add_json_str(o, area->pcode);
	if (ret == 0)
		ret = cc_buf_adds(o, ", \"name\": ");
	if (ret == 0)
		ret = cc_buf_add_json_str(o, area->name);
	if (ret == 0)
		ret = cc_buf_addf(o,
		                  ", \"incidents\": %zu, \"fatalities\": %s, \"prev_incidents\": "
		                  "%zu, \"prev_fatalities\": %s, ",
		                  r->n_now, f1, r->n_prev, f2);
	if (ret == 0 && area->population > 0)
		ret = cc_buf_addf(o,
		                  "\"population\": %s, \"incidents_per_100k\": %s, "
		                  "\"fatalities_per_100k\": %s, "
		                  "\"fatalities_per_100k_year\": %s}",
		                  pop, r1, r2, r3);
	else if (ret == 0)
		ret = cc_buf_adds(o, "\"population\": null, \"note\": \"population unknown\"}");
	return ret;
}

static int by_area(struct cc_store *st, const struct xargs *a, struct cc_buf *o, struct cc_err *err)
{
	struct cc_incident_query q = { .from = a->at - 2 * a->days + 1, .to = a->at };
	struct cc_area_filter all = { .level = -1 };
	struct cc_area *areas = NULL;
	struct cc_exposure_area *xa = NULL;
	struct cc_exposure_area_result *res = NULL;
	struct cc_exposure_incident *inc = NULL;
	struct cc_geojson gj = { 0 };
	char(*types)[64] = NULL;
	size_t n_areas = 0, n_inc = 0, n_types = 0, n_quiet = 0, n_unplaced = 0, n_rows = 0;
	size_t n_cw_placed = 0, n_cw_above = 0; /* incidents of areas off the layout */
	/* DOMAIN.md §3.5: provinces and countries count every event, districts precise ones */
	bool precise = a->level >= 2 && !a->all_prec;
	const char *prec = precise ? "ACLED geo_precision 1-2, UCDP where_prec 1-3 "
	                             "(--all-precisions for all)"
	                           : "all precisions";
	int ret;

	if (precise) {
		q.max_geo_prec_acled = 2;
		q.max_geo_prec_ucdp = 3;
	}
	/* the population stored for the year of the reference date (see cc_store_fill_population) */
	if ((ret = cc_store_list_areas(st, &all, &areas, &n_areas, err)) < 0 ||
	    (ret = cc_store_fill_population(st, areas, n_areas, a->at, err)) < 0 ||
	    /* across a re-districting: the areas of the layout of the reference date, new ones
	       with their shares of the old populations, incidents of others placed by point */
	    (ret = cc_store_layout_areas(st, a->at, areas, &n_areas, err)) < 0 ||
	    (ret = cc_store_load_incidents(st, &q, &inc, &n_inc, &types, &n_types, err)) < 0 ||
	    (ret = cc_store_layout_incidents(st, a->at, inc, n_inc, &n_cw_placed, &n_cw_above,
	                                     err)) < 0)
		goto out_free;
	xa = cc_calloc(n_areas ? n_areas : 1, sizeof(*xa));
	res = cc_calloc(n_areas ? n_areas : 1, sizeof(*res));
	if (!xa || !res) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < n_areas; i++)
		xa[i] = (struct cc_exposure_area){ .id = areas[i].id,
			                           .parent_id = areas[i].parent_id,
			                           .population = areas[i].population };
	ret = cc_exposure_areas(xa, n_areas, inc, n_inc,
	                        &(struct cc_exposure_opts){ .radius_km = a->radius_km,
	                                                    .window_days = a->days,
	                                                    .at = a->at },
	                        res, err);
	if (ret < 0)
		goto out_free;
	for (size_t i = 0; i < n_inc; i++)
		n_unplaced += inc[i].area_id == 0 && inc[i].date <= a->at &&
		              inc[i].date_end >= a->at - a->days + 1;
	if (a->fmt == F_TABLE) {
		cc_buf_addf(o, "# incidents and fatalities per admin level %d area\n", a->level);
		window_text(o, a, prec);
		cc_buf_addf(o,
		            "# rates per 100,000 people of the area's population (its newest figure "
		            "up to %d, else the earliest later one); /yr = x 365 / %d days\n",
		            year_of(a->at), a->days);
		cc_buf_addf(o, "%-12s %-24s %9s %10s %9s %10s %10s %9s %9s %10s\n", "pcode", "name",
		            "incidents", "fatalities", "prev_inc", "prev_fatal", "population",
		            "inc/100k", "fat/100k", "fat/100k/yr");
	} else if (a->fmt == F_CSV) {
		cc_buf_adds(o, "pcode,name,incidents,fatalities,prev_incidents,prev_fatalities,"
		               "population,incidents_per_100k,fatalities_per_100k,"
		               "fatalities_per_100k_year\n");
	} else if (a->fmt == F_JSON) {
		char d[11];

		cc_buf_addf(o, "{\"days\": %d, \"at\": \"%s\", \"level\": %d, \"areas\": [",
		            a->days, cc_date_format(a->at, d), a->level);
	} else {
		char d[11];

		/* one feature per area with incidents, its boundary from the store (or null) */
		ret = cc_geojson_begin(&gj, o, st);
		if (ret == 0)
			ret = cc_buf_addf(o,
			                  ", \"days\": %d, \"at\": \"%s\", \"level\": %d, "
			                  "\"unplaced_incidents\": %zu, \"geometry_rule\": \"the "
			                  "area's boundary as stored; null when it has none\"",
			                  a->days, cc_date_format(a->at, d), a->level, n_unplaced);
		if (ret < 0)
			goto out_format;
	}
	for (size_t i = 0; i < n_areas; i++) {
		const struct cc_exposure_area_result *r = &res[i];
		char f1[32], f2[32], r1[32], r2[32], r3[32], pop[32];
		bool known = areas[i].population > 0;

		if (areas[i].level != a->level)
			continue;
		if (r->n_now == 0 && r->n_prev == 0) {
			n_quiet++;
			continue;
		}
		fmt_num(f1, sizeof(f1), r->fat_now);
		fmt_num(f2, sizeof(f2), r->fat_prev);
		snprintf(r1, sizeof(r1), "%.2f", r->rate_now);
		snprintf(r2, sizeof(r2), "%.2f", r->fat_rate_now);
		snprintf(r3, sizeof(r3), "%.2f", r->fat_rate_year);
		snprintf(pop, sizeof(pop), "%lld", (long long)areas[i].population);
		if (a->fmt == F_TABLE) {
			cc_buf_addf(o, "%-12s %-24.24s %9zu %10s %9zu %10s %10s %9s %9s %10s\n",
			            areas[i].pcode, areas[i].name, r->n_now, f1, r->n_prev, f2,
			            known ? pop : "unknown", known ? r1 : "-", known ? r2 : "-",
			            known ? r3 : "-");
		} else if (a->fmt == F_CSV) {
			cc_buf_add_csv(o, areas[i].pcode);
			cc_buf_addch(o, ',');
			cc_buf_add_csv(o, areas[i].name);
			cc_buf_addf(o, ",%zu,%s,%zu,%s,%s,%s,%s,%s\n", r->n_now, f1, r->n_prev, f2,
			            known ? pop : "", known ? r1 : "", known ? r2 : "",
			            known ? r3 : "");
		} else if (a->fmt == F_JSON) {
			char g1[32], g2[32];

			snprintf(g1, sizeof(g1), "%g", r->fat_now);
			snprintf(g2, sizeof(g2), "%g", r->fat_prev);
			cc_buf_adds(o, n_rows ? ",\n " : "\n ");
			add_area_json(o, &areas[i], r, g1, g2, pop, r1, r2, r3);
		} else {
			char g1[32], g2[32];

			snprintf(g1, sizeof(g1), "%g", r->fat_now);
			snprintf(g2, sizeof(g2), "%g", r->fat_prev);
			ret = cc_geojson_feature(&gj);
			if (ret == 0 && (ret = cc_geojson_area(&gj, areas[i].id, err)) < 0)
				goto out_free;
			if (ret == 0)
				ret = cc_geojson_properties(&gj);
			if (ret == 0)
				ret = add_area_json(o, &areas[i], r, g1, g2, pop, r1, r2, r3);
			if (ret == 0)
				ret = cc_geojson_feature_end(&gj);
			if (ret < 0)
				goto out_format;
		}
		n_rows++;
	}
	if (a->fmt == F_TABLE) {
		cc_buf_addf(o,
		            "# %zu areas of level %d had no incidents; %zu incidents of the "
		            "window are placed in no area\n",
		            n_quiet, a->level, n_unplaced);
		if (n_cw_placed || n_cw_above)
			cc_buf_addf(
			        o,
			        "# across a re-districting, on the layout of the reference date: "
			        "%zu incidents of areas not on it placed in its areas by their "
			        "point, %zu (no boundary covers the point) counted only above\n",
			        n_cw_placed, n_cw_above);
		for (size_t i = 0; i < n_areas; i++)
			if (areas[i].level == a->level && areas[i].population <= 0 &&
			    (res[i].n_now || res[i].n_prev)) {
				cc_buf_adds(o, "# population unknown: no rates for some areas\n");
				break;
			}
	} else if (a->fmt == F_JSON) {
		cc_buf_addf(o, "\n], \"unplaced_incidents\": %zu}\n", n_unplaced);
	} else if (a->fmt == F_GEOJSON && (ret = cc_geojson_end(&gj)) < 0) {
		goto out_format;
	}
	goto out_free;
out_format:
	ret = cc_err_set(err, ret, "cannot format the result");
out_free:
	cc_geojson_release(&gj);
	cc_free(areas);
	cc_free(xa);
	cc_free(res);
	cc_free(inc);
	cc_free(types);
	return ret;
}

int cc_exposure_format(struct cc_store *st, const struct cc_exposure_query *q,
                       enum cc_exposure_out fmt, struct cc_buf *out, struct cc_err *err)
{
	struct xargs a = { .radius_km = q->radius_km > 0 ? q->radius_km : 10,
		           .days = q->days > 0 ? q->days : 90,
		           .at = q->at,
		           .at_mode = q->at_mode,
		           .sites_path = q->sites_path,
		           .by_area = q->by_area,
		           .level = q->level,
		           .all_prec = q->all_precisions,
		           .fmt = fmt };
	int ret;

	if (a.by_area && a.at_mode != AT_FIXED)
		return cc_err_set(err, CC_EUSAGE, "per-site dates are for exposure by site");
	if (a.at_mode == AT_FILE && !a.sites_path)
		return cc_err_set(err, CC_EUSAGE, "no sites file");
	if (a.at == CC_DATE_NONE && (ret = cc_store_latest_incident(st, &a.at, err)) < 0) {
		if (ret == CC_ENOTFOUND)
			cc_err_set(err, CC_ENOTFOUND,
			           "no incidents stored; load some with 'concord import events'");
		return ret;
	}
	return a.by_area ? by_area(st, &a, out, err) : by_site(st, &a, q->mission_id, out, err);
}
