/*
 * The writers through the library: the 3W export of tests/data/3w/small.csv (rows checked
 * against the file by hand), allocation failure at every allocation of an export (each ends in
 * CC_ENOMEM with no file and no FILE.tmp left, the store unchanged), the areas GeoJSON, and the
 * change log's head.
 */
#include <concord/alloc.h>
#include <concord/export.h>
#include <concord/import.h>
#include <concord/store.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "testdir.h"
#include "fixtures.h"

/* A store with the code lists, mission AFG, the Afghan P-codes and small.csv as "partners". */
static struct cc_store *small_store(const char *name)
{
	return afg_fixture(name, 0, "tests/data/3w/small.csv", "partners", NULL);
}

static void digest(struct cc_store *st, char out[static 65])
{
	struct cc_err err = { 0 };

	if (cc_store_digest(st, out, &err) != 0)
		snprintf(out, 65, "error");
}

/* The file's lines (at most max), each without its CR LF; returns how many. */
static int read_lines(const char *path, char lines[][512], int max)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fgets(lines[n], 512, f)) {
		lines[n][strcspn(lines[n], "\r\n")] = '\0';
		n++;
	}
	fclose(f);
	return n;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

TEST(export_3w_writes_the_rows_of_small_csv)
{
	struct cc_store *st = small_store("w3.db");
	struct cc_err err = { 0 };
	char path[160], tmp[200], lines[16][512];
	size_t n = 0;
	int ret;

	if (!st)
		return;
	tmp_path("small-out.csv", path);
	ret = cc_export_3w(st, NULL, path, &n, &err);
	check_int(ret, ==, 0);
	check_int(n, ==, 8);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	check(!exists(tmp));
	/* 2 header rows + 8 rows, the quoted two-line activity counting for two lines */
	check_int(read_lines(path, lines, 16), ==, 11);
	check_str(lines[1], "#org+acronym,#org+name,#org+type+code,#org+type+name,#org+impl+name,"
	                    "#org+funder+name,#sector+vocabulary,#sector+code,#sector+name,"
	                    "#adm1+code,#adm1+name,#adm2+code,#adm2+name,#adm3+code,#adm3+name,"
	                    "#activity,#activity+description,#date+start,#date+end,#targeted,"
	                    "#reached,#status,#value+budget,#currency,#geo+lat,#geo+lon,"
	                    "#meta+kind");
	/*
	 * Line 3 of small.csv: UNICEF (no name column: the acronym is its name), "United Nations"
	 * is IATI organisation type 40 (Multilateral), partner Local NGO A, WASH is IASC cluster
	 * WSH (vocabulary 10), district AF0101 Kabul in province AF01 Kabul, status Ongoing is
	 * IATI ActivityStatus 2.
	 */
	check(strncmp(lines[2], "UNICEF,UNICEF,40,Multilateral,Local NGO A,,10,WSH,", 49) == 0);
	check(strstr(lines[2], ",AF01,Kabul,AF0101,Kabul,,,Water trucking,,2021-07-01,"
	                       "2021-09-30,6000,4500,2,,,,") != NULL);
	/* line 5: the quoted comma survives, reached is empty */
	check(strstr(lines[4], ",\"Temporary learning spaces, 20 classrooms\",,2021-08-01,"
	                       "2021-12-31,1200,,2,,,,") != NULL);
	/* line 9: a province-level row leaves the district empty */
	check(strstr(lines[8], ",AF17,Badakhshan,,,,,,,,,,,,,,") != NULL);
	/* the kind: an activity with text and figures; the province-level row is presence */
	check(strstr(lines[2], ",activity") != NULL);
	check(strstr(lines[8], ",presence") != NULL);
	printf("# %s\n# %s\n", lines[2], lines[8]);
	cc_store_close(st);
}

TEST(every_allocation_failure_leaves_no_file)
{
	struct cc_store *st = small_store("oom.db");
	char path[160], tmp[200], before[65], after[65];
	struct cc_err err;
	size_t n = 0;
	long k;
	int ret = -1, n_fail = 0;

	if (!st)
		return;
	tmp_path("oom.csv", path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	digest(st, before);
	for (k = 0; k < 100000; k++) {
		memset(&err, 0, sizeof(err));
		cc_test_fail_alloc_after(k);
		ret = cc_export_3w(st, NULL, path, &n, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM) || !check(!exists(path)) ||
		    !check(!exists(tmp)) || !check_int(n, ==, 0))
			break;
		digest(st, after);
		if (!check_str(after, before))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail >= 2); /* the export allocates: failures really were injected */
	check_int(n, ==, 8);
	check(exists(path));
	cc_store_close(st);
}

TEST(areas_geojson_and_its_allocation_failures)
{
	struct cc_store *st = small_store("areas.db");
	struct cc_export_areas_opts o = { .level = 1, .with_coverage = true };
	char path[160], tmp[200];
	struct cc_err err;
	size_t n = 0;
	long k;
	int ret = -1, n_fail = 0;
	FILE *f;
	static char text[1 << 16];
	size_t len;

	if (!st)
		return;
	tmp_path("adm1.geojson", path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	for (k = 0; k < 100000; k++) {
		memset(&err, 0, sizeof(err));
		cc_test_fail_alloc_after(k);
		ret = cc_export_areas(st, &o, path, &n, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM) || !check(!exists(path)) || !check(!exists(tmp)))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail >= 3);
	/* the gazetteer subset has the 34 provinces */
	check_int(n, ==, 34);
	f = fopen(path, "r");
	len = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[len] = '\0';
	check(strncmp(text, "{\"type\":\"FeatureCollection\",\"features\":[", 40) == 0);
	/*
	 * Badakhshan (AF17) holds small.csv's rows 9 and 10 (AABRAR health presence, WFP food):
	 * 2 activities, 2 organisations; data/codelists/pillars.csv puts cluster HEA under
	 * infrastructure and FSC under humanitarian; no geometry was loaded, so null.
	 */
	check(strstr(text, "{\"pcode\":\"AF17\",\"name\":\"Badakhshan\",\"level\":1,\"parent\":"
	                   "\"AFG\",\"activities\":2,\"organisations\":2,\"security\":0,"
	                   "\"governance\":0,\"infrastructure\":1,\"economy\":0,"
	                   "\"humanitarian\":1,\"other\":0},\"geometry\":null}") != NULL);
	o.level = 0;
	memset(&err, 0, sizeof(err));
	check_int(cc_export_areas(st, &o, path, &n, &err), ==, CC_EUSAGE);
	cc_store_close(st);
}

TEST(log_head_counts_every_entry)
{
	struct cc_store *st = small_store("log.db");
	struct cc_err err = { 0 };
	char head[65];
	int64_t n = -1, n_head = -1, n_rows = -1;

	if (!st)
		return;
	check_int(cc_store_verify_log(st, &n, &err), ==, 0);
	check_int(cc_store_log_head(st, head, &n_head, &err), ==, 0);
	check_int(cc_store_count(st, "change", &n_rows, &err), ==, 0);
	check(n_rows > 0);
	check_int(n, ==, n_rows);
	check_int(n_head, ==, n_rows);
	check_int(strlen(head), ==, 64);
	cc_store_close(st);
}
