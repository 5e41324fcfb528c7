/*
 * The overlap domain of the SQLite backend: reads the mission's activities of kind `activity`
 * with their sector category, area ancestors and texts (no tables of its own).
 */
#include "store/ops_overlap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/model.h>
#include <concord/text.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"

enum {
	S_OV_AREAS,
	S_OV_ACTS,
};

static const char *const sql[] = {
	[S_OV_AREAS] = "SELECT id, coalesce(parent_id, 0), level FROM area ORDER BY id",
	/* the category: the DAC-3 code of a DAC-5 or DAC-3 sector, none for other lists */
	[S_OV_ACTS] = "SELECT a.id, coalesce(a.org_id, 0), coalesce(a.impl_org_id, 0), "
	              "coalesce(a.sector_id, 0), CASE WHEN s.vocabulary IN ('1', '2') THEN "
	              "coalesce(s.category, substr(s.code, 1, 3)) END, coalesce(a.area_id, 0), "
	              "a.start_date, a.end_date, "
	              /* a site or figures marked more strictly than the record: as if absent */
	              "CASE WHEN " CC__SQ_VISIBLE_SITE("a") " THEN a.lat END, "
	              "CASE WHEN " CC__SQ_VISIBLE_SITE("a") " THEN a.lon END, "
	              "CASE WHEN " CC__SQ_VISIBLE_FIGURES("a") " THEN a.targeted END, "
	              "CASE WHEN " CC__SQ_VISIBLE_FIGURES("a") " THEN a.reached END, "
	              "coalesce(a.title, ''), coalesce(a.description, ''), "
	              "coalesce(o.acronym, o.name, ''), coalesce(s.code, ''), "
	              "coalesce(ar.pcode, '') FROM activity a "
	              "LEFT JOIN sector s ON s.id = a.sector_id "
	              "LEFT JOIN organisation o ON o.id = a.org_id "
	              "LEFT JOIN area ar ON ar.id = a.area_id "
	              "WHERE a.mission_id = :mission AND a.kind = 1 AND "
	              CC__SQ_VISIBLE("a", "activity")
	              " ORDER BY a.id",
};

struct node {
	int64_t id, parent;
	int level;
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

static int load_areas(struct cc_store *st, struct node **out, size_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t n = 0, cap = 0;
	struct node *v = NULL;
	int rc, ret;

	if ((ret = cc__sq_stmt(st, CC__SQ_OVERLAP, S_OV_AREAS, sql[S_OV_AREAS], &s, err)) < 0)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cc__sq_grow((void **)&v, &cap, n, sizeof(*v)) < 0) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			break;
		}
		v[n].id = sqlite3_column_int64(s, 0);
		v[n].parent = sqlite3_column_int64(s, 1);
		v[n].level = sqlite3_column_int(s, 2);
		n++;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = cc__sq_error(st, rc, err);
	sqlite3_reset(s);
	if (ret < 0) {
		cc_free(v);
		return ret;
	}
	*out = v;
	*n_out = n;
	return 0;
}

static void fill_path(const struct node *v, size_t n, struct cc_overlap_activity *a)
{
	struct node key = { .id = a->area_id };
	const struct node *x = a->area_id ? bsearch(&key, v, n, sizeof(*v), cmp_node) : NULL;

	a->area_level = x ? x->level : -1;
	for (int hop = 0; x && hop < 16; hop++) {
		if (x->level >= 0 && x->level < CC_OV_LEVELS && !a->path[x->level])
			a->path[x->level] = x->id;
		key.id = x->parent;
		x = x->parent ? bsearch(&key, v, n, sizeof(*v), cmp_node) : NULL;
	}
}

static int add_str(struct cc_buf *b, sqlite3_stmt *s, int col, size_t *off)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	*off = b->len;
	if (cc_buf_adds(b, t ? (const char *)t : "") < 0)
		return CC_ENOMEM;
	return cc_buf_addch(b, '\0');
}

static int sq_load_overlap(struct cc_store *st, int64_t mission_id, struct cc_overlap_input *out,
                           struct cc_err *err)
{
	struct cc_overlap_activity *acts = NULL;
	struct offs *offs = NULL;
	struct node *areas = NULL;
	struct cc_map cats = CC_MAP_INIT;
	struct cc_buf text = CC_BUF_INIT(SIZE_MAX / 2);
	size_t n = 0, cap = 0, cap_o = 0, n_areas = 0;
	int64_t n_cats = 0;
	sqlite3_stmt *s = NULL;
	bool own;
	int rc = SQLITE_DONE, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = load_areas(st, &areas, &n_areas, err)) < 0)
		goto out_leave;
	if ((ret = cc__sq_stmt(st, CC__SQ_OVERLAP, S_OV_ACTS, sql[S_OV_ACTS], &s, err)) < 0)
		goto out_leave;
	rc = sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":mission"), mission_id);
	if (rc) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cc_overlap_activity *a;
		const unsigned char *cat;

		if (cc__sq_grow((void **)&acts, &cap, n, sizeof(*acts)) < 0 ||
		    cc__sq_grow((void **)&offs, &cap_o, n, sizeof(*offs)) < 0) {
			ret = CC_ENOMEM;
			break;
		}
		a = &acts[n];
		memset(a, 0, sizeof(*a));
		a->id = sqlite3_column_int64(s, 0);
		a->org_id = sqlite3_column_int64(s, 1);
		a->impl_org_id = sqlite3_column_int64(s, 2);
		a->sector_id = sqlite3_column_int64(s, 3);
		cat = sqlite3_column_text(s, 4);
		if (cat) {
			if (cc_map_get(&cats, (const char *)cat, &a->category_id) < 0) {
				a->category_id = ++n_cats;
				if ((ret = cc_map_put(&cats, (const char *)cat, n_cats)) < 0)
					break;
			}
		}
		a->area_id = sqlite3_column_int64(s, 5);
		a->start = cc__sq_col_date(s, 6);
		a->end = cc__sq_col_date(s, 7);
		a->lat = cc__sq_col_num(s, 8);
		a->lon = cc__sq_col_num(s, 9);
		a->targeted = cc__sq_col_num(s, 10);
		a->reached = cc__sq_col_num(s, 11);
		for (int k = 0; k < 5 && ret == 0; k++)
			ret = add_str(&text, s, 12 + k, &offs[n].o[k]);
		if (ret < 0)
			break;
		fill_path(areas, n_areas, a);
		n++;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = cc__sq_error(st, rc, err);
	else if (ret == CC_ENOMEM)
		cc_err_set(err, CC_ENOMEM, "out of memory");
	sqlite3_reset(s);
	if (ret == 0) {
		for (size_t i = 0; i < n; i++) {
			acts[i].title = text.buf + offs[i].o[0];
			acts[i].description = text.buf + offs[i].o[1];
			acts[i].org = text.buf + offs[i].o[2];
			acts[i].sector = text.buf + offs[i].o[3];
			acts[i].pcode = text.buf + offs[i].o[4];
		}
		out->acts = acts;
		out->n = n;
		out->text = text.alloc ? cc_buf_detach(&text, NULL) : NULL;
		acts = NULL;
	}
out_leave:
	cc_free(acts);
	cc_free(offs);
	cc_free(areas);
	cc_map_release(&cats);
	cc_buf_release(&text);
	cc__sq_rx_leave(st, own);
	return ret;
}

const struct cc__overlap_ops cc__sqlite_overlap = {
	.load_overlap = sq_load_overlap,
};
