/*
 * Theil–Sen slope and Mann–Kendall trend test (DOMAIN.md §2.3).
 *
 * The exact null distribution of S for n untied values comes from the Mahonian numbers: the
 * count of orderings of n items with k inversions, c_n(k) = Σ_{j=0}^{min(k, n−1)} c_{n−1}(k−j),
 * and S = M − 2k with M = n(n − 1)/2.
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
