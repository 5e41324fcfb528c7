/*
 * Reporting rounds and the area crosswalk on hand-made cases: who reported for which period
 * (the latest submission counting), dropping the records that do not count, and figures of an
 * old layout carried onto a new one (a district split 0.6/0.4, then one half split again).
 */
#include <concord/alloc.h>
#include <concord/rounds.h>

#include <string.h>

#include "tap.h"

static int32_t day(const char *s)
{
	int32_t d = CC_DATE_NONE;

	if (cc_date_parse(s, &d, NULL) < 0)
		printf("# bad date %s\n", s);
	return d;
}

static struct cc_submission sub(int64_t source, int64_t org, const char *from, const char *to,
                                const char *at)
{
	struct cc_submission s = { .source_id = source, .org_id = org, .n_rows = 1 };

	s.period_from = from ? day(from) : CC_DATE_NONE;
	s.period_to = to ? day(to) : CC_DATE_NONE;
	snprintf(s.imported_at, sizeof(s.imported_at), "%s", at);
	return s;
}

TEST(rounds_latest_counts_missing_listed)
{
	/* three organisations; Q3: org 1 twice (source 2 later), org 2 once; Q4: org 2 only;
	   one submission without a period is left out */
	struct cc_submission subs[] = {
		sub(1, 1, "2021-07-01", "2021-09-30", "2021-10-05T08:00:00Z"),
		sub(1, 2, "2021-07-01", "2021-09-30", "2021-10-05T08:00:00Z"),
		sub(2, 1, "2021-07-01", "2021-09-30", "2021-10-20T08:00:00Z"),
		sub(3, 2, "2021-10-01", "2021-12-31", "2022-01-10T08:00:00Z"),
		sub(4, 3, NULL, NULL, "2022-01-11T08:00:00Z"),
	};
	struct cc_round_org orgs[] = { { .id = 1, .key = "A" }, { .id = 2, .key = "B" },
		                       { .id = 3, .key = "C" } };
	struct cc_rounds r;
	struct cc_err err = { 0 };

	check_int(cc_rounds_compute(subs, 5, orgs, 3, &r, &err), ==, 0);
	check_int(r.n_rounds, ==, 2);
	check_int(r.rounds[0].period_from, ==, day("2021-07-01"));
	check_int(r.rounds[0].n_reported, ==, 2);
	check_int(r.rounds[0].n_entries, ==, 3);
	/* reported first: A from its second submission (index 2), one superseded; then B */
	check_int(r.rounds[0].entries[0].org_id, ==, 1);
	check(r.rounds[0].entries[0].reported);
	check_int(r.rounds[0].entries[0].submission, ==, 2);
	check_int(r.rounds[0].entries[0].n_superseded, ==, 1);
	check_int(r.rounds[0].entries[1].org_id, ==, 2);
	check_int(r.rounds[0].entries[1].submission, ==, 1);
	check_int(r.rounds[0].entries[1].n_superseded, ==, 0);
	check_int(r.rounds[0].entries[2].org_id, ==, 3);
	check(!r.rounds[0].entries[2].reported);
	/* Q4: only B reported, A and C are missing */
	check_int(r.rounds[1].period_from, ==, day("2021-10-01"));
	check_int(r.rounds[1].n_reported, ==, 1);
	check_int(r.rounds[1].entries[0].org_id, ==, 2);
	check_int(r.rounds[1].entries[1].org_id, ==, 1);
	check(!r.rounds[1].entries[1].reported);
	check_int(r.rounds[1].entries[2].org_id, ==, 3);
	cc_rounds_release(&r);
}

TEST(rounds_same_time_later_listed_wins)
{
	struct cc_submission subs[] = {
		sub(5, 1, "2021-01-01", "2021-03-31", "2021-04-01T00:00:00Z"),
		sub(6, 1, "2021-01-01", "2021-03-31", "2021-04-01T00:00:00Z"),
	};
	struct cc_round_org orgs[] = { { .id = 1, .key = "A" } };
	struct cc_rounds r;

	check_int(cc_rounds_compute(subs, 2, orgs, 1, &r, NULL), ==, 0);
	check_int(r.n_rounds, ==, 1);
	check_int(r.rounds[0].entries[0].submission, ==, 1);
	check_int(r.rounds[0].entries[0].n_superseded, ==, 1);
	cc_rounds_release(&r);
	/* nothing at all */
	check_int(cc_rounds_compute(NULL, 0, orgs, 1, &r, NULL), ==, 0);
	check_int(r.n_rounds, ==, 0);
	cc_rounds_release(&r);
}

TEST(rounds_filter_drops_excluded_ids)
{
	struct cc_coverage_record recs[6];
	int64_t ex[] = { 2, 5, 9 };
	size_t n = 6;

	memset(recs, 0, sizeof(recs));
	for (int i = 0; i < 6; i++)
		recs[i].activity_id = 6 - i; /* 6 5 4 3 2 1: records need not be sorted */
	cc_rounds_filter(recs, &n, ex, 3);
	check_int(n, ==, 4);
	check_int(recs[0].activity_id, ==, 6);
	check_int(recs[1].activity_id, ==, 4);
	check_int(recs[2].activity_id, ==, 3);
	check_int(recs[3].activity_id, ==, 1);
	cc_rounds_filter(recs, &n, NULL, 0);
	check_int(n, ==, 4);
}

static double value_of(const struct cc_area_value *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].area_id == id)
			return v[i].value;
	return -1;
}

TEST(crosswalk_split_and_split_again)
{
	/* district 10 (1,000 people) split on 2020-01-01 into 11 (0.6) and 12 (0.4); on
	   2022-01-01 district 12 splits into 13 (0.25) and 14 (0.75); district 20 (500) stays */
	struct cc_crosswalk cw[] = {
		{ .old_id = 12, .new_id = 14, .share = 0.75, .date = day("2022-01-01") },
		{ .old_id = 10, .new_id = 11, .share = 0.6, .date = day("2020-01-01") },
		{ .old_id = 10, .new_id = 12, .share = 0.4, .date = day("2020-01-01") },
		{ .old_id = 12, .new_id = 13, .share = 0.25, .date = day("2022-01-01") },
	};
	struct cc_area_value in[] = { { 10, 1000 }, { 20, 500 } };
	struct cc_area_value *out = NULL;
	size_t n = 0;

	/* before the first split nothing moves */
	check_int(cc_crosswalk_apply(cw, 4, in, 2, day("2019-12-31"), &out, &n, NULL), ==, 0);
	check_int(n, ==, 2);
	check_dbl(value_of(out, n, 10), 1000, 1e-9);
	check_dbl(value_of(out, n, 20), 500, 1e-9);
	cc_free(out);
	/* after it: 600 and 400 */
	check_int(cc_crosswalk_apply(cw, 4, in, 2, day("2021-06-30"), &out, &n, NULL), ==, 0);
	check_int(n, ==, 3);
	check_dbl(value_of(out, n, 10), -1, 0);
	check_dbl(value_of(out, n, 11), 600, 1e-9);
	check_dbl(value_of(out, n, 12), 400, 1e-9);
	check_dbl(value_of(out, n, 20), 500, 1e-9);
	check_int(out[0].area_id, ==, 11); /* sorted by id */
	cc_free(out);
	/* after both: 600, 100, 300, and the total is kept */
	check_int(cc_crosswalk_apply(cw, 4, in, 2, day("2023-01-01"), &out, &n, NULL), ==, 0);
	check_int(n, ==, 4);
	check_dbl(value_of(out, n, 11), 600, 1e-9);
	check_dbl(value_of(out, n, 13), 100, 1e-9);
	check_dbl(value_of(out, n, 14), 300, 1e-9);
	check_dbl(out[0].value + out[1].value + out[2].value + out[3].value, 1500, 1e-9);
	cc_free(out);
	/* a figure already given for a new area is added to what the split brings */
	struct cc_area_value in2[] = { { 10, 1000 }, { 11, 50 } };
	check_int(cc_crosswalk_apply(cw + 1, 2, in2, 2, day("2021-01-01"), &out, &n, NULL), ==, 0);
	check_dbl(value_of(out, n, 11), 650, 1e-9);
	cc_free(out);
}

TEST(crosswalk_shares_must_add_up)
{
	struct cc_crosswalk cw[] = {
		{ .old_id = 10, .new_id = 11, .share = 0.6, .date = 100, .old_pcode = "AF0101" },
		{ .old_id = 10, .new_id = 12, .share = 0.3, .date = 100, .old_pcode = "AF0101" },
	};
	struct cc_area_value in[] = { { 10, 1000 } };
	struct cc_area_value *out = NULL;
	struct cc_err err = { 0 };
	size_t n = 0;

	check_int(cc_crosswalk_apply(cw, 2, in, 1, 200, &out, &n, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "AF0101") != NULL);
	check(out == NULL);
	check_int(n, ==, 0);
}

TEST(rounds_and_crosswalk_out_of_memory)
{
	struct cc_submission subs[] = {
		sub(1, 1, "2021-07-01", "2021-09-30", "2021-10-05T08:00:00Z"),
		sub(2, 2, "2021-10-01", "2021-12-31", "2022-01-05T08:00:00Z"),
	};
	struct cc_round_org orgs[] = { { .id = 1, .key = "A" }, { .id = 2, .key = "B" } };
	struct cc_crosswalk cw[] = {
		{ .old_id = 10, .new_id = 11, .share = 0.6, .date = 100 },
		{ .old_id = 10, .new_id = 12, .share = 0.4, .date = 100 },
	};
	struct cc_area_value in[] = { { 10, 1000 } };
	int ret = CC_ENOMEM;

	/* fail the 1st, 2nd, … allocation until the call succeeds: each failure is CC_ENOMEM
	   with nothing returned (ASan's leak check covers what was allocated) */
	for (long n = 0; ret == CC_ENOMEM && n < 10; n++) {
		struct cc_rounds r;
		struct cc_err err = { 0 };

		cc_test_fail_alloc_after(n);
		ret = cc_rounds_compute(subs, 2, orgs, 2, &r, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == CC_ENOMEM)
			check(r.rounds == NULL && r.n_rounds == 0);
		else
			check_int(r.n_rounds, ==, 2);
		cc_rounds_release(&r);
	}
	check_int(ret, ==, 0);
	ret = CC_ENOMEM;
	for (long n = 0; ret == CC_ENOMEM && n < 10; n++) {
		struct cc_area_value *out = NULL;
		size_t n_out = 0;

		cc_test_fail_alloc_after(n);
		ret = cc_crosswalk_apply(cw, 2, in, 1, 200, &out, &n_out, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == CC_ENOMEM)
			check(out == NULL && n_out == 0);
		else
			check_int(n_out, ==, 2);
		cc_free(out);
	}
	check_int(ret, ==, 0);
}
