/*
 * The events importer (src/io/events.c) and the incident store: counts, updates on re-import,
 * placement in areas, rejected rows, whole-file faults, atomicity under allocation failure.
 * Expected numbers come from the files (counted by hand, see tests/data/events/README.md).
 */
#include <concord/alloc.h>
#include <concord/events.h>
#include <concord/import.h>
#include <concord/store.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tap.h"
#include "testdir.h"
#include "fixtures.h"

static const struct cc_import_opts no_opts = { .level = -1,
	                                       .period_from = CC_DATE_NONE,
	                                       .period_to = CC_DATE_NONE };

/* Code lists, mission AFG, the Afghan P-codes and the province boundaries. */
static struct cc_store *afg_store(const char *name)
{
	return afg_fixture(name, AFG_BOUNDARIES, NULL, NULL, NULL);
}

static int64_t n_incidents(struct cc_store *st, const char *source)
{
	int64_t n = -1;

	cc_store_count_incidents(st, source, &n, NULL);
	return n;
}

static void digest(struct cc_store *st, char out[static 65])
{
	if (cc_store_digest(st, out, NULL) != 0)
		snprintf(out, 65, "error");
}

struct rejects {
	int n;
	char lines[16][512];
};

static void on_reject(void *ctx, const struct cc_err *why)
{
	struct rejects *r = ctx;

	if (r->n < 16)
		cc_err_format(why, r->lines[r->n], sizeof(r->lines[0]));
	r->n++;
}

static int import(struct cc_store *st, const char *rel, unsigned flags, const char *source,
                  enum cc_events_format f, struct cc_import_report *rep, struct rejects *rj,
                  struct cc_err *err)
{
	struct cc_import_opts o = no_opts;
	char path[512];
	const char *base = strrchr(rel, '/');

	o.flags = flags;
	o.source = source;
	o.display_name = base ? base + 1 : rel;
	o.on_reject = rj ? on_reject : NULL;
	o.reject_ctx = rj;
	memset(err, 0, sizeof(*err));
	return cc_import_events(st, data(rel, path), &o, &(struct cc_events_opts){ .format = f },
	                        rep, err);
}

/* The incident of the window [d, d] nearest to (lat, lon) (within 1 m), or NULL. */
static int find_incident(struct cc_store *st, const char *day, double lat, double lon,
                         struct cc_exposure_incident *out)
{
	struct cc_incident_query q = { 0 };
	struct cc_exposure_incident *inc = NULL;
	char(*types)[64] = NULL;
	size_t n = 0, n_types = 0;
	int found = 0;

	cc_date_parse(day, &q.from, NULL);
	q.to = q.from;
	if (cc_store_load_incidents(st, &q, &inc, &n, &types, &n_types, NULL) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (fabs(inc[i].lat - lat) < 1e-5 && fabs(inc[i].lon - lon) < 1e-5) {
			*out = inc[i];
			found++;
		}
	cc_free(inc);
	cc_free(types);
	return found;
}

static int64_t area_id(struct cc_store *st, const char *pcode)
{
	struct cc_area a;

	return cc_store_find_area(st, pcode, &a, NULL) == 0 ? a.id : -1;
}

TEST(ucdp_excerpt_imports_once_and_never_duplicates)
{
	struct cc_store *st = afg_store("ucdp.db");
	struct cc_import_report rep;
	struct cc_exposure_incident e;
	struct cc_err err;
	char before[65], after[65];
	int32_t latest;

	if (!st)
		return;
	check_int(import(st, "tests/data/events/ucdp_ged_v23_1_afg.csv", 0, NULL, CC_EVENTS_AUTO,
	                 &rep, NULL, &err),
	          ==, 0);
	/* 135 Afghan events in the excerpt (MANIFEST: 135 of the 146 rows are Afghanistan) */
	check_int(rep.n_read, ==, 135);
	check_int(rep.n_added, ==, 135);
	check_int(rep.n_rejected, ==, 0);
	check_int(n_incidents(st, "ucdp"), ==, 135);
	check_int(n_incidents(st, "acled"), ==, 0);
	/* the latest event of the excerpt ends 2022-09-14 */
	check_int(cc_store_latest_incident(st, &latest, &err), ==, 0);
	check_int(latest, ==, cc_date_from_ymd(2022, 9, 14));

	/* the same file again: nothing to do */
	digest(st, before);
	check_int(import(st, "tests/data/events/ucdp_ged_v23_1_afg.csv", 0, NULL, CC_EVENTS_UCDP,
	                 &rep, NULL, &err),
	          ==, 0);
	check(rep.same_file);
	digest(st, after);
	check_str(after, before);
	/* the same rows under another source name: all unchanged, none duplicated */
	check_int(import(st, "tests/data/events/ucdp_ged_v23_1_afg.csv", 0, "again", CC_EVENTS_AUTO,
	                 &rep, NULL, &err),
	          ==, 0);
	check_int(rep.n_unchanged, ==, 135);
	check_int(rep.n_added + rep.n_updated, ==, 0);
	check_int(n_incidents(st, NULL), ==, 135);

	/*
	 * GED id 133925 (first row of the file): 1989-03-18 … 1989-03-19 at 31.611795 N
	 * 65.705795 E, "Kandahar province", "Kandahar district", best 3: placed by
	 * point-in-polygon in the province Kandahar (AF27), then by its district name in
	 * Kandahar district (AF2701), which has no boundary in the store.
	 */
	if (check_int(find_incident(st, "1989-03-18", 31.611795, 65.705795, &e), ==, 1)) {
		check_dbl(e.fatalities, 3, 0);
		check_int(e.date_end, ==, cc_date_from_ymd(1989, 3, 19));
		check_int(e.area_id, ==, area_id(st, "AF2701"));
	}
	cc_store_close(st);
}

TEST(acled_revisions_update_and_new_events_add)
{
	struct cc_store *st = afg_store("acled.db");
	struct cc_import_report rep;
	struct cc_exposure_incident e;
	struct cc_err err;

	if (!st)
		return;
	check_int(import(st, "tests/data/events/acled_synthetic.csv", 0, NULL, CC_EVENTS_AUTO, &rep,
	                 NULL, &err),
	          ==, 0);
	check_int(rep.n_added, ==, 7);
	check_int(n_incidents(st, "acled"), ==, 7);
	/*
	 * placed: Kabul city by polygon, then by its admin2 name "Kabul" in AF0101; the point at
	 * sea nowhere; 10 N 12 E by its admin1 name alone
	 */
	if (check_int(find_incident(st, "2021-07-03", 34.5553, 69.2075, &e), ==, 1))
		check_int(e.area_id, ==, area_id(st, "AF0101"));
	if (check_int(find_incident(st, "2021-09-10", 20, 60, &e), ==, 1))
		check_int(e.area_id, ==, 0);
	if (check_int(find_incident(st, "2021-09-30", 10, 12, &e), ==, 1))
		check_int(e.area_id, ==, area_id(st, "AF01"));
	/* "02 September 2021" is read as 2021-09-02 (Herat, AF32; the gazetteer's district is
	   "Hirat", so the admin2 "Herat" does not match and the province stays) */
	if (check_int(find_incident(st, "2021-09-02", 34.3482, 62.1997, &e), ==, 1)) {
		check_int(e.area_id, ==, area_id(st, "AF32"));
		check(e.type >= 0);
	}

	/* the next download: AFG90002 revised (5 → 7 dead), AFG90007 new, AFG90001 as it was */
	check_int(import(st, "tests/data/events/acled_synthetic_v2.csv", 0, NULL, CC_EVENTS_ACLED,
	                 &rep, NULL, &err),
	          ==, 0);
	check_int(rep.n_read, ==, 3);
	check_int(rep.n_added, ==, 1);
	check_int(rep.n_updated, ==, 1);
	check_int(rep.n_unchanged, ==, 1);
	check_int(n_incidents(st, "acled"), ==, 8); /* events missing from a download are kept */
	if (check_int(find_incident(st, "2021-07-20", 31.6289, 65.7372, &e), ==, 1))
		check_dbl(e.fatalities, 7, 0);
	cc_store_close(st);
}

TEST(bad_rows_are_reported_and_good_ones_stored)
{
	struct cc_store *st = afg_store("bad.db");
	struct cc_import_report rep;
	struct rejects rj = { 0 };
	struct cc_err err;
	char path[512], line[600], before[65], after[65];
	FILE *f;
	int i = 0;

	if (!st)
		return;
	digest(st, before);
	check_int(import(st, "tests/data/events/acled_bad.csv", CC_IMPORT_STRICT, NULL,
	                 CC_EVENTS_AUTO, &rep, NULL, &err),
	          ==, CC_EREJECTED);
	digest(st, after);
	check_str(after, before);
	check_int(import(st, "tests/data/events/acled_bad.csv", CC_IMPORT_DRY_RUN, NULL,
	                 CC_EVENTS_AUTO, &rep, NULL, &err),
	          ==, 0);
	check_int(rep.n_added, ==, 2);
	digest(st, after);
	check_str(after, before);

	check_int(import(st, "tests/data/events/acled_bad.csv", 0, NULL, CC_EVENTS_AUTO, &rep, &rj,
	                 &err),
	          ==, 0);
	check_int(rep.n_read, ==, 9);
	check_int(rep.n_added, ==, 2);
	check_int(rep.n_rejected, ==, 7);
	check_int(n_incidents(st, NULL), ==, 2);
	/* every rejected row, with its line, field and reason, as the .errors file says */
	f = fopen(data("tests/data/events/acled_bad.errors", path), "r");
	if (!check(f != NULL))
		goto out_close;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (i < rj.n)
			check_str(rj.lines[i], line);
		i++;
	}
	fclose(f);
	check_int(i, ==, rj.n);
out_close:
	cc_store_close(st);
}

TEST(whole_file_faults_store_nothing)
{
	struct cc_store *st = afg_store("faults.db");
	struct cc_import_report rep;
	struct cc_err err;
	char before[65], after[65], p1[160], p2[160];
	FILE *f;

	if (!st)
		return;
	digest(st, before);
	/* declared UCDP, but the header is ACLED's */
	check_int(import(st, "tests/data/events/acled_synthetic.csv", 0, NULL, CC_EVENTS_UCDP, &rep,
	                 NULL, &err),
	          ==, CC_EPARSE);
	check(strstr(err.msg, "not a UCDP GED file") != NULL);
	check(strstr(err.msg, "looks like ACLED") != NULL);
	/* a CSV of neither kind */
	check_int(import(st, "tests/data/3w/small.csv", 0, NULL, CC_EVENTS_AUTO, &rep, NULL, &err),
	          ==, CC_EPARSE);
	check(strstr(err.msg, "not an ACLED or UCDP GED file") != NULL);
	/* a required column missing; a 0-byte file */
	f = fopen(tmp_path("nolat.csv", p1), "w");
	if (f) {
		fputs("event_id_cnty,event_date,longitude,fatalities\nX1,2021-01-01,65,1\n", f);
		fclose(f);
	}
	memset(&err, 0, sizeof(err));
	check_int(cc_import_events(st, p1, &no_opts, NULL, &rep, &err), ==, CC_EPARSE);
	check_str(err.msg, "required column 'latitude' is missing");
	check_int(err.line, ==, 1);
	f = fopen(tmp_path("empty.csv", p2), "w");
	if (f)
		fclose(f);
	check_int(cc_import_events(st, p2, &no_opts, NULL, &rep, &err), ==, CC_EPARSE);
	digest(st, after);
	check_str(after, before);
	cc_store_close(st);
}

TEST(every_allocation_failure_leaves_the_store_unchanged)
{
	struct cc_store *st = afg_store("oom.db");
	struct cc_import_report rep;
	struct cc_err err;
	char before[65], after[65];
	int ret = -1, n_fail = 0;

	if (!st)
		return;
	digest(st, before);
	for (long n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = import(st, "tests/data/events/acled_synthetic.csv", 0, NULL, CC_EVENTS_AUTO,
		             &rep, NULL, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM)) {
			char buf[512];

			printf("# failing allocation %ld: %s\n", n,
			       cc_err_format(&err, buf, sizeof(buf)));
			break;
		}
		digest(st, after);
		if (!check_str(after, before))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail > 10);
	check_int(rep.n_added, ==, 7);
	check_int(n_incidents(st, NULL), ==, 7);
	cc_store_close(st);
}

/* The incident table's index definitions, one per line, from the store file at path. */
static void index_sql(const char *name, char *out, size_t n)
{
	char path[160];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	size_t len = 0;

	out[0] = '\0';
	if (sqlite3_open_v2(tmp_path(name, path), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db,
	                       "SELECT sql FROM sqlite_master WHERE type = 'index' AND "
	                       "tbl_name = 'incident' AND sql IS NOT NULL ORDER BY name",
	                       -1, &s, NULL) == SQLITE_OK)
		while (sqlite3_step(s) == SQLITE_ROW && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s\n", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/*
 * A bulk load (bulk_after = 10 on the real UCDP rows, 20 times, into an empty table): the secondary
 * indexes are dropped after 10 rows and rebuilt, identical, at the end; every row stored, and
 * the incidents read back are those of an import without the bulk path. In strict mode a bad
 * last row rolls everything back, the indexes included. A repeated id is found through the
 * store and named with its first line.
 */
TEST(bulk_load_drops_and_rebuilds_the_indexes)
{
	struct cc_store *st = afg_store("bulk.db"), *plain = afg_store("plain.db");
	struct cc_import_opts o = no_opts;
	struct cc_import_report rep;
	struct rejects rj = { 0 };
	struct cc_exposure_incident *a = NULL, *b = NULL;
	char(*ta)[64] = NULL, (*tb)[64] = NULL;
	size_t na = 0, nb = 0, nta = 0, ntb = 0;
	char ix0[4096], ix1[4096], path[512], bad[160], before[65], after[65], line[4096];
	struct cc_err err = { 0 };
	FILE *in, *out;

	if (!st || !plain)
		goto out;
	index_sql("bulk.db", ix0, sizeof(ix0));
	check(strstr(ix0, "incident_expo_short") != NULL);
	/* the 135 real rows 20 times with new ids: larger than the reader's buffer, so that the
	 * bytes read after 10 rows tell how much of the file is left */
	data("data/cases/afghanistan/ucdp_ged_v23_1_afg.csv", line);
	in = fopen(line, "r");
	out = fopen(tmp_path("big.csv", path), "w");
	if (!check(in && out))
		goto out;
	for (int k = 0; k < 20; k++) {
		rewind(in);
		if (fgets(line, sizeof(line), in) && k == 0)
			fputs(line, out);
		while (fgets(line, sizeof(line), in))
			fprintf(out, "%d%s", k, line); /* the id, first, made unique by a prefix */
	}
	fclose(in);
	fclose(out);
	check_int(cc_import_events(st, path, &o, &(struct cc_events_opts){ .bulk_after = 10 }, &rep,
	                           &err),
	          ==, 0);
	check_int(rep.n_added, ==, 2700);
	check(rep.bulk_load);
	index_sql("bulk.db", ix1, sizeof(ix1));
	check_str(ix1, ix0);
	check_int(cc_import_events(plain, path, &o, NULL, &rep, &err), ==, 0);
	check(!rep.bulk_load); /* 2,700 rows: below the default bulk_after */
	check_int(cc_store_load_incidents(st, &(struct cc_incident_query){ .from = INT32_MIN + 1,
	                                                                   .to = INT32_MAX },
	                                  &a, &na, &ta, &nta, NULL),
	          ==, 0);
	check_int(cc_store_load_incidents(plain, &(struct cc_incident_query){ .from = INT32_MIN + 1,
	                                                                      .to = INT32_MAX },
	                                  &b, &nb, &tb, &ntb, NULL),
	          ==, 0);
	check_int(na, ==, nb);
	for (size_t i = 0; na == nb && i < na; i++) {
		bool same = a[i].lat == b[i].lat && a[i].lon == b[i].lon && a[i].date == b[i].date &&
		            a[i].date_end == b[i].date_end && a[i].area_id == b[i].area_id &&
		            (a[i].fatalities == b[i].fatalities ||
		             (isnan(a[i].fatalities) && isnan(b[i].fatalities))) &&
		            strcmp(a[i].type >= 0 ? ta[a[i].type] : "", b[i].type >= 0 ? tb[b[i].type] : "") == 0;

		if (!check(same)) {
			printf("# incident %zu differs: %f %f %d area %lld / %f %f %d area %lld\n", i,
			       a[i].lat, a[i].lon, a[i].date, (long long)a[i].area_id, b[i].lat, b[i].lon,
			       b[i].date, (long long)b[i].area_id);
			break;
		}
	}

	/* strict: the bad last row undoes the whole import, dropped indexes included */
	cc_store_close(st);
	st = afg_store("bulk2.db");
	if (!st)
		goto out;
	in = fopen(path, "r");
	out = fopen(tmp_path("bad.csv", bad), "w");
	if (!check(in && out))
		goto out;
	while (fgets(line, sizeof(line), in))
		fputs(line, out);
	fputs("999999999,AFG-2099-1,2099,1,Clear,1,333,333,x,727,727,x,130,130,x,294,294,x,-1,,,,,,"
	      "1,x,x,x,x,not-a-latitude,65.7,,,Afghanistan,700,Asia,1,1,2099-01-01,2099-01-01,0,0,0,"
	      "1,1,1,1,700,\n",
	      out);
	fclose(in);
	fclose(out);
	digest(st, before);
	o.flags = CC_IMPORT_STRICT;
	check_int(cc_import_events(st, bad, &o, &(struct cc_events_opts){ .bulk_after = 10 }, &rep,
	                           &err),
	          ==, CC_EREJECTED);
	digest(st, after);
	check_str(after, before);
	index_sql("bulk2.db", ix1, sizeof(ix1));
	check_str(ix1, ix0);

	/* a repeated id: rejected, naming the line of its first row */
	o.flags = 0;
	o.on_reject = on_reject;
	o.reject_ctx = &rj;
	out = fopen(tmp_path("dup.csv", bad), "w");
	in = fopen(path, "r");
	if (!check(in && out))
		goto out;
	for (int i = 0; i < 3 && fgets(line, sizeof(line), in); i++)
		fputs(line, out); /* the header and rows 2, 3 */
	rewind(in);
	(void)!fgets(line, sizeof(line), in);
	(void)!fgets(line, sizeof(line), in);
	fputs(line, out); /* row 2 again, as line 4 */
	fclose(in);
	fclose(out);
	check_int(cc_import_events(st, bad, &o, NULL, &rep, &err), ==, 0);
	check_int(rep.n_rejected, ==, 1);
	check(rj.n == 1 && strstr(rj.lines[0], "dup.csv:4") && strstr(rj.lines[0], "duplicate of line 2"));
out:
	cc_free(a);
	cc_free(b);
	cc_free(ta);
	cc_free(tb);
	cc_store_close(st);
	cc_store_close(plain);
}
