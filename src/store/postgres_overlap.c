/*
 * The overlap domain on PostgreSQL: the read of the mission's activities of kind `activity`
 * (sqlite_overlap.c in PostgreSQL's dialect; no tables of its own). Who may see an activity,
 * its site and its figures is decided in C by cc_visible() and cc_visible_field() from the
 * row's marking, the one rule, not by a second copy of it in SQL.
 */
#include "store/ops_overlap.h"
#include "store/postgres_int.h"

#include <math.h>
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
 * in C. Columns 0 … 10 as SQLite's read takes them from activity; the marking from 11
 * (cc__pg_row_visible), the site's and the figures' own markings at 17 and 18.
 */
static const char acts_sql[] =
        "SELECT a.id, coalesce(a.org_id, 0), coalesce(a.impl_org_id, 0), "
        "coalesce(a.sector_id, 0), coalesce(a.area_id, 0), a.start_date, a.end_date, a.lat, "
        "a.lon, a.targeted, a.reached, a.id, a.mission_id, a.owner_id, a.releasability, "
        "a.deny, a.shared, a.geo_rel, a.figures_rel, coalesce(a.title, ''), "
        "coalesce(a.description, '') FROM activity a WHERE a.mission_id = $1 AND a.kind = 1 "
        "ORDER BY a.id";
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

/* A field's own marking in column c (NULL: the record's). */
static enum cc_rel field_rel(const PGresult *res, int r, int c, enum cc_rel record)
{
	enum cc_rel f = record;

	if (!cc__pg_col_null(res, r, c) && cc_rel_parse(cc__pg_cstr(res, r, c), &f, NULL) < 0)
		f = CC_REL_ORG; /* an unknown marking is the strictest */
	return f;
}

/* Adds column c of row r of res ("" when res is NULL) to b, at *off. */
static int add_str(struct cc_buf *b, const PGresult *res, int r, int c, size_t *off)
{
	*off = b->len;
	if (res && cc_buf_add(b, PQgetvalue(res, r, c), (size_t)PQgetlength(res, r, c)) < 0)
		return CC_ENOMEM;
	return cc_buf_addch(b, '\0');
}

static int pg_load_overlap(struct cc_store *st, int64_t mission_id, struct cc_overlap_input *out,
                           struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_overlap_activity *acts = NULL;
	struct offs *offs = NULL;
	struct node *areas = NULL, *sectors = NULL, *orgs = NULL;
	struct cc_map cats = CC_MAP_INIT;
	struct cc_buf text = CC_BUF_INIT(SIZE_MAX / 2);
	size_t n = 0, n_areas = 0, n_sectors = 0, n_orgs = 0, n_rows;
	int64_t n_cats = 0;
	PGresult *res = NULL, *ares = NULL, *sres = NULL, *ores = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = load_nodes(st,
	                      "SELECT id, coalesce(parent_id, 0), level, coalesce(pcode, '') FROM "
	                      "area ORDER BY id",
	                      true, &ares, &areas, &n_areas, err)) < 0 ||
	    (ret = load_nodes(st, sectors_sql, false, &sres, &sectors, &n_sectors, err)) < 0 ||
	    (ret = load_nodes(st, orgs_sql, false, &ores, &orgs, &n_orgs, err)) < 0 ||
	    (ret = cc__pg_load_shares(st, "activity", &sh, err)) < 0)
		goto out;
	cc__pg_i64(&p, mission_id);
	if ((ret = cc__pg_exec(st, acts_sql, &p, false, &res, err)) < 0)
		goto out;
	n_rows = (size_t)PQntuples(res);
	if (n_rows && (!(acts = cc_alloc_array(n_rows, sizeof(*acts))) ||
	               !(offs = cc_alloc_array(n_rows, sizeof(*offs))))) {
		ret = CC_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_rows && ret == 0; i++) {
		int r = (int)i;
		struct cc_overlap_activity *a;
		const struct node *sec, *org, *area;
		struct cc_marking m;
		bool site, figures;

		if (!cc__pg_row_visible(st, &sh, res, r, C_MARK, &m))
			continue;
		site = cc_visible_field(&st->viewer, &m, field_rel(res, r, C_GEO_REL, m.rel));
		figures = cc_visible_field(&st->viewer, &m, field_rel(res, r, C_FIG_REL, m.rel));
		a = &acts[n];
		memset(a, 0, sizeof(*a));
		a->id = cc__pg_col_i64(res, r, 0);
		a->org_id = cc__pg_col_i64(res, r, 1);
		a->impl_org_id = cc__pg_col_i64(res, r, 2);
		a->sector_id = cc__pg_col_i64(res, r, 3);
		sec = find_node(sectors, n_sectors, a->sector_id);
		org = find_node(orgs, n_orgs, a->org_id);
		if (sec && !cc__pg_col_null(sres, sec->row, 1)) {
			const char *cat = PQgetvalue(sres, sec->row, 1);

			if (cc_map_get(&cats, cat, &a->category_id) < 0) {
				a->category_id = ++n_cats;
				if ((ret = cc_map_put(&cats, cat, n_cats)) < 0)
					break;
			}
		}
		a->area_id = cc__pg_col_i64(res, r, 4);
		area = find_node(areas, n_areas, a->area_id);
		a->start = cc__pg_col_date(res, r, 5);
		a->end = cc__pg_col_date(res, r, 6);
		a->lat = site ? cc__pg_col_num(res, r, 7) : (double)NAN;
		a->lon = site ? cc__pg_col_num(res, r, 8) : (double)NAN;
		a->targeted = figures ? cc__pg_col_num(res, r, 9) : (double)NAN;
		a->reached = figures ? cc__pg_col_num(res, r, 10) : (double)NAN;
		if ((ret = add_str(&text, res, r, C_TITLE, &offs[n].o[0])) < 0 ||
		    (ret = add_str(&text, res, r, C_DESC, &offs[n].o[1])) < 0 ||
		    (ret = add_str(&text, org ? ores : NULL, org ? org->row : 0, 1, &offs[n].o[2])) <
		            0 ||
		    (ret = add_str(&text, sec ? sres : NULL, sec ? sec->row : 0, 2, &offs[n].o[3])) <
		            0 ||
		    (ret = add_str(&text, area ? ares : NULL, area ? area->row : 0, 3,
		                   &offs[n].o[4])) < 0)
			break;
		fill_path(areas, n_areas, a);
		n++;
	}
	if (ret == 0) {
		for (size_t i = 0; i < n; i++) {
			acts[i].title = text.buf + offs[i].o[0];
			acts[i].description = text.buf + offs[i].o[1];
			acts[i].org = text.buf + offs[i].o[2];
			acts[i].sector = text.buf + offs[i].o[3];
			acts[i].pcode = text.buf + offs[i].o[4];
		}
		out->acts = n ? acts : NULL;
		out->n = n;
		out->text = text.alloc ? cc_buf_detach(&text, NULL) : NULL;
		if (n)
			acts = NULL;
	}
out:
	if (ret == CC_ENOMEM)
		cc_err_set(err, CC_ENOMEM, "out of memory");
	PQclear(res);
	PQclear(ares);
	PQclear(sres);
	PQclear(ores);
	cc_free(acts);
	cc_free(offs);
	cc_free(areas);
	cc_free(sectors);
	cc_free(orgs);
	cc_free(sh.ids);
	cc_map_release(&cats);
	cc_buf_release(&text);
	cc__pg_rx_leave(st, own);
	return ret;
}

const struct cc__overlap_ops cc__pg_overlap = {
	.load_overlap = pg_load_overlap,
};
