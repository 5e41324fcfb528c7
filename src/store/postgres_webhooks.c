/*
 * The webhooks domain on PostgreSQL: registered URLs, their cursors and the delivery log
 * (tables webhook and webhook_delivery, migration pg/0008), SQLite's statements
 * (sqlite_webhooks.c) in PostgreSQL's dialect. Times are Unix seconds of the statement, as
 * SQLite's strftime('%s', 'now').
 */
#include "store/ops_webhooks.h"
#include "store/postgres_int.h"

#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

#define NOW "floor(extract(epoch FROM statement_timestamp()))::bigint"
#define HOOK_COLS                                                                                \
	"w.id, w.mission_id, w.org_id, o.key, w.user_id, w.url, w.cursor, w.active, w.created, " \
	"w.secret FROM webhook w JOIN organisation o ON o.id = w.org_id"

/* A row of HOOK_COLS into w; the secret into secret (room for CC_WEBHOOK_SECRET_HEX) if asked. */
static void read_hook(const PGresult *res, int r, struct cc_webhook *w, char *secret)
{
	memset(w, 0, sizeof(*w));
	w->id = cc__pg_col_i64(res, r, 0);
	w->mission_id = cc__pg_col_i64(res, r, 1);
	w->org_id = cc__pg_col_i64(res, r, 2);
	cc__pg_col_str(res, r, 3, w->org_key, sizeof(w->org_key));
	w->user_id = cc__pg_col_i64(res, r, 4);
	cc__pg_col_str(res, r, 5, w->url, sizeof(w->url));
	w->cursor = cc__pg_col_i64(res, r, 6);
	w->active = cc__pg_col_i64(res, r, 7) != 0;
	w->created = cc__pg_col_i64(res, r, 8);
	if (secret)
		cc__pg_col_str(res, r, 9, secret, CC_WEBHOOK_SECRET_HEX);
}

static int pg_add(struct cc_store *st, struct cc_webhook *w, const char *secret,
                  struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, w->mission_id);
	cc__pg_i64(&p, w->org_id);
	cc__pg_id(&p, w->user_id);
	cc__pg_str(&p, w->url);
	cc__pg_str(&p, secret);
	cc__pg_i64(&p, w->cursor);
	ret = cc__pg_exec(st,
	                  "INSERT INTO webhook (mission_id, org_id, user_id, url, secret, cursor, "
	                  "active, created) VALUES ($1::bigint, $2::bigint, $3::bigint, $4, $5, "
	                  "$6::bigint, 1, " NOW ") RETURNING id, created",
	                  &p, false, &res, err);
	if (ret == 0 && PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ESTORE, "the new webhook has no id");
	if (ret == 0) {
		w->id = cc__pg_col_i64(res, 0, 0);
		w->created = cc__pg_col_i64(res, 0, 1);
		w->active = true;
	}
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_list(struct cc_store *st, int64_t mission_id, int64_t org_id, bool active_only,
                   struct cc_webhook **out, size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_webhook *list = NULL;
	PGresult *res = NULL;
	size_t n = 0;
	int ret;

	*out = NULL;
	*n_out = 0;
	cc__pg_i64(&p, mission_id);
	cc__pg_i64(&p, org_id);
	cc__pg_i64(&p, active_only ? 1 : 0);
	ret = cc__pg_rows(st,
	                  "SELECT " HOOK_COLS " WHERE ($1::bigint = 0 OR w.mission_id = $1::bigint) "
	                  "AND ($2::bigint = 0 OR w.org_id = $2::bigint) AND ($3::integer = 0 OR "
	                  "w.active = 1) ORDER BY w.id",
	                  &p, sizeof(*list), &res, (void **)&list, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++)
		read_hook(res, (int)i, &list[i], NULL);
	PQclear(res);
	*out = list;
	*n_out = n;
	return 0;
}

static int pg_get(struct cc_store *st, int64_t id, struct cc_webhook *out, char *secret_out,
                  struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, id);
	if ((ret = cc__pg_exec(st, "SELECT " HOOK_COLS " WHERE w.id = $1::bigint", &p, false, &res,
	                       err)) < 0)
		return ret;
	if (PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ENOTFOUND, "no webhook %lld", (long long)id);
	else
		read_hook(res, 0, out, secret_out);
	PQclear(res);
	return ret;
}

static int pg_deactivate(struct cc_store *st, int64_t id, bool *changed_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret;

	*changed_out = false;
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, id);
	ret = cc__pg_exec(st, "UPDATE webhook SET active = 0 WHERE id = $1::bigint AND active = 1",
	                  &p, false, &res, err);
	if (ret == 0)
		*changed_out = cc__pg_changes(res) > 0;
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_advance(struct cc_store *st, int64_t id, int64_t cursor, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, id);
	cc__pg_i64(&p, cursor);
	return cc__pg_write(st,
	                    "UPDATE webhook SET cursor = $2::bigint WHERE id = $1::bigint AND "
	                    "active = 1 AND cursor < $2::bigint",
	                    &p, err);
}

static int pg_log_delivery(struct cc_store *st, struct cc_webhook_delivery *d,
                           struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, d->webhook_id);
	cc__pg_i64(&p, d->change_id);
	cc__pg_id(&p, d->at);
	cc__pg_i64(&p, d->status);
	cc__pg_text(&p, d->error);
	cc__pg_i64(&p, d->duration_ms);
	ret = cc__pg_exec(st,
	                  "INSERT INTO webhook_delivery (webhook_id, change_id, attempt, at, status, "
	                  "error, duration_ms) VALUES ($1::bigint, $2::bigint, (SELECT "
	                  "coalesce(max(attempt), 0) + 1 FROM webhook_delivery WHERE webhook_id = "
	                  "$1::bigint AND change_id = $2::bigint), coalesce($3::bigint, " NOW "), "
	                  "$4::integer, $5, $6::bigint) RETURNING id, attempt, at",
	                  &p, false, &res, err);
	if (ret == 0 && PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ESTORE, "the delivery has no id");
	if (ret == 0) {
		d->id = cc__pg_col_i64(res, 0, 0);
		d->attempt = cc__pg_col_i64(res, 0, 1);
		d->at = cc__pg_col_i64(res, 0, 2);
	}
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_list_deliveries(struct cc_store *st, int64_t webhook_id, size_t limit,
                              struct cc_webhook_delivery **out, size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_webhook_delivery *list = NULL;
	PGresult *res = NULL;
	size_t n = 0;
	int ret;

	*out = NULL;
	*n_out = 0;
	cc__pg_i64(&p, webhook_id);
	cc__pg_i64(&p, (int64_t)limit);
	ret = cc__pg_rows(st,
	                  "SELECT * FROM (SELECT id, webhook_id, change_id, attempt, at, status, "
	                  "error, duration_ms FROM webhook_delivery WHERE webhook_id = $1::bigint "
	                  "ORDER BY id DESC LIMIT $2::bigint) d ORDER BY id",
	                  &p, sizeof(*list), &res, (void **)&list, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		struct cc_webhook_delivery *d = &list[i];
		int r = (int)i;

		d->id = cc__pg_col_i64(res, r, 0);
		d->webhook_id = cc__pg_col_i64(res, r, 1);
		d->change_id = cc__pg_col_i64(res, r, 2);
		d->attempt = cc__pg_col_i64(res, r, 3);
		d->at = cc__pg_col_i64(res, r, 4);
		d->status = (int)cc__pg_col_i64(res, r, 5);
		cc__pg_col_str(res, r, 6, d->error, sizeof(d->error));
		d->duration_ms = cc__pg_col_i64(res, r, 7);
	}
	PQclear(res);
	*out = list;
	*n_out = n;
	return 0;
}

const struct cc__webhooks_ops cc__pg_webhooks = {
	.add = pg_add,
	.list = pg_list,
	.get = pg_get,
	.deactivate = pg_deactivate,
	.advance = pg_advance,
	.log_delivery = pg_log_delivery,
	.list_deliveries = pg_list_deliveries,
};
