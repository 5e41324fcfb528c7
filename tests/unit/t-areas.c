/*
 * The areas importer on real files: OCHA's P-code gazetteer for Afghanistan (long layout), the
 * geoBoundaries provinces attached to those P-codes by name and by code map, a sample of
 * geoBoundaries districts placed in their provinces by point on surface, the same districts as
 * a reprojected GeoPackage and Shapefile made here with GDAL, the COD-AB table and an OCHA 3W
 * (wide layouts), strict and dry runs, usage errors, and allocation failures.
 *
 * Expected values come from the input files themselves (read here with jansson and plain
 * string handling, not with the importer) or from the .expected.csv files of tests/data/areas,
 * which a peer tool (SpatiaLite through ogr2ogr) computed; see tests/data/README.md.
 */
#include "tap.h"

#include <ctype.h>
#include <ftw.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_utils.h>
#pragma GCC diagnostic pop

#include <concord/alloc.h>
#include <concord/import.h>
#include <concord/store.h>

/* ---- paths, stores ---- */

static char tmpdir[64];

static const char *work_dir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/t-areas-XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return tmpdir;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes the work folder and everything in it. */
__attribute__((destructor)) static void remove_work_dir(void)
{
	if (tmpdir[0] && nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "# cannot remove %s\n", tmpdir);
}

static const char *path_in(const char *env, const char *fallback, const char *rel)
{
	static char bufs[8][4096];
	static int k;
	const char *dir = getenv(env);
	char *buf = bufs[k++ % 8];

	snprintf(buf, sizeof(bufs[0]), "%s/%s", dir ? dir : fallback, rel);
	return buf;
}

#define DATA(rel) path_in("CC_TEST_DATA", "tests/data", "areas/" rel)
#define CASE(rel) path_in("CC_SOURCE_ROOT", ".", "data/cases/afghanistan/" rel)
#define TMP(rel)  path_in("T_AREAS_TMP", work_dir(), rel)

static struct cc_store *new_store(void)
{
	static int n;
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "%s/s%d.db", work_dir(), ++n);
	ret = cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err);
	if (!check_int(ret, ==, 0))
		printf("# open %s: %s\n", path, err.msg);
	return st;
}

static void digest(struct cc_store *st, char out[static 65])
{
	struct cc_err err = { 0 };

	out[0] = '\0';
	if (!check_int(cc_store_digest(st, out, &err), ==, 0))
		printf("# digest: %s\n", err.msg);
}

static int64_t count(struct cc_store *st, const char *table)
{
	struct cc_err err = { 0 };
	int64_t n = -1;

	check_int(cc_store_count(st, table, &n, &err), ==, 0);
	return n;
}

/* ---- collecting rejected rows ---- */

struct rejects {
	char msgs[512][320]; /* "file:line: field: message" */
	long lines[512];
	size_t n;
};

static void on_reject(void *ctx, const struct cc_err *why)
{
	struct rejects *rj = ctx;

	if (rj->n < 512) {
		cc_err_format(why, rj->msgs[rj->n], sizeof(rj->msgs[0]));
		rj->lines[rj->n] = why->line;
	}
	rj->n++;
}

static void print_rejects(const struct rejects *rj)
{
	for (size_t i = 0; i < rj->n && i < 512; i++)
		printf("#   %s\n", rj->msgs[i]);
}

static bool rejected_line(const struct rejects *rj, long line)
{
	for (size_t i = 0; i < rj->n && i < 512; i++)
		if (rj->lines[i] == line)
			return true;
	return false;
}

/* Imports with opts (NULL: defaults), collecting rejects into rj (may be NULL). */
static int import(struct cc_store *st, const char *path, struct cc_import_opts o,
                  struct cc_import_report *rep, struct rejects *rj, struct cc_err *err)
{
	if (rj) {
		memset(rj, 0, sizeof(*rj));
		o.on_reject = on_reject;
		o.reject_ctx = rj;
	}
	cc_err_clear(err);
	return cc_import_areas(st, path, &o, rep, err);
}

#define GAZETTEER_OPTS ((struct cc_import_opts){ .level = -1 })

static bool import_gazetteer(struct cc_store *st)
{
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	int ret =
	        import(st, CASE("afg_global_pcodes_subset.csv"), GAZETTEER_OPTS, &rep, NULL, &err);

	if (!check_int(ret, ==, 0))
		printf("# gazetteer: %s\n", err.msg);
	return ret == 0;
}

static struct cc_import_opts adm1_opts(const char *code_map)
{
	return (struct cc_import_opts){ .level = 1,
		                        .name_field = "shapeName",
		                        .code_map = code_map };
}

/* ---- the gazetteer file, read here without the importer ---- */

struct pcode_row {
	char code[16], name[64], parent[16];
	int level;
};

/* The data rows of the OCHA gazetteer (no quoted fields in it: checked). */
static size_t read_gazetteer(struct pcode_row *rows, size_t max)
{
	FILE *fp = fopen(CASE("afg_global_pcodes_subset.csv"), "r");
	char line[512];
	size_t n = 0;
	bool header = true;

	if (!check(fp != NULL))
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		char *f[6] = { 0 }, *p = line;
		int k = 0;

		line[strcspn(line, "\r\n")] = '\0';
		check(strchr(line, '"') == NULL);
		if (header) {
			header = false;
			continue;
		}
		while (k < 6) {
			f[k++] = p;
			p = strchr(p, ',');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (k < 5 || n >= max)
			continue;
		snprintf(rows[n].code, sizeof(rows[n].code), "%s", f[2]);
		snprintf(rows[n].name, sizeof(rows[n].name), "%s", f[3]);
		snprintf(rows[n].parent, sizeof(rows[n].parent), "%s", f[4]);
		rows[n].level = (int)strtol(f[1], NULL, 10);
		n++;
	}
	fclose(fp);
	return n;
}

/*
 * The test's own name normalisation for ASCII names: lowercase letters and digits, apostrophes
 * dropped, any other run of characters one space. (Concord's cc_text_norm does more; for the
 * ASCII names of these files the two agree by their documented rules.)
 */
static void ascii_norm(const char *s, char *out, size_t n)
{
	size_t k = 0;
	bool space = false;

	for (; *s && k + 2 < n; s++) {
		unsigned char c = (unsigned char)*s;

		check(c < 0x80);
		if (isalnum(c)) {
			if (space && k > 0)
				out[k++] = ' ';
			space = false;
			out[k++] = (char)tolower(c);
		} else if (c != '\'') {
			space = true;
		}
	}
	out[k] = '\0';
}

/* ---- GeoJSON, read here with jansson ---- */

struct gj_feature {
	char name[64];
	char id[40];
	double minx, miny, maxx, maxy;
};

static void bbox_walk(json_t *coords, struct gj_feature *f)
{
	size_t i;
	json_t *v;

	if (json_array_size(coords) >= 2 && json_is_number(json_array_get(coords, 0))) {
		double x = json_number_value(json_array_get(coords, 0));
		double y = json_number_value(json_array_get(coords, 1));

		f->minx = fmin(f->minx, x);
		f->maxx = fmax(f->maxx, x);
		f->miny = fmin(f->miny, y);
		f->maxy = fmax(f->maxy, y);
		return;
	}
	json_array_foreach(coords, i, v) bbox_walk(v, f);
}

static size_t read_geojson(const char *path, struct gj_feature *out, size_t max)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *feats, *feat;
	size_t i, n = 0;

	if (!check(root != NULL)) {
		printf("# %s: %s\n", path, jerr.text);
		return 0;
	}
	feats = json_object_get(root, "features");
	json_array_foreach(feats, i, feat)
	{
		json_t *props = json_object_get(feat, "properties");
		struct gj_feature *f = &out[n];

		if (n >= max)
			break;
		snprintf(f->name, sizeof(f->name), "%s",
		         json_string_value(json_object_get(props, "shapeName")));
		snprintf(f->id, sizeof(f->id), "%s",
		         json_string_value(json_object_get(props, "shapeID")));
		f->minx = f->miny = INFINITY;
		f->maxx = f->maxy = -INFINITY;
		bbox_walk(json_object_get(json_object_get(feat, "geometry"), "coordinates"), f);
		n++;
	}
	json_decref(root);
	return n;
}

/* tests/data/areas/afg_adm2_sample.expected.csv (SpatiaLite's answers) */
struct expected_district {
	char id[40], name[64], adm1[16];
	double minx, miny, maxx, maxy;
};

static size_t read_expected(struct expected_district *out, size_t max)
{
	FILE *fp = fopen(DATA("afg_adm2_sample.expected.csv"), "r");
	char line[512];
	size_t n = 0;

	if (!check(fp != NULL))
		return 0;
	if (!fgets(line, sizeof(line), fp)) {
		fclose(fp);
		return 0;
	}
	while (n < max && fgets(line, sizeof(line), fp)) {
		struct expected_district *e = &out[n];
		char *f[9], *p = line;

		line[strcspn(line, "\r\n")] = '\0';
		for (int k = 0; k < 9; k++) {
			f[k] = p;
			p = strchr(p, ',');
			if (p)
				*p++ = '\0';
			else
				p = "";
		}
		snprintf(e->id, sizeof(e->id), "%s", f[1]);
		snprintf(e->name, sizeof(e->name), "%s", f[2]);
		snprintf(e->adm1, sizeof(e->adm1), "%s", f[4]);
		e->minx = strtod(f[5], NULL);
		e->miny = strtod(f[6], NULL);
		e->maxx = strtod(f[7], NULL);
		e->maxy = strtod(f[8], NULL);
		n++;
	}
	fclose(fp);
	return n;
}

static const char *pcode_of(struct cc_store *st, int64_t id)
{
	static char buf[4][32];
	static int k;
	struct cc_area *areas = NULL;
	size_t n = 0;
	char *out = buf[k++ % 4];

	out[0] = '\0';
	if (!id)
		return out;
	if (cc_store_list_areas(st, NULL, &areas, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++)
			if (areas[i].id == id)
				snprintf(out, 32, "%s", areas[i].pcode);
	}
	cc_free(areas);
	return out;
}

static bool find(struct cc_store *st, const char *pcode, struct cc_area *a)
{
	struct cc_err err = { 0 };
	int ret = cc_store_find_area(st, pcode, a, &err);

	if (!check_int(ret, ==, 0))
		printf("# %s: %s\n", pcode, err.msg);
	return ret == 0;
}

/* ---- gazetteers ---- */

TEST(gazetteer_long_layout_real_file)
{
	static struct pcode_row rows[600];
	size_t n = read_gazetteer(rows, 600), n1 = 0, n2 = 0;
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj;
	struct cc_area *list = NULL, a;
	size_t n_list = 0;
	bool parents_ok = true;
	char d0[65], d1[65];
	int ret;

	if (!st)
		return;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].level == 1)
			n1++;
		else if (rows[i].level == 2)
			n2++;
	}
	check_int(n, ==, 435);
	check_int(n1, ==, 34);
	check_int(n2, ==, 401);

	ret = import(st, CASE("afg_global_pcodes_subset.csv"), GAZETTEER_OPTS, &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, n);
	check_int(rep.n_rejected, ==, 0);
	check_int(rep.n_added, ==, n + 1); /* + the adm0 area "AFG" the level-1 rows name */
	check_int(rep.n_updated, ==, 0);
	check(rep.stored);
	check(rep.batch > 0);
	check_int(strlen(rep.digest), ==, 64);
	print_rejects(&rj);

	check_int(cc_store_list_areas(st, &(struct cc_area_filter){ .level = 1 }, &list, &n_list,
	                              &err),
	          ==, 0);
	check_int(n_list, ==, n1);
	cc_free(list);
	check_int(cc_store_list_areas(st, &(struct cc_area_filter){ .level = 2 }, &list, &n_list,
	                              &err),
	          ==, 0);
	check_int(n_list, ==, n2);
	cc_free(list);
	if (find(st, "AFG", &a)) {
		check_int(a.level, ==, 0);
		check_int(a.parent_id, ==, 0);
	}
	if (find(st, "AF0101", &a)) {
		check_str(a.name, "Kabul");
		check_int(a.level, ==, 2);
		check_str(pcode_of(st, a.parent_id), "AF01");
		check(!a.has_geom);
	}
	/* every row's parent as the file says */
	for (size_t i = 0; i < n; i++) {
		if (cc_store_find_area(st, rows[i].code, &a, &err) != 0 ||
		    strcmp(pcode_of(st, a.parent_id), rows[i].parent) != 0 ||
		    strcmp(a.name, rows[i].name) != 0 || a.level != rows[i].level) {
			parents_ok = false;
			printf("# %s: stored parent '%s' name '%s'\n", rows[i].code,
			       pcode_of(st, a.parent_id), a.name);
		}
	}
	check(parents_ok);
	/* one change-log entry per area, and the chain holds */
	check_int(count(st, "change"), ==, n + 1);
	int64_t entries = 0;
	check_int(cc_store_verify_log(st, &entries, &err), ==, 0);

	/* again: nothing to do, nothing written */
	digest(st, d0);
	ret = import(st, CASE("afg_global_pcodes_subset.csv"), GAZETTEER_OPTS, &rep, &rj, &err);
	check_int(ret, ==, 0);
	check(rep.same_file);
	check(!rep.stored);
	check_int(rep.n_added + rep.n_updated, ==, 0);
	digest(st, d1);
	check_str(d1, d0);

	/* under another source name the shortcut does not apply: every area is unchanged */
	ret = import(st, CASE("afg_global_pcodes_subset.csv"),
	             (struct cc_import_opts){ .level = -1, .source = "other" }, &rep, &rj, &err);
	check_int(ret, ==, 0);
	check(!rep.same_file);
	check_int(rep.n_unchanged, ==, n); /* "AFG" exists now: found, not made */
	check_int(rep.n_added + rep.n_updated, ==, 0);
	check(!rep.stored);
	digest(st, d1);
	check_str(d1, d0);
	cc_store_close(st);
}

TEST(gazetteer_dry_run_and_level_limit)
{
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct cc_area a;
	char d0[65], d1[65];
	int ret;

	if (!st)
		return;
	digest(st, d0);
	ret = import(st, CASE("afg_global_pcodes_subset.csv"),
	             (struct cc_import_opts){ .level = -1, .flags = CC_IMPORT_DRY_RUN }, &rep, NULL,
	             &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, 435);
	check_int(rep.n_added, ==, 436);
	check(!rep.stored);
	digest(st, d1);
	check_str(d1, d0);
	check_int(count(st, "area"), ==, 0);

	/* --level 1: the provinces (and the country) only; districts are skipped, not counted */
	ret = import(st, CASE("afg_global_pcodes_subset.csv"),
	             (struct cc_import_opts){ .level = 1 }, &rep, NULL, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, 34);
	check_int(rep.n_added, ==, 35);
	check_int(count(st, "area"), ==, 35);
	check_int(cc_store_find_area(st, "AF0101", &a, NULL), ==, CC_ENOTFOUND);
	cc_store_close(st);
}

/* Compares the rejects collected with a .errors file (both sorted by line). */
static void check_errors(const struct rejects *rj, const char *errors_path)
{
	FILE *fp = fopen(errors_path, "r");
	char want[64][320], line[320];
	size_t n = 0;

	if (!check(fp != NULL))
		return;
	while (n < 64 && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(want[n++], sizeof(want[0]), "%s", line);
	}
	fclose(fp);
	check_int(rj->n, ==, n);
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t k = 0; k < rj->n && k < 512; k++)
			found = found || strcmp(rj->msgs[k], want[i]) == 0;
		if (!check(found))
			printf("# expected: %s\n", want[i]);
	}
	if (rj->n != n)
		print_rejects(rj);
}

TEST(gazetteer_bad_rows)
{
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj;
	struct cc_area a;
	char rejects_csv[256];
	int ret, lines = 0, c;
	FILE *fp;

	if (!st)
		return;
	snprintf(rejects_csv, sizeof(rejects_csv), "%s/rejects.csv", work_dir());
	ret = import(st, DATA("bad-gazetteer.csv"),
	             (struct cc_import_opts){ .level = -1,
	                                      .display_name = "bad-gazetteer.csv",
	                                      .rejects_path = rejects_csv },
	             &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, 10);
	check_int(rep.n_rejected, ==, 8);
	check_int(rep.n_added, ==, 3); /* XX (adm0), XX01, XX0101 */
	check_errors(&rj, DATA("bad-gazetteer.errors"));
	if (find(st, "XX0101", &a))
		check_str(a.name, "Alpha One");
	fp = fopen(rejects_csv, "r");
	if (check(fp != NULL)) {
		while ((c = fgetc(fp)) != EOF)
			lines += c == '\n';
		fclose(fp);
	}
	check_int(lines, ==, 1 + 8); /* header + one line a rejected row */
	cc_store_close(st);
}

TEST(gazetteer_children_before_parents)
{
	static const char *const want[][2] = {
		{ "YY01", "YY" },     { "YY02", "YY" },     { "YY0101", "YY01" },
		{ "YY0102", "YY01" }, { "YY0201", "YY02" }, { "YY010101", "YY0101" },
	};
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj;
	struct cc_area a;
	int ret;

	if (!st)
		return;
	ret = import(st, DATA("unsorted-gazetteer.csv"), GAZETTEER_OPTS, &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, 6);
	check_int(rep.n_rejected, ==, 0);
	print_rejects(&rj);
	check_int(rep.n_added, ==, 7);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (find(st, want[i][0], &a))
			check_str(pcode_of(st, a.parent_id), want[i][1]);
	cc_store_close(st);
}

/* Writes text into the work folder; returns the path. */
static const char *write_tmp(const char *name, const char *text)
{
	const char *path = TMP(name);
	FILE *fp = fopen(path, "w");

	if (check(fp != NULL)) {
		fputs(text, fp);
		fclose(fp);
	}
	return path;
}

struct progress {
	size_t calls, last_rows;
	uint64_t last_done, last_total;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total, size_t rows)
{
	struct progress *p = ctx;

	p->calls++;
	p->last_rows = rows;
	p->last_done = done;
	p->last_total = total;
}

TEST(gazetteer_semicolons_without_extension)
{
	/* the delimiter is never guessed: a ';' file is refused with the reason, nothing stored */
	const char *path = write_tmp("places.txt", "\xef\xbb\xbfpcode;name;level;parent\r\n"
	                                           "ZZ01;Zed;1;\r\n"
	                                           "ZZ0101;\"Zed; One\";2;ZZ01\r\n");
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct progress pr = { 0 };
	struct cc_area a;
	int ret;

	if (!st)
		return;
	ret = cc_import_areas(st, path, &(struct cc_import_opts){ .level = -1 }, &rep, &err);
	check_int(ret, ==, CC_EPARSE);
	check_int(err.line, ==, 1);
	check(strstr(err.msg, "separated by ';', not ','") != NULL);
	check_int(rep.n_added, ==, 0);
	check_int(cc_store_find_area(st, "ZZ01", &a, NULL), ==, CC_ENOTFOUND);
	/* the same with commas (a ';' inside quotes is text), with progress reports */
	path = write_tmp("places2.txt", "\xef\xbb\xbfpcode,name,level,parent\r\n"
	                                "ZZ01,Zed,1,\r\n"
	                                "ZZ0101,\"Zed; One\",2,ZZ01\r\n");
	ret = cc_import_areas(st, path,
	                      &(struct cc_import_opts){ .level = -1,
	                                                .on_progress = on_progress,
	                                                .progress_ctx = &pr },
	                      &rep, &err);
	if (!check_int(ret, ==, 0))
		printf("# %s\n", err.msg);
	check_int(rep.n_added, ==, 2);
	if (find(st, "ZZ0101", &a)) {
		check_str(a.name, "Zed; One");
		check_str(pcode_of(st, a.parent_id), "ZZ01");
	}
	if (find(st, "ZZ01", &a))
		check_int(a.parent_id, ==, 0); /* no parent given, none made */
	check(pr.calls >= 1);
	check_int(pr.last_rows, ==, 2);
	check_int(pr.last_done, ==, pr.last_total);
	check_int(pr.last_total, ==, 67);
	cc_store_close(st);
}

TEST(gazetteer_wide_layouts)
{
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj;
	struct cc_area a;
	int ret;

	if (!st)
		return;
	/* COD-AB table: ADM0/1/2 columns; 5 districts in 2 provinces of country AF */
	ret = import(st, DATA("afg_cod_ab_adm2_sample.csv"), GAZETTEER_OPTS, &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, 5);
	check_int(rep.n_rejected, ==, 0);
	check_int(rep.n_added, ==, 1 + 2 + 5);
	if (find(st, "AF", &a)) {
		check_str(a.name, "Afghanistan");
		check_int(a.level, ==, 0);
	}
	if (find(st, "AF0202", &a)) {
		check_str(a.name, "Hisa-e-Duwum-e-Kohistan");
		check_str(pcode_of(st, a.parent_id), "AF02");
	}
	if (find(st, "AF02", &a))
		check_str(pcode_of(st, a.parent_id), "AF");

	/* HXL-tagged OCHA 3W: 12 rows naming 3 provinces and 4 districts, with repeats */
	ret = import(st, DATA("afg_3w_hxl_sample.csv"), GAZETTEER_OPTS, &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, 12);
	check_int(rep.n_rejected, ==, 0);
	/* AF01 and AF0101 exist (from the COD-AB rows): unchanged; AF23, AF18 and 3 districts new
	 */
	check_int(rep.n_added, ==, 2 + 3);
	check_int(rep.n_unchanged, ==, 2);
	if (find(st, "AF1801", &a)) {
		check_str(a.name, "Taloqan");
		check_str(pcode_of(st, a.parent_id), "AF18");
	}
	if (find(st, "AF18", &a))
		check_str(a.name, "TAKAHr"); /* as the 3W spells it */

	/* contradicting rows are rejected whole */
	ret = import(st, DATA("wide-conflict.csv"),
	             (struct cc_import_opts){ .level = -1, .display_name = "wide-conflict.csv" },
	             &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, 6);
	check_int(rep.n_rejected, ==, 4);
	check_int(rep.n_added, ==, 3);
	check_errors(&rj, DATA("wide-conflict.errors"));
	check_int(cc_store_find_area(st, "XX0102", &a, NULL), ==, CC_ENOTFOUND);
	cc_store_close(st);
}

/* ---- boundaries ---- */

TEST(adm1_by_name_then_code_map)
{
	static struct pcode_row rows[600];
	static struct gj_feature feats[64];
	size_t n_rows = read_gazetteer(rows, 600);
	size_t n_feats = read_geojson(CASE("afg_adm1_geoboundaries.geojson"), feats, 64);
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj;
	size_t n_expected = 0;
	bool want_reject[64] = { 0 };
	char d0[65], d1[65];
	int ret;

	if (!st || !import_gazetteer(st))
		return;
	check_int(n_feats, ==, 34);
	/* a feature is rejected when no level-1 gazetteer name normalises to its name */
	for (size_t i = 0; i < n_feats; i++) {
		char fn[64], gn[64];

		ascii_norm(feats[i].name, fn, sizeof(fn));
		want_reject[i] = true;
		for (size_t k = 0; k < n_rows; k++) {
			if (rows[k].level != 1)
				continue;
			ascii_norm(rows[k].name, gn, sizeof(gn));
			if (strcmp(fn, gn) == 0)
				want_reject[i] = false;
		}
		n_expected += want_reject[i];
	}
	check_int(n_expected, ==, 9); /* Ghanzi, Paktia, Wardak, Panjshir, Sar-e Pol, … */

	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"), adm1_opts(NULL), &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, 34);
	check_int(rep.n_rejected, ==, n_expected);
	check_int(rep.n_updated, ==, 34 - n_expected);
	check_int(rep.n_added, ==, 0);
	check(rep.stored);
	for (size_t i = 0; i < n_feats; i++) {
		if (check_int(rejected_line(&rj, (long)i + 1), ==, want_reject[i]))
			continue;
		printf("# feature %zu '%s'\n", i + 1, feats[i].name);
	}
	/* the message names the feature and the way out */
	for (size_t i = 0; i < rj.n && i < 512; i++) {
		check(strstr(rj.msgs[i], ": shapeName: no area matches name '") != NULL);
		check(strstr(rj.msgs[i], "at level 1; add it to --code-map") != NULL);
	}
	check(strstr(rj.msgs[0], "afg_adm1_geoboundaries.geojson:5: shapeName: no area matches "
	                         "name 'Ghanzi' at level 1; add it to --code-map") != NULL);

	/* the code map maps exactly the rejected names (checked against the file), and fixes them
	 */
	{
		FILE *fp = fopen(DATA("afg_adm1_codemap.csv"), "r");
		char line[256];
		size_t n_map = 0;

		if (check(fp != NULL)) {
			while (fgets(line, sizeof(line), fp)) {
				bool hit = false;

				line[strcspn(line, ",")] = '\0';
				if (!strcmp(line, "feature"))
					continue;
				for (size_t i = 0; i < n_feats; i++)
					hit = hit ||
					      (want_reject[i] && !strcmp(feats[i].name, line));
				check(hit);
				n_map++;
			}
			fclose(fp);
		}
		check_int(n_map, ==, n_expected);
	}
	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"),
	             adm1_opts(DATA("afg_adm1_codemap.csv")), &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_rejected, ==, 0);
	print_rejects(&rj);
	check_int(rep.n_updated, ==, n_expected);
	check_int(rep.n_unchanged, ==, 34 - n_expected);
	check_int(count(st, "area_alias"), ==, n_expected);

	/* the code map's names are now aliases: "Ghanzi" finds Ghazni */
	{
		struct cc_area a;

		check_int(cc_store_find_area_by_name(st, 0, 1, "ghanzi", &a, &err), ==, 0);
		check_str(a.pcode, "AF11");
		check_int(cc_store_find_area_by_name(st, 0, 1, "sar e pol", &a, &err), ==, 0);
		check_str(a.pcode, "AF22");
	}

	/* every province has the geometry and box of its feature */
	for (size_t i = 0; i < n_feats; i++) {
		struct cc_area a;
		char fn[64];

		ascii_norm(feats[i].name, fn, sizeof(fn));
		if (!check_int(cc_store_find_area_by_name(st, 0, 1, fn, &a, &err), ==, 0))
			continue;
		check(a.has_geom);
		check_dbl(a.minx, feats[i].minx, 1e-12);
		check_dbl(a.miny, feats[i].miny, 1e-12);
		check_dbl(a.maxx, feats[i].maxx, 1e-12);
		check_dbl(a.maxy, feats[i].maxy, 1e-12);
	}
	{
		struct cc_area a;
		unsigned char *wkb = NULL;
		size_t len = 0;
		uint32_t type = 0;

		if (find(st, "AF01", &a)) {
			check(a.minx >= 68 && a.maxx <= 70.5 && a.miny >= 34 && a.maxy <= 35.5);
			check(a.maxx - a.minx > 0.5 && a.maxy - a.miny > 0.3);
			check_int(cc_store_area_geometry(st, a.id, (void **)&wkb, &len, &err), ==,
			          0);
			if (check(wkb && len > 9)) {
				memcpy(&type, wkb + 1, 4);
				check_int(wkb[0], ==, 1); /* little-endian */
				check_int(type, ==, 3);   /* 2D Polygon */
			}
			cc_free(wkb);
		}
	}

	/* once more with the code map: nothing to do */
	digest(st, d0);
	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"),
	             adm1_opts(DATA("afg_adm1_codemap.csv")), &rep, &rj, &err);
	check_int(ret, ==, 0);
	check(rep.same_file);
	digest(st, d1);
	check_str(d1, d0);
	/* and without it: the aliases now match, so nothing is rejected and nothing changes */
	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"), adm1_opts(NULL), &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_rejected, ==, 0);
	check_int(rep.n_unchanged, ==, 34);
	digest(st, d1);
	check_str(d1, d0);
	cc_store_close(st);
}

TEST(strict_and_dry_run_store_nothing)
{
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_import_opts o = adm1_opts(NULL);
	struct cc_err err = { 0 };
	struct rejects rj;
	char d0[65], d1[65];
	int ret;

	if (!st || !import_gazetteer(st))
		return;
	digest(st, d0);
	o.flags = CC_IMPORT_STRICT;
	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"), o, &rep, &rj, &err);
	check_int(ret, ==, CC_EREJECTED);
	check_int(err.code, ==, CC_EREJECTED);
	check_str(err.msg, "9 of 34 features rejected; nothing stored");
	check_int(rep.n_rejected, ==, 9);
	check_int(rj.n, ==, 9);
	check(!rep.stored);
	digest(st, d1);
	check_str(d1, d0);

	o.flags = CC_IMPORT_DRY_RUN;
	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"), o, &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_rejected, ==, 9);
	check_int(rep.n_updated, ==, 25);
	check(!rep.stored);
	digest(st, d1);
	check_str(d1, d0);

	/* strict with the code map: all match, all stored */
	o = adm1_opts(DATA("afg_adm1_codemap.csv"));
	o.flags = CC_IMPORT_STRICT;
	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"), o, &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_updated, ==, 34);
	check(rep.stored);
	cc_store_close(st);
}

/* A store with the gazetteer (levels <= max_level) and the provinces' geometry. */
static struct cc_store *store_with_provinces(int max_level)
{
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	int ret;

	if (!st)
		return NULL;
	ret = import(st, CASE("afg_global_pcodes_subset.csv"),
	             (struct cc_import_opts){ .level = max_level }, &rep, NULL, &err);
	if (ret == 0)
		ret = import(st, CASE("afg_adm1_geoboundaries.geojson"),
		             adm1_opts(DATA("afg_adm1_codemap.csv")), &rep, NULL, &err);
	if (!check_int(ret, ==, 0) || !check_int(rep.n_rejected, ==, 0)) {
		printf("# %s\n", err.msg);
		cc_store_close(st);
		return NULL;
	}
	return st;
}

TEST(adm2_matched_within_located_province)
{
	static struct pcode_row rows[600];
	struct expected_district ex[32];
	size_t n_rows = read_gazetteer(rows, 600), n_ex = read_expected(ex, 32), n_reject = 0;
	struct cc_store *st = store_with_provinces(-1);
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj;
	int ret;

	if (!st)
		return;
	check_int(n_ex, ==, 14);
	ret = import(st, DATA("afg_adm2_sample.geojson"),
	             (struct cc_import_opts){ .level = 2, .name_field = "shapeName" }, &rep, &rj,
	             &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, n_ex);
	for (size_t i = 0; i < n_ex; i++) {
		/* the district of that name in the province SpatiaLite found, from the gazetteer */
		const char *want = NULL;
		char en[64], gn[64];
		struct cc_area a;

		ascii_norm(ex[i].name, en, sizeof(en));
		for (size_t k = 0; k < n_rows; k++) {
			ascii_norm(rows[k].name, gn, sizeof(gn));
			if (rows[k].level == 2 && !strcmp(rows[k].parent, ex[i].adm1) &&
			    !strcmp(gn, en))
				want = rows[k].code;
		}
		if (!want) {
			n_reject++;
			if (!check(rejected_line(&rj, (long)i + 1)))
				printf("# feature %zu '%s' should be rejected\n", i + 1,
				       ex[i].name);
			continue;
		}
		check(!rejected_line(&rj, (long)i + 1));
		if (!find(st, want, &a))
			continue;
		check_str(pcode_of(st, a.parent_id), ex[i].adm1);
		check(a.has_geom);
		check_dbl(a.minx, ex[i].minx, 1e-8);
		check_dbl(a.miny, ex[i].miny, 1e-8);
		check_dbl(a.maxx, ex[i].maxx, 1e-8);
		check_dbl(a.maxy, ex[i].maxy, 1e-8);
	}
	check_int(n_reject, ==, 3); /* Shahjoy (Shah Joi), Koshk, Nahri Shahi (Nahr-e-Shahi) */
	check_int(rep.n_rejected, ==, n_reject);
	check_int(rep.n_updated, ==, n_ex - n_reject);
	check(strstr(rj.msgs[0], "afg_adm2_sample.geojson:8: shapeName: no area matches name "
	                         "'Shahjoy' at level 2 in 'AF26'; add it to --code-map") != NULL);
	print_rejects(&rj);
	cc_store_close(st);
}

TEST(adm2_new_areas_parent_by_point_on_surface)
{
	struct expected_district ex[32];
	size_t n_ex = read_expected(ex, 32);
	struct cc_store *st = store_with_provinces(1);
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj;
	char d0[65], d1[65];
	int ret;

	if (!st)
		return;
	ret = import(st, DATA("afg_adm2_sample.geojson"),
	             (struct cc_import_opts){
	                     .level = 2, .code_field = "shapeID", .name_field = "shapeName" },
	             &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_added, ==, n_ex);
	check_int(rep.n_rejected, ==, 0);
	print_rejects(&rj);
	for (size_t i = 0; i < n_ex; i++) {
		struct cc_area a;

		if (!find(st, ex[i].id, &a))
			continue;
		check_str(a.name, ex[i].name);
		check_int(a.level, ==, 2);
		if (!check_str(pcode_of(st, a.parent_id), ex[i].adm1))
			printf("# %s %s\n", ex[i].id, ex[i].name);
	}
	/* idempotent */
	digest(st, d0);
	ret = import(st, DATA("afg_adm2_sample.geojson"),
	             (struct cc_import_opts){
	                     .level = 2, .code_field = "shapeID", .name_field = "shapeName" },
	             &rep, &rj, &err);
	check_int(ret, ==, 0);
	check(rep.same_file);
	digest(st, d1);
	check_str(d1, d0);

	/* without the provinces' geometry nothing can place a new district */
	cc_store_close(st);
	st = new_store();
	if (!st || !import_gazetteer(st))
		return;
	ret = import(st, DATA("afg_adm2_sample.geojson"),
	             (struct cc_import_opts){ .level = 2, .code_field = "shapeID" }, &rep, &rj,
	             &err);
	check_int(ret, ==, 0);
	check_int(rep.n_rejected, ==, n_ex);
	check(strstr(rj.msgs[0], ":1: geometry: no level-1 area contains this feature") != NULL);
	cc_store_close(st);
}

/* Small squares around Kabul city, inside Kabul province (AF01). */
#define SQUARE(x0, y0, x1, y1)                                                              \
	"{\"type\":\"Polygon\",\"coordinates\":[[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1 \
	"," #y1 "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]]}"
#define FEATURE(code, parent, geom)                                                    \
	"{\"type\":\"Feature\",\"properties\":{\"code\":\"" code "\",\"up\":\"" parent \
	"\"},\"geometry\":" geom "}"

TEST(parent_field)
{
	const char *path = write_tmp(
	        "parents.geojson",
	        "{\"type\":\"FeatureCollection\",\"features\":[" FEATURE(
	                "T1", "AF01", SQUARE(69.1, 34.5, 69.12, 34.52)) "," /* where it lies */
	        FEATURE("T2", "AF27", SQUARE(69.2, 34.5, 69.22, 34.52)) "," /* the field wins */
	        FEATURE("T3", "AF99", SQUARE(69.1, 34.4, 69.12, 34.42)) "," /* unknown */
	        FEATURE("T4", "AFG", SQUARE(69.2, 34.4, 69.22, 34.42)) ","  /* the country */
	        FEATURE("T5", "", SQUARE(69.3, 34.4, 69.32, 34.42)) "]}");  /* empty */
	struct cc_store *st = store_with_provinces(1);
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj;
	struct cc_area a;
	int ret;

	if (!st)
		return;
	ret = import(st, path,
	             (struct cc_import_opts){ .level = 2,
	                                      .code_field = "code",
	                                      .parent_field = "up",
	                                      .display_name = "p.geojson" },
	             &rep, &rj, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_added, ==, 2);
	check_int(rep.n_rejected, ==, 3);
	if (find(st, "T1", &a)) {
		check_str(pcode_of(st, a.parent_id), "AF01");
		check_str(a.name, "T1"); /* no --name-field: the code names it */
		check_dbl(a.minx, 69.1, 1e-12);
		check_dbl(a.maxy, 34.52, 1e-12);
	}
	if (find(st, "T2", &a))
		check_str(pcode_of(st, a.parent_id), "AF27");
	check_str(rj.msgs[0], "p.geojson:3: up: unknown parent P-code 'AF99'");
	check_str(rj.msgs[1], "p.geojson:4: up: parent 'AFG' is at level 0, not 1");
	check_str(rj.msgs[2], "p.geojson:5: up: empty parent P-code");
	cc_store_close(st);
}

/* Writes the district sample as another format and CRS with GDAL (what ogr2ogr does). */
static bool translate(const char *dst, const char *format, const char *srs, int limit)
{
	char lim[16];
	char *argv[] = { "-f", (char *)format, "-t_srs", (char *)srs, "-limit", lim, NULL };
	GDALVectorTranslateOptions *o;
	GDALDatasetH src, out;
	int usage_error = 0;

	snprintf(lim, sizeof(lim), "%d", limit);
	GDALAllRegister();
	src = GDALOpenEx(DATA("afg_adm2_sample.geojson"), GDAL_OF_VECTOR, NULL, NULL, NULL);
	o = GDALVectorTranslateOptionsNew(argv, NULL);
	if (!check(src && o))
		return false;
	out = GDALVectorTranslate(dst, NULL, 1, &src, o, &usage_error);
	GDALVectorTranslateOptionsFree(o);
	GDALClose(src);
	if (!check(out != NULL))
		return false;
	GDALClose(out);
	return true;
}

TEST(geopackage_and_shapefile_reprojected)
{
	static const struct {
		const char *file, *format, *srs;
	} cases[] = {
		{ "districts.gpkg", "GPKG", "EPSG:32642" },         /* UTM zone 42N, metres */
		{ "districts.shp", "ESRI Shapefile", "EPSG:3857" }, /* Web Mercator */
	};
	struct expected_district ex[32];
	size_t n_ex = read_expected(ex, 32);

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct cc_store *st = store_with_provinces(1);
		struct cc_import_report rep;
		struct cc_err err = { 0 };
		struct rejects rj;
		int ret;

		if (!st || !translate(TMP(cases[c].file), cases[c].format, cases[c].srs, 100))
			return;
		ret = import(st, TMP(cases[c].file),
		             (struct cc_import_opts){ .level = 2,
		                                      .code_field = "shapeID",
		                                      .name_field = "shapeName" },
		             &rep, &rj, &err);
		if (!check_int(ret, ==, 0))
			printf("# %s: %s\n", cases[c].file, err.msg);
		check_int(rep.n_added, ==, n_ex);
		check_int(rep.n_rejected, ==, 0);
		print_rejects(&rj);
		for (size_t i = 0; i < n_ex; i++) {
			struct cc_area a;

			if (!find(st, ex[i].id, &a))
				continue;
			check_str(pcode_of(st, a.parent_id), ex[i].adm1);
			/* back in degrees: the round trip through metres moves nothing visible */
			check_dbl(a.minx, ex[i].minx, 1e-7);
			check_dbl(a.miny, ex[i].miny, 1e-7);
			check_dbl(a.maxx, ex[i].maxx, 1e-7);
			check_dbl(a.maxy, ex[i].maxy, 1e-7);
		}
		cc_store_close(st);
	}
}

TEST(usage_errors_store_nothing)
{
	struct cc_store *st = new_store();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	char d0[65], d1[65];
	int ret;

	if (!st || !import_gazetteer(st))
		return;
	digest(st, d0);
	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"),
	             (struct cc_import_opts){ .level = -1, .name_field = "shapeName" }, &rep, NULL,
	             &err);
	check_int(ret, ==, CC_EUSAGE);
	check(strstr(err.msg, "--level is required for boundary file") != NULL);

	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"),
	             (struct cc_import_opts){ .level = 1, .name_field = "NAME_1" }, &rep, NULL,
	             &err);
	check_int(ret, ==, CC_EUSAGE);
	check_str(err.field, "--name-field");
	check(strstr(err.msg, "no field 'NAME_1' in '") != NULL);
	check(strstr(err.msg, "(fields: shapeName, shapeISO, shapeID, shapeGroup, shapeType)") !=
	      NULL);

	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"),
	             (struct cc_import_opts){ .level = 1 }, &rep, NULL, &err);
	check_int(ret, ==, CC_EUSAGE);
	check(strstr(err.msg, "--code-field or --name-field is required") != NULL);

	ret = import(st, CASE("afg_adm1_geoboundaries.geojson"),
	             (struct cc_import_opts){ .level = 1,
	                                      .code_field = "shapeISO",
	                                      .code_map = DATA("afg_adm1_codemap.csv") },
	             &rep, NULL, &err);
	check_int(ret, ==, CC_EUSAGE);

	ret = import(
	        st, CASE("afg_global_pcodes_subset.csv"),
	        (struct cc_import_opts){ .level = -1, .code_map = DATA("afg_adm1_codemap.csv") },
	        &rep, NULL, &err);
	check_int(ret, ==, CC_EUSAGE);

	ret = import(st, CASE("afg_global_pcodes_subset.csv"),
	             (struct cc_import_opts){ .level = -1, .code_field = "pcode_x" }, &rep, NULL,
	             &err);
	check_int(ret, ==, CC_EUSAGE);
	check(strstr(err.msg, "(columns: Location, Admin Level, P-Code, Name, Parent P-Code") !=
	      NULL);

	ret = import(st, DATA("no-such-file.geojson"), (struct cc_import_opts){ .level = 1 }, &rep,
	             NULL, &err);
	check_int(ret, ==, CC_EIO);

	ret = import(st, DATA("afg_adm1_codemap.csv"), GAZETTEER_OPTS, &rep, NULL, &err);
	check_int(ret, ==, CC_EUSAGE);
	check(strstr(err.msg, "no name column in '") != NULL);
	digest(st, d1);
	check_str(d1, d0);
	cc_store_close(st);
}

/* ---- allocation failures ---- */

/* Fails allocation 0, 1, 2, … of the import until it succeeds; each failure changes nothing. */
static void alloc_failures(const char *what, struct cc_store *st, const char *path,
                           struct cc_import_opts o, size_t want_added)
{
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	char d0[65], d[65];
	long n;
	int ret = -1;

	if (!st)
		return;
	digest(st, d0);
	for (n = 0; n < 200000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_import_areas(st, path, &o, &rep, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM)) {
			printf("# %s, n=%ld: %s\n", what, n, err.msg);
			break;
		}
		digest(st, d);
		if (!check_str(d, d0))
			break;
	}
	printf("# %s: succeeded after %ld failed allocations\n", what, n);
	check_int(ret, ==, 0);
	check_int(rep.n_added, ==, want_added);
	cc_store_close(st);
}

TEST(allocation_failures)
{
	if (!translate(TMP("three.geojson"), "GeoJSON", "EPSG:4326", 3))
		return;
	alloc_failures("gazetteer", new_store(), DATA("afg_cod_ab_adm2_sample.csv"), GAZETTEER_OPTS,
	               1 + 2 + 5);
	alloc_failures("boundaries", store_with_provinces(1), TMP("three.geojson"),
	               (struct cc_import_opts){ .level = 2, .code_field = "shapeID" }, 3);
}
