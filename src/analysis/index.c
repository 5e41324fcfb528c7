/*
 * Composite indices, ranks, weight sensitivity and stages of transition (DOMAIN.md §2.5, §2.6;
 * see include/concord/index.h): pure over plain arrays.
 */
#include <concord/index.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

#define TIE_EPS 1e-12

const char *cc_index_method_name(enum cc_index_method m)
{
	switch (m) {
	case CC_INDEX_ARITHMETIC:
		return "arithmetic";
	case CC_INDEX_GEOMETRIC:
		return "geometric";
	}
	return "?";
}

const char *cc_stage_name(enum cc_stage s)
{
	switch (s) {
	case CC_STAGE_NONE:
		return "undetermined";
	case CC_STAGE_IMPOSED:
		return "imposed stability";
	case CC_STAGE_ASSISTED:
		return "assisted stability";
	case CC_STAGE_SELF_SUSTAINING:
		return "self-sustaining peace";
	}
	return "?";
}

const char *cc_cond_op_name(enum cc_cond_op op)
{
	switch (op) {
	case CC_OP_LT:
		return "<";
	case CC_OP_LE:
		return "<=";
	case CC_OP_GT:
		return ">";
	case CC_OP_GE:
		return ">=";
	case CC_OP_EQ:
		return "==";
	case CC_OP_NE:
		return "!=";
	}
	return "?";
}

int cc_index_method_parse(const char *s, enum cc_index_method *out, struct cc_err *err)
{
	if (!strcmp(s, "arithmetic")) {
		*out = CC_INDEX_ARITHMETIC;
		return 0;
	}
	if (!strcmp(s, "geometric")) {
		*out = CC_INDEX_GEOMETRIC;
		return 0;
	}
	return cc_err_set(err, CC_EINVALID, "unknown method '%s' (arithmetic, geometric)", s);
}

int cc_stage_parse(const char *s, enum cc_stage *out, struct cc_err *err)
{
	static const struct {
		const char *name;
		enum cc_stage stage;
	} names[] = {
		{ "imposed stability", CC_STAGE_IMPOSED },
		{ "imposed", CC_STAGE_IMPOSED },
		{ "assisted stability", CC_STAGE_ASSISTED },
		{ "assisted", CC_STAGE_ASSISTED },
		{ "self-sustaining peace", CC_STAGE_SELF_SUSTAINING },
		{ "self-sustaining", CC_STAGE_SELF_SUSTAINING },
		{ "undetermined", CC_STAGE_NONE },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*out = names[i].stage;
			return 0;
		}
	return cc_err_set(err, CC_EINVALID,
	                  "unknown stage '%s' (imposed stability, assisted stability, "
	                  "self-sustaining peace)",
	                  s);
}

double cc_index_normalise(double x, double min, double max, bool higher_is_better)
{
	double v;

	if (isnan(x) || !isfinite(min) || !isfinite(max) || !(min < max))
		return (double)NAN;
	v = higher_is_better ? (x - min) / (max - min) : (max - x) / (max - min);
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* The composite of validated inputs; NAN when the weights sum to zero. */
static double composite(const double *x, const double *w, size_t n, enum cc_index_method m,
                        double eps, bool *floored)
{
	double wsum = 0, acc;

	for (size_t i = 0; i < n; i++)
		wsum += w[i];
	if (!(wsum > 0))
		return (double)NAN;
	if (m == CC_INDEX_ARITHMETIC) {
		acc = 0;
		for (size_t i = 0; i < n; i++)
			acc += w[i] / wsum * x[i];
		return acc;
	}
	acc = 1;
	for (size_t i = 0; i < n; i++) {
		double v = x[i];

		if (v < eps && w[i] > 0) {
			v = eps;
			if (floored)
				*floored = true;
		}
		acc *= pow(v, w[i] / wsum);
	}
	return acc;
}

int cc_index_composite(const double *x, const double *w, size_t n, enum cc_index_method m,
                       double eps, double *out, bool *floored_out, struct cc_err *err)
{
	double wsum = 0;

	if (floored_out)
		*floored_out = false;
	if (n == 0)
		return cc_err_set(err, CC_EINVALID, "no components");
	for (size_t i = 0; i < n; i++) {
		if (isnan(x[i]) || x[i] < 0)
			return cc_err_set(err, CC_EINVALID,
			                  "component %zu is not a value in [0, 1]", i + 1);
		if (isnan(w[i]) || w[i] < 0 || !isfinite(w[i]))
			return cc_err_set(err, CC_EINVALID,
			                  "weight %zu is negative or not a number", i + 1);
		wsum += w[i];
	}
	if (!(wsum > 0))
		return cc_err_set(err, CC_EINVALID,
		                  "all weights are zero: a composite needs a positive weight");
	*out = composite(x, w, n, m, eps > 0 ? eps : CC_INDEX_EPSILON, floored_out);
	return 0;
}

void cc_index_rank(const double *score, size_t n, int *rank)
{
	/* O(n²) is fine: units are areas of one admin level (hundreds) */
	for (size_t i = 0; i < n; i++) {
		int r = 1;

		if (isnan(score[i])) {
			rank[i] = 0;
			continue;
		}
		for (size_t j = 0; j < n; j++)
			if (!isnan(score[j]) && score[j] > score[i] + TIE_EPS)
				r++;
		rank[i] = r;
	}
}

void cc_index_result_release(struct cc_index_result *r)
{
	if (!r)
		return;
	cc_free(r->pillar_names);
	cc_free(r->pillar_w);
	cc_free(r->item_w);
	cc_free(r->item_pillar);
	cc_free(r->norm);
	cc_free(r->pillar);
	cc_free(r->floored);
	cc_free(r->overall);
	cc_free(r->rank);
	for (size_t i = 0; i < r->n_sens; i++)
		cc_free(r->sens[i].rank);
	cc_free(r->sens);
	cc_free(r->stages);
	memset(r, 0, sizeof(*r));
}

/* Working arrays for one scoring. */
struct scratch {
	double *x, *w;
};

/*
 * Pillar and overall scores of every unit under weights item_w and pillar_w (both already
 * normalised per group); floored may be NULL.
 */
static void score_all(const struct cc_index_spec *s, const struct cc_index_result *r,
                      const double *item_w, const double *pillar_w, double eps, struct scratch *t,
                      double *pillar, double *overall, bool *floored)
{
	size_t np = r->n_pillars, ni = r->n_items;

	for (size_t u = 0; u < r->n_units; u++) {
		bool any_missing = false;
		size_t k = 0;

		for (size_t p = 0; p < np; p++) {
			bool miss = false, fl = false;
			size_t m = 0;

			for (size_t i = 0; i < ni; i++) {
				double v = r->norm[u * ni + i];

				if (r->item_pillar[i] != p)
					continue;
				if (isnan(v)) {
					miss = true;
					continue;
				}
				t->x[m] = v;
				t->w[m++] = item_w[i];
			}
			if (m == 0 || (miss && !s->reweight_missing))
				pillar[u * np + p] = (double)NAN;
			else
				pillar[u * np + p] = composite(t->x, t->w, m, s->method, eps, &fl);
			if (floored)
				floored[u * np + p] = fl;
		}
		for (size_t p = 0; p < np; p++) {
			double v = pillar[u * np + p];

			if (isnan(v)) {
				any_missing = true;
				continue;
			}
			t->x[k] = v;
			t->w[k++] = pillar_w[p];
		}
		if (k == 0 || (any_missing && !s->reweight_missing)) {
			overall[u] = (double)NAN;
		} else {
			bool fl = false;

			overall[u] = composite(t->x, t->w, k, s->overall_method, eps, &fl);
			if (floored)
				floored[r->n_units * np + u] = fl;
		}
	}
}

/* Divides the weights of group g (grp[i] == g) by their sum; false when it is zero. */
static bool normalise_group(double *w, const size_t *grp, size_t n, size_t g)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		if (grp[i] == g)
			sum += w[i];
	if (!(sum > 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if (grp[i] == g)
			w[i] /= sum;
	return true;
}

static size_t pillar_of(const struct cc_index_result *r, const char *name)
{
	for (size_t p = 0; p < r->n_pillars; p++)
		if (!strcmp(r->pillar_names[p], name))
			return p;
	return SIZE_MAX;
}

static size_t item_of(const struct cc_index_spec *s, const char *code)
{
	for (size_t i = 0; i < s->n_items; i++)
		if (!strcmp(s->items[i].code, code))
			return i;
	return SIZE_MAX;
}

static const char *item_pillar_name(const struct cc_index_item *it)
{
	return it->pillar[0] ? it->pillar : "other";
}

/* Pillars, normalised weights. */
static int setup_weights(const struct cc_index_spec *s, struct cc_index_result *r,
                         struct cc_err *err)
{
	size_t ni = s->n_items;

	for (size_t i = 0; i < ni; i++) {
		const struct cc_index_item *it = &s->items[i];

		r->item_pillar[i] = SIZE_MAX;
		if (!it->in_index)
			continue;
		if (!isfinite(it->weight) || it->weight < 0)
			return cc_err_set(err, CC_EINVALID,
			                  "indicator '%s': weight must be a number >= 0", it->code);
		if (!isfinite(it->goal_min) || !isfinite(it->goal_max) ||
		    !(it->goal_min < it->goal_max))
			return cc_err_set(
			        err, CC_EINVALID,
			        "indicator '%s' has no goalposts min < max (set goalposts "
			        "in the index definition or goal_min/goal_max of the "
			        "indicator)",
			        it->code);
		if ((r->item_pillar[i] = pillar_of(r, item_pillar_name(it))) == SIZE_MAX) {
			r->item_pillar[i] = r->n_pillars;
			snprintf(r->pillar_names[r->n_pillars++], 32, "%s", item_pillar_name(it));
		}
		r->item_w[i] = it->weight;
	}
	if (r->n_pillars == 0)
		return cc_err_set(err, CC_EINVALID, "the index has no indicators");
	for (size_t p = 0; p < r->n_pillars; p++)
		if (!normalise_group(r->item_w, r->item_pillar, ni, p))
			return cc_err_set(
			        err, CC_EINVALID,
			        "all weights of pillar '%s' are zero: a composite needs a "
			        "positive weight",
			        r->pillar_names[p]);
	if (s->n_pillars == 0) {
		for (size_t p = 0; p < r->n_pillars; p++)
			r->pillar_w[p] = 1.0 / (double)r->n_pillars;
		return 0;
	}
	for (size_t p = 0; p < r->n_pillars; p++)
		r->pillar_w[p] = (double)NAN;
	for (size_t k = 0; k < s->n_pillars; k++) {
		const struct cc_index_pillar_weight *pw = &s->pillars[k];
		size_t p = pillar_of(r, pw->pillar);

		if (p == SIZE_MAX) {
			cc_err_set(err, CC_EINVALID, "pillar '%s' has a weight but no indicators",
			           pw->pillar);
			cc_err_at(err, NULL, pw->line, "pillars");
			return CC_EINVALID;
		}
		if (!isfinite(pw->weight) || pw->weight < 0) {
			cc_err_set(err, CC_EINVALID, "pillar '%s': weight must be a number >= 0",
			           pw->pillar);
			cc_err_at(err, NULL, pw->line, "pillars");
			return CC_EINVALID;
		}
		r->pillar_w[p] = pw->weight;
	}
	for (size_t p = 0; p < r->n_pillars; p++)
		if (isnan(r->pillar_w[p]))
			return cc_err_set(
			        err, CC_EINVALID,
			        "pillar '%s' has indicators but no weight under 'pillars'",
			        r->pillar_names[p]);
	{
		double sum = 0;

		for (size_t p = 0; p < r->n_pillars; p++)
			sum += r->pillar_w[p];
		if (!(sum > 0))
			return cc_err_set(
			        err, CC_EINVALID,
			        "all pillar weights are zero: a composite needs a positive "
			        "weight");
		for (size_t p = 0; p < r->n_pillars; p++)
			r->pillar_w[p] /= sum;
	}
	return 0;
}

static int sensitivity(const struct cc_index_spec *s, struct cc_index_result *r, double eps,
                       struct scratch *t)
{
	double sh = s->sensitivity == 0 ? CC_INDEX_SENSITIVITY : s->sensitivity;
	size_t ni = r->n_items, np = r->n_pillars, n_rows = 0;
	double *iw = NULL, *pw = NULL, *pil = NULL, *ov = NULL;
	size_t *pgrp = NULL;
	int ret = CC_ENOMEM;

	if (sh < 0)
		return 0;
	for (size_t i = 0; i < ni; i++)
		n_rows += r->item_pillar[i] != SIZE_MAX ? 2 : 0;
	n_rows += 2 * np;
	r->sens = cc_alloc_array(n_rows, sizeof(*r->sens));
	iw = cc_alloc_array(ni + 1, sizeof(double));
	pw = cc_alloc_array(np + 1, sizeof(double));
	pgrp = cc_alloc_array(np + 1, sizeof(size_t));
	pil = cc_alloc_array(r->n_units * np + 1, sizeof(double));
	ov = cc_alloc_array(r->n_units + 1, sizeof(double));
	if (!r->sens || !iw || !pw || !pgrp || !pil || !ov)
		goto out;
	for (size_t k = 0; k < ni + np; k++) {
		bool is_pillar = k >= ni;
		size_t which = is_pillar ? k - ni : k;

		if (!is_pillar && r->item_pillar[which] == SIZE_MAX)
			continue;
		for (int d = 0; d < 2; d++) {
			struct cc_index_sens *row = &r->sens[r->n_sens];
			double f = d == 0 ? 1 - sh : 1 + sh;

			memcpy(iw, r->item_w, ni * sizeof(double));
			memcpy(pw, r->pillar_w, np * sizeof(double));
			if (is_pillar) {
				pw[which] *= f;
				(void)normalise_group(pw, pgrp, np, 0);
			} else {
				iw[which] *= f;
				(void)normalise_group(iw, r->item_pillar, ni,
				                      r->item_pillar[which]);
			}
			score_all(s, r, iw, pw, eps, t, pil, ov, NULL);
			row->pillar = is_pillar;
			row->which = which;
			row->factor = f;
			if (!(row->rank = cc_alloc_array(r->n_units + 1, sizeof(int))))
				goto out;
			r->n_sens++;
			cc_index_rank(ov, r->n_units, row->rank);
			for (size_t u = 0; u < r->n_units; u++) {
				int shift = abs(row->rank[u] - r->rank[u]);

				if (row->rank[u] != r->rank[u])
					row->n_changed++;
				if (shift > row->max_shift)
					row->max_shift = shift;
			}
		}
	}
	ret = 0;
out:
	cc_free(iw);
	cc_free(pw);
	cc_free(pgrp);
	cc_free(pil);
	cc_free(ov);
	return ret;
}

/* -1 unknown, 0 false, 1 true */
static int cond_eval(const struct cc_stage_cond *c, double v)
{
	if (isnan(v))
		return -1;
	switch (c->op) {
	case CC_OP_LT:
		return v < c->value;
	case CC_OP_LE:
		return v <= c->value;
	case CC_OP_GT:
		return v > c->value;
	case CC_OP_GE:
		return v >= c->value;
	case CC_OP_EQ:
		return v == c->value;
	case CC_OP_NE:
		return v != c->value;
	}
	return -1;
}

static const char *operand_text(const struct cc_stage_cond *c, char buf[static 80])
{
	switch (c->kind) {
	case CC_OPERAND_VALUE:
		snprintf(buf, 80, "%s", c->name);
		break;
	case CC_OPERAND_SCORE:
		snprintf(buf, 80, "score:%s", c->name);
		break;
	case CC_OPERAND_PILLAR:
		snprintf(buf, 80, "pillar:%s", c->name);
		break;
	case CC_OPERAND_OVERALL:
		snprintf(buf, 80, "overall");
		break;
	}
	return buf;
}

/* Operand positions: item or pillar index per condition (SIZE_MAX for overall). */
static int resolve_rules(const struct cc_index_spec *s, const struct cc_index_result *r,
                         size_t *pos, struct cc_err *err)
{
	for (size_t k = 0; k < s->n_rules; k++) {
		const struct cc_stage_rule *ru = &s->rules[k];

		for (size_t c = 0; c < ru->n_conds; c++) {
			const struct cc_stage_cond *cd = &ru->conds[c];
			size_t *p = &pos[k * CC_INDEX_MAX_CONDS + c];
			char b[80];

			*p = SIZE_MAX;
			switch (cd->kind) {
			case CC_OPERAND_VALUE:
			case CC_OPERAND_SCORE:
				*p = item_of(s, cd->name);
				if (*p != SIZE_MAX && cd->kind == CC_OPERAND_SCORE &&
				    !(s->items[*p].goal_min < s->items[*p].goal_max)) {
					cc_err_set(
					        err, CC_EINVALID,
					        "rule '%s': indicator '%s' has no goalposts, so no "
					        "score",
					        ru->name, cd->name);
					cc_err_at(err, NULL, ru->line, "stages");
					return CC_EINVALID;
				}
				break;
			case CC_OPERAND_PILLAR:
				*p = pillar_of(r, cd->name);
				break;
			case CC_OPERAND_OVERALL:
				continue;
			}
			if (*p == SIZE_MAX) {
				cc_err_set(err, CC_EINVALID, "rule '%s': unknown %s '%s'", ru->name,
				           cd->kind == CC_OPERAND_PILLAR ? "pillar" : "indicator",
				           operand_text(cd, b));
				cc_err_at(err, NULL, ru->line, "stages");
				return CC_EINVALID;
			}
		}
	}
	return 0;
}

static double operand(const struct cc_index_result *r, const double *raw,
                      const struct cc_stage_cond *c, size_t pos, size_t u)
{
	switch (c->kind) {
	case CC_OPERAND_VALUE:
		return raw[u * r->n_items + pos];
	case CC_OPERAND_SCORE:
		return r->norm[u * r->n_items + pos];
	case CC_OPERAND_PILLAR:
		return r->pillar[u * r->n_pillars + pos];
	case CC_OPERAND_OVERALL:
		return r->overall[u];
	}
	return (double)NAN;
}

static void add_missing(char *buf, size_t n, const char *what)
{
	size_t len = strlen(buf);

	if (strstr(buf, what))
		return;
	snprintf(buf + len, n - len, "%s%s", len ? ", " : "", what);
}

static void stages(const struct cc_index_spec *s, struct cc_index_result *r, const double *raw,
                   const size_t *pos)
{
	for (size_t u = 0; u < r->n_units; u++) {
		struct cc_stage_result *st = &r->stages[u];

		st->stage = s->default_stage;
		st->rule = -1;
		for (size_t k = 0; k < s->n_rules; k++) {
			const struct cc_stage_rule *ru = &s->rules[k];
			int v = ru->any ? 0 : 1;

			for (size_t c = 0; c < ru->n_conds; c++) {
				int e = cond_eval(&ru->conds[c],
				                  operand(r, raw, &ru->conds[c],
				                          pos[k * CC_INDEX_MAX_CONDS + c], u));

				if (ru->any) /* true wins, then unknown */
					v = e == 1 || v == 1 ? 1 : (e == -1 || v == -1) ? -1 : 0;
				else /* false wins, then unknown */
					v = e == 0 || v == 0 ? 0 : (e == -1 || v == -1) ? -1 : 1;
			}
			if (v == 0)
				continue;
			st->rule = (int)k;
			if (v == 1) {
				st->stage = ru->stage;
				break;
			}
			st->stage = CC_STAGE_NONE;
			st->undetermined = true;
			for (size_t c = 0; c < ru->n_conds; c++) {
				char b[80];

				if (isnan(operand(r, raw, &ru->conds[c],
				                  pos[k * CC_INDEX_MAX_CONDS + c], u)))
					add_missing(st->missing, sizeof(st->missing),
					            operand_text(&ru->conds[c], b));
			}
			break;
		}
	}
}

int cc_index_compute(const struct cc_index_spec *s, const double *raw, size_t n_units,
                     struct cc_index_result *out, struct cc_err *err)
{
	struct cc_index_result *r = out;
	struct scratch t = { 0 };
	size_t ni = s->n_items, *pos = NULL;
	double eps = s->epsilon > 0 ? s->epsilon : CC_INDEX_EPSILON;
	int ret = CC_ENOMEM;

	memset(r, 0, sizeof(*r));
	r->n_units = n_units;
	r->n_items = ni;
	if (ni > CC_INDEX_MAX_ITEMS || s->n_rules > CC_INDEX_MAX_RULES)
		return cc_err_set(err, CC_ETOOBIG, "more than %d indicators or %d stage rules",
		                  CC_INDEX_MAX_ITEMS, CC_INDEX_MAX_RULES);
	r->pillar_names = cc_alloc_array(ni + 1, sizeof(*r->pillar_names));
	r->pillar_w = cc_alloc_array(ni + 1, sizeof(double));
	r->item_w = cc_alloc_array(ni + 1, sizeof(double));
	r->item_pillar = cc_alloc_array(ni + 1, sizeof(size_t));
	r->norm = cc_alloc_array(n_units * ni + 1, sizeof(double));
	t.x = cc_alloc_array(ni + 1, sizeof(double));
	t.w = cc_alloc_array(ni + 1, sizeof(double));
	pos = cc_alloc_array(s->n_rules * CC_INDEX_MAX_CONDS + 1, sizeof(size_t));
	if (!r->pillar_names || !r->pillar_w || !r->item_w || !r->item_pillar || !r->norm || !t.x ||
	    !t.w || !pos)
		goto out;
	if ((ret = setup_weights(s, r, err)) < 0)
		goto out_err;
	ret = CC_ENOMEM;
	r->pillar = cc_alloc_array(n_units * r->n_pillars + 1, sizeof(double));
	r->floored = cc_alloc_array(n_units * (r->n_pillars + 1) + 1, sizeof(bool));
	r->overall = cc_alloc_array(n_units + 1, sizeof(double));
	r->rank = cc_alloc_array(n_units + 1, sizeof(int));
	if (!r->pillar || !r->floored || !r->overall || !r->rank)
		goto out;
	for (size_t u = 0; u < n_units; u++)
		for (size_t i = 0; i < ni; i++)
			r->norm[u * ni + i] = cc_index_normalise(
			        raw[u * ni + i], s->items[i].goal_min, s->items[i].goal_max,
			        s->items[i].higher_is_better);
	if ((ret = resolve_rules(s, r, pos, err)) < 0)
		goto out_err;
	score_all(s, r, r->item_w, r->pillar_w, eps, &t, r->pillar, r->overall, r->floored);
	cc_index_rank(r->overall, n_units, r->rank);
	ret = CC_ENOMEM;
	if (sensitivity(s, r, eps, &t) < 0)
		goto out;
	if (s->n_rules || s->default_stage != CC_STAGE_NONE) {
		if (!(r->stages = cc_alloc_array(n_units + 1, sizeof(*r->stages))))
			goto out;
		stages(s, r, raw, pos);
	}
	ret = 0;
	goto out_free;
out:
	cc_err_set(err, CC_ENOMEM, "out of memory");
out_err:
	cc_index_result_release(r);
out_free:
	cc_free(t.x);
	cc_free(t.w);
	cc_free(pos);
	return ret;
}
