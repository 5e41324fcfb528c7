/*
 * IATI activities in SQLite (tables of migration 0009).
 *
 * An activity is found by (source, identifier). Its digest, computed by the importer over every
 * field and detail, decides: equal → only the batch and line are touched (unchanged); different
 * → the row is updated and every detail row deleted and written again (updated). Detail tables
 * are WITHOUT ROWID, keyed (activity_id, seq), so the replacement is a range delete.
 */
#include "store/ops_iati.h"

#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/sqlite_int.h"

#include "core/banned.h"

enum {
	S_FIND = 0,
	S_INS,
	S_UPD,
	S_TOUCH,
	S_INS_ORG,
	S_INS_DATE,
	S_INS_RCP,
	S_INS_SEC,
	S_INS_LOC,
	S_INS_BUD,
	S_INS_TX,
	S_INS_IND,
	S_INS_PER,
	S_EACH,
	S_GET_ORG,
	S_GET_DATE,
	S_GET_RCP,
	S_GET_SEC,
	S_GET_LOC,
	S_GET_BUD,
	S_GET_TX,
	S_GET_IND,
	S_GET_PER,
	S_INS_VAL,
	S_GET_VAL,
	S_FIND_OTHER,
	S_GET_ONE,
	S_DEL_ACT,
	S_DEL_CONCORD,
	S_DEL_FIRST, /* one per detail table, in the order of detail_tables */
};

static const char *const detail_tables[] = {
	"iati_org",    "iati_date",        "iati_recipient", "iati_sector", "iati_location",
	"iati_budget", "iati_transaction", "iati_indicator", "iati_period", "iati_result_value",
};

#define N_OF(a)  (sizeof(a) / sizeof((a)[0]))
#define N_DETAIL N_OF(detail_tables)
#define S_STALE  (S_DEL_FIRST + (int)N_DETAIL) /* then one per detail table, then the activity */

#define ACT_COLS                                                                            \
	"SELECT id, mission_id, source_id, identifier, line, version, title, status, "      \
	"default_currency, hierarchy, humanitarian, reporting_ref, reporting_type, "        \
	"reporting_name, digest, description, last_updated FROM iati_activity "

#define ACT_SET                                                                             \
	"digest = ?3, batch = ?4, line = ?5, version = ?6, title = ?7, status = ?8, "       \
	"default_currency = ?9, hierarchy = ?10, humanitarian = ?11, reporting_ref = ?12, " \
	"reporting_type = ?13, reporting_name = ?14, mission_id = ?15, description = ?16, " \
	"last_updated = ?17"

static const char *const sql[] = {
	[S_FIND] = "SELECT id, batch, line, digest FROM iati_activity "
	           "WHERE source_id = ?1 AND identifier = ?2",
	[S_INS] =
	        "INSERT INTO iati_activity (source_id, identifier, digest, batch, line, version, "
	        "title, status, default_currency, hierarchy, humanitarian, reporting_ref, "
	        "reporting_type, reporting_name, mission_id, description, last_updated) VALUES (?1, "
	        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
	[S_UPD] = "UPDATE iati_activity SET " ACT_SET " WHERE source_id = ?1 AND identifier = ?2",
	[S_TOUCH] = "UPDATE iati_activity SET batch = ?2, line = ?3 WHERE id = ?1",
	[S_INS_ORG] = "INSERT INTO iati_org (activity_id, seq, role, type, ref, name) "
	              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_INS_DATE] =
	        "INSERT INTO iati_date (activity_id, seq, type, date) VALUES (?1, ?2, ?3, ?4)",
	[S_INS_RCP] = "INSERT INTO iati_recipient (activity_id, seq, kind, code, vocabulary, "
	              "percentage) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_INS_SEC] = "INSERT INTO iati_sector (activity_id, seq, vocabulary, code, percentage) "
	              "VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_INS_LOC] =
	        "INSERT INTO iati_location (activity_id, seq, ref, name, lat, lon, exactness, "
	        "admin, area_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_INS_BUD] =
	        "INSERT INTO iati_budget (activity_id, seq, kind, type, status, period_start, "
	        "period_end, value, currency, value_date) "
	        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_INS_TX] = "INSERT INTO iati_transaction (activity_id, seq, type, date, value, currency, "
	             "value_date, provider_ref, provider_name, receiver_ref, receiver_name) "
	             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[S_INS_IND] =
	        "INSERT INTO iati_indicator (activity_id, seq, result, position, result_type, "
	        "indicator_code, ref, title, measure, ascending, baseline_date, baseline, "
	        "n_periods) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[S_INS_PER] = "INSERT INTO iati_period (activity_id, seq, indicator, period_start, "
	              "period_end, target, actual) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_EACH] = ACT_COLS "WHERE ?1 = 0 OR mission_id = ?1 ORDER BY id",
	[S_GET_ONE] = ACT_COLS "WHERE id = ?1",
	[S_INS_VAL] = "INSERT INTO iati_result_value (activity_id, seq, indicator, period, kind, "
	              "value, date, locations, dimensions) "
	              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_GET_VAL] = "SELECT indicator, period, kind, value, date, locations, dimensions "
	              "FROM iati_result_value WHERE activity_id = ?1 ORDER BY seq",
	[S_FIND_OTHER] = "SELECT a.id, a.source_id, s.name, a.last_updated, a.line "
	                 "FROM iati_activity a JOIN source s ON s.id = a.source_id "
	                 "WHERE a.mission_id = ?1 AND a.identifier = ?2 AND a.source_id <> ?3 "
	                 "ORDER BY a.id LIMIT 1",
	[S_DEL_ACT] = "DELETE FROM iati_activity WHERE id = ?1",
	[S_DEL_CONCORD] = "DELETE FROM activity WHERE natkey = ?2 AND source_id = "
	                  "(SELECT source_id FROM iati_activity WHERE id = ?1)",
	[S_GET_ORG] = "SELECT role, type, ref, name FROM iati_org WHERE activity_id = ?1 "
	              "ORDER BY seq",
	[S_GET_DATE] = "SELECT type, date FROM iati_date WHERE activity_id = ?1 ORDER BY seq",
	[S_GET_RCP] = "SELECT kind, code, vocabulary, percentage FROM iati_recipient "
	              "WHERE activity_id = ?1 ORDER BY seq",
	[S_GET_SEC] = "SELECT vocabulary, code, percentage FROM iati_sector WHERE activity_id = ?1 "
	              "ORDER BY seq",
	[S_GET_LOC] = "SELECT ref, name, lat, lon, exactness, admin, area_id FROM iati_location "
	              "WHERE activity_id = ?1 ORDER BY seq",
	[S_GET_BUD] = "SELECT kind, type, status, period_start, period_end, value, currency, "
	              "value_date FROM iati_budget WHERE activity_id = ?1 ORDER BY seq",
	[S_GET_TX] = "SELECT type, date, value, currency, value_date, provider_ref, provider_name, "
	             "receiver_ref, receiver_name FROM iati_transaction WHERE activity_id = ?1 "
	             "ORDER BY seq",
	[S_GET_IND] = "SELECT result, position, result_type, indicator_code, ref, title, measure, "
	              "ascending, baseline_date, baseline, n_periods FROM iati_indicator "
	              "WHERE activity_id = ?1 ORDER BY seq",
	[S_GET_PER] = "SELECT indicator, period_start, period_end, target, actual FROM iati_period "
	              "WHERE activity_id = ?1 ORDER BY seq",
	[S_DEL_FIRST + 0] = "DELETE FROM iati_org WHERE activity_id = ?1",
	[S_DEL_FIRST + 1] = "DELETE FROM iati_date WHERE activity_id = ?1",
	[S_DEL_FIRST + 2] = "DELETE FROM iati_recipient WHERE activity_id = ?1",
	[S_DEL_FIRST + 3] = "DELETE FROM iati_sector WHERE activity_id = ?1",
	[S_DEL_FIRST + 4] = "DELETE FROM iati_location WHERE activity_id = ?1",
	[S_DEL_FIRST + 5] = "DELETE FROM iati_budget WHERE activity_id = ?1",
	[S_DEL_FIRST + 6] = "DELETE FROM iati_transaction WHERE activity_id = ?1",
	[S_DEL_FIRST + 7] = "DELETE FROM iati_indicator WHERE activity_id = ?1",
	[S_DEL_FIRST + 8] = "DELETE FROM iati_period WHERE activity_id = ?1",
	[S_DEL_FIRST + 9] = "DELETE FROM iati_result_value WHERE activity_id = ?1",
#define STALE_IN                                                                    \
	" WHERE activity_id IN (SELECT id FROM iati_activity WHERE source_id = ?1 " \
	"AND batch <> ?2)"
	[S_STALE + 0] = "DELETE FROM iati_org" STALE_IN,
	[S_STALE + 1] = "DELETE FROM iati_date" STALE_IN,
	[S_STALE + 2] = "DELETE FROM iati_recipient" STALE_IN,
	[S_STALE + 3] = "DELETE FROM iati_sector" STALE_IN,
	[S_STALE + 4] = "DELETE FROM iati_location" STALE_IN,
	[S_STALE + 5] = "DELETE FROM iati_budget" STALE_IN,
	[S_STALE + 6] = "DELETE FROM iati_transaction" STALE_IN,
	[S_STALE + 7] = "DELETE FROM iati_indicator" STALE_IN,
	[S_STALE + 8] = "DELETE FROM iati_period" STALE_IN,
	[S_STALE + 9] = "DELETE FROM iati_result_value" STALE_IN,
	[S_STALE + 10] = "DELETE FROM iati_activity WHERE source_id = ?1 AND batch <> ?2",
#undef STALE_IN
};

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_IATI, id, sql[id], out, err);
}

/* Binds the common head (activity_id, seq) of a detail insert. */
static int bind_head(sqlite3_stmt *s, int64_t activity_id, size_t seq)
{
	int rc = sqlite3_bind_int64(s, 1, activity_id);

	return rc ? rc : sqlite3_bind_int64(s, 2, (int64_t)seq + 1);
}

static int insert_orgs(struct cc_store *st, const struct cc_iati_activity *a, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_ORG, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_orgs; i++) {
		const struct cc_iati_org *o = &a->orgs[i];

		if ((rc = bind_head(s, a->id, i)) || (rc = cc__sq_bind_text(s, 3, o->role)) ||
		    (rc = cc__sq_bind_text(s, 4, o->type)) ||
		    (rc = cc__sq_bind_text(s, 5, o->ref)) || (rc = cc__sq_bind_text(s, 6, o->name)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static int insert_dates(struct cc_store *st, const struct cc_iati_activity *a, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_DATE, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_dates; i++) {
		if ((rc = bind_head(s, a->id, i)) ||
		    (rc = sqlite3_bind_int(s, 3, a->dates[i].type)) ||
		    (rc = cc__sq_bind_date(s, 4, a->dates[i].date)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static int insert_recipients(struct cc_store *st, const struct cc_iati_activity *a,
                             struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_RCP, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_recipients; i++) {
		const struct cc_iati_recipient *r = &a->recipients[i];

		if ((rc = bind_head(s, a->id, i)) ||
		    (rc = cc__sq_bind_text(s, 3, r->region ? "region" : "country")) ||
		    (rc = cc__sq_bind_text(s, 4, r->code)) ||
		    (rc = cc__sq_bind_text(s, 5, r->vocabulary)) ||
		    (rc = cc__sq_bind_num(s, 6, r->percentage)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static int insert_sectors(struct cc_store *st, const struct cc_iati_activity *a, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_SEC, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_sectors; i++) {
		const struct cc_iati_sector *x = &a->sectors[i];

		if ((rc = bind_head(s, a->id, i)) || (rc = cc__sq_bind_text(s, 3, x->vocabulary)) ||
		    (rc = cc__sq_bind_text(s, 4, x->code)) ||
		    (rc = cc__sq_bind_num(s, 5, x->percentage)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static int insert_locations(struct cc_store *st, const struct cc_iati_activity *a,
                            struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_LOC, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_locations; i++) {
		const struct cc_iati_location *l = &a->locations[i];

		if ((rc = bind_head(s, a->id, i)) || (rc = cc__sq_bind_text(s, 3, l->ref)) ||
		    (rc = cc__sq_bind_text(s, 4, l->name)) ||
		    (rc = cc__sq_bind_num(s, 5, l->lat)) || (rc = cc__sq_bind_num(s, 6, l->lon)) ||
		    (rc = cc__sq_bind_text(s, 7, l->exactness)) ||
		    (rc = cc__sq_bind_text(s, 8, l->admin)) ||
		    (rc = cc__sq_bind_id(s, 9, l->area_id)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static int insert_budgets(struct cc_store *st, const struct cc_iati_activity *a, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_BUD, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_budgets; i++) {
		const struct cc_iati_budget *b = &a->budgets[i];

		if ((rc = bind_head(s, a->id, i)) ||
		    (rc = cc__sq_bind_text(s, 3,
		                           b->kind == CC_IATI_BUDGET ? "budget"
		                                                     : "planned-disbursement")) ||
		    (rc = cc__sq_bind_text(s, 4, b->type)) ||
		    (rc = cc__sq_bind_text(s, 5, b->status)) ||
		    (rc = cc__sq_bind_date(s, 6, b->period_start)) ||
		    (rc = cc__sq_bind_date(s, 7, b->period_end)) ||
		    (rc = sqlite3_bind_double(s, 8, b->value)) ||
		    (rc = cc__sq_bind_text(s, 9, b->currency)) ||
		    (rc = cc__sq_bind_date(s, 10, b->value_date)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static int insert_transactions(struct cc_store *st, const struct cc_iati_activity *a,
                               struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_TX, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_transactions; i++) {
		const struct cc_iati_transaction *t = &a->transactions[i];

		if ((rc = bind_head(s, a->id, i)) || (rc = cc__sq_bind_text(s, 3, t->type)) ||
		    (rc = cc__sq_bind_date(s, 4, t->date)) ||
		    (rc = sqlite3_bind_double(s, 5, t->value)) ||
		    (rc = cc__sq_bind_text(s, 6, t->currency)) ||
		    (rc = cc__sq_bind_date(s, 7, t->value_date)) ||
		    (rc = cc__sq_bind_text(s, 8, t->provider_ref)) ||
		    (rc = cc__sq_bind_text(s, 9, t->provider_name)) ||
		    (rc = cc__sq_bind_text(s, 10, t->receiver_ref)) ||
		    (rc = cc__sq_bind_text(s, 11, t->receiver_name)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static int insert_indicators(struct cc_store *st, const struct cc_iati_activity *a,
                             struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_IND, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_indicators; i++) {
		const struct cc_iati_indicator *x = &a->indicators[i];

		if ((rc = bind_head(s, a->id, i)) || (rc = sqlite3_bind_int(s, 3, x->result)) ||
		    (rc = sqlite3_bind_int(s, 4, x->position)) ||
		    (rc = cc__sq_bind_text(s, 5, x->result_type)) ||
		    (rc = cc__sq_bind_text(s, 6, x->code)) ||
		    (rc = cc__sq_bind_text(s, 7, x->ref)) ||
		    (rc = cc__sq_bind_text(s, 8, x->title)) ||
		    (rc = sqlite3_bind_int(s, 9, x->measure)) ||
		    (rc = sqlite3_bind_int(s, 10, x->ascending)) ||
		    (rc = cc__sq_bind_date(s, 11, x->baseline_date)) ||
		    (rc = cc__sq_bind_num(s, 12, x->baseline)) ||
		    (rc = sqlite3_bind_int64(s, 13, (int64_t)x->n_periods)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static int insert_periods(struct cc_store *st, const struct cc_iati_activity *a, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_PER, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_periods; i++) {
		const struct cc_iati_period *p = &a->periods[i];

		if ((rc = bind_head(s, a->id, i)) ||
		    (rc = sqlite3_bind_int64(s, 3, (int64_t)p->indicator + 1)) ||
		    (rc = cc__sq_bind_date(s, 4, p->start)) ||
		    (rc = cc__sq_bind_date(s, 5, p->end)) ||
		    (rc = cc__sq_bind_num(s, 6, p->target)) ||
		    (rc = cc__sq_bind_num(s, 7, p->actual)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static const char *const value_kinds[] = { "baseline", "target", "actual" };

static int insert_values(struct cc_store *st, const struct cc_iati_activity *a, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_INS_VAL, &s, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_values; i++) {
		const struct cc_iati_result_value *v = &a->values[i];
		int kind = v->kind == CC_IATI_VALUE_ACTUAL   ? 2
		           : v->kind == CC_IATI_VALUE_TARGET ? 1
		                                             : 0;

		if ((rc = bind_head(s, a->id, i)) ||
		    (rc = sqlite3_bind_int64(s, 3, (int64_t)v->indicator + 1)) ||
		    (rc = v->period == SIZE_MAX ? sqlite3_bind_null(s, 4)
		                                : sqlite3_bind_int64(s, 4, (int64_t)v->period + 1)) ||
		    (rc = cc__sq_bind_text(s, 5, value_kinds[kind])) ||
		    (rc = cc__sq_bind_num(s, 6, v->value)) ||
		    (rc = cc__sq_bind_date(s, 7, v->date)) ||
		    (rc = cc__sq_bind_text(s, 8, v->locations)) ||
		    (rc = cc__sq_bind_text(s, 9, v->dimensions)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

/* The activity's row: insert (id 0) or update by key. */
static int write_activity(struct cc_store *st, struct cc_iati_activity *a, int64_t batch,
                          bool update, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, update ? S_UPD : S_INS, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, a->source_id)) ||
	    (rc = cc__sq_bind_text(s, 2, a->identifier)) ||
	    (rc = sqlite3_bind_blob(s, 3, a->digest, sizeof(a->digest), SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int64(s, 4, batch)) || (rc = cc__sq_bind_id(s, 5, a->line)) ||
	    (rc = cc__sq_bind_text(s, 6, a->version)) || (rc = cc__sq_bind_text(s, 7, a->title)) ||
	    (rc = cc__sq_bind_text(s, 8, a->status)) ||
	    (rc = cc__sq_bind_text(s, 9, a->default_currency)) ||
	    (rc = cc__sq_bind_id(s, 10, a->hierarchy)) ||
	    (rc = sqlite3_bind_int(s, 11, a->humanitarian)) ||
	    (rc = cc__sq_bind_text(s, 12, a->reporting.ref)) ||
	    (rc = cc__sq_bind_text(s, 13, a->reporting.type)) ||
	    (rc = cc__sq_bind_text(s, 14, a->reporting.name)) ||
	    (rc = sqlite3_bind_int64(s, 15, a->mission_id)) ||
	    (rc = cc__sq_bind_text(s, 16, a->description)) ||
	    (rc = cc__sq_bind_text(s, 17, a->last_updated)))
		return cc__sq_bind_fail(st, s, rc, err);
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		return ret;
	if (!update)
		a->id = sqlite3_last_insert_rowid(cc__sq_db(st));
	return 0;
}

static int sq_put_activity(struct cc_store *st, struct cc_iati_activity *a, int64_t batch,
                           enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	bool own, found = false, same = false;
	int64_t old_batch = 0;
	int rc, ret;

	*dup_line_out = 0;
	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_FIND, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, a->source_id)) ||
	    (rc = cc__sq_bind_text(s, 2, a->identifier))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		goto out_leave;
	if (ret == 0) {
		const void *d = sqlite3_column_blob(s, 3);

		found = true;
		a->id = sqlite3_column_int64(s, 0);
		old_batch = sqlite3_column_int64(s, 1);
		*dup_line_out = (long)sqlite3_column_int64(s, 2);
		same = d && sqlite3_column_bytes(s, 3) == (int)sizeof(a->digest) &&
		       memcmp(d, a->digest, sizeof(a->digest)) == 0;
		sqlite3_reset(s);
	}
	ret = 0;
	if (found && old_batch == batch) {
		*res_out = CC_PUT_DUPLICATE;
		goto out_leave;
	}
	*dup_line_out = 0;
	if (same) {
		*res_out = CC_PUT_UNCHANGED;
		if ((ret = stmt(st, S_TOUCH, &s, err)) < 0)
			goto out_leave;
		if ((rc = sqlite3_bind_int64(s, 1, a->id)) ||
		    (rc = sqlite3_bind_int64(s, 2, batch)) ||
		    (rc = cc__sq_bind_id(s, 3, a->line))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
		ret = cc__sq_step_done(st, s, err);
		goto out_leave;
	}
	*res_out = found ? CC_PUT_UPDATED : CC_PUT_ADDED;
	if ((ret = write_activity(st, a, batch, found, err)) < 0)
		goto out_leave;
	for (size_t i = 0; found && i < N_DETAIL; i++) {
		if ((ret = stmt(st, S_DEL_FIRST + (int)i, &s, err)) < 0)
			goto out_leave;
		if ((rc = sqlite3_bind_int64(s, 1, a->id))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			goto out_leave;
	}
	if ((ret = insert_orgs(st, a, err)) < 0 || (ret = insert_dates(st, a, err)) < 0 ||
	    (ret = insert_recipients(st, a, err)) < 0 || (ret = insert_sectors(st, a, err)) < 0 ||
	    (ret = insert_locations(st, a, err)) < 0 || (ret = insert_budgets(st, a, err)) < 0 ||
	    (ret = insert_transactions(st, a, err)) < 0 ||
	    (ret = insert_indicators(st, a, err)) < 0 || (ret = insert_periods(st, a, err)) < 0 ||
	    (ret = insert_values(st, a, err)) < 0)
		goto out_leave;
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_remove_stale(struct cc_store *st, int64_t source_id, int64_t batch,
                           size_t *n_removed_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	*n_removed_out = 0;
	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	for (int i = 0; i <= (int)N_DETAIL; i++) {
		if ((ret = stmt(st, S_STALE + i, &s, err)) < 0)
			goto out_leave;
		if ((rc = sqlite3_bind_int64(s, 1, source_id)) ||
		    (rc = sqlite3_bind_int64(s, 2, batch))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			goto out_leave;
	}
	*n_removed_out = (size_t)sqlite3_changes(cc__sq_db(st));
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

/* ---- reading ---- */

/* Growable arrays of one activity's details, reused from one activity to the next. */
struct details {
	struct cc_iati_org *orgs;
	struct cc_iati_date *dates;
	struct cc_iati_recipient *rcps;
	struct cc_iati_sector *secs;
	struct cc_iati_location *locs;
	struct cc_iati_budget *buds;
	struct cc_iati_transaction *txs;
	struct cc_iati_indicator *inds;
	struct cc_iati_period *pers;
	struct cc_iati_result_value *vals;
	size_t cap[10];
};

/* Runs the detail query id for activity_id; fill(stmt, item) reads one row into arrays[k]. */
static int load_rows(struct cc_store *st, int id, int64_t activity_id, void **arr, size_t *cap,
                     size_t size, size_t *n_out, void (*fill)(sqlite3_stmt *s, void *item),
                     struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	*n_out = 0;
	if ((ret = stmt(st, id, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, activity_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		void *item;

		if ((ret = cc__sq_grow(arr, cap, *n_out, size)) < 0) {
			sqlite3_reset(s);
			return cc_err_set(err, ret, "out of memory");
		}
		item = (char *)*arr + *n_out * size;
		memset(item, 0, size);
		fill(s, item);
		(*n_out)++;
	}
	return ret < 0 ? ret : 0;
}

static void fill_org(sqlite3_stmt *s, void *item)
{
	struct cc_iati_org *o = item;

	cc__sq_col_str(s, 0, o->role, sizeof(o->role));
	cc__sq_col_str(s, 1, o->type, sizeof(o->type));
	cc__sq_col_str(s, 2, o->ref, sizeof(o->ref));
	cc__sq_col_str(s, 3, o->name, sizeof(o->name));
}

static void fill_date(sqlite3_stmt *s, void *item)
{
	struct cc_iati_date *d = item;

	d->type = sqlite3_column_int(s, 0);
	d->date = cc__sq_col_date(s, 1);
}

static void fill_rcp(sqlite3_stmt *s, void *item)
{
	struct cc_iati_recipient *r = item;
	char kind[16];

	cc__sq_col_str(s, 0, kind, sizeof(kind));
	r->region = !strcmp(kind, "region");
	cc__sq_col_str(s, 1, r->code, sizeof(r->code));
	cc__sq_col_str(s, 2, r->vocabulary, sizeof(r->vocabulary));
	r->percentage = cc__sq_col_num(s, 3);
}

static void fill_sec(sqlite3_stmt *s, void *item)
{
	struct cc_iati_sector *x = item;

	cc__sq_col_str(s, 0, x->vocabulary, sizeof(x->vocabulary));
	cc__sq_col_str(s, 1, x->code, sizeof(x->code));
	x->percentage = cc__sq_col_num(s, 2);
}

static void fill_loc(sqlite3_stmt *s, void *item)
{
	struct cc_iati_location *l = item;

	cc__sq_col_str(s, 0, l->ref, sizeof(l->ref));
	cc__sq_col_str(s, 1, l->name, sizeof(l->name));
	l->lat = cc__sq_col_num(s, 2);
	l->lon = cc__sq_col_num(s, 3);
	cc__sq_col_str(s, 4, l->exactness, sizeof(l->exactness));
	cc__sq_col_str(s, 5, l->admin, sizeof(l->admin));
	l->area_id = sqlite3_column_int64(s, 6);
}

static void fill_bud(sqlite3_stmt *s, void *item)
{
	struct cc_iati_budget *b = item;
	char kind[32];

	cc__sq_col_str(s, 0, kind, sizeof(kind));
	b->kind = !strcmp(kind, "budget") ? CC_IATI_BUDGET : CC_IATI_PLANNED_DISBURSEMENT;
	cc__sq_col_str(s, 1, b->type, sizeof(b->type));
	cc__sq_col_str(s, 2, b->status, sizeof(b->status));
	b->period_start = cc__sq_col_date(s, 3);
	b->period_end = cc__sq_col_date(s, 4);
	b->value = sqlite3_column_double(s, 5);
	cc__sq_col_str(s, 6, b->currency, sizeof(b->currency));
	b->value_date = cc__sq_col_date(s, 7);
}

static void fill_tx(sqlite3_stmt *s, void *item)
{
	struct cc_iati_transaction *t = item;

	cc__sq_col_str(s, 0, t->type, sizeof(t->type));
	t->date = cc__sq_col_date(s, 1);
	t->value = sqlite3_column_double(s, 2);
	cc__sq_col_str(s, 3, t->currency, sizeof(t->currency));
	t->value_date = cc__sq_col_date(s, 4);
	cc__sq_col_str(s, 5, t->provider_ref, sizeof(t->provider_ref));
	cc__sq_col_str(s, 6, t->provider_name, sizeof(t->provider_name));
	cc__sq_col_str(s, 7, t->receiver_ref, sizeof(t->receiver_ref));
	cc__sq_col_str(s, 8, t->receiver_name, sizeof(t->receiver_name));
}

static void fill_ind(sqlite3_stmt *s, void *item)
{
	struct cc_iati_indicator *x = item;

	x->result = sqlite3_column_int(s, 0);
	x->position = sqlite3_column_int(s, 1);
	cc__sq_col_str(s, 2, x->result_type, sizeof(x->result_type));
	cc__sq_col_str(s, 3, x->code, sizeof(x->code));
	cc__sq_col_str(s, 4, x->ref, sizeof(x->ref));
	cc__sq_col_str(s, 5, x->title, sizeof(x->title));
	x->measure = sqlite3_column_int(s, 6);
	x->ascending = sqlite3_column_int(s, 7) != 0;
	x->baseline_date = cc__sq_col_date(s, 8);
	x->baseline = cc__sq_col_num(s, 9);
	x->n_periods = (size_t)sqlite3_column_int64(s, 10);
}

static void fill_per(sqlite3_stmt *s, void *item)
{
	struct cc_iati_period *p = item;
	int64_t ind = sqlite3_column_int64(s, 0);

	p->indicator = ind > 0 ? (size_t)(ind - 1) : 0;
	p->start = cc__sq_col_date(s, 1);
	p->end = cc__sq_col_date(s, 2);
	p->target = cc__sq_col_num(s, 3);
	p->actual = cc__sq_col_num(s, 4);
}

static void fill_val(sqlite3_stmt *s, void *item)
{
	struct cc_iati_result_value *v = item;
	int64_t ind = sqlite3_column_int64(s, 0);
	char kind[16];

	v->indicator = ind > 0 ? (size_t)(ind - 1) : 0;
	v->period = sqlite3_column_type(s, 1) == SQLITE_NULL
	                    ? SIZE_MAX
	                    : (size_t)(sqlite3_column_int64(s, 1) - 1);
	cc__sq_col_str(s, 2, kind, sizeof(kind));
	v->kind = !strcmp(kind, "actual")   ? CC_IATI_VALUE_ACTUAL
	          : !strcmp(kind, "target") ? CC_IATI_VALUE_TARGET
	                                    : CC_IATI_VALUE_BASELINE;
	v->value = cc__sq_col_num(s, 3);
	v->date = cc__sq_col_date(s, 4);
	cc__sq_col_str(s, 5, v->locations, sizeof(v->locations));
	cc__sq_col_str(s, 6, v->dimensions, sizeof(v->dimensions));
}

static int load_details(struct cc_store *st, struct cc_iati_activity *a, struct details *d,
                        struct cc_err *err)
{
	int ret;

#define LOAD(q, arr, k, n, fill) \
	load_rows(st, q, a->id, (void **)&d->arr, &d->cap[k], sizeof(*d->arr), &a->n, fill, err)
	if ((ret = LOAD(S_GET_ORG, orgs, 0, n_orgs, fill_org)) < 0 ||
	    (ret = LOAD(S_GET_DATE, dates, 1, n_dates, fill_date)) < 0 ||
	    (ret = LOAD(S_GET_RCP, rcps, 2, n_recipients, fill_rcp)) < 0 ||
	    (ret = LOAD(S_GET_SEC, secs, 3, n_sectors, fill_sec)) < 0 ||
	    (ret = LOAD(S_GET_LOC, locs, 4, n_locations, fill_loc)) < 0 ||
	    (ret = LOAD(S_GET_BUD, buds, 5, n_budgets, fill_bud)) < 0 ||
	    (ret = LOAD(S_GET_TX, txs, 6, n_transactions, fill_tx)) < 0 ||
	    (ret = LOAD(S_GET_IND, inds, 7, n_indicators, fill_ind)) < 0 ||
	    (ret = LOAD(S_GET_PER, pers, 8, n_periods, fill_per)) < 0 ||
	    (ret = LOAD(S_GET_VAL, vals, 9, n_values, fill_val)) < 0)
		return ret;
#undef LOAD
	a->orgs = d->orgs;
	a->dates = d->dates;
	a->recipients = d->rcps;
	a->sectors = d->secs;
	a->locations = d->locs;
	a->budgets = d->buds;
	a->transactions = d->txs;
	a->indicators = d->inds;
	a->periods = d->pers;
	a->values = d->vals;
	return 0;
}

/* Runs the activity query q (S_EACH or S_GET_ONE) with ?1 = key; fn for each row. */
static int each_row(struct cc_store *st, int q, int64_t key, cc_iati_activity_fn *fn, void *ctx,
                    size_t *n_out, struct cc_err *err)
{
	struct details d = { 0 };
	struct cc_iati_activity a;
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	*n_out = 0;
	if ((ret = stmt(st, q, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, key))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		const void *dg;

		memset(&a, 0, sizeof(a));
		a.id = sqlite3_column_int64(s, 0);
		a.mission_id = sqlite3_column_int64(s, 1);
		a.source_id = sqlite3_column_int64(s, 2);
		cc__sq_col_str(s, 3, a.identifier, sizeof(a.identifier));
		a.line = (long)sqlite3_column_int64(s, 4);
		cc__sq_col_str(s, 5, a.version, sizeof(a.version));
		cc__sq_col_str(s, 6, a.title, sizeof(a.title));
		cc__sq_col_str(s, 7, a.status, sizeof(a.status));
		cc__sq_col_str(s, 8, a.default_currency, sizeof(a.default_currency));
		a.hierarchy = sqlite3_column_int(s, 9);
		a.humanitarian = sqlite3_column_int(s, 10) != 0;
		cc__sq_col_str(s, 11, a.reporting.ref, sizeof(a.reporting.ref));
		cc__sq_col_str(s, 12, a.reporting.type, sizeof(a.reporting.type));
		cc__sq_col_str(s, 13, a.reporting.name, sizeof(a.reporting.name));
		cc__sq_col_str(s, 15, a.description, sizeof(a.description));
		cc__sq_col_str(s, 16, a.last_updated, sizeof(a.last_updated));
		dg = sqlite3_column_blob(s, 14);
		if (dg && sqlite3_column_bytes(s, 14) == (int)sizeof(a.digest))
			memcpy(a.digest, dg, sizeof(a.digest));
		(*n_out)++;
		if ((ret = load_details(st, &a, &d, err)) < 0 || (ret = fn(ctx, &a, err)) < 0) {
			sqlite3_reset(s);
			goto out_leave;
		}
	}
	if (ret > 0)
		ret = 0;
out_leave:
	cc_free(d.orgs);
	cc_free(d.dates);
	cc_free(d.rcps);
	cc_free(d.secs);
	cc_free(d.locs);
	cc_free(d.buds);
	cc_free(d.txs);
	cc_free(d.inds);
	cc_free(d.pers);
	cc_free(d.vals);
	cc__sq_rx_leave(st, own);
	return ret;
}

static int sq_each_activity(struct cc_store *st, int64_t mission_id, cc_iati_activity_fn *fn,
                            void *ctx, struct cc_err *err)
{
	size_t n;

	return each_row(st, S_EACH, mission_id, fn, ctx, &n, err);
}

static int sq_get_activity(struct cc_store *st, int64_t id, cc_iati_activity_fn *fn, void *ctx,
                           struct cc_err *err)
{
	size_t n = 0;
	int ret = each_row(st, S_GET_ONE, id, fn, ctx, &n, err);

	if (ret == 0 && n == 0)
		return cc_err_set(err, CC_ENOTFOUND, "no IATI activity %lld", (long long)id);
	return ret;
}

static int sq_find_other(struct cc_store *st, int64_t mission_id, const char *identifier,
                         int64_t source_id, struct cc_iati_stored *out, struct cc_err *err)
{
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_FIND_OTHER, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) ||
	    (rc = cc__sq_bind_text(s, 2, identifier)) ||
	    (rc = sqlite3_bind_int64(s, 3, source_id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret == 0) {
		out->id = sqlite3_column_int64(s, 0);
		out->source_id = sqlite3_column_int64(s, 1);
		cc__sq_col_str(s, 2, out->source, sizeof(out->source));
		cc__sq_col_str(s, 3, out->last_updated, sizeof(out->last_updated));
		out->line = (long)sqlite3_column_int64(s, 4);
		sqlite3_reset(s);
	} else if (ret > 0) {
		ret = CC_ENOTFOUND;
	}
out_leave:
	cc__sq_rx_leave(st, own);
	return ret;
}

static int sq_remove_activity(struct cc_store *st, int64_t id, const unsigned char (*natkeys)[16],
                              size_t n_natkeys, struct cc_err *err)
{
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	/* the Concord activities first: their source is found through the IATI row */
	for (size_t i = 0; i < n_natkeys; i++) {
		if ((ret = stmt(st, S_DEL_CONCORD, &s, err)) < 0)
			goto out_leave;
		if ((rc = sqlite3_bind_int64(s, 1, id)) ||
		    (rc = sqlite3_bind_blob(s, 2, natkeys[i], 16, SQLITE_STATIC))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			goto out_leave;
	}
	for (size_t i = 0; i <= N_DETAIL; i++) {
		if ((ret = stmt(st, i < N_DETAIL ? S_DEL_FIRST + (int)i : S_DEL_ACT, &s, err)) < 0)
			goto out_leave;
		if ((rc = sqlite3_bind_int64(s, 1, id))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			goto out_leave;
	}
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_count(struct cc_store *st, int64_t mission_id, const char *table, int64_t *n_out,
                    struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	char q[256];
	bool known = !strcmp(table, "iati_activity");
	int rc, ret;

	for (size_t i = 0; i < N_DETAIL && !known; i++)
		known = !strcmp(table, detail_tables[i]);
	if (!known)
		return cc_err_set(err, CC_EINVALID, "unknown IATI table '%s'", table);
	if (!strcmp(table, "iati_activity"))
		snprintf(q, sizeof(q),
		         "SELECT count(*) FROM iati_activity WHERE ?1 = 0 OR mission_id = ?1");
	else
		snprintf(q, sizeof(q),
		         "SELECT count(*) FROM \"%s\" d JOIN iati_activity a ON a.id = "
		         "d.activity_id "
		         "WHERE ?1 = 0 OR a.mission_id = ?1",
		         table);
	rc = sqlite3_prepare_v2(cc__sq_db(st), q, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, mission_id);
	if (rc != SQLITE_OK) {
		ret = cc__sq_error(st, rc, err);
		goto out_finalize;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "cannot count '%s'", table);
	if (ret == 0)
		*n_out = sqlite3_column_int64(s, 0);
out_finalize:
	sqlite3_finalize(s);
	return ret;
}

const struct cc__iati_ops cc__sqlite_iati = {
	.put_activity = sq_put_activity,
	.remove_stale = sq_remove_stale,
	.each_activity = sq_each_activity,
	.count = sq_count,
	.find_other = sq_find_other,
	.get_activity = sq_get_activity,
	.remove_activity = sq_remove_activity,
};
