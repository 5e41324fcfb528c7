/*
 * Reporting rounds (who reported for which period, the latest submission counting) and the
 * area crosswalk (values of an old admin layout carried onto a new one). Pure: no I/O, no store.
 */
#include <concord/rounds.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

/* ---- rounds ---- */

struct period {
	int32_t from, to;
};

static int cmp_period(const void *a, const void *b)
{
	const struct period *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return 0;
}

/* a is later than b: imported later, or at the same time and listed later */
static bool later(const struct cc_submission *subs, size_t a, size_t b)
{
	int c = strcmp(subs[a].imported_at, subs[b].imported_at);

	return c > 0 || (c == 0 && a > b);
}

int cc_rounds_compute(const struct cc_submission *subs, size_t n_subs,
                      const struct cc_round_org *orgs, size_t n_orgs, struct cc_rounds *out,
                      struct cc_err *err)
{
	struct period *ps = NULL;
	size_t n_ps = 0;

	memset(out, 0, sizeof(*out));
	if (n_subs) {
		ps = cc_alloc_array(n_subs, sizeof(*ps));
		if (!ps)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n_subs; i++)
		if (subs[i].period_from != CC_DATE_NONE)
			ps[n_ps++] = (struct period){ subs[i].period_from, subs[i].period_to };
	if (n_ps)
		qsort(ps, n_ps, sizeof(*ps), cmp_period);
	/* distinct periods */
	size_t n_distinct = 0;
	for (size_t i = 0; i < n_ps; i++)
		if (n_distinct == 0 || cmp_period(&ps[i], &ps[n_distinct - 1]) != 0)
			ps[n_distinct++] = ps[i];
	if (n_distinct == 0) {
		cc_free(ps);
		return 0;
	}
	out->rounds = cc_alloc_array(n_distinct, sizeof(*out->rounds));
	out->block = n_orgs ? cc_alloc_array(n_distinct * n_orgs, sizeof(*out->block)) : NULL;
	if (!out->rounds || (n_orgs && !out->block)) {
		cc_free(ps);
		cc_rounds_release(out);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	out->n_rounds = n_distinct;
	for (size_t r = 0; r < n_distinct; r++) {
		struct cc_round *rd = &out->rounds[r];
		struct cc_round_entry *e = out->block ? out->block + r * n_orgs : NULL;
		size_t n_rep = 0, n_miss = 0;

		rd->period_from = ps[r].from;
		rd->period_to = ps[r].to;
		rd->entries = e;
		rd->n_entries = n_orgs;
		/* reported organisations first, then the missing ones, each in the orgs' order */
		for (int pass = 0; pass < 2; pass++) {
			for (size_t o = 0; o < n_orgs; o++) {
				struct cc_round_entry x = { .org_id = orgs[o].id };
				bool found = false;

				for (size_t i = 0; i < n_subs; i++) {
					if (subs[i].org_id != orgs[o].id ||
					    subs[i].period_from != ps[r].from ||
					    subs[i].period_to != ps[r].to)
						continue;
					if (!found || later(subs, i, x.submission)) {
						if (found)
							x.n_superseded++;
						x.submission = i;
					} else {
						x.n_superseded++;
					}
					found = true;
				}
				x.reported = found;
				if (pass == 0 && found)
					e[n_rep++] = x;
				else if (pass == 1 && !found)
					e[n_rep + n_miss++] = x;
			}
		}
		rd->n_reported = n_rep;
	}
	cc_free(ps);
	return 0;
}

void cc_rounds_release(struct cc_rounds *r)
{
	if (!r)
		return;
	cc_free(r->rounds);
	cc_free(r->block);
	memset(r, 0, sizeof(*r));
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void cc_rounds_filter(struct cc_coverage_record *records, size_t *n_records,
                      const int64_t *excluded, size_t n_excluded)
{
	size_t k = 0;

	if (!n_excluded)
		return;
	for (size_t i = 0; i < *n_records; i++) {
		if (bsearch(&records[i].activity_id, excluded, n_excluded, sizeof(*excluded),
		            cmp_id))
			continue;
		records[k++] = records[i];
	}
	*n_records = k;
}

/* ---- crosswalk ---- */

static int cmp_cw(const void *a, const void *b)
{
	const struct cc_crosswalk *x = *(const struct cc_crosswalk *const *)a;
	const struct cc_crosswalk *y = *(const struct cc_crosswalk *const *)b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->old_id != y->old_id)
		return x->old_id < y->old_id ? -1 : 1;
	return (x->new_id > y->new_id) - (x->new_id < y->new_id);
}

static int cmp_value(const void *a, const void *b)
{
	const struct cc_area_value *x = a, *y = b;

	return (x->area_id > y->area_id) - (x->area_id < y->area_id);
}

/* The slot of area id in v (n used, cap room), added with 0 when absent; NULL when full. */
static struct cc_area_value *slot(struct cc_area_value *v, size_t *n, size_t cap, int64_t id)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i].area_id == id)
			return &v[i];
	if (*n == cap)
		return NULL;
	v[*n] = (struct cc_area_value){ .area_id = id, .value = 0.0 };
	return &v[(*n)++];
}

int cc_crosswalk_apply(const struct cc_crosswalk *cw, size_t n_cw,
                       const struct cc_area_value *in, size_t n_in, int32_t at,
                       struct cc_area_value **out, size_t *n_out, struct cc_err *err)
{
	const struct cc_crosswalk **ord = NULL;
	struct cc_area_value *v = NULL;
	size_t n = 0, cap = n_in + n_cw + 1;
	int ret = 0;

	*out = NULL;
	*n_out = 0;
	ord = cc_alloc_array(n_cw + 1, sizeof(*ord));
	v = cc_alloc_array(cap, sizeof(*v));
	if (!ord || !v) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_cw; i++)
		ord[i] = &cw[i];
	if (n_cw)
		qsort(ord, n_cw, sizeof(*ord), cmp_cw);
	/* the shares of each old area and date add up to 1 */
	for (size_t i = 0; i < n_cw;) {
		size_t j = i;
		double sum = 0.0;

		while (j < n_cw && ord[j]->date == ord[i]->date && ord[j]->old_id == ord[i]->old_id)
			sum += ord[j++]->share;
		if (fabs(sum - 1.0) > 1e-6) {
			ret = cc_err_set(err, CC_EINVALID,
			                 "the shares of area %s on day %d add up to %g, not 1",
			                 ord[i]->old_pcode[0] ? ord[i]->old_pcode : "?",
			                 (int)ord[i]->date, sum);
			goto out;
		}
		i = j;
	}
	for (size_t i = 0; i < n_in; i++) {
		struct cc_area_value *s = slot(v, &n, cap, in[i].area_id);

		if (s)
			s->value += in[i].value;
	}
	/* in date order, so that an area split twice is carried through both splits */
	for (size_t i = 0; i < n_cw && ord[i]->date <= at;) {
		size_t j = i;
		double value = 0.0;
		bool have = false;

		for (size_t k = 0; k < n; k++) {
			if (v[k].area_id == ord[i]->old_id) {
				value = v[k].value;
				v[k] = v[--n];
				have = true;
				break;
			}
		}
		while (j < n_cw && ord[j]->date == ord[i]->date && ord[j]->old_id == ord[i]->old_id) {
			if (have) {
				struct cc_area_value *s = slot(v, &n, cap, ord[j]->new_id);

				if (s)
					s->value += value * ord[j]->share;
			}
			j++;
		}
		i = j;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_value);
	*out = v;
	*n_out = n;
	v = NULL;
out:
	cc_free(ord);
	cc_free(v);
	return ret;
}
