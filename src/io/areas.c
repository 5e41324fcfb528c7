/*
 * Admin areas into the store: boundary files (GeoJSON, Shapefile, GeoPackage: anything GDAL/OGR
 * reads as vectors) and P-code gazetteers (CSV). Only this importer gives areas geometry.
 *
 * Format: a name ending in .csv is a gazetteer, the usual vector extensions and folders go to
 * GDAL, and otherwise text whose first line has a comma, semicolon or tab is a gazetteer (its
 * delimiter is the most frequent of the three).
 *
 * Boundary files. Each feature of the file's only layer is one area of level opts->level. Its
 * geometry is made 2D, reprojected to WGS84 lon/lat (traditional GIS axis order) when the layer
 * has another CRS, checked (and repaired) with GEOS, and stored as little-endian 2D WKB with its
 * bounding box. The feature then names its area:
 *   - with opts->code_field, the value is the P-code; the area is created when it is new;
 *   - without it, the feature attaches to an area already stored (from a gazetteer): through
 *     opts->code_map (a CSV "feature,pcode" keyed by the normalised opts->name_field value; a
 *     match also stores the feature's name as an alias of the area), else by normalised name or
 *     alias within its parent (when known). A feature that matches nothing is rejected, and so
 *     is a second feature naming the same area. --code-map and --code-field exclude each other.
 * The parent is the opts->parent_field value when given, else the stored area of level N-1 whose
 * polygon contains the feature's point on surface (R*Tree box filter, then prepared geometries).
 * A located parent is used for new areas and for areas without one; it never replaces the parent
 * a gazetteer gave, because the P-code table is the authority on the hierarchy.
 *
 * Gazetteers. The layout is decided by the header:
 *   - long: one row per area with columns for P-code, name, level and parent P-code (OCHA's
 *     global P-code list: "P-Code,Name,Admin Level,Parent P-Code"); opts->*_field name them when
 *     the defaults are not found. Rows are stored by level, so parents precede children. A level-1
 *     row whose parent P-code is neither stored nor in the file names the country (OCHA's list
 *     gives "AFG"): an adm0 area with that code (named by the code) is created for it;
 *   - wide: one row per lowest-level unit, its whole hierarchy in columns, tagged with HXL on
 *     the first or second row (#adm1+code, #adm1+name, #adm2+code, …, #country or #adm0 for
 *     level 0) or named as in the COD-AB tables (ADM1_PCODE, ADM1_EN, …). A unit repeated on
 *     later rows must agree with its first row (name, level, parent); a row that contradicts
 *     is rejected as a whole.
 * opts->level N >= 1 limits a gazetteer to levels <= N (rows below are skipped and not counted);
 * a long layout without a level column needs it and gives every row that level. For boundary
 * files it is required (N >= 0; 0 is countries, which get no parent); -1 means "not given"
 * (the CLI's default), and 0 given to a gazetteer means "every level".
 *
 * Counting: n_read and n_rejected count rows or features; n_added, n_updated and n_unchanged
 * count areas (a wide row defines several, and the adm0 area created for a long gazetteer counts
 * as added).
 *
 * Rejected rows and features go to opts->on_reject; opts->rejects_path gets them as CSV
 * (file,line,field,reason), since a feature has no row to copy.
 *
 * Idempotence: the source row of an areas import (under opts->mission, else mission id 0:
 * areas belong to no mission) keeps a digest of the file, the options, the code map and every
 * stored area as they were after the import (when it rejected nothing). The next import whose
 * digest, computed before it starts, is equal has nothing to do (same_file); any change to the
 * file, the options or the areas makes it run again. An import that changes no area writes
 * nothing at all, so re-importing a file leaves the store's digest as it was. Every area
 * written gets its own change-log entry (insert or update, with the import's batch).
 *
 * Memory: GDAL's and GEOS's allocators cannot be hooked (they call the C library), so only
 * Concord's own allocations here go through cc_malloc; GEOS is used through its reentrant _r API
 * with one context per import, and GDAL errors are caught by a pushed error handler that keeps
 * the last message for cc_err (GDAL prints nothing while it is installed).
 */
#include <concord/import.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/model.h>
#include <concord/text.h>

#include "core/digest.h"
#include "core/limits.h"
#include "io/csv.h"
#include "io/gdal.h"
#include "io/hxl.h"
#include "io/import_util.h"

#include "core/banned.h"

#define MAX_LEVEL      9   /* deepest admin level accepted (COD data go to adm5) */
#define PROGRESS_EVERY 256 /* rows or features between progress callbacks */

struct area_row {
	char code[sizeof(((struct cc_area *)0)->pcode)];
	char name[sizeof(((struct cc_area *)0)->name)];
	char parent[sizeof(((struct cc_area *)0)->pcode)]; /* "" none */
	int level;
	long line;
};

struct code_map {
	struct cc_map index;      /* normalised feature value → entries[] index */
	struct area_row *entries; /* owned; code = P-code, name = feature value as written */
	size_t n, cap;
	char digest[65];
};

/* One import run: what every part of this file shares. */
struct run {
	struct cc_store *st;
	const char *path;
	const char *file;        /* name used in messages */
	struct cc_import_opts o; /* the caller's options, copied */
	struct cc_import_report *rep;
	char source_name[sizeof(((struct cc_source *)0)->name)];
	char file_digest[65];
	char kind[16]; /* "boundary", "gazetteer" */
	struct cc_source src;
	bool in_txn;
	bool changed;       /* an area or alias was written */
	int64_t batch;      /* change-log batch, 0 until the first change */
	struct cc_map seen; /* P-code → line or feature that stored it in this run */
	struct cc_buf norm; /* scratch for cc_text_norm */
	struct code_map cmap;
	FILE *rejects;  /* opts->rejects_path, NULL when not asked */
	char delimiter; /* of a gazetteer; 0: comma */
};

/* ---- small helpers ---- */

/* Copies s into dst of size n; false (dst untouched) when it does not fit. */
static bool copy_str(char *dst, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len >= n)
		return false;
	memcpy(dst, s, len + 1);
	return true;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Lowercase ASCII letters and digits of s only: "Parent P-Code" → "parentpcode". */
static void header_key(const char *s, char *out, size_t n)
{
	size_t k = 0;

	for (; *s && k + 1 < n; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			out[k++] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[k++] = c;
	}
	out[k] = '\0';
}

/* Calls opts->on_progress every PROGRESS_EVERY rows read, and when forced (at the end). */
static void progress(struct run *r, uint64_t bytes_done, uint64_t bytes_total, bool force)
{
	if (r->o.on_progress && (force || r->rep->n_read % PROGRESS_EVERY == 0))
		r->o.on_progress(r->o.progress_ctx, bytes_done, bytes_total, r->rep->n_read);
}

/* Normalises s into r->norm; CC_ENOMEM or CC_EPARSE (invalid UTF-8, message set). */
static int normalise(struct run *r, const char *s, struct cc_err *err)
{
	int ret = cc_text_norm(s, &r->norm);

	if (ret == CC_EPARSE)
		return cc_err_set(err, ret, "'%s' is not valid UTF-8", s);
	if (ret < 0)
		return cc_err_set(err, ret, "out of memory normalising '%s'", s);
	return 0;
}

/* ---- rejected rows ---- */

static int write_reject(struct run *r, const struct cc_err *why)
{
	struct cc_buf line = CC_BUF_INIT(0);
	char num[24];
	int ret;

	snprintf(num, sizeof(num), "%ld", why->line);
	ret = cc_buf_add_csv(&line, why->file);
	if (ret == 0)
		ret = cc_buf_addch(&line, ',');
	if (ret == 0)
		ret = cc_buf_adds(&line, num);
	if (ret == 0)
		ret = cc_buf_addch(&line, ',');
	if (ret == 0)
		ret = cc_buf_add_csv(&line, why->field);
	if (ret == 0)
		ret = cc_buf_addch(&line, ',');
	if (ret == 0)
		ret = cc_buf_add_csv(&line, why->msg);
	if (ret == 0)
		ret = cc_buf_addch(&line, '\n');
	if (ret == 0 && fwrite(line.buf, 1, line.len, r->rejects) != line.len)
		ret = CC_EIO;
	cc_buf_release(&line);
	return ret;
}

/*
 * Reports a rejected row or feature: counts it, hands it to opts->on_reject and writes it to
 * opts->rejects_path. Returns 1 ("rejected", what the per-row functions below return for it),
 * or CC_EIO/CC_ENOMEM when the rejects file cannot be written.
 */
__attribute__((format(printf, 5, 6))) static int
rejectf(struct run *r, long line, const char *field, struct cc_err *err, const char *fmt, ...)
{
	struct cc_err why = { .code = CC_EINVALID };
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(why.msg, sizeof(why.msg), fmt, ap);
	va_end(ap);
	why.src = __FILE__;
	cc_err_at(&why, r->file, line, field ? field : "");
	r->rep->n_rejected++;
	if (r->o.on_reject)
		r->o.on_reject(r->o.reject_ctx, &why);
	if (r->rejects) {
		ret = write_reject(r, &why);
		if (ret < 0)
			return cc_err_set(err, ret, "cannot write rejected rows to '%s'",
			                  r->o.rejects_path);
	}
	return 1;
}

/* ---- store helpers ---- */

/* 1 found (*out set), 0 not found, < 0 a store error (err set). */
static int find_area(struct run *r, const char *pcode, struct cc_area *out, struct cc_err *err)
{
	struct cc_err why = { 0 };
	int ret = cc_store_find_area(r->st, pcode, out, &why);

	if (ret == 0)
		return 1;
	if (ret == CC_ENOTFOUND)
		return 0;
	if (err)
		*err = why;
	return ret;
}

static int log_change(struct run *r, const char *op, int64_t id, const char *detail,
                      struct cc_err *err)
{
	int ret;

	if (!r->batch) {
		ret = cc_store_new_batch(r->st, &r->batch, err);
		if (ret < 0)
			return ret;
	}
	r->changed = true;
	return cc_store_log_change(r->st,
	                           &(struct cc_change){ .table = "area",
	                                                .op = op,
	                                                .record_id = id,
	                                                .batch = r->batch,
	                                                .count = 1,
	                                                .mission_id = r->src.mission_id,
	                                                .detail = detail },
	                           err);
}

/* *same_out: the stored geometry of cur equals wkb[0..len). */
static int same_geometry(struct run *r, const struct cc_area *cur, const void *wkb, size_t len,
                         bool *same_out, struct cc_err *err)
{
	void *old = NULL;
	size_t old_len = 0;
	int ret;

	*same_out = false;
	if (!cur->has_geom)
		return 0;
	ret = cc_store_area_geometry(r->st, cur->id, &old, &old_len, err);
	if (ret < 0)
		return ret;
	*same_out = old && old_len == len && memcmp(old, wkb, len) == 0;
	cc_free(old);
	return 0;
}

enum outcome { ADDED, UPDATED, UNCHANGED };

/*
 * Stores a (new when cur is NULL, else a modified copy of cur) with geometry wkb (NULL: keep),
 * unless nothing differs from cur; counts the outcome and logs the change. Returns the enum
 * outcome or < 0.
 */
static int upsert(struct run *r, struct cc_area *a, const struct cc_area *cur, const void *wkb,
                  size_t len, struct cc_err *err)
{
	bool same_geom = true;
	int ret;

	if (cur) {
		if (wkb) {
			ret = same_geometry(r, cur, wkb, len, &same_geom, err);
			if (ret < 0)
				return ret;
		}
		if (same_geom && strcmp(a->name, cur->name) == 0 && a->level == cur->level &&
		    a->parent_id == cur->parent_id) {
			r->rep->n_unchanged++;
			return UNCHANGED;
		}
	}
	ret = cc_store_put_area(r->st, a, wkb, len, err);
	if (ret < 0)
		return ret;
	ret = log_change(r, cur ? "update" : "insert", a->id, r->source_name, err);
	if (ret < 0)
		return ret;
	if (cur)
		r->rep->n_updated++;
	else
		r->rep->n_added++;
	return cur ? UPDATED : ADDED;
}

/* Remembers that line stored pcode in this run; 1 when another line already did (*prev_out). */
static int mark_seen(struct run *r, const char *pcode, long line, long *prev_out)
{
	int64_t prev;

	if (cc_map_get(&r->seen, pcode, &prev) == 0) {
		*prev_out = (long)prev;
		return 1;
	}
	return cc_map_put(&r->seen, pcode, line);
}

/* ---- the run: options, source, transaction ---- */

static int code_map_add(struct code_map *cm, const char *key, const char *pcode,
                        const char *feature, long line, const char *path, struct cc_err *err)
{
	struct area_row *e;
	int64_t i;

	if (cc_map_get(&cm->index, key, &i) == 0) {
		if (strcmp(cm->entries[i].code, pcode) == 0)
			return 0;
		return cc_err_set(err, CC_EPARSE, "'%s' is mapped to '%s' and to '%s' (line %ld)",
		                  feature, pcode, cm->entries[i].code, cm->entries[i].line);
	}
	if (cm->n == cm->cap) {
		size_t cap = cm->cap ? 2 * cm->cap : 32;
		struct area_row *p = cc_realloc(cm->entries, cap * sizeof(*p));

		if (!p)
			return cc_err_set(err, CC_ENOMEM, "out of memory reading code map '%s'",
			                  path);
		cm->entries = p;
		cm->cap = cap;
	}
	e = &cm->entries[cm->n];
	memset(e, 0, sizeof(*e));
	if (!copy_str(e->code, sizeof(e->code), pcode))
		return cc_err_set(err, CC_EPARSE, "P-code '%s' is longer than %zu bytes", pcode,
		                  sizeof(e->code) - 1);
	if (!copy_str(e->name, sizeof(e->name), feature))
		return cc_err_set(err, CC_EPARSE, "feature '%.40s…' is longer than %zu bytes",
		                  feature, sizeof(e->name) - 1);
	e->line = line;
	if (cc_map_put(&cm->index, key, (int64_t)cm->n) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory reading code map '%s'", path);
	cm->n++;
	return 0;
}

/*
 * Reads opts->code_map: a header row with "feature" and "pcode" columns (any order, others
 * ignored), then one mapping a row. Keys are normalised like names.
 */
static int code_map_load(struct run *r, struct cc_err *err)
{
	const char *path = r->o.code_map;
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	long col_feature = -1, col_pcode = -1;
	int ret;

	ret = cc_file_digest(path, r->cmap.digest, err);
	if (ret < 0)
		return ret;
	ret = cc_csv_open(&csv, path, &(struct cc_csv_opts){ .display_name = path }, err);
	if (ret < 0)
		return ret;
	ret = cc_csv_next(csv, &row, err);
	if (ret == 0) {
		for (size_t i = 0; i < row.n_fields; i++) {
			char key[32];

			header_key(row.fields[i], key, sizeof(key));
			if (strcmp(key, "feature") == 0 && col_feature < 0)
				col_feature = (long)i;
			else if (strcmp(key, "pcode") == 0 && col_pcode < 0)
				col_pcode = (long)i;
		}
	}
	if (ret > 0 || (ret == 0 && (col_feature < 0 || col_pcode < 0))) {
		ret = cc_err_set(err, CC_EPARSE,
		                 "code map must start with the header 'feature,pcode'");
		cc_err_at(err, path, 1, NULL);
		goto out_close;
	}
	while (ret >= 0 && (ret = cc_csv_next(csv, &row, err)) == 0) {
		char *feature = (size_t)col_feature < row.n_fields ? row.fields[col_feature] : "";
		char *pcode = (size_t)col_pcode < row.n_fields ? row.fields[col_pcode] : "";

		cc_text_trim(feature);
		cc_text_trim(pcode);
		if (!feature[0] && !pcode[0])
			continue;
		if (!feature[0] || !pcode[0]) {
			ret = cc_err_set(err, CC_EPARSE, "%s is empty",
			                 !feature[0] ? "feature" : "pcode");
			cc_err_at(err, path, row.line, !feature[0] ? "feature" : "pcode");
			break;
		}
		ret = normalise(r, feature, err);
		if (ret == 0)
			ret = code_map_add(&r->cmap, r->norm.buf, pcode, feature, row.line, path,
			                   err);
		if (ret < 0)
			cc_err_at(err, path, row.line, "feature");
	}
	if (ret > 0)
		ret = 0;
out_close:
	cc_csv_close(csv);
	return ret;
}

static void code_map_release(struct code_map *cm)
{
	cc_map_release(&cm->index);
	cc_free(cm->entries);
	memset(cm, 0, sizeof(*cm));
}

/* The P-code mapped to normalised feature value key, or NULL. */
static const struct area_row *code_map_get(const struct code_map *cm, const char *key)
{
	int64_t i;

	if (cc_map_get(&cm->index, key, &i) < 0)
		return NULL;
	return &cm->entries[i];
}

/* Hashes s with its NUL, so ("ab", "c") and ("a", "bc") differ. */
static void hash_str(struct cc_sha256 *h, const char *s)
{
	s = s ? s : "";
	cc_sha256_update(h, s, strlen(s) + 1);
}

/*
 * The digest that decides "nothing to do": the file, the options, the code map and every stored
 * area. Computed before a run and after it; see the comment at the top of this file.
 */
static int run_key(struct run *r, char out[static 65], struct cc_err *err)
{
	struct cc_area *areas = NULL;
	struct cc_sha256 h;
	size_t n = 0;
	char line[512];
	int ret;

	ret = cc_store_list_areas(r->st, &(struct cc_area_filter){ .level = -1 }, &areas, &n, err);
	if (ret < 0)
		return ret;
	cc_sha256_init(&h);
	hash_str(&h, "concord areas 1");
	hash_str(&h, r->kind);
	hash_str(&h, r->file_digest);
	snprintf(line, sizeof(line), "%d", r->o.level);
	hash_str(&h, line);
	hash_str(&h, r->o.code_field);
	hash_str(&h, r->o.name_field);
	hash_str(&h, r->o.parent_field);
	hash_str(&h, r->o.encoding);
	hash_str(&h, r->cmap.digest);
	for (size_t i = 0; i < n; i++) {
		const struct cc_area *a = &areas[i];

		snprintf(line, sizeof(line), "%lld|%s|%s|%d|%lld|%lld|%d|%.17g|%.17g|%.17g|%.17g",
		         (long long)a->id, a->pcode, a->name, a->level, (long long)a->parent_id,
		         (long long)a->population, a->has_geom, a->minx, a->miny, a->maxx, a->maxy);
		hash_str(&h, line);
	}
	cc_sha256_final_hex(&h, out);
	cc_free(areas);
	return 0;
}

/*
 * After the input is opened and the options checked: loads the code map, opens the rejects
 * file, begins the transaction and reads the source. Returns 0 to go on, 1 when the source's
 * last import had the same digest (nothing to do), < 0 on error. r->file_digest must be set
 * ("" when the input cannot be digested: then the import always runs).
 */
static int run_start(struct run *r, struct cc_err *err)
{
	struct cc_err why = { 0 };
	char key[65];
	int ret;

	if (r->o.code_map) {
		ret = code_map_load(r, err);
		if (ret < 0)
			return ret;
	}
	if (r->o.rejects_path) {
		r->rejects = fopen(r->o.rejects_path, "w");
		if (!r->rejects)
			return cc_err_set(err, CC_EIO, "cannot write '%s': %s", r->o.rejects_path,
			                  strerror(errno));
		if (fputs("file,line,field,reason\n", r->rejects) < 0)
			return cc_err_set(err, CC_EIO, "cannot write '%s'", r->o.rejects_path);
	}
	memcpy(r->rep->digest, r->file_digest, sizeof(r->rep->digest));
	if (r->o.mission && r->o.mission[0]) {
		struct cc_mission m;

		ret = cc_store_get_mission(r->st, r->o.mission, &m, err);
		if (ret < 0)
			return ret;
		r->src.mission_id = m.id;
	}
	ret = cc_store_begin(r->st, err);
	if (ret < 0)
		return ret;
	r->in_txn = true;
	ret = cc_store_get_source(r->st, r->src.mission_id, r->source_name, &r->src, &why);
	if (ret == CC_ENOTFOUND) {
		int64_t mission_id = r->src.mission_id;

		memset(&r->src, 0, sizeof(r->src));
		r->src.mission_id = mission_id;
	} else if (ret < 0) {
		if (err)
			*err = why;
		return ret;
	}
	if (!r->file_digest[0])
		return 0;
	ret = run_key(r, key, err);
	if (ret < 0)
		return ret;
	if (strcmp(key, r->src.digest) == 0) {
		r->rep->same_file = true;
		return 1;
	}
	return 0;
}

static void now_iso(char out[static 32])
{
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Ends the run begun by run_start whatever happened (ret is the result so far): commits when
 * something changed and the flags allow it, else rolls back. Returns the import's result.
 */
static int run_end(struct run *r, int ret, struct cc_err *err)
{
	struct cc_import_report *rep = r->rep;

	if (r->rejects) {
		if (fclose(r->rejects) != 0 && ret >= 0)
			ret = cc_err_set(err, CC_EIO, "cannot write '%s'", r->o.rejects_path);
		r->rejects = NULL;
	}
	if (!r->in_txn)
		return ret;
	r->in_txn = false;
	if (ret < 0 || rep->same_file)
		goto out_rollback;
	if (rep->n_rejected > 0 && (r->o.flags & CC_IMPORT_STRICT)) {
		ret = cc_err_set(err, CC_EREJECTED, "%zu of %zu %s rejected; nothing stored",
		                 rep->n_rejected, rep->n_read,
		                 strcmp(r->kind, "boundary") == 0 ? "features" : "rows");
		cc_err_at(err, r->file, 0, NULL);
		goto out_rollback;
	}
	/* a run that changed nothing writes nothing, not even its source row */
	if ((r->o.flags & CC_IMPORT_DRY_RUN) || !r->changed)
		goto out_rollback;
	if (!copy_str(r->src.name, sizeof(r->src.name), r->source_name)) {
		ret = cc_err_set(err, CC_EINVALID, "source name '%s' is too long", r->source_name);
		goto out_rollback;
	}
	if (rep->n_rejected == 0 && r->file_digest[0]) {
		ret = run_key(r, r->src.digest, err);
		if (ret < 0)
			goto out_rollback;
	} else {
		/* rejected features may match after the store changes: never skip this file */
		memcpy(r->src.digest, r->file_digest, sizeof(r->src.digest));
	}
	r->src.batch = r->batch;
	r->src.n_read = (int64_t)rep->n_read;
	r->src.n_rejected = (int64_t)rep->n_rejected;
	r->src.period_from = r->o.period_from || r->o.period_to ? r->o.period_from : CC_DATE_NONE;
	r->src.period_to = r->o.period_from || r->o.period_to ? r->o.period_to : CC_DATE_NONE;
	now_iso(r->src.imported_at);
	ret = cc_store_put_source(r->st, &r->src, err);
	if (ret < 0)
		goto out_rollback;
	ret = cc_store_commit(r->st, err);
	if (ret < 0)
		goto out_rollback;
	rep->stored = true;
	rep->batch = r->batch;
	return 0;
out_rollback:
	cc_store_rollback(r->st); /* the store is exactly as it was */
	return ret;
}

/* ---- boundary files (GDAL/OGR, GEOS) ---- */

/* A prepared polygon of a level N-1 area, for point-in-polygon parent lookups. */
struct pgeom {
	GEOSGeometry *g;               /* owned; NULL when the stored WKB was unreadable */
	const GEOSPreparedGeometry *p; /* owned; NULL with g */
};

struct bnd {
	GDALDatasetH ds;
	OGRLayerH layer;                 /* borrowed from ds */
	OGRSpatialReferenceH src_srs;    /* owned clone of the layer's CRS; NULL: none declared */
	OGRSpatialReferenceH wgs84;      /* owned */
	OGRCoordinateTransformationH ct; /* owned; NULL: the layer is already lon/lat WGS84 */
	int code_idx, name_idx, parent_idx; /* OGR field indexes, -1 when not given */
	bool handler_pushed;
	bool gdal_failed;   /* a CE_Failure or CE_Fatal since last reset */
	char gdal_msg[256]; /* its message */
	GEOSContextHandle_t gh;
	GEOSWKBReader *rd;
	GEOSWKBWriter *wr;
	char geos_msg[256];    /* last GEOS error */
	struct cc_map cache;   /* area id (decimal) → parents[] index */
	struct pgeom *parents; /* owned */
	size_t n_parents, cap_parents;
};

/* One feature on its way into the store. */
struct feature {
	long idx; /* 1-based feature number: the "line" of messages */
	char code[sizeof(((struct cc_area *)0)->pcode)];
	char name[sizeof(((struct cc_area *)0)->name)];
	char parent[sizeof(((struct cc_area *)0)->pcode)];
	GEOSGeometry *geom; /* owned (GEOSGeom_destroy_r) */
	unsigned char *wkb; /* owned (GEOSFree_r): little-endian 2D WKB */
	size_t wkb_len;
	double minx, miny, maxx, maxy; /* WGS84 degrees */
	double px, py;                 /* point on surface */
};

/*
 * GDAL reports errors through a per-thread handler stack; ours keeps the last failure for
 * cc_err and swallows warnings, so the library prints nothing.
 */
static void CPL_STDCALL gdal_error(CPLErr cls, CPLErrorNum num, const char *msg)
{
	struct bnd *b = cc__gdal.CPLGetErrorHandlerUserData();

	(void)num;
	if (!b || cls < CE_Failure)
		return;
	b->gdal_failed = true;
	snprintf(b->gdal_msg, sizeof(b->gdal_msg), "%s", msg ? msg : "unknown GDAL error");
}

static void geos_error(const char *msg, void *ctx)
{
	struct bnd *b = ctx;

	snprintf(b->geos_msg, sizeof(b->geos_msg), "%s", msg ? msg : "unknown GEOS error");
}

static void geos_notice(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

/* The layer's field names, comma-separated, into out (truncated to n). */
static void field_list(struct bnd *b, char *out, size_t n)
{
	OGRFeatureDefnH defn = cc__gdal.OGR_L_GetLayerDefn(b->layer);
	int nf = cc__gdal.OGR_FD_GetFieldCount(defn);
	size_t off = 0;

	out[0] = '\0';
	for (int i = 0; i < nf && off < n; i++) {
		int k = snprintf(out + off, n - off, "%s%s", i ? ", " : "",
		                 cc__gdal.OGR_Fld_GetNameRef(cc__gdal.OGR_FD_GetFieldDefn(defn, i)));

		if (k < 0)
			break;
		off += (size_t)k;
	}
	if (nf == 0)
		snprintf(out, n, "none");
}

static int bnd_field(struct run *r, struct bnd *b, const char *option, const char *name,
                     int *idx_out, struct cc_err *err)
{
	char fields[200];

	*idx_out = -1;
	if (!name || !name[0])
		return 0;
	*idx_out = cc__gdal.OGR_FD_GetFieldIndex(cc__gdal.OGR_L_GetLayerDefn(b->layer), name);
	if (*idx_out >= 0)
		return 0;
	field_list(b, fields, sizeof(fields));
	cc_err_set(err, CC_EUSAGE, "no field '%s' in '%s' (fields: %s)", name, r->file, fields);
	cc_err_at(err, NULL, 0, option);
	return CC_EUSAGE;
}

/* Sets up reprojection: none when the layer is WGS84 lon/lat or declares no CRS. */
static int bnd_crs(struct run *r, struct bnd *b, struct cc_err *err)
{
	static const char *const same_opts[] = { "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS",
		                                 NULL };
	OGRSpatialReferenceH layer_srs = cc__gdal.OGR_L_GetSpatialRef(b->layer); /* borrowed */

	if (!layer_srs)
		return 0;
	b->wgs84 = cc__gdal.OSRNewSpatialReference(NULL);
	if (!b->wgs84 || cc__gdal.OSRImportFromEPSG(b->wgs84, 4326) != OGRERR_NONE)
		return cc_err_set(err, CC_EUNSUPPORTED,
		                  "cannot load the WGS84 definition from PROJ%s%s",
		                  b->gdal_msg[0] ? ": " : "", b->gdal_msg);
	cc__gdal.OSRSetAxisMappingStrategy(b->wgs84, OAMS_TRADITIONAL_GIS_ORDER);
	b->src_srs = cc__gdal.OSRClone(layer_srs);
	if (!b->src_srs)
		return cc_err_set(err, CC_ENOMEM, "out of memory reading the CRS of '%s'", r->file);
	cc__gdal.OSRSetAxisMappingStrategy(b->src_srs, OAMS_TRADITIONAL_GIS_ORDER);
	if (cc__gdal.OSRIsSameEx(b->src_srs, b->wgs84, same_opts))
		return 0;
	b->ct = cc__gdal.OCTNewCoordinateTransformation(b->src_srs, b->wgs84);
	if (!b->ct)
		return cc_err_set(err, CC_EUNSUPPORTED,
		                  "cannot reproject '%s' from '%s' to WGS84%s%s", r->file,
		                  cc__gdal.OSRGetName(b->src_srs), b->gdal_msg[0] ? ": " : "", b->gdal_msg);
	return 0;
}

/* The digest of the dataset's files: the file's own SHA-256 when it is one file. */
static int bnd_digest(struct run *r, struct bnd *b, struct cc_err *err)
{
	char **files = cc__gdal.GDALGetFileList(b->ds);
	struct cc_sha256 h;
	int ret = 0;

	r->file_digest[0] = '\0';
	if (!files || !files[0])
		goto out_free;
	for (char **f = files; *f; f++)
		if (strncmp(*f, "/vsi", 4) == 0)
			goto out_free; /* inside an archive or remote: no digest, no shortcut */
	if (!files[1]) {
		ret = cc_file_digest(files[0], r->file_digest, err);
		goto out_free;
	}
	cc_sha256_init(&h);
	for (char **f = files; *f; f++) {
		const char *base = strrchr(*f, '/');
		char d[65];

		ret = cc_file_digest(*f, d, err);
		if (ret < 0)
			goto out_free;
		hash_str(&h, base ? base + 1 : *f);
		hash_str(&h, d);
	}
	cc_sha256_final_hex(&h, r->file_digest);
out_free:
	cc__gdal.CSLDestroy(files);
	return ret;
}

static int bnd_open(struct run *r, struct bnd *b, struct cc_err *err)
{
	struct cc_import_opts *o = &r->o;
	char fields[200];
	int ret, n;

	ret = cc__gdal_load(err); /* GDAL is loaded on first use: see io/gdal.h */
	if (ret < 0)
		return ret;
	cc__gdal.CPLPushErrorHandlerEx(gdal_error, b);
	b->handler_pushed = true;
	b->ds = cc__gdal.GDALOpenEx(r->path,
	                            GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
	                            NULL, NULL, NULL);
	if (!b->ds) {
		struct stat sb;

		if (stat(r->path, &sb) < 0)
			return cc_err_set(err, CC_EIO, "cannot open '%s': %s", r->file,
			                  strerror(errno));
		return cc_err_set(err, CC_EPARSE, "'%s' is not a vector file GDAL can read%s%s",
		                  r->file, b->gdal_msg[0] ? ": " : "", b->gdal_msg);
	}
	n = cc__gdal.GDALDatasetGetLayerCount(b->ds);
	if (n == 0)
		return cc_err_set(err, CC_EPARSE, "'%s' has no layer", r->file);
	if (n > 1) {
		size_t off = 0;

		fields[0] = '\0';
		for (int i = 0; i < n && off < sizeof(fields); i++) {
			int k = snprintf(fields + off, sizeof(fields) - off, "%s%s", i ? ", " : "",
			                 cc__gdal.OGR_L_GetName(cc__gdal.GDALDatasetGetLayer(b->ds, i)));

			if (k < 0)
				break;
			off += (size_t)k;
		}
		return cc_err_set(err, CC_EUSAGE, "'%s' has %d layers (%s); give one layer a file",
		                  r->file, n, fields);
	}
	b->layer = cc__gdal.GDALDatasetGetLayer(b->ds, 0);
	if (o->level < 0)
		return cc_err_set(
		        err, CC_EUSAGE,
		        "--level is required for boundary file '%s' (1 provinces, 2 districts, …)",
		        r->file);
	if (o->level > MAX_LEVEL)
		return cc_err_set(err, CC_EUSAGE, "--level %d is out of range 0..%d", o->level,
		                  MAX_LEVEL);
	ret = bnd_field(r, b, "--code-field", o->code_field, &b->code_idx, err);
	if (ret == 0)
		ret = bnd_field(r, b, "--name-field", o->name_field, &b->name_idx, err);
	if (ret == 0)
		ret = bnd_field(r, b, "--parent-field", o->parent_field, &b->parent_idx, err);
	if (ret < 0)
		return ret;
	if (b->code_idx < 0 && b->name_idx < 0) {
		field_list(b, fields, sizeof(fields));
		return cc_err_set(err, CC_EUSAGE,
		                  "--code-field or --name-field is required for '%s' (fields: %s)",
		                  r->file, fields);
	}
	if (o->code_map && b->code_idx >= 0)
		return cc_err_set(err, CC_EUSAGE, "--code-map and --code-field exclude each other");
	if (o->code_map && b->name_idx < 0)
		return cc_err_set(err, CC_EUSAGE, "--code-map needs --name-field");
	ret = bnd_crs(r, b, err);
	if (ret < 0)
		return ret;
	b->gh = GEOS_init_r();
	if (!b->gh)
		return cc_err_set(err, CC_ENOMEM, "cannot start GEOS");
	GEOSContext_setErrorMessageHandler_r(b->gh, geos_error, b);
	GEOSContext_setNoticeMessageHandler_r(b->gh, geos_notice, b);
	b->rd = GEOSWKBReader_create_r(b->gh);
	b->wr = GEOSWKBWriter_create_r(b->gh);
	if (!b->rd || !b->wr)
		return cc_err_set(err, CC_ENOMEM, "cannot start GEOS");
	GEOSWKBWriter_setByteOrder_r(b->gh, b->wr, GEOS_WKB_NDR);
	GEOSWKBWriter_setOutputDimension_r(b->gh, b->wr, 2);
	return bnd_digest(r, b, err);
}

static void bnd_close(struct bnd *b)
{
	for (size_t i = 0; i < b->n_parents; i++) {
		if (b->parents[i].p)
			GEOSPreparedGeom_destroy_r(b->gh, b->parents[i].p);
		if (b->parents[i].g)
			GEOSGeom_destroy_r(b->gh, b->parents[i].g);
	}
	cc_free(b->parents);
	cc_map_release(&b->cache);
	if (b->rd)
		GEOSWKBReader_destroy_r(b->gh, b->rd);
	if (b->wr)
		GEOSWKBWriter_destroy_r(b->gh, b->wr);
	if (b->gh)
		GEOS_finish_r(b->gh);
	if (b->ct)
		cc__gdal.OCTDestroyCoordinateTransformation(b->ct);
	if (b->src_srs)
		cc__gdal.OSRRelease(b->src_srs);
	if (b->wgs84)
		cc__gdal.OSRRelease(b->wgs84);
	if (b->ds)
		cc__gdal.GDALClose(b->ds);
	if (b->handler_pushed)
		cc__gdal.CPLPopErrorHandler();
}

static void feature_release(struct bnd *b, struct feature *ft)
{
	if (ft->geom)
		GEOSGeom_destroy_r(b->gh, ft->geom);
	if (ft->wkb)
		GEOSFree_r(b->gh, ft->wkb);
	ft->geom = NULL;
	ft->wkb = NULL;
}

/*
 * Copies attribute idx of f, trimmed, into dst of size n ("" when unset or null). Returns 0,
 * 1 rejected (too long, not UTF-8), < 0.
 */
static int get_attr(struct run *r, OGRFeatureH f, int idx, const char *field, long fidx, char *dst,
                    size_t n, struct cc_err *err)
{
	const char *v, *end;
	size_t bad;

	dst[0] = '\0';
	if (idx < 0 || !cc__gdal.OGR_F_IsFieldSetAndNotNull(f, idx))
		return 0;
	v = cc__gdal.OGR_F_GetFieldAsString(f, idx);
	if (!cc_text_valid_utf8(v, strlen(v), &bad))
		return rejectf(r, fidx, field, err, "value is not valid UTF-8 (byte %zu)", bad + 1);
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if ((size_t)(end - v) >= n)
		return rejectf(r, fidx, field, err, "value '%.40s…' is longer than %zu bytes", v,
		               n - 1);
	memcpy(dst, v, (size_t)(end - v));
	dst[end - v] = '\0';
	return 0;
}

static int feature_attrs(struct run *r, struct bnd *b, OGRFeatureH f, struct feature *ft,
                         struct cc_err *err)
{
	int ret;

	ret = get_attr(r, f, b->code_idx, r->o.code_field, ft->idx, ft->code, sizeof(ft->code),
	               err);
	if (ret != 0)
		return ret;
	if (b->code_idx >= 0 && !ft->code[0])
		return rejectf(r, ft->idx, r->o.code_field, err, "empty P-code");
	ret = get_attr(r, f, b->name_idx, r->o.name_field, ft->idx, ft->name, sizeof(ft->name),
	               err);
	if (ret != 0)
		return ret;
	if (b->code_idx < 0 && !ft->name[0])
		return rejectf(r, ft->idx, r->o.name_field, err, "empty name");
	ret = get_attr(r, f, b->parent_idx, r->o.parent_field, ft->idx, ft->parent,
	               sizeof(ft->parent), err);
	if (ret != 0)
		return ret;
	if (b->parent_idx >= 0 && !ft->parent[0] && r->o.level >= 2)
		return rejectf(r, ft->idx, r->o.parent_field, err, "empty parent P-code");
	return 0;
}

/* Converts the OGR geometry (2D, WGS84) to GEOS through WKB. Returns 0, 1 rejected, < 0. */
static int feature_to_geos(struct run *r, struct bnd *b, OGRGeometryH g, struct feature *ft,
                           struct cc_err *err)
{
	OGRwkbGeometryType type = cc__gdal.OGR_GT_Flatten(cc__gdal.OGR_G_GetGeometryType(g));
	unsigned char *buf;
	size_t len;
	int ret = 0;

	if (type != wkbPolygon && type != wkbMultiPolygon)
		return rejectf(r, ft->idx, "geometry", err,
		               "geometry is a %s; admin areas need polygons",
		               cc__gdal.OGRGeometryTypeToName(type));
	cc__gdal.OGR_G_FlattenTo2D(g);
	if (b->ct) {
		b->gdal_msg[0] = '\0';
		if (cc__gdal.OGR_G_Transform(g, b->ct) != OGRERR_NONE)
			return rejectf(r, ft->idx, "geometry", err, "cannot reproject to WGS84%s%s",
			               b->gdal_msg[0] ? ": " : "", b->gdal_msg);
	}
	len = (size_t)cc__gdal.OGR_G_WkbSize(g);
	buf = cc_malloc(len ? len : 1);
	if (!buf)
		return cc_err_set(err, CC_ENOMEM, "out of memory reading feature %ld", ft->idx);
	if (cc__gdal.OGR_G_ExportToWkb(g, wkbNDR, buf) != OGRERR_NONE) {
		ret = rejectf(r, ft->idx, "geometry", err, "cannot encode geometry%s%s",
		              b->gdal_msg[0] ? ": " : "", b->gdal_msg);
		goto out_free;
	}
	b->geos_msg[0] = '\0';
	ft->geom = GEOSWKBReader_read_r(b->gh, b->rd, buf, len);
	if (!ft->geom)
		ret = rejectf(r, ft->idx, "geometry", err, "unreadable geometry: %s", b->geos_msg);
out_free:
	cc_free(buf);
	return ret;
}

/* Repairs an invalid polygon with GEOSMakeValid; rejects what stays invalid or not polygonal. */
static int feature_validate(struct run *r, struct bnd *b, struct feature *ft, struct cc_err *err)
{
	char valid = GEOSisValid_r(b->gh, ft->geom);
	char reason[160] = "";
	GEOSGeometry *fixed;
	int type;

	if (valid == 1)
		return 0;
	if (valid == 0) {
		char *why = GEOSisValidReason_r(b->gh, ft->geom);

		snprintf(reason, sizeof(reason), "%s", why ? why : "");
		if (why)
			GEOSFree_r(b->gh, why);
	}
	fixed = GEOSMakeValid_r(b->gh, ft->geom);
	type = fixed ? GEOSGeomTypeId_r(b->gh, fixed) : -1;
	if (!fixed || (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) ||
	    GEOSisEmpty_r(b->gh, fixed) != 0) {
		if (fixed)
			GEOSGeom_destroy_r(b->gh, fixed);
		return rejectf(r, ft->idx, "geometry", err,
		               "invalid polygon (%s) that cannot be repaired",
		               reason[0] ? reason : b->geos_msg);
	}
	GEOSGeom_destroy_r(b->gh, ft->geom);
	ft->geom = fixed;
	return 0;
}

/* Bounding box, point on surface and output WKB of ft->geom. Returns 0, 1 rejected, < 0. */
static int feature_measure(struct run *r, struct bnd *b, struct feature *ft, struct cc_err *err)
{
	GEOSGeometry *pos;
	int ok;

	ok = GEOSGeom_getXMin_r(b->gh, ft->geom, &ft->minx) &&
	     GEOSGeom_getYMin_r(b->gh, ft->geom, &ft->miny) &&
	     GEOSGeom_getXMax_r(b->gh, ft->geom, &ft->maxx) &&
	     GEOSGeom_getYMax_r(b->gh, ft->geom, &ft->maxy);
	if (!ok)
		return rejectf(r, ft->idx, "geometry", err, "cannot measure geometry: %s",
		               b->geos_msg);
	if (!(ft->minx >= -180 && ft->maxx <= 180 && ft->miny >= -90 && ft->maxy <= 90))
		return rejectf(r, ft->idx, "geometry", err,
		               "coordinates are not lon/lat degrees (x %.6g..%.6g, y %.6g..%.6g)%s",
		               ft->minx, ft->maxx, ft->miny, ft->maxy,
		               b->src_srs ? "" : " and the file names no CRS");
	pos = GEOSPointOnSurface_r(b->gh, ft->geom);
	ok = pos && GEOSGeomGetX_r(b->gh, pos, &ft->px) && GEOSGeomGetY_r(b->gh, pos, &ft->py);
	if (pos)
		GEOSGeom_destroy_r(b->gh, pos);
	if (!ok)
		return rejectf(r, ft->idx, "geometry", err, "no point on surface: %s", b->geos_msg);
	ft->wkb = GEOSWKBWriter_write_r(b->gh, b->wr, ft->geom, &ft->wkb_len);
	if (!ft->wkb)
		return rejectf(r, ft->idx, "geometry", err, "cannot encode geometry: %s",
		               b->geos_msg);
	if (ft->wkb_len > CC_LIMIT_GEOM)
		return rejectf(r, ft->idx, "geometry", err,
		               "geometry of %zu bytes exceeds %u bytes", ft->wkb_len,
		               CC_LIMIT_GEOM);
	return 0;
}

static int feature_geometry(struct run *r, struct bnd *b, OGRFeatureH f, struct feature *ft,
                            struct cc_err *err)
{
	OGRGeometryH g0 = cc__gdal.OGR_F_GetGeometryRef(f); /* borrowed from f */
	OGRGeometryH g;
	int ret;

	if (!g0 || cc__gdal.OGR_G_IsEmpty(g0))
		return rejectf(r, ft->idx, "geometry", err, "feature has no geometry");
	if (cc__gdal.OGR_G_HasCurveGeometry(g0, TRUE))
		g = cc__gdal.OGR_G_GetLinearGeometry(g0, 0, NULL);
	else
		g = cc__gdal.OGR_G_Clone(g0);
	if (!g)
		return cc_err_set(err, CC_ENOMEM, "out of memory reading feature %ld", ft->idx);
	ret = feature_to_geos(r, b, g, ft, err);
	cc__gdal.OGR_G_DestroyGeometry(g);
	if (ret == 0)
		ret = feature_validate(r, b, ft, err);
	if (ret == 0)
		ret = feature_measure(r, b, ft, err);
	return ret;
}

/* The prepared geometry of stored area a (cached); *out NULL when it has none usable. */
static int prepared(struct run *r, struct bnd *b, const struct cc_area *a,
                    const GEOSPreparedGeometry **out, struct cc_err *err)
{
	struct pgeom pg = { 0 };
	void *wkb = NULL;
	size_t len = 0;
	char key[24];
	int64_t i;
	int ret;

	snprintf(key, sizeof(key), "%lld", (long long)a->id);
	if (cc_map_get(&b->cache, key, &i) == 0) {
		*out = b->parents[i].p;
		return 0;
	}
	if (b->n_parents == b->cap_parents) {
		size_t cap = b->cap_parents ? 2 * b->cap_parents : 64;
		struct pgeom *p = cc_realloc(b->parents, cap * sizeof(*p));

		if (!p)
			return cc_err_set(err, CC_ENOMEM, "out of memory loading area geometries");
		b->parents = p;
		b->cap_parents = cap;
	}
	ret = cc_store_area_geometry(r->st, a->id, &wkb, &len, err);
	if (ret < 0)
		return ret;
	if (wkb)
		pg.g = GEOSWKBReader_read_r(b->gh, b->rd, wkb, len);
	cc_free(wkb);
	if (pg.g)
		pg.p = GEOSPrepare_r(b->gh, pg.g);
	if (cc_map_put(&b->cache, key, (int64_t)b->n_parents) < 0) {
		if (pg.p)
			GEOSPreparedGeom_destroy_r(b->gh, pg.p);
		if (pg.g)
			GEOSGeom_destroy_r(b->gh, pg.g);
		return cc_err_set(err, CC_ENOMEM, "out of memory loading area geometries");
	}
	b->parents[b->n_parents++] = pg;
	*out = pg.p;
	return 0;
}

/*
 * The stored area of level N-1 whose polygon holds the feature's point on surface: the R*Tree
 * gives the candidates whose box holds the point, prepared geometries decide. par->id stays 0
 * when none does. Candidates come sorted by P-code, so a point on a shared border always goes
 * to the same one.
 */
static int locate_parent(struct run *r, struct bnd *b, const struct feature *ft,
                         struct cc_area *par, struct cc_err *err)
{
	struct cc_area_filter f = { .level = r->o.level - 1,
		                    .in_bbox = true,
		                    .minx = ft->px,
		                    .maxx = ft->px,
		                    .miny = ft->py,
		                    .maxy = ft->py };
	struct cc_area *cands = NULL;
	GEOSGeometry *pt = NULL;
	size_t n = 0;
	int ret;

	ret = cc_store_list_areas(r->st, &f, &cands, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		const GEOSPreparedGeometry *pg = NULL;
		char hit;

		if (!cands[i].has_geom)
			continue;
		if (!pt) {
			pt = GEOSGeom_createPointFromXY_r(b->gh, ft->px, ft->py);
			if (!pt) {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory in GEOS: %s",
				                 b->geos_msg);
				break;
			}
		}
		ret = prepared(r, b, &cands[i], &pg, err);
		if (ret < 0)
			break;
		if (!pg)
			continue;
		hit = GEOSPreparedIntersects_r(b->gh, pg, pt);
		if (hit == 2) {
			ret = cc_err_set(err, CC_EINVALID,
			                 "point-in-polygon test against '%s' failed: %s",
			                 cands[i].pcode, b->geos_msg);
			break;
		}
		if (hit == 1) {
			*par = cands[i];
			break;
		}
	}
	if (pt)
		GEOSGeom_destroy_r(b->gh, pt);
	cc_free(cands);
	return ret;
}

/* The parent: from --parent-field, else located. Returns 0 (par->id 0: none), 1 rejected, < 0. */
static int feature_parent(struct run *r, struct bnd *b, const struct feature *ft,
                          struct cc_area *par, struct cc_err *err)
{
	int ret;

	memset(par, 0, sizeof(*par));
	if (r->o.level == 0)
		return 0; /* countries have no parent */
	if (b->parent_idx < 0)
		return locate_parent(r, b, ft, par, err);
	if (!ft->parent[0])
		return 0;
	ret = find_area(r, ft->parent, par, err);
	if (ret < 0)
		return ret;
	if (ret == 0)
		return rejectf(r, ft->idx, r->o.parent_field, err, "unknown parent P-code '%s'",
		               ft->parent);
	if (par->level != r->o.level - 1) {
		int level = par->level;

		memset(par, 0, sizeof(*par));
		return rejectf(r, ft->idx, r->o.parent_field, err,
		               "parent '%s' is at level %d, not %d", ft->parent, level,
		               r->o.level - 1);
	}
	return 0;
}

/*
 * The stored area a feature without --code-field names: by --code-map, else by name or alias
 * within its parent (any parent when none is known). Returns 0 (*out set, *via_map), 1
 * rejected, < 0.
 */
static int match_name(struct run *r, const struct feature *ft, const struct cc_area *par,
                      struct cc_area *out, bool *via_map, struct cc_err *err)
{
	const char *field = r->o.name_field;
	const struct area_row *m;
	struct cc_err why = { 0 };
	int ret;

	*via_map = false;
	ret = normalise(r, ft->name, &why);
	if (ret == CC_EPARSE)
		return rejectf(r, ft->idx, field, err, "%s", why.msg);
	if (ret < 0) {
		if (err)
			*err = why;
		return ret;
	}
	if (!r->norm.len)
		return rejectf(r, ft->idx, field, err, "name '%s' has no letters or digits",
		               ft->name);
	m = code_map_get(&r->cmap, r->norm.buf);
	if (m) {
		ret = find_area(r, m->code, out, err);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return rejectf(r, ft->idx, field, err,
			               "code map line %ld maps '%s' to unknown P-code '%s'",
			               m->line, m->name, m->code);
		*via_map = true;
		return 0;
	}
	ret = cc_store_find_area_by_name(r->st, par->id, r->o.level, r->norm.buf, out, &why);
	if (ret == 0)
		return 0;
	if (ret == CC_ENOTFOUND && par->id)
		return rejectf(
		        r, ft->idx, field, err,
		        "no area matches name '%s' at level %d in '%s'; add it to --code-map",
		        ft->name, r->o.level, par->pcode);
	if (ret == CC_ENOTFOUND)
		return rejectf(r, ft->idx, field, err,
		               "no area matches name '%s' at level %d; add it to --code-map",
		               ft->name, r->o.level);
	if (ret == CC_EINVALID)
		return rejectf(r, ft->idx, field, err, "%s; add it to --code-map", why.msg);
	if (err)
		*err = why;
	return ret;
}

/*
 * Records the feature's name as an alias of area a (matched through the code map) unless a
 * name lookup within a's parent already finds a, or finds another area (then an alias would
 * make the name ambiguous). Returns 1 when an alias was stored, 0 when not, < 0.
 */
static int ensure_alias(struct run *r, const struct cc_area *a, const char *name,
                        struct cc_err *err)
{
	struct cc_err why = { 0 };
	struct cc_area hit;
	char detail[512];
	int ret;

	ret = normalise(r, name, err);
	if (ret < 0)
		return ret;
	ret = cc_store_find_area_by_name(r->st, a->parent_id, a->level, r->norm.buf, &hit, &why);
	if (ret == 0 || ret == CC_EINVALID)
		return 0;
	if (ret != CC_ENOTFOUND) {
		if (err)
			*err = why;
		return ret;
	}
	ret = cc_store_put_area_alias(r->st, a->id, r->norm.buf, r->source_name, err);
	if (ret < 0)
		return ret;
	snprintf(detail, sizeof(detail), "%s: alias '%s'", r->source_name, r->norm.buf);
	ret = log_change(r, "update", a->id, detail, err);
	return ret < 0 ? ret : 1;
}

/* One feature: 0 stored or unchanged, 1 rejected, < 0 an error that ends the import. */
static int bnd_feature(struct run *r, struct bnd *b, OGRFeatureH f, long idx, struct cc_err *err)
{
	struct feature ft = { .idx = idx };
	struct cc_area par, cur = { 0 }, a;
	const char *field = r->o.code_field ? r->o.code_field : r->o.name_field;
	bool exists = true, via_map = false;
	long prev = 0;
	int ret, res;

	ret = feature_attrs(r, b, f, &ft, err);
	if (ret == 0)
		ret = feature_geometry(r, b, f, &ft, err);
	if (ret == 0)
		ret = feature_parent(r, b, &ft, &par, err);
	if (ret != 0)
		goto out_release;
	if (b->code_idx >= 0) {
		ret = find_area(r, ft.code, &cur, err);
		if (ret < 0)
			goto out_release;
		exists = ret == 1;
	} else {
		ret = match_name(r, &ft, &par, &cur, &via_map, err);
		if (ret != 0)
			goto out_release;
	}
	if (exists && cur.level != r->o.level) {
		ret = rejectf(r, idx, field, err, "P-code '%s' is stored at level %d, not %d",
		              cur.pcode, cur.level, r->o.level);
		goto out_release;
	}
	if (!exists && r->o.level >= 2 && !par.id) {
		ret = rejectf(
		        r, idx, "geometry", err,
		        "no level-%d area contains this feature; import level %d first or give "
		        "--parent-field",
		        r->o.level - 1, r->o.level - 1);
		goto out_release;
	}
	ret = mark_seen(r, exists ? cur.pcode : ft.code, idx, &prev);
	if (ret < 0) {
		ret = cc_err_set(err, ret, "out of memory at feature %ld", idx);
		goto out_release;
	}
	if (ret == 1) {
		ret = rejectf(r, idx, field, err, "P-code '%s' already given by feature %ld",
		              exists ? cur.pcode : ft.code, prev);
		goto out_release;
	}
	if (exists) {
		a = cur;
		if (b->code_idx >= 0 && ft.name[0])
			copy_str(a.name, sizeof(a.name), ft.name);
		/* a located parent fills a gap; only --parent-field overrides the gazetteer */
		if (par.id && (b->parent_idx >= 0 || !cur.parent_id))
			a.parent_id = par.id;
	} else {
		memset(&a, 0, sizeof(a));
		copy_str(a.pcode, sizeof(a.pcode), ft.code);
		copy_str(a.name, sizeof(a.name), ft.name[0] ? ft.name : ft.code);
		a.level = r->o.level;
		a.parent_id = par.id;
		a.population = -1;
	}
	a.has_geom = true;
	a.minx = ft.minx;
	a.miny = ft.miny;
	a.maxx = ft.maxx;
	a.maxy = ft.maxy;
	res = upsert(r, &a, exists ? &cur : NULL, ft.wkb, ft.wkb_len, err);
	ret = res < 0 ? res : 0;
	if (res >= 0 && via_map) {
		ret = ensure_alias(r, &a, ft.name, err);
		if (ret == 1 && res == UNCHANGED) {
			r->rep->n_unchanged--;
			r->rep->n_updated++;
		}
		ret = ret < 0 ? ret : 0;
	}
out_release:
	feature_release(b, &ft);
	return ret;
}

static int import_boundaries(struct run *r, struct cc_err *err)
{
	struct bnd b = { .code_idx = -1, .name_idx = -1, .parent_idx = -1 };
	OGRFeatureH f;
	long idx = 0;
	int ret;

	copy_str(r->kind, sizeof(r->kind), "boundary");
	ret = bnd_open(r, &b, err);
	if (ret < 0)
		goto out_close;
	ret = run_start(r, err);
	if (ret != 0)
		goto out_end;
	cc__gdal.OGR_L_ResetReading(b.layer);
	for (;;) {
		b.gdal_failed = false;
		f = cc__gdal.OGR_L_GetNextFeature(b.layer);
		if (!f)
			break;
		r->rep->n_read++;
		ret = bnd_feature(r, &b, f, ++idx, err);
		cc__gdal.OGR_F_Destroy(f);
		if (ret < 0)
			break;
		ret = 0;
		progress(r, 0, 0, false); /* OGR tells no byte offsets */
	}
	if (ret == 0 && b.gdal_failed)
		ret = cc_err_set(err, CC_EPARSE, "cannot read feature %ld of '%s': %s", idx + 1,
		                 r->file, b.gdal_msg);
	if (ret == 0)
		progress(r, 0, 0, true);
out_end:
	ret = run_end(r, ret > 0 ? 0 : ret, err);
out_close:
	bnd_close(&b);
	return ret;
}

/* ---- gazetteers (CSV) ---- */

struct gaz {
	struct cc_csv *csv;
	bool wide;
	char **header; /* owned copy of the first row (long and COD-AB layouts) */
	size_t n_header;
	size_t width; /* fields of the widest header record (names or hashtags) */
	long hxl_line; /* line of the hashtag row */
	char **pending; /* owned copy of the first data row, read while looking for HXL */
	size_t n_pending;
	long pending_line;
	long col_code, col_name, col_level, col_parent;  /* long layout; -1 none */
	long wcode[MAX_LEVEL + 1], wname[MAX_LEVEL + 1]; /* wide layout; -1 none */
	char wcode_field[MAX_LEVEL + 1][96];             /* their names, for messages */
	char wname_field[MAX_LEVEL + 1][96];
	int lo, hi;            /* wide: the levels imported */
	struct area_row *rows; /* owned: long rows, or wide units in order of first appearance */
	size_t n_rows, cap_rows;
	struct cc_map codes; /* P-code → rows[] index, while reading */
};

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		cc_free(v[i]);
	cc_free(v);
}

static int strv_dup(char *const *v, size_t n, char ***out, size_t *n_out)
{
	char **c = cc_alloc_array(n ? n : 1, sizeof(*c));

	if (!c)
		return CC_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		c[i] = cc_strdup(v[i]);
		if (!c[i]) {
			strv_free(c, i);
			return CC_ENOMEM;
		}
	}
	*out = c;
	*n_out = n;
	return 0;
}

static void gaz_release(struct gaz *g)
{
	cc_csv_close(g->csv);
	strv_free(g->header, g->n_header);
	strv_free(g->pending, g->n_pending);
	cc_free(g->rows);
	cc_map_release(&g->codes);
}

/* The trimmed cell col of a row ("" when the row is short or col is -1). Trims in place. */
static const char *cell(char **fields, size_t n, long col)
{
	if (col < 0 || (size_t)col >= n)
		return "";
	return cc_text_trim(fields[col]);
}

static const char *col_name(const struct gaz *g, long col)
{
	return col >= 0 && (size_t)col < g->n_header ? g->header[col] : "";
}

static void column_list(const struct gaz *g, char *out, size_t n)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < g->n_header && off < n; i++) {
		int k = snprintf(out + off, n - off, "%s%s", i ? ", " : "", g->header[i]);

		if (k < 0)
			break;
		off += (size_t)k;
	}
}

/* The column named name (ASCII case-insensitive, trimmed), or -1. */
static long col_by_name(const struct gaz *g, const char *name)
{
	for (size_t i = 0; i < g->n_header; i++) {
		const char *h = g->header[i];
		size_t len = strlen(h);

		while (*h == ' ')
			h++, len--;
		while (len > 0 && (h[len - 1] == ' ' || h[len - 1] == '\r'))
			len--;
		if (strlen(name) == len && strncasecmp(h, name, len) == 0)
			return (long)i;
	}
	return -1;
}

/* The first column whose header key (see header_key) is one of keys, or -1. */
static long col_by_key(const struct gaz *g, const char *const *keys)
{
	for (; *keys; keys++) {
		for (size_t i = 0; i < g->n_header; i++) {
			char key[64];

			header_key(g->header[i], key, sizeof(key));
			if (strcmp(key, *keys) == 0)
				return (long)i;
		}
	}
	return -1;
}

/* Checks the wide layout's levels: contiguous, each with code and name, cut at opts->level. */
static int gaz_levels(struct run *r, struct gaz *g, struct cc_err *err)
{
	g->lo = -1;
	g->hi = -1;
	for (int k = 0; k <= MAX_LEVEL; k++) {
		if (g->wcode[k] < 0)
			continue;
		if (g->lo < 0)
			g->lo = k;
		g->hi = k;
	}
	if (g->lo < 0)
		return cc_err_set(err, CC_EUSAGE, "no P-code column in '%s'", r->file);
	for (int k = g->lo; k <= g->hi; k++) {
		if (g->wcode[k] < 0)
			return cc_err_set(
			        err, CC_EUSAGE,
			        "'%s' has P-codes for levels %d and %d but not for level %d",
			        r->file, g->lo, g->hi, k);
		if (g->wname[k] < 0)
			return cc_err_set(err, CC_EUSAGE, "no name column beside '%s' in '%s'",
			                  g->wcode_field[k], r->file);
	}
	if (r->o.level > 0 && r->o.level < g->lo)
		return cc_err_set(err, CC_EUSAGE, "--level %d: '%s' holds levels %d to %d",
		                  r->o.level, r->file, g->lo, g->hi);
	if (r->o.level > 0 && r->o.level < g->hi)
		g->hi = r->o.level;
	g->wide = true;
	return 0;
}

static int gaz_layout_hxl(struct run *r, struct gaz *g, const struct cc_hxl *hxl,
                          struct cc_err *err)
{
	if (r->o.code_field || r->o.name_field || r->o.parent_field)
		return cc_err_set(err, CC_EUSAGE,
		                  "'%s' is tagged with HXL: its #admN+code and #admN+name columns "
		                  "are used, not --code-field, --name-field or --parent-field",
		                  r->file);
	for (int k = 0; k <= MAX_LEVEL; k++) {
		const struct cc_hxl_col *c, *n;
		char pat[32];

		snprintf(pat, sizeof(pat), "#adm%d+code", k);
		c = cc_hxl_find(hxl, pat);
		if (!c && k == 0)
			c = cc_hxl_find(hxl, "#country+code");
		snprintf(pat, sizeof(pat), "#adm%d+name", k);
		n = cc_hxl_find(hxl, pat);
		if (!n && k == 0)
			n = cc_hxl_find(hxl, "#country+name");
		g->wcode[k] = c ? c->index : -1;
		g->wname[k] = n ? n->index : -1;
		snprintf(g->wcode_field[k], sizeof(g->wcode_field[k]), "%s", c ? c->text : "");
		snprintf(g->wname_field[k], sizeof(g->wname_field[k]), "%s", n ? n->text : "");
	}
	return gaz_levels(r, g, err);
}

static int gaz_layout_header(struct run *r, struct gaz *g, struct cc_err *err)
{
	static const char *const code_keys[] = { "pcode", "code", NULL };
	static const char *const name_keys[] = { "name", "nameen", "englishname", NULL };
	static const char *const level_keys[] = { "adminlevel", "level", "admlevel", NULL };
	static const char *const parent_keys[] = { "parentpcode", "parentcode", "parent", NULL };
	const struct {
		const char *option, *name;
		long *col;
		const char *const *keys;
	} cols[] = {
		{ "--code-field", r->o.code_field, &g->col_code, code_keys },
		{ "--name-field", r->o.name_field, &g->col_name, name_keys },
		{ "--parent-field", r->o.parent_field, &g->col_parent, parent_keys },
		{ NULL, NULL, &g->col_level, level_keys },
	};
	bool user = r->o.code_field || r->o.name_field || r->o.parent_field;
	char list[200];

	column_list(g, list, sizeof(list));
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		if (cols[i].name) {
			*cols[i].col = col_by_name(g, cols[i].name);
			if (*cols[i].col < 0) {
				cc_err_set(err, CC_EUSAGE, "no column '%s' in '%s' (columns: %s)",
				           cols[i].name, r->file, list);
				cc_err_at(err, NULL, 0, cols[i].option);
				return CC_EUSAGE;
			}
		} else {
			*cols[i].col = col_by_key(g, cols[i].keys);
		}
	}
	if (g->col_code < 0 && !user) {
		/* the COD-AB tables: ADM0_PCODE, ADM1_PCODE, … with ADMn_EN names */
		for (int k = 0; k <= MAX_LEVEL; k++) {
			char key[3][32];

			snprintf(key[0], sizeof(key[0]), "adm%dpcode", k);
			snprintf(key[1], sizeof(key[1]), "adm%den", k);
			snprintf(key[2], sizeof(key[2]), "adm%dname", k);
			g->wcode[k] = col_by_key(g, (const char *const[]){ key[0], NULL });
			g->wname[k] = col_by_key(g, (const char *const[]){ key[1], key[2], NULL });
			snprintf(g->wcode_field[k], sizeof(g->wcode_field[k]), "%s",
			         col_name(g, g->wcode[k]));
			snprintf(g->wname_field[k], sizeof(g->wname_field[k]), "%s",
			         col_name(g, g->wname[k]));
			if (g->wcode[k] >= 0)
				g->wide = true;
		}
		if (g->wide)
			return gaz_levels(r, g, err);
	}
	if (g->col_code < 0)
		return cc_err_set(err, CC_EUSAGE,
		                  "no P-code column in '%s' (columns: %s); use --code-field",
		                  r->file, list);
	if (g->col_name < 0)
		return cc_err_set(err, CC_EUSAGE,
		                  "no name column in '%s' (columns: %s); use --name-field", r->file,
		                  list);
	if (g->col_level < 0 && r->o.level < 1)
		return cc_err_set(err, CC_EUSAGE, "'%s' has no admin level column; give --level",
		                  r->file);
	if (r->o.level > MAX_LEVEL)
		return cc_err_set(err, CC_EUSAGE, "--level %d is out of range 0..%d", r->o.level,
		                  MAX_LEVEL);
	return 0;
}

/* The row after the header: 1 a hashtag row (*hxl filled), 0 the first data row (kept). */
static int gaz_second_row(struct run *r, struct gaz *g, struct cc_hxl *hxl, struct cc_err *err)
{
	struct cc_csv_row row;
	int ret = cc_csv_next(g->csv, &row, err);

	if (ret > 0)
		return 0; /* a header and no rows */
	if (ret == 0)
		ret = cc_hxl_parse(row.fields, row.n_fields, hxl, err);
	if (ret == 1) {
		g->hxl_line = row.line;
		if (row.n_fields > g->width)
			g->width = row.n_fields;
	}
	if (ret != 0)
		return ret;
	g->pending_line = row.line;
	if (strv_dup(row.fields, row.n_fields, &g->pending, &g->n_pending) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory reading '%s'", r->file);
	return 0;
}

/* Reads the header row (and the HXL hashtag row when there is one) and decides the layout. */
static int gaz_header(struct run *r, struct gaz *g, struct cc_err *err)
{
	struct cc_hxl hxl = { 0 };
	struct cc_csv_row row;
	int ret;

	ret = cc_csv_next(g->csv, &row, err);
	if (ret > 0)
		return cc_err_set(err, CC_EPARSE, "'%s' is empty", r->file);
	if (ret < 0)
		return ret;
	g->hxl_line = row.line;
	g->width = row.n_fields;
	ret = cc_hxl_parse(row.fields, row.n_fields, &hxl, err);
	if (ret == 0)
		ret = cc__header_unique(row.fields, row.n_fields, r->file, row.line, err);
	if (ret == 0 && strv_dup(row.fields, row.n_fields, &g->header, &g->n_header) < 0)
		ret = cc_err_set(err, CC_ENOMEM, "out of memory reading '%s'", r->file);
	else if (ret == 0)
		ret = gaz_second_row(r, g, &hxl, err);
	if (ret == 1)
		ret = cc__hxl_unique(&hxl, r->file, g->hxl_line, err) < 0 ? CC_EPARSE : 1;
	if (ret == 1)
		ret = gaz_layout_hxl(r, g, &hxl, err);
	else if (ret == 0)
		ret = gaz_layout_header(r, g, err);
	cc_hxl_release(&hxl);
	return ret;
}

static int gaz_add(struct run *r, struct gaz *g, const struct area_row *row, struct cc_err *err)
{
	if (g->n_rows == g->cap_rows) {
		size_t cap = g->cap_rows ? 2 * g->cap_rows : 256;
		struct area_row *p = cc_realloc(g->rows, cap * sizeof(*p));

		if (!p)
			return cc_err_set(err, CC_ENOMEM, "out of memory reading '%s'", r->file);
		g->rows = p;
		g->cap_rows = cap;
	}
	if (cc_map_put(&g->codes, row->code, (int64_t)g->n_rows) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory reading '%s'", r->file);
	g->rows[g->n_rows++] = *row;
	return 0;
}

/* Checks code and name and copies them into row; 0 or 1 rejected. */
static int gaz_code_name(struct run *r, struct area_row *row, const char *code, const char *name,
                         const char *code_field, const char *name_field, struct cc_err *err)
{
	if (!code[0])
		return rejectf(r, row->line, code_field, err, "empty P-code");
	if (!copy_str(row->code, sizeof(row->code), code))
		return rejectf(r, row->line, code_field, err,
		               "P-code '%.40s' is longer than %zu bytes", code,
		               sizeof(row->code) - 1);
	if (!name[0])
		return rejectf(r, row->line, name_field, err, "empty name for P-code '%s'", code);
	if (!copy_str(row->name, sizeof(row->name), name))
		return rejectf(r, row->line, name_field, err,
		               "name '%.40s…' is longer than %zu bytes", name,
		               sizeof(row->name) - 1);
	return 0;
}

/* One row of the long layout: 0 kept (or skipped), 1 rejected, < 0. */
static int gaz_long_row(struct run *r, struct gaz *g, char **f, size_t n, long line,
                        struct cc_err *err)
{
	struct area_row row = { .line = line };
	const char *code = cell(f, n, g->col_code), *name = cell(f, n, g->col_name);
	const char *lvl = cell(f, n, g->col_level), *parent = cell(f, n, g->col_parent);
	const char *pfield = col_name(g, g->col_parent);
	int64_t level = r->o.level, i;
	int ret;

	if (!code[0] && !name[0] && !lvl[0] && !parent[0])
		return 0;
	if (g->col_level >= 0) {
		const char *s = strncasecmp(lvl, "adm", 3) == 0 ? lvl + 3 : lvl;

		if (cc_parse_i64(s, 0, MAX_LEVEL, &level, NULL) < 0) {
			r->rep->n_read++;
			return rejectf(r, line, col_name(g, g->col_level), err,
			               "admin level '%s' is not a number from 0 to %d", lvl,
			               MAX_LEVEL);
		}
	}
	if (r->o.level > 0 && level > r->o.level)
		return 0; /* below the levels asked for */
	r->rep->n_read++;
	row.level = (int)level;
	ret = gaz_code_name(r, &row, code, name, col_name(g, g->col_code), col_name(g, g->col_name),
	                    err);
	if (ret != 0)
		return ret;
	if (!copy_str(row.parent, sizeof(row.parent), parent))
		return rejectf(r, line, pfield, err, "P-code '%.40s' is longer than %zu bytes",
		               parent, sizeof(row.parent) - 1);
	if (strcmp(row.parent, row.code) == 0)
		return rejectf(r, line, pfield, err, "P-code '%s' is its own parent", row.code);
	if (!row.parent[0] && row.level >= 2 && g->col_parent >= 0)
		return rejectf(r, line, pfield, err, "empty parent P-code for level-%d area '%s'",
		               row.level, row.code);
	if (cc_map_get(&g->codes, row.code, &i) == 0)
		return rejectf(r, line, col_name(g, g->col_code), err,
		               "P-code '%s' already on line %ld", row.code, g->rows[i].line);
	return gaz_add(r, g, &row, err);
}

/* The unit of level k on a wide row; 0 (*is_new set), 1 rejected. */
static int gaz_wide_unit(struct run *r, struct gaz *g, char **f, size_t n, long line, int k,
                         struct area_row *u, bool *is_new, struct cc_err *err)
{
	const char *code = cell(f, n, g->wcode[k]);
	const struct area_row *o;
	int64_t i;
	int ret;

	memset(u, 0, sizeof(*u));
	u->line = line;
	u->level = k;
	*is_new = false;
	ret = gaz_code_name(r, u, code, cell(f, n, g->wname[k]), g->wcode_field[k],
	                    g->wname_field[k], err);
	if (ret != 0)
		return ret;
	if (k > g->lo)
		copy_str(u->parent, sizeof(u->parent), cell(f, n, g->wcode[k - 1]));
	for (int j = g->lo; j < k; j++)
		if (strcmp(cell(f, n, g->wcode[j]), u->code) == 0)
			return rejectf(r, line, g->wcode_field[k], err,
			               "P-code '%s' is given for levels %d and %d", u->code, j, k);
	if (cc_map_get(&g->codes, u->code, &i) < 0) {
		*is_new = true;
		return 0;
	}
	o = &g->rows[i];
	if (o->level != k)
		return rejectf(r, line, g->wcode_field[k], err,
		               "P-code '%s' is level %d on line %ld", u->code, o->level, o->line);
	if (strcmp(o->name, u->name) != 0)
		return rejectf(r, line, g->wname_field[k], err,
		               "P-code '%s' is named '%s' here but '%s' on line %ld", u->code,
		               u->name, o->name, o->line);
	if (strcmp(o->parent, u->parent) != 0)
		return rejectf(r, line, g->wcode_field[k - 1], err,
		               "P-code '%s' has parent '%s' here but '%s' on line %ld", u->code,
		               u->parent, o->parent, o->line);
	return 0;
}

/* One row of the wide layout, all or nothing: 0 kept, 1 rejected, < 0. */
static int gaz_wide_row(struct run *r, struct gaz *g, char **f, size_t n, long line,
                        struct cc_err *err)
{
	struct area_row units[MAX_LEVEL + 1];
	bool is_new[MAX_LEVEL + 1];
	bool any = false;
	int last = -1, ret;

	for (int k = g->lo; k <= g->hi; k++) {
		if (cell(f, n, g->wcode[k])[0])
			last = k;
		if (cell(f, n, g->wcode[k])[0] || cell(f, n, g->wname[k])[0])
			any = true;
	}
	if (!any)
		return 0;
	r->rep->n_read++;
	if (last < 0)
		return rejectf(r, line, g->wcode_field[g->hi], err, "no P-code on this row");
	for (int k = g->lo; k <= last; k++) {
		if (k < last && !cell(f, n, g->wcode[k])[0])
			return rejectf(r, line, g->wcode_field[k], err,
			               "empty P-code above level-%d area '%s'", last,
			               cell(f, n, g->wcode[last]));
		ret = gaz_wide_unit(r, g, f, n, line, k, &units[k], &is_new[k], err);
		if (ret != 0)
			return ret;
	}
	for (int k = g->lo; k <= last; k++) {
		if (!is_new[k])
			continue;
		ret = gaz_add(r, g, &units[k], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct area_row *a = pa, *b = pb;

	if (a->level != b->level)
		return a->level < b->level ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Creates the adm0 area a long gazetteer's level-1 rows name as their parent. */
static int add_country(struct run *r, const char *code, struct cc_area *out, struct cc_err *err)
{
	struct cc_area a = { .level = 0, .population = -1 };
	int ret;

	copy_str(a.pcode, sizeof(a.pcode), code);
	copy_str(a.name, sizeof(a.name), code);
	ret = upsert(r, &a, NULL, NULL, 0, err);
	if (ret < 0)
		return ret;
	*out = a;
	return 0;
}

/* Stores one gazetteer area (its parent is stored already): 0, 1 rejected, < 0. */
static int gaz_store_row(struct run *r, struct gaz *g, const struct area_row *row,
                         struct cc_err *err)
{
	const char *cfield = g->wide ? g->wcode_field[row->level] : col_name(g, g->col_code);
	const char *pfield = !g->wide         ? col_name(g, g->col_parent)
	                     : row->level > 0 ? g->wcode_field[row->level - 1]
	                                      : "";
	struct cc_area par = { 0 }, cur, a;
	bool exists;
	int ret;

	if (row->parent[0]) {
		ret = find_area(r, row->parent, &par, err);
		if (ret < 0)
			return ret;
		if (ret == 0 && !g->wide && row->level == 1) {
			ret = add_country(r, row->parent, &par, err);
			if (ret < 0)
				return ret;
		} else if (ret == 0) {
			return rejectf(r, row->line, pfield, err, "unknown parent P-code '%s'",
			               row->parent);
		}
		if (par.level != row->level - 1)
			return rejectf(r, row->line, pfield, err,
			               "parent '%s' is at level %d, not %d", row->parent, par.level,
			               row->level - 1);
	}
	ret = find_area(r, row->code, &cur, err);
	if (ret < 0)
		return ret;
	exists = ret == 1;
	if (exists && cur.level != row->level)
		return rejectf(r, row->line, cfield, err,
		               "P-code '%s' is stored at level %d, not %d", row->code, cur.level,
		               row->level);
	if (exists) {
		a = cur;
	} else {
		memset(&a, 0, sizeof(a));
		copy_str(a.pcode, sizeof(a.pcode), row->code);
		a.level = row->level;
		a.population = -1;
	}
	copy_str(a.name, sizeof(a.name), row->name);
	if (par.id)
		a.parent_id = par.id;
	ret = upsert(r, &a, exists ? &cur : NULL, NULL, 0, err);
	return ret < 0 ? ret : 0;
}

static int gaz_row(struct run *r, struct gaz *g, char **f, size_t n, long line, struct cc_err *err)
{
	return g->wide ? gaz_wide_row(r, g, f, n, line, err) : gaz_long_row(r, g, f, n, line, err);
}

/* The fields --map may name: the long layout's header names, or the HXL tags (#adm1+code). */
static const char *const gaz_map_fields[] = { "P-Code", "Name",  "Admin Level", "Parent P-Code",
	                                      "#adm0",  "#adm1", "#adm2",       "#adm3",
	                                      "#adm4",  "#adm5", "#country",    NULL };

static int import_gazetteer(struct run *r, struct cc_err *err)
{
	struct gaz g = { .col_code = -1, .col_name = -1, .col_level = -1, .col_parent = -1 };
	struct cc_csv_opts copts = { 0 };
	struct cc_csv_row row;
	size_t records = 0; /* data records after the pending one, counted or skipped */
	int ret;

	for (int k = 0; k <= MAX_LEVEL; k++)
		g.wcode[k] = g.wname[k] = -1;
	copy_str(r->kind, sizeof(r->kind), "gazetteer");
	if (r->o.code_map) {
		ret = cc_err_set(err, CC_EUSAGE,
		                 "--code-map applies to boundary files, not to '%s'", r->file);
		goto out_release;
	}
	if (r->delimiter == ';') {
		/* never guessed: a ';' file read as CSV would silently misplace values */
		ret = cc_err_set(err, CC_EPARSE,
		                 "the first line is separated by ';', not ',': gazetteers are "
		                 "comma-separated CSV (save the file with commas)");
		cc_err_at(err, r->file, 1, NULL);
		goto out_release;
	}
	copts.delimiter = r->delimiter;
	copts.encoding = r->o.encoding;
	copts.display_name = r->file;
	copts.map = r->o.map; /* --map: the header names below, or the HXL tags */
	copts.n_map = r->o.n_map;
	copts.map_fields = gaz_map_fields;
	ret = cc_csv_open(&g.csv, r->path, &copts, err);
	if (ret < 0)
		goto out_release;
	ret = gaz_header(r, &g, err);
	if (ret < 0)
		goto out_release;
	ret = cc_file_digest(r->path, r->file_digest, err);
	if (ret < 0)
		goto out_release;
	ret = run_start(r, err);
	if (ret != 0)
		goto out_end;
	if (g.pending) {
		struct cc_err why = { 0 };
		struct cc_csv_row first = { .fields = g.pending, .n_fields = g.n_pending,
			                    .line = g.pending_line };

		if (cc__row_width(&first, g.width, &why) != 0) {
			r->rep->n_read++;
			ret = rejectf(r, first.line, NULL, err, "%s", why.msg);
		} else {
			ret = gaz_row(r, &g, g.pending, g.n_pending, g.pending_line, err);
		}
	}
	while (ret >= 0 && (ret = cc_csv_next(g.csv, &row, err)) == 0) {
		struct cc_err why = { 0 };

		records++;
		if (cc__row_width(&row, g.width, &why) != 0) {
			r->rep->n_read++;
			ret = rejectf(r, row.line, NULL, err, "%s", why.msg);
			continue;
		}
		ret = gaz_row(r, &g, row.fields, row.n_fields, row.line, err);
		progress(r, cc_csv_bytes_read(g.csv), cc_csv_bytes_total(g.csv), false);
	}
	if (ret > 0)
		ret = 0;
	if (ret == 0 && !g.pending && !records) {
		/* a header alone: refused, nothing stored (rows below --level are rows, skipped) */
		ret = cc_err_set(err, CC_EPARSE, "no rows after the header");
		cc_err_at(err, r->file, 0, NULL);
	}
	if (ret == 0) {
		/* parents before children: by level, then in file order (no rows: g.rows is NULL) */
		if (g.n_rows)
			qsort(g.rows, g.n_rows, sizeof(*g.rows), row_cmp);
		for (size_t i = 0; i < g.n_rows && ret >= 0; i++)
			ret = gaz_store_row(r, &g, &g.rows[i], err);
		if (ret > 0)
			ret = 0;
	}
	if (ret == 0)
		progress(r, cc_csv_bytes_read(g.csv), cc_csv_bytes_total(g.csv), true);
out_end:
	ret = run_end(r, ret > 0 ? 0 : ret, err);
out_release:
	gaz_release(&g);
	return ret;
}

/* ---- the entry point ---- */

/*
 * The delimiter of a CSV whose first line starts at head[i]: the most frequent of comma,
 * semicolon and tab outside quotes; 0 when the line has none.
 */
static char sniff_delimiter(const unsigned char *head, size_t i, size_t n)
{
	static const char cand[] = { ',', ';', '\t' };
	size_t counts[3] = { 0 }, best = 0;
	bool quoted = false;

	for (; i < n && (quoted || head[i] != '\n'); i++) {
		if (head[i] == '"')
			quoted = !quoted;
		for (size_t k = 0; k < 3 && !quoted; k++)
			counts[k] += head[i] == (unsigned char)cand[k];
	}
	for (size_t k = 1; k < 3; k++)
		if (counts[k] > counts[best])
			best = k;
	return counts[best] ? cand[best] : 0;
}

/*
 * A gazetteer when the name ends in .csv, a boundary file for the usual vector extensions and
 * directories; otherwise the first bytes decide: text whose first line has a comma, semicolon
 * or tab and does not open like JSON or XML is CSV. *delim_out gets the CSV's delimiter (0:
 * the reader's default, a comma).
 */
static bool is_csv(const char *path, char *delim_out)
{
	static const char *const vector_ext[] = { ".geojson",  ".json", ".shp", ".gpkg",
		                                  ".zip",      ".kml",  ".gml", ".fgb",
		                                  ".sqlite",   ".gdb",  ".tab", ".mif",
		                                  ".topojson", ".shz",  NULL };
	unsigned char head[4096];
	struct stat sb;
	size_t n, i = 0;
	FILE *fp;

	*delim_out = 0;
	for (const char *const *e = vector_ext; *e; e++)
		if (has_suffix(path, *e))
			return false;
	if (stat(path, &sb) < 0 || S_ISDIR(sb.st_mode))
		return has_suffix(path, ".csv");
	fp = fopen(path, "rb");
	if (!fp)
		return has_suffix(path, ".csv");
	n = fread(head, 1, sizeof(head), fp);
	fclose(fp);
	if (n >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf)
		i = 3;
	*delim_out = sniff_delimiter(head, i, n);
	if (has_suffix(path, ".csv"))
		return true;
	if (memchr(head, '\0', n))
		return false;
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i == n || head[i] == '{' || head[i] == '[' || head[i] == '<')
		return false;
	return *delim_out != 0;
}

int cc_import_areas(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                    struct cc_import_report *rep, struct cc_err *err)
{
	struct cc_import_report local;
	struct run r = { .st = st, .path = path };
	const char *name;
	int ret;

	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	if (!st || !path || !path[0])
		return cc_err_set(err, CC_EUSAGE, "no store or no file to import areas from");
	if (opts)
		r.o = *opts;
	r.rep = rep;
	r.file = r.o.display_name ? r.o.display_name : path;
	name = r.o.source && r.o.source[0] ? r.o.source : r.file;
	if (!r.o.source || !r.o.source[0]) {
		const char *slash = strrchr(name, '/');

		name = slash ? slash + 1 : name;
	}
	if (!copy_str(r.source_name, sizeof(r.source_name), name))
		return cc_err_set(err, CC_EUSAGE, "source name '%.40s…' is too long", name);
	cc_buf_init(&r.norm, 0);
	if (is_csv(path, &r.delimiter))
		ret = import_gazetteer(&r, err);
	else if (r.o.n_map)
		ret = cc_err_set(err, CC_EUSAGE,
		                 "--map renames the columns of a gazetteer CSV; '%s' is a boundary "
		                 "file: give --code-field, --name-field or --parent-field",
		                 r.file);
	else
		ret = import_boundaries(&r, err);
	code_map_release(&r.cmap);
	cc_map_release(&r.seen);
	cc_buf_release(&r.norm);
	return ret;
}
