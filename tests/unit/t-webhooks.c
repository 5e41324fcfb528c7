/*
 * Webhooks in the store: registration (secret, cursor at the head, the change-log entry),
 * listing, removal, the cursor, the delivery log; the URL rule; the signature against RFC 4231
 * and an independent HMAC computed here.
 */
#include "tap.h"
#include "testdir.h"

#include <ctype.h>

#include <sodium.h>

#include <concord/alloc.h>
#include <concord/feed.h>
#include <concord/sharing.h>
#include <concord/store.h>
#include <concord/text.h>
#include <concord/webhooks.h>

static int64_t mission_id, other_mission_id, ngo_id, mil_id, foreign_id;

/* A new store: mission AFG with an NGO and a military organisation, mission IRQ with one. */
static struct cc_store *setup(const char *name)
{
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	struct cc_mission m = { .code = "AFG",
		                .name = "Afghanistan",
		                .country = "AFG",
		                .start_date = CC_DATE_NONE,
		                .end_date = CC_DATE_NONE };
	struct cc_mission m2 = { .code = "IRQ",
		                 .name = "Iraq",
		                 .country = "IRQ",
		                 .start_date = CC_DATE_NONE,
		                 .end_date = CC_DATE_NONE };
	struct cc_org ngo = { .key = "local:NRC", .name = "NRC", .kind = "ngo", .is_local = -1 };
	struct cc_org mil = {
		.key = "local:KFOR", .name = "KFOR", .kind = "military", .is_local = -1
	};
	struct cc_org foreign = { .key = "local:IOM", .name = "IOM", .kind = "un", .is_local = -1 };
	char path[160];

	if (cc_store_open(&st, tmp_path(name, path),
	                  &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err) ||
	    cc_store_put_mission(st, &m, &err) || cc_store_put_mission(st, &m2, &err)) {
		printf("# setup: %s\n", err.msg);
		exit(1);
	}
	ngo.mission_id = mil.mission_id = m.id;
	foreign.mission_id = m2.id;
	if (cc_store_put_org(st, &ngo, &err) || cc_store_put_org(st, &mil, &err) ||
	    cc_store_put_org(st, &foreign, &err) ||
	    cc_store_set_member(st, m.id, ngo.id, true, &err) ||
	    cc_store_set_member(st, m.id, mil.id, true, &err)) {
		printf("# setup: %s\n", err.msg);
		exit(1);
	}
	mission_id = m.id;
	other_mission_id = m2.id;
	ngo_id = ngo.id;
	mil_id = mil.id;
	foreign_id = foreign.id;
	return st;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return s[n] == '\0';
}

/* RFC 4231, test case 2: key "Jefe". */
TEST(signature_rfc4231)
{
	static const char data[] = "what do ya want for nothing?";
	char sig[CC_WEBHOOK_SIG_LEN];

	cc_webhook_sign("Jefe", data, strlen(data), sig);
	check_str(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

/* The signature of a body with a fresh secret, against HMAC computed here in pieces. */
TEST(signature_independent)
{
	static const char body[] = "{\"id\":42,\"table\":\"activity\",\"op\":\"insert\"}";
	unsigned char mac[crypto_auth_hmacsha256_BYTES], raw[32];
	crypto_auth_hmacsha256_state h;
	char secret[65], sig[CC_WEBHOOK_SIG_LEN], want[CC_WEBHOOK_SIG_LEN] = "sha256=";
	static const char hexd[] = "0123456789abcdef";

	randombytes_buf(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++) {
		secret[2 * i] = hexd[raw[i] >> 4];
		secret[2 * i + 1] = hexd[raw[i] & 15];
	}
	secret[64] = '\0';
	crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret, 64);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)body, 10);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)body + 10, strlen(body) - 10);
	crypto_auth_hmacsha256_final(&h, mac);
	for (size_t i = 0; i < sizeof(mac); i++) {
		want[7 + 2 * i] = hexd[mac[i] >> 4];
		want[7 + 2 * i + 1] = hexd[mac[i] & 15];
	}
	want[7 + 64] = '\0';
	cc_webhook_sign(secret, body, strlen(body), sig);
	check_str(sig, want);
	/* one byte more changes it */
	cc_webhook_sign(secret, body, strlen(body) - 1, sig);
	check(strcmp(sig, want) != 0);
}

TEST(url_rule)
{
	struct cc_err err = { 0 };

	(void)data; /* testdir.h's other helper */
	check_int(cc_webhook_check_url("http://127.0.0.1:8080/hook", false, &err), ==, 0);
	check_int(cc_webhook_check_url("https://localhost/x?y=1", false, &err), ==, 0);
	check_int(cc_webhook_check_url("http://[::1]:9000/", false, &err), ==, 0);
	check_int(cc_webhook_check_url("http://LOCALHOST:1/", false, &err), ==, 0);
	check_int(cc_webhook_check_url("http://example.org/hook", false, &err), ==, CC_EINVALID);
	check_str(err.field, "url");
	check(strstr(err.msg, "--webhook-any-host") != NULL);
	check_int(cc_webhook_check_url("http://example.org/hook", true, &err), ==, 0);
	check_int(cc_webhook_check_url("http://127.0.0.2/", false, &err), ==, CC_EINVALID);
	check_int(cc_webhook_check_url("ftp://127.0.0.1/x", true, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "http://") != NULL);
	check_int(cc_webhook_check_url("file:///etc/passwd", true, &err), ==, CC_EINVALID);
	check_int(cc_webhook_check_url("127.0.0.1:8080", true, &err), ==, CC_EINVALID);
	check_int(cc_webhook_check_url("", true, &err), ==, CC_EINVALID);
}

TEST(register_list_remove)
{
	struct cc_store *st = setup("reg.db");
	struct cc_feed_entry e[8];
	struct cc_webhook h, h2, got, *list = NULL;
	struct cc_viewer v;
	struct cc_err err = { 0 };
	char secret[CC_WEBHOOK_SECRET_HEX], secret2[CC_WEBHOOK_SECRET_HEX], stored[65];
	int64_t head0 = 0, head = 0, next = 0;
	size_t n = 0;

	check_int(cc_store_feed_head(st, &head0, &err), ==, 0);
	check_int(cc_store_add_webhook(st, mission_id, ngo_id, 0, "http://127.0.0.1:9/a", false, &h,
	                               secret, &err),
	          ==, 0);
	check(all_hex(secret, 64));
	check(h.id > 0);
	check(h.active);
	check_str(h.org_key, "local:NRC");
	check_str(h.url, "http://127.0.0.1:9/a");
	/* the registration is one entry of the change log; the cursor is at it */
	check_int(cc_store_feed_head(st, &head, &err), ==, 0);
	check_int(head, ==, head0 + 1);
	check_int(h.cursor, ==, head);
	check_int(cc_store_read_feed(st, head0, 8, e, &n, &next, &err), ==, 0);
	check_int(n, ==, 1);
	check_str(e[0].table, "webhook");
	check_str(e[0].op, "insert");
	check_int(e[0].record_id, ==, h.id);
	check_str(e[0].releasability, "org");
	/* ... which the organisation itself does not see in its feed */
	check_int(cc_store_org_viewer(st, mission_id, ngo_id, &v, &err), ==, 0);
	cc_store_set_viewer(st, &v);
	check_int(cc_store_read_feed(st, head0, 8, e, &n, &next, &err), ==, 0);
	check_int(n, ==, 0);
	check_int(next, ==, head);
	cc_store_set_viewer(st, NULL);

	/* a second one, of the military organisation: a different secret */
	check_int(cc_store_add_webhook(st, mission_id, mil_id, 0, "http://localhost:9/b", false,
	                               &h2, secret2, &err),
	          ==, 0);
	check(strcmp(secret, secret2) != 0);
	check_int(h2.cursor, ==, head + 1);

	/* the secret is stored as shown */
	check_int(cc_store_get_webhook(st, h.id, &got, stored, &err), ==, 0);
	check_str(stored, secret);
	check_int(got.org_id, ==, ngo_id);
	check_int(got.mission_id, ==, mission_id);

	check_int(cc_store_list_webhooks(st, mission_id, 0, true, &list, &n, &err), ==, 0);
	check_int(n, ==, 2);
	if (n == 2) {
		check_int(list[0].id, ==, h.id);
		check_int(list[1].id, ==, h2.id);
		check_str(list[1].org_key, "local:KFOR");
	}
	cc_free(list);
	check_int(cc_store_list_webhooks(st, mission_id, mil_id, true, &list, &n, &err), ==, 0);
	check_int(n, ==, 1);
	cc_free(list);
	check_int(cc_store_list_webhooks(st, other_mission_id, 0, false, &list, &n, &err), ==, 0);
	check_int(n, ==, 0);
	cc_free(list);

	/* refused: an organisation of another mission, a bad URL, a non-loopback host */
	check_int(cc_store_add_webhook(st, mission_id, foreign_id, 0, "http://127.0.0.1/", false,
	                               NULL, secret2, &err),
	          ==, CC_ENOTFOUND);
	check_int(cc_store_add_webhook(st, mission_id, ngo_id, 0, "gopher://127.0.0.1/", false,
	                               NULL, secret2, &err),
	          ==, CC_EINVALID);
	check_str(err.field, "url");
	check_int(cc_store_add_webhook(st, mission_id, ngo_id, 0, "http://192.0.2.1/", false, NULL,
	                               secret2, &err),
	          ==, CC_EINVALID);
	check_str(secret2, "");
	check_int(cc_store_feed_head(st, &next, &err), ==, 0);
	check_int(next, ==, head + 1); /* nothing logged for them */

	/* removal: logged, kept in the list as removed, not twice */
	check_int(cc_store_remove_webhook(st, h.id, &err), ==, 0);
	check_int(cc_store_read_feed(st, head + 1, 8, e, &n, &next, &err), ==, 0);
	check_int(n, ==, 1);
	check_str(e[0].op, "delete");
	check_int(e[0].record_id, ==, h.id);
	check_int(cc_store_remove_webhook(st, h.id, &err), ==, CC_ENOTFOUND);
	check_int(cc_store_remove_webhook(st, 999, &err), ==, CC_ENOTFOUND);
	check_int(cc_store_list_webhooks(st, mission_id, 0, true, &list, &n, &err), ==, 0);
	check_int(n, ==, 1);
	cc_free(list);
	check_int(cc_store_list_webhooks(st, mission_id, 0, false, &list, &n, &err), ==, 0);
	check_int(n, ==, 2);
	if (n == 2)
		check(!list[0].active);
	cc_free(list);
	cc_store_close(st);
}

TEST(cursor_and_deliveries)
{
	struct cc_store *st = setup("cursor.db");
	struct cc_webhook_delivery d1 = { 0 }, d2 = { 0 }, d3 = { 0 }, *log = NULL;
	struct cc_webhook h, got;
	struct cc_err err = { 0 };
	char secret[CC_WEBHOOK_SECRET_HEX];
	size_t n = 0;

	check_int(cc_store_add_webhook(st, mission_id, ngo_id, 0, "http://127.0.0.1:9/", false, &h,
	                               secret, &err),
	          ==, 0);
	/* forward only */
	check_int(cc_store_webhook_advance(st, h.id, h.cursor + 5, &err), ==, 0);
	check_int(cc_store_get_webhook(st, h.id, &got, NULL, &err), ==, 0);
	check_int(got.cursor, ==, h.cursor + 5);
	check_int(cc_store_webhook_advance(st, h.id, h.cursor + 2, &err), ==, 0);
	check_int(cc_store_get_webhook(st, h.id, &got, NULL, &err), ==, 0);
	check_int(got.cursor, ==, h.cursor + 5);

	/* attempts are numbered per entry */
	d1 = (struct cc_webhook_delivery){
		.webhook_id = h.id, .change_id = 7, .status = 500, .duration_ms = 3
	};
	snprintf(d1.error, sizeof(d1.error), "answered HTTP 500");
	d2 = d1;
	d2.status = 0;
	snprintf(d2.error, sizeof(d2.error), "Connection refused");
	d3 = (struct cc_webhook_delivery){ .webhook_id = h.id,
		                           .change_id = 7,
		                           .status = 204,
		                           .duration_ms = 1,
		                           .at = 1700000000 };
	check_int(cc_store_log_delivery(st, &d1, &err), ==, 0);
	check_int(cc_store_log_delivery(st, &d2, &err), ==, 0);
	check_int(cc_store_log_delivery(st, &d3, &err), ==, 0);
	check_int(d1.attempt, ==, 1);
	check_int(d2.attempt, ==, 2);
	check_int(d3.attempt, ==, 3);
	check(d1.at > 1700000000);
	check_int(d3.at, ==, 1700000000);
	d1.id = 0;
	d1.change_id = 8;
	d1.at = 0;
	check_int(cc_store_log_delivery(st, &d1, &err), ==, 0);
	check_int(d1.attempt, ==, 1);
	d1.change_id = 0;
	check_int(cc_store_log_delivery(st, &d1, &err), ==, CC_EUSAGE);

	check_int(cc_store_list_deliveries(st, h.id, 100, &log, &n, &err), ==, 0);
	check_int(n, ==, 4);
	if (n == 4) {
		check_int(log[0].change_id, ==, 7);
		check_int(log[0].status, ==, 500);
		check_str(log[0].error, "answered HTTP 500");
		check_int(log[1].status, ==, 0);
		check_str(log[1].error, "Connection refused");
		check_int(log[2].status, ==, 204);
		check_str(log[2].error, "");
		check_int(log[2].duration_ms, ==, 1);
		check_int(log[3].change_id, ==, 8);
	}
	cc_free(log);
	/* the last two, oldest first */
	check_int(cc_store_list_deliveries(st, h.id, 2, &log, &n, &err), ==, 0);
	check_int(n, ==, 2);
	if (n == 2) {
		check_int(log[0].attempt, ==, 3);
		check_int(log[1].change_id, ==, 8);
	}
	cc_free(log);
	check_int(cc_store_list_deliveries(st, h.id, 0, &log, &n, &err), ==, CC_EUSAGE);

	/* a removed webhook's cursor stays where it was; its log stays readable */
	check_int(cc_store_remove_webhook(st, h.id, &err), ==, 0);
	check_int(cc_store_webhook_advance(st, h.id, h.cursor + 50, &err), ==, 0);
	check_int(cc_store_get_webhook(st, h.id, &got, NULL, &err), ==, 0);
	check_int(got.cursor, ==, h.cursor + 5);
	check(!got.active);
	check_int(cc_store_list_deliveries(st, h.id, 100, &log, &n, &err), ==, 0);
	check_int(n, ==, 4);
	cc_free(log);
	cc_store_close(st);
}
