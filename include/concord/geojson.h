/*
 * GeoJSON (RFC 7946) output for the analyses: a FeatureCollection built into a struct cc_buf,
 * one Feature per result row. The caller writes each feature's properties (the same object its
 * --json output has for that row) and picks its geometry from here:
 *   - a point or a set of points from WGS84 latitude and longitude, written longitude first;
 *   - an admin area's stored boundary (the store's WKB, read with GEOS), its exterior rings
 *     counter-clockwise and its holes clockwise (the right-hand rule, RFC 7946 §3.1.6);
 *   - null, for a row without a place ("geometry": null is a valid Feature, §3.2).
 * Every coordinate is rounded to 6 decimals (about 0.1 m) and written without trailing zeros.
 * There is no "crs" member (RFC 7946 coordinates are WGS84 by definition). Geometries that cross
 * the antimeridian are written as stored, not cut (§3.1.9).
 *
 * Foreign members (§6.1) such as the rules an analysis applied go on the FeatureCollection,
 * between cc_geojson_begin() and the first feature.
 *
 * Lifecycle: cc_geojson_begin(); cc_geojson_member() and the member's value as often as wanted;
 * then per feature cc_geojson_feature(), exactly one geometry call, cc_geojson_properties(), the
 * properties object, cc_geojson_feature_end(); then cc_geojson_end(). cc_geojson_release()
 * frees what the writer holds (GEOS, the geometries it has converted) whatever happened; call it
 * always. An area's geometry is converted once and reused for every feature of that area.
 *
 * Errors: the functions return 0 or the buffer's CC_ENOMEM / CC_ETOOBIG (the buffer is then
 * released, so half-built output never escapes); cc_geojson_area() also returns the store's
 * errors and CC_EINVALID for a stored geometry that is not valid WKB, with err set. GEOS
 * allocates outside cc_malloc (it cannot be hooked). Not thread-safe: one writer per thread.
 */
#ifndef CONCORD_GEOJSON_H
#define CONCORD_GEOJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/buf.h>
#include <concord/error.h>
#include <concord/store.h>

#define CC_GEOJSON_DECIMALS 6

struct cc_geojson {
	struct cc_buf *out;  /* borrowed until cc_geojson_release */
	struct cc_store *st; /* borrowed: where area geometries come from; NULL none */
	size_t n_features;   /* features started so far */
	void *priv;          /* owned: GEOS and the converted area geometries */
};

/* Starts the collection ({"type":"FeatureCollection") in out. */
CC_API int cc_geojson_begin(struct cc_geojson *g, struct cc_buf *out, struct cc_store *st);
/* Writes ,"key": for a foreign member of the collection; the caller writes its JSON value. */
CC_API int cc_geojson_member(struct cc_geojson *g, const char *key);
/* Starts a feature, up to "geometry":; one geometry call must follow. */
CC_API int cc_geojson_feature(struct cc_geojson *g);
/* A Point; null when lat or lon is NAN. */
CC_API int cc_geojson_point(struct cc_geojson *g, double lat, double lon);
/*
 * The points of lat[i], lon[i] (i < n) that are not NAN: none → null, one → Point, more →
 * MultiPoint (in the order given, repeats kept).
 */
CC_API int cc_geojson_points(struct cc_geojson *g, const double *lat, const double *lon, size_t n);
/* The area's stored boundary, or null when it has none (or area_id is 0, or g has no store). */
CC_API int cc_geojson_area(struct cc_geojson *g, int64_t area_id, struct cc_err *err);
/* "geometry": null. */
CC_API int cc_geojson_null(struct cc_geojson *g);
/* Writes ,"properties":; the caller writes a JSON object (or null). */
CC_API int cc_geojson_properties(struct cc_geojson *g);
/* Closes the feature. */
CC_API int cc_geojson_feature_end(struct cc_geojson *g);
/* Closes the feature list and the collection (an empty collection has "features":[]). */
CC_API int cc_geojson_end(struct cc_geojson *g);
/* Frees what the writer holds; accepts NULL and a writer never begun (zeroed). */
CC_API void cc_geojson_release(struct cc_geojson *g);

/* Appends one coordinate as [lon,lat], each rounded to CC_GEOJSON_DECIMALS decimals. */
CC_API int cc_geojson_add_position(struct cc_buf *b, double lon, double lat);

#endif
