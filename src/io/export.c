/*
 * Writers: the 3W as HXL CSV and the areas as GeoJSON. Both stream to FILE.tmp through one
 * capped buffer per record and rename it to FILE when everything is written; on any error the
 * temporary file is removed, so a failed export leaves nothing behind.
 */
#include <concord/export.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/coverage.h>

#include "core/banned.h"

#define ROW_MAX     ((size_t)1 << 20)  /* one CSV row */
#define FEATURE_MAX ((size_t)64 << 20) /* one GeoJSON feature (a detailed coastline) */

/* ---- the output file ---- */

struct out {
	FILE *fp;
	char *tmp; /* path.tmp */
	const char *path;
	struct cc_buf *mem; /* instead of a file: appended to (the _buf variants) */
};

/* An output into the caller's buffer; out_close leaves it as it is on failure too. */
static void out_mem(struct out *o, struct cc_buf *mem)
{
	memset(o, 0, sizeof(*o));
	o->mem = mem;
}

static int out_open(struct out *o, const char *path, struct cc_err *err)
{
	size_t n = strlen(path) + 5;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->tmp = cc_malloc(n);
	if (!o->tmp)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	snprintf(o->tmp, n, "%s.tmp", path);
	o->fp = fopen(o->tmp, "w");
	if (!o->fp) {
		int ret = cc_err_set(err, CC_EIO, "cannot create %s: %s", o->tmp, strerror(errno));

		cc_free(o->tmp);
		o->tmp = NULL;
		return ret;
	}
	return 0;
}

static int out_write(struct out *o, const struct cc_buf *b, struct cc_err *err)
{
	int ret;

	if (o->mem) {
		if (b->len && (ret = cc_buf_add(o->mem, b->buf, b->len)) < 0)
			return cc_err_set(err, ret,
			                  ret == CC_ENOMEM ? "out of memory" : "export too large");
		return 0;
	}
	if (b->len && fwrite(b->buf, 1, b->len, o->fp) != b->len)
		return cc_err_set(err, CC_EIO, "cannot write %s: %s", o->tmp, strerror(errno));
	return 0;
}

/* Closes the file; on ret == 0 renames it into place, else removes it. Returns ret or an error. */
static int out_close(struct out *o, int ret, struct cc_err *err)
{
	if (!o->tmp)
		return ret;
	if (fclose(o->fp) != 0 && ret == 0)
		ret = cc_err_set(err, CC_EIO, "cannot write %s: %s", o->tmp, strerror(errno));
	if (ret == 0 && rename(o->tmp, o->path) != 0)
		ret = cc_err_set(err, CC_EIO, "cannot rename %s to %s: %s", o->tmp, o->path,
		                 strerror(errno));
	if (ret < 0)
		remove(o->tmp);
	cc_free(o->tmp);
	o->tmp = NULL;
	return ret;
}

/* A number as the importers read it back exactly: integers plainly, others with 17 digits. */
static int add_num(struct cc_buf *b, double v)
{
	if (isnan(v))
		return 0;
	if (v == floor(v) && fabs(v) < 1e15)
		return cc_buf_addf(b, "%.0f", v);
	return cc_buf_addf(b, "%.17g", v);
}

/* ---- 3W ---- */

static const struct {
	const char *header;
	const char *tag;
} w3_cols[] = {
	{ "Organisation", "#org+acronym" },
	{ "Organisation name", "#org+name" },
	{ "Organisation type code", "#org+type+code" },
	{ "Organisation type", "#org+type+name" },
	{ "Implementing partner", "#org+impl+name" },
	{ "Funder", "#org+funder+name" },
	{ "Sector vocabulary", "#sector+vocabulary" },
	{ "Sector", "#sector+code" },
	{ "Sector name", "#sector+name" },
	{ "Admin 1 code", "#adm1+code" },
	{ "Admin 1", "#adm1+name" },
	{ "Admin 2 code", "#adm2+code" },
	{ "Admin 2", "#adm2+name" },
	{ "Admin 3 code", "#adm3+code" },
	{ "Admin 3", "#adm3+name" },
	{ "Activity", "#activity" },
	{ "Description", "#activity+description" },
	{ "Start", "#date+start" },
	{ "End", "#date+end" },
	{ "Targeted", "#targeted" },
	{ "Reached", "#reached" },
	{ "Status", "#status" },
	{ "Budget", "#value+budget" },
	{ "Currency", "#currency" },
	{ "Latitude", "#geo+lat" },
	{ "Longitude", "#geo+lon" },
	{ "Kind", "#meta+kind" },
};

#define N_W3 (sizeof(w3_cols) / sizeof(w3_cols[0]))

struct w3 {
	struct out out;
	struct cc_buf row;
	size_t n;
};

static int w3_row(void *ctx, const struct cc_export_activity *a, struct cc_err *err)
{
	struct w3 *w = ctx;
	struct cc_buf *b = &w->row;
	char d1[11], d2[11];
	const char *text[] = {
		a->org_acronym,
		a->org_name,
		a->org_type,
		a->org_type_name,
		a->impl_name,
		a->funder_name,
		a->sector_vocabulary,
		a->sector_code,
		a->sector_name,
		a->adm_code[1],
		a->adm_name[1],
		a->adm_code[2],
		a->adm_name[2],
		a->adm_code[3],
		a->adm_name[3],
		a->title,
		a->description,
		cc_date_format(a->start_date, d1),
		cc_date_format(a->end_date, d2),
	};
	const double nums[] = { a->targeted, a->reached };
	int ret = 0;

	cc_buf_clear(b);
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]) && ret == 0; i++)
		if ((ret = cc_buf_add_csv(b, text[i])) == 0)
			ret = cc_buf_addch(b, ',');
	for (size_t i = 0; i < 2 && ret == 0; i++)
		if ((ret = add_num(b, nums[i])) == 0)
			ret = cc_buf_addch(b, ',');
	if (ret == 0 && (ret = cc_buf_add_csv(b, a->status)) == 0 &&
	    (ret = cc_buf_addch(b, ',')) == 0 && (ret = add_num(b, a->budget)) == 0 &&
	    (ret = cc_buf_addch(b, ',')) == 0 && (ret = cc_buf_add_csv(b, a->currency)) == 0 &&
	    (ret = cc_buf_addch(b, ',')) == 0 && (ret = add_num(b, a->lat)) == 0 &&
	    (ret = cc_buf_addch(b, ',')) == 0 && (ret = add_num(b, a->lon)) == 0 &&
	    (ret = cc_buf_addch(b, ',')) == 0 &&
	    (ret = cc_buf_adds(b, a->kind == CC_KIND_PRESENCE ? "presence" : "activity")) == 0)
		ret = cc_buf_add(b, "\r\n", 2);
	if (ret < 0)
		return cc_err_set(err, ret,
		                  ret == CC_ENOMEM ? "out of memory"
		                                   : "activity %lld: row too long",
		                  (long long)a->id);
	if ((ret = out_write(&w->out, b, err)) < 0)
		return ret;
	w->n++;
	return 0;
}

/* The 3W into a file (path) or into mem. */
static int export_3w(struct cc_store *st, const char *mission, const char *path, struct cc_buf *mem,
                     size_t *n_rows_out, struct cc_err *err)
{
	struct w3 w = { .row = CC_BUF_INIT(ROW_MAX) };
	struct cc_mission m;
	int ret;

	*n_rows_out = 0;
	if ((ret = cc_store_get_mission(st, mission, &m, err)) < 0)
		return ret;
	if (mem)
		out_mem(&w.out, mem);
	else if ((ret = out_open(&w.out, path, err)) < 0)
		return ret;
	for (int pass = 0; pass < 2 && ret == 0; pass++) {
		for (size_t i = 0; i < N_W3 && ret == 0; i++)
			if ((ret = cc_buf_add_csv(&w.row,
			                          pass ? w3_cols[i].tag : w3_cols[i].header)) == 0)
				ret = i + 1 < N_W3 ? cc_buf_addch(&w.row, ',')
				                   : cc_buf_add(&w.row, "\r\n", 2);
	}
	if (ret < 0)
		ret = cc_err_set(err, ret, "out of memory");
	else
		ret = out_write(&w.out, &w.row, err);
	if (ret == 0)
		ret = cc_store_export_activities(st, m.id, w3_row, &w, err);
	ret = out_close(&w.out, ret, err);
	cc_buf_release(&w.row);
	if (ret == 0)
		*n_rows_out = w.n;
	return ret;
}

int cc_export_3w(struct cc_store *st, const char *mission, const char *path, size_t *n_rows_out,
                 struct cc_err *err)
{
	return export_3w(st, mission, path, NULL, n_rows_out, err);
}

int cc_export_3w_buf(struct cc_store *st, const char *mission, struct cc_buf *out,
                     size_t *n_rows_out, struct cc_err *err)
{
	return export_3w(st, mission, NULL, out, n_rows_out, err);
}

/* ---- areas as GeoJSON ---- */

struct geo {
	GEOSContextHandle_t gh;
	GEOSWKBReader *reader;
	GEOSGeoJSONWriter *writer;
};

static int geo_open(struct geo *g, struct cc_err *err)
{
	memset(g, 0, sizeof(*g));
	g->gh = GEOS_init_r();
	if (!g->gh)
		return cc_err_set(err, CC_ENOMEM, "cannot start GEOS");
	g->reader = GEOSWKBReader_create_r(g->gh);
	g->writer = GEOSGeoJSONWriter_create_r(g->gh);
	if (!g->reader || !g->writer)
		return cc_err_set(err, CC_ENOMEM, "cannot start GEOS");
	return 0;
}

static void geo_close(struct geo *g)
{
	if (!g->gh)
		return;
	if (g->reader)
		GEOSWKBReader_destroy_r(g->gh, g->reader);
	if (g->writer)
		GEOSGeoJSONWriter_destroy_r(g->gh, g->writer);
	GEOS_finish_r(g->gh);
	memset(g, 0, sizeof(*g));
}

/* Appends the area's geometry as GeoJSON (or null). */
static int add_geometry(struct cc_store *st, struct geo *g, const struct cc_area *a,
                        struct cc_buf *b, struct cc_err *err)
{
	void *wkb = NULL;
	size_t len = 0;
	GEOSGeometry *geom;
	char *json;
	int ret;

	if ((ret = cc_store_area_geometry(st, a->id, &wkb, &len, err)) < 0)
		return ret;
	if (!wkb) {
		ret = cc_buf_adds(b, "null");
		goto out_ret;
	}
	geom = GEOSWKBReader_read_r(g->gh, g->reader, wkb, len);
	cc_free(wkb);
	if (!geom)
		return cc_err_set(err, CC_EINVALID, "area %s: stored geometry is not valid WKB",
		                  a->pcode);
	json = GEOSGeoJSONWriter_writeGeometry_r(g->gh, g->writer, geom, -1);
	GEOSGeom_destroy_r(g->gh, geom);
	if (!json)
		return cc_err_set(err, CC_EINVALID, "area %s: cannot write its geometry", a->pcode);
	ret = cc_buf_adds(b, json);
	GEOSFree_r(g->gh, json);
out_ret:
	if (ret < 0)
		return cc_err_set(err, ret,
		                  ret == CC_ENOMEM ? "out of memory"
		                                   : "area %s: geometry too large",
		                  a->pcode);
	return 0;
}

static const struct cc_area *area_by_id(const struct cc_area *areas, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (areas[i].id == id)
			return &areas[i];
	return NULL;
}

static int add_coverage(struct cc_buf *b, const struct cc_coverage *cov, int64_t area_id)
{
	const struct cc_coverage_row *row = NULL;
	int ret;

	for (size_t i = 0; i < cov->n_rows && !row; i++)
		if (!cov->rows[i].unspecified && cov->rows[i].area_id == area_id)
			row = &cov->rows[i];
	ret = cc_buf_addf(b, ",\"activities\":%zu,\"organisations\":%zu",
	                  row ? row->n_activities : (size_t)0, row ? row->n_orgs : (size_t)0);
	for (size_t c = 0; c < cov->n_columns && ret == 0; c++)
		if ((ret = cc_buf_addch(b, ',')) == 0 &&
		    (ret = cc_buf_add_json_str(b, cov->columns[c].code)) == 0)
			ret = cc_buf_addf(b, ":%zu", row ? row->cells[c].n_activities : (size_t)0);
	return ret;
}

static int load_cov(struct cc_store *st, const struct cc_export_areas_opts *o,
                    struct cc_coverage *cov, struct cc_err *err)
{
	struct cc_coverage_record *recs = NULL;
	struct cc_coverage_column *cols = NULL;
	struct cc_area *areas = NULL;
	size_t n_recs = 0, n_cols = 0, n_areas = 0;
	struct cc_mission m;
	int ret;

	if ((ret = cc_store_get_mission(st, o->mission, &m, err)) < 0)
		return ret;
	ret = cc_store_load_coverage(st,
	                             &(struct cc_coverage_query){ .mission_id = m.id,
	                                                          .by = CC_BY_PILLAR,
	                                                          .from = CC_DATE_NONE,
	                                                          .to = CC_DATE_NONE },
	                             &recs, &n_recs, &cols, &n_cols, &areas, &n_areas, err);
	if (ret == 0)
		ret = cc_coverage_compute(
		        recs, n_recs, areas, n_areas, cols, n_cols,
		        &(struct cc_coverage_opts){ .level = o->level, .by = CC_BY_PILLAR }, cov,
		        err);
	cc_free(recs);
	cc_free(cols);
	cc_free(areas);
	return ret;
}

/* The areas into a file (path) or into mem. */
static int export_areas(struct cc_store *st, const struct cc_export_areas_opts *opts,
                        const char *path, struct cc_buf *mem, size_t *n_features_out,
                        struct cc_err *err)
{
	struct cc_buf b = CC_BUF_INIT(FEATURE_MAX);
	struct cc_coverage cov = { 0 };
	struct cc_area *areas = NULL, *all = NULL;
	size_t n_areas = 0, n_all = 0;
	struct geo g = { 0 };
	struct out out = { 0 };
	int ret;

	*n_features_out = 0;
	if (opts->with_coverage && opts->level < 1)
		return cc_err_set(err, CC_EUSAGE, "coverage needs an admin level (--level N)");
	if (opts->with_coverage && (ret = load_cov(st, opts, &cov, err)) < 0)
		return ret;
	if ((ret = cc_store_list_areas(st, &(struct cc_area_filter){ .level = opts->level }, &areas,
	                               &n_areas, err)) < 0 ||
	    (ret = cc_store_list_areas(st, &(struct cc_area_filter){ .level = -1 }, &all, &n_all,
	                               err)) < 0)
		goto out_free;
	if ((ret = geo_open(&g, err)) < 0)
		goto out_free;
	if (mem)
		out_mem(&out, mem);
	else if ((ret = out_open(&out, path, err)) < 0)
		goto out_free;
	if ((ret = cc_buf_adds(&b, "{\"type\":\"FeatureCollection\",\"features\":[")) < 0)
		goto out_nomem;
	for (size_t i = 0; i < n_areas && ret == 0; i++) {
		const struct cc_area *a = &areas[i];
		const struct cc_area *p =
		        a->parent_id ? area_by_id(all, n_all, a->parent_id) : NULL;

		if ((i && (ret = cc_buf_add(&b, ",\n", 2)) < 0) ||
		    (ret = cc_buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"pcode\":")) <
		            0 ||
		    (ret = cc_buf_add_json_str(&b, a->pcode)) < 0 ||
		    (ret = cc_buf_adds(&b, ",\"name\":")) < 0 ||
		    (ret = cc_buf_add_json_str(&b, a->name)) < 0 ||
		    (ret = cc_buf_addf(&b, ",\"level\":%d,\"parent\":", a->level)) < 0 ||
		    (ret = p ? cc_buf_add_json_str(&b, p->pcode) : cc_buf_adds(&b, "null")) < 0 ||
		    (opts->with_coverage && (ret = add_coverage(&b, &cov, a->id)) < 0) ||
		    (ret = cc_buf_adds(&b, "},\"geometry\":")) < 0)
			goto out_nomem;
		if ((ret = add_geometry(st, &g, a, &b, err)) < 0)
			goto out_close;
		if ((ret = cc_buf_addch(&b, '}')) < 0)
			goto out_nomem;
		if ((ret = out_write(&out, &b, err)) < 0)
			goto out_close;
		cc_buf_clear(&b);
	}
	if ((ret = cc_buf_adds(&b, "]}\n")) < 0)
		goto out_nomem;
	ret = out_write(&out, &b, err);
	goto out_close;
out_nomem:
	ret = cc_err_set(err, ret, ret == CC_ENOMEM ? "out of memory" : "feature too large");
out_close:
	ret = out_close(&out, ret, err);
	if (ret == 0)
		*n_features_out = n_areas;
out_free:
	geo_close(&g);
	cc_free(areas);
	cc_free(all);
	cc_buf_release(&b);
	cc_coverage_release(&cov);
	return ret;
}

int cc_export_areas(struct cc_store *st, const struct cc_export_areas_opts *opts, const char *path,
                    size_t *n_features_out, struct cc_err *err)
{
	return export_areas(st, opts, path, NULL, n_features_out, err);
}

int cc_export_areas_buf(struct cc_store *st, const struct cc_export_areas_opts *opts,
                        struct cc_buf *out, size_t *n_features_out, struct cc_err *err)
{
	return export_areas(st, opts, NULL, out, n_features_out, err);
}
