/*
 * The store operations of users and tokens (internal): one table per backend, reached through
 * st->ops->auth. src/store/store_auth.c implements <concord/auth.h> on top of it; the SQLite
 * backend fills it in src/store/sqlite_auth.c. Hashes are 64 hex digits; times Unix seconds.
 */
#ifndef CC_STORE_OPS_AUTH_H
#define CC_STORE_OPS_AUTH_H

#include <stdint.h>

#include <concord/auth.h>
#include <concord/error.h>

struct cc_store;

struct cc__auth_ops {
	/* inserts u (id ignored) and sets u->id; CC_EEXIST when (mission, name) is taken */
	int (*put_user)(struct cc_store *st, struct cc_user *u, struct cc_err *err);
	/* CC_ENOTFOUND when the mission has no user of that name */
	int (*find_user)(struct cc_store *st, int64_t mission_id, const char *name,
	                 struct cc_user *out, struct cc_err *err);
	int (*get_user)(struct cc_store *st, int64_t user_id, struct cc_user *out,
	                struct cc_err *err);
	/* stores a new token of t->user_id with this hash; sets t->id */
	int (*put_token)(struct cc_store *st, struct cc_token *t, const char *hash,
	                 struct cc_err *err);
	/* sets revoked = now unless already revoked; CC_ENOTFOUND */
	int (*revoke_token)(struct cc_store *st, int64_t token_id, int64_t now, struct cc_err *err);
	int (*get_token)(struct cc_store *st, int64_t token_id, struct cc_token *out,
	                 struct cc_err *err);
	/* the token with this hash and its user, organisation and mission; CC_ENOTFOUND */
	int (*find_token)(struct cc_store *st, const char *hash, struct cc_token *tok_out,
	                  struct cc_principal *who_out, struct cc_err *err);
};

extern const struct cc__auth_ops cc__sqlite_auth; /* src/store/sqlite_auth.c */

#endif
