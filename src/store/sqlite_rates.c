/* Exchange rates and the missions' reporting currencies in SQLite (tables of migration 0013). */
#include "store/ops_rates.h"

#include <string.h>

#include <concord/alloc.h>

#include "store/sqlite_int.h"

#include "core/banned.h"

enum {
	S_FIND = 0,
	S_INS,
	S_UPD,
	S_LOAD,
	S_GET_MONEY,
	S_SET_MONEY,
};

static const char *const sql[] = {
	[S_FIND] = "SELECT per_eur FROM fx_rate WHERE currency = ?1 AND kind = ?2 AND date = ?3",
	[S_INS] = "INSERT INTO fx_rate (currency, kind, date, per_eur, source) "
	          "VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_UPD] = "UPDATE fx_rate SET per_eur = ?4, source = ?5 WHERE currency = ?1 AND kind = ?2 "
	          "AND date = ?3",
	[S_LOAD] = "SELECT currency, kind, date, per_eur FROM fx_rate WHERE "
	           "(?1 IS NULL OR currency = ?1) ORDER BY currency, kind = 'annual', date",
	[S_GET_MONEY] = "SELECT currency, tolerance_days FROM mission_money WHERE mission_id = ?1",
	[S_SET_MONEY] = "INSERT INTO mission_money (mission_id, currency, tolerance_days) "
	                "VALUES (?1, ?2, ?3) ON CONFLICT (mission_id) DO UPDATE SET "
	                "currency = excluded.currency, tolerance_days = excluded.tolerance_days",
};

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_RATES, id, sql[id], out, err);
}

static const char *kind_name(enum cc_rate_kind k)
{
	return k == CC_RATE_ANNUAL ? "annual" : "daily";
}

static int sq_put_rate(struct cc_store *st, const struct cc_rate *r, const char *source,
                       enum cc_put_result *res_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	double old = 0;
	bool own, found;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_FIND, &s, err)) < 0)
		goto out_leave;
	if ((rc = cc__sq_bind_text(s, 1, r->currency)) ||
	    (rc = cc__sq_bind_text(s, 2, kind_name(r->kind))) ||
	    (rc = sqlite3_bind_int(s, 3, r->date))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		goto out_leave;
	found = ret == 0;
	if (found) {
		old = sqlite3_column_double(s, 0);
		sqlite3_reset(s);
	}
	if (found && old == r->per_eur) {
		*res_out = CC_PUT_UNCHANGED;
		ret = 0;
		goto out_leave;
	}
	*res_out = found ? CC_PUT_UPDATED : CC_PUT_ADDED;
	if ((ret = stmt(st, found ? S_UPD : S_INS, &s, err)) < 0)
		goto out_leave;
	if ((rc = cc__sq_bind_text(s, 1, r->currency)) ||
	    (rc = cc__sq_bind_text(s, 2, kind_name(r->kind))) ||
	    (rc = sqlite3_bind_int(s, 3, r->date)) || (rc = sqlite3_bind_double(s, 4, r->per_eur)) ||
	    (rc = cc__sq_bind_text(s, 5, source))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_done(st, s, err);
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_load_rates(struct cc_store *st, const char *currency, struct cc_rates *out,
                         struct cc_err *err)
{
	struct cc_rate *arr = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_LOAD, &s, err)) < 0)
		return ret;
	if ((rc = cc__sq_bind_text(s, 1, currency)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		char kind[16];

		if (cc__sq_grow((void **)&arr, &cap, n, sizeof(*arr)) < 0) {
			sqlite3_reset(s);
			ret = cc_err_set(err, CC_ENOMEM, "out of memory loading rates");
			break;
		}
		cc__sq_col_str(s, 0, arr[n].currency, sizeof(arr[n].currency));
		cc__sq_col_str(s, 1, kind, sizeof(kind));
		arr[n].kind = strcmp(kind, "annual") == 0 ? CC_RATE_ANNUAL : CC_RATE_DAILY;
		arr[n].date = sqlite3_column_int(s, 2);
		arr[n].per_eur = sqlite3_column_double(s, 3);
		n++;
	}
	if (ret < 0) {
		cc_free(arr);
		return ret;
	}
	out->rates = arr;
	out->n = n;
	return 0;
}

static int sq_get_money(struct cc_store *st, int64_t mission_id, char currency[static 4],
                        int *tolerance_days_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_GET_MONEY, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND,
		                  "the mission has no reporting currency (concord mission set "
		                  "--currency CODE)");
	if (ret < 0)
		return ret;
	cc__sq_col_str(s, 0, currency, 4);
	if (tolerance_days_out)
		*tolerance_days_out = sqlite3_column_int(s, 1);
	sqlite3_reset(s);
	return 0;
}

static int sq_set_money(struct cc_store *st, int64_t mission_id, const char *currency,
                        int tolerance_days, struct cc_err *err)
{
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_SET_MONEY, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) ||
	    (rc = cc__sq_bind_text(s, 2, currency)) ||
	    (rc = sqlite3_bind_int(s, 3, tolerance_days))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_done(st, s, err);
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

const struct cc__rates_ops cc__sqlite_rates = {
	.put_rate = sq_put_rate,
	.load_rates = sq_load_rates,
	.get_money = sq_get_money,
	.set_money = sq_set_money,
};
