/*
 * The events domain's public store functions (<concord/events.h>): argument checks, then the
 * backend's events table (CC_EUNSUPPORTED when the backend has none).
 *
 * cc_store_load_exposure_places computes area centroids with GEOS (reentrant API). GEOS's
 * allocations cannot be routed through cc_malloc; only Concord's own are.
 */
#include <concord/events.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include <concord/alloc.h>
#include <concord/exposure.h>
#include <concord/visibility.h>

#include "store/backend.h"
#include "store/ops_events.h"

#include "core/banned.h"

static const struct cc__events_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->events)
		cc_err_set(err, CC_EUNSUPPORTED, "this store has no incident table");
	return st->ops->events;
}

const char *cc_events_format_name(enum cc_events_format f)
{
	switch (f) {
	case CC_EVENTS_ACLED:
		return "acled";
	case CC_EVENTS_UCDP:
		return "ucdp";
	case CC_EVENTS_AUTO:
		break;
	}
	return NULL;
}

int cc_store_put_incident(struct cc_store *st, struct cc_incident *inc, int64_t batch,
                          enum cc_put_result *res_out, struct cc_err *err)
{
	const struct cc__events_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (!inc->source || (strcmp(inc->source, "acled") != 0 && strcmp(inc->source, "ucdp") != 0))
		return cc_err_set(err, CC_EINVALID, "incident source must be acled or ucdp");
	if (!inc->source_id || !inc->source_id[0])
		return cc_err_set(err, CC_EINVALID, "incident without an id");
	if (inc->date == CC_DATE_NONE || inc->date_end < inc->date)
		return cc_err_set(err, CC_EINVALID, "incident '%s' has no valid dates",
		                  inc->source_id);
	if (!(fabs(inc->lat) <= 90) || !(fabs(inc->lon) <= 180))
		return cc_err_set(err, CC_EINVALID, "incident '%s' has no valid point",
		                  inc->source_id);
	return o->put_incident(st, inc, batch, res_out, err);
}

int cc_store_each_incident(struct cc_store *st, const char *source, cc_incident_fn *fn,
                           void *ctx, struct cc_err *err)
{
	const struct cc__events_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (source && strcmp(source, "acled") != 0 && strcmp(source, "ucdp") != 0)
		return cc_err_set(err, CC_EUSAGE, "source '%s': choose acled or ucdp", source);
	if (!o->each_incident)
		return cc_err_set(err, CC_EUNSUPPORTED, "this store cannot list incidents");
	return o->each_incident(st, source, fn, ctx, err);
}

int cc_store_incident_indexes_drop(struct cc_store *st, char **saved, struct cc_err *err)
{
	const struct cc__events_ops *o = ops(st, err);

	*saved = NULL;
	if (!o)
		return CC_EUNSUPPORTED;
	if (!o->drop_indexes)
		return 0; /* a backend without the need: nothing dropped, nothing to restore */
	return o->drop_indexes(st, saved, err);
}

int cc_store_incident_indexes_restore(struct cc_store *st, const char *saved, struct cc_err *err)
{
	const struct cc__events_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (!saved || !o->restore_indexes)
		return 0;
	return o->restore_indexes(st, saved, err);
}

int cc_store_count_incidents(struct cc_store *st, const char *source, int64_t *n_out,
                             struct cc_err *err)
{
	const struct cc__events_ops *o = ops(st, err);

	*n_out = 0;
	return o ? o->count_incidents(st, source, n_out, err) : CC_EUNSUPPORTED;
}

/* incidents before this day (1900-01-01) are not looked for */
#define LATEST_FLOOR (-25567)

int cc_store_latest_incident(struct cc_store *st, int32_t *date_out, struct cc_err *err)
{
	const struct cc__events_ops *o = ops(st, err);
	int32_t latest = CC_DATE_NONE;
	int ret;

	*date_out = CC_DATE_NONE;
	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = o->latest_incident(st, &latest, err)) < 0)
		return ret;
	if (st->viewer.kind == CC_VIEWER_OPERATOR) {
		*date_out = latest;
		return 0;
	}
	/*
	 * Another reader: the latest incident of all may be one it may not see, and its date is
	 * not the reader's to know. Look for the latest one it may see, a year at a time back from
	 * there, through the read that applies its visibility. An incident that overlaps a year and
	 * ends after it overlaps a later year too, so the first year with any gives the answer.
	 */
	for (int32_t to = latest; to >= LATEST_FLOOR; to -= 366) {
		struct cc_incident_query q = { .from = to - 365, .to = to };
		struct cc_exposure_incident *inc = NULL;
		char(*types)[64] = NULL;
		size_t n = 0, n_types = 0;
		int32_t best = CC_DATE_NONE;

		if ((ret = cc_store_load_incidents(st, &q, &inc, &n, &types, &n_types, err)) < 0)
			return ret;
		for (size_t i = 0; i < n; i++)
			if (best == CC_DATE_NONE || inc[i].date_end > best)
				best = inc[i].date_end;
		cc_free(inc);
		cc_free(types);
		if (best != CC_DATE_NONE) {
			*date_out = best;
			return 0;
		}
	}
	return cc_err_set(err, CC_ENOTFOUND, "no incidents stored");
}

int cc_store_load_incidents(struct cc_store *st, const struct cc_incident_query *q,
                            struct cc_exposure_incident **out, size_t *n_out,
                            char (**types_out)[64], size_t *n_types_out, struct cc_err *err)
{
	const struct cc__events_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	*types_out = NULL;
	*n_types_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	if (q->from == CC_DATE_NONE || q->to == CC_DATE_NONE || q->to < q->from)
		return cc_err_set(err, CC_EINVALID, "incident query needs a date range");
	return o->load_incidents(st, q, out, n_out, types_out, n_types_out, err);
}

/* ---- sites ---- */

struct cent {
	int64_t id; /* area id */
	size_t idx; /* index in the area list */
	int state;  /* 0 not computed, 1 has a centroid, -1 none */
	double lat, lon;
};

static int cmp_cent(const void *a, const void *b)
{
	const struct cent *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct cent *find_cent(struct cent *c, size_t n, int64_t id)
{
	struct cent key = { .id = id };

	return id ? bsearch(&key, c, n, sizeof(*c), cmp_cent) : NULL;
}

/* The centroid of an area's stored geometry: 0 found, 1 none, < 0 an error. */
static int centroid(struct cc_store *st, GEOSContextHandle_t gh, GEOSWKBReader *rd, struct cent *c,
                    struct cc_err *err)
{
	GEOSGeometry *g = NULL, *pt = NULL;
	void *wkb = NULL;
	size_t len = 0;
	double x, y;
	int ret;

	if (c->state)
		return c->state > 0 ? 0 : 1;
	c->state = -1;
	ret = cc_store_area_geometry(st, c->id, &wkb, &len, err);
	if (ret < 0 || !wkb)
		goto out_free;
	g = GEOSWKBReader_read_r(gh, rd, wkb, len);
	pt = g ? GEOSGetCentroid_r(gh, g) : NULL;
	if (pt && !GEOSisEmpty_r(gh, pt) && GEOSGeomGetX_r(gh, pt, &x) == 1 &&
	    GEOSGeomGetY_r(gh, pt, &y) == 1) {
		c->lat = y;
		c->lon = x;
		c->state = 1;
	}
out_free:
	if (pt)
		GEOSGeom_destroy_r(gh, pt);
	if (g)
		GEOSGeom_destroy_r(gh, g);
	cc_free(wkb);
	return ret < 0 ? ret : c->state > 0 ? 0 : 1;
}

int cc_store_load_exposure_places(struct cc_store *st, int64_t mission_id,
                                  struct cc_exposure_place **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__events_ops *o = ops(st, err);
	struct cc_area_filter all = { .level = -1 };
	struct cc_exposure_place *pl = NULL;
	struct cc_area *areas = NULL;
	struct cent *cents = NULL;
	size_t n = 0, n_areas = 0;
	GEOSContextHandle_t gh = NULL;
	GEOSWKBReader *rd = NULL;
	int ret;

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = o->load_places(st, mission_id, &pl, &n, err)) < 0)
		return ret;
	if ((ret = cc_store_list_areas(st, &all, &areas, &n_areas, err)) < 0)
		goto out_free;
	if (n_areas) {
		cents = cc_alloc_array(n_areas, sizeof(*cents));
		if (!cents) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out_free;
		}
	}
	for (size_t i = 0; i < n_areas; i++)
		cents[i] = (struct cent){ .id = areas[i].id, .idx = i };
	if (n_areas)
		qsort(cents, n_areas, sizeof(*cents), cmp_cent);
	for (size_t i = 0; i < n; i++) {
		struct cc_exposure_place *p = &pl[i];
		struct cent *c = find_cent(cents, n_areas, p->area_id);

		if (p->how != CC_PLACE_NONE)
			continue;
		/* the area's centroid, or its nearest ancestor's that has a geometry */
		for (size_t steps = 0; c && steps < n_areas; steps++) {
			if (!areas[c->idx].has_geom) {
				c->state = -1;
			} else if (!gh) {
				gh = GEOS_init_r();
				rd = gh ? GEOSWKBReader_create_r(gh) : NULL;
				if (!rd) {
					ret = cc_err_set(err, CC_ENOMEM, "cannot start GEOS");
					goto out_free;
				}
			}
			if (areas[c->idx].has_geom && (ret = centroid(st, gh, rd, c, err)) < 0)
				goto out_free;
			if (c->state > 0) {
				p->lat = c->lat;
				p->lon = c->lon;
				p->how = CC_PLACE_CENTROID;
				snprintf(p->centroid_of, sizeof(p->centroid_of), "%s",
				         areas[c->idx].pcode);
				break;
			}
			c = find_cent(cents, n_areas, areas[c->idx].parent_id);
		}
	}
	ret = 0;
	*out = pl;
	*n_out = n;
	pl = NULL;
out_free:
	if (rd)
		GEOSWKBReader_destroy_r(gh, rd);
	if (gh)
		GEOS_finish_r(gh);
	cc_free(pl);
	cc_free(areas);
	cc_free(cents);
	return ret;
}
