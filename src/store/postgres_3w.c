/*
 * The 3W import path on PostgreSQL (put_activity, remove_stale): activities held, decided in C
 * and sent many at a time, as needs and observations are (postgres_needs.c).
 *
 * Inside a write transaction the first put takes the activities' advisory lock and the highest
 * id; a source's first 32 puts are looked up one by one (an API write reads one row), the next
 * reads all the source's activities (id, key, digest, batch, line) into a hash table, against which
 * each put is decided in C exactly as SQLite decides (duplicate of line N of this batch,
 * unchanged, updated, added) and answered at once, as the importer needs. New activities take
 * the next id, as SQLite gives a rowid (the highest plus one; no sequence, so ids stay SQLite's
 * even after a rollback or a removal of the last ones). The inserts, updates and "seen by this
 * batch" marks wait as array literals and go ACT_SEND_ROWS at a time, one statement of each
 * kind over unnest(); the rest before the next statement that is not a read or that reads the
 * activities (cc__pg_hold), so before the change log's entry and the COMMIT. A write outside a
 * transaction sends its row before it commits. Writers of activities therefore take turns;
 * readers never wait.
 */
#include "store/postgres_held.h"
#include "store/postgres_int.h"

#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "core/banned.h"

#define ACT_SEND_ROWS CC__HELD_SEND_ROWS
#define LOCK_ACT      "SELECT pg_advisory_xact_lock(4242020)"

/* A stored (or held) activity: its key and what a put compares. */
struct act_row {
	struct cc__held_natkey k; /* first: the table's key */
	int64_t id, batch;
	long line;
	unsigned char digest[16];
};

/* a source's keys: looked up one at a time at first, then all read at once */
#define ACT_LOOK_UPS 32

/* the columns of a held insert or update, in the order of ACT_COLS after the id */
enum {
	A_ID, A_MISSION, A_SOURCE, A_NATKEY, A_DIGEST, A_BATCH, A_LINE, A_KIND, A_TITLE, A_DESC,
	A_STATUS, A_ORG, A_IMPL, A_FUNDER, A_SECTOR, A_AREA, A_LAT, A_LON, A_START, A_END,
	A_TARGETED, A_REACHED, A_BUDGET, A_CURRENCY, A_REL, A_OWNER, A_DENY, A_GEO_REL,
	A_FIG_REL, A_COLS
};

static const struct cc__held_ops act_ops = { .row_size = sizeof(struct act_row),
	                                     .change_size = sizeof(struct cc__held_change),
	                                     .hash = cc__held_natkey_hash,
	                                     .same = cc__held_natkey_same };

/*
 * The activities held: the table, and the held changes as array literals, one batch per kind
 * (seen: id, batch, line), written as each put comes since an activity's strings are only
 * borrowed by its put.
 */
struct acts_held {
	struct cc__held_table t; /* first: cc__held_put makes it */
	struct cc__held_batch ins, upd, seen;
};

static void acts_drop(void *p)
{
	struct acts_held *h = p;

	if (!h)
		return;
	cc__held_release(&h->t);
	cc__held_batch_release(&h->ins);
	cc__held_batch_release(&h->upd);
	cc__held_batch_release(&h->seen);
	cc_free(h);
}

/* ---- the keys read back, in binary form: big-endian integers and the bytes of bytea ---- */

static int64_t bin_i64(const PGresult *res, int r, int c)
{
	if (PQgetisnull(res, r, c) || PQgetlength(res, r, c) != 8)
		return 0;
	return (int64_t)cc__pg_be((const unsigned char *)PQgetvalue(res, r, c), 8);
}

static void bin_key16(const PGresult *res, int r, int c, unsigned char out[16])
{
	if (PQgetlength(res, r, c) == 16)
		memcpy(out, PQgetvalue(res, r, c), 16);
}

/* Adds activity a (id, as stored by batch) to the arrays of a held insert or update. */
static int act_elements(struct cc_buf *c, int64_t id, const struct cc_activity *a, int64_t batch)
{
	char key[33], dig[33];
	int ret;

	cc__held_hex16(a->natkey, key);
	cc__held_hex16(a->digest, dig);
	if ((ret = cc__pg_arr_i64(&c[A_ID], id, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_MISSION], a->mission_id, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_SOURCE], a->source_id, false)) < 0 ||
	    (ret = cc__pg_arr_text(&c[A_NATKEY], key)) < 0 ||
	    (ret = cc__pg_arr_text(&c[A_DIGEST], dig)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_BATCH], batch, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_LINE], a->line, a->line <= 0)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_KIND], (int64_t)a->kind, false)) < 0 ||
	    (ret = cc__pg_arr_text(&c[A_TITLE], a->title)) < 0 ||
	    (ret = cc__pg_arr_text(&c[A_DESC], a->description)) < 0 ||
	    (ret = cc__pg_arr_text(&c[A_STATUS], a->status)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_ORG], a->org_id, !a->org_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_IMPL], a->impl_org_id, !a->impl_org_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_FUNDER], a->funder_org_id, !a->funder_org_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_SECTOR], a->sector_id, !a->sector_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_AREA], a->area_id, !a->area_id)) < 0 ||
	    (ret = cc__pg_arr_num(&c[A_LAT], a->lat)) < 0 ||
	    (ret = cc__pg_arr_num(&c[A_LON], a->lon)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_START], a->start_date, a->start_date == CC_DATE_NONE)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_END], a->end_date, a->end_date == CC_DATE_NONE)) < 0 ||
	    (ret = cc__pg_arr_num(&c[A_TARGETED], a->targeted)) < 0 ||
	    (ret = cc__pg_arr_num(&c[A_REACHED], a->reached)) < 0 ||
	    (ret = cc__pg_arr_num(&c[A_BUDGET], a->budget)) < 0 ||
	    (ret = cc__pg_arr_text(&c[A_CURRENCY], a->currency)) < 0 ||
	    (ret = cc__pg_arr_text(&c[A_REL], a->releasability ? a->releasability : "public")) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_OWNER], a->owner_id, !a->owner_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&c[A_DENY], (int64_t)a->deny, false)) < 0 ||
	    (ret = cc__pg_arr_text(&c[A_GEO_REL], a->geo_rel)) < 0)
		return ret;
	return cc__pg_arr_text(&c[A_FIG_REL], a->figures_rel);
}

#define ACT_COLS                                                                                 \
	"mission_id, source_id, natkey, digest, batch, line, kind, title, description, status, " \
	"org_id, impl_org_id, funder_org_id, sector_id, area_id, lat, lon, start_date, "         \
	"end_date, targeted, reached, budget, currency, releasability, owner_id, deny, geo_rel, " \
	"figures_rel"
#define ACT_UNNEST                                                                               \
	"unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], "   \
	"$7::bigint[], $8::integer[], $9::text[], $10::text[], $11::text[], $12::bigint[], "        \
	"$13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], $17::float8[], $18::float8[], " \
	"$19::integer[], $20::integer[], $21::float8[], $22::float8[], $23::float8[], $24::text[], " \
	"$25::text[], $26::bigint[], $27::bigint[], $28::text[], $29::text[]) AS v(id, "            \
	ACT_COLS ")"
#define ACT_V                                                                                   \
	"v.mission_id, v.source_id, decode(v.natkey, 'hex'), decode(v.digest, 'hex'), v.batch, "   \
	"v.line, v.kind, v.title, v.description, v.status, v.org_id, v.impl_org_id, "             \
	"v.funder_org_id, v.sector_id, v.area_id, v.lat, v.lon, v.start_date, v.end_date, "        \
	"v.targeted, v.reached, v.budget, v.currency, v.releasability, v.owner_id, v.deny, "       \
	"v.geo_rel, v.figures_rel"

/* Sends every held change; the table stays (it is what is stored). */
static int acts_send(struct cc_store *st, void *held, struct cc_err *err)
{
	struct acts_held *h = held;
	int ret;

	if ((ret = cc__held_batch_send(st, &h->ins, A_COLS,
	                               "INSERT INTO activity (id, " ACT_COLS ") SELECT v.id, " ACT_V
	                               " FROM " ACT_UNNEST,
	                               "activities", err)) == 0 &&
	    (ret = cc__held_batch_send(st, &h->upd, A_COLS,
	                               "UPDATE activity t SET (" ACT_COLS ") = (" ACT_V ") FROM "
	                               ACT_UNNEST " WHERE t.id = v.id",
	                               "activities", err)) == 0)
		ret = cc__held_batch_send(st, &h->seen, 3,
		                          "UPDATE activity t SET batch = v.batch, line = v.line "
		                          "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) "
		                          "AS v(id, batch, line) WHERE t.id = v.id",
		                          "activities", err);
	/* after a failure the transaction fails with it: what was not sent goes too */
	cc__held_batch_clear(&h->ins);
	cc__held_batch_clear(&h->upd);
	cc__held_batch_clear(&h->seen);
	cc__held_forget(&h->t);
	return ret;
}

static const char *const acts_tables[] = { "activity", NULL };
/* the organisations an import adds go first, each before the activities that name it */
static const char *const acts_kept[] = { "organisation", "org_alias", "indicator", "benchmark",
	                                 "observation", NULL };
static const struct cc__pg_holder acts_holder = { .flush = acts_send, .drop = acts_drop,
	                                          .tables = acts_tables,
	                                          .writes_kept = acts_kept };

#define ACT_KEY_COLS "id, source_id, natkey, digest, batch, line"

/* Adds the rows of res the table does not have (it may hold newer versions of some). */
static int act_add_rows(struct acts_held *h, const PGresult *res, struct cc_err *err)
{
	for (int r = 0; r < PQntuples(res); r++) {
		struct act_row row = { .k.source_id = bin_i64(res, r, 1),
			               .id = bin_i64(res, r, 0),
			               .batch = bin_i64(res, r, 4),
			               .line = (long)bin_i64(res, r, 5) };

		bin_key16(res, r, 2, row.k.natkey);
		bin_key16(res, r, 3, row.digest);
		if (!cc__held_find_natkey(&h->t, row.k.source_id, row.k.natkey) &&
		    !cc__held_add(&h->t, &row))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	return 0;
}

/*
 * Makes sure the table knows whether a's key is stored: one row at a time for the first
 * ACT_LOOK_UPS puts of a source, then all of the source's activities at once. (A write that
 * sends the held rows — to a table the holder does not keep, see acts_kept — lets the table go:
 * the next rows are looked up one by one again, so that many such writes at the start of an
 * import do not each read the whole source.)
 */
static int act_look_up(struct cc_store *st, struct acts_held *h, const struct cc_activity *a,
                       struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret = cc__held_look_up(&h->t, a->source_id, ACT_LOOK_UPS);

	if (ret < 0)
		return cc_err_set(err, ret, "out of memory");
	if (ret == CC__HELD_KNOWN ||
	    (ret == CC__HELD_READ_ONE && cc__held_find_natkey(&h->t, a->source_id, a->natkey)))
		return 0;
	cc__pg_i64(&p, a->source_id);
	if (ret == CC__HELD_READ_ONE) {
		cc__pg_blob(&p, a->natkey, sizeof(a->natkey));
		ret = cc__pg_exec(st,
		                  "SELECT " ACT_KEY_COLS " FROM activity WHERE source_id = $1 AND "
		                  "natkey = $2::bytea",
		                  &p, true, &res, err);
	} else {
		ret = cc__pg_exec(st, "SELECT " ACT_KEY_COLS " FROM activity WHERE source_id = $1",
		                  &p, true, &res, err);
	}
	if (ret < 0)
		return ret;
	ret = act_add_rows(h, res, err);
	PQclear(res);
	return ret;
}

/* A new struct's batches (its table is made). */
static int acts_made(void *held, struct cc_err *err)
{
	struct acts_held *h = held;

	(void)err;
	cc__held_batch_init(&h->ins);
	cc__held_batch_init(&h->upd);
	cc__held_batch_init(&h->seen);
	return 0;
}

static const struct cc__held_domain acts_domain = {
	.holder = &acts_holder,
	.lock_sql = LOCK_ACT,
	.max_sql = "SELECT coalesce(max(id), 0) FROM activity",
	.size = sizeof(struct acts_held),
	.ops = &act_ops,
	.made = acts_made,
};

/* Holds a change of row r (kind: the batch it goes to; seen: only its batch and line). */
static int act_hold(struct acts_held *h, struct act_row *r, enum cc__held_kind kind,
                    const struct cc_activity *a, int64_t batch, struct cc_err *err)
{
	struct cc__held_batch *b = kind == CC__HELD_INSERT   ? &h->ins
	                           : kind == CC__HELD_UPDATE ? &h->upd
	                                                     : &h->seen;
	int ret;

	if (!cc__held_mark(&h->t, r, kind))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (kind != CC__HELD_SEEN)
		ret = act_elements(b->col, r->id, a, batch);
	else if ((ret = cc__pg_arr_i64(&b->col[0], r->id, false)) == 0 &&
	         (ret = cc__pg_arr_i64(&b->col[1], batch, false)) == 0)
		ret = cc__pg_arr_i64(&b->col[2], a->line, a->line <= 0);
	if (ret < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	b->n++;
	return 0;
}

static int put_one(struct cc_store *st, void *held, void *put, int64_t batch,
                   enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct acts_held *h = held;
	struct cc_activity *a = put;
	long line = a->line > 0 ? a->line : 0;
	struct act_row *r;
	int ret;

	if ((ret = act_look_up(st, h, a, err)) < 0)
		return ret;
	r = cc__held_find_natkey(&h->t, a->source_id, a->natkey);
	if (r && r->batch == batch) {
		*res_out = CC_PUT_DUPLICATE;
		*dup_line_out = r->line;
		return 0;
	}
	/* a row changed twice in one transaction (by two batches): the first change goes first */
	if (r && cc__held_kind_of(&h->t, r) && (ret = acts_send(st, h, err)) < 0)
		return ret;
	if (r && !memcmp(r->digest, a->digest, sizeof(r->digest))) {
		*res_out = CC_PUT_UNCHANGED;
		a->id = r->id;
		r->batch = batch;
		r->line = line;
		ret = act_hold(h, r, CC__HELD_SEEN, a, batch, err);
	} else if (r) {
		*res_out = CC_PUT_UPDATED;
		a->id = r->id;
		r->batch = batch;
		r->line = line;
		memcpy(r->digest, a->digest, sizeof(r->digest));
		ret = act_hold(h, r, CC__HELD_UPDATE, a, batch, err);
	} else {
		struct act_row row = { .k.source_id = a->source_id, .id = h->t.next_id,
			               .batch = batch, .line = line };

		memcpy(row.k.natkey, a->natkey, sizeof(row.k.natkey));
		memcpy(row.digest, a->digest, sizeof(row.digest));
		if (!(r = cc__held_add(&h->t, &row)))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		a->id = h->t.next_id++;
		*res_out = CC_PUT_ADDED;
		ret = act_hold(h, r, CC__HELD_INSERT, a, batch, err);
	}
	if (ret < 0 || h->t.n_changes < ACT_SEND_ROWS)
		return ret;
	return acts_send(st, h, err);
}

int cc__pg_put_activity(struct cc_store *st, struct cc_activity *a, int64_t batch,
                        enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	return cc__held_put(st, &acts_domain, put_one, a, batch, res_out, dup_line_out, err);
}

int cc__pg_remove_stale(struct cc_store *st, int64_t source_id, int64_t batch,
                        size_t *n_removed_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret;

	*n_removed_out = 0;
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, source_id);
	cc__pg_i64(&p, batch);
	/* the held rows go first (a DELETE is not a read); the planner picks the key index or a
	   scan by itself */
	ret = cc__pg_exec(st, "DELETE FROM activity WHERE source_id = $1 AND batch < $2", &p, false,
	                  &res, err);
	if (ret == 0)
		*n_removed_out = (size_t)cc__pg_changes(res);
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}
