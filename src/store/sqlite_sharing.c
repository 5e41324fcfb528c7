/*
 * The sharing domain on SQLite: mission membership, records' markings and named sharing, and
 * the binding of the handle's viewer into the statements that use CC__SQ_VISIBLE.
 */
#include "store/ops_sharing.h"

#include <string.h>

#include <concord/alloc.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"

/* The marked tables, in the order of the per-table statements below. */
static const char *const tables[] = { "activity",    "incident", "need",    "lesson",
	                               "indicator",   "observation", "feedback",
	                               "survey_respondent" };
#define N_TABLES 8
#define N_BATCH_TABLES 3 /* activity, incident, need: their rows know their last import */

#define MARKING_GET(t)                                                                   \
	"SELECT x.mission_id, x.owner_id, x.releasability, x.deny FROM " t " x WHERE x.id = ?1" \
	" AND " CC__SQ_VISIBLE("x", t)
#define MARKING_SET(t) "UPDATE " t " SET releasability = ?2, owner_id = ?3, deny = ?4 WHERE id = ?1"
/* Records of an entry: one (?1) or an id range (?2 … ?3); or an import batch (?1). */
#define IDS_EXIST(t) "SELECT count(*) FROM " t " x WHERE (x.id = ?1 OR x.id BETWEEN ?2 AND ?3)"
#define IDS_VIS(t) IDS_EXIST(t) " AND " CC__SQ_VISIBLE("x", t)
#define BATCH_EXIST(t) "SELECT count(*) FROM " t " x WHERE x.batch = ?1"
#define BATCH_VIS(t) BATCH_EXIST(t) " AND " CC__SQ_VISIBLE("x", t)
/* Retention: ?1 mission, ?2 the day before which (respondents: ?3, the same day as ISO text,
 * against their source's import time). */
#define REDACT_SITES                                                                        \
	"WHERE mission_id = ?1 AND (lat IS NOT NULL OR lon IS NOT NULL) AND "               \
	"coalesce(end_date, start_date) < ?2"
#define REDACT_GIVERS "WHERE mission_id = ?1 AND giver IS NOT NULL AND date < ?2"
#define REDACT_RESPONDENTS                                                                  \
	"WHERE mission_id = ?1 AND personal IS NOT NULL AND ?2 IS NOT NULL AND source_id IN " \
	"(SELECT id FROM source WHERE imported_at < ?3)"
#define SHARED_SET(t)                                                                     \
	"UPDATE " t " SET shared = EXISTS (SELECT 1 FROM share WHERE tbl = '" t "' AND "   \
	"record_id = ?1) WHERE id = ?1"

enum {
	S_ORG_VIEWER,
	S_MEMBER_ADD,
	S_MEMBER_DEL,
	S_MEMBER_LIST,
	S_SHARES,
	S_SHARE_ADD,
	S_SHARE_DEL,
	S_ORG_MISSION,
	S_GET0,
	S_SET0 = S_GET0 + N_TABLES,
	S_SHARED0 = S_SET0 + N_TABLES,
	S_IDS_EXIST0 = S_SHARED0 + N_TABLES,
	S_IDS_VIS0 = S_IDS_EXIST0 + N_TABLES,
	S_BATCH_EXIST0 = S_IDS_VIS0 + N_TABLES, /* the first N_BATCH_TABLES tables have batch */
	S_BATCH_VIS0 = S_BATCH_EXIST0 + N_BATCH_TABLES,
	S_FEED = S_BATCH_VIS0 + N_BATCH_TABLES,
	S_FEED_HEAD,
	S_REDACT0, /* sites, givers, respondents: update */
	S_REDACT_COUNT0 = S_REDACT0 + 3,
	S_N = S_REDACT_COUNT0 + 3,
};

static const char *const sql[S_N] = {
	[S_ORG_VIEWER] = "SELECT o.kind, EXISTS (SELECT 1 FROM mission_member m WHERE "
	                 "m.mission_id = ?1 AND m.org_id = o.id) FROM organisation o "
	                 "WHERE o.id = ?2 AND o.mission_id = ?1",
	[S_MEMBER_ADD] = "INSERT INTO mission_member (mission_id, org_id, since) "
	                 "VALUES (?1, ?2, CAST(strftime('%s', 'now') AS INTEGER)) ON CONFLICT DO NOTHING",
	[S_MEMBER_DEL] = "DELETE FROM mission_member WHERE mission_id = ?1 AND org_id = ?2",
	[S_MEMBER_LIST] = "SELECT o.id, o.mission_id, o.key, o.name, o.acronym, o.type, o.kind, "
	                  "o.is_local, o.nation FROM mission_member m JOIN organisation o "
	                  "ON o.id = m.org_id WHERE m.mission_id = ?1 ORDER BY o.key",
	[S_SHARES] = "SELECT org_id FROM share WHERE tbl = ?1 AND record_id = ?2 ORDER BY org_id",
	[S_SHARE_ADD] = "INSERT INTO share (tbl, record_id, org_id) VALUES (?1, ?2, ?3) "
	                "ON CONFLICT DO NOTHING",
	[S_SHARE_DEL] = "DELETE FROM share WHERE tbl = ?1 AND record_id = ?2 AND org_id = ?3",
	[S_ORG_MISSION] = "SELECT mission_id FROM organisation WHERE id = ?1",
	[S_GET0 + 0] = MARKING_GET("activity"),
	[S_GET0 + 1] = MARKING_GET("incident"),
	[S_GET0 + 2] = MARKING_GET("need"),
	[S_GET0 + 3] = MARKING_GET("lesson"),
	[S_GET0 + 4] = MARKING_GET("indicator"),
	[S_GET0 + 5] = MARKING_GET("observation"),
	[S_GET0 + 6] = MARKING_GET("feedback"),
	[S_GET0 + 7] = MARKING_GET("survey_respondent"),
	[S_SET0 + 0] = MARKING_SET("activity"),
	[S_SET0 + 1] = MARKING_SET("incident"),
	[S_SET0 + 2] = MARKING_SET("need"),
	[S_SET0 + 3] = MARKING_SET("lesson"),
	[S_SET0 + 4] = MARKING_SET("indicator"),
	[S_SET0 + 5] = MARKING_SET("observation"),
	[S_SET0 + 6] = MARKING_SET("feedback"),
	[S_SET0 + 7] = MARKING_SET("survey_respondent"),
	[S_SHARED0 + 0] = SHARED_SET("activity"),
	[S_SHARED0 + 1] = SHARED_SET("incident"),
	[S_SHARED0 + 2] = SHARED_SET("need"),
	[S_SHARED0 + 3] = SHARED_SET("lesson"),
	[S_SHARED0 + 4] = SHARED_SET("indicator"),
	[S_SHARED0 + 5] = SHARED_SET("observation"),
	[S_SHARED0 + 6] = SHARED_SET("feedback"),
	[S_SHARED0 + 7] = SHARED_SET("survey_respondent"),
	[S_IDS_EXIST0 + 0] = IDS_EXIST("activity"),
	[S_IDS_EXIST0 + 1] = IDS_EXIST("incident"),
	[S_IDS_EXIST0 + 2] = IDS_EXIST("need"),
	[S_IDS_EXIST0 + 3] = IDS_EXIST("lesson"),
	[S_IDS_EXIST0 + 4] = IDS_EXIST("indicator"),
	[S_IDS_EXIST0 + 5] = IDS_EXIST("observation"),
	[S_IDS_EXIST0 + 6] = IDS_EXIST("feedback"),
	[S_IDS_EXIST0 + 7] = IDS_EXIST("survey_respondent"),
	[S_IDS_VIS0 + 0] = IDS_VIS("activity"),
	[S_IDS_VIS0 + 1] = IDS_VIS("incident"),
	[S_IDS_VIS0 + 2] = IDS_VIS("need"),
	[S_IDS_VIS0 + 3] = IDS_VIS("lesson"),
	[S_IDS_VIS0 + 4] = IDS_VIS("indicator"),
	[S_IDS_VIS0 + 5] = IDS_VIS("observation"),
	[S_IDS_VIS0 + 6] = IDS_VIS("feedback"),
	[S_IDS_VIS0 + 7] = IDS_VIS("survey_respondent"),
	[S_BATCH_EXIST0 + 0] = BATCH_EXIST("activity"),
	[S_BATCH_EXIST0 + 1] = BATCH_EXIST("incident"),
	[S_BATCH_EXIST0 + 2] = BATCH_EXIST("need"),
	[S_BATCH_VIS0 + 0] = BATCH_VIS("activity"),
	[S_BATCH_VIS0 + 1] = BATCH_VIS("incident"),
	[S_BATCH_VIS0 + 2] = BATCH_VIS("need"),
	[S_FEED] = "SELECT id, at, who, tbl, op, record_id, first_id, last_id, batch, count, "
	           "mission_id, releasability, detail FROM change WHERE id > ?1 ORDER BY id "
	           "LIMIT ?2",
	[S_FEED_HEAD] = "SELECT coalesce(max(id), 0) FROM change",
	[S_REDACT0 + 0] = "UPDATE activity SET lat = NULL, lon = NULL " REDACT_SITES,
	[S_REDACT0 + 1] = "UPDATE feedback SET giver = NULL " REDACT_GIVERS,
	[S_REDACT0 + 2] = "UPDATE survey_respondent SET personal = NULL " REDACT_RESPONDENTS,
	[S_REDACT_COUNT0 + 0] = "SELECT count(*) FROM activity " REDACT_SITES,
	[S_REDACT_COUNT0 + 1] = "SELECT count(*) FROM feedback " REDACT_GIVERS,
	[S_REDACT_COUNT0 + 2] = "SELECT count(*) FROM survey_respondent " REDACT_RESPONDENTS,
};

_Static_assert(S_N <= CC__SQ_MODULE_STMTS, "too many statements for one module");
_Static_assert(sizeof(tables) / sizeof(tables[0]) == N_TABLES, "one statement per table");

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_SHARING, id, sql[id], out, err);
}

static int table_index(const char *table)
{
	for (int i = 0; i < N_TABLES; i++)
		if (strcmp(table, tables[i]) == 0)
			return i;
	return -1;
}

/* Binds a named parameter when the statement has it. */
static int bind_named_i64(sqlite3_stmt *s, const char *name, int64_t v, bool null_if_zero)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i == 0)
		return SQLITE_OK;
	return null_if_zero && v == 0 ? sqlite3_bind_null(s, i) : sqlite3_bind_int64(s, i, v);
}

int cc__sq_bind_viewer(struct cc_store *st, sqlite3_stmt *s)
{
	const struct cc_viewer *v = &st->viewer;
	bool op = v->kind == CC_VIEWER_OPERATOR;
	bool org = v->kind == CC_VIEWER_ORG;
	int rc;

	if ((rc = bind_named_i64(s, ":v_op", op, false)) ||
	    (rc = bind_named_i64(s, ":v_org", org ? v->org_id : 0, true)) ||
	    (rc = bind_named_i64(s, ":v_kinds", op ? 0 : v->kinds, false)) ||
	    (rc = bind_named_i64(s, ":v_member", !op && v->member, false)) ||
	    (rc = bind_named_i64(s, ":v_mission", op ? 0 : v->mission_id, true)))
		return rc;
	return SQLITE_OK;
}

static int sq_org_viewer(struct cc_store *st, int64_t mission_id, int64_t org_id,
                         char kind_out[static 16], bool *member_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, S_ORG_VIEWER, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) || (rc = sqlite3_bind_int64(s, 2, org_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "no organisation %lld in mission %lld",
		                  (long long)org_id, (long long)mission_id);
	if (ret < 0)
		return ret;
	cc__sq_col_str(s, 0, kind_out, 16);
	*member_out = sqlite3_column_int(s, 1) != 0;
	sqlite3_reset(s);
	return 0;
}

static int sq_set_member(struct cc_store *st, int64_t mission_id, int64_t org_id, bool member,
                         bool *changed_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	*changed_out = false;
	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, member ? S_MEMBER_ADD : S_MEMBER_DEL, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, org_id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	if ((ret = cc__sq_step_done(st, s, err)) == 0)
		*changed_out = sqlite3_changes(cc__sq_db(st)) > 0;
	if (ret == 0 && *changed_out)
		ret = cc_store_log_change(
		        st,
		        &(struct cc_change){ .table = "mission_member",
		                             .op = member ? "insert" : "delete",
		                             .record_id = org_id,
		                             .count = 1,
		                             .mission_id = mission_id,
		                             .detail = member ? "joined the mission"
		                                              : "left the mission" },
		        err);
out:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_list_members(struct cc_store *st, int64_t mission_id, struct cc_org **out,
                           size_t *n_out, struct cc_err *err)
{
	struct cc_org *list = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	int rc, ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = stmt(st, S_MEMBER_LIST, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_org *o;

		if (cc__sq_grow((void **)&list, &cap, n, sizeof(*list)) < 0) {
			sqlite3_reset(s);
			cc_free(list);
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		}
		o = &list[n++];
		memset(o, 0, sizeof(*o));
		o->id = sqlite3_column_int64(s, 0);
		o->mission_id = sqlite3_column_int64(s, 1);
		cc__sq_col_str(s, 2, o->key, sizeof(o->key));
		cc__sq_col_str(s, 3, o->name, sizeof(o->name));
		cc__sq_col_str(s, 4, o->acronym, sizeof(o->acronym));
		cc__sq_col_str(s, 5, o->type, sizeof(o->type));
		cc__sq_col_str(s, 6, o->kind, sizeof(o->kind));
		o->is_local = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 7);
		cc__sq_col_str(s, 8, o->nation, sizeof(o->nation));
	}
	if (ret < 0) {
		cc_free(list);
		return ret;
	}
	*out = list;
	*n_out = n;
	return 0;
}

static int read_shares(struct cc_store *st, const char *table, int64_t id,
                       struct cc_record_marking *m, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	m->n_shares = 0;
	if ((ret = stmt(st, S_SHARES, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int64(s, 2, id)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if (m->n_shares == sizeof(m->shares) / sizeof(m->shares[0])) {
			sqlite3_reset(s);
			return cc_err_set(err, CC_ETOOBIG, "%s %lld is shared with too many "
			                  "organisations", table, (long long)id);
		}
		m->shares[m->n_shares++] = sqlite3_column_int64(s, 0);
	}
	return ret < 0 ? ret : 0;
}

static int sq_get_marking(struct cc_store *st, const char *table, int64_t id,
                          struct cc_record_marking *out, struct cc_err *err)
{
	int t = table_index(table);
	sqlite3_stmt *s = NULL;
	char rel[16];
	bool own;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_GET0 + t, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ENOTFOUND, "no %s %lld", table, (long long)id);
	if (ret < 0)
		goto out;
	out->mission_id = sqlite3_column_int64(s, 0);
	out->owner_id = sqlite3_column_int64(s, 1);
	cc__sq_col_str(s, 2, rel, sizeof(rel));
	out->deny = (unsigned)sqlite3_column_int64(s, 3);
	sqlite3_reset(s);
	if (cc_rel_parse(rel, &out->rel, NULL) < 0)
		out->rel = CC_REL_ORG; /* an unknown stored marking is read as the strictest */
	ret = read_shares(st, table, id, out, err);
out:
	cc__sq_rx_leave(st, own);
	return ret;
}

static int sq_set_marking(struct cc_store *st, const char *table, int64_t id, enum cc_rel rel,
                          int64_t owner_id, unsigned deny, struct cc_err *err)
{
	int t = table_index(table);
	sqlite3_stmt *s = NULL;
	int rc;
	int ret = stmt(st, S_SET0 + t, &s, err);

	if (ret < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = sqlite3_bind_text(s, 2, cc_rel_name(rel), -1, SQLITE_STATIC)) ||
	    (rc = cc__sq_bind_id(s, 3, owner_id)) || (rc = sqlite3_bind_int64(s, 4, deny)))
		return cc__sq_bind_fail(st, s, rc, err);
	return cc__sq_step_done(st, s, err);
}

static int sq_share(struct cc_store *st, const char *table, int64_t id, int64_t org_id, bool on,
                    struct cc_err *err)
{
	int t = table_index(table);
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, on ? S_SHARE_ADD : S_SHARE_DEL, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int64(s, 2, id)) || (rc = sqlite3_bind_int64(s, 3, org_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_SHARED0 + t, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, id)))
		return cc__sq_bind_fail(st, s, rc, err);
	return cc__sq_step_done(st, s, err);
}

static int sq_org_mission(struct cc_store *st, int64_t org_id, int64_t *mission_out,
                          struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, S_ORG_MISSION, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, org_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "no organisation %lld", (long long)org_id);
	if (ret < 0)
		return ret;
	*mission_out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* A count query of the module with up to three integer arguments (0 as NULL). */
static int count(struct cc_store *st, int id, int64_t a, int64_t b, int64_t c, int64_t *out,
                 struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, id, &s, err)) < 0)
		return ret;
	if ((rc = cc__sq_bind_id(s, 1, a)) ||
	    (sqlite3_bind_parameter_count(s) >= 3 &&
	     ((rc = cc__sq_bind_id(s, 2, b)) || (rc = cc__sq_bind_id(s, 3, c)))))
		return cc__sq_bind_fail(st, s, rc, err);
	if ((ret = cc__sq_step_row(st, s, err)) != 0)
		return ret < 0 ? ret : cc_err_set(err, CC_ESTORE, "count returned no row");
	*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/*
 * Whether the viewer may see entry e (see <concord/feed.h>), and how many of its records;
 * first/last are the entry's id range.
 */
static int entry_visible(struct cc_store *st, struct cc_feed_entry *e, int64_t first,
                         int64_t last, bool *visible, struct cc_err *err)
{
	int t = table_index(e->table);
	int64_t exist = 0, vis = 0;
	enum cc_rel rel;
	int ret;

	if (t >= 0 && (e->record_id || first)) {
		if ((ret = count(st, S_IDS_EXIST0 + t, e->record_id, first, last, &exist, err)) < 0 ||
		    (exist && (ret = count(st, S_IDS_VIS0 + t, e->record_id, first, last, &vis,
		                           err)) < 0))
			return ret;
	} else if (t >= 0 && t < N_BATCH_TABLES && e->batch && strcmp(e->op, "update") == 0) {
		if ((ret = count(st, S_BATCH_EXIST0 + t, e->batch, 0, 0, &exist, err)) < 0 ||
		    (exist && (ret = count(st, S_BATCH_VIS0 + t, e->batch, 0, 0, &vis, err)) < 0))
			return ret;
	}
	if (exist) {
		*visible = vis > 0;
		if (!e->record_id)
			e->count = vis;
		return 0;
	}
	/* the records are gone, or the table has no markings: the entry's own marking */
	if (cc_rel_parse(e->releasability, &rel, NULL) < 0)
		rel = CC_REL_ORG;
	*visible = cc_visible(&st->viewer,
	                      &(struct cc_marking){ .mission_id = e->mission_id, .rel = rel });
	return 0;
}

static int sq_read_feed(struct cc_store *st, int64_t after, size_t limit,
                        struct cc_feed_entry *out, size_t *n_out, int64_t *next_out,
                        struct cc_err *err)
{
	struct cc_feed_entry *pending = NULL;
	sqlite3_stmt *s = NULL;
	int64_t *ranges = NULL;
	size_t n = 0;
	bool own;
	int rc, ret;

	*n_out = 0;
	*next_out = after;
	pending = cc_alloc_array(limit, sizeof(*pending));
	ranges = cc_alloc_array(2 * limit, sizeof(*ranges));
	if (!pending || !ranges) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		goto out_free;
	/* the entries first, then their visibility: one statement runs at a time */
	if ((ret = stmt(st, S_FEED, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, after)) ||
	    (rc = sqlite3_bind_int64(s, 2, (sqlite3_int64)limit))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_feed_entry *e = &pending[n];

		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(s, 0);
		cc__sq_col_str(s, 1, e->at, sizeof(e->at));
		cc__sq_col_str(s, 2, e->who, sizeof(e->who));
		cc__sq_col_str(s, 3, e->table, sizeof(e->table));
		cc__sq_col_str(s, 4, e->op, sizeof(e->op));
		e->record_id = sqlite3_column_int64(s, 5);
		ranges[2 * n] = sqlite3_column_int64(s, 6);
		ranges[2 * n + 1] = sqlite3_column_int64(s, 7);
		e->batch = sqlite3_column_int64(s, 8);
		e->count = sqlite3_column_int64(s, 9);
		e->mission_id = sqlite3_column_int64(s, 10);
		cc__sq_col_str(s, 11, e->releasability, sizeof(e->releasability));
		cc__sq_col_str(s, 12, e->detail, sizeof(e->detail));
		n++;
	}
	if (ret < 0)
		goto out;
	ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++) {
		bool visible = false;

		ret = entry_visible(st, &pending[i], ranges[2 * i], ranges[2 * i + 1], &visible, err);
		if (ret == 0 && visible)
			out[(*n_out)++] = pending[i];
		if (ret == 0)
			*next_out = pending[i].id;
	}
out:
	cc__sq_rx_leave(st, own);
out_free:
	cc_free(pending);
	cc_free(ranges);
	return ret;
}

static int sq_feed_head(struct cc_store *st, int64_t *head_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int ret;

	if ((ret = stmt(st, S_FEED_HEAD, &s, err)) < 0)
		return ret;
	if ((ret = cc__sq_step_row(st, s, err)) != 0)
		return ret < 0 ? ret : cc_err_set(err, CC_ESTORE, "no change-log head");
	*head_out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

static int sq_redact(struct cc_store *st, int what, int64_t mission_id, int32_t before, bool dry,
                     int64_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	char day[11];
	int rc, ret;

	if ((ret = stmt(st, (dry ? S_REDACT_COUNT0 : S_REDACT0) + what, &s, err)) < 0)
		return ret;
	cc_date_format(before, day);
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) || (rc = sqlite3_bind_int(s, 2, before)) ||
	    (what == 2 && (rc = sqlite3_bind_text(s, 3, day, -1, SQLITE_TRANSIENT))))
		return cc__sq_bind_fail(st, s, rc, err);
	if (!dry) {
		if ((ret = cc__sq_step_done(st, s, err)) == 0)
			*n_out = sqlite3_changes(cc__sq_db(st));
		return ret;
	}
	if ((ret = cc__sq_step_row(st, s, err)) != 0)
		return ret < 0 ? ret : cc_err_set(err, CC_ESTORE, "count returned no row");
	*n_out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

const struct cc__sharing_ops cc__sqlite_sharing = {
	.redact = sq_redact,
	.read_feed = sq_read_feed,
	.feed_head = sq_feed_head,
	.org_viewer = sq_org_viewer,
	.set_member = sq_set_member,
	.list_members = sq_list_members,
	.get_marking = sq_get_marking,
	.set_marking = sq_set_marking,
	.share = sq_share,
	.org_mission = sq_org_mission,
};
