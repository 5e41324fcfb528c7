/*
 * The rows PostgreSQL importers hold in C (src/store/postgres_held.c), without a server: the
 * keyed table through its growth, the marks of held changes and how a second change of a row
 * combines with its first, which reads a group's puts ask for, the key helpers, and a failed
 * allocation, which leaves the table as it was. The sending needs a server: the PostgreSQL CLI
 * suites cover it (tests/cli/cli-postgres.sh: a send the server refuses).
 */
#include <concord/alloc.h>

#include <stdint.h>
#include <string.h>

#include "tap.h"

#if defined(CC_WITH_POSTGRES) && CC_WITH_POSTGRES
#include "store/postgres_held.h"

struct row {
	struct cc__held_natkey k;
	int64_t id;
};

/* a change that keeps a value of its own, as needs keep the need put */
struct change {
	struct cc__held_change c;
	int64_t batch;
};

static const struct cc__held_ops ops = { .row_size = sizeof(struct row),
	                                 .change_size = sizeof(struct change),
	                                 .hash = cc__held_natkey_hash,
	                                 .same = cc__held_natkey_same };

/* the natural key of row i: bytes 0-7 i (the table hashes with them), 8-15 a pattern */
static void key_of(int64_t i, unsigned char out[16])
{
	for (int b = 0; b < 8; b++)
		out[b] = (unsigned char)(i >> (8 * b));
	memset(out + 8, 0x5a, 8);
}

static struct row *add(struct cc__held_table *t, int64_t source, int64_t i)
{
	struct row r = { .k.source_id = source, .id = i };

	key_of(i, r.k.natkey);
	return cc__held_add(t, &r);
}

static struct row *find(struct cc__held_table *t, int64_t source, int64_t i)
{
	unsigned char key[16];

	key_of(i, key);
	return cc__held_find_natkey(t, source, key);
}

TEST(every_row_is_found_after_the_table_grows)
{
	struct cc__held_table t;
	int missing = 0, wrong = 0;

	cc__held_init(&t, &ops);
	check(find(&t, 1, 1) == NULL); /* an empty table has no slots yet */
	/* 3,000 rows: the slots grow from 1,024 to 8,192 (twice the rows at least) */
	for (int64_t i = 0; i < 3000; i++)
		check(add(&t, 1 + i % 3, i) != NULL);
	check_int(t.n_rows, ==, 3000);
	check_int(t.n_slots, ==, 8192);
	for (int64_t i = 0; i < 3000; i++) {
		struct row *r = find(&t, 1 + i % 3, i);

		missing += !r;
		wrong += r && r->id != i;
	}
	check_int(missing, ==, 0);
	check_int(wrong, ==, 0);
	/* the same natural key under another source is another row */
	check(find(&t, 2, 0) == NULL);
	check(find(&t, 1, 3000) == NULL);
	cc__held_release(&t);
	check_int(t.n_rows, ==, 0);
}

TEST(a_second_change_combines_with_the_first)
{
	struct cc__held_table t;
	struct row *a, *b, *c;
	struct change *ch;

	cc__held_init(&t, &ops);
	a = add(&t, 1, 1);
	b = add(&t, 1, 2);
	c = add(&t, 1, 3);
	check_int(cc__held_kind_of(&t, a), ==, CC__HELD_NONE);

	ch = cc__held_mark(&t, a, CC__HELD_INSERT);
	check_int(ch->c.row, ==, 0);
	check_int(ch->batch, ==, 0); /* a new change is zeroed after its head */
	ch->batch = 7;
	/* an insert changed again stays an insert (it writes the row's latest values) */
	check(cc__held_mark(&t, a, CC__HELD_UPDATE) == ch);
	check_int(cc__held_kind_of(&t, a), ==, CC__HELD_INSERT);
	check_int(ch->batch, ==, 7);
	/* seen, then changed: an update, which carries both */
	cc__held_mark(&t, b, CC__HELD_SEEN);
	check_int(cc__held_kind_of(&t, b), ==, CC__HELD_SEEN);
	cc__held_mark(&t, b, CC__HELD_UPDATE);
	check_int(cc__held_kind_of(&t, b), ==, CC__HELD_UPDATE);
	/* changed, then seen again: still the update */
	cc__held_mark(&t, c, CC__HELD_UPDATE);
	cc__held_mark(&t, c, CC__HELD_SEEN);
	check_int(cc__held_kind_of(&t, c), ==, CC__HELD_UPDATE);
	/* one change per row, in the order of the first marks */
	check_int(t.n_changes, ==, 3);
	check_int(((struct change *)cc__held_change(&t, 1))->c.row, ==, 1);
	check(cc__held_row_of(&t, cc__held_change(&t, 2)) == c);

	cc__held_forget(&t);
	check_int(t.n_changes, ==, 0);
	check_int(cc__held_kind_of(&t, a), ==, CC__HELD_NONE);
	check_int(cc__held_kind_of(&t, b), ==, CC__HELD_NONE);
	check(find(&t, 1, 2) == b); /* the rows stay: they are what is stored */
	cc__held_release(&t);
}

TEST(a_group_reads_rows_alone_then_all_once)
{
	struct cc__held_table t;

	cc__held_init(&t, &ops);
	check_int(cc__held_look_up(&t, 10, 2), ==, CC__HELD_READ_ONE);
	check_int(cc__held_look_up(&t, 20, 1), ==, CC__HELD_READ_ONE);
	check_int(cc__held_look_up(&t, 10, 2), ==, CC__HELD_READ_ONE);
	check_int(cc__held_look_up(&t, 10, 2), ==, CC__HELD_READ_ALL);
	check_int(cc__held_look_up(&t, 10, 2), ==, CC__HELD_KNOWN);
	check_int(cc__held_look_up(&t, 20, 1), ==, CC__HELD_READ_ALL);
	check_int(cc__held_look_up(&t, 20, 1), ==, CC__HELD_KNOWN);
	check_int(t.n_groups, ==, 2);
	cc__held_release(&t);
}

TEST(key_helpers)
{
	const unsigned char v[16] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff,
		                      0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90 };
	char hex[33];
	uint64_t s = CC__HELD_HASH_SEED;

	cc__held_hex16(v, hex);
	check_str(hex, "00017f80abcdefff1020304050607090");
	/* one step from the seed, worked out apart: (seed ^ 0x61) * 1099511628211 mod 2^64 */
	check(cc__held_mix(s, 'a') == (uint64_t)0x44bd8ad473cd9906u);
	/* texts end with a mark: ("ab", "c") and ("a", "bc") are different keys */
	check(cc__held_mix_text(cc__held_mix_text(s, "ab"), "c") !=
	      cc__held_mix_text(cc__held_mix_text(s, "a"), "bc"));
}

TEST(a_failed_allocation_leaves_the_table_as_it_was)
{
	struct cc__held_table t;
	long n;

	cc__held_init(&t, &ops);
	for (int64_t i = 0; i < 512; i++) /* the next add grows the slots */
		add(&t, 1, i);
	for (n = 0;; n++) {
		struct row *r;

		cc_test_fail_alloc_after(n);
		r = add(&t, 1, 512);
		cc_test_fail_alloc_after(-1);
		if (r)
			break;
		check_int(t.n_rows, ==, 512);
		check(find(&t, 1, 511) != NULL);
		check(find(&t, 1, 512) == NULL);
	}
	check_int(n, >, 0); /* it did allocate */
	check(find(&t, 1, 512) != NULL);
	check_int(t.n_slots, ==, 2048);
	cc__held_release(&t);
}

#else
TEST(held_rows)
{
	skip_test("built without PostgreSQL");
}
#endif
