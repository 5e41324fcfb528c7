#include "store/backend.h"
#include "store/sqlite_int.h"
#include "store/backend_common.h"
#include "store/ops_events.h"
#include "store/ops_indicators.h"
#include "store/ops_iati.h"
#include "store/ops_needs.h"
#include "store/ops_lessons.h"
#include "store/ops_auth.h"
#include "store/ops_export.h"
#include "store/ops_overlap.h"
#include "store/ops_survey.h"
#include "store/ops_sharing.h"
#include "store/ops_webhooks.h"
#include "store/ops_rates.h"
#include "store/ops_computed.h"
#include "store/ops_rounds.h"
#include "store/ops_registry.h"
#include "store/ops_edits.h"
#include "store/ops_activities.h"
#include "store/ops_status_rule.h"
#include "store/sqlite_visibility.h"

#include <errno.h>
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "core/digest.h"

#include "core/banned.h"

/*
 * The SQLite backend. One connection per handle, WAL, foreign keys on, writes in BEGIN
 * IMMEDIATE transactions. Every statement is prepared once per handle (SQLITE_PREPARE_PERSISTENT)
 * and cached in stmt[]; the import path binds borrowed strings with SQLITE_STATIC and resets the
 * statement before returning, so storing a row allocates nothing of its own.
 *
 * SQLite allocates through cc_malloc() (route_alloc below), so the tests' allocation failures
 * reach it and come back as SQLITE_NOMEM → CC_ENOMEM. That only works if SQLite was not
 * initialised by someone else first (GDAL reads GeoPackages with its own SQLite calls); then
 * SQLite keeps the C library's allocator and nothing else changes.
 */

const struct cc__blob *cc__sqlite_migrations = cc__migrations;

/* Every statement the backend runs more than once. */
enum stmt_id {
	S_BEGIN,
	S_BEGIN_READ,
	S_COMMIT,
	S_ROLLBACK,
	S_MISSION_PUT,
	S_MISSION_GET,
	S_MISSION_ANY,
	S_CODE_PUT,
	S_SECTOR_PUT,
	S_ALIAS_PUT,
	S_PILLAR_PUT,
	S_PILLAR_LIST,
	S_CODE_GET,
	S_ALIAS_GET,
	S_SECTOR_ID,
	S_AREA_PUT,
	S_RTREE_PUT,
	S_AREA_BY_PCODE,
	S_AREA_BY_NAME,
	S_AREA_ALIAS_PUT,
	S_AREA_PARENT,
	S_AREA_LIST,
	S_AREA_GEOM,
	S_ORG_PUT,
	S_ORG_FIND,
	S_ORG_ALIAS_PUT,
	S_SOURCE_GET,
	S_SOURCE_PUT,
	S_SOURCE_LIST,
	S_BATCH_NEW,
	S_ACT_INSERT,
	S_ACT_FIND,
	S_ACT_TOUCH,
	S_ACT_UPDATE,
	S_ACT_STALE_KEY,
	S_ACT_STALE_SCAN,
	S_ACT_COUNT_SOURCE,
	S_ACT_COUNT_ALL,
	S_CHANGE_LAST,
	S_CHANGE_PUT,
	S_CHANGE_ALL,
	S_COV_RECORDS,
	S_COV_AREAS,
	S_N
};

#define AREA_COLS    "id, pcode, name, level, parent_id, population, minx, miny, maxx, maxy"
#define ORG_COLS     "id, mission_id, key, name, acronym, type, kind, is_local, nation"
#define SRC_COLS                                                                      \
	"id, mission_id, name, digest, batch, period_from, period_to, imported_at, n_read, " \
	"n_rejected"
#define MISSION_COLS "id, code, name, country, start_date, end_date"
#define CHANGE_COLS                                                                      \
	"id, at, who, tbl, op, record_id, first_id, last_id, batch, count, mission_id, " \
	"releasability, detail, prev_hash, hash"

/* ?1 … ?28 as bind_activity() binds them; ?29 is the id for an update. */
#define ACT_COLS                                                                                 \
	"mission_id, source_id, natkey, digest, batch, line, kind, title, description, status, " \
	"org_id, impl_org_id, funder_org_id, sector_id, area_id, lat, lon, start_date, "         \
	"end_date, targeted, reached, budget, currency, releasability, owner_id, deny, geo_rel, " \
	"figures_rel"

/* The pillar of each sector in mission ?1 (CC__SQ_PILLAR_OF in sqlite_int.h). */
#define COV_SP                                                                                \
	"sp(id, vocabulary, code, name, pillar) AS MATERIALIZED (SELECT s.id, s.vocabulary, " \
	"s.code, s.name, " CC__SQ_PILLAR_OF("?1") " FROM sector s)"
/* ?4: the area and everything below it */
#define COV_SUB                                                \
	"sub(id) AS (SELECT id FROM area WHERE id = ?4 UNION " \
	"SELECT c.id FROM area c JOIN sub ON c.parent_id = sub.id)"
/* ?1 mission, ?2/?3 period (NULL: open), ?4 within area (NULL: all) */
#define COV_FILTER                                                                          \
	"a.mission_id = ?1 AND (?2 IS NULL OR a.end_date IS NULL OR a.end_date >= ?2) AND " \
	"(?3 IS NULL OR a.start_date IS NULL OR a.start_date <= ?3) AND "                   \
	"(?4 IS NULL OR a.area_id IN sub) AND " CC__SQ_VISIBLE("a", "activity")
/* a figure the viewer may see, else NULL */
#define COV_FIGURE(col) \
	"CASE WHEN " CC__SQ_VISIBLE_FIGURES("a") \
	" THEN a." col " END"

static const char *const sql_text[S_N] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_BEGIN_READ] = "BEGIN",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_MISSION_PUT] = "INSERT INTO mission (code, name, country, start_date, end_date) "
	                  "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (code) DO UPDATE SET "
	                  "name = excluded.name, country = excluded.country, "
	                  "start_date = excluded.start_date, end_date = excluded.end_date "
	                  "RETURNING id",
	[S_MISSION_GET] = "SELECT " MISSION_COLS " FROM mission WHERE code = ?1",
	[S_MISSION_ANY] = "SELECT " MISSION_COLS ", (SELECT count(*) FROM mission) FROM mission "
	                  "ORDER BY id LIMIT 1",
	[S_CODE_PUT] = "INSERT INTO codelist (list, code, name, category) VALUES (?1, ?2, ?3, ?4) "
	               "ON CONFLICT (list, code) DO UPDATE SET name = excluded.name, "
	               "category = excluded.category",
	[S_SECTOR_PUT] = "INSERT INTO sector (vocabulary, code, name, category) "
	                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (vocabulary, code) DO UPDATE SET "
	                 "name = excluded.name, category = excluded.category",
	[S_ALIAS_PUT] = "INSERT INTO code_alias (list, alias, code, scope, source) "
	                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (list, alias, scope) DO UPDATE "
	                "SET code = excluded.code, source = excluded.source",
	[S_PILLAR_PUT] = "INSERT INTO pillar_map (mission_id, vocabulary, code, pillar) "
	                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (mission_id, vocabulary, code) "
	                 "DO UPDATE SET pillar = excluded.pillar",
	/* the mission's own pillars, then the defaults it does not override (?2 NULL: any
	 * vocabulary; ?3: the overrides only) */
	[S_PILLAR_LIST] = "SELECT p.vocabulary, p.code, p.pillar, p.mission_id <> 0 FROM pillar_map p "
	                  "WHERE (?2 IS NULL OR p.vocabulary = ?2) AND (p.mission_id = ?1 OR "
	                  "(NOT ?3 AND p.mission_id = 0 AND NOT EXISTS (SELECT 1 FROM pillar_map o "
	                  "WHERE o.mission_id = ?1 AND o.vocabulary = p.vocabulary AND "
	                  "o.code = p.code))) ORDER BY CAST(p.vocabulary AS INTEGER), p.code",
	[S_CODE_GET] = "SELECT code FROM codelist WHERE list = ?1 AND code = ?2",
	/* a scoped alias beats an unscoped one; alias compares NOCASE by its column */
	[S_ALIAS_GET] = "SELECT code FROM code_alias WHERE list = ?1 AND alias = ?2 "
	                "AND scope IN ('', ?3) ORDER BY scope = '' LIMIT 1",
	[S_SECTOR_ID] = "SELECT id FROM sector WHERE vocabulary = ?1 AND code = ?2",
	[S_AREA_PUT] = "INSERT INTO area (pcode, name, name_norm, level, parent_id, population, "
	               "geom, minx, miny, maxx, maxy) "
	               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	               "ON CONFLICT (pcode) DO UPDATE SET name = excluded.name, "
	               "name_norm = excluded.name_norm, level = excluded.level, "
	               "parent_id = coalesce(excluded.parent_id, parent_id), "
	               "population = coalesce(excluded.population, population), "
	               "geom = CASE WHEN ?12 THEN excluded.geom ELSE geom END, "
	               "minx = CASE WHEN ?13 THEN excluded.minx ELSE minx END, "
	               "miny = CASE WHEN ?13 THEN excluded.miny ELSE miny END, "
	               "maxx = CASE WHEN ?13 THEN excluded.maxx ELSE maxx END, "
	               "maxy = CASE WHEN ?13 THEN excluded.maxy ELSE maxy END "
	               "RETURNING id",
	[S_RTREE_PUT] = "INSERT OR REPLACE INTO area_rtree (id, minx, maxx, miny, maxy) "
	                "VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_AREA_BY_PCODE] = "SELECT " AREA_COLS " FROM area WHERE pcode = ?1",
	[S_AREA_BY_NAME] = "SELECT " AREA_COLS " FROM area WHERE (?1 < 0 OR level = ?1) "
	                   "AND (?2 = 0 OR parent_id = ?2) AND (name_norm = ?3 OR id IN "
	                   "(SELECT area_id FROM area_alias WHERE alias_norm = ?3)) "
	                   "ORDER BY pcode LIMIT 8",
	[S_AREA_ALIAS_PUT] = "INSERT INTO area_alias (alias_norm, area_id, source) "
	                     "VALUES (?1, ?2, ?3) ON CONFLICT (alias_norm, area_id) DO UPDATE "
	                     "SET source = excluded.source",
	[S_AREA_PARENT] = "UPDATE area SET parent_id = ?2 WHERE id = ?1",
	[S_AREA_LIST] = "SELECT " AREA_COLS " FROM area WHERE (?1 < 0 OR level = ?1) "
	                "AND (?2 = 0 OR parent_id = ?2) AND (NOT ?3 OR id IN "
	                "(SELECT id FROM area_rtree WHERE maxx >= ?4 AND minx <= ?6 "
	                "AND maxy >= ?5 AND miny <= ?7)) ORDER BY pcode",
	[S_AREA_GEOM] = "SELECT geom FROM area WHERE id = ?1",
	/* unknown fields of an update keep what is stored */
	[S_ORG_PUT] = "INSERT INTO organisation (mission_id, key, name, acronym, type, kind, "
	              "is_local, nation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	              "ON CONFLICT (mission_id, key) DO UPDATE SET name = excluded.name, "
	              "acronym = coalesce(excluded.acronym, acronym), "
	              "type = coalesce(excluded.type, type), "
	              "kind = coalesce(excluded.kind, kind), "
	              "is_local = coalesce(excluded.is_local, is_local), "
	              "nation = coalesce(excluded.nation, nation) RETURNING id",
	[S_ORG_FIND] = "SELECT " ORG_COLS " FROM organisation WHERE mission_id = ?1 AND key = ?2 "
	               "UNION ALL SELECT o.id, o.mission_id, o.key, o.name, o.acronym, o.type, "
	               "o.kind, o.is_local, o.nation FROM org_alias l JOIN organisation o "
	               "ON o.id = l.org_id WHERE l.mission_id = ?1 AND l.alias_norm = ?2 LIMIT 1",
	[S_ORG_ALIAS_PUT] = "INSERT INTO org_alias (mission_id, alias_norm, org_id) "
	                    "VALUES (?1, ?2, ?3) ON CONFLICT (mission_id, alias_norm) DO UPDATE "
	                    "SET org_id = excluded.org_id",
	[S_SOURCE_GET] = "SELECT " SRC_COLS " FROM source WHERE mission_id = ?1 AND name = ?2",
	[S_SOURCE_PUT] = "INSERT INTO source (mission_id, name, digest, batch, period_from, "
	                 "period_to, imported_at, n_read, n_rejected) "
	                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	                 "ON CONFLICT (mission_id, name) DO UPDATE SET digest = excluded.digest, "
	                 "batch = excluded.batch, period_from = excluded.period_from, "
	                 "period_to = excluded.period_to, imported_at = excluded.imported_at, "
	                 "n_read = excluded.n_read, n_rejected = excluded.n_rejected "
	                 "RETURNING id",
	[S_SOURCE_LIST] = "SELECT " SRC_COLS ", (SELECT count(*) FROM activity a "
	                  "WHERE a.source_id = source.id) FROM source "
	                  "WHERE mission_id IN (?1, 0) ORDER BY name, mission_id",
	[S_BATCH_NEW] = "UPDATE meta SET value = value + 1 WHERE key = 'batch' RETURNING value",
	/* insert first: a new key (the common case) costs one index probe, not two */
	[S_ACT_INSERT] = "INSERT INTO activity (" ACT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	                 "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
	                 "?23, ?24, ?25, ?26, ?27, ?28) ON CONFLICT (source_id, natkey) DO NOTHING",
	[S_ACT_FIND] = "SELECT id, batch, line, digest FROM activity "
	               "WHERE source_id = ?1 AND natkey = ?2",
	[S_ACT_TOUCH] = "UPDATE activity SET batch = ?2, line = ?3 WHERE id = ?1",
	[S_ACT_UPDATE] = "UPDATE activity SET mission_id = ?1, digest = ?4, batch = ?5, "
	                 "line = ?6, kind = ?7, title = ?8, description = ?9, status = ?10, "
	                 "org_id = ?11, impl_org_id = ?12, funder_org_id = ?13, sector_id = ?14, "
	                 "area_id = ?15, lat = ?16, lon = ?17, start_date = ?18, end_date = ?19, "
	                 "targeted = ?20, reached = ?21, budget = ?22, currency = ?23, "
	                 "releasability = ?24, owner_id = ?25, deny = ?26, geo_rel = ?27, "
	                 "figures_rel = ?28 WHERE id = ?29 AND source_id = ?2 AND natkey = ?3",
	/*
	 * batch is in no index: the same delete through the key index (one table lookup per row
	 * of the source) or as one pass over the table in rowid order ("+" keeps SQLite off the
	 * index); remove_stale() picks the cheaper one
	 */
	[S_ACT_STALE_KEY] = "DELETE FROM activity WHERE source_id = ?1 AND batch < ?2",
	[S_ACT_STALE_SCAN] = "DELETE FROM activity WHERE +source_id = ?1 AND batch < ?2",
	[S_ACT_COUNT_SOURCE] = "SELECT count(*) FROM activity WHERE source_id = ?1",
	[S_ACT_COUNT_ALL] = "SELECT count(*) FROM activity",
	[S_CHANGE_LAST] = "SELECT id, hash FROM change ORDER BY id DESC LIMIT 1",
	[S_CHANGE_PUT] = "INSERT INTO change (" CHANGE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	                 "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[S_CHANGE_ALL] = "SELECT " CHANGE_COLS " FROM change ORDER BY id",
	[S_COV_RECORDS] = "WITH RECURSIVE " COV_SUB ", " COV_SP " SELECT a.id, a.org_id, "
	                  "a.area_id, a.sector_id, a.kind, " COV_FIGURE("targeted") ", "
	                  COV_FIGURE("reached") ", sp.vocabulary, "
	                  "sp.code, sp.name, sp.pillar, a.releasability FROM activity a "
	                  "LEFT JOIN sp ON sp.id = a.sector_id WHERE " COV_FILTER,
	/* ?1: the records' areas as a JSON array; they and all their ancestors */
	[S_COV_AREAS] = "WITH RECURSIVE anc(id) AS (SELECT value FROM json_each(?1) UNION "
	                "SELECT p.parent_id FROM area p JOIN anc ON p.id = anc.id "
	                "WHERE p.parent_id IS NOT NULL) "
	                "SELECT " AREA_COLS " FROM area WHERE id IN anc ORDER BY pcode",
};

/* The tables cc_store_count() knows; cc_store_digest() finds its tables in the schema. */
static const char *const user_tables[] = {
	"activity", "area",      "area_alias",   "change",     "code_alias", "codelist",
	"mission",  "org_alias", "organisation", "pillar_map", "sector",     "source",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

struct sqlite_store {
	struct cc_store base;
	sqlite3 *db;
	bool in_tx;        /* between cc_store_begin() and its commit or rollback */
	bool expect_known; /* the last activity stored was known: look it up before inserting */
	char who[64];      /* actor for the change log */
	sqlite3_stmt *stmt[S_N]; /* prepared on first use; owned */
	/* statements of the domain modules (sqlite_int.h), prepared on first use; owned */
	sqlite3_stmt *mod_stmt[CC__SQ_N_MODULES][CC__SQ_MODULE_STMTS];
};

static struct sqlite_store *to_sq(struct cc_store *st)
{
	return (struct sqlite_store *)st;
}

/* ---- SQLite's allocator on cc_malloc ---- */

/* SQLite asks for the size of its allocations: keep it in front, 16 bytes to keep alignment. */
#define HDR 16

static void *sq_malloc(int n)
{
	size_t sz = n > 0 ? (size_t)n : 0;
	unsigned char *p = cc_malloc(sz + HDR);

	if (!p)
		return NULL;
	memcpy(p, &sz, sizeof(sz));
	return p + HDR;
}

static void sq_free(void *p)
{
	if (p)
		cc_free((unsigned char *)p - HDR);
}

static void *sq_realloc(void *p, int n)
{
	size_t sz = n > 0 ? (size_t)n : 0;
	unsigned char *q = cc_realloc((unsigned char *)p - HDR, sz + HDR);

	if (!q)
		return NULL;
	memcpy(q, &sz, sizeof(sz));
	return q + HDR;
}

static int sq_size(void *p)
{
	size_t sz;

	if (!p)
		return 0;
	memcpy(&sz, (unsigned char *)p - HDR, sizeof(sz));
	return (int)sz;
}

static int sq_roundup(int n)
{
	return n > INT_MAX - 7 ? n : (n + 7) & ~7;
}

static int sq_mem_init(void *unused)
{
	(void)unused;
	return SQLITE_OK;
}

static void sq_mem_shutdown(void *unused)
{
	(void)unused;
}

static pthread_once_t alloc_once = PTHREAD_ONCE_INIT;

static void route_alloc(void)
{
	static const sqlite3_mem_methods methods = {
		.xMalloc = sq_malloc,
		.xFree = sq_free,
		.xRealloc = sq_realloc,
		.xSize = sq_size,
		.xRoundup = sq_roundup,
		.xInit = sq_mem_init,
		.xShutdown = sq_mem_shutdown,
		.pAppData = NULL,
	};

	/* both fail with SQLITE_MISUSE if SQLite is already initialised: then keep its malloc */
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK)
		(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* no global mutex per malloc */
}

/* ---- errors ---- */

static int sq_error_rc(sqlite3 *db, int rc, struct cc_err *err)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	if (rc == SQLITE_IOERR_NOMEM)
		rc = SQLITE_NOMEM;
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return cc_err_set(err, CC_EBUSY, "%s", msg);
	case SQLITE_FULL:
		return cc_err_set(err, CC_EIO,
		                  "the store is full (its max_size or the disk); nothing of this "
		                  "transaction was stored");
	case SQLITE_IOERR:
		return cc_err_set(err, CC_EIO,
		                  "the store's files could not be read or written (%s); nothing of "
		                  "this transaction was stored",
		                  msg);
	default:
		return cc_err_set(err, CC_ESTORE, "%s", msg);
	}
}

static int sq_error(struct sqlite_store *s, int rc, struct cc_err *err)
{
	return sq_error_rc(s->db, rc, err);
}

/* ---- statements ---- */

static int prep(struct sqlite_store *s, enum stmt_id id, sqlite3_stmt **out, struct cc_err *err)
{
	int rc;

	if (s->stmt[id]) {
		*out = s->stmt[id];
		return 0;
	}
	rc = sqlite3_prepare_v3(s->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id],
	                        NULL);
	if (rc != SQLITE_OK) {
		s->stmt[id] = NULL;
		return sq_error(s, rc, err);
	}
	*out = s->stmt[id];
	return 0;
}

static void finalize_all(struct sqlite_store *s)
{
	for (size_t i = 0; i < S_N; i++) {
		sqlite3_finalize(s->stmt[i]);
		s->stmt[i] = NULL;
	}
	for (size_t m = 0; m < CC__SQ_N_MODULES; m++) {
		for (size_t i = 0; i < CC__SQ_MODULE_STMTS; i++) {
			sqlite3_finalize(s->mod_stmt[m][i]);
			s->mod_stmt[m][i] = NULL;
		}
	}
}

/* Steps a statement that returns no row (or ignores it) and resets it. */
static int step_done(struct sqlite_store *s, sqlite3_stmt *stmt, struct cc_err *err)
{
	int rc = sqlite3_step(stmt);
	int ret = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = sq_error(s, rc, err);
	sqlite3_reset(stmt);
	return ret;
}

/* Steps a query expected to return a row: 0 row (stmt not reset), 1 none (reset), < 0 error. */
static int step_row(struct sqlite_store *s, sqlite3_stmt *stmt, struct cc_err *err)
{
	int rc = sqlite3_step(stmt);
	int ret;

	if (rc == SQLITE_ROW)
		return 0;
	ret = rc == SQLITE_DONE ? 1 : sq_error(s, rc, err);
	sqlite3_reset(stmt);
	return ret;
}

static int run(struct sqlite_store *s, enum stmt_id id, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int ret = prep(s, id, &stmt, err);

	return ret < 0 ? ret : step_done(s, stmt, err);
}

/* Borrowed text, "" and NULL as SQL NULL. Bound SQLITE_STATIC: reset before the caller returns. */
static int bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
	if (!v || !*v)
		return sqlite3_bind_null(stmt, i);
	return sqlite3_bind_text(stmt, i, v, -1, SQLITE_STATIC);
}

/* An id, 0 (none) as NULL. */
static int bind_id(sqlite3_stmt *stmt, int i, int64_t v)
{
	if (v == 0)
		return sqlite3_bind_null(stmt, i);
	return sqlite3_bind_int64(stmt, i, v);
}

static int bind_date(sqlite3_stmt *stmt, int i, int32_t v)
{
	if (v == CC_DATE_NONE)
		return sqlite3_bind_null(stmt, i);
	return sqlite3_bind_int(stmt, i, v);
}

static int bind_num(sqlite3_stmt *stmt, int i, double v)
{
	if (isnan(v))
		return sqlite3_bind_null(stmt, i);
	return sqlite3_bind_double(stmt, i, v);
}

static int bind_fail(struct sqlite_store *s, sqlite3_stmt *stmt, int rc, struct cc_err *err)
{
	int ret = sq_error(s, rc, err);

	sqlite3_reset(stmt);
	return ret;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static void col_str(sqlite3_stmt *stmt, int i, char *dst, size_t n)
{
	copy_str(dst, n, (const char *)sqlite3_column_text(stmt, i));
}

static int32_t col_date(sqlite3_stmt *stmt, int i)
{
	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return CC_DATE_NONE;
	return sqlite3_column_int(stmt, i);
}

static double col_num(sqlite3_stmt *stmt, int i)
{
	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(stmt, i);
}

/* ---- transactions ---- */

/*
 * Every write runs in a transaction: the caller's (cc_store_begin) or, outside one, its own.
 * SQLite may roll a transaction back by itself after some errors (out of memory, disk full); a
 * write that finds the caller's transaction gone fails rather than commit on its own.
 */
static int tx_enter(struct sqlite_store *s, bool *own, struct cc_err *err)
{
	int ret;

	*own = false;
	if (s->in_tx) {
		if (sqlite3_get_autocommit(s->db))
			return cc_err_set(err, CC_ESTORE,
			                  "the transaction was rolled back after an earlier error");
		return 0;
	}
	if (!sqlite3_get_autocommit(s->db))
		return 0; /* inside a write that began its own transaction: join it */
	ret = run(s, S_BEGIN, err);
	if (ret == 0)
		*own = true;
	return ret;
}

static void rollback_now(struct sqlite_store *s)
{
	/* prepared at open, so that undoing never needs memory */
	if (!sqlite3_get_autocommit(s->db) && s->stmt[S_ROLLBACK])
		(void)step_done(s, s->stmt[S_ROLLBACK], NULL);
}

static int tx_leave(struct sqlite_store *s, bool own, int ret, struct cc_err *err)
{
	if (!own)
		return ret;
	if (ret == 0)
		ret = run(s, S_COMMIT, err);
	if (ret < 0)
		rollback_now(s);
	return ret;
}

/* Read transaction for reads of several statements, so that they see one state. */
static int rx_enter(struct sqlite_store *s, bool *own, struct cc_err *err)
{
	int ret;

	*own = false;
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	ret = run(s, S_BEGIN_READ, err);
	if (ret == 0)
		*own = true;
	return ret;
}

static void rx_leave(struct sqlite_store *s, bool own)
{
	if (own)
		rollback_now(s); /* nothing was written */
}

static int prep_tx_stmts(struct sqlite_store *s, struct cc_err *err)
{
	static const enum stmt_id ids[] = { S_BEGIN, S_BEGIN_READ, S_COMMIT, S_ROLLBACK };
	sqlite3_stmt *stmt = NULL;
	int ret;

	for (size_t i = 0; i < N_OF(ids); i++)
		if ((ret = prep(s, ids[i], &stmt, err)) < 0)
			return ret;
	return 0;
}

static int sq_begin(struct cc_store *st, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	int ret;

	if (s->in_tx)
		return cc_err_set(err, CC_EUSAGE, "a transaction is already open");
	ret = run(s, S_BEGIN, err);
	if (ret == 0)
		s->in_tx = true;
	return ret;
}

static int sq_commit(struct cc_store *st, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	int ret;

	if (!s->in_tx)
		return cc_err_set(err, CC_EUSAGE, "no transaction is open");
	s->in_tx = false;
	if (sqlite3_get_autocommit(s->db))
		return cc_err_set(err, CC_ESTORE,
		                  "the transaction was rolled back after an earlier error");
	ret = run(s, S_COMMIT, err);
	if (ret < 0)
		rollback_now(s); /* a failed commit stores nothing */
	return ret;
}

static void sq_rollback(struct cc_store *st)
{
	struct sqlite_store *s = to_sq(st);

	s->in_tx = false;
	rollback_now(s);
}

/* BEGIN IMMEDIATE takes the writer lock already: no lock_writers. */
static int sq_savepoint(struct cc_store *st, int what, struct cc_err *err)
{
	static const char *const sql[] = { "SAVEPOINT cc_nest", "RELEASE SAVEPOINT cc_nest",
		                           "ROLLBACK TO SAVEPOINT cc_nest" };
	struct sqlite_store *s = to_sq(st);
	int rc;

	if (what < 0 || what > 2)
		return cc_err_set(err, CC_EINVALID, "no savepoint operation %d", what);
	if (s->in_tx && sqlite3_get_autocommit(s->db))
		return cc_err_set(err, CC_ESTORE,
		                  "the transaction was rolled back after an earlier error");
	rc = sqlite3_exec(s->db, sql[what], NULL, NULL, NULL);
	if (rc == SQLITE_OK && what == 2)
		rc = sqlite3_exec(s->db, sql[1], NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_error(s, rc, err);
}

/* ---- schema ---- */

static int user_version(struct sqlite_store *s, int *out, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc, ret;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		ret = sq_error(s, rc, err);
		goto out_finalize;
	}
	ret = step_row(s, stmt, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "cannot read the schema version");
	if (ret == 0)
		*out = sqlite3_column_int(stmt, 0);
out_finalize:
	sqlite3_finalize(stmt);
	return ret;
}

static int exec(struct sqlite_store *s, const char *sql, const char *what, struct cc_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	int ret = 0;

	if (rc != SQLITE_OK) {
		ret = sq_error(s, rc, err);
		if (ret == CC_ESTORE && what)
			cc_err_set(err, ret, "%s: %s", what, msg ? msg : sqlite3_errstr(rc));
	}
	sqlite3_free(msg);
	return ret;
}

static int sq_schema_version(struct cc_store *st, int *have_out, int *want_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	int want = cc__migrations_count(cc__sqlite_migrations, err);

	*have_out = 0;
	*want_out = 0;
	if (want < 0)
		return want;
	*want_out = want;
	return user_version(s, have_out, err);
}

/* A database without a schema version must be empty before it becomes a store. */
static int check_empty(struct sqlite_store *s, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc, ret;

	rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		ret = sq_error(s, rc, err);
		goto out_finalize;
	}
	ret = step_row(s, stmt, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "cannot read the schema");
	if (ret == 0 && sqlite3_column_int64(stmt, 0) > 0)
		ret = cc_err_set(
		        err, CC_ESCHEMA,
		        "'%s' is not a concord store: it holds tables but no schema version",
		        sqlite3_db_filename(s->db, "main"));
out_finalize:
	sqlite3_finalize(stmt);
	return ret;
}

/* Applies the missing migrations and the new user_version in one transaction. */
static int sq_migrate(struct cc_store *st, int *from_out, int *to_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	int want = cc__migrations_count(cc__sqlite_migrations, err), have = 0, ret;
	char sql[64], what[160];

	*from_out = 0;
	*to_out = 0;
	if (want < 0)
		return want;
	if (s->in_tx)
		return cc_err_set(err, CC_EUSAGE, "cannot migrate inside a transaction");
	ret = run(s, S_BEGIN, err);
	if (ret < 0)
		return ret;
	ret = user_version(s, &have, err);
	if (ret < 0)
		goto out_rollback;
	*from_out = have;
	*to_out = have;
	if (have > want) {
		ret = cc__schema_newer(have, want, err);
		goto out_rollback;
	}
	if (have == want)
		goto out_rollback; /* nothing to do */
	if (have == 0 && (ret = check_empty(s, err)) < 0)
		goto out_rollback;
	for (int v = have; v < want; v++) {
		snprintf(what, sizeof(what), "migration '%s' failed",
		         cc__sqlite_migrations[v].name);
		ret = exec(s, (const char *)cc__sqlite_migrations[v].data, what, err);
		if (ret < 0)
			goto out_rollback;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", want);
	ret = exec(s, sql, NULL, err);
	if (ret < 0)
		goto out_rollback;
	ret = run(s, S_COMMIT, err);
	if (ret < 0)
		goto out_rollback;
	*to_out = want;
	/* the schema changed: prepare afresh, so that a later rollback never has to re-prepare */
	finalize_all(s);
	return prep_tx_stmts(s, err);
out_rollback:
	rollback_now(s);
	return ret;
}

/* ---- open and close ---- */

static void sq_close(struct cc_store *st)
{
	struct sqlite_store *s = to_sq(st);

	if (!s)
		return;
	finalize_all(s);
	sqlite3_close(s->db); /* rolls back an open transaction */
	cc_free(s);
}

static int set_pragmas(struct sqlite_store *s, const struct cc_store_opts *opts, struct cc_err *err)
{
	int ret;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, opts->busy_timeout_ms);
	/*
	 * page_size only counts before the first write of a new file: 16 KiB pages made a 1M-row
	 * 3W import 5% faster than 4 KiB (fewer levels, less WAL traffic). A 64 MiB page cache
	 * keeps the key index in memory during big imports.
	 */
	ret = exec(s,
	           "PRAGMA page_size = 16384; PRAGMA foreign_keys = ON; "
	           "PRAGMA cache_size = -65536;",
	           NULL, err);
	if (ret == 0 && !(opts->flags & CC_STORE_READONLY))
		ret = exec(s,
		           opts->sync_full ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		                           : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
		           NULL, err);
	if (ret == 0 && opts->max_bytes > 0) {
		/* a quota: pages of the file's own size, at least the pages it already has */
		int page = 0;
		char sql[96];
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			page = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (page <= 0)
			return cc_err_set(err, CC_ESTORE, "cannot read the store's page size");
		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld;",
		         (long long)((opts->max_bytes + page - 1) / page));
		ret = exec(s, sql, NULL, err);
	}
	return ret;
}

static int sq_open(struct cc_store **out, const char *path, const struct cc_store_opts *opts,
                   struct cc_err *err)
{
	struct sqlite_store *s = NULL;
	struct stat sb;
	int flags, rc, ret, have = 0, want, from, to;

	pthread_once(&alloc_once, route_alloc);
	if (!(opts->flags & CC_STORE_CREATE) && stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return cc_err_set(err, CC_ENOTFOUND, "no store at '%s'; run 'concord init'",
			                  path);
		return cc_err_set(err, CC_EIO, "cannot open store '%s': %s", path, strerror(errno));
	}
	want = cc__migrations_count(cc__sqlite_migrations, err);
	if (want < 0)
		return want;
	rc = sqlite3_initialize();
	if (rc != SQLITE_OK)
		return sq_error_rc(NULL, rc, err);
	s = cc_alloc_array(1, sizeof(*s));
	if (!s)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	s->base.ops = &cc__store_sqlite;
	copy_str(s->who, sizeof(s->who), opts->who);

	if (opts->flags & CC_STORE_READONLY)
		flags = SQLITE_OPEN_READONLY;
	else
		flags = SQLITE_OPEN_READWRITE |
		        (opts->flags & CC_STORE_CREATE ? SQLITE_OPEN_CREATE : 0);
	rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ret = sq_error(s, rc, err);
		if (ret != CC_ENOMEM)
			cc_err_set(err, ret, "cannot open store '%s': %s", path,
			           s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto out_close;
	}
	if ((ret = set_pragmas(s, opts, err)) < 0 || (ret = prep_tx_stmts(s, err)) < 0 ||
	    (ret = user_version(s, &have, err)) < 0)
		goto out_close;

	if (have == 0 && (opts->flags & CC_STORE_CREATE)) {
		ret = sq_migrate(&s->base, &from, &to, err);
		if (ret < 0)
			goto out_close;
	} else if ((ret = cc__schema_usable(have, want, opts->flags, err)) < 0) {
		goto out_close;
	}
	*out = &s->base;
	return 0;
out_close:
	sq_close(&s->base);
	return ret;
}

/* ---- digest and count ---- */

static void hash_u64(struct cc_sha256 *h, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	cc_sha256_update(h, b, sizeof(b));
}

static void hash_value(struct cc_sha256 *h, sqlite3_stmt *stmt, int i)
{
	unsigned char type = (unsigned char)sqlite3_column_type(stmt, i);
	double d;
	uint64_t u;
	const void *p;
	size_t n;

	cc_sha256_update(h, &type, 1);
	switch (type) {
	case SQLITE_INTEGER:
		hash_u64(h, (uint64_t)sqlite3_column_int64(stmt, i));
		break;
	case SQLITE_FLOAT:
		d = sqlite3_column_double(stmt, i);
		memcpy(&u, &d, sizeof(u));
		hash_u64(h, u);
		break;
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		p = type == SQLITE_TEXT ? (const void *)sqlite3_column_text(stmt, i)
		                        : sqlite3_column_blob(stmt, i);
		n = (size_t)sqlite3_column_bytes(stmt, i);
		hash_u64(h, n);
		if (n)
			cc_sha256_update(h, p, n);
		break;
	default:
		break;
	}
}

/* Hashes every row of one table in primary-key order. */
static int digest_table(struct sqlite_store *s, struct cc_sha256 *h, const char *table,
                        struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	char sql[512];
	const char *order;
	int rc, ret, n;

	rc = sqlite3_prepare_v2(s->db,
	                        "SELECT group_concat('\"' || name || '\"', ', ') FROM (SELECT name "
	                        "FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk)",
	                        -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		ret = sq_error(s, rc, err);
		goto out_finalize;
	}
	ret = step_row(s, stmt, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "cannot read the key of table '%s'", table);
	if (ret < 0)
		goto out_finalize;
	order = (const char *)sqlite3_column_text(stmt, 0);
	n = snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY %s", table,
	             order ? order : "rowid");
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (n < 0 || (size_t)n >= sizeof(sql)) {
		ret = cc_err_set(err, CC_ETOOBIG, "key of table '%s' too long", table);
		goto out_finalize;
	}
	rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		ret = sq_error(s, rc, err);
		goto out_finalize;
	}
	cc_sha256_update(h, table, strlen(table) + 1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int ncol = sqlite3_column_count(stmt);

		for (int i = 0; i < ncol; i++)
			hash_value(h, stmt, i);
		cc_sha256_update(h, "\n", 1);
	}
	if (rc != SQLITE_DONE)
		ret = sq_error(s, rc, err);
out_finalize:
	sqlite3_finalize(stmt);
	return ret;
}

static int sq_digest(struct cc_store *st, char out[static 65], struct cc_err *err)
{
	/* user tables: not SQLite's, not virtual, not a virtual table's shadow, not counters */
	static const char tables_sql[] =
	        "SELECT t.name FROM sqlite_schema t WHERE t.type = 'table' "
	        "AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND t.name <> 'meta' "
	        "AND t.sql NOT LIKE 'CREATE VIRTUAL %' AND NOT EXISTS (SELECT 1 FROM sqlite_schema "
	        "v "
	        "WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL %' "
	        "AND substr(t.name, 1, length(v.name) + 1) = v.name || '_') ORDER BY t.name";
	struct sqlite_store *s = to_sq(st);
	struct cc_sha256 h;
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	ret = rx_enter(s, &own, err);
	if (ret < 0)
		return ret;
	cc_sha256_init(&h);
	rc = sqlite3_prepare_v2(s->db, tables_sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		ret = sq_error(s, rc, err);
		goto out_finalize;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		ret = digest_table(s, &h, (const char *)sqlite3_column_text(stmt, 0), err);
		if (ret < 0)
			goto out_finalize;
	}
	if (rc != SQLITE_DONE) {
		ret = sq_error(s, rc, err);
		goto out_finalize;
	}
	cc_sha256_final_hex(&h, out);
out_finalize:
	sqlite3_finalize(stmt);
	rx_leave(s, own);
	return ret;
}

static int sq_count(struct cc_store *st, const char *table, int64_t *n_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	char sql[96];
	size_t i;
	int rc, ret;

	for (i = 0; i < N_OF(user_tables); i++)
		if (strcmp(table, user_tables[i]) == 0)
			break;
	if (i == N_OF(user_tables))
		return cc_err_set(err, CC_EINVALID, "unknown table '%s'", table);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", user_tables[i]);
	rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		ret = sq_error(s, rc, err);
		goto out_finalize;
	}
	ret = step_row(s, stmt, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "cannot count table '%s'", table);
	if (ret == 0)
		*n_out = sqlite3_column_int64(stmt, 0);
out_finalize:
	sqlite3_finalize(stmt);
	return ret;
}

/* ---- missions ---- */

static int sq_put_mission(struct cc_store *st, struct cc_mission *m, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_MISSION_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_text(stmt, 1, m->code, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 2, m->name[0] ? m->name : m->code, -1, SQLITE_STATIC)) ||
	    (rc = bind_text(stmt, 3, m->country)) || (rc = bind_date(stmt, 4, m->start_date)) ||
	    (rc = bind_date(stmt, 5, m->end_date))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_row(s, stmt, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "mission '%s' was not stored", m->code);
	if (ret == 0) {
		m->id = sqlite3_column_int64(stmt, 0);
		ret = step_done(s, stmt, err); /* RETURNING: run to the end */
	}
out_leave:
	return tx_leave(s, own, ret, err);
}

static void row_mission(sqlite3_stmt *stmt, struct cc_mission *out)
{
	out->id = sqlite3_column_int64(stmt, 0);
	col_str(stmt, 1, out->code, sizeof(out->code));
	col_str(stmt, 2, out->name, sizeof(out->name));
	col_str(stmt, 3, out->country, sizeof(out->country));
	out->start_date = col_date(stmt, 4);
	out->end_date = col_date(stmt, 5);
}

static int sq_get_mission(struct cc_store *st, const char *code, struct cc_mission *out,
                          struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	int64_t n;
	int rc, ret;

	if (code && *code) {
		if ((ret = prep(s, S_MISSION_GET, &stmt, err)) < 0)
			return ret;
		if ((rc = sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC)))
			return bind_fail(s, stmt, rc, err);
		ret = step_row(s, stmt, err);
		if (ret > 0)
			return cc_err_set(err, CC_ENOTFOUND, "unknown mission '%s'", code);
		if (ret == 0)
			row_mission(stmt, out);
		sqlite3_reset(stmt);
		return ret;
	}
	if ((ret = prep(s, S_MISSION_ANY, &stmt, err)) < 0)
		return ret;
	ret = step_row(s, stmt, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "store holds no mission; create one first");
	if (ret < 0)
		return ret;
	n = sqlite3_column_int64(stmt, 6);
	if (n > 1)
		ret = cc_err_set(err, CC_EUSAGE,
		                 "store holds %lld missions; choose one with -m CODE",
		                 (long long)n);
	else
		row_mission(stmt, out);
	sqlite3_reset(stmt);
	return ret;
}

/* ---- code lists ---- */

static int sq_put_code(struct cc_store *st, const char *list, const char *vocabulary,
                       const char *code, const char *name, const char *category, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_CODE_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_text(stmt, 1, list, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 2, code, -1, SQLITE_STATIC)) ||
	    (rc = bind_text(stmt, 3, name)) || (rc = bind_text(stmt, 4, category))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	if ((ret = step_done(s, stmt, err)) < 0 || !vocabulary)
		goto out_leave;
	if ((ret = prep(s, S_SECTOR_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_text(stmt, 1, vocabulary, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 2, code, -1, SQLITE_STATIC)) ||
	    (rc = bind_text(stmt, 3, name)) || (rc = bind_text(stmt, 4, category))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_done(s, stmt, err);
out_leave:
	return tx_leave(s, own, ret, err);
}

static int sq_put_code_alias(struct cc_store *st, const char *alias, const char *list,
                             const char *code, const char *scope, const char *source,
                             struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_ALIAS_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_text(stmt, 1, list, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 2, alias, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 3, code, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 4, scope, -1, SQLITE_STATIC)) ||
	    (rc = bind_text(stmt, 5, source))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_done(s, stmt, err);
out_leave:
	return tx_leave(s, own, ret, err);
}

static int sq_put_pillar(struct cc_store *st, int64_t mission_id, const char *vocabulary,
                         const char *code, enum cc_pillar pillar, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_PILLAR_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(stmt, 1, mission_id)) ||
	    (rc = sqlite3_bind_text(stmt, 2, vocabulary, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 3, code, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 4, cc_pillar_name((int)pillar), -1, SQLITE_STATIC))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_done(s, stmt, err);
out_leave:
	return tx_leave(s, own, ret, err);
}

/* Looks up one text column; 0 found (copied to out), 1 none, < 0 error. */
static int lookup_code(struct sqlite_store *s, enum stmt_id id, const char *a, const char *b,
                       const char *c, char *out, size_t n, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	const char *code;
	int rc, ret;

	if ((ret = prep(s, id, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC)) ||
	    (c && (rc = sqlite3_bind_text(stmt, 3, c, -1, SQLITE_STATIC))))
		return bind_fail(s, stmt, rc, err);
	ret = step_row(s, stmt, err);
	if (ret != 0)
		return ret;
	code = (const char *)sqlite3_column_text(stmt, 0);
	if (!code)
		code = "";
	if (strlen(code) >= n)
		ret = cc_err_set(err, CC_ETOOBIG, "code '%s' is longer than %zu bytes", code,
		                 n - 1);
	else
		copy_str(out, n, code);
	sqlite3_reset(stmt);
	return ret;
}

static int sq_resolve_code(struct cc_store *st, const char *list, const char *text,
                           const char *scope, char *code_out, size_t n, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	int ret;

	ret = lookup_code(s, S_CODE_GET, list, text, NULL, code_out, n, err);
	if (ret <= 0)
		return ret;
	ret = lookup_code(s, S_ALIAS_GET, list, text, scope, code_out, n, err);
	if (ret <= 0)
		return ret;
	return cc_err_set(err, CC_ENOTFOUND, "unknown code '%s' in list '%s'", text, list);
}

static int sq_sector_id(struct cc_store *st, const char *vocabulary, const char *code,
                        int64_t *id_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	int rc, ret;

	if ((ret = prep(s, S_SECTOR_ID, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_text(stmt, 1, vocabulary, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 2, code, -1, SQLITE_STATIC)))
		return bind_fail(s, stmt, rc, err);
	ret = step_row(s, stmt, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown sector '%s' in vocabulary '%s'", code,
		                  vocabulary);
	if (ret == 0)
		*id_out = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return ret;
}

/* ---- areas ---- */

static void row_area(sqlite3_stmt *stmt, struct cc_area *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(stmt, 0);
	col_str(stmt, 1, out->pcode, sizeof(out->pcode));
	col_str(stmt, 2, out->name, sizeof(out->name));
	out->level = sqlite3_column_int(stmt, 3);
	out->parent_id = sqlite3_column_int64(stmt, 4);
	out->population =
	        sqlite3_column_type(stmt, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, 5);
	out->has_geom = sqlite3_column_type(stmt, 6) != SQLITE_NULL;
	out->minx = out->has_geom ? sqlite3_column_double(stmt, 6) : 0;
	out->miny = out->has_geom ? sqlite3_column_double(stmt, 7) : 0;
	out->maxx = out->has_geom ? sqlite3_column_double(stmt, 8) : 0;
	out->maxy = out->has_geom ? sqlite3_column_double(stmt, 9) : 0;
}

static int sq_put_area(struct cc_store *st, struct cc_area *a, const char *name_norm,
                       const void *wkb, size_t len, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if (wkb && len > INT_MAX)
		return cc_err_set(err, CC_ETOOBIG, "geometry of area '%s' too big", a->pcode);
	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_AREA_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_text(stmt, 1, a->pcode, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 2, a->name, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 3, name_norm, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int(stmt, 4, a->level)) || (rc = bind_id(stmt, 5, a->parent_id)) ||
	    (rc = a->population < 0 ? sqlite3_bind_null(stmt, 6)
	                            : sqlite3_bind_int64(stmt, 6, a->population)) ||
	    (rc = wkb ? sqlite3_bind_blob(stmt, 7, wkb, (int)len, SQLITE_STATIC)
	              : sqlite3_bind_null(stmt, 7)) ||
	    (rc = a->has_geom ? sqlite3_bind_double(stmt, 8, a->minx)
	                      : sqlite3_bind_null(stmt, 8)) ||
	    (rc = a->has_geom ? sqlite3_bind_double(stmt, 9, a->miny)
	                      : sqlite3_bind_null(stmt, 9)) ||
	    (rc = a->has_geom ? sqlite3_bind_double(stmt, 10, a->maxx)
	                      : sqlite3_bind_null(stmt, 10)) ||
	    (rc = a->has_geom ? sqlite3_bind_double(stmt, 11, a->maxy)
	                      : sqlite3_bind_null(stmt, 11)) ||
	    (rc = sqlite3_bind_int(stmt, 12, wkb != NULL)) ||
	    (rc = sqlite3_bind_int(stmt, 13, a->has_geom))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_row(s, stmt, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "area '%s' was not stored", a->pcode);
	if (ret < 0)
		goto out_leave;
	a->id = sqlite3_column_int64(stmt, 0);
	if ((ret = step_done(s, stmt, err)) < 0 || !a->has_geom)
		goto out_leave;
	if ((ret = prep(s, S_RTREE_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(stmt, 1, a->id)) ||
	    (rc = sqlite3_bind_double(stmt, 2, a->minx)) ||
	    (rc = sqlite3_bind_double(stmt, 3, a->maxx)) ||
	    (rc = sqlite3_bind_double(stmt, 4, a->miny)) ||
	    (rc = sqlite3_bind_double(stmt, 5, a->maxy))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_done(s, stmt, err);
out_leave:
	return tx_leave(s, own, ret, err);
}

static int sq_find_area(struct cc_store *st, const char *pcode, struct cc_area *out,
                        struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	int rc, ret;

	if ((ret = prep(s, S_AREA_BY_PCODE, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_text(stmt, 1, pcode, -1, SQLITE_STATIC)))
		return bind_fail(s, stmt, rc, err);
	ret = step_row(s, stmt, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown P-code '%s'", pcode);
	if (ret == 0)
		row_area(stmt, out);
	sqlite3_reset(stmt);
	return ret;
}

static int sq_find_area_by_name(struct cc_store *st, int64_t parent_id, int level,
                                const char *name_norm, struct cc_area *out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	char pcodes[200] = "";
	size_t len = 0;
	int n = 0, rc, ret;

	if ((ret = prep(s, S_AREA_BY_NAME, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int(stmt, 1, level)) ||
	    (rc = sqlite3_bind_int64(stmt, 2, parent_id)) ||
	    (rc = sqlite3_bind_text(stmt, 3, name_norm, -1, SQLITE_STATIC)))
		return bind_fail(s, stmt, rc, err);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *pc = (const char *)sqlite3_column_text(stmt, 1);
		int k;

		if (n++ == 0)
			row_area(stmt, out);
		k = snprintf(pcodes + len, sizeof(pcodes) - len, "%s%s", len ? ", " : "",
		             pc ? pc : "");
		if (k > 0 && (size_t)k < sizeof(pcodes) - len)
			len += (size_t)k;
	}
	if (rc != SQLITE_DONE)
		ret = sq_error(s, rc, err);
	sqlite3_reset(stmt);
	if (ret < 0)
		return ret;
	if (n == 0)
		return cc_err_set(err, CC_ENOTFOUND, "no area named '%s' at level %d", name_norm,
		                  level);
	if (n > 1) {
		memset(out, 0, sizeof(*out));
		return cc_err_set(err, CC_EINVALID,
		                  "several areas at level %d are named '%s': %s%s", level,
		                  name_norm, pcodes, n >= 8 ? ", ..." : "");
	}
	return 0;
}

static int sq_put_area_alias(struct cc_store *st, int64_t area_id, const char *alias_norm,
                             const char *source, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_AREA_ALIAS_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_text(stmt, 1, alias_norm, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int64(stmt, 2, area_id)) || (rc = bind_text(stmt, 3, source))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_done(s, stmt, err);
out_leave:
	return tx_leave(s, own, ret, err);
}

static int sq_set_area_parent(struct cc_store *st, int64_t area_id, int64_t parent_id,
                              struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_AREA_PARENT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(stmt, 1, area_id)) || (rc = bind_id(stmt, 2, parent_id))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_done(s, stmt, err);
	if (ret == 0 && sqlite3_changes(s->db) == 0)
		ret = cc_err_set(err, CC_ENOTFOUND, "no area with id %lld", (long long)area_id);
out_leave:
	return tx_leave(s, own, ret, err);
}

/* Reads every row of an area query into a new array (owned by the caller). */
static int read_areas(struct sqlite_store *s, sqlite3_stmt *stmt, struct cc_area **out,
                      size_t *n_out, struct cc_err *err)
{
	struct cc_area *areas = NULL;
	size_t n = 0, cap = 0;
	int rc, ret = 0;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (cc__grow((void **)&areas, &cap, n, sizeof(*areas)) < 0) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out_free;
		}
		row_area(stmt, &areas[n++]);
	}
	if (rc != SQLITE_DONE) {
		ret = sq_error(s, rc, err);
		goto out_free;
	}
	sqlite3_reset(stmt);
	*out = areas;
	*n_out = n;
	return 0;
out_free:
	sqlite3_reset(stmt);
	cc_free(areas);
	return ret;
}

static int sq_list_pillars(struct cc_store *st, int64_t mission_id, const char *vocabulary,
                           bool overrides_only, struct cc_pillar_row **out, size_t *n_out,
                           struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	struct cc_pillar_row *rows = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t n = 0, cap = 0;
	int rc, ret;

	if ((ret = prep(s, S_PILLAR_LIST, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, mission_id)) ||
	    (rc = vocabulary ? sqlite3_bind_text(stmt, 2, vocabulary, -1, SQLITE_STATIC)
	                     : sqlite3_bind_null(stmt, 2)) ||
	    (rc = sqlite3_bind_int(stmt, 3, overrides_only)))
		return bind_fail(s, stmt, rc, err);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		char pillar[32];
		struct cc_pillar_row *r;

		if (cc__grow((void **)&rows, &cap, n, sizeof(*rows)) < 0) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out_free;
		}
		r = &rows[n++];
		memset(r, 0, sizeof(*r));
		col_str(stmt, 0, r->vocabulary, sizeof(r->vocabulary));
		col_str(stmt, 1, r->code, sizeof(r->code));
		col_str(stmt, 2, pillar, sizeof(pillar));
		r->pillar = (enum cc_pillar)cc_pillar_parse(pillar);
		r->override = sqlite3_column_int(stmt, 3) != 0;
	}
	if (rc != SQLITE_DONE) {
		ret = sq_error(s, rc, err);
		goto out_free;
	}
	sqlite3_reset(stmt);
	*out = rows;
	*n_out = n;
	return 0;
out_free:
	sqlite3_reset(stmt);
	cc_free(rows);
	return ret;
}

static int sq_list_areas(struct cc_store *st, const struct cc_area_filter *f, struct cc_area **out,
                         size_t *n_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	int rc, ret;

	if ((ret = prep(s, S_AREA_LIST, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int(stmt, 1, f->level)) ||
	    (rc = sqlite3_bind_int64(stmt, 2, f->parent_id)) ||
	    (rc = sqlite3_bind_int(stmt, 3, f->in_bbox)) ||
	    (rc = sqlite3_bind_double(stmt, 4, f->minx)) ||
	    (rc = sqlite3_bind_double(stmt, 5, f->miny)) ||
	    (rc = sqlite3_bind_double(stmt, 6, f->maxx)) ||
	    (rc = sqlite3_bind_double(stmt, 7, f->maxy)))
		return bind_fail(s, stmt, rc, err);
	return read_areas(s, stmt, out, n_out, err);
}

static int sq_area_geometry(struct cc_store *st, int64_t area_id, void **wkb_out, size_t *len_out,
                            struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	const void *blob;
	size_t n;
	int rc, ret;

	if ((ret = prep(s, S_AREA_GEOM, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, area_id)))
		return bind_fail(s, stmt, rc, err);
	ret = step_row(s, stmt, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "no area with id %lld", (long long)area_id);
	if (ret < 0)
		return ret;
	if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		blob = sqlite3_column_blob(stmt, 0);
		n = (size_t)sqlite3_column_bytes(stmt, 0);
		if (!blob && n == 0) {
			ret = sq_error(s, sqlite3_errcode(s->db), err);
		} else {
			*wkb_out = cc_malloc(n);
			if (!*wkb_out) {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			} else {
				memcpy(*wkb_out, blob, n);
				*len_out = n;
			}
		}
	}
	sqlite3_reset(stmt);
	return ret;
}

/* ---- organisations ---- */

static int sq_put_org(struct cc_store *st, struct cc_org *o, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_ORG_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(stmt, 1, o->mission_id)) ||
	    (rc = sqlite3_bind_text(stmt, 2, o->key, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 3, o->name[0] ? o->name : o->key, -1, SQLITE_STATIC)) ||
	    (rc = bind_text(stmt, 4, o->acronym)) || (rc = bind_text(stmt, 5, o->type)) ||
	    (rc = bind_text(stmt, 6, o->kind)) ||
	    (rc = o->is_local < 0 ? sqlite3_bind_null(stmt, 7)
	                          : sqlite3_bind_int(stmt, 7, o->is_local != 0)) ||
	    (rc = bind_text(stmt, 8, o->nation))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_row(s, stmt, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "organisation '%s' was not stored", o->key);
	if (ret == 0) {
		o->id = sqlite3_column_int64(stmt, 0);
		ret = step_done(s, stmt, err);
	}
out_leave:
	return tx_leave(s, own, ret, err);
}

static int sq_find_org(struct cc_store *st, int64_t mission_id, const char *alias_norm,
                       struct cc_org *out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	int rc, ret;

	if ((ret = prep(s, S_ORG_FIND, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, mission_id)) ||
	    (rc = sqlite3_bind_text(stmt, 2, alias_norm, -1, SQLITE_STATIC)))
		return bind_fail(s, stmt, rc, err);
	ret = step_row(s, stmt, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown organisation '%s'", alias_norm);
	if (ret < 0)
		return ret;
	out->id = sqlite3_column_int64(stmt, 0);
	out->mission_id = sqlite3_column_int64(stmt, 1);
	col_str(stmt, 2, out->key, sizeof(out->key));
	col_str(stmt, 3, out->name, sizeof(out->name));
	col_str(stmt, 4, out->acronym, sizeof(out->acronym));
	col_str(stmt, 5, out->type, sizeof(out->type));
	col_str(stmt, 6, out->kind, sizeof(out->kind));
	out->is_local =
	        sqlite3_column_type(stmt, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(stmt, 7);
	col_str(stmt, 8, out->nation, sizeof(out->nation));
	sqlite3_reset(stmt);
	return 0;
}

static int sq_put_org_alias(struct cc_store *st, int64_t mission_id, int64_t org_id,
                            const char *alias_norm, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_ORG_ALIAS_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(stmt, 1, mission_id)) ||
	    (rc = sqlite3_bind_text(stmt, 2, alias_norm, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int64(stmt, 3, org_id))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_done(s, stmt, err);
out_leave:
	return tx_leave(s, own, ret, err);
}

/* ---- sources ---- */

/* A count that may be unknown (NULL): -1. */
static int64_t col_count(sqlite3_stmt *stmt, int i)
{
	return sqlite3_column_type(stmt, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, i);
}

static void row_source(sqlite3_stmt *stmt, struct cc_source *out)
{
	out->id = sqlite3_column_int64(stmt, 0);
	out->mission_id = sqlite3_column_int64(stmt, 1);
	col_str(stmt, 2, out->name, sizeof(out->name));
	col_str(stmt, 3, out->digest, sizeof(out->digest));
	out->batch = sqlite3_column_int64(stmt, 4);
	out->period_from = col_date(stmt, 5);
	out->period_to = col_date(stmt, 6);
	col_str(stmt, 7, out->imported_at, sizeof(out->imported_at));
	out->n_read = col_count(stmt, 8);
	out->n_rejected = col_count(stmt, 9);
	out->n_records = 0;
}

static int sq_list_sources(struct cc_store *st, int64_t mission_id, struct cc_source **out,
                           size_t *n_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	struct cc_source *srcs = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t n = 0, cap = 0;
	int rc, ret;

	if ((ret = prep(s, S_SOURCE_LIST, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, mission_id)))
		return bind_fail(s, stmt, rc, err);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (cc__grow((void **)&srcs, &cap, n, sizeof(*srcs)) < 0) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out_free;
		}
		row_source(stmt, &srcs[n]);
		srcs[n++].n_records = sqlite3_column_int64(stmt, 10);
	}
	if (rc != SQLITE_DONE) {
		ret = sq_error(s, rc, err);
		goto out_free;
	}
	sqlite3_reset(stmt);
	*out = srcs;
	*n_out = n;
	return 0;
out_free:
	sqlite3_reset(stmt);
	cc_free(srcs);
	return ret;
}

static int sq_get_source(struct cc_store *st, int64_t mission_id, const char *name,
                         struct cc_source *out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	int rc, ret;

	if ((ret = prep(s, S_SOURCE_GET, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, mission_id)) ||
	    (rc = sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC)))
		return bind_fail(s, stmt, rc, err);
	ret = step_row(s, stmt, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown source '%s'", name);
	if (ret < 0)
		return ret;
	row_source(stmt, out);
	sqlite3_reset(stmt);
	return 0;
}

static int sq_put_source(struct cc_store *st, struct cc_source *src, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_SOURCE_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(stmt, 1, src->mission_id)) ||
	    (rc = sqlite3_bind_text(stmt, 2, src->name, -1, SQLITE_STATIC)) ||
	    (rc = bind_text(stmt, 3, src->digest)) || (rc = bind_id(stmt, 4, src->batch)) ||
	    (rc = bind_date(stmt, 5, src->period_from)) ||
	    (rc = bind_date(stmt, 6, src->period_to)) ||
	    (rc = bind_text(stmt, 7, src->imported_at)) ||
	    (rc = src->n_read < 0 ? sqlite3_bind_null(stmt, 8)
	                          : sqlite3_bind_int64(stmt, 8, src->n_read)) ||
	    (rc = src->n_rejected < 0 ? sqlite3_bind_null(stmt, 9)
	                              : sqlite3_bind_int64(stmt, 9, src->n_rejected))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_leave;
	}
	ret = step_row(s, stmt, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "source '%s' was not stored", src->name);
	if (ret == 0) {
		src->id = sqlite3_column_int64(stmt, 0);
		ret = step_done(s, stmt, err);
	}
out_leave:
	return tx_leave(s, own, ret, err);
}

static int sq_new_batch(struct cc_store *st, int64_t *batch_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	bool own;
	int ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_BATCH_NEW, &stmt, err)) < 0)
		goto out_leave;
	ret = step_row(s, stmt, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "the batch counter is missing");
	if (ret == 0) {
		*batch_out = sqlite3_column_int64(stmt, 0);
		ret = step_done(s, stmt, err);
	}
out_leave:
	return tx_leave(s, own, ret, err);
}

/* ---- activities: the import path ---- */

/* Binds ?1 … ?28 (see ACT_COLS); everything borrowed from a. 0 or an SQLite code. */
static int bind_activity(sqlite3_stmt *stmt, const struct cc_activity *a, int64_t batch)
{
	int rc;

	if ((rc = sqlite3_bind_int64(stmt, 1, a->mission_id)) ||
	    (rc = sqlite3_bind_int64(stmt, 2, a->source_id)) ||
	    (rc = sqlite3_bind_blob(stmt, 3, a->natkey, sizeof(a->natkey), SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_blob(stmt, 4, a->digest, sizeof(a->digest), SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int64(stmt, 5, batch)) ||
	    (rc = a->line > 0 ? sqlite3_bind_int64(stmt, 6, a->line)
	                      : sqlite3_bind_null(stmt, 6)) ||
	    (rc = sqlite3_bind_int(stmt, 7, (int)a->kind)) || (rc = bind_text(stmt, 8, a->title)) ||
	    (rc = bind_text(stmt, 9, a->description)) || (rc = bind_text(stmt, 10, a->status)) ||
	    (rc = bind_id(stmt, 11, a->org_id)) || (rc = bind_id(stmt, 12, a->impl_org_id)) ||
	    (rc = bind_id(stmt, 13, a->funder_org_id)) || (rc = bind_id(stmt, 14, a->sector_id)) ||
	    (rc = bind_id(stmt, 15, a->area_id)) || (rc = bind_num(stmt, 16, a->lat)) ||
	    (rc = bind_num(stmt, 17, a->lon)) || (rc = bind_date(stmt, 18, a->start_date)) ||
	    (rc = bind_date(stmt, 19, a->end_date)) || (rc = bind_num(stmt, 20, a->targeted)) ||
	    (rc = bind_num(stmt, 21, a->reached)) || (rc = bind_num(stmt, 22, a->budget)) ||
	    (rc = bind_text(stmt, 23, a->currency)) ||
	    (rc = sqlite3_bind_text(stmt, 24, a->releasability ? a->releasability : "public", -1,
	                            SQLITE_STATIC)) ||
	    (rc = bind_id(stmt, 25, a->owner_id)) ||
	    (rc = sqlite3_bind_int64(stmt, 26, (sqlite3_int64)a->deny)) ||
	    (rc = bind_text(stmt, 27, a->geo_rel)) || (rc = bind_text(stmt, 28, a->figures_rel)))
		return rc;
	return 0;
}

/* Inserts a if its key is new to the source; *added_out says whether it did. */
static int insert_activity(struct sqlite_store *s, struct cc_activity *a, int64_t batch,
                           bool *added_out, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc, ret;

	*added_out = false;
	if ((ret = prep(s, S_ACT_INSERT, &stmt, err)) < 0)
		return ret;
	if ((rc = bind_activity(stmt, a, batch)))
		return bind_fail(s, stmt, rc, err);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return bind_fail(s, stmt, rc, err);
	if (sqlite3_changes(s->db) > 0) {
		a->id = sqlite3_last_insert_rowid(s->db);
		*added_out = true;
	}
	sqlite3_reset(stmt);
	return 0;
}

struct stored {
	int64_t id, batch;
	long line;
	bool same; /* equal digest */
};

/* What is stored under a's key: 0 found, 1 none, < 0 error. */
static int find_activity(struct sqlite_store *s, const struct cc_activity *a, struct stored *out,
                         struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	const void *digest;
	int rc, ret;

	if ((ret = prep(s, S_ACT_FIND, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, a->source_id)) ||
	    (rc = sqlite3_bind_blob(stmt, 2, a->natkey, sizeof(a->natkey), SQLITE_STATIC)))
		return bind_fail(s, stmt, rc, err);
	ret = step_row(s, stmt, err);
	if (ret != 0)
		return ret;
	out->id = sqlite3_column_int64(stmt, 0);
	out->batch = sqlite3_column_int64(stmt, 1);
	out->line = (long)sqlite3_column_int64(stmt, 2);
	digest = sqlite3_column_blob(stmt, 3);
	out->same = digest && sqlite3_column_bytes(stmt, 3) == (int)sizeof(a->digest) &&
	            memcmp(digest, a->digest, sizeof(a->digest)) == 0;
	sqlite3_reset(stmt);
	return 0;
}

/*
 * The import diff by natural key. A first import adds nearly every row and a re-import finds
 * nearly every row, so the handle remembers which the last row was and tries that way first:
 * insert-or-nothing for new keys, look-up for known ones. Either way a row costs one probe of
 * the key index in the common case.
 */
static int put_activity(struct sqlite_store *s, struct cc_activity *a, int64_t batch,
                        enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct stored old = { 0 };
	bool added = false;
	int rc, ret;

	if (!s->expect_known) {
		if ((ret = insert_activity(s, a, batch, &added, err)) < 0)
			return ret;
		if (added)
			goto out_added;
	}
	ret = find_activity(s, a, &old, err);
	if (ret > 0 && s->expect_known) {
		if ((ret = insert_activity(s, a, batch, &added, err)) < 0)
			return ret;
		if (added)
			goto out_added;
		ret = 1;
	}
	if (ret > 0)
		return cc_err_set(err, CC_ESTORE, "activity vanished during its import");
	if (ret < 0)
		return ret;
	s->expect_known = true;
	if (old.batch == batch) {
		*dup_line_out = old.line;
		*res_out = CC_PUT_DUPLICATE;
		return 0;
	}
	if (old.same) {
		if ((ret = prep(s, S_ACT_TOUCH, &stmt, err)) < 0)
			return ret;
		if ((rc = sqlite3_bind_int64(stmt, 1, old.id)) ||
		    (rc = sqlite3_bind_int64(stmt, 2, batch)) ||
		    (rc = a->line > 0 ? sqlite3_bind_int64(stmt, 3, a->line)
		                      : sqlite3_bind_null(stmt, 3)))
			return bind_fail(s, stmt, rc, err);
		*res_out = CC_PUT_UNCHANGED;
	} else {
		if ((ret = prep(s, S_ACT_UPDATE, &stmt, err)) < 0)
			return ret;
		if ((rc = bind_activity(stmt, a, batch)) ||
		    (rc = sqlite3_bind_int64(stmt, 29, old.id)))
			return bind_fail(s, stmt, rc, err);
		*res_out = CC_PUT_UPDATED;
	}
	if ((ret = step_done(s, stmt, err)) < 0)
		return ret;
	a->id = old.id;
	return 0;
out_added:
	s->expect_known = false;
	*res_out = CC_PUT_ADDED;
	return 0;
}

static int sq_put_activity(struct cc_store *st, struct cc_activity *a, int64_t batch,
                           enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	bool own;
	int ret;

	*dup_line_out = 0;
	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	ret = put_activity(s, a, batch, res_out, dup_line_out, err);
	return tx_leave(s, own, ret, err);
}

/* One count(*); 0 or an error. */
static int count_rows(struct sqlite_store *s, enum stmt_id id, int64_t source_id, int64_t *n_out,
                      struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc, ret;

	if ((ret = prep(s, id, &stmt, err)) < 0)
		return ret;
	if (id == S_ACT_COUNT_SOURCE && (rc = sqlite3_bind_int64(stmt, 1, source_id)))
		return bind_fail(s, stmt, rc, err);
	ret = step_row(s, stmt, err);
	if (ret > 0)
		return cc_err_set(err, CC_ESTORE, "count returned nothing");
	if (ret == 0)
		*n_out = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return ret;
}

/*
 * Random lookups by key cost about 16 times a row of a sequential pass (measured on 1M rows: 1.7 s
 * against 0.1 s), so a source holding more than 1/16 of all activities is cleaned by one pass.
 */
static int remove_stale(struct sqlite_store *s, int64_t source_id, int64_t batch,
                        size_t *n_removed_out, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t n_source = 0, n_all = 0;
	int rc, ret;

	if ((ret = count_rows(s, S_ACT_COUNT_SOURCE, source_id, &n_source, err)) < 0 ||
	    (ret = count_rows(s, S_ACT_COUNT_ALL, 0, &n_all, err)) < 0)
		return ret;
	if (n_source == 0)
		return 0;
	ret = prep(s, n_source * 16 >= n_all ? S_ACT_STALE_SCAN : S_ACT_STALE_KEY, &stmt, err);
	if (ret < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, source_id)) ||
	    (rc = sqlite3_bind_int64(stmt, 2, batch)))
		return bind_fail(s, stmt, rc, err);
	ret = step_done(s, stmt, err);
	if (ret == 0)
		*n_removed_out = (size_t)sqlite3_changes(s->db);
	return ret;
}

static int sq_remove_stale(struct cc_store *st, int64_t source_id, int64_t batch,
                           size_t *n_removed_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	bool own;
	int ret;

	*n_removed_out = 0;
	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	ret = remove_stale(s, source_id, batch, n_removed_out, err);
	return tx_leave(s, own, ret, err);
}

/* ---- the change log ---- */

static int log_change(struct sqlite_store *s, const struct cc_change *c, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	char prev[65] = "", hash[65], at[32];
	struct cc__change_entry e;
	int64_t id;
	int rc, ret;

	if ((ret = prep(s, S_CHANGE_LAST, &stmt, err)) < 0)
		return ret;
	ret = step_row(s, stmt, err);
	if (ret < 0)
		return ret;
	id = 1;
	if (ret == 0) {
		id = sqlite3_column_int64(stmt, 0) + 1;
		col_str(stmt, 1, prev, sizeof(prev));
		sqlite3_reset(stmt);
	}
	cc__change_entry_make(&e, id, c, s->base.actor[0] ? s->base.actor : s->who, prev, at);
	cc__change_hash(&e, hash);

	if ((ret = prep(s, S_CHANGE_PUT, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, e.id)) || (rc = bind_text(stmt, 2, e.at)) ||
	    (rc = sqlite3_bind_text(stmt, 3, e.who, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 4, e.tbl, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 5, e.op, -1, SQLITE_STATIC)) ||
	    (rc = bind_id(stmt, 6, e.record_id)) || (rc = bind_id(stmt, 7, e.first_id)) ||
	    (rc = bind_id(stmt, 8, e.last_id)) || (rc = bind_id(stmt, 9, e.batch)) ||
	    (rc = sqlite3_bind_int64(stmt, 10, e.count)) ||
	    (rc = bind_id(stmt, 11, e.mission_id)) ||
	    (rc = sqlite3_bind_text(stmt, 12, e.releasability, -1, SQLITE_STATIC)) ||
	    (rc = bind_text(stmt, 13, e.detail)) ||
	    (rc = sqlite3_bind_text(stmt, 14, e.prev_hash, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(stmt, 15, hash, -1, SQLITE_STATIC)))
		return bind_fail(s, stmt, rc, err);
	return step_done(s, stmt, err);
}

static int sq_log_change(struct cc_store *st, const struct cc_change *c, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	bool own;
	int ret;

	if ((ret = tx_enter(s, &own, err)) < 0)
		return ret;
	ret = log_change(s, c, err);
	return tx_leave(s, own, ret, err);
}

static const char *col_cstr(sqlite3_stmt *stmt, int i)
{
	const char *v = (const char *)sqlite3_column_text(stmt, i);

	return v ? v : "";
}

/* Column i as text, NULL for SQL NULL. */
static const char *col_text(sqlite3_stmt *stmt, int i)
{
	return sqlite3_column_type(stmt, i) == SQLITE_NULL ? NULL : col_cstr(stmt, i);
}

static int sq_verify_log(struct cc_store *st, int64_t *n_entries_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt *stmt = NULL;
	char prev[65] = "";
	int64_t n = 0;
	bool own;
	int rc, ret;

	*n_entries_out = 0;
	if ((ret = rx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_CHANGE_ALL, &stmt, err)) < 0)
		goto out_leave;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct cc__change_entry e = {
			.id = sqlite3_column_int64(stmt, 0),
			.at = col_cstr(stmt, 1),
			.who = col_cstr(stmt, 2),
			.tbl = col_cstr(stmt, 3),
			.op = col_cstr(stmt, 4),
			.record_id = sqlite3_column_int64(stmt, 5),
			.first_id = sqlite3_column_int64(stmt, 6),
			.last_id = sqlite3_column_int64(stmt, 7),
			.batch = sqlite3_column_int64(stmt, 8),
			.count = sqlite3_column_int64(stmt, 9),
			.mission_id = sqlite3_column_int64(stmt, 10),
			.releasability = col_cstr(stmt, 11),
			.detail = col_cstr(stmt, 12),
			.prev_hash = col_cstr(stmt, 13),
		};

		if ((ret = cc__change_check(&e, col_cstr(stmt, 14), prev, err)) < 0)
			break;
		n++;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = sq_error(s, rc, err);
	sqlite3_reset(stmt);
	*n_entries_out = n;
out_leave:
	rx_leave(s, own);
	return ret;
}

/* ---- coverage ---- */

/* A set of ids > 0: open addressing, 0 marks a free slot. */
struct id_set {
	int64_t *slots; /* owned */
	size_t cap;     /* a power of two, or 0 */
	size_t n;
};

static size_t id_slot(int64_t id, size_t cap)
{
	return (size_t)(((uint64_t)id * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (cap - 1);
}

/* Adds id (> 0); 0 or CC_ENOMEM. */
static int id_set_add(struct id_set *set, int64_t id)
{
	size_t i;

	if (2 * (set->n + 1) > set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 256;
		int64_t *slots = cc_alloc_array(cap, sizeof(*slots));

		if (!slots)
			return CC_ENOMEM;
		for (size_t k = 0; k < set->cap; k++) {
			if (!set->slots[k])
				continue;
			for (i = id_slot(set->slots[k], cap); slots[i]; i = (i + 1) & (cap - 1))
				;
			slots[i] = set->slots[k];
		}
		cc_free(set->slots);
		set->slots = slots;
		set->cap = cap;
	}
	for (i = id_slot(id, set->cap); set->slots[i]; i = (i + 1) & (set->cap - 1))
		if (set->slots[i] == id)
			return 0;
	set->slots[i] = id;
	set->n++;
	return 0;
}

/* The ids as a JSON array, for json_each(). */
static int id_set_json(const struct id_set *set, struct cc_buf *out)
{
	bool first = true;
	int ret = cc_buf_addch(out, '[');

	for (size_t k = 0; k < set->cap && ret == 0; k++) {
		if (!set->slots[k])
			continue;
		ret = cc_buf_addf(out, first ? "%lld" : ",%lld", (long long)set->slots[k]);
		first = false;
	}
	return ret < 0 ? ret : cc_buf_addch(out, ']');
}

struct cov_read {
	struct cc__cov_read cov; /* the records and their sectors */
	struct id_set areas;     /* areas of the records */
	int64_t last_area;   /* last one added to areas */
};

static int read_records(struct sqlite_store *s, sqlite3_stmt *stmt, enum cc_coverage_by by,
                        struct cov_read *r, struct cc_err *err)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct cc_coverage_record *rec = cc__cov_add(&r->cov);
		enum cc_rel rel;

		if (!rec)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		rec->activity_id = sqlite3_column_int64(stmt, 0);
		rec->org_id = sqlite3_column_int64(stmt, 1);
		rec->area_id = sqlite3_column_int64(stmt, 2);
		rec->sector_id = sqlite3_column_int64(stmt, 3);
		rec->kind = sqlite3_column_int(stmt, 4) == CC_KIND_ACTIVITY ? CC_KIND_ACTIVITY
		                                                            : CC_KIND_PRESENCE;
		rec->targeted = col_num(stmt, 5);
		rec->reached = col_num(stmt, 6);
		rec->rel = cc_rel_parse(col_cstr(stmt, 11), &rel, NULL) < 0 ? CC_REL_ORG : rel;
		rec->column = 0;
		if (rec->area_id > 0 && rec->area_id != r->last_area) {
			if (id_set_add(&r->areas, rec->area_id) < 0)
				return cc_err_set(err, CC_ENOMEM, "out of memory");
			r->last_area = rec->area_id;
		}
		if (cc__cov_place(&r->cov, rec, by, col_text(stmt, 10), col_cstr(stmt, 7),
		                  col_text(stmt, 8), col_cstr(stmt, 9)) < 0)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (rc != SQLITE_DONE)
		return sq_error(s, rc, err);
	return 0;
}

static int bind_cov(sqlite3_stmt *stmt, const struct cc_coverage_query *q)
{
	int rc;

	if ((rc = sqlite3_bind_int64(stmt, 1, q->mission_id)) ||
	    (rc = bind_date(stmt, 2, q->from)) || (rc = bind_date(stmt, 3, q->to)) ||
	    (rc = bind_id(stmt, 4, q->within_area)))
		return rc;
	return 0;
}

static int sq_load_coverage(struct cc_store *st, const struct cc_coverage_query *q,
                            struct cc_coverage_record **records_out, size_t *n_records_out,
                            struct cc_coverage_column **columns_out, size_t *n_columns_out,
                            struct cc_area **areas_out, size_t *n_areas_out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	struct cov_read r = { 0 };
	struct cc_buf ids = CC_BUF_INIT(0);
	struct cc_coverage_column *cols = NULL;
	struct cc_area *areas = NULL;
	size_t n_cols = 0, n_areas = 0;
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = rx_enter(s, &own, err)) < 0)
		return ret;
	if ((ret = prep(s, S_COV_RECORDS, &stmt, err)) < 0)
		goto out_free;
	if ((rc = bind_cov(stmt, q)) || (rc = cc__sq_bind_viewer(st, stmt))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_free;
	}
	ret = read_records(s, stmt, q->by, &r, err);
	sqlite3_reset(stmt);
	if (ret < 0)
		goto out_free;
	if ((ret = cc__cov_columns(&r.cov, q->by, &cols, &n_cols, err)) < 0)
		goto out_free;
	if ((ret = id_set_json(&r.areas, &ids)) < 0) {
		ret = cc_err_set(err, ret, ret == CC_ENOMEM ? "out of memory" : "too many areas");
		goto out_free;
	}
	if ((ret = prep(s, S_COV_AREAS, &stmt, err)) < 0)
		goto out_free;
	if ((rc = sqlite3_bind_text(stmt, 1, ids.buf, (int)ids.len, SQLITE_STATIC))) {
		ret = bind_fail(s, stmt, rc, err);
		goto out_free;
	}
	if ((ret = read_areas(s, stmt, &areas, &n_areas, err)) < 0)
		goto out_free;

	*records_out = r.cov.recs;
	*n_records_out = r.cov.n_recs;
	*columns_out = cols;
	*n_columns_out = n_cols;
	*areas_out = areas;
	*n_areas_out = n_areas;
	r.cov.recs = NULL;
	cols = NULL;
	areas = NULL;
out_free:
	cc__cov_release(&r.cov);
	cc_free(r.areas.slots);
	cc_buf_release(&ids);
	cc_free(cols);
	cc_free(areas);
	rx_leave(s, own);
	return ret;
}

/* ---- helpers for the domain modules (sqlite_int.h) ---- */

sqlite3 *cc__sq_db(struct cc_store *st)
{
	return to_sq(st)->db;
}

int cc__sq_stmt(struct cc_store *st, enum cc__sq_module module, int id, const char *sql,
                sqlite3_stmt **out, struct cc_err *err)
{
	struct sqlite_store *s = to_sq(st);
	sqlite3_stmt **slot;
	int rc;

	assert(module < CC__SQ_N_MODULES && id >= 0 && id < CC__SQ_MODULE_STMTS);
	slot = &s->mod_stmt[module][id];
	if (!*slot) {
		rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
		if (rc != SQLITE_OK) {
			*slot = NULL;
			return sq_error(s, rc, err);
		}
	}
	/* a statement that reads marked records reads them for the handle's viewer */
	if ((rc = cc__sq_bind_viewer(st, *slot)))
		return sq_error(s, rc, err);
	*out = *slot;
	return 0;
}

int cc__sq_error(struct cc_store *st, int rc, struct cc_err *err)
{
	return sq_error(to_sq(st), rc, err);
}

int cc__sq_bind_fail(struct cc_store *st, sqlite3_stmt *stmt, int rc, struct cc_err *err)
{
	return bind_fail(to_sq(st), stmt, rc, err);
}

int cc__sq_step_done(struct cc_store *st, sqlite3_stmt *stmt, struct cc_err *err)
{
	return step_done(to_sq(st), stmt, err);
}

int cc__sq_step_row(struct cc_store *st, sqlite3_stmt *stmt, struct cc_err *err)
{
	return step_row(to_sq(st), stmt, err);
}

int cc__sq_exec(struct cc_store *st, const char *sql, struct cc_err *err)
{
	return exec(to_sq(st), sql, NULL, err);
}

int cc__sq_tx_enter(struct cc_store *st, bool *own, struct cc_err *err)
{
	return tx_enter(to_sq(st), own, err);
}

int cc__sq_tx_leave(struct cc_store *st, bool own, int ret, struct cc_err *err)
{
	return tx_leave(to_sq(st), own, ret, err);
}

int cc__sq_rx_enter(struct cc_store *st, bool *own, struct cc_err *err)
{
	return rx_enter(to_sq(st), own, err);
}

void cc__sq_rx_leave(struct cc_store *st, bool own)
{
	rx_leave(to_sq(st), own);
}

int cc__sq_bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
	return bind_text(stmt, i, v);
}

int cc__sq_bind_id(sqlite3_stmt *stmt, int i, int64_t v)
{
	return bind_id(stmt, i, v);
}

int cc__sq_bind_date(sqlite3_stmt *stmt, int i, int32_t v)
{
	return bind_date(stmt, i, v);
}

int cc__sq_bind_num(sqlite3_stmt *stmt, int i, double v)
{
	return bind_num(stmt, i, v);
}

void cc__sq_col_str(sqlite3_stmt *stmt, int i, char *dst, size_t n)
{
	col_str(stmt, i, dst, n);
}

int32_t cc__sq_col_date(sqlite3_stmt *stmt, int i)
{
	return col_date(stmt, i);
}

double cc__sq_col_num(sqlite3_stmt *stmt, int i)
{
	return col_num(stmt, i);
}

int cc__sq_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	return cc__grow(arr, cap, n, size);
}

const struct cc_store_ops cc__store_sqlite = {
	.scheme = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.migrate = sq_migrate,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.savepoint = sq_savepoint,
	.digest = sq_digest,
	.count = sq_count,
	.put_mission = sq_put_mission,
	.get_mission = sq_get_mission,
	.put_code = sq_put_code,
	.put_code_alias = sq_put_code_alias,
	.put_pillar = sq_put_pillar,
	.list_pillars = sq_list_pillars,
	.resolve_code = sq_resolve_code,
	.sector_id = sq_sector_id,
	.put_area = sq_put_area,
	.find_area = sq_find_area,
	.find_area_by_name = sq_find_area_by_name,
	.put_area_alias = sq_put_area_alias,
	.set_area_parent = sq_set_area_parent,
	.list_areas = sq_list_areas,
	.area_geometry = sq_area_geometry,
	.put_org = sq_put_org,
	.find_org = sq_find_org,
	.put_org_alias = sq_put_org_alias,
	.get_source = sq_get_source,
	.put_source = sq_put_source,
	.list_sources = sq_list_sources,
	.new_batch = sq_new_batch,
	.put_activity = sq_put_activity,
	.remove_stale = sq_remove_stale,
	.log_change = sq_log_change,
	.verify_log = sq_verify_log,
	.load_coverage = sq_load_coverage,
	/* domain modules (sqlite_<domain>.c): one line each */
	.events = &cc__sqlite_events,
	.indicators = &cc__sqlite_indicators,
	.needs = &cc__sqlite_needs,
	.lessons = &cc__sqlite_lessons,
	.auth = &cc__sqlite_auth,
	.export = &cc__sqlite_export,
	.overlap = &cc__sqlite_overlap,
	.survey = &cc__sqlite_survey,
	.sharing = &cc__sqlite_sharing,
	.activities = &cc__sqlite_activities,
	.iati = &cc__sqlite_iati,
	.webhooks = &cc__sqlite_webhooks,
	.rounds = &cc__sqlite_rounds,
	.rates = &cc__sqlite_rates,
	.computed = &cc__sqlite_computed,
	.registry = &cc__sqlite_registry,
	.edits = &cc__sqlite_edits,
	.status_rule = &cc__sqlite_status_rule,
};
