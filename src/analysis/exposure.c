/*
 * Security exposure over plain arrays (see <concord/exposure.h>).
 *
 * The grid: rows are latitude bands and columns longitude bands of cell_deg degrees, where
 * cell_deg is the radius as an angle, so a circle of the radius spans at most three rows. A
 * cell is keyed row × ncols + col; the incidents of the two windows are sorted by key, so the
 * cells of one row and a run of columns are one contiguous range found by binary search. A
 * site at latitude φ reaches longitudes within asin(sin r / cos φ) of its own (r the radius as
 * an angle), or every longitude when the circle covers a pole; that interval wraps at ±180°.
 *
 * Measured (2 cores, shared and loaded, -O3): 100,000 incidents clustered around 50 towns ×
 * 1,000 sites, R 10 km: 1.7 ms for a 90-day window, 33 ms with every incident in the window;
 * 2,000,000 × 10,000 (90 days): 0.36 s on one thread, 0.19 s on two.
 */
#include <concord/exposure.h>

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <concord/alloc.h>

#include "core/banned.h"

#define DEG     (M_PI / 180.0)
#define EPS_DEG 1e-7 /* about 1 cm: guards the cell bounds against rounding */

/* The haversine of two points given as radians with their latitudes' cosines. */
static inline double hav_km(double phi1, double cos1, double lam1, double phi2, double cos2,
                            double lam2)
{
	double s1 = sin((phi2 - phi1) / 2), s2 = sin((lam2 - lam1) / 2);
	double a = s1 * s1 + cos1 * cos2 * s2 * s2;

	if (a > 1)
		a = 1;
	return 2 * CC_EARTH_RADIUS_KM * asin(sqrt(a));
}

double cc_haversine_km(double lat1, double lon1, double lat2, double lon2)
{
	double phi1 = lat1 * DEG, phi2 = lat2 * DEG;

	return hav_km(phi1, cos(phi1), lon1 * DEG, phi2, cos(phi2), lon2 * DEG);
}

double cc_rate_per_100k(double count, double population)
{
	if (!(population > 0))
		return (double)NAN;
	return count / population * 100000.0;
}

/* One incident of the windows, in grid order. */
struct entry {
	double phi, cosphi, lam; /* radians */
	int32_t date, date_end;
	double fat;
	int type;
};

struct keyed {
	uint64_t key;
	size_t idx;
};

struct grid {
	double cell_deg;
	long nrows, ncols;
	uint64_t *keys;     /* owned, n, sorted */
	struct entry *ents; /* owned, n, same order */
	size_t n;
};

static bool valid_point(double lat, double lon)
{
	return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 && fabs(lon) <= 180;
}

static long row_of(const struct grid *g, double lat)
{
	long r = (long)floor((lat + 90) / g->cell_deg);

	return r < 0 ? 0 : r >= g->nrows ? g->nrows - 1 : r;
}

static long col_of(const struct grid *g, double lon)
{
	long c = (long)floor((lon + 180) / g->cell_deg);

	return c < 0 ? 0 : c >= g->ncols ? g->ncols - 1 : c;
}

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool in_window(const struct cc_exposure_incident *in, int32_t lo, int32_t hi)
{
	return in->date <= hi && in->date_end >= lo;
}

static int check_opts(const struct cc_exposure_opts *o, struct cc_exposure_opts *out,
                      struct cc_err *err)
{
	*out = o ? *o : (struct cc_exposure_opts){ 0 };
	if (out->radius_km == 0)
		out->radius_km = 10;
	if (out->window_days == 0)
		out->window_days = 90;
	if (!(out->radius_km > 0) || !isfinite(out->radius_km))
		return cc_err_set(err, CC_EINVALID, "radius %g km is not a positive distance",
		                  out->radius_km);
	if (out->window_days < 0 || out->window_days > 100000)
		return cc_err_set(err, CC_EINVALID, "window of %d days is not in 1..100000",
		                  out->window_days);
	if (out->at == INT32_MIN || out->at < INT32_MIN / 2 || out->at > INT32_MAX / 2)
		return cc_err_set(err, CC_EINVALID, "no reference date");
	if (out->n_types < 0)
		return cc_err_set(err, CC_EINVALID, "negative number of types");
	return 0;
}

static int check_incidents(const struct cc_exposure_incident *inc, size_t n, struct cc_err *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!valid_point(inc[i].lat, inc[i].lon))
			return cc_err_set(err, CC_EINVALID,
			                  "incident %zu: point %g, %g is out of range", i,
			                  inc[i].lat, inc[i].lon);
		if (inc[i].date_end < inc[i].date)
			return cc_err_set(err, CC_EINVALID, "incident %zu ends before it starts",
			                  i);
	}
	return 0;
}

static int grid_build(struct grid *g, const struct cc_exposure_incident *inc, size_t n,
                      const struct cc_exposure_opts *o, struct cc_err *err)
{
	int32_t lo = o->at - 2 * o->window_days + 1;
	struct keyed *k = NULL;
	size_t m = 0;
	double r_deg = o->radius_km / (CC_EARTH_RADIUS_KM * DEG);

	memset(g, 0, sizeof(*g));
	g->cell_deg = r_deg < 1e-4 ? 1e-4 : r_deg > 180 ? 180 : r_deg;
	g->nrows = (long)ceil(180 / g->cell_deg);
	g->ncols = (long)ceil(360 / g->cell_deg);
	for (size_t i = 0; i < n; i++)
		m += in_window(&inc[i], lo, o->at);
	if (m == 0)
		return 0;
	k = cc_alloc_array(m, sizeof(*k));
	g->keys = cc_alloc_array(m, sizeof(*g->keys));
	g->ents = cc_alloc_array(m, sizeof(*g->ents));
	if (!k || !g->keys || !g->ents) {
		cc_free(k);
		cc_free(g->keys);
		cc_free(g->ents);
		memset(g, 0, sizeof(*g));
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in_window(&inc[i], lo, o->at))
			continue;
		k[m].key = (uint64_t)row_of(g, inc[i].lat) * (uint64_t)g->ncols +
		           (uint64_t)col_of(g, inc[i].lon);
		k[m++].idx = i;
	}
	qsort(k, m, sizeof(*k), cmp_keyed);
	for (size_t j = 0; j < m; j++) {
		const struct cc_exposure_incident *in = &inc[k[j].idx];
		struct entry *e = &g->ents[j];

		g->keys[j] = k[j].key;
		e->phi = in->lat * DEG;
		e->cosphi = cos(e->phi);
		e->lam = in->lon * DEG;
		e->date = in->date;
		e->date_end = in->date_end;
		e->fat = isfinite(in->fatalities) && in->fatalities > 0 ? in->fatalities : 0;
		e->type = in->type;
	}
	g->n = m;
	cc_free(k);
	return 0;
}

static void grid_release(struct grid *g)
{
	cc_free(g->keys);
	cc_free(g->ents);
	memset(g, 0, sizeof(*g));
}

/* The first entry whose key is >= key. */
static size_t lower_bound(const struct grid *g, uint64_t key)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct visit {
	const struct grid *g;
	const struct cc_exposure_opts *o;
	double phi, cosphi, lam;
	int32_t now_lo, prev_lo, prev_hi;
	unsigned *type_count; /* n_types counters, all 0 between sites */
	int *touched;
	int n_touched;
	struct cc_exposure_result *res;
};

static void visit_cells(struct visit *v, long row, long c0, long c1)
{
	const struct grid *g = v->g;
	uint64_t base = (uint64_t)row * (uint64_t)g->ncols;
	uint64_t last = base + (uint64_t)c1;

	for (size_t j = lower_bound(g, base + (uint64_t)c0); j < g->n && g->keys[j] <= last; j++) {
		const struct entry *e = &g->ents[j];
		bool now, prev;

		if (hav_km(v->phi, v->cosphi, v->lam, e->phi, e->cosphi, e->lam) > v->o->radius_km)
			continue;
		now = e->date <= v->o->at && e->date_end >= v->now_lo;
		prev = e->date <= v->prev_hi && e->date_end >= v->prev_lo;
		if (now) {
			v->res->n_now++;
			v->res->fat_now += e->fat;
			if (e->type >= 0 && e->type < v->o->n_types) {
				if (v->type_count[e->type]++ == 0)
					v->touched[v->n_touched++] = e->type;
			}
		}
		if (prev) {
			v->res->n_prev++;
			v->res->fat_prev += e->fat;
		}
	}
}

/* Visits the columns of the longitude interval [a, b] (degrees, may pass ±180). */
static void visit_row(struct visit *v, long row, double a, double b)
{
	const struct grid *g = v->g;

	if (b - a >= 360 - 2 * g->cell_deg) {
		visit_cells(v, row, 0, g->ncols - 1);
	} else if (a < -180) {
		visit_cells(v, row, col_of(g, a + 360), g->ncols - 1);
		visit_cells(v, row, 0, col_of(g, b));
	} else if (b > 180) {
		visit_cells(v, row, col_of(g, a), g->ncols - 1);
		visit_cells(v, row, 0, col_of(g, b - 360));
	} else {
		visit_cells(v, row, col_of(g, a), col_of(g, b));
	}
}

static void visit_site(struct visit *v, const struct cc_exposure_site *s)
{
	const struct grid *g = v->g;
	double r_deg = v->o->radius_km / (CC_EARTH_RADIUS_KM * DEG);
	double dlam, r = r_deg * DEG;
	long r0, r1;
	int best = -1;

	memset(v->res, 0, sizeof(*v->res));
	v->res->dominant_type = -1;
	if (g->n == 0)
		return;
	v->phi = s->lat * DEG;
	v->cosphi = cos(v->phi);
	v->lam = s->lon * DEG;
	r0 = row_of(g, s->lat - r_deg - EPS_DEG);
	r1 = row_of(g, s->lat + r_deg + EPS_DEG);
	if (fabs(s->lat) + r_deg + EPS_DEG >= 90 || r >= M_PI / 2)
		dlam = 360; /* the circle covers a pole: every longitude */
	else
		dlam = asin(fmin(1, sin(r) / cos(fabs(s->lat) * DEG))) / DEG + EPS_DEG;
	for (long row = r0; row <= r1; row++)
		visit_row(v, row, s->lon - dlam, s->lon + dlam);
	for (int i = 0; i < v->n_touched; i++) {
		int t = v->touched[i];

		if (best < 0 || v->type_count[t] > v->type_count[best] ||
		    (v->type_count[t] == v->type_count[best] && t < best))
			best = t;
	}
	for (int i = 0; i < v->n_touched; i++)
		v->type_count[v->touched[i]] = 0;
	v->n_touched = 0;
	v->res->dominant_type = best;
}

#define MAX_THREADS 8

struct job {
	struct visit v;
	const struct cc_exposure_site *sites;
	struct cc_exposure_result *out;
	size_t from, to;
};

static void *run_job(void *arg)
{
	struct job *j = arg;

	for (size_t i = j->from; i < j->to; i++) {
		j->v.res = &j->out[i];
		visit_site(&j->v, &j->sites[i]);
	}
	return NULL;
}

static int n_threads(const struct cc_exposure_opts *o, size_t n_sites, size_t n_grid)
{
	long cores;

	if (o->threads > 0)
		return o->threads > MAX_THREADS ? MAX_THREADS : o->threads;
	/* a thread costs about as much as a few hundred sites: only worth it for many */
	if (n_sites < 4096 || n_grid < 1024)
		return 1;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
}

int cc_exposure_sites(const struct cc_exposure_site *sites, size_t n_sites,
                      const struct cc_exposure_incident *incidents, size_t n_incidents,
                      const struct cc_exposure_opts *opts, struct cc_exposure_result *out,
                      struct cc_err *err)
{
	struct cc_exposure_opts o;
	struct grid g = { 0 };
	struct job jobs[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	bool started[MAX_THREADS] = { false };
	unsigned *counts = NULL;
	int *touched = NULL;
	size_t per;
	int ret, nt;

	if (n_sites)
		memset(out, 0, n_sites * sizeof(*out));
	if ((ret = check_opts(opts, &o, err)) < 0 ||
	    (ret = check_incidents(incidents, n_incidents, err)) < 0)
		return ret;
	for (size_t i = 0; i < n_sites; i++)
		if (!valid_point(sites[i].lat, sites[i].lon))
			return cc_err_set(err, CC_EINVALID,
			                  "site %zu: point %g, %g is out of range", i, sites[i].lat,
			                  sites[i].lon);
	if (n_sites == 0)
		return 0;
	if ((ret = grid_build(&g, incidents, n_incidents, &o, err)) < 0)
		return ret;
	nt = n_threads(&o, n_sites, g.n);
	if ((size_t)nt > n_sites)
		nt = (int)n_sites;
	/* every thread's counters are allocated here, so allocation failures stay testable */
	if (o.n_types > 0) {
		counts = cc_calloc((size_t)nt * (size_t)o.n_types, sizeof(*counts));
		touched = cc_calloc((size_t)nt * (size_t)o.n_types, sizeof(*touched));
		if (!counts || !touched) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out_free;
		}
	}
	per = (n_sites + (size_t)nt - 1) / (size_t)nt;
	for (int t = 0; t < nt; t++) {
		struct job *j = &jobs[t];

		memset(j, 0, sizeof(*j));
		j->v.g = &g;
		j->v.o = &o;
		j->v.now_lo = o.at - o.window_days + 1;
		j->v.prev_hi = o.at - o.window_days;
		j->v.prev_lo = o.at - 2 * o.window_days + 1;
		if (counts) {
			j->v.type_count = counts + (size_t)t * (size_t)o.n_types;
			j->v.touched = touched + (size_t)t * (size_t)o.n_types;
		}
		j->sites = sites;
		j->out = out;
		j->from = (size_t)t * per < n_sites ? (size_t)t * per : n_sites;
		j->to = j->from + per < n_sites ? j->from + per : n_sites;
	}
	/* a thread that cannot start has its share done here instead */
	for (int t = 1; t < nt; t++)
		started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
	run_job(&jobs[0]);
	for (int t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			run_job(&jobs[t]);
	}
out_free:
	cc_free(counts);
	cc_free(touched);
	grid_release(&g);
	if (ret < 0)
		memset(out, 0, n_sites * sizeof(*out));
	return ret;
}

/* ---- per area ---- */

struct id_idx {
	int64_t id;
	size_t idx;
};

static int cmp_id_idx(const void *a, const void *b)
{
	const struct id_idx *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static long find_area(const struct id_idx *ix, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ix[lo].id == id ? (long)ix[lo].idx : -1;
}

int cc_exposure_areas(const struct cc_exposure_area *areas, size_t n_areas,
                      const struct cc_exposure_incident *incidents, size_t n_incidents,
                      const struct cc_exposure_opts *opts, struct cc_exposure_area_result *out,
                      struct cc_err *err)
{
	struct cc_exposure_opts o;
	struct id_idx *ix;
	int32_t now_lo, prev_lo, prev_hi;
	int ret;

	if (n_areas)
		memset(out, 0, n_areas * sizeof(*out));
	if ((ret = check_opts(opts, &o, err)) < 0 ||
	    (ret = check_incidents(incidents, n_incidents, err)) < 0)
		return ret;
	if (n_areas == 0)
		return 0;
	ix = cc_alloc_array(n_areas, sizeof(*ix));
	if (!ix)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < n_areas; i++)
		ix[i] = (struct id_idx){ .id = areas[i].id, .idx = i };
	qsort(ix, n_areas, sizeof(*ix), cmp_id_idx);
	now_lo = o.at - o.window_days + 1;
	prev_hi = o.at - o.window_days;
	prev_lo = o.at - 2 * o.window_days + 1;
	for (size_t i = 0; i < n_incidents; i++) {
		const struct cc_exposure_incident *in = &incidents[i];
		bool now = in_window(in, now_lo, o.at), prev = in_window(in, prev_lo, prev_hi);
		double fat = isfinite(in->fatalities) && in->fatalities > 0 ? in->fatalities : 0;
		int64_t id = in->area_id;

		if (!now && !prev)
			continue;
		/* climb at most n_areas steps, so a cycle in the parents cannot loop */
		for (size_t steps = 0; id != 0 && steps < n_areas; steps++) {
			long k = find_area(ix, n_areas, id);

			if (k < 0)
				break;
			if (now) {
				out[k].n_now++;
				out[k].fat_now += fat;
			}
			if (prev) {
				out[k].n_prev++;
				out[k].fat_prev += fat;
			}
			id = areas[k].parent_id;
		}
	}
	for (size_t i = 0; i < n_areas; i++) {
		double pop = (double)areas[i].population;

		out[i].rate_now = cc_rate_per_100k((double)out[i].n_now, pop);
		out[i].fat_rate_now = cc_rate_per_100k(out[i].fat_now, pop);
		out[i].fat_rate_year = out[i].fat_rate_now * 365.0 / o.window_days;
	}
	cc_free(ix);
	return 0;
}
