/*
 * The IATI importer (src/io/iati.c) and its store (src/store/sqlite_iati.c): real 1.0x and
 * 2.0x excerpts, a constructed file with mixed versions and every kind of fault, whole-file
 * faults, re-imports, results feeding the indicator tables (broken down by sex, age and
 * location on a real Cordaid activity), versions, the same activity in two files, the schema's
 * own test files, the export's round trip compared field by field and (when $CC_SHARED_DATA is
 * there) the 1,338-activity Iraq AIMS file.
 *
 * Counts are checked against a second, independent reading of the same file: a libxml2 DOM walk
 * in this test (dom_count). The constructed file's expected figures are worked out by hand in
 * tests/data/iati/SOURCES.md.
 */
#include <concord/alloc.h>
#include <concord/iati.h>
#include <concord/import.h>
#include <concord/indicators.h>
#include <concord/store.h>

#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "tap.h"
#include "testdir.h"
#include "fixtures.h"

static const struct cc_import_opts no_opts = { .level = -1,
	                                       .period_from = CC_DATE_NONE,
	                                       .period_to = CC_DATE_NONE };

/* ---- the independent count: a DOM walk ---- */

struct dom {
	long activities, transactions, budgets, locations, points, indicators, results;
	long tx_c, tx_d, tx_e;    /* 1.0x letter codes */
	long v1, no_version;      /* activities of version 1.0x; of them, without any version */
	long in_af;               /* activities with recipient-country AF */
	const char *file_version; /* of the enclosing iati-activities, NULL none */
};

static bool named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}

static void dom_activity(const xmlNode *act, struct dom *d)
{
	xmlChar *v = xmlGetNoNsProp(act, (const xmlChar *)"version");
	const char *ver = v ? (const char *)v : d->file_version;

	d->activities++;
	d->v1 += !ver || ver[0] == '1';
	d->no_version += !ver;
	xmlFree(v);
	for (const xmlNode *c = act->children; c; c = c->next) {
		if (named(c, "transaction")) {
			d->transactions++;
			for (const xmlNode *t = c->children; t; t = t->next) {
				xmlChar *code;

				if (!named(t, "transaction-type"))
					continue;
				code = xmlGetProp(t, (const xmlChar *)"code");
				if (code && !strcmp((const char *)code, "C"))
					d->tx_c++;
				if (code && !strcmp((const char *)code, "D"))
					d->tx_d++;
				if (code && !strcmp((const char *)code, "E"))
					d->tx_e++;
				xmlFree(code);
			}
		} else if (named(c, "recipient-country")) {
			xmlChar *code = xmlGetProp(c, (const xmlChar *)"code");

			d->in_af += code && !strcmp((const char *)code, "AF");
			xmlFree(code);
		} else if (named(c, "budget") || named(c, "planned-disbursement")) {
			d->budgets++;
		} else if (named(c, "location")) {
			d->locations++;
			for (const xmlNode *p = c->children; p; p = p->next)
				d->points += named(p, "point") || named(p, "coordinates");
		} else if (named(c, "result")) {
			d->results++;
			for (const xmlNode *i = c->children; i; i = i->next)
				d->indicators += named(i, "indicator");
		}
	}
}

static void dom_walk(const xmlNode *n, struct dom *d)
{
	for (; n; n = n->next) {
		if (named(n, "iati-activity")) {
			dom_activity(n, d);
		} else if (named(n, "iati-activities")) {
			xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)"version");
			char ver[16];

			snprintf(ver, sizeof(ver), "%s", v ? (const char *)v : "");
			xmlFree(v);
			d->file_version = ver[0] ? ver : NULL;
			dom_walk(n->children, d);
			d->file_version = NULL;
		} else if (n->type == XML_ELEMENT_NODE) {
			dom_walk(n->children, d);
		}
	}
}

static bool dom_count(const char *path, struct dom *d)
{
	xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);

	memset(d, 0, sizeof(*d));
	if (!doc)
		return false;
	dom_walk(xmlDocGetRootElement(doc), d);
	xmlFreeDoc(doc);
	return true;
}

/* ---- helpers ---- */

struct rejects {
	int n, n_warn;
	char lines[32][512];
};

static void on_reject(void *ctx, const struct cc_err *why)
{
	struct rejects *r = ctx;

	if (r->n < 32)
		cc_err_format(why, r->lines[r->n], sizeof(r->lines[0]));
	r->n++;
	r->n_warn += strncmp(why->msg, "warning:", 8) == 0;
}

static bool has_line(const struct rejects *r, const char *needle)
{
	for (int i = 0; i < r->n && i < 32; i++)
		if (strstr(r->lines[i], needle))
			return true;
	return false;
}

static int import(struct cc_store *st, const char *path, const char *source,
                  struct cc_import_report *rep, struct cc_iati_report *irep, struct rejects *rj,
                  struct cc_err *err)
{
	struct cc_import_opts o = no_opts;
	const char *base = strrchr(path, '/');

	o.source = source;
	o.display_name = base ? base + 1 : path;
	o.on_reject = rj ? on_reject : NULL;
	o.reject_ctx = rj;
	memset(err, 0, sizeof(*err));
	if (rj)
		memset(rj, 0, sizeof(*rj));
	return cc_import_iati_ex(st, path, &o, rep, irep, err);
}

static int64_t count(struct cc_store *st, const char *table)
{
	int64_t n = -1;

	cc_store_count_iati(st, 0, table, &n, NULL);
	return n;
}

static void digest(struct cc_store *st, char out[static 65])
{
	if (cc_store_digest(st, out, NULL) != 0)
		snprintf(out, 65, "error");
}

/* One integer from SQL on the store file (a second, read-only connection). */
static long long sql_int(const char *db_path, const char *q)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		printf("# sql: %s: %s\n", q, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static const char *sql_text(const char *db_path, const char *q, char *buf, size_t n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	buf[0] = '\0';
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_text(s, 0))
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return buf;
}

/* Every row of q on the store file, columns joined by '|', rows by '\n' (sqlite3_free it). */
static char *sql_rows(const char *db_path, const char *q)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	sqlite3_str *out = sqlite3_str_new(NULL);

	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(s); i++)
				sqlite3_str_appendf(out, "%s%s", i ? "|" : "",
				                    sqlite3_column_text(s, i)
				                            ? (const char *)sqlite3_column_text(s, i)
				                            : "NULL");
			sqlite3_str_appendchar(out, 1, '\n');
		}
	} else {
		printf("# sql: %s: %s\n", q, sqlite3_errmsg(db));
		sqlite3_str_appendall(out, "error");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	{
		char *r = sqlite3_str_finish(out);

		return r ? r : sqlite3_mprintf("%s", "");
	}
}

static void print_err(const struct cc_err *err)
{
	char buf[600];

	printf("# %s\n", cc_err_format(err, buf, sizeof(buf)));
}

/* ---- 2.0x: many publishers, versions 1.03–2.03 per activity ---- */

/* a 2.0x multi-publisher excerpt: counts equal the DOM's */
TEST(multi_publisher_v2)
{
	char path[512], db[160];
	struct cc_store *st = afg_fixture("multi.db", 0, NULL, NULL, NULL);
	struct cc_import_report rep;
	struct cc_iati_report irep;
	struct rejects rj;
	struct cc_err err;
	struct dom d;
	int ret;

	if (!st)
		return;
	data("tests/data/iati/ebola_multi_v2_excerpt.xml", path);
	check(dom_count(path, &d));
	ret = import(st, path, NULL, &rep, &irep, &rj, &err);
	if (!check_int(ret, ==, 0))
		print_err(&err);
	check_int(rep.n_read, ==, d.activities);
	check_int(rep.n_rejected, ==, 0);
	check_int(rep.n_added, ==, d.activities);
	check_int(count(st, "iati_activity"), ==, d.activities);
	check_int(count(st, "iati_transaction"), ==, d.transactions);
	check_int(count(st, "iati_budget"), ==, d.budgets);
	check_int(count(st, "iati_location"), ==, d.locations);
	check_int(count(st, "iati_indicator"), ==, d.indicators);
	check_int(irep.n_transactions, ==, d.transactions);
	/* versions per activity: two 1.03 and one 1.04 among 2.02 and 2.03 ones */
	tmp_path("multi.db", db);
	check_int(d.v1, ==, 3);
	check_int(irep.n_v1, ==, d.v1);
	check_int(sql_int(db, "SELECT count(*) FROM iati_activity WHERE version = '1.0x'"), ==,
	          d.no_version);
	check_int(sql_int(db, "SELECT count(*) FROM iati_activity WHERE version IN ('1.03', "
	                      "'1.04')"),
	          ==, 3);
	/* every indicator feeds the indicator table */
	check_int(sql_int(db, "SELECT count(*) FROM indicator i JOIN iati_indicator x ON "
	                      "x.indicator_code = i.code"),
	          ==, d.indicators);
	/* vocabulary 99 sectors are kept as such */
	check(sql_int(db, "SELECT count(*) FROM iati_sector WHERE vocabulary = '99'") > 0);
	/* the empty recipient-region code names nothing */
	check_int(sql_int(db, "SELECT count(*) FROM iati_recipient WHERE code = ''"), ==, 0);
	/* none of these is in Afghanistan (the mission): no Concord activities */
	check_int(d.in_af, ==, 0);
	check_int(sql_int(db, "SELECT count(*) FROM activity"), ==, 0);
	cc_store_close(st);
}

/* ---- 1.0x: an API wrapper, text codes, text in elements ---- */

/* a 1.0x DFID excerpt: letter codes mapped, text read from elements */
TEST(dfid_v1)
{
	char path[512], db[160], buf[256];
	struct cc_store *st = afg_fixture("v1.db", 0, NULL, NULL, NULL);
	struct cc_import_report rep;
	struct cc_iati_report irep;
	struct rejects rj;
	struct cc_err err;
	struct dom d;
	int ret;

	if (!st)
		return;
	data("tests/data/iati/dfid_v1_excerpt.xml", path);
	check(dom_count(path, &d));
	check_int(d.activities, ==, 12);
	check_int(d.no_version, ==, 12); /* no version anywhere: 1.0x */
	ret = import(st, path, NULL, &rep, &irep, &rj, &err);
	if (!check_int(ret, ==, 0))
		print_err(&err);
	check_int(rep.n_read, ==, 12);
	check_int(rep.n_added + rep.n_rejected, ==, 12);
	check_int(irep.n_v1, ==, rep.n_added);
	tmp_path("v1.db", db);
	check_int(count(st, "iati_transaction"), ==, d.transactions);
	check_int(sql_int(db, "SELECT count(*) FROM iati_transaction WHERE type = '2'"), ==,
	          d.tx_c);
	check_int(sql_int(db, "SELECT count(*) FROM iati_transaction WHERE type = '3'"), ==,
	          d.tx_d);
	check_int(sql_int(db, "SELECT count(*) FROM iati_transaction WHERE type = '4'"), ==,
	          d.tx_e);
	check_int(sql_int(db, "SELECT count(*) FROM iati_transaction WHERE type NOT GLOB '[0-9]*'"),
	          ==, 0);
	/* start-planned etc. became 1..4; the first activity has all four */
	check_int(sql_int(db, "SELECT count(DISTINCT d.type) FROM iati_date d JOIN iati_activity a "
	                      "ON a.id = d.activity_id WHERE a.identifier = 'GB-1-201111-101'"),
	          ==, 4);
	check_str(sql_text(db,
	                   "SELECT title FROM iati_activity WHERE identifier = "
	                   "'GB-1-201111-101'",
	                   buf, sizeof(buf)),
	          "Strengthening the Government of Afghanistan's Statistical Capacity");
	check_str(
	        sql_text(db, "SELECT reporting_name FROM iati_activity LIMIT 1", buf, sizeof(buf)),
	        "Department for International Development");
	/* the activities naming AF (none is located) count in the country's area, once each
	 * per DAC sector; the others are not the mission's */
	check(d.in_af > 0 && d.in_af < d.activities);
	check_int(sql_int(db, "SELECT count(*) FROM (SELECT DISTINCT title, start_date, "
	                      "end_date FROM activity)"),
	          ==, d.in_af);
	check_int(sql_int(db, "SELECT count(*) FROM activity a JOIN area r ON r.id = a.area_id "
	                      "WHERE r.pcode <> 'AFG'"),
	          ==, 0);
	/* roles "Funding" … became codes */
	check_int(sql_int(db, "SELECT count(*) FROM iati_org WHERE role NOT IN ('1','2','3','4')"),
	          ==, 0);
	/* budget type "Revised" became 2, and the value keeps its currency */
	check(sql_int(db,
	              "SELECT count(*) FROM iati_budget WHERE type = '2' AND currency = 'GBP'") >
	      0);
	cc_store_close(st);
}

/* ---- the constructed file: mixed versions, every kind of fault ---- */

/* mixed versions per activity; bad activities rejected with file:line; warnings */
TEST(mixed_versions)
{
	char path[512], db[160], buf[256];
	struct cc_store *st = afg_fixture("mixed.db", AFG_BOUNDARIES, NULL, NULL, NULL);
	struct cc_import_report rep;
	struct cc_iati_report irep;
	struct cc_indicator_data id = { 0 };
	struct rejects rj;
	struct cc_err err;
	int ret;

	if (!st)
		return;
	data("tests/data/iati/mixed_versions.xml", path);
	ret = import(st, path, NULL, &rep, &irep, &rj, &err);
	if (!check_int(ret, ==, 0))
		print_err(&err);
	check_int(rep.n_read, ==, 7);
	check_int(rep.n_added, ==, 2);
	check_int(rep.n_rejected, ==, 5);
	check_int(irep.n_warnings, ==, 3);
	check_int(rj.n_warn, ==, 3);
	check_int(rj.n, ==, 8);
	for (int i = 0; i < rj.n; i++)
		printf("# %s\n", rj.lines[i]);
	check(has_line(&rj, "mixed_versions.xml:54: iati-identifier: duplicate of the activity "
	                    "at line 5"));
	check(has_line(&rj, "mixed_versions.xml:59: iati-identifier: iati-identifier is empty"));
	check(has_line(&rj, "mixed_versions.xml:64: activity-date: iso-date '31/12/2020' is not "
	                    "a date"));
	check(has_line(&rj, "mixed_versions.xml:68: value: value 'lots' is not a number"));
	check(has_line(&rj, "mixed_versions.xml:72: pos: latitude and longitude look swapped"));
	check(has_line(&rj, "mixed_versions.xml:34: sector: warning: sectors of vocabulary 1 "
	                    "percentages sum to 90, not 100"));
	check(has_line(&rj, "mixed_versions.xml:32: recipient-country: warning: recipient "
	                    "countries and regions percentages sum to 60, not 100"));
	check(has_line(&rj, "actual value 'n/a' is not a number"));

	tmp_path("mixed.db", db);
	check_str(sql_text(db, "SELECT version FROM iati_activity WHERE identifier = 'XX-TEST-1'",
	                   buf, sizeof(buf)),
	          "1.03");
	check_str(sql_text(db, "SELECT version FROM iati_activity WHERE identifier = 'XX-TEST-2'",
	                   buf, sizeof(buf)),
	          "2.03");
	check_str(sql_text(db,
	                   "SELECT group_concat(type, ',') FROM (SELECT d.type FROM iati_date "
	                   "d JOIN iati_activity a ON a.id = d.activity_id WHERE "
	                   "a.identifier = 'XX-TEST-1' ORDER BY d.seq)",
	                   buf, sizeof(buf)),
	          "1,4");
	check_str(sql_text(db,
	                   "SELECT group_concat(type || ':' || currency || ':' || value, ',') "
	                   "FROM (SELECT t.* FROM iati_transaction t JOIN iati_activity a ON "
	                   "a.id = t.activity_id WHERE a.identifier = 'XX-TEST-1' ORDER BY "
	                   "t.seq)",
	                   buf, sizeof(buf)),
	          "2:USD:1000.0,3:EUR:400.0,4:USD:300.0");
	check_str(sql_text(db,
	                   "SELECT vocabulary FROM iati_sector s JOIN iati_activity a ON a.id "
	                   "= s.activity_id WHERE a.identifier = 'XX-TEST-1'",
	                   buf, sizeof(buf)),
	          "1");
	check_str(sql_text(db, "SELECT title FROM iati_activity WHERE identifier = 'XX-TEST-2'",
	                   buf, sizeof(buf)),
	          "New style activity");
	/* points placed by point-in-polygon: Kabul city in Kabul, Herat city in Hirat */
	check_str(sql_text(db,
	                   "SELECT a.pcode FROM iati_location l JOIN area a ON a.id = "
	                   "l.area_id WHERE l.name = 'Kabul'",
	                   buf, sizeof(buf)),
	          "AF01");
	check_str(sql_text(db,
	                   "SELECT a.pcode FROM iati_location l JOIN area a ON a.id = "
	                   "l.area_id WHERE l.name = 'Herat'",
	                   buf, sizeof(buf)),
	          "AF32");
	check_int(irep.n_placed, ==, 2);
	/* Concord activities: TEST-1 1 sector × 1 area; TEST-2 2 DAC sectors × 1 area */
	check_int(sql_int(db, "SELECT count(*) FROM activity"), ==, 3);
	check_int(sql_int(db, "SELECT count(*) FROM activity a JOIN organisation o ON o.id = "
	                      "a.funder_org_id WHERE o.key = 'XX-DONOR'"),
	          ==, 1);
	/* the result: baseline 2 (2019), milestones 10 and 20, target 20, one actual 7 */
	check_int(cc_store_load_indicator_data(
	                  st, &(struct cc_indicator_query){ .mission_id = 1, .at = CC_DATE_NONE },
	                  &id, &err),
	          ==, 0);
	check_int(id.n_indicators, ==, 1);
	if (id.n_indicators == 1) {
		check_str(id.indicators[0].code, "XX-TEST-2#1.1");
		check_str(id.indicators[0].name, "Number of clinics");
	}
	check_int(id.n_benchmarks, ==, 4);
	check_int(id.n_observations, ==, 1);
	if (id.n_observations == 1)
		check_dbl(id.observations[0].value, 7, 0);
	for (size_t i = 0; i < id.n_benchmarks; i++) {
		const struct cc_benchmark *b = &id.benchmarks[i];

		if (b->kind == CC_BENCH_BASELINE)
			check_dbl(b->value, 2, 0);
		if (b->kind == CC_BENCH_TARGET)
			check_dbl(b->value, 20, 0);
	}
	cc_indicator_data_release(&id);
	cc_store_close(st);
}

/* ---- whole-file faults ---- */

/* a file that is not well-formed or not IATI is refused with its line; nothing stored */
TEST(whole_file_faults)
{
	char path[512], d0[65], d1[65];
	struct cc_store *st = afg_fixture("bad.db", 0, NULL, NULL, NULL);
	struct cc_import_report rep;
	struct rejects rj;
	struct cc_err err;
	int ret;

	if (!st)
		return;
	digest(st, d0);
	ret = import(st, data("tests/data/iati/truncated.xml", path), NULL, &rep, NULL, &rj, &err);
	check_int(ret, ==, CC_EPARSE);
	/* libxml2's reader places the fault at the end of the last complete tag */
	check_int(err.line, ==, 10);
	check(strstr(err.msg, "not well-formed XML at line 10, column 40") != NULL);
	print_err(&err);
	digest(st, d1);
	check_str(d1, d0);

	ret = import(st, data("tests/data/iati/not_iati.xml", path), NULL, &rep, NULL, &rj, &err);
	check_int(ret, ==, CC_EPARSE);
	check(strstr(err.msg, "not an IATI activity file") != NULL);
	check(strstr(err.msg, "<kml>") != NULL);
	check_int(err.line, ==, 3);
	digest(st, d1);
	check_str(d1, d0);

	/* an empty file and a file of another format */
	{
		char empty[160], csv[160];
		FILE *f = fopen(tmp_path("empty.xml", empty), "w");

		if (f)
			fclose(f);
		ret = import(st, empty, NULL, &rep, NULL, &rj, &err);
		check_int(ret, ==, CC_EPARSE);
		print_err(&err);
		f = fopen(tmp_path("x.csv", csv), "w");
		if (f) {
			fputs("a,b\n1,2\n", f);
			fclose(f);
		}
		ret = import(st, csv, NULL, &rep, NULL, &rj, &err);
		check_int(ret, ==, CC_EPARSE);
		check_int(err.line, ==, 1);
		print_err(&err);
	}
	digest(st, d1);
	check_str(d1, d0);
	cc_store_close(st);
}

/* ---- idempotence ---- */

/* re-importing the same file changes nothing; a copy reports every activity unchanged */
TEST(reimport)
{
	char path[512], copy[160], d0[65], d1[65];
	struct cc_store *st = afg_fixture("again.db", AFG_BOUNDARIES, NULL, NULL, NULL);
	struct cc_import_report rep;
	struct rejects rj;
	struct cc_err err;
	int64_t n_act, n_ind, n_tx;
	int ret;

	if (!st)
		return;
	data("tests/data/iati/ebola_multi_v2_excerpt.xml", path);
	ret = import(st, path, "ebola", &rep, NULL, &rj, &err);
	check_int(ret, ==, 0);
	n_act = count(st, "iati_activity");
	n_tx = count(st, "iati_transaction");
	cc_store_count(st, "activity", &n_ind, NULL);
	digest(st, d0);
	ret = import(st, path, "ebola", &rep, NULL, &rj, &err);
	check_int(ret, ==, 0);
	check(rep.same_file);
	digest(st, d1);
	check_str(d1, d0);

	/* the same activities in a file that differs by a comment: all unchanged */
	{
		FILE *in = fopen(path, "r"), *out = fopen(tmp_path("copy.xml", copy), "w");
		char buf[8192];
		size_t n;

		check(in && out);
		while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		if (out)
			fputs("<!-- a copy -->\n", out);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
	}
	ret = import(st, copy, "ebola", &rep, NULL, &rj, &err);
	check_int(ret, ==, 0);
	check(!rep.same_file);
	check_int(rep.n_unchanged, ==, n_act);
	check_int(rep.n_added, ==, 0);
	check_int(rep.n_updated, ==, 0);
	check_int(rep.n_removed, ==, 0);
	check_int(count(st, "iati_activity"), ==, n_act);
	check_int(count(st, "iati_transaction"), ==, n_tx);
	{
		int64_t n = -1;

		cc_store_count(st, "activity", &n, NULL);
		check_int(n, ==, n_ind);
	}

	/* a file with fewer activities: the others are removed with their details */
	ret = import(st, data("tests/data/iati/mixed_versions.xml", path), "ebola", &rep, NULL, &rj,
	             &err);
	check_int(ret, ==, 0);
	check_int(rep.n_removed, ==, 0); /* rows were rejected: nothing removed */
	check(rep.kept_stale);
	cc_store_close(st);
}

/* ---- versions and the checks the schema cannot make ---- */

/* a version that is not one of the standard's: the activity's, or the whole file's, error */
TEST(wrong_version)
{
	char path[512], db[160], buf[256], d0[65], d1[65];
	struct cc_store *st = afg_fixture("ver.db", 0, NULL, NULL, NULL);
	struct cc_import_report rep;
	struct rejects rj;
	struct cc_err err;
	int ret;

	if (!st)
		return;
	ret = import(st, data("tests/data/iati/wrong_version.xml", path), NULL, &rep, NULL, &rj,
	             &err);
	if (!check_int(ret, ==, 0))
		print_err(&err);
	for (int i = 0; i < rj.n; i++)
		printf("# %s\n", rj.lines[i]);
	check_int(rep.n_read, ==, 4);
	check_int(rep.n_added, ==, 2);
	check_int(rep.n_rejected, ==, 2);
	check(has_line(&rj, "wrong_version.xml:3: version: version '3.01' is not an IATI version "
	                    "(1.01 to 1.05 or 2.01 to 2.03)"));
	check(has_line(&rj, "wrong_version.xml:23: version: version '' is not an IATI version"));
	/* an empty participating-org activity-id (twice, one blank): one warning for both */
	check(has_line(&rj, "wrong_version.xml:13: activity-id: warning: participating-org "
	                    "activity-id is empty (more than once in this activity)"));
	check(has_line(&rj, "wrong_version.xml:21: activity-status: warning: unknown activity "
	                    "status 'xx'"));
	check_int(rj.n_warn, ==, 2);
	tmp_path("ver.db", db);
	check_str(sql_text(db,
	                   "SELECT version || ':' || status FROM iati_activity WHERE "
	                   "identifier = 'XX-VER-2'",
	                   buf, sizeof(buf)),
	          "2.02:2"); /* 1.0x text status "Implementation" is code 2 */
	check_str(sql_text(db,
	                   "SELECT version || ':' || ifnull(status, 'none') FROM iati_activity "
	                   "WHERE identifier = 'XX-VER-3'",
	                   buf, sizeof(buf)),
	          "2.03:none"); /* the file's version */
	check_int(sql_int(db, "SELECT count(*) FROM iati_activity WHERE identifier IN "
	                      "('XX-VER-1', 'XX-VER-4')"),
	          ==, 0);

	/* on iati-activities: the whole file is refused, nothing stored */
	digest(st, d0);
	ret = import(st, data("tests/data/iati/wrong_file_version.xml", path), NULL, &rep, NULL,
	             &rj, &err);
	check_int(ret, ==, CC_EPARSE);
	check_int(err.line, ==, 3);
	check_str(err.field, "version");
	check(strstr(err.msg, "version '2.04' is not an IATI version") != NULL);
	print_err(&err);
	digest(st, d1);
	check_str(d1, d0);
	cc_store_close(st);
}

/* ---- results broken down by sex, age and location ---- */

/*
 * The real Cordaid activity the audit cites (tests/data/iati/SOURCES.md): indicator 1.1 has
 * baselines and actuals by "Gender - genre" (Female 9239, Male 2491), by "Direct/ Indirect"
 * (kept apart) and a target 15000 without breakdown; result 7's indicators give one actual per
 * province location. Expected figures read off the file by hand (SOURCES.md).
 */
TEST(results_breakdown)
{
	char path[512], db[160], buf[512], want[512];
	struct cc_store *st = afg_fixture("res.db", AFG_BOUNDARIES, NULL, NULL, NULL);
	struct cc_import_report rep;
	struct rejects rj;
	struct cc_err err;
	char *rows;
	int ret;

	if (!st)
		return;
	ret = import(st, data("tests/data/iati/cordaid_results_excerpt.xml", path), NULL, &rep,
	             NULL, &rj, &err);
	if (!check_int(ret, ==, 0))
		print_err(&err);
	for (int i = 0; i < rj.n && i < 32; i++)
		printf("# %s\n", rj.lines[i]);
	check_int(rep.n_added, ==, 1);
	tmp_path("res.db", db);
	/* every baseline, target and actual is kept: 5 baselines, 2 targets, 39 actuals */
	check_int(sql_int(db, "SELECT count(*) FROM iati_result_value WHERE kind = 'baseline'"), ==,
	          5);
	check_int(sql_int(db, "SELECT count(*) FROM iati_result_value WHERE kind = 'target'"), ==,
	          2);
	check_int(sql_int(db, "SELECT count(*) FROM iati_result_value WHERE kind = 'actual'"), ==,
	          5 + 1 + 4 * 2 + 5 * 5);
	/* the sex breakdown of indicator 1.1 feeds observations and baselines */
	rows = sql_rows(db, "SELECT ifnull(o.sex, 'total'), ifnull(o.age_group, ''), "
	                    "ifnull(a.pcode, 'mission'), date(o.period_end * 86400, 'unixepoch'), "
	                    "o.value FROM observation o "
	                    "JOIN indicator i ON i.id = o.indicator_id LEFT JOIN area a ON a.id = "
	                    "o.area_id WHERE i.code = 'NL-KVK-41160054-200832#1.1' "
	                    "ORDER BY o.sex");
	check_str(rows, "female||mission|2020-12-31|9239.0\nmale||mission|2020-12-31|2491.0\n");
	sqlite3_free(rows);
	rows = sql_rows(db, "SELECT b.kind, ifnull(b.sex, 'total'), date(b.date * 86400, "
	                    "'unixepoch'), b.value FROM benchmark "
	                    "b JOIN indicator i ON i.id = b.indicator_id WHERE i.code = "
	                    "'NL-KVK-41160054-200832#1.1' ORDER BY b.kind, b.sex");
	check_str(rows, "baseline|female|2020-12-31|9239.0\nbaseline|male|2020-12-31|2491.0\n"
	                "milestone|total|2020-12-31|15000.0\ntarget|total|2020-12-31|15000.0\n");
	sqlite3_free(rows);
	/* the "Direct/ Indirect" values (3 baselines, 3 actuals) stay apart, said once */
	check(has_line(&rj, "indicator: warning: indicator 1.1: 6 values kept in the IATI tables "
	                    "only, not fed to indicators (the first: broken down by 'Direct/ "
	                    "Indirect', neither sex nor age)"));
	/* indicator 2.1: one actual at the location "AF" (the country, not placed): the whole
	 * mission, and it is the period's total */
	check_str(sql_text(db,
	                   "SELECT ifnull(o.area_id, 'mission') || ':' || o.value FROM "
	                   "observation o JOIN indicator i ON i.id = o.indicator_id "
	                   "WHERE i.code = 'NL-KVK-41160054-200832#2.1'",
	                   buf, sizeof(buf)),
	          "mission:5.0");
	check_str(sql_text(db,
	                   "SELECT group_concat(ifnull(p.actual, 'none'), ',') FROM iati_period "
	                   "p JOIN iati_indicator x ON x.activity_id = p.activity_id AND "
	                   "x.seq = p.indicator WHERE x.indicator_code = "
	                   "'NL-KVK-41160054-200832#2.1'",
	                   buf, sizeof(buf)),
	          "5.0,none");
	/* indicator 7.1: one actual of 25 per province location, each in the area its
	 * location was placed in */
	check_int(sql_int(db, "SELECT count(DISTINCT o.area_id) FROM observation o JOIN indicator "
	                      "i ON i.id = o.indicator_id WHERE i.code = "
	                      "'NL-KVK-41160054-200832#7.1' AND o.value = 25"),
	          ==, 5);
	/* indicator 7.3: 9 in Kabul (431372), Nangarhar (431536) and Herat (431591) */
	sql_text(db,
	         "SELECT group_concat(pcode, ',') FROM (SELECT r.pcode FROM observation o JOIN "
	         "indicator i ON i.id = o.indicator_id JOIN area r ON r.id = o.area_id WHERE "
	         "i.code = 'NL-KVK-41160054-200832#7.3' AND o.value = 9 ORDER BY r.pcode)",
	         buf, sizeof(buf));
	sql_text(db,
	         "SELECT group_concat(pcode, ',') FROM (SELECT r.pcode FROM iati_location l JOIN "
	         "area r ON r.id = l.area_id WHERE l.ref IN ('431372', '431536', '431591') ORDER "
	         "BY r.pcode)",
	         want, sizeof(want));
	check_str(buf, want);
	check(strstr(buf, "AF01") != NULL && strstr(buf, "AF32") != NULL);
	/* results 3–6: sex, age and "Direct/ Indirect" together: kept apart as well */
	check_int(sql_int(db, "SELECT count(*) FROM observation o JOIN indicator i ON i.id = "
	                      "o.indicator_id WHERE i.code GLOB 'NL-KVK-41160054-200832#[3456].1'"),
	          ==, 0);
	cc_store_close(st);
}

/* the age dimension and the other rules, on a constructed activity */
TEST(results_dimensions)
{
	static const char xml[] =
	        "<iati-activities version=\"2.03\"><iati-activity>\n"
	        "<iati-identifier>XX-DIM-1</iati-identifier>\n"
	        "<location ref=\"K\"><point><pos>34.53 69.17</pos></point></location>\n"
	        "<result type=\"1\"><indicator measure=\"1\"><title><narrative>People</narrative>"
	        "</title>\n"
	        "<period><period-start iso-date=\"2021-01-01\"/><period-end iso-date=\"2021-12-31\"/>\n"
	        "<actual value=\"10\"/>\n"
	        "<actual value=\"4\"><dimension name=\"Sex\" value=\"F\"/></actual>\n"
	        "<actual value=\"3\"><dimension name=\"Age\" value=\"0-17\"/>"
	        "<dimension name=\"sex\" value=\"girls\"/></actual>\n"
	        "<actual value=\"6\"><location ref=\"K\"/><dimension name=\"age group\" "
	        "value=\"18+\"/></actual>\n"
	        "<actual value=\"7\"><location ref=\"nowhere\"/></actual>\n"
	        "<actual value=\"8\"><dimension name=\"sex\" value=\"other\"/></actual>\n"
	        "<actual value=\"11\"/>\n"
	        "</period></indicator></result></iati-activity></iati-activities>\n";
	char path[160], db[160];
	struct cc_store *st = afg_fixture("dim.db", AFG_BOUNDARIES, NULL, NULL, NULL);
	struct cc_import_report rep;
	struct rejects rj;
	struct cc_err err;
	FILE *f;
	char *rows;

	if (!st)
		return;
	f = fopen(tmp_path("dim.xml", path), "w");
	if (f) {
		fputs(xml, f);
		fclose(f);
	}
	check_int(import(st, path, NULL, &rep, NULL, &rj, &err), ==, 0);
	for (int i = 0; i < rj.n; i++)
		printf("# %s\n", rj.lines[i]);
	tmp_path("dim.db", db);
	rows = sql_rows(db, "SELECT ifnull(o.sex, '-'), ifnull(o.age_group, '-'), "
	                    "ifnull(a.pcode, 'mission'), o.value FROM observation o LEFT JOIN area "
	                    "a ON a.id = o.area_id ORDER BY o.value");
	/* 10 is the total (the second total, 11, is a duplicate: the first one is kept) */
	check_str(rows, "female|0-17|mission|3.0\nfemale|-|mission|4.0\n-|18+|AF01|6.0\n"
	                "-|-|mission|10.0\n");
	sqlite3_free(rows);
	check_int(sql_int(db, "SELECT count(*) FROM observation WHERE value = 3 AND sex = "
	                      "'female'"),
	          ==, 1);
	check(has_line(&rj, "dim.xml:12: indicator: warning: indicator 1.1: a second value for the "
	                    "same date and breakdown; the first one is fed to indicators"));
	check(has_line(&rj, "dim.xml:10: indicator: warning: indicator 1.1: 2 values kept in the "
	                    "IATI tables only, not fed to indicators (the first: location "
	                    "'nowhere' is not one of the activity's)"));
	cc_store_close(st);
}

/* ---- the same activity in two files ---- */

struct dup_state {
	char title[64];
	long long n_copies, n_concord, n_tx;
};

static void dup_state(const char *db, struct dup_state *s)
{
	sql_text(db, "SELECT title FROM iati_activity WHERE identifier = 'XX-DUP-1'", s->title,
	         sizeof(s->title));
	s->n_copies = sql_int(db, "SELECT count(*) FROM iati_activity WHERE identifier = "
	                          "'XX-DUP-1'");
	s->n_concord = sql_int(db, "SELECT count(*) FROM activity WHERE title IN ('Older copy', "
	                           "'Newer copy')");
	s->n_tx = sql_int(db, "SELECT count(*) FROM iati_transaction t JOIN iati_activity a ON "
	                      "a.id = t.activity_id WHERE a.identifier = 'XX-DUP-1'");
}

/*
 * XX-DUP-1 is in both files: the copy last updated (June, +02:00) is stored once, whichever
 * file comes first; XX-DUP-3 has the same instant in both (12:00Z = 14:00+02:00): the copy
 * stored first stays.
 */
TEST(same_activity_two_files)
{
	char older[512], newer[512], db[160], copy[160], buf[128];
	struct cc_import_report rep;
	struct rejects rj;
	struct cc_err err;
	struct dup_state s;

	data("tests/data/iati/dup_older.xml", older);
	data("tests/data/iati/dup_newer.xml", newer);
	for (int order = 0; order < 2; order++) {
		struct cc_store *st = afg_fixture(order ? "dup2.db" : "dup1.db", 0, NULL, NULL, NULL);

		if (!st)
			return;
		tmp_path(order ? "dup2.db" : "dup1.db", db);
		check_int(import(st, order ? newer : older, NULL, &rep, NULL, &rj, &err), ==, 0);
		check_int(import(st, order ? older : newer, NULL, &rep, NULL, &rj, &err), ==, 0);
		for (int i = 0; i < rj.n; i++)
			printf("# %s\n", rj.lines[i]);
		dup_state(db, &s);
		check_str(s.title, "Newer copy");
		check_int(s.n_copies, ==, 1);
		check_int(s.n_tx, ==, 2);
		/* the Concord activity of the older copy went with it */
		check_int(s.n_concord, ==, 1);
		check_str(sql_text(db,
		                   "SELECT s.name FROM iati_activity a JOIN source s ON s.id = "
		                   "a.source_id WHERE a.identifier = 'XX-DUP-1'",
		                   buf, sizeof(buf)),
		          "dup_newer.xml");
		check_int(sql_int(db, "SELECT count(*) FROM iati_activity WHERE identifier = "
		                      "'XX-DUP-3'"),
		          ==, 1);
		check_str(sql_text(db, "SELECT title FROM iati_activity WHERE identifier = 'XX-DUP-3'",
		                   buf, sizeof(buf)),
		          order ? "Same time, newer file" : "Same time, older file");
		if (order == 1) {
			check(has_line(&rj, "dup_older.xml:3: iati-identifier: warning: the same "
			                    "activity is stored from dup_newer.xml (last updated "
			                    "2021-06-01T10:00:00+02:00), not older than this copy "
			                    "(2021-03-01T09:00:00Z): that one is kept"));
			check_int(rep.n_added, ==, 1); /* XX-DUP-2 */
			check_int(rep.n_unchanged, ==, 2);
		}
		if (order == 0) {
			check(has_line(&rj, "dup_newer.xml:3: iati-identifier: warning: replaces the "
			                    "copy stored from dup_older.xml (last updated "
			                    "2021-03-01T09:00:00Z), this one is newer "
			                    "(2021-06-01T10:00:00+02:00)"));
			check(has_line(&rj, "dup_newer.xml:24: iati-identifier: warning: the same "
			                    "activity is stored from dup_older.xml"));
			check_int(rep.n_added, ==, 1);
			check_int(rep.n_unchanged, ==, 1);
			/* the older file again (a copy, so that it is read): nothing changes */
			{
				FILE *in = fopen(older, "r"),
				     *out = fopen(tmp_path("dup_older_again.xml", copy), "w");
				char line[1024];

				while (in && out && fgets(line, sizeof(line), in))
					fputs(line, out);
				if (out)
					fputs("<!-- again -->\n", out);
				if (in)
					fclose(in);
				if (out)
					fclose(out);
			}
			check_int(import(st, copy, "dup_older.xml", &rep, NULL, &rj, &err), ==, 0);
			check(has_line(&rj, "dup_older_again.xml:3: iati-identifier: warning: the "
			                    "same activity is stored from dup_newer.xml"));
			check_int(rep.n_removed, ==, 0);
			dup_state(db, &s);
			check_str(s.title, "Newer copy");
			check_int(s.n_copies, ==, 1);
			check_int(s.n_concord, ==, 1);
		}
		cc_store_close(st);
	}
}

/* ---- the schema's own test files ---- */

/*
 * Imports every file under dir. fixed_version: a scratch copy of each file with the schema
 * tests' placeholder version="xx" replaced by 2.03 is imported instead. *n_version counts the
 * refusals that name the version attribute.
 */
static int import_tree(struct cc_store *st, const char *dir, bool fixed_version, int *n_files,
                       int *n_failed, int *n_version)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[1024];
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			import_tree(st, path, fixed_version, n_files, n_failed, n_version);
		} else {
			struct cc_import_report rep;
			struct cc_err err;
			char src[64], copy[160];
			int ret;

			snprintf(src, sizeof(src), "f%d", *n_files);
			(*n_files)++;
			if (fixed_version) {
				FILE *in = fopen(path, "r"), *out = fopen(tmp_path("fixed.xml", copy), "w");
				char line[4096];

				while (in && out && fgets(line, sizeof(line), in)) {
					char *v = strstr(line, "version=\"xx\"");

					if (v) {
						*v = '\0';
						fprintf(out, "%sversion=\"2.03\"%s", line,
						        v + strlen("version=\"xx\""));
					} else {
						fputs(line, out);
					}
				}
				if (in)
					fclose(in);
				if (out)
					fclose(out);
			}
			ret = import(st, fixed_version ? copy : path, src, &rep, NULL, NULL, &err);
			if (ret != 0) {
				(*n_failed)++;
				*n_version += !strcmp(err.field, "version") && err.line > 0;
				if (fixed_version || *n_failed <= 3)
					print_err(&err);
			}
		}
	}
	closedir(d);
	return 0;
}

/*
 * The schema's should-pass files test the schema's structure only: all 58 carry the placeholder
 * version="xx" on iati-activities (and type="xx", code="xx", empty identifiers), which the XSD
 * accepts because it checks no codelist (the shared schema folder's README says so). Concord
 * checks the version, so each of them is refused as a whole with the version named; with the
 * placeholder replaced by a real version each one is read without a fault of the whole file
 * (their placeholder identifiers and codes are then the activities' own problems). The
 * not-well-formed should-fail file is refused.
 */
TEST(schema_tests)
{
	const char *shared = getenv("CC_SHARED_DATA");
	char dir[512], path[600];
	struct cc_store *st;
	struct cc_import_report rep;
	struct cc_err err;
	struct stat sb;
	int n_files = 0, n_failed = 0, n_version = 0, ret;

	if (!shared || stat(shared, &sb) != 0) {
		skip_test("no shared data");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/iati/schema-tests/should-pass", shared);
	if (stat(dir, &sb) != 0) {
		skip_test("no schema tests");
		return;
	}
	st = afg_fixture("schema.db", 0, NULL, NULL, NULL);
	if (!st)
		return;
	check_int(import_tree(st, dir, false, &n_files, &n_failed, &n_version), ==, 0);
	check_int(n_files, ==, 58);
	check_int(n_failed, ==, 58);
	check_int(n_version, ==, 58);
	n_files = n_failed = n_version = 0;
	check_int(import_tree(st, dir, true, &n_files, &n_failed, &n_version), ==, 0);
	check_int(n_files, ==, 58);
	check_int(n_failed, ==, 0);
	snprintf(path, sizeof(path),
	         "%s/iati/schema-tests/should-fail/participating-org/01-activity-id-cardinality",
	         shared);
	ret = import(st, path, "cardinality", &rep, NULL, NULL, &err);
	check_int(ret, ==, CC_EPARSE);
	check(err.line > 0);
	check(strstr(err.msg, "column") != NULL);
	print_err(&err);
	cc_store_close(st);
}

/* ---- the large shared file ---- */

/* the Iraq AIMS file (1,338 activities, IATI 2.03) */
TEST(iraq_aims)
{
	const char *shared = getenv("CC_SHARED_DATA");
	char path[512], db[160];
	struct cc_store *st;
	struct cc_import_report rep;
	struct cc_iati_report irep;
	struct rejects rj;
	struct cc_err err;
	struct stat sb;
	struct dom d;
	int ret;

	snprintf(path, sizeof(path), "%s/aid/irq_aims_iati_v2_03.xml", shared ? shared : ".");
	if (!shared || stat(path, &sb) != 0) {
		skip_test("no shared data");
		return;
	}
	check(dom_count(path, &d));
	check_int(d.activities, ==, 1338);   /* MANIFEST.md */
	check_int(d.transactions, ==, 3104); /* MANIFEST.md */
	check_int(d.locations, ==, 3624);    /* MANIFEST.md */
	st = afg_fixture("irq.db", 0, NULL, NULL, NULL);
	if (!st)
		return;
	ret = import(st, path, NULL, &rep, &irep, &rj, &err);
	if (!check_int(ret, ==, 0))
		print_err(&err);
	check_int(rep.n_read, ==, 1338);
	check_int(rep.n_rejected, ==, 0);
	for (int i = 0; i < rj.n && i < 5; i++)
		printf("# %s\n", rj.lines[i]);
	check_int(count(st, "iati_activity"), ==, 1338);
	check_int(count(st, "iati_transaction"), ==, 3104);
	check_int(count(st, "iati_location"), ==, 3624);
	tmp_path("irq.db", db);
	check_int(sql_int(db, "SELECT count(*) FROM iati_transaction WHERE type = '4'"), ==, 1337);
	check_int(sql_int(db, "SELECT count(*) FROM iati_transaction WHERE type = '2'"), ==, 1327);
	check_int(sql_int(db, "SELECT count(*) FROM iati_transaction WHERE type = '3'"), ==, 440);
	check_int(sql_int(db, "SELECT count(*) FROM iati_date WHERE type = 2"), ==, 1338);
	check_int(sql_int(db, "SELECT count(*) FROM iati_date WHERE type = 4"), ==, 932);
	/* latitude first: the country-level point is 33.0 44.0 */
	check(sql_int(db, "SELECT count(*) FROM iati_location WHERE lat = 33.0 AND lon = 44.0") >
	      0);
	check_int(sql_int(db, "SELECT count(*) FROM iati_location WHERE lat < 29 OR lat > 38 OR "
	                      "lon < 38 OR lon > 49"),
	          ==, 0);
	cc_store_close(st);
}

/* Every failed allocation of Concord's (libxml2 and GEOS are not hooked) is CC_ENOMEM and
 * leaves the store as it was; the import then succeeds. */
TEST(allocation_failures)
{
	char path[512], before[65], after[65];
	struct cc_store *st = afg_fixture("oom.db", AFG_BOUNDARIES, NULL, NULL, NULL);
	struct cc_import_report rep;
	struct cc_err err;
	long n_fail = 0;
	int ret = -1;

	if (!st)
		return;
	data("tests/data/iati/mixed_versions.xml", path);
	digest(st, before);
	for (long n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = import(st, path, NULL, &rep, NULL, NULL, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM)) {
			printf("# failing allocation %ld\n", n);
			print_err(&err);
			break;
		}
		digest(st, after);
		if (!check_str(after, before))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail > 10);
	check_int(rep.n_added, ==, 2);
	check_int(count(st, "iati_activity"), ==, 2);
	cc_store_close(st);
}

/* ---- export ---- */


/*
 * Field values of the IATI tables and the indicator tables that an export and a re-import must
 * keep, as (query on the first store, query on the second; NULL: the same). Keys are the
 * iati-identifier and positions, never row ids. The first store's queries apply the export's
 * stated rules (iati.h): no description → the title; no activity-date → the earliest
 * transaction date as the actual start; a missing transaction-date or value-date → the other;
 * a budget without value-date → its period start; a result without type → 9. Not compared:
 * the version (the export is 2.03), an indicator's own reference code and 1.0x administrative
 * codes (not written), the observations' source (the file's name).
 */
static const char *const round_trip_queries[][3] = {
	{ "activity",
	  "SELECT identifier, title, coalesce(nullif(description, ''), title, ''), status, "
	  "default_currency, hierarchy, humanitarian, reporting_ref, reporting_type, "
	  "reporting_name, last_updated FROM iati_activity ORDER BY identifier",
	  NULL },
	{ "org",
	  "SELECT a.identifier, o.seq, o.role, o.type, o.ref, o.name FROM iati_org o JOIN "
	  "iati_activity a ON a.id = o.activity_id ORDER BY 1, 2",
	  NULL },
	{ "date",
	  "SELECT * FROM (SELECT a.identifier, d.type, d.date FROM iati_date d JOIN "
	  "iati_activity a ON a.id = d.activity_id UNION ALL SELECT a.identifier, 2, "
	  "coalesce((SELECT min(coalesce(t.date, t.value_date)) FROM iati_transaction t WHERE "
	  "t.activity_id = a.id), (SELECT min(b.period_start) FROM iati_budget b WHERE "
	  "b.activity_id = a.id)) FROM iati_activity a WHERE NOT EXISTS (SELECT 1 FROM iati_date "
	  "d WHERE d.activity_id = a.id)) WHERE date IS NOT NULL ORDER BY 1, 2, 3",
	  "SELECT a.identifier, d.type, d.date FROM iati_date d JOIN iati_activity a ON a.id = "
	  "d.activity_id ORDER BY 1, 2, 3" },
	{ "recipient",
	  "SELECT a.identifier, r.kind, r.code, r.vocabulary, r.percentage FROM iati_recipient r "
	  "JOIN iati_activity a ON a.id = r.activity_id ORDER BY 1, 2, 3, 4, 5",
	  NULL },
	{ "sector",
	  "SELECT a.identifier, s.seq, s.vocabulary, s.code, s.percentage FROM iati_sector s JOIN "
	  "iati_activity a ON a.id = s.activity_id ORDER BY 1, 2",
	  NULL },
	{ "location",
	  "SELECT a.identifier, l.seq, l.ref, l.name, l.lat, l.lon, l.exactness, CASE WHEN "
	  "l.admin LIKE 'country:%' THEN NULL ELSE l.admin END, r.pcode FROM iati_location l JOIN "
	  "iati_activity a ON a.id = l.activity_id LEFT JOIN area r ON r.id = l.area_id "
	  "ORDER BY 1, 2",
	  NULL },
	{ "budget",
	  "SELECT a.identifier, b.kind, b.type, b.status, b.period_start, b.period_end, b.value, "
	  "b.currency, coalesce(b.value_date, b.period_start) FROM iati_budget b JOIN "
	  "iati_activity a ON a.id = b.activity_id ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
	  NULL },
	{ "transaction",
	  "SELECT a.identifier, t.seq, t.type, coalesce(t.date, t.value_date), t.value, "
	  "t.currency, coalesce(t.value_date, t.date), t.provider_ref, t.provider_name, "
	  "t.receiver_ref, t.receiver_name FROM iati_transaction t JOIN iati_activity a ON a.id "
	  "= t.activity_id ORDER BY 1, 2",
	  NULL },
	{ "indicator",
	  "SELECT a.identifier, x.seq, x.result, x.position, coalesce(nullif(x.result_type, ''), "
	  "'9'), x.indicator_code, x.title, x.measure, x.ascending, x.baseline_date, x.baseline, "
	  "x.n_periods FROM iati_indicator x JOIN iati_activity a ON a.id = x.activity_id "
	  "ORDER BY 1, 2",
	  NULL },
	{ "period",
	  "SELECT a.identifier, p.seq, p.indicator, p.period_start, p.period_end, p.target, "
	  "p.actual FROM iati_period p JOIN iati_activity a ON a.id = p.activity_id ORDER BY 1, 2",
	  NULL },
	{ "result value",
	  "SELECT a.identifier, v.indicator, v.period, v.kind, v.value, v.date, v.locations, "
	  "v.dimensions FROM iati_result_value v JOIN iati_activity a ON a.id = v.activity_id "
	  "WHERE NOT (v.kind = 'baseline' AND v.date IS NULL) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8",
	  NULL },
	{ "observation",
	  "SELECT i.code, r.pcode, o.sex, o.age_group, o.period_start, o.period_end, o.value FROM "
	  "observation o JOIN indicator i ON i.id = o.indicator_id LEFT JOIN area r ON r.id = "
	  "o.area_id ORDER BY 1, 2, 3, 4, 5, 6, 7",
	  NULL },
	{ "benchmark",
	  "SELECT i.code, r.pcode, b.sex, b.age_group, b.kind, b.date, b.value FROM benchmark b "
	  "JOIN indicator i ON i.id = b.indicator_id LEFT JOIN area r ON r.id = b.area_id "
	  "ORDER BY 1, 2, 3, 4, 5, 6, 7",
	  NULL },
	{ "concord activity",
	  "SELECT t.title, t.sector_id, r.pcode, t.start_date, t.end_date, t.lat, t.lon FROM "
	  "activity t LEFT JOIN area r ON r.id = t.area_id ORDER BY 1, 2, 3, 4, 5, 6, 7",
	  NULL },
};

/* The same rows in both stores for every query; the first differing line is printed. */
static void same_rows(const char *db_a, const char *db_b)
{
	for (size_t i = 0; i < sizeof(round_trip_queries) / sizeof(round_trip_queries[0]); i++) {
		const char *const *q = round_trip_queries[i];
		char *ra = sql_rows(db_a, q[1]), *rb = sql_rows(db_b, q[2] ? q[2] : q[1]);
		bool same = ra && rb && !strcmp(ra, rb);

		if (!check(same)) {
			const char *pa = ra, *pb = rb;

			while (pa && pb && *pa && *pa == *pb)
				pa++, pb++;
			while (pa && pa > ra && pa[-1] != '\n')
				pa--, pb--;
			printf("# %s differs: '%.200s' vs '%.200s'\n", q[0], pa ? pa : "",
			       pb ? pb : "");
		} else {
			printf("# %s: %zu bytes of rows the same\n", q[0], strlen(ra));
		}
		sqlite3_free(ra);
		sqlite3_free(rb);
	}
}

/* import → export → import gives the same records, field by field (see above) */
TEST(export_round_trip)
{
	char path[512], out[160], out2[160], db_a[160], db_b[160];
	struct cc_store *a = afg_fixture("rt-a.db", AFG_BOUNDARIES, NULL, NULL, NULL);
	struct cc_store *b = afg_fixture("rt-b.db", AFG_BOUNDARIES, NULL, NULL, NULL);
	struct cc_indicator_data da = { 0 }, db = { 0 };
	struct cc_import_report rep;
	struct rejects rj;
	struct cc_err err;
	struct dom d;
	size_t n = 0;
	int ret;

	if (!a || !b)
		goto out;
	check_int(import(a, data("tests/data/iati/ebola_multi_v2_excerpt.xml", path), NULL, &rep,
	                 NULL, &rj, &err),
	          ==, 0);
	check_int(import(a, data("tests/data/iati/mixed_versions.xml", path), NULL, &rep, NULL, &rj,
	                 &err),
	          ==, 0);
	check_int(import(a, data("tests/data/iati/cordaid_results_excerpt.xml", path), NULL, &rep,
	                 NULL, &rj, &err),
	          ==, 0);
	check_int(import(a, data("tests/data/iati/dfid_v1_excerpt.xml", path), NULL, &rep, NULL,
	                 &rj, &err),
	          ==, 0);
	ret = cc_export_iati(a, NULL, tmp_path("out.xml", out), &n, &err);
	if (!check_int(ret, ==, 0))
		print_err(&err);
	check_int(n, ==, count(a, "iati_activity"));
	check(dom_count(out, &d));
	check_int(d.activities, ==, n);
	check_int(d.transactions, ==, count(a, "iati_transaction"));
	ret = import(b, out, NULL, &rep, NULL, &rj, &err);
	if (!check_int(ret, ==, 0))
		print_err(&err);
	check_int(rep.n_rejected, ==, 0);
	check_int(rep.n_added, ==, n);
	same_rows(tmp_path("rt-a.db", db_a), tmp_path("rt-b.db", db_b));
	check(count(a, "iati_period") > 0);
	check(count(a, "iati_result_value") > 0);
	check_int(cc_store_load_indicator_data(
	                  a, &(struct cc_indicator_query){ .mission_id = 1, .at = CC_DATE_NONE },
	                  &da, &err),
	          ==, 0);
	check_int(cc_store_load_indicator_data(
	                  b, &(struct cc_indicator_query){ .mission_id = 1, .at = CC_DATE_NONE },
	                  &db, &err),
	          ==, 0);
	check_int(db.n_indicators, ==, da.n_indicators);
	check_int(db.n_benchmarks, ==, da.n_benchmarks);
	check_int(db.n_observations, ==, da.n_observations);
	check(da.n_observations > 0);
	{
		int64_t na = -1, nb = -2;

		cc_store_count(a, "activity", &na, NULL);
		cc_store_count(b, "activity", &nb, NULL);
		check_int(nb, ==, na);
	}
	/* exported again from the second store: the same file but for its time stamp */
	ret = cc_export_iati(b, NULL, tmp_path("out2.xml", out2), &n, &err);
	check_int(ret, ==, 0);
	{
		struct dom d2;

		check(dom_count(out2, &d2));
		check_int(d2.activities, ==, d.activities);
		check_int(d2.locations, ==, d.locations);
		check_int(d2.indicators, ==, d.indicators);
		check_int(d2.budgets, ==, d.budgets);
	}
out:
	cc_indicator_data_release(&da);
	cc_indicator_data_release(&db);
	cc_store_close(a);
	cc_store_close(b);
}

/* the export of the Iraq AIMS file (which itself validates) is valid IATI 2.03 */
TEST(export_validates)
{
	const char *shared = getenv("CC_SHARED_DATA");
	char path[512], xsd[512], out[160];
	struct cc_store *st;
	struct cc_import_report rep;
	struct cc_err err;
	struct stat sb;
	xmlSchemaParserCtxtPtr pc = NULL;
	xmlSchemaPtr schema = NULL;
	xmlSchemaValidCtxtPtr vc = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/aid/irq_aims_iati_v2_03.xml", shared ? shared : ".");
	snprintf(xsd, sizeof(xsd), "%s/iati/schema/iati-activities-schema.xsd",
	         shared ? shared : ".");
	if (!shared || stat(path, &sb) != 0 || stat(xsd, &sb) != 0) {
		skip_test("no shared data or no IATI schema");
		return;
	}
	st = afg_fixture("xsd.db", 0, NULL, NULL, NULL);
	if (!st)
		return;
	check_int(import(st, path, NULL, &rep, NULL, NULL, &err), ==, 0);
	check_int(cc_export_iati(st, NULL, tmp_path("irq.xml", out), &n, &err), ==, 0);
	check_int(n, ==, 1338);
	pc = xmlSchemaNewParserCtxt(xsd);
	schema = pc ? xmlSchemaParse(pc) : NULL;
	vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
	check(vc != NULL);
	if (vc)
		check_int(xmlSchemaValidateFile(vc, out, 0), ==, 0);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	cc_store_close(st);
}
