/*
 * exptime: what `concord exposure --by site` does, step by step and timed, so that the time to
 * read the store and the time to compute can be reported apart. Usage:
 *
 *	exptime STORE RADIUS_KM DAYS AT [OUT]
 *
 * AT is a date (one window for every site) or "start" / "end": each site's reference date is
 * its activity's start or end date (`concord exposure --at start|end`).
 *
 * The steps are those of the command (src/cli/cmd_events.c, by_site): the mission's activity
 * sites (cc_store_load_exposure_places, sorted and merged by coordinates as the command does),
 * the incidents of the two windows inside the sites' box with the default precision filter
 * (cc_store_load_incidents: ACLED geo_precision <= 2, UCDP where_prec <= 3), then
 * cc_exposure_sites(). Prints one line to standard output
 *
 *	sites=N incidents=N places_s=S read_s=S compute_s=S now=N prev=N read_cpu_s=S
 *	compute_cpu_s=S
 *
 * (read_s: reading the incidents; now and prev: incidents summed over the sites) and, with OUT,
 * writes "lat lon n_now n_prev" per site (%.6f), sorted, for comparison with the peers.
 * Every time is CLOCK_MONOTONIC around the library call; the *_cpu_s are the process's CPU time
 * (CLOCK_PROCESS_CPUTIME_ID, every thread) over the same call, which a loaded machine does not
 * inflate as it does wall time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/events.h>
#include <concord/exposure.h>
#include <concord/model.h>
#include <concord/store.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_place(const void *a, const void *b)
{
	const struct cc_exposure_place *x = a, *y = b;

	if (x->how != y->how)
		return x->how - y->how;
	if (x->lat != y->lat)
		return x->lat < y->lat ? -1 : 1;
	if (x->lon != y->lon)
		return x->lon < y->lon ? -1 : 1;
	if (x->end_date != y->end_date)
		return x->end_date < y->end_date ? -1 : 1;
	return x->activity_id < y->activity_id ? -1 : x->activity_id > y->activity_id;
}

static int fail(const char *what, const struct cc_err *err)
{
	fprintf(stderr, "exptime: %s: %s\n", what, err->msg);
	return 1;
}

/* The box of the sites grown by the radius, as the command computes it (no wrap here). */
static void box(const struct cc_exposure_site *s, size_t n, double radius_km,
                struct cc_incident_query *q)
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

int main(int argc, char **argv)
{
	struct cc_err err = { 0 };
	struct cc_store *st = NULL;
	struct cc_mission m;
	struct cc_exposure_place *pl = NULL;
	struct cc_exposure_incident *inc = NULL;
	struct cc_exposure_site *xs = NULL;
	struct cc_exposure_result *res = NULL;
	char(*types)[64] = NULL;
	size_t n_pl = 0, n_inc = 0, n_types = 0, n = 0, sum_now = 0, sum_prev = 0;
	struct cc_incident_query q = { .max_geo_prec_acled = 2, .max_geo_prec_ucdp = 3 };
	double radius, t0, t_places, t_read, t_compute, c0, c_read, c_compute;
	int days, per_site = 0;
	int32_t at = 0;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: exptime STORE RADIUS_KM DAYS AT [OUT]\n");
		return 2;
	}
	radius = strtod(argv[2], NULL);
	days = atoi(argv[3]);
	per_site = !strcmp(argv[4], "start") ? 1 : !strcmp(argv[4], "end") ? 2 : 0;
	if (!(radius > 0) || days < 1 || (!per_site && cc_date_parse(argv[4], &at, &err) < 0)) {
		fprintf(stderr, "exptime: bad radius, days or date\n");
		return 2;
	}
	q.from = at - 2 * days + 1;
	q.to = at;
	if (cc_store_open(&st, argv[1], &(struct cc_store_opts){ .flags = CC_STORE_READONLY },
	                  &err) < 0)
		return fail(argv[1], &err);
	if (cc_store_get_mission(st, NULL, &m, &err) < 0)
		return fail("mission", &err);

	t0 = now_s();
	if (cc_store_load_exposure_places(st, m.id, &pl, &n_pl, &err) < 0)
		return fail("sites", &err);
	qsort(pl, n_pl, sizeof(*pl), cmp_place);
	xs = cc_calloc(n_pl ? n_pl : 1, sizeof(*xs));
	if (!xs)
		return 1;
	for (size_t i = 0; i < n_pl; i++) {
		int32_t d = per_site == 1 ? pl[i].start_date : per_site == 2 ? pl[i].end_date : at;

		if (pl[i].how == CC_PLACE_NONE || d == CC_DATE_NONE)
			continue;
		if (n && pl[i - 1].how == pl[i].how && xs[n - 1].lat == pl[i].lat &&
		    xs[n - 1].lon == pl[i].lon && xs[n - 1].at == d)
			continue;
		xs[n++] = (struct cc_exposure_site){ .lat = pl[i].lat, .lon = pl[i].lon, .at = d };
		if (n == 1 || d - 2 * days + 1 < q.from)
			q.from = d - 2 * days + 1;
		if (n == 1 || d > q.to)
			q.to = d;
	}
	box(xs, n, radius, &q);
	t_places = now_s() - t0;

	t0 = now_s();
	c0 = cpu_s();
	if (cc_store_load_incidents(st, &q, &inc, &n_inc, &types, &n_types, &err) < 0)
		return fail("incidents", &err);
	t_read = now_s() - t0;
	c_read = cpu_s() - c0;

	res = cc_calloc(n ? n : 1, sizeof(*res));
	if (!res)
		return 1;
	t0 = now_s();
	c0 = cpu_s();
	if (cc_exposure_sites(xs, n, inc, n_inc,
	                      &(struct cc_exposure_opts){ .radius_km = radius,
	                                                  .window_days = days,
	                                                  .at = at,
	                                                  .per_site_at = per_site != 0,
	                                                  .n_types = (int)n_types },
	                      res, &err) < 0)
		return fail("exposure", &err);
	t_compute = now_s() - t0;
	c_compute = cpu_s() - c0;

	for (size_t i = 0; i < n; i++) {
		sum_now += res[i].n_now;
		sum_prev += res[i].n_prev;
	}
	printf("sites=%zu incidents=%zu places_s=%.6f read_s=%.6f compute_s=%.6f now=%zu "
	       "prev=%zu read_cpu_s=%.6f compute_cpu_s=%.6f\n",
	       n, n_inc, t_places, t_read, t_compute, sum_now, sum_prev, c_read, c_compute);
	if (argc == 6) {
		FILE *f = fopen(argv[5], "w");

		if (!f) {
			perror(argv[5]);
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%.6f %.6f %zu %zu\n", xs[i].lat, xs[i].lon, res[i].n_now,
			        res[i].n_prev);
		if (fclose(f) != 0) {
			perror(argv[5]);
			return 1;
		}
	}
	cc_free(pl);
	cc_free(inc);
	cc_free(types);
	cc_free(xs);
	cc_free(res);
	cc_store_close(st);
	return 0;
}
