/* Each mission's status rule in SQLite (table mission_status_rule, migration 0016). */
#include "store/ops_status_rule.h"

#include <string.h>

#include "store/sqlite_int.h"

#include "core/banned.h"

#define SQL_GET                                                                   \
	"SELECT on_track, at_risk, max_age_days, alpha FROM mission_status_rule " \
	"WHERE mission_id = ?1"
#define SQL_SET                                                                                 \
	"INSERT INTO mission_status_rule (mission_id, on_track, at_risk, max_age_days, alpha) " \
	"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (mission_id) DO UPDATE SET "                   \
	"on_track = excluded.on_track, at_risk = excluded.at_risk, "                            \
	"max_age_days = excluded.max_age_days, alpha = excluded.alpha"

/* A stored threshold: NULL (the default) reads as 0. */
static double col(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_double(s, i);
}

/* A threshold to store: 0 (or less) binds NULL. */
static int bind(sqlite3_stmt *s, int i, double v)
{
	return v > 0 ? sqlite3_bind_double(s, i, v) : sqlite3_bind_null(s, i);
}

static int prepare(struct cc_store *st, const char *sql, sqlite3_stmt **out, struct cc_err *err)
{
	int rc = sqlite3_prepare_v2(cc__sq_db(st), sql, -1, out, NULL);

	if (rc != SQLITE_OK) {
		sqlite3_finalize(*out);
		*out = NULL;
		return cc__sq_error(st, rc, err);
	}
	return 0;
}

static int sq_get_rule(struct cc_store *st, int64_t mission_id, struct cc_status_rule *out,
                       struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	if ((ret = prepare(st, SQL_GET, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
	} else if ((ret = cc__sq_step_row(st, s, err)) == 0) {
		out->on_track = col(s, 0);
		out->at_risk = col(s, 1);
		out->max_age_days = (int)col(s, 2);
		out->alpha = col(s, 3);
	} else if (ret > 0) {
		ret = 0; /* no row: every default */
	}
	sqlite3_finalize(s);
	return ret;
}

static int sq_set_rule(struct cc_store *st, int64_t mission_id, const struct cc_status_rule *r,
                       struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = prepare(st, SQL_SET, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) || (rc = bind(s, 2, r->on_track)) ||
	    (rc = bind(s, 3, r->at_risk)) || (rc = bind(s, 4, r->max_age_days)) ||
	    (rc = bind(s, 5, r->alpha)))
		ret = cc__sq_bind_fail(st, s, rc, err);
	else
		ret = cc__sq_step_done(st, s, err);
	sqlite3_finalize(s);
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

const struct cc__status_rule_ops cc__sqlite_status_rule = {
	.get_rule = sq_get_rule,
	.set_rule = sq_set_rule,
};
