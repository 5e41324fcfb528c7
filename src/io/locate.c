/*
 * Placing points in admin areas (see io/locate.h): the grid-cell cache of candidate areas, the
 * cache of prepared geometries, and the test itself.
 */
#include "io/locate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

struct cc__geom {
	int64_t area_id;
	int level;
	GEOSGeometry *g;               /* owned; NULL: the area has no usable geometry */
	const GEOSPreparedGeometry *p; /* owned with g */
};

struct cc__cell {
	struct cc_area *areas; /* owned */
	size_t n;
};

/*
 * A map of non-zero 64-bit keys to indexes (open addressing, linear probing, at most half
 * full): asked once or twice for every point placed, where a map of formatted keys cost a
 * snprintf and a string hash each time.
 */
struct cc__ixmap {
	uint64_t *keys; /* 0: an empty slot */
	size_t *vals;
	size_t cap, n; /* cap: a power of two */
};

static size_t ix_slot(const struct cc__ixmap *m, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15u;
	size_t i = (size_t)(h >> 32) & (m->cap - 1);

	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static bool ix_get(const struct cc__ixmap *m, uint64_t key, size_t *val)
{
	size_t i;

	if (!m || !m->n)
		return false;
	i = ix_slot(m, key);
	if (!m->keys[i])
		return false;
	*val = m->vals[i];
	return true;
}

static void ix_free(struct cc__ixmap *m)
{
	if (!m)
		return;
	cc_free(m->keys);
	cc_free(m->vals);
	cc_free(m);
}

/* Adds key (not present) → val; CC_ENOMEM. */
static int ix_put(struct cc__ixmap **mp, uint64_t key, size_t val)
{
	struct cc__ixmap *m = *mp;

	if (!m) {
		m = cc_alloc_array(1, sizeof(*m));
		if (!m)
			return CC_ENOMEM;
		*mp = m;
	}
	if (2 * (m->n + 1) > m->cap) {
		struct cc__ixmap big = { .cap = m->cap ? 2 * m->cap : 64 };

		big.keys = cc_alloc_array(big.cap, sizeof(*big.keys));
		big.vals = cc_alloc_array(big.cap, sizeof(*big.vals));
		if (!big.keys || !big.vals) {
			cc_free(big.keys);
			cc_free(big.vals);
			return CC_ENOMEM;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (m->keys[i]) {
				size_t j = ix_slot(&big, m->keys[i]);

				big.keys[j] = m->keys[i];
				big.vals[j] = m->vals[i];
			}
		}
		big.n = m->n;
		cc_free(m->keys);
		cc_free(m->vals);
		*m = big;
	}
	{
		size_t i = ix_slot(m, key);

		m->keys[i] = key;
		m->vals[i] = val;
		m->n++;
	}
	return 0;
}

void cc__locator_init(struct cc__locator *l, struct cc_store *st)
{
	memset(l, 0, sizeof(*l));
	l->st = st;
	l->last_level = -1;
}


static int geos_start(struct cc__locator *l, struct cc_err *err)
{
	if (l->gh)
		return 0;
	l->gh = GEOS_init_r();
	if (!l->gh)
		return cc_err_set(err, CC_ENOMEM, "cannot start GEOS");
	return 0;
}

/* The prepared geometry of an area (read and prepared on first use); NULL when it has none. */
static int area_geom(struct cc__locator *l, const struct cc_area *a, struct cc__geom **out,
                     struct cc_err *err)
{
	uint64_t key = (uint64_t)a->id;
	size_t ix;
	void *wkb = NULL;
	size_t len = 0;
	struct cc__geom *g;
	GEOSWKBReader *rd;
	int ret;

	if (ix_get(l->geom_ix, key, &ix)) {
		*out = &l->geoms[ix];
		return 0;
	}
	if (l->n_geoms == l->cap_geoms) {
		size_t cap = l->cap_geoms ? l->cap_geoms * 2 : 64;
		void *p = cc_realloc(l->geoms, cap * sizeof(*l->geoms));

		if (!p)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		l->geoms = p;
		l->cap_geoms = cap;
	}
	if ((ret = cc_store_area_geometry(l->st, a->id, &wkb, &len, err)) < 0)
		return ret;
	g = &l->geoms[l->n_geoms];
	memset(g, 0, sizeof(*g));
	g->area_id = a->id;
	g->level = a->level;
	if (wkb) {
		rd = GEOSWKBReader_create_r(l->gh);
		g->g = rd ? GEOSWKBReader_read_r(l->gh, rd, wkb, len) : NULL;
		if (rd)
			GEOSWKBReader_destroy_r(l->gh, rd);
		g->p = g->g ? GEOSPrepare_r(l->gh, g->g) : NULL;
		if (g->g && !g->p) {
			GEOSGeom_destroy_r(l->gh, g->g);
			g->g = NULL;
		}
	}
	cc_free(wkb);
	if (ix_put(&l->geom_ix, key, l->n_geoms) < 0) {
		if (g->g) {
			GEOSPreparedGeom_destroy_r(l->gh, g->p);
			GEOSGeom_destroy_r(l->gh, g->g);
		}
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	*out = &l->geoms[l->n_geoms++];
	return 0;
}

static void cells_release(struct cc__locator *l)
{
	for (size_t i = 0; i < l->n_cells; i++)
		cc_free(l->cells[i].areas);
	cc_free(l->cells);
	ix_free(l->cell_ix);
	l->cell_ix = NULL;
	l->cells = NULL;
	l->n_cells = l->cap_cells = 0;
}

/* The candidate areas of the cell holding (lat, lon) (borrowed until the next call). */
static int cell_areas(struct cc__locator *l, double lat, double lon, struct cc__cell **out,
                      struct cc_err *err)
{
	long row = (long)floor(lat / CC__LOCATE_CELL_DEG), col = (long)floor(lon / CC__LOCATE_CELL_DEG);
	struct cc_area_filter f = { .level = -1, .in_bbox = true };
	struct cc__cell c = { 0 };
	/* row and col are within ±2^20 for any finite latitude and longitude: never key 0 */
	uint64_t key = ((uint64_t)(row + (1L << 20)) << 32) | (uint64_t)(col + (1L << 20));
	size_t ix;
	int ret;

	if (ix_get(l->cell_ix, key, &ix)) {
		*out = &l->cells[ix];
		return 0;
	}
	if (l->n_cells >= CC__LOCATE_MAX_CELLS)
		cells_release(l); /* a bound on memory: start again */
	if (l->n_cells == l->cap_cells) {
		size_t cap = l->cap_cells ? l->cap_cells * 2 : 256;
		void *p = cc_realloc(l->cells, cap * sizeof(*l->cells));

		if (!p)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		l->cells = p;
		l->cap_cells = cap;
	}
	f.miny = (double)row * CC__LOCATE_CELL_DEG;
	f.maxy = (double)(row + 1) * CC__LOCATE_CELL_DEG;
	f.minx = (double)col * CC__LOCATE_CELL_DEG;
	f.maxx = (double)(col + 1) * CC__LOCATE_CELL_DEG;
	if ((ret = cc_store_list_areas(l->st, &f, &c.areas, &c.n, err)) < 0)
		return ret;
	if (ix_put(&l->cell_ix, key, l->n_cells) < 0) {
		cc_free(c.areas);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	l->cells[l->n_cells] = c;
	*out = &l->cells[l->n_cells++];
	return 0;
}

int cc__locate(struct cc__locator *l, double lat, double lon, int64_t *area_out, int *level_out,
               struct cc_err *err)
{
	struct cc__cell *cell = NULL;
	struct cc_area *areas;
	GEOSGeometry *pt = NULL;
	size_t n;
	int best_level = -1, ret;

	*area_out = 0;
	if (level_out)
		*level_out = -1;
	if (l->have_last && l->last_lat == lat && l->last_lon == lon) {
		*area_out = l->last_area;
		if (level_out)
			*level_out = l->last_level;
		return 0;
	}
	l->have_last = false;
	if ((ret = cell_areas(l, lat, lon, &cell, err)) < 0)
		return ret;
	if (!cell) /* cell_areas() sets it on success; this tells the compiler so */
		return cc_err_set(err, CC_EINVALID, "no area cell for %g %g", lat, lon);
	areas = cell->areas;
	n = cell->n;
	for (size_t i = 0; i < n; i++) {
		struct cc__geom *g = NULL;

		if (!areas[i].has_geom || areas[i].level <= best_level)
			continue;
		if (lon < areas[i].minx || lon > areas[i].maxx || lat < areas[i].miny ||
		    lat > areas[i].maxy)
			continue;
		if ((ret = geos_start(l, err)) < 0 ||
		    (ret = area_geom(l, &areas[i], &g, err)) < 0)
			goto out_free;
		if (!g || !g->p)
			continue;
		if (!pt) {
			pt = GEOSGeom_createPointFromXY_r(l->gh, lon, lat);
			if (!pt) {
				ret = cc_err_set(err, CC_ENOMEM, "cannot make a GEOS point");
				goto out_free;
			}
		}
		if (GEOSPreparedIntersects_r(l->gh, g->p, pt) == 1) {
			best_level = areas[i].level;
			*area_out = areas[i].id;
		}
	}
	l->have_last = true;
	l->last_lat = lat;
	l->last_lon = lon;
	l->last_area = *area_out;
	l->last_level = best_level;
	if (level_out)
		*level_out = best_level;
out_free:
	if (pt)
		GEOSGeom_destroy_r(l->gh, pt);
	return ret;
}

void cc__locator_release(struct cc__locator *l)
{
	for (size_t i = 0; i < l->n_geoms; i++) {
		if (l->geoms[i].g) {
			GEOSPreparedGeom_destroy_r(l->gh, l->geoms[i].p);
			GEOSGeom_destroy_r(l->gh, l->geoms[i].g);
		}
	}
	cc_free(l->geoms);
	if (l->gh)
		GEOS_finish_r(l->gh);
	ix_free(l->geom_ix);
	cells_release(l);
	memset(l, 0, sizeof(*l));
}
