/* concord import events (through cmd_import.c's table), concord exposure */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/events.h>
#include <concord/exposure.h>
#include <concord/geojson.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

const char *cli_events_format;

int cli_import_events(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                      struct cc_import_report *rep, struct cc_err *err)
{
	struct cc_events_opts eo = { .format = CC_EVENTS_AUTO };

	if (cli_events_format && !strcmp(cli_events_format, "acled"))
		eo.format = CC_EVENTS_ACLED;
	else if (cli_events_format && !strcmp(cli_events_format, "ucdp"))
		eo.format = CC_EVENTS_UCDP;
	else if (cli_events_format)
		return cc_err_set(err, CC_EUSAGE, "--format: '%s' is not acled or ucdp",
		                  cli_events_format);
	return cc_import_events(st, path, opts, &eo, rep, err);
}

/* ---- exposure ---- */

enum fmt { F_TABLE, F_CSV, F_JSON, F_GEOJSON };

struct xargs {
	double radius_km;
	int days;
	int32_t at;
	bool by_area;
	int level;
	bool all_prec;
	enum fmt fmt;
};

/* A distinct site and the activities located at it. */
struct site {
	double lat, lon;
	int how;
	char label[48]; /* "34.5553,69.2075" or the P-code of the centroid's area */
	size_t n_acts;
	struct cc_exposure_result r;
};

static int cmp_place(const void *a, const void *b)
{
	const struct cc_exposure_place *x = a, *y = b;

	if (x->how != y->how)
		return x->how - y->how;
	if (x->lat != y->lat)
		return x->lat < y->lat ? -1 : 1;
	if (x->lon != y->lon)
		return x->lon < y->lon ? -1 : 1;
	return x->activity_id < y->activity_id ? -1 : x->activity_id > y->activity_id;
}

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->r.n_now != y->r.n_now)
		return x->r.n_now > y->r.n_now ? -1 : 1;
	if (x->r.fat_now != y->r.fat_now)
		return x->r.fat_now > y->r.fat_now ? -1 : 1;
	return strcmp(x->label, y->label);
}

static void fmt_num(char *b, size_t n, double v)
{
	if (isnan(v))
		snprintf(b, n, "%s", "");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(b, n, "%.0f", v);
	else
		snprintf(b, n, "%.2f", v);
}

static void window_text(struct cc_buf *o, const struct xargs *a, const char *prec)
{
	char d0[11], d1[11], p0[11], p1[11];

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
                          size_t n_unplaced)
{
	char d[11];
	int ret = cc_buf_addf(o, "\"radius_km\": %g, \"days\": %d, \"at\": \"%s\", ", a->radius_km,
	                      a->days, cc_date_format(a->at, d));

	if (ret == 0)
		ret = cc_buf_adds(o, "\"precision\": ");
	if (ret == 0)
		ret = cc_buf_add_json_str(o, prec);
	if (ret == 0)
		ret = cc_buf_addf(o, ", \"incidents_read\": %zu, \"activities_without_site\": %zu",
		                  n_inc, n_unplaced);
	return ret;
}

/* One site as a JSON object (the --json row and the --geojson properties). */
static int add_site_json(struct cc_buf *o, const struct site *s, char (*types)[64], size_t n_types)
{
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
	if (ret == 0)
		ret = cc_buf_addch(o, '}');
	return ret;
}

static int out_sites(struct cc_buf *o, const struct xargs *a, struct site *s, size_t n,
                     char (*types)[64], size_t n_types, size_t n_unplaced, size_t n_inc,
                     const char *prec, struct cc_err *err)
{
	char f1[32], f2[32];
	int ret = 0;

	qsort(s, n, sizeof(*s), cmp_site);
	if (a->fmt == F_GEOJSON) {
		struct cc_geojson gj;

		/* one Point per site (its own point or its area's centroid, as "placed" says) */
		ret = cc_geojson_begin(&gj, o, NULL);
		if (ret == 0)
			ret = cc_buf_addch(o, ',');
		if (ret == 0)
			ret = add_sites_head(o, a, prec, n_inc, n_unplaced);
		for (size_t i = 0; i < n && ret == 0; i++) {
			ret = cc_geojson_feature(&gj);
			if (ret == 0)
				ret = cc_geojson_point(&gj, s[i].lat, s[i].lon);
			if (ret == 0)
				ret = cc_geojson_properties(&gj);
			if (ret == 0)
				ret = add_site_json(o, &s[i], types, n_types);
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
			ret = add_sites_head(o, a, prec, n_inc, n_unplaced);
		if (ret == 0)
			ret = cc_buf_adds(o, ", \"sites\": [");
		for (size_t i = 0; i < n && ret == 0; i++) {
			ret = cc_buf_adds(o, i ? ",\n " : "\n ");
			if (ret == 0)
				ret = add_site_json(o, &s[i], types, n_types);
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
		cc_buf_addf(o, "%-24s %-14s %5s %9s %10s %9s %10s %7s  %s\n", "site", "placed",
		            "acts", "incidents", "fatalities", "prev_inc", "prev_fatal", "change",
		            "dominant type");
	} else {
		cc_buf_adds(o, "site,placed,lat,lon,activities,incidents,fatalities,prev_incidents,"
		               "prev_fatalities,change,dominant_type\n");
	}
	for (size_t i = 0; i < n; i++) {
		const struct cc_exposure_result *r = &s[i].r;
		const char *t = r->dominant_type >= 0 && (size_t)r->dominant_type < n_types
		                        ? types[r->dominant_type]
		                        : "";
		const char *how = s[i].how == CC_PLACE_POINT ? "point" : "area centroid";

		fmt_num(f1, sizeof(f1), r->fat_now);
		fmt_num(f2, sizeof(f2), r->fat_prev);
		if (a->fmt == F_TABLE) {
			cc_buf_addf(o, "%-24s %-14s %5zu %9zu %10s %9zu %10s %+7ld  %s\n",
			            s[i].label, how, s[i].n_acts, r->n_now, f1, r->n_prev, f2,
			            (long)r->n_now - (long)r->n_prev, t);
		} else {
			cc_buf_add_csv(o, s[i].label);
			cc_buf_addf(o, ",%s,%.6f,%.6f,%zu,%zu,%s,%zu,%s,%ld,", how, s[i].lat,
			            s[i].lon, s[i].n_acts, r->n_now, f1, r->n_prev, f2,
			            (long)r->n_now - (long)r->n_prev);
			cc_buf_add_csv(o, t);
			cc_buf_addch(o, '\n');
		}
	}
	return 0;
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

static int by_site(struct cli *cli, const struct xargs *a, const struct cc_mission *m,
                   struct cc_buf *o, struct cc_err *err)
{
	struct cc_incident_query q = { .from = a->at - 2 * a->days + 1, .to = a->at };
	struct cc_exposure_place *pl = NULL;
	struct cc_exposure_incident *inc = NULL;
	struct cc_exposure_site *xs = NULL;
	struct cc_exposure_result *res = NULL;
	struct site *sites = NULL;
	char(*types)[64] = NULL;
	size_t n_pl = 0, n_inc = 0, n_types = 0, n_sites = 0, n_unplaced = 0;
	const char *prec = a->all_prec ? "all precisions"
	                               : "ACLED geo_precision 1-2, UCDP where_prec 1-3 "
	                                 "(--all-precisions for all)";
	int ret;

	if ((ret = cc_store_load_exposure_places(cli->st, m->id, &pl, &n_pl, err)) < 0)
		goto out_free;
	qsort(pl, n_pl, sizeof(*pl), cmp_place);
	sites = cc_calloc(n_pl ? n_pl : 1, sizeof(*sites));
	if (!sites) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < n_pl; i++) {
		struct site *s;

		if (pl[i].how == CC_PLACE_NONE) {
			n_unplaced++;
			continue;
		}
		if (n_sites && sites[n_sites - 1].how == pl[i].how &&
		    sites[n_sites - 1].lat == pl[i].lat && sites[n_sites - 1].lon == pl[i].lon) {
			sites[n_sites - 1].n_acts++;
			continue;
		}
		s = &sites[n_sites++];
		s->lat = pl[i].lat;
		s->lon = pl[i].lon;
		s->how = pl[i].how;
		s->n_acts = 1;
		if (s->how == CC_PLACE_POINT)
			snprintf(s->label, sizeof(s->label), "%.4f %.4f", s->lat, s->lon);
		else
			snprintf(s->label, sizeof(s->label), "%s", pl[i].centroid_of);
	}
	sites_box(sites, n_sites, a->radius_km, &q);
	if (!a->all_prec) {
		q.max_geo_prec_acled = 2;
		q.max_geo_prec_ucdp = 3;
	}
	if ((ret = cc_store_load_incidents(cli->st, &q, &inc, &n_inc, &types, &n_types, err)) < 0)
		goto out_free;
	xs = cc_calloc(n_sites ? n_sites : 1, sizeof(*xs));
	res = cc_calloc(n_sites ? n_sites : 1, sizeof(*res));
	if (!xs || !res) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < n_sites; i++)
		xs[i] = (struct cc_exposure_site){ .lat = sites[i].lat, .lon = sites[i].lon };
	ret = cc_exposure_sites(xs, n_sites, inc, n_inc,
	                        &(struct cc_exposure_opts){ .radius_km = a->radius_km,
	                                                    .window_days = a->days,
	                                                    .at = a->at,
	                                                    .n_types = (int)n_types },
	                        res, err);
	if (ret < 0)
		goto out_free;
	for (size_t i = 0; i < n_sites; i++)
		sites[i].r = res[i];
	ret = out_sites(o, a, sites, n_sites, types, n_types, n_unplaced, n_inc, prec, err);
out_free:
	cc_free(pl);
	cc_free(inc);
	cc_free(types);
	cc_free(xs);
	cc_free(res);
	cc_free(sites);
	return ret;
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

static int by_area(struct cli *cli, const struct xargs *a, struct cc_buf *o, struct cc_err *err)
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
	if ((ret = cc_store_list_areas(cli->st, &all, &areas, &n_areas, err)) < 0 ||
	    (ret = cc_store_load_incidents(cli->st, &q, &inc, &n_inc, &types, &n_types, err)) < 0)
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
		            "# rates per 100,000 people of the area's population; /yr = x 365 / "
		            "%d days\n",
		            a->days);
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
		ret = cc_geojson_begin(&gj, o, cli->st);
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

int cmd_exposure(struct cli *cli, int argc, char **argv)
{
	enum { O_RADIUS = 256, O_DAYS, O_AT, O_BY, O_LEVEL, O_CSV, O_JSON, O_ALL_PREC, O_GEOJSON };
	static const struct option longopts[] = {
		{ "radius", required_argument, NULL, O_RADIUS },
		{ "days", required_argument, NULL, O_DAYS },
		{ "at", required_argument, NULL, O_AT },
		{ "by", required_argument, NULL, O_BY },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ "all-precisions", no_argument, NULL, O_ALL_PREC },
		{ "geojson", no_argument, NULL, O_GEOJSON },
		{ NULL, 0, NULL, 0 },
	};
	struct xargs a = { .radius_km = 10, .days = 90, .at = CC_DATE_NONE, .level = 1 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_mission m;
	struct cc_err err = { 0 };
	int64_t v;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_RADIUS:
			if (cc_parse_double(optarg, &a.radius_km, &err) < 0 || !(a.radius_km > 0) ||
			    a.radius_km > 20100)
				return cli_usage(cli,
				                 "--radius: '%s' is not a distance in km (0 < R "
				                 "<= 20100)",
				                 optarg);
			break;
		case O_DAYS:
			if (cc_parse_i64(optarg, 1, 36500, &v, &err) < 0)
				return cli_usage(cli, "--days: %s", err.msg);
			a.days = (int)v;
			break;
		case O_AT:
			if (cc_date_parse(optarg, &a.at, &err) < 0)
				return cli_usage(cli, "--at: %s", err.msg);
			break;
		case O_BY:
			if (!strcmp(optarg, "site") || !strcmp(optarg, "area"))
				a.by_area = !strcmp(optarg, "area");
			else
				return cli_usage(cli, "--by: '%s' is not site or area", optarg);
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, 5, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			a.level = (int)v;
			break;
		case O_CSV:
			a.fmt = F_CSV;
			break;
		case O_JSON:
			a.fmt = F_JSON;
			break;
		case O_ALL_PREC:
			a.all_prec = true;
			break;
		case O_GEOJSON:
			a.fmt = F_GEOJSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0)
		return cli_fail(&err);
	if (a.at == CC_DATE_NONE && (ret = cc_store_latest_incident(cli->st, &a.at, &err)) < 0) {
		if (ret == CC_ENOTFOUND)
			cc_err_set(&err, CC_ENOTFOUND,
			           "no incidents stored; load some with 'concord import events'");
		return cli_fail(&err);
	}
	ret = a.by_area ? by_area(cli, &a, &out, &err) : by_site(cli, &a, &m, &out, &err);
	if (ret < 0) {
		cc_buf_release(&out);
		return cli_fail(&err);
	}
	ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}
