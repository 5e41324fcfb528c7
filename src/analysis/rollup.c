/*
 * Roll-ups of indicator values to parent areas (see include/concord/rollup.h): pure over the
 * indicator data and the area tree. Each indicator × disaggregation is one pass over the tree,
 * children before parents.
 */
#include <concord/rollup.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

enum { H_NONE = 0, H_OBSERVED, H_ROLLED, H_NOVALUE };

const char *cc_rollup_how_name(enum cc_rollup_how h)
{
	switch (h) {
	case CC_ROLLUP_NONE:
		return "none";
	case CC_ROLLUP_OBSERVED:
		return "observed";
	case CC_ROLLUP_ROLLED:
		return "rolled up";
	}
	return "?";
}

/* The latest usable value of one series (indicator × area × disaggregation). */
struct point {
	size_t ind, area;
	const char *sex, *age;
	double value;
	int32_t date;
};

/* The tree, built once. */
struct tree {
	const struct cc_area *areas;
	size_t n;
	size_t *by_pcode; /* area indexes in P-code order */
	size_t *parent;   /* SIZE_MAX: a root */
	size_t *cstart;   /* children of i: clist[cstart[i] .. cstart[i + 1]) */
	size_t *clist;
	size_t *order; /* deepest first */
};

/* One pass's state, per area. */
struct pass {
	unsigned char *how;
	double *val;
	int32_t *dmin, *dmax;
	size_t *src, *used;
};

struct vec {
	size_t *v;
	size_t n, cap;
};

static int vec_push(struct vec *x, size_t i)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 8;
		size_t *p = cc_realloc(x->v, cap * sizeof(*p));

		if (!p)
			return CC_ENOMEM;
		x->v = p;
		x->cap = cap;
	}
	x->v[x->n++] = i;
	return 0;
}

static _Thread_local const struct cc_area *sort_areas; /* qsort has no context argument */

static int cmp_pcode(const void *a, const void *b)
{
	return strcmp(sort_areas[*(const size_t *)a].pcode, sort_areas[*(const size_t *)b].pcode);
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = sort_areas[*(const size_t *)a].id, y = sort_areas[*(const size_t *)b].id;

	return (x > y) - (x < y);
}

static _Thread_local size_t *depth_of; /* for cmp_depth */

static int cmp_depth(const void *a, const void *b)
{
	size_t x = depth_of[*(const size_t *)a], y = depth_of[*(const size_t *)b];

	if (x != y)
		return x < y ? 1 : -1;
	return cmp_pcode(a, b);
}

static size_t find_pcode(const struct tree *t, const char *pcode)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->areas[t->by_pcode[mid]].pcode, pcode);

		if (c == 0)
			return t->by_pcode[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static size_t find_id(const struct cc_area *areas, const size_t *by_id, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t x = areas[by_id[mid]].id;

		if (x == id)
			return by_id[mid];
		if (x < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static void tree_release(struct tree *t)
{
	cc_free(t->by_pcode);
	cc_free(t->parent);
	cc_free(t->cstart);
	cc_free(t->clist);
	cc_free(t->order);
}

static int tree_build(struct tree *t, const struct cc_area *areas, size_t n, struct cc_err *err)
{
	size_t *by_id = NULL, *depth = NULL, *fill = NULL;
	int ret = CC_ENOMEM;

	memset(t, 0, sizeof(*t));
	t->areas = areas;
	t->n = n;
	t->by_pcode = cc_alloc_array(n + 1, sizeof(size_t));
	t->parent = cc_alloc_array(n + 1, sizeof(size_t));
	t->cstart = cc_alloc_array(n + 1, sizeof(size_t));
	t->clist = cc_alloc_array(n + 1, sizeof(size_t));
	t->order = cc_alloc_array(n + 1, sizeof(size_t));
	by_id = cc_alloc_array(n + 1, sizeof(size_t));
	depth = cc_alloc_array(n + 1, sizeof(size_t));
	fill = cc_alloc_array(n + 1, sizeof(size_t));
	if (!t->by_pcode || !t->parent || !t->cstart || !t->clist || !t->order || !by_id ||
	    !depth || !fill)
		goto out;
	for (size_t i = 0; i < n; i++)
		t->by_pcode[i] = by_id[i] = t->order[i] = i;
	sort_areas = areas;
	qsort(t->by_pcode, n, sizeof(size_t), cmp_pcode);
	qsort(by_id, n, sizeof(size_t), cmp_id);
	for (size_t i = 0; i < n; i++) {
		t->parent[i] = areas[i].parent_id ? find_id(areas, by_id, n, areas[i].parent_id)
		                                  : SIZE_MAX;
		if (t->parent[i] != SIZE_MAX)
			t->cstart[t->parent[i] + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		t->cstart[i + 1] += t->cstart[i];
	for (size_t k = 0; k < n; k++) { /* children in P-code order */
		size_t i = t->by_pcode[k], p = t->parent[i];

		if (p != SIZE_MAX)
			t->clist[t->cstart[p] + fill[p]++] = i;
	}
	for (size_t i = 0; i < n; i++) {
		size_t d = 0;

		for (size_t p = t->parent[i]; p != SIZE_MAX; p = t->parent[p])
			if (++d > n) {
				ret = cc_err_set(err, CC_EINVALID, "area '%s' is its own ancestor",
				                 areas[i].pcode);
				goto out;
			}
		depth[i] = d;
	}
	depth_of = depth;
	qsort(t->order, n, sizeof(size_t), cmp_depth);
	ret = 0;
out:
	cc_free(by_id);
	cc_free(depth);
	cc_free(fill);
	if (ret < 0) {
		if (ret == CC_ENOMEM)
			cc_err_set(err, CC_ENOMEM, "out of memory");
		tree_release(t);
	}
	return ret;
}

static int find_indicator(const struct cc_indicator_data *d, const char *code, size_t *out)
{
	for (size_t i = 0; i < d->n_indicators; i++)
		if (strcmp(d->indicators[i].code, code) == 0) {
			*out = i;
			return 0;
		}
	return CC_ENOTFOUND;
}

static int cmp_point(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	int c;

	if (x->ind != y->ind)
		return x->ind < y->ind ? -1 : 1;
	if ((c = strcmp(x->sex, y->sex)) != 0)
		return c;
	if ((c = strcmp(x->age, y->age)) != 0)
		return c;
	return strcmp(sort_areas[x->area].pcode, sort_areas[y->area].pcode);
}

static bool has_value(const struct pass *p, size_t i)
{
	return p->how[i] == H_OBSERVED || p->how[i] == H_ROLLED;
}

/* Whether child c's value enters its parent's under rule a. */
static bool usable(const struct tree *t, const struct pass *p, enum cc_aggregation a, size_t c)
{
	return has_value(p, c) && (a != CC_AGG_POP_WEIGHTED_MEAN || t->areas[c].population >= 0);
}

/* The rule over the children of area i (whose own value is absent). */
static void roll(const struct tree *t, struct pass *p, enum cc_aggregation a, size_t i)
{
	double acc = 0, wsum = 0;
	size_t n_used = 0, src = SIZE_MAX;
	bool any = false;

	p->dmin[i] = INT32_MAX;
	p->dmax[i] = INT32_MIN;
	for (size_t k = t->cstart[i]; k < t->cstart[i + 1]; k++) {
		size_t c = t->clist[k];
		double v = p->val[c];

		any = any || has_value(p, c) || p->how[c] == H_NOVALUE;
		if (!usable(t, p, a, c))
			continue;
		switch (a) {
		case CC_AGG_SUM:
		case CC_AGG_MEAN:
			acc += v;
			break;
		case CC_AGG_POP_WEIGHTED_MEAN:
			acc += (double)t->areas[c].population * v;
			wsum += (double)t->areas[c].population;
			break;
		case CC_AGG_MAX:
			if (src == SIZE_MAX || v > acc) {
				acc = v;
				src = c;
			}
			break;
		case CC_AGG_LATEST:
			if (src == SIZE_MAX || p->dmax[c] > p->dmax[src]) {
				acc = v;
				src = c;
			}
			break;
		}
		n_used++;
		if (p->dmin[c] < p->dmin[i])
			p->dmin[i] = p->dmin[c];
		if (p->dmax[c] > p->dmax[i])
			p->dmax[i] = p->dmax[c];
	}
	p->used[i] = n_used;
	p->src[i] = src;
	if (!any) {
		p->how[i] = H_NONE;
		return;
	}
	if (a == CC_AGG_MEAN && n_used)
		acc /= (double)n_used;
	if (a == CC_AGG_POP_WEIGHTED_MEAN)
		acc = wsum > 0 ? acc / wsum : (double)NAN;
	p->val[i] = acc;
	p->how[i] = n_used && !isnan(acc) ? H_ROLLED : H_NOVALUE;
	if (p->how[i] == H_NOVALUE)
		p->dmin[i] = p->dmax[i] = CC_DATE_NONE;
}

/* Missing children of i (recursing through the rolled-up children it used). */
static int collect_missing(const struct tree *t, const struct pass *p, enum cc_aggregation a,
                           size_t i, struct vec *out)
{
	for (size_t k = t->cstart[i]; k < t->cstart[i + 1]; k++) {
		size_t c = t->clist[k];
		int ret = 0;

		if (!has_value(p, c))
			ret = vec_push(out, c);
		else if (p->how[c] == H_ROLLED && usable(t, p, a, c))
			ret = collect_missing(t, p, a, c, out);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int collect_no_pop(const struct tree *t, const struct pass *p, size_t i, struct vec *out)
{
	for (size_t k = t->cstart[i]; k < t->cstart[i + 1]; k++) {
		size_t c = t->clist[k];
		int ret = 0;

		if (!has_value(p, c))
			continue;
		if (t->areas[c].population < 0)
			ret = vec_push(out, c);
		else if (p->how[c] == H_ROLLED)
			ret = collect_no_pop(t, p, c, out);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void cc_rollup_release(struct cc_rollup *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_results; i++) {
		cc_free(r->results[i].missing);
		cc_free(r->results[i].no_population);
	}
	cc_free(r->results);
	r->results = NULL;
	r->n_results = 0;
}

static int emit(struct cc_rollup *out, size_t *cap, const struct tree *t, const struct pass *p,
                const struct point *g, enum cc_aggregation a, size_t i)
{
	struct cc_rollup_result *r;
	struct vec miss = { 0 }, nopop = { 0 };

	if (out->n_results == *cap) {
		size_t nc = *cap ? 2 * *cap : 16;
		struct cc_rollup_result *x = cc_realloc(out->results, nc * sizeof(*x));

		if (!x)
			return CC_ENOMEM;
		out->results = x;
		*cap = nc;
	}
	if (p->how[i] != H_OBSERVED) {
		if (collect_missing(t, p, a, i, &miss) < 0 ||
		    (a == CC_AGG_POP_WEIGHTED_MEAN && collect_no_pop(t, p, i, &nopop) < 0)) {
			cc_free(miss.v);
			cc_free(nopop.v);
			return CC_ENOMEM;
		}
	}
	r = &out->results[out->n_results++];
	memset(r, 0, sizeof(*r));
	r->indicator = g->ind;
	r->area = i;
	snprintf(r->sex, sizeof(r->sex), "%s", g->sex);
	snprintf(r->age_group, sizeof(r->age_group), "%s", g->age);
	r->how = p->how[i] == H_OBSERVED ? CC_ROLLUP_OBSERVED
	         : p->how[i] == H_ROLLED ? CC_ROLLUP_ROLLED
	                                 : CC_ROLLUP_NONE;
	r->value = r->how == CC_ROLLUP_NONE ? (double)NAN : p->val[i];
	r->date_min = p->dmin[i];
	r->date_max = p->dmax[i];
	r->n_children = t->cstart[i + 1] - t->cstart[i];
	r->n_used = p->how[i] == H_OBSERVED ? 0 : p->used[i];
	r->source = p->how[i] == H_OBSERVED ? SIZE_MAX : p->src[i];
	r->missing = miss.v;
	r->n_missing = miss.n;
	r->no_population = nopop.v;
	r->n_no_population = nopop.n;
	return 0;
}

/* One indicator × disaggregation: points g[0..n) (sorted by area P-code). */
static int one_group(const struct cc_indicator_data *d, const struct tree *t, struct pass *p,
                     const struct point *g, size_t n, const struct cc_rollup_opts *o,
                     struct cc_rollup *out, size_t *cap)
{
	enum cc_aggregation a = d->indicators[g->ind].aggregation;
	int ret;

	memset(p->how, 0, t->n);
	for (size_t k = 0; k < n; k++) {
		p->how[g[k].area] = H_OBSERVED;
		p->val[g[k].area] = g[k].value;
		p->dmin[g[k].area] = p->dmax[g[k].area] = g[k].date;
	}
	for (size_t k = 0; k < t->n; k++) {
		size_t i = t->order[k];

		if (p->how[i] != H_OBSERVED)
			roll(t, p, a, i);
	}
	for (size_t k = 0; k < t->n; k++) {
		size_t i = t->by_pcode[k];

		if (p->how[i] == H_NONE || (o->level >= 0 && t->areas[i].level != o->level))
			continue;
		if ((ret = emit(out, cap, t, p, g, a, i)) < 0)
			return ret;
	}
	return 0;
}

int cc_rollup_compute(const struct cc_indicator_data *data, const struct cc_area *areas,
                      size_t n_areas, const struct cc_rollup_opts *opts, struct cc_rollup *out,
                      struct cc_err *err)
{
	struct cc_rollup_opts o =
	        opts ? *opts : (struct cc_rollup_opts){ .level = -1, .at = CC_DATE_NONE };
	struct tree t;
	struct pass p = { 0 };
	struct point *pts = NULL;
	size_t n_pts = 0, cap = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = tree_build(&t, areas, n_areas, err)) < 0)
		return ret;
	ret = CC_ENOMEM;
	pts = cc_alloc_array(data->n_observations + 1, sizeof(*pts));
	p.how = cc_alloc_array(n_areas + 1, 1);
	p.val = cc_alloc_array(n_areas + 1, sizeof(double));
	p.dmin = cc_alloc_array(n_areas + 1, sizeof(int32_t));
	p.dmax = cc_alloc_array(n_areas + 1, sizeof(int32_t));
	p.src = cc_alloc_array(n_areas + 1, sizeof(size_t));
	p.used = cc_alloc_array(n_areas + 1, sizeof(size_t));
	if (!pts || !p.how || !p.val || !p.dmin || !p.dmax || !p.src || !p.used)
		goto out_nomem;
	for (size_t i = 0; i < data->n_observations; i++) {
		const struct cc_observation *ob = &data->observations[i];
		struct point x;

		if (!ob->area[0] || isnan(ob->value) ||
		    (o.at != CC_DATE_NONE && ob->period_end > o.at))
			continue;
		if (find_indicator(data, ob->indicator, &x.ind) < 0) {
			ret = cc_err_set(err, CC_EINVALID, "observation of unknown indicator '%s'",
			                 ob->indicator);
			goto out;
		}
		if ((x.area = find_pcode(&t, ob->area)) == SIZE_MAX) {
			ret = cc_err_set(err, CC_EINVALID, "observation of unknown area '%s'",
			                 ob->area);
			goto out;
		}
		x.sex = ob->sex;
		x.age = ob->age_group;
		x.value = ob->value;
		x.date = ob->period_end;
		/* the same series as the previous point: a later (or equal) date, keep the latest
		 */
		if (n_pts && pts[n_pts - 1].ind == x.ind && pts[n_pts - 1].area == x.area &&
		    !strcmp(pts[n_pts - 1].sex, x.sex) && !strcmp(pts[n_pts - 1].age, x.age)) {
			if (x.date >= pts[n_pts - 1].date)
				pts[n_pts - 1] = x;
			continue;
		}
		pts[n_pts++] = x;
	}
	sort_areas = areas;
	qsort(pts, n_pts, sizeof(*pts), cmp_point);
	for (size_t i = 0, j; i < n_pts; i = j) {
		for (j = i + 1; j < n_pts && pts[j].ind == pts[i].ind &&
		                !strcmp(pts[j].sex, pts[i].sex) && !strcmp(pts[j].age, pts[i].age);
		     j++)
			;
		if ((ret = one_group(data, &t, &p, &pts[i], j - i, &o, out, &cap)) < 0)
			goto out_nomem;
	}
	ret = 0;
	goto out;
out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory");
out:
	if (ret < 0)
		cc_rollup_release(out);
	cc_free(pts);
	cc_free(p.how);
	cc_free(p.val);
	cc_free(p.dmin);
	cc_free(p.dmax);
	cc_free(p.src);
	cc_free(p.used);
	tree_release(&t);
	return ret;
}
