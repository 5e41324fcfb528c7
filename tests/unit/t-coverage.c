/*
 * cc_coverage_compute: a hand-built hierarchy with every figure worked out by hand below, input
 * validation, allocation failures, and a random comparison with a naive O(n²) count.
 */
#include <concord/coverage.h>

#include <math.h>
#include <stdint.h>
#include <time.h>

#include <concord/alloc.h>

#include "tap.h"

#define NA ((double)NAN) /* a figure not available (clang: NAN alone is a float) */

/*
 * AF  Afghanistan (0)
 * ├── AF01 Kabul (1)        ├── AF0101 Kabul City (2)   └── AF0102 Paghman (2)
 * └── AF02 Herat (1)        ├── AF0201 Herat City (2)   └── AF0202 Guzara (2)
 * Deliberately not in P-code order, so that the sort is tested.
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

static const struct cc_coverage_column pillars[] = {
	{ "security", "Security" },
	{ "governance", "Governance" },
	{ "infrastructure", "Infrastructure" },
	{ "economy", "Economy" },
	{ "humanitarian", "Humanitarian" },
	{ "other", "Other" },
};
#define N_COLS 6

#define ACT  CC_KIND_ACTIVITY
#define PRES CC_KIND_PRESENCE

static const struct cc_coverage_record recs[] = {
	/* activity, org, area, sector, column, kind, targeted, reached */
	{ 1, 100, 101, 0, 0, ACT, 50, 40, CC_REL_PUBLIC },    { 2, 100, 102, 0, 0, ACT, 30, NA, CC_REL_PUBLIC },
	{ 3, 200, 101, 0, 1, PRES, 999, 999, CC_REL_PUBLIC }, /* presence: its figures must be ignored */
	{ 4, 200, 10, 0, 1, ACT, 20, 10, CC_REL_PUBLIC },     /* province level */
	{ 5, 300, 201, 0, 2, ACT, NA, NA, CC_REL_PUBLIC },    { 6, 100, 202, 0, 0, PRES, NA, NA, CC_REL_PUBLIC },
	{ 1, 100, 102, 0, 0, ACT, 5, 5, CC_REL_PUBLIC },  /* activity 1 again, in Paghman */
	{ 7, 300, 1, 0, 4, ACT, 100, NA, CC_REL_PUBLIC }, /* country level */
	{ 8, 200, 201, 0, 2, ACT, 10, 10, CC_REL_PUBLIC },
};
#define N_RECS (sizeof(recs) / sizeof(recs[0]))

static bool is_nan(double v)
{
	return isnan(v);
}

static void check_cell(const struct cc_coverage_cell *c, size_t acts, size_t orgs, double targeted,
                       double reached)
{
	check_int(c->n_activities, ==, acts);
	check_int(c->n_orgs, ==, orgs);
	if (isnan(targeted))
		check(is_nan(c->targeted));
	else
		check_dbl(c->targeted, targeted, 1e-9);
	if (isnan(reached))
		check(is_nan(c->reached));
	else
		check_dbl(c->reached, reached, 1e-9);
}

static void check_empty_cells(const struct cc_coverage_row *row, const int *used, size_t n_used)
{
	for (int c = 0; c < N_COLS; c++) {
		bool skip = false;

		for (size_t k = 0; k < n_used; k++)
			skip |= used[k] == c;
		if (!skip)
			check_cell(&row->cells[c], 0, 0, NA, NA);
	}
}

/* Column totals are the same at every level: distinct over all rows. */
static void check_col_totals(const struct cc_coverage *cov)
{
	check_cell(&cov->col_totals[0], 3, 1, 85, 45); /* acts 1 2 6; org 100 in three rows */
	check_cell(&cov->col_totals[1], 2, 1, 20, 10); /* acts 3 4; presence adds no people */
	check_cell(&cov->col_totals[2], 2, 2, 10, 10); /* acts 5 8; orgs 300 200 */
	check_cell(&cov->col_totals[3], 0, 0, NA, NA);
	check_cell(&cov->col_totals[4], 1, 1, 100, NA);
	check_cell(&cov->col_totals[5], 0, 0, NA, NA);
	check_int(cov->n_activities, ==, 8);
	check_int(cov->n_orgs, ==, 3);
	check_int(cov->n_records, ==, N_RECS);
	check_int(cov->n_columns, ==, N_COLS);
	check_str(cov->columns[2].code, "infrastructure");
}

TEST(districts)
{
	struct cc_coverage cov;
	struct cc_err err = { 0 };
	const struct cc_coverage_row *r;

	check_int(cc_coverage_compute(recs, N_RECS, areas, N_AREAS, pillars, N_COLS,
	                              &(struct cc_coverage_opts){ .level = 2 }, &cov, &err),
	          ==, 0);
	check_int(cov.level, ==, 2);
	check_int(cov.by, ==, CC_BY_PILLAR);
	if (!check_int(cov.n_rows, ==, 6))
		goto out;
	/* four districts by P-code, then the unspecified rows by P-code */
	r = &cov.rows[0];
	check_str(r->pcode, "AF0101");
	check_str(r->name, "Kabul City");
	check_int(r->area_id, ==, 101);
	check_int(r->level, ==, 2);
	check(!r->unspecified);
	check_int(r->n_activities, ==, 2);
	check_int(r->n_orgs, ==, 2);
	check_cell(&r->cells[0], 1, 1, 50, 40);
	check_cell(&r->cells[1], 1, 1, NA, NA); /* presence only: no people, not 0 */
	check_empty_cells(r, (int[]){ 0, 1 }, 2);

	r = &cov.rows[1];
	check_str(r->pcode, "AF0102");
	check_int(r->n_activities, ==, 2);
	check_int(r->n_orgs, ==, 1);
	check_cell(&r->cells[0], 2, 1, 35, 5); /* 30 + 5; reached: NA + 5 = 5 */
	check_empty_cells(r, (int[]){ 0 }, 1);

	r = &cov.rows[2];
	check_str(r->pcode, "AF0201");
	check_int(r->n_activities, ==, 2);
	check_int(r->n_orgs, ==, 2);
	check_cell(&r->cells[2], 2, 2, 10, 10);
	check_empty_cells(r, (int[]){ 2 }, 1);

	r = &cov.rows[3];
	check_str(r->pcode, "AF0202");
	check_int(r->n_activities, ==, 1);
	check_int(r->n_orgs, ==, 1);
	check_cell(&r->cells[0], 1, 1, NA, NA);

	r = &cov.rows[4];
	check_str(r->pcode, "AF");
	check_str(r->name, "Afghanistan (unspecified below adm2)");
	check_int(r->area_id, ==, 1);
	check_int(r->level, ==, 0);
	check(r->unspecified);
	check_cell(&r->cells[4], 1, 1, 100, NA);
	check_empty_cells(r, (int[]){ 4 }, 1);

	r = &cov.rows[5];
	check_str(r->pcode, "AF01");
	check_str(r->name, "Kabul (unspecified below adm2)");
	check_int(r->level, ==, 1);
	check(r->unspecified);
	check_int(r->n_activities, ==, 1);
	check_cell(&r->cells[1], 1, 1, 20, 10);
	check_empty_cells(r, (int[]){ 1 }, 1);

	check_col_totals(&cov);
out:
	cc_coverage_release(&cov);
}

TEST(provinces)
{
	struct cc_coverage cov;
	const struct cc_coverage_row *r;

	/* opts NULL: level 1 */
	check_int(cc_coverage_compute(recs, N_RECS, areas, N_AREAS, pillars, N_COLS, NULL, &cov,
	                              NULL),
	          ==, 0);
	check_int(cov.level, ==, 1);
	if (!check_int(cov.n_rows, ==, 3))
		goto out;
	r = &cov.rows[0];
	check_str(r->pcode, "AF01");
	check_str(r->name, "Kabul");
	check(!r->unspecified);
	check_int(r->n_activities, ==, 4); /* 1 2 3 4 */
	check_int(r->n_orgs, ==, 2);       /* 100 200 */
	/* org 100 works in Kabul City and Paghman: once for the province */
	check_cell(&r->cells[0], 2, 1, 85, 45);
	check_cell(&r->cells[1], 2, 1, 20, 10);
	check_empty_cells(r, (int[]){ 0, 1 }, 2);

	r = &cov.rows[1];
	check_str(r->pcode, "AF02");
	check_int(r->n_activities, ==, 3); /* 5 6 8 */
	check_int(r->n_orgs, ==, 3);       /* 300 100 200 */
	check_cell(&r->cells[0], 1, 1, NA, NA);
	check_cell(&r->cells[2], 2, 2, 10, 10);
	check_empty_cells(r, (int[]){ 0, 2 }, 2);

	r = &cov.rows[2];
	check_str(r->pcode, "AF");
	check_str(r->name, "Afghanistan (unspecified below adm1)");
	check(r->unspecified);
	check_int(r->level, ==, 0);
	check_cell(&r->cells[4], 1, 1, 100, NA);

	check_col_totals(&cov);
out:
	cc_coverage_release(&cov);

	/* level 0 (or less) also means 1 */
	check_int(cc_coverage_compute(recs, N_RECS, areas, N_AREAS, pillars, N_COLS,
	                              &(struct cc_coverage_opts){ .level = 0, .by = CC_BY_CLUSTER },
	                              &cov, NULL),
	          ==, 0);
	check_int(cov.level, ==, 1);
	check_int(cov.by, ==, CC_BY_CLUSTER);
	check_int(cov.n_rows, ==, 3);
	cc_coverage_release(&cov);
}

TEST(country_level_and_empty)
{
	struct cc_coverage cov;

	/* level 3 does not exist: every record sits above it */
	check_int(cc_coverage_compute(recs, N_RECS, areas, N_AREAS, pillars, N_COLS,
	                              &(struct cc_coverage_opts){ .level = 3 }, &cov, NULL),
	          ==, 0);
	check_int(cov.n_rows, ==, 6);
	for (size_t i = 0; i < cov.n_rows; i++)
		check(cov.rows[i].unspecified);
	check_str(cov.rows[0].pcode, "AF"); /* all unspecified: plain P-code order */
	check_str(cov.rows[5].pcode, "AF0202");
	check_str(cov.rows[5].name, "Guzara (unspecified below adm3)");
	check_col_totals(&cov);
	cc_coverage_release(&cov);

	/* no records: no rows, columns and empty totals still there */
	check_int(cc_coverage_compute(NULL, 0, areas, N_AREAS, pillars, N_COLS, NULL, &cov, NULL),
	          ==, 0);
	check_int(cov.n_rows, ==, 0);
	check_int(cov.n_columns, ==, N_COLS);
	check_int(cov.n_activities, ==, 0);
	check_cell(&cov.col_totals[0], 0, 0, NA, NA);
	cc_coverage_release(&cov);
	cc_coverage_release(&cov); /* released twice */
	cc_coverage_release(NULL);
}

TEST(long_name_cut_on_character)
{
	struct cc_area a[2] = {
		{ .id = 1, .pcode = "XX", .level = 0 },
		{ .id = 2, .pcode = "XX01", .level = 1, .parent_id = 1 },
	};
	struct cc_coverage_record r = { 1, 1, 1, 0, 0, ACT, NA, NA, CC_REL_PUBLIC };
	struct cc_coverage cov;
	size_t len;

	/*
	 * "x" and 78 × "é" (2 bytes) = 157 bytes. With the 25-byte suffix, 134 bytes of the name
	 * fit in 160 with the NUL; byte 134 ends an "é", so the cut falls back to 133.
	 */
	a[0].name[0] = 'x';
	for (int i = 0; i < 78; i++)
		memcpy(a[0].name + 1 + 2 * i, "\xc3\xa9", 2);
	check_int(cc_coverage_compute(&r, 1, a, 2, pillars, N_COLS, NULL, &cov, NULL), ==, 0);
	if (check_int(cov.n_rows, ==, 1)) {
		const char *name = cov.rows[0].name;
		const char *suffix = " (unspecified below adm1)";

		len = strlen(name);
		check_int(len, <, sizeof(cov.rows[0].name));
		check(len > strlen(suffix) && strcmp(name + len - strlen(suffix), suffix) == 0);
		check_int(len - strlen(suffix), ==, 133); /* whole characters only */
	}
	cc_coverage_release(&cov);
}

static int compute_err(const struct cc_coverage_record *r, size_t n, const struct cc_area *a,
                       size_t n_a, struct cc_err *err)
{
	struct cc_coverage cov;
	int ret;

	memset(&cov, 0x5a, sizeof(cov)); /* garbage in *out must not matter */
	ret = cc_coverage_compute(r, n, a, n_a, pillars, N_COLS,
	                          &(struct cc_coverage_opts){ .level = 2 }, &cov, err);
	if (ret < 0) { /* *out is empty */
		check(cov.rows == NULL && cov.n_rows == 0 && cov.columns == NULL &&
		      cov.col_totals == NULL);
	}
	cc_coverage_release(&cov);
	return ret;
}

TEST(invalid_inputs)
{
	struct cc_coverage_record bad[N_RECS];
	struct cc_area a[N_AREAS];
	struct cc_err err = { 0 };

	memcpy(bad, recs, sizeof(recs));
	bad[5].area_id = 999;
	check_int(compute_err(bad, N_RECS, areas, N_AREAS, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "unknown area id 999") != NULL);
	check_str(err.field, "area_id");

	memcpy(bad, recs, sizeof(recs));
	bad[2].column = N_COLS;
	check_int(compute_err(bad, N_RECS, areas, N_AREAS, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "column 6") != NULL);
	bad[2].column = -1;
	check_int(compute_err(bad, N_RECS, areas, N_AREAS, &err), ==, CC_EINVALID);

	memcpy(bad, recs, sizeof(recs));
	bad[0].targeted = -3;
	check_int(compute_err(bad, N_RECS, areas, N_AREAS, &err), ==, CC_EINVALID);
	bad[0].targeted = (double)INFINITY;
	check_int(compute_err(bad, N_RECS, areas, N_AREAS, &err), ==, CC_EINVALID);
	memcpy(bad, recs, sizeof(recs));
	bad[0].kind = (enum cc_activity_kind)7;
	check_int(compute_err(bad, N_RECS, areas, N_AREAS, &err), ==, CC_EINVALID);

	/* a district whose province is missing from the areas */
	memcpy(a, areas, sizeof(areas));
	a[5] = a[0]; /* drop Herat (20): two copies of Guzara */
	check_int(compute_err(recs, N_RECS, a, N_AREAS, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "given twice") != NULL);
	memcpy(a, areas, sizeof(areas));
	a[5].id = 21; /* Herat renamed: its districts' parent 20 is unknown */
	check_int(compute_err(recs, N_RECS, a, N_AREAS, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "parent id 20") != NULL);

	/* a cycle: Kabul City ↔ Kabul, both below level 2 in the walk */
	memcpy(a, areas, sizeof(areas));
	a[1].level = 3;
	a[1].parent_id = 101;
	a[2].level = 3;
	check_int(compute_err(recs, N_RECS, a, N_AREAS, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "cycle") != NULL);

	check_int(compute_err(recs, N_RECS, areas, N_AREAS, &err), ==, 0);
}

TEST(allocation_failures)
{
	struct cc_coverage cov;
	int ret = -1;
	long n;

	for (n = 0; n < 1000; n++) {
		struct cc_err err = { 0 };

		cc_test_fail_alloc_after(n);
		ret = cc_coverage_compute(recs, N_RECS, areas, N_AREAS, pillars, N_COLS,
		                          &(struct cc_coverage_opts){ .level = 2 }, &cov, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
		check_int(err.code, ==, CC_ENOMEM);
		check(cov.rows == NULL && cov.n_rows == 0 && cov.columns == NULL);
		cc_coverage_release(&cov);
	}
	check_int(ret, ==, 0);
	check_int(n, >, 5); /* several allocations were failed on the way */
	check_int(cov.n_rows, ==, 6);
	check_col_totals(&cov);
	cc_coverage_release(&cov);
}

/* ---- random records against a naive count ---- */

static uint64_t rng_state = 0x853c49e6748fea9bu;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible, good enough for test data */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1du;
}

static size_t rnd_below(size_t n)
{
	return (size_t)(rnd() % n);
}

/* Index of the area with this id, by linear search. */
static size_t naive_find(const struct cc_area *a, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].id == id)
			return i;
	return SIZE_MAX;
}

/* The area whose row holds records of area i at level: walk up one parent at a time. */
static size_t naive_row_area(const struct cc_area *a, size_t n, size_t i, int level)
{
	while (a[i].level > level && a[i].parent_id != 0)
		i = naive_find(a, n, a[i].parent_id);
	return i;
}

struct naive {
	const struct cc_coverage_record *r;
	size_t n;
	size_t *row_area; /* per record */
};

/* Does record j match (row area, column)? col < 0: any column; area SIZE_MAX: any row. */
static bool in_group(const struct naive *nv, size_t j, size_t area, int col)
{
	return (area == SIZE_MAX || nv->row_area[j] == area) && (col < 0 || nv->r[j].column == col);
}

/* Distinct activities (orgs false) or organisations in a group, O(n²). */
static size_t naive_distinct(const struct naive *nv, size_t area, int col, bool orgs)
{
	size_t count = 0;

	for (size_t j = 0; j < nv->n; j++) {
		int64_t id = orgs ? nv->r[j].org_id : nv->r[j].activity_id;
		bool seen = false;

		if (!in_group(nv, j, area, col))
			continue;
		for (size_t k = 0; k < j && !seen; k++)
			seen = in_group(nv, k, area, col) &&
			       (orgs ? nv->r[k].org_id : nv->r[k].activity_id) == id;
		count += !seen;
	}
	return count;
}

static double naive_sum(const struct naive *nv, size_t area, int col, bool reached)
{
	double s = NA;

	for (size_t j = 0; j < nv->n; j++) {
		double v = reached ? nv->r[j].reached : nv->r[j].targeted;

		if (in_group(nv, j, area, col) && nv->r[j].kind == CC_KIND_ACTIVITY && !isnan(v))
			s = isnan(s) ? v : s + v;
	}
	return s;
}

static bool same_figure(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

enum { R_AREAS = 1 + 5 + 20 + 60, R_RECS = 2000 };

static void make_random_areas(struct cc_area *a)
{
	size_t k = 0;

	a[k++] = (struct cc_area){ .id = 1000, .pcode = "ZZ", .name = "Country", .level = 0 };
	for (int p = 0; p < 5; p++) {
		a[k] = (struct cc_area){ .id = 2000 + p, .level = 1, .parent_id = 1000 };
		snprintf(a[k].pcode, sizeof(a[k].pcode), "ZZ%02d", 5 - p); /* reverse order */
		snprintf(a[k].name, sizeof(a[k].name), "Province %d", p);
		k++;
	}
	for (int d = 0; d < 20; d++) {
		a[k] = (struct cc_area){ .id = 3000 + d, .level = 2, .parent_id = 2000 + d % 5 };
		snprintf(a[k].pcode, sizeof(a[k].pcode), "ZZ%02d%02d", 5 - d % 5, d);
		snprintf(a[k].name, sizeof(a[k].name), "District %d", d);
		k++;
	}
	for (int s = 0; s < 60; s++) {
		a[k] = (struct cc_area){ .id = 4000 + s, .level = 3, .parent_id = 3000 + s % 20 };
		snprintf(a[k].pcode, sizeof(a[k].pcode), "ZZ%02d%02d%03d", 5 - s % 20 % 5, s % 20,
		         s);
		snprintf(a[k].name, sizeof(a[k].name), "Subdistrict %d", s);
		k++;
	}
	/* shuffle so that the input order means nothing */
	for (size_t i = R_AREAS - 1; i > 0; i--) {
		size_t j = rnd_below(i + 1);
		struct cc_area t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

static void make_random_records(struct cc_coverage_record *r, const struct cc_area *a)
{
	for (size_t i = 0; i < R_RECS; i++) {
		r[i] = (struct cc_coverage_record){
			.activity_id =
			        (int64_t)rnd_below(700) - 50, /* some negative and zero ids */
			.org_id = (int64_t)rnd_below(40),
			.area_id = a[rnd_below(R_AREAS)].id,
			.column = (int)rnd_below(N_COLS),
			.kind = rnd_below(4) == 0 ? CC_KIND_PRESENCE : CC_KIND_ACTIVITY,
			.targeted = rnd_below(3) == 0 ? NA : (double)rnd_below(1000),
			.reached = rnd_below(2) == 0 ? NA : (double)rnd_below(500),
		};
	}
}

/* Rows the naive way: distinct row areas, by P-code with unspecified ones after. */
static size_t naive_rows(const struct naive *nv, const struct cc_area *a, int level, size_t *out)
{
	size_t n = 0;

	for (size_t j = 0; j < nv->n; j++) {
		bool seen = false;

		for (size_t k = 0; k < n; k++)
			seen |= out[k] == nv->row_area[j];
		if (!seen)
			out[n++] = nv->row_area[j];
	}
	for (size_t i = 1; i < n; i++) { /* insertion sort */
		for (size_t k = i; k > 0; k--) {
			const struct cc_area *x = &a[out[k - 1]], *y = &a[out[k]];
			bool ux = x->level != level, uy = y->level != level;

			if (ux < uy || (ux == uy && strcmp(x->pcode, y->pcode) < 0))
				break;
			size_t t = out[k];
			out[k] = out[k - 1];
			out[k - 1] = t;
		}
	}
	return n;
}

static void compare_naive(const struct cc_coverage_record *r, const struct cc_area *a, int level)
{
	static size_t row_area[R_RECS], expect_rows[R_AREAS];
	struct naive nv = { r, R_RECS, row_area };
	struct cc_coverage cov;
	size_t n_rows, bad = 0;

	for (size_t j = 0; j < R_RECS; j++)
		row_area[j] =
		        naive_row_area(a, R_AREAS, naive_find(a, R_AREAS, r[j].area_id), level);
	n_rows = naive_rows(&nv, a, level, expect_rows);

	if (!check_int(cc_coverage_compute(r, R_RECS, a, R_AREAS, pillars, N_COLS,
	                                   &(struct cc_coverage_opts){ .level = level }, &cov,
	                                   NULL),
	               ==, 0))
		return;
	if (!check_int(cov.n_rows, ==, n_rows))
		goto out;
	for (size_t i = 0; i < n_rows; i++) {
		const struct cc_coverage_row *row = &cov.rows[i];
		size_t ra = expect_rows[i];

		bad += row->area_id != a[ra].id;
		bad += row->unspecified != (a[ra].level != level);
		bad += row->n_activities != naive_distinct(&nv, ra, -1, false);
		bad += row->n_orgs != naive_distinct(&nv, ra, -1, true);
		for (int c = 0; c < N_COLS; c++) {
			const struct cc_coverage_cell *cell = &row->cells[c];

			bad += cell->n_activities != naive_distinct(&nv, ra, c, false);
			bad += cell->n_orgs != naive_distinct(&nv, ra, c, true);
			bad += !same_figure(cell->targeted, naive_sum(&nv, ra, c, false));
			bad += !same_figure(cell->reached, naive_sum(&nv, ra, c, true));
		}
	}
	for (int c = 0; c < N_COLS; c++) {
		const struct cc_coverage_cell *cell = &cov.col_totals[c];

		bad += cell->n_activities != naive_distinct(&nv, SIZE_MAX, c, false);
		bad += cell->n_orgs != naive_distinct(&nv, SIZE_MAX, c, true);
		bad += !same_figure(cell->targeted, naive_sum(&nv, SIZE_MAX, c, false));
		bad += !same_figure(cell->reached, naive_sum(&nv, SIZE_MAX, c, true));
	}
	check_int(cov.n_activities, ==, naive_distinct(&nv, SIZE_MAX, -1, false));
	check_int(cov.n_orgs, ==, naive_distinct(&nv, SIZE_MAX, -1, true));
	check_int(bad, ==, 0);
out:
	cc_coverage_release(&cov);
}

TEST(random_against_naive)
{
	static struct cc_area a[R_AREAS];
	static struct cc_coverage_record r[R_RECS];

	for (int round = 0; round < 3; round++) {
		make_random_areas(a);
		make_random_records(r, a);
		for (int level = 1; level <= 3; level++)
			compare_naive(r, a, level);
	}
}

/* A million records: totals known by construction; the time is printed, never asserted. */
TEST(million_records)
{
	enum { N = 1000000, N_DIST = 400, N_PROV = 34 };
	struct cc_area *a = calloc(1 + N_PROV + N_DIST, sizeof(*a));
	struct cc_coverage_record *r = malloc(N * sizeof(*r));
	struct cc_coverage cov;
	struct timespec t0, t1;
	bool ok = true;

	if (!check(a && r))
		goto out;
	a[0] = (struct cc_area){ .id = 1, .pcode = "QQ", .name = "Country", .level = 0 };
	for (int p = 0; p < N_PROV; p++) {
		a[1 + p] = (struct cc_area){ .id = 100 + p, .level = 1, .parent_id = 1 };
		snprintf(a[1 + p].pcode, sizeof(a[1 + p].pcode), "QQ%02d", p);
	}
	for (int d = 0; d < N_DIST; d++) {
		struct cc_area *x = &a[1 + N_PROV + d];

		*x = (struct cc_area){ .id = 10000 + d, .level = 2, .parent_id = 100 + d % N_PROV };
		snprintf(x->pcode, sizeof(x->pcode), "QQ%02d%03d", d % N_PROV, d);
	}
	for (int i = 0; i < N; i++)
		r[i] = (struct cc_coverage_record){ .activity_id = i,
			                            .org_id = i % 500,
			                            .area_id = 10000 + i % N_DIST,
			                            .column = i % N_COLS,
			                            .kind = CC_KIND_ACTIVITY,
			                            .targeted = 1,
			                            .reached = NA };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!check_int(cc_coverage_compute(r, N, a, 1 + N_PROV + N_DIST, pillars, N_COLS,
	                                   &(struct cc_coverage_opts){ .level = 2 }, &cov, NULL),
	               ==, 0))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# 1M records, 400 districts: %.3f s\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	check_int(cov.n_activities, ==, N);
	check_int(cov.n_orgs, ==, 500);
	check_int(cov.n_rows, ==, N_DIST);
	/* district d gets i = d + 400k, k < 2500; i % 500 takes 5 values (400 × 5 = 4 × 500) */
	for (size_t i = 0; i < cov.n_rows; i++)
		ok &= cov.rows[i].n_activities == 2500 && cov.rows[i].n_orgs == 5;
	check(ok);
	check_dbl(cov.col_totals[0].targeted, 166667, 0); /* i % 6 == 0 for 166,667 values */
	check(is_nan(cov.col_totals[0].reached));
	cc_coverage_release(&cov);
out:
	free(a);
	free(r);
}
