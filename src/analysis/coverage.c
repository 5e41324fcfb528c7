#include <concord/coverage.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

/*
 * The 3W/4W matrix in time linear in records + areas + rows × columns (plus sorting the rows):
 *
 *  1. Areas are indexed by id. Each record's area is mapped, once per distinct area, to the area
 *     of its row: its ancestor at the requested level, or, for an area above that level, the
 *     area itself as an "unspecified below admN" row. An area deeper than the level with no
 *     ancestor at that level (an incomplete hierarchy) also becomes an unspecified row, of its
 *     topmost ancestor, so that no record disappears.
 *  2. The rows that received at least one record are sorted (P-code, unspecified rows after)
 *     and numbered. Areas of the level that no record reaches are not rows: the matrix shows
 *     where work is reported; comparing it with the list of areas is the gap analysis' job.
 *  3. Activities, then organisations, get dense numbers (a hash map) and the records are
 *     bucketed by them (a counting sort). Walking one bucket with a "last seen" stamp per cell,
 *     row and column counts each activity (organisation) once per cell, row and column.
 *
 * Counts are therefore recomputed at the requested level, never summed from child areas.
 */

#define NONE SIZE_MAX

/* ---- an int64 → index map, open addressing, linear probing ---- */

struct idmap {
	int64_t *keys;
	size_t *vals; /* NONE: empty slot */
	size_t mask;
};

static uint64_t mix(int64_t key)
{
	uint64_t z = (uint64_t)key + 0x9e3779b97f4a7c15u;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int idmap_init(struct idmap *m, size_t n_keys)
{
	size_t cap = 16;

	while (cap < n_keys * 2 && cap < SIZE_MAX / 4)
		cap *= 2;
	m->keys = cc_alloc_array(cap, sizeof(*m->keys));
	m->vals = cc_alloc_array(cap, sizeof(*m->vals));
	if (!m->keys || !m->vals)
		return CC_ENOMEM;
	m->mask = cap - 1;
	memset(m->vals, 0xff, cap * sizeof(*m->vals));
	return 0;
}

static void idmap_clear(struct idmap *m)
{
	memset(m->vals, 0xff, (m->mask + 1) * sizeof(*m->vals));
}

static void idmap_release(struct idmap *m)
{
	cc_free(m->keys);
	cc_free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
}

/* The value slot of key, claimed (value NONE) if the key is new. The map never fills: cap ≥ 2n. */
static size_t *idmap_slot(struct idmap *m, int64_t key)
{
	size_t i = (size_t)mix(key) & m->mask;

	while (m->vals[i] != NONE && m->keys[i] != key)
		i = (i + 1) & m->mask;
	m->keys[i] = key;
	return &m->vals[i];
}

static size_t idmap_get(const struct idmap *m, int64_t key)
{
	size_t i = (size_t)mix(key) & m->mask;

	while (m->vals[i] != NONE) {
		if (m->keys[i] == key)
			return m->vals[i];
		i = (i + 1) & m->mask;
	}
	return NONE;
}

/* ---- rows ---- */

struct row_key {
	const struct cc_area *area;
	size_t area_index;
	bool unspecified;
};

static int row_key_cmp(const void *pa, const void *pb)
{
	const struct row_key *a = pa, *b = pb;
	int c;

	if (a->unspecified != b->unspecified)
		return a->unspecified ? 1 : -1;
	c = strcmp(a->area->pcode, b->area->pcode);
	if (c)
		return c;
	return (a->area->id > b->area->id) - (a->area->id < b->area->id);
}

/*
 * The index of the area whose row holds records of area `start`: the ancestor at `level`, or
 * the first ancestor above it, or the topmost one. memo[i] caches the answer for area i.
 */
static int row_area_of(const struct cc_area *areas, size_t n_areas, const struct idmap *ix,
                       size_t *memo, size_t start, int level, size_t *out, struct cc_err *err)
{
	size_t i = start, steps = 0;

	while (memo[i] == NONE && areas[i].level > level && areas[i].parent_id != 0) {
		size_t p = idmap_get(ix, areas[i].parent_id); /* checked: never NONE */

		if (++steps > n_areas)
			return cc_err_set(err, CC_EINVALID, "parents of area '%s' form a cycle",
			                  areas[start].pcode);
		i = p;
	}
	*out = memo[i] != NONE ? memo[i] : i;
	memo[start] = *out;
	return 0;
}

/* Copies s into dst[n], cutting at a UTF-8 character boundary when it does not fit. */
static void copy_utf8(char *dst, size_t n, const char *s)
{
	size_t len = strnlen(s, n);

	if (len >= n) {
		len = n - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static void fill_row(struct cc_coverage_row *row, const struct row_key *k, int level)
{
	char suffix[48];
	size_t room;

	row->area_id = k->area->id;
	copy_utf8(row->pcode, sizeof(row->pcode), k->area->pcode);
	row->level = k->unspecified ? k->area->level : level;
	row->unspecified = k->unspecified;
	if (!k->unspecified) {
		copy_utf8(row->name, sizeof(row->name), k->area->name);
		return;
	}
	/* "Kabul (unspecified below adm2)": the area the records sit in stays visible */
	snprintf(suffix, sizeof(suffix), " (unspecified below adm%d)", level);
	room = sizeof(row->name) - strlen(suffix);
	copy_utf8(row->name, room, k->area->name);
	memcpy(row->name + strlen(row->name), suffix, strlen(suffix) + 1);
}

/* ---- the computation ---- */

/* No records: no people either, which is not zero people. */
static const struct cc_coverage_cell empty_cell = { .targeted = (double)NAN,
	                                            .reached = (double)NAN };

struct work {
	struct idmap areas; /* area id → index into areas */
	size_t *area_memo;  /* n_areas: index of the row's area, NONE until seen */
	size_t *area_row;   /* n_areas: row number of a row's area, NONE when not a row */
	size_t *rec_row;    /* n_records: row number of each record */
	struct row_key *keys;
	struct idmap ids; /* activity or organisation id → dense number */
	size_t *dense;    /* n_records */
	size_t *start;    /* n_ids + 1: bucket offsets */
	size_t *order;    /* n_records: record indices bucketed by dense number */
	size_t *cell_stamp, *row_stamp, *col_stamp;
};

static void work_release(struct work *w)
{
	idmap_release(&w->areas);
	cc_free(w->area_memo);
	cc_free(w->area_row);
	cc_free(w->rec_row);
	cc_free(w->keys);
	idmap_release(&w->ids);
	cc_free(w->dense);
	cc_free(w->start);
	cc_free(w->order);
	cc_free(w->cell_stamp);
	cc_free(w->row_stamp);
	cc_free(w->col_stamp);
}

static int check_figure(double v, size_t r, const char *what, struct cc_err *err)
{
	if (isnan(v) || (isfinite(v) && v >= 0))
		return 0;
	cc_err_set(err, CC_EINVALID, "record %zu: people %s %g is not a count", r, what, v);
	cc_err_at(err, NULL, 0, what);
	return CC_EINVALID;
}

/* Validates every record and maps it to the index of its row's area (in w->rec_row). */
static int map_records(struct work *w, const struct cc_coverage_record *recs, size_t n_recs,
                       const struct cc_area *areas, size_t n_areas, size_t n_columns, int level,
                       struct cc_err *err)
{
	int ret;

	for (size_t r = 0; r < n_recs; r++) {
		const struct cc_coverage_record *rec = &recs[r];
		size_t a = idmap_get(&w->areas, rec->area_id);

		if (a == NONE) {
			cc_err_set(err, CC_EINVALID, "record %zu: unknown area id %lld", r,
			           (long long)rec->area_id);
			cc_err_at(err, NULL, 0, "area_id");
			return CC_EINVALID;
		}
		if (rec->column < 0 || (size_t)rec->column >= n_columns) {
			cc_err_set(err, CC_EINVALID, "record %zu: column %d is not in [0, %zu)", r,
			           rec->column, n_columns);
			cc_err_at(err, NULL, 0, "column");
			return CC_EINVALID;
		}
		if (rec->kind != CC_KIND_PRESENCE && rec->kind != CC_KIND_ACTIVITY) {
			cc_err_set(err, CC_EINVALID, "record %zu: unknown kind %d", r,
			           (int)rec->kind);
			cc_err_at(err, NULL, 0, "kind");
			return CC_EINVALID;
		}
		if ((ret = check_figure(rec->targeted, r, "targeted", err)) < 0 ||
		    (ret = check_figure(rec->reached, r, "reached", err)) < 0)
			return ret;
		ret = row_area_of(areas, n_areas, &w->areas, w->area_memo, a, level, &w->rec_row[r],
		                  err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Collects the rows that received records, sorts them and fills cov->rows. */
static int make_rows(struct work *w, size_t n_recs, const struct cc_area *areas, int level,
                     struct cc_coverage *cov)
{
	size_t n_rows = 0, n_cols = cov->n_columns;

	for (size_t r = 0; r < n_recs; r++) {
		size_t a = w->rec_row[r];

		if (w->area_row[a] == NONE) {
			w->area_row[a] = 0;
			w->keys[n_rows++] = (struct row_key){
				.area = &areas[a],
				.area_index = a,
				.unspecified = areas[a].level != level,
			};
		}
	}
	qsort(w->keys, n_rows, sizeof(*w->keys), row_key_cmp);

	cov->rows = cc_alloc_array(n_rows, sizeof(*cov->rows));
	if (!cov->rows)
		return CC_ENOMEM;
	if (n_rows) {
		struct cc_coverage_cell *block = cc_alloc_array(n_rows, n_cols * sizeof(*block));

		if (!block) {
			cc_free(cov->rows);
			cov->rows = NULL;
			return CC_ENOMEM;
		}
		for (size_t i = 0; i < n_rows * n_cols; i++)
			block[i] = empty_cell;
		for (size_t i = 0; i < n_rows; i++) {
			cov->rows[i].cells = block + i * n_cols;
			fill_row(&cov->rows[i], &w->keys[i], level);
			w->area_row[w->keys[i].area_index] = i;
		}
	}
	cov->n_rows = n_rows;
	for (size_t r = 0; r < n_recs; r++)
		w->rec_row[r] = w->area_row[w->rec_row[r]];
	return 0;
}

static void add_figure(double *sum, double v)
{
	if (isnan(v))
		return;
	*sum = isnan(*sum) ? v : *sum + v;
}

static void sum_people(const struct work *w, const struct cc_coverage_record *recs, size_t n_recs,
                       struct cc_coverage *cov)
{
	for (size_t r = 0; r < n_recs; r++) {
		const struct cc_coverage_record *rec = &recs[r];
		struct cc_coverage_cell *cell = &cov->rows[w->rec_row[r]].cells[rec->column];
		struct cc_coverage_cell *tot = &cov->col_totals[rec->column];

		if (rec->kind != CC_KIND_ACTIVITY) /* presence rows never count as people */
			continue;
		add_figure(&cell->targeted, rec->targeted);
		add_figure(&cell->reached, rec->reached);
		add_figure(&tot->targeted, rec->targeted);
		add_figure(&tot->reached, rec->reached);
	}
}

/*
 * Counts distinct activities (orgs false) or organisations (orgs true) per cell, row, column
 * and overall. The work arrays are allocated by the caller and reused by both passes.
 */
static void count_distinct(struct work *w, const struct cc_coverage_record *recs, size_t n_recs,
                           bool orgs, struct cc_coverage *cov)
{
	size_t n_ids = 0, n_cols = cov->n_columns;

	idmap_clear(&w->ids);
	for (size_t r = 0; r < n_recs; r++) {
		size_t *v = idmap_slot(&w->ids, orgs ? recs[r].org_id : recs[r].activity_id);

		if (*v == NONE)
			*v = n_ids++;
		w->dense[r] = *v;
	}
	/* counting sort of the records by dense id */
	memset(w->start, 0, (n_ids + 1) * sizeof(*w->start));
	for (size_t r = 0; r < n_recs; r++)
		w->start[w->dense[r] + 1]++;
	for (size_t i = 0; i < n_ids; i++)
		w->start[i + 1] += w->start[i];
	for (size_t r = 0; r < n_recs; r++)
		w->order[w->start[w->dense[r]]++] = r;
	/* start[i] is now the end of bucket i, the beginning of bucket i + 1 */

	memset(w->cell_stamp, 0xff, cov->n_rows * n_cols * sizeof(*w->cell_stamp));
	memset(w->row_stamp, 0xff, cov->n_rows * sizeof(*w->row_stamp));
	memset(w->col_stamp, 0xff, n_cols * sizeof(*w->col_stamp));
	for (size_t id = 0, k = 0; id < n_ids; id++) {
		for (; k < w->start[id]; k++) {
			size_t r = w->order[k], row = w->rec_row[r], col = (size_t)recs[r].column;
			size_t cell = row * n_cols + col;
			struct cc_coverage_row *rw = &cov->rows[row];

			if (w->cell_stamp[cell] != id) {
				w->cell_stamp[cell] = id;
				if (orgs)
					rw->cells[col].n_orgs++;
				else
					rw->cells[col].n_activities++;
			}
			if (w->row_stamp[row] != id) {
				w->row_stamp[row] = id;
				if (orgs)
					rw->n_orgs++;
				else
					rw->n_activities++;
			}
			if (w->col_stamp[col] != id) {
				w->col_stamp[col] = id;
				if (orgs)
					cov->col_totals[col].n_orgs++;
				else
					cov->col_totals[col].n_activities++;
			}
		}
	}
	if (orgs)
		cov->n_orgs = n_ids;
	else
		cov->n_activities = n_ids;
}

static int alloc_counting(struct work *w, size_t n_recs, const struct cc_coverage *cov)
{
	if (idmap_init(&w->ids, n_recs) < 0)
		return CC_ENOMEM;
	w->dense = cc_alloc_array(n_recs, sizeof(*w->dense));
	w->start = cc_alloc_array(n_recs + 1, sizeof(*w->start));
	w->order = cc_alloc_array(n_recs, sizeof(*w->order));
	w->cell_stamp = cc_alloc_array(cov->n_rows, cov->n_columns * sizeof(*w->cell_stamp));
	w->row_stamp = cc_alloc_array(cov->n_rows, sizeof(*w->row_stamp));
	w->col_stamp = cc_alloc_array(cov->n_columns, sizeof(*w->col_stamp));
	if (!w->dense || !w->start || !w->order || !w->cell_stamp || !w->row_stamp || !w->col_stamp)
		return CC_ENOMEM;
	return 0;
}

int cc_coverage_compute(const struct cc_coverage_record *records, size_t n_records,
                        const struct cc_area *areas, size_t n_areas,
                        const struct cc_coverage_column *columns, size_t n_columns,
                        const struct cc_coverage_opts *opts, struct cc_coverage *out,
                        struct cc_err *err)
{
	struct work w = { 0 };
	int level = opts && opts->level > 0 ? opts->level : 1;
	int ret = CC_ENOMEM;

	memset(out, 0, sizeof(*out));
	out->level = level;
	out->by = opts ? opts->by : CC_BY_PILLAR;
	out->n_records = n_records;
	out->marking = CC_REL_PUBLIC;
	for (size_t i = 0; i < n_records; i++)
		out->marking = cc_rel_max(out->marking, records[i].rel);
	out->n_columns = n_columns;

	out->columns = cc_alloc_array(n_columns, sizeof(*out->columns));
	out->col_totals = cc_alloc_array(n_columns, sizeof(*out->col_totals));
	if (!out->columns || !out->col_totals)
		goto out_nomem;
	for (size_t c = 0; c < n_columns; c++) {
		out->columns[c] = columns[c];
		out->columns[c].code[sizeof(columns[c].code) - 1] = '\0';
		out->columns[c].name[sizeof(columns[c].name) - 1] = '\0';
		out->col_totals[c] = empty_cell;
	}

	if (idmap_init(&w.areas, n_areas) < 0)
		goto out_nomem;
	for (size_t i = 0; i < n_areas; i++) {
		size_t *v = idmap_slot(&w.areas, areas[i].id);

		if (*v != NONE) {
			ret = cc_err_set(err, CC_EINVALID, "area id %lld ('%s') is given twice",
			                 (long long)areas[i].id, areas[i].pcode);
			goto out_release;
		}
		*v = i;
	}
	for (size_t i = 0; i < n_areas; i++) { /* every parent given, whichever level is asked */
		if (areas[i].parent_id != 0 && idmap_get(&w.areas, areas[i].parent_id) == NONE) {
			ret = cc_err_set(err, CC_EINVALID,
			                 "parent id %lld of area '%s' is not in the areas given",
			                 (long long)areas[i].parent_id, areas[i].pcode);
			goto out_release;
		}
	}
	w.area_memo = cc_alloc_array(n_areas, sizeof(*w.area_memo));
	w.area_row = cc_alloc_array(n_areas, sizeof(*w.area_row));
	w.rec_row = cc_alloc_array(n_records, sizeof(*w.rec_row));
	w.keys = cc_alloc_array(n_areas, sizeof(*w.keys));
	if (!w.area_memo || !w.area_row || !w.rec_row || !w.keys)
		goto out_nomem;
	memset(w.area_memo, 0xff, n_areas * sizeof(*w.area_memo));
	memset(w.area_row, 0xff, n_areas * sizeof(*w.area_row));

	ret = map_records(&w, records, n_records, areas, n_areas, n_columns, level, err);
	if (ret < 0)
		goto out_release;
	if (make_rows(&w, n_records, areas, level, out) < 0 ||
	    alloc_counting(&w, n_records, out) < 0)
		goto out_nomem;
	sum_people(&w, records, n_records, out);
	count_distinct(&w, records, n_records, false, out);
	count_distinct(&w, records, n_records, true, out);
	ret = 0;
	goto out_work;

out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory computing coverage of %zu records",
	                 n_records);
out_release:
	cc_coverage_release(out);
out_work:
	work_release(&w);
	return ret;
}

void cc_coverage_release(struct cc_coverage *cov)
{
	if (!cov)
		return;
	if (cov->rows && cov->n_rows)
		cc_free(cov->rows[0].cells); /* the one cell block of all rows */
	cc_free(cov->rows);
	cc_free(cov->columns);
	cc_free(cov->col_totals);
	memset(cov, 0, sizeof(*cov));
}
