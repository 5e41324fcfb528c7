/*
 * The logic both store backends share (src/store/backend_common.c), on plain values: the
 * coverage columns and each record's column for every grouping, the change log's hash chain,
 * the numbering of migrations and the schema version check. The expected columns are worked
 * out by hand in the comments; the expected hash is computed here a second way, over the bytes
 * of the entry written out in full.
 */
#include <concord/alloc.h>
#include <concord/model.h>

#include <math.h>
#include <string.h>

#include "core/digest.h"
#include "store/backend_common.h"

#include "tap.h"

/* Adds a record of sector_id whose sector is (vocabulary, code, name), code NULL: none. */
static int add(struct cc__cov_read *r, enum cc_coverage_by by, int64_t id, int64_t sector_id,
               const char *pillar, const char *vocabulary, const char *code, const char *name)
{
	struct cc_coverage_record *rec = cc__cov_add(r);

	if (!rec)
		return CC_ENOMEM;
	memset(rec, 0, sizeof(*rec));
	rec->activity_id = id;
	rec->sector_id = sector_id;
	rec->targeted = NAN;
	rec->reached = NAN;
	return cc__cov_place(r, rec, by, pillar, vocabulary, code, name);
}

TEST(columns_by_sector_sorted_by_code_then_other)
{
	struct cc__cov_read r = { 0 };
	struct cc_coverage_column *cols = NULL;
	size_t n = 0;
	struct cc_err err = { 0 };

	/* sectors 5 "15240" and 3 "11110" (read in that order), 5 again, and one without */
	check_int(add(&r, CC_BY_SECTOR, 1, 5, NULL, "1", "15240", "Reintegration"), ==, 0);
	check_int(add(&r, CC_BY_SECTOR, 2, 3, NULL, "1", "11110", "Education policy"), ==, 0);
	check_int(add(&r, CC_BY_SECTOR, 3, 5, NULL, "1", "15240", "Reintegration"), ==, 0);
	check_int(add(&r, CC_BY_SECTOR, 4, 0, NULL, NULL, NULL, NULL), ==, 0);
	check_int((long)r.n_seen, ==, 2);
	check(r.sectorless);
	check_int(cc__cov_columns(&r, CC_BY_SECTOR, &cols, &n, &err), ==, 0);
	/* by code: 11110, 15240; then "other" for record 4 */
	check_int((long)n, ==, 3);
	if (n == 3) {
		check_str(cols[0].code, "11110");
		check_str(cols[0].name, "Education policy");
		check_str(cols[1].code, "15240");
		check_str(cols[2].code, "other");
		check_str(cols[2].name, "Other");
	}
	check_int(r.recs[0].column, ==, 1);
	check_int(r.recs[1].column, ==, 0);
	check_int(r.recs[2].column, ==, 1);
	check_int(r.recs[3].column, ==, 2);
	cc_free(cols);
	cc__cov_release(&r);
	check(r.recs == NULL && r.seen == NULL);
}

TEST(columns_by_sector_without_other_when_every_record_has_one)
{
	struct cc__cov_read r = { 0 };
	struct cc_coverage_column *cols = NULL;
	size_t n = 0;
	struct cc_err err = { 0 };

	check_int(add(&r, CC_BY_SECTOR, 1, 9, NULL, "10", "WSH", "Water"), ==, 0);
	check_int(cc__cov_columns(&r, CC_BY_SECTOR, &cols, &n, &err), ==, 0);
	check_int((long)n, ==, 1);
	if (n == 1)
		check_str(cols[0].code, "WSH");
	check_int(r.recs[0].column, ==, 0);
	cc_free(cols);
	cc__cov_release(&r);
}

TEST(columns_by_cluster_name_clusters_and_put_the_rest_in_other)
{
	struct cc__cov_read r = { 0 };
	struct cc_coverage_column *cols = NULL;
	size_t n = 0;
	struct cc_err err = { 0 };

	/* clusters WSH (id 20) and EDU (id 21), a DAC sector (id 5): columns EDU, WSH, other */
	check_int(add(&r, CC_BY_CLUSTER, 1, 20, NULL, "10", "WSH", "Water"), ==, 0);
	check_int(add(&r, CC_BY_CLUSTER, 2, 5, NULL, "1", "15240", "Reintegration"), ==, 0);
	check_int(add(&r, CC_BY_CLUSTER, 3, 21, NULL, "10", "EDU", "Education"), ==, 0);
	check(!r.sectorless);
	check_int(cc__cov_columns(&r, CC_BY_CLUSTER, &cols, &n, &err), ==, 0);
	check_int((long)n, ==, 3);
	if (n == 3) {
		check_str(cols[0].code, "EDU");
		check_str(cols[1].code, "WSH");
		check_str(cols[2].code, "other");
	}
	check_int(r.recs[0].column, ==, 1);
	check_int(r.recs[1].column, ==, 2);
	check_int(r.recs[2].column, ==, 0);
	cc_free(cols);
	cc__cov_release(&r);
}

TEST(columns_by_pillar_are_the_six_pillars)
{
	struct cc__cov_read r = { 0 };
	struct cc_coverage_column *cols = NULL;
	size_t n = 0;
	struct cc_err err = { 0 };

	check_int(add(&r, CC_BY_PILLAR, 1, 5, "governance", "1", "15110", "Policy"), ==, 0);
	check_int(add(&r, CC_BY_PILLAR, 2, 6, NULL, "1", "99999", "Unknown"), ==, 0);
	check_int(add(&r, CC_BY_PILLAR, 3, 7, "no-such-pillar", "1", "1", "x"), ==, 0);
	check_int((long)r.n_seen, ==, 0); /* sectors do not matter by pillar */
	check_int(r.recs[0].column, ==, CC_PILLAR_GOVERNANCE);
	check_int(r.recs[1].column, ==, CC_PILLAR_OTHER);
	check_int(r.recs[2].column, ==, CC_PILLAR_OTHER);
	check_int(cc__cov_columns(&r, CC_BY_PILLAR, &cols, &n, &err), ==, 0);
	check_int((long)n, ==, CC_N_PILLARS);
	if (n == CC_N_PILLARS) {
		check_str(cols[CC_PILLAR_SECURITY].code, "security");
		check_str(cols[CC_PILLAR_SECURITY].name, "Security");
		check_str(cols[CC_PILLAR_HUMANITARIAN].name, "Humanitarian");
		check_str(cols[CC_PILLAR_OTHER].code, cc_pillar_name(CC_PILLAR_OTHER));
	}
	/* the columns by pillar leave the records' columns as placed */
	check_int(r.recs[0].column, ==, CC_PILLAR_GOVERNANCE);
	cc_free(cols);
	cc__cov_release(&r);
}

static void put(unsigned char *buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + *len, s, n);
	buf[*len + n] = 0x1f;
	*len += n + 1;
}

TEST(change_entry_hash_and_chain)
{
	const struct cc_change c = { .table = "activity",
		                     .op = "insert",
		                     .record_id = 42,
		                     .batch = 3,
		                     .count = 1,
		                     .mission_id = 2,
		                     .detail = "" };
	struct cc__change_entry e;
	char at[32], hash[65], want[65], prev[65] = "abc", stored[65];
	unsigned char buf[512];
	size_t len = 0;
	struct cc_sha256 h;
	struct cc_err err = { 0 };

	cc__change_entry_make(&e, 7, &c, "cli", prev, at);
	check_int(e.id, ==, 7);
	check_str(e.who, "cli");
	check_str(e.releasability, "public");  /* NULL: public */
	check(e.detail == NULL);               /* "": none */
	check_int((long)strlen(e.at), ==, 20); /* 2024-05-01T12:00:00Z */
	check(e.at[4] == '-' && e.at[10] == 'T' && e.at[19] == 'Z');
	cc__change_hash(&e, hash);

	/* the same bytes written out: each field then the unit separator, NULL as "" */
	put(buf, &len, "abc");
	put(buf, &len, "7");
	put(buf, &len, at);
	put(buf, &len, "cli");
	put(buf, &len, "activity");
	put(buf, &len, "insert");
	put(buf, &len, "42");
	put(buf, &len, "0");
	put(buf, &len, "0");
	put(buf, &len, "3");
	put(buf, &len, "1");
	put(buf, &len, "2");
	put(buf, &len, "public");
	put(buf, &len, "");
	cc_sha256_init(&h);
	cc_sha256_update(&h, buf, len);
	cc_sha256_final_hex(&h, want);
	check_str(hash, want);

	/* read back: follows "abc" and matches; prev becomes its hash */
	memcpy(stored, hash, sizeof(stored));
	check_int(cc__change_check(&e, stored, prev, &err), ==, 0);
	check_str(prev, hash);
	/* the next entry must follow this one, not "abc" */
	e.prev_hash = "abc";
	check_int(cc__change_check(&e, stored, prev, &err), ==, CC_EINVALID);
	check_str(err.msg, "change log entry 7 does not follow the entry before it");
	/* a field changed after the hash was stored */
	e.prev_hash = "abc";
	memcpy(prev, "abc", 4);
	e.count = 2;
	check_int(cc__change_check(&e, stored, prev, &err), ==, CC_EINVALID);
	check_str(err.msg, "change log entry 7 does not match its hash");
	check_str(prev, "abc"); /* unchanged on failure */
}

TEST(migrations_are_numbered_in_order)
{
	static const unsigned char sql[] = "SELECT 1;";
	const struct cc__blob good[] = { { "0001_init.sql", sql, 9 },
		                         { "0002_more.sql", sql, 9 },
		                         { NULL, NULL, 0 } };
	const struct cc__blob gap[] = { { "0001_init.sql", sql, 9 },
		                        { "0003_skip.sql", sql, 9 },
		                        { NULL, NULL, 0 } };
	const struct cc__blob bad[] = { { "init.sql", sql, 9 }, { NULL, NULL, 0 } };
	struct cc_err err = { 0 };

	check_int(cc__migrations_count(good, &err), ==, 2);
	check_int(cc__migrations_count(gap, &err), ==, CC_ESTORE);
	check_str(err.msg, "migration '0003_skip.sql' is out of order (want 0002_)");
	check_int(cc__migrations_count(bad, &err), ==, CC_ESTORE);
	check_str(err.msg, "migration 'init.sql' is out of order (want 0001_)");
}

TEST(schema_versions_newer_older_and_any)
{
	struct cc_err err = { 0 };

	check_int(cc__schema_usable(5, 5, 0, &err), ==, 0);
	check_int(cc__schema_usable(6, 5, CC_STORE_ANY_SCHEMA, &err), ==, CC_ESCHEMA);
	check_str(err.msg,
	          "database schema version 6 is newer than this program's 5; upgrade concord");
	check_int(cc__schema_usable(4, 5, 0, &err), ==, CC_ESCHEMA);
	check_str(err.msg, "database schema version 4 is older than this program's 5; run "
	                   "'concord migrate'");
	check_int(cc__schema_usable(4, 5, CC_STORE_ANY_SCHEMA, &err), ==, 0);
}
