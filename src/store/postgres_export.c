/*
 * The export domain on PostgreSQL (sqlite_export.c on SQLite): the activities as the 3W writer
 * needs them, in one joined read through a cursor (20,000 rows a fetch), and the change log's
 * head. Who sees an activity, its exact site and its figures is decided in C by cc_visible()
 * and cc_visible_field() from the row's marking, the one rule, not by a second copy of it in
 * SQL. The order is SQLite's: source, line (NULL first, as SQLite sorts them), id.
 *
 * The other exports need nothing of their own here: events go through the events domain
 * (postgres_events.c), IATI through the IATI domain (postgres_iati.c), areas through the core
 * (areas, their geometry) and the coverage read (postgres.c).
 */
#include "store/ops_export.h"
#include "store/postgres_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/visibility.h>

#include "core/banned.h"

#define EXPORT_PAGE 20000

/* Columns 0–37 as on SQLite (figures and site unmasked), then the marking (38 …). */
static const char sql_activities[] =
        "DECLARE cc_export_rows NO SCROLL CURSOR FOR "
        "SELECT a.id, a.source_id, a.line, src.name, o.key, o.acronym, o.name, o.type, "
        "ot.name, i.name, f.name, s.vocabulary, s.code, s.name, a.title, a.description, "
        "a.status, a.currency, a.start_date, a.end_date, a.targeted, a.reached, a.budget, "
        "a.lat, a.lon, r0.pcode, r0.name, r0.level, r1.pcode, r1.name, r1.level, "
        "r2.pcode, r2.name, r2.level, r3.pcode, r3.name, r3.level, a.kind, "
        "a.id, a.mission_id, a.owner_id, a.releasability, a.deny, a.shared, a.geo_rel, "
        "a.figures_rel "
        "FROM activity a "
        "LEFT JOIN source src ON src.id = a.source_id "
        "LEFT JOIN organisation o ON o.id = a.org_id "
        "LEFT JOIN codelist ot ON ot.list = 'OrganisationType' AND ot.code = o.type "
        "LEFT JOIN organisation i ON i.id = a.impl_org_id "
        "LEFT JOIN organisation f ON f.id = a.funder_org_id "
        "LEFT JOIN sector s ON s.id = a.sector_id "
        "LEFT JOIN area r0 ON r0.id = a.area_id "
        "LEFT JOIN area r1 ON r1.id = r0.parent_id "
        "LEFT JOIN area r2 ON r2.id = r1.parent_id "
        "LEFT JOIN area r3 ON r3.id = r2.parent_id "
        "WHERE a.mission_id = $1::bigint "
        "ORDER BY a.source_id NULLS FIRST, a.line NULLS FIRST, a.id";

#define C_MARK    38 /* id, mission_id, owner_id, releasability, deny, shared */
#define C_GEO_REL (C_MARK + 6)
#define C_FIG_REL (C_MARK + 7)

static void read_activity(const PGresult *res, int r, bool site, bool figures,
                          struct cc_export_activity *a)
{
	memset(a, 0, sizeof(*a));
	a->id = cc__pg_col_i64(res, r, 0);
	a->source_id = cc__pg_col_i64(res, r, 1);
	a->line = (long)cc__pg_col_i64(res, r, 2);
	a->kind = cc__pg_col_i64(res, r, 37) == CC_KIND_PRESENCE ? CC_KIND_PRESENCE
	                                                           : CC_KIND_ACTIVITY;
	a->source = cc__pg_cstr(res, r, 3);
	a->org_key = cc__pg_cstr(res, r, 4);
	a->org_acronym = cc__pg_cstr(res, r, 5);
	a->org_name = cc__pg_cstr(res, r, 6);
	a->org_type = cc__pg_cstr(res, r, 7);
	a->org_type_name = cc__pg_cstr(res, r, 8);
	a->impl_name = cc__pg_cstr(res, r, 9);
	a->funder_name = cc__pg_cstr(res, r, 10);
	a->sector_vocabulary = cc__pg_cstr(res, r, 11);
	a->sector_code = cc__pg_cstr(res, r, 12);
	a->sector_name = cc__pg_cstr(res, r, 13);
	a->title = cc__pg_cstr(res, r, 14);
	a->description = cc__pg_cstr(res, r, 15);
	a->status = cc__pg_cstr(res, r, 16);
	a->currency = cc__pg_cstr(res, r, 17);
	a->start_date = cc__pg_col_date(res, r, 18);
	a->end_date = cc__pg_col_date(res, r, 19);
	a->targeted = figures ? cc__pg_col_num(res, r, 20) : (double)NAN;
	a->reached = figures ? cc__pg_col_num(res, r, 21) : (double)NAN;
	a->budget = figures ? cc__pg_col_num(res, r, 22) : (double)NAN;
	a->lat = site ? cc__pg_col_num(res, r, 23) : (double)NAN;
	a->lon = site ? cc__pg_col_num(res, r, 24) : (double)NAN;
	for (int l = 0; l <= CC_EXPORT_MAX_LEVEL; l++)
		a->adm_code[l] = a->adm_name[l] = "";
	/* the area and up to three ancestors, each placed at its own level */
	for (int k = 0; k < 4; k++) {
		int c = 25 + 3 * k;
		int level;

		if (cc__pg_col_null(res, r, c))
			break;
		level = (int)cc__pg_col_i64(res, r, c + 2);
		if (level < 1 || level > CC_EXPORT_MAX_LEVEL)
			continue;
		a->adm_code[level] = cc__pg_cstr(res, r, c);
		a->adm_name[level] = cc__pg_cstr(res, r, c + 1);
	}
}

static int pg_export_activities(struct cc_store *st, int64_t mission_id,
                                cc_export_activity_fn *fn, void *ctx, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_export_activity a;
	bool own;
	int ret, n = 0;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "activity", &sh, err)) < 0)
		goto out;
	cc__pg_id(&p, mission_id);
	/* plan for every row, not for the first tenth as a cursor is by default */
	if ((ret = cc__pg_exec(st, "SET LOCAL cursor_tuple_fraction = 1", NULL, false, NULL,
	                       err)) < 0 ||
	    (ret = cc__pg_exec(st, sql_activities, &p, false, NULL, err)) < 0)
		goto out;
	do {
		PGresult *res = NULL;

		ret = cc__pg_exec(st, "FETCH 20000 FROM cc_export_rows", NULL, false, &res, err);
		if (ret < 0)
			break;
		n = PQntuples(res);
		for (int r = 0; r < n && ret == 0; r++) {
			struct cc_marking m;

			if (!cc__pg_row_visible(st, &sh, res, r, C_MARK, &m))
				continue;
			read_activity(res, r,
			              cc_visible_field(&st->viewer, &m,
			                               cc__pg_field_rel(res, r, C_GEO_REL, m.rel)),
			              cc_visible_field(&st->viewer, &m,
			                               cc__pg_field_rel(res, r, C_FIG_REL, m.rel)),
			              &a);
			ret = fn(ctx, &a, err);
		}
		PQclear(res);
	} while (ret == 0 && n == EXPORT_PAGE);
	if (ret == 0)
		ret = cc__pg_exec(st, "CLOSE cc_export_rows", NULL, false, NULL, err);
	else
		(void)cc__pg_exec(st, "CLOSE cc_export_rows", NULL, false, NULL, NULL);
out:
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

/* The head of the change log (audit verify). */
static int pg_log_head(struct cc_store *st, char out[static 65], int64_t *n_out,
                       struct cc_err *err)
{
	PGresult *res = NULL;
	int ret;

	ret = cc__pg_exec(st,
	                  "SELECT hash, (SELECT count(*) FROM change) FROM change ORDER BY id "
	                  "DESC LIMIT 1",
	                  NULL, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) > 0) {
		cc__pg_col_str(res, 0, 0, out, 65);
		*n_out = cc__pg_col_i64(res, 0, 1);
	}
	PQclear(res);
	return 0;
}

const struct cc__export_ops cc__pg_export = {
	.activities = pg_export_activities,
	.log_head = pg_log_head,
};
