/*
 * Users and API tokens in the store: adding users, creating, checking, expiring and revoking
 * tokens, that only hashes are stored, and allocation failures. Expected hashes are computed
 * here with libsodium directly; stored rows are read with raw sqlite3.
 */
#include <concord/alloc.h>
#include <concord/auth.h>
#include <concord/store.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static char tmpdir[64];
static char path[128];

__attribute__((destructor)) static void remove_tmpdir(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	if (!tmpdir[0])
		return;
	for (size_t k = 0; k < sizeof(suffix) / sizeof(suffix[0]); k++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[k]);
		unlink(p);
	}
	rmdir(tmpdir);
}

/* A new store with mission AFG and two organisations (UNICEF with alias "unicef", WFP). */
static struct cc_store *setup(void)
{
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	struct cc_mission m = { .code = "AFG",
		                .name = "Afghanistan",
		                .country = "AFG",
		                .start_date = CC_DATE_NONE,
		                .end_date = CC_DATE_NONE };
	struct cc_org o1 = { .key = "local:UNICEF", .name = "UNICEF", .kind = "un", .is_local = 0 };
	struct cc_org o2 = { .key = "local:WFP", .name = "World Food Programme", .is_local = 0 };

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/t-auth-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/auth.db", tmpdir);
	if (cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err) ||
	    cc_store_put_mission(st, &m, &err)) {
		printf("# setup: %s\n", err.msg);
		exit(1);
	}
	o1.mission_id = o2.mission_id = m.id;
	if (cc_store_put_org(st, &o1, &err) || cc_store_put_org(st, &o2, &err) ||
	    cc_store_put_org_alias(st, m.id, o1.id, "unicef", &err)) {
		printf("# setup: %s\n", err.msg);
		exit(1);
	}
	return st;
}

/* The text of one column of the first row of a query on the store file, or "". */
static void raw_text(const char *sql, char *out, size_t n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	out[0] = '\0';
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

static int64_t count(struct cc_store *st, const char *sql)
{
	char buf[32];

	(void)st;
	raw_text(sql, buf, sizeof(buf));
	return buf[0] ? strtoll(buf, NULL, 10) : -1;
}

/* BLAKE2b-256 of the bytes the hex token stands for, as hex: computed here, not by Concord. */
static void expected_hash(const char *hex, char out[65])
{
	unsigned char raw[32], h[32];
	size_t len = 0;

	sodium_hex2bin(raw, sizeof(raw), hex, strlen(hex), NULL, &len, NULL);
	crypto_generichash(h, sizeof(h), raw, sizeof(raw), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static struct cc_store *st;

TEST(open_store)
{
	st = setup();
}

TEST(roles)
{
	enum cc_role r = CC_ROLE_NONE;

	check_int(cc_role_parse("coordinator", &r, NULL), ==, 0);
	check_int(r, ==, CC_ROLE_COORDINATOR);
	check_int(cc_role_parse("Admin", &r, NULL), ==, CC_EINVALID);
	check_int(cc_role_parse("none", &r, NULL), ==, CC_EINVALID);
	check_str(cc_role_name(CC_ROLE_EDITOR), "editor");
	check_int(cc_role_parse("viewer", &r, NULL), ==, 0);
	check_int(r, <, CC_ROLE_EDITOR);
	check_int(CC_ROLE_EDITOR, <, CC_ROLE_COORDINATOR);
	check_int(CC_ROLE_COORDINATOR, <, CC_ROLE_ADMIN);
}

TEST(users)
{
	struct cc_err err = { 0 };
	struct cc_user u, f;

	check_int(cc_auth_add_user(st,
	                           &(struct cc_user_spec){ .org = "local:UNICEF",
	                                                   .name = "amina",
	                                                   .role = CC_ROLE_ADMIN },
	                           &u, &err),
	          ==, 0);
	check_str(u.name, "amina");
	check_int(u.role, ==, CC_ROLE_ADMIN);
	/* by alias, compared normalised */
	check_int(cc_auth_add_user(st,
	                           &(struct cc_user_spec){ .org = "  UNICEF ",
	                                                   .name = "bo",
	                                                   .role = CC_ROLE_VIEWER },
	                           &f, &err),
	          ==, 0);
	check_int(f.org_id, ==, u.org_id);
	check_int(cc_auth_add_user(st,
	                           &(struct cc_user_spec){ .org = "local:UNICEF",
	                                                   .name = "amina",
	                                                   .role = CC_ROLE_VIEWER },
	                           &f, &err),
	          ==, CC_EEXIST);
	check_int(cc_auth_add_user(st,
	                           &(struct cc_user_spec){ .org = "local:NOPE",
	                                                   .name = "x",
	                                                   .role = CC_ROLE_VIEWER },
	                           &f, &err),
	          ==, CC_ENOTFOUND);
	check_str(err.msg, "unknown organisation 'local:NOPE'");
	check_int(cc_auth_add_user(st,
	                           &(struct cc_user_spec){
	                                   .org = "local:WFP", .name = "", .role = CC_ROLE_VIEWER },
	                           &f, &err),
	          ==, CC_EUSAGE);
	check_int(cc_auth_add_user(st,
	                           &(struct cc_user_spec){ .org = "local:WFP",
	                                                   .name = "a\tb",
	                                                   .role = CC_ROLE_VIEWER },
	                           &f, &err),
	          ==, CC_EUSAGE);
	check_int(cc_auth_add_user(st,
	                           &(struct cc_user_spec){
	                                   .org = "local:WFP", .name = "x", .role = CC_ROLE_NONE },
	                           &f, &err),
	          ==, CC_EUSAGE);
	check_int(cc_auth_find_user(st, NULL, "bo", &f, &err), ==, 0);
	check_int(f.role, ==, CC_ROLE_VIEWER);
	check_int(cc_auth_find_user(st, "AFG", "nobody", &f, &err), ==, CC_ENOTFOUND);
	check_int(count(st, "SELECT count(*) FROM user_account"), ==, 2);
}

TEST(tokens)
{
	struct cc_err err = { 0 };
	struct cc_principal who;
	struct cc_token t;
	struct cc_user u;
	char tok[CC_TOKEN_HEX], tok2[CC_TOKEN_HEX], stored[80], want[65], sql[128];
	int64_t id = 0, id2 = 0;
	const int64_t t0 = 1700000000;

	check_int(cc_auth_find_user(st, NULL, "amina", &u, &err), ==, 0);
	check_int(cc_auth_create_token(st, u.id, 0, t0, tok, &id, &err), ==, 0);
	check_int(strlen(tok), ==, 64);
	check_int(strspn(tok, "0123456789abcdef"), ==, 64);
	check_int(cc_auth_create_token(st, u.id, 0, t0, tok2, &id2, &err), ==, 0);
	check(strcmp(tok, tok2) != 0);
	check_int(id2, ==, id + 1);

	/* the store holds the hash, never the token */
	snprintf(sql, sizeof(sql), "SELECT hash FROM api_token WHERE id = %lld", (long long)id);
	raw_text(sql, stored, sizeof(stored));
	expected_hash(tok, want);
	check_str(stored, want);
	check(strcmp(stored, tok) != 0);

	/* a good token gives its user, organisation and mission */
	check_int(cc_auth_check_token(st, tok, t0 + 10, &who, &err), ==, 0);
	check_str(who.user.name, "amina");
	check_int(who.user.role, ==, CC_ROLE_ADMIN);
	check_str(who.org_key, "local:UNICEF");
	check_str(who.org_kind, "un");
	check_str(who.mission_code, "AFG");
	check_int(who.token_id, ==, id);

	/* wrong, malformed and missing tokens are all denied alike */
	tok2[0] = tok2[0] == '0' ? '1' : '0';
	check_int(cc_auth_check_token(st, tok2, t0, &who, &err), ==, CC_EDENIED);
	check_str(err.msg, "missing, unknown, expired or revoked token");
	check_int(cc_auth_check_token(st, "abc", t0, &who, &err), ==, CC_EDENIED);
	check_int(cc_auth_check_token(st, NULL, t0, &who, &err), ==, CC_EDENIED);
	memcpy(tok2, tok, sizeof(tok2));
	tok2[63] = 'g';
	check_int(cc_auth_check_token(st, tok2, t0, &who, &err), ==, CC_EDENIED);
	/* upper-case hex is the same token */
	for (size_t i = 0; i < 64; i++)
		tok2[i] = (char)(tok[i] >= 'a' ? tok[i] - 'a' + 'A' : tok[i]);
	check_int(cc_auth_check_token(st, tok2, t0, &who, &err), ==, 0);

	/* revocation is final and idempotent */
	check_int(cc_auth_revoke_token(st, id, t0 + 100, &err), ==, 0);
	check_int(cc_auth_check_token(st, tok, t0 + 101, &who, &err), ==, CC_EDENIED);
	check_int(cc_auth_revoke_token(st, id, t0 + 200, &err), ==, 0);
	check_int(cc_auth_get_token(st, id, &t, &err), ==, 0);
	check_int(t.revoked, ==, t0 + 100);
	check_int(t.mission_id, ==, u.mission_id);
	check_int(cc_auth_revoke_token(st, 999, t0, &err), ==, CC_ENOTFOUND);
	check_int(cc_auth_create_token(st, 999, 0, t0, tok, &id, &err), ==, CC_ENOTFOUND);
	check_str(tok, "");
	check_int(cc_auth_create_token(st, u.id, -1, t0, tok, &id, &err), ==, CC_EUSAGE);
}

TEST(expiry)
{
	struct cc_err err = { 0 };
	struct cc_principal who;
	struct cc_token t;
	struct cc_user u;
	char tok[CC_TOKEN_HEX];
	int64_t id = 0;
	const int64_t t0 = 1700000000;

	check_int(cc_auth_find_user(st, NULL, "bo", &u, &err), ==, 0);
	check_int(cc_auth_create_token(st, u.id, 2, t0, tok, &id, &err), ==, 0);
	check_int(cc_auth_get_token(st, id, &t, &err), ==, 0);
	check_int(t.expires, ==, t0 + 2 * 86400); /* 172800 s */
	check_int(cc_auth_check_token(st, tok, t0 + 2 * 86400 - 1, &who, &err), ==, 0);
	check_str(who.user.name, "bo");
	check_int(cc_auth_check_token(st, tok, t0 + 2 * 86400, &who, &err), ==, CC_EDENIED);
}

TEST(change_log)
{
	int64_t n = 0;
	struct cc_err err = { 0 };

	/* 2 users, 3 tokens stored, 1 revocation (the second one changed nothing): one entry each
	 */
	check_int(count(st, "SELECT count(*) FROM change WHERE tbl = 'user_account' AND "
	                    "op = 'insert'"),
	          ==, 2);
	check_int(count(st, "SELECT count(*) FROM change WHERE tbl = 'api_token' AND "
	                    "op = 'insert'"),
	          ==, 3);
	check_int(count(st, "SELECT count(*) FROM change WHERE tbl = 'api_token' AND "
	                    "op = 'update'"),
	          ==, 1);
	check_int(cc_store_verify_log(st, &n, &err), ==, 0);
	check_int(n, >=, 6);
}

TEST(allocation_failures)
{
	struct cc_err err = { 0 };
	struct cc_principal who;
	struct cc_user u;
	char d0[65], d[65], tok[CC_TOKEN_HEX];
	int64_t id = 0;
	long n;
	int ret = -1;

	check_int(cc_store_digest(st, d0, &err), ==, 0);
	for (n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_auth_add_user(st,
		                       &(struct cc_user_spec){ .org = "local:WFP",
		                                               .name = "chen",
		                                               .role = CC_ROLE_EDITOR },
		                       &u, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
		check_int(cc_store_digest(st, d, &err), ==, 0);
		if (!check_str(d, d0))
			break;
	}
	printf("# add_user succeeded after %ld failures\n", n);
	check_int(ret, ==, 0);

	check_int(cc_store_digest(st, d0, &err), ==, 0);
	for (n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_auth_create_token(st, u.id, 30, 0, tok, &id, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM) || !check_str(tok, ""))
			break;
		check_int(cc_store_digest(st, d, &err), ==, 0);
		if (!check_str(d, d0))
			break;
	}
	printf("# create_token succeeded after %ld failures\n", n);
	check_int(ret, ==, 0);

	for (n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_auth_check_token(st, tok, 0, &who, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
	}
	check_int(ret, ==, 0);
	check_str(who.user.name, "chen");

	check_int(cc_store_digest(st, d0, &err), ==, 0);
	for (n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_auth_revoke_token(st, id, 0, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
		check_int(cc_store_digest(st, d, &err), ==, 0);
		if (!check_str(d, d0))
			break;
	}
	check_int(ret, ==, 0);
	check_int(cc_auth_check_token(st, tok, 0, &who, &err), ==, CC_EDENIED);
}

TEST(close_store)
{
	cc_store_close(st);
	st = NULL;
}
