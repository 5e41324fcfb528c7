/*
 * GeoJSON (RFC 7946) FeatureCollections for the analyses (see <concord/geojson.h>).
 *
 * Area boundaries come from the store as WKB and are read with GEOS. GEOS's own GeoJSON writer
 * cannot round coordinates, so the geometry is walked here and every position written with six
 * decimals. GEOS normalises a polygon with its shell clockwise and its holes counter-clockwise;
 * reversing that gives the right-hand rule RFC 7946 asks for.
 */
#include <concord/geojson.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include <concord/alloc.h>

#include "core/banned.h"

/* One area's geometry as GeoJSON text, in the cache buffer ("null" when it has none). */
struct cached {
	int64_t area_id;
	size_t off, len;
};

struct priv {
	GEOSContextHandle_t gh;
	GEOSWKBReader *reader;
	struct cached *cache; /* by area_id */
	size_t n_cache, cap_cache;
	struct cc_buf text; /* the cached geometries */
	bool in_features;   /* "features":[ written */
};

static struct priv *priv_of(struct cc_geojson *g)
{
	if (!g->priv) {
		struct priv *p = cc_calloc(1, sizeof(*p));

		if (!p)
			return NULL;
		cc_buf_init(&p->text, g->out ? g->out->max : 0);
		g->priv = p;
	}
	return g->priv;
}

/* A degree value with at most six decimals, without trailing zeros, never "-0". */
static int add_deg(struct cc_buf *b, double v)
{
	char s[64];
	int n = snprintf(s, sizeof(s), "%.*f", CC_GEOJSON_DECIMALS, v);

	if (n <= 0 || (size_t)n >= sizeof(s))
		return cc_buf_adds(b, "null"); /* cannot happen for a finite degree value */
	while (n > 0 && s[n - 1] == '0')
		n--;
	if (n > 0 && s[n - 1] == '.')
		n--;
	s[n] = '\0';
	if (!strcmp(s, "-0"))
		return cc_buf_addch(b, '0');
	return cc_buf_add(b, s, (size_t)n);
}

int cc_geojson_add_position(struct cc_buf *b, double lon, double lat)
{
	int ret = cc_buf_addch(b, '[');

	if (ret == 0)
		ret = add_deg(b, lon);
	if (ret == 0)
		ret = cc_buf_addch(b, ',');
	if (ret == 0)
		ret = add_deg(b, lat);
	if (ret == 0)
		ret = cc_buf_addch(b, ']');
	return ret;
}

int cc_geojson_begin(struct cc_geojson *g, struct cc_buf *out, struct cc_store *st)
{
	*g = (struct cc_geojson){ .out = out, .st = st };
	return cc_buf_adds(out, "{\"type\":\"FeatureCollection\"");
}

int cc_geojson_member(struct cc_geojson *g, const char *key)
{
	int ret = cc_buf_addch(g->out, ',');

	if (ret == 0)
		ret = cc_buf_add_json_str(g->out, key);
	if (ret == 0)
		ret = cc_buf_addch(g->out, ':');
	return ret;
}

int cc_geojson_feature(struct cc_geojson *g)
{
	struct priv *p = priv_of(g);
	int ret = 0;

	if (!p)
		return CC_ENOMEM;
	if (!p->in_features) {
		ret = cc_buf_adds(g->out, ",\"features\":[");
		p->in_features = true;
	}
	if (ret == 0 && g->n_features)
		ret = cc_buf_addch(g->out, ',');
	if (ret == 0)
		ret = cc_buf_adds(g->out, "\n{\"type\":\"Feature\",\"geometry\":");
	g->n_features++;
	return ret;
}

int cc_geojson_null(struct cc_geojson *g)
{
	return cc_buf_adds(g->out, "null");
}

int cc_geojson_point(struct cc_geojson *g, double lat, double lon)
{
	return cc_geojson_points(g, &lat, &lon, 1);
}

int cc_geojson_points(struct cc_geojson *g, const double *lat, const double *lon, size_t n)
{
	size_t n_valid = 0;
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		n_valid += !isnan(lat[i]) && !isnan(lon[i]);
	if (!n_valid)
		return cc_geojson_null(g);
	ret = cc_buf_adds(g->out, n_valid == 1 ? "{\"type\":\"Point\",\"coordinates\":"
	                                       : "{\"type\":\"MultiPoint\",\"coordinates\":[");
	for (size_t i = 0, k = 0; i < n && ret == 0; i++) {
		if (isnan(lat[i]) || isnan(lon[i]))
			continue;
		if (k++)
			ret = cc_buf_addch(g->out, ',');
		if (ret == 0)
			ret = cc_geojson_add_position(g->out, lon[i], lat[i]);
	}
	if (ret == 0)
		ret = cc_buf_adds(g->out, n_valid == 1 ? "}" : "]}");
	return ret;
}

/* ---- area geometries ---- */

/* The positions of a coordinate sequence as [[lon,lat],…]. */
static int add_seq(GEOSContextHandle_t gh, struct cc_buf *b, const GEOSCoordSequence *seq)
{
	unsigned int n = 0;
	int ret;

	if (!seq || !GEOSCoordSeq_getSize_r(gh, seq, &n))
		return CC_EINVALID;
	ret = cc_buf_addch(b, '[');
	for (unsigned int i = 0; i < n && ret == 0; i++) {
		double x, y;

		if (!GEOSCoordSeq_getXY_r(gh, seq, i, &x, &y))
			return CC_EINVALID;
		if (i)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = cc_geojson_add_position(b, x, y);
	}
	if (ret == 0)
		ret = cc_buf_addch(b, ']');
	return ret;
}

/* A polygon's rings as [[…shell…],[…hole…],…]. */
static int add_rings(GEOSContextHandle_t gh, struct cc_buf *b, const GEOSGeometry *poly)
{
	int n_holes = GEOSGetNumInteriorRings_r(gh, poly);
	const GEOSGeometry *ring = GEOSGetExteriorRing_r(gh, poly);
	int ret;

	if (n_holes < 0 || !ring)
		return CC_EINVALID;
	ret = cc_buf_addch(b, '[');
	if (ret == 0)
		ret = add_seq(gh, b, GEOSGeom_getCoordSeq_r(gh, ring));
	for (int i = 0; i < n_holes && ret == 0; i++) {
		ring = GEOSGetInteriorRingN_r(gh, poly, i);
		if (!ring)
			return CC_EINVALID;
		ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = add_seq(gh, b, GEOSGeom_getCoordSeq_r(gh, ring));
	}
	if (ret == 0)
		ret = cc_buf_addch(b, ']');
	return ret;
}

/* One geometry object; depth bounds the nesting of collections. */
static int add_geom(GEOSContextHandle_t gh, struct cc_buf *b, const GEOSGeometry *geom, int depth)
{
	static const char *const names[] = {
		[GEOS_POINT] = "Point",
		[GEOS_LINESTRING] = "LineString",
		[GEOS_LINEARRING] = "LineString",
		[GEOS_POLYGON] = "Polygon",
		[GEOS_MULTIPOINT] = "MultiPoint",
		[GEOS_MULTILINESTRING] = "MultiLineString",
		[GEOS_MULTIPOLYGON] = "MultiPolygon",
		[GEOS_GEOMETRYCOLLECTION] = "GeometryCollection",
	};
	int type = GEOSGeomTypeId_r(gh, geom);
	int n, ret;

	if (type < 0 || (size_t)type >= sizeof(names) / sizeof(names[0]) || depth > 8)
		return CC_EINVALID;
	ret = cc_buf_addf(b, "{\"type\":\"%s\",\"%s\":", names[type],
	                  type == GEOS_GEOMETRYCOLLECTION ? "geometries" : "coordinates");
	if (ret < 0)
		return ret;
	switch (type) {
	case GEOS_POINT: {
		double x, y;

		if (GEOSisEmpty_r(gh, geom) || !GEOSGeomGetX_r(gh, geom, &x) ||
		    !GEOSGeomGetY_r(gh, geom, &y))
			return CC_EINVALID;
		ret = cc_geojson_add_position(b, x, y);
		break;
	}
	case GEOS_LINESTRING:
	case GEOS_LINEARRING:
		ret = add_seq(gh, b, GEOSGeom_getCoordSeq_r(gh, geom));
		break;
	case GEOS_POLYGON:
		ret = add_rings(gh, b, geom);
		break;
	default: /* the multi types and collections */
		n = GEOSGetNumGeometries_r(gh, geom);
		if (n < 0)
			return CC_EINVALID;
		ret = cc_buf_addch(b, '[');
		for (int i = 0; i < n && ret == 0; i++) {
			const GEOSGeometry *part = GEOSGetGeometryN_r(gh, geom, i);

			if (!part)
				return CC_EINVALID;
			if (i)
				ret = cc_buf_addch(b, ',');
			if (ret < 0)
				break;
			switch (type) {
			case GEOS_MULTIPOINT: {
				double x, y;

				if (!GEOSGeomGetX_r(gh, part, &x) || !GEOSGeomGetY_r(gh, part, &y))
					return CC_EINVALID;
				ret = cc_geojson_add_position(b, x, y);
				break;
			}
			case GEOS_MULTILINESTRING:
				ret = add_seq(gh, b, GEOSGeom_getCoordSeq_r(gh, part));
				break;
			case GEOS_MULTIPOLYGON:
				ret = add_rings(gh, b, part);
				break;
			default:
				ret = add_geom(gh, b, part, depth + 1);
				break;
			}
		}
		if (ret == 0)
			ret = cc_buf_addch(b, ']');
		break;
	}
	if (ret == 0)
		ret = cc_buf_addch(b, '}');
	return ret;
}

static int geos_open(struct priv *p, struct cc_err *err)
{
	if (p->gh)
		return 0;
	p->gh = GEOS_init_r();
	if (!p->gh)
		return cc_err_set(err, CC_ENOMEM, "cannot start GEOS");
	p->reader = GEOSWKBReader_create_r(p->gh);
	if (!p->reader)
		return cc_err_set(err, CC_ENOMEM, "cannot start GEOS");
	return 0;
}

/* Converts the WKB into p->text; "null" for an empty geometry. */
static int convert(struct priv *p, int64_t area_id, const void *wkb, size_t len, struct cc_err *err)
{
	GEOSGeometry *geom, *rev = NULL;
	int ret;

	if ((ret = geos_open(p, err)) < 0)
		return ret;
	geom = GEOSWKBReader_read_r(p->gh, p->reader, wkb, len);
	if (!geom)
		return cc_err_set(err, CC_EINVALID, "area %lld: stored geometry is not valid WKB",
		                  (long long)area_id);
	if (GEOSisEmpty_r(p->gh, geom)) {
		GEOSGeom_destroy_r(p->gh, geom);
		return cc_buf_adds(&p->text, "null");
	}
	/* shells clockwise, holes counter-clockwise; reversed: the right-hand rule */
	if (GEOSNormalize_r(p->gh, geom) != 0 || !(rev = GEOSReverse_r(p->gh, geom))) {
		GEOSGeom_destroy_r(p->gh, geom);
		return cc_err_set(err, CC_EINVALID, "area %lld: cannot orient its geometry",
		                  (long long)area_id);
	}
	GEOSGeom_destroy_r(p->gh, geom);
	ret = add_geom(p->gh, &p->text, rev, 0);
	GEOSGeom_destroy_r(p->gh, rev);
	if (ret == CC_EINVALID)
		return cc_err_set(err, ret, "area %lld: cannot read its geometry",
		                  (long long)area_id);
	return ret;
}

static int cmp_cached(const void *a, const void *b)
{
	int64_t x = ((const struct cached *)a)->area_id, y = ((const struct cached *)b)->area_id;

	return (x > y) - (x < y);
}

int cc_geojson_area(struct cc_geojson *g, int64_t area_id, struct cc_err *err)
{
	struct priv *p = priv_of(g);
	struct cached key = { .area_id = area_id }, *c;
	void *wkb = NULL;
	size_t len = 0, lo = 0, hi, off;
	int ret;

	if (!p)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (!area_id || !g->st)
		return cc_geojson_null(g);
	c = p->n_cache ? bsearch(&key, p->cache, p->n_cache, sizeof(*c), cmp_cached) : NULL;
	if (c) {
		ret = cc_buf_add(g->out, p->text.buf + c->off, c->len);
		goto out_ret;
	}
	if ((ret = cc_store_area_geometry(g->st, area_id, &wkb, &len, err)) < 0)
		return ret;
	off = p->text.len;
	if (!wkb) {
		ret = cc_buf_adds(&p->text, "null");
	} else {
		ret = convert(p, area_id, wkb, len, err);
		cc_free(wkb);
		if (ret == CC_EINVALID)
			return ret;
	}
	if (ret < 0)
		goto out_ret;
	/* remember it, keeping the cache sorted by area */
	if (p->n_cache == p->cap_cache) {
		size_t cap = p->cap_cache ? p->cap_cache * 2 : 64;
		struct cached *nc = cap > SIZE_MAX / sizeof(*nc)
		                            ? NULL
		                            : cc_realloc(p->cache, cap * sizeof(*nc));

		if (!nc) {
			ret = CC_ENOMEM;
			goto out_ret;
		}
		p->cache = nc;
		p->cap_cache = cap;
	}
	hi = p->n_cache;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->cache[mid].area_id < area_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&p->cache[lo + 1], &p->cache[lo], (p->n_cache - lo) * sizeof(*p->cache));
	p->cache[lo] = (struct cached){ .area_id = area_id, .off = off, .len = p->text.len - off };
	p->n_cache++;
	ret = cc_buf_add(g->out, p->text.buf + off, p->text.len - off);
out_ret:
	if (ret < 0) {
		p->n_cache = 0; /* the text buffer may have been released with the error */
		return cc_err_set(err, ret,
		                  ret == CC_ENOMEM ? "out of memory" : "GeoJSON output too large");
	}
	return 0;
}

int cc_geojson_properties(struct cc_geojson *g)
{
	return cc_buf_adds(g->out, ",\"properties\":");
}

int cc_geojson_feature_end(struct cc_geojson *g)
{
	return cc_buf_addch(g->out, '}');
}

int cc_geojson_end(struct cc_geojson *g)
{
	struct priv *p = priv_of(g);
	int ret = 0;

	if (!p)
		return CC_ENOMEM;
	if (!p->in_features) {
		ret = cc_buf_adds(g->out, ",\"features\":[");
		p->in_features = true;
	}
	if (ret == 0)
		ret = cc_buf_adds(g->out, "\n]}\n");
	return ret;
}

void cc_geojson_release(struct cc_geojson *g)
{
	struct priv *p;

	if (!g || !g->priv)
		return;
	p = g->priv;
	if (p->gh) {
		if (p->reader)
			GEOSWKBReader_destroy_r(p->gh, p->reader);
		GEOS_finish_r(p->gh);
	}
	cc_free(p->cache);
	cc_buf_release(&p->text);
	cc_free(p);
	g->priv = NULL;
}
