/* The webhooks domain on SQLite: registered URLs, their cursors and the delivery log. */
#include "store/ops_webhooks.h"

#include <string.h>

#include <concord/alloc.h>

#include "store/sqlite_int.h"

#include "core/banned.h"

#define HOOK_COLS                                                                                \
	"w.id, w.mission_id, w.org_id, o.key, w.user_id, w.url, w.cursor, w.active, w.created, " \
	"w.secret FROM webhook w JOIN organisation o ON o.id = w.org_id"

enum {
	S_ADD,
	S_LIST,
	S_GET,
	S_DEACTIVATE,
	S_ADVANCE,
	S_LOG,
	S_DELIVERIES,
	S_N,
};

static const char *const sql[S_N] = {
	[S_ADD] = "INSERT INTO webhook (mission_id, org_id, user_id, url, secret, cursor, active, "
	          "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, CAST(strftime('%s', 'now') AS "
	          "INTEGER)) RETURNING id, created",
	[S_LIST] = "SELECT " HOOK_COLS " WHERE (?1 = 0 OR w.mission_id = ?1) AND (?2 = 0 OR "
	           "w.org_id = ?2) AND (?3 = 0 OR w.active = 1) ORDER BY w.id",
	[S_GET] = "SELECT " HOOK_COLS " WHERE w.id = ?1",
	[S_DEACTIVATE] = "UPDATE webhook SET active = 0 WHERE id = ?1 AND active = 1",
	[S_ADVANCE] = "UPDATE webhook SET cursor = ?2 WHERE id = ?1 AND active = 1 AND cursor < ?2",
	[S_LOG] =
	        "INSERT INTO webhook_delivery (webhook_id, change_id, attempt, at, status, error, "
	        "duration_ms) VALUES (?1, ?2, (SELECT coalesce(max(attempt), 0) + 1 FROM "
	        "webhook_delivery WHERE webhook_id = ?1 AND change_id = ?2), coalesce(?3, "
	        "CAST(strftime('%s', 'now') AS INTEGER)), ?4, ?5, ?6) RETURNING id, attempt, at",
	[S_DELIVERIES] = "SELECT * FROM (SELECT id, webhook_id, change_id, attempt, at, status, "
	                 "error, duration_ms FROM webhook_delivery WHERE webhook_id = ?1 "
	                 "ORDER BY id DESC LIMIT ?2) ORDER BY id",
};

_Static_assert(S_N <= CC__SQ_MODULE_STMTS, "too many statements for one module");

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_WEBHOOKS, id, sql[id], out, err);
}

/* A row of HOOK_COLS into w; the secret into secret (room for CC_WEBHOOK_SECRET_HEX) if asked. */
static void read_hook(sqlite3_stmt *s, struct cc_webhook *w, char *secret)
{
	memset(w, 0, sizeof(*w));
	w->id = sqlite3_column_int64(s, 0);
	w->mission_id = sqlite3_column_int64(s, 1);
	w->org_id = sqlite3_column_int64(s, 2);
	cc__sq_col_str(s, 3, w->org_key, sizeof(w->org_key));
	w->user_id = sqlite3_column_int64(s, 4);
	cc__sq_col_str(s, 5, w->url, sizeof(w->url));
	w->cursor = sqlite3_column_int64(s, 6);
	w->active = sqlite3_column_int(s, 7) != 0;
	w->created = sqlite3_column_int64(s, 8);
	if (secret)
		cc__sq_col_str(s, 9, secret, CC_WEBHOOK_SECRET_HEX);
}

static int sq_add(struct cc_store *st, struct cc_webhook *w, const char *secret, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_ADD, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, w->mission_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, w->org_id)) || (rc = cc__sq_bind_id(s, 3, w->user_id)) ||
	    (rc = sqlite3_bind_text(s, 4, w->url, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 5, secret, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int64(s, 6, w->cursor))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "the new webhook has no id");
	if (ret < 0)
		goto out;
	w->id = sqlite3_column_int64(s, 0);
	w->created = sqlite3_column_int64(s, 1);
	w->active = true;
	/* RETURNING: the statement completes on the next step */
	ret = cc__sq_step_done(st, s, err);
out:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_list(struct cc_store *st, int64_t mission_id, int64_t org_id, bool active_only,
                   struct cc_webhook **out, size_t *n_out, struct cc_err *err)
{
	struct cc_webhook *list = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	int rc, ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = stmt(st, S_LIST, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, org_id)) || (rc = sqlite3_bind_int(s, 3, active_only)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if (cc__sq_grow((void **)&list, &cap, n, sizeof(*list)) < 0) {
			sqlite3_reset(s);
			cc_free(list);
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		}
		read_hook(s, &list[n++], NULL);
	}
	if (ret < 0) {
		cc_free(list);
		return ret;
	}
	*out = list;
	*n_out = n;
	return 0;
}

static int sq_get(struct cc_store *st, int64_t id, struct cc_webhook *out, char *secret_out,
                  struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, S_GET, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, id)))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "no webhook %lld", (long long)id);
	if (ret < 0)
		return ret;
	read_hook(s, out, secret_out);
	sqlite3_reset(s);
	return 0;
}

static int sq_deactivate(struct cc_store *st, int64_t id, bool *changed_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	*changed_out = false;
	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_DEACTIVATE, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	if ((ret = cc__sq_step_done(st, s, err)) == 0)
		*changed_out = sqlite3_changes(cc__sq_db(st)) > 0;
out:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_advance(struct cc_store *st, int64_t id, int64_t cursor, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_ADVANCE, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, id)) || (rc = sqlite3_bind_int64(s, 2, cursor))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	ret = cc__sq_step_done(st, s, err);
out:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_log_delivery(struct cc_store *st, struct cc_webhook_delivery *d, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_LOG, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, d->webhook_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, d->change_id)) || (rc = cc__sq_bind_id(s, 3, d->at)) ||
	    (rc = sqlite3_bind_int(s, 4, d->status)) || (rc = cc__sq_bind_text(s, 5, d->error)) ||
	    (rc = sqlite3_bind_int64(s, 6, d->duration_ms))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_ESTORE, "the delivery has no id");
	if (ret < 0)
		goto out;
	d->id = sqlite3_column_int64(s, 0);
	d->attempt = sqlite3_column_int64(s, 1);
	d->at = sqlite3_column_int64(s, 2);
	ret = cc__sq_step_done(st, s, err);
out:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_list_deliveries(struct cc_store *st, int64_t webhook_id, size_t limit,
                              struct cc_webhook_delivery **out, size_t *n_out, struct cc_err *err)
{
	struct cc_webhook_delivery *list = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	int rc, ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = stmt(st, S_DELIVERIES, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, webhook_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, (sqlite3_int64)limit)))
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_webhook_delivery *d;

		if (cc__sq_grow((void **)&list, &cap, n, sizeof(*list)) < 0) {
			sqlite3_reset(s);
			cc_free(list);
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		}
		d = &list[n++];
		memset(d, 0, sizeof(*d));
		d->id = sqlite3_column_int64(s, 0);
		d->webhook_id = sqlite3_column_int64(s, 1);
		d->change_id = sqlite3_column_int64(s, 2);
		d->attempt = sqlite3_column_int64(s, 3);
		d->at = sqlite3_column_int64(s, 4);
		d->status = sqlite3_column_int(s, 5);
		cc__sq_col_str(s, 6, d->error, sizeof(d->error));
		d->duration_ms = sqlite3_column_int64(s, 7);
	}
	if (ret < 0) {
		cc_free(list);
		return ret;
	}
	*out = list;
	*n_out = n;
	return 0;
}

const struct cc__webhooks_ops cc__sqlite_webhooks = {
	.add = sq_add,
	.list = sq_list,
	.get = sq_get,
	.deactivate = sq_deactivate,
	.advance = sq_advance,
	.log_delivery = sq_log_delivery,
	.list_deliveries = sq_list_deliveries,
};
