/*
 * Security exposure (src/analysis/exposure.c) on hand-computed cases and against a brute-force
 * count written here. Distances by hand: one degree of a great circle is
 * 6371.0088 × π / 180 = 111.1951 km.
 */
#include <concord/alloc.h>
#include <concord/exposure.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

#define DAY0 19000 /* an arbitrary day number */

static struct cc_exposure_incident inc(double lat, double lon, int32_t d0, int32_t d1, double fat,
                                       int type)
{
	return (struct cc_exposure_incident){
		.lat = lat, .lon = lon, .date = d0, .date_end = d1, .fatalities = fat, .type = type
	};
}

static struct cc_exposure_result one(double lat, double lon, const struct cc_exposure_incident *in,
                                     size_t n, double radius_km, int days, int32_t at)
{
	struct cc_exposure_site s = { .lat = lat, .lon = lon };
	struct cc_exposure_result r;
	struct cc_err err = { 0 };

	memset(&r, 0xff, sizeof(r));
	if (!check_int(cc_exposure_sites(&s, 1, in, n,
	                                 &(struct cc_exposure_opts){ .radius_km = radius_km,
	                                                             .window_days = days,
	                                                             .at = at,
	                                                             .n_types = 4 },
	                                 &r, &err),
	               ==, 0))
		printf("# %s\n", err.msg);
	return r;
}

TEST(haversine_kabul_kandahar)
{
	/* DOMAIN.md §2.10: (34.5553 N, 69.2075 E) to (31.6289 N, 65.7372 E) → 458.6 km */
	check_dbl(cc_haversine_km(34.5553, 69.2075, 31.6289, 65.7372), 458.6, 0.05);
	check_dbl(cc_haversine_km(0, 0, 0, 1), 111.1951, 0.0001);
	check_dbl(cc_haversine_km(10, 20, 10, 20), 0, 0);
}

TEST(kandahar_is_within_460_km_of_kabul_not_within_458)
{
	struct cc_exposure_incident in[] = { inc(31.6289, 65.7372, DAY0, DAY0, 4, 0) };
	struct cc_exposure_result r;

	r = one(34.5553, 69.2075, in, 1, 460, 30, DAY0);
	check_int(r.n_now, ==, 1);
	check_dbl(r.fat_now, 4, 0);
	check_int(r.dominant_type, ==, 0);
	r = one(34.5553, 69.2075, in, 1, 458, 30, DAY0);
	check_int(r.n_now, ==, 0);
	check_int(r.dominant_type, ==, -1);
}

TEST(an_incident_exactly_on_the_radius_counts)
{
	/* the rule: distance <= radius. On the equator 1° of longitude is 111.1951 km. */
	struct cc_exposure_incident in[] = { inc(0, 1, DAY0, DAY0, 1, 0) };
	double d = cc_haversine_km(0, 0, 0, 1);

	check_dbl(d, 111.1951, 0.0001);
	check_int(one(0, 0, in, 1, d, 10, DAY0).n_now, ==, 1);
	check_int(one(0, 0, in, 1, nextafter(d, 0), 10, DAY0).n_now, ==, 0);
}

TEST(sites_across_the_antimeridian)
{
	/*
	 * At latitude 63.28° a degree of longitude is 111.1951 × cos 63.28° = 49.99 km, so 179.9 E
	 * and 179.9 W (0.2° apart across ±180) are 10.00 km apart; going the other way round
	 * they would be 359.8° apart.
	 */
	struct cc_exposure_incident in[] = { inc(63.28, -179.9, DAY0, DAY0, 2, 1),
		                             inc(63.28, 179.95, DAY0, DAY0, 1, 1),
		                             inc(63.28, 0, DAY0, DAY0, 100, 1) };
	double d = cc_haversine_km(63.28, 179.9, 63.28, -179.9);
	struct cc_exposure_result r;

	check_dbl(d, 111.1951 * cos(63.28 * M_PI / 180) * 0.2, 0.001);
	check_dbl(d, 10.0, 0.01);
	r = one(63.28, 179.9, in, 3, 10.5, 30, DAY0);
	check_int(r.n_now, ==, 2);
	check_dbl(r.fat_now, 3, 0);
	r = one(63.28, 179.9, in, 3, 9.5, 30, DAY0); /* only the one 0.05° (2.5 km) away */
	check_int(r.n_now, ==, 1);
	r = one(63.28, -179.9, in, 3, 10.5, 30, DAY0);
	check_int(r.n_now, ==, 2);
	r = one(63.28, -180, in, 3, 5.1, 30,
	        DAY0); /* 0.1° = 5.0 km to 179.9 W, 2.5 km to 179.95 E */
	check_int(r.n_now, ==, 2);
}

TEST(sites_at_and_near_a_pole)
{
	/*
	 * 89.99 N at 0° and at 180° are 0.02° of a meridian apart across the pole: 2.224 km.
	 * The pole itself is 0.01° = 1.112 km from both; 89.95 N is 0.05° = 5.56 km from it
	 * whatever the longitude.
	 */
	struct cc_exposure_incident in[] = { inc(89.99, 180, DAY0, DAY0, 1, 0),
		                             inc(90, 45, DAY0, DAY0, 1, 0),
		                             inc(89.95, -120, DAY0, DAY0, 1, 0),
		                             inc(89.95, 60, DAY0, DAY0, 1, 0),
		                             inc(-89.99, 0, DAY0, DAY0, 1, 0) };

	check_dbl(cc_haversine_km(89.99, 0, 89.99, 180), 2.2239, 0.0001);
	check_int(one(89.99, 0, in, 5, 2.3, 30, DAY0).n_now, ==, 2);
	check_int(one(89.99, 0, in, 5, 1.0, 30, DAY0).n_now, ==, 0);
	check_int(one(90, 0, in, 5, 5.6, 30, DAY0).n_now, ==, 4);
	check_int(one(90, 0, in, 5, 5.5, 30, DAY0).n_now, ==, 2);
	check_int(one(-90, 77, in, 5, 1.2, 30, DAY0).n_now, ==, 1);
}

TEST(a_window_cuts_a_multi_day_event)
{
	/*
	 * D = 10 days up to AT = DAY0+100: window DAY0+91 … DAY0+100, previous DAY0+81 … DAY0+90.
	 * The rule: an event counts in every window its days overlap, with all its fatalities.
	 */
	int32_t at = DAY0 + 100;
	struct cc_exposure_incident in[] = {
		inc(0, 0, DAY0 + 85, DAY0 + 95, 10, 0),  /* both windows */
		inc(0, 0, DAY0 + 70, DAY0 + 80, 100, 0), /* ends the day before the previous one */
		inc(0, 0, DAY0 + 80, DAY0 + 81, 1, 0),   /* last day in the previous window */
		inc(0, 0, DAY0 + 100, DAY0 + 110, 2, 0), /* starts on AT */
		inc(0, 0, DAY0 + 101, DAY0 + 101, 1000, 0), /* after AT */
		inc(0, 0, DAY0 + 91, DAY0 + 91, 20, 0),     /* first day of the window */
		inc(0, 0, DAY0 + 90, DAY0 + 90, 40, 0),     /* last day of the previous window */
	};
	struct cc_exposure_result r = one(0, 0, in, 7, 1, 10, at);

	check_int(r.n_now, ==, 3);
	check_dbl(r.fat_now, 10 + 2 + 20, 0);
	check_int(r.n_prev, ==, 3);
	check_dbl(r.fat_prev, 10 + 1 + 40, 0);
}

TEST(no_incidents_and_no_sites)
{
	struct cc_exposure_site s = { .lat = 1, .lon = 2 };
	struct cc_exposure_result r;
	struct cc_err err = { 0 };

	r = one(1, 2, NULL, 0, 10, 30, DAY0);
	check_int(r.n_now, ==, 0);
	check_int(r.n_prev, ==, 0);
	check_dbl(r.fat_now, 0, 0);
	check_int(r.dominant_type, ==, -1);
	check_int(cc_exposure_sites(NULL, 0, NULL, 0, &(struct cc_exposure_opts){ .at = DAY0 },
	                            NULL, &err),
	          ==, 0);
	/* errors say what is wrong */
	s.lat = 91;
	check_int(cc_exposure_sites(&s, 1, NULL, 0, &(struct cc_exposure_opts){ .at = DAY0 }, &r,
	                            &err),
	          ==, CC_EINVALID);
	check(strstr(err.msg, "site 0") != NULL);
	s.lat = 1;
	check_int(cc_exposure_sites(&s, 1, NULL, 0,
	                            &(struct cc_exposure_opts){ .at = DAY0, .radius_km = -1 }, &r,
	                            &err),
	          ==, CC_EINVALID);
	check_int(cc_exposure_sites(&s, 1, NULL, 0, &(struct cc_exposure_opts){ .at = INT32_MIN },
	                            &r, &err),
	          ==, CC_EINVALID);
}

TEST(dominant_type_and_ties)
{
	struct cc_exposure_incident in[] = {
		inc(0, 0, DAY0, DAY0, 0, 2), inc(0, 0, DAY0, DAY0, 0, 1),
		inc(0, 0, DAY0, DAY0, 0, 2), inc(0, 0, DAY0, DAY0, 0, 1),
		inc(0, 0, DAY0, DAY0, 0, 3), inc(0, 0, DAY0, DAY0, 0, -1)
	};

	check_int(one(0, 0, in, 6, 1, 5, DAY0).dominant_type, ==, 1); /* 2 × type 1, 2 × type 2 */
	check_int(one(0, 0, in, 3, 1, 5, DAY0).dominant_type, ==, 2);
	check_int(one(0, 0, in + 5, 1, 1, 5, DAY0).dominant_type, ==, -1); /* unknown type */
}

TEST(violence_rate_per_100k)
{
	/* DOMAIN.md §2.11: 37 fatalities in a year in a district of 412,000 → 8.98 per 100,000 */
	struct cc_exposure_area areas[] = { { .id = 7, .parent_id = 3, .population = 412000 },
		                            { .id = 3, .parent_id = 0, .population = -1 },
		                            { .id = 9, .parent_id = 3, .population = 0 } };
	struct cc_exposure_incident in[] = { inc(0, 0, DAY0, DAY0, 30, 0),
		                             inc(0, 0, DAY0 - 100, DAY0 - 100, 7, 0),
		                             inc(0, 0, DAY0 - 400, DAY0 - 400, 5, 0),
		                             inc(0, 0, DAY0 - 10, DAY0 - 10, 2, 0) };
	struct cc_exposure_area_result r[3];
	struct cc_err err = { 0 };

	check_dbl(cc_rate_per_100k(37, 412000), 8.98, 0.005);
	check(isnan(cc_rate_per_100k(37, 0)));
	in[0].area_id = in[1].area_id = in[2].area_id = 7;
	in[3].area_id = 9;
	check_int(cc_exposure_areas(areas, 3, in, 4,
	                            &(struct cc_exposure_opts){ .window_days = 365, .at = DAY0 }, r,
	                            &err),
	          ==, 0);
	check_int(r[0].n_now, ==, 2);
	check_dbl(r[0].fat_now, 37, 0);
	check_int(r[0].n_prev, ==, 1);
	check_dbl(r[0].fat_prev, 5, 0);
	check_dbl(r[0].fat_rate_now, 8.98, 0.005);
	check_dbl(r[0].fat_rate_year, 8.98, 0.005);
	check_dbl(r[0].rate_now, 2 / 412000.0 * 1e5, 1e-12);
	check_int(r[1].n_now, ==, 3); /* the parent counts its children's incidents */
	check_dbl(r[1].fat_now, 39, 0);
	check(isnan(r[1].fat_rate_now)); /* population unknown */
	check(isnan(r[2].fat_rate_now)); /* population 0 */
	/* 9 fatalities in a quarter of 91 days: 9 / 412,000 × 100,000 × 365/91 = 8.76 a year */
	in[0].fatalities = 9;
	check_int(cc_exposure_areas(areas, 1, in, 1,
	                            &(struct cc_exposure_opts){ .window_days = 91, .at = DAY0 }, r,
	                            &err),
	          ==, 0);
	check_dbl(r[0].fat_rate_now, 2.1845, 0.0001);
	check_dbl(r[0].fat_rate_year, 8.762, 0.001);
}

/* ---- against brute force ---- */

static uint64_t rng = 88172645463325252ull;

static double uniform(void) /* xorshift64, [0, 1) */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* The test's own great-circle distance: spherical law of cosines is ill-conditioned for
   short distances, so this is haversine written independently, in long double. */
#define PI_L 3.14159265358979323846264338327950288L

static double brute_km(double lat1, double lon1, double lat2, double lon2)
{
	long double p1 = (long double)lat1 * PI_L / 180, p2 = (long double)lat2 * PI_L / 180;
	long double dp = (long double)(lat2 - lat1) * PI_L / 180;
	long double dl = (long double)(lon2 - lon1) * PI_L / 180;
	long double a =
	        sinl(dp / 2) * sinl(dp / 2) + cosl(p1) * cosl(p2) * sinl(dl / 2) * sinl(dl / 2);

	return (double)(2 * 6371.0088L * asinl(sqrtl(a > 1 ? 1 : a)));
}

TEST(equals_brute_force_on_random_data)
{
	enum { N_INC = 2000, N_SITES = 200, N_CENTRES = 8 };
	/* clusters, as real events are; two across the antimeridian, one near the north pole */
	static const double centres[N_CENTRES][2] = { { 34.5, 69.2 },  { 31.6, 65.7 },
		                                      { 4.4, 18.6 },   { 63.3, 179.95 },
		                                      { -17, -179.9 }, { 89.9, 10 },
		                                      { 0, 0 },        { -45, 170 } };
	static struct cc_exposure_incident in[N_INC];
	static struct cc_exposure_site s[N_SITES];
	static struct cc_exposure_result r[N_SITES];
	struct cc_err err = { 0 };
	const double radius[] = { 25, 120, 3 };
	int32_t at = DAY0 + 500;
	int days = 60, bad = 0;
	size_t total = 0;

	for (int i = 0; i < N_INC; i++) {
		const double *c = centres[i % N_CENTRES];
		double lat = c[0] + (uniform() - 0.5) * 2, lon = c[1] + (uniform() - 0.5) * 4;
		int32_t d = DAY0 + (int32_t)(uniform() * 600);

		lat = lat > 90 ? 180 - lat : lat;
		lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
		in[i] = inc(lat, lon, d, d + (uniform() < 0.2 ? (int32_t)(uniform() * 40) : 0),
		            (double)(int)(uniform() * 5), (int)(uniform() * 4));
	}
	for (int i = 0; i < N_SITES; i++) {
		const double *c = centres[(i * 7) % N_CENTRES];
		double lat = c[0] + (uniform() - 0.5) * 2, lon = c[1] + (uniform() - 0.5) * 4;

		s[i].lat = lat > 90 ? 180 - lat : lat;
		s[i].lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
	}
	for (size_t k = 0; k < sizeof(radius) / sizeof(radius[0]); k++) {
		if (!check_int(cc_exposure_sites(s, N_SITES, in, N_INC,
		                                 &(struct cc_exposure_opts){ .radius_km = radius[k],
		                                                             .window_days = days,
		                                                             .at = at,
		                                                             .n_types = 4 },
		                                 r, &err),
		               ==, 0))
			return;
		for (int i = 0; i < N_SITES; i++) {
			size_t now = 0, prev = 0;
			double fnow = 0, fprev = 0;

			for (int j = 0; j < N_INC; j++) {
				if (brute_km(s[i].lat, s[i].lon, in[j].lat, in[j].lon) > radius[k])
					continue;
				if (in[j].date <= at && in[j].date_end > at - days) {
					now++;
					fnow += in[j].fatalities;
				}
				if (in[j].date <= at - days && in[j].date_end > at - 2 * days) {
					prev++;
					fprev += in[j].fatalities;
				}
			}
			total += now;
			if (r[i].n_now != now || r[i].n_prev != prev || r[i].fat_now != fnow ||
			    r[i].fat_prev != fprev) {
				if (bad++ < 5)
					printf("# radius %g site %d (%g, %g): %zu/%zu vs brute "
					       "%zu/%zu\n",
					       radius[k], i, s[i].lat, s[i].lon, r[i].n_now,
					       r[i].n_prev, now, prev);
			}
		}
	}
	check_int(bad, ==, 0);
	check(total > 500); /* the comparison was not vacuous */
}

/* The point at distance d_km from (lat, lon) along bearing brg (radians), on the sphere. */
static void destination(double lat, double lon, double brg, double d_km, double *lat_out,
                        double *lon_out)
{
	double p1 = lat * M_PI / 180, l1 = lon * M_PI / 180, t = d_km / 6371.0088;
	double p2 = asin(sin(p1) * cos(t) + cos(p1) * sin(t) * cos(brg));
	double l2 = l1 + atan2(sin(brg) * sin(t) * cos(p1), cos(t) - sin(p1) * sin(p2));

	*lat_out = p2 * 180 / M_PI;
	*lon_out = remainder(l2 * 180 / M_PI, 360);
	if (*lon_out < -180)
		*lon_out += 360;
	if (*lon_out > 180)
		*lon_out -= 360;
}

TEST(per_site_reference_dates_equal_brute_force)
{
	/*
	 * Every site has its own reference date over six years of incidents; each site's counts
	 * must be those of the brute force with its own windows. Sites on the antimeridian and
	 * near the poles are among them, and 20 % of the incidents last up to 200 days, so
	 * windows cut them.
	 */
	enum { N_INC = 3000, N_SITES = 300, N_CENTRES = 6 };
	static const double centres[N_CENTRES][2] = { { 34.5, 69.2 }, { 63.3, 179.95 },
		                                      { -17, -179.9 }, { 89.9, 10 },
		                                      { -89.8, -60 },  { 4.4, 18.6 } };
	static struct cc_exposure_incident in[N_INC];
	static struct cc_exposure_site s[N_SITES];
	static struct cc_exposure_result r[N_SITES], alone;
	const double radius[] = { 40, 7 };
	int days = 45, bad = 0;
	size_t total = 0, total_prev = 0;

	for (int i = 0; i < N_INC; i++) {
		const double *c = centres[i % N_CENTRES];
		double lat = c[0] + (uniform() - 0.5), lon = c[1] + (uniform() - 0.5) * 3;
		int32_t d = DAY0 + (int32_t)(uniform() * 2200);

		lat = lat > 90 ? 180 - lat : lat < -90 ? -180 - lat : lat;
		lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
		in[i] = inc(lat, lon, d, d + (uniform() < 0.2 ? (int32_t)(uniform() * 200) : 0),
		            (double)(int)(uniform() * 9), (int)(uniform() * 3));
	}
	for (int i = 0; i < N_SITES; i++) {
		const double *c = centres[(i * 5) % N_CENTRES];
		double lat = c[0] + (uniform() - 0.5), lon = c[1] + (uniform() - 0.5) * 3;

		s[i].lat = lat > 90 ? 180 - lat : lat < -90 ? -180 - lat : lat;
		s[i].lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
		s[i].at = DAY0 + (int32_t)(uniform() * 2400) - 100;
	}
	for (size_t k = 0; k < sizeof(radius) / sizeof(radius[0]); k++) {
		struct cc_exposure_opts o = { .radius_km = radius[k],
			                      .window_days = days,
			                      .per_site_at = true,
			                      .n_types = 3 };

		if (!check_int(cc_exposure_sites(s, N_SITES, in, N_INC, &o, r, NULL), ==, 0))
			return;
		for (int i = 0; i < N_SITES; i++) {
			size_t now = 0, prev = 0;
			double fnow = 0, fprev = 0;
			int32_t at = s[i].at;

			for (int j = 0; j < N_INC; j++) {
				if (brute_km(s[i].lat, s[i].lon, in[j].lat, in[j].lon) > radius[k])
					continue;
				if (in[j].date <= at && in[j].date_end > at - days) {
					now++;
					fnow += in[j].fatalities;
				}
				if (in[j].date <= at - days && in[j].date_end > at - 2 * days) {
					prev++;
					fprev += in[j].fatalities;
				}
			}
			total += now;
			total_prev += prev;
			if (r[i].n_now != now || r[i].n_prev != prev || r[i].fat_now != fnow ||
			    r[i].fat_prev != fprev) {
				if (bad++ < 5)
					printf("# radius %g site %d (%g, %g) at %d: %zu/%zu vs "
					       "brute %zu/%zu\n",
					       radius[k], i, s[i].lat, s[i].lon, at, r[i].n_now,
					       r[i].n_prev, now, prev);
			}
			/* the same site alone, with its date as the common one */
			o.per_site_at = false;
			o.at = at;
			cc_exposure_sites(&s[i], 1, in, N_INC, &o, &alone, NULL);
			o.per_site_at = true;
			if (memcmp(&alone, &r[i], sizeof(alone)) != 0 && bad++ < 5)
				printf("# site %d alone differs\n", i);
		}
	}
	check_int(bad, ==, 0);
	check(total > 300); /* the comparison was not vacuous */
	check(total_prev > 300);
}

TEST(per_site_windows_cut_a_multi_day_event)
{
	/* one event over days DAY0+10 … DAY0+30; D = 5: which sites' windows meet it */
	struct cc_exposure_incident in[] = { inc(10, 10, DAY0 + 10, DAY0 + 30, 7, 0) };
	struct cc_exposure_site s[] = {
		{ .lat = 10, .lon = 10, .at = DAY0 + 9 },  /* before it: nothing */
		{ .lat = 10, .lon = 10, .at = DAY0 + 10 }, /* its first day: now */
		{ .lat = 10, .lon = 10, .at = DAY0 + 14 }, /* now, and prev ends DAY0+9: not prev */
		{ .lat = 10, .lon = 10, .at = DAY0 + 15 }, /* now and prev (DAY0+6 … DAY0+10) */
		{ .lat = 10, .lon = 10, .at = DAY0 + 35 }, /* now DAY0+31 …: no; prev …+30: yes */
		{ .lat = 10, .lon = 10, .at = DAY0 + 36 }, /* prev DAY0+27 … DAY0+31: yes */
		{ .lat = 10, .lon = 10, .at = DAY0 + 40 }, /* prev DAY0+31 …: neither */
	};
	struct cc_exposure_result r[7];
	const size_t want_now[] = { 0, 1, 1, 1, 0, 0, 0 };
	const size_t want_prev[] = { 0, 0, 0, 1, 1, 1, 0 };

	check_int(cc_exposure_sites(s, 7, in, 1,
	                            &(struct cc_exposure_opts){ .radius_km = 1,
	                                                        .window_days = 5,
	                                                        .per_site_at = true,
	                                                        .n_types = 1 },
	                            r, NULL),
	          ==, 0);
	for (int i = 0; i < 7; i++) {
		check_int(r[i].n_now, ==, want_now[i]);
		check_int(r[i].n_prev, ==, want_prev[i]);
		check_dbl(r[i].fat_now, 7.0 * (double)want_now[i], 0);
	}
	/* a site without a date is refused when dates are per site */
	s[2].at = INT32_MIN;
	check_int(cc_exposure_sites(s, 7, in, 1,
	                            &(struct cc_exposure_opts){ .window_days = 5,
	                                                        .per_site_at = true },
	                            r, NULL),
	          ==, CC_EINVALID);
}

TEST(near_the_radius_the_haversine_decides)
{
	/*
	 * Incidents placed within a few parts in 1e9 of the radius, on both sides, around sites
	 * at ordinary places, on the antimeridian and at a pole: each counts exactly when the
	 * library's haversine says distance <= radius (the rule), whatever the chord says.
	 */
	enum { N = 4000 };
	static struct cc_exposure_incident in[N];
	const double sites[][2] = { { 34.5, 69.2 }, { 0, 180 }, { -63, -179.99 }, { 89.999, 0 } };
	const double radius[] = { 10, 0.05, 2000 };
	int bad = 0, inside = 0, outside = 0;

	for (size_t k = 0; k < sizeof(radius) / sizeof(radius[0]); k++) {
		for (size_t si = 0; si < sizeof(sites) / sizeof(sites[0]); si++) {
			struct cc_exposure_result r;
			size_t want = 0;

			for (int i = 0; i < N; i++) {
				double lat, lon, f = 1 + (uniform() - 0.5) * 1e-8;

				destination(sites[si][0], sites[si][1], uniform() * 2 * M_PI,
				            radius[k] * f, &lat, &lon);
				in[i] = inc(lat, lon, DAY0, DAY0, 1, 0);
				if (cc_haversine_km(sites[si][0], sites[si][1], lat, lon) <=
				    radius[k])
					want++;
			}
			r = one(sites[si][0], sites[si][1], in, N, radius[k], 10, DAY0);
			inside += want > 0;
			outside += want < N;
			if (r.n_now != want && bad++ < 5)
				printf("# radius %g site %zu: %zu vs haversine %zu\n", radius[k], si,
				       r.n_now, want);
		}
	}
	check_int(bad, ==, 0);
	check_int(inside, ==, 12);  /* both sides of the radius were tried everywhere */
	check_int(outside, ==, 12);
}

TEST(a_radius_past_the_antipode_takes_everything)
{
	struct cc_exposure_incident in[] = { inc(-34.5, -110.8, DAY0, DAY0, 1, 0),
		                             inc(0, 0, DAY0, DAY0, 1, 0) };
	double half = cc_haversine_km(0, 0, 0, 180); /* πR */

	check_dbl(half, 20015.1144, 0.0001);
	check_int(one(34.5, 69.2, in, 2, 20100, 10, DAY0).n_now, ==, 2);
	check_int(one(34.5, 69.2, in, 2, half, 10, DAY0).n_now, ==, 2);
	check_int(one(34.5, 69.2, in, 1, 20000, 10, DAY0).n_now, ==, 0); /* the antipode */
	check_int(one(34.5, 69.2, in, 2, 19990, 10, DAY0).n_now, ==, 1);
}

TEST(threads_give_the_same_results)
{
	enum { N_INC = 3000, N_SITES = 6000 };
	static struct cc_exposure_incident in[N_INC];
	static struct cc_exposure_site s[N_SITES];
	static struct cc_exposure_result r1[N_SITES], r4[N_SITES], ra[N_SITES];
	struct cc_exposure_opts o = {
		.radius_km = 30, .window_days = 90, .at = DAY0 + 200, .n_types = 5, .threads = 1
	};
	size_t total = 0;
	int diff = 0;

	for (int i = 0; i < N_INC; i++) {
		int32_t d = DAY0 + (int32_t)(uniform() * 200);

		in[i] = inc(30 + uniform() * 3, 65 + uniform() * 3, d, d, (double)(i % 4), i % 5);
	}
	for (int i = 0; i < N_SITES; i++)
		s[i] = (struct cc_exposure_site){ .lat = 30 + uniform() * 3,
			                          .lon = 65 + uniform() * 3 };
	check_int(cc_exposure_sites(s, N_SITES, in, N_INC, &o, r1, NULL), ==, 0);
	o.threads = 4;
	check_int(cc_exposure_sites(s, N_SITES, in, N_INC, &o, r4, NULL), ==, 0);
	o.threads = 0; /* as many as the machine has */
	check_int(cc_exposure_sites(s, N_SITES, in, N_INC, &o, ra, NULL), ==, 0);
	for (int i = 0; i < N_SITES; i++) {
		total += r1[i].n_now;
		diff += memcmp(&r1[i], &r4[i], sizeof(r1[i])) != 0;
		diff += memcmp(&r1[i], &ra[i], sizeof(r1[i])) != 0;
	}
	check_int(diff, ==, 0);
	check(total > 10000);
}

TEST(every_allocation_failure_is_enomem)
{
	struct cc_exposure_incident in[64];
	struct cc_exposure_site s[8];
	struct cc_exposure_result r[8];
	struct cc_exposure_area areas[] = { { .id = 1, .population = 100 } };
	struct cc_exposure_area_result ar[1];
	struct cc_err err;
	int ret = -1, n_fail = 0;

	for (int i = 0; i < 64; i++) {
		in[i] = inc(i * 0.01, i * 0.01, DAY0 - i, DAY0 - i, 1, i % 3);
		in[i].area_id = 1;
	}
	for (int i = 0; i < 8; i++)
		s[i] = (struct cc_exposure_site){ .lat = i * 0.05, .lon = i * 0.05 };
	for (long n = 0; n < 1000; n++) {
		memset(&err, 0, sizeof(err));
		cc_test_fail_alloc_after(n);
		ret = cc_exposure_sites(
		        s, 8, in, 64,
		        &(struct cc_exposure_opts){
		                .radius_km = 5, .window_days = 30, .at = DAY0, .n_types = 3 },
		        r, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM) || !check_int(r[0].n_now, ==, 0))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail >= 3);
	check_int(r[0].n_now, >, 0);
	n_fail = 0;
	for (long n = 0; n < 1000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_exposure_areas(areas, 1, in, 64,
		                        &(struct cc_exposure_opts){ .window_days = 30, .at = DAY0 },
		                        ar, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
	}
	check_int(ret, ==, 0);
	check_int(n_fail, ==, 1);
	check_int(ar[0].n_now, ==, 30); /* days DAY0-29 … DAY0 */
}
