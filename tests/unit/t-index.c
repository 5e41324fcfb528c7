/*
 * Composite indices (DOMAIN.md §2.5, §2.6 worked examples), ranks, the weight sensitivity table
 * checked against a brute-force recomputation written here, stage rules, and the definition
 * file reader (YAML and JSON).
 */
#include <concord/alloc.h>
#include <concord/index.h>

#include <math.h>
#include <stdint.h>

#include "tap.h"

#define ITEM(code_, pillar_, w_, lo_, hi_, up_)                                                   \
	{                                                                                         \
		.code = code_, .pillar = pillar_, .weight = w_, .goal_min = lo_, .goal_max = hi_, \
		.higher_is_better = up_, .in_index = true                                         \
	}

TEST(domain_normalisation_example)
{
	/* §2.5: goalposts 20 and 90, value 62 → 0.600 higher better, 0.400 lower better */
	check_dbl(cc_index_normalise(62, 20, 90, true), 0.6, 1e-12);
	check_dbl(cc_index_normalise(62, 20, 90, false), 0.4, 1e-12);
	/* clamped to [0, 1] */
	check_dbl(cc_index_normalise(100, 20, 90, true), 1, 0);
	check_dbl(cc_index_normalise(10, 20, 90, true), 0, 0);
	check_dbl(cc_index_normalise(10, 20, 90, false), 1, 0);
	/* goalposts not min < max, or no value: no score */
	check(isnan(cc_index_normalise(50, 90, 20, true)));
	check(isnan(cc_index_normalise(50, 20, 20, true)));
	check(isnan(cc_index_normalise((double)NAN, 20, 90, true)));
}

TEST(domain_composite_examples)
{
	/* §2.6: x' = 0.6, 0.8, 0.3 */
	double x[] = { 0.6, 0.8, 0.3 }, eq[] = { 1, 1, 1 }, w[] = { 0.5, 0.25, 0.25 }, v;
	bool fl = true;

	check_int(cc_index_composite(x, eq, 3, CC_INDEX_ARITHMETIC, 0, &v, &fl, NULL), ==, 0);
	check_dbl(v, 0.567, 0.0005);
	check_dbl(v, 1.7 / 3, 1e-12);
	check(!fl);
	check_int(cc_index_composite(x, eq, 3, CC_INDEX_GEOMETRIC, 0, &v, &fl, NULL), ==, 0);
	check_dbl(v, 0.524, 0.0005);
	check_dbl(v, cbrt(0.6 * 0.8 * 0.3), 1e-12);
	check(!fl);
	check_int(cc_index_composite(x, w, 3, CC_INDEX_ARITHMETIC, 0, &v, NULL, NULL), ==, 0);
	check_dbl(v, 0.575, 1e-12);
	check_int(cc_index_composite(x, w, 3, CC_INDEX_GEOMETRIC, 0, &v, NULL, NULL), ==, 0);
	check_dbl(v, 0.542, 0.0005);
	check_dbl(v, exp(0.5 * log(0.6) + 0.25 * log(0.8) + 0.25 * log(0.3)), 1e-12);
	/* weights that do not sum to 1 are divided by their sum: 2, 1, 1 is 0.5, 0.25, 0.25 */
	double w2[] = { 2, 1, 1 };
	check_int(cc_index_composite(x, w2, 3, CC_INDEX_GEOMETRIC, 0, &v, NULL, NULL), ==, 0);
	check_dbl(v, exp(0.5 * log(0.6) + 0.25 * log(0.8) + 0.25 * log(0.3)), 1e-12);
}

TEST(geometric_zero_component_is_floored)
{
	/* rule: inputs below ε (0.01) are raised to ε and flagged: √(0.01 · 0.8) */
	double x[] = { 0, 0.8 }, w[] = { 1, 1 }, v;
	bool fl = false;

	check_int(cc_index_composite(x, w, 2, CC_INDEX_GEOMETRIC, 0, &v, &fl, NULL), ==, 0);
	check_dbl(v, sqrt(0.01 * 0.8), 1e-12);
	check(fl);
	/* another ε */
	check_int(cc_index_composite(x, w, 2, CC_INDEX_GEOMETRIC, 0.05, &v, &fl, NULL), ==, 0);
	check_dbl(v, sqrt(0.05 * 0.8), 1e-12);
	/* arithmetic needs no floor */
	check_int(cc_index_composite(x, w, 2, CC_INDEX_ARITHMETIC, 0, &v, &fl, NULL), ==, 0);
	check_dbl(v, 0.4, 1e-12);
	check(!fl);
}

TEST(all_weights_zero_refused)
{
	double x[] = { 0.5, 0.7 }, w[] = { 0, 0 }, v = -1, raw[] = { 50, 70 };
	struct cc_err err = { 0 };
	struct cc_index_item items[] = {
		ITEM("S1", "security", 0, 0, 100, true),
		ITEM("G1", "governance", 0, 0, 100, true),
	};
	struct cc_index_pillar_weight pw[] = { { "security", 0, 3 }, { "governance", 0, 4 } };
	struct cc_index_result r;

	check_int(cc_index_composite(x, w, 2, CC_INDEX_ARITHMETIC, 0, &v, NULL, &err), ==,
	          CC_EINVALID);
	check(strstr(err.msg, "all weights are zero") != NULL);
	check_dbl(v, -1, 0); /* untouched */
	/* through the index: a pillar whose weights are all zero */
	check_int(cc_index_compute(&(struct cc_index_spec){ .items = items, .n_items = 2 }, raw, 1,
	                           &r, &err),
	          ==, CC_EINVALID);
	check(strstr(err.msg, "all weights of pillar 'security' are zero") != NULL);
	/* and all pillar weights zero */
	items[0].weight = items[1].weight = 1;
	check_int(cc_index_compute(
	                  &(struct cc_index_spec){
	                          .items = items, .n_items = 2, .pillars = pw, .n_pillars = 2 },
	                  raw, 1, &r, &err),
	          ==, CC_EINVALID);
	check(strstr(err.msg, "all pillar weights are zero") != NULL);
	/* a negative weight, goalposts missing */
	items[0].weight = -1;
	check_int(cc_index_compute(&(struct cc_index_spec){ .items = items, .n_items = 2 }, raw, 1,
	                           &r, &err),
	          ==, CC_EINVALID);
	items[0].weight = 1;
	items[1].goal_max = (double)NAN;
	check_int(cc_index_compute(&(struct cc_index_spec){ .items = items, .n_items = 2 }, raw, 1,
	                           &r, &err),
	          ==, CC_EINVALID);
	check(strstr(err.msg, "'G1' has no goalposts") != NULL);
}

TEST(ranks_share_ties)
{
	double s[] = { 0.5, 0.7, 0.5, (double)NAN, 0.2 };
	int r[5];

	cc_index_rank(s, 5, r);
	check_int(r[0], ==, 2);
	check_int(r[1], ==, 1);
	check_int(r[2], ==, 2);
	check_int(r[3], ==, 0);
	check_int(r[4], ==, 4);
}

/*
 * Three units, S1 and S2 (security, weights 3 and 1), G1 (governance, lower is better),
 * pillars weighted 0.6 security, 0.4 governance.
 *	unit 0: S1 60 → 0.6, S2 20 → 0.2 (goalposts 0..100), G1 30 → (50−30)/50 = 0.4 (0..50)
 *	        security = 0.75·0.6 + 0.25·0.2 = 0.5; overall = 0.6·0.5 + 0.4·0.4 = 0.46
 *	unit 1: S1 80 → 0.8, S2 missing, G1 10 → 0.8
 *	        exclude: no security score, no overall; reweight: security = 0.8, overall 0.8
 *	unit 2: S1 100 → 1, S2 100 → 1, G1 50 → 0: security 1, governance 0, overall 0.6
 */
TEST(pillar_and_overall_scores_missing_rules)
{
	struct cc_index_item items[] = {
		ITEM("S1", "security", 3, 0, 100, true),
		ITEM("S2", "security", 1, 0, 100, true),
		ITEM("G1", "governance", 1, 0, 50, false),
	};
	struct cc_index_pillar_weight pw[] = { { "security", 0.6, 0 }, { "governance", 0.4, 0 } };
	double raw[] = { 60, 20, 30, 80, (double)NAN, 10, 100, 100, 50 };
	struct cc_index_spec s = {
		.items = items, .n_items = 3, .pillars = pw, .n_pillars = 2, .sensitivity = -1
	};
	struct cc_index_result r;
	struct cc_err err = { 0 };

	check_int(cc_index_compute(&s, raw, 3, &r, &err), ==, 0);
	check_int(r.n_pillars, ==, 2);
	check_str(r.pillar_names[0], "security");
	check_dbl(r.item_w[0], 0.75, 1e-12);
	check_dbl(r.item_w[1], 0.25, 1e-12);
	check_dbl(r.item_w[2], 1, 1e-12);
	check_dbl(r.norm[2], 0.4, 1e-12);
	check_dbl(r.pillar[0], 0.5, 1e-12);
	check_dbl(r.pillar[1], 0.4, 1e-12);
	check_dbl(r.overall[0], 0.46, 1e-12);
	check(isnan(r.pillar[2]));
	check_dbl(r.pillar[3], 0.8, 1e-12);
	check(isnan(r.overall[1]));
	check_dbl(r.overall[2], 0.6, 1e-12);
	check_int(r.rank[0], ==, 2);
	check_int(r.rank[1], ==, 0);
	check_int(r.rank[2], ==, 1);
	check_int(r.n_sens, ==, 0);
	cc_index_result_release(&r);

	s.reweight_missing = true;
	check_int(cc_index_compute(&s, raw, 3, &r, &err), ==, 0);
	check_dbl(r.pillar[2], 0.8, 1e-12);
	check_dbl(r.overall[1], 0.6 * 0.8 + 0.4 * 0.8, 1e-12);
	check_int(r.rank[1], ==, 1);
	check_int(r.rank[2], ==, 2);
	check_int(r.rank[0], ==, 3);
	cc_index_result_release(&r);

	/* geometric with unit 2's governance 0: floored to 0.01 and flagged */
	s.reweight_missing = false;
	s.method = s.overall_method = CC_INDEX_GEOMETRIC;
	check_int(cc_index_compute(&s, raw, 3, &r, &err), ==, 0);
	check_dbl(r.pillar[0], pow(0.6, 0.75) * pow(0.2, 0.25), 1e-12);
	check_dbl(r.pillar[5], 0.01, 1e-12);
	check(r.floored[5]);
	check(!r.floored[0]);
	check_dbl(r.overall[2], pow(1, 0.6) * pow(0.01, 0.4), 1e-12);
	cc_index_result_release(&r);
}

/* ---- sensitivity against a brute-force recomputation ---- */

/* A second, plain implementation: the overall score of unit u under weights iw, pw (raw). */
static double brute_overall(const double *norm, size_t u, size_t ni, const size_t *grp,
                            const double *iw, const double *pw, size_t np, bool geo)
{
	double ov = 0, pwsum = 0;

	for (size_t p = 0; p < np; p++)
		pwsum += pw[p];
	for (size_t p = 0; p < np; p++) {
		double sc = 0, wsum = 0;

		for (size_t i = 0; i < ni; i++)
			if (grp[i] == p)
				wsum += iw[i];
		for (size_t i = 0; i < ni; i++) {
			double x = norm[u * ni + i];

			if (grp[i] != p)
				continue;
			if (geo)
				sc += iw[i] / wsum * log(x < 0.01 ? 0.01 : x);
			else
				sc += iw[i] / wsum * x;
		}
		if (geo)
			sc = exp(sc);
		if (geo)
			ov += pw[p] / pwsum * log(sc < 0.01 ? 0.01 : sc);
		else
			ov += pw[p] / pwsum * sc;
	}
	return geo ? exp(ov) : ov;
}

/* Rank by sorting a copy: 1 + the number of strictly better scores. */
static int brute_rank(const double *ov, size_t n, size_t u)
{
	int r = 1;

	for (size_t v = 0; v < n; v++)
		if (ov[v] > ov[u] + 1e-12)
			r++;
	return r;
}

static void check_sensitivity(bool geo, size_t *n_changed_total)
{
	enum { NU = 7, NI = 5, NP = 2 };
	struct cc_index_item items[NI] = {
		ITEM("S1", "security", 2, 0, 100, true),
		ITEM("S2", "security", 1, 0, 100, false),
		ITEM("S3", "security", 1, 0, 100, true),
		ITEM("G1", "governance", 1, 0, 100, true),
		ITEM("G2", "governance", 3, 0, 100, true),
	};
	struct cc_index_pillar_weight pw[NP] = { { "security", 0.5, 0 }, { "governance", 0.5, 0 } };
	const size_t grp[NI] = { 0, 0, 0, 1, 1 };
	double raw[NU * NI], iw[NI], pws[NP], ov[NU];
	struct cc_index_result r;
	struct cc_err err = { 0 };
	uint32_t seed = 12345;

	/* close scores so that ±20 % moves ranks; a fixed linear congruential sequence */
	for (size_t k = 0; k < NU * NI; k++) {
		seed = seed * 1103515245u + 12345u;
		raw[k] = 30 + (double)((seed >> 16) % 4000) / 100.0;
	}
	check_int(cc_index_compute(&(struct cc_index_spec){ .items = items,
	                                                    .n_items = NI,
	                                                    .pillars = pw,
	                                                    .n_pillars = NP,
	                                                    .method = geo,
	                                                    .overall_method = geo },
	                           raw, NU, &r, &err),
	          ==, 0);
	check_int(r.n_sens, ==, 2 * (NI + NP));
	for (size_t k = 0; k < r.n_sens; k++) {
		const struct cc_index_sens *s = &r.sens[k];
		size_t changed = 0;
		int max_shift = 0;

		for (size_t i = 0; i < NI; i++)
			iw[i] = items[i].weight;
		for (size_t p = 0; p < NP; p++)
			pws[p] = pw[p].weight;
		if (s->pillar)
			pws[s->which] *= s->factor;
		else
			iw[s->which] *= s->factor;
		check(fabs(s->factor - 0.8) < 1e-12 || fabs(s->factor - 1.2) < 1e-12);
		for (size_t u = 0; u < NU; u++)
			ov[u] = brute_overall(r.norm, u, NI, grp, iw, pws, NP, geo);
		for (size_t u = 0; u < NU; u++) {
			int br = brute_rank(ov, NU, u), base = r.rank[u]; /* checked below */

			check_int(s->rank[u], ==, br);
			if (br != base)
				changed++;
			if (abs(br - base) > max_shift)
				max_shift = abs(br - base);
		}
		check_int(s->n_changed, ==, changed);
		check_int(s->max_shift, ==, max_shift);
		*n_changed_total += changed;
	}
	/* the base ranks, brute force */
	for (size_t i = 0; i < NI; i++)
		iw[i] = items[i].weight;
	for (size_t p = 0; p < NP; p++)
		pws[p] = pw[p].weight;
	for (size_t u = 0; u < NU; u++)
		ov[u] = brute_overall(r.norm, u, NI, grp, iw, pws, NP, geo);
	for (size_t u = 0; u < NU; u++) {
		check_dbl(r.overall[u], ov[u], 1e-12);
		check_int(r.rank[u], ==, brute_rank(ov, NU, u));
	}
	cc_index_result_release(&r);
}

TEST(sensitivity_matches_brute_force)
{
	size_t changed = 0;

	check_sensitivity(false, &changed);
	check_sensitivity(true, &changed);
	check(changed > 0); /* the case does move ranks, so the comparison means something */
}

TEST(sensitivity_hand_case)
{
	/* u0: security 0.9, governance 0.3 → 0.6; u1: 0.3, 0.85 → 0.575. Governance × 1.2:
	   weights 0.5, 0.6 → /1.1: u0 = (0.45 + 0.18)/1.1 = 0.5727, u1 = (0.15 + 0.51)/1.1 = 0.6:
	   they swap. Governance × 0.8: u0 still first. */
	struct cc_index_item items[] = {
		ITEM("S1", "security", 1, 0, 1, true),
		ITEM("G1", "governance", 1, 0, 1, true),
	};
	double raw[] = { 0.9, 0.3, 0.3, 0.85 };
	struct cc_index_result r;
	const struct cc_index_sens *up = NULL, *down = NULL;

	check_int(cc_index_compute(&(struct cc_index_spec){ .items = items, .n_items = 2 }, raw, 2,
	                           &r, NULL),
	          ==, 0);
	check_int(r.rank[0], ==, 1);
	check_int(r.rank[1], ==, 2);
	for (size_t k = 0; k < r.n_sens; k++)
		if (r.sens[k].pillar && r.sens[k].which == 1)
			*(r.sens[k].factor > 1 ? &up : &down) = &r.sens[k];
	if (check(up && down)) {
		check_int(up->rank[0], ==, 2);
		check_int(up->rank[1], ==, 1);
		check_int(up->n_changed, ==, 2);
		check_int(up->max_shift, ==, 1);
		check_int(down->n_changed, ==, 0);
	}
	cc_index_result_release(&r);
}

/* ---- stages ---- */

TEST(stage_rules_name_the_deciding_rule)
{
	struct cc_index_item items[] = {
		ITEM("S1", "security", 1, 0, 100, true),
		ITEM("G1", "governance", 1, 0, 100, true),
		{ .code = "X", .goal_min = (double)NAN, .goal_max = (double)NAN },
	};
	struct cc_stage_rule rules[2] = {
		{ .name = "R1",
		  .stage = CC_STAGE_SELF_SUSTAINING,
		  .n_conds = 2,
		  .conds = { { .kind = CC_OPERAND_OVERALL, .op = CC_OP_GE, .value = 0.7 },
		             { .kind = CC_OPERAND_VALUE,
		               .name = "X",
		               .op = CC_OP_LE,
		               .value = 10 } } },
		{ .name = "R2",
		  .stage = CC_STAGE_ASSISTED,
		  .any = true,
		  .n_conds = 2,
		  .conds = { { .kind = CC_OPERAND_PILLAR,
		               .name = "security",
		               .op = CC_OP_GE,
		               .value = 0.5 },
		             { .kind = CC_OPERAND_SCORE,
		               .name = "G1",
		               .op = CC_OP_GE,
		               .value = 0.8 } } },
	};
	/* S1, G1, X per unit; overall = (S1 + G1)/200 */
	double raw[] = {
		90, 70, 5,           /* 0: overall 0.8, X 5: R1 true → self-sustaining */
		90, 70, 20,          /* 1: R1 false (X); R2 security 0.9 → assisted */
		20, 40, 5,           /* 2: overall 0.3: R1 false; R2 0.2, 0.4 false → default */
		90, 70, (double)NAN, /* 3: R1 overall true, X unknown → undetermined by R1 */
		20, 40, (double)NAN, /* 4: R1 false (false wins over unknown); R2 false → default */
		20, 90, (double)NAN, /* 5: overall 0.55: R1 false; R2 score G1 0.9 → assisted */
	};
	struct cc_index_spec s = { .items = items,
		                   .n_items = 3,
		                   .rules = rules,
		                   .n_rules = 2,
		                   .default_stage = CC_STAGE_IMPOSED };
	struct cc_index_result r;
	struct cc_err err = { 0 };

	check_int(cc_index_compute(&s, raw, 6, &r, &err), ==, 0);
	if (!check(r.stages != NULL))
		return;
	check_int(r.stages[0].stage, ==, CC_STAGE_SELF_SUSTAINING);
	check_int(r.stages[0].rule, ==, 0);
	check_int(r.stages[1].stage, ==, CC_STAGE_ASSISTED);
	check_int(r.stages[1].rule, ==, 1);
	check_int(r.stages[2].stage, ==, CC_STAGE_IMPOSED);
	check_int(r.stages[2].rule, ==, -1);
	check_int(r.stages[3].stage, ==, CC_STAGE_NONE);
	check(r.stages[3].undetermined);
	check_int(r.stages[3].rule, ==, 0);
	check_str(r.stages[3].missing, "X");
	check_int(r.stages[4].stage, ==, CC_STAGE_IMPOSED);
	check_int(r.stages[4].rule, ==, -1);
	check_int(r.stages[5].stage, ==, CC_STAGE_ASSISTED);
	check_int(r.stages[5].rule, ==, 1);
	check_str(cc_stage_name(r.stages[0].stage), "self-sustaining peace");
	/* X is not in the index: it does not make a pillar or count as missing */
	check_int(r.n_pillars, ==, 2);
	check_dbl(r.overall[3], 0.8, 1e-12);
	cc_index_result_release(&r);

	/* a rule naming an unknown operand is refused */
	snprintf(rules[1].conds[0].name, sizeof(rules[1].conds[0].name), "economy");
	rules[1].line = 17;
	check_int(cc_index_compute(&s, raw, 6, &r, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "unknown pillar 'pillar:economy'") != NULL);
	check_int(err.line, ==, 17);
}

/* ---- the definition file ---- */

static const char yaml_def[] = "name: Test index\n"
                               "method: geometric\n"
                               "overall_method: arithmetic\n"
                               "epsilon: 0.02\n"
                               "missing: reweight\n"
                               "level: 2\n"
                               "indicators:\n"
                               "  - code: SEC-INC\n"
                               "    weight: 2\n"
                               "    goalposts: [0, 60]\n"
                               "  - code: LIT-F\n"
                               "    pillar: governance\n"
                               "pillars:\n"
                               "  security: 0.6\n"
                               "  governance: 0.4\n"
                               "stages:\n"
                               "  default: imposed stability\n"
                               "  rules:\n"
                               "    - name: sustained\n"
                               "      stage: self-sustaining peace\n"
                               "      all: [\"overall >= 0.7\", \"SEC-INC <= 10\"]\n"
                               "    - stage: assisted\n"
                               "      any: pillar:security>=0.5\n";

static const char json_def[] =
        "{\"name\": \"Test index\", \"method\": \"geometric\", \"overall_method\": \"arithmetic\","
        " \"epsilon\": 0.02, \"missing\": \"reweight\", \"level\": 2,"
        " \"indicators\": [{\"code\": \"SEC-INC\", \"weight\": 2, \"goalposts\": [0, 60]},"
        "                 {\"code\": \"LIT-F\", \"pillar\": \"governance\"}],"
        " \"pillars\": {\"security\": 0.6, \"governance\": 0.4},"
        " \"stages\": {\"default\": \"imposed stability\", \"rules\": ["
        "   {\"name\": \"sustained\", \"stage\": \"self-sustaining peace\","
        "    \"all\": [\"overall >= 0.7\", \"SEC-INC <= 10\"]},"
        "   {\"stage\": \"assisted\", \"any\": \"pillar:security>=0.5\"}]}}";

static void check_def(const struct cc_index_config *c)
{
	check_str(c->name, "Test index");
	check_int(c->method, ==, CC_INDEX_GEOMETRIC);
	check_int(c->overall_method, ==, CC_INDEX_ARITHMETIC);
	check_dbl(c->epsilon, 0.02, 0);
	check(c->reweight_missing);
	check_int(c->level, ==, 2);
	if (check_int(c->n_items, ==, 2)) {
		check_str(c->items[0].code, "SEC-INC");
		check_dbl(c->items[0].weight, 2, 0);
		check_dbl(c->items[0].goal_min, 0, 0);
		check_dbl(c->items[0].goal_max, 60, 0);
		check_str(c->items[1].code, "LIT-F");
		check_dbl(c->items[1].weight, 1, 0); /* default */
		check(isnan(c->items[1].goal_min));  /* from the indicator */
		check_str(c->items[1].pillar, "governance");
	}
	if (check_int(c->n_pillars, ==, 2)) {
		check_str(c->pillars[1].pillar, "governance");
		check_dbl(c->pillars[1].weight, 0.4, 0);
	}
	check_int(c->default_stage, ==, CC_STAGE_IMPOSED);
	if (check_int(c->n_rules, ==, 2)) {
		check_str(c->rules[0].name, "sustained");
		check_int(c->rules[0].stage, ==, CC_STAGE_SELF_SUSTAINING);
		check(!c->rules[0].any);
		check_int(c->rules[0].n_conds, ==, 2);
		check_int(c->rules[0].conds[0].kind, ==, CC_OPERAND_OVERALL);
		check_int(c->rules[0].conds[1].kind, ==, CC_OPERAND_VALUE);
		check_str(c->rules[0].conds[1].name, "SEC-INC");
		check_int(c->rules[0].conds[1].op, ==, CC_OP_LE);
		check_dbl(c->rules[0].conds[1].value, 10, 0);
		check_str(c->rules[0].text, "overall >= 0.7 and SEC-INC <= 10");
		check_str(c->rules[1].name, "rule 2");
		check(c->rules[1].any);
		check_int(c->rules[1].conds[0].kind, ==, CC_OPERAND_PILLAR);
		check_str(c->rules[1].conds[0].name, "security");
		check_int(c->rules[1].conds[0].op, ==, CC_OP_GE);
		check_dbl(c->rules[1].conds[0].value, 0.5, 0);
	}
}

TEST(definition_yaml_and_json_agree)
{
	struct cc_index_config c;
	struct cc_err err = { 0 };

	check_int(cc_index_config_parse(yaml_def, strlen(yaml_def), "t.yaml", &c, &err), ==, 0);
	check_def(&c);
	check_int(c.items[1].line, ==, 11);
	check_int(c.rules[1].line, ==, 22);
	cc_index_config_release(&c);
	check_int(cc_index_config_parse(json_def, strlen(json_def), "t.json", &c, &err), ==, 0);
	check_def(&c);
	cc_index_config_release(&c);
}

static void bad_def(const char *text, const char *msg, long line, const char *field)
{
	struct cc_index_config c;
	struct cc_err err = { 0 };
	int ret = cc_index_config_parse(text, strlen(text), "bad.yaml", &c, &err);

	check_int(ret, <, 0);
	if (!check(strstr(err.msg, msg) != NULL))
		printf("# got '%s'\n", err.msg);
	check_str(err.file, "bad.yaml");
	check_int(err.line, ==, line);
	if (field)
		check_str(err.field, field);
	check_int(c.n_items, ==, 0);
}

TEST(definition_errors_name_line_and_field)
{
	bad_def("indicators:\n  - code: A\n    wieght: 2\n", "unknown key 'wieght'", 3, "wieght");
	bad_def("indicators:\n  - code: A\n    weight: heavy\n", "'heavy' is not a number", 3,
	        "weight");
	bad_def("indicators:\n  - code: A\n    weight: -1\n", "weight must be >= 0", 3, "weight");
	bad_def("indicators:\n  - code: A\n    goalposts: [5, 5]\n", "min < max", 3, "goalposts");
	bad_def("method: harmonic\nindicators:\n  - code: A\n", "unknown method 'harmonic'", 1,
	        "method");
	bad_def("indicators:\n  - code: A\n  - code: A\n", "listed twice", 3, "code");
	bad_def("indicators:\n  - weight: 1\n", "needs a code", 2, "code");
	bad_def("indicators:\n  - code: A\npillars:\n  securty: 1\n", "unknown pillar 'securty'", 4,
	        "pillars");
	bad_def("indicators:\n  - code: A\nstages:\n  rules:\n    - stage: peace\n"
	        "      all: [\"A < 1\"]\n",
	        "unknown stage 'peace'", 5, "stage");
	bad_def("indicators:\n  - code: A\nstages:\n  rules:\n    - stage: assisted\n"
	        "      all: [\"A about 1\"]\n",
	        "no operator", 6, "condition");
	bad_def("indicators:\n  - code: A\nstages:\n  rules:\n    - stage: assisted\n"
	        "      all: [\"A < lots\"]\n",
	        "'lots' is not a number", 6, "condition");
	bad_def("indicators:\n  - code: A\nstages:\n  rules:\n    - stage: assisted\n",
	        "has no conditions", 5, "all");
	bad_def("name: x\n", "lists no indicators", 1, "indicators");
	bad_def("indicators: [\n", "malformed YAML", 2, NULL);
	bad_def("- a\n- b\n", "a mapping of keys", 1, NULL);
}

TEST(definition_allocation_failures)
{
	struct cc_index_config c;
	long n;
	int ret = -1;

	for (n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_index_config_parse(yaml_def, strlen(yaml_def), "t.yaml", &c, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
	}
	check_int(ret, ==, 0);
	check_def(&c);
	cc_index_config_release(&c);
}

TEST(compute_allocation_failures)
{
	struct cc_index_item items[] = {
		ITEM("S1", "security", 1, 0, 1, true),
		ITEM("G1", "governance", 1, 0, 1, true),
	};
	double raw[] = { 0.9, 0.3, 0.3, 0.85 };
	struct cc_index_result r;
	long n;
	int ret = -1;

	for (n = 0; n < 10000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_index_compute(&(struct cc_index_spec){ .items = items, .n_items = 2 }, raw,
		                       2, &r, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
		check(r.rank == NULL);
	}
	check_int(ret, ==, 0);
	check_dbl(r.overall[0], 0.6, 1e-12);
	cc_index_result_release(&r);
}
