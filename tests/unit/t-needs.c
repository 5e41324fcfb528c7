/*
 * The needs and population importers and their store reads through the library: totals taken
 * from total rows only (values read off the real HNO excerpt by hand, with the file line), bad
 * rows, strict runs that change nothing, re-imports, and allocation failure at every allocation
 * (each ends in CC_ENOMEM and leaves the store digest unchanged).
 */
#include <concord/alloc.h>
#include <concord/import.h>
#include <concord/needs.h>
#include <concord/store.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "testdir.h"
#include "fixtures.h"

static void show(const struct cc_err *err)
{
	char buf[512];

	printf("# %s\n", cc_err_format(err, buf, sizeof(buf)));
}

/* A store with the code lists, mission AFG and the Afghan P-codes. */
static struct cc_store *afg_store(const char *name)
{
	return afg_fixture(name, 0, NULL, NULL, NULL);
}

static const struct cc_import_opts plain = { .period_from = CC_DATE_NONE,
	                                     .period_to = CC_DATE_NONE };

static int64_t area_id(struct cc_store *st, const char *pcode)
{
	struct cc_area a;

	return cc_store_find_area(st, pcode, &a, NULL) == 0 ? a.id : -1;
}

TEST(hno_hxl_totals_from_total_rows)
{
	struct cc_store *st = afg_store("hxl.db");
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct cc_need *v = NULL;
	struct cc_gap_need *g = NULL;
	struct cc_area *areas = NULL;
	struct cc_gap_sector *secs = NULL;
	size_t n = 0, n_g = 0, n_areas = 0, n_secs = 0, n_total = 0;
	char path[512];
	int64_t kabul, kabul_city, fsc = 0;
	double breakdown_sum = 0, kabul_fsc = -1;
	int ret;

	if (!st)
		return;
	kabul = area_id(st, "AF01");
	kabul_city = area_id(st, "AF0101");
	check_int(cc_store_sector_id(st, "10", "FSC", &fsc, NULL), ==, 0);
	ret = cc_import_needs(st, data("tests/data/needs/afg_hno_2024_hxl_excerpt.csv", path),
	                      &plain, &rep, &err);
	if (!check_int(ret, ==, 0))
		show(&err);
	/* 173 lines: header, hashtag row, 171 data rows; every one valid */
	check_int(rep.n_read, ==, 171);
	check_int(rep.n_added, ==, 171);
	check_int(rep.n_rejected, ==, 0);

	ret = cc_store_list_needs(st,
	                          &(struct cc_need_query){ .from = CC_DATE_NONE,
	                                                   .to = CC_DATE_NONE,
	                                                   .mission_id = 1,
	                                                   .with_breakdown = true },
	                          &v, &n, &err);
	check_int(ret, ==, 0);
	check_int(n, ==, 171);
	for (size_t i = 0; i < n; i++) {
		n_total += v[i].is_total;
		if (v[i].area_id == kabul && v[i].sector_id == fsc) {
			if (v[i].is_total)
				kabul_fsc = v[i].in_need;
			else
				breakdown_sum += v[i].in_need;
		}
	}
	/* 3 places (country, AF01, AF0101) × 3 sectors (ALL, FSC, PRO_GBV) have a t/all/all row */
	check_int(n_total, ==, 9);
	/* the source's line 199: AF01,,FSC,t,all,,all,,2160768 */
	check_dbl(kabul_fsc, 2160768, 0);
	/* the 18 breakdown rows of Kabul FSC add up to 4,547,040: overlapping, not a total */
	check_dbl(breakdown_sum, 4547040, 0);
	cc_free(v);

	/* the gap read: totals only; at level 1 and below, the country rows are left out */
	ret = cc_store_load_needs(
	        st,
	        &(struct cc_need_query){
	                .mission_id = 1, .min_level = 1, .from = CC_DATE_NONE, .to = CC_DATE_NONE },
	        &g, &n_g, &areas, &n_areas, &secs, &n_secs, &err);
	check_int(ret, ==, 0);
	check_int(n_g, ==, 6);
	for (size_t i = 0; i < n_g; i++) {
		if (g[i].area_id == kabul_city && g[i].sector_id == 0)
			check_dbl(g[i].in_need, 2293151, 0); /* AF01,AF0101,ALL,t,all,,all */
		check_int(g[i].severity, ==, 0);             /* the HNO gives no severity */
	}
	check_int(n_areas, ==, 3); /* AF0101, AF01 and the country above them */
	check_int(n_secs, ==, 2);  /* FSC and PRO-GBV (PRO_GBV written with '_') */
	cc_free(g);
	cc_free(areas);
	cc_free(secs);

	/* the same file again: nothing to do */
	ret = cc_import_needs(st, path, &plain, &rep, &err);
	check_int(ret, ==, 0);
	check(rep.same_file);
	cc_store_close(st);
}

TEST(caseload_export_without_hxl)
{
	struct cc_store *st = afg_store("export.db");
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct cc_need *v = NULL;
	size_t n = 0, n_total = 0, n_hh = 0;
	char path[512];
	int ret;

	if (!st)
		return;
	ret = cc_import_needs(st,
	                      data("tests/data/needs/afg_hno_2024_needs_by_area_excerpt.csv", path),
	                      &plain, &rep, &err);
	if (!check_int(ret, ==, 0))
		show(&err);
	check_int(rep.n_read, ==, 51);
	/* line 7, "Multi-Purpose Cash" (MS), gives no figure at all: rejected, not stored */
	check_int(rep.n_added, ==, 50);
	check_int(rep.n_rejected, ==, 1);
	ret = cc_store_list_needs(st,
	                          &(struct cc_need_query){ .mission_id = 1,
	                                                   .from = CC_DATE_NONE,
	                                                   .to = CC_DATE_NONE,
	                                                   .with_breakdown = true },
	                          &v, &n, &err);
	check_int(ret, ==, 0);
	for (size_t i = 0; i < n; i++) {
		n_total += v[i].is_total;
		if (!strcmp(v[i].pop_group, "total households"))
			n_hh++;
		/* "Children - Female - IDP" → three breakdown columns */
		if (v[i].line == 32) {
			check_str(v[i].sex, "f");
			check_str(v[i].age_group, "children");
			check_str(v[i].pop_group, "idp");
			check(!v[i].is_total);
		}
		/* the national rows' Affected column is empty: missing, not 0 */
		check(isnan(v[i].affected));
	}
	/* 14 national rows with figures and without a category, and Kabul FSC's "total" */
	check_int(n_total, ==, 15);
	check_int(n_hh, ==, 1);
	cc_free(v);
	cc_store_close(st);
}

TEST(bad_rows_and_strict)
{
	struct cc_store *st = afg_store("bad.db");
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct cc_import_opts o = plain;
	char path[512], before[65], after[65];
	int ret;

	if (!st)
		return;
	data("tests/data/needs/bad.csv", path);
	check_int(cc_store_digest(st, before, NULL), ==, 0);
	o.flags = CC_IMPORT_STRICT;
	ret = cc_import_needs(st, path, &o, &rep, &err);
	check_int(ret, ==, CC_EREJECTED);
	check_int(rep.n_rejected, ==, 8);
	check_int(cc_store_digest(st, after, NULL), ==, 0);
	check_str(after, before);
	o.flags = CC_IMPORT_DRY_RUN;
	ret = cc_import_needs(st, path, &o, &rep, &err);
	check_int(ret, ==, 0);
	check_int(cc_store_digest(st, after, NULL), ==, 0);
	check_str(after, before);
	ret = cc_import_needs(st, path, &plain, &rep, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_added, ==, 2);
	check_int(rep.n_rejected, ==, 8);
	cc_store_close(st);
}

TEST(jiaf_layout_cell_by_cell)
{
	struct cc_store *st = afg_store("jiaf.db");
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct cc_need *v = NULL;
	size_t n = 0, n_sev3 = 0, n_none = 0;
	int64_t hea = 0;
	char path[512];
	int ret;

	if (!st)
		return;
	check_int(cc_store_sector_id(st, "10", "HEA", &hea, NULL), ==, 0);
	ret = cc_import_needs(st, data("tests/data/needs/jiaf-layout.csv", path), &plain, &rep,
	                      &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, 4);
	check_int(rep.n_added, ==, 7);    /* 4 cells of line 2, 3 of line 3 (Mine Action 0) */
	check_int(rep.n_rejected, ==, 2); /* unknown P-code; wrong province */
	ret = cc_store_list_needs(st,
	                          &(struct cc_need_query){ .mission_id = 1,
	                                                   .from = CC_DATE_NONE,
	                                                   .to = CC_DATE_NONE },
	                          &v, &n, &err);
	check_int(ret, ==, 0);
	check_int(n, ==, 7);
	for (size_t i = 0; i < n; i++) {
		check(v[i].is_total && isnan(v[i].in_need));
		n_sev3 += v[i].severity == 3;
		n_none += v[i].severity == 0; /* JIAF's 0: not classified, kept without one */
		if (v[i].sector_id == hea) {
			check_int(v[i].line, ==, 2);
			check_int(v[i].severity, ==, 3);
			check_str(v[i].label, "Health");
		}
	}
	check_int(n_sev3, ==, 3); /* Health and Final Severity of line 2, Final of line 3 */
	check_int(n_none, ==, 1); /* Mine Action of line 3 */
	cc_free(v);
	cc_store_close(st);
}

TEST(column_map)
{
	struct cc_store *st = afg_store("map.db");
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	const struct cc_column_map map[] = { { "Prov", "#adm1+code" },
		                             { "cluster code", "#sector+code" },
		                             { " PIN ", "#inneed" }, { "Sev", "#severity" } };
	const struct cc_column_map bad[] = { { "Nope", "#inneed" } };
	struct cc_need *v = NULL;
	size_t n = 0;
	char path[160], before[65], after[65];
	FILE *f;
	int ret;

	if (!st)
		return;
	f = fopen(tmp_path("mapped.csv", path), "w");
	if (!check(f != NULL))
		return;
	fputs("Prov,Cluster Code,PIN,Sev,Note\nAF01,WSH,700,,x\nAF01,HEA,,3,y\nAF01,EDU,,,z\n", f);
	fclose(f);
	check_int(cc_store_digest(st, before, NULL), ==, 0);
	ret = cc_import_needs_map(st, path, &plain, bad, 1, &rep, &err);
	check_int(ret, ==, CC_EUSAGE);
	check(strstr(err.msg, "'Nope'") != NULL);
	check_int(cc_store_digest(st, after, NULL), ==, 0);
	check_str(after, before);
	ret = cc_import_needs_map(st, path, &plain, map, 4, &rep, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_added, ==, 2);
	check_int(rep.n_rejected, ==, 1); /* EDU: no figure at all */
	ret = cc_store_list_needs(st,
	                          &(struct cc_need_query){ .mission_id = 1,
	                                                   .from = CC_DATE_NONE,
	                                                   .to = CC_DATE_NONE },
	                          &v, &n, &err);
	check_int(n, ==, 2);
	if (n == 2) {
		check_dbl(v[0].in_need, 700, 0);
		check(isnan(v[1].in_need)); /* empty: missing, not 0 */
	}
	cc_free(v);
	cc_store_close(st);
}

TEST(population)
{
	struct cc_store *st = afg_store("pop.db");
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct cc_population *p = NULL;
	size_t n = 0;
	int64_t sum = 0, kabul;
	char path[512];
	int ret;

	if (!st)
		return;
	kabul = area_id(st, "AF01");
	ret = cc_import_population(st, data("tests/data/needs/afg_population_adm1.csv", path),
	                           &plain, &rep, &err);
	check_int(ret, ==, 0);
	/* 38 rows: 34 Afghan provinces added; Mali's (empty) and 3 Libyan rows skipped, never
	   checked: another country's empty figure is not this mission's fault */
	check_int(rep.n_read, ==, 38);
	check_int(rep.n_added, ==, 34);
	check_int(rep.n_rejected, ==, 0);
	check_int(rep.n_read - rep.n_added - rep.n_rejected, ==, 4);
	ret = cc_store_list_population(st, 0, &p, &n, &err);
	check_int(ret, ==, 0);
	check_int(n, ==, 34);
	for (size_t i = 0; i < n; i++) {
		sum += p[i].value;
		if (p[i].area_id == kabul)
			check_int(p[i].value, ==, 6700513); /* line 2: AF,AFG,…,AF01,…,6700513 */
		check_int(p[i].year, ==, 0);
	}
	check_int(sum, ==, 40411869);
	cc_free(p);
	ret = cc_store_list_population(st, kabul, &p, &n, &err);
	check_int(n, ==, 1);
	cc_free(p);
	cc_store_close(st);
}

/* Allocation failure at every allocation of an import: CC_ENOMEM and an unchanged store. */
static void fail_loop(const char *name, const char *rel, bool population)
{
	struct cc_store *st = afg_store(name);
	struct cc_import_report rep;
	char path[512], before[65], after[65];
	long k, n_fail = 0;
	int ret = -1;

	if (!st)
		return;
	data(rel, path);
	check_int(cc_store_digest(st, before, NULL), ==, 0);
	for (k = 0; k < 200000; k++) {
		struct cc_err err = { 0 };

		cc_test_fail_alloc_after(k);
		ret = population ? cc_import_population(st, path, &plain, &rep, &err)
		                 : cc_import_needs(st, path, &plain, &rep, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM)) {
			show(&err);
			break;
		}
		check_int(cc_store_digest(st, after, NULL), ==, 0);
		if (!check_str(after, before))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail > 10);
	check(rep.n_added > 0);
	cc_store_close(st);
}

TEST(allocation_failures_needs)
{
	fail_loop("oom-needs.db", "tests/data/needs/afg_hno_2024_needs_by_area_excerpt.csv", false);
}

TEST(allocation_failures_population)
{
	fail_loop("oom-pop.db", "tests/data/needs/afg_population_adm1.csv", true);
}

TEST(allocation_failures_jiaf_layout)
{
	fail_loop("oom-jiaf.db", "tests/data/needs/jiaf-layout.csv", false);
}

TEST(allocation_failures_read)
{
	struct cc_store *st = afg_store("oom-read.db");
	struct cc_import_report rep;
	char path[512];
	long k;
	int ret = -1;

	if (!st)
		return;
	check_int(cc_import_needs(st, data("tests/data/needs/afg_hno_2024_hxl_excerpt.csv", path),
	                          &plain, &rep, NULL),
	          ==, 0);
	for (k = 0; k < 10000; k++) {
		struct cc_gap_need *g = NULL;
		struct cc_area *a = NULL;
		struct cc_gap_sector *s = NULL;
		size_t ng, na, ns;

		cc_test_fail_alloc_after(k);
		ret = cc_store_load_needs(st,
		                          &(struct cc_need_query){ .mission_id = 1,
		                                                   .from = CC_DATE_NONE,
		                                                   .to = CC_DATE_NONE },
		                          &g, &ng, &a, &na, &s, &ns, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0) {
			check_int(ng, ==, 9);
			cc_free(g);
			cc_free(a);
			cc_free(s);
			break;
		}
		check_int(ret, ==, CC_ENOMEM);
		check(g == NULL && a == NULL && s == NULL);
	}
	check_int(ret, ==, 0);
	cc_store_close(st);
}
