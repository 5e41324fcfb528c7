/* <concord/auth.h>: users and tokens over the backend's auth operations. */
#include <concord/auth.h>

#include <string.h>
#include <time.h>

#include <sodium.h>

#include <concord/buf.h>
#include <concord/text.h>

#include "store/backend.h"
#include "store/ops_auth.h"

#include "core/banned.h"

static const char *const role_names[] = {
	[CC_ROLE_NONE] = "none",     [CC_ROLE_VIEWER] = "viewer",
	[CC_ROLE_EDITOR] = "editor", [CC_ROLE_COORDINATOR] = "coordinator",
	[CC_ROLE_ADMIN] = "admin",
};

#define N_ROLES (sizeof(role_names) / sizeof(role_names[0]))
#define DAY_S   86400

const char *cc_role_name(enum cc_role role)
{
	return (unsigned)role < N_ROLES ? role_names[role] : "unknown";
}

int cc_role_parse(const char *s, enum cc_role *out, struct cc_err *err)
{
	for (size_t i = CC_ROLE_VIEWER; s && i < N_ROLES; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum cc_role)i;
			return 0;
		}
	}
	return cc_err_set(err, CC_EINVALID,
	                  "unknown role '%s'; the roles are viewer, editor, coordinator, admin",
	                  s ? s : "");
}

static int64_t now_or(int64_t now)
{
	return now > 0 ? now : (int64_t)time(NULL);
}

static const struct cc__auth_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->auth)
		cc_err_set(err, CC_EUNSUPPORTED, "this store has no users and tokens");
	return st->ops->auth;
}

/*
 * Runs a write of the auth ops in a transaction of its own, so that the record and its
 * change-log entry are stored together or not at all.
 */
static int in_tx(struct cc_store *st, int ret_begin, int ret, struct cc_err *err)
{
	if (ret_begin < 0)
		return ret_begin;
	if (ret < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_store_commit(st, err);
}

/* The organisation named by key or alias: exactly first, then normalised. */
static int find_org(struct cc_store *st, int64_t mission_id, const char *text, struct cc_org *out,
                    struct cc_err *err)
{
	struct cc_buf norm = CC_BUF_INIT(0);
	struct cc_err e = { 0 };
	int ret;

	ret = cc_store_find_org(st, mission_id, text, out, &e);
	if (ret != CC_ENOTFOUND) {
		if (ret < 0 && err)
			*err = e;
		return ret;
	}
	if ((ret = cc_text_norm(text, &norm)) < 0) {
		cc_buf_release(&norm);
		return ret == CC_ENOMEM ? cc_err_set(err, ret, "out of memory")
		                        : cc_err_set(err, ret, "organisation is not valid UTF-8");
	}
	ret = cc_store_find_org(st, mission_id, norm.buf, out, err);
	if (ret == CC_ENOTFOUND)
		cc_err_set(err, CC_ENOTFOUND, "unknown organisation '%s'", text);
	cc_buf_release(&norm);
	return ret;
}

static bool valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= sizeof(((struct cc_user *)0)->name) || !cc_text_valid_utf8(s, n, NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int cc_auth_add_user(struct cc_store *st, const struct cc_user_spec *spec, struct cc_user *out,
                     struct cc_err *err)
{
	const struct cc__auth_ops *a = ops(st, err);
	struct cc_mission m;
	struct cc_org org;
	struct cc_user u = { 0 };
	int ret;

	if (!a)
		return CC_EUNSUPPORTED;
	if (!valid_name(spec->name))
		return cc_err_set(err, CC_EUSAGE, "user name must be 1 to %zu bytes of text",
		                  sizeof(u.name) - 1);
	if (spec->role < CC_ROLE_VIEWER || spec->role > CC_ROLE_ADMIN)
		return cc_err_set(err, CC_EUSAGE,
		                  "role must be viewer, editor, coordinator or admin");
	if (!spec->org || !*spec->org)
		return cc_err_set(err, CC_EUSAGE, "a user needs an organisation");
	if ((ret = cc_store_get_mission(st, spec->mission, &m, err)) < 0)
		return ret;
	if ((ret = find_org(st, m.id, spec->org, &org, err)) < 0)
		return ret;
	u.mission_id = m.id;
	u.org_id = org.id;
	memcpy(u.name, spec->name, strlen(spec->name) + 1);
	u.role = spec->role;
	u.created = now_or(0);
	ret = cc_store_begin(st, err);
	if ((ret = in_tx(st, ret, ret < 0 ? ret : a->put_user(st, &u, err), err)) < 0)
		return ret;
	*out = u;
	return 0;
}

int cc_auth_find_user(struct cc_store *st, const char *mission, const char *name,
                      struct cc_user *out, struct cc_err *err)
{
	const struct cc__auth_ops *a = ops(st, err);
	struct cc_mission m;
	int ret;

	if (!a)
		return CC_EUNSUPPORTED;
	if ((ret = cc_store_get_mission(st, mission, &m, err)) < 0)
		return ret;
	return a->find_user(st, m.id, name ? name : "", out, err);
}

void cc_auth_token_hash(const unsigned char token[static CC_TOKEN_BYTES], char out[static 65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), token, CC_TOKEN_BYTES, NULL, 0);
	cc_hex(h, sizeof(h), out);
	sodium_memzero(h, sizeof(h));
}

int cc_auth_create_token(struct cc_store *st, int64_t user_id, int64_t expires_days, int64_t now,
                         char hex_out[static CC_TOKEN_HEX], int64_t *id_out, struct cc_err *err)
{
	const struct cc__auth_ops *a = ops(st, err);
	unsigned char raw[CC_TOKEN_BYTES];
	struct cc_token t = { .user_id = user_id };
	char hash[65];
	int ret;

	hex_out[0] = '\0';
	if (!a)
		return CC_EUNSUPPORTED;
	if (expires_days < 0 || expires_days > 100 * 366)
		return cc_err_set(err, CC_EUSAGE, "expiry must be 0 (never) to 36600 days");
	if (sodium_init() < 0)
		return cc_err_set(err, CC_EIO, "cannot initialise the random generator");
	t.created = now_or(now);
	t.expires = expires_days ? t.created + expires_days * DAY_S : 0;
	randombytes_buf(raw, sizeof(raw));
	cc_auth_token_hash(raw, hash);
	ret = cc_store_begin(st, err);
	ret = in_tx(st, ret, ret < 0 ? ret : a->put_token(st, &t, hash, err), err);
	if (ret == 0) {
		cc_hex(raw, sizeof(raw), hex_out);
		*id_out = t.id;
	}
	sodium_memzero(raw, sizeof(raw));
	return ret;
}

int cc_auth_revoke_token(struct cc_store *st, int64_t token_id, int64_t now, struct cc_err *err)
{
	const struct cc__auth_ops *a = ops(st, err);
	int ret;

	if (!a)
		return CC_EUNSUPPORTED;
	ret = cc_store_begin(st, err);
	return in_tx(st, ret, ret < 0 ? ret : a->revoke_token(st, token_id, now_or(now), err), err);
}

int cc_auth_get_token(struct cc_store *st, int64_t token_id, struct cc_token *out,
                      struct cc_err *err)
{
	const struct cc__auth_ops *a = ops(st, err);

	if (!a)
		return CC_EUNSUPPORTED;
	return a->get_token(st, token_id, out, err);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cc_auth_check_token(struct cc_store *st, const char *token, int64_t now,
                        struct cc_principal *out, struct cc_err *err)
{
	const struct cc__auth_ops *a = ops(st, err);
	unsigned char raw[CC_TOKEN_BYTES];
	struct cc_principal who;
	struct cc_token t;
	char hash[65];
	int ret;

	if (!a)
		return CC_EUNSUPPORTED;
	if (!token || strlen(token) != 2 * CC_TOKEN_BYTES)
		goto out_denied;
	for (size_t i = 0; i < CC_TOKEN_BYTES; i++) {
		int hi = hex_value(token[2 * i]), lo = hex_value(token[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto out_denied;
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	cc_auth_token_hash(raw, hash);
	sodium_memzero(raw, sizeof(raw));
	ret = a->find_token(st, hash, &t, &who, err);
	if (ret == CC_ENOTFOUND)
		goto out_denied;
	if (ret < 0)
		return ret;
	now = now_or(now);
	if (t.revoked || (t.expires && now >= t.expires))
		goto out_denied;
	*out = who;
	return 0;
out_denied:
	return cc_err_set(err, CC_EDENIED, "missing, unknown, expired or revoked token");
}
