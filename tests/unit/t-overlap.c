/*
 * Overlap (duplicated effort): hand-made cases with scores known by construction, a randomised
 * comparison of the blocked candidate set with an all-pairs filter written here, an
 * allocation-failure loop, the store read (presence rows never come back), and the time for
 * 1,000,000 synthetic activities (printed, not asserted).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/import.h>
#include <concord/model.h>
#include <concord/overlap.h>
#include <concord/store.h>

#include "tap.h"
#include "testdir.h"
#include "fixtures.h"

#define D(y, m, d) cc_date_from_ymd(y, m, d)

/* An activity in district dist (level 2) of province prov (level 1), country 1. */
static struct cc_overlap_activity act(int64_t id, int64_t org, int64_t sector, int64_t cat,
                                      int64_t prov, int64_t dist, int32_t s, int32_t e,
                                      const char *title, double targeted)
{
	struct cc_overlap_activity a = { .id = id,
		                         .org_id = org,
		                         .sector_id = sector,
		                         .category_id = cat,
		                         .area_id = dist ? dist : prov,
		                         .area_level = dist ? 2 : 1,
		                         .start = s,
		                         .end = e,
		                         .lat = NAN,
		                         .lon = NAN,
		                         .targeted = targeted,
		                         .reached = NAN,
		                         .title = title,
		                         .description = "",
		                         .org = "",
		                         .sector = "",
		                         .pcode = "" };

	a.path[0] = 1;
	a.path[1] = prov;
	a.path[2] = dist;
	return a;
}

static struct cc_overlap_opts opts(double km, int level)
{
	return (struct cc_overlap_opts){ .distance_km = km, .min_score = 0, .level = level };
}

TEST(near_identical_same_district_scores_high)
{
	struct cc_overlap_activity a[3] = {
		act(1, 1, 10, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "Water trucking Kabul",
		    1000),
		act(2, 2, 10, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "water-trucking, KABUL",
		    500),
		act(3, 3, 99, 0, 30, 301, D(2021, 1, 1), D(2021, 12, 31), "Road repair", 10),
	};
	struct cc_overlap_opts o = opts(0, 2);
	struct cc_overlap ov;
	struct cc_err err = { 0 };

	check_int(cc_overlap_compute(a, 3, &o, &ov, &err), ==, 0);
	check_int(ov.n_pairs, ==, 1);
	if (ov.n_pairs == 1) {
		const struct cc_overlap_pair *p = &ov.pairs[0];

		check_int(p->a, ==, 0);
		check_int(p->b, ==, 1);
		/* the same tokens after normalisation: cosine 1 */
		check_dbl(p->text, 1.0, 1e-6);
		check_dbl(p->dates, 1.0, 1e-12);
		check_int(p->overlap_days, ==, 365);
		check_dbl(p->place, 1.0, 1e-12);
		check_dbl(p->people, 0.5, 1e-12); /* 500 / 1000 */
		check_dbl(p->factor, 1.0, 0);
		/* 0.5 + 0.2 + 0.2 + 0.1 × 0.5 */
		check_dbl(p->score, 0.95, 1e-6);
		check_int(p->facts, ==, CC_OV_SAME_SECTOR | CC_OV_SAME_AREA | CC_OV_SAME_AREA_LVL);
	}
	cc_overlap_release(&ov);
}

TEST(same_category_scored_lower_and_dates_share)
{
	/* sectors 12 and 13 share category 5; 10 days and 10 days overlapping 5: 5 / 15 */
	struct cc_overlap_activity a[3] = {
		act(1, 4, 12, 5, 20, 203, D(2021, 1, 1), D(2021, 1, 10), "alpha", NAN),
		act(2, 5, 13, 5, 20, 203, D(2021, 1, 6), D(2021, 1, 15), "beta", NAN),
		act(3, 6, 14, 0, 20, 203, D(2021, 1, 1), D(2021, 1, 15), "alpha beta", NAN),
	};
	struct cc_overlap_opts o = opts(0, 2);
	struct cc_overlap ov;
	struct cc_err err = { 0 };

	check_int(cc_overlap_compute(a, 3, &o, &ov, &err), ==, 0);
	check_int(ov.n_pairs, ==, 1); /* sector 14 has a category of its own */
	if (ov.n_pairs == 1) {
		const struct cc_overlap_pair *p = &ov.pairs[0];

		check_dbl(p->text, 0, 1e-12);
		check_int(p->overlap_days, ==, 5);
		check_dbl(p->dates, 1.0 / 3, 1e-12);
		check_dbl(p->people, 0, 0);
		check_dbl(p->factor, 0.75, 0);
		/* 0.75 × (0.2 / 3 + 0.2) = 0.2 */
		check_dbl(p->score, 0.2, 1e-12);
		check(!(p->facts & CC_OV_SAME_SECTOR));
	}
	cc_overlap_release(&ov);
	/* --min-score above it: nothing shown, still one candidate */
	o.min_score = 0.21;
	check_int(cc_overlap_compute(a, 3, &o, &ov, &err), ==, 0);
	check_int(ov.n_pairs, ==, 0);
	check_int(ov.n_candidates, ==, 1);
	cc_overlap_release(&ov);
}

TEST(no_pair_cases)
{
	struct cc_overlap_opts o = opts(0, 2);
	struct cc_overlap ov;
	struct cc_err err = { 0 };
	/* different category; same organisation; disjoint dates (Dec 31 / Jan 1 do not meet) */
	struct cc_overlap_activity cases[3][2] = {
		{ act(1, 1, 10, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "water", 1),
		  act(2, 2, 11, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "water", 1) },
		{ act(1, 1, 10, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "water", 1),
		  act(2, 1, 10, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "water", 1) },
		{ act(1, 1, 10, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "water", 1),
		  act(2, 2, 10, 0, 20, 202, D(2022, 1, 1), D(2022, 12, 31), "water", 1) },
	};

	for (int k = 0; k < 3; k++) {
		check_int(cc_overlap_compute(cases[k], 2, &o, &ov, &err), ==, 0);
		check_int(ov.n_candidates, ==, 0);
		cc_overlap_release(&ov);
	}
	/* neither has a sector: no evidence of the same work, no pair (by area or by site) */
	{
		struct cc_overlap_activity ns[2] = {
			act(1, 1, 0, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "water", 1),
			act(2, 2, 0, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "water", 1),
		};
		struct cc_overlap_opts on = opts(10, 2);

		ns[0].lat = ns[1].lat = 34.5;
		ns[0].lon = ns[1].lon = 69.2;
		check_int(cc_overlap_compute(ns, 2, &on, &ov, &err), ==, 0);
		check_int(ov.n_candidates, ==, 0);
		cc_overlap_release(&ov);
		ns[1].sector_id = 10; /* one with a sector: still different sectors */
		check_int(cc_overlap_compute(ns, 2, &on, &ov, &err), ==, 0);
		check_int(ov.n_candidates, ==, 0);
		cc_overlap_release(&ov);
		ns[0].sector_id = 10; /* both: a pair */
		check_int(cc_overlap_compute(ns, 2, &on, &ov, &err), ==, 0);
		check_int(ov.n_candidates, ==, 1);
		cc_overlap_release(&ov);
	}
	/* the last day of one is the first of the other: one day in common */
	cases[2][1].start = D(2021, 12, 31);
	check_int(cc_overlap_compute(cases[2], 2, &o, &ov, &err), ==, 0);
	check_int(ov.n_pairs, ==, 1);
	if (ov.n_pairs)
		check_int(ov.pairs[0].overlap_days, ==, 1);
	cc_overlap_release(&ov);
}

TEST(undated_overlaps_and_says_so)
{
	struct cc_overlap_activity a[2] = {
		act(1, 1, 10, 0, 20, 202, D(2015, 1, 1), D(2015, 2, 1), "water", NAN),
		act(2, 2, 10, 0, 20, 202, CC_DATE_NONE, CC_DATE_NONE, "food", NAN),
	};
	struct cc_overlap_opts o = opts(0, 2);
	struct cc_overlap ov;
	struct cc_err err = { 0 };

	check_int(cc_overlap_compute(a, 2, &o, &ov, &err), ==, 0);
	check_int(ov.n_pairs, ==, 1);
	check_int(ov.n_undated, ==, 1);
	if (ov.n_pairs) {
		check(ov.pairs[0].facts & CC_OV_UNDATED);
		check_int(ov.pairs[0].overlap_days, ==, -1);
		check_dbl(ov.pairs[0].score, 0.2, 1e-12); /* place only */
	}
	cc_overlap_release(&ov);
}

TEST(level_and_distance)
{
	/* districts 202 and 203 of province 20; 301 of province 30, 0.01° of longitude away */
	struct cc_overlap_activity a[3] = {
		act(1, 1, 10, 0, 20, 202, D(2021, 1, 1), D(2021, 1, 31), "x", NAN),
		act(2, 2, 10, 0, 20, 203, D(2021, 1, 1), D(2021, 1, 31), "y", NAN),
		act(3, 3, 10, 0, 30, 301, D(2021, 1, 1), D(2021, 1, 31), "z", NAN),
	};
	struct cc_overlap_opts o = opts(0, 2);
	struct cc_overlap ov;
	struct cc_err err = { 0 };
	/* 0.01° of longitude at 34.5°: 6371.0088 × 0.01 × π/180 × cos 34.5° (an arc on the
	   parallel; the great circle is shorter by far less than 1e-6 km at this size) */
	double d = 6371.0088 * 0.01 * 3.14159265358979323846 / 180 *
	           cos(34.5 * 3.14159265358979323846 / 180);

	a[0].lat = 34.5, a[0].lon = 69.2;
	a[2].lat = 34.5, a[2].lon = 69.21;
	check_int(cc_overlap_compute(a, 3, &o, &ov, &err), ==, 0);
	check_int(ov.n_candidates, ==, 0);
	cc_overlap_release(&ov);
	o.level = 1;
	check_int(cc_overlap_compute(a, 3, &o, &ov, &err), ==, 0);
	check_int(ov.n_pairs, ==, 1);
	if (ov.n_pairs) {
		check_int(ov.pairs[0].b, ==, 1);
		check_int(ov.pairs[0].facts & (CC_OV_SAME_AREA | CC_OV_SAME_AREA_LVL), ==,
		          CC_OV_SAME_AREA_LVL);
		check_dbl(ov.pairs[0].place, 0.5, 0);
	}
	cc_overlap_release(&ov);
	o = opts(5, 2);
	check_int(cc_overlap_compute(a, 3, &o, &ov, &err), ==, 0);
	check_int(ov.n_pairs, ==, 1);
	if (ov.n_pairs) {
		check_int(ov.pairs[0].a, ==, 0);
		check_int(ov.pairs[0].b, ==, 2);
		check(ov.pairs[0].facts & CC_OV_NEAR);
		check_dbl(ov.pairs[0].distance_km, d, 1e-6);
		check_dbl(ov.pairs[0].place, 1 - d / 5, 1e-6);
	}
	cc_overlap_release(&ov);
	o = opts(0.9, 2); /* d = 0.9164 km: just out */
	check_int(cc_overlap_compute(a, 3, &o, &ov, &err), ==, 0);
	check_int(ov.n_candidates, ==, 0);
	cc_overlap_release(&ov);
	/* across the antimeridian: 0.002° on the equator = 0.2224 km */
	a[0].lat = 0, a[0].lon = 179.999;
	a[2].lat = 0, a[2].lon = -179.999;
	o = opts(1, 2);
	check_int(cc_overlap_compute(a, 3, &o, &ov, &err), ==, 0);
	check_int(ov.n_pairs, ==, 1);
	if (ov.n_pairs)
		check_dbl(ov.pairs[0].distance_km, 6371.0088 * 0.002 * 3.14159265358979323846 / 180,
		          1e-6);
	cc_overlap_release(&ov);
	o.level = 9;
	check_int(cc_overlap_compute(a, 3, &o, &ov, &err), ==, CC_EINVALID);
}

TEST(dari_title_in_arabic_or_persian_letters)
{
	/* "drinking water distribution in Kabul" typed with Arabic yeh and kaf, with Persian
	 * ones, and with tatweel and harakat; "school building in Kabul" with teh marbuta. The
	 * three water titles are one text (cosine 1); the school shares only "in Kabul" */
	static const char t_arabic[] = "\xd8\xaa\xd9\x88\xd8\xb2\xd9\x8a\xd8\xb9 \xd8\xa2\xd8\xa8 "
	                               "\xd8\xa2\xd8\xb4\xd8\xa7\xd9\x85\xd9\x8a\xd8\xaf\xd9\x86"
	                               "\xd9\x8a \xd8\xaf\xd8\xb1 \xd9\x83\xd8\xa7\xd8\xa8\xd9\x84";
	static const char t_persian[] =
	        "\xd8\xaa\xd9\x88\xd8\xb2\xdb\x8c\xd8\xb9 \xd8\xa2\xd8\xa8 "
	        "\xd8\xa2\xd8\xb4\xd8\xa7\xd9\x85\xdb\x8c\xd8\xaf\xd9\x86"
	        "\xdb\x8c \xd8\xaf\xd8\xb1 \xda\xa9\xd8\xa7\xd8\xa8\xd9\x84";
	static const char t_marked[] = "\xd8\xaa\xd9\x80\xd9\x88\xd8\xb2\xd9\x8a\xd9\x80\xd8\xb9 "
	                               "\xd8\xa2\xd8\xa8\xd9\x90 \xd8\xa2\xd8\xb4\xd8\xa7\xd9\x85"
	                               "\xd9\x8a\xd8\xaf\xd9\x86\xd9\x8a\xd9\x90 \xd8\xaf\xd8\xb1 "
	                               "\xd9\x83\xd8\xa7\xd8\xa8\xd9\x8f\xd9\x84";
	static const char t_school[] = "\xd8\xb3\xd8\xa7\xd8\xae\xd8\xaa \xd9\x85\xd8\xaf\xd8\xb1"
	                               "\xd8\xb3\xd8\xa9 \xd8\xaf\xd8\xb1 \xd9\x83\xd8\xa7\xd8\xa8"
	                               "\xd9\x84";
	struct cc_overlap_activity a[4] = {
		act(1, 1, 10, 0, 20, 202, D(2022, 1, 1), D(2022, 12, 31), t_arabic, NAN),
		act(2, 2, 10, 0, 20, 202, D(2022, 1, 1), D(2022, 12, 31), t_persian, NAN),
		act(3, 3, 10, 0, 20, 202, D(2022, 1, 1), D(2022, 12, 31), t_marked, NAN),
		act(4, 4, 10, 0, 20, 202, D(2022, 1, 1), D(2022, 12, 31), t_school, NAN),
	};
	struct cc_overlap_opts o = opts(0, 2);
	struct cc_overlap ov;
	struct cc_err err = { 0 };
	size_t n_water = 0, n_school = 0;

	check_int(cc_overlap_compute(a, 4, &o, &ov, &err), ==, 0);
	check_int(ov.n_pairs, ==, 6);
	for (size_t k = 0; k < ov.n_pairs; k++) {
		const struct cc_overlap_pair *p = &ov.pairs[k];

		if (p->b < 3) {
			n_water++;
			check_dbl(p->text, 1.0, 1e-6);
		} else {
			n_school++;
			check(p->text > 0.05 && p->text < 0.6);
		}
	}
	check_int(n_water, ==, 3);
	check_int(n_school, ==, 3);
	cc_overlap_release(&ov);
}

/* ---- randomised: blocked candidates against all pairs ---- */

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static double unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static const char *const words[] = { "water", "trucking", "school", "repair", "food",
	                             "cash",  "shelter",  "winter", "kits",   "clinic" };

static void random_acts(struct cc_overlap_activity *a, size_t n, char (*titles)[64])
{
	for (size_t i = 0; i < n; i++) {
		int prov = 1 + (int)(rnd() % 3), dist = (int)(rnd() % 4);
		int sector = (int)(rnd() % 8);
		int32_t s = D(2019, 1, 1) + (int32_t)(rnd() % 1800), len = (int32_t)(rnd() % 400);

		snprintf(titles[i], 64, "%s %s", words[rnd() % 10], words[rnd() % 10]);
		a[i] = act((int64_t)i + 1, 1 + (int64_t)(rnd() % 5), sector,
		           sector < 6 ? sector / 2 + 1 : 0, prov * 10,
		           rnd() % 5 ? prov * 100 + dist : 0, s, s + len, titles[i],
		           (double)(rnd() % 1000));
		if (rnd() % 25 == 0) /* no sector: in no pair */
			a[i].sector_id = a[i].category_id = 0;
		if (rnd() % 10 == 0)
			a[i].start = CC_DATE_NONE;
		else if (rnd() % 20 == 0)
			a[i].end = CC_DATE_NONE;
		if (rnd() % 10 < 7) {
			a[i].lat = 34 + unif() * 0.5;
			a[i].lon = 69 + unif() * 0.5;
		}
	}
}

/* The great-circle distance by the chord between two unit vectors. */
static double chord_km(double la1, double lo1, double la2, double lo2)
{
	double r = 3.14159265358979323846 / 180;
	double x = cos(la1 * r) * cos(lo1 * r) - cos(la2 * r) * cos(lo2 * r);
	double y = cos(la1 * r) * sin(lo1 * r) - cos(la2 * r) * sin(lo2 * r);
	double z = sin(la1 * r) - sin(la2 * r);

	return 2 * 6371.0088 * asin(sqrt(x * x + y * y + z * z) / 2);
}

static int64_t key_at(const struct cc_overlap_activity *a, int level)
{
	return a->area_level >= level ? a->path[level] : a->area_id;
}

static bool brute(const struct cc_overlap_activity *a, const struct cc_overlap_activity *b,
                  double km, int level)
{
	bool same_cat = a->sector_id == b->sector_id ||
	                (a->category_id && a->category_id == b->category_id);
	bool dated = a->start != CC_DATE_NONE && a->end != CC_DATE_NONE &&
	             b->start != CC_DATE_NONE && b->end != CC_DATE_NONE;

	if (a->org_id == b->org_id || !same_cat || (!a->sector_id && !a->category_id) ||
	    (!b->sector_id && !b->category_id))
		return false;
	if (dated && (a->end < b->start || b->end < a->start))
		return false;
	if (key_at(a, level) == key_at(b, level))
		return true;
	return km > 0 && !isnan(a->lat) && !isnan(b->lat) &&
	       chord_km(a->lat, a->lon, b->lat, b->lon) <= km;
}

TEST(random_candidates_equal_all_pairs)
{
	enum { N = 1500 };
	static struct cc_overlap_activity a[N];
	static char titles[N][64];
	static unsigned char *seen;
	struct cc_err err = { 0 };
	const double kms[3] = { 0, 5, 20 };

	seen = calloc((size_t)N * N, 1);
	random_acts(a, N, titles);
	for (int t = 0; t < 6; t++) {
		struct cc_overlap_opts o = opts(kms[t % 3], 1 + t / 3);
		struct cc_overlap ov;
		size_t want = 0, bad = 0, dup = 0, missing = 0;

		memset(seen, 0, (size_t)N * N);
		check_int(cc_overlap_compute(a, N, &o, &ov, &err), ==, 0);
		for (size_t k = 0; k < ov.n_pairs; k++) {
			size_t i = ov.pairs[k].a, j = ov.pairs[k].b;

			if (seen[i * N + j]++)
				dup++;
			if (!brute(&a[i], &a[j], o.distance_km, o.level))
				bad++;
			if (k && ov.pairs[k].score > ov.pairs[k - 1].score)
				bad++;
		}
		for (size_t i = 0; i < N; i++)
			for (size_t j = i + 1; j < N; j++)
				if (brute(&a[i], &a[j], o.distance_km, o.level)) {
					want++;
					if (!seen[i * N + j])
						missing++;
				}
		printf("# km %g level %d: %zu pairs, all-pairs filter %zu\n", o.distance_km,
		       o.level, ov.n_pairs, want);
		check_int(ov.n_pairs, ==, want);
		check_int(want, >, 1000);
		check_int(dup, ==, 0);
		check_int(bad, ==, 0);
		check_int(missing, ==, 0);
		cc_overlap_release(&ov);
	}
	free(seen);
}

/* ---- edge cases: no activities, one activity, one area ---- */

TEST(zero_and_one_activity)
{
	struct cc_overlap_activity one =
	        act(1, 1, 10, 0, 20, 202, D(2021, 1, 1), D(2021, 12, 31), "water", 100);
	struct cc_overlap ov;
	struct cc_err err = { 0 };

	one.lat = 34.5, one.lon = 69.2;
	for (int k = 0; k < 4; k++) {
		/* no activities (no array at all, and an array of none), then one, by area and by
		 * distance */
		struct cc_overlap_opts o = opts(k % 2 ? 10 : 0, 2);
		size_t n = k < 2 ? 0 : 1;

		memset(&ov, 0xa5, sizeof(ov));
		check_int(cc_overlap_compute(k == 0 ? NULL : &one, n, &o, &ov, &err), ==, 0);
		check_int(ov.n_activities, ==, n);
		check_int(ov.n_candidates, ==, 0);
		check_int(ov.n_pairs, ==, 0);
		check_int(ov.n_undated, ==, 0);
		cc_overlap_release(&ov);
	}
	/* one undated activity: counted as undated, still no pair */
	struct cc_overlap_opts o1 = opts(0, 1);

	one.start = CC_DATE_NONE;
	check_int(cc_overlap_compute(&one, 1, &o1, &ov, &err), ==, 0);
	check_int(ov.n_undated, ==, 1);
	check_int(ov.n_pairs, ==, 0);
	cc_overlap_release(&ov);
}

TEST(single_area)
{
	/* four organisations' activities in one province and nothing else: at level 1, and at
	 * level 2 (the province is above it: compared by itself). Org 1 twice: (1, 4) is no pair;
	 * activity 5 (org 5) ends before the others start; so the pairs are 1-2, 1-3, 2-3, 2-4,
	 * 3-4, each with place 1 (the same area itself) */
	struct cc_overlap_activity a[5] = {
		act(1, 1, 10, 0, 20, 0, D(2021, 1, 1), D(2021, 12, 31), "water trucking", 100),
		act(2, 2, 10, 0, 20, 0, D(2021, 6, 1), D(2021, 12, 31), "water trucking", 100),
		act(3, 3, 10, 0, 20, 0, D(2021, 3, 1), D(2022, 2, 28), "latrines", 50),
		act(4, 1, 10, 0, 20, 0, D(2021, 1, 1), D(2021, 12, 31), "hygiene kits", 25),
		act(5, 5, 10, 0, 20, 0, D(2020, 1, 1), D(2020, 12, 31), "water trucking", 100),
	};
	static const size_t want[5][2] = { { 0, 1 }, { 0, 2 }, { 1, 2 }, { 1, 3 }, { 2, 3 } };
	struct cc_err err = { 0 };

	for (int level = 1; level <= 2; level++) {
		struct cc_overlap ov;
		struct cc_overlap_opts o = opts(level == 2 ? 25 : 0, level);
		int found[5] = { 0 };

		check_int(cc_overlap_compute(a, 5, &o, &ov, &err), ==, 0);
		check_int(ov.n_pairs, ==, 5);
		for (size_t k = 0; k < ov.n_pairs; k++) {
			const struct cc_overlap_pair *p = &ov.pairs[k];
			int w = -1;

			for (int i = 0; i < 5; i++)
				if (want[i][0] == p->a && want[i][1] == p->b)
					w = i;
			if (!check(w >= 0))
				continue;
			found[w]++;
			check_dbl(p->place, 1.0, 0);
			check_int(p->facts & (CC_OV_SAME_AREA | CC_OV_SAME_SECTOR), ==,
			          CC_OV_SAME_AREA | CC_OV_SAME_SECTOR);
		}
		for (int i = 0; i < 5; i++)
			check_int(found[i], ==, 1);
		/* 1-2: the same title (cosine 1), 214 of 365 days, 100 and 100 people */
		if (ov.n_pairs && ov.pairs[0].a == 0 && ov.pairs[0].b == 1) {
			check_dbl(ov.pairs[0].text, 1.0, 1e-6); /* float vectors */
			check_dbl(ov.pairs[0].dates, 214.0 / 365, 1e-12);
			check_dbl(ov.pairs[0].score, 0.5 + 0.2 * 214.0 / 365 + 0.2 + 0.1, 1e-6);
		} else {
			tap_fail_("the pair with the same titles does not come first");
		}
		cc_overlap_release(&ov);
	}
}

TEST(allocation_failure_loop)
{
	enum { N = 300 };
	static struct cc_overlap_activity a[N];
	static char titles[N][64];
	struct cc_overlap_opts o = opts(5, 2);
	struct cc_overlap ov;
	struct cc_err err = { 0 };
	size_t want;
	int ret;

	random_acts(a, N, titles);
	check_int(cc_overlap_compute(a, N, &o, &ov, &err), ==, 0);
	want = ov.n_pairs;
	cc_overlap_release(&ov);
	for (long k = 0;; k++) {
		cc_test_fail_alloc_after(k);
		ret = cc_overlap_compute(a, N, &o, &ov, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0) {
			check_int(ov.n_pairs, ==, want);
			cc_overlap_release(&ov);
			printf("# succeeded after %ld failures\n", k);
			break;
		}
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
		check(ov.pairs == NULL && ov.n_pairs == 0);
	}
}

/* n synthetic activities, n / 200 districts (so the density, and the pairs per activity, stay
 * the same as n grows): 30 sectors in 10 categories, 200 organisations, 2019–2023. */
static void time_n(size_t n)
{
	struct cc_overlap_activity *a = calloc(n, sizeof(*a));
	char(*titles)[64] = calloc(n, 64);
	struct cc_overlap_opts o = opts(2, 2);
	struct cc_overlap ov;
	struct cc_err err = { 0 };
	struct timespec t0, t1;
	int n_dist = (int)(n / 200);

	for (size_t i = 0; i < n; i++) {
		int dist = (int)(rnd() % (uint64_t)n_dist), sector = (int)(rnd() % 30);
		int32_t s = D(2019, 1, 1) + (int32_t)(rnd() % 1800);

		snprintf(titles[i], 64, "%s %s %s", words[rnd() % 10], words[rnd() % 10],
		         words[rnd() % 10]);
		a[i] = act((int64_t)i + 1, 1 + (int64_t)(rnd() % 200), sector, sector / 3 + 1,
		           1000 + dist % 34, 10000 + dist, s, s + (int32_t)(rnd() % 365), titles[i],
		           (double)(rnd() % 5000));
		a[i].lat = 30 + (dist % 100) * 0.1 + unif() * 0.05;
		a[i].lon = 61 + (dist / 100) * 0.1 + unif() * 0.05;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	check_int(cc_overlap_compute(a, n, &o, &ov, &err), ==, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %zu activities: %zu candidate pairs; candidates %.2f s, text scoring %.2f s, "
	       "total %.2f s\n",
	       n, ov.n_candidates, ov.t_candidates, ov.t_scoring,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
	check_int(ov.n_candidates, >, 0);
	cc_overlap_release(&ov);
	free(a);
	free(titles);
}

/* printed, not asserted: 250k, 500k and 1M to show how the time grows */
TEST(time_one_million)
{
	time_n(250000);
	time_n(500000);
	time_n(1000000);
}

/* ---- the store read: tests/data/overlap/afg-3w-overlap.csv (9 rows, one presence row) ---- */

static struct cc_store *overlap_store(int64_t *mission_out)
{
	return afg_fixture("t-overlap.db", 0, "tests/data/overlap/afg-3w-overlap.csv", NULL,
	                   mission_out);
}

TEST(store_read_skips_presence_and_fills_ancestors)
{
	int64_t mission = 0;
	struct cc_store *st = overlap_store(&mission);
	struct cc_overlap_input in;
	struct cc_err err = { 0 };
	struct cc_area af01, af0101;
	char before[65], after[65];
	size_t wfp_wash = 0, n_af0101 = 0;

	if (!st)
		return;
	check_int(cc_store_find_area(st, "AF01", &af01, &err), ==, 0);
	check_int(cc_store_find_area(st, "AF0101", &af0101, &err), ==, 0);
	check_int(cc_store_load_overlap(st, mission, &in, &err), ==, 0);
	check_int(in.n, ==, 8); /* 9 rows, the WFP WASH row is presence */
	for (size_t i = 0; i < in.n; i++) {
		const struct cc_overlap_activity *a = &in.acts[i];

		if (!strcmp(a->org, "WFP") && !strcmp(a->sector, "WASH"))
			wfp_wash++;
		if (i)
			check(a->id > in.acts[i - 1].id);
		if (!strcmp(a->pcode, "AF0101")) {
			n_af0101++;
			check_int(a->area_level, ==, 2);
			check_int(a->path[2], ==, af0101.id);
			check_int(a->path[1], ==, af01.id);
			check_int(a->category_id, ==, 0); /* clusters have no DAC-3 category */
		}
	}
	check_int(wfp_wash, ==, 0);
	check_int(n_af0101, ==, 4); /* UNICEF, NRC, DRC EDU, DRC WASH */
	check_str(in.acts[0].title, "Water trucking to informal settlements");
	check_str(in.acts[0].description, "Daily water trucking for displaced families");
	check_int(in.acts[0].start, ==, D(2021, 7, 1));
	check_dbl(in.acts[0].targeted, 6000, 0);
	check(isnan(in.acts[0].reached));
	cc_overlap_input_release(&in);

	check_int(cc_store_digest(st, before, &err), ==, 0);
	for (long k = 0;; k++) {
		int ret;

		cc_test_fail_alloc_after(k);
		ret = cc_store_load_overlap(st, mission, &in, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0) {
			check_int(in.n, ==, 8);
			cc_overlap_input_release(&in);
			printf("# store read succeeded after %ld failures\n", k);
			break;
		}
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
		check(in.acts == NULL && in.n == 0);
	}
	check_int(cc_store_digest(st, after, &err), ==, 0);
	check_str(after, before);
	cc_store_close(st);
}
