/*
 * The store: schema and migrations, the import diff, transactions, the change log, the coverage
 * read, and allocation failures. Every store lives in a fresh mkdtemp() folder; raw sqlite3 is
 * used only to play an older or newer schema and to tamper with the change log.
 */
#include <concord/alloc.h>
#include <concord/import.h>
#include <concord/store.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/backend.h"
#include "tap.h"

static char tmpdir[64];
static int n_paths;

/* A new store path in the test's folder (the folder goes at exit, with everything in it). */
static const char *new_path(char buf[static 128])
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/t-store-XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	snprintf(buf, 128, "%s/s%d.db", tmpdir, ++n_paths);
	return buf;
}

__attribute__((destructor)) static void remove_tmpdir(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	if (!tmpdir[0])
		return;
	for (int i = 1; i <= n_paths; i++) {
		for (size_t k = 0; k < sizeof(suffix) / sizeof(suffix[0]); k++) {
			snprintf(p, sizeof(p), "%s/s%d.db%s", tmpdir, i, suffix[k]);
			unlink(p);
		}
	}
	rmdir(tmpdir);
}

static struct cc_store *create_store(const char *path)
{
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	int ret =
	        cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err);

	if (!check_int(ret, ==, 0))
		printf("# open: %s\n", err.msg);
	return st;
}

/* Runs SQL on the file with a connection of its own; 0 or the SQLite code. */
static int raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* One integer from a query on the file, or -999. */
static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	long long v = -999;

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static int64_t count(struct cc_store *st, const char *table)
{
	int64_t n = -1;

	check_int(cc_store_count(st, table, &n, NULL), ==, 0);
	return n;
}

static struct cc_activity activity(int64_t mission_id, int64_t source_id, int key, int version)
{
	struct cc_activity a = {
		.mission_id = mission_id,
		.source_id = source_id,
		.kind = CC_KIND_ACTIVITY,
		.title = "water points",
		.description = "",
		.status = "2",
		.lat = NAN,
		.lon = NAN,
		.start_date = CC_DATE_NONE,
		.end_date = CC_DATE_NONE,
		.targeted = NAN,
		.reached = NAN,
		.budget = NAN,
		.line = key + 1,
	};

	a.natkey[0] = (unsigned char)key;
	a.natkey[15] = 0xaa;
	a.digest[0] = (unsigned char)version;
	return a;
}

/* ---- opening ---- */

/* The migrations compiled in: the schema version a new store gets. */
static int n_migrations(void)
{
	int n = 0;

	while (cc__migrations[n].name)
		n++;
	return n;
}

/*
 * The real migrations plus one more (the next version, named NNNN_<suffix>.sql, running sql):
 * plays a newer program. blobs must hold n_migrations() + 2 entries.
 */
static void with_extra(struct cc__blob *blobs, char name[static 32], const char *suffix,
                       const char *sql)
{
	int n = n_migrations();

	for (int i = 0; i < n; i++)
		blobs[i] = cc__migrations[i];
	snprintf(name, 32, "%04d_%s.sql", n + 1, suffix);
	blobs[n] = (struct cc__blob){ .name = name, .data = (const unsigned char *)sql,
		                      .len = strlen(sql) };
	blobs[n + 1] = (struct cc__blob){ 0 };
	cc__sqlite_migrations = blobs;
}

TEST(open_missing_store)
{
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	char path[128], want[256];

	new_path(path);
	check_int(cc_store_open(&st, path, NULL, &err), ==, CC_ENOTFOUND);
	snprintf(want, sizeof(want), "no store at '%s'; run 'concord init'", path);
	check_str(err.msg, want);
	check(st == NULL);
	check(access(path, F_OK) != 0); /* nothing created */
}

TEST(open_by_scheme)
{
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	char path[128], uri[160];

#if defined(CC_WITH_POSTGRES) && CC_WITH_POSTGRES
	/* built with the backend (tests/cli/cli-postgres.sh tests it): a server that is not there */
	check_int(cc_store_open(&st, "postgresql://127.0.0.1:1/concord", NULL, &err), ==, CC_EIO);
	check(strstr(err.msg, "cannot connect to PostgreSQL store '127.0.0.1:1/concord'") != NULL);
#else
	check_int(cc_store_open(&st, "postgresql://db.example/concord", NULL, &err), ==,
	          CC_EUNSUPPORTED);
	check_str(err.msg, "PostgreSQL backend not built yet");
#endif
	check_int(cc_store_open(&st, "mysql://x", NULL, &err), ==, CC_EUSAGE);
	check_str(err.msg, "unknown store scheme 'mysql' (known: sqlite, postgresql)");
	check(st == NULL);

	new_path(path);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	check_int(
	        cc_store_open(&st, uri, &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err),
	        ==, 0);
	check(st != NULL);
	cc_store_close(st);
	check(access(path, F_OK) == 0);
	check_int(raw_int(path, "PRAGMA user_version"), ==, n_migrations());
	cc_store_close(NULL);
}

TEST(create_applies_schema)
{
	struct cc_store *st;
	struct cc_err err = { 0 };
	int have = -1, want = -1;
	char path[128];

	st = create_store(new_path(path));
	if (!st)
		return;
	check_int(cc_store_schema_version(st, &have, &want, &err), ==, 0);
	check_int(have, ==, n_migrations());
	check_int(want, ==, n_migrations());
	check(n_migrations() >= 2);
	check_int(count(st, "activity"), ==, 0);
	check_int(count(st, "change"), ==, 0);
	check_int(cc_store_count(st, "sqlite_schema", &(int64_t){ 0 }, &err), ==, CC_EINVALID);
	check_str(err.msg, "unknown table 'sqlite_schema'");
	cc_store_close(st);

	/* reopening needs no CREATE; the file is WAL */
	check_int(cc_store_open(&st, path, NULL, &err), ==, 0);
	cc_store_close(st);
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	check_int(sqlite3_open(path, &db), ==, SQLITE_OK);
	check_int(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
	check_int(sqlite3_step(stmt), ==, SQLITE_ROW);
	check_str((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* ---- schema versions ---- */

static const char extra_sql[] = "CREATE TABLE extra (x INTEGER);";

TEST(schema_older_and_newer)
{
	struct cc__blob blobs[32];
	struct cc_store *st;
	struct cc_err err = { 0 };
	int from = -1, to = -1, have, want, n = n_migrations();
	char path[128], name[32], msg[160];

	st = create_store(new_path(path));
	if (!st)
		return;
	cc_store_close(st);

	/* play a program with one more migration */
	with_extra(blobs, name, "extra", extra_sql);
	check_int(cc_store_open(&st, path, NULL, &err), ==, CC_ESCHEMA);
	snprintf(msg, sizeof(msg),
	         "database schema version %d is older than this program's %d; "
	         "run 'concord migrate'",
	         n, n + 1);
	check_str(err.msg, msg);
	check_int(cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_ANY_SCHEMA },
	                        &err),
	          ==, 0);
	check_int(cc_store_schema_version(st, &have, &want, &err), ==, 0);
	check_int(have, ==, n);
	check_int(want, ==, n + 1);
	check_int(cc_store_migrate(st, &from, &to, &err), ==, 0);
	check_int(from, ==, n);
	check_int(to, ==, n + 1);
	check_int(cc_store_migrate(st, &from, &to, &err), ==, 0); /* nothing left to do */
	check_int(from, ==, n + 1);
	check_int(to, ==, n + 1);
	cc_store_close(st);
	check_int(raw_int(path, "PRAGMA user_version"), ==, n + 1);
	check_int(raw_int(path, "SELECT count(*) FROM extra"), ==, 0);
	check_int(cc_store_open(&st, path, NULL, &err), ==, 0);
	cc_store_close(st);

	/* back to this program: the store is now newer, even for `concord migrate` */
	cc__sqlite_migrations = cc__migrations;
	check_int(cc_store_open(&st, path, NULL, &err), ==, CC_ESCHEMA);
	snprintf(msg, sizeof(msg),
	         "database schema version %d is newer than this program's %d; upgrade concord",
	         n + 1, n);
	check_str(err.msg, msg);
	check_int(cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_ANY_SCHEMA },
	                        &err),
	          ==, CC_ESCHEMA);
	check(st == NULL);

	/* user_version set by hand, forward and back */
	check_int(raw_exec(path, "PRAGMA user_version = 77"), ==, SQLITE_OK);
	check_int(cc_store_open(&st, path, NULL, &err), ==, CC_ESCHEMA);
	snprintf(msg, sizeof(msg),
	         "database schema version 77 is newer than this program's %d; upgrade concord", n);
	check_str(err.msg, msg);

	/* a database of someone else's is left alone */
	new_path(path);
	check_int(raw_exec(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1)"), ==, SQLITE_OK);
	check_int(
	        cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err),
	        ==, CC_ESCHEMA);
	check(strstr(err.msg, "is not a concord store: it holds tables but no schema version"));
	check_int(raw_int(path, "SELECT count(*) FROM sqlite_schema"), ==, 1);

	check_int(raw_exec(path, "DROP TABLE t"), ==, SQLITE_OK);
	check_int(cc_store_open(&st, path, NULL, &err), ==, CC_ESCHEMA);
	snprintf(msg, sizeof(msg),
	         "database schema version 0 is older than this program's %d; run 'concord migrate'",
	         n);
	check_str(err.msg, msg);
	check_int(cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_ANY_SCHEMA },
	                        &err),
	          ==, 0);
	check_int(cc_store_migrate(st, &from, &to, &err), ==, 0);
	check_int(from, ==, 0);
	check_int(to, ==, n);
	check_int(count(st, "mission"), ==, 0);
	cc_store_close(st);
	check_int(raw_int(path, "PRAGMA user_version"), ==, n);
}

TEST(failed_migration_changes_nothing)
{
	static const char bad_sql[] = "CREATE TABLE fine (x); CREATE TABLE mission (x);";
	struct cc__blob blobs[32];
	struct cc_store *st;
	struct cc_err err = { 0 };
	int from = -1, to = -1, n = n_migrations();
	char path[128], name[32], msg[160];

	st = create_store(new_path(path));
	if (!st)
		return;
	cc_store_close(st);
	with_extra(blobs, name, "bad", bad_sql);
	check_int(cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_ANY_SCHEMA },
	                        &err),
	          ==, 0);
	check_int(cc_store_migrate(st, &from, &to, &err), ==, CC_ESTORE);
	snprintf(msg, sizeof(msg), "migration '%s' failed: table mission already exists", name);
	check_str(err.msg, msg);
	check_int(from, ==, n);
	check_int(to, ==, n);
	cc_store_close(st);
	cc__sqlite_migrations = cc__migrations;
	check_int(raw_int(path, "PRAGMA user_version"), ==, n);
	check_int(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'fine'"), ==, 0);
}

/* ---- missions, codes, areas, organisations ---- */

TEST(missions)
{
	struct cc_mission m = { .code = "AFG-2021",
		                .name = "Afghanistan",
		                .country = "AFG",
		                .start_date = 18628,
		                .end_date = CC_DATE_NONE };
	struct cc_mission m2 = {
		.code = "LBY", .name = "Libya", .start_date = CC_DATE_NONE, .end_date = CC_DATE_NONE
	};
	struct cc_mission got;
	struct cc_store *st;
	struct cc_err err = { 0 };
	int64_t id;
	char path[128];

	st = create_store(new_path(path));
	if (!st)
		return;
	check_int(cc_store_get_mission(st, NULL, &got, &err), ==, CC_ENOTFOUND);
	check_int(cc_store_put_mission(st, &m, &err), ==, 0);
	check_int(m.id, >, 0);
	id = m.id;
	check_int(cc_store_get_mission(st, NULL, &got, &err), ==, 0);
	check_int(got.id, ==, id);
	check_str(got.name, "Afghanistan");
	check_str(got.country, "AFG");
	check_int(got.start_date, ==, 18628);
	check_int(got.end_date, ==, CC_DATE_NONE);

	snprintf(m.name, sizeof(m.name), "UNAMA");
	check_int(cc_store_put_mission(st, &m, &err), ==, 0);
	check_int(m.id, ==, id);
	check_int(cc_store_put_mission(st, &m2, &err), ==, 0);
	check_int(m2.id, !=, id);
	check_int(cc_store_get_mission(st, "", &got, &err), ==, CC_EUSAGE);
	check_str(err.msg, "store holds 2 missions; choose one with -m CODE");
	check_int(cc_store_get_mission(st, "AFG-2021", &got, &err), ==, 0);
	check_str(got.name, "UNAMA");
	check_int(cc_store_get_mission(st, "XXX", &got, &err), ==, CC_ENOTFOUND);
	check_str(err.msg, "unknown mission 'XXX'");
	check_int(count(st, "mission"), ==, 2);
	cc_store_close(st);
}

TEST(codes_and_aliases)
{
	struct cc_store *st;
	struct cc_err err = { 0 };
	char code[16], tiny[3], path[128];
	int64_t id = 0, id2 = 0;

	st = create_store(new_path(path));
	if (!st)
		return;
	check_int(cc_store_put_code(st, "Sector", "15240", "Reintegration and SALW control", "152",
	                            &err),
	          ==, 0);
	check_int(cc_store_put_code(st, "SectorCategory", "152", "Conflict, Peace & Security", NULL,
	                            &err),
	          ==, 0);
	check_int(
	        cc_store_put_code(st, "IASCCluster", "WSH", "Water Sanitation Hygiene", NULL, &err),
	        ==, 0);
	check_int(cc_store_put_code(st, "ActivityStatus", "2", "Implementation", NULL, &err), ==,
	          0);
	check_int(count(st, "codelist"), ==, 4);
	check_int(count(st, "sector"), ==, 3); /* ActivityStatus is no sector */
	check_int(cc_store_sector_id(st, "1", "15240", &id, &err), ==, 0);
	check_int(id, >, 0);
	check_int(cc_store_put_code(st, "Sector", "15240", "Reintegration", "152", &err), ==, 0);
	check_int(cc_store_sector_id(st, "1", "15240", &id2, &err), ==, 0);
	check_int(id2, ==, id); /* an update keeps the id */
	check_int(cc_store_sector_id(st, "10", "WSH", &id, &err), ==, 0);
	check_int(cc_store_sector_id(st, "1", "WSH", &id, &err), ==, CC_ENOTFOUND);

	check_int(
	        cc_store_put_code_alias(st, "WASH", "IASCCluster", "WSH", "", "aliases.csv", &err),
	        ==, 0);
	check_int(cc_store_put_code_alias(st, "Eau", "IASCCluster", "WSH", "HTI", NULL, &err), ==,
	          0);
	check_int(cc_store_put_code_alias(st, "wash", "IASCCluster", "EDU", "AFG", NULL, &err), ==,
	          0);

	check_int(cc_store_resolve_code(st, "IASCCluster", "WSH", "", code, sizeof(code), &err), ==,
	          0);
	check_str(code, "WSH");
	check_int(cc_store_resolve_code(st, "IASCCluster", "wsh", "", code, sizeof(code), &err), ==,
	          CC_ENOTFOUND); /* codes are exact */
	check_str(err.msg, "unknown code 'wsh' in list 'IASCCluster'");
	check_int(cc_store_resolve_code(st, "IASCCluster", "Wash", "", code, sizeof(code), &err),
	          ==, 0);
	check_str(code, "WSH");
	check_int(cc_store_resolve_code(st, "IASCCluster", "WASH", "AFG", code, sizeof(code), &err),
	          ==, 0);
	check_str(code, "EDU"); /* the country's alias beats the general one */
	check_int(cc_store_resolve_code(st, "IASCCluster", "eau", "HTI", code, sizeof(code), &err),
	          ==, 0);
	check_str(code, "WSH");
	check_int(cc_store_resolve_code(st, "IASCCluster", "eau", "AFG", code, sizeof(code), &err),
	          ==, CC_ENOTFOUND);
	check_int(cc_store_resolve_code(st, "Sector", "WASH", NULL, code, sizeof(code), &err), ==,
	          CC_ENOTFOUND);
	check_str(err.msg, "unknown code 'WASH' in list 'Sector'");
	check_int(cc_store_resolve_code(st, "Sector", "15240", NULL, tiny, sizeof(tiny), &err), ==,
	          CC_ETOOBIG);
	check_int(count(st, "code_alias"), ==, 3);

	check_int(cc_store_put_pillar(st, 0, "1", "15240", CC_N_PILLARS, &err), ==, CC_EINVALID);
	check_int(cc_store_put_pillar(st, 0, "1", "15240", CC_PILLAR_SECURITY, &err), ==, 0);
	check_int(cc_store_put_pillar(st, 0, "1", "15240", CC_PILLAR_GOVERNANCE, &err), ==, 0);
	check_int(count(st, "pillar_map"), ==, 1);
	cc_store_close(st);
}

/* A country, two provinces and three districts, two of them called "Markaz". */
struct areas {
	struct cc_area af, p1, p2, d11, d12, d21;
};

static void put_areas(struct cc_store *st, struct areas *a)
{
	static const unsigned char wkb[] = { 1, 3, 0, 0, 0, 9, 9, 9 };

	*a = (struct areas){
		.af = { .pcode = "AF", .name = "Afghanistan", .level = 0, .population = -1 },
		.p1 = { .pcode = "AF01",
		        .name = "Kābul",
		        .level = 1,
		        .population = 5000000,
		        .has_geom = true,
		        .minx = 68.0,
		        .miny = 34.0,
		        .maxx = 70.0,
		        .maxy = 35.0 },
		.p2 = { .pcode = "AF02",
		        .name = "Kapisa",
		        .level = 1,
		        .population = -1,
		        .has_geom = true,
		        .minx = 69.0,
		        .miny = 34.5,
		        .maxx = 70.5,
		        .maxy = 35.5 },
		.d11 = { .pcode = "AF0101", .name = "Markaz", .level = 2, .population = -1 },
		.d12 = { .pcode = "AF0102", .name = "Paghman", .level = 2, .population = -1 },
		.d21 = { .pcode = "AF0201", .name = "Markaz", .level = 2, .population = -1 },
	};
	check_int(cc_store_put_area(st, &a->af, NULL, 0, NULL), ==, 0);
	a->p1.parent_id = a->p2.parent_id = a->af.id;
	check_int(cc_store_put_area(st, &a->p1, wkb, sizeof(wkb), NULL), ==, 0);
	check_int(cc_store_put_area(st, &a->p2, NULL, 0, NULL), ==, 0);
	a->d11.parent_id = a->d12.parent_id = a->p1.id;
	a->d21.parent_id = a->p2.id;
	check_int(cc_store_put_area(st, &a->d11, NULL, 0, NULL), ==, 0);
	check_int(cc_store_put_area(st, &a->d12, NULL, 0, NULL), ==, 0);
	check_int(cc_store_put_area(st, &a->d21, NULL, 0, NULL), ==, 0);
}

TEST(areas)
{
	struct cc_store *st;
	struct cc_err err = { 0 };
	struct cc_area got, *list = NULL;
	struct areas a;
	size_t n = 0, len = 0;
	void *wkb = NULL;
	char path[128];

	st = create_store(new_path(path));
	if (!st)
		return;
	put_areas(st, &a);
	check_int(count(st, "area"), ==, 6);
	check_int(raw_int(path, "SELECT count(*) FROM area_rtree"), ==, 2);

	check_int(cc_store_find_area(st, "AF01", &got, &err), ==, 0);
	check_int(got.id, ==, a.p1.id);
	check_str(got.name, "Kābul");
	check_int(got.level, ==, 1);
	check_int(got.parent_id, ==, a.af.id);
	check_int(got.population, ==, 5000000);
	check(got.has_geom);
	check_dbl(got.maxy, 35.0, 0);
	check_int(cc_store_find_area(st, "AF99", &got, &err), ==, CC_ENOTFOUND);
	check_str(err.msg, "unknown P-code 'AF99'");

	/* by normalised name, alias, parent */
	check_int(cc_store_find_area_by_name(st, 0, 1, "kabul", &got, &err), ==, 0);
	check_str(got.pcode, "AF01");
	check_int(cc_store_find_area_by_name(st, 0, 2, "kabul", &got, &err), ==, CC_ENOTFOUND);
	check_int(cc_store_find_area_by_name(st, 0, 2, "markaz", &got, &err), ==, CC_EINVALID);
	check_str(err.msg, "several areas at level 2 are named 'markaz': AF0101, AF0201");
	check_int(cc_store_find_area_by_name(st, a.p2.id, 2, "markaz", &got, &err), ==, 0);
	check_str(got.pcode, "AF0201");
	check_int(cc_store_put_area_alias(st, a.p2.id, "kapisa province", "test", &err), ==, 0);
	check_int(cc_store_find_area_by_name(st, a.af.id, 1, "kapisa province", &got, &err), ==, 0);
	check_str(got.pcode, "AF02");

	/* an update without geometry or parent keeps both */
	struct cc_area again = { .pcode = "AF01", .name = "Kabul", .level = 1, .population = -1 };
	check_int(cc_store_put_area(st, &again, NULL, 0, &err), ==, 0);
	check_int(again.id, ==, a.p1.id);
	check_int(cc_store_find_area(st, "AF01", &got, &err), ==, 0);
	check_str(got.name, "Kabul");
	check_int(got.parent_id, ==, a.af.id);
	check_int(got.population, ==, 5000000);
	check(got.has_geom);
	check_int(cc_store_area_geometry(st, a.p1.id, &wkb, &len, &err), ==, 0);
	check_int(len, ==, 8);
	check(wkb && ((unsigned char *)wkb)[5] == 9);
	cc_free(wkb);
	check_int(cc_store_area_geometry(st, a.p2.id, &wkb, &len, &err), ==, 0);
	check(wkb == NULL);
	check_int(len, ==, 0);

	check_int(cc_store_set_area_parent(st, a.d12.id, a.p2.id, &err), ==, 0);
	check_int(cc_store_find_area(st, "AF0102", &got, &err), ==, 0);
	check_int(got.parent_id, ==, a.p2.id);
	check_int(cc_store_set_area_parent(st, 9999, a.p2.id, &err), ==, CC_ENOTFOUND);

	check_int(cc_store_list_areas(st, &(struct cc_area_filter){ .level = 1 }, &list, &n, &err),
	          ==, 0);
	check_int(n, ==, 2);
	if (n == 2) {
		check_str(list[0].pcode, "AF01");
		check_str(list[1].pcode, "AF02");
	}
	cc_free(list);
	check_int(cc_store_list_areas(st,
	                              &(struct cc_area_filter){ .level = -1,
	                                                        .in_bbox = true,
	                                                        .minx = 68.1,
	                                                        .miny = 34.1,
	                                                        .maxx = 68.5,
	                                                        .maxy = 34.4 },
	                              &list, &n, &err),
	          ==, 0);
	check_int(n, ==, 1);
	if (n == 1)
		check_str(list[0].pcode, "AF01");
	cc_free(list);
	check_int(cc_store_list_areas(st,
	                              &(struct cc_area_filter){ .level = 2, .parent_id = a.p2.id },
	                              &list, &n, &err),
	          ==, 0);
	check_int(n, ==, 2);
	cc_free(list);
	check_int(cc_store_list_areas(st, NULL, &list, &n, &err), ==, 0);
	check_int(n, ==, 6);
	cc_free(list);
	cc_store_close(st);
}

TEST(organisations)
{
	struct cc_mission m = {
		.code = "M", .name = "M", .start_date = CC_DATE_NONE, .end_date = CC_DATE_NONE
	};
	struct cc_store *st;
	struct cc_err err = { 0 };
	struct cc_org o, got;
	int64_t id;
	char path[128];

	st = create_store(new_path(path));
	if (!st)
		return;
	check_int(cc_store_put_mission(st, &m, &err), ==, 0);
	o = (struct cc_org){ .mission_id = m.id,
		             .key = "XM-DAC-41122",
		             .name = "UNICEF",
		             .acronym = "UNICEF",
		             .type = "40",
		             .kind = "un",
		             .is_local = 0 };
	check_int(cc_store_put_org(st, &o, &err), ==, 0);
	id = o.id;
	check_int(cc_store_put_org_alias(st, m.id, id, "united nations children's fund", &err), ==,
	          0);
	check_int(cc_store_find_org(st, m.id, "XM-DAC-41122", &got, &err), ==, 0);
	check_int(got.id, ==, id);
	check_str(got.kind, "un");
	check_int(got.is_local, ==, 0);
	check_int(cc_store_find_org(st, m.id, "united nations children's fund", &got, &err), ==, 0);
	check_int(got.id, ==, id);
	check_int(cc_store_find_org(st, m.id + 1, "XM-DAC-41122", &got, &err), ==, CC_ENOTFOUND);
	check_str(err.msg, "unknown organisation 'XM-DAC-41122'");

	/* an update with unknown fields keeps what is known */
	o = (struct cc_org){ .mission_id = m.id,
		             .key = "XM-DAC-41122",
		             .name = "UNICEF Afghanistan",
		             .is_local = -1 };
	check_int(cc_store_put_org(st, &o, &err), ==, 0);
	check_int(o.id, ==, id);
	check_int(cc_store_find_org(st, m.id, "XM-DAC-41122", &got, &err), ==, 0);
	check_str(got.name, "UNICEF Afghanistan");
	check_str(got.type, "40");
	check_int(got.is_local, ==, 0);
	check_int(count(st, "organisation"), ==, 1);
	check_int(count(st, "org_alias"), ==, 1);
	cc_store_close(st);
}

/* ---- the import diff ---- */

struct base {
	struct cc_mission m;
	struct cc_source src;
	struct cc_org org;
	int64_t sector_id;
};

static void put_base(struct cc_store *st, struct base *b)
{
	b->m = (struct cc_mission){ .code = "AFG",
		                    .name = "Afghanistan",
		                    .start_date = CC_DATE_NONE,
		                    .end_date = CC_DATE_NONE };
	check_int(cc_store_put_mission(st, &b->m, NULL), ==, 0);
	b->src = (struct cc_source){ .mission_id = b->m.id,
		                     .name = "3w.csv",
		                     .period_from = CC_DATE_NONE,
		                     .period_to = CC_DATE_NONE };
	check_int(cc_store_put_source(st, &b->src, NULL), ==, 0);
	b->org = (struct cc_org){
		.mission_id = b->m.id, .key = "local:ARC", .name = "ARC", .is_local = 1
	};
	check_int(cc_store_put_org(st, &b->org, NULL), ==, 0);
	check_int(cc_store_put_code(st, "Sector", "15240", "Reintegration", "152", NULL), ==, 0);
	check_int(cc_store_sector_id(st, "1", "15240", &b->sector_id, NULL), ==, 0);
}

TEST(sources_and_batches)
{
	struct cc_store *st;
	struct cc_err err = { 0 };
	struct cc_source got;
	struct base b;
	int64_t b1 = 0, b2 = 0;
	char path[128];

	st = create_store(new_path(path));
	if (!st)
		return;
	put_base(st, &b);
	check_int(cc_store_get_source(st, b.m.id, "3w.csv", &got, &err), ==, 0);
	check_int(got.id, ==, b.src.id);
	check_str(got.digest, "");
	check_int(got.batch, ==, 0);
	check_int(got.period_from, ==, CC_DATE_NONE);
	check_int(cc_store_get_source(st, b.m.id, "nope.csv", &got, &err), ==, CC_ENOTFOUND);
	check_str(err.msg, "unknown source 'nope.csv'");

	check_int(cc_store_new_batch(st, &b1, &err), ==, 0);
	check_int(cc_store_new_batch(st, &b2, &err), ==, 0);
	check_int(b1, >, 0);
	check_int(b2, ==, b1 + 1);

	snprintf(b.src.digest, sizeof(b.src.digest), "%064d", 7);
	b.src.batch = b2;
	b.src.period_from = 18800;
	b.src.period_to = 18900;
	snprintf(b.src.imported_at, sizeof(b.src.imported_at), "2021-10-01T00:00:00Z");
	int64_t id = b.src.id;
	check_int(cc_store_put_source(st, &b.src, &err), ==, 0);
	check_int(b.src.id, ==, id);
	check_int(cc_store_get_source(st, b.m.id, "3w.csv", &got, &err), ==, 0);
	check_int(got.batch, ==, b2);
	check_int(got.period_to, ==, 18900);
	check_str(got.imported_at, "2021-10-01T00:00:00Z");
	check_int(strlen(got.digest), ==, 64);
	cc_store_close(st);
}

TEST(put_activity_diff)
{
	struct cc_store *st;
	struct cc_err err = { 0 };
	struct base b;
	struct cc_activity a[4];
	enum cc_put_result res;
	int64_t b1, b2, id1, id2;
	long dup = -1;
	size_t removed = 99;
	char path[128];

	st = create_store(new_path(path));
	if (!st)
		return;
	put_base(st, &b);

	/* first import: three rows, the fourth repeats the first's key */
	check_int(cc_store_new_batch(st, &b1, &err), ==, 0);
	check_int(cc_store_begin(st, &err), ==, 0);
	for (int i = 0; i < 3; i++) {
		a[i] = activity(b.m.id, b.src.id, i, 1);
		a[i].org_id = b.org.id;
		a[i].sector_id = b.sector_id;
		check_int(cc_store_put_activity(st, &a[i], b1, &res, &dup, &err), ==, 0);
		check_int(res, ==, CC_PUT_ADDED);
		check_int(a[i].id, >, 0);
	}
	a[3] = activity(b.m.id, b.src.id, 0, 2);
	a[3].line = 40;
	check_int(cc_store_put_activity(st, &a[3], b1, &res, &dup, &err), ==, 0);
	check_int(res, ==, CC_PUT_DUPLICATE);
	check_int(dup, ==, 1); /* the line of a[0] */
	check_int(cc_store_remove_stale(st, b.src.id, b1, &removed, &err), ==, 0);
	check_int(removed, ==, 0);
	check_int(cc_store_commit(st, &err), ==, 0);
	check_int(count(st, "activity"), ==, 3);
	id1 = a[1].id;
	id2 = a[2].id;

	/* another source, big enough that cleaning the first goes through the key index */
	struct cc_source big = { .mission_id = b.m.id,
		                 .name = "big.csv",
		                 .period_from = CC_DATE_NONE,
		                 .period_to = CC_DATE_NONE };
	check_int(cc_store_put_source(st, &big, &err), ==, 0);
	for (int i = 0; i < 60; i++) {
		struct cc_activity x = activity(b.m.id, big.id, i, 1);

		check_int(cc_store_put_activity(st, &x, b1, &res, &dup, &err), ==, 0);
		check_int(res, ==, CC_PUT_ADDED);
	}

	/* second import: a[0] the same, a[1] changed, a[2] gone, a new one */
	check_int(cc_store_new_batch(st, &b2, &err), ==, 0);
	check_int(cc_store_begin(st, &err), ==, 0);
	a[0] = activity(b.m.id, b.src.id, 0, 1);
	a[0].org_id = b.org.id;
	a[0].sector_id = b.sector_id;
	a[0].line = 7;
	check_int(cc_store_put_activity(st, &a[0], b2, &res, &dup, &err), ==, 0);
	check_int(res, ==, CC_PUT_UNCHANGED);
	a[1] = activity(b.m.id, b.src.id, 1, 2);
	a[1].title = "boreholes";
	a[1].targeted = 1200;
	check_int(cc_store_put_activity(st, &a[1], b2, &res, &dup, &err), ==, 0);
	check_int(res, ==, CC_PUT_UPDATED);
	check_int(a[1].id, ==, id1);
	a[3] = activity(b.m.id, b.src.id, 9, 1);
	check_int(cc_store_put_activity(st, &a[3], b2, &res, &dup, &err), ==, 0);
	check_int(res, ==, CC_PUT_ADDED);
	check_int(a[3].id, >, id2);
	check_int(cc_store_put_activity(st, &a[1], b2, &res, &dup, &err), ==, 0);
	check_int(res, ==, CC_PUT_DUPLICATE);
	check_int(dup, ==, 2);
	check_int(cc_store_remove_stale(st, b.src.id, b2, &removed, &err), ==, 0);
	check_int(removed, ==, 1);
	check_int(cc_store_commit(st, &err), ==, 0);
	check_int(count(st, "activity"), ==, 63);
	/* the big source by one pass over the table: all 60 rows are older than b2 */
	check_int(cc_store_remove_stale(st, big.id, b2, &removed, &err), ==, 0);
	check_int(removed, ==, 60);
	check_int(count(st, "activity"), ==, 3);
	cc_store_close(st);

	char sql[160];
	check_int(raw_int(path, "SELECT line FROM activity "
	                        "WHERE natkey = x'000000000000000000000000000000aa'"),
	          ==, 7);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM activity WHERE id = %lld", (long long)id2);
	check_int(raw_int(path, sql), ==, 0);
	snprintf(sql, sizeof(sql),
	         "SELECT targeted = 1200 AND title = 'boreholes' AND batch = %lld AND "
	         "org_id IS NULL AND lat IS NULL FROM activity WHERE id = %lld",
	         (long long)b2, (long long)id1);
	check_int(raw_int(path, sql), ==, 1);
	check_int(raw_int(path, "SELECT count(*) FROM activity WHERE description IS NOT NULL "
	                        "OR budget IS NOT NULL OR start_date IS NOT NULL"),
	          ==, 0);
}

TEST(rollback_restores_digest)
{
	struct cc_store *st;
	struct cc_err err = { 0 };
	struct base b;
	struct cc_activity a;
	char d0[65], d1[65], d2[65], path[128];
	int64_t batch;

	st = create_store(new_path(path));
	if (!st)
		return;
	put_base(st, &b);
	check_int(cc_store_digest(st, d0, &err), ==, 0);
	check_int(strlen(d0), ==, 64);
	check_int(cc_store_digest(st, d1, &err), ==, 0);
	check_str(d0, d1);

	check_int(cc_store_begin(st, &err), ==, 0);
	check_int(cc_store_begin(st, &err), ==, CC_EUSAGE);
	check_int(cc_store_new_batch(st, &batch, &err), ==, 0);
	a = activity(b.m.id, b.src.id, 5, 1);
	check_int(cc_store_put_activity(st, &a, batch, NULL, NULL, &err), ==, 0);
	check_int(cc_store_log_change(st,
	                              &(struct cc_change){ .table = "activity",
	                                                   .op = "insert",
	                                                   .first_id = a.id,
	                                                   .last_id = a.id,
	                                                   .batch = batch,
	                                                   .count = 1 },
	                              &err),
	          ==, 0);
	check_int(cc_store_digest(st, d1, &err), ==, 0);
	check(strcmp(d0, d1) != 0);
	cc_store_rollback(st);
	check_int(cc_store_digest(st, d2, &err), ==, 0);
	check_str(d2, d0);
	check_int(count(st, "activity"), ==, 0);
	check_int(count(st, "change"), ==, 0);
	check_int(cc_store_commit(st, &err), ==, CC_EUSAGE);

	/* outside a transaction every call commits on its own */
	a = activity(b.m.id, b.src.id, 5, 1);
	check_int(cc_store_put_activity(st, &a, 1, NULL, NULL, &err), ==, 0);
	cc_store_close(st);
	check_int(raw_int(path, "SELECT count(*) FROM activity"), ==, 1);
}

/* ---- the change log ---- */

TEST(change_log_chain)
{
	struct cc_store *st;
	struct cc_err err = { 0 };
	int64_t n = -1;
	char path[128];

	st = create_store(new_path(path));
	if (!st)
		return;
	check_int(cc_store_verify_log(st, &n, &err), ==, 0);
	check_int(n, ==, 0);
	for (int i = 1; i <= 3; i++)
		check_int(cc_store_log_change(st,
		                              &(struct cc_change){ .table = "area",
		                                                   .op = "insert",
		                                                   .record_id = i,
		                                                   .count = 1,
		                                                   .detail = "areas.csv" },
		                              &err),
		          ==, 0);
	check_int(cc_store_log_change(st, &(struct cc_change){ .table = "activity" }, &err), ==,
	          CC_EUSAGE);
	check_int(cc_store_verify_log(st, &n, &err), ==, 0);
	check_int(n, ==, 3);
	cc_store_close(st);

	check_int(raw_int(path, "SELECT count(*) FROM change WHERE prev_hash = '' AND id = 1"), ==,
	          1);
	check_int(raw_int(path, "SELECT count(*) FROM change c JOIN change p ON p.id = c.id - 1 "
	                        "WHERE c.prev_hash = p.hash"),
	          ==, 2);
	check_int(raw_int(path, "SELECT count(*) FROM change WHERE who = 'cli' AND "
	                        "releasability = 'public' AND length(hash) = 64"),
	          ==, 3);
	/* append-only ... */
	check_int(raw_exec(path, "UPDATE change SET detail = 'x' WHERE id = 2"), ==,
	          SQLITE_CONSTRAINT);
	check_int(raw_exec(path, "DELETE FROM change WHERE id = 2"), ==, SQLITE_CONSTRAINT);
	/* ... and whoever gets round that is caught */
	check_int(raw_exec(path, "DROP TRIGGER change_no_update; "
	                         "UPDATE change SET detail = 'forged' WHERE id = 2"),
	          ==, SQLITE_OK);
	check_int(cc_store_open(&st, path, NULL, &err), ==, 0);
	check_int(cc_store_verify_log(st, &n, &err), ==, CC_EINVALID);
	check_str(err.msg, "change log entry 2 does not match its hash");
	check_int(n, ==, 1);
	cc_store_close(st);

	check_int(raw_exec(path, "UPDATE change SET detail = 'areas.csv' WHERE id = 2; "
	                         "DROP TRIGGER change_no_delete; DELETE FROM change WHERE id = 2"),
	          ==, SQLITE_OK);
	check_int(cc_store_open(&st, path, &(struct cc_store_opts){ .who = "alice" }, &err), ==, 0);
	check_int(cc_store_verify_log(st, &n, &err), ==, CC_EINVALID);
	check_str(err.msg, "change log entry 3 does not follow the entry before it");
	cc_store_close(st);
}

/* ---- the coverage read ---- */

struct cov_fixture {
	struct cc_store *st;
	struct base b;
	struct areas a;
	int64_t s15240, s43010, swsh, s11110;
};

/* Four activities: DDR in AF0101, WASH in AF02, 43010 in AF0102, one with no area or sector. */
static bool cov_setup(struct cov_fixture *f, const char *path)
{
	struct cc_activity act;
	int64_t batch;

	f->st = create_store(path);
	if (!f->st)
		return false;
	put_base(f->st, &f->b);
	put_areas(f->st, &f->a);
	check_int(cc_store_put_code(f->st, "Sector", "43010", "Multisector aid", "430", NULL), ==,
	          0);
	check_int(cc_store_put_code(f->st, "Sector", "11110", "Education policy", "111", NULL), ==,
	          0);
	check_int(cc_store_put_code(f->st, "IASCCluster", "WSH", "Water Sanitation Hygiene", NULL,
	                            NULL),
	          ==, 0);
	check_int(cc_store_sector_id(f->st, "1", "15240", &f->s15240, NULL), ==, 0);
	check_int(cc_store_sector_id(f->st, "1", "43010", &f->s43010, NULL), ==, 0);
	check_int(cc_store_sector_id(f->st, "1", "11110", &f->s11110, NULL), ==, 0);
	check_int(cc_store_sector_id(f->st, "10", "WSH", &f->swsh, NULL), ==, 0);
	/* as data/codelists/pillars.csv: 15240 by its DAC-3 category, WSH by its code */
	check_int(cc_store_put_pillar(f->st, 0, "2", "152", CC_PILLAR_SECURITY, NULL), ==, 0);
	check_int(cc_store_put_pillar(f->st, 0, "10", "WSH", CC_PILLAR_INFRASTRUCTURE, NULL), ==,
	          0);
	check_int(cc_store_put_pillar(f->st, 0, "1", "11110", CC_PILLAR_INFRASTRUCTURE, NULL), ==,
	          0);
	check_int(cc_store_put_pillar(f->st, 0, "2", "111", CC_PILLAR_ECONOMY, NULL), ==, 0);

	check_int(cc_store_new_batch(f->st, &batch, NULL), ==, 0);
	check_int(cc_store_begin(f->st, NULL), ==, 0);
	act = activity(f->b.m.id, f->b.src.id, 1, 1);
	act.org_id = f->b.org.id;
	act.sector_id = f->s15240;
	act.area_id = f->a.d11.id;
	act.targeted = 100;
	act.start_date = 100;
	act.end_date = 200;
	check_int(cc_store_put_activity(f->st, &act, batch, NULL, NULL, NULL), ==, 0);
	act = activity(f->b.m.id, f->b.src.id, 2, 1);
	act.org_id = f->b.org.id;
	act.sector_id = f->swsh;
	act.area_id = f->a.p2.id;
	act.kind = CC_KIND_PRESENCE;
	act.start_date = 300;
	check_int(cc_store_put_activity(f->st, &act, batch, NULL, NULL, NULL), ==, 0);
	act = activity(f->b.m.id, f->b.src.id, 3, 1);
	act.sector_id = f->s43010;
	act.area_id = f->a.d12.id;
	act.reached = 5;
	check_int(cc_store_put_activity(f->st, &act, batch, NULL, NULL, NULL), ==, 0);
	act = activity(f->b.m.id, f->b.src.id, 4, 1);
	act.sector_id = f->s11110;
	check_int(cc_store_put_activity(f->st, &act, batch, NULL, NULL, NULL), ==, 0);
	check_int(cc_store_commit(f->st, NULL), ==, 0);
	return true;
}

struct cov_result {
	struct cc_coverage_record *recs;
	size_t n_recs;
	struct cc_coverage_column *cols;
	size_t n_cols;
	struct cc_area *areas;
	size_t n_areas;
};

static int cov_load(struct cc_store *st, const struct cc_coverage_query *q, struct cov_result *r)
{
	struct cc_err err = { 0 };
	int ret = cc_store_load_coverage(st, q, &r->recs, &r->n_recs, &r->cols, &r->n_cols,
	                                 &r->areas, &r->n_areas, &err);

	if (ret < 0 && ret != CC_ENOMEM)
		printf("# load_coverage: %s\n", err.msg);
	return ret;
}

static void cov_free(struct cov_result *r)
{
	cc_free(r->recs);
	cc_free(r->cols);
	cc_free(r->areas);
	memset(r, 0, sizeof(*r));
}

/* The column code of the record for sector_id, or "?". */
static const char *column_of(const struct cov_result *r, int64_t sector_id)
{
	for (size_t i = 0; i < r->n_recs; i++)
		if (r->recs[i].sector_id == sector_id && r->recs[i].column >= 0 &&
		    (size_t)r->recs[i].column < r->n_cols)
			return r->cols[r->recs[i].column].code;
	return "?";
}

static const struct cc_coverage_record *record_of(const struct cov_result *r, int64_t sector_id)
{
	for (size_t i = 0; i < r->n_recs; i++)
		if (r->recs[i].sector_id == sector_id)
			return &r->recs[i];
	return NULL;
}

TEST(coverage_by_pillar)
{
	static const char *const codes[] = { "security", "governance",   "infrastructure",
		                             "economy",  "humanitarian", "other" };
	struct cov_fixture f;
	struct cov_result r = { 0 };
	struct cc_coverage_query q = { .by = CC_BY_PILLAR,
		                       .from = CC_DATE_NONE,
		                       .to = CC_DATE_NONE };
	const struct cc_coverage_record *rec;
	char path[128];

	if (!cov_setup(&f, new_path(path)))
		return;
	q.mission_id = f.b.m.id;
	check_int(cov_load(f.st, &q, &r), ==, 0);
	check_int(r.n_cols, ==, 6);
	for (size_t i = 0; i < r.n_cols && i < 6; i++)
		check_str(r.cols[i].code, codes[i]);
	if (r.n_cols == 6) {
		check_str(r.cols[0].name, "Security");
		check_str(r.cols[4].name, "Humanitarian");
	}
	check_int(r.n_recs, ==, 4);
	check_str(column_of(&r, f.s15240), "security");       /* DAC-5 → its DAC-3 category */
	check_str(column_of(&r, f.swsh), "infrastructure");   /* IASC cluster by code */
	check_str(column_of(&r, f.s43010), "other");          /* no mapping at all */
	check_str(column_of(&r, f.s11110), "infrastructure"); /* DAC-5 row beats its category */
	rec = record_of(&r, f.s15240);
	if (check(rec)) {
		check_int(rec->area_id, ==, f.a.d11.id);
		check_int(rec->org_id, ==, f.b.org.id);
		check_int(rec->kind, ==, CC_KIND_ACTIVITY);
		check_dbl(rec->targeted, 100, 0);
		check(isnan(rec->reached));
	}
	rec = record_of(&r, f.swsh);
	if (check(rec))
		check_int(rec->kind, ==, CC_KIND_PRESENCE);
	rec = record_of(&r, f.s11110);
	if (check(rec))
		check_int(rec->area_id, ==, 0);
	/* the areas used, with all their ancestors, by P-code */
	check_int(r.n_areas, ==, 5);
	if (r.n_areas == 5) {
		check_str(r.areas[0].pcode, "AF");
		check_str(r.areas[1].pcode, "AF01");
		check_str(r.areas[2].pcode, "AF0101");
		check_str(r.areas[3].pcode, "AF0102");
		check_str(r.areas[4].pcode, "AF02");
		check_int(r.areas[2].parent_id, ==, f.a.p1.id);
	}
	cov_free(&r);

	/* the mission's own mapping wins over the default, for a code or a category */
	check_int(cc_store_put_pillar(f.st, f.b.m.id, "10", "WSH", CC_PILLAR_HUMANITARIAN, NULL),
	          ==, 0);
	check_int(cc_store_put_pillar(f.st, f.b.m.id, "2", "152", CC_PILLAR_GOVERNANCE, NULL), ==,
	          0);
	check_int(cc_store_put_pillar(f.st, f.b.m.id + 1, "2", "430", CC_PILLAR_ECONOMY, NULL), ==,
	          0);
	check_int(cov_load(f.st, &q, &r), ==, 0);
	check_str(column_of(&r, f.swsh), "humanitarian");
	check_str(column_of(&r, f.s15240), "governance");
	check_str(column_of(&r, f.s43010), "other"); /* another mission's mapping does not count */
	cov_free(&r);

	/* period overlap, open dates */
	q.from = 250;
	q.to = 400;
	check_int(cov_load(f.st, &q, &r), ==, 0);
	check_int(r.n_recs, ==, 3); /* 100..200 is out; 300.., and undated rows are in */
	check(record_of(&r, f.s15240) == NULL);
	cov_free(&r);
	q.from = CC_DATE_NONE;
	q.to = 150;
	check_int(cov_load(f.st, &q, &r), ==, 0);
	check_int(r.n_recs, ==, 3); /* starts at 300: out */
	check(record_of(&r, f.swsh) == NULL);
	cov_free(&r);

	/* within an area: it and everything below */
	q.to = CC_DATE_NONE;
	q.within_area = f.a.p1.id;
	check_int(cov_load(f.st, &q, &r), ==, 0);
	check_int(r.n_recs, ==, 2);
	check_int(r.n_areas, ==, 4); /* AF, AF01, AF0101, AF0102 */
	cov_free(&r);
	q.within_area = f.a.d21.id;
	check_int(cov_load(f.st, &q, &r), ==, 0);
	check_int(r.n_recs, ==, 0);
	check_int(r.n_areas, ==, 0);
	check_int(r.n_cols, ==, 6);
	cov_free(&r);
	q.within_area = 0;
	q.mission_id = f.b.m.id + 1;
	check_int(cov_load(f.st, &q, &r), ==, 0);
	check_int(r.n_recs, ==, 0);
	cov_free(&r);
	cc_store_close(f.st);
}

TEST(coverage_by_sector_and_cluster)
{
	struct cov_fixture f;
	struct cov_result r = { 0 };
	struct cc_coverage_query q = { .by = CC_BY_SECTOR,
		                       .from = CC_DATE_NONE,
		                       .to = CC_DATE_NONE };
	char path[128];

	if (!cov_setup(&f, new_path(path)))
		return;
	q.mission_id = f.b.m.id;
	check_int(cov_load(f.st, &q, &r), ==, 0);
	check_int(r.n_cols, ==, 4);
	if (r.n_cols == 4) {
		check_str(r.cols[0].code, "11110");
		check_str(r.cols[1].code, "15240");
		check_str(r.cols[1].name, "Reintegration");
		check_str(r.cols[2].code, "43010");
		check_str(r.cols[3].code, "WSH");
	}
	check_str(column_of(&r, f.s43010), "43010");
	check_str(column_of(&r, f.swsh), "WSH");
	cov_free(&r);

	q.by = CC_BY_CLUSTER;
	check_int(cov_load(f.st, &q, &r), ==, 0);
	check_int(r.n_cols, ==, 2);
	if (r.n_cols == 2) {
		check_str(r.cols[0].code, "WSH");
		check_str(r.cols[1].code, "other");
	}
	check_str(column_of(&r, f.swsh), "WSH");
	check_str(column_of(&r, f.s15240), "other");
	check_str(column_of(&r, f.s11110), "other");
	cov_free(&r);

	q.by = (enum cc_coverage_by)7;
	check_int(cov_load(f.st, &q, &r), ==, CC_EUSAGE);
	cc_store_close(f.st);
}

/* ---- allocation failures ---- */

/* One import-like write; rolls back on failure as an importer does. */
static int write_batch(struct cc_store *st, const struct base *b, struct cc_err *err)
{
	struct cc_area area = { .pcode = "AF09",
		                .name = "Bāmyān",
		                .level = 1,
		                .population = -1,
		                .has_geom = true,
		                .minx = 1,
		                .miny = 2,
		                .maxx = 3,
		                .maxy = 4 };
	struct cc_org org = {
		.mission_id = b->m.id, .key = "local:NEW", .name = "New NGO", .is_local = 1
	};
	enum cc_put_result res;
	int64_t batch;
	int ret;

	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	if ((ret = cc_store_new_batch(st, &batch, err)) < 0 ||
	    (ret = cc_store_put_code(st, "Sector", "72010", "Material relief", "720", err)) < 0 ||
	    (ret = cc_store_put_code_alias(st, "relief", "Sector", "72010", "", NULL, err)) < 0 ||
	    (ret = cc_store_put_area(st, &area, "wkb", 3, err)) < 0 ||
	    (ret = cc_store_put_org(st, &org, err)) < 0 ||
	    (ret = cc_store_put_pillar(st, b->m.id, "1", "72010", CC_PILLAR_HUMANITARIAN, err)) < 0)
		goto out_rollback;
	for (int i = 0; i < 20; i++) {
		struct cc_activity a = activity(b->m.id, b->src.id, i, 3);

		a.area_id = area.id;
		a.org_id = org.id;
		a.title = "tents";
		if ((ret = cc_store_put_activity(st, &a, batch, &res, NULL, err)) < 0)
			goto out_rollback;
	}
	if ((ret = cc_store_remove_stale(st, b->src.id, batch, NULL, err)) < 0 ||
	    (ret = cc_store_log_change(st,
	                               &(struct cc_change){ .table = "activity",
	                                                    .op = "import",
	                                                    .batch = batch,
	                                                    .count = 20,
	                                                    .detail = "fault.csv" },
	                               err)) < 0)
		goto out_rollback;
	return cc_store_commit(st, err);
out_rollback:
	cc_store_rollback(st);
	return ret;
}

TEST(allocation_failures_in_writes)
{
	struct cc_store *st;
	struct cc_err err = { 0 };
	struct base b;
	char d0[65], d[65], path[128];
	int64_t batch;
	long n;
	int ret;

	st = create_store(new_path(path));
	if (!st)
		return;
	put_base(st, &b);
	check_int(cc_store_new_batch(st, &batch, &err), ==, 0);
	for (int i = 0; i < 5; i++) { /* something for remove_stale to remove */
		struct cc_activity a = activity(b.m.id, b.src.id, 100 + i, 1);

		check_int(cc_store_put_activity(st, &a, batch, NULL, NULL, &err), ==, 0);
	}
	check_int(cc_store_digest(st, d0, &err), ==, 0);
	for (n = 0;; n++) {
		cc_test_fail_alloc_after(n);
		ret = write_batch(st, &b, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM)) {
			printf("# n=%ld: %s\n", n, err.msg);
			break;
		}
		check_int(cc_store_digest(st, d, &err), ==, 0);
		if (!check_str(d, d0))
			break;
		if (n > 100000)
			break;
	}
	printf("# writes succeeded after %ld allocations\n", n);
	check_int(ret, ==, 0);
	check_int(count(st, "activity"), ==, 20);
	check_int(count(st, "change"), ==, 1);
	int64_t entries = 0;
	check_int(cc_store_verify_log(st, &entries, &err), ==, 0);
	check_int(entries, ==, 1);
	cc_store_close(st);
}

TEST(allocation_failures_in_reads_and_open)
{
	struct cov_fixture f;
	struct cov_result r = { 0 };
	struct cc_coverage_query q = { .by = CC_BY_SECTOR,
		                       .from = CC_DATE_NONE,
		                       .to = CC_DATE_NONE };
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	char path[128], d0[65], d[65];
	long n;
	int ret;

	if (!cov_setup(&f, new_path(path)))
		return;
	q.mission_id = f.b.m.id;
	check_int(cc_store_digest(f.st, d0, &err), ==, 0);
	cc_store_close(f.st);

	/* open an existing store */
	for (n = 0;; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_store_open(&st, path, NULL, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM) || !check(st == NULL))
			break;
	}
	check_int(ret, ==, 0);
	if (ret < 0)
		return;

	/* coverage, digest */
	for (n = 0;; n++) {
		cc_test_fail_alloc_after(n);
		ret = cov_load(st, &q, &r);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM) || !check(r.recs == NULL && r.n_recs == 0))
			break;
	}
	check_int(ret, ==, 0);
	check_int(r.n_recs, ==, 4);
	cov_free(&r);
	for (n = 0;; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_store_digest(st, d, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
	}
	check_str(d, d0);
	cc_store_close(st);

	/*
	 * create a new store: a failure leaves nothing half-made that a retry trips on. Each try
	 * replays every migration, so trying every allocation is quadratic (about 40,000 of them
	 * by version 10): every one of the first 2,000 (the opening and the first migrations),
	 * then one in every 2% onwards, which still reaches into every migration.
	 */
	new_path(path);
	for (n = 0;; n += n < 2000 ? 1 : n / 50) {
		cc_test_fail_alloc_after(n);
		ret = cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_CREATE },
		                    &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM)) {
			printf("# n=%ld: %s\n", n, err.msg);
			break;
		}
	}
	check_int(ret, ==, 0);
	if (ret == 0) {
		check_int(count(st, "activity"), ==, 0);
		cc_store_close(st);
		check_int(raw_int(path, "PRAGMA user_version"), ==, n_migrations());
	}
}

TEST(busy_and_readonly)
{
	struct cc_store *st, *other = NULL, *ro = NULL, *tmp = NULL;
	struct cc_err err = { 0 };
	struct cc_mission m = {
		.code = "M", .name = "M", .start_date = CC_DATE_NONE, .end_date = CC_DATE_NONE
	};
	struct cc_mission got;
	char path[128];

	st = create_store(new_path(path));
	if (!st)
		return;
	check_int(
	        cc_store_open(&other, path, &(struct cc_store_opts){ .busy_timeout_ms = 50 }, &err),
	        ==, 0);
	check_int(cc_store_open(&ro, path, &(struct cc_store_opts){ .flags = CC_STORE_READONLY },
	                        &err),
	          ==, 0);
	check_int(cc_store_begin(st, &err), ==, 0);
	check_int(cc_store_put_mission(st, &m, &err), ==, 0);
	if (other) {
		check_int(cc_store_begin(other, &err), ==, CC_EBUSY);
		check_int(cc_store_put_mission(other, &m, &err), ==, CC_EBUSY);
	}
	check_int(cc_store_commit(st, &err), ==, 0);
	if (ro) {
		check_int(cc_store_get_mission(ro, "M", &got, &err), ==, 0);
		check_int(cc_store_put_mission(ro, &m, &err), ==, CC_ESTORE);
	}
	check_int(cc_store_open(
	                  &tmp, path,
	                  &(struct cc_store_opts){ .flags = CC_STORE_READONLY | CC_STORE_CREATE },
	                  &err),
	          ==, CC_EUSAGE);
	check(tmp == NULL);
	cc_store_close(ro);
	cc_store_close(other);
	cc_store_close(st);
}

/* The shipped code lists and data/codelists/pillars.csv, through the coverage read. */
TEST(coverage_with_shipped_codelists)
{
	static const struct {
		const char *vocabulary, *code, *pillar;
	} cases[] = {
		{ "1", "15240", "security" },      { "1", "15110", "governance" },
		{ "1", "31110", "economy" },       { "1", "72010", "humanitarian" },
		{ "1", "16010", "other" },         { "2", "152", "security" },
		{ "10", "WSH", "infrastructure" }, { "10", "PRO-MIN", "security" },
	};
	struct cc_store *st;
	struct cc_err err = { 0 };
	struct cov_result r = { 0 };
	struct base b;
	int64_t batch, ids[sizeof(cases) / sizeof(cases[0])] = { 0 };
	char path[128], code[16];

	st = create_store(new_path(path));
	if (!st)
		return;
	if (!check_int(cc_import_codelists(st, &err), ==, 0)) {
		printf("# %s\n", err.msg);
		cc_store_close(st);
		return;
	}
	put_base(st, &b);
	check_int(cc_store_new_batch(st, &batch, &err), ==, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cc_activity a = activity(b.m.id, b.src.id, (int)i, 1);

		check_int(cc_store_sector_id(st, cases[i].vocabulary, cases[i].code, &ids[i], &err),
		          ==, 0);
		a.sector_id = ids[i];
		check_int(cc_store_put_activity(st, &a, batch, NULL, NULL, &err), ==, 0);
	}
	check_int(cov_load(st,
	                   &(struct cc_coverage_query){ .mission_id = b.m.id,
	                                                .by = CC_BY_PILLAR,
	                                                .from = CC_DATE_NONE,
	                                                .to = CC_DATE_NONE },
	                   &r),
	          ==, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!check_str(column_of(&r, ids[i]), cases[i].pillar))
			printf("# sector %s/%s\n", cases[i].vocabulary, cases[i].code);
	cov_free(&r);
	check_int(cc_store_resolve_code(st, "Sector", "15240", "", code, sizeof(code), &err), ==,
	          0);
	check_str(code, "15240");
	cc_store_close(st);
}
