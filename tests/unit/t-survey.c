/*
 * Survey statistics and the survey and feedback stores: DOMAIN's worked examples (weighted
 * proportion, Kish n_eff and design effect, Wilson interval, Likert index, Cronbach's alpha),
 * each interval checked against the closed formula computed here with GSL's quantile; all
 * weights zero and an empty wave refused with a reason; the change test against its formula;
 * the importer on hand-made Kobo-style files (answers, don't know and refused kept, personal
 * data apart, every bad row named by line and column, re-imports changing nothing); the real
 * Lyall, Blair & Imai survey (the excerpt always, the full file when the shared data are
 * there) against shares counted here straight from the CSV; feedback import, search, counts.
 */
#include <concord/alloc.h>
#include <concord/feedback.h>
#include <concord/import.h>
#include <concord/store.h>
#include <concord/survey.h>

#include <gsl/gsl_cdf.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "testdir.h"

#include "fixtures.h" /* after testdir.h, which it uses */

/* ---- independent formulas ---- */

static void wilson_ref(double p, double n, double *lo, double *hi)
{
	double z = gsl_cdf_ugaussian_Pinv(0.975), z2 = z * z;
	double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
	double half = z / (1 + z2 / n) * sqrt(p * (1 - p) / n + z2 / (4 * n * n));

	*lo = centre - half;
	*hi = centre + half;
}

TEST(domain_example_weighted_proportion)
{
	/* n = 400, sum w = 400, sum w^2 = 560: half the weights 1 + d, half 1 - d, d^2 = 0.4;
	   124 yes in each half gives p = 248/400 = 0.62 */
	double w[400], y[400], d = sqrt(0.4), lo, hi;
	struct cc_survey_prop p;
	struct cc_err err = { 0 };

	for (int i = 0; i < 400; i++) {
		w[i] = i < 200 ? 1 + d : 1 - d;
		y[i] = (i % 200) < 124 ? 1 : 0;
	}
	check_int(cc_survey_proportion(w, y, 400, 0, 0, &p, &err), ==, 0);
	check_dbl(p.sum_w, 400, 1e-9);
	check_dbl(p.sum_w2, 560, 1e-9);
	check_dbl(p.p, 0.62, 1e-12);
	check_dbl(p.deff, 1.40, 1e-9);
	check_dbl(p.n_eff, 285.714285714, 1e-6);
	check_dbl(p.lo, 0.5625, 5e-5);
	check_dbl(p.hi, 0.6743, 5e-5);
	wilson_ref(0.62, 400.0 / 1.4, &lo, &hi);
	check_dbl(p.lo, lo, 1e-12);
	check_dbl(p.hi, hi, 1e-12);
	check(!p.small);
	/* unadjusted n = 400 would give [0.5715, 0.6662] */
	check_int(cc_wilson(0.62, 400, 0.95, &lo, &hi, &err), ==, 0);
	check_dbl(lo, 0.5715, 5e-5);
	check_dbl(hi, 0.6662, 5e-5);
}

TEST(domain_small_check_and_kish)
{
	const double w[] = { 1, 1, 2, 2, 1, 3, 1, 1 }, y[] = { 1, 0, 1, 1, 0, 1, 0, 1 };
	struct cc_survey_prop p;
	double lo, hi;

	check_int(cc_survey_proportion(w, y, 8, 0, 0, &p, NULL), ==, 0);
	check_dbl(p.p, 9.0 / 12.0, 1e-12);
	check_dbl(p.deff, 8.0 * 22.0 / 144.0, 1e-12); /* 1.222 */
	check_dbl(p.deff, 1.222, 5e-4);
	check_dbl(p.n_eff, 144.0 / 22.0, 1e-12); /* 6.545 */
	check_dbl(cc_kish_neff(w, 8), 6.545, 5e-4);
	check(p.small); /* below 30 */
	check_int((long long)p.n_yes, ==, 5);
	wilson_ref(0.75, 144.0 / 22.0, &lo, &hi);
	check_dbl(p.lo, lo, 1e-12);
	check_dbl(p.hi, hi, 1e-12);
	check_dbl(cc_survey_z(0.95), 1.959964, 1e-6);
}

TEST(missing_answers_are_skipped_not_zero)
{
	const double w[] = { 1, 1, 5, 1 }, y[] = { 1, 0, NAN, 1 };
	struct cc_survey_prop p;

	check_int(cc_survey_proportion(w, y, 4, 0, 0, &p, NULL), ==, 0);
	check_int((long long)p.n, ==, 3);
	check_dbl(p.p, 2.0 / 3.0, 1e-12);
}

TEST(all_weights_zero_is_refused_with_a_reason)
{
	const double w[] = { 0, 0, 0 }, y[] = { 1, 0, 1 };
	struct cc_survey_prop p;
	struct cc_err err = { 0 };

	check_int(cc_survey_proportion(w, y, 3, 0, 0, &p, &err), ==, CC_EINVALID);
	check(isnan(p.p));
	check(strstr(err.msg, "weights are zero") != NULL);
	cc_err_clear(&err);
	check_int(cc_survey_proportion(w, y, 0, 0, 0, &p, &err), ==, CC_EINVALID);
	check_str(err.msg, "no answers");
	{
		const double bad_w[] = { 1, -2 };

		check_int(cc_survey_proportion(bad_w, y, 2, 0, 0, &p, NULL), ==, CC_EINVALID);
	}
}

TEST(domain_example_likert)
{
	/* counts 10/20/30/25/15 (n = 100) -> mean 3.15, index 53.75, top-two-box 40 % */
	double w[100], x[100], z = gsl_cdf_ugaussian_Pinv(0.975), ss = 0, se;
	const int counts[] = { 10, 20, 30, 25, 15 };
	struct cc_survey_likert l;
	int k = 0;

	for (int v = 1; v <= 5; v++)
		for (int c = 0; c < counts[v - 1]; c++) {
			w[k] = 1;
			x[k++] = v;
		}
	check_int(cc_survey_likert(w, x, 100, 5, false, 0, 0, &l, NULL), ==, 0);
	check_dbl(l.mean, 3.15, 1e-12);
	check_dbl(l.index, 53.75, 1e-9);
	check_dbl(l.top2.p, 0.40, 1e-12);
	for (int i = 0; i < 100; i++)
		ss += (x[i] - 3.15) * (x[i] - 3.15);
	se = sqrt(ss / 100) / sqrt(100);
	check_dbl(l.index_lo, (3.15 - z * se - 1) / 4 * 100, 1e-9);
	check_dbl(l.index_hi, (3.15 + z * se - 1) / 4 * 100, 1e-9);
	/* reverse-coded: 6 - x, mean 2.85, index 46.25, top two = the old bottom two (30 %) */
	check_int(cc_survey_likert(w, x, 100, 5, true, 0, 0, &l, NULL), ==, 0);
	check_dbl(l.mean, 2.85, 1e-12);
	check_dbl(l.index, 46.25, 1e-9);
	check_dbl(l.top2.p, 0.30, 1e-12);
	/* off the scale */
	x[0] = 6;
	check_int(cc_survey_likert(w, x, 100, 5, false, 0, 0, &l, NULL), ==, CC_EINVALID);
}

TEST(domain_example_cronbach_alpha)
{
	/* 5 respondents x 3 items, plus one with an item missing (dropped listwise) */
	const double x[] = { 4, 5, 4, 3, 3, 2, 5, 5, 5, 2, 3, 3, 4, 4, 3, 5, NAN, 4 };
	double var[3];
	struct cc_alpha a;
	struct cc_err err = { 0 };

	check_int(cc_cronbach_alpha(x, 6, 3, var, &a, &err), ==, 0);
	check_int((long long)a.n_used, ==, 5);
	check_int((long long)a.n_dropped, ==, 1);
	check_dbl(var[0], 1.3, 1e-12);
	check_dbl(var[1], 1.0, 1e-12);
	check_dbl(var[2], 1.3, 1e-12);
	check_dbl(a.total_var, 9.5, 1e-12);
	check_dbl(a.alpha, 1.5 * (1 - 3.6 / 9.5), 1e-12);
	check_dbl(a.alpha, 0.932, 5e-4);
	/* one item, or one complete respondent, is refused */
	check_int(cc_cronbach_alpha(x, 6, 1, NULL, &a, &err), ==, CC_EINVALID);
	check_int(cc_cronbach_alpha(x + 12, 2, 3, NULL, &a, &err), ==, CC_EINVALID);
}

TEST(change_test_against_its_formula)
{
	struct cc_survey_change c;
	double se1 = sqrt(0.75 * 0.25 / (144.0 / 22.0)), se2 = sqrt(0.6 * 0.4 / 100), z;

	check_int(cc_survey_ztest(0.75, se1, 0.6, se2, &c, NULL), ==, 0);
	z = (0.6 - 0.75) / sqrt(se1 * se1 + se2 * se2);
	check_dbl(c.diff, -0.15, 1e-12);
	check_dbl(c.z, z, 1e-12);
	check_dbl(c.p, 2 * gsl_cdf_ugaussian_P(-fabs(z)), 1e-12);
	check_int(cc_survey_ztest(0, 0, 1, 0, &c, NULL), ==, CC_EINVALID);
	check_int(cc_survey_ztest(NAN, 0.1, 0.5, 0.1, &c, NULL), ==, CC_EINVALID);
}

TEST(tabulate_cells_dont_know_and_an_empty_wave)
{
	const struct cc_survey_response r[] = {
		{ .cell = "w1", .code = "yes", .value = NAN, .weight = 1, .status = CC_ANSWERED },
		{ .cell = "w1", .code = "no", .value = NAN, .weight = 3, .status = CC_ANSWERED },
		{ .cell = "w1", .code = "dk", .value = NAN, .weight = 2, .status = CC_DONT_KNOW },
		{ .cell = "w1", .code = "ref", .value = NAN, .weight = 2, .status = CC_REFUSED },
		{ .cell = "w1", .code = "", .value = NAN, .weight = 9, .status = CC_MISSING },
		/* wave 2 was asked nothing: an empty wave */
		{ .cell = "w2", .code = "", .value = NAN, .weight = 1, .status = CC_MISSING },
		{ .cell = "w3", .code = "yes", .value = NAN, .weight = 0, .status = CC_ANSWERED },
	};
	struct cc_survey_table t;
	struct cc_err err = { 0 };

	check_int(
	        cc_survey_tabulate(r, 7, &(struct cc_survey_tab_opts){ .changes = true }, &t, &err),
	        ==, 0);
	check_int((long long)t.n_cells, ==, 3);
	check_int((long long)t.n_estimates, ==, 6); /* 3 cells x (no, yes) */
	check_str(t.cells[0].cell, "w1");
	check_int((long long)t.cells[0].n_dont_know, ==, 1);
	check_int((long long)t.cells[0].n_refused, ==, 1);
	check_int((long long)t.cells[0].n_missing, ==, 1);
	check_dbl(t.cells[0].dont_know_share, 2.0 / 8.0, 1e-12);
	check_dbl(t.cells[0].refused_share, 2.0 / 8.0, 1e-12);
	check_str(t.estimates[0].category, "no");
	check_dbl(t.estimates[0].prop.p, 0.75, 1e-12);
	check_str(t.estimates[1].category, "yes");
	check_dbl(t.estimates[1].prop.p, 0.25, 1e-12);
	/* the empty wave: no estimate, with the reason, and no change test */
	check_int((long long)t.cells[1].n_missing, ==, 1);
	check_str(t.estimates[2].note, "no answers");
	check(!t.estimates[2].has_change);
	check(t.estimates[2].change_note[0] != '\0');
	/* weights all zero: no estimate, the reason says so */
	check(strstr(t.estimates[5].note, "weights are zero") != NULL);
	cc_survey_table_release(&t);
}

TEST(tabulate_orders_numeric_codes_numerically)
{
	const struct cc_survey_response r[] = {
		{ .cell = "", .code = "10", .value = 10, .weight = 1, .status = CC_ANSWERED },
		{ .cell = "", .code = "9", .value = 9, .weight = 1, .status = CC_ANSWERED },
		{ .cell = "", .code = "", .value = 2, .weight = 2, .status = CC_ANSWERED },
	};
	struct cc_survey_table t;

	check_int(cc_survey_tabulate(r, 3, NULL, &t, NULL), ==, 0);
	check_int((long long)t.n_estimates, ==, 3);
	check_str(t.estimates[0].category, "2");
	check_str(t.estimates[1].category, "9");
	check_str(t.estimates[2].category, "10");
	check_dbl(t.estimates[0].prop.p, 0.5, 1e-12);
	cc_survey_table_release(&t);
}

/* ---- the store and the importer ---- */

static struct cc_import_opts opts(void)
{
	return (struct cc_import_opts){ .period_from = CC_DATE_NONE,
		                        .period_to = CC_DATE_NONE,
		                        .level = -1 };
}

struct rejects {
	char lines[16][256];
	int n;
};

static void on_reject(void *ctx, const struct cc_err *why)
{
	struct rejects *r = ctx;
	char buf[512];

	if (r->n < 16)
		snprintf(r->lines[r->n++], 256, "%s", cc_err_format(why, buf, sizeof(buf)));
}

static int import_survey_p(struct cc_store *st, const char *file, const char *wave,
                           const char *personal, struct cc_import_report *rep, struct rejects *rj)
{
	char path[512], rel[160], fs[512], fc[512];
	const char *forms[] = { data("tests/data/survey/form_survey.csv", fs),
		                data("tests/data/survey/form_choices.csv", fc), NULL };
	struct cc_import_opts o = opts();
	struct cc_survey_import_opts so = { .wave = wave,
		                            .weight_column = "wt",
		                            .area_columns = "province",
		                            .forms = forms,
		                            .personal = personal };
	struct cc_err err = { 0 };
	int ret;

	snprintf(rel, sizeof(rel), "tests/data/survey/%s", file);
	o.display_name = file;
	o.on_reject = on_reject;
	o.reject_ctx = rj;
	ret = cc_import_survey(st, data(rel, path), &o, &so, rep, &err);
	if (ret < 0 && ret != CC_ENOMEM) {
		char buf[512];

		printf("# %s\n", cc_err_format(&err, buf, sizeof(buf)));
	}
	return ret;
}

static int import_survey(struct cc_store *st, const char *file, const char *wave,
                         struct cc_import_report *rep, struct rejects *rj)
{
	return import_survey_p(st, file, wave, NULL, rep, rj);
}

static size_t find_est(const struct cc_survey_table *t, const char *cell, const char *cat)
{
	for (size_t i = 0; i < t->n_estimates; i++)
		if (!strcmp(t->cells[t->estimates[i].cell].cell, cell) &&
		    !strcmp(t->estimates[i].category, cat))
			return i;
	return (size_t)-1;
}

/* Loads a question and tabulates it by wave. */
static int table_by_wave(struct cc_store *st, int64_t mission, const char *q, int likert,
                         struct cc_survey_data *d, struct cc_survey_table *t)
{
	struct cc_survey_response *r;
	struct cc_err err = { 0 };
	int ret;

	ret = cc_store_load_survey(
	        st, &(struct cc_survey_query){ .mission_id = mission, .question = q, .level = -1 },
	        d, &err);
	if (ret < 0)
		return ret;
	r = calloc(d->n_rows + 1, sizeof(*r));
	for (size_t i = 0; i < d->n_rows; i++)
		r[i] = (struct cc_survey_response){ .cell = d->rows[i].wave,
			                            .code = d->rows[i].code,
			                            .value = d->rows[i].value,
			                            .weight = d->rows[i].weight,
			                            .status = d->rows[i].status };
	ret = cc_survey_tabulate(
	        r, d->n_rows, &(struct cc_survey_tab_opts){ .likert_k = likert, .changes = true },
	        t, &err);
	free(r);
	return ret;
}

TEST(import_hand_made_waves)
{
	int64_t mission = 0, nr, na, nf;
	struct cc_store *st = afg_fixture("hand.db", 0, NULL, NULL, &mission);
	struct cc_import_report rep;
	struct rejects rj = { .n = 0 };
	struct cc_survey_data d;
	struct cc_survey_table t;
	char before[65], after[65];
	size_t i;

	if (!st)
		return;
	check_int(import_survey_p(st, "wave1.csv", "2021-03", "name,phone", &rep, &rj), ==, 0);
	check_int((long long)rep.n_added, ==, 11);
	check_int((long long)rep.n_rejected, ==, 0);
	check_int(import_survey(st, "wave2.csv", "2021-09", &rep, &rj), ==, 0);
	check_int((long long)rep.n_added, ==, 100);
	/* 6 questions in wave 1 (province is the area; start, end, _uuid, _submission_time
	   bookkeeping; name and phone personal), 4 in wave 2 */
	check_int(cc_store_survey_counts(st, mission, &nr, &na, &nf, NULL), ==, 0);
	check_int(nr, ==, 111);
	check_int(na, ==, 11 * 3 + 100 * 3);

	/* re-importing changes nothing */
	check_int(cc_store_digest(st, before, NULL), ==, 0);
	check_int(import_survey_p(st, "wave1.csv", "2021-03", "name,phone", &rep, &rj), ==, 0);
	check(rep.same_file);
	check_int(cc_store_digest(st, after, NULL), ==, 0);
	check_str(after, before);

	/* q_safe by wave: the DOMAIN small check in wave 1 (dk, refused and NA kept apart) */
	check_int(table_by_wave(st, mission, "q_safe", 0, &d, &t), ==, 0);
	check_str(d.question.label, "Do you feel safe in your village?");
	check_int((long long)t.n_cells, ==, 2);
	i = find_est(&t, "2021-03", "yes");
	check(i != (size_t)-1);
	if (i != (size_t)-1) {
		check_dbl(t.estimates[i].prop.p, 0.75, 1e-12);
		check_dbl(t.estimates[i].prop.n_eff, 144.0 / 22.0, 1e-9);
	}
	check_int((long long)t.cells[0].n_dont_know, ==, 1);
	check_int((long long)t.cells[0].n_refused, ==, 1);
	check_int((long long)t.cells[0].n_missing, ==, 1);
	check_dbl(t.cells[0].dont_know_share, 2.0 / 15.0, 1e-12);
	i = find_est(&t, "2021-09", "yes");
	check(i != (size_t)-1);
	if (i != (size_t)-1) {
		double se1 = sqrt(0.75 * 0.25 / (144.0 / 22.0)), se2 = sqrt(0.6 * 0.4 / 100);
		double z = -0.15 / sqrt(se1 * se1 + se2 * se2);

		check_dbl(t.estimates[i].prop.p, 0.6, 1e-12);
		check(t.estimates[i].has_change);
		check_dbl(t.estimates[i].change.z, z, 1e-9);
		check_dbl(t.estimates[i].change.p, 2 * gsl_cdf_ugaussian_Q(fabs(z)), 1e-9);
	}
	cc_survey_table_release(&t);
	cc_survey_data_release(&d);

	/* q_trust: 98 is a choice labelled "Don't know": kept as such, never 98 or 0 */
	check_int(table_by_wave(st, mission, "q_trust", 5, &d, &t), ==, 0);
	for (i = 0; i < d.n_rows; i++)
		if (d.rows[i].status == CC_DONT_KNOW) {
			check_str(d.rows[i].code, "98");
			check(isnan(d.rows[i].value));
		}
	check_int((long long)t.cells[0].n_dont_know, ==, 1);
	check(t.cells[0].has_likert);
	check_dbl(t.cells[0].likert.mean, 47.0 / 12.0, 1e-12);
	check(t.cells[1].has_likert);
	check_dbl(t.cells[1].likert.mean, 3.15, 1e-12);
	check_dbl(t.cells[1].likert.index, 53.75, 1e-9);
	check_dbl(t.cells[1].likert.top2.p, 0.40, 1e-12);
	cc_survey_table_release(&t);
	cc_survey_data_release(&d);

	/* areas: "Logar" by name, the others by P-code; personal columns are no questions */
	{
		struct cc_survey_question q;

		check_int(cc_store_find_survey_question(st, mission, "name", &q, NULL), ==,
		          CC_ENOTFOUND);
		check_int(cc_store_find_survey_question(st, mission, "start", &q, NULL), ==,
		          CC_ENOTFOUND);
		check_int(cc_store_load_survey(st,
		                               &(struct cc_survey_query){ .mission_id = mission,
		                                                          .question = "age",
		                                                          .wave = "2021-03",
		                                                          .level = 1 },
		                               &d, NULL),
		          ==, 0);
		check_int((long long)d.n_rows, ==, 11);
		check_str(d.rows[8].area_cell, "AF05 Logar");
		check_str(d.rows[0].area_cell, "AF01 Kabul");
		check_int(d.rows[10].status, ==, CC_MISSING);
		cc_survey_data_release(&d);
		check_int(cc_store_load_survey(st,
		                               &(struct cc_survey_query){ .mission_id = mission,
		                                                          .question = "age",
		                                                          .wave = "2099",
		                                                          .level = -1 },
		                               &d, NULL),
		          ==, CC_ENOTFOUND);
	}
	cc_store_close(st);
}

TEST(bad_rows_are_named_and_stored_not)
{
	int64_t mission = 0, nr, na, nf;
	struct cc_store *st = afg_fixture("bad.db", 0, NULL, NULL, &mission);
	struct cc_import_report rep;
	struct rejects rj = { .n = 0 };
	static const char *const want[] = {
		"bad.csv:3: wt: weight '-1' is not a number >= 0",
		"bad.csv:4: province: unknown area 'Atlantis'",
		"bad.csv:5: q_safe: 'maybe' is not a choice of list 'yesno'",
		"bad.csv:6: age: 'thirty' is not a number",
		"bad.csv:7: _uuid: respondent 'b-01' repeats line 2",
		"bad.csv:8: wt: the weight is missing",
	};

	if (!st)
		return;
	check_int(import_survey(st, "bad.csv", "b", &rep, &rj), ==, 0);
	check_int((long long)rep.n_read, ==, 8);
	check_int((long long)rep.n_added, ==, 2);
	check_int((long long)rep.n_rejected, ==, 6);
	check_int(rj.n, ==, 6);
	for (int i = 0; i < 6 && i < rj.n; i++)
		if (!check(strncmp(rj.lines[i], want[i], strlen(want[i])) == 0))
			printf("# got '%s'\n", rj.lines[i]);
	check_int(cc_store_survey_counts(st, mission, &nr, &na, &nf, NULL), ==, 0);
	check_int(nr, ==, 2);
	check_int(na, ==, 2 * 3);
	cc_store_close(st);
}

TEST(all_weights_zero_in_a_stored_wave)
{
	int64_t mission = 0;
	struct cc_store *st = afg_fixture("zero.db", 0, NULL, NULL, &mission);
	struct cc_import_report rep;
	struct rejects rj = { .n = 0 };
	struct cc_survey_data d;
	struct cc_survey_table t;

	if (!st)
		return;
	check_int(import_survey(st, "zero_weights.csv", "z", &rep, &rj), ==, 0);
	check_int((long long)rep.n_added, ==, 3);
	if (!check_int(table_by_wave(st, mission, "q_safe", 0, &d, &t), ==, 0)) {
		cc_store_close(st);
		return;
	}
	check_int((long long)t.n_estimates, ==, 2);
	for (size_t i = 0; i < t.n_estimates; i++) {
		check(isnan(t.estimates[i].prop.p));
		check(strstr(t.estimates[i].note, "all 3 weights are zero") != NULL);
	}
	cc_survey_table_release(&t);
	cc_survey_data_release(&d);
	cc_store_close(st);
}

/* ---- the real survey ---- */

/* One CSV record of the Lyall file (quoted fields with commas), fields into f[11]. */
static int split(char *line, char *f[static 11])
{
	int n = 0;
	char *p = line;

	while (n < 11) {
		if (*p == '"') {
			f[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
			*p++ = '\0';
		} else {
			f[n++] = p;
			p += strcspn(p, ",\n");
		}
		if (*p == ',')
			*p++ = '\0';
		else
			break;
	}
	*p = '\0';
	return n;
}

struct prov {
	char name[32];
	int n, yes, na;
};

/* Shares of violent.exp.ISAF = 1 by province, counted straight from the file. */
static int count_lyall(const char *path, struct prov *pv, int *n_pv)
{
	FILE *fp = fopen(path, "r");
	char line[1024], *f[11];
	int rows = 0;

	*n_pv = 0;
	if (!fp)
		return -1;
	if (!fgets(line, sizeof(line), fp)) {
		fclose(fp);
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		int k;

		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || split(line, f) != 11)
			continue;
		rows++;
		for (k = 0; k < *n_pv && strcmp(pv[k].name, f[0]); k++)
			;
		if (k == *n_pv) {
			if (k == 8)
				break;
			memset(&pv[k], 0, sizeof(pv[k]));
			snprintf(pv[k].name, sizeof(pv[k].name), "%s", f[0]);
			(*n_pv)++;
		}
		if (!strcmp(f[7], "NA"))
			pv[k].na++;
		else {
			pv[k].n++;
			pv[k].yes += !strcmp(f[7], "1");
		}
	}
	fclose(fp);
	return rows;
}

static void check_lyall(const char *path, const char *name)
{
	int64_t mission = 0;
	struct cc_store *st = afg_fixture(name, 0, NULL, NULL, &mission);
	struct cc_import_opts o = opts();
	char map[512];
	struct cc_survey_import_opts so = {
		.area_columns = "province",
		.area_map = data("data/cases/afghanistan/adm1_code_map.csv", map),
	};
	/* the gazetteer spells Helmand "Hilmand"; the case's code map says so */
	static const struct {
		const char *province, *cell;
	} cells[] = {
		{ "Helmand", "AF30 Hilmand" }, { "Khost", "AF14 Khost" },
		{ "Kunar", "AF15 Kunar" },     { "Logar", "AF05 Logar" },
		{ "Uruzgan", "AF25 Uruzgan" },
	};
	struct cc_import_report rep;
	struct cc_survey_data d;
	struct cc_survey_table t;
	struct cc_survey_response *r;
	struct prov pv[8];
	struct cc_err err = { 0 };
	int n_pv, rows;

	if (!st)
		return;
	rows = count_lyall(path, pv, &n_pv);
	check_int(n_pv, ==, 5);
	check_int(cc_import_survey(st, path, &o, &so, &rep, &err), ==, 0);
	check_int((long long)rep.n_added, ==, rows);
	check_int((long long)rep.n_rejected, ==, 0);
	check_int(cc_store_load_survey(st,
	                               &(struct cc_survey_query){ .mission_id = mission,
	                                                          .question = "violent.exp.ISAF",
	                                                          .level = 1 },
	                               &d, &err),
	          ==, 0);
	check_int((long long)d.n_rows, ==, rows);
	r = calloc(d.n_rows + 1, sizeof(*r));
	for (size_t i = 0; i < d.n_rows; i++)
		r[i] = (struct cc_survey_response){ .cell = d.rows[i].area_cell,
			                            .code = d.rows[i].code,
			                            .value = d.rows[i].value,
			                            .weight = d.rows[i].weight,
			                            .status = d.rows[i].status };
	check_int(cc_survey_tabulate(r, d.n_rows, NULL, &t, &err), ==, 0);
	for (int k = 0; k < n_pv; k++) {
		const char *cell = NULL;
		size_t i;
		double p = (double)pv[k].yes / pv[k].n, lo, hi;

		for (size_t c = 0; c < sizeof(cells) / sizeof(cells[0]); c++)
			if (!strcmp(cells[c].province, pv[k].name))
				cell = cells[c].cell;
		if (!check(cell != NULL))
			continue;
		i = find_est(&t, cell, "1");
		if (!check(i != (size_t)-1))
			continue;
		check_int((long long)t.estimates[i].prop.n, ==, pv[k].n);
		check_int((long long)t.estimates[i].prop.n_yes, ==, pv[k].yes);
		check_dbl(t.estimates[i].prop.p, p, 1e-12);
		/* weights 1: n_eff = n and the interval is the plain Wilson one */
		wilson_ref(p, pv[k].n, &lo, &hi);
		check_dbl(t.estimates[i].prop.lo, lo, 1e-12);
		check_dbl(t.estimates[i].prop.hi, hi, 1e-12);
		check_int((long long)t.cells[t.estimates[i].cell].n_missing, ==, pv[k].na);
	}
	free(r);
	cc_survey_table_release(&t);
	cc_survey_data_release(&d);
	cc_store_close(st);
}

TEST(lyall_excerpt_against_a_direct_count)
{
	char path[512];

	check_lyall(data("tests/data/survey/lyall_excerpt.csv", path), "lyall_x.db");
}

TEST(lyall_full_file_against_a_direct_count)
{
	const char *shared = getenv("CC_SHARED_DATA");
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/surveys/afg_lyall_blair_imai_2013_survey.csv",
	         shared ? shared : "");
	if (!shared || !(f = fopen(path, "r"))) {
		skip_test("the shared data are not here");
		return;
	}
	fclose(f);
	check_lyall(path, "lyall_full.db");
}

TEST(alpha_from_stored_answers)
{
	int64_t mission = 0;
	struct cc_store *st = afg_fixture("alpha.db", 0, NULL, NULL, &mission);
	struct cc_import_opts o = opts();
	struct cc_survey_import_opts so = { .wave = "a", .id_column = "id" };
	struct cc_import_report rep;
	struct cc_survey_data d;
	struct cc_alpha a;
	char path[512];
	double x[3 * 6];
	const char *items[] = { "i1", "i2", "i3" };

	if (!st)
		return;
	check_int(cc_import_survey(st, data("tests/data/survey/alpha.csv", path), &o, &so, &rep,
	                           NULL),
	          ==, 0);
	for (int j = 0; j < 3; j++) {
		check_int(cc_store_load_survey(st,
		                               &(struct cc_survey_query){ .mission_id = mission,
		                                                          .question = items[j],
		                                                          .level = -1 },
		                               &d, NULL),
		          ==, 0);
		check_int((long long)d.n_rows, ==, 6);
		for (size_t r = 0; r < 6 && r < d.n_rows; r++)
			x[r * 3 + (size_t)j] =
			        d.rows[r].status == CC_ANSWERED ? d.rows[r].value : (double)NAN;
		cc_survey_data_release(&d);
	}
	check_int(cc_cronbach_alpha(x, 6, 3, NULL, &a, NULL), ==, 0);
	check_dbl(a.alpha, 1.5 * (1 - 3.6 / 9.5), 1e-12);
	check_int((long long)a.n_dropped, ==, 1);
	cc_store_close(st);
}

/* ---- feedback ---- */

TEST(feedback_import_search_counts)
{
	int64_t mission = 0;
	struct cc_store *st = afg_fixture("fb.db", 0, NULL, NULL, &mission);
	struct cc_import_opts o = opts();
	struct cc_import_report rep;
	struct rejects rj = { .n = 0 };
	struct cc_feedback *f;
	struct cc_feedback_count *c;
	size_t n;
	char path[512], before[65], after[65];

	if (!st)
		return;
	check_int(cc_import_feedback(st, data("tests/data/survey/feedback.csv", path), &o,
	                             "name,phone", &rep, NULL),
	          ==, 0);
	check_int((long long)rep.n_added, ==, 6);
	/* the same rows again under another source name: all unchanged */
	check_int(cc_store_digest(st, before, NULL), ==, 0);
	o.source = "again";
	check_int(cc_import_feedback(st, path, &o, "name,phone", &rep, NULL), ==, 0);
	check_int((long long)rep.n_unchanged, ==, 6);
	check_int((long long)rep.n_added, ==, 0);
	o.source = NULL;

	/* stemmed search: "frightening" finds "frighten"; "clinic" two items */
	check_int(cc_store_list_feedback(st,
	                                 &(struct cc_feedback_query){ .mission_id = mission,
	                                                              .from = CC_DATE_NONE,
	                                                              .to = CC_DATE_NONE,
	                                                              .words = "frightening" },
	                                 &f, &n, NULL),
	          ==, 0);
	check_int((long long)n, ==, 1);
	if (n)
		check_str(f[0].key, "fb-1");
	cc_free(f);
	check_int(cc_store_list_feedback(st,
	                                 &(struct cc_feedback_query){ .mission_id = mission,
	                                                              .from = CC_DATE_NONE,
	                                                              .to = CC_DATE_NONE,
	                                                              .words = "clinic" },
	                                 &f, &n, NULL),
	          ==, 0);
	check_int((long long)n, ==, 2);
	cc_free(f);

	/* counts by category x area x month, counted by hand from the file */
	check_int(cc_store_count_feedback(st,
	                                  &(struct cc_feedback_query){ .mission_id = mission,
	                                                               .from = CC_DATE_NONE,
	                                                               .to = CC_DATE_NONE },
	                                  &c, &n, NULL),
	          ==, 0);
	check_int((long long)n, ==, 6);
	if (n == 6) {
		check_str(c[0].category, "");
		check_str(c[0].month, "2021-03");
		check_str(c[1].category, "security");
		check_str(c[1].area, "AF01");
		check_str(c[1].month, "2021-02");
		check_int(c[1].n, ==, 1);
		check_str(c[2].area, "AF05"); /* "Logar" by name, February: fb-3 */
		check_str(c[2].month, "2021-02");
		check_int(c[2].negative, ==, 1);
		check_str(c[3].category, "security");
		check_str(c[3].month, "2021-03");
		check_int(c[3].negative, ==, 0);
	}
	cc_free(c);

	/* bad rows: line and field */
	check_int(cc_store_digest(st, before, NULL), ==, 0);
	o.on_reject = on_reject;
	o.reject_ctx = &rj;
	o.flags = CC_IMPORT_STRICT;
	o.display_name = "feedback_bad.csv";
	check_int(cc_import_feedback(st, data("tests/data/survey/feedback_bad.csv", path), &o, NULL,
	                             &rep, NULL),
	          ==, CC_EREJECTED);
	check_int(rj.n, ==, 4);
	if (rj.n == 4) {
		check(strncmp(rj.lines[0], "feedback_bad.csv:2: date: ", 26) == 0);
		check(strncmp(rj.lines[1], "feedback_bad.csv:3: sentiment: ", 31) == 0);
		check(strncmp(rj.lines[2], "feedback_bad.csv:4: text: ", 26) == 0);
		check(strncmp(rj.lines[3], "feedback_bad.csv:5: area: ", 26) == 0);
	}
	check_int(cc_store_digest(st, after, NULL), ==, 0);
	check_str(after, before);
	cc_store_close(st);
}

/* Every allocation of an import, a read and a tabulation failing in turn: CC_ENOMEM each time,
   nothing leaked (ASan), the store unchanged. */
TEST(allocation_failures)
{
	int64_t mission = 0;
	struct cc_store *st = afg_fixture("oom.db", 0, NULL, NULL, &mission);
	struct cc_import_report rep;
	struct rejects rj = { .n = 0 };
	struct cc_survey_data d;
	struct cc_survey_table t;
	char before[65], after[65];
	int ret = -1, n_fail = 0;

	if (!st)
		return;
	check_int(cc_store_digest(st, before, NULL), ==, 0);
	for (long n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = import_survey_p(st, "wave1.csv", "2021-03", "name,phone", &rep, &rj);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
		check_int(cc_store_digest(st, after, NULL), ==, 0);
		if (!check_str(after, before))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail > 3);
	check_int((long long)rep.n_added, ==, 11);

	n_fail = 0;
	for (long n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = table_by_wave(st, mission, "q_trust", 5, &d, &t);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		cc_survey_data_release(&d);
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail > 3);
	check_int((long long)t.n_cells, ==, 1);
	cc_survey_table_release(&t);
	cc_survey_data_release(&d);
	cc_store_close(st);
}

TEST(feedback_allocation_failures)
{
	int64_t mission = 0;
	struct cc_store *st = afg_fixture("fboom.db", 0, NULL, NULL, &mission);
	struct cc_import_opts o = opts();
	struct cc_import_report rep;
	struct cc_feedback *f = NULL;
	struct cc_feedback_count *c = NULL;
	char path[512], before[65], after[65];
	size_t n = 0;
	int ret = -1, n_fail = 0;

	if (!st)
		return;
	data("tests/data/survey/feedback.csv", path);
	check_int(cc_store_digest(st, before, NULL), ==, 0);
	for (long k = 0; k < 100000; k++) {
		cc_test_fail_alloc_after(k);
		ret = cc_import_feedback(st, path, &o, "name,phone", &rep, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
		check_int(cc_store_digest(st, after, NULL), ==, 0);
		if (!check_str(after, before))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail > 3);
	check_int((long long)rep.n_added, ==, 6);
	for (long k = 0; k < 100000; k++) {
		cc_test_fail_alloc_after(k);
		ret = cc_store_list_feedback(st,
		                             &(struct cc_feedback_query){ .mission_id = mission,
		                                                          .from = CC_DATE_NONE,
		                                                          .to = CC_DATE_NONE,
		                                                          .words = "clinic" },
		                             &f, &n, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM) || !check(f == NULL))
			break;
	}
	check_int((long long)n, ==, 2);
	cc_free(f);
	for (long k = 0; k < 100000; k++) {
		cc_test_fail_alloc_after(k);
		ret = cc_store_count_feedback(st,
		                              &(struct cc_feedback_query){ .mission_id = mission,
		                                                           .from = CC_DATE_NONE,
		                                                           .to = CC_DATE_NONE },
		                              &c, &n, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM) || !check(c == NULL))
			break;
	}
	check_int((long long)n, ==, 6);
	cc_free(c);
	cc_store_close(st);
}
