/*
 * The PostgreSQL backend at the store interface, against SQLite: the same records written
 * through both, then
 *   - cc_store_digest() of the PostgreSQL store is compared with a digest computed here, by a
 *     second implementation, from the SQLite file (sqlite3 directly) over the tables the
 *     PostgreSQL store has: equal only if every value crossed with its type and bytes intact
 *     (integers, doubles, text, blobs, NULLs, the geometry's WKB) and the ids agree;
 *   - a rolled-back transaction leaves the digest as it was; a write changes it;
 *   - the code list loader, upserts and look-ups give the same answers.
 * Needs a server: CC_TEST_PG names an empty database (tests/cli/cli-postgres.sh sets one up and
 * runs this program); without it every test skips.
 */
#include <concord/alloc.h>
#include <concord/import.h>
#include <concord/store.h>

#if defined(CC_WITH_POSTGRES) && CC_WITH_POSTGRES
#include <libpq-fe.h>
#endif
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/digest.h"

#include "tap.h"

/*
 * The tables the PostgreSQL store has (read from the server, so that every domain that comes to
 * PostgreSQL is compared as it lands): its schema's own tables, not PostGIS's, nor a
 * partition's (its rows are its parent's), nor meta and schema_migration, nor incident_key
 * (PostgreSQL's own key table, derived from incident), by name.
 */
#define MAX_TABLES 128
static char pg_tables[MAX_TABLES][64];
static size_t n_pg_tables;

#if defined(CC_WITH_POSTGRES) && CC_WITH_POSTGRES
static int read_pg_tables(const char *uri)
{
	PGconn *c = PQconnectdb(uri);
	PGresult *res = NULL;
	int ret = -1;

	if (PQstatus(c) == CONNECTION_OK &&
	    (res = PQexec(c, "SELECT c.relname FROM pg_class c WHERE c.relnamespace = "
	                     "current_schema()::text::regnamespace AND c.relkind IN ('r', 'p') AND "
	                     "NOT c.relispartition AND c.relname NOT IN ('meta', "
	                     "'schema_migration', 'incident_key', 'feedback_fts') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE "
	                     "d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = "
	                     "'e') ORDER BY c.relname COLLATE \"C\"")) &&
	    PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) <= MAX_TABLES) {
		n_pg_tables = (size_t)PQntuples(res);
		ret = 0;
		for (size_t t = 0; t < n_pg_tables; t++) {
			const char *name = PQgetvalue(res, (int)t, 0);
			size_t len = strlen(name);

			if (len >= sizeof(pg_tables[t]))
				ret = -1;
			else
				memcpy(pg_tables[t], name, len + 1);
		}
	}
	PQclear(res);
	PQfinish(c);
	return ret;
}
#else
static int read_pg_tables(const char *uri)
{
	(void)uri;
	return -1; /* never called: without the backend CC_TEST_PG is never set */
}
#endif

static char sqlite_path[64];

__attribute__((destructor)) static void remove_sqlite(void)
{
	if (sqlite_path[0])
		unlink(sqlite_path);
}

static void hash_u64(struct cc_sha256 *h, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	cc_sha256_update(h, b, sizeof(b));
}

/* The digest of the given tables of an SQLite file, written from the rule of the format:
   table name and NUL; per row each value as its type byte, then 8 bytes little-endian or a
   length and the bytes; a newline per row; rows in primary-key order. */
static int sqlite_digest(const char *path, char out[static 65])
{
	struct cc_sha256 h;
	sqlite3 *db = NULL;
	int ret = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	cc_sha256_init(&h);
	for (size_t t = 0; t < n_pg_tables; t++) {
		char sql[256], order[160] = "";
		sqlite3_stmt *s = NULL;

		snprintf(sql, sizeof(sql),
		         "SELECT group_concat(name, ', ') FROM (SELECT name FROM "
		         "pragma_table_info('%.63s') WHERE pk > 0 ORDER BY pk)",
		         pg_tables[t]);
		if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_ROW)
			goto out;
		snprintf(order, sizeof(order), "%s",
		         sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "rowid");
		sqlite3_finalize(s);
		snprintf(sql, sizeof(sql), "SELECT * FROM %.63s ORDER BY %s", pg_tables[t], order);
		if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
			goto out;
		cc_sha256_update(&h, pg_tables[t], strlen(pg_tables[t]) + 1);
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(s); c++) {
				unsigned char type = (unsigned char)sqlite3_column_type(s, c);
				double d;
				uint64_t u;

				cc_sha256_update(&h, &type, 1);
				if (type == SQLITE_INTEGER) {
					hash_u64(&h, (uint64_t)sqlite3_column_int64(s, c));
				} else if (type == SQLITE_FLOAT) {
					d = sqlite3_column_double(s, c);
					memcpy(&u, &d, sizeof(u));
					hash_u64(&h, u);
				} else if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
					const void *p = type == SQLITE_TEXT
					                        ? (const void *)sqlite3_column_text(s, c)
					                        : sqlite3_column_blob(s, c);
					size_t n = (size_t)sqlite3_column_bytes(s, c);

					hash_u64(&h, n);
					if (n)
						cc_sha256_update(&h, p, n);
				}
			}
			cc_sha256_update(&h, "\n", 1);
		}
		sqlite3_finalize(s);
	}
	cc_sha256_final_hex(&h, out);
	ret = 0;
out:
	sqlite3_close(db);
	return ret;
}

/* A square ring around (x, y) as little-endian WKB: a Polygon of 5 points. */
static size_t square_wkb(unsigned char *b, double x, double y, double r)
{
	double pts[10] = { x - r, y - r, x + r, y - r, x + r, y + r, x - r, y + r, x - r, y - r };
	uint32_t v;
	size_t n = 0;

	b[n++] = 1;
	v = 3;
	memcpy(b + n, &v, 4), n += 4;
	v = 1;
	memcpy(b + n, &v, 4), n += 4;
	v = 5;
	memcpy(b + n, &v, 4), n += 4;
	memcpy(b + n, pts, sizeof(pts));
	return n + sizeof(pts);
}

/* The same records through st; ids of what it stored into ids[]. */
static int write_records(struct cc_store *st, struct cc_err *err)
{
	struct cc_mission m = { .start_date = 18809, .end_date = CC_DATE_NONE };
	struct cc_area prov = { .level = 1, .population = 4000000, .has_geom = true };
	struct cc_area dist = { .level = 2, .population = -1 };
	struct cc_org org = { .is_local = 1 };
	struct cc_source src = { .period_from = 18809, .period_to = 18900, .n_read = 3,
		                 .n_rejected = 0 };
	struct cc_activity a = { .kind = CC_KIND_ACTIVITY, .title = "Water trucking",
		                 .description = "", .status = "2" };
	unsigned char wkb[128];
	size_t len = square_wkb(wkb, 69.17, 34.53, 0.25);
	enum cc_put_result res;
	int64_t batch, sector;
	int ret;

	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	snprintf(m.code, sizeof(m.code), "AFG");
	snprintf(m.name, sizeof(m.name), "Afghanistan");
	snprintf(m.country, sizeof(m.country), "AFG");
	if ((ret = cc_import_codelists(st, err)) < 0 || (ret = cc_store_put_mission(st, &m, err)) < 0)
		goto out;
	snprintf(prov.pcode, sizeof(prov.pcode), "AF01");
	snprintf(prov.name, sizeof(prov.name), "Kābul");
	prov.minx = 69.17 - 0.25, prov.miny = 34.53 - 0.25;
	prov.maxx = 69.17 + 0.25, prov.maxy = 34.53 + 0.25;
	if ((ret = cc_store_put_area(st, &prov, wkb, len, err)) < 0)
		goto out;
	snprintf(dist.pcode, sizeof(dist.pcode), "AF0101");
	snprintf(dist.name, sizeof(dist.name), "Kabul");
	dist.parent_id = prov.id;
	if ((ret = cc_store_put_area(st, &dist, NULL, 0, err)) < 0 ||
	    (ret = cc_store_put_area_alias(st, dist.id, "kabul city", "test", err)) < 0)
		goto out;
	org.mission_id = m.id;
	snprintf(org.key, sizeof(org.key), "unicef");
	snprintf(org.name, sizeof(org.name), "UNICEF");
	snprintf(org.kind, sizeof(org.kind), "un");
	if ((ret = cc_store_put_org(st, &org, err)) < 0 ||
	    (ret = cc_store_put_org_alias(st, m.id, org.id, "united nations children's fund",
	                                  err)) < 0 ||
	    (ret = cc_store_put_code_alias(st, "Wash", "IASCCluster", "WSH", "", "test", err)) < 0 ||
	    (ret = cc_store_sector_id(st, "10", "WSH", &sector, err)) < 0)
		goto out;
	src.mission_id = m.id;
	snprintf(src.name, sizeof(src.name), "partners.csv");
	if ((ret = cc_store_new_batch(st, &batch, err)) < 0)
		goto out;
	src.batch = batch;
	if ((ret = cc_store_put_source(st, &src, err)) < 0)
		goto out;
	a.mission_id = m.id;
	a.source_id = src.id;
	a.org_id = org.id;
	a.sector_id = sector;
	for (int i = 0; i < 3; i++) {
		a.area_id = i == 2 ? prov.id : dist.id;
		a.lat = i == 0 ? 34.53 : (double)NAN;
		a.lon = i == 0 ? 69.17 : (double)NAN;
		a.start_date = 18809 + i;
		a.end_date = i == 1 ? CC_DATE_NONE : 18900;
		a.targeted = i == 0 ? 6000 : 0.1 + 0.2; /* not a short decimal */
		a.reached = i == 2 ? (double)NAN : 4500.5;
		a.budget = 1e300;
		a.releasability = i == 1 ? "partners" : NULL;
		a.figures_rel = i == 1 ? "org" : NULL;
		a.deny = i == 1 ? 1 : 0;
		a.line = 3 + i;
		memset(a.natkey, 0, sizeof(a.natkey));
		a.natkey[0] = (unsigned char)i;
		a.natkey[15] = 0xff; /* bytes that are not text */
		memset(a.digest, 0x80 + i, sizeof(a.digest));
		if ((ret = cc_store_put_activity(st, &a, batch, &res, NULL, err)) < 0)
			goto out;
	}
	ret = cc_store_commit(st, err);
out:
	if (ret < 0)
		cc_store_rollback(st);
	return ret;
}

static const char *pg_uri(void)
{
	const char *uri = getenv("CC_TEST_PG");

	return uri && *uri ? uri : NULL;
}

TEST(digest_equals_sqlite_per_table)
{
	struct cc_store *pg = NULL, *sq = NULL;
	struct cc_err err = { 0 };
	char d_pg[65] = "", d_sq[65] = "", d_again[65] = "";
	int fd;

	if (!pg_uri()) {
		skip_test("CC_TEST_PG not set (tests/cli/cli-postgres.sh runs this with a server)");
		return;
	}
	snprintf(sqlite_path, sizeof(sqlite_path), "/tmp/t-postgres-XXXXXX");
	fd = mkstemp(sqlite_path);
	if (!check(fd >= 0))
		return;
	close(fd);
	unlink(sqlite_path);
	if (!check_int(cc_store_open(&pg, pg_uri(), &(struct cc_store_opts){ .flags = CC_STORE_CREATE },
	                             &err), ==, 0) ||
	    !check_int(cc_store_open(&sq, sqlite_path,
	                             &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err),
	               ==, 0)) {
		printf("# %s\n", err.msg);
		goto out;
	}
	if (!check_int(write_records(pg, &err), ==, 0))
		printf("# %s\n", err.msg);
	check_int(write_records(sq, &err), ==, 0);
	check_int(cc_store_digest(pg, d_pg, &err), ==, 0);
	check_int(read_pg_tables(pg_uri()), ==, 0);
	check(n_pg_tables >= 16); /* the core's tables at least */
	check_int(sqlite_digest(sqlite_path, d_sq), ==, 0);
	check_str(d_pg, d_sq);
	check_int(strlen(d_pg), ==, 64);

	/* the same records again (upserts, a new batch): still equal, so no id was taken */
	check_int(write_records(pg, &err), ==, 0);
	check_int(write_records(sq, &err), ==, 0);
	check_int(cc_store_digest(pg, d_again, &err), ==, 0);
	check(strcmp(d_again, d_pg) != 0); /* the batch moved on */
	check_int(sqlite_digest(sqlite_path, d_sq), ==, 0);
	check_str(d_again, d_sq);
out:
	cc_store_close(pg);
	cc_store_close(sq);
}

TEST(rollback_leaves_nothing_and_a_write_shows)
{
	struct cc_store *pg = NULL;
	struct cc_err err = { 0 };
	struct cc_org org = { .is_local = -1 };
	char d0[65] = "", d1[65] = "", d2[65] = "";
	int64_t n0 = -1, n1 = -1;

	if (!pg_uri()) {
		skip_test("CC_TEST_PG not set");
		return;
	}
	if (!check_int(cc_store_open(&pg, pg_uri(), NULL, &err), ==, 0)) {
		printf("# %s\n", err.msg);
		return;
	}
	check_int(cc_store_digest(pg, d0, &err), ==, 0);
	check_int(cc_store_count(pg, "organisation", &n0, &err), ==, 0);
	check_int(n0, ==, 1);
	org.mission_id = 1;
	snprintf(org.key, sizeof(org.key), "wfp");
	check_int(cc_store_begin(pg, &err), ==, 0);
	check_int(cc_store_put_org(pg, &org, &err), ==, 0);
	check_int(org.id, ==, 2);
	cc_store_rollback(pg);
	check_int(cc_store_digest(pg, d1, &err), ==, 0);
	check_str(d1, d0);
	/* outside a transaction a write is its own */
	check_int(cc_store_put_org(pg, &org, &err), ==, 0);
	check_int(cc_store_count(pg, "organisation", &n1, &err), ==, 0);
	check_int(n1, ==, 2);
	check_int(cc_store_digest(pg, d2, &err), ==, 0);
	check(strcmp(d2, d0) != 0);
	/* a failed statement inside a transaction: the commit says so and stores nothing */
	check_int(cc_store_begin(pg, &err), ==, 0);
	check_int(cc_store_put_area_alias(pg, 999999, "nowhere", NULL, &err), <, 0);
	check_int(cc_store_commit(pg, &err), ==, CC_ESTORE);
	check(strstr(err.msg, "rolled back") != NULL);
	check_int(cc_store_count(pg, "area_alias", &n1, &err), ==, 0);
	check_int(n1, ==, 1);
	check_int(cc_store_count(pg, "nonsense", &n1, &err), ==, CC_EINVALID);
	cc_store_close(pg);
}

TEST(lookups_answer_as_on_sqlite)
{
	struct cc_store *pg = NULL;
	struct cc_err err = { 0 };
	struct cc_area a;
	struct cc_area *list = NULL;
	struct cc_org o;
	size_t n = 0;
	char code[32];
	void *wkb = NULL;
	size_t len = 0;
	unsigned char want[128];

	if (!pg_uri()) {
		skip_test("CC_TEST_PG not set");
		return;
	}
	if (!check_int(cc_store_open(&pg, pg_uri(), NULL, &err), ==, 0))
		return;
	/* an alias matches case-insensitively in ASCII, as SQLite's NOCASE */
	check_int(cc_store_resolve_code(pg, "IASCCluster", "WASH", NULL, code, sizeof(code), &err),
	          ==, 0);
	check_str(code, "WSH");
	check_int(cc_store_resolve_code(pg, "IASCCluster", "wAsH", NULL, code, sizeof(code), &err),
	          ==, 0);
	check_str(code, "WSH");
	check_int(cc_store_resolve_code(pg, "IASCCluster", "Wäsh", NULL, code, sizeof(code), &err),
	          ==, CC_ENOTFOUND);
	check_int(cc_store_find_area_by_name(pg, 0, 2, "kabul city", &a, &err), ==, 0);
	check_str(a.pcode, "AF0101");
	check_int(cc_store_find_area(pg, "AF01", &a, &err), ==, 0);
	check_str(a.name, "Kābul");
	check_int(a.population, ==, 4000000);
	check(a.has_geom);
	check_dbl(a.maxx, 69.42, 1e-12);
	check_int(cc_store_area_geometry(pg, a.id, &wkb, &len, &err), ==, 0);
	check_int(len, ==, square_wkb(want, 69.17, 34.53, 0.25));
	check(wkb && memcmp(wkb, want, len) == 0);
	cc_free(wkb);
	/* the box query: a box touching the square finds the province, one beside it nothing */
	check_int(cc_store_list_areas(pg, &(struct cc_area_filter){ .level = -1, .in_bbox = true,
	                                                             .minx = 69.4, .miny = 34.7,
	                                                             .maxx = 70, .maxy = 35 },
	                              &list, &n, &err),
	          ==, 0);
	check_int(n, ==, 1);
	if (n == 1)
		check_str(list[0].pcode, "AF01");
	cc_free(list);
	check_int(cc_store_list_areas(pg, &(struct cc_area_filter){ .level = -1, .in_bbox = true,
	                                                             .minx = 70, .miny = 34,
	                                                             .maxx = 71, .maxy = 35 },
	                              &list, &n, &err),
	          ==, 0);
	check_int(n, ==, 0);
	cc_free(list);
	check_int(cc_store_find_org(pg, 1, "united nations children's fund", &o, &err), ==, 0);
	check_str(o.key, "unicef");
	check_int(o.is_local, ==, 1);
	check_int(cc_store_find_org(pg, 1, "nobody", &o, &err), ==, CC_ENOTFOUND);
	cc_store_close(pg);
}
