/*
 * The core records on PostgreSQL: missions, code lists and sectors, pillars, areas,
 * organisations, sources and batches (the 3W import path, put_activity and remove_stale, is
 * postgres_3w.c). The statements are SQLite's (sqlite.c) in PostgreSQL's dialect:
 *
 *   - parameters are $1…$n, with a cast where the server cannot infer the type;
 *   - an upsert of a record with an id updates first and inserts only when nothing was
 *     updated (WITH upd AS (UPDATE … RETURNING id) INSERT … WHERE NOT EXISTS (SELECT FROM
 *     upd)), because INSERT … ON CONFLICT takes an id from the sequence even when it updates:
 *     ids then follow SQLite's (1, 2, 3 … in the order of insertion), which the outputs show.
 *     The insert still ends in ON CONFLICT … DO UPDATE with the same changes, for the race of
 *     two transactions adding the same key at once: the second then updates (and only then
 *     uses up a number);
 *   - case-insensitive matching of code aliases is lower() of "C" text (ASCII, as NOCASE);
 *   - an area's geometry is PostGIS (ST_GeomFromWKB in, ST_AsBinary out; the box query
 *     uses the GiST index through &&).
 */
#include "store/postgres_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

/* ---- missions ---- */

#define MISSION_COLS "id, code, name, country, start_date, end_date"

int cc__pg_put_mission(struct cc_store *st, struct cc_mission *m, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_str(&p, m->code);
	cc__pg_str(&p, m->name[0] ? m->name : m->code);
	cc__pg_text(&p, m->country);
	cc__pg_date(&p, m->start_date);
	cc__pg_date(&p, m->end_date);
	return cc__pg_upsert_id(st,
	                        "WITH upd AS (UPDATE mission SET name = $2, country = $3, "
	                        "start_date = $4::integer, end_date = $5::integer WHERE code = $1 "
	                        "RETURNING id), ins AS (INSERT INTO mission (code, name, country, "
	                        "start_date, end_date) SELECT $1, $2, $3, $4::integer, $5::integer "
	                        "WHERE NOT EXISTS (SELECT 1 FROM upd) ON CONFLICT (code) DO UPDATE "
	                        "SET name = excluded.name, country = excluded.country, start_date "
	                        "= excluded.start_date, end_date = excluded.end_date RETURNING id) "
	                        "SELECT id FROM upd UNION ALL SELECT id "
	                        "FROM ins",
	                        &p, &m->id, "mission", m->code, err);
}

static void row_mission(const PGresult *res, int r, struct cc_mission *out)
{
	out->id = cc__pg_col_i64(res, r, 0);
	cc__pg_col_str(res, r, 1, out->code, sizeof(out->code));
	cc__pg_col_str(res, r, 2, out->name, sizeof(out->name));
	cc__pg_col_str(res, r, 3, out->country, sizeof(out->country));
	out->start_date = cc__pg_col_date(res, r, 4);
	out->end_date = cc__pg_col_date(res, r, 5);
}

int cc__pg_get_mission(struct cc_store *st, const char *code, struct cc_mission *out,
                       struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int64_t n;
	int ret;

	if (code && *code) {
		cc__pg_str(&p, code);
		ret = cc__pg_exec(st, "SELECT " MISSION_COLS " FROM mission WHERE code = $1", &p,
		                  false, &res, err);
		if (ret < 0)
			return ret;
		if (PQntuples(res) < 1)
			ret = cc_err_set(err, CC_ENOTFOUND, "unknown mission '%s'", code);
		else
			row_mission(res, 0, out);
		PQclear(res);
		return ret;
	}
	ret = cc__pg_exec(st,
	                  "SELECT " MISSION_COLS ", (SELECT count(*) FROM mission) FROM mission "
	                  "ORDER BY id LIMIT 1",
	                  NULL, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1) {
		ret = cc_err_set(err, CC_ENOTFOUND, "store holds no mission; create one first");
	} else if ((n = cc__pg_col_i64(res, 0, 6)) > 1) {
		ret = cc_err_set(err, CC_EUSAGE, "store holds %lld missions; choose one with -m CODE",
		                 (long long)n);
	} else {
		row_mission(res, 0, out);
	}
	PQclear(res);
	return ret;
}

/* ---- code lists ---- */

int cc__pg_put_code(struct cc_store *st, const char *list, const char *vocabulary,
                    const char *code, const char *name, const char *category,
                    struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_str(&p, list);
	cc__pg_str(&p, code);
	cc__pg_text(&p, name);
	cc__pg_text(&p, category);
	ret = cc__pg_exec(st,
	                  "INSERT INTO codelist (list, code, name, category) VALUES ($1, $2, $3, "
	                  "$4) ON CONFLICT (list, code) DO UPDATE SET name = excluded.name, "
	                  "category = excluded.category",
	                  &p, false, NULL, err);
	if (ret == 0 && vocabulary) {
		p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
		cc__pg_str(&p, vocabulary);
		cc__pg_str(&p, code);
		cc__pg_text(&p, name);
		cc__pg_text(&p, category);
		ret = cc__pg_exec(st,
		                  "WITH upd AS (UPDATE sector SET name = $3, category = $4 WHERE "
		                  "vocabulary = $1 AND code = $2 RETURNING id) INSERT INTO sector "
		                  "(vocabulary, code, name, category) SELECT $1, $2, $3, $4 WHERE "
		                  "NOT EXISTS (SELECT 1 FROM upd) ON CONFLICT (vocabulary, code) "
		                  "DO UPDATE "
		                  "SET name = excluded.name, category = excluded.category",
		                  &p, false, NULL, err);
	}
	return cc__pg_tx_leave(st, own, ret, err);
}

int cc__pg_put_code_alias(struct cc_store *st, const char *alias, const char *list,
                          const char *code, const char *scope, const char *source,
                          struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_str(&p, list);
	cc__pg_str(&p, alias);
	cc__pg_str(&p, code);
	cc__pg_str(&p, scope);
	cc__pg_text(&p, source);
	/* the key compares alias case-insensitively (ASCII), as SQLite's NOCASE column */
	return cc__pg_write(st,
	                    "INSERT INTO code_alias (list, alias, code, scope, source) VALUES ($1, "
	                    "$2, $3, $4, $5) ON CONFLICT (list, lower(alias), scope) DO UPDATE SET "
	                    "code = excluded.code, source = excluded.source",
	                    &p, err);
}

int cc__pg_put_pillar(struct cc_store *st, int64_t mission_id, const char *vocabulary,
                      const char *code, enum cc_pillar pillar, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, mission_id);
	cc__pg_str(&p, vocabulary);
	cc__pg_str(&p, code);
	cc__pg_str(&p, cc_pillar_name((int)pillar));
	return cc__pg_write(st,
	                    "INSERT INTO pillar_map (mission_id, vocabulary, code, pillar) VALUES "
	                    "($1, $2, $3, $4) ON CONFLICT (mission_id, vocabulary, code) DO UPDATE "
	                    "SET pillar = excluded.pillar",
	                    &p, err);
}

int cc__pg_list_pillars(struct cc_store *st, int64_t mission_id, const char *vocabulary,
                        bool overrides_only, struct cc_pillar_row **out, size_t *n_out,
                        struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_pillar_row *rows;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, mission_id);
	cc__pg_text(&p, vocabulary);
	cc__pg_bool(&p, overrides_only);
	/* the mission's own, then the defaults it does not override; vocabularies as numbers */
	ret = cc__pg_rows(st,
	                  "SELECT p.vocabulary, p.code, p.pillar, p.mission_id <> 0 FROM "
	                  "pillar_map p WHERE ($2::text IS NULL OR p.vocabulary = $2::text) AND "
	                  "(p.mission_id = $1::bigint OR (NOT $3::boolean AND p.mission_id = 0 AND "
	                  "NOT EXISTS (SELECT 1 FROM pillar_map o WHERE o.mission_id = $1::bigint "
	                  "AND o.vocabulary = p.vocabulary AND o.code = p.code))) ORDER BY CASE "
	                  "WHEN p.vocabulary ~ '^[0-9]{1,9}$' THEN p.vocabulary::integer ELSE 0 "
	                  "END, p.code",
	                  &p, sizeof(*rows), &res, (void **)out, n_out, err);
	if (ret < 0)
		return ret;
	rows = *out;
	for (int r = 0; r < (int)*n_out; r++) {
		cc__pg_col_str(res, r, 0, rows[r].vocabulary, sizeof(rows[r].vocabulary));
		cc__pg_col_str(res, r, 1, rows[r].code, sizeof(rows[r].code));
		rows[r].pillar = (enum cc_pillar)cc_pillar_parse(cc__pg_cstr(res, r, 2));
		rows[r].override = cc__pg_col_i64(res, r, 3) != 0;
	}
	PQclear(res);
	return 0;
}

/* One text column of the first row: 0 found (copied), 1 none, < 0 error. */
static int lookup_code(struct cc_store *st, const char *sql, const char *a, const char *b,
                       const char *c, char *out, size_t n, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	const char *code;
	int ret;

	cc__pg_str(&p, a);
	cc__pg_str(&p, b);
	if (c)
		cc__pg_str(&p, c);
	if ((ret = cc__pg_exec(st, sql, &p, false, &res, err)) < 0)
		return ret;
	if (PQntuples(res) < 1) {
		PQclear(res);
		return 1;
	}
	code = cc__pg_cstr(res, 0, 0);
	if (strlen(code) >= n)
		ret = cc_err_set(err, CC_ETOOBIG, "code '%s' is longer than %zu bytes", code, n - 1);
	else
		snprintf(out, n, "%s", code);
	PQclear(res);
	return ret;
}

int cc__pg_resolve_code(struct cc_store *st, const char *list, const char *text,
                        const char *scope, char *code_out, size_t n, struct cc_err *err)
{
	int ret;

	ret = lookup_code(st, "SELECT code FROM codelist WHERE list = $1 AND code = $2", list, text,
	                  NULL, code_out, n, err);
	if (ret <= 0)
		return ret;
	/* a scoped alias beats an unscoped one */
	ret = lookup_code(st,
	                  "SELECT code FROM code_alias WHERE list = $1 AND lower(alias) = "
	                  "lower($2::text COLLATE \"C\") AND scope IN ('', $3) ORDER BY scope = '' "
	                  "LIMIT 1",
	                  list, text, scope, code_out, n, err);
	if (ret <= 0)
		return ret;
	return cc_err_set(err, CC_ENOTFOUND, "unknown code '%s' in list '%s'", text, list);
}

int cc__pg_sector_id(struct cc_store *st, const char *vocabulary, const char *code,
                     int64_t *id_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_str(&p, vocabulary);
	cc__pg_str(&p, code);
	ret = cc__pg_exec(st, "SELECT id FROM sector WHERE vocabulary = $1 AND code = $2", &p,
	                  false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ENOTFOUND, "unknown sector '%s' in vocabulary '%s'", code,
		                 vocabulary);
	else
		*id_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return ret;
}

/* ---- areas ---- */

static void row_area(const PGresult *res, int r, struct cc_area *out)
{
	memset(out, 0, sizeof(*out));
	out->id = cc__pg_col_i64(res, r, 0);
	cc__pg_col_str(res, r, 1, out->pcode, sizeof(out->pcode));
	cc__pg_col_str(res, r, 2, out->name, sizeof(out->name));
	out->level = (int)cc__pg_col_i64(res, r, 3);
	out->parent_id = cc__pg_col_i64(res, r, 4);
	out->population = cc__pg_col_null(res, r, 5) ? -1 : cc__pg_col_i64(res, r, 5);
	out->has_geom = !cc__pg_col_null(res, r, 6);
	out->minx = out->has_geom ? cc__pg_col_num(res, r, 6) : 0;
	out->miny = out->has_geom ? cc__pg_col_num(res, r, 7) : 0;
	out->maxx = out->has_geom ? cc__pg_col_num(res, r, 8) : 0;
	out->maxy = out->has_geom ? cc__pg_col_num(res, r, 9) : 0;
}

int cc__pg_read_areas(const PGresult *res, struct cc_area **out, size_t *n_out,
                      struct cc_err *err)
{
	int n = PQntuples(res);
	struct cc_area *areas;

	*out = NULL;
	*n_out = 0;
	if (n == 0)
		return 0;
	areas = cc_alloc_array((size_t)n, sizeof(*areas));
	if (!areas)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (int r = 0; r < n; r++)
		row_area(res, r, &areas[r]);
	*out = areas;
	*n_out = (size_t)n;
	return 0;
}

/* unknown fields of an update keep what is stored; $12 new geometry, $13 new box */
#define AREA_SET                                                                              \
	"name = $2, name_norm = $3, level = $4::integer, parent_id = coalesce($5::bigint, "   \
	"area.parent_id), population = coalesce($6::bigint, area.population), geom = CASE "  \
	"WHEN $12::boolean THEN ST_GeomFromWKB($7::bytea, 4326) ELSE area.geom END, minx = " \
	"CASE WHEN $13::boolean THEN $8::float8 ELSE area.minx END, miny = CASE WHEN "       \
	"$13::boolean THEN $9::float8 ELSE area.miny END, maxx = CASE WHEN $13::boolean THEN " \
	"$10::float8 ELSE area.maxx END, maxy = CASE WHEN $13::boolean THEN $11::float8 ELSE " \
	"area.maxy END"

int cc__pg_put_area(struct cc_store *st, struct cc_area *a, const char *name_norm,
                    const void *wkb, size_t len, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	if (wkb && len > INT32_MAX)
		return cc_err_set(err, CC_ETOOBIG, "geometry of area '%s' too big", a->pcode);
	cc__pg_str(&p, a->pcode);
	cc__pg_str(&p, a->name);
	cc__pg_str(&p, name_norm);
	cc__pg_i64(&p, a->level);
	cc__pg_id(&p, a->parent_id);
	if (a->population < 0)
		cc__pg_null(&p);
	else
		cc__pg_i64(&p, a->population);
	cc__pg_blob(&p, wkb, len);
	cc__pg_num(&p, a->has_geom ? a->minx : (double)NAN);
	cc__pg_num(&p, a->has_geom ? a->miny : (double)NAN);
	cc__pg_num(&p, a->has_geom ? a->maxx : (double)NAN);
	cc__pg_num(&p, a->has_geom ? a->maxy : (double)NAN);
	cc__pg_bool(&p, wkb != NULL);
	cc__pg_bool(&p, a->has_geom);
	return cc__pg_upsert_id(st,
	                        "WITH upd AS (UPDATE area SET " AREA_SET " WHERE pcode = $1 "
	                        "RETURNING id), ins AS (INSERT INTO area (pcode, name, name_norm, "
	                        "level, parent_id, population, geom, minx, miny, maxx, maxy) "
	                        "SELECT $1, $2, $3, $4::integer, $5::bigint, $6::bigint, "
	                        "ST_GeomFromWKB($7::bytea, 4326), $8::float8, $9::float8, "
	                        "$10::float8, $11::float8 WHERE NOT EXISTS (SELECT 1 FROM upd) ON "
	                        "CONFLICT (pcode) DO UPDATE SET " AREA_SET " RETURNING id) SELECT "
	                        "id "
	                        "FROM upd UNION ALL SELECT id FROM ins",
	                        &p, &a->id, "area", a->pcode, err);
}

int cc__pg_find_area(struct cc_store *st, const char *pcode, struct cc_area *out,
                     struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_str(&p, pcode);
	ret = cc__pg_exec(st, "SELECT " CC__PG_AREA_COLS " FROM area WHERE pcode = $1", &p, false,
	                  &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ENOTFOUND, "unknown P-code '%s'", pcode);
	else
		row_area(res, 0, out);
	PQclear(res);
	return ret;
}

int cc__pg_find_area_by_name(struct cc_store *st, int64_t parent_id, int level,
                             const char *name_norm, struct cc_area *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	char pcodes[200] = "";
	size_t len = 0;
	int n, ret;

	cc__pg_i64(&p, level);
	cc__pg_i64(&p, parent_id);
	cc__pg_str(&p, name_norm);
	ret = cc__pg_exec(st,
	                  "SELECT " CC__PG_AREA_COLS " FROM area WHERE ($1::integer < 0 OR level = "
	                  "$1::integer) AND ($2::bigint = 0 OR parent_id = $2::bigint) AND "
	                  "(name_norm = $3 OR id IN (SELECT area_id FROM area_alias WHERE "
	                  "alias_norm = $3)) ORDER BY pcode LIMIT 8",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	n = PQntuples(res);
	for (int r = 0; r < n; r++) {
		int k = snprintf(pcodes + len, sizeof(pcodes) - len, "%s%s", len ? ", " : "",
		                 cc__pg_cstr(res, r, 1));

		if (k > 0 && (size_t)k < sizeof(pcodes) - len)
			len += (size_t)k;
	}
	if (n == 0)
		ret = cc_err_set(err, CC_ENOTFOUND, "no area named '%s' at level %d", name_norm,
		                 level);
	else if (n > 1)
		ret = cc_err_set(err, CC_EINVALID, "several areas at level %d are named '%s': %s%s",
		                 level, name_norm, pcodes, n >= 8 ? ", ..." : "");
	else
		row_area(res, 0, out);
	PQclear(res);
	return ret;
}

int cc__pg_put_area_alias(struct cc_store *st, int64_t area_id, const char *alias_norm,
                          const char *source, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_str(&p, alias_norm);
	cc__pg_i64(&p, area_id);
	cc__pg_text(&p, source);
	return cc__pg_write(st,
	                    "INSERT INTO area_alias (alias_norm, area_id, source) VALUES ($1, $2, "
	                    "$3) ON CONFLICT (alias_norm, area_id) DO UPDATE SET source = "
	                    "excluded.source",
	                    &p, err);
}

int cc__pg_set_area_parent(struct cc_store *st, int64_t area_id, int64_t parent_id,
                           struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, area_id);
	cc__pg_id(&p, parent_id);
	ret = cc__pg_exec(st, "UPDATE area SET parent_id = $2 WHERE id = $1", &p, false, &res,
	                  err);
	if (ret == 0 && cc__pg_changes(res) == 0)
		ret = cc_err_set(err, CC_ENOTFOUND, "no area with id %lld", (long long)area_id);
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}

int cc__pg_list_areas(struct cc_store *st, const struct cc_area_filter *f, struct cc_area **out,
                      size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, f->level);
	cc__pg_i64(&p, f->parent_id);
	cc__pg_bool(&p, f->in_bbox);
	cc__pg_num(&p, f->minx);
	cc__pg_num(&p, f->miny);
	cc__pg_num(&p, f->maxx);
	cc__pg_num(&p, f->maxy);
	/* the box test on the GiST index, as SQLite's on its R*Tree */
	ret = cc__pg_exec(st,
	                  "SELECT " CC__PG_AREA_COLS " FROM area WHERE ($1::integer < 0 OR level = "
	                  "$1::integer) AND ($2::bigint = 0 OR parent_id = $2::bigint) AND (NOT "
	                  "$3::boolean OR geom && ST_MakeEnvelope($4::float8, $5::float8, "
	                  "$6::float8, $7::float8, 4326)) ORDER BY pcode",
	                  &p, false, &res, err);
	if (ret == 0)
		ret = cc__pg_read_areas(res, out, n_out, err);
	PQclear(res);
	return ret;
}

int cc__pg_area_geometry(struct cc_store *st, int64_t area_id, void **wkb_out, size_t *len_out,
                         struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, area_id);
	/* binary result: the WKB's bytes as they are */
	ret = cc__pg_exec(st, "SELECT ST_AsBinary(geom, 'NDR') FROM area WHERE id = $1::bigint",
	                  &p, true, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1) {
		ret = cc_err_set(err, CC_ENOTFOUND, "no area with id %lld", (long long)area_id);
	} else if (!PQgetisnull(res, 0, 0)) {
		size_t n = (size_t)PQgetlength(res, 0, 0);

		*wkb_out = cc_malloc(n ? n : 1);
		if (!*wkb_out) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		} else {
			memcpy(*wkb_out, PQgetvalue(res, 0, 0), n);
			*len_out = n;
		}
	}
	PQclear(res);
	return ret;
}

/* ---- organisations ---- */

/* unknown fields of an update keep what is stored */
#define ORG_SET                                                                              \
	"name = $3, acronym = coalesce($4, organisation.acronym), type = coalesce($5, "       \
	"organisation.type), kind = coalesce($6, organisation.kind), is_local = "            \
	"coalesce($7::integer, organisation.is_local), nation = coalesce($8, "               \
	"organisation.nation)"

int cc__pg_put_org(struct cc_store *st, struct cc_org *o, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, o->mission_id);
	cc__pg_str(&p, o->key);
	cc__pg_str(&p, o->name[0] ? o->name : o->key);
	cc__pg_text(&p, o->acronym);
	cc__pg_text(&p, o->type);
	cc__pg_text(&p, o->kind);
	if (o->is_local < 0)
		cc__pg_null(&p);
	else
		cc__pg_i64(&p, o->is_local != 0);
	cc__pg_text(&p, o->nation);
	/* unknown fields of an update keep what is stored */
	return cc__pg_upsert_id(st,
	                        "WITH upd AS (UPDATE organisation SET " ORG_SET " WHERE mission_id "
	                        "= $1::bigint AND key = $2 RETURNING id), ins AS (INSERT INTO "
	                        "organisation (mission_id, key, name, acronym, type, kind, "
	                        "is_local, nation) SELECT $1::bigint, $2, $3, $4, $5, $6, "
	                        "$7::integer, $8 WHERE NOT EXISTS (SELECT 1 FROM upd) ON CONFLICT "
	                        "(mission_id, key) DO UPDATE SET " ORG_SET " RETURNING id) SELECT "
	                        "id FROM upd UNION ALL SELECT id FROM "
	                        "ins",
	                        &p, &o->id, "organisation", o->key, err);
}

int cc__pg_find_org(struct cc_store *st, int64_t mission_id, const char *alias_norm,
                    struct cc_org *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, mission_id);
	cc__pg_str(&p, alias_norm);
	ret = cc__pg_exec(st,
	                  "(SELECT id, mission_id, key, name, acronym, type, kind, is_local, "
	                  "nation, 0 AS via FROM organisation WHERE mission_id = $1::bigint AND "
	                  "key = $2 UNION ALL SELECT o.id, o.mission_id, o.key, o.name, o.acronym, "
	                  "o.type, o.kind, o.is_local, o.nation, 1 FROM org_alias l JOIN "
	                  "organisation o ON o.id = l.org_id WHERE l.mission_id = $1::bigint AND "
	                  "l.alias_norm = $2) ORDER BY via LIMIT 1",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1) {
		ret = cc_err_set(err, CC_ENOTFOUND, "unknown organisation '%s'", alias_norm);
	} else {
		out->id = cc__pg_col_i64(res, 0, 0);
		out->mission_id = cc__pg_col_i64(res, 0, 1);
		cc__pg_col_str(res, 0, 2, out->key, sizeof(out->key));
		cc__pg_col_str(res, 0, 3, out->name, sizeof(out->name));
		cc__pg_col_str(res, 0, 4, out->acronym, sizeof(out->acronym));
		cc__pg_col_str(res, 0, 5, out->type, sizeof(out->type));
		cc__pg_col_str(res, 0, 6, out->kind, sizeof(out->kind));
		out->is_local = cc__pg_col_null(res, 0, 7) ? -1 : (int)cc__pg_col_i64(res, 0, 7);
		cc__pg_col_str(res, 0, 8, out->nation, sizeof(out->nation));
	}
	PQclear(res);
	return ret;
}

int cc__pg_put_org_alias(struct cc_store *st, int64_t mission_id, int64_t org_id,
                         const char *alias_norm, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, mission_id);
	cc__pg_str(&p, alias_norm);
	cc__pg_i64(&p, org_id);
	return cc__pg_write(st,
	                    "INSERT INTO org_alias (mission_id, alias_norm, org_id) VALUES ($1, "
	                    "$2, $3) ON CONFLICT (mission_id, alias_norm) DO UPDATE SET org_id = "
	                    "excluded.org_id",
	                    &p, err);
}

/* ---- sources ---- */

#define SRC_COLS                                                                      \
	"id, mission_id, name, digest, batch, period_from, period_to, imported_at, n_read, " \
	"n_rejected"

static void row_source(const PGresult *res, int r, struct cc_source *out)
{
	out->id = cc__pg_col_i64(res, r, 0);
	out->mission_id = cc__pg_col_i64(res, r, 1);
	cc__pg_col_str(res, r, 2, out->name, sizeof(out->name));
	cc__pg_col_str(res, r, 3, out->digest, sizeof(out->digest));
	out->batch = cc__pg_col_i64(res, r, 4);
	out->period_from = cc__pg_col_date(res, r, 5);
	out->period_to = cc__pg_col_date(res, r, 6);
	cc__pg_col_str(res, r, 7, out->imported_at, sizeof(out->imported_at));
	out->n_read = cc__pg_col_null(res, r, 8) ? -1 : cc__pg_col_i64(res, r, 8);
	out->n_rejected = cc__pg_col_null(res, r, 9) ? -1 : cc__pg_col_i64(res, r, 9);
	out->n_records = 0;
}

int cc__pg_get_source(struct cc_store *st, int64_t mission_id, const char *name,
                      struct cc_source *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, mission_id);
	cc__pg_str(&p, name);
	ret = cc__pg_exec(st, "SELECT " SRC_COLS " FROM source WHERE mission_id = $1 AND name = $2",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ENOTFOUND, "unknown source '%s'", name);
	else
		row_source(res, 0, out);
	PQclear(res);
	return ret;
}

#define SRC_SET                                                                               \
	"digest = $3, batch = $4::bigint, period_from = $5::integer, period_to = $6::integer, " \
	"imported_at = $7, n_read = $8::bigint, n_rejected = $9::bigint"

int cc__pg_put_source(struct cc_store *st, struct cc_source *src, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, src->mission_id);
	cc__pg_str(&p, src->name);
	cc__pg_text(&p, src->digest);
	cc__pg_id(&p, src->batch);
	cc__pg_date(&p, src->period_from);
	cc__pg_date(&p, src->period_to);
	cc__pg_text(&p, src->imported_at);
	if (src->n_read < 0)
		cc__pg_null(&p);
	else
		cc__pg_i64(&p, src->n_read);
	if (src->n_rejected < 0)
		cc__pg_null(&p);
	else
		cc__pg_i64(&p, src->n_rejected);
	return cc__pg_upsert_id(st,
	                        "WITH upd AS (UPDATE source SET " SRC_SET " WHERE mission_id = "
	                        "$1::bigint AND name = $2 RETURNING id), ins AS (INSERT INTO "
	                        "source (mission_id, name, digest, batch, period_from, period_to, "
	                        "imported_at, n_read, n_rejected) SELECT $1::bigint, $2, $3, "
	                        "$4::bigint, $5::integer, $6::integer, $7, $8::bigint, $9::bigint "
	                        "WHERE NOT EXISTS (SELECT 1 FROM upd) ON CONFLICT (mission_id, "
	                        "name) DO UPDATE SET " SRC_SET " RETURNING "
	                        "id) SELECT id FROM upd UNION ALL SELECT id FROM ins",
	                        &p, &src->id, "source", src->name, err);
}

int cc__pg_list_sources(struct cc_store *st, int64_t mission_id, struct cc_source **out,
                        size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_source *srcs;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, mission_id);
	ret = cc__pg_rows(st,
	                  "SELECT " SRC_COLS ", (SELECT count(*) FROM activity a WHERE a.source_id "
	                  "= source.id) FROM source WHERE mission_id IN ($1, 0) ORDER BY name, "
	                  "mission_id",
	                  &p, sizeof(*srcs), &res, (void **)out, n_out, err);
	if (ret < 0)
		return ret;
	srcs = *out;
	for (int r = 0; r < (int)*n_out; r++) {
		row_source(res, r, &srcs[r]);
		srcs[r].n_records = cc__pg_col_i64(res, r, 10);
	}
	PQclear(res);
	return 0;
}

int cc__pg_new_batch(struct cc_store *st, int64_t *batch_out, struct cc_err *err)
{
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = cc__pg_exec(st, "UPDATE meta SET value = value + 1 WHERE key = 'batch' RETURNING value",
	                  NULL, false, &res, err);
	if (ret == 0 && PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ESTORE, "the batch counter is missing");
	if (ret == 0)
		*batch_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}

/* The activities of the 3W import path (put_activity, remove_stale) are in postgres_3w.c. */
