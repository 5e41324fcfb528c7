/* Users and API tokens in the PostgreSQL store (tables of pg/0004_serve.sql); as sqlite_auth.c. */
#include "store/ops_auth.h"

#include <string.h>

#include <concord/auth.h>

#include "store/postgres_int.h"

#include "core/banned.h"

#define USER_COLS "u.id, u.mission_id, u.org_id, u.name, u.role, u.created"
#define TOKEN_COLS                                           \
	"t.id, t.user_id, t.created, t.expires, t.revoked, " \
	"(SELECT mission_id FROM user_account WHERE id = t.user_id)"

static enum cc_role role_of(const char *s)
{
	enum cc_role r;

	return cc_role_parse(s, &r, NULL) == 0 ? r : CC_ROLE_NONE;
}

/* Reads the USER_COLS of row r starting at column c. */
static void col_user(const PGresult *res, int r, int c, struct cc_user *u)
{
	u->id = cc__pg_col_i64(res, r, c);
	u->mission_id = cc__pg_col_i64(res, r, c + 1);
	u->org_id = cc__pg_col_i64(res, r, c + 2);
	cc__pg_col_str(res, r, c + 3, u->name, sizeof(u->name));
	u->role = role_of(cc__pg_cstr(res, r, c + 4));
	u->created = cc__pg_col_i64(res, r, c + 5);
}

static void col_token(const PGresult *res, struct cc_token *t)
{
	t->id = cc__pg_col_i64(res, 0, 0);
	t->user_id = cc__pg_col_i64(res, 0, 1);
	t->created = cc__pg_col_i64(res, 0, 2);
	t->expires = cc__pg_col_i64(res, 0, 3); /* NULL reads as 0: never */
	t->revoked = cc__pg_col_i64(res, 0, 4);
	t->mission_id = cc__pg_col_i64(res, 0, 5);
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

/* Runs a query of one row or none: 1 when none, 0 with *res (owned) holding it, or an error. */
static int one_row(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                   PGresult **res, struct cc_err *err)
{
	int ret = cc__pg_exec(st, sql, p, false, res, err);

	if (ret < 0)
		return ret;
	if (PQntuples(*res) == 0) {
		PQclear(*res);
		*res = NULL;
		return 1;
	}
	return 0;
}

static int user_query(struct cc_store *st, const char *sql, int64_t a, const char *name,
                      struct cc_user *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, a);
	if (name)
		cc__pg_str(&p, name);
	ret = one_row(st, sql, &p, &res, err);
	if (ret > 0)
		return name ? cc_err_set(err, CC_ENOTFOUND, "unknown user '%s'", name)
		            : cc_err_set(err, CC_ENOTFOUND, "unknown user %lld", (long long)a);
	if (ret < 0)
		return ret;
	col_user(res, 0, 0, out);
	PQclear(res);
	return 0;
}

static int pg_find_user(struct cc_store *st, int64_t mission_id, const char *name,
                        struct cc_user *out, struct cc_err *err)
{
	return user_query(st,
	                  "SELECT " USER_COLS " FROM user_account u "
	                  "WHERE u.mission_id = $1 AND u.name = $2",
	                  mission_id, name, out, err);
}

static int pg_get_user(struct cc_store *st, int64_t user_id, struct cc_user *out,
                       struct cc_err *err)
{
	return user_query(st, "SELECT " USER_COLS " FROM user_account u WHERE u.id = $1", user_id,
	                  NULL, out, err);
}

/* Runs an INSERT … RETURNING id and sets *id_out. */
static int insert_id(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                     int64_t *id_out, struct cc_err *err)
{
	PGresult *res = NULL;
	int ret = cc__pg_exec(st, sql, p, false, &res, err);

	if (ret < 0)
		return ret;
	if (PQntuples(res) != 1)
		ret = cc_err_set(err, CC_ESTORE, "the insert returned no id");
	else
		*id_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return ret;
}

static int pg_put_user(struct cc_store *st, struct cc_user *u, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_user old;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = pg_find_user(st, u->mission_id, u->name, &old, NULL);
	if (ret == 0) {
		ret = cc_err_set(err, CC_EEXIST, "user '%s' exists", u->name);
		goto out_leave;
	}
	if (ret != CC_ENOTFOUND) {
		ret = pg_find_user(st, u->mission_id, u->name, &old, err);
		goto out_leave;
	}
	cc__pg_i64(&p, u->mission_id);
	cc__pg_i64(&p, u->org_id);
	cc__pg_str(&p, u->name);
	cc__pg_str(&p, cc_role_name(u->role));
	cc__pg_i64(&p, u->created);
	if ((ret = insert_id(st,
	                     "INSERT INTO user_account (mission_id, org_id, name, role, created) "
	                     "VALUES ($1, $2, $3, $4, $5) RETURNING id",
	                     &p, &u->id, err)) < 0)
		goto out_leave;
	ret = log_change(st, "user_account", "insert", u->id, u->mission_id, err);
out_leave:
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_put_token(struct cc_store *st, struct cc_token *t, const char *hash,
                        struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_user u;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = pg_get_user(st, t->user_id, &u, err)) < 0)
		goto out_leave;
	cc__pg_i64(&p, t->user_id);
	cc__pg_str(&p, hash);
	cc__pg_i64(&p, t->created);
	cc__pg_id(&p, t->expires);
	if ((ret = insert_id(st,
	                     "INSERT INTO api_token (user_id, hash, created, expires) "
	                     "VALUES ($1, $2, $3, $4) RETURNING id",
	                     &p, &t->id, err)) < 0)
		goto out_leave;
	ret = log_change(st, "api_token", "insert", t->id, u.mission_id, err);
out_leave:
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_get_token(struct cc_store *st, int64_t token_id, struct cc_token *out,
                        struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, token_id);
	ret = one_row(st, "SELECT " TOKEN_COLS " FROM api_token t WHERE t.id = $1", &p, &res, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown token %lld", (long long)token_id);
	if (ret < 0)
		return ret;
	col_token(res, out);
	PQclear(res);
	return 0;
}

static int pg_revoke_token(struct cc_store *st, int64_t token_id, int64_t now, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_token t;
	struct cc_user u;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = pg_get_token(st, token_id, &t, err)) < 0)
		goto out_leave;
	if (t.revoked) /* revoking twice changes nothing and logs nothing */
		goto out_leave;
	if ((ret = pg_get_user(st, t.user_id, &u, err)) < 0)
		goto out_leave;
	cc__pg_i64(&p, token_id);
	cc__pg_i64(&p, now);
	if ((ret = cc__pg_write(st, "UPDATE api_token SET revoked = coalesce(revoked, $2) "
	                            "WHERE id = $1",
	                        &p, err)) < 0)
		goto out_leave;
	ret = log_change(st, "api_token", "update", token_id, u.mission_id, err);
out_leave:
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_find_token(struct cc_store *st, const char *hash, struct cc_token *tok_out,
                         struct cc_principal *who_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_str(&p, hash);
	ret = one_row(st,
	              "SELECT " TOKEN_COLS ", " USER_COLS ", o.key, o.name, o.kind, m.code "
	              "FROM api_token t JOIN user_account u ON u.id = t.user_id "
	              "JOIN organisation o ON o.id = u.org_id "
	              "JOIN mission m ON m.id = u.mission_id WHERE t.hash = $1",
	              &p, &res, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown token");
	if (ret < 0)
		return ret;
	memset(who_out, 0, sizeof(*who_out));
	col_token(res, tok_out);
	col_user(res, 0, 6, &who_out->user);
	cc__pg_col_str(res, 0, 12, who_out->org_key, sizeof(who_out->org_key));
	cc__pg_col_str(res, 0, 13, who_out->org_name, sizeof(who_out->org_name));
	cc__pg_col_str(res, 0, 14, who_out->org_kind, sizeof(who_out->org_kind));
	cc__pg_col_str(res, 0, 15, who_out->mission_code, sizeof(who_out->mission_code));
	who_out->token_id = tok_out->id;
	PQclear(res);
	return 0;
}

const struct cc__auth_ops cc__pg_auth = {
	.put_user = pg_put_user,
	.find_user = pg_find_user,
	.get_user = pg_get_user,
	.put_token = pg_put_token,
	.revoke_token = pg_revoke_token,
	.get_token = pg_get_token,
	.find_token = pg_find_token,
};
