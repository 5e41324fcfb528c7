/*
 * Roll-ups to parent areas by each aggregation rule, on a small tree whose answers are worked
 * out by hand in the comments:
 *
 *	AFG (pop 1000)
 *	├── AF01 (pop 600)   AF0101 (400), AF0102 (200), AF0103 (population unknown)
 *	├── AF02 (pop 300)   AF0201 (300)
 *	└── AF03 (unknown)   AF0301 (unknown)
 */
#include <concord/alloc.h>
#include <concord/rollup.h>

#include <math.h>
#include <stdint.h>

#include "tap.h"

static int32_t day(const char *s)
{
	int32_t d = CC_DATE_NONE;

	if (cc_date_parse(s, &d, NULL) < 0)
		printf("# bad date %s\n", s);
	return d;
}

static const struct cc_area areas[] = {
	{ .id = 1, .pcode = "AFG", .name = "Afghanistan", .level = 0, .population = 1000 },
	{ .id = 2, .pcode = "AF01", .level = 1, .parent_id = 1, .population = 600 },
	{ .id = 3, .pcode = "AF02", .level = 1, .parent_id = 1, .population = 300 },
	{ .id = 8, .pcode = "AF03", .level = 1, .parent_id = 1, .population = -1 },
	{ .id = 4, .pcode = "AF0101", .level = 2, .parent_id = 2, .population = 400 },
	{ .id = 5, .pcode = "AF0102", .level = 2, .parent_id = 2, .population = 200 },
	{ .id = 6, .pcode = "AF0103", .level = 2, .parent_id = 2, .population = -1 },
	{ .id = 7, .pcode = "AF0201", .level = 2, .parent_id = 3, .population = 300 },
	{ .id = 9, .pcode = "AF0301", .level = 2, .parent_id = 8, .population = -1 },
};
#define N_AREAS (sizeof(areas) / sizeof(areas[0]))

static struct cc_indicator inds[] = {
	{ .code = "A-SUM", .aggregation = CC_AGG_SUM },
	{ .code = "B-MEAN", .aggregation = CC_AGG_MEAN },
	{ .code = "C-PWM", .aggregation = CC_AGG_POP_WEIGHTED_MEAN },
	{ .code = "D-MAX", .aggregation = CC_AGG_MAX },
	{ .code = "E-LAT", .aggregation = CC_AGG_LATEST },
};

#define OB(c_, a_, s_, d_, v_)                                                             \
	{                                                                                  \
		.indicator = c_, .area = a_, .sex = s_, .period_end = day(d_), .value = v_ \
	}

static struct cc_observation obs[40];
static size_t n_obs;

/* Sorted as the store returns them: indicator, area P-code, sex, age group, date. */
static void build(void)
{
	const struct cc_observation o[] = {
		OB("A-SUM", "", "", "2024-02-29", 999), /* the whole mission: not rolled */
		OB("A-SUM", "AF0101", "", "2024-01-31", 10),
		OB("A-SUM", "AF0101", "", "2024-02-29", 12),
		OB("A-SUM", "AF0101", "female", "2024-02-29", 6),
		OB("A-SUM", "AF0102", "", "2024-02-29", 5),
		OB("A-SUM", "AF0103", "", "2024-02-29", (double)NAN), /* reported missing */
		OB("A-SUM", "AF0201", "", "2024-03-31", 7),
		OB("A-SUM", "AF0201", "female", "2024-03-31", 3),
		OB("B-MEAN", "AF01", "", "2024-03-31", 100), /* AF01's own figure */
		OB("B-MEAN", "AF0101", "", "2024-03-31", 4),
		OB("B-MEAN", "AF0102", "", "2024-03-31", 8),
		OB("B-MEAN", "AF0201", "", "2024-03-31", 6),
		OB("C-PWM", "AF0101", "", "2024-03-31", 50),
		OB("C-PWM", "AF0102", "", "2024-03-31", 80),
		OB("C-PWM", "AF0103", "", "2024-03-31", 20),
		OB("C-PWM", "AF0201", "", "2024-03-31", 30),
		OB("C-PWM", "AF0301", "", "2024-03-31", 90),
		OB("D-MAX", "AF0101", "", "2024-03-31", 3),
		OB("D-MAX", "AF0102", "", "2024-03-31", 9),
		OB("D-MAX", "AF0201", "", "2024-03-31", 9),
		OB("E-LAT", "AF0101", "", "2024-03-31", 1),
		OB("E-LAT", "AF0102", "", "2024-05-31", 2),
		OB("E-LAT", "AF0201", "", "2024-04-30", 3),
	};

	n_obs = sizeof(o) / sizeof(o[0]);
	memcpy(obs, o, sizeof(o));
}

static struct cc_indicator_data data(void)
{
	build();
	return (struct cc_indicator_data){ .indicators = inds,
		                           .n_indicators = sizeof(inds) / sizeof(inds[0]),
		                           .observations = obs,
		                           .n_observations = n_obs };
}

static const struct cc_rollup_result *find(const struct cc_rollup *r, const char *code,
                                           const char *pcode, const char *sex)
{
	for (size_t i = 0; i < r->n_results; i++) {
		const struct cc_rollup_result *x = &r->results[i];

		if (!strcmp(inds[x->indicator].code, code) &&
		    !strcmp(areas[x->area].pcode, pcode) && !strcmp(x->sex, sex))
			return x;
	}
	return NULL;
}

/* The P-codes of a list joined by spaces, for check_str. */
static const char *list(const size_t *l, size_t n)
{
	static char buf[256];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "",
		                        areas[l[i]].pcode);
	return buf;
}

static const char *src(const struct cc_rollup_result *x)
{
	return x->source == SIZE_MAX ? "" : areas[x->source].pcode;
}

static int compute(int level, int32_t at, struct cc_rollup *r)
{
	struct cc_indicator_data d = data();
	struct cc_err err = { 0 };
	int ret = cc_rollup_compute(&d, areas, N_AREAS,
	                            &(struct cc_rollup_opts){ .level = level, .at = at }, r, &err);

	if (ret < 0)
		printf("# %s\n", err.msg);
	return ret;
}

TEST(sum_with_missing_children)
{
	struct cc_rollup r;
	const struct cc_rollup_result *x;

	check_int(compute(1, CC_DATE_NONE, &r), ==, 0);
	/* AF01 = 12 (AF0101's latest) + 5 = 17; AF0103's only value is missing: listed */
	x = find(&r, "A-SUM", "AF01", "");
	if (check(x != NULL)) {
		check_int(x->how, ==, CC_ROLLUP_ROLLED);
		check_dbl(x->value, 17, 1e-12);
		check_int(x->n_used, ==, 2);
		check_int(x->n_children, ==, 3);
		check_str(list(x->missing, x->n_missing), "AF0103");
		check_int(x->date_min, ==, day("2024-02-29"));
		check_int(x->date_max, ==, day("2024-02-29"));
	}
	x = find(&r, "A-SUM", "AF02", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 7, 1e-12);
		check_int(x->n_missing, ==, 0);
	}
	/* AF03 has no value at all: no result at its level (its parent lists it) */
	check(find(&r, "A-SUM", "AF03", "") == NULL);
	/* level 1 only: no AFG, no districts */
	check(find(&r, "A-SUM", "AFG", "") == NULL);
	check(find(&r, "A-SUM", "AF0101", "") == NULL);
	cc_rollup_release(&r);

	check_int(compute(0, CC_DATE_NONE, &r), ==, 0);
	/* AFG = 17 + 7 = 24; missing: AF0103 (under AF01) and AF03 */
	x = find(&r, "A-SUM", "AFG", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 24, 1e-12);
		check_int(x->n_used, ==, 2);
		check_int(x->n_children, ==, 3);
		check_str(list(x->missing, x->n_missing), "AF0103 AF03");
		check_int(x->date_min, ==, day("2024-02-29"));
		check_int(x->date_max, ==, day("2024-03-31"));
	}
	cc_rollup_release(&r);
}

TEST(as_of_date)
{
	struct cc_rollup r;
	const struct cc_rollup_result *x;

	/* on 2024-01-31 only AF0101's first value (10) exists */
	check_int(compute(1, day("2024-01-31"), &r), ==, 0);
	x = find(&r, "A-SUM", "AF01", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 10, 1e-12);
		check_str(list(x->missing, x->n_missing), "AF0102 AF0103");
	}
	check(find(&r, "A-SUM", "AF02", "") == NULL);
	cc_rollup_release(&r);
}

TEST(mean_own_value_wins)
{
	struct cc_rollup r;
	const struct cc_rollup_result *x;

	check_int(compute(-1, CC_DATE_NONE, &r), ==, 0);
	/* AF01 has its own 100: observed, its children (mean 6) do not count */
	x = find(&r, "B-MEAN", "AF01", "");
	if (check(x != NULL)) {
		check_int(x->how, ==, CC_ROLLUP_OBSERVED);
		check_dbl(x->value, 100, 1e-12);
		check_int(x->n_missing, ==, 0);
	}
	x = find(&r, "B-MEAN", "AF02", "");
	if (check(x != NULL))
		check_dbl(x->value, 6, 1e-12);
	/* AFG = mean(100, 6) = 53; AF03 missing; AF0103 not (AF01 was observed) */
	x = find(&r, "B-MEAN", "AFG", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 53, 1e-12);
		check_str(list(x->missing, x->n_missing), "AF03");
	}
	/* level -1: districts appear with their own values */
	x = find(&r, "B-MEAN", "AF0102", "");
	if (check(x != NULL))
		check_dbl(x->value, 8, 1e-12);
	cc_rollup_release(&r);
}

TEST(population_weighted_mean_with_missing_population)
{
	struct cc_rollup r;
	const struct cc_rollup_result *x;

	check_int(compute(-1, CC_DATE_NONE, &r), ==, 0);
	/* AF01 = (400·50 + 200·80)/600 = 60; AF0103 (20) has no population: left out, listed */
	x = find(&r, "C-PWM", "AF01", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 60, 1e-12);
		check_int(x->n_used, ==, 2);
		check_int(x->n_missing, ==, 0);
		check_str(list(x->no_population, x->n_no_population), "AF0103");
	}
	/* AF03's only child has no population: no value, and the reason */
	x = find(&r, "C-PWM", "AF03", "");
	if (check(x != NULL)) {
		check_int(x->how, ==, CC_ROLLUP_NONE);
		check(isnan(x->value));
		check_str(list(x->no_population, x->n_no_population), "AF0301");
	}
	/* AFG = (600·60 + 300·30)/900 = 50; AF03 has no value; AF0103 left out below AF01 */
	x = find(&r, "C-PWM", "AFG", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 50, 1e-12);
		check_str(list(x->missing, x->n_missing), "AF03");
		check_str(list(x->no_population, x->n_no_population), "AF0103");
	}
	cc_rollup_release(&r);
}

TEST(max_and_latest)
{
	struct cc_rollup r;
	const struct cc_rollup_result *x;

	check_int(compute(-1, CC_DATE_NONE, &r), ==, 0);
	x = find(&r, "D-MAX", "AF01", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 9, 1e-12);
		check_str(src(x), "AF0102");
	}
	/* 9 in AF01 and 9 in AF02: the tie goes to the first P-code */
	x = find(&r, "D-MAX", "AFG", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 9, 1e-12);
		check_str(src(x), "AF01");
		check_str(list(x->missing, x->n_missing), "AF0103 AF03");
	}
	/* latest: AF0102's 2 of 2024-05-31 beats AF0101's 1 of 2024-03-31 */
	x = find(&r, "E-LAT", "AF01", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 2, 1e-12);
		check_str(src(x), "AF0102");
		check_int(x->date_min, ==, day("2024-03-31"));
		check_int(x->date_max, ==, day("2024-05-31"));
	}
	/* AF01 (latest 2024-05-31) beats AF02 (2024-04-30) */
	x = find(&r, "E-LAT", "AFG", "");
	if (check(x != NULL)) {
		check_dbl(x->value, 2, 1e-12);
		check_str(src(x), "AF01");
		check_int(x->date_max, ==, day("2024-05-31"));
	}
	cc_rollup_release(&r);
}

TEST(disaggregation_carried_through)
{
	struct cc_rollup r;
	const struct cc_rollup_result *x;

	check_int(compute(0, CC_DATE_NONE, &r), ==, 0);
	/* female: 6 (AF0101) + 3 (AF0201) = 9, AF0102, AF0103 and AF03 missing */
	x = find(&r, "A-SUM", "AFG", "female");
	if (check(x != NULL)) {
		check_dbl(x->value, 9, 1e-12);
		check_str(list(x->missing, x->n_missing), "AF0102 AF0103 AF03");
	}
	/* the total is still 24: female values never enter it */
	x = find(&r, "A-SUM", "AFG", "");
	if (check(x != NULL))
		check_dbl(x->value, 24, 1e-12);
	cc_rollup_release(&r);
}

TEST(bad_input)
{
	struct cc_indicator_data d = data();
	struct cc_area cyc[2] = {
		{ .id = 1, .pcode = "X1", .parent_id = 2 },
		{ .id = 2, .pcode = "X2", .parent_id = 1 },
	};
	struct cc_rollup r;
	struct cc_err err = { 0 };

	/* AF0101 … are not among these areas */
	check_int(cc_rollup_compute(&d, areas, 3, NULL, &r, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "unknown area") != NULL);
	check_int(r.n_results, ==, 0);
	check_int(cc_rollup_compute(&d, cyc, 2, NULL, &r, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "ancestor") != NULL);
}

TEST(allocation_failures)
{
	struct cc_indicator_data d = data();
	struct cc_rollup r;
	long n;
	int ret = -1;

	for (n = 0; n < 10000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_rollup_compute(&d, areas, N_AREAS, NULL, &r, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
		check_int(r.n_results, ==, 0);
	}
	check_int(ret, ==, 0);
	check(n > 0);
	cc_rollup_release(&r);
}
