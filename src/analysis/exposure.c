/*
 * Security exposure over plain arrays (see <concord/exposure.h>).
 *
 * The grid: rows are latitude bands and columns longitude bands of cell_deg degrees, where
 * cell_deg is half the radius as an angle, so a circle of the radius spans at most five rows.
 * A cell is keyed row × ncols + col; the non-empty cells are listed by key, so the cells of one
 * row and a run of columns are one contiguous run of the list, found by binary search. Each
 * cell's incidents are sorted by first day: a site reads only those whose first day is in
 * prev_lo − (the cell's longest event) … at, two binary searches. A site at latitude φ reaches
 * longitudes within asin(sin r / cos φ) of its own (r the radius as an angle), or every
 * longitude when the circle covers a pole; that interval wraps at ±180°.
 *
 * The distance: incidents and sites are unit vectors (x, y, z), computed once; the squared
 * chord |p − q|² equals 4 sin²(θ/2), four times the haversine's a, so comparing it with the
 * chord of the radius decides without trigonometry. Within a relative 1e-6 of that chord
 * (far beyond the rounding of either side) the haversine of cc_haversine_km() decides, so
 * the answer is always the haversine's, bit for bit, and an incident on the radius counts.
 *
 * Measured (bench/exposure, 2 cores shared with other work, -O3): 2,000,000 incidents, 10,000
 * sites, R 10 km, D 90 days: 0.035 s of CPU for one window (81,539 incidents), 0.32 s with
 * per-site dates over eleven years (1,589,525 incidents, the grid's sort and gather about
 * half of it).
 */
#include <concord/exposure.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* One incident of the windows, in grid order: its unit vector and what a site counts. */
struct entry {
	double x, y, z;
	double fat;
	int32_t date, date_end;
	int32_t type;
	uint32_t idx; /* in the caller's array, for the exact test near the radius */
};

/*
 * A non-empty run of a cell: its entries are ents[from … to), sorted by first day. Each cell
 * has up to two runs, its events of at most LONG_DAYS days and its longer ones: key is the
 * cell's key × 2, + 1 for the long ones, so that one long event does not widen the search of
 * the whole cell by its length.
 */
#define LONG_DAYS 31

struct cell {
	uint64_t key;
	uint32_t from, to;
	int32_t min_date, max_date;
	int64_t max_len; /* the longest date_end - date of the cell */
};

struct keyed {
	uint64_t key;
	int32_t date;
	uint32_t idx;
};

struct grid {
	double cell_deg;
	long nrows, ncols;
	struct entry *ents; /* owned, n */
	struct cell *cells; /* owned, n_cells, sorted by key */
	size_t n, n_cells;
};

static bool valid_point(double lat, double lon)
{
	return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 && fabs(lon) <= 180;
}

static bool valid_date(int32_t d)
{
	return d >= INT32_MIN / 2 && d <= INT32_MAX / 2;
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
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
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
	if (!out->per_site_at && !valid_date(out->at))
		return cc_err_set(err, CC_EINVALID, "no reference date");
	if (out->n_types < 0)
		return cc_err_set(err, CC_EINVALID, "negative number of types");
	return 0;
}

static int check_incidents(const struct cc_exposure_incident *inc, size_t n, struct cc_err *err)
{
	if (n > UINT32_MAX)
		return cc_err_set(err, CC_EINVALID, "more than %u incidents", UINT32_MAX);
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

/*
 * The incidents in grid order: by key, then first day, then index (the input is in index
 * order and every pass is stable). An LSD radix sort of 11-bit digits, as many passes as the
 * spread of the days and the keys needs: a million incidents in tens of milliseconds, where
 * qsort took ten times that.
 */
#define RADIX_BITS 11
#define RADIX      (1u << RADIX_BITS)

static unsigned bits_of(uint64_t v)
{
	unsigned b = 0;

	while (v) {
		b++;
		v >>= 1;
	}
	return b;
}

static void radix_sort(struct keyed *a, struct keyed *tmp, size_t n)
{
	size_t count[RADIX];
	struct keyed *src = a, *dst = tmp, *t;
	int32_t d0 = 0;
	uint64_t max_key = 0, max_day = 0;
	unsigned day_bits, key_bits;

	for (size_t i = 0; i < n; i++)
		if (i == 0 || a[i].date < d0)
			d0 = a[i].date;
	for (size_t i = 0; i < n; i++) {
		uint64_t d = (uint64_t)((int64_t)a[i].date - d0);

		max_day = d > max_day ? d : max_day;
		max_key = a[i].key > max_key ? a[i].key : max_key;
	}
	day_bits = bits_of(max_day);
	key_bits = bits_of(max_key);
	for (unsigned shift = 0; shift < day_bits + key_bits;) {
		bool by_day = shift < day_bits;
		unsigned sh = by_day ? shift : shift - day_bits;
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++) {
			uint64_t v = by_day ? (uint64_t)((int64_t)src[i].date - d0) : src[i].key;

			count[(v >> sh) & (RADIX - 1)]++;
		}
		for (unsigned d = 0; d < RADIX; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t v = by_day ? (uint64_t)((int64_t)src[i].date - d0) : src[i].key;

			dst[count[(v >> sh) & (RADIX - 1)]++] = src[i];
		}
		t = src;
		src = dst;
		dst = t;
		/* the day's digits end at day_bits: the key's passes start there */
		shift = by_day && shift + RADIX_BITS >= day_bits ? day_bits : shift + RADIX_BITS;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

/* Cells per radius: smaller cells leave fewer candidates outside the circle. */
#define CELLS_PER_RADIUS 2

static void grid_release(struct grid *g)
{
	cc_free(g->ents);
	cc_free(g->cells);
	memset(g, 0, sizeof(*g));
}

/* The grid of the incidents whose days meet lo … hi. */
static int grid_build(struct grid *g, const struct cc_exposure_incident *inc, size_t n,
                      const struct cc_exposure_opts *o, int32_t lo, int32_t hi, struct cc_err *err)
{
	struct keyed *k = NULL;
	size_t m = 0, nc = 0;
	double r_deg = o->radius_km / (CC_EARTH_RADIUS_KM * DEG) / CELLS_PER_RADIUS;

	memset(g, 0, sizeof(*g));
	g->cell_deg = r_deg < 1e-4 ? 1e-4 : r_deg > 180 ? 180 : r_deg;
	g->nrows = (long)ceil(180 / g->cell_deg);
	g->ncols = (long)ceil(360 / g->cell_deg);
	for (size_t i = 0; i < n; i++)
		m += in_window(&inc[i], lo, hi);
	if (m == 0)
		return 0;
	k = cc_alloc_array(2 * m, sizeof(*k)); /* and the radix sort's buffer */
	g->ents = cc_alloc_array(m, sizeof(*g->ents));
	if (!k || !g->ents)
		goto out_nomem;
	m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in_window(&inc[i], lo, hi))
			continue;
		k[m].key = ((uint64_t)row_of(g, inc[i].lat) * (uint64_t)g->ncols +
		            (uint64_t)col_of(g, inc[i].lon))
		                   << 1 |
		           ((int64_t)inc[i].date_end - inc[i].date > LONG_DAYS);
		k[m].date = inc[i].date;
		k[m++].idx = (uint32_t)i;
	}
	radix_sort(k, k + m, m);
	for (size_t j = 0; j < m; j++)
		nc += j == 0 || k[j].key != k[j - 1].key;
	g->cells = cc_alloc_array(nc, sizeof(*g->cells));
	if (!g->cells)
		goto out_nomem;
	nc = 0;
	for (size_t j = 0; j < m; j++) {
		const struct cc_exposure_incident *in = &inc[k[j].idx];
		struct entry *e = &g->ents[j];
		struct cell *c;
		double phi = in->lat * DEG, lam = in->lon * DEG, cp = cos(phi);
		int64_t len = (int64_t)in->date_end - in->date;

		/* the incidents are read in grid order, far apart in memory: ask for them early */
		if (j + 16 < m)
			__builtin_prefetch(&inc[k[j + 16].idx]);

		if (j == 0 || k[j].key != k[j - 1].key) {
			c = &g->cells[nc++];
			*c = (struct cell){ .key = k[j].key,
				            .from = (uint32_t)j,
				            .min_date = in->date,
				            .max_len = len };
		}
		c = &g->cells[nc - 1];
		c->to = (uint32_t)j + 1;
		c->max_date = in->date;
		if (len > c->max_len)
			c->max_len = len;
		e->x = cp * cos(lam);
		e->y = cp * sin(lam);
		e->z = sin(phi);
		e->date = in->date;
		e->date_end = in->date_end;
		e->fat = isfinite(in->fatalities) && in->fatalities > 0 ? in->fatalities : 0;
		e->type = in->type;
		e->idx = k[j].idx;
	}
	g->n = m;
	g->n_cells = nc;
	cc_free(k);
	return 0;
out_nomem:
	cc_free(k);
	grid_release(g);
	return cc_err_set(err, CC_ENOMEM, "out of memory");
}

/* The first cell whose key is >= key. */
static size_t cell_bound(const struct grid *g, uint64_t key)
{
	size_t lo = 0, hi = g->n_cells;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->cells[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first entry of [lo, hi) whose first day is > date (after = true) or >= date. */
static uint32_t date_bound(const struct entry *e, uint32_t lo, uint32_t hi, int64_t date,
                           bool after)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (e[mid].date < date || (after && e[mid].date == date))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct visit {
	const struct grid *g;
	const struct cc_exposure_opts *o;
	const struct cc_exposure_incident *inc;
	double lat, lon;        /* the site, degrees */
	double x, y, z;         /* its unit vector */
	double chord2_lo;       /* squared chords below this are within the radius */
	double chord2_hi;       /* above this, beyond it; between, the haversine decides */
	int32_t at, now_lo, prev_lo, prev_hi;
	unsigned *type_count; /* n_types counters, all 0 between sites */
	int *touched;
	int n_touched;
	struct cc_exposure_result *res;
};

static void visit_cell(struct visit *v, const struct cell *c)
{
	const struct entry *ents = v->g->ents;
	uint32_t from = c->from, to = c->to;

	/* only the incidents that can meet prev_lo … at: first day in at-len … at */
	if (c->max_date > v->at)
		to = date_bound(ents, from, to, v->at, true);
	if (c->min_date < (int64_t)v->prev_lo - c->max_len)
		from = date_bound(ents, from, to, (int64_t)v->prev_lo - c->max_len, false);
	for (uint32_t j = from; j < to; j++) {
		const struct entry *e = &ents[j];
		double dx, dy, dz, d2;
		bool now, prev;

		if (e->date_end < v->prev_lo)
			continue;
		dx = e->x - v->x;
		dy = e->y - v->y;
		dz = e->z - v->z;
		d2 = dx * dx + dy * dy + dz * dz;
		if (d2 > v->chord2_hi)
			continue;
		if (d2 >= v->chord2_lo) {
			const struct cc_exposure_incident *in = &v->inc[e->idx];

			if (cc_haversine_km(v->lat, v->lon, in->lat, in->lon) > v->o->radius_km)
				continue;
		}
		now = e->date_end >= v->now_lo;
		prev = e->date <= v->prev_hi;
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

static void visit_cells(struct visit *v, long row, long c0, long c1)
{
	const struct grid *g = v->g;
	uint64_t base = (uint64_t)row * (uint64_t)g->ncols;
	uint64_t last = (base + (uint64_t)c1) << 1 | 1;

	for (size_t i = cell_bound(g, (base + (uint64_t)c0) << 1);
	     i < g->n_cells && g->cells[i].key <= last; i++)
		visit_cell(v, &g->cells[i]);
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
	double dlam, r = r_deg * DEG, phi, lam, cp;
	long r0, r1;
	int best = -1;

	memset(v->res, 0, sizeof(*v->res));
	v->res->dominant_type = -1;
	if (g->n == 0)
		return;
	v->at = v->o->per_site_at ? s->at : v->o->at;
	v->now_lo = v->at - v->o->window_days + 1;
	v->prev_hi = v->at - v->o->window_days;
	v->prev_lo = v->at - 2 * v->o->window_days + 1;
	v->lat = s->lat;
	v->lon = s->lon;
	phi = s->lat * DEG;
	lam = s->lon * DEG;
	cp = cos(phi);
	v->x = cp * cos(lam);
	v->y = cp * sin(lam);
	v->z = sin(phi);
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

/*
 * The squared chord of the radius between unit vectors (4 sin²(θ/2) is the haversine's 4a)
 * and a band around it wide enough for the rounding of both computations: candidates in the
 * band go to the haversine. When the radius reaches the antipode everything is within it.
 */
static void chord_band(double radius_km, double *lo, double *hi)
{
	double s, t, band;

	if (radius_km >= 2 * CC_EARTH_RADIUS_KM * asin(1.0)) {
		*lo = *hi = (double)INFINITY;
		return;
	}
	s = sin(radius_km / CC_EARTH_RADIUS_KM / 2);
	t = 4 * s * s;
	band = 1e-6 * t + 1e-14 * sqrt(t) + 1e-300;
	*lo = t - band;
	*hi = t + band;
}

#define MAX_THREADS 8
#define CHUNK       64 /* sites taken at a time by a thread */

struct shared {
	const struct cc_exposure_site *sites;
	struct cc_exposure_result *out;
	const struct keyed *order; /* the sites in grid order (idx), so neighbours share cells */
	size_t n_sites;
	atomic_size_t next;
};

struct job {
	struct visit v;
	struct shared *sh;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct shared *sh = j->sh;

	for (;;) {
		size_t from = atomic_fetch_add(&sh->next, CHUNK), to;

		if (from >= sh->n_sites)
			break;
		to = from + CHUNK < sh->n_sites ? from + CHUNK : sh->n_sites;
		for (size_t i = from; i < to; i++) {
			size_t k = sh->order[i].idx;

			j->v.res = &sh->out[k];
			visit_site(&j->v, &sh->sites[k]);
		}
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
	struct shared sh;
	struct job jobs[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	bool started[MAX_THREADS] = { false };
	unsigned *counts = NULL;
	int *touched = NULL;
	struct keyed *order = NULL;
	int32_t lo, hi;
	double c_lo, c_hi;
	int ret, nt;

	if (n_sites)
		memset(out, 0, n_sites * sizeof(*out));
	if ((ret = check_opts(opts, &o, err)) < 0 ||
	    (ret = check_incidents(incidents, n_incidents, err)) < 0)
		return ret;
	lo = o.at - 2 * o.window_days + 1;
	hi = o.at;
	for (size_t i = 0; i < n_sites; i++) {
		if (!valid_point(sites[i].lat, sites[i].lon))
			return cc_err_set(err, CC_EINVALID,
			                  "site %zu: point %g, %g is out of range", i, sites[i].lat,
			                  sites[i].lon);
		if (!o.per_site_at)
			continue;
		if (!valid_date(sites[i].at))
			return cc_err_set(err, CC_EINVALID, "site %zu has no reference date", i);
		if (i == 0 || sites[i].at - 2 * o.window_days + 1 < lo)
			lo = sites[i].at - 2 * o.window_days + 1;
		if (i == 0 || sites[i].at > hi)
			hi = sites[i].at;
	}
	if (n_sites == 0)
		return 0;
	if ((ret = grid_build(&g, incidents, n_incidents, &o, lo, hi, err)) < 0)
		return ret;
	nt = n_threads(&o, n_sites, g.n);
	if ((size_t)nt > (n_sites + CHUNK - 1) / CHUNK)
		nt = (int)((n_sites + CHUNK - 1) / CHUNK);
	/* every thread's counters are allocated here, so allocation failures stay testable */
	if (o.n_types > 0) {
		counts = cc_calloc((size_t)nt * (size_t)o.n_types, sizeof(*counts));
		touched = cc_calloc((size_t)nt * (size_t)o.n_types, sizeof(*touched));
		if (!counts || !touched) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out_free;
		}
	}
	/* visiting the sites cell by cell keeps each cell's incidents in the cache */
	if (n_sites > UINT32_MAX) {
		ret = cc_err_set(err, CC_EINVALID, "more than %u sites", UINT32_MAX);
		goto out_free;
	}
	order = cc_alloc_array(n_sites, sizeof(*order));
	if (!order) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < n_sites; i++)
		order[i] = (struct keyed){ .key = (uint64_t)row_of(&g, sites[i].lat) *
			                                  (uint64_t)g.ncols +
			                          (uint64_t)col_of(&g, sites[i].lon),
			                   .idx = (uint32_t)i };
	qsort(order, n_sites, sizeof(*order), cmp_keyed);
	chord_band(o.radius_km, &c_lo, &c_hi);
	sh.order = order;
	sh.sites = sites;
	sh.out = out;
	sh.n_sites = n_sites;
	atomic_init(&sh.next, 0);
	for (int t = 0; t < nt; t++) {
		struct job *j = &jobs[t];

		memset(j, 0, sizeof(*j));
		j->v.g = &g;
		j->v.o = &o;
		j->v.inc = incidents;
		j->v.chord2_lo = c_lo;
		j->v.chord2_hi = c_hi;
		if (counts) {
			j->v.type_count = counts + (size_t)t * (size_t)o.n_types;
			j->v.touched = touched + (size_t)t * (size_t)o.n_types;
		}
		j->sh = &sh;
	}
	/* a thread that cannot start leaves its share to the others */
	for (int t = 1; t < nt; t++)
		started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
	run_job(&jobs[0]);
	for (int t = 1; t < nt; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
out_free:
	cc_free(order);
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
