/*
 * The entry points the fuzz targets drive, shared with tests/unit/t-fuzz-regressions.c so that
 * every input that ever crashed is replayed, built with the ordinary compiler, by the test
 * suite. Each fz_* function takes one input as bytes, runs one reader of untrusted files on it
 * and returns its result code; it aborts only when the reader breaks a promise of its header
 * that the fuzzer cannot see otherwise (a dry run that changed the store, an error without a
 * message, the two CSV parsing paths disagreeing).
 *
 * The importers read files, so each input is written to a file in a private temporary folder.
 * Those that need a store share one, made once per process: the shipped code lists, mission AFG
 * and the Afghanistan P-code gazetteer (plus the example indicators). Every import is a dry
 * run, so the store never changes and a crash replays from its input alone.
 */
#ifndef CC_FUZZ_TARGETS_H
#define CC_FUZZ_TARGETS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <concord/error.h>
#include <concord/events.h>
#include <concord/iati.h>
#include <concord/import.h>
#include <concord/indicators.h>
#include <concord/lessons.h>
#include <concord/model.h>
#include <concord/needs.h>
#include <concord/review.h>
#include <concord/store.h>
#include <concord/survey.h>

#include "io/csv.h"
#include "io/hxl.h"
#include "server/server.h"

#ifndef FZ_SOURCE_ROOT
#define FZ_SOURCE_ROOT "."
#endif

static char fz_dir[128];

/* The private folder, made on first use and removed at exit. */
static void fz_rmdir(void)
{
	char cmd[192];

	if (fz_dir[0] && strstr(fz_dir, "/concord-fuzz-") && !strchr(fz_dir, '\'')) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fz_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", fz_dir);
	}
}

static const char *fz_path(const char *name, char buf[static 192])
{
	if (!fz_dir[0]) {
		/* in memory where there is such a folder: every input is written and read back */
		snprintf(fz_dir, sizeof(fz_dir), "%s/concord-fuzz-XXXXXX",
		         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(fz_dir)) {
			perror("mkdtemp");
			abort();
		}
		atexit(fz_rmdir);
	}
	snprintf(buf, 192, "%s/%s", fz_dir, name);
	return buf;
}

/* Writes the input to the file name of the private folder; returns its path. */
static const char *fz_file(const char *name, const uint8_t *data, size_t size,
                           char buf[static 192])
{
	FILE *f = fopen(fz_path(name, buf), "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(buf);
		abort();
	}
	return buf;
}

static const char *fz_source(const char *rel, char buf[static 512])
{
	const char *root = getenv("CC_SOURCE_ROOT");

	snprintf(buf, 512, "%s/%s", root && *root ? root : FZ_SOURCE_ROOT, rel);
	return buf;
}

static void fz_die(const char *what, const struct cc_err *err)
{
	char buf[600];

	fprintf(stderr, "fuzz: %s: %s\n", what, cc_err_format(err, buf, sizeof(buf)));
	abort();
}

static struct cc_store *fz_st;

static void fz_close(void)
{
	cc_store_close(fz_st);
	fz_st = NULL;
}

/* The shared store (see the top of this file). */
static struct cc_store *fz_store(void)
{
	struct cc_mission m = { .code = "AFG", .name = "Afghanistan", .country = "AFG",
		                .start_date = CC_DATE_NONE, .end_date = CC_DATE_NONE };
	struct cc_import_opts o = { .level = -1, .period_from = CC_DATE_NONE,
		                    .period_to = CC_DATE_NONE };
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	char path[192], src[512];

	if (fz_st)
		return fz_st;
	if (cc_store_open(&fz_st, fz_path("store.db", path),
	                  &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err) ||
	    cc_store_begin(fz_st, &err) || cc_import_codelists(fz_st, &err) ||
	    cc_store_put_mission(fz_st, &m, &err) || cc_store_commit(fz_st, &err))
		fz_die("store", &err);
	atexit(fz_close);
	if (cc_import_areas(fz_st, fz_source("data/cases/afghanistan/afg_global_pcodes_subset.csv",
	                                     src), &o, &rep, &err))
		fz_die("gazetteer", &err);
	if (cc_import_indicators(fz_st, fz_source("tests/data/indicators/indicators.csv", src), &o,
	                         &rep, &err))
		fz_die("indicators", &err);
	return fz_st;
}

static void fz_quiet_reject(void *ctx, const struct cc_err *why)
{
	(void)ctx;
	if (!why->msg[0])
		fz_die("a rejected row without a reason", why);
}

/* Options of a dry run: nothing is stored, rejects are checked for a reason. */
static struct cc_import_opts fz_opts(void)
{
	return (struct cc_import_opts){ .flags = CC_IMPORT_DRY_RUN, .level = -1,
		                        .period_from = cc_date_from_ymd(2021, 7, 1),
		                        .period_to = cc_date_from_ymd(2021, 9, 30),
		                        .on_reject = fz_quiet_reject };
}

/* An error must say what went wrong. */
static int fz_result(int ret, const struct cc_err *err)
{
	if (ret < 0 && ret != CC_EREJECTED && !err->msg[0])
		fz_die("an error without a message", err);
	return ret;
}

typedef int fz_import_fn(struct cc_store *st, const char *path, const struct cc_import_opts *o,
                         struct cc_import_report *rep, struct cc_err *err);

/*
 * Whether fz_dry checks the store's digest around each import: costly (the whole store is
 * hashed twice), so the fuzzer sets it only with FZ_DIGEST=1 in its environment; the
 * regression test always does.
 */
static bool fz_check_digest = true;

/* Runs one dry-run import and checks that the store is unchanged. */
static int fz_dry(fz_import_fn *run, const char *path, const struct cc_import_opts *o)
{
	struct cc_store *st = fz_store();
	struct cc_import_report rep = { 0 };
	struct cc_err err = { 0 };
	char before[65], after[65];
	int ret;

	if (fz_check_digest && cc_store_digest(st, before, &err))
		fz_die("digest", &err);
	ret = fz_result(run(st, path, o, &rep, &err), &err);
	if (fz_check_digest && cc_store_digest(st, after, &err))
		fz_die("digest", &err);
	if (fz_check_digest && strcmp(before, after)) {
		fprintf(stderr, "fuzz: a dry run changed the store\n");
		abort();
	}
	return ret;
}

/* ---- the CSV reader: both parsing paths must give the same records ---- */

struct fz_rec {
	char *bytes; /* fields, each NUL-terminated, one after another */
	size_t len, cap, n_records;
};

static void fz_rec_add(struct fz_rec *r, const void *p, size_t n)
{
	if (r->len + n > r->cap) {
		size_t cap = r->cap ? r->cap : 256;

		while (cap < r->len + n)
			cap *= 2;
		r->bytes = realloc(r->bytes, cap);
		if (!r->bytes)
			abort();
		r->cap = cap;
	}
	memcpy(r->bytes + r->len, p, n);
	r->len += n;
}

static int fz_csv_pass(const char *path, const char *encoding, bool libcsv_only,
                       struct fz_rec *rec)
{
	struct cc_csv_opts o = { .encoding = encoding };
	struct cc_csv *c = NULL;
	struct cc_csv_row row;
	struct cc_err err = { 0 };
	int ret;

	cc__csv_libcsv_only = libcsv_only;
	ret = cc_csv_open(&c, path, &o, &err);
	while (ret == 0 && (ret = cc_csv_next(c, &row, &err)) == 0) {
		if (row.line < 1 || row.end_line < row.line)
			fz_die("a record with impossible lines", &err);
		rec->n_records++;
		fz_rec_add(rec, &row.line, sizeof(row.line));
		fz_rec_add(rec, &row.n_fields, sizeof(row.n_fields));
		for (size_t i = 0; i < row.n_fields; i++)
			fz_rec_add(rec, row.fields[i], strlen(row.fields[i]) + 1);
	}
	if (ret > 0 && strlen(cc_csv_digest(c)) != 64)
		fz_die("no digest at the end", &err);
	cc_csv_close(c);
	cc__csv_libcsv_only = false;
	return fz_result(ret > 0 ? 0 : ret, &err);
}

static int fz_csv(const uint8_t *data, size_t size)
{
	struct fz_rec a = { 0 }, b = { 0 }, l = { 0 };
	char path[192];
	int ra, rb;

	fz_file("in.csv", data, size, path);
	ra = fz_csv_pass(path, NULL, false, &a);
	rb = fz_csv_pass(path, NULL, true, &b);
	if (ra != rb || (ra == 0 && (a.n_records != b.n_records || a.len != b.len ||
	                             (a.len && memcmp(a.bytes, b.bytes, a.len))))) {
		fprintf(stderr, "fuzz: the fast path and libcsv disagree (%d/%zu vs %d/%zu)\n", ra,
		        a.n_records, rb, b.n_records);
		abort();
	}
	(void)fz_csv_pass(path, "windows-1252", false, &l);
	free(a.bytes);
	free(b.bytes);
	free(l.bytes);
	return ra;
}

/* ---- HXL hashtag rows, over the records of the CSV reader ---- */

static int fz_hxl(const uint8_t *data, size_t size)
{
	static const char *const patterns[] = { "#org+impl", "#org-impl-funder", "#adm2+code",
		                                "#sector+cluster", "adm1", "#", "#+x", "#org+" };
	struct cc_csv *c = NULL;
	struct cc_csv_row row;
	struct cc_err err = { 0 };
	char path[192];
	int ret, found = 0;

	fz_file("in.csv", data, size, path);
	ret = cc_csv_open(&c, path, &(struct cc_csv_opts){ 0 }, &err);
	for (int n = 0; ret == 0 && n < 25 && (ret = cc_csv_next(c, &row, &err)) == 0; n++) {
		struct cc_hxl h = { 0 };
		int k = cc_hxl_parse(row.fields, row.n_fields, &h, &err);

		if (k < 0) {
			ret = fz_result(k, &err);
			break;
		}
		if (k == 1) {
			for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
				const struct cc_hxl_col *col = cc_hxl_find(&h, patterns[i]);

				if (col && (col->index < 0 || (size_t)col->index >= row.n_fields))
					fz_die("a column outside the record", &err);
				if (col)
					(void)cc_hxl_has_attr(col, "code");
			}
			cc_hxl_release(&h);
			found = 1;
			break;
		}
	}
	cc_csv_close(c);
	(void)found;
	return fz_result(ret > 0 ? 0 : ret, &err);
}

/* ---- importers ---- */

static int fz_import_3w(const uint8_t *data, size_t size)
{
	struct cc_import_opts o = fz_opts();
	char path[192];

	return fz_dry(cc_import_3w, fz_file("3w.csv", data, size, path), &o);
}

static int fz_events_run(struct cc_store *st, const char *path, const struct cc_import_opts *o,
                         struct cc_import_report *rep, struct cc_err *err)
{
	return cc_import_events(st, path, o, &(struct cc_events_opts){ .format = CC_EVENTS_AUTO },
	                        rep, err);
}

static int fz_events(const uint8_t *data, size_t size)
{
	struct cc_import_opts o = fz_opts();
	char path[192];

	o.period_from = o.period_to = CC_DATE_NONE;
	return fz_dry(fz_events_run, fz_file("events.csv", data, size, path), &o);
}

static int fz_needs(const uint8_t *data, size_t size)
{
	struct cc_import_opts o = fz_opts();
	char path[192];
	int a, b;

	fz_file("needs.csv", data, size, path);
	a = fz_dry(cc_import_needs, path, &o);
	b = fz_dry(cc_import_population, path, &o);
	return a < 0 ? a : b;
}

static int fz_indicators(const uint8_t *data, size_t size)
{
	struct cc_import_opts o = fz_opts();
	char path[192];
	int a, b, c;

	o.period_from = o.period_to = CC_DATE_NONE;
	fz_file("indicators.csv", data, size, path);
	a = fz_dry(cc_import_indicators, path, &o);
	b = fz_dry(cc_import_benchmarks, path, &o);
	c = fz_dry(cc_import_observations, path, &o);
	return a < 0 ? a : b < 0 ? b : c;
}

static int fz_lessons_run(struct cc_store *st, const char *path, const struct cc_import_opts *o,
                          struct cc_import_report *rep, struct cc_err *err)
{
	return cc_import_lessons(st, &path, 1, o, rep, err);
}

static int fz_lessons(const uint8_t *data, size_t size)
{
	struct cc_import_opts o = fz_opts();
	char path[192];

	o.period_from = o.period_to = CC_DATE_NONE;
	return fz_dry(fz_lessons_run, fz_file("lesson.md", data, size, path), &o);
}

static int fz_plan(const uint8_t *data, size_t size)
{
	struct cc_plan p = { 0 };
	struct cc_review_config cfg;
	struct cc_err err = { 0 };
	int a, b;

	/* a private copy of exactly size bytes, so that reading past it is caught */
	char *text = malloc(size ? size : 1);

	if (!text)
		abort();
	if (size)
		memcpy(text, data, size);
	a = fz_result(cc_plan_parse("plan.yaml", text, size, &p, &err), &err);
	if (a == 0)
		cc_plan_release(&p);
	memset(&err, 0, sizeof(err));
	cc_review_config_default(&cfg);
	b = fz_result(cc_review_config_parse("rules.yaml", text, size, &cfg, &err), &err);
	free(text);
	return a < 0 ? a : b;
}

static int fz_areas(const uint8_t *data, size_t size)
{
	struct cc_import_opts o = fz_opts();
	char path[192];

	o.period_from = o.period_to = CC_DATE_NONE;
	o.level = 2;
	o.name_field = "shapeName";
	return fz_dry(cc_import_areas, fz_file("areas.geojson", data, size, path), &o);
}

/* The P-code gazetteer CSV of import areas. */
static int fz_gazetteer(const uint8_t *data, size_t size)
{
	struct cc_import_opts o = fz_opts();
	char path[192];

	o.period_from = o.period_to = CC_DATE_NONE;
	return fz_dry(cc_import_areas, fz_file("gazetteer.csv", data, size, path), &o);
}

/* ---- IATI activity XML: the mapping over libxml2's reader ---- */

static int fz_iati(const uint8_t *data, size_t size)
{
	struct cc_import_opts o = fz_opts();
	char path[192];

	o.period_from = o.period_to = CC_DATE_NONE;
	return fz_dry(cc_import_iati, fz_file("activities.xml", data, size, path), &o);
}

/* ---- the survey form (XLSForm sheets as CSV) and the answers checked against it ---- */

#define FZ_SURVEY_SEP "\n%%\n"

/*
 * The input is up to four parts separated by lines "%%": the form's sheets (survey, choices, in
 * any order) and, last, the respondents' CSV. A single part is a form sheet, read with the
 * answers of tests/data/survey/wave1.csv.
 */
static int fz_survey(const uint8_t *data, size_t size)
{
	struct cc_import_opts o = fz_opts();
	struct cc_import_report rep = { 0 };
	struct cc_err err = { 0 };
	const char *forms[4] = { NULL };
	char paths[4][192], src[512], name[16], before[65], after[65];
	const uint8_t *p = data, *end = data + size;
	size_t n = 0, n_forms;
	struct cc_survey_import_opts so = { .wave = "1", .area_columns = "province" };
	char map[512], line[512] = "";
	const char *answers;
	FILE *f;
	struct cc_store *st = fz_store();
	int ret;

	while (n < 4) {
		const uint8_t *sep = n < 3 ? memmem(p, (size_t)(end - p), FZ_SURVEY_SEP,
		                                    sizeof(FZ_SURVEY_SEP) - 1)
		                           : NULL;
		const uint8_t *stop = sep ? sep + 1 : end; /* the part keeps its last newline */

		snprintf(name, sizeof(name), "part%zu.csv", n);
		fz_file(name, p, (size_t)(stop - p), paths[n++]);
		if (!sep)
			break;
		p = sep + sizeof(FZ_SURVEY_SEP) - 1;
	}
	if (n == 1) {
		forms[0] = paths[0];
		n_forms = 1;
		answers = fz_source("tests/data/survey/wave1.csv", src);
	} else {
		n_forms = n - 1;
		for (size_t i = 0; i < n_forms; i++)
			forms[i] = paths[i];
		answers = paths[n - 1];
	}
	forms[n_forms] = NULL;
	so.forms = forms;
	/* the weight and personal columns when the header has them; names of provinces as the case pack maps them */
	if ((f = fopen(answers, "rb"))) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	so.weight_column = strstr(line, "wt") ? "wt" : NULL;
	so.personal = strstr(line, "phone") ? "name,phone" : NULL;
	so.area_map = fz_source("data/cases/afghanistan/adm1_code_map.csv", map);
	if (fz_check_digest && cc_store_digest(st, before, &err))
		fz_die("digest", &err);
	ret = fz_result(cc_import_survey(st, answers, &o, &so, &rep, &err), &err);
	if (fz_check_digest && cc_store_digest(st, after, &err))
		fz_die("digest", &err);
	if (fz_check_digest && strcmp(before, after)) {
		fprintf(stderr, "fuzz: a dry run changed the store\n");
		abort();
	}
	return ret;
}

/* ---- the API's JSON bodies: organisation, lesson and plan, checked as the server does ---- */

static int fz_api(const uint8_t *data, size_t size)
{
	struct cc__req req = { .method = "POST", .path = "/api/organisations" };
	struct cc_lesson_link links[64];
	struct cc_err err = { 0 };
	struct cc_org org = { .is_local = -1 };
	struct cc_lesson *l;
	struct cc_plan plan = { 0 };
	json_error_t je;
	size_t n_links = 99;
	int a, b, c, d;

	/* as the server reads a body (src/server/http.c) */
	req.body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (!req.body)
		return CC_EPARSE;
	req.st = fz_store();
	a = fz_result(cc__org_from_body(&req, &org, true, &err), &err);
	if (a == 0 && (!org.key[0] || !org.name[0] || !memchr(org.key, 0, sizeof(org.key)) ||
	               !memchr(org.name, 0, sizeof(org.name))))
		fz_die("an organisation accepted without a key or name", &err);
	memset(&err, 0, sizeof(err));
	org = (struct cc_org){ .is_local = -1 };
	b = fz_result(cc__org_from_body(&req, &org, false, &err), &err);

	req.path = "/api/lessons";
	l = calloc(1, sizeof(*l));
	if (!l)
		abort();
	l->status = CC_LESSON_OBSERVED;
	memset(&err, 0, sizeof(err));
	c = fz_result(cc__lesson_from_body(&req, l, links, 64, &n_links, &err), &err);
	if (c == 0 && (n_links > 64 || cc_lesson_check(l, &err) < 0))
		fz_die("a lesson accepted that its own check refuses", &err);
	free(l);

	req.path = "/api/review";
	memset(&err, 0, sizeof(err));
	d = fz_result(cc__plan_from_body(&req, &plan, &err), &err);
	if (d == 0)
		cc_plan_release(&plan);
	json_decref(req.body);
	/* OK when one of the three took the body as its record, else the organisation's error */
	return a == 0 || b == 0 || c == 0 || d == 0 ? 0 : a;
}

/* The targets by name, for the regression test. */
static const struct {
	const char *name;
	int (*run)(const uint8_t *data, size_t size);
} fz_targets[] = {
	{ "csv", fz_csv },         { "hxl", fz_hxl },       { "import_3w", fz_import_3w },
	{ "events", fz_events },   { "needs", fz_needs },   { "indicators", fz_indicators },
	{ "lessons", fz_lessons }, { "plan", fz_plan },     { "areas", fz_areas },
	{ "gazetteer", fz_gazetteer },
	{ "iati", fz_iati },       { "survey", fz_survey }, { "api", fz_api },
};

#endif
