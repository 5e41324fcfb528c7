/*
 * The SQLite backend of the needs domain: tables need and population (migration 0004).
 */
#include "store/ops_needs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"

enum {
	S_NEED_GET,
	S_NEED_INSERT,
	S_NEED_UPDATE,
	S_NEED_SEEN,
	S_NEED_STALE,
	S_NEED_LOAD,
	S_NEED_AREAS,
	S_NEED_SECTORS,
	S_NEED_LIST,
	S_POP_GET,
	S_POP_INSERT,
	S_POP_UPDATE,
	S_POP_STALE,
	S_POP_LIST,
};

#define NEED_COLS                                                                            \
	"mission_id, source_id, area_id, sector_id, period_from, period_to, is_total, sex, " \
	"age_group, pop_group, disability, label, population, in_need, targeted, affected, " \
	"reached, severity, line, natkey, digest, batch"

static const char *const sql_text[] = {
	[S_NEED_GET] =
	        "SELECT id, digest, batch, line FROM need WHERE source_id = ?1 AND natkey = ?2",
	[S_NEED_INSERT] =
	        "INSERT INTO need (" NEED_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	        "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
	[S_NEED_UPDATE] = "UPDATE need SET (" NEED_COLS ") = (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	                  "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) "
	                  "WHERE id = ?23",
	[S_NEED_SEEN] = "UPDATE need SET batch = ?2, line = ?3 WHERE id = ?1",
	[S_NEED_STALE] = "DELETE FROM need WHERE source_id = ?1 AND batch IS NOT ?2",
	/* ?1 mission, ?2 min level, ?3/?4 period (NULL open); pillar as the coverage read does */
	[S_NEED_LOAD] =
	        "SELECT n.area_id, n.sector_id, n.in_need, n.severity, coalesce("
	        "(SELECT p.pillar FROM pillar_map p WHERE p.mission_id = ?1 AND "
	        "p.vocabulary = s.vocabulary AND p.code = s.code), "
	        "CASE WHEN s.vocabulary = '1' THEN (SELECT p.pillar FROM pillar_map p WHERE "
	        "p.mission_id = ?1 AND p.vocabulary = '2' AND p.code = coalesce(s.category, "
	        "substr(s.code, 1, 3))) END, "
	        "(SELECT p.pillar FROM pillar_map p WHERE p.mission_id = 0 AND "
	        "p.vocabulary = s.vocabulary AND p.code = s.code), "
	        "CASE WHEN s.vocabulary = '1' THEN (SELECT p.pillar FROM pillar_map p WHERE "
	        "p.mission_id = 0 AND p.vocabulary = '2' AND p.code = coalesce(s.category, "
	        "substr(s.code, 1, 3))) END, 'other') "
	        "FROM need n LEFT JOIN sector s ON s.id = n.sector_id "
	        "LEFT JOIN area a ON a.id = n.area_id "
	        "WHERE n.mission_id = ?1 AND n.is_total = 1 AND "
	        "(CASE WHEN n.area_id IS NULL THEN 0 ELSE a.level END) >= ?2 AND "
	        "(?3 IS NULL OR n.period_to IS NULL OR n.period_to >= ?3) AND "
	        "(?4 IS NULL OR n.period_from IS NULL OR n.period_from <= ?4) AND "
	        CC__SQ_VISIBLE("n", "need") " ORDER BY n.id",
	/* ?1: the needs' areas as a JSON array; they and all their ancestors */
	[S_NEED_AREAS] = "WITH RECURSIVE anc(id) AS (SELECT value FROM json_each(?1) UNION "
	                 "SELECT p.parent_id FROM area p JOIN anc ON p.id = anc.id "
	                 "WHERE p.parent_id IS NOT NULL) "
	                 "SELECT id, pcode, name, level, parent_id, population, minx, miny, maxx, "
	                 "maxy FROM area WHERE id IN anc ORDER BY pcode",
	[S_NEED_SECTORS] = "SELECT id, code, name FROM sector WHERE id IN (SELECT value FROM "
	                   "json_each(?1)) ORDER BY id",
	[S_NEED_LIST] = "SELECT n.id, " NEED_COLS " FROM need n "
	                "WHERE n.mission_id = ?1 AND (?5 OR n.is_total = 1) AND "
	                "(CASE WHEN n.area_id IS NULL THEN 0 ELSE (SELECT a.level FROM area a "
	                "WHERE a.id = n.area_id) END) >= ?2 AND "
	                "(?3 IS NULL OR n.period_to IS NULL OR n.period_to >= ?3) AND "
	                "(?4 IS NULL OR n.period_from IS NULL OR n.period_from <= ?4) AND "
	                CC__SQ_VISIBLE("n", "need") " ORDER BY n.source_id, n.line, n.id",
	[S_POP_GET] = "SELECT id, value FROM population WHERE source_id = ?1 AND area_id = ?2 AND "
	              "year = ?3",
	[S_POP_INSERT] = "INSERT INTO population (area_id, year, value, source_id, line, batch) "
	                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_POP_UPDATE] = "UPDATE population SET value = ?2, line = ?3, batch = ?4 WHERE id = ?1",
	[S_POP_STALE] = "DELETE FROM population WHERE source_id = ?1 AND batch IS NOT ?2",
	[S_POP_LIST] = "SELECT area_id, source_id, year, value, line FROM population "
	               "WHERE ?1 IS NULL OR area_id = ?1 ORDER BY area_id, year DESC, source_id",
};

static int prep(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_NEEDS, id, sql_text[id], out, err);
}

/* ---- needs ---- */

static int bind_need(sqlite3_stmt *stmt, const struct cc_need *n, int64_t batch)
{
	int rc;

	if ((rc = cc__sq_bind_id(stmt, 1, n->mission_id)) ||
	    (rc = cc__sq_bind_id(stmt, 2, n->source_id)) ||
	    (rc = cc__sq_bind_id(stmt, 3, n->area_id)) ||
	    (rc = cc__sq_bind_id(stmt, 4, n->sector_id)) ||
	    (rc = cc__sq_bind_date(stmt, 5, n->period_from)) ||
	    (rc = cc__sq_bind_date(stmt, 6, n->period_to)) ||
	    (rc = sqlite3_bind_int(stmt, 7, n->is_total ? 1 : 0)) ||
	    (rc = cc__sq_bind_text(stmt, 8, n->sex)) ||
	    (rc = cc__sq_bind_text(stmt, 9, n->age_group)) ||
	    (rc = cc__sq_bind_text(stmt, 10, n->pop_group)) ||
	    (rc = cc__sq_bind_text(stmt, 11, n->disability)) ||
	    (rc = cc__sq_bind_text(stmt, 12, n->label)) ||
	    (rc = cc__sq_bind_num(stmt, 13, n->population)) ||
	    (rc = cc__sq_bind_num(stmt, 14, n->in_need)) ||
	    (rc = cc__sq_bind_num(stmt, 15, n->targeted)) ||
	    (rc = cc__sq_bind_num(stmt, 16, n->affected)) ||
	    (rc = cc__sq_bind_num(stmt, 17, n->reached)))
		return rc;
	rc = n->severity ? sqlite3_bind_int(stmt, 18, n->severity) : sqlite3_bind_null(stmt, 18);
	if (rc || (rc = sqlite3_bind_int64(stmt, 19, n->line)) ||
	    (rc = sqlite3_bind_blob(stmt, 20, n->natkey, sizeof(n->natkey), SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_blob(stmt, 21, n->digest, sizeof(n->digest), SQLITE_STATIC)) ||
	    (rc = cc__sq_bind_id(stmt, 22, batch)))
		return rc;
	return 0;
}

static int put_need(struct cc_store *st, struct cc_need *n, int64_t batch,
                    enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t id = 0, old_batch = 0;
	bool same = false;
	long old_line = 0;
	int rc, ret;

	if ((ret = prep(st, S_NEED_GET, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, n->source_id)) ||
	    (rc = sqlite3_bind_blob(stmt, 2, n->natkey, sizeof(n->natkey), SQLITE_STATIC)))
		return cc__sq_bind_fail(st, stmt, rc, err);
	ret = cc__sq_step_row(st, stmt, err);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		id = sqlite3_column_int64(stmt, 0);
		same = sqlite3_column_bytes(stmt, 1) == (int)sizeof(n->digest) &&
		       memcmp(sqlite3_column_blob(stmt, 1), n->digest, sizeof(n->digest)) == 0;
		old_batch = sqlite3_column_int64(stmt, 2);
		old_line = (long)sqlite3_column_int64(stmt, 3);
		sqlite3_reset(stmt);
	}
	if (id && old_batch == batch) {
		*res_out = CC_PUT_DUPLICATE;
		*dup_line_out = old_line;
		return 0;
	}
	if (id && same) {
		if ((ret = prep(st, S_NEED_SEEN, &stmt, err)) < 0)
			return ret;
		if ((rc = sqlite3_bind_int64(stmt, 1, id)) ||
		    (rc = cc__sq_bind_id(stmt, 2, batch)) ||
		    (rc = sqlite3_bind_int64(stmt, 3, n->line)))
			return cc__sq_bind_fail(st, stmt, rc, err);
		if ((ret = cc__sq_step_done(st, stmt, err)) < 0)
			return ret;
		n->id = id;
		*res_out = CC_PUT_UNCHANGED;
		return 0;
	}
	if ((ret = prep(st, id ? S_NEED_UPDATE : S_NEED_INSERT, &stmt, err)) < 0)
		return ret;
	if ((rc = bind_need(stmt, n, batch)) || (id && (rc = sqlite3_bind_int64(stmt, 23, id))))
		return cc__sq_bind_fail(st, stmt, rc, err);
	if ((ret = cc__sq_step_done(st, stmt, err)) < 0)
		return ret;
	n->id = id ? id : sqlite3_last_insert_rowid(cc__sq_db(st));
	*res_out = id ? CC_PUT_UPDATED : CC_PUT_ADDED;
	return 0;
}

static int sq_put_need(struct cc_store *st, struct cc_need *n, int64_t batch,
                       enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	bool own;
	int ret;

	*dup_line_out = 0;
	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_need(st, n, batch, res_out, dup_line_out, err);
	return cc__sq_tx_leave(st, own, ret, err);
}

static int remove_stale(struct cc_store *st, int id, int64_t source_id, int64_t batch,
                        size_t *n_removed_out, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	*n_removed_out = 0;
	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = prep(st, id, &stmt, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(stmt, 1, source_id)) ||
	    (rc = cc__sq_bind_id(stmt, 2, batch))) {
		ret = cc__sq_bind_fail(st, stmt, rc, err);
		goto out;
	}
	ret = cc__sq_step_done(st, stmt, err);
	if (ret == 0)
		*n_removed_out = (size_t)sqlite3_changes(cc__sq_db(st));
out:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_remove_stale_needs(struct cc_store *st, int64_t source_id, int64_t batch,
                                 size_t *n_removed_out, struct cc_err *err)
{
	return remove_stale(st, S_NEED_STALE, source_id, batch, n_removed_out, err);
}

static int bind_query(sqlite3_stmt *stmt, const struct cc_need_query *q)
{
	int rc;

	if ((rc = sqlite3_bind_int64(stmt, 1, q->mission_id)) ||
	    (rc = sqlite3_bind_int(stmt, 2, q->min_level)) ||
	    (rc = cc__sq_bind_date(stmt, 3, q->from)) || (rc = cc__sq_bind_date(stmt, 4, q->to)))
		return rc;
	return 0;
}

/* Appends id to a JSON array of ids (no duplicates check: SQLite's IN does not care). */
static int json_id(char **buf, size_t *len, size_t *cap, int64_t id)
{
	char tmp[32];
	int k = snprintf(tmp, sizeof(tmp), "%s%lld", *len > 1 ? "," : "", (long long)id);

	while (*len + (size_t)k + 2 > *cap) {
		size_t n = *cap ? *cap * 2 : 256;
		char *p = cc_realloc(*buf, n);

		if (!p)
			return CC_ENOMEM;
		*buf = p;
		*cap = n;
	}
	memcpy(*buf + *len, tmp, (size_t)k);
	*len += (size_t)k;
	return 0;
}

static int sq_load_needs(struct cc_store *st, const struct cc_need_query *q,
                         struct cc_gap_need **needs_out, size_t *n_needs_out,
                         struct cc_area **areas_out, size_t *n_areas_out,
                         struct cc_gap_sector **sectors_out, size_t *n_sectors_out,
                         struct cc_err *err)
{
	struct cc_gap_need *needs = NULL;
	struct cc_area *areas = NULL;
	struct cc_gap_sector *sectors = NULL;
	size_t n = 0, cap = 0, n_areas = 0, cap_areas = 0, n_sec = 0, cap_sec = 0;
	char *aj = NULL, *sj = NULL;
	size_t aj_len = 0, aj_cap = 0, sj_len = 0, sj_cap = 0;
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = json_id(&aj, &aj_len, &aj_cap, 0)) < 0 ||
	    (ret = json_id(&sj, &sj_len, &sj_cap, 0)) < 0)
		goto out_nomem;
	aj[0] = sj[0] = '[';
	aj_len = sj_len = 1;
	if ((ret = prep(st, S_NEED_LOAD, &stmt, err)) < 0)
		goto out_free;
	if ((rc = bind_query(stmt, q))) {
		ret = cc__sq_bind_fail(st, stmt, rc, err);
		goto out_free;
	}
	while ((ret = cc__sq_step_row(st, stmt, err)) == 0) {
		struct cc_gap_need *g;
		const unsigned char *pillar;

		if (cc__sq_grow((void **)&needs, &cap, n, sizeof(*needs)) < 0) {
			sqlite3_reset(stmt);
			goto out_nomem;
		}
		g = &needs[n++];
		memset(g, 0, sizeof(*g));
		g->area_id = sqlite3_column_int64(stmt, 0);
		g->sector_id = sqlite3_column_int64(stmt, 1);
		g->in_need = cc__sq_col_num(stmt, 2);
		g->severity = sqlite3_column_int(stmt, 3);
		pillar = sqlite3_column_text(stmt, 4);
		g->pillar = cc_pillar_parse(pillar ? (const char *)pillar : "other");
		if (g->pillar < 0)
			g->pillar = CC_PILLAR_OTHER;
		if ((g->area_id && json_id(&aj, &aj_len, &aj_cap, g->area_id) < 0) ||
		    (g->sector_id && json_id(&sj, &sj_len, &sj_cap, g->sector_id) < 0)) {
			sqlite3_reset(stmt);
			goto out_nomem;
		}
	}
	if (ret < 0)
		goto out_free;
	aj[aj_len++] = ']';
	aj[aj_len] = '\0';
	sj[sj_len++] = ']';
	sj[sj_len] = '\0';

	if ((ret = prep(st, S_NEED_AREAS, &stmt, err)) < 0)
		goto out_free;
	if ((rc = sqlite3_bind_text(stmt, 1, aj, (int)aj_len, SQLITE_STATIC))) {
		ret = cc__sq_bind_fail(st, stmt, rc, err);
		goto out_free;
	}
	while ((ret = cc__sq_step_row(st, stmt, err)) == 0) {
		struct cc_area *a;

		if (cc__sq_grow((void **)&areas, &cap_areas, n_areas, sizeof(*areas)) < 0) {
			sqlite3_reset(stmt);
			goto out_nomem;
		}
		a = &areas[n_areas++];
		memset(a, 0, sizeof(*a));
		a->id = sqlite3_column_int64(stmt, 0);
		cc__sq_col_str(stmt, 1, a->pcode, sizeof(a->pcode));
		cc__sq_col_str(stmt, 2, a->name, sizeof(a->name));
		a->level = sqlite3_column_int(stmt, 3);
		a->parent_id = sqlite3_column_int64(stmt, 4);
		a->population = sqlite3_column_type(stmt, 5) == SQLITE_NULL
		                        ? -1
		                        : sqlite3_column_int64(stmt, 5);
		a->has_geom = sqlite3_column_type(stmt, 6) != SQLITE_NULL;
		a->minx = cc__sq_col_num(stmt, 6);
		a->miny = cc__sq_col_num(stmt, 7);
		a->maxx = cc__sq_col_num(stmt, 8);
		a->maxy = cc__sq_col_num(stmt, 9);
	}
	if (ret < 0)
		goto out_free;

	if ((ret = prep(st, S_NEED_SECTORS, &stmt, err)) < 0)
		goto out_free;
	if ((rc = sqlite3_bind_text(stmt, 1, sj, (int)sj_len, SQLITE_STATIC))) {
		ret = cc__sq_bind_fail(st, stmt, rc, err);
		goto out_free;
	}
	while ((ret = cc__sq_step_row(st, stmt, err)) == 0) {
		struct cc_gap_sector *s;

		if (cc__sq_grow((void **)&sectors, &cap_sec, n_sec, sizeof(*sectors)) < 0) {
			sqlite3_reset(stmt);
			goto out_nomem;
		}
		s = &sectors[n_sec++];
		memset(s, 0, sizeof(*s));
		s->id = sqlite3_column_int64(stmt, 0);
		cc__sq_col_str(stmt, 1, s->code, sizeof(s->code));
		cc__sq_col_str(stmt, 2, s->name, sizeof(s->name));
	}
	if (ret < 0)
		goto out_free;
	*needs_out = needs;
	*n_needs_out = n;
	*areas_out = areas;
	*n_areas_out = n_areas;
	*sectors_out = sectors;
	*n_sectors_out = n_sec;
	cc_free(aj);
	cc_free(sj);
	cc__sq_rx_leave(st, own);
	return 0;
out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory");
out_free:
	cc_free(needs);
	cc_free(areas);
	cc_free(sectors);
	cc_free(aj);
	cc_free(sj);
	cc__sq_rx_leave(st, own);
	return ret;
}

static void row_need(sqlite3_stmt *stmt, struct cc_need *n)
{
	const void *b;

	memset(n, 0, sizeof(*n));
	n->id = sqlite3_column_int64(stmt, 0);
	n->mission_id = sqlite3_column_int64(stmt, 1);
	n->source_id = sqlite3_column_int64(stmt, 2);
	n->area_id = sqlite3_column_int64(stmt, 3);
	n->sector_id = sqlite3_column_int64(stmt, 4);
	n->period_from = cc__sq_col_date(stmt, 5);
	n->period_to = cc__sq_col_date(stmt, 6);
	n->is_total = sqlite3_column_int(stmt, 7) != 0;
	cc__sq_col_str(stmt, 8, n->sex, sizeof(n->sex));
	cc__sq_col_str(stmt, 9, n->age_group, sizeof(n->age_group));
	cc__sq_col_str(stmt, 10, n->pop_group, sizeof(n->pop_group));
	cc__sq_col_str(stmt, 11, n->disability, sizeof(n->disability));
	cc__sq_col_str(stmt, 12, n->label, sizeof(n->label));
	n->population = cc__sq_col_num(stmt, 13);
	n->in_need = cc__sq_col_num(stmt, 14);
	n->targeted = cc__sq_col_num(stmt, 15);
	n->affected = cc__sq_col_num(stmt, 16);
	n->reached = cc__sq_col_num(stmt, 17);
	n->severity = sqlite3_column_int(stmt, 18);
	n->line = (long)sqlite3_column_int64(stmt, 19);
	if ((b = sqlite3_column_blob(stmt, 20)) && sqlite3_column_bytes(stmt, 20) == 16)
		memcpy(n->natkey, b, 16);
	if ((b = sqlite3_column_blob(stmt, 21)) && sqlite3_column_bytes(stmt, 21) == 16)
		memcpy(n->digest, b, 16);
}

static int sq_list_needs(struct cc_store *st, const struct cc_need_query *q, struct cc_need **out,
                         size_t *n_out, struct cc_err *err)
{
	struct cc_need *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = prep(st, S_NEED_LIST, &stmt, err)) < 0)
		goto out;
	if ((rc = bind_query(stmt, q)) || (rc = sqlite3_bind_int(stmt, 5, q->with_breakdown))) {
		ret = cc__sq_bind_fail(st, stmt, rc, err);
		goto out;
	}
	while ((ret = cc__sq_step_row(st, stmt, err)) == 0) {
		if (cc__sq_grow((void **)&v, &cap, n, sizeof(*v)) < 0) {
			sqlite3_reset(stmt);
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out;
		}
		row_need(stmt, &v[n++]);
	}
	if (ret > 0)
		ret = 0;
out:
	cc__sq_rx_leave(st, own);
	if (ret < 0) {
		cc_free(v);
		return ret;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/* ---- population ---- */

static int put_population(struct cc_store *st, const struct cc_population *p, int64_t batch,
                          enum cc_put_result *res_out, struct cc_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t id = 0, old = -1;
	int rc, ret;

	if ((ret = prep(st, S_POP_GET, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, p->source_id)) ||
	    (rc = sqlite3_bind_int64(stmt, 2, p->area_id)) ||
	    (rc = sqlite3_bind_int(stmt, 3, p->year)))
		return cc__sq_bind_fail(st, stmt, rc, err);
	if ((ret = cc__sq_step_row(st, stmt, err)) < 0)
		return ret;
	if (ret == 0) {
		id = sqlite3_column_int64(stmt, 0);
		old = sqlite3_column_int64(stmt, 1);
		sqlite3_reset(stmt);
	}
	*res_out = !id ? CC_PUT_ADDED : old != p->value ? CC_PUT_UPDATED : CC_PUT_UNCHANGED;
	if (id) {
		if ((ret = prep(st, S_POP_UPDATE, &stmt, err)) < 0)
			return ret;
		if ((rc = sqlite3_bind_int64(stmt, 1, id)) ||
		    (rc = sqlite3_bind_int64(stmt, 2, p->value)) ||
		    (rc = sqlite3_bind_int64(stmt, 3, p->line)) ||
		    (rc = cc__sq_bind_id(stmt, 4, batch)))
			return cc__sq_bind_fail(st, stmt, rc, err);
	} else {
		if ((ret = prep(st, S_POP_INSERT, &stmt, err)) < 0)
			return ret;
		if ((rc = sqlite3_bind_int64(stmt, 1, p->area_id)) ||
		    (rc = sqlite3_bind_int(stmt, 2, p->year)) ||
		    (rc = sqlite3_bind_int64(stmt, 3, p->value)) ||
		    (rc = sqlite3_bind_int64(stmt, 4, p->source_id)) ||
		    (rc = sqlite3_bind_int64(stmt, 5, p->line)) ||
		    (rc = cc__sq_bind_id(stmt, 6, batch)))
			return cc__sq_bind_fail(st, stmt, rc, err);
	}
	return cc__sq_step_done(st, stmt, err);
}

static int sq_put_population(struct cc_store *st, const struct cc_population *p, int64_t batch,
                             enum cc_put_result *res_out, struct cc_err *err)
{
	bool own;
	int ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_population(st, p, batch, res_out, err);
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_remove_stale_population(struct cc_store *st, int64_t source_id, int64_t batch,
                                      size_t *n_removed_out, struct cc_err *err)
{
	return remove_stale(st, S_POP_STALE, source_id, batch, n_removed_out, err);
}

static int sq_list_population(struct cc_store *st, int64_t area_id, struct cc_population **out,
                              size_t *n_out, struct cc_err *err)
{
	struct cc_population *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *stmt = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = prep(st, S_POP_LIST, &stmt, err)) < 0)
		goto out;
	if ((rc = cc__sq_bind_id(stmt, 1, area_id))) {
		ret = cc__sq_bind_fail(st, stmt, rc, err);
		goto out;
	}
	while ((ret = cc__sq_step_row(st, stmt, err)) == 0) {
		if (cc__sq_grow((void **)&v, &cap, n, sizeof(*v)) < 0) {
			sqlite3_reset(stmt);
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out;
		}
		v[n].area_id = sqlite3_column_int64(stmt, 0);
		v[n].source_id = sqlite3_column_int64(stmt, 1);
		v[n].year = sqlite3_column_int(stmt, 2);
		v[n].value = sqlite3_column_int64(stmt, 3);
		v[n].line = (long)sqlite3_column_int64(stmt, 4);
		n++;
	}
	if (ret > 0)
		ret = 0;
out:
	cc__sq_rx_leave(st, own);
	if (ret < 0) {
		cc_free(v);
		return ret;
	}
	*out = v;
	*n_out = n;
	return 0;
}

const struct cc__needs_ops cc__sqlite_needs = {
	.put_need = sq_put_need,
	.remove_stale_needs = sq_remove_stale_needs,
	.load_needs = sq_load_needs,
	.list_needs = sq_list_needs,
	.put_population = sq_put_population,
	.remove_stale_population = sq_remove_stale_population,
	.list_population = sq_list_population,
};
