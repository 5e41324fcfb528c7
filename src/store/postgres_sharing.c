/*
 * The sharing domain on PostgreSQL: mission membership, records' markings and named sharing,
 * and the change log read as the live feed, as sqlite_sharing.c does on SQLite. Visibility is
 * decided in C by cc_visible() from each row's marking (cc__pg_row_visible), the one rule.
 *
 * The feed is read in change-log id order. That order is the order in which the entries'
 * transactions committed: an entry's id is the last id plus one, taken under a
 * transaction-scoped advisory lock that the writer holds until its commit (postgres.c,
 * log_change), so a reader can never see entry n + 1 without entry n, whichever server wrote
 * them; a cursor of ids neither skips nor repeats an entry.
 */
#include "store/ops_sharing.h"

#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/postgres_int.h"

#include "core/banned.h"

/* The marked tables; the first three know the import batch of their rows. */
static const char *const tables[] = { "activity",    "incident", "need",    "lesson",
	                               "indicator",   "observation", "feedback",
	                               "survey_respondent" };
#define N_TABLES 8
#define N_BATCH_TABLES 3

/* the columns cc__pg_row_visible reads, from column 0 */
#define MARK_COLS "x.id, x.mission_id, x.owner_id, x.releasability, x.deny, x.shared"

static int table_index(const char *table)
{
	for (int i = 0; i < N_TABLES; i++)
		if (strcmp(table, tables[i]) == 0)
			return i;
	return -1;
}

/* Whether the store has table t yet (the domains come to PostgreSQL one at a time). */
static int has_table(struct cc_store *st, const char *t, bool *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_str(&p, t);
	if ((ret = cc__pg_exec(st, "SELECT to_regclass($1) IS NOT NULL", &p, false, &res, err)) < 0)
		return ret;
	*out = PQntuples(res) == 1 && strcmp(cc__pg_cstr(res, 0, 0), "t") == 0;
	PQclear(res);
	return 0;
}

static int pg_org_viewer(struct cc_store *st, int64_t mission_id, int64_t org_id,
                         char kind_out[static 16], bool *member_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, mission_id);
	cc__pg_i64(&p, org_id);
	if ((ret = cc__pg_exec(st,
	                       "SELECT o.kind, EXISTS (SELECT 1 FROM mission_member m WHERE "
	                       "m.mission_id = $1 AND m.org_id = o.id) FROM organisation o "
	                       "WHERE o.id = $2 AND o.mission_id = $1",
	                       &p, false, &res, err)) < 0)
		return ret;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return cc_err_set(err, CC_ENOTFOUND, "no organisation %lld in mission %lld",
		                  (long long)org_id, (long long)mission_id);
	}
	cc__pg_col_str(res, 0, 0, kind_out, 16);
	*member_out = strcmp(cc__pg_cstr(res, 0, 1), "t") == 0;
	PQclear(res);
	return 0;
}

static int pg_set_member(struct cc_store *st, int64_t mission_id, int64_t org_id, bool member,
                         bool *changed_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret;

	*changed_out = false;
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, mission_id);
	cc__pg_i64(&p, org_id);
	ret = cc__pg_exec(st,
	                  member ? "INSERT INTO mission_member (mission_id, org_id, since) "
	                           "VALUES ($1, $2, extract(epoch FROM now())::bigint) "
	                           "ON CONFLICT DO NOTHING"
	                         : "DELETE FROM mission_member WHERE mission_id = $1 AND "
	                           "org_id = $2",
	                  &p, false, &res, err);
	if (ret == 0) {
		*changed_out = cc__pg_changes(res) > 0;
		PQclear(res);
	}
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
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_list_members(struct cc_store *st, int64_t mission_id, struct cc_org **out,
                           size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	struct cc_org *list = NULL;
	size_t n = 0;
	int ret;

	*out = NULL;
	*n_out = 0;
	cc__pg_i64(&p, mission_id);
	if ((ret = cc__pg_rows(st,
	                       "SELECT o.id, o.mission_id, o.key, o.name, o.acronym, o.type, "
	                       "o.kind, o.is_local, o.nation FROM mission_member m JOIN "
	                       "organisation o ON o.id = m.org_id WHERE m.mission_id = $1 "
	                       "ORDER BY o.key",
	                       &p, sizeof(*list), &res, (void **)&list, &n, err)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		struct cc_org *o = &list[i];
		int r = (int)i;

		o->id = cc__pg_col_i64(res, r, 0);
		o->mission_id = cc__pg_col_i64(res, r, 1);
		cc__pg_col_str(res, r, 2, o->key, sizeof(o->key));
		cc__pg_col_str(res, r, 3, o->name, sizeof(o->name));
		cc__pg_col_str(res, r, 4, o->acronym, sizeof(o->acronym));
		cc__pg_col_str(res, r, 5, o->type, sizeof(o->type));
		cc__pg_col_str(res, r, 6, o->kind, sizeof(o->kind));
		o->is_local = cc__pg_col_null(res, r, 7) ? -1 : (int)cc__pg_col_i64(res, r, 7);
		cc__pg_col_str(res, r, 8, o->nation, sizeof(o->nation));
	}
	PQclear(res);
	*out = list;
	*n_out = n;
	return 0;
}

static int read_shares(struct cc_store *st, const char *table, int64_t id,
                       struct cc_record_marking *m, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret, rows;

	m->n_shares = 0;
	cc__pg_str(&p, table);
	cc__pg_i64(&p, id);
	if ((ret = cc__pg_exec(st,
	                       "SELECT org_id FROM share WHERE tbl = $1 AND record_id = $2 "
	                       "ORDER BY org_id",
	                       &p, false, &res, err)) < 0)
		return ret;
	rows = PQntuples(res);
	if ((size_t)rows > sizeof(m->shares) / sizeof(m->shares[0])) {
		PQclear(res);
		return cc_err_set(err, CC_ETOOBIG, "%s %lld is shared with too many organisations",
		                  table, (long long)id);
	}
	for (int r = 0; r < rows; r++)
		m->shares[m->n_shares++] = cc__pg_col_i64(res, r, 0);
	PQclear(res);
	return 0;
}

/* The SQL of a query over marked table t with a tail ("WHERE …"), into buf. */
static const char *marked_sql(char *buf, size_t n, const char *t, const char *tail)
{
	snprintf(buf, n, "SELECT " MARK_COLS " FROM %s x %s", t, tail);
	return buf;
}

static int pg_get_marking(struct cc_store *st, const char *table, int64_t id,
                          struct cc_record_marking *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_marking m;
	PGresult *res = NULL;
	char sql[256];
	bool own, has;
	int ret, t = table_index(table);

	memset(out, 0, sizeof(*out));
	if (t < 0)
		return cc_err_set(err, CC_EINVALID, "'%s' has no markings", table);
	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = has_table(st, table, &has, err)) < 0)
		goto out;
	if (!has) {
		ret = cc__pg_unsupported(err, table);
		goto out;
	}
	cc__pg_i64(&p, id);
	if ((ret = cc__pg_load_shares(st, table, &sh, err)) < 0 ||
	    (ret = cc__pg_exec(st, marked_sql(sql, sizeof(sql), table, "WHERE x.id = $1"), &p,
	                       false, &res, err)) < 0)
		goto out;
	if (PQntuples(res) == 0 || !cc__pg_row_visible(st, &sh, res, 0, 0, &m)) {
		ret = cc_err_set(err, CC_ENOTFOUND, "no %s %lld", table, (long long)id);
		goto out;
	}
	out->mission_id = m.mission_id;
	out->owner_id = m.owner_id;
	out->rel = m.rel;
	out->deny = m.deny;
	ret = read_shares(st, table, id, out, err);
out:
	PQclear(res);
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

static int pg_set_marking(struct cc_store *st, const char *table, int64_t id, enum cc_rel rel,
                          int64_t owner_id, unsigned deny, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	char sql[160];

	if (table_index(table) < 0)
		return cc_err_set(err, CC_EINVALID, "'%s' has no markings", table);
	snprintf(sql, sizeof(sql),
	         "UPDATE %s SET releasability = $2, owner_id = $3, deny = $4 WHERE id = $1",
	         table);
	cc__pg_i64(&p, id);
	cc__pg_str(&p, cc_rel_name(rel));
	cc__pg_id(&p, owner_id);
	cc__pg_i64(&p, (int64_t)deny);
	return cc__pg_write(st, sql, &p, err);
}

static int pg_share(struct cc_store *st, const char *table, int64_t id, int64_t org_id, bool on,
                    struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT, q = CC__PG_PARAMS_INIT;
	char sql[256];
	int ret;

	if (table_index(table) < 0)
		return cc_err_set(err, CC_EINVALID, "'%s' has no markings", table);
	cc__pg_str(&p, table);
	cc__pg_i64(&p, id);
	cc__pg_i64(&p, org_id);
	if ((ret = cc__pg_write(st,
	                        on ? "INSERT INTO share (tbl, record_id, org_id) VALUES ($1, $2, "
	                             "$3) ON CONFLICT DO NOTHING"
	                           : "DELETE FROM share WHERE tbl = $1 AND record_id = $2 AND "
	                             "org_id = $3",
	                        &p, err)) < 0)
		return ret;
	snprintf(sql, sizeof(sql),
	         "UPDATE %s SET shared = (EXISTS (SELECT 1 FROM share WHERE tbl = $2 AND "
	         "record_id = $1))::integer WHERE id = $1",
	         table);
	cc__pg_i64(&q, id);
	cc__pg_str(&q, table);
	return cc__pg_write(st, sql, &q, err);
}

static int pg_org_mission(struct cc_store *st, int64_t org_id, int64_t *mission_out,
                          struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, org_id);
	if ((ret = cc__pg_exec(st, "SELECT mission_id FROM organisation WHERE id = $1", &p, false,
	                       &res, err)) < 0)
		return ret;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return cc_err_set(err, CC_ENOTFOUND, "no organisation %lld", (long long)org_id);
	}
	*mission_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

/*
 * Whether the viewer may see entry e (see <concord/feed.h>) and how many of its records;
 * first/last are the entry's id range. As on SQLite: the records when they exist, else the
 * entry's own marking.
 */
static int entry_visible(struct cc_store *st, struct cc_feed_entry *e, int64_t first,
                         int64_t last, bool *visible, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	PGresult *res = NULL;
	int64_t exist = 0, vis = 0;
	int t = table_index(e->table);
	char sql[256];
	enum cc_rel rel;
	bool has = false;
	int ret = 0;

	if (t >= 0 && (ret = has_table(st, e->table, &has, err)) < 0)
		return ret;
	if (has && (e->record_id || first)) {
		cc__pg_id(&p, e->record_id);
		cc__pg_id(&p, first);
		cc__pg_id(&p, last);
		ret = cc__pg_exec(st,
		                  marked_sql(sql, sizeof(sql), e->table,
		                             "WHERE x.id = $1 OR x.id BETWEEN $2 AND $3"),
		                  &p, false, &res, err);
	} else if (has && t < N_BATCH_TABLES && e->batch && strcmp(e->op, "update") == 0) {
		cc__pg_i64(&p, e->batch);
		ret = cc__pg_exec(st, marked_sql(sql, sizeof(sql), e->table, "WHERE x.batch = $1"),
		                  &p, false, &res, err);
	}
	if (ret == 0 && res && PQntuples(res) > 0 &&
	    (ret = cc__pg_load_shares(st, e->table, &sh, err)) == 0) {
		exist = PQntuples(res);
		for (int r = 0; r < (int)exist; r++)
			vis += cc__pg_row_visible(st, &sh, res, r, 0, NULL);
	}
	PQclear(res);
	cc_free(sh.ids);
	if (ret < 0)
		return ret;
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

static int pg_read_feed(struct cc_store *st, int64_t after, size_t limit,
                        struct cc_feed_entry *out, size_t *n_out, int64_t *next_out,
                        struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret, rows;

	*n_out = 0;
	*next_out = after;
	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, after);
	cc__pg_i64(&p, (int64_t)limit);
	if ((ret = cc__pg_exec(st,
	                       "SELECT id, at, who, tbl, op, record_id, first_id, last_id, batch, "
	                       "count, mission_id, releasability, detail FROM change WHERE id > $1 "
	                       "ORDER BY id LIMIT $2",
	                       &p, false, &res, err)) < 0)
		goto out;
	rows = PQntuples(res);
	for (int r = 0; r < rows && ret == 0; r++) {
		struct cc_feed_entry e;
		bool visible = false;

		memset(&e, 0, sizeof(e));
		e.id = cc__pg_col_i64(res, r, 0);
		cc__pg_col_str(res, r, 1, e.at, sizeof(e.at));
		cc__pg_col_str(res, r, 2, e.who, sizeof(e.who));
		cc__pg_col_str(res, r, 3, e.table, sizeof(e.table));
		cc__pg_col_str(res, r, 4, e.op, sizeof(e.op));
		e.record_id = cc__pg_col_i64(res, r, 5);
		e.batch = cc__pg_col_i64(res, r, 8);
		e.count = cc__pg_col_i64(res, r, 9);
		e.mission_id = cc__pg_col_i64(res, r, 10);
		cc__pg_col_str(res, r, 11, e.releasability, sizeof(e.releasability));
		cc__pg_col_str(res, r, 12, e.detail, sizeof(e.detail));
		ret = entry_visible(st, &e, cc__pg_col_i64(res, r, 6), cc__pg_col_i64(res, r, 7),
		                    &visible, err);
		if (ret == 0 && visible)
			out[(*n_out)++] = e;
		if (ret == 0)
			*next_out = e.id;
	}
out:
	PQclear(res);
	cc__pg_rx_leave(st, own);
	return ret;
}

static int pg_feed_head(struct cc_store *st, int64_t *head_out, struct cc_err *err)
{
	PGresult *res = NULL;
	int ret;

	if ((ret = cc__pg_exec(st, "SELECT coalesce(max(id), 0) FROM change", NULL, false, &res,
	                       err)) < 0)
		return ret;
	*head_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* Retention: sites of activities (0); givers (1) and respondents (2) where their tables exist. */
static int pg_redact(struct cc_store *st, int what, int64_t mission_id, int32_t before, bool dry,
                     int64_t *n_out, struct cc_err *err)
{
	static const char *const table[] = { "activity", "feedback", "survey_respondent" };
	static const char *const where[] = {
		"WHERE mission_id = $1 AND (lat IS NOT NULL OR lon IS NOT NULL) AND "
		"coalesce(end_date, start_date) < $2",
		"WHERE mission_id = $1 AND giver IS NOT NULL AND date < $2",
		"WHERE mission_id = $1 AND personal IS NOT NULL AND $2::integer IS NOT NULL AND "
		"source_id IN (SELECT id FROM source WHERE imported_at < $3)",
	};
	static const char *const set[] = { "lat = NULL, lon = NULL", "giver = NULL",
		                           "personal = NULL" };
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	char sql[384], day[11];
	bool has;
	int ret;

	*n_out = 0;
	if (what < 0 || what > 2)
		return cc_err_set(err, CC_EINVALID, "no redaction %d", what);
	if ((ret = has_table(st, table[what], &has, err)) < 0)
		return ret;
	if (!has)
		return 0; /* the domain is not on this store: nothing to redact */
	if (dry)
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s %s", table[what], where[what]);
	else
		snprintf(sql, sizeof(sql), "UPDATE %s SET %s %s", table[what], set[what],
		         where[what]);
	cc_date_format(before, day);
	cc__pg_i64(&p, mission_id);
	cc__pg_i64(&p, before);
	if (what == 2)
		cc__pg_str(&p, day);
	if (!dry) {
		bool own;

		if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
			return ret;
		ret = cc__pg_exec(st, sql, &p, false, &res, err);
		if (ret == 0)
			*n_out = cc__pg_changes(res);
		PQclear(res);
		return cc__pg_tx_leave(st, own, ret, err);
	}
	if ((ret = cc__pg_exec(st, sql, &p, false, &res, err)) < 0)
		return ret;
	*n_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

const struct cc__sharing_ops cc__pg_sharing = {
	.redact = pg_redact,
	.read_feed = pg_read_feed,
	.feed_head = pg_feed_head,
	.org_viewer = pg_org_viewer,
	.set_member = pg_set_member,
	.list_members = pg_list_members,
	.get_marking = pg_get_marking,
	.set_marking = pg_set_marking,
	.share = pg_share,
	.org_mission = pg_org_mission,
};
