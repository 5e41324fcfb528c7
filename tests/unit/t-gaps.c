/*
 * cc_gaps_compute: hand-computed cases (DOMAIN.md §2.12's example, reach max against sum, "no
 * data" against zero coverage, missing severity, levels, pillars, intersectoral needs), errors,
 * allocation failures, and a random comparison with a naive implementation written here.
 */
#include <concord/gaps.h>

#include <math.h>
#include <stdint.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/report.h>

#include "tap.h"

#define NA ((double)NAN)

/*
 * AF  Afghanistan (1)
 * ├── AF01 Kabul (10)   ├── AF0101 Kabul City (101)   └── AF0102 Paghman (102)
 * └── AF02 Herat (20)   ├── AF0201 Herat City (201)   └── AF0202 Guzara (202)
 */
static const struct cc_area areas[] = {
	{ .id = 202, .pcode = "AF0202", .name = "Guzara", .level = 2, .parent_id = 20 },
	{ .id = 10, .pcode = "AF01", .name = "Kabul", .level = 1, .parent_id = 1 },
	{ .id = 101, .pcode = "AF0101", .name = "Kabul City", .level = 2, .parent_id = 10 },
	{ .id = 1, .pcode = "AF", .name = "Afghanistan", .level = 0, .parent_id = 0 },
	{ .id = 201, .pcode = "AF0201", .name = "Herat City", .level = 2, .parent_id = 20 },
	{ .id = 20, .pcode = "AF02", .name = "Herat", .level = 1, .parent_id = 1 },
	{ .id = 102, .pcode = "AF0102", .name = "Paghman", .level = 2, .parent_id = 10 },
};
#define N_AREAS (sizeof(areas) / sizeof(areas[0]))

enum { HEA = 5, FSC = 6, EDU = 7 };
static const struct cc_gap_sector sectors[] = {
	{ .id = HEA, .code = "HEA", .name = "Health" },
	{ .id = FSC, .code = "FSC", .name = "Food Security" },
	{ .id = EDU, .code = "EDU", .name = "Education" },
};
#define N_SECTORS (sizeof(sectors) / sizeof(sectors[0]))
#define INFRA     CC_PILLAR_INFRASTRUCTURE
#define HUM       CC_PILLAR_HUMANITARIAN

/* A reached figure of org in area and sector (pillar column as the store would set it). */
#define REC(org_, area_, sector_, col_, reached_)                                                 \
	{                                                                                         \
		.activity_id = 0, .org_id = (org_), .area_id = (area_), .sector_id = (sector_),   \
		.column = (col_), .kind = CC_KIND_ACTIVITY, .targeted = NA, .reached = (reached_) \
	}

static const struct cc_gap_row *row(const struct cc_gaps *g, const char *pcode, const char *key)
{
	for (size_t i = 0; i < g->n_rows; i++)
		if (!strcmp(g->rows[i].pcode, pcode) && !strcmp(g->rows[i].key_code, key))
			return &g->rows[i];
	return NULL;
}

static int compute(const struct cc_gap_need *n, size_t nn, const struct cc_coverage_record *r,
                   size_t nr, struct cc_gap_opts o, struct cc_gaps *g)
{
	struct cc_err err = { 0 };

	return cc_gaps_compute(n, nn, r, nr, areas, N_AREAS, sectors, N_SECTORS, &o, g, &err);
}

TEST(domain_example)
{
	/* DOMAIN.md §2.12: severity 4, PIN 120,000, reached 45,000 → 0.625 → 300,000 */
	const struct cc_gap_need n[] = { { .area_id = 10,
		                           .sector_id = HEA,
		                           .pillar = INFRA,
		                           .in_need = 120000,
		                           .severity = 4 } };
	const struct cc_coverage_record r[] = { REC(1, 10, HEA, INFRA, 45000) };
	struct cc_gaps g;
	const struct cc_gap_row *x;

	check_int(compute(n, 1, r, 1, (struct cc_gap_opts){ .level = 1 }, &g), ==, 0);
	check_int(g.n_rows, ==, 1);
	x = row(&g, "AF01", "HEA");
	if (check(x != NULL)) {
		check_dbl(x->covered, 45000, 0);
		check_dbl(x->shortfall, 0.625, 1e-12);
		check_dbl(x->gap, 300000, 1e-6);
		check_dbl(x->unmet, 75000, 1e-6);
		check_int(x->status, ==, CC_GAP_SCORED);
		check_str(x->key_name, "Health");
	}
	cc_gaps_release(&g);
}

TEST(reach_max_and_sum)
{
	/*
	 * Herat FSC: PIN 100,000, severity 3. Org 1 reaches 30,000 in Herat City and 10,000 in
	 * Guzara (its own records add up: 40,000); org 2 reaches 25,000; org 3 is present only.
	 * max: 40,000 → shortfall 0.6 → gap 3 × 100,000 × 0.6 = 180,000.
	 * sum: 65,000 → shortfall 0.35 → gap 105,000.
	 */
	const struct cc_gap_need n[] = {
		{ .area_id = 20, .sector_id = FSC, .pillar = HUM, .in_need = 100000, .severity = 3 }
	};
	struct cc_coverage_record r[] = {
		REC(1, 201, FSC, HUM, 30000),
		REC(1, 202, FSC, HUM, 10000),
		REC(2, 201, FSC, HUM, 25000),
		REC(3, 20, FSC, HUM, NA),
	};
	struct cc_gaps g;
	const struct cc_gap_row *x;

	r[3].kind = CC_KIND_PRESENCE;
	check_int(compute(n, 1, r, 4, (struct cc_gap_opts){ .level = 1 }, &g), ==, 0);
	x = row(&g, "AF02", "FSC");
	if (check(x != NULL)) {
		check_dbl(x->covered, 40000, 0);
		check_dbl(x->gap, 180000, 1e-6);
		check_int(x->n_orgs, ==, 2);
		check_int(x->n_records, ==, 4);
	}
	cc_gaps_release(&g);
	check_int(
	        compute(n, 1, r, 4, (struct cc_gap_opts){ .level = 1, .reach = CC_REACH_SUM }, &g),
	        ==, 0);
	x = row(&g, "AF02", "FSC");
	if (check(x != NULL)) {
		check_dbl(x->covered, 65000, 0);
		check_dbl(x->shortfall, 0.35, 1e-12);
		check_dbl(x->gap, 105000, 1e-6);
	}
	cc_gaps_release(&g);
	/* planning: targeted figures instead (none here: "no figures") */
	check_int(compute(n, 1, r, 4, (struct cc_gap_opts){ .level = 1, .planning = true }, &g), ==,
	          0);
	x = row(&g, "AF02", "FSC");
	if (check(x != NULL))
		check_int(x->status, ==, CC_GAP_NO_FIGURES);
	cc_gaps_release(&g);
}

TEST(no_data_is_not_zero)
{
	/*
	 * Kabul FSC 5,000 sev 2: no record → no data. Herat HEA 8,000 sev 5: a presence row only →
	 * no figures. Kabul EDU 2,000 sev 3: reached 0 → zero coverage, shortfall 1, gap 6,000.
	 * Herat FSC 1,000 sev 4, reached 1,500 → shortfall 0 (never negative), gap 0.
	 * Kabul HEA PIN 0 sev 1, reached 10 → shortfall 0, gap 0.
	 */
	const struct cc_gap_need n[] = {
		{ .area_id = 10, .sector_id = FSC, .pillar = HUM, .in_need = 5000, .severity = 2 },
		{ .area_id = 20,
		  .sector_id = HEA,
		  .pillar = INFRA,
		  .in_need = 8000,
		  .severity = 5 },
		{ .area_id = 10,
		  .sector_id = EDU,
		  .pillar = INFRA,
		  .in_need = 2000,
		  .severity = 3 },
		{ .area_id = 20, .sector_id = FSC, .pillar = HUM, .in_need = 1000, .severity = 4 },
		{ .area_id = 10, .sector_id = HEA, .pillar = INFRA, .in_need = 0, .severity = 1 },
	};
	struct cc_coverage_record r[] = {
		REC(1, 20, HEA, INFRA, NA),
		REC(2, 101, EDU, INFRA, 0),
		REC(3, 202, FSC, HUM, 1500),
		REC(3, 10, HEA, INFRA, 10),
	};
	struct cc_gaps g;
	const struct cc_gap_row *x;

	r[0].kind = CC_KIND_PRESENCE;
	check_int(compute(n, 5, r, 4, (struct cc_gap_opts){ .level = 1 }, &g), ==, 0);
	check_int(g.n_rows, ==, 5);
	check_int(g.n_scored, ==, 3);
	x = row(&g, "AF01", "FSC");
	if (check(x != NULL)) {
		check_int(x->status, ==, CC_GAP_NO_DATA);
		check(isnan(x->covered) && isnan(x->gap) && isnan(x->shortfall));
	}
	x = row(&g, "AF02", "HEA");
	if (check(x != NULL)) {
		check_int(x->status, ==, CC_GAP_NO_FIGURES);
		check_int(x->n_records, ==, 1);
		check(isnan(x->gap));
	}
	x = row(&g, "AF01", "EDU");
	if (check(x != NULL)) {
		check_int(x->status, ==, CC_GAP_SCORED);
		check_dbl(x->covered, 0, 0);
		check_dbl(x->shortfall, 1, 0);
		check_dbl(x->gap, 6000, 0);
	}
	x = row(&g, "AF02", "FSC");
	if (check(x != NULL))
		check_dbl(x->gap, 0, 0);
	x = row(&g, "AF01", "HEA");
	if (check(x != NULL))
		check_dbl(x->shortfall, 0, 0);
	/* ranking: scored by gap first (EDU 6,000, then the two zeros by P-code), then no data
	 * and no figures by PIN (Herat HEA 8,000 before Kabul FSC 5,000) */
	check_str(g.rows[0].key_code, "EDU");
	check_str(g.rows[1].pcode, "AF01");
	check_str(g.rows[2].pcode, "AF02");
	check_str(g.rows[3].key_code, "HEA");
	check_str(g.rows[4].key_code, "FSC");
	check_int(g.rows[4].status, ==, CC_GAP_NO_DATA);
	cc_gaps_release(&g);
}

TEST(severity_missing)
{
	/*
	 * Kabul HEA PIN 1,000 without severity, reached 250 → shortfall 0.75, unmet 750, no gap.
	 * Herat HEA PIN 10 sev 1 reached 0 → gap 10: scored, so ranked first despite smaller need.
	 * Herat FSC: no PIN → last.
	 */
	const struct cc_gap_need n[] = {
		{ .area_id = 10,
		  .sector_id = HEA,
		  .pillar = INFRA,
		  .in_need = 1000,
		  .severity = 0 },
		{ .area_id = 20, .sector_id = HEA, .pillar = INFRA, .in_need = 10, .severity = 1 },
		{ .area_id = 20, .sector_id = FSC, .pillar = HUM, .in_need = NA, .severity = 3 },
	};
	const struct cc_coverage_record r[] = { REC(1, 10, HEA, INFRA, 250),
		                                REC(1, 20, HEA, INFRA, 0) };
	struct cc_gaps g;

	check_int(compute(n, 3, r, 2, (struct cc_gap_opts){ .level = 1 }, &g), ==, 0);
	check_int(g.n_rows, ==, 3);
	check_str(g.rows[0].pcode, "AF02");
	check_dbl(g.rows[0].gap, 10, 0);
	check_int(g.rows[1].status, ==, CC_GAP_NO_SEVERITY);
	check_dbl(g.rows[1].shortfall, 0.75, 1e-12);
	check_dbl(g.rows[1].unmet, 750, 1e-9);
	check(isnan(g.rows[1].gap));
	check_int(g.rows[1].severity, ==, 0);
	check_int(g.rows[2].status, ==, CC_GAP_NO_PIN);
	cc_gaps_release(&g);
}

TEST(levels)
{
	/*
	 * Kabul HEA: no province figure; Kabul City 1,000 sev 2 and Paghman 3,000 sev 4 → 4,000,
	 * severity 4. Herat FSC: the province's own 100,000 sev 3 wins over Herat City's 70,000.
	 * Two totals for Paghman HEA (3,000 and 2,500): the larger counts, never the sum.
	 * National (area 0) and AF (level 0) needs are above level 1.
	 */
	const struct cc_gap_need n[] = {
		{ .area_id = 101,
		  .sector_id = HEA,
		  .pillar = INFRA,
		  .in_need = 1000,
		  .severity = 2 },
		{ .area_id = 102,
		  .sector_id = HEA,
		  .pillar = INFRA,
		  .in_need = 3000,
		  .severity = 4 },
		{ .area_id = 102,
		  .sector_id = HEA,
		  .pillar = INFRA,
		  .in_need = 2500,
		  .severity = 1 },
		{ .area_id = 20,
		  .sector_id = FSC,
		  .pillar = HUM,
		  .in_need = 100000,
		  .severity = 3 },
		{ .area_id = 201,
		  .sector_id = FSC,
		  .pillar = HUM,
		  .in_need = 70000,
		  .severity = 5 },
		{ .area_id = 0, .sector_id = FSC, .pillar = HUM, .in_need = 9e6, .severity = 3 },
		{ .area_id = 1, .sector_id = 0, .pillar = 0, .in_need = 9e6, .severity = 3 },
	};
	const struct cc_coverage_record r[] = { REC(1, 1, HEA, INFRA, 5) };
	struct cc_gaps g;
	const struct cc_gap_row *x;

	check_int(compute(n, 7, r, 1, (struct cc_gap_opts){ .level = 1 }, &g), ==, 0);
	check_int(g.n_rows, ==, 2);
	check_int(g.n_needs_above, ==, 2);
	check_int(g.n_records_above, ==, 1);
	x = row(&g, "AF01", "HEA");
	if (check(x != NULL)) {
		check_dbl(x->in_need, 4000, 0);
		check_int(x->severity, ==, 4);
	}
	x = row(&g, "AF02", "FSC");
	if (check(x != NULL)) {
		check_dbl(x->in_need, 100000, 0);
		check_int(x->severity, ==, 3);
	}
	cc_gaps_release(&g);
	/* at level 2 the districts stand alone and Herat's own figure is above the level */
	check_int(compute(n, 7, r, 1, (struct cc_gap_opts){ .level = 2 }, &g), ==, 0);
	check_int(g.n_rows, ==, 3);
	check_int(g.n_needs_above, ==, 3);
	x = row(&g, "AF0102", "HEA");
	if (check(x != NULL))
		check_dbl(x->in_need, 3000, 0);
	cc_gaps_release(&g);
}

TEST(pillar_and_intersectoral)
{
	/*
	 * Kabul: HEA 120,000 sev 4 and EDU 50,000 sev 3 are both infrastructure → PIN 120,000
	 * (the largest, not 170,000), severity 4. Org 1 reaches 45,000 in HEA and 5,000 in EDU
	 * (its own: 50,000), org 2 30,000 in EDU → max 50,000 → shortfall 70/120, gap
	 * 4 × 120,000 × 70/120 = 280,000. Intersectoral Kabul need 200,000 sev 3 against all
	 * coverage: max(50,000, 30,000) + FSC org 2 10,000 → org 2 total 40,000, org 1 50,000 →
	 * 50,000 → gap 3 × 150,000 = 450,000.
	 */
	const struct cc_gap_need n[] = {
		{ .area_id = 10,
		  .sector_id = HEA,
		  .pillar = INFRA,
		  .in_need = 120000,
		  .severity = 4 },
		{ .area_id = 10,
		  .sector_id = EDU,
		  .pillar = INFRA,
		  .in_need = 50000,
		  .severity = 3 },
		{ .area_id = 10, .sector_id = 0, .pillar = 0, .in_need = 200000, .severity = 3 },
	};
	const struct cc_coverage_record r[] = {
		REC(1, 101, HEA, INFRA, 45000),
		REC(1, 10, EDU, INFRA, 5000),
		REC(2, 102, EDU, INFRA, 30000),
		REC(2, 102, FSC, HUM, 10000),
	};
	struct cc_gaps g;
	const struct cc_gap_row *x;

	check_int(
	        compute(n, 3, r, 4, (struct cc_gap_opts){ .level = 1, .by = CC_GAP_BY_PILLAR }, &g),
	        ==, 0);
	check_int(g.n_rows, ==, 2);
	x = row(&g, "AF01", "infrastructure");
	if (check(x != NULL)) {
		check_dbl(x->in_need, 120000, 0);
		check_int(x->severity, ==, 4);
		check_dbl(x->covered, 50000, 0);
		check_dbl(x->gap, 280000, 1e-6);
	}
	x = row(&g, "AF01", "ALL");
	if (check(x != NULL)) {
		check_dbl(x->covered, 50000, 0);
		check_dbl(x->gap, 450000, 1e-6);
	}
	cc_gaps_release(&g);
}

TEST(errors)
{
	const struct cc_gap_need n[] = {
		{ .area_id = 999, .sector_id = HEA, .in_need = 1, .severity = 1 }
	};
	const struct cc_gap_need ok[] = {
		{ .area_id = 10, .sector_id = HEA, .in_need = 1, .severity = 1 }
	};
	const struct cc_coverage_record r[] = { REC(1, 998, HEA, INFRA, 5) };
	struct cc_gaps g;
	struct cc_err err = { 0 };

	check_int(cc_gaps_compute(n, 1, NULL, 0, areas, N_AREAS, NULL, 0, NULL, &g, &err), ==,
	          CC_EINVALID);
	check(g.rows == NULL && g.n_rows == 0);
	check(strstr(err.msg, "999") != NULL);
	check_int(cc_gaps_compute(ok, 1, r, 1, areas, N_AREAS, NULL, 0, NULL, &g, &err), ==,
	          CC_EINVALID);
	check(strstr(err.msg, "998") != NULL);
	/* nothing at all */
	check_int(cc_gaps_compute(NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, &g, &err), ==, 0);
	check_int(g.n_rows, ==, 0);
	cc_gaps_release(&g);
	cc_gaps_release(NULL);
	/* a sector without a name shows its id */
	check_int(cc_gaps_compute(ok, 1, NULL, 0, areas, N_AREAS, NULL, 0, NULL, &g, &err), ==, 0);
	check_str(g.rows[0].key_code, "sector:5");
	check_int(g.rows[0].status, ==, CC_GAP_NO_DATA);
	cc_gaps_release(&g);
}

TEST(allocation_failures)
{
	const struct cc_gap_need n[] = {
		{ .area_id = 101,
		  .sector_id = HEA,
		  .pillar = INFRA,
		  .in_need = 1000,
		  .severity = 2 },
		{ .area_id = 20,
		  .sector_id = FSC,
		  .pillar = HUM,
		  .in_need = 100000,
		  .severity = 3 },
	};
	const struct cc_coverage_record r[] = { REC(1, 201, FSC, HUM, 30000),
		                                REC(2, 102, HEA, INFRA, 10) };
	struct cc_gaps g;
	int ret = -1;
	long k;

	for (k = 0; k < 100; k++) {
		struct cc_err err = { 0 };

		cc_test_fail_alloc_after(k);
		ret = cc_gaps_compute(n, 2, r, 2, areas, N_AREAS, sectors, N_SECTORS,
		                      &(struct cc_gap_opts){ .level = 1 }, &g, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
		check_int(err.code, ==, CC_ENOMEM);
		check(g.rows == NULL && g.n_rows == 0);
		cc_gaps_release(&g);
	}
	check_int(ret, ==, 0);
	check_int(k, >, 3);
	check_int(g.n_rows, ==, 2);
	const struct cc_gap_row *x = row(&g, "AF02", "FSC");
	if (check(x != NULL))
		check_dbl(x->gap, 3 * 100000 * 0.7, 1e-6);
	cc_gaps_release(&g);
}

/* ---- random cases against a naive implementation ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const int64_t provinces[] = { 10, 20 };
static const int64_t districts[2][2] = { { 101, 102 }, { 201, 202 } };

static int64_t key_of(int64_t sector, int pillar, enum cc_gap_by by)
{
	if (!sector)
		return 0;
	return by == CC_GAP_BY_PILLAR ? pillar + 1 : sector;
}

/* The largest known PIN and highest severity of the needs at area with key; false: none. */
static bool own(const struct cc_gap_need *n, size_t nn, int64_t area, int64_t key,
                enum cc_gap_by by, double *pin, int *sev)
{
	bool any = false;

	*pin = NA;
	*sev = 0;
	for (size_t i = 0; i < nn; i++) {
		if (n[i].area_id != area || key_of(n[i].sector_id, n[i].pillar, by) != key)
			continue;
		any = true;
		if (!isnan(n[i].in_need) && (isnan(*pin) || n[i].in_need > *pin))
			*pin = n[i].in_need;
		if (n[i].severity > *sev)
			*sev = n[i].severity;
	}
	return any;
}

static void naive_check(const struct cc_gap_need *n, size_t nn, const struct cc_coverage_record *r,
                        size_t nr, enum cc_gap_by by, enum cc_gap_reach reach,
                        const struct cc_gaps *g)
{
	size_t n_rows = 0;

	for (int p = 0; p < 2; p++) {
		for (int64_t key = 0; key <= 7; key++) {
			double pin, covered = NA;
			int sev;
			bool has = own(n, nn, provinces[p], key, by, &pin, &sev);
			size_t n_rec = 0, n_org = 0;
			char code[32];

			bool province_own = has;

			for (int d = 0; !province_own && d < 2; d++) {
				double dp;
				int ds;

				if (own(n, nn, districts[p][d], key, by, &dp, &ds)) {
					has = true;
					if (!isnan(dp))
						pin = isnan(pin) ? dp : pin + dp;
					if (ds > sev)
						sev = ds;
				}
			}
			if (!has)
				continue;
			n_rows++;
			for (int64_t org = 1; org <= 4; org++) {
				double sum = NA;

				for (size_t i = 0; i < nr; i++) {
					int64_t a = r[i].area_id;
					bool inside = a == provinces[p] || a == districts[p][0] ||
					              a == districts[p][1];

					if (r[i].org_id != org || !inside ||
					    (key && key_of(r[i].sector_id, r[i].column, by) != key))
						continue;
					n_rec++;
					if (r[i].kind == CC_KIND_ACTIVITY && !isnan(r[i].reached))
						sum = isnan(sum) ? r[i].reached
						                 : sum + r[i].reached;
				}
				if (isnan(sum))
					continue;
				n_org++;
				if (isnan(covered))
					covered = sum;
				else if (reach == CC_REACH_SUM)
					covered += sum;
				else if (sum > covered)
					covered = sum;
			}
			if (!key)
				snprintf(code, sizeof(code), "ALL");
			else if (by == CC_GAP_BY_PILLAR)
				snprintf(code, sizeof(code), "%s", cc_pillar_name((int)key - 1));
			else
				snprintf(code, sizeof(code), "%s",
				         key == HEA   ? "HEA"
				         : key == FSC ? "FSC"
				                      : "EDU");
			const struct cc_gap_row *x =
			        row(g, provinces[p] == 10 ? "AF01" : "AF02", code);
			if (!check(x != NULL))
				continue;
			check_int(x->n_records, ==, n_rec);
			check_int(x->n_orgs, ==, n_org);
			check_int(x->severity, ==, sev);
			if (isnan(pin)) {
				check_int(x->status, ==, CC_GAP_NO_PIN);
				continue;
			}
			if (!check_dbl(x->in_need, pin, 1e-9)) {
				for (size_t i = 0; i < nn; i++)
					printf("# need %lld %lld %d %g %d\n",
					       (long long)n[i].area_id, (long long)n[i].sector_id,
					       n[i].pillar, n[i].in_need, n[i].severity);
				printf("# by %d key %lld province %lld\n", by, (long long)key,
				       (long long)provinces[p]);
			}
			if (!n_rec) {
				check_int(x->status, ==, CC_GAP_NO_DATA);
				continue;
			}
			if (!n_org) {
				check_int(x->status, ==, CC_GAP_NO_FIGURES);
				continue;
			}
			double sf = pin > 0 ? fmax(0, 1 - covered / pin) : 0;
			check_dbl(x->covered, covered, 1e-9);
			check_dbl(x->shortfall, sf, 1e-12);
			if (sev)
				check_dbl(x->gap, sev * pin * sf, 1e-6);
			else
				check_int(x->status, ==, CC_GAP_NO_SEVERITY);
		}
	}
	check_int(g->n_rows, ==, n_rows);
}

TEST(random_against_naive)
{
	static const int64_t where[] = { 10, 20, 101, 102, 201, 202 };
	static const int64_t secs[] = { 0, HEA, FSC, EDU };
	static const int pillar_of[] = { 0, INFRA, HUM, INFRA }; /* by index of secs */

	for (int round = 0; round < 300; round++) {
		struct cc_gap_need n[12];
		struct cc_coverage_record r[16];
		size_t nn = rnd() % 12, nr = rnd() % 16;

		for (size_t i = 0; i < nn; i++) {
			size_t s = rnd() % 4;

			n[i] = (struct cc_gap_need){
				.area_id = where[rnd() % 6],
				.sector_id = secs[s],
				.pillar = pillar_of[s],
				.in_need = rnd() % 10 == 0 ? NA : (double)(rnd() % 1000),
				.severity = (int)(rnd() % 6),
			};
		}
		for (size_t i = 0; i < nr; i++) {
			size_t s = 1 + rnd() % 3;

			r[i] = (struct cc_coverage_record)REC(
			        (int64_t)(1 + rnd() % 4), where[rnd() % 6], secs[s], pillar_of[s],
			        rnd() % 5 == 0 ? NA : (double)(rnd() % 800));
			if (rnd() % 6 == 0)
				r[i].kind = CC_KIND_PRESENCE;
		}
		for (int by = 0; by < 2; by++)
			for (int reach = 0; reach < 2; reach++) {
				struct cc_gaps g;

				if (!check_int(compute(n, nn, r, nr,
				                       (struct cc_gap_opts){ .level = 1,
				                                             .by = by,
				                                             .reach = reach },
				                       &g),
				               ==, 0))
					return;
				naive_check(n, nn, r, nr, by, reach, &g);
				/* the ranking: scored rows by gap, descending */
				for (size_t i = 1; i < g.n_scored; i++)
					check(g.rows[i - 1].gap >= g.rows[i].gap);
				cc_gaps_release(&g);
				if (tap_failed_checks)
					return;
			}
	}
}

/* ---- budget: one sum per currency ---- */

/* The sum of currency cur in the row, NAN when the row has none; *n_out its activities. */
static double money_of(const struct cc_gap_row *x, const char *cur, size_t *n_out)
{
	*n_out = 0;
	for (size_t k = 0; k < x->n_budget; k++)
		if (!strcmp(x->budget[k].currency, cur)) {
			*n_out = x->budget[k].n_activities;
			return x->budget[k].amount;
		}
	return NA;
}

TEST(budget_per_currency)
{
	/*
	 * Herat (20): HEA PIN 100,000 sev 3, FSC PIN 5,000 sev 2, intersectoral 200,000 sev 4;
	 * Kabul (10) EDU PIN 1,000 sev 1 with no coverage at all.
	 * Herat HEA activities: 1 (org 1, USD 1,000; a second entry for it, USD 7, is ignored),
	 * 2 (org 1, USD 500.5), 3 (org 2, EUR 2,000), 4 (org 2, no budget), 6 (org 4, USD 0: a
	 * budget of 0 is a budget); 5 is a presence row of org 3 (its USD 9,999 never counts).
	 *   → USD 1,500.5 from 3 activities, EUR 2,000 from 1; 4 with a budget, 1 without.
	 * Herat FSC: 7 (300 without currency), 8 (not in the budget list: without budget)
	 *   → "" 300 from 1; 1 with, 1 without.
	 * Herat ALL: everything → EUR 2,000, USD 1,500.5, "" 300 (unknown last); 5 with, 2 without.
	 */
	const struct cc_gap_need n[] = {
		{ .area_id = 20,
		  .sector_id = HEA,
		  .pillar = HUM,
		  .in_need = 100000,
		  .severity = 3 },
		{ .area_id = 20, .sector_id = FSC, .pillar = HUM, .in_need = 5000, .severity = 2 },
		{ .area_id = 20, .sector_id = 0, .in_need = 200000, .severity = 4 },
		{ .area_id = 10,
		  .sector_id = EDU,
		  .pillar = INFRA,
		  .in_need = 1000,
		  .severity = 1 },
	};
	struct cc_coverage_record r[] = {
		REC(1, 201, HEA, HUM, 100), REC(1, 202, HEA, HUM, 50), REC(2, 201, HEA, HUM, 70),
		REC(2, 201, HEA, HUM, NA),  REC(3, 20, HEA, HUM, NA),  REC(4, 201, HEA, HUM, 10),
		REC(1, 201, FSC, HUM, 40),  REC(1, 202, FSC, HUM, NA),
	};
	const struct cc_gap_budget b[] = {
		{ .activity_id = 6, .amount = 0, .currency = "USD" },
		{ .activity_id = 1, .amount = 1000, .currency = "USD" },
		{ .activity_id = 3, .amount = 2000, .currency = "EUR" },
		{ .activity_id = 4, .amount = NA, .currency = "USD" },
		{ .activity_id = 1, .amount = 7, .currency = "USD" },
		{ .activity_id = 5, .amount = 9999, .currency = "USD" },
		{ .activity_id = 2, .amount = 500.5, .currency = "USD" },
		{ .activity_id = 7, .amount = 300, .currency = "" },
	};
	struct cc_gap_input in = { .needs = n,
		                   .n_needs = 4,
		                   .records = r,
		                   .n_records = 8,
		                   .budgets = b,
		                   .n_budgets = 8,
		                   .areas = areas,
		                   .n_areas = N_AREAS,
		                   .sectors = sectors,
		                   .n_sectors = N_SECTORS };
	struct cc_gaps g, plain;
	struct cc_err err = { 0 };
	const struct cc_gap_row *x;
	size_t na;

	for (size_t i = 0; i < 8; i++)
		r[i].activity_id = (int64_t)i + 1;
	r[4].kind = CC_KIND_PRESENCE;
	if (!check_int(cc_gaps_compute_ex(&in, &(struct cc_gap_opts){ .level = 1 }, &g, &err), ==,
	               0))
		return;
	check(g.has_budget);
	x = row(&g, "AF02", "HEA");
	if (check(x != NULL)) {
		check_int(x->n_budget, ==, 2);
		check_str(x->budget[0].currency, "EUR");
		check_str(x->budget[1].currency, "USD");
		check_dbl(money_of(x, "USD", &na), 1500.5, 0);
		check_int(na, ==, 3);
		check_dbl(money_of(x, "EUR", &na), 2000, 0);
		check_int(na, ==, 1);
		check_int(x->n_budgeted, ==, 4);
		check_int(x->n_unbudgeted, ==, 1);
		/* people: org 1 150, org 2 70, org 4 10 → max 150; the budget changes nothing */
		check_dbl(x->covered, 150, 0);
		check_dbl(x->gap, 3 * (100000 - 150), 1e-6);
	}
	x = row(&g, "AF02", "FSC");
	if (check(x != NULL)) {
		check_int(x->n_budget, ==, 1);
		check_str(x->budget[0].currency, "");
		check_dbl(x->budget[0].amount, 300, 0);
		check_int(x->n_budgeted, ==, 1);
		check_int(x->n_unbudgeted, ==, 1);
	}
	x = row(&g, "AF02", "ALL");
	if (check(x != NULL) && check_int(x->n_budget, ==, 3)) {
		check_str(x->budget[0].currency, "EUR");
		check_str(x->budget[1].currency, "USD");
		check_str(x->budget[2].currency, "");
		check_dbl(x->budget[1].amount, 1500.5, 0);
		check_int(x->n_budgeted, ==, 5);
		check_int(x->n_unbudgeted, ==, 2);
	}
	x = row(&g, "AF01", "EDU");
	if (check(x != NULL)) {
		check_int(x->n_budget, ==, 0);
		check(x->budget == NULL);
		check_int(x->n_budgeted + x->n_unbudgeted, ==, 0);
	}
	/* without budgets: the same rows, in the same order, and no budget */
	check_int(compute(n, 4, r, 8, (struct cc_gap_opts){ .level = 1 }, &plain), ==, 0);
	check(!plain.has_budget);
	if (check_int(plain.n_rows, ==, g.n_rows))
		for (size_t i = 0; i < g.n_rows; i++) {
			check_str(plain.rows[i].key_code, g.rows[i].key_code);
			check_str(plain.rows[i].pcode, g.rows[i].pcode);
			check(plain.rows[i].gap == g.rows[i].gap ||
			      (isnan(plain.rows[i].gap) && isnan(g.rows[i].gap)));
			check_int(plain.rows[i].n_budget + plain.rows[i].n_budgeted +
			                  plain.rows[i].n_unbudgeted,
			          ==, 0);
		}
	cc_gaps_release(&plain);
	cc_gaps_release(&g);

	/* by pillar: HEA and FSC are both humanitarian, their budgets add in one cell */
	if (!check_int(cc_gaps_compute_ex(
	                       &in, &(struct cc_gap_opts){ .level = 1, .by = CC_GAP_BY_PILLAR }, &g,
	                       &err),
	               ==, 0))
		return;
	x = row(&g, "AF02", "humanitarian");
	if (check(x != NULL) && check_int(x->n_budget, ==, 3)) {
		check_dbl(money_of(x, "USD", &na), 1500.5, 0);
		check_dbl(money_of(x, "EUR", &na), 2000, 0);
		check_dbl(money_of(x, "", &na), 300, 0);
		check_int(x->n_budgeted, ==, 5);
		check_int(x->n_unbudgeted, ==, 2);
	}
	cc_gaps_release(&g);
}

TEST(budget_allocation_failures)
{
	const struct cc_gap_need n[] = {
		{ .area_id = 20,
		  .sector_id = FSC,
		  .pillar = HUM,
		  .in_need = 100000,
		  .severity = 3 },
	};
	struct cc_coverage_record r[] = { REC(1, 201, FSC, HUM, 30000), REC(2, 202, FSC, HUM, 5) };
	struct cc_gap_budget b[20];
	struct cc_gaps g;
	int ret = -1;
	long k;

	r[0].activity_id = 1;
	r[1].activity_id = 2;
	/* two budgets that count, eighteen of activities no record names (ignored) */
	for (int i = 0; i < 20; i++)
		b[i] = (struct cc_gap_budget){ .activity_id = 100 + i, .amount = i };
	b[0] = (struct cc_gap_budget){ .activity_id = 1, .amount = 10, .currency = "USD" };
	b[1] = (struct cc_gap_budget){ .activity_id = 2, .amount = 20, .currency = "AFN" };
	for (k = 0; k < 100; k++) {
		struct cc_err err = { 0 };

		cc_test_fail_alloc_after(k);
		ret = cc_gaps_compute_ex(&(struct cc_gap_input){ .needs = n,
		                                                 .n_needs = 1,
		                                                 .records = r,
		                                                 .n_records = 2,
		                                                 .budgets = b,
		                                                 .n_budgets = 20,
		                                                 .areas = areas,
		                                                 .n_areas = N_AREAS },
		                         &(struct cc_gap_opts){ .level = 1 }, &g, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
		check(g.rows == NULL && g.money == NULL);
		cc_gaps_release(&g);
	}
	check_int(ret, ==, 0);
	check_int(k, >, 3);
	if (check_int(g.n_rows, ==, 1) && check_int(g.rows[0].n_budget, ==, 2)) {
		check_str(g.rows[0].budget[0].currency, "AFN");
		check_dbl(g.rows[0].budget[0].amount, 20, 0);
		check_dbl(g.rows[0].budget[1].amount, 10, 0);
	}
	cc_gaps_release(&g);
}

/*
 * Random cells against a naive sum written here: for every row, every record of an activity
 * that maps to the row's province and key, its budget added to its currency's total.
 */
TEST(budget_random_against_naive)
{
	static const char *const curs[] = { "USD", "EUR", "AFN", "" };
	static const int64_t secs[] = { 0, HEA, FSC, EDU };
	static const int pillar_of[] = { 0, INFRA, HUM, INFRA };

	for (int round = 0; round < 200; round++) {
		struct cc_gap_need n[6];
		struct cc_coverage_record r[40];
		struct cc_gap_budget b[40];
		size_t nn = 1 + rnd() % 6, nr = rnd() % 40, nb = 0;

		for (size_t i = 0; i < nn; i++) {
			size_t s = rnd() % 4;

			n[i] = (struct cc_gap_need){ .area_id = provinces[rnd() % 2],
				                     .sector_id = secs[s],
				                     .pillar = pillar_of[s],
				                     .in_need = 1000,
				                     .severity = 2 };
		}
		for (size_t i = 0; i < nr; i++) {
			size_t s = 1 + rnd() % 3, p = rnd() % 2;

			r[i] = (struct cc_coverage_record)REC((int64_t)(1 + rnd() % 4),
			                                      districts[p][rnd() % 2], secs[s],
			                                      pillar_of[s], 10);
			r[i].activity_id = (int64_t)i + 1;
			if (rnd() % 6 == 0)
				r[i].kind = CC_KIND_PRESENCE;
			if (rnd() % 5) { /* else: no entry at all */
				b[nb] = (struct cc_gap_budget){
					.activity_id = r[i].activity_id,
					.amount = rnd() % 7 == 0 ? NA : (double)(rnd() % 100000) / 4
				};
				snprintf(b[nb].currency, sizeof(b[nb].currency), "%s",
				         curs[rnd() % 4]);
				nb++;
			}
		}
		for (int by = 0; by < 2; by++) {
			struct cc_gaps g;
			struct cc_err err = { 0 };

			if (!check_int(cc_gaps_compute_ex(
			                       &(struct cc_gap_input){ .needs = n,
			                                               .n_needs = nn,
			                                               .records = r,
			                                               .n_records = nr,
			                                               .budgets = b,
			                                               .n_budgets = nb,
			                                               .areas = areas,
			                                               .n_areas = N_AREAS,
			                                               .sectors = sectors,
			                                               .n_sectors = N_SECTORS },
			                       &(struct cc_gap_opts){ .level = 1, .by = by }, &g,
			                       &err),
			               ==, 0))
				return;
			for (size_t i = 0; i < g.n_rows; i++) {
				const struct cc_gap_row *x = &g.rows[i];
				int64_t key = x->sector_id     ? x->sector_id
				              : x->pillar >= 0 ? x->pillar + 1
				                               : 0;
				double sum[4] = { 0, 0, 0, 0 };
				size_t cnt[4] = { 0, 0, 0, 0 }, with = 0, without = 0, n_cur = 0;

				for (size_t j = 0; j < nr; j++) {
					int64_t prov = r[j].area_id / 10;
					const struct cc_gap_budget *e = NULL;

					if (r[j].kind != CC_KIND_ACTIVITY || prov != x->area_id ||
					    (key && key_of(r[j].sector_id, r[j].column, by) != key))
						continue;
					for (size_t q = 0; q < nb && !e; q++)
						if (b[q].activity_id == r[j].activity_id)
							e = &b[q];
					if (!e || isnan(e->amount)) {
						without++;
						continue;
					}
					with++;
					for (int c = 0; c < 4; c++)
						if (!strcmp(curs[c], e->currency)) {
							sum[c] += e->amount;
							cnt[c]++;
						}
				}
				check_int(x->n_budgeted, ==, with);
				check_int(x->n_unbudgeted, ==, without);
				for (int c = 0; c < 4; c++) {
					size_t got_n;
					double got = money_of(x, curs[c], &got_n);

					if (!cnt[c]) {
						check(isnan(got));
						continue;
					}
					n_cur++;
					check_dbl(got, sum[c], 1e-9);
					check_int(got_n, ==, cnt[c]);
				}
				check_int(x->n_budget, ==, n_cur);
				for (size_t k = 1; k < x->n_budget; k++) /* by code, "" last */
					check(x->budget[k].currency[0] == '\0' ||
					      strcmp(x->budget[k - 1].currency,
					             x->budget[k].currency) < 0);
			}
			cc_gaps_release(&g);
			if (tap_failed_checks)
				return;
		}
	}
}

/* ---- budget converted to the reporting currency at each value date ---- */

TEST(budget_converted_at_each_value_date)
{
	/*
	 * Rates (ECB, units per EUR, tests/data/rates): USD 1.1884 on 1 July 2021, 1.1823 on
	 * 2 July; GBP 0.86033 and 0.86003; the 2021 averages USD 1.18274, GBP 0.859604. Target USD,
	 * tolerance 5 days. Herat HEA (PIN 1,000, severity 3):
	 *   1  EUR 1,000 of 1 July           → 1000 × 1.1884                    = 1,188.4
	 *   2  GBP 500 of Saturday 3 July    → Friday's: 500 / 0.86003 × 1.1823
	 *   3  USD 200 of 1 July             → 200, no rate needed
	 *   4  XAF 300 of 1 July             → no XAF rate at all: not converted
	 *   5  GBP 100 without a value date  → not converted
	 * Herat FSC (PIN 500, severity 2):
	 *   6  EUR 1,000 of Sunday 4 July    → 1000 × 1.1823                    = 1,182.3
	 *   7  GBP 50 of 20 August           → no fixing within 5 days: the 2021 averages,
	 *                                      50 / 0.859604 × 1.18274
	 *   8  70 without a currency         → not converted
	 * Herat ALL: all eight.
	 */
	const struct cc_gap_need n[] = {
		{ .area_id = 20, .sector_id = HEA, .pillar = HUM, .in_need = 1000, .severity = 3 },
		{ .area_id = 20, .sector_id = FSC, .pillar = HUM, .in_need = 500, .severity = 2 },
		{ .area_id = 20, .sector_id = 0, .in_need = 2000, .severity = 4 },
	};
	struct cc_coverage_record r[] = {
		REC(1, 201, HEA, HUM, 10), REC(1, 201, HEA, HUM, 10), REC(2, 201, HEA, HUM, 10),
		REC(2, 201, HEA, HUM, 10), REC(3, 202, HEA, HUM, 10), REC(1, 201, FSC, HUM, 10),
		REC(1, 201, FSC, HUM, 10), REC(2, 201, FSC, HUM, 10),
	};
	const int32_t jul1 = cc_date_from_ymd(2021, 7, 1), jul2 = cc_date_from_ymd(2021, 7, 2);
	const struct cc_gap_budget b[] = {
		{ .activity_id = 1, .amount = 1000, .currency = "EUR", .value_date = jul1 },
		{ .activity_id = 2,
		  .amount = 500,
		  .currency = "GBP",
		  .value_date = cc_date_from_ymd(2021, 7, 3) },
		{ .activity_id = 3, .amount = 200, .currency = "USD", .value_date = jul1 },
		{ .activity_id = 4, .amount = 300, .currency = "XAF", .value_date = jul1 },
		{ .activity_id = 5, .amount = 100, .currency = "GBP", .value_date = CC_DATE_NONE },
		{ .activity_id = 6,
		  .amount = 1000,
		  .currency = "EUR",
		  .value_date = cc_date_from_ymd(2021, 7, 4) },
		{ .activity_id = 7,
		  .amount = 50,
		  .currency = "GBP",
		  .value_date = cc_date_from_ymd(2021, 8, 20) },
		{ .activity_id = 8, .amount = 70, .currency = "", .value_date = jul1 },
	};
	struct cc_rate rt[] = {
		{ .currency = "USD", .kind = CC_RATE_DAILY, .date = jul2, .per_eur = 1.1823 },
		{ .currency = "GBP", .kind = CC_RATE_DAILY, .date = jul1, .per_eur = 0.86033 },
		{ .currency = "USD", .kind = CC_RATE_DAILY, .date = jul1, .per_eur = 1.1884 },
		{ .currency = "GBP", .kind = CC_RATE_DAILY, .date = jul2, .per_eur = 0.86003 },
		{ .currency = "USD",
		  .kind = CC_RATE_ANNUAL,
		  .date = cc_date_from_ymd(2021, 1, 1),
		  .per_eur = 1.18274 },
		{ .currency = "GBP",
		  .kind = CC_RATE_ANNUAL,
		  .date = cc_date_from_ymd(2021, 1, 1),
		  .per_eur = 0.859604 },
	};
	struct cc_rates rates = { .rates = rt, .n = 6 };
	struct cc_gap_input in = { .needs = n,
		                   .n_needs = 3,
		                   .records = r,
		                   .n_records = 8,
		                   .budgets = b,
		                   .n_budgets = 8,
		                   .areas = areas,
		                   .n_areas = N_AREAS,
		                   .sectors = sectors,
		                   .n_sectors = N_SECTORS,
		                   .currency = "USD",
		                   .rates = &rates,
		                   .tolerance_days = 5 };
	const double hea = 1000 * 1.1884 + 500 / 0.86003 * 1.1823 + 200,
	             fsc = 1000 * 1.1823 + 50 / 0.859604 * 1.18274;
	struct cc_gaps g, plain;
	struct cc_err err = { 0 };
	const struct cc_gap_row *x;
	size_t na;

	cc_rates_sort(&rates);
	for (size_t i = 0; i < 8; i++)
		r[i].activity_id = (int64_t)i + 1;
	if (!check_int(cc_gaps_compute_ex(&in, &(struct cc_gap_opts){ .level = 1 }, &g, &err), ==,
	               0))
		return;
	check(g.has_conversion);
	check_str(g.currency, "USD");
	check_int(g.tolerance_days, ==, 5);
	x = row(&g, "AF02", "HEA");
	if (check(x != NULL)) {
		check_dbl(x->budget_converted, hea, 1e-9);
		check_int(x->n_converted, ==, 3);
		check_int(x->n_not_converted, ==, 2);
		/* the sums per currency are still there, unconverted */
		check_dbl(money_of(x, "GBP", &na), 600, 0);
		check_int(na, ==, 2);
		/* rates of the cell: GBP of 2 July, USD of 1 and of 2 July (EUR is 1, USD needs none) */
		if (check_int(x->n_rates, ==, 3)) {
			check_str(x->rates[0].currency, "GBP");
			check_int(x->rates[0].date, ==, jul2);
			check_dbl(x->rates[0].per_eur, 0.86003, 0);
			check_str(x->rates[1].currency, "USD");
			check_int(x->rates[1].date, ==, jul1);
			check_str(x->rates[2].currency, "USD");
			check_int(x->rates[2].date, ==, jul2);
		}
		if (check_int(x->n_not_converted, ==, 2)) {
			check_int(x->not_converted[0].activity_id + x->not_converted[1].activity_id, ==,
			          4 + 5);
		}
	}
	x = row(&g, "AF02", "FSC");
	if (check(x != NULL)) {
		check_dbl(x->budget_converted, fsc, 1e-9);
		check_int(x->n_converted, ==, 2);
		check_int(x->n_not_converted, ==, 1);
		if (check(x->not_converted != NULL)) {
			check_int(x->not_converted[0].activity_id, ==, 8);
			check_int(x->not_converted[0].status, ==, CC_FX_NO_CURRENCY);
			check_dbl(x->not_converted[0].amount, 70, 0);
		}
	}
	x = row(&g, "AF02", "ALL");
	if (check(x != NULL)) {
		check_dbl(x->budget_converted, hea + fsc, 1e-9);
		check_int(x->n_converted, ==, 5);
		check_int(x->n_not_converted, ==, 3);
	}
	/* the table's rates: each once, by currency, daily before annual, then date */
	if (check_int(g.n_rates_used, ==, 5)) {
		const char *cur[] = { "GBP", "GBP", "USD", "USD", "USD" };
		const int kind[] = { CC_RATE_DAILY, CC_RATE_ANNUAL, CC_RATE_DAILY, CC_RATE_DAILY,
			             CC_RATE_ANNUAL };
		const size_t uses[] = { 1, 1, 1, 2, 1 }; /* USD of 2 July: budgets 2 and 6 */

		for (size_t i = 0; i < 5; i++) {
			check_str(g.rates_used[i].currency, cur[i]);
			check_int(g.rates_used[i].kind, ==, kind[i]);
			check_int(g.rates_used[i].n_uses, ==, uses[i]);
		}
		check_dbl(g.rates_used[1].per_eur, 0.859604, 0);
	}
	/* the amounts left out, each once, by activity, with the reason */
	if (check_int(g.n_unconverted, ==, 3)) {
		check_int(g.unconverted[0].activity_id, ==, 4);
		check_int(g.unconverted[0].status, ==, CC_FX_UNKNOWN_CURRENCY);
		check_str(g.unconverted[0].missing, "XAF");
		check_str(g.unconverted[0].currency, "XAF");
		check_dbl(g.unconverted[0].amount, 300, 0);
		check_int(g.unconverted[1].activity_id, ==, 5);
		check_int(g.unconverted[1].status, ==, CC_FX_NO_DATE);
		check_int(g.unconverted[2].activity_id, ==, 8);
		check_int(g.unconverted[2].status, ==, CC_FX_NO_CURRENCY);
	}

	/* the formats state the rule and the rates and list what was left out */
	{
		struct cc_buf t = CC_BUF_INIT(1 << 20), c = CC_BUF_INIT(1 << 20),
		              j = CC_BUF_INIT(1 << 20);

		if (check_int(cc_gaps_format(&g, CC_FORMAT_TABLE, &t, &err), ==, 0) &&
		    check_int(cc_gaps_format(&g, CC_FORMAT_CSV, &c, &err), ==, 0) &&
		    check_int(cc_gaps_format(&g, CC_FORMAT_JSON, &j, &err), ==, 0)) {
			check(strstr(t.buf, "Converted to USD: converted = the budgets") != NULL);
			check(strstr(t.buf, "GBP 0.86003 per EUR (daily fixing of 2021-07-02), 1 "
			                    "conversion") != NULL);
			check(strstr(t.buf, "USD 1.18274 per EUR (annual average of 2021)") != NULL);
			check(strstr(t.buf, "activity 4: XAF 300 of 2021-07-01: unknown currency "
			                    "(XAF)") != NULL);
			check(strstr(t.buf, "activity 5: GBP 100 of (no value date): no value "
			                    "date") != NULL);
			check(strstr(c.buf, ",budget_converted,converted_currency,") != NULL);
			check(strstr(c.buf, "activity 8: (no currency) 70 of 2021-07-01: no "
			                    "currency") != NULL);
			check(strstr(j.buf, "\"reporting_currency\":\"USD\"") != NULL);
			check(strstr(j.buf, "{\"activity_id\":4,\"amount\":300,\"currency\":\"XAF\","
			                    "\"value_date\":\"2021-07-01\",\"reason\":\"unknown "
			                    "currency\",\"missing_rate\":\"XAF\"}") != NULL);
		}
		cc_buf_release(&t);
		cc_buf_release(&c);
		cc_buf_release(&j);
	}
	cc_gaps_release(&g);

	/* every allocation of the conversion may fail: an error, nothing half-made, no leak */
	{
		long k;
		int ret = -1;

		for (k = 0; k < 400; k++) {
			struct cc_err e2 = { 0 };

			cc_test_fail_alloc_after(k);
			ret = cc_gaps_compute_ex(&in, &(struct cc_gap_opts){ .level = 1 }, &g, &e2);
			cc_test_fail_alloc_after(-1);
			if (ret == 0)
				break;
			check_int(ret, ==, CC_ENOMEM);
			check(g.rows == NULL && g.rates_used == NULL && g.unconverted == NULL);
			cc_gaps_release(&g);
		}
		check_int(ret, ==, 0);
		check_int(k, >, 10);
		if (ret == 0)
			check_int(g.n_unconverted, ==, 3);
		cc_gaps_release(&g);
	}

	/* without a reporting currency: nothing converted, the rows as before */
	in.rates = NULL;
	if (check_int(cc_gaps_compute_ex(&in, &(struct cc_gap_opts){ .level = 1 }, &plain, &err),
	              ==, 0)) {
		check(!plain.has_conversion);
		x = row(&plain, "AF02", "HEA");
		if (check(x != NULL)) {
			check(isnan(x->budget_converted));
			check_int(x->n_converted + x->n_not_converted, ==, 0);
			check_dbl(money_of(x, "EUR", &na), 1000, 0);
		}
		check_int(plain.n_unconverted + plain.n_rates_used, ==, 0);
	}
	cc_gaps_release(&plain);
}
