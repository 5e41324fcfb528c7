/*
 * Theil–Sen slope and Mann–Kendall trend test (DOMAIN.md §2.3).
 *
 * The exact null distribution of S for n untied values comes from the Mahonian numbers: the
 * count of orderings of n items with k inversions, c_n(k) = Σ_{j=0}^{min(k, n−1)} c_{n−1}(k−j),
 * and S = M − 2k with M = n(n − 1)/2. With ties (n < 10) the p is exact too, over the
 * distinct arrangements of the observed values (cc_trend_exact_p_values).
 */
#include <concord/progress.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include <concord/alloc.h>

#include "core/banned.h"

#define EXACT_MAX_N 12 /* 12! = 479,001,600 fits a uint64_t with room */
#define EXACT_TIES_MAX_N 9 /* DOMAIN.md: exact below n = 10 */

const char *cc_trend_dir_name(enum cc_trend_dir d)
{
	switch (d) {
	case CC_TREND_TOO_FEW:
		return "too few points";
	case CC_TREND_NONE:
		return "no clear trend";
	case CC_TREND_INCREASING:
		return "increasing";
	case CC_TREND_DECREASING:
		return "decreasing";
	}
	return "?";
}

double cc_trend_exact_p(size_t n, long s)
{
	uint64_t c[EXACT_MAX_N * (EXACT_MAX_N - 1) / 2 + 1], next[sizeof(c) / sizeof(c[0])];
	uint64_t total = 1, hits = 0;
	long m;

	if (n < 1 || n > EXACT_MAX_N)
		return (double)NAN;
	memset(c, 0, sizeof(c));
	c[0] = 1; /* c_1(0) = 1 */
	for (size_t k = 2; k <= n; k++) {
		size_t max_prev = (k - 1) * (k - 2) / 2, max_k = k * (k - 1) / 2;

		for (size_t i = 0; i <= max_k; i++) {
			uint64_t sum = 0;

			for (size_t j = 0; j <= k - 1 && j <= i; j++)
				if (i - j <= max_prev)
					sum += c[i - j];
			next[i] = sum;
		}
		memcpy(c, next, (max_k + 1) * sizeof(c[0]));
		total *= k;
	}
	m = (long)(n * (n - 1) / 2);
	for (long k = 0; k <= m; k++)
		if (labs(m - 2 * k) >= labs(s))
			hits += c[k];
	return (double)hits / (double)total;
}

/*
 * The exact two-sided p of S for n values with ties: under H0 every distinct arrangement of the
 * observed multiset of values is equally likely (each stands for the same number of the n!
 * orderings). The arrangements are built left to right; the state is how many values of each
 * tied group remain to be placed (a mixed-radix number), and placing a value of group g after
 * the ones already placed adds (placed below g) − (placed above g) to S. ways[state][S + M]
 * counts the arrangements reaching each state with each partial S.
 */
double cc_trend_exact_p_values(const double *y, size_t n, long s)
{
	double sorted[EXACT_TIES_MAX_N];
	size_t count[EXACT_TIES_MAX_N], radix[EXACT_TIES_MAX_N], n_groups = 0, n_states = 1;
	long m;
	size_t width;
	uint64_t *ways, total = 0, hits = 0;

	if (n < 1 || n > EXACT_TIES_MAX_N)
		return (double)NAN;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(y[i]))
			return (double)NAN;
		sorted[i] = y[i];
	}
	gsl_sort(sorted, 1, n);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && sorted[j] == sorted[i])
			j++;
		count[n_groups++] = j - i;
		i = j;
	}
	for (size_t g = 0; g < n_groups; g++) {
		radix[g] = n_states; /* weight of group g's digit */
		n_states *= count[g] + 1;
	}
	m = (long)(n * (n - 1) / 2);
	width = (size_t)(2 * m + 1);
	ways = cc_alloc_array(n_states * width, sizeof(*ways));
	if (!ways)
		return (double)NAN;
	memset(ways, 0, n_states * width * sizeof(*ways));
	ways[(n_states - 1) * width + (size_t)m] = 1; /* everything left to place, S = 0 */
	for (size_t st = n_states; st-- > 1;) {
		size_t left[EXACT_TIES_MAX_N];
		const uint64_t *row = ways + st * width;

		for (size_t g = 0; g < n_groups; g++)
			left[g] = st / radix[g] % (count[g] + 1);
		for (size_t g = 0; g < n_groups; g++) {
			long add = 0;
			uint64_t *to;

			if (!left[g])
				continue;
			for (size_t h = 0; h < n_groups; h++)
				if (h < g)
					add += (long)(count[h] - left[h]);
				else if (h > g)
					add -= (long)(count[h] - left[h]);
			to = ways + (st - radix[g]) * width;
			for (long k = -m; k <= m; k++) {
				uint64_t w = row[k + m];

				if (w && k + add >= -m && k + add <= m)
					to[k + add + m] += w;
			}
		}
	}
	for (long k = -m; k <= m; k++) {
		total += ways[k + m];
		if (labs(k) >= labs(s))
			hits += ways[k + m];
	}
	cc_free(ways);
	return total ? (double)hits / (double)total : (double)NAN;
}

int cc_trend_compute(const double *t, const double *y, size_t n, double alpha,
                     struct cc_trend *out, struct cc_err *err)
{
	size_t n_pairs = 0, n_slopes = 0;
	double *work = NULL, tie_sum = 0;
	long s = 0;

	gsl_set_error_handler_off();
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->slope = out->intercept = out->z = out->p = (double)NAN;
	out->dir = CC_TREND_TOO_FEW;
	if (alpha <= 0)
		alpha = 0.05;
	if (n > CC_TREND_MAX_N)
		return cc_err_set(err, CC_ETOOBIG, "%zu points are more than the %d a trend takes", n,
		                  CC_TREND_MAX_N);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(t[i]) || !isfinite(y[i]))
			return cc_err_set(err, CC_EINVALID, "point %zu of the series is not a number",
			                  i + 1);
	if (n < 2)
		return 0;
	n_pairs = n * (n - 1) / 2;
	work = cc_alloc_array(n_pairs > n ? n_pairs : n, sizeof(*work));
	if (!work)
		return cc_err_set(err, CC_ENOMEM, "out of memory for %zu pairwise slopes", n_pairs);

	/* Theil–Sen: the median of the pairwise slopes (pairs at the same time have none) */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			double dy = y[j] - y[i];

			s += (dy > 0) - (dy < 0);
			if (t[j] != t[i])
				work[n_slopes++] = dy / (t[j] - t[i]);
		}
	if (n_slopes) {
		/* quickselect (reorders work): a heap sort of every slope costs 5 times more */
		out->slope = gsl_stats_median(work, 1, n_slopes);
		for (size_t i = 0; i < n; i++)
			work[i] = y[i] - out->slope * t[i];
		out->intercept = gsl_stats_median(work, 1, n);
	}

	/* Mann–Kendall: S and its variance, corrected for groups of tied values */
	memcpy(work, y, n * sizeof(*work));
	gsl_sort(work, 1, n);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && work[j] == work[i])
			j++;
		if (j - i > 1) {
			double g = (double)(j - i);

			out->ties = true;
			tie_sum += g * (g - 1) * (2 * g + 5);
		}
		i = j;
	}
	cc_free(work);
	out->s = s;
	out->var_s = ((double)n * (double)(n - 1) * (double)(2 * n + 5) - tie_sum) / 18.0;
	if (s > 0 && out->var_s > 0)
		out->z = (double)(s - 1) / sqrt(out->var_s);
	else if (s < 0 && out->var_s > 0)
		out->z = (double)(s + 1) / sqrt(out->var_s);
	else
		out->z = 0;
	if (n < CC_TREND_MIN_N)
		return 0;
	if (n < 10 && !out->ties) {
		out->p = cc_trend_exact_p(n, s);
		out->exact = true;
	} else if (n < 10) {
		/* exact over the arrangements of the tied values; the normal approximation (flagged)
		 * only if that fails for want of memory */
		out->p = cc_trend_exact_p_values(y, n, s);
		out->exact = !isnan(out->p);
		if (!out->exact) {
			out->p = 2 * gsl_cdf_ugaussian_Q(fabs(out->z));
			out->approximate = true;
		}
	} else {
		out->p = 2 * gsl_cdf_ugaussian_Q(fabs(out->z));
		out->approximate = n < 10;
	}
	if (out->p < alpha && s > 0)
		out->dir = CC_TREND_INCREASING;
	else if (out->p < alpha && s < 0)
		out->dir = CC_TREND_DECREASING;
	else
		out->dir = CC_TREND_NONE;
	return 0;
}
