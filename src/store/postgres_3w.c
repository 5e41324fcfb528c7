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
#include "store/postgres_int.h"

#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "core/banned.h"

#define ACT_SEND_ROWS 2000
#define LOCK_ACT      "SELECT pg_advisory_xact_lock(4242020)"

/* A stored (or held) activity: its key and what a put compares. */
struct act_row {
	int64_t id, source_id, batch;
	long line;
	unsigned char natkey[16], digest[16];
	bool held; /* a change of it waits to be sent */
};

/* a source's keys: looked up one at a time at first, then all read at once */
#define ACT_LOOK_UPS 32
struct source_seen {
	int64_t id;
	int n_looked_up;
	bool loaded;
};

/* the columns of a held insert or update, in the order of ACT_COLS after the id */
enum {
	A_ID, A_MISSION, A_SOURCE, A_NATKEY, A_DIGEST, A_BATCH, A_LINE, A_KIND, A_TITLE, A_DESC,
	A_STATUS, A_ORG, A_IMPL, A_FUNDER, A_SECTOR, A_AREA, A_LAT, A_LON, A_START, A_END,
	A_TARGETED, A_REACHED, A_BUDGET, A_CURRENCY, A_REL, A_OWNER, A_DENY, A_GEO_REL,
	A_FIG_REL, A_COLS
};

/* held changes of one kind: one array literal per column */
struct act_batch {
	struct cc_buf col[A_COLS];
	size_t n;
};

struct acts_held {
	struct act_row *rows;
	size_t n_rows, cap_rows;
	uint32_t *slots; /* open addressing: index + 1 into rows, 0 empty */
	size_t n_slots;
	struct source_seen *sources;
	size_t n_sources, cap_sources;
	struct act_batch ins, upd, seen; /* seen: id, batch, line */
	size_t *held;                    /* the rows of the held changes */
	size_t n_held, cap_held;
	int64_t next_id;
};

static size_t act_hash(int64_t source_id, const unsigned char natkey[16])
{
	uint64_t h;

	memcpy(&h, natkey, sizeof(h)); /* the key is a hash already */
	return (size_t)(h ^ ((uint64_t)source_id * 0x9e3779b97f4a7c15u));
}

static struct act_row *act_find(struct acts_held *h, int64_t source_id,
                                const unsigned char natkey[16])
{
	size_t mask = h->n_slots - 1, i;

	if (!h->n_slots)
		return NULL;
	for (i = act_hash(source_id, natkey) & mask; h->slots[i]; i = (i + 1) & mask) {
		struct act_row *r = &h->rows[h->slots[i] - 1];

		if (r->source_id == source_id && !memcmp(r->natkey, natkey, 16))
			return r;
	}
	return NULL;
}

static void act_place(struct acts_held *h, size_t k)
{
	size_t mask = h->n_slots - 1, i = act_hash(h->rows[k].source_id, h->rows[k].natkey) & mask;

	while (h->slots[i])
		i = (i + 1) & mask;
	h->slots[i] = (uint32_t)(k + 1);
}

/* Adds a row whose key the table does not have; NULL when out of memory. */
static struct act_row *act_add(struct acts_held *h, const struct act_row *r)
{
	if ((h->n_rows + 1) * 2 > h->n_slots) {
		size_t n = h->n_slots ? h->n_slots * 2 : 1024;
		uint32_t *sl;

		if (n > UINT32_MAX || !(sl = cc_alloc_array(n, sizeof(*sl))))
			return NULL;
		cc_free(h->slots);
		h->slots = sl;
		h->n_slots = n;
		for (size_t k = 0; k < h->n_rows; k++)
			act_place(h, k);
	}
	if (cc__grow((void **)&h->rows, &h->cap_rows, h->n_rows, sizeof(*h->rows)) < 0)
		return NULL;
	h->rows[h->n_rows] = *r;
	act_place(h, h->n_rows);
	return &h->rows[h->n_rows++];
}

static void batch_reset(struct act_batch *b)
{
	for (int k = 0; k < A_COLS; k++)
		b->col[k].len = 0;
	b->n = 0;
}

static void batch_release(struct act_batch *b)
{
	for (int k = 0; k < A_COLS; k++)
		cc_buf_release(&b->col[k]);
	b->n = 0;
}

static void acts_drop(void *p)
{
	struct acts_held *h = p;

	if (!h)
		return;
	cc_free(h->rows);
	cc_free(h->slots);
	cc_free(h->sources);
	cc_free(h->held);
	batch_release(&h->ins);
	batch_release(&h->upd);
	batch_release(&h->seen);
	cc_free(h);
}

/* ---- the keys read back, in binary form: big-endian integers and the bytes of bytea ---- */

static int64_t bin_i64(const PGresult *res, int r, int c)
{
	const unsigned char *b = (const unsigned char *)PQgetvalue(res, r, c);
	uint64_t v = 0;

	if (PQgetisnull(res, r, c) || PQgetlength(res, r, c) != 8)
		return 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return (int64_t)v;
}

static void bin_key16(const PGresult *res, int r, int c, unsigned char out[16])
{
	if (PQgetlength(res, r, c) == 16)
		memcpy(out, PQgetvalue(res, r, c), 16);
}

static void hex16(const unsigned char v[16], char out[33])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++) {
		out[2 * i] = digits[v[i] >> 4];
		out[2 * i + 1] = digits[v[i] & 15];
	}
	out[32] = '\0';
}

/* Adds activity a (id, as stored by batch) to the arrays of a held insert or update. */
static int act_elements(struct cc_buf *c, int64_t id, const struct cc_activity *a, int64_t batch)
{
	char key[33], dig[33];
	int ret;

	hex16(a->natkey, key);
	hex16(a->digest, dig);
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

/* Sends one kind of held changes (sql over the first n_cols arrays), if any. */
static int batch_send(struct cc_store *st, struct act_batch *b, int n_cols, const char *sql,
                      struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	if (!b->n)
		return 0;
	for (int k = 0; k < n_cols; k++) {
		if (cc__pg_arr_close(&b->col[k]) < 0)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		cc__pg_str(&p, b->col[k].buf);
	}
	return cc__pg_exec(st, sql, &p, false, NULL, err);
}

/* Sends every held change; the table stays (it is what is stored). */
static int acts_send(struct cc_store *st, struct acts_held *h, struct cc_err *err)
{
	int ret;

	if ((ret = batch_send(st, &h->ins, A_COLS,
	                      "INSERT INTO activity (id, " ACT_COLS ") SELECT v.id, " ACT_V
	                      " FROM " ACT_UNNEST,
	                      err)) == 0 &&
	    (ret = batch_send(st, &h->upd, A_COLS,
	                      "UPDATE activity t SET (" ACT_COLS ") = (" ACT_V ") FROM " ACT_UNNEST
	                      " WHERE t.id = v.id",
	                      err)) == 0)
		ret = batch_send(st, &h->seen, 3,
		                 "UPDATE activity t SET batch = v.batch, line = v.line FROM "
		                 "unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v(id, batch, "
		                 "line) WHERE t.id = v.id",
		                 err);
	batch_reset(&h->ins);
	batch_reset(&h->upd);
	batch_reset(&h->seen);
	for (size_t i = 0; i < h->n_held; i++)
		h->rows[h->held[i]].held = false;
	h->n_held = 0;
	return ret;
}

static int acts_flush(struct cc_store *st, void *p, struct cc_err *err)
{
	return acts_send(st, p, err);
}

static const char *const acts_tables[] = { "activity", NULL };
/* the organisations an import adds go first, each before the activities that name it */
static const char *const acts_kept[] = { "organisation", "org_alias", "indicator", "benchmark",
	                                 "observation", NULL };
static const struct cc__pg_holder acts_holder = { .flush = acts_flush, .drop = acts_drop,
	                                          .tables = acts_tables,
	                                          .writes_kept = acts_kept };

#define ACT_KEY_COLS "id, source_id, natkey, digest, batch, line"

/* Adds the rows of res the table does not have (it may hold newer versions of some). */
static int act_add_rows(struct acts_held *h, const PGresult *res, struct cc_err *err)
{
	for (int r = 0; r < PQntuples(res); r++) {
		struct act_row row = { .id = bin_i64(res, r, 0),
			               .source_id = bin_i64(res, r, 1),
			               .batch = bin_i64(res, r, 4),
			               .line = (long)bin_i64(res, r, 5) };

		bin_key16(res, r, 2, row.natkey);
		bin_key16(res, r, 3, row.digest);
		if (!act_find(h, row.source_id, row.natkey) && !act_add(h, &row))
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
	struct source_seen *seen = NULL;
	PGresult *res = NULL;
	int ret;

	for (size_t i = 0; i < h->n_sources; i++)
		if (h->sources[i].id == a->source_id)
			seen = &h->sources[i];
	if (!seen) {
		if (cc__grow((void **)&h->sources, &h->cap_sources, h->n_sources,
		             sizeof(*h->sources)) < 0)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		seen = &h->sources[h->n_sources++];
		*seen = (struct source_seen){ .id = a->source_id };
	}
	if (seen->loaded)
		return 0;
	cc__pg_i64(&p, a->source_id);
	if (seen->n_looked_up < ACT_LOOK_UPS) {
		seen->n_looked_up++;
		if (act_find(h, a->source_id, a->natkey))
			return 0;
		cc__pg_blob(&p, a->natkey, sizeof(a->natkey));
		ret = cc__pg_exec(st,
		                  "SELECT " ACT_KEY_COLS " FROM activity WHERE source_id = $1 AND "
		                  "natkey = $2::bytea",
		                  &p, true, &res, err);
	} else {
		seen->loaded = true;
		ret = cc__pg_exec(st, "SELECT " ACT_KEY_COLS " FROM activity WHERE source_id = $1",
		                  &p, true, &res, err);
	}
	if (ret < 0)
		return ret;
	ret = act_add_rows(h, res, err);
	PQclear(res);
	return ret;
}

/* The handle's held activities, let go of while a put runs its own statements (which name the
 * table), or new ones when there are none: the lock and the next id. */
static int acts_state(struct cc_store *st, struct acts_held **out, struct cc_err *err)
{
	struct acts_held *h = cc__pg_unhold(st, &acts_holder);
	PGresult *res = NULL;
	int ret;

	if (h) {
		*out = h;
		return 0;
	}
	if ((ret = cc__pg_exec(st, LOCK_ACT, NULL, false, NULL, err)) < 0 ||
	    (ret = cc__pg_exec(st, "SELECT coalesce(max(id), 0) FROM activity", NULL, false, &res,
	                       err)) < 0)
		return ret;
	if (!(h = cc_alloc_array(1, sizeof(*h)))) {
		PQclear(res);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	h->next_id = cc__pg_col_i64(res, 0, 0) + 1;
	PQclear(res);
	for (int k = 0; k < A_COLS; k++) {
		cc_buf_init(&h->ins.col[k], 0);
		cc_buf_init(&h->upd.col[k], 0);
		cc_buf_init(&h->seen.col[k], 0);
	}
	*out = h;
	return 0;
}

/* Holds a change of row r (kind: the batch it goes to; seen: only its batch and line). */
static int act_hold(struct acts_held *h, struct act_row *r, struct act_batch *kind,
                    const struct cc_activity *a, int64_t batch, struct cc_err *err)
{
	int ret;

	if (cc__grow((void **)&h->held, &h->cap_held, h->n_held, sizeof(*h->held)) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (kind != &h->seen)
		ret = act_elements(kind->col, r->id, a, batch);
	else if ((ret = cc__pg_arr_i64(&kind->col[0], r->id, false)) == 0 &&
	         (ret = cc__pg_arr_i64(&kind->col[1], batch, false)) == 0)
		ret = cc__pg_arr_i64(&kind->col[2], a->line, a->line <= 0);
	if (ret < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	kind->n++;
	r->held = true;
	h->held[h->n_held++] = (size_t)(r - h->rows);
	return 0;
}

static int put_one(struct cc_store *st, struct acts_held *h, struct cc_activity *a,
                   int64_t batch, enum cc_put_result *res_out, long *dup_line_out,
                   struct cc_err *err)
{
	long line = a->line > 0 ? a->line : 0;
	struct act_row *r;
	int ret;

	if ((ret = act_look_up(st, h, a, err)) < 0)
		return ret;
	r = act_find(h, a->source_id, a->natkey);
	if (r && r->batch == batch) {
		*res_out = CC_PUT_DUPLICATE;
		*dup_line_out = r->line;
		return 0;
	}
	/* a row changed twice in one transaction (by two batches): the first change goes first */
	if (r && r->held && (ret = acts_send(st, h, err)) < 0)
		return ret;
	if (r && !memcmp(r->digest, a->digest, sizeof(r->digest))) {
		*res_out = CC_PUT_UNCHANGED;
		a->id = r->id;
		r->batch = batch;
		r->line = line;
		ret = act_hold(h, r, &h->seen, a, batch, err);
	} else if (r) {
		*res_out = CC_PUT_UPDATED;
		a->id = r->id;
		r->batch = batch;
		r->line = line;
		memcpy(r->digest, a->digest, sizeof(r->digest));
		ret = act_hold(h, r, &h->upd, a, batch, err);
	} else {
		struct act_row row = { .id = h->next_id, .source_id = a->source_id, .batch = batch,
			               .line = line };

		memcpy(row.natkey, a->natkey, sizeof(row.natkey));
		memcpy(row.digest, a->digest, sizeof(row.digest));
		if (!(r = act_add(h, &row)))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		a->id = h->next_id++;
		*res_out = CC_PUT_ADDED;
		ret = act_hold(h, r, &h->ins, a, batch, err);
	}
	if (ret < 0 || h->n_held < ACT_SEND_ROWS)
		return ret;
	return acts_send(st, h, err);
}

static int put_activity(struct cc_store *st, struct cc_activity *a, int64_t batch,
                        enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct acts_held *h = NULL;
	int ret;

	if ((ret = acts_state(st, &h, err)) < 0)
		return ret;
	if (!h) /* acts_state sets it when it succeeds */
		return cc_err_set(err, CC_ESTORE, "no held activities");
	if ((ret = put_one(st, h, a, batch, res_out, dup_line_out, err)) < 0) {
		acts_drop(h); /* the transaction fails with it */
		return ret;
	}
	return cc__pg_hold(st, &acts_holder, h, err);
}

int cc__pg_put_activity(struct cc_store *st, struct cc_activity *a, int64_t batch,
                        enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	bool own;
	int ret;

	*dup_line_out = 0;
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_activity(st, a, batch, res_out, dup_line_out, err);
	/* a write of its own sends its row now */
	if (own && ret == 0)
		ret = cc__pg_flush(st, err);
	return cc__pg_tx_leave(st, own, ret, err);
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
