/*
 * Survey statistics (see <concord/survey.h> and DOMAIN 2.7–2.9): weighted proportions with
 * Kish's effective n and Wilson intervals, Likert indices, the z test between waves, Cronbach's
 * alpha, and the tables of estimates built from them. Pure: plain arrays in, plain structs
 * out; normal quantiles and tails from GSL (its error handler off, so it never aborts).
 */
#include <concord/survey.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include <concord/alloc.h>
#include <concord/text.h>

#include "core/banned.h"

static const char *const status_names[] = {
	[CC_ANSWERED] = "answered",
	[CC_DONT_KNOW] = "dont_know",
	[CC_REFUSED] = "refused",
	[CC_MISSING] = "missing",
};

const char *cc_answer_status_name(enum cc_answer_status s)
{
	return (size_t)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "?";
}

int cc_answer_status_parse(const char *s, enum cc_answer_status *out)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
		if (!strcmp(s, status_names[i])) {
			*out = (enum cc_answer_status)i;
			return 0;
		}
	}
	return CC_EINVALID;
}

double cc_survey_z(double level)
{
	gsl_set_error_handler_off();
	if (!(level > 0 && level < 1))
		return (double)NAN;
	return gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2);
}

double cc_kish_neff(const double *w, size_t n)
{
	double s = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		s += w[i];
		s2 += w[i] * w[i];
	}
	return s2 > 0 ? s * s / s2 : (double)NAN;
}

int cc_wilson(double p, double n, double level, double *lo_out, double *hi_out, struct cc_err *err)
{
	double z = cc_survey_z(level), z2, centre, half;

	*lo_out = *hi_out = (double)NAN;
	if (!(n > 0))
		return cc_err_set(err, CC_EINVALID, "no interval on an effective n of %g", n);
	if (!(p >= 0 && p <= 1))
		return cc_err_set(err, CC_EINVALID, "proportion %g is not in [0, 1]", p);
	if (isnan(z))
		return cc_err_set(err, CC_EINVALID, "confidence level %g is not in (0, 1)", level);
	z2 = z * z;
	centre = (p + z2 / (2 * n)) / (1 + z2 / n);
	half = z / (1 + z2 / n) * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
	*lo_out = fmax(0, centre - half);
	*hi_out = fmin(1, centre + half);
	return 0;
}

static double def_level(double level)
{
	return level > 0 ? level : CC_SURVEY_LEVEL;
}

static double def_min(double min_neff)
{
	return min_neff > 0 ? min_neff : CC_SURVEY_MIN_NEFF;
}

int cc_survey_proportion(const double *w, const double *y, size_t n, double level, double min_neff,
                         struct cc_survey_prop *out, struct cc_err *err)
{
	double swy = 0;

	memset(out, 0, sizeof(*out));
	out->p = out->deff = out->n_eff = out->lo = out->hi = (double)NAN;
	out->deff_kish = out->icc = (double)NAN;
	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		if (y[i] != 0 && y[i] != 1)
			return cc_err_set(err, CC_EINVALID, "answer %g is not 0 or 1", y[i]);
		if (!(w[i] >= 0) || isinf(w[i]))
			return cc_err_set(err, CC_EINVALID, "weight %g is not a number >= 0", w[i]);
		out->n++;
		out->n_yes += y[i] == 1;
		out->sum_w += w[i];
		out->sum_w2 += w[i] * w[i];
		swy += w[i] * y[i];
	}
	if (out->n == 0)
		return cc_err_set(err, CC_EINVALID, "no answers");
	if (out->sum_w == 0)
		return cc_err_set(err, CC_EINVALID,
		                  "all %zu weights are zero: no weighted estimate", out->n);
	out->p = swy / out->sum_w;
	out->n_eff = out->sum_w * out->sum_w / out->sum_w2;
	out->deff = (double)out->n * out->sum_w2 / (out->sum_w * out->sum_w);
	out->deff_kish = out->deff;
	out->small = out->n_eff < def_min(min_neff);
	return cc_wilson(out->p, out->n_eff, def_level(level), &out->lo, &out->hi, err);
}

/*
 * Clustered samples (respondents drawn by village): the linearised (Taylor) variance of the
 * weighted proportion, the clusters taken as primary sampling units drawn with replacement:
 *	z_i = w_i (y_i − p) / Σw,  Z_c = Σ_{i in c} z_i,  Var(p) = C/(C − 1) Σ_c Z_c²
 * (Σ_c Z_c = 0, so the Z_c need no centring). The design effect is then Var(p) over the simple
 * random sampling variance p(1 − p)/n, covering weighting and clustering together; the effective
 * n is p(1 − p)/Var(p), and the interval is Wilson's on it. The intraclass correlation implied
 * by deff = deff_kish (1 + (m − 1) ICC), m = n/C the mean cluster size, is reported with it.
 * With p at 0 or 1 (no variance to estimate) or fewer than 2 clusters the Kish figures stay.
 * Source: Kish 1965 §8.2; Wolter 2007, Introduction to Variance Estimation, ch. 6.
 */
int cc_survey_proportion_cl(const double *w, const double *y, const size_t *cluster,
                            size_t n_clusters, size_t n, double level, double min_neff,
                            struct cc_survey_prop *out, struct cc_err *err)
{
	double *tot, ss = 0, var, m;
	size_t used = 0;
	int ret;

	if ((ret = cc_survey_proportion(w, y, n, level, min_neff, out, err)) < 0 || !cluster)
		return ret;
	out->deff_kish = out->deff;
	tot = cc_calloc(n_clusters ? n_clusters : 1, sizeof(*tot));
	if (!tot)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu clusters", n_clusters);
	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		if (cluster[i] >= n_clusters) {
			cc_free(tot);
			return cc_err_set(err, CC_EINVALID, "cluster %zu of answer %zu is out of range",
			                  cluster[i], i + 1);
		}
		tot[cluster[i]] += w[i] * (y[i] - out->p) / out->sum_w;
	}
	/* the clusters that have an answer */
	{
		bool *seen = cc_calloc(n_clusters ? n_clusters : 1, sizeof(*seen));

		if (!seen) {
			cc_free(tot);
			return cc_err_set(err, CC_ENOMEM, "out of memory for %zu clusters", n_clusters);
		}
		for (size_t i = 0; i < n; i++)
			if (!isnan(y[i]) && !seen[cluster[i]]) {
				seen[cluster[i]] = true;
				used++;
			}
		cc_free(seen);
	}
	for (size_t c = 0; c < n_clusters; c++)
		ss += tot[c] * tot[c];
	cc_free(tot);
	out->n_clusters = used;
	if (used < 2 || !(out->p > 0 && out->p < 1))
		return 0;
	var = (double)used / (double)(used - 1) * ss;
	if (!(var > 0))
		return 0;
	out->n_eff = out->p * (1 - out->p) / var;
	out->deff = (double)out->n / out->n_eff;
	m = (double)out->n / (double)used;
	out->icc = m > 1 ? (out->deff / out->deff_kish - 1) / (m - 1) : (double)NAN;
	out->small = out->n_eff < def_min(min_neff);
	return cc_wilson(out->p, out->n_eff, def_level(level), &out->lo, &out->hi, err);
}

double cc_survey_prop_se(const struct cc_survey_prop *p)
{
	if (isnan(p->p) || !(p->n_eff > 0))
		return (double)NAN;
	return sqrt(p->p * (1 - p->p) / p->n_eff);
}

int cc_survey_likert(const double *w, const double *x, size_t n, int k, bool reverse, double level,
                     double min_neff, struct cc_survey_likert *out, struct cc_err *err)
{
	double swx = 0, ss = 0, z, se, *top = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	out->k = k;
	out->n_eff = out->deff = out->mean = out->sd_w = (double)NAN;
	out->index = out->index_lo = out->index_hi = (double)NAN;
	out->top2.p = (double)NAN;
	if (k < 2)
		return cc_err_set(err, CC_EINVALID, "a Likert scale needs at least 2 points");
	for (size_t i = 0; i < n; i++) {
		double v = x[i];

		if (isnan(v))
			continue;
		if (v != floor(v) || v < 1 || v > k)
			return cc_err_set(err, CC_EINVALID, "answer %g is not on the 1..%d scale",
			                  v, k);
		if (!(w[i] >= 0) || isinf(w[i]))
			return cc_err_set(err, CC_EINVALID, "weight %g is not a number >= 0", w[i]);
		if (reverse)
			v = k + 1 - v;
		out->n++;
		out->sum_w += w[i];
		swx += w[i] * v;
	}
	if (out->n == 0)
		return cc_err_set(err, CC_EINVALID, "no answers");
	if (out->sum_w == 0)
		return cc_err_set(err, CC_EINVALID,
		                  "all %zu weights are zero: no weighted estimate", out->n);
	out->mean = swx / out->sum_w;
	for (size_t i = 0; i < n; i++) {
		double v;

		if (isnan(x[i]))
			continue;
		v = reverse ? k + 1 - x[i] : x[i];
		ss += w[i] * (v - out->mean) * (v - out->mean);
	}
	out->sd_w = sqrt(ss / out->sum_w);
	out->index = (out->mean - 1) / (k - 1) * 100;
	top = cc_alloc_array(n ? n : 1, sizeof(*top));
	if (!top)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		double v = reverse && !isnan(x[i]) ? k + 1 - x[i] : x[i];

		top[i] = isnan(v) ? (double)NAN : v >= k - 1 ? 1.0 : 0.0;
	}
	ret = cc_survey_proportion(w, top, n, level, min_neff, &out->top2, err);
	cc_free(top);
	if (ret < 0)
		return ret;
	out->n_eff = out->top2.n_eff;
	out->deff = out->top2.deff;
	out->small = out->top2.small;
	z = cc_survey_z(def_level(level));
	se = out->sd_w / sqrt(out->n_eff);
	out->index_lo = (out->mean - z * se - 1) / (k - 1) * 100;
	out->index_hi = (out->mean + z * se - 1) / (k - 1) * 100;
	return 0;
}

int cc_survey_ztest(double e1, double se1, double e2, double se2, struct cc_survey_change *out,
                    struct cc_err *err)
{
	gsl_set_error_handler_off();
	out->diff = e2 - e1;
	out->se = out->z = out->p = (double)NAN;
	if (isnan(e1) || isnan(e2) || isnan(se1) || isnan(se2))
		return cc_err_set(err, CC_EINVALID, "an estimate is missing");
	out->se = sqrt(se1 * se1 + se2 * se2);
	if (out->se == 0)
		return cc_err_set(err, CC_EINVALID, "no variation in either estimate to test");
	out->z = out->diff / out->se;
	out->p = 2 * gsl_cdf_ugaussian_Q(fabs(out->z));
	return 0;
}

int cc_cronbach_alpha(const double *x, size_t n, size_t k, double *item_var_out,
                      struct cc_alpha *out, struct cc_err *err)
{
	double *mean = NULL, *m2 = NULL, tmean = 0, tm2 = 0;
	size_t used = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->k = k;
	out->alpha = out->total_var = out->sum_item_var = (double)NAN;
	if (k < 2)
		return cc_err_set(err, CC_EINVALID, "alpha needs at least 2 items, not %zu", k);
	mean = cc_calloc(k, sizeof(*mean));
	m2 = cc_calloc(k, sizeof(*m2));
	if (!mean || !m2) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	/* Welford's running mean and sum of squares, per item and for the total */
	for (size_t r = 0; r < n; r++) {
		const double *row = x + r * k;
		double total = 0, d;
		bool complete = true;

		for (size_t j = 0; j < k && complete; j++)
			complete = !isnan(row[j]);
		if (!complete) {
			out->n_dropped++;
			continue;
		}
		used++;
		for (size_t j = 0; j < k; j++) {
			d = row[j] - mean[j];
			mean[j] += d / (double)used;
			m2[j] += d * (row[j] - mean[j]);
			total += row[j];
		}
		d = total - tmean;
		tmean += d / (double)used;
		tm2 += d * (total - tmean);
	}
	out->n_used = used;
	if (used < 2) {
		ret = cc_err_set(err, CC_EINVALID,
		                 "alpha needs at least 2 respondents with every item; %zu have",
		                 used);
		goto out_free;
	}
	out->sum_item_var = 0;
	for (size_t j = 0; j < k; j++) {
		double v = m2[j] / (double)(used - 1);

		out->sum_item_var += v;
		if (item_var_out)
			item_var_out[j] = v;
	}
	out->total_var = tm2 / (double)(used - 1);
	if (!(out->total_var > 0)) {
		ret = cc_err_set(err, CC_EINVALID, "the total score does not vary: no alpha");
		goto out_free;
	}
	out->alpha = (double)k / (double)(k - 1) * (1 - out->sum_item_var / out->total_var);
out_free:
	cc_free(mean);
	cc_free(m2);
	return ret;
}

/* ---- tables ---- */

struct cat {
	const char *code;
	double num; /* the code as a number, NAN when it is not one */
	char *own;  /* a select_multiple choice copied out of its answer, else NULL */
};

/* The next space-separated token of *s into tok (size n, cut); false at the end. */
static bool next_token(const char **s, char *tok, size_t n)
{
	const char *p = *s, *e;
	size_t len;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return false;
	for (e = p; *e && *e != ' ' && *e != '\t'; e++)
		;
	len = (size_t)(e - p) < n - 1 ? (size_t)(e - p) : n - 1;
	memcpy(tok, p, len);
	tok[len] = '\0';
	*s = e;
	return true;
}

/* Whether the space-separated set holds tok. */
static bool has_token(const char *set, const char *tok)
{
	char t[96];

	while (set && next_token(&set, t, sizeof(t)))
		if (strcmp(t, tok) == 0)
			return true;
	return false;
}

/* Numerically when both are numbers (every num is NAN unless all categories are), else bytewise. */
static int cmp_cat(const void *a, const void *b)
{
	const struct cat *x = a, *y = b;

	if (!isnan(x->num) && !isnan(y->num) && x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return strcmp(x->code, y->code);
}

/* The answer's category: its code, else its value printed. */
static const char *category(const struct cc_survey_response *r, char buf[static 32])
{
	if (r->code && r->code[0])
		return r->code;
	if (!isnan(r->value)) {
		snprintf(buf, 32, "%.15g", r->value);
		return buf;
	}
	return "";
}

/* The reason into dst (size n), cut at n - 1 bytes. */
static void note(char *dst, size_t n, const struct cc_err *e)
{
	const char *why = e->msg[0] ? e->msg : "no estimate";
	size_t len = strnlen(why, n - 1);

	memcpy(dst, why, len);
	dst[len] = '\0';
}

/* Distinct cells in order of first appearance, and distinct categories in order. */
static int collect(const struct cc_survey_response *r, size_t n, bool multiple,
                   struct cc_survey_table *out, struct cat **cats_out, size_t *n_cats_out,
                   struct cc_err *err)
{
	struct cc_map cells = CC_MAP_INIT, cats = CC_MAP_INIT;
	struct cat *cv = NULL;
	size_t n_cats = 0, cap_cells = 0, cap_cats = 0;
	char buf[32];
	int64_t ix;
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++) {
		const char *cell = r[i].cell ? r[i].cell : "";

		if (cc_map_get(&cells, cell, &ix) != 0) {
			if (out->n_cells == cap_cells) {
				size_t nc = cap_cells ? cap_cells * 2 : 8;
				void *p = cc_realloc(out->cells, nc * sizeof(*out->cells));

				if (!p) {
					ret = CC_ENOMEM;
					break;
				}
				out->cells = p;
				cap_cells = nc;
			}
			memset(&out->cells[out->n_cells], 0, sizeof(out->cells[0]));
			snprintf(out->cells[out->n_cells].cell, sizeof(out->cells[0].cell), "%s",
			         cell);
			if ((ret = cc_map_put(&cells, cell, (int64_t)out->n_cells)) < 0)
				break;
			out->n_cells++;
		}
		if (r[i].status != CC_ANSWERED)
			continue;
		if (multiple) {
			const char *set = r[i].code ? r[i].code : "";
			char tok[96];

			while (ret == 0 && next_token(&set, tok, sizeof(tok))) {
				if (cc_map_get(&cats, tok, &ix) == 0)
					continue;
				if (n_cats == cap_cats) {
					size_t nc = cap_cats ? cap_cats * 2 : 8;
					void *p = cc_realloc(cv, nc * sizeof(*cv));

					if (!p) {
						ret = CC_ENOMEM;
						break;
					}
					cv = p;
					cap_cats = nc;
				}
				cv[n_cats].own = cc_strdup(tok);
				cv[n_cats].code = cv[n_cats].own;
				cv[n_cats].num = (double)NAN;
				if (!cv[n_cats].own) {
					ret = CC_ENOMEM;
					break;
				}
				n_cats++;
				ret = cc_map_put(&cats, tok, (int64_t)(n_cats - 1));
			}
			continue;
		}
		const char *c = category(&r[i], buf);

		if (cc_map_get(&cats, c, &ix) == 0)
			continue;
		if (n_cats == cap_cats) {
			size_t nc = cap_cats ? cap_cats * 2 : 8;
			void *p = cc_realloc(cv, nc * sizeof(*cv));

			if (!p) {
				ret = CC_ENOMEM;
				break;
			}
			cv = p;
			cap_cats = nc;
		}
		/* code NULL: a value with no code, printed again by the caller */
		cv[n_cats].code = r[i].code && r[i].code[0] ? r[i].code : NULL;
		cv[n_cats].num = r[i].value;
		cv[n_cats].own = NULL;
		if ((ret = cc_map_put(&cats, c, (int64_t)n_cats)) < 0)
			break;
		n_cats++;
	}
	cc_map_release(&cells);
	cc_map_release(&cats);
	if (ret < 0) {
		for (size_t k = 0; k < n_cats; k++)
			cc_free(cv[k].own);
		cc_free(cv);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	*cats_out = cv;
	*n_cats_out = n_cats;
	return 0;
}

int cc_survey_tabulate(const struct cc_survey_response *r, size_t n,
                       const struct cc_survey_tab_opts *o, struct cc_survey_table *out,
                       struct cc_err *err)
{
	struct cc_survey_tab_opts d = o ? *o : (struct cc_survey_tab_opts){ 0 };
	struct cat *cats = NULL;
	char **cat_text = NULL;
	double *w = NULL, *y = NULL;
	size_t n_cats = 0, *cell_of = NULL, *cat_of = NULL, *order = NULL, *start = NULL;
	size_t *clu = NULL, *cl = NULL, n_clusters = 0;
	struct cc_map cell_ix = CC_MAP_INIT, cat_ix = CC_MAP_INIT, clu_ix = CC_MAP_INIT;
	char buf[32];
	int ret;

	memset(out, 0, sizeof(*out));
	d.level = def_level(d.level);
	d.min_neff = def_min(d.min_neff);
	out->z = cc_survey_z(d.level);
	if (isnan(out->z))
		return cc_err_set(err, CC_EINVALID, "confidence level %g is not in (0, 1)",
		                  d.level);
	for (size_t i = 0; i < n; i++)
		if (r[i].status != CC_MISSING && (!(r[i].weight >= 0) || isinf(r[i].weight)))
			return cc_err_set(err, CC_EINVALID, "weight %g is not a number >= 0",
			                  r[i].weight);
	if ((ret = collect(r, n, d.multiple, out, &cats, &n_cats, err)) < 0) {
		cc_survey_table_release(out);
		return ret;
	}
	/* categories own their text (codes borrowed from r; printed values copied) */
	cat_text = cc_calloc(n_cats ? n_cats : 1, sizeof(*cat_text));
	w = cc_alloc_array(n ? n : 1, sizeof(*w));
	y = cc_alloc_array(n ? n : 1, sizeof(*y));
	cell_of = cc_alloc_array(n ? n : 1, sizeof(*cell_of));
	cat_of = cc_alloc_array(n ? n : 1, sizeof(*cat_of));
	order = cc_alloc_array(n ? n : 1, sizeof(*order));
	start = cc_calloc(out->n_cells + 1, sizeof(*start));
	clu = cc_alloc_array(n ? n : 1, sizeof(*clu));
	cl = cc_alloc_array(n ? n : 1, sizeof(*cl));
	if (!cat_text || !w || !y || !cell_of || !cat_of || !order || !start || !clu || !cl)
		goto out_nomem;
	/* clusters numbered in order of appearance; a response without one is a cluster alone */
	for (size_t i = 0; d.clusters && i < n; i++) {
		const char *k = d.clusters[i];
		int64_t ix;

		if (!k || !k[0]) {
			clu[i] = n_clusters++;
		} else if (cc_map_get(&clu_ix, k, &ix) == 0) {
			clu[i] = (size_t)ix;
		} else {
			if (cc_map_put(&clu_ix, k, (int64_t)n_clusters) < 0)
				goto out_nomem;
			clu[i] = n_clusters++;
		}
	}
	bool all_numeric = true;

	for (size_t c = 0; c < n_cats; c++) {
		if (!cats[c].code) {
			snprintf(buf, sizeof(buf), "%.15g", cats[c].num);
			cat_text[c] = cc_strdup(buf);
		} else {
			cat_text[c] = cc_strdup(cats[c].code);
			if (cc_parse_double(cats[c].code, &cats[c].num, NULL) < 0)
				cats[c].num = (double)NAN;
		}
		if (!cat_text[c])
			goto out_nomem;
		cats[c].code = cat_text[c];
		cc_free(cats[c].own);
		cats[c].own = NULL;
		if (isnan(cats[c].num))
			all_numeric = false;
	}
	for (size_t c = 0; c < n_cats && !all_numeric; c++)
		cats[c].num = (double)NAN;
	qsort(cats, n_cats, sizeof(*cats), cmp_cat);
	for (size_t k = 0; k < n_cats; k++)
		if (cc_map_put(&cat_ix, cats[k].code, (int64_t)k) < 0)
			goto out_nomem;

	for (size_t c = 0; c < out->n_cells; c++)
		if (cc_map_put(&cell_ix, out->cells[c].cell, (int64_t)c) < 0)
			goto out_nomem;
	for (size_t i = 0; i < n; i++) {
		int64_t ix = 0;
		struct cc_survey_cell *cell;

		cc_map_get(&cell_ix, r[i].cell ? r[i].cell : "", &ix);
		cell_of[i] = (size_t)ix;
		start[ix + 1]++;
		cell = &out->cells[ix];
		cat_of[i] = (size_t)-1;
		if (r[i].status == CC_ANSWERED &&
		    cc_map_get(&cat_ix, category(&r[i], buf), &ix) == 0)
			cat_of[i] = (size_t)ix;
		switch (r[i].status) {
		case CC_ANSWERED:
			cell->n_answered++;
			cell->w_answered += r[i].weight;
			break;
		case CC_DONT_KNOW:
			cell->n_dont_know++;
			cell->w_dont_know += r[i].weight;
			break;
		case CC_REFUSED:
			cell->n_refused++;
			cell->w_refused += r[i].weight;
			break;
		case CC_MISSING:
			cell->n_missing++;
			break;
		}
	}
	/* the responses of each cell, contiguous in order[start[c] .. start[c + 1]) */
	for (size_t c = 0; c < out->n_cells; c++)
		start[c + 1] += start[c];
	{
		size_t *fill = cc_alloc_array(out->n_cells ? out->n_cells : 1, sizeof(*fill));

		if (!fill)
			goto out_nomem;
		memcpy(fill, start, out->n_cells * sizeof(*fill));
		for (size_t i = 0; i < n; i++)
			order[fill[cell_of[i]]++] = i;
		cc_free(fill);
	}
	out->estimates = cc_calloc((out->n_cells * n_cats) != 0 ? out->n_cells * n_cats : 1,
	                           sizeof(*out->estimates));
	if (!out->estimates)
		goto out_nomem;
	for (size_t c = 0; c < out->n_cells; c++) {
		struct cc_survey_cell *cell = &out->cells[c];
		double asked = cell->w_answered + cell->w_dont_know + cell->w_refused;
		const size_t *mem = order + start[c], m = start[c + 1] - start[c];

		cell->dont_know_share = asked > 0 ? cell->w_dont_know / asked : (double)NAN;
		cell->refused_share = asked > 0 ? cell->w_refused / asked : (double)NAN;
		for (size_t k = 0; k < n_cats; k++) {
			struct cc_survey_estimate *e = &out->estimates[out->n_estimates++];
			struct cc_err why = { 0 };

			e->cell = c;
			snprintf(e->category, sizeof(e->category), "%s", cats[k].code);
			for (size_t j = 0; j < m; j++) {
				size_t i = mem[j];

				w[j] = r[i].weight;
				y[j] = r[i].status != CC_ANSWERED ? (double)NAN
				       : d.multiple ? (has_token(r[i].code, cats[k].code) ? 1.0 : 0.0)
				       : cat_of[i] == k ? 1.0
				                        : 0.0;
				cl[j] = d.clusters ? clu[i] : 0;
			}
			ret = cc_survey_proportion_cl(w, y, d.clusters ? cl : NULL, n_clusters, m,
			                              d.level, d.min_neff, &e->prop, &why);
			if (ret == CC_ENOMEM)
				goto out_nomem;
			if (ret < 0)
				note(e->note, sizeof(e->note), &why);
			if (d.changes && c > 0) {
				const struct cc_survey_estimate *prev =
				        &out->estimates[out->n_estimates - 1 - n_cats];

				cc_err_clear(&why);
				if (cc_survey_ztest(prev->prop.p, cc_survey_prop_se(&prev->prop),
				                    e->prop.p, cc_survey_prop_se(&e->prop),
				                    &e->change, &why) < 0)
					note(e->change_note, sizeof(e->change_note), &why);
				else
					e->has_change = true;
			}
		}
		if (d.likert_k > 0) {
			struct cc_err why = { 0 };

			for (size_t j = 0; j < m; j++) {
				size_t i = mem[j];

				w[j] = r[i].weight;
				y[j] = r[i].status == CC_ANSWERED ? r[i].value : (double)NAN;
			}
			if (cc_survey_likert(w, y, m, d.likert_k, d.reverse, d.level, d.min_neff,
			                     &cell->likert, &why) < 0)
				note(cell->likert_note, sizeof(cell->likert_note), &why);
			else
				cell->has_likert = true;
			if (d.changes && c > 0) {
				const struct cc_survey_cell *pc = &out->cells[c - 1];

				cc_err_clear(&why);
				if (!pc->has_likert || !cell->has_likert)
					snprintf(cell->change_note, sizeof(cell->change_note),
					         "no index in one of the two waves");
				else if (cc_survey_ztest(pc->likert.index,
				                         pc->likert.sd_w / sqrt(pc->likert.n_eff) /
				                                 (pc->likert.k - 1) * 100,
				                         cell->likert.index,
				                         cell->likert.sd_w /
				                                 sqrt(cell->likert.n_eff) /
				                                 (cell->likert.k - 1) * 100,
				                         &cell->likert_change, &why) < 0)
					note(cell->change_note, sizeof(cell->change_note), &why);
				else
					cell->has_change = true;
			}
		}
	}
	ret = 0;
	goto out_free;
out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	cc_survey_table_release(out);
out_free:
	if (cat_text)
		for (size_t c = 0; c < n_cats; c++)
			cc_free(cat_text[c]);
	for (size_t c = 0; cats && c < n_cats; c++)
		cc_free(cats[c].own);
	cc_free(clu);
	cc_free(cl);
	cc_map_release(&clu_ix);
	cc_free(cat_text);
	cc_free(cats);
	cc_free(w);
	cc_free(y);
	cc_free(cell_of);
	cc_free(cat_of);
	cc_free(order);
	cc_free(start);
	cc_map_release(&cell_ix);
	cc_map_release(&cat_ix);
	return ret;
}

void cc_survey_table_release(struct cc_survey_table *t)
{
	if (!t)
		return;
	cc_free(t->cells);
	cc_free(t->estimates);
	memset(t, 0, sizeof(*t));
}
