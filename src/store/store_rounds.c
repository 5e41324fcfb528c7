/* The rounds domain's store wrappers (<concord/rounds.h>): argument checks, dates as text, then
   dispatch to st->ops->rounds. */
#include <concord/rounds.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include <concord/alloc.h>
#include <concord/crosswalk.h>
#include <concord/exposure.h>

#include "store/backend.h"
#include "store/ops_rounds.h"

#include "core/banned.h"

static const struct cc__rounds_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->rounds)
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend has no reporting rounds");
	return st->ops->rounds;
}

/* The end of day as_of as the first ISO text after it ("YYYY-MM-DD" of the next day). */
static const char *before_text(int32_t as_of, char buf[static 11])
{
	if (as_of == CC_DATE_NONE)
		return NULL;
	return cc_date_format(as_of + 1, buf);
}

int cc_store_record_submissions(struct cc_store *st, int64_t source_id, int64_t batch,
                                struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);

	if (!o)
		return CC_EUNSUPPORTED;
	if (source_id <= 0)
		return cc_err_set(err, CC_EINVALID, "a submission needs a stored source");
	return o->record(st, source_id, batch, NULL, err);
}

int cc_store_list_submissions(struct cc_store *st, int64_t mission_id, int32_t as_of,
                              struct cc_submission **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	char buf[11];

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->list(st, mission_id, before_text(as_of, buf), out, n_out, err);
}

int cc_store_round_orgs(struct cc_store *st, int64_t mission_id, bool all,
                        struct cc_round_org **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->orgs(st, mission_id, all, out, n_out, err);
}

int cc_store_list_sector_codes(struct cc_store *st, const char *vocabulary,
                               struct cc_round_org **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->sectors(st, vocabulary, out, n_out, err);
}

int cc_store_rounds_excluded(struct cc_store *st, int64_t mission_id, int32_t as_of,
                             int64_t **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	char buf[11];

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->excluded(st, mission_id, before_text(as_of, buf), out, n_out, err);
}

int cc_store_set_area_validity(struct cc_store *st, const char *pcode, int32_t from, int32_t to,
                               struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	struct cc_area a;
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if (from != CC_DATE_NONE && to != CC_DATE_NONE && to < from)
		return cc_err_set(err, CC_EINVALID, "area %s: valid-to is before valid-from", pcode);
	if ((ret = cc_store_find_area(st, pcode, &a, err)) < 0)
		return ret;
	return o->set_validity(st, a.id, from, to, false, err);
}

int cc_store_area_validity(struct cc_store *st, const char *pcode, int32_t *from, int32_t *to,
                           struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	struct cc_area a;
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = cc_store_find_area(st, pcode, &a, err)) < 0)
		return ret;
	return o->validity(st, a.id, from, to, err);
}

int cc_store_put_crosswalk(struct cc_store *st, const struct cc_crosswalk *c, const char *source,
                           struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if (!(c->share > 0.0 && c->share <= 1.0))
		return cc_err_set(err, CC_EINVALID, "share %g is not in (0, 1]", c->share);
	if (c->old_id <= 0 || c->new_id <= 0 || c->old_id == c->new_id || c->date == CC_DATE_NONE)
		return cc_err_set(err, CC_EINVALID, "a crosswalk row needs two areas and a date");
	if ((ret = o->put_crosswalk(st, c, source, err)) < 0)
		return ret;
	/* the old area ends the day before, the new one begins that day (unless already set) */
	if ((ret = o->set_validity(st, c->old_id, CC_DATE_NONE, c->date - 1, true, err)) < 0)
		return ret;
	return o->set_validity(st, c->new_id, c->date, CC_DATE_NONE, true, err);
}

int cc_store_list_crosswalk(struct cc_store *st, struct cc_crosswalk **out, size_t *n_out,
                            struct cc_err *err)
{
	const struct cc__rounds_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->list_crosswalk(st, out, n_out, err);
}

int cc_store_crosswalk_rows(struct cc_store *st, struct cc_crosswalk **out, size_t *n_out,
                            struct cc_err *err)
{
	*out = NULL;
	*n_out = 0;
	if (!st->ops->rounds)
		return 0;
	return st->ops->rounds->list_crosswalk(st, out, n_out, err);
}

int cc_store_layout_areas(struct cc_store *st, int32_t at, struct cc_area *areas,
                          size_t *n_areas, struct cc_err *err)
{
	struct cc_crosswalk *cw = NULL;
	size_t n_cw = 0;
	int ret = cc_store_crosswalk_rows(st, &cw, &n_cw, err);

	if (ret == 0)
		ret = cc_crosswalk_layout_areas(cw, n_cw, at, areas, n_areas, err);
	cc_free(cw);
	return ret;
}

static int cmp_area_id(const void *a, const void *b)
{
	const struct cc_area *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The area of id in the sorted areas, or NULL. */
static const struct cc_area *area_by_id(const struct cc_area *areas, size_t n, int64_t id)
{
	struct cc_area key = { .id = id };

	return n ? bsearch(&key, areas, n, sizeof(*areas), cmp_area_id) : NULL;
}

int cc_store_crosswalk_coverage(struct cc_store *st, int32_t at,
                                struct cc_coverage_record **records, size_t *n_records,
                                struct cc_area **areas, size_t *n_areas, size_t *n_carried,
                                struct cc_err *err)
{
	struct cc_area_filter f = { .level = -1 };
	struct cc_crosswalk *cw = NULL;
	struct cc_area *all = NULL, *merged = NULL;
	bool *keep = NULL;
	size_t n_cw = 0, n_all = 0, n = 0, n_kept = 0;
	int ret;

	*n_carried = 0;
	if ((ret = cc_store_crosswalk_rows(st, &cw, &n_cw, err)) < 0 || !n_cw)
		goto out;
	if ((ret = cc_crosswalk_coverage(cw, n_cw, at, records, n_records, n_carried, err)) < 0 ||
	    !*n_carried)
		goto out;
	/* the areas become those the records now refer to, with their ancestors: the new areas
	   the records moved to join, the retired ones no record refers to any more leave */
	if ((ret = cc_store_list_areas(st, &f, &all, &n_all, err)) < 0)
		goto out;
	merged = cc_alloc_array(n_all + *n_areas + 1, sizeof(*merged));
	keep = cc_alloc_array(n_all + *n_areas + 1, sizeof(*keep));
	if (!merged || !keep) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu areas", n_all + *n_areas);
		goto out;
	}
	if (*n_areas)
		memcpy(merged, *areas, *n_areas * sizeof(*merged));
	if (n_all)
		memcpy(merged + *n_areas, all, n_all * sizeof(*merged));
	n = *n_areas + n_all;
	if (n > 1)
		qsort(merged, n, sizeof(*merged), cmp_area_id);
	for (size_t i = 0; i < n; i++) /* one of each id */
		if (!n_kept || merged[n_kept - 1].id != merged[i].id)
			merged[n_kept++] = merged[i];
	n = n_kept;
	n_kept = 0;
	for (size_t i = 0; i < *n_records; i++) {
		int64_t id = (*records)[i].area_id;

		for (int depth = 0; id > 0 && depth < 64; depth++) {
			const struct cc_area *a = area_by_id(merged, n, id);

			if (!a || keep[a - merged])
				break;
			keep[a - merged] = true;
			id = a->parent_id;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (keep[i])
			merged[n_kept++] = merged[i];
	cc_free(*areas);
	*areas = merged;
	*n_areas = n_kept;
	merged = NULL;
out:
	cc_free(cw);
	cc_free(all);
	cc_free(merged);
	cc_free(keep);
	return ret;
}

/* ---- incidents on a layout ---- */

/* An area's boundary, read and prepared on first use. */
struct bound {
	int64_t id;
	GEOSGeometry *g;               /* NULL: none stored */
	const GEOSPreparedGeometry *p; /* owned with g */
};

struct placer {
	struct cc_store *st;
	GEOSContextHandle_t gh;
	GEOSWKBReader *rd;
	struct bound *b;
	size_t n_b, cap_b;
};

static void placer_release(struct placer *pl)
{
	for (size_t i = 0; i < pl->n_b; i++) {
		if (pl->b[i].p)
			GEOSPreparedGeom_destroy_r(pl->gh, pl->b[i].p);
		if (pl->b[i].g)
			GEOSGeom_destroy_r(pl->gh, pl->b[i].g);
	}
	cc_free(pl->b);
	if (pl->rd)
		GEOSWKBReader_destroy_r(pl->gh, pl->rd);
	if (pl->gh)
		GEOS_finish_r(pl->gh);
}

/* The prepared boundary of the area (NULL in *out when it has none); 0 or an error. */
static int placer_bound(struct placer *pl, int64_t id, const GEOSPreparedGeometry **out,
                        struct cc_err *err)
{
	void *wkb = NULL;
	size_t len = 0;
	struct bound *b;
	int ret;

	*out = NULL;
	for (size_t i = 0; i < pl->n_b; i++)
		if (pl->b[i].id == id) {
			*out = pl->b[i].p;
			return 0;
		}
	if (!pl->gh) {
		pl->gh = GEOS_init_r();
		pl->rd = pl->gh ? GEOSWKBReader_create_r(pl->gh) : NULL;
		if (!pl->rd)
			return cc_err_set(err, CC_ENOMEM, "cannot start GEOS");
	}
	if (pl->n_b == pl->cap_b) {
		size_t cap = pl->cap_b ? 2 * pl->cap_b : 8;
		struct bound *nb = cc_realloc(pl->b, cap * sizeof(*nb));

		if (!nb)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		pl->b = nb;
		pl->cap_b = cap;
	}
	if ((ret = cc_store_area_geometry(pl->st, id, &wkb, &len, err)) < 0)
		return ret;
	b = &pl->b[pl->n_b++];
	*b = (struct bound){ .id = id };
	if (wkb) {
		b->g = GEOSWKBReader_read_r(pl->gh, pl->rd, wkb, len);
		b->p = b->g ? GEOSPrepare_r(pl->gh, b->g) : NULL;
	}
	cc_free(wkb);
	*out = b->p;
	return 0;
}

/* An area the crosswalk names that is not on the layout, with what its incidents need. */
struct off_area {
	int64_t id;
	int64_t *cover; /* cc_crosswalk_layout_cover, computed on first use */
	size_t n_cover;
	bool have_cover;
	int64_t above; /* its nearest ancestor on the layout, 0 none; computed on first use */
	bool have_above;
};

static int cmp_off(const void *a, const void *b)
{
	const struct off_area *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The areas the crosswalk names that are not on the layout of at, by id; *out owned. */
static int off_layout(const struct cc_crosswalk *cw, size_t n_cw, int32_t at, struct off_area **out,
                      size_t *n_out, struct cc_err *err)
{
	struct off_area *v = cc_alloc_array(2 * n_cw + 1, sizeof(*v));
	size_t n = 0, k = 0;

	*out = NULL;
	*n_out = 0;
	if (!v)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu crosswalk rows", n_cw);
	for (size_t i = 0; i < n_cw; i++) {
		v[n++].id = cw[i].old_id;
		v[n++].id = cw[i].new_id;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_off);
	for (size_t i = 0; i < n; i++)
		if ((!k || v[k - 1].id != v[i].id) &&
		    !cc_crosswalk_on_layout(cw, n_cw, v[i].id, at))
			v[k++] = v[i];
	*out = v;
	*n_out = k;
	return 0;
}

int cc_store_layout_incidents(struct cc_store *st, int32_t at,
                              struct cc_exposure_incident *incidents, size_t n_incidents,
                              size_t *n_placed, size_t *n_above, struct cc_err *err)
{
	struct cc_area_filter f = { .level = -1 };
	struct placer pl = { .st = st };
	struct cc_crosswalk *cw = NULL;
	struct cc_area *all = NULL;
	struct off_area *off = NULL;
	size_t n_cw = 0, n_all = 0, n_off = 0, placed = 0, above = 0;
	int ret;

	if ((ret = cc_store_crosswalk_rows(st, &cw, &n_cw, err)) < 0 || !n_cw ||
	    (ret = cc_crosswalk_check(cw, n_cw, err)) < 0 ||
	    (ret = off_layout(cw, n_cw, at, &off, &n_off, err)) < 0 || !n_off)
		goto out;
	if ((ret = cc_store_list_areas(st, &f, &all, &n_all, err)) < 0)
		goto out;
	if (n_all > 1)
		qsort(all, n_all, sizeof(*all), cmp_area_id);
	for (size_t i = 0; i < n_incidents; i++) {
		struct cc_exposure_incident *inc = &incidents[i];
		struct off_area key = { .id = inc->area_id }, *o;
		int64_t to = 0;

		if (inc->area_id <= 0 || !(o = bsearch(&key, off, n_off, sizeof(*off), cmp_off)))
			continue; /* on the layout */
		if (!o->have_cover &&
		    (ret = cc_crosswalk_layout_cover(cw, n_cw, o->id, at, &o->cover, &o->n_cover,
		                                     err)) < 0)
			goto out;
		o->have_cover = true;
		/* the area of the layout whose boundary covers the point */
		for (size_t k = 0;
		     k < o->n_cover && !to && isfinite(inc->lat) && isfinite(inc->lon); k++) {
			const GEOSPreparedGeometry *p;
			GEOSGeometry *pt;
			char hit;

			if ((ret = placer_bound(&pl, o->cover[k], &p, err)) < 0)
				goto out;
			if (!p)
				continue;
			pt = GEOSGeom_createPointFromXY_r(pl.gh, inc->lon, inc->lat);
			if (!pt) {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
				goto out;
			}
			hit = GEOSPreparedIntersects_r(pl.gh, p, pt);
			GEOSGeom_destroy_r(pl.gh, pt);
			if (hit == 1)
				to = o->cover[k];
		}
		if (to) {
			placed++;
		} else {
			/* else its nearest ancestor on the layout, or no area */
			if (!o->have_above) {
				const struct cc_area *a = area_by_id(all, n_all, o->id);

				for (int depth = 0; a && depth < 64; depth++) {
					a = a->parent_id > 0 ? area_by_id(all, n_all, a->parent_id)
					                     : NULL;
					if (a && cc_crosswalk_on_layout(cw, n_cw, a->id, at)) {
						o->above = a->id;
						break;
					}
				}
				o->have_above = true;
			}
			to = o->above;
			above++;
		}
		inc->area_id = to;
	}
out:
	if (n_placed)
		*n_placed = ret == 0 ? placed : 0;
	if (n_above)
		*n_above = ret == 0 ? above : 0;
	placer_release(&pl);
	for (size_t i = 0; i < n_off; i++)
		cc_free(off[i].cover);
	cc_free(off);
	cc_free(cw);
	cc_free(all);
	return ret;
}

int cc__rounds_filter_coverage(struct cc_store *st, int64_t mission_id, int32_t as_of,
                               struct cc_coverage_record *records, size_t *n_records,
                               struct cc_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int ret;

	if (!st->ops->rounds || !*n_records)
		return 0;
	if (as_of == 0)
		as_of = CC_DATE_NONE;
	ret = cc_store_rounds_excluded(st, mission_id, as_of, &ids, &n, err);
	if (ret == 0)
		cc_rounds_filter(records, n_records, ids, n);
	cc_free(ids);
	return ret;
}
