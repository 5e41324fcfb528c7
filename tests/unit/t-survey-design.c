/*
 * Survey design: the variance of a share linearised by cluster (villages as primary units),
 * worked by hand on small cases, and select_multiple answers reported per choice.
 */
#include <concord/alloc.h>
#include <concord/survey.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

static void wilson_ref(double p, double n, double *lo, double *hi)
{
	double z = 1.959963984540054, z2 = z * z;
	double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
	double half = z / (1 + z2 / n) * sqrt(p * (1 - p) / n + z2 / (4 * n * n));

	*lo = centre - half;
	*hi = centre + half;
}

TEST(clustered_share_by_hand)
{
	/* clusters A: 1, 1; B: 1, 0; C: 0, 0; weights 1. p = 3/6 = 0.5.
	 * z_i = (y_i − 0.5)/6: cluster totals A 1/6, B 0, C −1/6; Σ Z_c² = 2/36;
	 * Var = 3/2 · 2/36 = 1/12; n_eff = 0.25 / (1/12) = 3; deff = 6/3 = 2;
	 * m = 2, deff_kish = 1 → ICC = (2/1 − 1)/(2 − 1) = 1 */
	const double w[] = { 1, 1, 1, 1, 1, 1 }, y[] = { 1, 1, 1, 0, 0, 0 };
	const size_t cl[] = { 0, 0, 1, 1, 2, 2 };
	struct cc_survey_prop p;
	double lo, hi;

	check_int(cc_survey_proportion_cl(w, y, cl, 3, 6, 0, 0, &p, NULL), ==, 0);
	check_dbl(p.p, 0.5, 1e-15);
	check_int(p.n_clusters, ==, 3);
	check_dbl(p.n_eff, 3, 1e-12);
	check_dbl(p.deff, 2, 1e-12);
	check_dbl(p.deff_kish, 1, 1e-12);
	check_dbl(p.icc, 1, 1e-12);
	check(p.small);
	wilson_ref(0.5, 3, &lo, &hi);
	check_dbl(p.lo, lo, 1e-12);
	check_dbl(p.hi, hi, 1e-12);
	/* the same answers without clusters: n_eff 6 */
	check_int(cc_survey_proportion_cl(w, y, NULL, 0, 6, 0, 0, &p, NULL), ==, 0);
	check_dbl(p.n_eff, 6, 1e-12);
	check_int(p.n_clusters, ==, 0);
}

TEST(clustered_share_with_weights_and_a_missing_answer)
{
	/* clusters A: (w 2, y 1), (w 1, y 0); B: (w 1, y 1), (w 1, missing); C: (w 3, y 0).
	 * Σw = 7 over the answers, p = 3/7. z: A 2(4/7)/7 + 1(−3/7)/7 = 5/49; B (4/7)/7 = 4/49;
	 * C 3(−3/7)/7 = −9/49; Σ Z² = (25 + 16 + 81)/2401 = 122/2401; Var = 3/2 · 122/2401;
	 * n_eff = p(1 − p)/Var = (12/49)/(183/2401) = 588/183 = 3.2131…; n = 4, deff = 4/n_eff;
	 * deff_kish = 4 · 15/49 = 60/49; m = 4/3 */
	const double w[] = { 2, 1, 1, 1, 3 }, y[] = { 1, 0, 1, (double)NAN, 0 };
	const size_t cl[] = { 0, 0, 1, 1, 2 };
	struct cc_survey_prop p;
	double n_eff = 588.0 / 183.0, deff = 4 / n_eff, dk = 60.0 / 49.0;

	check_int(cc_survey_proportion_cl(w, y, cl, 3, 5, 0, 0, &p, NULL), ==, 0);
	check_dbl(p.p, 3.0 / 7.0, 1e-15);
	check_int(p.n, ==, 4);
	check_int(p.n_clusters, ==, 3);
	check_dbl(p.n_eff, n_eff, 1e-12);
	check_dbl(p.deff, deff, 1e-12);
	check_dbl(p.deff_kish, dk, 1e-12);
	check_dbl(p.icc, (deff / dk - 1) / (4.0 / 3.0 - 1), 1e-12);
}

TEST(degenerate_clusters_keep_kish)
{
	const double w[] = { 1, 1, 1, 1 }, y1[] = { 1, 1, 1, 1 }, y[] = { 1, 0, 1, 0 };
	const size_t one[] = { 0, 0, 0, 0 }, bad[] = { 0, 1, 2, 9 };
	struct cc_survey_prop p;
	struct cc_err err = { 0 };

	/* p = 1: no variance to linearise */
	check_int(cc_survey_proportion_cl(w, y1, one, 1, 4, 0, 0, &p, NULL), ==, 0);
	check_dbl(p.n_eff, 4, 1e-12);
	/* one cluster: cannot estimate between-cluster variance */
	check_int(cc_survey_proportion_cl(w, y, one, 1, 4, 0, 0, &p, NULL), ==, 0);
	check_int(p.n_clusters, ==, 1);
	check_dbl(p.n_eff, 4, 1e-12);
	check(isnan(p.icc));
	check_int(cc_survey_proportion_cl(w, y, bad, 3, 4, 0, 0, &p, &err), ==, CC_EINVALID);
}

TEST(tabulate_clustered_and_alone)
{
	/* the by-hand case through the table: a respondent without a cluster is one alone */
	const char *cl[] = { "A", "A", "B", "B", "C", "C" };
	struct cc_survey_response r[6];
	struct cc_survey_table t;
	const char *none[6] = { NULL, "", NULL, NULL, NULL, NULL };
	struct cc_survey_tab_opts o = { .clusters = cl };

	for (size_t i = 0; i < 6; i++)
		r[i] = (struct cc_survey_response){ .cell = "all", .code = i < 3 ? "yes" : "no",
			                            .value = (double)NAN, .weight = 1,
			                            .status = CC_ANSWERED };
	check_int(cc_survey_tabulate(r, 6, &o, &t, NULL), ==, 0);
	check_int(t.n_estimates, ==, 2);
	check_str(t.estimates[1].category, "yes");
	check_dbl(t.estimates[1].prop.n_eff, 3, 1e-12);
	check_int(t.estimates[1].prop.n_clusters, ==, 3);
	cc_survey_table_release(&t);
	/* without clusters every respondent is alone: Var = 6/5 Σ ((y − .5)/6)² = 6/5 · 6/144
	 * = 1/20, n_eff = 0.25 · 20 = 5 (the with-replacement factor n/(n − 1)) */
	o.clusters = none;
	check_int(cc_survey_tabulate(r, 6, &o, &t, NULL), ==, 0);
	check_dbl(t.estimates[1].prop.n_eff, 5, 1e-12);
	check_int(t.estimates[1].prop.n_clusters, ==, 6);
	cc_survey_table_release(&t);
}

TEST(select_multiple_per_choice)
{
	/* "a b" (w 1), "a" (w 2), "c" (w 1), "b c" (w 1), don't know (w 1). Substantive Σw = 5:
	 * a 3/5, b 2/5, c 2/5; n_eff = 25/(1 + 4 + 1 + 1) = 25/7 */
	const char *codes[] = { "a b", "a", "c", "b  c", "" };
	const double w[] = { 1, 2, 1, 1, 1 };
	struct cc_survey_response r[5];
	struct cc_survey_table t;
	struct cc_survey_tab_opts o = { .multiple = true };
	double lo, hi;

	for (size_t i = 0; i < 5; i++)
		r[i] = (struct cc_survey_response){ .cell = "all", .code = codes[i],
			                            .value = (double)NAN, .weight = w[i],
			                            .status = i == 4 ? CC_DONT_KNOW : CC_ANSWERED };
	check_int(cc_survey_tabulate(r, 5, &o, &t, NULL), ==, 0);
	check_int(t.n_estimates, ==, 3);
	check_str(t.estimates[0].category, "a");
	check_str(t.estimates[1].category, "b");
	check_str(t.estimates[2].category, "c");
	check_dbl(t.estimates[0].prop.p, 0.6, 1e-15);
	check_dbl(t.estimates[1].prop.p, 0.4, 1e-15);
	check_dbl(t.estimates[2].prop.p, 0.4, 1e-15);
	check_int(t.estimates[0].prop.n_yes, ==, 2);
	check_int(t.estimates[0].prop.n, ==, 4);
	check_dbl(t.estimates[0].prop.n_eff, 25.0 / 7.0, 1e-12);
	wilson_ref(0.4, 25.0 / 7.0, &lo, &hi);
	check_dbl(t.estimates[2].prop.lo, lo, 1e-12);
	check_int(t.cells[0].n_dont_know, ==, 1);
	cc_survey_table_release(&t);
	/* the same answers as select_one: "a b" is one category of its own */
	o.multiple = false;
	check_int(cc_survey_tabulate(r, 5, &o, &t, NULL), ==, 0);
	check_int(t.n_estimates, ==, 4);
	cc_survey_table_release(&t);
}

TEST(allocation_failure)
{
	const char *codes[] = { "a b", "a", "c", "b c" };
	const char *cl[] = { "v1", "v1", "v2", "v3" };
	struct cc_survey_response r[4];
	struct cc_survey_table t;
	struct cc_survey_tab_opts o = { .multiple = true, .clusters = cl };
	int ret = -1;
	long n;

	for (size_t i = 0; i < 4; i++)
		r[i] = (struct cc_survey_response){ .cell = "all", .code = codes[i],
			                            .value = (double)NAN, .weight = 1,
			                            .status = CC_ANSWERED };
	for (n = 0; n < 200; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_survey_tabulate(r, 4, &o, &t, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
	}
	check_int(ret, ==, 0);
	check_int(t.n_estimates, ==, 3);
	cc_survey_table_release(&t);
}
