/*
 * Theil–Sen slope and Mann–Kendall test against the worked examples of DOMAIN.md §2.3–2.4 and
 * small cases counted by hand (or by enumerating permutations, as noted).
 */
#include <concord/alloc.h>
#include <concord/progress.h>

#include <math.h>

#include "tap.h"

/* Normal two-sided p from Z, independent of GSL: 2(1 − Φ(|z|)) = erfc(|z|/√2). */
static double normal_p(double z)
{
	return erfc(fabs(z) / sqrt(2.0));
}

TEST(domain_example_quarters)
{
	/* DOMAIN.md §2.3: t = 1..6, y = 10, 12, 11, 15, 16, 18 */
	const double t[] = { 1, 2, 3, 4, 5, 6 }, y[] = { 10, 12, 11, 15, 16, 18 };
	struct cc_trend tr;

	check_int(cc_trend_compute(t, y, 6, 0, &tr, NULL), ==, 0);
	check_int(tr.n, ==, 6);
	check_dbl(tr.slope, 1.5, 1e-12);      /* median of the 15 pairwise slopes */
	check_dbl(tr.intercept, 8.75, 1e-12); /* median of 8.5, 9, 6.5, 9, 8.5, 9 */
	check_int(tr.s, ==, 13);
	check_dbl(tr.var_s, 28.33, 0.005);    /* 6·5·17/18 */
	check_dbl(tr.z, 2.254, 0.0005);       /* 12/√28.33 */
	check_dbl(normal_p(tr.z), 0.0242, 0.00005);
	check(tr.exact);
	check(!tr.ties && !tr.approximate);
	check_dbl(tr.p, 12.0 / 720.0, 1e-12); /* 6 orderings with S ≥ 13, 6 with S ≤ −13 */
	check_int(tr.dir, ==, CC_TREND_INCREASING);
	check_str(cc_trend_dir_name(tr.dir), "increasing");
	/* §2.4: target 25 → t* = (25 − 8.75)/1.5 = 10.83 quarters */
	check_dbl((25 - tr.intercept) / tr.slope, 10.8333, 0.0001);
}

TEST(domain_example_n10_normal)
{
	/* DOMAIN.md §2.3: S = 33, Var = 10·9·25/18 = 125, Z = 32/√125 = 2.862, p = 0.0042 */
	const double t[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	const double y[] = { 52, 55, 51, 58, 60, 57, 63, 62, 66, 65 };
	struct cc_trend tr;

	check_int(cc_trend_compute(t, y, 10, 0.05, &tr, NULL), ==, 0);
	check_int(tr.s, ==, 33);
	check_dbl(tr.var_s, 125, 1e-9);
	check_dbl(tr.z, 2.862, 0.0005);
	check_dbl(tr.p, 0.0042, 0.00005);
	check(!tr.exact && !tr.approximate);
	check_int(tr.dir, ==, CC_TREND_INCREASING);
	/* with alpha 0.001 the same series has no clear trend */
	check_int(cc_trend_compute(t, y, 10, 0.001, &tr, NULL), ==, 0);
	check_int(tr.dir, ==, CC_TREND_NONE);
	check_str(cc_trend_dir_name(tr.dir), "no clear trend");
}

TEST(decreasing_is_the_mirror)
{
	const double t[] = { 1, 2, 3, 4, 5, 6 }, y[] = { 18, 16, 15, 11, 12, 10 };
	struct cc_trend tr;

	check_int(cc_trend_compute(t, y, 6, 0, &tr, NULL), ==, 0);
	check_int(tr.s, ==, -13);
	check_dbl(tr.slope, -1.5, 1e-12);
	check_dbl(tr.z, -2.254, 0.0005);
	check_dbl(tr.p, 12.0 / 720.0, 1e-12);
	check_int(tr.dir, ==, CC_TREND_DECREASING);
}

TEST(exact_p_by_mahonian_numbers)
{
	/* n = 4: only the sorted and reversed orderings reach |S| = 6 → 2/24 */
	check_dbl(cc_trend_exact_p(4, 6), 2.0 / 24.0, 1e-15);
	check_dbl(cc_trend_exact_p(4, -6), 2.0 / 24.0, 1e-15);
	check_dbl(cc_trend_exact_p(4, 0), 1.0, 1e-15);
	/* n = 8, y = 5,3,1,4,2,7,6,8: S = 12; enumerating 8! orderings gives 7212/40320 */
	check_dbl(cc_trend_exact_p(8, 12), 0.17886904761904762, 1e-15);
	check(isnan(cc_trend_exact_p(0, 0)));
	check(isnan(cc_trend_exact_p(13, 0)));
}

/*
 * Independent check of the exact p with ties: every one of the n! orderings of the values
 * (Heap's algorithm), S of each by the definition, share with |S'| >= |S|.
 */
static long s_of(const double *y, size_t n)
{
	long s = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			s += (y[j] > y[i]) - (y[j] < y[i]);
	return s;
}

static double brute_p(const double *y0, size_t n)
{
	double y[9];
	size_t c[9] = { 0 };
	long s = s_of(y0, n), hits = 0, total = 0;

	for (size_t i = 0; i < n; i++)
		y[i] = y0[i];
	hits += labs(s_of(y, n)) >= labs(s);
	total++;
	for (size_t i = 1; i < n;) {
		if (c[i] < i) {
			size_t k = i % 2 ? c[i] : 0;
			double tmp = y[k];

			y[k] = y[i];
			y[i] = tmp;
			hits += labs(s_of(y, n)) >= labs(s);
			total++;
			c[i]++;
			i = 1;
		} else {
			c[i++] = 0;
		}
	}
	return (double)hits / (double)total;
}

TEST(ties_get_the_exact_p)
{
	/* y = 1,2,2,3,4: S = 9; one pair tied: Var = (5·4·15 − 2·1·9)/18 = 15.667 */
	const double t[] = { 1, 2, 3, 4, 5 }, y[] = { 1, 2, 2, 3, 4 };
	struct cc_trend tr;

	check_int(cc_trend_compute(t, y, 5, 0, &tr, NULL), ==, 0);
	check_int(tr.s, ==, 9);
	check_dbl(tr.var_s, 15.6667, 0.0001);
	check(tr.ties && tr.exact && !tr.approximate);
	check_dbl(tr.z, 8 / sqrt(282.0 / 18.0), 1e-12);
	/* by hand: 5!/2! = 60 distinct arrangements; only the ascending (S = 9) and the descending
	 * (S = −9) reach |S| = 9, so p = 2/60 (the normal approximation would say 0.04326) */
	check_dbl(tr.p, 2.0 / 60.0, 1e-15);
	check_dbl(normal_p(tr.z), 0.04326, 0.00001);
	check_int(tr.dir, ==, CC_TREND_INCREASING);
	/* slopes sorted: 0, .5, .5, .667, .667, .75, 1, 1, 1, 1 → (0.6667 + 0.75)/2 */
	check_dbl(tr.slope, (2.0 / 3.0 + 0.75) / 2, 1e-12);
}

TEST(exact_p_with_ties_by_hand)
{
	/* y = 1,1,2,2: S = 4 (the four pairs across the groups). Arrangements 4!/(2!2!) = 6:
	 * 1122 (S 4), 1212 (2), 1221 (0), 2112 (0), 2121 (−2), 2211 (−4) → |S| >= 4: 2/6,
	 * |S| >= 2: 4/6, |S| >= 0: 1 */
	const double y[] = { 1, 1, 2, 2 };

	check_dbl(cc_trend_exact_p_values(y, 4, 4), 2.0 / 6.0, 1e-15);
	check_dbl(cc_trend_exact_p_values(y, 4, -2), 4.0 / 6.0, 1e-15);
	check_dbl(cc_trend_exact_p_values(y, 4, 0), 1.0, 1e-15);
	/* all tied: one arrangement, S = 0 */
	check_dbl(cc_trend_exact_p_values((const double[]){ 3, 3, 3, 3 }, 4, 0), 1.0, 1e-15);
	/* untied values agree with the Mahonian count */
	check_dbl(cc_trend_exact_p_values((const double[]){ 5, 3, 1, 4, 2, 7, 6, 8 }, 8, 12),
	          cc_trend_exact_p(8, 12), 1e-15);
	check(isnan(cc_trend_exact_p_values(y, 0, 0)));
	check(isnan(cc_trend_exact_p_values((const double[]){ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10, 0)));
}

TEST(exact_p_with_ties_against_every_ordering)
{
	/* three series with several groups of ties, n = 6..9, checked against all n! orderings */
	const double a[] = { 3, 1, 3, 2, 5, 5 };
	const double b[] = { 2, 2, 1, 4, 4, 4, 3, 6 };
	const double c[] = { 10, 12, 12, 11, 15, 15, 15, 18, 12 };
	const double *ys[] = { a, b, c };
	const size_t ns[] = { 6, 8, 9 };

	for (size_t k = 0; k < 3; k++) {
		double t[9];
		struct cc_trend tr;

		for (size_t i = 0; i < ns[k]; i++)
			t[i] = (double)i;
		check_int(cc_trend_compute(t, ys[k], ns[k], 0, &tr, NULL), ==, 0);
		check(tr.exact && tr.ties);
		check_int(tr.s, ==, s_of(ys[k], ns[k]));
		check_dbl(tr.p, brute_p(ys[k], ns[k]), 1e-12);
	}
	{
		/* tie-corrected variance by hand for b: groups 2 (×2) and 4 (×3):
		 * (8·7·21 − 2·1·9 − 3·2·11)/18 = (1176 − 18 − 66)/18 = 60.667 */
		const double t[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
		struct cc_trend tr;

		check_int(cc_trend_compute(t, b, 8, 0, &tr, NULL), ==, 0);
		check_dbl(tr.var_s, 1092.0 / 18.0, 1e-12);
	}
}

TEST(fewer_than_four_points_give_no_verdict)
{
	const double t[] = { 1, 2, 3 }, y[] = { 1, 5, 9 };
	struct cc_trend tr;

	check_int(cc_trend_compute(t, y, 3, 0, &tr, NULL), ==, 0);
	check_int(tr.dir, ==, CC_TREND_TOO_FEW);
	check(isnan(tr.p));
	check_dbl(tr.slope, 4, 1e-12); /* the slope is still there to show */
	check_int(cc_trend_compute(t, y, 0, 0, &tr, NULL), ==, 0);
	check(isnan(tr.slope));
}

TEST(bad_input)
{
	const double t[] = { 1, 2, 3, 4 }, y[] = { 1, (double)NAN, 3, 4 };
	struct cc_trend tr;
	struct cc_err err = { 0 };

	check_int(cc_trend_compute(t, y, 4, 0, &tr, &err), ==, CC_EINVALID);
	check_int(cc_trend_compute(t, y, CC_TREND_MAX_N + 1, 0, &tr, &err), ==, CC_ETOOBIG);
}

TEST(allocation_failure)
{
	const double t[] = { 1, 2, 3, 4, 5, 6 }, y[] = { 10, 12, 11, 15, 16, 18 };
	struct cc_trend tr;
	long n;
	int ret = -1;

	for (n = 0; n < 100; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_trend_compute(t, y, 6, 0, &tr, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
	}
	check_int(ret, ==, 0);
	check_int(n, ==, 1); /* one work array */
	check_dbl(tr.slope, 1.5, 1e-12);
}
