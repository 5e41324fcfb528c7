/*
 * Computed indicators: a hand-made case whose counts are worked out in the comments, the
 * calendar periods, and the store's atomic, idempotent replacement of computed observations.
 */
#include <concord/alloc.h>
#include <concord/computed.h>
#include <concord/indicators.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "testdir.h"
#include "fixtures.h"

static int32_t day(const char *s)
{
	int32_t d = CC_DATE_NONE;

	cc_date_parse(s, &d, NULL);
	return d;
}

/*
 * AF (country) > P1 (population 200,000) > D11, D12; AF > P2 (no population) > D21.
 */
static const struct cc_area areas[] = {
	{ .id = 1, .pcode = "AF", .level = 0, .parent_id = 0, .population = -1 },
	{ .id = 10, .pcode = "P1", .level = 1, .parent_id = 1, .population = 200000 },
	{ .id = 20, .pcode = "P2", .level = 1, .parent_id = 1, .population = -1 },
	{ .id = 11, .pcode = "D11", .level = 2, .parent_id = 10, .population = -1 },
	{ .id = 12, .pcode = "D12", .level = 2, .parent_id = 10, .population = -1 },
	{ .id = 21, .pcode = "D21", .level = 2, .parent_id = 20, .population = -1 },
};

/* The value of code for area and the month starting on first, or -1e300 when there is none. */
static double value_of(const struct cc_computed_result *r, const char *code, const char *area,
                       const char *first)
{
	const struct cc_computed_def *defs;
	size_t n_defs;

	defs = cc_computed_defs(&n_defs);
	for (size_t i = 0; i < r->n_values; i++)
		if (strcmp(defs[r->values[i].def].ind.code, code) == 0 &&
		    strcmp(r->values[i].area, area) == 0 && r->values[i].period_start == day(first))
			return r->values[i].value;
	return -1e300;
}

static size_t n_rows_of(const struct cc_computed_result *r, const char *code)
{
	const struct cc_computed_def *defs;
	size_t n_defs, n = 0;

	defs = cc_computed_defs(&n_defs);
	for (size_t i = 0; i < r->n_values; i++)
		n += strcmp(defs[r->values[i].def].ind.code, code) == 0;
	return n;
}

static void hand_case(struct cc_computed_incident inc[6], struct cc_computed_activity act[5],
                      struct cc_computed_need need[3])
{
	const struct cc_computed_incident i[6] = {
		{ 11, 0, 3 },         /* D11, January, 3 killed */
		{ 12, 0, (double)NAN }, /* D12, January, no estimate: adds nothing */
		{ 10, 0, 2 },         /* P1 itself, February */
		{ 21, 0, 5 },         /* D21, February, in P2 */
		{ 1, 0, 10 },         /* the country: above level 1, not counted */
		{ 0, 0, 1 },          /* not placed */
	};
	const char *dates[6] = { "2021-01-05", "2021-01-20", "2021-02-10",
		                 "2021-02-01", "2021-01-15", "2021-03-01" };

	for (size_t k = 0; k < 6; k++) {
		inc[k] = i[k];
		inc[k].date = day(dates[k]);
	}
	act[0] = (struct cc_computed_activity){ 1, 1, 11, CC_PILLAR_SECURITY, day("2021-01-01"),
		                                day("2021-02-15"), 100 };
	act[1] = (struct cc_computed_activity){ 2, 1, 12, CC_PILLAR_HUMANITARIAN,
		                                day("2021-02-01"), day("2021-03-31"), 50 };
	act[2] = (struct cc_computed_activity){ 3, 2, 10, CC_PILLAR_HUMANITARIAN,
		                                day("2021-01-10"), day("2021-01-20"), 120 };
	act[3] = (struct cc_computed_activity){ 4, 2, 21, CC_PILLAR_GOVERNANCE, CC_DATE_NONE,
		                                CC_DATE_NONE, (double)NAN };
	act[4] = (struct cc_computed_activity){ 5, 3, 1, CC_PILLAR_ECONOMY, day("2021-01-01"),
		                                day("2021-12-31"), 7 };
	need[0] = (struct cc_computed_need){ 10, 1000 }; /* P1's own figure */
	need[1] = (struct cc_computed_need){ 11, 300 };  /* ignored: P1 has its own */
	need[2] = (struct cc_computed_need){ 21, 400 };  /* P2: its district's */
}

TEST(hand_made_case)
{
	struct cc_computed_incident inc[6];
	struct cc_computed_activity act[5];
	struct cc_computed_need need[3];
	struct cc_computed_inputs in = { areas, 6, inc, 6, act, 5, need, 3 };
	struct cc_computed_opts o = { .level = 1, .unit = CC_PERIOD_MONTH,
		                      .from = day("2021-01-01"), .to = day("2021-03-31") };
	struct cc_computed_result r;
	size_t n_defs;

	hand_case(inc, act, need);
	cc_computed_defs(&n_defs);
	check_int(n_defs, ==, 9);
	check_int(cc_computed_compute(&in, &o, &r, NULL), ==, 0);
	check_int(r.n_periods, ==, 3);
	check_int(r.from, ==, day("2021-01-01"));
	check_int(r.to, ==, day("2021-03-31"));
	/* 9 indicators × 2 provinces × 3 months; both provinces have people in need */
	check_int(r.n_values, ==, 9 * 2 * 3);
	check_int(r.n_incidents_used, ==, 4);
	check_int(r.n_incidents_above, ==, 2);
	check_int(r.n_activities_above, ==, 1);
	check_int(r.n_activities_undated, ==, 1);
	check_int(r.n_no_population, ==, 1);
	check_int(r.no_population[0], ==, 20);

	/* P1: January 2 incidents × 100,000 / 200,000 = 1.0; February 1 → 0.5; March 0 → 0 */
	check_dbl(value_of(&r, "cc.incidents_per_100k", "P1", "2021-01-01"), 1.0, 1e-12);
	check_dbl(value_of(&r, "cc.incidents_per_100k", "P1", "2021-02-01"), 0.5, 1e-12);
	check_dbl(value_of(&r, "cc.incidents_per_100k", "P1", "2021-03-01"), 0.0, 1e-12);
	/* P2 has no population: missing, never 0 */
	check(isnan(value_of(&r, "cc.incidents_per_100k", "P2", "2021-02-01")));
	check(isnan(value_of(&r, "cc.incidents_per_100k", "P2", "2021-01-01")));
	/* fatalities: P1 January 3 (the other has no estimate), February 2; P2 February 5 */
	check_dbl(value_of(&r, "cc.fatalities", "P1", "2021-01-01"), 3, 1e-12);
	check_dbl(value_of(&r, "cc.fatalities", "P1", "2021-02-01"), 2, 1e-12);
	check_dbl(value_of(&r, "cc.fatalities", "P1", "2021-03-01"), 0, 1e-12);
	check_dbl(value_of(&r, "cc.fatalities", "P2", "2021-02-01"), 5, 1e-12);
	check_dbl(value_of(&r, "cc.fatalities", "P2", "2021-01-01"), 0, 1e-12);
	/* needs reached in P1 (PIN 1000): January org 1 100, org 2 120 → 12 %; February org 1
	 * 100 + 50 → 15 %; March org 1 50 → 5 %. P2 (PIN 400): no figure → missing */
	check_dbl(value_of(&r, "cc.needs_covered", "P1", "2021-01-01"), 12, 1e-12);
	check_dbl(value_of(&r, "cc.needs_covered", "P1", "2021-02-01"), 15, 1e-12);
	check_dbl(value_of(&r, "cc.needs_covered", "P1", "2021-03-01"), 5, 1e-12);
	check(isnan(value_of(&r, "cc.needs_covered", "P2", "2021-01-01")));
	/* activities: P1 security Jan, Feb; humanitarian Jan (A3), Feb and Mar (A2); P2 the
	 * undated governance activity in every month; the country's economy one nowhere */
	check_dbl(value_of(&r, "cc.activities_security", "P1", "2021-01-01"), 1, 1e-12);
	check_dbl(value_of(&r, "cc.activities_security", "P1", "2021-02-01"), 1, 1e-12);
	check_dbl(value_of(&r, "cc.activities_security", "P1", "2021-03-01"), 0, 1e-12);
	check_dbl(value_of(&r, "cc.activities_humanitarian", "P1", "2021-01-01"), 1, 1e-12);
	check_dbl(value_of(&r, "cc.activities_humanitarian", "P1", "2021-03-01"), 1, 1e-12);
	check_dbl(value_of(&r, "cc.activities_governance", "P2", "2021-03-01"), 1, 1e-12);
	check_dbl(value_of(&r, "cc.activities_economy", "P1", "2021-01-01"), 0, 1e-12);
	check_dbl(value_of(&r, "cc.activities_economy", "P2", "2021-01-01"), 0, 1e-12);
	cc_computed_release(&r);

	/* by quarter: P1 3 incidents in Q1 → 1.5 per 100,000; needs covered: org 1 150 (A1 100 +
	 * A2 50), org 2 120 → 15 % */
	o.unit = CC_PERIOD_QUARTER;
	check_int(cc_computed_compute(&in, &o, &r, NULL), ==, 0);
	check_int(r.n_periods, ==, 1);
	check_dbl(value_of(&r, "cc.incidents_per_100k", "P1", "2021-01-01"), 1.5, 1e-12);
	check_dbl(value_of(&r, "cc.needs_covered", "P1", "2021-01-01"), 15, 1e-12);
	check_dbl(value_of(&r, "cc.fatalities", "P2", "2021-01-01"), 5, 1e-12);
	cc_computed_release(&r);

	/* level 2: D11 has the 300 of its own; D12 and D21 (400) */
	o.level = 2;
	check_int(cc_computed_compute(&in, &o, &r, NULL), ==, 0);
	check_int(n_rows_of(&r, "cc.needs_covered"), ==, 2);
	check_dbl(value_of(&r, "cc.needs_covered", "D11", "2021-01-01"), 100.0 / 3, 1e-12);
	check_int(r.n_incidents_above, ==, 3); /* P1's own, the country's, the unplaced one */
	check_int(r.n_no_population, ==, 3);
	cc_computed_release(&r);
}

TEST(default_span_and_bad_input)
{
	struct cc_computed_incident inc[6];
	struct cc_computed_activity act[5];
	struct cc_computed_need need[3];
	struct cc_computed_inputs in = { areas, 6, inc, 6, act, 5, need, 3 };
	struct cc_computed_opts o = { .level = 1, .unit = CC_PERIOD_MONTH, .from = CC_DATE_NONE,
		                      .to = CC_DATE_NONE };
	struct cc_computed_result r;
	struct cc_err err = { 0 };

	hand_case(inc, act, need);
	/* the records span 2021-01-01 … 2021-12-31 (the country's economy activity) */
	check_int(cc_computed_compute(&in, &o, &r, NULL), ==, 0);
	check_int(r.n_periods, ==, 12);
	cc_computed_release(&r);
	o.from = day("2021-05-01");
	o.to = day("2021-04-01");
	check_int(cc_computed_compute(&in, &o, &r, &err), ==, CC_EINVALID);
	o.from = day("1900-01-01");
	o.to = day("2021-04-01");
	check_int(cc_computed_compute(&in, &o, &r, &err), ==, CC_EINVALID); /* > 1,200 months */
	o.from = day("2021-01-01");
	inc[0].area_id = 99; /* not an area */
	check_int(cc_computed_compute(&in, &o, &r, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "99") != NULL);
	/* nothing dated, only --to: the one period of to */
	in.n_incidents = 0;
	in.n_activities = 0;
	o.from = CC_DATE_NONE;
	o.to = day("2021-05-10");
	check_int(cc_computed_compute(&in, &o, &r, NULL), ==, 0);
	check_int(r.n_periods, ==, 1);
	check_int(r.from, ==, day("2021-05-01"));
	cc_computed_release(&r);
	/* nothing dated at all: no periods, no values */
	in.n_incidents = 0;
	in.n_activities = 0;
	o.from = o.to = CC_DATE_NONE;
	check_int(cc_computed_compute(&in, &o, &r, NULL), ==, 0);
	check_int(r.n_periods, ==, 0);
	check_int(r.n_values, ==, 0);
	cc_computed_release(&r);
}

TEST(periods)
{
	int32_t a, b;
	enum cc_period_unit u;

	cc_period_bounds(CC_PERIOD_QUARTER, day("2021-05-17"), &a, &b);
	check_int(a, ==, day("2021-04-01"));
	check_int(b, ==, day("2021-06-30"));
	cc_period_bounds(CC_PERIOD_MONTH, day("2024-02-29"), &a, &b);
	check_int(a, ==, day("2024-02-01"));
	check_int(b, ==, day("2024-02-29"));
	cc_period_bounds(CC_PERIOD_YEAR, day("2021-12-31"), &a, &b);
	check_int(a, ==, day("2021-01-01"));
	check_int(b, ==, day("2021-12-31"));
	check_int(cc_period_unit_parse("quarter", &u, NULL), ==, 0);
	check_int(u, ==, CC_PERIOD_QUARTER);
	check_int(cc_period_unit_parse("week", &u, NULL), ==, CC_EINVALID);
}

TEST(allocation_failure)
{
	struct cc_computed_incident inc[6];
	struct cc_computed_activity act[5];
	struct cc_computed_need need[3];
	struct cc_computed_inputs in = { areas, 6, inc, 6, act, 5, need, 3 };
	struct cc_computed_opts o = { .level = 1, .unit = CC_PERIOD_MONTH,
		                      .from = day("2021-01-01"), .to = day("2021-03-31") };
	struct cc_computed_result r;
	int ret = -1;
	long n;

	hand_case(inc, act, need);
	for (n = 0; n < 100; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_computed_compute(&in, &o, &r, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
	}
	check_int(ret, ==, 0);
	check_dbl(value_of(&r, "cc.needs_covered", "P1", "2021-02-01"), 15, 1e-12);
	cc_computed_release(&r);
}

/* The observations stored with source "computed" for code (count, and the sum of values). */
static size_t stored(struct cc_store *st, int64_t mission, const char *code, double *sum)
{
	struct cc_indicator_query q = { .mission_id = mission, .indicator = code,
		                        .at = CC_DATE_NONE };
	struct cc_indicator_data d;
	size_t n = 0;

	*sum = 0;
	if (cc_store_load_indicator_data(st, &q, &d, NULL) < 0)
		return (size_t)-1;
	for (size_t i = 0; i < d.n_observations; i++) {
		check_str(d.observations[i].source, "computed");
		n++;
		if (!isnan(d.observations[i].value))
			*sum += d.observations[i].value;
	}
	cc_indicator_data_release(&d);
	return n;
}

TEST(store_replaces_and_never_duplicates)
{
	struct cc_store *st;
	int64_t mission;
	struct cc_area kabul, herat;
	struct cc_computed_value v[3];
	struct cc_computed_result r = { 0 };
	struct cc_computed_counts c;
	struct cc_indicator ind;
	struct cc_err err = { 0 };
	size_t n_defs;
	double sum;

	st = afg_fixture("computed.db", 0, NULL, NULL, &mission);
	if (!st)
		return;
	check_int(cc_store_find_area(st, "AF01", &kabul, &err), ==, 0);
	check_int(cc_store_find_area(st, "AF32", &herat, &err), ==, 0);
	cc_computed_defs(&n_defs);
	/* fatalities (def 1) in two months of Kabul and one of Herat */
	v[0] = (struct cc_computed_value){ 1, kabul.id, "AF01", day("2021-01-01"),
		                           day("2021-01-31"), 4 };
	v[1] = (struct cc_computed_value){ 1, kabul.id, "AF01", day("2021-02-01"),
		                           day("2021-02-28"), 6 };
	v[2] = (struct cc_computed_value){ 1, herat.id, "AF32", day("2021-01-01"),
		                           day("2021-01-31"), (double)NAN };
	r.values = v;
	r.n_values = 3;
	r.level = 1;
	r.unit = CC_PERIOD_MONTH;
	r.from = day("2021-01-01");
	r.to = day("2021-02-28");
	r.n_periods = 2;
	check_int(cc_store_replace_computed(st, mission, &r, &c, &err), ==, 0);
	check_int(c.added, ==, 3);
	check_int(c.removed, ==, 0);
	check_int(stored(st, mission, "cc.fatalities", &sum), ==, 3);
	check_dbl(sum, 10, 1e-12);
	check_int(cc_store_find_indicator(st, mission, "cc.fatalities", &ind, &err), ==, 0);
	check(!ind.higher_is_better);
	check_int(cc_store_find_indicator(st, mission, "cc.activities_economy", &ind, &err), ==, 0);
	check_str(ind.pillar, "economy");

	/* the same again: nothing changes */
	check_int(cc_store_replace_computed(st, mission, &r, &c, &err), ==, 0);
	check_int(c.added + c.updated + c.removed, ==, 0);
	check_int(c.unchanged, ==, 3);
	check_int(stored(st, mission, "cc.fatalities", &sum), ==, 3);

	/* a recomputation without February and with a new January value: one updated, one gone */
	v[0].value = 5;
	r.n_values = 1;
	check_int(cc_store_replace_computed(st, mission, &r, &c, &err), ==, 0);
	check_int(c.updated, ==, 1);
	check_int(c.removed, ==, 2);
	check_int(stored(st, mission, "cc.fatalities", &sum), ==, 1);
	check_dbl(sum, 5, 1e-12);

	/* values outside the recomputed range stay */
	r.n_values = 3;
	v[0].value = 4;
	check_int(cc_store_replace_computed(st, mission, &r, &c, &err), ==, 0);
	r.n_values = 0;
	r.from = day("2021-02-01");
	check_int(cc_store_replace_computed(st, mission, &r, &c, &err), ==, 0);
	check_int(c.removed, ==, 1); /* February only */
	check_int(stored(st, mission, "cc.fatalities", &sum), ==, 2);
	cc_store_close(st);
}
