/*
 * Activities read a page at a time on SQLite, for the handle's viewer (see
 * <concord/activities.h>): one statement with every filter, the visibility predicate and the
 * field markings in SQL, keyset-paginated on the rowid.
 */
#include "store/ops_activities.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/backend_common.h"
#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"


/*
 * Named parameters only: SQLite numbers a named parameter after the highest "?N" seen before
 * it, so mixing them with the viewer's :v_ parameters could make two share a number.
 */
/*
 * The pillar is resolved for the rows read only (a pillar for every sector of the code lists
 * on every page cost 85% of a small page). Two statements, so that the filter on the pillar is
 * not evaluated when no pillar is asked for.
 */
#define LIST_SQL(pillar_filter)                                                                 \
	"WITH RECURSIVE sub(id) AS (SELECT id FROM area WHERE pcode = :area UNION "             \
	"SELECT c.id FROM area c JOIN sub ON c.parent_id = sub.id) "                           \
	"SELECT a.id, a.kind, a.title, a.description, a.status, o.key, o.name, i.name, "       \
	"f.name, s.vocabulary, s.code, s.name, " CC__SQ_PILLAR_OF(":mission") ", ar.pcode, "  \
	"ar.name, CASE WHEN " CC__SQ_VISIBLE_SITE("a") " THEN a.lat END, CASE WHEN "           \
	CC__SQ_VISIBLE_SITE("a") " THEN a.lon END, "                                          \
	"coalesce((ar.minx + ar.maxx) / 2, (pa.minx + pa.maxx) / 2), "                         \
	"coalesce((ar.miny + ar.maxy) / 2, (pa.miny + pa.maxy) / 2), a.start_date, a.end_date, " \
	"CASE WHEN " CC__SQ_VISIBLE_FIGURES("a") " THEN 1 ELSE 0 END, a.targeted, a.reached, " \
	"a.budget, a.currency, a.releasability, ow.key, a.deny, a.shared, src.name, a.line, "  \
	"a.digest, a.lat IS NOT NULL AND a.lon IS NOT NULL FROM activity a "                  \
	"LEFT JOIN organisation o ON o.id = a.org_id "                                         \
	"LEFT JOIN organisation i ON i.id = a.impl_org_id "                                    \
	"LEFT JOIN organisation f ON f.id = a.funder_org_id "                                  \
	"LEFT JOIN organisation ow ON ow.id = a.owner_id "                                     \
	"LEFT JOIN sector s ON s.id = a.sector_id "                                            \
	"LEFT JOIN area ar ON ar.id = a.area_id LEFT JOIN area pa ON pa.id = ar.parent_id "    \
	"LEFT JOIN source src ON src.id = a.source_id "                                        \
	"WHERE a.mission_id = :mission AND a.id > :after AND (:id IS NULL OR a.id = :id) "     \
	"AND (:area IS NULL OR a.area_id IN sub) " pillar_filter                               \
	"AND (:org IS NULL OR :org IN (a.org_id, a.impl_org_id, a.funder_org_id)) "            \
	"AND (:kind IS NULL OR a.kind = :kind) "                                                \
	"AND (:from IS NULL OR a.end_date IS NULL OR a.end_date >= :from) "                    \
	"AND (:to IS NULL OR a.start_date IS NULL OR a.start_date <= :to) "                    \
	"AND " CC__SQ_VISIBLE("a", "activity") " ORDER BY a.id LIMIT :limit"

static const char *const list_sql[] = {
	LIST_SQL(""),
	LIST_SQL("AND coalesce(" CC__SQ_PILLAR_OF(":mission") ", 'other') = :pillar "),
};

static double col_num(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ? (double)NAN
	                                                  : sqlite3_column_double(s, col);
}

/* Reads row i of the page from the statement's current row. */
static int read_row(sqlite3_stmt *s, struct cc_activity_page *page, size_t i)
{
	static const int text_col[CC__AT_N] = {
		[CC__AT_TITLE] = 2,     [CC__AT_DESC] = 3,   [CC__AT_STATUS] = 4,
		[CC__AT_ORG_KEY] = 5,   [CC__AT_ORG_NAME] = 6, [CC__AT_IMPL] = 7,
		[CC__AT_FUNDER] = 8,    [CC__AT_VOC] = 9,    [CC__AT_CODE] = 10,
		[CC__AT_SECTOR] = 11,   [CC__AT_PCODE] = 13, [CC__AT_AREA] = 14,
		[CC__AT_CURRENCY] = 25, [CC__AT_OWNER] = 27, [CC__AT_SOURCE] = 30,
	};
	struct cc_activity_row *r = &page->rows[i];
	const char *pillar = (const char *)sqlite3_column_text(s, 12);
	char rel[16];
	int pl;

	memset(r, 0, sizeof(*r));
	for (int f = 0; f < CC__AT_N; f++)
		if (cc__act_page_text(page, i, (enum cc__act_text)f,
		                      (const char *)sqlite3_column_text(s, text_col[f]),
		                      (size_t)sqlite3_column_bytes(s, text_col[f])) < 0)
			return CC_ENOMEM;
	r->id = sqlite3_column_int64(s, 0);
	r->kind = sqlite3_column_int(s, 1) == CC_KIND_PRESENCE ? CC_KIND_PRESENCE : CC_KIND_ACTIVITY;
	pl = pillar ? cc_pillar_parse(pillar) : -1;
	r->pillar = pl < 0 ? CC_PILLAR_OTHER : (enum cc_pillar)pl;
	/* a site the reader may not see is shown at its area's centre */
	r->lat = r->lon = NAN;
	r->site_exact = sqlite3_column_type(s, 15) != SQLITE_NULL;
	if (r->site_exact) {
		r->lat = col_num(s, 15);
		r->lon = col_num(s, 16);
	} else if (sqlite3_column_int(s, 33)) {
		r->lat = col_num(s, 18);
		r->lon = col_num(s, 17);
		if (isnan(r->lat) || isnan(r->lon))
			r->lat = r->lon = NAN;
	}
	r->start_date = cc__sq_col_date(s, 19);
	r->end_date = cc__sq_col_date(s, 20);
	r->figures_hidden = sqlite3_column_int(s, 21) == 0;
	r->targeted = r->figures_hidden ? (double)NAN : col_num(s, 22);
	r->reached = r->figures_hidden ? (double)NAN : col_num(s, 23);
	r->budget = r->figures_hidden ? (double)NAN : col_num(s, 24);
	cc__sq_col_str(s, 26, rel, sizeof(rel));
	if (cc_rel_parse(rel, &r->rel, NULL) < 0)
		r->rel = CC_REL_ORG;
	r->deny = (unsigned)sqlite3_column_int64(s, 28);
	r->shared = sqlite3_column_int(s, 29) != 0;
	r->line = (long)sqlite3_column_int64(s, 31);
	/* the version: the stored content's digest and the marking */
	cc__act_version(page, i, sqlite3_column_blob(s, 32), (size_t)sqlite3_column_bytes(s, 32),
	                rel);
	return 0;
}

/* Binds a named parameter of the statement (0 as NULL when null_if_zero). */
static int bind_i64(sqlite3_stmt *s, const char *name, int64_t v, bool null_if_zero)
{
	int i = sqlite3_bind_parameter_index(s, name);

	return null_if_zero && v == 0 ? sqlite3_bind_null(s, i) : sqlite3_bind_int64(s, i, v);
}

static int sq_list(struct cc_store *st, const struct cc_activity_query *q,
                   struct cc_activity_page *out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = cc__act_page_init(out, q->limit, err)) < 0)
		return ret;
	if ((ret = cc__sq_stmt(st, CC__SQ_ACTIVITIES, q->pillar >= 0, list_sql[q->pillar >= 0], &s,
	                       err)) < 0)
		return ret;
	if ((rc = bind_i64(s, ":mission", q->mission_id, false)) ||
	    (rc = cc__sq_bind_text(s, sqlite3_bind_parameter_index(s, ":area"), q->area)) ||
	    (q->pillar >= 0 &&
	     (rc = cc__sq_bind_text(s, sqlite3_bind_parameter_index(s, ":pillar"),
	                            cc_pillar_name(q->pillar)))) ||
	    (rc = bind_i64(s, ":org", q->org_id, true)) ||
	    (rc = q->kind >= 0 ? bind_i64(s, ":kind", q->kind, false)
	                       : sqlite3_bind_null(s, sqlite3_bind_parameter_index(s, ":kind"))) ||
	    (rc = bind_i64(s, ":limit", (int64_t)q->limit, false)) ||
	    (rc = bind_i64(s, ":after", q->after, false)) || (rc = bind_i64(s, ":id", q->id, true)) ||
	    (rc = cc__sq_bind_date(s, sqlite3_bind_parameter_index(s, ":from"), q->from)) ||
	    (rc = cc__sq_bind_date(s, sqlite3_bind_parameter_index(s, ":to"), q->to)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if (read_row(s, out, out->n_rows) < 0) {
			sqlite3_reset(s);
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		}
		out->n_rows++;
	}
	if (ret < 0)
		return ret;
	cc__act_page_fix(out);
	return 0;
}

const struct cc__activities_ops cc__sqlite_activities = {
	.list = sq_list,
};
