/* Users and API tokens in the SQLite store (tables of migration 0006). */
#include "store/ops_auth.h"

#include <string.h>

#include <concord/auth.h>

#include "store/sqlite_int.h"

#include "core/banned.h"

enum {
	S_USER_PUT,
	S_USER_FIND,
	S_USER_GET,
	S_TOKEN_PUT,
	S_TOKEN_REVOKE,
	S_TOKEN_GET,
	S_TOKEN_FIND,
	S_N
};

#define USER_COLS "u.id, u.mission_id, u.org_id, u.name, u.role, u.created"
#define TOKEN_COLS                                           \
	"t.id, t.user_id, t.created, t.expires, t.revoked, " \
	"(SELECT mission_id FROM user_account WHERE id = t.user_id)"

static const char *const sql[S_N] = {
	[S_USER_PUT] = "INSERT INTO user_account (mission_id, org_id, name, role, created) "
	               "VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_USER_FIND] = "SELECT " USER_COLS " FROM user_account u "
	                "WHERE u.mission_id = ?1 AND u.name = ?2",
	[S_USER_GET] = "SELECT " USER_COLS " FROM user_account u WHERE u.id = ?1",
	[S_TOKEN_PUT] = "INSERT INTO api_token (user_id, hash, created, expires) "
	                "VALUES (?1, ?2, ?3, ?4)",
	[S_TOKEN_REVOKE] = "UPDATE api_token SET revoked = coalesce(revoked, ?2) WHERE id = ?1",
	[S_TOKEN_GET] = "SELECT " TOKEN_COLS " FROM api_token t WHERE t.id = ?1",
	[S_TOKEN_FIND] = "SELECT " TOKEN_COLS ", " USER_COLS ", o.key, o.name, o.kind, m.code "
	                 "FROM api_token t JOIN user_account u ON u.id = t.user_id "
	                 "JOIN organisation o ON o.id = u.org_id "
	                 "JOIN mission m ON m.id = u.mission_id WHERE t.hash = ?1",
};

static int stmt_for(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_AUTH, id, sql[id], out, err);
}

static enum cc_role role_of(const char *s)
{
	enum cc_role r;

	return cc_role_parse(s, &r, NULL) == 0 ? r : CC_ROLE_NONE;
}

/* Reads the USER_COLS starting at column i. */
static void col_user(sqlite3_stmt *stmt, int i, struct cc_user *u)
{
	char role[16];

	u->id = sqlite3_column_int64(stmt, i);
	u->mission_id = sqlite3_column_int64(stmt, i + 1);
	u->org_id = sqlite3_column_int64(stmt, i + 2);
	cc__sq_col_str(stmt, i + 3, u->name, sizeof(u->name));
	cc__sq_col_str(stmt, i + 4, role, sizeof(role));
	u->role = role_of(role);
	u->created = sqlite3_column_int64(stmt, i + 5);
}

static void col_token(sqlite3_stmt *stmt, struct cc_token *t)
{
	t->id = sqlite3_column_int64(stmt, 0);
	t->user_id = sqlite3_column_int64(stmt, 1);
	t->created = sqlite3_column_int64(stmt, 2);
	t->expires = sqlite3_column_int64(stmt, 3); /* NULL reads as 0: never */
	t->revoked = sqlite3_column_int64(stmt, 4);
	t->mission_id = sqlite3_column_int64(stmt, 5);
}

static int log_change(struct cc_store *st, const char *table, const char *op, int64_t id,
                      int64_t mission_id, struct cc_err *err)
{
	return cc_store_log_change(st,
	                           &(struct cc_change){ .table = table,
	                                                .op = op,
	                                                .record_id = id,
	                                                .count = 1,
	                                                .mission_id = mission_id,
	                                                .releasability = "org" },
	                           err);
}

static int user_query(struct cc_store *st, int id, int64_t a, const char *name, struct cc_user *out,
                      struct cc_err *err)
{
	sqlite3_stmt *stmt;
	int rc, ret;

	if ((ret = stmt_for(st, id, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, a)) ||
	    (name && (rc = cc__sq_bind_text(stmt, 2, name))))
		return cc__sq_bind_fail(st, stmt, rc, err);
	ret = cc__sq_step_row(st, stmt, err);
	if (ret > 0)
		return name ? cc_err_set(err, CC_ENOTFOUND, "unknown user '%s'", name)
		            : cc_err_set(err, CC_ENOTFOUND, "unknown user %lld", (long long)a);
	if (ret < 0)
		return ret;
	col_user(stmt, 0, out);
	sqlite3_reset(stmt);
	return 0;
}

static int sq_find_user(struct cc_store *st, int64_t mission_id, const char *name,
                        struct cc_user *out, struct cc_err *err)
{
	return user_query(st, S_USER_FIND, mission_id, name, out, err);
}

static int sq_get_user(struct cc_store *st, int64_t user_id, struct cc_user *out,
                       struct cc_err *err)
{
	return user_query(st, S_USER_GET, user_id, NULL, out, err);
}

static int sq_put_user(struct cc_store *st, struct cc_user *u, struct cc_err *err)
{
	struct cc_user old;
	sqlite3_stmt *stmt;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = sq_find_user(st, u->mission_id, u->name, &old, NULL);
	if (ret == 0) {
		ret = cc_err_set(err, CC_EEXIST, "user '%s' exists", u->name);
		goto out_leave;
	}
	if (ret != CC_ENOTFOUND) {
		ret = sq_find_user(st, u->mission_id, u->name, &old, err);
		goto out_leave;
	}
	if ((ret = stmt_for(st, S_USER_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(stmt, 1, u->mission_id)) ||
	    (rc = sqlite3_bind_int64(stmt, 2, u->org_id)) ||
	    (rc = cc__sq_bind_text(stmt, 3, u->name)) ||
	    (rc = cc__sq_bind_text(stmt, 4, cc_role_name(u->role))) ||
	    (rc = sqlite3_bind_int64(stmt, 5, u->created))) {
		ret = cc__sq_bind_fail(st, stmt, rc, err);
		goto out_leave;
	}
	if ((ret = cc__sq_step_done(st, stmt, err)) < 0)
		goto out_leave;
	u->id = sqlite3_last_insert_rowid(cc__sq_db(st));
	ret = log_change(st, "user_account", "insert", u->id, u->mission_id, err);
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_put_token(struct cc_store *st, struct cc_token *t, const char *hash,
                        struct cc_err *err)
{
	struct cc_user u;
	sqlite3_stmt *stmt;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = sq_get_user(st, t->user_id, &u, err)) < 0)
		goto out_leave;
	if ((ret = stmt_for(st, S_TOKEN_PUT, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(stmt, 1, t->user_id)) ||
	    (rc = cc__sq_bind_text(stmt, 2, hash)) ||
	    (rc = sqlite3_bind_int64(stmt, 3, t->created)) ||
	    (rc = cc__sq_bind_id(stmt, 4, t->expires))) {
		ret = cc__sq_bind_fail(st, stmt, rc, err);
		goto out_leave;
	}
	if ((ret = cc__sq_step_done(st, stmt, err)) < 0)
		goto out_leave;
	t->id = sqlite3_last_insert_rowid(cc__sq_db(st));
	ret = log_change(st, "api_token", "insert", t->id, u.mission_id, err);
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_get_token(struct cc_store *st, int64_t token_id, struct cc_token *out,
                        struct cc_err *err)
{
	sqlite3_stmt *stmt;
	int rc, ret;

	if ((ret = stmt_for(st, S_TOKEN_GET, &stmt, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(stmt, 1, token_id)))
		return cc__sq_bind_fail(st, stmt, rc, err);
	ret = cc__sq_step_row(st, stmt, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown token %lld", (long long)token_id);
	if (ret < 0)
		return ret;
	col_token(stmt, out);
	sqlite3_reset(stmt);
	return 0;
}

static int sq_revoke_token(struct cc_store *st, int64_t token_id, int64_t now, struct cc_err *err)
{
	struct cc_token t;
	struct cc_user u;
	sqlite3_stmt *stmt;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = sq_get_token(st, token_id, &t, err)) < 0)
		goto out_leave;
	if (t.revoked) /* revoking twice changes nothing and logs nothing */
		goto out_leave;
	if ((ret = sq_get_user(st, t.user_id, &u, err)) < 0)
		goto out_leave;
	if ((ret = stmt_for(st, S_TOKEN_REVOKE, &stmt, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(stmt, 1, token_id)) ||
	    (rc = sqlite3_bind_int64(stmt, 2, now))) {
		ret = cc__sq_bind_fail(st, stmt, rc, err);
		goto out_leave;
	}
	if ((ret = cc__sq_step_done(st, stmt, err)) < 0)
		goto out_leave;
	ret = log_change(st, "api_token", "update", token_id, u.mission_id, err);
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_find_token(struct cc_store *st, const char *hash, struct cc_token *tok_out,
                         struct cc_principal *who_out, struct cc_err *err)
{
	sqlite3_stmt *stmt;
	int rc, ret;

	if ((ret = stmt_for(st, S_TOKEN_FIND, &stmt, err)) < 0)
		return ret;
	if ((rc = cc__sq_bind_text(stmt, 1, hash)))
		return cc__sq_bind_fail(st, stmt, rc, err);
	ret = cc__sq_step_row(st, stmt, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown token");
	if (ret < 0)
		return ret;
	memset(who_out, 0, sizeof(*who_out));
	col_token(stmt, tok_out);
	col_user(stmt, 6, &who_out->user);
	cc__sq_col_str(stmt, 12, who_out->org_key, sizeof(who_out->org_key));
	cc__sq_col_str(stmt, 13, who_out->org_name, sizeof(who_out->org_name));
	cc__sq_col_str(stmt, 14, who_out->org_kind, sizeof(who_out->org_kind));
	cc__sq_col_str(stmt, 15, who_out->mission_code, sizeof(who_out->mission_code));
	who_out->token_id = tok_out->id;
	sqlite3_reset(stmt);
	return 0;
}

const struct cc__auth_ops cc__sqlite_auth = {
	.put_user = sq_put_user,
	.find_user = sq_find_user,
	.get_user = sq_get_user,
	.put_token = sq_put_token,
	.revoke_token = sq_revoke_token,
	.get_token = sq_get_token,
	.find_token = sq_find_token,
};
