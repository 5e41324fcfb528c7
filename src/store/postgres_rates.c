/*
 * Exchange rates and the missions' reporting currencies on PostgreSQL (tables of migration
 * pg/0003): SQLite's statements (sqlite_rates.c) in PostgreSQL's dialect. A rate is found by
 * its key and compared in C, so a re-import tells added, updated and unchanged apart.
 */
#include "store/ops_rates.h"
#include "store/postgres_int.h"

#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

static const char *kind_name(enum cc_rate_kind k)
{
	return k == CC_RATE_ANNUAL ? "annual" : "daily";
}

static int put_rate(struct cc_store *st, const struct cc_rate *r, const char *source,
                    enum cc_put_result *res_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool found;
	int ret;

	cc__pg_str(&p, r->currency);
	cc__pg_str(&p, kind_name(r->kind));
	cc__pg_i64(&p, r->date);
	ret = cc__pg_exec(st,
	                  "SELECT per_eur FROM fx_rate WHERE currency = $1 AND kind = $2 AND "
	                  "date = $3",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	found = PQntuples(res) > 0;
	if (found && cc__pg_col_num(res, 0, 0) == r->per_eur) {
		PQclear(res);
		*res_out = CC_PUT_UNCHANGED;
		return 0;
	}
	PQclear(res);
	*res_out = found ? CC_PUT_UPDATED : CC_PUT_ADDED;
	cc__pg_num(&p, r->per_eur);
	cc__pg_text(&p, source);
	return cc__pg_exec(st,
	                   found ? "UPDATE fx_rate SET per_eur = $4, source = $5 WHERE currency = $1 "
	                           "AND kind = $2 AND date = $3"
	                         : "INSERT INTO fx_rate (currency, kind, date, per_eur, source) "
	                           "VALUES ($1, $2, $3, $4, $5)",
	                   &p, false, NULL, err);
}

static int pg_put_rate(struct cc_store *st, const struct cc_rate *r, const char *source,
                       enum cc_put_result *res_out, struct cc_err *err)
{
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_rate(st, r, source, res_out, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_load_rates(struct cc_store *st, const char *currency, struct cc_rates *out,
                         struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_rate *arr = NULL;
	PGresult *res = NULL;
	size_t n = 0;
	int ret;

	cc__pg_text(&p, currency);
	ret = cc__pg_rows(st,
	                  "SELECT currency, kind, date, per_eur FROM fx_rate WHERE ($1::text IS "
	                  "NULL OR currency = $1) ORDER BY currency, kind = 'annual', date",
	                  &p, sizeof(*arr), &res, (void **)&arr, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		cc__pg_col_str(res, (int)i, 0, arr[i].currency, sizeof(arr[i].currency));
		arr[i].kind = strcmp(cc__pg_cstr(res, (int)i, 1), "annual") == 0 ? CC_RATE_ANNUAL
		                                                                  : CC_RATE_DAILY;
		arr[i].date = cc__pg_col_date(res, (int)i, 2);
		arr[i].per_eur = cc__pg_col_num(res, (int)i, 3);
	}
	PQclear(res);
	out->rates = arr;
	out->n = n;
	return 0;
}

static int pg_get_money(struct cc_store *st, int64_t mission_id, char currency[static 4],
                        int *tolerance_days_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, mission_id);
	ret = cc__pg_exec(st,
	                  "SELECT currency, tolerance_days FROM mission_money WHERE mission_id = $1",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1) {
		PQclear(res);
		return cc_err_set(err, CC_ENOTFOUND,
		                  "the mission has no reporting currency (concord mission set "
		                  "--currency CODE)");
	}
	cc__pg_col_str(res, 0, 0, currency, 4);
	if (tolerance_days_out)
		*tolerance_days_out = (int)cc__pg_col_i64(res, 0, 1);
	PQclear(res);
	return 0;
}

static int pg_set_money(struct cc_store *st, int64_t mission_id, const char *currency,
                        int tolerance_days, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, mission_id);
	cc__pg_text(&p, currency);
	cc__pg_i64(&p, tolerance_days);
	return cc__pg_write(st,
	                    "INSERT INTO mission_money (mission_id, currency, tolerance_days) "
	                    "VALUES ($1, $2, $3) ON CONFLICT (mission_id) DO UPDATE SET "
	                    "currency = excluded.currency, tolerance_days = "
	                    "excluded.tolerance_days",
	                    &p, err);
}

const struct cc__rates_ops cc__pg_rates = {
	.put_rate = pg_put_rate,
	.load_rates = pg_load_rates,
	.get_money = pg_get_money,
	.set_money = pg_set_money,
};
