/*
 * The overlap domain on PostgreSQL: the read of the mission's activities of kind `activity`
 * (sqlite_overlap.c in PostgreSQL's dialect; no tables of its own). Who may see an activity,
 * its site and its figures is decided in C by cc_visible() and cc_visible_field() from the
 * row's marking, the one rule, not by a second copy of it in SQL.
 */
#include "store/ops_overlap.h"
#include "store/postgres_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "core/banned.h"

/*
 * The activities alone, without a join: the server's work is one scan of the mission's
 * activities; their sectors, organisations and areas (small tables, read whole) are looked up
 * in C. Fields 0 … 10 as SQLite's read takes them from activity; the marking from 11, the
 * site's and the figures' own markings at 17 and 18. Read as one binary COPY (nothing printed
 * by the server and parsed here, no result holding every row); the mission's id is written
 * in (%lld), as COPY takes no parameters.
 */
static const char acts_sql[] =
        "COPY (SELECT a.id, coalesce(a.org_id, 0), coalesce(a.impl_org_id, 0), "
        "coalesce(a.sector_id, 0), coalesce(a.area_id, 0), a.start_date, a.end_date, a.lat, "
        "a.lon, a.targeted, a.reached, a.id, a.mission_id, a.owner_id, a.releasability, "
        "a.deny, a.shared, a.geo_rel, a.figures_rel, coalesce(a.title, ''), "
        "coalesce(a.description, '') FROM activity a WHERE a.mission_id = %lld AND a.kind = 1 "
        "ORDER BY a.id) TO STDOUT (FORMAT binary)";
enum { N_FIELDS = 21 };

/* the category: the DAC-3 code of a DAC-5 or DAC-3 sector, none for other lists */
static const char sectors_sql[] =
        "SELECT id, CASE WHEN vocabulary IN ('1', '2') THEN coalesce(category, substr(code, 1, "
        "3)) END, coalesce(code, '') FROM sector ORDER BY id";
static const char orgs_sql[] =
        "SELECT id, coalesce(acronym, name, '') FROM organisation ORDER BY id";

enum { C_MARK = 11, C_GEO_REL = 17, C_FIG_REL = 18, C_TITLE = 19, C_DESC = 20 };

struct node {
	int64_t id, parent;
	int level;
	int row; /* in the result it was read from */
};

static int cmp_node(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Offsets of an activity's five strings in the text buffer. */
struct offs {
	size_t o[5];
};

/* Reads sql (id first; for areas parent and level next) into nodes by id; *res kept for its
 * other columns. */
static int load_nodes(struct cc_store *st, const char *sql, bool tree, PGresult **res,
                      struct node **out, size_t *n_out, struct cc_err *err)
{
	struct node *v = NULL;
	size_t n = 0;
	int ret;

	ret = cc__pg_rows(st, sql, NULL, sizeof(*v), res, (void **)&v, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		v[i].id = cc__pg_col_i64(*res, (int)i, 0);
		v[i].row = (int)i;
		if (tree) {
			v[i].parent = cc__pg_col_i64(*res, (int)i, 1);
			v[i].level = (int)cc__pg_col_i64(*res, (int)i, 2);
		}
	}
	*out = v;
	*n_out = n;
	return 0;
}

static const struct node *find_node(const struct node *v, size_t n, int64_t id)
{
	struct node key = { .id = id };

	return id && n ? bsearch(&key, v, n, sizeof(*v), cmp_node) : NULL;
}

static void fill_path(const struct node *v, size_t n, struct cc_overlap_activity *a)
{
	const struct node *x = find_node(v, n, a->area_id);

	a->area_level = x ? x->level : -1;
	for (int hop = 0; x && hop < 16; hop++) {
		if (x->level >= 0 && x->level < CC_OV_LEVELS && !a->path[x->level])
			a->path[x->level] = x->id;
		x = find_node(v, n, x->parent);
	}
}

/* ---- fields of a binary COPY row (cc__pg_bin_i64, cc__pg_bin_f8 in postgres_int.h) ---- */

/* Adds len bytes at v (none when v is NULL) and a '\0' to b, at *off. */
static int add_bytes(struct cc_buf *b, const void *v, size_t len, size_t *off)
{
	*off = b->len;
	if (v && len && cc_buf_add(b, v, len) < 0)
		return CC_ENOMEM;
	return cc_buf_addch(b, '\0');
}

/* Adds column c of row r of res ("" when res is NULL) to b, at *off. */
static int add_str(struct cc_buf *b, const PGresult *res, int r, int c, size_t *off)
{
	return add_bytes(b, res ? PQgetvalue(res, r, c) : NULL,
	                 res ? (size_t)PQgetlength(res, r, c) : 0, off);
}

struct ov_load {
	struct cc_store *st;
	struct cc__pg_shares sh;
	struct cc_overlap_activity *acts;
	struct offs *offs;
	size_t n, cap, cap_offs;
	struct node *areas, *sectors, *orgs;
	size_t n_areas, n_sectors, n_orgs;
	PGresult *ares, *sres, *ores;
	struct cc_map cats;
	int64_t n_cats;
	struct cc_buf text;
};

/* One activity of the COPY: kept when the reader may see it. */
static int ov_row(void *ctx, int nf, const unsigned char *const *v, const int32_t *len,
                  struct cc_err *err)
{
	struct ov_load *l = ctx;
	struct cc_overlap_activity *a;
	const struct node *sec, *org, *area;
	struct cc_marking m;
	bool site, figures;
	size_t *o;

	if (nf != N_FIELDS)
		return cc_err_set(err, CC_ESTORE, "PostgreSQL: an activity row of %d fields", nf);
	if (!cc__pg_bin_visible(l->st, &l->sh, v, len, C_MARK, &m))
		return 0;
	site = cc_visible_field(&l->st->viewer, &m,
	                        cc__pg_bin_rel(v[C_GEO_REL], len[C_GEO_REL], m.rel));
	figures = cc_visible_field(&l->st->viewer, &m,
	                           cc__pg_bin_rel(v[C_FIG_REL], len[C_FIG_REL], m.rel));
	if (cc__grow((void **)&l->acts, &l->cap, l->n, sizeof(*l->acts)) < 0 ||
	    cc__grow((void **)&l->offs, &l->cap_offs, l->n, sizeof(*l->offs)) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	a = &l->acts[l->n];
	o = l->offs[l->n].o;
	memset(a, 0, sizeof(*a));
	a->id = cc__pg_bin_i64(v[0], len[0]);
	a->org_id = cc__pg_bin_i64(v[1], len[1]);
	a->impl_org_id = cc__pg_bin_i64(v[2], len[2]);
	a->sector_id = cc__pg_bin_i64(v[3], len[3]);
	sec = find_node(l->sectors, l->n_sectors, a->sector_id);
	org = find_node(l->orgs, l->n_orgs, a->org_id);
	if (sec && !cc__pg_col_null(l->sres, sec->row, 1)) {
		const char *cat = PQgetvalue(l->sres, sec->row, 1);

		if (cc_map_get(&l->cats, cat, &a->category_id) < 0) {
			a->category_id = ++l->n_cats;
			if (cc_map_put(&l->cats, cat, l->n_cats) < 0)
				return cc_err_set(err, CC_ENOMEM, "out of memory");
		}
	}
	a->area_id = cc__pg_bin_i64(v[4], len[4]);
	area = find_node(l->areas, l->n_areas, a->area_id);
	a->start = len[5] < 0 ? CC_DATE_NONE : (int32_t)cc__pg_bin_i64(v[5], len[5]);
	a->end = len[6] < 0 ? CC_DATE_NONE : (int32_t)cc__pg_bin_i64(v[6], len[6]);
	a->lat = site ? cc__pg_bin_f8(v[7], len[7]) : (double)NAN;
	a->lon = site ? cc__pg_bin_f8(v[8], len[8]) : (double)NAN;
	a->targeted = figures ? cc__pg_bin_f8(v[9], len[9]) : (double)NAN;
	a->reached = figures ? cc__pg_bin_f8(v[10], len[10]) : (double)NAN;
	if (add_bytes(&l->text, v[C_TITLE], len[C_TITLE] > 0 ? (size_t)len[C_TITLE] : 0, &o[0]) <
	            0 ||
	    add_bytes(&l->text, v[C_DESC], len[C_DESC] > 0 ? (size_t)len[C_DESC] : 0, &o[1]) < 0 ||
	    add_str(&l->text, org ? l->ores : NULL, org ? org->row : 0, 1, &o[2]) < 0 ||
	    add_str(&l->text, sec ? l->sres : NULL, sec ? sec->row : 0, 2, &o[3]) < 0 ||
	    add_str(&l->text, area ? l->ares : NULL, area ? area->row : 0, 3, &o[4]) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	fill_path(l->areas, l->n_areas, a);
	l->n++;
	return 0;
}

static int pg_load_overlap(struct cc_store *st, int64_t mission_id, struct cc_overlap_input *out,
                           struct cc_err *err)
{
	struct ov_load l = { .st = st, .cats = CC_MAP_INIT, .text = CC_BUF_INIT(SIZE_MAX / 2) };
	char sql[sizeof(acts_sql) + 32];
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = load_nodes(st,
	                      "SELECT id, coalesce(parent_id, 0), level, coalesce(pcode, '') FROM "
	                      "area ORDER BY id",
	                      true, &l.ares, &l.areas, &l.n_areas, err)) < 0 ||
	    (ret = load_nodes(st, sectors_sql, false, &l.sres, &l.sectors, &l.n_sectors, err)) <
	            0 ||
	    (ret = load_nodes(st, orgs_sql, false, &l.ores, &l.orgs, &l.n_orgs, err)) < 0 ||
	    (ret = cc__pg_load_shares(st, "activity", &l.sh, err)) < 0)
		goto out;
	snprintf(sql, sizeof(sql), acts_sql, (long long)mission_id);
	if ((ret = cc__pg_copy_binary(st, sql, ov_row, &l, err)) < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		l.acts[i].title = l.text.buf + l.offs[i].o[0];
		l.acts[i].description = l.text.buf + l.offs[i].o[1];
		l.acts[i].org = l.text.buf + l.offs[i].o[2];
		l.acts[i].sector = l.text.buf + l.offs[i].o[3];
		l.acts[i].pcode = l.text.buf + l.offs[i].o[4];
	}
	out->acts = l.n ? l.acts : NULL;
	out->n = l.n;
	out->text = l.text.alloc ? cc_buf_detach(&l.text, NULL) : NULL;
	if (l.n)
		l.acts = NULL;
out:
	PQclear(l.ares);
	PQclear(l.sres);
	PQclear(l.ores);
	cc_free(l.acts);
	cc_free(l.offs);
	cc_free(l.areas);
	cc_free(l.sectors);
	cc_free(l.orgs);
	cc_free(l.sh.ids);
	cc_map_release(&l.cats);
	cc_buf_release(&l.text);
	cc__pg_rx_leave(st, own);
	return ret;
}

const struct cc__overlap_ops cc__pg_overlap = {
	.load_overlap = pg_load_overlap,
};
