/*
 * The export domain on SQLite: the activities as the writers need them, in one joined read, and
 * the change log's head.
 */
#include "store/ops_export.h"

#include <string.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"


#include "core/banned.h"

enum { S_ACTIVITIES, S_LOG_HEAD };

static const char *const sql[] = {
	[S_ACTIVITIES] =
	        "SELECT a.id, a.source_id, a.line, src.name, o.key, o.acronym, o.name, o.type, "
	        "ot.name, i.name, f.name, s.vocabulary, s.code, s.name, a.title, a.description, "
	        "a.status, a.currency, a.start_date, a.end_date, "
	        "CASE WHEN " CC__SQ_VISIBLE_FIGURES("a") " THEN a.targeted END, CASE WHEN " CC__SQ_VISIBLE_FIGURES("a") " THEN a.reached END, "
	        "CASE WHEN " CC__SQ_VISIBLE_FIGURES("a") " THEN a.budget END, "
	        "CASE WHEN " CC__SQ_VISIBLE_SITE("a") " THEN a.lat END, CASE WHEN " CC__SQ_VISIBLE_SITE("a") " THEN a.lon END, "
	        "r0.pcode, r0.name, r0.level, r1.pcode, r1.name, r1.level, "
	        "r2.pcode, r2.name, r2.level, r3.pcode, r3.name, r3.level, a.kind "
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
	        "WHERE a.mission_id = :mission AND " CC__SQ_VISIBLE("a", "activity")
	        " ORDER BY a.source_id, a.line, a.id",
	[S_LOG_HEAD] = "SELECT hash, (SELECT count(*) FROM change) FROM change "
	               "ORDER BY id DESC LIMIT 1",
};

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_EXPORT, id, sql[id], out, err);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

static void read_activity(sqlite3_stmt *s, struct cc_export_activity *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->source_id = sqlite3_column_int64(s, 1);
	a->line = (long)sqlite3_column_int64(s, 2);
	a->kind = sqlite3_column_int(s, 37) == CC_KIND_PRESENCE ? CC_KIND_PRESENCE
	                                                          : CC_KIND_ACTIVITY;
	a->source = col_text(s, 3);
	a->org_key = col_text(s, 4);
	a->org_acronym = col_text(s, 5);
	a->org_name = col_text(s, 6);
	a->org_type = col_text(s, 7);
	a->org_type_name = col_text(s, 8);
	a->impl_name = col_text(s, 9);
	a->funder_name = col_text(s, 10);
	a->sector_vocabulary = col_text(s, 11);
	a->sector_code = col_text(s, 12);
	a->sector_name = col_text(s, 13);
	a->title = col_text(s, 14);
	a->description = col_text(s, 15);
	a->status = col_text(s, 16);
	a->currency = col_text(s, 17);
	a->start_date = cc__sq_col_date(s, 18);
	a->end_date = cc__sq_col_date(s, 19);
	a->targeted = cc__sq_col_num(s, 20);
	a->reached = cc__sq_col_num(s, 21);
	a->budget = cc__sq_col_num(s, 22);
	a->lat = cc__sq_col_num(s, 23);
	a->lon = cc__sq_col_num(s, 24);
	for (int l = 0; l <= CC_EXPORT_MAX_LEVEL; l++)
		a->adm_code[l] = a->adm_name[l] = "";
	/* the area and up to three ancestors, each placed at its own level */
	for (int k = 0; k < 4; k++) {
		int c = 25 + 3 * k;
		int level;

		if (sqlite3_column_type(s, c) == SQLITE_NULL)
			break;
		level = sqlite3_column_int(s, c + 2);
		if (level < 1 || level > CC_EXPORT_MAX_LEVEL)
			continue;
		a->adm_code[level] = col_text(s, c);
		a->adm_name[level] = col_text(s, c + 1);
	}
}

static int sq_activities(struct cc_store *st, int64_t mission_id, cc_export_activity_fn *fn,
                         void *ctx, struct cc_err *err)
{
	struct cc_export_activity a;
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_ACTIVITIES, &s, err)) < 0)
		goto out_leave;
	/* named parameters only (see sqlite_visibility.h) */
	if ((rc = cc__sq_bind_id(s, sqlite3_bind_parameter_index(s, ":mission"), mission_id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		read_activity(s, &a);
		ret = fn(ctx, &a, err);
		if (ret < 0) {
			sqlite3_reset(s);
			goto out_leave;
		}
	}
	if (ret > 0)
		ret = 0;
out_leave:
	cc__sq_rx_leave(st, own);
	return ret;
}

static int sq_log_head(struct cc_store *st, char out[static 65], int64_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int ret;

	if ((ret = stmt(st, S_LOG_HEAD, &s, err)) < 0)
		return ret;
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		cc__sq_col_str(s, 0, out, 65);
		*n_out = sqlite3_column_int64(s, 1);
		sqlite3_reset(s);
	}
	return 0;
}

const struct cc__export_ops cc__sqlite_export = {
	.activities = sq_activities,
	.log_head = sq_log_head,
};
