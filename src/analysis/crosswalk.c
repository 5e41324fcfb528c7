/*
 * Values of areas carried through the crosswalk onto the layout of a date
 * (include/concord/crosswalk.h): counts split by the shares, rates recomputed from split
 * numerators and denominators, presences carried whole. Pure: no I/O, no store.
 */
#include <concord/crosswalk.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/coverage.h>
#include <concord/model.h>

#include "core/banned.h"

const char *cc_cw_rule_name(enum cc_cw_rule r)
{
	switch (r) {
	case CC_CW_COUNT:
		return "count";
	case CC_CW_RATE:
		return "rate";
	case CC_CW_WHOLE:
		return "whole";
	}
	return "?";
}

static int cmp_row(const void *a, const void *b)
{
	const struct cc_crosswalk *x = *(const struct cc_crosswalk *const *)a;
	const struct cc_crosswalk *y = *(const struct cc_crosswalk *const *)b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->old_id != y->old_id)
		return x->old_id < y->old_id ? -1 : 1;
	return (x->new_id > y->new_id) - (x->new_id < y->new_id);
}

/* The rows by date, old area, new area: *out owned (cc_free). */
static int order_rows(const struct cc_crosswalk *cw, size_t n_cw, const struct cc_crosswalk ***out,
                      struct cc_err *err)
{
	const struct cc_crosswalk **ord = cc_alloc_array(n_cw + 1, sizeof(*ord));

	*out = NULL;
	if (!ord)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu crosswalk rows", n_cw);
	for (size_t i = 0; i < n_cw; i++)
		ord[i] = &cw[i];
	if (n_cw > 1)
		qsort(ord, n_cw, sizeof(*ord), cmp_row);
	*out = ord;
	return 0;
}

static const char *pcode_of(const struct cc_crosswalk *c, bool old)
{
	const char *p = old ? c->old_pcode : c->new_pcode;

	return p[0] ? p : "?";
}

static int check_ordered(const struct cc_crosswalk *const *ord, size_t n_cw, struct cc_err *err)
{
	char d[11];

	for (size_t i = 0; i < n_cw;) {
		size_t j = i;
		double sum = 0.0;

		for (; j < n_cw && ord[j]->date == ord[i]->date && ord[j]->old_id == ord[i]->old_id;
		     j++) {
			const struct cc_crosswalk *c = ord[j];

			if (c->date == CC_DATE_NONE)
				return cc_err_set(err, CC_EINVALID,
				                  "the crosswalk row %s -> %s has no date",
				                  pcode_of(c, true), pcode_of(c, false));
			if (!c->old_id || !c->new_id || c->old_id == c->new_id)
				return cc_err_set(
				        err, CC_EINVALID,
				        "the crosswalk row %s -> %s on %s does not map one area "
				        "onto another",
				        pcode_of(c, true), pcode_of(c, false),
				        cc_date_format(c->date, d));
			if (!(c->share > 0.0 && c->share <= 1.0))
				return cc_err_set(
				        err, CC_EINVALID,
				        "the share of %s in %s on %s is %g, not in (0, 1]",
				        pcode_of(c, true), pcode_of(c, false),
				        cc_date_format(c->date, d), c->share);
			sum += c->share;
		}
		if (fabs(sum - 1.0) > 1e-6)
			return cc_err_set(
			        err, CC_EINVALID, "the shares of area %s on %s add up to %g, not 1",
			        pcode_of(ord[i], true), cc_date_format(ord[i]->date, d), sum);
		i = j;
	}
	return 0;
}

int cc_crosswalk_check(const struct cc_crosswalk *cw, size_t n_cw, struct cc_err *err)
{
	const struct cc_crosswalk **ord;
	int ret = order_rows(cw, n_cw, &ord, err);

	if (ret == 0)
		ret = check_ordered(ord, n_cw, err);
	cc_free(ord);
	return ret;
}

bool cc_crosswalk_retired(const struct cc_crosswalk *cw, size_t n_cw, int64_t area_id, int32_t at)
{
	int32_t out = CC_DATE_NONE, back = CC_DATE_NONE;

	/* the latest row taking the area away, and the latest bringing it back */
	for (size_t i = 0; i < n_cw; i++) {
		if (at != CC_DATE_NONE && cw[i].date > at)
			continue;
		if (cw[i].old_id == area_id && (out == CC_DATE_NONE || cw[i].date > out))
			out = cw[i].date;
		if (cw[i].new_id == area_id && (back == CC_DATE_NONE || cw[i].date > back))
			back = cw[i].date;
	}
	return out != CC_DATE_NONE && (back == CC_DATE_NONE || back < out);
}

bool cc_crosswalk_on_layout(const struct cc_crosswalk *cw, size_t n_cw, int64_t area_id, int32_t at)
{
	int32_t born = CC_DATE_NONE;

	if (cc_crosswalk_retired(cw, n_cw, area_id, at))
		return false;
	if (at == CC_DATE_NONE)
		return true;
	for (size_t i = 0; i < n_cw; i++)
		if (cw[i].new_id == area_id && (born == CC_DATE_NONE || cw[i].date < born))
			born = cw[i].date;
	if (born == CC_DATE_NONE || born <= at)
		return true;
	/* created later, unless it existed before that (an old area of an earlier change) */
	for (size_t i = 0; i < n_cw; i++)
		if (cw[i].old_id == area_id && cw[i].date < born)
			return true;
	return false;
}

/* ---- the expansion of one area: the areas it became at date at, with factors ---- */

struct part {
	int64_t area_id;
	double factor;
	bool carried;
};

struct parts {
	struct part *v;
	size_t n, cap;
};

static int parts_add(struct parts *p, int64_t area_id, double factor, bool carried)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].area_id == area_id) {
			p->v[i].factor += factor;
			p->v[i].carried = p->v[i].carried || carried;
			return 0;
		}
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 8;
		struct part *v = cc_realloc(p->v, cap * sizeof(*v));

		if (!v)
			return CC_ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (struct part){ area_id, factor, carried };
	return 0;
}

/* Fills p with what area became through the rows dated on or before at (ord sorted). */
static int expand(const struct cc_crosswalk *const *ord, size_t n_cw, int64_t area_id, int32_t at,
                  struct parts *p)
{
	p->n = 0;
	if (parts_add(p, area_id, 1.0, false) < 0)
		return CC_ENOMEM;
	for (size_t i = 0; i < n_cw && (at == CC_DATE_NONE || ord[i]->date <= at);) {
		size_t j = i;
		double factor = 0.0;
		bool have = false;

		for (size_t k = 0; k < p->n; k++)
			if (p->v[k].area_id == ord[i]->old_id) {
				factor = p->v[k].factor;
				p->v[k] = p->v[--p->n];
				have = true;
				break;
			}
		for (; j < n_cw && ord[j]->date == ord[i]->date && ord[j]->old_id == ord[i]->old_id;
		     j++)
			if (have && parts_add(p, ord[j]->new_id, factor * ord[j]->share, true) < 0)
				return CC_ENOMEM;
		i = j;
	}
	return 0;
}

/* ---- mapping the items ---- */

struct at_area {
	int64_t area_id;
	size_t i;
};

static int cmp_at_area(const void *a, const void *b)
{
	const struct at_area *x = a, *y = b;

	if (x->area_id != y->area_id)
		return x->area_id < y->area_id ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static int cmp_out(const void *a, const void *b)
{
	const struct cc_cw_item *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->area_id != y->area_id)
		return x->area_id < y->area_id ? -1 : 1;
	return (x->origin > y->origin) - (x->origin < y->origin);
}

static double add_known(double sum, double v)
{
	if (isnan(v))
		return sum;
	return isnan(sum) ? v : sum + v;
}

/* Folds y into x (same key and area). */
static int fold(struct cc_cw_item *x, const struct cc_cw_item *y, struct cc_err *err)
{
	if (x->rule != y->rule)
		return cc_err_set(err, CC_EINVALID, "key %lld is carried both as a %s and a %s",
		                  (long long)x->key, cc_cw_rule_name(x->rule),
		                  cc_cw_rule_name(y->rule));
	switch (x->rule) {
	case CC_CW_COUNT:
		x->num = add_known(x->num, y->num);
		break;
	case CC_CW_RATE:
		/* a part counts only with both its numerator and its denominator */
		if (!isnan(y->num) && !isnan(y->den)) {
			x->num = add_known(x->num, y->num);
			x->den = add_known(x->den, y->den);
		}
		break;
	case CC_CW_WHOLE:
		if (!isnan(y->num) && (isnan(x->num) || y->num > x->num))
			x->num = y->num;
		break;
	}
	x->carried = x->carried || y->carried;
	return 0;
}

int cc_crosswalk_map(const struct cc_crosswalk *cw, size_t n_cw, const struct cc_cw_item *in,
                     size_t n_in, int32_t at, struct cc_cw_item **out, size_t *n_out,
                     struct cc_err *err)
{
	const struct cc_crosswalk **ord = NULL;
	struct parts p = { 0 };
	struct at_area *idx = NULL;
	struct cc_cw_item *v = NULL;
	size_t n = 0, cap = 0, k = 0;
	int ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = order_rows(cw, n_cw, &ord, err)) < 0 ||
	    (ret = check_ordered(ord, n_cw, err)) < 0)
		goto out;
	idx = cc_alloc_array(n_in + 1, sizeof(*idx));
	cap = n_in + 1;
	v = cc_alloc_array(cap, sizeof(*v));
	if (!idx || !v)
		goto oom;
	for (size_t i = 0; i < n_in; i++)
		idx[i] = (struct at_area){ in[i].area_id, i };
	/* by area, so that each area is expanded once */
	if (n_in > 1)
		qsort(idx, n_in, sizeof(*idx), cmp_at_area);
	for (size_t i = 0; i < n_in; i++) {
		const struct cc_cw_item *x = &in[idx[i].i];

		if ((i == 0 || idx[i - 1].area_id != x->area_id) &&
		    expand(ord, n_cw, x->area_id, at, &p) < 0)
			goto oom;
		for (size_t q = 0; q < p.n; q++) {
			struct cc_cw_item *y;

			if (n == cap) {
				struct cc_cw_item *w;

				if (cap > SIZE_MAX / 2 / sizeof(*v))
					goto oom;
				w = cc_realloc(v, 2 * cap * sizeof(*v));
				if (!w)
					goto oom;
				v = w;
				cap *= 2;
			}
			y = &v[n++];
			*y = *x;
			y->area_id = p.v[q].area_id;
			y->origin = idx[i].i;
			y->carried = p.v[q].carried;
			if (x->rule == CC_CW_COUNT || x->rule == CC_CW_RATE)
				y->num = x->num * p.v[q].factor;
			if (x->rule == CC_CW_RATE)
				y->den = x->den * p.v[q].factor;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_out);
	/* one item per key and area; the first part of each keeps its origin */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		struct cc_cw_item acc = v[i];

		if (acc.rule == CC_CW_RATE && (isnan(acc.num) || isnan(acc.den)))
			acc.num = acc.den = (double)NAN;
		for (; j < n && v[j].key == acc.key && v[j].area_id == acc.area_id; j++)
			if ((ret = fold(&acc, &v[j], err)) < 0)
				goto out;
		/* one rule per key, also across areas */
		if (k && v[k - 1].key == acc.key && v[k - 1].rule != acc.rule) {
			ret = fold(&v[k - 1], &acc, err);
			goto out;
		}
		v[k++] = acc;
		i = j;
	}
	*out = v;
	*n_out = k;
	v = NULL;
	goto out;
oom:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory carrying %zu values through the crosswalk",
	                 n_in);
out:
	cc_free(ord);
	cc_free(idx);
	cc_free(p.v);
	cc_free(v);
	return ret;
}

/* ---- the areas of a layout ---- */

int cc_crosswalk_layout_areas(const struct cc_crosswalk *cw, size_t n_cw, int32_t at,
                              struct cc_area *areas, size_t *n_areas, struct cc_err *err)
{
	struct cc_cw_item *in = NULL, *out = NULL;
	size_t n = 0, n_out = 0, k = 0;
	int ret;

	if (!n_cw)
		return 0;
	in = cc_alloc_array(*n_areas + 1, sizeof(*in));
	if (!in)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu areas", *n_areas);
	for (size_t i = 0; i < *n_areas; i++)
		if (areas[i].population > 0)
			in[n++] = (struct cc_cw_item){ .area_id = areas[i].id,
				                       .rule = CC_CW_COUNT,
				                       .num = (double)areas[i].population };
	if ((ret = cc_crosswalk_map(cw, n_cw, in, n, at, &out, &n_out, err)) < 0)
		goto out;
	for (size_t i = 0; i < *n_areas; i++) {
		if (!cc_crosswalk_on_layout(cw, n_cw, areas[i].id, at))
			continue;
		if (areas[i].population <= 0)
			for (size_t j = 0; j < n_out; j++)
				if (out[j].area_id == areas[i].id && out[j].carried &&
				    !isnan(out[j].num))
					areas[i].population = llround(out[j].num);
		areas[k++] = areas[i];
	}
	*n_areas = k;
out:
	cc_free(in);
	cc_free(out);
	return ret;
}

/* ---- coverage records ---- */

int cc_crosswalk_coverage(const struct cc_crosswalk *cw, size_t n_cw, int32_t at,
                          struct cc_coverage_record **records, size_t *n_records, size_t *n_carried,
                          struct cc_err *err)
{
	const struct cc_coverage_record *r = *records;
	struct cc_cw_item *in = NULL, *out = NULL;
	struct cc_coverage_record *res = NULL;
	size_t n_out = 0, n = 0, last = SIZE_MAX;
	int ret;

	*n_carried = 0;
	if (!n_cw || !*n_records)
		return cc_crosswalk_check(cw, n_cw, err);
	if (*n_records > SIZE_MAX / 4 / sizeof(*in))
		return cc_err_set(err, CC_ENOMEM, "too many coverage records");
	/* each record twice: its people targeted (key 2i) and reached (2i + 1), both counts */
	in = cc_alloc_array(2 * *n_records, sizeof(*in));
	if (!in)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu records", *n_records);
	for (size_t i = 0; i < *n_records; i++) {
		in[2 * i] = (struct cc_cw_item){ .area_id = r[i].area_id,
			                         .key = (int64_t)(2 * i),
			                         .rule = CC_CW_COUNT,
			                         .num = r[i].targeted };
		in[2 * i + 1] = in[2 * i];
		in[2 * i + 1].key++;
		in[2 * i + 1].num = r[i].reached;
	}
	if ((ret = cc_crosswalk_map(cw, n_cw, in, 2 * *n_records, at, &out, &n_out, err)) < 0)
		goto out;
	res = cc_alloc_array(n_out / 2 + 1, sizeof(*res));
	if (!res) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory for %zu records", n_out / 2);
		goto out;
	}
	/* the output is by key then area: the targeted items of a record, then its reached ones,
	   over the same areas in the same order */
	for (size_t i = 0; i < n_out; i++) {
		size_t rec = (size_t)out[i].key / 2;

		if (out[i].key % 2)
			continue;
		res[n] = r[rec];
		res[n].area_id = out[i].area_id;
		res[n].targeted = out[i].num;
		res[n].reached = (double)NAN;
		for (size_t j = i + 1; j < n_out && out[j].key <= out[i].key + 1; j++)
			if (out[j].key == out[i].key + 1 && out[j].area_id == out[i].area_id)
				res[n].reached = out[j].num;
		if (out[i].carried && rec != last)
			(*n_carried)++;
		if (out[i].carried)
			last = rec;
		n++;
	}
	cc_free(*records);
	*records = res;
	*n_records = n;
	res = NULL;
out:
	cc_free(in);
	cc_free(out);
	cc_free(res);
	return ret;
}

/* ---- the ground of an area on another layout ---- */

int cc_crosswalk_layout_cover(const struct cc_crosswalk *cw, size_t n_cw, int64_t area_id,
                              int32_t at, int64_t **out, size_t *n_out, struct cc_err *err)
{
	bool later = false;
	int64_t *seen;
	size_t n_seen = 1, n = 0;

	*out = NULL;
	*n_out = 0;
	seen = cc_alloc_array(n_cw + 2, sizeof(*seen));
	if (!seen)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu crosswalk rows", n_cw);
	seen[0] = area_id;
	if (cc_crosswalk_on_layout(cw, n_cw, area_id, at)) {
		*out = seen;
		*n_out = 1;
		return 0;
	}
	/* retired by at: onward through the rows up to at; else created after at: back through
	   the rows after it */
	later = !cc_crosswalk_retired(cw, n_cw, area_id, at);
	for (size_t k = 0; k < n_seen; k++) {
		for (size_t i = 0; i < n_cw; i++) {
			bool applies = at == CC_DATE_NONE || cw[i].date <= at;
			int64_t next;
			bool have = false;

			if (!later && applies && cw[i].old_id == seen[k])
				next = cw[i].new_id;
			else if (later && !applies && cw[i].new_id == seen[k])
				next = cw[i].old_id;
			else
				continue;
			for (size_t j = 0; j < n_seen && !have; j++)
				have = seen[j] == next;
			if (!have && n_seen < n_cw + 2)
				seen[n_seen++] = next;
		}
	}
	/* those on the layout, by id */
	for (size_t k = 1; k < n_seen; k++)
		if (cc_crosswalk_on_layout(cw, n_cw, seen[k], at))
			seen[n++] = seen[k];
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && seen[j - 1] > seen[j]; j--) {
			int64_t t = seen[j];

			seen[j] = seen[j - 1];
			seen[j - 1] = t;
		}
	*out = seen;
	*n_out = n;
	return 0;
}
