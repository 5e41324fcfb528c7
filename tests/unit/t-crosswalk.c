/*
 * Values carried through the crosswalk, on hand-made layouts with the answers worked out by
 * hand: a split (A -> B 0.6, C 0.4 on 2008-02-17), a merge (D, E -> F on the same day), a
 * second split later (C -> G 0.5, H 0.5 on 2013-01-01); counts split, rates recomputed from
 * split numerators and denominators, presences carried whole; dates before a change keep the
 * old layout; bad crosswalks refused naming the area and the date.
 */
#include <concord/alloc.h>
#include <concord/coverage.h>
#include <concord/crosswalk.h>

#include <math.h>
#include <string.h>

#include "tap.h"

enum { A = 1, B, C, D, E, F, G, H, X };

static int32_t day(const char *s)
{
	int32_t d = CC_DATE_NONE;

	if (cc_date_parse(s, &d, NULL) < 0)
		printf("# bad date %s\n", s);
	return d;
}

static struct cc_crosswalk row(int64_t o, const char *op, int64_t n, const char *np, double share,
                               const char *date)
{
	struct cc_crosswalk c = { .old_id = o, .new_id = n, .share = share, .date = day(date) };

	snprintf(c.old_pcode, sizeof(c.old_pcode), "%s", op);
	snprintf(c.new_pcode, sizeof(c.new_pcode), "%s", np);
	return c;
}

/* the layout history of the tests (deliberately not in date order) */
static size_t layout(struct cc_crosswalk *cw)
{
	size_t n = 0;

	cw[n++] = row(C, "XC", G, "XG", 0.5, "2013-01-01");
	cw[n++] = row(A, "XA", B, "XB", 0.6, "2008-02-17");
	cw[n++] = row(A, "XA", C, "XC", 0.4, "2008-02-17");
	cw[n++] = row(D, "XD", F, "XF", 1.0, "2008-02-17");
	cw[n++] = row(E, "XE", F, "XF", 1.0, "2008-02-17");
	cw[n++] = row(C, "XC", H, "XH", 0.5, "2013-01-01");
	return n;
}

static const struct cc_cw_item *find(const struct cc_cw_item *v, size_t n, int64_t key,
                                     int64_t area)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].key == key && v[i].area_id == area)
			return &v[i];
	return NULL;
}

TEST(counts_split_and_merge)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw), n = 0;
	/* key 1: incidents; 100 in A, 10 in D, 30 in E, 5 already in B, 7 in X (never mapped) */
	struct cc_cw_item in[] = {
		{ .area_id = A, .key = 1, .num = 100 }, { .area_id = D, .key = 1, .num = 10 },
		{ .area_id = E, .key = 1, .num = 30 },  { .area_id = B, .key = 1, .num = 5 },
		{ .area_id = X, .key = 1, .num = 7 },
	};
	struct cc_cw_item *out = NULL;
	const struct cc_cw_item *y;
	struct cc_err err = { 0 };

	/* after the first change: B = 100 * 0.6 + 5, C = 40, F = 10 + 30, X untouched */
	check_int(cc_crosswalk_map(cw, n_cw, in, 5, day("2010-06-30"), &out, &n, &err), ==, 0);
	check_int(n, ==, 4);
	check((y = find(out, n, 1, B)) && fabs(y->num - 65.0) < 1e-9 && y->carried);
	check((y = find(out, n, 1, C)) && fabs(y->num - 40.0) < 1e-9 && y->carried);
	check((y = find(out, n, 1, F)) && fabs(y->num - 40.0) < 1e-9 && y->carried);
	check((y = find(out, n, 1, X)) && fabs(y->num - 7.0) < 1e-9 && !y->carried);
	/* output by key then area id: B, C, F, X */
	check(n == 4 && out[0].area_id == B && out[1].area_id == C && out[2].area_id == F &&
	      out[3].area_id == X);
	/* B's own 5 is index 3, A's share index 0: the first input is the origin */
	check((y = find(out, n, 1, B)) && y->origin == 0);
	cc_free(out);

	/* after the second change too: C's 40 split 20/20 into G and H */
	check_int(cc_crosswalk_map(cw, n_cw, in, 5, CC_DATE_NONE, &out, &n, &err), ==, 0);
	check_int(n, ==, 5);
	check((y = find(out, n, 1, G)) && fabs(y->num - 20.0) < 1e-9);
	check((y = find(out, n, 1, H)) && fabs(y->num - 20.0) < 1e-9);
	check(!find(out, n, 1, C) && !find(out, n, 1, A));
	cc_free(out);

	/* the day before the first change: the old layout, nothing carried */
	check_int(cc_crosswalk_map(cw, n_cw, in, 5, day("2008-02-16"), &out, &n, &err), ==, 0);
	check_int(n, ==, 5);
	check((y = find(out, n, 1, A)) && y->num == 100.0 && !y->carried);
	check((y = find(out, n, 1, D)) && y->num == 10.0);
	check(!find(out, n, 1, F));
	cc_free(out);
	/* on the day of the change: the new layout */
	check_int(cc_crosswalk_map(cw, n_cw, in, 5, day("2008-02-17"), &out, &n, &err), ==, 0);
	check(!find(out, n, 1, A) && find(out, n, 1, C));
	cc_free(out);
}

TEST(rates_recomputed_not_averaged)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw), n = 0;
	/* incidents per 100,000: D has 10 incidents in 20,000 people (50 per 100k), E 30 in
	   180,000 (16.7 per 100k). F = 40 / 200,000 = 20 per 100k, not the mean 33.3. A's rate
	   (100 in 50,000 = 200 per 100k) is the same in each part of a split. */
	struct cc_cw_item in[] = {
		{ .area_id = D, .key = 7, .rule = CC_CW_RATE, .num = 10, .den = 20000 },
		{ .area_id = E, .key = 7, .rule = CC_CW_RATE, .num = 30, .den = 180000 },
		{ .area_id = A, .key = 7, .rule = CC_CW_RATE, .num = 100, .den = 50000 },
		/* a part without a denominator adds nothing to F */
		{ .area_id = D, .key = 7, .rule = CC_CW_RATE, .num = 5, .den = (double)NAN },
	};
	struct cc_cw_item *out = NULL;
	const struct cc_cw_item *y;

	check_int(cc_crosswalk_map(cw, n_cw, in, 4, day("2009-01-01"), &out, &n, NULL), ==, 0);
	check((y = find(out, n, 7, F)) != NULL);
	if (y) {
		check_dbl(y->num, 40.0, 1e-9);
		check_dbl(y->den, 200000.0, 1e-6);
		check_dbl(y->num / y->den * 100000.0, 20.0, 1e-9);
	}
	check((y = find(out, n, 7, B)) != NULL);
	if (y) {
		check_dbl(y->num, 60.0, 1e-9);
		check_dbl(y->den, 30000.0, 1e-6);
		check_dbl(y->num / y->den * 100000.0, 200.0, 1e-9);
	}
	cc_free(out);
}

TEST(whole_values_and_keys_apart)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw), n = 0;
	/* severity (whole): D 2 and E 4 merge into F as 4; A's 3 goes whole into B and C.
	   key 2 is another series in the same areas: never mixed with key 1. */
	struct cc_cw_item in[] = {
		{ .area_id = D, .key = 1, .rule = CC_CW_WHOLE, .num = 2 },
		{ .area_id = E, .key = 1, .rule = CC_CW_WHOLE, .num = 4 },
		{ .area_id = A, .key = 1, .rule = CC_CW_WHOLE, .num = 3 },
		{ .area_id = D, .key = 2, .rule = CC_CW_COUNT, .num = 8 },
		{ .area_id = A, .key = 2, .rule = CC_CW_COUNT, .num = (double)NAN },
	};
	struct cc_cw_item *out = NULL;
	const struct cc_cw_item *y;

	check_int(cc_crosswalk_map(cw, n_cw, in, 5, day("2009-01-01"), &out, &n, NULL), ==, 0);
	check_int(n, ==, 6);
	check((y = find(out, n, 1, F)) && y->num == 4.0);
	check((y = find(out, n, 1, B)) && y->num == 3.0);
	check((y = find(out, n, 1, C)) && y->num == 3.0);
	check((y = find(out, n, 2, F)) && y->num == 8.0);
	/* a missing value stays missing in its parts, never 0 */
	check((y = find(out, n, 2, B)) && isnan(y->num));
	cc_free(out);

	/* two rules in one key are refused */
	in[3].key = 1;
	check_int(cc_crosswalk_map(cw, n_cw, in, 5, day("2009-01-01"), &out, &n, NULL), ==,
	          CC_EINVALID);
	check(out == NULL && n == 0);
}

TEST(bad_crosswalks_refused)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw), n = 0;
	struct cc_cw_item in[] = { { .area_id = A, .key = 1, .num = 1 } };
	struct cc_cw_item *out = NULL;
	struct cc_err err = { 0 };

	check_int(cc_crosswalk_check(cw, n_cw, &err), ==, 0);
	/* A's shares 0.6 + 0.3 */
	cw[2].share = 0.3;
	check_int(cc_crosswalk_map(cw, n_cw, in, 1, CC_DATE_NONE, &out, &n, &err), ==, CC_EINVALID);
	check_str(err.msg, "the shares of area XA on 2008-02-17 add up to 0.9, not 1");
	check(out == NULL);
	cw[2].share = 0.4;
	/* a share above 1 (and the total then above 1) */
	cw[3].share = 1.5;
	check_int(cc_crosswalk_check(cw, n_cw, &err), ==, CC_EINVALID);
	check_str(err.msg, "the share of XD in XF on 2008-02-17 is 1.5, not in (0, 1]");
	cw[3].share = 1.0;
	/* an area onto itself */
	cw[4].new_id = E;
	check_int(cc_crosswalk_check(cw, n_cw, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "XE -> XF on 2008-02-17 does not map one area") != NULL);
	cw[4].new_id = F;
	/* no date */
	cw[0].date = CC_DATE_NONE;
	check_int(cc_crosswalk_check(cw, n_cw, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "XC -> XG has no date") != NULL);
}

TEST(retired_areas)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw);

	check(!cc_crosswalk_retired(cw, n_cw, A, day("2008-02-16")));
	check(cc_crosswalk_retired(cw, n_cw, A, day("2008-02-17")));
	check(cc_crosswalk_retired(cw, n_cw, A, CC_DATE_NONE));
	check(!cc_crosswalk_retired(cw, n_cw, C, day("2012-12-31")));
	check(cc_crosswalk_retired(cw, n_cw, C, day("2013-01-01")));
	check(!cc_crosswalk_retired(cw, n_cw, F, CC_DATE_NONE));
	check(!cc_crosswalk_retired(cw, n_cw, X, CC_DATE_NONE));
}

TEST(coverage_records_split)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw), n = 3, n_carried = 0;
	struct cc_coverage_record *r = cc_alloc_array(3, sizeof(*r));

	check(r != NULL);
	if (!r)
		return;
	/* activity 10 in A: 1,000 targeted, 500 reached; activity 11 in D, no figures; 12 in X */
	r[0] = (struct cc_coverage_record){
		.activity_id = 10, .area_id = A, .targeted = 1000, .reached = 500
	};
	r[1] = (struct cc_coverage_record){
		.activity_id = 11, .area_id = D, .targeted = (double)NAN, .reached = (double)NAN
	};
	r[2] = (struct cc_coverage_record){
		.activity_id = 12, .area_id = X, .targeted = 40, .reached = (double)NAN
	};
	check_int(cc_crosswalk_coverage(cw, n_cw, day("2009-01-01"), &r, &n, &n_carried, NULL), ==,
	          0);
	/* A -> B (600 / 300) and C (400 / 200); D -> F; X stays */
	check_int(n, ==, 4);
	check_int(n_carried, ==, 2); /* the records of A and D */
	if (n == 4) {
		check(r[0].activity_id == 10 && r[0].area_id == B);
		check_dbl(r[0].targeted, 600.0, 1e-9);
		check_dbl(r[0].reached, 300.0, 1e-9);
		check(r[1].activity_id == 10 && r[1].area_id == C);
		check_dbl(r[1].targeted, 400.0, 1e-9);
		check_dbl(r[1].reached, 200.0, 1e-9);
		check(r[2].activity_id == 11 && r[2].area_id == F && isnan(r[2].targeted) &&
		      isnan(r[2].reached));
		check(r[3].activity_id == 12 && r[3].area_id == X && r[3].targeted == 40.0 &&
		      isnan(r[3].reached));
	}
	cc_free(r);
}

TEST(out_of_memory)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw);
	struct cc_cw_item in[] = { { .area_id = A, .key = 1, .num = 100 },
		                   { .area_id = C, .key = 1, .num = 4 } };
	bool ok = true;

	for (long k = 0; k < 40; k++) {
		struct cc_cw_item *out = NULL;
		size_t n = 0;
		int ret;

		cc_test_fail_alloc_after(k);
		ret = cc_crosswalk_map(cw, n_cw, in, 2, CC_DATE_NONE, &out, &n, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret != 0 && (ret != CC_ENOMEM || out != NULL))
			ok = false;
		cc_free(out);
		if (ret == 0)
			break;
	}
	check(ok);
}

TEST(areas_on_a_layout)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw);

	/* before 2008-02-17: A, C (old), D, E, X; not yet B, F, G, H */
	check(cc_crosswalk_on_layout(cw, n_cw, A, day("2008-02-16")));
	check(!cc_crosswalk_on_layout(cw, n_cw, B, day("2008-02-16")));
	check(!cc_crosswalk_on_layout(cw, n_cw, F, day("2008-02-16")));
	check(!cc_crosswalk_on_layout(cw, n_cw, C, day("2008-02-16")));
	check(cc_crosswalk_on_layout(cw, n_cw, X, day("2008-02-16")));
	/* between the changes: B, C, F; not A, D, G */
	check(cc_crosswalk_on_layout(cw, n_cw, C, day("2010-01-01")));
	check(cc_crosswalk_on_layout(cw, n_cw, F, day("2010-01-01")));
	check(!cc_crosswalk_on_layout(cw, n_cw, A, day("2010-01-01")));
	check(!cc_crosswalk_on_layout(cw, n_cw, D, day("2010-01-01")));
	check(!cc_crosswalk_on_layout(cw, n_cw, G, day("2010-01-01")));
	/* after both: G, H, not C */
	check(cc_crosswalk_on_layout(cw, n_cw, G, CC_DATE_NONE));
	check(!cc_crosswalk_on_layout(cw, n_cw, C, CC_DATE_NONE));
}

TEST(layout_areas_and_their_population)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw), n = 6;
	/* A 1000, D 300, E 200, B already 900 of its own; F and C without */
	struct cc_area areas[6] = {
		{ .id = A, .population = 1000 }, { .id = B, .population = 900 },
		{ .id = C, .population = -1 },   { .id = D, .population = 300 },
		{ .id = E, .population = 200 },  { .id = F, .population = -1 },
	};

	check_int(cc_crosswalk_layout_areas(cw, n_cw, day("2010-01-01"), areas, &n, NULL), ==, 0);
	/* A, D, E are gone; B keeps its own 900; C takes 1000 x 0.4; F 300 + 200 */
	check_int(n, ==, 3);
	if (n == 3) {
		check(areas[0].id == B && areas[0].population == 900);
		check(areas[1].id == C && areas[1].population == 400);
		check(areas[2].id == F && areas[2].population == 500);
	}
}

/* the ids in v (n of them) as "1 2 3" */
static const char *ids_text(const int64_t *v, size_t n, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? " " : "",
		                        (long long)v[i]);
	return buf;
}

TEST(the_ground_of_an_area_on_another_layout)
{
	struct cc_crosswalk cw[8];
	size_t n_cw = layout(cw), n = 0;
	int64_t *v = NULL;
	char buf[64], expect[64];

	/* on the layout: itself */
	check_int(cc_crosswalk_layout_cover(cw, n_cw, X, day("2010-01-01"), &v, &n, NULL), ==, 0);
	check_str(ids_text(v, n, buf, sizeof(buf)), "9");
	cc_free(v);
	/* A retired on 2008-02-17: B and C between the changes ... */
	check_int(cc_crosswalk_layout_cover(cw, n_cw, A, day("2010-01-01"), &v, &n, NULL), ==, 0);
	snprintf(expect, sizeof(expect), "%d %d", B, C);
	check_str(ids_text(v, n, buf, sizeof(buf)), expect);
	cc_free(v);
	/* ... B, G and H after the second (C itself split again) */
	check_int(cc_crosswalk_layout_cover(cw, n_cw, A, CC_DATE_NONE, &v, &n, NULL), ==, 0);
	snprintf(expect, sizeof(expect), "%d %d %d", B, G, H);
	check_str(ids_text(v, n, buf, sizeof(buf)), expect);
	cc_free(v);
	/* the merged D: F */
	check_int(cc_crosswalk_layout_cover(cw, n_cw, D, day("2008-02-17"), &v, &n, NULL), ==, 0);
	snprintf(expect, sizeof(expect), "%d", F);
	check_str(ids_text(v, n, buf, sizeof(buf)), expect);
	cc_free(v);
	/* F asked before it existed: the D and E it was made of */
	check_int(cc_crosswalk_layout_cover(cw, n_cw, F, day("2008-02-16"), &v, &n, NULL), ==, 0);
	snprintf(expect, sizeof(expect), "%d %d", D, E);
	check_str(ids_text(v, n, buf, sizeof(buf)), expect);
	cc_free(v);
	/* G before 2008: C did not exist either; A did */
	check_int(cc_crosswalk_layout_cover(cw, n_cw, G, day("2000-01-01"), &v, &n, NULL), ==, 0);
	snprintf(expect, sizeof(expect), "%d", A);
	check_str(ids_text(v, n, buf, sizeof(buf)), expect);
	cc_free(v);
	/* G between the changes: C */
	check_int(cc_crosswalk_layout_cover(cw, n_cw, G, day("2010-01-01"), &v, &n, NULL), ==, 0);
	snprintf(expect, sizeof(expect), "%d", C);
	check_str(ids_text(v, n, buf, sizeof(buf)), expect);
	cc_free(v);
	/* out of memory: an error and nothing */
	cc_test_fail_alloc_after(0);
	check_int(cc_crosswalk_layout_cover(cw, n_cw, A, CC_DATE_NONE, &v, &n, NULL), ==,
	          CC_ENOMEM);
	cc_test_fail_alloc_after(-1);
	check(v == NULL && n == 0);
}
